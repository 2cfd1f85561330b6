"""Fixes that make moto's execution histories read like AWS's (found by the recorded-history suite).

Each fix names the divergence; ``tests/engine/test_fidelity.py`` replays histories recorded on AWS and
``tests/engine/test_embedded*.py`` test each fix directly.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

_ABORTED_BY_ENTERED = {
    "TaskStateEntered": "TaskStateAborted",
    "MapStateEntered": "MapStateAborted",
    "ParallelStateEntered": "ParallelStateAborted",
    "WaitStateEntered": "WaitStateAborted",
}
_STATE_ATTR = "_workbench_state"
_CLOSED_ATTR = "_workbench_closed"
_SECTION_ATTR = "_workbench_section"
_WORKERS_ATTR = "_workbench_workers"
_RUNNING_ATTR = "_workbench_running"


def event_details(**details: Any) -> Any:
    """moto's ``EventDetails`` (a TypedDict, so a plain dict at run time) without its long key list."""
    return dict(details)


def invalid_timestamp_failure(wait_function: Any, env: Any, text: str) -> Exception:
    """The failure for a Wait Timestamp that is not an ISO-8601 UTC timestamp.

    moto reports a JSONata-computed timestamp like a JSONPath one (``States.Runtime``, no
    ``EvaluationFailed`` event); AWS fails a JSONata field with ``States.QueryEvaluationError``.
    """
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.string.string_expression import StringJSONata

    if not isinstance(wait_function.string, StringJSONata):
        return FailureEventException(wait_function._create_failure_event(env, text))
    cause = (f"The JSONata expression '{wait_function.string.expression}' specified for the field 'Timestamp' "
             f"returned an invalid timestamp: {text!r} is not an ISO-8601 extended offset date-time format string.")
    return query_evaluation_failure(env, cause, location="Timestamp")


def query_evaluation_failure(env: Any, cause: str, location: str | None = None) -> Exception:
    """Record an ``EvaluationFailed`` event (``States.QueryEvaluationError``) and return the failure to raise.

    AWS fails a JSONata field this way, with the event before the state's failure; moto has no such path.
    """
    from moto.stepfunctions.parser.api import EvaluationFailedEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )

    error = StatesErrorNameType.StatesQueryEvaluationError
    details = EvaluationFailedEventDetails(error=error.to_name(), cause=cause)
    if location is not None:
        details["location"] = location
    failure = FailureEventException(
        FailureEvent(
            env=env,
            error_name=StatesErrorName(typ=error),
            event_type=HistoryEventType.EvaluationFailed,
            event_details=event_details(evaluationFailedEventDetails=details),
        )
    )
    env.event_manager.add_event(
        context=env.event_history_context,
        event_type=HistoryEventType.EvaluationFailed,
        event_details=event_details(evaluationFailedEventDetails=failure.get_evaluation_failed_event_details()),
    )
    return failure


def any_error_name(error_name: str | None) -> Any:
    """An ErrorName for any name: moto's ``CustomErrorName`` refuses ``States.*`` names.

    moto wraps the error of a failed Map iteration or Parallel branch in ``CustomErrorName``, which raises
    ``ValueError`` for ``States.Timeout`` & co; the ValueError then surfaced as ``States.Runtime``
    ("Custom Error Names MUST NOT begin with the prefix 'States.'") instead of the real error.
    """
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName

    if error_name is not None and error_name.startswith("States."):
        try:
            return StatesErrorName.from_name(error_name)
        except Exception:
            name = CustomErrorName.__new__(CustomErrorName)
            ErrorName.__init__(name, error_name=error_name)
            return name
    return CustomErrorName(error_name)


def _section(manager: Any) -> threading.RLock:
    """Per-execution lock that makes "abort siblings, emit their events, silence them" atomic."""
    lock: threading.RLock | None = getattr(manager, _SECTION_ATTR, None)
    if lock is None:
        lock = manager.__dict__.setdefault(_SECTION_ATTR, threading.RLock())
    return lock


def _close(env: Any) -> None:
    """Silence an aborted frame and every frame below it (their late events are dropped)."""
    setattr(env.event_history_context, _CLOSED_ATTR, True)
    for frame in list(getattr(env, "_frames", [])):
        _close(frame)


def _aborted_type(state: Any, only_tasks: bool) -> Any:
    entered = str(getattr(state, "state_entered_event_type", ""))
    aborted = _ABORTED_BY_ENTERED.get(entered.rsplit(".", 1)[-1])
    if aborted is None or (only_tasks and aborted != "TaskStateAborted"):
        return None
    from moto.stepfunctions.parser.api import HistoryEventType

    return HistoryEventType(aborted)


def _emit_state_aborted(env: Any, only_tasks: bool) -> None:
    event_type = _aborted_type(getattr(env, _STATE_ATTR, None), only_tasks)
    if event_type is not None:
        env.event_manager.add_event(context=env.event_history_context, event_type=event_type,
                                    update_source_event_id=False)


def _abort(env: Any, before: Any = None) -> None:
    """AWS ends a sibling that was still running with ``<State>Aborted`` events; then it is silent."""
    with _section(env.event_manager):
        if getattr(env.event_history_context, _CLOSED_ATTR, False) or not env.is_running():
            return
        if before is not None:
            before()
        _emit_state_aborted(env, only_tasks=False)
        _close(env)
        env.set_stop(stop_date=datetime.datetime.now(datetime.UTC), cause=None, error=None)


def value_text(value: Any) -> str:
    """A value as AWS quotes it in a message: JSON text (moto printed its Python type, ``<class 'int'>``).

    Example:
        >>> value_text(1), value_text({"a": None}), value_text(object).startswith("<class")
        ('1', '{"a":null}', True)
    """
    import json

    try:
        return json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError):
        return str(type(value))


class _ValueType:
    """Stands for ``type(value)`` in moto's Map message: prints the value as JSON (see :func:`value_text`)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return value_text(self.value)

    __repr__ = __str__


def _install_api_fixes() -> None:
    """Fields moto's Step Functions HTTP layer drops or invents (found by the fidelity suite's output checks)."""
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.stepfunctions.responses import StepFunctionResponse

    # SendTaskFailure: moto passes only the error on, so an activity's or callback's cause was lost.
    def send_task_failure(self: Any) -> Any:
        self.stepfunction_backend.send_task_failure(self._get_param("taskToken"), error=self._get_param("error"),
                                                    cause=self._get_param("cause"))
        return ActionResult({})

    StepFunctionResponse.send_task_failure = send_task_failure  # type: ignore[method-assign]

    # StopExecution: moto ignores error and cause and aborts with "" for both; AWS records what was given
    # and leaves out what was not.
    def stop_execution(self: Any) -> Any:
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        execution.stop(stop_date=utcnow(), error=self._get_param("error"), cause=self._get_param("cause"))
        return ActionResult({"stopDate": execution.stop_date})

    StepFunctionResponse.stop_execution = stop_execution  # type: ignore[method-assign]

    # DescribeExecution: AWS says whether the input is included (inputDetails); a startExecution.sync
    # failure's cause is this very document, so it showed in the parent's history too.
    original_describe = StepFunctionResponse.describe_execution

    def describe_execution(self: Any) -> Any:
        result = original_describe(self)
        response: dict[str, Any] = dict(result.result)  # type: ignore[call-overload]
        response.setdefault("inputDetails", {"included": True})
        return ActionResult(response)

    StepFunctionResponse.describe_execution = describe_execution  # type: ignore[method-assign]


_REDRIVE_MEMBERS = ("redriveCount", "redriveDate", "redriveStatus", "redriveStatusReason")


def _install_sync_child_description() -> None:
    """``states:startExecution.sync``: the child's description without DescribeExecution's redrive members.

    The output (success) and cause (failure) of a ``.sync`` task are the child's DescribeExecution. AWS's
    recorded ones (``test_callback__test_start_execution_sync_delegate_failure`` and ``..._timeout``) hold no
    RedriveCount/RedriveStatus, which the engine's DescribeExecution now returns like AWS's API does.
    """
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
        StateTaskServiceSfn,
    )

    original = StateTaskServiceSfn._normalise_response

    def _normalise_response(self: Any, response: Any, boto_service_name: Any = None,
                            service_action_name: Any = None) -> None:
        if service_action_name == "describe_execution" and isinstance(response, dict):
            for member in _REDRIVE_MEMBERS:
                response.pop(member, None)
        original(self, response=response, boto_service_name=boto_service_name,
                 service_action_name=service_action_name)

    StateTaskServiceSfn._normalise_response = _normalise_response  # type: ignore[method-assign]


def _install_size_quota() -> None:
    """The 256 KiB state data quota measured as AWS does: compact JSON, and exactly 262,144 bytes still fits.

    moto's ``quotas.is_within_size_quota`` serialises with ``json.dumps``' default separators (a space after every
    comma and colon) and compares with ``<``: a compact 200,001-byte array failed a Pass state with
    ``States.DataLimitExceeded``, and so did an input of exactly 256 KiB that StartExecution itself accepts.
    Modules that imported the function by name are rebound too.
    """
    import sys

    from moto.stepfunctions.parser import quotas
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    original = quotas.is_within_size_quota

    def is_within_size_quota(value: Any) -> bool:
        text = value if isinstance(value, str) else to_json_str(value, separators=(",", ":"))
        return len(text.encode("utf-8")) <= quotas.MAX_STATE_SIZE_UTF8_BYTES

    quotas.is_within_size_quota = is_within_size_quota
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.stepfunctions.parser") and getattr(module, "is_within_size_quota", None) is original:
            module.is_within_size_quota = is_within_size_quota  # type: ignore[attr-defined]


def install() -> None:
    """Apply the history-fidelity fixes (called once by ``patches.install``)."""
    from moto.stepfunctions.parser.api import HistoryEventType, MapIterationEventDetails
    from moto.stepfunctions.parser.asl.component.state import state as state_module
    from moto.stepfunctions.parser.asl.component.state.exec.state_map import state_map
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import (
        iteration_worker,
        job,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branch_worker, branches_decl
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel.state_parallel import StateParallel
    from moto.stepfunctions.parser.asl.eval.callback.callback import ActivityTaskStartEndpoint
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramError

    _install_api_fixes()
    _install_sync_child_description()
    _install_size_quota()
    # "Map state input must be an array but was: 1" (the value); moto wrote type(value), i.e. <class 'int'>.
    vars(state_map)["type"] = _ValueType
    # An Activity task no worker started before its TimeoutSeconds: when moto's wait for the start returned
    # first (a race with the state's own timeout), reading the never-set outcome raised AttributeError and
    # the state failed with States.Runtime instead of ActivityTimedOut / States.Timeout.
    ActivityTaskStartEndpoint._outcome = None  # type: ignore[misc]

    # A caught Parallel failure whose branch error had no error or cause: AWS's error output holds null
    # for them ({"Error": null, "Cause": null}); moto filled in "".
    original_error_output = StateParallel._construct_error_output_value

    def _parallel_error_output(failure_event: Any) -> Any:
        output = original_error_output(failure_event)
        details = (failure_event.event_details or {}).get("executionFailedEventDetails")
        if details is not None:
            output.update({key.capitalize(): details.get(key) for key in ("error", "cause") if key not in details})
        return output

    StateParallel._construct_error_output_value = staticmethod(_parallel_error_output)  # type: ignore[method-assign]

    # States.* errors of Map iterations and Parallel branches keep their name (see any_error_name).
    for module in (iteration_worker, branches_decl):
        vars(module)["CustomErrorName"] = any_error_name

    # Remember which state each frame is evaluating (the failing or interrupted state of a branch).
    original_state_body = state_module.CommonStateField._eval_body

    def _state_eval_body(self: Any, env: Any) -> None:
        setattr(env, _STATE_ATTR, self)
        original_state_body(self, env)

    state_module.CommonStateField._eval_body = _state_eval_body  # type: ignore[method-assign]

    # Events of an aborted (closed) frame are dropped: moto lets interrupted siblings keep writing events
    # after the Map/Parallel (even the execution) has failed.
    original_add_event = EventManager.add_event

    def add_event(self: Any, context: Any, *args: Any, **kwargs: Any) -> int:
        with _section(self):
            if getattr(context, _CLOSED_ATTR, False):
                return int(context.last_published_event_id)
            return int(original_add_event(self, context, *args, **kwargs))

    EventManager.add_event = add_event  # type: ignore[method-assign]

    # Map: a Task that fails its iteration is followed by TaskStateAborted (after MapIterationFailed), and
    # the first failed iteration aborts the running siblings: MapIterationAborted + <State>Aborted each.
    original_eval_job = iteration_worker.IterationWorker._eval_job

    def _eval_job(self: Any, env: Any, job: Any) -> None:
        running: dict[int, Any] = self._job_pool.__dict__.setdefault(_RUNNING_ATTR, {})
        running[job.job_index] = (env, self._work_name)
        try:
            original_eval_job(self, env, job)
        finally:
            running.pop(job.job_index, None)
        failure = getattr(getattr(job.job_output, "failure_event", None), "event_type", None)
        if failure == HistoryEventType.MapIterationFailed and not getattr(
                env.event_history_context, _CLOSED_ATTR, False):
            _emit_state_aborted(env, only_tasks=True)

    iteration_worker.IterationWorker._eval_job = _eval_job  # type: ignore[method-assign]

    original_close_job = job.JobPool.close_job

    def close_job(self: Any, closing: Any) -> None:
        failure = getattr(getattr(closing.job_output, "failure_event", None), "event_type", None)
        if failure == HistoryEventType.MapIterationFailed and self._worker_exception is None:
            running: dict[int, Any] = dict(getattr(self, _RUNNING_ATTR, {}))
            for index in sorted(running):
                if index == closing.job_index:
                    continue
                env, name = running[index]

                def iteration_aborted(env: Any = env, index: int = index, name: str = name) -> None:
                    env.event_manager.add_event(
                        context=env.event_history_context,
                        event_type=HistoryEventType.MapIterationAborted,
                        event_details=event_details(
                            mapIterationAbortedEventDetails=MapIterationEventDetails(name=name, index=index)
                        ),
                        update_source_event_id=False,
                    )

                _abort(env, before=iteration_aborted)
        original_close_job(self, closing)

    job.JobPool.close_job = close_job  # type: ignore[method-assign,assignment]

    # Parallel: a Task that fails its branch is followed by TaskStateAborted (before ParallelStateFailed),
    # and the running sibling branches end with <State>Aborted.
    original_worker_init = branch_worker.BranchWorker.__init__

    def _worker_init(self: Any, branch_worker_comm: Any, program: Any, env: Any) -> None:
        original_worker_init(self, branch_worker_comm=branch_worker_comm, program=program, env=env)
        branch_worker_comm.__dict__.setdefault(_WORKERS_ATTR, []).append(self)

    branch_worker.BranchWorker.__init__ = _worker_init  # type: ignore[method-assign]

    original_on_terminated = branches_decl.BranchWorkerPool.on_terminated

    def on_terminated(self: Any, env: Any) -> None:
        if isinstance(env.program_state(), ProgramError) and not self._termination_event.is_set():
            with _section(env.event_manager):
                if not getattr(env.event_history_context, _CLOSED_ATTR, False):
                    _emit_state_aborted(env, only_tasks=True)
                for worker in getattr(self, _WORKERS_ATTR, []):
                    if worker.env is not env:
                        _abort(worker.env)
        original_on_terminated(self, env)

    branches_decl.BranchWorkerPool.on_terminated = on_terminated  # type: ignore[method-assign]
