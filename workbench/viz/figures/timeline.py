"""Gantt timeline of one execution: a row per state visit, every Task attempt a segment.

Like the AWS console's table view: Parallel branches and Map iterations are grouped under their
container (rows follow the nesting path, iterations in index order on shaded bands), failed
attempts are red, queueing before a worker picked a task up is pale blue and the Retry back-off
between attempts is grey. The x axis is UTC time and zoomable; recorded histories without
timestamps get the same rows laid out by event number instead, with a note saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.core.arn import short_name
from workbench.history._frame_access import frame, require, text
from workbench.viz.figures.base import (
    BACKOFF_COLOR,
    OUTCOME_COLORS,
    QUEUE_COLOR,
    VISIT_COLORS,
    error_label,
    fmt_ms,
    label,
    note,
    pick_execution,
    plot_time,
    style,
)

_SCOPE_INDEX = re.compile(r"(branch|iter)\[(\d+|\?)\]$")
ROW_PX = 22
NBSP = "\u00a0"


@dataclass
class Row:
    """One row of the timeline: a state visit, its indented label and the branch/iteration it belongs to."""

    visit: int
    label: str
    scope: str  # enclosing branch/iteration path ("" at top level)
    depth: int


def _scope_key(scope: str) -> tuple[int, str]:
    m = _SCOPE_INDEX.search(scope)
    if m is None or m.group(2) == "?":
        return (1 << 30, scope)
    return (int(m.group(2)), scope)


def ordered_rows(mine: pd.DataFrame) -> list[Row]:
    """Depth-first: a container's visit, then its branches/iterations in index order, each in time order."""
    children: dict[int, list[tuple[int, str, str, int]]] = {}
    for visit, parent, path, state, depth in zip(mine["visit"], mine["parent_visit"], mine["path"].astype(str),
                                                 mine["state"].astype(str), mine["depth"], strict=True):
        scope = path[: len(path) - len(state)].rstrip("/") if path.endswith(state) else path.rpartition("/")[0]
        children.setdefault(int(parent), []).append((int(visit), path, scope, int(depth)))
    rows: list[Row] = []
    seen: dict[str, int] = {}

    def visit_tree(parent: int, parent_path: str) -> None:
        kids = children.get(parent, [])
        by_scope: dict[str, list[tuple[int, str, str, int]]] = {}
        for kid in kids:
            by_scope.setdefault(kid[2], []).append(kid)
        for scope in sorted(by_scope, key=_scope_key):
            for visit, path, _scope, depth in sorted(by_scope[scope]):
                seen[path] = seen.get(path, 0) + 1
                rel = path[len(parent_path) + 1:] if parent_path and path.startswith(parent_path + "/") else path
                rel = re.sub(r"(branch|iter)\[(\d+|\?)\]/", r"\1 \2 · ", rel)
                again = f" ({seen[path]})" if seen[path] > 1 else ""
                rows.append(Row(visit, NBSP * 3 * depth + label(rel) + again, scope if depth else "", depth))
                visit_tree(visit, path)

    visit_tree(-1, "")
    return rows


def _bands(rows: list[Row]) -> list[dict[str, Any]]:
    """Shaded background for every other branch/iteration block, so groups read at a glance."""
    shapes: list[dict[str, Any]] = []
    start = 0
    shade = False
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i].scope != rows[start].scope:
            if rows[start].scope:
                if shade:
                    shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": start - 0.5,
                                   "y1": i - 1 + 0.5, "fillcolor": "#eef3f7", "line": {"width": 0}, "layer": "below"})
                shade = not shade
            else:
                shade = False
            start = i
    return shapes


def timeline_figure(frames: Any, execution: str | None = None, *, max_rows: int = 300) -> go.Figure:
    """Gantt chart of one execution (default: the first in the frames); at most ``max_rows`` visit rows.

    Example:
        >>> import workbench
        >>> run = workbench.run_mission("missions/incident_triage.yaml", time_warp=True, progress=False)
        >>> timeline_figure(workbench.frames(run)).layout.xaxis.type
        'date'
    """
    arn = pick_execution(frames, execution)
    states = frame(frames, "states")
    require(states, ("execution", "visit", "state", "type", "path", "depth", "parent_visit", "entered", "exited",
                     "duration_ms", "status", "retries", "error", "entered_event", "exited_event"), "states")
    mine = states[states["execution"] == arn]
    name = short_name(arn)
    rows = ordered_rows(mine)
    total = len(rows)
    rows = rows[:max_rows]
    pos = {r.visit: i for i, r in enumerate(rows)}
    by_visit = mine.set_index("visit", drop=False)
    timed = bool(mine["entered"].notna().any())
    fig = go.Figure()
    if timed:
        _timed_traces(fig, frames, arn, by_visit, pos)
    else:
        _event_order_traces(fig, by_visit, pos)
    height = 110 + ROW_PX * max(len(rows), 3)
    style(fig, f"Timeline of {label(name)}", height=min(height, 12_000))
    fig.update_layout(barmode="overlay", bargap=0.2, shapes=_bands(rows), hovermode="closest")
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(rows))), ticktext=[r.label for r in rows],
                     range=[max(len(rows), 1) - 0.5, -0.5], autorange=False, showgrid=False, zeroline=False,
                     automargin=True)
    if timed:
        fig.update_xaxes(type="date", title_text="time (UTC)", showgrid=True)
    else:
        fig.update_xaxes(title_text="event number", showgrid=True)
        note(fig, "no timestamps in this history: bars span event numbers, not time")
    if total > len(rows):
        note(fig, f"showing the first {len(rows):,} of {total:,} state visits")
    return fig


def _hover(r: Any, extra: str = "") -> str:
    parts = [f"<b>{label(r.path)}</b> ({label(r.type)})", f"status: {label(r.status)}",
             f"duration: {fmt_ms(r.duration_ms)}"]
    if int(r.retries):
        parts.append(f"retries: {int(r.retries)}")
    err = text(r.error)
    if err:
        parts.append(f"error: {error_label(err)}")
    return "<br>".join(parts) + extra


def _timed_traces(fig: go.Figure, frames: Any, arn: str, by_visit: pd.DataFrame, pos: dict[int, int]) -> None:
    visits = by_visit[by_visit["visit"].isin(list(pos))]
    entered = visits["entered"]
    end_of_run = pd.concat([visits["entered"], visits["exited"]]).max()
    exited = visits["exited"].fillna(end_of_run)
    span_ms = max((end_of_run - entered.min()).total_seconds() * 1000.0, 1.0) if len(visits) else 1.0
    min_w = span_ms * 0.002  # a 0 ms visit still shows as a sliver you can hover
    dur = ((exited - entered).dt.total_seconds() * 1000.0).fillna(0.0).to_numpy()
    fig.add_trace(go.Bar(
        name="state visit", orientation="h", base=plot_time(entered), x=np.maximum(dur, min_w).tolist(),
        y=[pos[int(v)] for v in visits["visit"]], width=0.8, opacity=0.35,
        marker={"color": [VISIT_COLORS.get(str(s), "#879596") for s in visits["status"]], "line": {"width": 0}},
        hovertext=[_hover(r) for r in visits.itertuples(index=False)], hoverinfo="text",
    ))
    attempts = frame(frames, "attempts")
    require(attempts, ("execution", "visit", "attempt", "scheduled", "started", "ended", "outcome", "error",
                       "backoff_ms", "run_ms", "queue_ms"), "attempts")
    mine = attempts[(attempts["execution"] == arn) & attempts["visit"].isin(list(pos))]
    mine = mine[mine["started"].notna() | mine["scheduled"].notna()]  # an attempt with no time cannot be placed
    if mine.empty:
        return
    ended = mine["ended"].fillna(end_of_run)
    start = mine["started"].fillna(mine["scheduled"])
    run = ((ended - start).dt.total_seconds() * 1000.0).fillna(0.0).to_numpy()
    queue = mine["queue_ms"].fillna(0.0).to_numpy()
    rows = [pos[int(v)] for v in mine["visit"]]
    hover = [f"<b>{label(a.state)}</b> attempt {int(a.attempt)}<br>outcome: {label(a.outcome)}"
             f"<br>queued: {fmt_ms(a.queue_ms)}<br>ran: {fmt_ms(a.run_ms)}"
             + (f"<br>error: {error_label(a.error)}" if text(a.error) else "") for a in mine.itertuples(index=False)]
    outcome = mine["outcome"].astype(str).to_numpy()
    ok = np.isin(outcome, ["succeeded", "running"])
    starts = plot_time(start)
    for mask, nm in ((ok, "attempt"), (~ok, "failed attempt")):
        if not mask.any():
            continue
        idx = np.flatnonzero(mask)
        fig.add_trace(go.Bar(
            name=nm, orientation="h", base=[starts[i] for i in idx],
            x=np.maximum(run[idx], min_w).tolist(), y=[rows[i] for i in idx], width=0.5,
            marker={"color": [OUTCOME_COLORS.get(outcome[i], "#879596") for i in idx], "line": {"width": 0}},
            hovertext=[hover[i] for i in idx], hoverinfo="text"))
    queued = np.flatnonzero(queue > 0)
    if len(queued):
        sched = plot_time(mine["scheduled"])
        fig.add_trace(go.Bar(
            name="queued", orientation="h", base=[sched[i] for i in queued], x=queue[queued].tolist(),
            y=[rows[i] for i in queued], width=0.5, marker={"color": QUEUE_COLOR, "line": {"width": 0}},
            hovertext=[f"queued {fmt_ms(queue[i])} before a worker started it" for i in queued], hoverinfo="text"))
    backoff = mine["backoff_ms"].to_numpy(dtype=np.float64)
    waited = np.flatnonzero(np.nan_to_num(backoff, nan=0.0) > 0)
    if len(waited):
        begin = (mine["scheduled"] - pd.to_timedelta(mine["backoff_ms"], unit="ms"))
        base = plot_time(begin)
        fig.add_trace(go.Bar(
            name="back-off", orientation="h", base=[base[i] for i in waited], x=backoff[waited].tolist(),
            y=[rows[i] for i in waited], width=0.3, marker={"color": BACKOFF_COLOR, "line": {"width": 0}},
            hovertext=[f"Retry back-off {fmt_ms(backoff[i])} before attempt {int(mine['attempt'].iloc[i])}"
                       for i in waited], hoverinfo="text"))


def _event_order_traces(fig: go.Figure, by_visit: pd.DataFrame, pos: dict[int, int]) -> None:
    visits = by_visit[by_visit["visit"].isin(list(pos))]
    first = visits["entered_event"].astype("int64").to_numpy()
    last = visits["exited_event"].astype("Float64").fillna(float(first.max() + 1 if len(first) else 1))
    width = np.maximum(last.to_numpy(dtype=np.float64) - first, 0.6)
    fig.add_trace(go.Bar(
        name="state visit", orientation="h", base=first.tolist(), x=width.tolist(),
        y=[pos[int(v)] for v in visits["visit"]], width=0.6,
        marker={"color": [VISIT_COLORS.get(str(s), "#879596") for s in visits["status"]], "line": {"width": 0}},
        hovertext=[_hover(r, f"<br>events {int(r.entered_event)}–"
                           f"{'' if pd.isna(r.exited_event) else int(r.exited_event)}")
                   for r in visits.itertuples(index=False)], hoverinfo="text"))
