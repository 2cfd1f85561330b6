"""Pure pricing functions for Step Functions (Standard and Express) and Lambda tools.

Numbers in, dollars out: no frames, no I/O beyond the bundled price table (see ``prices.json`` for the
date and the pages the prices come from). The frame-level functions in :mod:`workbench.history.cost.frame_costs`
build on these. Every billing rule we rely on is stated next to the code that applies it:

* Standard: AWS bills each *state transition* ("each time a step of your workflow is executed"), and
  "each retry will be charged as an additional state transition". 4,000 transitions a month are free.
* Express: $ per request plus duration × memory in GB-hours, "duration rounded up to the nearest
  100ms" and memory "billed in 64-MB chunks", with monthly GB-hour tiers.
* Lambda: $ per request plus GB-seconds (configured memory × duration, 1 ms granularity), with
  monthly GB-second tiers that differ per architecture. Lambda "registers a request each time it starts
  launching in response to an event notification or invoke call": a throttled invoke (HTTP 429) never
  starts, so it is neither a request nor duration (see :mod:`workbench.history.cost.lambdas`).
* Free tier: off unless asked for (``free_tier=True``). It is one allowance per *account* and month,
  shared by all regions ("Free Tier usage is calculated each month across all regions"): ``prior_*``
  arguments are the account's usage so far this month in every region, not just this one.

Sizes use 1 GB = 1,024 MB, as AWS's own worked examples do ("64 MB (billed memory) / 1024 MB").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.history.cost.prices import (
    ARCHES,
    DEFAULT_REGION,
    Arch,
    PriceTable,
    PricingError,
    Tier,
    load_prices,
)

MB_PER_GB = 1024.0
EXPRESS_DURATION_STEP_MS = 100
EXPRESS_MEMORY_STEP_MB = 64
LAMBDA_DURATION_STEP_MS = 1
LAMBDA_MIN_MEMORY_MB = 128
LAMBDA_MAX_MEMORY_MB = 10240
EXPRESS_MAX_DURATION_S = 300  # Express executions are stopped after 5 minutes.

# Timestamps in histories have millisecond resolution; float arithmetic on them can leave 1e-10 ms of
# noise that would wrongly push a duration into the next billing step, so we round to a microsecond first.
_NOISE_DIGITS = 6


@dataclass(frozen=True)
class Cost:
    """A price split into its request part and its duration part (Express, Lambda).

    Example:
        >>> Cost(requests_usd=1.0, duration_usd=2.5).usd
        3.5
    """

    requests_usd: float
    duration_usd: float

    @property
    def usd(self) -> float:
        return self.requests_usd + self.duration_usd


def tiered_cost(quantity: float, tiers: Sequence[Tier], *, already_used: float = 0.0) -> float:
    """Price ``quantity`` units on a tiered schedule, starting after ``already_used`` units this month.

    Tiers are monthly and per account/region, so the marginal price depends on what was already used.

    Example:
        >>> tiers = (Tier(1000, 0.06), Tier(4000, 0.03), Tier(None, 0.01642))
        >>> round(tiered_cost(1500, tiers), 2)   # 1000 × 0.06 + 500 × 0.03
        75.0
    """
    if quantity < 0 or already_used < 0:
        raise PricingError(f"quantities must be non-negative, got quantity={quantity}, already_used={already_used}")
    total = 0.0
    start = 0.0
    lo, hi = already_used, already_used + quantity
    for tier in tiers:
        end = math.inf if tier.width is None else start + tier.width
        overlap = min(hi, end) - max(lo, start)
        if overlap > 0:
            total += overlap * tier.price
        start = end
        if start >= hi:
            break
    return total


def _table(prices: PriceTable | None) -> PriceTable:
    return prices if prices is not None else load_prices()


def _free_remaining(allowance: float, prior: float) -> float:
    return max(0.0, allowance - prior)


# --------------------------------------------------------------------------------------------- Standard


def standard_cost(
    transitions: int,
    region: str = DEFAULT_REGION,
    *,
    free_tier: bool = False,
    prior_transitions: int = 0,
    prices: PriceTable | None = None,
) -> float:
    """Dollars for ``transitions`` billed Standard state transitions in ``region``.

    ``free_tier=True`` applies the account's 4,000 free transitions of the month; ``prior_transitions``
    says how many the account already used this month in any region (they consume the free tier
    first). How transitions are counted from a history (retries, Parallel/Map, redrives) is in
    :mod:`workbench.history.cost.frame_costs`.

    Example:
        >>> standard_cost(12)                 # 12 × $0.025 / 1,000
        0.0003
        >>> standard_cost(12, free_tier=True)  # inside the 4,000 free ones
        0.0
    """
    if transitions < 0 or prior_transitions < 0:
        raise PricingError(f"transition counts must be non-negative, got {transitions} and {prior_transitions}")
    table = _table(prices)
    per_1000 = table.standard_per_1000(region)
    billable = float(transitions)
    if free_tier:
        billable = max(0.0, billable - _free_remaining(table.standard_free_transitions, prior_transitions))
    return round(billable * per_1000 / 1000.0, 12)


# --------------------------------------------------------------------------------------------- Express


def express_billed_duration_ms(duration_ms: float) -> int:
    """Duration AWS bills for an Express execution: rounded up to the next 100 ms.

    Assumption: an execution that took 0 ms is still billed one 100 ms increment (AWS bills whole
    increments; it never prices a started execution at zero duration).

    Example:
        >>> express_billed_duration_ms(1230)
        1300
    """
    if duration_ms < 0 or math.isnan(duration_ms):
        raise PricingError(f"an execution duration must be a non-negative number of ms, got {duration_ms}")
    steps = math.ceil(round(duration_ms, _NOISE_DIGITS) / EXPRESS_DURATION_STEP_MS)
    return max(1, steps) * EXPRESS_DURATION_STEP_MS


def express_billed_memory_mb(memory_mb: float) -> int:
    """Memory AWS bills for an Express execution: rounded up to a 64 MB chunk (at least one chunk).

    Example:
        >>> express_billed_memory_mb(50.05)
        64
    """
    if memory_mb <= 0 or math.isnan(memory_mb):
        raise PricingError(f"Express memory must be a positive number of MB, got {memory_mb}")
    return math.ceil(round(memory_mb, _NOISE_DIGITS) / EXPRESS_MEMORY_STEP_MB) * EXPRESS_MEMORY_STEP_MB


def express_gb_hours(duration_ms: float, memory_mb: float = 64) -> float:
    """Billed GB-hours of one Express execution (both rounding rules applied).

    Example:
        >>> round(express_gb_hours(1230, 64), 12)   # 1.3 s × 0.0625 GB / 3600
        2.2569444e-05
    """
    seconds = express_billed_duration_ms(duration_ms) / 1000.0
    return seconds * (express_billed_memory_mb(memory_mb) / MB_PER_GB) / 3600.0


def express_cost(
    duration_ms: float,
    memory_mb: float = 64,
    region: str = DEFAULT_REGION,
    *,
    executions: int = 1,
    prior_gb_hours: float = 0.0,
    prices: PriceTable | None = None,
) -> Cost:
    """Cost of ``executions`` Express executions that each ran ``duration_ms`` using ``memory_mb``.

    Tiers apply to the month's total GB-hours; ``prior_gb_hours`` is what the account already used.
    Express has no free tier. Memory is what AWS reports as billed memory (CloudWatch
    ``ExpressExecutionBilledMemory``); it is not in the history, so you pass it (64 MB is the floor
    and covers small definitions and payloads: AWS estimates 50 MB + definition + data).

    Example:
        >>> c = express_cost(1230, 64)
        >>> round(c.requests_usd, 12), round(c.duration_usd, 15)
        (1e-06, 1.354166667e-06)
    """
    if executions < 0:
        raise PricingError(f"executions must be non-negative, got {executions}")
    ex = _table(prices).express(region)
    gb_hours = express_gb_hours(duration_ms, memory_mb) * executions
    return express_cost_from_usage(executions, gb_hours, ex.gb_hour_tiers, ex.per_million_requests,
                                   prior_gb_hours=prior_gb_hours)


def express_cost_from_usage(
    requests: int,
    gb_hours: float,
    tiers: Sequence[Tier],
    per_million_requests: float,
    *,
    prior_gb_hours: float = 0.0,
) -> Cost:
    """Price already-billed Express usage (sum of :func:`express_gb_hours` over many executions).

    Example:
        >>> tiers = (Tier(1000, 0.06), Tier(4000, 0.03), Tier(None, 0.01642))
        >>> express_cost_from_usage(1_000_000, 10.0, tiers, 1.0).usd
        1.6
    """
    return Cost(
        requests_usd=requests * per_million_requests / 1_000_000.0,
        duration_usd=tiered_cost(gb_hours, tiers, already_used=prior_gb_hours),
    )


# ---------------------------------------------------------------------------------------------- Lambda


def _check_arch(arch: str) -> Arch:
    for a in ARCHES:
        if arch == a:
            return a
    raise PricingError(f"unknown Lambda architecture {arch!r}. Fix: use 'x86_64' or 'arm64'.")


def lambda_billed_duration_ms(duration_ms: float) -> int:
    """Lambda bills duration rounded up to the next millisecond (at least 1 ms).

    Example:
        >>> lambda_billed_duration_ms(799.2)
        800
    """
    if duration_ms < 0 or math.isnan(duration_ms):
        raise PricingError(f"a Lambda duration must be a non-negative number of ms, got {duration_ms}")
    return max(1, math.ceil(round(duration_ms, _NOISE_DIGITS) / LAMBDA_DURATION_STEP_MS)) * LAMBDA_DURATION_STEP_MS


def lambda_gb_seconds(duration_ms: float, memory_mb: int = LAMBDA_MIN_MEMORY_MB) -> float:
    """Billed GB-seconds of one invocation: configured memory (GB) × billed duration (s).

    Example:
        >>> lambda_gb_seconds(800, 512)
        0.4
    """
    if not LAMBDA_MIN_MEMORY_MB <= memory_mb <= LAMBDA_MAX_MEMORY_MB:
        raise PricingError(
            f"Lambda memory must be {LAMBDA_MIN_MEMORY_MB}..{LAMBDA_MAX_MEMORY_MB} MB, got {memory_mb}. "
            "Fix: use the function's configured MemorySize."
        )
    return (memory_mb / MB_PER_GB) * (lambda_billed_duration_ms(duration_ms) / 1000.0)


def lambda_cost(
    duration_ms: float,
    memory_mb: int = LAMBDA_MIN_MEMORY_MB,
    arch: str = "x86_64",
    region: str = DEFAULT_REGION,
    *,
    invocations: int = 1,
    prior_gb_seconds: float = 0.0,
    prior_requests: int = 0,
    free_tier: bool = False,
    prices: PriceTable | None = None,
) -> Cost:
    """Cost of ``invocations`` Lambda invocations that each ran ``duration_ms``.

    ``free_tier=True`` takes the account's monthly 1M requests / 400,000 GB-s allowance off first
    (after what ``prior_*`` already used in any region, either architecture). Simplification: tiers
    are then applied from the point where the free allowance ends, which only matters to an account
    already near 6 billion GB-s.

    Example:
        >>> c = lambda_cost(800, 512, "arm64")   # 0.4 GB-s × $0.0000133334 + $0.20 / 1M
        >>> round(c.usd, 14)
        5.53336e-06
    """
    if invocations < 0 or prior_requests < 0 or prior_gb_seconds < 0:
        raise PricingError("invocation counts and prior usage must be non-negative")
    table = _table(prices)
    lp = table.lambda_(region)
    tiers = lp.gb_second_tiers[_check_arch(arch)]
    gb_s = lambda_gb_seconds(duration_ms, memory_mb) * invocations
    free = table.free_tier
    return lambda_cost_from_usage(invocations, gb_s, tiers, lp.per_million_requests,
                                  prior_requests=prior_requests, prior_gb_seconds=prior_gb_seconds,
                                  free_requests=free.lambda_requests if free_tier else 0,
                                  free_gb_seconds=free.lambda_gb_seconds if free_tier else 0.0)


def lambda_cost_from_usage(
    requests: int,
    gb_seconds: float,
    tiers: Sequence[Tier],
    per_million_requests: float,
    *,
    prior_requests: int = 0,
    prior_gb_seconds: float = 0.0,
    free_requests: int = 0,
    free_gb_seconds: float = 0.0,
) -> Cost:
    """Price already-computed Lambda usage (sum of :func:`lambda_gb_seconds` over invocations).

    Example:
        >>> tiers = (Tier(None, 0.0000166667),)
        >>> round(lambda_cost_from_usage(10, 3.0, tiers, 0.2).usd, 12)  # 3 GB-s + 10 requests
        5.20001e-05
    """
    billable_requests = max(0.0, requests - _free_remaining(free_requests, prior_requests))
    start = max(prior_gb_seconds, free_gb_seconds)
    billable_gb_s = max(0.0, prior_gb_seconds + gb_seconds - start)
    return Cost(
        requests_usd=billable_requests * per_million_requests / 1_000_000.0,
        duration_usd=tiered_cost(billable_gb_s, tiers, already_used=start),
    )
