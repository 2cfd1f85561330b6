"""Payload templates (Parameters, ResultSelector, ItemSelector, Arguments, Output, Assign) walked iteratively.

JSONPath templates: keys ending in ``.$`` hold a Path or an intrinsic function call, and ``key`` next to
``key.$`` is a conflict. JSONata templates: every string may be a ``{% %}`` expression; ``.$`` keys are
a JSONPath habit that does not work there.
"""

from __future__ import annotations

from typing import Any

from workbench.asl.lint.diagnostics.report import Loc, Reporter
from workbench.asl.lint.rules.values import type_word
from workbench.asl.lint.syntax.intrinsics import intrinsic_problem, looks_like_intrinsic
from workbench.asl.lint.syntax.jsonata import check_jsonata_in_jsonpath, check_jsonata_string
from workbench.asl.lint.syntax.paths import PathProblem, has_placeholder, path_problem


def dollar_value_problem(value: Any) -> PathProblem | None:
    """Why a ``"key.$"`` value is refused (None when it is a valid Path or intrinsic function call).

    Example:
        >>> dollar_value_problem("$.a") is None, dollar_value_problem(23).code
        (True, 'ASL313')
    """
    if not isinstance(value, str):
        return PathProblem("ASL313", f"the value must be a string holding a Path or an intrinsic function, "
                                     f"not {type_word(value)}")
    if has_placeholder(value):
        return None
    if looks_like_intrinsic(value):
        return intrinsic_problem(value)
    if value.startswith("$"):
        return path_problem(value)
    return PathProblem("ASL313", f"'{value}' is not a Path (starting with '$') or an intrinsic function "
                                 "call (States.Format(...), ...)")


def walk_template(value: Any, loc: Loc, rep: Reporter, *, jsonata: bool, dollar_keys: bool = True) -> None:
    """Check a payload template in document order; ``dollar_keys`` is False for literal fields (Result)."""
    stack: list[tuple[Any, Loc]] = [(value, loc)]
    while stack:
        item, here = stack.pop()
        if isinstance(item, dict):
            children: list[tuple[Any, Loc]] = []
            for key, child in item.items():
                child_loc = (*here, key)
                if dollar_keys and isinstance(key, str) and key.endswith(".$") and len(key) > 2:
                    if jsonata:
                        rep.add("ASL323", child_loc, f"'{key}': keys ending in '.$' are JSONPath syntax; in a "
                                                     f"JSONata state write \"{key[:-2]}\": \"{{% expression %}}\"")
                    else:
                        _check_dollar(key, child, item, child_loc, rep)
                        continue
                children.append((child, child_loc))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([(child, (*here, i)) for i, child in enumerate(item)]))
        elif isinstance(item, str):
            if jsonata:
                check_jsonata_string(item, here, rep)
            else:
                check_jsonata_in_jsonpath(item, here, rep)


def _check_dollar(key: str, value: Any, parent: dict[Any, Any], loc: Loc, rep: Reporter) -> None:
    problem = dollar_value_problem(value)
    if problem:
        rep.add(problem.code, loc, f"'{key}' must hold a Path or an intrinsic function call: {problem.message}",
                hint="drop the '.$' from the key to pass the value as a literal")
    plain = key[:-2]
    if plain in parent:
        rep.add("ASL316", loc, f"both '{plain}' and '{key}' are set; they produce the same output key, "
                               "so keep only one")
