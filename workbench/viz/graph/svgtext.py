"""The two primitives every SVG writer here needs: safe text and stable numbers."""

from __future__ import annotations

import re

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def esc(text: object) -> str:
    """XML-escape any user text for element content or a double-quoted attribute.

    Characters XML 1.0 cannot carry at all (control codes, lone surrogates) become U+FFFD, so a
    state name can never make the document ill-formed.

    Example:
        >>> esc('<script>alert("x")</script>')
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    s = _INVALID_XML.sub("\ufffd", str(text))
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;").replace("\n", "&#10;"))


def num(x: float) -> str:
    """A coordinate with one decimal and no trailing ``.0``: same value, same bytes."""
    s = f"{x:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s
