"""What the test runner and the coverage need from a compiled definition: states by name, and tool Tasks.

The walk over every state (and its graph path) is :func:`workbench.asl.states.walk_states`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.asl.states import StateRef, walk_states
from workbench.mission.model import Mission

JsonObject = dict[str, Any]  # Any: ASL JSON

#: The state types AWS's TestState (and the embedded engine's) can run on their own.
TESTSTATE_TYPES = frozenset({"Task", "Pass", "Wait", "Choice", "Succeed", "Fail"})


def states_by_name(definition: Mapping[str, Any]) -> dict[str, StateRef]:  # Any: ASL JSON
    """Name → :class:`StateRef` (the first of a name, should a definition repeat one).

    Example:
        >>> states_by_name({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})["A"].type
        'Pass'
    """
    out: dict[str, StateRef] = {}
    for ref in walk_states(definition):
        out.setdefault(ref.name, ref)
    return out


def tool_states(mission: Mission) -> dict[str, str]:
    """Task state name (the step id) → the Mission tool it calls.

    Example:
        >>> from workbench.mission.loader import load_mission
        >>> tool_states(load_mission("missions/deploy_check.yaml"))["check_status"]
        'check_deploy'
    """
    out: dict[str, str] = {}
    for step in mission.walk():
        tool = getattr(step, "tool", None)
        if step.kind == "tool" and isinstance(tool, str):
            out[step.id] = tool
    return out
