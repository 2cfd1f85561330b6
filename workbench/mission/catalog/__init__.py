"""The Mission catalog: reviewed templates in a folder, Director plans, and the choice between them.

Example:
    >>> from workbench.mission.catalog import load_catalog, load_plan, select
    >>> selection = select(load_plan("missions/plans/triage_payments.plan.json"), load_catalog("missions/catalog"))
    >>> selection.template.bind(selection.parameters).mission.name.startswith("incident_triage-v2_0-")
    True
"""

from workbench.mission.catalog.catalog import Catalog, CatalogError, load_catalog, template_files, version_key
from workbench.mission.catalog.plan import (
    Constraints,
    Plan,
    PlanError,
    load_plan,
    loads_plan,
    plan_from_document,
    plan_schema,
    plan_schema_json,
)
from workbench.mission.catalog.select import Rejected, Selection, generate_mission, select

__all__ = ["Catalog", "CatalogError", "Constraints", "Plan", "PlanError", "Rejected", "Selection",
           "generate_mission", "load_catalog", "load_plan", "loads_plan", "plan_from_document", "plan_schema",
           "plan_schema_json", "select", "template_files", "version_key"]
