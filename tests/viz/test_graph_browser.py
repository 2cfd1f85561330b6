"""The state-machine SVG in a real browser: text fits its boxes with real fonts; screenshots for humans."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from workbench.viz import Overlay, StateOverlay, draw

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SAMPLES = ["quorum-with-parallel-pattern__statemachine.asl.json", "account-vending-machine__statemachine.asl.json",
           "ec2-instance-isolation-sam__statemachine.asl.json", "bedrock-evaluations-sam__statemachine.asl.json"]

MEASURE = """() => {
  const out = [];
  for (const g of document.querySelectorAll('g.node')) {
    const [x, y, w, h] = g.getAttribute('data-bbox').split(' ').map(Number);
    for (const t of g.querySelectorAll(':scope > text')) {
      const b = t.getBBox();
      out.push({path: g.getAttribute('data-path'), text: t.textContent, x, w, left: b.x, right: b.x + b.width});
    }
  }
  for (const g of document.querySelectorAll('g.edge')) {
    const r = g.querySelector('rect');
    if (!r) continue;
    const x = +r.getAttribute('x'), w = +r.getAttribute('width');
    for (const t of g.querySelectorAll('text')) {
      const b = t.getBBox();
      out.push({path: 'edge ' + g.getAttribute('data-source'), text: t.textContent, x, w, left: b.x,
                right: b.x + b.width});
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def page():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser-deps installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser.new_page(viewport={"width": 1400, "height": 1800})
        browser.close()


def test_text_fits_boxes_with_real_fonts_and_screenshots(page, corpus: Path, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    for sample in SAMPLES:
        view = draw(json.loads((corpus / "asl" / sample).read_text()))
        page.set_content(f"<!doctype html><html><body style='margin:0'>{view.svg}</body></html>")
        for item in page.evaluate(MEASURE):
            assert item["left"] >= item["x"] - 1 and item["right"] <= item["x"] + item["w"] + 1, (sample, item)
        page.screenshot(path=str(artifacts / f"graph-{sample.split('__')[0]}.png"), full_page=True)


def test_overlay_screenshot(page, corpus: Path, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    definition = json.loads((corpus / "asl" / SAMPLES[1]).read_text())
    overlay = Overlay({"Create New Organizational Unit": StateOverlay("caught", retries=2),
                       "Loop over all OUs": StateOverlay("succeeded", iterations=100),
                       "New Account Status": StateOverlay("failed", error="States.Timeout"),
                       "Check Account Status": StateOverlay("running")})
    page.set_content(f"<!doctype html><html><body style='margin:0'>{draw(definition, overlay).svg}</body></html>")
    assert page.locator("g.node[data-status='failed']").count() == 1
    assert page.locator("g.badge-iterations").count() == 1
    shot = artifacts / "graph-overlay.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
