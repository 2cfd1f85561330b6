"""Mocked responses (AWS Step Functions Local MockConfigFile): test cases selected per execution."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.engine import mock_support
from tests.engine.run_support import unique
from workbench.core.diagnostics import DiagnosticError
from workbench.engine.connect.targets import AwsTarget
from workbench.engine.embedded import shared_engine
from workbench.engine.errors import TargetError
from workbench.engine.run.mission import run_mission
from workbench.engine.tools.mocks import MockConfig, load_mock_config, parse_range
from workbench.mission.loader import load_mission
from workbench.mission.model import Mission

REPO = Path(__file__).resolve().parents[2]
ROLE = "arn:aws:iam::123456789012:role/workbench-local"
MOCKED_ALERT = {
    "alert_id": "ALR-MOCK", "service": "mock-api", "severity": "critical", "title": "only the mock says this",
    "opened_at": "2024-01-01T00:00:00Z", "hosts": ["mock-host-1"], "runbook": "https://example.invalid",
}
CONFIG: dict[str, Any] = {
    "StateMachines": {"incident_triage": {"TestCases": {
        "HappyPath": {"fetch_alert": "FixedAlert"},
        "RetryPath": {"fetch_alert": "FlakyThenFixed"},
        "CatchPath": {"fetch_alert": "NoSuchAlert"},
    }}},
    "MockedResponses": {
        "FixedAlert": {"0": {"Return": {"StatusCode": 200, "Payload": MOCKED_ALERT}}},
        "FlakyThenFixed": {
            "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "mocked outage"}},
            "1": {"Return": {"StatusCode": 200, "Payload": MOCKED_ALERT}},
        },
        "NoSuchAlert": {"0-3": {"Throw": {"Error": "AlertNotFound", "Cause": "mocked: no such alert"}}},
    },
}


@pytest.fixture
def triage() -> Mission:
    """incident_triage with a fetch_alert tool that counts its calls."""
    mission = load_mission(REPO / "missions/incident_triage.yaml")
    tools = dict(mission.tools)
    tools["fetch_alert"] = tools["fetch_alert"].model_copy(
        update={"local": "tests.engine.mock_support:counting_fetch_alert"})
    mock_support.CALLS.clear()
    return mission.model_copy(update={"tools": tools})


def _run(mission: Mission, test_case: str, config: Any = None) -> Any:
    return run_mission(mission, mock_config=CONFIG if config is None else config, test_case=test_case,
                       time_warp=True, progress=False, timeout=120)


def _events(execution: Any, state: str) -> list[dict[str, Any]]:
    """The Task events of one state, in order (between its StateEntered and StateExited)."""
    out, inside = [], False
    for event in execution.history():
        details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails") or {}
        if event["type"].endswith(("StateEntered", "StateExited")):
            inside = event["type"].endswith("StateEntered") and details.get("name") == state
        elif inside and event["type"].startswith("Task"):
            out.append(event)
    return out


def test_a_returned_mock_replaces_the_tool(triage: Mission, tmp_path: Path) -> None:
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(CONFIG))
    execution = _run(triage, "HappyPath", path)
    assert execution.status == "SUCCEEDED"
    assert mock_support.CALLS == []  # the tool was never called
    succeeded = [e for e in _events(execution, "fetch_alert") if e["type"] == "TaskSucceeded"]
    assert json.loads(succeeded[0]["taskSucceededEventDetails"]["output"])["Payload"] == MOCKED_ALERT
    # The rest of the Mission ran on the mocked alert: one probe, for the mocked host.
    scheduled = [json.loads(e["taskScheduledEventDetails"]["parameters"])
                 for e in execution.history() if e["type"] == "TaskScheduled"]
    probes = [p["Payload"] for p in scheduled if p["FunctionName"] == "triage-probe-host"]
    assert probes == [{"host": "mock-host-1", "service": "mock-api"}]


def test_unmocked_run_calls_the_tool(triage: Mission) -> None:
    execution = run_mission(triage, time_warp=True, progress=False, timeout=120)
    assert execution.status == "SUCCEEDED" and len(mock_support.CALLS) == 1


def test_throw_then_return_fires_the_retry(triage: Mission) -> None:
    execution = _run(triage, "RetryPath")
    assert execution.status == "SUCCEEDED"
    kinds = [e["type"] for e in _events(execution, "fetch_alert")]
    assert kinds == ["TaskScheduled", "TaskStarted", "TaskFailed", "TaskScheduled", "TaskStarted", "TaskSucceeded"]
    failed = next(e for e in _events(execution, "fetch_alert") if e["type"] == "TaskFailed")
    assert failed["taskFailedEventDetails"] == {"error": "Lambda.ServiceException", "cause": "mocked outage"}
    assert mock_support.CALLS == []


def test_a_thrown_error_takes_the_catch_path(triage: Mission) -> None:
    execution = _run(triage, "CatchPath")
    assert execution.status == "FAILED"
    assert execution.error == "TriageFailed"
    assert execution.cause == "could not triage: AlertNotFound - mocked: no such alert"
    assert mock_support.CALLS == []


def _wait(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "execution did not finish"
        time.sleep(0.05)
    return dict(described)


MAP_MACHINE = {
    "StartAt": "Each",
    "States": {"Each": {"Type": "Map", "MaxConcurrency": 1, "ItemsPath": "$.items", "End": True,
                        "ItemProcessor": {"StartAt": "Notify", "States": {"Notify": {
                            "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message.$": "$"},
                            "End": True}}}}},
}


def test_arn_suffix_selects_the_test_case_on_the_engine_with_raw_boto3() -> None:
    engine = shared_engine(time_warp=True)
    sfn = engine.client()
    name = unique("mocked-map")
    arn = sfn.create_state_machine(name=name, definition=json.dumps(MAP_MACHINE), roleArn=ROLE)["stateMachineArn"]
    config = engine.load_mock_config({
        "StateMachines": {name: {"TestCases": {"Two": {"Notify": "Published"}, "Typo": {"Notfy": "Published"}}}},
        "MockedResponses": {"Published": {"0": {"Return": {"MessageId": "first"}},
                                          "1": {"Return": {"MessageId": "second"}}}},
    })
    try:
        # Invocations count per state and execution: the Map's iterations take "0" then "1" (an SNS task).
        started = sfn.start_execution(stateMachineArn=f"{arn}#Two", name="two", input='{"items": [1, 2]}')
        described = _wait(sfn, started["executionArn"])
        assert described["status"] == "SUCCEEDED"
        assert [r["MessageId"] for r in json.loads(described["output"])] == ["first", "second"]
        # A fresh execution counts from 0 again; a third invocation has no answer and says so.
        started = sfn.start_execution(stateMachineArn=f"{arn}#Two", name="three", input='{"items": [1, 2, 3]}')
        described = _wait(sfn, started["executionArn"])
        assert described["status"] == "FAILED" and described["error"] == "States.Runtime"
        assert "no answer for invocation 2" in described["cause"] and "'Published'" in described["cause"]
        with pytest.raises(ClientError, match="Invalid mock test case name 'Nope'") as info:
            sfn.start_execution(stateMachineArn=f"{arn}#Nope", name="nope")
        assert info.value.response["Error"]["Code"] == "InvalidName"
        with pytest.raises(ClientError, match=r"'Notfy'.*not a Task state"):
            sfn.start_execution(stateMachineArn=f"{arn}#Typo", name="typo")
    finally:
        engine.unload_mock_config(config)
    with pytest.raises(ClientError, match="no loaded mock config"):
        sfn.start_execution(stateMachineArn=f"{arn}#Two", name="unloaded")


def _bad(tmp_path: Path, config: Any, text: str | None = None) -> DiagnosticError:
    path = tmp_path / "mocks.json"
    path.write_text(text if text is not None else json.dumps(config, indent=2))
    with pytest.raises(DiagnosticError) as info:
        load_mock_config(path)
    assert all(d.file == str(path) for d in info.value.diagnostics)
    return info.value


def test_unknown_response_name_names_file_key_and_line(tmp_path: Path) -> None:
    config = {"StateMachines": {"m": {"TestCases": {"Ok": {"Fetch": "Missing"}}}},
              "MockedResponses": {"Present": {"0": {"Return": {}}}}}
    error = _bad(tmp_path, config)
    [d] = error.diagnostics
    assert d.code == "MOCK006" and d.location == "StateMachines.m.TestCases.Ok.Fetch"
    assert "'Missing'" in d.message and "Present" in (d.hint or "")
    lines = Path(d.file or "").read_text().splitlines()
    assert d.line is not None and '"Fetch": "Missing"' in lines[d.line - 1]


@pytest.mark.parametrize(("responses", "code", "needle"), [
    ({"2-1": {"Return": {}}}, "MOCK004", "ends before it starts"),
    ({"x": {"Return": {}}}, "MOCK004", "not an invocation number"),
    ({"-1": {"Return": {}}}, "MOCK004", "not an invocation number"),
    ({"0": {"Return": {}}, "2": {"Return": {}}}, "MOCK005", "leaves invocation 1 unanswered"),
    ({"0-2": {"Return": {}}, "1": {"Return": {}}}, "MOCK005", "overlaps"),
    ({"0": {"Return": {}, "Throw": {"Error": "E"}}}, "MOCK007", "exactly one of Return or Throw"),
    ({"0": {"Throw": {"Cause": "no error"}}}, "MOCK007", "Throw needs a string Error"),
])
def test_bad_ranges_and_entries_are_clear_errors(tmp_path: Path, responses: Any, code: str, needle: str) -> None:
    config = {"StateMachines": {"m": {"TestCases": {"Ok": {"Fetch": "R"}}}}, "MockedResponses": {"R": responses}}
    error = _bad(tmp_path, config)
    assert [d.code for d in error.diagnostics] == [code]
    assert needle in str(error) and "MockedResponses.R" in error.diagnostics[0].location


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    error = _bad(tmp_path, None, '{"StateMachines": {},\n  "MockedResponses": {,}}')
    assert error.diagnostics[0].code == "MOCK002" and error.diagnostics[0].line == 2


def test_parse_range() -> None:
    assert parse_range("0") == (0, 0) and parse_range(" 1 - 2 ") == (1, 2)
    with pytest.raises(ValueError, match="write '1-3'"):
        parse_range("3-1")


def test_run_mission_checks_the_test_case_before_deploying(triage: Mission) -> None:
    with pytest.raises(DiagnosticError, match=r"no test case 'Nope'.*CatchPath, HappyPath, RetryPath"):
        _run(triage, "Nope")
    bad_state = {**CONFIG, "StateMachines": {"incident_triage": {"TestCases": {"T": {"fetch": "FixedAlert"}}}}}
    with pytest.raises(DiagnosticError, match=r"mocks 'fetch'.*not a Task state") as info:
        _run(triage, "T", bad_state)
    assert "fetch_alert" in (info.value.diagnostics[0].hint or "")
    with pytest.raises(TargetError, match="choose a test case"):
        run_mission(triage, mock_config=CONFIG, time_warp=True, progress=False)
    with pytest.raises(TargetError, match="local targets only"):
        run_mission(triage, target=AwsTarget(region="us-east-1"), mock_config=CONFIG, test_case="HappyPath")


def test_a_served_engine_learns_a_mock_config_over_http() -> None:
    from workbench.engine.embedded import EngineError
    from workbench.engine.embedded.interpreter.mocking import register_remote_mock_config

    engine = shared_engine(time_warp=True)
    sfn = engine.client()
    name = unique("remote-mocks")
    arn = sfn.create_state_machine(name=name, definition=json.dumps(MAP_MACHINE), roleArn=ROLE)["stateMachineArn"]
    config = load_mock_config({"StateMachines": {name: {"TestCases": {"One": {"Notify": "R"}}}},
                               "MockedResponses": {"R": {"0": {"Return": {"MessageId": "over-http"}}}}})
    before = len(engine.mock_configs)
    register_remote_mock_config(engine.endpoint_url, config, engine.credentials)
    try:
        assert len(engine.mock_configs) == before + 1
        started = sfn.start_execution(stateMachineArn=f"{arn}#One", name="one", input='{"items": [1]}')
        assert json.loads(_wait(sfn, started["executionArn"])["output"]) == [{"MessageId": "over-http"}]
    finally:
        engine.unload_mock_config(engine.mock_configs[-1])
    broken = MockConfig({}, {}, "broken.json", raw={"MockedResponses": {"R": {"0-x": {"Return": {}}}}})
    with pytest.raises(EngineError, match=r"refused the mock config.*'0-x'"):
        register_remote_mock_config(engine.endpoint_url, broken, engine.credentials)
    with pytest.raises(EngineError, match=r"MissingAuthenticationToken|no engine credentials|invalid"):
        register_remote_mock_config(engine.endpoint_url, config)  # nobody else may load mocks
