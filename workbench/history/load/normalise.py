"""Turn one execution's raw events (any source) into :class:`EventColumns`: the shared event model.

The wire format takes a fast path (a plain loop, type checks over whole columns); everything else
(placeholder ids, ISO/ms/datetime timestamps, decoded payloads, unknown types) goes event by event so
that errors can name the event. Problems found here become warnings plus ``ExecutionHistory.problems``.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from workbench.core.arn import EXECUTION_KINDS, Arn
from workbench.history._types import JsonDict
from workbench.history.load.events import (
    ATTEMPT_FAILED,
    ATTEMPT_STARTED,
    ATTEMPT_SUCCEEDED,
    CONTAINER_ABORTED,
    CONTAINER_FAILED,
    CONTAINER_STARTED,
    CONTAINER_SUCCEEDED,
    DETAILS_KEYS,
    EMPTY_DETAILS,
    ENTERED,
    EXEC_ENDED,
    EXEC_REDRIVEN,
    EXITED,
    HISTORY_EVENT_TYPES,
    ITER_FAILED,
    ITER_STARTED,
    ITER_SUCCEEDED,
    MAX_HISTORY_EVENTS,
    SCHEDULED,
    STATE_ABORTED,
    SUBMITTED,
    TYPE_CODES,
    TYPE_METAS,
    TYPE_NAMES,
    UNKNOWN,
    BackwardsTimestampsWarning,
    EventColumns,
    ExecutionHistory,
    HistoryLimitWarning,
    IncompleteHistoryWarning,
    PlaceholderIdsWarning,
    TruncatedHistoryWarning,
    UnknownEventTypeWarning,
    history_error,
    payload_text,
    type_code,
)

_NAN = float("nan")


class RawHistory:
    """One execution's events as found in the source, before normalisation.

    ``next_token``: the ``nextToken`` the saved response still carried (more pages were never read);
    ``declared_status``: the execution's status as the source states it beside the events (e.g. from
    ``DescribeExecution``), used to tell a finished execution's cut history from a running one.
    """

    def __init__(self, events: list[Any], fmt: str, arn: str | None = None,  # Any: events are JSON from files / the API
                 definition: JsonDict | None = None, machine: str | None = None, *,
                 next_token: Any = None, declared_status: Any = None) -> None:  # Any: JSON
        self.events, self.fmt, self.arn, self.definition, self.machine = events, fmt, arn, definition, machine
        self.next_token, self.declared_status = next_token, declared_status


def machine_from_arn(arn: str | None) -> str | None:
    """``...:execution:Machine:run`` / ``...:express:Machine:run:id`` → the state machine ARN."""
    found = Arn.try_parse(arn, *EXECUTION_KINDS) if arn else None
    machine = found.state_machine if found else None
    return str(machine) if machine else None


# --- normalisation --------------------------------------------------------------------------------------
def _timestamp(value: Any, name: str, where: str) -> float:  # Any: events are JSON from files / the API
    kind = type(value)
    if kind is float or kind is int:
        return float(value) / 1000.0 if value > 1e11 else float(value)  # epoch seconds, or ms when huge
    if kind is str:
        if value in ("timestamp", ""):  # corpus placeholder
            return _NAN
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            try:
                return _timestamp(float(value), name, where)
            except ValueError:
                raise history_error("HIST003", f"unreadable timestamp {value!r}", name, location=where,
                                    hint="timestamps must be epoch seconds or ISO-8601") from None
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if value is None:
        return _NAN
    raise history_error("HIST003", f"unreadable timestamp {value!r}", name, location=where,
                        hint="timestamps must be epoch seconds or ISO-8601")


def _details(ev: JsonDict, key: str | None) -> Any:  # Any: events are JSON from files / the API
    details = ev.get(key) if key else None
    if not isinstance(details, dict):
        for k, v in ev.items():  # unknown type, or a details key under an unexpected name
            if k.endswith("EventDetails") and isinstance(v, dict):
                return payload_text(v)
        return EMPTY_DETAILS
    return payload_text(details)


def _fast_columns(evs: list[Any]) -> EventColumns | None:  # Any: events are JSON from files / the API
    """Wire-format events (int ids, epoch-second floats, known types) column by column.

    Returns None whenever anything is unusual; the per-event path then handles it (and explains errors).
    A plain loop with appends beats ``zip(*map(itemgetter(...)))`` here (measured), so that is what it is.
    """
    codes: list[int] = []
    ids: list[int] = []
    tss: list[float] = []
    prevs: list[int] = []
    details: list[Any] = []  # Any: events are JSON from files / the API
    code_of, key_of, empty = TYPE_CODES, DETAILS_KEYS, EMPTY_DETAILS
    add_code, add_id, add_ts, add_prev, add_details = (codes.append, ids.append, tss.append, prevs.append,
                                                       details.append)
    try:
        for ev in evs:
            code = code_of[ev["type"]]
            add_code(code)
            add_id(ev["id"])
            add_ts(ev["timestamp"])
            add_prev(ev["previousEventId"])
            add_details(ev.get(key_of[code], empty))
    except (KeyError, TypeError, AttributeError):
        return None
    if not set(map(type, ids)) <= {int} or not set(map(type, prevs)) <= {int}:
        return None
    ts_types = set(map(type, tss))
    if not ts_types <= {float, int} or (tss and max(tss) >= 1e11):
        return None
    if int in ts_types:
        tss = [float(t) for t in tss]
    if not set(map(type, details)) <= {dict, MappingProxyType}:
        return None
    return EventColumns(ids, prevs, codes, tss, details)


def _slow_columns(evs: list[Any], name: str) -> tuple[EventColumns, list[int]]:  # Any: JSON
    """Events of every shape: placeholder ids, ISO/ms/datetime timestamps, decoded payloads, unknown types."""
    ids: list[int] = []
    prevs: list[int] = []
    codes: list[int] = []
    tss: list[float] = []
    details: list[Any] = []  # Any: events are JSON from files / the API
    placeholders: list[int] = []
    for k, ev in enumerate(evs):
        try:
            etype = ev["type"]
            eid = ev["id"]
            ts = ev["timestamp"]
        except (KeyError, TypeError):
            missing = [f for f in ("id", "type", "timestamp") if not (isinstance(ev, dict) and f in ev)]
            raise history_error("HIST003", f"event is missing {', '.join(missing) or 'its fields'}", name,
                                location=f"events[{k}]", hint="the history is damaged; fetch it again") from None
        if not isinstance(etype, str):
            raise history_error("HIST003", f"event type is not a string: {etype!r}", name,
                                location=f"events[{k}].type", hint="the history is damaged")
        code = type_code(etype)
        prev = ev.get("previousEventId")
        if type(eid) is not int:
            if isinstance(eid, str) and eid.isdigit():
                eid = int(eid)
            else:  # placeholder id (e.g. [0] in normalised recordings)
                placeholders.append(k)
                eid, prev = -1, None
        if type(prev) is not int:
            prev = int(prev) if isinstance(prev, str) and prev.isdigit() else -1
        ids.append(eid)
        prevs.append(prev)
        codes.append(code)
        tss.append(_timestamp(ts, name, f"events[{k}].timestamp"))
        details.append(_details(ev, DETAILS_KEYS[code]))
    return EventColumns(ids, prevs, codes, tss, details), placeholders


def normalise(raw: RawHistory, arn: str, name: str, strict: bool) -> ExecutionHistory:
    """One raw history → :class:`ExecutionHistory`, with its problems warned about and recorded.

    Example:
        >>> raw = RawHistory([{"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1.0}], "api")
        >>> h = normalise(raw, "run-1", "<object>", strict=False)
        >>> h.execution_arn, h.status
        ('run-1', 'RUNNING')
    """
    if not raw.events:
        raise history_error("HIST002", "the history has no events", name, location="events",
                            hint="the execution may not exist any more; fetch it again")
    cols = _fast_columns(raw.events) if raw.fmt == "api" else None
    placeholders: list[int] = []
    if cols is None:
        cols, placeholders = _slow_columns(raw.events, name)
    problems: list[str] = []
    synthetic: frozenset[int] = frozenset()
    if placeholders:
        cols, synthetic = _fill_placeholder_ids(cols, placeholders)
        msg = (f"{len(placeholders)} events had placeholder ids (a normalised recording): ids were "
               "synthesised and the order inside those blocks is a best guess")
        problems.append(msg)
        warnings.warn(f"{name}: {msg}", PlaceholderIdsWarning, stacklevel=4)
    cols = _ordered(cols, name)
    problems.extend(_check_links(cols, synthetic, name, strict))
    unknown = sorted({TYPE_NAMES[c] for c in set(cols.codes) if c >= len(HISTORY_EVENT_TYPES)})
    if unknown:
        warnings.warn(f"{name}: unknown event types kept as-is: {', '.join(unknown)}",
                      UnknownEventTypeWarning, stacklevel=4)
    n = len(cols.ids)
    if n >= MAX_HISTORY_EVENTS:
        warnings.warn(f"{name}: {n} events; Step Functions fails an execution whose history reaches "
                      f"{MAX_HISTORY_EVENTS:,} events. Move the loop into child executions or a Distributed Map",
                      HistoryLimitWarning, stacklevel=4)
    truncated = truncation(raw, cols.codes)
    if truncated:
        problems.append(truncated)
        warnings.warn(f"{name}: {truncated}; its status is INCOMPLETE", TruncatedHistoryWarning, stacklevel=4)
    _check_clock(cols, name)
    machine = raw.machine or machine_from_arn(raw.arn)
    return ExecutionHistory(arn, None, raw.definition, machine, source=name, format=raw.fmt,
                            problems=tuple(problems), synthetic_ids=synthetic, columns=cols, truncated=truncated)


_FINISHED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


def truncation(raw: RawHistory, codes: Sequence[int]) -> str | None:
    """Why the events stop before the execution's end, or None: a pending nextToken, or a finished
    execution (as the source declares) whose last event is not a terminal one.

    Example:
        >>> truncation(RawHistory([], "api", next_token="abc"), []) is not None
        True
    """
    if isinstance(raw.next_token, str) and raw.next_token:
        return ("the history was saved while a nextToken was still pending (later events were never fetched); "
                "fetch every page, e.g. `workbench history fetch`")
    declared = str(raw.declared_status or "").upper()
    if declared in _FINISHED:
        last = next((TYPE_METAS[c].role for c in reversed(codes)
                     if TYPE_METAS[c].role in (EXEC_ENDED, EXEC_REDRIVEN)), None)
        if last != EXEC_ENDED:
            return (f"the execution is {declared} but the history stops before its end (no terminal event); "
                    "fetch it again")
    return None


def _check_clock(cols: EventColumns, name: str) -> None:
    """Warn, naming the events, when an event is earlier than the event it follows (its ``previousEventId``):
    a duration measured along that chain would be negative (the frames leave such durations NaN).

    Concurrent branches may be written slightly out of time order; only a step back along a chain is wrong.
    """
    ts = cols.ts
    if not any(map(operator.lt, ts[1:], ts)):  # C-speed scan (NaN compares False): in time order, nothing to do
        return
    pos = {i: k for k, i in enumerate(cols.ids)}
    steps = [(k, p) for k, p in ((k, pos.get(cols.prevs[k], -1)) for k in range(len(ts)))
             if p >= 0 and ts[k] < ts[p]]
    if not steps:
        return
    names = TYPE_NAMES
    shown = ", ".join(f"event {cols.ids[k]} ({names[cols.codes[k]]}) is {ts[p] - ts[k]:.3f} s before event "
                      f"{cols.ids[p]} ({names[cols.codes[p]]}) it follows" for k, p in steps[:3])
    more = f" and {len(steps) - 3} more" if len(steps) > 3 else ""
    warnings.warn(f"{name}: timestamps run backwards: {shown}{more}. Durations that would be negative are "
                  "left empty (NaN); check the clock of whatever wrote this history", BackwardsTimestampsWarning,
                  stacklevel=5)


_RANK = {ENTERED: 0, CONTAINER_STARTED: 1, ITER_STARTED: 2, SCHEDULED: 3, ATTEMPT_STARTED: 4, SUBMITTED: 5,
         ATTEMPT_SUCCEEDED: 6, ATTEMPT_FAILED: 6, ITER_SUCCEEDED: 7, ITER_FAILED: 7, CONTAINER_SUCCEEDED: 8,
         CONTAINER_FAILED: 8, EXITED: 9, STATE_ABORTED: 10, CONTAINER_ABORTED: 10, UNKNOWN: 5}


def _permute(cols: EventColumns, order: list[int]) -> EventColumns:
    ids, prevs, codes, ts, details = ([col[i] for i in order] for col in cols)
    return EventColumns(ids, prevs, codes, ts, details)  # type: ignore[arg-type]


def _fill_placeholder_ids(cols: EventColumns, placeholders: list[int]) -> tuple[EventColumns, frozenset[int]]:
    """Give placeholder events ids in the gaps they came from, restoring a lifecycle order per block."""
    runs: list[list[int]] = []
    for k in placeholders:
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    order = list(range(len(cols.ids)))
    for run in runs:  # the recorder sorted these by JSON text; put them back in lifecycle order
        ranked = sorted(run, key=lambda k: _RANK.get(TYPE_METAS[cols.codes[k]].role, 5))
        for slot, k in zip(run, ranked, strict=True):
            order[slot] = k
    cols = _permute(cols, order)
    ids, prevs = list(cols.ids), list(cols.prevs)
    used = {i for i in ids if i >= 0}
    synthetic: set[int] = set()
    last = 0
    for k, i in enumerate(ids):
        if i >= 0:
            last = i
            continue
        candidate = last + 1
        while candidate in used:
            candidate += 1
        ids[k] = last = candidate
        prevs[k] = -1
        used.add(candidate)
        synthetic.add(candidate)
    return cols._replace(ids=ids, prevs=prevs), frozenset(synthetic)


def _ordered(cols: EventColumns, name: str) -> EventColumns:
    ids = cols.ids
    if all(map(operator.lt, ids, ids[1:])):
        return cols
    if all(map(operator.gt, ids, ids[1:])):  # reverseOrder=True responses
        return _permute(cols, list(range(len(ids) - 1, -1, -1)))
    seen: dict[int, int] = {}
    for k, i in enumerate(ids):
        if i in seen:
            raise history_error("HIST005", f"event id {i} appears twice (events[{seen[i]}] and events[{k}])",
                                name, location=f"events[{k}].id",
                                hint="pages were concatenated twice; fetch the history again")
        seen[i] = k
    return _permute(cols, sorted(range(len(ids)), key=ids.__getitem__))


def _check_links(cols: EventColumns, synthetic: frozenset[int], name: str, strict: bool) -> list[str]:
    """Gaps in ids and dangling previousEventIds → problems (+ warning, or error when strict)."""
    problems: list[str] = []
    ids, prevs = cols.ids, cols.prevs
    n = len(ids)
    if ids[0] == 1 and ids[-1] == n:  # contiguous: then 0 <= prev < id is exactly "an event we have"
        dangling = [k for k in range(n) if prevs[k] >= ids[k]] if any(map(operator.ge, prevs, ids)) else []
    else:
        present = set(ids)
        missing = [i for i in range(1, ids[-1] + 1) if i not in present]
        problems.append(f"{len(missing)} events missing (ids {_ranges(missing)})")
        dangling = [k for k in range(n) if prevs[k] > 0 and (prevs[k] >= ids[k] or prevs[k] not in present)]
    if dangling and not synthetic:
        k = dangling[0]
        problems.append(f"{len(dangling)} events point at a previous event that is not in the history "
                        f"(first: event {ids[k]} {TYPE_NAMES[cols.codes[k]]} -> {prevs[k]})")
    if problems and not synthetic:
        message = "; ".join(problems)
        if strict:
            raise history_error("HIST004", f"incomplete history: {message}", name, location="events",
                                hint="fetch all pages (nextToken) or pass strict=False to analyse what is there")
        warnings.warn(f"{name}: incomplete history: {message}; numbers for the affected states may be wrong",
                      IncompleteHistoryWarning, stacklevel=5)
    return problems


def _ranges(ids: list[int], limit: int = 4) -> str:
    """[4, 5, 6, 9] → '4-6, 9' (at most ``limit`` ranges)."""
    parts: list[str] = []
    start = prev = ids[0]
    for i in ids[1:]:
        if i != prev + 1:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            start = i
        prev = i
    parts.append(str(start) if start == prev else f"{start}-{prev}")
    return ", ".join(parts[:limit]) + (", ..." if len(parts) > limit else "")
