"""The execution view of the notebook widgets: a clickable graph with the inspector, events and table views.

Used by the Launcher (live), the HistoryExplorer (the selected execution) and ``workbench.show(mission, run)``.

Example:
    >>> from workbench.widgets.inspect import ExecutionView  # doctest: +SKIP
    >>> view = ExecutionView(); view.show_execution(run.definition, run)  # doctest: +SKIP
"""

from __future__ import annotations

from workbench.widgets.inspect.widget import ExecutionView

__all__ = ["ExecutionView"]
