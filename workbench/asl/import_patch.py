"""The exact difference between a compiled state and the original: what goes into a step's ``asl:``.

JSON values compare as JSON (numbers by value, ``true`` is not ``1``). Parallel branches and Map
processors are compared by their wrapper and patched state by state inside, so the model keeps the
nested steps; a wrapper the model cannot spell is kept whole.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from workbench.mission.steps import MapStep, ParallelStep

_PLAIN = re.compile(r'[^.\[\]"]+')


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values: numbers by value (``2 == 2.0``), but ``true`` is not ``1``.

    Example:
        >>> json_equal({"a": [1, True]}, {"a": [1.0, True]}), json_equal(1, True)
        (True, False)
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """The path of the first place two JSON values differ (``States.X.Retry``), or None when equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b:
                return join_location(path, key)
            inner = first_difference(a[key], b[key], join_location(path, key))
            if inner is not None:
                return inner
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            inner = first_difference(x, y, f"{path}[{i}]")
            if inner is not None:
                return inner
        return None
    return None if json_equal(a, b) else (path or "(top level)")


def asl_patch(original: Mapping[str, Any], compiled: Mapping[str, Any]) -> dict[str, Any]:
    """The ``asl:`` fields that turn ``compiled`` into ``original``: changed fields verbatim, extra ones null."""
    patch = {k: v for k, v in original.items() if k not in compiled or not json_equal(v, compiled[k])}
    patch.update((k, None) for k in compiled if k not in original)
    return patch


def patch_graph(steps: list[Any], original: dict[str, Any], compiled: dict[str, Any]) -> None:
    """Set each step's ``asl`` to what turns its compiled state into the original one.

    Compared against one compile of the whole Mission, so the states are exactly as the compiler
    writes them in place. A Parallel's Branches or a Map's processor are compared by their wrapper
    (Comment, ProcessorConfig...) and patched state by state inside; a wrapper the model cannot
    spell is kept whole in ``asl``.
    """
    for step in steps:
        state, written = original["States"][step.id], compiled["States"][step.id]
        inner: list[tuple[list[Any], Any, Any]] = []
        if isinstance(step, ParallelStep):
            pairs = list(zip(step.parallel.values(), state.get("Branches") or [], written["Branches"], strict=False))
            if len(pairs) == len(written["Branches"]) == len(state["Branches"]):
                inner = [(steps_, o, c) for steps_, o, c in pairs]
        elif isinstance(step, MapStep):
            key = "Iterator" if "Iterator" in written else "ItemProcessor"
            inner = [(step.map.steps, state.get(key), written[key])]
        if inner and all(_same_wrapper(o, c) for _, o, c in inner):
            for inner_steps, o, c in inner:
                patch_graph(inner_steps, o, c)
            keep = {"Branches", "Iterator", "ItemProcessor"}
            state = {k: v for k, v in state.items() if k not in keep}
            written = {k: v for k, v in written.items() if k not in keep}
        step.asl = asl_patch(state, written) or None


def _same_wrapper(original: Any, compiled: dict[str, Any]) -> bool:
    """Same graph object apart from its states' contents (same keys, same state names)."""
    if not isinstance(original, dict) or original.keys() != compiled.keys():
        return False
    rest_equal = all(json_equal(original[k], compiled[k]) for k in original if k != "States")
    return rest_equal and isinstance(original["States"], dict) and original["States"].keys() == compiled[
        "States"].keys()


def join_location(path: str, *keys: str) -> str:
    """``States.A.Next``; names with dots, brackets or quotes as ``["a.b"]`` (the linter's locations)."""
    for key in keys:
        if _PLAIN.fullmatch(key):
            path = f"{path}.{key}" if path else key
        else:
            path += f"[{json.dumps(key)}]"
    return path
