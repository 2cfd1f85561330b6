"""The commit protocol: a batch becomes visible all at once, or not at all, whatever kills the writer.

A writer (one at a time: ``PATH/_ingest.lock``) writes a batch's files under hidden names, then writes
one commit record ``PATH/_log/<seq>.json`` = ``{"add": [{"path", "hidden"}], "remove": [...]}`` atomically:
that is the commit point. Applying it renames the hidden files to their final names and deletes the removed
ones; then ``_log/_applied`` records the sequence number and the record is deleted. A killed writer leaves
either hidden files no record names (garbage, deleted by the next writer) or a pending record (applied again
by the next writer: every step is idempotent). Readers never write: :func:`pending` gives them the pending
records, so they can see the committed state before it is applied (``read.live_files``).

``WORKBENCH_STORE_CRASH_AT=<point>`` makes the writer kill itself (SIGKILL) at a named point (:data:`POINTS`):
the tests use it to check that every interruption leaves a store that reads correctly.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import functools
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from workbench.core.files import PRIVATE_FILE, private_dir, write_bytes_atomic
from workbench.history.store.layout import APPLIED, LOCK, LOG, STAGING, StoreError, is_hidden_part, walk_files

CRASH_ENV = "WORKBENCH_STORE_CRASH_AT"
#: Where ``WORKBENCH_STORE_CRASH_AT`` can kill a writer, in the order a batch passes them.
POINTS = ("mid-hidden-writes", "after-hidden-writes", "after-commit-record", "mid-apply", "after-apply",
          "after-applied-mark")


def crash_point(name: str) -> None:
    """Kill this process at once (SIGKILL, no clean-up) when ``WORKBENCH_STORE_CRASH_AT`` names this point."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class Record:
    """One commit: files to make visible (final path, hidden path) and files to delete; paths are relative."""

    seq: int
    add: list[tuple[str, str]] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    batch: str = ""

    def to_json(self) -> bytes:
        return orjson.dumps({"seq": self.seq, "batch": self.batch,
                             "add": [{"path": p, "hidden": h} for p, h in self.add], "remove": self.remove})

    @classmethod
    def from_json(cls, data: bytes, name: str) -> Record:
        try:
            doc: Any = orjson.loads(data)  # Any: JSON
            return cls(int(doc["seq"]), [(str(a["path"]), str(a["hidden"])) for a in doc["add"]],
                       [str(r) for r in doc["remove"]], str(doc.get("batch", "")))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{name}: damaged commit record ({exc}); the store was changed by hand") from None


def _record_names(log: Path) -> list[str]:
    try:
        names = os.listdir(log)
    except FileNotFoundError:
        return []
    return sorted(n for n in names if n.endswith(".json") and not n.startswith((".", "_")))


def applied(root: Path) -> int:
    """The sequence number of the last applied commit (0 for none)."""
    try:
        return int((root / LOG / APPLIED).read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def log_state(root: Path) -> tuple[int, tuple[str, ...]]:
    """What changes whenever a writer commits or applies: the applied mark and the pending record names."""
    return applied(root), tuple(_record_names(root / LOG))


def pending(root: Path) -> list[Record]:
    """The committed but not yet (fully) applied records, oldest first."""
    out = []
    for name in _record_names(root / LOG):
        try:
            data = (root / LOG / name).read_bytes()
        except FileNotFoundError:
            continue  # applied and deleted meanwhile: the caller sees the log state change and retries
        out.append(Record.from_json(data, str(root / LOG / name)))
    return sorted(out, key=lambda r: r.seq)


@contextlib.contextmanager
def writer_lock(root: Path) -> Iterator[None]:
    """Hold ``PATH/_ingest.lock`` (one writer at a time); a second writer gets a one-line :class:`StoreError`."""
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"another ingest is writing to {root}: wait for it to finish, then run this "
                             "again") from None
        yield
    finally:
        os.close(fd)  # releases the lock


def commit(root: Path, record: Record) -> None:
    """Write the record: the commit point (atomic; after it the batch is part of the store)."""
    private_dir(root / LOG)
    write_bytes_atomic(root / LOG / f"{record.seq:012d}.json", record.to_json(), PRIVATE_FILE)


def apply(root: Path, record: Record) -> None:
    """Make a committed record's files visible and delete what it removes; idempotent (re-run after a crash)."""
    for n, (final, hidden) in enumerate(record.add):
        src = root / hidden
        if src.exists():
            os.replace(src, root / final)
        if n == 0:
            crash_point("mid-apply")
    for rel in record.remove:
        (root / rel).unlink(missing_ok=True)
    sync_filesystem(root)  # the renames are on disk before the record that would redo them goes
    crash_point("after-apply")
    if record.seq > applied(root):
        write_bytes_atomic(root / LOG / APPLIED, str(record.seq).encode(), PRIVATE_FILE)
    crash_point("after-applied-mark")
    (root / LOG / f"{record.seq:012d}.json").unlink(missing_ok=True)


def recover(root: Path) -> int:
    """Finish what a killed writer committed and delete what it did not; returns the next sequence number.

    Call it holding :func:`writer_lock`, before writing anything.
    """
    records = pending(root)
    for record in records:
        apply(root, record)
    for rel in walk_files(root):
        name = rel.rpartition("/")[2]
        if is_hidden_part(name):
            (root / rel).unlink(missing_ok=True)  # written by a batch that never committed
    shutil.rmtree(root / STAGING, ignore_errors=True)  # chunks of a batch that was never written
    log = root / LOG
    if log.is_dir():
        for name in os.listdir(log):
            if name.startswith(".") and name.endswith(".tmp"):
                (log / name).unlink(missing_ok=True)  # a commit record that was never written whole
    return max([applied(root), *(r.seq for r in records)]) + 1


def sync_filesystem(root: Path) -> None:
    """Flush everything written to the store's file system (one ``syncfs`` instead of an fsync per file and
    folder; ``sync`` where ``syncfs`` is missing)."""
    try:
        libc = _libc()
        fd = os.open(root, os.O_RDONLY)
        try:
            if libc is not None and libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    except OSError:
        pass
    os.sync()


@functools.cache
def _libc() -> Any:  # Any: a ctypes library
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
