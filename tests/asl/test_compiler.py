"""Every step kind and option of the Mission format → the exact ASL fragment, in both query languages."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from workbench.asl.compiler import LAMBDA_INVOKE, RESULT_PAYLOAD, compile_mission
from workbench.mission import CompileError, Mission, loads_mission

TOOLS = {"fetch": {"lambda": "fetch-fn"}, "page": {"lambda": "arn:aws:lambda:us-east-1:123456789012:function:page"}}
END = {"id": "the_end", "succeed": True}


def compile_steps(steps: list[dict[str, Any]], ql: str = "JSONata", **top: Any) -> dict[str, Any]:
    data = {"mission": "m", "query_language": ql, "tools": TOOLS, "steps": steps, **top}
    return compile_mission(Mission.model_validate(data))


def state(step: dict[str, Any], ql: str = "JSONata", **top: Any) -> dict[str, Any]:
    """Compile one step (followed by a Succeed that catch/choose targets may use) and return its state."""
    return compile_steps([step, END], ql, **top)["States"][step["id"]]


def from_yaml(text: str) -> dict[str, Any]:
    return compile_mission(loads_mission(textwrap.dedent(text)))


# --- tool -----------------------------------------------------------------------------------------------
def test_tool_jsonata_defaults() -> None:
    assert state({"id": "t", "tool": "fetch"}) == {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Arguments": {"FunctionName": "fetch-fn", "Payload": "{% $states.input %}"},
        "Output": RESULT_PAYLOAD,
        "Next": "the_end",
    }


def test_tool_jsonata_all_options() -> None:
    got = state({"id": "t", "tool": "page", "comment": "Page someone.", "args": "{% {'a': 1} %}",
                 "save_as": "paged", "output": "{% $states.result.Payload.id %}", "timeout": "1m",
                 "heartbeat": "20s", "assign": {"tries": 1}})
    assert got == {
        "Type": "Task",
        "Comment": "Page someone.",
        "Resource": LAMBDA_INVOKE,
        "Arguments": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:page",
                      "Payload": "{% {'a': 1} %}"},
        "Output": "{% $states.result.Payload.id %}",
        "Assign": {"tries": 1, "paged": RESULT_PAYLOAD},
        "TimeoutSeconds": 60,
        "HeartbeatSeconds": 20,
        "Next": "the_end",
    }


def test_tool_jsonpath_defaults_and_payload_forms() -> None:
    assert state({"id": "t", "tool": "fetch"}, "JSONPath") == {
        "Type": "Task", "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": "fetch-fn", "Payload.$": "$"},
        "OutputPath": "$.Payload", "Next": "the_end",
    }
    assert state({"id": "t", "tool": "fetch", "args": "$.request"}, "JSONPath")["Parameters"] == {
        "FunctionName": "fetch-fn", "Payload.$": "$.request"}
    assert state({"id": "t", "tool": "fetch", "args": {"id.$": "$.id", "n": 1}}, "JSONPath")["Parameters"] == {
        "FunctionName": "fetch-fn", "Payload": {"id.$": "$.id", "n": 1}}


def test_tool_jsonpath_result_save_as_and_output() -> None:
    got = state({"id": "t", "tool": "fetch", "result": {"items.$": "$.Payload.items"}, "save_as": "fetched"},
                "JSONPath")
    assert got["ResultSelector"] == {"items.$": "$.Payload.items"}
    assert got["ResultPath"] == "$.fetched"
    assert "OutputPath" not in got
    saved = state({"id": "t", "tool": "fetch", "save_as": "raw"}, "JSONPath")
    assert saved["ResultPath"] == "$.raw" and "OutputPath" not in saved
    shaped = state({"id": "t", "tool": "fetch", "output": "$.Payload.items"}, "JSONPath")
    assert shaped["OutputPath"] == "$.Payload.items"


# --- retry / catch / defaults ---------------------------------------------------------------------------
def test_retry_writes_every_default_explicitly() -> None:
    got = state({"id": "t", "tool": "fetch", "retry": [{"errors": ["Lambda.TooManyRequestsException"]}]})
    assert got["Retry"] == [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1,
                             "MaxAttempts": 3, "BackoffRate": 2.0}]


def test_retry_all_fields() -> None:
    got = state({"id": "t", "tool": "fetch", "retry": [
        {"comment": "throttled", "errors": ["Lambda.TooManyRequestsException"], "interval": "2s",
         "max_attempts": 6, "backoff": 1.5, "max_delay": "1m", "jitter": "FULL"},
        {"interval": 5, "max_attempts": 0},
    ]})
    assert got["Retry"] == [
        {"ErrorEquals": ["Lambda.TooManyRequestsException"], "Comment": "throttled", "IntervalSeconds": 2,
         "MaxAttempts": 6, "BackoffRate": 1.5, "MaxDelaySeconds": 60, "JitterStrategy": "FULL"},
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 0, "BackoffRate": 2.0},
    ]


DEFAULTS = {"retry": [{"errors": ["Lambda.ServiceException"], "interval": "3s"}], "timeout": "45s",
            "heartbeat": "15s"}


def test_mission_defaults_apply_to_tool_steps_only() -> None:
    compiled = compile_steps([
        {"id": "t", "tool": "fetch"},
        {"id": "k", "task": "arn:aws:states:::sqs:sendMessage", "asl": {"Arguments": {"QueueUrl": "q"}}},
        {"id": "p", "parallel": {"a": [{"id": "t2", "tool": "fetch", "retry": [], "timeout": 10,
                                        "heartbeat": 5}]}},
    ], defaults=DEFAULTS)
    states = compiled["States"]
    expected_retry = [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 3, "MaxAttempts": 3,
                       "BackoffRate": 2.0}]
    assert states["t"]["Retry"] == expected_retry
    assert (states["t"]["TimeoutSeconds"], states["t"]["HeartbeatSeconds"]) == (45, 15)
    assert "Retry" not in states["k"] and "TimeoutSeconds" not in states["k"]
    assert "Retry" not in states["p"]
    inner = states["p"]["Branches"][0]["States"]["t2"]
    assert "Retry" not in inner, "retry: [] switches the Mission default off"
    assert (inner["TimeoutSeconds"], inner["HeartbeatSeconds"]) == (10, 5)


def test_catch_jsonata() -> None:
    got = state({"id": "t", "tool": "fetch", "catch": [
        {"errors": ["States.Timeout"], "goto": "the_end", "save_as": "failure", "comment": "slow",
         "output": "{% $states.errorOutput %}", "assign": {"failed": True}},
        {"goto": "the_end"},
    ]})
    assert got["Catch"] == [
        {"ErrorEquals": ["States.Timeout"], "Comment": "slow", "Next": "the_end",
         "Output": "{% $states.errorOutput %}",
         "Assign": {"failed": True, "failure": "{% $states.errorOutput %}"}},
        {"ErrorEquals": ["States.ALL"], "Next": "the_end"},
    ]


def test_catch_jsonpath_save_as_and_result_path() -> None:
    got = state({"id": "t", "tool": "fetch", "catch": [
        {"errors": ["Boom"], "goto": "the_end", "save_as": "error"},
        {"errors": ["Bang"], "goto": "the_end", "result_path": "$.details.error", "assign": {"x.$": "$.a"}},
        {"goto": "the_end"},
    ]}, "JSONPath")
    assert got["Catch"] == [
        {"ErrorEquals": ["Boom"], "Next": "the_end", "ResultPath": "$.error"},
        {"ErrorEquals": ["Bang"], "Next": "the_end", "ResultPath": "$.details.error", "Assign": {"x.$": "$.a"}},
        {"ErrorEquals": ["States.ALL"], "Next": "the_end"},
    ]


# --- task -----------------------------------------------------------------------------------------------
def test_task_step_both_languages() -> None:
    jsonata = state({"id": "k", "task": "arn:aws:states:::sns:publish", "save_as": "sent", "timeout": 30,
                     "heartbeat": 10, "output": "{% $states.result.MessageId %}",
                     "asl": {"Arguments": {"TopicArn": "arn:aws:sns:us-east-1:1:t", "Message": "hi"}}})
    assert jsonata == {
        "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
        "Output": "{% $states.result.MessageId %}", "Assign": {"sent": "{% $states.result %}"},
        "TimeoutSeconds": 30, "HeartbeatSeconds": 10, "Next": "the_end",
        "Arguments": {"TopicArn": "arn:aws:sns:us-east-1:1:t", "Message": "hi"},
    }
    jsonpath = state({"id": "k", "task": "arn:aws:states:::sns:publish", "save_as": "sent",
                      "output": "$.sent.MessageId"}, "JSONPath")
    assert jsonpath == {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "ResultPath": "$.sent",
                        "OutputPath": "$.sent.MessageId", "Next": "the_end"}


# --- choose ---------------------------------------------------------------------------------------------
def test_choose_jsonata_condition() -> None:
    compiled = compile_steps([
        {"id": "c", "comment": "route", "output": "{% $states.input.x %}", "choose": [
            {"when": "{% $states.input.n > 3 %}", "goto": "big", "comment": "large",
             "assign": {"size": "big"}, "output": "{% 'big' %}"},
            {"when": "{% $states.input.n = 0 %}", "goto": "small"},
        ], "otherwise": "small"},
        {"id": "big", "pass": 1, "end": True},
        {"id": "small", "pass": 0},
    ])
    assert compiled["States"]["c"] == {
        "Type": "Choice", "Comment": "route",
        "Choices": [
            {"Condition": "{% $states.input.n > 3 %}", "Comment": "large", "Next": "big",
             "Assign": {"size": "big"}, "Output": "{% 'big' %}"},
            {"Condition": "{% $states.input.n = 0 %}", "Next": "small"},
        ],
        "Default": "small",
        "Output": "{% $states.input.x %}",
    }


def test_choose_jsonpath_rule_objects() -> None:
    rule = {"And": [{"Variable": "$.n", "NumericGreaterThan": 3}, {"Variable": "$.ok", "BooleanEquals": True}]}
    compiled = compile_steps([
        {"id": "c", "choose": [{"when": rule, "goto": "big", "assign": {"seen": 1}},
                               {"when": {"Variable": "$.s", "StringEquals": "x"}, "goto": "big"}],
         "output": "$.payload"},
        {"id": "big", "pass": 1},
    ], "JSONPath")
    assert compiled["States"]["c"] == {
        "Type": "Choice",
        "Choices": [{**rule, "Next": "big", "Assign": {"seen": 1}},
                    {"Variable": "$.s", "StringEquals": "x", "Next": "big"}],
        "OutputPath": "$.payload",
    }


# --- parallel -------------------------------------------------------------------------------------------
def test_parallel_branches_named_by_comment() -> None:
    got = state({"id": "p", "parallel": {
        "logs": [{"id": "l1", "tool": "fetch"}, {"id": "l2", "pass": None}],
        "metrics": [{"id": "m1", "pass": {"k": 1}}],
    }, "args": "{% $states.input.req %}", "save_as": "evidence", "output": "{% $states.result[0] %}",
        "retry": [{"errors": ["States.BranchFailed"], "max_attempts": 1}],
        "catch": [{"goto": "the_end", "save_as": "err"}]})
    assert got["Branches"] == [
        {"Comment": "logs", "StartAt": "l1", "States": {
            "l1": {"Type": "Task", "Resource": LAMBDA_INVOKE,
                   "Arguments": {"FunctionName": "fetch-fn", "Payload": "{% $states.input %}"},
                   "Output": RESULT_PAYLOAD, "Next": "l2"},
            "l2": {"Type": "Pass", "End": True}}},
        {"Comment": "metrics", "StartAt": "m1", "States": {"m1": {"Type": "Pass", "Output": {"k": 1},
                                                                  "End": True}}},
    ]
    assert list(got) == ["Type", "Arguments", "Branches", "Output", "Assign", "Retry", "Catch", "Next"]
    assert got["Arguments"] == "{% $states.input.req %}"
    assert got["Assign"] == {"evidence": "{% $states.result %}"}
    assert got["Catch"] == [{"ErrorEquals": ["States.ALL"], "Next": "the_end",
                             "Assign": {"err": "{% $states.errorOutput %}"}}]


def test_parallel_jsonpath_parameters_and_result_path() -> None:
    got = state({"id": "p", "parallel": {"a": [{"id": "a1", "pass": 1}]}, "args": {"id.$": "$.id"},
                 "save_as": "both"}, "JSONPath")
    assert got == {"Type": "Parallel", "Parameters": {"id.$": "$.id"},
                   "Branches": [{"Comment": "a", "StartAt": "a1", "States": {"a1": {"Type": "Pass", "Result": 1,
                                                                                    "End": True}}}],
                   "ResultPath": "$.both", "Next": "the_end"}


# --- map ------------------------------------------------------------------------------------------------
def test_map_inline_jsonata() -> None:
    got = state({"id": "m", "map": {"items": "{% $states.input.hosts %}", "max_concurrency": 5,
                                    "item_selector": {"host": "{% $states.context.Map.Item.Value %}"},
                                    "steps": [{"id": "probe", "tool": "fetch"}]}, "save_as": "probes"})
    assert got == {
        "Type": "Map",
        "Items": "{% $states.input.hosts %}",
        "ItemSelector": {"host": "{% $states.context.Map.Item.Value %}"},
        "MaxConcurrency": 5,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "probe", "States": {
            "probe": {"Type": "Task", "Resource": LAMBDA_INVOKE,
                      "Arguments": {"FunctionName": "fetch-fn", "Payload": "{% $states.input %}"},
                      "Output": RESULT_PAYLOAD, "End": True}}},
        "Assign": {"probes": "{% $states.result %}"},
        "Next": "the_end",
    }


def test_map_distributed_jsonpath() -> None:
    got = state({"id": "m", "map": {
        "items": "$.batches", "mode": "distributed", "max_concurrency": 2, "tolerated_failures": 3,
        "tolerated_failure_percentage": 12.5, "label": "backfill", "item_selector": {"b.$": "$$.Map.Item.Value"},
        "steps": [{"id": "w", "wait": 1}]}, "save_as": "results"}, "JSONPath")
    assert got == {
        "Type": "Map", "ItemsPath": "$.batches", "ItemSelector": {"b.$": "$$.Map.Item.Value"},
        "MaxConcurrency": 2, "ToleratedFailureCount": 3, "ToleratedFailurePercentage": 12.5, "Label": "backfill",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "w", "States": {"w": {"Type": "Wait", "Seconds": 1, "End": True}}},
        "ResultPath": "$.results", "Next": "the_end",
    }


def test_map_distributed_express() -> None:
    got = state({"id": "m", "map": {"items": [1, 2], "mode": "distributed", "execution_type": "EXPRESS",
                                    "steps": [{"id": "x", "pass": None}]}})
    assert got["Items"] == [1, 2]
    assert got["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}


# --- wait -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("wait", "ql", "expected"), [
    (30, "JSONata", {"Seconds": 30}),
    ("1h30m", "JSONata", {"Seconds": 5400}),
    ({"seconds": "2m"}, "JSONPath", {"Seconds": 120}),
    ("{% $states.input.delay %}", "JSONata", {"Seconds": "{% $states.input.delay %}"}),
    ({"seconds": "$.delay"}, "JSONPath", {"SecondsPath": "$.delay"}),
    ({"until": "2030-01-01T00:00:00Z"}, "JSONata", {"Timestamp": "2030-01-01T00:00:00Z"}),
    ({"until": "2030-01-01T00:00:00Z"}, "JSONPath", {"Timestamp": "2030-01-01T00:00:00Z"}),
    ({"until": "$.deadline"}, "JSONPath", {"TimestampPath": "$.deadline"}),
    ({"until": "{% $deadline %}"}, "JSONata", {"Timestamp": "{% $deadline %}"}),
])
def test_wait_forms(wait: Any, ql: str, expected: dict[str, Any]) -> None:
    assert state({"id": "w", "wait": wait}, ql) == {"Type": "Wait", **expected, "Next": "the_end"}


def test_wait_until_unquoted_yaml_timestamp_stays_text() -> None:
    compiled = from_yaml("""
        mission: m
        steps:
          - {id: w, wait: {until: 2030-01-01T00:00:00Z}}
    """)
    assert compiled["States"]["w"]["Timestamp"] == "2030-01-01T00:00:00Z"


# --- pass / succeed / fail ------------------------------------------------------------------------------
def test_pass_jsonata() -> None:
    assert state({"id": "p", "pass": {"a": 1}, "save_as": "cfg"}) == {
        "Type": "Pass", "Output": {"a": 1}, "Assign": {"cfg": {"a": 1}}, "Next": "the_end"}
    assert state({"id": "p", "pass": None}) == {"Type": "Pass", "Next": "the_end"}
    assert state({"id": "p", "pass": None, "save_as": "seen"}) == {
        "Type": "Pass", "Assign": {"seen": "{% $states.input %}"}, "Next": "the_end"}
    assert state({"id": "p", "pass": {"a": 1}, "output": "{% $states.input %}"})["Output"] == "{% $states.input %}"


def test_pass_jsonpath() -> None:
    assert state({"id": "p", "pass": {"a": 1}, "save_as": "cfg", "output": "$.cfg"}, "JSONPath") == {
        "Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.cfg", "OutputPath": "$.cfg", "Next": "the_end"}


def test_succeed_and_fail() -> None:
    compiled = compile_steps([
        {"id": "c", "choose": [{"when": "{% $states.input.ok %}", "goto": "yes"}], "otherwise": "no"},
        {"id": "yes", "succeed": True, "comment": "done"},
        {"id": "no", "fail": {"error": "Nope", "cause": "{% 'bad: ' & $states.input.why %}"}},
    ])
    assert compiled["States"]["yes"] == {"Type": "Succeed", "Comment": "done"}
    assert compiled["States"]["no"] == {"Type": "Fail", "Error": "Nope", "Cause": "{% 'bad: ' & $states.input.why %}"}
    assert compile_steps([{"id": "f", "fail": {}}])["States"]["f"] == {"Type": "Fail"}


def test_fail_jsonpath_paths() -> None:
    def fail(spec: dict[str, Any]) -> dict[str, Any]:
        return compile_steps([{"id": "f", "fail": spec}], "JSONPath")["States"]["f"]

    assert fail({"error": "$.code", "cause": "$.message"}) == {
        "Type": "Fail", "ErrorPath": "$.code", "CausePath": "$.message"}
    assert fail({"error": "Bad", "cause": "plain words"}) == {"Type": "Fail", "Error": "Bad", "Cause": "plain words"}


# --- top level, flow ------------------------------------------------------------------------------------
def test_top_level_fields() -> None:
    compiled = compile_steps([{"id": "a", "pass": 1}], description="Say hi.", timeout="1h")
    assert compiled == {"Comment": "Say hi.", "QueryLanguage": "JSONata", "TimeoutSeconds": 3600, "StartAt": "a",
                        "States": {"a": {"Type": "Pass", "Output": 1, "End": True}}}
    assert list(compile_steps([{"id": "a", "pass": 1}], "JSONPath")) == ["QueryLanguage", "StartAt", "States"]


def test_then_and_end() -> None:
    states = compile_steps([
        {"id": "a", "pass": 1, "then": "c"},
        {"id": "b", "pass": 2, "end": True},
        {"id": "c", "choose": [{"when": "{% true %}", "goto": "b"}], "otherwise": "d"},
        {"id": "d", "pass": 3},
    ])["States"]
    assert states["a"]["Next"] == "c" and "End" not in states["a"]
    assert states["b"]["End"] is True and "Next" not in states["b"]
    assert "Next" not in states["c"] and "End" not in states["c"]
    assert states["d"]["End"] is True


# --- query language -------------------------------------------------------------------------------------
def test_jsonata_step_in_jsonpath_mission() -> None:
    states = compile_steps([
        {"id": "a", "pass": {"x": 1}},
        {"id": "m", "query_language": "JSONata", "map": {
            "items": "{% $states.input.list %}", "steps": [{"id": "inner", "pass": "{% $states.input * 2 %}"}]}},
    ], "JSONPath")["States"]
    assert states["a"] == {"Type": "Pass", "Result": {"x": 1}, "Next": "m"}
    assert states["m"]["QueryLanguage"] == "JSONata"
    inner = states["m"]["ItemProcessor"]["States"]["inner"]
    # inherited from the map, and said explicitly: the state machine's own language is JSONPath
    assert inner == {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input * 2 %}", "End": True}


def test_jsonpath_step_in_jsonata_mission_lifts_the_top_level() -> None:
    compiled = compile_steps([
        {"id": "a", "pass": {"x": 1}},
        {"id": "b", "query_language": "JSONPath", "pass": {"y": 2}, "save_as": "y"},
        {"id": "p", "parallel": {"one": [{"id": "p1", "pass": 1}]}},
    ])
    assert compiled["QueryLanguage"] == "JSONPath"
    states = compiled["States"]
    assert states["a"] == {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"x": 1}, "Next": "b"}
    assert states["b"] == {"Type": "Pass", "Result": {"y": 2}, "ResultPath": "$.y", "Next": "p"}
    assert states["p"]["QueryLanguage"] == "JSONata"
    assert states["p"]["Branches"][0]["States"]["p1"]["QueryLanguage"] == "JSONata"


def test_nested_states_of_the_mission_language_say_nothing() -> None:
    states = compile_steps([{"id": "p", "parallel": {"one": [{"id": "p1", "pass": 1}]}}])["States"]
    assert "QueryLanguage" not in states["p"] and "QueryLanguage" not in states["p"]["Branches"][0]["States"]["p1"]


def test_jsonpath_step_inside_jsonata_container_is_refused() -> None:
    with pytest.raises(CompileError) as info:
        compile_steps([{"id": "p", "parallel": {"one": [{"id": "p1", "query_language": "JSONPath", "pass": 1}]}}])
    (diag,) = info.value.diagnostics
    assert (diag.code, diag.step) == ("MIS208", "p1")
    assert "set query_language: JSONPath on 'p'" in (diag.hint or "")


# --- asl escape hatch -----------------------------------------------------------------------------------
def test_asl_escape_hatch_adds_overrides_and_removes() -> None:
    got = state({"id": "t", "tool": "fetch", "asl": {
        "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/x"},  # added
        "Output": "{% $states.result %}",  # overrides the compiled Output
        "Arguments": None,  # removes a compiled field
    }})
    assert got == {"Type": "Task", "Resource": LAMBDA_INVOKE, "Output": "{% $states.result %}",
                   "Next": "the_end", "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/x"}}


def test_asl_escape_hatch_null_on_a_field_not_compiled_is_written() -> None:
    got = state({"id": "t", "tool": "fetch", "asl": {"ResultPath": None}}, "JSONPath")
    assert got["ResultPath"] is None


def test_asl_escape_hatch_at_the_top() -> None:
    compiled = compile_steps([{"id": "a", "pass": 1}], description="x",
                             asl={"Version": "1.0", "Comment": None})
    assert compiled["Version"] == "1.0" and "Comment" not in compiled


# --- errors ---------------------------------------------------------------------------------------------
def test_failed_checks_raise_compile_error_naming_steps() -> None:
    mission = Mission.model_validate({"mission": "m", "steps": [
        {"id": "a", "tool": "fetchh"}, {"id": "b", "pass": 1, "then": "zz"}]})
    with pytest.raises(CompileError) as info:
        compile_mission(mission)
    assert {(d.code, d.step) for d in info.value.diagnostics} == {("MIS202", "a"), ("MIS203", "b")}
    assert "unknown tool 'fetchh'" in str(info.value)


def test_check_false_compiles_what_it_is_given() -> None:
    mission = Mission.model_validate({"mission": "m", "steps": [
        {"id": "a", "tool": "nope", "then": "missing"}, {"id": "a", "pass": 1}]})
    compiled = compile_mission(mission, check=False)
    assert compiled["States"]["a"] == {"Type": "Pass", "Output": 1, "End": True}  # the later duplicate wins
