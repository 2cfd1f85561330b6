"""Tools as Python functions: what a Lambda invocation becomes inside the embedded engine.

moto would run a Lambda in Docker (or its slow in-process Lambda backend); the engine instead calls a
registered Python callable ``tool(event, context)`` and shapes the outcome exactly like AWS Lambda does,
so Retry/Catch, ``$.Payload`` and the history events read the same as on AWS:

* return value -> ``{"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": <value>}``
* raised exception -> ``FunctionError: "Unhandled"`` with the AWS Python-runtime error document
  ``{"errorMessage", "errorType", "requestId", "stackTrace"}`` (Step Functions error = ``errorType``)
* raised ``botocore.exceptions.ClientError`` -> a Lambda service error (``Lambda.<Code>`` in the history)
* unknown function -> ``Lambda.ResourceNotFoundException`` naming the function
"""

from __future__ import annotations

import importlib
import json
import re
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from workbench.core.lambda_names import function_name as bare_function_name
from workbench.engine.embedded.errors import ToolError

Tool = Callable[..., Any]

_DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_TOOL_PATH = re.compile(rf"^(?P<module>{_DOTTED}):(?P<attr>{_DOTTED})$")
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,140}$")
# HTTP status of the Lambda errors a tool may raise as ClientError without ResponseMetadata.
_STATUS_BY_CODE = {"TooManyRequestsException": 429, "ResourceNotFoundException": 404, "ServiceException": 500}


@dataclass(frozen=True)
class ToolContext:
    """What a tool may know about its invocation (a small stand-in for Lambda's context object).

    ``attempt`` counts from 1 and grows with each Retry of the same state.
    """

    function_name: str
    execution_arn: str | None = None
    state_name: str | None = None
    attempt: int = 1
    aws_request_id: str = ""


def function_name_of(function_name: str) -> str:
    """The bare Lambda function name in a FunctionName value (name, ARN, partial ARN, with or without alias).

    Example:
        >>> function_name_of("arn:aws:lambda:us-east-1:123456789012:function:fetch:prod")
        'fetch'
        >>> function_name_of("123456789012:function:fetch"), function_name_of("fetch:3")
        ('fetch', 'fetch')
    """
    return bare_function_name(function_name)


def resolve_tool_path(path: str) -> Tool:
    """Import ``module:function`` (no eval) and return the callable.

    Example:
        >>> resolve_tool_path("json:dumps")({"a": 1})
        '{"a": 1}'
    """
    match = _TOOL_PATH.match(path.strip())
    if match is None:
        raise ToolError(f"tool path {path!r} is not of the form 'package.module:function'")
    try:
        target: Any = importlib.import_module(match["module"])
    except ImportError as exc:
        raise ToolError(f"cannot import module {match['module']!r} for tool {path!r}: {exc}") from exc
    for attr in match["attr"].split("."):
        if not hasattr(target, attr):
            raise ToolError(f"module {match['module']!r} has no attribute {match['attr']!r} (tool {path!r})")
        target = getattr(target, attr)
    if not callable(target):
        raise ToolError(f"tool {path!r} is not callable")
    return target  # type: ignore[no-any-return]


class ToolRegistry:
    """Function name -> Python callable, looked up at invoke time (so wrappers can be swapped in)."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}
        self._lock = threading.Lock()

    def register(self, function_name: str, fn: Tool) -> None:
        name = function_name_of(function_name)
        if not _FUNCTION_NAME.match(name):
            raise ToolError(
                f"tool name {function_name!r} is not a valid Lambda function name "
                "(letters, digits, '-' and '_', at most 140 characters)"
            )
        if not callable(fn):
            raise ToolError(f"tool {function_name!r} must be callable, got {type(fn).__name__}")
        with self._lock:
            self._tools[name] = fn

    def unregister(self, function_name: str) -> None:
        with self._lock:
            self._tools.pop(function_name_of(function_name), None)

    def get(self, function_name: str) -> Tool | None:
        with self._lock:
            return self._tools.get(function_name_of(function_name))

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._tools)


def _json_payload(raw: Any) -> Any:
    """The event a tool receives: moto hands over the request Payload as JSON bytes."""
    if isinstance(raw, bytes | bytearray):
        raw = raw.decode("utf-8")
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _error_document(exc: BaseException, request_id: str, skip_frames: int = 1) -> dict[str, Any]:
    """The document AWS Lambda's Python runtime returns for an unhandled exception."""
    frames = traceback.extract_tb(exc.__traceback__)[skip_frames:]
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def _with_response_metadata(err: ClientError, request_id: str) -> ClientError:
    """Fill the ResponseMetadata moto's error formatting reads (a hand-made ClientError has none)."""
    response: dict[str, Any] = dict(err.response)
    code = str(response.get("Error", {}).get("Code", "ServiceException"))
    meta = dict(response.get("ResponseMetadata") or {})
    meta.setdefault("HTTPStatusCode", _STATUS_BY_CODE.get(code, 400))
    meta.setdefault("RequestId", request_id)
    response["ResponseMetadata"] = meta
    response.setdefault("Error", {}).setdefault("Message", str(err))
    return ClientError(response, err.operation_name or "Invoke")  # type: ignore[arg-type]


def not_found_error(function_name: str, region: str, account: str, request_id: str) -> ClientError:
    """What Lambda answers for a function that does not exist."""
    arn = f"arn:aws:lambda:{region}:{account}:function:{function_name}"
    return ClientError(
        {
            "Error": {
                "Code": "ResourceNotFoundException",
                "Message": f"Function not found: {arn} (no tool named {function_name!r} is registered "
                "with the embedded engine; register it with engine.register_tool)",
            },
            "ResponseMetadata": {"HTTPStatusCode": 404, "RequestId": request_id},
        },
        "Invoke",
    )


def invoke_tool(tool: Tool | None, parameters: Mapping[str, Any], context: ToolContext, *,
                region: str, account: str) -> dict[str, Any]:
    """Run one tool and answer like ``lambda.invoke`` (raises ClientError for Lambda service errors)."""
    request_id = context.aws_request_id or str(uuid.uuid4())
    if tool is None:
        raise not_found_error(context.function_name, region, account, request_id)
    event = _json_payload(parameters.get("Payload"))
    response: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
    try:
        result = tool(event, context)
    except ClientError as err:
        raise _with_response_metadata(err, request_id) from err
    except Exception as exc:
        if getattr(exc, "workbench_task_timeout", False):
            # A simulated "tool slower than the Task timeout" (time warp): let moto's interpreter see a
            # TimeoutError so it reports States.Timeout exactly as for a real timeout.
            raise
        response["FunctionError"] = "Unhandled"
        response["Payload"] = _error_document(exc, request_id)
        return response
    try:
        response["Payload"] = json.loads(json.dumps(result))
    except (TypeError, ValueError) as exc:
        # AWS's Python runtime refuses to marshal such a result in the same way.
        response["FunctionError"] = "Unhandled"
        response["Payload"] = {
            "errorMessage": f"Unable to marshal response: {exc}",
            "errorType": "Runtime.MarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }
    return response
