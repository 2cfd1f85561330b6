"""AWS's error codes and bounds for the Step Functions API, and ValidateStateMachineDefinition.

moto 5.2.5 answers several documented errors with an empty error code (its ``parser.api`` exceptions set
``code`` but not the ``TYPE`` the HTTP layer reads), validates neither execution names nor input size,
treats a second CreateStateMachine with another definition as idempotent, ignores the bounds of the
service model, and turns an operation it lacks into HTTP 500 with an HTML page. Each fix below names the
moto function it replaces and the AWS behaviour it follows (API reference of each operation).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from workbench.core.arn import Arn
from workbench.engine.embedded.interpreter.api.errors import aws_error
from workbench.engine.embedded.interpreter.api.model_checks import check_request

LOG = logging.getLogger(__name__)
MAX_INPUT_BYTES = 256 * 1024  # StartExecution input quota (AWS: 256 KiB, UTF-8)
MAX_NAME = 80
# AWS (CreateStateMachine / StartExecution "name"): no whitespace, brackets < > { } [ ], wildcards ? *,
# special characters " # % \ ^ | ~ ` $ & , ; : /, nor control characters U+0000-001F and U+007F-009F.
_FORBIDDEN_NAME = re.compile(r'[\s<>{}\[\]?*"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]')
_SEVERITY_RANK = {"ERROR": 0, "WARNING": 1}


def check_name(name: str) -> None:
    """AWS's naming rule for state machines, executions and activities (InvalidName otherwise).

    Example:
        >>> check_name("run-1")
        >>> check_name("a b")
        Traceback (most recent call last):
        ...
        moto.core.exceptions.AWSError: 400 Bad Request: ...
    """
    if not 1 <= len(name) <= MAX_NAME or _FORBIDDEN_NAME.search(name):
        raise aws_error("InvalidName", f"Invalid Name: '{name}'")


def check_arn(arn: str, resource: str) -> None:
    """InvalidArn unless ``arn`` is a Step Functions ARN of ``resource`` type, with AWS's message form."""
    parsed = Arn.try_parse(arn)
    if parsed is None:
        raise aws_error("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
    if parsed.service != "states" or parsed.resource_type != resource or not parsed.parts[0]:
        raise aws_error("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: "
                                      f"{parsed.resource_type}'")


def check_execution_input(text: str | None) -> None:
    """InvalidExecutionInput for input that is not JSON or is over 256 KiB (StartExecution)."""
    if text is None:
        return
    if len(text.encode("utf-8")) > MAX_INPUT_BYTES:
        raise aws_error("InvalidExecutionInput",
                        f"Invalid State Machine Execution Input: 'the input is larger than {MAX_INPUT_BYTES} bytes'")
    try:
        json.loads(text)
    except ValueError as exc:
        raise aws_error("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'") from None


def lint_definition(text: str) -> list[Any]:
    """Our linter's diagnostics for a definition's text (a JSON syntax error is one ASL002 diagnostic)."""
    from workbench.asl.lint import lint, parse_asl
    from workbench.core.diagnostics import AslError

    try:
        document = parse_asl(text)
    except AslError as exc:
        return list(exc.diagnostics)
    return lint(document)


def aws_location(location: str) -> str:
    """Our ASL path as AWS's diagnostic location (``States.A.Next`` -> ``/States/A/Next``)."""
    from workbench.asl.lint import parse_location

    try:
        return "/" + "/".join(str(part) for part in parse_location(location)) if location else "/"
    except ValueError:
        return location


def check_definition(text: str) -> None:
    """InvalidDefinition naming the linter's first error, as AWS names its first schema problem."""
    errors = [d for d in lint_definition(text) if d.is_error]
    if errors:
        first = errors[0]
        raise aws_error("InvalidDefinition", f"Invalid State Machine Definition: "
                                             f"'{first.code}: {first.message} at {aws_location(first.location)}'")


def validate_definition_output(text: str, severity: str | None, max_results: int | None) -> dict[str, Any]:
    """ValidateStateMachineDefinition's answer: OK/FAIL, diagnostics at or above ``severity``, truncated.

    AWS: severity ERROR (default) returns only errors, WARNING returns both; maxResults 0 or absent is 100.
    """
    limit = max_results or 100
    floor = _SEVERITY_RANK.get(severity or "ERROR", 0)
    diagnostics = lint_definition(text)
    failed = any(d.is_error for d in diagnostics)
    shown = [d for d in diagnostics if _SEVERITY_RANK.get(d.severity.value.upper(), 1) <= floor]
    items = [{"severity": d.severity.value.upper(), "code": d.code, "message": d.message,
              "location": aws_location(d.location)} for d in shown[:limit]]
    return {"result": "FAIL" if failed else "OK", "diagnostics": items, "truncated": len(shown) > limit}


def install() -> None:
    """Apply the validation fixes (called once by ``api.install``)."""
    _install_error_codes()
    _install_names_and_arns()
    _install_definitions()
    _install_start_execution()
    _install_dispatch()
    _install_history_data()


def _install_error_codes() -> None:
    """moto's ``parser.api`` exceptions (InvalidDefinition, InvalidExecutionInput, ...) answered code ``""``.

    They subclass ``AWSError`` and set ``code`` (the AWS name) but not ``TYPE``, which is what
    ``AWSError.__init__`` serialises as ``__type``; we copy ``code`` into ``TYPE`` on every such class.
    """
    from moto.core.exceptions import AWSError
    from moto.stepfunctions.parser import api

    for value in vars(api).values():
        if isinstance(value, type) and issubclass(value, AWSError) and value.TYPE is None:
            code = vars(value).get("code")
            if isinstance(code, str):
                value.TYPE = code


def _install_names_and_arns() -> None:
    """Replace ``StepFunctionBackend._validate_name`` and ``_validate_arn`` with AWS's rules and messages.

    moto allowed empty names, answered ValidationException (not InvalidName) over 80 characters, missed
    whitespace other than a space, and answered an invalid execution ARN with "Execution Does Not Exist".
    """
    from moto.stepfunctions.models import StepFunctionBackend

    def _validate_name(self: Any, name: str) -> None:
        check_name(name)

    def _validate_arn(self: Any, arn: str, regex: Any, invalid_msg: str) -> None:
        if arn and regex.match(arn):
            return
        kind = next((k for k in ("execution", "activity", "stateMachine") if f":{k}:" in regex.pattern), None)
        if kind is not None:
            check_arn(arn, kind)
        raise aws_error("InvalidArn", f"Invalid Arn: '{arn}'")

    StepFunctionBackend._validate_name = _validate_name  # type: ignore[method-assign]
    StepFunctionBackend._validate_arn = _validate_arn  # type: ignore[method-assign]


def _install_definitions() -> None:
    """Definitions go through our linter first, and a name taken by another definition is refused.

    ``StepFunctionsParserBackend._validate_definition`` only ran moto's parser (its message is a parser
    dump); AWS names the first schema problem. ``StepFunctionBackend.create_state_machine`` returned the
    existing machine for any definition; AWS is idempotent only when the definition, type, logging,
    tracing and encryption match (roleArn and tags are ignored) and answers StateMachineAlreadyExists
    otherwise (CreateStateMachine API reference).
    """
    from moto.stepfunctions.models import StepFunctionBackend
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original_validate = StepFunctionsParserBackend._validate_definition

    def _validate_definition(definition: str) -> None:
        check_definition(definition)
        original_validate(definition=definition)

    StepFunctionsParserBackend._validate_definition = staticmethod(_validate_definition)  # type: ignore[method-assign]

    original_create = StepFunctionBackend.create_state_machine

    def create_state_machine(self: Any, name: str, definition: str, roleArn: str, *args: Any, **kwargs: Any) -> Any:
        existing = next((sm for sm in self.state_machines if sm.name == name), None)
        if existing is not None and _differs(existing, definition, kwargs):
            raise aws_error("StateMachineAlreadyExists", f"State Machine Already Exists: '{existing.arn}'")
        return original_create(self, name, definition, roleArn, *args, **kwargs)

    StepFunctionBackend.create_state_machine = create_state_machine  # type: ignore[method-assign]


def _differs(existing: Any, definition: str, kwargs: dict[str, Any]) -> bool:
    if existing.definition != definition or (kwargs.get("sm_type") or "STANDARD") != existing.type:
        return True
    pairs = (("loggingConfiguration", existing.loggingConfiguration),
             ("tracingConfiguration", existing.tracingConfiguration),
             ("encryptionConfiguration", existing.encryptionConfiguration))
    return any(kwargs.get(key) is not None and kwargs[key] != value for key, value in pairs)


def _install_start_execution() -> None:
    """StartExecution checks the execution name and input like AWS (``StepFunctionsParserBackend.start_execution``).

    moto left the name unchecked ("TODO: validate name format") and did not bound the input size.
    """
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original_start: Any = StepFunctionsParserBackend.start_execution

    def start_execution(self: Any, state_machine_arn: str, name: str | None = None, execution_input: Any = None,
                        trace_header: Any = None) -> Any:
        check_arn(state_machine_arn.split("#", 1)[0], "stateMachine")  # "#TestCase" selects a mock test case
        if name is not None:
            check_name(name)
        check_execution_input(execution_input)
        return original_start(self, state_machine_arn, name, execution_input, trace_header)

    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign]


def _install_dispatch() -> None:
    """Wrap ``StepFunctionResponse.call_action``: model bounds, ValidateStateMachineDefinition, JSON errors.

    An operation moto lacks raised NotImplementedError and werkzeug answered HTTP 500 with an HTML page
    (botocore then retried it); AWS answers ``UnknownOperationException`` for a name it does not know. An
    operation of the service model we do not serve answers ``UnsupportedOperation`` (400) saying so, and
    any other crash answers AWS's ``InternalFailure`` (500) as JSON.
    """
    import botocore.session
    from moto.core.exceptions import AWSError
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    from workbench.engine.embedded.errors import EngineUnsupported

    model = botocore.session.get_session().get_service_model("stepfunctions")
    original_call_action = StepFunctionResponse.call_action

    def validate_state_machine_definition(self: Any) -> Any:
        return ActionResult(validate_definition_output(self._get_param("definition") or "",
                                                       self._get_param("severity"),
                                                       self._get_int_param("maxResults")))

    def call_action(self: Any) -> Any:
        action = self._get_action()
        try:
            if action not in model.operation_names:
                raise aws_error("UnknownOperationException", f"Unknown operation: '{action}'")
            check_request(model.operation_model(action), _body(self))
            return original_call_action(self)
        except AWSError as exc:
            return _error_response(exc)
        except NotImplementedError:
            return _error_response(aws_error("UnsupportedOperation", str(EngineUnsupported.for_operation(action))))
        except Exception as exc:  # never werkzeug's HTML page
            LOG.debug("Step Functions %s failed", action, exc_info=True)
            return _error_response(aws_error("InternalFailure", f"{action} failed in the embedded engine: "
                                                                f"{type(exc).__name__}: {exc}", status=500))

    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition  # type: ignore[attr-defined]
    StepFunctionResponse.call_action = call_action  # type: ignore[method-assign]


def _body(response: Any) -> dict[str, Any]:
    try:
        params = json.loads(response.body or "{}")
    except (TypeError, ValueError):
        return {}
    return params if isinstance(params, dict) else {}


def _error_response(exc: Any) -> tuple[int, dict[str, str], str]:
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amzn-ErrorType": exc.relative_error_type}
    return int(exc.code), headers, str(exc.description)


def _install_history_data() -> None:
    """GetExecutionHistory ``includeExecutionData=false`` leaves out each event's ``input`` and ``output``.

    AWS: "You can select whether execution data (input or output of a history event) is returned"; the
    ``inputDetails``/``outputDetails`` and every other field stay. moto ignored the flag.
    """
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    original_history = StepFunctionResponse.get_execution_history

    def get_execution_history(self: Any) -> Any:
        result = original_history(self)
        if self._get_bool_param("includeExecutionData", True):
            return result
        response: dict[str, Any] = dict(result.result)  # type: ignore[call-overload]
        response["events"] = [_without_data(event) for event in response.get("events", [])]
        return ActionResult(response)

    StepFunctionResponse.get_execution_history = get_execution_history  # type: ignore[method-assign]


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    return {key: ({k: v for k, v in value.items() if k not in ("input", "output")}
                  if key.endswith("EventDetails") and isinstance(value, dict) else value)
            for key, value in event.items()}
