"""The benchmark's real fleet shape: corpus copies with fresh ARNs, spread over days, analysed like the originals."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date

import numpy as np
import orjson
import pandas as pd
import pytest

from bench.fleet_shapes import CORPUS, load_recording, machine_name, real_fleet, recordings, synthetic_fleet
from workbench.history import HistoryWarning, frames, history_files, load_histories, load_history
from workbench.history.frames import HistoryFrames

RECORDINGS = recordings()
N_RECORDINGS = len(RECORDINGS)
#: Columns that do not depend on the ARN or on the (invented) times.
SAME = {
    "states": ["visit", "state", "type", "path", "depth", "parent_visit", "status", "attempts", "retries", "error",
               "cause", "retry_policy", "entered_event", "exited_event"],
    "attempts": ["visit", "state", "path", "attempt", "kind", "resource", "resource_type", "outcome", "error",
                 "cause"],
    "events": ["id", "previous_id", "id_known", "type", "state", "path", "visit", "error", "cause", "resource",
               "resource_type", "map_run_arn", "iteration", "input_size", "output_size"],
    "executions": ["status", "events", "state_entries", "retries", "transitions", "failures", "error", "cause",
                   "complete"],
}
#: Columns that only move with the copy's start.
TIMES = {"states": ["entered", "exited"], "attempts": ["scheduled", "started", "ended"], "events": ["timestamp"],
         "executions": ["start", "stop"]}
DURATIONS = {"states": ["duration_ms", "started_after_ms"], "attempts": ["queue_ms", "run_ms", "backoff_ms"],
             "events": ["elapsed_ms"], "executions": ["duration_ms"]}


def quiet_frames(sources: object) -> HistoryFrames:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)  # the five normalised recordings warn, by design
        return frames(sources)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def two_cycles() -> list[bytes]:
    """Every recording copied twice (two full cycles of the corpus)."""
    total = sum(r.n_events for r in RECORDINGS)
    blobs = list(real_fleet(2 * total, days=3))
    assert len(blobs) == 2 * N_RECORDINGS
    return blobs


@pytest.fixture(scope="module")
def docs(two_cycles: list[bytes]) -> list[dict[str, object]]:
    return [orjson.loads(b) for b in two_cycles]


def test_it_streams_and_is_deterministic() -> None:
    stream = real_fleet(300, seed=4)
    assert isinstance(stream, Iterator)
    first = list(stream)
    assert first == list(real_fleet(300, seed=4))
    assert sum(len(orjson.loads(b)["events"]) for b in first) >= 300
    other = [orjson.loads(b)["executionArn"] for b in real_fleet(300, seed=5)]
    assert set(other).isdisjoint(orjson.loads(b)["executionArn"] for b in first)


def test_fresh_unique_arns_under_the_recordings_machine_names(docs: list[dict[str, object]]) -> None:
    arns = [str(d["executionArn"]) for d in docs]
    assert len(set(arns)) == len(arns)
    names = {r.name for r in RECORDINGS}
    for d, arn in zip(docs, arns, strict=True):
        prefix, name, run = arn.rsplit(":", 2)
        assert prefix == "arn:aws:states:us-east-1:123456789012:execution"
        assert name in names and len(name) <= 80 and len(run) == 36
        assert d["stateMachineArn"] == f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
        assert isinstance(d["definition"], dict) and "States" in d["definition"]


def test_wire_format_events(docs: list[dict[str, object]]) -> None:
    for d in docs:
        events = d["events"]
        assert isinstance(events, list)
        ts = [e["timestamp"] for e in events]
        assert all(type(t) is float for t in ts) and ts == sorted(ts)
        for e in events:
            for details in (v for k, v in e.items() if k.endswith("EventDetails")):
                assert all(type(details[f]) is str for f in ("input", "output", "cause", "parameters")
                           if f in details)


def test_starts_spread_in_order_over_the_days_ending_first_december(two_cycles: list[bytes]) -> None:
    ex = quiet_frames(two_cycles).executions
    starts = ex["start"]
    assert starts.is_monotonic_increasing
    days = sorted(set(starts.dt.date))
    assert days == [date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1)]
    per_day = starts.dt.date.value_counts()
    assert per_day.max() - per_day.min() <= 2


def _by_recording(f: HistoryFrames, table: str, name_of: dict[str, str]) -> pd.DataFrame:
    """The table's rows grouped by recording (stable: each execution's own order is kept), with a ``rec`` column."""
    df = getattr(f, table)
    rec = df["execution"].astype(str).map(name_of)
    return df.assign(rec=rec).sort_values("rec", kind="stable").reset_index(drop=True)


def test_copies_analyse_like_their_originals(two_cycles: list[bytes], docs: list[dict[str, object]]) -> None:
    files = [r.path for r in RECORDINGS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)
        orig = frames(load_histories(files))
    orig_name = {p.stem: machine_name(p.stem) for p in files}
    copy_name = {str(d["executionArn"]): str(d["executionArn"]).rsplit(":", 2)[1] for d in docs}
    first, second = quiet_frames(two_cycles[:N_RECORDINGS]), quiet_frames(two_cycles[N_RECORDINGS:])
    for table, columns in SAME.items():
        want = _by_recording(orig, table, orig_name)
        a, b = _by_recording(first, table, copy_name), _by_recording(second, table, copy_name)
        assert len(want) == len(a) == len(b) and list(want["rec"]) == list(a["rec"]) == list(b["rec"])
        pd.testing.assert_frame_equal(a[columns], want[columns], check_categorical=False, obj=table)
        pd.testing.assert_frame_equal(b[columns], want[columns], check_categorical=False, obj=table)
        for column in DURATIONS[table]:  # copies of one recording take the same time...
            np.testing.assert_allclose(a[column], b[column], atol=1e-6, err_msg=f"{table}.{column}")
        for column in TIMES[table]:  # ...shifted to their own start
            shift = (b[column] - a[column]).dt.round("ms")
            assert (a[column].isna() == b[column].isna()).all()
            assert (shift.groupby(a["rec"]).nunique() <= 1).all(), f"{table}.{column}"
        if table == "states":
            ended = a["exited"].notna()
            assert (a.loc[ended, "duration_ms"] >= 0).all() and ended.any()


def test_copies_warn_only_as_their_originals_do(two_cycles: list[bytes]) -> None:
    for blob in two_cycles[:N_RECORDINGS]:
        name = orjson.loads(blob)["executionArn"].rsplit(":", 2)[1]
        path = next(r.path for r in RECORDINGS if r.name == name)
        with warnings.catch_warnings(record=True) as copy_warned:
            warnings.simplefilter("always")
            copy = frames(load_history(blob))
        with warnings.catch_warnings(record=True) as orig_warned:
            warnings.simplefilter("always")
            frames(load_history(path))
        assert [type(w.message) for w in copy_warned] == [type(w.message) for w in orig_warned], name
        ended = ~copy.executions["status"].isin(["RUNNING", "INCOMPLETE"])
        assert copy.executions.loc[ended, "duration_ms"].notna().all(), name


def test_normalised_recordings_are_left_out() -> None:
    normalised = [p for p in history_files(CORPUS) if p not in {r.path for r in RECORDINGS}]
    assert len(normalised) == len(history_files(CORPUS)) - N_RECORDINGS > 0
    for path in normalised:
        with pytest.raises(ValueError, match="placeholders"):
            load_recording(path)


def test_synthetic_fleet_is_the_large_shape() -> None:
    blobs = synthetic_fleet(5_000)
    f = frames(blobs)
    assert len(f.events) >= 5_000
    assert len(f.events) / len(blobs) > 100
