"""Step Functions cost of one execution, Standard and Express, as exact decimals.

A what-if compares two prices of the same execution (recorded and replayed), often a few hundred
thousandths of a cent apart; summing floats over a thousand rows would blur the difference the operator
asks about. The billing rules are the cost module's (:mod:`workbench.history.cost.pricing`: Standard
bills transitions, Express bills a request plus duration rounded up to 100 ms times memory in 64 MB
chunks); here they are applied with :class:`~decimal.Decimal` arithmetic on the prices as written in the
price table. As in :func:`~workbench.history.cost.frame_costs.execution_costs`, one execution is priced
at the first tier and without the free tier (the marginal cost of one more run). Lambda tool costs are
left out: a replay serves recorded outcomes, so the tools' work is the same either way.
"""

from __future__ import annotations

import math
from decimal import Decimal

from workbench.history.cost.lambdas import region_of
from workbench.history.cost.prices import PriceTable, load_prices
from workbench.history.cost.pricing import express_billed_duration_ms, express_billed_memory_mb

#: Express memory assumed when none is given (the floor AWS bills; not in histories).
EXPRESS_MEMORY_MB = 64
_MS_MB_PER_GB_HOUR = Decimal(1000 * 1024 * 3600)


def usd(price: float) -> Decimal:
    """A price from the table as the decimal it was written as (``0.025``, not ``0.025000000000000001``).

    Example:
        >>> usd(0.025)
        Decimal('0.025')
    """
    return Decimal(repr(float(price)))


def standard_usd(transitions: int, region: str, prices: PriceTable) -> Decimal:
    """Standard: every transition at the region's price per 1,000.

    Example:
        >>> standard_usd(12, "us-east-1", load_prices())
        Decimal('0.0003')
    """
    return Decimal(int(transitions)) * usd(prices.standard_per_1000(region)) / 1000


def express_usd(duration_ms: float | None, region: str, prices: PriceTable,
                memory_mb: float = EXPRESS_MEMORY_MB) -> Decimal | None:
    """Express: one request plus billed duration × billed memory at the first GB-hour tier; None when the
    duration is unknown.

    Example:
        >>> express_usd(1230, "us-east-1", load_prices())   # $1/1M requests + 1.3 s × 1/16 GB at $0.06/GB-h
        Decimal('0.000002354166666666666666666666667')
    """
    if duration_ms is None or math.isnan(duration_ms):
        return None
    table = prices.express(region)
    billed = Decimal(express_billed_duration_ms(duration_ms)) * express_billed_memory_mb(memory_mb)
    return (usd(table.per_million_requests) / 1_000_000
            + billed * usd(table.gb_hour_tiers[0].price) / _MS_MB_PER_GB_HOUR)


def priced_region(arn: str, prices: PriceTable) -> tuple[str, PriceTable, bool]:
    """The execution's region, a table that prices it, and whether that is an assumption (priced like
    us-east-1 because the table has no Standard or Express figure for the region).

    Example:
        >>> region, table, assumed = priced_region("arn:aws:states:eu-west-1:1:execution:M:r", load_prices())
        >>> region, assumed
        ('eu-west-1', True)
    """
    region = region_of(arn)
    if region in prices.standard and region in prices.express_by_region:
        return region, prices, False
    return region, prices.assume_region(region), True


def default_prices(prices: PriceTable | None) -> PriceTable:
    """The given table, else the bundled one."""
    return prices if prices is not None else load_prices()
