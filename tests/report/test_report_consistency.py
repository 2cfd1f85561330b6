"""Report self-consistency (issue #12): every count in the summary equals the count in its section.

Checked on every corpus history (one report each) and on one report of them all. The summary's
"Executions" (and its per-status counts), "State visits", "Retries" and "Failures" must equal what the
executions table, the latency table, the retries table and the failures table add up to; "No failures."
appears exactly when the summary counts none. Plotly figures are replaced by empty ones here: the counts
are in the tables, and building the figures would cost a second per report.
"""

from __future__ import annotations

import html as html_lib
import re
import warnings
from collections.abc import Iterator

import plotly.graph_objects as go
import pytest

from tests.conftest import CORPUS
from workbench.history import HistoryWarning
from workbench.report import build
from workbench.report.run import cost, failures, overview

FILES = sorted(p.name for p in (CORPUS / "histories").glob("*.json") if p.name != "INDEX.json")
_FIGURES = {overview: ("outcomes_figure", "latency_figure", "timeline_figure"),
            failures: ("retry_heatmap", "backoff_scatter"),
            cost: ("cost_timeline", "cost_bars", "break_even_figure")}


@pytest.fixture(scope="module", autouse=True)
def cheap_figures() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for module, names in _FIGURES.items():
            for name in names:
                mp.setattr(module, name, lambda *args, **kwargs: go.Figure())
        yield


def section(page: str, sid: str) -> str:
    match = re.search(rf'<section class="wb-section" id="{sid}">(.*?)</section>', page, re.S)
    assert match, sid
    return match.group(1)


def facts(page: str) -> dict[str, str]:
    return {html_lib.unescape(k): html_lib.unescape(v)
            for k, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", section(page, "summary"))}


def rows(fragment: str) -> list[dict[str, str]]:
    """The rows of the first table in ``fragment``, as header → cell text."""
    table = re.search(r"<table.*?</table>", fragment, re.S)
    if table is None:
        return []
    heads = [html_lib.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table.group(0))]
    return [dict(zip(heads, (html_lib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)), strict=True))
            for tr in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S) if "<td" in tr]


def number(text: str) -> int:
    return int(re.match(r"[\d,]+", text.strip()).group(0).replace(",", ""))  # type: ignore[union-attr]


def check(page: str) -> None:
    f = facts(page)
    summary = section(page, "summary")
    executions_table = rows(summary[summary.index("<h3>Executions"):])
    n = number(f["Executions"])
    statuses = dict((s, int(c.replace(",", ""))) for s, c in re.findall(r"([a-z ]+) ([\d,]+)",
                                                                          f["Executions"].split("(", 1)[1]))
    assert sum(statuses.values()) == n
    if n <= 25:  # the table shows every execution
        assert len(executions_table) == n
        shown: dict[str, int] = {}
        for r in executions_table:
            key = r["status"].lower().replace("_", " ")
            shown[key] = shown.get(key, 0) + 1
        assert shown == {s.strip(): c for s, c in statuses.items()}
        assert sum(int(r["retries"]) for r in executions_table) == number(f["Retries"])
        assert sum(int(r["failures"]) for r in executions_table) == number(f["Failures"])
    latency = rows(section(page, "latency"))
    assert sum(int(r["visits"]) for r in latency) == number(f["State visits"])
    failures = section(page, "failures")
    failure_rows = rows(failures)
    assert sum(int(r["count"]) for r in failure_rows) == number(f["Failures"])
    assert ("No failures." in failures) == (number(f["Failures"]) == 0)
    retry_rows = rows(section(page, "retries"))
    assert sum(int(r["retried"]) for r in retry_rows) == number(f["Retries"])
    no_retries = "nothing was retried" in section(page, "retries")
    assert no_retries == (not retry_rows)
    if no_retries:
        assert number(f["Retries"]) == 0


def report_of(*names: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)  # normalised recordings warn, by design
        return build([CORPUS / "histories" / n for n in names]).html


@pytest.mark.parametrize("name", FILES)
def test_summary_counts_equal_their_sections(name: str) -> None:
    check(report_of(name))


def test_summary_counts_equal_their_sections_over_the_whole_corpus() -> None:
    page = report_of(*FILES)
    check(page)
    f = facts(page)  # and the corpus gives the check something to count
    assert number(f["Failures"]) > 20 and number(f["Retries"]) > 10 and number(f["Executions"]) == len(FILES)
