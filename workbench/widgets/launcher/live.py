"""Live progress of one execution: fold raw history events, one at a time, into counts and a graph overlay.

Pure (events in, numbers and an :class:`~workbench.viz.Overlay` out), so the launcher's thread only
polls and the reducer can be tested on recorded histories. Task failures name no state, so each
event inherits the state of the event it follows (``previousEventId``), as the history frames do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workbench.viz import Overlay, StateOverlay
from workbench.viz.graph.overlay import Status

_CONTAINERS = ("MapState", "ParallelState")
_ITERATIONS = ("MapIteration", "ParallelIteration", "MapRun")
_FINAL = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED",
          "ExecutionAborted": "ABORTED", "ExecutionTimedOut": "TIMED_OUT"}


@dataclass
class StateTally:
    """What one state (by name, every visit together) has done so far."""

    entered: int = 0
    exited: int = 0
    attempts: int = 0
    failed_attempts: int = 0
    last_failed: bool = False
    fail_state: bool = False
    error: str | None = None
    entered_at: datetime | None = None
    duration_ms: float | None = None

    @property
    def retries(self) -> int:
        return max(self.attempts - self.entered, 0)

    def status(self, execution_status: str) -> Status:
        if self.fail_state:
            return "failed"
        if self.entered > self.exited:  # open at the end: a stopped execution aborted it, it did not fail
            return {"RUNNING": "running", "ABORTED": "aborted"}.get(execution_status, "failed")  # type: ignore[return-value]
        return "caught" if self.last_failed else "succeeded"


def _details(event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


@dataclass
class LiveProgress:
    """Counts and per-state tallies of an execution, updated with :meth:`add`.

    Example:
        >>> p = LiveProgress()
        >>> p.add({"id": 1, "type": "ExecutionStarted"})
        >>> p.add({"id": 2, "previousEventId": 1, "type": "PassStateEntered",
        ...        "stateEnteredEventDetails": {"name": "Hello"}})
        >>> p.events, p.overlay()["Hello"].status
        (2, 'running')
    """

    events: int = 0
    status: str = "RUNNING"
    error: str | None = None
    cause: str | None = None
    output: str | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    states: dict[str, StateTally] = field(default_factory=dict)
    #: The history shows the end (a terminal event after the last ``ExecutionRedriven``, if any).
    history_ended: bool = False
    _state_of: dict[int, str] = field(default_factory=dict, repr=False)
    _open: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def add(self, event: dict[str, Any]) -> None:
        """Fold one history event in (events must come in id order)."""
        self.events += 1
        kind = str(event.get("type", ""))
        event_id = int(event.get("id", 0) or 0)
        details = _details(event)
        when = event.get("timestamp") if isinstance(event.get("timestamp"), datetime) else None
        if kind == "ExecutionStarted":
            self.started_at = when
        if kind == "ExecutionRedriven":  # the same execution goes on from where it stopped
            self.status, self.error, self.cause, self.output, self.stopped_at = "RUNNING", None, None, None, None
            self.history_ended = False
            for tally in self.states.values():  # the visits left open are run again, as new visits
                tally.exited = max(tally.exited, tally.entered)
            return
        if kind in _FINAL:
            self.history_ended = True
            self.status = _FINAL[kind]
            self.error, self.cause = details.get("error"), details.get("cause")
            self.output = details.get("output")
            self.stopped_at = when
            return
        if kind.startswith(_ITERATIONS):
            return  # about an iteration or a map run, not a state: nothing to tally
        name = details.get("name") if kind.endswith(("StateEntered", "StateExited")) else details.get("state")
        container = next((c for c in _CONTAINERS if kind.startswith(c)), None)
        if container is not None:
            name = self._container_event(container, kind, name)
        elif name is None:
            name = self._state_of.get(int(event.get("previousEventId", 0) or 0))
        if name is None:
            return
        self._state_of[event_id] = str(name)
        tally = self.states.setdefault(str(name), StateTally())
        self._apply(tally, kind, details, when)

    def _container_event(self, container: str, kind: str, name: str | None) -> str | None:
        """Map/Parallel events follow their *inner* events' ids, so name them by the open container instead."""
        opened = self._open.setdefault(container, [])
        if kind.endswith("StateEntered") and name is not None:
            opened.append(name)
        elif kind.endswith("StateExited") and name in opened:
            del opened[len(opened) - 1 - opened[::-1].index(name)]
        elif name is None:
            name = opened[-1] if opened else None
        return name

    @staticmethod
    def _apply(tally: StateTally, kind: str, details: dict[str, Any], when: datetime | None) -> None:
        if kind.endswith("StateEntered"):
            tally.entered += 1
            tally.entered_at = when
            tally.fail_state = tally.fail_state or kind == "FailStateEntered"
        elif kind.endswith("StateExited"):
            tally.exited += 1
            if when is not None and tally.entered_at is not None:
                tally.duration_ms = (when - tally.entered_at).total_seconds() * 1000.0
        elif kind.endswith("Scheduled"):
            tally.attempts += 1
        elif kind.endswith(("Failed", "TimedOut")):
            tally.failed_attempts += 1
            tally.last_failed = True
            tally.error = details.get("error") or tally.error
        elif kind.endswith("Succeeded"):
            tally.last_failed = False

    def extend(self, events: list[dict[str, Any]]) -> LiveProgress:
        for event in events:
            self.add(event)
        return self

    @property
    def done(self) -> bool:
        return self.status != "RUNNING"

    @property
    def retries(self) -> int:
        """Retries so far, every state together."""
        return sum(t.retries for t in self.states.values())

    @property
    def duration_s(self) -> float | None:
        """Execution time as the engine recorded it (virtual under time warp); None while running."""
        if self.started_at is None or self.stopped_at is None:
            return None
        return (self.stopped_at - self.started_at).total_seconds()

    def overlay(self) -> Overlay:
        """The graph overlay: one entry per state name reached so far."""
        return Overlay({
            name: StateOverlay(tally.status(self.status), retries=tally.retries, duration_ms=tally.duration_ms,
                               error=tally.error)
            for name, tally in self.states.items()
        })
