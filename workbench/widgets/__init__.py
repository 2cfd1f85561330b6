"""Notebook widgets: compose a Mission, preview its ASL, launch it and explore its histories.

Each widget loads on first use, so importing one does not pull in the engine or pandas for the others.

Example:
    >>> from workbench.widgets import MissionComposer, Launcher  # doctest: +SKIP
    >>> MissionComposer("missions/incident_triage.yaml")  # doctest: +SKIP
"""

from __future__ import annotations

from workbench._lazy import lazy_attributes

_LAZY: dict[str, str] = {
    "MissionComposer": "workbench.widgets.composer.widget",
    "AslPreview": "workbench.widgets.preview.widget",
    "Launcher": "workbench.widgets.launcher.widget",
    "HistoryExplorer": "workbench.widgets.explorer.widget",
    "ExecutionView": "workbench.widgets.inspect.widget",
    "Catalog": "workbench.widgets.catalog.widget",
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)


__all__ = sorted(_LAZY)
