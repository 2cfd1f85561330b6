"""Analyses that reason row by row, over a store: SQL picks the few rows concerned, the frame code finishes.

Failures (the fate of each failure walks up the nesting and normalises causes with regexes), the retry
summary and back-off check (each failed try is replayed against the state's ``Retry`` policy) and the
slowest executions (their critical paths) are per-row reasoning, not aggregations. Over a store the engine
selects only what they read: the executions that have a failed visit, the visits that have a failed try,
the ``n`` slowest executions; those rows come back as frames and the in-memory function runs on them, so
the result is the same by construction. Rows come in execution-ARN order (a store has no load order).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from workbench.history.store.schema import columns, to_frame_dtypes
from workbench.history.store.sql.engine import Source, nn
from workbench.history.store.sql.latency import CONTAINERS

_ORDER = {"executions": "execution", "states": "execution, visit", "attempts": "execution, visit, attempt",
          "events": "execution, id"}
_FAILED_OUTCOMES = "('failed', 'timed_out', 'schedule_failed', 'start_failed', 'submit_failed')"
# The columns each row-by-row analysis reads (the frame code checks them with ``require``).
_FAILURE_COLUMNS = {"executions": ("execution", "status"),
                    "states": ("execution", "visit", "state", "type", "path", "parent_visit", "status", "error",
                               "cause", "entered_event"),
                    "events": ("execution", "id", "type", "visit"), "attempts": ("execution", "visit")}
_RETRY_COLUMNS = {"executions": ("execution",),
                  "states": ("execution", "visit", "state", "type", "status", "error", "cause", "attempts",
                             "retry_policy"),
                  "attempts": ("execution", "visit", "state", "attempt", "outcome", "error", "cause", "backoff_ms"),
                  "events": ("execution", "id", "visit", "type", "timestamp")}


def _select(src: Source, table: str, names: tuple[str, ...] | None = None, where: str = "", *, keys: str = "",
            by_visit: bool = False) -> pd.DataFrame:
    """Rows of one table (``names``, else all its columns; the frames' dtypes), kept by ``where`` and ``keys``.

    ``keys`` is a query giving the executions to keep (column ``execution``), or with ``by_visit`` the
    (``execution``, ``visit``) pairs to keep. Text stays text: the frame code reads it as ``str`` either way.
    """
    if names is None:
        payloads = table == "events" and "input" in src.columns("events")
        names = tuple(name for name, _ in columns(table, payloads=payloads))
    sql = f"SELECT {', '.join(f't.{n}' for n in names)} FROM {src.table(table)} t"
    if keys and by_visit:
        sql += f" JOIN ({keys}) k ON t.execution = k.execution AND t.visit = k.visit"
    conditions = [where] if where else []
    if keys and not by_visit:
        conditions.append(f"t.execution IN (SELECT execution FROM ({keys}) k)")
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    sql += " ORDER BY " + ", ".join(f"t.{c.strip()}" for c in _ORDER[table].split(","))
    df = src.frame(sql)
    text = {name for name, dtype in columns(table, payloads=True) if dtype in ("category", "str")}
    restored = to_frame_dtypes(df.drop(columns=[c for c in df.columns if c in text]), table)
    for name in df.columns:  # back in the selected order
        restored[name] = df[name] if name in text else restored[name]
    return restored[list(df.columns)]


def _frames(src: Source, keys: str, wanted: Mapping[str, tuple[str, ...] | None], where: dict[str, str] | None = None,
            *, by_visit: bool = False) -> dict[str, pd.DataFrame]:
    return {t: _select(src, t, cols, (where or {}).get(t, ""), keys=keys, by_visit=by_visit)
            for t, cols in wanted.items()}


def failing_executions_sql(src: Source) -> str:
    """Executions with at least one failed or caught state visit."""
    return f"SELECT DISTINCT execution FROM {src.table('states')} WHERE status IN ('failed', 'caught')"


def failure_frames(store: object) -> dict[str, pd.DataFrame]:
    """The frames :func:`~workbench.history.analysis.failures` reads, for the executions that have a failure."""
    src = Source(store)
    where = {"events": "t.type IN ('ExecutionRedriven', 'MapStateStarted', 'ParallelStateStarted')",
             "attempts": "1 = 0"}
    return _frames(src, failing_executions_sql(src), _FAILURE_COLUMNS, where)


def failures(store: object) -> pd.DataFrame:
    """:func:`~workbench.history.analysis.failures` over a store (see there).

    Example:
        >>> failures(workbench.store.open(path))                               # doctest: +SKIP
    """
    from workbench.history.analysis.summaries import failures as in_memory

    return in_memory(failure_frames(store))


def failure_patterns(store: object) -> pd.DataFrame:
    """:func:`~workbench.history.analysis.failure_patterns` over a store (see there).

    Example:
        >>> failure_patterns(workbench.store.open(path))                       # doctest: +SKIP
    """
    from workbench.history.analysis.summaries import failure_patterns as in_memory

    return in_memory(failure_frames(store))


def retried_visits_sql(src: Source) -> str:
    """(execution, visit) of every visit with a failed try: a failed Task attempt, or a Map/Parallel that was
    re-started or failed (each of its tries but the last failed)."""
    return (f"SELECT DISTINCT execution, visit FROM {src.table('attempts')} WHERE outcome IN {_FAILED_OUTCOMES} "
            f"UNION SELECT execution, visit FROM {src.table('states')} WHERE type IN {CONTAINERS} "
            f"AND (attempts > 1 OR status IN ('failed', 'caught'))")


def retry_frames(store: object) -> dict[str, pd.DataFrame]:
    """The frames the retry analyses read, for the visits that had a failed try (all their tries)."""
    src = Source(store)
    keys = retried_visits_sql(src)
    boxes = (f"SELECT k.execution, k.visit FROM ({keys}) k JOIN {src.table('states')} s "
             f"ON k.execution = s.execution AND k.visit = s.visit WHERE s.type IN {CONTAINERS}")
    out = _frames(src, keys, {t: _RETRY_COLUMNS[t] for t in ("states", "attempts")}, by_visit=True)
    out["events"] = _select(src, "events", _RETRY_COLUMNS["events"], keys=boxes, by_visit=True)
    out["executions"] = _select(src, "executions", _RETRY_COLUMNS["executions"], "1 = 0")
    return out


def retry_summary(store: object) -> pd.DataFrame:
    """:func:`~workbench.history.analysis.retry_summary` over a store (see there).

    Example:
        >>> retry_summary(workbench.store.open(path))                          # doctest: +SKIP
    """
    from workbench.history.analysis.retries import retry_summary as in_memory

    return in_memory(retry_frames(store))


def backoff_check(store: object, *, tolerance_s: float = 0.25, slack: float = 0.1) -> pd.DataFrame:
    """:func:`~workbench.history.analysis.retries.backoff_check` over a store (see there).

    Example:
        >>> backoff_check(workbench.store.open(path))                          # doctest: +SKIP
    """
    from workbench.history.analysis.retries import backoff_check as in_memory

    return in_memory(retry_frames(store), tolerance_s=tolerance_s, slack=slack)


def slowest_frames(store: object, n: int) -> dict[str, pd.DataFrame]:
    """The four frames of the ``n`` longest executions (ties by ARN)."""
    src = Source(store)
    keys = (f"SELECT execution FROM {src.table('executions')} WHERE {nn('duration_ms')} IS NOT NULL "
            f"ORDER BY duration_ms DESC, execution LIMIT {int(n)}")
    return _frames(src, keys, dict.fromkeys(("executions", "states", "attempts", "events")))


def slowest_executions(store: object, n: int = 5, top_states: int = 3) -> pd.DataFrame:
    """:func:`~workbench.history.analysis.slowest_executions` over a store (see there).

    Example:
        >>> slowest_executions(workbench.store.open(path), n=3)                # doctest: +SKIP
    """
    from workbench.history.analysis.summaries import slowest_executions as in_memory

    return in_memory(slowest_frames(store, max(int(n), 0)), n=n, top_states=top_states)
