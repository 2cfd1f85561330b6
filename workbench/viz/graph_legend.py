"""The legend under an overlaid graph: what each status colour (or heat shade) means."""

from __future__ import annotations

from workbench.viz import graph_style as st
from workbench.viz import metrics as m
from workbench.viz.overlay import STATUSES, Overlay
from workbench.viz.svgtext import esc, num

LEGEND_H = 30.0


def legend(overlay: Overlay, top: float, left: float = 16.0) -> tuple[str, float]:
    """SVG of the legend placed at ``top``, and the width it needs."""
    items: list[tuple[st.Paint, str]]
    if overlay.mode == "heat":
        items = [(st.heat_paint(h), label) for h, label in ((0.0, "no failures"), (0.3, ""), (0.6, ""),
                                                            (1.0, "most failures"))]
        items.append((st.Paint(st.BADGE_FAIL, st.BADGE_FAIL), "✕ failures"))
        items.append((st.Paint(st.BADGE_RETRY, st.BADGE_RETRY), "↻ retries"))
    else:
        items = [(st.STATUS_PAINT[s], s.replace("_", " ")) for s in STATUSES]
    parts = [f'<g class="legend" data-mode="{overlay.mode}">']
    x = left
    y = top + 8
    for paint, label in items:
        parts.append(f'<rect x="{num(x)}" y="{num(y)}" width="18" height="12" rx="3" fill="{paint.fill}" '
                     f'stroke="{paint.stroke}" stroke-width="1.2"/>')
        x += 22
        if label:
            parts.append(f'<text x="{num(x)}" y="{num(y + 10)}" font-size="11" fill="{st.LABEL}">{esc(label)}</text>')
            x += m.text_width(label, 11) + 14
    parts.append("</g>")
    return "".join(parts), x + left
