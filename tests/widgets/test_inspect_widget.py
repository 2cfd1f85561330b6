"""ExecutionView from Python: what the inspector shows for real runs (embedded engine) and recorded histories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import workbench
from workbench.history import load_history
from workbench.viz.inspect import INSPECTOR_JS
from workbench.widgets.inspect import ExecutionView

from .test_launcher import node_statuses
from .widget_support import TRIAGE

pytestmark = pytest.mark.timeout(240)

THROTTLED_PAGE = {"seed": 7, "tools": {"page_oncall": {"throttle": {"burst": 1, "every": 1000}}}}


@pytest.fixture(scope="module")
def throttled_run() -> Any:
    """The triage Mission with its first page throttled: page_human's Retry (5 s interval) runs it again."""
    return workbench.run_mission(TRIAGE, progress=False, time_warp=True,
                                 faults=workbench.FaultPlan.model_validate(THROTTLED_PAGE))


def test_select_returns_each_attempt_of_a_retried_state_with_its_backoff(throttled_run: Any) -> None:
    view = ExecutionView()
    view.show_execution(throttled_run.definition, throttled_run)
    visits = view.select("page_human")
    assert view.selected_state == "page_human"  # the browser side opens the inspector on it
    assert len(visits) == 1
    first, second = visits[0]["attempts"]
    assert (first["n"], first["status"], first["error"]) == (1, "failed", "Lambda.TooManyRequestsException")
    assert first["backoff_ms"] is None
    assert (second["n"], second["status"]) == (2, "succeeded")
    assert second["backoff_ms"] == pytest.approx(5000, abs=250)  # the Retry's 5 s, on the engine's clock
    assert json.loads(second["input"])["Payload"]["reason"] == "half of the hosts are unhealthy"
    assert visits[0]["retries"] == 1 and visits[0]["status"] == "succeeded"
    assert node_statuses(view.svg)["page_human"] == "retried"


def test_every_task_visit_has_its_input_and_output(throttled_run: Any) -> None:
    view = ExecutionView()
    view.show_execution(None, throttled_run)  # the definition the run carries
    (fetch,) = view.select("fetch_alert")
    assert json.loads(fetch["input"]) == {"alert_id": "ALR-20417", "service": "checkout-api"}
    assert json.loads(fetch["output"])["alert_id"] == "ALR-20417"
    probes = view.select("probe_host")  # a Map: one visit per iteration, each with its path
    assert len(probes) == 4 and all("iteration" in v["path"] for v in probes)
    assert len(view.events) == len(throttled_run.history())
    assert [e["id"] for e in view.events] == sorted(e["id"] for e in view.events)
    assert view.select("no_such_state") == []


def test_the_view_reads_a_recorded_history_and_carries_the_inspector_script(corpus: Path) -> None:
    history = load_history(corpus / "histories" / "test_base_scenarios__test_map_state_nested.json")
    view = ExecutionView()
    view.show_execution(None, history)
    assert view.data["execution"]["status"] == "SUCCEEDED"
    assert len(view.select("MapL2Pass")) == 6
    assert json.loads(view.payload)["visits"] == view.visits  # what the browser gets is what Python reads
    assert view.svg.startswith("<svg") and 'data-state="MapL2Pass"' in view.svg
    assert INSPECTOR_JS in view._esm and "export default" in view._esm
    view.show_tab("table")
    assert view.tab == "table"
    with pytest.raises(ValueError, match="graph, events, table"):
        view.show_tab("timeline")


def test_secrets_in_the_execution_data_never_reach_the_page() -> None:
    run = workbench.run_mission(TRIAGE, {"alert_id": "ALR-20417", "service": "checkout-api",
                                         "password": "hunter2-do-not-show"}, progress=False, time_warp=True)
    view = ExecutionView()
    view.show_execution(run.definition, run)
    assert "hunter2-do-not-show" in json.dumps(run.history(), default=str)  # it is in the raw history...
    assert "hunter2-do-not-show" not in view.payload and "[redacted]" in view.payload  # ...never on screen


def test_show_graph_clears_the_inspector() -> None:
    view = ExecutionView()
    view.show_graph({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    assert view.visits == [] and view.events == [] and 'data-state="A"' in view.svg
    view.show_graph(None)
    assert "No graph" in view.svg
