"""Ingest sources: an Express CloudWatch Logs export (``aws logs create-export-task``: gzip files of
``<ISO timestamp> <message JSON>`` lines, one execution's records spread over several files), grouped in memory
or through bucket files when large; CloudWatch records as JSON lines; fetch-cache blobs."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import workbench.history.store as store
from tests.history.store.helpers import quiet_frames, quiet_ingest, table
from workbench.history import HistoryLoadError
from workbench.history.store import sources

MACHINE = "arn:aws:states:eu-west-1:1:stateMachine:Quick"


def _records(runs: int) -> list[dict[str, Any]]:  # Any: JSON log records
    """Express log records (level ALL) of ``runs`` executions, interleaved in time as log streams are."""
    out = []
    for n in range(runs):
        arn = f"arn:aws:states:eu-west-1:1:express:Quick:run-{n}:0f0e"
        t0 = 1_764_000_000_000 + n * 3
        steps = [("ExecutionStarted", 0, {"input": "{}"}), ("PassStateEntered", 0, {"name": "A", "input": "{}"}),
                 ("PassStateExited", 5, {"name": "A", "output": "{}"}), ("ExecutionSucceeded", 9, {"output": "{}"})]
        for i, (kind, dt, details) in enumerate(steps, 1):
            out.append({"id": str(i), "previous_event_id": str(i - 1), "type": kind, "details": details,
                        "event_timestamp": str(t0 + dt), "execution_arn": arn, "redrive_count": "0"})
    out.sort(key=lambda r: int(r["event_timestamp"]))
    return out


def _export(folder: Path, records: list[dict[str, Any]], files: int) -> Path:  # Any: JSON log records
    """The records as an S3 export: ``<prefix>/<task>/<stream>/00000N.gz``, split in ``files`` parts."""
    stream = folder / "exportedlogs" / "0f0e-task" / "states-stream"
    stream.mkdir(parents=True)
    size = -(-len(records) // files)
    for part in range(files):
        lines = []
        for r in records[part * size:(part + 1) * size]:
            stamp = datetime.fromtimestamp(int(r["event_timestamp"]) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            lines.append(f"{stamp[:-4]}Z {json.dumps(r)}")
        (stream / f"{part:06d}.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return folder / "exportedlogs"


@pytest.mark.parametrize("bucketed", [False, True])
def test_a_cloudwatch_logs_export_is_grouped_by_execution(tmp_path: Path, bucketed: bool,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    if bucketed:
        monkeypatch.setattr(sources, "IN_MEMORY_EXPORT", 0)  # group through bucket files on disk
    records = _records(30)
    export = _export(tmp_path, records, files=4)
    path = tmp_path / "store"
    result = quiet_ingest([export], path)
    assert (result.executions, result.events) == (30, 120)
    expected = quiet_frames([records])
    ex = store.executions_df(path)
    assert set(ex["status"].astype(str)) == {"SUCCEEDED"} and set(ex["state_machine"].astype(str)) == {MACHINE}
    assert sorted(ex["execution"].astype(str)) == sorted(expected.executions["execution"].astype(str))
    assert store.states_df(path)["duration_ms"].tolist() == [5.0] * 30
    assert store.open(path).execute("SELECT DISTINCT state_machine, date FROM events").fetchall()[0][0] == "Quick"


def test_one_export_file_and_json_lines_give_the_same_store(tmp_path: Path) -> None:
    records = _records(5)
    export = _export(tmp_path / "a", records, files=1)
    jsonl = tmp_path / "logs.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in records))
    quiet_ingest([next(export.rglob("*.gz"))], tmp_path / "s1")
    quiet_ingest([jsonl], tmp_path / "s2")
    for name in store.TABLES:
        assert table(tmp_path / "s1", name).equals(table(tmp_path / "s2", name)), name


def test_a_damaged_export_line_names_the_file_and_line(tmp_path: Path) -> None:
    export = tmp_path / "000000.gz"
    export.write_bytes(gzip.compress(b'2026-11-30T08:00:00.000Z {"id": "1", "type": "ExecutionStarted"}\n'
                                     b"2026-11-30T08:00:01.000Z not json\n"))
    with pytest.raises(HistoryLoadError) as caught:
        quiet_ingest([export], tmp_path / "store")
    assert str(caught.value).startswith(f"{export}:2: error HIST001: export line is not '<timestamp> <JSON message>'")
    plain = tmp_path / "plain.gz"
    plain.write_bytes(b"not gzip")
    with pytest.raises(HistoryLoadError, match="cannot read the export file"):
        quiet_ingest([plain], tmp_path / "store")
