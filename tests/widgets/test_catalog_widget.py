"""The Catalog widget driven as an operator would: the example plans, live edits, bad and hostile plans,
estimates from real embedded runs (frames, history files, a store) and Launch handing over to the Launcher.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest

import workbench
from workbench.engine.connect.targets import Target
from workbench.widgets import Catalog, Launcher

from .widget_support import REPO

pytestmark = pytest.mark.timeout(240)

CATALOG = REPO / "missions" / "catalog"
PLANS = REPO / "missions" / "plans"
TRIAGE_PLAN = PLANS / "triage_payments.plan.json"


def text(widget: Any) -> str:
    """What an HTML widget shows, tags stripped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", str(getattr(widget, "value", ""))))


def html_values(widget: Any) -> Iterator[str]:
    """The markup of every HTML widget inside ``widget`` (what the browser would render)."""
    if isinstance(widget, widgets.HTML):
        yield str(widget.value)
    for child in getattr(widget, "children", ()):
        yield from html_values(child)


def triage_plan(**changes: Any) -> dict[str, Any]:
    plan = json.loads(TRIAGE_PLAN.read_text())
    plan.update(changes)
    return plan


@pytest.fixture(scope="module")
def triage_runs() -> list[Any]:
    """Three real runs of the triage plan on the time-warped embedded engine."""
    catalog = workbench.load_catalog(CATALOG)
    prepared = workbench.prepare_plan(workbench.load_plan(TRIAGE_PLAN), catalog)
    target = Target.parse("embedded", time_warp=True)
    runs = [workbench.deploy_plan(prepared, target, start=True).execution for _ in range(3)]
    assert [r.status for r in runs] == ["SUCCEEDED"] * 3
    return runs


@pytest.mark.parametrize(("plan", "headline", "machine"), [
    ("triage_payments", "selected incident_triage 2.0", "incident_triage-v2_0-"),
    ("backfill_orders", "selected data_backfill 2.0", "data_backfill-v2_0-"),
    ("weekly_digest", "no template fits plan kind 'weekly_digest'", None),
], ids=["triage_payments", "backfill_orders", "weekly_digest"])
def test_each_example_plan_shows_its_selection(plan: str, headline: str, machine: str | None) -> None:
    catalog = Catalog(CATALOG, PLANS / f"{plan}.plan.json")
    assert catalog.explanation[0].startswith(headline)
    assert text(catalog.selection).strip().startswith(headline)
    assert "rejected:" in text(catalog.selection)
    if machine is None:
        assert catalog.prepared is not None and catalog.prepared.mission is None
        assert catalog.launch_button.disabled and "Nothing to deploy" in text(catalog.bound)
        catalog.generate.value = True  # the generated path: a Mission from the plan's own steps
        assert catalog.prepared.generated and catalog.prepared.state_machine_name == "weekly_digest"
        assert "generated from the plan's steps" in text(catalog.bound)
    else:
        name = catalog.prepared.state_machine_name
        assert name is not None and name.startswith(machine) and name in text(catalog.bound)
        assert "wb-catalog-templates" in catalog.templates.value
        selected_row = re.search(r"<tr style='background:[^']+'>(.*?)</tr>", catalog.templates.value)
        assert selected_row is not None and machine.split("-")[0] in selected_row.group(1)
    assert catalog.graph.value.startswith("<svg") and not catalog.launch_button.disabled
    assert catalog.problems == [] and "No problems" in text(catalog.problems_box)


def test_editing_the_plan_text_changes_the_selection_live() -> None:
    catalog = Catalog(CATALOG, TRIAGE_PLAN)
    triage_graph = catalog.graph.value
    assert catalog.prepared.template_name == "incident_triage"
    assert catalog.template_picker.value == "incident_triage 2.0"  # the template list follows the selection
    catalog.editor.value = json.dumps({"kind": "backfill", "goal": "Backfill April", "parameters": {"batch_size": 7}})
    assert catalog.explanation[0].startswith("selected data_backfill 2.0")
    assert catalog.template_picker.value == "data_backfill 2.0" and "batch_size" in text(catalog.template_detail)
    assert catalog.prepared.bound.parameters["batch_size"] == 7
    assert catalog.graph.value != triage_graph and "list_partitions" in catalog.graph.value
    catalog.editor.value = catalog.editor.value.replace('"backfill"', '"incident_triage"')
    assert catalog.explanation[0] == "no template fits plan kind 'incident_triage'"  # batch_size is not its parameter
    assert any("batch_size" in line and "is not a parameter" in line for line in catalog.explanation)
    assert catalog.launch_button.disabled


def test_an_invalid_plan_names_the_field_and_cannot_launch() -> None:
    catalog = Catalog(CATALOG, TRIAGE_PLAN)
    catalog.editor.value = json.dumps(triage_plan(constraints={"deadline": "10m", "budget_usd": -1}), indent=2)
    [line] = catalog.problems
    assert "PLAN002" in line and "constraints.budget_usd" in line and line.startswith("triage_payments.plan.json:")
    assert "PLAN002" in text(catalog.problems_box) and "constraints.budget_usd" in text(catalog.problems_box)
    assert catalog.prepared is None and catalog.explanation == [] and catalog.launch_button.disabled
    assert catalog.launch() is None and catalog.launcher is None
    assert catalog.status_text.startswith("cannot launch: the plan has 1 problem(s); first: ")
    assert "constraints.budget_usd" in catalog.status_text


def test_the_asl_preview_holds_the_bound_values() -> None:
    catalog = Catalog(CATALOG, TRIAGE_PLAN)
    asl = json.loads(text(catalog.asl))
    probe = asl["States"]["probe_hosts"]
    assert probe["MaxConcurrency"] == 8  # the plan's probe_concurrency, not the template's default 5
    first = catalog.prepared.state_machine_name
    catalog.set_plan(triage_plan(parameters={"service": "payments-api", "probe_concurrency": 12}))
    assert json.loads(text(catalog.asl))["States"]["probe_hosts"]["MaxConcurrency"] == 12
    assert catalog.prepared.state_machine_name != first  # other parameters, another state machine
    assert catalog.prepared.state_machine_name in text(catalog.bound)


def test_a_hostile_plan_is_shown_as_text() -> None:
    goal = "<img src=x onerror=alert(1)>"
    catalog = Catalog(CATALOG, triage_plan(goal=goal, parameters={"service": "<script>alert(2)</script>"}))
    markup = "".join(html_values(catalog))
    assert "<img" not in markup and "<script" not in markup
    assert html.escape(goal) in catalog.plan_summary.value and goal in text(catalog.plan_summary)
    assert "<script>alert(2)</script>" in text(catalog.selection)  # the rejected value, as characters
    catalog.set_plan(triage_plan(goal=goal))
    assert "<img" not in "".join(html_values(catalog)) and goal in text(catalog.plan_summary)


NOTE_TEMPLATE = """\
mission: note_keeper
version: "1.0"
description: Keep a note the Director wrote.
query_language: JSONata
catalog: {kinds: [note]}
parameters:
  note: {type: string, default: hello, description: Any text.}
  tool_name: {type: string, default: notes-write, description: The Lambda function that stores it.}
tools:
  store_note: {lambda: "{{ tool_name }}", local: "missions.tools.generic:echo"}
steps:
  - id: keep
    pass: {note: "{{ note }}"}
  - id: store
    tool: store_note
    args: {note: "{{ note }}"}
    end: true
"""


def test_parameter_values_holding_jsonata_or_asl_stay_values(tmp_path: Path) -> None:
    (tmp_path / "note.yaml").write_text(NOTE_TEMPLATE)
    jsonata = '{% $eval("1") %} <b>'
    catalog = Catalog(tmp_path, {"kind": "note", "goal": "keep it", "parameters": {"note": jsonata}})
    asl = json.loads(text(catalog.asl))  # the preview is escaped text: it reads back as the very ASL
    assert asl == catalog.prepared.definition
    assert asl["States"]["keep"]["Output"] == {"note": "{% " + json.dumps(jsonata) + " %}"}  # a string literal
    assert "<b>" not in catalog.asl.value and "&lt;b&gt;" in catalog.asl.value
    catalog.set_plan({"kind": "note", "goal": "keep it", "parameters": {"tool_name": '"} , "Type": "Fail'}})
    [line] = catalog.problems
    assert "TPL011" in line and "parameter 'tool_name' makes the tool name" in line
    assert "not a Lambda function name" in line and catalog.prepared.definition is None
    assert catalog.launch() is None and catalog.status_text.startswith("cannot launch: the bound Mission has 1 error")


def test_estimate_lines_from_frames_of_real_runs(triage_runs: list[Any]) -> None:
    catalog = Catalog(CATALOG, TRIAGE_PLAN, histories=workbench.frames(triage_runs))
    estimate = catalog.estimate
    assert estimate is not None and estimate.executions == 3
    lines = estimate.lines()
    assert lines[0].startswith("incident_triage: 3 recorded runs · duration p50 ")
    assert lines[0] in text(catalog.estimate_box)
    warning = "only 3 recorded runs of incident_triage: the estimate is rough"
    assert warning in estimate.warnings and f"⚠ {warning}" in text(catalog.estimate_box)
    assert catalog.estimate_box.value.count("wb-estimate-warning") == len(estimate.warnings)
    assert estimate.cost_p50_usd is not None and estimate.cost_p50_usd > 0
    budget = estimate.cost_p50_usd / 2  # a budget every recorded run went over
    catalog.set_plan(triage_plan(constraints={"deadline": "10m", "budget_usd": budget}))
    [over] = [w for w in catalog.estimate.warnings if w.startswith("budget ")]
    assert "will probably be missed: p50 cost" in over and over.endswith("over 3 recorded runs")
    assert f"⚠ {over}" in text(catalog.estimate_box)


def test_estimate_from_history_files_and_from_a_store(triage_runs: list[Any], tmp_path: Path) -> None:
    folder = tmp_path / "histories"
    folder.mkdir()
    for i, run in enumerate(triage_runs):
        events = [{**e, "timestamp": e["timestamp"].timestamp()} for e in run.history()]
        (folder / f"run{i}.json").write_text(json.dumps({
            "executionArn": run.arn, "stateMachineArn": run.state_machine_arn, "events": events}, default=str))
    from_files = Catalog(CATALOG, TRIAGE_PLAN, histories=[folder])
    assert from_files.estimate is not None and from_files.estimate.executions == 3, text(from_files.estimate_box)
    store = tmp_path / "store"
    workbench.store.ingest(triage_runs, store, progress=False)
    from_store = Catalog(CATALOG, TRIAGE_PLAN, store=store)
    assert from_store.estimate is not None and from_store.estimate.executions == 3
    assert f"from the store {store}" in text(from_store.estimate_box)
    assert from_store.estimate.duration_p50_s == pytest.approx(from_files.estimate.duration_p50_s)
    missing = Catalog(CATALOG, TRIAGE_PLAN, store=tmp_path / "nope")
    assert missing.estimate is None and text(missing.estimate_box).strip().startswith("no estimate: ")
    assert "nope does not exist" in text(missing.estimate_box) and not missing.launch_button.disabled


def test_launch_hands_over_to_the_launcher_and_the_run_succeeds() -> None:
    catalog = Catalog(CATALOG, TRIAGE_PLAN)
    name = catalog.prepared.state_machine_name
    launcher = catalog.launch()
    assert isinstance(launcher, Launcher) and catalog.launcher is launcher
    assert catalog.launcher_box.children == (launcher,)
    assert launcher.wait_done(60) == "SUCCEEDED"
    execution = launcher.execution
    assert execution is not None and execution.state_machine_arn.endswith(f":stateMachine:{name}")
    started = next(e for e in execution.history() if e["type"] == "ExecutionStarted")
    assert json.loads(started["executionStartedEventDetails"]["input"]) == {"alert_id": "ALR-88213"}
    assert f"handed over to the Launcher below: {name}" == catalog.status_text
    catalog.launch_button.click()  # the button: a new Launcher, started in its thread
    again = catalog.launcher
    assert again is not None and again is not launcher and again.wait_done(60) == "SUCCEEDED"


def test_templates_are_listed_with_parameters_and_graphs() -> None:
    catalog = Catalog(CATALOG)
    assert "incident_triage" in text(catalog.templates) and "data_backfill" in text(catalog.templates)
    template = catalog.select_template("incident_triage")
    assert template is not None and catalog.template_picker.value == "incident_triage 2.0"
    detail = text(catalog.template_detail)
    assert "probe_concurrency" in detail and "minimum 1 · maximum 20" in detail
    assert "oncall, service, alert" in text(catalog.templates)
    assert catalog.template_graph.value.startswith("<svg") and "probe_hosts" in catalog.template_graph.value
    assert catalog.select_template("nope") is None and "no template 'nope'" in text(catalog.template_detail)
    assert catalog.prepared is None and catalog.launch() is None and catalog.status_text == "cannot launch: no plan yet"


def test_a_missing_catalog_or_plan_file_is_one_line(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "none", "missions/plans/typo.plan.json")
    assert "CAT001" in text(catalog.catalog_problems) and "does not exist" in text(catalog.catalog_problems)
    [line] = catalog.problems
    assert "PLAN001" in line and "typo.plan.json" in line and catalog.launch() is None
