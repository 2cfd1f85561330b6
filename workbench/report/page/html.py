"""HTML building blocks of a report: escaping, tables, embedded figures, and the self-contained page.

Safety rules, applied here once for every section:

* every value is escaped with :func:`esc` before it reaches the page (element text and attributes);
* figure JSON sits in ``<script type="application/json">`` blocks with ``<``, ``>``, ``&`` and the
  JavaScript line separators written as ``\\uXXXX`` escapes, so no text inside can close the script
  or open a comment (``</script>``, ``<!--``);
* a Content-Security-Policy allows exactly our scripts (plotly.js and its bootstrap, and on pages with an
  execution inspector the inspector and its one-line start, each by SHA-256), no inline event handlers
  and no network at all (``default-src 'none'``), so even a value that slipped through could neither run
  nor send anything anywhere. The inspector builds its elements with ``textContent`` only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
import plotly.graph_objects as go

from workbench.core.diagnostics import WorkbenchError
from workbench.viz.graph.svgtext import esc as _esc
from workbench.viz.inspect.assets import INSPECTOR_BOOT, INSPECTOR_CSS, INSPECTOR_JS, sha256_source
from workbench.viz.inspect.assets import script_json as _script_json

#: plotly options: no logo link, no "edit in Chart Studio", nothing that reaches a server.
PLOTLY_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True, "showLink": False,
                                 "showEditInChartStudio": False, "showSendToCloud": False,
                                 "toImageButtonOptions": {"format": "png", "scale": 2}}

BOOTSTRAP = """(function () {
  var config = JSON.parse(document.getElementById("wb-plotly-config").textContent);
  var divs = document.querySelectorAll("div.wb-figure");
  var drawn = 0;
  for (var i = 0; i < divs.length; i++) {
    var spec = JSON.parse(document.getElementById(divs[i].id + "-data").textContent);
    Plotly.newPlot(divs[i], spec.data, spec.layout, config);
    drawn += 1;
  }
  document.body.setAttribute("data-figures-drawn", String(drawn));
})();"""


def esc(value: object) -> str:
    """HTML-escape any value for element text or a double-quoted attribute.

    Example:
        >>> esc('"><img src=x onerror=alert(1)>')
        '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'
    """
    return _esc("" if value is None else value)


def script_json(text: str) -> str:
    """JSON text made safe inside a ``<script>`` element (the same value once parsed).

    Example:
        >>> script_json('{"a": "</script><!--"}')
        '{"a": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    return _script_json(text)


def _sha256(text: str) -> str:
    return sha256_source(text)


@lru_cache(maxsize=1)
def plotly_js() -> tuple[str, str]:
    """plotly.js as bundled with the plotly package (so it works offline) and its CSP hash."""
    from plotly.offline import get_plotlyjs

    js = get_plotlyjs()
    if "</script" in js.lower() or "<!--" in js:  # never seen; would end the script element early
        js = js.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT").replace("<!--", "<\\!--")
    return js, _sha256(js)


@dataclass
class Figures:
    """The plotly figures of one page, with ids numbered in page order (same input, same ids)."""

    prefix: str = "wb-fig"
    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, fig: go.Figure, *, height: int | None = None) -> str:
        """Register a figure; returns the ``<div>`` that shows it."""
        fid = f"{self.prefix}-{len(self.items) + 1}"
        spec = fig.to_plotly_json()
        payload = orjson.dumps({"data": spec.get("data", []), "layout": spec.get("layout", {})},
                               option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS).decode("utf-8")
        self.items.append((fid, payload))
        h = height or int(fig.layout.height or 420)
        return f'<div class="wb-figure" id="{fid}" style="min-height:{h}px"></div>'

    def scripts(self) -> str:
        return "\n".join(f'<script type="application/json" id="{fid}-data">{script_json(payload)}</script>'
                         for fid, payload in self.items)


@dataclass(frozen=True)
class Column:
    """A table column: header, how to format a cell, and whether it is numeric (right-aligned)."""

    header: str
    numeric: bool = False


def table(columns: Sequence[Column], rows: Iterable[Sequence[object]], *, empty: str = "nothing to show",
          cls: str = "") -> str:
    """An HTML table; every cell is escaped, numbers are right-aligned.

    Example:
        >>> html = table([Column("state"), Column("n", numeric=True)], [["<b>", 3]])
        >>> html[html.index("<tbody>"):]
        '<tbody><tr><td>&lt;b&gt;</td><td class="num">3</td></tr></tbody></table>'
    """
    body = []
    for row in rows:
        cells = "".join(f'<td class="num">{esc(v)}</td>' if c.numeric else f"<td>{esc(v)}</td>"
                        for c, v in zip(columns, row, strict=True))
        body.append(f"<tr>{cells}</tr>")
    if not body:
        return f'<p class="wb-empty">{esc(empty)}</p>'
    head = "".join(f'<th class="num">{esc(c.header)}</th>' if c.numeric else f"<th>{esc(c.header)}</th>"
                   for c in columns)
    extra = f" {cls}" if cls else ""
    return f'<table class="wb-table{extra}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def definition_list(items: Iterable[tuple[str, object]]) -> str:
    """``<dl>`` of label → value pairs (values escaped; None values skipped)."""
    parts = [f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items if v is not None and v != ""]
    return f'<dl class="wb-facts">{"".join(parts)}</dl>'


def pre(text: str) -> str:
    """Preformatted, escaped text (payloads, causes)."""
    return f'<pre class="wb-pre">{esc(text)}</pre>'


@dataclass(frozen=True)
class Section:
    """One part of the report: an anchor id, a title and its (already safe) HTML body."""

    id: str
    title: str
    body: str


CSS = """
:root { --fg:#16191f; --muted:#5f6b7a; --line:#e9ebed; --accent:#0972d3; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif; color:var(--fg);
       background:#fafafa; }
header.wb-head { background:#232f3e; color:#fff; padding:18px 28px; }
header.wb-head h1 { margin:0 0 4px; font-size:22px; font-weight:600; }
header.wb-head p { margin:0; color:#d1d5db; }
nav.wb-toc { padding:8px 28px; background:#fff; border-bottom:1px solid var(--line); position:sticky; top:0;
             z-index:10; font-size:13px; }
nav.wb-toc a { color:var(--accent); margin-right:14px; text-decoration:none; }
main { padding:8px 28px 40px; max-width:1500px; }
section.wb-section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:14px 18px;
                     margin:16px 0; }
section.wb-section h2 { margin:0 0 10px; font-size:17px; }
h3 { font-size:14px; margin:16px 0 6px; }
.wb-table { border-collapse:collapse; margin:6px 0 12px; font-size:13px; }
.wb-table th, .wb-table td { border-bottom:1px solid var(--line); padding:4px 10px; text-align:left;
                             vertical-align:top; }
.wb-table th { background:#f4f4f4; font-weight:600; }
.wb-table .num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.wb-facts { display:grid; grid-template-columns:max-content 1fr; gap:3px 16px; margin:0; }
.wb-facts dt { color:var(--muted); }
.wb-facts dd { margin:0; overflow-wrap:anywhere; }
.wb-pre { background:#f6f8fa; border:1px solid var(--line); border-radius:4px; padding:8px; max-height:320px;
          overflow:auto; white-space:pre-wrap; overflow-wrap:anywhere; font-size:12px; }
.wb-note { color:var(--muted); font-size:13px; }
.wb-empty { color:var(--muted); font-style:italic; }
.wb-graph { overflow:auto; max-width:100%; border:1px solid var(--line); border-radius:6px; padding:6px; }
.wb-figure { width:100%; }
.wb-example { border-top:1px solid var(--line); padding-top:8px; margin-top:8px; }
footer { color:var(--muted); font-size:12px; padding:0 28px 30px; }
"""


def csp(script_hashes: Sequence[str]) -> str:
    """The page's Content-Security-Policy: only our scripts, no network, no plugins, no forms."""
    scripts = " ".join(f"'{h}'" for h in script_hashes)
    return ("default-src 'none'; " f"script-src {scripts}; " "style-src 'unsafe-inline'; img-src data: blob:; "
            "font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'")


def page(title: str, subtitle: str, sections: Sequence[Section], figures: Figures, footer: str = "", *,
         inspector: bool = False) -> str:
    """The whole self-contained document: one copy of plotly.js, every figure, no external reference;
    with ``inspector``, one copy of the execution inspector's script and style too."""
    js, js_hash = plotly_js()
    hashes = [js_hash, _sha256(BOOTSTRAP)]
    if inspector:
        hashes += [_sha256(INSPECTOR_JS), _sha256(INSPECTOR_BOOT)]
    toc = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    body = "\n".join(f'<section class="wb-section" id="{esc(s.id)}"><h2>{esc(s.title)}</h2>\n{s.body}\n</section>'
                     for s in sections)
    config = script_json(orjson.dumps(PLOTLY_CONFIG).decode("utf-8"))
    if not title:
        raise WorkbenchError("a report needs a title")
    return "\n".join([
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp(hashes))}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        '<link rel="icon" href="data:,">',
        f"<title>{esc(title)}</title>",
        f"<style>{CSS}</style>",
        f"<style>{INSPECTOR_CSS}</style>" if inspector else "",
        "</head><body>",
        f'<header class="wb-head"><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>',
        f'<nav class="wb-toc">{toc}</nav>',
        f"<main>\n{body}\n</main>",
        f"<footer>{footer}</footer>" if footer else "",
        f'<script type="application/json" id="wb-plotly-config">{config}</script>',
        figures.scripts(),
        f"<script>{INSPECTOR_JS}</script>" if inspector else "",
        f"<script>{INSPECTOR_BOOT}</script>" if inspector else "",
        f"<script>{js}</script>",
        f"<script>{BOOTSTRAP}</script>",
        "</body></html>",
        "",
    ])
