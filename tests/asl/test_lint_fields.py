"""Field rules per state type: allowed fields, types, ranges, exclusive pairs, Retry/Catch, Map, Resource."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.asl.lint import lint

LAMBDA = "arn:aws:states:::lambda:invoke"


def one(state: dict[str, Any], *, top: dict[str, Any] | None = None) -> set[tuple[str, str]]:
    """(code, location) of every diagnostic for a one-state machine around ``state``."""
    definition = {"StartAt": "S", "States": {"S": state}, **(top or {})}
    return {(d.code, d.location) for d in lint(definition)}


def task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}


def test_valid_task_with_everything_is_clean() -> None:
    state = task(Comment="c", InputPath="$.in", OutputPath="$.out", ResultPath="$.r", TimeoutSeconds=60,
                 HeartbeatSeconds=10, Parameters={"FunctionName": "f", "Payload.$": "$"},
                 ResultSelector={"body.$": "$.Payload"}, Credentials={"RoleArn": "arn:aws:iam::1:role/x"},
                 Retry=[{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 0,
                         "BackoffRate": 1.5, "MaxDelaySeconds": 10, "JitterStrategy": "FULL"},
                        {"ErrorEquals": ["States.ALL"]}],
                 Catch=[{"ErrorEquals": ["States.ALL"], "Next": "S", "ResultPath": "$.error"}])
    assert one(state) == set()


def test_unknown_field_with_suggestion() -> None:
    diags = lint({"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True, "InputPth": "$"}}})
    assert [(d.code, d.location) for d in diags] == [("ASL200", "States.S.InputPth")]
    assert "did you mean 'InputPath'" in diags[0].message


@pytest.mark.parametrize(("typ", "field"), [("Choice", "Parameters"), ("Succeed", "ResultPath"),
                                            ("Fail", "ResultSelector"), ("Wait", "Parameters"),
                                            ("Pass", "ResultSelector"), ("Fail", "InputPath")])
def test_field_not_allowed_for_type(typ: str, field: str) -> None:
    base: dict[str, Any] = {"Choice": {"Choices": [{"Variable": "$.a", "IsNull": True, "Next": "S"}]},
                            "Wait": {"Seconds": 1, "End": True}, "Pass": {"End": True}}.get(typ, {})
    assert ("ASL200", f"States.S.{field}") in one({"Type": typ, **base, field: "$.x"})


def test_backoff_rate_below_one() -> None:
    got = lint({"StartAt": "S", "States": {"S": task(Retry=[{"ErrorEquals": ["X"], "BackoffRate": 0.5}])}})
    assert [(d.code, d.location) for d in got] == [("ASL202", "States.S.Retry[0].BackoffRate")]
    assert "allowed minimum is 1" in got[0].message


@pytest.mark.parametrize(("retrier", "code", "field"), [
    ({"MaxAttempts": -1}, "ASL202", "MaxAttempts"),
    ({"MaxAttempts": 2.5}, "ASL201", "MaxAttempts"),
    ({"IntervalSeconds": 0}, "ASL202", "IntervalSeconds"),
    ({"MaxDelaySeconds": 0}, "ASL202", "MaxDelaySeconds"),
    ({"JitterStrategy": "PARTIAL"}, "ASL205", "JitterStrategy"),
    ({"BackoffRate": "2"}, "ASL201", "BackoffRate"),
    ({"Bogus": 1}, "ASL200", "Bogus"),
])
def test_retrier_values(retrier: dict[str, Any], code: str, field: str) -> None:
    assert (code, f"States.S.Retry[0].{field}") in one(task(Retry=[{"ErrorEquals": ["X"], **retrier}]))


def test_states_all_must_be_alone_and_last() -> None:
    not_last = task(Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["States.Timeout"]}])
    assert ("ASL207", "States.S.Retry[0].ErrorEquals") in one(not_last)
    not_alone = task(Catch=[{"ErrorEquals": ["States.ALL", "X"], "Next": "S"}])
    assert ("ASL207", "States.S.Catch[0].ErrorEquals") in one(not_alone)


def test_error_equals_required_and_non_empty() -> None:
    assert ("ASL206", "States.S.Retry[0].ErrorEquals") in one(task(Retry=[{"ErrorEquals": []}]))
    assert ("ASL206", "States.S.Catch[0]") in one(task(Catch=[{"Next": "S"}]))
    assert ("ASL204", "States.S.Catch[0]") in one(task(Catch=[{"ErrorEquals": ["X"]}]))


def test_unknown_states_error_is_a_warning_unless_a_fail_state_raises_it() -> None:
    definition = {"StartAt": "S", "States": {"S": task(Catch=[{"ErrorEquals": ["States.Custom"], "Next": "F"}]),
                                             "F": {"Type": "Fail"}}}
    diags = [d for d in lint(definition) if d.code == "ASL209"]
    assert len(diags) == 1 and not diags[0].is_error
    definition["States"]["F"]["Error"] = "States.Custom"
    assert not [d for d in lint(definition) if d.code == "ASL209"]


def test_timeouts() -> None:
    assert ("ASL208", "States.S.HeartbeatSeconds") in one(task(TimeoutSeconds=10, HeartbeatSeconds=10))
    assert ("ASL202", "States.S.TimeoutSeconds") in one(task(TimeoutSeconds=0))
    assert ("ASL203", "States.S.TimeoutSecondsPath") in one(task(TimeoutSeconds=5, TimeoutSecondsPath="$.t"))
    assert ("ASL201", "States.S.HeartbeatSeconds") in one(task(HeartbeatSeconds="10"))


def test_wait_needs_exactly_one_duration() -> None:
    assert ("ASL204", "States.S") in one({"Type": "Wait", "End": True})
    assert ("ASL203", "States.S.TimestampPath") in one({"Type": "Wait", "End": True, "Seconds": 1,
                                                        "TimestampPath": "$.t"})
    assert ("ASL213", "States.S.Timestamp") in one({"Type": "Wait", "End": True, "Timestamp": "2016-03-14 01:59"})
    assert one({"Type": "Wait", "End": True, "Timestamp": "2016-03-14T01:59:00Z"}) == set()


def test_fail_static_vs_dynamic() -> None:
    assert ("ASL203", "States.S.ErrorPath") in one({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})
    assert ("ASL203", "States.S.CausePath") in one({"Type": "Fail", "Cause": "C", "CausePath": "$.c"})
    assert one({"Type": "Fail", "CausePath": "States.Format('x {}', $.c)", "ErrorPath": "$.e"}) == set()


def test_credentials_and_resource() -> None:
    assert ("ASL201", "States.S.Credentials") in one(task(Credentials="foo:bar"))
    assert ("ASL201", "States.S.Credentials") in one(task(Credentials=None))
    bad_alias = {"Type": "Task", "End": True, "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f:"}
    assert ("ASL211", "States.S.Resource") in one(bad_alias)
    assert ("ASL204", "States.S") in one({"Type": "Task", "End": True})
    weird = {"Type": "Task", "End": True, "Resource": "arn:aws:states:::lambda"}
    assert {d.severity.value for d in lint({"StartAt": "S", "States": {"S": weird}})} == {"warning"}


@pytest.mark.parametrize("resource", [
    "${ValidatePolicyArn}", "arn:${AWS::Partition}:states:::lambda:invoke", {"Fn::GetAtt": ["Fn", "Arn"]},
    {"Ref": "Fn"}, "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
    "arn:aws:states:::aws-sdk:s3:listObjectsV2", "arn:aws:states:::states:startExecution.sync:2",
    "arn:aws:states:us-east-1:123456789012:activity:work",
])
def test_resource_shapes_and_placeholders_accepted(resource: Any) -> None:
    assert one(task(Resource=resource)) == set()


def test_placeholders_where_numbers_are_expected() -> None:
    assert one(task(TimeoutSeconds="${Timeout}", Parameters={"Bucket": "${Bucket}", "Key.$": "${KeyPath}"})) == set()


def test_map_rules() -> None:
    proc = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    assert ("ASL115", "States.S") in one({"Type": "Map", "End": True})
    assert ("ASL115", "States.S.Iterator") in one({"Type": "Map", "End": True, "ItemProcessor": proc,
                                                   "Iterator": proc})
    assert ("ASL203", "States.S.ItemSelector") in one({"Type": "Map", "End": True, "ItemProcessor": proc,
                                                       "Parameters": {}, "ItemSelector": {}})
    assert ("ASL201", "States.S.ItemsPath") in one({"Type": "Map", "End": True, "ItemProcessor": proc,
                                                    "ItemsPath": None})
    distributed = {**proc, "ProcessorConfig": {"Mode": "DISTRIBUTED"}}
    assert ("ASL204", "States.S.ItemProcessor.ProcessorConfig") in one(
        {"Type": "Map", "End": True, "ItemProcessor": distributed})
    assert ("ASL205", "States.S.ItemProcessor.ProcessorConfig.Mode") in one(
        {"Type": "Map", "End": True, "ItemProcessor": {**proc, "ProcessorConfig": {"Mode": "PARALLEL"}}})
    assert ("ASL203", "States.S.ItemBatcher.MaxItemsPerBatchPath") in one(
        {"Type": "Map", "End": True, "ItemProcessor": {**proc, "ProcessorConfig": {
            "Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}},
         "ItemBatcher": {"MaxItemsPerBatch": 2, "MaxItemsPerBatchPath": "$.n"}})
    assert ("ASL202", "States.S.ToleratedFailurePercentage") in one(
        {"Type": "Map", "End": True, "ItemProcessor": proc, "ToleratedFailurePercentage": 120})
    inline_reader = one({"Type": "Map", "End": True, "ItemProcessor": proc,
                         "ItemReader": {"Resource": "arn:aws:states:::s3:getObject"}})
    assert inline_reader == {("ASL214", "States.S.ItemReader")}


def test_parallel_branches() -> None:
    assert ("ASL114", "States.S") in one({"Type": "Parallel", "End": True})
    assert ("ASL114", "States.S.Branches") in one({"Type": "Parallel", "End": True, "Branches": []})
    assert ("ASL114", "States.S.Branches[0]") in one({"Type": "Parallel", "End": True, "Branches": [[]]})


def test_choice_rules() -> None:
    def rules(*choices: Any) -> set[tuple[str, str]]:
        states = {"S": {"Type": "Choice", "Choices": list(choices), "Default": "D"}, "D": {"Type": "Succeed"}}
        return {(d.code, d.location) for d in lint({"StartAt": "S", "States": states})}

    ok = {"And": [{"Variable": "$.a", "NumericGreaterThan": 1},
                  {"Not": {"Variable": "$$.Execution.Id", "IsPresent": True}}], "Next": "D"}
    assert rules(ok) == set()
    assert ("ASL210", "States.S.Choices[0]") in rules({"Variable": "$.a", "Next": "D"})
    assert ("ASL210", "States.S.Choices[0].NumericEquals") in rules(
        {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "D"})
    assert ("ASL210", "States.S.Choices[0]") in rules({"Variable": "$.a", "IsNull": True, "End": True})
    assert ("ASL210", "States.S.Choices[0].And[0].Next") in rules(
        {"And": [{"Variable": "$.a", "IsNull": True, "Next": "D"}], "Next": "D"})
    assert ("ASL201", "States.S.Choices[0].NumericEquals") in rules(
        {"Variable": "$.a", "NumericEquals": "1", "Next": "D"})
    assert ("ASL310", "States.S.Choices[0].StringEqualsPath") in rules(
        {"Variable": "$.a", "StringEqualsPath": "a.b", "Next": "D"})


def test_assign_variable_names() -> None:
    assert ("ASL215", "States.S.Assign.top-level") in one({"Type": "Pass", "End": True,
                                                           "Assign": {"top-level": 1}})
    assert ("ASL201", "States.S.Assign") in one({"Type": "Pass", "End": True, "Assign": "x"})
    assert one({"Type": "Pass", "End": True, "Assign": {"count": 1, "name.$": "$.name"}}) == set()


def test_top_level_field_types() -> None:
    got = one({"Type": "Succeed"}, top={"TimeoutSeconds": -1, "Version": 1, "QueryLanguage": "SQL"})
    assert {("ASL202", "TimeoutSeconds"), ("ASL201", "Version"), ("ASL205", "QueryLanguage")} <= got
