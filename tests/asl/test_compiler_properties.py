"""Property-based tests: random valid Missions compile to ASL that moto parses and the linter accepts, and no
Mission (however ill-formed) makes the compiler raise anything but our own typed errors.

The engine's parser reads the compiler's *text* (``compile_to_json``), numbers as written: integer fields
hold JSON integers, and no float is in exponent form (moto's grammar rejects ``1e-06``; a fresh clone's
``make test`` once drew ``tolerated_failure_percentage=1e-06``). The values that broke it, and their kin, are
tried on every run by plain parametrised tests, whatever examples the Hypothesis profile draws.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.asl.moto_support import moto_parse
from tests.asl.strategies import (
    BACKOFF_RATES,
    JSON_NUMBERS,
    PERCENTAGES,
    TRICKY_BACKOFF_RATES,
    TRICKY_PERCENTAGES,
)
from workbench.asl.compiler import compile_mission, compile_to_json
from workbench.asl.json_text import json_number
from workbench.mission import CompileError, Mission, WorkbenchError, check_mission, loads_mission

try:
    from workbench.asl.lint import lint
except ImportError:  # pragma: no cover - the linter is written in parallel
    lint = None

TOOLS = {"fetch": {"lambda": "fetch-fn"}, "score": {"lambda": "arn:aws:lambda:us-east-1:123456789012:function:s"}}
# Fields the engine's grammar reads as integers only (``3``, never ``3.0``), and as numbers with a fraction.
INT_FIELDS = frozenset({"TimeoutSeconds", "HeartbeatSeconds", "IntervalSeconds", "MaxAttempts", "MaxDelaySeconds",
                        "Seconds", "MaxConcurrency", "ToleratedFailureCount"})
FRACTION_FIELDS = frozenset({"ToleratedFailurePercentage"})
LEAF_KINDS = ["tool", "pass", "wait", "task", "choose"]


class Ids:
    """Unique step ids for one generated Mission."""

    def __init__(self) -> None:
        self._count = itertools.count()

    def next(self, kind: str) -> str:
        return f"{kind}_{next(self._count)}"


def _retry(draw: Any) -> list[dict[str, Any]]:
    policies = [{"errors": [draw(st.sampled_from(["Lambda.ServiceException", "Lambda.TooManyRequestsException",
                                                  "Custom.Error"]))],
                 "interval": draw(st.integers(1, 30)), "max_attempts": draw(st.integers(0, 5)),
                 "backoff": draw(BACKOFF_RATES),
                 "max_delay": draw(st.none() | st.integers(30, 300)),
                 "jitter": draw(st.sampled_from([None, "FULL", "NONE"]))}
                for _ in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        policies.append({"errors": ["States.ALL"]})
    return policies


def _value(draw: Any, ql: str) -> Any:
    if ql == "JSONata" and draw(st.booleans()):
        return draw(st.sampled_from(["{% $states.input %}", "{% {'n': 1} %}", "{% $count([1, 2]) %}"]))
    return draw(st.sampled_from([None, 1, "text", {"k": [1, 2]}, {"nested": {"a": True}}]) | JSON_NUMBERS
                | st.dictionaries(st.sampled_from(["n", "x"]), JSON_NUMBERS, max_size=2))


def _leaf(draw: Any, kind: str, ql: str, ids: Ids) -> dict[str, Any]:
    step: dict[str, Any] = {"id": ids.next(kind)}
    if draw(st.booleans()):
        step["comment"] = draw(st.text(min_size=1, max_size=20))
    if kind == "tool":
        step["tool"] = draw(st.sampled_from(sorted(TOOLS)))
        if ql == "JSONata":
            step["args"] = draw(st.sampled_from([None, "{% $states.input %}", {"k": "{% $states.input %}"}]))
        else:
            step["args"] = draw(st.sampled_from([None, "$", "$.payload", {"id.$": "$.id", "n": 1}]))
            step["result"] = draw(st.sampled_from([None, {"v.$": "$.Payload"}]))
        step["save_as"] = draw(st.sampled_from([None, "result", "tool_out"]))
        step["retry"] = draw(st.none()) if draw(st.booleans()) else _retry(draw)
        timeout = draw(st.none() | st.integers(2, 600))
        step["timeout"] = timeout
        if timeout is not None and draw(st.booleans()):
            step["heartbeat"] = timeout - 1
    elif kind == "task":
        step["task"] = "arn:aws:states:::sqs:sendMessage"
        key = "Arguments" if ql == "JSONata" else "Parameters"
        step["asl"] = {key: {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": "hi"}}
    elif kind == "pass":
        step["pass"] = _value(draw, ql)
        step["save_as"] = draw(st.sampled_from([None, "kept"]))
        if ql == "JSONPath" and draw(st.booleans()):
            step["output"] = "$"
    elif kind == "wait":
        if ql == "JSONata":
            step["wait"] = draw(st.sampled_from([1, "2s", "{% 1 %}", {"until": "2030-01-01T00:00:00Z"}]))
        else:
            step["wait"] = draw(st.sampled_from([1, "1m", {"seconds": "$.delay"}, {"until": "$.deadline"}]))
    if ql == "JSONata" and draw(st.booleans()):
        step["assign"] = {"seen": draw(st.integers(0, 9) | JSON_NUMBERS)}
    return step


@st.composite
def step_lists(draw: Any, ql: str, depth: int, ids: Ids) -> list[dict[str, Any]]:
    """A list of steps that always finishes: terminals only at the end, choose always has a forward exit."""
    kinds = LEAF_KINDS + (["parallel", "map"] if depth < 2 else [])
    steps: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds))
        step_ql = ql
        override = None
        if ql == "JSONPath" and draw(st.integers(0, 4)) == 0:
            override = step_ql = "JSONata"
        if kind == "choose":
            steps.append({"id": ids.next("choose"), "choose": [], "_ql": step_ql})
        elif kind == "parallel":
            branches = {f"b{i}": draw(step_lists(step_ql, depth + 1, ids)) for i in range(draw(st.integers(1, 3)))}
            steps.append({"id": ids.next("parallel"), "parallel": branches,
                          "save_as": draw(st.sampled_from([None, "branches"])), "retry": _retry(draw) or None})
        elif kind == "map":
            distributed = draw(st.booleans())
            spec: dict[str, Any] = {"items": "{% [1, 2] %}" if step_ql == "JSONata" else "$.items",
                                    "steps": draw(step_lists(step_ql, depth + 1, ids)),
                                    "max_concurrency": draw(st.none() | st.integers(0, 10)),
                                    "mode": "distributed" if distributed else "inline"}
            if distributed:
                spec["tolerated_failure_percentage"] = draw(st.none() | PERCENTAGES)
                spec["tolerated_failures"] = draw(st.none() | st.integers(0, 5))
                spec["label"] = draw(st.none() | st.just("items"))
            steps.append({"id": ids.next("map"), "map": spec})
        else:
            steps.append(_leaf(draw, kind, step_ql, ids))
        if override:
            steps[-1]["query_language"] = override
    if "choose" in steps[-1]:
        steps.append({"id": ids.next("pass"), "pass": None})
    ending = draw(st.sampled_from([None, "succeed", "fail"]))
    if ending == "succeed":
        steps.append({"id": ids.next("succeed"), "succeed": True})
    elif ending == "fail":
        steps.append({"id": ids.next("fail"), "fail": {"error": "Generated", "cause": "generated failure"}})
    names = [s["id"] for s in steps]
    for i, step in enumerate(steps):
        if "choose" in step:  # rules jump anywhere in the list (back too); otherwise always moves forward
            step_ql = step.pop("_ql")
            step["choose"] = [
                {"when": "{% $states.input.n > 1 %}" if step_ql == "JSONata"
                 else {"Variable": "$.n", "NumericGreaterThan": 1},
                 "goto": draw(st.sampled_from(names))}
                for _ in range(draw(st.integers(1, 3)))
            ]
            step["otherwise"] = names[i + 1]
        elif any(k in step for k in ("tool", "parallel", "map")) and draw(st.integers(0, 3)) == 0:
            step["catch"] = [{"goto": draw(st.sampled_from(names)), "save_as": "failure"}]
    return steps


@st.composite
def missions(draw: Any) -> Mission:
    ql = draw(st.sampled_from(["JSONata", "JSONPath"]))
    ids = Ids()
    steps = draw(step_lists(ql, 0, ids))
    if ql == "JSONata" and draw(st.booleans()):  # a JSONPath step in a JSONata Mission lifts the top level
        steps.insert(0, {"id": ids.next("jsonpath"), "query_language": "JSONPath", "pass": {"x": 1}})
    data: dict[str, Any] = {"mission": "generated", "query_language": ql, "tools": TOOLS, "steps": steps,
                            "timeout": draw(st.none() | st.integers(60, 3600)),
                            "defaults": {"retry": _retry(draw), "timeout": draw(st.none() | st.integers(60, 300))}}
    return Mission.model_validate(data)


def engine_text(mission: Mission) -> tuple[dict[str, Any], Any]:
    """Compile to text, check its numbers are written as the engine reads them, parse it with the engine.

    Returns the definition read back from the text (equal to ``compile_mission``'s, number for number) and
    the engine's parsed program.
    """
    text = compile_to_json(mission)
    written: list[str] = []
    definition = json.loads(text, parse_float=lambda s: written.append(s) or float(s))
    assert [s for s in written if "e" in s.lower()] == [], "floats in exponent form"
    assert definition == compile_mission(mission, check=False)
    for field, value in _number_fields(definition):
        if isinstance(value, str):  # a JSONata expression
            continue
        if field in INT_FIELDS:
            assert type(value) is int, f"{field}: {value!r} is not an integer"
        elif field in FRACTION_FIELDS:
            assert type(value) is float, f"{field}: {value!r} is written without a fraction"
    return definition, moto_parse(text)


def _number_fields(definition: dict[str, Any]) -> list[tuple[str, Any]]:
    """(field, value) of the number fields of the state machine, its states and their retriers."""
    found: list[tuple[str, Any]] = []
    graphs = [definition]
    while graphs:
        graph = graphs.pop()
        found += [(k, v) for k, v in graph.items() if k in INT_FIELDS | FRACTION_FIELDS]
        for state in graph.get("States", {}).values():
            found += [(k, v) for k, v in state.items() if k in INT_FIELDS | FRACTION_FIELDS]
            for retrier in state.get("Retry", []):
                found += [(k, v) for k, v in retrier.items() if k in INT_FIELDS | {"BackoffRate"}]
            graphs += state.get("Branches", [])
            graphs += [state[k] for k in ("ItemProcessor", "Iterator") if k in state]
    return found


def _distributed(percentage: float | None = None, backoff: float = 2.0, **numbers: Any) -> Mission:
    """A JSONPath Mission whose distributed map, tool step and retry carry the given numbers."""
    spec: dict[str, Any] = {"items": "$.items", "mode": "distributed", "steps": [{"id": "inner", "pass": None}],
                            "tolerated_failure_percentage": percentage}
    spec.update({k: numbers.pop(k) for k in ("max_concurrency", "tolerated_failures") if k in numbers})
    retry = {"errors": ["States.ALL"], "backoff": backoff}
    retry.update({k: numbers.pop(k) for k in ("interval", "max_attempts", "max_delay") if k in numbers})
    return Mission.model_validate({
        "mission": "numbers", "query_language": "JSONPath", "tools": TOOLS,
        "steps": [{"id": "fan", "map": spec},
                  {"id": "call", "tool": "fetch", "retry": [retry], **numbers},
                  {"id": "data", "pass": {"values": list(TRICKY_PERCENTAGES), "big": 2**64}}]})


@example(mission=_distributed(1e-06))
@given(missions())
def test_random_valid_missions_compile_parse_and_lint(mission: Mission) -> None:
    assert [d.render() for d in check_mission(mission) if d.is_error] == []
    definition, program = engine_text(mission)
    assert set(program.states.states) == {s.id for s in mission.steps}
    if lint is not None:
        assert [d.render() for d in lint(definition) if d.is_error] == []
    text = compile_to_json(mission)
    assert compile_to_json(loads_mission(mission.to_yaml())) == text


@pytest.mark.parametrize("percentage", TRICKY_PERCENTAGES)
def test_tolerated_failure_percentage_is_a_plain_decimal_the_engine_parses(percentage: float) -> None:
    text = compile_to_json(_distributed(percentage))
    assert f'"ToleratedFailurePercentage": {json_number(percentage)},' in text
    assert float(json_number(percentage)) == percentage
    definition, program = engine_text(_distributed(percentage))
    assert definition["States"]["fan"]["ToleratedFailurePercentage"] == percentage
    parsed = program.states.states["fan"].tolerated_failure_percentage_decl.tolerated_failure_percentage
    assert parsed == percentage


def test_integral_percentages_keep_a_fraction_and_integer_fields_stay_integers() -> None:
    """The engine's grammar wants ``5.0`` for a percentage but ``5`` for a count, even given as ``5.0``."""
    mission = _distributed(5, timeout=30.0, heartbeat=10, max_concurrency=4.0, tolerated_failures=2,
                           interval=3.0, max_attempts=2.0, max_delay=60)
    text = compile_to_json(mission)
    for written in ('"ToleratedFailurePercentage": 5.0', '"MaxConcurrency": 4,', '"TimeoutSeconds": 30,',
                    '"IntervalSeconds": 3,', '"MaxAttempts": 2,', '"MaxDelaySeconds": 60'):
        assert written in text
    engine_text(mission)


@pytest.mark.parametrize("backoff", TRICKY_BACKOFF_RATES)
def test_backoff_rates_are_plain_decimals_the_engine_parses(backoff: float) -> None:
    definition, _ = engine_text(_distributed(backoff=backoff))
    assert definition["States"]["call"]["Retry"][0]["BackoffRate"] == backoff


def test_largest_integers_the_fields_allow_are_written_as_integers() -> None:
    engine_text(_distributed(100.0, timeout=99999999, heartbeat=99999998, max_concurrency=2**31 - 1,
                             tolerated_failures=2**31 - 1, interval=99999999, max_attempts=99999999,
                             max_delay=31622400))


# --- ill-formed Missions --------------------------------------------------------------------------------
NAMES = ["a", "b", "c", "fetch", "zz"]


@st.composite
def messy_steps(draw: Any, depth: int = 0) -> list[dict[str, Any]]:
    steps = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["pass", "tool", "choose", "fail", "wait"] + (["parallel", "map"] if depth < 2
                                                                                 else [])))
        step: dict[str, Any] = {"id": draw(st.sampled_from(NAMES)),
                                "query_language": draw(st.sampled_from([None, "JSONata", "JSONPath"]))}
        if kind == "pass":
            step |= {"pass": draw(st.sampled_from([None, 1, "{% 1 %}", "$.x"])),
                     "then": draw(st.sampled_from([None, *NAMES]))}
        elif kind == "tool":
            step |= {"tool": draw(st.sampled_from(["fetch", "nope"])),
                     "catch": [{"goto": draw(st.sampled_from(NAMES)), "result_path": "$.e"}],
                     "result": draw(st.sampled_from([None, {"a": 1}])), "output": draw(st.sampled_from([None, 1]))}
        elif kind == "choose":
            step |= {"choose": [{"when": draw(st.sampled_from(["{% true %}", "$.x", {"Variable": "$.x"}])),
                                 "goto": draw(st.sampled_from(NAMES)), "output": 1}],
                     "otherwise": draw(st.sampled_from([None, *NAMES]))}
        elif kind == "fail":
            step |= {"fail": {"error": draw(st.sampled_from([None, "$.e", "{% 'x' %}"]))}}
        elif kind == "wait":
            step |= {"wait": draw(st.sampled_from([0, "{% 1 %}", "$.s", {"until": "$.t"}]))}
        elif kind == "parallel":
            step |= {"parallel": {"x": draw(messy_steps(depth + 1))}}
        else:
            step |= {"map": {"items": draw(st.sampled_from(["$.i", "{% [] %}", [1]])), "label": "l",
                             "steps": draw(messy_steps(depth + 1))}}
        steps.append(step)
    return steps


@given(messy_steps(), st.sampled_from(["JSONata", "JSONPath"]))
def test_compiler_raises_only_typed_errors(steps: list[dict[str, Any]], ql: str) -> None:
    mission = Mission.model_validate({"mission": "messy", "query_language": ql, "steps": steps,
                                      "tools": {"fetch": {"lambda": "f"}}})
    check_mission(mission)
    with contextlib.suppress(WorkbenchError):  # anything else fails the test
        compile_mission(mission, check=False)
    try:
        compile_mission(mission)
    except CompileError as exc:
        assert exc.diagnostics and all(d.is_error and d.code.startswith("MIS") for d in exc.diagnostics)


def test_constructed_mission_with_empty_lists_gives_compile_error() -> None:
    inner = Mission.model_validate({"mission": "m", "steps": [
        {"id": "m", "map": {"items": "{% [] %}", "steps": [{"id": "x", "pass": 1}]}}]})
    inner.steps[0].map.steps.clear()  # bypasses validation, as code building Missions by hand might
    with pytest.raises(CompileError, match="empty"):
        compile_mission(inner, check=False)
    with pytest.raises(CompileError):
        compile_mission(inner)
