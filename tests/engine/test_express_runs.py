"""Express Missions on the embedded engine run as on AWS: a result from StartSyncExecution, events from Logs."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import workbench
from workbench.engine import run_mission
from workbench.engine.run.mission import EngineNoteWarning
from workbench.mission import load_mission

MISSION = Path(__file__).resolve().parents[2] / "missions" / "change_window.yaml"


def test_an_express_mission_runs_with_start_sync_execution_and_logs_its_events() -> None:
    mission = load_mission(MISSION)
    express = mission.model_copy(update={"name": "change_window_express"})  # a STANDARD one may exist already
    with pytest.warns(EngineNoteWarning, match="keeps no execution history for Express runs"):
        run = run_mission(express, type="EXPRESS", name="express-run", time_warp=True, progress=False)
    standard = run_mission(mission, name="standard-twin", time_warp=True, progress=False)
    assert (run.status, run.output) == (standard.status, standard.output)
    assert ":express:change_window_express:express-run:" in run.arn
    with pytest.raises(ClientError) as refused:  # as on AWS: Express executions have no DescribeExecution
        run.target.client().describe_execution(executionArn=run.arn)
    assert refused.value.response["Error"]["Code"] == "InvalidArn"
    records = run.history()
    assert records and all(r["execution_arn"] == run.arn and "event_timestamp" in r for r in records)
    ran = workbench.frames(run).states
    twin = workbench.frames(standard).states
    def visits(states: object) -> list[tuple[str, str, str]]:  # Map iterations run concurrently: compare as sets
        return sorted(zip(states["state"].astype(str), states["path"].astype(str), states["status"].astype(str),
                          strict=True))
    assert visits(ran) == visits(twin)


def test_an_express_execution_cannot_be_stopped() -> None:
    mission = load_mission(MISSION).model_copy(update={"name": "change_window_express_stop"})
    with pytest.warns(EngineNoteWarning):
        run = run_mission(mission, type="EXPRESS", name="express-done", time_warp=True, progress=False)
    assert run.stop() is run  # finished: nothing to do
    assert run.status == "SUCCEEDED"
