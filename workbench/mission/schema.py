"""The JSON Schema of the Mission file format, for editors that validate YAML."""

from __future__ import annotations

import json
from typing import Any

from workbench.mission.model import Mission

SCHEMA_ID = "https://mission-workbench.dev/schema/mission.json"


def mission_schema() -> dict[str, Any]:
    """The Mission JSON Schema (draft 2020-12), as a dict.

    Example:
        >>> mission_schema()["title"]
        'Mission'
    """
    schema = Mission.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def mission_schema_json() -> str:
    """The schema as stable, indented JSON text."""
    return json.dumps(mission_schema(), indent=2, sort_keys=True) + "\n"
