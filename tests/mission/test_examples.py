"""The example Missions in ``missions/`` are complete and run end to end with their local tools.

The end-to-end runs use the embedded engine (moto + local tools + JSONata + time warp) when it is
importable; the Missions and their tools are the real ones, only the engine is local.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.asl.compiler import compile_mission
from workbench.mission import Mission, check_mission, load_mission

MISSIONS = {p.stem: p for p in sorted((Path(__file__).resolve().parents[2] / "missions").glob("*.yaml"))
            if not p.name.endswith(".tests.yaml")}  # NAME.tests.yaml: Mission tests, not Missions
TOOL_MISSIONS = [name for name, path in MISSIONS.items() if load_mission(path).tools]


@pytest.mark.parametrize("name", sorted(MISSIONS))
def test_example_is_complete(name: str) -> None:
    mission = load_mission(MISSIONS[name])
    assert mission.description and mission.local.input is not None
    assert [d.render() for d in check_mission(mission)] == []
    if mission.tools:
        assert all(tool.local and tool.local.startswith("missions.tools.") for tool in mission.tools.values())
        retried = {e for policy in mission.defaults.retry for e in policy.errors}
        assert {"Lambda.ServiceException", "Lambda.TooManyRequestsException"} <= retried
        assert mission.defaults.timeout is not None


def test_each_query_language_has_an_example() -> None:
    assert {load_mission(p).query_language for p in MISSIONS.values()} == {"JSONata", "JSONPath"}


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    from workbench.engine.embedded import EmbeddedEngine

    with EmbeddedEngine(time_warp=True) as running:
        yield running


def run(engine: Any, mission: Mission, payload: Any) -> dict[str, Any]:
    from workbench.engine.embedded import resolve_tool_path

    for tool in mission.tools.values():
        assert tool.local is not None
        engine.register_tool(tool.function_name, resolve_tool_path(tool.local))
    definition = compile_mission(mission)
    _no_real_waits(definition)
    sfn = engine.client()
    name = f"e2e-{mission.name.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                   roleArn="arn:aws:iam::123456789012:role/workbench")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name=f"{name}-run", input=json.dumps(payload))[
        "executionArn"]
    deadline = time.monotonic() + 60
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"{name} still running"
        time.sleep(0.02)
    return dict(described)


def _no_real_waits(definition: dict[str, Any]) -> None:
    """Time warp does not reach distributed-map child executions yet: their Waits would really sleep."""
    stack: list[Any] = [definition]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            processor = item.get("ItemProcessor", {})
            if processor.get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED":
                for state in processor["States"].values():
                    if state["Type"] == "Wait" and "Seconds" in state:
                        state["Seconds"] = 0
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@pytest.mark.parametrize("name", sorted(MISSIONS))
def test_example_runs_with_its_example_input(engine: Any, name: str) -> None:
    mission = load_mission(MISSIONS[name])
    first = run(engine, mission, mission.local.input)
    assert first["status"] == "SUCCEEDED", (first.get("error"), first.get("cause"))
    again = run(engine, mission, mission.local.input)
    assert json.loads(again["output"]) == json.loads(first["output"]), "local tools are deterministic"


def test_example_outputs(engine: Any) -> None:
    triage = load_mission(MISSIONS["incident_triage"])
    out = json.loads(run(engine, triage, triage.local.input)["output"])
    assert out["alert_id"] == "ALR-20417" and "checkout-api alert ALR-20417" in out["summary"]

    research = load_mission(MISSIONS["research_brief"])
    brief = json.loads(run(engine, research, research.local.input)["output"])
    assert brief["sources_used"] >= 2 and brief["brief"].startswith("# serverless cold starts")

    backfill = load_mission(MISSIONS["data_backfill"])
    landed = json.loads(run(engine, backfill, backfill.local.input)["output"])
    assert (landed["ok"], landed["batches_done"], landed["batches_missing"]) == (True, 4, [])

    deploy = load_mission(MISSIONS["deploy_check"])
    done = json.loads(run(engine, deploy, deploy.local.input)["output"])
    assert done["version"] == "v2.14.1" and 2 <= done["checks"] <= 4


def test_deploy_check_rolls_back_a_bad_version(engine: Any) -> None:
    deploy = load_mission(MISSIONS["deploy_check"])
    result = run(engine, deploy, {"service": "payments-api", "version": "v2.15.0-bad"})
    assert (result["status"], result["error"]) == ("FAILED", "DeployFailed")
    assert "rolled back" in result["cause"]


def test_incident_triage_catches_a_missing_alert(engine: Any) -> None:
    triage = load_mission(MISSIONS["incident_triage"])
    result = run(engine, triage, {"service": "checkout-api", "alert_id": None})
    assert (result["status"], result["error"]) == ("FAILED", "TriageFailed")
    assert result["cause"].startswith("could not triage: AlertNotFound - ")
