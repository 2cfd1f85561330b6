"""What the launcher launches (a path, a Mission, a composer followed live) and Redrive, on the embedded engine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from workbench.mission import load_mission
from workbench.widgets import Launcher, MissionComposer

from . import held_tool
from .test_launcher import node_statuses, text
from .widget_support import TRIAGE

pytestmark = pytest.mark.timeout(240)

FAIL_SUMMARY = "summarize_incident: {fail_rate: 1.0, error: Lambda.ServiceException}"


@pytest.mark.parametrize("name", ["missions/typo.yml", "no-such.yaml", "nothing/here.json"])
def test_a_missing_file_is_one_line_naming_it_never_parsed_as_yaml(name: str) -> None:
    for source in (name, Path(name)):
        launcher = Launcher(source)
        title = text(launcher.title).strip()
        assert title == f"Cannot launch : file not found: {name} (check the path, relative to {os.getcwd()})"
        assert "\n" not in title and "mapping" not in title.lower() and "MIS" not in title
        assert launcher.launch_button.disabled and launcher.launch() is None


def test_a_path_a_string_path_a_mission_and_yaml_text_all_launch_the_same_mission() -> None:
    mission = load_mission(TRIAGE)
    for source in (TRIAGE, str(TRIAGE), mission, TRIAGE.read_text()):
        launcher = Launcher(source)
        assert "Launch incident_triage" in text(launcher.title), source
        assert not launcher.launch_button.disabled
        assert set(node_statuses(launcher.graph.svg)) >= {"fetch_alert", "summarize"}


def renamed(text_: str, name: str) -> str:
    data = yaml.safe_load(text_)
    data["mission"] = name
    return yaml.safe_dump(data, sort_keys=False)


def test_the_launcher_follows_the_composer_live_and_a_run_keeps_the_version_it_started_with(tmp_path: Path) -> None:
    with held_tool.triage_with_held_fetch(tmp_path) as path:
        composer = MissionComposer(path)
        launcher = Launcher(composer)
        assert "Launch incident_triage" in text(launcher.title) and not launcher.launch_button.disabled
        composer.set_yaml(renamed(composer.yaml_text, "triage_v2"))  # an edit in the composer...
        assert "Launch triage_v2" in text(launcher.title)  # ...is in the launcher at once
        broken = composer.yaml_text.replace("goto: triage_failed", "goto: nowhere", 1)
        composer.set_yaml(broken)
        assert "Cannot launch" in text(launcher.title) and launcher.launch_button.disabled
        assert "this launcher follows it" in text(launcher.title)
        composer.set_yaml(renamed(broken.replace("goto: nowhere", "goto: triage_failed"), "triage_v3"))
        assert "Launch triage_v3" in text(launcher.title) and not launcher.launch_button.disabled
        execution = launcher.launch()
        assert execution is not None and held_tool.STARTED.wait(60)
        composer.set_yaml(renamed(composer.yaml_text, "triage_v4"))  # edited while the run goes on
        assert "Launch triage_v3" in text(launcher.title) and "next launch" in text(launcher.notice)
        held_tool.RELEASE.set()
        assert launcher.wait_done(120) == "SUCCEEDED"
    assert execution.state_machine_arn is not None and execution.state_machine_arn.endswith(":triage_v3")
    assert "Launch triage_v4" in text(launcher.title)  # the edit applies now, for the next launch
    assert launcher.graph.data["execution"]["arn"] == execution.arn  # the finished run stays on screen
    second = launcher.launch()
    assert second is not None and launcher.wait_done(120) == "SUCCEEDED"
    assert second.state_machine_arn is not None and second.state_machine_arn.endswith(":triage_v4")


def test_redrive_after_a_failure_ends_succeeded_once_the_fault_is_gone() -> None:
    launcher = Launcher(TRIAGE)
    launcher.faults.value = FAIL_SUMMARY  # every summarize call fails: its 3 attempts, then the run FAILS
    execution = launcher.launch()
    assert execution is not None and launcher.wait_done(120) == "FAILED"
    assert node_statuses(launcher.graph.svg)["summarize"] == "failed"
    assert launcher.redrivable and launcher.redrive_button.layout.display != "none"
    launcher.faults.value = ""  # the fault is gone
    assert launcher.redrive()
    assert launcher.wait_done(120) == "SUCCEEDED"
    assert launcher.execution is not None and launcher.execution.arn == execution.arn  # the same execution
    types = [e["type"] for e in launcher.execution.history()]
    assert types.count("ExecutionRedriven") == 1 and types[-1] == "ExecutionSucceeded"
    assert launcher.progress.events == len(types)
    assert launcher.status_text.startswith("SUCCEEDED ·") and "summary" in (launcher.output or {})
    assert node_statuses(launcher.graph.svg)["summarize"] in {"succeeded", "retried"}
    assert not launcher.redrivable and launcher.redrive_button.layout.display == "none"


def test_redrive_is_refused_in_plain_words_when_there_is_nothing_to_redrive() -> None:
    launcher = Launcher(TRIAGE)
    assert not launcher.redrive() and "launch first" in launcher.status_text
    assert launcher.launch() is not None and launcher.wait_done(120) == "SUCCEEDED"
    assert not launcher.redrive() and "SUCCEEDED" in launcher.status_text and "cannot redrive" in launcher.status_text
