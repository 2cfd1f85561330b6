"""The report's graph section: the execution inspector (graph, state inspector, events, table of visits).

One execution: its graph coloured by what it did becomes the inspector. Many executions: the failure
heat graph stays as the overview, and the execution the timeline features (the slowest that did not
succeed, else the slowest) gets the inspector below it, so the page stays one inspector in size.
Every value in an inspector passes through the report's redactor (secret keys, local paths hidden) and
is cut at ``max_payload_bytes``; the first :data:`MAX_EVENTS` events of the execution are included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.core.diagnostics import WorkbenchError
from workbench.core.redact import Redactor
from workbench.report.page.html import Section, esc
from workbench.report.run.context import Context
from workbench.report.run.overview import featured_execution
from workbench.viz.graph.overlay_from_history import heat_for_executions, overlay_for_execution
from workbench.viz.graph.svg import draw
from workbench.viz.inspect import inspection, inspector_html

#: Events of one execution an inspector carries (a history holds at most 25,000).
MAX_EVENTS = 5000

_SINGLE = ("Click a state to read each visit's input, output, error and cause, and every retry attempt with "
           "its back-off; Events lists the raw history (filter by state, type or text), Table one row per "
           "visit. Colours: green succeeded, gold succeeded after retrying, red failed, orange caught, slate "
           "aborted (stopped from outside), blue running, purple incomplete history, grey not reached. "
           "Scroll to zoom, drag to pan.")


def _no_graph(reason: str) -> Section:
    return Section("graph", "Graph", f'<p class="wb-empty">{esc(reason)}</p>')


def graph(ctx: Context) -> Section:
    """The state machine as an inspector for one execution; a heat map plus one inspector for many."""
    definition = ctx.data.definition
    if definition is None:
        return _no_graph("The definition is unknown: pass definition= or a mission to draw the state machine.")
    try:
        if ctx.n_executions == 1:
            arn = str(ctx.data.executions["execution"].iloc[0])
            return Section("graph", "Graph", _inspector(ctx, arn, definition, _SINGLE))
        heat = draw(definition, heat_for_executions(ctx.frames, origins=ctx.origins)).svg
    except WorkbenchError as exc:
        return _no_graph(f"The definition cannot be drawn: {exc}")
    intro = (f"Heat over {ctx.n_executions:,} executions: the redder a state, the more often it failed "
             "(✕ failures, ↻ retries).")
    body = [f'<p class="wb-note">{esc(intro)}</p><div class="wb-graph">{heat}</div>']
    arn, why = featured_execution(ctx)
    if ctx.data.history(arn) is not None:
        body.append(f"<h3>Inspect {esc(ctx.short(arn))} ({esc(why)})</h3>")
        body.append(_inspector(ctx, arn, definition, _SINGLE))
    return Section("graph", "Graph", "\n".join(body))


def _inspector(ctx: Context, arn: str, definition: Mapping[str, Any], intro: str) -> str:
    """One inspector (or the plain coloured graph when the run's events are not at hand, e.g. frames given)."""
    svg = draw(definition, overlay_for_execution(ctx.frames, arn, definition=definition)).svg
    history = ctx.data.history(arn)
    if history is None:
        note = ("Colours show what this execution did: green succeeded, gold succeeded after retrying, red failed, "
                "orange caught, slate aborted (stopped from outside), blue running, purple incomplete history, "
                "grey not reached. (Pass the histories, not frames, to inspect states.)")
        return f'<p class="wb-note">{esc(note)}</p><div class="wb-graph">{svg}</div>'
    r = ctx.redactor
    payload = inspection(history, definition, redact=Redactor(tuple(r.keys), 1 << 30, r.hide_paths),
                         max_value_bytes=ctx.options.max_payload_bytes, max_events=MAX_EVENTS)
    ctx.inspectors += 1
    return (f'<p class="wb-note">{esc(intro)}</p>'
            + inspector_html(svg, payload, element_id=f"wb-inspect-{ctx.inspectors}"))
