"""Honest about incomplete or odd input (issue #12): cut histories are INCOMPLETE, clocks running backwards
are named and never give negative durations, exhausted retriers are seen without the definition, and
folders are read recursively (the layout ``workbench history fetch -o DIR`` writes included).
"""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.conftest import CORPUS
from tests.history.hand_histories import Builder, exec_arn, fn_arn, payment, ten_states, tolerant_map
from workbench.history import HistoryWarning, IncompleteHistoryWarning, frames, load_histories, load_history
from workbench.history.analysis import failures, slowest_executions, state_latency
from workbench.history.analysis.retries import backoff_check, retry_summary
from workbench.history.fetch import HistoryCache
from workbench.history.load.events import BackwardsTimestampsWarning, TruncatedHistoryWarning

RECORDED = Path(__file__).parent / "data" / "incident_triage_run.json"
ARN = "arn:aws:states:us-east-1:123456789012:execution:incident_triage:recorded-triage-1"


def recorded() -> dict[str, Any]:
    return json.loads(RECORDED.read_text())  # type: ignore[no-any-return]


def first_page(size: int = 30, key: str = "nextToken") -> dict[str, Any]:
    """The first page of ``get_execution_history`` saved as it came: ``size`` events and a pending token."""
    doc = recorded()
    return {"events": doc["events"][:size], key: "AAAAKgAAAAIAAAAAAAAAA…", "executionArn": doc["executionArn"]}


# --- INCOMPLETE -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["nextToken", "NextToken"])  # the API's, and the AWS CLI's --max-items output
def test_a_history_with_a_pending_next_token_is_incomplete_in_every_frame(key: str) -> None:
    with pytest.warns(TruncatedHistoryWarning, match="nextToken was still pending"):
        h = load_history(first_page(key=key))
    assert h.status == "INCOMPLETE" and not h.complete and h.truncated
    f = frames(h)
    assert list(f.executions["status"]) == ["INCOMPLETE"] and not f.executions.loc[0, "complete"]
    assert np.isnan(f.executions.loc[0, "duration_ms"])  # no end: no duration, not a made-up one
    assert "running" not in set(f.states["status"].astype(str))
    open_at_cut = f.states[f.states["exited"].isna()]
    assert len(open_at_cut) and set(open_at_cut["status"].astype(str)) == {"incomplete"}
    assert set(f.attempts["outcome"].astype(str)) <= {"succeeded", "incomplete"}
    # the analyses carry the status through
    assert set(slowest_executions(f)["status"]) <= {"INCOMPLETE"}
    assert failures(f).empty


def test_a_finished_execution_without_its_end_event_is_incomplete() -> None:
    doc = recorded()
    cut = {**doc, "events": doc["events"][:-3], "status": "SUCCEEDED"}  # e.g. the fetch cache's status field
    with pytest.warns(TruncatedHistoryWarning, match="SUCCEEDED but the history stops before its end"):
        assert load_history(cut).status == "INCOMPLETE"


def test_a_running_execution_is_not_incomplete() -> None:
    doc = recorded()
    with warnings.catch_warnings():
        warnings.simplefilter("error", HistoryWarning)
        running = load_history({**doc, "events": doc["events"][:-3]})  # nothing says it has ended
        assert running.status == "RUNNING" and running.complete
        assert load_history({**doc, "status": "SUCCEEDED"}).status == "SUCCEEDED"


def test_a_failure_in_a_cut_history_has_an_undecided_fate() -> None:
    doc = tolerant_map()  # iteration 1 reaches a Fail state early; the Map goes on (and, in full, succeeds)
    events = doc["history"]
    cut = next(k for k, e in enumerate(events) if e["type"] == "MapIterationFailed") + 1
    page = {"events": events[:cut], "nextToken": "more", "definition": doc["definition"]}
    with pytest.warns(TruncatedHistoryWarning):
        f = frames(load_history(page, execution_arn="cut"))
    origin = failures(f)
    assert list(origin["state"]) == ["Bad"] and list(origin["fate"]) == ["undecided"]
    whole = failures(frames(load_history(doc, execution_arn="whole")))
    assert list(whole["fate"]) == ["tolerated"]


def test_incomplete_is_an_incomplete_history_warning() -> None:
    assert issubclass(TruncatedHistoryWarning, IncompleteHistoryWarning)


# --- clocks running backwards -------------------------------------------------------------------------------
def test_timestamps_running_backwards_are_named_and_give_no_negative_duration() -> None:
    doc = ten_states()
    events = copy.deepcopy(doc["history"])
    fetch_exit = next(e for e in events if e["type"] == "TaskStateExited")
    fetch_exit["timestamp"] = "2026-03-02T08:59:59.000+00:00"  # before the run even started
    with pytest.warns(BackwardsTimestampsWarning) as caught:
        h = load_history({**doc, "history": events}, execution_arn=exec_arn("M", "clock"))
    message = str(caught[0].message)
    assert f"event {fetch_exit['id']} (TaskStateExited)" in message and "before event" in message
    f = frames(h)
    for frame, columns in (("states", ["duration_ms", "started_after_ms"]), ("attempts", ["queue_ms", "run_ms",
                                                                                      "backoff_ms"]),
                           ("executions", ["duration_ms"]), ("events", ["elapsed_ms"])):
        df = getattr(f, frame)
        for column in columns:
            assert not (df[column] < 0).any(), (frame, column)
    fetch = f.states.set_index("state").loc["Fetch"]
    assert np.isnan(fetch["duration_ms"])
    assert (state_latency(f)["p50_ms"].dropna() >= 0).all()


def test_interleaved_concurrent_branches_are_not_a_clock_problem() -> None:
    """Concurrent branches may be written a little out of time order; only a step back along a chain counts."""
    doc = recorded()
    events = doc["events"]
    search_done = next(e for e in events if e["type"] == "TaskStateExited"
                       and e["stateExitedEventDetails"]["name"] == "search_logs")  # the end of branch search_logs
    later_branch = next(e for e in events if e["id"] > search_done["id"] and e["type"] == "TaskStateEntered")
    assert later_branch["previousEventId"] != search_done["id"]
    assert not any(e["previousEventId"] == search_done["id"] for e in events)  # nothing follows it on its chain
    search_done["timestamp"] = later_branch["timestamp"] + 0.5  # written before an event of another branch
    ids = [e["id"] for e in sorted(events, key=lambda e: e["timestamp"])]
    assert ids != sorted(ids)  # id order is no longer time order
    with warnings.catch_warnings():
        warnings.simplefilter("error", BackwardsTimestampsWarning)
        load_history(doc)


# --- exhausted retriers ------------------------------------------------------------------------------------
def test_an_exhausted_retrier_is_recognised_without_the_definition(corpus: Path) -> None:
    path = corpus / "histories" / "test_base_scenarios__test_retry_interval_features.json"
    with_def = load_history(path)
    without = load_history(path)
    without.definition = None
    for h in (with_def, without):
        check = backoff_check(frames(h))
        assert list(check["verdict"]) == ["retried", "retried", "exhausted"], h.definition is None
        summary = retry_summary(frames(h))
        assert int(summary["exhausted"].sum()) == 1 and int(summary["not_retried"].sum()) == 0


def test_without_the_definition_retried_exhausted_and_not_retried_are_told_apart(corpus: Path) -> None:
    h = load_history(corpus / "histories" / "test_base_scenarios__test_lambda_invoke_with_retry_base.json")
    h.definition = None
    verdicts = list(backoff_check(frames(h))["verdict"])
    assert verdicts == ["retried", "retried", "retried", "exhausted"]  # retried 3 times, then caught
    throttled = ten_states(throttles=2)  # throttled twice, then it worked: never exhausted
    check = backoff_check(frames(load_history({**throttled, "definition": None}, execution_arn="r")))
    assert list(check["verdict"]) == ["retried", "retried"]
    declined = payment("4242", "o-1", caught=True)  # one failure, never retried: no retrier handled it
    check = backoff_check(frames(load_history({**declined, "definition": None}, execution_arn="p")))
    assert list(check["verdict"]) == ["not_retried"]


def cancelled_mid_retry() -> dict[str, Any]:
    """Probe fails at 10 ms with a 60 s retry due; at 100 ms Pull fails its branch, which cancels Probe's."""
    definition = {"StartAt": "Gather", "States": {"Gather": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Pull", "States": {"Pull": {"Type": "Task", "Resource": fn_arn("pull"), "End": True}}},
        {"StartAt": "Probe", "States": {"Probe": {
            "Type": "Task", "Resource": fn_arn("probe"), "End": True,
            "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 60}]}}}]}}}
    b = Builder(definition)
    e = b.execution_started()
    g = b.ev(1, e, "ParallelStateEntered", stateEnteredEventDetails={"name": "Gather", "input": "{}"})
    gs = b.ev(2, g, "ParallelStateStarted")
    b.lambda_task("Probe", "probe", 3, gs, [(1, 1, 5, "Lambda.TooManyRequestsException", "Rate exceeded")],
                  exit_after=None)
    pull, now = b.lambda_task("Pull", "pull", 3, gs, [(90, 1, 6, "Pull.Broken", "disk on fire")], exit_after=None)
    failed = b.ev(now + 1, pull, "ParallelStateFailed", error="Pull.Broken", cause="disk on fire")
    b.failed(now + 2, failed, "Pull.Broken", "disk on fire")
    return b.doc()


def test_a_retry_cancelled_before_it_started_is_interrupted_not_a_retry() -> None:
    """A Parallel branch's failure cancels a sibling waiting to retry: that retry never ran, so it isn't counted.

    On the embedded engine, which of the two comes first depends on thread timing; every count must agree
    either way (notebook 03 checks the retry counts of three frames against each other).
    """
    f = frames(load_history(cancelled_mid_retry(), execution_arn=exec_arn("gather", "cancelled")))
    probe = backoff_check(f).set_index("state").loc["Probe"]
    assert (probe["verdict"], int(probe["n"])) == ("interrupted", 1)
    summary = retry_summary(f).loc[("Probe", "Lambda.TooManyRequestsException")]
    assert (int(summary["failed_tries"]), int(summary["retries"]), int(summary["interrupted"])) == (1, 0, 1)
    assert np.isnan(summary["backoff_ms"])
    assert int(retry_summary(f)["retries"].sum()) == int(f.executions["retries"].sum()) == 0
    assert (f.attempts["attempt"] > 1).sum() == 0


# --- folders -------------------------------------------------------------------------------------------------
def test_folders_are_read_recursively_in_the_fetch_cache_layout(tmp_path: Path) -> None:
    cache = HistoryCache(tmp_path / "fetched")  # exactly what `workbench history fetch -o DIR` writes
    doc = recorded()
    payload = {"executionArn": doc["executionArn"], "stateMachineArn": doc["stateMachineArn"], "status": "SUCCEEDED",
               "includeExecutionData": True, "events": doc["events"], "definition": doc["definition"]}
    written = cache.put(payload)
    assert written.parent.parent == tmp_path / "fetched"  # <DIR>/<2 hex>/<name>-<digest>.json
    (written.parent / f".{written.name}.x.tmp").write_text("half a file")  # an atomic write in progress
    extra = tmp_path / "fetched" / "more" / "deeper"
    extra.mkdir(parents=True)
    (extra / "corpus.json").write_text((CORPUS / "histories" / "test_base__test_state_fail.json").read_text())
    (tmp_path / "fetched" / "INDEX.json").write_text("[]")
    histories = load_histories(tmp_path / "fetched")
    assert sorted(h.execution_arn for h in histories) == sorted([ARN, "corpus"])
    triage = next(h for h in histories if h.execution_arn == ARN)
    assert triage.definition == doc["definition"] and triage.status == "SUCCEEDED"
    assert set(frames(histories).executions["status"].astype(str)) == {"SUCCEEDED", "FAILED"}


def test_anonymous_histories_get_different_names_for_different_runs() -> None:
    doc = recorded()
    a = load_history({"events": doc["events"]})
    shifted = [{**e, "timestamp": e["timestamp"] + 60} for e in doc["events"]]
    b = load_history({"events": shifted})
    assert a.execution_arn.startswith("execution-") and a.execution_arn != b.execution_arn
    assert load_history({"events": doc["events"]}).execution_arn == a.execution_arn  # the same history, same name
    assert pd.Series([a.execution_arn]).str.fullmatch(r"execution-[0-9a-f]{8}").all()
