"""pandas from a store: the frames' own columns and dtypes, filtered in SQL (only the partitions needed are read).

Every helper takes a store path or a connection from :func:`workbench.history.store.open`, and the same
filters: ``state_machine`` (name or ARN), ``since``/``until`` (execution start, datetimes or ISO text; naive =
UTC), ``status`` (one or several execution statuses). The states/attempts/events helpers return the rows of the
executions those filters select. Rows come in a stable order: executions by start then ARN, the others by
execution then visit/attempt/event id.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.core.arn import STATE_MACHINE_KINDS, Arn
from workbench.history.store.read import open as open_store
from workbench.history.store.schema import columns, frame_name, to_frame_dtypes

if TYPE_CHECKING:
    import duckdb

Store = str | os.PathLike[str] | Any  # Any: a duckdb connection (duckdb is imported only when used)
When = datetime | str | None
_ORDER = {"executions": "start NULLS LAST, execution", "states": "execution, visit",
          "attempts": "execution, visit, attempt", "events": "execution, id"}


def _connection(store: Store) -> duckdb.DuckDBPyConnection:
    if isinstance(store, (str, os.PathLike)):
        return open_store(store)
    con: duckdb.DuckDBPyConnection = store
    return con


def _utc(value: When, what: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{what}={value!r} is not a time: use e.g. 2026-11-30T08:00:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _where(state_machine: str | None, since: When, until: When, status: str | Iterable[str] | None,
           ) -> tuple[list[str], list[Any]]:  # Any: query parameters
    """Conditions on the executions view (partition columns first, so DuckDB prunes) and their parameters."""
    sql: list[str] = []
    params: list[Any] = []  # Any: query parameters
    if state_machine is not None:
        arn = Arn.try_parse(state_machine, *STATE_MACHINE_KINDS)
        sql.append("state_machine = ?")
        params.append(arn.name if arn is not None else state_machine)
    lo, hi = _utc(since, "since"), _utc(until, "until")
    if lo is not None:
        sql += ["date >= ?", "start >= ?"]
        params += [lo.astimezone(UTC).date(), lo]
    if hi is not None:
        sql += ["date <= ?", "start < ?"]
        params += [hi.astimezone(UTC).date(), hi]
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        sql.append(f"status IN ({', '.join('?' for _ in wanted)})")
        params += [s.upper() for s in wanted]
    return sql, params


def _query(table: str, store: Store, state_machine: str | None, since: When, until: When,
           status: str | Iterable[str] | None, payloads: bool = False) -> pd.DataFrame:
    con = _connection(store)
    names = [name for name, _ in columns(table, payloads=payloads)]
    if payloads:
        present = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
        names = [n for n in names if n in present]
    select = ", ".join(f't."{n}"' for n in names)
    where, params = _where(state_machine, since, until, status)
    if table == "executions":
        cond = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {select} FROM executions t{cond} ORDER BY {_order(table)}"
    elif where:
        parts = [w for w in where if w.startswith(("state_machine", "date"))]  # prune the table's partitions too
        part_params = [p for w, p in zip(where, params, strict=True) if w.startswith(("state_machine", "date"))]
        pruned = f" AND {' AND '.join('t.' + w for w in parts)}" if parts else ""
        sql = (f"SELECT {select} FROM {table} t WHERE t.execution IN (SELECT execution FROM executions WHERE "
               f"{' AND '.join(where)}){pruned} ORDER BY {_order(table)}")
        params = params + part_params
    else:
        sql = f"SELECT {select} FROM {table} t ORDER BY {_order(table)}"
    df = con.execute(sql, params).df()
    return to_frame_dtypes(df, table).rename(columns={n: frame_name(n) for n in names})


def _order(table: str) -> str:
    return ", ".join(f"t.{c.strip()}" for c in _ORDER[table].split(","))


def executions_df(store: Store, *, state_machine: str | None = None, since: When = None, until: When = None,
                  status: str | Iterable[str] | None = None) -> pd.DataFrame:
    """One row per execution, as ``frames(...).executions`` (state machine ARN in ``state_machine``).

    Example:
        >>> import tempfile, workbench.history.store as store
        >>> path = tempfile.mkdtemp() + "/s"
        >>> _ = store.ingest(["../shared/corpus/histories"], path, progress=False)
        >>> ex = executions_df(path, status="FAILED")
        >>> len(ex), str(ex["status"].dtype)
        (38, 'category')
    """
    return _query("executions", store, state_machine, since, until, status)


def states_df(store: Store, *, state_machine: str | None = None, since: When = None, until: When = None,
              status: str | Iterable[str] | None = None) -> pd.DataFrame:
    """One row per state visit of the selected executions, as ``frames(...).states``.

    Example:
        >>> import tempfile, workbench.history.store as store
        >>> path = tempfile.mkdtemp() + "/s"
        >>> _ = store.ingest(["../shared/corpus/histories/test_base__test_state_fail.json"], path, progress=False)
        >>> states_df(path, status="FAILED")[["state", "status"]].values.tolist()
        [['FailState', 'failed']]
    """
    return _query("states", store, state_machine, since, until, status)


def attempts_df(store: Store, *, state_machine: str | None = None, since: When = None, until: When = None,
                status: str | Iterable[str] | None = None) -> pd.DataFrame:
    """One row per Task attempt of the selected executions, as ``frames(...).attempts``.

    Example:
        >>> import tempfile, workbench.history.store as store
        >>> path = tempfile.mkdtemp() + "/s"
        >>> corpus = "../shared/corpus/histories/test_base_scenarios__test_lambda_invoke_with_retry_base.json"
        >>> _ = store.ingest([corpus], path, progress=False)
        >>> attempts_df(path)["outcome"].tolist()
        ['failed', 'failed', 'failed', 'failed']
    """
    return _query("attempts", store, state_machine, since, until, status)


def events_df(store: Store, *, state_machine: str | None = None, since: When = None, until: When = None,
              status: str | Iterable[str] | None = None, payloads: bool = True) -> pd.DataFrame:
    """One row per event of the selected executions, as ``frames(...).events`` (payloads when the store has them).

    Example:
        >>> import tempfile, workbench.history.store as store
        >>> path = tempfile.mkdtemp() + "/s"
        >>> _ = store.ingest(["../shared/corpus/histories/test_base__test_state_fail.json"], path, progress=False)
        >>> events_df(path, state_machine="_unknown")["type"].tolist()
        ['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']
    """
    return _query("events", store, state_machine, since, until, status, payloads=payloads)
