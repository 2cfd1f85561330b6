"""x placement inside layers: weighted isotonic regression per layer, then straightening passes.

Each vertex wants the weighted mean x of its neighbours; pool-adjacent-violators gives the best
such placement that keeps the layer's order and spacing, so sweeping it down and up centres
nodes over their edges. Long edges are then put on one vertical line and one-to-one links lined
up where the neighbours leave room, which removes small wiggles.
"""

from __future__ import annotations

from workbench.viz.graph.layout.ordering import Adjacency

SEP_REAL = 28.0
SEP_VIRTUAL = 10.0
SEP_MIXED = 18.0


def _pav(targets: list[float], weights: list[float]) -> list[float]:
    """Weighted isotonic (non-decreasing) regression by pool-adjacent-violators."""
    sums: list[float] = []
    wts: list[float] = []
    counts: list[int] = []
    for t, w in zip(targets, weights, strict=True):
        sums.append(t * w)
        wts.append(w)
        counts.append(1)
        while len(sums) > 1 and sums[-2] / wts[-2] > sums[-1] / wts[-1]:
            s, wt, c = sums.pop(), wts.pop(), counts.pop()
            sums[-1] += s
            wts[-1] += wt
            counts[-1] += c
    out: list[float] = []
    for s, wt, c in zip(sums, wts, counts, strict=True):
        out.extend([s / wt] * c)
    return out


def positions(layers: list[list[int]], up: Adjacency, down: Adjacency,
               left: list[float], right: list[float], virtual: list[bool], passes: int) -> list[float]:
    x = [0.0] * len(left)
    offsets: list[list[float]] = []
    for layer in layers:
        offs = [0.0] * len(layer)
        for i in range(1, len(layer)):
            a, b = layer[i - 1], layer[i]
            offs[i] = offs[i - 1] + right[a] + _sep(a, b, virtual) + left[b]
        offsets.append(offs)
        mid = offs[-1] / 2 if offs else 0.0
        for i, v in enumerate(layer):
            x[v] = offs[i] - mid
    schedule: list[tuple[int, ...]] = []
    for p in range(passes):
        schedule.append((0,) if p % 2 == 0 else (1,))
    schedule.append((0, 1))
    for dirs in schedule:
        order = range(len(layers)) if dirs == (0,) or dirs == (0, 1) else range(len(layers) - 1, -1, -1)
        for li in order:
            layer = layers[li]
            offs = offsets[li]
            targets: list[float] = []
            weights: list[float] = []
            for i, v in enumerate(layer):
                total = 0.0
                wsum = 0.0
                for d in dirs:
                    for u, w in (up[v] if d == 0 else down[v]):
                        total += x[u] * w
                        wsum += w
                if wsum == 0.0:
                    total, wsum = x[v] * 0.05, 0.05
                targets.append(total / wsum - offs[i])
                weights.append(wsum)
            for i, z in enumerate(_pav(targets, weights)):
                x[layer[i]] = z + offs[i]
    return x


def _sep(a: int, b: int, virtual: list[bool]) -> float:
    if virtual[a] and virtual[b]:
        return SEP_VIRTUAL
    return SEP_MIXED if virtual[a] or virtual[b] else SEP_REAL


def _room(a: int, b: int, xa: float, xb: float, left: list[float], right: list[float], virtual: list[bool]) -> float:
    """Free space between a (at xa) and its right neighbour b (at xb); negative means they collide."""
    return xb - left[b] - (xa + right[a] + _sep(a, b, virtual)) + 0.01


def _fits(layer: list[int], i: int, c: float, x: list[float], left: list[float], right: list[float],
          virtual: list[bool]) -> bool:
    """Can vertex ``layer[i]`` move to x = c without touching its neighbours?"""
    v = layer[i]
    if i > 0 and _room(layer[i - 1], v, x[layer[i - 1]], c, left, right, virtual) < 0:
        return False
    return not (i + 1 < len(layer) and _room(v, layer[i + 1], c, x[layer[i + 1]], left, right, virtual) < 0)


def straighten(layers: list[list[int]], x: list[float], left: list[float], right: list[float],
               virtual: list[bool], chains: list[list[int]]) -> None:
    """Put each long edge's virtual vertices on one vertical line when the neighbours leave room."""
    where: dict[int, tuple[list[int], int]] = {}
    for layer in layers:
        for i, v in enumerate(layer):
            where[v] = (layer, i)
    for chain in chains:
        if len(chain) < 2:
            continue
        xs = sorted(x[v] for v in chain)
        for c in (xs[len(xs) // 2], x[chain[0]], x[chain[-1]]):
            if all(_fits(*where[v], c, x, left, right, virtual) for v in chain):
                for v in chain:
                    x[v] = c
                break


def snap(layers: list[list[int]], x: list[float], left: list[float], right: list[float], virtual: list[bool],
         up: Adjacency, down: Adjacency, reach: float = 40.0) -> None:
    """Top-down, line up plain one-to-one links (u's only successor is v, v's only predecessor is u)."""
    for layer in layers[1:]:
        for i, v in enumerate(layer):
            if len(up[v]) != 1:
                continue
            u = up[v][0][0]
            if len(down[u]) != 1 or abs(x[u] - x[v]) > reach or x[u] == x[v]:
                continue
            if _fits(layer, i, x[u], x, left, right, virtual):
                x[v] = x[u]
