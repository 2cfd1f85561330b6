"""Mission checks that speak in Mission terms, run before compiling.

They catch what the model's types cannot: an unknown tool, a goto to a missing step (with the
closest id), duplicate ids, a loop with no way out, an unreachable step, a JSONPath choice written
as a JSONata string.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from workbench.mission.diagnostics import Diagnostic, Severity
from workbench.mission.model import Mission, child_lists, goto_targets
from workbench.mission.steps import ChooseStep, ToolStep


def _d(code: str, severity: Severity, message: str, step: str | None, location: str = "",
       hint: str | None = None) -> Diagnostic:
    return Diagnostic(code=code, severity=severity, message=message, step=step, location=location, hint=hint)


def _closest(word: str, options: list[str]) -> str | None:
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    return match[0] if match else None


def step_lists(mission: Mission) -> Iterator[tuple[str, list[Any]]]:
    """Every list of steps (top level, each branch, each map) with a readable scope name."""
    yield "top level", mission.steps
    for step in mission.walk():
        for label, inner in child_lists(step):
            yield f"{label} of step '{step.id}'", inner


def successors(steps: list[Any], index: int) -> list[str]:
    """Where a step can go next within its list (explicit jumps and the implicit next step)."""
    step = steps[index]
    out = [target for _, target in goto_targets(step)]
    if not step.terminal and not step.end and not step.then and index + 1 < len(steps):
        out.append(steps[index + 1].id)
    return out


def _can_end(step: Any, index: int, steps: list[Any]) -> bool:
    """True when this step can end its list by itself (End, Succeed, Fail, or the last step)."""
    if isinstance(step, ChooseStep):
        return False
    if step.terminal or step.end:
        return True
    return not step.then and index == len(steps) - 1


def check_mission(mission: Mission) -> list[Diagnostic]:
    """All Mission-level problems, each naming the step.

    Example:
        >>> from workbench.mission import loads_mission
        >>> m = loads_mission("mission: m\\nsteps:\\n  - {id: a, pass: 1, then: b2}\\n  - {id: b, pass: 2}\\n")
        >>> [d.message for d in check_mission(m)]
        ["goto target 'b2' is not a step in the top level"]
    """
    out: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for step in mission.walk():
        seen[step.id] = seen.get(step.id, 0) + 1
    for step_id, count in seen.items():
        if count > 1:
            out.append(_d("MIS201", Severity.ERROR, f"step id '{step_id}' is used {count} times", step_id,
                          hint="step ids become state names and must be unique in the whole Mission"))
    all_ids = list(seen)
    for step in mission.walk():
        if isinstance(step, ToolStep) and step.tool not in mission.tools:
            close = _closest(step.tool, list(mission.tools))
            out.append(_d("MIS202", Severity.ERROR, f"unknown tool '{step.tool}'", step.id, "tool",
                          f"did you mean '{close}'?" if close else "declare it under `tools:`"))
        if isinstance(step, ChooseStep) and (step.query_language or mission.query_language) == "JSONPath":
            for i, rule in enumerate(step.choose):
                if isinstance(rule.when, str):
                    out.append(_d("MIS206", Severity.ERROR,
                                  "in a JSONPath Mission a condition is an ASL rule object", step.id,
                                  f"choose[{i}].when", "write e.g. {Variable: $.severity, StringEquals: critical}"))
    for tool in mission.local.faults:
        if tool not in mission.tools:
            out.append(_d("MIS207", Severity.ERROR, f"faults name unknown tool '{tool}'", None,
                          f"local.faults.{tool}"))
    for scope, steps in step_lists(mission):
        out += _check_list(scope, steps, all_ids)
    return out


def _check_list(scope: str, steps: list[Any], all_ids: list[str]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    index = {s.id: i for i, s in enumerate(steps)}
    for step in steps:
        for field, target in goto_targets(step):
            if target in index:
                continue
            where = "" if target not in all_ids else " (it is in another list: jumps stay inside their list)"
            close = _closest(target, list(index))
            out.append(_d("MIS203", Severity.ERROR, f"goto target '{target}' is not a step in the {scope}{where}",
                          step.id, field, f"did you mean '{close}'?" if close and not where else None))
    # reachability from the first step, iteratively
    reach: set[int] = set()
    stack = [0]
    while stack:
        i = stack.pop()
        if i in reach:
            continue
        reach.add(i)
        stack += [index[t] for t in successors(steps, i) if t in index]
    for i, step in enumerate(steps):
        if i not in reach:
            out.append(_d("MIS204", Severity.ERROR, f"step '{step.id}' can never run: nothing leads to it",
                          step.id, hint="remove it, or jump to it with goto/then"))
    # every reachable step must be able to reach an end of the list
    reverse: dict[int, list[int]] = {i: [] for i in range(len(steps))}
    for i in range(len(steps)):
        for t in successors(steps, i):
            if t in index:
                reverse[index[t]].append(i)
    can_finish = {i for i, s in enumerate(steps) if _can_end(s, i, steps)}
    stack = list(can_finish)
    while stack:
        i = stack.pop()
        for j in reverse[i]:
            if j not in can_finish:
                can_finish.add(j)
                stack.append(j)
    stuck = [steps[i].id for i in sorted(reach - can_finish)]
    if stuck:
        out.append(_d("MIS205", Severity.ERROR,
                      f"loop with no way out in the {scope}: {', '.join(stuck)} can never finish", stuck[0],
                      hint="give the loop an exit: a choose rule or otherwise that leaves it"))
    return out
