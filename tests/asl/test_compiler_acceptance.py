"""Compiled ASL is accepted by moto's interpreter: determinism, the example Missions, and real executions.

A module fixture starts ``moto.server.ThreadedMotoServer`` on 127.0.0.1 with execution turned on; every
example is created there, and tool-free Missions are run and their outputs checked.
"""

from __future__ import annotations

import json
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.asl.moto_support import moto_parse, moto_stepfunctions, run_definition
from workbench.asl.compiler import compile_mission, compile_to_json, dumps_asl
from workbench.mission import Mission, load_mission, loads_mission

MISSIONS = sorted(p for p in (Path(__file__).resolve().parents[2] / "missions").glob("*.yaml")
                  if not p.name.endswith(".tests.yaml"))  # NAME.tests.yaml: Mission tests, not Missions


@pytest.fixture(scope="module")
def sfn() -> Iterator[Any]:
    with moto_stepfunctions() as client:
        yield client


def test_there_are_examples_in_both_languages() -> None:
    languages = {load_mission(p).query_language for p in MISSIONS}
    assert len(MISSIONS) >= 4 and languages == {"JSONata", "JSONPath"}


# --- determinism ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", MISSIONS, ids=lambda p: p.stem)
def test_compile_is_byte_identical_and_survives_a_yaml_round_trip(path: Path) -> None:
    first = compile_to_json(load_mission(path))
    assert compile_to_json(load_mission(path)) == first
    round_tripped = loads_mission(load_mission(path).to_yaml())
    assert round_tripped == load_mission(path)
    assert compile_to_json(round_tripped) == first
    assert first.endswith("}\n") and json.loads(first) == compile_mission(load_mission(path))


def test_dumps_asl_is_canonical() -> None:
    text = dumps_asl({"b": "é", "a": [1]})
    assert text == '{\n  "b": "é",\n  "a": [\n    1\n  ]\n}\n'


# --- the examples ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", MISSIONS, ids=lambda p: p.stem)
def test_example_compiles_and_parses_in_moto(path: Path) -> None:
    mission = load_mission(path)
    definition = compile_mission(mission)
    program = moto_parse(definition)
    assert set(program.states.states) == {s.id for s in mission.steps}


@pytest.mark.parametrize("path", MISSIONS, ids=lambda p: p.stem)
def test_example_is_created_in_moto(sfn: Any, path: Path) -> None:
    definition = compile_to_json(load_mission(path))
    arn = sfn.create_state_machine(name=f"example-{path.stem}-{uuid.uuid4().hex[:8]}", definition=definition,
                                   roleArn="arn:aws:iam::123456789012:role/x")["stateMachineArn"]
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == json.loads(definition)


def test_example_fragments() -> None:
    research = compile_mission(load_mission(MISSIONS[0].parent / "research_brief.yaml"))
    fetch = research["States"]["read_sources"]["ItemProcessor"]["States"]["fetch"]
    assert fetch["Retry"][0] == {
        "ErrorEquals": ["Lambda.TooManyRequestsException"],
        "Comment": "The fetcher's upstream throttles hard; back off with jitter, at most 20s apart.",
        "IntervalSeconds": 1, "MaxAttempts": 6, "BackoffRate": 2.0, "MaxDelaySeconds": 20, "JitterStrategy": "FULL"}
    assert research["States"]["read_sources"]["ToleratedFailurePercentage"] == 50
    backfill = compile_mission(load_mission(MISSIONS[0].parent / "data_backfill.yaml"))
    assert backfill["QueryLanguage"] == "JSONPath"
    assert backfill["States"]["all_batches_landed"]["Choices"] == [
        {"Variable": "$.ok", "BooleanEquals": True, "Next": "done"}]


def test_change_window_example_runs(sfn: Any) -> None:
    mission = load_mission(MISSIONS[0].parent / "change_window.yaml")
    assert not mission.tools
    result = run_definition(sfn, "change-window", compile_mission(mission), mission.local.input)
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert [(c["id"], c["verdict"]["decision"]) for c in output["reviewed"]] == [
        ("CHG-101", "ship"), ("CHG-102", "hold"), ("CHG-103", "ship")]
    frozen = run_definition(sfn, "change-window-frozen", compile_mission(mission),
                            {**mission.local.input, "freeze": True})
    assert (frozen["status"], frozen["error"]) == ("FAILED", "ChangeFreeze")


# --- tool-free Missions run in moto (JSONPath: moto evaluates it natively) ------------------------------
FLOW = """
mission: flow
query_language: JSONPath
steps:
  - {id: config, pass: {threshold: 2, tags: [a, b, c]}, save_as: config}
  - {id: settle, wait: 0}
  - {id: settle_until, wait: {until: "2000-01-01T00:00:00Z"}}
  - id: route
    choose:
      - {when: {Variable: $.n, NumericGreaterThan: 2}, goto: fan_out}
    otherwise: too_small
  - id: fan_out
    parallel:
      left: [{id: l, pass: {side: left}}]
      right: [{id: r1, pass: null}, {id: r2, pass: {side: right}, save_as: mark, output: $.mark}]
    save_as: sides
  - id: each_tag
    map:
      items: $.config.tags
      item_selector: {"tag.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"}
      max_concurrency: 2
      steps: [{id: tag, pass: {seen: true}, save_as: flag}]
    save_as: tagged
  - {id: done, succeed: true}
  - {id: too_small, fail: {error: TooSmall, cause: $.reason}}
"""


def test_jsonpath_flow_runs(sfn: Any) -> None:
    definition = compile_mission(loads_mission(FLOW))
    result = run_definition(sfn, "flow", definition, {"n": 5})
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {
        "n": 5,
        "config": {"threshold": 2, "tags": ["a", "b", "c"]},
        "sides": [{"side": "left"}, {"side": "right"}],
        "tagged": [{"tag": t, "index": i, "flag": {"seen": True}} for i, t in enumerate("abc")],
    }
    failed = run_definition(sfn, "flow-small", definition, {"n": 1, "reason": "n is 1"})
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "TooSmall", "n is 1")


LOOP = """
mission: loop
query_language: JSONPath
steps:
  - id: count
    pass: null
    asl: {Parameters: {"n.$": "States.MathAdd($.n, 1)"}}
  - id: again
    choose:
      - {when: {Variable: $.n, NumericLessThan: 3}, goto: count}
    otherwise: done
  - {id: done, succeed: true}
"""


def test_goto_back_loop_with_escape_hatch_runs(sfn: Any) -> None:
    result = run_definition(sfn, "loop", compile_mission(loads_mission(LOOP)), {"n": 0})
    assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", {"n": 3})


CATCH = """
mission: catching
query_language: JSONPath
steps:
  - id: risky
    parallel:
      ok: [{id: fine, pass: 1}]
      broken: [{id: boom, fail: {error: Broken, cause: it broke}}]
    catch:
      - {errors: [Broken], goto: recover, result_path: $.failure}
  - {id: unreachable_ok, pass: null, end: true}
  - {id: recover, pass: {recovered: true}, save_as: status}
"""


def test_catch_with_result_path_runs(sfn: Any) -> None:
    result = run_definition(sfn, "catching", compile_mission(loads_mission(CATCH)), {"job": 7})
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["job"] == 7 and output["status"] == {"recovered": True}
    assert output["failure"]["Error"] == "Broken" and output["failure"]["Cause"] == "it broke"


DISTRIBUTED = """
mission: tolerant
query_language: JSONPath
steps:
  - id: each
    map:
      items: $.items
      mode: distributed
      tolerated_failure_percentage: 50
      label: each
      steps:
        - id: check
          choose:
            - {when: {Variable: $.bad, BooleanEquals: true}, goto: reject}
          otherwise: accept
        - {id: accept, pass: {accepted: true}, end: true}
        - {id: reject, fail: {error: Rejected}}
    save_as: results
"""


def test_distributed_map_tolerates_failures(sfn: Any) -> None:
    definition = compile_mission(loads_mission(DISTRIBUTED))
    ok = run_definition(sfn, "tolerant", definition, {"items": [{"bad": False}, {"bad": True}, {"bad": False}]})
    assert ok["status"] == "SUCCEEDED", ok
    # the failed item leaves a null; (moto 5.2.5 does not enforce the threshold itself, so going over it
    # cannot be tested here)
    assert json.loads(ok["output"])["results"] == [{"accepted": True}, None, {"accepted": True}]


# --- JSONata runs need an evaluator plugged into moto (workbench.engine.embedded.interpreter.jsonata_eval) ----------
JSONATA = """
mission: jsonata_flow
steps:
  - id: start
    pass: '{% {"n": $states.input.n, "items": [1, 2, 3]} %}'
    assign: {total: 0}
  - id: route
    choose:
      - {when: '{% $states.input.n > 2 %}', goto: fan_out, assign: {route: big}}
    otherwise: small
  - id: fan_out
    parallel:
      double: [{id: double, pass: '{% $states.input.n * 2 %}'}]
      square: [{id: square, pass: '{% $states.input.n * $states.input.n %}'}]
    save_as: both
  - id: each
    map:
      items: '{% [1, 2, 3] %}'
      steps: [{id: inc, pass: '{% $states.input + 1 %}'}]
    output: '{% {"route": $route, "both": $both, "incremented": $states.result} %}'
  - {id: done, succeed: true}
  - {id: small, fail: {error: Small, cause: '{% "n=" & $string($states.input.n) %}'}}
"""


@pytest.fixture(scope="module")
def jsonata_in_moto() -> None:
    from workbench.engine.embedded.interpreter import patches

    patches.install()  # the one guarded place moto is adapted (JSONata evaluation among the rest)


@pytest.mark.usefixtures("jsonata_in_moto")
def test_jsonata_flow_runs(sfn: Any) -> None:
    definition = compile_mission(loads_mission(JSONATA))
    result = run_definition(sfn, "jsonata-flow", definition, {"n": 3})
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {"route": "big", "both": [6, 9], "incremented": [2, 3, 4]}
    small = run_definition(sfn, "jsonata-small", definition, {"n": 1})
    assert (small["status"], small["error"], small["cause"]) == ("FAILED", "Small", "n=1")


def test_missions_in_memory_and_from_text_compile_alike() -> None:
    text = textwrap.dedent(FLOW)
    assert compile_mission(loads_mission(text)) == compile_mission(Mission.model_validate(
        loads_mission(text).model_dump(by_alias=True)))
