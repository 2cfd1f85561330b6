"""Live execution history: fetch every event (following ``nextToken``) and follow a running execution.

Used by ``Execution.wait`` (progress bar), the widgets and the CLI. Polling backs off while nothing
happens and snaps back to the fast interval as soon as new events arrive. A history is for drawing
frames only: an endpoint may make one up (moto without its interpreter shows a run SUCCEEDED that
stays RUNNING), so a status is always DescribeExecution's (``Execution.status``), never a terminal event's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from workbench.core.arn import short_name
from workbench.engine.connect.targets import Target
from workbench.engine.errors import WaitTimeoutError

TERMINAL_EVENTS = frozenset({
    "ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut",
})
TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"})
HISTORY_PAGE_SIZE = 1000


class Watchable(Protocol):
    """Anything with a target and an execution ARN (``Execution`` is one)."""

    @property
    def target(self) -> Target: ...

    @property
    def arn(self) -> str: ...


def fetch_events(
    target: Target,
    execution_arn: str,
    *,
    include_execution_data: bool = True,
    reverse: bool = False,
    max_pages: int | None = None,
) -> list[dict[str, Any]]:
    """Raw ``GetExecutionHistory`` events in order, every page (``nextToken``) followed.

    Example:
        >>> events = fetch_events(target, execution.arn)  # doctest: +SKIP
        >>> events[0]["type"]  # doctest: +SKIP
        'ExecutionStarted'
    """
    events: list[dict[str, Any]] = []
    params: dict[str, Any] = {
        "executionArn": execution_arn,
        "maxResults": HISTORY_PAGE_SIZE,
        "includeExecutionData": include_execution_data,
    }
    if reverse:
        params["reverseOrder"] = True
    for count, page in enumerate(target.pages("get_execution_history", **params), start=1):
        events.extend(page.get("events", []))
        if max_pages is not None and count >= max_pages:
            break
    return events


def new_events(target: Target, execution_arn: str, after_id: int, *, page_size: int = 100) -> list[dict[str, Any]]:
    """Events with id > ``after_id``, oldest first, reading the history newest-first (pages cost ~ new events).

    Falls back to a full forward read on engines that ignore ``reverseOrder``.
    """
    fresh: dict[int, dict[str, Any]] = {}
    for page in target.pages("get_execution_history", executionArn=execution_arn, reverseOrder=True,
                             maxResults=page_size, includeExecutionData=True):
        events = page.get("events", [])
        ids = [int(e.get("id", 0)) for e in events]
        if len(ids) > 1 and ids[0] < ids[-1] and page.get("nextToken"):  # forward pages: reverseOrder ignored
            return [e for e in fetch_events(target, execution_arn) if int(e.get("id", 0)) > after_id]
        fresh.update((i, e) for i, e in zip(ids, events, strict=True) if i > after_id)
        if not ids or min(ids) <= after_id + 1:
            break
    return [fresh[i] for i in sorted(fresh)]


def watch(
    execution: Watchable,
    poll_interval: float = 0.2,
    max_interval: float = 2.0,
    timeout: float | None = None,
    *,
    after_id: int = 0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[dict[str, Any]]:
    """Yield each new history event of a running execution, in order, ending after the terminal one.

    Polls back off (x1.6 up to ``max_interval``) while nothing happens and reset on progress; a poll
    waits at least twice as long as the previous read took, so following a big run never starves it
    (checking the cheap status meanwhile).
    ``after_id`` skips events already seen. Raises :class:`WaitTimeoutError` after ``timeout``
    seconds without the end (the execution goes on).

    Example:
        >>> for event in watch(execution):  # doctest: +SKIP
        ...     print(event["id"], event["type"])
        1 ExecutionStarted
        2 PassStateEntered
    """
    last_id = after_id
    interval = poll_interval
    deadline = None if timeout is None else clock() + timeout
    while True:
        began = clock()
        fresh = new_events(execution.target, execution.arn, last_id)
        spent = clock() - began
        for event in fresh:
            last_id = int(event["id"])
            yield event
            if event.get("type") in TERMINAL_EVENTS:
                return
        if not fresh and _finished_without_event(execution):
            return  # the engine recorded the end without a terminal event; nothing more will come
        interval = poll_interval if fresh else min(max_interval, interval * 1.6)
        # Reading a long history must not hog the engine: wait at least twice as long as the read took,
        # but look at the (cheap) status meanwhile so the end is not noticed late.
        stretched = min(2 * spent, max_interval) > interval
        interval = min(max(interval, 2 * spent), max_interval)
        if deadline is not None:
            left = deadline - clock()
            if left <= 0:
                raise still_running(execution.arn, timeout)
            interval = min(interval, left)
        if stretched:
            _nap(execution, interval, poll_interval, sleep)
        else:
            sleep(interval)


def _nap(execution: Watchable, seconds: float, step: float, sleep: Callable[[float], None]) -> None:
    """Sleep ``seconds`` in ``step``s, returning early once the execution has finished."""
    remaining = seconds
    while remaining > 0:
        sleep(min(step, remaining))
        remaining -= step
        status = execution.target.call("describe_execution", executionArn=execution.arn).get("status")
        if status in TERMINAL_STATUSES:
            return


def still_running(execution_arn: str, timeout: float | None) -> WaitTimeoutError:
    """The error for a wait that gave up: the execution itself goes on."""
    return WaitTimeoutError(
        f"Execution {short_name(execution_arn)} is still running after {timeout or 0:g} s; it goes on. "
        "Wait again, or stop it with execution.stop()."
    )


def _finished_without_event(execution: Watchable) -> bool:
    status = execution.target.call("describe_execution", executionArn=execution.arn).get("status")
    if status not in TERMINAL_STATUSES:
        return False
    newest = execution.target.call("get_execution_history", executionArn=execution.arn, reverseOrder=True,
                                   maxResults=10, includeExecutionData=False)
    return not any(e.get("type") in TERMINAL_EVENTS for e in newest.get("events", []))
