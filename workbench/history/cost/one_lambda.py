"""The same executions priced three ways: Standard, Express, and as ONE Lambda doing all the work.

ADR-005 names cost per state transition as Step Functions' known downside. This module answers "what
would these runs have cost as Standard, as Express, or as one long Lambda function?" from recorded
histories. What each way counts, per execution:

* **Standard**: ``executions.transitions`` (every state entered, nested ones included, + every retry)
  × the region's price per transition (:func:`~workbench.history.cost.pricing.standard_cost`), as
  :func:`~workbench.history.cost.frame_costs.what_if` does.
* **Express**: one request + the execution's wall-clock (``duration_ms``, start → stop) rounded up to
  100 ms × ``express_memory_mb`` (64 MB, rounded up to 64 MB chunks) at the first GB-hour tier
  (:func:`~workbench.history.cost.pricing.express_cost`), as ``what_if`` does; ``fits_express`` says
  whether it ran within Express's 5 minutes (it is priced either way, like ``what_if``).
* **One Lambda**: one request + ``memory_mb`` × the time ONE function would run doing the same work
  back to back (rounded up to 1 ms, first GB-second tier of ``arch``). That time, ``one_lambda_ms``, is
  the sum of

  - ``tool_ms``: the recorded ``run_ms`` (started → ended; scheduled → ended when it never started)
    of every Task attempt, whatever it called (Lambda, SDK integration, activity, ``.sync`` job,
    callback) and however it ended (failed, timed-out and throttled tries included: the function
    makes the same calls and waits for them just as long; the model replays the recording, it does
    not guess which failures one function would have avoided). Parallel branches and Map iterations
    are added up, not overlapped: back to back;
  - ``wait_ms``: the duration of every ``Wait`` state visit (the function sleeps, billed);
  - ``backoff_ms``: every retry back-off of a Task (``attempts.backoff_ms``: the Retry interval
    between a failed try and the next, slept and billed).

  Not counted: Step Functions' own time between and around states (transitions, Pass/Choice,
  scheduled → started queueing, the gap before an ``ExecutionRedriven``), Map/Parallel re-start
  back-offs (not in the attempts frame), cold starts and init. A running function's wall-clock is
  billed in full, so sleeping through a wait costs as much as working.
* **Impossible**: Lambda stops a function after 900 s ("up to a maximum value of 900 seconds (15
  minutes)", https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html). An execution
  whose ``one_lambda_ms`` bills over 900,000 ms gets ``over_15_min`` True and NO one-Lambda price
  (NaN), never a capped one; :func:`cost_ways_summary` counts them.
* **Unknown**: without timestamps (placeholder times, running attempts) Express and one-Lambda are
  NaN and ``over_15_min`` is <NA> (True when the known part alone is over 900 s).

Prices are the bundled ``prices.json`` (or ``prices=``), first tier, no free tier: the marginal cost
of these runs, like every per-row cost of :mod:`workbench.history.cost`. One-Lambda dollars are
computed in :class:`~decimal.Decimal` from the table's figures, so they are exact.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from workbench.history._frame_access import AnalysisError, frame, require
from workbench.history._types import JsonMapping
from workbench.history.cost.lambdas import LambdaConfig, region_of
from workbench.history.cost.prices import ARCHES, DEFAULT_REGION, PriceTable, PricingError, load_prices
from workbench.history.cost.pricing import (
    EXPRESS_MAX_DURATION_S,
    MB_PER_GB,
    express_cost,
    lambda_billed_duration_ms,
    standard_cost,
)

__all__ = ["LAMBDA_MAX_DURATION_S", "WAYS", "cost_ways_summary", "lambda_config", "one_function_config",
           "one_lambda_costs", "one_lambda_usd", "way_labels"]

#: The longest a Lambda function can run (its maximum timeout).
LAMBDA_MAX_DURATION_S = 900
_MAX_MS = LAMBDA_MAX_DURATION_S * 1000
#: The three ways, in the order tables and figures show them, with what each bills.
WAYS: tuple[tuple[str, str, str], ...] = (
    ("standard", "Standard", "each state transition (every step entered, + every retry)"),
    ("express", "Express", "one request + the execution's wall-clock × its memory (GB-hours)"),
    ("one_lambda", "One Lambda", "one request + tool time back to back, waits and retry back-offs × memory "
                                 "(GB-seconds)"),
)


#: What the one-Lambda what-if assumes when nobody says: 1,024 MB on x86_64.
DEFAULT_ONE_LAMBDA = LambdaConfig(1024, "x86_64")


def _dec(value: float) -> Decimal:
    """A price from the table as the decimal it was written as (``0.0000166667``, not its binary float)."""
    return Decimal(repr(float(value)))


def lambda_config(memory_mb: int = 1024, arch: str = "x86_64") -> LambdaConfig:
    """``memory_mb``/``arch`` checked (128..10,240 MB; ``x86_64`` or ``arm64``), as a LambdaConfig.

    Example:
        >>> lambda_config(2048, "arm64")
        LambdaConfig(memory_mb=2048, arch='arm64')
    """
    for a in ARCHES:
        if arch == a:
            return LambdaConfig(int(memory_mb), a)
    raise AnalysisError(f"unknown Lambda architecture {arch!r}. Fix: use 'x86_64' or 'arm64'.")


def one_function_config(tools: JsonMapping | None, default: LambdaConfig = DEFAULT_ONE_LAMBDA) -> LambdaConfig:
    """The memory and architecture ONE function running all these tools needs: the largest tool memory,
    ``arm64`` only when every tool is arm64; ``default`` (1,024 MB x86_64) when no tool says.

    ``tools`` is what the cost functions take (a Mission's tools, LambdaConfigs or memory sizes).

    Example:
        >>> one_function_config({"a": LambdaConfig(512, "arm64"), "b": 2048})
        LambdaConfig(memory_mb=2048, arch='x86_64')
    """
    sizes: list[tuple[int, str]] = []
    for value in (tools or {}).values():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            sizes.append((int(value), "x86_64"))
        elif getattr(value, "memory_mb", None) is not None:
            sizes.append((int(value.memory_mb), str(getattr(value, "arch", "x86_64"))))
    if not sizes:
        return default
    arch = "arm64" if all(a == "arm64" for _, a in sizes) else "x86_64"
    return lambda_config(max(m for m, _ in sizes), arch)


def way_labels(memory_mb: int = 1024, arch: str = "x86_64") -> dict[str, str]:
    """Display name of each way; the one-Lambda name carries its memory size and architecture.

    Example:
        >>> way_labels(1024, "arm64")["one_lambda"]
        'One Lambda (1024 MB, arm64)'
    """
    return {key: name if key != "one_lambda" else f"{name} ({memory_mb} MB, {arch})" for key, name, _ in WAYS}


def one_lambda_usd(duration_ms: float, memory_mb: int = 1024, arch: str = "x86_64", region: str = DEFAULT_REGION,
                   *, prices: PriceTable | None = None) -> Decimal:
    """Exact dollars of ONE Lambda invocation running ``duration_ms``: one request + GB-seconds, first tier.

    Raises :class:`PricingError` for a run longer than 900 s: Lambda would stop it, so it has no price.

    Example:
        >>> one_lambda_usd(64_500, 1024)     # $0.20 / 1M + 1 GB × 64.5 s × $0.0000166667
        Decimal('0.00107520215')
    """
    cfg = lambda_config(memory_mb, arch)
    billed = lambda_billed_duration_ms(duration_ms)
    if billed > _MAX_MS:
        raise PricingError(f"a {billed / 1000:,.3f} s run is impossible as one Lambda (at most "
                           f"{LAMBDA_MAX_DURATION_S} s). Fix: split the work, or keep it in Step Functions.")
    lp = (prices or load_prices()).lambda_(region)
    gb_seconds = Decimal(cfg.memory_mb) / Decimal(int(MB_PER_GB)) * Decimal(billed) / Decimal(1000)
    return (_dec(lp.per_million_requests) / Decimal(1_000_000)
            + gb_seconds * _dec(lp.gb_second_tiers[cfg.arch][0].price))


def _sums(values: pd.Series, unknown: pd.Series, keys: pd.Series, index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Per execution: the sum of the known values, and how many were unknown."""
    known = values.fillna(0.0).groupby(keys, sort=False).sum().reindex(index, fill_value=0.0)
    missing = unknown.groupby(keys, sort=False).sum().reindex(index, fill_value=0)
    return known.astype("float64"), missing.astype("int64")


def _work(frames: object, index: pd.Index) -> pd.DataFrame:
    """tool_ms, wait_ms, backoff_ms per execution, and how many of their parts are unknown."""
    attempts = frame(frames, "attempts")
    states = frame(frames, "states")
    require(attempts, ("execution", "attempt", "run_ms", "backoff_ms"), "attempts")
    require(states, ("execution", "type", "duration_ms"), "states")
    a_keys = attempts["execution"].astype(str)
    run = attempts["run_ms"].astype("float64")
    backoff = attempts["backoff_ms"].astype("float64")
    waits = states[states["type"].astype(str) == "Wait"]
    wait = waits["duration_ms"].astype("float64")
    tool_ms, tool_unknown = _sums(run, run.isna(), a_keys, index)
    # The first attempt has no back-off (NaN by design); a later one without a back-off has no times.
    backoff_ms, backoff_unknown = _sums(backoff, backoff.isna() & (attempts["attempt"].astype("int64") > 1),
                                        a_keys, index)
    wait_ms, wait_unknown = _sums(wait, wait.isna(), waits["execution"].astype(str), index)
    return pd.DataFrame({"tool_ms": tool_ms, "wait_ms": wait_ms, "backoff_ms": backoff_ms,
                         "unknown": tool_unknown + backoff_unknown + wait_unknown}, index=index)


def one_lambda_costs(frames: object, *, memory_mb: int = 1024, arch: str = "x86_64", region: str | None = None,
                     express_memory_mb: float = 64, prices: PriceTable | None = None) -> pd.DataFrame:
    """Each execution priced as Standard, as Express and as ONE Lambda (``memory_mb``, ``arch``).

    Why: to see whether Step Functions' per-transition price or one long function is the cheaper way
    to run this work, and which runs could not be one function at all (over 15 minutes). What each
    way counts is in this module's docstring. One row per execution (index ``execution``), columns
    ``status``, ``region``, ``transitions``, ``duration_ms`` (wall-clock), ``tool_ms``, ``wait_ms``,
    ``backoff_ms``, ``one_lambda_ms`` (their sum), ``standard_usd``, ``express_usd``,
    ``one_lambda_usd`` (NaN when impossible or unknown), ``over_15_min`` and ``fits_express``.
    ``region`` overrides the region read from each ARN.

    Example:
        >>> costs = one_lambda_costs(frames, memory_mb=1024, arch="arm64")              # doctest: +SKIP
        >>> costs[["transitions", "one_lambda_ms", "standard_usd", "one_lambda_usd", "over_15_min"]]  # doctest: +SKIP
    """
    cfg = lambda_config(memory_mb, arch)
    executions = frame(frames, "executions")
    require(executions, ("execution", "status", "duration_ms", "transitions"), "executions")
    table = prices or load_prices()
    arns = executions["execution"].astype(str)
    index = pd.Index(arns.to_numpy(), name="execution")
    out = pd.DataFrame({"status": executions["status"].astype(str).to_numpy(),
                        "region": [region or region_of(a) for a in arns],
                        "transitions": executions["transitions"].astype("int64").to_numpy(),
                        "duration_ms": executions["duration_ms"].astype("float64").to_numpy()}, index=index)
    work = _work(frames, index)
    out[["tool_ms", "wait_ms", "backoff_ms"]] = work[["tool_ms", "wait_ms", "backoff_ms"]]
    known_ms = work["tool_ms"] + work["wait_ms"] + work["backoff_ms"]
    unknown = work["unknown"] > 0
    billed = known_ms.map(lambda_billed_duration_ms)
    is_over = (billed > _MAX_MS).to_numpy(dtype=bool)
    over = pd.array(is_over, dtype="boolean")
    over[unknown.to_numpy(dtype=bool) & ~is_over] = pd.NA  # the known part fits; the unknown rest may not
    out["one_lambda_ms"] = known_ms.where(~unknown)
    out["standard_usd"] = [standard_cost(int(t), r, prices=table) for t, r in zip(out["transitions"], out["region"],
                                                                                   strict=True)]
    out["express_usd"] = [float("nan") if pd.isna(d) else express_cost(float(d), express_memory_mb, r,
                                                                       prices=table).usd
                          for d, r in zip(out["duration_ms"], out["region"], strict=True)]
    possible = ~unknown & (billed <= _MAX_MS)
    out["one_lambda_usd"] = [float(one_lambda_usd(ms, cfg.memory_mb, cfg.arch, r, prices=table)) if ok
                             else float("nan")
                             for ms, r, ok in zip(known_ms, out["region"], possible, strict=True)]
    out["over_15_min"] = over
    out["fits_express"] = (out["duration_ms"] <= EXPRESS_MAX_DURATION_S * 1000).where(out["duration_ms"].notna())
    out.attrs.update({"prices": table.citation, "memory_mb": cfg.memory_mb, "arch": cfg.arch,
                      "express_memory_mb": express_memory_mb})
    return out


def as_costs(frames_or_costs: object, *, memory_mb: int = 1024, arch: str = "x86_64", region: str | None = None,
             express_memory_mb: float = 64, prices: PriceTable | None = None) -> pd.DataFrame:
    """A :func:`one_lambda_costs` table as given, or computed from history frames (so the summary and the
    break-even model take either, and a notebook computes the per-run table once).

    Example:
        >>> as_costs(one_lambda_costs(frames)) is not None                      # doctest: +SKIP
        True
    """
    if isinstance(frames_or_costs, pd.DataFrame):
        require(frames_or_costs, ("transitions", "one_lambda_ms", "standard_usd", "express_usd", "one_lambda_usd",
                                  "over_15_min"), "one_lambda_costs")
        return frames_or_costs
    return one_lambda_costs(frames_or_costs, memory_mb=memory_mb, arch=arch, region=region,
                            express_memory_mb=express_memory_mb, prices=prices)


def cost_ways_summary(frames_or_costs: object, *, memory_mb: int = 1024, arch: str = "x86_64",
                      region: str | None = None, express_memory_mb: float = 64,
                      prices: PriceTable | None = None) -> pd.DataFrame:
    """Totals and cost per 1,000 executions of the three ways, and how many runs each way cannot price.

    Why: one table that says which way is cheapest for these runs, and on how many runs that claim
    rests. Takes history frames or a :func:`one_lambda_costs` table. One row per way (index ``way``:
    ``standard``, ``express``, ``one_lambda``), columns ``name``, ``bills`` (what it counts),
    ``executions``, ``priced`` (runs with a price), ``over_limit`` (runs past the way's time limit:
    Express 5 min, priced anyway as :func:`~workbench.history.cost.frame_costs.what_if` does; one
    Lambda 15 min, NOT priced), ``unknown`` (no timestamps), ``total_usd``, ``per_1000_usd`` (mean of
    the priced runs × 1,000) and ``same_runs_per_1000_usd`` (per 1,000 over the runs all three ways
    price: the like-for-like comparison). Sums of per-run marginal costs (first tier, no free tier).

    Example:
        >>> cost_ways_summary(frames, memory_mb=512)[["priced", "over_limit", "per_1000_usd"]]  # doctest: +SKIP
    """
    costs = as_costs(frames_or_costs, memory_mb=memory_mb, arch=arch, region=region,
                     express_memory_mb=express_memory_mb, prices=prices)
    labels = way_labels(int(costs.attrs.get("memory_mb", memory_mb)), str(costs.attrs.get("arch", arch)))
    n = len(costs)
    over15 = costs["over_15_min"].fillna(False).astype(bool)
    all_priced = costs[["standard_usd", "express_usd", "one_lambda_usd"]].notna().all(axis=1)
    over_limit = {"standard": 0, "express": int(costs["fits_express"].eq(False).sum()),
                  "one_lambda": int(over15.sum())}
    unknown = {"standard": 0, "express": int(costs["express_usd"].isna().sum()),
               "one_lambda": int((costs["one_lambda_usd"].isna() & ~over15).sum())}
    rows = []
    for key, _, bills in WAYS:
        col = costs[f"{key}_usd"]
        priced = col.dropna()
        same = col[all_priced]
        rows.append({"way": key, "name": labels[key], "bills": bills, "executions": n, "priced": len(priced),
                     "over_limit": over_limit[key], "unknown": unknown[key], "total_usd": float(priced.sum()),
                     "per_1000_usd": float(priced.mean() * 1000) if len(priced) else float("nan"),
                     "same_runs_per_1000_usd": float(same.mean() * 1000) if len(same) else float("nan")})
    out = pd.DataFrame(rows).set_index("way")
    out.attrs.update({key: costs.attrs[key] for key in ("prices", "memory_mb", "arch", "express_memory_mb")
                      if key in costs.attrs})
    out.attrs["impossible"] = over_limit["one_lambda"]
    return out
