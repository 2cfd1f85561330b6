"""Every state of an ASL definition at any depth: the one walker over ``States``, Parallel ``Branches``
and Map ``ItemProcessor``/``Iterator`` bodies.

State names are unique across a whole state machine (branches and Map bodies included), so a name finds
one state; the path says where it sits (``Gather/branch[1]/Pull``, ``Fan/iterator/Probe``), spelt as the
graph (:func:`workbench.asl.graph.graph_of`) names its nodes. Like the graph, a Map's body is its
``ItemProcessor`` when it has one, else its ``Iterator``, and ``Branches`` are read only when a list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["StateRef", "body_key", "walk_states"]


@dataclass(frozen=True)
class StateRef:
    """One state of a definition: its name, graph path, the state's JSON and its query language.

    Example:
        >>> StateRef("A", "P/branch[0]/A", {"Type": "Pass", "End": True}, "JSONPath").type
        'Pass'
    """

    name: str
    path: str
    state: Mapping[str, Any]  # Any: ASL JSON
    query_language: str

    @property
    def type(self) -> str:
        return str(self.state.get("Type", ""))


def body_key(state: Mapping[str, Any]) -> str | None:  # Any: ASL JSON
    """The field holding a Map state's body: ``"ItemProcessor"``, else ``"Iterator"``, else None.

    Example:
        >>> body_key({"Type": "Map", "Iterator": {}}), body_key({"Type": "Pass"})
        ('Iterator', None)
    """
    return "ItemProcessor" if "ItemProcessor" in state else "Iterator" if "Iterator" in state else None


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
        if not isinstance(state, Mapping):
            continue
        path = f"{prefix}{name}"
        own = str(state.get("QueryLanguage", language))
        yield StateRef(str(name), path, state, own)
        branches = state.get("Branches")
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                if isinstance(branch, Mapping):
                    yield from walk_states(branch, f"{path}/branch[{i}]/", own)
        key = body_key(state)
        body = state[key] if key is not None else None
        if isinstance(body, Mapping):
            yield from walk_states(body, f"{path}/iterator/", own)
