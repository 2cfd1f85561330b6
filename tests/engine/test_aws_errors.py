"""AWS error translation, tested with botocore's Stubber on a real AWS-target client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError, NoCredentialsError, NoRegionError
from botocore.stub import Stubber

from tests.engine.run_support import aws_env
from workbench.engine.connect.targets import Target
from workbench.engine.deploy.state_machines import find_state_machine
from workbench.engine.errors import (
    AccessDeniedError,
    AwsError,
    CredentialsError,
    ExecutionNotFoundError,
    ExpiredCredentialsError,
    StateMachineNotFoundError,
    TargetError,
    ThrottledError,
    UnsupportedOperationError,
    translate,
)
from workbench.engine.run.launch import Execution, launch
from workbench.engine.run.watch import fetch_events

SM = "arn:aws:states:us-east-1:111122223333:stateMachine:triage"
EX = "arn:aws:states:us-east-1:111122223333:execution:triage:run-1"
ROLE = "arn:aws:iam::111122223333:role/sfn"


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Target, Stubber]]:
    aws_env(monkeypatch, None)
    target = Target.parse("aws", role_arn=ROLE)
    with Stubber(target.client()) as stubber:
        yield target, stubber
        stubber.assert_no_pending_responses()


def test_throttling_after_retries_is_explained(stubbed: tuple[Target, Stubber]) -> None:
    target, stubber = stubbed
    stubber.add_client_error(
        "start_execution", service_error_code="ThrottlingException", service_message="Rate exceeded",
        http_status_code=400, response_meta={"RetryAttempts": 9, "MaxAttemptsReached": True},
    )
    with pytest.raises(ThrottledError) as info:
        launch(target, SM, {"a": 1}, name="run-1")
    message = str(info.value)
    assert "throttled StartExecution" in message and "after 10 attempt(s)" in message
    assert "adaptive retries" in message and "quota" in message


def test_access_denied_names_the_missing_action(stubbed: tuple[Target, Stubber]) -> None:
    target, stubber = stubbed
    stubber.add_client_error(
        "start_execution", service_error_code="AccessDeniedException", http_status_code=400,
        service_message=(
            "User: arn:aws:sts::111122223333:assumed-role/dev/me is not authorized to perform: "
            f"states:StartExecution on resource: {SM} because no identity-based policy allows it"
        ),
    )
    with pytest.raises(AccessDeniedError) as info:
        launch(target, SM, {}, name="run-1")
    assert info.value.action == "states:StartExecution"
    assert "may not call states:StartExecution" in str(info.value) and "IAM policy" in str(info.value)


def test_access_denied_without_action_in_message_uses_the_operation(stubbed: tuple[Target, Stubber]) -> None:
    target, stubber = stubbed
    stubber.add_response("describe_execution", _described("RUNNING"), {"executionArn": EX})
    stubber.add_client_error("stop_execution", service_error_code="AccessDeniedException", service_message="no")
    with pytest.raises(AccessDeniedError) as info:
        Execution(target, EX).stop()
    assert info.value.action == "states:StopExecution"


def _described(status: str) -> dict[str, Any]:
    return {
        "executionArn": EX, "stateMachineArn": SM, "name": "run-1", "status": status,
        "startDate": datetime(2025, 1, 1, tzinfo=UTC), "input": "{}",
    }


def test_expired_token(stubbed: tuple[Target, Stubber]) -> None:
    target, stubber = stubbed
    stubber.add_client_error("list_state_machines", service_error_code="ExpiredTokenException",
                             service_message="The security token included in the request is expired")
    with pytest.raises(ExpiredCredentialsError, match=r"expired.*aws sso login"):
        find_state_machine(target, "triage")


def test_not_found_errors_are_typed(stubbed: tuple[Target, Stubber]) -> None:
    target, stubber = stubbed
    stubber.add_client_error("describe_execution", service_error_code="ExecutionDoesNotExist",
                             service_message=f"Execution Does Not Exist: '{EX}'")
    stubber.add_client_error("start_execution", service_error_code="StateMachineDoesNotExist",
                             service_message=f"State Machine Does Not Exist: '{SM}'")
    with pytest.raises(ExecutionNotFoundError, match="Execution not found"):
        Execution(target, EX).describe()
    with pytest.raises(StateMachineNotFoundError, match="Deploy it first"):
        launch(target, SM, {}, name="x")


def test_history_follows_next_token_over_pages(stubbed: tuple[Target, Stubber]) -> None:
    target, stubber = stubbed
    stamp = datetime(2025, 1, 1, tzinfo=UTC)
    pages = [[1, 2, 3], [4, 5], [6]]
    tokens = ["t1", "t2", None]
    previous: str | None = None
    for ids, token in zip(pages, tokens, strict=True):
        events = [{"id": i, "type": "PassStateEntered", "timestamp": stamp} for i in ids]
        expected: dict[str, Any] = {"executionArn": EX, "maxResults": 1000, "includeExecutionData": True}
        if previous:
            expected["nextToken"] = previous
        stubber.add_response("get_execution_history", {"events": events, **({"nextToken": token} if token else {})},
                             expected)
        previous = token
    assert [e["id"] for e in fetch_events(target, EX)] == [1, 2, 3, 4, 5, 6]


def test_list_pagination_finds_a_machine_on_a_later_page(stubbed: tuple[Target, Stubber]) -> None:
    target, stubber = stubbed
    stamp = datetime(2025, 1, 1, tzinfo=UTC)

    def item(name: str) -> dict[str, Any]:
        return {"stateMachineArn": SM.replace("triage", name), "name": name, "type": "STANDARD",
                "creationDate": stamp}

    stubber.add_response("list_state_machines", {"stateMachines": [item("a"), item("b")], "nextToken": "p2"},
                         {"maxResults": 1000})
    stubber.add_response("list_state_machines", {"stateMachines": [item("triage")]},
                         {"maxResults": 1000, "nextToken": "p2"})
    assert find_state_machine(target, "triage") == SM


def test_output_comes_from_the_final_history_event(stubbed: tuple[Target, Stubber]) -> None:
    target, stubber = stubbed
    stubber.add_response("describe_execution", {**_described("SUCCEEDED"), "output": "mangled"})
    final = {"id": 9, "type": "ExecutionSucceeded", "timestamp": datetime(2025, 1, 1, tzinfo=UTC),
             "executionSucceededEventDetails": {"output": '{"ok": true}'}}
    stubber.add_response("get_execution_history", {"events": [final]},
                         {"executionArn": EX, "maxResults": 1000, "includeExecutionData": True, "reverseOrder": True})
    assert Execution(target, EX).output == {"ok": True}


def test_botocore_errors_without_a_response() -> None:
    assert "aws configure" in str(translate(NoCredentialsError()))
    assert isinstance(translate(NoCredentialsError()), CredentialsError)
    region = translate(NoRegionError())
    assert isinstance(region, TargetError) and "AWS_REGION" in str(region)


def test_unsupported_on_embedded_is_explained() -> None:
    html_500 = ClientError(
        {"Error": {"Code": "500", "Message": "<!doctype html><title>500 Internal Server Error</title>"},
         "ResponseMetadata": {"HTTPStatusCode": 500}},
        "ListStateMachineVersions",
    )
    error = translate(html_500, target_kind="embedded")
    assert isinstance(error, UnsupportedOperationError)
    assert "embedded engine (moto) does not support ListStateMachineVersions" in str(error)
    generic = translate(ClientError({"Error": {"Code": "Weird", "Message": "odd"}}, "StartExecution"))
    assert type(generic) is AwsError and "StartExecution failed with Weird" in str(generic)


def test_a_listing_that_repeats_its_next_token_stops_with_a_clear_error(stubbed: tuple[Target, Stubber]) -> None:
    target, stubber = stubbed
    for _ in range(2):
        stubber.add_response("list_state_machines", {"stateMachines": [], "nextToken": "again"})
    pages = target.pages("list_state_machines")
    assert next(pages)["nextToken"] == "again" and next(pages)["nextToken"] == "again"
    with pytest.raises(TargetError, match="same nextToken twice"):
        next(pages)


def test_a_listing_stops_after_max_pages(stubbed: tuple[Target, Stubber]) -> None:
    target, stubber = stubbed
    for n in range(3):
        stubber.add_response("list_state_machines", {"stateMachines": [], "nextToken": f"t{n}"})
    with pytest.raises(TargetError, match="more than 3 pages"):
        list(target.pages("list_state_machines", max_pages=3))
