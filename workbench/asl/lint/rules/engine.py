"""Definitions valid on AWS that the embedded engine cannot run yet: the ``W-ENGINE`` warnings.

The embedded engine is moto 5.2.5's ASL interpreter. Its ANTLR grammar and its parser refuse a few
things Step Functions accepts, so CreateStateMachine fails before anything runs. Each such thing has a
code here, a warning whose message starts "valid on AWS; the embedded engine cannot run it yet:", so that
``workbench lint`` and ``workbench run`` say why before the engine refuses. (Numbers the grammar cannot
read have their own warning, ``ASL004``, in ``numbers.py``.) ``tests/asl/test_lint_engine_agreement.py``
keeps these true both ways over the whole sample corpus: every refused sample is explained, and every
warned sample is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from workbench.asl.lint.diagnostics.report import Loc, Reporter
from workbench.asl.lint.syntax.paths import has_placeholder
from workbench.core.arn import Arn, ArnKind

PREFIX: Final = "valid on AWS; the embedded engine cannot run it yet: "

# Error names the engine's grammar knows; any other 'States.*' name in ErrorEquals is refused
# ("Custom Error Names MUST NOT begin with the prefix 'States.'"), even AWS's own States.Http.Socket.
ENGINE_ERRORS: Final = frozenset({
    "States.ALL", "States.DataLimitExceeded", "States.HeartbeatTimeout", "States.Timeout", "States.TaskFailed",
    "States.Permissions", "States.ResultPathMatchFailure", "States.ParameterPathFailure", "States.BranchFailed",
    "States.NoChoiceMatched", "States.IntrinsicFailure", "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed", "States.ResultWriterFailed", "States.QueryEvaluationError", "States.Runtime",
})
# Optimised integrations (arn:aws:states:::SERVICE:...) the engine knows; others fail with "Unknown service".
ENGINE_SERVICES: Final = frozenset({
    "aws-sdk", "lambda", "sqs", "states", "dynamodb", "apigateway", "sns", "events", "ecs", "glue", "batch",
    "athena", "bedrock", "codebuild", "eks", "elasticmapreduce", "emr-containers", "emr-serverless", "databrew",
    "mediaconvert", "sagemaker",
})
# ItemBatcher runs (W-ENGINE001 retired); JSONL, MANIFEST (S3 Inventory) and CSVDelimiter are read by
# interpreter/distributed_map/.
ENGINE_INPUT_TYPES: Final = ("CSV", "JSON", "JSONL", "MANIFEST")
ENGINE_READER_CONFIG: Final = frozenset({"InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter", "MaxItems",
                                         "MaxItemsPath"})
# ResultWriter.WriterConfig as interpreter/distributed_map/result_writer.py reads it: literal values only.
ENGINE_WRITER_CONFIG: Final = {"Transformation": ("NONE", "COMPACT", "FLATTEN"), "OutputType": ("JSON", "JSONL")}


def check_engine_support(states: Iterable[tuple[Any, Loc]], rep: Reporter) -> None:
    """Warn (``W-ENGINE001``...) about each thing in these states the embedded engine cannot run yet.

    ``states`` is every state of the machine with its location.

    Example:
        >>> rep = Reporter()
        >>> writer = {"WriterConfig": {"Transformation": "{% $t %}"}}
        >>> check_engine_support([({"Type": "Map", "ResultWriter": writer}, ("States", "M"))], rep)
        >>> [(f.code, f.loc) for f in rep.findings]
        [('W-ENGINE005', ('States', 'M', 'ResultWriter', 'WriterConfig', 'Transformation'))]
    """
    for state, loc in states:
        if not isinstance(state, dict):
            continue
        typ = state.get("Type")
        if typ == "Map":
            _map(state, loc, rep)
        if typ == "Task":
            _task(state, loc, rep)
        for field in ("Retry", "Catch"):
            _error_names(state.get(field), (*loc, field), rep)


def _map(state: dict[str, Any], loc: Loc, rep: Reporter) -> None:
    # EXPRESS child workflows run (W-ENGINE002 retired): interpreter/distributed_map/map_run.py.
    reader = state.get("ItemReader")
    config = reader.get("ReaderConfig") if isinstance(reader, dict) else None
    if isinstance(config, dict):
        where = (*loc, "ItemReader", "ReaderConfig")
        unknown = sorted(str(key) for key in config if key not in ENGINE_READER_CONFIG)
        input_type = config.get("InputType")
        if not config:
            rep.add("W-ENGINE005", where, f"{PREFIX}its grammar refuses an empty ReaderConfig; leave it out")
        elif unknown:
            rep.add("W-ENGINE005", (*where, unknown[0]), f"{PREFIX}its ReaderConfig knows only "
                                                         f"{', '.join(sorted(ENGINE_READER_CONFIG))}, not "
                                                         f"{', '.join(unknown)}")
        elif isinstance(input_type, str) and input_type not in ENGINE_INPUT_TYPES and not has_placeholder(input_type):
            rep.add("W-ENGINE005", (*where, "InputType"), f"{PREFIX}its ItemReader reads only CSV, JSON, JSONL and "
                                                          f"MANIFEST, not {input_type}")
    writer = state.get("ResultWriter")
    if isinstance(writer, dict) and "WriterConfig" in writer:
        _writer_config(writer["WriterConfig"], (*loc, "ResultWriter", "WriterConfig"), rep)


def _writer_config(config: Any, where: Loc, rep: Reporter) -> None:
    if not isinstance(config, dict):
        rep.add("W-ENGINE005", where, f"{PREFIX}its WriterConfig must be an object of literal values")
        return
    unknown = sorted(str(key) for key in config if key not in ENGINE_WRITER_CONFIG)
    if unknown:
        rep.add("W-ENGINE005", (*where, unknown[0]), f"{PREFIX}its WriterConfig knows only "
                                                     f"{', '.join(sorted(ENGINE_WRITER_CONFIG))}, not "
                                                     f"{', '.join(unknown)}")
        return
    for field, values in ENGINE_WRITER_CONFIG.items():
        value = config.get(field)
        if field in config and not (isinstance(value, str) and has_placeholder(value)) and value not in values:
            rep.add("W-ENGINE005", (*where, field), f"{PREFIX}its WriterConfig {field} must be one of "
                                                    f"{', '.join(values)} written out (not an expression), not "
                                                    f"{value!r}")
            return


def _task(state: dict[str, Any], loc: Loc, rep: Reporter) -> None:
    resource = state.get("Resource")
    integration = Arn.try_parse(resource, ArnKind.INTEGRATION)
    service = integration.resource_type if integration else ""
    if service and service not in ENGINE_SERVICES:
        rep.add("W-ENGINE004", (*loc, "Resource"), f"{PREFIX}it has no '{service}' integration "
                                                   f"(CreateStateMachine fails with \"Unknown service\")")


def _error_names(handlers: Any, loc: Loc, rep: Reporter) -> None:
    if not isinstance(handlers, list):
        return
    for i, handler in enumerate(handlers):
        names = handler.get("ErrorEquals") if isinstance(handler, dict) else None
        for j, name in enumerate(names if isinstance(names, list) else []):
            if isinstance(name, str) and name.startswith("States.") and name not in ENGINE_ERRORS:
                rep.add("W-ENGINE003", (*loc, i, "ErrorEquals", j),
                        f"{PREFIX}it refuses '{name}' in ErrorEquals (names starting with 'States.' other than "
                        "its predefined errors)")
