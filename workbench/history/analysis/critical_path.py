"""The critical path of an execution: the chain of state visits that determined when it ended.

Sequential states form a chain; a Parallel or Map visit ends when its *last* branch or iteration
ends, so the path descends into that branch/iteration and follows its chain backwards. The result
explains "why did this run take 40 s" with the few visits that actually held it up, which a plain
sum of state durations cannot do once there is concurrency.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from workbench.history._frame_access import CONTAINER_TYPES, frame, require
from workbench.history._types import Row

_STATE_COLUMNS = ("execution", "visit", "state", "type", "path", "depth", "parent_visit", "entered", "exited",
                  "duration_ms")
PATH_COLUMNS = ["execution", "order", "visit", "state", "type", "path", "depth", "entered", "exited",
                "duration_ms", "contribution_ms", "gap_before_ms"]


def critical_path(frames: object, execution: str | None = None) -> pd.DataFrame:
    """Critical path of each execution (or only ``execution``), one row per visit on the path.

    Rows are in time order; a Parallel/Map visit is followed by the path through the branch or
    iteration that finished last. ``contribution_ms`` is the time only that row accounts for: a
    leaf's whole duration, and for a Parallel/Map its duration minus the path children inside it
    (start-up, back-offs between retries, gaps). ``gap_before_ms`` is the pause since the previous
    visit of the same chain ended (or since its container/execution started). Visits without
    timestamps (recorded corpus placeholders) cannot be placed and give an empty path.

    Example:
        >>> path = critical_path(frames, execution=arn)                   # doctest: +SKIP
        >>> path[["path", "contribution_ms"]]                             # doctest: +SKIP
                            path  contribution_ms
        0                  Start              5.0
        1                 Gather              7.0
        2  Gather/branch[0]/Pull           3000.0
        3                PerHost              6.0
        4  PerHost/iter[1]/Probe           2000.0
        5                   Done              1.0
    """
    states = frame(frames, "states")
    executions = frame(frames, "executions")
    require(states, _STATE_COLUMNS, "states")
    require(executions, ("execution", "start"), "executions")
    starts = dict(zip(executions["execution"].astype(str), executions["start"], strict=False))
    wanted = states if execution is None else states[states["execution"].astype(str) == execution]
    wanted = wanted[wanted["entered"].notna()]
    rows: list[Row] = []
    for arn, visits in wanted.groupby("execution", observed=True, sort=False):
        rows.extend(_path_rows(str(arn), visits, starts.get(str(arn))))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PATH_COLUMNS})
    out = pd.DataFrame(rows, columns=PATH_COLUMNS)
    out["execution"] = out["execution"].astype("category")
    return out


class _V(NamedTuple):
    visit: int
    state: str
    type: str
    path: str
    depth: int
    parent: int
    entered: pd.Timestamp
    exited: Any  # Any: pandas Timestamp values are untyped
    end: pd.Timestamp
    duration_ms: float


def _path_rows(arn: str, visits: pd.DataFrame, exec_start: Any) -> list[Row]:  # Any: pandas
    exited = visits["exited"]
    end = exited.fillna(visits["entered"])
    children: dict[int, list[_V]] = {}
    for v in zip(visits["visit"], visits["state"], visits["type"], visits["path"], visits["depth"],
                 visits["parent_visit"], visits["entered"], exited, end, visits["duration_ms"], strict=True):
        node = _V(int(v[0]), str(v[1]), str(v[2]), str(v[3]), int(v[4]), int(v[5]), v[6], v[7], v[8], float(v[9]))
        children.setdefault(node.parent, []).append(node)
    out: list[Row] = []
    start = exec_start if exec_start is not None and not pd.isna(exec_start) else visits["entered"].min()
    _walk(children, -1, start, out)
    for i, row in enumerate(out):
        row["execution"], row["order"] = arn, i
    return out


def _chain(siblings: list[_V]) -> list[_V]:
    """From the visit that ended last, walk back through the visit of the same branch/iteration that ended
    last before each one was entered."""
    last = max(siblings, key=lambda v: (v.end, v.visit))
    group = last.path.rpartition("/")[0]
    same = sorted((v for v in siblings if v.path.rpartition("/")[0] == group), key=lambda v: (v.end, v.visit))
    ends = [v.end for v in same]
    chain = [last]
    cur = last
    while True:
        i = bisect_right(ends, cur.entered) - 1
        while i >= 0 and same[i].visit >= cur.visit:
            i -= 1
        if i < 0:
            break
        cur = same[i]
        chain.append(cur)
    chain.reverse()
    return chain


def _walk(children: dict[int, list[_V]], parent: int, parent_start: Any, out: list[Row]) -> float:  # Any: pandas
    """Append the chain under ``parent`` to ``out``; return the summed duration of its visits."""
    siblings = children.get(parent)
    if not siblings:
        return 0.0
    covered = 0.0
    prev_end = parent_start
    for v in _chain(siblings):
        duration = 0.0 if np.isnan(v.duration_ms) else v.duration_ms
        gap = (v.entered - prev_end).total_seconds() * 1000.0
        record: Row = {
            "visit": v.visit, "state": v.state, "type": v.type, "path": v.path, "depth": v.depth,
            "entered": v.entered, "exited": v.exited, "duration_ms": v.duration_ms, "contribution_ms": duration,
            "gap_before_ms": max(gap, 0.0),
        }
        out.append(record)
        if v.type in CONTAINER_TYPES:
            inner = _walk(children, v.visit, v.entered, out)
            record["contribution_ms"] = max(duration - inner, 0.0)
        covered += duration
        prev_end = v.end
    return covered
