"""Tables from the Amazon States Language spec and the Step Functions docs: which fields exist where.

Kept as data so the rules stay short and a reviewer can check the tables against the docs in one place.
"""

from __future__ import annotations

from typing import Final

JSONPATH, JSONATA = "JSONPath", "JSONata"
QUERY_LANGUAGES: Final = (JSONPATH, JSONATA)

TOP_FIELDS: Final = frozenset({"StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"})
BRANCH_FIELDS: Final = frozenset({"StartAt", "States", "Comment"})
PROCESSOR_FIELDS: Final = frozenset({"StartAt", "States", "Comment", "ProcessorConfig"})

_COMMON = {"Type", "Comment", "QueryLanguage"}
_IO = {"InputPath", "OutputPath", "Output"}
_FLOW = {"Next", "End"}
_ERRORS = {"Retry", "Catch"}

STATE_FIELDS: Final[dict[str, frozenset[str]]] = {
    "Task": frozenset(_COMMON | _IO | _FLOW | _ERRORS | {
        "Resource", "Parameters", "Arguments", "ResultSelector", "ResultPath", "Assign", "Credentials",
        "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"}),
    "Pass": frozenset(_COMMON | _IO | _FLOW | {"Result", "ResultPath", "Parameters", "Assign"}),
    "Choice": frozenset(_COMMON | _IO | {"Choices", "Default", "Assign"}),
    "Wait": frozenset(_COMMON | _IO | _FLOW | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign"}),
    "Succeed": frozenset(_COMMON | _IO),
    "Fail": frozenset(_COMMON | {"Error", "ErrorPath", "Cause", "CausePath"}),
    "Parallel": frozenset(_COMMON | _IO | _FLOW | _ERRORS | {
        "Branches", "Parameters", "Arguments", "ResultSelector", "ResultPath", "Assign"}),
    "Map": frozenset(_COMMON | _IO | _FLOW | _ERRORS | {
        "ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector", "Parameters", "ItemReader",
        "ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label",
        "ResultSelector", "ResultPath", "Assign"}),
}
STATE_TYPES: Final = tuple(STATE_FIELDS)
TERMINAL_TYPES: Final = frozenset({"Succeed", "Fail"})
FLOW_TYPES: Final = frozenset({"Task", "Pass", "Wait", "Parallel", "Map"})

# Fields only meaningful in one query language (state level; Choice rules and catchers below).
JSONATA_ONLY: Final = frozenset({"Arguments", "Output", "Items"})
JSONPATH_ONLY: Final = frozenset({
    "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Result", "ItemsPath",
    "TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath", "TimestampPath", "ErrorPath", "CausePath",
    "MaxConcurrencyPath", "ToleratedFailurePercentagePath", "ToleratedFailureCountPath"})

# Pairs of which at most one may be present (static value vs. value read from a path).
EXCLUSIVE_PAIRS: Final = (
    ("TimeoutSeconds", "TimeoutSecondsPath"), ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ("Error", "ErrorPath"), ("Cause", "CausePath"), ("MaxConcurrency", "MaxConcurrencyPath"),
    ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
    ("ToleratedFailureCount", "ToleratedFailureCountPath"), ("Parameters", "ItemSelector"),
)
WAIT_FIELDS: Final = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")

RETRIER_FIELDS: Final = frozenset({"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
                                   "MaxDelaySeconds", "JitterStrategy", "Comment"})
CATCHER_FIELDS: Final = frozenset({"ErrorEquals", "Next", "ResultPath", "Comment", "Assign", "Output"})

# Choice rules.
STRING_OPS: Final = ("StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals",
                     "StringGreaterThanEquals", "StringMatches")
NUMERIC_OPS: Final = ("NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals",
                      "NumericGreaterThanEquals")
TIMESTAMP_OPS: Final = ("TimestampEquals", "TimestampLessThan", "TimestampGreaterThan",
                        "TimestampLessThanEquals", "TimestampGreaterThanEquals")
TYPE_TEST_OPS: Final = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
# comparator → expected JSON kind of its operand: "string", "number", "boolean", "timestamp", "path"
COMPARATORS: Final[dict[str, str]] = {
    **{op: "string" for op in STRING_OPS},
    **{op: "number" for op in NUMERIC_OPS},
    **{op: "timestamp" for op in TIMESTAMP_OPS},
    "BooleanEquals": "boolean",
    **{op: "boolean" for op in TYPE_TEST_OPS},
    **{f"{op}Path": "path" for op in (*STRING_OPS[:-1], *NUMERIC_OPS, *TIMESTAMP_OPS, "BooleanEquals")},
}
CHOICE_RULE_FIELDS_JSONPATH: Final = frozenset({"Variable", "And", "Or", "Not", "Next", "Comment", "Assign",
                                                *COMPARATORS})
CHOICE_RULE_FIELDS_JSONATA: Final = frozenset({"Condition", "Next", "Comment", "Assign", "Output"})

# Predefined error names (the only 'States.*' names that ErrorEquals can usefully match).
STATES_ERRORS: Final = frozenset({
    "States.ALL", "States.DataLimitExceeded", "States.ExceedToleratedFailureThreshold",
    "States.HeartbeatTimeout", "States.Http.Socket", "States.IntrinsicFailure", "States.ItemReaderFailed",
    "States.NoChoiceMatched", "States.ParameterPathFailure", "States.Permissions",
    "States.ResultPathMatchFailure", "States.ResultWriterFailed", "States.Runtime", "States.TaskFailed",
    "States.Timeout", "States.QueryEvaluationError", "States.BranchFailed",
})

# Map: Distributed-mode configuration.
PROCESSOR_CONFIG_FIELDS: Final = frozenset({"Mode", "ExecutionType"})
MAP_MODES: Final = ("INLINE", "DISTRIBUTED")
EXECUTION_TYPES: Final = ("STANDARD", "EXPRESS")
DISTRIBUTED_ONLY: Final = ("ItemReader", "ItemBatcher", "ResultWriter", "Label")
ITEM_READER_FIELDS: Final = frozenset({"Resource", "Parameters", "Arguments", "ReaderConfig"})
READER_CONFIG_FIELDS: Final = frozenset({"InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter",
                                         "MaxItems", "MaxItemsPath", "ManifestType"})
INPUT_TYPES: Final = ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET")
RESULT_WRITER_FIELDS: Final = frozenset({"Resource", "Parameters", "Arguments", "WriterConfig"})
ITEM_BATCHER_FIELDS: Final = frozenset({"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                                        "MaxInputBytesPerBatchPath", "BatchInput"})

# Numeric limits from the Step Functions docs.
MAX_SECONDS: Final = 99_999_999
MAX_DELAY_SECONDS: Final = 31_622_400
MAX_STATE_NAME: Final = 80
MAX_LABEL: Final = 40
DEFINITION_LIMIT: Final = 1024 * 1024
PAYLOAD_LIMIT: Final = 256 * 1024
NEAR_LIMIT: Final = 0.9
