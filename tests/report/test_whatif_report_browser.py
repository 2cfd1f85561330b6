"""The saved what-if report in real Chromium, opened from file:// with the network cut: nothing leaves the page,
the changed state is outlined on the graph, a row's link reveals its recorded and replayed paths side by side
(divergent steps marked) and the way back, and hostile values from the histories stay text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.report.offline_page import Visit, open_offline
from tests.report.test_whatif_report import hostile_whatif
from workbench.history.whatif import WhatIf
from workbench.report.whatif.report import whatif_report

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[WhatIf, Path]:
    folder = tmp_path_factory.mktemp("whatif-browser")
    result = hostile_whatif(folder)
    return result, whatif_report(result).save(folder / "whatif.html")


def _only_local(visit: Visit, path: Path) -> None:
    assert visit.requests and all(u == path.as_uri() or u.startswith("data:") for u in visit.requests), \
        visit.requests
    assert visit.blocked == [] and visit.errors == [] and visit.dialogs == []


def test_a_row_link_reveals_the_two_paths_side_by_side(browser: Any, saved: tuple[WhatIf, Path],
                                                       artifacts: Path) -> None:
    result, path = saved
    visit = open_offline(browser, path)
    page = visit.page
    (row,) = [r for r in result.rows if r.outcome == "recovered"][:1]
    block = page.locator(f"#wb-paths-{row.index}")
    assert block.is_hidden()
    page.locator(f'#wb-row-{row.index} a[href="#wb-paths-{row.index}"]').click()
    block.wait_for(state="visible", timeout=10_000)
    assert page.evaluate("location.hash") == f"#wb-paths-{row.index}"
    recorded = block.locator("table.wb-side tbody tr td:nth-child(3)").all_inner_texts()
    replayed = block.locator("table.wb-side tbody tr td:nth-child(4)").all_inner_texts()
    assert [s for s in recorded if s != "–"] == list(row.recorded_path)
    assert [s for s in replayed if s != "–"] == list(row.replayed_path)
    diverging = block.locator('tr[data-diverge="1"]')
    assert diverging.count() > 0 and set(diverging.locator("td.wb-mark").all_inner_texts()) == {"≠"}
    assert block.locator('[data-side="recorded"] dd').first.inner_text() == "FAILED"
    assert block.locator('[data-side="replayed"] dd').first.inner_text() == "SUCCEEDED"
    others = [r.index for r in result.rows if r.index != row.index]
    assert all(page.locator(f"#wb-paths-{i}").is_hidden() for i in others)
    page.screenshot(path=str(artifacts / "whatif-paths.png"))
    block.locator(f'a[href="#wb-row-{row.index}"]').click()
    page.wait_for_function(f"location.hash === '#wb-row-{row.index}'", timeout=10_000)
    assert block.is_hidden() and page.locator(f"#wb-row-{row.index}").is_visible()
    _only_local(visit, path)


def test_the_changed_state_is_outlined_and_nothing_leaves_the_page(browser: Any, saved: tuple[WhatIf, Path]) -> None:
    _, path = saved
    visit = open_offline(browser, path)
    page = visit.page
    outline = page.locator('g.node.wb-changed[data-state="check_status"] > rect')
    assert outline.count() == 1
    stroke = outline.evaluate("e => [getComputedStyle(e).stroke, getComputedStyle(e).strokeWidth]")
    plain = page.locator('g.node[data-state="start_deploy"] > rect').evaluate("e => getComputedStyle(e).stroke")
    assert stroke == ["rgb(176, 8, 138)", "4px"] and plain != stroke[0]
    assert page.locator("g.node.wb-changed").count() == 1
    assert page.get_attribute("body", "data-figures-drawn") == "1"
    _only_local(visit, path)


def test_hostile_inputs_outputs_and_causes_do_not_run(browser: Any, saved: tuple[WhatIf, Path]) -> None:
    result, path = saved
    visit = open_offline(browser, path)
    page = visit.page
    for r in result.rows:  # open every block in turn: each holds payloads, errors and causes
        page.evaluate(f"location.hash = '#wb-paths-{r.index}'")
        page.locator(f"#wb-paths-{r.index}").wait_for(state="visible", timeout=10_000)
    injected = page.evaluate("""() => ({
        images: document.querySelectorAll('img').length,
        handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(
            a => a.name.startsWith('on'))).length,
        svgs: document.querySelectorAll('#summary svg:not(.main-svg):not(.icon), #executions svg, #paths svg')
            .length})""")
    assert injected == {"images": 0, "handlers": 0, "svgs": 0}
    text = page.locator("main").text_content() or ""  # hidden blocks included
    assert "<img src=x onerror=alert('cause')>" in text and "[redacted]" in text
    assert "Bearer abcdefghijklmnop1234" not in text
    _only_local(visit, path)
