"""Retries: what was retried, how long the back-offs took, and whether they match the Retry policy.

A *try* is one run of a state: a Task attempt (``attempts`` frame) or one ``MapStateStarted`` /
``ParallelStateStarted`` of a Map/Parallel visit (``events`` frame). Replaying a visit's failed
tries against its ``Retry`` array (``states.retry_policy``) the way Step Functions does — first
retrier whose ``ErrorEquals`` matches, one attempt counter per retrier — tells for every retry which
retrier fired, its number n, and the configured delay
``min(IntervalSeconds × BackoffRate^(n-1), MaxDelaySeconds)``; with ``JitterStrategy: FULL`` the
real delay is drawn from [0, that value].
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.history._frame_access import CONTAINER_TYPES, frame, ms, require, text
from workbench.history._types import JsonDict, Row
from workbench.history.store.sql import subsets as sql_subsets
from workbench.history.store.sql.engine import is_store

# Defaults from the ASL specification.
DEFAULT_INTERVAL_S = 1.0
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_BACKOFF_RATE = 2.0
# "States.ALL ... matches any known error name" except these two, which are never retried/caught by it.
_NOT_MATCHED_BY_ALL = frozenset({"States.Runtime", "States.DataLimitExceeded"})

TRY_COLUMNS = ["execution", "visit", "state", "type", "try_no", "outcome", "error", "cause", "backoff_ms"]


@dataclass(frozen=True)
class Retrier:
    """One entry of a state's ``Retry`` array, with the ASL defaults filled in.

    Example:
        >>> r = Retrier.from_asl({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxDelaySeconds": 5})
        >>> [r.expected_delay_s(n) for n in (1, 2, 3)]
        [3.0, 5.0, 5.0]
    """

    error_equals: tuple[str, ...]
    interval_s: float = DEFAULT_INTERVAL_S
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff_rate: float = DEFAULT_BACKOFF_RATE
    max_delay_s: float | None = None
    jitter: str = "NONE"

    @classmethod
    def from_asl(cls, obj: JsonDict) -> Retrier:
        errors = obj.get("ErrorEquals") or []
        max_delay = obj.get("MaxDelaySeconds")
        return cls(
            error_equals=tuple(str(e) for e in errors),
            interval_s=float(obj.get("IntervalSeconds", DEFAULT_INTERVAL_S)),
            max_attempts=int(obj.get("MaxAttempts", DEFAULT_MAX_ATTEMPTS)),
            backoff_rate=float(obj.get("BackoffRate", DEFAULT_BACKOFF_RATE)),
            max_delay_s=None if max_delay is None else float(max_delay),
            jitter=str(obj.get("JitterStrategy", "NONE")).upper(),
        )

    def matches(self, error: str | None) -> bool:
        """Does this retrier handle ``error``? (``States.TaskFailed`` matches any error but a timeout.)"""
        name = error or ""
        if name in self.error_equals:
            return True
        if "States.ALL" in self.error_equals:
            return name not in _NOT_MATCHED_BY_ALL
        return "States.TaskFailed" in self.error_equals and name != "States.Timeout" and name not in _NOT_MATCHED_BY_ALL

    def expected_delay_s(self, n: int) -> float:
        """Configured wait before retry ``n`` (1-based): ``min(Interval × Rate^(n-1), MaxDelay)``."""
        delay = self.interval_s * self.backoff_rate ** (n - 1)
        return min(delay, self.max_delay_s) if self.max_delay_s is not None else delay


def parse_retry_policy(policy: str | None) -> list[Retrier]:
    """``states.retry_policy`` (JSON text of the ``Retry`` array) → retriers; [] when unknown or malformed.

    Example:
        >>> parse_retry_policy('[{"ErrorEquals": ["Oops"], "MaxAttempts": 0}]')[0].max_attempts
        0
    """
    if not policy:
        return []
    try:
        raw = json.loads(policy)
    except json.JSONDecodeError:
        return []
    if not isinstance(raw, list):
        return []
    return [Retrier.from_asl(r) for r in raw if isinstance(r, dict)]


def tries(frames: object) -> pd.DataFrame:
    """Every try of every retriable visit: Task attempts plus Map/Parallel (re)starts.

    ``backoff_ms`` is the pause before this try (NaN for the first). For a Map/Parallel the pause
    runs from the last event of the failed try to the next ``*StateStarted``; the error of each of
    its failed tries is the visit's error (the frames keep only the last one per visit).

    Example:
        >>> tries(frames)[["state", "try_no", "outcome", "backoff_ms"]]        # doctest: +SKIP
    """
    attempts = frame(frames, "attempts")
    states = frame(frames, "states")
    require(attempts, ("execution", "visit", "state", "attempt", "outcome", "error", "cause", "backoff_ms"),
            "attempts")
    require(states, ("execution", "visit", "type", "status", "error", "cause", "attempts"), "states")
    task = pd.DataFrame({
        "execution": attempts["execution"].astype(str), "visit": attempts["visit"].astype("int64"),
        "state": attempts["state"].astype(str), "type": "Task", "try_no": attempts["attempt"].astype("int64"),
        "outcome": attempts["outcome"].astype(str), "error": attempts["error"], "cause": attempts["cause"],
        "backoff_ms": attempts["backoff_ms"].astype("float64"),
    })
    containers = _container_tries(frames, states)
    out = pd.concat([task, containers], ignore_index=True) if not containers.empty else task
    return out.sort_values(["execution", "visit", "try_no"], kind="stable").reset_index(drop=True)


def _container_tries(frames: object, states: pd.DataFrame) -> pd.DataFrame:
    boxes = states[states["type"].astype(str).isin(CONTAINER_TYPES)]
    if boxes.empty:
        return pd.DataFrame(columns=TRY_COLUMNS)
    events = frame(frames, "events")
    require(events, ("execution", "id", "visit", "type", "timestamp"), "events")
    keys = pd.DataFrame({"execution": boxes["execution"].astype(str), "visit": boxes["visit"].astype("int64"),
                         "state": boxes["state"].astype(str), "box_type": boxes["type"].astype(str),
                         "status": boxes["status"].astype(str), "box_error": boxes["error"],
                         "box_cause": boxes["cause"]})
    ev = pd.DataFrame({"execution": events["execution"].astype(str), "visit": events["visit"].astype("int64"),
                       "id": events["id"], "type": events["type"].astype(str), "timestamp": events["timestamp"]})
    ev = ev.merge(keys[["execution", "visit"]], on=["execution", "visit"]).sort_values(["execution", "visit", "id"])
    # the pause before a re-start runs from the visit's previous event (the failed try's last one)
    ev["prev_ts"] = ev.groupby(["execution", "visit"], sort=False)["timestamp"].shift(1)
    started = ev[ev["type"].str.endswith("StateStarted")].copy()
    started["try_no"] = started.groupby(["execution", "visit"], sort=False).cumcount() + 1
    started["backoff_ms"] = np.where(started["try_no"] > 1,
                                     (started["timestamp"] - started["prev_ts"]).dt.total_seconds() * 1000.0,
                                     np.nan)
    started["tries"] = started.groupby(["execution", "visit"], sort=False)["try_no"].transform("max")
    out = started.merge(keys, on=["execution", "visit"])
    last = out["try_no"] == out["tries"]
    out["outcome"] = np.where(last, out["status"].map(_container_outcome), "failed")
    failed = out["outcome"] == "failed"
    out["error"] = out["box_error"].where(failed, None)
    out["cause"] = out["box_cause"].where(failed, None)
    out["type"] = out["box_type"]
    return out[TRY_COLUMNS]


def _container_outcome(status: str) -> str:
    return {"succeeded": "succeeded", "failed": "failed", "caught": "failed", "aborted": "aborted"}.get(status, status)


_FAILED_OUTCOMES = ("failed", "timed_out", "schedule_failed", "start_failed", "submit_failed")
_CHECK_COLUMNS = ["execution", "visit", "state", "type", "try_no", "error", "retrier", "n", "max_attempts",
                  "interval_s", "backoff_rate", "max_delay_s", "jitter", "expected_s", "actual_s", "verdict",
                  "consistent"]


def backoff_check(frames: object, *, tolerance_s: float = 0.25, slack: float = 0.1) -> pd.DataFrame:
    """Configured vs actual back-off for every failed try, replaying each visit against its Retry policy.

    One row per failed try: which retrier matched (``retrier``, its index in ``Retry``), the retry
    number ``n`` for that retrier, ``expected_s`` = min(IntervalSeconds × BackoffRate^(n-1),
    MaxDelaySeconds) and the observed ``actual_s`` (pause before the next try). ``verdict``:
    ``retried``; ``exhausted`` (the matching retrier had used its MaxAttempts; without the definition:
    the visit was retried after this error before, and this time no further try followed);
    ``not_retried`` (no retrier matches the error, or the state has no Retry); ``interrupted`` (a retry
    was due, but the visit ended before it started: the execution stopped, or a sibling Parallel
    branch failed and cancelled this one). ``consistent`` says whether actual_s fits
    the policy: within [expected − tol, expected × (1+slack) + tol] for JitterStrategy NONE, within
    [0, expected × (1+slack) + tol] for FULL; <NA> when either side is unknown (no timestamps, or a
    retry happened but the definition was not given).

    Example:
        >>> backoff_check(frames)[["state", "error", "n", "expected_s", "actual_s", "verdict"]]  # doctest: +SKIP
             state                            error  n  expected_s  actual_s  verdict
        0    Fetch  Lambda.TooManyRequestsException  1         1.0       1.0  retried
        1    Fetch  Lambda.TooManyRequestsException  2         2.0       2.0  retried
    """
    if is_store(frames):
        return sql_subsets.backoff_check(frames, tolerance_s=tolerance_s, slack=slack)
    return _replayed(frames, tolerance_s, slack)[_CHECK_COLUMNS]


def _replayed(frames: object, tol: float, slack: float) -> pd.DataFrame:
    """backoff_check rows plus ``recovered`` (the visit's last try succeeded)."""
    all_tries = tries(frames)
    states = frame(frames, "states")
    require(states, ("execution", "visit", "retry_policy"), "states")
    failed_mask = all_tries["outcome"].isin(_FAILED_OUTCOMES)
    keys = all_tries["execution"] + "#" + all_tries["visit"].astype(str)
    relevant = all_tries[keys.isin(set(keys[failed_mask]))]
    policies = {(str(e), int(v)): text(p) for e, v, p in
                zip(states["execution"], states["visit"], states["retry_policy"], strict=True) if text(p)}
    by_visit: dict[tuple[str, int], list[Row]] = {}
    for rec in relevant.to_dict("records"):  # tries() is sorted by execution, visit, try_no
        by_visit.setdefault((str(rec["execution"]), int(rec["visit"])), []).append(rec)
    rows: list[Row] = []
    for key, group in by_visit.items():
        rows.extend(_replay(group, parse_retry_policy(policies.get(key)), tol, slack))
    out = pd.DataFrame(rows, columns=[*_CHECK_COLUMNS, "recovered"])
    for col in ("retrier", "n", "max_attempts"):
        out[col] = out[col].astype("Int64")
    out["consistent"] = out["consistent"].astype("boolean")
    out["recovered"] = out["recovered"].astype(bool)
    return out


def _replay(group: list[Row], retriers: list[Retrier], tol: float, slack: float) -> list[Row]:
    counts = [0] * len(retriers)
    recovered = group[-1]["outcome"] == "succeeded"
    rows: list[Row] = []
    retried_errors: set[str | None] = set()  # errors this visit was retried after (a retrier handles them)
    for k, t in enumerate(group):
        if t["outcome"] not in _FAILED_OUTCOMES:
            continue
        error = text(t["error"])
        has_next = k + 1 < len(group)
        row: Row = {"execution": t["execution"], "visit": int(t["visit"]), "state": t["state"],
                               "type": t["type"], "try_no": int(t["try_no"]), "error": error, "retrier": None,
                               "n": None, "max_attempts": None, "interval_s": np.nan, "backoff_rate": np.nan,
                               "max_delay_s": np.nan, "jitter": None, "expected_s": np.nan,
                               "actual_s": ms(group[k + 1]["backoff_ms"]) / 1000.0 if has_next else np.nan,
                               "verdict": "retried" if has_next else "not_retried", "consistent": None,
                               "recovered": recovered}
        rows.append(row)
        if not retriers:  # no policy known: the history alone tells retried, exhausted and not retried apart
            if has_next:
                retried_errors.add(error)
            elif error in retried_errors:
                row["verdict"] = "exhausted"  # retried after this error before, and no further try now
            continue
        r = next((i for i, rt in enumerate(retriers) if rt.matches(error)), None)
        if r is None:
            continue  # no retrier matches the error: not retried
        rt = retriers[r]
        row.update(retrier=r, max_attempts=rt.max_attempts, interval_s=rt.interval_s, backoff_rate=rt.backoff_rate,
                   max_delay_s=rt.max_delay_s if rt.max_delay_s is not None else np.nan, jitter=rt.jitter)
        if counts[r] >= rt.max_attempts:
            row["verdict"] = "exhausted"
            continue
        counts[r] += 1
        expected = rt.expected_delay_s(counts[r])
        row.update(n=counts[r], expected_s=expected, verdict="retried" if has_next else "interrupted")
        actual = row["actual_s"]
        if not math.isnan(actual):
            low = -tol if rt.jitter == "FULL" else expected - tol
            row["consistent"] = bool(low <= actual <= expected * (1 + slack) + tol)
    return rows


def retry_summary(frames: object) -> pd.DataFrame:
    """Retries per state and error: failed tries, retries, back-off time, exhausted retriers, recoveries.

    Columns: ``failed_tries`` (tries that failed with the error), ``retries`` (of those, how many
    were followed by another try), ``backoff_ms``/``mean_backoff_ms`` (waiting before those
    retries; NaN without timestamps), ``visits`` (visits that saw the error), ``recovered`` (such
    visits whose last try succeeded), ``exhausted`` (a retrier matched but had used its
    MaxAttempts), ``not_retried`` (no retrier for the error), ``interrupted`` (a retry was due but the
    visit was cancelled first, so it is not counted in ``retries``), ``executions``.

    Example:
        >>> retry_summary(frames)                                                 # doctest: +SKIP
                                               failed_tries  retries  backoff_ms  ...  exhausted
        state error
        Fetch Lambda.TooManyRequestsException             2        2      3000.0  ...          0
    """
    if is_store(frames):
        return sql_subsets.retry_summary(frames)
    r = _replayed(frames, 0.25, 0.1)
    columns = ["failed_tries", "retries", "backoff_ms", "mean_backoff_ms", "visits", "recovered", "exhausted",
               "not_retried", "interrupted", "executions"]
    if r.empty:
        return pd.DataFrame(columns=columns, index=pd.MultiIndex.from_tuples([], names=["state", "error"]))
    r["error"] = r["error"].map(lambda e: e or "(no error name)")
    r["retried"] = r["verdict"] == "retried"
    r["backoff_ms"] = np.where(r["retried"], r["actual_s"] * 1000.0, np.nan)
    r["visit_key"] = r["execution"].astype(str) + "#" + r["visit"].astype(str)
    r["recovered_visit"] = np.where(r["recovered"], r["visit_key"], None)
    g = r.groupby(["state", "error"], sort=True)
    out = pd.DataFrame({
        "failed_tries": g.size(),
        "retries": g["retried"].sum(),
        "backoff_ms": g["backoff_ms"].sum(min_count=1),
        "visits": g["visit_key"].nunique(),
        "recovered": g["recovered_visit"].nunique(),
        "exhausted": g["verdict"].agg(lambda v: (v == "exhausted").sum()),
        "not_retried": g["verdict"].agg(lambda v: (v == "not_retried").sum()),
        "interrupted": g["verdict"].agg(lambda v: (v == "interrupted").sum()),
        "executions": g["execution"].nunique(),
    })
    out["mean_backoff_ms"] = out["backoff_ms"] / out["retries"].where(out["retries"] > 0)
    for col in ("failed_tries", "retries", "visits", "recovered", "exhausted", "not_retried", "interrupted",
                "executions"):
        out[col] = out[col].astype("int64")
    return out[columns]
