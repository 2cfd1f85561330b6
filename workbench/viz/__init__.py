"""Figures and drawings: the state-machine graph (SVG), history overlays and plotly charts.

The graph loads eagerly (it is light); the plotly figures load on first use, so importing
``workbench.viz`` does not import plotly or pandas.

Example:
    >>> from workbench.viz import draw, timeline_figure        # doctest: +SKIP
    >>> timeline_figure(frames).show()                          # doctest: +SKIP
"""

from __future__ import annotations

from workbench._lazy import lazy_attributes
from workbench.viz.graph.overlay import Overlay, StateOverlay
from workbench.viz.graph.svg import GraphView, draw, render_svg

_LAZY: dict[str, str] = {
    "timeline_figure": "workbench.viz.figures.timeline",
    "latency_figure": "workbench.viz.figures.latency",
    "retries_figure": "workbench.viz.figures.retries",
    "backoff_figure": "workbench.viz.figures.retries",
    "cost_figure": "workbench.viz.figures.cost",
    "cost_over_time_figure": "workbench.viz.figures.cost",
    "break_even_figure": "workbench.viz.figures.cost",
    "outcomes_figure": "workbench.viz.figures.outcomes",
    "run_figure": "workbench.viz.figures.run",
    "state_list": "workbench.viz.figures.run",
    "overlay_for_execution": "workbench.viz.graph.overlay_from_history",
    "heat_for_executions": "workbench.viz.graph.overlay_from_history",
    "inspection": "workbench.viz.inspect",
    "inspection_from_events": "workbench.viz.inspect",
    "inspector_html": "workbench.viz.inspect",
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)


__all__ = ["GraphView", "Overlay", "StateOverlay", "draw", "render_svg", *sorted(_LAZY)]
