"""Syntax-highlighted JSON as self-contained HTML (inline styles, every value escaped)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

_TOKEN = re.compile(r'("(?:\\.|[^"\\])*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b')
_EXPR = '"{%'
_STYLE = {
    "key": "color:#0b5cad",
    "string": "color:#a31515",
    "expr": "color:#7a3e9d",
    "number": "color:#098658",
    "literal": "color:#0000ff",
}


def _token(m: re.Match[str]) -> str:
    """One token of the (already escaped) JSON text, wrapped in its colour."""
    string, colon, number, literal = m.groups()
    if string is not None:
        if colon:
            return f'<span style="{_STYLE["key"]}">{string}</span>{colon}'
        return f'<span style="{_STYLE["expr" if string.startswith(_EXPR) else "string"]}">{string}</span>'
    if number is not None:
        return f'<span style="{_STYLE["number"]}">{number}</span>'
    return f'<span style="{_STYLE["literal"]}">{literal}</span>'


def highlight_json(value: Any) -> str:
    """Pretty JSON in a ``<pre>`` with keys, strings, JSONata expressions and numbers coloured.

    The text is escaped once (``&``, ``<``, ``>``: the quotes JSON needs stay, harmless in text), then
    coloured token by token, so a large definition highlights in one pass.

    Example:
        >>> "color:#0b5cad" in highlight_json({"StartAt": "a"})
        True
    """
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    body = _TOKEN.sub(_token, html.escape(text, quote=False))
    return ('<pre style="margin:0;font:12px/1.45 ui-monospace,Menlo,Consolas,monospace;'
            f'white-space:pre;overflow:auto;max-height:520px">{body}</pre>')
