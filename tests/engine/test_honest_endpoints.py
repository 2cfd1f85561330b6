"""Honest endpoints: a URL target is asked what it is before anything is deployed, and every status is
DescribeExecution's, never one read off a history the endpoint made up.

Three endpoints: a workbench engine in this process (``EmbeddedEngine``, what ``workbench engine serve`` runs);
``python -m moto.server`` without its interpreter (a plain Step Functions endpoint: every execution stays
RUNNING while its history says SUCCEEDED), in its own process so this process's engines cannot switch its
interpreter on; and moto with its interpreter on (``moto_server_url``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from tests.engine.run_support import PASS_WAIT_CHOICE, _stop, lambda_arn, moto_server_url, start_moto_server, unique
from workbench.cli import app
from workbench.engine.connect.targets import EndpointTarget, Target
from workbench.engine.deploy.state_machines import deploy
from workbench.engine.embedded import EmbeddedEngine
from workbench.engine.embedded.endpoint.auth import signed_call
from workbench.engine.errors import WaitTimeoutError
from workbench.engine.run.launch import launch
from workbench.engine.run.mission import run_mission
from workbench.engine.tools.serving import ToolsNotServedError, check_tools_served, endpoint_info
from workbench.mission.loader import loads_mission

runner = CliRunner()
LOCAL_TOOL = "tests.engine.run_support:echo_tool"


@pytest.fixture(scope="module")
def plain_url() -> Iterator[str]:
    """A moto server that never runs executions: the endpoint that used to make ``workbench run`` lie."""
    url, proc = start_moto_server()
    yield url
    _stop(proc)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[tuple[EmbeddedEngine, Path]]:
    """A workbench engine serving no tools and refusing remote ones, with the env file `serve` would write."""
    with EmbeddedEngine(time_warp=True) as started:
        env_file = tmp_path / "engine.env"
        env_file.write_text(started.env_lines() + "\n")
        yield started, env_file


def sfn(url: str) -> Any:
    return boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="workbench", aws_secret_access_key="workbench")


def machines_named(client: Any, name: str) -> list[str]:
    return [m["name"] for m in client.list_state_machines()["stateMachines"] if m["name"] == name]


def mission_file(tmp_path: Path, name: str, tool: str, *, steps: str = "  - {id: call, tool: echo}") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"mission: {name}\ntimeout: 30s\ntools:\n  echo: {tool}\nsteps:\n{steps}\n")
    return path


def local_tool(name: str) -> str:
    return f'{{lambda: {name}-echo, local: "{LOCAL_TOOL}"}}'


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["run", *args])
    return result.exit_code, result.stdout, result.stderr


# -- GET /workbench/info ------------------------------------------------------------------------------
def test_info_answers_signed_requests_only(engine: tuple[EmbeddedEngine, Path]) -> None:
    started, env_file = engine
    started.register_tool("greet", lambda event, ctx: event)
    info = signed_call(started.credentials, "GET", f"{started.endpoint_url}/workbench/info")
    assert info["engine"] == "workbench" and info["tools"] == ["greet"]
    assert info["allow_remote_tools"] is False and info["time_warp"] is True and info["region"] == started.region
    assert endpoint_info(Target.parse(started.endpoint_url, env_file=env_file)) is not None
    assert endpoint_info(EndpointTarget(started.endpoint_url)) is None  # placeholder keys: refused, not ours


def test_a_plain_endpoint_is_unknown(plain_url: str) -> None:
    assert endpoint_info(Target.parse(plain_url)) is None


# -- refusals before deploying ------------------------------------------------------------------------
def test_engine_without_the_tools_refuses_before_deploying(engine: tuple[EmbeddedEngine, Path],
                                                           tmp_path: Path) -> None:
    started, env_file = engine
    name = unique("honest-engine")
    code, out, err = cli(str(mission_file(tmp_path, name, local_tool(name))), "--target", started.endpoint_url,
                         "--env-file", str(env_file), "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert f"echo ({name}-echo)" in err and "--allow-remote-tools" in err
    assert f"--tool {name}-echo={LOCAL_TOOL}" in err
    assert machines_named(started.client(), name) == []


def test_plain_endpoint_with_local_tools_refuses_before_deploying(plain_url: str, tmp_path: Path) -> None:
    name = unique("honest-plain")
    code, out, err = cli(str(mission_file(tmp_path, name, local_tool(name))), "--target", plain_url)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "not a workbench engine" in err and "ARNs" in err and "--allow-remote-tools" in err
    assert machines_named(sfn(plain_url), name) == []


def test_engine_serving_the_tool_runs_it(engine: tuple[EmbeddedEngine, Path], tmp_path: Path) -> None:
    started, env_file = engine
    name = unique("honest-served")
    started.register_tool(f"{name}-echo", lambda event, ctx: {"echo": event})  # as `serve --tool` does
    code, out, err = cli(str(mission_file(tmp_path, name, local_tool(name))), "--target", started.endpoint_url,
                         "--env-file", str(env_file), "--input", '{"n": 1}', "--json")
    assert code == 0, err
    result = json.loads(out)
    described = started.client().describe_execution(executionArn=result["executionArn"])
    assert result["status"] == described["status"] == "SUCCEEDED"
    assert result["output"] == {"echo": {"n": 1}}


def test_engine_allowing_remote_tools_is_not_refused(tmp_path: Path) -> None:
    name = unique("honest-remote")
    mission = loads_mission(mission_file(tmp_path, name, local_tool(name)).read_text())
    with EmbeddedEngine(allow_remote_tools=True) as started:
        target = EndpointTarget(started.endpoint_url)
        target.credentials = started.credentials
        info = check_tools_served(target, mission)
        assert info is not None and info.allow_remote_tools
    with EmbeddedEngine() as closed:
        target = EndpointTarget(closed.endpoint_url)
        target.credentials = closed.credentials
        with pytest.raises(ToolsNotServedError, match="refuses tools over HTTP"):
            check_tools_served(target, mission)


# -- the status is DescribeExecution's --------------------------------------------------------------
def test_a_made_up_history_is_not_a_result(plain_url: str) -> None:
    target = Target.parse(plain_url)
    execution = launch(target, deploy(target, unique("honest-history"), PASS_WAIT_CHOICE), {"n": 1})
    assert any(e["type"] == "ExecutionSucceeded" for e in execution.history())  # what the endpoint made up
    with pytest.raises(WaitTimeoutError, match="still running"):
        execution.wait(timeout=1, progress=True)
    assert execution.status == "RUNNING" and execution.output is None and not execution.done


def test_lambda_only_mission_reports_describe_execution(plain_url: str, tmp_path: Path) -> None:
    name = unique("honest-lambda")
    path = mission_file(tmp_path, name, f'{{lambda: "{lambda_arn(name)}"}}')
    code, out, err = cli(str(path), "--target", plain_url, "--json", "--wait", "1")
    assert code == 3, err
    result = json.loads(out)
    described = sfn(plain_url).describe_execution(executionArn=result["executionArn"])
    assert result["status"] == described["status"] == "RUNNING" and result["output"] is None
    code, out, err = cli(str(path), "--target", plain_url, "--wait", "1")
    assert code == 3 and "status: RUNNING" in out and "SUCCEEDED" not in out
    errors = [line for line in err.splitlines() if line.startswith("error:")]  # after the progress bar
    assert len(errors) == 1 and "still RUNNING after --wait 1 s" in errors[0]


def test_a_finished_run_reports_describe_execution(tmp_path: Path) -> None:
    url = moto_server_url()  # moto with its interpreter on: executions really run
    asl = tmp_path / "pass.asl.json"
    asl.write_text(json.dumps(PASS_WAIT_CHOICE))
    code, out, err = cli(str(asl), "--target", url, "--input", '{"n": 42}', "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["status"] == sfn(url).describe_execution(executionArn=result["executionArn"])["status"]
    assert result["output"]["size"] == "big"


def test_json_wait_gives_up_with_exit_3_while_running(tmp_path: Path) -> None:
    url = moto_server_url()
    name = unique("honest-long")
    path = mission_file(tmp_path, name, f'{{lambda: "{lambda_arn(name)}"}}',
                        steps="  - {id: hold, wait: 600}\n  - {id: call, tool: echo}")
    code, out, err = cli(str(path), "--target", url, "--real-time", "--json", "--wait", "1")
    assert code == 3, err
    result = json.loads(out)
    assert result["status"] == "RUNNING"
    assert sfn(url).describe_execution(executionArn=result["executionArn"])["status"] == "RUNNING"


def test_run_mission_can_return_a_running_execution(plain_url: str) -> None:
    mission = loads_mission(f"mission: {unique('honest-api')}\nsteps:\n  - {{id: a, pass: 1}}\n")
    execution = run_mission(mission, target=plain_url, timeout=1, still_running_ok=True, progress=False)
    assert execution.status == "RUNNING"
