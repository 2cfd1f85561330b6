"""Time warp: waits and retry back-offs move a per-execution virtual clock instead of sleeping."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.engine.embedded_support import run, task, unique
from workbench.engine.embedded import EmbeddedEngine, VirtualClock, shared_engine


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return shared_engine(time_warp=True)


def _at(event: dict[str, Any]) -> dt.datetime:
    return event["timestamp"]  # type: ignore[no-any-return]


def _gap(run_: Any, first: str, second: str) -> float:
    return (_at(run_.first(second)) - _at(run_.first(first))).total_seconds()


def test_an_hour_of_waiting_and_long_backoffs_take_no_real_time(engine: EmbeddedEngine) -> None:
    name, calls = unique("flaky"), []

    def flaky(event: Any, ctx: Any) -> str:
        calls.append(ctx.attempt)
        if ctx.attempt < 3:
            raise ValueError("again")
        return "ok"

    engine.register_tool(name, flaky)
    retry = [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 600, "BackoffRate": 3.0, "MaxAttempts": 5}]
    definition = {"StartAt": "Hold", "States": {
        "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Call"},
        "Call": task(name, Retry=retry, Next="Stamp"),
        "Stamp": {"Type": "Pass", "Parameters": {"entered.$": "$$.State.EnteredTime"}, "End": True}}}
    result = run(engine, definition, timeout=60)
    assert result.status == "SUCCEEDED"
    assert result.seconds < 60  # functional bound; bench/embedded_timewarp.py measures the real figure
    assert _gap(result, "WaitStateEntered", "WaitStateExited") == pytest.approx(3600, abs=2)
    scheduled = [_at(e) for e in result.events if e["type"] == "TaskScheduled"]
    assert [round((b - a).total_seconds()) for a, b in itertools.pairwise(scheduled)] == [600, 1800]
    started, stopped = result.describe["startDate"], result.describe["stopDate"]
    assert (stopped - started).total_seconds() == pytest.approx(3600 + 600 + 1800, abs=5)
    entered = dt.datetime.fromisoformat(result.output["entered"])
    assert (entered - started).total_seconds() == pytest.approx(6000, abs=5)  # $$.State.EnteredTime


def test_parallel_waits_overlap_on_the_virtual_clock(engine: EmbeddedEngine) -> None:
    branches = [{"StartAt": w, "States": {w: {"Type": "Wait", "Seconds": 3600, "End": True}}} for w in ("W1", "W2")]
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": branches, "End": True}}}
    result = run(engine, definition)
    assert _gap(result, "ParallelStateEntered", "ParallelStateExited") == pytest.approx(3600, abs=2)


def test_each_execution_has_its_own_clock(engine: EmbeddedEngine) -> None:
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 86400, "End": True}}}
    first = run(engine, wait)
    second = run(engine, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    assert first.describe["stopDate"] - first.describe["startDate"] >= dt.timedelta(days=1)
    assert second.describe["stopDate"] - second.describe["startDate"] < dt.timedelta(minutes=1)


@pytest.fixture
def new_york_time() -> Iterator[None]:
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous
        time.tzset()


def test_timestamp_waits_compare_in_utc(engine: EmbeddedEngine, new_york_time: None) -> None:
    target = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}}
    result = run(engine, definition, {"at": target})
    assert result.status == "SUCCEEDED"
    assert _gap(result, "WaitStateEntered", "WaitStateExited") == pytest.approx(7200, abs=5)


def test_an_invalid_jsonata_timestamp_is_an_evaluation_failure(engine: EmbeddedEngine) -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "End": True}}}
    result = run(engine, definition, {"at": "next tuesday"})
    assert result.types[-2:] == ["EvaluationFailed", "ExecutionFailed"]
    assert result.details("ExecutionFailed")["error"] == "States.QueryEvaluationError"


def test_a_plain_engine_waits_for_real() -> None:
    engine = shared_engine(time_warp=False)
    result = run(engine, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}})
    assert result.seconds >= 1.0


def test_virtual_clock_never_goes_back() -> None:
    clock = VirtualClock()
    start = clock.now()
    clock.sleep(100)
    clock.sleep(10, since=start)  # an overlapping shorter wait does not move it back or further
    assert (clock.now() - start).total_seconds() == pytest.approx(100, abs=1)
