"""The inspector script in real Chromium outside a report: labels stay readable at 200 states, a live view keeps
selection, zoom, tab and filters across updates, an empty root gets its graph from update(svgText), and the
bundle works as the start of an ES module (how the notebook widget loads it)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from tests.history.hand_histories import exec_arn, ten_states
from workbench.history import frames, load_history
from workbench.viz import draw, overlay_for_execution
from workbench.viz.inspect import INSPECTOR_CSS, INSPECTOR_JS, inspection_from_events, inspector_html, script_json
from workbench.viz.inspect.assets import INSPECTOR_BOOT, payload_json

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]

LABEL_SIZES = """() => {
  const out = [];
  for (const g of document.querySelectorAll('.wb-canvas g.node.wb-clickable')) {
    const t = g.querySelector(':scope > text');
    if (t) out.push(parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a);
  }
  return out;
}"""


def _page(browser: Any, body: str, width: int = 1400, height: int = 1000) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_content(f"<!doctype html><html><head><meta charset='utf-8'><style>{INSPECTOR_CSS}</style></head>"
                     f"<body>{body}</body></html>")
    page.errors = errors
    return page


def _generated(n: int) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("bench_graph", REPO / "bench" / "graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n)  # type: ignore[no-any-return]


def test_two_hundred_states_keep_readable_labels_by_default(browser: Any, artifacts: Path) -> None:
    definition = _generated(200)
    svg = draw(definition).svg
    payload = inspection_from_events([], definition, exec_arn("Big", "not-started"))
    assert len(payload["states"]) >= 200
    page = _page(browser, inspector_html(svg, payload) + f"<script>{INSPECTOR_JS}</script>"
                 f"<script>{INSPECTOR_BOOT}</script>")
    page.wait_for_selector("body[data-inspectors-mounted='1']")
    sizes = page.evaluate(LABEL_SIZES)
    assert len(sizes) >= 200 and min(sizes) >= 9.0, min(sizes)
    scale = float(page.locator(".wb-inspect").get_attribute("data-scale") or 0)
    graph_w, graph_h = (float(v) for v in page.evaluate(
        "['width', 'height'].map(k => document.querySelector('.wb-canvas svg rect.background').getAttribute(k))"))
    view = [float(v) for v in (page.locator(".wb-canvas svg").get_attribute("viewBox") or "").split()]
    assert scale >= 0.75 and view[3] < graph_h  # not shrunk to fit: the rest is a pan away
    page.screenshot(path=str(artifacts / "inspector-200-states.png"))
    page.locator("button.wb-zoom-fit").click()
    fitted = [float(v) for v in (page.locator(".wb-canvas svg").get_attribute("viewBox") or "").split()]
    assert fitted[2] >= graph_w - 1 and fitted[3] >= graph_h - 1  # fit shows all of it, on request
    page.locator("button.wb-zoom-reset").click()
    assert float(page.locator(".wb-inspect").get_attribute("data-scale") or 0) == scale
    assert page.errors == []
    page.close()


def _live(events: list[dict[str, Any]], definition: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(payload, svg) as the Launcher makes them from the raw events polled so far."""
    history = load_history({"events": events}, execution_arn=exec_arn("Ten", "live"), definition=definition)
    overlay = overlay_for_execution(frames(history), definition=definition)
    return inspection_from_events(events, definition, exec_arn("Ten", "live")), draw(definition, overlay).svg


def test_a_live_view_keeps_selection_zoom_tab_and_filters_across_updates(browser: Any) -> None:
    doc = ten_states()
    definition, raw = doc["definition"], json.loads(json.dumps(doc["history"]))
    early, early_svg = _live(raw[:9], definition)  # Fetch is in its second try
    late, late_svg = _live(raw, definition)
    page = _page(browser, "<div id='live'></div>")
    page.add_script_tag(content=INSPECTOR_JS)
    page.evaluate("""([payload, svg]) => {
      window.selections = [];
      window.h = WorkbenchInspector.mount(document.getElementById('live'), payload,
                                          {onSelect: (s) => window.selections.push(s)});
      window.h.update(payload, svg);
    }""", [early, early_svg])
    assert page.locator("#live.wb-inspect .wb-canvas svg.workbench-graph").count() == 1  # the graph came by update
    page.locator('g.node[data-state="Fetch"]').click()
    assert page.evaluate("window.selections") == ["Fetch"]
    assert page.locator(".wb-attempt").count() == 2 and page.locator('g.node[data-state="Fetch"]').get_attribute(
        "data-status") == "running"
    page.locator('.wb-attempt[data-attempt="1"] details[data-label="error"] > summary').click()  # close it
    page.locator("button.wb-zoom-in").click()
    scale = page.locator("#live").get_attribute("data-scale")
    page.locator('button[data-tab="events"]').click()
    page.locator("input.wb-events-filter").fill("Lambda")
    before = page.locator("table.wb-events tbody tr").count()
    page.evaluate("([payload, svg]) => window.h.update(payload, svg)", [late, late_svg])
    assert page.locator("#live").get_attribute("data-tab") == "events"
    assert page.locator("input.wb-events-filter").input_value() == "Lambda"
    assert page.locator("select.wb-events-state").input_value() == "Fetch"
    after = page.locator("table.wb-events tbody tr").count()
    assert after > before and {r.get_attribute("data-state") for r in page.locator("table.wb-events tbody tr").all()
                                } == {"Fetch"}
    page.locator('button[data-tab="graph"]').click()
    assert page.locator("#live").get_attribute("data-scale") == scale
    assert page.locator("g.node.wb-selected").get_attribute("data-state") == "Fetch"
    assert page.locator('g.node[data-state="Fetch"]').get_attribute("data-status") == "retried"  # the new SVG
    assert page.locator(".wb-attempt").count() == 3
    assert page.locator('.wb-attempt[data-attempt="1"] details[data-label="error"]').evaluate("d => d.open") is False
    page.evaluate("window.h.select(null)")
    assert page.locator(".wb-inspector").is_hidden() and page.locator("g.node.wb-selected").count() == 0
    page.evaluate("window.h.filterEvents({type: 'TaskStateEntered', state: '', text: null})")
    page.evaluate("window.h.showTab('events')")
    assert {r.get_attribute("data-type") for r in page.locator("table.wb-events tbody tr").all()} == {
        "TaskStateEntered"}
    assert page.evaluate("window.selections") == ["Fetch"] and page.errors == []
    page.close()


def test_the_bundle_runs_as_the_start_of_an_es_module(browser: Any) -> None:
    payload, svg = _live(ten_states()["history"], ten_states()["definition"])
    module = INSPECTOR_JS + "\nexport default {render({model, el}) { return WorkbenchInspector.mount(el, model); }};\n"
    page = _page(browser, "<div id='w'></div><script type='application/json' id='p'>"
                 f"{script_json(payload_json(payload))}</script>")
    page.add_script_tag(content=module, type="module")
    page.wait_for_function("() => typeof globalThis.WorkbenchInspector === 'object'")
    page.evaluate("""(svg) => {
      const data = JSON.parse(document.getElementById('p').textContent);
      const h = WorkbenchInspector.mount(document.getElementById('w'), data);
      h.update(data, svg);
      h.select('Store');
    }""", svg)
    assert page.locator("h3.wb-inspector-title").text_content() == "Store"
    assert page.locator(".wb-legend-item").count() == 7 and page.errors == []
    page.close()
