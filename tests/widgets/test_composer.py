"""The composer driven as an operator would: open a Mission, edit it in the form and as YAML, fix problems, save."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from workbench.mission import load_mission, loads_mission
from workbench.widgets import MissionComposer
from workbench.widgets.composer import mission_edit as me

REPO = Path(__file__).resolve().parents[2]
TRIAGE = REPO / "missions" / "incident_triage.yaml"


def composer() -> MissionComposer:
    return MissionComposer(TRIAGE)


def button(c: MissionComposer, name: str):  # type: ignore[no-untyped-def]
    return c.buttons[name]


def test_opening_a_mission_shows_asl_graph_and_no_problems() -> None:
    c = composer()
    mission = load_mission(TRIAGE)
    assert c.validation is not None and c.validation.ok
    assert c.mission is not None and c.mission.name == mission.name
    assert c.definition is not None and c.definition["StartAt"] == "fetch_alert"
    assert "StartAt" in c.preview.asl.value and c.preview.graph.value.startswith("<svg")
    assert "0 error(s)" in c.preview.summary.value
    assert [label for label, _path in c.tree.options] == [ref.label for ref in me.list_steps(c.data)]
    assert len(c.tree.options) == len(list(mission.walk()))
    assert c.path.value == str(TRIAGE)


def test_changing_a_retry_policy_in_the_form_reaches_yaml_and_asl() -> None:
    c = composer()
    c.select("page_human")
    assert c.form.children[1].value == "page_human"  # the id box
    c.form.fields[("retry",)].value = "- {errors: [States.ALL], interval: 1s, max_attempts: 2, backoff: 3}"
    assert c.definition is not None
    assert c.definition["States"]["page_human"]["Retry"] == [
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 3.0}]
    saved = yaml.safe_load(c.yaml_text)
    page = next(s for s in saved["steps"] if s["id"] == "page_human")
    assert page["retry"] == [{"errors": ["States.ALL"], "interval": "1s", "max_attempts": 2, "backoff": 3}]


def test_add_default_retry_button_appends_a_policy() -> None:
    c = composer()
    c.select("summarize")
    add_retry = next(w for row in c.form.children if hasattr(row, "children") for w in row.children
                     if getattr(w, "description", "") == "add default retry")
    add_retry.click()
    assert c.definition is not None
    retry = c.definition["States"]["summarize"]["Retry"]
    assert retry[-1]["ErrorEquals"] == me.DEFAULT_RETRY["errors"] and retry[-1]["MaxAttempts"] == 3


def test_changing_a_branch_moves_the_choice_default_and_rules() -> None:
    c = composer()
    c.select("decide")
    c.form.fields[("otherwise",)].value = "page_human"
    assert c.definition is not None and c.definition["States"]["decide"]["Default"] == "page_human"
    c.form.fields[("choose",)].value = "- {when: '{% $assessment.hosts > 3 %}', goto: summarize}"
    choice = c.definition["States"]["decide"]
    assert [r["Next"] for r in choice["Choices"]] == ["summarize"]
    assert choice["Choices"][0]["Condition"] == "{% $assessment.hosts > 3 %}"


def test_a_problem_names_the_step_and_clicking_it_selects_that_step() -> None:
    c = composer()
    c.select("decide")
    c.form.fields[("choose",)].value = "- {when: '{% true %}', goto: nowhere}"
    assert c.validation is not None and not c.validation.ok
    assert c.definition is None and c.preview.stale  # the last valid graph stays, greyed, under a note
    assert "last valid version" in c.preview.graph.value and "wb-stale" in c.preview.graph.value
    assert c.mission is None  # a Mission with errors is not handed out
    codes = {d.code: d for d in c.diagnostics}
    assert codes["MIS203"].step == "decide" and "nowhere" in codes["MIS203"].message
    c.select("fetch_alert")
    problem = next(b for b in c.preview.problems.children if "MIS203" in b.description)
    problem.click()
    assert c.selected == me.find_step(c.data, "decide")
    assert c.tree.value == c.selected
    assert c.form.children[1].value == "decide"


def test_undo_and_redo_walk_through_edits_and_a_new_edit_clears_redo() -> None:
    c = composer()
    original = c.yaml_text
    c.select("probe_hosts")
    c.form.fields[("map", "max_concurrency")].value = "9"
    c.select("summarize")
    c.form.fields[("comment",)].value = "Post the summary."
    edited = c.yaml_text
    assert "max_concurrency: 9" in edited and "Post the summary." in edited
    button(c, "undo").click()
    assert "Post the summary." not in c.yaml_text and "max_concurrency: 9" in c.yaml_text
    button(c, "undo").click()
    assert c.yaml_text == original  # undo gives back the very text
    button(c, "redo").click()
    button(c, "redo").click()
    assert c.yaml_text == edited
    button(c, "undo").click()
    c.select("assess")
    c.form.fields[("comment",)].value = "new"
    button(c, "redo").click()  # nothing to redo any more
    assert "Post the summary." not in c.yaml_text


def test_add_move_remove_steps_with_the_buttons() -> None:
    c = composer()
    c.select("assess")
    c.kind.value = "wait"
    button(c, "add").click()
    ids = [s["id"] for s in c.data["steps"]]
    assert ids[ids.index("assess") + 1] == "wait"
    assert c.definition is not None and c.definition["States"]["wait"]["Type"] == "Wait"
    button(c, "up").click()
    ids = [s["id"] for s in c.data["steps"]]
    assert ids.index("wait") == ids.index("assess") - 1
    button(c, "remove").click()
    assert "wait" not in [s["id"] for s in c.data["steps"]]
    assert c.validation is not None and c.validation.ok


def test_renaming_a_step_updates_every_jump_to_it() -> None:
    c = composer()
    c.select("summarize")
    c.form.children[1].value = "post_summary"
    assert c.data["steps"][4]["otherwise"] == "post_summary"
    assert c.definition is not None and c.definition["States"]["decide"]["Default"] == "post_summary"
    assert c.validation is not None and c.validation.ok


def test_yaml_edits_update_the_form_and_bad_yaml_is_a_positioned_problem() -> None:
    c = composer()
    c.set_yaml(c.yaml_text.replace("max_concurrency: 5", "max_concurrency: 7"))
    assert c.data["steps"][2]["map"]["max_concurrency"] == 7
    assert c.definition is not None and c.definition["States"]["probe_hosts"]["MaxConcurrency"] == 7
    before = dict(c.data)
    c.set_yaml("mission: incident_triage\nsteps: [unclosed\n")
    assert c.validation is not None and c.validation.unreadable
    bad = c.diagnostics[0]
    assert bad.code == "MIS001" and bad.line is not None
    assert c.data == before  # the tree keeps the last readable Mission
    assert c.yaml_text == "mission: incident_triage\nsteps: [unclosed\n"  # and the text stays as typed
    assert "MIS001" in c.preview.problems.children[0].description


def test_save_writes_atomically_and_the_file_loads_back(tmp_path: Path) -> None:
    c = composer()
    c.select("probe_hosts")
    c.form.fields[("map", "max_concurrency")].value = "3"
    target = tmp_path / "copy.yaml"
    target.write_text("old content\n")
    assert c.save(target) is True
    assert target.read_text() == c.yaml_text
    assert os.listdir(tmp_path) == ["copy.yaml"]  # no temp file left behind
    reloaded = load_mission(target)
    assert reloaded.step("probe_hosts").map.max_concurrency == 3  # type: ignore[attr-defined]
    assert c.path.value == str(target) and "saved" in c.status.value


def test_save_with_errors_asks_first_then_saves_or_cancels(tmp_path: Path) -> None:
    c = composer()
    c.select("decide")
    c.form.fields[("otherwise",)].value = ""
    c.form.fields[("choose",)].value = "- {when: '{% true %}', goto: nowhere}"
    target = tmp_path / "broken.yaml"
    assert c.save(target) is False
    assert not target.exists()
    question, yes, no = c.confirm.children
    assert "error" in question.value and yes.description == "save anyway"
    no.click()
    assert c.confirm.children == () and not target.exists()
    c.save(target)
    c.confirm.children[1].click()
    assert target.exists() and c.confirm.children == ()
    assert "goto: nowhere" in target.read_text()


def test_save_without_a_file_name_says_so() -> None:
    c = MissionComposer()
    assert c.save() is False
    assert "choose a file name" in c.status.value


def test_a_new_composer_starts_with_a_valid_mission_and_can_load_a_mission_object() -> None:
    c = MissionComposer()
    assert c.validation is not None and c.validation.ok
    mission = loads_mission("mission: tiny\nsteps:\n  - {id: hello, pass: {hi: 1}}\n")
    c.load(mission)
    assert c.definition is not None and list(c.definition["States"]) == ["hello"]
    c.undo()
    assert c.data["mission"] == "new-mission"


def test_opening_a_missing_file_is_a_plain_message(tmp_path: Path) -> None:
    c = MissionComposer()
    before = c.yaml_text
    c.load(tmp_path / "nope.yaml")
    assert "cannot open" in c.status.value and "nope.yaml" in c.status.value
    assert c.yaml_text == before


def test_the_form_reuses_its_controls_across_edits_and_steps_of_a_kind() -> None:
    c = composer()
    c.select("fetch_alert")
    timeout = c.form.fields[("timeout",)]
    timeout.value = "20s"
    assert c.form.fields[("timeout",)] is timeout and timeout.value == "20s"
    c.select("summarize")  # another tool step: the same controls show its values
    assert c.form.fields[("timeout",)] is timeout and timeout.value == ""
    assert c.form.children[1].value == "summarize" and c.form.fields[("tool",)].value == "summarize_incident"
    timeout.value = "9s"  # edits the step now selected, not the one the control was built for
    steps = {s["id"]: s for s in c.data["steps"]}
    assert steps["summarize"]["timeout"] == "9s" and steps["fetch_alert"]["timeout"] == "20s"
    before = c.yaml_text
    c.form.fields[("comment",)].value = "Read the alert that woke us up."  # fetch_alert's comment, not this one's
    assert "comment: Read the alert that woke us up." in c.yaml_text.split("id: summarize")[1]
    c.undo()
    assert c.yaml_text == before
    memory = c.mission_form.fields[("tools", "fetch_alert", "memory_mb")]
    memory.value = "512"
    assert c.mission_form.fields[("tools", "fetch_alert", "memory_mb")] is memory
    edits, text = len(c.doc.undo_stack), c.yaml_text
    memory.value = "0512"  # the same number written another way: no edit
    assert len(c.doc.undo_stack) == edits and c.yaml_text == text and "memory_mb: 512" in text
    assert c.mission is not None and c.mission.tools["fetch_alert"].memory_mb == 512
