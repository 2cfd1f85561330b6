"""Launcher: pick a target, edit the input, launch a Mission and watch it run, all without blocking the kernel.

A launch runs in a background thread (deploy, bind tools, start, then poll the history) that updates
the widget; the kernel stays free, so Stop works while the execution runs. Every error ends up in the
widget as one plain sentence, never as a traceback.
"""

from __future__ import annotations

import dataclasses
import html
import json
import threading
import time
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbench.asl.validate import Validation
from workbench.core.diagnostics import WorkbenchError
from workbench.engine.launch import Execution
from workbench.engine.watch import TERMINAL_STATUSES, new_events
from workbench.mission.model import Mission
from workbench.widgets.launcher.launch_settings import (
    TargetChoice,
    check_faults,
    check_input,
    check_seed,
    faults_text,
    input_text,
)
from workbench.widgets.launcher.live import LiveProgress
from workbench.widgets.launcher.mission_run import MissionRun, build_target, start_mission
from workbench.widgets.preview.highlight import highlight_json
from workbench.widgets.preview.widget import graph_html, validate_source

POLL_S = 0.25
REDRAW_S = 0.3
_COLOUR = {"SUCCEEDED": "#1a7f37", "FAILED": "#cf222e", "TIMED_OUT": "#cf222e", "ABORTED": "#9a6700",
           "RUNNING": "#0969da", "error": "#cf222e"}


def plain_error(exc: BaseException) -> str:
    """One readable sentence for any error (ours carry their own wording; others get their type named)."""
    if isinstance(exc, WorkbenchError):
        return str(exc).strip() or type(exc).__name__
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Launcher(widgets.VBox):
    """Launch a Mission on the embedded engine, AWS or an endpoint, and watch it live.

    Python API (what the buttons do): :meth:`launch` returns the :class:`Execution` once started
    (None when it could not start: the reason is in :attr:`status_text`), :meth:`wait_done` waits for
    the end, :meth:`stop` aborts, :meth:`open_explorer` opens the history explorer on the run.

    Example:
        >>> from workbench.widgets import Launcher
        >>> launcher = Launcher("missions/incident_triage.yaml")  # doctest: +SKIP
        >>> launcher.faults.value = "search_logs: {fail_rate: 0.5, error: Lambda.ServiceException}"  # doctest: +SKIP
        >>> run = launcher.launch(); launcher.wait_done(60); launcher.status  # doctest: +SKIP
        'SUCCEEDED'
    """

    def __init__(self, mission_or_path: str | Path | Mission, target: str = "embedded", input: Any = None,
                 env_file: str | Path | None = None) -> None:
        self.validation: Validation = self._validate(mission_or_path)
        mission = self.validation.mission
        local = mission.local if mission else None
        choice = TargetChoice.parse(target)
        if env_file is not None:
            choice = dataclasses.replace(choice, kind="endpoint", env_file=str(env_file))
        self.execution: Execution | None = None
        self.run: MissionRun | None = None
        self.progress = LiveProgress()
        self.status = "ready"
        self.error_text: str | None = None
        self.explorer: Any = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self._stop_asked = threading.Event()
        self._build(choice, local.time_warp if local else False, faults_text(dict(local.faults)) if local else "",
                    "" if local is None or local.seed is None else str(local.seed),
                    input if input is not None else (local.input if local else None))
        self._check_boxes()
        self._show_graph()

    # --- construction -------------------------------------------------------------------------
    @staticmethod
    def _validate(source: str | Path | Mission) -> Validation:
        try:
            return validate_source(source)
        except WorkbenchError as exc:
            return Validation(file=str(source), diagnostics=getattr(exc, "diagnostics", []))

    def _build(self, choice: TargetChoice, time_warp: bool, faults: str, seed: str, value: Any) -> None:
        wide = widgets.Layout(width="98%")
        self.target_kind = widgets.ToggleButtons(options=["embedded", "aws", "endpoint"], value=choice.kind,
                                                 description="target")
        self.time_warp = widgets.Checkbox(value=time_warp, description="time warp (waits and back-offs take no time)",
                                          indent=False, style={"description_width": "initial"},
                                          layout=widgets.Layout(width="auto"))
        self.faults = widgets.Textarea(value=faults, description="faults", continuous_update=True, layout=wide,
                                       placeholder="search_logs: {fail_rate: 0.3, error: Lambda.ServiceException}")
        self.seed = widgets.Text(value=seed, description="seed", placeholder="(random)", continuous_update=True)
        self.profile = widgets.Text(description="profile", placeholder="(default credential chain)")
        self.region = widgets.Text(description="region", placeholder="us-east-1")
        self.role_arn = widgets.Text(description="role ARN", placeholder="arn:aws:iam::ACCOUNT:role/NAME",
                                     layout=widgets.Layout(width="520px"))
        self.url = widgets.Text(value=choice.url, description="URL", placeholder="http://127.0.0.1:4599",
                                layout=widgets.Layout(width="420px"))
        self.env_file = widgets.Text(value=choice.env_file, description="env file",
                                     placeholder="(credentials from the environment)",
                                     layout=widgets.Layout(width="420px"))
        self._panels = {
            "embedded": widgets.VBox([self.time_warp, self.faults, self.seed]),
            "aws": widgets.VBox([self.profile, self.region, self.role_arn]),
            "endpoint": widgets.VBox([self.url, self.env_file]),
        }
        self.settings = widgets.VBox([self._panels[choice.kind]])
        self.settings_error = widgets.HTML()
        self.input = widgets.Textarea(value=input_text(value), description="input", continuous_update=True,
                                      layout=widgets.Layout(width="98%", height="120px"))
        self.input_error = widgets.HTML()
        self.launch_button = widgets.Button(description="Launch", button_style="primary", icon="play")
        self.stop_button = widgets.Button(description="Stop", button_style="danger", icon="stop", disabled=True)
        self.explore_button = widgets.Button(description="Explore history", icon="table", disabled=True)
        self.status_line = widgets.HTML()
        self.graph = widgets.HTML(layout=widgets.Layout(overflow="auto", max_height="560px"))
        self.result = widgets.HTML()
        self.explorer_box = widgets.VBox()
        self.target_kind.observe(self._kind_changed, names="value")
        for box in (self.faults, self.seed, self.input, self.url, self.role_arn):
            box.observe(lambda _change: self._check_boxes(), names="value")
        self.launch_button.on_click(lambda _b: self._launch_clicked())
        self.stop_button.on_click(lambda _b: self.stop())
        self.explore_button.on_click(lambda _b: self.open_explorer())
        title = self._title()
        super().__init__([
            widgets.HTML(title), self.target_kind, self.settings, self.settings_error, self.input, self.input_error,
            widgets.HBox([self.launch_button, self.stop_button, self.explore_button]), self.status_line,
            self.graph, self.result, self.explorer_box,
        ])
        self.add_class("workbench-launcher")
        self._set_status("ready", "ready to launch")

    def _title(self) -> str:
        mission = self.validation.mission
        errors = [d for d in self.validation.diagnostics if d.is_error]
        if mission is None or errors:
            first = html.escape(errors[0].render()) if errors else "the Mission could not be read"
            return (f"<b>Cannot launch</b>: {len(errors) or 1} problem(s) in the Mission; first: {first}. "
                    "Fix it in the composer, then open the launcher again.")
        return f"<b>Launch {html.escape(mission.name)}</b> · {len(list(mission.walk()))} step(s)"

    # --- settings -----------------------------------------------------------------------------
    @property
    def choice(self) -> TargetChoice:
        """The target as currently set in the widget."""
        return TargetChoice(kind=self.target_kind.value, time_warp=bool(self.time_warp.value),
                            profile=self.profile.value.strip(), region=self.region.value.strip(),
                            role_arn=self.role_arn.value.strip(), url=self.url.value.strip(),
                            env_file=self.env_file.value.strip())

    def _kind_changed(self, change: dict[str, Any]) -> None:
        self.settings.children = (self._panels[change["new"]],)
        self._check_boxes()

    def _check_boxes(self) -> list[str]:
        """Check every box as the operator types; show each problem beside its box; enable Launch."""
        tools = list(self.validation.mission.tools) if self.validation.mission else []
        problems: list[str] = []
        checked_input = check_input(self.input.value)
        self.input_error.value = _error_html(checked_input.error)
        if checked_input.error:
            problems.append(checked_input.error)
        setting_problems: list[str] = []
        if self.target_kind.value == "embedded":
            for checked in (check_faults(self.faults.value, None, tools), check_seed(self.seed.value)):
                if checked.error:
                    setting_problems.append(checked.error)
        elif (problem := self.choice.problem()) is not None:
            setting_problems.append(problem)
        self.settings_error.value = _error_html("; ".join(setting_problems) or None)
        problems += setting_problems
        if self.validation.mission is None or not self.validation.ok:
            problems.append("the Mission has errors")
        self.launch_button.disabled = bool(problems) or self.running
        self.launch_button.tooltip = "; ".join(problems)
        return problems

    # --- launching ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True from Launch until the execution has ended (or failed to start)."""
        return not self._done.is_set()

    @property
    def status_text(self) -> str:
        """The status line as plain text, e.g. ``SUCCEEDED · 78 events · 2 retries · 1.4 s``."""
        return self._status_plain

    @property
    def output(self) -> Any:
        """The parsed JSON output of the last run once it SUCCEEDED, else None."""
        if self.progress.output is None:
            return None
        try:
            return json.loads(self.progress.output)
        except ValueError:
            return self.progress.output

    def launch(self, timeout: float = 120.0) -> Execution | None:
        """Start a run in the background; return its execution once started (None if it could not start).

        Example:
            >>> execution = launcher.launch()  # doctest: +SKIP
        """
        if not self._begin():
            return None
        self._started.wait(timeout)
        return self.execution

    def _launch_clicked(self) -> None:
        self._begin()  # the click handler returns at once; the thread does the work

    def _begin(self) -> bool:
        problems = self._check_boxes()
        if self.running:
            self._set_status(self.status, "a run is in progress: stop it, or wait for it to end")
            return False
        if problems:
            self._set_status("error", f"cannot launch: {problems[0]}")
            return False
        tools = list(self.validation.mission.tools) if self.validation.mission else []
        seed = check_seed(self.seed.value).value
        plan = check_faults(self.faults.value, seed, tools).value if self.target_kind.value == "embedded" else None
        payload = check_input(self.input.value).value
        self.execution, self.run, self.progress, self.error_text, self.explorer = None, None, LiveProgress(), None, None
        self.explorer_box.children = ()
        self.result.value = ""
        self._started.clear()
        self._done.clear()
        self._stop_asked.clear()
        self.launch_button.disabled = True
        self.stop_button.disabled = False
        self.explore_button.disabled = True
        self._set_status("deploying", f"deploying to the {self.choice.describe()}…")
        self._thread = threading.Thread(target=self._work, args=(self.choice, plan, payload), daemon=True,
                                        name="workbench-launcher")
        self._thread.start()
        return True

    def _work(self, choice: TargetChoice, plan: Any, payload: Any) -> None:
        try:
            mission, definition = self.validation.mission, self.validation.definition
            assert mission is not None and definition is not None  # _check_boxes refused otherwise
            target = build_target(choice, plan)
            self.run = start_mission(mission, definition, target, payload, faults=plan)
            self.execution = self.run.execution
            self._started.set()
            self._follow(self.execution)
        except Exception as exc:  # shown in the widget; a thread must never die with a traceback
            self.error_text = plain_error(exc)
            self._set_status("error", f"launch failed: {self.error_text}")
            self.result.value = _error_html(self.error_text)
        finally:
            if self.run is not None:
                self.run.release()
            self.launch_button.disabled = False
            self.stop_button.disabled = True
            self.explore_button.disabled = self.execution is None or not self.progress.done
            self._started.set()
            self._done.set()
            self._check_boxes()

    def _follow(self, execution: Execution) -> None:
        """Poll the history until the end, updating counts, elapsed time and the graph overlay.

        The history draws the progress; the final status is DescribeExecution's (an endpoint may make a
        history up).
        """
        began = time.monotonic()
        last_id, drawn_at, drawn_events, quiet_polls = 0, 0.0, -1, 0
        while True:
            if self._stop_asked.is_set():
                self._stop_asked.clear()
                execution.stop(error="Operator.Stopped", cause="stopped from the launcher")
            fresh = new_events(execution.target, execution.arn, last_id)
            self.progress.extend(fresh)
            if fresh:
                last_id = int(fresh[-1]["id"])
            quiet_polls = 0 if fresh else quiet_polls + 1
            now = time.monotonic()
            if self.progress.done or (self.progress.events != drawn_events and now - drawn_at >= REDRAW_S):
                self._show_graph()
                drawn_at, drawn_events = now, self.progress.events
            if self.progress.done:  # the history shows an end: DescribeExecution decides whether it is one
                described = str(execution.describe().get("status"))
                self.progress.status = described
                if described in TERMINAL_STATUSES:
                    self._set_status(described, self._progress_line(now - began))
                    break
            self._set_status(self.progress.status, self._progress_line(now - began))
            if quiet_polls >= 8 and execution.describe().get("status") in TERMINAL_STATUSES:
                self.progress.status = str(execution.status)  # ended without a terminal event (rare engines)
                break
            time.sleep(POLL_S)
        self._show_result(execution)

    def _progress_line(self, elapsed: float) -> str:
        p = self.progress
        virtual = f" · {p.duration_s:.1f} s on the engine's clock" if p.duration_s is not None else ""
        return f"{p.status} · {p.events} events · {p.retries} retries · {elapsed:.1f} s{virtual}"

    def _show_result(self, execution: Execution) -> None:
        p = self.progress
        parts = [f"<b>{html.escape(p.status)}</b> · execution <code>{html.escape(execution.name)}</code>"]
        if p.output is not None:
            try:
                parts.append("<b>output</b>" + highlight_json(json.loads(p.output)))
            except ValueError:
                parts.append(f"<b>output</b><pre>{html.escape(p.output)}</pre>")
        if p.error or p.cause:
            parts.append(_error_html(f"{p.error or 'error'}: {p.cause or ''}"))
        self.result.value = "<br>".join(parts)

    def _show_graph(self) -> None:
        overlay = self.progress.overlay() if self.progress.states else None
        self.graph.value = graph_html(self.validation.definition, overlay)

    def _set_status(self, status: str, text: str) -> None:
        self.status = status
        self._status_plain = text
        colour = _COLOUR.get(status, "#57606a")
        self.status_line.value = f"<span style='color:{colour};font-weight:600'>{html.escape(text)}</span>"

    # --- public actions -----------------------------------------------------------------------
    def wait_done(self, timeout: float | None = None) -> str:
        """Wait until the run has ended (or failed to start); returns :attr:`status`.

        Example:
            >>> launcher.launch(); launcher.wait_done(60)  # doctest: +SKIP
            'SUCCEEDED'
        """
        self._done.wait(timeout)
        return self.status

    def stop(self) -> None:
        """Ask the running execution to stop (it ends ABORTED); harmless when nothing runs."""
        if self.running and self.execution is not None:
            self._stop_asked.set()
            self._set_status(self.status, "stopping…")

    def open_explorer(self) -> Any:
        """Open the history explorer on this run below the launcher; returns it.

        Example:
            >>> explorer = launcher.open_explorer()  # doctest: +SKIP
        """
        if self.execution is None:
            self._set_status(self.status, "nothing to explore yet: launch first")
            return None
        from workbench.widgets.explorer.widget import HistoryExplorer

        mission = self.validation.mission
        tools = self.execution.tools or (dict(mission.tools) if mission is not None else None)  # memory, arch
        self.explorer = HistoryExplorer(self.execution, definition=self.execution.definition or
                                        self.validation.definition, tools=tools, background=False)
        self.explorer_box.children = (self.explorer,)
        return self.explorer


def _error_html(text: str | None) -> str:
    return "" if not text else f"<span style='color:#cf222e'>{html.escape(text)}</span>"
