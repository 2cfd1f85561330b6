"""From a Director plan to a checked state machine: select → bind → check → compile → lint.

Pure (no engine): what ``workbench select``, ``workbench deploy`` and the Catalog widget show before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.asl.validate import check_and_compile
from workbench.core.diagnostics import Diagnostic, DiagnosticError, has_errors
from workbench.mission.catalog import Catalog, Plan, Selection, generate_mission, select
from workbench.mission.model import Mission
from workbench.mission.template import BoundMission, Naming


@dataclass
class PreparedPlan:
    """A plan made ready to deploy: the selection, the bound (or generated) Mission, its ASL and every problem.

    ``mission`` is None when nothing was selected (and no generation asked) or binding failed; ``ok`` is True
    only when there is a definition and no error.
    """

    plan: Plan
    selection: Selection
    bound: BoundMission | None = None
    mission: Mission | None = None
    definition: dict[str, Any] | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    generated: bool = False

    @property
    def ok(self) -> bool:
        return self.definition is not None and not has_errors(self.diagnostics)

    @property
    def state_machine_name(self) -> str | None:
        return self.mission.name if self.mission is not None else None

    @property
    def template_name(self) -> str | None:
        """The name runs of this plan are recorded under (template name, or the generated Mission's)."""
        if self.bound is not None:
            return self.bound.template.name
        return self.mission.name if self.mission is not None else None


def prepare_plan(plan: Plan, catalog: Catalog, *, generate: bool = False,
                 naming: Naming = "parameters") -> PreparedPlan:
    """Select a template for ``plan`` (or generate from its steps), bind it, compile and lint the result.

    Example:
        >>> from workbench.mission.catalog import load_catalog, load_plan
        >>> prepared = prepare_plan(load_plan("missions/plans/backfill_orders.plan.json"),
        ...                         load_catalog("missions/catalog"))
        >>> prepared.ok, prepared.state_machine_name.startswith("data_backfill-v2_0-")
        (True, True)
    """
    selection = select(plan, catalog)
    prepared = PreparedPlan(plan=plan, selection=selection)
    try:
        if selection.template is not None:
            prepared.bound = selection.template.bind(selection.parameters, naming=naming)
            prepared.mission = prepared.bound.mission
        elif generate and selection.outcome == "none" and plan.template is None:  # a named template is not guessed
            prepared.mission = generate_mission(plan)
            prepared.generated = True
        else:
            return prepared
    except DiagnosticError as exc:
        prepared.diagnostics = list(exc.diagnostics)
        return prepared
    prepared.definition, prepared.diagnostics = check_and_compile(prepared.mission)
    return prepared
