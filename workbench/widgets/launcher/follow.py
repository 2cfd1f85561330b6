"""Follow one execution for the launcher: DescribeExecution gives the status, the history only the progress.

Each poll asks DescribeExecution first, then reads the new history events. The status the operator reads
is always DescribeExecution's: a history that has not shown the end yet (or an endpoint that makes one up)
never keeps a stopped run on RUNNING. Following ends once DescribeExecution reports a terminal status and
the history has shown it too (or a few polls later, for engines that record no terminal event).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from workbench.core.diagnostics import WorkbenchError
from workbench.engine.run.launch import Execution
from workbench.engine.run.watch import TERMINAL_STATUSES, new_events
from workbench.widgets.launcher.live import LiveProgress

POLL_S = 0.25
#: Polls to wait, once DescribeExecution says terminal, for the history to show the end too.
SETTLE_POLLS = 8
STOP_ERROR = "Operator.Stopped"
STOP_CAUSE = "stopped from the launcher"


def follow(execution: Execution, progress: LiveProgress, events: list[dict[str, Any]], *,
           stop_asked: threading.Event, on_poll: Callable[[str, bool], None],
           poll_s: float = POLL_S) -> dict[str, Any]:
    """Poll until DescribeExecution says the execution ended; returns its last DescribeExecution answer.

    ``events`` (the history so far) and ``progress`` are extended in place; ``on_poll(status, new_events)``
    runs after each poll. Setting ``stop_asked`` sends StopExecution at the next poll (and wakes it).

    Example:
        >>> described = follow(run, LiveProgress(), [], stop_asked=threading.Event(),
        ...                    on_poll=lambda status, fresh: None)  # doctest: +SKIP
        >>> described["status"]  # doctest: +SKIP
        'SUCCEEDED'
    """
    last_id = int(events[-1]["id"]) if events else 0
    late = 0
    while True:
        if stop_asked.is_set():
            stop_asked.clear()
            _send_stop(execution)
        described = execution.describe()
        status = str(described.get("status"))
        fresh = new_events(execution.target, execution.arn, last_id)
        if fresh:
            last_id = int(fresh[-1]["id"])
            events.extend(fresh)
            progress.extend(fresh)
        progress.status = status  # the history draws; DescribeExecution decides
        on_poll(status, bool(fresh))
        if status in TERMINAL_STATUSES:
            if progress.history_ended or late >= SETTLE_POLLS:
                return described
            late += 1
        stop_asked.wait(poll_s)  # Stop wakes the loop at once


def _send_stop(execution: Execution) -> None:
    """StopExecution; an execution that ended meanwhile needs none (the next DescribeExecution shows its end)."""
    try:
        execution.stop(error=STOP_ERROR, cause=STOP_CAUSE)
    except WorkbenchError:
        if execution.describe().get("status") not in TERMINAL_STATUSES:
            raise
