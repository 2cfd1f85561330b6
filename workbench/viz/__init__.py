"""Figures and drawings: the state-machine graph (SVG) and, elsewhere in this package, plotly charts."""

from workbench.viz.graph_svg import GraphView, draw, render_svg
from workbench.viz.overlay import Overlay, StateOverlay

__all__ = ["GraphView", "Overlay", "StateOverlay", "draw", "render_svg"]
