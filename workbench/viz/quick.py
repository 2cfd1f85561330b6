"""``workbench.show``: one call from a Mission, an ASL file or an execution to a picture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.asl.compiler import compile_mission
from workbench.core.yaml_load import loads_json, read_text
from workbench.mission.loader import load_mission
from workbench.mission.model import Mission
from workbench.viz.graph.svg import GraphView, draw


def definition_of(source: Any) -> dict[str, Any]:
    """The ASL of a Mission, a Mission file, an ASL file, an ASL dict or JSON text."""
    if isinstance(source, Mission):
        return compile_mission(source)
    if isinstance(source, dict):
        return source
    text = str(source)
    if text.lstrip().startswith("{"):
        return dict(loads_json(text))
    path = Path(text)
    if path.suffix == ".json":
        data = loads_json(read_text(path), str(path))
        if isinstance(data, dict) and "States" in data:
            return data
    return compile_mission(load_mission(path))


def show(source: Any, execution: Any = None) -> GraphView:
    """Draw a Mission or state machine; with an execution, coloured by what that run did.

    ``source`` is a Mission, a Mission file, an ASL file/dict; ``execution`` an
    :class:`~workbench.engine.launch.Execution` handle (its history is read once).

    Example:
        >>> import workbench
        >>> workbench.show("missions/incident_triage.yaml")  # the graph, inline in Jupyter  # doctest: +SKIP
        >>> run = workbench.run_mission("missions/incident_triage.yaml")  # doctest: +SKIP
        >>> workbench.show("missions/incident_triage.yaml", run)  # states coloured by the run  # doctest: +SKIP
    """
    definition = definition_of(source)
    if execution is None:
        return draw(definition)
    from workbench.history import frames, load_history
    from workbench.viz.graph.overlay_from_history import overlay_for_execution

    history = load_history({"events": execution.history()}, execution_arn=execution.arn, definition=definition)
    return draw(definition, overlay_for_execution(frames([history]), definition=definition))
