"""Where the time goes and what fails: pure functions from history frames to small DataFrames.

Latency is measured per state *visit* (``states`` frame: entered → exited), so a Task's number
includes its retries and back-offs; :func:`time_breakdown` splits that time into waiting (Wait
states, retry back-offs, queueing before a worker picks the task up) and working. Retries live in
:mod:`workbench.history.analysis.retries`, the critical path in :mod:`workbench.history.analysis.critical_path`.
Percentiles are pandas' linear-interpolation quantiles. Each function also takes a store instead of
frames (a DuckDB connection or Spark session on one): see :mod:`workbench.history.store.sql`.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from workbench.core.arn import ARN_IN_TEXT
from workbench.history._frame_access import CONTAINER_TYPES, AnalysisError, frame, require, text
from workbench.history._types import Row
from workbench.history.analysis.critical_path import critical_path
from workbench.history.analysis.retries import tries
from workbench.history.store.sql import latency as sql_latency
from workbench.history.store.sql import subsets as sql_subsets
from workbench.history.store.sql.engine import is_store

FATES = ("caught", "retried", "tolerated", "redriven", "fatal", "aborted", "undecided")
_QUANTILES = {"p50_ms": 0.5, "p90_ms": 0.9, "p99_ms": 0.99}


def state_latency(frames: object, by: str = "state") -> pd.DataFrame:
    """Latency of each state across executions: count, p50, p90, p99, max and mean (ms).

    ``by="state"`` groups by state name and type; ``by="path"`` keeps states of different branches
    apart (``Gather/branch[1]/Pull``; Map iteration numbers are folded to ``iter[*]``). ``count``
    counts every visit, the statistics use the visits that have both timestamps (``timed``).

    Example:
        >>> state_latency(frames).loc[[("Fetch", "Task")]]                       # doctest: +SKIP
                    count  timed  p50_ms  p90_ms   p99_ms   max_ms  mean_ms
        state type
        Fetch Task      3      3  7970.0  9890.0  10322.0  10370.0   7970.0
    """
    if is_store(frames):
        return sql_latency.state_latency(frames, by)
    states = frame(frames, "states")
    require(states, ("state", "type", "path", "duration_ms"), "states")
    df = pd.DataFrame({"state": states["state"].astype(str), "type": states["type"].astype(str),
                       "path": states["path"].astype(str).str.replace(r"iter\[\d+\]", "iter[*]", regex=True),
                       "duration_ms": states["duration_ms"].astype("float64")})
    if by not in ("state", "path"):
        raise AnalysisError(f"state_latency: by must be 'state' or 'path', got {by!r}")
    keys = ["state", "type"] if by == "state" else ["path", "type"]
    return _latency_table(df, keys)


def _latency_table(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    g = df.groupby(keys, sort=True)["duration_ms"]
    out = pd.DataFrame({"count": g.size(), "timed": g.count()})
    for col, q in _QUANTILES.items():
        out[col] = g.quantile(q)
    out["max_ms"] = g.max()
    out["mean_ms"] = g.mean()
    out["count"] = out["count"].astype("int64")
    out["timed"] = out["timed"].astype("int64")
    return out


def time_breakdown(frames: object, by: str = "execution") -> pd.DataFrame:
    """Waiting vs working, per execution (``by="execution"``) or per state (``by="state"``), in ms.

    * ``wait_state_ms``: time in ``Wait`` states;
    * ``backoff_ms``: retry back-offs (Task attempts and Map/Parallel re-starts);
    * ``queue_ms``: Task scheduled → started (Lambda/activity/worker pick-up);
    * ``work_ms``: Task started → ended, for every attempt;
    * ``other_ms``: the rest of the time inside leaf states (Pass/Choice, Task bookkeeping).
    ``waiting_ms`` = wait_state + backoff + queue and ``waiting_share`` = waiting / (waiting + work + other).
    Times are summed over visits, so concurrent branches add up and the total can exceed the wall-clock
    duration (shown as ``duration_ms`` per execution).

    Example:
        >>> time_breakdown(frames)[["waiting_ms", "work_ms", "waiting_share"]]    # doctest: +SKIP
                                                        waiting_ms  work_ms  waiting_share
        execution
        arn:aws:states:us-east-1:123456789012:execution:M:r1    5160.0   2800.0       0.643311
    """
    if is_store(frames):
        return sql_latency.time_breakdown(frames, by)
    states = frame(frames, "states")
    attempts = frame(frames, "attempts")
    require(states, ("execution", "visit", "state", "type", "duration_ms"), "states")
    require(attempts, ("execution", "visit", "queue_ms", "run_ms", "backoff_ms"), "attempts")
    if by not in ("execution", "state"):
        raise AnalysisError(f"time_breakdown: by must be 'execution' or 'state', got {by!r}")
    s = pd.DataFrame({"execution": states["execution"].astype(str), "visit": states["visit"].astype("int64"),
                      "state": states["state"].astype(str), "type": states["type"].astype(str),
                      "duration_ms": states["duration_ms"].astype("float64")})
    a = attempts.assign(execution=attempts["execution"].astype(str))
    per_visit = a.groupby(["execution", "visit"]).agg(queue_ms=("queue_ms", "sum"), work_ms=("run_ms", "sum"),
                                                     task_backoff_ms=("backoff_ms", "sum"))
    t = tries(frames)
    box = t[t["type"].isin(CONTAINER_TYPES)].groupby(["execution", "visit"])["backoff_ms"].sum()
    s = s.join(per_visit, on=["execution", "visit"]).join(box.rename("box_backoff_ms"), on=["execution", "visit"])
    s = s.fillna({"queue_ms": 0.0, "work_ms": 0.0, "task_backoff_ms": 0.0, "box_backoff_ms": 0.0})
    leaf = ~s["type"].isin(CONTAINER_TYPES)
    s["wait_state_ms"] = np.where(s["type"] == "Wait", s["duration_ms"].fillna(0.0), 0.0)
    s["backoff_ms"] = s["task_backoff_ms"] + s["box_backoff_ms"]
    inside = s["queue_ms"] + s["work_ms"] + s["task_backoff_ms"] + s["wait_state_ms"]
    s["other_ms"] = np.where(leaf, (s["duration_ms"].fillna(0.0) - inside).clip(lower=0.0), 0.0)
    cols = ["wait_state_ms", "backoff_ms", "queue_ms", "work_ms", "other_ms"]
    keys = ["execution"] if by == "execution" else ["state", "type"]
    out = s.groupby(keys, sort=True)[cols].sum()
    out["waiting_ms"] = out["wait_state_ms"] + out["backoff_ms"] + out["queue_ms"]
    total = out["waiting_ms"] + out["work_ms"] + out["other_ms"]
    out["waiting_share"] = out["waiting_ms"] / total.where(total > 0)
    if by == "execution":
        executions = frame(frames, "executions")
        require(executions, ("execution", "duration_ms"), "executions")
        dur = executions.assign(execution=executions["execution"].astype(str)).set_index("execution")["duration_ms"]
        out.insert(0, "duration_ms", dur.reindex(out.index))
    return out


def slowest_executions(frames: object, n: int = 5, top_states: int = 3) -> pd.DataFrame:
    """The ``n`` slowest executions and why: the states holding most time on their critical path.

    One row per (execution, contributing state), ``contribution_ms`` summed over that state's visits
    on the critical path (see :func:`~workbench.history.analysis.critical_path.critical_path`) and ``share`` of
    the execution's duration; ``rank`` orders the executions (1 = slowest).

    Example:
        >>> slowest_executions(frames, n=1)[["rank", "state", "contribution_ms", "share"]]  # doctest: +SKIP
           rank   state  contribution_ms     share
        0     1   Fetch           5570.0  0.694081
        1     1  Settle           2000.0  0.249221
        2     1   Store            415.0  0.051713
    """
    if is_store(frames):
        return sql_subsets.slowest_executions(frames, n, top_states)
    executions = frame(frames, "executions")
    require(executions, ("execution", "duration_ms", "status"), "executions")
    ranked = executions.dropna(subset=["duration_ms"]).sort_values("duration_ms", ascending=False).head(n)
    rows: list[Row] = []
    for rank, ex in enumerate(ranked.itertuples(index=False), start=1):
        path = critical_path(frames, execution=str(ex.execution))
        if path.empty:
            contrib = pd.DataFrame(columns=["state", "type", "contribution_ms"])
        else:
            contrib = (path.groupby(["state", "type"], sort=False, observed=True)["contribution_ms"].sum()
                       .reset_index().sort_values("contribution_ms", ascending=False).head(top_states))
        if contrib.empty:
            rows.append({"rank": rank, "execution": str(ex.execution), "status": str(ex.status),
                         "duration_ms": float(ex.duration_ms), "state": None, "type": None,
                         "contribution_ms": np.nan, "share": np.nan})
        for c in contrib.itertuples(index=False):
            share = float(c.contribution_ms) / float(ex.duration_ms) if ex.duration_ms else np.nan
            rows.append({"rank": rank, "execution": str(ex.execution), "status": str(ex.status),
                         "duration_ms": float(ex.duration_ms), "state": c.state, "type": c.type,
                         "contribution_ms": float(c.contribution_ms), "share": share})
    return pd.DataFrame(rows, columns=["rank", "execution", "status", "duration_ms", "state", "type",
                                       "contribution_ms", "share"])


# ------------------------------------------------------------------------------------------- failures

_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
# redaction placeholders of recorded histories, e.g. <uuid:3>, <ExecArnPart_0idx>, <request_id:2>
_PLACEHOLDER_UUID = re.compile(r"<uuid:\d+>")
_PLACEHOLDER = re.compile(r"<(?!uuid>)[A-Za-z_]*\d*(idx|id|Id|ID)(:\d+)?>")
_ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_HEX = re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b")
_ID = re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{12,}\b")
_NUMBER = re.compile(r"(?<![\w<])[-+]?\d+(\.\d+)?(?![\w>])")
_SPACE = re.compile(r"\s+")


def normalise_cause(cause: str | None, max_len: int = 160) -> str:
    """Turn a failure cause into a pattern: ids, uuids, ARNs, times and numbers become placeholders.

    A Lambda cause (JSON with ``errorMessage``) is reduced to its message first, so stack traces and
    request ids do not split one problem into many groups.

    Example:
        >>> normalise_cause('Timeout after 30.5 s calling arn:aws:lambda:eu-west-1:123456789012:function:probe')
        'Timeout after <n> s calling <arn>'
        >>> normalise_cause('{"errorMessage": "host 10 down", "requestId": "5f0e7b2c-1d2e-4f5a-9b8c-1234567890ab"}')
        'host <n> down'
    """
    if cause is None:
        return ""
    message = cause
    try:
        parsed = json.loads(cause)
    except (json.JSONDecodeError, TypeError):
        parsed = None
    if isinstance(parsed, dict):
        inner = parsed.get("errorMessage") or parsed.get("message") or parsed.get("Message")
        if isinstance(inner, str):
            message = inner
    elif isinstance(parsed, str):
        message = parsed
    out = _PLACEHOLDER_UUID.sub("<uuid>", message)
    out = _PLACEHOLDER.sub("<id>", out)
    out = _UUID.sub("<uuid>", out)
    out = ARN_IN_TEXT.sub("<arn>", out)
    out = _ISO_TIME.sub("<time>", out)
    out = _HEX.sub("<hex>", out)
    out = _ID.sub("<id>", out)
    out = _NUMBER.sub("<n>", out)
    out = _SPACE.sub(" ", out).strip()
    return out if len(out) <= max_len else out[: max_len - 1] + "…"


def failures(frames: object) -> pd.DataFrame:
    """Every failure origin, one row per failed state visit, with its fate.

    An origin is a leaf state visit (Task, Fail, a Pass/Choice with a runtime error...) whose final
    try failed, or a Map/Parallel that failed with no failed visit inside it (tolerated-failure
    limit, ItemReader errors). A Task's retried attempts are not failures here (see
    :func:`~workbench.history.analysis.retries.retry_summary`). ``fate``, from the nearest decision up the
    nesting: ``caught`` (its own or an enclosing state's Catch took over), ``retried`` (an enclosing
    Map/Parallel was re-run by its Retry), ``tolerated`` (an enclosing Map succeeded anyway),
    ``redriven`` (it failed the execution, which was later redriven), ``fatal`` (it failed the
    execution), ``aborted``, or ``undecided`` (the history stops first: a RUNNING or INCOMPLETE execution).

    Example:
        >>> failures(frames)[["state", "error", "cause_pattern", "fate"]]        # doctest: +SKIP
            state             error                    cause_pattern    fate
        0  Charge  Payment.Declined  card <n> declined for order <n>  caught
        1  Charge  Payment.Declined  card <n> declined for order <n>   fatal
    """
    if is_store(frames):
        return sql_subsets.failures(frames)
    states = frame(frames, "states")
    executions = frame(frames, "executions")
    events = frame(frames, "events")
    require(states, ("execution", "visit", "state", "type", "path", "parent_visit", "status", "error", "cause",
                     "entered_event"), "states")
    require(executions, ("execution", "status"), "executions")
    require(events, ("execution", "id", "type", "visit"), "events")
    s = states.assign(execution=states["execution"].astype(str), type=states["type"].astype(str),
                      status=states["status"].astype(str))
    exec_status = dict(zip(executions["execution"].astype(str), executions["status"].astype(str), strict=False))
    redrives = events[events["type"].astype(str) == "ExecutionRedriven"]
    last_redrive = dict(redrives.assign(execution=redrives["execution"].astype(str)).groupby("execution")["id"].max())
    starts = events[events["type"].astype(str).isin(["MapStateStarted", "ParallelStateStarted"])]
    last_start: dict[tuple[str, int], int] = {
        (str(e), int(v)): int(i) for (e, v), i in
        starts.assign(execution=starts["execution"].astype(str)).groupby(["execution", "visit"])["id"].max().items()}
    index = {(e, int(v)): _Node(int(p), st, last_start.get((e, int(v)), -1)) for e, v, p, st in
             zip(s["execution"], s["visit"], s["parent_visit"], s["status"], strict=True)}
    bad = s[s["status"].isin(["failed", "caught"])]
    has_failed_child: set[tuple[str, int]] = set()
    for e, p in zip(bad["execution"], bad["parent_visit"], strict=True):  # mark every ancestor of a failure
        cur: tuple[str, int] | None = (e, int(p))
        while cur is not None and cur[1] >= 0 and cur not in has_failed_child:
            has_failed_child.add(cur)
            node = index.get(cur)
            cur = (cur[0], node.parent) if node else None
    rows: list[Row] = []
    for r in bad.itertuples(index=False):
        key = (r.execution, int(r.visit))
        if r.type in CONTAINER_TYPES and key in has_failed_child:
            continue
        fate = _fate(key, int(r.entered_event), index, exec_status.get(r.execution, ""))
        if fate == "fatal" and int(r.entered_event) < last_redrive.get(r.execution, -1):
            fate = "redriven"  # it failed the run, and the run was redriven after it
        rows.append({"execution": r.execution, "visit": int(r.visit), "state": str(r.state), "type": r.type,
                     "path": str(r.path), "error": text(r.error) or "(no error name)", "cause": text(r.cause),
                     "cause_pattern": normalise_cause(text(r.cause)), "fate": fate})
    return pd.DataFrame(rows, columns=["execution", "visit", "state", "type", "path", "error", "cause",
                                       "cause_pattern", "fate"])


class _Node(NamedTuple):
    parent: int
    status: str
    last_start_event: int  # last Map/ParallelStateStarted of a container (-1 otherwise)


def _fate(key: tuple[str, int], entered_event: int, index: dict[tuple[str, int], _Node], exec_status: str) -> str:
    node = index[key]
    if node.status == "caught":
        return "caught"
    while node.parent >= 0:
        parent = index.get((key[0], node.parent))
        if parent is None:
            break
        if entered_event < parent.last_start_event:
            return "retried"
        if parent.status == "caught":
            return "caught"
        if parent.status == "succeeded":
            return "tolerated"
        if parent.status == "aborted":
            return "aborted"
        node = parent
    if exec_status == "ABORTED":
        return "aborted"
    if exec_status in ("RUNNING", "INCOMPLETE"):
        return "undecided"  # the history stops before anything decided what became of it
    return "fatal"  # it reached the top level uncaught (a redriven run may have succeeded since)


def failure_patterns(frames: object) -> pd.DataFrame:
    """Failures grouped by state, error and cause pattern, with a count per fate (see :func:`failures`).

    Example:
        >>> failure_patterns(frames)                                             # doctest: +SKIP
                                          count  caught  retried  tolerated  redriven  fatal  aborted ...
        state error    cause_pattern
        Probe HostDown host <n> unreachable      7       5        0          0         0      2        0 ...
    """
    if is_store(frames):
        return sql_subsets.failure_patterns(frames)
    f = failures(frames)
    cols = ["count", *FATES, "executions", "example_cause"]
    if f.empty:
        return pd.DataFrame(columns=cols, index=pd.MultiIndex.from_tuples(
            [], names=["state", "error", "cause_pattern"]))
    g = f.groupby(["state", "error", "cause_pattern"], sort=True)
    out = pd.DataFrame({"count": g.size()})
    for fate in FATES:
        out[fate] = g["fate"].apply(lambda s, want=fate: int((s == want).sum()))
    out["executions"] = g["execution"].nunique()
    out["example_cause"] = g["cause"].first()
    for col in cols[:-1]:
        out[col] = out[col].astype("int64")
    return out.sort_values("count", ascending=False, kind="stable")
