"""Report section about money: per tool, per state, per execution over time, and the pricing assumptions."""

from __future__ import annotations

import pandas as pd

from workbench.core.money import fmt_usd, per_executions
from workbench.history.cost.frame_costs import state_costs, tool_costs
from workbench.report.context import Context
from workbench.report.html import Column, Section, esc, table
from workbench.viz.figures.base import fmt_ms
from workbench.viz.figures.cost import cost_bars, cost_timeline


def cost(ctx: Context) -> Section:
    """Cost per execution (with per 1,000 / 1,000,000 executions), per tool and per state, and the prices used."""
    prices, assumed = ctx.prices
    region = ctx.options.region
    tools = ctx.tools
    per_tool = tool_costs(ctx.frames, tools, region=region, prices=prices)
    per_state = state_costs(ctx.frames, tools, region=region, prices=prices)
    ex = ctx.data.executions
    starts = pd.Series(ex["start"].to_numpy(), index=ex["execution"].astype(str))
    notes = [f"Prices: {prices.citation}.",
             "Marginal cost of these runs: first price tier, no free tier (the free tier is one allowance per "
             "account and month, shared by all regions). Lambda time is the duration Step Functions saw "
             "(slightly above Lambda's billed time); throttled Lambda attempts never ran and are not billed."]
    if assumed:
        notes.append(f"No prices in the table for {', '.join(assumed)}: priced like us-east-1 (an assumption).")
    if tools is None:
        notes.append("Lambda memory is unknown (no mission given): 128 MB assumed for every tool.")
    untimed = int(per_tool["untimed"].sum()) if "untimed" in per_tool.columns and len(per_tool) else 0
    if untimed:
        notes.append(f"{untimed:,} Lambda invocations have no timestamps: only their requests are priced.")
    throttled = int(per_tool["throttled"].sum()) if "throttled" in per_tool.columns and len(per_tool) else 0
    if throttled:
        notes.append(f"{throttled:,} Lambda attempts were throttled (Lambda.TooManyRequestsException): not billed.")
    body = ["".join(f'<p class="wb-note">{esc(n)}</p>' for n in notes)]
    costs = ctx.execution_costs["cost_usd"]
    if len(costs):
        scale_cols = [Column("executions", True), Column("total", True),
                      *[Column(name, True) for name, _ in per_executions(1.0, 1)]]
        total = float(costs.sum())
        body.append(table(scale_cols, [[f"{len(costs):,}", fmt_usd(total),
                                        *[usd for _, usd in per_executions(total, len(costs))]]]))
    body.append(ctx.figures.add(cost_timeline(ctx.execution_costs, starts, prices=prices)))
    if not per_tool.empty:
        body.append(ctx.figures.add(cost_bars(per_tool, "tool", prices=prices)))
        cols = [Column("tool"), Column("invocations", True), Column("throttled", True), Column("billed time", True),
                Column("GB-seconds", True), Column("memory MB", True), Column("arch"), Column("cost", True)]
        rows = [[tool, int(r.invocations), int(r.throttled), fmt_ms(r.billed_ms), f"{float(r.gb_seconds):.3f}",
                 int(r.memory_mb), r.arch, fmt_usd(r.cost_usd)]
                for tool, r in zip(per_tool.index, per_tool.itertuples(), strict=True)]
        body.append(table(cols, rows))
    body.append(ctx.figures.add(cost_bars(per_state, "state", prices=prices)))
    cols = [Column("state"), Column("type"), Column("visits", True), Column("transitions", True),
            Column("Step Functions", True), Column("Lambda", True), Column("cost", True)]
    top = per_state.head(25)
    rows = [[st, ty, int(r.visits), int(r.transitions), fmt_usd(r.standard_usd), fmt_usd(r.lambda_usd),
             fmt_usd(r.cost_usd)] for (st, ty), r in zip(top.index, top.itertuples(), strict=True)]
    body.append(table(cols, rows, empty="no states"))
    return Section("cost", "Cost", "\n".join(body))
