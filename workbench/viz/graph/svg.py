"""Self-contained SVG of a state machine (no scripts, no external fonts or links), with overlays.

Every node group carries ``class="node state-<type>"``, ``data-state``, ``data-path``,
``data-bbox="x y w h"`` and, inside a branch or iterator, ``data-container``; containers carry
``class="container"``, ``data-path``, ``data-owner`` and ``data-bbox``, so tests and browsers
can find and measure them. Output is deterministic: the same graph and overlay give the same bytes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.asl.graph import END, START, Graph, graph_of
from workbench.core.diagnostics import AslError, Diagnostic, Severity, WorkbenchError
from workbench.core.files import SHARED_FILE, write_text_atomic
from workbench.viz.graph import style as st
from workbench.viz.graph.coverage import EDGE_UNCOVERED, UNCOVERED_DASH, CoverageOverlay
from workbench.viz.graph.layout import metrics as m
from workbench.viz.graph.layout.nested import Layout, PlacedContainer, PlacedEdge, PlacedNode, layout_graph
from workbench.viz.graph.layout.routing import ARROW
from workbench.viz.graph.legend import LEGEND_H, legend
from workbench.viz.graph.overlay import Overlay, StateOverlay, display_status
from workbench.viz.graph.svgtext import esc, num

_CLASS_SAFE = re.compile(r"[^a-z0-9-]+")
_n = num


def _type_class(node_type: str) -> str:
    return "state-" + (_CLASS_SAFE.sub("-", node_type.lower()).strip("-") or "unknown")


def _duration(ms: float) -> str:
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 120_000:
        return f"{ms / 1000:.2f} s"
    return f"{ms / 60_000:.1f} min"


def _tooltip(pn: PlacedNode, entry: StateOverlay | None, overlay: Overlay | None) -> str:
    node = pn.node
    lines = [f"{node.label} ({node.type})" if node.is_state else node.label]
    if node.detail:
        lines.append(node.detail)
    if node.comment:
        lines.append(node.comment)
    if entry is not None and overlay is not None:
        if overlay.mode == "coverage":
            lines.append("covered by the tests" if entry.status != "not_reached" else "not covered by any test")
        elif overlay.mode == "heat":
            runs = f" of {overlay.executions} executions" if overlay.executions else ""
            lines.append(f"failed {entry.failures} time(s){runs}; {entry.retries} retries")
        else:
            lines.append(f"status: {display_status(entry.status, entry.retries).replace('_', ' ')}")
            if entry.duration_ms is not None:
                lines.append(f"duration: {_duration(entry.duration_ms)}")
            if entry.retries:
                lines.append(f"retries: {entry.retries}")
            if entry.iterations is not None:
                lines.append(f"iterations: {entry.iterations}")
        if entry.error:
            lines.append(f"error: {entry.error}")
        if entry.cause:
            lines.append(f"cause: {entry.cause if len(entry.cause) <= 300 else entry.cause[:299] + '…'}")
    return "\n".join(lines)


def _badges(pn: PlacedNode, entry: StateOverlay | None, overlay: Overlay | None) -> list[str]:
    if entry is None or overlay is None:
        return []
    items: list[tuple[str, str, str]] = []
    if overlay.mode == "heat" and entry.failures:
        items.append(("badge-failures", f"✕{entry.failures}", st.BADGE_FAIL))
    if entry.retries:
        items.append(("badge-retries", f"↻{entry.retries}", st.BADGE_RETRY))
    if entry.iterations is not None:
        items.append(("badge-iterations", f"×{entry.iterations}", st.BADGE_ITER))
    out: list[str] = []
    right = pn.box.x + pn.box.w - 4
    for cls, text, color in items:
        w = m.text_width(text, 10.5, bold=True) + 10
        x = right - w
        out.append(f'<g class="badge {cls}"><rect x="{_n(x)}" y="{_n(pn.box.y - 9)}" width="{_n(w)}" height="16" '
                   f'rx="8" fill="{color}" stroke="#ffffff" stroke-width="1"/><text x="{_n(x + w / 2)}" '
                   f'y="{_n(pn.box.y + 3)}" text-anchor="middle" font-size="10.5" font-weight="700" '
                   f'fill="#ffffff">{esc(text)}</text></g>')
        right = x - 3
    return out


def _shape(pn: PlacedNode, paint: st.Paint, pulse: bool) -> str:
    b, t = pn.box, pn.node.type
    stroke = f'fill="{paint.fill}" stroke="{paint.stroke}" stroke-width="{_n(paint.width)}"'
    if paint.dash:
        stroke += f' stroke-dasharray="{paint.dash}"'
    anim = ('<animate attributeName="stroke-opacity" values="1;0.25;1" dur="1.4s" repeatCount="indefinite"/>'
            if pulse else "")
    if pn.node.scope and t in (START, END):
        cx, cy, r = b.x + b.w / 2, b.y + b.h / 2, b.w / 2
        if t == START:
            return f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" fill="#5f6b7a"/>'
        return (f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" fill="#ffffff" stroke="#5f6b7a" '
                f'stroke-width="1.6"/><circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r / 2)}" fill="#5f6b7a"/>')
    if t == "Choice" and not pn.compound:
        s = m.CHOICE_SLANT
        pts = [(b.x + s, b.y), (b.x + b.w - s, b.y), (b.x + b.w, b.y + b.h / 2), (b.x + b.w - s, b.y + b.h),
               (b.x + s, b.y + b.h), (b.x, b.y + b.h / 2)]
        return f'<polygon points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in pts)}" {stroke}>{anim}</polygon>'
    rx = b.h / 2 if t in (START, END, "Succeed", "Fail") else (10 if pn.compound else 6)
    return (f'<rect x="{_n(b.x)}" y="{_n(b.y)}" width="{_n(b.w)}" height="{_n(b.h)}" rx="{_n(rx)}" '
            f'{stroke}>{anim}</rect>')


def _node(pn: PlacedNode, overlay: Overlay | None) -> str:
    node, b = pn.node, pn.box
    entry = overlay.lookup(node) if overlay is not None else None
    paint = st.paint_for(node.type, entry, overlay.mode if overlay is not None else None)
    if pn.compound:
        paint = st.lighter(paint)
    status = (f' data-status="{display_status(entry.status, entry.retries)}"'
              if entry is not None and overlay and overlay.mode == "status" else "")
    if overlay is not None and overlay.mode == "coverage" and node.is_state:
        status = f' data-covered="{"true" if entry is not None and entry.status != "not_reached" else "false"}"'
    scope = f' data-container="{esc(node.scope)}"' if node.scope else ""
    parts = [f'<g class="node {_type_class(node.type)}" data-state="{esc(node.label)}" data-path="{esc(node.id)}" '
             f'data-bbox="{_n(b.x)} {_n(b.y)} {_n(b.w)} {_n(b.h)}"{scope}{status}>',
             f"<title>{esc(_tooltip(pn, entry, overlay))}</title>",
             _shape(pn, paint, entry is not None and entry.status == "running" and overlay is not None
                    and overlay.mode == "status")]
    room = b.w - 2 * m.NODE_PAD_X if pn.compound else m.NODE_MAX_TEXT
    name = m.fit(node.label, m.NAME_SIZE, room, bold=True)
    sub = m.fit(m.subtitle(node), m.DETAIL_SIZE, room)
    if node.type in (START, END) and not node.scope:
        parts.append(f'<text x="{_n(b.x + b.w / 2)}" y="{_n(b.y + b.h / 2 + 4.5)}" text-anchor="middle" '
                     f'font-size="12.5" font-weight="600" fill="{paint.text}">{esc(name)}</text>')
    elif node.is_state or node.type == "Missing":
        if pn.compound:
            tx, anchor, ny = b.x + m.NODE_PAD_X, "start", b.y + 18
        else:
            tx, anchor, ny = b.x + b.w / 2, "middle", b.y + b.h / 2 - 2
        parts.append(f'<text x="{_n(tx)}" y="{_n(ny)}" text-anchor="{anchor}" font-size="{_n(m.NAME_SIZE)}" '
                     f'font-weight="600" fill="{paint.text}">{esc(name)}</text>')
        parts.append(f'<text x="{_n(tx)}" y="{_n(ny + 14)}" text-anchor="{anchor}" font-size="{_n(m.DETAIL_SIZE)}" '
                     f'fill="{paint.sub}">{esc(sub)}</text>')
    parts.extend(_badges(pn, entry, overlay))
    parts.append("</g>")
    return "".join(parts)


def _container(pc: PlacedContainer, covered: str | None = None) -> str:
    b, c = pc.box, pc.container
    dash = "" if covered == "true" else ' stroke-dasharray="5 3"'
    mark = f' data-covered="{covered}"' if covered is not None else ""
    return (f'<g class="container" data-kind="{c.kind}" data-path="{esc(c.id)}" data-owner="{esc(c.owner)}" '
            f'data-bbox="{_n(b.x)} {_n(b.y)} {_n(b.w)} {_n(b.h)}"{mark}><title>{esc(c.title)}</title>'
            f'<rect x="{_n(b.x)}" y="{_n(b.y)}" width="{_n(b.w)}" height="{_n(b.h)}" rx="8" '
            f'fill="{st.CONTAINER_FILL}" stroke="{st.CONTAINER_STROKE}" stroke-width="1.2"{dash}/>'
            f'<text x="{_n(b.x + 10)}" y="{_n(b.y + 16)}" font-size="{_n(m.TITLE_SIZE - 1)}" font-weight="600" '
            f'fill="#2f6f6c">{esc(c.title)}</text></g>')


def _path(pe: PlacedEdge) -> str:
    out: list[str] = []
    for cmd, vals in pe.route.segments:
        out.append(cmd + " ".join(_n(v) for v in vals))
    return " ".join(out)


def _edge(pe: PlacedEdge, dim: bool, covered: str | None = None) -> str:
    color = st.EDGE_MUTED if dim else (st.EDGE_CATCH if pe.catch else st.EDGE)
    dash = ' stroke-dasharray="6 4"' if pe.catch else ""
    if covered is not None:  # coverage overlay: dashed means "never taken" (catch edges included)
        taken = covered == "true"
        color = (st.EDGE_CATCH if pe.catch else st.EDGE) if taken else EDGE_UNCOVERED
        dash = "" if taken else f' stroke-dasharray="{UNCOVERED_DASH}"'
    kinds = " ".join(dict.fromkeys(f"edge-{e.kind}" for e in pe.edges))
    arrow = ""
    if pe.route.tip is not None:
        (tx, ty), (dx, dy) = pe.route.tip, pe.route.direction
        bx, by = tx - dx * ARROW, ty - dy * ARROW
        px, py = -dy * 4, dx * 4
        arrow = (f'<path d="M{_n(tx)} {_n(ty)} L{_n(bx + px)} {_n(by + py)} L{_n(bx - px)} {_n(by - py)} Z" '
                 f'fill="{color}"/>')
    full = [e.label for e in pe.edges if e.label and e.kind not in ("next", "start", "end")]
    title = ("catch: " if pe.catch else "") + "\n".join(full) if full else f"{pe.source} → {pe.target}"
    mark = f' data-covered="{covered}"' if covered is not None else ""
    parts = [f'<g class="edge {kinds}" data-source="{esc(pe.source)}" data-target="{esc(pe.target)}"{mark}>',
             f"<title>{esc(title)}</title>",
             f'<path d="{_path(pe)}" fill="none" stroke="{color}" stroke-width="1.4"{dash}/>',
             arrow]
    lb = pe.label_box
    if lb is not None and pe.lines:
        text_color = st.EDGE_MUTED if dim else (st.EDGE_CATCH if pe.catch else st.LABEL)
        parts.append(f'<rect x="{_n(lb.x)}" y="{_n(lb.y)}" width="{_n(lb.w)}" height="{_n(lb.h)}" rx="3" '
                     f'fill="#ffffff" fill-opacity="0.9"/>')
        for i, line in enumerate(pe.lines):
            parts.append(f'<text x="{_n(lb.x + 4)}" y="{_n(lb.y + 2 + m.LABEL_LINE * (i + 1) - 3.5)}" '
                         f'font-size="{_n(m.LABEL_SIZE)}" fill="{text_color}">{esc(line)}</text>')
    parts.append("</g>")
    return "".join(parts)


def render_layout(lay: Layout, overlay: Overlay | None = None) -> str:
    """SVG text of an already computed layout (see ``render_svg``)."""
    status_of: dict[str, str] = {}
    if overlay is not None and overlay.mode == "status":
        for pn in lay.nodes:
            if pn.node.is_state:
                entry = overlay.lookup(pn.node)
                status_of[pn.node.id] = entry.status if entry is not None else "not_reached"
    width, height = lay.width, lay.height
    key = ""
    if overlay is not None:
        key, key_w = legend(overlay, lay.height - 8)
        width, height = max(width, key_w), height + LEGEND_H
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
           f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{m.FONT_FAMILY}" role="img" '
           f'aria-label="State machine graph" class="workbench-graph">',
           f'<rect class="background" width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>']
    # painter's order: a container before the compound states inside it, which come before their own containers
    backdrop: list[tuple[int, int, str]] = []
    coverage = overlay if isinstance(overlay, CoverageOverlay) else None
    for pc in lay.containers:
        backdrop.append((pc.depth, 0, _container(pc, coverage.container_state(pc.container.id) if coverage else None)))
    for pn in lay.nodes:
        if pn.compound:
            backdrop.append((pn.depth, 1, _node(pn, overlay)))
    out.extend(svg for _d, _k, svg in sorted(backdrop, key=lambda t: (t[0], t[1])))
    for pe in lay.edges:
        dim = status_of.get(pe.source) == "not_reached" or status_of.get(pe.target) == "not_reached"
        out.append(_edge(pe, dim, coverage.edge_state(pe.edges) if coverage is not None else None))
    out.extend(_node(pn, overlay) for pn in lay.nodes if not pn.compound)
    if key:
        out.append(key)
    out.append("</svg>")
    return "\n".join(out)


def render_svg(graph: Graph, overlay: Overlay | Mapping[str, StateOverlay] | None = None) -> str:
    """Lay out ``graph`` and return a standalone SVG document (deterministic, safe to inline).

    Example:
        >>> from workbench.asl.graph import graph_of
        >>> g = graph_of({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:x", "End": True}}})
        >>> svg = render_svg(g, {"A": StateOverlay("failed", retries=2)})
        >>> 'data-status="failed"' in svg and "↻2" in svg
        True
    """
    if overlay is not None and not isinstance(overlay, Overlay):
        overlay = Overlay(overlay)
    return render_layout(layout_graph(graph), overlay.for_graph(graph) if overlay is not None else None)


class GraphView:
    """A drawn state machine that Jupyter shows inline (``_repr_svg_`` / ``_repr_html_``)."""

    def __init__(self, graph: Graph, overlay: Overlay | None = None) -> None:
        self.graph = graph
        self.overlay = overlay
        self._svg: str | None = None

    @property
    def svg(self) -> str:
        if self._svg is None:
            self._svg = render_svg(self.graph, self.overlay)
        return self._svg

    def __repr__(self) -> str:
        states = sum(1 for _ in self.graph.states())
        mode = f", overlay={self.overlay.mode}" if self.overlay is not None else ""
        return f"GraphView({states} states{mode})"

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        return f'<div class="workbench-graph-view" style="overflow:auto;max-width:100%">{self.svg}</div>'

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the SVG (or an HTML page when the name ends in .html) atomically; returns the path."""
        target = Path(path)
        text = self.svg
        if target.suffix.lower() in (".html", ".htm"):
            text = f'<!doctype html><meta charset="utf-8"><title>State machine</title><body>{text}</body>'
        return write_text_atomic(target, text, SHARED_FILE)


def _as_graph(obj: Any) -> Graph:
    if isinstance(obj, Graph):
        return obj
    if isinstance(obj, str):
        try:
            obj = json.loads(obj)
        except json.JSONDecodeError as exc:
            diag = Diagnostic(code="ASL-GRAPH", severity=Severity.ERROR, line=exc.lineno, column=exc.colno,
                              message=f"the definition text is not JSON: {exc.msg}", hint="pass a dict or ASL JSON")
            raise AslError([diag]) from None
    if isinstance(obj, Mapping):
        return graph_of(obj)
    raise WorkbenchError(f"draw() needs an ASL definition (dict or JSON text) or a Graph, got {type(obj).__name__}")


def draw(definition_or_graph: Mapping[str, Any] | Graph | str,
         overlay: Overlay | Mapping[str, StateOverlay] | None = None) -> GraphView:
    """Draw a state machine in a notebook, optionally coloured by an execution.

    Example:
        >>> from workbench.viz import draw, StateOverlay
        >>> view = draw({"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}},
        ...             overlay={"Hello": StateOverlay("succeeded", duration_ms=12)})
        >>> view.svg.startswith("<svg")
        True
    """
    ov = overlay if overlay is None or isinstance(overlay, Overlay) else Overlay(overlay)
    return GraphView(_as_graph(definition_or_graph), ov)
