"""The one money formatter: every cost the workbench shows (report, figures, explorer) goes through here.

Costs of single runs are fractions of a cent, so fixed two-decimal formatting would print ``$0.00``
for a real cost. :func:`fmt_usd` keeps three significant digits below a dollar and cents above it,
and never writes a positive amount as zero.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

#: Below this a positive amount is shown as ``<$0.000000000001``; the smallest real AWS charge
#: (1 ms of a 128 MB Lambda) is about $1.3e-9, so only float noise is ever this small.
SMALLEST_SHOWN = Decimal("0.000000000001")
SIGNIFICANT = 3
#: The scales cost summaries are shown at (per execution, per 1,000 and per 1,000,000 executions).
SCALES: tuple[tuple[int, str], ...] = ((1, "per execution"), (1_000, "per 1,000 executions"),
                                       (1_000_000, "per 1,000,000 executions"))


def fmt_usd(usd: float | None) -> str:
    """Dollars: cents from $1 up, else 3 significant digits (at least 2 decimals); ``$0`` only for zero.

    Never scientific notation and never ``$0.00`` for an amount above zero; NaN/None is ``–``.

    Example:
        >>> [fmt_usd(v) for v in (0.000125, 0.0003, 0.5, 1.234, 1234.561, 0.0)]
        ['$0.000125', '$0.0003', '$0.50', '$1.23', '$1,234.56', '$0']
        >>> fmt_usd(8.1e-07), fmt_usd(-0.000375), fmt_usd(0.9996)
        ('$0.00000081', '-$0.000375', '$1.00')
    """
    if usd is None:
        return "–"
    v = float(usd)
    if math.isnan(v):
        return "–"
    if math.isinf(v):
        return "-$∞" if v < 0 else "$∞"
    if v == 0:
        return "$0"
    sign = "-" if v < 0 else ""
    amount = Decimal(repr(abs(v)))
    if amount < SMALLEST_SHOWN:
        return f"{sign}<${SMALLEST_SHOWN:f}"
    rounded = _significant(amount)
    if rounded >= 1:
        return f"{sign}${amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    text = f"{rounded:f}"
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0").ljust(2, "0")
    return f"{sign}${whole}.{decimals}"


def _significant(amount: Decimal) -> Decimal:
    """``amount`` (positive) rounded to :data:`SIGNIFICANT` significant digits."""
    exponent = amount.adjusted() - SIGNIFICANT + 1
    return amount.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def per_executions(total_usd: float, executions: int) -> list[tuple[str, str]]:
    """Average cost per execution and per 1,000 and 1,000,000 executions, formatted, with their labels.

    The larger scales are the average multiplied out (no free tier, no volume tiers), so they read as
    "what this many more runs like these would add to the bill".

    Example:
        >>> per_executions(0.0375, 100)
        [('per execution', '$0.000375'), ('per 1,000 executions', '$0.375'), ('per 1,000,000 executions', '$375.00')]
    """
    if executions <= 0:
        return []
    mean = total_usd / executions
    return [(name, fmt_usd(mean * scale)) for scale, name in SCALES]


def fmt_per_executions(total_usd: float, executions: int) -> str:
    """:func:`per_executions` as one line: ``$0.00123 per execution · $1.23 per 1,000 executions · ...``.

    Example:
        >>> fmt_per_executions(0.00246, 2)
        '$0.00123 per execution · $1.23 per 1,000 executions · $1,230.00 per 1,000,000 executions'
    """
    return " · ".join(f"{usd} {name}" for name, usd in per_executions(total_usd, executions))
