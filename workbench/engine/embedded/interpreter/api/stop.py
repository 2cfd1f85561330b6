"""StopExecution as AWS does it: at once, ABORTED, with the given error and cause, and the *Aborted events.

moto 5.2.5 only flips the interpreter's program state (``Execution.stop``): a Task waiting for an
activity worker or a task token never noticed, so the execution stayed RUNNING; when it did end, the
interrupted state's late failure turned it FAILED; ``stopDate`` stayed empty. AWS's StopExecution is
synchronous: the execution is ABORTED when the call returns, DescribeExecution shows ``error``/``cause``
and ``stopDate``, and the history ends with ``ExecutionAborted`` (previousEventId 0, details as given).

Events written on stop (the recorded AWS stop during a Wait has none but ExecutionAborted; AWS's aborts
of running siblings write ``MapIterationAborted`` + ``<State>Aborted``): each running Map iteration gets
``MapIterationAborted``, each running Task, Map or Parallel its ``TaskStateAborted`` /
``MapStateAborted`` / ``ParallelStateAborted`` (inner flows first), then ``ExecutionAborted``. A Wait
writes no event. Everything the interrupted threads write afterwards is dropped.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from workbench.engine.embedded.interpreter import timewarp
from workbench.engine.embedded.interpreter.fidelity import _section

_STOPPED = "_workbench_stopped"  # on an EventManager: (execution, worker) whose history ExecutionAborted closed
_STOP = "_workbench_stop"  # on an Execution: (worker, stopDate, error, cause) StopExecution recorded
_STATE = "_workbench_state"  # fidelity.py: the state a flow (Environment) is evaluating
_ABORTED = {"TaskStateEntered": "TaskStateAborted", "MapStateEntered": "MapStateAborted",
            "ParallelStateEntered": "ParallelStateAborted"}
_ENV_WAIT_SECONDS = 5.0  # a just-started execution builds its Environment on its own thread


def install() -> None:
    """Apply the StopExecution adaptations (called once by ``api.install``)."""
    _install_event_gate()
    _install_final_state()
    _install_stop()


def _install_event_gate() -> None:
    """Wrap ``EventManager.add_event``: once ExecutionAborted is written, later events are dropped."""
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager

    original_add_event = EventManager.add_event

    def add_event(self: Any, context: Any, *args: Any, **kwargs: Any) -> int:
        if _closed(self):
            return int(context.last_published_event_id)
        return int(original_add_event(self, context, *args, **kwargs))

    EventManager.add_event = add_event  # type: ignore[method-assign]


def _closed(manager: Any) -> bool:
    """Whether a stop closed this history (a redrive runs a new worker on the same history: open again)."""
    stopped = getattr(manager, _STOPPED, None)
    return stopped is not None and stopped[0].exec_worker is stopped[1]


def _install_final_state() -> None:
    """A stopped execution stays ABORTED (wraps ``Environment.set_error``/``set_timed_out`` and ``terminated``).

    moto's ``set_error`` replaces any program state, so the failure an interrupted Task raised on waking
    made the stopped execution FAILED; ``_reflect_execution_status`` then also moved its stopDate.
    """
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    for name in ("set_error", "set_timed_out"):
        original = getattr(Environment, name)

        def guarded(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> None:
            if not isinstance(self._program_state, ProgramStopped):
                _original(self, *args, **kwargs)

        setattr(Environment, name, guarded)

    original_terminated = BaseExecutionWorkerCommunication.terminated

    def terminated(self: Any) -> None:
        original_terminated(self)
        _restore(self.execution)

    BaseExecutionWorkerCommunication.terminated = terminated  # type: ignore[method-assign]


def _restore(execution: Any) -> None:
    from moto.stepfunctions.parser.api import ExecutionStatus

    recorded = getattr(execution, _STOP, None)
    if recorded is not None and recorded[0] is execution.exec_worker:  # not after a redrive
        execution.exec_status = ExecutionStatus.ABORTED
        execution.stop_date, execution.error, execution.cause = recorded[1:]


def _install_stop() -> None:
    """Replace ``parser.backend.execution.Execution.stop`` with AWS's synchronous stop."""
    from moto.stepfunctions.parser.api import ExecutionStatus
    from moto.stepfunctions.parser.backend.execution import Execution

    def stop(self: Any, stop_date: datetime.datetime, error: str | None, cause: str | None) -> None:
        env = _environment(self)
        if env is None or self.exec_status != ExecutionStatus.RUNNING:
            return  # AWS: stopping a finished execution changes nothing
        with _section(env.event_manager):
            if not env.is_running() or _closed(env.event_manager):
                return
            clock = timewarp.clock_of(env)
            now = clock.now() if clock is not None else stop_date.astimezone(datetime.UTC)
            _abort_flow(env)
            _execution_aborted(env, now, error, cause)
            setattr(env.event_manager, _STOPPED, (self, self.exec_worker))
            setattr(self, _STOP, (self.exec_worker, now, error, cause))
            env.set_stop(stop_date=now, cause=cause, error=error)
            _restore(self)
        _wake(env)

    Execution.stop = stop  # type: ignore[method-assign]


def _environment(execution: Any) -> Any:
    """The execution's interpreter Environment (waits briefly for one started a moment ago)."""
    deadline = time.monotonic() + _ENV_WAIT_SECONDS
    while True:
        worker = execution.exec_worker
        env = worker.env if worker is not None else None
        if env is not None or time.monotonic() > deadline or execution.exec_status is None:
            return env
        time.sleep(0.005)


def _execution_aborted(env: Any, now: datetime.datetime, error: str | None, cause: str | None) -> None:
    from moto.stepfunctions.parser.api import HistoryEventType

    details = {key: value for key, value in (("error", error), ("cause", cause)) if value is not None}
    env.event_history_context.source_event_id = 0  # as moto's Program writes it, and AWS records it
    env.event_manager.add_event(context=env.event_history_context, event_type=HistoryEventType.ExecutionAborted,
                                event_details={"executionAbortedEventDetails": details}, timestamp=now)


def _abort_flow(env: Any) -> None:
    """Write the Aborted events of one flow: its running iterations or branches first, then its state."""
    from moto.stepfunctions.parser.api import HistoryEventType

    state = getattr(env, _STATE, None)
    entered = str(getattr(state, "state_entered_event_type", "")).rsplit(".", 1)[-1]
    aborted = _ABORTED.get(entered) if env._frames else None  # an execution state has frames while it runs
    for child in sorted(_child_flows(env), key=_iteration_index):
        if aborted == "MapStateAborted" and _iteration_index(child) >= 0:
            _emit(child, HistoryEventType.MapIterationAborted, {"mapIterationAbortedEventDetails": {
                "name": getattr(state, "name", ""), "index": _iteration_index(child)}})
        _abort_flow(child)
    if aborted is not None:
        _emit(env, HistoryEventType(aborted))


def _child_flows(env: Any) -> list[Any]:
    """The frames below ``env`` that evaluate states of their own (Map iterations, Parallel branches)."""
    flows: list[Any] = []
    pending = list(env._frames)
    while pending:
        frame = pending.pop(0)
        if getattr(frame, _STATE, None) is not None:
            flows.append(frame)
        else:
            pending.extend(frame._frames)
    return flows


def _iteration_index(env: Any) -> int:
    item = env.states.context_object.context_object_data.get("Map", {}).get("Item", {})
    index = item.get("Index") if isinstance(item, dict) else None
    return int(index) if isinstance(index, int) else -1


def _emit(env: Any, event_type: Any, details: dict[str, Any] | None = None) -> None:
    env.event_manager.add_event(context=env.event_history_context, event_type=event_type,
                                event_details=details, update_source_event_id=False)


def _wake(env: Any) -> None:
    """Release every thread blocked on a task token or an activity worker (moto never wakes them on stop)."""
    pool: dict[str, Any] = env.callback_pool_manager._pool
    for endpoint in list(pool.values()):
        endpoint.interrupt_all()
        start = getattr(endpoint, "_activity_task_start_endpoint", None)
        if start is not None:
            start._next_activity_task_start_event.set()
