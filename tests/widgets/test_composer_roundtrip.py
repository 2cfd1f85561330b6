"""Round trip: every example Mission, loaded in the composer, edited as a no-op through the form and saved,
is byte-for-byte the same file; a one-field form edit changes only that field's lines, and comments,
flow maps and quoting survive. Tools, defaults and local settings are edited the same way."""

from __future__ import annotations

import difflib
import html
import json
import re
from pathlib import Path

import ipywidgets as widgets
import pytest
import yaml

from workbench.mission import loads_mission
from workbench.widgets import MissionComposer

REPO = Path(__file__).resolve().parents[2]
MISSIONS = sorted(p for p in (REPO / "missions").glob("*.yaml") if not p.name.endswith(".tests.yaml"))
TRIAGE = REPO / "missions" / "incident_triage.yaml"


def with_comments(text: str) -> str:
    """The Mission with comments a person would write: a header, one above each top-level step, one at the end
    of the ``steps:`` line and one at the end of the first tool's line."""
    out = ["# Kept by hand: the composer must leave these comments alone.", ""]
    for line in text.splitlines():
        if line.startswith("  - id: "):
            out.append(f"  # step {line.split(': ', 1)[1]}")
        if line == "steps:":
            line += "  # the plan, in order"
        out.append(line)
    return "\n".join(out) + "\n"


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed and the lines added between two texts."""
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    removed = [d[1:] for d in diff if d.startswith("-") and not d.startswith("---")]
    added = [d[1:] for d in diff if d.startswith("+") and not d.startswith("+++")]
    return removed, added


def comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^\s*#", line) or "  # " in line]


def retype_every_field(box: widgets.Widget) -> int:
    """Type every YAML box's value again in another spelling (JSON): the same value, so no edit. Returns how many."""
    count = 0
    for control in list(getattr(box, "fields", {}).values()):
        if isinstance(control, widgets.Textarea) and control.value.strip() and control.description != "description":
            control.value = json.dumps(yaml.safe_load(control.value))
            count += 1
    return count


@pytest.mark.parametrize("path", MISSIONS, ids=lambda p: p.name)
def test_load_then_save_is_byte_for_byte(path: Path, tmp_path: Path) -> None:
    target = tmp_path / path.name
    c = MissionComposer(path)
    assert c.save(target, force=True) is True
    assert target.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("commented", [False, True], ids=["as-is", "with-comments"])
@pytest.mark.parametrize("path", MISSIONS, ids=lambda p: p.name)
def test_no_op_form_edits_then_save_is_byte_for_byte(path: Path, commented: bool, tmp_path: Path) -> None:
    source = tmp_path / f"src-{path.name}"
    source.write_text(with_comments(path.read_text()) if commented else path.read_text())
    original = source.read_bytes()
    c = MissionComposer(source)
    retyped = retype_every_field(c.mission_form)
    for _label, step_path in c.tree.options:
        c.tree.value = step_path  # select the step in the tree, as a click does
        retyped += retype_every_field(c.form)
        step = c.data
        for part in step_path:
            step = step[part]
        for field in ("comment", "save_as", "then", "timeout"):
            c.set_field((field,), step.get(field))  # each field set to the value it has
        c.rename(step["id"])
    for name, value in c.data.items():
        if name != "steps":
            c.set_mission_field((name,), value)
    assert retyped > 3 and c.doc.undo_stack == []  # nothing was edited
    target = tmp_path / path.name
    assert c.save(target, force=True) is True
    assert target.read_bytes() == original


@pytest.mark.parametrize("path", MISSIONS, ids=lambda p: p.name)
def test_a_one_field_edit_changes_only_that_line_and_comments_survive(path: Path, tmp_path: Path) -> None:
    source = tmp_path / path.name
    source.write_text(with_comments(path.read_text()))
    before = source.read_text()
    c = MissionComposer(source)
    name = c.data["mission"]
    c.mission_form.fields[("mission",)].value = f"{name}_v2"
    assert changes(before, c.yaml_text) == ([f"mission: {name}"], [f"mission: {name}_v2"])
    assert comments(c.yaml_text) == comments(before) and len(comments(before)) > 3
    assert c.mission is not None and c.mission.name == f"{name}_v2"
    assert c.save() is True
    assert changes(before, source.read_text()) == ([f"mission: {name}"], [f"mission: {name}_v2"])


def test_a_step_field_edit_in_a_block_map_changes_one_line() -> None:
    c = MissionComposer(TRIAGE)
    before = c.yaml_text
    c.select("probe_hosts")
    c.form.fields[("map", "max_concurrency")].value = "7"
    assert changes(before, c.yaml_text) == (["      max_concurrency: 5"], ["      max_concurrency: 7"])


def test_tool_edits_keep_the_flow_map_on_its_line() -> None:
    c = MissionComposer(TRIAGE)
    before = c.yaml_text
    lines = before.splitlines()
    c.mission_form.fields[("tools", "fetch_alert", "memory_mb")].value = "512"
    removed, added = changes(before, c.yaml_text)
    assert removed == [lines[10]] and added == [lines[10].replace("memory_mb: 256", "memory_mb: 512")]
    c.mission_form.fields[("tools", "list_deploys", "arch")].value = "arm64"
    removed, added = changes(before, c.yaml_text)
    assert removed == [lines[10], lines[13]] and added[1].startswith("  list_deploys: {lambda: triage-list-deploys,")
    assert added[1].endswith("}") and "arch: arm64" in added[1]
    c.mission_form.fields[("tools", "probe_host", "lambda")].value = "triage-probe-host-v2"
    c.mission_form.fields[("tools", "probe_host", "local")].value = "missions.tools.triage:probe_host"  # unchanged
    assert len(changes(before, c.yaml_text)[0]) == 3
    assert c.mission is not None
    tools = c.mission.tools
    assert tools["fetch_alert"].memory_mb == 512 and tools["list_deploys"].arch == "arm64"
    assert tools["probe_host"].lambda_ == "triage-probe-host-v2" and tools["probe_host"].arch == "arm64"


def test_adding_and_removing_a_tool() -> None:
    c = MissionComposer(TRIAGE)
    before = c.yaml_text
    c.mission_form.new_tool.value = "notify"
    c.mission_form.new_lambda.value = "triage-notify"
    c.mission_form.add_button.click()
    assert c.mission is not None and c.mission.tools["notify"].lambda_ == "triage-notify"
    removed, added = changes(before, c.yaml_text)
    assert removed == [] and 1 <= len(added) <= 2 and "notify" in added[0] and "triage-notify" in added[-1]
    c.mission_form.fields[("tools", "notify", "memory_mb")].value = "256"
    assert c.mission is not None and c.mission.tools["notify"].memory_mb == 256
    c.add_tool("notify", "again")
    assert "already a tool 'notify'" in html.unescape(c.status.value)
    remove = next(w for box in c.mission_form.children if "wb-tool" in box._dom_classes
                  and "notify" in box.children[0].children[0].value for w in box.children[0].children
                  if isinstance(w, widgets.Button))
    remove.click()
    assert c.yaml_text == before
    c.remove_tool("page_oncall")
    assert any(d.code and "page_oncall" in d.message for d in c.diagnostics)  # page_human still calls it


def test_defaults_edits_reach_the_mission_with_minimal_diffs() -> None:
    c = MissionComposer(TRIAGE)
    before = c.yaml_text
    c.mission_form.fields[("defaults", "timeout")].value = "45s"
    assert changes(before, c.yaml_text) == (["  timeout: 30s"], ["  timeout: 45s"])
    c.mission_form.fields[("defaults", "heartbeat")].value = "5s"
    removed, added = changes(before, c.yaml_text)
    assert removed == ["  timeout: 30s"] and added == ["  timeout: 45s", "  heartbeat: 5s"]
    retry = c.mission_form.fields[("defaults", "retry")]
    retry.value = retry.value.replace("max_attempts: 3", "max_attempts: 5")
    removed, added = changes(before, c.yaml_text)
    assert "      max_attempts: 3" in removed and "      max_attempts: 5" in added and len(removed) <= 7
    assert all(line.startswith("  ") for line in added)  # nothing outside the defaults block moved
    assert c.mission is not None
    assert c.mission.defaults.timeout == 45 and c.mission.defaults.heartbeat == 5
    assert c.mission.defaults.retry[0].max_attempts == 5
    assert c.definition is not None and c.definition["States"]["fetch_alert"]["TimeoutSeconds"] == 45


def test_local_settings_edits_reach_the_mission_with_minimal_diffs() -> None:
    c = MissionComposer(TRIAGE)
    before = c.yaml_text
    c.mission_form.fields[("local", "time_warp")].value = False
    assert changes(before, c.yaml_text) == (["  time_warp: true"], ["  time_warp: false"])
    c.mission_form.fields[("local", "seed")].value = "42"
    c.mission_form.fields[("local", "faults")].value = "probe_host: {fail_rate: 0.5, error: HostDown}"
    removed, added = changes(before, c.yaml_text)
    assert removed == ["  time_warp: true"] and "  seed: 42" in added
    assert c.mission is not None
    local = c.mission.local
    assert local.time_warp is False and local.seed == 42
    assert local.faults["probe_host"].fail_rate == 0.5 and local.faults["probe_host"].error == "HostDown"
    c.mission_form.fields[("local", "input")].value = "{alert_id: ALR-1, service: web}"
    assert c.mission is not None and c.mission.local.input == {"alert_id": "ALR-1", "service": "web"}
    c.mission_form.fields[("local", "seed")].value = ""  # empty removes the field
    assert "seed:" not in c.yaml_text


def test_strings_that_yaml_1_1_reads_as_other_types_stay_strings() -> None:
    c = MissionComposer(TRIAGE)
    c.select("summarize")
    for value in ("yes", "on", "1:30", "2024-03-01", "null", "0x10"):
        c.form.fields[("comment",)].value = value
        step = next(s for s in c.data["steps"] if s["id"] == "summarize")
        assert step["comment"] == value, c.yaml_text
        assert loads_mission(c.yaml_text).step("summarize").comment == value


def test_adding_moving_and_removing_steps_touch_only_their_lines() -> None:
    c = MissionComposer(TRIAGE)
    before = c.yaml_text
    c.select("assess")
    new_id = c.add_step("wait")
    assert new_id == "wait"
    removed, added = changes(before, c.yaml_text)
    assert removed == [] and any("id: wait" in line for line in added) and len(added) <= 4
    assert c.definition is not None and c.definition["States"]["wait"]["Type"] == "Wait"
    c.move_step(-1)
    ids = [s["id"] for s in c.data["steps"]]
    assert ids.index("wait") == ids.index("assess") - 1
    c.remove_step()
    assert c.yaml_text == before
