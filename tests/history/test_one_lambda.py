"""The "as one Lambda" what-if: the same runs priced as Standard, Express and ONE Lambda, checked by hand.

Every expected figure is worked out in the comment beside it from the bundled price table (us-east-1:
Standard $0.025 / 1,000 transitions; Express $1.00 / 1M requests + $0.06 per GB-hour (first tier);
Lambda $0.20 / 1M requests + $0.0000166667 (x86_64) / $0.0000133334 (arm64) per GB-second (first tier)),
never by calling the code under test, and compared as exact decimals.
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from tests.conftest import CORPUS
from tests.history.hand_histories import Builder, exec_arn, fanout, fn_arn, frames_of, ten_states
from workbench.core.diagnostics import WorkbenchError
from workbench.history import frames, load_history
from workbench.history.cost import (
    LambdaConfig,
    PricingError,
    break_even,
    cost_ways_summary,
    execution_costs,
    one_lambda_costs,
    one_lambda_usd,
    what_if,
)
from workbench.history.cost.one_lambda import lambda_config, one_function_config

WAITED = exec_arn("Waited", "run-1")


def exact(usd: object) -> Decimal:
    """A dollar figure from a table as the shortest decimal that is that float (``0.00015``, not its binary)."""
    return Decimal(repr(float(usd)))  # type: ignore[arg-type]

LONG = exec_arn("Fan", "long")

THREE_TOOLS: dict[str, Any] = {
    "StartAt": "Fetch",
    "States": {
        "Fetch": {"Type": "Task", "Resource": fn_arn("fetch"), "Next": "Hold"},
        "Hold": {"Type": "Wait", "Seconds": 60, "Next": "Check"},
        "Check": {"Type": "Task", "Resource": fn_arn("check"), "Next": "Store",
                  "Retry": [{"ErrorEquals": ["Tool.Flaky"], "IntervalSeconds": 2, "MaxAttempts": 1}]},
        "Store": {"Type": "Task", "Resource": fn_arn("store"), "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def three_tools_and_a_wait() -> dict[str, Any]:
    """Fetch runs 1,200 ms; Hold waits 60 s; Check fails after 300 ms, backs off 2 s, runs 500 ms; Store 2,500 ms.

    Timeline (ms): Fetch 0-1225 (queue 20, run 1200, exit +5); Hold 1225-61225; Check 61225-64050 (try 1:
    queue 10, run 300, Tool.Flaky at 61535; back-off 2000; try 2 scheduled 63535, queue 10, run 500, exit
    +5); Store 64050-66565 (queue 10, run 2500, exit +5); Done 66565-66566; ExecutionSucceeded 66570.
    """
    b = Builder(THREE_TOOLS)
    e = b.execution_started()
    e, now = b.lambda_task("Fetch", "fetch", 0, e, [(0, 20, 1200, None, None)], exit_after=5)
    e = b.simple("Wait", "Hold", now, 60_000, e)
    e, now = b.lambda_task("Check", "check", now + 60_000, e,
                           [(0, 10, 300, "Tool.Flaky", "try again"), (2000, 10, 500, None, None)], exit_after=5)
    e, now = b.lambda_task("Store", "store", now, e, [(0, 10, 2500, None, None)], exit_after=5)
    e = b.simple("Succeed", "Done", now, 1, e)
    b.succeeded(66_570, e)
    return b.doc()


def waited() -> Any:
    return frames_of((WAITED, three_tools_and_a_wait()))


def waited_and_long() -> Any:
    """The hand-checked run, and a Map of three 6-minute probes: 6 minutes of wall-clock, 18 back to back."""
    return frames_of((WAITED, three_tools_and_a_wait()), (LONG, fanout((360_000, 360_000, 360_000))))


# ------------------------------------------------------------------------------ the hand-checked run


def test_three_tools_and_a_wait_priced_three_ways_exactly() -> None:
    row = one_lambda_costs(waited()).loc[WAITED]
    # tool time 1200 + 300 + 500 + 2500 = 4,500 ms; the Wait 60,000 ms; the back-off 2,000 ms: 66,500 ms
    assert (row.tool_ms, row.wait_ms, row.backoff_ms, row.one_lambda_ms) == (4500.0, 60_000.0, 2000.0, 66_500.0)
    assert row.duration_ms == 66_570.0 and bool(row.over_15_min) is False
    # 5 states entered + 1 retry = 6 transitions × $0.000025 = $0.00015
    assert row.transitions == 6 and exact(row.standard_usd) == Decimal("0.00015")
    # Express: 66,570 ms → 66.6 s × 64/1024 GB = 4.1625 GB-s = 0.00115625 GB-h × $0.06 = $0.000069375; + $0.000001
    # (Express comes from the float pricing what_if uses, so it matches what_if bit for bit: float noise only)
    assert row.express_usd == pytest.approx(float(Decimal("0.000070375")), rel=1e-12)
    # One Lambda at 1,024 MB x86_64: 66.5 GB-s × $0.0000166667 = $0.00110833555; + $0.0000002 (one request)
    assert exact(row.one_lambda_usd) == Decimal("0.00110853555")
    assert one_lambda_usd(66_500) == Decimal("0.00110853555")


def test_memory_and_architecture_are_the_chosen_ones() -> None:
    row = one_lambda_costs(waited(), memory_mb=512, arch="arm64").loc[WAITED]
    # 0.5 GB × 66.5 s = 33.25 GB-s × $0.0000133334 = $0.00044333555; + $0.0000002
    assert exact(row.one_lambda_usd) == Decimal("0.00044353555")
    # 1,769 MB = 1.7275390625 GB exactly (a 1/1024 fraction) × 66.5 s × $0.0000166667, + $0.0000002
    expected = Decimal(1769) / Decimal(1024) * Decimal("66.5") * Decimal("0.0000166667") + Decimal("0.0000002")
    assert one_lambda_usd(66_500, 1769) == expected


def test_lambda_bills_whole_milliseconds_and_at_most_fifteen_minutes() -> None:
    # 0.4 ms is billed as 1 ms: 1 GB × 0.001 s × $0.0000166667 = $0.0000000166667; + $0.0000002
    assert one_lambda_usd(0.4) == Decimal("0.0000000166667") + Decimal("0.0000002")
    assert one_lambda_usd(900_000) == Decimal(900) * Decimal("0.0000166667") + Decimal("0.0000002")
    with pytest.raises(PricingError, match=r"900\.001 s run is impossible as one Lambda"):
        one_lambda_usd(900_000.5)


# ------------------------------------------------------------------------------ impossible runs


def test_a_run_over_fifteen_minutes_back_to_back_is_flagged_counted_and_not_priced() -> None:
    costs = one_lambda_costs(waited_and_long())
    long = costs.loc[LONG]
    # The three probes overlap (about 6 minutes of wall-clock) but one function runs them one after the other:
    # Pull 2,992 + 3 × 360,000 = 1,082,992 ms of tool time, plus the 1,000 ms Wait
    assert long.duration_ms < 900_000 < long.one_lambda_ms == 1_083_992.0
    assert bool(long.over_15_min) is True and math.isnan(long.one_lambda_usd)
    assert not math.isnan(long.standard_usd) and not math.isnan(long.express_usd)
    assert bool(long.fits_express) is False  # 363 s: over Express's 5 minutes too (still priced, as what_if does)
    ways = cost_ways_summary(costs)
    assert ways.attrs["impossible"] == 1
    assert ways.loc["one_lambda", ["priced", "over_limit", "unknown"]].tolist() == [1, 1, 0]
    assert ways.loc["express", ["priced", "over_limit"]].tolist() == [2, 1]
    # one Lambda's total is the hand-checked run alone, never a capped price for the long one
    assert exact(ways.loc["one_lambda", "total_usd"]) == Decimal("0.00110853555")
    assert ways.loc["one_lambda", "per_1000_usd"] == pytest.approx(1.10853555, rel=1e-12)
    # like for like: the runs all three ways price (the hand-checked one): Standard 6 × $0.025 per 1,000 runs
    assert ways.loc["standard", "same_runs_per_1000_usd"] == pytest.approx(0.15, rel=1e-12)
    assert ways.loc["standard", "per_1000_usd"] == pytest.approx(
        (costs["standard_usd"].sum()) / 2 * 1000, rel=1e-12)


def test_summary_from_frames_equals_summary_from_the_costs_table() -> None:
    f = waited_and_long()
    direct = cost_ways_summary(f, memory_mb=2048, arch="arm64")
    via = cost_ways_summary(one_lambda_costs(f, memory_mb=2048, arch="arm64"))
    pd.testing.assert_frame_equal(direct, via)
    assert direct.loc["one_lambda", "name"] == "One Lambda (2048 MB, arm64)"


def test_without_timestamps_express_and_one_lambda_are_unknown_not_zero() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = frames(load_history(CORPUS / "histories" / "test_base_scenarios__test_map_state_nested.json"))
        tasks = frames(load_history(CORPUS / "histories" / "test_activities__test_activity_task.json"))
    costs = one_lambda_costs(tasks)
    assert costs["one_lambda_usd"].isna().all() and costs["express_usd"].isna().all()
    assert costs["over_15_min"].isna().all()  # unknown, neither True nor False
    assert cost_ways_summary(costs).loc["one_lambda", "unknown"] == len(costs)
    # Pass/Map only, no tool and no Wait: one function would do nothing billable but its one request and 1 ms
    passes = one_lambda_costs(f).iloc[0]
    assert passes.one_lambda_ms == 0.0 and math.isnan(passes.express_usd)
    assert exact(passes.one_lambda_usd) == Decimal("0.0000000166667") + Decimal("0.0000002")


# ------------------------------------------------------------------------------ consistency


def test_standard_and_express_agree_with_what_if_and_execution_costs() -> None:
    f = frames_of((WAITED, three_tools_and_a_wait()), (exec_arn("Ten", "a"), ten_states()),
                  (exec_arn("Fan", "b"), fanout()))
    costs = one_lambda_costs(f, express_memory_mb=128)
    w = what_if(f, "EXPRESS", 128)
    assert costs["standard_usd"].tolist() == w["standard_usd"].tolist()
    assert costs["express_usd"].tolist() == w["express_usd"].tolist()
    assert costs["fits_express"].tolist() == w["fits_express"].tolist()
    assert costs["standard_usd"].tolist() == execution_costs(f)["sfn_usd"].tolist()  # all Standard runs
    assert costs.attrs["prices"] == w.attrs["prices"]


def test_ten_states_counts_throttled_tries_and_their_back_offs_as_recorded() -> None:
    row = one_lambda_costs(frames_of((exec_arn("Ten", "a"), ten_states()))).iloc[0]
    # Fetch: 3 tries of 800 ms (two throttled), back-offs 1,000 + 2,000; Store 400 ms; Settle waits 2,000 ms
    assert (row.tool_ms, row.backoff_ms, row.wait_ms, row.one_lambda_ms) == (2800.0, 3000.0, 2000.0, 7800.0)


# ------------------------------------------------------------------------------ break-even model


def test_break_even_model_from_the_hand_checked_run() -> None:
    model = break_even(waited())
    facts = model.attrs["model"]
    # T = 4,500 ms / 6 steps = 750 ms per step; W = 60,000 + 2,000 = 62,000 ms per run
    assert (facts["tool_ms_per_step"], facts["wait_ms_per_execution"], facts["runs_modelled"]) == (750.0, 62_000.0, 1)
    assert model.loc[6, "duration_ms"] == 66_500.0  # the model passes through the measured run
    assert model.loc[6, "one_lambda_usd"] == pytest.approx(1.10853555, rel=1e-12)
    assert model.attrs["measured"]["one_lambda"] == (6.0, pytest.approx(1.10853555, rel=1e-12))
    # n = 82: Standard $0.00205 < one Lambda $0.0000002 + 123.5 × $0.0000166667 = $0.0020585374 (per run)
    # n = 83: Standard $0.002075 > one Lambda $0.0000002 + 124.25 × $0.0000166667 = $0.0020710375
    assert model.loc[82, "standard_usd"] < model.loc[82, "one_lambda_usd"]
    assert model.loc[83, "standard_usd"] > model.loc[83, "one_lambda_usd"]
    assert model.attrs["break_even_steps"] == 83
    assert model.attrs["verdict"] == "Standard costs more than one Lambda from 83 steps on."
    # (900,000 − 62,000) / 750 = 1,117.3: 1,117 steps fit in 15 minutes
    assert model.attrs["limit_steps"] == 1117
    assert model.index[0] == 1 and model.index[-1] >= 83


def test_break_even_line_stops_at_fifteen_minutes() -> None:
    model = break_even(waited(), max_steps=1200)
    assert model.loc[1117, "one_lambda_usd"] > 0 and math.isnan(model.loc[1118, "one_lambda_usd"])
    assert model["standard_usd"].notna().all() and model["express_usd"].notna().all()


# ------------------------------------------------------------------------------ bad input and helpers


def test_bad_memory_or_architecture_is_a_one_line_error_with_the_fix() -> None:
    with pytest.raises(WorkbenchError, match=r"unknown Lambda architecture 'arm'.*Fix: use 'x86_64' or 'arm64'"):
        one_lambda_costs(waited(), arch="arm")
    with pytest.raises(WorkbenchError, match=r"128\.\.10240 MB, got 64.*Fix"):
        one_lambda_costs(waited(), memory_mb=64)
    with pytest.raises(WorkbenchError, match=r"'executions' DataFrame"):
        one_lambda_costs({"states": pd.DataFrame()})


def test_one_function_needs_the_largest_tool_memory() -> None:
    assert one_function_config(None) == LambdaConfig(1024, "x86_64")
    assert one_function_config({"a": LambdaConfig(512, "arm64"), "b": 256}) == LambdaConfig(512, "x86_64")
    assert one_function_config({"a": LambdaConfig(512, "arm64"), "b": LambdaConfig(3008, "arm64")}) == \
        LambdaConfig(3008, "arm64")
    assert lambda_config(2048, "arm64") == LambdaConfig(2048, "arm64")
