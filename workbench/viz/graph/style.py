"""Colours of the state-machine drawing: per ASL type, per execution status, and heat.

Palette follows the AWS console's conventions (green succeeded, red failed, orange caught,
blue running, grey not reached) so operators read overlays without a legend; a state that succeeded only
after retrying is gold, aborted (stopped from outside, never "failed") dashed slate, a state left open by a
cut history dotted purple.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.viz.graph.overlay import Mode, StateOverlay, display_status


@dataclass(frozen=True, slots=True)
class Paint:
    fill: str
    stroke: str
    text: str = "#16191f"
    sub: str = "#5f6b7a"
    dash: str = ""
    width: float = 1.4


TYPE_PAINT: dict[str, Paint] = {
    "Task": Paint("#f2f8fd", "#0972d3"),
    "Choice": Paint("#fef6e6", "#c9870c"),
    "Wait": Paint("#f5f0fb", "#8a61c7"),
    "Pass": Paint("#f7f8f8", "#7d8998"),
    "Parallel": Paint("#f2fafa", "#2f8f8c"),
    "Map": Paint("#f2fafa", "#2f8f8c"),
    "Succeed": Paint("#eef8ee", "#1d8102"),
    "Fail": Paint("#fdefed", "#d13212"),
    "Missing": Paint("#ffffff", "#d13212", "#d13212", "#d13212", dash="4 3"),
    "Start": Paint("#232f3e", "#232f3e", "#ffffff"),
    "End": Paint("#232f3e", "#232f3e", "#ffffff"),
}
DEFAULT_PAINT = Paint("#ffffff", "#7d8998")

STATUS_PAINT: dict[str, Paint] = {
    "succeeded": Paint("#e3f4e1", "#1d8102", width=2.0),
    "retried": Paint("#fcf4c4", "#a88400", width=2.2),
    "failed": Paint("#fde4e1", "#d13212", width=2.2),
    "caught": Paint("#fff0dc", "#ec7211", width=2.0),
    "aborted": Paint("#eceef0", "#545b64", dash="5 3", width=2.0),
    "running": Paint("#e2f0fb", "#0972d3", width=2.2),
    "incomplete": Paint("#f5f0fb", "#8a61c7", dash="2 2", width=2.0),
    "not_reached": Paint("#f7f8f8", "#c6cbcc", "#8d9596", "#a4acb0"),
}

#: Coverage overlay (tests): a covered state, and one no test entered (white, dashed outline).
COVERAGE_PAINT: dict[str, Paint] = {
    "covered": Paint("#e3f4e1", "#1d8102", width=2.0),
    "uncovered": Paint("#ffffff", "#8d9596", "#5f6b7a", "#8d9596", dash="5 4", width=1.6),
}

EDGE = "#5f6b7a"
EDGE_CATCH = "#c3530f"
EDGE_MUTED = "#d5dbdb"
LABEL = "#414d5c"
CONTAINER_FILL = "#ffffff"
CONTAINER_STROKE = "#9fb4b3"
BADGE_RETRY = "#ec7211"
BADGE_ITER = "#2f6f8f"
BADGE_FAIL = "#d13212"


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def lighter(paint: Paint) -> Paint:
    """A Parallel/Map box is large: tint its background lightly so the states inside stay readable."""
    return Paint(_mix(paint.fill, "#ffffff", 0.55), paint.stroke, "#16191f", paint.sub if paint.text != "#ffffff"
                 else "#5f6b7a", paint.dash, paint.width)


def heat_paint(heat: float) -> Paint:
    """White (cool) to AWS red (hot); text turns white on the darkest cells."""
    h = max(0.0, min(1.0, heat))
    if h == 0.0:
        return Paint("#ffffff", "#9aa5b1")
    fill = _mix("#fff5f3", "#d13212", 0.1 + 0.8 * h)
    text = "#ffffff" if h > 0.6 else "#16191f"
    return Paint(fill, _mix("#e07a5f", "#8c1d0b", h), text, text, width=1.4 + 1.2 * h)


def paint_for(node_type: str, entry: StateOverlay | None, mode: Mode | None) -> Paint:
    """Paint of a state: by type without an overlay, by status (or heat) with one."""
    if mode is None or node_type in ("Start", "End"):
        return TYPE_PAINT.get(node_type, DEFAULT_PAINT)
    if mode == "heat":
        return heat_paint(entry.heat or 0.0) if entry is not None else heat_paint(0.0)
    if mode == "coverage":
        return COVERAGE_PAINT["covered" if entry is not None and entry.status != "not_reached" else "uncovered"]
    status = display_status(entry.status, entry.retries) if entry is not None else "not_reached"
    return STATUS_PAINT[status]
