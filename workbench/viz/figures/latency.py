"""Latency distribution of each state across executions: a box per state, p50/p90/p99 marked.

Boxes are drawn from precomputed quartiles (plotly's ``q1``/``median``/``q3``), not from every
visit, so a figure over a million visits stays a few kilobytes. Percentiles come from
:func:`workbench.history.analysis.state_latency`, the same numbers as the latency table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.history._frame_access import frame, require
from workbench.history.analysis import state_latency
from workbench.viz.figures.base import empty_figure, fmt_ms, label, note, style

_MARKS = (("p50_ms", "p50", "circle", "#16191f"), ("p90_ms", "p90", "diamond", "#ec7211"),
          ("p99_ms", "p99", "x", "#d13212"))


def latency_figure(frames: Any, by: str = "state", *, top: int = 40, log: bool | None = None) -> go.Figure:
    """Box plot of state durations (ms) across executions, slowest median first, p50/p90/p99 as markers.

    ``by="path"`` keeps same-named states of different branches apart; ``top`` limits the boxes;
    ``log`` picks a log axis (default: when durations span more than two orders of magnitude).

    Example:
        >>> import workbench
        >>> run = workbench.run_mission("missions/incident_triage.yaml", time_warp=True, progress=False)
        >>> [t.name for t in latency_figure(workbench.frames(run)).data]
        ['duration', 'p50', 'p90', 'p99']
    """
    title = "Latency per state"
    states = frame(frames, "states")
    require(states, ("state", "type", "path", "duration_ms"), "states")
    table = state_latency(frames, by=by)
    table = table[table["timed"] > 0]
    if table.empty:
        return empty_figure(title, "no timestamps in these histories: latency needs timed events")
    key = "state" if by == "state" else "path"
    df = pd.DataFrame({key: states[key].astype(str), "type": states["type"].astype(str),
                       "duration_ms": states["duration_ms"].astype("float64")})
    if by == "path":
        df["path"] = df["path"].str.replace(r"iter\[\d+\]", "iter[*]", regex=True)
    g = df.dropna(subset=["duration_ms"]).groupby([key, "type"], sort=True)["duration_ms"]
    extra = pd.DataFrame({"q1": g.quantile(0.25), "q3": g.quantile(0.75), "min": g.min()})
    stats = table.join(extra, how="left").sort_values("p50_ms", ascending=False, kind="stable")
    shown = stats.head(top)
    names = [label(f"{k} ({t})") for k, t in shown.index]
    fig = go.Figure()
    fig.add_trace(go.Box(
        name="duration", orientation="h", y=names, q1=shown["q1"].tolist(), median=shown["p50_ms"].tolist(),
        q3=shown["q3"].tolist(), lowerfence=shown["min"].tolist(), upperfence=shown["max_ms"].tolist(),
        mean=shown["mean_ms"].tolist(), boxpoints=False, marker={"color": "#0972d3"}, line={"width": 1.3},
        fillcolor="rgba(9,114,211,0.15)", hoverinfo="x",
    ))
    for col, nm, symbol, color in _MARKS:
        fig.add_trace(go.Scatter(
            name=nm, y=names, x=shown[col].tolist(), mode="markers",
            marker={"symbol": symbol, "size": 8, "color": color, "line": {"width": 1, "color": color}},
            hovertext=[f"{n}<br>{nm}: {fmt_ms(v)} (of {int(c)} timed visits)"
                       for n, v, c in zip(names, shown[col], shown["timed"], strict=True)], hoverinfo="text"))
    values = np.concatenate([shown["min"].to_numpy(float), shown["max_ms"].to_numpy(float)])
    values = values[np.isfinite(values) & (values > 0)]
    if log is None:
        log = bool(len(values)) and float(values.max()) / max(float(values.min()), 1e-3) > 100
    style(fig, title, height=120 + 28 * len(shown))
    fig.update_xaxes(title_text="duration (ms)", type="log" if log else "linear")
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    if len(stats) > len(shown):
        note(fig, f"the {len(shown)} slowest of {len(stats)} states (by median)")
    return fig
