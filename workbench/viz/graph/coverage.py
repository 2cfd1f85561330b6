"""The coverage overlay: which states, edges and bodies the tests exercised, drawn on the usual graph.

Covered states are green, uncovered ones white with a dashed outline; a transition (or Catch) no test took
is a dashed grey line, one taken a solid line; a Parallel branch or Map body never entered keeps a dashed
frame, an entered one a solid frame. Every node, edge and container carries ``data-covered`` (``true``,
``false``, or ``partial`` for a drawn edge that merges several transitions of which only some were taken),
so a browser or a test can find what is left to cover.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from workbench.asl.graph import Edge, Graph
from workbench.viz.graph import style as st
from workbench.viz.graph.overlay import Overlay, StateOverlay
from workbench.viz.graph.svgtext import esc, num

__all__ = ["UNCOVERED_DASH", "CoverageOverlay", "coverage_legend"]

UNCOVERED_DASH = "5 4"
EDGE_UNCOVERED = "#9aa5b1"


class CoverageOverlay(Overlay):
    """Node ids covered or not, and the coverage of graph edges (keyed by :class:`~workbench.asl.graph.Edge`) and
    containers (by id). Nodes, edges and containers it does not name are drawn as not covered / unknown.

    Example:
        >>> from workbench.asl.graph import graph_of
        >>> g = graph_of({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}})
        >>> ov = CoverageOverlay({"A": True, "B": False}, {e: e.source == "A" for e in g.edges})
        >>> ov["B"].status, ov.edge_state(g.edges[1:2])
        ('not_reached', 'true')
    """

    def __init__(self, states: Mapping[str, bool], edges: Mapping[Edge, bool] | None = None,
                 containers: Mapping[str, bool] | None = None, hits: Mapping[str, int] | None = None) -> None:
        super().__init__({k: StateOverlay("succeeded" if v else "not_reached") for k, v in states.items()},
                         mode="coverage")
        self.edges: dict[Edge, bool] = dict(edges or {})
        self.containers: dict[str, bool] = dict(containers or {})
        self.hits: dict[str, int] = dict(hits or {})

    def for_graph(self, graph: Graph) -> Overlay:
        return self  # keys are already the graph's ids

    def covered(self, node_id: str) -> bool:
        entry = self.get(node_id)
        return entry is not None and entry.status != "not_reached"

    def edge_state(self, edges: Iterable[Edge]) -> str | None:
        """``true`` (all taken), ``false`` (none), ``partial``, or None when the overlay says nothing of them."""
        known = [self.edges[e] for e in edges if e in self.edges]
        if not known:
            return None
        if all(known):
            return "true"
        return "partial" if any(known) else "false"

    def container_state(self, container_id: str) -> str | None:
        value = self.containers.get(container_id)
        return None if value is None else ("true" if value else "false")


def coverage_legend(top: float, left: float = 16.0) -> tuple[str, float]:
    """SVG of the coverage legend at ``top`` and the width it needs.

    Example:
        >>> svg, width = coverage_legend(10.0)
        >>> "not covered" in svg and width > 100
        True
    """
    covered, uncovered = st.COVERAGE_PAINT["covered"], st.COVERAGE_PAINT["uncovered"]
    parts = ['<g class="legend" data-mode="coverage">']
    x, y = left, top + 8
    for paint, label, kind in ((covered, "covered", "covered"), (uncovered, "not covered", "uncovered")):
        dash = f' stroke-dasharray="{paint.dash}"' if paint.dash else ""
        parts.append(f'<g class="legend-item" data-coverage="{kind}"><rect x="{num(x)}" y="{num(y)}" width="18" '
                     f'height="12" rx="3" fill="{paint.fill}" stroke="{paint.stroke}" stroke-width="1.2"{dash}/>'
                     f'<text x="{num(x + 22)}" y="{num(y + 10)}" font-size="11" fill="{st.LABEL}">{esc(label)}</text>'
                     "</g>")
        x += 22 + len(label) * 6.2 + 14
    for color, dash, label, kind in ((st.EDGE, "", "transition taken", "taken"),
                                     (EDGE_UNCOVERED, UNCOVERED_DASH, "never taken", "not-taken")):
        pattern = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="legend-item" data-coverage="{kind}"><line x1="{num(x)}" y1="{num(y + 6)}" '
                     f'x2="{num(x + 26)}" y2="{num(y + 6)}" stroke="{color}" stroke-width="1.6"{pattern}/>'
                     f'<text x="{num(x + 30)}" y="{num(y + 10)}" font-size="11" fill="{st.LABEL}">{esc(label)}</text>'
                     "</g>")
        x += 30 + len(label) * 6.2 + 14
    parts.append("</g>")
    return "".join(parts), x + left
