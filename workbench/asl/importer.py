"""ASL → Mission, losslessly: ``compile_mission(import_asl(asl), check=False)`` gives the definition back.

Every state becomes the step kind its ``Type`` names, with each field the Mission model has a word for
mapped to it (:mod:`workbench.asl.import_fields`). The Mission is then compiled once and, state by state,
every field that still differs — constructs the model has no word for, or spells differently — goes
verbatim into the step's ``asl:`` escape hatch (:mod:`workbench.asl.import_patch`; ``null`` there removes
a compiled field). So nothing is lost, and the model still sees every transition (checks, graphs).

A Task becomes a ``tool`` step only when the compiler would write exactly the same Task for it (up to
Retry/Catch); any other Task is a generic ``task`` step. Steps are ordered depth-first along ``Next``
from ``StartAt`` (then Choice targets, then Catch targets, unreachable states last), so most ``Next``
become the implicit "following step"; the others become ``then:``.

The one normalisation: numbers compare as JSON numbers, so ``"BackoffRate": 2`` comes back as ``2.0``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workbench.asl.compiler import compile_mission
from workbench.asl.import_fields import (
    Fields,
    choice_fields,
    common,
    error_handling,
    fail_fields,
    map_fields,
    pass_fields,
    result,
    task_fields,
    tool_fields,
    wait_fields,
    whole,
)
from workbench.asl.import_patch import asl_patch, first_difference, join_location, patch_graph
from workbench.core.diagnostics import AslError, Diagnostic, Severity
from workbench.core.lambda_names import function_name
from workbench.mission.model import Defaults, Mission, ToolSpec
from workbench.mission.steps import (
    ChooseStep,
    FailStep,
    MapStep,
    ParallelStep,
    PassStep,
    QueryLanguage,
    StepBase,
    SucceedStep,
    TaskStep,
    ToolStep,
    WaitStep,
)

_KIND: dict[str, type[StepBase]] = {
    "Task": TaskStep, "Choice": ChooseStep, "Parallel": ParallelStep, "Map": MapStep, "Wait": WaitStep,
    "Pass": PassStep, "Succeed": SucceedStep, "Fail": FailStep,
}
_TERMINAL = ("Choice", "Succeed", "Fail")
_TOOL_EXTRAS = frozenset({"Retry", "Catch", "QueryLanguage"})  # not part of a tool's shape (kept in `asl`)


def import_asl(definition: dict[str, Any], *, name: str = "imported") -> Mission:
    """Turn an ASL definition (JSONPath or JSONata) into a Mission that compiles back to it.

    Raises :class:`AslError` when the definition has no importable shape (no ``States``, a state with no
    ``Type``...).

    Example:
        >>> asl = {"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "Result": 1, "End": True}}}
        >>> m = import_asl(asl, name="hello")
        >>> m.steps[0].kind, compile_mission(m, check=False) == asl
        ('pass', True)
    """
    return import_with_diagnostics(definition, name=name)[0]


def import_with_diagnostics(definition: Any, *, name: str = "imported") -> tuple[Mission, list[Diagnostic]]:
    """:func:`import_asl` plus warnings: entries of ``States`` that are not states, an inexact round trip.

    Example:
        >>> m, notes = import_with_diagnostics({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
        >>> notes
        []
    """
    if not isinstance(definition, dict):
        raise AslError([_error("IMP001", "an ASL definition is a JSON object with StartAt and States", "")])
    importer = _Importer()
    top_ql: QueryLanguage = definition["QueryLanguage"] if definition.get("QueryLanguage") in (
        "JSONata", "JSONPath") else "JSONPath"
    steps = importer.graph(definition, top_ql, "")
    fields: Fields = {"mission": name, "query_language": top_ql, "tools": importer.tools, "steps": steps}
    if isinstance(definition.get("Comment"), str):
        fields["description"] = definition["Comment"]
    if whole(definition.get("TimeoutSeconds"), 1) is not None:
        fields["timeout"] = definition["TimeoutSeconds"]
    try:
        mission = Mission.model_validate(fields)
    except ValidationError as exc:
        raise AslError([_error("IMP002", _pydantic_message(exc), "", hint="name: letters, digits, - and _")]
                       ) from None
    compiled = compile_mission(mission, check=False)
    patch_graph(mission.steps, definition, compiled)
    top = {k: v for k, v in definition.items() if k not in ("StartAt", "States")}
    patch = asl_patch(top, {k: v for k, v in compiled.items() if k not in ("StartAt", "States")})
    mission.asl = patch or None
    notes = importer.notes
    where = first_difference(definition, compile_mission(mission, check=False))
    if where is not None:
        notes.append(Diagnostic(
            code="IMP100", severity=Severity.WARNING, location=where,
            message=f"the imported Mission does not compile back to the same ASL (first difference at {where})",
            hint="keep the original ASL for deployment, or fix the definition (see the lint diagnostics)"))
    return mission, notes


def state_order(states: Mapping[str, Any], start: str) -> list[str]:
    """Depth-first from ``start``: Next first, then Choice targets, then Catch targets; unreachable last.

    Example:
        >>> state_order({"B": {"Next": "C"}, "A": {"Next": "B"}, "C": {}, "Z": {}}, "A")
        ['A', 'B', 'C', 'Z']
    """
    order: list[str] = []
    seen: set[str] = set()
    for root in [start, *states]:
        stack = [root]
        while stack:
            name = stack.pop()
            if name in seen or name not in states:
                continue
            seen.add(name)
            order.append(name)
            stack.extend(reversed(_targets(states[name])))
    return order


def _targets(state: Any) -> list[str]:
    if not isinstance(state, dict):
        return []
    out = [state.get("Next")]
    out += [r.get("Next") for r in state.get("Choices") or [] if isinstance(r, dict)]
    out.append(state.get("Default"))
    out += [c.get("Next") for c in state.get("Catch") or [] if isinstance(c, dict)]
    return [t for t in out if isinstance(t, str)]


def tool_name(function: str) -> str:
    """A readable registry name for a Lambda: ``${ScanFunctionArn}`` → ``ScanFunction``, an ARN → its name.

    Example:
        >>> tool_name("arn:aws:lambda:us-east-1:123456789012:function:fetch-alert:prod"), tool_name("${FnArn}")
        ('fetch-alert', 'Fn')
    """
    text = function_name(function.strip())
    text = re.sub(r"[^A-Za-z0-9_-]+", "_", text.replace("${", "").replace("}", "")).strip("_-")
    if len(text) > 3 and text.lower().endswith("arn"):
        text = text[:-3].rstrip("_-")
    return text or "tool"


class _Importer:
    """Imports the graphs of one definition, collecting its tools registry and warnings."""

    def __init__(self) -> None:
        self.tools: dict[str, ToolSpec] = {}
        self.notes: list[Diagnostic] = []

    def graph(self, graph: Any, ql: QueryLanguage, where: str) -> list[Any]:
        """The steps of one graph (the machine, a branch, a map processor), in Mission order."""
        states = graph.get("States") if isinstance(graph, dict) else None
        if not isinstance(states, dict) or not states:
            raise AslError([_error("IMP001", "States must be an object with at least one state",
                                   join_location(where, "States"))])
        start = graph.get("StartAt")
        if not isinstance(start, str) or not isinstance(states.get(start), dict):
            raise AslError([_error("IMP001", f"StartAt {start!r} does not name a state of this graph",
                                   join_location(where, "StartAt"), hint="set StartAt to the first state's name")])
        for key, state in states.items():
            if not isinstance(state, dict):
                self.notes.append(Diagnostic(
                    code="IMP101", severity=Severity.WARNING, location=join_location(where, "States", key),
                    message=f"'{key}' in States is not a state (a state is an object); it was left out",
                    hint="move it where it belongs (e.g. QueryLanguage at the top level) or remove it"))
        real = {k: v for k, v in states.items() if isinstance(v, dict)}
        order = state_order(real, start)
        steps = []
        for i, name in enumerate(order):
            following = order[i + 1] if i + 1 < len(order) else None
            steps.append(self.step(name, real[name], ql, following, join_location(where, "States", name)))
        return steps

    def step(self, name: str, state: dict[str, Any], parent_ql: QueryLanguage, following: str | None,
             where: str) -> StepBase:
        kind = state.get("Type")
        if kind not in _KIND:
            raise AslError([_error("IMP003", f"state '{name}' has no known Type (got {kind!r})",
                                   join_location(where, "Type"), step=name,
                                   hint="Type is one of " + ", ".join(_KIND))])
        ql: QueryLanguage = state["QueryLanguage"] if state.get("QueryLanguage") in (
            "JSONata", "JSONPath") else parent_ql
        fields = {"id": name, **common(state)}
        if kind not in _TERMINAL:
            target = state.get("Next")
            if isinstance(target, str) and target != following:
                fields["then"] = target
            elif state.get("End") is True and following is not None and not isinstance(target, str):
                fields["end"] = True
        if kind == "Task":
            tool = self._tool(state, ql, parent_ql, following, fields, where)
            if tool is not None:
                return tool
            fields.update(task_fields(state, ql))
        elif kind == "Choice":
            fields.update(choice_fields(state, ql))
        elif kind == "Parallel":
            fields.update(self._parallel(state, ql, where))
        elif kind == "Map":
            spec, processor = map_fields(state, ql)
            spec["steps"] = self.graph(processor, ql, join_location(where, "Iterator" if "legacy" in spec and
                                                            spec["legacy"] == "iterator" else "ItemProcessor"))
            fields["map"] = spec
            result(fields, state, ql)
        elif kind == "Wait":
            fields.update(wait_fields(state, ql))
        elif kind == "Pass":
            fields.update(pass_fields(state, ql))
        elif kind == "Succeed":
            fields["succeed"] = True
        else:
            fields.update(fail_fields(state, ql))
        if kind in ("Task", "Parallel", "Map"):
            error_handling(fields, state, ql)
        return _validate(_KIND[kind], fields, where)

    def _tool(self, state: dict[str, Any], ql: QueryLanguage, parent_ql: QueryLanguage,
              following: str | None, base: Fields, where: str) -> StepBase | None:
        """A tool step when the compiler would write exactly this Task for it (up to Retry/Catch), else None.

        Decided on a probe compile of the step alone: the tool's shape does not depend on its neighbours.
        """
        found = tool_fields(state, ql)
        if found is None:
            return None
        function, fields = found
        tool = next((k for k, t in self.tools.items() if t.lambda_ == function), None)
        added = tool is None
        if tool is None:
            tool = base_name = tool_name(function)
            n = 1
            while tool in self.tools:
                n += 1
                tool = f"{base_name}_{n}"
            self.tools[tool] = ToolSpec.model_validate({"lambda": function})
        data = {**base, **fields, "tool": tool}
        error_handling(data, state, ql)
        step = _validate(ToolStep, data, where)
        if set(asl_patch(state, self._compiled(step, parent_ql, following))) <= _TOOL_EXTRAS:
            return step
        if added:
            del self.tools[tool]
        return None

    def _parallel(self, state: dict[str, Any], ql: QueryLanguage, where: str) -> Fields:
        raw = state.get("Branches")
        branches = [b for b in raw if isinstance(b, dict)] if isinstance(raw, list) else []
        if not branches:
            raise AslError([_error("IMP004", "a Parallel state needs Branches, a list of graphs",
                                   join_location(where, "Branches"))])
        comments = [b.get("Comment") for b in branches]
        named = all(isinstance(c, str) for c in comments) and len(set(comments)) == len(comments)
        fields: Fields = {"parallel": {}}
        if not named:
            fields["branch_comments"] = not all(c is None for c in comments)
        for i, branch in enumerate(branches):
            label = str(comments[i]) if named else str(branch.get("StartAt") or f"branch{i + 1}")
            while label in fields["parallel"]:
                label += "_"
            fields["parallel"][label] = self.graph(branch, ql, f"{join_location(where, 'Branches')}[{i}]")
        args = state.get("Arguments" if ql == "JSONata" else "Parameters")
        if args is not None:
            fields["args"] = args
        result(fields, state, ql)
        return fields

    def _compiled(self, step: StepBase, ql: QueryLanguage, following: str | None) -> dict[str, Any]:
        """How the compiler writes ``step`` in its place (with ``following`` as the next step)."""
        steps: list[Any] = [step]
        if following is not None:
            steps.append(PassStep.model_construct(id=following, pass_=None))
        probe = Mission.model_construct(name="probe", query_language=ql, tools=self.tools, defaults=Defaults(),
                                        steps=steps)
        state: dict[str, Any] = compile_mission(probe, check=False)["States"][step.id]
        return state


def _validate(model: type[StepBase], fields: Fields, where: str) -> StepBase:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise AslError([_error("IMP005", f"state '{fields['id']}' cannot become a Mission step: "
                                         f"{_pydantic_message(exc)}", where, step=fields["id"])]) from None


def _pydantic_message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc}: {err['msg']}" if loc else str(err["msg"])


def _error(code: str, message: str, location: str, *, step: str | None = None, hint: str | None = None,
           file: str | None = None) -> Diagnostic:
    return Diagnostic(code=code, severity=Severity.ERROR, message=message, location=location, step=step,
                      hint=hint, file=file)


def mission_name(path: str | Path) -> str:
    """A valid Mission name from a file name: ``order-flow.asl.json`` → ``order-flow``."""
    stem = Path(path).name.split(".")[0]
    return (re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_") or "imported")[:80]
