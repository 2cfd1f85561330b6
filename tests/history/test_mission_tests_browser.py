"""The coverage page in real Chromium, offline: uncovered transitions are drawn dashed, nothing is fetched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.report.offline_page import open_offline
from workbench.history.mission_tests import MissionTestRunner, load_suite
from workbench.report.coverage.page import write_coverage_report

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    suite = load_suite(REPO / "missions" / "incident_triage.yaml")
    with MissionTestRunner() as runner:  # two cases: the default branch, a retry, a catch stay uncovered
        result = runner.run_suite(suite, ["critical_alert_pages", "unknown_alert_is_caught"])
    assert result.passed and result.coverage.uncovered("transitions")
    return write_coverage_report([result], tmp_path_factory.mktemp("coverage") / "coverage.html")


def test_uncovered_transitions_are_dashed_and_covered_ones_solid(browser: Any, page_file: Path) -> None:
    visit = open_offline(browser, page_file)
    page = visit.page
    dashes = page.eval_on_selector_all(
        "g.edge[data-covered]", "els => els.map(e => [e.dataset.source, e.dataset.target, e.dataset.covered, "
        "getComputedStyle(e.querySelector('path')).strokeDasharray])")
    by_ends = {(source, target): (covered, dash) for source, target, covered, dash in dashes}
    assert by_ends[("decide", "summarize")][0] == "false" and by_ends[("decide", "summarize")][1] != "none"
    assert by_ends[("gather_evidence", "triage_failed")][0] == "false"  # the Parallel's catch never fired
    assert by_ends[("gather_evidence", "triage_failed")][1] != "none"
    assert by_ends[("fetch_alert", "triage_failed")] == ("true", "none")  # the catch that fired: solid
    assert by_ends[("assess", "decide")] == ("true", "none")
    uncovered = [d for d in dashes if d[2] != "true"]
    assert uncovered and all(d[3] != "none" for d in uncovered)
    assert all(d[3] == "none" for d in dashes if d[2] == "true")
    listed = page.eval_on_selector_all("ul.wb-uncovered li", "els => els.map(e => e.textContent)")
    assert "transitions: decide → summarize (default)" in listed
    assert visit.errors == [] and visit.dialogs == []


def test_the_page_makes_no_network_request(browser: Any, page_file: Path) -> None:
    visit = open_offline(browser, page_file)
    assert visit.page.get_attribute("body", "data-figures-drawn") == "1"
    assert visit.blocked == []
    assert all(url == page_file.as_uri() or url.startswith(("data:", "blob:", "about:")) for url in visit.requests)
