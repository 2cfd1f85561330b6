"""The report's cost section: the runs priced three ways (Standard, Express, one Lambda), and where they break even."""

from __future__ import annotations

import html as html_lib
import json
import re

from tests.history.hand_histories import fanout
from tests.history.test_one_lambda import LONG, WAITED, three_tools_and_a_wait
from workbench.core.money import fmt_usd
from workbench.history import load_history
from workbench.history.cost import LambdaConfig, cost_ways_summary, one_lambda_costs
from workbench.history.frames import frames
from workbench.report import build

JSON_BLOCK = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.S)


def _histories() -> list:  # type: ignore[type-arg]
    return [load_history(three_tools_and_a_wait(), execution_arn=WAITED),
            load_history(fanout((360_000, 360_000, 360_000)), execution_arn=LONG)]


def _three_ways(page: str) -> tuple[str, list[list[str]]]:
    cost = page[page.index('<section class="wb-section" id="cost">'):]
    part = cost[cost.index("<h3>Standard, Express or one Lambda</h3>"):]
    table = part[part.index("<table"):part.index("</table>")]
    rows = [[html_lib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
            for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "<td" in tr]
    return html_lib.unescape(part[:part.index("<table")]), rows


def test_cost_section_shows_the_three_ways_and_what_each_counts() -> None:
    histories = _histories()
    page = build(histories).html
    notes, rows = _three_ways(page)
    ways = cost_ways_summary(one_lambda_costs(frames(histories)))
    assert [r[0] for r in rows] == ["Standard", "Express", "One Lambda (1024 MB, x86_64)"]
    assert [r[2] for r in rows] == ["2 of 2", "2 of 2", "1 of 2"]  # the 18-minute run has no one-Lambda price
    assert [r[3] for r in rows] == ["0", "1", "1"]
    assert [r[4] for r in rows] == [fmt_usd(v) for v in ways["total_usd"]]
    assert rows[2][4] == "$0.00111"  # the hand-checked run alone: $0.00110853555
    assert [r[5] for r in rows] == [fmt_usd(v) for v in ways["per_1000_usd"]]
    assert "Standard: every state transition" in notes
    assert "Express: one request plus the execution's wall-clock" in notes
    assert "every Wait state and retry back-off" in notes and "1024 MB x86_64; assumed" in notes
    assert "1 execution would run over 15 minutes as one Lambda: impossible" in notes
    assert "ran over Express's 5 minutes" in notes


def test_cost_section_draws_the_break_even_chart() -> None:
    page = build(_histories()).html
    found = [(fid, json.loads(body)) for fid, body in JSON_BLOCK.findall(page)
             if "Cost per 1,000 executions by number of steps" in body]
    assert len(found) == 1
    fid, spec = found[0]
    names = [t["name"] for t in spec["data"]]
    assert names == ["Standard", "Express", "One Lambda (1024 MB, x86_64)", "these runs (measured)"]
    cost = page[page.index('<section class="wb-section" id="cost">'):page.index("</section>", page.index('id="cost"'))]
    div = f'<div class="wb-figure" id="{fid.removesuffix("-data")}"'
    assert cost.index("<h3>Standard, Express or one Lambda</h3>") < cost.index(div)


def test_the_tools_memory_sizes_the_one_lambda() -> None:
    tools = {"fetch": LambdaConfig(512), "check": LambdaConfig(2048, "arm64"), "store": 256}
    notes, rows = _three_ways(build(_histories()[:1], tools=tools).html)
    assert rows[2][0] == "One Lambda (2048 MB, x86_64)"
    assert "2048 MB x86_64, the largest memory of the tools" in notes
    # 2 GB × 66.5 s = 133 GB-s × $0.0000166667 = $0.0022166711; + $0.0000002 = $0.0022168711
    assert rows[2][4] == fmt_usd(0.0022168711) == "$0.00222"
