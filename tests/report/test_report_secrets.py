"""A real Mission run whose input holds every secret shape: its report and its exported frames show none.

The Mission runs on the embedded engine. Its only tool fails and quotes its whole input in the error
(as JSON text and as a Python repr), is retried once, is caught, and a Fail state ends the run with an
error name and a cause built from the input. So the secrets reach the inputs, outputs, error causes,
error names, failure patterns, hover texts and graph titles of the report.
"""

from __future__ import annotations

import html
import json
import uuid
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from workbench.engine.run.launch import Execution
from workbench.engine.run.mission import run_mission
from workbench.history import frames, load_history
from workbench.mission import Mission, loads_mission
from workbench.report import build
from workbench.widgets.explorer.data import export_frames

JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJyZXBvcnQtdGVzdCIsImlhdCI6MTcxNDU2MDAwMH0"
       ".Q2xbYtF9Wq3mK7vN1sP4rT8uX0zA6cE5gH2jL9oR3dS")
PEM_BODY = "MIIEpQIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"
PEM = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\nVPq3XmKb2Ws9HgY=\n-----END RSA PRIVATE KEY-----\n"

#: name → the secret value that must not appear in the report
SECRETS: dict[str, str] = {
    "password": "pw-Rep0rt-4471",
    "connection_string_password": "cs-Rep0rt-5582",
    "header_value": "hv-Rep0rt-6693",
    "x_api_key": "xak-Rep0rt-7704",
    "nested_api_key": "ak-Rep0rt-8815",
    "nested_session": "st-Rep0rt-9926",
    "jwt": JWT,
    "jwt_signature": JWT.rsplit(".", 1)[1],
    "github": "ghp_R3p0rtT0k3nAbCdEfGhIjKlMnOpQrStUvWx",
    "github_pat": "github_pat_11R3P0RT0000000000_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU",
    "slack": "xoxb-111122223333-444455556666-R3p0rtSl4ckT0k3nXyZw",
    "aws_key_id": "AKIAR3P0RTEXAMPLE7Q2",
    "aws_secret": "R3p0rt/K7MDENG+bPxRfiCYEXAMPLEKEYa1b2c3d",
    "pem_body": PEM_BODY,
    "url_password": "url-Rep0rt-1037",
    "authorization_header": "aHdr-Rep0rt-2148",
    "cookie": "ck-Rep0rt-3259",
    "set_cookie": "sc-Rep0rt-4360",
    "pin": "739164",
    "otp": "otp-Rep0rt-5471",
    "error_name_token": "ghs_3rr0rN4m3T0k3nAbCdEfGhIjKlMnOpQrStU",
}

INPUT: dict[str, Any] = {
    "user": "ann",
    "password": SECRETS["password"],
    "db": {"ConnectionString": f"Server=db.internal;User=app;Password={SECRETS['connection_string_password']}"},
    "headers": [{"name": "Authorization", "value": f"Bearer {SECRETS['header_value']}"},
                {"Name": "X-Api-Key", "Value": SECRETS["x_api_key"]}, {"name": "Accept", "value": "text/html"}],
    "body": json.dumps({"api_key": SECRETS["nested_api_key"],
                        "inner": json.dumps({"sessionToken": SECRETS["nested_session"], "page": 2})}),
    "note": (f"deploy with {SECRETS['jwt']} then {SECRETS['github']} and {SECRETS['github_pat']}; "
             f"tell {SECRETS['slack']}"),
    "aws": f"profile ci: {SECRETS['aws_key_id']} {SECRETS['aws_secret']}",
    "key_file": PEM,
    "database_url": f"postgres://app:{SECRETS['url_password']}@db.internal:5432/orders",
    "raw_request": (f"GET /v1 HTTP/1.1\nAuthorization: Basic {SECRETS['authorization_header']}\n"
                    f"Cookie: sid={SECRETS['cookie']}; theme=dark\n"),
    "raw_response": f"HTTP/1.1 200 OK\nSet-Cookie: sid={SECRETS['set_cookie']}; Path=/; HttpOnly\n",
    "userPin": int(SECRETS["pin"]),
    "otp": SECRETS["otp"],
    "error_hint": SECRETS["error_name_token"],
    "order": "order-12345",
}


def _mission() -> Mission:
    name = f"report_secrets_{uuid.uuid4().hex[:8]}"
    return loads_mission(f"""
mission: {name}
description: A tool that fails and quotes its input; caught, then the run fails with a cause built from the input.
query_language: JSONata
tools:
  leak: {{lambda: {name.replace("_", "-")}-leak, local: "tests.report.secret_tools:leak"}}
steps:
  - id: call_upstream
    tool: leak
    args: '{{% $states.input %}}'
    retry:
      - {{errors: [UpstreamRejected], interval: 1s, max_attempts: 1}}
    catch:
      - {{errors: [States.ALL], goto: give_up, save_as: failure}}
  - id: give_up
    fail:
      error: '{{% "Rejected." & $states.context.Execution.Input.error_hint %}}'
      cause: '{{% "gave up: " & $failure.Cause & " on " & $string($states.context.Execution.Input) %}}'
""")


@pytest.fixture(scope="module")
def run() -> tuple[Mission, Execution]:
    mission = _mission()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        execution = run_mission(mission, INPUT, time_warp=True, progress=False, timeout=120)
    assert execution.status == "FAILED", (execution.error, execution.cause)
    return mission, execution


def _variants(value: str) -> set[str]:
    """The ways a value can be written into HTML or JSON: as is, HTML-escaped, JSON-escaped (also twice)."""
    once = json.dumps(value)[1:-1]
    return {value, html.escape(value), html.escape(value, quote=False), once, json.dumps(once)[1:-1],
            html.escape(once)}


def _leaks(text: str) -> list[str]:
    return [name for name, value in SECRETS.items() if any(v in text for v in _variants(value))]


def test_the_run_really_carries_every_secret(run: tuple[Mission, Execution]) -> None:
    _, execution = run
    history = json.dumps(execution.history(), default=str)
    assert _leaks(history) == list(SECRETS)  # otherwise the report test below proves nothing
    assert SECRETS["error_name_token"] in (execution.error or "")
    assert SECRETS["password"] in (execution.cause or "")


def test_report_contains_no_secret_value(run: tuple[Mission, Execution]) -> None:
    mission, execution = run
    report = build([execution], mission=mission, target="embedded")
    page = report.html
    assert _leaks(page) == []
    # what was around the secrets is still there: the report shows the data, not a wall of [redacted]
    for kept in ("order-12345", "db.internal", "text/html", "UpstreamRejected", "Rejected.", "[redacted]"):
        assert kept in page or html.escape(kept) in page, kept
    assert report.sections[:2] == ("summary", "graph") and "failed-data" in report.sections


def test_exported_frames_contain_no_secret_value(run: tuple[Mission, Execution], tmp_path: Path) -> None:
    _, execution = run
    history = load_history({"events": execution.history()}, execution_arn=execution.arn)
    built = frames(history, payloads=True)
    csv = export_frames(built, tmp_path / "csv", "csv")
    written = "\n".join(p.read_text() for p in csv)
    assert _leaks(written) == []
    assert "order-12345" in written and "UpstreamRejected" in written
    parquet = export_frames(built, tmp_path / "parquet", "parquet")
    assert _leaks("\n".join(pd.read_parquet(p).to_csv(index=False) for p in parquet)) == []
    raw = export_frames(built, tmp_path / "raw", "csv", redact=False)  # the opt-out writes the data as it is
    assert SECRETS["password"] in "\n".join(p.read_text() for p in raw)
