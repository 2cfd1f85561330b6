"""Turn walker buffers into the four documented DataFrames (columns listed in ``frames.py``).

Categories with a fixed vocabulary (state types, statuses, outcomes, event types) get a fixed
categorical dtype, so frames from different runs concatenate without dtype changes. Timestamps and
ids of visits are looked up by event row in the concatenated event columns (numpy ``take``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from workbench.history.frames.columns import (
    A_BACKOFF,
    A_CAUSE,
    A_END,
    A_ERR,
    A_KIND,
    A_NUM,
    A_OUT,
    A_RES,
    A_RTYPE,
    A_SCHED,
    A_START,
    A_VISIT,
    KINDS,
    OUTCOMES,
    STATE_TYPE_CODE,
    V_CAUSE,
    V_DEPTH,
    V_END,
    V_ENTERED,
    V_ERROR,
    V_PARENT,
    V_PATH,
    V_RETRY,
    V_STATE,
    V_STATUS,
    V_TRIES,
    V_TYPE,
    VISIT_STATUSES,
    Buffers,
    Chunks,
    category,
    coded,
    fixed,
    floats,
    ints,
    millis,
    nonnegative,
    nullable_ints,
    sparse_ints,
    sparse_strings,
    strings,
    timestamps,
)
from workbench.history.load.events import STATE_TYPES, TYPE_NAMES

EXECUTION_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "RUNNING", "INCOMPLETE")


def _category(buf: Buffers, key: str, values: Any, rows: np.ndarray | None = None) -> pd.Categorical:  # Any: column
    """``values`` as a categorical (categories in order of first appearance; None = missing), or the categories of
    ``values[rows]`` (row -1 = missing). Factorised once per buffer: the four frames share codes and dtype."""
    cache: dict[str, tuple[np.ndarray, pd.CategoricalDtype]] = buf.__dict__.setdefault("_factorised", {})
    hit = cache.get(key)
    if hit is None:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        hit = cache[key] = (codes, pd.CategoricalDtype(pd.Index(uniques, dtype="str")))
    codes, dtype = hit
    if rows is not None:
        codes = np.where(rows >= 0, codes[np.maximum(rows, 0)], -1) if len(codes) else np.full(len(rows), -1)
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def _executions_of(buf: Buffers, rows: np.ndarray | None = None) -> pd.Categorical:
    return _category(buf, "execution", buf.x_name, rows)


def _visit_category(buf: Buffers, field: int, rows: np.ndarray | None = None) -> pd.Categorical:
    """State/path categories, shared by the three frames that use them."""
    return _category(buf, f"visit{field}", buf.visit_field(field), rows)


def _visit_executions(buf: Buffers) -> np.ndarray:
    """The execution row of every visit (visits are grouped by execution, in order)."""
    return _cached_column(buf, "_visit_exec", lambda: np.repeat(np.arange(buf.n_executions), ints(buf.x_visits)))


def _visit_index(buf: Buffers) -> np.ndarray:
    """Each visit's number within its execution."""
    index: np.ndarray = np.arange(buf.n_visits, dtype=np.int64) - np.repeat(ints(buf.e_voffset), ints(buf.x_visits))
    return index


def _sizes(sizes: Chunks) -> pd.arrays.IntegerArray:
    values = sizes.array()
    return nullable_ints(np.maximum(values, 0), values < 0)


def _cached_column(buf: Buffers, name: str, build: Callable[[], np.ndarray]) -> np.ndarray:
    """A column computed once per buffer; later frames reuse it."""
    cache: dict[str, np.ndarray] = buf.__dict__.setdefault("_columns", {})
    cached = cache.get(name)
    if cached is None:
        cached = cache[name] = build()
    return cached


def _event_ts(buf: Buffers) -> np.ndarray:
    return _cached_column(buf, "_event_ts", buf.e_ts.array)


def _event_ids(buf: Buffers) -> np.ndarray:
    return _cached_column(buf, "_event_ids", buf.e_ids.array)


def attempts_per_visit(buf: Buffers) -> np.ndarray:
    """Task: scheduled attempts; Map/Parallel: *StateStarted count; other states: 1."""
    tries = ints(buf.visit_field(V_TRIES))
    stype = ints(buf.visit_field(V_TYPE))
    counted = np.isin(stype, [STATE_TYPE_CODE["Task"], STATE_TYPE_CODE["Map"], STATE_TYPE_CODE["Parallel"]])
    return np.where(counted, tries, 1)


def events(buf: Buffers) -> pd.DataFrame:
    n = buf.n_events
    counts = ints(buf.x_events)
    ts = _event_ts(buf)
    prev = buf.e_prevs.array()
    local = buf.e_visits.array()
    vis = np.where(local >= 0, local + np.repeat(ints(buf.e_voffset), counts), -1)
    unknown = np.zeros(n, dtype=bool)
    if buf.e_unknown_id.rows:
        unknown[ints(buf.e_unknown_id.rows)] = True
    att = np.full(n, -1, dtype=np.int64)  # attempt row of each Task/Lambda/Activity event
    if buf.e_attempt.rows:
        att[ints(buf.e_attempt.rows)] = ints(buf.e_attempt.values)
    cols: dict[str, object] = {
        "execution": _executions_of(buf, np.repeat(np.arange(len(counts)), counts)),
        "id": _event_ids(buf),
        "previous_id": nullable_ints(np.maximum(prev, 0), prev < 0),
        "id_known": ~unknown,
        "type": pd.Categorical.from_codes(buf.e_codes.array(),
                                          categories=pd.Index(TYPE_NAMES, dtype="str")),
        "timestamp": timestamps(ts),
        "elapsed_ms": millis(ts, np.repeat(floats(buf.x_start), counts)),
        "state": _visit_category(buf, V_STATE, vis),
        "path": _visit_category(buf, V_PATH, vis),
        "visit": local,
        "error": sparse_strings(n, buf.e_error),
        "cause": sparse_strings(n, buf.e_cause),
        "resource": _category(buf, "resource", buf.attempt_field(A_RES), att),
        "resource_type": _category(buf, "resource_type", buf.attempt_field(A_RTYPE), att),
        "map_run_arn": sparse_strings(n, buf.e_maprun),
        "iteration": sparse_ints(n, buf.e_iteration),
        "input_size": _sizes(buf.e_in_sizes),
        "output_size": _sizes(buf.e_out_sizes),
    }
    if buf.payloads:
        cols["input"] = sparse_strings(n, buf.e_input)
        cols["output"] = sparse_strings(n, buf.e_output)
    return pd.DataFrame(cols, copy=False)


def states(buf: Buffers) -> pd.DataFrame:
    ts, ids = _event_ts(buf), _event_ids(buf)
    entered_row, end_row = ints(buf.visit_field(V_ENTERED)), ints(buf.visit_field(V_END))
    ended = end_row >= 0
    safe_end = np.where(ended, end_row, 0)
    entered = ts[entered_row] if len(ts) else np.zeros(0)
    exited = np.where(ended, ts[safe_end], np.nan) if len(ts) else np.zeros(0)
    exec_rows = _visit_executions(buf)
    attempts_ = attempts_per_visit(buf)
    return pd.DataFrame({
        "execution": _executions_of(buf, exec_rows),
        "visit": _visit_index(buf),
        "state": _visit_category(buf, V_STATE),
        "type": coded(buf.visit_field(V_TYPE), STATE_TYPES),
        "path": _visit_category(buf, V_PATH),
        "depth": ints(buf.visit_field(V_DEPTH)),
        "parent_visit": ints(buf.visit_field(V_PARENT)),
        "entered": timestamps(entered),
        "exited": timestamps(exited),
        "duration_ms": millis(exited, entered),
        "started_after_ms": millis(entered, floats(buf.x_start)[exec_rows] if len(exec_rows) else entered),
        "status": coded(buf.visit_field(V_STATUS), VISIT_STATUSES),
        "attempts": attempts_,
        "retries": np.maximum(attempts_ - 1, 0),
        "error": strings(buf.visit_field(V_ERROR)),
        "cause": strings(buf.visit_field(V_CAUSE)),
        "retry_policy": strings(buf.visit_field(V_RETRY)),
        "entered_event": ids[entered_row] if len(ids) else np.zeros(0, dtype=np.int64),
        "exited_event": nullable_ints(ids[safe_end] if len(ids) else np.zeros(0, dtype=np.int64), ~ended),
    }, copy=False)


def attempts(buf: Buffers) -> pd.DataFrame:
    f = buf.attempt_field
    sched, start, end = floats(f(A_SCHED)), floats(f(A_START)), floats(f(A_END))
    vrow = ints(f(A_VISIT))
    local_visit = _visit_index(buf)
    return pd.DataFrame({
        "execution": _executions_of(buf, _visit_executions(buf)[vrow] if len(vrow) else vrow),
        "visit": local_visit[vrow] if len(vrow) else np.zeros(0, dtype=np.int64),
        "state": _visit_category(buf, V_STATE, vrow),
        "path": _visit_category(buf, V_PATH, vrow),
        "attempt": ints(f(A_NUM)),
        "kind": coded(f(A_KIND), KINDS),
        "resource": _category(buf, "resource", f(A_RES)),
        "resource_type": _category(buf, "resource_type", f(A_RTYPE)),
        "scheduled": timestamps(sched),
        "started": timestamps(start),
        "ended": timestamps(end),
        "queue_ms": millis(start, sched),
        "run_ms": millis(end, np.where(np.isnan(start), sched, start)),
        "outcome": coded(f(A_OUT), OUTCOMES),
        "error": strings(f(A_ERR)),
        "cause": strings(f(A_CAUSE)),
        "backoff_ms": nonnegative(np.round(floats(f(A_BACKOFF)) * 1e6) / 1e3),
    }, copy=False)


def executions(buf: Buffers) -> pd.DataFrame:
    start, stop = floats(buf.x_start), floats(buf.x_stop)
    n = len(buf.x_name)
    entries = ints(buf.x_visits)
    exec_rows = _visit_executions(buf)
    retries = np.bincount(exec_rows, weights=np.maximum(attempts_per_visit(buf) - 1, 0),
                          minlength=n).astype(np.int64) if len(exec_rows) else np.zeros(n, dtype=np.int64)
    return pd.DataFrame({
        "execution": _executions_of(buf),
        "state_machine": category(buf.x_machine),
        "status": fixed(buf.x_status, EXECUTION_STATUSES),
        "start": timestamps(start),
        "stop": timestamps(stop),
        "duration_ms": millis(stop, start),
        "events": ints(buf.x_events),
        "state_entries": entries,
        "retries": retries,
        "transitions": entries + retries,
        "failures": ints(buf.x_failures),
        "error": strings(buf.x_error),
        "cause": strings(buf.x_cause),
        "complete": np.asarray(buf.x_complete, dtype=bool),
    }, copy=False)
