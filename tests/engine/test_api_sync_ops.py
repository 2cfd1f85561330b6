"""StartSyncExecution, EXPRESS executions and their CloudWatch Logs, TestState, RedriveExecution, host prefixes."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.engine.embedded_support import ROLE, task, unique
from workbench.engine import EmbeddedEngine
from workbench.engine.embedded import UNSUPPORTED_OPERATIONS
from workbench.engine.embedded.endpoint.server import shared_engine
from workbench.engine.embedded.interpreter.api.sync import express_log
from workbench.history import load_history

GROUP = "/aws/vendedlogs/states/workbench-test"
GROUP_ARN = f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}:*"
DOUBLE = {"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 3600, "Next": "T"},
    "T": task("sync_double", OutputPath="$.Payload", End=True)}}


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    engine = shared_engine(time_warp=True)
    engine.register_tool("sync_double", lambda event, ctx: {"v": event["v"] * 2})
    return engine


def _machine(engine: EmbeddedEngine, definition: dict[str, Any], kind: str = "EXPRESS", **extra: Any) -> str:
    return str(engine.client().create_state_machine(name=unique("m"), definition=json.dumps(definition),
                                                    roleArn=ROLE, type=kind, **extra)["stateMachineArn"])


def _logging(level: str = "ALL", data: bool = True) -> dict[str, Any]:
    return {"level": level, "includeExecutionData": data,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": GROUP_ARN}}]}


def _code(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response["Error"]["Code"])


def _messages(engine: EmbeddedEngine, execution_arn: str) -> list[dict[str, Any]]:
    events = engine.client("logs").filter_log_events(logGroupName=GROUP)["events"]
    records = [json.loads(event["message"]) for event in events]
    return [record for record in records if record["execution_arn"] == execution_arn]


# ---------------------------------------------------------------- host prefix, supported operations


def test_plain_boto3_client_reaches_sync_operations_with_the_served_env_lines(
        engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = engine.env_lines().splitlines()
    assert "export AWS_DISABLE_HOST_PREFIX_INJECTION=true" in lines
    for line in lines:
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            monkeypatch.setenv(name, value)
        elif line.startswith("unset "):
            monkeypatch.delenv(line.removeprefix("unset "), raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    plain = boto3.client("stepfunctions")
    assert plain.meta.config.inject_host_prefix is False
    arn = _machine(engine, DOUBLE)
    assert plain.start_sync_execution(stateMachineArn=arn, input='{"v": 2}')["output"] == '{"v":4}'
    tested = plain.test_state(definition=json.dumps({"Type": "Pass", "End": True}), input='{"a": 1}')
    assert (tested["status"], tested["output"]) == ("SUCCEEDED", '{"a":1}')


def test_sync_operations_are_no_longer_listed_as_unsupported() -> None:
    assert not {"StartSyncExecution", "TestState", "RedriveExecution"} & set(UNSUPPORTED_OPERATIONS)


# ---------------------------------------------------------------- StartSyncExecution


def test_start_sync_execution_answers_like_aws(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    arn = _machine(engine, DOUBLE)
    name = unique("e")
    result = sfn.start_sync_execution(stateMachineArn=arn, name=name, input='{"v": 3}')
    assert result["status"] == "SUCCEEDED" and result["output"] == '{"v":6}' and result["name"] == name
    assert result["executionArn"].split(":")[5:8] == ["express", arn.rsplit(":", 1)[1], name]
    assert result["stateMachineArn"] == arn and result["input"] == '{"v":3}'
    billed = result["billingDetails"]
    waited_ms = (result["stopDate"] - result["startDate"]).total_seconds() * 1000  # the warped hour counts
    assert billed["billedDurationInMilliseconds"] >= waited_ms and billed["billedDurationInMilliseconds"] % 100 == 0
    assert billed["billedMemoryUsedInMB"] == 64
    meta = sfn.start_sync_execution(stateMachineArn=arn, input='{"v": 1}', includedData="METADATA_ONLY")
    assert "output" not in meta and "input" not in meta and meta["status"] == "SUCCEEDED"


def test_start_sync_execution_reports_failure_and_refuses_standard_machines(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    failing = _machine(engine, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "why"}}})
    result = sfn.start_sync_execution(stateMachineArn=failing)
    assert (result["status"], result["error"], result["cause"]) == ("FAILED", "Bad", "why")
    standard = _machine(engine, DOUBLE, kind="STANDARD")
    with pytest.raises(ClientError) as caught:
        sfn.start_sync_execution(stateMachineArn=standard)
    assert _code(caught) == "StateMachineTypeNotSupported"
    with pytest.raises(ClientError) as missing:
        sfn.start_sync_execution(stateMachineArn=standard + "-gone")
    assert _code(missing) == "StateMachineDoesNotExist"
    with pytest.raises(ClientError) as bad_input:
        sfn.start_sync_execution(stateMachineArn=failing, input="{nope")
    assert _code(bad_input) == "InvalidExecutionInput"


def test_express_executions_have_no_history_and_are_not_listed(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    arn = _machine(engine, DOUBLE)
    sync_arn = sfn.start_sync_execution(stateMachineArn=arn, input='{"v": 1}')["executionArn"]
    async_arn = sfn.start_execution(stateMachineArn=arn, input='{"v": 5}')["executionArn"]
    assert ":express:" in async_arn
    deadline = time.monotonic() + 20
    while not [r for r in express_log(async_arn) if r["type"] == "ExecutionSucceeded"]:
        assert time.monotonic() < deadline, express_log(async_arn)
        time.sleep(0.01)
    for execution_arn in (sync_arn, async_arn):
        for call in (sfn.describe_execution, sfn.get_execution_history):
            with pytest.raises(ClientError) as caught:
                call(executionArn=execution_arn)
            assert _code(caught) == "InvalidArn" and "express" in str(caught.value)
    with pytest.raises(ClientError) as unlisted:  # AWS: ListExecutions "is not supported by EXPRESS state machines"
        sfn.list_executions(stateMachineArn=arn)
    assert _code(unlisted) == "StateMachineTypeNotSupported"
    assert load_history(express_log(async_arn)).status == "SUCCEEDED"


# ---------------------------------------------------------------- CloudWatch Logs


def test_express_log_records_reach_cloudwatch_logs_and_load_as_a_history(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    arn = _machine(engine, DOUBLE, loggingConfiguration=_logging())
    execution_arn = sfn.start_sync_execution(stateMachineArn=arn, input='{"v": 2}')["executionArn"]
    records = _messages(engine, execution_arn)
    assert records == express_log(execution_arn)
    first = records[0]
    assert set(first) == {"id", "type", "details", "previous_event_id", "event_timestamp", "execution_arn",
                          "redrive_count"}
    assert first["type"] == "ExecutionStarted" and json.loads(first["details"]["input"]) == {"v": 2}
    assert all(isinstance(r[k], str) for r in records for k in set(first) - {"details"})
    events = engine.client("logs").filter_log_events(logGroupName=GROUP)["events"]
    history = load_history({"events": [e for e in events if json.loads(e["message"])["execution_arn"]
                                       == execution_arn]})
    assert history.execution_arn == execution_arn and history.status == "SUCCEEDED"
    assert len(history.columns.ids) == len(records)


def test_log_level_and_include_execution_data_filter_what_cloudwatch_gets(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    failing = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "F"},
                                          "F": {"Type": "Fail", "Error": "E", "Cause": "C"}}}
    arn = _machine(engine, failing, loggingConfiguration=_logging(level="ERROR", data=False))
    execution_arn = sfn.start_sync_execution(stateMachineArn=arn, input='{"secret": 1}')["executionArn"]
    logged = _messages(engine, execution_arn)
    assert [r["type"] for r in logged] == ["FailStateEntered", "ExecutionFailed"]
    assert all("input" not in r["details"] for r in logged)
    kept = express_log(execution_arn)  # in memory: level ALL, with data
    assert kept[0]["type"] == "ExecutionStarted" and "input" in kept[0]["details"]
    plain = _machine(engine, failing)
    assert express_log(sfn.start_sync_execution(stateMachineArn=plain)["executionArn"])[-1]["type"] == \
        "ExecutionFailed"


# ---------------------------------------------------------------- TestState


def _test(engine: EmbeddedEngine, state: dict[str, Any], **params: Any) -> dict[str, Any]:
    return dict(engine.client().test_state(definition=json.dumps(state), roleArn=ROLE, **params))


def test_test_state_debug_shows_each_data_processing_step(engine: EmbeddedEngine) -> None:
    state = task("sync_double", ResultSelector={"r.$": "$.Payload.v"}, ResultPath="$.out", Next="Next")
    result = _test(engine, state, input='{"v": 2}', inspectionLevel="DEBUG")
    assert (result["status"], result["nextState"], json.loads(result["output"])) == (
        "SUCCEEDED", "Next", {"v": 2, "out": {"r": 4}})
    data = {k: json.loads(v) for k, v in result["inspectionData"].items()}
    assert data["input"] == {"v": 2} and data["afterParameters"]["Payload"] == {"v": 2}
    assert data["result"]["Payload"] == {"v": 4} and data["afterResultSelector"] == {"r": 4}
    assert data["afterResultPath"] == {"v": 2, "out": {"r": 4}}
    assert "inspectionData" not in _test(engine, state, input='{"v": 2}')  # INFO


def test_test_state_choice_wait_fail_and_whole_machines(engine: EmbeddedEngine) -> None:
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.v", "NumericEquals": 2, "Next": "Two"}], "Default": "D"}
    assert _test(engine, choice, input='{"v": 2}')["nextState"] == "Two"
    started = time.monotonic()
    assert _test(engine, {"Type": "Wait", "Seconds": 3600, "Next": "N"})["nextState"] == "N"
    assert time.monotonic() - started < 60
    failed = _test(engine, {"Type": "Fail", "Error": "E", "Cause": "C"})
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "E", "C")
    machine = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "Output": "{% $x & $states.context.Execution.Name %}", "End": True}}}
    result = _test(engine, machine, stateName="B", variables='{"x": "n="}', context='{"Execution": {"Name": "c"}}')
    assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", "n=c") and "nextState" not in result
    with pytest.raises(ClientError) as caught:
        _test(engine, machine, stateName="Missing")
    assert _code(caught) == "ValidationException"
    with pytest.raises(ClientError) as unsupported:
        _test(engine, {"Type": "Parallel", "Branches": [], "End": True})
    assert _code(unsupported) == "InvalidDefinition"


def test_test_state_reports_retriable_and_caught_errors_without_retrying(engine: EmbeddedEngine) -> None:
    calls: list[int] = []
    name = unique("fails")
    engine.register_tool(name, lambda event, ctx: calls.append(1) or (_ for _ in ()).throw(ValueError("no")))
    retried = task(name, Retry=[{"ErrorEquals": ["Other"]}, {"ErrorEquals": ["ValueError"], "IntervalSeconds": 2,
                                                              "BackoffRate": 3, "MaxAttempts": 2}], End=True)
    result = _test(engine, retried, inspectionLevel="DEBUG")
    assert (result["status"], result["error"]) == ("RETRIABLE", "ValueError") and len(calls) == 1
    assert result["inspectionData"]["errorDetails"] == {"retryIndex": 1, "retryBackoffIntervalSeconds": 2}
    later = _test(engine, retried, inspectionLevel="DEBUG", stateConfiguration={"retrierRetryCount": 1})
    assert later["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"] == 6
    assert _test(engine, retried, stateConfiguration={"retrierRetryCount": 2})["status"] == "FAILED"
    caught = task(name, Catch=[{"ErrorEquals": ["Other"], "Next": "X"},
                               {"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handler"}], End=True)
    result = _test(engine, caught, input='{"v": 1}', inspectionLevel="DEBUG")
    assert (result["status"], result["nextState"], result["error"]) == ("CAUGHT_ERROR", "Handler", "ValueError")
    assert json.loads(result["output"])["err"]["Error"] == "ValueError"
    assert result["inspectionData"]["errorDetails"] == {"catchIndex": 1}


def test_test_state_mocks_the_task_result_or_error(engine: EmbeddedEngine) -> None:
    state = task("not-registered", ResultSelector={"r.$": "$.Payload"}, Catch=[
        {"ErrorEquals": ["My.Error"], "Next": "Handler"}], Next="Next")
    mocked = _test(engine, state, input='{"v": 1}', mock={"result": '{"Payload": 42}'}, inspectionLevel="DEBUG")
    assert (mocked["status"], json.loads(mocked["output"])) == ("SUCCEEDED", {"r": 42})
    assert json.loads(mocked["inspectionData"]["afterParameters"])["Payload"] == {"v": 1}
    failed = _test(engine, state, mock={"errorOutput": {"error": "My.Error", "cause": "mocked"}})
    assert (failed["status"], failed["cause"], failed["nextState"]) == ("CAUGHT_ERROR", "mocked", "Handler")
    with pytest.raises(ClientError) as caught:
        _test(engine, {"Type": "Pass", "End": True}, mock={"result": "{}"})
    assert _code(caught) == "ValidationException"


# ---------------------------------------------------------------- RedriveExecution


def _wait_done(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return dict(described)


def test_redrive_reruns_from_the_failed_state_and_appends_to_the_history(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    name, attempts = unique("flaky"), []

    def flaky(event: dict[str, Any], ctx: Any) -> dict[str, Any]:
        attempts.append(event)
        if len(attempts) == 1:
            raise ValueError("first time")
        return {"v": event["v"] + 10}

    engine.register_tool(name, flaky)
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"v.$": "$.v"}, "Next": "T"},
        "T": task(name, OutputPath="$.Payload", Next="B"),
        "B": {"Type": "Pass", "Parameters": {"v.$": "$.v", "count.$": "$$.Execution.RedriveCount"}, "End": True}}}
    arn = sfn.start_execution(stateMachineArn=_machine(engine, definition, kind="STANDARD"), name=unique("e"),
                              input='{"v": 1}')["executionArn"]
    failed = _wait_done(sfn, arn)
    assert (failed["status"], failed["redriveCount"], failed["redriveStatus"]) == ("FAILED", 0, "REDRIVABLE")
    redriven_at = sfn.redrive_execution(executionArn=arn)["redriveDate"]
    done = _wait_done(sfn, arn)
    assert json.loads(done["output"]) == {"v": 11, "count": 1}
    assert (done["redriveCount"], done["redriveDate"], done["redriveStatus"]) == (1, redriven_at, "NOT_REDRIVABLE")
    assert attempts == [{"v": 1}, {"v": 1}]
    events = sfn.get_execution_history(executionArn=arn)["events"]
    types = [event["type"] for event in events]
    assert types.count("PassStateEntered") == 2 and types.count("ExecutionStarted") == 1  # A is not re-run
    redriven = types.index("ExecutionRedriven")
    assert types[redriven - 1] == "ExecutionFailed" and types[redriven + 1] == "TaskStateEntered"
    assert events[redriven]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))
    with pytest.raises(ClientError) as again:
        sfn.redrive_execution(executionArn=arn)
    assert _code(again) == "ExecutionNotRedrivable" and "SUCCEEDED" in str(again.value)
    with pytest.raises(ClientError) as missing:
        sfn.redrive_execution(executionArn=arn + "-gone")
    assert _code(missing) == "ExecutionDoesNotExist"


def test_redrive_of_an_aborted_execution_ignores_the_late_events_of_the_stopped_run(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    name, gate, calls = unique("slow"), threading.Event(), []

    def slow(event: dict[str, Any], ctx: Any) -> dict[str, int]:
        calls.append(1)
        if len(calls) == 1:
            gate.wait(10)
        return {"call": len(calls)}

    engine.register_tool(name, slow)
    machine = _machine(engine, {"StartAt": "T", "States": {"T": task(name, OutputPath="$.Payload", End=True)}},
                       kind="STANDARD")
    arn = sfn.start_execution(stateMachineArn=machine, name=unique("e"))["executionArn"]
    deadline = time.monotonic() + 20
    while not calls:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    sfn.stop_execution(executionArn=arn)
    assert _wait_done(sfn, arn)["status"] == "ABORTED"
    sfn.redrive_execution(executionArn=arn)
    gate.set()
    done = _wait_done(sfn, arn)
    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", {"call": 2})
    types = [event["type"] for event in sfn.get_execution_history(executionArn=arn)["events"]]
    assert types[-1] == "ExecutionSucceeded" and types.count("ExecutionAborted") == 1
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
