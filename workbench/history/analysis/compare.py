"""Comparing two sets of executions (two versions, two time windows) state by state.

Each side is per-state latency (pandas' linear-interpolation quantiles), retries per visit and failure
rate, from in-memory frames or a store (a DuckDB connection or Spark session on one: SQL in
:mod:`workbench.history.store.sql.latency`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from workbench.history._frame_access import FRAME_NAMES, frame, require
from workbench.history.store.sql import latency as sql_latency
from workbench.history.store.sql.engine import StoreSelection, is_store, select_store


def compare_runs(before: object, after: object, labels: tuple[str, str] = ("before", "after")) -> pd.DataFrame:
    """Per-state latency and retry deltas between two sets of executions (two versions, two windows).

    Columns per side: ``count``, ``p50_ms``, ``p90_ms``, ``retries_per_visit``, ``failure_rate``
    (suffixed with the labels), then ``p50_delta_ms``, ``p90_delta_ms``, ``p50_ratio`` and
    ``retries_delta`` (after − before). States present on one side only have NaN on the other.

    Example:
        >>> compare_runs(frames_v1, frames_v2, labels=("v1", "v2")).loc[[("Fetch", "Task")],
        ...                                                       ["p50_delta_ms", "retries_delta"]]  # doctest: +SKIP
                    p50_delta_ms  retries_delta
        state type
        Fetch Task       -3900.0           -2.0
    """
    a, b = labels
    left, right = _side(before), _side(after)
    out = left.add_suffix(f"_{a}").join(right.add_suffix(f"_{b}"), how="outer")
    out["p50_delta_ms"] = out[f"p50_ms_{b}"] - out[f"p50_ms_{a}"]
    out["p90_delta_ms"] = out[f"p90_ms_{b}"] - out[f"p90_ms_{a}"]
    out["p50_ratio"] = out[f"p50_ms_{b}"] / out[f"p50_ms_{a}"].where(out[f"p50_ms_{a}"] > 0)
    out["retries_delta"] = out[f"retries_per_visit_{b}"] - out[f"retries_per_visit_{a}"]
    for side in labels:
        out[f"count_{side}"] = out[f"count_{side}"].fillna(0).astype("int64")
    return out.sort_index()


def select_executions(frames: object, executions: Iterable[str] | None = None, *, since: Any = None,  # Any: date-like
                      until: Any = None) -> dict[str, pd.DataFrame] | StoreSelection:  # Any: any date form
    """The four frames restricted to some executions and/or a start-time window [since, until).

    Returns a dict every analysis and cost function accepts in place of the full frames, so two
    windows (or two versions' runs) can be compared with :func:`compare_runs`; given a store, a
    :class:`~workbench.history.store.sql.StoreSelection` of it, which they accept in place of the store.

    Example:
        >>> cut = pd.Timestamp("2026-03-02T09:00:05Z")                             # doctest: +SKIP
        >>> compare_runs(select_executions(frames, until=cut), select_executions(frames, since=cut))  # doctest: +SKIP
    """
    if is_store(frames):
        return select_store(frames, executions, since=since, until=until)
    ex = frame(frames, "executions")
    require(ex, ("execution", "start"), "executions")
    keep = pd.Series(True, index=ex.index)
    if executions is not None:
        keep &= ex["execution"].astype(str).isin({str(e) for e in executions})
    if since is not None:
        keep &= ex["start"] >= pd.Timestamp(since)
    if until is not None:
        keep &= ex["start"] < pd.Timestamp(until)
    chosen = set(ex.loc[keep, "execution"].astype(str))
    out: dict[str, pd.DataFrame] = {}
    for name in FRAME_NAMES:
        df = frame(frames, name)
        out[name] = df[df["execution"].astype(str).isin(chosen)].reset_index(drop=True)
    return out


def _side(frames: object) -> pd.DataFrame:
    if is_store(frames):
        return sql_latency.compare_side(frames)
    states = frame(frames, "states")
    require(states, ("state", "type", "duration_ms", "retries", "status"), "states")
    s = pd.DataFrame({"state": states["state"].astype(str), "type": states["type"].astype(str),
                      "duration_ms": states["duration_ms"].astype("float64"),
                      "retries": states["retries"].astype("float64"),
                      "failed": states["status"].astype(str).isin(["failed", "caught"]).astype("float64")})
    g = s.groupby(["state", "type"], sort=True)
    return pd.DataFrame({
        "count": g.size(),
        "p50_ms": g["duration_ms"].quantile(0.5),
        "p90_ms": g["duration_ms"].quantile(0.9),
        "retries_per_visit": g["retries"].mean(),
        "failure_rate": g["failed"].mean(),
    })
