"""Launcher: pick a target, edit the input, launch a Mission and watch it run, all without blocking the kernel.

A launch runs in a background thread (deploy, bind tools, start, then follow) that updates the widget; the
kernel stays free, so Stop works in every phase: while deploying it cancels the launch (no execution is
started, and a deploy stuck in a network call is abandoned), after the start it sends StopExecution. The
status is DescribeExecution's until the end; the graph is an :class:`ExecutionView` (click a state for the
inspector). Every error ends up in the widget as one plain sentence, never as a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbench.asl.validate import Validation
from workbench.engine.run.launch import Execution
from workbench.mission.model import Mission
from workbench.widgets.inspect import ExecutionView
from workbench.widgets.launcher import runner
from workbench.widgets.launcher.launch_settings import (
    TargetChoice,
    check_faults,
    check_input,
    check_seed,
    faults_text,
    input_text,
)
from workbench.widgets.launcher.live import LiveProgress
from workbench.widgets.launcher.mission_run import LaunchGate, MissionRun
from workbench.widgets.launcher.source import follow_composer, is_composer, title_html, validation_of
from workbench.widgets.launcher.status import error_html, plain_error, status_html

__all__ = ["Launcher", "plain_error"]

STOPPED_BEFORE_START = "stopped before start: no execution"


class Launcher(runner.LaunchWork, widgets.VBox):
    """Launch a Mission on the embedded engine, AWS or an endpoint, and watch it live.

    ``source`` is a Mission file (str or Path), a Mission, or a ``MissionComposer``, followed live: its edits
    show up here (the next launch runs them). Python API (what the buttons do): :meth:`launch` returns the
    :class:`Execution` once started (None when it could not start: the reason is in :attr:`status_text`),
    :meth:`wait_done` waits for the end, :meth:`stop` stops in any phase, :meth:`redrive` redrives a failed
    execution, :meth:`open_explorer` opens the history explorer on the run; :attr:`graph` is the inspector.

    Example:
        >>> from workbench.widgets import Launcher
        >>> launcher = Launcher("missions/incident_triage.yaml")  # doctest: +SKIP
        >>> launcher.faults.value = "search_logs: {fail_rate: 0.5, error: Lambda.ServiceException}"  # doctest: +SKIP
        >>> run = launcher.launch(); launcher.wait_done(60); launcher.status  # doctest: +SKIP
        'SUCCEEDED'
    """

    def __init__(self, source: str | Path | Mission | Any, target: str = "embedded", input: Any = None,
                 env_file: str | Path | None = None) -> None:
        self.composer: Any = source if is_composer(source) else None
        self.validation: Validation = validation_of(source)
        self._pending: Validation | None = None
        mission = self.validation.mission
        local = mission.local if mission else None
        choice = TargetChoice.parse(target)
        if env_file is not None:
            choice = dataclasses.replace(choice, kind="endpoint", env_file=str(env_file))
        self.execution: Execution | None = None
        self.run: MissionRun | None = None
        self.progress = LiveProgress()
        self.events: list[dict[str, Any]] = []
        self.status = "ready"
        self.error_text: str | None = None
        self.explorer: Any = None
        self.redrive_status: str | None = None
        self._status_plain = ""
        self._gate: LaunchGate | None = None
        self._lock = threading.RLock()
        self._started = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self._stop_asked = threading.Event()
        self._drawn_at = 0.0
        self.worker: threading.Thread | None = None
        self._build(choice, local.time_warp if local else False, faults_text(dict(local.faults)) if local else "",
                    "" if local is None or local.seed is None else str(local.seed),
                    input if input is not None else (local.input if local else None))
        self._check_boxes()
        self._show_graph()
        if self.composer is not None:
            follow_composer(self.composer, self._mission_changed)

    # --- construction -------------------------------------------------------------------------
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
        self.redrive_button = widgets.Button(description="Redrive", button_style="warning", icon="redo",
                                             tooltip="run the failed execution again from the state that did not "
                                                     "finish", layout=widgets.Layout(display="none"))
        self.explore_button = widgets.Button(description="Explore history", icon="table", disabled=True)
        self.title = widgets.HTML(title_html(self.validation, following=self.composer is not None))
        self.notice = widgets.HTML()
        self.status_line = widgets.HTML()
        self.graph = ExecutionView(layout=widgets.Layout(width="100%"))
        self.result = widgets.HTML()
        self.explorer_box = widgets.VBox()
        self.target_kind.observe(self._kind_changed, names="value")
        for box in (self.faults, self.seed, self.input, self.url, self.role_arn):
            box.observe(lambda _change: self._check_boxes(), names="value")
        self.launch_button.on_click(lambda _b: self._begin())  # returns at once; the thread does the work
        self.stop_button.on_click(lambda _b: self.stop())
        self.redrive_button.on_click(lambda _b: self.redrive())
        self.explore_button.on_click(lambda _b: self.open_explorer())
        super().__init__([
            self.title, self.notice, self.target_kind, self.settings, self.settings_error, self.input,
            self.input_error,
            widgets.HBox([self.launch_button, self.stop_button, self.redrive_button, self.explore_button]),
            self.status_line, self.graph, self.result, self.explorer_box,
        ])
        self.add_class("workbench-launcher")
        self._set_status("ready", "ready to launch")

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

    def _tools(self) -> list[str]:
        return list(self.validation.mission.tools) if self.validation.mission else []

    def _check_boxes(self) -> list[str]:
        """Check every box as the operator types; show each problem beside its box; enable Launch."""
        problems: list[str] = []
        checked_input = check_input(self.input.value)
        self.input_error.value = error_html(checked_input.error)
        if checked_input.error:
            problems.append(checked_input.error)
        setting_problems: list[str] = []
        if self.target_kind.value == "embedded":
            for checked in (check_faults(self.faults.value, None, self._tools()), check_seed(self.seed.value)):
                if checked.error:
                    setting_problems.append(checked.error)
        elif (problem := self.choice.problem()) is not None:
            setting_problems.append(problem)
        self.settings_error.value = error_html("; ".join(setting_problems) or None)
        problems += setting_problems
        if self.validation.mission is None or not self.validation.ok:
            problems.append("the Mission has errors")
        self.launch_button.disabled = bool(problems) or self.running
        self.launch_button.tooltip = "; ".join(problems)
        return problems

    def _fault_plan(self) -> Any:
        """The fault box as a plan (embedded engine only; None otherwise or when empty)."""
        if self.target_kind.value != "embedded":
            return None
        return check_faults(self.faults.value, check_seed(self.seed.value).value, self._tools()).value

    # --- the Mission, followed ----------------------------------------------------------------
    def _mission_changed(self, validation: Validation) -> None:
        """A composer edit: shown at once when idle; while a run goes on, it is for the next launch."""
        with self._lock:
            if self.running:
                self._pending = validation
                self.notice.value = ("<i>The Mission changed in the composer; this run goes on with the version it "
                                     "started with, and the next launch uses the new one.</i>")
                return
        self._apply_validation(validation, redraw=True)

    def _apply_validation(self, validation: Validation, *, redraw: bool) -> None:
        self.validation = validation
        self._pending = None
        self.title.value = title_html(validation, following=self.composer is not None)
        if redraw:
            self._show_graph()
        self._check_boxes()

    def _show_graph(self) -> None:
        self.graph.show_graph(self.validation.definition)

    # --- status -------------------------------------------------------------------------------
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

    @property
    def redrivable(self) -> bool:
        """True when the last execution ended FAILED, TIMED_OUT or ABORTED and its target can redrive it."""
        return self.redrive_status == "REDRIVABLE" and not self.running

    def _set_status(self, status: str, text: str) -> None:
        self.status = status
        self._status_plain = text
        self.status_line.value = status_html(status, text)

    # --- public actions -----------------------------------------------------------------------
    def launch(self, timeout: float = 120.0) -> Execution | None:
        """Start a run in the background; return its execution once started (None if it could not start).

        Example:
            >>> execution = launcher.launch()  # doctest: +SKIP
        """
        if not self._begin():
            return None
        self._started.wait(timeout)
        return self.execution

    def wait_done(self, timeout: float | None = None) -> str:
        """Wait until the run has ended (or failed to start, or was stopped); returns :attr:`status`.

        Example:
            >>> launcher.launch(); launcher.wait_done(60)  # doctest: +SKIP
            'SUCCEEDED'
        """
        self._done.wait(timeout)
        return self.status

    def stop(self) -> None:
        """Stop, in any phase: while deploying nothing is started (status ``stopped``); after, StopExecution.

        Example:
            >>> launcher.stop(); launcher.wait_done(60)  # doctest: +SKIP
            'ABORTED'
        """
        with self._lock:
            gate = self._gate
            if not self.running or gate is None:
                return
            if gate.cancel():  # nothing started: the launch is abandoned, whatever it is waiting for
                self._stopped_before_start()
                return
        self._stop_asked.set()
        self._set_status(self.status, "stopping…")

    def _stopped_before_start(self) -> None:
        self.result.value = ""
        self._set_status("stopped", STOPPED_BEFORE_START)
        self._end_of_run(None)

    def redrive(self, timeout: float = 60.0) -> bool:
        """Redrive the last execution (FAILED, TIMED_OUT or ABORTED) from the state that did not finish, and
        follow it again; the fault box applies to the redrive. False (with the reason shown) when it cannot.

        Example:
            >>> launcher.faults.value = ""; launcher.redrive(); launcher.wait_done(60)  # doctest: +SKIP
            'SUCCEEDED'
        """
        problem = self._redrive_problem()
        if problem is not None:
            self._set_status(self.status, problem)
            return False
        self._begin_redrive()
        self._started.wait(timeout)
        return True

    def close(self) -> None:
        """Close the widget; tools kept bound for a Redrive are let go.

        Example:
            >>> launcher.close()  # doctest: +SKIP
        """
        done = getattr(self, "_done", None)  # None when __init__ refused its arguments
        if done is not None and done.is_set():
            self._release_run()
        super().close()

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
