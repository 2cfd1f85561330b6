"""Durations, back-offs and start offsets from histories with real timestamps.

Two sources of truth, neither of them the code under test: a hand-written history whose numbers
are worked out below, and the simulator's own record of what it did (``SimVisit``/``SimAttempt``).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from tests.history.synthetic import DEFINITION, simulate_execution
from workbench.history import frames, load_history
from workbench.history.load.events import EVENT_META

T0 = 1_700_000_000.000


class Builder:
    """Events in id order; ``prev`` by label; times in ms after T0."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.ids: dict[str, int] = {}

    def add(self, label: str, etype: str, ms: int, prev: str | None, **details: Any) -> None:
        i = len(self.events) + 1
        self.ids[label] = i
        event: dict[str, Any] = {"id": i, "previousEventId": self.ids[prev] if prev else 0, "type": etype,
                                 "timestamp": T0 + ms / 1000}
        key = EVENT_META[etype].details_key
        if details and key:
            event[key] = details
        self.events.append(event)


def hand_history() -> list[dict[str, Any]]:
    b = Builder()
    b.add("start", "ExecutionStarted", 0, None, input="{}")
    # Fetch: Lambda attempt 1 queued 20 ms, ran 500 ms, failed; 2 s back-off; attempt 2 queued 10, ran 500.
    b.add("fetch", "TaskStateEntered", 5, None, name="Fetch", input="{}")
    b.add("s1", "LambdaFunctionScheduled", 10, "fetch", resource="arn:aws:lambda:r:1:function:f", input="{}")
    b.add("r1", "LambdaFunctionStarted", 30, "s1")
    b.add("f1", "LambdaFunctionFailed", 530, "r1", error="Lambda.TooManyRequestsException", cause="slow down")
    b.add("s2", "LambdaFunctionScheduled", 2530, "f1", resource="arn:aws:lambda:r:1:function:f", input="{}")
    b.add("r2", "LambdaFunctionStarted", 2540, "s2")
    b.add("ok2", "LambdaFunctionSucceeded", 3040, "r2", output="{}")
    b.add("fetch_x", "TaskStateExited", 3045, "ok2", name="Fetch", output="{}")
    # Gather: two concurrent branches, Pass (8 ms) and Wait (1 s).
    b.add("gather", "ParallelStateEntered", 3050, "fetch_x", name="Gather", input="{}")
    b.add("gs", "ParallelStateStarted", 3051, "gather")
    b.add("p_in", "PassStateEntered", 3052, "gs", name="Quick", input="{}")
    b.add("w_in", "WaitStateEntered", 3053, "gs", name="Nap", input="{}")
    b.add("p_out", "PassStateExited", 3060, "p_in", name="Quick", output="{}")
    b.add("w_out", "WaitStateExited", 4053, "w_in", name="Nap", output="{}")
    b.add("g_ok", "ParallelStateSucceeded", 4054, "w_out")
    b.add("gather_x", "ParallelStateExited", 4055, "g_ok", name="Gather", output="[]")
    # PerHost: two concurrent iterations whose events interleave.
    b.add("map", "MapStateEntered", 4060, "gather_x", name="PerHost", input="[]")
    b.add("ms", "MapStateStarted", 4061, "map", length=2)
    b.add("i0", "MapIterationStarted", 4062, "ms", name="PerHost", index=0)
    b.add("i1", "MapIterationStarted", 4062, "ms", name="PerHost", index=1)
    b.add("a1", "PassStateEntered", 4063, "i1", name="Probe", input="{}")
    b.add("a0", "PassStateEntered", 4064, "i0", name="Probe", input="{}")
    b.add("x1", "PassStateExited", 4070, "a1", name="Probe", output="{}")
    b.add("d1", "MapIterationSucceeded", 4071, "x1", name="PerHost", index=1)
    b.add("x0", "PassStateExited", 4090, "a0", name="Probe", output="{}")
    b.add("d0", "MapIterationSucceeded", 4091, "x0", name="PerHost", index=0)
    b.add("m_ok", "MapStateSucceeded", 4092, "d0")
    b.add("map_x", "MapStateExited", 4093, "m_ok", name="PerHost", output="[]")
    b.add("end", "ExecutionSucceeded", 4100, "map_x", output="{}")
    return b.events


def test_hand_written_history_timings() -> None:
    f = frames(load_history({"events": hand_history()}, execution_arn="arn:aws:states:r:1:execution:M:hand"))
    st = f.states.set_index("path")
    expected = {  # path: (started_after_ms, duration_ms, status, attempts)
        "Fetch": (5.0, 3040.0, "succeeded", 2),
        "Gather": (3050.0, 1005.0, "succeeded", 1),
        # no definition: each branch is named by its first state (never by the order branches started)
        "Gather/branch:Quick/Quick": (3052.0, 8.0, "succeeded", 1),
        "Gather/branch:Nap/Nap": (3053.0, 1000.0, "succeeded", 1),
        "PerHost": (4060.0, 33.0, "succeeded", 1),
        "PerHost/iter[1]/Probe": (4063.0, 7.0, "succeeded", 1),
        "PerHost/iter[0]/Probe": (4064.0, 26.0, "succeeded", 1),
    }
    assert list(st.index) == list(expected)
    for path, (after, duration, status, attempts) in expected.items():
        row = st.loc[path]
        assert (row["started_after_ms"], row["duration_ms"], row["status"], row["attempts"]) == \
            (after, duration, status, attempts), path
    assert st.loc["Fetch", "entered"] == pd.Timestamp("2023-11-14T22:13:20.005Z")
    assert st.loc["Fetch", "exited"] == pd.Timestamp("2023-11-14T22:13:23.045Z")
    at = f.attempts
    assert at["queue_ms"].tolist() == [20.0, 10.0]
    assert at["run_ms"].tolist() == [500.0, 500.0]
    assert math.isnan(at.loc[0, "backoff_ms"]) and at.loc[1, "backoff_ms"] == 2000.0
    assert at["outcome"].tolist() == ["failed", "succeeded"]
    assert at.loc[0, "error"] == "Lambda.TooManyRequestsException" and at.loc[0, "cause"] == "slow down"
    ex = f.executions.iloc[0]
    assert (ex["duration_ms"], ex["state_entries"], ex["retries"], ex["transitions"], ex["failures"]) == \
        (4100.0, 7, 1, 8, 1)
    ev = f.events
    assert ev["elapsed_ms"].tolist()[-1] == 4100.0
    assert ev.loc[ev["type"] == "LambdaFunctionStarted", "path"].tolist() == ["Fetch", "Fetch"]


SEEDS = [(seed, 6.0 if seed % 2 else 1.0) for seed in range(24)]


@pytest.mark.parametrize(("seed", "fail_scale"), SEEDS)
def test_frames_match_the_simulators_own_record(seed: int, fail_scale: float) -> None:
    sim = simulate_execution(seed, fail_scale=fail_scale)
    h = load_history(sim.response, execution_arn=sim.arn, definition=DEFINITION)
    f = frames(h)

    def ms(ts: Any) -> int | None:
        return None if pd.isna(ts) else round(ts.timestamp() * 1000)

    got = sorted((r.path, r.type, r.status, int(r.attempts), ms(r.entered), ms(r.exited),
                  r.duration_ms, r.started_after_ms) for r in f.states.itertuples())
    expected = sorted((v.path, v.type, v.status, len(v.attempts) if v.type == "Task" else v.starts, v.entered,
                       v.exited, float(v.exited - v.entered) if v.exited is not None else math.nan,
                       float(v.entered - sim.start)) for v in sim.visits)
    assert got == expected
    attempts = sorted((str(r.path), int(r.attempt), ms(r.scheduled), ms(r.started), ms(r.ended), str(r.outcome),
                       None if math.isnan(r.backoff_ms) else r.backoff_ms) for r in f.attempts.itertuples())
    sim_attempts = []
    for v in sim.visits:
        for n, a in enumerate(v.attempts):
            previous_end = v.attempts[n - 1].ended if n else None
            backoff = float(a.scheduled - previous_end) if previous_end is not None else None
            sim_attempts.append((v.path, n + 1, a.scheduled, a.started, a.ended, a.outcome, backoff))
    assert attempts == sorted(sim_attempts)
    ex = f.executions.iloc[0]
    retries = sum(max((len(v.attempts) if v.type == "Task" else v.starts) - 1, 0) for v in sim.visits)
    assert (ex["status"], ms(ex["start"]), ms(ex["stop"])) == (sim.status, sim.start, sim.stop)
    assert (ex["state_entries"], ex["retries"], ex["transitions"]) == (len(sim.visits), retries,
                                                                         len(sim.visits) + retries)


def test_simulated_histories_exercise_failures_and_retries() -> None:
    """Guard for the test above: the seeds must include retries, catches and aborted lanes."""
    statuses: set[str] = set()
    retried = 0
    for seed, scale in SEEDS:
        sim = simulate_execution(seed, fail_scale=scale)
        statuses |= {v.status for v in sim.visits}
        retried += sum(len(v.attempts) > 1 for v in sim.visits)
    assert {"succeeded", "failed", "caught", "aborted"} <= statuses
    assert retried >= 10


def test_redriven_execution_keeps_both_runs() -> None:
    b = Builder()
    b.add("start", "ExecutionStarted", 0, None, input="{}")
    b.add("a", "TaskStateEntered", 10, None, name="A", input="{}")
    b.add("s1", "TaskScheduled", 20, "a", resourceType="lambda", resource="invoke", parameters="{}")
    b.add("f1", "TaskFailed", 120, "s1", resourceType="lambda", resource="invoke", error="Boom", cause="x")
    b.add("failed", "ExecutionFailed", 130, "f1", error="Boom", cause="x")
    b.add("redrive", "ExecutionRedriven", 60_000, "failed", redriveCount=1)
    b.add("a2", "TaskStateEntered", 60_010, "redrive", name="A", input="{}")
    b.add("s2", "TaskScheduled", 60_020, "a2", resourceType="lambda", resource="invoke", parameters="{}")
    b.add("r2", "TaskStarted", 60_030, "s2", resourceType="lambda", resource="invoke")
    b.add("ok", "TaskSucceeded", 60_530, "r2", resourceType="lambda", resource="invoke", output="{}")
    b.add("x", "TaskStateExited", 60_540, "ok", name="A", output="{}")
    b.add("done", "ExecutionSucceeded", 60_550, "x", output="{}")
    f = frames(load_history({"events": b.events}))
    assert f.states[["state", "status", "duration_ms"]].values.tolist() == [["A", "failed", 110.0],
                                                                            ["A", "succeeded", 530.0]]
    ex = f.executions.iloc[0]
    assert (ex["status"], ex["duration_ms"], ex["transitions"], ex["failures"]) == ("SUCCEEDED", 60_550.0, 2, 1)
