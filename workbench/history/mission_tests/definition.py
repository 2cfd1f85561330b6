"""What the test runner and the coverage need from a compiled definition: states by name, and tool Tasks.

State names are unique across a whole state machine (branches and Map bodies included), so a name finds
one state; the path says where it sits (``Gather/branch[1]/Pull``, ``Fan/iterator/Probe``), spelt as the
graph (:func:`workbench.asl.graph.graph_of`) names its nodes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from workbench.mission.model import Mission

JsonObject = dict[str, Any]  # Any: ASL JSON

#: The state types AWS's TestState (and the embedded engine's) can run on their own.
TESTSTATE_TYPES = frozenset({"Task", "Pass", "Wait", "Choice", "Succeed", "Fail"})


@dataclass(frozen=True)
class StateRef:
    """One state of a definition: its name, graph path, the state's JSON and its query language."""

    name: str
    path: str
    state: JsonObject
    query_language: str

    @property
    def type(self) -> str:
        return str(self.state.get("Type", ""))


def walk_states(definition: Mapping[str, Any], prefix: str = "",  # Any: ASL JSON
                query_language: str = "JSONPath") -> Iterator[StateRef]:
    """Every state of a definition at any depth, outer first, with its graph path.

    Example:
        >>> [s.path for s in walk_states({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
        ...     "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}]}}})]
        ['P', 'P/branch[0]/A']
    """
    language = str(definition.get("QueryLanguage", query_language))
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        path = f"{prefix}{name}"
        own = str(state.get("QueryLanguage", language))
        yield StateRef(str(name), path, state, own)
        for i, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, Mapping):
                yield from walk_states(branch, f"{path}/branch[{i}]/", own)
        body = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(body, Mapping):
            yield from walk_states(body, f"{path}/iterator/", own)


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
