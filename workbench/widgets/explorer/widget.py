"""HistoryExplorer: fetch execution histories in the background, then look at them from six angles.

Pick executions (a state machine and a status/time window, an execution handle or ARN, or history
files); the fetch runs in a thread with a progress bar. Tabs: executions, per-state latency, retries,
failures, cost, and the timeline of one execution with its graph, which is the inspector (click a state
for its visits, attempts, inputs and outputs; events and table views). The status and state filters apply
to every tab; the frames can be exported (CSV/Parquet, atomic) and a report written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbench.engine.connect.targets import Target
from workbench.engine.run.launch import Execution
from workbench.history import ExecutionHistory, HistoryFrames
from workbench.widgets.explorer import views
from workbench.widgets.explorer.data import (
    ALL,
    STATUSES,
    Query,
    apply_filters,
    as_frames,
    execution_arns,
    export_frames,
    fetch_histories,
    history_files,
    list_executions,
    load_files,
    parse_when,
    state_names,
)
from workbench.widgets.inspect import ExecutionView
from workbench.widgets.launcher.status import plain_error

TABS = ("Executions", "Latency", "Retries", "Failures", "Cost", "Timeline")


def _pane() -> tuple[widgets.HTML, widgets.Output, widgets.VBox]:
    table, figure = widgets.HTML(), widgets.Output()
    return table, figure, widgets.VBox([figure, table])


class HistoryExplorer(widgets.VBox):
    """Explore execution histories: tables and charts of latency, retries, failures, cost and timelines.

    ``source`` is an :class:`Execution` (or a list), an execution ARN, a state machine name/ARN (with
    the status and window set in the widget), history file(s)/folder, or ready ``HistoryFrames``.
    The Timeline tab's graph is :attr:`inspector` (an ``ExecutionView``): click a state to inspect it.

    Example:
        >>> from workbench.widgets import HistoryExplorer
        >>> explorer = HistoryExplorer("incident_triage", target="embedded")  # doctest: +SKIP
        >>> explorer.wait_loaded(60); explorer.set_filters(status="FAILED")  # doctest: +SKIP
        >>> explorer.export("out/frames", "parquet")  # doctest: +SKIP
    """

    def __init__(self, source: Any = None, *, target: str | Target = "embedded",
                 definition: dict[str, Any] | None = None, tools: Any = None, background: bool = True) -> None:
        self.target_spec = target
        runs = source if isinstance(source, list | tuple) else [source]
        carried = [r for r in runs if isinstance(r, Execution)]  # from run_mission / the Launcher
        self.definition = definition if definition is not None else next(
            (r.definition for r in carried if r.definition is not None), None)
        # a Mission's tools (memory, arch) make the Lambda costs exact
        self.tools = tools if tools is not None else next((r.tools for r in carried if r.tools), None)
        self.background = background
        self.frames: HistoryFrames | None = None
        self.histories: list[ExecutionHistory] = []
        self.filtered: dict[str, pd.DataFrame] = {}
        self.error_text: str | None = None
        self._source: Any = source
        self._loaded = threading.Event()
        self._loaded.set()
        self._quiet = False
        self._build()
        if source is not None:
            self.fetch(source)

    # --- widgets ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.source_box = widgets.Text(description="source", layout=widgets.Layout(width="640px"),
                                       placeholder="state machine name or ARN, execution ARN, or history file/folder")
        if isinstance(self._source, str | Path):
            self.source_box.value = str(self._source)
        elif isinstance(self._source, Execution):
            self.source_box.value = self._source.arn
        self.status_pick = widgets.Dropdown(options=[ALL, *STATUSES], value=ALL, description="status")
        self.since = widgets.Text(description="since", placeholder="e.g. 2h or 2025-01-31 09:00")
        self.until = widgets.Text(description="until", placeholder="(now)")
        self.limit = widgets.BoundedIntText(value=200, min=1, max=10000, description="at most")
        self.fetch_button = widgets.Button(description="Fetch", button_style="primary", icon="download")
        self.fetch_button.on_click(lambda _b: self.fetch(self.source_box.value.strip() or self._source))
        self.bar = widgets.IntProgress(value=0, min=0, max=1, description="fetched")
        self.message = widgets.HTML()
        self.status_filter = widgets.Dropdown(options=[ALL], value=ALL, description="status")
        self.state_filter = widgets.Dropdown(options=[ALL], value=ALL, description="state")
        for box in (self.status_filter, self.state_filter):
            box.observe(lambda _c: None if self._quiet else self._render(), names="value")
        self.panes = {name: _pane() for name in TABS[:-1]}
        self.timeline_pick = widgets.Dropdown(options=[], description="execution", layout=widgets.Layout(width="520px"))
        self.timeline_pick.observe(lambda _c: None if self._quiet else self._render_timeline(), names="value")
        self.inspector = ExecutionView(layout=widgets.Layout(width="100%"))
        timeline_table, timeline_figure, _ = _pane()
        self.panes["Timeline"] = (timeline_table, timeline_figure,
                                  widgets.VBox([self.timeline_pick, timeline_figure, self.inspector,
                                                timeline_table]))
        self.tabs = widgets.Tab(children=[self.panes[n][2] for n in TABS], titles=list(TABS))
        self.export_folder = widgets.Text(value="history-export", description="folder")
        self.export_format = widgets.ToggleButtons(options=["csv", "parquet"], value="csv")
        self.export_button = widgets.Button(description="Export frames", icon="save")
        self.export_button.on_click(lambda _b: self.export())
        self.report_path = widgets.Text(value="report.html", description="report")
        self.report_button = widgets.Button(description="Write report", icon="file")
        self.report_button.on_click(lambda _b: self.write_report())
        self.export_message = widgets.HTML()
        super().__init__([
            widgets.HBox([self.source_box, self.fetch_button]),
            widgets.HBox([self.status_pick, self.limit]), widgets.HBox([self.since, self.until]),
            widgets.HBox([self.bar, self.message]), widgets.HBox([self.status_filter, self.state_filter]),
            self.tabs,
            widgets.HBox([self.export_folder, self.export_format, self.export_button]),
            widgets.HBox([self.report_path, self.report_button]), self.export_message,
        ])
        self.add_class("workbench-explorer")

    # --- fetching -----------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return not self._loaded.is_set()

    def fetch(self, source: Any = None) -> None:
        """Fetch the histories of ``source`` (default: what the source box says), in the background."""
        if self.loading:
            self._say("a fetch is in progress; wait for it to finish", error=True)
            return
        source = source if source is not None else self.source_box.value.strip()
        if source is None or source == "":
            self._say("choose what to explore: a state machine, an execution or history files", error=True)
            return
        self._loaded.clear()
        self.error_text = None
        self.fetch_button.disabled = True
        self.bar.value, self.bar.max = 0, 1
        self._say("fetching…")
        if self.background:
            threading.Thread(target=self._load, args=(source,), daemon=True, name="workbench-explorer").start()
        else:
            self._load(source)

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """Wait for the fetch to finish; True when it did (its outcome is in :attr:`message`)."""
        return self._loaded.wait(timeout)

    def _target(self, source: Any) -> Target:
        items = source if isinstance(source, list | tuple) else [source]
        if items and isinstance(items[0], Execution):
            return items[0].target
        return Target.parse(self.target_spec)

    def _progress(self, done: int, total: int, name: str) -> None:
        self.bar.max = max(total, 1)
        self.bar.value = done
        self._say(f"{done}/{total} · {name}")

    def _load(self, source: Any) -> None:
        try:
            self.frames, self.histories = self._gather(source, self._progress)
            n = len(self.frames.executions)
            self._say(f"{n} execution(s) loaded" if n else "no executions matched", error=not n)
            self._fill_filters()
            self._render()
        except Exception as exc:  # shown in the widget, in plain words
            self.error_text = plain_error(exc)
            self._say(f"could not fetch: {self.error_text}", error=True)
        finally:
            self.fetch_button.disabled = False
            self._loaded.set()

    def _gather(self, source: Any, progress: Callable[[int, int, str], None]
                ) -> tuple[HistoryFrames, list[ExecutionHistory]]:
        if isinstance(source, HistoryFrames):
            return source, []
        arns = execution_arns(source)
        if arns is not None:
            histories = fetch_histories(self._target(source), arns, progress, self.definition)
            return as_frames(histories), histories
        files = history_files(source)
        if files is not None:
            histories = load_files(files, progress)
            return as_frames(histories), histories
        if not isinstance(source, str):
            raise TypeError(f"cannot explore a {type(source).__name__}: pass an execution, an ARN, a state machine "
                            "name, history files, or HistoryFrames")
        query = Query(source, self.status_pick.value, parse_when(self.since.value), parse_when(self.until.value),
                      int(self.limit.value))
        target = self._target(source)
        chosen = list_executions(target, query)
        self._say(f"found {len(chosen)} execution(s); fetching histories…")
        histories = fetch_histories(target, chosen, progress, self.definition)
        return as_frames(histories), histories

    # --- filters and tabs ---------------------------------------------------------------------
    def _fill_filters(self) -> None:
        assert self.frames is not None
        self._quiet = True
        try:
            present = sorted(set(self.frames.executions["status"].astype(str)))
            self.status_filter.options = [ALL, *present]
            self.status_filter.value = ALL
            self.state_filter.options = [ALL, *state_names(self.frames)]
            self.state_filter.value = ALL
        finally:
            self._quiet = False

    def set_filters(self, status: str = ALL, state: str = ALL) -> None:
        """Filter every tab to executions with ``status`` and to the state ``state`` ("all": no filter)."""
        self._quiet = True
        try:
            self.status_filter.value = status if status in self.status_filter.options else ALL
            self.state_filter.value = state if state in self.state_filter.options else ALL
        finally:
            self._quiet = False
        if status != self.status_filter.value or state != self.state_filter.value:
            self._say(f"no such filter value here: status={status!r}, state={state!r}", error=True)
        self._render()

    def _render(self) -> None:
        if self.frames is None:
            return
        self.filtered = apply_filters(self.frames, self.status_filter.value, self.state_filter.value)
        f = self.filtered
        self._show("Executions", lambda: views.executions_table(f), lambda: views.figure("outcomes_figure", f))
        self._show("Latency", lambda: views.latency_table(f), lambda: views.figure("latency_figure", f))
        self._show("Retries", lambda: views.retries_table(f), lambda: views.figure("retries_figure", f))
        self._show("Failures", lambda: views.failures_table(f), None)
        self._show_cost(f)
        arns = [str(a) for a in f["executions"]["execution"]]
        self._quiet = True
        try:
            keep = self.timeline_pick.value if self.timeline_pick.value in arns else (arns[0] if arns else None)
            self.timeline_pick.options = [(views.short(a), a) for a in arns]
            self.timeline_pick.value = keep
        finally:
            self._quiet = False
        self._render_timeline()

    def _show(self, tab: str, table: Callable[[], pd.DataFrame], figure: Callable[[], Any] | None) -> None:
        html_box, out, _ = self.panes[tab]
        try:
            df = table()
            html_box.value = views.table_html(df)
            out.outputs = (views.figure_bundle(figure()),) if figure is not None and not df.empty else ()
        except Exception as exc:  # one broken tab must not hide the others
            html_box.value = f"<span style='color:#cf222e'>{tab}: {plain_error(exc)}</span>"
            out.outputs = ()

    def _show_cost(self, f: dict[str, pd.DataFrame]) -> None:
        html_box, out, _ = self.panes["Cost"]
        try:
            tables = views.cost_tables(f, self.tools)
            html_box.value = views.price_note() + ("".join(f"<h4>{name}</h4>{views.table_html(df)}"
                                                           for name, df in tables.items())
                                                   or views.table_html(pd.DataFrame()))
            figure = views.figure("cost_figure", f, tools=self.tools) if tables else None
            out.outputs = (views.figure_bundle(figure),) if figure is not None else ()
        except Exception as exc:
            html_box.value = f"<span style='color:#cf222e'>Cost: {plain_error(exc)}</span>"
            out.outputs = ()

    def _render_timeline(self) -> None:
        table, out, _ = self.panes["Timeline"]
        arn = self.timeline_pick.value
        if not arn or not self.filtered:
            table.value, out.outputs = views.table_html(pd.DataFrame()), ()
            self.inspector.show_graph(None)
            return
        states = self.filtered["states"]
        rows = states[states["execution"].astype(str) == arn]
        cols = [c for c in ("path", "type", "status", "attempts", "retries", "duration_ms", "error") if c in rows]
        table.value = views.table_html(rows[cols], index=False)
        out.outputs = (views.figure_bundle(views.figure("timeline_figure", self.filtered, arn)),)
        history = next((h for h in self.histories if h.execution_arn == arn), None)
        definition = self._definition_of(history)
        overlay = views.figure("overlay_for_execution", self.filtered, arn, definition) if definition else None
        if history is not None:  # the inspector reads the whole history; the colours follow the filters
            self.inspector.show_execution(definition, history, overlay)
        else:  # ready-made frames carry no events: the graph alone
            self.inspector.show_graph(definition, overlay)

    def _definition_of(self, history: ExecutionHistory | None) -> dict[str, Any] | None:
        if history is not None and isinstance(history.definition, dict):
            return history.definition
        return self.definition

    def select_execution(self, execution: str) -> None:
        """Show the timeline and the inspector of one execution (its name or ARN).

        Example:
            >>> explorer.select_execution("triage-20250101T000000Z-abc123")  # doctest: +SKIP
            >>> explorer.inspector.select("search_logs")[0]["attempts"]  # doctest: +SKIP
        """
        for label, arn in self.timeline_pick.options:
            if execution in (label, arn):
                self.timeline_pick.value = arn
                self.tabs.selected_index = TABS.index("Timeline")
                return
        self._say(f"no execution '{execution}' in the current selection", error=True)

    # --- exports ------------------------------------------------------------------------------
    def export(self, folder: str | Path | None = None, fmt: str | None = None) -> list[Path]:
        """Write the filtered frames to ``folder`` as CSV or Parquet (atomic writes); returns the paths."""
        if not self.filtered:
            self._say("nothing to export yet: fetch some executions first", error=True, export=True)
            return []
        try:
            paths = export_frames(self.filtered, folder or self.export_folder.value, fmt or self.export_format.value)
        except Exception as exc:
            self._say(f"export failed: {plain_error(exc)}", error=True, export=True)
            return []
        self._say(f"wrote {', '.join(p.name for p in paths)} to {paths[0].parent}", export=True)
        return paths

    def write_report(self, path: str | Path | None = None) -> Path | None:
        """Write a self-contained HTML report of the filtered executions; returns its path."""
        if self.frames is None:
            self._say("nothing to report yet: fetch some executions first", error=True, export=True)
            return None
        target = Path(path or self.report_path.value)
        try:
            from workbench.widgets.explorer.report_link import save_report

            written = save_report(self.filtered, target, histories=self.histories, definition=self.definition,
                                  tools=self.tools)
        except Exception as exc:
            self._say(f"report not written: {plain_error(exc)}", error=True, export=True)
            return None
        self._say(f"report written to {written}", export=True)
        return written

    def _say(self, text: str, *, error: bool = False, export: bool = False) -> None:
        import html

        colour = "#cf222e" if error else "#1a7f37"
        box = self.export_message if export else self.message
        box.value = f"<span style='color:{colour}'>{html.escape(text)}</span>"

    @property
    def message_text(self) -> str:
        """The last fetch message as plain text."""
        import re

        return re.sub(r"<[^>]+>", "", str(self.message.value))
