"""What every plotly figure of the workbench shares: safe labels, colours, empty states, execution lookup.

Plotly renders a subset of HTML in every text it draws (titles, tick labels, hover text, legend
names), so a state called ``<b>x</b>`` would turn bold and an error cause could inject markup.
:func:`label` escapes every value taken from a history before it reaches a figure; plotly turns the
entities back into the characters, so users see exactly the text of the history.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from workbench.core.arn import short_name
from workbench.core.diagnostics import WorkbenchError
from workbench.core.money import fmt_usd as fmt_usd  # the one money formatter, re-exported
from workbench.core.redact import redact_text
from workbench.history._frame_access import AnalysisError, frame, require

#: Execution statuses (AWS words) → colour, AWS console conventions.
EXECUTION_COLORS: dict[str, str] = {
    "SUCCEEDED": "#1d8102", "FAILED": "#d13212", "TIMED_OUT": "#ec7211", "ABORTED": "#879596",
    "RUNNING": "#0972d3", "INCOMPLETE": "#8a61c7",
}
#: State visit statuses (``states.status``) → colour.
VISIT_COLORS: dict[str, str] = {
    "succeeded": "#1d8102", "failed": "#d13212", "caught": "#ec7211", "aborted": "#879596", "running": "#0972d3",
    "incomplete": "#8a61c7",
}
#: Attempt outcomes (``attempts.outcome``) → colour: green ran fine, red failed, blue still running.
OUTCOME_COLORS: dict[str, str] = {
    "succeeded": "#1d8102", "failed": "#d13212", "timed_out": "#d13212", "schedule_failed": "#d13212",
    "start_failed": "#d13212", "submit_failed": "#d13212", "aborted": "#879596", "running": "#0972d3",
    "incomplete": "#8a61c7",
}
QUEUE_COLOR = "#8fb8de"
BACKOFF_COLOR = "#b6bec4"
FONT = "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def label(value: object) -> str:
    """Text from a history, made safe for plotly's HTML-like labels (``<``, ``>``, ``&`` escaped).

    ``$`` is written as an entity too: plotly takes text between two dollars for LaTeX.

    Example:
        >>> label("<b>Pull</b> & co")
        '&lt;b&gt;Pull&lt;/b&gt; &amp; co'
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=False).replace("$", "&#36;")


def error_label(value: object) -> str:
    """An error name or cause from a history, redacted (the one redaction module) and made safe for plotly.

    Example:
        >>> error_label("<b>Declined</b> token=ghp_0123456789abcdefghijABCDEFGHIJ012345")
        '&lt;b&gt;Declined&lt;/b&gt; token=[redacted]'
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return label(redact_text(str(value)))


def fmt_ms(ms: float | None) -> str:
    """A duration for people: ``850 ms``, ``2.40 s``, ``3.5 min``, ``2.1 h``; ``–`` when unknown.

    Example:
        >>> fmt_ms(850.0), fmt_ms(2400.0), fmt_ms(210_000.0), fmt_ms(None)
        ('850 ms', '2.40 s', '3.5 min', '–')
    """
    if ms is None or (isinstance(ms, float) and math.isnan(ms)) or ms is pd.NA:
        return "–"
    v = float(ms)
    if abs(v) < 1000:
        return f"{v:.0f} ms"
    if abs(v) < 120_000:
        return f"{v / 1000:.2f} s"
    if abs(v) < 7_200_000:
        return f"{v / 60_000:.1f} min"
    return f"{v / 3_600_000:.1f} h"


def plot_time(ts: pd.Series) -> list[str | None]:
    """UTC timestamps as the naive ISO strings plotly's date axes read exactly (None when unknown)."""
    out: list[str | None] = []
    values = pd.to_datetime(ts, utc=True)
    for v in values:
        out.append(None if pd.isna(v) else v.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S.%f"))
    return out


def style(fig: go.Figure, title: str, *, height: int | None = None, legend: bool = True) -> go.Figure:
    """The common look: white template, system fonts, compact margins, deterministic (no uids)."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        template="plotly_white", font={"family": FONT, "size": 12, "color": "#16191f"},
        margin={"l": 10, "r": 20, "t": 50, "b": 40}, showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        hoverlabel={"font": {"family": FONT}}, autosize=True,
    )
    if height is not None:
        fig.update_layout(height=height)
    return fig


def empty_figure(title: str, message: str, *, height: int = 220) -> go.Figure:
    """A figure that says why there is nothing to draw (instead of raising or drawing empty axes).

    Example:
        >>> fig = empty_figure("Timeline", "no timestamps in this history")
        >>> fig.layout.annotations[0].text
        'no timestamps in this history'
    """
    fig = go.Figure()
    fig.add_annotation(text=label(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14, "color": "#5f6b7a"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, title, height=height, legend=False)


def note(fig: go.Figure, message: str) -> go.Figure:
    """Add a small grey note under the title (sampling, missing data...)."""
    fig.add_annotation(text=label(message), x=0.0, y=1.0, xref="paper", yref="paper", xanchor="left",
                       yanchor="bottom", yshift=2, showarrow=False, font={"size": 11, "color": "#5f6b7a"})
    return fig


def execution_ids(frames: Any) -> list[str]:
    """The execution ARNs of the frames, in the executions frame's order."""
    ex = frame(frames, "executions")
    require(ex, ("execution",), "executions")
    return [str(e) for e in ex["execution"]]


def pick_execution(frames: Any, execution: str | None) -> str:
    """``execution`` checked to be in the frames, or the first execution when None.

    A name or the tail of an ARN is accepted when it matches exactly one execution.
    """
    ids = execution_ids(frames)
    if not ids:
        raise AnalysisError("the frames hold no execution. Fix: load at least one history.")
    if execution is None:
        return ids[0]
    if execution in ids:
        return execution
    tails = [e for e in ids if e.endswith(":" + execution) or short_name(e) == execution]
    if len(tails) == 1:
        return tails[0]
    sample = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
    raise WorkbenchError(f"execution '{execution}' is not in these frames ({len(ids)} executions: {sample}). "
                         "Fix: pass one of frames.executions['execution'].")
