"""Every public call an operator makes in a notebook has a docstring with a short example."""

from __future__ import annotations

import importlib
import inspect

import pytest

import workbench

PUBLIC = {
    "workbench": list(workbench.__all__),
    "workbench.widgets": ["MissionComposer", "AslPreview", "Launcher", "HistoryExplorer", "ExecutionView", "Catalog"],
    "workbench.viz": ["draw", "timeline_figure", "latency_figure", "retries_figure", "backoff_figure", "cost_figure",
                      "cost_over_time_figure", "outcomes_figure", "overlay_for_execution", "heat_for_executions"],
    "workbench.history": ["load_history", "load_histories", "frames", "fetch_history", "fetch_histories",
                          "list_executions", "fetch_state_machine_histories"],
    "workbench.history.analysis": ["state_latency", "time_breakdown", "slowest_executions", "failures",
                                   "compare_runs"],
    "workbench.history.cost": ["standard_cost", "express_cost", "lambda_cost"],
    "workbench.history.cost.frame_costs": ["execution_costs", "state_costs", "what_if", "cost_summary"],
    "workbench.report": ["build"],
    "workbench.store": [n for n in importlib.import_module("workbench.store").__all__ if n not in {"StoreError"}],
    "workbench.engine.run.mission": ["run_mission", "start_mission"],
    "workbench.engine.deploy.state_machines": ["deploy"],
    "workbench.engine.run.launch": ["launch"],
    "workbench.engine.run.watch": ["watch"],
    "workbench.asl.lint": ["lint", "load_asl"],
    "workbench.asl.importer": ["import_asl"],
}
CASES = [(module, name) for module, names in PUBLIC.items() for name in names]
NOT_CALLABLE = {"Mission", "Target", "IngestResult"}  # models/classes documented at class level


@pytest.mark.parametrize(("module", "name"), CASES, ids=[f"{m}.{n}" for m, n in CASES])
def test_public_call_has_a_docstring_with_an_example(module: str, name: str) -> None:
    obj = getattr(importlib.import_module(module), name)
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{module}.{name} has no docstring"
    if name not in NOT_CALLABLE:
        assert ">>>" in doc or "Example" in doc, f"{module}.{name}: add a short example to its docstring"
