"""Text measurement and node sizes shared by the layout and the SVG writer.

There are no font files at layout time (the SVG must stay self-contained), so widths come from a
small table of typical sans-serif advance widths; labels that would not fit are cut with an
ellipsis by the same function the layout used to size the box, so text and boxes always agree.
"""

from __future__ import annotations

from functools import lru_cache

from workbench.asl.graph import END, START, Node

FONT_FAMILY = "'Amazon Ember', 'Helvetica Neue', Roboto, Arial, sans-serif"
NAME_SIZE = 13.0
DETAIL_SIZE = 10.5
LABEL_SIZE = 11.0
LABEL_LINE = 14.0
TITLE_SIZE = 12.0

NODE_MIN_W = 120.0
NODE_MAX_TEXT = 230.0
NODE_H = 44.0
NODE_PAD_X = 14.0
CHOICE_SLANT = 14.0
PILL_W, PILL_H = 62.0, 26.0
DOT = 14.0
LABEL_MAX = 190.0

COMPOUND_HEADER = 42.0
COMPOUND_PAD = 12.0
CONTAINER_TITLE = 24.0
CONTAINER_PAD = 12.0
CONTAINER_GAP = 16.0

_NARROW = frozenset(" ijl.,:;'|!I")
_SEMI = frozenset("frt()[]{}-/\\\"`*")
_HALF = frozenset("cksvxyzJ_?")
_WIDE = frozenset("mwMW@%")


def _advance(ch: str) -> float:
    if ch in _NARROW:
        return 0.28
    if ch in _SEMI:
        return 0.34
    if ch in _HALF:
        return 0.5
    if ch in _WIDE:
        return 0.88
    if "A" <= ch <= "Z":
        return 0.68
    if ord(ch) >= 0x2E80:
        return 1.0
    return 0.56


@lru_cache(maxsize=8192)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated rendered width in px of ``text`` at font ``size``."""
    width = sum(_advance(ch) for ch in text) * size
    return width * 1.06 if bold else width


def fit(text: str, size: float, max_width: float, bold: bool = False) -> str:
    """``text`` cut with an ellipsis so it fits ``max_width`` (whole text when it already fits)."""
    text = " ".join(text.split())
    if text_width(text, size, bold) <= max_width:
        return text
    budget = max_width / (size * (1.06 if bold else 1.0)) - 0.6
    used = 0.0
    for i, ch in enumerate(text):
        used += _advance(ch)
        if used > budget:
            return text[:i].rstrip() + "…"
    return text


def subtitle(node: Node) -> str:
    """Second line of a state box: the type, plus the resource or wait time when there is one."""
    return f"{node.type} · {node.detail}" if node.detail else node.type


def is_inner(node: Node) -> bool:
    return bool(node.scope)


def node_size(node: Node) -> tuple[float, float]:
    """(w, h) of a simple (non-container) node's shape."""
    if node.type in (START, END):
        return (DOT, DOT) if is_inner(node) else (PILL_W, PILL_H)
    name = fit(node.label, NAME_SIZE, NODE_MAX_TEXT, bold=True)
    sub = fit(subtitle(node), DETAIL_SIZE, NODE_MAX_TEXT)
    inner = max(text_width(name, NAME_SIZE, bold=True), text_width(sub, DETAIL_SIZE))
    w = max(NODE_MIN_W, inner + 2 * NODE_PAD_X)
    if node.type == "Choice":
        w += 2 * CHOICE_SLANT - 8
    return (round(w), NODE_H)


def label_lines(labels: list[str]) -> list[str]:
    """The edge label lines as drawn (each cut to ``LABEL_MAX``)."""
    return [fit(text, LABEL_SIZE, LABEL_MAX) for text in labels if text]


def label_size(lines: list[str]) -> tuple[float, float]:
    if not lines:
        return (0.0, 0.0)
    return (max(text_width(t, LABEL_SIZE) for t in lines) + 8, len(lines) * LABEL_LINE + 4)
