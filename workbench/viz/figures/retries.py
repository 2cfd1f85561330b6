"""Retries: failed tries by state and error (heat map), and configured vs actual Retry back-off.

Both read :mod:`workbench.history.analysis.retries`: ``retry_summary`` for the counts, ``backoff_check`` for
the replay of every failed try against its ``Retry`` policy (which retrier fired, retry number n,
``min(IntervalSeconds × BackoffRate^(n-1), MaxDelaySeconds)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.history.analysis.retries import backoff_check, retry_summary
from workbench.viz.figures.base import empty_figure, error_label, label, note, style

PALETTE = ("#0972d3", "#ec7211", "#2f8f8c", "#8a61c7", "#c9870c", "#d13212", "#1d8102", "#5f6b7a")


def retries_figure(frames: Any) -> go.Figure:
    """Heat map of failed tries per state (rows) and error (columns); cell text = how many were retried.

    Example:
        >>> from workbench.engine.tools.faults import FaultPlan
        >>> import workbench
        >>> flaky = FaultPlan.from_local({"search_logs": {"fail_rate": 0.5, "error": "Lambda.ServiceException"}}, 7)
        >>> run = workbench.run_mission("missions/incident_triage.yaml", faults=flaky, time_warp=True, progress=False)
        >>> retries_figure(workbench.frames(run)).data[0].type
        'heatmap'
    """
    return retry_heatmap(retry_summary(frames))


def retry_heatmap(summary: pd.DataFrame) -> go.Figure:
    """The heat map of :func:`retries_figure` from a ``retry_summary`` table you already have.

    Example:
        >>> retry_heatmap(retry_summary(frames)).show()      # doctest: +SKIP
    """
    title = "Failed tries by state and error"
    if summary.empty:
        return empty_figure(title, "no failed tries: nothing was retried")
    s = summary.reset_index()
    states = sorted(s["state"].astype(str).unique(), key=lambda st: -int(s.loc[s["state"] == st, "failed_tries"].sum()))
    errors = sorted(s["error"].astype(str).unique(), key=lambda e: -int(s.loc[s["error"] == e, "failed_tries"].sum()))
    z = np.full((len(states), len(errors)), np.nan)
    cell_text = [["" for _ in errors] for _ in states]
    hover = [["" for _ in errors] for _ in states]
    si = {st: i for i, st in enumerate(states)}
    ei = {e: j for j, e in enumerate(errors)}
    for r in s.itertuples(index=False):
        i, j = si[str(r.state)], ei[str(r.error)]
        z[i, j] = int(r.failed_tries)
        cell_text[i][j] = f"{int(r.failed_tries)} ({int(r.retries)}↻)"
        hover[i][j] = (f"<b>{label(r.state)}</b> · {error_label(r.error)}<br>failed tries: {int(r.failed_tries)}"
                       f"<br>retried: {int(r.retries)}<br>visits that recovered: {int(r.recovered)} of "
                       f"{int(r.visits)}<br>retrier exhausted: {int(r.exhausted)}<br>no matching retrier: "
                       f"{int(r.not_retried)}<br>cancelled before retry: {int(r.interrupted)}"
                       f"<br>executions: {int(r.executions)}")
    fig = go.Figure(go.Heatmap(
        z=z.tolist(), x=[error_label(e) for e in errors], y=[label(st) for st in states], text=cell_text,
        texttemplate="%{text}", hovertext=hover, hoverinfo="text", colorscale=[[0, "#fff3e6"], [1, "#d13212"]],
        colorbar={"title": {"text": "failed"}}, xgap=2, ygap=2,
    ))
    style(fig, title, height=140 + 34 * len(states), legend=False)
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    fig.update_xaxes(automargin=True, type="category", side="bottom")
    return fig


def backoff_figure(frames: Any) -> go.Figure:
    """Configured vs actual Retry back-off, one point per retry; on the dashed line they agree.

    With ``JitterStrategy: FULL`` any point under the line is expected. When no Retry policy is
    known (no definition with the histories) the actual back-off is drawn per retry number instead.

    Example:
        >>> backoff_figure(frames).data[-1].name          # doctest: +SKIP
        'configured = actual'
    """
    return backoff_scatter(backoff_check(frames))


def backoff_scatter(check: pd.DataFrame) -> go.Figure:
    """The figure of :func:`backoff_figure` from a ``backoff_check`` table you already have.

    Example:
        >>> backoff_scatter(backoff_check(frames)).show()    # doctest: +SKIP
    """
    title = "Retry back-off: configured vs actual"
    retried = check[(check["verdict"] == "retried") & check["actual_s"].notna()]
    if check.empty:
        return empty_figure(title, "no retries in these executions")
    if retried.empty:
        return empty_figure(title, "no timestamps in these histories: back-off needs timed events")
    known = retried[retried["expected_s"].notna()]
    fig = go.Figure()
    if known.empty:
        _actual_only(fig, retried)
        style(fig, "Retry back-off (actual)", height=380)
        fig.update_xaxes(title_text="retry number", dtick=1)
        fig.update_yaxes(title_text="back-off (s)")
        return note(fig, "no Retry policy known: pass the definition to compare with the configured back-off")
    for k, (state, part) in enumerate(known.groupby("state", sort=True)):
        fig.add_trace(go.Scatter(
            name=label(state), x=part["expected_s"].tolist(), y=part["actual_s"].tolist(), mode="markers",
            marker={"size": 8, "opacity": 0.7, "color": PALETTE[k % len(PALETTE)]},
            hovertext=[_point_hover(r) for r in part.itertuples(index=False)], hoverinfo="text"))
    top = float(np.nanmax(np.concatenate([known["expected_s"].to_numpy(float), known["actual_s"].to_numpy(float)])))
    fig.add_trace(go.Scatter(name="configured = actual", x=[0, top * 1.05], y=[0, top * 1.05], mode="lines",
                             line={"dash": "dash", "color": "#879596", "width": 1}, hoverinfo="skip"))
    style(fig, title, height=420)
    fig.update_xaxes(title_text="configured back-off (s)", rangemode="tozero")
    fig.update_yaxes(title_text="actual back-off (s)", rangemode="tozero")
    off = known["consistent"].astype("boolean").eq(False).sum()
    if int(off):
        note(fig, f"{int(off)} of {len(known)} retries waited outside the configured range")
    return fig


def _point_hover(r: Any) -> str:
    consistent = "" if pd.isna(r.consistent) else ("<br>as configured" if bool(r.consistent) else
                                                   "<br><b>outside the configured range</b>")
    return (f"<b>{label(r.state)}</b> retry {int(r.n)} after {error_label(r.error)}<br>configured: {r.expected_s:.3g} s"
            f" (jitter {label(r.jitter)})<br>actual: {r.actual_s:.3g} s{consistent}")


def _actual_only(fig: go.Figure, retried: pd.DataFrame) -> None:
    for k, (state, part) in enumerate(retried.groupby("state", sort=True)):
        fig.add_trace(go.Box(name=label(state), x=part["try_no"].tolist(), y=part["actual_s"].tolist(),
                             boxpoints="all", marker={"color": PALETTE[k % len(PALETTE)]}))
    fig.update_layout(boxmode="group")
