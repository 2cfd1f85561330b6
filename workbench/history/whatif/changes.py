"""Which states an edit changed: the recorded definition against the edited one, state by state.

A what-if is only as readable as its cause: the report draws the edited state machine with the states
whose definition differs from the recorded one outlined, so "7 executions recovered" sits next to "you
changed the Retry of ``check_status``". States are keyed by the graph's paths (``Gather/branch[0]/Pull``,
``Fan/iterator/Work``), so they land on the right node at any depth. A Parallel or Map state is compared
without the states inside it (those are compared on their own); its branches' and iterator's ``StartAt``
and the Map's ``ProcessorConfig`` count as its own fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from workbench.asl.states import body_key, walk_states

ChangeKind = Literal["changed", "added", "removed"]
#: The path of the state machine's own fields (``TimeoutSeconds``, ``QueryLanguage``, the top ``StartAt``...).
MACHINE = "(state machine)"
_NESTED = ("Branches", "ItemProcessor", "Iterator")


@dataclass(frozen=True)
class StateChange:
    """One state the edit touched: its graph path, how (changed/added/removed) and the fields that differ.

    Example:
        >>> StateChange("check_status", "changed", ("Retry",)).describe()
        'check_status: Retry changed'
    """

    path: str
    kind: ChangeKind
    fields: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for people: ``check_status: Retry, TimeoutSeconds changed`` / ``notify: added``."""
        if self.kind != "changed":
            return f"{self.path}: {self.kind}"
        return f"{self.path}: {', '.join(self.fields)} changed"


def state_fields(definition: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state of ``definition`` by graph path, with the fields that are its own (nested states left out).

    Example:
        >>> sorted(state_fields({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        ...     {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}]}}}))
        ['(state machine)', 'P', 'P/branch[0]/A']
    """
    out: dict[str, dict[str, Any]] = {MACHINE: {k: v for k, v in definition.items() if k != "States"}}
    for ref in walk_states(definition):
        out[ref.path] = _own_fields(ref.state)
    return out


def _own_fields(state: Mapping[str, Any]) -> dict[str, Any]:  # Any: ASL JSON
    own = {k: v for k, v in state.items() if k not in _NESTED}
    branches = state.get("Branches")
    if isinstance(branches, list):
        for i, branch in enumerate(branches):
            if isinstance(branch, Mapping):
                own[f"Branches[{i}].StartAt"] = branch.get("StartAt")
    key = body_key(state)
    body = state.get(key) if key else None
    if isinstance(body, Mapping):
        own[f"{key}.StartAt"] = body.get("StartAt")
        if "ProcessorConfig" in body:
            own[f"{key}.ProcessorConfig"] = body.get("ProcessorConfig")
    return own


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def changed_states(recorded: Mapping[str, Any] | None, edited: Mapping[str, Any] | None) -> list[StateChange]:
    """The states whose definition differs between ``recorded`` and ``edited``, in the edited order
    (removed ones last); empty when either definition is unknown.

    Example:
        >>> old = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:f", "End": True}}}
        >>> new = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:f", "End": True,
        ...                                         "Retry": [{"ErrorEquals": ["States.ALL"]}]}}}
        >>> [c.describe() for c in changed_states(old, new)]
        ['A: Retry changed']
    """
    if not recorded or not edited:
        return []
    before, after = state_fields(recorded), state_fields(edited)
    out: list[StateChange] = []
    for path, fields in after.items():
        if path not in before:
            out.append(StateChange(path, "added"))
            continue
        old = before[path]
        differ = tuple(k for k in dict.fromkeys([*old, *fields]) if not _same(old.get(k), fields.get(k)))
        if differ:
            out.append(StateChange(path, "changed", differ))
    out.extend(StateChange(path, "removed") for path in before if path not in after)
    return out
