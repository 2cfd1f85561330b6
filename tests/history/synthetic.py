"""Realistic synthetic execution histories, with the ground truth that produced them.

A small simulator runs a fixed "mission" (Pass → retried Lambda → Parallel of three kinds of tasks
→ inline Map over hosts with retried probes → Choice → Succeed/Fail), with concurrency, retries
with exponential back-off, catches and failures, and writes the events exactly as
``get_execution_history`` returns them on the wire (``{"events": [...]}``, epoch-second
timestamps, payloads as JSON text, a ``previousEventId`` DAG with interleaved branches).

It only makes test data, so it lives in ``tests/`` and does not ship in ``workbench``: the tests use the
simulator's own record of what happened (:class:`SimVisit`, :class:`SimAttempt`) as an oracle that is
computed independently of the frame builders, and ``bench/`` imports it from here for its million events.

Example:
    >>> sim = simulate_execution(seed=7)
    >>> sim.response["events"][0]["type"]
    'ExecutionStarted'
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import orjson

from tests.history.synthetic_sim import (
    ACCOUNT,
    FETCH_FN,
    INDEX_ACTIVITY,
    PULL_FN,
    REGION,
    Caught,
    Fail,
    RawEvent,
    Sim,
    SimAttempt,
    SimVisit,
    run_map,
    run_parallel,
)

__all__ = ["DEFINITION", "STATE_MACHINE_ARN", "SimAttempt", "SimExecution", "SimVisit", "simulate_execution",
           "synthetic_responses"]

STATE_MACHINE_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Mission"

_TASK_RETRY = [
    {"ErrorEquals": ["Lambda.TooManyRequestsException", "States.Timeout"], "IntervalSeconds": 1,
     "BackoffRate": 2.0, "MaxAttempts": 3},
]

DEFINITION: dict[str, Any] = {
    "Comment": "Synthetic mission used by bench/history.py and tests",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Fetch"},
        "Fetch": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": FETCH_FN, "Payload.$": "$"},
            "Retry": _TASK_RETRY, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
            "Next": "Gather",
        },
        "Gather": {
            "Type": "Parallel", "Next": "PerHost",
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
            "Branches": [
                {"StartAt": "Pull", "States": {"Pull": {"Type": "Task", "Resource": PULL_FN,
                                                        "Retry": _TASK_RETRY, "End": True}}},
                {"StartAt": "Index", "States": {
                    "Index": {"Type": "Task", "Resource": INDEX_ACTIVITY, "Next": "Settle"},
                    "Settle": {"Type": "Wait", "Seconds": 1, "End": True}}},
                {"StartAt": "Notify", "States": {"Notify": {
                    "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                    "Parameters": {"TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:ops", "Message.$": "$"},
                    "End": True}}},
            ],
        },
        "PerHost": {
            "Type": "Map", "ItemsPath": "$.hosts", "MaxConcurrency": 10, "Next": "Decide",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Probe",
                "States": {
                    "Probe": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                              "Parameters": {"FunctionName": "probe", "Payload.$": "$"},
                              "Retry": _TASK_RETRY, "Next": "Check"},
                    "Check": {"Type": "Choice", "Default": "Record",
                              "Choices": [{"Variable": "$.ok", "BooleanEquals": False, "Next": "Skip"}]},
                    "Record": {"Type": "Pass", "End": True},
                    "Skip": {"Type": "Pass", "End": True},
                },
            },
        },
        "Decide": {"Type": "Choice", "Default": "Done",
                   "Choices": [{"Variable": "$.failed", "BooleanEquals": True, "Next": "Failed"}]},
        "Done": {"Type": "Succeed"},
        "Recover": {"Type": "Pass", "Next": "Failed"},
        "Failed": {"Type": "Fail", "Error": "Mission.Failed", "Cause": "a step failed"},
    },
}


@dataclass
class SimExecution:
    """A simulated execution: the API response and what really happened."""

    arn: str
    response: dict[str, Any]
    status: str
    start: int
    stop: int | None
    visits: list[SimVisit]


def simulate_execution(seed: int, hosts: int | None = None, fail_scale: float = 1.0,
                       name: str | None = None) -> SimExecution:
    """Simulate one execution of :data:`DEFINITION`; ``hosts`` sets the Map size (random if None)."""
    rng = random.Random(seed)
    sim = Sim(rng, fail_scale)
    hosts = hosts if hosts is not None else rng.randint(8, 72)
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Mission:{name or f'run-{seed:06d}'}"
    t0 = 1_700_000_000_000 + seed * 3_600_000 + rng.randint(0, 999)
    sim.emit(t0, -1, "ExecutionStarted", "executionStartedEventDetails",
                    {"input": sim.payload(hosts=hosts), "inputDetails": {"truncated": False},
                     "roleArn": f"arn:aws:iam::{ACCOUNT}:role/mission"})
    status = "SUCCEEDED"
    try:
        try:
            s, e = sim.simple("Prepare", "Pass", "Prepare", t0 + 5, -1)
            s, e = sim.task("Fetch", "task", "Fetch", e + 2, s, 0.03, True, caught=True)
            if sim.visits[-1].status == "caught":
                raise Caught(s, e)
            s, e = run_parallel(sim, e + 2, s)
            s, e = run_map(sim, e + 2, s, hosts)
            s, e = sim.simple("Decide", "Choice", "Decide", e + 2, s)
            s, e = sim.simple("Done", "Succeed", "Done", e + 2, s)
            stop = e + 3
            sim.emit(stop, s, "ExecutionSucceeded", "executionSucceededEventDetails",
                     {"output": sim.payload(done=True), "outputDetails": {"truncated": False}})
        except Caught as c:
            s, e = sim.simple("Recover", "Pass", "Recover", c.t + 2, c.seq)
            s, e = sim.simple("Failed", "Fail", "Failed", e + 2, s, exits=False)
            stop = e + 3
            sim.emit(stop, s, "ExecutionFailed", "executionFailedEventDetails",
                     {"error": "Mission.Failed", "cause": "a step failed"})
            status = "FAILED"
    except Fail as f:
        stop = f.t + 3
        sim.emit(stop, f.seq, "ExecutionFailed", "executionFailedEventDetails",
                 {"error": f.error, "cause": f.cause})
        status = "FAILED"
    return SimExecution(arn, {"events": _to_wire(sim.raw)}, status, t0, stop, sim.visits)


def _to_wire(raw: list[RawEvent]) -> list[dict[str, Any]]:
    """Sort by time (ties by causal creation order) and number the events like AWS does."""
    order = sorted(raw, key=lambda r: (r[0], r[1]))
    ids = {r[1]: i + 1 for i, r in enumerate(order)}
    events: list[dict[str, Any]] = []
    for t, seq, prev, etype, key, details, _lane in order:
        ev: dict[str, Any] = {"timestamp": t / 1000.0, "type": etype, "id": ids[seq],
                              "previousEventId": ids.get(prev, 0)}
        if key is not None and details is not None:
            ev[key] = details
        events.append(ev)
    return events


def synthetic_responses(n_events: int, seed: int = 0) -> list[bytes]:
    """About ``n_events`` events as ``get_execution_history`` JSON bytes, one per execution.

    Example:
        >>> blobs = synthetic_responses(2_000)
        >>> b'"ExecutionStarted"' in blobs[0]
        True
    """
    out: list[bytes] = []
    total = 0
    i = seed * 1_000_000
    while total < n_events:
        sim = simulate_execution(i)
        out.append(orjson.dumps(sim.response))
        total += len(sim.response["events"])
        i += 1
    return out
