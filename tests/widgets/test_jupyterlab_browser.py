"""The notebooks in a real JupyterLab, in headless Chromium: widgets render, and Launch ends SUCCEEDED.

JupyterLab runs from the .venv on 127.0.0.1 with a token and throwaway config/runtime/settings folders,
on copies of the notebooks (so the repo's clean notebooks never get outputs saved into them).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .widget_support import REPO, free_port

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
NOTEBOOKS = ("01-design-a-mission.ipynb", "02-launch-and-watch.ipynb")

# Every code cell has run once the last code cell shows an execution number (prompts read "[*]" while running).
CELLS_DONE = """() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent);
  return prompts.length > 0 && !prompts.some(p => p.includes('*')) && /\\d/.test(prompts[prompts.length - 1]);
}"""
CELL_ERRORS = """() => [...document.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
  .map(e => e.textContent).filter(t => /Error|Traceback/.test(t))"""


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JupyterLab server on a copy of the notebooks; yields its base URL (token appended by callers)."""
    if not Path(CHROMIUM).exists():
        _skip_or_fail("Debian chromium is not installed at /usr/bin/chromium (make browser-deps installs it)")
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    for name in NOTEBOOKS:
        shutil.copy(REPO / "notebooks" / name, root / "notebooks" / name)
    shutil.copytree(REPO / "missions", root / "missions", ignore=shutil.ignore_patterns("__pycache__"))
    home = root / "home"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTER_DATA_DIR": str(home / "data"), "IPYTHONDIR": str(home / "ipython"),
           "JUPYTER_PLATFORM_DIRS": "1", "PYTHONPATH": str(REPO)}
    news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false", "checkForUpdates": false}')  # no pop-up over the screenshots
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.open_browser=False",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
           f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {(root / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.3)
    try:
        yield f"{base}|{token}"
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _skip_or_fail("Debian chromium is not installed at /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("the playwright package is not installed")
    with sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chrome
        chrome.close()


def run_notebook(browser: Any, lab: str, name: str, artifacts: Path) -> Any:
    """Open a notebook, run all its cells through JupyterLab's own command, wait until they are done."""
    base, token = lab.split("|")
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{base}/lab/tree/notebooks/{name}?reset&token={token}")
    page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=60_000)
    page.wait_for_function("""() => {
        const w = window.jupyterapp.shell.currentWidget;
        const kernel = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
        return kernel && kernel.status === 'idle';
    }""", timeout=60_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(CELLS_DONE, timeout=120_000, polling=500)
    page.wait_for_timeout(500)  # the last widget views attach
    page.screenshot(path=str(artifacts / f"lab-{name.removesuffix('.ipynb')}.png"), full_page=False)
    return page


def assert_widgets_rendered(page: Any, css_class: str) -> None:
    assert page.locator(".jupyter-widgets").count() > 0
    assert page.locator(f".{css_class}").count() >= 1, f"no .{css_class} view on the page"
    assert page.get_by_text("Error displaying widget").count() == 0
    assert page.evaluate(CELL_ERRORS) == []


def test_composer_notebook_renders_its_widgets(browser: Any, lab: str, artifacts: Path) -> None:
    page = run_notebook(browser, lab, NOTEBOOKS[0], artifacts)
    assert_widgets_rendered(page, "workbench-composer")
    composer = page.locator(".workbench-composer").first
    assert composer.locator("svg").count() >= 1  # the live graph
    composer.scroll_into_view_if_needed()
    composer.screenshot(path=str(artifacts / "lab-composer.png"))
    assert "ok: retry policy and branch changed" in page.locator(".jp-OutputArea").last.inner_text()
    page.close()


def test_launcher_notebook_renders_and_a_click_on_launch_ends_succeeded(browser: Any, lab: str,
                                                                      artifacts: Path) -> None:
    page = run_notebook(browser, lab, NOTEBOOKS[1], artifacts)
    assert_widgets_rendered(page, "workbench-launcher")
    launcher = page.locator(".workbench-launcher").first
    launcher.scroll_into_view_if_needed()
    before = launcher.locator("code").first.inner_text()  # the name of the run the notebook itself launched
    launcher.get_by_role("button", name="Launch").click()
    page.wait_for_function(
        """([before]) => {
            const el = document.querySelector('.workbench-launcher');
            const code = el && el.querySelector('code');
            return code && code.textContent !== before && el.textContent.includes('SUCCEEDED');
        }""", arg=[before], timeout=90_000, polling=250)
    text = launcher.inner_text()
    assert "SUCCEEDED ·" in text and "events" in text
    launcher.screenshot(path=str(artifacts / "lab-launcher-after-click.png"))
    page.close()
