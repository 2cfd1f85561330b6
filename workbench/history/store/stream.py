"""Stream histories into a store in atomic batches, with bounded memory, a progress bar and a clean Ctrl-C.

Histories are read one at a time (:mod:`.sources`) and grouped into batches of about ``batch_events`` events;
each batch becomes frames, Arrow tables and one file per table and partition (:mod:`.batch`), committed at
once (:mod:`.commit`). Nothing keeps a list of all executions: memory depends on the batch size only. An
execution ARN seen twice in one batch ends that batch early, so the later copy replaces the earlier one (the
last wins), as it does across batches and ingests.

The first Ctrl-C stops after the current batch: a batch still being read is abandoned (nothing of it was
written), one being written is committed. The store is consistent either way and the result says what was
committed. A second Ctrl-C stops at once; the next ingest cleans up or finishes what was left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from workbench.core.diagnostics import WorkbenchError
from workbench.core.files import PRIVATE_FILE, private_dir, write_bytes_atomic
from workbench.history.frames.build import frames
from workbench.history.load.events import ExecutionHistory
from workbench.history.load.readers import Pending, Source, iter_pending
from workbench.history.store import commit as log
from workbench.history.store.batch import BatchWriter
from workbench.history.store.layout import APPLIED, LOCK, LOG, MARKER, StoreError
from workbench.history.store.read import marker_info
from workbench.history.store.schema import SCHEMA_VERSION, TABLES, arrow_tables
from workbench.history.store.sources import Item, iter_sources


@dataclass
class IngestResult:
    """What an ingest committed: executions written (``replaced`` of them were in the store already), their
    events, data files written, batches, wall seconds, and whether a Ctrl-C stopped it early."""

    store: str
    executions: int = 0
    replaced: int = 0
    events: int = 0
    files: int = 0
    batches: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    def summary(self) -> str:
        """One line for the command's output.

        Example:
            >>> IngestResult("fleet", executions=3, replaced=1, events=30, files=4, batches=1, seconds=0.5).summary()
            'ingested 3 executions (1 replaced), 30 events in 1 batch (4 files) into fleet in 0.5 s'
        """
        head = "stopped by Ctrl-C after committing" if self.interrupted else "ingested"
        batches = f"{self.batches} batch" + ("es" if self.batches != 1 else "")
        return (f"{head} {self.executions} executions ({self.replaced} replaced), {self.events} events in {batches} "
                f"({self.files} files) into {self.store} in {self.seconds:.1f} s")


class _Abandon(Exception):
    """A Ctrl-C arrived while a batch was being read: drop that batch."""


class _Stop:
    requested = False


@contextlib.contextmanager
def _first_ctrl_c_stops() -> Iterator[_Stop]:
    """The first SIGINT only asks to stop (checked between histories); the second interrupts at once."""
    stop = _Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: Any) -> None:  # Any: a Python frame
        stop.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.stderr.write("\nstopping after the current batch (the store stays consistent); Ctrl-C again to stop "
                         "at once\n")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


class _Batches:
    """Executions in chunks of about ``limit`` events; a batch never holds one ARN twice (see :meth:`new_batch`)."""

    def __init__(self, items: Iterator[Item], stop: _Stop, bar: Any) -> None:  # Any: tqdm
        self._items = items
        self._held: Item | None = None
        self._stop = stop
        self._bar = bar
        self._seen: set[str] = set()
        self.done = False
        #: True when the batch must end now: its next execution repeats an ARN of the batch.
        self.repeat = False

    def new_batch(self) -> None:
        self._seen.clear()
        self.repeat = False

    def next(self, limit: int) -> Iterator[Item]:
        """The next chunk (the executions ``frames()`` turns into one set of frames), read lazily: ``frames()``
        holds only its own small batches of parsed histories, never the whole chunk."""
        events = 0
        while events < limit:
            item = self._held if self._held is not None else next(self._items, None)
            self._held = None
            if self._stop.requested:
                raise _Abandon
            if item is None:
                self.done = True
                return
            if isinstance(item, Pending) and not item.arn:
                item = item.load(False)  # named from its content: normalise it now to know its name
            arn = item.execution_arn if isinstance(item, ExecutionHistory) else item.arn
            if arn in self._seen:
                self._held = item  # the later copy goes in the next batch, which replaces this one
                self.repeat = True
                return
            self._seen.add(arn)
            events += len(item) if isinstance(item, ExecutionHistory) else len(item.raw.events)
            self._bar.update(1)
            yield item if _FRAMES_TAKE_PENDING or isinstance(item, ExecutionHistory) else item.load(False)


#: Events per batch (a commit) unless the caller says otherwise. Batches are spilled to disk while collected
#: (:mod:`.staging`), so their size costs temporary disk (~150 bytes an event), not memory; a big batch writes
#: few, large files (each file costs ~2 ms whatever its size, and a fleet spread over every partition of a week
#: writes one per partition and table). The first Ctrl-C abandons the batch being collected.
DEFAULT_BATCH_EVENTS = 2_000_000
#: Events per frames chunk (a batch is built from chunks, so frames memory stays small whatever the batch).
CHUNK_EVENTS = 100_000


def ingest(sources: Source | Iterable[Source], store_path: str | os.PathLike[str], *,
           batch_events: int = DEFAULT_BATCH_EVENTS, payloads: bool = False, progress: bool = True) -> IngestResult:
    """Ingest histories into the store at ``store_path`` (made if missing), replacing executions already there.

    ``sources``: history files, folders of them, CloudWatch Logs export files/folders, or anything
    :func:`workbench.history.load_histories` reads. ``payloads=True`` also stores event inputs/outputs.
    Each batch (about ``batch_events`` events) is visible only once complete; re-ingesting never duplicates.

    Example:
        >>> import tempfile
        >>> path = tempfile.mkdtemp() + "/fleet"
        >>> corpus = "../shared/corpus/histories"
        >>> r = ingest([corpus], path, progress=False)
        >>> r.executions, r.replaced, ingest([corpus], path, progress=False).replaced
        (118, 0, 118)
    """
    if batch_events < 1:
        raise ValueError(f"batch_events={batch_events}: give 1 or more")
    began = time.perf_counter()
    root = Path(store_path)
    new = not root.exists()
    _prepare(root)
    result = IngestResult(str(store_path))
    try:
        _ingest(root, sources, batch_events, payloads, progress, result)
    finally:
        if new and not result.batches:
            _remove_empty_store(root)  # nothing committed: do not leave an empty store behind
    result.seconds = time.perf_counter() - began
    return result


def _ingest(root: Path, sources: Any, batch_events: int, payloads: bool, progress: bool,  # Any: sources
            result: IngestResult) -> None:
    with log.writer_lock(root):
        _mark(root, False)
        writer = BatchWriter(root, log.recover(root))
        try:
            with _first_ctrl_c_stops() as stop, _bar(progress) as bar:
                result.interrupted = _run(writer, _Batches(iter_sources(sources), stop, bar), batch_events,
                                          payloads, stop, bar)
        except KeyboardInterrupt:  # the second Ctrl-C: abandon a batch not committed yet, stop at once
            writer.close(cancel=True)
            raise
        except BaseException as exc:  # a source failed: keep the batch being written, then report
            _finish(writer, result)
            if result.batches:
                _mark(root, payloads)
                exc.add_note(f"{result.executions} executions in {result.batches} batches were committed before")
            raise
        _finish(writer, result)
        if result.batches:
            _mark(root, payloads)  # once files have the payload columns: the events view then reads them


def _remove_empty_store(root: Path) -> None:
    """Delete a store this ingest made and never committed to (only the files an ingest makes first)."""
    for name in (MARKER, LOCK, f"{LOG}/{APPLIED}"):
        (root / name).unlink(missing_ok=True)
    for folder in (root / LOG, root):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty: anything else (hidden files of a killed batch...) stays


def _run(writer: BatchWriter, batches: _Batches, batch_events: int, payloads: bool, stop: _Stop,
         bar: Any) -> bool:  # Any: tqdm
    """Read, build and hand over batches until the sources end or a Ctrl-C; True when stopped by Ctrl-C."""
    while not batches.done:
        limit = max(1, min(CHUNK_EVENTS, batch_events - writer.collected_events))
        try:
            chunk: Any = batches.next(limit)  # Any: pending executions are a source frames() reads
            tables = arrow_tables(frames(chunk, payloads=payloads), dictionary=True)
        except _Abandon:
            writer.abandon()
            return True
        if tables["executions"].num_rows:
            writer.add(tables)
        del tables
        if writer.collected_events >= batch_events or batches.done or batches.repeat:
            batches.new_batch()
            writer.flush()
            bar.set_postfix(committed=sum(r.executions for r in writer.results), refresh=False)
        if stop.requested:
            writer.abandon()
            return True
    return False


def _takes_pending() -> bool:
    probe = next(iter_pending([b'{"events": [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted", '
                               b'"timestamp": 1.0}]}']))
    try:
        return next(iter_pending([probe])) is probe
    except WorkbenchError:
        return False


_FRAMES_TAKE_PENDING = _takes_pending()


def _finish(writer: BatchWriter, result: IngestResult) -> None:
    """Wait for the batch being written, close the writer and add up what was committed."""
    try:
        writer.wait()
    finally:
        writer.close()
        for done in writer.results:
            result.batches += 1
            result.executions += done.executions
            result.replaced += done.replaced
            result.events += done.events
            result.files += done.files


def _prepare(root: Path) -> None:
    """The store folder, made (0700) if missing; refuses a file or a non-empty folder that is not a store."""
    if root.exists():
        if not root.is_dir():
            raise StoreError(f"--store {root} is a file: give a folder for the store (it is made if missing)")
        if not (root / MARKER).exists() and not any((root / t).is_dir() for t in TABLES) and any(root.iterdir()):
            raise StoreError(f"--store {root} is a folder that holds other files and no store: give a new or empty "
                             "folder")
    try:
        private_dir(root)
    except OSError as exc:
        raise StoreError(f"cannot make the store folder {root}: {exc.strerror or exc}") from None


def _mark(root: Path, payloads: bool) -> None:
    """Write or update ``_store.json`` (schema version; whether events have payload columns)."""
    info = marker_info(root)
    if info is not None and info["schema_version"] > SCHEMA_VERSION:
        raise StoreError(f"{root} was written by a newer workbench (store schema version {info['schema_version']}; "
                         f"this one writes {SCHEMA_VERSION}): upgrade mission-workbench to ingest into it")
    had = bool(info and info["payloads"])
    if info is None or (payloads and not had):
        doc = {"format": "workbench-history-store", "schema_version": SCHEMA_VERSION, "payloads": payloads or had}
        write_bytes_atomic(root / MARKER, orjson.dumps(doc, option=orjson.OPT_INDENT_2), PRIVATE_FILE)


@contextlib.contextmanager
def _bar(progress: bool) -> Iterator[Any]:  # Any: a tqdm bar
    from tqdm.auto import tqdm

    # progress=True shows the bar on a terminal (or notebook) only; progress=False never
    bar = tqdm(desc="ingest", unit=" executions", disable=None if progress else True, file=sys.stderr,
               mininterval=0.5)
    try:
        yield bar
    finally:
        bar.close()
