"""One execution at a glance: a timeline of its state visits above the list of its states in order.

Counting executions per status (:func:`~workbench.viz.figures.outcomes.outcomes_figure`) says little
when there is one execution: it is a lone bar. For one run the questions are "which states ran, in
what order, how did each end and how long did it take", so :func:`run_figure` answers them with a
timeline (one bar per state visit on a time axis, or on event numbers for recordings without
timestamps) and, under it, the state list of :func:`state_list`. ``outcomes_figure`` hands frames
with one execution to :func:`run_figure` itself, so the explorer and the report need no change.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.core.arn import short_name
from workbench.core.redact import redact_text
from workbench.history._frame_access import frame, require, text
from workbench.viz.figures.base import (
    EXECUTION_COLORS,
    VISIT_COLORS,
    empty_figure,
    fmt_ms,
    label,
    pick_execution,
    style,
)
from workbench.viz.figures.timeline import ROW_PX, ordered_rows, timeline_figure

#: Columns of :func:`state_list`, in order.
STATE_LIST_COLUMNS = ("path", "state", "type", "status", "entered", "started_after_ms", "duration_ms", "attempts",
                      "retries", "error", "visit", "entered_event", "exited_event")
TABLE_ROW_PX = 24
TABLE_VISIBLE_ROWS = 16  # more rows scroll inside the table
GAP_PX = 90  # between the timeline and the table: the time axis, its title and the table's heading
TOP_PX = 96  # the figure's title, then the legend beside the timeline's heading


def state_list(frames: Any, execution: str | None = None) -> pd.DataFrame:
    """The states one execution visited, in the order the timeline draws them, with how each ended.

    Why: the first question about a single run is "what ran, in what order, how did it end, how long
    did it take"; this table answers it row by row (Parallel branches and Map iterations under their
    container, in index order). ``execution`` is an ARN, a name or None for the first execution.
    Errors pass through the workbench's redaction, like every other view of execution data.

    Example:
        >>> import workbench
        >>> run = workbench.run_mission("missions/incident_triage.yaml", time_warp=True, progress=False)
        >>> steps = workbench.state_list(workbench.frames(run))
        >>> steps[["state", "status"]].head(2).values.tolist()
        [['fetch_alert', 'succeeded'], ['gather_evidence', 'succeeded']]
    """
    arn = pick_execution(frames, execution)
    states = frame(frames, "states")
    require(states, ("execution", "visit", "state", "type", "path", "depth", "parent_visit", "entered",
                     "started_after_ms", "duration_ms", "status", "attempts", "retries", "error", "entered_event",
                     "exited_event"), "states")
    mine = states[states["execution"].astype(str) == arn]
    order = [r.visit for r in ordered_rows(mine)]
    table = mine.set_index("visit", drop=False).loc[order] if order else mine.iloc[0:0]
    out = pd.DataFrame({
        "path": table["path"].astype(str).to_numpy(), "state": table["state"].astype(str).to_numpy(),
        "type": table["type"].astype(str).to_numpy(), "status": table["status"].astype(str).to_numpy(),
        "entered": table["entered"].to_numpy(), "started_after_ms": table["started_after_ms"].to_numpy(),
        "duration_ms": table["duration_ms"].to_numpy(), "attempts": table["attempts"].to_numpy(),
        "retries": table["retries"].to_numpy(),
        "error": [redact_text(e) if (e := text(v)) else None for v in table["error"]],
        "visit": table["visit"].to_numpy(), "entered_event": table["entered_event"].to_numpy(),
        "exited_event": table["exited_event"].to_numpy(),
    }, columns=list(STATE_LIST_COLUMNS))
    out.index = pd.RangeIndex(1, len(out) + 1, name="step")
    out.attrs["execution"] = arn
    return out


def run_figure(frames: Any, execution: str | None = None, *, max_rows: int = 300) -> go.Figure:
    """One execution in one figure: its timeline (a bar per state visit) above its state list.

    Why: a single run drawn as "executions per status" is one lonely bar; this shows what happened
    instead, in the order it happened. The title gives the execution's status and duration. At most
    ``max_rows`` state visits are drawn (the figure says so when it cuts).

    Example:
        >>> import workbench
        >>> run = workbench.run_mission("missions/incident_triage.yaml", time_warp=True, progress=False)
        >>> fig = workbench.run_figure(workbench.frames(run))
        >>> [t.type for t in fig.data][-1], fig.layout.xaxis.type
        ('table', 'date')
    """
    arn = pick_execution(frames, execution)
    ex = frame(frames, "executions")
    require(ex, ("execution", "status", "duration_ms"), "executions")
    row = ex[ex["execution"].astype(str) == arn].iloc[0]
    status = str(row["status"])
    took = f" in {label(fmt_ms(row['duration_ms']))}" if pd.notna(row["duration_ms"]) else ""
    title = (f"{label(short_name(arn))}: <span style='color:{EXECUTION_COLORS.get(status, '#879596')}'>"
             f"{label(status)}</span>{took}")
    steps = state_list(frames, arn)
    if steps.empty:
        return empty_figure(title, "this execution entered no state")
    timeline = timeline_figure(frames, arn, max_rows=max_rows)
    ticks = list(timeline.layout.yaxis.ticktext)  # the timeline's row labels, in the state list's order
    shown = steps.head(len(ticks))
    timeline_px = ROW_PX * max(len(shown), 3) + 10
    table_px = TABLE_ROW_PX * (min(len(shown), TABLE_VISIBLE_ROWS) + 1) + 8
    area = timeline_px + GAP_PX + table_px
    notes = [str(a.text) for a in timeline.layout.annotations]  # no timestamps, rows cut
    fig = make_subplots(rows=2, cols=1, specs=[[{"type": "xy"}], [{"type": "table"}]],
                        row_heights=[timeline_px, table_px], vertical_spacing=GAP_PX / area,
                        subplot_titles=(_subtitle("Timeline: one bar per state visit", notes),
                                        _subtitle("States in order", [])))
    for heading in fig.layout.annotations:
        heading.update(x=0.0, xanchor="left", font={"size": 13})
    fig.add_traces(list(timeline.data), rows=1, cols=1)
    fig.add_trace(_state_table(shown, ticks), row=2, col=1)
    style(fig, title, height=min(area + TOP_PX + 40, 12_000))
    fig.update_layout(barmode="overlay", bargap=0.2, shapes=timeline.layout.shapes, hovermode="closest",
                      margin_t=TOP_PX)
    y = timeline.layout.yaxis
    fig.update_yaxes(tickmode="array", tickvals=y.tickvals, ticktext=y.ticktext, range=y.range, autorange=False,
                     showgrid=False, zeroline=False, automargin=True, row=1, col=1)
    fig.update_xaxes(type=timeline.layout.xaxis.type, title_text=timeline.layout.xaxis.title.text, showgrid=True,
                     row=1, col=1)
    return fig


def _subtitle(text: str, notes: list[str]) -> str:
    """A panel heading with the timeline's notes (already escaped) in small grey type after it."""
    extra = "".join(f" <span style='font-size:11px;color:#5f6b7a'>· {n}</span>" for n in notes)
    return f"<b>{text}</b>{extra}"


def _state_table(steps: pd.DataFrame, names: list[str]) -> go.Table:
    """The state list as a plotly table: step, state, type, status (in its colour), start, duration, attempts.

    An error is red where the visit ended on it and grey where a retry got past it.
    """
    timed = bool(steps["started_after_ms"].notna().any())
    start = [("+" + fmt_ms(v)) if timed and pd.notna(v) else (f"event {int(e)}" if pd.notna(e) else "–")
             for v, e in zip(steps["started_after_ms"], steps["entered_event"], strict=True)]
    statuses = [str(s) for s in steps["status"]]
    tries = [f"{int(a)} ({int(r)} retried)" if int(r) else str(int(a))
             for a, r in zip(steps["attempts"], steps["retries"], strict=True)]
    errors = [label(e) if e else "" for e in steps["error"]]
    columns = [[str(i) for i in steps.index], names, [label(t) for t in steps["type"]], [label(s) for s in statuses],
               start, [fmt_ms(d) for d in steps["duration_ms"]], tries, errors]
    black = ["#16191f"] * len(steps)
    font_colors = [black, black, black, [VISIT_COLORS.get(s, "#879596") for s in statuses], black, black, black,
                   [VISIT_COLORS["failed"] if s in ("failed", "caught", "aborted") else "#5f6b7a" for s in statuses]]
    return go.Table(
        columnwidth=[28, 180, 70, 80, 80, 70, 90, 160],
        header={"values": ["#", "state", "type", "status", "start" if timed else "entered at", "duration",
                           "attempts", "error"], "align": "left", "fill": {"color": "#f2f3f3"},
                "font": {"size": 12, "color": "#16191f"}, "height": TABLE_ROW_PX},
        cells={"values": columns, "align": "left", "height": TABLE_ROW_PX, "font": {"size": 12, "color": font_colors},
               "fill": {"color": "white"}, "line": {"color": "#e9ebed"}},
    )
