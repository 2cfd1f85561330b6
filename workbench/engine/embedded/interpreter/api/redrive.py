"""RedriveExecution: restart a FAILED, TIMED_OUT or ABORTED Standard execution from the state that did not finish.

AWS (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html): a redrive continues the same
execution (same ARN and history): an ``ExecutionRedriven`` event (``redriveCount``) is appended, states that
succeeded are not run again, ``$$.Execution.RedriveCount`` is the count, and DescribeExecution shows
``redriveCount``, ``redriveDate`` and ``redriveStatus`` (``REDRIVABLE`` only when FAILED, TIMED_OUT or ABORTED;
otherwise ``NOT_REDRIVABLE`` with the reason "Execution is STATUS and cannot be redriven", which is also the
``ExecutionNotRedrivable`` message). moto 5.2.5 has no handler; LocalStack has none either.

What the engine does (a documented subset): the *top-level* state that was entered and never exited is run
again with the input it was entered with, on a new worker whose ``EventManager`` starts with the history so far
(so it continues with the next ids), then the machine goes on from there. Differences from AWS: a failed
Map or Parallel state is re-run whole (AWS re-runs only the unsuccessful iterations or branches, and
``REDRIVABLE_BY_MAP_RUN`` is never reported); the 14-day and 1,000-redrive limits and ``clientToken``
idempotency are not enforced; ListExecutions items carry no ``redriveCount``/``redriveDate``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import threading
from typing import Any

from workbench.engine.embedded.interpreter import bindings, timewarp
from workbench.engine.embedded.interpreter.api.errors import aws_error
from workbench.engine.embedded.interpreter.api.sync import is_express_arn
from workbench.engine.embedded.interpreter.fidelity import event_details

_COUNT = "_workbench_redrive_count"
_DATE = "_workbench_redrive_date"
_REDRIVABLE = ("FAILED", "TIMED_OUT", "ABORTED")
_lock = threading.Lock()


def not_redrivable_reason(status: str) -> str:
    """AWS's reason for an execution that cannot be redriven.

    Example:
        >>> not_redrivable_reason("SUCCEEDED")
        'Execution is SUCCEEDED and cannot be redriven'
    """
    return f"Execution is {status} and cannot be redriven"


def restart_point(definition: dict[str, Any], events: list[dict[str, Any]],
                  execution_input: Any) -> tuple[str, Any]:
    """The top-level state to run again and its input: the last one entered and not exited (else ``StartAt``).

    Example:
        >>> events = [{"type": "PassStateEntered", "stateEnteredEventDetails": {"name": "A", "input": "{}"}},
        ...           {"type": "PassStateExited", "stateExitedEventDetails": {"name": "A"}},
        ...           {"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "B", "input": "{\\"x\\": 1}"}}]
        >>> restart_point({"StartAt": "A", "States": {"A": {}, "B": {}}}, events, {})
        ('B', {'x': 1})
    """
    top_level = set(definition.get("States", {}))
    open_state: tuple[str, Any] | None = None
    for event in events:
        kind = str(event.get("type", ""))
        if kind.endswith("StateEntered"):
            details = event.get("stateEnteredEventDetails") or {}
            if details.get("name") in top_level:
                open_state = (str(details["name"]), json.loads(details.get("input") or "{}"))
        elif kind.endswith("StateExited") and open_state is not None and (
                (event.get("stateExitedEventDetails") or {}).get("name") == open_state[0]):
            open_state = None
    return open_state if open_state is not None else (str(definition["StartAt"]), execution_input)


def redrive(execution: Any) -> _dt.datetime:
    """Restart ``execution`` (moto's parser ``Execution``) from its unfinished state; returns the redrive date."""
    from moto.stepfunctions.parser.api import ExecutionStatus, HistoryEventType
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    with _lock:
        status = str(execution.status)
        old_worker = execution.exec_worker
        old_env = old_worker.env if old_worker is not None else None
        if status not in _REDRIVABLE or old_env is None:
            raise aws_error("ExecutionNotRedrivable", not_redrivable_reason(status))
        count = int(getattr(execution, _COUNT, 0)) + 1
        now = _dt.datetime.now(_dt.UTC)
        manager = old_env.event_manager
        with manager._mutex:
            events = list(manager._history_event_list)
        definition = json.loads(execution.state_machine.definition)
        state_name, state_input = restart_point(definition, events, execution.input_data)
        definition["StartAt"] = state_name

        old_binding = bindings.binding_of(execution.exec_arn)
        binding = bindings.bind_execution(execution.exec_arn, old_binding.mocks if old_binding else None)
        old_clock = timewarp.clock_of(old_env)
        if binding.clock is not None and old_clock is not None:
            binding.clock.join(old_clock)  # a warped history never goes back in time
        worker = execution._get_start_execution_worker()
        env = worker._get_evaluation_environment()
        # The history so far, continued with the next ids, in a manager of its own: the old worker of an ABORTED
        # execution may still be inside a Task and would otherwise append its late events to this history.
        env.event_manager._history_event_list.extend(events)
        env.event_manager._event_id_gen = copy.copy(manager._event_id_gen)
        old_worker._execution_communication.terminated = lambda: None  # nor may it set the status any more
        env.map_run_record_pool_manager = old_env.map_run_record_pool_manager
        env.states.reset(input_value=state_input)
        context = env.states.context_object.context_object_data["Execution"]
        context["RedriveCount"] = count
        context["RedriveTime"] = (binding.clock.now() if binding.clock else now).isoformat()
        env.event_history_context.source_event_id = events[-1]["id"] if events else 0
        worker.env = env
        worker._get_evaluation_entrypoint = lambda: AmazonStateLanguageParser.parse(json.dumps(definition))[0]

        def _execution_logic() -> None:
            """Replaces this worker's ``ExecutionWorker._execution_logic``: ExecutionRedriven, not ExecutionStarted."""
            program = worker._get_evaluation_entrypoint()
            env.event_manager.add_event(
                context=env.event_history_context, event_type=HistoryEventType.ExecutionRedriven,
                event_details=event_details(executionRedrivenEventDetails={"redriveCount": count}))
            program.eval(env)
            worker._execution_communication.terminated()

        worker._execution_logic = _execution_logic
        execution.exec_status = ExecutionStatus.RUNNING
        execution.stop_date = execution.error = execution.cause = execution.output = None
        execution.exec_worker = worker
        setattr(execution, _COUNT, count)
        setattr(execution, _DATE, now)
        worker.start()
        return now


def redrive_fields(execution: Any) -> dict[str, Any]:
    """The redrive members of DescribeExecution for one execution.

    Example:
        >>> import types
        >>> redrive_fields(types.SimpleNamespace(status="SUCCEEDED"))["redriveStatus"]
        'NOT_REDRIVABLE'
    """
    status = str(execution.status)
    fields: dict[str, Any] = {"redriveCount": int(getattr(execution, _COUNT, 0))}
    if getattr(execution, _DATE, None) is not None:
        fields["redriveDate"] = getattr(execution, _DATE)
    if status in _REDRIVABLE:
        fields["redriveStatus"] = "REDRIVABLE"
    else:
        fields.update(redriveStatus="NOT_REDRIVABLE", redriveStatusReason=not_redrivable_reason(status))
    return fields


def install() -> None:
    """Add ``StepFunctionResponse.redrive_execution``; wrap ``describe_execution`` with the redrive members."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def redrive_execution(self: Any) -> Any:
        arn = self._get_param("executionArn")
        if is_express_arn(arn):
            raise aws_error("ExecutionNotRedrivable", "Express executions cannot be redriven")
        execution = self.stepfunction_backend.describe_execution(arn)  # InvalidArn / ExecutionDoesNotExist
        return ActionResult({"redriveDate": redrive(execution)})

    StepFunctionResponse.redrive_execution = redrive_execution  # type: ignore[attr-defined]

    original_describe = StepFunctionResponse.describe_execution

    def describe_execution(self: Any) -> Any:
        result = original_describe(self)
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        return ActionResult({**result.result, **redrive_fields(execution)})  # type: ignore[dict-item]

    StepFunctionResponse.describe_execution = describe_execution  # type: ignore[method-assign]
