"""The Step Functions API contract of the embedded engine (issue 13): versions and aliases, StopExecution,
AWS's error codes and bounds, ValidateStateMachineDefinition, and JSON errors for what the engine lacks.

Everything goes through boto3 against the engine, as an operator's code would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.engine.api_support import aws_answer
from tests.engine.auth_support import raw
from tests.engine.embedded_support import ROLE, finish, history, unique
from workbench.engine.embedded import EmbeddedEngine
from workbench.engine.embedded.endpoint.auth import sign_request
from workbench.engine.embedded.interpreter.api.versions import seed_routing

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def returning(value: Any) -> str:
    return json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": value, "End": True}}})


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    return aws_answer(call, **kwargs)


def machine(sfn: Any, definition: str | None = None, **kwargs: Any) -> str:
    return str(sfn.create_state_machine(name=unique("m"), definition=definition or json.dumps(PASS),
                                        roleArn=ROLE, **kwargs)["stateMachineArn"])


def wait_for_events(sfn: Any, arn: str, kind: str, count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while sum(e["type"] == kind for e in history(sfn, arn)) < count:
        assert time.monotonic() < deadline, f"no {count} {kind} events in {arn}"
        time.sleep(0.01)


# ---------------------------------------------------------------- versions and aliases


def test_publish_is_idempotent_per_revision_and_checks_the_revision_id(sfn: Any) -> None:
    created = sfn.create_state_machine(name=unique("m"), definition=returning(1), roleArn=ROLE, publish=True,
                                       versionDescription="first")
    arn, v1 = created["stateMachineArn"], created["stateMachineVersionArn"]
    assert v1 == f"{arn}:1"
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == v1
    assert "revisionId" not in sfn.describe_state_machine(stateMachineArn=arn)  # AWS's INITIAL revision
    assert sfn.publish_state_machine_version(stateMachineArn=arn, revisionId="INITIAL")["stateMachineVersionArn"] == v1

    updated = sfn.update_state_machine(stateMachineArn=arn, definition=returning(2), publish=True,
                                       versionDescription="second")
    v2 = updated["stateMachineVersionArn"]
    assert v2 == f"{arn}:2" and updated["revisionId"]
    assert error_of(sfn.publish_state_machine_version, stateMachineArn=arn, revisionId="INITIAL")["Code"] == (
        "ConflictException")
    same = sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=updated["revisionId"])
    assert same["stateMachineVersionArn"] == v2

    described = sfn.describe_state_machine(stateMachineArn=v2)
    assert described["stateMachineArn"] == v2 and described["description"] == "second"
    assert json.loads(described["definition"])["States"]["P"]["Result"] == 2
    assert described["revisionId"] == updated["revisionId"]
    assert sfn.describe_state_machine(stateMachineArn=v1)["description"] == "first"

    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [v2, v1]  # newest first
    page = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=1)
    assert len(page["stateMachineVersions"]) == 1 and page["nextToken"]

    sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)  # AWS: deleting a missing version succeeds
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [v2]
    assert error_of(sfn.describe_state_machine, stateMachineArn=v1)["Code"] == "StateMachineDoesNotExist"


def test_a_version_arn_runs_that_version(engine: EmbeddedEngine, sfn: Any) -> None:
    arn = sfn.create_state_machine(name=unique("m"), definition=returning("one"), roleArn=ROLE,
                                   publish=True)["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=returning("two"))
    execution = sfn.start_execution(stateMachineArn=f"{arn}:1", name=unique("e"))["executionArn"]
    run = finish(engine, execution)
    assert run.status == "SUCCEEDED" and run.output == "one"
    assert run.describe["stateMachineArn"] == arn
    assert run.describe["stateMachineVersionArn"] == f"{arn}:1"
    assert "stateMachineAliasArn" not in run.describe
    latest = finish(engine, sfn.start_execution(stateMachineArn=arn, name=unique("e"))["executionArn"])
    assert latest.output == "two" and "stateMachineVersionArn" not in latest.describe
    listed = sfn.list_executions(stateMachineArn=f"{arn}:1")["executions"]
    assert [e["executionArn"] for e in listed] == [execution]


def test_an_alias_routes_by_weight_reproducibly(engine: EmbeddedEngine, sfn: Any) -> None:
    arn = sfn.create_state_machine(name=unique("m"), definition=returning(1), roleArn=ROLE,
                                   publish=True)["stateMachineArn"]
    v2 = sfn.update_state_machine(stateMachineArn=arn, definition=returning(2), publish=True)["stateMachineVersionArn"]
    routes = [{"stateMachineVersionArn": f"{arn}:1", "weight": 70}, {"stateMachineVersionArn": v2, "weight": 30}]
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=routes)["stateMachineAliasArn"]
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["routingConfiguration"] == routes
    assert [a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=arn)[
        "stateMachineAliases"]] == [alias]
    assert error_of(sfn.delete_state_machine_version, stateMachineVersionArn=v2)["Code"] == "ConflictException"

    def routed(count: int) -> list[str]:
        seed_routing(engine, 13)
        chosen = []
        for _ in range(count):
            execution = sfn.start_execution(stateMachineArn=alias, name=unique("e"))["executionArn"]
            run = finish(engine, execution)
            assert run.describe["stateMachineAliasArn"] == alias and run.describe["stateMachineArn"] == arn
            assert run.output == int(run.describe["stateMachineVersionArn"].rsplit(":", 1)[1])
            chosen.append(run.describe["stateMachineVersionArn"])
        return chosen

    first = routed(20)
    assert set(first) == {f"{arn}:1", v2}
    assert routed(20) == first  # same seed, same choices

    sfn.update_state_machine_alias(stateMachineAliasArn=alias,
                                   routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}])
    assert set(routed(3)) == {v2}
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    assert error_of(sfn.start_execution, stateMachineArn=alias)["Code"] == "StateMachineDoesNotExist"


# ---------------------------------------------------------------- StopExecution


def _activity_task(activity: str) -> dict[str, Any]:
    return {"Type": "Task", "Resource": activity, "End": True}


@pytest.mark.parametrize(("shape", "waiting", "aborted"), [
    ("task", 1, ["TaskStateAborted"]),
    ("map", 2, ["MapIterationAborted", "TaskStateAborted", "MapIterationAborted", "TaskStateAborted",
                "MapStateAborted"]),
    ("parallel", 2, ["TaskStateAborted", "TaskStateAborted", "ParallelStateAborted"]),
])
def test_stop_aborts_at_once_with_error_cause_and_aborted_events(sfn: Any, shape: str, waiting: int,
                                                                  aborted: list[str]) -> None:
    task = _activity_task(sfn.create_activity(name=unique("act"))["activityArn"])
    definition = {
        "task": {"StartAt": "T", "States": {"T": task}},
        "map": {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": True,
                                                 "ItemProcessor": {"StartAt": "T", "States": {"T": task}}}}},
        "parallel": {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "A", "States": {"A": task}}, {"StartAt": "B", "States": {"B": task}}]}}},
    }[shape]
    arn = sfn.start_execution(stateMachineArn=machine(sfn, json.dumps(definition)), name=unique("e"),
                              input=json.dumps({"items": [1, 2]}))["executionArn"]
    wait_for_events(sfn, arn, "ActivityScheduled", waiting)

    stopped = sfn.stop_execution(executionArn=arn, error="Operator.Stop", cause="changed my mind")
    described = sfn.describe_execution(executionArn=arn)  # synchronous, as on AWS
    assert described["status"] == "ABORTED"
    assert (described["error"], described["cause"]) == ("Operator.Stop", "changed my mind")
    assert described["stopDate"] == stopped["stopDate"]
    events = history(sfn, arn)
    assert events[-1]["type"] == "ExecutionAborted" and events[-1]["previousEventId"] == 0
    assert events[-1]["executionAbortedEventDetails"] == {"error": "Operator.Stop", "cause": "changed my mind"}
    assert [e["type"] for e in events if e["type"].endswith("Aborted")][:-1] == aborted
    assert "ExecutionFailed" not in [e["type"] for e in events]


def test_stop_without_error_keeps_them_out_and_a_finished_execution_is_left_alone(
        engine: EmbeddedEngine, sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    definition = {"StartAt": "T", "States": {"T": _activity_task(activity)}}
    arn = sfn.start_execution(stateMachineArn=machine(sfn, json.dumps(definition)), name=unique("e"))["executionArn"]
    wait_for_events(sfn, arn, "ActivityScheduled", 1)
    sfn.stop_execution(executionArn=arn)
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "ABORTED" and "error" not in described and "cause" not in described
    assert history(sfn, arn)[-1]["executionAbortedEventDetails"] == {}

    done = finish(engine, sfn.start_execution(stateMachineArn=machine(sfn), name=unique("e"))["executionArn"])
    sfn.stop_execution(executionArn=done.arn, error="Late")
    again = sfn.describe_execution(executionArn=done.arn)
    assert again["status"] == "SUCCEEDED" and "error" not in again and again["stopDate"] == done.describe["stopDate"]


# ---------------------------------------------------------------- AWS's error codes and bounds


def test_definitions_and_names_get_aws_error_codes(sfn: Any) -> None:
    dangling = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    invalid = error_of(sfn.create_state_machine, name=unique("m"), definition=dangling, roleArn=ROLE)
    assert invalid["Code"] == "InvalidDefinition" and "ASL" in invalid["Message"]
    assert error_of(sfn.create_state_machine, name=unique("m"), definition="{", roleArn=ROLE)["Code"] == (
        "InvalidDefinition")
    for name in ("has space", "a/b", "tab\there", "q?", "semi;colon"):
        assert error_of(sfn.create_state_machine, name=name, definition=json.dumps(PASS), roleArn=ROLE)["Code"] == (
            "InvalidName"), name
    too_long = error_of(sfn.create_state_machine, name="x" * 81, definition=json.dumps(PASS), roleArn=ROLE)
    assert too_long["Code"] == "ValidationException"  # a model bound, checked before the name's characters
    assert "at 'name' failed to satisfy constraint: Member must have length less than or equal to 80" in (
        too_long["Message"])

    name = unique("m")
    arn = sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)["stateMachineArn"]
    again = sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)  # idempotent
    assert again["stateMachineArn"] == arn
    other = error_of(sfn.create_state_machine, name=name, definition=returning(1), roleArn=ROLE)
    assert other["Code"] == "StateMachineAlreadyExists" and arn in other["Message"]


def test_start_execution_gets_aws_error_codes(engine: EmbeddedEngine, sfn: Any) -> None:
    arn = machine(sfn)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"stateMachineArn": "not-an-arn"}, "InvalidArn"),
        ({"stateMachineArn": arn.replace(":stateMachine:", ":activity:")}, "InvalidArn"),
        ({"stateMachineArn": arn, "input": "{not json"}, "InvalidExecutionInput"),
        ({"stateMachineArn": arn, "input": json.dumps({"big": "x" * (256 * 1024)})}, "ValidationException"),
        ({"stateMachineArn": arn, "name": "bad name"}, "InvalidName"),
        ({"stateMachineArn": arn, "name": "n" * 81}, "ValidationException"),
        ({"stateMachineArn": f"{arn}-missing"}, "StateMachineDoesNotExist"),
    ]
    for kwargs, code in cases:
        error = error_of(sfn.start_execution, **kwargs)
        assert error["Code"] == code, (kwargs.get("name"), error)
    assert error_of(sfn.describe_execution, executionArn="bad")["Message"].startswith("Invalid Arn: ")

    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    waiting = machine(sfn, json.dumps({"StartAt": "T", "States": {"T": _activity_task(activity)}}))
    name = unique("e")
    first = sfn.start_execution(stateMachineArn=waiting, name=name, input='{"a": 1}')["executionArn"]
    assert sfn.start_execution(stateMachineArn=waiting, name=name, input='{"a": 1}')["executionArn"] == first
    assert error_of(sfn.start_execution, stateMachineArn=waiting, name=name, input='{"a": 2}')["Code"] == (
        "ExecutionAlreadyExists")
    sfn.stop_execution(executionArn=first)


def test_max_results_outside_the_model_is_a_validation_exception(engine: EmbeddedEngine, sfn: Any) -> None:
    arn = machine(sfn, publish=True)
    execution = finish(engine, sfn.start_execution(stateMachineArn=arn, name=unique("e"))["executionArn"]).arn
    calls: list[tuple[Callable[..., Any], dict[str, Any]]] = [
        (sfn.list_executions, {"stateMachineArn": arn}), (sfn.list_state_machines, {}),
        (sfn.list_state_machine_versions, {"stateMachineArn": arn}), (sfn.list_activities, {}),
        (sfn.list_state_machine_aliases, {"stateMachineArn": arn}), (sfn.get_execution_history,
                                                                      {"executionArn": execution}),
    ]
    for call, kwargs in calls:
        error = error_of(call, maxResults=1001, **kwargs)  # botocore checks only the minimum
        assert error["Code"] == "ValidationException" and "'maxResults'" in error["Message"], call
        call(maxResults=1000, **kwargs)


def test_history_without_execution_data_leaves_out_input_and_output(engine: EmbeddedEngine, sfn: Any) -> None:
    run = finish(engine, sfn.start_execution(stateMachineArn=machine(sfn, returning({"x": 1})), name=unique("e"),
                                             input='{"secret": 1}')["executionArn"])
    bare = sfn.get_execution_history(executionArn=run.arn, includeExecutionData=False)["events"]
    assert [e["type"] for e in bare] == run.types
    for full, slim in zip(run.events, bare, strict=True):
        for key, details in full.items():
            if key.endswith("EventDetails"):
                assert slim[key] == {k: v for k, v in details.items() if k not in ("input", "output")}
    assert "input" in run.details("ExecutionStarted") and "input" not in bare[0]["executionStartedEventDetails"]
    assert bare[0]["executionStartedEventDetails"]["roleArn"] == ROLE


# ---------------------------------------------------------------- ValidateStateMachineDefinition


def test_validate_state_machine_definition_reports_the_linter(sfn: Any) -> None:
    ok = sfn.validate_state_machine_definition(definition=json.dumps(PASS))
    assert (ok["result"], ok["diagnostics"], ok["truncated"]) == ("OK", [], False)

    broken = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    failed = sfn.validate_state_machine_definition(definition=broken)
    assert failed["result"] == "FAIL" and len(failed["diagnostics"]) >= 2
    assert all(d["severity"] == "ERROR" and d["code"].startswith("ASL") for d in failed["diagnostics"])
    assert "/States/A/Next" in [d["location"] for d in failed["diagnostics"]]
    one = sfn.validate_state_machine_definition(definition=broken, maxResults=1)
    assert len(one["diagnostics"]) == 1 and one["truncated"] is True

    batched = json.dumps({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemBatcher": {"MaxItemsPerBatch": 2}, "End": True,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}})
    errors_only = sfn.validate_state_machine_definition(definition=batched)
    assert errors_only["result"] == "OK" and errors_only["diagnostics"] == []
    warnings = sfn.validate_state_machine_definition(definition=batched, severity="WARNING")
    assert warnings["result"] == "OK" and {d["severity"] for d in warnings["diagnostics"]} == {"WARNING"}
    assert error_of(sfn.validate_state_machine_definition, definition=broken, maxResults=101)["Code"] == (
        "ValidationException")


# ---------------------------------------------------------------- JSON errors, never an HTML 500


def test_an_unknown_operation_answers_aws_json(engine: EmbeddedEngine) -> None:
    url = f"{engine.endpoint_url}/"
    headers = sign_request(engine.credentials, "POST", url, b"{}", {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.NoSuchOperation"})
    headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
    answer = raw(engine.endpoint_url, "POST", "/", b"{}", headers)
    assert answer.status == 400
    assert answer.json()["__type"] == "UnknownOperationException"
    assert "NoSuchOperation" in answer.json()["message"]


def test_a_crash_in_an_operation_answers_internal_failure_json(sfn: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.stepfunctions.responses import StepFunctionResponse

    def broken(self: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(StepFunctionResponse, "list_activities", broken)
    with pytest.raises(ClientError) as caught:
        sfn.list_activities()
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error["Error"]["Code"] == "InternalFailure" and "RuntimeError: boom" in error["Error"]["Message"]
