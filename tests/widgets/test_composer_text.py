"""The composer's text is the source of truth: typed text is never lost, undo covers typing and form edits,
errors keep the last valid graph (greyed) and list every problem in full, clickable to its line."""

from __future__ import annotations

import html
import os
import re
import stat
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbench.asl.validate import Validation
from workbench.widgets import MissionComposer

REPO = Path(__file__).resolve().parents[2]
TRIAGE = REPO / "missions" / "incident_triage.yaml"
BROKEN = "mission: incident_triage\nsteps:\n  - {id: fetch_alert, tool: fetch_alert\n"


def controls(box: widgets.Widget) -> list[widgets.Widget]:
    """Every control inside a box that can be disabled (text boxes, dropdowns, buttons, checkboxes)."""
    out, stack = [], [box]
    while stack:
        item = stack.pop()
        if hasattr(item, "disabled"):
            out.append(item)
        stack.extend(getattr(item, "children", ()) or ())
    return out


def visible(markup: str) -> str:
    """The text a browser shows for an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_typed_broken_yaml_survives_a_form_edit_and_the_form_is_read_only_until_fixed() -> None:
    c = MissionComposer(TRIAGE)
    c.select("probe_hosts")
    concurrency = c.form.fields[("map", "max_concurrency")]
    c.editor.value = BROKEN  # what the editor syncs after typing
    assert c.yaml_text == BROKEN and c.locked
    banner = c.banner.value
    assert "the YAML has a syntax error at line" in banner and "form is read-only until then" in banner
    assert "fix it in the YAML tab" in banner
    assert all(w.disabled for w in controls(c.form)) and all(w.disabled for w in controls(c.mission_form))
    assert c.buttons["add"].disabled and not c.buttons["undo"].disabled
    concurrency.value = "9"  # a form edit: refused, the typed text is kept
    c.set_field(("comment",), "from the API")
    c.set_mission_field(("timeout",), "1h")
    c.add_step("wait")
    c.remove_step()
    assert c.yaml_text == BROKEN and c.editor.value == BROKEN
    assert "read-only" in c.status.value
    fixed = TRIAGE.read_text().replace("max_concurrency: 5", "max_concurrency: 6")
    c.editor.value = fixed
    assert not c.locked and c.banner.value == ""
    assert not any(w.disabled for w in controls(c.form))
    c.select("probe_hosts")
    c.form.fields[("map", "max_concurrency")].value = "8"
    assert "max_concurrency: 8" in c.yaml_text and c.definition is not None
    assert c.definition["States"]["probe_hosts"]["MaxConcurrency"] == 8


def test_a_file_that_does_not_parse_opens_as_text_with_the_form_read_only(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    c = MissionComposer(path)
    assert c.yaml_text == BROKEN and c.locked and c.path.value == str(path)
    assert c.diagnostics[0].code == "MIS001" and c.diagnostics[0].file == str(path)
    assert c.save(force=True) is True
    assert path.read_text() == BROKEN


def test_a_document_that_is_not_a_mapping_locks_the_form_too() -> None:
    c = MissionComposer(TRIAGE)
    c.set_yaml("- just\n- a list\n")
    assert c.locked and "not a Mission mapping" in c.banner.value
    c.set_mission_field(("mission",), "x")
    assert c.yaml_text == "- just\n- a list\n"


def test_undo_and_redo_cover_a_text_edit_then_a_form_edit_and_back() -> None:
    c = MissionComposer(TRIAGE)
    original = c.yaml_text
    typed = original.replace("timeout: 15m", "timeout: 20m")
    c.editor.value = typed
    c.select("probe_hosts")
    c.form.fields[("map", "max_concurrency")].value = "3"
    both = c.yaml_text
    assert "timeout: 20m" in both and "max_concurrency: 3" in both
    c.undo()
    assert c.yaml_text == typed and c.editor.value == typed
    c.undo()
    assert c.yaml_text == original
    c.redo()
    assert c.yaml_text == typed
    c.redo()
    assert c.yaml_text == both and c.editor.value == both
    assert c.definition is not None and c.definition["TimeoutSeconds"] == 1200
    c.editor.value = BROKEN  # a broken text is a step in the history too
    c.undo()
    assert c.yaml_text == both and not c.locked
    c.redo()
    assert c.yaml_text == BROKEN and c.locked


def test_the_last_good_graph_and_asl_stay_greyed_while_the_text_has_errors() -> None:
    c = MissionComposer(TRIAGE)
    good_graph = c.preview.graph.value
    c.editor.value = BROKEN
    assert c.definition is None and c.preview.stale
    graph, asl = c.preview.graph.value, c.preview.asl.value
    assert "last valid version" in graph and "wb-stale" in graph and "opacity" in graph
    assert good_graph in graph and "fetch_alert" in asl and "last valid version" in asl
    assert "showing the last valid version" in c.preview.summary.value
    c.undo()
    assert not c.preview.stale and c.preview.graph.value == good_graph


def test_problems_show_place_code_message_and_hint_as_text_and_a_click_moves_the_caret() -> None:
    c = MissionComposer(TRIAGE)
    text = c.yaml_text.replace("  list_deploys: {lambda: triage-list-deploys,",
                               "  list_deploys: {lamda: triage-list-deploys,")
    text = text.replace("otherwise: summarize", "otherwise: a_step_that_does_not_exist_anywhere_in_this_mission")
    c.set_yaml(text)
    rows = c.preview.problems.children
    unknown = next(r for r in rows if "lamda" in r.diagnostic.message)
    d = unknown.diagnostic
    assert d.line == 14 and d.column is not None and d.hint
    shown = visible(unknown.text.value)
    assert f"incident_triage.yaml:{d.line}:{d.column}" == unknown.link.description
    assert d.code in shown and d.hint in shown and "hint:" in shown and d.message in shown
    assert "⛔" not in shown and "⚠" not in shown and "ℹ" not in shown
    assert shown.startswith("error MIS100") and "wb-badge-error" in unknown.text.value
    c.tabs.selected_index = 0
    unknown.link.click()  # the place is a link
    assert c.editor.cursor_line == 14 and c.tabs.selected_index == 2
    # a problem that names a step: the step is selected as well, and its full (long) message is shown
    c.set_yaml(TRIAGE.read_text().replace(
        "otherwise: summarize", "otherwise: a_step_that_does_not_exist_anywhere_in_this_mission"))
    goto = next(r for r in c.preview.problems.children if r.diagnostic.code == "MIS203")
    assert goto.diagnostic.message in visible(goto.text.value) and len(goto.diagnostic.message) > 60
    goto.click()
    assert c.editor.cursor_line == goto.diagnostic.line
    assert c.selected is not None and c.data["steps"][c.selected[1]]["id"] == "decide"
    assert goto.diagnostic.line in c.editor.marks  # the gutter flags the line


def test_clicking_a_problem_on_the_line_the_caret_is_on_still_moves_the_view(monkeypatch: Any) -> None:
    c = MissionComposer(TRIAGE)
    sent: list[Any] = []
    monkeypatch.setattr(c.editor, "send", lambda content, buffers=None: sent.append(content))
    c.goto_line(40)
    assert c.editor.cursor_line == 40 and sent == []
    c.goto_line(40)  # the caret is there already (the trait does not change): the view is told again
    assert sent == [{"type": "goto", "line": 40}]
    c.goto_line(10_000)
    assert c.editor.cursor_line == len(c.yaml_text.splitlines())


def test_observe_validation_follows_typing_and_form_edits() -> None:
    c = MissionComposer(TRIAGE)
    seen: list[Validation] = []
    c.observe_validation(seen.append)
    c.select("probe_hosts")
    c.form.fields[("map", "max_concurrency")].value = "4"
    c.editor.value = BROKEN
    assert [v.ok for v in seen] == [True, False]
    assert seen[0].definition is not None and seen[0].definition["States"]["probe_hosts"]["MaxConcurrency"] == 4
    assert seen[-1] is c.validation
    c.unobserve_validation(seen.append)
    c.undo()
    assert len(seen) == 2


def test_a_failing_follower_is_a_message_not_a_broken_composer() -> None:
    c = MissionComposer(TRIAGE)

    def broken(_v: Validation) -> None:
        raise RuntimeError("launcher went away")
    c.observe_validation(broken)
    c.set_mission_field(("timeout",), "16m")
    assert "launcher went away" in c.status.value and "timeout: 16m" in c.yaml_text


def test_save_keeps_a_bom_crlf_line_endings_and_the_file_mode(tmp_path: Path) -> None:
    original = TRIAGE.read_bytes().replace(b"\n", b"\r\n")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + original)
    os.chmod(path, 0o600)
    c = MissionComposer(path)
    assert c.save() is True
    assert path.read_bytes() == b"\xef\xbb\xbf" + original
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    browser_text = c.editor.value.replace("\r\n", "\n")  # a browser's textarea sends LF line ends
    c.editor.value = browser_text.replace("timeout: 15m", "timeout: 16m")
    assert "\r\n" not in c.editor.value  # what was typed is not sent back (keystrokes since are kept)
    assert c.yaml_text == original.decode().replace("timeout: 15m", "timeout: 16m")
    assert c.save() is True
    assert path.read_bytes() == b"\xef\xbb\xbf" + original.replace(b"timeout: 15m", b"timeout: 16m")
    fresh = tmp_path / "fresh.yaml"
    assert c.save(fresh) is True
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644 and c.path.value == str(fresh)
    assert c.diagnostics == [] or all(d.file in (None, str(fresh)) for d in c.diagnostics)


def test_yaml_text_with_a_line_break_opens_as_text_and_an_asl_file_is_imported(corpus: Path) -> None:
    text = "mission: tiny  # a comment\nsteps:\n  - {id: hello, pass: {hi: 1}}\n"
    c = MissionComposer(text)
    assert c.yaml_text == text and c.definition is not None
    asl = corpus / "asl" / "account-vending-machine__statemachine.asl.json"
    c.path.value = ""
    c.load(asl)
    assert c.path.value == "" and c.definition is not None  # the ASL file is never the save target
    assert c.yaml_text.startswith("mission:")
