"""A Mission template: a Mission file with ``parameters:`` and a ``catalog:`` block (the plan kinds it serves).

Example template (YAML)::

    mission: incident_triage
    version: "2.0"
    catalog: {kinds: [incident_triage], tags: [oncall]}
    parameters:
      probe_concurrency: {type: integer, minimum: 1, maximum: 20, default: 5}
    steps:
      - id: probe_hosts
        map: {items: '{% $alert.hosts %}', max_concurrency: '{{ probe_concurrency }}', steps: [...]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from workbench.core.diagnostics import Diagnostic, DiagnosticError, MissionLoadError
from workbench.mission.loader import mission_from_document
from workbench.mission.model import Mission
from workbench.mission.positions import PositionedDocument, error
from workbench.mission.template.bind import BindProblem, drop_disabled, state_machine_name, substitute
from workbench.mission.template.parameters import ParameterSpec, parameters_hash, resolve
from workbench.mission.template.slots import Slot

Naming = Literal["parameters", "version"]
TEMPLATE_KEYS = ("parameters", "catalog")


class TemplateError(DiagnosticError):
    """A template that cannot be used, or parameters that do not fit it; each diagnostic names the place.

    Example:
        >>> from workbench.mission.template import load_template
        >>> try:
        ...     load_template("missions/catalog/data_backfill.yaml").bind({"batch_size": 0})
        ... except TemplateError as exc:
        ...     print(exc.diagnostics[0].code, exc.diagnostics[0].message)
        TPL010 parameter 'batch_size': 0 is less than the minimum of 1 (constraint minimum)
    """


class CatalogInfo(BaseModel):
    """Which Director plans a template serves: plan ``kind`` values, and tags a plan may ask for.

    Example (YAML): ``catalog: {kinds: [incident_triage], tags: [oncall, service]}``
    """

    model_config = ConfigDict(extra="forbid")

    kinds: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=80)]] = Field(
        min_length=1, description="Plan kinds this template serves (spelled as a plan's `kind`).")
    tags: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, description="Tags a plan may require (all must be here).")


@dataclass
class BoundMission:
    """A template with parameters bound: the Mission to compile and deploy, and how it was made.

    ``mission.name`` is the state machine name (see :func:`state_machine_name`).
    """

    template: MissionTemplate
    parameters: dict[str, Any]
    parameters_hash: str
    mission: Mission

    @property
    def state_machine_name(self) -> str:
        return self.mission.name


@dataclass
class MissionTemplate:
    """A loaded template. :meth:`bind` turns parameter values into a Mission.

    Example:
        >>> from workbench.mission.template import load_template
        >>> t = load_template("missions/catalog/incident_triage.yaml")
        >>> bound = t.bind({"service": "payments-api"})
        >>> bound.mission.name.startswith("incident_triage-v2_0-")
        True
    """

    name: str
    version: str
    description: str | None
    catalog: CatalogInfo
    parameters: dict[str, ParameterSpec]
    document: PositionedDocument  # the Mission part, placeholders still in it
    slots: list[Slot] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def file(self) -> str | None:
        return self.document.file

    @property
    def label(self) -> str:
        """``name version``, how lists and explanations name a template."""
        return f"{self.name} {self.version}"

    def parameters_schema(self) -> dict[str, Any]:
        """The parameters as one JSON Schema object (what a plan's ``parameters`` must satisfy)."""
        required = [n for n, s in self.parameters.items() if not s.has_default]
        return {"type": "object", "additionalProperties": False,
                "properties": {n: s.schema_() for n, s in self.parameters.items()}, "required": required}

    def check(self, values: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
        """Defaults applied, and every problem with the values (each names the parameter and constraint)."""
        return resolve(self.parameters, values)

    def bind(self, values: dict[str, Any] | None = None, *, naming: Naming = "parameters") -> BoundMission:
        """Validate ``values`` (defaults fill the rest), fill the slots, and validate the result as a Mission.

        ``naming="parameters"`` names the state machine ``TEMPLATE-vVERSION-HASH`` (one machine per parameter
        set, the default); ``"version"`` names it ``TEMPLATE-vVERSION`` (a new published version per change).
        Raises :class:`TemplateError` naming the parameter and constraint, or the template line.

        Example:
            >>> from workbench.mission.template import load_template
            >>> t = load_template("missions/catalog/incident_triage.yaml")
            >>> try:
            ...     t.bind({"probe_concurrency": 50})
            ... except TemplateError as exc:
            ...     print(exc.diagnostics[0].message)
            parameter 'probe_concurrency': 50 is greater than the maximum of 20 (constraint maximum)
        """
        resolved, problems = resolve(self.parameters, values)
        if problems:
            raise TemplateError([self._at(("parameters", _first_name(p)), "TPL010", p,
                                          "give a value that fits the parameter's schema "
                                          f"(`workbench catalog show {self.file or self.name}`)") for p in problems])
        digest = parameters_hash(resolved)
        name = state_machine_name(self.name, self.version, digest if naming == "parameters" else None)
        try:
            data = substitute(self.document.data, self.slots, resolved)
            positions = drop_disabled(data, self.document.positions)
        except BindProblem as exc:
            raise TemplateError([self._at(exc.path, "TPL011", str(exc), None)]) from None
        data["mission"] = name
        try:
            mission = mission_from_document(PositionedDocument(data, positions, self.file))
        except MissionLoadError as exc:
            raise TemplateError([d.model_copy(update={"message": f"after binding: {d.message}"})
                                 for d in exc.diagnostics]) from None
        return BoundMission(template=self, parameters=resolved, parameters_hash=digest, mission=mission)

    def _at(self, path: tuple[Any, ...], code: str, message: str, hint: str | None) -> Diagnostic:
        return error(code, message, self.file, self.document.position(path), hint=hint)


def _first_name(problem: str) -> str:
    start = problem.find("'") + 1
    end = problem.find("'", start)
    return problem[start:end].split("[")[0] if start and end > start else ""
