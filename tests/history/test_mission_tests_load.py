"""Reading Mission tests: the example files, both places tests live, and errors that name file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.core.diagnostics import DiagnosticError
from workbench.history.mission_tests import (
    MissionTestError,
    RunCase,
    StateCase,
    discover,
    is_test_file,
    load_suite,
    load_suites,
)
from workbench.history.mission_tests import tests_file_for as beside_tests

REPO = Path(__file__).resolve().parents[2]
MISSIONS = REPO / "missions"
EXAMPLES = sorted(p for p in MISSIONS.glob("*.yaml") if not is_test_file(p))

MISSION = """mission: pair
query_language: JSONata
tools:
  fetch: {lambda: pair-fetch}
steps:
  - id: get
    tool: fetch
    save_as: got
  - id: route
    choose:
      - when: '{% $got.ok %}'
        goto: done
    otherwise: broken
  - id: done
    succeed: true
  - id: broken
    fail: {error: Broken}
"""


def make(tmp_path: Path, tests: str, mission: str = MISSION, name: str = "pair") -> Path:
    (tmp_path / f"{name}.yaml").write_text(mission)
    path = tmp_path / f"{name}.tests.yaml"
    path.write_text(tests)
    return path


def problem(tmp_path: Path, tests: str) -> tuple[str, str]:
    """The (code, rendered line) of the first diagnostic loading ``tests`` beside MISSION raises."""
    path = make(tmp_path, tests)
    with pytest.raises(MissionTestError) as caught:
        load_suite(path)
    first = caught.value.diagnostics[0]
    return first.code, first.render()


@pytest.mark.parametrize("mission", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_mission_has_tests_with_run_and_state_cases(mission: Path) -> None:
    suite = load_suite(mission)
    assert suite.source == beside_tests(mission) and suite.mission_path == mission
    kinds = {type(c) for c in suite.cases}
    assert kinds == {RunCase, StateCase}
    assert all(suite.case_lines[c.name] > 0 for c in suite.cases)


def test_a_tests_file_finds_its_mission_and_lines_point_at_each_case() -> None:
    suite = load_suite(MISSIONS / "deploy_check.tests.yaml")
    text = (MISSIONS / "deploy_check.tests.yaml").read_text().splitlines()
    assert suite.name == "deploy_check"
    for case in suite.cases:
        assert f"name: {case.name}" in text[suite.case_lines[case.name] - 1]


def test_tests_inside_the_mission_under_tests_key(tmp_path: Path) -> None:
    path = tmp_path / "pair.yaml"
    path.write_text(MISSION + "tests:\n  - name: ok\n    mocks: {fetch: {result: {ok: true}}}\n"
                    "    expect: {status: SUCCEEDED}\n")
    suite = load_suite(path)
    assert suite.source == path and [c.name for c in suite.cases] == ["ok"]
    assert suite.case_lines["ok"] == MISSION.count("\n") + 2


def test_tests_in_two_places_are_refused(tmp_path: Path) -> None:
    path = make(tmp_path, "cases: [{name: a, expect: {status: SUCCEEDED}}]\n",
                mission=MISSION + "tests: []\n")
    with pytest.raises(MissionTestError) as caught:
        load_suite(path)
    assert caught.value.diagnostics[0].code == "MTEST005"


def test_a_list_of_cases_is_a_test_file_too(tmp_path: Path) -> None:
    path = make(tmp_path, "- name: a\n  expect: {status: SUCCEEDED}\n- name: b\n  state: route\n"
                          "  variables: {got: {ok: true}}\n  expect: {next: done}\n")
    suite = load_suite(path)
    assert [c.kind for c in suite.cases] == ["run", "state"] and suite.case_lines == {"a": 1, "b": 3}


def test_a_mission_without_tests_is_one_line_naming_the_file_to_write(tmp_path: Path) -> None:
    path = tmp_path / "lonely.yaml"
    path.write_text(MISSION)
    with pytest.raises(MissionTestError) as caught:
        load_suite(path)
    assert caught.value.diagnostics[0].code == "MTEST003" and "lonely.tests.yaml" in str(caught.value)


def test_a_tests_file_without_its_mission(tmp_path: Path) -> None:
    path = tmp_path / "ghost.tests.yaml"
    path.write_text("cases: [{name: a, expect: {status: SUCCEEDED}}]\n")
    with pytest.raises(MissionTestError) as caught:
        load_suite(path)
    assert caught.value.diagnostics[0].code == "MTEST002" and "ghost.yaml" in str(caught.value)


def test_mission_key_names_another_mission(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "pair.yaml").write_text(MISSION)
    path = tmp_path / "anything.tests.yaml"
    path.write_text("mission: other/pair.yaml\ncases: [{name: a, expect: {status: SUCCEEDED}}]\n")
    assert load_suite(path).name == "pair"


@pytest.mark.parametrize(("tests", "code", "line", "needle"), [
    ("cases:\n  - name: a\n    expect: {stauts: SUCCEEDED}\n", "MTEST100", 3, "did you mean 'status'?"),
    ("cases:\n  - name: a\n    mocks: {fecth: {result: 1}}\n    expect: {status: SUCCEEDED}\n",
     "MTEST011", 3, "did you mean 'fetch'?"),
    ("cases:\n  - name: a\n    expect:\n      states: [get, rout]\n", "MTEST012", 4, "did you mean 'route'?"),
    ("cases:\n  - {name: a, expect: {status: FAILED}}\n  - {name: a, expect: {status: FAILED}}\n",
     "MTEST010", 3, "two cases are called 'a'"),
    ("cases:\n  - name: a\n    mocks:\n      fetch: {error: States.Timeout}\n    expect: {status: FAILED}\n",
     "MTEST017", 4, "latency"),
    ("cases:\n  - name: a\n    mocks:\n      fetch:\n        - {result: 1}\n        - {result: 2, error: X}\n"
     "    expect: {status: FAILED}\n", "MTEST100", 6, "exactly one of `result`"),
    ("cases:\n  - name: a\n    mocks:\n      fetch: {result: 1, latency: soon}\n    expect: {status: FAILED}\n",
     "MTEST100", 4, "invalid latency"),
    ("cases:\n  - name: a\n    expect: {status: DONE}\n", "MTEST100", 3, "SUCCEEDED"),
    ("cases:\n  - name: a\n    expect: {}\n", "MTEST100", 3, "`expect` is empty"),
    ("cases:\n  - name: a b\n    expect: {status: FAILED}\n", "MTEST100", 2, "name"),
    ("cases:\n  - name: a\n    state: rout\n    expect: {next: done}\n", "MTEST013", 3, "did you mean 'route'?"),
    ("cases:\n  - name: a\n    state: route\n    mock: {result: 1}\n    expect: {next: done}\n",
     "MTEST015", 4, "only a Task's call can be mocked"),
    ("cases:\n  - name: a\n    state: get\n    mock: {result: 1, latency: 2s}\n    expect: {next: route}\n",
     "MTEST016", 4, "latency"),
    ("cases:\n  - name: a\n    state: get\n    expect: {next: nowhere}\n", "MTEST012", 4, "no state 'nowhere'"),
    ("cases:\n  - name: a\n    expect: {status: [SUCCEEDED\n", "MIS001", 4, "not valid YAML"),
    ("cases: 3\n", "MTEST100", 1, "valid list"),
])
def test_bad_test_files_name_file_and_line(tmp_path: Path, tests: str, code: str, line: int, needle: str) -> None:
    got, rendered = problem(tmp_path, tests)
    assert got == code
    assert rendered.startswith(f"{tmp_path / 'pair.tests.yaml'}:{line}:")
    assert needle in rendered
    assert "\n" not in rendered


def test_a_state_case_cannot_run_a_map(tmp_path: Path) -> None:
    mission = ("mission: fan\nsteps:\n  - id: each\n    map:\n      items: '{% [1, 2] %}'\n      steps:\n"
               "        - {id: one, pass: {n: 1}}\n")
    path = make(tmp_path, "cases:\n  - name: a\n    state: each\n    expect: {status: SUCCEEDED}\n", mission, "fan")
    with pytest.raises(MissionTestError) as caught:
        load_suite(path)
    assert caught.value.diagnostics[0].code == "MTEST014" and "is a Map" in str(caught.value)


def test_a_broken_mission_reports_its_own_errors(tmp_path: Path) -> None:
    path = make(tmp_path, "cases: [{name: a, expect: {status: SUCCEEDED}}]\n", mission="mission: pair\nstepz: []\n")
    with pytest.raises(DiagnosticError) as caught:
        load_suite(path)
    assert str(tmp_path / "pair.yaml") in str(caught.value)


def test_discover_finds_test_files_missions_with_tests_and_missions_without(tmp_path: Path) -> None:
    shutil.copy(MISSIONS / "deploy_check.yaml", tmp_path)
    shutil.copy(MISSIONS / "deploy_check.tests.yaml", tmp_path)
    (tmp_path / "inside.yaml").write_text(MISSION.replace("mission: pair", "mission: inside")
                                          + "tests: [{name: a, expect: {status: SUCCEEDED}}]\n")
    (tmp_path / "untested.yaml").write_text(MISSION.replace("mission: pair", "mission: untested"))
    (tmp_path / "faults.yaml").write_text("seed: 3\ntools: {}\n")  # not a Mission: neither list
    sources, untested = discover([tmp_path])
    assert [p.name for p in sources] == ["deploy_check.tests.yaml", "inside.yaml"]
    assert [p.name for p in untested] == ["untested.yaml"]
    suites, _ = load_suites([tmp_path, tmp_path / "deploy_check.yaml"])
    assert [s.name for s in suites] == ["deploy_check", "inside", "deploy_check"]


def test_all_problems_of_all_files_come_together(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    make(tmp_path / "a", "cases: [{name: x, expect: {stauts: FAILED}}]\n")
    make(tmp_path / "b", "cases: [{name: x, mocks: {nope: {result: 1}}, expect: {status: FAILED}}]\n")
    with pytest.raises(MissionTestError) as caught:
        load_suites([tmp_path / "a", tmp_path / "b"])
    assert [d.code for d in caught.value.diagnostics] == ["MTEST100", "MTEST011"]
