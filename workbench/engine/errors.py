"""Run-layer errors, and the translation of botocore errors into them.

Every call to Step Functions goes through :func:`translate` (via ``Target.call``), so a user sees
"your identity may not call states:StartExecution" rather than a botocore traceback, whatever the
target (embedded engine, AWS, or another endpoint).
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from workbench.core.diagnostics import WorkbenchError

# The ways to get working credentials, said once for every credentials error.
CREDENTIALS_HELP = (
    "Configure credentials with `aws configure` (or `aws sso login --profile NAME`), select a profile with "
    "AWS_PROFILE or profile=..., or run on the embedded engine instead (target 'embedded', no AWS account needed)."
)

THROTTLING_CODES = frozenset({
    "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
    "ProvisionedThroughputExceededException", "RequestThrottled", "RequestThrottledException",
    "SlowDown", "PriorRequestNotComplete",
})
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
BAD_CREDENTIALS_CODES = frozenset({
    "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch",
    "IncompleteSignature", "MissingAuthenticationToken",
})
ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "NotAuthorized"})
UNSUPPORTED_CODES = frozenset({"500", "NotImplemented", "UnknownOperationException", "InvalidAction"})
_DEFINITION_ECHO = re.compile(r"\s*in definition '.*$", re.DOTALL)
_ACTION_RE = re.compile(r"perform:\s*([A-Za-z0-9-]+:[A-Za-z0-9*]+)")


class AwsError(WorkbenchError):
    """A call to Step Functions (or its credential chain) failed; ``code`` is AWS's error code."""

    def __init__(self, message: str, *, operation: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.operation = operation
        self.code = code


class CredentialsError(AwsError):
    """No usable AWS credentials (none found, unknown profile, or rejected by AWS)."""


class ExpiredCredentialsError(CredentialsError):
    """The session token or SSO login has expired."""


class AccessDeniedError(AwsError):
    """The caller lacks an IAM permission; ``action`` names it (e.g. ``states:StartExecution``)."""

    def __init__(self, message: str, *, action: str, operation: str | None = None, code: str | None = None):
        super().__init__(message, operation=operation, code=code)
        self.action = action


class ThrottledError(AwsError):
    """Step Functions kept throttling after botocore's retries were exhausted."""


class NotFoundError(AwsError):
    """A state machine, version, alias or execution does not exist."""


class StateMachineNotFoundError(NotFoundError):
    """The state machine (or its version/alias) does not exist on this target."""


class ExecutionNotFoundError(NotFoundError):
    """The execution does not exist on this target."""


class UnsupportedOperationError(AwsError):
    """The target's engine does not implement this operation (moto lacks a few)."""


class EndpointUnreachableError(AwsError):
    """Nothing answers at the endpoint (LocalStack/engine not running, no network)."""


class InvalidDefinitionError(AwsError):
    """Step Functions rejected the state machine definition."""


class TargetError(WorkbenchError):
    """A target is mis-configured: unknown kind, bad URL, missing region or IAM role."""


class DeployError(WorkbenchError):
    """A definition cannot be deployed as given (unresolved placeholders, bad name, type change)."""


class ExecutionInputError(WorkbenchError):
    """The execution input is not JSON, or is larger than Step Functions accepts."""


class ExecutionNameConflictError(WorkbenchError):
    """An execution with this name already exists with a different input."""


class WaitTimeoutError(WorkbenchError):
    """``wait``/``watch`` gave up before the execution finished; the execution itself goes on."""


class ToolBindingError(WorkbenchError):
    """A tool's local implementation cannot be found or registered."""


class WaitInterrupted(KeyboardInterrupt):
    """Ctrl-C / Jupyter's stop button while waiting: the execution keeps running.

    Subclasses ``KeyboardInterrupt`` so scripts still stop; ``_render_traceback_`` makes IPython print
    only the message (no traceback dump).
    """

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def _operation_label(exc: ClientError, operation: str | None) -> str:
    return operation or getattr(exc, "operation_name", None) or "the call"


def _where(target_kind: str | None) -> str:
    return {
        "embedded": "the embedded engine (moto)",
        "endpoint": "the endpoint behind this target",
        "aws": "AWS Step Functions",
    }.get(target_kind or "", "this Step Functions endpoint")


def translate(
    exc: BaseException, *, operation: str | None = None, target_kind: str | None = None
) -> WorkbenchError:
    """Turn a botocore error into the matching :class:`WorkbenchError` with a message that says what to do.

    Example:
        >>> from botocore.exceptions import NoCredentialsError
        >>> type(translate(NoCredentialsError())).__name__
        'CredentialsError'
    """
    if isinstance(exc, WorkbenchError):
        return exc
    if isinstance(exc, ClientError):
        return _translate_client_error(exc, operation, target_kind)
    if isinstance(exc, BotoCoreError):
        return _translate_botocore_error(exc, operation)
    return AwsError(f"{operation or 'The call'} failed: {exc}", operation=operation)


def _translate_client_error(exc: ClientError, operation: str | None, target_kind: str | None) -> WorkbenchError:
    error: dict[str, Any] = exc.response.get("Error", {}) or {}
    meta: dict[str, Any] = exc.response.get("ResponseMetadata", {}) or {}
    code = str(error.get("Code", "") or "")
    message = str(error.get("Message", "") or "").strip()
    status = meta.get("HTTPStatusCode")
    op = _operation_label(exc, operation)
    said = f" (AWS said: {message})" if message and not message.startswith("<") else ""

    if code in THROTTLING_CODES:
        attempts = int(meta.get("RetryAttempts", 0) or 0) + 1
        return ThrottledError(
            f"{_where(target_kind)} throttled {op} ({code}) and it still failed after {attempts} attempt(s) "
            "with adaptive retries. Start fewer executions at once, space out calls, or ask for a higher "
            f"Step Functions quota (Service Quotas console).{said}",
            operation=op, code=code,
        )
    if code in EXPIRED_CODES:
        return ExpiredCredentialsError(
            f"Your AWS session has expired ({code}) while calling {op}. Refresh it: `aws sso login` for SSO "
            "profiles, or fetch new temporary credentials; or use the embedded target.",
            operation=op, code=code,
        )
    if (code in BAD_CREDENTIALS_CODES or code == "MissingAuthenticationTokenException") and target_kind == "endpoint":
        return CredentialsError(
            f"The endpoint refused the request's credentials ({code}) while calling {op}.{said} A `workbench engine "
            "serve` engine answers only requests signed with its own credentials: start it with --env-file F and "
            "pass --env-file F (or `source F` first).",
            operation=op, code=code,
        )
    if code in BAD_CREDENTIALS_CODES:
        return CredentialsError(
            f"AWS did not accept your credentials ({code}) while calling {op}.{said} {CREDENTIALS_HELP}",
            operation=op, code=code,
        )
    if code in ACCESS_DENIED_CODES:
        found = _ACTION_RE.search(message)
        action = found.group(1) if found else f"states:{op}"
        return AccessDeniedError(
            f"Access denied: your AWS identity may not call {action} (needed for {op}). Ask an administrator "
            f"to allow '{action}' on this resource in your IAM policy, or use another profile.{said}",
            action=action, operation=op, code=code,
        )
    if code in {"StateMachineDoesNotExist", "StateMachineDeleting"}:
        return StateMachineNotFoundError(
            f"State machine not found by {op}.{said} Deploy it first (workbench deploy), or check the "
            "target's region and profile.",
            operation=op, code=code,
        )
    if code == "ExecutionDoesNotExist":
        return ExecutionNotFoundError(
            f"Execution not found by {op}.{said} Check the execution ARN and the target's region.",
            operation=op, code=code,
        )
    if code in {"ResourceNotFound", "ResourceNotFoundException"}:
        return NotFoundError(f"{op}: resource not found.{said}", operation=op, code=code)
    definition_ops = {"CreateStateMachine", "UpdateStateMachine"}
    if code in {"InvalidDefinition", "InvalidDefinitionException"} or (not code and op in definition_ops):
        # moto sends parser errors without an error code, and echoes the whole definition
        said = _DEFINITION_ECHO.sub("", said.removesuffix(")")) + ")" if said else ""
        return InvalidDefinitionError(
            f"Step Functions rejected the definition in {op}.{said} Run `workbench lint` on it for details.",
            operation=op, code=code,
        )
    if code in UNSUPPORTED_CODES or (status == 500 and message.lstrip().startswith("<")):
        return UnsupportedOperationError(
            f"{_where(target_kind)} does not support {op}. Use target 'aws' (or LocalStack) for it.",
            operation=op, code=code or str(status),
        )
    return AwsError(f"{op} failed with {code or status}.{said}", operation=op, code=code or None)


def _translate_botocore_error(exc: BotoCoreError, operation: str | None) -> WorkbenchError:
    op = operation or "the call"
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return CredentialsError(f"No AWS credentials found for {op}. {CREDENTIALS_HELP}", operation=operation)
    if isinstance(exc, ProfileNotFound):
        return CredentialsError(
            f"{exc}. List your profiles with `aws configure list-profiles`, or create one with "
            "`aws configure --profile NAME`.",
            operation=operation,
        )
    if isinstance(exc, NoRegionError):
        return TargetError(
            "No AWS region is set. Pass region=... (CLI: --region), set AWS_REGION, or run "
            "`aws configure set region us-east-1`."
        )
    name = type(exc).__name__
    if name in {"TokenRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOTokenError", "SSOError"}:
        return ExpiredCredentialsError(
            f"Your AWS login has expired or is missing ({name}): run `aws sso login` (with --profile if you "
            "use one), or use the embedded target.",
            operation=operation,
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ConnectionClosedError | ReadTimeoutError):
        return EndpointUnreachableError(
            f"Could not reach the Step Functions endpoint for {op}: {exc}. Is the engine (LocalStack, "
            "`workbench engine serve`) running, and is the URL right?",
            operation=operation,
        )
    if isinstance(exc, ParamValidationError):
        return AwsError(f"Invalid parameters for {op}: {exc}", operation=operation)
    return AwsError(f"{op} failed: {exc}", operation=operation)
