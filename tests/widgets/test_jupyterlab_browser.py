"""The notebooks in a real JupyterLab, in headless Chromium: widgets render, Launch ends SUCCEEDED, and the
Launcher's graph answers an operator's questions (issue #14's acceptance); the Catalog widget follows a plan typed
into it and launches what it selected (issue #17).

JupyterLab runs from the .venv on 127.0.0.1 with a token and throwaway config/runtime/settings folders,
on copies of the notebooks (so the repo's clean notebooks never get outputs saved into them). Notebook 02
runs once per module; its tests then click in its first Launcher as an operator would. Where a test needs
the engine held (a deploy that does not answer), it runs code in the notebook's kernel, as a cell would.
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
NOTEBOOKS = ("01-design-a-mission.ipynb", "02-launch-and-watch.ipynb", "08-from-plan-to-run.ipynb")

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


@pytest.fixture(scope="module")
def launcher_page(browser: Any, lab: str, artifacts: Path) -> Iterator[Any]:
    """Notebook 02 run to the end (its own checks passed), with its first Launcher on screen."""
    page = run_notebook(browser, lab, NOTEBOOKS[1], artifacts)
    assert_widgets_rendered(page, "workbench-launcher")
    yield page
    page.close()


# Run code in the notebook's kernel (as a cell would, without adding one); returns what it printed.
KERNEL_RUN = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code: code, silent: false, store_history: false});
  let out = "";
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === "stream") out += msg.content.text;
    if (msg.header.msg_type === "error") out += "ERROR " + msg.content.ename + ": " + msg.content.evalue;
  };
  await future.done;
  return out;
}"""
STATUS_IS = """([status]) => {
  const s = document.querySelector('.workbench-launcher .wb-status');
  return s && s.getAttribute('data-status') === status;
}"""


def kernel(page: Any, code: str) -> str:
    out = str(page.evaluate(KERNEL_RUN, code))
    assert "ERROR" not in out, out
    return out.strip()


def first_launcher(page: Any) -> Any:
    launcher = page.locator(".workbench-launcher").first
    launcher.scroll_into_view_if_needed()
    return launcher


def inspector_of(launcher: Any) -> Any:
    return launcher.locator(".workbench-inspect .wb-inspect").first


def opened_text(block: Any) -> str:
    """The text of a collapsible JSON block, opened as an operator would (a click on its summary)."""
    if not block.evaluate("d => d.open"):
        block.locator("summary").click()
    return str(block.locator("pre.wb-json-text").inner_text())


def test_launcher_notebook_renders_and_a_click_on_launch_ends_succeeded(launcher_page: Any, artifacts: Path) -> None:
    page = launcher_page
    launcher = first_launcher(page)
    before = kernel(page, "print(launcher.execution.name)")  # the run the notebook itself launched
    assert launcher.locator(".widget-html code", has_text=before).count() == 1
    launcher.get_by_role("button", name="Launch").click()
    page.wait_for_function(
        """([before]) => {
            const el = document.querySelector('.workbench-launcher');
            const code = el && el.querySelector('.widget-html code');
            const status = el && el.querySelector('.wb-status');
            return code && code.textContent !== before && status && status.getAttribute('data-status') === 'SUCCEEDED';
        }""", arg=[before], timeout=90_000, polling=250)
    after = kernel(page, "print(launcher.execution.name)")
    assert after != before and launcher.locator(".widget-html code").first.inner_text() == after
    status = launcher.locator(".wb-status").inner_text()
    assert status.startswith("SUCCEEDED ·") and "events" in status
    launcher.screenshot(path=str(artifacts / "lab-launcher-after-click.png"))


def test_click_a_task_state_in_the_launchers_graph_and_read_its_input_and_output(launcher_page: Any,
                                                                                artifacts: Path) -> None:
    page = launcher_page
    view = inspector_of(first_launcher(page))
    view.locator('g.node[data-state="fetch_alert"]').click()
    panel = view.locator("aside.wb-inspector")
    assert panel.locator("h3.wb-inspector-title").inner_text() == "fetch_alert"
    assert view.locator('g.node.wb-selected[data-state="fetch_alert"]').count() == 1
    visit = panel.locator(".wb-visit").first
    given = opened_text(visit.locator('details.wb-json[data-label="input"]').first)
    returned = opened_text(visit.locator('details.wb-json[data-label="output"]').first)
    assert '"alert_id": "ALR-20417"' in given and '"service": "checkout-api"' in given
    assert '"alert_id": "ALR-20417"' in returned and '"hosts"' in returned and '"severity"' in returned
    page.wait_for_timeout(100)  # the selection travels to the kernel
    assert kernel(page, "print(launcher.graph.selected_state)") == "fetch_alert"  # Python sees the click
    panel.screenshot(path=str(artifacts / "lab-inspector-task.png"))


def test_click_a_retried_state_and_see_each_attempt_with_its_backoff(launcher_page: Any, artifacts: Path) -> None:
    page = launcher_page
    view = inspector_of(first_launcher(page))
    view.locator('g.node[data-state="page_human"]').click()  # the notebook throttles the first page
    attempts = view.locator("aside.wb-inspector .wb-attempt")
    assert attempts.count() == 2
    first, second = attempts.nth(0), attempts.nth(1)
    assert first.get_attribute("data-status") == "failed" and first.get_attribute("data-backoff-ms") == ""
    assert "Lambda.TooManyRequestsException" in opened_text(first.locator('details.wb-json[data-label="error"]'))
    assert second.get_attribute("data-status") == "succeeded"
    assert 4500 <= float(second.get_attribute("data-backoff-ms") or 0) <= 6000  # the Retry's 5 s interval
    assert "back-off 5." in second.locator(".wb-attempt-backoff").inner_text()
    assert "no back-off" in first.locator(".wb-attempt-backoff").inner_text()
    view.locator("aside.wb-inspector").screenshot(path=str(artifacts / "lab-inspector-retried.png"))


def test_open_the_events_view_and_filter_it_by_state(launcher_page: Any, artifacts: Path) -> None:
    page = launcher_page
    view = inspector_of(first_launcher(page))
    view.locator('button[data-tab="events"]').click()
    rows = view.locator("table.wb-events tbody tr[data-event-id]")
    view.locator("select.wb-events-state").select_option("")
    total = rows.count()
    view.locator("select.wb-events-state").select_option("search_logs")
    page.wait_for_function("() => [...document.querySelectorAll('.workbench-launcher table.wb-events tbody "
                           "tr[data-event-id]')].every(r => r.getAttribute('data-state') === 'search_logs')")
    shown = rows.evaluate_all("rows => rows.map(r => r.getAttribute('data-state'))")
    assert shown and set(shown) == {"search_logs"} and len(shown) < total
    kinds = rows.evaluate_all("rows => rows.map(r => r.textContent)")
    assert any("TaskFailed" in k for k in kinds) and any("TaskStateEntered" in k for k in kinds)
    view.screenshot(path=str(artifacts / "lab-events-filtered.png"))
    page.wait_for_timeout(100)
    assert kernel(page, "print(launcher.graph.tab)") == "events"  # the open view is known in Python too
    view.locator('button[data-tab="graph"]').click()


HOLD_DEPLOY = """
import threading as _threading
from workbench.engine.embedded import shared_engine as _shared_engine
_pw_entered, _pw_release = _threading.Event(), _threading.Event()
def _pw_hold(**_kwargs):
    _pw_entered.set()
    _pw_release.wait(60)
_pw_events = _shared_engine(time_warp=launcher.time_warp.value).client().meta.events
_pw_events.register("before-send.states.ListStateMachines", _pw_hold, unique_id="pw-hold-deploy")
_pw_machine, _pw_target = launcher.execution.state_machine_arn, launcher.execution.target
def _pw_executions():
    return len(_pw_target.call("list_executions", stateMachineArn=_pw_machine)["executions"])
_pw_before = _pw_executions()
print(_pw_before)
"""
RELEASE_DEPLOY = """
_pw_release.set()
_pw_worker = launcher.worker
_pw_worker.join(60)
_pw_events.unregister("before-send.states.ListStateMachines", unique_id="pw-hold-deploy")
print(_pw_entered.is_set(), _pw_worker.is_alive(), _pw_executions() - _pw_before, launcher.execution is None)
"""


def test_stop_during_deploy_starts_no_execution(launcher_page: Any, artifacts: Path) -> None:
    page = launcher_page
    launcher = first_launcher(page)
    assert int(kernel(page, HOLD_DEPLOY)) >= 1  # the runs so far; the next deploy now waits in its first call
    launcher.get_by_role("button", name="Launch").click()
    page.wait_for_function(STATUS_IS, arg=["deploying"], timeout=30_000)
    assert kernel(page, "print(_pw_entered.wait(30))") == "True"  # held inside the deploy's network call
    launcher.get_by_role("button", name="Stop").click()
    page.wait_for_function(STATUS_IS, arg=["stopped"], timeout=10_000)
    assert launcher.locator(".wb-status").inner_text() == "stopped before start: no execution"
    assert launcher.get_by_role("button", name="Launch").is_enabled()
    launcher.screenshot(path=str(artifacts / "lab-launcher-stopped-before-start.png"))
    # let the held deploy finish late: it is dropped, and nothing is started
    assert kernel(page, RELEASE_DEPLOY) == "True False 0 True"
    assert launcher.locator(".wb-status").inner_text() == "stopped before start: no execution"


def test_stop_after_start_gives_aborted_in_its_own_colour(launcher_page: Any, artifacts: Path) -> None:
    page = launcher_page
    launcher = first_launcher(page)
    launcher.get_by_label("time warp (waits and back-offs take no time)").uncheck()
    faults = launcher.locator(".widget-textarea").filter(has_text="faults").locator("textarea")
    faults.fill("fetch_alert: {latency: {ms: 20000}}")  # the first step runs 20 s: time to press Stop
    page.wait_for_function("() => !document.querySelector('.workbench-launcher .jupyter-button.mod-primary')"
                           ".disabled")
    launcher.get_by_role("button", name="Launch").click()
    page.wait_for_function(STATUS_IS, arg=["RUNNING"], timeout=60_000)
    launcher.get_by_role("button", name="Stop").click()
    page.wait_for_function(STATUS_IS, arg=["ABORTED"], timeout=15_000)  # long before the 20 s step ends
    assert launcher.locator(".wb-status").inner_text().startswith("ABORTED ·")
    view = inspector_of(launcher)
    page.wait_for_function("() => document.querySelector('.workbench-launcher g.node[data-state=\"fetch_alert\"]')"
                           ".getAttribute('data-status') === 'aborted'", timeout=15_000)
    colours = page.evaluate("""() => {
        const root = document.querySelector('.workbench-launcher');
        const swatch = (s) => getComputedStyle(root.querySelector(
            `.wb-legend-item[data-status="${s}"] .wb-swatch`)).borderTopColor;
        const node = root.querySelector('g.node[data-state="fetch_alert"] rect');
        return {status: getComputedStyle(root.querySelector('.wb-status')).color, node: getComputedStyle(node).stroke,
                aborted: swatch('aborted'), failed: swatch('failed')};
    }""")
    assert colours["status"] == colours["node"] == colours["aborted"]  # one colour for ABORTED everywhere...
    assert colours["aborted"] != colours["failed"]  # ...and it is not FAILED's
    assert kernel(page, "print(launcher.execution.describe()['status'])") == "ABORTED"
    view.screenshot(path=str(artifacts / "lab-launcher-aborted.png"))


CATALOG_SHOWS = """([text]) => {
  const s = document.querySelector('.workbench-catalog .wb-selection');
  return s && s.textContent.includes(text);
}"""
CATALOG_RUN_DONE = """([machine]) => [...document.querySelectorAll('.workbench-catalog .workbench-launcher')].some(
  l => l.textContent.includes(machine) && l.querySelector('.wb-status[data-status="SUCCEEDED"]'))"""


def test_a_plan_typed_into_the_catalog_selects_live_stays_text_and_launches(browser: Any, lab: str,
                                                                           artifacts: Path) -> None:
    page = run_notebook(browser, lab, NOTEBOOKS[2], artifacts)
    assert_widgets_rendered(page, "workbench-catalog")
    catalog = page.locator(".workbench-catalog").first
    catalog.scroll_into_view_if_needed()
    page.wait_for_function(CATALOG_SHOWS, arg=["selected incident_triage 2.0"], timeout=30_000)
    plan = ('{"kind": "backfill", "goal": "<img src=x onerror=\\"window.__pwned = 1\\">", '
            '"parameters": {"table": "sales.orders", "batch_size": 7}, "input": {"from": "2024-03-01", '
            '"to": "2024-03-05"}}')
    catalog.locator("textarea").first.fill(plan)  # an operator typing a plan: continuous updates reach the kernel
    page.wait_for_function(CATALOG_SHOWS, arg=["selected data_backfill 2.0"], timeout=30_000)
    assert "<img" in catalog.inner_text()  # the goal is shown as the text it is
    assert catalog.locator("img[src='x']").count() == 0 and page.evaluate("() => window.__pwned") is None
    machine = catalog.locator(".wb-state-machine").first.inner_text()
    assert machine.startswith("data_backfill-v2_0-")
    assert '"MaxConcurrency": 2' in catalog.locator("pre.wb-asl").first.inner_text()
    catalog.locator("button[title='hand the bound Mission to a Launcher and start it']").click()  # not the Launcher's
    page.wait_for_function(CATALOG_RUN_DONE, arg=[machine], timeout=90_000)
    catalog.screenshot(path=str(artifacts / "lab-catalog.png"))
    assert page.evaluate(CELL_ERRORS) == []
    page.close()
