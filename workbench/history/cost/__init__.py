"""What executions cost: the pure pricing functions of :mod:`~workbench.history.cost.pricing` (Standard
transitions, Express requests and duration, Lambda requests and GB-seconds), the frame-level costs of
:mod:`~workbench.history.cost.frame_costs` (with the Lambda side in :mod:`~workbench.history.cost.lambdas`),
the dated price table ``prices.json`` read by :mod:`~workbench.history.cost.prices`, and the "as one
Lambda" what-if: the same runs priced as Standard, Express and one Lambda
(:mod:`~workbench.history.cost.one_lambda`) with their break-even model
(:mod:`~workbench.history.cost.break_even`). The public names of all of them are re-exported here.
"""

from workbench.history.cost.break_even import break_even
from workbench.history.cost.frame_costs import (
    EXPRESS,
    STANDARD,
    LambdaConfig,
    ToolConfigs,
    cost_summary,
    execution_costs,
    execution_type,
    function_name,
    lambda_attempts,
    region_of,
    state_costs,
    tool_costs,
    what_if,
)
from workbench.history.cost.one_lambda import (
    LAMBDA_MAX_DURATION_S,
    cost_ways_summary,
    one_lambda_costs,
    one_lambda_usd,
)
from workbench.history.cost.prices import ARCHES, DEFAULT_REGION, Arch, PriceTable, PricingError, Tier, load_prices
from workbench.history.cost.pricing import (
    EXPRESS_DURATION_STEP_MS,
    EXPRESS_MAX_DURATION_S,
    EXPRESS_MEMORY_STEP_MB,
    LAMBDA_DURATION_STEP_MS,
    LAMBDA_MAX_MEMORY_MB,
    LAMBDA_MIN_MEMORY_MB,
    MB_PER_GB,
    Cost,
    express_billed_duration_ms,
    express_billed_memory_mb,
    express_cost,
    express_cost_from_usage,
    express_gb_hours,
    lambda_billed_duration_ms,
    lambda_cost,
    lambda_cost_from_usage,
    lambda_gb_seconds,
    standard_cost,
    tiered_cost,
)

__all__ = [
    "ARCHES", "DEFAULT_REGION", "EXPRESS", "EXPRESS_DURATION_STEP_MS", "EXPRESS_MAX_DURATION_S",
    "EXPRESS_MEMORY_STEP_MB", "LAMBDA_DURATION_STEP_MS", "LAMBDA_MAX_DURATION_S", "LAMBDA_MAX_MEMORY_MB",
    "LAMBDA_MIN_MEMORY_MB", "MB_PER_GB", "STANDARD", "Arch", "Cost", "LambdaConfig", "PriceTable", "PricingError",
    "Tier", "ToolConfigs", "break_even", "cost_summary", "cost_ways_summary", "execution_costs", "execution_type",
    "express_billed_duration_ms", "express_billed_memory_mb", "express_cost", "express_cost_from_usage",
    "express_gb_hours", "function_name", "lambda_attempts", "lambda_billed_duration_ms", "lambda_cost",
    "lambda_cost_from_usage", "lambda_gb_seconds", "load_prices", "one_lambda_costs", "one_lambda_usd", "region_of",
    "standard_cost", "state_costs", "tiered_cost", "tool_costs", "what_if",
]
