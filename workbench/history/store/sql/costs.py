"""Costs over a store: per execution, per state, and the month's bill, with the in-memory functions' rules.

The engine aggregates the fleet (transitions, billed Lambda milliseconds, GB-hours, the free allowance taken
in time order with a running sum); the prices are then applied in Python with the same functions and the
same :class:`~workbench.history.cost.prices.PriceTable` as :mod:`workbench.history.cost.frame_costs`, whose
docstring says what is counted and why. Results equal the in-memory ones up to float summation order; where
the in-memory functions keep "frame order" (ties in time, unknown times), a store uses execution-ARN order.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from workbench.history._types import Row
from workbench.history.cost.frame_costs import EXPRESS, STANDARD, _express_one, _types
from workbench.history.cost.lambdas import ToolConfigs, region_of
from workbench.history.cost.prices import Arch, PriceTable, PricingError, load_prices
from workbench.history.cost.pricing import (
    MB_PER_GB,
    express_billed_memory_mb,
    express_cost_from_usage,
    lambda_cost_from_usage,
    standard_cost,
)
from workbench.history.store.sql.engine import ONE, ZERO, Source, double, nn
from workbench.history.store.sql.lambda_usage import execution_dims, lambda_rows_sql, tool_join, tool_table

Types = str | Mapping[str, str] | None


def _lambda_usd(n_billed: float, billed_ms: float, memory_mb: float, arch: Arch, region: str,
                table: PriceTable) -> float:
    """Requests plus duration of a group of invocations of one tool in one region, first tier, no free tier."""
    lp = table.lambda_(region)
    gb_s = memory_mb / MB_PER_GB * billed_ms / 1000.0
    return n_billed * lp.per_million_requests / 1_000_000.0 + gb_s * lp.gb_second_tiers[arch][0].price


def execution_costs(store: object, tools: ToolConfigs | None = None, *, region: str | None = None,
                    types: Types = None, express_memory_mb: float = 64,
                    prices: PriceTable | None = None) -> pd.DataFrame:
    """:func:`~workbench.history.cost.execution_costs` over a store (see there).

    Example:
        >>> execution_costs(workbench.store.open(path))                         # doctest: +SKIP
    """
    src = Source(store)
    table = prices or load_prices()
    ex = src.frame(f"SELECT execution, status, {nn('duration_ms')} AS duration_ms, transitions "
                   f"FROM {src.table('executions')} ORDER BY execution")
    out = pd.DataFrame({"execution": ex["execution"].astype("str")})
    out["type"] = _types(out, types)
    out["status"] = ex["status"].astype("str")
    out["duration_ms"] = ex["duration_ms"].astype("float64")
    out["transitions"] = ex["transitions"].astype("int64")
    out["region"] = [region or region_of(a) for a in out["execution"]]
    out["sfn_usd"] = [
        _express_one(d, express_memory_mb, r, table) if k == EXPRESS else standard_cost(int(t), r, prices=table)
        for k, t, d, r in zip(out["type"], out["transitions"], out["duration_ms"], out["region"], strict=True)]
    usage = src.frame(f"SELECT execution, resource, param_fn, state, count(*) AS tries, "
                      f"{billed_sums('', 'billed_ms')} "
                      f"FROM ({lambda_rows_sql(src, billed_only=False)}) l "
                      f"GROUP BY execution, resource, param_fn, state")
    _, tool = tool_table(src, tools) if len(usage) else (None, {})
    regions = dict(zip(out["execution"], out["region"], strict=True))
    usd: dict[str, float] = {}
    billed: dict[str, int] = {}
    tries: dict[str, int] = {}
    for row in usage.itertuples(index=False):
        arn = str(row.execution)
        cfg = tool[(_text(row.resource), _text(row.param_fn), _text(row.state))].config
        reg = region or regions.get(arn) or region_of(arn)
        usd[arn] = usd.get(arn, 0.0) + _lambda_usd(float(row.billed), float(row.billed_ms), cfg.memory_mb, cfg.arch,
                                                   reg, table)
        billed[arn] = billed.get(arn, 0) + int(row.billed)
        tries[arn] = tries.get(arn, 0) + int(row.tries)
    out["lambda_invocations"] = out["execution"].map(billed).fillna(0).astype("int64")
    out["lambda_throttled"] = out["execution"].map(tries).fillna(0).astype("int64") - out["lambda_invocations"]
    out["lambda_usd"] = out["execution"].map(usd).fillna(0.0).astype("float64")
    out["cost_usd"] = out["sfn_usd"] + out["lambda_usd"]
    out = out.set_index("execution")
    out.attrs["prices"] = table.citation
    return out


def billed_sums(alias: str, ms_as: str) -> str:
    """The two sums every Lambda cost needs over ``lambda_rows_sql`` rows: billed invocations and billed ms.

    Example:
        >>> print(billed_sums("l.", "ms").replace(", coalesce", ",\\ncoalesce"))
        CAST(sum(CASE WHEN l.billed THEN 1 ELSE 0 END) AS BIGINT) AS billed,
        coalesce(sum(l.billed_ms), CAST(0 AS DOUBLE)) AS ms
    """
    return (f"CAST(sum(CASE WHEN {alias}billed THEN 1 ELSE 0 END) AS BIGINT) AS billed, "
            f"coalesce(sum({alias}billed_ms), {ZERO}) AS {ms_as}")


def _text(value: object) -> object:
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def state_costs(store: object, tools: ToolConfigs | None = None, *, region: str | None = None,
                types: Types = None, prices: PriceTable | None = None) -> pd.DataFrame:
    """:func:`~workbench.history.cost.state_costs` over a store (see there).

    Example:
        >>> state_costs(workbench.store.open(path))                             # doctest: +SKIP
    """
    src = Source(store)
    table = prices or load_prices()
    with src.temp_table(execution_dims(src, region, types)) as dims:
        per = src.frame(f"SELECT s.state, s.type, d.region, d.kind, count(*) AS visits, "
                        f"CAST(sum(1 + s.retries) AS BIGINT) AS transitions FROM {src.table('states')} s "
                        f"JOIN {dims} d ON s.execution = d.execution GROUP BY s.state, s.type, d.region, d.kind")
        lam = src.frame(f"SELECT l.state, l.resource, l.param_fn, d.region, "
                        f"{billed_sums('l.', 'ms')} "
                        f"FROM ({lambda_rows_sql(src, billed_only=True)}) l JOIN {dims} d "
                        f"ON l.execution = d.execution GROUP BY l.state, l.resource, l.param_fn, d.region")
        _, tool = tool_table(src, tools) if len(lam) else (None, {})
    per["standard_usd"] = [
        float(t) * table.standard_per_1000(str(r)) / 1000.0 if k == STANDARD else 0.0
        for t, r, k in zip(per["transitions"], per["region"], per["kind"], strict=True)]
    per["state"] = per["state"].astype("str")
    per["type"] = per["type"].astype("str")
    g = per.groupby(["state", "type"], sort=True)
    out = pd.DataFrame({"visits": g["visits"].sum().astype("int64"),
                        "transitions": g["transitions"].sum().astype("int64"),
                        "standard_usd": g["standard_usd"].sum().astype("float64")})
    by_state: dict[str, float] = {}
    for row in lam.itertuples(index=False):
        cfg = tool[(_text(row.resource), _text(row.param_fn), _text(row.state))].config
        by_state[str(row.state)] = by_state.get(str(row.state), 0.0) + _lambda_usd(
            float(row.billed), float(row.ms), cfg.memory_mb, cfg.arch, str(row.region), table)
    out["lambda_usd"] = [float(by_state.get(st, 0.0)) for st, _ in out.index]
    out["cost_usd"] = out["standard_usd"] + out["lambda_usd"]
    out = out.sort_values("cost_usd", ascending=False, kind="stable")
    out.attrs["prices"] = table.citation
    return out


def _free(src: Source, quantity: str, order: str, allowance: float) -> str:
    """The part of each row's ``quantity`` a monthly ``allowance`` covers, used up in ``order``."""
    if allowance <= 0:
        return ZERO
    window = f"ORDER BY {order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
    before = f"coalesce(sum({quantity}) OVER ({window}), {ZERO})"
    return f"least(greatest({src.dialect.lit(float(allowance))} - {before}, {ZERO}), {quantity})"


def cost_summary(store: object, tools: ToolConfigs | None = None, *, region: str | None = None,
                 types: Types = None, express_memory_mb: float = 64, free_tier: bool = False,
                 prices: PriceTable | None = None) -> pd.DataFrame:
    """:func:`~workbench.history.cost.cost_summary` over a store (see there).

    Example:
        >>> cost_summary(workbench.store.open(path), free_tier=True)            # doctest: +SKIP
    """
    src = Source(store)
    table = prices or load_prices()
    allowance = table.free_tier
    rows: list[Row] = []
    with src.temp_table(execution_dims(src, region, types)) as dims:
        std_free = _free(src, "q", "start_us ASC NULLS LAST, execution ASC",
                         allowance.standard_transitions if free_tier else 0)
        std = src.frame(
            f"SELECT region, count(*) AS executions, sum(q) AS quantity, sum(f) AS free_quantity FROM "
            f"(SELECT region, q, {std_free} AS f FROM (SELECT d.region, CAST(x.transitions AS DOUBLE) AS q, "
            f"x.execution, {src.dialect.us('x.start')} AS start_us FROM {src.table('executions')} x JOIN {dims} d "
            f"ON x.execution = d.execution WHERE d.kind = '{STANDARD}') s) t GROUP BY region ORDER BY region")
        for r in std.itertuples(index=False):
            n, free_n = float(r.quantity), float(r.free_quantity)
            rows.append({"region": str(r.region), "item": "standard", "executions": int(r.executions), "quantity": n,
                         "unit": "transitions", "free_quantity": free_n,
                         "usd": standard_cost(round(n - free_n), str(r.region), prices=table)})
        mem_gb = _express_memory_gb(src, dims, express_memory_mb)
        billed_ms = f"greatest({ONE}, CAST(ceil(round({nn('x.duration_ms')}, 6) / 100) AS DOUBLE)) * 100"
        exp = src.frame(
            f"SELECT d.region, count(*) AS executions, sum({billed_ms} / {double(1000)} * {src.dialect.lit(mem_gb)} "
            f"/ {double(3600)}) "
            f"AS gb_hours FROM {src.table('executions')} x JOIN {dims} d ON x.execution = d.execution "
            f"WHERE d.kind = '{EXPRESS}' AND {nn('x.duration_ms')} IS NOT NULL GROUP BY d.region ORDER BY d.region")
        for r in exp.itertuples(index=False):
            ep = table.express(str(r.region))
            cost = express_cost_from_usage(int(r.executions), float(r.gb_hours), ep.gb_hour_tiers,
                                           ep.per_million_requests)
            rows.append({"region": str(r.region), "item": "express", "executions": int(r.executions),
                         "quantity": float(r.gb_hours), "unit": "GB-hours", "free_quantity": 0.0, "usd": cost.usd})
        rows.extend(_lambda_rows(src, dims, tools, table, free_tier))
    out = pd.DataFrame(rows, columns=["region", "item", "executions", "quantity", "unit", "free_quantity", "usd"])
    out = out.sort_values(["region", "item"], kind="stable", ignore_index=True)
    out.attrs["prices"] = table.citation
    return out


def _express_memory_gb(src: Source, dims: str, memory_mb: float) -> float:
    """Billed GB of an Express execution; a bad ``memory_mb`` is an error only when there are Express runs."""
    try:
        return express_billed_memory_mb(memory_mb) / MB_PER_GB
    except PricingError:
        if len(src.frame(f"SELECT 1 AS one FROM {dims} WHERE kind = '{EXPRESS}' LIMIT 1")):
            raise
        return 1.0


def _lambda_rows(src: Source, dims: str, tools: ToolConfigs | None, table: PriceTable, free_tier: bool) -> list[Row]:
    lam_sql = lambda_rows_sql(src, billed_only=True)
    if not len(src.frame(f"SELECT 1 AS one FROM ({lam_sql}) l LIMIT 1")):
        return []
    tool_arrow, _ = tool_table(src, tools)
    allowance = table.free_tier
    order = "sched_us ASC NULLS LAST, execution ASC, visit ASC, attempt ASC"
    with src.temp_table(tool_arrow) as cfg:
        gbs = f"coalesce(c.memory_mb / {double(1024)} * l.billed_ms / {double(1000)}, {ZERO})"
        per_call = (f"SELECT l.execution, l.visit, l.attempt, {src.dialect.us('l.scheduled')} AS sched_us, d.region, "
                    f"c.arch, {gbs} AS gbs, {ONE} AS one FROM ({lam_sql}) l JOIN {dims} d ON l.execution = d.execution"
                    f"{tool_join('l', cfg)}")
        free_req = _free(src, "one", order, allowance.lambda_requests if free_tier else 0)
        free_gbs = _free(src, "gbs", order, allowance.lambda_gb_seconds if free_tier else 0.0)
        df = src.frame(f"SELECT region, arch, count(*) AS calls, count(DISTINCT execution) AS executions, "
                       f"sum(gbs) AS gbs, sum(fr) AS free_req, sum(fg) AS free_gbs FROM (SELECT region, arch, "
                       f"execution, gbs, {free_req} AS fr, {free_gbs} AS fg FROM ({per_call}) p) t "
                       f"GROUP BY region, arch ORDER BY region, arch")
    rows: list[Row] = []
    for r in df.itertuples(index=False):
        lp = table.lambda_(str(r.region))
        arch: Arch = "arm64" if str(r.arch) == "arm64" else "x86_64"
        cost = lambda_cost_from_usage(int(r.calls), float(r.gbs), lp.gb_second_tiers[arch], lp.per_million_requests,
                                      free_requests=round(float(r.free_req)), free_gb_seconds=float(r.free_gbs))
        rows.append({"region": str(r.region), "item": f"lambda {arch}", "executions": int(r.executions),
                     "quantity": float(r.gbs), "unit": "GB-seconds", "free_quantity": float(r.free_gbs),
                     "usd": cost.usd})
    return rows

