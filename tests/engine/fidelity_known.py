"""Recorded scenarios the embedded engine does not reproduce yet, with why.

``STRICT`` entries fail deterministically: when a fix makes one match, the strict xfail turns the
suite red so the entry gets removed. ``TIMING`` entries depend on thread timing (they can match by luck).
"""

from __future__ import annotations

STRICT: dict[str, str] = {
    "test_aws_sdk__test_invalid_secret_name.json": (
        "moto's Secrets Manager accepts the name 'Invalid Name' (AWS rejects it), so CreateSecret succeeds "
        "and the Catch never runs; a moto backend gap, not the interpreter's"
    ),
    "test_base_scenarios__test_map_item_batching_base_json_max_per_batch_jsonata.json": (
        "moto 5.2.5's ASL grammar has no ItemBatcher: CreateStateMachine fails with ASLParserException"
    ),
    "test_base_scenarios__test_map_item_reader_csv_max_items_paths__1.5.json": (
        "AWS validates MaxItemsPath before the Map Run starts (ExecutionFailed, States.Runtime); moto starts "
        "the Map Run and fails it (MapRunStarted, MapRunFailed with States.ItemReaderFailed)"
    ),
}

TIMING: dict[str, str] = {
    "test_timeouts__test_service_lambda_map_timeout.json": (
        "four concurrent iterations time out together: AWS logs every MapIterationStarted first and all four "
        "TaskTimedOut before failing the Map; moto's per-iteration threads interleave their events and the "
        "first timeout aborts the others before theirs are logged"
    ),
}
