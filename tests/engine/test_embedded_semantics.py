"""Interpreter fixes: JSONata, AWS error names, aborted siblings, service integrations, activities."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.engine.embedded_support import ROLE, history, run, task, unique
from workbench.engine.embedded import EmbeddedEngine, shared_engine


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return shared_engine(time_warp=True)


def _pass(output: Any, **extra: Any) -> dict[str, Any]:
    return {"StartAt": "P", "QueryLanguage": "JSONata", "States": {"P": {"Type": "Pass", "Output": output,
                                                                       "End": True, **extra}}}


# ---------------------------------------------------------------- JSONata


def test_jsonata_expressions_are_evaluated(engine: EmbeddedEngine) -> None:
    assert run(engine, _pass("{% $states.input.a + 1 %}"), {"a": 41}).output == 42


def test_jsonata_string_variables_keep_their_quotes(engine: EmbeddedEngine) -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"said": "{% $states.input.text %}"}, "Next": "Use"},
        "Use": {"Type": "Pass", "Output": "{% $said & '!' %}", "End": True}}}
    result = run(engine, definition, {"text": 'say "hi" \\ bye'})
    assert result.status == "SUCCEEDED", result.describe
    assert result.output == 'say "hi" \\ bye!'


def test_a_throwing_jsonata_expression_is_a_query_evaluation_error(engine: EmbeddedEngine) -> None:
    result = run(engine, _pass("{% 'a' + 1 %}"))
    assert result.types[-2:] == ["EvaluationFailed", "ExecutionFailed"]
    failed = result.details("ExecutionFailed")
    assert failed["error"] == "States.QueryEvaluationError" and "'a' + 1" in failed["cause"]


def test_aws_jsonata_functions(engine: EmbeddedEngine) -> None:
    output = run(engine, _pass({"id": "{% $uuid() %}", "hash": "{% $hash('abc', 'SHA-256') %}",
                                "parts": "{% $partition([1, 2, 3], 2) %}"})).output
    assert uuid.UUID(output["id"])
    assert output["hash"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert output["parts"] == [[1, 2], [3]]
    assert run(engine, _pass("{% $randomSeeded(1) %}")).status == "FAILED"  # not an AWS function


# ---------------------------------------------------------------- Map and Parallel failures


GATE_SECONDS = 30  # only a cap: every wait below ends on an event long before


class Gate:
    """Tools ordered by events, not by sleeps: ``hold`` runs until :meth:`release`; ``boom`` fails only once
    a ``hold`` has started, so the sibling is surely inside its Task when the failure comes."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.released = threading.Event()
        self.threads: list[threading.Thread] = []

    def hold(self, event: Any, ctx: Any) -> str:
        self.threads.append(threading.current_thread())  # the interpreter thread that runs (and logs) the Task
        self.holding.set()
        self.released.wait(GATE_SECONDS)
        return "late"

    def boom(self, event: Any, ctx: Any) -> None:
        if not self.holding.wait(GATE_SECONDS):
            raise RuntimeError("the held sibling never started")
        raise RuntimeError("boom")

    def release(self) -> None:
        """Let held tools return, and wait until the threads that ran them have logged all they will."""
        self.released.set()
        for thread in self.threads:
            thread.join(GATE_SECONDS)
            assert not thread.is_alive(), "a released tool's Task thread did not finish"


@pytest.fixture()
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.released.set()  # never leave a tool blocked, whatever the test did


def test_a_failed_branch_aborts_its_running_sibling(engine: EmbeddedEngine, gate: Gate) -> None:
    slow, boom = unique("slow"), unique("boom")
    engine.register_tool(slow, gate.hold)
    engine.register_tool(boom, gate.boom)
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Fail", "States": {"Fail": task(boom, End=True)}},
        {"StartAt": "Slow", "States": {"Slow": task(slow, End=True)}}]}}}
    result = run(engine, definition)
    assert result.status == "FAILED"
    after_failure = result.types[result.types.index("TaskFailed"):]
    assert after_failure == ["TaskFailed", "TaskStateAborted", "TaskStateAborted", "ParallelStateFailed",
                             "ExecutionFailed"]
    gate.release()  # the sibling's tool returns only now, after the end: nothing more is logged
    assert len(history(engine.client(), result.arn)) == len(result.events)


def test_a_failed_iteration_aborts_the_running_ones(engine: EmbeddedEngine, gate: Gate) -> None:
    name = unique("item")
    engine.register_tool(name, lambda event, ctx: gate.boom(event, ctx) if event == 0 else gate.hold(event, ctx))
    definition = {"StartAt": "Each", "States": {"Each": {"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "T", "States": {"T": task(name, End=True)}}}}}
    result = run(engine, definition, [0, 1])
    tail = result.types[result.types.index("MapIterationFailed"):]
    assert tail == ["MapIterationFailed", "TaskStateAborted", "MapIterationAborted", "TaskStateAborted",
                    "MapStateFailed", "ExecutionFailed"]
    assert result.details("MapIterationAborted")["index"] == 1


def test_states_errors_of_an_iteration_keep_their_name(engine: EmbeddedEngine, gate: Gate) -> None:
    name = unique("slow")
    engine.register_tool(name, gate.hold)  # outlives its 1 s TimeoutSeconds, however busy the machine
    definition = {"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "T",
                                                  "States": {"T": task(name, TimeoutSeconds=1, End=True)}},
                 "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}], "End": True},
        "TimedOut": {"Type": "Pass", "End": True}}}
    result = run(engine, definition, [1])
    assert result.status == "SUCCEEDED", result.describe
    assert result.output["Error"] == "States.Timeout"


# ---------------------------------------------------------------- service integrations


def test_start_execution_speaks_the_api_member_names(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    child = sfn.create_state_machine(name=unique("child"), roleArn=ROLE, definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    definition = {"StartAt": "Start", "States": {"Start": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
        "Parameters": {"StateMachineArn": child, "Input": {"a": 1}}, "End": True}}}
    result = run(engine, definition)
    assert result.status == "SUCCEEDED", result.describe
    assert result.output["ExecutionArn"].startswith(child.replace(":stateMachine:", ":execution:"))
    assert "StartDate" in result.output  # a datetime: DescribeExecution still answers


def test_aws_sdk_errors_carry_the_sdk_service_name(engine: EmbeddedEngine) -> None:
    bucket = unique("bucket")
    engine.client("s3").create_bucket(Bucket=bucket)
    definition = {"StartAt": "Get", "States": {
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": bucket, "Key": "missing.json"},
                "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "Missing"}], "End": True},
        "Missing": {"Type": "Pass", "End": True}}}
    result = run(engine, definition)
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "S3.NoSuchKeyException"


def test_activity_workers_get_tasks_and_answer(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    activity = sfn.create_activity(name=unique("act"))["activityArn"]

    def worker() -> None:
        task_ = sfn.get_activity_task(activityArn=activity, workerName="w1")
        sfn.send_task_success(taskToken=task_["taskToken"], output=json.dumps({"seen": json.loads(task_["input"])}))

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    definition = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": activity, "End": True}}}
    result = run(engine, definition, {"n": 1})
    thread.join(timeout=5)
    assert result.status == "SUCCEEDED", result.describe
    assert result.output == {"seen": {"n": 1}}
    assert result.details("ActivityStarted")["workerName"] == "w1"
