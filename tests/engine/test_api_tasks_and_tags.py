"""Task tokens, tags and activities of the embedded engine as AWS answers them (issue 13, real-client trial).

Everything goes through boto3 against the engine, as an operator's code (or an activity worker) would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.engine.api_support import aws_answer
from tests.engine.embedded_support import ROLE, finish, history, unique
from workbench.engine.embedded import EmbeddedEngine
from workbench.engine.embedded.interpreter.api.tasks_and_tags import MAX_TAGS, token_state

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
DEADLINE_SECONDS = 30.0


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The error's code and message (what these tests compare whole)."""
    answer = aws_answer(call, **kwargs)
    return {"Code": answer["Code"], "Message": answer["Message"]}


def code_of(call: Callable[..., Any], **kwargs: Any) -> str:
    return str(error_of(call, **kwargs)["Code"])


def machine(sfn: Any, definition: dict[str, Any] | None = None, **kwargs: Any) -> str:
    return str(sfn.create_state_machine(name=unique("m"), definition=json.dumps(definition or PASS),
                                        roleArn=ROLE, **kwargs)["stateMachineArn"])


def activity_state(activity: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": activity, **extra}


def poll(read: Callable[[], Any], done: Callable[[Any], bool], what: str) -> Any:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def scheduled(sfn: Any, arn: str, count: int) -> None:
    poll(lambda: history(sfn, arn), lambda events: sum(e["type"] == "ActivityScheduled" for e in events) >= count,
         f"{count} ActivityScheduled in {arn}")


def take_task(sfn: Any, activity: str) -> dict[str, Any]:
    """A worker's GetActivityTask once the task is scheduled (it answers at once then)."""
    task = sfn.get_activity_task(activityArn=activity, workerName="worker")
    assert task.get("taskToken"), "GetActivityTask answered no task although one was scheduled"
    return dict(task)


def running_activity(sfn: Any, states: dict[str, Any], start_at: str = "A") -> tuple[str, str, str]:
    """(activity ARN, execution ARN, first task token) of an execution waiting for its first activity task."""
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    definition = {"StartAt": start_at,
                  "States": {name: activity_state(activity, **extra) for name, extra in states.items()}}
    arn = sfn.start_execution(stateMachineArn=machine(sfn, definition), name=unique("e"))["executionArn"]
    scheduled(sfn, arn, 1)
    return activity, arn, take_task(sfn, activity)["taskToken"]


# ---------------------------------------------------------------- SendTaskSuccess output


def test_send_task_success_with_output_that_is_not_json_is_invalid_output(engine: EmbeddedEngine,
                                                                          sfn: Any) -> None:
    _, arn, token = running_activity(sfn, {"A": {"End": True}})
    refused = error_of(sfn.send_task_success, taskToken=token, output="{not json")
    assert refused == {"Code": "InvalidOutput", "Message": "The provided JSON output data is not valid."}
    assert token_state(token) == "open"  # the task still waits: a refused answer closes nothing
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"

    sfn.send_task_success(taskToken=token, output=json.dumps({"done": True}))
    done = finish(engine, arn)
    assert (done.status, done.output) == ("SUCCEEDED", {"done": True})


def test_send_task_success_output_over_the_model_bound_is_a_validation_exception(sfn: Any) -> None:
    _, arn, token = running_activity(sfn, {"A": {"End": True}})
    bound = sfn.meta.service_model.operation_model("SendTaskSuccess").input_shape.members["output"].metadata["max"]
    refused = error_of(sfn.send_task_success, taskToken=token, output=json.dumps("x" * bound))
    assert refused["Code"] == "ValidationException" and "'output'" in refused["Message"]
    assert token_state(token) == "open"
    sfn.stop_execution(executionArn=arn)


# ---------------------------------------------------------------- tokens of closed tasks


def test_a_token_answered_before_is_task_timed_out_for_every_send(engine: EmbeddedEngine, sfn: Any) -> None:
    _, arn, token = running_activity(sfn, {"A": {"End": True}})
    sfn.send_task_success(taskToken=token, output="{}")
    assert finish(engine, arn).status == "SUCCEEDED"

    assert token_state(token) == "closed"
    for call, kwargs in ((sfn.send_task_success, {"output": "{}"}), (sfn.send_task_heartbeat, {}),
                         (sfn.send_task_failure, {"error": "Late"})):
        assert error_of(call, taskToken=token, **kwargs) == {
            "Code": "TaskTimedOut",
            "Message": "The task token has either expired or the task associated with the token has already "
                       "been closed."}
    assert finish(engine, arn).status == "SUCCEEDED"  # the late answers changed nothing


def test_a_token_answered_while_its_execution_still_runs_is_task_timed_out(engine: EmbeddedEngine,
                                                                           sfn: Any) -> None:
    activity, arn, first = running_activity(sfn, {"A": {"Next": "B"}, "B": {"End": True}})
    sfn.send_task_success(taskToken=first, output='{"step": 1}')
    scheduled(sfn, arn, 2)
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"

    assert code_of(sfn.send_task_success, taskToken=first, output="{}") == "TaskTimedOut"
    assert code_of(sfn.send_task_failure, taskToken=first, error="Late") == "TaskTimedOut"
    assert code_of(sfn.send_task_heartbeat, taskToken=first) == "TaskTimedOut"

    second = take_task(sfn, activity)["taskToken"]
    sfn.send_task_heartbeat(taskToken=second)  # the waiting task's token stays good
    sfn.send_task_success(taskToken=second, output='{"step": 2}')
    done = finish(engine, arn)
    assert (done.status, done.output) == ("SUCCEEDED", {"step": 2})


def test_a_failure_closes_the_token_too(engine: EmbeddedEngine, sfn: Any) -> None:
    _, arn, token = running_activity(sfn, {"A": {"End": True}})
    sfn.send_task_failure(taskToken=token, error="Worker.Broke", cause="disk full")
    done = finish(engine, arn)
    assert done.status == "FAILED" and done.details("ExecutionFailed")["error"] == "Worker.Broke"
    assert code_of(sfn.send_task_failure, taskToken=token, error="Again") == "TaskTimedOut"
    assert code_of(sfn.send_task_success, taskToken=token, output="{}") == "TaskTimedOut"


def test_a_token_whose_task_timed_out_is_task_timed_out(engine: EmbeddedEngine, sfn: Any) -> None:
    _, arn, token = running_activity(sfn, {"A": {"End": True, "TimeoutSeconds": 30}})
    done = finish(engine, arn)  # nobody answers: the virtual deadline passes
    assert done.status == "FAILED" and "ActivityTimedOut" in done.types
    for call, kwargs in ((sfn.send_task_success, {"output": "{}"}), (sfn.send_task_heartbeat, {}),
                         (sfn.send_task_failure, {"error": "Late"})):
        assert code_of(call, taskToken=token, **kwargs) == "TaskTimedOut"


def test_a_token_of_a_stopped_execution_is_task_timed_out(sfn: Any) -> None:
    _, arn, token = running_activity(sfn, {"A": {"End": True}})
    sfn.stop_execution(executionArn=arn)
    assert code_of(sfn.send_task_failure, taskToken=token, error="Late") == "TaskTimedOut"
    assert code_of(sfn.send_task_success, taskToken=token, output="{}") == "TaskTimedOut"
    assert sfn.describe_execution(executionArn=arn)["status"] == "ABORTED"


def test_a_token_never_issued_stays_invalid_token(sfn: Any) -> None:
    never = unique("never-issued-token")
    assert token_state(never) is None
    assert code_of(sfn.send_task_success, taskToken=never, output="{}") == "InvalidToken"
    assert code_of(sfn.send_task_failure, taskToken=never, error="E") == "InvalidToken"
    assert code_of(sfn.send_task_heartbeat, taskToken=never) == "InvalidToken"


# ---------------------------------------------------------------- tags: resources


def _tag_calls(sfn: Any, arn: str) -> list[tuple[Callable[..., Any], dict[str, Any]]]:
    return [(sfn.tag_resource, {"resourceArn": arn, "tags": [{"key": "team", "value": "ops"}]}),
            (sfn.untag_resource, {"resourceArn": arn, "tagKeys": ["team"]}),
            (sfn.list_tags_for_resource, {"resourceArn": arn})]


def test_tags_of_an_unknown_state_machine_or_activity_are_resource_not_found(sfn: Any) -> None:
    known = machine(sfn)
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    sfn.delete_activity(activityArn=activity)
    for arn in (known + "-gone", activity):
        for call, kwargs in _tag_calls(sfn, arn):
            refused = error_of(call, **kwargs)
            assert refused["Code"] == "ResourceNotFound" and arn in refused["Message"]


@pytest.mark.parametrize("arn", ["not-an-arn", "arn:aws:lambda:us-east-1:123456789012:function:f",
                                 "arn:aws:iam::123456789012:role/r"])
def test_tags_of_a_malformed_or_foreign_arn_are_invalid_arn(sfn: Any, arn: str) -> None:
    for call, kwargs in _tag_calls(sfn, arn):
        assert code_of(call, **kwargs) == "InvalidArn"


def test_executions_and_versions_are_not_taggable(engine: EmbeddedEngine, sfn: Any) -> None:
    created = sfn.create_state_machine(name=unique("m"), definition=json.dumps(PASS), roleArn=ROLE, publish=True)
    execution = sfn.start_execution(stateMachineArn=created["stateMachineArn"], name=unique("e"))["executionArn"]
    finish(engine, execution)
    for arn in (execution, created["stateMachineVersionArn"]):
        for call, kwargs in _tag_calls(sfn, arn):
            refused = error_of(call, **kwargs)
            assert refused["Code"] == "ResourceNotFound" and "Only state machine and activity" in refused["Message"]


def test_tags_of_an_existing_machine_and_activity_work(sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    for arn in (machine(sfn), activity):
        sfn.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "ops"}])
        assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "ops"}]
        sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
        assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == []


# ---------------------------------------------------------------- tags: how many


def _tags(count: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"key": f"{prefix}{i}", "value": "v"} for i in range(count)]


def test_more_tags_than_the_quota_on_one_resource_is_too_many_tags(sfn: Any) -> None:
    arn = machine(sfn, tags=_tags(MAX_TAGS))
    assert len(sfn.list_tags_for_resource(resourceArn=arn)["tags"]) == MAX_TAGS
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "k0", "value": "changed"}])  # a key it has: still the quota

    refused = error_of(sfn.tag_resource, resourceArn=arn, tags=[{"key": "one-more", "value": "v"}])
    assert refused["Code"] == "TooManyTags" and arn in refused["Message"]
    tags = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert len(tags) == MAX_TAGS and "one-more" not in tags and tags["k0"] == "changed"


def test_creating_with_more_tags_than_the_quota_is_too_many_tags(sfn: Any) -> None:
    name = unique("m")
    refused = error_of(sfn.create_state_machine, name=name, definition=json.dumps(PASS), roleArn=ROLE,
                       tags=_tags(MAX_TAGS + 1))
    assert refused["Code"] == "TooManyTags" and name in refused["Message"]
    assert name not in [m["name"] for m in sfn.list_state_machines()["stateMachines"]]

    name = unique("act")
    refused = error_of(sfn.create_activity, name=name, tags=_tags(MAX_TAGS + 1))
    assert refused["Code"] == "TooManyTags" and name in refused["Message"]
    assert name not in [a["name"] for a in sfn.list_activities()["activities"]]


# ---------------------------------------------------------------- CreateActivity idempotency


def test_create_activity_is_idempotent_on_the_name_and_ignores_other_tags(sfn: Any) -> None:
    name = unique("act")
    first = sfn.create_activity(name=name, tags=[{"key": "team", "value": "ops"}])
    again = sfn.create_activity(name=name, tags=[{"key": "team", "value": "dev"}, {"key": "x", "value": "y"}])
    assert (again["activityArn"], again["creationDate"]) == (first["activityArn"], first["creationDate"])
    assert sfn.list_tags_for_resource(resourceArn=first["activityArn"])["tags"] == [{"key": "team", "value": "ops"}]
    same = sfn.create_activity(name=name, encryptionConfiguration={"type": "AWS_OWNED_KEY"})  # the default
    assert same["activityArn"] == first["activityArn"]
    assert [a["name"] for a in sfn.list_activities()["activities"]].count(name) == 1


def test_create_activity_with_another_encryption_is_activity_already_exists(sfn: Any) -> None:
    name = unique("act")
    sfn.create_activity(name=name)
    refused = error_of(sfn.create_activity, name=name, encryptionConfiguration={
        "type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k1",
        "kmsDataKeyReusePeriodSeconds": 300})
    assert refused["Code"] == "ActivityAlreadyExists"


def test_an_idempotent_create_activity_still_feeds_its_workers(engine: EmbeddedEngine, sfn: Any) -> None:
    name = unique("act")
    activity = sfn.create_activity(name=name)["activityArn"]
    assert sfn.create_activity(name=name)["activityArn"] == activity
    definition = {"StartAt": "A", "States": {"A": activity_state(activity, End=True)}}
    arn = sfn.start_execution(stateMachineArn=machine(sfn, definition), name=unique("e"),
                              input=json.dumps({"n": 1}))["executionArn"]
    scheduled(sfn, arn, 1)
    task = take_task(sfn, activity)
    assert json.loads(task["input"]) == {"n": 1}
    sfn.send_task_success(taskToken=task["taskToken"], output=task["input"])
    assert finish(engine, arn).output == {"n": 1}

