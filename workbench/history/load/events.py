"""The execution-history event model shared by every input format.

Whatever the source (a saved ``get_execution_history`` response, the console's export, the
recorded corpus, Express CloudWatch Logs records), :func:`~workbench.history.load.load_history`
turns it into one :class:`ExecutionHistory` of :class:`HistoryEvent` objects:

* ``ts`` is epoch seconds as a float (``NaN`` when the source hid it), exposed as a UTC
  ``datetime`` by :attr:`HistoryEvent.timestamp`;
* ``details`` is the event's ``...EventDetails`` object, with ``input``/``output``/``cause``/
  ``parameters`` always JSON *text* (as the API sends them), whatever the source did;
* ``previous_id`` is ``None`` when the source replaced ids by placeholders.

:data:`EVENT_META` describes each of the 62 ``HistoryEventType`` values of the Step Functions API
(``Role`` = what the event does to a state visit), so the frame builders never guess from names;
future types are kept with role ``UNKNOWN`` (and :class:`UnknownEventTypeWarning`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import NamedTuple

import orjson

from workbench.core.diagnostics import Diagnostic, DiagnosticError, Severity
from workbench.history._types import JsonDict, JsonMapping

#: Step Functions keeps at most this many events per execution; it fails executions that reach it.
MAX_HISTORY_EVENTS = 25_000

#: Status of an execution whose history stops before its end (a pending nextToken, a cut file).
INCOMPLETE = "INCOMPLETE"

#: ASL state types, in the order the frames use for their categories.
STATE_TYPES = ("Task", "Choice", "Map", "Parallel", "Pass", "Wait", "Succeed", "Fail")

EMPTY_DETAILS: JsonMapping = MappingProxyType({})


# --- roles: what an event does (plain ints: the walker compares millions of them) -----------------
EXEC_STARTED, EXEC_ENDED, EXEC_REDRIVEN = 0, 1, 2
ENTERED, EXITED, STATE_ABORTED = 3, 4, 5
CONTAINER_STARTED, CONTAINER_SUCCEEDED, CONTAINER_FAILED, CONTAINER_ABORTED = 6, 7, 8, 9
ITER_STARTED, ITER_SUCCEEDED, ITER_FAILED, ITER_ABORTED = 10, 11, 12, 13
MAPRUN_STARTED, MAPRUN_SUCCEEDED, MAPRUN_FAILED, MAPRUN_ABORTED, MAPRUN_REDRIVEN = 14, 15, 16, 17, 18
SCHEDULED, ATTEMPT_STARTED, SUBMITTED, ATTEMPT_SUCCEEDED = 19, 20, 21, 22
ATTEMPT_FAILED, TIMED_OUT, SCHEDULE_FAILED, START_FAILED, SUBMIT_FAILED = 23, 24, 25, 26, 27
EVALUATION_FAILED, UNKNOWN = 28, 29

#: Attempt-ending roles and the ``outcome`` they give an attempt row.
ATTEMPT_OUTCOME = {
    ATTEMPT_SUCCEEDED: "succeeded", ATTEMPT_FAILED: "failed", TIMED_OUT: "timed_out",
    SCHEDULE_FAILED: "schedule_failed", START_FAILED: "start_failed", SUBMIT_FAILED: "submit_failed",
}


class EventMeta(NamedTuple):
    """Static facts about one event type."""

    role: int
    owner: str  # state type of the visit the event belongs to ("" for execution-level events)
    details_key: str | None  # e.g. "taskFailedEventDetails"
    input_key: str | None  # payload counted as input_size
    output_key: str | None  # payload counted as output_size
    kind: str  # attempt kind: task | lambda | activity ("" otherwise)
    status: str  # execution status for EXEC_ENDED ("" otherwise)


def _key(etype: str) -> str:
    return etype[0].lower() + etype[1:] + "EventDetails"


def _build_meta() -> dict[str, EventMeta]:
    meta: dict[str, EventMeta] = {}
    entered, exited = "stateEnteredEventDetails", "stateExitedEventDetails"
    for st in STATE_TYPES:
        meta[f"{st}StateEntered"] = EventMeta(ENTERED, st, entered, "input", None, "", "")
        if st != "Fail":
            meta[f"{st}StateExited"] = EventMeta(EXITED, st, exited, None, "output", "", "")
    for st in ("Task", "Wait"):
        meta[f"{st}StateAborted"] = EventMeta(STATE_ABORTED, st, None, None, None, "", "")
    for st in ("Map", "Parallel"):
        for suffix, role in (("Started", CONTAINER_STARTED), ("Succeeded", CONTAINER_SUCCEEDED),
                             ("Failed", CONTAINER_FAILED), ("Aborted", CONTAINER_ABORTED)):
            meta[f"{st}State{suffix}"] = EventMeta(role, st, _key(f"{st}State{suffix}"), None, None, "", "")
    for suffix, role in (("Started", ITER_STARTED), ("Succeeded", ITER_SUCCEEDED),
                         ("Failed", ITER_FAILED), ("Aborted", ITER_ABORTED)):
        meta[f"MapIteration{suffix}"] = EventMeta(role, "Map", _key(f"MapIteration{suffix}"), None, None, "", "")
    for suffix, role in (("Started", MAPRUN_STARTED), ("Succeeded", MAPRUN_SUCCEEDED), ("Failed", MAPRUN_FAILED),
                         ("Aborted", MAPRUN_ABORTED), ("Redriven", MAPRUN_REDRIVEN)):
        meta[f"MapRun{suffix}"] = EventMeta(role, "Map", _key(f"MapRun{suffix}"), None, None, "", "")
    attempt_events = {
        "task": ("Task", {"Scheduled": SCHEDULED, "Started": ATTEMPT_STARTED, "Submitted": SUBMITTED,
                          "Succeeded": ATTEMPT_SUCCEEDED, "Failed": ATTEMPT_FAILED, "TimedOut": TIMED_OUT,
                          "StartFailed": START_FAILED, "SubmitFailed": SUBMIT_FAILED}),
        "lambda": ("LambdaFunction", {"Scheduled": SCHEDULED, "Started": ATTEMPT_STARTED,
                                      "Succeeded": ATTEMPT_SUCCEEDED, "Failed": ATTEMPT_FAILED,
                                      "TimedOut": TIMED_OUT, "ScheduleFailed": SCHEDULE_FAILED,
                                      "StartFailed": START_FAILED}),
        "activity": ("Activity", {"Scheduled": SCHEDULED, "Started": ATTEMPT_STARTED,
                                  "Succeeded": ATTEMPT_SUCCEEDED, "Failed": ATTEMPT_FAILED,
                                  "TimedOut": TIMED_OUT, "ScheduleFailed": SCHEDULE_FAILED}),
    }
    for kind, (prefix, suffixes) in attempt_events.items():
        for suffix, role in suffixes.items():
            etype = prefix + suffix
            in_key = ("parameters" if kind == "task" else "input") if role == SCHEDULED else None
            out_key = "output" if role in (ATTEMPT_SUCCEEDED, SUBMITTED) else None
            meta[etype] = EventMeta(role, "Task", _key(etype), in_key, out_key, kind, "")
    meta["ExecutionStarted"] = EventMeta(EXEC_STARTED, "", _key("ExecutionStarted"), "input", None, "", "")
    for suffix, status in (("Succeeded", "SUCCEEDED"), ("Failed", "FAILED"), ("TimedOut", "TIMED_OUT"),
                           ("Aborted", "ABORTED")):
        out = "output" if suffix == "Succeeded" else None
        meta[f"Execution{suffix}"] = EventMeta(EXEC_ENDED, "", _key(f"Execution{suffix}"), None, out, "", status)
    meta["ExecutionRedriven"] = EventMeta(EXEC_REDRIVEN, "", _key("ExecutionRedriven"), None, None, "", "")
    meta["EvaluationFailed"] = EventMeta(EVALUATION_FAILED, "", _key("EvaluationFailed"), None, None, "", "")
    # Types the API gives no details object (e.g. ParallelStateStarted, LambdaFunctionStarted, MapRunSucceeded).
    return {t: m if m.details_key in _DETAILS_MEMBERS else m._replace(details_key=None) for t, m in meta.items()}


#: The ``...EventDetails`` members of ``HistoryEvent`` in the API model.
_DETAILS_MEMBERS = frozenset(
    _key(t) for t in (
        "ActivityFailed", "ActivityScheduleFailed", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded",
        "ActivityTimedOut", "TaskFailed", "TaskScheduled", "TaskStartFailed", "TaskStarted", "TaskSubmitFailed",
        "TaskSubmitted", "TaskSucceeded", "TaskTimedOut", "ExecutionFailed", "ExecutionStarted",
        "ExecutionSucceeded", "ExecutionAborted", "ExecutionTimedOut", "ExecutionRedriven", "MapStateStarted",
        "MapIterationStarted", "MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted",
        "LambdaFunctionFailed", "LambdaFunctionScheduleFailed", "LambdaFunctionScheduled",
        "LambdaFunctionStartFailed", "LambdaFunctionSucceeded", "LambdaFunctionTimedOut", "StateEntered",
        "StateExited", "MapRunStarted", "MapRunFailed", "MapRunRedriven", "EvaluationFailed"))


#: Facts for every ``HistoryEventType`` in the Step Functions API model (62 today).
EVENT_META: dict[str, EventMeta] = _build_meta()
HISTORY_EVENT_TYPES: tuple[str, ...] = tuple(EVENT_META)

#: Details fields that carry JSON documents; always presented as JSON text.
PAYLOAD_FIELDS = ("input", "output", "cause", "parameters")


def meta_for(etype: str) -> EventMeta:
    """Facts for a type, inferring what we can for a type newer than this code (role UNKNOWN)."""
    known = EVENT_META.get(etype)
    if known is not None:
        return known
    for st in STATE_TYPES:  # a new kind of Entered/Exited for a known state type is still usable
        if etype == f"{st}StateEntered":
            return EventMeta(ENTERED, st, "stateEnteredEventDetails", "input", None, "", "")
    return EventMeta(UNKNOWN, "", _key(etype), None, None, "", "")


# --- event type codes: histories store small ints, frames turn them into one categorical -----------
#: Code → type name; the 62 API types first, then unknown types in the order they were met (append-only).
TYPE_NAMES: list[str] = list(HISTORY_EVENT_TYPES)
#: Code → facts, parallel to TYPE_NAMES.
TYPE_METAS: list[EventMeta] = [EVENT_META[t] for t in HISTORY_EVENT_TYPES]
TYPE_CODES: dict[str, int] = {t: i for i, t in enumerate(HISTORY_EVENT_TYPES)}
#: Code → details key (None for types without details), for C-speed extraction in the loader.
DETAILS_KEYS: list[str | None] = [m.details_key for m in TYPE_METAS]


_REGISTER = threading.Lock()  # fetch loads histories from several threads


def type_code(etype: str) -> int:
    """The code of an event type, registering a type this version does not know."""
    code = TYPE_CODES.get(etype)
    if code is None:
        with _REGISTER:
            code = TYPE_CODES.get(etype)
            if code is None:
                meta = meta_for(etype)
                TYPE_NAMES.append(etype)
                TYPE_METAS.append(meta)
                DETAILS_KEYS.append(meta.details_key)
                code = TYPE_CODES[etype] = len(TYPE_NAMES) - 1
    return code


def payload_text(details: JsonMapping) -> JsonMapping:
    """``input``/``output``/``cause``/``parameters`` as JSON text (sources may hold parsed values).

    Copy-on-write: the caller's objects are never modified.
    """
    out: JsonDict | None = None
    for f in PAYLOAD_FIELDS:
        v = details.get(f)
        if v is not None and type(v) is not str:
            if out is None:
                out = dict(details)
            out[f] = orjson.dumps(v).decode()
    return details if out is None else out


@dataclass(slots=True)
class HistoryEvent:
    """One event: ``id``, ``previous_id`` (None = hidden by the source), ``type``, ``ts``, ``details``.

    Example:
        >>> e = HistoryEvent(2, 0, "TaskStateEntered", 1700000000.5, {"name": "Fetch"})
        >>> e.name, e.timestamp.isoformat()
        ('Fetch', '2023-11-14T22:13:20.500000+00:00')
    """

    id: int
    previous_id: int | None
    type: str
    ts: float
    details: JsonMapping

    @property
    def timestamp(self) -> datetime | None:
        """UTC time of the event, or None for placeholder timestamps."""
        return None if math.isnan(self.ts) else datetime.fromtimestamp(self.ts, UTC)

    @property
    def name(self) -> str | None:
        """State name for Entered/Exited/MapIteration events."""
        value = self.details.get("name")
        return value if isinstance(value, str) else None

    @property
    def error(self) -> str | None:
        value = self.details.get("error")
        return value if isinstance(value, str) else None

    @property
    def cause(self) -> str | None:
        value = self.details.get("cause")
        return value if isinstance(value, str) else None


class EventColumns(NamedTuple):
    """A history's events column by column (how histories are stored: fast and compact)."""

    ids: Sequence[int]
    prevs: Sequence[int]  # previousEventId; -1 = unknown (placeholder ids)
    codes: Sequence[int]  # event type codes (TYPE_NAMES)
    ts: Sequence[float]  # epoch seconds; NaN = unknown
    details: Sequence[JsonMapping]


class ExecutionHistory:
    """All events of one execution plus what we know around them.

    Events are stored as :class:`EventColumns`; :attr:`events` gives them as :class:`HistoryEvent`
    objects (built on first access). ``problems`` lists what loading found wrong (missing events,
    placeholder ids...), and ``synthetic_ids`` the ids invented for placeholder ids; the frames
    report both (``executions.complete``, ``events.id_known``), so an incomplete history never
    looks exact.

    Example:
        >>> h = ExecutionHistory("arn:aws:states:eu-west-1:1:execution:M:r1",
        ...                      [HistoryEvent(1, 0, "ExecutionStarted", 1700000000.0, {})])
        >>> h.status, len(h), h.events[0].type
        ('RUNNING', 1, 'ExecutionStarted')
    """

    def __init__(self, execution_arn: str, events: list[HistoryEvent] | None = None,
                 definition: JsonDict | None = None, state_machine_arn: str | None = None, *,
                 source: str | None = None, format: str = "api", problems: tuple[str, ...] = (),
                 synthetic_ids: frozenset[int] = frozenset(), columns: EventColumns | None = None,
                 truncated: str | None = None) -> None:
        self.execution_arn = execution_arn
        self.definition = definition
        self.state_machine_arn = state_machine_arn
        self.source = source
        self.format = format
        self.problems = problems
        self.synthetic_ids = synthetic_ids
        #: Why the history stops before its execution's end (a pending nextToken...), else None.
        self.truncated = truncated
        self._events = events
        if columns is None:
            evs = events or []
            columns = EventColumns([e.id for e in evs], [-1 if e.previous_id is None else e.previous_id for e in evs],
                                   [type_code(e.type) for e in evs], [e.ts for e in evs],
                                   [e.details for e in evs])
        self.columns = columns

    @property
    def events(self) -> list[HistoryEvent]:
        """The events as objects (payload fields as JSON text)."""
        if self._events is None:
            c = self.columns
            names = TYPE_NAMES
            self._events = [HistoryEvent(i, None if p < 0 else p, names[t], ts, payload_text(d))
                            for i, p, t, ts, d in zip(c.ids, c.prevs, c.codes, c.ts, c.details, strict=True)]
        return self._events

    def __len__(self) -> int:
        return len(self.columns.ids)

    @property
    def complete(self) -> bool:
        """False when events are missing or their ids/order had to be reconstructed."""
        return not self.problems

    @property
    def status(self) -> str:
        """AWS status word from the terminal event (RUNNING when there is none); INCOMPLETE when the history
        stops before its execution's end (:attr:`truncated`)."""
        if self.truncated:
            return INCOMPLETE
        for code in reversed(self.columns.codes):
            meta = TYPE_METAS[code]
            if meta.role == EXEC_ENDED:
                return meta.status
        return "RUNNING"

    def __repr__(self) -> str:
        return (f"ExecutionHistory({self.execution_arn!r}, {len(self)} events, status={self.status}, "
                f"definition={'yes' if self.definition else 'no'})")


# --- errors and warnings ---------------------------------------------------------------------------
class HistoryLoadError(DiagnosticError):
    """A history cannot be read: bad JSON, not a history, malformed events, missing events (strict).

    The message names the file (or ``<object>``), the place (``events[12].previousEventId``) and a fix.
    """


def history_error(code: str, message: str, source: str | None, location: str = "",
                  hint: str | None = None, line: int | None = None, column: int | None = None) -> HistoryLoadError:
    """Build a :class:`HistoryLoadError` carrying one :class:`Diagnostic`."""
    diag = Diagnostic(code=code, severity=Severity.ERROR, message=message, location=location,
                      file=source, line=line, column=column, hint=hint)
    return HistoryLoadError([diag])


class HistoryWarning(UserWarning):
    """Base class: the history loaded, but some numbers derived from it may be approximate."""


class IncompleteHistoryWarning(HistoryWarning):
    """Events are missing: a gap in ids, or a ``previousEventId`` that points at no event."""


class TruncatedHistoryWarning(IncompleteHistoryWarning):
    """The history stops before its execution's end: a ``nextToken`` was still pending, or the execution
    is known to have finished but no terminal event is there. Its status is ``INCOMPLETE``."""


class BackwardsTimestampsWarning(HistoryWarning):
    """Timestamps run backwards (an event is earlier than the one before it); durations crossing it are NaN."""


class PlaceholderIdsWarning(HistoryWarning):
    """Ids were placeholders (e.g. a normalised recording): ids synthesised, order inside blocks guessed."""


class UnknownEventTypeWarning(HistoryWarning):
    """An event type this version does not know; the event is kept with role UNKNOWN."""


class HistoryLimitWarning(HistoryWarning):
    """The execution hit Step Functions' 25,000-event history limit."""
