"""JSON within an :class:`~workbench.core.input_budget.InputBudget`: :func:`check_json` scans the text's depth
and size at C speed before :func:`loads_json` hands it to :func:`json.loads` (re-exported by
:mod:`workbench.core.yaml_load`).
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any, NoReturn

from workbench.core.input_budget import MAX_DIGITS, InputBudget, _not_a_number, _too_deep, _too_many

__all__ = ["check_json", "loads_json"]

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_SCALAR = re.compile(r'""|-?\d[\d.eE+-]*|true|false|null')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_SIGN = str.maketrans("[{]}", "++--")
_SIGN_VALUE = {"+": 1, "-": -1}


def check_json(text: str, file: str = "<string>", budget: InputBudget | None = None) -> None:
    """Check JSON text against the depth and node budgets *before* :func:`json.loads` recurses into it.

    A cheap scan: strings are blanked, the bracket depth and the value count measured at C speed.
    Invalid JSON is not reported here (the parser's message is better); it only must not be too deep.

    Example:
        >>> check_json('{"a": [[1, "]]]"]]}', budget=InputBudget(max_depth=3))
        >>> check_json("[[[[1]]]]", "deep.json", InputBudget(max_depth=3))
        Traceback (most recent call last):
        ...
        workbench.core.input_budget.BudgetExceeded: deep.json: error INPUT004: the document nests deeper than 3 levels \
(budget: nesting depth 3) Hint: flatten the structure; no Mission or state machine needs this depth
    """
    budget = budget or InputBudget()
    blank = _JSON_STRING.sub('""', text)
    brackets = _NOT_BRACKET.sub("", blank).translate(_BRACKET_SIGN)
    if brackets and max(accumulate(map(_SIGN_VALUE.__getitem__, brackets))) > budget.max_depth:
        raise _too_deep(file, budget)
    nodes = _JSON_SCALAR.subn("", blank)[1] + brackets.count("+")
    if nodes > budget.max_nodes:
        raise _too_many(file, budget)


def loads_json(text: str, file: str = "<string>", budget: InputBudget | None = None,
               **kwargs: Any) -> Any:  # Any: kwargs are json.loads's own options; its hooks decide what is returned
    """:func:`json.loads` after :func:`check_json`; ``kwargs`` go to ``json.loads``.

    Example:
        >>> loads_json('{"a": [1, 2]}')
        {'a': [1, 2]}
    """
    import json

    check_json(text, file, budget)

    def no_constant(name: str) -> NoReturn:
        raise _not_a_number(file, f"{name} is not a JSON number")

    def int_within_budget(digits: str) -> int:
        if len(digits) > MAX_DIGITS:
            raise _not_a_number(file, f"a number with {len(digits):,} digits is too long")
        return int(digits)

    kwargs.setdefault("parse_constant", no_constant)
    kwargs.setdefault("parse_int", int_within_budget)
    try:
        return json.loads(text, **kwargs)
    except RecursionError:  # a caller already deep in the stack: report the budget, never a traceback
        raise _too_deep(file, budget or InputBudget()) from None
