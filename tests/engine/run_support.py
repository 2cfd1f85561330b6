"""Helpers for the run-layer tests: a separately started moto server, and small state machines.

The "AWS" target is tested against ``python -m moto.server`` in its own process, reached over HTTP
with the same boto3 calls (and credential chain) as real AWS.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

_server: dict[str, Any] = {}

PASS_WAIT_CHOICE: dict[str, Any] = {
    "Comment": "Pass, Wait and Choice: needs no tools",
    "StartAt": "Greet",
    "States": {
        "Greet": {"Type": "Pass", "Parameters": {"n.$": "$.n", "greeting": "hello"}, "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 0, "Next": "Big?"},
        "Big?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "End": True},
    },
}

SLOW: dict[str, Any] = {
    "StartAt": "Hold",
    "States": {"Hold": {"Type": "Wait", "Seconds": 30, "Next": "Done"}, "Done": {"Type": "Succeed"}},
}

FAILING: dict[str, Any] = {
    "StartAt": "Boom",
    "States": {"Boom": {"Type": "Fail", "Error": "Mission.Broken", "Cause": "the plan says so"}},
}


def unique(prefix: str) -> str:
    """A state machine name no other test uses (moto's backends are shared by the whole process)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post_json(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def start_moto_server() -> tuple[str, subprocess.Popen[bytes]]:
    """A plain ``python -m moto.server`` process on a free port, once it answers (its URL and process)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "MOTO_PORT"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:  # polls readiness of a separate process, not an ordering between tests
        try:
            with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=2) as response:
                response.read()
            return url, proc
        except (urllib.error.URLError, OSError):
            if proc.poll() is not None or time.monotonic() > deadline:
                _stop(proc)
                pytest.fail(f"moto server did not start on port {port} (exit code {proc.poll()})")
            time.sleep(0.2)


def moto_server_url() -> str:
    """URL of a moto server started once per test session as a subprocess (executions enabled)."""
    if "url" in _server:
        return str(_server["url"])
    url, proc = start_moto_server()
    atexit.register(_stop, proc)
    _post_json(f"{url}/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})
    _server["url"] = url
    return url


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def aws_env(monkeypatch: pytest.MonkeyPatch, endpoint: str | None) -> None:
    """Credentials and endpoint through the standard environment variables, as a user would set them."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTINGONLY00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-not-real")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # moto answers the versions API with HTTP 500; one attempt keeps that fallback fast.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    if endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", endpoint)
    else:
        monkeypatch.delenv("AWS_ENDPOINT_URL_SFN", raising=False)


def echo_tool(event: Any) -> dict[str, Any]:
    """A one-argument local tool (the workbench adapts it to Lambda's ``(event, context)``)."""
    return {"echo": event}


def lambda_arn(function_name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
