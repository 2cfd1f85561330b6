"""Ingest: idempotent (no duplicate, ever), the last copy of an execution wins, streaming, compaction, payloads,
permissions, the writer lock, and the round trip store → pandas == frames() of the same histories."""

from __future__ import annotations

import gc
import os
import stat
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest

import workbench.history.store as store
from bench.fleet_shapes import real_fleet
from tests.history.store.helpers import (
    KEYS,
    corpus_files,
    data_files,
    duplicates,
    hidden_files,
    quiet_frames,
    quiet_ingest,
    row_counts,
    table,
    whole_executions,
)
from workbench.history import ExecutionHistory, iter_histories
from workbench.history.store import batch, commit
from workbench.history.store.layout import StoreError

FRAME_TABLES = {"executions": store.executions_df, "states": store.states_df, "attempts": store.attempts_df,
                "events": store.events_df}


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "store"
    quiet_ingest(corpus_files(), path)
    return path


@pytest.fixture(scope="module")
def fleet() -> list[bytes]:
    """Real-shaped executions with state machine ARNs and real times: many partitions (machines x 3 days)."""
    return list(real_fleet(4000, days=3))


def test_corpus_ingested_twice_has_no_duplicate_and_the_same_contents(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = quiet_ingest(corpus_files(), path)
    assert (first.executions, first.replaced, first.batches) == (118, 0, 1)
    before = {name: table(path, name) for name in store.TABLES}
    second = quiet_ingest([corpus_files()[0].parent], path)  # the folder this time
    assert (second.executions, second.replaced) == (118, 118)
    for name in store.TABLES:
        assert duplicates(path, name) == 0
        pd.testing.assert_frame_equal(table(path, name), before[name])
    assert len(before["events"]) == 1307 and len(before["states"]) == 304


def test_store_reads_back_as_the_frames_of_the_same_histories(corpus_store: Path) -> None:
    expected = quiet_frames(corpus_files())
    for name, helper in FRAME_TABLES.items():
        got = helper(corpus_store)
        want = getattr(expected, name)
        keys = KEYS[name]
        want = want.sort_values(keys, key=lambda c: c.astype(str) if c.dtype == "category" else c)
        got = got.sort_values(keys, key=lambda c: c.astype(str) if c.dtype == "category" else c)
        assert list(got.columns) == list(want.columns)
        assert [str(t) for t in got.dtypes] == [str(t) for t in want.dtypes], name
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                      check_categorical=False)


def test_fixed_vocabularies_keep_the_frames_categories(corpus_store: Path) -> None:
    expected = quiet_frames(corpus_files())
    got = store.states_df(corpus_store)
    assert list(got["status"].cat.categories) == list(expected.states["status"].cat.categories)
    assert list(store.executions_df(corpus_store)["status"].cat.categories) == \
        list(expected.executions["status"].cat.categories)


def test_partitions_and_filters_on_a_fleet_with_machines_and_days(tmp_path: Path, fleet: list[bytes]) -> None:
    path = tmp_path / "store"
    result = quiet_ingest(fleet, path, batch_events=1500)
    expected = quiet_frames(fleet)
    assert result.executions == len(expected.executions) and result.batches >= 2
    con = store.open(path)
    days = [str(d) for (d,) in con.sql("SELECT DISTINCT date FROM executions ORDER BY 1").fetchall()]
    assert days == ["2026-11-29", "2026-11-30", "2026-12-01"]
    # every row of an execution is in the partition of its machine and start day, in all four tables
    for name in store.TABLES:
        (wrong,) = con.execute(f"SELECT count(*) FROM {name} t JOIN executions x USING (execution) "
                           "WHERE t.state_machine <> x.state_machine OR t.date <> x.date OR t.date <> "
                           "CAST(x.start AS DATE)").fetchall()[0]
        assert wrong == 0, name
    (machine,) = con.execute("SELECT state_machine FROM executions LIMIT 1").fetchall()[0]
    arn = f"arn:aws:states:us-east-1:123456789012:stateMachine:{machine}"
    ex = expected.executions
    since = pd.Timestamp("2026-11-30T12:00:00Z")
    want = ex[(ex["state_machine"] == arn) & (ex["start"] >= since)]
    got = store.executions_df(path, state_machine=arn, since="2026-11-30T12:00:00")
    assert sorted(got["execution"].astype(str)) == sorted(want["execution"].astype(str))
    states = store.states_df(path, state_machine=machine, since="2026-11-30T12:00:00")
    assert set(states["execution"].astype(str)) <= set(got["execution"].astype(str))
    assert len(states) == int(expected.states["execution"].isin(want["execution"]).sum())
    failed = store.executions_df(path, status=["failed", "TIMED_OUT"])
    assert set(failed["status"].astype(str)) <= {"FAILED", "TIMED_OUT"}
    assert len(failed) == int(ex["status"].isin(["FAILED", "TIMED_OUT"]).sum())


def _api(arn: str, status: str, t0: float = 1_764_000_000.0) -> dict[str, Any]:  # Any: JSON
    end = {"SUCCEEDED": ("ExecutionSucceeded", {"executionSucceededEventDetails": {"output": "{}"}}),
           "FAILED": ("ExecutionFailed", {"executionFailedEventDetails": {"error": "Boom", "cause": "x"}})}
    events: list[dict[str, Any]] = [  # Any: JSON
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": t0,
         "executionStartedEventDetails": {"input": "{}", "roleArn": "arn:aws:iam::1:role/r"}},
        {"id": 2, "previousEventId": 1, "type": "PassStateEntered", "timestamp": t0 + 0.01,
         "stateEnteredEventDetails": {"name": "A", "input": "{}"}},
        {"id": 3, "previousEventId": 2, "type": "PassStateExited", "timestamp": t0 + 0.02,
         "stateExitedEventDetails": {"name": "A", "output": "{}"}}]
    if status in end:
        kind, details = end[status]
        events.append({"id": 4, "previousEventId": 3, "type": kind, "timestamp": t0 + 0.03, **details})
    return {"executionArn": arn, "stateMachineArn": "arn:aws:states:eu-west-1:1:stateMachine:M", "events": events}


def test_the_last_copy_of_an_execution_wins_within_and_across_batches(tmp_path: Path) -> None:
    path = tmp_path / "store"
    arn = "arn:aws:states:eu-west-1:1:execution:M:run-1"
    other = "arn:aws:states:eu-west-1:1:execution:M:run-2"
    result = quiet_ingest([_api(arn, "RUNNING"), _api(other, "SUCCEEDED"), _api(arn, "FAILED")], path)
    assert result.batches == 2  # the repeated ARN ended the first batch; the second replaced it
    ex = store.executions_df(path)
    assert dict(zip(ex["execution"].astype(str), ex["status"].astype(str), strict=True)) == \
        {arn: "FAILED", other: "SUCCEEDED"}
    quiet_ingest([_api(arn, "SUCCEEDED")], path)
    assert store.executions_df(path, status="SUCCEEDED")["execution"].astype(str).tolist() == [arn, other]
    assert len(store.events_df(path)) == 8 and duplicates(path, "events") == 0


def test_ingest_streams_histories_without_keeping_them(tmp_path: Path) -> None:
    alive: list[weakref.ref[ExecutionHistory]] = []
    most_alive = 0

    def histories() -> Iterator[ExecutionHistory]:
        nonlocal most_alive
        for blob in real_fleet(3000, days=1):
            for h in iter_histories([blob]):
                if len(alive) % 25 == 0:
                    gc.collect()
                    most_alive = max(most_alive, sum(r() is not None for r in alive))
                alive.append(weakref.ref(h))
                yield h

    result = quiet_ingest(histories(), tmp_path / "store", batch_events=300)
    assert result.executions == len(alive) > 250
    # at most one chunk (<= 300 events, i.e. a few dozen executions) is alive at once, whatever the fleet's size
    assert most_alive < 60


def test_small_batches_are_compacted(tmp_path: Path) -> None:
    path = tmp_path / "store"
    one_machine = [_api(f"arn:aws:states:eu-west-1:1:execution:M:run-{n}", "SUCCEEDED", 1_764_000_000.0 + n)
                   for n in range(40)]
    for start in range(0, 40, 2):
        quiet_ingest(one_machine[start:start + 2], path)
    expected = row_counts(quiet_frames(one_machine))
    assert len(whole_executions(path, expected)) == 40
    per_partition: dict[Path, int] = {}
    for f in data_files(path / "executions"):
        per_partition[f.parent] = per_partition.get(f.parent, 0) + 1
    assert max(per_partition.values()) < batch.COMPACT_AT
    for name in store.TABLES:
        assert duplicates(path, name) == 0


def test_payloads_are_stored_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "store"
    files = corpus_files()
    quiet_ingest(files[:10], path)
    assert "input" not in store.events_df(path).columns
    quiet_ingest(files[10:20], path, payloads=True)
    events = store.events_df(path)
    assert {"input", "output"} <= set(events.columns)
    with_payloads = quiet_frames(files[10:20], payloads=True).events
    first = with_payloads.sort_values(["execution", "id"]).reset_index(drop=True)
    got = events[events["execution"].isin(first["execution"].astype(str))].reset_index(drop=True)
    assert got["input"].tolist() == first["input"].tolist()
    assert events[events["execution"].isin([f.stem for f in files[:10]])]["input"].isna().all()


def test_files_are_private_and_the_store_has_no_hidden_leftovers(corpus_store: Path) -> None:
    for p in corpus_store.rglob("*"):
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))
    assert stat.S_IMODE(corpus_store.stat().st_mode) == 0o700
    assert hidden_files(corpus_store) == []
    assert not commit.pending(corpus_store)


def test_every_data_file_says_its_schema_version_and_table(corpus_store: Path) -> None:
    import pyarrow.parquet as pq

    for name in store.TABLES:
        for f in data_files(corpus_store / name):
            meta = pq.ParquetFile(f).metadata
            assert meta.metadata[b"workbench.schema_version"] == b"1"
            assert meta.metadata[b"workbench.table"] == name.encode()
            assert pq.ParquetFile(f).schema_arrow.remove_metadata().equals(store.table_schema(name).remove_metadata())
            assert meta.row_group(0).column(0).compression == "ZSTD"


def test_an_empty_table_still_has_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "store"
    quiet_ingest([_api("arn:aws:states:eu-west-1:1:execution:M:run-1", "SUCCEEDED")], path)
    con = store.open(path)
    assert con.execute("SELECT count(*) FROM attempts").fetchall() == [(0,)]
    columns = [row[0] for row in con.sql("DESCRIBE attempts").fetchall()]
    assert columns == [*store.table_schema("attempts").names, "state_machine", "date"]
    assert store.attempts_df(path).empty


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "store"
    quiet_ingest(corpus_files()[:2], path)
    with commit.writer_lock(path), pytest.raises(StoreError, match="another ingest is writing"):
        quiet_ingest(corpus_files()[2:4], path)
    assert len(store.executions_df(path)) == 2


def test_unusable_stores_are_one_line_errors(tmp_path: Path, corpus_store: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    cases = {tmp_path / "missing": "does not exist", tmp_path / "file": "is a file",
             tmp_path / "other": "is not a history store"}
    for path, message in cases.items():
        with pytest.raises(StoreError, match=message) as caught:
            store.open(path)
        assert "\n" not in str(caught.value)
    with pytest.raises(StoreError, match="holds other files and no store"):
        quiet_ingest(corpus_files()[:1], tmp_path / "other")
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "_store.json").write_bytes(orjson.dumps({"schema_version": 2}))
    with pytest.raises(StoreError, match="newer workbench"):
        store.open(newer)
    with pytest.raises(StoreError, match="newer workbench"):
        quiet_ingest(corpus_files()[:1], newer)


def test_a_failed_first_ingest_leaves_no_empty_store(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    path = tmp_path / "store"
    with pytest.raises(Exception, match="not valid JSON"):
        quiet_ingest([bad], path)
    assert not path.exists()
    quiet_ingest(corpus_files()[:1], path)
    with pytest.raises(Exception, match="not valid JSON") as caught:
        quiet_ingest([bad], path)
    assert not getattr(caught.value, "__notes__", None)  # nothing was committed by this ingest
    assert len(store.executions_df(path)) == 1


def test_a_store_copied_without_its_marker_still_opens(tmp_path: Path, corpus_store: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(corpus_store, copy)
    os.unlink(copy / "_store.json")
    assert store.open(copy).execute("SELECT count(*) FROM executions").fetchall() == [(118,)]
