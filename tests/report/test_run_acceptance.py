"""Issue #12 acceptance, end to end on the embedded engine: runs, frames, reports and the command line.

* The README's "First five minutes", run three times: three differently named executions with identical
  state paths, and no visited state drawn or listed "not reached".
* A run carries its ARN, definition and tools: ``workbench.frames(run)`` and ``workbench.build_report(run)``
  need nothing passed again.
* ``deploy_check`` with a bad version fails in its Fail state: the evaluated cause, never the template.
* ``history fetch -o DIR``, then ``analyze DIR`` and ``report DIR -o r.html``; a history cut after its first
  page is INCOMPLETE with exit 1 (``--allow-incomplete``: 0); ``--mission`` takes an ASL file.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import workbench
from workbench.cli import app
from workbench.history import HistoryWarning
from workbench.report import build

REPO = Path(__file__).resolve().parents[2]
TRIAGE = REPO / "missions" / "incident_triage.yaml"
DEPLOY = REPO / "missions" / "deploy_check.yaml"
runner = CliRunner()
_NODE = re.compile(r'<g class="node [^"]*" data-state="([^"]*)" data-path="([^"]*)"[^>]*?(?: data-status="([^"]*)")?>')


def drawn(html: str) -> dict[str, str]:
    """Graph node path → drawn status ("" when the node has no overlay entry)."""
    return {path: status or "" for _state, path, status in _NODE.findall(html)}


def drawn_by_state(html: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for state, _path, status in _NODE.findall(html):
        out.setdefault(state, set()).add(status or "")
    return out


@pytest.fixture(scope="module")
def quick_start() -> list[tuple[Any, Any]]:
    """The README's quick start, verbatim, three times: (run, its states frame)."""
    out = []
    for _ in range(3):
        run = workbench.run_mission("missions/incident_triage.yaml", progress=False)  # on the embedded engine
        states = workbench.frames([workbench.load_history({"events": run.history()})]).states  # pandas
        out.append((run, states))
    return out


@pytest.fixture(scope="module")
def failed_deploy() -> Any:
    return workbench.run_mission(DEPLOY, {"service": "payments-api", "version": "v2.14.1-bad"}, progress=False)


def test_quick_start_three_times_gives_three_names_and_the_same_paths(quick_start: list[tuple[Any, Any]]) -> None:
    names = [str(states["execution"].iloc[0]) for _run, states in quick_start]
    assert len(set(names)) == 3 and all(n != "execution-0" for n in names)
    runs = [run for run, _states in quick_start]
    assert len({r.name for r in runs}) == 3
    assert all(re.fullmatch(r"incident_triage-\d{8}T\d{6}Z-[0-9a-f]{6}", r.name) for r in runs)
    paths = [sorted(states["path"].astype(str)) for _run, states in quick_start]
    assert paths[0] == paths[1] == paths[2]
    assert "gather_evidence/branch:search_logs/search_logs" in paths[0]  # no definition: named by first state
    # workbench.frames(run): named by the ARN, branches numbered as the definition does
    for run in runs:
        f = workbench.frames(run)
        assert list(f.executions["execution"].astype(str)) == [run.arn]
        assert "gather_evidence/branch[0]/search_logs" in set(f.states["path"].astype(str))


def test_no_visited_state_is_drawn_not_reached(quick_start: list[tuple[Any, Any]]) -> None:
    run, states = quick_start[0]
    visited = set(states["state"].astype(str))
    history = workbench.load_history({"events": run.history()})  # the tester's case: no definition in the history
    views = {"build_report(run)": workbench.build_report(run).html,
             "report of the bare history, definition given": build([history], definition=run.definition).html,
             "workbench.show": workbench.show("missions/incident_triage.yaml", run).svg}
    for where, html in views.items():
        by_state = drawn_by_state(html)
        assert visited <= set(by_state), where
        for state in visited:
            assert "not_reached" not in by_state[state] and "" not in by_state[state], (where, state)
        assert by_state["triage_failed"] == {"not_reached"}, where  # what did not run still shows as such


def test_a_run_carries_its_definition_and_tools(quick_start: list[tuple[Any, Any]]) -> None:
    run, _states = quick_start[0]
    assert run.definition is not None and run.definition["StartAt"] == "fetch_alert"
    assert run.tools["search_logs"].memory_mb == 1024 and run.tools["probe_host"].arch == "arm64"
    h = workbench.load_history(run)
    assert h.execution_arn == run.arn and h.definition == run.definition and h.state_machine_arn
    assert workbench.load_history(run).definition == run.definition  # the loaders take a run as it is
    assert list(workbench.frames([run]).executions["execution"].astype(str)) == [run.arn]
    report = workbench.build_report(run)
    assert "incident_triage: run report" in report.html and "(given)" in report.html
    assert "Lambda memory is unknown" not in report.html  # the tools' memory priced the Lambda time
    cost = report.html[report.html.index('id="cost"'):]
    rows = {cells[0]: cells for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row) for row in
                                          re.findall(r"<tr>(.*?)</tr>", cost, re.S)) if cells}
    assert rows["triage-search-logs"][5:7] == ["1024", "x86_64"]  # memory MB, arch
    assert rows["triage-probe-host"][5:7] == ["128", "arm64"]


def test_the_explorer_opened_on_a_run_keeps_its_tools(quick_start: list[tuple[Any, Any]]) -> None:
    from workbench.widgets import HistoryExplorer

    run, _states = quick_start[0]
    explorer = HistoryExplorer(run, background=False)
    assert explorer.wait_loaded(60)
    assert explorer.tools is run.tools and explorer.definition == run.definition


def test_a_failing_deploy_shows_the_evaluated_cause_never_the_template(failed_deploy: Any) -> None:
    run = failed_deploy
    assert run.status == "FAILED" and run.error == "DeployFailed"
    cause = run.cause
    assert cause and cause.startswith("deploy d-") and "{%" not in cause
    template = next(s for s in run.definition["States"].values() if s.get("Error") == "DeployFailed")["Cause"]
    assert template.startswith("{%")
    f = workbench.frames(run)
    fail = f.states[f.states["type"].astype(str) == "Fail"].iloc[0]
    assert (fail["state"], fail["status"], fail["error"], fail["cause"]) == ("deploy_failed", "failed",
                                                                              "DeployFailed", cause)
    html = workbench.build_report(run).html
    assert cause in html
    failures_section = html[html.index('id="failures"'):html.index('id="failed-data"')]
    assert cause in failures_section and "$deploy" not in failures_section
    tooltip = html[html.index('data-state="deploy_failed"'):]
    tooltip = tooltip[:tooltip.index("</title>")]
    assert f"cause: {cause}" in tooltip and "{%" not in tooltip
    assert drawn(html)["deploy_failed"] == "failed" and drawn(html)["gave_up"] == "not_reached"


# --- the command line -------------------------------------------------------------------------------------
def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def fetched(quick_start: list[tuple[Any, Any]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``workbench history fetch -o DIR`` of the three quick-start runs, from the engine that ran them."""
    runs = [run for run, _states in quick_start]
    engine = runs[0].target.engine
    creds = engine.credentials
    env = {"AWS_ACCESS_KEY_ID": creds.access_key_id, "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
           "AWS_DEFAULT_REGION": creds.region}
    out = tmp_path_factory.mktemp("fetch") / "histories"
    args = [arg for run in runs for arg in ("--execution", run.arn)]
    code, stdout, stderr = cli("history", "fetch", *args, "--target", engine.endpoint_url, "-o", str(out), env=env)
    assert code == 0, stderr
    assert "fetched 3 execution histories" in stdout
    yield out


def test_fetch_then_analyze_and_report_a_folder(fetched: Path, tmp_path: Path,
                                                quick_start: list[tuple[Any, Any]]) -> None:
    files = sorted(fetched.glob("*/*.json"))
    assert len(files) == 3 and not list(fetched.glob("*.json"))  # <DIR>/<2 hex>/<name>-<digest>.json
    code, out, err = cli("analyze", str(fetched), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert sorted(e["execution"] for e in data["executions"]) == sorted(run.arn for run, _ in quick_start)
    assert {e["status"] for e in data["executions"]} == {"SUCCEEDED"}
    assert "gather_evidence/branch[1]/query_metrics" in {s["path"] for s in data["states"]}  # definition stored
    report = tmp_path / "r.html"
    code, _out, err = cli("report", str(fetched), "-o", str(report))
    assert code == 0, err
    html = report.read_text()
    assert "3 executions" in html and 'class="workbench-graph"' in html  # the definition came with the histories
    assert "incident_triage: run report" in html


def test_a_history_cut_after_its_first_page_is_incomplete_with_exit_1(quick_start: list[tuple[Any, Any]],
                                                                       tmp_path: Path) -> None:
    run, _states = quick_start[0]
    page = run.target.call("get_execution_history", executionArn=run.arn, maxResults=25)
    assert page.get("nextToken")
    cut = tmp_path / "first-page.json"
    cut.write_text(json.dumps(page, default=lambda v: v.timestamp()))
    code, out, err = cli("analyze", str(cut), "--format", "json")
    assert code == 1
    assert "warning:" in err and "nextToken" in err and "error: 1 of 1 histories are INCOMPLETE" in err
    assert [e["status"] for e in json.loads(out)["executions"]] == ["INCOMPLETE"]
    code, out, _err = cli("analyze", str(cut), "--allow-incomplete")
    assert code == 0 and "1 INCOMPLETE" in out
    report = tmp_path / "cut.html"
    code, _out, err = cli("report", str(cut), "-o", str(report))
    assert code == 1 and report.exists() and "INCOMPLETE" in err
    html = report.read_text()
    assert "incomplete 1" in html and "stops before its execution ended" in html
    code, _out, err = cli("report", str(cut), "-o", str(report), "--allow-incomplete")
    assert code == 0, err


@pytest.mark.parametrize("name", ["triage.asl.json", "machine.json", "machine.asl.yaml"])
def test_report_mission_option_takes_an_asl_file(quick_start: list[tuple[Any, Any]], tmp_path: Path,
                                                 name: str) -> None:
    run, _states = quick_start[0]
    history = tmp_path / "run.json"
    history.write_text(json.dumps({"events": run.history(), "executionArn": run.arn},
                                  default=lambda v: v.timestamp()))
    asl = tmp_path / name
    asl.write_text(yaml.safe_dump(run.definition) if name.endswith(".yaml") else json.dumps(run.definition))
    out = tmp_path / "r.html"
    code, _out, err = cli("report", str(history), "--mission", str(asl), "-o", str(out))
    assert code == 0, err
    html = out.read_text()
    by_state = drawn_by_state(html)
    assert by_state["search_logs"] == {"succeeded"} and by_state["triage_failed"] == {"not_reached"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)
        assert build([str(history)], mission=str(asl)).html.count('class="workbench-graph"') == 1
