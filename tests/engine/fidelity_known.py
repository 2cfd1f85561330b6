"""Recorded scenarios the embedded engine does not reproduce yet, with why.

``STRICT`` entries fail deterministically: when a fix makes one match, the strict xfail turns the
suite red so the entry gets removed. ``TIMING`` entries depend on thread timing (they can match by luck).

``OUTPUT`` and ``ERROR`` list scenarios whose status and event sequence match but whose final output, or
final error and cause, still differ after ``fidelity_normalise`` (which masks only ARNs, ids, times and
placeholders). The test requires exactly these dimensions to differ: one that starts to match must be
dropped from its list.
"""

from __future__ import annotations

STRICT: dict[str, str] = {
    "test_aws_sdk__test_invalid_secret_name.json": (
        "moto's Secrets Manager accepts the name 'Invalid Name' (AWS rejects it), so CreateSecret succeeds "
        "and the Catch never runs; a moto backend gap, not the interpreter's"
    ),
}

TIMING: dict[str, str] = {
    "test_timeouts__test_service_lambda_map_timeout.json": (
        "four concurrent iterations time out together: AWS logs every MapIterationStarted first and all four "
        "TaskTimedOut before failing the Map; moto's per-iteration threads interleave their events and the "
        "first timeout aborts the others before theirs are logged"
    ),
}

_SDK_METADATA = (
    "AWS's optimised integrations add the service's HTTP response to the result (SdkHttpMetadata with its "
    "headers, SdkResponseMetadata with the request id); moto's service calls return the API result only"
)
_JSONATA_FIELD = (
    "the cause names the JSONata field that failed ('specified for the field 'Output/x''); moto knows no "
    "field path for templates (it says nothing, or its class name JSONataTemplateValueTerminalStringJSONata)"
)

OUTPUT: dict[str, str] = {
    "test_dynamodb_task_service__test_base_integrations__DYNAMODB_PUT_GET_ITEM.json": _SDK_METADATA,
    "test_lambda_task_service__test_invoke.json": _SDK_METADATA,
    "test_output__test_base_task_lambda__BASE_TASK_LAMBDA.json": _SDK_METADATA,
    "test_sfn_task_service__test_start_execution.json": _SDK_METADATA,
    "test_sqs_task_service__test_send_message.json": _SDK_METADATA,
}

ERROR: dict[str, str] = {
    "test_assign_reference_variables__test_undefined_reference__BASE_UNDEFINED_OUTPUT.json": _JSONATA_FIELD,
    "test_math_operations_jsonata__test_math_random_seeded__exec_hist_resp_0.json": _JSONATA_FIELD,
    "test_error_output__test_map_catch_error__MAP_CATCH_ERROR_OUTPUT_WITH_RETRY.json": (
        f"{_JSONATA_FIELD}; moto also wraps the Map iteration's cause once more, in "
        "\"An error occurred while executing the state 'None' (entered at the event id #14)\""
    ),
    "test_base_scenarios__test_catch_states_runtime.json": (
        "an OutputPath that selects nothing: AWS's cause names the state's entered event (#2) and Jayway's "
        "message (Missing property in path $['no']); moto names the latest event (#5) and says "
        "No results for path: $['no.such.result.path']"
    ),
    "test_sns_task_service__test_publish_base_error_topic_arn.json": (
        "Publish to a topic that does not exist: SNS says 'Topic does not exist', moto's SNS "
        "'Endpoint does not exist' (a moto backend message)"
    ),
}
