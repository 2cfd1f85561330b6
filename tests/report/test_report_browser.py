"""Reports in a real browser, offline: every figure draws, nothing leaves the file, hostile values stay text.

Debian's chromium driven by Playwright; every request that is not the report's own file is aborted
and recorded. Skipped (with the reason) when chromium or Playwright is missing, unless ``CI`` is set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.history.hand_histories import exec_arn, fanout
from tests.report.offline_page import Visit, open_offline
from tests.report.report_histories import BOLD, FLAG, SCRIPT, hostile_history, synthetic
from workbench.history import frames, load_history
from workbench.report import Report, build
from workbench.viz import draw, overlay_for_execution

pytestmark = pytest.mark.browser


def _check_report_page(visit: Visit, report: Report) -> None:
    page = visit.page
    figures = page.locator("div.wb-figure")
    assert figures.count() == int(page.evaluate("document.body.getAttribute('data-figures-drawn')")) >= 6
    for i in range(figures.count()):
        assert figures.nth(i).locator(".main-svg").count() >= 1, f"figure {i + 1} did not render"
    assert page.locator("section#graph svg.workbench-graph g.node").count() >= 2
    inspectors = page.locator(".wb-inspect").count()
    assert page.evaluate("document.body.getAttribute('data-inspectors-mounted')") == (
        str(inspectors) if inspectors else None)
    assert page.locator(".wb-inspect button[data-tab]").count() == 3 * inspectors
    assert visit.errors == [] and visit.blocked == [] and visit.dialogs == []
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.title() == report.title


@pytest.fixture(scope="module")
def many_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    report = build([*synthetic(40), hostile_history()], title="Nightly <b>mission</b>")
    path = report.save(tmp_path_factory.mktemp("report") / "many.html")
    return report, path


def test_many_executions_report_renders_offline(browser: Any, many_report: tuple[Report, Path],
                                                artifacts: Path) -> None:
    report, path = many_report
    visit = open_offline(browser, path)
    _check_report_page(visit, report)
    assert visit.page.locator("section#graph g.badge-failures").count() >= 1  # heat overlay
    assert visit.page.locator("h1").inner_text() == "Nightly <b>mission</b>"
    visit.page.screenshot(path=str(artifacts / "report-many.png"), full_page=True)
    visit.page.context.close()


def test_hostile_values_show_as_text_and_run_nothing(browser: Any, tmp_path: Path, artifacts: Path) -> None:
    report = build(hostile_history())
    visit = open_offline(browser, report.save(tmp_path / "hostile.html"))
    _check_report_page(visit, report)
    page = visit.page
    shown = "\n".join(page.locator("pre.wb-pre").all_inner_texts())
    assert SCRIPT in shown and FLAG in shown and "[redacted]" in shown
    ticks = page.locator("#timeline .ytick text").all_text_contents()
    assert BOLD in ticks  # the state name is drawn as text, not as bold markup
    assert page.locator("svg b, section img").count() == 0  # no element was created from a value
    page.locator("#failed-data").screenshot(path=str(artifacts / "report-hostile-values.png"))
    page.context.close()


def test_single_timed_execution_report(browser: Any, tmp_path: Path, artifacts: Path) -> None:
    report = build(load_history(fanout(), execution_arn=exec_arn("Fan", "run-1")))
    visit = open_offline(browser, report.save(tmp_path / "single.html"))
    _check_report_page(visit, report)
    assert visit.page.locator("section#graph g.node[data-status='succeeded']").count() >= 5
    assert visit.page.locator("#timeline .xtick text").count() >= 2  # a real time axis
    visit.page.locator("#timeline").screenshot(path=str(artifacts / "report-timeline.png"))
    visit.page.context.close()


def test_graph_and_report_inside_a_notebook_output(browser: Any, tmp_path: Path, artifacts: Path) -> None:
    doc = fanout()
    f = frames(load_history(doc, execution_arn=exec_arn("Fan", "nb")))
    view = draw(doc["definition"], overlay_for_execution(f, definition=doc["definition"]))
    report = build(f, definition=doc["definition"])
    cell = (f'<!doctype html><html><head><meta charset="utf-8"><title>notebook</title></head><body>'
            f'<div class="jp-OutputArea-output">{view._repr_html_()}</div>'
            f'<div class="jp-OutputArea-output">{report._repr_html_()}</div></body></html>')
    path = tmp_path / "notebook-output.html"
    path.write_text(cell, encoding="utf-8")
    visit = open_offline(browser, path, wait_for_figures=False)
    page = visit.page
    assert page.locator("div.workbench-graph-view svg.workbench-graph g.node").count() >= 5
    frame = page.frame_locator("iframe")
    frame.locator("body[data-figures-drawn]").wait_for(timeout=30_000)
    drawn = int(frame.locator("body").get_attribute("data-figures-drawn") or 0)
    assert drawn >= 6 and frame.locator("div.wb-figure .main-svg").count() >= 3 * drawn
    assert frame.locator("section#graph g.node[data-status='succeeded']").count() >= 5
    assert visit.errors == [] and visit.blocked == [] and visit.dialogs == []
    page.screenshot(path=str(artifacts / "report-notebook-output.png"), full_page=True)
    page.context.close()


def test_the_offline_harness_sees_requests_dialogs_and_errors(browser: Any, tmp_path: Path) -> None:
    """The checks above can fail: a page that phones home, pops a dialog and throws is caught on all three."""
    path = tmp_path / "leaky.html"
    path.write_text('<!doctype html><img src="https://example.invalid/pixel.png">'
                    "<script>alert('hi'); throw new Error('boom');</script>", encoding="utf-8")
    visit = open_offline(browser, path, wait_for_figures=False)
    visit.page.wait_for_timeout(200)
    assert any("example.invalid" in url for url in visit.blocked)
    assert visit.dialogs == ["hi"] and any("boom" in e for e in visit.errors)
    visit.page.context.close()
