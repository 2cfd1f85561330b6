"""The engine answers its owner only: SigV4 with its own credentials, no web page, no foreign Host.

Every check runs against a real ``workbench engine serve`` process and against the in-process
``EmbeddedEngine``; a marker module that writes a file when imported proves no request ran code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.engine.auth_support import REPO, Guarded, Marker, raw, served_engine, signed
from workbench.engine import EmbeddedEngine
from workbench.engine.embedded.endpoint.auth import EngineCredentials, RequestGuard, sign_request

CONTENT_TYPES = ["text/plain", "application/json", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=x", None]
PASS_MACHINE = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
ROLE = "arn:aws:iam::123456789012:role/workbench-local"
WORKBENCH = str(Path(sys.executable).with_name("workbench"))
SCRIPT = textwrap.dedent("""
    import json, time, boto3
    sfn = boto3.client("stepfunctions")
    arn = sfn.create_state_machine(name="sourced", definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}),
        roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name="e1", input="{}")["executionArn"]
    deadline = time.monotonic() + 60
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)  # polling a condition, as a user's script would
    print(sfn.describe_execution(executionArn=execution)["status"])
""")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Guarded, Path]]:
    with served_engine(tmp_path_factory.mktemp("served"), "--allow-remote-tools") as (engine, env_file, _proc):
        yield engine, env_file


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Guarded]:
    marker = Marker.make(tmp_path_factory.mktemp("in_process"))
    sys.path.insert(0, str(marker.folder))
    try:
        with EmbeddedEngine(allow_remote_tools=True) as engine:
            yield Guarded("in-process", engine.endpoint_url, engine.credentials, marker)
    finally:
        sys.path.remove(str(marker.folder))


@pytest.fixture(params=["served", "in-process"])
def engine(request: pytest.FixtureRequest) -> Guarded:
    if request.param == "served":
        return request.getfixturevalue("served")[0]  # type: ignore[no-any-return]
    return request.getfixturevalue("in_process")  # type: ignore[no-any-return]


def sfn_client(engine: Guarded, credentials: EngineCredentials | None = None) -> object:
    creds = credentials or engine.credentials
    return boto3.client("stepfunctions", endpoint_url=engine.url, **creds.boto3_kwargs(),
                        config=Config(retries={"max_attempts": 1}))


# ------------------------------------------------------------------ a real shell, `source F`, plain boto3


def _shell_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {"AWS_EC2_METADATA_DISABLED": "true"}


def test_env_file_is_private_and_sourcing_it_is_all_plain_boto3_needs(served: tuple[Guarded, Path]) -> None:
    engine, env_file = served
    assert env_file.stat().st_mode & 0o777 == 0o600
    text = env_file.read_text()
    assert f"export AWS_ENDPOINT_URL_SFN={engine.url}\n" in text
    assert f"export AWS_SECRET_ACCESS_KEY={engine.credentials.secret_access_key}\n" in text
    assert len(engine.credentials.secret_access_key) >= 43  # 32 random bytes, URL-safe base64
    done = subprocess.run(["bash", "-c", f'source "{env_file}" && "{sys.executable}" -c "$0"', SCRIPT],
                          capture_output=True, text=True, env=_shell_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "SUCCEEDED"


def test_a_wrong_secret_after_sourcing_raises_client_error(served: tuple[Guarded, Path]) -> None:
    _engine, env_file = served
    script = ("import boto3, botocore.exceptions as e\ntry:\n    boto3.client('stepfunctions').list_state_machines()\n"
              "except e.ClientError as x:\n    print(x.response['Error']['Code'])\n")
    done = subprocess.run(["bash", "-c", f'source "{env_file}" && AWS_SECRET_ACCESS_KEY=wrong "{sys.executable}" '
                                         f'-c "$0"', script], capture_output=True, text=True, env=_shell_env(),
                          timeout=120)
    assert done.stdout.strip() in {"InvalidSignatureException", "UnrecognizedClientException"}, done.stderr


# ------------------------------------------------------------------ credentials


def test_the_owner_runs_and_strangers_get_aws_errors(engine: Guarded) -> None:
    sfn = sfn_client(engine)
    sfn.list_state_machines()  # type: ignore[attr-defined]
    wrong_secret = EngineCredentials(engine.credentials.access_key_id, "not-the-secret", engine.credentials.region)
    wrong_key = EngineCredentials("AKIAIOSFODNN7EXAMPLE", engine.credentials.secret_access_key,
                                  engine.credentials.region)
    for creds, code in ((wrong_secret, "InvalidSignatureException"), (wrong_key, "UnrecognizedClientException")):
        with pytest.raises(ClientError) as caught:
            sfn_client(engine, creds).list_state_machines()  # type: ignore[attr-defined]
        assert caught.value.response["Error"]["Code"] == code
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_tampered_body_or_another_region_is_refused(engine: Guarded) -> None:
    body = json.dumps({"maxResults": 1}).encode()
    headers = sign_request(engine.credentials, "POST", f"{engine.url}/", body,
                           {"Content-Type": "application/x-amz-json-1.0",
                            "X-Amz-Target": "AWSStepFunctions.ListStateMachines"})
    assert raw(engine.url, "POST", "/", body, headers).status == 200
    tampered = raw(engine.url, "POST", "/", json.dumps({"maxResults": 2}).encode(), headers)
    assert tampered.status == 400 and tampered.json()["__type"] == "InvalidSignatureException"
    elsewhere = EngineCredentials(engine.credentials.access_key_id, engine.credentials.secret_access_key,
                                  "eu-west-1")
    with pytest.raises(ClientError) as caught:
        sfn_client(engine, elsewhere).list_state_machines()  # type: ignore[attr-defined]
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_a_signature_from_more_than_15_minutes_ago_is_refused() -> None:
    creds = EngineCredentials.generate()
    headers = sign_request(creds, "GET", "http://127.0.0.1:4599/workbench/tools")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/workbench/tools", "HTTP_HOST": "127.0.0.1:4599",
               "HTTP_AUTHORIZATION": headers["Authorization"], "HTTP_X_AMZ_DATE": headers["X-Amz-Date"],
               "wsgi.input": None}
    guard = RequestGuard(creds, 4599)
    signed_at = datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert guard.check(dict(environ), now=signed_at + timedelta(minutes=1)) is None
    refusal = guard.check(dict(environ), now=signed_at + timedelta(minutes=16))
    assert refusal is not None and refusal.code == "InvalidSignatureException" and "expired" in refusal.message


# ------------------------------------------------------------------ nothing unsigned gets anything done


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_unsigned_tool_registration_imports_nothing(engine: Guarded, content_type: str | None) -> None:
    body = json.dumps({"evil": engine.marker.spec}).encode()
    answer = raw(engine.url, "POST", "/workbench/tools", body, {"Content-Type": content_type} if content_type else {})
    assert answer.status >= 400
    assert answer.json()["__type"] == "MissingAuthenticationTokenException"
    assert "access-control-allow-origin" not in answer.headers
    assert not engine.marker.path.exists()
    tools = signed(engine, "GET", "/workbench/tools").json()["tools"]
    assert "evil" not in tools


def test_unsigned_moto_api_routes_read_and_reset_nothing(engine: Guarded) -> None:
    sfn = sfn_client(engine)
    arn = sfn.create_state_machine(name=f"keep-{engine.port}", definition=PASS_MACHINE,  # type: ignore[attr-defined]
                                   roleArn=ROLE)["stateMachineArn"]
    data = raw(engine.url, "GET", "/moto-api/data.json")
    assert data.status >= 400 and b"keep-" not in data.body
    reset = raw(engine.url, "POST", "/moto-api/reset")
    assert reset.status >= 400
    assert sfn.describe_state_machine(stateMachineArn=arn)["name"] == f"keep-{engine.port}"  # type: ignore[attr-defined]


def test_signed_requests_from_a_web_page_or_for_a_foreign_host_are_refused(engine: Guarded) -> None:
    body = json.dumps({"evil": engine.marker.spec}).encode()
    from_page = signed(engine, "POST", "/workbench/tools", body, extra={"Origin": "http://evil.example"})
    assert from_page.status == 403 and "Origin" in from_page.json()["message"]
    rebound = signed(engine, "POST", "/workbench/tools", body, host=f"evil.example:{engine.port}")
    assert rebound.status == 403 and "evil.example" in rebound.json()["message"]
    preflight = raw(engine.url, "OPTIONS", "/workbench/tools", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    for answer in (from_page, rebound, preflight):
        assert not any(name.startswith("access-control-") for name in answer.headers)
    assert preflight.status >= 400
    assert not engine.marker.path.exists()


def test_no_answer_carries_cors_headers_even_to_the_owner(engine: Guarded) -> None:
    answer = signed(engine, "GET", "/workbench/tools")
    assert answer.status == 200
    assert not any(name.startswith("access-control-") for name in answer.headers)


def test_signed_tool_registration_needs_the_owners_flag(tmp_path: Path) -> None:
    with served_engine(tmp_path) as (engine, _env_file, _proc):
        answer = signed(engine, "POST", "/workbench/tools", json.dumps({"evil": engine.marker.spec}).encode())
        assert answer.status == 403 and "--allow-remote-tools" in answer.json()["message"]
        assert not engine.marker.path.exists()
    marker = Marker.make(tmp_path / "in_process")
    with EmbeddedEngine() as closed:
        guarded = Guarded("in-process", closed.endpoint_url, closed.credentials, marker)
        answer = signed(guarded, "POST", "/workbench/tools", json.dumps({"evil": marker.spec}).encode())
        assert answer.status == 403 and "--allow-remote-tools" in answer.json()["message"]
    assert not marker.path.exists()


def test_the_owner_may_register_tools_when_allowed(in_process: Guarded) -> None:
    answer = signed(in_process, "POST", "/workbench/tools",
                    json.dumps({"echo": "tests.engine.embedded_tools:double"}).encode())
    assert answer.status == 200 and answer.json()["registered"] == ["echo"]


def test_tools_named_on_the_servers_command_line_serve_a_mission_run_with_its_env_file(tmp_path: Path) -> None:
    """No remote registration needed: ``--tool`` at start, ``workbench run --env-file F`` from another process."""
    from workbench.engine.run.mission import tool_bindings
    from workbench.mission import load_mission

    mission = load_mission(REPO / "missions/incident_triage.yaml")
    tools = [f"--tool={b.function_name}={b.local}" for b in tool_bindings(mission)]
    with served_engine(tmp_path, "--time-warp", *tools) as (engine, env_file, _proc):
        done = subprocess.run([WORKBENCH, "run", str(REPO / "missions/incident_triage.yaml"), "--env-file",
                               str(env_file), "--json"], capture_output=True, text=True, env=_shell_env(),
                              cwd=REPO, timeout=300)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["status"] == "SUCCEEDED" and result["executionArn"].startswith("arn:aws:states:us-east-1:")
        assert not engine.marker.path.exists()


def test_the_aws_cli_after_sourcing_the_env_file(served: tuple[Guarded, Path]) -> None:
    """The AWS CLI (v1, its own bundled botocore) finds the engine through ``AWS_ENDPOINT_URL_SFN`` alone."""
    _engine, env_file = served
    aws = Path(sys.executable).with_name("aws")
    if not aws.exists():
        pytest.fail("the AWS CLI is a dev dependency (awscli in pyproject.toml); reinstall with `make install`")
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"cli": 1}, "End": True}}})
    script = textwrap.dedent(f"""
        set -euo pipefail
        source "{env_file}"
        arn=$("{aws}" stepfunctions create-state-machine --name by-cli --definition '{definition}' \\
              --role-arn {ROLE} --query stateMachineArn --output text)
        run=$("{aws}" stepfunctions start-execution --state-machine-arn "$arn" --name c1 \\
              --query executionArn --output text)
        for _ in $(seq 600); do
          status=$("{aws}" stepfunctions describe-execution --execution-arn "$run" --query status --output text)
          [ "$status" != RUNNING ] && break
        done
        echo "$status"
        AWS_SECRET_ACCESS_KEY=wrong "{aws}" stepfunctions list-state-machines 2>&1 || true
    """)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=_shell_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "SUCCEEDED"
    assert "InvalidSignatureException" in done.stdout
