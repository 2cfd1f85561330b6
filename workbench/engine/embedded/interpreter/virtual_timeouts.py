"""Timeouts on the virtual clock: ``TimeoutSeconds``, ``HeartbeatSeconds`` and the machine's ``TimeoutSeconds``.

moto times a Task attempt (and a Parallel or Map attempt) with ``threading.Event.wait(TimeoutSeconds)``, a
missing heartbeat with ``Event.wait(HeartbeatSeconds)`` and the whole execution with ``Thread.join(TimeoutSeconds)``:
real time, even under time warp. With time warp on (an execution with a :class:`VirtualClock`) this rule holds:

1. **Code runs in real time.** While a flow (the execution, a Parallel branch, a Map iteration, a Task attempt)
   runs Python, interpreter or tool, its clock advances with the real clock. A tool that sleeps 10 s for real
   takes 10 virtual seconds; under a 1-hour timeout it succeeds at +10 s.
2. **Timers jump.** A Wait, a retry back-off, injected latency and :func:`sleep` called by a tool move their
   flow's clock to the end of the timer at once.
3. **Deadlines are timers.** An attempt of a state with an explicit ``TimeoutSeconds`` (and an execution whose
   machine has one) gets a deadline at virtual start + N. A jump that would cross the earliest deadline around
   its flow stops there: the deadline fires, its scope ends with ``States.Timeout`` (``ExecutionTimedOut``)
   stamped at exactly start + N, and the jumping flow is held until the scope has ended. A scope whose flows
   all run real code times out when the furthest of their clocks (:meth:`VirtualClock.frontier`) reaches it.
4. **The outside world answers in real time, or never.** A flow waiting for SendTaskSuccess/Failure/Heartbeat
   or for an activity worker waits :data:`OUTSIDE_GRACE_SECONDS` of real time; if nothing came, nothing will:
   the wait becomes a timer to the heartbeat window's end or the enclosing deadline, and jumps (rule 2).
   Without either (no ``TimeoutSeconds``/``HeartbeatSeconds``) it waits in real time, as on AWS.

Without time warp every replaced function calls moto's original.
"""

from __future__ import annotations

import copy
import datetime as _dt
import threading
import time as _time
from collections.abc import Callable, Iterator
from typing import Any

from workbench.engine.embedded.interpreter.timewarp import VirtualClock, clock_of, end_history

OUTSIDE_GRACE_SECONDS = 2.0
"""Real seconds a warped flow gives the outside world (task token, heartbeat, activity worker) to answer.

Long enough for a worker polling a queue on a busy machine; an answer later than this finds the task timed out
at its virtual deadline, so callbacks that a person answers need the warp off (or this raised)."""

_HOLD_POLL_SECONDS = 0.05  # how often a held flow re-checks that its scope ended (a poll, orders nothing)
_UNWIND_SECONDS = 5.0  # how long a timed-out execution waits for its flows to write their last events
_DEADLINE_ATTR = "_workbench_deadline"
_flow = threading.local()  # .env: the attempt frame the current thread evaluates (tools, callback waits)


class Deadline:
    """The virtual moment a scope (a state's attempt, or the execution) times out; nested in its parent's."""

    def __init__(self, at: _dt.datetime, parent: Deadline | None, clock: VirtualClock) -> None:
        self.at, self.parent, self.clock = at, parent, clock
        self.fired = threading.Event()  # the scope timed out
        self.released = threading.Event()  # its waiter has ended the scope: held flows may go on
        self.wake = threading.Event()  # wakes the waiter: fired, the attempt finished, or a clock jumped

    def chain(self) -> Iterator[Deadline]:
        deadline: Deadline | None = self
        while deadline is not None:
            yield deadline
            deadline = deadline.parent

    def earliest(self) -> Deadline:
        """The first deadline to come, of this one and those around it."""
        return min(self.chain(), key=lambda d: d.at)

    def fire(self) -> None:
        self.fired.set()
        self.wake.set()


class VirtualTimeout(TimeoutError):
    """A tool's :func:`sleep` outlasted its Task's deadline; the Task reports ``States.Timeout``."""

    workbench_task_timeout = True  # lambdas.invoke_tool re-raises it to moto instead of a FunctionError


def deadline_of(env: Any) -> Deadline | None:
    return getattr(getattr(env, "event_history_context", None), _DEADLINE_ATTR, None)


def _set_deadline(env: Any, deadline: Deadline | None) -> None:
    setattr(env.event_history_context, _DEADLINE_ATTR, deadline)


def inherit(parent: Any, frame: Any) -> None:
    """A frame opened in ``parent`` lives under the parent's deadlines (called when it opens)."""
    if frame.event_history_context is not parent.event_history_context:
        _set_deadline(frame, deadline_of(parent))


def _hold(env: Any, deadline: Deadline) -> None:
    """Block a flow that reached a fired deadline until its scope has ended."""
    while env.is_running() and not deadline.released.wait(_HOLD_POLL_SECONDS):
        pass


def advance(env: Any, seconds: float, since: _dt.datetime | None = None) -> bool:
    """Run a timer of ``seconds`` in ``env``'s warped flow (rule 2-3); False if a deadline cut it short.

    A cut-short timer has fired the deadline and returns once the timed-out scope has ended.
    """
    clock = clock_of(env)
    assert clock is not None, "advance() needs a warped flow"
    target = (since or clock.now()) + _dt.timedelta(seconds=max(float(seconds), 0.0))
    deadline = deadline_of(env)
    if deadline is not None and target > deadline.earliest().at:
        _run_out(env, clock, deadline)
        return False
    clock.advance_to(target)
    for scope in deadline.chain() if deadline is not None else ():
        scope.wake.set()  # the frontier moved: waiters timing real code re-measure
    return True


def _run_out(env: Any, clock: VirtualClock, deadline: Deadline) -> None:
    """Jump to the first deadline around a flow, fire it, and hold the flow until its scope has ended."""
    first = deadline.earliest()
    clock.advance_to(first.at)
    first.fire()
    _hold(env, first)


def sleep_in_flow(seconds: float) -> bool:
    """Sleep ``seconds`` on the calling tool's virtual clock; False when the thread is not a warped flow.

    Raises :class:`VirtualTimeout` when the sleep outlasts the Task's (or an enclosing) deadline.
    """
    env = getattr(_flow, "env", None)
    if clock_of(env) is None:
        return False
    if not advance(env, seconds):
        raise VirtualTimeout(f"the tool slept past its deadline ({seconds:g} s asked)")
    return True


def sleep(seconds: float) -> None:
    """For tools: sleep on the execution's virtual clock under time warp, else for real.

    Example:
        >>> from workbench.engine.embedded.interpreter.virtual_timeouts import sleep
        >>> def slow(event, context):
        ...     sleep(7200)  # two hours: a Task with TimeoutSeconds 3600 times out at +1 h
        ...     return event
    """
    if not sleep_in_flow(seconds):
        _time.sleep(seconds)


def _wait_outside(arrived: Callable[[float | None], bool], window: float | None) -> bool | None:
    """Wait for the outside world in the current warped flow (rule 4); None when the thread is not one.

    ``arrived(timeout)`` waits up to ``timeout`` real seconds (None: for ever) and says whether it came;
    ``window`` is the heartbeat window in seconds (None: only the enclosing deadline bounds the wait).
    """
    env = getattr(_flow, "env", None)
    clock = clock_of(env)
    if clock is None:
        return None
    start = clock.now()
    if arrived(OUTSIDE_GRACE_SECONDS):
        return True
    deadline = deadline_of(env)
    if window is None and deadline is None:
        return arrived(None)
    if window is not None:
        advance(env, window, since=start)  # the window passes in silence, or a deadline cuts it
    elif deadline is not None:
        _run_out(env, clock, deadline)
    return False


def _await(done: threading.Event, deadline: Deadline | None) -> bool:
    """Wait for an attempt (True) or for its deadline (False), whichever comes first on the virtual clock."""
    if deadline is None:
        done.wait()
        return True
    while True:
        deadline.wake.clear()
        if done.is_set():
            return True
        if deadline.fired.is_set():
            return False
        remaining = (deadline.at - deadline.clock.frontier()).total_seconds()
        if remaining <= 0:  # rule 3: real code ran into the deadline
            deadline.fire()
            return False
        deadline.wake.wait(remaining)


def install() -> None:
    """Replace moto's real-time timers with virtual ones for warped executions (called by ``timewarp.install``)."""
    from moto.stepfunctions.parser.api import ExecutionTimedOutEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import EvalTimeoutError
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
    from moto.stepfunctions.parser.asl.eval.callback.callback import (
        ActivityTaskStartEndpoint,
        CallbackEndpoint,
        HeartbeatEndpoint,
    )
    from moto.stepfunctions.parser.utils import TMP_THREADS

    from workbench.engine.embedded.interpreter.fidelity import event_details

    # ExecutionState._evaluate_with_timeout: runs one attempt in a thread and waits TimeoutSeconds of real time.
    # Warped, the wait is rule 3's, and the attempt's thread is marked as a flow for tools and callback waits.
    original_evaluate = ExecutionState._evaluate_with_timeout

    def _evaluate_with_timeout(self: Any, env: Any) -> None:
        clock = clock_of(env)
        if clock is None:
            return original_evaluate(self, env)  # type: ignore[no-any-return]
        self.timeout.eval(env=env)
        timeout_seconds = env.stack.pop()
        frame = env.open_frame()
        frame.states.reset(input_value=env.states.get_input())
        frame.stack = copy.deepcopy(env.stack)
        deadline = None
        frame_clock = clock_of(frame)
        if not self.timeout.is_default_value() and frame_clock is not None:
            deadline = Deadline(clock.now() + _dt.timedelta(seconds=timeout_seconds), deadline_of(frame), frame_clock)
            _set_deadline(frame, deadline)
        outputs: list[Any] = []
        errors: list[Exception] = []
        done = threading.Event()

        def attempt() -> None:
            _flow.env = frame
            try:
                self._eval_execution(frame)
                outputs.extend(frame.stack)
            except Exception as ex:
                errors.append(ex)
            finally:
                _flow.env = None
                done.set()
                if deadline is not None:
                    deadline.wake.set()

        thread = threading.Thread(target=attempt, daemon=True)
        TMP_THREADS.append(thread)
        thread.start()
        finished = _await(done, deadline)
        frame.set_ended()
        if not finished and deadline is not None:
            clock.advance_to(deadline.at)
        env.close_frame(frame)
        if deadline is not None:
            deadline.released.set()
        if not finished:
            raise EvalTimeoutError()
        if not env.is_running():
            return None  # ended from outside (machine timeout, abort, failed sibling): nothing more to write
        if errors:
            raise errors[-1]
        _finish_attempt(self, env, outputs.pop())
        return None

    ExecutionState._evaluate_with_timeout = _evaluate_with_timeout  # type: ignore[method-assign]

    # Program.eval: joins the execution's thread for the machine's TimeoutSeconds of real time. Warped, a
    # branch or iteration can start after a sibling's jump ended the scope (timers take no time): moto's
    # eval then raised RuntimeError ("Could not set NextState") in the worker, and its Parallel never ended.
    original_program_eval = Program.eval

    def program_eval(self: Any, env: Any) -> None:
        clock = clock_of(env)
        if clock is not None and env.is_frame() and not env.is_running():
            return
        if clock is None or env.is_frame() or not self.timeout_seconds:
            original_program_eval(self, env)
            return
        deadline = Deadline(clock.now() + _dt.timedelta(seconds=self.timeout_seconds.timeout_seconds), None, clock)
        _set_deadline(env, deadline)
        env.next_state_name = self.start_at.start_at_name
        done = threading.Event()

        def run() -> None:
            try:
                EvalComponent.eval(self, env)
            finally:
                done.set()
                deadline.wake.set()

        thread = threading.Thread(target=run, daemon=True)
        TMP_THREADS.append(thread)
        thread.start()
        if not _await(done, deadline):
            clock.advance_to(deadline.at)
            end_history(env, deadline.at)
            env.set_timed_out()
            deadline.released.set()
            thread.join(timeout=_UNWIND_SECONDS)  # it writes ExecutionTimedOut once its states unwound ...
            if thread.is_alive():  # ... unless a tool still runs in real time: write it now (once, see end_history)
                env.event_manager.add_event(context=env.event_history_context,
                                            event_type=HistoryEventType.ExecutionTimedOut,
                                            event_details=event_details(
                                                executionTimedOutEventDetails=ExecutionTimedOutEventDetails()))

    Program.eval = program_eval  # type: ignore[method-assign]

    # CallbackEndpoint.wait: a task token's answer (SendTaskSuccess/Failure), up to TimeoutSeconds of real time.
    original_callback_wait = CallbackEndpoint.wait

    def callback_wait(self: Any, timeout: float | None = None) -> Any:
        if _wait_outside(self._notify_event.wait, None) is None:
            return original_callback_wait(self, timeout)
        return self._outcome

    CallbackEndpoint.wait = callback_wait  # type: ignore[method-assign]

    # HeartbeatEndpoint.clear_and_wait: the next SendTaskHeartbeat, up to HeartbeatSeconds of real time.
    original_clear_and_wait = HeartbeatEndpoint.clear_and_wait

    def clear_and_wait(self: Any) -> bool:
        with self._mutex:
            if self._next_heartbeat_event.is_set():
                self._next_heartbeat_event.clear()
                return True
        received = _wait_outside(self._next_heartbeat_event.wait, float(self._heartbeat_seconds))
        return bool(original_clear_and_wait(self)) if received is None else received

    HeartbeatEndpoint.clear_and_wait = clear_and_wait  # type: ignore[method-assign]

    # ActivityTaskStartEndpoint.wait: a worker's GetActivityTask, up to TimeoutSeconds of real time.
    original_start_wait = ActivityTaskStartEndpoint.wait

    def start_wait(self: Any, timeout_seconds: float) -> Any:
        if _wait_outside(self._next_activity_task_start_event.wait, None) is None:
            return original_start_wait(self, timeout_seconds)
        return self._outcome

    ActivityTaskStartEndpoint.wait = start_wait  # type: ignore[method-assign]


def _finish_attempt(state: Any, env: Any, output: Any) -> None:
    """The tail of moto's ``ExecutionState._evaluate_with_timeout`` after a successful attempt (unchanged)."""
    env.stack.append(output)
    if not state._is_language_query_jsonpath():
        env.states.set_result(output)
    if state.assign_decl:
        state.assign_decl.eval(env=env)
    if state.result_selector:
        state.result_selector.eval(env=env)
    if state.result_path:
        state.result_path.eval(env)
    else:
        env.states.reset(input_value=env.stack.pop())
