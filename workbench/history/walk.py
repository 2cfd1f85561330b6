"""Rebuild state visits and task attempts from one history's ``previousEventId`` DAG.

``previousEventId`` is a DAG, not a list: concurrent Parallel branches and Map iterations
interleave, a branch's first state points at ``ParallelStateStarted``, an iteration's first state
at its ``MapIterationStarted``, and Map/Parallel retries repeat ``*StateStarted``. So every event is
attached to a *visit* by following its predecessor: an Entered event opens a visit in the scope
its predecessor implies; other events belong to the nearest *open* visit of the right kind up the
nesting chain from their predecessor's visit (name-matched when the event carries a name). When a
predecessor is unknown (placeholder ids) we fall back to the definition and to the most recent
open visit, and the history is flagged incomplete by the loader.

One pass, plain lists and small slotted objects: this is the hot loop of the whole package.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np
import orjson

from workbench.history.columns import (
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
    V_PARENT,
    V_SCOPE,
    V_STATE,
    V_STATUS,
    V_TRIES,
    V_TYPE,
    Buffers,
)
from workbench.history.definition_index import DefinitionIndex
from workbench.history.events import (
    ATTEMPT_OUTCOME,
    ATTEMPT_STARTED,
    ATTEMPT_SUCCEEDED,
    CONTAINER_ABORTED,
    CONTAINER_FAILED,
    CONTAINER_STARTED,
    CONTAINER_SUCCEEDED,
    ENTERED,
    EVALUATION_FAILED,
    EXEC_ENDED,
    EXEC_REDRIVEN,
    EXEC_STARTED,
    EXITED,
    ITER_ABORTED,
    ITER_FAILED,
    ITER_STARTED,
    ITER_SUCCEEDED,
    MAPRUN_FAILED,
    MAPRUN_REDRIVEN,
    MAPRUN_STARTED,
    MAPRUN_SUCCEEDED,
    SCHEDULED,
    STATE_ABORTED,
    SUBMIT_FAILED,
    SUBMITTED,
    TYPE_METAS,
    ExecutionHistory,
)
from workbench.history.visits import B_BRANCHES, B_ITERS, B_NEXT, Scope, Visits, box, fail

_NAN = math.nan
_MINUS_ONE = (-1,)


def _text(value: object) -> str:
    return value if type(value) is str else orjson.dumps(value).decode()


def _opt_text(value: object) -> str | None:
    return None if value is None else _text(value)


def walk(h: ExecutionHistory, buf: Buffers, index_for: Callable[[ExecutionHistory], DefinitionIndex | None]) -> None:
    """Append one history's events, visits, attempts and execution row to ``buf``."""
    cols = h.columns
    codes = cols.codes
    n = len(cols.ids)
    di = index_for(h)
    g0, vg0, xi = buf.n_events, buf.n_visits, len(buf.x_name)
    synth = h.synthetic_ids
    contiguous = not synth and n > 0 and cols.ids[0] == 1 and cols.ids[-1] == n
    pos = {} if contiguous else {i: k for k, i in enumerate(cols.ids)}
    tr = Visits(cols.ts, g0, di)
    V, root = tr.V, tr.root
    evis = [-1] * n
    in_size = array("q", _MINUS_ONE) * n
    out_size = array("q", _MINUS_ONE) * n
    attempts: list[list[Any]] = []
    escope: dict[int, Scope] = {}
    ts_of = cols.ts
    a0 = buf.n_attempts
    payloads = buf.payloads
    att_rows, att_vals = buf.e_attempt.rows.append, buf.e_attempt.values.append
    err_add, cause_add = buf.e_error.add, buf.e_cause.add
    t0 = stop = _NAN
    status, x_error, x_cause = "RUNNING", None, None
    failures = 0
    metas = TYPE_METAS

    # --- the pass --------------------------------------------------------------------------------------
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
                    s = _text(s)
                in_size[k] = len(s) if s.isascii() else len(s.encode())
                if payloads:
                    buf.e_input.add(g0 + k, s)
        key = meta[4]
        if key is not None:
            s = d.get(key)
            if s is not None:
                if type(s) is not str:
                    s = _text(s)
                out_size[k] = len(s) if s.isascii() else len(s.encode())
                if payloads:
                    buf.e_output.add(g0 + k, s)
        v = -1
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
            if stype == "Fail":
                failures += 1
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
                    if x[BOX] is not None and not x[LAST_FAIL] and not x[V_OK]:
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
                    error, cause = d.get("error"), _opt_text(d.get("cause"))
                    a[A_END_], a[A_OUT_], a[A_ERR], a[A_CAUSE] = ts_of[k], ATTEMPT_OUTCOME[role], error, cause
                    fail(x, k, error, cause)
                att_rows(g0 + k)
                att_vals(a[A_ROW_])
            if role > SUCCEEDED_:
                failures += 1
                err_add(g0 + k, d.get("error"))
                cause_add(g0 + k, _opt_text(d.get("cause")))
        elif ITER_STARTED <= role <= ITER_ABORTED:
            name = d.get("name")
            idx = d.get("index")
            if idx is not None:
                buf.e_iteration.add(g0 + k, idx)
            v = tr.owner(pv, "Map", name)
            if v >= 0:
                x = V[v]
                if role == ITER_STARTED:
                    escope[k] = tr.iteration_scope(v, idx)
                else:
                    if role == ITER_FAILED:
                        tr.take_error(x, pv)
                    sc = box(x)[B_ITERS].get(idx)
                    if sc is not None:
                        tr.close_members(sc, k, role == ITER_SUCCEEDED)
        elif CONTAINER_STARTED <= role <= CONTAINER_ABORTED:
            stype = meta[1]
            v = pv if pv >= 0 and V[pv][OPEN] and V[pv][TYPE] == stype else tr.owner(pv, stype, None)
            if v >= 0:
                x = V[v]
                bx = box(x)
                if role == CONTAINER_STARTED:
                    x[TRIES] += 1
                    x[V_OK] = x[LAST_FAIL] = False
                    if x[TRIES] > 1:  # a Retry re-started the Map/Parallel
                        tr.take_error(x, pv)
                        tr.close_tree(x, k, False)
                        bx[B_BRANCHES], bx[B_ITERS], bx[B_NEXT] = {}, {}, 0
                elif role == CONTAINER_SUCCEEDED:
                    x[LAST_FAIL], x[V_OK] = False, True
                    tr.close_tree(x, k, True)
                elif role == CONTAINER_FAILED:
                    tr.take_error(x, pv)
                    x[LAST_FAIL], x[V_FAIL] = True, k
                    tr.close_tree(x, k, False)
                else:
                    tr.close(v, k, "failed" if x[LAST_FAIL] else "aborted")
        elif role == STATE_ABORTED:
            stype = meta[1]
            v = pv if pv >= 0 and V[pv][OPEN] and V[pv][TYPE] == stype else tr.sibling(pv, stype)
            if v >= 0 and V[v][OPEN]:
                tr.close(v, k, "failed" if V[v][LAST_FAIL] else "aborted")
        elif role == EVALUATION_FAILED:
            name = d.get("state")
            v = tr.owner(pv, None, name if isinstance(name, str) else None)
            error, cause = d.get("error"), _opt_text(d.get("cause"))
            err_add(g0 + k, error)
            cause_add(g0 + k, cause)
            failures += 1
            if v >= 0:
                fail(V[v], k, error, cause)
        elif MAPRUN_STARTED <= role <= MAPRUN_REDRIVEN:
            v = tr.owner(pv, "Map", None)
            if role in (MAPRUN_STARTED, MAPRUN_REDRIVEN):
                buf.e_maprun.add(g0 + k, d.get("mapRunArn"))
            elif role == MAPRUN_FAILED:
                error, cause = d.get("error"), _opt_text(d.get("cause"))
                err_add(g0 + k, error)
                cause_add(g0 + k, cause)
                failures += 1
                if v >= 0:
                    fail(V[v], k, error, cause)
            elif role == MAPRUN_SUCCEEDED and v >= 0:
                V[v][LAST_FAIL] = False
        elif role == EXEC_STARTED:
            if t0 != t0:  # NaN: the first start wins (redriven executions keep their start)
                t0 = ts_of[k]
        elif role == EXEC_ENDED:
            status, stop = meta[6], ts_of[k]
            x_error, x_cause = d.get("error"), _opt_text(d.get("cause"))
            if x_error is not None:
                err_add(g0 + k, x_error)
            if x_cause is not None:
                cause_add(g0 + k, x_cause)
            chain = set()
            c = pv
            while c >= 0:
                chain.add(c)
                c = V[c][V_PARENT]
            for j, y in enumerate(V):
                if not y[OPEN]:
                    continue
                if status == "SUCCEEDED":
                    tr.close(j, k, "failed" if y[LAST_FAIL] else "succeeded")
                elif j in chain or y[LAST_FAIL]:
                    if y[V_ERROR] is None and j in chain:
                        y[V_ERROR], y[V_CAUSE] = x_error, x_cause
                    tr.close(j, k, "failed")
                else:
                    tr.close(j, k, "aborted")
        else:  # UNKNOWN, ExecutionRedriven: keep the event with its predecessor's visit
            v = pv
            if role == EXEC_REDRIVEN:  # a redrive re-runs failed states: the execution is running again
                status, stop = "RUNNING", nan
        evis[k] = v

    buf.n_events += n
    buf.e_ids.append(np.arange(1, n + 1, dtype=np.int64) if contiguous else np.asarray(cols.ids, dtype=np.int64))
    buf.e_prevs.append(np.asarray(cols.prevs, dtype=np.int64))
    buf.e_codes.append(np.asarray(codes, dtype=np.int64))
    buf.e_ts.append(np.asarray(ts_of, dtype=np.float64))
    buf.e_visits.append(np.asarray(evis, dtype=np.int64))
    buf.e_in_sizes.append(np.frombuffer(in_size, dtype=np.int64))
    buf.e_out_sizes.append(np.frombuffer(out_size, dtype=np.int64))
    buf.e_voffset.append(vg0)
    if synth:
        for k, i in enumerate(cols.ids):
            if i in synth:
                buf.e_unknown_id.add(g0 + k, True)
    buf.add_rows(V, attempts)
    buf.x_visits.append(len(V))
    # Free this history's working records now (frames() pauses the cyclic collector).
    V.clear()
    attempts.clear()
    escope.clear()
    buf.x_name.append(h.execution_arn)
    buf.x_machine.append(h.state_machine_arn)
    buf.x_status.append(status)
    buf.x_start.append(t0)
    buf.x_stop.append(stop)
    buf.x_events.append(n)
    buf.x_failures.append(failures)
    buf.x_error.append(x_error)
    buf.x_cause.append(x_cause)
    buf.x_complete.append(h.complete)
