"""Bind a template: put each parameter's value in its slots, as data, then validate the result as a Mission.

Values are placed into the parsed document, never into text, so a value is always one JSON value wherever it
lands. Two more rules keep it a literal: in JSONata, a string constant holding ``{%`` or ``%}`` is written as a
JSONata string literal (``{% "..." %}``), which evaluates to exactly that text; in JSONPath, an object constant may
not hold keys ending in ``.$``. Tool names must be Lambda function names after binding.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from workbench.core.lambda_names import FunctionRef
from workbench.mission.positions import PathKey, Pos
from workbench.mission.template.slots import PLACEHOLDER, Slot

_VERSION_CHARS = re.compile(r"[^A-Za-z0-9_]")
NAME_MAX = 80
_NAME_PART = re.compile(r"^[A-Za-z0-9_-]+$")


class BindProblem(ValueError):
    """A value that cannot go where it was asked to go; ``path`` is the template field."""

    def __init__(self, path: PathKey, message: str) -> None:
        super().__init__(message)
        self.path = path


def state_machine_name(template: str, version: str, params_hash: str | None) -> str:
    """The deterministic state machine name: template, version and (per parameter set) the parameters' hash.

    Example:
        >>> state_machine_name("incident_triage", "2.0", "3fa91c2e"), state_machine_name("t", "1", None)
        ('incident_triage-v2_0-3fa91c2e', 't-v1')
    """
    tail = f"-v{_VERSION_CHARS.sub('_', version)}" + (f"-{params_hash}" if params_hash else "")
    return template[: NAME_MAX - len(tail)] + tail


def literal_jsonata(value: Any) -> Any:
    """A constant for a JSONata field that evaluates to exactly ``value`` (strings with ``{%``/``%}`` quoted).

    Example:
        >>> literal_jsonata("{% $eval('1') %}")
        '{% "{% $eval(\\'1\\') %}" %}'
        >>> literal_jsonata({"a": ["x", 1]})
        {'a': ['x', 1]}
    """
    if isinstance(value, str):
        return f"{{% {json.dumps(value, ensure_ascii=False)} %}}" if "{%" in value or "%}" in value else value
    if isinstance(value, list):
        return [literal_jsonata(v) for v in value]
    if isinstance(value, dict):
        return {k: literal_jsonata(v) for k, v in value.items()}
    return value


def _no_path_keys(value: Any, path: PathKey, parameter: str) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            bad = [k for k in item if isinstance(k, str) and k.endswith(".$")]
            if bad:
                raise BindProblem(path, f"parameter '{parameter}': the key '{bad[0]}' would be read as a JSONPath "
                                        "expression; a constant's keys may not end in '.$'")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _fill(text: str, slots: list[Slot], values: Mapping[str, Any]) -> Any:
    slot = slots[0]
    if slot.whole:
        value = copy.deepcopy(values[slot.parameter])
    else:
        if slot.kind == "tool":  # part of a name: a value holding ':' could turn it into another account's ARN
            for part in slots:
                if not _NAME_PART.match(str(values[part.parameter])):
                    raise BindProblem(slot.path, f"parameter '{part.parameter}' fills part of a tool name, so it "
                                                 "may hold only letters, digits, '-' or '_'")
        value = PLACEHOLDER.sub(lambda m: _part(values[m.group(1)]), text)
    if slot.kind == "tool" and (not isinstance(value, str) or "${" in value or FunctionRef.try_parse(value) is None):
        raise BindProblem(slot.path, f"parameter '{slot.parameter}' makes the tool name {json.dumps(value)}, which "
                                     "is not a Lambda function name: use letters, digits, '-' or '_' (or a function "
                                     "ARN)")
    if slot.kind == "constant" and slot.path[:2] != ("local", "input"):  # the example input is never evaluated
        if slot.language == "JSONata":
            return literal_jsonata(value)
        _no_path_keys(value, slot.path, slot.parameter)
    return value


def _part(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def substitute(data: Any, slots: list[Slot], values: Mapping[str, Any]) -> Any:
    """A copy of ``data`` with every slot filled (``slots`` as found by :func:`find_slots`)."""
    by_path: dict[PathKey, list[Slot]] = {}
    for slot in slots:
        by_path.setdefault(slot.path, []).append(slot)
    out = copy.deepcopy(data)
    for path, here in by_path.items():
        parent = out
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = _fill(parent[path[-1]], here, values)
    return out


# -- enabled: false ---------------------------------------------------------------------------------------


def drop_disabled(data: dict[str, Any], positions: dict[PathKey, Pos]) -> dict[PathKey, Pos]:
    """Remove steps whose ``enabled`` is false (and every ``enabled`` key); jumps to them go to what follows.

    Returns the positions re-indexed for the shortened lists, so later errors still name the right lines.
    Raises :class:`BindProblem` when a disabled step has no next step to stand in for it.
    """
    lists: list[tuple[PathKey, list[Any]]] = [(("steps",), data.get("steps") or [])]
    renames: dict[str, str | None] = {}
    moved = dict(positions)
    i = 0
    while i < len(lists):
        path, steps = lists[i]
        i += 1
        if not isinstance(steps, list):
            continue
        kept: list[Any] = []
        dropped: list[int] = []
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                kept.append(step)
                continue
            enabled = step.pop("enabled", True)
            if enabled is False:
                dropped.append(index)
                renames[str(step.get("id"))] = _successor(step, steps, index, path)
                continue
            kept.append(step)
            at = (*path, len(kept) - 1)
            if isinstance(step.get("parallel"), dict):
                lists += [((*at, "parallel", name), branch) for name, branch in step["parallel"].items()]
            if isinstance(step.get("map"), dict):
                lists.append(((*at, "map", "steps"), step["map"].get("steps")))
        if dropped:
            steps[:] = kept
            moved = _reindex(moved, path, dropped)
    if renames:
        _redirect(data, _resolved(renames))
    return moved


def _successor(step: dict[str, Any], steps: list[Any], index: int, path: PathKey) -> str | None:
    if isinstance(step.get("then"), str):
        return str(step["then"])
    kinds = {"choose", "succeed", "fail"} & set(step)
    if kinds or step.get("end") is True:
        raise BindProblem((*path, index, "enabled"), f"step '{step.get('id')}' cannot be disabled: it is a "
                                                     f"{next(iter(kinds), 'last')} step, nothing stands in for it")
    following = steps[index + 1] if index + 1 < len(steps) else None
    return str(following["id"]) if isinstance(following, dict) and "id" in following else None


def _resolved(renames: dict[str, str | None]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for start in renames:
        seen = {start}
        target = renames[start]
        while target in renames and target not in seen:
            seen.add(target)
            target = renames[target]
        out[start] = target
    return out


def _steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every step mapping of the document (branches and map steps included); constants are not looked into."""
    out: list[dict[str, Any]] = []
    lists: list[Any] = [data.get("steps")]
    while lists:
        steps = lists.pop()
        for step in steps if isinstance(steps, list) else []:
            if not isinstance(step, dict):
                continue
            out.append(step)
            if isinstance(step.get("parallel"), dict):
                lists.extend(step["parallel"].values())
            if isinstance(step.get("map"), dict):
                lists.append(step["map"].get("steps"))
    return out


def _redirect(data: dict[str, Any], renames: dict[str, str | None]) -> None:
    """Point every jump (then, otherwise, choose[i].goto, catch[i].goto) at a disabled step to its stand-in."""
    for step in _steps(data):
        holders = [step] + [rule for key in ("choose", "catch") if isinstance(step.get(key), list)
                            for rule in step[key] if isinstance(rule, dict)]
        for holder in holders:
            for key in ("goto", "then", "otherwise"):
                target = holder.get(key)
                if isinstance(target, str) and target in renames:
                    new = renames[target]
                    if new is None:
                        raise BindProblem((), f"step '{target}' is disabled, but a {key} jumps to it and no step "
                                              "follows it; give the disabled step `then:` or disable the jump too")
                    holder[key] = new


def _reindex(positions: dict[PathKey, Pos], path: PathKey, dropped: list[int]) -> dict[PathKey, Pos]:
    n = len(path)
    out: dict[PathKey, Pos] = {}
    gone = set(dropped)
    for key, pos in positions.items():
        index = key[n] if len(key) > n and key[:n] == path else None
        if isinstance(index, int):
            if index in gone:
                continue
            key = (*path, index - sum(1 for d in dropped if d < index), *key[n + 1:])
        out[key] = pos
    return out


