"""JSONPath syntax as Step Functions accepts it: Paths, Reference Paths, ``$$`` context and ``$name`` variables.

A *Path* may select many nodes (``$.items[*].id``, ``$..id``, ``$.a[?(@.x > 1)]``); a *Reference Path*
must name exactly one node, so ``*``, ``..``, slices, unions and filters are refused there.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from workbench.asl.substitutions import PLACEHOLDER

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOT_NAME = re.compile(r"[^.\[\]\s()'\"]+")
_INT = re.compile(r"-?\d+")
_SLICE = re.compile(r"-?\d*:-?\d*(:-?\d*)?")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


class PathProblem(NamedTuple):
    """Why a path is refused: a linter code (ASL310/311/312) and a plain-words message."""

    code: str
    message: str


def has_placeholder(value: object) -> bool:
    """True for deployment-time values: ``${Name}`` substitutions (SAM / CloudFormation / Terraform) and
    CloudFormation intrinsic objects such as ``{"Ref": "Fn"}`` or ``{"Fn::GetAtt": [...]}``."""
    if isinstance(value, str):
        return "${" in value and PLACEHOLDER.search(value) is not None
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))
    return False


def _bracket_end(text: str, start: int) -> int:
    """Index of the ']' closing the '[' at ``start`` (quotes and parentheses respected), or -1."""
    depth = 0
    quote = ""
    i = start + 1
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "]" and depth <= 0:
            return i
        i += 1
    return -1


def _bracket_problem(inner: str, reference: bool) -> str | None:
    """None if ``[inner]`` is a valid selector, else what is wrong (for a Reference Path when asked)."""
    body = inner.strip()
    if _INT.fullmatch(body) or _QUOTED.fullmatch(body):
        return None
    multi = None
    if body == "*":
        multi = "the wildcard [*]"
    elif _SLICE.fullmatch(body):
        multi = f"the slice [{body}]"
    elif body.startswith("?(") and body.endswith(")"):
        multi = f"the filter [{body}]"
    elif body.startswith("(") and body.endswith(")"):
        multi = f"the script expression [{body}]"
    elif "," in body and all(_INT.fullmatch(p.strip()) or _QUOTED.fullmatch(p.strip()) for p in body.split(",")):
        multi = f"the union [{body}]"
    if multi is None:
        return f"'[{inner}]' is not a valid selector (use [0], ['name'], [*], [1:3] or [?(@.x > 1)])"
    if reference:
        return f"{multi} can select several values, which a Reference Path may not"
    return None


@lru_cache(maxsize=16384)
def path_problem(text: str, *, reference: bool = False, context: bool = True,
                 variables: bool = True) -> PathProblem | None:
    """Check one JSONPath string; None when it is fine.

    ``reference`` asks for a Reference Path; ``context`` allows ``$$...``; ``variables`` allows ``$name``.

    Example:
        >>> path_problem("$.items[0].id") is None
        True
        >>> path_problem("$.items[*].id", reference=True).code
        'ASL311'
        >>> path_problem("$$23").message
        "unexpected '2' after '$$' (expected '.', '[' or the end)"
    """
    if not text.startswith("$"):
        return PathProblem("ASL310", "a path must start with '$' (state input), '$$' (context) or '$name' (variable)")
    if text.startswith("$$"):
        if not context:
            return PathProblem("ASL312", "the context object ($$) cannot be used here")
        i, root = 2, "$$"
    else:
        m = _IDENT.match(text, 1)
        if m:
            if not variables:
                return PathProblem("ASL312", f"the variable '${m.group()}' cannot be used here; "
                                             "use a path into the state input such as '$.name'")
            i, root = m.end(), text[: m.end()]
        else:
            i, root = 1, "$"
    n = len(text)
    while i < n:
        c = text[i]
        if c == ".":
            if text.startswith("..", i):
                if reference:
                    return PathProblem("ASL311", "'..' (deep scan) can select several values, "
                                                 "which a Reference Path may not")
                i += 2
                if i < n and text[i] == "[":
                    continue
            else:
                i += 1
                if i < n and text[i] == "[":  # '$.[0]' is accepted by Jayway JsonPath (and AWS)
                    continue
            if i < n and text[i] == "*":
                if reference:
                    return PathProblem("ASL311", "'.*' can select several values, which a Reference Path may not")
                i += 1
                continue
            m = _DOT_NAME.match(text, i)
            if m is None:
                where = f"'{text[i]}'" if i < n else "the end"
                return PathProblem("ASL310", f"expected a field name after '.' but found {where}")
            i = m.end()
        elif c == "[":
            end = _bracket_end(text, i)
            if end < 0:
                return PathProblem("ASL310", f"'[' at character {i + 1} is never closed with ']'")
            why = _bracket_problem(text[i + 1: end], reference)
            if why:
                return PathProblem("ASL311" if "Reference Path" in why else "ASL310", why)
            i = end + 1
        else:
            return PathProblem("ASL310", f"unexpected '{c}' after '{text[:i] or root}' "
                                         "(expected '.', '[' or the end)")
    return None
