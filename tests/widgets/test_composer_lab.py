"""The composer in a real JupyterLab (headless Chromium): typed broken YAML stays, the form turns read-only under
a banner, a problem's place link moves the editor's caret to its line, and fixing the text frees the form."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from .test_jupyterlab_browser import browser, lab, run_notebook  # noqa: F401 - the JupyterLab fixtures

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

NOTEBOOK = "composer-check.ipynb"
CELLS = [
    "from workbench.widgets import MissionComposer\n"
    "composer = MissionComposer('../missions/incident_triage.yaml')\n"
    "composer.select('probe_hosts')\n"
    "composer",
]
CARET_LINE = """() => { const t = document.querySelector('.workbench-composer .wb-yaml-text');
    return t.value.slice(0, t.selectionStart).split('\\n').length; }"""


def put_notebook(lab_url: str) -> None:
    """Write a one-cell notebook into the server's notebooks folder through the Jupyter contents API."""
    base, token = lab_url.split("|")
    cells = [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}
             for source in CELLS]
    body = {"type": "notebook", "format": "json", "content": {
        "cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}}
    request = urllib.request.Request(f"{base}/api/contents/notebooks/{NOTEBOOK}?token={token}", method="PUT",
                                     data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).read()


def test_broken_yaml_typed_in_lab_locks_the_form_and_a_problem_link_moves_the_caret(
        browser: Any, lab: str, artifacts: Path) -> None:  # noqa: F811 - pytest fixtures
    put_notebook(lab)
    page = run_notebook(browser, lab, NOTEBOOK, artifacts)
    composer = page.locator(".workbench-composer").first
    composer.scroll_into_view_if_needed()
    assert page.get_by_text("Error displaying widget").count() == 0
    form_inputs = composer.locator(".wb-step-form input")
    assert form_inputs.count() > 3 and not form_inputs.first.is_disabled()

    composer.get_by_role("tab", name="YAML").click()
    editor = composer.locator(".wb-yaml-text")
    gutter = composer.locator(".wb-yaml-gutter .wb-yaml-ln")
    lines = editor.input_value().count("\n") + 1
    assert gutter.count() == lines
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("  - {id: broken, pass: 1")
    typed = editor.input_value()
    banner = composer.locator(".wb-readonly-banner")
    banner.get_by_text("syntax error").wait_for(timeout=15_000)
    assert "the form is read-only until then" in banner.inner_text()

    composer.get_by_role("tab", name="Form").click()
    page.wait_for_function("() => [...document.querySelectorAll('.workbench-composer .wb-step-form input')]"
                           ".every(i => i.disabled)", timeout=15_000)
    problem = composer.locator(".wb-problem-error").first
    assert "MIS001" in problem.inner_text() and "hint:" in problem.inner_text()
    link = problem.locator(".wb-problem-link")
    line = int(link.inner_text().split(":")[-2])
    page.evaluate("() => document.querySelector('.workbench-composer .wb-yaml-text').setSelectionRange(0, 0)")
    assert page.evaluate(CARET_LINE) == 1 and line > 100
    link.click()
    page.wait_for_function(f"() => ({CARET_LINE})() === {line}", timeout=15_000)
    page.wait_for_function("() => document.activeElement.classList.contains('wb-yaml-text')", timeout=15_000)
    assert editor.input_value() == typed  # the typed text is all there
    composer.screenshot(path=str(artifacts / "lab-composer-locked.png"))

    page.keyboard.press("Control+End")
    page.keyboard.type("}")
    page.wait_for_function("() => !document.querySelector('.workbench-composer .wb-readonly-banner')"
                           ".textContent.trim()", timeout=15_000)
    composer.get_by_role("tab", name="Form").click()
    page.wait_for_function("() => [...document.querySelectorAll('.workbench-composer .wb-step-form input')]"
                           ".every(i => !i.disabled)", timeout=15_000)
    page.close()
