"""Where a template may hold a ``{{ param }}`` placeholder, and of which type the value must be.

The places are fixed here, not by the template: tool names, constants (values inside ``args``, ``pass``,
``assign``, ``item_selector`` and ``local.input`` mappings), retry numbers, timeouts, waits, Map concurrency and
step ``enabled`` flags. Expressions (``{% ... %}`` text, JSONPath strings, keys ending in ``.$``, ``when``,
``items``, ids, gotos, fail causes) are never places: a parameter can only ever be a value, never code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from workbench.mission.positions import PathKey, render_path
from workbench.mission.steps import STEP_KINDS

SlotKind = Literal["tool", "duration", "integer", "number", "flag", "constant"]
Language = Literal["JSONata", "JSONPath"]

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_BRACES = re.compile(r"\{\{|\}\}")

#: Which parameter types may fill a slot: whole value / part of a longer string.
ACCEPTS: dict[SlotKind, tuple[frozenset[str], frozenset[str]]] = {
    "tool": (frozenset({"string"}), frozenset({"string", "integer"})),
    "duration": (frozenset({"string", "integer", "number"}), frozenset({"string", "integer"})),
    "integer": (frozenset({"integer"}), frozenset()),
    "number": (frozenset({"integer", "number"}), frozenset()),
    "flag": (frozenset({"boolean"}), frozenset()),
    "constant": (frozenset({"string", "integer", "number", "boolean", "array", "object"}),
                 frozenset({"string", "integer", "number"})),
}
PLACES = ("tool names (tools.NAME.lambda), constants inside args/pass/assign/item_selector mappings, "
          "retry numbers, timeouts and heartbeats, waits, map max_concurrency/tolerated_failures, step enabled flags")

_RETRY = {"max_attempts": "integer", "interval": "duration", "max_delay": "duration", "backoff": "number"}
_STEP_FIELDS: dict[PathKey, SlotKind] = {
    ("timeout",): "duration", ("heartbeat",): "duration", ("enabled",): "flag",
    ("wait",): "duration", ("wait", "seconds"): "duration",
    ("map", "max_concurrency"): "integer", ("map", "tolerated_failures"): "integer",
    ("map", "tolerated_failure_percentage"): "number",
}
_CONSTANT_HOLDERS: dict[PathKey, int] = {("args",): 1, ("pass",): 1, ("assign",): 1, ("map", "item_selector"): 2}


@dataclass(frozen=True)
class Slot:
    """A placeholder found in a template: where, which parameter, whether it is the whole value."""

    path: PathKey
    parameter: str
    kind: SlotKind
    whole: bool
    language: Language

    @property
    def field(self) -> str:
        return render_path(self.path)


@dataclass(frozen=True)
class Misplaced:
    """A placeholder (or stray braces) somewhere parameters may not go, with the reason."""

    path: PathKey
    reason: str


def placeholders(text: str) -> list[str]:
    """The parameter names a string refers to.

    Example:
        >>> placeholders("triage-{{ service }}-{{env}}")
        ['service', 'env']
    """
    return PLACEHOLDER.findall(text)


def is_whole(text: str) -> bool:
    """True when the string is one placeholder and nothing else (its value keeps its type)."""
    match = PLACEHOLDER.fullmatch(text.strip())
    return match is not None


def _at_step_position(path: PathKey, rest: PathKey | None) -> bool:
    """Where a step can stand: ``steps[i]``, or inside a step ``map.steps[i]`` / ``parallel.NAME[i]``.

    A mapping elsewhere (a constant, an ``asl:`` block) that merely looks like a step is data, not a step.
    """
    match path if rest is None else rest:
        case ("steps", int()) if rest is None:
            return True
        case ("map", "steps", int()) | ("parallel", str(), int()) if rest is not None:
            return True
    return False


def _is_step(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("id"), str) and any(k in node for k in STEP_KINDS)


def _step_kind(rest: PathKey) -> SlotKind | None:
    if rest in _STEP_FIELDS:
        return _STEP_FIELDS[rest]
    if len(rest) == 3 and rest[0] == "retry" and isinstance(rest[1], int) and rest[2] in _RETRY:
        return _RETRY[str(rest[2])]  # type: ignore[return-value]
    for holder, depth in _CONSTANT_HOLDERS.items():
        if rest[: len(holder)] == holder and len(rest) > depth:
            inside = rest[depth:]
            if any(isinstance(k, str) and k.endswith(".$") for k in inside):
                return None  # a JSONPath expression key: its value is code
            return "constant"
    return None


def _top_kind(path: PathKey) -> SlotKind | None:
    match path:
        case ("tools", _, "lambda"):
            return "tool"
        case ("tools", _, "memory_mb"):
            return "integer"
    if path in (("timeout",), ("defaults", "timeout"), ("defaults", "heartbeat")):
        return "duration"
    if len(path) == 4 and path[:2] == ("defaults", "retry") and path[3] in _RETRY:
        return _RETRY[str(path[3])]  # type: ignore[return-value]
    if path[:2] == ("local", "input") and len(path) >= 3:
        return "constant"
    return None


def find_slots(data: Any, language: Language = "JSONata") -> tuple[list[Slot], list[Misplaced]]:
    """Every placeholder of a template document: allowed slots, and misplaced ones with why.

    Example:
        >>> doc = {"mission": "m", "tools": {"t": {"lambda": "fn-{{ env }}"}},
        ...        "steps": [{"id": "a", "tool": "t", "args": '{% {"x": {{ x }}} %}'}]}
        >>> slots, misplaced = find_slots(doc)
        >>> [(s.field, s.kind, s.whole) for s in slots], [m.reason[:34] for m in misplaced]
        ([('tools.t.lambda', 'tool', False)], ['a placeholder inside an expression'])
    """
    slots: list[Slot] = []
    misplaced: list[Misplaced] = []
    for path, text, step_rest, ql in _strings(data, language):
        if text is None:
            misplaced.append(Misplaced(path, "a placeholder in a key: keys are never parameters"))
            continue
        names = placeholders(text)
        leftover = _BRACES.search(PLACEHOLDER.sub("", text))
        if leftover:
            misplaced.append(Misplaced(path, "'{{' or '}}' that is not a placeholder: write {{ name }}, a letter "
                                             "or '_' then letters, digits or '_'"))
            continue
        if not names:
            continue
        kind = _step_kind(step_rest) if step_rest is not None else _top_kind(path)
        whole = is_whole(text)
        stripped = text.strip()
        if kind is not None and not whole and (stripped.startswith(("{%", "$")) or stripped.endswith("%}")):
            kind = None  # part of an expression
        if kind is None:
            expression = (stripped.startswith(("{%", "$")) or "{%" in stripped
                          or any(isinstance(k, str) and k.endswith(".$") for k in path))
            reason = "a placeholder inside an expression" if expression else "a placeholder outside the places " \
                                                                              "parameters may go"
            misplaced.append(Misplaced(path, f"{reason}: parameters may fill only {PLACES}"))
            continue
        slots += [Slot(path, name, kind, whole, ql) for name in names]
    return slots, misplaced


def _strings(data: Any, language: Language) -> Iterator[tuple[PathKey, str | None, PathKey | None, Language]]:
    """(path, string or None for a key holding braces, path inside the innermost step, its query language)."""
    stack: list[tuple[Any, PathKey, PathKey | None, Language]] = [(data, (), None, language)]
    while stack:
        node, path, rest, ql = stack.pop()
        if _at_step_position(path, rest) and _is_step(node):
            rest = ()
            own = node.get("query_language")
            ql = own if own in ("JSONata", "JSONPath") else ql
        elif path == () and isinstance(node, dict):
            own = node.get("query_language")
            ql = own if own in ("JSONata", "JSONPath") else ql
        if isinstance(node, str):
            if "{{" in node or "}}" in node:
                yield path, node, rest, ql
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and ("{{" in key or "}}" in key):
                    yield (*path, key), None, rest, ql
                stack.append((value, (*path, key), None if rest is None else (*rest, key), ql))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                stack.append((value, (*path, i), None if rest is None else (*rest, i), ql))
