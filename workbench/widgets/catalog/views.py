"""The Catalog widget's HTML: the template list, one template's parameters, a plan's selection and estimate.

Everything shown passes through :func:`html.escape`: a plan is untrusted text (a goal like
``<img src=x onerror=...>`` is shown as those characters), and so are template files and parameter values.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

from workbench.core.diagnostics import Diagnostic
from workbench.history.analysis.estimate import fmt_seconds
from workbench.mission.catalog import Catalog, Plan, Selection
from workbench.mission.template import MissionTemplate
from workbench.widgets.launcher.status import ERROR_COLOUR, NEUTRAL

OK_COLOUR = "#1d7d2d"
WARN_COLOUR = "#8a5a00"
SELECTED_ROW = "background:#e6f4ea"
CELL = "padding:2px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #ddd"
PRE = "white-space:pre-wrap;margin:2px 0;font-family:var(--jp-code-font-family,monospace);font-size:12px"

_SKIP_KEYS = frozenset({"type", "default", "description"})


def esc(value: Any) -> str:
    """Any value as escaped text (strings as they are, the rest as compact JSON).

    Example:
        >>> esc("<b>"), esc(["a", 1])
        ('&lt;b&gt;', '[&quot;a&quot;, 1]')
    """
    return html.escape(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def _table(head: Sequence[str], rows: Iterable[tuple[Sequence[str], str]], cls: str) -> str:
    """Rows are (already escaped cells, row style)."""
    th = "".join(f"<th style='{CELL}'>{html.escape(h)}</th>" for h in head)
    body = "".join(f"<tr style='{style}'>" + "".join(f"<td style='{CELL}'>{c}</td>" for c in cells) + "</tr>"
                   for cells, style in rows)
    return f"<table class='{cls}' style='border-collapse:collapse;font-size:13px'><tr>{th}</tr>{body}</table>"


def constraints_text(schema: dict[str, Any]) -> str:
    """A parameter's constraints in one line: every JSON Schema keyword but type, default and description.

    Example:
        >>> constraints_text({"type": "integer", "minimum": 1, "maximum": 20, "default": 5})
        'minimum 1 · maximum 20'
    """
    return " · ".join(f"{key} {json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value}"
                      for key, value in schema.items() if key not in _SKIP_KEYS)


def templates_html(catalog: Catalog, selected: str | None = None) -> str:
    """The catalog as a table: name, version, kinds, tags, description; the plan's template highlighted.

    Example:
        >>> from workbench.mission.catalog import load_catalog
        >>> "incident_triage" in templates_html(load_catalog("missions/catalog"))
        True
    """
    if not catalog.templates:
        return "<i>No template in this catalog.</i>"
    rows = [([f"<b>{esc(t.name)}</b>", esc(t.version), esc(", ".join(t.catalog.kinds)),
              esc(", ".join(t.catalog.tags)), esc(t.description or "")],
             SELECTED_ROW if t.label == selected else "") for t in catalog.templates]
    return _table(["template", "version", "kinds", "tags", "description"], rows, "wb-catalog-templates")


def template_html(template: MissionTemplate) -> str:
    """One template: where it lives, its description and its parameters (type, default, constraints, why).

    Example:
        >>> from workbench.mission.template import load_template
        >>> "probe_concurrency" in template_html(load_template("missions/catalog/incident_triage.yaml"))
        True
    """
    rows = [([f"<code>{esc(name)}</code>", esc(spec.type),
              esc(spec.default) if spec.has_default else "<i>required</i>",
              esc(constraints_text(spec.schema_())), esc(spec.description or "")], "")
            for name, spec in template.parameters.items()]
    params = (_table(["parameter", "type", "default", "constraints", "description"], rows, "wb-catalog-parameters")
              if rows else "<i>No parameters.</i>")
    warnings = "".join(f"<div style='color:{WARN_COLOUR}'>{esc(d.render())}</div>" for d in template.warnings)
    return (f"<div><b>{esc(template.label)}</b> · <code>{esc(template.file or '')}</code></div>"
            f"<div style='margin:2px 0 6px'>{esc(template.description or '')}</div>{params}{warnings}")


def explanation_html(selection: Selection | None) -> str:
    """``select --explain``: the headline in the outcome's colour, then why, and each rejected template.

    Example:
        >>> explanation_html(None)
        '<i>No selection: the plan does not read (see Problems).</i>'
    """
    if selection is None:
        return "<i>No selection: the plan does not read (see Problems).</i>"
    lines = selection.explain()
    colour = {"selected": OK_COLOUR, "ambiguous": ERROR_COLOUR}.get(selection.outcome, WARN_COLOUR)
    head = (f"<div class='wb-selection' data-outcome='{selection.outcome}' "
            f"style='color:{colour};font-weight:600'>{esc(lines[0])}</div>")
    return head + f"<div style='{PRE}'>{esc(chr(10).join(lines[1:]))}</div>"


def problems_html(diagnostics: Sequence[Diagnostic]) -> str:
    """One rendered line per diagnostic (errors red, warnings amber), or a green "no problems".

    Example:
        >>> from workbench.core.diagnostics import Diagnostic, Severity
        >>> problems_html([Diagnostic(code="X1", severity=Severity.ERROR, message="a <b>")]).count("&lt;b&gt;")
        1
    """
    if not diagnostics:
        return f"<span style='color:{OK_COLOUR}'>No problems.</span>"
    return "".join(f"<div class='wb-problem' style='color:{ERROR_COLOUR if d.is_error else WARN_COLOUR}'>"
                   f"{esc(d.render())}</div>" for d in diagnostics)


def plan_html(plan: Plan | None) -> str:
    """The plan in a line or two: kind, goal and constraints, as text.

    Example:
        >>> plan_html(Plan(kind="backfill", goal="<img src=x>"))
        '<div><b>kind</b> backfill · <b>goal</b> &lt;img src=x&gt;</div>'
    """
    if plan is None:
        return ""
    limits = []
    if plan.constraints.deadline is not None:
        limits.append(f"deadline {fmt_seconds(plan.constraints.deadline)}")
    if plan.constraints.budget_usd is not None:
        limits.append(f"budget ${plan.constraints.budget_usd:g}")
    extra = f" · <b>constraints</b> {esc(', '.join(limits))}" if limits else ""
    return f"<div><b>kind</b> {esc(plan.kind)} · <b>goal</b> {esc(plan.goal)}{extra}</div>"


def bound_html(name: str | None, template: str | None, generated: bool, parameters: dict[str, Any] | None) -> str:
    """What will be deployed: the state machine name, from which template (or generated), with which values.

    Example:
        >>> bound_html("t-v1-0a1b2c3d", "t 1", False, {"n": 2}).count("t-v1-0a1b2c3d")
        1
    """
    if name is None:
        return "<i>Nothing to deploy.</i>"
    origin = "generated from the plan's steps (no template)" if generated else f"template {esc(template or '')}"
    values = (f"<div style='{PRE}'>{esc(json.dumps(parameters, indent=1, ensure_ascii=False))}</div>"
              if parameters else "")
    return (f"<div>state machine <code class='wb-state-machine'>{esc(name)}</code> · {origin}</div>{values}")


def asl_html(text: str | None) -> str:
    """The bound ASL in an escaped ``<pre>``.

    Example:
        >>> asl_html('{"Comment": "<x>"}').split(">", 1)[1]
        '{&quot;Comment&quot;: &quot;&lt;x&gt;&quot;}</pre>'
    """
    if text is None:
        return "<i>No ASL: nothing selected, or the bound Mission has errors.</i>"
    return f"<pre class='wb-asl' style='max-height:480px;overflow:auto'>{html.escape(text)}</pre>"


def estimate_html(lines: Sequence[str], warnings: Sequence[str], source: str) -> str:
    """The estimate: the figures, then each warning highlighted (amber, with a warning sign).

    Example:
        >>> estimate_html(["t: 3 runs", "rough"], ["rough"], "the store").count("wb-estimate-warning")
        1
    """
    out = [f"<div style='color:{NEUTRAL}'>from {esc(source)}</div>"]
    for line in lines:
        if line in warnings:
            out.append(f"<div class='wb-estimate-warning' style='color:{WARN_COLOUR};font-weight:600'>"
                       f"⚠ {esc(line)}</div>")
        else:
            out.append(f"<div class='wb-estimate'>{esc(line)}</div>")
    return "".join(out)


def note_html(text: str, colour: str = NEUTRAL) -> str:
    """A one-line note (status, reason), escaped.

    Example:
        >>> note_html("a < b")
        "<span style='color:#57606a'>a &lt; b</span>"
    """
    return f"<span style='color:{colour}'>{html.escape(text)}</span>"
