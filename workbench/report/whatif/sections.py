"""Sections of the what-if report: summary, the edit on the graph, the executions, and their two paths.

Every value from an execution (errors, causes, outputs, divergence notes, invented calls) passes
through the report's :class:`~workbench.core.redact.Redactor`, and everything is escaped with
:func:`~workbench.report.page.html.esc`. Each execution's recorded and replayed paths sit in a block that
CSS shows only when it is the page's target (``:target``): a row's link opens it without any script.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

import plotly.graph_objects as go

from workbench.core.diagnostics import WorkbenchError
from workbench.core.money import fmt_usd
from workbench.core.redact import Redactor
from workbench.history.whatif.changes import MACHINE, StateChange
from workbench.history.whatif.table import OUTCOMES, WhatIf, WhatIfRow, ordered
from workbench.report.page.html import Column, Figures, Section, definition_list, esc, table
from workbench.viz.graph.svg import draw

#: Rows of the executions table and aligned steps of one path pair (the rest is counted, not shown).
MAX_ROWS = 5000
MAX_STEPS = 500
_COLOURS = {"recovered": "#1d8102", "newly_failed": "#d13212", "changed": "#ec7211", "unchanged_failed": "#8c4f4f",
            "unchanged_ok": "#879596", "not_replayed": "#7d3cb5"}
STYLE = """<style>
.wb-paths { display:none; border-top:1px solid var(--line); padding-top:8px; margin-top:8px; scroll-margin-top:48px; }
.wb-scroll { overflow:auto; max-width:100%; }
.wb-whatif td { white-space:nowrap; }
.wb-whatif td:last-child { white-space:normal; min-width:16em; }
.wb-paths:target { display:block; }
.wb-side { border-collapse:collapse; font-size:13px; margin:6px 0 12px; }
.wb-side th, .wb-side td { padding:2px 10px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
.wb-side th { background:#f4f4f4; }
.wb-side tr.wb-diverge td { background:#fff4e5; }
.wb-side td.wb-mark { color:#d13212; font-weight:700; }
.wb-side td.wb-none { color:var(--muted); font-style:italic; }
.wb-pair { display:grid; grid-template-columns:1fr 1fr; gap:12px; }
.wb-changed > rect, .wb-changed > polygon { stroke:#b0088a; stroke-width:4px; }
.wb-outcome { font-weight:600; }
</style>"""


def money(value: Any) -> str:
    return "–" if value is None else fmt_usd(float(value))


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def _pair(a: str, b: str) -> str:
    return a if a == b else f"{a} → {b}"


def summary(w: WhatIf, figures: Figures, redactor: Redactor) -> Section:
    """What was replayed against what, the outcome counts, and the duration and cost deltas."""
    s = w.summary
    facts = [("Mission", w.mission_name or "an ASL definition"),
             ("Executions", f"{s.executions:,} replayed" + (f" of {w.requested:,} (interrupted by Ctrl-C)"
                                                           if w.interrupted else "")),
             ("Unrecorded calls", f"{w.unrecorded} (calls with no recording get this; counted as invented)"),
             ("Invented outcomes", f"{s.invented:,} in {s.with_invented:,} executions"
              + (": their replays are partly guesses, not evidence" if s.invented else "")),
             ("Prices", w.prices)]
    counts = table([Column("outcome"), Column("executions", True)],
                   [[o.replace("_", " "), getattr(s, o)] for o in OUTCOMES if o != "not_replayed" or s.not_replayed])
    deltas = table([Column("figure"), Column("recorded", True), Column("replayed", True), Column("change", True)], [
        ["duration p50", ms(s.p50_ms_recorded), ms(s.p50_ms_replayed), _signed_ms(s.p50_ms_delta)],
        ["duration p95", ms(s.p95_ms_recorded), ms(s.p95_ms_replayed), _signed_ms(s.p95_ms_delta)],
        ["Standard per 1,000 executions", money(s.standard_per_1000_recorded), money(s.standard_per_1000_replayed),
         _signed_money(s.standard_per_1000_delta)],
        ["Express per 1,000 executions", money(s.express_per_1000_recorded), money(s.express_per_1000_replayed),
         _signed_money(s.express_per_1000_delta)]])
    fig = go.Figure(go.Bar(x=[o.replace("_", " ") for o in OUTCOMES], y=[getattr(s, o) for o in OUTCOMES],
                           marker_color=[_COLOURS[o] for o in OUTCOMES]))
    fig.update_layout(height=260, margin={"l": 40, "r": 10, "t": 10, "b": 40}, yaxis_title="executions")
    notes = "".join(f'<p class="wb-note">{esc(redactor.text(n))}</p>' for n in w.notes)
    body = [STYLE, definition_list(facts), counts, deltas, figures.add(fig, height=260), notes]
    return Section("summary", "Summary", "\n".join(body))


def _signed_ms(value: float | None) -> str:
    return "–" if value is None else f"{value:+,.0f} ms"


def _signed_money(value: Any) -> str:
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + fmt_usd(float(value))


def highlight(svg: str, changes: Sequence[StateChange]) -> str:
    """The graph's SVG with the changed and added states outlined (class ``wb-changed``, ``data-change``).

    Example:
        >>> svg = '<g class="node state-task" data-state="A" data-path="A" data-bbox="0 0 1 1">'
        >>> highlight(svg, [StateChange("A", "changed", ("Retry",))])
        '<g class="node state-task wb-changed" data-change="changed" data-state="A" data-path="A" data-bbox="0 0 1 1">'
    """
    for change in changes:
        if change.kind == "removed" or change.path == MACHINE:
            continue
        pattern = re.compile(r'<g class="node ([^"]*)" (data-state="[^"]*" data-path="' + re.escape(esc(change.path))
                             + '")')
        found = pattern.search(svg)
        if found is not None:
            marked = f'<g class="node {found.group(1)} wb-changed" data-change="{change.kind}" {found.group(2)}'
            svg = svg[:found.start()] + marked + svg[found.end():]
    return svg


def changes(w: WhatIf, redactor: Redactor) -> Section:
    """The edited state machine with the states the edit touched outlined, and the list of them."""
    if w.recorded_definition is None:
        intro = "The histories carry no definition, so which states the edit changed is not known."
    elif not w.changes:
        intro = "The edited definition is the recorded one: no state changed (a fidelity check of the replay)."
    else:
        intro = (f"{len(w.changes)} change(s) against the recorded definition; changed and added states are "
                 "outlined in magenta on the edited graph.")
    items = "".join(f"<li>{esc(redactor.text(c.describe()))}</li>" for c in w.changes)
    body = [f'<p class="wb-note">{esc(intro)}</p>', f'<ul class="wb-changes">{items}</ul>' if items else ""]
    if w.definition is not None:
        try:
            svg = highlight(draw(w.definition).svg, w.changes)
            body.append(f'<div class="wb-graph">{svg}</div>')
        except WorkbenchError as exc:
            body.append(f'<p class="wb-empty">{esc(f"The edited definition cannot be drawn: {exc}")}</p>')
    return Section("changes", "What the edit changed", "\n".join(body))


def executions(w: WhatIf, redactor: Redactor) -> Section:
    """One row per execution (the ones whose outcome moved first); each name opens its two paths."""
    heads = ["execution", "recorded", "replayed", "outcome", "transitions", "duration", "Standard", "Express",
             "invented", "error"]
    numeric = {"transitions", "duration", "Standard", "Express", "invented"}
    head = "".join(f'<th class="num">{esc(h)}</th>' if h in numeric else f"<th>{esc(h)}</th>" for h in heads)
    body = []
    rows = ordered(w.rows)
    for r in rows[:MAX_ROWS]:
        error = r.problem or r.replayed_error or r.recorded_error or ""
        cells = [f'<a href="#wb-paths-{r.index}">{esc(r.execution)}</a>', esc(r.recorded_status),
                 esc(r.replayed_status),
                 f'<span class="wb-outcome" style="color:{_COLOURS.get(r.outcome, "#16191f")}">'
                 f'{esc(r.outcome.replace("_", " "))}</span>']
        numbers = [_pair(str(r.transitions_recorded), "–" if r.transitions_replayed is None
                         else str(r.transitions_replayed)),
                   _pair(ms(r.duration_ms_recorded), ms(r.duration_ms_replayed)),
                   _pair(money(r.standard_usd_recorded), money(r.standard_usd_replayed)),
                   _pair(money(r.express_usd_recorded), money(r.express_usd_replayed)), str(r.invented)]
        cells += [esc(v) for v in numbers]
        cells.append(esc(redactor.text(error)))
        tds = "".join(f'<td class="num">{c}</td>' if h in numeric else f"<td>{c}</td>"
                      for h, c in zip(heads, cells, strict=True))
        body.append(f'<tr id="wb-row-{r.index}" data-outcome="{esc(r.outcome)}">{tds}</tr>')
    if not body:
        return Section("executions", "Executions", '<p class="wb-empty">no execution was replayed</p>')
    more = (f'<p class="wb-note">{MAX_ROWS:,} of {len(rows):,} executions shown (outcomes that moved first).</p>'
            if len(rows) > MAX_ROWS else "")
    intro = ('<p class="wb-note">Outcomes that moved first (recovered, newly failed, changed), then unchanged. '
             "Click an execution for its recorded and replayed paths side by side.</p>")
    html = (f'{intro}<div class="wb-scroll"><table class="wb-table wb-whatif"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>{more}')
    return Section("executions", "Executions", html)


def aligned(recorded: Sequence[str], replayed: Sequence[str]) -> list[tuple[str | None, str | None, bool]]:
    """The two paths step by step: (recorded step, replayed step, divergent?), gaps as None.

    Example:
        >>> aligned(["A", "B", "C"], ["A", "B", "B", "C"])
        [('A', 'A', False), ('B', 'B', False), (None, 'B', True), ('C', 'C', False)]
    """
    out: list[tuple[str | None, str | None, bool]] = []
    matcher = SequenceMatcher(None, list(recorded), list(replayed), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend((recorded[i1 + k], replayed[j1 + k], False) for k in range(i2 - i1))
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            out.append((recorded[i1 + k] if i1 + k < i2 else None, replayed[j1 + k] if j1 + k < j2 else None, True))
    return out


def _side_by_side(r: WhatIfRow) -> str:
    steps = aligned(r.recorded_path, r.replayed_path)
    rows = []
    for n, (a, b, diverge) in enumerate(steps[:MAX_STEPS], start=1):
        cells = [f'<td class="num">{n}</td>', f'<td class="wb-mark">{"≠" if diverge else ""}</td>']
        cells += ['<td class="wb-none">–</td>' if v is None else f"<td>{esc(v)}</td>" for v in (a, b)]
        attrs = ' class="wb-diverge" data-diverge="1"' if diverge else ""
        rows.append(f"<tr{attrs}>{''.join(cells)}</tr>")
    more = (f'<p class="wb-note">{MAX_STEPS:,} of {len(steps):,} steps shown.</p>' if len(steps) > MAX_STEPS else "")
    head = "<tr><th>#</th><th></th><th>recorded path</th><th>replayed path</th></tr>"
    return f'<table class="wb-side"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>{more}'


def _output(value: Any, redactor: Redactor) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return redactor.payload(text)


def _end(r: WhatIfRow, which: str, redactor: Redactor) -> str:
    status = r.recorded_status if which == "recorded" else r.replayed_status
    error, cause = getattr(r, f"{which}_error"), getattr(r, f"{which}_cause")
    output = _output(getattr(r, f"{which}_output"), redactor)
    facts = definition_list([("status", status), ("error", redactor.text(error) if error else None),
                             ("cause", redactor.text(cause) if cause else None)])
    out = f'<pre class="wb-pre">{esc(output)}</pre>' if output else ""
    return f'<div data-side="{which}"><h3>{esc(which.capitalize())}</h3>{facts}{out}</div>'


def _lines(title: str, items: Sequence[str], redactor: Redactor) -> str:
    if not items:
        return ""
    return f"<h3>{esc(title)}</h3><ul>" + "".join(f"<li>{esc(redactor.text(i))}</li>" for i in items) + "</ul>"


def paths(w: WhatIf, redactor: Redactor) -> Section:
    """Per execution, hidden until its link is followed: both paths aligned, divergent steps marked (≠)."""
    blocks = [('<p class="wb-note">Follow an execution\'s link in the table to show its recorded and replayed '
               "paths here, side by side; ≠ marks the steps where they part.</p>")]
    for r in ordered(w.rows)[:MAX_ROWS]:
        parts = [f'<h3>{esc(r.execution)}: {esc(r.outcome.replace("_", " "))}</h3>',
                 f'<p><a href="#wb-row-{r.index}">back to the table</a></p>']
        if r.problem:
            parts.append(f'<p class="wb-note">{esc(redactor.text(r.problem))}</p>')
        else:
            parts.append(_side_by_side(r))
            parts.append(f'<div class="wb-pair">{_end(r, "recorded", redactor)}{_end(r, "replayed", redactor)}</div>')
            parts.append(_lines("Divergences", r.divergences, redactor))
            parts.append(_lines(f"Invented outcomes ({r.invented})", r.invented_calls, redactor))
            parts.append(_lines("Notes", r.notes, redactor))
        blocks.append(f'<div class="wb-paths" id="wb-paths-{r.index}" data-execution="{esc(r.execution)}">'
                      + "".join(parts) + "</div>")
    return Section("paths", "Paths", "\n".join(blocks))
