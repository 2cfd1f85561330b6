"""``workbench test`` and the pytest plugin: exit codes, readable differences, JUnit XML, coverage shown."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app

REPO = Path(__file__).resolve().parents[2]
MISSIONS = REPO / "missions"
runner = CliRunner()

WRONG = """cases:
  - name: right
    mocks:
      start_deploy: {result: {deployment_id: d-1, version: v1, poll_seconds: 30}}
      check_deploy: {result: {status: SUCCEEDED}}
    expect: {status: SUCCEEDED, output: {deployment_id: d-1, version: v1, checks: 1}}
  - name: wrong
    mocks:
      start_deploy: {result: {deployment_id: d-1, version: v1, poll_seconds: 30}}
      check_deploy: {result: {status: SUCCEEDED}}
    expect: {status: SUCCEEDED, output: {deployment_id: d-1, version: v1, checks: 2}}
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def deploy_check(tmp_path: Path, tests: str) -> Path:
    shutil.copy(MISSIONS / "deploy_check.yaml", tmp_path)
    (tmp_path / "deploy_check.tests.yaml").write_text(tests)
    return tmp_path / "deploy_check.yaml"


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path, Path]:
    out = tmp_path_factory.mktemp("examples")
    code, stdout, _ = invoke("test", str(MISSIONS), "--junit", str(out / "junit.xml"),
                             "--coverage-report", str(out / "coverage.html"))
    return code, stdout, out / "junit.xml", out / "coverage.html"


def test_workbench_test_missions_passes_and_shows_coverage_of_90_percent_or_more(
        examples: tuple[int, str, Path, Path]) -> None:
    code, out, _junit, _html = examples
    assert code == 0, out
    lines = out.splitlines()
    assert not [line for line in lines if line.lstrip().startswith(("FAIL", "ERROR"))]
    shown = {m: int(p) for m, p in re.findall(r"(\w+) coverage (\d+)%", lines[-1])}
    expected = {p.stem for p in MISSIONS.glob("*.yaml") if not p.name.endswith(".tests.yaml")}
    assert set(shown) == expected and min(shown.values()) >= 90
    assert sum(line.strip().startswith("PASS") for line in lines) == int(lines[-1].split()[0]) >= 25
    overall = [int(x) for x in re.findall(r"^  coverage: .*; overall (\d+)%$", out, re.MULTILINE)]
    assert len(overall) == len(expected) and min(overall) >= 90


def test_junit_xml_of_the_examples_is_valid(examples: tuple[int, str, Path, Path]) -> None:
    _code, _out, junit, _html = examples
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites" and root.attrib["failures"] == "0" and root.attrib["errors"] == "0"
    suites = root.findall("testsuite")
    assert len(suites) == 5
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.attrib["tests"]) == len(cases) >= 4
        assert all(c.attrib["classname"] == suite.attrib["name"] and float(c.attrib["time"]) >= 0 for c in cases)
    assert int(root.attrib["tests"]) == sum(len(s.findall("testcase")) for s in suites)
    assert oct(junit.stat().st_mode & 0o777) == "0o600"


def test_the_coverage_report_is_written(examples: tuple[int, str, Path, Path]) -> None:
    _code, _out, _junit, html = examples
    text = html.read_text()
    assert text.startswith("<!doctype html>") and "default-src &#39;none&#39;" in text
    assert text.count('class="workbench-graph"') == 5 and 'data-mode="coverage"' in text


def test_a_wrong_expectation_exits_1_with_a_readable_difference(tmp_path: Path) -> None:
    mission = deploy_check(tmp_path, WRONG)
    code, out, _err = invoke("test", str(mission))
    assert code == 1
    lines = out.splitlines()
    assert lines[1].startswith("  PASS   right ") and lines[2].startswith("  FAIL   wrong ")
    assert lines[3:6] == [f"         {tmp_path / 'deploy_check.tests.yaml'}:7: case 'wrong'",
                          "         output:",
                          "           $.checks: expected 2, got 1"]
    assert lines[-1].startswith("1 passed, 1 failed, 0 errors")


def test_junit_records_the_failure(tmp_path: Path) -> None:
    mission = deploy_check(tmp_path, WRONG)
    code, _out, _err = invoke("test", str(mission), "--junit", str(tmp_path / "out" / "j.xml"))
    root = ET.parse(tmp_path / "out" / "j.xml").getroot()
    failure = root.find("testsuite/testcase[@name='wrong']/failure")
    assert code == 1 and root.attrib["failures"] == "1"
    assert failure is not None and "$.checks: expected 2, got 1" in (failure.text or "")


def test_case_selection_and_minimum_coverage(tmp_path: Path) -> None:
    mission = deploy_check(tmp_path, WRONG)
    code, out, _ = invoke("test", str(mission), "-k", "right")
    assert code == 0 and "wrong" not in out and "1 passed, 0 failed" in out
    code, out, err = invoke("test", str(mission), "--case", "deploy_check::righ*", "--min-coverage", "90")
    assert code == 1 and "coverage below 90%: deploy_check" in err
    code, _out, err = invoke("test", str(mission), "-k", "nothing")
    assert code == 2 and err.strip() == "error: no case matches nothing"


@pytest.mark.parametrize(("tests", "line", "needle"), [
    ("cases:\n  - name: a\n    expect: {stauts: FAILED}\n", 3, "did you mean 'status'?"),
    ("cases:\n  - name: a\n    mocks: {check_deplo: {result: 1}}\n    expect: {status: FAILED}\n", 3,
     "did you mean 'check_deploy'?"),
    ("cases:\n  - name: a\n    expect: {status: [\n", 4, "not valid YAML"),
])
def test_bad_input_exits_2_with_one_line_naming_file_and_line(tmp_path: Path, tests: str, line: int,
                                                                needle: str) -> None:
    mission = deploy_check(tmp_path, tests)
    code, out, err = invoke("test", str(mission))
    assert code == 2 and out == ""
    (only,) = err.strip().splitlines()
    assert only.startswith(f"{tmp_path / 'deploy_check.tests.yaml'}:{line}:") and needle in only


def test_missing_paths_and_missions_without_tests_exit_2(tmp_path: Path) -> None:
    code, _out, err = invoke("test", str(tmp_path / "nope.yaml"))
    assert code == 2 and "not found" in err
    shutil.copy(MISSIONS / "deploy_check.yaml", tmp_path)
    code, _out, err = invoke("test", str(tmp_path / "deploy_check.yaml"))
    assert code == 2 and "has no tests" in err and "deploy_check.tests.yaml" in err
    (tmp_path / "out").mkdir()
    code, _out, err = invoke("test", str(tmp_path / "deploy_check.yaml"), "--junit", str(tmp_path / "out"))
    assert code == 2 and "is a folder" in err


def test_a_folder_lists_missions_without_tests(tmp_path: Path) -> None:
    deploy_check(tmp_path, WRONG.split("  - name: wrong")[0])
    shutil.copy(MISSIONS / "change_window.yaml", tmp_path)
    code, out, err = invoke("test", str(tmp_path), "--min-coverage", "10")
    assert f"{tmp_path / 'change_window.yaml'}: no tests (coverage 0%)" in out
    assert code == 1 and "change_window.yaml" in err


def _pytest(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """pytest in a subprocess, with the plugin loaded as users get it: through the installed pytest11 entry point."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "pytest", "-p",
                           "no:cacheprovider", "-o", "addopts=", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def test_pytest_missions_collects_one_item_per_case(tmp_path: Path) -> None:
    empty = tmp_path / "nothing_else"
    empty.mkdir()
    done = _pytest("--missions", "missions/", "--collect-only", "-q", str(empty))
    ids = [line for line in done.stdout.splitlines() if ".tests.yaml::" in line]
    assert done.returncode == 0, done.stdout + done.stderr
    assert "missions/deploy_check.tests.yaml::deploy_check::ready_on_second_check" in ids
    total = sum(len(re.findall(r"^  - name: ", p.read_text(), re.MULTILINE)) for p in MISSIONS.glob("*.tests.yaml"))
    assert len(ids) == total


def test_pytest_missions_runs_the_cases_and_shows_differences_and_coverage(tmp_path: Path) -> None:
    deploy_check(tmp_path, WRONG)
    empty = tmp_path / "nothing_else"
    empty.mkdir()
    done = _pytest("--missions", str(tmp_path), "-m", "mission", str(empty))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 passed" in done.stdout
    assert "$.checks: expected 2, got 1" in done.stdout
    assert re.search(r"deploy_check \(2 cases\): states \d+/8", done.stdout)


def test_pytest_missions_reports_bad_test_files_as_usage_errors(tmp_path: Path) -> None:
    deploy_check(tmp_path, "cases:\n  - name: a\n    expect: {stauts: FAILED}\n")
    done = _pytest("--missions", str(tmp_path), str(tmp_path))
    assert done.returncode == 4 and "did you mean 'status'?" in done.stderr
