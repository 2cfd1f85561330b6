"""Replay an execution history recorded on AWS against the embedded engine and compare.

A recording (``corpus/histories/*.json``) holds the definition, the input (in ``ExecutionStarted``) and the
events AWS produced. Replaying means: fill the placeholders the recorder left (Lambda ARNs, queue URLs,
child state machines), answer callback tokens the way the recorded worker did, and run the machine with the
product's replay (:mod:`workbench.history.replay`: every Lambda call gets its recorded result or error, by
state, attempt and input) on the engine with time warp. Then compare four things with the
recording (:data:`DIMENSIONS`): the final status, the sequence of event types, the final output, and the
final error and cause. Output, error and cause are compared after :func:`fidelity_normalise.normalise`,
which masks only what must differ between two accounts and two runs (ARNs, ids, times, placeholders).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.engine.fidelity_normalise import normalise
from tests.engine.replay_world import ROLE_ARN, World
from workbench.history.replay import ReplayResult, execute, plan_replay
from workbench.history.replay.recorded import json_value

TERMINAL = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionAborted": "ABORTED",
            "ExecutionTimedOut": "TIMED_OUT"}
# Services moto cannot stand in for: the scenario is skipped with this reason.
UNRUNNABLE = {"apigateway": "API Gateway invoke needs a deployed REST API (moto serves none to the interpreter)"}


# Verdict per recording for the end-of-session figure (filled by test_fidelity.py): "skipped: why", or
# whether each applicable dimension matched.
FIGURE: dict[str, str | dict[str, bool]] = {}


class SkipScenario(Exception):
    """The scenario cannot be replayed locally (reason in the message)."""


@dataclass
class Scenario:
    file: str
    definition: dict[str, Any] | None
    history: list[dict[str, Any]]
    source: dict[str, Any]
    index: dict[str, Any]
    path: Path | None = None

    @classmethod
    def load(cls, path: Path, index: dict[str, Any]) -> Scenario:
        data = json.loads(path.read_text())
        return cls(path.name, data["definition"], data["history"], data["source"], index, path)

    @property
    def input(self) -> Any:
        return self.history[0].get("executionStartedEventDetails", {}).get("input")

    @property
    def types(self) -> list[str]:
        return [event["type"] for event in self.history]

    @property
    def status(self) -> str:
        return TERMINAL.get(self.types[-1], self.types[-1])

    @property
    def normalised(self) -> bool:
        return bool(self.index.get("parallel_events_normalised"))


@dataclass
class Outcome:
    status: str
    types: list[str]
    events: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    result: ReplayResult | None = None  # the product's replay result (path match, divergences)


def load_scenarios(folder: Path) -> list[Scenario]:
    index = {entry["file"]: entry for entry in json.loads((folder / "INDEX.json").read_text())}
    return [Scenario.load(folder / name, entry) for name, entry in sorted(index.items())]


def recorder_normalised(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply the LocalStack recorder's Parallel normalisation to a history, quirks included.

    Between ``ParallelStateStarted`` and the Parallel state's terminal event, the recorder marks events
    with ``id: [0]`` and sorts them; every further terminal-like event then overwrites the slice with the
    same sorted sublist, which drops one event each time (e.g. ``ParallelStateSucceeded``). Recordings
    flagged ``parallel_events_normalised`` went through it, so ours must too before comparing.
    """
    events = [dict(event) for event in events]
    closing = {"ParallelStateSucceeded", "ParallelStateAborted", "ParallelStateExited", "ParallelStateFailed"}
    start, inside = 0, False
    block: list[dict[str, Any]] = []
    for i, event in enumerate(events):  # the list shrinks while we iterate, exactly as in the recorder
        kind = event.get("type")
        if kind in closing:
            events[start:i] = sorted(block, key=lambda e: json.dumps(e, sort_keys=True, default=str))
            inside = False
        elif kind == "ParallelStateStarted":
            start, block, inside = i + 1, [], True
        elif inside:
            event["id"] = [0]
            block.append(event)
    return events


def shape(events: list[dict[str, Any]]) -> list[str | tuple[str, ...]]:
    """Event types, with each run of normalised events (``id == [0]``) as one sorted tuple."""
    out: list[str | tuple[str, ...]] = []
    run: list[str] = []
    for event in events:
        if event.get("id") == [0]:
            run.append(event["type"])
            continue
        if run:
            out.append(tuple(sorted(run)))
            run = []
        out.append(event["type"])
    if run:
        out.append(tuple(sorted(run)))
    return out


DIMENSIONS = ("status", "sequence", "output", "error")


def applicable(scenario: Scenario) -> tuple[str, ...]:
    """The dimensions a recording can be compared on: output if it succeeded, error and cause if it did not.

    Example:
        >>> applicable(Scenario("x.json", None, [{"type": "ExecutionFailed"}], {}, {}))
        ('status', 'sequence', 'error')
    """
    last = scenario.types[-1]
    extra = ("output",) if last == "ExecutionSucceeded" else ("error",) if last in TERMINAL else ()
    return ("status", "sequence", *extra)


def final_details(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The terminal event's output, error and cause (absent ones as None), as the API gives them."""
    last = events[-1] if events else {}
    details = next((v for k, v in last.items() if k.endswith("EventDetails")), None) or {}
    return {key: details.get(key) for key in ("output", "error", "cause")}


def compare(scenario: Scenario, outcome: Outcome) -> dict[str, str]:
    """What differs, by dimension (a dimension that matches is absent); see :data:`DIMENSIONS`."""
    problems: dict[str, str] = {}
    if outcome.status != scenario.status:
        problems["status"] = f"status {outcome.status} != recorded {scenario.status}"
    if scenario.normalised:
        recorded, ours = shape(scenario.history), shape(recorder_normalised(outcome.events))
        if recorded != ours:
            problems["sequence"] = f"order-insensitive Parallel blocks differ: got {ours}, recorded {recorded}"
    elif outcome.types != scenario.types:
        problems["sequence"] = _diff(scenario.types, outcome.types)
    recorded_final, our_final = final_details(scenario.history), final_details(outcome.events)
    fields = {"output": ("output",), "error": ("error", "cause")}
    for dimension in applicable(scenario)[2:]:
        for key in fields[dimension]:
            want, got = recorded_final[key], our_final[key]
            if key == "output":  # JSON text in the API; the recorder decoded some (objects), not others
                want, got = json_value(want), json_value(got)
            want, got = normalise(want), normalise(got)
            if want != got:
                problems[dimension] = (f"{key} differs: got {json.dumps(got)[:400]}, "
                                       f"recorded {json.dumps(want)[:400]}")
                break
    return problems


def mismatches(scenario: Scenario, outcome: Outcome) -> list[str]:
    """Every difference (see :func:`compare`), as messages."""
    return list(compare(scenario, outcome).values())


def _diff(expected: list[str], actual: list[str]) -> str:
    for i, (a, b) in enumerate(zip(expected, actual, strict=False)):
        if a != b:
            return f"event #{i + 1}: got {b}, recorded {a} (got {len(actual)} events, recorded {len(expected)})"
    longer = actual if len(actual) > len(expected) else expected
    extra = longer[min(len(actual), len(expected)):][:4]
    return f"got {len(actual)} events, recorded {len(expected)}: extra {extra}"


# ---------------------------------------------------------------- definition and input

_TBD = re.compile(r"^_+(tbd|tbc|TBD)_+$")
_LAMBDA_NAME = re.compile(r"<lambda[_-]function[_-](1[_-])?name>")


def _walk(value: Any, fn: Any) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, fn) for v in value]
    return fn(value)


def _task_states(states: dict[str, Any]) -> Any:
    for name, state in states.items():
        yield name, state
        for branch in state.get("Branches", []) or []:
            yield from _task_states(branch.get("States", {}))
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                yield from _task_states(state[key].get("States", {}))


def prepare_definition(scenario: Scenario, world: World, lambda_arn: str) -> dict[str, Any]:
    if scenario.definition is None:
        raise SkipScenario("the recording has no definition")
    definition = copy.deepcopy(scenario.definition)
    mutations = scenario.source.get("definition_mutations_by_test") or []
    # Resources the test set before creating the machine: state name -> what it put there.
    wanted = {m["set_path"][-2]: str(m.get("to_expression")) for m in mutations
              if m.get("variable") == "template" and m.get("set_path", [""])[-1] == "Resource"}
    for name, state in _task_states(definition.get("States", {})):
        resource = state.get("Resource")
        if name in wanted or (isinstance(resource, str) and _TBD.match(resource)):
            state["Resource"] = world.activity_arn() if wanted.get(name) == "activity_arn" else lambda_arn
        if state.get("Type") == "Pass" and isinstance(state.get("Output"), str) and _TBD.match(state["Output"]):
            mutation: dict[str, Any] = next((m for m in mutations if m.get("set_path", [])[-1:] == ["Output"]), {})
            expression = str(mutation.get("to_expression", ""))
            state["Output"] = expression.strip("'") if expression.startswith("'") else _final_output(scenario)
    _recover_map_items(definition, scenario.history)
    world.definition_buckets()
    text = json.dumps(definition)
    text = text.replace("%CONTEXT_OBJECT_LITERAL_PLACEHOLDER%", "$$.Execution.Input.input-value")
    text = text.replace("%LAMBDA_FUNCTION_ARN_LITERAL_PLACEHOLDER%", lambda_arn)
    text = world.substitute_template(text)
    return dict(json.loads(text))


def _recover_map_items(definition: dict[str, Any], history: list[dict[str, Any]]) -> None:
    """A test that rewrote a top-level Map's literal ``Items``: take the items from the recorded iterations."""
    lengths = [e["mapStateStartedEventDetails"]["length"] for e in history if e["type"] == "MapStateStarted"]
    maps = [s for s in definition.get("States", {}).values() if s.get("Type") == "Map" and isinstance(
        s.get("Items"), list)]
    if len(maps) != 1 or len(lengths) != 1 or len(maps[0]["Items"]) == lengths[0]:
        return
    items = [json_value(history[i + 1].get("stateEnteredEventDetails", {}).get("input"))
             for i, e in enumerate(history[:-1]) if e["type"] == "MapIterationStarted"]
    if len(items) == lengths[0]:
        maps[0]["Items"] = items


def _final_output(scenario: Scenario) -> Any:
    details = scenario.history[-1].get("executionSucceededEventDetails", {})
    return json_value(details.get("output"))


def _name_functions(value: Any, tool_name: str) -> Any:
    """Every ``FunctionName`` in the input names the replay tool (the recorder left placeholders there)."""
    if isinstance(value, list):
        return [_name_functions(item, tool_name) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _name_functions(item, tool_name) for key, item in value.items()}
    name = out.get("FunctionName")
    if isinstance(name, str) and "lambda" in name and not name.startswith("no_such"):
        out["FunctionName"] = tool_name
    return out


def prepare_input(scenario: Scenario, world: World, tool_name: str) -> str:
    """The execution input as JSON text, placeholders replaced by local resources."""
    raw = scenario.input
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list | dict):
            raw = parsed  # the recorder left this JSON text undecoded

    def fix(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        # The function's name, alone or in an ARN ("no_such_<lambda_function_name>" stays a missing one).
        value = _LAMBDA_NAME.sub(tool_name, value)
        return world.substitute_value(value)

    prepared = _walk(world.prepare_input(_name_functions(raw, tool_name)), fix)
    if isinstance(prepared, dict) and prepared.get("TimestampValue") == "date":
        # The recorder replaced a near-future timestamp by "date".
        soon = time.gmtime(time.time() + 2)
        prepared["TimestampValue"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", soon)
    return json.dumps(prepared)


# ---------------------------------------------------------------- running

def skip_reason(scenario: Scenario) -> str | None:
    """Why a scenario cannot be replayed locally, or None."""
    if scenario.definition is None:
        return "the recording has no definition"
    text = json.dumps(scenario.definition)
    for service, reason in UNRUNNABLE.items():
        if f":::{service}:" in text:
            return reason
    return None


def run(scenario: Scenario, engine: Any, tag: str, *, deadline: float = 60.0) -> Outcome:
    """Replay one scenario on ``engine`` with the product's replay (its Lambda serving), in this scenario's world.

    The world (queues, tables, buckets, child machines, callback and activity workers) is the test's: the
    recorder's placeholders name resources only this corpus knows. Lambda calls are answered by
    :mod:`workbench.history.replay`, the same code ``workbench replay`` runs.
    """
    reason = skip_reason(scenario)
    if reason:
        raise SkipScenario(reason)
    started = time.monotonic()
    world = World(engine, tag, scenario.definition, scenario.history)
    tool_name = f"replay-{tag}"
    lambda_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{tool_name}"
    try:
        definition = prepare_definition(scenario, world, lambda_arn)
        execution_input = prepare_input(scenario, world, tool_name)
        plan = plan_replay(scenario.path, definition)
        # The definition and input are the recorded ones with the placeholders filled: an unchanged replay.
        plan = dataclasses.replace(
            plan, input=execution_input, edited=False, subject="the recorded definition",
            function_names=plan.function_names | {tool_name}, role_arn=ROLE_ARN,
            stop_after_events=len(scenario.history) - 1 if scenario.status == "ABORTED" else None)
        result = execute(plan, engine, deadline=deadline, name=f"replay-{tag}")
    finally:
        world.close()
    events = list(result.replayed_events)
    return Outcome(result.replayed_status, [e["type"] for e in events], events, time.monotonic() - started, result)
