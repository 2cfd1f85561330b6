"""Coverage of Mission tests: targets from the graph, keys from real recorded histories, Choice rules, JUnit XML,
and the coverage overlay on the graph (uncovered states and edges dashed)."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from workbench.asl.compiler import compile_mission
from workbench.history import load_history
from workbench.history.mission_tests import Actual, CaseResult, Coverage, Mismatch, SuiteResult, load_suite
from workbench.history.mission_tests.choices import MARKER, candidates, instrument, narrow
from workbench.history.mission_tests.coverage import targets
from workbench.history.mission_tests.junit import junit_xml
from workbench.history.mission_tests.trace import error_matches, history_keys
from workbench.mission.loader import load_mission
from workbench.report.coverage.page import coverage_overlay
from workbench.viz.graph.overlay import Overlay, StateOverlay
from workbench.viz.graph.svg import draw

REPO = Path(__file__).resolve().parents[2]
MISSIONS = REPO / "missions"

DEFINITION: dict[str, Any] = {"StartAt": "Ask", "States": {
    "Ask": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 3, "Next": "Work"}],
            "Default": "Done"},
    "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:w", "Next": "Fan",
             "Retry": [{"ErrorEquals": ["Busy"]}, {"ErrorEquals": ["States.ALL"]}],
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]},
    "Fan": {"Type": "Parallel", "Next": "Done", "Branches": [
        {"StartAt": "L", "States": {"L": {"Type": "Pass", "End": True}}},
        {"StartAt": "R", "States": {"R": {"Type": "Pass", "End": True}}}]},
    "Done": {"Type": "Succeed"}}}


def test_targets_are_every_state_transition_catch_retry_and_body() -> None:
    by_category: dict[Any, list[str]] = {}
    for target in targets(DEFINITION):
        by_category.setdefault(target.category, []).append(target.key)
    assert by_category == {
        "states": ["state:Ask", "state:Work", "state:Fan", "state:Done", "state:Fan/branch[0]/L",
                   "state:Fan/branch[1]/R"],
        "transitions": ["choice:Ask#0", "default:Ask", "next:Work", "next:Fan"],
        "catches": ["catch:Work#0"],
        "retries": ["retry:Work#0", "retry:Work#1"],
        "bodies": ["body:Fan/branch[0]", "body:Fan/branch[1]"],
        None: ["end:Done", "end:Fan/branch[0]/L", "end:Fan/branch[1]/R"],
    }


def test_coverage_counts_percentages_and_what_is_left() -> None:
    cov = Coverage("m", DEFINITION)
    cov.add(["state:Ask", "state:Done", "default:Ask", "end:Done"])
    cov.add(["state:Ask", "default:Ask"])
    assert cov.count("states") == (2, 6) and cov.count("transitions") == (1, 4) and cov.count() == (3, 15)
    assert cov.hits["default:Ask"] == 2 and cov.percent("catches") == 0.0 and cov.percent() == 20.0
    assert [t.label for t in cov.uncovered("transitions")] == ["Ask → Work when $.n > 3", "Work → Fan", "Fan → Done"]
    assert cov.summary().startswith("states 2/6 (33%), transitions 1/4 (25%), catches 0/1 (0%)")
    assert cov.to_dict()["retries"] == {"covered": 0, "total": 2, "percent": 0.0,
                                        "uncovered": ["Work retries Busy", "Work retries States.ALL"]}


@pytest.mark.parametrize(("errors", "error", "matches"), [
    (["States.ALL"], "Anything", True), (["States.TaskFailed"], "Boom", True),
    (["States.TaskFailed"], "States.Timeout", False), (["States.Timeout"], "States.Timeout", True),
    (["A", "B"], "B", True), (["A"], "B", False), (["A"], None, False),
])
def test_error_matching_follows_step_functions(errors: list[str], error: str | None, matches: bool) -> None:
    assert error_matches(errors, error) is matches


def test_every_key_of_every_recorded_corpus_history_is_a_target_of_its_definition(corpus: Path) -> None:
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in sorted((corpus / "histories").glob("*.json")):
            if path.name == "INDEX.json":
                continue
            history = load_history(path)
            if history.definition is None:
                continue
            keys = history_keys(history, history.definition)
            known = {t.key for t in targets(history.definition)}
            assert set(keys) <= known, (path.name, sorted(set(keys) - known))
            assert keys, path.name
            checked += 1
    assert checked >= 100


@pytest.mark.filterwarnings("ignore::workbench.history.PlaceholderIdsWarning")  # a normalised recording
def test_a_recorded_parallel_history_covers_its_branches(corpus: Path) -> None:
    history = load_history(corpus / "histories" / "test_base_scenarios__test_parallel_state_order.json")
    assert history.definition is not None
    keys = history_keys(history, history.definition)
    bodies = {t.key for t in targets(history.definition) if t.category == "bodies"}
    assert bodies and bodies <= set(keys)


def test_choice_candidates_and_narrowing_by_assigned_variables() -> None:
    triage = compile_mission(load_mission(MISSIONS / "incident_triage.yaml"))
    decide = triage["States"]["decide"]
    assert candidates(decide, "page_human") == [0, 1] and candidates(decide, "summarize") == [-1]
    assert narrow(decide, [0, 1], {"page_reason": "half of the hosts are unhealthy"}) == [1]
    assert narrow(decide, [0, 1], {"page_reason": "severity is critical"}) == [0]
    assert narrow(decide, [0, 1], {MARKER: "1"}) == [1]
    _, changed = instrument(triage)
    assert changed == []  # its rules assign different fixed values: nothing to mark


def test_instrument_marks_only_rules_that_cannot_be_told_apart() -> None:
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "X"},
                                            {"Variable": "$.b", "IsPresent": True, "Next": "X",
                                             "Assign": {"why": "b"}},
                                            {"Variable": "$.c", "IsPresent": True, "Next": "Y"}],
              "Default": "Y"},
        "X": {"Type": "Succeed"}, "Y": {"Type": "Succeed"}}}
    marked, changed = instrument(definition)
    rules = marked["States"]["C"]["Choices"]
    assert changed == ["C"]
    assert "Assign" not in rules[0] and rules[1]["Assign"] == {"why": "b"}  # X's rules differ by what they assign
    assert rules[2]["Assign"] == {MARKER: "2"}  # Y: rule 2 and the Default assign nothing
    assert "Assign" not in definition["States"]["C"]["Choices"][2]  # the original is untouched


def _result(verdicts: list[str]) -> SuiteResult:
    suite = load_suite(MISSIONS / "deploy_check.yaml")
    cases = []
    for case, verdict in zip(suite.cases, verdicts, strict=False):
        result = CaseResult(suite.name, case.name, case.kind, suite.where(case.name), Actual(status="FAILED"),
                            seconds=0.25)
        if verdict == "failed":
            result.mismatches = [Mismatch("status", ("expected SUCCEEDED, got FAILED\x00 <&>",))]
        elif verdict == "error":
            result.problem = "the engine refused it: token=abc123secret"
        result.keys = Counter({"state:start_deploy": 1})
        cases.append(result)
    coverage = Coverage(suite.name, suite.definition)
    for c in cases:
        coverage.add(c.keys)
    return SuiteResult(suite, cases, coverage)


def test_junit_xml_is_valid_with_counts_failures_errors_and_coverage_properties() -> None:
    text = junit_xml([_result(["passed", "failed", "error"])])
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites" and root.attrib["tests"] == "3"
    assert (root.attrib["failures"], root.attrib["errors"], root.attrib["skipped"]) == ("1", "1", "0")
    (suite,) = root.findall("testsuite")
    assert suite.attrib["name"] == "deploy_check" and suite.attrib["tests"] == "3"
    assert float(suite.attrib["time"]) == 0.75
    cases = suite.findall("testcase")
    assert [c.attrib["name"] for c in cases] == ["ready_on_second_check", "transient_errors_are_retried",
                                                 "slow_check_times_out_and_rolls_back"]
    assert all(c.attrib["classname"] == "deploy_check" and int(c.attrib["line"]) > 0 for c in cases)
    assert cases[0].find("failure") is None and cases[0].find("error") is None
    failure = cases[1].find("failure")
    assert failure is not None and failure.attrib["message"].startswith("status: expected SUCCEEDED")
    assert "\ufffd <&>" in (failure.text or "")  # NUL is not XML: replaced; markup escaped
    error = cases[2].find("error")
    assert error is not None and "abc123secret" not in ET.tostring(error, encoding="unicode")
    props = {p.attrib["name"]: p.attrib["value"] for p in suite.iter("property")}
    assert props["coverage.states"] == "1/8" and props["coverage.overall"] == "5.0"


def test_the_coverage_overlay_dashes_what_no_test_covered() -> None:
    cov = Coverage("m", DEFINITION)
    cov.add(["state:Ask", "default:Ask", "state:Done", "end:Done"])
    svg = draw(DEFINITION, coverage_overlay(cov)).svg
    nodes = dict(re.findall(r'<g class="node [^"]*" data-state="([^"]+)"[^>]*data-covered="(\w+)"', svg))
    assert nodes == {"Ask": "true", "Work": "false", "Fan": "false", "Done": "true", "L": "false", "R": "false"}
    edges = re.findall(r'<g class="edge ([^"]+)" data-source="([^"]+)" data-target="([^"]+)" data-covered="(\w+)">'
                       r'<title>[^<]*</title><path d="[^"]*" fill="none" stroke="[^"]*" stroke-width="1.4"([^/]*)/>',
                       svg)
    by_ends = {(source, target): (covered, "stroke-dasharray" in rest) for _k, source, target, covered, rest in edges}
    assert by_ends[("Ask", "Done")] == ("true", False)
    assert by_ends[("Ask", "Work")] == ("false", True)
    assert by_ends[("Work", "Done")] == ("false", True)  # the catch, never fired
    assert by_ends[("Work", "Fan")] == ("false", True)
    containers = re.findall(r'<g class="container"[^>]*data-path="([^"]+)"[^>]*data-covered="(\w+)"', svg)
    assert containers == [("Fan/branch[0]", "false"), ("Fan/branch[1]", "false")]
    assert 'data-mode="coverage"' in svg and "not covered" in svg


def test_other_overlays_draw_as_before() -> None:
    svg = draw(DEFINITION, Overlay({"Work": StateOverlay("caught")})).svg
    assert "data-covered" not in svg
    catch = re.search(r'<g class="edge edge-catch"[^>]*>.*?</g>', svg)
    assert catch is not None and 'stroke-dasharray="6 4"' in catch.group(0)
    frames = re.findall(r'<g class="container"[^>]*>.*?</g>', svg)
    assert len(frames) == 2 and all('stroke-dasharray="5 3"' in f for f in frames)  # branch frames stay dashed
