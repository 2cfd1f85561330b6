"""Pricing functions, checked against numbers worked out by hand from the AWS price pages.

Every expected figure below is computed in the comment next to it from the published prices
(Standard $0.025 / 1,000 transitions in us-east-1; Express $1.00 / 1M requests and $0.06 / $0.03 /
$0.01642 per GB-hour; Lambda $0.20 / 1M requests and $0.0000166667 (x86) / $0.0000133334 (arm64)
per GB-second), never by calling the code under test.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.history.hand_histories import exec_arn, fanout, frames_of, redriven, ten_states
from workbench.core.diagnostics import WorkbenchError
from workbench.history.cost import (
    express_billed_duration_ms,
    express_billed_memory_mb,
    express_cost,
    lambda_cost,
    standard_cost,
    tiered_cost,
)
from workbench.history.cost.frame_costs import (
    LambdaConfig,
    cost_summary,
    execution_costs,
    state_costs,
    tool_costs,
    what_if,
)
from workbench.history.cost.prices import PricingError, Tier, load_prices
from workbench.history.frames import frames
from workbench.history.load.events import HistoryWarning

EXACT = 1e-9  # relative tolerance: float noise only


# ------------------------------------------------------------------------------------------ price table


def test_price_table_is_dated_sourced_and_has_the_published_regions() -> None:
    table = load_prices()
    assert table.as_of == "2026-11-26"
    assert table.sources["step_functions"] == "https://aws.amazon.com/step-functions/pricing/"
    assert table.sources["lambda"] == "https://aws.amazon.com/lambda/pricing/"
    published = {
        "us-east-1": 0.025, "us-east-2": 0.025, "us-west-2": 0.025, "us-west-1": 0.0279,
        "ca-central-1": 0.025, "sa-east-1": 0.0375, "us-gov-east-1": 0.030, "us-gov-west-1": 0.030,
        "eu-west-1": 0.025, "eu-central-1": 0.025, "eu-west-2": 0.025, "eu-west-3": 0.0297,
        "eu-north-1": 0.025, "ap-southeast-1": 0.025, "ap-northeast-1": 0.025, "ap-southeast-2": 0.025,
        "ap-northeast-2": 0.0271, "ap-south-1": 0.0285,
    }
    assert dict(table.standard) == published
    assert table.standard_free_transitions == 4000


def test_unknown_region_is_an_error_naming_region_file_and_fix() -> None:
    with pytest.raises(PricingError) as err:
        standard_cost(10, "mars-north-1")
    text = str(err.value)
    assert "mars-north-1" in text and "prices.json" in text and "load_prices(path)" in text
    assert "assume_region(" in text
    assert isinstance(err.value, WorkbenchError)
    with pytest.raises(PricingError, match=r"Express Workflows.*eu-west-3"):
        express_cost(100, 64, "eu-west-3")


def test_custom_price_file_is_used_and_malformed_one_names_the_field(tmp_path: Path) -> None:
    raw = json.loads(Path(load_prices().path).read_text())
    raw["standard"]["per_1000_transitions"]["xx-test-1"] = 1.0
    good = tmp_path / "prices.json"
    good.write_text(json.dumps(raw))
    # 1,500 transitions × $1.00 / 1,000 = $1.50
    assert standard_cost(1500, "xx-test-1", prices=load_prices(good)) == pytest.approx(1.5, rel=EXACT)

    raw["express"]["us-east-1"]["gb_hour_tiers"][0]["price"] = "cheap"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw))
    with pytest.raises(PricingError, match=r"express\.us-east-1\.gb_hour_tiers\[0\]\.price"):
        load_prices(bad)
    broken = tmp_path / "broken.json"
    broken.write_text('{"standard": ')
    with pytest.raises(PricingError, match=r"broken\.json:1:"):
        load_prices(broken)


# ----------------------------------------------------------------------------------------------- tiers


def test_tiered_cost_boundaries() -> None:
    tiers = (Tier(1000, 0.06), Tier(4000, 0.03), Tier(None, 0.01642))
    assert tiered_cost(1000, tiers) == pytest.approx(60.0, rel=EXACT)  # 1000 × 0.06
    assert tiered_cost(1001, tiers) == pytest.approx(60.03, rel=EXACT)  # + 1 × 0.03
    assert tiered_cost(5000, tiers) == pytest.approx(180.0, rel=EXACT)  # 60 + 4000 × 0.03
    assert tiered_cost(5001, tiers) == pytest.approx(180.01642, rel=EXACT)  # + 1 × 0.01642
    # 999.5 already used this month: 0.5 × 0.06 + 0.5 × 0.03 = 0.045
    assert tiered_cost(1.0, tiers, already_used=999.5) == pytest.approx(0.045, rel=EXACT)
    assert tiered_cost(0, tiers) == 0.0


# -------------------------------------------------------------------------------------------- Standard


def test_standard_worked_example_ten_states_two_retries() -> None:
    # 10 states entered + 2 retries (each retry is one more transition) = 12 transitions.
    # 12 × $0.025 / 1,000 = $0.0003
    assert standard_cost(10 + 2) == pytest.approx(0.0003, rel=EXACT)
    # Paris: 12 × $0.0297 / 1,000 = $0.0003564
    assert standard_cost(12, "eu-west-3") == pytest.approx(0.0003564, rel=EXACT)
    # Sao Paulo: 12 × $0.0375 / 1,000 = $0.00045
    assert standard_cost(12, "sa-east-1") == pytest.approx(0.00045, rel=EXACT)


def test_standard_free_tier() -> None:
    assert standard_cost(4000, free_tier=True) == 0.0
    # 4,001 transitions: 1 billable × $0.000025
    assert standard_cost(4001, free_tier=True) == pytest.approx(0.000025, rel=EXACT)
    # 3,995 already used this month → 5 free left; 12 − 5 = 7 billable × $0.000025 = $0.000175
    assert standard_cost(12, free_tier=True, prior_transitions=3995) == pytest.approx(0.000175, rel=EXACT)
    # free tier exhausted before: all 12 billable
    assert standard_cost(12, free_tier=True, prior_transitions=9000) == pytest.approx(0.0003, rel=EXACT)
    # 1,000,000 transitions a month with the free tier: 996,000 × 0.025 / 1000 = $24.90
    assert standard_cost(1_000_000, free_tier=True) == pytest.approx(24.9, rel=EXACT)


# --------------------------------------------------------------------------------------------- Express


def test_express_rounding_rules() -> None:
    assert express_billed_duration_ms(1230) == 1300
    assert express_billed_duration_ms(1200) == 1200
    assert express_billed_duration_ms(1200.0000000001) == 1200  # timestamp float noise, not a new step
    assert express_billed_duration_ms(1) == 100
    assert express_billed_duration_ms(0) == 100  # documented assumption: at least one increment
    assert express_billed_memory_mb(1) == 64
    assert express_billed_memory_mb(64) == 64
    assert express_billed_memory_mb(65) == 128
    with pytest.raises(PricingError, match="non-negative"):
        express_billed_duration_ms(-5)


def test_express_worked_example_1_23_s_at_64_mb() -> None:
    c = express_cost(1230, 64)
    # 1.23 s → 1.3 s billed; 64 MB = 0.0625 GB; 1.3 × 0.0625 = 0.08125 GB-s = 0.08125/3600 GB-h
    # = 0.0000225694 GB-h × $0.06 = $0.00000135417; request $1.00 / 1M = $0.000001
    assert c.duration_usd == pytest.approx(0.08125 / 3600 * 0.06, rel=EXACT)
    assert c.duration_usd == pytest.approx(1.3541667e-6, rel=1e-7)
    assert c.requests_usd == pytest.approx(1e-6, rel=EXACT)
    assert c.usd == pytest.approx(2.3541667e-6, rel=1e-7)
    # 100 MB rounds to two 64 MB chunks: twice the duration price
    assert express_cost(1230, 100).duration_usd == pytest.approx(2 * 1.3541667e-6, rel=1e-7)


def test_express_aws_published_example_crosses_all_tiers() -> None:
    # AWS's example: 100M executions × 10 s at 64 MB = 1e9 s × 0.0625 GB = 62,500,000 GB-s
    # = 17,361.11 GB-h: 1,000 × 0.06 + 4,000 × 0.03 + 12,361.11 × 0.01642 = 60 + 120 + 202.97 = 382.97
    c = express_cost(10_000, 64, executions=100_000_000)
    assert c.duration_usd == pytest.approx(382.97, abs=0.005)
    assert c.requests_usd == pytest.approx(100.0, rel=EXACT)  # 100M × $1.00 / 1M


def test_express_tier_boundary_with_prior_usage() -> None:
    # One 1.23 s / 64 MB execution when the month already used 5,000 GB-h: third tier,
    # 0.08125 / 3600 GB-h × $0.01642 = $3.7059e-7
    c = express_cost(1230, 64, prior_gb_hours=5000)
    assert c.duration_usd == pytest.approx(0.08125 / 3600 * 0.01642, rel=EXACT)


# ---------------------------------------------------------------------------------------------- Lambda


def test_lambda_worked_example_512_mb_800_ms_arm64() -> None:
    c = lambda_cost(800, 512, "arm64")
    # 512 MB = 0.5 GB × 0.8 s = 0.4 GB-s × $0.0000133334 = $0.00000533336; request $0.20 / 1M = $0.0000002
    assert c.duration_usd == pytest.approx(0.00000533336, rel=EXACT)
    assert c.requests_usd == pytest.approx(0.0000002, rel=EXACT)
    assert c.usd == pytest.approx(0.00000553336, rel=EXACT)
    # same on x86_64: 0.4 × $0.0000166667 = $0.00000666668
    assert lambda_cost(800, 512, "x86_64").duration_usd == pytest.approx(0.00000666668, rel=EXACT)
    # 799.2 ms is billed as 800 ms (1 ms granularity)
    assert lambda_cost(799.2, 512, "arm64").usd == pytest.approx(0.00000553336, rel=EXACT)


def test_lambda_free_tier_and_tier_boundary() -> None:
    assert lambda_cost(800, 512, "arm64", free_tier=True).usd == 0.0
    # 399,999.8 GB-s already used: 0.2 of the 0.4 GB-s is billable × $0.0000133334 = $0.00000266668;
    # 999,999 requests used: of 1 more, 0 billable
    c = lambda_cost(800, 512, "arm64", free_tier=True, prior_gb_seconds=399_999.8, prior_requests=999_999)
    assert c.duration_usd == pytest.approx(0.00000266668, rel=1e-6)
    assert c.requests_usd == 0.0
    # x86 second tier starts at 6 billion GB-s: 1 GB-s at $0.0000166667 + 0.024 GB-s at $0.000015
    # (1,024 MB × 1,024 ms = 1.024 GB-s)
    c = lambda_cost(1024, 1024, "x86_64", prior_gb_seconds=6e9 - 1)
    assert c.duration_usd == pytest.approx(1 * 0.0000166667 + 0.024 * 0.000015, rel=1e-6)


def test_lambda_rejects_bad_memory_and_arch() -> None:
    with pytest.raises(PricingError, match=r"128\.\.10240"):
        lambda_cost(100, 64)
    with pytest.raises(PricingError, match="arm64"):
        lambda_cost(100, 128, "sparc")


# ----------------------------------------------------------------------------------- frame-level costs

# Frame-level figures: the histories are hand-built (tests/history/hand_histories.py) or recorded
# against real AWS (corpus); every expected number is derived from their timelines in the comments.

FETCH_512_ARM = {"fetch": LambdaConfig(512, "arm64")}


def _ten(arn: str = exec_arn("Mission", "r1"), **kw: Any) -> Any:
    return frames_of((arn, ten_states(**kw)))


def test_ten_state_standard_execution_with_two_retries_priced_by_hand() -> None:
    ex = execution_costs(_ten(), FETCH_512_ARM)
    row = ex.loc[exec_arn("Mission", "r1")]
    assert row["type"] == "STANDARD" and row["region"] == "us-east-1"
    assert row["transitions"] == 12  # 10 states entered + 2 retries of Fetch
    assert row["sfn_usd"] == pytest.approx(0.0003, rel=EXACT)  # 12 × $0.025 / 1,000
    # Lambda: fetch 3 tries, the first 2 throttled (Lambda.TooManyRequestsException: never ran, not billed),
    #         the 3rd 0.5 GB × 0.8 s = 0.4 GB-s × $0.0000133334 + $0.0000002 = $0.00000553336
    #         store 1 × (0.125 GB × 0.4 s = 0.05 GB-s × $0.0000166667 + $0.0000002) = $0.000001033335
    assert row["lambda_invocations"] == 2 and row["lambda_throttled"] == 2
    assert row["lambda_usd"] == pytest.approx(0.00000553336 + 0.000001033335, rel=1e-9)
    assert row["cost_usd"] == pytest.approx(0.0003 + 0.00000553336 + 0.000001033335, rel=1e-9)


def test_state_and_tool_costs_of_the_ten_state_execution() -> None:
    f = _ten()
    st = state_costs(f, FETCH_512_ARM)
    fetch = st.loc[("Fetch", "Task")]
    assert fetch["visits"] == 1 and fetch["transitions"] == 3  # entered once + 2 retries (retries are billed)
    assert fetch["standard_usd"] == pytest.approx(3 * 0.000025, rel=EXACT)
    assert fetch["lambda_usd"] == pytest.approx(0.00000553336, rel=1e-9)  # only the try that was not throttled
    assert st["transitions"].sum() == 12
    tc = tool_costs(f, FETCH_512_ARM)
    assert list(tc.index) == ["fetch", "store"]  # most expensive first
    assert tc.loc["fetch", "invocations"] == 1 and tc.loc["fetch", "throttled"] == 2
    assert tc.loc["fetch", "billed_ms"] == 800
    assert tc.loc["fetch", "gb_seconds"] == pytest.approx(0.4, rel=EXACT)  # 0.5 GB × 0.8 s
    assert tc.loc["store", "memory_mb"] == 128 and tc.loc["store", "arch"] == "x86_64"  # the default


def test_tools_can_be_the_missions_tool_specs() -> None:
    from workbench.mission.model import ToolSpec

    spec = ToolSpec.model_validate({"lambda": "fetch", "memory_mb": 512, "arch": "arm64"})
    tc = tool_costs(_ten(), {"fetch_tool": spec})  # keyed by tool name, matched by its function name
    assert tc.loc["fetch", "memory_mb"] == 512 and tc.loc["fetch", "arch"] == "arm64"
    assert tc.loc["fetch", "cost_usd"] == pytest.approx(0.00000553336, rel=1e-9)


def test_lambda_invoke_function_name_comes_from_parameters_when_payloads_are_kept() -> None:
    run = (exec_arn("Fanout", "r1"), fanout())
    # Probes ran 500 + 2000 + 1000 ms at 1,024 MB = 3.5 GB-s × $0.0000166667 + 3 × $0.0000002
    with_payloads = tool_costs(frames_of(run, payloads=True), {"probe": 1024})
    assert with_payloads.loc["probe", "gb_seconds"] == pytest.approx(3.5, rel=EXACT)
    assert with_payloads.loc["probe", "cost_usd"] == pytest.approx(3.5 * 0.0000166667 + 3 * 0.0000002, rel=1e-9)
    # without payloads the function name is unknown: the tool is named (and configured) by state
    by_state = tool_costs(frames_of(run), {"Probe": 1024})
    assert by_state.loc["Probe", "cost_usd"] == pytest.approx(3.5 * 0.0000166667 + 3 * 0.0000002, rel=1e-9)


def test_express_execution_is_priced_by_duration() -> None:
    arn = exec_arn("Mission", "r1", express=True)
    row = execution_costs(_ten(arn)).loc[arn]
    assert row["type"] == "EXPRESS"
    # 8,025 ms → 8.1 s billed × 0.0625 GB = 0.50625 GB-s / 3600 × $0.06 = $0.0000084375 + $0.000001
    assert row["sfn_usd"] == pytest.approx(0.0000094375, rel=1e-9)


def test_what_if_express_and_back() -> None:
    std_arn, exp_arn = exec_arn("Mission", "std"), exec_arn("Mission", "exp", express=True)
    f = frames_of((std_arn, ten_states()), (exp_arn, ten_states()))
    w = what_if(f, as_type="EXPRESS", memory_mb=64)
    std = w.loc[std_arn]
    assert std["actual_type"] == "STANDARD" and std["actual_usd"] == pytest.approx(0.0003, rel=EXACT)
    assert std["what_if_usd"] == pytest.approx(0.0000094375, rel=1e-9)
    assert std["saving_usd"] == pytest.approx(0.0003 - 0.0000094375, rel=1e-9)
    assert bool(std["fits_express"])
    # at 128 MB the duration part doubles: 2 × $0.0000084375 + $0.000001
    assert what_if(f, "EXPRESS", 128).loc[std_arn, "what_if_usd"] == pytest.approx(0.000017875, rel=1e-9)
    back = what_if(f, as_type="STANDARD").loc[exp_arn]
    assert back["actual_usd"] == pytest.approx(0.0000094375, rel=1e-9)
    assert back["what_if_usd"] == pytest.approx(0.0003, rel=EXACT)  # 12 transitions as Standard
    assert back["saving_usd"] < 0


def test_what_if_flags_runs_longer_than_express_allows() -> None:
    long_run = _ten(settle_ms=400_000)  # a 400 s Wait: over Express's 5-minute limit
    w = what_if(long_run)
    assert not bool(w["fits_express"].iloc[0])
    # 8,025 + 398,000 = 406,025 ms → 406.1 s × 0.0625 GB / 3600 × $0.06 + $0.000001
    assert w["express_usd"].iloc[0] == pytest.approx(406.1 * 0.0625 / 3600 * 0.06 + 0.000001, rel=1e-9)


def test_region_comes_from_the_arn_and_unlisted_prices_need_an_explicit_assumption() -> None:
    arn = "arn:aws:states:eu-west-3:123456789012:execution:Mission:r1"
    f = _ten(arn)
    with pytest.raises(PricingError, match=r"Lambda.*eu-west-3"):
        execution_costs(f)
    table = load_prices().assume_region("eu-west-3", like="us-east-1")
    row = execution_costs(f, prices=table).loc[arn]
    assert row["sfn_usd"] == pytest.approx(0.0003564, rel=EXACT)  # Paris: 12 × $0.0297 / 1,000
    assert row["region"] == "eu-west-3"


def test_cost_summary_applies_free_tiers_to_the_total_only_when_asked() -> None:
    f = frames_of((exec_arn("M", "a"), ten_states()), (exec_arn("M", "b"), ten_states()))
    paid = cost_summary(f, FETCH_512_ARM).set_index("item")  # the free tier is off by default
    assert paid.loc["standard", "usd"] == pytest.approx(24 * 0.000025, rel=EXACT)
    # arm64: 2 billed fetch tries (4 throttled ones are free) × 0.4 GB-s = 0.8 GB-s × $0.0000133334 + 2 × $0.0000002
    assert paid.loc["lambda arm64", "usd"] == pytest.approx(0.8 * 0.0000133334 + 2 * 0.0000002, rel=1e-9)
    assert (paid["free_quantity"] == 0).all()
    free = cost_summary(f, FETCH_512_ARM, free_tier=True).set_index("item")
    assert free.loc["standard", "quantity"] == 24 and free.loc["standard", "usd"] == 0.0  # < 4,000 free
    assert free.loc["standard", "free_quantity"] == 24
    assert free.loc["lambda arm64", "usd"] == 0.0


def test_redrive_bills_the_states_it_runs_again() -> None:
    ex = execution_costs(frames_of((exec_arn("Pay", "r"), redriven())))
    # Charge entered in the first run and again after ExecutionRedriven: 2 × $0.000025
    assert ex["transitions"].iloc[0] == 2
    assert ex["sfn_usd"].iloc[0] == pytest.approx(0.00005, rel=EXACT)
    # and both Charge invocations (280 ms at 128 MB: 0.035 GB-s × $0.0000166667 + $0.0000002) are billed
    assert ex["lambda_usd"].iloc[0] == pytest.approx(2 * (0.035 * 0.0000166667 + 0.0000002), rel=1e-9)


def test_distributed_map_children_are_priced_by_their_own_type() -> None:
    parent, child = exec_arn("Parent", "run"), exec_arn("Parent/Items", "child-0", express=True)
    f = frames_of((parent, ten_states()), (child, ten_states()))
    ex = execution_costs(f)
    assert ex.loc[parent, "type"] == "STANDARD" and ex.loc[child, "type"] == "EXPRESS"
    assert ex.loc[child, "sfn_usd"] == pytest.approx(0.0000094375, rel=1e-9)  # duration, not transitions
    # a child ARN that does not say its type: ExecutionType from the Map definition, passed as types=
    forced = execution_costs(f, types={parent: "STANDARD", child: "standard"})
    assert forced.loc[child, "sfn_usd"] == pytest.approx(0.0003, rel=EXACT)


CORPUS_TRANSITIONS = {
    # file stem: (billed transitions counted by hand from the recorded events, why)
    "test_base_scenarios__test_lambda_invoke_with_retry_base": (5, "Task entered + 3 retries + HandleError"),
    "test_base_scenarios__test_map_state_retry_multiple_retriers": (
        9, "StartState + MapState + 4 HandleItemFail (one per try) + 3 Map re-starts"),
    "test_base_scenarios__test_parallel_state_order": (5, "Parallel + one Pass in each of 4 branches"),
    "test_base_scenarios__test_map_item_reader_base_json": (
        1, "Distributed Map: only MapStateEntered here; the child executions are billed as their own"),
}


@pytest.mark.parametrize("stem", sorted(CORPUS_TRANSITIONS))
def test_real_histories_count_transitions_as_aws_bills_them(corpus: Path, stem: str) -> None:
    expected, _why = CORPUS_TRANSITIONS[stem]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)  # placeholder ids in normalised recordings
        f = frames(corpus / "histories" / f"{stem}.json")
    ex = execution_costs(f)
    assert int(ex["transitions"].iloc[0]) == expected
    assert ex["sfn_usd"].iloc[0] == pytest.approx(expected * 0.000025, rel=EXACT)
    assert ex["region"].iloc[0] == "us-east-1"  # the recorded ARNs have <region> placeholders


def test_untimed_lambda_calls_still_bill_their_requests(corpus: Path) -> None:
    f = frames(corpus / "histories" / "test_base_scenarios__test_lambda_invoke_with_retry_base.json")
    tc = tool_costs(f)
    assert int(tc["invocations"].sum()) == 4 and int(tc["untimed"].sum()) == 4  # timestamps are placeholders
    assert tc["requests_usd"].sum() == pytest.approx(4 * 0.0000002, rel=EXACT)
    assert execution_costs(f)["lambda_usd"].iloc[0] == pytest.approx(4 * 0.0000002, rel=EXACT)
