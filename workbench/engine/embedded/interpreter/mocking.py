"""Mocked responses inside the embedded engine, selected per execution like AWS Step Functions Local.

moto 5.2.5's interpreter already consults ``env.mock_test_case`` before every Task (Lambda, both forms,
and every service integration: aws-sdk, sqs, sns, dynamodb, ``.sync``, ``.waitForTaskToken``) but
nothing ever sets it, and its own lookup counts by ``RetryCount`` (a loop back to the state would reuse
answer 0). Here:

* ``StartExecution`` with ``stateMachineArn="...:stateMachine:Name#TestCase"`` (AWS's syntax) selects the
  test case from the mock configs loaded into the serving engine (newest first); an unknown test case,
  or one that mocks a state that is not a Task of the machine, is refused with HTTP 400 ``InvalidName``.
* The execution's binding keeps a :class:`MockRun`; the interpreter sees it as ``env.mock_test_case``.
* Each mocked invocation takes the next answer of its state: ``Return`` becomes the task result,
  ``Throw`` fails the task with a ``TaskFailed`` event carrying that Error/Cause (Retry/Catch match it);
  an invocation past the last key fails with ``States.Runtime`` naming the file, test case and key.
  The tool is not called.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.error
from collections.abc import Mapping
from typing import Any

from workbench.core.diagnostics import Diagnostic, DiagnosticError, Severity
from workbench.engine.embedded.endpoint.auth import EngineCredentials, http_error_message, signed_call
from workbench.engine.embedded.interpreter import bindings
from workbench.engine.embedded.interpreter.fidelity import event_details
from workbench.engine.tools.mocks import MockConfig, MockRun, check_test_case, load_mock_config

_pending = threading.local()


def pending() -> MockRun | None:
    """The test case chosen by the ``StartExecution`` being served on this thread (read by ``bind_execution``)."""
    return getattr(_pending, "run", None)


def select(engine: bindings.EngineState | None, state_machine: str, test_case: str,
           definition: dict[str, Any]) -> MockRun:
    """The run of ``test_case`` for ``state_machine`` from the engine's mock configs (newest first)."""
    configs = list(reversed(engine.mock_configs)) if engine is not None else []
    for config in configs:
        if config.has(state_machine, test_case):
            case = config.test_case(state_machine, test_case)
            check_test_case(case, definition)
            return MockRun(case)
    loaded = ", ".join(c.source for c in configs) or "none"
    raise DiagnosticError([Diagnostic(
        code="MOCK010", severity=Severity.ERROR, location=f"StateMachines.{state_machine}.TestCases.{test_case}",
        message=f"Invalid mock test case name '{test_case}' for state machine '{state_machine}': no loaded mock "
                f"config defines it (loaded: {loaded})",
        hint="load one with engine.load_mock_config(path), or pass mock_config=... to run_mission "
             "(--mock-config to `workbench run`)")])


def load_into(engine: bindings.EngineState, source: MockConfig | str | os.PathLike[str] | Mapping[str, Any],
              replace: bool = True) -> MockConfig:
    """Add a mock config to an engine; with ``replace`` one read from the same file replaces the earlier one."""
    config = source if isinstance(source, MockConfig) else load_mock_config(
        source if isinstance(source, Mapping) else str(source))
    same_file = replace and not config.source.startswith("<")
    engine.mock_configs[:] = [c for c in engine.mock_configs
                              if c is not config and not (same_file and c.source == config.source)]
    engine.mock_configs.append(config)
    return config


def serve_mock_config(engine: bindings.EngineState, environ: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``POST /workbench/mocks`` with ``{"source": name, "config": {...}}``: load a config sent by a client."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        if not isinstance(body, dict) or not isinstance(body.get("config"), dict):
            raise ValueError('expected {"source": "file name", "config": {"StateMachines": ..., '
                             '"MockedResponses": ...}}')
        config = load_mock_config(body["config"])
        source = str(body.get("source") or config.source)
        config = MockConfig(config.test_cases, config.responses, source, raw=config.raw)
    except (DiagnosticError, ValueError) as exc:
        return "400 Bad Request", {"message": str(exc)}
    load_into(engine, config)
    return "200 OK", {"loaded": source, "state_machines": sorted(config.test_cases)}


def register_remote_mock_config(endpoint_url: str, config: MockConfig,
                                credentials: EngineCredentials | None = None) -> None:
    """Load a mock config into an engine started elsewhere (``workbench engine serve``), signed.

    ``credentials`` default to the environment's (after ``source`` of the engine's ``--env-file``). Example:
        >>> register_remote_mock_config("http://127.0.0.1:4599", load_mock_config("mocks.json"))  # doctest: +SKIP
    """
    from workbench.engine.embedded.endpoint.server import EngineError
    from workbench.engine.embedded.endpoint.standalone import credentials_from_environment

    body = {"source": config.source, "config": dict(config.raw)}
    try:
        signed_call(credentials or credentials_from_environment(), "POST",
                    f"{endpoint_url.rstrip('/')}/workbench/mocks", body)
    except urllib.error.HTTPError as exc:
        raise EngineError(f"the engine at {endpoint_url} refused the mock config {config.source}: "
                          f"{http_error_message(exc)}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise EngineError(f"cannot reach an embedded engine at {endpoint_url} ({exc})") from exc


def install() -> None:
    """Wire ``#TestCase`` selection and per-execution answers into moto (called by ``patches.install``)."""
    from moto.stepfunctions.exceptions import InvalidName
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.mocking.mock_config import MockedResponseReturn
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original_start_execution: Any = StepFunctionsParserBackend.start_execution

    def start_execution(self: Any, state_machine_arn: str, name: str | None = None,
                        execution_input: Any = None, trace_header: Any = None) -> Any:
        arn, sep, test_case = state_machine_arn.partition("#")
        if not sep:
            return original_start_execution(self, state_machine_arn, name, execution_input, trace_header)
        state_machine = self.describe_state_machine(arn)
        try:
            run = select(bindings.serving_engine(), state_machine.name, test_case,
                         json.loads(state_machine.definition))
        except DiagnosticError as exc:
            raise InvalidName(str(exc)) from None
        _pending.run = run
        try:
            return original_start_execution(self, arn, name, execution_input, trace_header)
        finally:
            _pending.run = None

    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign]

    original_mocked_response = Environment.get_current_mocked_response

    def failure(env: Any, error_name: Any, error: str, cause: str | None) -> FailureEventException:
        details = TaskFailedEventDetails(error=error)
        if cause is not None:
            details["cause"] = cause
        return FailureEventException(FailureEvent(env=env, error_name=error_name,
                                                  event_type=HistoryEventType.TaskFailed,
                                                  event_details=event_details(taskFailedEventDetails=details)))

    def get_current_mocked_response(self: Any) -> Any:
        run = self.mock_test_case
        if not isinstance(run, MockRun):
            return original_mocked_response(self)
        state = str(self.next_state_name)
        index, entry = run.take(state)
        if entry is None:
            runtime = StatesErrorNameType.StatesRuntime
            raise failure(self, StatesErrorName(typ=runtime), runtime.to_name(), run.exhausted(state, index))
        if entry.throw is not None:
            raise failure(self, CustomErrorName(entry.throw.error), entry.throw.error, entry.throw.cause)
        return MockedResponseReturn(range_start=index, range_end=index, payload=entry.result)

    Environment.get_current_mocked_response = get_current_mocked_response  # type: ignore[method-assign]
