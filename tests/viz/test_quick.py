"""``workbench.show``: the first-five-minutes call, from a file or a run to a picture."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

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
