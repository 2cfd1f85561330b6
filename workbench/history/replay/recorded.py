"""What each tool call of a recorded execution answered: the evidence a replay serves back.

A recorded history says, for every Lambda call, which state made it, in which visit (the Map iteration or
Parallel branch it ran in: the frames' ``path``), which attempt it was, what it was sent, what it answered
(the result, or the error and cause, or nothing before the Task's timeout) and how long it took. This module
reads exactly that from the history frames (no second walker): the ``attempts`` frame gives state, path,
visit, attempt, outcome, error, cause and timings; the ``events`` frame (with payloads) gives what each
attempt was sent and what its successful attempt returned.

Only Lambda calls are tools here (``arn:aws:lambda:...`` resources and the ``lambda:invoke`` integration):
other service integrations, activities and callbacks are not answered from the recording.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.core.arn import Arn, ArnKind
from workbench.core.lambda_names import function_name
from workbench.history.frames.build import frames
from workbench.history.load.events import ExecutionHistory
from workbench.history.load.readers import Source, load_history

Outcome = Literal["succeeded", "failed", "timed_out"]

#: Attempt outcomes of the frames that are an answer of the function (the rest never ended: aborted, running).
_ANSWERED: dict[str, Outcome] = {"succeeded": "succeeded", "failed": "failed", "timed_out": "timed_out",
                                 "schedule_failed": "failed", "start_failed": "failed", "submit_failed": "failed"}
_SCHEDULED = {"LambdaFunctionScheduled", "TaskScheduled"}
_SUCCEEDED = {"LambdaFunctionSucceeded", "TaskSucceeded"}
_ITERATION = re.compile(r"iter\[(\d+)\]")


def canonical(value: Any) -> str:  # Any: a tool's input is any JSON value
    """One text per JSON value, whatever its key order: how two calls' inputs are compared.

    Example:
        >>> canonical({"b": 1, "a": [1, 2]}) == canonical({"a": [1, 2], "b": 1})
        True
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def json_value(text: Any) -> Any:  # Any: JSON text or an already-decoded JSON value
    """The value JSON text holds (text that is not JSON is returned as it is; None stays None).

    Example:
        >>> json_value('{"a": 1}'), json_value("plain words"), json_value(None)
        ({'a': 1}, 'plain words', None)
    """
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@dataclass(frozen=True)
class RecordedCall:
    """One recorded Lambda call: where it was made (state, visit path, attempt) and what it answered.

    ``visit`` is the visit's number in its execution (0-based, in order of entry, as in the frames);
    ``order`` the call's position among the execution's calls; ``iteration`` the innermost Map iteration
    index of ``path`` (None outside a Map). ``duration_ms`` runs from scheduling to the answer.

    Example:
        >>> call = RecordedCall("Check", "Check", 0, 1, "check-fn", {"n": 1}, "succeeded", result={"ok": True})
        >>> call.key, call.iteration
        (('Check', 'Check', 1), None)
    """

    state: str
    path: str
    visit: int
    attempt: int
    tool: str
    input: Any  # Any: the JSON payload the function was sent
    outcome: Outcome
    result: Any = None  # Any: the JSON value the function returned
    error: str | None = None
    cause: str | None = None
    duration_ms: float = 0.0
    order: int = 0
    execution: str = ""  # the execution it was made in (a Distributed Map child's own, for its calls)

    @property
    def key(self) -> tuple[str, str, int]:
        """``(state, path, attempt)``: where the call was made."""
        return self.state, self.path, self.attempt

    @property
    def iteration(self) -> int | None:
        """The innermost Map iteration index in :attr:`path` (None outside a Map)."""
        found = _ITERATION.findall(self.path)
        return int(found[-1]) if found else None

    @property
    def input_key(self) -> str:
        """The input as :func:`canonical` text."""
        return canonical(self.input)

    def describe(self) -> str:
        """The call in words, for divergences and notes (no payloads)."""
        where = self.path if self.path != self.state else self.state
        return f"{where} (visit {self.visit + 1}, attempt {self.attempt}) {self.outcome}"


@dataclass(frozen=True)
class RecordedCalls:
    """Every recorded Lambda call of one execution, in recorded order.

    Example:
        >>> corpus = "../shared/corpus/histories/"
        >>> calls = recorded_calls(corpus + "test_base_scenarios__test_lambda_invoke_with_retry_base.json")
        >>> [(c.state, c.attempt, c.outcome, c.error) for c in calls][:2]
        [('InvokeLambdaWithRetry', 1, 'failed', 'Exception'), ('InvokeLambdaWithRetry', 2, 'failed', 'Exception')]
    """

    execution: str
    calls: tuple[RecordedCall, ...] = field(default_factory=tuple)

    def __iter__(self) -> Iterator[RecordedCall]:
        return iter(self.calls)

    def __len__(self) -> int:
        return len(self.calls)

    def by_key(self) -> dict[tuple[str, str, int], tuple[RecordedCall, ...]]:
        """``(state, path, attempt)`` → the calls made there, in recorded order (a loop visits a key again)."""
        out: dict[tuple[str, str, int], list[RecordedCall]] = {}
        for call in self.calls:
            out.setdefault(call.key, []).append(call)
        return {key: tuple(found) for key, found in out.items()}

    @property
    def tools(self) -> tuple[str, ...]:
        """The functions called, in order of first call."""
        return tuple(dict.fromkeys(call.tool for call in self.calls if call.tool))

    def last(self, *, tool: str | None = None, state: str | None = None,
             succeeded: bool = False) -> RecordedCall | None:
        """The last recorded call of ``tool`` (or made by ``state``), optionally the last that succeeded."""
        for call in reversed(self.calls):
            if tool is not None and call.tool != tool:
                continue
            if state is not None and call.state != state:
                continue
            if succeeded and call.outcome != "succeeded":
                continue
            return call
        return None


def is_lambda_invoke(resource: object) -> bool:
    """Whether a Task ``Resource`` is the ``lambda:invoke`` integration (any pattern): its calls are tools.

    Example:
        >>> is_lambda_invoke("arn:aws:states:::lambda:invoke"), is_lambda_invoke("arn:aws:states:::sqs:sendMessage")
        (True, False)
    """
    arn = Arn.try_parse(resource, ArnKind.INTEGRATION)
    found = arn.integration if arn is not None else None
    return found is not None and not found.sdk and (found.service, found.action) == ("lambda", "invoke")


def _is_lambda(kind: str, resource: str, resource_type: str) -> bool:
    if kind == "lambda":
        return True
    return kind == "task" and resource_type == "lambda" and resource == "invoke"


def _sent(event_type: str, text: Any) -> tuple[str, Any]:  # Any: JSON payload as recorded
    """``(function name, payload)`` of a scheduled call: the integration's parameters, or the legacy input."""
    value = json_value(text)
    if event_type == "TaskScheduled":
        if isinstance(value, dict):
            name = value.get("FunctionName")
            return (_bare(name) if isinstance(name, str) else ""), value.get("Payload")
        return "", None
    return "", value


def _bare(name: str) -> str:
    try:
        return function_name(name)
    except ValueError:
        return name


def _returned(event_type: str, text: Any) -> Any:  # Any: JSON value the function returned
    value = json_value(text)
    if event_type == "TaskSucceeded" and isinstance(value, dict) and "Payload" in value:
        return value["Payload"]  # lambda:invoke wraps the function's answer
    return value


def _number(value: Any) -> float:  # Any: a pandas cell
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(number) else number


def _text(value: Any) -> str | None:  # Any: a pandas cell (NaN/NA for missing text)
    return value if isinstance(value, str) else None


def recorded_calls(history: ExecutionHistory | Source) -> RecordedCalls:
    """The outcome of every Lambda call of a recorded execution, keyed by state, visit path and attempt.

    Why: a replay serves each call what it answered when it was recorded; this is that evidence, read from
    the history frames. ``history`` is an :class:`ExecutionHistory` or anything ``load_history`` reads.

    Example:
        >>> calls = recorded_calls("../shared/corpus/histories/test_lambda_task_service__test_invoke.json")
        >>> [(c.state, c.path, c.attempt, c.outcome, c.result) for c in calls]
        [('Start', 'Start', 1, 'succeeded', {})]
    """
    loaded = history if isinstance(history, ExecutionHistory) else load_history(history)
    built = frames(loaded, payloads=True)
    attempts, events = built.attempts, built.events
    sent: dict[int, list[tuple[str, Any]]] = {}  # Any: JSON payloads; visit -> what each attempt was sent
    answers: dict[int, Any] = {}  # Any: JSON values; visit -> what its successful attempt returned
    for event_type, visit, text_in, text_out in zip(events["type"].astype(str), events["visit"],
                                                     events["input"], events["output"], strict=True):
        if event_type in _SCHEDULED:
            sent.setdefault(int(visit), []).append(_sent(event_type, _text(text_in)))
        elif event_type in _SUCCEEDED:
            answers[int(visit)] = _returned(event_type, _text(text_out))
    calls: list[RecordedCall] = []
    columns = ("kind", "resource", "resource_type", "state", "path", "visit", "attempt", "outcome", "error",
               "cause", "queue_ms", "run_ms")
    rows = zip(*(attempts[c].astype(object) for c in columns), strict=True)
    for kind, resource, rtype, state, path, visit, attempt, outcome, error, cause, queue_ms, run_ms in rows:
        answered = _ANSWERED.get(str(outcome))
        if answered is None or not _is_lambda(str(kind), str(resource), str(rtype)):
            continue
        inputs = sent.get(int(visit)) or [("", None)]
        tool, payload = inputs[min(int(attempt), len(inputs)) - 1]
        if not tool and kind == "lambda":
            tool = _bare(str(resource))
        calls.append(RecordedCall(
            state=str(state), path=str(path), visit=int(visit), attempt=int(attempt), tool=tool, input=payload,
            outcome=answered, result=answers.get(int(visit)) if answered == "succeeded" else None,
            error=_text(error), cause=_text(cause), duration_ms=_number(queue_ms) + _number(run_ms),
            order=len(calls), execution=loaded.execution_arn))
    return RecordedCalls(loaded.execution_arn, tuple(calls))
