"""Write batches into the store: rows split by partition, what they replace folded in, one commit per batch.

A batch collects chunks (one per frames chunk), spilled to disk by :mod:`.staging`. When it is complete, a
background thread writes it while the caller reads the next batch (Parquet encoding releases the GIL, so a
second core does the writing): for each partition the batch touches, one file per table (the same name in
all four tables) holds the batch's rows plus the rows kept from older files it folds in: files holding
executions the batch replaces (re-ingested ARNs, found with DuckDB over that partition's executions files)
and, once a partition has :data:`COMPACT_AT` small files, all of them. The commit record removes the folded files, so
readers see the old rows or the new ones, never both. Batches are committed in order, one at a time.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.core.files import PRIVATE_FILE, private_dir
from workbench.history.store import commit as log
from workbench.history.store.commit import sync_filesystem
from workbench.history.store.layout import data_name, hidden, is_data, new_batch_id, partition
from workbench.history.store.schema import TABLES, table_schema
from workbench.history.store.staging import PartKey, Pieces, StagedBatch, Stager

#: Fold a partition's small files into the batch's file once it has this many.
COMPACT_AT = 8
#: Files at least this big (executions file bytes) are never folded again.
SMALL_FILE = 4 << 20
ROW_GROUP_ROWS = 1 << 20
#: Threads writing a batch's files, each a share of its partitions (Parquet encoding releases the GIL).
WRITERS = 2


@dataclass
class BatchResult:
    """What one committed batch did."""

    executions: int = 0
    replaced: int = 0
    events: int = 0
    files: int = 0
    folded: int = 0


class _Cancelled(Exception):
    """A second Ctrl-C: the batch being written is abandoned before its commit."""


class BatchWriter:
    """Collects chunks into batches and writes each batch in a background thread, in order.

    Hold the writer lock (:func:`commit.writer_lock`) while using it, and :meth:`close` it at the end.
    """

    def __init__(self, root: Path, seq: int) -> None:
        import duckdb

        self.root = root
        self.seq = seq
        self.con = duckdb.connect()
        # the replacement lookup reads one column of a few thousand small files: one thread, little memory
        self.con.execute("SET threads = 1")
        self.con.execute("SET memory_limit = '256MB'")
        self._made: set[Path] = set()
        self._stager = Stager(root)
        self._batch = self._stager.new_batch(new_batch_id())
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-batch")
        self._threads = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="store-files")
        self._running: Future[BatchResult] | None = None
        self._cancel = threading.Event()
        #: Results of the committed batches, in order.
        self.results: list[BatchResult] = []

    # -- collecting ---------------------------------------------------------------------------------------
    @property
    def collected_events(self) -> int:
        """Events in the batch being collected."""
        return self._batch.events

    def add(self, tables: dict[str, pa.Table]) -> None:
        """Add one chunk (the four Arrow tables of some executions, store schema, dictionaries allowed)."""
        self._stager.add(self._batch, tables)

    # -- writing ------------------------------------------------------------------------------------------
    def flush(self) -> None:
        """Hand the collected batch to the writer thread (after the previous batch is committed)."""
        batch, self._batch = self._batch, self._stager.new_batch(new_batch_id())
        if not batch.executions:
            batch.discard()
            return
        self.wait()
        self._running = self._pool.submit(self._write_staged, batch)

    def abandon(self) -> None:
        """Drop the batch being collected (nothing of it was written to the store)."""
        self._batch.discard()
        self._batch = self._stager.new_batch(new_batch_id())

    def wait(self) -> None:
        """Wait for the batch being written (its result joins :attr:`results`); re-raises its error."""
        running, self._running = self._running, None
        if running is not None:
            self.results.append(running.result())

    def close(self, *, cancel: bool = False) -> None:
        """Stop the writer thread and the DuckDB connection. ``cancel=True`` abandons a batch being written if
        it is not committed yet (its hidden files are cleaned up by the next ingest)."""
        if cancel:
            self._cancel.set()
        try:
            self._pool.shutdown(wait=True)
            self._threads.shutdown(wait=True)
        finally:
            self._batch.discard()
            self.con.close()

    def _write_staged(self, batch: StagedBatch) -> BatchResult:
        try:
            return self._write(batch)
        finally:
            batch.discard()

    def _write(self, batch: StagedBatch) -> BatchResult:
        keys = batch.partitions
        folded, replaced = self._replaced(batch, keys)
        self._compaction(keys, folded)
        batch_id = batch.folder.name
        record = log.Record(self.seq, batch=batch_id)
        share = -(-len(keys) // WRITERS)
        parts = [list(enumerate(keys))[i:i + share] for i in range(0, len(keys), share)]
        done = list(self._threads.map(lambda part: self._write_range(batch, part, folded, replaced), parts))
        for adds, removes in done:
            record.add += adds
            record.remove += removes
        sync_filesystem(self.root)  # the hidden files are on disk before the commit record names them
        log.crash_point("after-hidden-writes")
        if self._cancel.is_set():
            raise _Cancelled
        log.commit(self.root, record)
        log.crash_point("after-commit-record")
        log.apply(self.root, record)
        self.seq += 1
        return BatchResult(executions=len(batch.executions), replaced=len(replaced), events=batch.events,
                           files=len(record.add), folded=len(record.remove))

    def _write_range(self, batch: StagedBatch, part: list[tuple[int, PartKey]], folded: dict[PartKey, set[str]],
                     replaced: set[str]) -> tuple[list[tuple[str, str]], list[str]]:
        """Write the files of some partitions (in sorted order, with this thread's own readers of the chunks)."""
        adds: list[tuple[str, str]] = []
        removes: list[str] = []
        pieces = Pieces(batch)
        try:
            for n, key in part:
                if self._cancel.is_set():
                    raise _Cancelled
                for table in TABLES:
                    self._write_partition(table, key, data_name(batch.folder.name, n), pieces.of(table, key),
                                          folded.get(key, set()), replaced, adds, removes)
                if n == 0:
                    log.crash_point("mid-hidden-writes")
        finally:
            pieces.close()
        return adds, removes

    def _existing(self, table: str, key: PartKey) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.root / partition(table, *key)) if is_data(n))
        except FileNotFoundError:
            return []

    def _replaced(self, batch: StagedBatch, keys: list[PartKey]) -> tuple[dict[PartKey, set[str]], set[str]]:
        """Executions of the batch already in the store, and per partition the files holding them."""
        files: dict[str, PartKey] = {}
        for key in keys:
            folder = self.root / partition("executions", *key)
            for name in self._existing("executions", key):
                files[str(folder / name)] = key
        folded: dict[PartKey, set[str]] = {}
        if not files:
            return folded, set()
        arns = pa.table({"execution": pa.array(list(batch.executions), pa.string())})
        self.con.register("batch_executions", arns)
        try:
            rows = self.con.execute(
                "SELECT filename, execution FROM read_parquet(?, filename = true) "
                "WHERE execution IN (SELECT execution FROM batch_executions)", [sorted(files)]).fetchall()
        finally:
            self.con.unregister("batch_executions")
        replaced = set()
        for filename, execution in rows:
            folded.setdefault(files[filename], set()).add(Path(filename).name)
            replaced.add(execution)
        return folded, replaced

    def _compaction(self, keys: list[PartKey], folded: dict[PartKey, set[str]]) -> None:
        """Fold a partition's small files in when it has :data:`COMPACT_AT` of them."""
        for key in keys:
            folder = self.root / partition("executions", *key)
            small = [n for n in self._existing("executions", key) if (folder / n).stat().st_size < SMALL_FILE]
            if len(small) >= COMPACT_AT:
                folded.setdefault(key, set()).update(small)

    def _write_partition(self, table: str, key: PartKey, name: str, mine: list[pa.Table], folded: set[str],
                         replaced: set[str], adds: list[tuple[str, str]], removes: list[str]) -> None:
        folder = partition(table, *key)
        pieces = []
        for base in sorted(folded):
            old = self.root / folder / base
            if not old.exists():
                continue
            kept = pq.ParquetFile(old).read()
            if replaced:
                kept = kept.filter(pc.invert(pc.is_in(kept.column("execution"), pa.array(sorted(replaced)))))
            pieces.append(kept)
            removes.append(f"{folder}/{base}")
        pieces = [p for p in pieces if p.num_rows]
        if pieces or mine:
            adds.append(self._write_file(table, pieces, mine, f"{folder}/{name}"))

    def _write_file(self, table: str, old: list[pa.Table], mine: list[pa.Table], final: str) -> tuple[str, str]:
        """Write one hidden file (0600); returns its (final, hidden) names."""
        payloads = table == "events" and any("input" in p.schema.names for p in (*old, *mine))
        schema = table_schema(table, payloads=payloads)
        data = pa.concat_tables([_conform(p, schema) for p in old] + ([_conform(pa.concat_tables(mine), schema)]
                                                                      if mine else []))
        secret = hidden(final)
        path = self.root / secret
        if path.parent not in self._made:
            private_dir(path.parent)  # safe in two threads: each makes its own partitions' folders
            self._made.add(path.parent)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE))  # 0600 before any byte
        pq.write_table(data, path, compression="zstd", row_group_size=ROW_GROUP_ROWS)
        return final, secret


def _conform(piece: pa.Table, schema: pa.Schema) -> pa.Table:
    """A piece with exactly the file schema, in one cast: plain strings (a dictionary would be written whole),
    missing payload columns as nulls."""
    if piece.schema.names != schema.names:
        have = set(piece.schema.names)
        piece = pa.Table.from_arrays([piece.column(f.name) if f.name in have else pa.nulls(piece.num_rows, f.type)
                                      for f in schema],
                                     names=schema.names)
    return piece if piece.schema.equals(schema, check_metadata=True) else piece.cast(schema)
