"""Every adaptation of moto 5.2.5's Step Functions interpreter, installed once per process.

Each patch says what it fixes; ``tests/engine/test_embedded*.py`` have a test per patch that fails
without it. moto is pinned exactly (``moto==5.2.5``) because these reach into its internals. Time warp lives in
``timewarp.py``, JSONata in ``jsonata_eval.py``, AWS-fidelity fixes of the history in ``fidelity.py``, service
integrations in ``services.py``.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable
from typing import Any

from workbench.engine.embedded.interpreter import (
    activities,
    api,
    bindings,
    distributed_map,
    fidelity,
    guard,
    jsonata_eval,
    mocking,
    services,
    timewarp,
)
from workbench.engine.embedded.interpreter.fidelity import event_details
from workbench.engine.embedded.interpreter.lambdas import ToolContext, function_name_of, invoke_tool

_installed = False
_install_lock = threading.Lock()
_invoking = threading.local()


def _steps() -> list[tuple[str, Callable[[], None]]]:
    """Every adaptation, in the order it must be applied (later ones wrap earlier ones)."""
    return [
        ("parser thread safety", _install_parser_thread_safety),
        ("signed interpreter clients", _install_signed_interpreter_clients),
        ("Lambda dispatch to tools", _install_lambda_dispatch),
        ("execution binding", _install_execution_binding),
        ("mocked responses", mocking.install),
        ("API response fixes", _install_api_fixes),
        ("Step Functions API", api.install),
        ("service integration names", services.install),
        ("JSONata evaluation", jsonata_eval.install),
        ("time warp", lambda: timewarp.install(invalid_timestamp=fidelity.invalid_timestamp_failure)),
        ("history fidelity", fidelity.install),
        ("activities", activities.install),
        ("Distributed Map", distributed_map.install),
    ]


def install(*, verify_contract: bool = True) -> None:
    """Apply every patch once per process: checked, in a fixed order, all or none (idempotent, thread-safe).

    First :func:`guard.verify` refuses a moto other than the pinned one, or one whose replaced functions
    changed since the patches were written; then the steps run under :func:`guard.all_or_none`, so a
    failing step leaves moto exactly as it was and raises one line naming the step.
    ``verify_contract=False`` is for the survey that writes the contract (``guard --write``).

    Example:
        >>> install()  # doctest: +SKIP
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        if verify_contract:
            contract = guard.load_contract()
            guard.verify(contract)
            with guard.all_or_none(contract):
                guard.run_steps(_steps())
        else:
            guard.run_steps(_steps())
        _installed = True


def _install_parser_thread_safety() -> None:
    """ASL parsing is not thread-safe in moto: serialise it and give each parse its own scope stack.

    ``Preprocessor._query_language_per_scope`` is a class attribute shared by every parse, and the parser
    runs on every CreateStateMachine and at the start of every execution (in the execution's thread).
    Concurrent parses of a JSONata and a JSONPath definition then fail at random with "Unsupported
    declaration in QueryLanguage=JSONPath block" or "Cannot downgrade from JSONata context", and a
    rejected definition leaves its scope on the stack for every later parse. ANTLR's Python runtime
    shares its DFA caches too, so parses also take a process-wide lock (they take milliseconds).
    """
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    original_init = Preprocessor.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self._query_language_per_scope = []

    Preprocessor.__init__ = __init__  # type: ignore[method-assign]

    original_parse = AmazonStateLanguageParser.parse

    def parse(definition: str) -> Any:
        with bindings.PARSE_LOCK:
            return original_parse(definition)

    AmazonStateLanguageParser.parse = staticmethod(parse)  # type: ignore[method-assign,assignment]


def _install_signed_interpreter_clients() -> None:
    """The interpreter's own boto3 clients (Lambda, nested executions, SQS, S3...) sign with the engine's keys.

    moto builds them in ``asl.utils.boto_client.boto_client_for`` with the fixed keys ``ak``/``sk`` against
    ``http://localhost:MOTO_PORT``; every engine now refuses requests not signed with its own random
    credentials, so the clients take those of the live engine that owns ``MOTO_PORT``. Modules that imported
    the function by name before this ran are rebound too.
    """
    import sys

    import boto3
    from botocore.config import Config
    from moto.core.models import botocore_stubber
    from moto.settings import moto_server_port
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
    from moto.stepfunctions.parser.asl.utils import boto_client

    original = boto_client.boto_client_for
    config = Config(parameter_validation=False, retries={"max_attempts": 0, "total_max_attempts": 1},
                    connect_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
                    read_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS)  # moto's own settings

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        engine = bindings.engine_on_port(int(moto_server_port()))
        if engine is None or botocore_stubber.enabled:
            return original(region, service, state_credentials)
        return boto3.client(service_name=service, region_name=region, endpoint_url=f"http://localhost:{engine.port}",
                            aws_access_key_id=engine.credentials.access_key_id,
                            aws_secret_access_key=engine.credentials.secret_access_key, config=config)

    boto_client.boto_client_for = boto_client_for  # type: ignore[assignment]
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.stepfunctions.parser") and getattr(module, "boto_client_for", None) is original:
            module.boto_client_for = boto_client_for  # type: ignore[attr-defined]


def _install_lambda_dispatch() -> None:
    """Lambda invocations call registered Python tools instead of moto's (Docker/slow) Lambda backend.

    Both Task forms (``arn:aws:states:::lambda:invoke`` and a plain Lambda ARN) go through
    ``lambda_eval_utils.execute_lambda_function_integration`` -> ``_invoke_lambda_function``. The first
    knows the interpreter Environment (execution, state, retry count), the second does the call: we keep
    the Environment in a thread-local between the two (same thread) and replace the call.
    """
    from botocore.exceptions import ClientError
    from moto.stepfunctions.parser.api import HistoryEventType, LambdaFunctionFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_lambda import (
        StateTaskServiceLambda,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import StateTaskLambda

    original_integration = lambda_eval_utils.execute_lambda_function_integration

    def execute_lambda_function_integration(env: Any, parameters: dict[str, Any], region: str,
                                            state_credentials: Any) -> None:
        _invoking.env = env
        try:
            original_integration(env=env, parameters=parameters, region=region,
                                 state_credentials=state_credentials)
        finally:
            _invoking.env = None

    def _invoke_lambda_function(parameters: dict[str, Any], region: str, state_credentials: Any) -> dict[str, Any]:
        env = getattr(_invoking, "env", None)
        data: dict[str, Any] = env.states.context_object.context_object_data if env is not None else {}
        execution_arn = data.get("Execution", {}).get("Id")
        state = data.get("State", {})
        name = function_name_of(str(parameters.get("FunctionName", "")))
        context = ToolContext(
            function_name=name,
            execution_arn=execution_arn,
            state_name=state.get("Name"),
            attempt=int(state.get("RetryCount", 0)) + 1,
            aws_request_id=str(uuid.uuid4()),
        )
        account = env.aws_execution_details.account if env is not None else "123456789012"
        tool = bindings.find_tool(execution_arn, name)
        return invoke_tool(tool, parameters, context, region=region, account=account)

    lambda_eval_utils.execute_lambda_function_integration = execute_lambda_function_integration
    lambda_eval_utils._invoke_lambda_function = _invoke_lambda_function  # type: ignore[assignment]

    # Plain Lambda-ARN Tasks: moto names every Lambda service error "Exception"; AWS uses "Lambda.<Code>"
    # (e.g. Lambda.TooManyRequestsException) for both Task forms, so Retry policies written for AWS match.
    original_from_error = StateTaskLambda._from_error

    def _from_error(self: Any, env: Any, ex: Exception) -> Any:
        if isinstance(ex, ClientError):
            error, cause = StateTaskServiceLambda._error_cause_from_client_error(ex)
            return FailureEvent(
                env=env,
                error_name=CustomErrorName(error),
                event_type=HistoryEventType.LambdaFunctionFailed,
                event_details=event_details(
                    lambdaFunctionFailedEventDetails=LambdaFunctionFailedEventDetails(error=error, cause=cause)
                ),
            )
        return original_from_error(self, env, ex)

    StateTaskLambda._from_error = _from_error  # type: ignore[method-assign]


def _install_execution_binding() -> None:
    """Bind each execution to its engine at start, give it its clock, and complete its context object."""
    from moto.stepfunctions.parser.backend.execution import Execution
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original_start = Execution.start

    def start(self: Any) -> None:
        # Runs on the request thread, before the worker thread exists.
        bindings.bind_execution(self.exec_arn, mocking.pending())
        original_start(self)

    Execution.start = start  # type: ignore[method-assign]

    original_environment = ExecutionWorker._get_evaluation_environment

    def _get_evaluation_environment(self: Any) -> Any:
        env = original_environment(self)
        execution: Any = env.states.context_object.context_object_data["Execution"]
        binding = bindings.binding_of(execution.get("Id"))
        timewarp.attach_clock(env, binding.clock if binding else None)
        if binding is not None and binding.mocks is not None:
            env.mock_test_case = binding.mocks  # type: ignore[assignment]  # duck-typed, see mocking.py
        # AWS's $$.Execution has RedriveCount (0 for a first run); moto leaves it out.
        execution.setdefault("RedriveCount", 0)
        return env

    ExecutionWorker._get_evaluation_environment = _get_evaluation_environment  # type: ignore[method-assign]

    # StartExecution without a name: moto builds the ARN "...:None"; AWS generates a UUID name.
    original_start_execution = StepFunctionsParserBackend.start_execution

    def start_execution(self: Any, state_machine_arn: str, name: str | None = None,
                        execution_input: Any = None, trace_header: Any = None) -> Any:
        return original_start_execution(self, state_machine_arn, name or str(uuid.uuid4()),
                                        execution_input, trace_header)

    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign]

    # SendTaskSuccess/Failure/Heartbeat scan every execution's callback pool; an execution whose worker
    # thread has not built its Environment yet made them fail with AttributeError (HTTP 500) for everyone.
    original_get_executions = StepFunctionsParserBackend._get_executions

    def _get_executions(self: Any, execution_status: Any = None) -> list[Any]:
        return [execution for execution in original_get_executions(self, execution_status)
                if execution.exec_worker is not None and execution.exec_worker.env is not None]

    StepFunctionsParserBackend._get_executions = _get_executions  # type: ignore[method-assign]


def _install_api_fixes() -> None:
    """Response fixes in moto's Step Functions HTTP layer."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.exceptions import InvalidToken
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
    from moto.stepfunctions.responses import StepFunctionResponse

    # DescribeExecution: moto returns a string output as-is (not JSON-encoded: "hello" instead of "\"hello\"")
    # and json.dumps raises on datetimes from service integrations. Encode like the history events do.
    original_describe = StepFunctionResponse.describe_execution

    def describe_execution(self: Any) -> Any:
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        output, execution.output = execution.output, None
        try:
            result = original_describe(self)
        finally:
            execution.output = output
        response: dict[str, Any] = dict(result.result)  # type: ignore[call-overload]
        if response.get("status") == "SUCCEEDED":
            response["output"] = to_json_str(output, separators=(",", ":"))
        return ActionResult(response)

    StepFunctionResponse.describe_execution = describe_execution  # type: ignore[method-assign]

    # GetExecutionHistory: moto ignores maxResults, nextToken and reverseOrder and returns every event.
    # It also deep-copies the whole history on every call; we copy only the page asked for, so live
    # progress (newest-first pages while running) costs the new events, not the whole history each poll.
    def get_execution_history(self: Any) -> Any:
        arn = self._get_param("executionArn")
        max_results = self._get_int_param("maxResults") or 100  # AWS: 0 or absent means 100
        token = self._get_param("nextToken")
        try:
            start = int(token) if token else 0
        except ValueError:
            raise InvalidToken(f"'{token}'") from None
        execution = self.stepfunction_backend.describe_execution(execution_arn=arn)
        env = execution.exec_worker.env if execution.exec_worker is not None else None
        if env is None:  # not started yet
            return ActionResult({"events": []})
        manager = env.event_manager
        with manager._mutex:
            events = manager._history_event_list
            total = len(events)
            if self._get_bool_param("reverseOrder", False):
                page = events[max(total - start - max_results, 0):max(total - start, 0)][::-1]
            else:
                page = events[start:start + max_results]
            page = copy.deepcopy(page)
        response: dict[str, Any] = {"events": page}
        if start + max_results < total:
            response["nextToken"] = str(start + max_results)
        return ActionResult(response)

    StepFunctionResponse.get_execution_history = get_execution_history  # type: ignore[method-assign]
