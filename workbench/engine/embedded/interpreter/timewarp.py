"""Time warp: virtual clocks so Wait states and retry back-offs take no real time.

moto sleeps for real in ``WaitFunction._wait_interval`` and in ``RetrierDecl`` (``time.sleep``), and stamps
history events with the real clock. With time warp on, an execution gets a :class:`VirtualClock`: a wait
of *s* seconds moves the clock forward instead of sleeping, and every timestamp the interpreter writes
(history events, ``$$.State.EnteredTime``, the execution's stop date) reads it. A Mission with a one-hour
Wait therefore finishes at once while its history shows the hour.

Concurrency: each flow of control has its own clock. moto gives every Parallel branch and Map iteration
its own frame with its own ``EventHistoryContext``; a frame's clock is forked from its parent's when the
frame opens, and joined (the later of the two) when the frame closes (``EventHistoryContext.integrate``).
Two branches that each wait an hour therefore advance the execution by one hour, not two. Timeouts
(Task and machine ``TimeoutSeconds``, ``HeartbeatSeconds``) run on the same clocks: see
``virtual_timeouts.py`` for the rule, installed from :func:`install`.
"""

from __future__ import annotations

import datetime as _dt
import threading
import time as _time
import weakref
from collections.abc import Callable
from typing import Any

UTC = _dt.UTC
_CLOCK_ATTR = "_workbench_clock"
_TIMED_OUT_ATTR = "_workbench_execution_timed_out"


class VirtualClock:
    """The simulated wall clock of one flow of an execution: real time plus an offset that only grows.

    Example:
        >>> clock = VirtualClock()
        >>> start = clock.now()
        >>> clock.sleep(3600)
        >>> round((clock.now() - start).total_seconds() / 60)
        60
    """

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset
        self._lock = threading.Lock()
        self._children: weakref.WeakSet[VirtualClock] = weakref.WeakSet()

    @property
    def offset(self) -> float:
        """Seconds this clock is ahead of the real one."""
        with self._lock:
            return self._offset

    def now(self) -> _dt.datetime:
        """The simulated current time (timezone-aware, UTC)."""
        return _dt.datetime.now(UTC) + _dt.timedelta(seconds=self.offset)

    def sleep(self, seconds: float, since: _dt.datetime | None = None) -> None:
        """Advance to ``since + seconds`` (``since`` defaults to now) without sleeping; never go back."""
        start = since or self.now()
        target = start + _dt.timedelta(seconds=max(float(seconds), 0.0))
        with self._lock:
            ahead = (target - _dt.datetime.now(UTC)).total_seconds()
            self._offset = max(self._offset, ahead)

    def advance_to(self, moment: _dt.datetime) -> None:
        """Jump forward to ``moment`` (aware UTC) without sleeping; never go back."""
        with self._lock:
            self._offset = max(self._offset, (moment - _dt.datetime.now(UTC)).total_seconds())

    def fork(self) -> VirtualClock:
        """A clock for a branch that starts now and runs on its own (remembered for :meth:`frontier`)."""
        child = VirtualClock(self.offset)
        with self._lock:
            self._children.add(child)
        return child

    def frontier(self) -> _dt.datetime:
        """The latest time of this clock and every clock forked from it (the furthest flow of a scope)."""
        with self._lock:
            children = list(self._children)
        return max([self.now(), *(child.frontier() for child in children)])

    def join(self, other: VirtualClock) -> None:
        """Continue after ``other`` finished: take the later of the two times."""
        ahead = other.offset
        with self._lock:
            self._offset = max(self._offset, ahead)


def attach_clock(env: Any, clock: VirtualClock | None) -> None:
    """Give an interpreter Environment's flow a clock (None: real time)."""
    setattr(env.event_history_context, _CLOCK_ATTR, clock)


def clock_of(env: Any) -> VirtualClock | None:
    """The clock of the flow an Environment (or frame) evaluates, if time is warped."""
    return getattr(getattr(env, "event_history_context", None), _CLOCK_ATTR, None)


def end_history(env: Any, at: _dt.datetime) -> None:
    """The execution timed out at ``at``: its history takes ``ExecutionTimedOut`` (at ``at``) and nothing more.

    As on AWS; moto lets the states still unwinding write on (e.g. ``ParallelStateSucceeded``). The first
    ``ExecutionTimedOut`` written wins (the execution's thread, or the timer when that thread is still busy).
    """
    setattr(env.event_manager, _TIMED_OUT_ATTR, {"at": at, "written": False})


def ended_at(env: Any) -> _dt.datetime | None:
    """When the execution timed out on its virtual clock (see :func:`end_history`)."""
    ended: dict[str, Any] | None = getattr(env.event_manager, _TIMED_OUT_ATTR, None)
    return ended["at"] if ended else None


# The clock of the last event stamped on this thread; moto's state.py reads the time right after it adds
# the StateEntered event, on the same thread, so this is the clock of the state being entered.
_stamping = threading.local()


class _StateDatetime:
    """Stands in for the ``datetime`` module inside moto's ``state.py`` (``$$.State.EnteredTime``)."""

    timezone = _dt.timezone

    class datetime:  # mirrors the module attribute it replaces
        @staticmethod
        def now(tz: _dt.tzinfo | None = None) -> _dt.datetime:
            clock: VirtualClock | None = getattr(_stamping, "clock", None)
            now = clock.now() if clock is not None else _dt.datetime.now(UTC)
            return now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)


_retry_env = threading.local()
_ending_lock = threading.Lock()


class _RetryTime:
    """Stands in for the ``time`` module inside moto's ``retrier_decl.py``: back-offs move the clock."""

    @staticmethod
    def sleep(seconds: float) -> None:
        env = getattr(_retry_env, "env", None)
        if clock_of(env) is None:
            _time.sleep(seconds)
        else:
            from workbench.engine.embedded.interpreter import virtual_timeouts

            virtual_timeouts.advance(env, seconds)  # cut short by a deadline: the retry loop sees it ended

    time = staticmethod(_time.time)
    monotonic = staticmethod(_time.monotonic)


def utc_wait_seconds(timestamp: _dt.datetime, clock: VirtualClock | None) -> int:
    """Seconds from now until a Wait ``Timestamp`` (moto parses it naive; it is UTC by the spec)."""
    now = clock.now() if clock is not None else _dt.datetime.now(UTC)
    return int((timestamp.replace(tzinfo=UTC) - now).total_seconds())


def install(invalid_timestamp: Callable[[Any, Any, str], Exception]) -> None:
    """Patch moto's waits, back-offs, timeouts and timestamps to read the execution's clock (idempotent).

    ``invalid_timestamp(wait_function, env, text)`` builds the failure for a Timestamp that does not parse.
    """
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state import state as state_module
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function import timestamp, wait_function
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventHistoryContext, EventManager
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    from workbench.engine.embedded.interpreter import virtual_timeouts

    # Wait states: move the virtual clock instead of blocking on the program-state event (a Wait that
    # crosses a deadline, e.g. the machine's TimeoutSeconds, stops there: see virtual_timeouts).
    original_wait = wait_function.WaitFunction._wait_interval

    def _wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
        if clock_of(env) is None:
            original_wait(self, env, wait_seconds)
        else:
            virtual_timeouts.advance(env, wait_seconds)

    wait_function.WaitFunction._wait_interval = _wait_interval  # type: ignore[method-assign]

    # Timestamp waits: moto subtracts a local naive now() from a UTC timestamp (wrong outside UTC).
    def _get_wait_seconds(self: Any, env: Any) -> int:
        self.string.eval(env=env)
        text = env.stack.pop()
        parsed = self._from_timestamp_string(timestamp=text) if isinstance(text, str) else None
        if parsed is None:
            raise invalid_timestamp(self, env, str(text))
        return utc_wait_seconds(parsed, clock_of(env))

    timestamp.Timestamp._get_wait_seconds = _get_wait_seconds  # type: ignore[method-assign]

    # Retry back-offs: retrier_decl calls time.sleep(interval); route it to the execution's clock.
    original_retrier = retrier_decl.RetrierDecl._eval_body

    def _retrier_eval_body(self: Any, env: Any) -> None:
        _retry_env.env = env
        try:
            original_retrier(self, env)
        finally:
            _retry_env.env = None

    retrier_decl.RetrierDecl._eval_body = _retrier_eval_body  # type: ignore[method-assign]
    retrier_decl.time = _RetryTime  # type: ignore[assignment]

    # History timestamps: stamp each event with the clock of the flow (context) it belongs to.
    original_add_event = EventManager.add_event

    def add_event(self: Any, context: Any, event_type: Any, event_details: Any = None, timestamp: Any = None,
                  update_source_event_id: bool = True) -> int:
        ended: dict[str, Any] | None = getattr(self, _TIMED_OUT_ATTR, None)
        if ended is not None:
            with _ending_lock:
                if event_type != "ExecutionTimedOut" or ended["written"]:
                    return int(context.last_published_event_id)
                ended["written"] = True
            timestamp = ended["at"]
        clock: VirtualClock | None = getattr(context, _CLOCK_ATTR, None)
        _stamping.clock = clock
        if timestamp is None and clock is not None:
            timestamp = clock.now()
        return int(original_add_event(self, context, event_type, event_details=event_details, timestamp=timestamp,
                                      update_source_event_id=update_source_event_id))

    EventManager.add_event = add_event  # type: ignore[method-assign]
    state_module.datetime = _StateDatetime  # type: ignore[assignment]

    # Fork a flow's clock into each frame (Parallel branch, Map iteration, task attempt) ...
    original_inner_frame = Environment.as_inner_frame_of.__func__  # type: ignore[attr-defined]

    def as_inner_frame_of(cls: Any, env: Any, variable_store: Any, event_history_frame_cache: Any = None) -> Any:
        frame = original_inner_frame(cls, env, variable_store, event_history_frame_cache)
        parent = clock_of(env)
        if parent is not None and frame.event_history_context is not env.event_history_context:
            attach_clock(frame, parent.fork())
            virtual_timeouts.inherit(env, frame)
        return frame

    Environment.as_inner_frame_of = classmethod(as_inner_frame_of)  # type: ignore[method-assign,assignment]

    # ... and join it back when the frame closes.
    original_integrate = EventHistoryContext.integrate

    def integrate(self: Any, other: Any) -> None:
        original_integrate(self, other)
        mine, theirs = getattr(self, _CLOCK_ATTR, None), getattr(other, _CLOCK_ATTR, None)
        if mine is not None and theirs is not None and mine is not theirs:
            mine.join(theirs)

    EventHistoryContext.integrate = integrate  # type: ignore[method-assign]

    # The execution's stop date (DescribeExecution, ListExecutions).
    original_reflect = BaseExecutionWorkerCommunication._reflect_execution_status

    def _reflect_execution_status(self: Any) -> None:
        original_reflect(self)
        env = self.execution.exec_worker.env if self.execution.exec_worker else None
        clock = clock_of(env)
        if env is not None and clock is not None:
            self.execution.stop_date = ended_at(env) or clock.now()

    BaseExecutionWorkerCommunication._reflect_execution_status = _reflect_execution_status  # type: ignore[method-assign]

    virtual_timeouts.install()
