"""Mission checks: reachability, loops with no way out, and fields that do not fit the step's language or mode."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from workbench.mission import Mission, check_mission, loads_mission


def codes(steps: list[dict[str, Any]], ql: str = "JSONata", **top: Any) -> list[tuple[str, str | None]]:
    mission = Mission.model_validate({"mission": "m", "query_language": ql, "steps": steps,
                                      "tools": {"t": {"lambda": "fn"}}, **top})
    return [(d.code, d.step) for d in check_mission(mission) if d.is_error]


def test_unreachable_step() -> None:
    assert codes([{"id": "a", "pass": 1, "end": True}, {"id": "b", "pass": 2}]) == [("MIS204", "b")]


def test_steps_reached_only_by_catch_or_rule_are_reachable() -> None:
    assert codes([
        {"id": "a", "tool": "t", "catch": [{"goto": "oops"}]},
        {"id": "c", "choose": [{"when": "{% true %}", "goto": "yes"}], "otherwise": "no"},
        {"id": "yes", "succeed": True},
        {"id": "no", "pass": 1, "end": True},
        {"id": "oops", "fail": {"error": "X"}},
    ]) == []


def test_loop_with_no_way_out() -> None:
    diags = check_mission(loads_mission(textwrap.dedent("""
        mission: m
        steps:
          - {id: start, pass: 1}
          - {id: poll, wait: 5}
          - id: again
            choose:
              - {when: '{% $states.input.n > 1 %}', goto: poll}
            otherwise: poll
          - {id: never, pass: 1}
    """), "loop.yaml"))
    loop = [d for d in diags if d.code == "MIS205"]
    assert len(loop) == 1
    assert loop[0].message == "loop with no way out in the top level: start, poll, again can never finish"
    assert (loop[0].step, loop[0].file, loop[0].line) == ("start", "loop.yaml", 4)
    assert any(d.code == "MIS204" and d.step == "never" for d in diags)


def test_loop_with_a_way_out_is_fine() -> None:
    assert codes([
        {"id": "poll", "wait": 5},
        {"id": "again", "choose": [{"when": "{% $states.input.done %}", "goto": "done"}], "otherwise": "poll"},
        {"id": "done", "succeed": True},
    ]) == []


def test_loops_are_checked_inside_branches_and_maps() -> None:
    assert codes([{"id": "p", "parallel": {"x": [{"id": "a", "pass": 1, "then": "b"}, {"id": "b", "pass": 1,
                                                                                      "then": "a"}]}}]) == [
        ("MIS205", "a")]
    assert codes([{"id": "m", "map": {"items": "{% [1] %}", "steps": [
        {"id": "a", "pass": 1, "end": True}, {"id": "b", "pass": 1}]}}]) == [("MIS204", "b")]


def test_dangling_goto_is_not_also_an_endless_loop() -> None:
    assert codes([{"id": "a", "pass": 1}, {"id": "b", "pass": 1, "then": "zz"}]) == [("MIS203", "b")]


def test_faults_for_unknown_tools() -> None:
    assert codes([{"id": "a", "tool": "t"}], local={"faults": {"tt": {"fail_rate": 0.5}}}) == [("MIS207", None)]


# --- fields that do not fit ------------------------------------------------------------------------------
@pytest.mark.parametrize(("step", "ql", "code"), [
    ({"id": "c", "choose": [{"when": {"Variable": "$.x", "IsPresent": True}, "goto": "c"}], "otherwise": "e"},
     "JSONata", "MIS206"),
    ({"id": "c", "choose": [{"when": "$states.input.x", "goto": "c"}], "otherwise": "e"}, "JSONata", "MIS206"),
    ({"id": "c", "choose": [{"when": "{% true %}", "goto": "c"}], "otherwise": "e"}, "JSONPath", "MIS206"),
    ({"id": "c", "choose": [{"when": {"Variable": "$.x", "IsPresent": True}, "goto": "e", "output": 1}],
      "otherwise": "e"}, "JSONPath", "MIS210"),
    ({"id": "s", "tool": "t", "result": {"a.$": "$.Payload"}}, "JSONata", "MIS210"),
    ({"id": "s", "tool": "t", "output": {"a": 1}}, "JSONPath", "MIS210"),
    ({"id": "s", "tool": "t", "catch": [{"goto": "e", "result_path": "$.err"}]}, "JSONata", "MIS210"),
    ({"id": "s", "tool": "t", "catch": [{"goto": "e", "output": "{% 1 %}"}]}, "JSONPath", "MIS210"),
    ({"id": "w", "wait": "{% $x %}"}, "JSONPath", "MIS214"),
    ({"id": "w", "wait": "$.delay"}, "JSONata", "MIS214"),
    ({"id": "w", "wait": {"until": "$.deadline"}}, "JSONata", "MIS214"),
    ({"id": "m", "map": {"items": "{% $x %}", "steps": [{"id": "i", "pass": 1}]}}, "JSONPath", "MIS214"),
    ({"id": "m", "map": {"items": "$.list", "steps": [{"id": "i", "pass": 1}]}}, "JSONata", "MIS214"),
    ({"id": "f", "pass": "{% 1 %}"}, "JSONPath", "MIS214"),
    ({"id": "m", "map": {"items": "{% $x %}", "tolerated_failures": 1, "steps": [{"id": "i", "pass": 1}]}},
     "JSONata", "MIS209"),
    ({"id": "m", "map": {"items": "$.x", "label": "l", "steps": [{"id": "i", "pass": 1}]}}, "JSONPath", "MIS209"),
    ({"id": "s", "tool": "t", "save_as": "my-result"}, "JSONata", "MIS211"),
    ({"id": "s", "pass": 1, "assign": {"states": 1}}, "JSONata", "MIS211"),
    ({"id": "s", "tool": "t", "catch": [{"goto": "e", "save_as": "2fast"}]}, "JSONata", "MIS211"),
    ({"id": "s", "tool": "t", "retry": [{"errors": ["States.ALL", "X"]}]}, "JSONata", "MIS212"),
    ({"id": "s", "tool": "t", "catch": [{"goto": "e"}, {"errors": ["X"], "goto": "e"}]}, "JSONata", "MIS212"),
    ({"id": "s", "tool": "t", "timeout": 10, "heartbeat": 10}, "JSONata", "MIS213"),
])
def test_field_checks(step: dict[str, Any], ql: str, code: str) -> None:
    found = codes([step, {"id": "e", "succeed": True}], ql)
    assert (code, step["id"]) in found, found


def test_heartbeat_against_mission_default_timeout() -> None:
    assert ("MIS213", "s") in codes([{"id": "s", "tool": "t", "heartbeat": 60}], defaults={"timeout": 30})


def test_field_checks_follow_the_inherited_language() -> None:
    # the choose sits in a JSONPath parallel of a JSONata Mission: its condition must be a rule object
    steps = [{"id": "p", "query_language": "JSONPath", "parallel": {"a": [
        {"id": "c", "choose": [{"when": "{% true %}", "goto": "x"}], "otherwise": "x"}, {"id": "x", "pass": 1}]}}]
    assert codes(steps) == [("MIS206", "c")]


def test_nested_jsonpath_under_jsonata() -> None:
    assert codes([{"id": "m", "map": {"items": "{% [1] %}", "steps": [
        {"id": "i", "query_language": "JSONPath", "pass": 1}]}}]) == [("MIS208", "i")]
    assert codes([{"id": "m", "query_language": "JSONPath", "map": {"items": "$.x", "steps": [
        {"id": "i", "pass": 1}]}}]) == []


def test_good_fields_pass() -> None:
    assert codes([
        {"id": "s", "tool": "t", "save_as": "result_1", "timeout": 10, "heartbeat": 5,
         "retry": [{"errors": ["X"]}, {"errors": ["States.ALL"]}], "catch": [{"goto": "e", "save_as": "err"}]},
        {"id": "w", "wait": {"until": "{% $deadline %}"}},
        {"id": "m", "map": {"items": [1, 2], "mode": "distributed", "tolerated_failures": 1, "label": "x",
                            "steps": [{"id": "i", "pass": 1}]}},
        {"id": "e", "succeed": True},
    ]) == []
    assert codes([
        {"id": "s", "tool": "t", "save_as": "a.b", "output": "$.a", "result": {"x.$": "$.Payload"},
         "catch": [{"goto": "e", "result_path": "$.err"}]},
        {"id": "w", "wait": {"seconds": "$.delay"}},
        {"id": "e", "succeed": True},
    ], "JSONPath") == []


def test_check_diagnostics_locate_fields() -> None:
    mission = loads_mission(textwrap.dedent("""
        mission: m
        tools: {t: {lambda: fn}}
        steps:
          - id: fetch
            tool: t
            retry:
              - {errors: [States.ALL]}
              - {errors: [Lambda.ServiceException]}
    """), "r.yaml")
    (d,) = check_mission(mission)
    assert (d.code, d.file, d.line, d.column, d.location) == ("MIS212", "r.yaml", 8, 9, "steps[0].retry[0]")
    assert d.render() == ("r.yaml:8:9: error MIS212: step 'fetch': the States.ALL retry entry must be the last one "
                          "Hint: move it to the end of `retry`: entries after it can never match")


def test_typo_in_a_goto_is_reported_once() -> None:
    # `b` is unreachable only because of the typo: the did-you-mean already says so
    assert codes([{"id": "a", "pass": 1, "then": "b2"}, {"id": "b", "pass": 2}]) == [("MIS203", "a")]
