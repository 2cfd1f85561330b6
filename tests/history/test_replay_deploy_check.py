"""Acceptance (#15): deploy_check's failing runs, replayed with a retry on their transient error.

The recordings are made honestly, on the embedded engine with a fault plan: ``check_deploy`` fails now and
then with ``DeployStatusUnavailable`` (a status API that is briefly unavailable). The recorded Mission is
``missions/deploy_check.yaml`` with no retry on that error: it catches it and checks again after the next
wait, with the same input (the poll number does not advance), and a rollout whose status could not be read at
every poll is not trusted: it fails with ``DeployUnverified``. So every failing run failed because of the
transient error, and every failed check was called again later in the same execution, with the same input.

The edit adds a retry on ``DeployStatusUnavailable`` (one retry, 20 s later, like the recorded re-check). A
replay serves each retry the recorded outcome of that later call with the same input: it is evidence, not
a guess. The runs whose failed checks succeeded on the next call (within the retry) must recover, with no
invented outcome; runs whose check failed twice in a row must still fail. Which is which is read from the
raw recorded events, independently of the replay's own reading.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from workbench.cli import app
from workbench.engine.run.mission import run_mission
from workbench.engine.tools.faults import FaultPlan
from workbench.history.replay import replay
from workbench.mission.loader import loads_mission

REPO = Path(__file__).resolve().parents[2]
TRANSIENT = "DeployStatusUnavailable"
RETRIES = 1  # the edit's MaxAttempts on the transient error
SEEDS = range(12)


def _step(data: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(step for step in data["steps"] if step["id"] == step_id)


def recorded_mission() -> dict[str, Any]:
    """deploy_check, where an unavailable status is re-checked after the next wait and fails the deploy at the end."""
    data = yaml.safe_load((REPO / "missions/deploy_check.yaml").read_text())
    _step(data, "start_deploy")["assign"] = {"attempt": 0, "gaps": 0}
    check = _step(data, "check_status")
    check["catch"] = [{"errors": [TRANSIENT], "goto": "wait_for_rollout", "assign": {"gaps": "{% $gaps + 1 %}"}},
                      *check["catch"]]
    _step(data, "is_ready")["choose"][0]["goto"] = "verified"
    ids = [step["id"] for step in data["steps"]]
    data["steps"].insert(ids.index("deployed"), {
        "id": "verified", "choose": [{"when": "{% $gaps > 0 %}", "goto": "unverified"}], "otherwise": "deployed"})
    data["steps"].append({"id": "unverified", "fail": {
        "error": "DeployUnverified",
        "cause": '{% "deploy " & $deploy.deployment_id & ": the status check failed " & $string($gaps) '
                 '& " time(s) during the rollout" %}'}})
    return data


def edited_mission(recorded: dict[str, Any]) -> dict[str, Any]:
    """The recorded Mission plus a retry on the transient error, as long after as the recorded re-check."""
    data = copy.deepcopy(recorded)
    _step(data, "check_status")["retry"] = [
        {"errors": [TRANSIENT], "interval": "20s", "max_attempts": RETRIES, "backoff": 1},
        *data["defaults"]["retry"]]
    return data


def status_checks(events: list[dict[str, Any]]) -> list[tuple[Any, str]]:
    """From raw recorded events: each call of deploy-check-status as ``(payload, outcome)``, in order."""
    out: list[tuple[Any, str]] = []
    pending: Any = None
    for event in events:
        details = event.get("taskScheduledEventDetails")
        if details is not None:
            parameters = json.loads(details["parameters"])
            pending = parameters["Payload"] if parameters["FunctionName"] == "deploy-check-status" else None
        elif event["type"] in ("TaskSucceeded", "TaskFailed") and pending is not None:
            failed = event["type"] == "TaskFailed"
            out.append((pending, event["taskFailedEventDetails"]["error"] if failed else "succeeded"))
            pending = None
    return out


def later_attempts_succeed(events: list[dict[str, Any]], retries: int) -> bool:
    """Every failed check is followed, within ``retries`` more calls with the same payload, by a success."""
    checks = status_checks(events)
    for i, (payload, outcome) in enumerate(checks):
        if outcome == "succeeded" or (i and checks[i - 1][0] == payload):
            continue  # only look ahead from the first call with each payload
        same = [o for p, o in checks[i:] if p == payload]
        if "succeeded" not in same[:retries + 1]:
            return False
    return True


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the recorded Mission with faults for several seeds and save each GetExecutionHistory as a file."""
    folder = tmp_path_factory.mktemp("deploy_check_runs")
    recorded = recorded_mission()
    (folder.parent / "edited.yaml").write_text(yaml.safe_dump(edited_mission(recorded), sort_keys=False))
    mission = loads_mission(yaml.safe_dump(recorded, sort_keys=False))
    runs: dict[str, dict[str, Any]] = {}
    for seed in SEEDS:
        plan = FaultPlan(seed=seed, tools={"check_deploy": {"fail_rate": 0.35, "error": TRANSIENT,
                                                            "message": "the status API is unavailable"}})
        inputs = {"service": "payments-api", "version": f"v2.14.{seed}"}
        run = run_mission(mission, inputs, faults=plan, time_warp=True, progress=False)
        events = run.history()
        path = folder / f"run-{seed}.json"
        path.write_text(json.dumps({"executionArn": run.arn, "definition": run.definition, "events": events},
                                   default=str))
        clean = run_mission("missions/deploy_check.yaml", inputs, time_warp=True, progress=False)
        runs[run.arn] = {"path": path, "status": run.status, "error": run.error, "events": events,
                         "clean_output": clean.output}
    return {"folder": folder, "edited": folder.parent / "edited.yaml", "runs": runs}


def failing(recordings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {arn: run for arn, run in recordings["runs"].items() if run["status"] == "FAILED"}


def test_the_failing_runs_failed_because_of_the_transient_error(recordings: dict[str, Any]) -> None:
    failed = failing(recordings)
    assert 4 <= len(failed) < len(recordings["runs"])  # failing runs, and runs the faults spared
    for run in failed.values():
        assert run["error"] == "DeployUnverified"
        assert TRANSIENT in {outcome for _, outcome in status_checks(run["events"])}
        assert any(event["type"] == "TaskFailed" for event in run["events"])


def test_replaying_the_recorded_definition_reproduces_every_run(recordings: dict[str, Any]) -> None:
    results = replay(recordings["folder"])
    assert len(results) == len(recordings["runs"])
    for result in results:
        assert result.reproduced, result.divergences
        assert (result.invented, result.divergences) == (0, ())
        assert result.output_match is not False and result.error_match is not False


def test_a_retry_recovers_the_runs_whose_later_attempts_succeeded_and_invents_nothing(
        recordings: dict[str, Any]) -> None:
    failed = failing(recordings)
    expected = {arn for arn, run in failed.items() if later_attempts_succeed(run["events"], RETRIES)}
    assert expected and expected != set(failed)  # some recover, some do not: the test can tell them apart
    results = {r.recorded_arn: r for r in replay([run["path"] for run in failed.values()], recordings["edited"])}
    assert {arn for arn, r in results.items() if r.recovered} == expected
    for arn in expected:
        result = results[arn]
        assert result.replayed_status == "SUCCEEDED" and result.invented == 0 and result.invented_calls == ()
        assert result.replayed_output == failed[arn]["clean_output"]  # what a run without faults gives
        assert result.served == len(status_checks(failed[arn]["events"])) + 1  # every call answered: start too
        assert any("this is the edit's effect" in line for line in result.divergences)
    for arn in set(failed) - expected:
        assert (results[arn].replayed_status, results[arn].replayed_error) == ("FAILED", "DeployUnverified")


def test_with_unrecorded_fail_the_recovered_runs_still_recover(recordings: dict[str, Any]) -> None:
    """Any invented outcome would be the error Replay.Unrecorded here: the recoveries use recordings only."""
    failed = failing(recordings)
    expected = {arn for arn, run in failed.items() if later_attempts_succeed(run["events"], RETRIES)}
    results = replay([failed[arn]["path"] for arn in sorted(expected)], recordings["edited"], unrecorded="fail")
    assert [r.replayed_status for r in results] == ["SUCCEEDED"] * len(expected)
    assert all("Replay.Unrecorded" not in json.dumps(r.replayed_events, default=str) for r in results)


def test_the_command_reports_the_recoveries(recordings: dict[str, Any]) -> None:
    failed = failing(recordings)
    expected = sum(later_attempts_succeed(run["events"], RETRIES) for run in failed.values())
    result = CliRunner().invoke(app, ["replay", str(recordings["folder"]), "--mission", str(recordings["edited"]),
                                      "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert (summary["replays"], summary["recovered"], summary["invented"]) == (len(recordings["runs"]), expected, 0)
