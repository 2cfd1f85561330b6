"""Read a store: the live data files of a table, and a DuckDB connection with the four tables as views.

Readers never write and never take the writer's lock: :func:`live_files` lists the visible ``*.parquet``
files, corrected by any commit that is recorded but not yet applied (see :mod:`.commit`), and lists again if a
writer committed meanwhile. A connection sees the store as it was when it was opened; open it again to see
later ingests (a file an ingest replaced makes the old connection's queries fail with "No files found"/"not
found": reopen).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.history.store.commit import log_state, pending
from workbench.history.store.layout import MARKER, StoreError, is_data, walk_files
from workbench.history.store.schema import (
    PAYLOAD_COLUMNS,
    SCHEMA_VERSION,
    TABLES,
    VERSION_KEY,
    columns,
    table_schema,
)

if TYPE_CHECKING:
    import duckdb

_DUCKDB_TYPES = {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN",
                 pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ"}


def check_store(path: str | os.PathLike[str]) -> Path:
    """The store folder, after checking that it is one this workbench can read; else a one-line StoreError.

    Example:
        >>> check_store("missions")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        workbench.history.store.layout.StoreError: missions is not a history store (no _store.json, no table ...
    """
    root = Path(path)
    if not root.exists():
        raise StoreError(f"{path} does not exist: give the folder `workbench history ingest ... --store PATH` "
                         "wrote")
    if not root.is_dir():
        raise StoreError(f"{path} is a file, not a history store folder: give the folder passed to --store")
    info = marker_info(root)
    if info is not None:
        version = info["schema_version"]
    elif any((root / t).is_dir() for t in TABLES):
        version = _file_version(root)
    else:
        raise StoreError(f"{path} is not a history store (no {MARKER}, no table folders): create one with "
                         f"`workbench history ingest SOURCE --store {path}`")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} was written by a newer workbench (store schema version {version}; this one reads "
                         f"up to {SCHEMA_VERSION}): upgrade mission-workbench to read it")
    return root


def marker_info(root: Path) -> dict[str, Any] | None:  # Any: JSON
    """The store marker ``_store.json`` (``schema_version``, ``payloads``), or None when there is none."""
    marker = root / MARKER
    try:
        doc = orjson.loads(marker.read_bytes())
        return {"schema_version": int(doc["schema_version"]), "payloads": bool(doc.get("payloads", False))}
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise StoreError(f"{marker} is damaged: it should hold the store's schema version; if the store is "
                         "otherwise intact, delete that file") from None


def _file_version(root: Path) -> int:
    """The schema version in the metadata of the first data file (a store copied without its marker)."""
    for table in TABLES:
        files = live_files(root, table)
        if files:
            meta = pq.read_schema(files[0]).metadata or {}
            return int(meta.get(VERSION_KEY, b"1"))
    return SCHEMA_VERSION


def live_files(path: str | os.PathLike[str], table: str) -> list[str]:
    """The data files a reader should read for ``table`` now (absolute paths, sorted), without writing anything.

    Visible ``*.parquet`` files, minus the files a committed-but-unapplied record removes, plus the files it
    adds (under their hidden name while the rename has not happened). Spark and DuckDB registrations read these.

    Example:
        >>> live_files("/nonexistent/store", "events")
        []
    """
    if table not in TABLES:
        raise ValueError(f"unknown store table {table!r}: use one of {', '.join(TABLES)}")
    root = Path(path)
    for _ in range(100):  # a writer applying a commit while we list: list again
        before = log_state(root)
        listed = [rel for rel in walk_files(root / table) if is_data(rel.rpartition("/")[2])]
        records = pending(root)
        if log_state(root) == before:
            break
    live = {f"{table}/{rel}" for rel in listed}
    for record in records:
        live.difference_update(record.remove)
        for final, hidden in record.add:
            if final.startswith(f"{table}/") and final not in live:
                if (root / final).exists():
                    live.add(final)
                elif (root / hidden).exists():
                    live.add(hidden)
    return [str((root / rel).absolute()) for rel in sorted(live)]


def duckdb_type(arrow_type: pa.DataType) -> str:
    """The DuckDB SQL type of a store column's Arrow type.

    Example:
        >>> duckdb_type(table_schema("states").field("entered").type)
        'TIMESTAMPTZ'
    """
    return _DUCKDB_TYPES[arrow_type]


def table_sql(root: Path, table: str, files: list[str] | None = None) -> str:
    """The SELECT behind a table's view: every file column in order, then ``state_machine`` and ``date``."""
    files = live_files(root, table) if files is None else files
    payloads = table == "events" and _has_payloads(root, files)
    schema = table_schema(table, payloads=payloads)
    names = [name for name, _ in columns(table, payloads=payloads)]
    if not files:
        cols = ", ".join(f"CAST(NULL AS {duckdb_type(f.type)}) AS {_q(f.name)}" for f in schema)
        return f"SELECT {cols}, CAST(NULL AS VARCHAR) AS state_machine, CAST(NULL AS DATE) AS date WHERE false"
    listing = "[" + ", ".join(_literal(f) for f in files) + "]"
    select = ", ".join(_q(n) for n in names)
    union = ", union_by_name = true" if payloads else ""
    return (f"SELECT {select}, state_machine, date FROM read_parquet({listing}, hive_partitioning = true, "
            f"hive_types = {{'state_machine': 'VARCHAR', 'date': 'DATE'}}{union})")


def _has_payloads(root: Path, files: list[str]) -> bool:
    """True when some events file has the payload columns (they are read as NULL where a file lacks them)."""
    info = marker_info(root)
    if info is not None:
        return bool(info["payloads"])
    wanted = {name for name, _ in PAYLOAD_COLUMNS}
    return any(wanted <= set(pq.read_schema(f).names) for f in files)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open(path: str | os.PathLike[str], *, connection: Any = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection on a store, with views ``executions``, ``states``, ``attempts`` and ``events``.

    Each view has the table's columns (the frames' own, see ``docs/store.md``) plus ``state_machine`` (the
    machine's name) and ``date`` (the execution's start day, UTC): filter on them and DuckDB reads only those
    partitions. ``connection`` registers the views on a connection you already have.

    Example:
        >>> import tempfile, workbench.history.store as store
        >>> path = tempfile.mkdtemp() + "/store"
        >>> _ = store.ingest(["../shared/corpus/histories"], path, progress=False)
        >>> con = store.open(path)
        >>> con.execute("SELECT count(*) FROM executions").fetchall()
        [(118,)]
    """
    import duckdb

    root = check_store(path)
    con = connection if connection is not None else duckdb.connect()
    for table in TABLES:
        try:
            con.execute(f"CREATE OR REPLACE VIEW {table} AS {table_sql(root, table)}")
        except duckdb.Error as exc:  # a data file damaged or replaced by hand: say which, not a traceback
            first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
            raise StoreError(f"{root}: the {table} table cannot be read ({first.split(' LINE ')[0]}): the store "
                             "was damaged; ingest its histories again into a new store") from None
    return con
