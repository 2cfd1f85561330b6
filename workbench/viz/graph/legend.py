"""The legend under an overlaid graph: what each status colour (or heat shade) means."""

from __future__ import annotations

from workbench.viz.graph import style as st
from workbench.viz.graph.layout import metrics as m
from workbench.viz.graph.overlay import LEGEND_STATUSES, STATUSES, Overlay
from workbench.viz.graph.svgtext import esc, num

LEGEND_H = 30.0


def legend_statuses(overlay: Overlay | None = None) -> list[str]:
    """The statuses a status legend lists: always succeeded, retried, failed, caught, aborted, running and not
    reached; ``incomplete`` too when a state of ``overlay`` is.

    Example:
        >>> legend_statuses()
        ['succeeded', 'retried', 'failed', 'caught', 'aborted', 'running', 'not_reached']
    """
    cut = overlay is not None and any(e.status == "incomplete" for e in overlay.values())
    shown = [*LEGEND_STATUSES, *(("incomplete",) if cut else ())]
    return [s for s in STATUSES if s in shown]


def legend_items(overlay: Overlay | None = None) -> list[dict[str, str]]:
    """The status legend as data (status, label, fill, stroke, dash), for legends drawn outside the SVG.

    Example:
        >>> legend_items()[1]["status"], legend_items()[1]["label"]
        ('retried', 'retried')
    """
    return [{"status": s, "label": s.replace("_", " "), "fill": st.STATUS_PAINT[s].fill,
             "stroke": st.STATUS_PAINT[s].stroke, "dash": st.STATUS_PAINT[s].dash} for s in legend_statuses(overlay)]


def legend(overlay: Overlay, top: float, left: float = 16.0) -> tuple[str, float]:
    """SVG of the legend placed at ``top``, and the width it needs.

    Example:
        >>> from workbench.viz.graph.overlay import StateOverlay
        >>> svg, width = legend(Overlay({"A": StateOverlay("aborted")}), 100.0)
        >>> ">aborted<" in svg and ">incomplete<" not in svg
        True
    """
    items: list[tuple[st.Paint, str, str]]
    if overlay.mode == "coverage":
        from workbench.viz.graph.coverage import coverage_legend

        return coverage_legend(top, left)
    if overlay.mode == "heat":
        items = [(st.heat_paint(h), label, "") for h, label in ((0.0, "no failures"), (0.3, ""), (0.6, ""),
                                                                (1.0, "most failures"))]
        items.append((st.Paint(st.BADGE_FAIL, st.BADGE_FAIL), "✕ failures", ""))
        items.append((st.Paint(st.BADGE_RETRY, st.BADGE_RETRY), "↻ retries", ""))
    else:
        items = [(st.STATUS_PAINT[s], s.replace("_", " "), s) for s in legend_statuses(overlay)]
    parts = [f'<g class="legend" data-mode="{overlay.mode}">']
    x = left
    y = top + 8
    for paint, label, status in items:
        dash = f' stroke-dasharray="{paint.dash}"' if paint.dash else ""
        parts.append(f'<g class="legend-item" data-status="{status}">' if status else '<g class="legend-item">')
        parts.append(f'<rect x="{num(x)}" y="{num(y)}" width="18" height="12" rx="3" fill="{paint.fill}" '
                     f'stroke="{paint.stroke}" stroke-width="1.2"{dash}/>')
        x += 22
        if label:
            parts.append(f'<text x="{num(x)}" y="{num(y + 10)}" font-size="11" fill="{st.LABEL}">{esc(label)}</text>')
            x += m.text_width(label, 11) + 14
        parts.append("</g>")
    parts.append("</g>")
    return "".join(parts), x + left
