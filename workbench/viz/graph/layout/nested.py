"""Geometry of a whole state-machine graph: nested containers laid out inside their owner states.

Each level (top level, a Parallel branch, a Map iterator) is placed by ``sugiyama`` and routed by
``routing``; a Parallel/Map state becomes a box whose size is its containers' sizes (branches side
by side), so the parent level makes room for it. Recursion follows nesting depth only.
Coordinates are absolute px, origin top-left, ready for the SVG writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.asl.graph import Container, Edge, Graph, Node
from workbench.viz.graph.layout import metrics as m
from workbench.viz.graph.layout.routing import Route, Router, Segment
from workbench.viz.graph.layout.sugiyama import LayeredInput, layered_layout

MARGIN = 16.0
_WEIGHTS = {"start": 2.0, "next": 2.0, "end": 1.5, "default": 1.5, "choice": 1.0, "catch": 0.3}


@dataclass(frozen=True, slots=True)
class Box:
    """Axis-aligned rectangle, top-left corner plus size."""

    x: float
    y: float
    w: float
    h: float

    def moved(self, dx: float, dy: float) -> Box:
        return Box(self.x + dx, self.y + dy, self.w, self.h)

    def contains(self, other: Box, tol: float = 0.01) -> bool:
        return (other.x >= self.x - tol and other.y >= self.y - tol
                and other.x + other.w <= self.x + self.w + tol and other.y + other.h <= self.y + self.h + tol)


@dataclass(slots=True)
class PlacedNode:
    node: Node
    box: Box
    depth: int
    compound: bool


@dataclass(slots=True)
class PlacedContainer:
    container: Container
    box: Box
    depth: int


@dataclass(slots=True)
class PlacedEdge:
    """One drawn connection; parallel edges with the same ends and style are merged (labels stacked)."""

    edges: list[Edge]
    catch: bool
    lines: list[str]
    route: Route
    label_box: Box | None
    depth: int

    @property
    def source(self) -> str:
        return self.edges[0].source

    @property
    def target(self) -> str:
        return self.edges[0].target


@dataclass(slots=True)
class Layout:
    width: float
    height: float
    nodes: list[PlacedNode] = field(default_factory=list)
    containers: list[PlacedContainer] = field(default_factory=list)
    edges: list[PlacedEdge] = field(default_factory=list)


def _shift_segments(segs: list[Segment], dx: float, dy: float) -> list[Segment]:
    out: list[Segment] = []
    for cmd, vals in segs:
        out.append((cmd, tuple(v + (dx if i % 2 == 0 else dy) for i, v in enumerate(vals))))
    return out


def _shift(lay: Layout, dx: float, dy: float, into: Layout) -> None:
    for pn in lay.nodes:
        into.nodes.append(PlacedNode(pn.node, pn.box.moved(dx, dy), pn.depth, pn.compound))
    for pc in lay.containers:
        into.containers.append(PlacedContainer(pc.container, pc.box.moved(dx, dy), pc.depth))
    for pe in lay.edges:
        r = pe.route
        label_at = (r.label_at[0] + dx, r.label_at[1] + dy) if r.label_at else None
        tip = (r.tip[0] + dx, r.tip[1] + dy) if r.tip else None
        route = Route(_shift_segments(r.segments, dx, dy), tip, r.direction, label_at, r.label_anchor)
        box = pe.label_box.moved(dx, dy) if pe.label_box else None
        into.edges.append(PlacedEdge(pe.edges, pe.catch, pe.lines, route, box, pe.depth))


def _merge_edges(graph: Graph) -> list[tuple[list[Edge], bool]]:
    groups: dict[tuple[str, str, bool], list[Edge]] = {}
    for e in graph.edges:
        groups.setdefault((e.source, e.target, e.kind == "catch"), []).append(e)
    return [(edges, catch) for (_s, _t, catch), edges in groups.items()]


def _compound(node: Node, owned: list[Container], depth: int) -> tuple[float, float, list[Layout]]:
    inner = [_level(c.graph, depth + 1) for c in owned]
    widths = [lay.width + 2 * m.CONTAINER_PAD for lay in inner]
    tallest = max(lay.height for lay in inner) + m.CONTAINER_TITLE + m.CONTAINER_PAD
    title_w = max(m.text_width(m.fit(node.label, m.NAME_SIZE, m.NODE_MAX_TEXT, True), m.NAME_SIZE, True),
                  m.text_width(m.subtitle(node), m.DETAIL_SIZE)) + 2 * m.NODE_PAD_X + 40
    w = max(sum(widths) + m.CONTAINER_GAP * (len(widths) - 1) + 2 * m.COMPOUND_PAD, title_w, m.NODE_MIN_W)
    h = m.COMPOUND_HEADER + tallest + m.COMPOUND_PAD
    return w, h, inner


def _place_children(pn: PlacedNode, owned: list[Container], inner: list[Layout], depth: int, into: Layout) -> None:
    widths = [lay.width + 2 * m.CONTAINER_PAD for lay in inner]
    total = sum(widths) + m.CONTAINER_GAP * (len(widths) - 1)
    x = pn.box.x + (pn.box.w - total) / 2
    y = pn.box.y + m.COMPOUND_HEADER
    h = pn.box.h - m.COMPOUND_HEADER - m.COMPOUND_PAD
    for container, lay, w in zip(owned, inner, widths, strict=True):
        into.containers.append(PlacedContainer(container, Box(x, y, w, h), depth + 1))
        ox = x + m.CONTAINER_PAD
        oy = y + m.CONTAINER_TITLE
        _shift(lay, ox, oy, into)
        x += w + m.CONTAINER_GAP


def _level(graph: Graph, depth: int) -> Layout:
    nodes = graph.nodes
    index = {n.id: i for i, n in enumerate(nodes)}
    sizes: list[tuple[float, float]] = []
    inner: dict[int, list[Layout]] = {}
    for i, node in enumerate(nodes):
        owned = graph.containers.get(node.id)
        if owned:
            w, h, lays = _compound(node, owned, depth)
            inner[i] = lays
            sizes.append((w, h))
        else:
            sizes.append(m.node_size(node))
    merged = _merge_edges(graph)
    pairs = [(index[es[0].source], index[es[0].target]) for es, _c in merged]
    lines = [m.label_lines([e.label for e in es if e.kind not in ("next", "start", "end")]) for es, _c in merged]
    label_sizes = [m.label_size(ls) for ls in lines]
    weights = [max(_WEIGHTS.get(e.kind, 1.0) for e in es) for es, _c in merged]
    res = layered_layout(LayeredInput([s[0] for s in sizes], [s[1] for s in sizes], pairs, weights, label_sizes,
                                      sink=index.get(graph.end), bus=[c for _es, c in merged]))
    boxes = [(res.x[i], res.y[i], sizes[i][0], sizes[i][1]) for i in range(len(nodes))]
    routes = Router(res, boxes, pairs, label_sizes, [c for _es, c in merged]).route_all()

    out = Layout(0.0, 0.0)
    for i, node in enumerate(nodes):
        cx, cy, w, h = boxes[i]
        out.nodes.append(PlacedNode(node, Box(cx - w / 2, cy - h / 2, w, h), depth, i in inner))
    for (es, catch), route, ls, (lw, lh) in zip(merged, routes, lines, label_sizes, strict=True):
        box = None
        if route.label_at is not None:
            lx, ly = route.label_at
            box = Box(lx if route.label_anchor == "start" else lx - lw, ly, lw, lh)
        out.edges.append(PlacedEdge(es, catch, ls, route, box, depth))
    for i, lays in inner.items():
        _place_children(out.nodes[i], graph.containers[nodes[i].id], lays, depth, out)
    return _normalised(out)


def _normalised(lay: Layout) -> Layout:
    xs: list[float] = []
    ys: list[float] = []
    for pn in lay.nodes:
        xs += [pn.box.x, pn.box.x + pn.box.w]
        ys += [pn.box.y, pn.box.y + pn.box.h]
    for pe in lay.edges:
        for _cmd, vals in pe.route.segments:
            xs.extend(vals[0::2])
            ys.extend(vals[1::2])
        if pe.label_box:
            xs += [pe.label_box.x, pe.label_box.x + pe.label_box.w]
            ys += [pe.label_box.y, pe.label_box.y + pe.label_box.h]
    if not xs:
        return lay
    x0, y0 = min(xs), min(ys)
    out = Layout(max(xs) - x0, max(ys) - y0)
    _shift(lay, -x0, -y0, out)
    return out


def layout_graph(graph: Graph) -> Layout:
    """Absolute geometry of ``graph`` and all nested containers, with a margin around it.

    Example:
        >>> from workbench.asl.graph import graph_of
        >>> lay = layout_graph(graph_of({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))
        >>> [p.node.label for p in lay.nodes]
        ['Start', 'A', 'End']
    """
    inner = _level(graph, 0)
    out = Layout(inner.width + 2 * MARGIN, inner.height + 2 * MARGIN)
    _shift(inner, MARGIN, MARGIN, out)
    return out
