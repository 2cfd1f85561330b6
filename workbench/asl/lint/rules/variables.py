"""Workflow variables: every ``$name`` a state reads is assigned in its scope, and no branch writes an outer one.

The rules, from Step Functions' "Passing data between states with variables" and what AWS does:

* The top-level states share one scope. Each Parallel branch and each Map iteration (``ItemProcessor`` /
  ``Iterator``) is an inner scope that can *read* the variables of the scopes around it. A Distributed Map's
  child workflows are separate executions: they see none of the outer variables (pass them in
  ``ItemSelector``). The Parallel or Map state itself, with its ``Assign``, ``ItemSelector`` and paths,
  belongs to the scope around it.
* Reading a variable no state in scope assigns is accepted when the machine is created, and fails the
  state when it runs: the recorded AWS history ``test_assign_reference_variables__test_undefined_reference``
  ends with ``States.QueryEvaluationError`` ("... returned nothing (undefined)"). So ASL340 is a warning.
* A state in an inner scope cannot assign a variable that an outer scope holds: the interpreter fails the
  state ("Cannot bind value ... as it belongs to an outer scope"). A branch returns values in ``Output``
  and the Parallel/Map state assigns them. ASL341, a warning: it fails at run time, not at creation.

Names are checked where ``Assign`` is read (ASL215, in ``fields.py``); this module checks where they are used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workbench.asl.lint.diagnostics.report import Loc, Reporter
from workbench.asl.lint.rules.spec import JSONATA, JSONPATH
from workbench.asl.lint.rules.values import suggest
from workbench.asl.lint.syntax.jsonata import is_jsonata

_INNER_FIELDS = frozenset({"Branches", "ItemProcessor", "Iterator"})
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NAME = re.compile(r"(?<![\w$])\$([^\W\d]\w*)")
_JSONATA_BOUND = re.compile(r"\$([^\W\d]\w*)\s*:=")
_JSONATA_PARAMS = re.compile(r"function\s*\(([^)]*)\)")
# JSONata's built-in functions and those Step Functions adds: named without a call, they are values.
_FUNCTIONS = frozenset({
    "sum", "count", "max", "min", "average", "string", "substring", "substringBefore", "substringAfter", "lowercase",
    "uppercase", "length", "trim", "pad", "contains", "split", "join", "match", "replace", "eval", "base64encode",
    "base64decode", "encodeUrlComponent", "encodeUrl", "decodeUrlComponent", "decodeUrl", "formatNumber",
    "formatBase", "formatInteger", "parseInteger", "number", "abs", "floor", "ceil", "round", "power", "sqrt",
    "random", "millis", "toMillis", "fromMillis", "now", "boolean", "not", "exists", "append", "sort", "reverse",
    "shuffle", "distinct", "zip", "keys", "lookup", "spread", "merge", "sift", "each", "error", "assert", "type",
    "map", "filter", "single", "reduce", "partition", "range", "hash", "uuid", "parse",
})


@dataclass
class _Scope:
    """One variable scope: the states of the machine, of a Parallel branch or of a Map iteration."""

    states: dict[Any, Any]
    loc: Loc
    language: str
    parent: _Scope | None = None
    distributed: bool = False  # a Distributed Map's child workflows see nothing of the outer scopes
    assigned: set[str] = field(default_factory=set)

    def outer(self) -> set[str]:
        """Variables of the enclosing scopes that this scope can read (none across a Distributed Map)."""
        if self.parent is None or self.distributed:
            return set()
        return self.parent.assigned | self.parent.outer()


def check_variables(data: dict[str, Any], rep: Reporter) -> None:
    """ASL340 (a read of a variable no state in scope assigns) and ASL341 (a branch assigning an outer variable).

    Example:
        >>> rep = Reporter()
        >>> check_variables({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        ...     "A": {"Type": "Pass", "Output": "{% $total %}", "End": True}}}, rep)
        >>> [(f.code, f.loc) for f in rep.findings]
        [('ASL340', ('States', 'A', 'Output'))]
    """
    top = data.get("QueryLanguage") if data.get("QueryLanguage") in (JSONATA, JSONPATH) else JSONPATH
    scopes = list(_scopes(data, (), str(top), None, False))
    for scope in scopes:
        for name, state in _state_items(scope):
            scope.assigned.update(name for name, _ in _assignments(state, (*scope.loc, "States", name)))
    for scope in scopes:
        outer = scope.outer()
        visible = scope.assigned | outer
        for state_name, state in _state_items(scope):
            sloc = (*scope.loc, "States", state_name)
            language = _language(state, scope.language)
            for variable, where in _reads(state, sloc, language):
                if variable not in visible:
                    rep.add("ASL340", where, _unassigned(variable, scope, visible))
            if scope.parent is not None and not scope.distributed:
                for variable, where in _assignments(state, sloc):
                    if variable in outer:
                        rep.add("ASL341", where, f"this state is inside a Parallel branch or Map iteration and "
                                                 f"assigns ${variable}, which belongs to an outer scope; the state "
                                                 "fails at run time. Return the value in Output and assign it on "
                                                 "the Parallel or Map state")


def _unassigned(variable: str, scope: _Scope, visible: set[str]) -> str:
    if scope.distributed and scope.parent is not None and variable in (scope.parent.assigned | scope.parent.outer()):
        return (f"${variable} is assigned outside this Distributed Map, whose child workflows cannot read outer "
                "variables; pass it to each item in ItemSelector")
    return (f"${variable} is read here but no state in this scope assigns it{suggest(variable, visible)}; the "
            "state fails at run time (States.QueryEvaluationError in JSONata). Assign it in an earlier state")


def _scopes(graph: Any, loc: Loc, language: str, parent: _Scope | None, distributed: bool) -> Iterator[_Scope]:
    """Every scope of the machine, outermost first."""
    states = graph.get("States") if isinstance(graph, dict) else None
    if not isinstance(states, dict):
        return
    scope = _Scope(states, loc, language, parent, distributed)
    yield scope
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        sloc = (*loc, "States", name)
        inner_language = _language(state, language)
        if state.get("Type") == "Parallel" and isinstance(state.get("Branches"), list):
            for i, branch in enumerate(state["Branches"]):
                yield from _scopes(branch, (*sloc, "Branches", i), inner_language, scope, False)
        if state.get("Type") == "Map":
            for key in ("ItemProcessor", "Iterator"):
                processor = state.get(key)
                if isinstance(processor, dict):
                    config = processor.get("ProcessorConfig")
                    mode = config.get("Mode") if isinstance(config, dict) else None
                    yield from _scopes(processor, (*sloc, key), inner_language, scope, mode == "DISTRIBUTED")


def _state_items(scope: _Scope) -> Iterator[tuple[Any, dict[str, Any]]]:
    return ((name, state) for name, state in scope.states.items() if isinstance(state, dict))


def _language(state: dict[str, Any], inherited: str) -> str:
    own = state.get("QueryLanguage")
    return own if own in (JSONATA, JSONPATH) else inherited


def _assignments(state: dict[str, Any], loc: Loc) -> Iterator[tuple[str, Loc]]:
    """Variables a state assigns: its Assign, and those of its Choice rules and catchers."""
    holders: list[tuple[Any, Loc]] = [(state.get("Assign"), (*loc, "Assign"))]
    for list_field in ("Choices", "Catch"):
        items = state.get(list_field)
        if isinstance(items, list):
            holders += [(item.get("Assign"), (*loc, list_field, i, "Assign"))
                        for i, item in enumerate(items) if isinstance(item, dict)]
    for assign, where in holders:
        if isinstance(assign, dict):
            for key in assign:
                if isinstance(key, str):
                    yield (key[:-2] if key.endswith(".$") else key), (*where, key)


def _reads(state: dict[str, Any], loc: Loc, language: str) -> Iterator[tuple[str, Loc]]:
    """Variables read by one state's own fields (not those of its branches or iterations)."""
    stack: list[tuple[Any, Any, Loc]] = [(key, value, (*loc, key)) for key, value in state.items()
                                         if key not in _INNER_FIELDS]
    while stack:
        key, value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((k, v, (*where, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((key, v, (*where, i)) for i, v in enumerate(value))
        elif isinstance(value, str):
            names = (_jsonata_names(value) if language == JSONATA and is_jsonata(value)
                     else _path_names(value) if language == JSONPATH and _is_path_key(key) else set())
            yield from ((name, where) for name in sorted(names))


def _is_path_key(key: Any) -> bool:
    """JSONPath fields whose value is a path or an intrinsic call (``x.$``, ``*Path`` except ResultPath, Variable)."""
    return isinstance(key, str) and (key.endswith(".$") or key == "Variable"
                                     or (key.endswith("Path") and key != "ResultPath"))


def _path_names(text: str) -> set[str]:
    """``$name`` at the start of a variable path or as an intrinsic function argument (``$$`` and ``$.`` aren't)."""
    return set(_NAME.findall(_QUOTED.sub("''", text)))


def _jsonata_names(text: str) -> set[str]:
    """Free variables of a JSONata expression: not ``$states``, not a function, not bound inside it."""
    body = _QUOTED.sub("''", text[2:-2])
    bound = set(_JSONATA_BOUND.findall(body))
    for params in _JSONATA_PARAMS.findall(body):
        bound.update(_NAME.findall(params))
    calls = set(re.findall(r"(?<![\w$])\$([^\W\d]\w*)\s*\(", body))
    return set(_NAME.findall(body)) - bound - calls - _FUNCTIONS - {"states"}
