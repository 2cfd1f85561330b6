"""Replay tools: Lambda functions that answer with the results recorded on AWS.

The recorded history says, in order, what each Lambda invocation returned or raised; a replay tool
gives the same answer to the same event (matched on the recorded input when the history links them,
else in recorded order), raises an exception of the recorded ``errorType``, a ``ClientError`` for a
``Lambda.*`` service error, or outlives the Task's timeout.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

_LAMBDA_OUTCOMES = {"LambdaFunctionSucceeded", "LambdaFunctionFailed", "LambdaFunctionTimedOut"}


@dataclass
class _Recorded:
    kind: str  # "ok" | "error" | "timeout"
    value: Any = None
    error: str = ""
    cause: Any = None
    key: str | None = None  # canonical recorded input, to match concurrent invocations


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def recorded_lambda_outcomes(history: list[dict[str, Any]]) -> list[_Recorded]:
    """Every Lambda result in recorded order, with the input it answered when the history links them."""
    by_id = {event["id"]: event for event in history if isinstance(event.get("id"), int)}
    outcomes: list[_Recorded] = []
    for event in history:
        kind = event["type"]
        details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {}) or {}
        is_lambda_task = details.get("resourceType") == "lambda" and kind in ("TaskSucceeded", "TaskFailed",
                                                                              "TaskTimedOut")
        if kind not in _LAMBDA_OUTCOMES and not is_lambda_task:
            continue
        scheduled = by_id.get(by_id.get(event.get("previousEventId"), {}).get("previousEventId"))
        key = None
        if scheduled is not None:
            sched = scheduled.get("lambdaFunctionScheduledEventDetails") or scheduled.get(
                "taskScheduledEventDetails") or {}
            payload = sched.get("input") if "input" in sched else (sched.get("parameters") or {}).get("Payload")
            key = _canonical(payload)
        if kind in ("LambdaFunctionSucceeded", "TaskSucceeded"):
            output = details.get("output")
            if is_lambda_task and isinstance(output, dict) and "Payload" in output:
                output = output["Payload"]
            outcomes.append(_Recorded("ok", value=output, key=key))
        elif kind in ("LambdaFunctionFailed", "TaskFailed"):
            outcomes.append(_Recorded("error", error=details.get("error", ""), cause=details.get("cause"), key=key))
        else:
            outcomes.append(_Recorded("timeout", key=key))
    return outcomes


class ReplayTool:
    """A tool answering with recorded Lambda outcomes (matched on the event first, else in order)."""

    HOLD_SECONDS = 60.0  # a cap, as long as a replay's deadline; a "timeout" answer is held until close()

    def __init__(self, outcomes: list[_Recorded]) -> None:
        self._pending = list(outcomes)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.calls = 0

    def close(self) -> None:
        """The replay is over: let invocations held for a recorded timeout return."""
        self._closed.set()

    def _take(self, event: Any) -> _Recorded | None:
        with self._lock:
            self.calls += 1
            key = _canonical(event)
            for i, item in enumerate(self._pending):
                if item.key == key:
                    return self._pending.pop(i)
            return self._pending.pop(0) if self._pending else None

    def __call__(self, event: Any, context: Any) -> Any:
        item = self._take(event)
        if item is None:
            raise RuntimeError("replay tool: more invocations than the recording has")
        if item.kind == "ok":
            return item.value
        if item.kind == "timeout":
            # Outlive the Task's TimeoutSeconds whatever it is: held until the replay ends, not for a guessed time.
            self._closed.wait(self.HOLD_SECONDS)
            return None
        raise _recorded_exception(item)


def _recorded_exception(item: _Recorded) -> Exception:
    from botocore.exceptions import ClientError

    error, cause = item.error, item.cause
    if error == "States.DataLimitExceeded":
        # Not an exception on AWS either: the function answered more than 256 KiB.
        return _Oversize()
    if error.startswith("Lambda."):
        message = cause if isinstance(cause, str) else json.dumps(cause)
        return ClientError({"Error": {"Code": error.split(".", 1)[1], "Message": message}}, "Invoke")
    document = cause if isinstance(cause, dict) else {}
    name = str(document.get("errorType") or error or "Exception")
    message = str(document.get("errorMessage", cause if isinstance(cause, str) else ""))
    return type(name, (Exception,), {})(message)


class _Oversize(Exception):
    """Marker: the replay tool must return an oversized payload instead of raising."""


def serve_replay(tool: ReplayTool) -> Any:
    def fn(event: Any, context: Any) -> Any:
        try:
            return tool(event, context)
        except _Oversize:
            return "ü" * 300_000

    return fn
