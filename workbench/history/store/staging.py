"""A batch being collected, spilled to disk chunk by chunk, so memory does not grow with the batch's size.

Each chunk's four tables are sorted by partition (in the partitions' sorted order) and written to
``PATH/_staging/<batch>/<n>-<table>.arrow`` (Arrow IPC, uncompressed, record batches of
:data:`STAGED_ROWS` rows); only each partition's row span stays in memory. The batch is written partition by
partition in that same order, so each chunk file is read once, front to back, keeping only the record batches
the current partition overlaps. Big batches therefore cost disk space (about 200 bytes per event), not memory,
and a batch writes one file per partition and table however many chunks it took.
``_staging`` starts with ``_``: readers never look inside; a killed ingest's leftovers are deleted by the next.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from workbench.core.files import private_dir
from workbench.history.store.layout import STAGING, day, machine_name
from workbench.history.store.schema import TABLES

_US_PER_DAY = 86_400_000_000
#: Rows per record batch of a spilled chunk file (what a reader holds in memory at once, per chunk).
STAGED_ROWS = 4_096
PartKey = tuple[str, str]  # (machine name, date partition value)


@dataclass
class Chunk:
    """One spilled chunk: per table its file and, per partition, the span of rows holding its rows."""

    files: dict[str, Path] = field(default_factory=dict)
    index: dict[str, dict[PartKey, tuple[int, int]]] = field(default_factory=dict)


@dataclass
class StagedBatch:
    """The chunks of a batch, the partition of each of its executions and its event count."""

    folder: Path
    chunks: list[Chunk] = field(default_factory=list)
    executions: dict[str, PartKey] = field(default_factory=dict)
    events: int = 0

    @property
    def partitions(self) -> list[PartKey]:
        """The partitions the batch touches, sorted."""
        return sorted({key for chunk in self.chunks for keys in chunk.index.values() for key in keys})

    def discard(self) -> None:
        """Delete the spilled chunks."""
        shutil.rmtree(self.folder, ignore_errors=True)


class Stager:
    """Turns chunks (Arrow tables of the store schema) into spilled, partition-indexed files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._machines: dict[str | None, str] = {}
        self._days: dict[int, str] = {}

    def new_batch(self, name: str) -> StagedBatch:
        return StagedBatch(self.root / STAGING / name)

    def add(self, batch: StagedBatch, tables: dict[str, pa.Table]) -> None:
        """Spill one chunk into ``batch``."""
        keys = self._partitions(tables["executions"], batch.executions)
        if not batch.chunks:
            private_dir(batch.folder)
        chunk = Chunk()
        n = len(batch.chunks)
        for table in TABLES:
            ordered, spans = _sorted(tables[table], keys)
            if not spans:
                continue
            path = batch.folder / f"{n:05d}-{table}.arrow"
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, ordered.schema) as out:
                out.write_table(ordered, max_chunksize=STAGED_ROWS)
            chunk.files[table] = path
            chunk.index[table] = spans
        batch.chunks.append(chunk)
        batch.events += tables["events"].num_rows

    def _partitions(self, executions: pa.Table, into: dict[str, PartKey]) -> dict[str, PartKey]:
        """Execution ARN → (NAME via the ARN parsers, UTC start day) for a chunk's executions."""
        arns = executions.column("execution").to_pylist()
        machines = executions.column("state_machine_arn").to_pylist()
        start = executions.column("start")
        missing = start.is_null().to_numpy(zero_copy_only=False)
        micros = start.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        days = np.floor_divide(micros, _US_PER_DAY).tolist()
        out: dict[str, PartKey] = {}
        for arn, machine, d, absent in zip(arns, machines, days, missing.tolist(), strict=True):
            name = self._machines.get(machine) if machine is not None else None
            if name is None:
                name = machine_name(machine, arn)
                if machine is not None:
                    self._machines[machine] = name
            date = self._days.get(d) if not absent else day(None)
            if date is None:
                date = self._days[d] = day(datetime.fromtimestamp(d * 86_400, UTC))
            out[arn] = into[arn] = (name, date)
        return out


class Pieces:
    """Reads a staged batch's pieces back, partition by partition in sorted order (one thread at a time)."""

    def __init__(self, batch: StagedBatch) -> None:
        self._batch = batch
        self._readers: dict[Path, _Cursor] = {}

    def of(self, table: str, key: PartKey) -> list[pa.Table]:
        """The batch's rows of ``table`` in partition ``key`` (one piece per chunk holding some). Call it with
        keys in sorted order: rows before the last span asked for are dropped from memory."""
        out = []
        for chunk in self._batch.chunks:
            span = chunk.index.get(table, {}).get(key)
            if span is None:
                continue
            path = chunk.files[table]
            cursor = self._readers.get(path)
            if cursor is None:
                cursor = self._readers[path] = _Cursor(path)
            out.append(cursor.rows(*span))
        return out

    def close(self) -> None:
        for cursor in self._readers.values():
            cursor.close()
        self._readers.clear()


class _Cursor:
    """Rows of one spilled file, read front to back: the record batches a span overlaps, kept until passed."""

    def __init__(self, path: Path) -> None:
        self._file = pa.OSFile(str(path), "rb")
        self._reader = pa.ipc.open_file(self._file)
        self._held: dict[int, pa.RecordBatch] = {}

    def rows(self, start: int, length: int) -> pa.Table:
        first, last = start // STAGED_ROWS, (start + length - 1) // STAGED_ROWS
        for i in [i for i in self._held if i < first]:
            del self._held[i]
        batches = []
        for i in range(first, last + 1):
            held = self._held.get(i)
            if held is None:
                held = self._held[i] = self._reader.get_batch(i)
            batches.append(held)
        return pa.Table.from_batches(batches).slice(start - first * STAGED_ROWS, length)

    def close(self) -> None:
        self._held.clear()
        self._file.close()


def _sorted(table: pa.Table, keys: dict[str, PartKey]) -> tuple[pa.Table, dict[PartKey, tuple[int, int]]]:
    """A chunk's rows sorted by partition (partitions in sorted order, each one's rows in their order), and each
    partition's span of rows."""
    column = table.column("execution").combine_chunks()
    values = column.dictionary.to_pylist() if isinstance(column, pa.DictionaryArray) else column.to_pylist()
    ranks = {key: r for r, key in enumerate(sorted({keys[v] for v in values if v in keys}))}
    lookup = np.array([ranks[keys[v]] if v in keys else -1 for v in values], dtype=np.int64)
    if isinstance(column, pa.DictionaryArray):
        indices = column.indices.to_numpy(zero_copy_only=False)
        part_of_row = lookup[indices] if len(lookup) else np.zeros(0, dtype=np.int64)
    else:
        part_of_row = lookup
    if not len(part_of_row):
        return table, {}
    order = np.argsort(part_of_row, kind="stable")
    codes, starts, counts = np.unique(part_of_row[order], return_index=True, return_counts=True)
    key_of = {r: key for key, r in ranks.items()}
    spans = {key_of[int(c)]: (int(s), int(n)) for c, s, n in zip(codes, starts, counts, strict=True) if c >= 0}
    return table.take(pa.array(order)), spans
