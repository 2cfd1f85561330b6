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
    "show": "workbench.viz.quick",
    "run_mission": "workbench.engine.run",
    "Target": "workbench.engine.targets",
    "load_history": "workbench.history",
    "load_histories": "workbench.history",
    "frames": "workbench.history",
    "build_report": "workbench.report",
    "FaultPlan": "workbench.engine.faults",
    "state_latency": "workbench.history.analysis",
    "retry_summary": "workbench.history.analysis",
    "standard_cost": "workbench.history.cost",
    "lambda_attempts": "workbench.history.cost",
    "what_if": "workbench.history.cost",
    "latency_figure": "workbench.viz",
    "import_asl": "workbench.asl.importer",
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)


__all__ = sorted(_LAZY)
