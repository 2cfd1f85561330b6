"""ExecutionView: one execution's graph you can click, with the inspector, the events view and the table view.

The drawing and the inspector are the HTML report's own (``workbench.viz.inspect``: one payload, one script),
so a notebook and a saved report show the same thing. The payload is computed here, in Python, from the
history (redacted like every report); the browser only draws it. The Launcher pushes a new payload while a
run goes on; the inspector keeps the selected state, the zoom and the open tab across updates.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from workbench.history import ExecutionHistory, frames, load_history
from workbench.viz.graph.overlay import Overlay
from workbench.viz.graph.overlay_from_history import overlay_for_execution
from workbench.viz.inspect import INSPECTOR_CSS, INSPECTOR_JS, inspection, inspection_from_events
from workbench.widgets.preview.widget import graph_html

_BRIDGE = (Path(__file__).with_name("bridge.js")).read_text(encoding="utf-8")
TABS = ("graph", "events", "table")


def _events_of(source: Any) -> tuple[list[dict[str, Any]], str | None, Mapping[str, Any] | None]:
    """Raw events, execution ARN and definition of an Execution handle or a list of events."""
    if hasattr(source, "history") and hasattr(source, "arn"):  # an Execution handle: read its history once
        return list(source.history()), str(source.arn), getattr(source, "definition", None)
    return [dict(e) for e in source], None, None


class ExecutionView(anywidget.AnyWidget):  # type: ignore[misc]
    """An execution's graph with its inspector: click a state for every visit, attempt, input and output.

    Why: "what did this state get, and what did it return?" is answered by a click, as in the console;
    the events tab is the raw history (filterable), the table tab one row per state visit.
    From Python, :meth:`select` returns what the inspector shows for a state.

    Example:
        >>> from workbench.widgets.inspect import ExecutionView
        >>> view = ExecutionView()
        >>> view.show_execution(run.definition, run)  # doctest: +SKIP
        >>> [a["backoff_ms"] for a in view.select("page_human")[0]["attempts"]]  # doctest: +SKIP
        [None, 5000.0]
    """

    _esm = INSPECTOR_JS + "\n" + _BRIDGE
    _css = INSPECTOR_CSS

    svg = traitlets.Unicode("").tag(sync=True)
    payload = traitlets.Unicode("{}").tag(sync=True)
    selected_state = traitlets.Unicode("").tag(sync=True)
    tab = traitlets.Unicode("graph").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._data: dict[str, Any] = {}
        self.add_class("workbench-inspect")

    # --- showing ------------------------------------------------------------------------------
    def show_graph(self, definition: Mapping[str, Any] | None, overlay: Overlay | None = None) -> None:
        """Draw a state machine with no execution yet (the inspector is empty until a run is shown).

        Example:
            >>> ExecutionView().show_graph({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
        """
        self._push(graph_html(dict(definition) if definition else None, overlay), {})

    def show_execution(self, definition: Mapping[str, Any] | None, history_or_events: Any,
                       overlay: Overlay | None = None, *, execution_arn: str | None = None) -> None:
        """Show one execution: its graph coloured by what it did, and the inspector on its history.

        ``history_or_events`` is an :class:`~workbench.history.ExecutionHistory`, an ``Execution`` handle or
        the raw ``GetExecutionHistory`` events (a running execution's so far). ``overlay`` defaults to the one
        the history gives; the Launcher passes its live one.

        Example:
            >>> view.show_execution(run.definition, run.history(), execution_arn=run.arn)  # doctest: +SKIP
        """
        if isinstance(history_or_events, ExecutionHistory):
            history = history_or_events
            definition = definition if definition is not None else history.definition
            payload = inspection(history, definition)
        else:
            events, arn, carried = _events_of(history_or_events)
            definition = definition if definition is not None else carried
            arn = execution_arn or arn
            if overlay is not None:  # the caller has its own overlay: the payload is all that is needed
                payload = inspection_from_events(events, definition, arn)
                self._push(graph_html(dict(definition) if definition else None, overlay), payload)
                return
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # an open (running) history is expected here
                history = load_history({"events": events}, execution_arn=arn or "execution",
                                       definition=dict(definition) if definition else None)
            payload = inspection(history, definition)
        if overlay is None and definition:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                overlay = overlay_for_execution(frames([history]), definition=definition)
        self._push(graph_html(dict(definition) if definition else None, overlay), payload)

    def _push(self, svg: str, payload: dict[str, Any]) -> None:
        self._data = payload
        with self.hold_sync():
            self.payload = json.dumps(payload, ensure_ascii=False)
            self.svg = svg

    # --- reading, as the inspector shows it ---------------------------------------------------
    @property
    def data(self) -> dict[str, Any]:
        """The inspector's payload (``execution``, ``states``, ``visits``, ``events``), redacted."""
        return self._data

    @property
    def visits(self) -> list[dict[str, Any]]:
        """Every state visit of the execution shown, in order (each with its attempts)."""
        return list(self._data.get("visits", []))

    @property
    def events(self) -> list[dict[str, Any]]:
        """The execution's history events as the events view lists them."""
        return list(self._data.get("events", []))

    def select(self, state: str) -> list[dict[str, Any]]:
        """Select ``state`` in the graph (the inspector opens on it) and return its visits, as shown there.

        Each visit has ``path`` (Map iteration, Parallel branch), ``status``, ``input``, ``output``, ``error``,
        ``cause`` and ``attempts`` (each with ``start``, ``end``, ``duration_ms`` and ``backoff_ms``).

        Example:
            >>> visits = view.select("search_logs")  # doctest: +SKIP
            >>> [(a["n"], a["status"], a["backoff_ms"]) for a in visits[0]["attempts"]]  # doctest: +SKIP
            [(1, 'failed', None), (2, 'succeeded', 2000.0)]
        """
        self.selected_state = state
        return [v for v in self.visits if v.get("state") == state]

    def show_tab(self, tab: str) -> None:
        """Open the ``graph``, ``events`` or ``table`` view.

        Example:
            >>> ExecutionView().show_tab("events")
        """
        if tab not in TABS:
            raise ValueError(f"tab '{tab}': choose one of {', '.join(TABS)}")
        self.tab = tab

