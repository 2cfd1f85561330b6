"""Replay (#15): recorded outcomes by state, visit and attempt, served on the embedded engine under time warp.

Recordings are real: corpus histories recorded on AWS, and Mission runs on the embedded engine saved as their
GetExecutionHistory. Edited Missions are the example Missions with one change each.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from workbench.engine.embedded import shared_engine
from workbench.engine.run.mission import run_mission
from workbench.engine.tools.faults import FaultPlan
from workbench.history import frames, load_history
from workbench.history.replay import (
    ReplayInputError,
    execute,
    plan_replay,
    recorded_calls,
    replay,
    replay_one,
)
from workbench.mission.loader import loads_mission

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "histories"
DEPLOY = REPO / "missions" / "deploy_check.yaml"


def record(folder: Path, name: str, mission: Any, inputs: Any = None, faults: FaultPlan | None = None) -> Path:
    """Run a Mission on the embedded engine and save its GetExecutionHistory (with the definition) as a file."""
    run = run_mission(mission, inputs, faults=faults, time_warp=True, progress=False)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"executionArn": run.arn, "definition": run.definition, "events": run.history()},
                               default=str))
    return path


def deploy_data() -> dict[str, Any]:
    return yaml.safe_load(DEPLOY.read_text())


def edited(change: Any) -> Any:
    """deploy_check with one change applied to its data, as a Mission."""
    data = deploy_data()
    change(data)
    return loads_mission(yaml.safe_dump(data, sort_keys=False))


def step(data: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in data["steps"] if s["id"] == step_id)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("replay_runs")
    slow = FaultPlan(seed=1, tools={"check_deploy": {"latency": {"ms": 4000}}})
    return {
        "clean": record(folder, "clean", DEPLOY, {"service": "payments-api", "version": "v2.14.1"}),
        "slow": record(folder, "slow", DEPLOY, {"service": "payments-api", "version": "v2.14.2"}, slow),
        **{f"v{i}": record(folder, f"v{i}", DEPLOY, {"service": "orders-api", "version": f"v3.{i}"})
           for i in range(6)},
    }


# ------------------------------------------------------------------------------------------- the recording
@pytest.mark.filterwarnings("ignore::workbench.history.PlaceholderIdsWarning")  # normalised corpus recordings
def test_recorded_calls_are_keyed_by_state_visit_path_and_attempt() -> None:
    retried = recorded_calls(CORPUS / "test_error_output__test_map_catch_error__MAP_CATCH_ERROR_OUTPUT_WITH_RETRY.json")
    assert [c.key for c in retried] == [("ProcessItem", "ProcessItems/iter[0]/ProcessItem", 1),
                                        ("ProcessItem", "ProcessItems/iter[0]/ProcessItem", 2)]
    assert {c.iteration for c in retried} == {0}
    branches = recorded_calls(CORPUS / "test_error_output__test_parallel_catch_error__PARALLEL_CATCH_ERROR_OUTPUT.json")
    assert {c.path for c in branches} == {"ParallelState/branch[0]/ExecuteLambdaTask"}
    failure = retried.calls[0]
    assert (failure.outcome, failure.error, json.loads(failure.cause or "")["errorType"]) == (
        "failed", "Exception", "Exception")
    piped = recorded_calls(CORPUS / "test_lambda_task__test_invoke_pipe.json")
    assert [(c.state, c.input, c.result) for c in piped] == [
        ("step1", {}, {"Return": "HelloWorld"}), ("step2", {"Return": "HelloWorld"}, {"Return": "HelloWorld"})]
    timeout = recorded_calls(CORPUS / "test_task_service_lambda__test_invoke_timeout.json")
    assert [(c.outcome, c.error) for c in timeout] == [("timed_out", "States.Timeout")]


def test_a_loop_records_one_call_per_visit_with_its_duration(runs: dict[str, Path]) -> None:
    calls = recorded_calls(runs["slow"])
    checks = [c for c in calls if c.state == "check_status"]
    assert len(checks) >= 2 and len({c.visit for c in checks}) == len(checks)
    assert [c.input["attempt"] for c in checks] == list(range(1, len(checks) + 1))
    assert all(c.duration_ms >= 4000 for c in checks)  # the injected latency, on the virtual clock
    assert calls.last(tool="deploy-check-status", succeeded=True) is checks[-1]


# ------------------------------------------------------------------------------------------- unchanged replays
@pytest.mark.parametrize("mission", ["incident_triage", "change_window", "deploy_check"])
def test_an_unchanged_replay_reproduces_the_run(tmp_path: Path, mission: str) -> None:
    path = record(tmp_path, mission, REPO / "missions" / f"{mission}.yaml")
    result = replay_one(path)
    assert result.reproduced and result.output_match, result.divergences
    assert (result.invented, result.divergences, result.edited) == (0, (), False)
    assert result.served == len(recorded_calls(path))
    assert result.replayed_transitions == result.recorded_transitions


def test_recorded_durations_run_on_the_virtual_clock(runs: dict[str, Path]) -> None:
    result = replay_one(runs["slow"])
    assert result.reproduced
    recorded = frames(load_history(runs["slow"])).attempts
    replayed = frames(load_history({"events": list(result.replayed_events)})).attempts
    checks = replayed[replayed["state"] == "check_status"]["run_ms"]
    assert len(checks) == (recorded["state"] == "check_status").sum()
    assert (checks >= 4000).all()  # each recorded 4 s answer took 4 s again, on the replay's virtual clock
    assert result.replayed_duration_ms is not None and result.recorded_duration_ms is not None
    assert result.replayed_duration_ms >= result.recorded_duration_ms - 100


def test_a_timeout_shorter_than_the_recorded_answer_fires(runs: dict[str, Path]) -> None:
    """What-if: a 2 s timeout on the status check. The recorded check took 4 s, so the Task times out and the
    Mission's catch rolls back; the rollback was never recorded, so the Mission's own code answers it."""
    mission = edited(lambda d: step(d, "check_status").update(timeout="2s"))
    result = replay_one(runs["slow"], mission, unrecorded="local")
    assert (result.recorded_status, result.replayed_status, result.replayed_error) == (
        "SUCCEEDED", "FAILED", "DeployFailed")
    assert "roll_back" in result.replayed_path
    assert [(c.state, c.policy, c.outcome) for c in result.invented_calls] == [("roll_back", "local", "local")]


# ------------------------------------------------------------------------------------------- unrecorded calls
def _double_check(data: dict[str, Any]) -> None:
    step(data, "is_ready")["choose"][0]["goto"] = "double_check"
    ids = [s["id"] for s in data["steps"]]
    data["steps"].insert(ids.index("deployed"), {"id": "double_check", "tool": "check_deploy",
                                                 "args": '{% {"deploy": $deploy, "attempt": $attempt} %}'})


@pytest.mark.parametrize(("policy", "outcome"), [("repeat", "succeeded"), ("last-success", "succeeded"),
                                                 ("local", "local")])
def test_a_new_step_gets_an_invented_outcome_and_is_counted(runs: dict[str, Path], policy: str,
                                                            outcome: str) -> None:
    result = replay_one(runs["clean"], edited(_double_check), unrecorded=policy)
    assert result.replayed_status == "SUCCEEDED" and result.edited
    assert result.invented == 1
    (call,) = result.invented_calls
    assert (call.state, call.path, call.visit, call.attempt, call.tool, call.policy, call.outcome) == (
        "double_check", "double_check", 1, 1, "deploy-check-status", policy, outcome)
    assert any("had no recording and got invented outcomes" in line for line in result.divergences)


def test_unrecorded_fail_names_the_state_visit_and_attempt(runs: dict[str, Path]) -> None:
    result = replay_one(runs["clean"], edited(_double_check), unrecorded="fail")
    assert (result.replayed_status, result.replayed_error) == ("FAILED", "Replay.Unrecorded")
    assert "no recorded outcome for state double_check (visit 1, attempt 1) and --unrecorded fail" in (
        result.replayed_cause or "")
    assert result.invented == 1 and result.invented_calls[0].outcome == "Replay.Unrecorded"


def test_a_tool_never_recorded_cannot_be_repeated(runs: dict[str, Path]) -> None:
    def roll_back_first(data: dict[str, Any]) -> None:  # a precautionary rollback call before declaring success
        step(data, "is_ready")["choose"][0]["goto"] = "precaution"
        ids = [s["id"] for s in data["steps"]]
        data["steps"].insert(ids.index("deployed"), {"id": "precaution", "tool": "rollback_deploy",
                                                     "args": '{% {"deploy": $deploy} %}', "then": "deployed"})

    repeated = replay_one(runs["clean"], edited(roll_back_first))
    assert (repeated.replayed_status, repeated.replayed_error) == ("FAILED", "Replay.Unrecorded")
    assert "deploy-rollback has no recorded outcome in this execution to repeat" in (repeated.replayed_cause or "")
    local = replay_one(runs["clean"], edited(roll_back_first), unrecorded="local")
    assert (local.replayed_status, local.invented, local.invented_calls[0].outcome) == ("SUCCEEDED", 1, "local")


def test_an_extra_retry_the_recording_cannot_answer_is_invented(tmp_path: Path) -> None:
    """The recorded check failed and nothing called it again: a retry added by the edit has no evidence."""
    down = FaultPlan(seed=3, tools={"check_deploy": {"fail_rate": 1.0, "error": "DeployStatusUnavailable"}})
    path = record(tmp_path, "down", DEPLOY, faults=down)
    mission = edited(lambda d: step(d, "check_status").update(retry=[
        {"errors": ["DeployStatusUnavailable"], "interval": "5s", "max_attempts": 2, "backoff": 1}]))
    repeated = replay_one(path, mission)
    assert (repeated.recorded_status, repeated.replayed_status, repeated.replayed_error) == (
        "FAILED", "FAILED", "DeployStatusUnavailable")
    assert [(c.state, c.visit, c.attempt, c.policy, c.outcome) for c in repeated.invented_calls] == [
        ("check_status", 1, 2, "repeat", "failed"), ("check_status", 1, 3, "repeat", "failed")]
    refused = replay_one(path, mission, unrecorded="fail")
    assert (refused.replayed_error, refused.invented) == ("Replay.Unrecorded", 1)
    assert "check_status (visit 1, attempt 2)" in (refused.replayed_cause or "")


# ------------------------------------------------------------------------------------------- many replays
def test_many_replays_on_one_engine_each_get_their_own_recording(runs: dict[str, Path]) -> None:
    paths = [runs[f"v{i}"] for i in range(6)] * 2
    results = replay(paths, workers=8)
    assert [r.recorded_arn for r in results] == [load_history(p).execution_arn for p in paths]
    for result in results:
        assert result.reproduced and result.output_match and result.replayed_output == result.recorded_output
    assert len({json.dumps(r.replayed_output) for r in results}) == 6


def test_a_worker_process_replays_from_paths_and_sends_the_result_back(runs: dict[str, Path]) -> None:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = pool.submit(replay_one, str(runs["clean"]), str(DEPLOY)).result(timeout=300)
    assert result.reproduced and result.invented == 0 and result.subject == "Mission deploy_check"
    assert pickle.loads(pickle.dumps(result)) == result
    data = json.loads(json.dumps(result.to_dict(events=True, definition=True)))
    assert data["replayed_status"] == "SUCCEEDED" and data["definition"]["StartAt"] == "start_deploy"
    assert data["replayed_events"][0]["type"] == "ExecutionStarted"


def test_a_distributed_map_replays_with_its_child_executions(tmp_path: Path) -> None:
    run = run_mission(REPO / "missions" / "data_backfill.yaml", time_warp=True, progress=False)
    sfn = shared_engine(time_warp=True).client()
    children = [{"executionArn": child["executionArn"],
                 "events": sfn.get_execution_history(executionArn=child["executionArn"])["events"]}
                for map_run in sfn.list_map_runs(executionArn=run.arn)["mapRuns"]
                for child in sfn.list_executions(mapRunArn=map_run["mapRunArn"])["executions"]]
    parent = {"executionArn": run.arn, "definition": run.definition, "events": run.history()}
    assert children
    result = execute(plan_replay(parent, children=children))
    assert result.reproduced and result.output_match and result.invented == 0
    alone = replay_one(parent)
    assert alone.invented >= 1 and not alone.reproduced  # the children's calls were not given: none is guessed
    assert {(call.state, call.outcome) for call in alone.invented_calls} == {("write_batch", "Replay.Unrecorded")}


# ------------------------------------------------------------------------------------------- divergences
def tampered(path: Path, folder: Path) -> Path:
    """The recording with its first status check answering SUCCEEDED (the rest as recorded)."""
    doc = json.loads(path.read_text())
    for event in doc["events"]:
        details = event.get("taskSucceededEventDetails")
        if details and '"healthy_targets"' in details["output"]:
            output = json.loads(details["output"])
            output["Payload"]["status"] = "SUCCEEDED"
            details["output"] = json.dumps(output)
            break
    out = folder / "tampered.json"
    out.write_text(json.dumps(doc))
    return out


def test_a_divergence_is_shown_and_explained(runs: dict[str, Path], tmp_path: Path) -> None:
    result = replay_one(tampered(runs["clean"], tmp_path))
    assert result.status_match and not result.path_match and not result.reproduced
    (path,) = [line for line in result.divergences if line.startswith("State path")]
    assert path.startswith("State path differs at the top level at entry 5: recorded wait_for_rollout, "
                           "replayed deployed — ")
    assert "recorded call(s) were not made by the replay: check_status" in path
    assert any(line.startswith("Output differs at $.checks: recorded") for line in result.divergences)


# ------------------------------------------------------------------------------------------- bad input
def test_unusable_input_is_one_line_naming_it(runs: dict[str, Path], tmp_path: Path) -> None:
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"events": json.loads(runs["clean"].read_text())["events"]}))
    empty = tmp_path / "empty"
    empty.mkdir()
    child = tmp_path / "child.json"
    child.write_text(json.dumps({"executionArn": "arn:aws:states:us-east-1:123456789012:execution:m/map:c1",
                                 "events": json.loads(runs["clean"].read_text())["events"]}))
    cases = [
        (lambda: replay_one(bare), f"{bare}: the history holds no definition"),
        (lambda: replay_one(tmp_path / "nope.json"), "nope.json: no such file"),
        (lambda: replay(empty), f"{empty}: no history files"),
        (lambda: replay_one(runs["clean"], unrecorded="sometimes"), "--unrecorded 'sometimes' is not one of"),
        (lambda: replay_one(runs["clean"], tmp_path / "missing.yaml"), "missing.yaml: no such Mission file"),
        (lambda: replay(child), "a Distributed Map child execution whose parent is not among the inputs"),
    ]
    for call, needle in cases:
        with pytest.raises(ReplayInputError) as caught:
            call()
        assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_a_bad_mission_names_its_file_and_line(runs: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = copy.copy(DEPLOY.read_text()).replace("goto: deployed", "goto: nowhere")
    broken.write_text(text)
    with pytest.raises(ReplayInputError) as caught:
        replay_one(runs["clean"], broken)
    assert f"{broken}:" in str(caught.value) and "nowhere" in str(caught.value)
