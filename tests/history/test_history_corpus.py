"""Frames from the recorded corpus: every file builds, and hand-read expectations hold.

The expectations below were written by reading the raw ``history`` arrays of the corpus files
(ids, ``previousEventId`` links, Entered/Exited pairs, *Scheduled counts), not from the code.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import CORPUS
from workbench.history import HistoryWarning, frames, load_history
from workbench.history.frames import HistoryFrames

CORPUS_DIR = CORPUS / "histories"
FILES = sorted(p.name for p in CORPUS_DIR.glob("*.json") if p.name != "INDEX.json")


def build(corpus: Path, name: str) -> HistoryFrames:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)  # normalised recordings warn, by design
        return frames(load_history(corpus / "histories" / name))


def visits(f: HistoryFrames) -> list[tuple[str, str, str, int]]:
    st = f.states
    return [(str(p), str(t), str(s), int(a)) for p, t, s, a in zip(st["path"], st["type"], st["status"],
                                                                 st["attempts"], strict=True)]


EXPECTED_DTYPES = {
    "events": {"execution": "category", "id": "int64", "previous_id": "Int64", "id_known": "bool",
               "type": "category", "timestamp": "datetime64[ns, UTC]", "elapsed_ms": "float64",
               "state": "category", "path": "category", "visit": "int64", "error": "str", "cause": "str",
               "resource": "category", "resource_type": "category", "map_run_arn": "str", "iteration": "Int64",
               "input_size": "Int64", "output_size": "Int64"},
    "states": {"execution": "category", "visit": "int64", "state": "category", "type": "category",
               "path": "category", "depth": "int64", "parent_visit": "int64", "entered": "datetime64[ns, UTC]",
               "exited": "datetime64[ns, UTC]", "duration_ms": "float64", "started_after_ms": "float64",
               "status": "category", "attempts": "int64", "retries": "int64", "error": "str", "cause": "str",
               "retry_policy": "str", "entered_event": "int64", "exited_event": "Int64"},
    "attempts": {"execution": "category", "visit": "int64", "state": "category", "path": "category",
                 "attempt": "int64", "kind": "category", "resource": "category", "resource_type": "category",
                 "scheduled": "datetime64[ns, UTC]", "started": "datetime64[ns, UTC]",
                 "ended": "datetime64[ns, UTC]", "queue_ms": "float64", "run_ms": "float64",
                 "outcome": "category", "error": "str", "cause": "str", "backoff_ms": "float64"},
    "executions": {"execution": "category", "state_machine": "category", "status": "category",
                   "start": "datetime64[ns, UTC]", "stop": "datetime64[ns, UTC]", "duration_ms": "float64",
                   "events": "int64", "state_entries": "int64", "retries": "int64", "transitions": "int64",
                   "failures": "int64", "error": "str", "cause": "str", "complete": "bool"},
}


def test_corpus_is_there(corpus: Path) -> None:
    assert len(FILES) >= 100, f"expected the corpus at {CORPUS_DIR}"


@pytest.mark.parametrize("name", FILES)
def test_every_corpus_history_builds_all_frames(corpus: Path, name: str) -> None:
    raw = json.loads((corpus / "histories" / name).read_text())
    index = {e["file"]: e for e in json.loads((corpus / "histories" / "INDEX.json").read_text())}[name]
    f = build(corpus, name)
    for frame_name, dtypes in EXPECTED_DTYPES.items():
        df = getattr(f, frame_name)
        assert {c: str(t) for c, t in df.dtypes.items()} == dtypes, frame_name
    history = raw["history"]
    assert len(f.events) == len(history) == index["n_events"]
    # one visit per *StateEntered event, one attempt per *Scheduled event (counted here from the raw JSON)
    assert len(f.states) == sum(e["type"].endswith("StateEntered") for e in history)
    assert len(f.attempts) == sum(e["type"] in ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled")
                                  for e in history)
    terminal = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionAborted": "ABORTED"}
    assert list(f.executions["status"]) == [terminal[index["terminal_event"]]]
    # a finished execution leaves no visit running, and every state event is attached to a visit
    assert "running" not in set(f.states["status"].astype(str))
    state_events = ~f.events["type"].astype(str).str.startswith("Execution")
    assert f.events.loc[state_events, "visit"].ge(0).all()
    assert f.executions.loc[0, "transitions"] == f.executions.loc[0, "state_entries"] + f.states["retries"].sum()
    assert bool(f.executions.loc[0, "complete"]) == (not index["parallel_events_normalised"])
    # corpus timestamps are placeholders: every time is NaT, never a made-up number
    assert f.events["timestamp"].isna().all() and f.states["duration_ms"].isna().all()


# --- hand-read expectations ---------------------------------------------------------------------------------
# (path, ASL type, status, attempts) for every visit, in entry order; and (status, state_entries, retries,
# failures, error) for the execution.
CASES: dict[str, dict[str, Any]] = {
    # Task retried 3 times (4 LambdaFunctionScheduled), then caught into HandleError.
    "test_base_scenarios__test_lambda_invoke_with_retry_base.json": {
        "visits": [("InvokeLambdaWithRetry", "Task", "caught", 4), ("HandleError", "Pass", "succeeded", 1)],
        "execution": ("SUCCEEDED", 2, 3, 4, None),
        "errors": {"InvokeLambdaWithRetry": "Exception"},
    },
    # MaxAttempts 2: three attempts, all failed, no Catch: the execution fails with the task's error.
    "test_base_scenarios__test_retry_interval_features.json": {
        "visits": [("LambdaTask", "Task", "failed", 3)],
        "execution": ("FAILED", 1, 2, 3, "Exception"),
    },
    # The Map is retried three times (4 MapStateStarted); each try runs iteration 0 into a Fail state.
    "test_base_scenarios__test_map_state_retry_multiple_retriers.json": {
        "visits": [("StartState", "Pass", "succeeded", 1), ("MapState", "Map", "failed", 4)]
        + [("MapState/iter[0]/HandleItemFail", "Fail", "failed", 1)] * 4,
        "execution": ("FAILED", 6, 3, 4, "HandleItemFailError"),
    },
    # Four concurrent iterations (all MapIterationStarted point at MapStateStarted); each task times out.
    "test_timeouts__test_service_lambda_map_timeout.json": {
        "visits": [("MapWait", "Map", "failed", 1)]
        + [(f"MapWait/iter[{i}]/LambdaInvoke", "Task", "failed", 1) for i in range(4)],
        "execution": ("FAILED", 5, 0, 4, "States.Timeout"),
        "outcomes": ["timed_out"] * 4,
    },
    # Map in Map: 2 outer iterations x 3 inner ones.
    "test_base_scenarios__test_map_state_nested.json": {
        "visits": [("MapL1", "Map", "succeeded", 1), ("MapL1/iter[0]/MapL2", "Map", "succeeded", 1)]
        + [(f"MapL1/iter[0]/MapL2/iter[{j}]/MapL2Pass", "Pass", "succeeded", 1) for j in range(3)]
        + [("MapL1/iter[1]/MapL2", "Map", "succeeded", 1)]
        + [(f"MapL1/iter[1]/MapL2/iter[{j}]/MapL2Pass", "Pass", "succeeded", 1) for j in range(3)],
        "execution": ("SUCCEEDED", 9, 0, 0, None),
    },
    # Iterations 0-3 pass the Choice; iteration 4 goes to the Fail state "Break", which fails the Map.
    "test_base_scenarios__test_map_state_break_condition.json": {
        "visits": [("StartState", "Pass", "succeeded", 1), ("MapState", "Map", "failed", 1)]
        + [v for i in range(4) for v in ((f"MapState/iter[{i}]/Equals3", "Choice", "succeeded", 1),
                                         (f"MapState/iter[{i}]/Pass", "Pass", "succeeded", 1))]
        + [("MapState/iter[4]/Equals3", "Choice", "succeeded", 1), ("MapState/iter[4]/Break", "Fail", "failed", 1)],
        "execution": ("FAILED", 12, 0, 1, "SomeFailure"),
        "errors": {"Break": "SomeFailure", "MapState": "SomeFailure"},
    },
    # A branch's Fail state fails the Parallel; its Catch goes to FinalCaught.
    "test_base_scenarios__test_parallel_state_catch.json": {
        "visits": [("ParallelState", "Parallel", "caught", 1), ("ParallelState/branch[0]/Branch1", "Fail", "failed", 1),
                   ("FinalCaught", "Pass", "succeeded", 1)],
        "execution": ("SUCCEEDED", 3, 0, 1, None),
        "errors": {"ParallelState": "FailureType", "Branch1": "FailureType"},
    },
    # Callback task in a Parallel: TaskSubmitted then TaskFailed; TaskStateAborted and ParallelStateFailed
    # both point at the TaskFailed event; the Parallel's Catch (States.ALL) moves on.
    "test_callback__test_sqs_failure_in_wait_for_task_tok_no_error_field__SQS_PARALLEL_WAIT_FOR_TASK_TOKEN.json": {
        "visits": [("ParallelJob", "Parallel", "caught", 1),
                   ("ParallelJob/branch[0]/SendMessageWithWait", "Task", "failed", 1),
                   ("CaughtStatesALL", "Pass", "succeeded", 1)],
        "execution": ("SUCCEEDED", 3, 0, 1, None),
        "outcomes": ["failed"],
    },
    # Two callback tasks in a row, each Scheduled/Started/Submitted/Succeeded once.
    "test_callback__test_sqs_wait_for_task_token_call_chain.json": {
        "visits": [("State1", "Task", "succeeded", 1), ("State2", "Task", "succeeded", 1)],
        "execution": ("SUCCEEDED", 2, 0, 0, None),
        "outcomes": ["succeeded", "succeeded"],
        "resource_types": ["sqs", "sqs"],
    },
    "test_heartbeats__test_heartbeat_path_timeout.json": {
        "visits": [("SendMessageWithWait", "Task", "failed", 1)],
        "execution": ("FAILED", 1, 0, 1, "States.Timeout"),
        "outcomes": ["timed_out"],
    },
    # The loop runs TaskStateCatchRetry twice (two visits, one attempt each).
    "test_comments__test_comments_as_per_docs.json": {
        "visits": [("SetupInitialCondition", "Pass", "succeeded", 1), ("TaskStateCatchRetry", "Task", "succeeded", 1),
                   ("IsComplete", "Choice", "succeeded", 1), ("WaitState", "Wait", "succeeded", 1),
                   ("CorrectCondition", "Pass", "succeeded", 1), ("TaskStateCatchRetry", "Task", "succeeded", 1),
                   ("IsComplete", "Choice", "succeeded", 1), ("SuccessState", "Succeed", "succeeded", 1)],
        "execution": ("SUCCEEDED", 8, 0, 0, None),
        "retry_policy": {"TaskStateCatchRetry": 1},  # MaxAttempts of its Retry
    },
    # Choice loops back three times into a Map of 4 iterations.
    "test_base_scenarios__test_map_state_legacy_reentrant.json": {
        "counts": {"StartState": 1, "BeforeIteration": 3, "IterationBody": 3, "ProcessValue": 12,
                   "CheckIteration": 3, "Terminate": 1},
        "execution": ("SUCCEEDED", 23, 0, 0, None),
    },
    # StopExecution during a Wait: ExecutionAborted points at event 0.
    "test_sfn_api__test_stop_execution__exec_hist_resp.json": {
        "visits": [("State_1", "Wait", "aborted", 1)],
        "execution": ("ABORTED", 1, 0, 0, None),
    },
    "test_activities__test_activity_task_start_timeout.json": {
        "visits": [("ActivityTask", "Task", "failed", 1)],
        "execution": ("FAILED", 1, 0, 1, "States.Timeout"),
        "outcomes": ["timed_out"],
        "kinds": ["activity"],
    },
    # Inside the Map: a task retried once and caught, then the catcher's JSONata fails (EvaluationFailed).
    "test_error_output__test_map_catch_error__MAP_CATCH_ERROR_OUTPUT_WITH_RETRY.json": {
        "visits": [("ProcessItems", "Map", "failed", 1), ("ProcessItems/iter[0]/ProcessItem", "Task", "caught", 2),
                   ("ProcessItems/iter[0]/Fallback", "Pass", "failed", 1)],
        "execution": ("FAILED", 3, 1, 3, "States.QueryEvaluationError"),
        "errors": {"ProcessItem": "Exception", "Fallback": "States.QueryEvaluationError"},
    },
    # Normalised recording: branch events have placeholder ids; branches come from the definition.
    "test_base_scenarios__test_parallel_state_order.json": {
        "visits": [("StartState", "Parallel", "succeeded", 1)]
        + [(f"StartState/branch[{b}]/Branch{b}", "Pass", "succeeded", 1) for b in range(4)],
        "execution": ("SUCCEEDED", 5, 0, 0, None),
    },
    # Normalised recording of a Parallel retried once then caught (its ParallelStateFailed was dropped).
    "test_error_output__test_parallel_catch_error__PARALLEL_CATCH_ERROR_OUTPUT_WITH_RETRY.json": {
        "visits": [("ParallelState", "Parallel", "caught", 2),
                   ("ParallelState/branch[0]/ExecuteLambdaTask", "Task", "failed", 1),
                   ("ParallelState/branch[0]/ExecuteLambdaTask", "Task", "failed", 1),
                   ("Fallback", "Pass", "succeeded", 1)],
        "execution": ("SUCCEEDED", 4, 1, 2, None),
    },
    # Distributed Map: the children run in their own executions; the parent shows the map run.
    "test_base_scenarios__test_map_state_config_distributed_item_selector_parameters.json": {
        "visits": [("Start", "Pass", "succeeded", 1), ("MapState", "Map", "succeeded", 1),
                   ("Finish", "Succeed", "succeeded", 1)],
        "execution": ("SUCCEEDED", 3, 0, 0, None),
        "map_runs": 1,
    },
    # A Choice goes to a Fail state whose Cause comes from the definition (it has no Error).
    "test_assign_base__test_assign_in_choice__CONDITION_FALSE.json": {
        "visits": [("ChoiceState", "Choice", "succeeded", 1), ("DefaultState", "Fail", "failed", 1)],
        "execution": ("FAILED", 2, 0, 1, None),
        "causes": {"DefaultState": "Condition is false"},
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hand_read_expectations(corpus: Path, name: str) -> None:
    case = CASES[name]
    f = build(corpus, name)
    if "visits" in case:
        assert visits(f) == case["visits"]
    if "counts" in case:
        assert f.states.groupby("state", observed=True).size().to_dict() == case["counts"]
        assert set(f.states["status"].astype(str)) == {"succeeded"}
    status, entries, retries, failures, error = case["execution"]
    ex = f.executions.iloc[0]
    assert (str(ex["status"]), int(ex["state_entries"]), int(ex["retries"]), int(ex["failures"])) == \
        (status, entries, retries, failures)
    assert int(ex["transitions"]) == entries + retries
    assert (None if pd.isna(ex["error"]) else ex["error"]) == error
    for state, err in case.get("errors", {}).items():
        got = f.states.loc[f.states["state"] == state, "error"]
        assert set(got) == {err}, state
    for state, cause in case.get("causes", {}).items():
        assert set(f.states.loc[f.states["state"] == state, "cause"]) == {cause}
    if "outcomes" in case:
        assert list(f.attempts["outcome"].astype(str)) == case["outcomes"]
    if "kinds" in case:
        assert list(f.attempts["kind"].astype(str)) == case["kinds"]
    if "resource_types" in case:
        assert list(f.attempts["resource_type"].astype(str)) == case["resource_types"]
    for state, max_attempts in case.get("retry_policy", {}).items():
        policies = f.states.loc[f.states["state"] == state, "retry_policy"]
        assert all(json.loads(p)[0]["MaxAttempts"] == max_attempts for p in policies)
    if "map_runs" in case:
        assert f.events["map_run_arn"].notna().sum() == case["map_runs"]


def test_hand_read_cases_cover_retries_and_nesting() -> None:
    """The brief asks for retry-heavy and nested Parallel/Map scenarios among the hand-read ones."""
    index = {e["file"]: e for e in json.loads((CORPUS_DIR / "INDEX.json").read_text())}
    features = [set(index[name]["features"]) for name in CASES]
    assert len(CASES) >= 12
    assert sum("retries_observed" in f for f in features) >= 4
    assert sum("parallel" in f for f in features) >= 3
    assert sum("map_inline" in f for f in features) >= 5


def test_attempts_of_a_retried_task_in_order(corpus: Path) -> None:
    f = build(corpus, "test_base_scenarios__test_lambda_invoke_with_retry_base.json")
    at = f.attempts
    assert list(at["attempt"]) == [1, 2, 3, 4]
    assert set(at["kind"].astype(str)) == {"lambda"}
    assert set(at["error"]) == {"Exception"}
    assert at["resource"].astype(str).str.contains(":function:").all()
    # every event of the visit, including LambdaFunctionStarted (no details), knows its resource type
    lam = f.events[f.events["type"].astype(str).str.startswith("LambdaFunction")]
    assert set(lam["resource_type"].astype(str)) == {"lambda"}


def test_payloads_are_json_text_even_when_recorded_as_objects(corpus: Path) -> None:
    name = "test_base_scenarios__test_lambda_invoke_with_retry_base.json"
    h = load_history(corpus / "histories" / name)
    started = h.events[0]
    assert isinstance(started.details["input"], str)
    assert json.loads(started.details["input"]) == {"Value1": "HelloWorld!", "Value2": None}
    failed = next(e for e in h.events if e.type == "LambdaFunctionFailed")
    assert json.loads(failed.cause or "")["errorType"] == "Exception"
    ev = frames(h, payloads=True).events
    assert json.loads(ev.loc[0, "input"]) == {"Value1": "HelloWorld!", "Value2": None}
    assert ev.loc[0, "input_size"] == len(ev.loc[0, "input"].encode())
