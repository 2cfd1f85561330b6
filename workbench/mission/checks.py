"""Mission checks that speak in Mission terms, run before compiling.

They catch what the model's types cannot: an unknown tool, a goto to a missing step (with the
closest id), duplicate ids, a loop with no way out, an unreachable step, and (in
:mod:`workbench.mission.field_checks`) fields that do not fit the step's query language or mode.
Every finding names the step and its path; Missions loaded from a file also get file, line and column.
All walks are iterative, so a Mission of 10,000 steps costs no deeper recursion than one of ten.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from workbench.core.diagnostics import Diagnostic
from workbench.mission.field_checks import check_fields, finding
from workbench.mission.model import Mission, StepAt, child_lists, goto_targets
from workbench.mission.positions import PathKey
from workbench.mission.steps import ChooseStep, ToolStep


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


def _field_path(field: str) -> PathKey:
    """``choose[1].goto`` → ``("choose", 1, "goto")``."""
    out: list[str | int] = []
    for part in field.replace("]", "").split("."):
        name, _, index = part.partition("[")
        if name:
            out.append(name)
        if index:
            out.append(int(index))
    return tuple(out)


def check_mission(mission: Mission) -> list[Diagnostic]:
    """All Mission-level problems, each naming the step, its path and (when loaded from a file) the line.

    Example:
        >>> from workbench.mission import loads_mission
        >>> m = loads_mission("mission: m\\nsteps:\\n  - {id: a, pass: 1, then: b2}\\n  - {id: b, pass: 2}\\n")
        >>> [d.message for d in check_mission(m)]
        ["goto target 'b2' is not a step in the top level"]
    """
    located = list(mission.located())
    out: list[Diagnostic] = []
    seen: dict[str, list[StepAt]] = {}
    for at in located:
        seen.setdefault(at.step.id, []).append(at)
    for step_id, places in seen.items():
        for at in places[1:]:
            out.append(finding("MIS201", at, ("id",), f"step id '{step_id}' is used {len(places)} times",
                               "step ids become state names and must be unique in the whole Mission"))
    for at in located:
        step = at.step
        if isinstance(step, ToolStep) and step.tool not in mission.tools:
            close = _closest(step.tool, list(mission.tools))
            out.append(finding("MIS202", at, ("tool",), f"unknown tool '{step.tool}'",
                               f"did you mean '{close}'?" if close else "declare it under `tools:`"))
    for tool in mission.local.faults:
        if tool not in mission.tools:
            close = _closest(tool, list(mission.tools))
            out.append(finding("MIS207", None, ("local", "faults", tool), f"faults name unknown tool '{tool}'",
                               f"did you mean '{close}'?" if close else "use a name from `tools:`"))
    out += _check_list("top level", mission.steps, ("steps",), seen)
    for at in located:
        for label, inner_path, inner in _children(at):
            out += _check_list(f"{label} of step '{at.step.id}'", inner, inner_path, seen)
    out += check_fields(mission, located)
    return _locate(mission, out)


def _children(at: StepAt) -> Iterator[tuple[str, PathKey, list[Any]]]:
    from workbench.mission.model import child_lists_at

    for label, inner_path, inner in child_lists_at(at.step):
        yield label, (*at.path, *inner_path), inner


def _check_list(scope: str, steps: list[Any], base: PathKey, all_ids: dict[str, list[StepAt]]) -> list[Diagnostic]:
    """Dangling gotos, unreachable steps and loops with no way out in one list of steps (linear time)."""
    if not steps:
        return []
    out: list[Diagnostic] = []
    index = {s.id: i for i, s in enumerate(steps)}

    def at(i: int) -> StepAt:  # built only for findings: most lists have none
        return StepAt((*base, i), steps[i], "JSONata", None, "JSONata")

    jumps = [goto_targets(step) for step in steps]
    suggested: set[str] = set()  # ids offered as "did you mean": their unreachability is the same typo
    succ: list[list[str]] = []
    for i, step in enumerate(steps):
        targets = [target for _, target in jumps[i]]
        if not step.terminal and not step.end and not step.then and i + 1 < len(steps):
            targets.append(steps[i + 1].id)
        succ.append(targets)
        for field, target in jumps[i]:
            if target in index:
                continue
            elsewhere = target in all_ids
            where = " (it is in another list: jumps stay inside their list)" if elsewhere else ""
            close = _closest(target, list(index))
            if close and not elsewhere:
                suggested.add(close)
            out.append(finding("MIS203", at(i), _field_path(field),
                               f"goto target '{target}' is not a step in the {scope}{where}",
                               f"did you mean '{close}'?" if close and not elsewhere else None))
    # reachability from the first step, iteratively
    reach: set[int] = set()
    stack = [0]
    while stack:
        i = stack.pop()
        if i in reach:
            continue
        reach.add(i)
        stack += [index[t] for t in succ[i] if t in index]
    for i, step in enumerate(steps):
        if i not in reach and step.id not in suggested:
            out.append(finding("MIS204", at(i), (), f"step '{step.id}' can never run: nothing leads to it",
                               "remove it, or jump to it with goto/then"))
    # every reachable step must be able to reach an end of the list
    reverse: list[list[int]] = [[] for _ in steps]
    for i, targets in enumerate(succ):
        for t in targets:
            if t in index:
                reverse[index[t]].append(i)
    # a jump to a missing step is reported above; do not also call its loop endless
    can_finish = {i for i, s in enumerate(steps) if _can_end(s, i, steps) or any(t not in index for t in succ[i])}
    stack = list(can_finish)
    while stack:
        i = stack.pop()
        for j in reverse[i]:
            if j not in can_finish:
                can_finish.add(j)
                stack.append(j)
    stuck = sorted(reach - can_finish)
    if stuck:
        names = ", ".join(steps[i].id for i in stuck)
        out.append(finding("MIS205", at(stuck[0]), (),
                           f"loop with no way out in the {scope}: {names} can never finish",
                           "give the loop an exit: a choose rule or otherwise that leaves it"))
    return out


def _locate(mission: Mission, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Add file, line and column from the file the Mission was loaded from (when it still matches)."""
    source = mission.source
    if source is None:
        return diagnostics
    out = []
    for d in diagnostics:
        path = _field_path(d.location) if d.location else ()
        pos = source.position(path) if _same_step(source.data, path, d.step) else None
        if pos is None:
            out.append(d.model_copy(update={"file": source.file}))
        else:
            out.append(d.model_copy(update={"file": source.file, "line": pos[0], "column": pos[1]}))
    return out


def _same_step(data: Any, path: PathKey, step_id: str | None) -> bool:
    """The document still has this step at this path (the Mission was not edited after loading)."""
    if step_id is None:
        return True
    cur = data
    found = None
    for part in path:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(cur, dict) and "id" in cur:
            found = cur["id"]
    return found == step_id
