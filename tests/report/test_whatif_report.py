"""The what-if report as a file: its sections, the edit outlined on the graph, one link per execution to its
two paths side by side with divergent steps marked, redaction, escaping and no reference outside the page.

The recordings are real ``deploy_check`` runs whose input and fault message carry an XSS payload and a
bearer token; the edited Mission adds a Retry on the transient error (see ``test_whatif_recordings``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.history.test_whatif_recordings import record, with_retry
from workbench.history.whatif import WhatIf, whatif
from workbench.report.inputs.data import ReportError
from workbench.report.whatif.report import whatif_report
from workbench.report.whatif.sections import aligned, highlight

pytestmark = pytest.mark.slow
SECRET = "Bearer abcdefghijklmnop1234"
XSS_CAUSE = "</script><img src=x onerror=alert('cause')>"
XSS_SERVICE = "<svg onload=alert('service')>"
XSS_VERSION = "v1\"><img src=x onerror=alert('version')>"


def hostile_whatif(folder: Path) -> WhatIf:
    """A real what-if over runs whose inputs, outputs, errors and causes carry hostile text."""
    record(folder / "runs", 8, message=f"{XSS_CAUSE} Authorization: {SECRET}", service=XSS_SERVICE,
           version=XSS_VERSION)
    return whatif(folder / "runs", with_retry(folder), unrecorded="local", processes=0, progress=False)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> WhatIf:
    return hostile_whatif(tmp_path_factory.mktemp("whatif-report"))


@pytest.fixture(scope="module")
def html(result: WhatIf) -> str:
    return whatif_report(result).html


def test_sections_and_the_changed_state_outlined_on_the_graph(result: WhatIf, html: str) -> None:
    report = whatif_report(result)
    assert report.sections == ("summary", "changes", "executions", "paths") and report.executions == 8
    changed = re.findall(r'<g class="node [^"]*wb-changed" data-change="(\w+)" data-state="([^"]+)"', html)
    assert changed == [("changed", "check_status")]
    assert "<li>check_status: Retry changed</li>" in html
    assert re.search(r"<td>recovered</td><td class=\"num\">(\d+)</td>", html).group(1) == str(  # type: ignore[union-attr]
        result.summary.recovered)


def test_every_row_links_to_its_two_paths_and_divergent_steps_are_marked(result: WhatIf, html: str) -> None:
    links = re.findall(r'<a href="#wb-paths-(\d+)">', html)
    blocks = re.findall(r'<div class="wb-paths" id="wb-paths-(\d+)"', html)
    assert sorted(links) == sorted(blocks) == sorted(str(r.index) for r in result.rows)
    recovered = [r for r in result.rows if r.outcome == "recovered"]
    assert recovered, "the edit must recover the runs that failed on the transient error"
    for row in recovered:
        block = html[html.index(f'id="wb-paths-{row.index}"'):]
        block = block[:block.index('<div class="wb-paths"') if '<div class="wb-paths"' in block else len(block)]
        marked = block.count('data-diverge="1"')
        assert marked == sum(1 for _, _, d in aligned(row.recorded_path, row.replayed_path) if d) > 0
        assert "recorded path</th><th>replayed path" in block and f'href="#wb-row-{row.index}"' in block


def test_hostile_values_are_escaped_and_secrets_redacted(html: str) -> None:
    assert SECRET not in html and "[redacted]" in html
    for payload in (XSS_CAUSE, XSS_SERVICE, XSS_VERSION, "<img src=x", "<svg onload"):
        assert payload not in html
    assert "&lt;img src=x onerror=alert(&#39;cause&#39;)&gt;" in html  # shown, as text
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;', html)
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S)  # plotly.js quotes URLs in its code
    assert not re.search(r'(?:src|href)="(?:https?:)?//', markup)  # the page's own elements fetch nothing


def test_same_whatif_same_bytes_and_refusals(result: WhatIf) -> None:
    assert whatif_report(result).html == whatif_report(result).html
    with pytest.raises(ReportError, match="replayed no execution"):
        whatif_report(WhatIf(rows=[]))
    with pytest.raises(ReportError, match=r"needs the result of workbench\.whatif"):
        whatif_report("runs/")  # type: ignore[arg-type]


def test_highlight_leaves_other_states_alone() -> None:
    svg = ('<g class="node state-task" data-state="A" data-path="A" data-bbox="0 0 1 1">'
           '<g class="node state-task" data-state="A&amp;B" data-path="P/branch[0]/A&amp;B" data-bbox="0 0 1 1">')
    from workbench.history.whatif import StateChange

    out = highlight(svg, [StateChange("P/branch[0]/A&B", "added"), StateChange("Gone", "removed")])
    assert out.count("wb-changed") == 1 and 'data-change="added" data-state="A&amp;B"' in out
