"""Syntax-highlighted JSON as self-contained HTML (inline styles, every value escaped)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

_TOKEN = re.compile(r'("(?:\\.|[^"\\])*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b')
_STYLE = {
    "key": "color:#0b5cad",
    "string": "color:#a31515",
    "expr": "color:#7a3e9d",
    "number": "color:#098658",
    "literal": "color:#0000ff",
}


def _span(kind: str, text: str) -> str:
    return f'<span style="{_STYLE[kind]}">{html.escape(text)}</span>'


def highlight_json(value: Any) -> str:
    """Pretty JSON in a ``<pre>`` with keys, strings, JSONata expressions and numbers coloured.

    Example:
        >>> "color:#0b5cad" in highlight_json({"StartAt": "a"})
        True
    """
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    out: list[str] = []
    last = 0
    for m in _TOKEN.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        string, colon, number, literal = m.groups()
        if string is not None:
            if colon:
                out.append(_span("key", string) + html.escape(colon))
            else:
                out.append(_span("expr" if string.startswith('"{%') else "string", string))
        elif number is not None:
            out.append(_span("number", number))
        else:
            out.append(_span("literal", literal))
        last = m.end()
    out.append(html.escape(text[last:]))
    return ('<pre style="margin:0;font:12px/1.45 ui-monospace,Menlo,Consolas,monospace;'
            f'white-space:pre;overflow:auto;max-height:520px">{"".join(out)}</pre>')
