"""The history explorer on a real batch (embedded engine, seeded faults) and on recorded corpus histories."""

from __future__ import annotations

import html
import json
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from workbench.asl.compiler import compile_mission
from workbench.engine.connect.targets import Target
from workbench.engine.tools.faults import FaultPlan
from workbench.mission import loads_mission
from workbench.widgets import HistoryExplorer
from workbench.widgets.explorer.data import ExplorerError, apply_filters, export_frames, parse_when
from workbench.widgets.launcher.mission_run import start_mission

from .widget_support import TRIAGE

pytestmark = pytest.mark.timeout(240)

FAULTS = {"seed": 2, "tools": {"search_logs": {"fail_rate": 0.4, "error": "Lambda.ServiceException"},
                               "probe_host": {"fail_rate": 0.1}}}


def text(widget: Any) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", str(widget.value)))


@pytest.fixture(scope="module")
def batch() -> dict[str, Any]:
    """Six executions of a uniquely named copy of the triage Mission, with seeded faults, time-warped."""
    data = yaml.safe_load(TRIAGE.read_text())
    data["mission"] = f"triage_batch_{uuid.uuid4().hex[:8]}"
    mission = loads_mission(yaml.safe_dump(data))
    plan = FaultPlan.model_validate(FAULTS)
    target = Target.parse("embedded", time_warp=True, faults=plan)
    statuses: dict[str, str] = {}
    for i in range(6):
        run = start_mission(mission, compile_mission(mission), target,
                            {"alert_id": f"ALR-{1000 + i}", "service": "checkout-api"}, faults=plan)
        statuses[run.execution.arn] = run.execution.wait(60, progress=False).status
        run.release()
    assert {"SUCCEEDED", "FAILED"} <= set(statuses.values()), statuses  # the seed gives both outcomes
    return {"name": mission.name, "statuses": statuses, "target": target}


def test_a_state_machine_is_fetched_in_the_background_and_every_tab_filled(batch: dict[str, Any]) -> None:
    explorer = HistoryExplorer(batch["name"], target=batch["target"])
    assert explorer.wait_loaded(120)
    assert explorer.error_text is None, explorer.error_text
    n = len(batch["statuses"])
    assert explorer.bar.value == explorer.bar.max == n
    assert f"{n} execution(s) loaded" in explorer.message_text
    ex = explorer.frames.executions  # type: ignore[union-attr]
    assert dict(zip(ex["execution"].astype(str), ex["status"].astype(str), strict=True)) == batch["statuses"]
    executions_tab = text(explorer.panes["Executions"][0])
    assert all(arn.rsplit(":", 1)[-1] in executions_tab for arn in batch["statuses"])
    figure = explorer.panes["Executions"][1].outputs[0]["data"]["application/vnd.plotly.v1+json"]
    assert {t["name"] for t in figure["data"] if sum(t.get("y") or [0])} == set(batch["statuses"].values())
    assert "search_logs" in text(explorer.panes["Latency"][0]) and "p90_ms" in text(explorer.panes["Latency"][0])
    assert "Lambda.ServiceException" in text(explorer.panes["Retries"][0])
    failures = text(explorer.panes["Failures"][0])
    failed = [arn.rsplit(":", 1)[-1] for arn, status in batch["statuses"].items() if status == "FAILED"]
    assert "fatal" in failures.split()  # the fate of the failure that ended each FAILED execution
    assert all(name in failures for name in failed), failed
    cost = text(explorer.panes["Cost"][0])
    assert "as Express" in cost and "as_express_usd" in cost
    assert [arn for _label, arn in explorer.timeline_pick.options] == list(ex["execution"].astype(str))
    assert explorer.inspector.svg.startswith("<svg") and explorer.inspector.visits  # the inspector on the run
    timeline = explorer.panes["Timeline"][1].outputs[0]["data"]["application/vnd.plotly.v1+json"]
    assert any("fetch_alert" in str(tick) for tick in timeline["layout"]["yaxis"]["ticktext"])


def test_status_in_the_picker_fetches_only_those_executions(batch: dict[str, Any]) -> None:
    explorer = HistoryExplorer(target=batch["target"])
    explorer.status_pick.value = "FAILED"
    explorer.source_box.value = batch["name"]
    explorer.fetch_button.click()
    assert explorer.wait_loaded(120)
    failed = {arn for arn, status in batch["statuses"].items() if status == "FAILED"}
    assert set(explorer.frames.executions["execution"].astype(str)) == failed  # type: ignore[union-attr]


def test_a_time_window_in_the_future_finds_nothing_and_says_so(batch: dict[str, Any]) -> None:
    explorer = HistoryExplorer(target=batch["target"], background=False)
    explorer.since.value = "2999-01-01"
    explorer.fetch(batch["name"])
    assert "no executions matched" in explorer.message_text
    assert "Nothing to show" in explorer.panes["Latency"][0].value


def test_filters_apply_to_every_tab(batch: dict[str, Any]) -> None:
    explorer = HistoryExplorer(batch["name"], target=batch["target"], background=False)
    explorer.set_filters(status="SUCCEEDED")
    succeeded = [a.rsplit(":", 1)[-1] for a, s in batch["statuses"].items() if s == "SUCCEEDED"]
    failed = [a.rsplit(":", 1)[-1] for a, s in batch["statuses"].items() if s == "FAILED"]
    shown = text(explorer.panes["Executions"][0])
    assert all(name in shown for name in succeeded) and not any(name in shown for name in failed)
    assert set(explorer.filtered["states"]["execution"].astype(str)) == {
        a for a, s in batch["statuses"].items() if s == "SUCCEEDED"}
    assert len(explorer.timeline_pick.options) == len(succeeded)
    explorer.set_filters(state="search_logs")
    latency = explorer.panes["Latency"][0].value
    assert "search_logs" in latency and "probe_host" not in latency
    assert set(explorer.filtered["attempts"]["state"].astype(str)) == {"search_logs"}
    explorer.set_filters(status="all", state="all")
    assert len(explorer.filtered["executions"]) == len(batch["statuses"])


def test_exports_write_each_frame_atomically_as_csv_and_parquet(batch: dict[str, Any], tmp_path: Path) -> None:
    explorer = HistoryExplorer(batch["name"], target=batch["target"], background=False)
    explorer.set_filters(status="FAILED")
    explorer.export_folder.value = str(tmp_path / "csv")
    explorer.export_button.click()
    written = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert written == ["attempts.csv", "events.csv", "executions.csv", "states.csv"]
    for name in ("executions", "states", "attempts", "events"):
        assert len(pd.read_csv(tmp_path / "csv" / f"{name}.csv")) == len(explorer.filtered[name])
    paths = explorer.export(tmp_path / "pq", "parquet")
    assert [p.suffix for p in paths] == [".parquet"] * 4
    back = pd.read_parquet(tmp_path / "pq" / "states.parquet")
    assert list(back.columns) == list(explorer.filtered["states"].columns)
    assert back["retries"].sum() == explorer.filtered["states"]["retries"].sum()
    assert not [f for f in os.listdir(tmp_path / "pq") if f.endswith(".tmp")]
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert explorer.export(blocker, "csv") == []
    assert "is a file" in text(explorer.export_message)
    with pytest.raises(ExplorerError, match="choose csv or parquet"):
        export_frames(explorer.filtered, tmp_path / "x", "xlsx")


def test_recorded_history_files_can_be_explored(corpus: Path) -> None:
    files = [corpus / "histories" / "test_base_scenarios__test_lambda_invoke_with_retry_base.json",
             corpus / "histories" / "test_base__test_state_fail.json"]
    explorer = HistoryExplorer(files, background=False)
    assert explorer.error_text is None
    statuses = sorted(explorer.frames.executions["status"].astype(str))  # type: ignore[union-attr]
    recorded = sorted({"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED"}[
        json.loads(f.read_text())["history"][-1]["type"]] for f in files)
    assert statuses == recorded
    assert "InvokeLambdaWithRetry" in text(explorer.panes["Retries"][0])
    assert explorer.status_filter.options == ("all", *sorted(set(statuses)))


def test_what_cannot_be_found_is_said_in_the_widget(tmp_path: Path) -> None:
    explorer = HistoryExplorer(f"no-such-machine-{uuid.uuid4().hex[:6]}", background=False)
    assert "No state machine named" in explorer.message_text
    empty = HistoryExplorer(background=False)
    empty.fetch()
    assert "choose what to explore" in empty.message_text
    assert empty.export(tmp_path) == [] and "fetch some executions first" in text(empty.export_message)
    assert empty.write_report(tmp_path / "r.html") is None


def test_time_bounds_parse_relative_and_iso() -> None:
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert parse_when("30m", now=now) == datetime(2025, 6, 1, 11, 30, tzinfo=UTC)
    assert parse_when("2025-06-01T10:00:00+02:00") == datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    assert parse_when("") is None
    with pytest.raises(ExplorerError, match="ISO time"):
        parse_when("yesterday-ish")


def test_filters_are_pure_functions_of_the_frames(batch: dict[str, Any]) -> None:
    explorer = HistoryExplorer(batch["name"], target=batch["target"], background=False)
    assert explorer.frames is not None
    cut = apply_filters(explorer.frames, "FAILED", "probe_host")
    failed = sum(status == "FAILED" for status in batch["statuses"].values())
    assert set(cut["executions"]["status"].astype(str)) == {"FAILED"} and len(cut["executions"]) == failed
    assert set(cut["states"]["state"].astype(str)) == {"probe_host"}  # every triage run probes its host
    assert len(explorer.frames.executions) == len(batch["statuses"])  # the source frames are untouched


def test_write_report_covers_the_filtered_executions(batch: dict[str, Any], tmp_path: Path) -> None:
    explorer = HistoryExplorer(batch["name"], target=batch["target"], background=False)
    explorer.set_filters(status="FAILED")
    explorer.report_path.value = str(tmp_path / "failed.html")
    explorer.report_button.click()
    page = (tmp_path / "failed.html").read_text()
    assert "report written" in text(explorer.export_message)
    assert page.lstrip().lower().startswith("<!doctype html")
    failed = [a.rsplit(":", 1)[-1] for a, s in batch["statuses"].items() if s == "FAILED"]
    succeeded = [a.rsplit(":", 1)[-1] for a, s in batch["statuses"].items() if s == "SUCCEEDED"]
    assert f"{len(failed)} execution" in page
    assert not any(name in page for name in succeeded)
    assert [f for f in os.listdir(tmp_path) if f != "failed.html"] == []


def test_the_inspector_follows_the_selected_execution_and_the_filters_keep_working(batch: dict[str, Any]) -> None:
    explorer = HistoryExplorer(batch["name"], target=batch["target"], background=False)
    failed = next(arn for arn, status in batch["statuses"].items() if status == "FAILED")
    explorer.select_execution(failed.rsplit(":", 1)[-1])
    assert explorer.tabs.selected_index == 5  # the Timeline tab, with the inspector
    inspector = explorer.inspector
    assert inspector.data["execution"]["arn"] == failed and inspector.data["execution"]["status"] == "FAILED"
    searches = inspector.select("search_logs")  # what a click on the state in the explorer's graph opens
    assert searches and all(a["n"] >= 1 for v in searches for a in v["attempts"])
    retried = [a for v in searches for a in v["attempts"] if a["n"] > 1]
    assert all(a["backoff_ms"] is not None and a["backoff_ms"] > 0 for a in retried)
    explorer.set_filters(status="SUCCEEDED")  # another execution now: the inspector moves with the filter
    assert inspector.data["execution"]["status"] == "SUCCEEDED"
    assert inspector.data["execution"]["arn"] == explorer.timeline_pick.value != failed
    assert "as Express" in text(explorer.panes["Cost"][0])
