"""What reaches the engine without botocore's client-side checks, and the 256 KiB data quota as AWS counts it.

Raw signed HTTP requests (as any non-botocore client, or ``parameter_validation=False``, sends them) get AWS's
JSON errors, never an HTML 500; a second real-client trial found every case here answering HTTP 500.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.engine.auth_support import Answer, Guarded, Marker, signed
from tests.engine.embedded_support import ROLE, finish, unique
from workbench.engine.embedded import EmbeddedEngine, shared_engine


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return shared_engine(time_warp=True)


@pytest.fixture(scope="module")
def guarded(engine: EmbeddedEngine, tmp_path_factory: pytest.TempPathFactory) -> Guarded:
    return Guarded("in-process", engine.endpoint_url, engine.credentials,
                   Marker.make(tmp_path_factory.mktemp("front")))


def call(guarded: Guarded, operation: str, body: bytes, target: str = "AWSStepFunctions") -> Answer:
    return signed(guarded, "POST", "/", body, extra={"X-Amz-Target": f"{target}.{operation}"})


@pytest.mark.parametrize(("operation", "member"), [
    ("CreateActivity", "name"), ("DescribeExecution", "executionArn"), ("StartExecution", "stateMachineArn"),
    ("GetActivityTask", "activityArn"), ("ListMapRuns", "executionArn"),
])
def test_a_missing_required_member_is_a_validation_exception(guarded: Guarded, operation: str, member: str) -> None:
    answer = call(guarded, operation, b"{}")
    assert (answer.status, answer.json()["__type"]) == (400, "ValidationException")
    assert f"Value null at '{member}' failed to satisfy constraint: Member must not be null" in answer.json()[
        "message"]


@pytest.mark.parametrize(("operation", "body", "where"), [
    ("ListStateMachines", {"nextToken": 12345}, "nextToken"),
    ("ListStateMachines", {"maxResults": []}, "maxResults"),
    ("SendTaskHeartbeat", {"taskToken": ["t"]}, "taskToken"),
    ("TagResource", {"resourceArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "tags": {"a": 1}},
     "tags"),
    ("StartExecution", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "input": 12345},
     "input"),
])
def test_a_member_of_the_wrong_json_type_is_a_serialization_exception(guarded: Guarded, operation: str,
                                                                       body: dict[str, Any], where: str) -> None:
    answer = call(guarded, operation, json.dumps(body).encode())
    assert (answer.status, answer.json()["__type"]) == (400, "SerializationException")
    assert f"at '{where}'" in answer.json()["message"]


@pytest.mark.parametrize("body", [b'{"nextToken": "\xff\xfe"}', b'"x"', b"[1, 2]", b"{not json"])
def test_an_unreadable_body_is_a_serialization_exception_in_json(guarded: Guarded, body: bytes) -> None:
    answer = call(guarded, "ListStateMachines", body)
    assert answer.status == 400 and "json" in answer.headers.get("content-type", "")
    assert answer.json()["__type"] == "SerializationException"


def test_a_target_outside_step_functions_is_an_unknown_operation(guarded: Guarded) -> None:
    answer = call(guarded, "ListStateMachines", b"{}", target="Foo")
    assert (answer.status, answer.json()["__type"]) == (400, "UnknownOperationException")


def _echo(size: int) -> dict[str, Any]:
    return {"items": [0] * ((size - len('{"items":[]}') + 1) // 2)}


def _compact_run(engine: EmbeddedEngine, definition: dict[str, Any], payload: Any) -> Any:
    """Start with the input as compact JSON (how it counts against the quota) and wait for the end."""
    sfn = engine.client()
    machine = sfn.create_state_machine(name=unique("q"), definition=json.dumps(definition), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=unique("e"),
                              input=json.dumps(payload, separators=(",", ":")))["executionArn"]
    return finish(engine, arn)


def test_the_256_kib_quota_counts_compact_json_and_includes_the_limit(engine: EmbeddedEngine) -> None:
    """moto counted ``json.dumps``' spaces and used ``<``: a compact 200,001-byte input failed a Pass state."""
    passing = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    compact = _echo(200_001)
    assert len(json.dumps(compact, separators=(",", ":"))) == 200_001
    assert _compact_run(engine, passing, compact).status == "SUCCEEDED"
    at_limit = {"pad": "x" * (256 * 1024 - len('{"pad":""}'))}
    assert len(json.dumps(at_limit, separators=(",", ":")).encode()) == 256 * 1024
    assert _compact_run(engine, passing, at_limit).status == "SUCCEEDED"
    doubling = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"a.$": "$.pad", "b.$": "$.pad"},
                                                  "End": True}}}
    over = _compact_run(engine, doubling, {"pad": "x" * 140_000})
    assert over.status == "FAILED" and over.describe["error"] == "States.DataLimitExceeded"


def test_a_client_with_validation_off_still_gets_json_errors(engine: EmbeddedEngine) -> None:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    loose = boto3.client("stepfunctions", endpoint_url=engine.endpoint_url, **engine.credentials.boto3_kwargs(),
                         config=Config(parameter_validation=False, inject_host_prefix=False,
                                       retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as caught:
        loose.create_state_machine(name=unique("m"), definition=json.dumps(
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}), roleArn=ROLE, type="WEIRD")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
