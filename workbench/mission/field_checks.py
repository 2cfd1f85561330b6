"""Per-step checks of what the types cannot say: does a field fit the step's query language and mode?

A JSONPath step wants ``$.paths`` and ASL rule objects, a JSONata step wants ``{% ... %}``; tolerated
failures only exist on distributed maps; ``States.ALL`` must come last. Each finding names the step,
the field and the fix, before any ASL is produced.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from workbench.core.diagnostics import Diagnostic, Severity
from workbench.mission.model import Mission, StepAt
from workbench.mission.positions import PathKey, render_path
from workbench.mission.steps import (
    ChooseStep,
    ErrorHandling,
    FailStep,
    MapStep,
    PassStep,
    TaskStep,
    ToolStep,
    WaitStep,
)

VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,79}$")


def is_jsonata(value: Any) -> bool:
    """A ``{% ... %}`` JSONata expression."""
    return isinstance(value, str) and value.strip().startswith("{%") and value.strip().endswith("%}")


def is_path(value: Any) -> bool:
    """A JSONPath / context path / variable reference (``$.x``, ``$$.Execution.Id``, ``$name``)."""
    return isinstance(value, str) and value.startswith("$")


def finding(code: str, at: StepAt | None, field: PathKey, message: str, hint: str | None = None,
            severity: Severity = Severity.ERROR) -> Diagnostic:
    """A diagnostic about ``field`` of a step (or of the Mission when ``at`` is None), located by path."""
    path = (*at.path, *field) if at else field
    return Diagnostic(code=code, severity=severity, message=message, location=render_path(path),
                      step=at.step.id if at else None, hint=hint)


def check_fields(mission: Mission, located: list[StepAt]) -> list[Diagnostic]:
    """Language fit, map modes, variable names, retry/catch order and timeouts of every step."""
    out: list[Diagnostic] = []
    for at in located:
        out += _language_nesting(at)
        out += _language_fit(at)
        out += _variables(at)
        if isinstance(at.step, MapStep):
            out += _map_mode(at, at.step)
        if isinstance(at.step, ErrorHandling):
            out += _error_order(at, at.step)
        if isinstance(at.step, ToolStep | TaskStep):
            out += _timeouts(mission, at, at.step)
    return out


def _language_nesting(at: StepAt) -> Iterator[Diagnostic]:
    """A JSONPath step inside a JSONata parallel/map: ASL cannot go back from JSONata to JSONPath.

    (At the top level the compiler handles it by making the state machine JSONPath and marking
    every JSONata state.)
    """
    if at.parent is not None and at.language == "JSONPath" and at.inherited == "JSONata":
        yield finding("MIS208", at, ("query_language",),
                      f"a JSONPath step cannot run inside the JSONata step '{at.parent.id}'",
                      f"set query_language: JSONPath on '{at.parent.id}' too, or make this step JSONata")


def _language_fit(at: StepAt) -> Iterator[Diagnostic]:
    step, ql = at.step, at.language
    other = "JSONata" if ql == "JSONPath" else "JSONPath"
    only = f"is {other} only and this step runs in {ql}"
    output = step.__dict__.get("output")  # fields live in __dict__; getattr on a missing one is slow
    if ql == "JSONPath" and output is not None and not is_path(output):
        yield finding("MIS210", at, ("output",), "in JSONPath `output` is a path (OutputPath) such as $.summary",
                      "write a $.path, or switch the step to query_language: JSONata")
    if ql == "JSONata" and isinstance(step, ToolStep) and step.result is not None:
        yield finding("MIS210", at, ("result",), f"`result` (ResultSelector) {only}",
                      "shape the result with `output`, e.g. '{% $states.result.Payload.items %}'")
    for i, catch in enumerate(step.__dict__.get("catch") or []):
        if ql == "JSONata" and catch.result_path is not None:
            yield finding("MIS210", at, ("catch", i, "result_path"), f"`result_path` {only}",
                          "use `save_as` to keep the error in a variable")
        if ql == "JSONPath" and catch.output is not None:
            yield finding("MIS210", at, ("catch", i, "output"), f"`output` of a catch {only}",
                          "use `save_as` or `result_path` to place the error")
    if isinstance(step, ChooseStep):
        yield from _choose_fit(at, step)
    elif isinstance(step, WaitStep):
        yield from _expression_fit(at, ("wait", "seconds"), step.wait.seconds, ql, "{% $states.input.delay %}")
        yield from _expression_fit(at, ("wait", "until"), step.wait.until, ql, "{% $states.input.deadline %}")
    elif isinstance(step, MapStep):
        items = step.map.items  # None: the whole input, or what the ItemReader reads
        if items is None:
            pass
        elif ql == "JSONPath" and not is_path(items):
            yield finding("MIS214", at, ("map", "items"), "in JSONPath `items` is a path (ItemsPath) to the array",
                          "write e.g. items: $.hosts")
        elif ql == "JSONata" and not (is_jsonata(items) or isinstance(items, list)):
            yield finding("MIS214", at, ("map", "items"),
                          "in JSONata `items` is an array or a '{% ... %}' expression giving one",
                          "write e.g. items: '{% $states.input.hosts %}'")
    elif isinstance(step, FailStep):
        for name in ("error", "cause"):
            value = getattr(step.fail, name)
            if ql == "JSONPath" and is_jsonata(value):
                yield finding("MIS214", at, ("fail", name), "a JSONata expression in a JSONPath step is plain text",
                              f"write a $.path for the {name}, or make the step JSONata")
    elif isinstance(step, PassStep) and ql == "JSONPath" and is_jsonata(step.pass_):
        yield finding("MIS214", at, ("pass",), "a JSONata expression in a JSONPath step is plain text",
                      "set query_language: JSONata on this step")


def _expression_fit(at: StepAt, field: PathKey, value: Any, ql: str, example: str) -> Iterator[Diagnostic]:
    if not isinstance(value, str):
        return
    if ql == "JSONPath" and is_jsonata(value):
        yield finding("MIS214", at, field, "a JSONata expression cannot be used in a JSONPath step",
                      "write a $.path, or set query_language: JSONata on this step")
    elif ql == "JSONata" and is_path(value):
        yield finding("MIS214", at, field, f"'{value}' is a JSONPath, but this step runs in JSONata",
                      f"write a JSONata expression, e.g. '{example}'")


def _choose_fit(at: StepAt, step: ChooseStep) -> Iterator[Diagnostic]:
    for i, rule in enumerate(step.choose):
        where = ("choose", i, "when")
        if at.language == "JSONPath":
            if not isinstance(rule.when, dict):
                yield finding("MIS206", at, where, "in a JSONPath step a condition is an ASL rule object",
                              "write e.g. {Variable: $.severity, StringEquals: critical}")
            if rule.output is not None:
                yield finding("MIS210", at, ("choose", i, "output"), "`output` of a rule is JSONata only",
                              "remove it, or set query_language: JSONata on this step")
        elif not is_jsonata(rule.when):
            example = rule.when if isinstance(rule.when, str) else "$states.input.severity = 'critical'"
            yield finding("MIS206", at, where, "in a JSONata step a condition is a '{% ... %}' expression",
                          f"write e.g. when: '{{% {example} %}}'")


def _variables(at: StepAt) -> Iterator[Diagnostic]:
    step = at.step
    names: list[tuple[PathKey, str]] = [(("assign", k), k) for k in step.assign or {}]
    save_as = step.__dict__.get("save_as")
    if save_as is not None and at.language == "JSONata":
        names.append((("save_as",), save_as))
    for i, catch in enumerate(step.__dict__.get("catch") or []):
        names += [(("catch", i, "assign", k), k) for k in catch.assign or {}]
        if catch.save_as is not None and at.language == "JSONata":
            names.append((("catch", i, "save_as"), catch.save_as))
    if isinstance(step, ChooseStep):
        names += [(("choose", i, "assign", k), k) for i, r in enumerate(step.choose) for k in r.assign or {}]
    for field, name in names:
        if at.language == "JSONPath" and name.endswith(".$"):
            name = name[:-2]  # JSONPath Assign: "x.$": "$.path" sets $x from a path
        if not VARIABLE.match(name) or name == "states":
            yield finding("MIS211", at, field, f"'{name}' is not a valid variable name",
                          "use letters, digits and '_' (not starting with a digit, at most 80, not 'states')")
    if save_as is not None and at.language == "JSONPath" and not re.match(r"^[A-Za-z_][\w.]*$", save_as):
        yield finding("MIS211", at, ("save_as",), f"'{save_as}' cannot be used as a key: it becomes $.{save_as}",
                      "use letters, digits, '_' and '.' for nesting")


def _map_mode(at: StepAt, step: MapStep) -> Iterator[Diagnostic]:
    spec = step.map
    if spec.mode == "distributed":
        return
    for name in ("tolerated_failures", "tolerated_failure_percentage", "label", "execution_type"):
        if getattr(spec, name) is not None:
            yield finding("MIS209", at, ("map", name), f"`{name}` only applies to distributed maps",
                          "add `mode: distributed` to the map, or remove the field")


def _error_order(at: StepAt, step: ErrorHandling) -> Iterator[Diagnostic]:
    lists: list[tuple[str, list[list[str]]]] = [("retry", [r.errors for r in step.retry or []]),
                                               ("catch", [c.errors for c in step.catch])]
    for field, policies in lists:
        for i, errors in enumerate(policies):
            if "States.ALL" not in errors:
                continue
            if len(errors) > 1:
                yield finding("MIS212", at, (field, i, "errors"), "States.ALL must be alone in its `errors` list",
                              "move the other error names to an earlier entry")
            if i != len(policies) - 1:
                yield finding("MIS212", at, (field, i), f"the States.ALL {field} entry must be the last one",
                              f"move it to the end of `{field}`: entries after it can never match")


def _timeouts(mission: Mission, at: StepAt, step: ToolStep | TaskStep) -> Iterator[Diagnostic]:
    is_tool = isinstance(step, ToolStep)
    timeout = step.timeout if step.timeout is not None or not is_tool else mission.defaults.timeout
    heartbeat = step.heartbeat if step.heartbeat is not None or not is_tool else mission.defaults.heartbeat
    if timeout is not None and heartbeat is not None and heartbeat >= timeout:
        yield finding("MIS213", at, ("heartbeat",), f"heartbeat ({heartbeat}s) must be shorter than the "
                      f"timeout ({timeout}s)", "lower the heartbeat or raise the timeout")
