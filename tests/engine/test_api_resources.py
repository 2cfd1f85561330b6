"""What the operations answer for unknown, malformed or wrong resources (real-client trial, issue 13).

Each case goes through boto3 against the embedded engine; the expected codes are those of botocore's service
model (each operation's error list) and the AWS API reference.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.engine.api_support import aws_answer
from tests.engine.embedded_support import ROLE, finish, run, unique
from workbench.core.arn import Arn
from workbench.engine.embedded import EmbeddedEngine

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
OTHER = json.dumps({"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Result": 1, "End": True}}})
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/resources:*"


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[int, str]:
    answer = aws_answer(call, **kwargs)
    return answer["Status"], str(answer["Code"])


def versioned(sfn: Any, **kwargs: Any) -> tuple[str, str, str]:
    """A machine with two published versions: (machine, v1, v2)."""
    created = sfn.create_state_machine(name=unique("m"), definition=PASS, roleArn=ROLE, publish=True, **kwargs)
    v2 = sfn.update_state_machine(stateMachineArn=created["stateMachineArn"], definition=OTHER,
                                  publish=True)["stateMachineVersionArn"]
    return str(created["stateMachineArn"]), str(created["stateMachineVersionArn"]), str(v2)


def map_run_arn_of(machine: str, label: str) -> str:
    parsed = Arn.parse(machine)
    return str(Arn(parsed.partition, parsed.service, parsed.region, parsed.account,
                   f"mapRun:{parsed.name}/{label}:00000000-0000-0000-0000-000000000000"))


# ---------------------------------------------------------------- 1. no HTTP 500 for a wrong resource


@pytest.mark.parametrize("operation", ["describe_map_run", "update_map_run"])
def test_map_run_operations_answer_invalid_arn_and_resource_not_found(sfn: Any, operation: str) -> None:
    machine = sfn.create_state_machine(name=unique("m"), definition=PASS, roleArn=ROLE)["stateMachineArn"]
    extra = {"maxConcurrency": 1} if operation == "update_map_run" else {}
    call = getattr(sfn, operation)
    assert error_of(call, mapRunArn="garbage", **extra) == (400, "InvalidArn")
    assert error_of(call, mapRunArn=map_run_arn_of(machine, "nope"), **extra) == (400, "ResourceNotFound")


def test_list_executions_by_a_malformed_map_run_arn_is_invalid_arn(sfn: Any) -> None:
    assert error_of(sfn.list_executions, mapRunArn="garbage") == (400, "InvalidArn")


@pytest.mark.parametrize("operation", ["describe_state_machine_alias", "update_state_machine_alias",
                                       "delete_state_machine_alias"])
def test_alias_operations_answer_invalid_arn_and_resource_not_found(sfn: Any, operation: str) -> None:
    machine, _, _ = versioned(sfn)
    extra = {"description": "d"} if operation == "update_state_machine_alias" else {}
    call = getattr(sfn, operation)
    assert error_of(call, stateMachineAliasArn="garbage", **extra) == (400, "InvalidArn")
    assert error_of(call, stateMachineAliasArn=f"{machine}:missing", **extra) == (400, "ResourceNotFound")
    gone = f"{Arn.parse(machine).state_machine}-gone:live"
    assert error_of(call, stateMachineAliasArn=gone, **extra) == (400, "ResourceNotFound")


def test_update_state_machine_refuses_a_version_arn_and_leaves_it_alone(sfn: Any) -> None:
    machine, v1, _ = versioned(sfn)
    assert error_of(sfn.update_state_machine, stateMachineArn=v1, definition=OTHER) == (400, "InvalidArn")
    assert sfn.describe_state_machine(stateMachineArn=v1)["definition"] == PASS
    assert sfn.describe_state_machine(stateMachineArn=machine)["definition"] == OTHER


def test_list_executions_needs_exactly_one_of_a_machine_and_a_map_run(sfn: Any) -> None:
    machine = sfn.create_state_machine(name=unique("m"), definition=PASS, roleArn=ROLE)["stateMachineArn"]
    assert error_of(sfn.list_executions) == (400, "ValidationException")
    both = {"stateMachineArn": machine, "mapRunArn": map_run_arn_of(machine, "x")}
    assert error_of(sfn.list_executions, **both) == (400, "ValidationException")


def test_start_sync_execution_checks_the_name(sfn: Any) -> None:
    machine = sfn.create_state_machine(name=unique("x"), definition=PASS, roleArn=ROLE,
                                       type="EXPRESS")["stateMachineArn"]
    assert error_of(sfn.start_sync_execution, stateMachineArn=machine, name="bad name") == (400, "InvalidName")
    assert sfn.start_sync_execution(stateMachineArn=machine, name=unique("e"))["status"] == "SUCCEEDED"


# ---------------------------------------------------------------- 2. CreateStateMachineAlias


def test_create_alias_is_idempotent_only_for_the_same_configuration(sfn: Any) -> None:
    machine, v1, v2 = versioned(sfn)
    routes = [{"stateMachineVersionArn": v1, "weight": 100}]
    first = sfn.create_state_machine_alias(name="live", routingConfiguration=routes, description="d")
    again = sfn.create_state_machine_alias(name="live", routingConfiguration=routes, description="d")
    assert (again["stateMachineAliasArn"], again["creationDate"]) == (first["stateMachineAliasArn"],
                                                                      first["creationDate"])
    moved = [{"stateMachineVersionArn": v2, "weight": 100}]
    assert error_of(sfn.create_state_machine_alias, name="live", routingConfiguration=moved,
                    description="d") == (409, "ConflictException")
    assert error_of(sfn.create_state_machine_alias, name="live", routingConfiguration=routes,
                    description="other") == (409, "ConflictException")
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=first["stateMachineAliasArn"])
    assert (described["routingConfiguration"], described["description"]) == (routes, "d")
    missing = [{"stateMachineVersionArn": f"{machine}:99", "weight": 100}]
    assert error_of(sfn.create_state_machine_alias, name="next", routingConfiguration=missing) == (
        400, "ResourceNotFound")


# ---------------------------------------------------------------- 3. listings by version and alias; EXPRESS


def test_list_aliases_of_a_version_lists_those_routing_to_it(sfn: Any) -> None:
    machine, v1, v2 = versioned(sfn)
    only_v1 = sfn.create_state_machine_alias(name="a", routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 100}])["stateMachineAliasArn"]
    split = sfn.create_state_machine_alias(name="b", routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 50}, {"stateMachineVersionArn": v2, "weight": 50}])[
        "stateMachineAliasArn"]
    only_v2 = sfn.create_state_machine_alias(name="c", routingConfiguration=[
        {"stateMachineVersionArn": v2, "weight": 100}])["stateMachineAliasArn"]

    def listed(arn: str) -> set[str]:
        return {a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=arn)[
            "stateMachineAliases"]}

    assert listed(v1) == {only_v1, split}
    assert listed(v2) == {split, only_v2}
    assert listed(machine) == {only_v1, split, only_v2}
    assert error_of(sfn.list_state_machine_aliases, stateMachineArn=f"{machine}:99") == (400, "ResourceNotFound")


def test_list_executions_of_an_alias_lists_those_started_through_it(engine: EmbeddedEngine, sfn: Any) -> None:
    machine, v1, _ = versioned(sfn)
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 100}])["stateMachineAliasArn"]
    through_alias = sfn.start_execution(stateMachineArn=alias, name=unique("e"))["executionArn"]
    direct = sfn.start_execution(stateMachineArn=v1, name=unique("e"))["executionArn"]
    for arn in (through_alias, direct):
        finish(engine, arn)
    [item] = sfn.list_executions(stateMachineArn=alias)["executions"]
    assert (item["executionArn"], item["stateMachineArn"], item["stateMachineAliasArn"],
            item["stateMachineVersionArn"], item["status"]) == (through_alias, machine, alias, v1, "SUCCEEDED")
    assert sfn.list_executions(stateMachineArn=alias, statusFilter="FAILED")["executions"] == []
    listed = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=v1)["executions"]}
    assert listed == {through_alias, direct}


def test_list_executions_of_an_express_machine_is_not_supported(sfn: Any) -> None:
    created = sfn.create_state_machine(name=unique("x"), definition=PASS, roleArn=ROLE, type="EXPRESS",
                                       publish=True)
    for arn in (created["stateMachineArn"], created["stateMachineVersionArn"]):
        assert error_of(sfn.list_executions, stateMachineArn=arn) == (400, "StateMachineTypeNotSupported")


# ---------------------------------------------------------------- 4. DescribeStateMachineForExecution


def test_describe_state_machine_for_execution_errors_and_update_date(engine: EmbeddedEngine, sfn: Any) -> None:
    machine = sfn.create_state_machine(name=unique("m"), definition=PASS, roleArn=ROLE)["stateMachineArn"]
    unknown = str(Arn.parse(machine).execution(unique("e")))
    assert error_of(sfn.describe_state_machine_for_execution, executionArn=unknown) == (400, "ExecutionDoesNotExist")
    assert error_of(sfn.describe_state_machine_for_execution, executionArn="garbage") == (400, "InvalidArn")
    arn = sfn.start_execution(stateMachineArn=machine, name=unique("e"))["executionArn"]
    finish(engine, arn)
    described = sfn.describe_state_machine_for_execution(executionArn=arn)
    machine_view = sfn.describe_state_machine(stateMachineArn=machine)
    assert (described["stateMachineArn"], described["definition"], described["roleArn"]) == (
        machine, machine_view["definition"], machine_view["roleArn"])
    assert described["updateDate"] == machine_view["creationDate"]  # never updated
    assert "mapRunArn" not in described


def test_describe_state_machine_for_a_map_run_child_is_the_map_runs_machine(engine: EmbeddedEngine,
                                                                             sfn: Any) -> None:
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
                 "States": {"P": {"Type": "Pass", "End": True}}}
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "Label": "Chunk", "ItemProcessor": processor,
                                                   "End": True}}}
    result = run(engine, definition, [1, 2])
    assert result.status == "SUCCEEDED"
    [map_run] = sfn.list_map_runs(executionArn=result.arn)["mapRuns"]
    children = sfn.list_executions(mapRunArn=map_run["mapRunArn"])["executions"]
    assert len(children) == 2
    child = sfn.describe_execution(executionArn=children[0]["executionArn"])
    described = sfn.describe_state_machine_for_execution(executionArn=child["executionArn"])
    assert (described["stateMachineArn"], described["mapRunArn"], described["label"]) == (
        child["stateMachineArn"], map_run["mapRunArn"], "Chunk")
    assert json.loads(described["definition"])["States"] == processor["States"]
    assert described["updateDate"] and described["roleArn"] == ROLE


# ---------------------------------------------------------------- 5. configurations and role on create/update


BAD_CONFIGURATIONS = [
    ({"loggingConfiguration": {"level": "ALL"}}, "InvalidLoggingConfiguration"),
    ({"loggingConfiguration": {"level": "ERROR", "destinations": []}}, "InvalidLoggingConfiguration"),
    ({"loggingConfiguration": {"level": "FATAL", "destinations": [
        {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:s3:::bucket"}}]}}, "InvalidLoggingConfiguration"),
    ({"encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY"}}, "InvalidEncryptionConfiguration"),
]


@pytest.mark.parametrize(("config", "code"), BAD_CONFIGURATIONS)
def test_create_and_update_refuse_bad_configurations(sfn: Any, config: dict[str, Any], code: str) -> None:
    name = unique("m")
    assert error_of(sfn.create_state_machine, name=name, definition=PASS, roleArn=ROLE, **config) == (400, code)
    assert name not in {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
    machine = sfn.create_state_machine(name=name, definition=PASS, roleArn=ROLE)["stateMachineArn"]
    assert error_of(sfn.update_state_machine, stateMachineArn=machine, **config) == (400, code)
    assert sfn.describe_state_machine(stateMachineArn=machine)["loggingConfiguration"]["level"] == "OFF"


def test_a_log_group_destination_is_accepted(sfn: Any) -> None:
    logging = {"level": "ALL", "includeExecutionData": True,
               "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}]}
    machine = sfn.create_state_machine(name=unique("m"), definition=PASS, roleArn=ROLE,
                                       loggingConfiguration=logging)["stateMachineArn"]
    assert sfn.describe_state_machine(stateMachineArn=machine)["loggingConfiguration"] == logging


def test_update_state_machine_refuses_a_malformed_role_arn(sfn: Any) -> None:
    machine = sfn.create_state_machine(name=unique("m"), definition=PASS, roleArn=ROLE)["stateMachineArn"]
    assert error_of(sfn.update_state_machine, stateMachineArn=machine, roleArn="garbage") == (400, "InvalidArn")
    assert sfn.describe_state_machine(stateMachineArn=machine)["roleArn"] == ROLE
