"""The inspector's browser side: the plain-JavaScript bundle, its stylesheet, and the markup for a page.

``INSPECTOR_JS`` is ``inspector_core.js``, ``inspector_graph.js``, ``inspector_panel.js`` and
``inspector_views.js`` joined inside one function (they share its scope); the only global it defines is
``globalThis.WorkbenchInspector``. It runs as a classic ``<script>`` (allowed by its sha256 under the
report's CSP) and as the start of an ES module (anywidget). The API and DOM contract are documented at
the top of ``inspector_core.js``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib import resources
from typing import Any

import orjson

from workbench.viz.graph.svgtext import esc

_PARTS = ("inspector_core.js", "inspector_graph.js", "inspector_panel.js", "inspector_views.js")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")

#: One line a page runs after ``INSPECTOR_JS`` to mount every inspector it holds (the report does).
INSPECTOR_BOOT = "WorkbenchInspector.mountAll(document);"


def _read(name: str) -> str:
    return resources.files("workbench.viz.inspect").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _bundle() -> str:
    body = "\n".join(_read(name) for name in _PARTS)
    api = ("globalThis.WorkbenchInspector = {mount: mount, mountAll: mountAll, version: 1};")
    return f"(function () {{\n\"use strict\";\n{body}\n{api}\n}})();\n"


INSPECTOR_JS: str = _bundle()
INSPECTOR_CSS: str = _read("inspector.css")


def sha256_source(text: str) -> str:
    """The CSP source that allows exactly this inline script (``'sha256-…'`` without the quotes).

    Example:
        >>> sha256_source("x")
        'sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE='
    """
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def script_json(text: str) -> str:
    """JSON text made safe inside a ``<script>`` element (the same value once parsed): ``<``, ``>``, ``&``
    and the JavaScript line separators written as ``\\uXXXX`` escapes, so nothing inside can close the
    script or open a comment.

    Example:
        >>> script_json('{"a": "</script><!--"}')
        '{"a": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def payload_json(payload: dict[str, Any]) -> str:
    """The payload as compact JSON text (NaN-free; non-string keys as text)."""
    return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode("utf-8")


def inspector_html(svg: str, payload: dict[str, Any], *, element_id: str = "wb-inspect") -> str:
    """The markup of one inspector in a page: the graph SVG and the payload, which ``INSPECTOR_JS`` turns
    into tabs (graph with zoom and the state inspector, events, table) once mounted.

    Why: a report or a notebook output carries the data beside the drawing, script-safe, with no inline
    handler, so the page's CSP can forbid everything but our one script. The page adds ``INSPECTOR_CSS``,
    ``INSPECTOR_JS`` and ``INSPECTOR_BOOT`` (or calls ``WorkbenchInspector.mount`` itself). ``svg`` must
    be our own renderer's output; ``element_id`` a plain id (letters, digits, ``-``, ``_``).

    Example:
        >>> html = inspector_html("<svg></svg>", {"states": {"</script>": {}}}, element_id="run-1")
        >>> html.startswith('<div class="wb-inspect" id="run-1">') and "</script>\\"" not in html
        True
    """
    if not _ID.match(element_id):
        raise ValueError(f"element_id {element_id!r} must be letters, digits, '-' or '_' (starting with a letter)")
    data = script_json(payload_json(payload))
    return (f'<div class="wb-inspect" id="{esc(element_id)}"><div class="wb-canvas">{svg}</div>'
            f'<script type="application/json" class="wb-inspect-data" id="{esc(element_id)}-data">{data}</script>'
            "</div>")
