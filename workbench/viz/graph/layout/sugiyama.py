"""Layered (Sugiyama-style) placement of one flat graph, on plain integer vertices.

Steps: DFS back-edge detection (loops are routed on the side later, not layered), longest-path
ranking, ranks doubled so every edge has a middle layer where its label gets a reserved box
(the Graphviz trick: labels never overlap nodes), then ``ordering`` (crossing reduction) and
``placement`` (x coordinates). Everything is iterative and ordered by definition order, so the
output is deterministic and needs no recursion.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from workbench.viz.graph.layout.ordering import Adjacency, order_layers
from workbench.viz.graph.layout.placement import positions, snap, straighten

RANK_GAP = 20.0
MAX_CHAIN = 48
LABEL_LEFT = 3.0


@dataclass(slots=True)
class LayeredInput:
    """Sizes of the real vertices and the edges between them (``labels[i]`` is (w, h), (0, 0) for none).

    ``bus[i]`` marks edges (catches) that go to a side lane rather than through layers when they
    skip a rank, so many catches into one handler share one clean vertical line.
    """

    widths: list[float]
    heights: list[float]
    edges: list[tuple[int, int]]
    weights: list[float]
    labels: list[tuple[float, float]]
    sink: int | None = None
    bus: list[bool] | None = None


@dataclass(slots=True)
class LayeredResult:
    """Positions of real and virtual vertices; chains say which virtual vertices each layered edge crosses."""

    x: list[float]
    y: list[float]
    layer: list[int]
    left: list[float]
    right: list[float]
    height: list[float]
    layers: list[list[int]]
    band_top: list[float]
    band_bottom: list[float]
    chains: dict[int, list[int]]
    label_vertex: dict[int, int]
    side_edges: list[int]
    back_edges: set[int]


def _back_edges(n: int, edges: list[tuple[int, int]]) -> tuple[set[int], list[int]]:
    """Edges closing a cycle (iterative DFS from vertex 0, then any unvisited), and discovery order."""
    out: list[list[int]] = [[] for _ in range(n)]
    for i, (u, _v) in enumerate(edges):
        out[u].append(i)
    state = [0] * n  # 0 new, 1 on stack, 2 done
    disc = [0] * n
    counter = 0
    back: set[int] = set()
    for root in range(n):
        if state[root]:
            continue
        state[root] = 1
        disc[root] = counter
        counter += 1
        stack: list[tuple[int, int]] = [(root, 0)]
        while stack:
            u, k = stack[-1]
            if k < len(out[u]):
                stack[-1] = (u, k + 1)
                ei = out[u][k]
                v = edges[ei][1]
                if state[v] == 1:
                    back.add(ei)
                elif state[v] == 0:
                    state[v] = 1
                    disc[v] = counter
                    counter += 1
                    stack.append((v, 0))
            else:
                state[u] = 2
                stack.pop()
    return back, disc


def _ranks(n: int, edges: list[tuple[int, int]], forward: list[int], sink: int | None) -> list[int]:
    indeg = [0] * n
    out: list[list[int]] = [[] for _ in range(n)]
    for ei in forward:
        u, v = edges[ei]
        out[u].append(v)
        indeg[v] += 1
    rank = [0] * n
    queue = [v for v in range(n) if indeg[v] == 0]
    head = 0
    while head < len(queue):
        u = queue[head]
        head += 1
        for v in out[u]:
            if rank[u] + 1 > rank[v]:
                rank[v] = rank[u] + 1
            indeg[v] -= 1
            if indeg[v] == 0:
                queue.append(v)
    if sink is not None and n > 1:
        deepest = max(r for i, r in enumerate(rank) if i != sink)
        if deepest >= rank[sink]:
            rank[sink] = deepest + 1
    return rank


def _chain_budget(n: int, spans: list[tuple[int, int]]) -> set[int]:
    """Edges allowed to get virtual vertices: shortest first, capped so 1,000-state graphs stay fast."""
    budget = 8 * n + 400
    allowed: set[int] = set()
    for span, ei in sorted(spans):
        if span - 1 > MAX_CHAIN or span - 1 > budget:
            continue
        budget -= span - 1
        allowed.add(ei)
    return allowed


def layered_layout(data: LayeredInput, sweeps: int = 4, passes: int = 6) -> LayeredResult:
    """Place ``data``'s vertices in layers; back edges and over-long edges are returned as ``side_edges``."""
    n = len(data.widths)
    edges = data.edges
    back, disc = _back_edges(n, edges)
    forward = [i for i in range(len(edges)) if i not in back]
    rank = _ranks(n, edges, forward, data.sink)
    bus = data.bus or [False] * len(edges)
    allowed = _chain_budget(n, [(2 * (rank[edges[i][1]] - rank[edges[i][0]]), i) for i in forward
                                if not (bus[i] and rank[edges[i][1]] - rank[edges[i][0]] > 1)])
    side_edges = sorted(back | (set(forward) - allowed))

    layer = [2 * r for r in rank]
    left = [w / 2 for w in data.widths]
    right = [w / 2 for w in data.widths]
    height = list(data.heights)
    virtual = [False] * n
    sort_key: list[tuple[int, int, int]] = [(disc[v], 0, 0) for v in range(n)]
    up: Adjacency = [[] for _ in range(n)]
    down: Adjacency = [[] for _ in range(n)]
    chains: dict[int, list[int]] = {}
    label_vertex: dict[int, int] = {}
    for ei in forward:
        if ei not in allowed:
            continue
        u, v = edges[ei]
        weight = data.weights[ei]
        chain: list[int] = []
        for li in range(layer[u] + 1, layer[v]):
            vid = len(layer)
            layer.append(li)
            label_w, label_h = data.labels[ei] if li == layer[u] + 1 else (0.0, 0.0)
            if label_w > 0:
                left.append(LABEL_LEFT)
                right.append(label_w + 6)
                label_vertex[ei] = vid
            else:
                left.append(1.0)
                right.append(1.0)
            height.append(label_h)
            virtual.append(True)
            sort_key.append((disc[u], 1, ei))
            up.append([])
            down.append([])
            chain.append(vid)
        chains[ei] = chain
        path = [u, *chain, v]
        for a, b in itertools.pairwise(path):
            w = weight * (1.0 + float(virtual[a]) + float(virtual[b])) ** 2
            down[a].append((b, w))
            up[b].append((a, w))

    nv = len(layer)
    top = max(layer) if layer else 0
    layers: list[list[int]] = [[] for _ in range(top + 1)]
    for v in sorted(range(nv), key=lambda v: sort_key[v]):
        layers[layer[v]].append(v)
    layers = order_layers(layers, up, down, nv, sweeps if nv < 20000 else 2)
    x = positions(layers, up, down, left, right, virtual, passes)
    straighten(layers, x, left, right, virtual, list(chains.values()))
    snap(layers, x, left, right, virtual, up, down)

    band_top: list[float] = []
    band_bottom: list[float] = []
    y = [0.0] * nv
    cursor = 0.0
    for li, members in enumerate(layers):
        h = max((height[v] for v in members), default=0.0)
        band_top.append(cursor)
        band_bottom.append(cursor + h)
        for v in members:  # top-aligned, like the console: a layer reads as one step
            y[v] = cursor + height[v] / 2
        cursor += h + (RANK_GAP if li < len(layers) - 1 else 0.0)
    return LayeredResult(x, y, layer, left, right, height, layers, band_top, band_bottom, chains, label_vertex,
                         side_edges, back)
