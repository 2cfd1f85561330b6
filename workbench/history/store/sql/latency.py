"""Latency over a store, as SQL: per-state percentiles, the two sides of a comparison, waiting vs working.

Each function returns exactly what its in-memory twin in :mod:`workbench.history.analysis.summaries`
returns for the same histories (columns, dtypes, index, row order). Percentiles are
``percentile_cont ... WITHIN GROUP``: linear interpolation between the two nearest values, pandas' default.
"""

from __future__ import annotations

import pandas as pd

from workbench.history._frame_access import AnalysisError
from workbench.history.store.sql.engine import ONE, ZERO, Source, nn

CONTAINERS = "('Map', 'Parallel')"
_LATENCY_QUANTILES = {"p50_ms": 0.5, "p90_ms": 0.9, "p99_ms": 0.99}


def _pct(q: float, expr: str) -> str:
    return f"percentile_cont({q}) WITHIN GROUP (ORDER BY {expr})"


def _index(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    for key in keys:
        df[key] = df[key].astype("str")
    return df.set_index(keys)


def latency_sql(src: Source, by: str) -> str:
    """The query behind :func:`state_latency` (one row per state/path and type)."""
    key = "state" if by == "state" else src.dialect.fold_iter("path")
    pcts = ", ".join(f"{_pct(q, 'd')} AS {col}" for col, q in _LATENCY_QUANTILES.items())
    return (f"SELECT k AS {by}, type, count(*) AS count, count(d) AS timed, {pcts}, max(d) AS max_ms, "
            f"avg(d) AS mean_ms FROM (SELECT {key} AS k, type, {nn('duration_ms')} AS d "
            f"FROM {src.table('states')}) s GROUP BY k, type ORDER BY k, type")


def state_latency(store: object, by: str = "state") -> pd.DataFrame:
    """:func:`~workbench.history.analysis.state_latency` over a store (see there).

    Example:
        >>> state_latency(workbench.store.open(path)).loc[[("Fetch", "Task")]]  # doctest: +SKIP
    """
    if by not in ("state", "path"):
        raise AnalysisError(f"state_latency: by must be 'state' or 'path', got {by!r}")
    src = Source(store)
    df = src.frame(latency_sql(src, by))
    out = pd.DataFrame({by: df[by], "type": df["type"], "count": df["count"].astype("int64"),
                        "timed": df["timed"].astype("int64")})
    for col in (*_LATENCY_QUANTILES, "max_ms", "mean_ms"):
        out[col] = df[col].astype("float64")
    return _index(out, [by, "type"])


def side_sql(src: Source) -> str:
    """The query behind one side of :func:`compare_runs`."""
    failed = f"CASE WHEN status IN ('failed', 'caught') THEN {ONE} ELSE {ZERO} END"
    return (f"SELECT state, type, count(*) AS count, {_pct(0.5, 'd')} AS p50_ms, {_pct(0.9, 'd')} AS p90_ms, "
            f"avg(CAST(retries AS DOUBLE)) AS retries_per_visit, avg({failed}) AS failure_rate "
            f"FROM (SELECT state, type, retries, status, {nn('duration_ms')} AS d FROM {src.table('states')}) s "
            f"GROUP BY state, type ORDER BY state, type")


def compare_side(store: object) -> pd.DataFrame:
    """One side of :func:`~workbench.history.analysis.compare_runs` over a store (per state: count, p50, p90...).

    Example:
        >>> compare_side(workbench.store.open(path))                           # doctest: +SKIP
    """
    src = Source(store)
    df = src.frame(side_sql(src))
    out = pd.DataFrame({"state": df["state"], "type": df["type"], "count": df["count"].astype("int64")})
    for col in ("p50_ms", "p90_ms", "retries_per_visit", "failure_rate"):
        out[col] = df[col].astype("float64")
    return _index(out, ["state", "type"])


def container_tries_sql(src: Source) -> str:
    """Map/Parallel (re)starts: one row per ``*StateStarted`` of a container visit, with its try number and
    the pause before it (from the visit's previous event; NULL for the first try), as in ``tries()``."""
    d = src.dialect
    return (
        f"SELECT execution, visit, row_number() OVER (PARTITION BY execution, visit ORDER BY id) AS try_no, "
        f"CASE WHEN row_number() OVER (PARTITION BY execution, visit ORDER BY id) > 1 "
        f"THEN {d.ms_between('prev_ts', 'timestamp')} END AS backoff_ms "
        f"FROM (SELECT e.execution, e.visit, e.id, e.type, e.timestamp, "
        f"lag(e.timestamp) OVER (PARTITION BY e.execution, e.visit ORDER BY e.id) AS prev_ts "
        f"FROM {src.table('events')} e JOIN (SELECT DISTINCT execution, visit FROM {src.table('states')} "
        f"WHERE type IN {CONTAINERS}) k ON e.execution = k.execution AND e.visit = k.visit) ev "
        f"WHERE type LIKE '%StateStarted'")


def breakdown_sql(src: Source, by: str) -> str:
    """The query behind :func:`time_breakdown`: per visit, then summed per execution or per state."""
    keys = "execution" if by == "execution" else "state, type"
    per_visit = (
        f"SELECT s.execution, s.state, s.type, coalesce(a.queue_ms, {ZERO}) AS queue_ms, "
        f"coalesce(a.work_ms, {ZERO}) AS work_ms, coalesce(a.backoff_ms, {ZERO}) AS task_backoff_ms, "
        f"coalesce(b.backoff_ms, {ZERO}) AS box_backoff_ms, "
        f"CASE WHEN s.type = 'Wait' THEN coalesce(s.d, {ZERO}) ELSE {ZERO} END AS wait_state_ms, "
        f"coalesce(s.d, {ZERO}) AS d0 "
        f"FROM (SELECT execution, visit, state, type, {nn('duration_ms')} AS d FROM {src.table('states')}) s "
        f"LEFT JOIN (SELECT execution, visit, coalesce(sum({nn('queue_ms')}), {ZERO}) AS queue_ms, "
        f"coalesce(sum({nn('run_ms')}), {ZERO}) AS work_ms, coalesce(sum({nn('backoff_ms')}), {ZERO}) AS backoff_ms "
        f"FROM {src.table('attempts')} GROUP BY execution, visit) a ON s.execution = a.execution AND s.visit = a.visit "
        f"LEFT JOIN (SELECT execution, visit, coalesce(sum(backoff_ms), {ZERO}) AS backoff_ms "
        f"FROM ({container_tries_sql(src)}) t GROUP BY execution, visit) b "
        f"ON s.execution = b.execution AND s.visit = b.visit")
    leaf_other = (f"CASE WHEN type NOT IN {CONTAINERS} THEN greatest(d0 - (queue_ms + work_ms + task_backoff_ms "
                  f"+ wait_state_ms), {ZERO}) ELSE {ZERO} END")
    sums = (f"SELECT {keys}, sum(wait_state_ms) AS wait_state_ms, sum(task_backoff_ms + box_backoff_ms) AS backoff_ms, "
            f"sum(queue_ms) AS queue_ms, sum(work_ms) AS work_ms, sum({leaf_other}) AS other_ms "
            f"FROM ({per_visit}) v GROUP BY {keys}")
    if by == "execution":
        return (f"SELECT g.*, {nn('x.duration_ms')} AS duration_ms FROM ({sums}) g LEFT JOIN "
                f"{src.table('executions')} x ON g.execution = x.execution ORDER BY g.execution")
    return f"{sums} ORDER BY {keys}"


def time_breakdown(store: object, by: str = "execution") -> pd.DataFrame:
    """:func:`~workbench.history.analysis.time_breakdown` over a store (see there).

    Example:
        >>> time_breakdown(workbench.store.open(path), by="state")             # doctest: +SKIP
    """
    if by not in ("execution", "state"):
        raise AnalysisError(f"time_breakdown: by must be 'execution' or 'state', got {by!r}")
    src = Source(store)
    df = src.frame(breakdown_sql(src, by))
    keys = ["execution"] if by == "execution" else ["state", "type"]
    out = pd.DataFrame({k: df[k] for k in keys})
    if by == "execution":
        out["duration_ms"] = df["duration_ms"].astype("float64")
    for col in ("wait_state_ms", "backoff_ms", "queue_ms", "work_ms", "other_ms"):
        out[col] = df[col].astype("float64")
    out["waiting_ms"] = out["wait_state_ms"] + out["backoff_ms"] + out["queue_ms"]
    total = out["waiting_ms"] + out["work_ms"] + out["other_ms"]
    out["waiting_share"] = out["waiting_ms"] / total.where(total > 0)
    return _index(out, keys)
