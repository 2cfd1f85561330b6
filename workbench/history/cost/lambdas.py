"""Lambda cost of history frames: every attempt priced by its tool's memory and architecture.

Split from :mod:`workbench.history.cost.frame_costs` (whose docstring lists what is counted and why);
import the public names from there or from :mod:`workbench.history`.

**Throttled attempts cost nothing.** Lambda "registers a request each time it starts launching in
response to an event notification or invoke call" and bills duration "from the time your code begins
executing" (AWS, *How AWS Pricing Works: Lambda*). An invoke that Lambda throttles (HTTP 429,
``TooManyRequestsException``) is rejected before anything starts, so it is neither a billed request
nor billed duration. Step Functions records it as a failed attempt (``LambdaFunctionFailed`` or
``TaskFailed``) whose error is ``Lambda.TooManyRequestsException``: the ``Lambda.`` prefix marks an
error of the Lambda *service*, not of the function (a function's own errors are named by its
``errorType``, e.g. ``Exception``). ``Lambda.ThrottlingException`` is matched too, defensively: it is not
an error the Invoke API documents, but a ``Lambda.``-prefixed throttle is a rejected call either way.
A bare ``ThrottlingException`` (no prefix) is a function that ran and failed because *its* call to
another service was throttled: that invocation ran and is billed. The Step Functions retry of a
throttled attempt is still a billed state transition (counted in ``executions.transitions``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.core.arn import Arn
from workbench.core.lambda_names import function_name as bare_function_name
from workbench.history._frame_access import AnalysisError, frame, require, text
from workbench.history._types import JsonMapping
from workbench.history.cost.prices import ARCHES, DEFAULT_REGION, Arch, PriceTable, load_prices
from workbench.history.cost.pricing import LAMBDA_MAX_MEMORY_MB, LAMBDA_MIN_MEMORY_MB, MB_PER_GB

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$")
BILLED_OUTCOMES = ("succeeded", "failed", "timed_out", "aborted", "running")
#: Attempt errors that mean Lambda rejected the invoke before running anything (not billed).
THROTTLE_ERRORS = frozenset({"Lambda.TooManyRequestsException", "Lambda.ThrottlingException"})


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
ToolConfigs = JsonMapping


def region_of(arn: str, default: str = DEFAULT_REGION) -> str:
    """Region field of an ARN, or ``default`` when the ARN has none (names, redacted placeholders).

    Example:
        >>> region_of("arn:aws:states:eu-west-3:123456789012:execution:M:run-1")
        'eu-west-3'
    """
    found = Arn.try_parse(arn)
    return found.region if found and _REGION.match(found.region) else default



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
    arn = Arn.try_parse(resource)
    return arn.parts[0] if arn and arn.service == "lambda" and arn.resource_type == "function" else None


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
            out[(arn, int(visit), counters[key])] = bare_function_name(name)
    return out


def is_throttle(error: object) -> bool:
    """True when an attempt's error says Lambda throttled the invoke (so it never ran and is not billed).

    Example:
        >>> is_throttle("Lambda.TooManyRequestsException"), is_throttle("ThrottlingException")
        (True, False)
    """
    return isinstance(error, str) and error.strip() in THROTTLE_ERRORS


def lambda_attempts(frames: object, tools: ToolConfigs | None = None, *, region: str | None = None,
                    prices: PriceTable | None = None, include_unbilled: bool = False) -> pd.DataFrame:
    """One row per billed Lambda invocation with its configured memory, GB-seconds and cost.

    The tool is named by the function (from the function ARN, or from ``FunctionName`` when frames
    carry payloads), else by the state; ``tools`` is looked up by function name, then state name.
    Without timestamps (recorded corpus) the request is priced and the duration columns are NaN.
    Throttled attempts (see the module docstring) are left out; ``include_unbilled=True`` keeps them
    with ``billed`` False and every cost column 0. ``scheduled`` orders the calls within the month.

    Example:
        >>> per_call = lambda_attempts(frames, {"probe": LambdaConfig(512, "arm64")})  # doctest: +SKIP
        >>> per_call[["tool", "billed_ms", "cost_usd"]]                              # doctest: +SKIP
    """
    attempts = frame(frames, "attempts")
    require(attempts, ("execution", "visit", "state", "attempt", "resource", "resource_type", "run_ms", "outcome"),
            "attempts")
    table = prices or load_prices()
    is_lambda = attempts["resource_type"].astype(str) == "lambda"
    throttled = attempts["error"].map(is_throttle).astype(bool) if "error" in attempts.columns else \
        pd.Series(False, index=attempts.index)
    keep = is_lambda & attempts["outcome"].astype(str).isin(BILLED_OUTCOMES)
    if not include_unbilled:
        keep &= ~throttled
    b = attempts[keep]
    billed = ~throttled[keep].to_numpy(dtype=bool)
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
    # A throttled attempt never ran: 0 ms, 0 GB-s, no request.
    billed_ms = np.where(billed, np.maximum(1.0, np.ceil(np.round(run, 6))), 0.0)
    gb_s = memory / MB_PER_GB * billed_ms / 1000.0
    # One invocation never crosses a monthly tier, so each row is priced at the first tier.
    gb_price = np.array([table.lambda_(r).gb_second_tiers[c.arch][0].price for r, c in zip(reg, cfg, strict=True)],
                        dtype=np.float64)
    req = np.array([table.lambda_(r).per_million_requests for r in reg], dtype=np.float64) / 1_000_000.0
    scheduled = b["scheduled"] if "scheduled" in b.columns else pd.Series(pd.NaT, index=b.index)
    out = pd.DataFrame({"execution": arns, "visit": visits, "state": states, "attempt": tries,
                        "tool": [fn or st for fn, st in zip(fns, states, strict=True)],
                        "memory_mb": [c.memory_mb for c in cfg], "arch": [c.arch for c in cfg], "region": reg,
                        "scheduled": scheduled.array, "billed": billed,
                        "run_ms": run, "billed_ms": billed_ms, "gb_seconds": gb_s,
                        "requests_usd": np.where(billed, req, 0.0), "duration_usd": gb_s * gb_price})
    out["cost_usd"] = out["requests_usd"] + out["duration_usd"]
    out.attrs["prices"] = table.citation
    return out


def tool_costs(frames: object, tools: ToolConfigs | None = None, *, region: str | None = None,
               prices: PriceTable | None = None) -> pd.DataFrame:
    """Lambda cost per tool: invocations, billed time, GB-seconds and dollars (first tier, no free tier).

    ``invocations`` are the billed ones; ``throttled`` counts attempts Lambda throttled (not billed).
    ``untimed`` counts invocations whose duration the history does not give (placeholder
    timestamps): their requests are in ``cost_usd``, their duration is not.

    Example:
        >>> tool_costs(frames, {"probe": 512})                                   # doctest: +SKIP
               invocations  throttled  untimed  billed_ms  gb_seconds  memory_mb    arch  ...  cost_usd
        tool
        probe           40          2        0    31200.0        15.6        512  x86_64  ...  0.000268
    """
    table = prices or load_prices()
    every = lambda_attempts(frames, tools, region=region, prices=table, include_unbilled=True)
    cols = ["invocations", "throttled", "untimed", "billed_ms", "gb_seconds", "memory_mb", "arch", "requests_usd",
            "duration_usd", "cost_usd"]
    if every.empty:
        empty = pd.DataFrame(columns=cols, index=pd.Index([], name="tool"))
        empty.attrs["prices"] = table.citation
        return empty
    g = every.groupby("tool", sort=True)
    invocations = g["billed"].sum().astype("int64")
    untimed = (every["billed"] & every["run_ms"].isna()).groupby(every["tool"], sort=True).sum().astype("int64")
    out = pd.DataFrame({"invocations": invocations, "throttled": g.size() - invocations, "untimed": untimed,
                        "billed_ms": g["billed_ms"].sum(),
                        "gb_seconds": g["gb_seconds"].sum(), "memory_mb": g["memory_mb"].first(),
                        "arch": g["arch"].first(), "requests_usd": g["requests_usd"].sum(),
                        "duration_usd": g["duration_usd"].sum(), "cost_usd": g["cost_usd"].sum()})
    out["cost_usd"] = out["requests_usd"] + out["duration_usd"]
    out = out[cols].sort_values("cost_usd", ascending=False, kind="stable")
    out.attrs["prices"] = table.citation
    return out

