"""Variable scope (ASL340, ASL341), checked against executions recorded on AWS and the scope rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import CORPUS
from workbench.asl.lint import lint, parse_location

HISTORIES = sorted((CORPUS / "histories").glob("*.json"))


def scope_findings(definition: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d.code, d.location) for d in lint(definition) if d.code in ("ASL340", "ASL341")]


def jsonata(states: dict[str, Any], start: str = "A") -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": states}


def test_every_unassigned_read_in_the_recordings_is_where_aws_failed_the_execution() -> None:
    """Each ASL340 on a recorded definition names the state that AWS failed with States.QueryEvaluationError."""
    warned = 0
    for path in HISTORIES:
        record = json.loads(path.read_text())
        definition = record.get("definition") if isinstance(record, dict) else None
        if not isinstance(definition, dict):
            continue
        findings = [d for d in lint(definition) if d.code == "ASL340"]
        if not findings:
            continue
        failed = {e["evaluationFailedEventDetails"]["state"]: e["evaluationFailedEventDetails"]["error"]
                  for e in record["history"] if e["type"] == "EvaluationFailed"}
        entered = {e["stateEnteredEventDetails"]["name"] for e in record["history"] if "stateEnteredEventDetails" in e}
        states = set()
        for finding in findings:
            where = parse_location(finding.location)
            states.add(where[max(i for i, part in enumerate(where) if part == "States") + 1])
        assert record["history"][-1]["type"] == "ExecutionFailed", path.name
        assert set(failed) & states, path.name  # AWS failed the execution at a state we warn about
        for state in states & entered:  # and every warned state it reached failed there
            assert failed.get(state) == "States.QueryEvaluationError", (path.name, state)
        warned += len(findings)
    assert warned == 3  # BASE_UNDEFINED_OUTPUT, and the Map whose iteration reads $stateError / $stateResult


def test_inner_scopes_read_outer_variables() -> None:
    """A Parallel branch reads $x assigned before the Parallel (recorded on AWS: BASE_SCOPE_PARALLEL)."""
    record = json.loads((CORPUS / "histories" /
                         "test_assign_base__test_base_parallel_cases__BASE_SCOPE_PARALLEL.json").read_text())
    assert record["history"][-1]["type"] == "ExecutionSucceeded"
    assert scope_findings(record["definition"]) == []


def test_a_branch_assigning_an_outer_variable_is_flagged() -> None:
    definition = jsonata({
        "A": {"Type": "Pass", "Assign": {"total": 0}, "Next": "Both"},
        "Both": {"Type": "Parallel", "End": True, "Assign": {"total": "{% $states.result[0] %}"}, "Branches": [
            {"StartAt": "Add", "States": {"Add": {"Type": "Pass", "Assign": {"total": "{% $total + 1 %}",
                                                                             "mine": 1}, "End": True}}},
        ]},
    })
    assert scope_findings(definition) == [("ASL341", "States.Both.Branches[0].States.Add.Assign.total")]


def test_distributed_map_children_cannot_read_outer_variables() -> None:
    def machine(mode: str) -> dict[str, Any]:
        return jsonata({
            "A": {"Type": "Pass", "Assign": {"limit": 5}, "Next": "Each"},
            "Each": {"Type": "Map", "End": True, "Items": "{% [1, 2] %}",
                     "ItemSelector": {"limit": "{% $limit %}", "item": "{% $states.context.Map.Item.Value %}"},
                     "ItemProcessor": {"ProcessorConfig": {"Mode": mode, "ExecutionType": "STANDARD"},
                                       "StartAt": "Use", "States": {
                                           "Use": {"Type": "Pass", "Output": "{% $limit %}", "End": True}}}},
        })
    assert scope_findings(machine("INLINE")) == []
    distributed = [d for d in lint(machine("DISTRIBUTED")) if d.code == "ASL340"]
    assert [d.location for d in distributed] == ["States.Each.ItemProcessor.States.Use.Output"]
    assert "pass it to each item in ItemSelector" in distributed[0].message


@pytest.mark.parametrize("expression", [
    "{% ($n := 3; $n * 2) %}",
    "{% $map([1, 2], function($v, $i) { $v + $i }) %}",
    "{% $map(['a'], $uppercase) %}",
    "{% $states.input.a & '$notAVariable' %}",
    "{% $count($states.input.items) %}",
])
def test_jsonata_bindings_functions_and_strings_are_not_variables(expression: str) -> None:
    assert scope_findings(jsonata({"A": {"Type": "Pass", "Output": expression, "End": True}})) == []


def test_assignments_in_choice_rules_and_catchers_count() -> None:
    definition = jsonata({
        "A": {"Type": "Choice", "Default": "T", "Choices": [
            {"Condition": "{% true %}", "Assign": {"route": "fast"}, "Next": "T"}]},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Arguments": {"FunctionName": "f", "Payload": "{% $route %}"}, "Next": "Done",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"why": "{% $states.errorOutput %}"},
                         "Next": "Done"}]},
        "Done": {"Type": "Pass", "Output": "{% [$route, $why, $whyy] %}", "End": True},
    })
    findings = [d for d in lint(definition) if d.code == "ASL340"]
    assert [(d.location, d.message.split(" is read")[0]) for d in findings] == [("States.Done.Output", "$whyy")]
    assert "(did you mean 'why'?)" in findings[0].message


def test_jsonpath_reads_in_paths_intrinsics_and_choice_rules() -> None:
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"user.$": "$.user"}, "Next": "C"},
        "C": {"Type": "Choice", "Default": "P", "Choices": [
            {"Variable": "$usr", "IsPresent": True, "Next": "P"}]},
        "P": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hi {} $nobody', $user)",
                                             "ctx.$": "$$.Execution.Id", "plain": "$missing"},
              "Next": "W"},
        "W": {"Type": "Wait", "SecondsPath": "$delay", "End": True},
    }}
    assert scope_findings(definition) == [("ASL340", "States.C.Choices[0].Variable"),
                                          ("ASL340", "States.W.SecondsPath")]
