"""Mission templates: placeholders only in declared places, values bound as data, deterministic names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workbench.asl.compiler import compile_mission
from workbench.asl.plan import prepare_plan
from workbench.mission.catalog import load_catalog, loads_plan
from workbench.mission.template import TemplateError, load_template, loads_template, state_machine_name

REPO = Path(__file__).resolve().parents[2]
TRIAGE = REPO / "missions" / "catalog" / "incident_triage.yaml"
BACKFILL = REPO / "missions" / "catalog" / "data_backfill.yaml"
INJECTIONS = ['"} , \\"Type\\": \\"Fail"', '"} , "Type": "Fail"', '{% $eval("$states") %}',
              '{% $eval(\'1\') %}', "$.secret", "$$.Execution.Input", "States.Format('{}', $.x)"]

HEADER = """\
mission: probe
version: "1.0"
catalog: {kinds: [probe]}
"""


def template(body: str, params: str = "parameters: {}\n", language: str = "JSONata") -> Any:
    return loads_template(HEADER + f"query_language: {language}\n" + params + body, "t.yaml")


def problems(body: str, params: str = "parameters: {}\n", language: str = "JSONata") -> list[str]:
    with pytest.raises(TemplateError) as caught:
        template(body, params, language)
    return [f"{d.line}:{d.code}:{d.message}" for d in caught.value.diagnostics]


def every_string(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *every_string(v))]
    if isinstance(value, list):
        return [s for v in value for s in every_string(v)]
    return []


# -- where placeholders may go ------------------------------------------------------------------------------
@pytest.mark.parametrize(("step", "why"), [
    ("{id: a, pass: '{% {\"x\": {{ p }}} %}'}", "inside an expression"),
    ("{id: a, choose: [{when: '{% $x = {{ p }} %}', goto: b}], otherwise: b}\n  - {id: b, succeed: true}",
     "inside an expression"),
    ("{id: '{{ p }}', pass: {x: 1}}", "outside the places"),
    ("{id: a, pass: {'{{ p }}': 1}}", "in a key"),
    ("{id: a, fail: {error: '{{ p }}'}}", "outside the places"),
    ("{id: a, pass: {x: 1}, comment: '{{ p }}'}", "outside the places"),
])
def test_a_placeholder_outside_the_declared_places_is_refused_with_its_line(step: str, why: str) -> None:
    found = problems(f"steps:\n  - {step}\n", "parameters: {p: {type: string, default: x}}\n")
    assert any(":TPL005:" in p and why in p for p in found), found
    assert all(p.startswith("7:") for p in found if "TPL005" in p), found  # the step's line in the file


def test_a_placeholder_under_a_jsonpath_key_is_code_and_refused() -> None:
    found = problems("steps:\n  - {id: a, pass: {'x.$': '{{ p }}'}}\n", "parameters: {p: {type: string, default: x}}\n",
                     "JSONPath")
    assert any("inside an expression" in p for p in found), found


def test_unknown_parameter_and_wrong_type_name_the_field_and_the_fix() -> None:
    found = problems("tools: {t: {lambda: fn}}\nsteps:\n  - {id: a, tool: t, map: null}\n"
                     "  - {id: b, wait: '{{ nap }}'}\n  - {id: c, pass: {n: 1}, enabled: '{{ n }}'}\n",
                     "parameters: {n: {type: integer, default: 1}, nip: {type: string, default: 1s}}\n")
    assert any("TPL006" in p and "'{{ nap }}' names no parameter" in p for p in found), found
    assert any("TPL007" in p and "parameter 'n' is integer, but a flag slot takes boolean" in p for p in found), found


def test_parameter_values_are_checked_against_their_schema_naming_parameter_and_constraint() -> None:
    t = load_template(TRIAGE)
    with pytest.raises(TemplateError) as caught:
        t.bind({"probe_concurrency": 0, "service": "Payments API", "page_severities": ["urgent"], "servce": "x"})
    messages = [d.message for d in caught.value.diagnostics]
    assert "parameter 'probe_concurrency': 0 is less than the minimum of 1 (constraint minimum)" in messages
    assert any(m.startswith("parameter 'service': 'Payments API' does not match") and "(constraint pattern)" in m
               for m in messages), messages
    assert any(m.startswith("parameter 'page_severities[0]': 'urgent' is not one of") for m in messages), messages
    assert "parameter 'servce' is not a parameter of this template; did you mean 'service'?" in messages
    assert all(d.file == str(TRIAGE) and d.line for d in caught.value.diagnostics)


# -- values are data, never code ----------------------------------------------------------------------------
@pytest.mark.parametrize("value", INJECTIONS)
def test_jsonata_constants_holding_code_stay_literal_strings(value: str) -> None:
    t = template("steps:\n  - {id: a, pass: {note: '{{ note }}', fixed: 1}, end: true}\n",
                 "parameters: {note: {type: string, default: x}}\n")
    asl = compile_mission(t.bind({"note": value}).mission)
    assert list(asl["States"]) == ["a"] and asl["States"]["a"]["Type"] == "Pass"
    output = asl["States"]["a"]["Output"]
    assert set(output) == {"note", "fixed"}
    note = output["note"]
    if "{%" in value or "%}" in value:  # written as a JSONata string literal that evaluates to the value
        assert note.startswith("{% ") and note.endswith(" %}") and json.loads(note[3:-3]) == value
    else:
        assert note == value


@pytest.mark.parametrize("value", INJECTIONS)
def test_jsonpath_constants_holding_code_stay_literal_strings(value: str) -> None:
    t = load_template(BACKFILL)
    t.parameters["table"] = t.parameters["table"].model_copy(update={"pattern": None})
    asl = compile_mission(t.bind({"table": value}).mission)
    payload = asl["States"]["list_partitions"]["Parameters"]["Payload"]
    assert payload["table"] == value  # a plain key: JSONPath never evaluates it
    assert "table.$" not in payload and set(asl["States"]) == set(compile_mission(t.bind().mission)["States"])


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_tool_name_that_is_not_a_function_name_is_refused(value: str) -> None:
    t = load_template(TRIAGE)
    t.parameters["tool_prefix"] = t.parameters["tool_prefix"].model_copy(update={"pattern": None})
    with pytest.raises(TemplateError) as caught:
        t.bind({"tool_prefix": value})
    (first, *_) = caught.value.diagnostics
    assert first.code == "TPL011" and first.line
    assert ("is not a Lambda function name" in first.message
            or "fills part of a tool name, so it may hold only letters, digits, '-' or '_'" in first.message)


def test_part_of_a_tool_name_cannot_become_another_accounts_function() -> None:
    t = load_template(TRIAGE)
    t.parameters["tool_prefix"] = t.parameters["tool_prefix"].model_copy(update={"pattern": None})
    with pytest.raises(TemplateError, match="fills part of a tool name"):
        t.bind({"tool_prefix": "arn:aws:lambda:us-east-1:999999999999:function:evil"})


def test_object_constants_in_jsonpath_may_not_carry_path_keys() -> None:
    t = template("steps:\n  - {id: a, pass: {cfg: '{{ cfg }}'}, end: true}\n",
                 "parameters: {cfg: {type: object, default: {}}}\n", "JSONPath")
    assert compile_mission(t.bind({"cfg": {"a": "$.x"}}).mission)["States"]["a"]["Result"] == {"cfg": {"a": "$.x"}}
    with pytest.raises(TemplateError, match=r"the key 'a\.\$' would be read as a JSONPath"):
        t.bind({"cfg": {"a.$": "$.x"}})


# -- typed slots, flags, names ------------------------------------------------------------------------------
def test_typed_slots_keep_their_types_in_the_asl() -> None:
    bound = load_template(TRIAGE).bind({"probe_concurrency": 8, "probe_timeout": "20s", "page_retries": 2,
                                        "tool_prefix": "payments"})
    asl = compile_mission(bound.mission)
    probe = asl["States"]["probe_hosts"]
    assert probe["MaxConcurrency"] == 8
    assert probe["ItemProcessor"]["States"]["probe_host"]["TimeoutSeconds"] == 20
    assert asl["States"]["page_human"]["Retry"][0]["MaxAttempts"] == 2
    assert asl["States"]["fetch_alert"]["Arguments"]["FunctionName"] == "payments-fetch-alert"
    assert asl["States"]["assess"]["Assign"]["page_severities"] == ["critical"]


def test_a_disabled_step_is_left_out_and_jumps_to_it_go_to_what_follows() -> None:
    asl = compile_mission(load_template(TRIAGE).bind({"paging_enabled": False}).mission)
    assert "page_human" not in asl["States"]
    assert [c["Next"] for c in asl["States"]["decide"]["Choices"]] == ["summarize", "summarize"]


def test_disabling_a_step_nothing_can_stand_in_for_is_refused() -> None:
    t = template("steps:\n  - {id: a, pass: {x: 1}}\n  - {id: b, succeed: true, enabled: '{{ keep }}'}\n",
                 "parameters: {keep: {type: boolean, default: true}}\n")
    with pytest.raises(TemplateError, match="step 'b' cannot be disabled"):
        t.bind({"keep": False})


def test_names_are_deterministic_per_template_version_and_parameters() -> None:
    t = load_template(TRIAGE)
    a = t.bind({"service": "payments-api", "probe_concurrency": 8})
    b = t.bind({"probe_concurrency": 8, "service": "payments-api"})
    c = t.bind({"service": "payments-api", "probe_concurrency": 9})
    assert a.state_machine_name == b.state_machine_name != c.state_machine_name
    assert a.state_machine_name == f"incident_triage-v2_0-{a.parameters_hash}" and len(a.parameters_hash) == 8
    assert t.bind({"probe_concurrency": 8}, naming="version").state_machine_name == "incident_triage-v2_0"
    assert t.bind().parameters_hash == t.bind({"service": "checkout-api"}).parameters_hash  # defaults count
    long = state_machine_name("x" * 100, "10.2.3-rc1", "abcdef12")
    assert len(long) == 80 and long.endswith("-v10_2_3_rc1-abcdef12")


def test_every_example_plan_binds_compiles_and_lints_clean() -> None:
    catalog = load_catalog(REPO / "missions" / "catalog")
    for path in sorted((REPO / "missions" / "plans").glob("*.plan.json")):
        plan = loads_plan(path.read_text(), str(path))
        prepared = prepare_plan(plan, catalog, generate=True)
        assert prepared.ok, (path.name, [d.render() for d in prepared.diagnostics])
