"""The one ARN type: every kind the workbench meets parses, reads right and writes back the same text.

Real ARNs come from the recorded corpus (``../shared/corpus/histories``: redacted, so with ``<placeholder>``
fields) and from AWS documentation; bad ones must fail with one line naming the text and the shape expected.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import CORPUS
from workbench.core.arn import (
    EXECUTION_KINDS,
    STATE_MACHINE_KINDS,
    Arn,
    ArnKind,
    find_arns,
    looks_like_arn,
    mask_arns,
    short_name,
)
from workbench.core.diagnostics import ArnError, WorkbenchError
from workbench.core.lambda_names import FunctionRef, function_name
from workbench.mission.model import ToolSpec

HISTORIES = sorted((CORPUS / "histories").glob("*.json"))

# text, kind, name, qualifier, state machine (unqualified) or None
KINDS = [
    ("arn:aws:states:us-east-1:123456789012:stateMachine:HelloWorld", ArnKind.STATE_MACHINE, "HelloWorld", None,
     "arn:aws:states:us-east-1:123456789012:stateMachine:HelloWorld"),
    ("arn:aws:states:us-east-1:123456789012:stateMachine:HelloWorld:10", ArnKind.VERSION, "HelloWorld", "10",
     "arn:aws:states:us-east-1:123456789012:stateMachine:HelloWorld"),
    ("arn:aws:states:us-east-1:123456789012:stateMachine:HelloWorld:PROD", ArnKind.ALIAS, "HelloWorld", "PROD",
     "arn:aws:states:us-east-1:123456789012:stateMachine:HelloWorld"),
    ("arn:aws:states:eu-west-1:123456789012:execution:triage:run-1", ArnKind.EXECUTION, "run-1", None,
     "arn:aws:states:eu-west-1:123456789012:stateMachine:triage"),
    ("arn:aws:states:us-east-1:123456789012:express:HelloExpress:4f5ab6e8-1b0c-4b8e-9b1a-0d6a43d0b1a3:"
     "9f2c7e1d-3a4b-4c5d-8e6f-7a8b9c0d1e2f", ArnKind.EXPRESS_EXECUTION, "4f5ab6e8-1b0c-4b8e-9b1a-0d6a43d0b1a3", None,
     "arn:aws:states:us-east-1:123456789012:stateMachine:HelloExpress"),
    ("arn:aws:states:us-east-1:123456789012:mapRun:Fanout/ProcessItems:0b4a7c6e-5d1f-4c2e-9a3b-8f7e6d5c4b3a",
     ArnKind.MAP_RUN, "ProcessItems", None, "arn:aws:states:us-east-1:123456789012:stateMachine:Fanout"),
    ("arn:aws:states:us-east-1:123456789012:execution:Fanout/ProcessItems:child-7", ArnKind.EXECUTION, "child-7",
     None, "arn:aws:states:us-east-1:123456789012:stateMachine:Fanout/ProcessItems"),
    ("arn:aws:states:eu-west-1:123456789012:activity:review", ArnKind.ACTIVITY, "review", None, None),
    ("arn:aws:lambda:us-east-1:123456789012:function:fetch-alert", ArnKind.FUNCTION, "fetch-alert", None, None),
    ("arn:aws:lambda:us-east-1:123456789012:function:fetch-alert:live", ArnKind.FUNCTION, "fetch-alert", "live", None),
    ("arn:aws:lambda:us-east-1:123456789012:function:fetch-alert:7", ArnKind.FUNCTION, "fetch-alert", "7", None),
    ("arn:aws:lambda:us-east-1:123456789012:function:fetch-alert:$LATEST", ArnKind.FUNCTION, "fetch-alert",
     "$LATEST", None),
    ("arn:aws:states:::lambda:invoke", ArnKind.INTEGRATION, "lambda:invoke", None, None),
    ("arn:aws:states:::aws-sdk:s3:listObjectsV2", ArnKind.INTEGRATION, "aws-sdk:s3:listObjectsV2", None, None),
    ("arn:aws:iam::123456789012:role/workbench-local", ArnKind.OTHER, "workbench-local", None, None),
    ("arn:aws:sns:eu-west-1:123456789012:ops", ArnKind.OTHER, "ops", None, None),
    ("arn:aws-cn:states:cn-north-1:123456789012:stateMachine:M", ArnKind.STATE_MACHINE, "M", None,
     "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:M"),
    ("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f", ArnKind.FUNCTION, "f", None, None),
    # templated and redacted: a placeholder is one field, colons and all
    ("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FetchName}", ArnKind.FUNCTION,
     "${FetchName}", None, None),
    ("arn:<partition>:states:<region>:111111111111:execution:<resource:1>:<resource:3>", ArnKind.EXECUTION,
     "<resource:3>", None, "arn:<partition>:states:<region>:111111111111:stateMachine:<resource:1>"),
]


@pytest.mark.parametrize(("text", "kind", "name", "qualifier", "machine"), KINDS, ids=[k[1].name for k in KINDS])
def test_each_kind_reads_right_and_round_trips(text: str, kind: ArnKind, name: str, qualifier: str | None,
                                               machine: str | None) -> None:
    arn = Arn.parse(text)
    assert (arn.kind, arn.name, arn.qualifier) == (kind, name, qualifier)
    assert (str(arn.state_machine) if arn.state_machine else None) == machine
    assert str(arn) == text and Arn.parse(str(arn)) == arn
    assert short_name(text) == name


def test_fields_express_and_map_run_ids() -> None:
    arn = Arn.parse("arn:aws-us-gov:states:us-gov-west-1:123456789012:express:M:run-7:5f0e")
    assert (arn.partition, arn.service, arn.region, arn.account) == ("aws-us-gov", "states", "us-gov-west-1",
                                                                     "123456789012")
    assert (arn.resource_type, arn.parts, arn.execution_id) == ("express", ("M", "run-7", "5f0e"), "5f0e")
    assert Arn.parse("arn:aws:states:us-east-1:1:mapRun:M/Fan:7c1d").execution_id == "7c1d"
    assert Arn.parse("arn:aws:states:us-east-1:1:execution:M:r").execution_id is None
    no_id = Arn.parse("arn:aws:states:us-east-1:1:express:M:run-7")  # AWS adds the id; hand-written ones may not
    assert (no_id.kind, no_id.name, no_id.execution_id) == (ArnKind.EXPRESS_EXECUTION, "run-7", None)


@pytest.mark.parametrize(("text", "service", "action", "pattern", "sdk"), [
    ("arn:aws:states:::lambda:invoke", "lambda", "invoke", "", False),
    ("arn:aws:states:::lambda:invoke.waitForTaskToken", "lambda", "invoke", "waitForTaskToken", False),
    ("arn:aws:states:::states:startExecution.sync:2", "states", "startExecution", "sync:2", False),
    ("arn:aws:states:::glue:startJobRun.sync", "glue", "startJobRun", "sync", False),
    ("arn:aws:states:::aws-sdk:secretsmanager:createSecret", "secretsmanager", "createSecret", "", True),
    ("arn:${AWS::Partition}:states:::sqs:sendMessage.waitForTaskToken", "sqs", "sendMessage", "waitForTaskToken",
     False),
])
def test_integrations(text: str, service: str, action: str, pattern: str, sdk: bool) -> None:
    found = Arn.parse(text).integration
    assert found is not None and tuple(found) == (service, action, pattern, sdk)


def test_malformed_integrations_and_functions_are_other_kinds() -> None:
    assert Arn.parse("arn:aws:states:::lambda").integration is None
    assert Arn.parse("arn:aws:lambda:us-east-1:123456789012:function:f:").kind is ArnKind.OTHER
    assert Arn.parse("arn:aws:lambda:us-east-1:123456789012:function:bad.name").kind is ArnKind.OTHER
    assert Arn.parse("arn:aws:states:us-east-1:1:execution:M").kind is ArnKind.OTHER  # no execution name
    assert Arn.parse("arn:aws:states:us-east-1:1:stateMachine:M:1:2").kind is ArnKind.OTHER


@pytest.mark.parametrize(("text", "message"), [
    ("", "'' is not an ARN: expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"),
    ("triage", "'triage' is not an ARN: expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"),
    ("arn:aws:states:us-east-1:1", "'arn:aws:states:us-east-1:1' is not an ARN: expected "
                                   "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"),
    ("arn:aws:states:us-east-1:1:", "'arn:aws:states:us-east-1:1:' is not an ARN: the resource after the account "
                                    "is empty or has blanks"),
    ("arn:AWS:states:us-east-1:1:stateMachine:M", "'arn:AWS:states:us-east-1:1:stateMachine:M' is not an ARN: "
     "partition 'AWS' is not aws, aws-cn, aws-us-gov or another aws-* partition"),
    ("arn:aws:Step Functions:us-east-1:1:x", "'arn:aws:Step Functions:us-east-1:1:x' is not an ARN: service "
     "'Step Functions' is not a service name such as states or lambda"),
    ("arn:aws:states:us east 1:1:x", "'arn:aws:states:us east 1:1:x' is not an ARN: region 'us east 1' is not a "
     "region such as us-east-1"),
    ("arn:aws:states:us-east-1:12/34:x", "'arn:aws:states:us-east-1:12/34:x' is not an ARN: account '12/34' is not "
     "an account id such as 123456789012"),
    ("arn:aws:states:us-east-1:1:stateMachine:M\nrm -rf /", "'arn:aws:states:us-east-1:1:stateMachine:M\\nrm -rf /' "
     "is not an ARN: the resource after the account is empty or has blanks"),
])
def test_invalid_arns_say_what_and_what_is_expected(text: str, message: str) -> None:
    with pytest.raises(ArnError) as caught:
        Arn.parse(text)
    assert str(caught.value) == message and "\n" not in message
    assert isinstance(caught.value, WorkbenchError) and isinstance(caught.value, ValueError)
    assert Arn.try_parse(text) is None


def test_expected_kinds() -> None:
    with pytest.raises(ArnError, match=r"^'arn:aws:states:us-east-1:1:execution:M:r' is not a state machine, "
                                       r"state machine version or state machine alias ARN: expected "
                                       r"arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME or "):
        Arn.parse("arn:aws:states:us-east-1:1:execution:M:r", *STATE_MACHINE_KINDS)
    with pytest.raises(ArnError, match="is not an execution or Express execution ARN"):
        Arn.parse("arn:aws:states:us-east-1:1:stateMachine:M", *EXECUTION_KINDS)
    assert Arn.try_parse("arn:aws:states:us-east-1:1:stateMachine:M", *EXECUTION_KINDS) is None
    assert Arn.try_parse(None) is None and Arn.try_parse(42) is None


def test_building() -> None:
    machine = Arn.of_state_machine("triage", region="eu-west-1", account="123456789012", partition="aws-cn")
    assert str(machine) == "arn:aws-cn:states:eu-west-1:123456789012:stateMachine:triage"
    assert str(machine.execution("run-1")) == "arn:aws-cn:states:eu-west-1:123456789012:execution:triage:run-1"
    alias = Arn.parse(f"{machine}:prod")
    assert str(alias.execution("run-2")) == "arn:aws-cn:states:eu-west-1:123456789012:execution:triage:run-2"
    assert str(Arn.of_function("f", region="us-east-1", account="1")) == "arn:aws:lambda:us-east-1:1:function:f"
    assert str(Arn.of_activity("a", region="us-east-1", account="1")) == "arn:aws:states:us-east-1:1:activity:a"
    with pytest.raises(ArnError, match="is not a state machine ARN"):
        Arn.parse("arn:aws:states:us-east-1:1:activity:a").execution("x")
    with pytest.raises(ArnError, match="is not a Lambda function ARN"):
        Arn.of_function("bad.name", region="us-east-1", account="1")
    with pytest.raises(ArnError, match="region 'us east' is not a region"):
        Arn.of_state_machine("M", region="us east", account="1")


# FunctionName forms Lambda accepts (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html)
@pytest.mark.parametrize(("text", "name", "qualifier"), [
    ("my-function", "my-function", None),
    ("my-function:v1", "my-function", "v1"),
    ("my-function:$LATEST", "my-function", "$LATEST"),
    ("123456789012:function:my-function", "my-function", None),
    ("123456789012:function:my-function:prod", "my-function", "prod"),
    ("us-west-2:123456789012:function:my-function:3", "my-function", "3"),
    ("arn:aws:lambda:us-west-2:123456789012:function:my-function", "my-function", None),
    ("arn:aws:lambda:us-west-2:123456789012:function:my-function:prod", "my-function", "prod"),
    ("${FetchArn}", "${FetchArn}", None),
    ("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Name}:live", "${Name}", "live"),
])
def test_function_names(text: str, name: str, qualifier: str | None) -> None:
    assert FunctionRef.parse(text) == (name, qualifier)
    assert function_name(text) == name
    assert str(FunctionRef.parse(text)) == (f"{name}:{qualifier}" if qualifier else name)


@pytest.mark.parametrize("text", ["", "a:b:c", "fn:bad qualifier", "arn:aws:states:us-east-1:1:activity:a",
                                  "arn:aws:lambda:us-east-1:1:function:f:1:2", "123456789012:function:"])
def test_not_function_names(text: str) -> None:
    assert FunctionRef.try_parse(text) is None
    with pytest.raises(ArnError, match=r"is not a Lambda function name: expected NAME, NAME:QUALIFIER, "):
        FunctionRef.parse(text)


def test_tool_spec_function_name_drops_the_qualifier_of_a_partial_arn() -> None:
    """Issue #12: ``123456789012:function:name:prod`` named the tool 'prod'."""
    spec = ToolSpec.model_validate({"lambda": "123456789012:function:fetch-alert:prod"})
    assert spec.function_name == "fetch-alert"
    assert ToolSpec.model_validate({"lambda": "fetch-alert:prod"}).function_name == "fetch-alert"
    assert ToolSpec.model_validate({"lambda": "${FetchArn}"}).function_name == "${FetchArn}"


def test_helpers() -> None:
    assert looks_like_arn("arn:nonsense") and not looks_like_arn("a.json")
    assert short_name("run-1") == "run-1" and short_name("M:run-1") == "run-1"
    assert function_name("arn:aws:lambda:us-east-1:1:function:f:") == "f"  # malformed qualifier, name still there
    assert find_arns("calling arn:aws:lambda:eu-west-1:1:function:probe, then 'arn:aws:states:::lambda:invoke'") == [
        "arn:aws:lambda:eu-west-1:1:function:probe", "arn:aws:states:::lambda:invoke"]
    same = "arn:aws:states:us-east-1:1:stateMachine:cached"
    assert Arn.try_parse(same) is Arn.try_parse(same)  # cached: per-event callers parse each ARN once


@pytest.mark.parametrize(("text", "masked"), [
    ("arn:aws:states:eu-west-1:111122223333:execution:m:run-1", "<execution arn>"),
    ("arn:aws:states:eu-west-1:111122223333:execution:m/Map:child-3", "<execution arn>"),
    ("'arn:aws-cn:states:cn-north-1:111122223333:stateMachine:m:3' exists", "'<state machine arn>' exists"),
    ("arn:aws:states:us-east-1:111122223333:express:m:a:b ended", "<express arn> ended"),
    ("run arn:aws:states:us-east-1:111122223333:mapRun:m/Fan:7c1d", "run <mapRun arn>"),
    ("arn:aws:states:us-east-1:111122223333:activity:review",
     "arn:<partition>:states:<region>:<account>:activity:review"),
    ("role arn:aws:iam::111122223333:role/x, topic arn:aws:sns:us-east-1:111122223333:ops",
     "role arn:<partition>:iam:<region>:<account>:role/x, topic arn:<partition>:sns:<region>:<account>:ops"),
    ("arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke"),  # no account: nothing ties it to a run
    ("arn:aws:states:<region>:<account>:execution:m:run-1", "arn:aws:states:<region>:<account>:execution:m:run-1"),
    ("arn:aws:lambda:us-east-1:1:function:f", "arn:aws:lambda:us-east-1:1:function:f"),  # not a real account id
    ("no ARN here", "no ARN here"),
])
def test_mask_arns_masks_what_ties_an_arn_to_one_run(text: str, masked: str) -> None:
    assert mask_arns(text) == masked


def test_mask_arns_makes_two_runs_messages_equal() -> None:
    """A recording's cause and its replay's differ only in account, region and execution name: masked, equal."""
    recorded = ("Lambda arn:aws:lambda:eu-west-1:111122223333:function:fetch failed in "
                "arn:aws:states:eu-west-1:111122223333:execution:triage:run-1")
    replayed = ("Lambda arn:aws:lambda:us-east-1:123456789012:function:fetch failed in "
                "arn:aws:states:us-east-1:123456789012:execution:triage:replay-5f0e")
    assert recorded != replayed and mask_arns(recorded) == mask_arns(replayed)
    other_function = replayed.replace("function:fetch", "function:page")
    assert mask_arns(recorded) != mask_arns(other_function)  # the resource still counts


_FIELD = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
_NAME = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=1, max_size=20)


@given(partition=st.sampled_from(["aws", "aws-cn", "aws-us-gov", "aws-iso-b", "${AWS::Partition}"]),
       region=_FIELD, account=st.from_regex(r"[0-9]{12}", fullmatch=True), machine=_NAME, run=_NAME)
def test_round_trip_property(partition: str, region: str, account: str, machine: str, run: str) -> None:
    execution = Arn.parse(f"arn:{partition}:states:{region}:{account}:execution:{machine}:{run}")
    assert execution.kind is ArnKind.EXECUTION and (execution.name, execution.parts[0]) == (run, machine)
    assert Arn.parse(str(execution)) == execution
    assert execution.state_machine == Arn.of_state_machine(machine, region=region, account=account,
                                                           partition=partition)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _corpus_arns() -> set[str]:
    found: set[str] = set()
    for path in HISTORIES:
        if path.name == "INDEX.json":
            continue
        for text in _strings(json.loads(path.read_text(encoding="utf-8"))):
            found.update(find_arns(text))
    return found


@pytest.mark.skipif(not HISTORIES, reason=f"no recorded histories in {CORPUS / 'histories'}")
def test_every_arn_in_the_corpus_parses_and_round_trips() -> None:
    arns = _corpus_arns()
    assert len(arns) > 20
    kinds = set()
    for text in sorted(arns):
        arn = Arn.parse(text)
        assert str(arn) == text
        kinds.add(arn.kind)
        if arn.kind in EXECUTION_KINDS:
            assert arn.state_machine is not None and arn.state_machine.kind is ArnKind.STATE_MACHINE
    assert {ArnKind.STATE_MACHINE, ArnKind.EXECUTION, ArnKind.MAP_RUN, ArnKind.FUNCTION,
            ArnKind.INTEGRATION} <= kinds
