"""``lint()``: run every rule family over a definition, graph by graph, with a work queue (no recursion)."""

from __future__ import annotations

from collections import deque
from typing import Any

from workbench.asl.lint.diagnostics.codes import ENGINE_CODES
from workbench.asl.lint.diagnostics.report import Loc, Reporter, render_location
from workbench.asl.lint.load.loader import AslDocument
from workbench.asl.lint.rules.engine import check_engine_support
from workbench.asl.lint.rules.fields import check_state
from workbench.asl.lint.rules.limits import check_definition_size, check_name, check_payloads, json_size
from workbench.asl.lint.rules.mapstate import Graph
from workbench.asl.lint.rules.numbers import check_number_text
from workbench.asl.lint.rules.spec import (
    JSONATA,
    JSONPATH,
    MAX_SECONDS,
    NEAR_LIMIT,
    PAYLOAD_LIMIT,
    QUERY_LANGUAGES,
    STATE_FIELDS,
    STATE_TYPES,
    STATES_ERRORS,
)
from workbench.asl.lint.rules.structure import check_graph, state_type
from workbench.asl.lint.rules.values import check_enum, check_int, check_string, suggest, type_word
from workbench.asl.lint.rules.variables import check_variables
from workbench.core.diagnostics import Diagnostic


def lint(definition: dict[str, Any] | AslDocument, *, file: str | None = None) -> list[Diagnostic]:
    """Check an ASL definition against the States Language spec and Step Functions' rules.

    Pure: returns diagnostics (errors and warnings, each with a stable ``ASLnnn`` code and an ASL path
    location); given an :class:`AslDocument` they also carry file, line and column.

    Example:
        >>> bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}
        >>> [(d.code, d.location) for d in lint(bad)]
        [('ASL105', 'States.A.Next'), ('ASL108', 'States')]
    """
    doc = definition if isinstance(definition, AslDocument) else None
    data = doc.definition if doc is not None else definition
    rep = Reporter()
    if doc is not None:
        for dup in doc.duplicates:
            key = dup.loc[-1]
            rep.add("ASL003", dup.loc, f"key '{key}' appears twice in the same object; JSON keeps only the last "
                                       "one, so delete or rename one of them", at=(dup.line, dup.column))
        if not doc.is_yaml:
            check_number_text(doc.text, rep)
    _lint_data(data, rep)
    if isinstance(data, dict):
        size = len(doc.text.encode("utf-8")) if doc is not None else json_size(data)
        check_definition_size(size, rep)
        if size > PAYLOAD_LIMIT * NEAR_LIMIT:
            check_payloads(_all_states(data), rep)
    name = file if file is not None else (doc.file if doc is not None else None)
    locate = doc.position if doc is not None else None
    return rep.diagnostics(name, locate)


def _lint_data(data: Any, rep: Reporter) -> None:
    if not isinstance(data, dict):
        rep.add("ASL100", (), f"an ASL definition must be a JSON object with StartAt and States, "
                              f"not {type_word(data)}")
        return
    top_ql = check_enum(data, "QueryLanguage", QUERY_LANGUAGES, (), rep) or JSONPATH
    check_string(data, "Comment", (), rep)
    check_string(data, "Version", (), rep)
    check_int(data, "TimeoutSeconds", (), rep, minimum=1, maximum=MAX_SECONDS)
    names = _first_locations(data)
    queue: deque[Graph] = deque([Graph(data, (), "machine")])
    while queue:
        graph = queue.popleft()
        states = check_graph(graph.obj, graph.loc, graph.kind, rep, names)
        for name, state in states.items():
            sloc = (*graph.loc, "States", name)
            first = names.setdefault(name, sloc)
            if first != sloc:
                rep.add("ASL111", sloc, f"state name '{name}' is already used (at {render_location(first)}); "
                                        "names must be unique in the whole state machine, so rename one")
            check_name(str(name), sloc, rep)
            if state_type(state) not in STATE_FIELDS:
                _bad_type(state.get("Type"), "Type" in state, sloc, rep)
                continue
            ql = _state_language(state, sloc, top_ql, rep)
            queue.extend(check_state(state, sloc, ql, rep))
    check_engine_support(_all_states(data), rep)
    check_variables(data, rep)
    for error, loc in rep.custom_state_errors:
        if error not in rep.thrown_errors:
            rep.add("ASL209", loc, f"'{error}' is not a predefined Step Functions error and no Fail state "
                                   f"raises it{suggest(error, STATES_ERRORS)}; names starting with 'States.' "
                                   "are reserved for Step Functions")


def engine_notes(definition: dict[str, Any] | AslDocument) -> list[str]:
    """The warnings saying the embedded engine will refuse this definition (``ENGINE_CODES``), one line each.

    Example:
        >>> m = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
        ...      "End": True}}}
        >>> engine_notes(m)[0].split(": ")[:2]
        ['W-ENGINE004', 'valid on AWS; the embedded engine cannot run it yet']
    """
    return [f"{d.code}: {d.message} (at {d.location})" for d in lint(definition) if d.code in ENGINE_CODES]


def _bad_type(typ: Any, present: bool, loc: Loc, rep: Reporter) -> None:
    if not present:
        rep.add("ASL112", loc, f"the state has no \"Type\"; use one of {', '.join(STATE_TYPES)}")
    else:
        shown = f"'{typ}'" if isinstance(typ, str) else type_word(typ)
        extra = suggest(typ, STATE_TYPES) if isinstance(typ, str) else ""
        rep.add("ASL112", (*loc, "Type"), f"Type {shown} is not a state type{extra}; use one of "
                                           f"{', '.join(STATE_TYPES)}")


def _state_language(state: dict[str, Any], loc: Loc, top_ql: str, rep: Reporter) -> str:
    """The query language a state runs with; JSONPath under a JSONata machine is refused (AWS rule)."""
    if "QueryLanguage" not in state:
        return top_ql
    ql = check_enum(state, "QueryLanguage", QUERY_LANGUAGES, loc, rep)
    if ql is None:
        return top_ql
    if top_ql == JSONATA and ql == JSONPATH:
        rep.add("ASL302", (*loc, "QueryLanguage"), "this state uses JSONPath but the state machine's "
                                                    "QueryLanguage is JSONata, and Step Functions does not allow "
                                                    "mixing back to JSONPath; convert the state to JSONata or set "
                                                    "the top-level QueryLanguage to JSONPath")
    return ql


def _first_locations(data: dict[str, Any]) -> dict[Any, Loc]:
    """Where each state name is first defined, over all graphs (for scopes and duplicate names)."""
    names: dict[Any, Loc] = {}
    for _, loc in _all_states(data, objects_only=False):
        names.setdefault(loc[-1], loc)
    return names


def _all_states(data: dict[str, Any], *, objects_only: bool = True) -> list[tuple[Any, Loc]]:
    """Every state in the machine with its location, breadth first (graphs in the order lint visits them)."""
    out: list[tuple[Any, Loc]] = []
    queue: deque[tuple[Any, Loc]] = deque([(data, ())])
    while queue:
        graph, loc = queue.popleft()
        states = graph.get("States") if isinstance(graph, dict) else None
        if not isinstance(states, dict):
            continue
        for name, state in states.items():
            sloc = (*loc, "States", name)
            if not isinstance(state, dict):
                if not objects_only:
                    out.append((state, sloc))
                continue
            out.append((state, sloc))
            typ = state_type(state)
            branches = state.get("Branches")
            if typ == "Parallel" and isinstance(branches, list):
                queue.extend((b, (*sloc, "Branches", i)) for i, b in enumerate(branches))
            if typ == "Map":
                queue.extend((state[f], (*sloc, f)) for f in ("ItemProcessor", "Iterator") if f in state)
    return out
