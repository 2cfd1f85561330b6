"""``workbench.show``: one call from a Mission, an ASL file or an execution to a picture.

Without a run it is the SVG graph; with one, the clickable execution view (the inspector). A source that
cannot be read prints one line and gives None: the first five minutes never end in a traceback.
"""

from __future__ import annotations

from typing import Any

from workbench.core.diagnostics import WorkbenchError
from workbench.viz.graph.svg import GraphView, draw
from workbench.viz.quick import definition_of, problem_line
from workbench.widgets.inspect import ExecutionView


def show(source: Any, execution: Any = None) -> Any:
    """Draw a Mission or state machine; with an execution, the clickable view of what that run did.

    ``source`` is a Mission, a Mission file, an ASL file/dict; ``execution`` an
    :class:`~workbench.engine.run.launch.Execution` handle (its history is read once). Without an execution the
    result is the SVG :class:`GraphView`; with one, an ``ExecutionView``: the graph coloured by the run, and a
    click on a state opens the inspector (every visit, attempt, input and output), with events and table
    views. A source that cannot be read prints one line and returns None.

    Example:
        >>> import workbench
        >>> workbench.show("missions/incident_triage.yaml")  # the graph, inline in Jupyter  # doctest: +SKIP
        >>> run = workbench.run_mission("missions/incident_triage.yaml")  # doctest: +SKIP
        >>> workbench.show("missions/incident_triage.yaml", run)  # click a state to inspect it  # doctest: +SKIP
        >>> workbench.show("missions/typo.yml")
        workbench.show: file not found: missions/typo.yml (check the path)
    """
    try:
        definition = definition_of(source)
        if execution is None:
            return draw(definition)
    except (WorkbenchError, OSError, ValueError) as exc:
        print(problem_line(source, exc))
        return None
    view = ExecutionView()
    view.show_execution(definition, execution)
    return view


__all__ = ["GraphView", "show"]
