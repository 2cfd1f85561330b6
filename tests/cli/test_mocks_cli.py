"""``workbench run --mock-config FILE --test-case NAME``: mocked Task results from a MockConfigFile."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from workbench.cli import app

REPO = Path(__file__).resolve().parents[2]
MISSION = str(REPO / "missions/incident_triage.yaml")
runner = CliRunner()

CONFIG = {
    "StateMachines": {"incident_triage": {"TestCases": {"CatchPath": {"fetch_alert": "Gone"}}}},
    "MockedResponses": {"Gone": {"0": {"Throw": {"Error": "AlertNotFound", "Cause": "mocked from the CLI"}}}},
}


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_run_with_a_test_case_takes_the_mocked_path(tmp_path: Path) -> None:
    mocks = tmp_path / "MockConfigFile.json"
    mocks.write_text(json.dumps(CONFIG))
    code, out, err = invoke("run", MISSION, "--mock-config", str(mocks), "--test-case", "CatchPath", "--json",
                            "--time-warp")
    assert code == 1, err
    result = json.loads(out)
    assert result["status"] == "FAILED" and result["error"] == "TriageFailed"
    assert result["cause"] == "could not triage: AlertNotFound - mocked from the CLI"
    failed = [e for e in result["history"] if e["type"] == "TaskFailed"]
    assert failed[0]["taskFailedEventDetails"] == {"error": "AlertNotFound", "cause": "mocked from the CLI"}


def test_bad_mock_configs_and_test_cases_exit_2_naming_the_file(tmp_path: Path) -> None:
    mocks = tmp_path / "mocks.json"
    mocks.write_text(json.dumps({**CONFIG, "MockedResponses": {"Gone": {"1-0": {"Return": {}}}}}))
    code, _, err = invoke("run", MISSION, "--mock-config", str(mocks), "--test-case", "CatchPath")
    assert code == 2 and str(mocks) in err and "MOCK004" in err and "'1-0'" in err
    mocks.write_text(json.dumps(CONFIG))
    code, _, err = invoke("run", MISSION, "--mock-config", str(mocks), "--test-case", "Nope")
    assert code == 2 and "no test case 'Nope'" in err and "CatchPath" in err
    code, _, err = invoke("run", MISSION, "--mock-config", str(mocks))
    assert code == 2 and "choose a test case" in err
