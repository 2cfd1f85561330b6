"""Every operation of botocore's Step Functions model, driven through boto3 against the embedded engine.

One operator's day in one scenario: activities and task tokens, versions and aliases, a Distributed Map
run, tags, a redrive, Express and TestState. A hook counts the operations that answered; the test fails
if any of the model's operations was never served.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.engine.embedded_support import ROLE, finish, unique
from workbench.engine.embedded import EmbeddedEngine, shared_engine

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}})


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return shared_engine(time_warp=True)


def _poll(fn: Any, until: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if until(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.01)  # polling a condition, with a deadline


def test_all_37_operations_answer(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    served: set[str] = set()
    sfn.meta.events.register("after-call.sfn", lambda model, **_: served.add(model.name))
    try:
        _activities(engine, sfn)
        machine = _versions_and_aliases(sfn)
        _executions(engine, sfn, machine)
        _map_runs(engine, sfn)
        _tags(sfn, machine)
        _sync_test_and_validate(sfn)
        sfn.delete_state_machine(stateMachineArn=machine)
    finally:
        sfn.meta.events.unregister("after-call.sfn")
    assert sorted(set(sfn.meta.service_model.operation_names) - served) == []
    assert len(served) == 37


def _activities(engine: EmbeddedEngine, sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    assert sfn.describe_activity(activityArn=activity)["activityArn"] == activity
    assert activity in [a["activityArn"] for a in sfn.list_activities()["activities"]]
    waiting = sfn.create_state_machine(name=unique("act-m"), roleArn=ROLE, definition=json.dumps({
        "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}}}))
    machine = waiting["stateMachineArn"]
    runs = [sfn.start_execution(stateMachineArn=machine, name=unique("a"))["executionArn"] for _ in range(2)]
    tokens = [sfn.get_activity_task(activityArn=activity, workerName="w")["taskToken"] for _ in runs]
    sfn.send_task_heartbeat(taskToken=tokens[0])
    sfn.send_task_success(taskToken=tokens[0], output='{"done": 1}')
    sfn.send_task_failure(taskToken=tokens[1], error="Worker.Broke", cause="disk")
    assert [finish(engine, arn).status for arn in runs] == ["SUCCEEDED", "FAILED"]
    sfn.delete_activity(activityArn=activity)


def _versions_and_aliases(sfn: Any) -> str:
    created = sfn.create_state_machine(name=unique("v"), definition=PASS, roleArn=ROLE, publish=True)
    machine = created["stateMachineArn"]
    first = created["stateMachineVersionArn"]
    updated = sfn.update_state_machine(stateMachineArn=machine, definition=PASS.replace('"ok": true', '"ok": false'))
    second = sfn.publish_state_machine_version(stateMachineArn=machine, revisionId=updated["revisionId"],
                                               description="second")["stateMachineVersionArn"]
    assert {v["stateMachineVersionArn"] for v in
            sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]} == {first, second}
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": second, "weight": 100}])["stateMachineAliasArn"]
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, description="all on v2")
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["description"] == "all on v2"
    assert [a["stateMachineAliasArn"] for a in
            sfn.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"]] == [alias]
    assert sfn.describe_state_machine(stateMachineArn=machine)["name"] == machine.rsplit(":", 1)[-1]
    assert machine in [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=first)
    return str(machine)


def _executions(engine: EmbeddedEngine, sfn: Any, machine: str) -> None:
    arn = sfn.start_execution(stateMachineArn=machine, name=unique("e"))["executionArn"]
    assert finish(engine, arn).status == "SUCCEEDED"
    assert sfn.describe_state_machine_for_execution(executionArn=arn)["stateMachineArn"] == machine
    assert sfn.get_execution_history(executionArn=arn)["events"][0]["type"] == "ExecutionStarted"
    assert arn in [e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]]
    waiting = sfn.create_state_machine(name=unique("wait"), roleArn=ROLE, definition=json.dumps({
        "StartAt": "Hold", "States": {"Hold": {"Type": "Task", "Resource":
                                               "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                               "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q",
                                                              "MessageBody.$": "$$.Task.Token"}, "End": True}}}))
    held = sfn.start_execution(stateMachineArn=waiting["stateMachineArn"], name=unique("h"))["executionArn"]
    sfn.stop_execution(executionArn=held, error="Operator.Stop", cause="testing")
    stopped = sfn.describe_execution(executionArn=held)
    assert (stopped["status"], stopped["error"]) == ("ABORTED", "Operator.Stop")
    sfn.redrive_execution(executionArn=held)
    assert sfn.describe_execution(executionArn=held)["redriveCount"] == 1
    sfn.stop_execution(executionArn=held)


def _map_runs(engine: EmbeddedEngine, sfn: Any) -> None:
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "End": True, "Label": "each", "ItemsPath": "$.items", "MaxConcurrency": 2,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}}}}
    machine = sfn.create_state_machine(name=unique("dmap"), definition=json.dumps(definition),
                                       roleArn=ROLE)["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, name=unique("d"), input=json.dumps({"items": [1, 2, 3]}))[
        "executionArn"]
    assert finish(engine, arn).status == "SUCCEEDED"
    map_run = sfn.list_map_runs(executionArn=arn)["mapRuns"][0]["mapRunArn"]
    sfn.update_map_run(mapRunArn=map_run, maxConcurrency=5)
    described = sfn.describe_map_run(mapRunArn=map_run)
    assert (described["maxConcurrency"], described["itemCounts"]["succeeded"]) == (5, 3)
    children = _poll(lambda: sfn.list_executions(mapRunArn=map_run)["executions"], lambda c: len(c) == 3)
    assert len(children) == 3


def _tags(sfn: Any, machine: str) -> None:
    sfn.tag_resource(resourceArn=machine, tags=[{"key": "team", "value": "ops"}])
    assert sfn.list_tags_for_resource(resourceArn=machine)["tags"] == [{"key": "team", "value": "ops"}]
    sfn.untag_resource(resourceArn=machine, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=machine)["tags"] == []


def _sync_test_and_validate(sfn: Any) -> None:
    express = sfn.create_state_machine(name=unique("x"), definition=PASS, roleArn=ROLE,
                                       type="EXPRESS")["stateMachineArn"]
    synced = sfn.start_sync_execution(stateMachineArn=express, input="{}")
    assert (synced["status"], json.loads(synced["output"])) == ("SUCCEEDED", {"ok": True})
    tested = sfn.test_state(definition=json.dumps({"Type": "Pass", "Result": 7, "End": True}), roleArn=ROLE)
    assert (tested["status"], tested["output"]) == ("SUCCEEDED", "7")
    assert sfn.validate_state_machine_definition(definition=PASS)["result"] == "OK"
