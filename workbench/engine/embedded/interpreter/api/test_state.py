"""TestState: one state run in isolation, as AWS's TestState API does it.

AWS: https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html and
https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html. moto 5.2.5 ships LocalStack's
TestState parser (``TestStateAmazonStateLanguageParser``: a single state, inspection-data hooks on InputPath,
Parameters, the result, ResultSelector and ResultPath) and ``TestStateEnvironment`` but no HTTP handler, and its
``TestStateExecution`` fails on a state with ``Next`` (``ProgramRunning`` at the end is "unsupported"). Here a
new ``StepFunctionResponse.test_state`` drives those classes directly:

* ``definition`` is one state; with ``stateName`` it is a whole machine and that state is tested (it inherits
  the machine's ``QueryLanguage``); a whole machine without ``stateName`` tests its ``StartAt`` state.
  Supported types are moto's: Task, Pass, Wait, Choice, Succeed, Fail (others: ``InvalidDefinition``).
* ``status``: SUCCEEDED (``nextState`` = ``Next`` or the chosen Choice branch), FAILED, CAUGHT_ERROR (a Catch
  matched: ``output`` is the catcher's, ``nextState`` its ``Next``), RETRIABLE (a Retrier matches and has
  attempts left, counting ``stateConfiguration.retrierRetryCount``, default 0; nothing is retried, as on AWS).
* ``inspectionLevel`` DEBUG adds ``inspectionData`` (what moto records: ``input``, ``afterInputPath``,
  ``afterParameters``, ``result``, ``afterResultSelector``, ``afterResultPath``; plus ``variables`` and
  ``errorDetails`` {catchIndex | retryIndex, retryBackoffIntervalSeconds}). TRACE is DEBUG: the engine has no
  HTTP Task (``arn:aws:states:::http:invoke``), so there is no request/response to show and ``revealSecrets``
  changes nothing.
* ``mock`` (Task states only, as on AWS): ``result`` replaces the call's result; ``errorOutput`` makes the call
  fail with that error and cause. ``fieldValidationMode`` is not checked. ``context`` (JSON) is merged into
  ``$$`` per top-level key; ``variables`` (JSON object) are set before the state runs.
* Lambda Tasks call the engine's tools; a Wait takes no real time (the state runs on a virtual clock).
"""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from workbench.engine.embedded.interpreter import bindings, timewarp
from workbench.engine.embedded.interpreter.api.errors import aws_error
from workbench.engine.embedded.interpreter.fidelity import event_details

_TASK_TYPES = {"Task"}
_SUPPORTED_TYPES = {"Task", "Pass", "Wait", "Choice", "Succeed", "Fail"}  # moto's TestStateStaticAnalyser
_DEFAULT_ROLE = "arn:aws:iam::{account}:role/TestStateRole"


def _json_param(text: str | None, member: str, default: Any, code: str = "InvalidExecutionInput") -> Any:
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError as exc:
        raise aws_error(code, f"Invalid {member}: '{exc}'") from None


def select_state(definition: str, state_name: str | None) -> tuple[str, dict[str, Any]]:
    """The state to test, as JSON text and as a dict (a whole machine gives its ``stateName`` or ``StartAt``).

    Example:
        >>> select_state('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}', None)[1]
        {'Type': 'Pass', 'End': True}
    """
    document = _json_param(definition, "definition", None, "InvalidDefinition")
    if not isinstance(document, dict):
        raise aws_error("InvalidDefinition", "Invalid State Definition: the definition is not a JSON object")
    if isinstance(document.get("States"), dict):
        name = state_name or document.get("StartAt")
        state = document["States"].get(name)
        if not isinstance(state, dict):
            raise aws_error("ValidationException", "State not found in definition")
        if "QueryLanguage" in document and "QueryLanguage" not in state:
            state = {**state, "QueryLanguage": document["QueryLanguage"]}
        document = state
    return json.dumps(document), document


@dataclass
class _Outcome:
    """What the state's Retry/Catch hooks saw (the environment only knows FAILED)."""

    status: str | None = None
    error: str | None = None
    cause: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _error_cause(failure_event: Any) -> tuple[str, str]:
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState

    value = ExecutionState._construct_error_output_value(failure_event)
    return str(value.get("Error", "")), str(value.get("Cause", ""))


def _hook_retry_and_catch(state: Any, outcome: _Outcome, retry_count: int) -> None:
    """Replace ``ExecutionState._handle_retry`` / ``_handle_catch`` on this state: report, never retry."""
    from moto.stepfunctions.parser.asl.component.common.catch.catch_outcome import CatchOutcome
    from moto.stepfunctions.parser.asl.component.common.catch.catcher_outcome import CatcherOutcomeCaught
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
    from moto.stepfunctions.parser.asl.component.common.retry.retry_outcome import RetryOutcome

    def handle_retry(env: Any, failure_event: Any) -> Any:
        for index, retrier in enumerate(state.retry.retriers):
            env.stack.append(failure_event.error_name)
            retrier.error_equals.eval(env)
            if not env.stack.pop():
                continue
            if retry_count >= retrier.max_attempts.attempts:
                return RetryOutcome.CannotRetry
            interval = retrier.interval_seconds.seconds * retrier.backoff_rate.rate ** retry_count
            max_delay = getattr(retrier.max_delay_seconds, "max_delays_seconds", None)
            if max_delay:
                interval = min(interval, max_delay)
            outcome.status = "RETRIABLE"
            outcome.details = {"retryIndex": index, "retryBackoffIntervalSeconds": int(interval)}
            raise FailureEventException(failure_event=failure_event)
        return RetryOutcome.NoRetrier

    def handle_catch(env: Any, failure_event: Any) -> None:
        env.stack.append(failure_event)
        for index, catcher in enumerate(state.catch.catchers):
            catcher.eval(env)
            if isinstance(env.stack.pop(), CatcherOutcomeCaught):
                outcome.status = "CAUGHT_ERROR"
                outcome.error, outcome.cause = _error_cause(failure_event)
                outcome.details = {"catchIndex": index}
                env.stack.append(CatchOutcome.Caught)
                return
        env.stack.append(CatchOutcome.NotCaught)

    if getattr(state, "retry", None) is not None:
        state._handle_retry = handle_retry
    if getattr(state, "catch", None) is not None:
        state._handle_catch = handle_catch


def _mock_task(state: Any, mock: dict[str, Any]) -> None:
    """Replace the Task's ``_eval_execution`` (the call) with the mocked result or error, as AWS's ``mock``."""
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    failure = mock.get("errorOutput")
    result = _json_param(mock.get("result"), "mock result", None, "ValidationException")

    def _eval_execution(env: Any) -> None:
        if getattr(state, "parargs", None) is not None:  # AWS evaluates Parameters/Arguments even when mocked
            state.parargs.eval(env=env)
            env.stack.pop()
        if failure is not None:
            error, cause = str(failure.get("error", "")), str(failure.get("cause", ""))
            raise FailureEventException(failure_event=FailureEvent(
                env=env, error_name=CustomErrorName(error), event_type=HistoryEventType.TaskFailed,
                event_details=event_details(taskFailedEventDetails=TaskFailedEventDetails(error=error, cause=cause))))
        env.stack.append(json.loads(json.dumps(result)))
        env.inspection_data["result"] = to_json_str(result)

    state._eval_execution = _eval_execution


def run_test_state(params: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    """Run one TestState request (the API's camelCase members) and return the TestStateOutput."""
    from moto.stepfunctions.parser.api import StateMachineType
    from moto.stepfunctions.parser.asl.eval.evaluation_details import AWSExecutionDetails
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventHistoryContext
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramError, ProgramRunning
    from moto.stepfunctions.parser.asl.eval.states import ContextObjectData, ExecutionData, StateMachineData
    from moto.stepfunctions.parser.asl.eval.test_state.environment import TestStateEnvironment
    from moto.stepfunctions.parser.asl.eval.test_state.program_state import ProgramChoiceSelected
    from moto.stepfunctions.parser.asl.parse.test_state.asl_parser import TestStateAmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.static_analyser.test_state.test_state_analyser import TestStateStaticAnalyser
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    text, state_json = select_state(str(params.get("definition") or ""), params.get("stateName"))
    if state_json.get("Type") not in _SUPPORTED_TYPES:
        supported = ", ".join(sorted(_SUPPORTED_TYPES))
        raise aws_error("InvalidDefinition", f"TestState on the embedded engine (moto) supports {supported} "
                                             f"states, not '{state_json.get('Type')}'; test it on AWS")
    mock = params.get("mock") or None
    if mock is not None and state_json.get("Type") not in _TASK_TYPES:
        raise aws_error("ValidationException",
                        f"State type '{state_json.get('Type')}' is not supported when a mock is specified")
    state_input = _json_param(params.get("input"), "input", {})
    variables = _json_param(params.get("variables"), "variables", {}, "ValidationException")
    context = _json_param(params.get("context"), "context", {}, "ValidationException")
    if not isinstance(variables, dict) or not isinstance(context, dict):
        raise aws_error("ValidationException", "variables and context must be JSON objects")
    try:
        with bindings.PARSE_LOCK:
            TestStateStaticAnalyser().analyse(text)
            program, _ = TestStateAmazonStateLanguageParser.parse(text)
    except Exception as exc:
        raise aws_error("InvalidDefinition", f"Invalid State Machine Definition: '{exc}'") from None

    name = f"TestState-{uuid.uuid4().hex[:12]}"
    role_arn = params.get("roleArn") or _DEFAULT_ROLE.format(account=account)
    machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{name}"
    exec_arn = f"arn:aws:states:{region}:{account}:execution:{name}:{uuid.uuid4()}"
    bindings.bind_execution(exec_arn)  # the engine's tools answer its Lambda Tasks
    started = _dt.datetime.now(_dt.UTC).isoformat()
    data = ContextObjectData(  # type: ignore[typeddict-item]
        Execution=ExecutionData(Id=exec_arn, Input=state_input, Name=name, RoleArn=role_arn, StartTime=started),
        StateMachine=StateMachineData(Id=machine_arn, Name=name))
    data["Execution"]["RedriveCount"] = 0  # type: ignore[typeddict-unknown-key]
    for key, value in context.items():
        current = data.get(key)
        data[key] = {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value  # type: ignore[literal-required]
    env = TestStateEnvironment(
        aws_execution_details=AWSExecutionDetails(account=account, region=region, role_arn=role_arn),
        execution_type=StateMachineType.STANDARD, context=data,
        event_history_context=EventHistoryContext.of_program_start(), activity_store={})
    timewarp.attach_clock(env, timewarp.VirtualClock())
    for variable, value in variables.items():
        env.variable_store.set(variable, value)
    env.variable_store.reset_tracing()

    outcome = _Outcome()
    state = program.test_state  # type: ignore[attr-defined]  # a TestStateProgram
    config = params.get("stateConfiguration") or {}
    _hook_retry_and_catch(state, outcome, int(config.get("retrierRetryCount") or 0))
    if mock is not None:
        _mock_task(state, mock)
    program.eval(env)

    final = env.program_state()
    output: dict[str, Any] = {}
    if isinstance(final, ProgramError):
        error = final.error or {}
        output.update(status=outcome.status or "FAILED", error=error.get("error"), cause=error.get("cause"))
    else:
        output.update(status=outcome.status or "SUCCEEDED",
                      output=to_json_str(env.states.get_input(), separators=(",", ":")))
        if outcome.status == "CAUGHT_ERROR":
            output.update(error=outcome.error, cause=outcome.cause)
        if isinstance(final, ProgramChoiceSelected):
            output["nextState"] = final.next_state_name
        elif isinstance(final, ProgramRunning):
            output["nextState"] = env.next_state_name
    if params.get("inspectionLevel") in ("DEBUG", "TRACE"):
        inspection = dict(env.inspection_data)
        inspection["variables"] = to_json_str(env.variable_store._inner_scope, separators=(",", ":"))
        if outcome.details:
            inspection["errorDetails"] = outcome.details
        output["inspectionData"] = inspection
    return {key: value for key, value in output.items() if value is not None}


def install() -> None:
    """Add ``StepFunctionResponse.test_state`` (moto has none)."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def test_state(self: Any) -> Any:
        params = {name: self._get_param(name) for name in (
            "definition", "roleArn", "input", "inspectionLevel", "revealSecrets", "variables", "stateName",
            "mock", "context", "stateConfiguration")}
        return ActionResult(run_test_state(params, self.current_account, self.region))

    StepFunctionResponse.test_state = test_state  # type: ignore[attr-defined]
