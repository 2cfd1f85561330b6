"""The legend under an overlaid graph: what each status colour (or heat shade) means."""

from __future__ import annotations

from workbench.viz.graph import style as st
from workbench.viz.graph.layout import metrics as m
from workbench.viz.graph.overlay import LEGEND_STATUSES, STATUSES, Overlay
from workbench.viz.graph.svgtext import esc, num

LEGEND_H = 30.0


def legend(overlay: Overlay, top: float, left: float = 16.0) -> tuple[str, float]:
    """SVG of the legend placed at ``top``, and the width it needs.

    Example:
        >>> from workbench.viz.graph.overlay import StateOverlay
        >>> svg, width = legend(Overlay({"A": StateOverlay("aborted")}), 100.0)
        >>> ">aborted<" in svg and ">incomplete<" not in svg
        True
    """
    items: list[tuple[st.Paint, str]]
    if overlay.mode == "heat":
        items = [(st.heat_paint(h), label) for h, label in ((0.0, "no failures"), (0.3, ""), (0.6, ""),
                                                            (1.0, "most failures"))]
        items.append((st.Paint(st.BADGE_FAIL, st.BADGE_FAIL), "✕ failures"))
        items.append((st.Paint(st.BADGE_RETRY, st.BADGE_RETRY), "↻ retries"))
    else:
        shown = [*LEGEND_STATUSES, *(("incomplete",) if any(e.status == "incomplete" for e in overlay.values())
                                     else ())]
        items = [(st.STATUS_PAINT[s], s.replace("_", " ")) for s in STATUSES if s in shown]
    parts = [f'<g class="legend" data-mode="{overlay.mode}">']
    x = left
    y = top + 8
    for paint, label in items:
        dash = f' stroke-dasharray="{paint.dash}"' if paint.dash else ""
        parts.append(f'<rect x="{num(x)}" y="{num(y)}" width="18" height="12" rx="3" fill="{paint.fill}" '
                     f'stroke="{paint.stroke}" stroke-width="1.2"{dash}/>')
        x += 22
        if label:
            parts.append(f'<text x="{num(x)}" y="{num(y + 10)}" font-size="11" fill="{st.LABEL}">{esc(label)}</text>')
            x += m.text_width(label, 11) + 14
    parts.append("</g>")
    return "".join(parts), x + left
