"""Report section about money: per tool, per state, per execution over time, the same runs priced three ways
(Standard, Express, one Lambda) with their break-even chart, and the pricing assumptions."""

from __future__ import annotations

import pandas as pd

from workbench.core.money import fmt_usd, per_executions
from workbench.history.cost.frame_costs import state_costs, tool_costs
from workbench.history.cost.one_lambda import (
    LAMBDA_MAX_DURATION_S,
    cost_ways_summary,
    one_function_config,
    one_lambda_costs,
)
from workbench.report.page.html import Column, Section, esc, table
from workbench.report.run.context import Context
from workbench.viz.figures.base import fmt_ms
from workbench.viz.figures.cost import break_even_figure, cost_bars, cost_timeline


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
    body.extend(three_ways(ctx))
    return Section("cost", "Cost", "\n".join(body))


def three_ways(ctx: Context) -> list[str]:
    """The same runs as Standard, Express and ONE Lambda: what each counts, a table, and the break-even chart."""
    prices, _ = ctx.prices
    cfg = one_function_config(ctx.tools)
    costs = one_lambda_costs(ctx.frames, memory_mb=cfg.memory_mb, arch=cfg.arch, region=ctx.options.region,
                             prices=prices)
    ways = cost_ways_summary(costs)
    memory = (f"{cfg.memory_mb} MB {cfg.arch}, the largest memory of the tools" if ctx.tools else
              f"{cfg.memory_mb} MB {cfg.arch}; assumed, as no Mission gives the tools' memory")
    notes = ["What each way counts. Standard: every state transition (each step entered, and each retry). "
             "Express: one request plus the execution's wall-clock (rounded up to 100 ms) at 64 MB. "
             f"One Lambda ({memory}): one request plus the time one function would run doing the same work back "
             "to back: every tool call as long as it took (failed tries too; Parallel branches and Map iterations "
             "one after the other), plus every Wait state and retry back-off, which a running function is billed "
             "for too. Step Functions' own time between states is not counted."]
    impossible = int(ways.attrs.get("impossible", 0))
    if impossible:
        notes.append(f"{impossible:,} execution{'s' if impossible != 1 else ''} would run over "
                     f"{LAMBDA_MAX_DURATION_S // 60} minutes as one Lambda: impossible (Lambda stops a function "
                     "after 900 s), so they have no one-Lambda price and are left out of its total.")
    unknown = int(ways.loc["one_lambda", "unknown"])
    if unknown:
        notes.append(f"{unknown:,} execution{'s' if unknown != 1 else ''} have no timestamps: their Express and "
                     "one-Lambda costs are unknown.")
    over_express = int(ways.loc["express", "over_limit"])
    if over_express:
        notes.append(f"{over_express:,} ran over Express's 5 minutes: priced as Express anyway, but Express would "
                     "have stopped them.")
    cols = [Column("way"), Column("bills"), Column("priced", True), Column("over its time limit", True),
            Column("total", True), Column("per 1,000 executions", True),
            Column("per 1,000, runs all three price", True)]
    rows = [[r.name, r.bills, f"{int(r.priced):,} of {int(r.executions):,}", f"{int(r.over_limit):,}",
             fmt_usd(r.total_usd), fmt_usd(r.per_1000_usd), fmt_usd(r.same_runs_per_1000_usd)]
            for r in ways.itertuples()]
    return ["<h3>Standard, Express or one Lambda</h3>",
            "".join(f'<p class="wb-note">{esc(n)}</p>' for n in notes),
            table(cols, rows, empty="no executions"),
            ctx.figures.add(break_even_figure(costs, prices=prices))]
