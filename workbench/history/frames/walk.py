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

import numpy as np

from workbench.history.frames.columns import (
    A_CAUSE,
    A_END,
    A_ERR,
    A_OUT,
    A_ROW,
    A_START,
    V_BOX,
    V_CUR,
    V_END,
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
from workbench.history.frames.walk_rare import WalkState, cut_short, opt_text, rare, text
from workbench.history.load.events import (
    ATTEMPT_OUTCOME,
    ATTEMPT_STARTED,
    ATTEMPT_SUCCEEDED,
    CONTAINER_STARTED,
    ENTERED,
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


def walk(h: ExecutionHistory, buf: Buffers, index_for: Callable[[ExecutionHistory], DefinitionIndex | None]) -> None:
    """Append one history's events, visits, attempts and execution row to ``buf``.

    Example:
        >>> from workbench.history.load.readers import load_history
        >>> buf = Buffers(payloads=False)
        >>> walk(load_history("../shared/corpus/histories/test_base__test_state_fail.json"), buf, lambda h: None)
        >>> buf.x_status, buf.n_visits
        (['FAILED'], 1)
    """
    w = WalkState(h, buf, index_for(h))
    _pass(w)
    if h.truncated:
        cut_short(w)
    _flush(w)


def _pass(w: WalkState) -> None:
    """Attach every event to its visit, updating visits and attempts as their events arrive."""
    cols, tr, buf, di = w.cols, w.tr, w.buf, w.di
    codes, ts_of, synth, pos, contiguous = cols.codes, cols.ts, w.h.synthetic_ids, w.pos, w.contiguous
    V, root, evis, escope, attempts = tr.V, tr.root, w.evis, w.escope, w.attempts
    in_size, out_size, payloads = w.in_size, w.out_size, buf.payloads
    g0, vg0, a0, xi = w.g0, w.vg0, w.a0, w.xi
    att_rows, att_vals = buf.e_attempt.rows.append, buf.e_attempt.values.append
    err_add, cause_add = buf.e_error.add, buf.e_cause.add
    metas = TYPE_METAS
    # Module constants as locals: the loop below runs once per event and LOAD_FAST beats LOAD_GLOBAL.
    ENTERED_, EXITED_, SCHEDULED_, SUBMIT_FAILED_, SUBMITTED_ = ENTERED, EXITED, SCHEDULED, SUBMIT_FAILED, SUBMITTED
    STARTED_, SUCCEEDED_ = ATTEMPT_STARTED, ATTEMPT_SUCCEEDED
    OPEN, STATE, TYPE, BOX, CUR, END, STATUS, LAST_FAIL, TRIES, SCOPE = (
        V_OPEN, V_STATE, V_TYPE, V_BOX, V_CUR, V_END, V_STATUS, V_LAST_FAIL, V_TRIES, V_SCOPE)
    A_OUT_, A_START_, A_END_, A_ROW_ = A_OUT, A_START, A_END, A_ROW
    nan = _NAN
    for k, (code, eid, pid, d) in enumerate(zip(codes, cols.ids, cols.prevs, cols.details, strict=True)):
        meta = metas[code]
        role = meta[0]
        if pid <= 0:
            p = -1 if pid == 0 else -2
        elif contiguous:
            p = pid - 1 if pid < eid else -2
        else:
            p = -2 if pid in synth else pos.get(pid, -2)
        pv = evis[p] if p >= 0 else -1
        key = meta[3]
        if key is not None:
            s = d.get(key)
            if s is not None:
                if type(s) is not str:
                    s = text(s)
                in_size[k] = len(s) if s.isascii() else len(s.encode())
                if payloads:
                    buf.e_input.add(g0 + k, s)
        key = meta[4]
        if key is not None:
            s = d.get(key)
            if s is not None:
                if type(s) is not str:
                    s = text(s)
                out_size[k] = len(s) if s.isascii() else len(s.encode())
                if payloads:
                    buf.e_output.add(g0 + k, s)
        if role == ENTERED_:
            name = d.get("name") or "?"
            if p >= 0:
                pr = metas[codes[p]][0]
                if pr == ITER_STARTED:
                    scope = escope.get(p, root)
                elif pr == CONTAINER_STARTED and pv >= 0 and V[pv][TYPE] == "Parallel":
                    scope = tr.branch_scope(pv, name)
                elif pv >= 0 and pr != EXEC_STARTED and pr != EXEC_REDRIVEN:
                    scope = V[pv][SCOPE]
                else:
                    scope = root
            elif p == -1:
                scope = root
            else:
                scope = tr.fallback_scope(name)
            stype = meta[1]
            parent = scope.parent
            info = di.lookup(V[parent][STATE] if parent >= 0 else None, name) if di is not None else None
            v = len(V)
            #   state stype  path                 depth        parent  entered end status     tries
            x = [name, stype, scope.prefix + name, scope.depth, parent, g0 + k, -1, "running", 0,
                 None, None, info.retry if info is not None else None,  # error cause retry
                 True, -1, False, False, None, scope, None, xi, v]  # open fail last_fail ok cur scope box
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
            if v >= 0:
                x = V[v]
                a = x[CUR]
                if role == SCHEDULED_ or a is None or (a[A_OUT_] != "running" and role != SUBMITTED_):
                    kind = meta[5]
                    sched = ts_of[k] if role == SCHEDULED_ else nan
                    x[TRIES] += 1
                    x[LAST_FAIL] = False  # a new try: only its own outcome counts from now on
                    a = x[CUR] = [xi, vg0 + v, x[TRIES], kind, d.get("resource"),
                                  d.get("resourceType") if kind == "task" else kind, sched, nan, nan,
                                  "running", None, None, sched - a[A_END_] if a is not None else nan,
                                  a0 + len(attempts)]
                    attempts.append(a)
                if role == STARTED_:
                    a[A_START_] = ts_of[k]
                elif role == SUCCEEDED_:
                    a[A_END_], a[A_OUT_] = ts_of[k], "succeeded"
                    x[LAST_FAIL] = False
                elif role != SCHEDULED_ and role != SUBMITTED_:
                    error, cause = d.get("error"), opt_text(d.get("cause"))
                    a[A_END_], a[A_OUT_], a[A_ERR], a[A_CAUSE] = ts_of[k], ATTEMPT_OUTCOME[role], error, cause
                    fail(x, k, error, cause)
                att_rows(g0 + k)
                att_vals(a[A_ROW_])
            if role > SUCCEEDED_:
                w.failures += 1
                err_add(g0 + k, d.get("error"))
                cause_add(g0 + k, opt_text(d.get("cause")))
        else:
            v = rare(w, k, role, meta, pv, d)
        evis[k] = v


# --- output ---------------------------------------------------------------------------------------------
def _flush(w: WalkState) -> None:
    """Append the walked history's columns and rows to the buffers, then free its working records."""
    buf, cols, h, n = w.buf, w.cols, w.h, w.n
    buf.n_events += n
    buf.e_ids.append(np.arange(1, n + 1, dtype=np.int64) if w.contiguous else np.asarray(cols.ids, dtype=np.int64))
    buf.e_prevs.append(np.asarray(cols.prevs, dtype=np.int64))
    buf.e_codes.append(np.asarray(cols.codes, dtype=np.int64))
    buf.e_ts.append(np.asarray(cols.ts, dtype=np.float64))
    buf.e_visits.append(np.asarray(w.evis, dtype=np.int64))
    buf.e_in_sizes.append(np.frombuffer(w.in_size, dtype=np.int64))
    buf.e_out_sizes.append(np.frombuffer(w.out_size, dtype=np.int64))
    buf.e_voffset.append(w.vg0)
    if h.synthetic_ids:
        for k, i in enumerate(cols.ids):
            if i in h.synthetic_ids:
                buf.e_unknown_id.add(w.g0 + k, True)
    V = w.tr.V
    buf.add_rows(V, w.attempts)
    buf.x_visits.append(len(V))
    # Free this history's working records now (frames() pauses the cyclic collector).
    V.clear()
    w.attempts.clear()
    w.escope.clear()
    buf.x_name.append(h.execution_arn)
    buf.x_machine.append(h.state_machine_arn)
    buf.x_status.append(w.status)
    buf.x_start.append(w.t0)
    buf.x_stop.append(w.stop)
    buf.x_events.append(n)
    buf.x_failures.append(w.failures)
    buf.x_error.append(w.error)
    buf.x_cause.append(w.cause)
    buf.x_complete.append(h.complete)
