"""The launcher's live tally, checked against the history frames on recorded AWS histories from the corpus.

Two independent readings of the same events (the live reducer and ``workbench.history.frames``) must
agree on the execution's outcome and on every state's retries and final status.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from workbench.history import frames, load_history
from workbench.widgets.launcher.live import LiveProgress

_STATUS = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionAborted": "ABORTED",
           "ExecutionTimedOut": "TIMED_OUT"}


def recorded(corpus: Path) -> list[Path]:
    """Finished recordings whose event ids are real (not normalised placeholders)."""
    index = json.loads((corpus / "histories" / "INDEX.json").read_text())
    return [corpus / "histories" / item["file"] for item in index
            if not item.get("parallel_events_normalised")
            and item.get("terminal_event") in _STATUS]


def test_there_are_recordings_to_check(corpus: Path) -> None:
    assert len(recorded(corpus)) >= 10


def test_live_tally_agrees_with_the_history_frames(corpus: Path) -> None:
    checked = 0
    for path in recorded(corpus):
        events = json.loads(path.read_text())["history"]
        live = LiveProgress().extend(events)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = frames(load_history(path))
        assert live.status == str(f.executions["status"].iloc[0]) == _STATUS[events[-1]["type"]], path.name
        assert live.events == len(events)
        states = f.states.assign(state=f.states["state"].astype(str), status=f.states["status"].astype(str))
        for name, rows in states.groupby("state"):
            tally = live.states.get(str(name))
            assert tally is not None, (path.name, name)
            if rows["type"].astype(str).iloc[0] in ("Task",):
                assert tally.retries == int(rows["retries"].sum()), (path.name, name)
            if len(rows) == 1 and rows["status"].iloc[0] in ("succeeded", "caught", "failed"):
                expected = rows["status"].iloc[0]
                assert tally.status(live.status) == expected, (path.name, name, expected)
        checked += 1
    assert checked >= 10


def test_overlay_marks_a_running_state_and_a_fail_state() -> None:
    p = LiveProgress()
    p.add({"id": 1, "previousEventId": 0, "type": "ExecutionStarted"})
    p.add({"id": 2, "previousEventId": 1, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Pull"}})
    p.add({"id": 3, "previousEventId": 2, "type": "TaskScheduled"})
    p.add({"id": 4, "previousEventId": 3, "type": "TaskFailed", "taskFailedEventDetails": {"error": "Boom"}})
    p.add({"id": 5, "previousEventId": 4, "type": "TaskScheduled"})
    assert p.overlay()["Pull"].status == "running" and p.overlay()["Pull"].retries == 1
    assert p.overlay()["Pull"].error == "Boom"
    p.add({"id": 6, "previousEventId": 5, "type": "TaskFailed", "taskFailedEventDetails": {"error": "Boom"}})
    p.add({"id": 7, "previousEventId": 6, "type": "TaskStateExited", "stateExitedEventDetails": {"name": "Pull"}})
    p.add({"id": 8, "previousEventId": 7, "type": "FailStateEntered", "stateEnteredEventDetails": {"name": "Stop"}})
    p.add({"id": 9, "previousEventId": 8, "type": "ExecutionFailed",
           "executionFailedEventDetails": {"error": "Broke", "cause": "it did"}})
    assert (p.status, p.error, p.cause) == ("FAILED", "Broke", "it did")
    assert p.overlay()["Pull"].status == "caught" and p.overlay()["Stop"].status == "failed"
    assert p.done and p.retries == 1


@pytest.mark.parametrize("text", ['{"a": 1}', "[1, 2]", '"plain"'])
def test_input_box_accepts_any_json(text: str) -> None:
    from workbench.widgets.launcher.launch_settings import check_input

    assert check_input(text).value == json.loads(text)


def test_a_redrive_reopens_the_execution_and_the_state_that_did_not_finish() -> None:
    p = LiveProgress()
    p.add({"id": 1, "previousEventId": 0, "type": "ExecutionStarted"})
    p.add({"id": 2, "previousEventId": 1, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Sum"}})
    p.add({"id": 3, "previousEventId": 2, "type": "TaskScheduled"})
    p.add({"id": 4, "previousEventId": 3, "type": "TaskFailed", "taskFailedEventDetails": {"error": "Boom"}})
    p.add({"id": 5, "previousEventId": 4, "type": "ExecutionFailed", "executionFailedEventDetails": {"error": "Boom"}})
    assert p.history_ended and p.status == "FAILED" and p.overlay()["Sum"].status == "failed"
    p.add({"id": 6, "previousEventId": 5, "type": "ExecutionRedriven",
           "executionRedrivenEventDetails": {"redriveCount": 1}})
    assert not p.history_ended and p.status == "RUNNING" and p.error is None
    p.add({"id": 7, "previousEventId": 6, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Sum"}})
    p.add({"id": 8, "previousEventId": 7, "type": "TaskScheduled"})
    assert p.overlay()["Sum"].status == "running"
    p.add({"id": 9, "previousEventId": 8, "type": "TaskSucceeded"})
    p.add({"id": 10, "previousEventId": 9, "type": "TaskStateExited", "stateExitedEventDetails": {"name": "Sum"}})
    p.add({"id": 11, "previousEventId": 10, "type": "ExecutionSucceeded",
           "executionSucceededEventDetails": {"output": "{}"}})
    assert p.history_ended and p.status == "SUCCEEDED" and p.overlay()["Sum"].status == "succeeded"
    assert p.states["Sum"].retries == 0  # the redrive ran the state again: a new visit, not a retry
