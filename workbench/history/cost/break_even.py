"""Where Standard, Express and one Lambda break even: cost per 1,000 executions against the number of steps.

The model is built from measured executions (a :func:`~workbench.history.cost.one_lambda.one_lambda_costs`
table, or history frames), using only those with timestamps (known wall-clock and one-Lambda time):

* ``tool_ms_per_step`` T = Σ ``tool_ms`` / Σ ``transitions``: the mean tool time a step adds;
* ``wait_ms_per_execution`` W = mean of ``wait_ms`` + ``backoff_ms``: waits and retry back-offs, which
  do not grow with the number of steps;
* an execution of n steps then runs d(n) = W + n·T, and costs
  Standard: n transitions; Express: one request + d(n) at ``express_memory_mb``; one Lambda: one
  request + d(n) at ``memory_mb``/``arch``, and no price once d(n) bills over 900 s (impossible).

Express is modelled with the same d(n). Its real bill is the wall-clock, which adds Step Functions' own
time between states and overlaps Parallel/Map work; the measured points (each way's mean over the runs
it prices, at their mean number of steps) show how far the real runs are from the lines. Prices: first
tier, no free tier, the region the most runs ran in (or ``region=``).
"""

from __future__ import annotations

import math

import pandas as pd

from workbench.history.cost.one_lambda import LAMBDA_MAX_DURATION_S, WAYS, as_costs, lambda_config, one_lambda_usd
from workbench.history.cost.prices import DEFAULT_REGION, PriceTable, load_prices
from workbench.history.cost.pricing import MB_PER_GB, express_cost, lambda_billed_duration_ms, standard_cost

__all__ = ["break_even"]

MAX_STEPS = 2000  # the longest x axis drawn by default (a crossing further out is named in the verdict)


def break_even(frames_or_costs: object, *, max_steps: int | None = None, memory_mb: int = 1024,
               arch: str = "x86_64", region: str | None = None, express_memory_mb: float = 64,
               prices: PriceTable | None = None) -> pd.DataFrame:
    """Modelled cost per 1,000 executions of n = 1..N steps, the three ways (the model: module docstring).

    Why: a Mission with few steps and long waits is cheaper in Step Functions; one with many short
    steps is cheaper as one function. This says from how many steps on, for work like these runs.
    Index ``steps``; columns ``duration_ms`` (d(n)), ``standard_usd``, ``express_usd``, ``one_lambda_usd``
    (per 1,000 executions; NaN past 15 minutes). ``attrs``: ``model`` (T, W, runs modelled, region,
    memory, arch), ``measured`` (way → (mean steps, per 1,000 USD) of the real runs),
    ``break_even_steps`` (where Standard and one Lambda swap places, or None), ``verdict`` (a sentence),
    ``limit_steps`` (the most steps one Lambda can run within 15 minutes, or None) and ``prices``.
    Default N: twice the most steps measured (at least 20), stretched to show the crossing (≤ 2,000).

    Example:
        >>> model = break_even(frames, memory_mb=512)                               # doctest: +SKIP
        >>> model.attrs["verdict"]                                                  # doctest: +SKIP
        'Standard costs more than one Lambda from 41 steps on.'
    """
    table = prices or load_prices()
    costs = as_costs(frames_or_costs, memory_mb=memory_mb, arch=arch, region=region,
                     express_memory_mb=express_memory_mb, prices=table)
    cfg = lambda_config(int(costs.attrs.get("memory_mb", memory_mb)), str(costs.attrs.get("arch", arch)))
    express_mb = float(costs.attrs.get("express_memory_mb", express_memory_mb))
    reg = region or (str(costs["region"].mode().iloc[0]) if "region" in costs.columns and len(costs)
                     else DEFAULT_REGION)
    timed = costs[costs["one_lambda_ms"].notna() & costs["duration_ms"].notna()]
    steps_total = int(timed["transitions"].sum())
    per_step = float(timed["tool_ms"].sum()) / steps_total if steps_total else (0.0 if len(timed) else float("nan"))
    waits = float((timed["wait_ms"] + timed["backoff_ms"]).mean()) if len(timed) else float("nan")
    request = float(table.lambda_(reg).per_million_requests) / 1_000_000 if len(timed) else 0.0
    per_ms = (cfg.memory_mb / MB_PER_GB / 1000.0 * table.lambda_(reg).gb_second_tiers[cfg.arch][0].price
              if len(timed) else 0.0)
    per_transition = table.standard_per_1000(reg) / 1000.0
    crossing = _analytic_crossing(per_transition, request, per_ms, per_step, waits)
    limit = _limit(waits, per_step) if len(timed) else None
    most = int(costs["transitions"].max()) if len(costs) else 0
    n_max = max_steps or max(20, 2 * most)
    if max_steps is None and crossing is not None and (limit is None or crossing <= limit):
        n_max = max(n_max, min(MAX_STEPS, math.ceil(crossing * 1.25)))
    steps = list(range(1, max(1, int(n_max)) + 1))
    rows = [_point(n, waits + n * per_step if len(timed) else float("nan"), reg, cfg.memory_mb, cfg.arch,
                   express_mb, table) for n in steps]
    out = pd.DataFrame(rows, index=pd.Index(steps, name="steps"),
                       columns=["duration_ms", "standard_usd", "express_usd", "one_lambda_usd"])
    found = _crossing(out)
    out.attrs.update({
        "model": {"tool_ms_per_step": per_step, "wait_ms_per_execution": waits, "runs_modelled": len(timed),
                  "region": reg, "memory_mb": cfg.memory_mb, "arch": cfg.arch, "express_memory_mb": express_mb},
        "measured": _measured(costs), "break_even_steps": found[0] if found else None,
        "verdict": _verdict(found, out, crossing, limit), "limit_steps": limit,
        "prices": costs.attrs.get("prices", table.citation)})
    return out


def _point(n: int, duration_ms: float, region: str, memory_mb: int, arch: str, express_mb: float,
           table: PriceTable) -> list[float]:
    std = standard_cost(n, region, prices=table) * 1000
    if math.isnan(duration_ms):
        return [duration_ms, std, float("nan"), float("nan")]
    exp = express_cost(duration_ms, express_mb, region, prices=table).usd * 1000
    fits = lambda_billed_duration_ms(duration_ms) <= LAMBDA_MAX_DURATION_S * 1000
    lam = float(one_lambda_usd(duration_ms, memory_mb, arch, region, prices=table)) * 1000 if fits else float("nan")
    return [duration_ms, std, exp, lam]


def _limit(waits: float, per_step: float) -> int | None:
    """The most steps whose d(n) bills within 900 s (None: no limit, the steps take no time)."""
    cap = LAMBDA_MAX_DURATION_S * 1000
    if per_step <= 0:
        return None if lambda_billed_duration_ms(waits) <= cap else 0
    n = max(0, math.floor((cap - waits) / per_step))
    while n > 0 and lambda_billed_duration_ms(waits + n * per_step) > cap:
        n -= 1
    return n


def _measured(costs: pd.DataFrame) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for key, _, _ in WAYS:
        priced = costs[costs[f"{key}_usd"].notna()]
        if len(priced):
            out[key] = (float(priced["transitions"].mean()), float(priced[f"{key}_usd"].mean()) * 1000)
    return out


def _analytic_crossing(per_transition: float, request: float, per_ms: float, per_step: float,
                       waits: float) -> float | None:
    """n where n·p = r + (W + n·T)·g (ignoring 1 ms rounding), when that n is positive."""
    slope = per_transition - per_step * per_ms
    if math.isnan(slope) or math.isnan(waits) or slope == 0:
        return None
    n = (request + waits * per_ms) / slope
    return n if n > 0 else None


def _crossing(model: pd.DataFrame) -> tuple[int, bool] | None:
    """First step count where Standard and one Lambda swap, and whether Standard is the dearer one from there."""
    both = model[["standard_usd", "one_lambda_usd"]].dropna()
    if both.empty:
        return None
    dearer = (both["standard_usd"] > both["one_lambda_usd"]).tolist()
    for i in range(1, len(dearer)):
        if dearer[i] != dearer[i - 1]:
            return int(both.index[i]), dearer[i]
    return None


def _verdict(found: tuple[int, bool] | None, model: pd.DataFrame, crossing: float | None,
             limit: int | None) -> str:
    both = model[["standard_usd", "one_lambda_usd"]].dropna()
    if both.empty:
        if limit == 0:
            return "One Lambda cannot run even one step like these within 15 minutes."
        return "No run has timestamps: Express and one Lambda cannot be modelled (Standard needs none)."
    if found:
        n, standard_dearer = found
        return (f"Standard costs more than one Lambda from {n:,} steps on." if standard_dearer
                else f"One Lambda costs more than Standard from {n:,} steps on.")
    first, last = int(both.index[0]), int(both.index[-1])
    cheaper = "one Lambda" if bool(both["standard_usd"].iloc[0] > both["one_lambda_usd"].iloc[0]) else "Standard"
    text = f"{cheaper[0].upper()}{cheaper[1:]} is cheaper at every step count from {first:,} to {last:,}"
    if crossing is not None and crossing > last and (limit is None or crossing <= limit):
        text += f"; they would break even near {math.ceil(crossing):,} steps"
    return text + "."
