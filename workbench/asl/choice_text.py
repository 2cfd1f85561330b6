"""Short, human text for Choice rules, used as edge labels in the state-machine graph.

A JSONata rule shows its ``Condition`` without the ``{% %}`` fence; a JSONPath rule is
rendered like code a reader already knows (``$.n > 3``, ``$.x is present``, ``And(...)``),
so the graph reads like the definition without opening the JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_TYPES = ("String", "Numeric", "Boolean", "Timestamp")
_OPERATORS = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}
_IS_TESTS = {
    "IsNull": ("is null", "is not null"),
    "IsPresent": ("is present", "is absent"),
    "IsNumeric": ("is numeric", "is not numeric"),
    "IsString": ("is string", "is not string"),
    "IsBoolean": ("is boolean", "is not boolean"),
    "IsTimestamp": ("is timestamp", "is not timestamp"),
}
_NOT_RULE_KEYS = frozenset({"Next", "Comment", "Variable", "Assign", "Output", "End"})


def strip_jsonata(text: str) -> str:
    """``"{% $x > 1 %}"`` → ``"$x > 1"``; text without the fence is returned trimmed."""
    s = text.strip()
    if s.startswith("{%") and s.endswith("%}"):
        s = s[2:-2].strip()
    return s


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _comparison(variable: str, key: str, value: Any) -> str | None:
    is_path = key.endswith("Path")
    base = key[:-4] if is_path else key
    for prefix in _TYPES:
        if not base.startswith(prefix):
            continue
        op = base[len(prefix):]
        rhs = str(value) if is_path else _literal(value)
        if op == "Matches":
            return f"{variable} matches {rhs}"
        symbol = _OPERATORS.get(op)
        if symbol is not None:
            return f"{variable} {symbol} {rhs}"
    test = _IS_TESTS.get(key)
    if test is not None:
        return f"{variable} {test[0] if value is not False else test[1]}"
    return None


def rule_text(rule: Any) -> str:
    """Compact text of one Choice rule (JSONata or JSONPath), recursing only into And/Or/Not nesting.

    Example:
        >>> rule_text({"Variable": "$.n", "NumericGreaterThan": 3, "Next": "Big"})
        '$.n > 3'
        >>> rule_text({"And": [{"Variable": "$.x", "StringEquals": "a"}, {"Variable": "$.y", "IsPresent": False}]})
        'And($.x == "a", $.y is absent)'
        >>> rule_text({"Condition": "{% $states.input.ok %}", "Next": "Done"})
        '$states.input.ok'
    """
    if not isinstance(rule, Mapping):
        return "?"
    if "Condition" in rule:
        cond = rule["Condition"]
        return strip_jsonata(cond) if isinstance(cond, str) else json.dumps(cond)
    for combinator in ("And", "Or"):
        if combinator in rule:
            parts = rule[combinator]
            inner = ", ".join(rule_text(p) for p in parts) if isinstance(parts, list) else "?"
            return f"{combinator}({inner})"
    if "Not" in rule:
        return f"Not({rule_text(rule['Not'])})"
    variable = str(rule.get("Variable", "?"))
    for key, value in rule.items():
        if key in _NOT_RULE_KEYS:
            continue
        text = _comparison(variable, str(key), value)
        if text is not None:
            return text
    rest = {k: v for k, v in rule.items() if k not in ("Next", "Comment")}
    return json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else "?"
