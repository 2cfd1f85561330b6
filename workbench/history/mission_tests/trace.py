"""From what ran to coverage keys: run histories (with Distributed Map children) and TestState answers.

A run's visits come from the history frames (:func:`workbench.history.frames.frames`), whose paths name
each visit's place (``Gather/branch[1]/Pull``, ``Fan/iter[3]/Probe``); iterations fold onto the graph's
``Fan/iterator/Probe``. Consecutive visits of one flow (the execution, one branch, one iteration) are a
transition: a Catch when the first was caught, a Choice rule or Default after a Choice, else its ``Next``.
A Distributed Map's children are executions of their own: their visits sit under the Map's body.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pandas as pd

from workbench.asl.states import StateRef, walk_states
from workbench.history.frames.build import frames
from workbench.history.load.events import ExecutionHistory
from workbench.history.mission_tests.choices import DEFAULT, candidates, narrow

__all__ = ["error_matches", "history_keys", "map_runs", "state_case_keys", "top_level_path"]

_ITER = re.compile(r"/iter\[[^\]]*\]/")


def graph_path(path: str) -> str:
    """A frames path with Map iteration numbers folded into the graph's ``iterator``.

    Example:
        >>> graph_path("Fan/iter[3]/Probe/iter[0]/Leaf")
        'Fan/iterator/Probe/iterator/Leaf'
    """
    while True:
        folded = _ITER.sub("/iterator/", path)
        if folded == path:
            return folded
        path = folded


def error_matches(error_equals: Any, error: str | None) -> bool:  # Any: ASL ErrorEquals as written
    """Whether a Retry/Catch clause's ``ErrorEquals`` matches an error, as Step Functions decides.

    Example:
        >>> error_matches(["States.TaskFailed"], "Boom"), error_matches(["States.TaskFailed"], "States.Timeout")
        (True, False)
    """
    if not isinstance(error_equals, list) or error is None:
        return False
    if error in error_equals or "States.ALL" in error_equals:
        return True
    return "States.TaskFailed" in error_equals and error != "States.Timeout"


def _first_match(clauses: Any, error: str | None) -> int | None:  # Any: ASL JSON
    for k, clause in enumerate(clauses if isinstance(clauses, list) else []):
        if isinstance(clause, dict) and error_matches(clause.get("ErrorEquals"), error):
            return k
    return None


def _catch_ordinal(state: Mapping[str, Any], error: str | None, target: str) -> int | None:  # Any: ASL JSON
    """The Catch clause that moved a caught visit to ``target`` (ordinal among clauses with a ``Next``)."""
    catchers = [c for c in state.get("Catch") or [] if isinstance(c, dict) and "Next" in c]
    leading = [j for j, c in enumerate(catchers) if c.get("Next") == target]
    first = _first_match(catchers, error)
    if first is not None and first in leading:
        return first
    return leading[0] if leading else None


def _assigned(event_details: Mapping[str, Any] | None) -> dict[str, Any]:  # Any: JSON
    raw = (event_details or {}).get("assignedVariables")
    if not isinstance(raw, Mapping):
        return {}
    out: dict[str, Any] = {}  # Any: JSON values
    for key, text in raw.items():
        try:
            out[str(key)] = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            out[str(key)] = text
    return out


def _choice_keys(ref: StateRef, target: str, assigned: Mapping[str, Any]) -> list[str]:  # Any: JSON
    options = narrow(ref.state, candidates(ref.state, target), assigned)
    if len(options) != 1:
        return []  # the definition and the history cannot tell which rule matched: credit none
    ordinal = options[0]
    return [f"default:{ref.path}" if ordinal == DEFAULT else f"choice:{ref.path}#{ordinal}"]


def _str(value: Any) -> str | None:  # Any: a frame cell
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def history_keys(history: ExecutionHistory, definition: Mapping[str, Any], prefix: str = "") -> Counter[str]:  # Any
    """The coverage keys one history hit; ``prefix`` places a Distributed Map child (``Fan/iterator/``).

    Example:
        >>> keys = history_keys(run_history(execution), definition)  # doctest: +SKIP
    """
    refs = {ref.path: ref for ref in walk_states(definition)}
    f = frames(history)
    states = f.states
    keys: Counter[str] = Counter()
    if states.empty:
        return keys
    events = {e.id: e for e in history.events}
    flows: dict[str, list[tuple[int, Any]]] = {}  # Any: a frames row
    for row in states.itertuples(index=False):
        path = str(row.path)
        gid = prefix + graph_path(path)
        keys[f"state:{gid}"] += 1
        flow = path.rsplit("/", 1)[0] if "/" in path else ""
        if flow:
            keys[f"body:{prefix}{graph_path(flow + '/')[:-1]}"] += 1
        elif prefix:
            keys[f"body:{prefix.rstrip('/')}"] += 1
        flows.setdefault(flow, []).append((int(row.entered_event), row))
    for visits in flows.values():
        visits.sort(key=lambda item: item[0])
        for (_, a), (_, b) in itertools.pairwise(visits):
            keys.update(_transition(refs, prefix, a, b, events))
        last = visits[-1][1]
        ref = refs.get(prefix + graph_path(str(last.path)))
        if ref is not None and str(last.status) in ("succeeded", "failed") and (
                ref.state.get("End") is True or ref.type in ("Succeed", "Fail")):
            keys[f"end:{ref.path}"] += 1
    keys.update(_retry_keys(f.attempts, states, refs, prefix))
    return keys


def _transition(refs: Mapping[str, StateRef], prefix: str, a: Any, b: Any,  # Any: frames rows
                events: Mapping[int, Any]) -> list[str]:  # Any: history events
    ref = refs.get(prefix + graph_path(str(a.path)))
    if ref is None:
        return []
    target = str(b.state)
    if str(a.status) == "caught":
        ordinal = _catch_ordinal(ref.state, _str(a.error), target)
        return [] if ordinal is None else [f"catch:{ref.path}#{ordinal}"]
    if ref.type == "Choice":
        exited = _str(a.exited_event)
        event = events.get(int(float(exited))) if exited is not None else None
        return _choice_keys(ref, target, _assigned(event.details if event is not None else None))
    return [f"next:{ref.path}"] if ref.state.get("Next") == target else []


def _retry_keys(attempts: pd.DataFrame, states: pd.DataFrame, refs: Mapping[str, StateRef],
                prefix: str) -> list[str]:
    out: list[str] = []
    paths = {int(r.visit): str(r.path) for r in states.itertuples(index=False)}
    if not attempts.empty:
        for visit, group in attempts.groupby("visit", sort=False):
            ref = refs.get(prefix + graph_path(paths.get(int(str(visit)), "")))
            if ref is None:
                continue
            rows = sorted(group.itertuples(index=False), key=lambda r: int(r.attempt))
            for row in rows[:-1]:
                error = _str(row.error) or ("States.Timeout" if str(row.outcome) == "timed_out" else None)
                k = _first_match(ref.state.get("Retry"), error)
                if k is not None:
                    out.append(f"retry:{ref.path}#{k}")
    for row in states.itertuples(index=False):
        if str(row.type) in ("Map", "Parallel") and int(row.attempts) > 1:
            ref = refs.get(prefix + graph_path(str(row.path)))
            k = _first_match(ref.state.get("Retry"), _str(row.error)) if ref is not None else None
            if ref is not None and k is not None:
                out.append(f"retry:{ref.path}#{k}")
    return out


def top_level_path(history: ExecutionHistory) -> list[str]:
    """The names of the states the execution itself entered, in order (not those inside branches or Maps).

    Example:
        >>> top_level_path(run_history(execution))  # doctest: +SKIP
        ['start_deploy', 'wait_for_rollout', 'check_status', 'is_ready', 'deployed']
    """
    states = frames(history).states
    if states.empty:
        return []
    top = states[states["depth"] == 0].sort_values("entered_event")
    return [str(s) for s in top["state"]]


def map_runs(history: ExecutionHistory) -> list[tuple[str, str]]:
    """(Map Run ARN, graph path of the Distributed Map that started it) of every Map Run in a history."""
    events = frames(history).events
    runs = events[events["map_run_arn"].notna()]
    out: dict[str, str] = {}
    for row in runs.itertuples(index=False):
        out.setdefault(str(row.map_run_arn), graph_path(str(row.path)))
    return list(out.items())


def state_case_keys(ref: StateRef, answer: Mapping[str, Any], variables: Mapping[str, Any] | None,  # Any: JSON
                    ) -> list[str]:
    """The coverage keys of one TestState answer: the state, and the edge or clause its status names.

    Example:
        >>> ref = StateRef("f", "f", {"Type": "Task", "Next": "g"}, "JSONata")
        >>> state_case_keys(ref, {"status": "SUCCEEDED", "nextState": "g"}, None)
        ['state:f', 'next:f']
    """
    keys = [f"state:{ref.path}"]
    status = str(answer.get("status", ""))
    details = (answer.get("inspectionData") or {}).get("errorDetails") or {}
    target = answer.get("nextState")
    if status == "CAUGHT_ERROR" and isinstance(details.get("catchIndex"), int):
        keys.append(f"catch:{ref.path}#{details['catchIndex']}")
    elif status == "RETRIABLE" and isinstance(details.get("retryIndex"), int):
        keys.append(f"retry:{ref.path}#{details['retryIndex']}")
    elif status == "SUCCEEDED" and isinstance(target, str):
        if ref.type == "Choice":
            keys.extend(_choice_keys(ref, target, _variables_set(answer, variables)))
        elif ref.state.get("Next") == target:
            keys.append(f"next:{ref.path}")
    elif status == "SUCCEEDED" and (ref.state.get("End") is True or ref.type in ("Succeed", "Fail")):
        keys.append(f"end:{ref.path}")
    return keys


def _variables_set(answer: Mapping[str, Any], before: Mapping[str, Any] | None) -> dict[str, Any]:  # Any: JSON
    """The variables a TestState run assigned: those that are new or changed against ``before``."""
    text = (answer.get("inspectionData") or {}).get("variables")
    try:
        after = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        after = {}
    prior = dict(before or {})
    return {k: v for k, v in after.items() if k not in prior or prior[k] != v} if isinstance(after, dict) else {}
