"""AslPreview on Missions and on real state machines from the corpus: ASL view, graph and problems."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.viz import StateOverlay
from workbench.widgets import AslPreview
from workbench.widgets.preview.highlight import highlight_json
from workbench.widgets.preview.widget import graph_html, is_asl

REPO = Path(__file__).resolve().parents[2]
TRIAGE = REPO / "missions" / "incident_triage.yaml"


def test_a_mission_file_shows_its_asl_graph_and_summary() -> None:
    preview = AslPreview(TRIAGE)
    assert preview.definition is not None
    states = preview.definition["States"]
    assert f"{len(states)} top-level state(s)" in preview.summary.value
    assert preview.graph.value.startswith("<svg")
    for name in states:
        assert name in preview.graph.value and name in preview.asl.value
    assert "No problems" in preview.problems.children[0].value


def test_a_real_state_machine_from_the_corpus_is_drawn_and_linted(corpus: Path) -> None:
    path = corpus / "asl" / "account-vending-machine__statemachine.asl.json"
    definition = json.loads(path.read_text())
    preview = AslPreview(path)
    assert preview.definition == definition
    assert is_asl(definition)
    assert f"{len(definition['States'])} top-level state(s)" in preview.summary.value
    assert preview.graph.value.startswith("<svg")
    assert not [d for d in preview.diagnostics if d.is_error]


def test_broken_asl_lists_each_problem_with_its_code() -> None:
    preview = AslPreview({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    codes = [d.code for d in preview.diagnostics]
    assert "ASL105" in codes
    assert "1 error" in preview.summary.value or f"{sum(d.is_error for d in preview.diagnostics)} error" in \
        preview.summary.value
    texts = [b.description for b in preview.problems.children]
    assert any("ASL105" in t and "'B'" in t for t in texts)
    preview.problems.children[0].click()  # no step to select: nothing happens, nothing breaks


def test_clicking_a_mission_problem_reports_its_step() -> None:
    picked: list[str] = []
    preview = AslPreview(on_select=picked.append)
    preview.show("mission: m\nsteps:\n  - {id: a, pass: 1, then: zz}\n  - {id: b, succeed: true}\n")
    problem = next(b for b in preview.problems.children if "MIS203" in b.description)
    assert "line 3" in problem.description and "[a]" in problem.description
    problem.click()
    assert picked == ["a"]
    assert "No ASL" in preview.asl.value


def test_unreadable_text_is_a_problem_not_an_exception() -> None:
    preview = AslPreview("mission: [oops\n")
    assert preview.definition is None
    assert preview.diagnostics and preview.diagnostics[0].code == "MIS001"


def test_graph_html_with_and_without_an_overlay() -> None:
    assert "No graph" in graph_html(None)
    definition = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}}
    plain = graph_html(definition)
    coloured = graph_html(definition, {"Hello": StateOverlay("failed", retries=2, error="Boom")})
    assert plain.startswith("<svg") and coloured.startswith("<svg") and plain != coloured
    assert "Boom" in coloured


def test_highlighted_json_escapes_every_value() -> None:
    out = highlight_json({"Comment": "<script>alert(1)</script>", "n": 3, "ok": True})
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "color:#098658" in out and "color:#0000ff" in out


def test_errors_keep_the_last_valid_graph_greyed_until_a_new_source_is_shown() -> None:
    preview = AslPreview(TRIAGE)
    good = preview.graph.value
    from workbench.asl.validate import validate_text

    preview.show_validation(validate_text("mission: m\nsteps: [oops\n"))
    assert preview.stale and preview.definition is None
    assert "last valid version" in preview.graph.value and good in preview.graph.value
    assert "wb-stale" in preview.asl.value and "StartAt" in preview.asl.value
    preview.show("mission: m\nsteps: [oops\n")  # a different source: nothing to fall back on
    assert not preview.stale and "No graph" in preview.graph.value


def test_problems_are_labelled_in_words_with_their_place_and_hint() -> None:
    from workbench.core.diagnostics import Diagnostic

    seen: list[Diagnostic] = []
    preview = AslPreview(on_goto=seen.append)
    preview.show("mission: m\nsteps:\n  - {id: a, pass: 1, then: zz}\n  - {id: b, succeed: true}\n")
    row = next(r for r in preview.problems.children if r.diagnostic.code == "MIS203")
    assert row.link.description == f"line {row.diagnostic.line}:{row.diagnostic.column}"
    assert ">error<" in row.text.value and "wb-badge-error" in row.text.value
    assert all(glyph not in row.text.value for glyph in ("⛔", "⚠", "ℹ", "✔"))
    row.link.click()
    assert seen == [row.diagnostic]
    clean = AslPreview(TRIAGE)
    assert clean.problems.children[0].value.endswith("No problems.</span>")
