"""The inspector's data: one execution as a JSON-able payload of states, visits, attempts and events.

Pure data → data. The visits, their nesting paths, their attempts and every event's state come from the
history frames (:func:`workbench.history.frames.frames`, the one history walker); this module only
reads those frames, attaches each visit's and each attempt's payloads, and redacts every value
(:mod:`~workbench.viz.inspect.values`). The payload is what ``inspector.js`` draws::

    {"execution": {arn, name, status, start, stop, duration_ms, input, output, error, cause},
     "states": {name: {"type", "status", "visits": [visit ids], "retries"}},
     "visits": [{"id", "state", "type", "key", "path", "status", "entered", "exited", "duration_ms", "retries",
                 "attempts": [{"n", "start", "started", "end", "duration_ms", "backoff_ms", "status", "error",
                               "cause", "input", "output"}],
                 "input", "output", "error", "cause", "event_ids"}],
     "events": [{"id", "type", "state", "visit", "timestamp", "elapsed_ms", "since_previous_ms", "details"}],
     "events_total": int, "legend": [{"status", "label", "fill", "stroke", "dash"}]}

Times are ISO-8601 UTC text (``2024-05-01T12:00:00.250Z``), durations milliseconds (None when unknown).
A state's ``status`` is the graph's: the most telling of its visits (running, incomplete, failed,
aborted, caught, succeeded), ``retried`` when it succeeded after retrying, ``not_reached`` when the
definition has it and the run never entered it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.arn import short_name
from workbench.core.redact import Redactor
from workbench.history.frames import frames
from workbench.history.load import load_history
from workbench.history.load.events import (
    ATTEMPT_SUCCEEDED,
    SCHEDULED,
    SUBMIT_FAILED,
    SUBMITTED,
    ExecutionHistory,
    meta_for,
)
from workbench.viz.graph.legend import legend_items
from workbench.viz.graph.overlay import display_status, worst_status
from workbench.viz.graph.style import STATUS_PAINT
from workbench.viz.inspect.paths import Shape, where
from workbench.viz.inspect.values import Cleaner, iso, iso_all, ms

Payload = dict[str, Any]  # Any: JSON values


def inspection(history: ExecutionHistory, definition: Mapping[str, Any] | None = None, *,
               redact: bool | Redactor = True, max_value_bytes: int | None = None,
               max_events: int | None = None) -> Payload:
    """What one execution did, state by state, visit by visit, attempt by attempt: the inspector's payload.

    Why: the first question on call is "what did this state get, and what did it return?"; this answers
    it for every visit (Map iterations, Parallel branches) and every retry attempt, with the raw events.
    ``definition`` (default: the history's own) adds the states never reached and names Parallel branches.
    ``redact`` (True, False or a :class:`~workbench.core.redact.Redactor`) hides secrets in every value;
    ``max_value_bytes`` cuts longer values (default: keep them whole); ``max_events`` keeps the first events
    only (``events_total`` says how many there were).

    Example:
        >>> from workbench.history import load_history
        >>> h = load_history("../shared/corpus/histories/test_base_scenarios__test_map_state_nested.json")
        >>> p = inspection(h)
        >>> p["execution"]["status"], len(p["states"]["MapL2Pass"]["visits"]), p["visits"][2]["path"]
        ('SUCCEEDED', 6, 'MapL1 › iteration 0 › MapL2 › iteration 0')
    """
    definition = definition if definition is not None else history.definition
    clean = Cleaner(redact, max_value_bytes)
    shape = Shape.of(definition)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loader already warned about this history once
        f = frames(history, payloads=True)
    ev, st, at = f.events, f.states, f.attempts
    ex = f.executions
    ev_secs = _seconds(ev["timestamp"])
    ev_types = ev["type"].astype(str).tolist()
    ev_visit = ev["visit"].tolist()
    ev_ids = ev["id"].tolist()
    inputs, outputs = _texts(ev["input"]), _texts(ev["output"])
    row_of = {eid: k for k, eid in enumerate(ev_ids)}
    start = float(_seconds(ex["start"])[0]) if len(ex) else float("nan")

    visits = _visits(st, shape, clean, inputs, outputs, row_of)
    _attach_events(visits, at, clean, ev_types, ev_visit, ev_ids, inputs, outputs)
    events, total = _events(history, ev, clean, ev_secs, ev_types, ev_ids, ev_visit, start, max_events)
    arn = history.execution_arn
    stop = float(_seconds(ex["stop"])[0]) if len(ex) else float("nan")
    execution = {
        "arn": arn, "name": short_name(arn), "status": str(ex["status"].iloc[0]) if len(ex) else history.status,
        "start": iso(start), "stop": iso(stop), "duration_ms": ms((stop - start) * 1000.0),
        "input": _execution_value(ev_types, inputs, "ExecutionStarted", clean),
        "output": _execution_value(ev_types, outputs, "ExecutionSucceeded", clean),
        "error": clean.text(_first(ex, "error")), "cause": clean.text(_first(ex, "cause")),
    }
    states = _states(visits, shape)
    return {"execution": execution, "states": states, "visits": visits, "events": events, "events_total": total,
            "legend": _legend(any(s["status"] == "incomplete" for s in states.values()))}


def inspection_from_events(events: Sequence[Mapping[str, Any]], definition: Mapping[str, Any] | None = None,
                           execution_arn: str | None = None, *, redact: bool | Redactor = True) -> Payload:
    """The inspector's payload straight from raw ``GetExecutionHistory`` events, for a view that polls.

    Why: the Launcher redraws a running execution every fraction of a second from the events it fetched;
    this keeps that one call (a few hundred events take milliseconds; redacted values are cached).

    Example:
        >>> p = inspection_from_events([{"id": 1, "previousEventId": 0, "type": "ExecutionStarted",
        ...     "timestamp": 1700000000.0, "executionStartedEventDetails": {"input": "{}"}}],
        ...     {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, "arn:x")
        >>> p["execution"]["status"], p["states"]["A"]["status"]
        ('RUNNING', 'not_reached')
    """
    arn = execution_arn or "execution"
    if not events:  # not started yet: the definition's states, none reached
        return _not_started(arn, definition)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a running history is open-ended, never a problem here
        history = load_history({"events": list(events)}, execution_arn=arn)
    return inspection(history, definition, redact=redact)


def _not_started(arn: str, definition: Mapping[str, Any] | None) -> Payload:
    execution = {"arn": arn, "name": short_name(arn), "status": "RUNNING", "start": None, "stop": None,
                 "duration_ms": None, "input": None, "output": None, "error": None, "cause": None}
    return {"execution": execution, "states": _states([], Shape.of(definition)), "visits": [], "events": [],
            "events_total": 0, "legend": _legend(False)}


def _legend(incomplete: bool) -> list[dict[str, str]]:
    """The status legend (colours from the graph's own palette); ``incomplete`` only when a state is."""
    items = legend_items()
    if incomplete:
        paint = STATUS_PAINT["incomplete"]
        items.append({"status": "incomplete", "label": "incomplete", "fill": paint.fill, "stroke": paint.stroke,
                      "dash": paint.dash})
    return items


# --- frames → payload ---------------------------------------------------------------------------------
def _seconds(col: pd.Series) -> np.ndarray:
    """A tz-aware timestamp column as epoch seconds (NaN = unknown)."""
    ns = np.asarray(col.array.asi8, dtype=np.int64) if len(col) else np.zeros(0, dtype=np.int64)
    out = ns.astype(np.float64) / 1e9
    out[ns == np.iinfo(np.int64).min] = np.nan
    return out


def _texts(col: pd.Series) -> list[str | None]:
    return [v if isinstance(v, str) else None for v in col.astype(object).tolist()]


def _first(df: pd.DataFrame, column: str) -> str | None:
    if not len(df) or column not in df.columns:
        return None
    value = df[column].iloc[0]
    return value if isinstance(value, str) else None


def _execution_value(types: list[str], values: list[str | None], etype: str, clean: Cleaner) -> str | None:
    for t, v in zip(types, values, strict=True):
        if t == etype:
            return clean.payload(v)
    return None


def _visits(st: pd.DataFrame, shape: Shape, clean: Cleaner, inputs: list[str | None], outputs: list[str | None],
            row_of: dict[int, int]) -> list[Payload]:
    entered, exited = iso_all(_seconds(st["entered"])), iso_all(_seconds(st["exited"]))
    out: list[Payload] = []
    for i, (visit, state, stype, path, status, retries, error, cause, e_in, e_out, dur) in enumerate(zip(
            st["visit"].tolist(), _texts(st["state"]), _texts(st["type"]), _texts(st["path"]),
            _texts(st["status"]), st["retries"].tolist(), _texts(st["error"]), _texts(st["cause"]),
            st["entered_event"].tolist(), st["exited_event"].astype(object).tolist(), st["duration_ms"].tolist(),
            strict=True)):
        k_in = row_of.get(e_in)
        k_out = row_of.get(e_out) if isinstance(e_out, int) else None
        out.append({
            "id": int(visit), "state": state or "?", "type": stype or shape.types.get(state or "", ""),
            "key": path or state or "?", "path": where(path or "", shape), "status": status or "running",
            "entered": entered[i], "exited": exited[i], "duration_ms": ms(dur), "retries": int(retries),
            "attempts": [], "input": clean.payload(inputs[k_in]) if k_in is not None else None,
            "output": clean.payload(outputs[k_out]) if k_out is not None else None,
            # a visit that succeeded after retrying: its attempts carry the failures, not the visit
            "error": clean.text(error) if status != "succeeded" else None,
            "cause": clean.text(cause) if status != "succeeded" else None, "event_ids": [],
        })
    return out


def _attach_events(visits: list[Payload], at: pd.DataFrame, clean: Cleaner, types: list[str],
                   ev_visit: list[int], ids: list[int], inputs: list[str | None],
                   outputs: list[str | None]) -> None:
    """Each event's id onto its visit; each Task attempt (from the attempts frame) with its own payloads."""
    by_id = {v["id"]: v for v in visits}
    sched, ended = _seconds(at["scheduled"]), _seconds(at["ended"])
    started = _seconds(at["started"])
    begins = np.where(np.isnan(sched), started, sched)
    begin_iso, started_iso, ended_iso = iso_all(begins), iso_all(started), iso_all(ended)
    for i, (visit, n, outcome, error, cause, backoff) in enumerate(zip(
            at["visit"].tolist(), at["attempt"].tolist(), _texts(at["outcome"]), _texts(at["error"]),
            _texts(at["cause"]), at["backoff_ms"].tolist(), strict=True)):
        v = by_id.get(int(visit))
        if v is None:
            continue
        v["attempts"].append({
            "n": int(n), "start": begin_iso[i], "started": started_iso[i], "end": ended_iso[i],
            "duration_ms": ms((ended[i] - begins[i]) * 1000.0), "backoff_ms": ms(backoff) if n > 1 else None,
            "status": outcome or "running", "error": clean.text(error), "cause": clean.text(cause),
            "input": None, "output": None,
        })
    current: dict[int, int] = {}  # visit → index of its current attempt (the frames' own rule: *Scheduled opens one)
    for k, (etype, visit) in enumerate(zip(types, ev_visit, strict=True)):
        if visit < 0:
            continue
        v = by_id.get(visit)
        if v is None:
            continue
        v["event_ids"].append(int(ids[k]))
        role = meta_for(etype).role
        if not SCHEDULED <= role <= SUBMIT_FAILED or not v["attempts"]:
            continue
        a = current.get(visit)
        if role == SCHEDULED or a is None:
            a = current[visit] = min((a + 1) if a is not None else 0, len(v["attempts"]) - 1)
        attempt = v["attempts"][a]
        if role == SCHEDULED and inputs[k] is not None:
            attempt["input"] = clean.payload(inputs[k])
        elif role in (ATTEMPT_SUCCEEDED, SUBMITTED) and outputs[k] is not None:
            attempt["output"] = clean.payload(outputs[k])


def _events(history: ExecutionHistory, ev: pd.DataFrame, clean: Cleaner, secs: np.ndarray, types: list[str],
            ids: list[int], ev_visit: list[int], start: float, limit: int | None) -> tuple[list[Payload], int]:
    details = history.columns.details
    states = _texts(ev["state"])
    n = len(ids) if limit is None else min(limit, len(ids))
    out: list[Payload] = []
    previous = float("nan")
    stamps = iso_all(secs[:n])
    for k in range(n):
        ts = float(secs[k])
        out.append({
            "id": int(ids[k]), "type": types[k], "state": states[k], "visit": ev_visit[k] if ev_visit[k] >= 0 else None,
            "timestamp": stamps[k], "elapsed_ms": ms((ts - start) * 1000.0),
            "since_previous_ms": ms((ts - previous) * 1000.0) if k else None,
            "details": clean.details(details[k]) if details[k] else "{}",
        })
        previous = ts
    return out, len(ids)


def _states(visits: list[Payload], shape: Shape) -> dict[str, Payload]:
    """Every state of the definition (never-entered ones ``not_reached``), then any the history adds."""
    out: dict[str, Payload] = {name: {"type": stype, "status": "not_reached", "visits": [], "retries": 0}
                               for name, stype in shape.types.items()}
    seen: dict[str, list[str]] = {}
    for v in visits:
        s = out.setdefault(v["state"], {"type": v["type"], "status": "not_reached", "visits": [], "retries": 0})
        s["visits"].append(v["id"])
        s["retries"] += v["retries"]
        if not s["type"]:
            s["type"] = v["type"]
        seen.setdefault(v["state"], []).append(v["status"])
    for name, statuses in seen.items():
        out[name]["status"] = display_status(worst_status(statuses), out[name]["retries"])
    return out
