"""Before launching a catalog Mission: how long and how much it will likely take, from its template's past runs.

A catalog template is deployed once per version and parameter set, as ``<template>-v<version>[-<hash8>]``
(``incident_triage-v2_0-3fa91c2e``), and an ordinary Mission as its own name; so the runs of a template are
those of every state machine named ``template`` or ``template-...``. ``incident_triage_v2`` is another Mission
and does not count. The machine name of a run is read as the store partitions it
(:func:`~workbench.history.store.layout.machine_name`: the state machine ARN, else the execution ARN), so frames
and a store pick the same runs. Only finished runs count (SUCCEEDED, FAILED, TIMED_OUT, ABORTED): a RUNNING or
INCOMPLETE history stops early, and its duration and cost would pull the estimate down.

Costs are :func:`~workbench.history.cost.execution_costs` (the one cost model: Step Functions plus Lambda, first
price tier, no free tier). Percentiles are numpy's linear interpolation over the runs' figures, computed in
Python on every source (frames, a DuckDB store, a Spark session), so every source gives the same estimate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from workbench.core.money import fmt_usd
from workbench.history._frame_access import AnalysisError, frame, require, text
from workbench.history.analysis.compare import select_executions
from workbench.history.cost.frame_costs import execution_costs
from workbench.history.cost.lambdas import ToolConfigs
from workbench.history.store.layout import escape, machine_name
from workbench.history.store.sql.engine import Source, StoreSelection, is_store, nn, select_store
from workbench.mission.durations import format_duration

__all__ = ["FINISHED", "ROUGH_BELOW", "RunEstimate", "estimate_run", "fmt_seconds", "matches_template",
           "template_runs"]

#: Statuses of runs that ran to their end; their duration and cost are whole.
FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
#: Below this many recorded runs the estimate carries a warning that it is rough.
ROUGH_BELOW = 5


@dataclass(frozen=True)
class RunEstimate:
    """How long and how much a run of a template takes (p50/p95 of its recorded runs), and what to worry about.

    Figures are None when no run gives them (no recorded runs; durations unknown when histories hide times).
    ``warnings`` are sentences for an operator: a deadline or budget likely to be missed, too few runs.

    Example:
        >>> e = RunEstimate("deploy_check", 2, 80.0, 95.5, 0.00035, 0.0004, ("only 2 recorded runs of ...",))
        >>> e.duration_p95_s, e.warnings[0][:6]
        (95.5, 'only 2')
    """

    template: str
    executions: int
    duration_p50_s: float | None
    duration_p95_s: float | None
    cost_p50_usd: float | None
    cost_p95_usd: float | None
    warnings: tuple[str, ...]

    def lines(self) -> list[str]:
        """One line of figures, then one line per warning: for the CLI and the launch widget.

        Example:
            >>> RunEstimate("deploy_check", 20, 80.0, 95.5, 0.00035, 0.0004, ()).lines()
            ['deploy_check: 20 recorded runs · duration p50 1m20s, p95 1m35.5s · cost p50 $0.00035, p95 $0.0004']
            >>> RunEstimate("nope", 0, None, None, None, None, ("no recorded runs of nope: no estimate",)).lines()
            ['nope: no recorded runs', 'no recorded runs of nope: no estimate']
        """
        if self.executions == 0:
            return [f"{self.template}: no recorded runs", *self.warnings]
        runs = f"{self.executions} recorded run{'' if self.executions == 1 else 's'}"
        duration = ("duration unknown" if self.duration_p50_s is None or self.duration_p95_s is None else
                    f"duration p50 {fmt_seconds(self.duration_p50_s)}, p95 {fmt_seconds(self.duration_p95_s)}")
        cost = ("cost unknown" if self.cost_p50_usd is None or self.cost_p95_usd is None else
                f"cost p50 {fmt_usd(self.cost_p50_usd)}, p95 {fmt_usd(self.cost_p95_usd)}")
        return [f"{self.template}: {runs} · {duration} · {cost}", *self.warnings]


def matches_template(machine: str, template: str) -> bool:
    """True when a state machine named ``machine`` is a deployment of ``template`` (the name, or ``template-...``).

    Example:
        >>> [matches_template(m, "incident_triage") for m in
        ...  ("incident_triage", "incident_triage-2_0", "incident_triage-2_0-3fa91c2e", "incident_triage_v2")]
        [True, True, True, False]
    """
    return machine == template or machine.startswith(template + "-")


def template_runs(source: object, template: str, *, tools: ToolConfigs | None = None) -> pd.DataFrame:
    """The finished runs of a template: one row per execution, with ``duration_s`` and ``cost_usd``.

    Columns ``state_machine`` (the name), ``status``, ``duration_s`` and ``cost_usd``
    (:func:`~workbench.history.cost.execution_costs`, with ``tools`` for the Lambda memory and architecture),
    indexed by execution ARN in ARN order; the rows :func:`estimate_run` takes its percentiles over.

    Example:
        >>> template_runs(frames, "incident_triage")[["state_machine", "duration_s", "cost_usd"]]  # doctest: +SKIP
    """
    _check_template(template)
    runs = _store_runs(source, template) if is_store(source) else _frame_runs(source, template)
    runs = runs.sort_values("execution", kind="stable").set_index("execution")
    if runs.empty:
        runs["cost_usd"] = pd.Series(dtype="float64")
        return runs
    chosen = list(runs.index)
    if is_store(source):
        subset: object = (replace(source, executions=tuple(chosen)) if isinstance(source, StoreSelection)
                          else select_store(source, chosen))
    else:
        subset = select_executions(source, chosen)
    costs = execution_costs(subset, tools)["cost_usd"]
    runs["cost_usd"] = costs.reindex(runs.index).astype("float64")
    return runs


def estimate_run(source: object, template: str, *, deadline_s: float | None = None,
                 budget_usd: float | None = None, tools: ToolConfigs | None = None) -> RunEstimate:
    """Estimate a run of ``template`` from its recorded runs (p50/p95), warning of a likely missed deadline or budget.

    ``source`` is history frames, a store (a DuckDB connection from ``workbench.store.open(path)``, a Spark
    session on one) or a selection of either (:func:`~workbench.history.analysis.select_executions`).
    A deadline (seconds) or budget (USD) is "likely to be missed" when the p95 is over it and "will probably
    be missed" when the p50 is; fewer than :data:`ROUGH_BELOW` runs make the estimate rough, none make no
    estimate.

    Example:
        >>> e = estimate_run(frames, "incident_triage", deadline_s=600, budget_usd=0.01)   # doctest: +SKIP
        >>> print("\\n".join(e.lines()))                                                  # doctest: +SKIP
        incident_triage: 20 recorded runs · duration p50 9m12s, p95 12m3s · cost p50 $0.00412, p95 $0.00518
        deadline 10m is likely to be missed: p95 duration 12m3s over 20 recorded runs
    """
    _check_limit("deadline_s", deadline_s)
    _check_limit("budget_usd", budget_usd)
    runs = template_runs(source, template, tools=tools)
    n = len(runs)
    if n == 0:
        return RunEstimate(template, 0, None, None, None, None, (f"no recorded runs of {template}: no estimate",))
    d50, d95, n_d = _percentiles(runs["duration_s"])
    c50, c95, n_c = _percentiles(runs["cost_usd"])
    warnings: list[str] = []
    if n < ROUGH_BELOW:
        warnings.append(f"only {_runs(n)} of {template}: the estimate is rough")
    if deadline_s is not None and d50 is not None and d95 is not None:
        warnings += _over(f"deadline {fmt_seconds(deadline_s)}", "duration", deadline_s, d50, d95, fmt_seconds, n_d)
    if budget_usd is not None and c50 is not None and c95 is not None:
        warnings += _over(f"budget {fmt_usd(budget_usd)}", "cost", budget_usd, c50, c95, fmt_usd, n_c)
    return RunEstimate(template, n, d50, d95, c50, c95, tuple(warnings))


def fmt_seconds(seconds: float) -> str:
    """A duration as operators write it (``1h2m3s``), with tenths of a second when it has them.

    Example:
        >>> fmt_seconds(723), fmt_seconds(80.52), fmt_seconds(0.04), fmt_seconds(3600.5)
        ('12m3s', '1m20.5s', '0s', '1h0.5s')
    """
    whole, tenths = divmod(round(seconds * 10), 10)
    if not tenths:
        return format_duration(int(whole))
    minutes = int(whole) - int(whole) % 60
    return (format_duration(minutes) if minutes else "") + f"{int(whole) % 60}.{int(tenths)}s"


# ------------------------------------------------------------------------------------------- helpers

def _frame_runs(frames: object, template: str) -> pd.DataFrame:
    ex = frame(frames, "executions")
    require(ex, ("execution", "status", "duration_ms"), "executions")
    arns = ex["execution"].astype(str)
    machines_arn = ex["state_machine"].astype(object) if "state_machine" in ex.columns else [None] * len(ex)
    names = pd.Series([machine_name(text(m), a) for m, a in zip(machines_arn, arns, strict=True)], index=ex.index,
                      dtype="object")
    status = ex["status"].astype(str)
    keep = status.isin(FINISHED) & names.map(lambda m: matches_template(str(m), template))
    return pd.DataFrame({"execution": arns[keep].to_numpy(), "state_machine": names[keep].to_numpy(),
                         "status": status[keep].to_numpy(),
                         "duration_s": ex.loc[keep, "duration_ms"].astype("float64").to_numpy() / 1000.0})


def _store_runs(store: object, template: str) -> pd.DataFrame:
    """The matching finished runs of a store; the machine name is its ``state_machine`` partition column."""
    src = Source(store)
    lit = src.dialect.lit
    forms = sorted({template, escape(template)})  # the partition value, whether or not the reader unescapes it
    same = " OR ".join(f"state_machine = {lit(t)}" for t in forms)
    prefix = " OR ".join(f"substr(state_machine, 1, {len(t) + 1}) = {lit(t + '-')}" for t in forms)
    statuses = ", ".join(lit(s) for s in FINISHED)
    df = src.frame(f"SELECT execution, state_machine, status, "
                   f"{nn('duration_ms')} AS duration_ms "
                   f"FROM {src.table('executions')} WHERE status IN ({statuses}) AND ({same} OR {prefix})")
    return pd.DataFrame({"execution": df["execution"].astype(str), "state_machine": df["state_machine"].astype(str),
                         "status": df["status"].astype(str),
                         "duration_s": df["duration_ms"].astype("float64") / 1000.0})


def _percentiles(values: pd.Series) -> tuple[float | None, float | None, int]:
    known = values.dropna().to_numpy(dtype=np.float64)
    if not len(known):
        return None, None, 0
    p50, p95 = np.percentile(known, [50, 95])
    return float(p50), float(p95), len(known)


def _over(what: str, figure: str, limit: float, p50: float, p95: float, show: Callable[[float], str],
          n: int) -> list[str]:
    """The stronger of the two warnings, or none: p50 over the limit means most runs miss it."""
    if p50 > limit:
        return [f"{what} will probably be missed: p50 {figure} {show(p50)} over {_runs(n)}"]
    if p95 > limit:
        return [f"{what} is likely to be missed: p95 {figure} {show(p95)} over {_runs(n)}"]
    return []


def _runs(n: int) -> str:
    return f"{n} recorded run{'' if n == 1 else 's'}"


def _check_template(template: object) -> None:
    if not isinstance(template, str) or not template:
        raise AnalysisError(f"estimate_run: template must be a Mission or catalog template name, got {template!r}")


def _check_limit(name: str, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or value < 0:
        raise AnalysisError(f"estimate_run: {name} must be a number >= 0, got {value!r}")
