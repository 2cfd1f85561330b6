"""Small value checks shared by the rules: integers in range, words from a list, paths, timestamps.

Each returns nothing and reports through the :class:`Reporter`; strings holding a ``${Name}``
deployment placeholder are accepted wherever a literal number, ARN or path would be checked.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from workbench.asl.lint.diagnostics.report import Loc, Reporter
from workbench.asl.lint.syntax.intrinsics import intrinsic_problem, looks_like_intrinsic
from workbench.asl.lint.syntax.jsonata import check_jsonata_string, is_jsonata
from workbench.asl.lint.syntax.paths import has_placeholder, path_problem

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def type_word(value: Any) -> str:
    """Plain-words JSON type of a value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` for a close match, else empty."""
    match = difflib.get_close_matches(word, [c for c in choices if isinstance(c, str)], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def dynamic_ok(value: Any, jsonata: bool) -> bool:
    """True when a value stands for a number decided later: a placeholder, or JSONata in a JSONata state."""
    return has_placeholder(value) or (jsonata and is_jsonata(value))


def check_unknown(obj: Mapping[Any, Any], allowed: Collection[str], loc: Loc, rep: Reporter, what: str,
                  code: str = "ASL200") -> None:
    """Report keys of ``obj`` not in ``allowed`` (with a spelling suggestion)."""
    for key in obj:
        if key not in allowed:
            rep.add(code, (*loc, key), f"'{key}' is not a field of {what}{suggest(str(key), allowed)}; "
                                        f"allowed: {', '.join(sorted(allowed))}")


def check_int(obj: Mapping[str, Any], field: str, loc: Loc, rep: Reporter, *, minimum: int,
              maximum: int | None = None, jsonata: bool = False) -> int | None:
    """Check ``obj[field]`` (when present) is an integer in range; returns it when literal and valid."""
    if field not in obj:
        return None
    value = obj[field]
    if dynamic_ok(value, jsonata):
        if jsonata and is_jsonata(value):
            check_jsonata_string(value, (*loc, field), rep)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            detail = f"{value} has a decimal point"
        else:
            detail = f"it is {type_word(value)}"
        extra = " or a \"{% expression %}\"" if jsonata else ""
        rep.add("ASL201", (*loc, field), f"{field} must be a whole number{extra}, but {detail}")
        return None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        rep.add("ASL202", (*loc, field), f"{field} is {value}; it must be {bound}")
        return None
    return value


def check_number(obj: Mapping[str, Any], field: str, loc: Loc, rep: Reporter, *, minimum: float,
                 maximum: float | None = None, jsonata: bool = False) -> None:
    """Check ``obj[field]`` (when present) is a number in range."""
    if field not in obj:
        return
    value = obj[field]
    if dynamic_ok(value, jsonata):
        if jsonata and is_jsonata(value):
            check_jsonata_string(value, (*loc, field), rep)
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        rep.add("ASL201", (*loc, field), f"{field} must be a number, but it is {type_word(value)}")
        return
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
        rep.add("ASL202", (*loc, field), f"{field} is {value}; the allowed minimum is {minimum:g}, so it must "
                                          f"be {bound}")


def check_string(obj: Mapping[str, Any], field: str, loc: Loc, rep: Reporter) -> str | None:
    """Check ``obj[field]`` (when present) is a string; returns it."""
    if field not in obj:
        return None
    value = obj[field]
    if not isinstance(value, str):
        rep.add("ASL201", (*loc, field), f"{field} must be a string, but it is {type_word(value)}")
        return None
    return value


def check_enum(obj: Mapping[str, Any], field: str, allowed: Collection[str], loc: Loc, rep: Reporter) -> str | None:
    """Check ``obj[field]`` (when present) is one of ``allowed``; returns it when valid."""
    if field not in obj:
        return None
    value = obj[field]
    if has_placeholder(value):
        return None
    if not isinstance(value, str) or value not in allowed:
        words = ", ".join(f'"{a}"' for a in allowed)
        shown = f"'{value}'" if isinstance(value, str) else type_word(value)
        rep.add("ASL205", (*loc, field), f"{field} is {shown}, which is not one of the allowed values [{words}]"
                                          f"{suggest(value, allowed) if isinstance(value, str) else ''}")
        return None
    return value


def check_path(obj: Mapping[str, Any], field: str, loc: Loc, rep: Reporter, *, reference: bool,
               nullable: bool = False, context: bool = True, variables: bool = True,
               intrinsic: bool = False) -> None:
    """Check a ``*Path`` field: string syntax, Reference Path limits, null, intrinsic functions."""
    if field not in obj:
        return
    value = obj[field]
    where = (*loc, field)
    if value is None:
        if not nullable:
            rep.add("ASL201", where, f"{field} should be non-null; give a path such as \"$.items\" or remove it")
        return
    if not isinstance(value, str):
        rep.add("ASL201", where, f"{field} must be a path string, but it is {type_word(value)}")
        return
    if has_placeholder(value):
        return
    if intrinsic and looks_like_intrinsic(value):
        problem = intrinsic_problem(value)
    elif looks_like_intrinsic(value):
        rep.add("ASL310", where, f"{field} must be a path; intrinsic functions like '{value.split('(')[0]}' are "
                                 "only allowed in '.$' fields of Parameters/ResultSelector/ItemSelector")
        return
    else:
        problem = path_problem(value, reference=reference, context=context, variables=variables)
    if problem:
        kind = "Reference Path" if reference else "Path"
        rep.add(problem.code, where, f"{field} '{value}' is not a valid {kind}: {problem.message}")


def check_timestamp(value: Any, where: Loc, field: str, rep: Reporter, *, jsonata: bool = False) -> None:
    """Check an RFC 3339 timestamp with an uppercase T and Z (or a numeric offset)."""
    if dynamic_ok(value, jsonata):
        if jsonata and is_jsonata(value):
            check_jsonata_string(value, where, rep)
        return
    if not isinstance(value, str):
        rep.add("ASL201", where, f"{field} must be a timestamp string, but it is {type_word(value)}")
    elif not _TIMESTAMP.fullmatch(value):
        rep.add("ASL213", where, f"{field} '{value}' is not an RFC 3339 timestamp; write it like "
                                 "\"2016-03-14T01:59:00Z\" (uppercase T and Z)")
