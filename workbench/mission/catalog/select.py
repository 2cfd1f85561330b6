"""Choose a template for a plan: by explicit name, then kind and tags, then which templates its parameters fit.

Every template that is not chosen is listed with why. Two different templates that both fit are an ambiguity,
reported with both, never settled silently; older versions of the chosen template lose to the newest that fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.core.diagnostics import Diagnostic, MissionLoadError
from workbench.mission.catalog.catalog import Catalog, version_key
from workbench.mission.catalog.plan import Plan
from workbench.mission.loader import mission_from_document
from workbench.mission.model import Mission
from workbench.mission.positions import PositionedDocument, error
from workbench.mission.template import MissionTemplate

Outcome = Literal["selected", "ambiguous", "none"]


@dataclass
class Rejected:
    """A template the plan did not select, and why (one reason per line)."""

    template: MissionTemplate
    reasons: list[str]


@dataclass
class Selection:
    """What :func:`select` decided. ``outcome`` is ``selected``, ``ambiguous`` (see ``candidates``) or ``none``.

    Example:
        >>> from workbench.mission.catalog import load_catalog, load_plan, select
        >>> s = select(load_plan("missions/plans/backfill_orders.plan.json"), load_catalog("missions/catalog"))
        >>> s.outcome, s.template.label
        ('selected', 'data_backfill 2.0')
    """

    plan: Plan
    template: MissionTemplate | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    candidates: list[MissionTemplate] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        if self.template is not None:
            return "selected"
        return "ambiguous" if len(self.candidates) > 1 else "none"

    def headline(self) -> str:
        """One line: the choice, the ambiguity, or that nothing fits."""
        if self.template is not None:
            return f"selected {self.template.label} ({self.template.file})"
        if self.outcome == "ambiguous":
            listed = ", ".join(t.label for t in self.candidates)
            return (f"ambiguous: {len(self.candidates)} templates fit plan kind '{self.plan.kind}': {listed}; "
                    "name one in the plan (\"template\": NAME) or add tags that tell them apart")
        return f"no template fits plan kind '{self.plan.kind}'" + (
            "; --generate builds a Mission from the plan's steps" if self.plan.steps else "")

    def explain(self) -> list[str]:
        """The headline, why, and every rejected template with its reasons (what ``select --explain`` prints)."""
        lines = [self.headline()]
        lines += [f"  because {reason}" for reason in self.why]
        if self.rejected:
            lines.append("rejected:")
            for item in self.rejected:
                lines.append(f"  {item.template.label}: {item.reasons[0]}")
                lines += [f"    {reason}" for reason in item.reasons[1:]]
        return lines

    def to_json(self) -> dict[str, Any]:
        """The decision as JSON-ready data (``select --format json``)."""
        return {
            "outcome": self.outcome, "plan": {"kind": self.plan.kind, "goal": self.plan.goal},
            "template": None if self.template is None else {
                "name": self.template.name, "version": self.template.version, "file": self.template.file},
            "parameters": self.parameters if self.template else None,
            "why": self.why, "candidates": [t.label for t in self.candidates],
            "rejected": [{"template": r.template.label, "reasons": r.reasons} for r in self.rejected],
        }


def select(plan: Plan, catalog: Catalog) -> Selection:
    """Choose the template for ``plan`` from ``catalog`` and say why; never guesses between two templates.

    Example:
        >>> from workbench.mission.catalog import load_catalog, load_plan
        >>> s = select(load_plan("missions/plans/triage_payments.plan.json"), load_catalog("missions/catalog"))
        >>> s.explain()[0]
        'selected incident_triage 2.0 (missions/catalog/incident_triage.yaml)'
    """
    selection = Selection(plan=plan)
    remaining: list[MissionTemplate] = []
    named = plan.template_name
    for template in catalog.templates:
        reasons = _mismatch(plan, template, named)
        if reasons:
            selection.rejected.append(Rejected(template, reasons))
        else:
            remaining.append(template)
    fitting: list[tuple[MissionTemplate, dict[str, Any]]] = []
    for template in remaining:
        values, problems = template.check(plan.parameters)
        if problems:
            selection.rejected.append(Rejected(template, ["its parameters do not fit the plan's", *problems]))
        else:
            fitting.append((template, values))
    newest: dict[str, tuple[MissionTemplate, dict[str, Any]]] = {}
    for template, values in fitting:
        best = newest.get(template.name)
        if best is None or version_key(template.version) > version_key(best[0].version):
            if best is not None:
                selection.rejected.append(Rejected(best[0], [f"a newer version ({template.version}) fits too"]))
            newest[template.name] = (template, values)
        else:
            selection.rejected.append(Rejected(template, [f"a newer version ({best[0].version}) fits too"]))
    if len(newest) == 1:
        template, values = next(iter(newest.values()))
        selection.template, selection.parameters = template, values
        selection.why = _why(plan, template, named)
    else:
        selection.candidates = [t for t, _ in newest.values()]
    if named and not any(t.name == named[0] for t in catalog.templates):
        have = ", ".join(sorted({t.name for t in catalog.templates})) or "none"
        selection.why = [f"the plan names template '{plan.template}', which is not in {catalog.directory} "
                         f"(templates: {have})"]
    return selection


def _mismatch(plan: Plan, template: MissionTemplate, named: tuple[str, str | None] | None) -> list[str]:
    if named is not None:
        name, version = named
        if template.name != name:
            return [f"the plan names template '{plan.template}'"]
        if version is not None and template.version != version:
            return [f"the plan asks for version {version}"]
        return []
    if plan.kind not in template.catalog.kinds:
        return [f"serves kinds {', '.join(template.catalog.kinds)}, not '{plan.kind}'"]
    missing = [tag for tag in plan.tags if tag not in template.catalog.tags]
    if missing:
        return [f"lacks the plan's tags {', '.join(missing)} (has {', '.join(template.catalog.tags) or 'none'})"]
    return []


def _why(plan: Plan, template: MissionTemplate, named: tuple[str, str | None] | None) -> list[str]:
    why = [f"the plan names it ('{plan.template}')"] if named else [f"it serves kind '{plan.kind}'"]
    if named and plan.kind not in template.catalog.kinds:
        why.append(f"note: it lists kinds {', '.join(template.catalog.kinds)}, not the plan's '{plan.kind}'")
    if plan.tags:
        why.append(f"it has the plan's tags {', '.join(plan.tags)}")
    given = ", ".join(sorted(plan.parameters)) or "none"
    defaulted = sorted(set(template.parameters) - set(plan.parameters))
    why.append(f"the plan's parameters ({given}) fit its schema"
               + (f"; defaults for {', '.join(defaulted)}" if defaulted else ""))
    return why


def generate_mission(plan: Plan) -> Mission:
    """The Mission a plan describes by its own ``steps`` (and ``tools``): the generated path, no template.

    Errors are :class:`MissionLoadError` whose diagnostics name the plan file's lines.

    Example:
        >>> from workbench.mission.catalog import load_plan
        >>> generate_mission(load_plan("missions/plans/weekly_digest.plan.json")).name
        'weekly_digest'
    """
    if not plan.steps:
        raise MissionLoadError([_no_steps(plan)])
    data: dict[str, Any] = {"mission": plan.kind.replace(".", "_"), "description": plan.goal, "steps": plan.steps}
    if plan.tools is not None:
        data["tools"] = plan.tools
    if plan.query_language is not None:
        data["query_language"] = plan.query_language
    source = plan._source
    positions = source.positions if source is not None else {}
    return mission_from_document(PositionedDocument(data, positions, source.file if source else None))


def _no_steps(plan: Plan) -> Diagnostic:
    file = plan._source.file if plan._source is not None else None
    return error("PLAN003", "the plan has no `steps`, so no Mission can be generated from it", file, (1, 1),
                 hint="add `steps` (and `tools`) in the Mission format, or name a template")
