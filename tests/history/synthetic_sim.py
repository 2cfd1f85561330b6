"""The simulator behind :mod:`tests.history.synthetic`: states, retries, lanes that abort.

Events are built with causal links (by sequence number) and absolute millisecond times; concurrent
Parallel branches and Map iterations run as *lanes*, and when one fails the others are cut at that
instant and aborted, with the events AWS records for it. Every visit and attempt is also recorded
(:class:`SimVisit`, :class:`SimAttempt`): that record is the tests' oracle.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import orjson

ACCOUNT = "123456789012"
REGION = "eu-west-1"
FETCH_FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fetch"
PULL_FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:pull"
INDEX_ACTIVITY = f"arn:aws:states:{REGION}:{ACCOUNT}:activity:indexer"

@dataclass
class SimAttempt:
    """One Task attempt as the simulator ran it (times in epoch ms; None = did not happen)."""

    scheduled: int
    started: int | None
    ended: int | None
    outcome: str


@dataclass
class SimVisit:
    """One state visit as the simulator ran it: the oracle for ``states``."""

    state: str
    type: str
    path: str
    entered: int
    exited: int | None = None
    status: str = "running"
    starts: int = 1  # Map/Parallel: number of *StateStarted; Task: attempts; others 1
    attempts: list[SimAttempt] = field(default_factory=list)
    error: str | None = None
    lane: object = None  # the Map iteration / Parallel branch the visit ran in


RawEvent = tuple[int, int, int, str, str | None, dict[str, Any] | None, object]


class Fail(Exception):
    def __init__(self, seq: int, t: int, error: str, cause: str, lane: object = None) -> None:
        self.seq, self.t, self.error, self.cause, self.lane = seq, t, error, cause, lane


class Sim:
    """Builds events with causal links (by sequence number) and absolute ms timestamps."""

    def __init__(self, rng: random.Random, fail_scale: float) -> None:
        self.rng = rng
        self.fail_scale = fail_scale
        self.raw: list[RawEvent] = []
        self.visits: list[SimVisit] = []
        self.lane: object = None  # tag of the concurrent lane (iteration/branch) being simulated
        self.next_seq = 0

    def emit(self, t: int, prev: int, etype: str, key: str | None = None,
             details: dict[str, Any] | None = None) -> int:
        seq = self.next_seq
        self.next_seq += 1
        self.raw.append((t, seq, prev, etype, key, details, self.lane))
        return seq

    def visit(self, visit: SimVisit) -> SimVisit:
        visit.lane = self.lane
        self.visits.append(visit)
        return visit

    def abort_lanes(self, lanes: set[Any], tf: int, trigger: int, at: int) -> dict[Any, bool]:
        """AWS stops concurrent lanes when one fails at ``tf``: drop what they did later, abort what ran.

        Returns {lane: was running at tf} for the lanes that had started. Emits ``TaskStateAborted`` /
        ``WaitStateAborted`` (pointing at the failure, as AWS does) for states that were running, at ``at``.
        """
        self.raw = [r for r in self.raw if not (r[6] in lanes and r[0] > tf)]
        started: dict[Any, bool] = {}
        kept: list[SimVisit] = []
        for v in self.visits:
            if v.lane not in lanes:
                kept.append(v)
                continue
            if v.entered > tf:
                continue
            started[v.lane] = started.get(v.lane, False)
            kept.append(v)
            if v.exited is not None and v.exited <= tf and v.status != "failed":
                continue
            started[v.lane] = True
            v.attempts = [a for a in v.attempts if a.scheduled <= tf]
            last = v.attempts[-1] if v.attempts else None
            if last is not None and (last.ended is None or last.ended > tf):
                last.ended, last.outcome = at, "aborted"
                if last.started is not None and last.started > tf:
                    last.started = None
            v.starts = len(v.attempts) if v.type == "Task" else v.starts
            if last is not None and last.outcome in ("failed", "timed_out"):
                v.status, v.exited = "failed", last.ended
            else:
                v.status, v.exited = "aborted", at
            if v.type in ("Task", "Wait"):
                self.emit(at, trigger, f"{v.type}StateAborted")
        self.visits = kept
        return started

    def payload(self, **extra: Any) -> str:
        body = {"mission": "nightly", "region": REGION, "labels": ["ops", "probe", "fleet"], **extra}
        return orjson.dumps(body).decode()

    # -- states ------------------------------------------------------------------------------
    def simple(self, name: str, stype: str, path: str, t: int, prev: int, exits: bool = True) -> tuple[int, int]:
        visit = self.visit(SimVisit(name, stype, path, t))
        seq = self.emit(t, prev, f"{stype}StateEntered", "stateEnteredEventDetails",
                        {"name": name, "input": self.payload(), "inputDetails": {"truncated": False}})
        if not exits:
            visit.exited, visit.status = t, "failed"
            return seq, t
        dur = 1000 if stype == "Wait" else self.rng.randint(1, 4)
        t2 = t + dur
        seq = self.emit(t2, seq, f"{stype}StateExited", "stateExitedEventDetails",
                        {"name": name, "output": self.payload(), "outputDetails": {"truncated": False}})
        visit.exited, visit.status = t2, "succeeded"
        return seq, t2

    def task(self, name: str, kind: str, path: str, t: int, prev: int, fail_p: float,
             retry: bool, caught: bool = False) -> tuple[int, int]:
        """Run a Task with up to 3 attempts; raise Fail when the last attempt fails."""
        visit = self.visit(SimVisit(name, "Task", path, t, starts=0))
        seq = self.emit(t, prev, "TaskStateEntered", "stateEnteredEventDetails",
                        {"name": name, "input": self.payload(), "inputDetails": {"truncated": False}})
        max_attempts = 4 if retry else 1
        now = t
        for attempt in range(max_attempts):
            now += self.rng.randint(2, 15)
            visit.starts += 1
            seq, now, failure = self._attempt(kind, visit, now, seq, fail_p)
            if failure is None:
                now += self.rng.randint(1, 5)
                seq = self.emit(now, seq, "TaskStateExited", "stateExitedEventDetails",
                                {"name": name, "output": self.payload(ok=True),
                                 "outputDetails": {"truncated": False}})
                visit.exited, visit.status = now, "succeeded"
                return seq, now
            error, _cause = failure
            visit.error = error
            retryable = error in ("Lambda.TooManyRequestsException", "States.Timeout")
            if attempt + 1 < max_attempts and retryable:
                now += int(1000 * 2.0 ** attempt) + self.rng.randint(0, 3)  # IntervalSeconds 1, rate 2
                continue
            break
        if caught:
            now += self.rng.randint(1, 5)
            seq = self.emit(now, seq, "TaskStateExited", "stateExitedEventDetails",
                            {"name": name, "output": self.payload(error=visit.error),
                             "outputDetails": {"truncated": False}})
            visit.exited, visit.status = now, "caught"
            return seq, now
        visit.exited, visit.status = now, "failed"
        raise Fail(seq, now, visit.error or "", "task failed", self.lane)

    def _attempt(self, kind: str, visit: SimVisit, now: int, prev: int,
                 fail_p: float) -> tuple[int, int, tuple[str, str] | None]:
        rng = self.rng
        if kind == "lambda":
            names = ("LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded",
                     "LambdaFunctionFailed", "LambdaFunctionTimedOut")
            sched = {"resource": PULL_FN, "input": self.payload(), "inputDetails": {"truncated": False},
                     "timeoutInSeconds": 30}
            start: dict[str, Any] | None = None
            res: dict[str, Any] = {}
        elif kind == "activity":
            names = ("ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "ActivityFailed",
                     "ActivityTimedOut")
            sched = {"resource": INDEX_ACTIVITY, "input": self.payload(), "inputDetails": {"truncated": False},
                     "timeoutInSeconds": 60, "heartbeatInSeconds": 10}
            start = {"workerName": f"worker-{rng.randint(1, 4)}"}
            res = {}
        else:
            names = ("TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskFailed", "TaskTimedOut")
            resource, rtype = ("publish", "sns") if kind == "sns" else ("invoke", "lambda")
            res = {"resourceType": rtype, "resource": resource}
            sched = {**res, "region": REGION, "parameters": self.payload(), "timeoutInSeconds": 30}
            start = dict(res)
        key = names[0][0].lower() + names[0][1:] + "EventDetails"
        scheduled_at = now
        prev = self.emit(now, prev, names[0], key, sched)
        now += rng.randint(5, 120) if kind != "activity" else rng.randint(50, 2500)
        skey = names[1][0].lower() + names[1][1:] + "EventDetails"
        prev = self.emit(now, prev, names[1], skey if start is not None else None, start)
        started_at = now
        now += rng.randint(40, 1500)
        roll = rng.random()
        p = fail_p * self.fail_scale
        if roll < p * 0.6:
            error, cause, etype = "Lambda.TooManyRequestsException", "Rate exceeded", names[3]
        elif roll < p * 0.85:
            error, cause, etype = "States.Timeout", "", names[4]
        elif roll < p:
            error, cause, etype = "Probe.HostUnreachable", '{"errorMessage": "no route"}', names[3]
        else:
            out = {**res, "output": self.payload(result="ok"), "outputDetails": {"truncated": False}}
            okey = names[2][0].lower() + names[2][1:] + "EventDetails"
            prev = self.emit(now, prev, names[2], okey, out)
            visit.attempts.append(SimAttempt(scheduled_at, started_at, now, "succeeded"))
            return prev, now, None
        fkey = etype[0].lower() + etype[1:] + "EventDetails"
        prev = self.emit(now, prev, etype, fkey, {**res, "error": error, "cause": cause})
        outcome = "timed_out" if etype == names[4] else "failed"
        visit.attempts.append(SimAttempt(scheduled_at, started_at, now, outcome))
        return prev, now, (error, cause)


def run_parallel(sim: Sim, t: int, prev: int) -> tuple[int, int]:
    """Gather: three concurrent branches; a failing branch aborts the others; one Retry, then Catch."""
    visit = sim.visit(SimVisit("Gather", "Parallel", "Gather", t, starts=0))
    seq = sim.emit(t, prev, "ParallelStateEntered", "stateEnteredEventDetails",
                   {"name": "Gather", "input": sim.payload(), "inputDetails": {"truncated": False}})
    now, trigger = t, seq
    for attempt in range(2):
        now += sim.rng.randint(1, 4)
        visit.starts += 1
        started = sim.emit(now, trigger, "ParallelStateStarted")
        ends: list[tuple[int, int]] = []
        failures: list[Fail] = []
        for b in range(3):
            sim.lane = ("Gather", attempt, b)
            bt = now + sim.rng.randint(1, 6)
            base = f"Gather/branch[{b}]"
            try:
                if b == 0:
                    ends.append(sim.task("Pull", "lambda", f"{base}/Pull", bt, started, 0.05, True))
                elif b == 1:
                    s, e = sim.task("Index", "activity", f"{base}/Index", bt, started, 0.01, False)
                    ends.append(sim.simple("Settle", "Wait", f"{base}/Settle", e + 2, s))
                else:
                    ends.append(sim.task("Notify", "sns", f"{base}/Notify", bt, started, 0.01, False))
            except Fail as f:
                failures.append(f)
        sim.lane = None
        if not failures:
            last_seq, last_t = max(ends, key=lambda x: x[1])
            now = last_t + sim.rng.randint(1, 4)
            seq = sim.emit(now, last_seq, "ParallelStateSucceeded")
            now += 1
            seq = sim.emit(now, seq, "ParallelStateExited", "stateExitedEventDetails",
                           {"name": "Gather", "output": sim.payload(), "outputDetails": {"truncated": False}})
            visit.exited, visit.status = now, "succeeded"
            return seq, now
        first = min(failures, key=lambda f: f.t)
        now = first.t + 1
        sim.emit(now, first.seq, "TaskStateAborted")  # the failed task, as AWS records it
        sim.abort_lanes({("Gather", attempt, b) for b in range(3)} - {first.lane}, first.t, first.seq, now)
        visit.error = first.error
        if attempt == 0:  # Retry: IntervalSeconds 2, MaxAttempts 1
            now += 2000
            trigger = first.seq
            continue
        seq = sim.emit(now, first.seq, "ParallelStateFailed")
    visit.exited = now + 1
    visit.status = "caught"
    seq = sim.emit(now + 1, seq, "ParallelStateExited", "stateExitedEventDetails",
                   {"name": "Gather", "output": sim.payload(), "outputDetails": {"truncated": False}})
    raise Caught(seq, now + 1)


class Caught(Exception):
    def __init__(self, seq: int, t: int) -> None:
        self.seq, self.t = seq, t


def run_map(sim: Sim, t: int, prev: int, hosts: int) -> tuple[int, int]:
    """PerHost: inline Map, MaxConcurrency 10, iterations interleave in time; a failure aborts the rest."""
    visit = sim.visit(SimVisit("PerHost", "Map", "PerHost", t))
    rng = sim.rng
    seq = sim.emit(t, prev, "MapStateEntered", "stateEnteredEventDetails",
                   {"name": "PerHost", "input": sim.payload(), "inputDetails": {"truncated": False}})
    now = t + rng.randint(1, 3)
    started = sim.emit(now, seq, "MapStateStarted", "mapStateStartedEventDetails", {"length": hosts})
    slots: list[tuple[int, int]] = [(now, started)] * 10  # (free at, event that frees the slot)
    last: tuple[int, int] = (started, now)
    failures: dict[int, Fail] = {}
    for i in range(hosts):
        sim.lane = ("PerHost", i)
        slot = min(range(10), key=lambda k: slots[k][0])
        free_at, free_seq = slots[slot]
        it = free_at + rng.randint(0, 3)
        det = {"name": "PerHost", "index": i}
        s = sim.emit(it, free_seq, "MapIterationStarted", "mapIterationStartedEventDetails", det)
        base = f"PerHost/iter[{i}]"
        try:
            s, e = sim.task("Probe", "task", f"{base}/Probe", it + 1, s, 0.04, True)
            s, e = sim.simple("Check", "Choice", f"{base}/Check", e + 1, s)
            leaf = "Skip" if rng.random() < 0.1 else "Record"
            s, e = sim.simple(leaf, "Pass", f"{base}/{leaf}", e + 1, s)
        except Fail as f:
            failures[i] = f
            slots[slot] = (f.t + 1, f.seq)
            continue
        e += 1
        done = sim.emit(e, s, "MapIterationSucceeded", "mapIterationSucceededEventDetails", det)
        slots[slot] = (e, s)
        if e >= last[1]:
            last = (done, e)
    sim.lane = None
    if failures:
        bad = min(failures, key=lambda i: failures[i].t)
        first = failures[bad]
        at = first.t + 1
        sim.emit(at, first.seq, "MapIterationFailed", "mapIterationFailedEventDetails",
                 {"name": "PerHost", "index": bad})
        sim.emit(at, first.seq, "TaskStateAborted")
        others = {("PerHost", i) for i in range(hosts)} - {("PerHost", bad)}
        running = sim.abort_lanes(others, first.t, first.seq, at)
        for lane, was_running in running.items():
            if was_running:
                sim.emit(at, first.seq, "MapIterationAborted", "mapIterationAbortedEventDetails",
                         {"name": "PerHost", "index": lane[1]})
        seq = sim.emit(at + 1, first.seq, "MapStateFailed")
        visit.error = first.error
        seq = sim.emit(at + 2, seq, "MapStateExited", "stateExitedEventDetails",
                       {"name": "PerHost", "output": sim.payload(), "outputDetails": {"truncated": False}})
        visit.exited, visit.status = at + 2, "caught"
        raise Caught(seq, at + 2)
    now = max(x for x, _ in slots) + 1
    seq = sim.emit(now, last[0], "MapStateSucceeded")
    seq = sim.emit(now + 1, seq, "MapStateExited", "stateExitedEventDetails",
                   {"name": "PerHost", "output": sim.payload(), "outputDetails": {"truncated": False}})
    visit.exited, visit.status = now + 1, "succeeded"
    return seq, now + 1


