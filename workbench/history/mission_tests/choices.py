"""Which Choice rule sent a run to its next state, when several rules (or a rule and the Default) lead there.

A history says which state came next, not which rule matched. Rules that share a target are told apart by
the variables they assign (``ChoiceStateExited`` carries ``assignedVariables``): a rule's static ``Assign``
values must be what was assigned. When the definition gives no way to tell two such rules apart,
:func:`instrument` adds a marker variable (:data:`MARKER`) to each rule of that group, in the copy of the
definition the tests run (never in the Mission), and the marker names the rule.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from workbench.history.mission_tests.definition import JsonObject

__all__ = ["DEFAULT", "MARKER", "candidates", "instrument", "narrow"]

MARKER = "wb_coverage_rule"
DEFAULT = -1  # the Default of a Choice, among rule indices
_DYNAMIC = object()


def _rules(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:  # Any: ASL JSON
    """The rules that have a ``Next``, in order: their position is the rule's coverage ordinal."""
    rules = state.get("Choices")
    return [r for r in rules if isinstance(r, Mapping) and "Next" in r] if isinstance(rules, list) else []


def candidates(state: Mapping[str, Any], target: str) -> list[int]:  # Any: ASL JSON
    """Rule ordinals (and :data:`DEFAULT`) of a Choice state that lead to ``target``.

    Example:
        >>> candidates({"Choices": [{"Next": "A"}, {"Next": "B"}, {"Next": "A"}], "Default": "A"}, "A")
        [0, 2, -1]
    """
    out = [i for i, rule in enumerate(_rules(state)) if rule.get("Next") == target]
    if state.get("Default") == target:
        out.append(DEFAULT)
    return out


def _static(value: Any) -> Any:  # Any: an Assign value as written
    """The value an Assign entry takes for sure, or ``_DYNAMIC`` when it is computed at run time."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{%") and text.endswith("%}"):
            return _DYNAMIC
    if isinstance(value, dict | list):
        return _DYNAMIC if "{%" in json.dumps(value) or any(str(k).endswith(".$") for k in _keys(value)) else value
    return value


def _keys(value: Any) -> list[str]:  # Any: JSON
    if isinstance(value, dict):
        return [str(k) for k in value] + [k for v in value.values() for k in _keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def _assign(state: Mapping[str, Any], ordinal: int) -> dict[str, Any]:  # Any: ASL JSON
    source = state if ordinal == DEFAULT else _rules(state)[ordinal]
    assign = source.get("Assign")
    if not isinstance(assign, dict):
        return {}
    return {str(k).removesuffix(".$"): (_DYNAMIC if str(k).endswith(".$") else _static(v)) for k, v in assign.items()}


def _fits(expected: dict[str, Any], assigned: Mapping[str, Any]) -> bool:  # Any: JSON values
    if set(expected) != set(assigned):
        return False
    return all(v is _DYNAMIC or v == assigned[k] for k, v in expected.items())


def narrow(state: Mapping[str, Any], options: list[int], assigned: Mapping[str, Any]) -> list[int]:  # Any: JSON
    """The options whose Assign agrees with the variables the Choice assigned (a marker decides outright).

    Example:
        >>> s = {"Choices": [{"Next": "P", "Assign": {"why": "critical"}}, {"Next": "P", "Assign": {"why": "half"}}]}
        >>> narrow(s, [0, 1], {"why": "half"})
        [1]
    """
    if MARKER in assigned:
        marked = str(assigned[MARKER])
        return [o for o in options if o != DEFAULT and str(o) == marked] or options
    fitting = [o for o in options if _fits({k: v for k, v in _assign(state, o).items() if k != MARKER},
                                           {k: v for k, v in assigned.items() if k != MARKER})]
    return fitting or options


def _apart(a: dict[str, Any], b: dict[str, Any]) -> bool:  # Any: JSON values
    """Whether two rules' assignments always differ (different variables, or different fixed values)."""
    if set(a) != set(b):
        return True
    return any(a[k] is not _DYNAMIC and b[k] is not _DYNAMIC and a[k] != b[k] for k in a)


def instrument(definition: Mapping[str, Any]) -> tuple[JsonObject, list[str]]:  # Any: ASL JSON
    """A copy of ``definition`` whose ambiguous Choice rules assign :data:`MARKER`, and the Choices changed.

    Example:
        >>> d = {"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "A", "Choices": [
        ...     {"Variable": "$.x", "IsPresent": True, "Next": "A"}]}, "A": {"Type": "Succeed"}}}
        >>> out, changed = instrument(d)
        >>> out["States"]["C"]["Choices"][0]["Assign"], changed
        ({'wb_coverage_rule': '0'}, ['C'])
    """
    out: JsonObject = copy.deepcopy(dict(definition))
    changed: list[str] = []
    stack: list[Any] = [out]  # Any: ASL JSON
    while stack:
        machine = stack.pop()
        states = machine.get("States") if isinstance(machine, dict) else None
        if not isinstance(states, dict):
            continue
        for name, state in states.items():
            if not isinstance(state, dict):
                continue
            stack.extend(b for b in state.get("Branches") or [] if isinstance(b, dict))
            stack.extend(p for p in (state.get("ItemProcessor"), state.get("Iterator")) if isinstance(p, dict))
            if state.get("Type") == "Choice" and _mark(state):
                changed.append(str(name))
    return out, changed


def _mark(state: JsonObject) -> bool:
    rules = _rules(state)
    targets = {str(r["Next"]) for r in rules} | ({str(state["Default"])} if "Default" in state else set())
    marked = False
    for target in sorted(targets):
        group = candidates(state, target)
        assigns = {o: _assign(state, o) for o in group}
        if all(_apart(assigns[a], assigns[b]) for i, a in enumerate(group) for b in group[i + 1:]):
            continue
        for ordinal in group:
            if ordinal != DEFAULT:
                rule = rules[ordinal]
                assign = rule.get("Assign")
                written: dict[str, Any] = dict(assign) if isinstance(assign, dict) else {}  # Any: ASL JSON
                rule["Assign"] = {**written, MARKER: str(ordinal)}  # type: ignore[index]
                marked = True
    return marked
