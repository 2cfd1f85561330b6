"""Cost that follows the AWS bill's rules (issue #12): throttles, the account-wide free tier, money formatting.

Every expected figure is worked out in the comments from the published prices of the bundled table
(``workbench/history/cost/prices.json``, as of 2026-11-26, us-east-1):

* Step Functions Standard: $0.025 per 1,000 state transitions = $0.000025 per transition;
* Lambda requests: $0.20 per 1M = $0.0000002 per request;
* Lambda duration: $0.0000166667 per GB-second (x86_64), $0.0000133334 (arm64), first tier;
* free tier (per account and month, all regions together): 4,000 transitions, 1M Lambda requests,
  400,000 Lambda GB-seconds.

Never computed by calling the code under test.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.history.hand_histories import T0, exec_arn, frames_of, ten_states
from workbench.core.money import fmt_per_executions, fmt_usd, per_executions
from workbench.history.cost import lambda_cost, standard_cost
from workbench.history.cost.frame_costs import (
    LambdaConfig,
    cost_summary,
    execution_costs,
    state_costs,
    tool_costs,
    what_if,
)
from workbench.history.cost.lambdas import is_throttle
from workbench.history.cost.prices import load_prices
from workbench.history.frames import frames
from workbench.history.load import load_history
from workbench.history.load.events import HistoryWarning

EXACT = 1e-9  # relative tolerance: float noise only
# the bundled table's published prices, as literals (prices.json, as of 2026-11-26, us-east-1)
PER_TRANSITION = 0.025 / 1000
PER_REQUEST = 0.20 / 1_000_000
GB_S_X86 = 0.0000166667
GB_S_ARM = 0.0000133334
PARIS_PER_TRANSITION = 0.0297 / 1000  # eu-west-3


# ------------------------------------------------------------------------------------------ price table


def test_one_dated_table_with_an_account_wide_free_tier() -> None:
    table = load_prices()
    raw = json.loads(Path(table.path).read_text())
    assert raw["as_of"] == table.as_of == "2026-11-26"
    assert raw["free_tier"] == {"scope": "per account per month, across all regions", "standard_transitions": 4000,
                                "lambda_requests": 1_000_000, "lambda_gb_seconds": 400_000}
    assert all("free_tier" not in prices for prices in raw["lambda"].values())  # no per-region allowance
    assert table.citation.startswith("AWS list prices as of 2026-11-26 (")
    assert "https://aws.amazon.com/step-functions/pricing/" in table.citation
    assert "https://aws.amazon.com/lambda/pricing/" in table.citation


def test_every_cost_table_carries_the_price_citation() -> None:
    f = frames_of((exec_arn("M", "a"), ten_states()))
    cite = load_prices().citation
    for table in (execution_costs(f), state_costs(f), tool_costs(f), cost_summary(f), what_if(f)):
        assert table.attrs["prices"] == cite


# --------------------------------------------------------------------------------------------- throttles


@pytest.mark.parametrize(("error", "throttled"), [
    ("Lambda.TooManyRequestsException", True),   # Lambda rejected the invoke with HTTP 429
    ("Lambda.ThrottlingException", True),        # a Lambda-service throttle, matched defensively
    ("ThrottlingException", False),              # the function ran; *its* call to another service was throttled
    ("TooManyRequestsException", False),         # same: no "Lambda." prefix, the function's own error
    ("Lambda.ServiceException", False),          # may have run: billed
    ("Exception", False), (None, False),
])
def test_which_errors_are_throttles(error: str | None, throttled: bool) -> None:
    assert is_throttle(error) is throttled


def test_throttled_attempts_cost_nothing_but_their_retries_are_transitions() -> None:
    arn = exec_arn("Mission", "r1")
    smooth = execution_costs(frames_of((arn, ten_states(throttles=0)))).loc[arn]
    throttled = execution_costs(frames_of((arn, ten_states(throttles=2)))).loc[arn]
    # Both runs billed the same two Lambda calls: fetch (0.125 GB × 0.8 s = 0.1 GB-s) and store
    # (0.125 GB × 0.4 s = 0.05 GB-s), at 128 MB x86: 0.15 GB-s × $0.0000166667 + 2 × $0.0000002
    for row in (smooth, throttled):
        assert row["lambda_invocations"] == 2
        assert row["lambda_usd"] == pytest.approx(0.15 * GB_S_X86 + 2 * PER_REQUEST, rel=EXACT)
    assert throttled["lambda_throttled"] == 2 and smooth["lambda_throttled"] == 0
    # ...but each retry is a state transition: 10 vs 12 transitions × $0.000025
    assert smooth["sfn_usd"] == pytest.approx(10 * PER_TRANSITION, rel=EXACT)
    assert throttled["sfn_usd"] == pytest.approx(12 * PER_TRANSITION, rel=EXACT)


# ------------------------------------------------------------------------------------------- free tier


def test_free_tier_is_off_by_default() -> None:
    assert standard_cost(12) == pytest.approx(12 * PER_TRANSITION, rel=EXACT)
    assert lambda_cost(800, 512, "arm64").usd == pytest.approx(0.4 * GB_S_ARM + PER_REQUEST, rel=EXACT)
    bill = cost_summary(frames_of((exec_arn("M", "a"), ten_states())))
    assert (bill["free_quantity"] == 0).all() and (bill["usd"] > 0).all()


def _two_region_month() -> dict[str, pd.DataFrame]:
    """Frames for one account's month: 3,000 transitions and 30 big Lambda calls in each of two regions.

    us-east-1 runs first (09:00), eu-west-3 an hour later. Each call: 10,240 MB (10 GB) × 900 s =
    9,000 GB-s, so each region uses 270,000 GB-s (30 requests).
    """
    east = "arn:aws:states:us-east-1:123456789012:execution:Batch:east"
    paris = "arn:aws:states:eu-west-3:123456789012:execution:Batch:paris"
    starts = [T0, T0 + timedelta(hours=1)]
    executions = pd.DataFrame({"execution": [east, paris], "status": "SUCCEEDED", "duration_ms": 3_600_000.0,
                               "transitions": [3000, 3000], "start": pd.to_datetime(starts, utc=True)})
    rows = [{"execution": arn, "visit": 1, "state": "Crunch", "attempt": i + 1,
             "resource": "arn:aws:lambda:us-east-1:123456789012:function:crunch", "resource_type": "lambda",
             "run_ms": 900_000.0, "outcome": "succeeded", "error": None,
             "scheduled": start + timedelta(seconds=i)}
            for arn, start in zip([east, paris], starts, strict=True) for i in range(30)]
    attempts = pd.DataFrame(rows)
    attempts["scheduled"] = pd.to_datetime(attempts["scheduled"], utc=True)
    return {"executions": executions, "attempts": attempts, "events": pd.DataFrame({"type": []})}


def test_free_tier_is_one_allowance_for_the_account_across_regions() -> None:
    f = _two_region_month()
    tools = {"crunch": LambdaConfig(10240)}
    prices = load_prices().assume_region("eu-west-3")  # Lambda in Paris priced like us-east-1 (table has no figure)
    bill = cost_summary(f, tools, prices=prices, free_tier=True).set_index(["region", "item"])
    # Standard: 6,000 transitions, 4,000 free for the whole account, taken in the order the runs started:
    # us-east-1's 3,000 are free, then 1,000 of eu-west-3's; 2,000 × $0.0297 / 1,000 = $0.0594 in Paris.
    assert bill.loc[("us-east-1", "standard"), "usd"] == 0.0
    assert bill.loc[("eu-west-3", "standard"), "free_quantity"] == 1000
    assert bill.loc[("eu-west-3", "standard"), "usd"] == pytest.approx(2000 * PARIS_PER_TRANSITION, rel=EXACT)
    # Lambda: 540,000 GB-s, 400,000 free: us-east-1's 270,000, then 130,000 of Paris's 270,000;
    # 140,000 GB-s × $0.0000166667 = $2.333338. 60 requests, all inside the 1M free ones.
    assert bill.loc[("us-east-1", "lambda x86_64"), "usd"] == 0.0
    assert bill.loc[("eu-west-3", "lambda x86_64"), "free_quantity"] == pytest.approx(130_000, rel=EXACT)
    assert bill.loc[("eu-west-3", "lambda x86_64"), "usd"] == pytest.approx(140_000 * GB_S_X86, rel=EXACT)
    # A per-region free tier (the old bug) would have made both regions free: 3,000 < 4,000, 270,000 < 400,000.
    total = float(bill["usd"].sum())
    assert total == pytest.approx(2000 * PARIS_PER_TRANSITION + 140_000 * GB_S_X86, rel=EXACT)
    # Without the free tier (the default) everything is billed: 6,000 transitions and 540,000 GB-s + 60 requests.
    paid = cost_summary(f, tools, prices=prices).set_index(["region", "item"])
    assert float(paid["usd"].sum()) == pytest.approx(
        3000 * PER_TRANSITION + 3000 * PARIS_PER_TRANSITION + 540_000 * GB_S_X86 + 60 * PER_REQUEST, rel=EXACT)


# ---------------------------------------------------------------------------------------------- money


@pytest.mark.parametrize(("usd", "text"), [
    (0.0, "$0"), (0.000125, "$0.000125"), (0.0003, "$0.0003"), (0.0000002, "$0.0000002"),
    (8.1e-07, "$0.00000081"), (0.00000553336, "$0.00000553"), (0.004, "$0.004"), (0.0123456, "$0.0123"),
    (0.1, "$0.10"), (0.5, "$0.50"), (0.125, "$0.125"), (0.9996, "$1.00"), (1.0, "$1.00"), (1.234, "$1.23"),
    (12.5, "$12.50"), (1234.56, "$1,234.56"), (1_234_567.891, "$1,234,567.89"), (-0.000375, "-$0.000375"),
    (1e-13, "<$0.000000000001"), (float("nan"), "–"), (None, "–"),
])
def test_money_format_table(usd: float | None, text: str) -> None:
    assert fmt_usd(usd) == text


@given(st.floats(min_value=1e-12, max_value=1e12, allow_nan=False, allow_infinity=False))
def test_a_positive_cost_never_reads_as_zero(usd: float) -> None:
    text = fmt_usd(usd)
    assert text not in ("$0", "$0.00") and re.search(r"[1-9]", text), text
    assert "e" not in text.lower()  # plain decimals, never 1.2e-05


def test_per_execution_scales() -> None:
    # $0.00123 per execution → $1.23 per 1,000 → $1,230.00 per 1,000,000
    assert per_executions(0.00246, 2) == [("per execution", "$0.00123"), ("per 1,000 executions", "$1.23"),
                                          ("per 1,000,000 executions", "$1,230.00")]
    assert per_executions(1.0, 0) == []


# ------------------------------------------------------------------------ three recorded histories by hand

# Recorded against real AWS (corpus). Their timestamps are placeholders, so as recorded only the transitions
# and requests can be priced; the "timed" check replaces the placeholders with a clock of one event every
# 250 ms, so every Lambda attempt (Started → Failed: consecutive events) ran 250 ms.
CORPUS_BILLS: dict[str, dict[str, Any]] = {
    # Legacy Lambda resource, Retry MaxAttempts 3: 4 invocations (each raised Exception: they ran, billed).
    # Transitions: InvokeLambdaWithRetry entered + 3 retries + HandleError entered = 5.
    # Timed at 512 MB arm64: 4 × 0.5 GB × 0.25 s = 0.5 GB-s.
    "test_base_scenarios__test_lambda_invoke_with_retry_base": {
        "tools": {"InvokeLambdaWithRetry": LambdaConfig(512, "arm64")}, "transitions": 5, "invocations": 4,
        "recorded": 5 * PER_TRANSITION + 4 * PER_REQUEST,                        # $0.0001258
        "timed": 5 * PER_TRANSITION + 4 * PER_REQUEST + 0.5 * GB_S_ARM,          # $0.0001324667
        "scales": ("$0.000132", "$0.132", "$132.47"),
    },
    # Legacy Lambda resource, Retry MaxAttempts 2 (jitter, max delay), execution FAILED: 3 invocations.
    # Transitions: LambdaTask entered + 2 retries = 3. Timed at 1,024 MB x86: 3 × 1 GB × 0.25 s = 0.75 GB-s.
    "test_base_scenarios__test_retry_interval_features": {
        "tools": {"LambdaTask": LambdaConfig(1024)}, "transitions": 3, "invocations": 3,
        "recorded": 3 * PER_TRANSITION + 3 * PER_REQUEST,                        # $0.0000756
        "timed": 3 * PER_TRANSITION + 3 * PER_REQUEST + 0.75 * GB_S_X86,         # $0.000088100025
        "scales": ("$0.0000881", "$0.0881", "$88.10"),
    },
    # lambda:invoke inside an inline Map, Retry MaxAttempts 1: 2 invocations. Transitions: ProcessItems (Map)
    # + ProcessItem + 1 retry + Fallback = 4. Timed at the default 128 MB x86: 2 × 0.125 GB × 0.25 s = 0.0625 GB-s.
    "test_error_output__test_map_catch_error__MAP_CATCH_ERROR_OUTPUT_WITH_RETRY": {
        "tools": {}, "transitions": 4, "invocations": 2,
        "recorded": 4 * PER_TRANSITION + 2 * PER_REQUEST,                        # $0.0001004
        "timed": 4 * PER_TRANSITION + 2 * PER_REQUEST + 0.0625 * GB_S_X86,       # $0.00010144166875
        "scales": ("$0.000101", "$0.101", "$101.44"),
    },
}
CLOCK = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def _recorded(corpus: Path, stem: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((corpus / "histories" / f"{stem}.json").read_text())
    return doc


def _timed(doc: dict[str, Any]) -> dict[str, Any]:
    for i, event in enumerate(doc["history"]):
        event["timestamp"] = (CLOCK + timedelta(milliseconds=250 * i)).isoformat(timespec="milliseconds")
    return doc


def _frames(doc: dict[str, Any], run: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)  # placeholder ids in normalised recordings
        return frames(load_history(doc, execution_arn=exec_arn("Corpus", run)))


@pytest.mark.parametrize("stem", sorted(CORPUS_BILLS))
def test_recorded_histories_cost_what_the_published_prices_say(corpus: Path, stem: str) -> None:
    want = CORPUS_BILLS[stem]
    recorded = execution_costs(_frames(_recorded(corpus, stem), "recorded"), want["tools"]).iloc[0]
    assert recorded["transitions"] == want["transitions"] and recorded["lambda_invocations"] == want["invocations"]
    assert recorded["cost_usd"] == pytest.approx(want["recorded"], rel=EXACT)
    timed_frames = _frames(_timed(_recorded(corpus, stem)), "timed")
    timed = execution_costs(timed_frames, want["tools"]).iloc[0]
    assert timed["cost_usd"] == pytest.approx(want["timed"], rel=EXACT)
    assert [usd for _, usd in per_executions(float(timed["cost_usd"]), 1)] == list(want["scales"])
    # the month's bill of this one run: the same without the free tier, nothing with it
    bill = cost_summary(timed_frames, want["tools"])
    assert float(bill["usd"].sum()) == pytest.approx(want["timed"], rel=EXACT)
    assert float(cost_summary(timed_frames, want["tools"], free_tier=True)["usd"].sum()) == 0.0


@pytest.mark.parametrize(("stem", "failed_event", "throttles"), [
    ("test_base_scenarios__test_lambda_invoke_with_retry_base", "LambdaFunctionFailed", 3),
    ("test_error_output__test_map_catch_error__MAP_CATCH_ERROR_OUTPUT_WITH_RETRY", "TaskFailed", 1),
])
def test_recorded_history_with_throttled_attempts(corpus: Path, stem: str, failed_event: str, throttles: int) -> None:
    want = CORPUS_BILLS[stem]
    doc = _timed(_recorded(corpus, stem))
    failed = [e for e in doc["history"] if e["type"] == failed_event]
    for event in failed[:throttles]:  # the first tries were throttled by Lambda instead of raising
        details = event[failed_event[0].lower() + failed_event[1:] + "EventDetails"]
        details["error"], details["cause"] = "Lambda.TooManyRequestsException", "Rate Exceeded."
    row = execution_costs(_frames(doc, "throttled"), want["tools"]).iloc[0]
    billed = want["invocations"] - throttles
    assert row["lambda_invocations"] == billed and row["lambda_throttled"] == throttles
    assert row["transitions"] == want["transitions"]  # the retries are still billed transitions
    # lambda_invoke_with_retry_base: 5 × $0.000025 + 1 × ($0.0000002 + 0.125 GB-s × $0.0000133334) = $0.000126866675
    # map catch: 4 × $0.000025 + 1 × ($0.0000002 + 0.03125 GB-s × $0.0000166667) = $0.000100720834375
    per_call = {"test_base_scenarios__test_lambda_invoke_with_retry_base": 0.125 * GB_S_ARM,
                "test_error_output__test_map_catch_error__MAP_CATCH_ERROR_OUTPUT_WITH_RETRY": 0.03125 * GB_S_X86}[stem]
    expected = want["transitions"] * PER_TRANSITION + billed * (PER_REQUEST + per_call)
    assert row["cost_usd"] == pytest.approx(expected, rel=EXACT)


# ---------------------------------------------------------------------------- every output cites prices


def test_figures_report_and_explorer_cite_the_prices_and_never_show_zero_cents() -> None:
    from workbench.report import build
    from workbench.viz.figures.cost import cost_figure, cost_over_time_figure
    from workbench.widgets.explorer import views

    arn = exec_arn("Mission", "r1")
    f = frames_of((arn, ten_states()))
    cite = load_prices().citation
    for fig in (cost_figure(f), cost_figure(f, by="tool"), cost_over_time_figure(f)):
        assert fig.layout.title.subtitle.text == cite
    note = html_lib.unescape(cost_over_time_figure(f).layout.annotations[0].text)  # plotly labels escape "$"
    # 12 × $0.000025 + 0.15 GB-s × $0.0000166667 + 2 × $0.0000002 = $0.000302900005
    assert note == "1 execution, $0.000303 in total: " + fmt_per_executions(0.000302900005, 1)
    assert "$0.000303 per execution · $0.303 per 1,000 executions · $302.90 per 1,000,000 executions" in note
    html = build(load_history(ten_states(), execution_arn=arn)).html
    assert html.count(cite) >= 2  # summary and cost section
    assert "per 1,000,000 executions" in html and "throttled" in html
    tables = views.cost_tables({name: getattr(f, name) for name in ("events", "states", "attempts", "executions")})
    tab = views.price_note() + "".join(views.table_html(df) for df in tables.values())
    assert cite in tab and "$0.000303" in tab and "$302.90" in tab
    for text in (html, tab):
        assert not re.search(r"\$0\.00(?![0-9])", text)  # no cost reads "$0.00"
