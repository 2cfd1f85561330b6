"""Expectations checked against what ran, and the readable differences of those that do not hold.

A difference names the field and shows expected against actual: a JSON difference path by path
(``$.checks: expected 3, got 2``), a state-path difference line by line (``- expected``, ``+ actual``).
Every value shown passes through :func:`workbench.core.redact.redact` (JSON) or ``redact_text`` (text).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.core.redact import redact, redact_text
from workbench.history.mission_tests.model import Expect, StateExpect

__all__ = ["Actual", "Mismatch", "check", "json_diff", "path_diff", "same_json", "subset_of"]

MAX_LINES = 20
MAX_VALUE = 200


@dataclass
class Actual:
    """What a case did: status, output, error and cause; the top-level state path and every state entered
    (any depth); for a state case, the next state."""

    status: str | None = None
    output: Any = None  # Any: the JSON output
    error: str | None = None
    cause: str | None = None
    states: list[str] = field(default_factory=list)
    states_set: set[str] = field(default_factory=set)
    next: str | None = None


@dataclass(frozen=True)
class Mismatch:
    """One expectation that does not hold: the field, and the lines that show the difference."""

    field: str
    lines: tuple[str, ...]

    def render(self, indent: str = "  ") -> str:
        """The field and its difference lines, indented.

        Example:
            >>> print(Mismatch("status", ("expected SUCCEEDED, got FAILED",)).render())
            status: expected SUCCEEDED, got FAILED
        """
        if len(self.lines) == 1 and not self.lines[0].startswith(("$", "-", "+", " ")):
            return f"{self.field}: {self.lines[0]}"
        return "\n".join([f"{self.field}:", *(indent + line for line in self.lines)])


def show(value: Any) -> str:  # Any: a JSON value
    """A JSON value on one line, redacted and cut to :data:`MAX_VALUE` characters.

    Example:
        >>> show({"password": "hunter2", "n": 1})
        '{"password": "[redacted]", "n": 1}'
    """
    text = json.dumps(redact(value), ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _text(value: str | None) -> str:
    if value is None:
        return "nothing"
    shown = redact_text(value)
    shown = shown if len(shown) <= MAX_VALUE else shown[: MAX_VALUE - 1] + "…"
    return json.dumps(shown, ensure_ascii=False)


def same_json(a: Any, b: Any) -> bool:  # Any: JSON values
    """JSON equality: ``true`` is not ``1``, ``1`` is ``1.0``, objects compare by key, lists in order.

    Example:
        >>> same_json({"a": [1, True]}, {"a": [1.0, True]}), same_json(True, 1)
        (True, False)
    """
    return not json_diff(a, b)


def subset_of(expected: Any, actual: Any) -> bool:  # Any: JSON values
    """Whether ``actual`` contains ``expected``: objects may have more keys; lists match item by item.

    Example:
        >>> subset_of({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}, "d": 3}), subset_of({"a": 2}, {"a": 1})
        (True, False)
    """
    return not json_diff(expected, actual, subset=True)


def _kind(value: Any) -> str:  # Any: a JSON value
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else type(value).__name__


def json_diff(expected: Any, actual: Any, *, subset: bool = False, path: str = "$") -> list[str]:  # Any: JSON
    """Every difference between two JSON values, one line each, by JSON path (``subset``: extra keys are fine).

    Values are compared as they are and shown redacted (a secret field's value never appears, even when it is
    the one that differs).

    Example:
        >>> for line in json_diff({"a": 1, "b": [1, 2]}, {"a": 2, "b": [1], "c": True}):
        ...     print(line)
        $.a: expected 1, got 2
        $.b: expected 2 items, got 1
        $.b[1]: missing (expected 2)
        $.c: not expected (got true)
    """
    return _diff(expected, actual, redact(expected), redact(actual), subset, path)


def _key_path(path: str, key: Any) -> str:  # Any: a JSON object key
    return f"{path}.{key}" if str(key).isidentifier() else f"{path}[{json.dumps(key)}]"


def _diff(expected: Any, actual: Any, shown_e: Any, shown_a: Any, subset: bool, path: str) -> list[str]:  # Any: JSON
    """:func:`json_diff` on the values, showing ``shown_e``/``shown_a`` (their redacted copies, same shape)."""
    out: list[str] = []
    if _kind(expected) != _kind(actual):
        return [f"{path}: expected {show(shown_e)}, got {show(shown_a)}"]
    if isinstance(expected, dict):
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{_key_path(path, key)}: missing (expected {show(shown_e.get(key))})")
            else:
                out.extend(_diff(value, actual[key], shown_e.get(key), shown_a.get(key), subset, _key_path(path, key)))
        if not subset:
            out.extend(f"{_key_path(path, key)}: not expected (got {show(shown_a.get(key))})"
                       for key in actual if key not in expected)
        return out
    if isinstance(expected, list):
        if len(expected) != len(actual):
            out.append(f"{path}: expected {len(expected)} items, got {len(actual)}")
        for i, value in enumerate(expected):
            if i < len(actual):
                out.extend(_diff(value, actual[i], shown_e[i], shown_a[i], subset, f"{path}[{i}]"))
            else:
                out.append(f"{path}[{i}]: missing (expected {show(shown_e[i])})")
        out.extend(f"{path}[{i}]: not expected (got {show(shown_a[i])})" for i in range(len(expected), len(actual)))
        return out
    if expected != actual:
        hidden = " (a secret: the values differ, both are hidden)" if shown_e == shown_a else ""
        out.append(f"{path}: expected {show(shown_e)}, got {show(shown_a)}{hidden}")
    return out


def path_diff(expected: Sequence[str], actual: Sequence[str]) -> list[str]:
    """A state path difference: ``  same``, ``- expected only``, ``+ actual only``, in order.

    Example:
        >>> path_diff(["a", "b", "c"], ["a", "x", "c"])
        ['  a', '- b', '+ x', '  c']
    """
    matcher = difflib.SequenceMatcher(a=list(expected), b=list(actual), autojunk=False)
    out: list[str] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            out.extend(f"  {s}" for s in expected[a0:a1])
        else:
            out.extend(f"- {s}" for s in expected[a0:a1])
            out.extend(f"+ {s}" for s in actual[b0:b1])
    return out


def _cap(lines: list[str]) -> tuple[str, ...]:
    if len(lines) <= MAX_LINES:
        return tuple(lines)
    return (*lines[:MAX_LINES], f"… and {len(lines) - MAX_LINES} more differences")


def check(expect: Expect | StateExpect, actual: Actual) -> list[Mismatch]:
    """The expectations of a case that ``actual`` does not meet (empty: the case passes).

    Example:
        >>> e = Expect.model_validate({"status": "SUCCEEDED", "output_contains": {"ok": True}})
        >>> [m.render() for m in check(e, Actual(status="FAILED", error="Boom", output=None))]
        ['status: expected SUCCEEDED, got FAILED (error "Boom")', 'output_contains: expected an output, got nothing']
    """
    out: list[Mismatch] = []
    if expect.status is not None and expect.status != actual.status:
        why = f" (error {_text(actual.error)})" if actual.error else ""
        out.append(Mismatch("status", (f"expected {expect.status}, got {actual.status or 'nothing'}{why}",)))
    for name in ("error", "cause"):
        wanted = getattr(expect, name)
        got = getattr(actual, name)
        if expect.expects(name) and wanted != got:
            out.append(Mismatch(name, (f"expected {_text(wanted)}, got {_text(got)}",)))
    for name, subset in (("output", False), ("output_contains", True)):
        if expect.expects(name):
            wanted = getattr(expect, name)
            if actual.output is None and wanted is not None and actual.status not in (None, "SUCCEEDED"):
                out.append(Mismatch(name, ("expected an output, got nothing",)))
                continue
            lines = json_diff(wanted, actual.output, subset=subset)
            if lines:
                out.append(Mismatch(name, _cap(lines)))
    if isinstance(expect, Expect):
        if expect.states is not None and list(expect.states) != actual.states:
            out.append(Mismatch("states", _cap(path_diff(expect.states, actual.states))))
        if expect.states_set is not None and set(expect.states_set) != actual.states_set:
            missing = sorted(set(expect.states_set) - actual.states_set)
            extra = sorted(actual.states_set - set(expect.states_set))
            diff = [f"- {s} (never entered)" for s in missing] + [f"+ {s} (entered, not expected)" for s in extra]
            out.append(Mismatch("states_set", _cap(diff)))
    elif expect.expects("next") and expect.next != actual.next:
        out.append(Mismatch("next", (f"expected {expect.next or 'none (the end)'}, got {actual.next or 'none'}",)))
    return out
