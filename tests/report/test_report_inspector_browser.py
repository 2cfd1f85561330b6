"""The report's execution inspector in real Chromium, offline: a saved report of a real run (embedded engine,
a throttled tool so a state retries) opened from file://. Click a state and read its input and output, see each
attempt of a retried state with its back-off, filter the events, sort the table, zoom and fit; nothing leaves
the page. Hostile names and values stay text: no dialog, no element injected.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import workbench
from tests.history.hand_histories import Builder, exec_arn, fn_arn
from tests.report.offline_page import Visit, open_offline
from workbench.engine.tools.faults import FaultPlan
from workbench.history import load_history
from workbench.report import build

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
TRIAGE = REPO / "missions" / "incident_triage.yaml"
# the first call of search_logs is throttled: its Retry (Lambda.TooManyRequestsException) tries again
THROTTLE = {"seed": 3, "tools": {"search_logs": {"throttle": {"burst": 1, "every": 1000}}}}


@pytest.fixture(scope="module")
def triage_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = workbench.run_mission(TRIAGE, faults=FaultPlan.model_validate(THROTTLE), time_warp=True, progress=False)
    assert run.status == "SUCCEEDED"
    return build(run).save(tmp_path_factory.mktemp("inspector") / "triage.html")


def _payload(visit: Visit) -> dict[str, Any]:
    return visit.page.evaluate("JSON.parse(document.querySelector('script.wb-inspect-data').textContent)")  # type: ignore[no-any-return]


def _mounted(visit: Visit) -> Any:
    page = visit.page
    page.wait_for_selector("body[data-inspectors-mounted='1']", timeout=30_000)
    return page


def _only_local(visit: Visit, path: Path) -> None:
    assert visit.requests and all(u == path.as_uri() or u.startswith("data:") for u in visit.requests), \
        visit.requests
    assert visit.blocked == [] and visit.errors == [] and visit.dialogs == []


def test_clicking_states_shows_inputs_outputs_and_each_retry_attempt(browser: Any, triage_report: Path,
                                                                     artifacts: Path) -> None:
    visit = open_offline(browser, triage_report)
    page = _mounted(visit)
    panel = page.locator(".wb-inspector")
    assert panel.is_hidden()
    page.locator('g.node[data-state="fetch_alert"]').click()
    assert page.locator('g.node.wb-selected').get_attribute("data-state") == "fetch_alert"
    assert panel.locator("h3.wb-inspector-title").inner_text() == "fetch_alert"
    (only,) = panel.locator(".wb-visit").all()
    given = only.locator(":scope > details.wb-json[data-label=\"input\"] pre.wb-json-text").text_content() or ""
    returned = only.locator(":scope > details.wb-json[data-label=\"output\"] pre.wb-json-text").text_content() or ""
    assert json.loads(given) == {"alert_id": "ALR-20417", "service": "checkout-api"}
    assert json.loads(returned)["alert_id"] == "ALR-20417" and "hosts" in json.loads(returned)

    page.locator('g.node[data-state="search_logs"]').click()
    assert panel.locator(".wb-visit .wb-visit-path").inner_text() == "gather_evidence › branch logs"
    attempts = panel.locator(".wb-attempt")
    assert attempts.count() == 2
    first, second = attempts.nth(0), attempts.nth(1)
    assert first.get_attribute("data-backoff-ms") == "" and first.get_attribute("data-status") == "failed"
    assert "Lambda.TooManyRequestsException" in (first.locator('details[data-label="error"] pre').text_content() or "")
    backoff = float(second.get_attribute("data-backoff-ms") or "nan")
    payload = _payload(visit)
    (logs,) = [v for v in payload["visits"] if v["state"] == "search_logs"]
    assert backoff > 0 and backoff == logs["attempts"][1]["backoff_ms"]
    assert second.get_attribute("data-status") == "succeeded"
    assert second.locator(".wb-attempt-backoff").inner_text().startswith("back-off ")
    assert second.locator(".wb-attempt-start").inner_text() != first.locator(".wb-attempt-start").inner_text()
    assert page.locator('g.node[data-state="search_logs"]').get_attribute("data-status") == "retried"
    assert page.locator('.wb-legend-item[data-status="retried"]').count() == 1
    page.screenshot(path=str(artifacts / "report-inspector-retried.png"))
    _only_local(visit, triage_report)
    page.context.close()


def test_events_filter_by_state_and_text_and_rows_highlight_the_graph(browser: Any, triage_report: Path,
                                                                       artifacts: Path) -> None:
    visit = open_offline(browser, triage_report)
    page = _mounted(visit)
    payload = _payload(visit)
    rows = page.locator("table.wb-events tbody tr[data-event-id]")
    page.locator('button[data-tab="events"]').click()
    assert rows.count() == len(payload["events"])
    page.locator("select.wb-events-state").select_option("probe_host")
    probe = [e["id"] for e in payload["events"] if e["state"] == "probe_host"]
    assert [int(r.get_attribute("data-event-id") or 0) for r in rows.all()] == probe and len(probe) > 4
    page.locator("button.wb-events-clear").click()
    page.locator("input.wb-events-filter").fill("TooManyRequests")
    assert {r.get_attribute("data-state") for r in rows.all()} == {"search_logs"}
    page.locator("button.wb-events-clear").click()
    page.locator("select.wb-events-type").select_option("TaskFailed")
    assert rows.count() == 1
    page.locator("button.wb-events-clear").click()

    page.locator('button[data-tab="graph"]').click()  # a state clicked in the graph filters the events
    page.locator("button.wb-zoom-fit").click()  # page_human is below the first view: fit brings it in
    page.locator('g.node[data-state="page_human"]').click()
    page.locator('button[data-tab="events"]').click()
    assert page.locator("select.wb-events-state").input_value() == "page_human"
    assert {r.get_attribute("data-state") for r in rows.all()} == {"page_human"}
    page.locator("button.wb-events-clear").click()
    assert rows.count() == len(payload["events"])
    row = page.locator('table.wb-events tbody tr[data-state="query_metrics"]').first
    row.locator("td").first.click()  # a row highlights its state in the graph
    assert page.locator("g.node.wb-selected").get_attribute("data-state") == "query_metrics"
    assert page.locator(".wb-inspect").get_attribute("data-selected") == "query_metrics"
    page.screenshot(path=str(artifacts / "report-inspector-events.png"))
    _only_local(visit, triage_report)
    page.context.close()


def test_table_sorts_and_graph_zooms_pans_and_fits(browser: Any, triage_report: Path) -> None:
    visit = open_offline(browser, triage_report)
    page = _mounted(visit)
    payload = _payload(visit)
    page.locator('button[data-tab="table"]').click()
    table_rows = page.locator("table.wb-visits tbody tr[data-visit-id]")
    assert table_rows.count() == len(payload["visits"])
    by_duration = [v["id"] for v in sorted(payload["visits"], key=lambda v: (v["duration_ms"], v["id"]))]
    page.locator('th[data-sort="duration"]').click()
    assert page.locator('th[data-sort="duration"]').get_attribute("aria-sort") == "ascending"
    assert [int(r.get_attribute("data-visit-id") or -1) for r in table_rows.all()] == by_duration
    page.locator('th[data-sort="duration"]').click()
    durations = [payload["visits"][int(r.get_attribute("data-visit-id") or -1)]["duration_ms"]
                 for r in table_rows.all()]
    assert durations == sorted(durations, reverse=True) and durations[0] > durations[-1]
    page.locator('th[data-sort="state"]').click()
    names = [r.get_attribute("data-state") or "" for r in table_rows.all()]
    assert names == sorted(names)

    page.locator('button[data-tab="graph"]').click()
    root = page.locator(".wb-inspect")
    svg = page.locator(".wb-canvas svg.workbench-graph")
    start = float(root.get_attribute("data-scale") or 0)
    assert start >= 0.75
    page.locator("button.wb-zoom-in").click()
    assert float(root.get_attribute("data-scale") or 0) > start
    page.locator("button.wb-zoom-fit").click()
    fitted = float(root.get_attribute("data-scale") or 0)
    x, y, w, h = map(float, (svg.get_attribute("viewBox") or "").split())
    gw, gh = graph_size(page)
    assert fitted < start and x <= 0 and y <= 0 and w >= gw - 1 and h >= gh - 1  # all of it in view
    page.locator(".wb-canvas").scroll_into_view_if_needed()
    canvas = page.locator(".wb-canvas").bounding_box()
    assert canvas is not None
    page.mouse.move(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_function("(s) => +document.querySelector('.wb-inspect').getAttribute('data-scale') > s",
                           arg=fitted)
    before = (svg.get_attribute("viewBox") or "").split()
    page.mouse.move(canvas["x"] + 40, canvas["y"] + 40)
    page.mouse.down()
    page.mouse.move(canvas["x"] + 140, canvas["y"] + 90, steps=5)
    page.mouse.up()
    after = (svg.get_attribute("viewBox") or "").split()
    assert float(after[0]) < float(before[0]) and float(after[1]) < float(before[1]) and after[2:] == before[2:]
    assert page.locator(".wb-inspector").is_hidden()  # a drag is not a click
    _only_local(visit, triage_report)
    page.context.close()


def graph_size(page: Any) -> tuple[float, float]:
    """The drawing's own size: its background rectangle covers all of it."""
    size = page.evaluate("(() => { const r = document.querySelector('.wb-canvas svg rect.background'); "
                         "return [+r.getAttribute('width'), +r.getAttribute('height')]; })()")
    return float(size[0]), float(size[1])


# ------------------------------------------------------------------------------------------- hostile

EVIL_A = '"><svg onload=alert(1)>'
EVIL_B = "</script><img src=x onerror=alert(1)>"
EVIL_VALUE = {"a": EVIL_A, "b": EVIL_B, "c": "<iframe src=javascript:alert(1)>", "d": "<!-- x -->",
              "big": (EVIL_B + " ") * 200}


def _hostile_doc() -> dict[str, Any]:
    definition = {"StartAt": EVIL_A, "States": {
        EVIL_A: {"Type": "Pass", "Next": EVIL_B},
        EVIL_B: {"Type": "Task", "Resource": fn_arn("evil"), "End": True,
                 "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}]}}}
    b = Builder(definition)
    text = json.dumps(EVIL_VALUE)
    e = b.ev(0, -1, "ExecutionStarted", executionStartedEventDetails={"input": text})
    e = b.ev(1, e, "PassStateEntered", stateEnteredEventDetails={"name": EVIL_A, "input": text})
    e = b.ev(2, e, "PassStateExited", stateExitedEventDetails={"name": EVIL_A, "output": text})
    e = b.ev(3, e, "TaskStateEntered", stateEnteredEventDetails={"name": EVIL_B, "input": text})
    now = 3.0
    for pause in (1.0, 1000.0):
        now += pause
        e = b.ev(now, e, "LambdaFunctionScheduled", lambdaFunctionScheduledEventDetails={
            "resource": fn_arn("evil"), "input": text})
        e = b.ev(now + 1, e, "LambdaFunctionStarted")
        now += 5
        e = b.ev(now, e, "LambdaFunctionFailed", lambdaFunctionFailedEventDetails={"error": EVIL_A, "cause": text})
    b.failed(now + 1, e, EVIL_B, EVIL_A)
    return b.doc()


def test_hostile_names_and_values_stay_text(browser: Any, tmp_path: Path, artifacts: Path) -> None:
    history = load_history(_hostile_doc(), execution_arn=exec_arn("Evil", "run-xss"))
    path = build(history).save(tmp_path / "evil.html")
    visit = open_offline(browser, path)
    page = _mounted(visit)
    own_scripts = page.evaluate("document.scripts.length")
    nodes = page.locator("g.node.wb-clickable")
    assert nodes.count() == 2
    titles = []
    for i in range(nodes.count()):
        nodes.nth(i).click()
        titles.append(page.locator("h3.wb-inspector-title").text_content())
        for block in page.locator(".wb-inspector details.wb-json").all():
            block.evaluate("d => { d.open = true; }")
        for button in page.locator(".wb-inspector button.wb-show-all").all():
            button.click()
    assert sorted(titles) == sorted([EVIL_A, EVIL_B])
    shown = page.locator(".wb-inspector").text_content() or ""
    assert EVIL_B in shown and "<iframe src=javascript:alert(1)>" in shown
    page.locator('button[data-tab="events"]').click()
    page.locator("select.wb-events-state").select_option(EVIL_B)
    for block in page.locator("table.wb-events details.wb-json").all():
        block.evaluate("d => { d.open = true; }")
    page.locator('button[data-tab="table"]').click()
    page.locator('th[data-sort="state"]').click()
    page.screenshot(path=str(artifacts / "report-inspector-hostile.png"))
    injected = page.evaluate("""() => ({
      elements: document.querySelectorAll('img, iframe, object, embed, .wb-inspect svg svg').length,
      scripts: document.scripts.length,
      handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => /^on/i.test(a.name)))
        .map(e => e.outerHTML.slice(0, 80)),
      flag: typeof window.__xss})""")
    assert injected == {"elements": 0, "scripts": own_scripts, "handlers": [], "flag": "undefined"}
    _only_local(visit, path)
    page.context.close()
