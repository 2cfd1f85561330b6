"""Mission Workbench: compose, run, analyse and share Missions that run on AWS Step Functions.

The names an operator needs first are importable from here; heavy parts (moto, pandas, plotly) load
only when first used, so ``import workbench`` stays instant.

Example:
    >>> import workbench
    >>> workbench.show("missions/incident_triage.yaml")            # the graph  # doctest: +SKIP
    >>> run = workbench.run_mission("missions/incident_triage.yaml")  # embedded engine  # doctest: +SKIP
    >>> workbench.show("missions/incident_triage.yaml", run)       # coloured by the run  # doctest: +SKIP
    >>> workbench.frames(run).states                                # the run's frames  # doctest: +SKIP
    >>> workbench.build_report(run).save("run.html")                 # a report to share  # doctest: +SKIP

The public API is the names listed in ``__all__`` of four packages: ``workbench`` (this one),
``workbench.widgets``, ``workbench.viz`` and ``workbench.store`` (the fleet history store). Use them as
``workbench.<name>``, ``from workbench import <name>``, ``from workbench.widgets import <name>``,
``from workbench.viz import <name>`` or ``workbench.store.<name>``. Every other module (``workbench.history.frames``,
``workbench.report.run.overview``...) and every name starting with ``_`` is internal and may change
without notice. The notebooks hold themselves to this rule (``tests/test_notebooks_public_api.py``);
``docs/public-api.md`` lists the names by job.
"""

from __future__ import annotations

from workbench._lazy import lazy_attributes

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "Mission": "workbench.mission",
    "load_mission": "workbench.mission",
    "loads_mission": "workbench.mission",
    "check_mission": "workbench.mission",
    "mission_schema": "workbench.mission",
    "compile_mission": "workbench.asl.compiler",
    "dumps_asl": "workbench.asl.compiler",
    "validate_file": "workbench.asl.validate",
    "validate_text": "workbench.asl.validate",
    "MissionComposer": "workbench.widgets",
    "AslPreview": "workbench.widgets",
    "Launcher": "workbench.widgets",
    "HistoryExplorer": "workbench.widgets",
    "show": "workbench.widgets.show",
    "run_mission": "workbench.engine.run.mission",
    "Target": "workbench.engine.connect.targets",
    "load_history": "workbench.history",
    "load_histories": "workbench.history",
    "frames": "workbench.history",
    "build_report": "workbench.report",
    "FaultPlan": "workbench.engine.tools.faults",
    "state_latency": "workbench.history.analysis",
    "retry_summary": "workbench.history.analysis",
    "standard_cost": "workbench.history.cost",
    "execution_costs": "workbench.history.cost.frame_costs",
    "lambda_attempts": "workbench.history.cost",
    "what_if": "workbench.history.cost",
    "one_lambda_costs": "workbench.history.cost",
    "cost_ways_summary": "workbench.history.cost",
    "break_even_figure": "workbench.viz",
    "latency_figure": "workbench.viz",
    "run_figure": "workbench.viz.figures.run",
    "state_list": "workbench.viz.figures.run",
    "import_asl": "workbench.asl.importer",
    "run_mission_tests": "workbench.history.mission_tests",
    "replay": "workbench.history.replay",
    "replay_one": "workbench.history.replay",
    "recorded_calls": "workbench.history.replay",
    "whatif": "workbench.history.whatif",
    "whatif_report": "workbench.report.whatif",
    # the catalog: templates chosen for a Director's plan, bound, deployed and estimated
    "Catalog": "workbench.widgets",
    "load_catalog": "workbench.mission.catalog",
    "load_plan": "workbench.mission.catalog",
    "plan_schema": "workbench.mission.catalog",
    "load_template": "workbench.mission.template",
    "TemplateError": "workbench.mission.template",
    "PlanError": "workbench.mission.catalog",
    "prepare_plan": "workbench.asl.plan",
    "deploy_plan": "workbench.engine.deploy.plans",
    "estimate_run": "workbench.history.analysis",
    # a public module (its own ``__all__``): ``workbench.store.open(PATH)``
    "store": "workbench.store",
}



__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)


__all__ = sorted(_LAZY)
