"""Graph rules of one state graph (the machine, a Parallel branch, a Map item processor).

StartAt, transitions (Next / Default / Choices[].Next / Catch[].Next), End-vs-Next, reachability,
terminal states and loops with no way out. Everything is a linear pass or a breadth-first search over
explicit queues: the cost grows with the number of states, never the Python stack.
"""

from __future__ import annotations

from collections import deque
from typing import Any, NamedTuple

from workbench.asl.lint.diagnostics.report import Loc, Reporter, render_location
from workbench.asl.lint.rules.spec import BRANCH_FIELDS, FLOW_TYPES, PROCESSOR_FIELDS, TERMINAL_TYPES, TOP_FIELDS
from workbench.asl.lint.rules.values import check_unknown, suggest, type_word

_SUGGESTIONS = 20
# The legacy Iterator takes a ProcessorConfig too (AWS runs an Iterator in DISTRIBUTED mode: the recorded
# history test_base_scenarios__test_map_state_legacy_config_distributed).
GRAPH_FIELDS = {"machine": TOP_FIELDS, "branch": BRANCH_FIELDS, "processor": PROCESSOR_FIELDS,
                "iterator": PROCESSOR_FIELDS}
GRAPH_WORDS = {"machine": "the state machine", "branch": "a Parallel branch",
               "processor": "a Map ItemProcessor", "iterator": "a Map Iterator"}


class Transition(NamedTuple):
    """A reference from one state to another: target name and where it is written."""

    target: str
    loc: Loc


def state_type(state: dict[str, Any]) -> str | None:
    """The state's Type when it is a string (anything else is reported elsewhere)."""
    typ = state.get("Type")
    return typ if isinstance(typ, str) else None


def transitions(state: dict[str, Any], loc: Loc) -> list[Transition]:
    """Every transition a state can take, with the location of the field naming it."""
    out: list[Transition] = []
    nxt = state.get("Next")
    if isinstance(nxt, str):
        out.append(Transition(nxt, (*loc, "Next")))
    if state_type(state) == "Choice":
        choices = state.get("Choices")
        if isinstance(choices, list):
            for i, rule in enumerate(choices):
                if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
                    out.append(Transition(rule["Next"], (*loc, "Choices", i, "Next")))
        default = state.get("Default")
        if isinstance(default, str):
            out.append(Transition(default, (*loc, "Default")))
    catch = state.get("Catch")
    if isinstance(catch, list):
        for i, catcher in enumerate(catch):
            if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
                out.append(Transition(catcher["Next"], (*loc, "Catch", i, "Next")))
    return out


def is_terminal(state: dict[str, Any]) -> bool:
    """End: true, or a Succeed / Fail state."""
    return state.get("End") is True or state_type(state) in TERMINAL_TYPES


def check_graph(graph: Any, loc: Loc, kind: str, rep: Reporter,
                all_names: dict[Any, Loc]) -> dict[str, dict[str, Any]]:
    """Check one graph's shape and flow; returns its object states for the per-state rules.

    ``all_names`` (every state name of the machine → where it is defined) tells a misspelt target
    from one that jumps out of its branch.
    """
    word = GRAPH_WORDS[kind]
    if not isinstance(graph, dict):
        rep.add("ASL100", loc, f"{word} must be a JSON object with StartAt and States, not {type_word(graph)}")
        return {}
    check_unknown(graph, GRAPH_FIELDS[kind], loc, rep, word, code="ASL103")
    raw = graph.get("States")
    states: dict[str, dict[str, Any]] = {}
    if "States" not in graph:
        rep.add("ASL101", loc, f"{word} needs \"States\": an object of state names to states")
    elif not isinstance(raw, dict):
        rep.add("ASL104", (*loc, "States"), f"States must be an object of state names to states, "
                                             f"not {type_word(raw)}")
    elif not raw:
        rep.add("ASL104", (*loc, "States"), "States is empty; add at least one state")
    else:
        for name, state in raw.items():
            if isinstance(state, dict):
                states[name] = state
            else:
                hint = (" (QueryLanguage belongs at the top level of the state machine, next to StartAt)"
                        if name == "QueryLanguage" else "")
                rep.add("ASL104", (*loc, "States", name), f"state '{name}' must be an object with a Type, "
                                                          f"not {type_word(state)}{hint}")
    start = graph.get("StartAt")
    if "StartAt" not in graph:
        rep.add("ASL101", loc, f"{word} needs \"StartAt\": the name of its first state")
        start = None
    elif not isinstance(start, str):
        rep.add("ASL201", (*loc, "StartAt"), f"StartAt must be a state name, not {type_word(start)}")
        start = None
    elif isinstance(raw, dict) and start not in raw:
        rep.add("ASL102", (*loc, "StartAt"), f"StartAt '{start}' is not a state of {word}"
                                              f"{suggest(start, states)}; name one of its States")
        start = None
    succ: dict[str, list[str]] = {}
    dangling = _end_next_and_targets(states, loc, rep, succ)
    _dangling(dangling, raw if isinstance(raw, dict) else {}, all_names, word, rep)
    if start is not None and start in states:
        _flow(states, succ, start, loc, word, rep)
    return states


def _dangling(dangling: list[Transition], local: dict[Any, Any], all_names: dict[Any, Loc], word: str,
              rep: Reporter) -> None:
    for i, tr in enumerate(dangling):
        if tr.target in all_names:
            where = render_location(all_names[tr.target])
            rep.add("ASL106", tr.loc, f"'{tr.target}' is outside {word} (it is at {where}): states in a branch or "
                                      "item processor can only go to states of the same graph; end the inner "
                                      "graph and continue from the outer state's Next")
        else:
            # a spelling suggestion costs O(states): offer it for the first few targets only
            close = suggest(tr.target, local) if i < _SUGGESTIONS else ""
            rep.add("ASL105", tr.loc, f"no state named '{tr.target}'{close}; name an existing state of {word}")


def _end_next_and_targets(states: dict[str, dict[str, Any]], loc: Loc, rep: Reporter,
                          succ: dict[str, list[str]]) -> list[Transition]:
    """End/Next rules; fills ``succ`` (name → names it can go to) and returns unresolved transitions."""
    dangling: list[Transition] = []
    for name, state in states.items():
        sloc = (*loc, "States", name)
        if state_type(state) in FLOW_TYPES:
            end = state.get("End")
            if "End" in state and not isinstance(end, bool):
                rep.add("ASL201", (*sloc, "End"), f"End must be true or false, not {type_word(end)}")
            if end is True and "Next" in state:
                rep.add("ASL110", sloc, "a state cannot have both \"End\": true and \"Next\"; keep one")
            elif end is not True and "Next" not in state:
                rep.add("ASL110", sloc, "a state needs \"Next\" (the state to run after it) or \"End\": true")
            if "Next" in state and not isinstance(state["Next"], str):
                rep.add("ASL201", (*sloc, "Next"), f"Next must be a state name, not {type_word(state['Next'])}")
        targets = succ[name] = []
        for tr in transitions(state, sloc):
            if tr.target in states:
                targets.append(tr.target)
            else:
                dangling.append(tr)
    return dangling


def _flow(states: dict[str, dict[str, Any]], succ: dict[str, list[str]], start: str, loc: Loc, word: str,
          rep: Reporter) -> None:
    """Reachability from StartAt, a reachable terminal, and states trapped in loops."""
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in succ[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    for name in states:
        if name not in seen:
            rep.add("ASL107", (*loc, "States", name), f"state '{name}' can never be reached from StartAt; "
                                                      "point a Next/Default/Catch at it or delete it")
    terminals = [n for n in seen if is_terminal(states[n])]
    if not terminals:
        rep.add("ASL108", (*loc, "States"), f"no terminal state found in {word}: nothing reachable from "
                                             "StartAt has \"End\": true or is a Succeed/Fail state")
        return
    pred: dict[str, list[str]] = {n: [] for n in seen}
    for n in seen:
        for nxt in succ[n]:
            pred[nxt].append(n)
    finishing = set(terminals)
    queue = deque(terminals)
    while queue:
        for prev in pred[queue.popleft()]:
            if prev not in finishing:
                finishing.add(prev)
                queue.append(prev)
    trapped = [n for n in states if n in seen and n not in finishing]
    if trapped:
        shown = ", ".join(f"'{n}'" for n in trapped[:5]) + (" ..." if len(trapped) > 5 else "")
        rep.add("ASL109", (*loc, "States", trapped[0]), f"{len(trapped)} state(s) ({shown}) loop forever: no "
                                                        "path from them reaches End, Succeed or Fail; add an exit "
                                                        "(a Choice rule or a Catch)")
