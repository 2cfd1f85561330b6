"""``workbench.show``: the first-five-minutes call, from a file or a run to a picture."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import workbench

REPO = Path(__file__).resolve().parents[2]
TRIAGE = REPO / "missions" / "incident_triage.yaml"


def _states(svg: str) -> dict[str, dict[str, str]]:
    root = ET.fromstring(svg)
    return {g.get("data-state", ""): dict(g.attrib) for g in root.iter("{http://www.w3.org/2000/svg}g")
            if "node" in (g.get("class") or "").split()}


def test_show_a_mission_file_draws_every_step_and_names_branches() -> None:
    view = workbench.show(str(TRIAGE))
    states = _states(view.svg)
    mission = workbench.load_mission(TRIAGE)
    assert {s.id for s in mission.walk()} <= set(states)
    assert ">logs<" in view.svg or "logs" in view.svg  # Parallel branches titled by their Mission names


def test_show_an_asl_file(corpus: Path) -> None:
    path = corpus / "asl" / "data-processing__sam__statemachine__statemachine.asl.json"
    states = _states(workbench.show(path).svg)
    assert set(json.loads(path.read_text())["States"]) <= set(states)


def test_show_with_a_run_colours_states_by_what_happened() -> None:
    run = workbench.run_mission(TRIAGE, progress=False, time_warp=True)
    states = _states(workbench.show(TRIAGE, run).svg)
    assert states["fetch_alert"]["data-status"] == "succeeded"
    assert states["triage_failed"].get("data-status", "not_reached") == "not_reached"


def test_show_with_a_run_is_the_clickable_view_and_without_one_the_svg_graph() -> None:
    from workbench.viz.graph.svg import GraphView
    from workbench.widgets.inspect import ExecutionView

    run = workbench.run_mission(TRIAGE, progress=False, time_warp=True)
    view = workbench.show(TRIAGE, run)
    assert isinstance(view, ExecutionView)
    assert view.data["execution"]["arn"] == run.arn
    assert view.select("fetch_alert")[0]["status"] == "succeeded"  # what a click on the state opens
    assert isinstance(workbench.show(TRIAGE), GraphView)


def test_show_a_missing_file_prints_one_line_and_returns_none(capsys: pytest.CaptureFixture[str]) -> None:
    assert workbench.show("typo.yml") is None
    assert workbench.show(Path("nowhere") / "typo.asl.json") is None
    out = capsys.readouterr()
    assert out.out.splitlines() == ["workbench.show: file not found: typo.yml (check the path)",
                                    "workbench.show: file not found: nowhere/typo.asl.json (check the path)"]
    assert "Traceback" not in out.err


def test_show_a_broken_mission_prints_its_first_problem_on_one_line(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("mission: broken\nsteps:\n  - {id: a, pass: 1, then: nowhere}\n")
    folder = tmp_path / "a-folder.yaml"
    folder.mkdir()
    assert workbench.show(broken) is None and workbench.show(folder) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("workbench.show: ") for line in lines)
    assert "MIS203" in lines[0] and "nowhere" in lines[0]
    assert "a-folder.yaml" in lines[1]
