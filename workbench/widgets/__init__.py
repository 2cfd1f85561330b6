"""Notebook widgets: compose a Mission, preview its ASL, launch it and explore its histories.

Each widget loads on first use, so importing one does not pull in the engine or pandas for the others.

Example:
    >>> from workbench.widgets import MissionComposer, Launcher  # doctest: +SKIP
    >>> MissionComposer("missions/incident_triage.yaml")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY: dict[str, str] = {
    "MissionComposer": "workbench.widgets.composer",
    "AslPreview": "workbench.widgets.preview",
    "Launcher": "workbench.widgets.launcher",
    "HistoryExplorer": "workbench.widgets.explorer",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench.widgets' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = sorted(_LAZY)
