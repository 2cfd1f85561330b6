"""Running Mission tests on the embedded engine: the examples pass and cover their Missions; mocks, the virtual
clock, TestState cases, Choice rules that share a target, and readable differences for wrong expectations."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.history.mission_tests import (
    MissionTestRunner,
    SuiteResult,
    is_test_file,
    load_suite,
    run_mission_tests,
)

REPO = Path(__file__).resolve().parents[2]
MISSIONS = REPO / "missions"
GATE = threading.Event()  # opened by the test that holds a tool on it


def held(event: Any, context: Any = None) -> Any:  # Any: a Lambda event
    """A local tool that answers only once GATE opens (or after 30 s): a case that cannot finish in time."""
    GATE.wait(30)
    return {"late": True}


def echo(event: Any, context: Any = None) -> Any:  # Any: a Lambda event
    return {"echo": event}


@pytest.fixture(scope="module")
def examples() -> list[SuiteResult]:
    return run_mission_tests([MISSIONS])


@pytest.fixture(scope="module")
def runner() -> Iterator[MissionTestRunner]:
    with MissionTestRunner(timeout=60) as shared:
        yield shared


def write(tmp_path: Path, mission: str, tests: str, name: str = "m") -> Path:
    (tmp_path / f"{name}.yaml").write_text(mission)
    (tmp_path / f"{name}.tests.yaml").write_text(tests)
    return tmp_path / f"{name}.yaml"


def test_every_example_mission_passes_with_coverage_of_at_least_90_percent(examples: list[SuiteResult]) -> None:
    names = sorted(p.stem for p in MISSIONS.glob("*.yaml") if not is_test_file(p))
    assert sorted(r.mission for r in examples) == names
    for result in examples:
        assert [c.explain() for c in result.cases if not c.passed] == []
        states, transitions = result.coverage.count("states"), result.coverage.count("transitions")
        both = (states[0] + transitions[0]) / (states[1] + transitions[1])
        assert both >= 0.9, result.coverage.summary()
        assert (result.coverage.percent() or 0.0) >= 90.0, result.coverage.summary()


def test_each_example_with_a_catch_has_a_failing_case_that_fires_one(examples: list[SuiteResult]) -> None:
    for result in examples:
        catches = {t.key for t in result.coverage.targets if t.category == "catches"}
        if not catches:
            continue  # change_window has no Catch clause
        fired = [c for c in result.cases if c.kind == "run" and c.actual.status == "FAILED" and set(c.keys) & catches]
        assert fired, result.mission


def test_a_wrong_expectation_fails_with_a_readable_difference(tmp_path: Path, runner: MissionTestRunner) -> None:
    shutil.copy(MISSIONS / "deploy_check.yaml", tmp_path)
    (tmp_path / "deploy_check.tests.yaml").write_text("""cases:
  - name: wrong
    mocks:
      start_deploy: {result: {deployment_id: d-1, version: v1, poll_seconds: 30, token: s3cr3t-value}}
      check_deploy: {result: {status: SUCCEEDED}}
    expect:
      status: SUCCEEDED
      output: {deployment_id: d-1, version: v2, checks: 3, extra: true}
      states: [start_deploy, check_status, is_ready, deployed]
      error: Nope
""")
    suite = load_suite(tmp_path / "deploy_check.yaml")
    result = runner.run_case(suite, suite.case("wrong"))
    assert result.verdict == "failed"
    assert result.explain().splitlines() == [
        f"{tmp_path / 'deploy_check.tests.yaml'}:2: case 'wrong'",
        'error: expected "Nope", got nothing',
        "output:",
        '  $.version: expected "v2", got "v1"',
        "  $.checks: expected 3, got 1",
        "  $.extra: missing (expected true)",
        "states:",
        "    start_deploy",
        "  + wait_for_rollout",
        "    check_status",
        "    is_ready",
        "    deployed",
    ]


def test_the_differences_are_redacted(tmp_path: Path, runner: MissionTestRunner) -> None:
    mission = write(tmp_path, "mission: leak\ntools:\n  t: {lambda: leak-t}\nsteps:\n  - {id: a, tool: t}\n",
                    "cases:\n  - name: c\n    mocks: {t: {result: {password: hunter2, n: 1}}}\n"
                    "    expect: {output: {password: other, n: 2}}\n", "leak")
    suite = load_suite(mission)
    text = runner.run_case(suite, suite.cases[0]).explain()
    assert "$.n: expected 2, got 1" in text and "hunter2" not in text and "[redacted]" in text


MISSION_TWICE = """mission: twice
tools:
  count: {lambda: twice-count}
  other: {lambda: twice-other, local: "tests.history.test_mission_tests_run:echo"}
timeout: 1h
steps:
  - {id: first, tool: count, save_as: one}
  - {id: second, tool: count, save_as: two, timeout: 2m}
  - {id: third, tool: count, save_as: three}
  - id: last
    tool: other
    args: '{% {"one": $one, "two": $two, "three": $three} %}'
"""


def test_a_tool_sequence_is_shared_by_its_states_and_the_last_answer_repeats(tmp_path: Path,
                                                                            runner: MissionTestRunner) -> None:
    mission = write(tmp_path, MISSION_TWICE, """cases:
  - name: counts
    mocks:
      count: [{result: 1}, {result: 2, latency: 90s}]
    expect:
      status: SUCCEEDED
      output: {echo: {one: 1, two: 2, three: 2}}
""", "twice")
    suite = load_suite(mission)
    result = runner.run_case(suite, suite.case("counts"))
    assert result.passed, result.explain()
    assert result.virtual_seconds is not None and result.virtual_seconds >= 180  # two 90 s latencies, virtual


def test_a_latency_past_the_timeout_is_a_states_timeout(tmp_path: Path, runner: MissionTestRunner) -> None:
    mission = write(tmp_path, MISSION_TWICE, """cases:
  - name: slow
    mocks:
      count: [{result: 1}, {result: 2, latency: 3m}]
    expect:
      status: FAILED
      error: States.Timeout
      states: [first, second]
""", "twice")
    suite = load_suite(mission)
    result = runner.run_case(suite, suite.case("slow"))
    assert result.passed, result.explain()
    assert result.virtual_seconds is not None and 120 <= result.virtual_seconds < 180


def test_an_unmocked_tool_without_local_code_fails_its_task(tmp_path: Path, runner: MissionTestRunner) -> None:
    mission = write(tmp_path, MISSION_TWICE, "cases:\n  - name: bare\n    expect: {status: FAILED}\n", "twice")
    suite = load_suite(mission)
    result = runner.run_case(suite, suite.case("bare"))
    assert result.passed and result.actual.error == "UnmockedTool"
    assert "does not mock it" in (result.actual.cause or "")


def test_a_case_that_does_not_finish_in_real_time_is_an_error(tmp_path: Path) -> None:
    mission = write(tmp_path, "mission: hold\ntools:\n  h: {lambda: hold-h, local: "
                    "'tests.history.test_mission_tests_run:held'}\nsteps:\n  - {id: a, tool: h}\n",
                    "cases:\n  - name: stuck\n    expect: {status: SUCCEEDED}\n", "hold")
    suite = load_suite(mission)
    GATE.clear()
    try:
        with MissionTestRunner(timeout=1) as short:
            result = short.run_case(suite, suite.cases[0])
    finally:
        GATE.set()
    assert result.verdict == "error" and "did not finish within 1 s" in (result.problem or "")


CHOICE = """mission: rules
query_language: JSONata
steps:
  - id: pick
    choose:
      - when: '{% $states.input.n > 10 %}'
        goto: big
      - when: '{% $states.input.n > 5 %}'
        goto: big
    otherwise: small
  - {id: big, succeed: true}
  - {id: small, succeed: true}
"""


def test_choice_rules_that_share_a_target_are_told_apart(tmp_path: Path, runner: MissionTestRunner) -> None:
    mission = write(tmp_path, CHOICE, """cases:
  - {name: eleven, input: {n: 11}, expect: {states: [pick, big]}}
  - {name: seven, input: {n: 7}, expect: {states: [pick, big]}}
  - {name: one, input: {n: 1}, expect: {states: [pick, small]}}
""", "rules")
    suite = load_suite(mission)
    eleven, seven, one = (runner.run_case(suite, c) for c in suite.cases)
    assert eleven.passed and seven.passed and one.passed
    assert {k for k in eleven.keys if k.startswith(("choice", "default"))} == {"choice:pick#0"}
    assert {k for k in seven.keys if k.startswith(("choice", "default"))} == {"choice:pick#1"}
    assert {k for k in one.keys if k.startswith(("choice", "default"))} == {"default:pick"}


def test_state_cases_report_teststate_statuses_and_coverage(runner: MissionTestRunner) -> None:
    suite = load_suite(MISSIONS / "incident_triage.yaml")
    from workbench.history.mission_tests import StateCase

    caught = StateCase.model_validate({"name": "c", "state": "fetch_alert", "input": {"alert_id": "A"},
                                       "mock": {"error": "AlertNotFound", "cause": "gone"},
                                       "expect": {"status": "CAUGHT_ERROR", "next": "triage_failed",
                                                  "output": {"alert_id": "A"}}})
    result = runner.run_case(suite, caught)
    assert result.verdict == "failed"
    assert [m.field for m in result.mismatches] == ["output"]  # the catcher's output replaces the input
    assert result.actual.output == {"Error": "AlertNotFound", "Cause": "gone"}
    assert set(result.keys) == {"state:fetch_alert", "catch:fetch_alert#0"}
    retried = StateCase.model_validate({"name": "r", "state": "page_human", "mock": {"error": "Busy"},
                                        "retry_count": 4, "expect": {"status": "RETRIABLE"}})
    result = runner.run_case(suite, retried)
    assert result.passed and set(result.keys) == {"state:page_human", "retry:page_human#0"}
    succeeded = StateCase.model_validate({"name": "s", "state": "summarize", "mock": {"result": {"ok": 1}},
                                          "expect": {"output": {"ok": 1}}})
    result = runner.run_case(suite, succeeded)
    assert result.passed and set(result.keys) == {"state:summarize", "end:summarize"}


def test_distributed_map_children_count_for_coverage_and_states(examples: list[SuiteResult]) -> None:
    research = next(r for r in examples if r.mission == "research_brief")
    first = research.cases[0]
    assert {"fetch", "extract"} <= first.actual.states_set
    assert first.keys["state:read_sources/iterator/fetch"] == 3  # one child execution per source
    assert research.coverage.covered("body:read_sources/iterator")


def test_suites_of_one_mission_name_with_different_definitions_take_turns(tmp_path: Path,
                                                                          runner: MissionTestRunner) -> None:
    suites = []
    for version in (1, 2):
        folder = tmp_path / f"v{version}"
        folder.mkdir()
        (folder / "flip.yaml").write_text(f"mission: flip\nsteps:\n  - {{id: a, pass: {{v: {version}}}}}\n"
                                          f"tests:\n  - {{name: v{version}, expect: {{output: {{v: {version}}}}}}}\n")
        suites.append(load_suite(folder / "flip.yaml"))
    one, two = suites
    results = [runner.run_case(s, s.cases[0]) for s in (one, two, one)]
    assert [r.verdict for r in results] == ["passed", "passed", "passed"], [r.explain() for r in results]
    assert [r.actual.output for r in results] == [{"v": 1}, {"v": 2}, {"v": 1}]
