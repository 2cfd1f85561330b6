"""Mission templates: a Mission with typed parameters that fill declared places only, bound deterministically.

Example:
    >>> from workbench.mission.template import load_template
    >>> bound = load_template("missions/catalog/incident_triage.yaml").bind({"service": "payments-api"})
    >>> bound.mission.name == bound.state_machine_name
    True
"""

from workbench.mission.template.bind import literal_jsonata, state_machine_name
from workbench.mission.template.load import is_template, load_template, loads_template, template_from_document
from workbench.mission.template.model import BoundMission, CatalogInfo, MissionTemplate, Naming, TemplateError
from workbench.mission.template.parameters import ParameterSpec, parameters_hash, resolve
from workbench.mission.template.slots import PLACES, Slot, find_slots

__all__ = ["PLACES", "BoundMission", "CatalogInfo", "MissionTemplate", "Naming", "ParameterSpec", "Slot",
           "TemplateError", "find_slots", "is_template", "literal_jsonata", "load_template", "loads_template",
           "parameters_hash", "resolve", "state_machine_name", "template_from_document"]
