"""The launcher driven from Python as an operator would: boxes, Launch, live progress, Stop, results, explorer.

Runs go to the real embedded engine (moto behind a local endpoint) and to a second engine served on
127.0.0.1; the AWS case runs without credentials and fails before any network call.
"""

from __future__ import annotations

import html
import re
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from workbench.engine.connect.targets import Target
from workbench.engine.errors import TargetError
from workbench.history import frames, load_history
from workbench.widgets import HistoryExplorer, Launcher
from workbench.widgets.launcher.live import LiveProgress
from workbench.widgets.launcher.mission_run import workbench_engine_tools

from . import held_tool
from .widget_support import TRIAGE, free_port, offline_aws, served_engine

pytestmark = pytest.mark.timeout(240)

THROTTLE_PAGE = "page_oncall: {throttle: {burst: 1, every: 1000}}"


def text(widget: object) -> str:
    """What an HTML widget shows, tags stripped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", str(getattr(widget, "value", ""))))


def node_statuses(svg: str) -> dict[str, str]:
    """State name → the status its node is drawn with (the legend's entries are not nodes)."""
    root = ET.fromstring(svg)
    return {g.get("data-state", ""): g.get("data-status", "") for g in root.iter("{http://www.w3.org/2000/svg}g")
            if "node" in (g.get("class") or "").split() and g.get("data-state")}


def visible_text(launcher: Launcher) -> str:
    """Every message the launcher shows (what the operator reads)."""
    return " ".join(text(w) for w in (launcher.status_line, launcher.result, launcher.input_error,
                                      launcher.settings_error))


def test_input_is_checked_as_you_type_and_blocks_launch() -> None:
    launcher = Launcher(TRIAGE)
    assert '"alert_id": "ALR-20417"' in launcher.input.value  # the Mission's example input
    assert not launcher.launch_button.disabled
    launcher.input.value = '{\n  "alert_id": \n}'
    assert "input, line 3, column 1" in text(launcher.input_error)
    assert launcher.launch_button.disabled
    assert launcher.launch() is None
    assert launcher.status == "error" and "cannot launch: input, line 3" in launcher.status_text
    launcher.input.value = '{"alert_id": "ALR-1", "service": "search-api"}'
    assert launcher.input_error.value == "" and not launcher.launch_button.disabled


def test_fault_settings_and_seed_are_checked_in_plain_words() -> None:
    launcher = Launcher(TRIAGE)
    launcher.faults.value = "serch_logs: {fail_rate: 0.5}"
    assert "no tool named 'serch_logs'" in text(launcher.settings_error) and launcher.launch_button.disabled
    launcher.faults.value = "search_logs: {fail_rate: 1.5}"
    assert "search_logs → fail_rate" in text(launcher.settings_error)
    launcher.faults.value = "search_logs: {fail_rate: 0.5, colour: red}"
    assert "fields: fail_rate" in text(launcher.settings_error)
    launcher.faults.value = "search_logs: {fail_rate: [0.5"
    assert "line 1" in text(launcher.settings_error)
    launcher.faults.value = "search_logs: {fail_rate: 0.5}"
    launcher.seed.value = "seven"
    assert "not a whole number" in text(launcher.settings_error)
    launcher.seed.value = "7"
    assert launcher.settings_error.value == "" and not launcher.launch_button.disabled


def test_switching_target_shows_its_settings_and_what_is_missing() -> None:
    launcher = Launcher(TRIAGE)
    launcher.target_kind.value = "aws"
    assert launcher.settings.children[0].children == (launcher.profile, launcher.region, launcher.role_arn)
    assert "role ARN" in text(launcher.settings_error) and launcher.launch_button.disabled
    launcher.role_arn.value = "arn:aws:iam::123456789012:role/sfn"
    assert not launcher.launch_button.disabled
    launcher.target_kind.value = "endpoint"
    assert "enter the URL" in text(launcher.settings_error)
    launcher.url.value = "http://127.0.0.1:4599"
    assert launcher.choice.url == "http://127.0.0.1:4599" and not launcher.launch_button.disabled
    assert Launcher(TRIAGE, target="http://127.0.0.1:4599").target_kind.value == "endpoint"
    with pytest.raises(TargetError, match="use 'embedded', 'aws' or an endpoint URL"):
        Launcher(TRIAGE, target="mars")


def test_an_injected_throttle_is_retried_on_the_warped_clock_and_shown_live() -> None:
    launcher = Launcher(TRIAGE)
    assert launcher.time_warp.value is True  # from the Mission's local settings
    launcher.faults.value = THROTTLE_PAGE
    launcher.seed.value = "7"
    execution = launcher.launch()
    assert execution is not None
    started = time.monotonic()
    assert launcher.wait_done(120) == "SUCCEEDED"
    wall = time.monotonic() - started
    history = execution.history()
    progress = launcher.progress
    # the first page_oncall call was throttled, the Retry (5 s interval) ran it again: 5 s of engine time
    assert progress.states["page_human"].retries == 1
    assert progress.states["page_human"].failed_attempts == 1
    assert progress.duration_s is not None and progress.duration_s >= 5.0
    assert wall < progress.duration_s  # time warp: the back-off took no wall-clock time
    assert progress.events == len(history)
    assert f"SUCCEEDED · {len(history)} events · 1 retries" in launcher.status_text
    assert "↻1" in launcher.graph.svg and 'data-status="succeeded"' in launcher.graph.svg
    assert "paged" in launcher.result.value and execution.name in launcher.result.value
    assert launcher.output["alert_id"] == "ALR-20417" and launcher.output["paged"] is True
    assert not launcher.explore_button.disabled and launcher.stop_button.disabled
    # the live tally agrees with the history frames built from the same events
    f = frames(load_history({"events": history}, execution_arn=execution.arn))
    assert progress.retries == int(f.executions["retries"].sum())
    replayed = LiveProgress().extend(history)
    assert replayed.retries == progress.retries and replayed.status == "SUCCEEDED"
    # the explorer opens on this execution
    launcher.explore_button.click()
    explorer = launcher.explorer
    assert isinstance(explorer, HistoryExplorer) and explorer.wait_loaded(60)
    assert list(explorer.frames.executions["execution"].astype(str)) == [execution.arn]
    assert "Lambda.TooManyRequestsException" in explorer.panes["Retries"][0].value


def test_stop_aborts_the_running_execution(tmp_path: Path) -> None:
    with held_tool.triage_with_held_fetch(tmp_path) as mission:  # a first step that runs until let go
        launcher = Launcher(mission)
        launcher.time_warp.value = False
        execution = launcher.launch()
        assert execution is not None and launcher.running
        stop_sent = threading.Event()
        send_stop = execution.stop

        def stop_and_tell(*args: Any, **kwargs: Any) -> Any:
            try:
                return send_stop(*args, **kwargs)
            finally:
                stop_sent.set()

        execution.stop = stop_and_tell  # type: ignore[method-assign]
        assert held_tool.STARTED.wait(60), "fetch_alert never started"
        launcher.stop()
        assert stop_sent.wait(60), "the launcher never sent StopExecution"
        held_tool.RELEASE.set()  # fetch_alert returns only now, into a stopped execution
        assert launcher.wait_done(60) == "ABORTED"
    assert execution.status == "ABORTED"
    assert "ABORTED" in launcher.status_text and not launcher.running
    drawn = node_statuses(launcher.graph.svg)
    assert drawn["fetch_alert"] == "aborted"  # fetch_alert never finished: stopped, not failed
    assert "failed" not in drawn.values()


def test_without_aws_credentials_the_error_is_one_plain_sentence(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    offline_aws(monkeypatch, tmp_path)
    launcher = Launcher(TRIAGE, target="aws")
    launcher.region.value = "eu-west-1"
    launcher.role_arn.value = "arn:aws:iam::123456789012:role/sfn"
    assert launcher.launch() is None
    assert launcher.wait_done(60) == "error"
    assert launcher.error_text is not None and "credential" in launcher.error_text.lower()
    assert "Traceback" not in visible_text(launcher) and 'File "' not in visible_text(launcher)
    assert not launcher.launch_button.disabled and launcher.stop_button.disabled


def test_an_unreachable_endpoint_is_reported_in_the_widget() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    launcher = Launcher(TRIAGE, target=url)
    assert launcher.launch() is None
    assert launcher.wait_done(60) == "error"
    assert launcher.error_text is not None and "127.0.0.1" in launcher.error_text
    assert "Traceback" not in visible_text(launcher)


def test_the_same_mission_runs_on_a_served_endpoint_only_the_target_changes() -> None:
    with served_engine() as (url, env_file):
        launcher = Launcher(TRIAGE, target=url, env_file=env_file)
        execution = launcher.launch()
        assert execution is not None and execution.target.kind == "endpoint"
        assert launcher.wait_done(120) == "SUCCEEDED"
        assert launcher.run is not None and "triage-fetch-alert" in launcher.run.remote_tools
        assert "triage-fetch-alert" in (workbench_engine_tools(Target.parse(url, env_file=env_file)) or [])
        assert workbench_engine_tools(url) is None  # unsigned for this engine: it answers nothing
        assert "paged" in launcher.result.value


def test_a_mission_with_errors_cannot_be_launched(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("mission: broken\nsteps:\n  - {id: a, pass: 1, then: nowhere}\n")
    launcher = Launcher(broken)
    assert "Cannot launch" in launcher.children[0].value and "MIS203" in launcher.children[0].value
    assert launcher.launch_button.disabled
    assert launcher.launch() is None and "the Mission has errors" in launcher.status_text


def test_a_second_launch_while_running_is_refused() -> None:
    launcher = Launcher(TRIAGE)
    launcher.time_warp.value = False
    launcher.faults.value = "fetch_alert: {latency: {ms: 1500}}"
    first = launcher.launch()
    assert first is not None
    assert launcher.launch() is None and "in progress" in launcher.status_text
    assert launcher.wait_done(60) == "SUCCEEDED"
