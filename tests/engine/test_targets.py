"""Targets: parsing, safe descriptions, and one code path (deploy, launch, wait) on every kind."""

from __future__ import annotations

import json
import socket

import pytest

from tests.engine.run_support import PASS_WAIT_CHOICE, aws_env, moto_server_url, unique
from workbench.engine.connect.targets import LOCAL_ROLE_ARN, AwsTarget, EmbeddedTarget, EndpointTarget, Target
from workbench.engine.deploy.state_machines import deploy
from workbench.engine.embedded import shared_engine
from workbench.engine.errors import CredentialsError, EndpointUnreachableError, TargetError
from workbench.engine.run.launch import launch

ROLE = "arn:aws:iam::123456789012:role/workbench-tests"


def make_target(kind: str, monkeypatch: pytest.MonkeyPatch) -> Target:
    if kind == "embedded":
        return Target.parse("embedded")
    url = moto_server_url()
    if kind == "aws":
        aws_env(monkeypatch, url)
        return Target.parse("aws", role_arn=ROLE)
    return Target.parse(url)


def test_parse_kinds() -> None:
    assert isinstance(Target.parse("embedded"), EmbeddedTarget)
    assert isinstance(Target.parse(None), EmbeddedTarget)
    endpoint = Target.parse("http://127.0.0.1:4566/", region="eu-west-1")
    assert isinstance(endpoint, EndpointTarget)
    assert (endpoint.kind, endpoint.region, endpoint.role_arn) == ("endpoint", "eu-west-1", LOCAL_ROLE_ARN)
    assert endpoint.describe()["endpoint_url"] == "http://127.0.0.1:4566"
    same = Target.parse(endpoint)
    assert same is endpoint


def test_parse_rejects_unknown_target() -> None:
    with pytest.raises(TargetError, match=r"Unknown target 'azure'.*'embedded'.*'aws'"):
        Target.parse("azure")
    with pytest.raises(TargetError, match="not an endpoint URL"):
        EndpointTarget("http://")


def test_aws_target_describe_has_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    aws_env(monkeypatch, None)
    target = Target.parse("aws", region="eu-central-1", role_arn=ROLE)
    assert isinstance(target, AwsTarget)
    shown = target.describe()
    assert shown["kind"] == "aws" and shown["region"] == "eu-central-1" and shown["role_arn"] == ROLE
    assert "adaptive" in shown["retries"]
    target.client()  # the description must stay safe once a client (with credentials) exists
    text = json.dumps(target.describe()) + repr(target)
    assert "test-secret-not-real" not in text and "AKIATESTINGONLY" not in text


def test_aws_target_uses_adaptive_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    aws_env(monkeypatch, None)
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    retries = Target.parse("aws").client().meta.config.retries
    assert retries["mode"] == "adaptive" and retries["total_max_attempts"] == 10


def test_local_targets_have_a_dummy_role() -> None:
    assert Target.parse("embedded").role_arn == LOCAL_ROLE_ARN
    assert Target.parse("http://127.0.0.1:1").role_arn == LOCAL_ROLE_ARN


def test_aws_deploy_without_role_says_how(monkeypatch: pytest.MonkeyPatch) -> None:
    aws_env(monkeypatch, moto_server_url())
    target = Target.parse("aws")
    with pytest.raises(TargetError, match=r"needs an IAM role.*role_arn="):
        deploy(target, unique("norole"), PASS_WAIT_CHOICE)


def test_missing_credentials_explain_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    aws_env(monkeypatch, moto_server_url())
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    target = Target.parse("aws", role_arn=ROLE)
    with pytest.raises(CredentialsError) as info:
        target.call("list_state_machines")
    message = str(info.value)
    assert "aws configure" in message and "AWS_PROFILE" in message and "embedded" in message


def test_unknown_profile_is_a_credentials_error(monkeypatch: pytest.MonkeyPatch) -> None:
    aws_env(monkeypatch, None)
    with pytest.raises(CredentialsError, match=r"no-such-profile.*list-profiles"):
        Target.parse("aws", profile="no-such-profile")


def test_unreachable_endpoint_is_named() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        target = Target.parse(f"http://127.0.0.1:{port}")
        with pytest.raises(EndpointUnreachableError, match="Could not reach"):
            target.call("list_state_machines")


@pytest.mark.parametrize("kind", ["embedded", "aws", "endpoint"])
def test_same_code_path_on_every_target(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    target = make_target(kind, monkeypatch)
    assert target.kind == kind
    deployment = deploy(target, unique(f"path-{kind}"), PASS_WAIT_CHOICE)
    assert deployment.created and deployment.version_arn and deployment.version_arn.endswith(":1")
    big = launch(target, deployment, {"n": 42}).wait(timeout=60, progress=False)
    small = launch(target, deployment, {"n": 1}).wait(timeout=60, progress=False)
    assert (big.status, big.output) == ("SUCCEEDED", {"n": 42, "greeting": "hello", "size": "big"})
    assert small.output["size"] == "small"
    entered = [e["stateEnteredEventDetails"]["name"] for e in big.history() if e["type"].endswith("StateEntered")]
    assert entered == ["Greet", "Pause", "Big?", "Big"]


def test_embedded_target_uses_the_given_engine() -> None:
    engine = shared_engine()
    target = EmbeddedTarget(engine)
    assert target.client() is engine.client()
    assert target.describe()["endpoint_url"] == engine.endpoint_url
