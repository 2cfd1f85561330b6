"""Branch and iteration identity never depends on event order (issue #12).

A recorded history whose Parallel branches / Map iterations are written in another interleaving (ids and
``previousEventId`` renumbered consistently, see ``reinterleave.py``) must give the same
(state, path, status) rows as the original, with and without the definition. Without the definition a
branch is named by its first state (``Gather/branch:Pull/Pull``), never by the order branches started.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from tests.history.hand_histories import FANOUT, fanout
from tests.history.reinterleave import reinterleave, reverse_threads, round_robin, threads_moved
from workbench.history import HistoryWarning, frames, load_history

#: A run of missions/incident_triage.yaml recorded from the embedded engine (``get_execution_history`` events
#: plus the definition): a Parallel of three Task branches and a Map of four concurrent iterations.
RECORDED = Path(__file__).parent / "data" / "incident_triage_run.json"
CORPUS_DIR = CORPUS / "histories"


def _movable(path: Path) -> bool:
    history = json.loads(path.read_text())["history"]
    return all(isinstance(e.get("id"), int) for e in history) and threads_moved(history) > 0


#: Corpus recordings with concurrent threads and real ids (the recorder replaced the ids of most
#: multi-branch Parallels by placeholders, and its Map iterations are chained one after another).
CORPUS_CASES = sorted(p.name for p in CORPUS_DIR.glob("*.json") if p.name != "INDEX.json" and _movable(p))


def rows(doc: dict[str, Any], with_definition: bool) -> list[tuple[str, str, str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)  # re-ordered timestamps run backwards, by design
        h = load_history(doc, execution_arn="arn:aws:states:us-east-1:123456789012:execution:M:r")
    if not with_definition:
        h.definition = None
    st = frames(h).states
    return sorted(zip(st["state"].astype(str), st["path"].astype(str), st["status"].astype(str), strict=True))


def with_events(doc: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    key = "history" if "history" in doc else "events"
    return {**doc, key: events}


def events_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["history"] if "history" in doc else doc["events"]  # type: ignore[no-any-return]


def recorded() -> dict[str, Any]:
    return json.loads(RECORDED.read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("with_definition", [True, False], ids=["definition", "no-definition"])
@pytest.mark.parametrize("order", [reverse_threads, round_robin], ids=["reversed", "round-robin"])
@pytest.mark.parametrize("source", ["recorded", *CORPUS_CASES])
def test_reinterleaved_recorded_history_gives_the_same_rows(source: str, order: Any, with_definition: bool) -> None:
    doc = recorded() if source == "recorded" else json.loads((CORPUS_DIR / source).read_text())
    moved = with_events(doc, reinterleave(events_of(doc), order))
    assert [e["type"] for e in events_of(moved)] != [e["type"] for e in events_of(doc)]
    assert rows(moved, with_definition) == rows(doc, with_definition)


def test_the_recording_has_a_parallel_and_a_concurrent_map() -> None:
    doc = recorded()
    assert threads_moved(doc["events"]) == 2
    names = {p for _s, p, _st in rows(doc, False)}
    assert {"gather_evidence/branch:search_logs/search_logs", "gather_evidence/branch:query_metrics/query_metrics",
            "gather_evidence/branch:list_deploys/list_deploys"} <= names
    assert {f"probe_hosts/iter[{i}]/probe_host" for i in range(4)} <= names
    assert all(status == "succeeded" for _s, _p, status in rows(doc, True))


@pytest.mark.parametrize("with_definition", [True, False], ids=["definition", "no-definition"])
@pytest.mark.parametrize("order", [reverse_threads, round_robin], ids=["reversed", "round-robin"])
def test_reinterleaved_parallel_and_map_give_the_same_rows(order: Any, with_definition: bool) -> None:
    doc = fanout()
    moved = with_events(doc, reinterleave(doc["history"], order))
    assert threads_moved(doc["history"]) == 2  # the Parallel and the Map (hand-built, with real timestamps)
    assert rows(moved, with_definition) == rows(doc, with_definition)


def test_branches_are_numbered_as_the_definition_does_else_named_by_their_first_state() -> None:
    doc = fanout()
    moved = with_events(doc, reinterleave(doc["history"]))  # branch 1 (Index) now starts first
    first_entered = [e["stateEnteredEventDetails"]["name"] for e in moved["history"]
                     if e["type"].endswith("StateEntered")][2]
    assert first_entered == "Index"
    with_def = {p for _s, p, _st in rows(moved, True) if "/branch" in p}
    assert with_def == {"Gather/branch[0]/Pull", "Gather/branch[1]/Index", "Gather/branch[1]/Settle"}
    without = {p for _s, p, _st in rows(moved, False) if "/branch" in p}
    assert without == {"Gather/branch:Pull/Pull", "Gather/branch:Index/Index", "Gather/branch:Index/Settle"}
    assert FANOUT["States"]["Gather"]["Branches"][1]["StartAt"] == "Index"


def test_branch_tasks_are_in_their_branch_without_the_definition() -> None:
    """The tester's case: without the definition, a branch's Task was filed under the wrong branch."""
    doc = fanout()
    moved = with_events(doc, reinterleave(doc["history"], round_robin))
    got = {(s, p) for s, p, st in rows(moved, False) if st == "succeeded"}
    assert ("Pull", "Gather/branch:Pull/Pull") in got and ("Settle", "Gather/branch:Index/Settle") in got
