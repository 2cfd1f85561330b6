"""Execution outcomes over time: succeeded / failed / timed out / aborted per time bucket.

With one execution a count per status is a lone bar, so :func:`outcomes_figure` shows that execution
instead (:func:`~workbench.viz.figures.run.run_figure`: its timeline and its states in order).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from workbench.history._frame_access import frame, require
from workbench.viz.figures.base import EXECUTION_COLORS, empty_figure, label, note, plot_time, style
from workbench.viz.figures.run import run_figure

#: Bucket sizes tried in order; the first that gives at most ``buckets`` bars wins.
_FREQS = ("1s", "10s", "1min", "5min", "15min", "1h", "6h", "1D", "7D", "30D")
_ORDER = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "RUNNING", "INCOMPLETE")


def _auto_freq(span: pd.Timedelta, buckets: int) -> str:
    for freq in _FREQS:
        if span / pd.Timedelta(freq) <= buckets:
            return freq
    return _FREQS[-1]


def outcomes_figure(frames: Any, freq: str | None = None, *, buckets: int = 60) -> go.Figure:
    """How the executions ended: stacked bars per status and start-time bucket (``freq`` e.g. ``"1h"``).

    Why: a batch's health at a glance. The bucket size is chosen to give at most ``buckets`` bars;
    without timestamps (recorded histories) the figure shows the totals per status. Frames holding a
    single execution get :func:`~workbench.viz.figures.run.run_figure` instead of one bar: a timeline
    of its state visits above its states in order, with status and duration.

    Example:
        >>> import workbench
        >>> runs = [workbench.run_mission("missions/incident_triage.yaml", time_warp=True, progress=False)
        ...         for _ in range(2)]
        >>> sorted(t.name for t in outcomes_figure(workbench.frames(runs)).data)
        ['SUCCEEDED']
        >>> [t.type for t in outcomes_figure(workbench.frames(runs[0])).data][-1]   # one run: timeline + states
        'table'
    """
    title = "Execution outcomes"
    ex = frame(frames, "executions")
    require(ex, ("execution", "status", "start"), "executions")
    if ex.empty:
        return empty_figure(title, "no executions")
    if len(ex) == 1:
        return run_figure(frames)
    status = ex["status"].astype(str)
    present = [s for s in _ORDER if (status == s).any()] + sorted(set(status) - set(_ORDER))
    fig = go.Figure()
    start = ex["start"]
    if not start.notna().any():
        counts = status.value_counts()
        for s in present:
            fig.add_trace(go.Bar(name=label(s), x=[label(s)], y=[int(counts[s])],
                                 marker={"color": EXECUTION_COLORS.get(s, "#879596")}))
        style(fig, title, height=320)
        fig.update_yaxes(title_text="executions")
        return note(fig, "no timestamps in these histories: totals only")
    timed = ex[start.notna()]
    span = timed["start"].max() - timed["start"].min()
    freq = freq or _auto_freq(span, buckets)
    bucket = timed["start"].dt.floor(freq)
    table = pd.crosstab(bucket, timed["status"].astype(str))
    x = plot_time(pd.Series(table.index))
    for s in present:
        if s in table.columns:
            fig.add_trace(go.Bar(name=label(s), x=x, y=table[s].astype(int).tolist(),
                                 marker={"color": EXECUTION_COLORS.get(s, "#879596")},
                                 hovertemplate=f"%{{x}}<br>{label(s)}: %{{y}}<extra></extra>"))
    style(fig, title, height=340)
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_xaxes(title_text=f"start time (UTC), buckets of {freq}", type="date")
    fig.update_yaxes(title_text="executions")
    missing = int(start.isna().sum())
    if missing:
        note(fig, f"{missing} executions without a start time are not shown")
    return fig
