"""Edge routes for one placed level: smooth S-curves through layers, and side lanes for loops.

Layered edges leave the bottom of their source (ports spread by where they head), pass through
their virtual vertices and enter the top of their target. Back edges (loops) and over-long edges
run in vertical lanes beside the layers they span, with rounded corners, so they never cut
through a node; edges into the same target share a lane, like a bus.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.viz.graph.layout.sugiyama import RANK_GAP, LayeredResult

Segment = tuple[str, tuple[float, ...]]
ARROW = 7.0
LANE_GAP = 18.0
LANE_SEP = 12.0
CORNER = 8.0


@dataclass(slots=True)
class Route:
    """Drawing of one edge: SVG path commands, the arrow tip and direction, and the label's top-left.

    ``tip`` is None for an edge that joins a shared lane (its arrow is drawn by the lane's trunk edge).
    """

    segments: list[Segment]
    tip: tuple[float, float] | None
    direction: tuple[float, float]
    label_at: tuple[float, float] | None
    label_anchor: str = "start"


@dataclass(slots=True)
class _Lane:
    side: int  # +1 right, -1 left
    top: float
    bottom: float
    reach: float
    label_w: float
    trunk: int  # the member edge that draws the whole lane; the others join it
    x: float = 0.0


def rounded(points: list[tuple[float, float]]) -> list[Segment]:
    """Orthogonal polyline → path commands with rounded corners."""
    segs: list[Segment] = [("M", points[0])]
    for i in range(1, len(points) - 1):
        (ax, ay), (bx, by), (cx, cy) = points[i - 1], points[i], points[i + 1]
        d1 = abs(bx - ax) + abs(by - ay)
        d2 = abs(cx - bx) + abs(cy - by)
        r = min(CORNER, d1 / 2, d2 / 2)
        if r <= 0.5:
            segs.append(("L", (bx, by)))
            continue
        ux, uy = (bx - ax) / d1, (by - ay) / d1
        vx, vy = (cx - bx) / d2, (cy - by) / d2
        segs.append(("L", (bx - ux * r, by - uy * r)))
        segs.append(("Q", (bx, by, bx + vx * r, by + vy * r)))
    segs.append(("L", points[-1]))
    return segs


class Router:
    """Routes every edge of one level; boxes are (cx, cy, w, h) of the real vertices."""

    def __init__(self, res: LayeredResult, boxes: list[tuple[float, float, float, float]],
                 edges: list[tuple[int, int]], label_sizes: list[tuple[float, float]], catch: list[bool]) -> None:
        self.res = res
        self.catch = catch
        self.boxes = boxes
        self.edges = edges
        self.label_sizes = label_sizes
        self.index: dict[int, int] = {}
        for members in res.layers:
            for i, v in enumerate(members):
                self.index[v] = i
        self.lmin = [res.x[m[0]] - res.left[m[0]] if m else 0.0 for m in res.layers]
        self.rmax = [res.x[m[-1]] + res.right[m[-1]] if m else 0.0 for m in res.layers]
        self.side_of: dict[int, _Lane] = {}

    def _extreme(self, v: int, side: int) -> bool:
        members = self.res.layers[self.res.layer[v]]
        return self.index[v] == (len(members) - 1 if side > 0 else 0)

    def _choose_side(self, u: int, v: int) -> int:
        score = 0
        for w in (u, v):
            members = self.res.layers[self.res.layer[w]]
            i = self.index[w]
            score += (len(members) - 1 - i) - i
        return 1 if score <= 0 else -1

    def _assign_lanes(self) -> None:
        """Group side edges into buses: same target, same direction, same line style share one lane."""
        groups: dict[tuple[int, bool, bool], list[int]] = {}
        for ei in self.res.side_edges:
            key = (self.edges[ei][1], ei in self.res.back_edges, self.catch[ei])
            groups.setdefault(key, []).append(ei)
        lanes: list[tuple[float, tuple[int, bool, bool], _Lane]] = []
        for key, members in groups.items():
            target = key[0]
            side = 1 if sum(self._choose_side(*self.edges[e]) for e in members) >= 0 else -1
            lo = min(min(self.res.layer[self.edges[e][0]], self.res.layer[target]) for e in members)
            hi = max(max(self.res.layer[self.edges[e][0]], self.res.layer[target]) for e in members)
            layers = range(max(lo - 1, 0), min(hi + 1, len(self.res.layers) - 1) + 1)
            reach = max(self.rmax[i] for i in layers) if side > 0 else min(self.lmin[i] for i in layers)
            label_w = max(self.label_sizes[e][0] for e in members)
            top = self.res.band_top[lo] - RANK_GAP
            bottom = self.res.band_bottom[hi] + RANK_GAP
            far = max(members, key=lambda e: (abs(self.res.layer[self.edges[e][0]] - self.res.layer[target]), -e))
            lane = _Lane(side, top, bottom, reach, label_w, far)
            lanes.append((bottom - top, key, lane))
            for e in members:
                self.side_of[e] = lane
        placed: list[_Lane] = []
        for _span, _key, lane in sorted(lanes, key=lambda t: (t[0], t[1])):
            x = lane.reach + lane.side * LANE_GAP
            for other in placed:
                if other.side == lane.side and other.top < lane.bottom and lane.top < other.bottom:
                    clearance = LANE_SEP + (other.label_w + 4 if other.label_w else 0.0)
                    x = max(x, other.x + clearance) if lane.side > 0 else min(x, other.x - clearance)
            lane.x = x
            placed.append(lane)

    def _ports(self) -> dict[int, float]:
        """x of the bottom exit of every edge leaving from a node's bottom, spread by heading."""
        heading: dict[int, list[tuple[float, int]]] = {}
        for ei, chain in self.res.chains.items():
            u, v = self.edges[ei]
            first = chain[0] if chain else v
            heading.setdefault(u, []).append((self.res.x[first], ei))
        for ei, lane in self.side_of.items():
            u = self.edges[ei][0]
            if not self._extreme(u, lane.side):
                heading.setdefault(u, []).append((lane.x, ei))
        ports: dict[int, float] = {}
        for u, items in heading.items():
            items.sort()
            cx, _cy, w, _h = self.boxes[u]
            k = len(items)
            step = min(14.0, (w * 0.6) / (k - 1)) if k > 1 else 0.0
            for i, (_x, ei) in enumerate(items):
                ports[ei] = cx + (i - (k - 1) / 2) * step
        return ports

    def route_all(self) -> list[Route]:
        self._assign_lanes()
        ports = self._ports()
        routes: list[Route] = []
        for ei in range(len(self.edges)):
            if ei in self.side_of:
                routes.append(self._side(ei, ports))
            else:
                routes.append(self._layered(ei, ports))
        return routes

    def _layered(self, ei: int, ports: dict[int, float]) -> Route:
        res = self.res
        u, v = self.edges[ei]
        ucx, ucy, _uw, uh = self.boxes[u]
        vcx, vcy, _vw, vh = self.boxes[v]
        x0, y0 = ports.get(ei, ucx), ucy + uh / 2
        segs: list[Segment] = [("M", (x0, y0))]
        band_bottom = res.band_bottom[res.layer[u]]
        if band_bottom > y0 + 0.5:  # a short node beside a tall one: drop straight down out of the layer first
            y0 = band_bottom
            segs.append(("L", (x0, y0)))
        stations: list[tuple[float, float, float]] = []
        for c in res.chains.get(ei, []):
            li = res.layer[c]
            stations.append((res.x[c], res.band_top[li], res.band_bottom[li]))
        tip_y = vcy - vh / 2
        stations.append((vcx, tip_y - ARROW, tip_y - ARROW))
        px, py = x0, y0
        for sx, s_in, s_out in stations:
            mid = (py + s_in) / 2
            if abs(sx - px) < 0.5:
                segs.append(("L", (sx, s_in)))
            else:
                segs.append(("C", (px, mid, sx, mid, sx, s_in)))
            if s_out > s_in:
                segs.append(("L", (sx, s_out)))
            px, py = sx, s_out
        label_at = None
        lv = res.label_vertex.get(ei)
        if lv is not None:
            li = res.layer[lv]
            label_at = (res.x[lv] + 6, res.band_top[li] + (res.band_bottom[li] - res.band_top[li] - res.height[lv]) / 2)
        return Route(segs, (vcx, tip_y), (0.0, 1.0), label_at)

    def _side(self, ei: int, ports: dict[int, float]) -> Route:
        res = self.res
        lane = self.side_of[ei]
        s = lane.side
        u, v = self.edges[ei]
        ucx, ucy, uw, uh = self.boxes[u]
        vcx, vcy, vw, vh = self.boxes[v]
        pts: list[tuple[float, float]] = []
        if self._extreme(u, s):
            pts.append((ucx + s * uw / 2, ucy))
            exit_y = ucy
        else:
            gap = res.band_bottom[res.layer[u]] + RANK_GAP * 0.3
            pts.extend([(ports.get(ei, ucx), ucy + uh / 2), (ports.get(ei, ucx), gap)])
            exit_y = gap
        pts.append((lane.x, exit_y))
        label_at = None
        lw, lh = self.label_sizes[ei]
        going_up = ei in res.back_edges
        if lw:
            ly = exit_y - lh - 2 if going_up else exit_y + 2
            label_at = (lane.x + 4, ly) if s > 0 else (lane.x - 4, ly)
        anchor = "start" if s > 0 else "end"
        if lane.trunk != ei:
            pts.append((lane.x, exit_y + (-1 if going_up else 1) * 2 * CORNER))
            return Route(rounded(pts), None, (0.0, 0.0), label_at, anchor)
        if self._extreme(v, s) and u != v:
            pts.append((lane.x, vcy))
            tip = (vcx + s * vw / 2, vcy)
            pts.append((tip[0] + s * ARROW, vcy))
            direction = (-float(s), 0.0)
        else:
            gap = res.band_top[res.layer[v]] - RANK_GAP * 0.3
            tip = (vcx, vcy - vh / 2)
            pts.extend([(lane.x, gap), (vcx, gap), (vcx, tip[1] - ARROW)])
            direction = (0.0, 1.0)
        return Route(rounded(pts), tip, direction, label_at, anchor)
