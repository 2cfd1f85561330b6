"""Vertex order inside layers: barycenter sweeps plus adjacent transposition, keeping the best.

Barycenter alone stalls on ties (two edges from one Choice look identical to it); the transpose
step swaps neighbours whenever that removes crossings, which settles those ties.
"""

from __future__ import annotations

Adjacency = list[list[tuple[int, float]]]


def _crossings(layers: list[list[int]], down: Adjacency, pos: list[int]) -> int:
    total = 0
    for li in range(len(layers) - 1):
        size = len(layers[li + 1])
        tree = [0] * (size + 1)
        seen = 0
        for a in layers[li]:
            targets = sorted(pos[b] for b, _w in down[a])
            for p in targets:
                # count earlier entries with position > p
                i, le = p + 1, 0
                while i > 0:
                    le += tree[i]
                    i -= i & -i
                total += seen - le
                i = p + 1
                while i <= size:
                    tree[i] += 1
                    i += i & -i
                seen += 1
    return total


def _pair_cross(a: int, b: int, up: Adjacency, down: Adjacency,
                pos: list[int]) -> int:
    """Crossings between the edges of a and b when a is left of b."""
    count = 0
    for nbrs in (up, down):
        for na, _w in nbrs[a]:
            pa = pos[na]
            for nb, _w2 in nbrs[b]:
                if pa > pos[nb]:
                    count += 1
    return count


def _transpose(layers: list[list[int]], up: Adjacency, down: Adjacency,
               pos: list[int], rounds: int = 4) -> None:
    """Swap neighbours in a layer while that removes crossings (breaks barycenter ties well)."""
    for _ in range(rounds):
        improved = False
        for layer in layers:
            for i in range(len(layer) - 1):
                a, b = layer[i], layer[i + 1]
                if _pair_cross(a, b, up, down, pos) > _pair_cross(b, a, up, down, pos):
                    layer[i], layer[i + 1] = b, a
                    pos[a], pos[b] = i + 1, i
                    improved = True
        if not improved:
            return


def order_layers(layers: list[list[int]], up: Adjacency, down: Adjacency,
           nv: int, sweeps: int) -> list[list[int]]:
    pos = [0] * nv
    for layer in layers:
        for i, v in enumerate(layer):
            pos[v] = i
    best = [list(layer) for layer in layers]
    best_cross = _crossings(layers, down, pos)
    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        nbrs = up if downward else down
        for li in indices:
            layer = layers[li]
            keyed = []
            for v in layer:
                ns = nbrs[v]
                bary = sum(pos[u] for u, _w in ns) / len(ns) if ns else float(pos[v])
                keyed.append((bary, pos[v], v))
            keyed.sort()
            layers[li] = [v for _b, _p, v in keyed]
            for i, v in enumerate(layers[li]):
                pos[v] = i
        _transpose(layers, up, down, pos)
        cross = _crossings(layers, down, pos)
        if cross < best_cross:
            best_cross = cross
            best = [list(layer) for layer in layers]
        if best_cross == 0:
            break
    if best_cross:
        for layer in best:
            for i, v in enumerate(layer):
                pos[v] = i
        _transpose(best, up, down, pos, rounds=8)
    return best
