"""The walker's shared state and its handlers for rare events (see :mod:`workbench.history.frames.walk`).

The hot loop (:func:`workbench.history.frames.walk._pass`) handles Entered/Exited and Task attempt events inline;
Map/Parallel bookkeeping, execution start and end, evaluation and Map Run failures come here, one small
function each. :func:`cut_short` ends a history that stops before its execution's end (INCOMPLETE).
"""

from __future__ import annotations

import math
from array import array
from typing import Any

import orjson

from workbench.history.frames.columns import (
    A_OUT,
    V_CAUSE,
    V_CUR,
    V_ERROR,
    V_FAIL,
    V_LAST_FAIL,
    V_OK,
    V_OPEN,
    V_PARENT,
    V_STATUS,
    V_TRIES,
    V_TYPE,
    Buffers,
)
from workbench.history.frames.definition_index import DefinitionIndex
from workbench.history.frames.visits import B_BRANCHES, B_ITERS, Scope, Visits, box, fail
from workbench.history.load.batch import EventBatch, Head
from workbench.history.load.events import (
    CONTAINER_ABORTED,
    CONTAINER_FAILED,
    CONTAINER_STARTED,
    CONTAINER_SUCCEEDED,
    EVALUATION_FAILED,
    EXEC_ENDED,
    EXEC_REDRIVEN,
    EXEC_STARTED,
    INCOMPLETE,
    ITER_ABORTED,
    ITER_FAILED,
    ITER_STARTED,
    ITER_SUCCEEDED,
    MAPRUN_FAILED,
    MAPRUN_REDRIVEN,
    MAPRUN_STARTED,
    MAPRUN_SUCCEEDED,
    STATE_ABORTED,
    EventMeta,
)

_NAN = math.nan
_MINUS_ONE = (-1,)


def text(value: object) -> str:
    """A payload as JSON text (sources may hold parsed values).

    Example:
        >>> text('{"a": 1}'), text({"a": 1})
        ('{"a": 1}', '{"a":1}')
    """
    return value if type(value) is str else orjson.dumps(value).decode()


def opt_text(value: object) -> str | None:
    """:func:`text`, with None kept.

    Example:
        >>> opt_text(None) is None, opt_text(["x"])
        (True, '["x"]')
    """
    return None if value is None else text(value)


class WalkState:
    """A batch of histories being walked: what the hot loop and the rare-event handlers share.

    Event rows ``k`` are rows of the batch (global row: ``g0 + k``); :meth:`begin` starts each execution.

    Example:
        >>> from workbench.history.load.readers import load_history
        >>> from workbench.history.load.batch import EventBatch
        >>> batch = EventBatch()
        >>> batch.add_history(load_history("../shared/corpus/histories/test_base__test_state_fail.json"))
        >>> w = WalkState(batch, Buffers(payloads=False))
        >>> w.begin(batch.heads[0], None)
        >>> len(w.evis), w.status, w.xi
        (3, 'RUNNING', 0)
    """

    __slots__ = ("a0", "attempts", "buf", "cause", "di", "error", "escope", "evis", "failures", "g0", "head",
                 "in_size", "out_size", "status", "stop", "t0", "tr", "ts", "vg0", "xi")

    def __init__(self, batch: EventBatch, buf: Buffers) -> None:
        n = len(batch)
        self.buf, self.ts, self.g0 = buf, batch.ts, buf.n_events
        self.evis = [-1] * n
        self.in_size = array("q", _MINUS_ONE) * n
        self.out_size = array("q", _MINUS_ONE) * n
        self.escope: dict[int, Scope] = {}

    def begin(self, head: Head, di: DefinitionIndex | None) -> None:
        """Start walking the next execution of the batch."""
        buf = self.buf
        self.head, self.di = head, di
        self.vg0, self.a0, self.xi = buf.n_visits, buf.n_attempts, buf.n_executions
        self.tr = Visits(self.ts, self.g0, di)
        self.attempts: list[list[Any]] = []  # Any: event details are decoded JSON; rows mix cell types
        self.escope.clear()
        self.t0 = self.stop = _NAN
        self.status = "RUNNING"
        self.error: str | None = None
        self.cause: str | None = None
        self.failures = 0


# --- rare events ---------------------------------------------------------------------------------------
def rare(w: WalkState, k: int, role: int, meta: EventMeta, pv: int, d: Any) -> int:  # Any: JSON details
    """Map/Parallel, execution-level and unknown events; returns the visit the event belongs to.

    Example:
        >>> from workbench.history.load.readers import load_history
        >>> from workbench.history.load.batch import EventBatch
        >>> from workbench.history.load.events import TYPE_CODES, TYPE_METAS
        >>> batch = EventBatch()
        >>> batch.add_history(load_history("../shared/corpus/histories/test_base__test_state_fail.json"))
        >>> w = WalkState(batch, Buffers(payloads=False))
        >>> w.begin(batch.heads[0], None)
        >>> start = TYPE_METAS[TYPE_CODES["ExecutionStarted"]]
        >>> rare(w, 0, start.role, start, -1, batch.details[0]), w.t0 != w.t0  # placeholder time: NaN
        (-1, True)
    """
    if ITER_STARTED <= role <= ITER_ABORTED:
        return _iteration(w, k, role, pv, d)
    if CONTAINER_STARTED <= role <= CONTAINER_ABORTED:
        return _container(w, k, role, meta.owner, pv)
    if role == STATE_ABORTED:
        return _state_aborted(w, k, meta.owner, pv)
    if role == EVALUATION_FAILED:
        name = d.get("state")
        return _failure(w, k, w.tr.owner(pv, None, name if isinstance(name, str) else None), d)
    if MAPRUN_STARTED <= role <= MAPRUN_REDRIVEN:
        return _map_run(w, k, role, pv, d)
    if role == EXEC_STARTED:
        if w.t0 != w.t0:  # NaN: the first start wins (redriven executions keep their start)
            w.t0 = w.ts[k]
        return -1
    if role == EXEC_ENDED:
        execution_ended(w, k, meta.status, pv, d)
        return -1
    if role == EXEC_REDRIVEN:  # a redrive re-runs failed states: the execution is running again
        w.status, w.stop = "RUNNING", _NAN
    return pv  # UNKNOWN, ExecutionRedriven: keep the event with its predecessor's visit


def _failure(w: WalkState, k: int, v: int, d: Any) -> int:  # Any: event details are decoded JSON; rows mix cell types
    """An error event outside Task attempts (EvaluationFailed, MapRunFailed): count it, record it on ``v``."""
    error, cause = d.get("error"), opt_text(d.get("cause"))
    w.buf.e_error.add(w.g0 + k, error)
    w.buf.e_cause.add(w.g0 + k, cause)
    w.failures += 1
    if v >= 0:
        fail(w.tr.V[v], k, error, cause)
    return v


def _iteration(w: WalkState, k: int, role: int, pv: int, d: Any) -> int:  # Any: JSON details
    tr = w.tr
    idx = d.get("index")
    if idx is not None:
        w.buf.e_iteration.add(w.g0 + k, idx)
    v = tr.owner(pv, "Map", d.get("name"))
    if v >= 0:
        x = tr.V[v]
        if role == ITER_STARTED:
            w.escope[k] = tr.iteration_scope(v, idx)
        else:
            if role == ITER_FAILED:
                tr.take_error(x, pv)
            sc = box(x)[B_ITERS].get(idx)
            if sc is not None:
                tr.close_members(sc, k, role == ITER_SUCCEEDED)
    return v


def _container(w: WalkState, k: int, role: int, stype: str, pv: int) -> int:
    tr = w.tr
    V = tr.V
    v = pv if pv >= 0 and V[pv][V_OPEN] and V[pv][V_TYPE] == stype else tr.owner(pv, stype, None)
    if v < 0:
        return v
    x = V[v]
    if role == CONTAINER_STARTED:
        x[V_TRIES] += 1
        x[V_OK] = x[V_LAST_FAIL] = False
        if x[V_TRIES] > 1:  # a Retry re-started the Map/Parallel
            tr.take_error(x, pv)
            tr.close_tree(x, k, False)
            bx = box(x)
            bx[B_BRANCHES], bx[B_ITERS] = {}, {}
    elif role == CONTAINER_SUCCEEDED:
        x[V_LAST_FAIL], x[V_OK] = False, True
        tr.close_tree(x, k, True)
    elif role == CONTAINER_FAILED:
        tr.take_error(x, pv)
        x[V_LAST_FAIL], x[V_FAIL] = True, k
        tr.close_tree(x, k, False)
    else:
        tr.close(v, k, "failed" if x[V_LAST_FAIL] else "aborted")
    return v


def _state_aborted(w: WalkState, k: int, stype: str, pv: int) -> int:
    tr = w.tr
    V = tr.V
    v = pv if pv >= 0 and V[pv][V_OPEN] and V[pv][V_TYPE] == stype else tr.sibling(pv, stype)
    if v >= 0 and V[v][V_OPEN]:
        tr.close(v, k, "failed" if V[v][V_LAST_FAIL] else "aborted")
    return v


def _map_run(w: WalkState, k: int, role: int, pv: int, d: Any) -> int:  # Any: JSON details
    v = w.tr.owner(pv, "Map", None)
    if role in (MAPRUN_STARTED, MAPRUN_REDRIVEN):
        w.buf.e_maprun.add(w.g0 + k, d.get("mapRunArn"))
    elif role == MAPRUN_FAILED:
        _failure(w, k, v, d)
    elif role == MAPRUN_SUCCEEDED and v >= 0:
        w.tr.V[v][V_LAST_FAIL] = False
    return v


def execution_ended(w: WalkState, k: int, status: str, pv: int, d: Any) -> None:  # Any: JSON details
    """Close every open visit: those on the failing chain failed, the others succeeded or were aborted."""
    tr = w.tr
    V = tr.V
    w.status, w.stop = status, w.ts[k]
    error = d.get("error")
    cause = d.get("cause")
    if cause is not None:
        cause = text(cause)
    w.error, w.cause = error, cause
    if error is not None:
        w.buf.e_error.add(w.g0 + k, error)
    if cause is not None:
        w.buf.e_cause.add(w.g0 + k, cause)
    if status == "SUCCEEDED":
        for j, y in enumerate(V):
            if y[V_OPEN]:
                tr.close(j, k, "failed" if y[V_LAST_FAIL] else "succeeded")
        return
    chain = set()
    c = pv
    while c >= 0:
        chain.add(c)
        c = V[c][V_PARENT]
    if chain:
        _evaluated_fail_errors(V, pv, error, cause)
    for j, y in enumerate(V):
        if not y[V_OPEN]:
            continue
        if j in chain or y[V_LAST_FAIL]:
            if y[V_ERROR] is None and j in chain:
                y[V_ERROR], y[V_CAUSE] = error, cause
            tr.close(j, k, "failed")
        else:
            tr.close(j, k, "aborted")


def _evaluated_fail_errors(V: list[list[Any]], pv: int, error: str | None,  # Any: mixed cells
                           cause: str | None) -> None:
    """A Fail state that failed the execution shows the error and cause the execution ended with.

    Its ``Error``/``Cause`` may be templates (JSONata, ``ErrorPath``/``CausePath``) evaluated at run time:
    the history holds the value, in the execution's end event. The end event follows either the Fail state
    itself (``pv``), which gets them, or the Map/Parallel whose failure ended the run: then the one Fail
    state that failed directly inside it, when there is exactly one without them, gets what is missing.
    """
    if error is None and cause is None:
        return
    y = V[pv]
    if y[V_TYPE] == "Fail":
        y[V_ERROR] = error if error is not None else y[V_ERROR]
        y[V_CAUSE] = cause if cause is not None else y[V_CAUSE]
        return
    if y[V_TYPE] not in ("Map", "Parallel"):
        return
    inner = [y for y in V if y[V_TYPE] == "Fail" and y[V_LAST_FAIL] and y[V_PARENT] == pv
             and (y[V_ERROR] is None or y[V_CAUSE] is None)]
    if len(inner) == 1:
        y = inner[0]
        y[V_ERROR] = y[V_ERROR] if y[V_ERROR] is not None else error
        y[V_CAUSE] = y[V_CAUSE] if y[V_CAUSE] is not None else cause


def cut_short(w: WalkState) -> None:
    """The history stops before its execution's end: what is still open is INCOMPLETE, not running.

    Example:
        >>> from workbench.history.load.readers import load_history
        >>> from workbench.history.load.batch import EventBatch
        >>> batch = EventBatch()
        >>> batch.add_history(load_history("../shared/corpus/histories/test_base__test_state_fail.json"))
        >>> w = WalkState(batch, Buffers(payloads=False))
        >>> w.begin(batch.heads[0], None)
        >>> cut_short(w); w.status
        'INCOMPLETE'
    """
    w.status, w.stop = INCOMPLETE, _NAN
    for y in w.tr.V:
        if y[V_OPEN]:
            y[V_OPEN], y[V_STATUS] = False, "incomplete"
            a = y[V_CUR]
            if a is not None and a[A_OUT] == "running":
                a[A_OUT] = "incomplete"
