"""Timeouts on the virtual clock (``virtual_timeouts.py``): Task, heartbeat and machine TimeoutSeconds, latency.

Each test asserts on virtual timestamps and on the run having finished; the wall-clock figures are in
``bench/embedded_timewarp.py`` (no timed assertions here).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.engine.embedded_support import run, task, unique
from workbench.engine.embedded import EmbeddedEngine, VirtualClock, shared_engine
from workbench.engine.embedded.interpreter import virtual_timeouts
from workbench.engine.embedded.interpreter.virtual_timeouts import sleep
from workbench.engine.tools.bindings import ToolBinding, bind_tools
from workbench.engine.tools.faults import FaultPlan

HOUR = 3600


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return shared_engine(time_warp=True)


def _gap(run_: Any, first: str, second: str) -> float:
    return (run_.first(second)["timestamp"] - run_.first(first)["timestamp"]).total_seconds()


def _span(run_: Any) -> float:
    return (run_.events[-1]["timestamp"] - run_.events[0]["timestamp"]).total_seconds()


def _tool(engine: EmbeddedEngine, fn: Any) -> str:
    name = unique("tool")
    engine.register_tool(name, fn)
    return name


def _slow(event: Any, context: Any) -> Any:
    sleep(event.get("seconds", 2 * HOUR))  # virtual under time warp
    return "late"


def test_a_tool_slower_than_its_task_timeout_times_out_at_the_virtual_deadline(engine: EmbeddedEngine) -> None:
    result = run(engine, {"StartAt": "T", "States": {"T": task(_tool(engine, _slow), TimeoutSeconds=HOUR, End=True)}})
    assert result.status == "FAILED"
    assert result.types[-4:] == ["TaskScheduled", "TaskStarted", "TaskTimedOut", "ExecutionFailed"]
    assert result.details("TaskTimedOut") == {"resourceType": "lambda", "resource": "invoke", "error": "States.Timeout"}
    assert _gap(result, "TaskStarted", "TaskTimedOut") == pytest.approx(HOUR, abs=2)


def test_a_lambda_arn_task_timeout_is_caught_as_on_aws(engine: EmbeddedEngine) -> None:
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{_tool(engine, _slow)}"
    definition = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": arn, "TimeoutSeconds": HOUR, "Next": "Done",
              "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Handled"}]},
        "Handled": {"Type": "Pass", "End": True}, "Done": {"Type": "Pass", "End": True}}}
    result = run(engine, definition)
    assert result.status == "SUCCEEDED"
    assert result.details("LambdaFunctionTimedOut") == {"error": "States.Timeout"}
    assert result.output == {"Error": "States.Timeout", "Cause": ""}
    assert _gap(result, "LambdaFunctionStarted", "LambdaFunctionTimedOut") == pytest.approx(HOUR, abs=2)


def test_a_tool_within_its_timeout_takes_its_virtual_time(engine: EmbeddedEngine) -> None:
    name = _tool(engine, _slow)
    result = run(engine, {"StartAt": "T", "States": {"T": task(name, TimeoutSeconds=HOUR, End=True)}}, {"seconds": 600})
    assert result.status == "SUCCEEDED"
    assert _gap(result, "TaskStarted", "TaskSucceeded") == pytest.approx(600, abs=2)


def test_a_tool_blocking_in_real_time_is_timed_in_real_time(engine: EmbeddedEngine) -> None:
    """Rule 1: Python runs in real time; a tool that never answers meets a 1 s timeout after 1 real second."""
    gate = threading.Event()
    name = _tool(engine, lambda event, context: gate.wait(30) and "late")
    try:
        result = run(engine, {"StartAt": "T", "States": {"T": task(name, TimeoutSeconds=1, End=True)}})
    finally:
        gate.set()
    assert result.types[-2:] == ["TaskTimedOut", "ExecutionFailed"]
    assert _gap(result, "TaskStarted", "TaskTimedOut") == pytest.approx(1, abs=0.5)


@pytest.fixture
def queue(engine: EmbeddedEngine) -> Iterator[str]:
    sqs = engine.client("sqs")
    url = str(sqs.create_queue(QueueName=unique("q"))["QueueUrl"])
    yield url
    sqs.delete_queue(QueueUrl=url)


def _callback(queue: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True, **extra}


def test_an_unanswered_task_token_times_out_at_the_virtual_deadline(engine: EmbeddedEngine, queue: str) -> None:
    result = run(engine, {"StartAt": "C", "States": {"C": _callback(queue, TimeoutSeconds=HOUR)}})
    assert result.types[-3:] == ["TaskSubmitted", "TaskTimedOut", "ExecutionFailed"]
    assert result.details("TaskTimedOut")["error"] == "States.Timeout"
    assert _gap(result, "TaskStarted", "TaskTimedOut") == pytest.approx(HOUR, abs=2)


def test_a_missing_heartbeat_times_out_at_heartbeat_seconds(engine: EmbeddedEngine, queue: str) -> None:
    # AWS records a missed heartbeat as TaskTimedOut, error States.Timeout (corpus: test_heartbeat_path_timeout).
    result = run(engine, {"StartAt": "C", "States": {"C": _callback(queue, TimeoutSeconds=HOUR, HeartbeatSeconds=300)}})
    assert result.types[-2:] == ["TaskTimedOut", "ExecutionFailed"]
    assert result.details("TaskScheduled")["heartbeatInSeconds"] == 300
    assert _gap(result, "TaskStarted", "TaskTimedOut") == pytest.approx(300, abs=2)


@pytest.fixture
def patient_world(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the outside world all the time it needs, so an answer never races the grace period."""
    monkeypatch.setattr(virtual_timeouts, "OUTSIDE_GRACE_SECONDS", 60.0)


def test_a_task_token_answered_in_real_time_succeeds(engine: EmbeddedEngine, queue: str, patient_world: None) -> None:
    sqs, sfn = engine.client("sqs"), engine.client()

    def worker() -> None:
        for _ in range(30):
            for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []):
                sfn.send_task_success(taskToken=json.loads(message["Body"])["token"], output='{"ok": true}')
                return

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    result = run(engine, {"StartAt": "C", "States": {"C": _callback(queue, TimeoutSeconds=HOUR)}})
    thread.join(timeout=30)
    assert result.status == "SUCCEEDED" and result.output == {"ok": True}
    assert _gap(result, "TaskStarted", "TaskSucceeded") < 60


def test_an_activity_nobody_polls_times_out_at_the_virtual_deadline(engine: EmbeddedEngine) -> None:
    activity = engine.client().create_activity(name=unique("act"))["activityArn"]
    result = run(engine, {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": activity,
                                                           "TimeoutSeconds": HOUR, "End": True}}})
    assert result.types[-2:] == ["ActivityTimedOut", "ExecutionFailed"]
    assert _gap(result, "ActivityScheduled", "ActivityTimedOut") == pytest.approx(HOUR, abs=2)


def test_the_machine_timeout_cuts_a_long_wait(engine: EmbeddedEngine) -> None:
    definition = {"TimeoutSeconds": 60, "StartAt": "W",
                  "States": {"W": {"Type": "Wait", "Seconds": 86400, "End": True}}}
    result = run(engine, definition)
    assert result.status == "TIMED_OUT"
    assert result.types == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]
    assert _span(result) == pytest.approx(60, abs=1)


def test_the_machine_timeout_cuts_retry_backoffs(engine: EmbeddedEngine) -> None:
    def broken(event: Any, context: Any) -> None:
        raise ValueError("down")

    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 600, "MaxAttempts": 5, "BackoffRate": 1}]
    definition = {"TimeoutSeconds": 1000, "StartAt": "T", "States": {
        "T": task(_tool(engine, broken), Retry=retry, End=True)}}
    result = run(engine, definition)
    assert result.status == "TIMED_OUT"
    assert result.types.count("TaskFailed") == 2 and result.types[-1] == "ExecutionTimedOut"
    assert _span(result) == pytest.approx(1000, abs=1)


def test_the_machine_timeout_ends_a_parallel_with_nothing_after_it(engine: EmbeddedEngine) -> None:
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2 * HOUR, "End": True}}}
    call = {"StartAt": "T", "States": {"T": task(_tool(engine, lambda e, c: "ok"), End=True)}}
    definition = {"TimeoutSeconds": HOUR, "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [wait, call], "End": True}}}
    result = run(engine, definition)
    assert result.status == "TIMED_OUT"
    assert result.types[-1] == "ExecutionTimedOut" and "ParallelStateSucceeded" not in result.types
    assert _span(result) == pytest.approx(HOUR, abs=1)


def test_the_machine_timeout_ends_the_history_while_a_tool_still_runs(
        engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(virtual_timeouts, "_UNWIND_SECONDS", 0.1)  # don't wait for the busy execution thread
    gate = threading.Event()
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2 * HOUR, "End": True}}}
    busy = {"StartAt": "T", "States": {"T": task(_tool(engine, lambda e, c: gate.wait(30) and "ok"), End=True)}}
    definition = {"TimeoutSeconds": HOUR, "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [wait, busy], "End": True}}}
    try:
        result = run(engine, definition)
    finally:
        gate.set()
    assert result.status == "TIMED_OUT"
    assert result.types[-1] == "ExecutionTimedOut" and result.types.count("ExecutionTimedOut") == 1
    assert _span(result) == pytest.approx(HOUR, abs=1)


def _faulty_run(engine: EmbeddedEngine, plan: dict[str, Any], **state: Any) -> Any:
    function = unique("faulty")
    tools = [ToolBinding(name="fetch", lambda_function=function, local="json:dumps")]
    with bind_tools(engine, tools, FaultPlan.model_validate({"seed": 1, "tools": {"fetch": plan}}),
                    functions={"fetch": lambda event, context: "ok"}) as bound:
        result = run(engine, {"StartAt": "T", "States": {"T": task(function, End=True, **state)}})
        return result, bound.stats()["fetch"]


def test_injected_latency_moves_the_virtual_clock(engine: EmbeddedEngine) -> None:
    result, stats = _faulty_run(engine, {"latency": {"dist": "fixed", "ms": 90_000}})
    assert result.status == "SUCCEEDED"
    assert _gap(result, "TaskStarted", "TaskSucceeded") == pytest.approx(90, abs=2)
    assert (stats.simulated_ms, stats.slept_ms) == (90_000, 0)


def test_an_injected_timeout_fires_at_the_task_deadline(engine: EmbeddedEngine) -> None:
    result, stats = _faulty_run(engine, {"timeout_rate": 1.0}, TimeoutSeconds=300)
    assert result.types[-2:] == ["TaskTimedOut", "ExecutionFailed"]
    assert _gap(result, "TaskStarted", "TaskTimedOut") == pytest.approx(300, abs=2)
    assert stats.timeouts == 1


def test_sleep_outside_an_execution_sleeps_for_real() -> None:
    assert virtual_timeouts.sleep_in_flow(0.0) is False
    sleep(0.0)


def test_a_scope_frontier_is_its_furthest_flow() -> None:
    parent = VirtualClock()
    child = parent.fork()
    child.sleep(HOUR)
    assert (parent.frontier() - parent.now()).total_seconds() == pytest.approx(HOUR, abs=1)
