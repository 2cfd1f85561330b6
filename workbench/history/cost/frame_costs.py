"""Cost columns on history frames: per execution, per state, per tool, and the Standard ↔ Express what-if.

Built on the pure functions of :mod:`workbench.history.cost`. What we count, and why:

* **Standard transitions** = ``executions.transitions`` = every ``*StateEntered`` event (states inside
  Parallel branches and Map iterations included: each is a step that ran) + every retry (a Task
  re-attempt or a Map/Parallel re-start; AWS: "each retry will be charged as an additional state
  transition"). A redriven execution's history holds the states re-run after ``ExecutionRedriven``,
  so redrives are counted as the extra transitions AWS bills for them.
* **Distributed Map** children are separate executions: the parent's history holds only
  ``MapRun*`` events, and each child is priced as its own row, by its own type (the Map's
  ``ExecutionType``) — pass their frames in too to see the whole bill.
* **Workflow type** comes from an ``execution_type``/``type`` column if the frames have one, else
  from the ARN (AWS names Express executions ``arn:...:express:...``), else STANDARD; override with
  ``types=``.
* **Region** comes from the execution ARN (``arn:aws:states:<region>:...``), else ``region=``.
* **Per-row figures use the first price tier and no free tier** (the marginal cost of one more run
  for an account below the tiers); :func:`cost_summary` applies the tiers to the total, and the free
  tier only when asked (``free_tier=True``): once per account and month across all regions, as AWS
  does, taken by the usage in the order it happened (execution start / attempt scheduled time).
* **Lambda duration** is the attempt's started → ended time seen by Step Functions, which includes
  invoke overhead, so it slightly over-estimates Lambda's billed duration (the REPORT log line is the
  exact figure). Attempts that never started (schedule/start failures) are not billed, and neither
  are attempts Lambda throttled (``Lambda.TooManyRequestsException``: no request, no duration; see
  :mod:`workbench.history.cost.lambdas`). Their Step Functions retries are still billed transitions.
* Every table carries the price table's date and source in ``.attrs["prices"]`` (a
  :attr:`~workbench.history.cost.prices.PriceTable.citation`), for the outputs that show it.
* **Express per-state cost** is not defined (Express bills the whole execution), so ``state_costs``
  gives states of Express executions ``standard_usd`` 0; their Lambda cost is still attributed.
* **Stores**: ``execution_costs``, ``state_costs`` and ``cost_summary`` also take a store (a DuckDB connection
  or Spark session on one) and aggregate in SQL (:mod:`workbench.history.store.sql.costs`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.core.arn import Arn, ArnKind
from workbench.history._frame_access import AnalysisError, frame, require
from workbench.history._types import Row
from workbench.history.cost.lambdas import (
    LambdaConfig,
    ToolConfigs,
    function_name,
    lambda_attempts,
    region_of,
    tool_costs,
)
from workbench.history.cost.prices import PriceTable, load_prices
from workbench.history.cost.pricing import (
    EXPRESS_MAX_DURATION_S,
    express_cost,
    express_cost_from_usage,
    express_gb_hours,
    lambda_cost_from_usage,
    standard_cost,
)
from workbench.history.store.sql.engine import is_store

__all__ = ["EXPRESS", "STANDARD", "LambdaConfig", "ToolConfigs", "cost_summary", "execution_costs", "execution_type",
           "function_name", "lambda_attempts", "region_of", "state_costs", "tool_costs", "what_if"]

STANDARD, EXPRESS = "STANDARD", "EXPRESS"


def execution_type(arn: str) -> str:
    """``EXPRESS`` for ``arn:...:express:...`` execution ARNs, else ``STANDARD``.

    Example:
        >>> execution_type("arn:aws:states:us-east-1:1:express:M:run:5f0e")
        'EXPRESS'
    """
    return EXPRESS if Arn.try_parse(arn, ArnKind.EXPRESS_EXECUTION) else STANDARD


def _types(executions: pd.DataFrame, types: str | Mapping[str, str] | None) -> pd.Series:
    arns = executions["execution"].astype(str)
    if isinstance(types, str):
        out = pd.Series(types.upper(), index=executions.index)
    else:
        col = next((c for c in ("execution_type", "type") if c in executions.columns), None)
        out = executions[col].astype(str).str.upper() if col else arns.map(execution_type)
        if types:
            out = pd.Series([str(types.get(a, t)).upper() for a, t in zip(arns, out, strict=True)],
                            index=executions.index)
    bad = sorted(set(out) - {STANDARD, EXPRESS})
    if bad:
        raise AnalysisError(f"unknown workflow type(s) {', '.join(bad)}. Fix: use 'STANDARD' or 'EXPRESS'.")
    return out



def execution_costs(frames: object, tools: ToolConfigs | None = None, *, region: str | None = None,
                    types: str | Mapping[str, str] | None = None, express_memory_mb: float = 64,
                    prices: PriceTable | None = None) -> pd.DataFrame:
    """Cost of each execution: Step Functions (by its type) + its Lambda tools, in ``*_usd`` columns.

    ``express_memory_mb`` is the billed memory assumed for Express executions (not in histories).

    Example:
        >>> execution_costs(frames)[["type", "transitions", "sfn_usd", "lambda_usd", "cost_usd"]]  # doctest: +SKIP
    """
    if is_store(frames):  # the SQL twin (imported here: it builds on this module)
        from workbench.history.store.sql import costs
        return costs.execution_costs(frames, tools, region=region, types=types, express_memory_mb=express_memory_mb,
                                     prices=prices)
    executions = frame(frames, "executions")
    require(executions, ("execution", "status", "duration_ms", "transitions"), "executions")
    table = prices or load_prices()
    out = pd.DataFrame({"execution": executions["execution"].astype(str), "type": _types(executions, types),
                        "status": executions["status"].astype(str),
                        "duration_ms": executions["duration_ms"].astype("float64"),
                        "transitions": executions["transitions"].astype("int64")})
    out["region"] = [region or region_of(a) for a in out["execution"]]
    out["sfn_usd"] = [  # priced only by the execution's own type: a Standard-only region needs no Express price
        _express_one(d, express_memory_mb, r, table) if k == EXPRESS else standard_cost(int(t), r, prices=table)
        for k, t, d, r in zip(out["type"], out["transitions"], out["duration_ms"], out["region"], strict=True)]
    lam = lambda_attempts(frames, tools, region=region, prices=table, include_unbilled=True)
    lam["known_usd"] = lam["requests_usd"] + lam["duration_usd"].fillna(0.0)  # untimed: requests only
    per_exec = lam.groupby("execution").agg(usd=("known_usd", "sum"), billed=("billed", "sum"),
                                            tries=("billed", "size"))
    out["lambda_invocations"] = out["execution"].map(per_exec["billed"]).fillna(0).astype("int64")
    out["lambda_throttled"] = (out["execution"].map(per_exec["tries"]).fillna(0).astype("int64")
                               - out["lambda_invocations"])
    out["lambda_usd"] = out["execution"].map(per_exec["usd"]).fillna(0.0)
    out["cost_usd"] = out["sfn_usd"] + out["lambda_usd"]
    out = out.set_index("execution")
    out.attrs["prices"] = table.citation
    return out


def _express_one(duration_ms: float, memory_mb: float, region: str, table: PriceTable) -> float:
    if pd.isna(duration_ms):
        return float("nan")
    return express_cost(float(duration_ms), memory_mb, region, prices=table).usd


def state_costs(frames: object, tools: ToolConfigs | None = None, *, region: str | None = None,
                types: str | Mapping[str, str] | None = None, prices: PriceTable | None = None) -> pd.DataFrame:
    """Cost per state: its billed transitions (visits + retries, Standard executions) and its Lambda calls.

    Example:
        >>> state_costs(frames)[["visits", "transitions", "standard_usd", "lambda_usd", "cost_usd"]]  # doctest: +SKIP
    """
    if is_store(frames):
        from workbench.history.store.sql import costs
        return costs.state_costs(frames, tools, region=region, types=types, prices=prices)
    states = frame(frames, "states")
    executions = frame(frames, "executions")
    require(states, ("execution", "state", "type", "retries"), "states")
    require(executions, ("execution",), "executions")
    table = prices or load_prices()
    kind = dict(zip(executions["execution"].astype(str), _types(executions, types), strict=True))
    s = pd.DataFrame({"execution": states["execution"].astype(str), "state": states["state"].astype(str),
                      "type": states["type"].astype(str), "transitions": 1 + states["retries"].astype("int64")})
    s["standard"] = s["execution"].map(kind).fillna(STANDARD) == STANDARD
    per_transition = {a: table.standard_per_1000(region or region_of(a)) / 1000.0 for a in s["execution"].unique()}
    s["per_transition"] = s["execution"].map(per_transition)
    s["standard_usd"] = np.where(s["standard"], s["transitions"] * s["per_transition"], 0.0)
    g = s.groupby(["state", "type"], sort=True)
    out = pd.DataFrame({"visits": g.size(), "transitions": g["transitions"].sum(),
                        "standard_usd": g["standard_usd"].sum()})
    lam = lambda_attempts(frames, tools, region=region, prices=table)
    by_state = (lam["requests_usd"] + lam["duration_usd"].fillna(0.0)).groupby(lam["state"]).sum()
    out["lambda_usd"] = [float(by_state.get(st, 0.0)) for st, _ in out.index]
    out["cost_usd"] = out["standard_usd"] + out["lambda_usd"]
    out = out.sort_values("cost_usd", ascending=False, kind="stable")
    out.attrs["prices"] = table.citation
    return out


def what_if(frames: object, as_type: str = EXPRESS, memory_mb: float = 64, *, region: str | None = None,
            types: str | Mapping[str, str] | None = None, prices: PriceTable | None = None) -> pd.DataFrame:
    """The same executions priced as Express instead of Standard (or the reverse), side by side.

    Per execution: ``standard_usd`` (its transitions at the Standard price), ``express_usd`` (its
    duration and ``memory_mb`` at the Express price), ``actual_usd`` (by its real type),
    ``what_if_usd`` (as ``as_type``), ``saving_usd`` = actual − what-if, and ``fits_express`` (ran
    within Express's 5-minute limit; .sync/callback integrations are not available on Express either).
    Lambda costs are the same either way and are left out.

    Example:
        >>> w = what_if(frames, as_type="EXPRESS", memory_mb=64)                  # doctest: +SKIP
        >>> w[["actual_usd", "what_if_usd"]].sum()                                # doctest: +SKIP
    """
    target = as_type.upper()
    if target not in (STANDARD, EXPRESS):
        raise AnalysisError(f"as_type must be 'STANDARD' or 'EXPRESS', got {as_type!r}")
    executions = frame(frames, "executions")
    require(executions, ("execution", "duration_ms", "transitions"), "executions")
    table = prices or load_prices()
    out = pd.DataFrame({"execution": executions["execution"].astype(str),
                        "actual_type": _types(executions, types),
                        "duration_ms": executions["duration_ms"].astype("float64"),
                        "transitions": executions["transitions"].astype("int64")})
    regions = [region or region_of(a) for a in out["execution"]]
    out["standard_usd"] = [standard_cost(int(t), r, prices=table) for t, r in zip(out["transitions"], regions,
                                                                                   strict=True)]
    out["express_usd"] = [_express_one(d, memory_mb, r, table) for d, r in zip(out["duration_ms"], regions,
                                                                                strict=True)]
    out["actual_usd"] = np.where(out["actual_type"] == EXPRESS, out["express_usd"], out["standard_usd"])
    out["what_if_type"] = target
    out["what_if_usd"] = out["express_usd"] if target == EXPRESS else out["standard_usd"]
    out["saving_usd"] = out["actual_usd"] - out["what_if_usd"]
    out["fits_express"] = (out["duration_ms"] <= EXPRESS_MAX_DURATION_S * 1000).where(out["duration_ms"].notna())
    out = out.set_index("execution")
    out.attrs["prices"] = table.citation
    return out


def cost_summary(frames: object, tools: ToolConfigs | None = None, *, region: str | None = None,
                 types: str | Mapping[str, str] | None = None, express_memory_mb: float = 64,
                 free_tier: bool = False, prices: PriceTable | None = None) -> pd.DataFrame:
    """The bill for all these executions as if they were one account's month: price tiers applied.

    Rows per (region, item): ``standard`` (transitions), ``express`` (GB-hours), ``lambda x86_64`` /
    ``lambda arm64`` (GB-seconds). The free tier is off by default. ``free_tier=True`` takes the
    account's monthly allowance (4,000 transitions; 1M Lambda requests and 400,000 GB-s, shared by
    both architectures) **once for all regions together**, in the order the usage happened
    (executions by start, Lambda calls by scheduled time; frame order when there are no
    timestamps); ``free_quantity`` says how much of each row it covered. Express has no free tier.

    Example:
        >>> cost_summary(frames, free_tier=True)                                  # doctest: +SKIP
    """
    if is_store(frames):
        from workbench.history.store.sql import costs
        return costs.cost_summary(frames, tools, region=region, types=types, express_memory_mb=express_memory_mb,
                                  free_tier=free_tier, prices=prices)
    table = prices or load_prices()
    ex = execution_costs(frames, tools, region=region, types=types, express_memory_mb=express_memory_mb,
                         prices=table)
    allowance = table.free_tier
    rows: list[Row] = []
    std = ex[ex["type"] == STANDARD]
    std_free = _take_free(std["transitions"].to_numpy(dtype=np.float64), _start_times(frames, std.index),
                          allowance.standard_transitions if free_tier else 0)
    for reg, idx in std.groupby("region", sort=True).indices.items():
        n, free_n = float(std["transitions"].iloc[idx].sum()), float(std_free[idx].sum())
        rows.append({"region": reg, "item": "standard", "executions": len(idx), "quantity": n,
                     "unit": "transitions", "free_quantity": free_n,
                     "usd": standard_cost(round(n - free_n), str(reg), prices=table)})
    exp = ex[(ex["type"] == EXPRESS) & ex["duration_ms"].notna()]
    for reg, part in exp.groupby("region", sort=True):
        gb_h = float(sum(express_gb_hours(float(d), express_memory_mb) for d in part["duration_ms"]))
        ep = table.express(str(reg))
        cost = express_cost_from_usage(len(part), gb_h, ep.gb_hour_tiers, ep.per_million_requests)
        rows.append({"region": reg, "item": "express", "executions": len(part), "quantity": gb_h,
                     "unit": "GB-hours", "free_quantity": 0.0, "usd": cost.usd})
    lam = lambda_attempts(frames, tools, region=region, prices=table)
    when = pd.to_datetime(lam["scheduled"], utc=True)
    gbs_all = lam["gb_seconds"].fillna(0.0).to_numpy(dtype=np.float64)
    free_req = _take_free(np.ones(len(lam)), when, allowance.lambda_requests if free_tier else 0)
    free_gbs = _take_free(gbs_all, when, allowance.lambda_gb_seconds if free_tier else 0.0)
    for (reg, arch), idx in lam.groupby(["region", "arch"], sort=True).indices.items():
        lp = table.lambda_(str(reg))
        gbs = float(gbs_all[idx].sum())
        cost = lambda_cost_from_usage(len(idx), gbs, lp.gb_second_tiers[arch], lp.per_million_requests,
                                      free_requests=round(float(free_req[idx].sum())),
                                      free_gb_seconds=float(free_gbs[idx].sum()))
        rows.append({"region": reg, "item": f"lambda {arch}", "executions": int(lam["execution"].iloc[idx].nunique()),
                     "quantity": gbs, "unit": "GB-seconds", "free_quantity": float(free_gbs[idx].sum()),
                     "usd": cost.usd})
    out = pd.DataFrame(rows, columns=["region", "item", "executions", "quantity", "unit", "free_quantity", "usd"])
    out = out.sort_values(["region", "item"], kind="stable", ignore_index=True)
    out.attrs["prices"] = table.citation
    return out


def _start_times(frames: object, executions: pd.Index) -> pd.Series:
    """Start time of each of ``executions`` (NaT when unknown), in that order."""
    ex = frame(frames, "executions")
    if "start" not in ex.columns:
        return pd.Series([pd.NaT] * len(executions), dtype="datetime64[ns, UTC]")
    start = pd.Series(pd.to_datetime(ex["start"], utc=True).array, index=ex["execution"].astype(str))
    return pd.Series(start.reindex(executions.astype(str)).array)


def _take_free(quantities: np.ndarray, when: pd.Series, allowance: float) -> np.ndarray:
    """How much of each quantity one monthly ``allowance`` covers, used up in time order.

    Unknown times come last; ties and unknown times keep the given order (so untimed histories take
    the allowance in frame order).
    """
    n = len(quantities)
    if n == 0 or allowance <= 0:
        return np.zeros(n)
    t = pd.to_datetime(pd.Series(when.array), utc=True)
    missing = t.isna().to_numpy()
    ticks = t.fillna(pd.Timestamp(0, tz="UTC")).astype("int64").to_numpy()
    order = np.lexsort((np.arange(n), ticks, missing))
    ordered = quantities[order]
    before = np.cumsum(ordered) - ordered
    free = np.zeros(n)
    free[order] = np.clip(allowance - before, 0.0, ordered)
    return free
