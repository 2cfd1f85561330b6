"""Where the store keeps things: partition folders, data file names, hidden files, the commit log.

``PATH/<table>/state_machine=<NAME>/date=<YYYY-MM-DD>/part-<batch>-<n>.parquet``. NAME is the state
machine's name, read with :class:`workbench.core.arn.Arn` (from the state machine ARN, else from the
execution ARN, else ``_unknown``), with every character outside ``[A-Za-z0-9_-]`` percent-escaped as Hive
does; date is the execution's start day in UTC (``__HIVE_DEFAULT_PARTITION__``, read as NULL, when the
history hides its times). Names starting with ``.`` or ``_`` are never data: hidden files being written
(``.part-....parquet.tmp``), the store marker ``_store.json``, the lock ``_ingest.lock``, the commit log
``_log/`` and the spilled chunks of a batch being collected ``_staging/``.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from workbench.core.arn import EXECUTION_KINDS, STATE_MACHINE_KINDS, Arn
from workbench.core.diagnostics import WorkbenchError

UNKNOWN_MACHINE = "_unknown"
#: Hive's name for a NULL partition value (DuckDB and Spark read it as NULL).
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
MARKER = "_store.json"
LOCK = "_ingest.lock"
LOG = "_log"
APPLIED = "_applied"
STAGING = "_staging"
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class StoreError(WorkbenchError):
    """A path is not a readable store (missing, not a store, a newer schema version), or cannot be written."""


def machine_name(state_machine_arn: str | None, execution_arn: str | None) -> str:
    """The partition NAME of an execution: its state machine's name, else ``_unknown``.

    Example:
        >>> machine_name("arn:aws:states:us-east-1:1:stateMachine:triage:3", None)
        'triage'
        >>> machine_name(None, "arn:aws:states:us-east-1:1:execution:triage:run-1"), machine_name(None, "run-1")
        ('triage', '_unknown')
    """
    for text, kinds in ((state_machine_arn, STATE_MACHINE_KINDS), (execution_arn, EXECUTION_KINDS)):
        arn = Arn.try_parse(text, *kinds) if text else None
        machine = arn.state_machine if arn is not None else None
        if machine is not None:
            return machine.name
    return UNKNOWN_MACHINE


def escape(value: str) -> str:
    """Percent-escape (UTF-8, as Hive) every character outside ``[A-Za-z0-9_-]`` of a partition value.

    Example:
        >>> escape("my.machine/v2"), escape("plain_name-1")
        ('my%2Emachine%2Fv2', 'plain_name-1')
    """
    if all(c in _SAFE for c in value):
        return value
    return "".join(c if c in _SAFE else "".join(f"%{b:02X}" for b in c.encode()) for c in value)


def day(start: datetime | None) -> str:
    """The ``date`` partition value of an execution that started at ``start`` (UTC day), or the NULL value.

    Example:
        >>> day(datetime(2026, 11, 30, 23, 59, tzinfo=UTC)), day(None)
        ('2026-11-30', '__HIVE_DEFAULT_PARTITION__')
    """
    if start is None:
        return NULL_PARTITION
    return start.astimezone(UTC).strftime("%Y-%m-%d")


def partition(table: str, name: str, date: str) -> str:
    """A partition folder, relative to the store (``name`` unescaped, ``date`` as :func:`day` gives it).

    Example:
        >>> partition("states", "triage", "2026-11-30")
        'states/state_machine=triage/date=2026-11-30'
    """
    return f"{table}/state_machine={escape(name)}/date={date}"


def new_batch_id() -> str:
    """A batch id that sorts by time and never repeats: ``20261201T080000-3f9a1c2e``."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def data_name(batch: str, n: int) -> str:
    """The final name of a batch's n-th file: ``part-<batch>-<n>.parquet``.

    Example:
        >>> data_name("20261201T080000-3f9a1c2e", 7)
        'part-20261201T080000-3f9a1c2e-00007.parquet'
    """
    return f"part-{batch}-{n:05d}.parquet"


def hidden(relpath: str) -> str:
    """The hidden name a file is written under before the commit makes it visible.

    Example:
        >>> hidden("states/state_machine=m/date=2026-11-30/part-b-00000.parquet")
        'states/state_machine=m/date=2026-11-30/.part-b-00000.parquet.tmp'
    """
    folder, _, name = relpath.rpartition("/")
    return f"{folder}/.{name}.tmp" if folder else f".{name}.tmp"


def is_data(name: str) -> bool:
    """A visible data file name (``*.parquet`` not starting with ``.`` or ``_``)."""
    return name.endswith(".parquet") and not name.startswith((".", "_"))


def is_hidden_part(name: str) -> bool:
    """A hidden data file of an unfinished or uncommitted batch (``.part-*.parquet.tmp``)."""
    return name.startswith(".part-") and name.endswith(".parquet.tmp")


def walk_files(root: Path) -> list[str]:
    """Every file below ``root`` (relative paths with ``/``), skipping folders whose names start with ``.``/``_``.

    Example:
        >>> import tempfile
        >>> base = Path(tempfile.mkdtemp())
        >>> for rel in ("a/x.parquet", "_tmp/y.parquet", "a/.z.tmp"):
        ...     (base / rel).parent.mkdir(exist_ok=True); _ = (base / rel).write_text("")
        >>> walk_files(base)
        ['a/.z.tmp', 'a/x.parquet']
    """
    out: list[str] = []
    if not root.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "_"))]
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out.extend(prefix + f for f in filenames)
    return sorted(out)
