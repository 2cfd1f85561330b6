"""Frames built column-wise across executions (batches) equal frames built one history at a time.

The batch path reads wire-format histories with one pass per column and checks them all at once; any history
that fails a check (placeholder ids, reversed or missing events, unknown types, millisecond or text timestamps,
a pending nextToken...) is normalised alone. These tests mix such histories into real fleets and compare with
the one-by-one path (``load_histories`` first: every history normalised on its own), warnings included.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import orjson
import pandas as pd
import pytest

from bench.fleet_shapes import real_fleet
from workbench.history import frames, load_histories
from workbench.history.frames import HistoryFrames
from workbench.history.load.batch import iter_batches
from workbench.history.load.definitions import DefinitionInterner

TABLES = ("events", "states", "attempts", "executions")


def _odd(doc: dict[str, Any], how: str) -> dict[str, Any]:  # Any: wire JSON
    """A copy of a wire-format history made unusual in one way."""
    d = copy.deepcopy(doc)
    ev = d["events"]
    if how == "reversed":
        ev.reverse()
    elif how == "missing":
        del ev[len(ev) // 2]
    elif how == "unknown":
        ev.insert(1, {"id": 0, "previousEventId": 1, "type": "QuantumStateEntangled", "timestamp": ev[0]["timestamp"]})
        for i, e in enumerate(ev, 1):
            e["id"] = i
    elif how == "millis":
        for e in ev:
            e["timestamp"] = int(e["timestamp"] * 1000)
    elif how == "iso":
        for e in ev:
            e["timestamp"] = pd.Timestamp(e["timestamp"], unit="s", tz="UTC").isoformat()
    elif how == "placeholder":
        for e in ev[1:-1]:
            e["id"], e["previousEventId"] = [0], 0
    elif how == "next_token":
        d["nextToken"] = "more"
    elif how == "declared":
        d["status"] = "SUCCEEDED"
        ev.pop()
    elif how == "backwards":
        ev[-1]["timestamp"] = ev[0]["timestamp"] - 5
    elif how == "no_arn":
        del d["executionArn"]
    elif how == "text_definition":
        d["definition"] = orjson.dumps(d["definition"]).decode()
    elif how == "int_times":
        for e in ev:
            e["timestamp"] = int(e["timestamp"])
    return d


ODD = ("reversed", "missing", "unknown", "millis", "iso", "placeholder", "next_token", "declared", "backwards",
       "no_arn", "text_definition", "int_times")


@pytest.fixture(scope="module")
def mixed() -> list[bytes]:
    """A real fleet with every kind of unusual history mixed in, several times over."""
    blobs = list(real_fleet(4_000, seed=9))
    out: list[bytes] = []
    for i, blob in enumerate(blobs):
        out.append(blob)
        if i % 7 == 3:
            doc = orjson.loads(blob)
            if len(doc["events"]) > 3:
                out.append(orjson.dumps(_odd(doc, ODD[(i // 7) % len(ODD)])))
    return out


def _built(how: str, blobs: list[bytes]) -> tuple[HistoryFrames, list[tuple[type, str]]]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        f = frames(blobs) if how == "batched" else frames(load_histories(blobs))
        for table in TABLES:
            getattr(f, table)
    return f, [(type(w.message), str(w.message)) for w in seen]


def test_batched_frames_equal_one_by_one(mixed: list[bytes]) -> None:
    batched, batched_warnings = _built("batched", mixed)
    alone, alone_warnings = _built("alone", mixed)
    assert len(batched.executions) == len(mixed)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(batched, table), getattr(alone, table), check_exact=True, obj=table)
    assert batched_warnings == alone_warnings
    assert {w.__name__ for w, _ in batched_warnings} == {
        "BackwardsTimestampsWarning", "IncompleteHistoryWarning", "PlaceholderIdsWarning", "TruncatedHistoryWarning",
        "UnknownEventTypeWarning"}
    assert not batched.executions["complete"].all() and batched.executions["complete"].any()


def test_batch_size_does_not_change_the_frames(mixed: list[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = frames(mixed)
        sizes = [len(b.heads) for b in iter_batches(mixed, events=7)]
        assert len(sizes) > 100 and sum(sizes) == len(mixed)
        monkeypatch.setitem(iter_batches.__kwdefaults__, "events", 7)
        small = frames(mixed)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(small, table), getattr(whole, table), check_exact=True, obj=table)


def test_histories_and_bytes_keep_their_order(mixed: list[bytes]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = load_histories(mixed[:40])
        sources: list[Any] = [x for pair in zip(loaded[:20], mixed[20:40], strict=True) for x in pair]  # Any: mixed
        f = frames(sources)
        want = [h.execution_arn for h in loaded[:20]]
        names = list(f.executions["execution"].astype(str))
    assert names[0::2] == want
    assert names[1::2] == [h.execution_arn for h in loaded[20:40]]


def test_a_new_definition_version_gets_its_own_retry_policy() -> None:
    doc = orjson.loads(next(b for b in real_fleet(3_000) if b'"Retry"' in b))
    task = next(name for name, st in doc["definition"]["States"].items() if "Retry" in st)
    changed = copy.deepcopy(doc)
    changed["definition"]["States"][task]["Retry"][0]["MaxAttempts"] = 99
    runs = [{**d, "executionArn": f"{doc['executionArn']}-{i}"} for i, d in enumerate((doc, changed, doc))]
    f = frames([orjson.dumps(d) for d in runs])
    policies = f.states[f.states["state"] == task].groupby("execution", observed=True, sort=False)["retry_policy"]
    first = [p.iloc[0] for _, p in policies]
    assert len(first) == 3
    assert '"MaxAttempts":99' in first[1] and '"MaxAttempts":99' not in first[0] and first[0] == first[2]


def test_definitions_are_interned_by_content() -> None:
    blobs = list(real_fleet(2_000))
    defs = [p.definition for b in iter_batches(blobs) for p in b.heads]
    by_machine: dict[str, set[int]] = {}
    for b in iter_batches(blobs):
        for h in b.heads:
            by_machine.setdefault(str(h.state_machine_arn), set()).add(id(h.definition))
    assert len(defs) == len(blobs) and all(len(ids) == 1 for ids in by_machine.values())


def test_interning_reads_the_text_only_when_the_key_is_top_level() -> None:
    a = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    b = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}}  # same key, other content
    interner = DefinitionInterner()
    assert interner.intern(a, "sm") is a
    # the text before the top-level key holds an object with a "definition" that reads like the first one
    text = b'{"note":{"definition":' + orjson.dumps(a) + b'},"definition":' + orjson.dumps(b) + b"}"
    assert interner.intern(orjson.loads(text)["definition"], "sm", text) == b
    text = b'{"definition":' + orjson.dumps(b) + b"}"
    assert interner.intern(orjson.loads(text)["definition"], "sm", text) == b


def test_a_definition_seen_before_is_not_parsed_again() -> None:
    blob = next(b for b in real_fleet(500) if len(orjson.dumps(orjson.loads(b)["definition"])) > 200)
    interner = DefinitionInterner()
    first, known = interner.parse(blob)
    assert known is None
    definition = interner.intern(first["definition"], first["stateMachineArn"], blob)
    doc, known = interner.parse(blob)
    assert known is definition and doc["definition"] is None and doc["events"] == first["events"]
    other = blob.replace(b'"Type"', b'"Type" ', 1)  # the same definition in other text: parsed
    assert b'"Type" ' in other[:other.index(b'"events"')]
    doc, known = interner.parse(other)
    assert known is None and doc["definition"] == definition
