"""A Mission's plain data (the dict a YAML file holds) as the composer reads it: the step tree, paths,
new steps with unique ids, and pure edits of the data.

Steps are addressed by a *path* into the data, e.g. ``("steps", 1, "parallel", "logs", 0)``, so
nothing here needs the Mission to be valid: operators fix one thing at a time. (The composer edits the
text itself, through :mod:`workbench.mission.yaml_patch`; the pure edits serve scripts and tests.)
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from workbench.mission.steps import STEP_KINDS

StepPath = tuple[str | int, ...]

DEFAULT_RETRY: dict[str, Any] = {
    "errors": ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
               "Lambda.TooManyRequestsException"],
    "interval": "2s",
    "max_attempts": 3,
    "backoff": 2,
    "jitter": "FULL",
}

NEW_STEP: dict[str, dict[str, Any]] = {
    "tool": {"tool": ""},
    "choose": {"choose": [{"when": "{% true %}", "goto": ""}]},
    "parallel": {"parallel": {"a": [{"id": "", "pass": None}], "b": [{"id": "", "pass": None}]}},
    "map": {"map": {"items": "{% $states.input.items %}", "steps": [{"id": "", "pass": None}]}},
    "wait": {"wait": "10s"},
    "pass": {"pass": None},
    "succeed": {"succeed": True},
    "fail": {"fail": {"error": "Failed", "cause": "explain why"}},
}


@dataclass(frozen=True)
class StepRef:
    """A step as listed in the composer's tree."""

    path: StepPath
    id: str
    kind: str
    depth: int

    @property
    def label(self) -> str:
        return f"{'    ' * self.depth}{self.id}  ·  {self.kind}"


def kind_of(step: Any) -> str:
    if isinstance(step, dict):
        return next((k for k in STEP_KINDS if k in step), "?")
    return "?"


def _children(step: dict[str, Any], path: StepPath) -> list[tuple[StepPath, list[Any]]]:
    kind = kind_of(step)
    if kind == "parallel" and isinstance(step.get("parallel"), dict):
        return [((*path, "parallel", name), steps) for name, steps in step["parallel"].items()
                if isinstance(steps, list)]
    if kind == "map" and isinstance(step.get("map"), dict) and isinstance(step["map"].get("steps"), list):
        return [((*path, "map", "steps"), step["map"]["steps"])]
    return []


def list_steps(data: dict[str, Any]) -> list[StepRef]:
    """Every step in document order with its path and nesting depth (iterative)."""
    out: list[StepRef] = []
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list):
        return out
    stack: list[tuple[StepPath, list[Any], int, int]] = [(("steps",), steps, 0, 0)]
    while stack:
        base, items, index, depth = stack.pop()
        if index >= len(items):
            continue
        stack.append((base, items, index + 1, depth))
        step = items[index]
        path = (*base, index)
        if isinstance(step, dict):
            out.append(StepRef(path, str(step.get("id", f"#{index}")), kind_of(step), depth))
            for child_base, child in reversed(_children(step, path)):
                stack.append((child_base, child, 0, depth + 1))
    return out


def get_at(data: Any, path: StepPath) -> Any:
    """The value at a path (KeyError/IndexError if it is gone)."""
    for part in path:
        data = data[part]
    return data


def value_at(data: Any, path: StepPath) -> Any:
    """The value at a path, or ``None`` when it is not there.

    Example:
        >>> value_at({"steps": [{"id": "a"}]}, ("steps", 0, "id")), value_at({}, ("steps", 3))
        ('a', None)
    """
    try:
        return get_at(data, path)
    except (KeyError, IndexError, TypeError):
        return None


def _container(data: dict[str, Any], path: StepPath) -> tuple[list[Any], int]:
    parent = get_at(data, path[:-1])
    index = path[-1]
    assert isinstance(parent, list) and isinstance(index, int)
    return parent, index


def unique_id(data: dict[str, Any], base: str, taken: set[str] | None = None) -> str:
    """``base`` or ``base_2``, ``base_3``… whichever no step uses yet (and add it to ``taken``)."""
    taken = taken if taken is not None else {ref.id for ref in list_steps(data)}
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def new_step(data: dict[str, Any], kind: str) -> dict[str, Any]:
    """A fresh step of a kind with a unique id and sensible defaults (inner steps get ids too)."""
    taken = {ref.id for ref in list_steps(data)}
    step = {"id": unique_id(data, kind, taken), **copy.deepcopy(NEW_STEP[kind])}
    if kind == "tool" and isinstance(data.get("tools"), dict) and data["tools"]:
        step["tool"] = next(iter(data["tools"]))
    holder = {"steps": [step]}
    for inner in list_steps(holder)[1:]:
        get_at(holder, inner.path)["id"] = unique_id(data, "pass", taken)
    return step


def insert_after(data: dict[str, Any], path: StepPath | None, step: dict[str, Any]) -> StepPath:
    """Insert a step after the one at ``path`` (or at the end of the top level); returns its path."""
    if path is None:
        data.setdefault("steps", []).append(step)
        return ("steps", len(data["steps"]) - 1)
    items, index = _container(data, path)
    items.insert(index + 1, step)
    return (*path[:-1], index + 1)


def remove(data: dict[str, Any], path: StepPath) -> StepPath | None:
    """Remove a step; returns the path of the step to select next (or None when the list is empty)."""
    items, index = _container(data, path)
    items.pop(index)
    if not items:
        return None
    return (*path[:-1], min(index, len(items) - 1))


def move(data: dict[str, Any], path: StepPath, delta: int) -> StepPath:
    """Move a step up (-1) or down (+1) within its list; returns its new path."""
    items, index = _container(data, path)
    target = index + delta
    if not 0 <= target < len(items):
        return path
    items[index], items[target] = items[target], items[index]
    return (*path[:-1], target)


def set_field(data: dict[str, Any], path: StepPath, field: str, value: Any) -> None:
    """Set (or, with ``None``, remove) one field of the step at ``path``."""
    step = get_at(data, path)
    if value is None or value == "" or value == []:
        step.pop(field, None)
    else:
        step[field] = value


def rename_step(data: dict[str, Any], path: StepPath, new_id: str) -> None:
    """Rename a step and every goto/then/otherwise that pointed at it."""
    step = get_at(data, path)
    old = step.get("id")
    step["id"] = new_id
    for ref in list_steps(data):
        other = get_at(data, ref.path)
        for key in ("then", "otherwise"):
            if other.get(key) == old:
                other[key] = new_id
        for rule in [*(other.get("choose") or []), *(other.get("catch") or [])]:
            if isinstance(rule, dict) and rule.get("goto") == old:
                rule["goto"] = new_id


def find_step(data: dict[str, Any], step_id: str) -> StepPath | None:
    """The path of the step with this id."""
    return next((ref.path for ref in list_steps(data) if ref.id == step_id), None)


def iter_step_dicts(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for ref in list_steps(data):
        yield get_at(data, ref.path)
