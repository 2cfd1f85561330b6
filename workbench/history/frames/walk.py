"""Rebuild state visits and task attempts from one history's ``previousEventId`` DAG.

``previousEventId`` is a DAG, not a list: concurrent Parallel branches and Map iterations
interleave, a branch's first state points at ``ParallelStateStarted``, an iteration's first state
at its ``MapIterationStarted``, and Map/Parallel retries repeat ``*StateStarted``. So every event is
attached to a *visit* by following its predecessor: an Entered event opens a visit in the scope
its predecessor implies; other events belong to the nearest *open* visit of the right kind up the
nesting chain from their predecessor's visit (name-matched when the event carries a name). Branch and
iteration identity therefore never depends on the order events were written (see
:meth:`~workbench.history.frames.visits.Visits.branch_scope`). When a predecessor is unknown (placeholder
ids) we fall back to the definition and to the most recent open visit, and the history is flagged
incomplete by the loader.

One pass: :func:`_pass` is the hot loop of the whole package (plain lists, small slotted objects,
the frequent events handled inline); the rare events (Map/Parallel bookkeeping, execution start and
end...) go to small handlers in :mod:`workbench.history.frames.walk_rare`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from workbench.history.frames.columns import (
    A_CAUSE,
    A_END,
    A_ERR,
    A_OUT,
    A_ROW,
    A_START,
    V_BOX,
    V_CAUSE,
    V_CUR,
    V_END,
    V_ERROR,
    V_FAIL,
    V_LAST_FAIL,
    V_OK,
    V_OPEN,
    V_SCOPE,
    V_STATE,
    V_STATUS,
    V_TRIES,
    V_TYPE,
    Buffers,
)
from workbench.history.frames.definition_index import DefinitionIndex
from workbench.history.frames.visits import fail
from workbench.history.frames.walk_rare import WalkState, cut_short, execution_ended, rare, text
from workbench.history.load.batch import EventBatch, Head
from workbench.history.load.events import (
    ATTEMPT_OUTCOME,
    ATTEMPT_STARTED,
    ATTEMPT_SUCCEEDED,
    CONTAINER_STARTED,
    ENTERED,
    EXEC_ENDED,
    EXEC_REDRIVEN,
    EXEC_STARTED,
    EXITED,
    ITER_STARTED,
    SCHEDULED,
    SUBMIT_FAILED,
    SUBMITTED,
    TYPE_METAS,
    ExecutionHistory,
)

_NAN = math.nan


def walk(h: ExecutionHistory, buf: Buffers, index_for: Callable[[Head], DefinitionIndex | None]) -> None:
    """Append one history's events, visits, attempts and execution row to ``buf`` (see :func:`walk_batch`).

    Example:
        >>> from workbench.history.load.readers import load_history
        >>> buf = Buffers(payloads=False)
        >>> walk(load_history("../shared/corpus/histories/test_base__test_state_fail.json"), buf, lambda h: None)
        >>> buf.settle(); buf.x_status, buf.n_visits
        (['FAILED'], 1)
    """
    batch = EventBatch()
    batch.add_history(h)
    walk_batch(batch, buf, index_for)


def walk_batch(batch: EventBatch, buf: Buffers, index_for: Callable[[Head], DefinitionIndex | None]) -> None:
    """Append a batch of histories (events, visits, attempts, execution rows) to ``buf``, in one pass.

    Example:
        >>> from workbench.history.load.batch import build_batch
        >>> from workbench.history.load.readers import iter_pending
        >>> buf = Buffers(payloads=False)
        >>> files = ["../shared/corpus/histories/test_base__test_state_fail.json"] * 2
        >>> walk_batch(build_batch(iter_pending(files), strict=False), buf, lambda h: None)
        >>> buf.settle(); buf.x_status, buf.n_events
        (['FAILED', 'FAILED'], 6)
    """
    w = WalkState(batch, buf)
    _pass(w, batch, index_for)
    buf.n_events += len(batch)
    buf.e_ids.append(batch.ids())
    buf.e_prevs.append(batch.prevs())
    buf.e_codes.append(np.array(batch.codes, dtype=np.int64))
    buf.e_ts.append(batch.times())
    buf.e_visits.append(np.array(w.evis, dtype=np.int64))
    buf.e_in_sizes.append(np.frombuffer(w.in_size, dtype=np.int64))
    buf.e_out_sizes.append(np.frombuffer(w.out_size, dtype=np.int64))
    for k in batch.unknown:
        buf.e_unknown_id.add(w.g0 + k, True)


def _pass(w: WalkState, batch: EventBatch, index_for: Callable[[Head], DefinitionIndex | None]) -> None:
    """Attach every event to its visit, updating visits and attempts as their events arrive."""
    codes, prows, details, ts_of, starts = batch.codes, batch.prows, batch.details, batch.ts, batch.starts
    buf, evis, escope, in_size, out_size, g0 = w.buf, w.evis, w.escope, w.in_size, w.out_size, w.g0
    payloads = buf.payloads
    att_rows, att_vals = buf.e_attempt.rows.append, buf.e_attempt.values.append
    err_rows, err_vals = buf.e_error.rows.append, buf.e_error.values.append
    cause_rows, cause_vals = buf.e_cause.rows.append, buf.e_cause.values.append
    metas = TYPE_METAS
    # Module constants as locals: the loop below runs once per event and LOAD_FAST beats LOAD_GLOBAL.
    ENTERED_, EXITED_, SCHEDULED_, SUBMIT_FAILED_, SUBMITTED_ = ENTERED, EXITED, SCHEDULED, SUBMIT_FAILED, SUBMITTED
    STARTED_, SUCCEEDED_, EXEC_STARTED_, EXEC_ENDED_ = ATTEMPT_STARTED, ATTEMPT_SUCCEEDED, EXEC_STARTED, EXEC_ENDED
    OPEN, STATE, TYPE, BOX, CUR, END, STATUS, LAST_FAIL, TRIES, SCOPE, FAIL, ERROR, CAUSE = (
        V_OPEN, V_STATE, V_TYPE, V_BOX, V_CUR, V_END, V_STATUS, V_LAST_FAIL, V_TRIES, V_SCOPE, V_FAIL, V_ERROR,
        V_CAUSE)
    A_OUT_, A_START_, A_END_, A_ROW_, A_ERR_, A_CAUSE_ = A_OUT, A_START, A_END, A_ROW, A_ERR, A_CAUSE
    nan, str_, text_ = _NAN, str, text
    keep = buf.strings.setdefault
    for xn, head in enumerate(batch.heads):
        di = index_for(head)
        w.begin(head, di)
        tr, attempts, vg0, a0 = w.tr, w.attempts, w.vg0, w.a0
        V, root = tr.V, tr.root
        by_key = di.by_key.get if di is not None else None
        by_name = di.by_name.get if di is not None else None
        for k in range(starts[xn], starts[xn + 1]):
            meta = metas[codes[k]]
            role = meta[0]
            p = prows[k]
            d = details[k]
            pv = evis[p] if p >= 0 else -1
            key = meta[3]
            if key is not None:
                s = d.get(key)
                if s is not None:
                    if type(s) is not str_:
                        s = text_(s)
                    in_size[k] = len(s) if s.isascii() else len(s.encode())
                    if payloads:
                        buf.e_input.add(g0 + k, s)
            key = meta[4]
            if key is not None:
                s = d.get(key)
                if s is not None:
                    if type(s) is not str_:
                        s = text_(s)
                    out_size[k] = len(s) if s.isascii() else len(s.encode())
                    if payloads:
                        buf.e_output.add(g0 + k, s)
            if role == ENTERED_:
                name = d.get("name") or "?"
                name = keep(name, name)  # one object per distinct name: the parsed copies are freed
                if p >= 0:
                    pr = metas[codes[p]][0]
                    if pr == ITER_STARTED:
                        scope = escope.get(p, root)
                    elif pr == CONTAINER_STARTED and pv >= 0 and V[pv][TYPE] == "Parallel":
                        scope = tr.branch_scope(pv, name)
                    elif pv >= 0 and pr != EXEC_STARTED_ and pr != EXEC_REDRIVEN:
                        scope = V[pv][SCOPE]
                    else:
                        scope = root
                elif p == -1:
                    scope = root
                else:
                    scope = tr.fallback_scope(name)
                stype = meta[1]
                parent = scope.parent
                if by_key is not None and by_name is not None:  # DefinitionIndex.lookup, inlined
                    info = by_key((V[parent][STATE] if parent >= 0 else None, name)) or by_name(name)
                    retry = info.retry if info is not None else None
                else:
                    info = retry = None
                v = len(V)
                #   state stype  path                 depth        parent  entered end status     tries
                path = scope.prefix + name
                x: list[Any] = [name, stype, keep(path, path), scope.depth, parent, g0 + k, -1, "running", 0,
                     None, None, retry, True, -1, False, False, None, scope, None]
                #    error cause      open fail last_fail ok  cur  scope  box
                V.append(x)
                scope.members.append(v)
                if stype == "Fail":  # static Error/Cause only: a template's value comes from the history
                    w.failures += 1
                    fail(x, k, info.error if info is not None else None, info.cause if info is not None else None)
            elif role == EXITED_:
                name = d.get("name")
                v = pv if pv >= 0 and V[pv][OPEN] and V[pv][STATE] == name else tr.owner(pv, None, name)
                if v >= 0:
                    x = V[v]
                    if x[BOX] is None:  # fast path: a state that is not a Map/Parallel closes
                        x[OPEN], x[END] = False, g0 + k
                        x[STATUS] = "caught" if x[LAST_FAIL] else "succeeded"
                        a = x[CUR]
                        if a is not None and a[A_OUT_] == "running":  # exited with an attempt still open
                            a[A_END_], a[A_OUT_] = ts_of[k], "succeeded" if x[STATUS] == "succeeded" else "aborted"
                    else:
                        if not x[LAST_FAIL] and not x[V_OK]:
                            tr.infer_failure(x)
                        tr.close(v, k, "caught" if x[LAST_FAIL] else "succeeded", k)
                else:
                    v = pv
            elif SCHEDULED_ <= role <= SUBMIT_FAILED_:
                v = pv if pv >= 0 and V[pv][OPEN] and V[pv][TYPE] == "Task" else tr.owner(pv, "Task", None)
                if role > SUCCEEDED_:  # a failure: error and cause (as text)
                    error = d.get("error")
                    if error is not None:
                        error = keep(error, error)
                    cause = d.get("cause")
                    if cause is not None and type(cause) is not str_:
                        cause = text_(cause)
                if v >= 0:
                    x = V[v]
                    a = x[CUR]
                    if role == SCHEDULED_ or a is None or (a[A_OUT_] != "running" and role != SUBMITTED_):
                        kind = meta[5]
                        sched = ts_of[k] if role == SCHEDULED_ else nan
                        x[TRIES] += 1
                        x[LAST_FAIL] = False  # a new try: only its own outcome counts from now on
                        res = d.get("resource")
                        rtype = d.get("resourceType") if kind == "task" else kind
                        a = x[CUR] = [vg0 + v, x[TRIES], kind, res if res is None else keep(res, res),
                                      rtype if rtype is None else keep(rtype, rtype), sched, nan, nan,
                                      "running", None, None, sched - a[A_END_] if a is not None else nan,
                                      a0 + len(attempts)]
                        attempts.append(a)
                    if role == STARTED_:
                        a[A_START_] = ts_of[k]
                    elif role == SUCCEEDED_:
                        a[A_END_], a[A_OUT_] = ts_of[k], "succeeded"
                        x[LAST_FAIL] = False
                    elif role != SCHEDULED_ and role != SUBMITTED_:
                        a[A_END_], a[A_OUT_], a[A_ERR_], a[A_CAUSE_] = ts_of[k], ATTEMPT_OUTCOME[role], error, cause
                        x[LAST_FAIL], x[FAIL], x[ERROR], x[CAUSE] = True, k, error, cause
                    att_rows(g0 + k)
                    att_vals(a[A_ROW_])
                if role > SUCCEEDED_:
                    w.failures += 1
                    err_rows(g0 + k)
                    err_vals(error)
                    cause_rows(g0 + k)
                    cause_vals(cause)
            elif role == EXEC_STARTED_:
                if w.t0 != w.t0:  # NaN: the first start wins (redriven executions keep their start)
                    w.t0 = ts_of[k]
                v = -1
            elif role == EXEC_ENDED_:
                execution_ended(w, k, meta[6], pv, d)
                v = -1
            else:
                v = rare(w, k, role, meta, pv, d)
            evis[k] = v
        if head.truncated:
            cut_short(w)
        _execution_row(w, starts[xn], starts[xn + 1])


def _execution_row(w: WalkState, s: int, e: int) -> None:
    """Append the walked execution's row, visits and attempts to the buffers."""
    head = w.head
    V = w.tr.V
    w.buf.add_execution((head.execution_arn, head.state_machine_arn, w.status, w.t0, w.stop, e - s, w.failures,
                         w.error, w.cause, head.complete, w.vg0, len(V)))
    w.buf.add_rows(V, w.attempts)
