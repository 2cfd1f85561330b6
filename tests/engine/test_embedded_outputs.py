"""Output, error and cause fixes in ``fidelity.py``, found when the fidelity suite began comparing them."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from tests.engine.embedded_support import finish, history, run, start, unique
from workbench.engine.embedded import EmbeddedEngine, shared_engine


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return shared_engine(time_warp=True)


@pytest.fixture(scope="module")
def plain() -> EmbeddedEngine:
    return shared_engine(time_warp=False)


def _activity(engine: EmbeddedEngine) -> str:
    return str(engine.client().create_activity(name=unique("act"))["activityArn"])


def test_task_failure_keeps_its_cause(engine: EmbeddedEngine) -> None:
    activity = _activity(engine)
    sfn = engine.client()

    def worker() -> None:
        token = sfn.get_activity_task(activityArn=activity, workerName="w")["taskToken"]
        sfn.send_task_failure(taskToken=token, error="Programmatic Error", cause='{"Value1": "HelloWorld"}')

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    result = run(engine, {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": activity, "End": True}}})
    thread.join(timeout=30)
    assert result.details("ActivityFailed") == {"error": "Programmatic Error", "cause": '{"Value1": "HelloWorld"}'}
    assert result.details("ExecutionFailed")["cause"] == '{"Value1": "HelloWorld"}'


@pytest.mark.parametrize("given", [{}, {"error": "Stopped.ByUser", "cause": "enough"}])
def test_stop_execution_records_what_was_given(plain: EmbeddedEngine, given: dict[str, str]) -> None:
    sfn = plain.client()
    arn = start(plain, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}})
    deadline = time.monotonic() + 30
    while "WaitStateEntered" not in [e["type"] for e in history(sfn, arn)] and time.monotonic() < deadline:
        time.sleep(0.01)  # polls for a condition (the Wait is entered), orders nothing
    sfn.stop_execution(executionArn=arn, **given)
    result = finish(plain, arn)
    assert result.status == "ABORTED"
    assert result.details("ExecutionAborted") == given


def test_describe_execution_says_the_input_is_included(engine: EmbeddedEngine) -> None:
    result = run(engine, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, {"a": 1})
    assert result.describe["inputDetails"] == {"included": True}


def test_map_over_a_non_list_quotes_the_value(engine: EmbeddedEngine) -> None:
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": True,
                                                   "ItemProcessor": {"StartAt": "P", "States": {
                                                       "P": {"Type": "Pass", "End": True}}}}}}
    result = run(engine, definition, {"items": 1})
    assert result.status == "FAILED"
    assert result.details("ExecutionFailed")["cause"].endswith("Map state input must be an array but was: 1")


def test_activity_nobody_starts_times_out(engine: EmbeddedEngine) -> None:
    activity = _activity(engine)
    result = run(engine, {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": activity,
                                                           "TimeoutSeconds": 1, "End": True}}})
    assert result.types[-2:] == ["ActivityTimedOut", "ExecutionFailed"]
    assert result.details("ExecutionFailed") == {"error": "States.Timeout"}


def test_caught_parallel_failure_without_error_holds_nulls(engine: EmbeddedEngine) -> None:
    activity = _activity(engine)
    sfn = engine.client()

    def worker() -> None:
        token = sfn.get_activity_task(activityArn=activity, workerName="w")["taskToken"]
        sfn.send_task_failure(taskToken=token)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    definition: dict[str, Any] = {"StartAt": "Par", "States": {
        "Par": {"Type": "Parallel", "ResultPath": "$.caught", "Next": "Done",
                "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": activity, "End": True}}}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Done"}]},
        "Done": {"Type": "Pass", "End": True}}}
    result = run(engine, definition, {"x": 1})
    thread.join(timeout=30)
    assert result.status == "SUCCEEDED", result.describe
    assert json.loads(result.details("ExecutionSucceeded")["output"]) == {"x": 1, "caught": {"Error": None,
                                                                                             "Cause": None}}
