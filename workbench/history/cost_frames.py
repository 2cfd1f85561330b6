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
  for an account below the tiers); :func:`cost_summary` applies free tiers and tiers to the total.
* **Lambda duration** is the attempt's started → ended time seen by Step Functions, which includes
  invoke overhead, so it slightly over-estimates Lambda's billed duration (the REPORT log line is the
  exact figure). Attempts that never started (schedule/start failures) are not billed.
* **Express per-state cost** is not defined (Express bills the whole execution), so ``state_costs``
  gives states of Express executions ``standard_usd`` 0; their Lambda cost is still attributed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.history._frame_access import AnalysisError, frame, require, text
from workbench.history.cost import (
    EXPRESS_MAX_DURATION_S,
    LAMBDA_MAX_MEMORY_MB,
    LAMBDA_MIN_MEMORY_MB,
    MB_PER_GB,
    express_cost,
    express_cost_from_usage,
    express_gb_hours,
    lambda_cost_from_usage,
    standard_cost,
)
from workbench.history.prices import ARCHES, DEFAULT_REGION, Arch, PriceTable, load_prices

STANDARD, EXPRESS = "STANDARD", "EXPRESS"
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$")
_BILLED_OUTCOMES = ("succeeded", "failed", "timed_out", "aborted", "running")


@dataclass(frozen=True)
class LambdaConfig:
    """A tool's configured Lambda memory and architecture (what its GB-seconds are billed at).

    Example:
        >>> LambdaConfig(512, "arm64")
        LambdaConfig(memory_mb=512, arch='arm64')
    """

    memory_mb: int = 128
    arch: Arch = "x86_64"

    def __post_init__(self) -> None:
        if not LAMBDA_MIN_MEMORY_MB <= self.memory_mb <= LAMBDA_MAX_MEMORY_MB:
            raise AnalysisError(f"Lambda memory must be {LAMBDA_MIN_MEMORY_MB}..{LAMBDA_MAX_MEMORY_MB} MB, got "
                                f"{self.memory_mb}. Fix: use the function's configured MemorySize.")
        if self.arch not in ARCHES:
            raise AnalysisError(f"unknown Lambda architecture {self.arch!r}. Fix: use 'x86_64' or 'arm64'.")


#: ``tools=`` accepts, per tool/function/state name: a LambdaConfig, a memory size in MB, or any
#: object with ``memory_mb``/``arch`` attributes (so a Mission's ``tools`` mapping works as is).
ToolConfigs = Mapping[str, Any]


def region_of(arn: str, default: str = DEFAULT_REGION) -> str:
    """Region field of an ARN, or ``default`` when the ARN has none (names, redacted placeholders).

    Example:
        >>> region_of("arn:aws:states:eu-west-3:123456789012:execution:M:run-1")
        'eu-west-3'
    """
    parts = arn.split(":")
    if len(parts) > 3 and _REGION.match(parts[3]):
        return parts[3]
    return default


def execution_type(arn: str) -> str:
    """``EXPRESS`` for ``arn:...:express:...`` execution ARNs, else ``STANDARD``.

    Example:
        >>> execution_type("arn:aws:states:us-east-1:1:express:M:run:5f0e")
        'EXPRESS'
    """
    parts = arn.split(":")
    return EXPRESS if len(parts) > 5 and parts[5] == "express" else STANDARD


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


def _lambda_config(tools: ToolConfigs | None, *names: str | None) -> LambdaConfig:
    if not tools:
        return LambdaConfig()
    for name in names:
        if name is None:
            continue
        value = tools.get(name)
        if value is None:
            value = next((v for v in tools.values() if getattr(v, "function_name", None) == name), None)
        if value is None:
            continue
        if isinstance(value, LambdaConfig):
            return value
        if isinstance(value, int | float):
            return LambdaConfig(int(value))
        memory = getattr(value, "memory_mb", None)
        arch = str(getattr(value, "arch", "x86_64"))
        if memory is None or arch not in ARCHES:
            raise AnalysisError(f"tools[{name!r}] must be a LambdaConfig, a memory size in MB, or have "
                                f"memory_mb/arch attributes (arch x86_64 or arm64); got {value!r}")
        return LambdaConfig(int(memory), "arm64" if arch == "arm64" else "x86_64")
    return LambdaConfig()


def function_name(resource: str | None) -> str | None:
    """Lambda function name from a function ARN (qualifier dropped), or None for other resources.

    Example:
        >>> function_name("arn:aws:lambda:eu-west-1:123456789012:function:probe:live")
        'probe'
    """
    if not resource:
        return None
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return parts[6]
    return None


def _function_from_parameters(events: pd.DataFrame) -> dict[tuple[str, int, int], str]:
    """(execution, visit, attempt) → FunctionName from ``lambda:invoke`` TaskScheduled parameters.

    Only possible when the frames were built with payloads (``events.input``); otherwise {}.
    """
    if "input" not in events.columns:
        return {}
    sched = events[events["type"].astype(str) == "TaskScheduled"]
    out: dict[tuple[str, int, int], str] = {}
    counters: dict[tuple[str, int], int] = {}
    for arn, visit, payload in zip(sched["execution"].astype(str), sched["visit"], sched["input"], strict=True):
        key = (arn, int(visit))
        counters[key] = counters.get(key, 0) + 1
        try:
            params = json.loads(text(payload) or "null")
        except json.JSONDecodeError:
            continue
        name = params.get("FunctionName") if isinstance(params, dict) else None
        if isinstance(name, str):
            out[(arn, int(visit), counters[key])] = function_name(name) or name.split(":")[0]
    return out


def lambda_attempts(frames: Any, tools: ToolConfigs | None = None, *, region: str | None = None,
                    prices: PriceTable | None = None) -> pd.DataFrame:
    """One row per billed Lambda invocation with its configured memory, GB-seconds and cost.

    The tool is named by the function (from the function ARN, or from ``FunctionName`` when frames
    carry payloads), else by the state; ``tools`` is looked up by function name, then state name.
    Without timestamps (recorded corpus) the request is priced and the duration columns are NaN.

    Example:
        >>> per_call = lambda_attempts(frames, {"probe": LambdaConfig(512, "arm64")})  # doctest: +SKIP
        >>> per_call[["tool", "billed_ms", "cost_usd"]]                              # doctest: +SKIP
    """
    attempts = frame(frames, "attempts")
    require(attempts, ("execution", "visit", "state", "attempt", "resource", "resource_type", "run_ms", "outcome"),
            "attempts")
    table = prices or load_prices()
    is_lambda = attempts["resource_type"].astype(str) == "lambda"
    b = attempts[is_lambda & attempts["outcome"].astype(str).isin(_BILLED_OUTCOMES)]
    from_params = _function_from_parameters(frame(frames, "events")) if not b.empty else {}
    arns = b["execution"].astype(str).tolist()
    visits = b["visit"].astype("int64").tolist()
    states = b["state"].astype(str).tolist()
    tries = b["attempt"].astype("int64").tolist()
    by_resource = {r: function_name(text(r)) for r in b["resource"].unique()}
    fns = [by_resource[r] or from_params.get((a, v, k))
           for r, a, v, k in zip(b["resource"], arns, visits, tries, strict=True)]
    configs: dict[tuple[str | None, str], LambdaConfig] = {}
    cfg: list[LambdaConfig] = []
    for key in zip(fns, states, strict=True):
        if key not in configs:
            configs[key] = _lambda_config(tools, *key)
        cfg.append(configs[key])
    regions: dict[str, str] = {a: region or region_of(a) for a in set(arns)}
    reg = [regions[a] for a in arns]
    memory = np.array([c.memory_mb for c in cfg], dtype=np.float64)
    run = b["run_ms"].to_numpy(dtype=np.float64)
    # Lambda bills whole milliseconds (at least 1); NaN (no timestamps) stays NaN: request only.
    billed_ms = np.maximum(1.0, np.ceil(np.round(run, 6)))
    gb_s = memory / MB_PER_GB * billed_ms / 1000.0
    # One invocation never crosses a monthly tier, so each row is priced at the first tier.
    gb_price = np.array([table.lambda_(r).gb_second_tiers[c.arch][0].price for r, c in zip(reg, cfg, strict=True)])
    req = np.array([table.lambda_(r).per_million_requests for r in reg], dtype=np.float64) / 1_000_000.0
    out = pd.DataFrame({"execution": arns, "visit": visits, "state": states, "attempt": tries,
                        "tool": [fn or st for fn, st in zip(fns, states, strict=True)],
                        "memory_mb": [c.memory_mb for c in cfg], "arch": [c.arch for c in cfg], "region": reg,
                        "run_ms": run, "billed_ms": billed_ms, "gb_seconds": gb_s, "requests_usd": req,
                        "duration_usd": gb_s * gb_price})
    out["cost_usd"] = out["requests_usd"] + out["duration_usd"]
    return out


def tool_costs(frames: Any, tools: ToolConfigs | None = None, *, region: str | None = None,
               prices: PriceTable | None = None) -> pd.DataFrame:
    """Lambda cost per tool: invocations, billed time, GB-seconds and dollars (first tier, no free tier).

    ``untimed`` counts invocations whose duration the history does not give (placeholder
    timestamps): their requests are in ``cost_usd``, their duration is not.

    Example:
        >>> tool_costs(frames, {"probe": 512})                                   # doctest: +SKIP
               invocations  untimed  billed_ms  gb_seconds  memory_mb    arch  ...  cost_usd
        tool
        probe           40        0    31200.0        15.6        512  x86_64  ...  0.000268
    """
    per = lambda_attempts(frames, tools, region=region, prices=prices)
    cols = ["invocations", "untimed", "billed_ms", "gb_seconds", "memory_mb", "arch", "requests_usd",
            "duration_usd", "cost_usd"]
    if per.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="tool"))
    g = per.groupby("tool", sort=True)
    out = pd.DataFrame({"invocations": g.size(), "untimed": g["run_ms"].agg(lambda r: int(r.isna().sum())),
                        "billed_ms": g["billed_ms"].sum(),
                        "gb_seconds": g["gb_seconds"].sum(), "memory_mb": g["memory_mb"].first(),
                        "arch": g["arch"].first(), "requests_usd": g["requests_usd"].sum(),
                        "duration_usd": g["duration_usd"].sum(), "cost_usd": g["cost_usd"].sum()})
    out["cost_usd"] = out["requests_usd"] + out["duration_usd"]
    return out[cols].sort_values("cost_usd", ascending=False, kind="stable")


def execution_costs(frames: Any, tools: ToolConfigs | None = None, *, region: str | None = None,
                    types: str | Mapping[str, str] | None = None, express_memory_mb: float = 64,
                    prices: PriceTable | None = None) -> pd.DataFrame:
    """Cost of each execution: Step Functions (by its type) + its Lambda tools, in ``*_usd`` columns.

    ``express_memory_mb`` is the billed memory assumed for Express executions (not in histories).

    Example:
        >>> execution_costs(frames)[["type", "transitions", "sfn_usd", "lambda_usd", "cost_usd"]]  # doctest: +SKIP
    """
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
    lam = lambda_attempts(frames, tools, region=region, prices=table)
    lam["known_usd"] = lam["requests_usd"] + lam["duration_usd"].fillna(0.0)  # untimed: requests only
    per_exec = lam.groupby("execution")["known_usd"].agg(["sum", "size"])
    out["lambda_invocations"] = out["execution"].map(per_exec["size"]).fillna(0).astype("int64")
    out["lambda_usd"] = out["execution"].map(per_exec["sum"]).fillna(0.0)
    out["cost_usd"] = out["sfn_usd"] + out["lambda_usd"]
    return out.set_index("execution")


def _express_one(duration_ms: float, memory_mb: float, region: str, table: PriceTable) -> float:
    if pd.isna(duration_ms):
        return float("nan")
    return express_cost(float(duration_ms), memory_mb, region, prices=table).usd


def state_costs(frames: Any, tools: ToolConfigs | None = None, *, region: str | None = None,
                types: str | Mapping[str, str] | None = None, prices: PriceTable | None = None) -> pd.DataFrame:
    """Cost per state: its billed transitions (visits + retries, Standard executions) and its Lambda calls.

    Example:
        >>> state_costs(frames)[["visits", "transitions", "standard_usd", "lambda_usd", "cost_usd"]]  # doctest: +SKIP
    """
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
    return out.sort_values("cost_usd", ascending=False, kind="stable")


def what_if(frames: Any, as_type: str = EXPRESS, memory_mb: float = 64, *, region: str | None = None,
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
    return out.set_index("execution")


def cost_summary(frames: Any, tools: ToolConfigs | None = None, *, region: str | None = None,
                 types: str | Mapping[str, str] | None = None, express_memory_mb: float = 64,
                 free_tier: bool = True, prices: PriceTable | None = None) -> pd.DataFrame:
    """The bill for all these executions as if they were one month: free tiers and price tiers applied.

    Rows per (region, item): ``standard`` (transitions), ``express`` (GB-hours), ``lambda x86_64`` /
    ``lambda arm64`` (GB-seconds). The Lambda free tier is shared by both architectures, so it is
    taken off x86_64 first. ``free_tier=False`` prices everything.

    Example:
        >>> cost_summary(frames)                                                  # doctest: +SKIP
    """
    table = prices or load_prices()
    ex = execution_costs(frames, tools, region=region, types=types, express_memory_mb=express_memory_mb,
                         prices=table)
    rows: list[dict[str, Any]] = []
    for reg, part in ex.groupby("region", sort=True):
        std = part[part["type"] == STANDARD]
        if not std.empty:
            n = int(std["transitions"].sum())
            rows.append({"region": reg, "item": "standard", "executions": len(std), "quantity": float(n),
                         "unit": "transitions", "usd": standard_cost(n, str(reg), free_tier=free_tier,
                                                                     prices=table)})
        exp = part[(part["type"] == EXPRESS) & part["duration_ms"].notna()]
        if not exp.empty:
            gb_h = float(sum(express_gb_hours(float(d), express_memory_mb) for d in exp["duration_ms"]))
            ep = table.express(str(reg))
            cost = express_cost_from_usage(len(exp), gb_h, ep.gb_hour_tiers, ep.per_million_requests)
            rows.append({"region": reg, "item": "express", "executions": len(exp), "quantity": gb_h,
                         "unit": "GB-hours", "usd": cost.usd})
    lam = lambda_attempts(frames, tools, region=region, prices=table)
    for reg, part in lam.groupby("region", sort=True):
        lp = table.lambda_(str(reg))
        free_req = lp.free_requests if free_tier else 0
        free_gbs = lp.free_gb_seconds if free_tier else 0.0
        for arch in ARCHES:
            sub = part[part["arch"] == arch]
            if sub.empty:
                continue
            gbs = float(sub["gb_seconds"].sum())
            cost = lambda_cost_from_usage(len(sub), gbs, lp.gb_second_tiers[arch], lp.per_million_requests,
                                          free_requests=free_req, free_gb_seconds=free_gbs)
            rows.append({"region": reg, "item": f"lambda {arch}", "executions": int(sub["execution"].nunique()),
                         "quantity": gbs, "unit": "GB-seconds", "usd": cost.usd})
            free_req = max(0, free_req - len(sub))
            free_gbs = max(0.0, free_gbs - gbs)
    return pd.DataFrame(rows, columns=["region", "item", "executions", "quantity", "unit", "usd"])
