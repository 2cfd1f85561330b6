"""ASL → Mission import: one test per construct, each checking the Mission's shape and the exact round trip."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from workbench.asl.compiler import compile_mission, dumps_asl
from workbench.asl.import_file import UNREADABLE_CODES, import_file, write_mission_yaml
from workbench.asl.import_patch import json_equal
from workbench.asl.importer import import_asl, import_with_diagnostics, state_order, tool_name
from workbench.mission import AslError, check_mission, has_errors, loads_mission
from workbench.mission.steps import ChooseStep, MapStep, ParallelStep, TaskStep, ToolStep, WaitStep

RETRY = [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1, "MaxAttempts": 3,
          "BackoffRate": 2, "JitterStrategy": "FULL"}]


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    return {**top, "StartAt": start or next(iter(states)), "States": states}


def roundtrip(asl: dict[str, Any]) -> Any:
    """Import, check the exact round trip (also through the Mission's YAML), return the Mission."""
    original = copy.deepcopy(asl)
    mission = import_asl(asl, name="t")
    assert asl == original, "import must not modify its input"
    compiled = compile_mission(mission, check=False)
    assert compiled == asl and json_equal(compiled, asl)
    reloaded = loads_mission(mission.to_yaml())
    assert compile_mission(reloaded, check=False) == asl
    assert not has_errors(check_mission(mission)), [d.render() for d in check_mission(mission)]
    return mission


# --- tool steps -----------------------------------------------------------------------------------------
def test_jsonata_lambda_invoke_becomes_a_tool_step_with_a_registry_entry() -> None:
    asl = machine({"Fetch": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                             "Arguments": {"FunctionName": "${FetchAlertArn}", "Payload": "{% $states.input %}"},
                             "Output": "{% $states.result.Payload %}", "Retry": RETRY, "End": True}},
                  QueryLanguage="JSONata")
    mission = roundtrip(asl)
    step = mission.steps[0]
    assert isinstance(step, ToolStep) and step.tool == "FetchAlert"
    assert mission.tools["FetchAlert"].lambda_ == "${FetchAlertArn}"  # the placeholder is kept
    assert step.asl is None and step.args is None
    assert step.retry is not None and step.retry[0].jitter == "FULL"


def test_jsonata_tool_keeps_args_output_and_save_as() -> None:
    asl = machine({"Score": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                             "Arguments": {"FunctionName": "score", "Payload": {"id": "{% $states.input.id %}"}},
                             "Output": "{% $states.result.Payload.score %}",
                             "Assign": {"scored": "{% $states.result.Payload %}", "n": 1}, "End": True}},
                  QueryLanguage="JSONata")
    step = roundtrip(asl).steps[0]
    assert isinstance(step, ToolStep)
    assert step.args == {"id": "{% $states.input.id %}"}
    assert (step.save_as, step.assign, step.output) == ("scored", {"n": 1}, "{% $states.result.Payload.score %}")


def test_jsonpath_lambda_invoke_becomes_a_tool_step_named_after_the_function() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:fetch-alert:prod"
    asl = machine({
        "Fetch": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
                  "Parameters": {"Payload.$": "$", "FunctionName": arn}, "Retry": RETRY, "Next": "Keep"},
        "Keep": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.kept",
                 "ResultSelector": {"v.$": "$.Payload"}, "Parameters": {"Payload.$": "$.detail", "FunctionName": arn},
                 "TimeoutSeconds": 30, "End": True}})
    mission = roundtrip(asl)
    fetch, keep = mission.steps
    assert isinstance(fetch, ToolStep) and isinstance(keep, ToolStep)
    assert fetch.tool == keep.tool == "fetch-alert" and list(mission.tools) == ["fetch-alert"]
    assert (keep.args, keep.save_as, keep.result, keep.timeout) == ("$.detail", "kept", {"v.$": "$.Payload"}, 30)


def test_tasks_that_are_not_exactly_a_compiled_tool_stay_generic() -> None:
    asl = machine({
        "Async": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "f", "Payload.$": "$", "InvocationType": "Event"}, "Next": "Legacy"},
        "Legacy": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "Next": "Dyn"},
        "Dyn": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
                "Parameters": {"FunctionName.$": "$.fn", "Payload.$": "$"}, "End": True}})
    mission = roundtrip(asl)
    assert all(isinstance(s, TaskStep) for s in mission.steps) and mission.tools == {}
    assert mission.steps[0].asl == {"Parameters": {"FunctionName": "f", "Payload.$": "$", "InvocationType": "Event"}}


def test_two_functions_with_the_same_name_get_distinct_tools() -> None:
    def call(fn: str, nxt: str | None) -> dict[str, Any]:
        return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
                "Parameters": {"FunctionName": fn, "Payload.$": "$"}, **({"Next": nxt} if nxt else {"End": True})}
    asl = machine({"A": call("arn:aws:lambda:eu-west-1:1:function:job", "B"),
                   "B": call("arn:aws:lambda:us-east-1:1:function:job", "C"),
                   "C": call("arn:aws:lambda:eu-west-1:1:function:job", None)})
    mission = roundtrip(asl)
    assert [s.tool for s in mission.steps] == ["job", "job_2", "job"]


@pytest.mark.parametrize(("function", "name"), [
    ("${ScanFunctionArn}", "ScanFunction"), ("my-fn", "my-fn"), ("my-fn:live", "my-fn"),
    ("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Notifier}", "Notifier"),
    ("arn:aws:lambda:eu-west-1:1:function:Fetch:$LATEST", "Fetch"), ("${Arn}", "Arn")])
def test_tool_names(function: str, name: str) -> None:
    assert tool_name(function) == name


# --- generic tasks ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("state", [
    {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listObjectsV2", "Parameters": {"Bucket": "${Bucket}"},
     "ResultSelector": {"keys.$": "$.Contents[*].Key"}, "ResultPath": "$.listing", "End": True},
    {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "Parameters": {"Cluster": "c"},
     "TimeoutSeconds": 600, "HeartbeatSeconds": 60, "ResultPath": None, "End": True},
    {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
     "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "HeartbeatSecondsPath": "$.hb",
     "End": True},
    {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:review", "InputPath": None,
     "TimeoutSeconds": 3600, "End": True},
    {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "Credentials": {"RoleArn": "r"},
     "Parameters": {"ApiEndpoint": "https://example.com", "Method": "GET",
                    "Authentication": {"ConnectionArn": "${Conn}"}}, "End": True},
])
def test_generic_tasks_keep_resource_and_every_field(state: dict[str, Any]) -> None:
    step = roundtrip(machine({"T": state})).steps[0]
    assert isinstance(step, TaskStep) and step.task == state["Resource"]


def test_resultpath_null_is_kept_as_a_json_null() -> None:
    asl = machine({"Lock": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
                            "Parameters": {"TableName": "locks"}, "ResultPath": None, "End": True}})
    step = roundtrip(asl).steps[0]
    assert step.asl is not None and "ResultPath" in step.asl and step.asl["ResultPath"] is None


def test_jsonata_task_keeps_output_and_save_as() -> None:
    asl = machine({"Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                           "Arguments": {"TableName": "t", "Key": {"pk": {"S": "{% $states.input.id %}"}}},
                           "Output": "{% $states.result.Item %}", "Assign": {"item": "{% $states.result %}"},
                           "End": True}}, QueryLanguage="JSONata")
    step = roundtrip(asl).steps[0]
    assert isinstance(step, TaskStep)
    assert (step.save_as, step.output) == ("item", "{% $states.result.Item %}")
    assert step.asl == {"Arguments": {"TableName": "t", "Key": {"pk": {"S": "{% $states.input.id %}"}}}}


# --- choice ---------------------------------------------------------------------------------------------------
def test_jsonpath_choice_rules_without_default() -> None:
    rule = {"And": [{"Variable": "$.n", "IsPresent": True}, {"Not": {"Variable": "$.n", "NumericLessThan": 3}}]}
    asl = machine({
        "Route": {"Type": "Choice", "Choices": [{**rule, "Next": "Big", "Comment": "large"},
                                                {"Variable": "$.n", "NumericEquals": 0, "Next": "Zero"}]},
        "Big": {"Type": "Succeed"}, "Zero": {"Type": "Fail", "Error": "Zero"}})
    step = roundtrip(asl).steps[0]
    assert isinstance(step, ChooseStep) and step.otherwise is None
    assert step.choose[0].when == rule and step.choose[0].comment == "large"
    assert [r.goto for r in step.choose] == ["Big", "Zero"]


def test_jsonata_choice_rules_with_assign_and_output() -> None:
    asl = machine({
        "Route": {"Type": "Choice", "Default": "Low",
                  "Choices": [{"Condition": "{% $states.input.sev = 'critical' %}", "Next": "High",
                               "Assign": {"paged": True}, "Output": {"sev": "{% $states.input.sev %}"}}]},
        "High": {"Type": "Pass", "End": True}, "Low": {"Type": "Pass", "End": True}}, QueryLanguage="JSONata")
    mission = roundtrip(asl)
    step = mission.steps[0]
    assert isinstance(step, ChooseStep) and step.otherwise == "Low"
    assert step.choose[0].when == "{% $states.input.sev = 'critical' %}" and step.choose[0].assign == {"paged": True}
    assert [s.id for s in mission.steps] == ["Route", "High", "Low"]


# --- map and parallel ---------------------------------------------------------------------------------
def test_distributed_map_keeps_item_reader_result_writer_and_batcher() -> None:
    reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV",
                                                                            "CSVHeaderLocation": "FIRST_ROW"},
              "Parameters": {"Bucket": "${CSVBucket}", "Key": "metrics.csv"}}
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "r"}}
    asl = machine({"Fan": {
        "Type": "Map", "ItemReader": reader, "ResultWriter": writer, "ItemBatcher": {"MaxItemsPerBatch": 10},
        "MaxConcurrency": 100, "ToleratedFailurePercentage": 5, "Label": "Fan",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "Work",
                          "States": {"Work": {"Type": "Pass", "End": True}}},
        "End": True}})
    step = roundtrip(asl).steps[0]
    assert isinstance(step, MapStep)
    spec = step.map
    assert (spec.mode, spec.execution_type, spec.label, spec.items) == ("distributed", "EXPRESS", "Fan", None)
    assert spec.max_concurrency == 100 and spec.tolerated_failure_percentage == 5
    assert step.asl == {"ItemReader": reader, "ResultWriter": writer, "ItemBatcher": {"MaxItemsPerBatch": 10}}
    assert [s.id for s in spec.steps] == ["Work"]


@pytest.mark.parametrize(("processor_key", "processor", "legacy"), [
    ("Iterator", {}, "iterator"),
    ("ItemProcessor", {}, "no_config"),
    ("ItemProcessor", {"ProcessorConfig": {"Mode": "INLINE"}}, None),
    ("Iterator", {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}, "iterator"),
])
def test_map_spellings_are_kept(processor_key: str, processor: dict[str, Any], legacy: str | None) -> None:
    graph = {**processor, "StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": True}}}
    asl = machine({"M": {"Type": "Map", "ItemsPath": "$.items", "Parameters": {"x.$": "$$.Map.Item.Value"},
                         processor_key: graph, "ResultPath": "$.out", "End": True}})
    step = roundtrip(asl).steps[0]
    assert isinstance(step, MapStep) and step.map.legacy == legacy and step.map.items == "$.items"
    assert step.save_as == "out" and step.asl == {"Parameters": {"x.$": "$$.Map.Item.Value"}}


def test_parallel_branches_without_comments_are_named_by_their_first_state() -> None:
    asl = machine({"Both": {"Type": "Parallel", "Next": "Done", "Branches": [
        {"StartAt": "Mail", "States": {"Mail": {"Type": "Pass", "End": True}}},
        {"StartAt": "Sms", "States": {"Sms": {"Type": "Wait", "Seconds": 1, "Next": "Sent"},
                                      "Sent": {"Type": "Pass", "End": True}}}]},
        "Done": {"Type": "Succeed"}})
    step = roundtrip(asl).steps[0]
    assert isinstance(step, ParallelStep) and step.branch_comments is False
    assert {k: [s.id for s in v] for k, v in step.parallel.items()} == {"Mail": ["Mail"], "Sms": ["Sms", "Sent"]}


def test_parallel_branch_comments_become_branch_names() -> None:
    asl = machine({"Both": {"Type": "Parallel", "End": True, "ResultSelector": {"a.$": "$[0]"}, "Branches": [
        {"Comment": "mail", "StartAt": "Mail", "States": {"Mail": {"Type": "Pass", "End": True}}},
        {"Comment": "sms", "StartAt": "Sms", "States": {"Sms": {"Type": "Pass", "End": True}}}]}})
    step = roundtrip(asl).steps[0]
    assert isinstance(step, ParallelStep) and step.branch_comments and list(step.parallel) == ["mail", "sms"]


# --- errors, waits, fails -----------------------------------------------------------------------------------
def test_catch_and_retry() -> None:
    asl = machine({
        "Work": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "Parameters": {"JobName": "j"},
                 "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 5, "MaxAttempts": 2},
                           {"ErrorEquals": ["States.ALL"], "MaxDelaySeconds": 10, "BackoffRate": 1.5}],
                 "Catch": [{"ErrorEquals": ["Glue.X"], "ResultPath": "$.error", "Next": "Report"},
                           {"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "Report"}],
                 "End": True},
        "Report": {"Type": "Fail", "Error": "JobFailed"}})
    step = roundtrip(asl).steps[0]
    assert isinstance(step, TaskStep) and step.retry is not None
    assert [(r.errors, r.interval, r.max_attempts, r.backoff) for r in step.retry] == [
        (["States.TaskFailed"], 5, 2, 2.0), (["States.ALL"], 1, 3, 1.5)]  # AWS defaults, as the model writes them
    assert [(c.goto, c.save_as) for c in step.catch] == [("Report", "error"), ("Report", None)]
    assert step.asl is not None and set(step.asl) == {"Parameters", "Retry", "Catch"}  # kept verbatim too


def test_jsonata_catch_save_as_and_output() -> None:
    asl = machine({
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Output": "{% $states.result.Payload %}",
                 "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops",
                            "Assign": {"why": "{% $states.errorOutput %}"}, "Output": {"failed": True}}],
                 "End": True},
        "Oops": {"Type": "Fail"}}, QueryLanguage="JSONata")
    step = roundtrip(asl).steps[0]
    assert isinstance(step, ToolStep) and step.asl is None
    assert (step.catch[0].save_as, step.catch[0].output) == ("why", {"failed": True})


@pytest.mark.parametrize(("state", "ql", "seconds", "until"), [
    ({"Seconds": 10}, "JSONPath", 10, None),
    ({"SecondsPath": "$.delay"}, "JSONPath", "$.delay", None),
    ({"Timestamp": "2030-01-01T00:00:00Z"}, "JSONPath", None, "2030-01-01T00:00:00Z"),
    ({"TimestampPath": "$.when"}, "JSONPath", None, "$.when"),
    ({"Seconds": "{% $states.input.delay %}"}, "JSONata", "{% $states.input.delay %}", None),
    ({"Timestamp": "{% $deadline %}"}, "JSONata", None, "{% $deadline %}"),
])
def test_wait_forms(state: dict[str, Any], ql: str, seconds: Any, until: Any) -> None:
    step = roundtrip(machine({"W": {"Type": "Wait", **state, "End": True}}, QueryLanguage=ql)).steps[0]
    assert isinstance(step, WaitStep) and (step.wait.seconds, step.wait.until) == (seconds, until)
    assert step.asl is None


@pytest.mark.parametrize(("state", "error", "cause"), [
    ({"Error": "Bad", "Cause": "because"}, "Bad", "because"),
    ({"ErrorPath": "$.err", "CausePath": "$.cause"}, "$.err", "$.cause"),
    ({"ErrorPath": "States.Format('e {}', $.x)", "CausePath": "$$.Execution.Id"}, None, "$$.Execution.Id"),
    ({}, None, None),
])
def test_fail_forms(state: dict[str, Any], error: Any, cause: Any) -> None:
    step = roundtrip(machine({"F": {"Type": "Fail", **state}})).steps[0]
    assert (step.fail.error, step.fail.cause) == (error, cause)  # type: ignore[attr-defined]


def test_pass_fields() -> None:
    asl = machine({"P": {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.cfg", "InputPath": "$.in",
                         "Parameters": {"x.$": "$.y"}, "Next": "Q"},
                   "Q": {"Type": "Pass", "Result": None, "OutputPath": "$.cfg", "End": True}})
    p, q = roundtrip(asl).steps
    assert (p.pass_, p.save_as) == ({"a": 1}, "cfg")  # type: ignore[attr-defined]
    assert p.asl == {"InputPath": "$.in", "Parameters": {"x.$": "$.y"}}
    assert q.asl == {"Result": None}  # Result: null is not "no Result"


# --- order, top level, problems --------------------------------------------------------------------------
def test_order_follows_next_then_choices_then_catches_with_unreachable_last() -> None:
    states = {"Handler": {"Type": "Fail"}, "Orphan": {"Type": "Succeed"},
              "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "BooleanEquals": True, "Next": "C"}],
                    "Default": "D"},
              "D": {"Type": "Pass", "Next": "C"}, "C": {"Type": "Succeed"},
              "A": {"Type": "Pass", "Next": "B"}}
    assert state_order(states, "A") == ["A", "B", "C", "D", "Handler", "Orphan"]


def test_mission_order_makes_most_next_implicit() -> None:
    asl = machine({
        "Done": {"Type": "Succeed"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Done"}],
                  "Default": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Poll"},
        "Poll": {"Type": "Pass", "Next": "Check"},
        "Start": {"Type": "Pass", "Next": "Poll"}}, start="Start")
    mission = roundtrip(asl)
    assert [s.id for s in mission.steps] == ["Start", "Poll", "Check", "Done", "Wait"]
    assert [(s.id, s.then) for s in mission.steps if s.then] == [("Wait", "Poll")]


def test_end_on_a_step_that_is_not_last_becomes_end_true() -> None:
    asl = machine({"A": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True,
                         "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}]},
                   "H": {"Type": "Pass", "End": True}})
    a, h = roundtrip(asl).steps
    assert a.end and not h.end and a.then is None


def test_top_level_fields() -> None:
    asl = {"Comment": "demo", "Version": "1.0", "TimeoutSeconds": 300, "StartAt": "A",
           "States": {"A": {"Type": "Pass", "End": True}}}
    mission = roundtrip(asl)
    assert (mission.description, mission.timeout, mission.query_language) == ("demo", 300, "JSONPath")
    assert mission.asl == {"Version": "1.0", "QueryLanguage": None}  # no QueryLanguage in the source: none back
    jsonata = roundtrip({"QueryLanguage": "JSONata", **machine({"A": {"Type": "Pass", "End": True}})})
    assert jsonata.query_language == "JSONata" and jsonata.asl is None


def test_state_level_query_language() -> None:
    asl = machine({"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"v": "{% 1 + 1 %}"}, "Next": "B"},
                   "B": {"Type": "Pass", "End": True}})
    a, _ = roundtrip(asl).steps
    assert a.query_language == "JSONata" and a.pass_ == {"v": "{% 1 + 1 %}"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("definition", "code", "where"), [
    ([], "IMP001", ""),
    ({"States": {"A": {"Type": "Succeed"}}}, "IMP001", "StartAt"),
    ({"StartAt": "A", "States": {}}, "IMP001", "States"),
    ({"StartAt": "A", "States": {"A": {"Type": "Sleep", "End": True}}}, "IMP003", "States.A.Type"),
    ({"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [], "End": True}}}, "IMP004",
     "States.A.Branches"),
    ({"StartAt": "A", "States": {"A": {"Type": "Map", "ItemProcessor": {"StartAt": "X", "States": {}},
                                       "End": True}}}, "IMP001", "States.A.ItemProcessor.States"),
])
def test_unimportable_definitions_raise_asl_errors_naming_the_place(definition: Any, code: str, where: str) -> None:
    with pytest.raises(AslError) as info:
        import_asl(definition)
    diagnostic = info.value.diagnostics[0]
    assert (diagnostic.code, diagnostic.location) == (code, where)


def test_a_bad_mission_name_is_an_asl_error() -> None:
    with pytest.raises(AslError, match=r"mission: String should match pattern"):
        import_asl(machine({"A": {"Type": "Succeed"}}), name="has spaces")


def test_non_state_entries_are_reported_not_silently_dropped() -> None:
    asl = machine({"QueryLanguage": "JSONata", "A": {"Type": "Succeed"}}, start="A")
    mission, notes = import_with_diagnostics(asl)
    assert [s.id for s in mission.steps] == ["A"]
    assert [(d.code, d.location) for d in notes] == [("IMP101", "States.QueryLanguage"),
                                                     ("IMP100", "States.QueryLanguage")]


def test_state_names_with_dots_are_quoted_in_locations() -> None:
    with pytest.raises(AslError) as info:
        import_asl({"StartAt": "a.b", "States": {"a.b": {"Type": 3}}})
    assert info.value.diagnostics[0].location == 'States["a.b"].Type'


# --- files -----------------------------------------------------------------------------------------------------
def test_import_file_json_and_yaml(tmp_path: Path) -> None:
    asl = machine({"Hello": {"Type": "Pass", "Result": {"when": "2030-01-01T00:00:00Z"}, "End": True}})
    src = tmp_path / "hello-world.asl.json"
    src.write_text(json.dumps(asl))
    mission, diagnostics = import_file(src)
    assert mission.name == "hello-world" and not has_errors(diagnostics)
    assert compile_mission(mission, check=False) == asl
    yaml_src = tmp_path / "hello.asl.yaml"
    yaml_src.write_text("StartAt: Hello\nStates:\n  Hello:\n    Type: Pass\n    Result:\n"
                        "      when: 2030-01-01T00:00:00Z\n    End: true\n")
    from_yaml, _ = import_file(yaml_src)
    assert compile_mission(from_yaml, check=False) == asl  # timestamps stay strings
    out = write_mission_yaml(mission, tmp_path / "out" / "hello.yaml")
    assert compile_mission(loads_mission(out.read_text()), check=False) == asl
    assert [p.name for p in out.parent.iterdir()] == ["hello.yaml"]  # no temporary file left behind


def test_import_file_reports_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(AslError) as missing:
        import_file(tmp_path / "nope.json")
    assert {d.code for d in missing.value.diagnostics} <= UNREADABLE_CODES
    broken = tmp_path / "broken.json"
    broken.write_text('{"StartAt": "A",\n "States": {')
    with pytest.raises(AslError) as unparsable:
        import_file(broken)
    assert unparsable.value.diagnostics[0].code in UNREADABLE_CODES
    assert unparsable.value.diagnostics[0].line == 2
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps(machine({"A": {"Type": "Pass", "Next": "Nowhere"}})))
    mission, diagnostics = import_file(invalid)  # importable, but the linter says why it is invalid
    assert has_errors(diagnostics) and "ASL105" in {d.code for d in diagnostics}
    assert mission.steps[0].then == "Nowhere"


def test_import_file_without_states_raises_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "StartAt": "A"\n}\n')
    with pytest.raises(AslError) as info:
        import_file(bad)
    codes = {d.code for d in info.value.diagnostics}
    assert "IMP001" in codes and not codes <= UNREADABLE_CODES
    assert all(d.file == str(bad) for d in info.value.diagnostics)


def test_the_one_normalisation_numbers_are_json_numbers() -> None:
    """``BackoffRate: 2`` comes back as ``2.0``: the same JSON number, so the same behaviour (documented)."""
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}]
    asl = machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Retry": retry, "End": True}})
    mission = roundtrip(asl)
    assert mission.steps[0].asl is None  # understood by the model, not copied
    assert '"BackoffRate": 2.0' in dumps_asl(compile_mission(mission, check=False))
    assert json_equal(1, 1.0) and not json_equal(True, 1) and not json_equal([0], [False])


def test_states_are_compared_as_the_compiler_writes_them_in_place() -> None:
    """A JSONPath state deep inside makes the compiler switch the whole machine's scope: still exact."""
    inner = {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I",
             "States": {"I": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}}
    asl = {"QueryLanguage": "JSONata", **machine({"A": {"Type": "Pass", "Next": "B"},
                                                  "B": {"Type": "Map", "ItemProcessor": inner, "End": True}})}
    mission, notes = import_with_diagnostics(asl)
    assert notes == [] and compile_mission(mission, check=False) == asl


def test_a_wrapper_the_model_cannot_spell_is_kept_whole() -> None:
    """One branch with a Comment, one without: Branches are kept verbatim, the steps are still in the model."""
    branches = [{"Comment": "first", "StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}},
                {"StartAt": "Y", "States": {"Y": {"Type": "Pass", "End": True}}}]
    asl = machine({"P": {"Type": "Parallel", "Branches": branches, "End": True}})
    mission, notes = import_with_diagnostics(asl)
    step = mission.steps[0]
    assert notes == [] and compile_mission(mission, check=False) == asl
    assert isinstance(step, ParallelStep) and step.asl == {"Branches": branches}
    assert [s.id for s in mission.walk()] == ["P", "X", "Y"]
