"""The Director's plan: what kind of Mission it wants, why, with which parameters, input and limits.

A plan either names a template (``template``), or lets the catalog choose by ``kind`` and ``tags``; it may
carry ``steps`` (and ``tools``) so a Mission can be generated when no template fits. ``workbench schema --plan``
prints the JSON Schema of this model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.core.diagnostics import Diagnostic, DiagnosticError, MissionLoadError
from workbench.mission.durations import PositiveDuration
from workbench.mission.positions import PositionedDocument, error, parse_document, read_document, render_path
from workbench.mission.steps import QueryLanguage

PLAN_SCHEMA_ID = "https://mission-workbench.dev/schema/plan.json"


class PlanError(DiagnosticError):
    """A plan that does not fit the plan schema; each diagnostic names the field and line.

    Example:
        >>> try:
        ...     loads_plan('{"kind": "backfill", "goal": "x", "tags": "warehouse"}', "plan.json")
        ... except PlanError as exc:
        ...     print(exc.diagnostics[0].message)
        tags: Input should be a valid list
    """


class Constraints(BaseModel):
    """Limits the Director sets on a run. Example (JSON): ``{"deadline": "15m", "budget_usd": 0.05}``"""

    model_config = ConfigDict(extra="forbid")

    deadline: PositiveDuration | None = Field(
        default=None, description="Longest acceptable run, from start to end (e.g. \"15m\", or seconds).")
    budget_usd: float | None = Field(default=None, ge=0, allow_inf_nan=False,
                                     description="Most a run may cost (Step Functions + Lambda).")


class Plan(BaseModel):
    """A Director plan. Only ``kind`` and ``goal`` are required.

    Example:
        >>> plan = Plan.model_validate({"kind": "backfill", "goal": "Backfill March", "parameters": {"batch_size": 7}})
        >>> plan.kind, plan.template, plan.constraints.deadline
        ('backfill', None, None)
    """

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$",
                      description="The kind of Mission wanted (templates list the kinds they serve).")
    goal: str = Field(min_length=1, max_length=2000, description="What the run is for, in words.")
    template: str | None = Field(default=None, min_length=1, pattern=r"^[A-Za-z0-9_-]+(@[A-Za-z0-9_.-]+)?$",
                                 description="Use this template (`NAME` or `NAME@VERSION`) instead of choosing.")
    tags: list[str] = Field(default_factory=list, description="Tags the chosen template must have.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="Values for the template's parameters.")
    input: Any = Field(default=None, description="The execution input (`deploy --start`).")
    constraints: Constraints = Field(default_factory=Constraints)
    query_language: QueryLanguage | None = Field(default=None, description="For a generated Mission.")
    tools: dict[str, Any] | None = Field(default=None, description="For a generated Mission: its tools.")
    steps: list[Any] | None = Field(default=None, description="For a generated Mission (`select --generate`).")

    _source: PositionedDocument | None = None

    @property
    def template_name(self) -> tuple[str, str | None] | None:
        """``(name, version or None)`` when the plan names a template."""
        if self.template is None:
            return None
        name, _, version = self.template.partition("@")
        return name, version or None


def plan_schema() -> dict[str, Any]:
    """The plan's JSON Schema (draft 2020-12), what ``workbench schema --plan`` prints.

    Example:
        >>> sorted(plan_schema()["required"])
        ['goal', 'kind']
    """
    schema = Plan.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": PLAN_SCHEMA_ID, **schema}


def plan_schema_json() -> str:
    """:func:`plan_schema` as stable, indented JSON text."""
    return json.dumps(plan_schema(), indent=2, sort_keys=True) + "\n"


def loads_plan(text: str, file: str | None = None) -> Plan:
    """Read a plan from JSON (or YAML) text; :class:`PlanError` names each field that does not fit.

    Example:
        >>> try:
        ...     loads_plan('{"kind": "backfill", "goal": "x", "constraints": {"budget_usd": -1}}', "p.json")
        ... except PlanError as exc:
        ...     print(exc.diagnostics[0].line, exc.diagnostics[0].message)
        1 constraints.budget_usd: Input should be greater than or equal to 0
    """
    try:
        doc = parse_document(text, file)
    except MissionLoadError as exc:
        raise PlanError(exc.diagnostics) from None
    return plan_from_document(doc)


def load_plan(path: str | Path) -> Plan:
    """Read a plan file.

    Example:
        >>> load_plan("missions/plans/triage_payments.plan.json").kind
        'incident_triage'
    """
    return plan_from_document(read_document(path, PlanError, "PLAN001", "the plan"))


def plan_from_document(doc: PositionedDocument) -> Plan:
    """Validate a parsed plan document, keeping it so a generated Mission's errors name plan lines."""
    if not isinstance(doc.data, dict):
        raise PlanError([error("PLAN002", "a plan is a JSON object with at least `kind` and `goal`", doc.file,
                               (1, 1), hint="see `workbench schema --plan`")])
    try:
        plan = Plan.model_validate(doc.data)
    except ValidationError as exc:
        raise PlanError([_diagnostic(err, doc) for err in exc.errors()]) from None
    plan._source = doc
    return plan


def _diagnostic(err: Any, doc: PositionedDocument) -> Diagnostic:  # Any: a pydantic error dict
    path = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "not a field of a plan"
    return error("PLAN002", f"{render_path(path)}: {message}", doc.file, doc.position(path) or (1, 1),
                 hint="see `workbench schema --plan`")
