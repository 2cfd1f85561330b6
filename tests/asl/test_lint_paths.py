"""JSONPath syntax, intrinsic functions, payload templates, JSONata, and the query-language split."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.asl.lint import lint
from workbench.asl.lint.syntax.intrinsics import intrinsic_problem
from workbench.asl.lint.syntax.jsonata import jsonata_syntax_error
from workbench.asl.lint.syntax.paths import path_problem


def one(state: dict[str, Any], ql: str | None = None) -> set[tuple[str, str]]:
    definition: dict[str, Any] = {"StartAt": "S", "States": {"S": state}}
    if ql:
        definition["QueryLanguage"] = ql
    return {(d.code, d.location) for d in lint(definition)}


@pytest.mark.parametrize("path", ["$", "$.a", "$.a.b[0]", "$.a[-1]", "$['a b']", "$.a-b", "$$", "$$.Map.Item.Value",
                                  "$var", "$var.x[2]", "$.[0].body", "$.a[*].b", "$..id", "$.a[1:3]", "$.a[0,1]",
                                  "$.a[?(@.k == 'v')].x", "$.a[(@.length-1)]", "$.ünïcode"])
def test_valid_paths(path: str) -> None:
    assert path_problem(path) is None


@pytest.mark.parametrize(("path", "code"), [("a.b", "ASL310"), (".guid", "ASL310"), ("$...", "ASL310"),
                                            ("$$23", "ASL310"), ("$.a[", "ASL310"), ("$.a[x y]", "ASL310"),
                                            ("$.a b", "ASL310"), ("()", "ASL310")])
def test_invalid_paths(path: str, code: str) -> None:
    problem = path_problem(path)
    assert problem is not None and problem.code == code


@pytest.mark.parametrize("path", ["$..id", "$.a[*]", "$.a[1:2]", "$.a[0,1]", "$.a[?(@.x)]", "$.*"])
def test_reference_paths_refuse_multi_selectors(path: str) -> None:
    problem = path_problem(path, reference=True)
    assert problem is not None and problem.code == "ASL311"


@pytest.mark.parametrize("call", [
    "States.Format('Welcome to {} {}\\'s playlist.', $.firstName, $.lastName)", "States.UUID()",
    "States.Array('Foo', 2020, $.someJson, null)", "States.ArrayRange(1, 9, 2)", "States.MathRandom($.a, $.b)",
    "States.JsonMerge($.a, $.b, false)", "States.Hash($.data, 'SHA-256')",
    "States.ArrayGetItem($.r[?(@.OutputKey == FooBar)].OutputValue, 0)",
    "States.StringToJson(States.Format('{}', $.x))", "States.ArrayLength($var.items)",
])
def test_valid_intrinsic_calls(call: str) -> None:
    assert intrinsic_problem(call) is None


@pytest.mark.parametrize(("call", "code"), [
    ("States.Xyz($.a)", "ASL314"), ("States.UUID($.a)", "ASL314"), ("States.ArrayRange(1, 2)", "ASL314"),
    ("States.Hash($.a, 'CRC32')", "ASL314"), ("States.Format('x', $.a", "ASL315"),
    ("States.Format('unclosed, $.a)", "ASL315"), ("States.Array(1 2)", "ASL315"),
    ("States.Array(1) extra", "ASL315"), ("States.Format", "ASL315"), ("States.Array(bare)", "ASL315"),
    ("States.Array($$23)", "ASL310"), ("States.Array(" * 40 + ")" * 40, "ASL315"),
])
def test_invalid_intrinsic_calls(call: str, code: str) -> None:
    problem = intrinsic_problem(call)
    assert problem is not None and problem.code == code


def test_dollar_keys_in_payload_templates() -> None:
    params = {"good.$": "$.a", "bad1.$": 23, "bad2.$": "23", "nested": {"list": [{"bad3.$": [1]}]},
              "bad4.$": " States.Array('a')", "bad5.$": "$$23", "fn.$": "States.Xyz($.a)", "literal": "$.not-a-path"}
    got = one({"Type": "Pass", "End": True, "Parameters": params})
    assert got == {("ASL313", 'States.S.Parameters["bad1.$"]'), ("ASL313", 'States.S.Parameters["bad2.$"]'),
                   ("ASL313", 'States.S.Parameters.nested.list[0]["bad3.$"]'),
                   ("ASL313", 'States.S.Parameters["bad4.$"]'), ("ASL310", 'States.S.Parameters["bad5.$"]'),
                   ("ASL314", 'States.S.Parameters["fn.$"]')}


def test_key_and_dollar_key_conflict() -> None:
    got = one({"Type": "Pass", "End": True, "Parameters": {"x": {"conflict": 1, "conflict.$": "$.v"}}})
    assert got == {("ASL316", 'States.S.Parameters.x["conflict.$"]')}


def test_result_is_literal() -> None:
    assert one({"Type": "Pass", "End": True, "Result": {"a.$": 23}}) == set()


def test_path_fields() -> None:
    assert ("ASL312", "States.S.ResultPath") in one({"Type": "Pass", "End": True, "ResultPath": "$foo"})
    assert ("ASL312", "States.S.ResultPath") in one({"Type": "Pass", "End": True, "ResultPath": "$$.x"})
    assert ("ASL311", "States.S.ResultPath") in one({"Type": "Pass", "End": True, "ResultPath": "$.a[*]"})
    assert ("ASL310", "States.S.InputPath") in one({"Type": "Pass", "End": True,
                                                    "InputPath": "States.Format('{}', $.a)"})
    assert one({"Type": "Pass", "End": True, "InputPath": None, "OutputPath": None, "ResultPath": None}) == set()


def test_jsonata_syntax_error_is_reported_with_parser_message() -> None:
    diags = lint({"QueryLanguage": "JSONata", "StartAt": "S",
                  "States": {"S": {"Type": "Pass", "End": True, "Output": {"x": ["{% 10 + * 2 %}"]}}}})
    assert [(d.code, d.location) for d in diags] == [("ASL320", "States.S.Output.x[0]")]
    assert "10 + * 2" in diags[0].message and "S0201" in diags[0].message


def test_jsonata_parse_helper() -> None:
    assert jsonata_syntax_error("$states.input.items[0]") is None
    assert jsonata_syntax_error("$sum($states.input.items") is not None
    assert jsonata_syntax_error("   ") == "the expression is empty"


@pytest.mark.parametrize(("value", "code"), [("{% 10 %", "ASL321"), ("10 %}", "ASL321"), ("{%%}", "ASL320"),
                                             ("{% 420. %}", "ASL320"), ("{% $eval('1') %}", "ASL325")])
def test_jsonata_surround_and_syntax(value: str, code: str) -> None:
    assert (code, "States.S.Output") in one({"Type": "Pass", "End": True, "Output": value}, "JSONata")


def test_jsonata_everywhere_it_can_appear() -> None:
    bad = "{% $x + %}"
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True, "TimeoutSeconds": bad,
             "Arguments": {"Payload": bad}, "Assign": {"v": bad},
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "S", "Output": bad}]}
    got = one(state, "JSONata")
    assert {("ASL320", "States.S.TimeoutSeconds"), ("ASL320", "States.S.Arguments.Payload"),
            ("ASL320", "States.S.Assign.v"), ("ASL320", "States.S.Catch[0].Output")} <= got
    choice = {"Type": "Choice", "Choices": [{"Condition": bad, "Next": "S"}]}
    assert ("ASL320", "States.S.Choices[0].Condition") in one(choice, "JSONata")


def test_jsonata_only_fields_in_jsonpath_state() -> None:
    got = one({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
               "Arguments": {"a": 1}, "Output": "{% 1 %}"})
    assert {("ASL300", "States.S.Arguments"), ("ASL300", "States.S.Output")} <= got
    assert ("ASL300", "States.S.Choices[0].Condition") in one(
        {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "S"}]})


def test_jsonpath_only_fields_in_jsonata_state() -> None:
    got = one({"Type": "Pass", "End": True, "InputPath": "$.a", "Parameters": {}, "ResultPath": "$.r"}, "JSONata")
    assert {("ASL301", "States.S.InputPath"), ("ASL301", "States.S.Parameters"),
            ("ASL301", "States.S.ResultPath")} <= got
    assert ("ASL301", "States.S.Choices[0].Variable") in one(
        {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": True, "Next": "S"}]}, "JSONata")
    assert ("ASL323", 'States.S.Output["a.$"]') in one({"Type": "Pass", "End": True, "Output": {"a.$": "$.a"}},
                                                       "JSONata")


def test_state_level_query_language() -> None:
    upgrade = {"Type": "Pass", "End": True, "QueryLanguage": "JSONata", "Output": "{% $states.input %}"}
    assert one(upgrade) == set()
    downgrade = {"Type": "Pass", "End": True, "QueryLanguage": "JSONPath", "ResultPath": "$.x"}
    assert one(downgrade, "JSONata") == {("ASL302", "States.S.QueryLanguage")}


def test_jsonata_text_in_jsonpath_state_is_a_warning() -> None:
    diags = lint({"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True,
                                                   "Parameters": {"a": "{% $states.input %}"}}}})
    assert [(d.code, d.severity.value) for d in diags] == [("ASL322", "warning")]
