"""Choice states: JSONPath rules (Variable + one comparator, And/Or/Not) and JSONata rules (Condition).

Nested And/Or/Not rules are walked with an explicit stack.
"""

from __future__ import annotations

from typing import Any

from workbench.asl.lint.diagnostics.report import Loc, Reporter
from workbench.asl.lint.rules.spec import (
    CHOICE_RULE_FIELDS_JSONATA,
    CHOICE_RULE_FIELDS_JSONPATH,
    COMPARATORS,
    JSONATA,
)
from workbench.asl.lint.rules.templates import walk_template
from workbench.asl.lint.rules.values import check_path, check_timestamp, suggest, type_word
from workbench.asl.lint.syntax.jsonata import check_jsonata_string, is_jsonata
from workbench.asl.lint.syntax.paths import has_placeholder

_BOOLEAN_OPS = ("And", "Or", "Not")
_JSONATA_ONLY_RULE = frozenset({"Condition", "Output"})
_JSONPATH_ONLY_RULE = frozenset({"Variable", "And", "Or", "Not", *COMPARATORS})


def check_choice(state: dict[str, Any], loc: Loc, ql: str, rep: Reporter) -> None:
    """Check ``Choices`` and ``Default`` of a Choice state (targets are checked by the graph rules)."""
    choices = state.get("Choices")
    if "Choices" not in state:
        rep.add("ASL113", loc, "a Choice state needs \"Choices\": a list of rules, each with a \"Next\"")
    elif not isinstance(choices, list) or not choices:
        rep.add("ASL113", (*loc, "Choices"), f"Choices must be a non-empty list of rules, but it is "
                                              f"{'an empty list' if choices == [] else type_word(choices)}")
    else:
        for i, rule in enumerate(choices):
            rloc = (*loc, "Choices", i)
            if not isinstance(rule, dict):
                rep.add("ASL210", rloc, f"a Choice rule must be an object, not {type_word(rule)}")
            elif ql == JSONATA:
                _jsonata_rule(rule, rloc, rep)
            else:
                _jsonpath_rules(rule, rloc, rep)
    if "Default" in state and not isinstance(state["Default"], str):
        rep.add("ASL201", (*loc, "Default"), f"Default must be a state name, not {type_word(state['Default'])}")


def _jsonata_rule(rule: dict[str, Any], loc: Loc, rep: Reporter) -> None:
    for key in rule:
        if key in _JSONPATH_ONLY_RULE:
            rep.add("ASL301", (*loc, key), f"'{key}' is a JSONPath Choice rule field; in a JSONata state write "
                                            "\"Condition\": \"{% boolean expression %}\"")
        elif key not in CHOICE_RULE_FIELDS_JSONATA:
            rep.add("ASL200", (*loc, key), f"'{key}' is not a field of a Choice rule"
                                            f"{suggest(str(key), CHOICE_RULE_FIELDS_JSONATA)}")
    if "Condition" not in rule:
        rep.add("ASL204", loc, "a JSONata Choice rule needs \"Condition\": \"{% boolean expression %}\"")
    else:
        cond = rule["Condition"]
        if isinstance(cond, str) and (is_jsonata(cond) or cond.startswith("{%") or cond.endswith("%}")):
            check_jsonata_string(cond, (*loc, "Condition"), rep)
        elif not isinstance(cond, bool):
            rep.add("ASL201", (*loc, "Condition"), "Condition must be a \"{% boolean expression %}\" or "
                                                    f"true/false, not {type_word(cond)}")
    _next_field(rule, loc, rep, top=True)
    for field in ("Assign", "Output"):
        if field in rule:
            walk_template(rule[field], (*loc, field), rep, jsonata=True)


def _next_field(rule: dict[str, Any], loc: Loc, rep: Reporter, *, top: bool) -> None:
    if top:
        if "Next" not in rule:
            rep.add("ASL210", loc, "each Choice rule needs \"Next\": the state to go to when it matches "
                                   "(rules cannot end the execution; point Next at a Succeed state)")
        elif not isinstance(rule["Next"], str):
            rep.add("ASL201", (*loc, "Next"), f"Next must be a state name, not {type_word(rule['Next'])}")
    elif "Next" in rule:
        rep.add("ASL210", (*loc, "Next"), "rules nested inside And/Or/Not cannot have \"Next\"; "
                                           "put Next on the outermost rule")


def _jsonpath_rules(top_rule: dict[str, Any], top_loc: Loc, rep: Reporter) -> None:
    stack: list[tuple[dict[str, Any], Loc, bool]] = [(top_rule, top_loc, True)]
    while stack:
        rule, loc, top = stack.pop()
        for key in rule:
            if key in _JSONATA_ONLY_RULE:
                rep.add("ASL300", (*loc, key), f"'{key}' is a JSONata Choice rule field; this state uses JSONPath "
                                                "(set \"QueryLanguage\": \"JSONata\" on the state to use it)")
            elif key not in CHOICE_RULE_FIELDS_JSONPATH:
                hint = " (rules cannot end the execution; use Next to a Succeed state)" if key == "End" else ""
                rep.add("ASL200", (*loc, key), f"'{key}' is not a field of a Choice rule"
                                                f"{suggest(str(key), CHOICE_RULE_FIELDS_JSONPATH)}{hint}")
        _next_field(rule, loc, rep, top=top)
        if "Assign" in rule:
            if top:
                walk_template(rule["Assign"], (*loc, "Assign"), rep, jsonata=False)
            else:
                rep.add("ASL210", (*loc, "Assign"), "only the outermost Choice rule can have Assign")
        ops = [k for k in _BOOLEAN_OPS if k in rule]
        comparators = [k for k in rule if k in COMPARATORS]
        if ops:
            extra = [*ops[1:], *comparators, *(["Variable"] if "Variable" in rule else [])]
            if extra:
                rep.add("ASL210", loc, f"a rule with {ops[0]} cannot also have {', '.join(extra)}; "
                                       "split it into separate rules")
            stack.extend(reversed(_nested(rule, ops[0], loc, rep)))
            continue
        _data_test(rule, comparators, loc, rep)


def _nested(rule: dict[str, Any], op: str, loc: Loc, rep: Reporter) -> list[tuple[dict[str, Any], Loc, bool]]:
    value = rule[op]
    out: list[tuple[dict[str, Any], Loc, bool]] = []
    if op == "Not":
        if isinstance(value, dict):
            out.append((value, (*loc, op), False))
        else:
            rep.add("ASL210", (*loc, op), f"Not must hold one rule object, not {type_word(value)}")
        return out
    if not isinstance(value, list) or not value:
        rep.add("ASL210", (*loc, op), f"{op} must be a non-empty list of rules, not "
                                       f"{'an empty list' if value == [] else type_word(value)}")
        return out
    for i, sub in enumerate(value):
        if isinstance(sub, dict):
            out.append((sub, (*loc, op, i), False))
        else:
            rep.add("ASL210", (*loc, op, i), f"each rule in {op} must be an object, not {type_word(sub)}")
    return out


def _data_test(rule: dict[str, Any], comparators: list[str], loc: Loc, rep: Reporter) -> None:
    if "Variable" not in rule:
        rep.add("ASL210", loc, "a Choice rule needs \"Variable\" (the path to test) and one comparator such as "
                               "\"StringEquals\", or And/Or/Not")
    else:
        check_path(rule, "Variable", loc, rep, reference=False)
    if not comparators:
        if "Variable" in rule:
            rep.add("ASL210", loc, "a Choice rule needs exactly one comparator (StringEquals, NumericLessThan, "
                                   "IsPresent, ...) next to Variable")
        return
    if len(comparators) > 1:
        rep.add("ASL210", (*loc, comparators[1]), f"a Choice rule can have only one comparator, but it has "
                                                   f"{', '.join(comparators)}; combine rules with And/Or")
    for op in comparators:
        _operand(op, rule[op], (*loc, op), rep)


def _operand(op: str, value: Any, where: Loc, rep: Reporter) -> None:
    kind = COMPARATORS[op]
    if has_placeholder(value):
        return
    if kind == "path":
        check_path({op: value}, op, where[:-1], rep, reference=False)
    elif kind == "timestamp":
        check_timestamp(value, where, op, rep)
    elif kind == "string" and not isinstance(value, str):
        rep.add("ASL201", where, f"{op} compares with a string, not {type_word(value)}")
    elif kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        rep.add("ASL201", where, f"{op} compares with a number, not {type_word(value)}")
    elif kind == "boolean" and not isinstance(value, bool):
        rep.add("ASL201", where, f"{op} must be true or false, not {type_word(value)}")
