"""Loading Missions: every bad input gives one clear diagnostic naming file, line, column, step and fix."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from workbench.mission import (
    Diagnostic,
    Mission,
    MissionLoadError,
    check_mission,
    format_duration,
    load_mission,
    loads_mission,
    mission_schema,
    parse_duration,
)
from workbench.mission.loader import parse_document, save_mission
from workbench.mission.schema import mission_schema_json

MISSIONS = sorted(p for p in (Path(__file__).resolve().parents[2] / "missions").glob("*.yaml")
                  if not p.name.endswith(".tests.yaml"))  # NAME.tests.yaml: Mission tests, not Missions


def load_error(text: str) -> Diagnostic:
    """The single diagnostic of a file that does not load."""
    with pytest.raises(MissionLoadError) as info:
        loads_mission(textwrap.dedent(text).lstrip("\n"), "missions/bad.yaml")
    assert len(info.value.diagnostics) == 1, info.value.diagnostics
    return info.value.diagnostics[0]


def check_errors(text: str) -> list[Diagnostic]:
    return [d for d in check_mission(loads_mission(textwrap.dedent(text).lstrip("\n"), "missions/bad.yaml"))
            if d.is_error]


def where(d: Diagnostic) -> tuple[str | None, int | None, int | None, str | None]:
    return d.file, d.line, d.column, d.step


# --- one test per kind of bad input ---------------------------------------------------------------------
def test_yaml_syntax_error() -> None:
    d = load_error("""
        mission: triage
        steps:
          - id: fetch
            pass: [1, 2
    """)
    assert d.code == "MIS001"
    assert where(d) == ("missions/bad.yaml", 5, 1, "fetch")
    assert "expected ',' or ']'" in d.message and "line 4, column 11" in d.message
    assert d.render().startswith("missions/bad.yaml:5:1: error MIS001: step 'fetch': not valid YAML/JSON")


def test_unknown_key_with_did_you_mean() -> None:
    d = load_error("""
        mission: triage
        steps:
          - id: fetch
            pass: 1
            comentt: read the alert
    """)
    assert (d.code, d.message, d.hint) == ("MIS100", "unknown field 'comentt'", "did you mean 'comment'?")
    assert where(d) == ("missions/bad.yaml", 5, 5, "fetch")
    assert d.location == "steps[0].comentt"


def test_unknown_top_level_key() -> None:
    d = load_error("mission: m\ndescripton: hi\nsteps: [{id: a, pass: 1}]\n")
    assert (d.line, d.column, d.step, d.hint) == (2, 1, None, "did you mean 'description'?")


def test_wrong_type_names_the_field() -> None:
    d = load_error("""
        mission: m
        tools: {t: {lambda: fn}}
        steps:
          - id: fetch
            tool: t
            retry:
              - {errors: [X], max_attempts: many}
    """)
    assert where(d) == ("missions/bad.yaml", 7, 23, "fetch")  # the field's key
    assert d.message.startswith("retry[0].max_attempts: Input should be a valid integer")
    assert "(got 'many')" in d.message


def test_field_named_like_a_kind_is_located_correctly() -> None:
    # the `tool` discriminator tag in pydantic's error path must not be mistaken for the `tool:` key
    d = load_error("""
        mission: m
        tools: {t: {lambda: fn}}
        steps:
          - id: outer
            map:
              items: '{% [1] %}'
              steps:
                - id: inner
                  tool: t
                  timeout: soon
    """)
    assert (d.line, d.column, d.step) == (10, 11, "inner")  # the key of the bad field
    assert d.message.startswith("timeout: invalid duration 'soon'")


def test_union_errors_are_merged() -> None:
    d = load_error("mission: m\nsteps:\n  - id: c\n    choose:\n      - {when: 5, goto: c}\n")
    assert d.message == "choose[0].when: Input should be a valid string or dictionary (got 5)"


def test_duplicate_step_id() -> None:
    (d,) = check_errors("""
        mission: m
        steps:
          - {id: fetch, pass: 1}
          - {id: fetch, pass: 2}
    """)
    assert d.code == "MIS201" and "used 2 times" in d.message
    assert where(d) == ("missions/bad.yaml", 4, 6, "fetch")  # the second one


def test_goto_to_a_missing_step_with_did_you_mean() -> None:
    (d,) = check_errors("""
        mission: m
        steps:
          - id: decide
            choose:
              - {when: '{% true %}', goto: fetch_logz}
            otherwise: fetch_logs
          - {id: fetch_logs, pass: 1}
    """)
    assert (d.code, d.hint) == ("MIS203", "did you mean 'fetch_logs'?")
    assert d.message == "goto target 'fetch_logz' is not a step in the top level"
    assert where(d) == ("missions/bad.yaml", 5, 30, "decide")
    assert d.location == "steps[0].choose[0].goto"


def test_goto_into_another_list_is_explained() -> None:
    (d,) = check_errors("""
        mission: m
        steps:
          - id: p
            parallel:
              a: [{id: inner, pass: 1}]
          - {id: b, pass: 1, then: inner}
    """)
    assert d.code == "MIS203" and "jumps stay inside their list" in d.message and d.hint is None


def test_unknown_tool() -> None:
    (d,) = check_errors("""
        mission: m
        tools:
          fetch_alert: {lambda: fetch-alert}
        steps:
          - {id: fetch, tool: fetch_alrt}
    """)
    assert (d.code, d.message, d.hint) == ("MIS202", "unknown tool 'fetch_alrt'", "did you mean 'fetch_alert'?")
    assert where(d) == ("missions/bad.yaml", 5, 17, "fetch")


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ("  - {id: w, wait: 5 minutes}\n", 3, 13, "wait: invalid duration '5 minutes'"),
    ("  - {id: w, wait: {seconds: 1.5}}\n", 3, 20, "wait.seconds: invalid duration 1.5: ASL counts whole seconds"),
    ("  - {id: w, wait: 1m, then: x, asl: {}}\n  - {id: x, fail: {}, then: w}\n", 4, 5, "always stops"),
])
def test_invalid_duration_and_flow(text: str, line: int, column: int, words: str) -> None:
    d = load_error("mission: m\nsteps:\n" + text)
    assert (d.line, d.column) == (line, column) and words in d.message


def test_duplicate_yaml_key() -> None:
    d = load_error("""
        mission: m
        steps:
          - id: fetch
            pass: 1
            pass: 2
    """)
    assert (d.code, d.message, d.step) == ("MIS002", "duplicate key 'pass'", "fetch")
    assert (d.line, d.column, d.location) == (5, 5, "steps[0].pass")


def test_step_without_kind_suggests_one() -> None:
    d = load_error("mission: m\nsteps:\n  - {id: a, tol: fetch}\n")
    assert d.hint == "did you mean 'tool'?" and "a step needs one kind key" in d.message


def test_two_kinds_in_one_step() -> None:
    d = load_error("mission: m\nsteps:\n  - {id: a, pass: 1, wait: 3}\n")
    assert d.message == "a step has exactly one kind, this one has 'wait' and 'pass'"


def test_misspelt_required_field_reports_once() -> None:
    d = load_error("mission: m\ntools: {t: {lamda: fn}}\nsteps: [{id: a, tool: t}]\n")
    assert (d.message, d.hint) == ("unknown field 'lamda'", "did you mean 'lambda'?")


def test_literal_with_wrong_case() -> None:
    d = load_error("mission: m\nquery_language: jsonpath\nsteps: [{id: a, pass: 1}]\n")
    assert d.hint == "did you mean 'JSONPath'?"


def test_empty_branch_then_and_end_and_choose_then() -> None:
    assert "at least 1 item" in load_error("mission: m\nsteps:\n  - {id: p, parallel: {a: []}}\n").message
    assert "not both" in load_error("mission: m\nsteps:\n  - {id: a, pass: 1, then: a, end: true}\n").message
    d = load_error("mission: m\nsteps:\n  - {id: c, choose: [{when: '{% true %}', goto: c}], then: c}\n")
    assert "use `otherwise`" in d.message


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just words\n"])
def test_not_a_mapping(text: str) -> None:
    assert load_error(text).code == "MIS003"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MissionLoadError) as info:
        load_mission(tmp_path / "nope.yaml")
    assert info.value.diagnostics[0].code == "MIS000" and "nope.yaml" in str(info.value)


def test_json_missions_load_with_positions() -> None:
    d = load_error('{"mission": "m",\n "steps": [{"id": "a", "pas": 1}]}')
    assert (d.line, d.column, d.hint) == (2, 12, "did you mean 'pass'?")


def test_recursive_aliases_are_refused() -> None:
    assert load_error("mission: &m [*m]\nsteps: []\n").code == "MIS001"


def test_positions_of_parsed_documents() -> None:
    doc = parse_document("a:\n  - {b: 1}\n  - c\n")
    assert doc.position(("a", 0, "b")) == (2, 6) and doc.position(("a", 1)) == (3, 5)
    assert doc.position(("a", 5, "zz")) == (1, 1)


# --- durations ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("given", "seconds"), [
    (0, 0), (90, 90), (2.0, 2), ("45", 45), ("30s", 30), ("5m", 300), ("1h", 3600), ("1h30m", 5400),
    ("2h5m10s", 7510), (" 1H 30M ", 5400),
])
def test_durations(given: object, seconds: int) -> None:
    assert parse_duration(given) == seconds


@pytest.mark.parametrize("bad", [-1, 1.5, "1.5s", "5 minutes", "m5", "", True, None, [1]])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_format_duration_round_trips() -> None:
    for seconds in (0, 1, 59, 60, 61, 3599, 3600, 5400, 86_399):
        assert parse_duration(format_duration(seconds)) == seconds
    assert format_duration(5400) == "1h30m"


# --- schema, round trips --------------------------------------------------------------------------------
def test_schema_is_valid_and_accepts_every_example() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = mission_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in MISSIONS:
        data = parse_document(path.read_text(encoding="utf-8")).data
        assert not list(validator.iter_errors(data)), path
        assert not list(validator.iter_errors(json.loads(load_mission(path).model_dump_json(by_alias=True))))
    bad = parse_document(MISSIONS[0].read_text(encoding="utf-8")).data
    bad["steps"][0]["comentt"] = "x"
    assert list(validator.iter_errors(bad))
    assert json.loads(mission_schema_json()) == schema


@pytest.mark.parametrize("path", MISSIONS, ids=lambda p: p.stem)
def test_to_yaml_round_trip(path: Path) -> None:
    mission = load_mission(path)
    text = mission.to_yaml()
    again = loads_mission(text)
    assert again == mission
    assert again.to_yaml() == text
    assert text.startswith(f"mission: {mission.name}\n")


def test_to_yaml_keeps_id_and_kind_first() -> None:
    mission = Mission.model_validate({"mission": "m", "steps": [
        {"comment": "c", "pass": {"a": 1}, "id": "first"},
        {"parallel": {"x": [{"wait": 3, "id": "w"}]}, "id": "p"}]})
    text = mission.to_yaml()
    assert "- id: first\n  pass:\n    a: 1\n  comment: c\n" in text
    assert "    - id: w\n      wait:\n        seconds: 3\n" in text
    assert loads_mission(text) == mission


def test_save_mission_is_atomic_and_loads_back(tmp_path: Path) -> None:
    mission = load_mission(MISSIONS[0])
    for name in ("copy.yaml", "copy.json"):
        target = save_mission(mission, tmp_path / name)
        assert load_mission(target) == mission
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.json", "copy.yaml"]  # no temp files left


def test_edited_mission_does_not_claim_stale_lines() -> None:
    mission = loads_mission("mission: m\nsteps:\n  - {id: a, pass: 1}\n", "m.yaml")
    edited = mission.model_copy(update={"steps": [*mission.steps, mission.steps[0]]})
    (d,) = check_mission(edited)[:1]
    assert d.code == "MIS201" and d.file == "m.yaml" and d.line is None


def test_step_lookup_suggests_ids() -> None:
    mission = loads_mission("mission: m\nsteps:\n  - {id: fetch_logs, pass: 1}\n")
    assert mission.step("fetch_logs").kind == "pass"
    with pytest.raises(KeyError, match="did you mean 'fetch_logs'"):
        mission.step("fetch_log")
