"""The launcher's background work: launch (deploy, bind tools, start) behind a gate, follow, redrive, finish.

Each run has its own :class:`~workbench.widgets.launcher.mission_run.LaunchGate`. A thread whose run was
stopped before start (or replaced by a newer run) changes nothing in the widget when its late answer comes:
only the current, uncancelled gate's thread may write.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from workbench.engine.connect.targets import EmbeddedTarget
from workbench.engine.run.launch import Execution
from workbench.engine.run.watch import TERMINAL_STATUSES
from workbench.widgets.launcher.follow import follow
from workbench.widgets.launcher.launch_settings import check_input
from workbench.widgets.launcher.live import LiveProgress
from workbench.widgets.launcher.mission_run import (
    LaunchCancelled,
    LaunchGate,
    build_target,
    rebind_tools,
    start_mission,
)
from workbench.widgets.launcher.status import error_html, plain_error, progress_line, result_html

if TYPE_CHECKING:
    import ipywidgets as widgets

    from workbench.asl.validate import Validation
    from workbench.widgets.inspect import ExecutionView
    from workbench.widgets.launcher.launch_settings import TargetChoice
    from workbench.widgets.launcher.mission_run import MissionRun

#: Redraw the graph and the inspector at most this often (longer histories: less often).
REDRAW_S = 0.3
REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})


class LaunchWork:
    """What the Launch, Stop and Redrive buttons start in the background (mixed into the Launcher)."""

    validation: Validation
    execution: Execution | None
    run: MissionRun | None
    progress: LiveProgress
    events: list[dict[str, Any]]
    status: str
    error_text: str | None
    explorer: Any
    redrive_status: str | None
    graph: ExecutionView
    result: widgets.HTML
    notice: widgets.HTML
    explorer_box: widgets.VBox
    input: widgets.Textarea
    launch_button: widgets.Button
    stop_button: widgets.Button
    redrive_button: widgets.Button
    explore_button: widgets.Button
    _pending: Validation | None
    _gate: LaunchGate | None
    _lock: threading.RLock
    _started: threading.Event
    _done: threading.Event
    _stop_asked: threading.Event
    _drawn_at: float
    #: The thread of the last launch or redrive (one abandoned by Stop may still be finishing a deploy).
    worker: threading.Thread | None

    @property
    def running(self) -> bool:
        """True from Launch (or Redrive) until the execution has ended, failed to start or was stopped."""
        return not self._done.is_set()

    # --- what the Launcher provides -----------------------------------------------------------
    @property
    def choice(self) -> TargetChoice:
        raise NotImplementedError

    def _check_boxes(self) -> list[str]:
        raise NotImplementedError

    def _fault_plan(self) -> Any:
        raise NotImplementedError

    def _set_status(self, status: str, text: str) -> None:
        raise NotImplementedError

    def _apply_validation(self, validation: Validation, *, redraw: bool) -> None:
        raise NotImplementedError

    def _show_graph(self) -> None:
        raise NotImplementedError

    # --- launch -------------------------------------------------------------------------------
    def _begin(self) -> bool:
        """Check the boxes, clear the last run's messages, and start the launch thread; False if refused."""
        problems = self._check_boxes()
        if self.running:
            self._set_status(self.status, "a run is in progress: stop it, or wait for it to end")
            return False
        if problems:
            self._set_status("error", f"cannot launch: {problems[0]}")
            return False
        mission, definition = self.validation.mission, self.validation.definition
        plan, payload = self._fault_plan(), check_input(self.input.value).value
        gate = self._new_run(LaunchGate())
        self.notice.value = ""
        self._show_graph()
        self._set_status("deploying", f"deploying to the {self.choice.describe()}…")
        self.worker = threading.Thread(target=self._work, args=(gate, self.choice, mission, definition, plan, payload),
                                       daemon=True, name="workbench-launcher")
        self.worker.start()
        return True

    def _new_run(self, gate: LaunchGate, *, keep_execution: bool = False) -> LaunchGate:
        """Forget the last run's messages and state; the new gate is the only one allowed to write."""
        with self._lock:
            if not keep_execution:
                self._release_run()
                self.execution, self.run, self.progress, self.events = None, None, LiveProgress(), []
            self.error_text, self.explorer, self.redrive_status = None, None, None
            self.explorer_box.children = ()
            self.result.value = ""
            self._gate = gate
            self._started.clear()
            self._done.clear()
            self._stop_asked.clear()
            self._drawn_at = 0.0
            self.launch_button.disabled = True
            self.stop_button.disabled = False
            self.explore_button.disabled = True
            self.redrive_button.layout.display = "none"
        return gate

    def _current(self, gate: LaunchGate) -> bool:
        return gate is self._gate and not gate.cancelled

    def _work(self, gate: LaunchGate, choice: TargetChoice, mission: Any, definition: Any, plan: Any,
              payload: Any) -> None:
        try:
            target = build_target(choice, plan, gate)
            run = start_mission(mission, definition, target, payload, faults=plan)
        except LaunchCancelled:
            return  # Stop said so already, at once
        except Exception as exc:  # shown in the widget; a thread must never die with a traceback
            if self._current(gate):  # a launch abandoned by Stop has nothing more to say
                self._fail(exc)
                self._end_of_run(gate)
            return
        with self._lock:
            mine = self._current(gate)
            if mine:
                self.run, self.execution = run, run.execution
        if not mine:  # cannot happen once a start call passed the gate; never leave tools bound regardless
            run.release()
            return
        self._started.set()
        self._follow_run(gate, run.execution)

    def _follow_run(self, gate: LaunchGate, execution: Execution) -> None:
        began = time.monotonic()
        try:
            described = follow(execution, self.progress, self.events, stop_asked=self._stop_asked,
                               on_poll=lambda status, fresh: self._polled(execution, status, fresh, began))
            status = str(described.get("status"))
            self.redrive_status = str(described.get("redriveStatus")) if described.get("redriveStatus") else None
            self._redraw(execution)
            self._set_status(status, progress_line(status, self.progress, time.monotonic() - began))
            p = self.progress
            self.result.value = result_html(status, execution.name, p.output, p.error, p.cause)
        except Exception as exc:
            self._fail(exc)
        finally:
            self._end_of_run(gate)

    def _polled(self, execution: Execution, status: str, fresh: bool, began: float) -> None:
        now = time.monotonic()
        if fresh and now - self._drawn_at >= max(REDRAW_S, len(self.events) / 5000):
            self._redraw(execution)
        if self._stop_asked.is_set() and status not in TERMINAL_STATUSES:
            return  # "stopping…" stays until the engine says the execution ended
        self._set_status(status, progress_line(status, self.progress, now - began))

    def _redraw(self, execution: Execution) -> None:
        """The graph with the live overlay, and the inspector on the history so far."""
        self._drawn_at = time.monotonic()
        definition = execution.definition or self.validation.definition
        self.graph.show_execution(definition, self.events, self.progress.overlay(), execution_arn=execution.arn)

    def _fail(self, exc: BaseException) -> None:
        self.error_text = plain_error(exc)
        self._set_status("error", f"launch failed: {self.error_text}")
        self.result.value = error_html(self.error_text)

    def _end_of_run(self, gate: LaunchGate | None) -> None:
        """The run is over (ended, failed to start, or stopped before start): buttons back, tools let go."""
        with self._lock:
            if gate is not None and gate is not self._gate:
                return
            if self.run is not None and not self._keeps_tools():
                self._release_run()
            self.launch_button.disabled = False
            self.stop_button.disabled = True
            self.explore_button.disabled = self.execution is None or self.status not in TERMINAL_STATUSES
            self.redrive_button.layout.display = "" if self._keeps_tools() else "none"
            self._started.set()
            self._done.set()
            if self._pending is not None:  # edited in the composer during the run: for the next launch
                self._apply_validation(self._pending, redraw=False)
            self._check_boxes()

    # --- redrive ------------------------------------------------------------------------------
    def _keeps_tools(self) -> bool:
        """A redrivable execution keeps its tools bound, so Redrive can run its failed state again."""
        return self.status in REDRIVABLE and self.redrive_status == "REDRIVABLE"

    def _release_run(self) -> None:
        if self.run is not None:
            self.run.release()

    def _redrive_problem(self) -> str | None:
        if self.running:
            return "a run is in progress: stop it, or wait for it to end"
        if self.execution is None:
            return "nothing to redrive: launch first"
        if self.status not in REDRIVABLE:
            return f"cannot redrive: the execution is {self.status}; only FAILED, TIMED_OUT or ABORTED ones can be"
        if self.redrive_status != "REDRIVABLE":
            return "cannot redrive: this target does not support RedriveExecution for this execution"
        problems = self._check_boxes()
        return f"cannot redrive: {problems[0]}" if problems else None

    def _begin_redrive(self) -> None:
        execution = self.execution
        assert execution is not None  # _redrive_problem refused otherwise
        plan = self._fault_plan()
        gate = self._new_run(LaunchGate(started=True), keep_execution=True)  # the execution exists: Stop stops it
        self._set_status("redriving", f"redriving {execution.name}…")
        self.worker = threading.Thread(target=self._redrive_work, args=(gate, execution, plan), daemon=True,
                                       name="workbench-launcher-redrive")
        self.worker.start()

    def _redrive_work(self, gate: LaunchGate, old: Execution, plan: Any) -> None:
        try:
            if self.run is not None and isinstance(old.target, EmbeddedTarget):
                rebind_tools(self.run, plan)  # the fault box as it is now (e.g. emptied: the fault is gone)
            old.target.call("redrive_execution", executionArn=old.arn)
            execution = Execution(old.target, old.arn, state_machine_arn=old.state_machine_arn)  # a fresh handle
            execution.mission, execution.definition, execution.tools = old.mission, old.definition, old.tools
        except Exception as exc:
            self._fail(exc)
            self._end_of_run(gate)
            return
        with self._lock:
            self.execution = execution
            if self.run is not None:
                self.run.execution = execution
            self.progress.history_ended = False  # the end shown so far was the one being redriven
        self._started.set()
        self._follow_run(gate, execution)
