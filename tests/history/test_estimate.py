"""Run estimates from a template's recorded runs: real ``deploy_check`` runs on the embedded engine, as frames and
as a DuckDB store.

``deploy_check`` is deployed under catalog-style names (``deploy_check-2_0-3fa91c2e``, ``deploy_check-2_0``), its
own name, and ``deploy_check_v2`` (another Mission that merely shares the prefix). Tool latencies come from a
seeded fault plan, so durations and Lambda costs differ from run to run but not from machine to machine. One
more run is kept only up to its middle, as a history fetched while it was still running.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import workbench
import workbench.history.store as store
from workbench.history import frames, load_history
from workbench.history._frame_access import AnalysisError
from workbench.history.analysis import RunEstimate, estimate_run, select_executions, template_runs
from workbench.history.cost.frame_costs import execution_costs

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "missions" / "deploy_check.yaml"
#: State machine name → runs recorded under it.
MACHINES = {"deploy_check-2_0-3fa91c2e": 3, "deploy_check-2_0": 2, "deploy_check": 2, "deploy_check_v2": 2}
LIVE_MACHINE = "deploy_check-2_0"


@dataclass
class Recorded:
    frames: Any  # HistoryFrames of every run
    store: Any  # DuckDB connection on a store of the same runs
    arns: dict[str, list[str]]  # finished execution ARNs per machine name
    live: str  # the ARN of the run recorded mid-way


def _plan(seed: int) -> workbench.FaultPlan:
    return workbench.FaultPlan.model_validate({"seed": seed, "tools": {
        "check_deploy": {"fail_rate": 0.15, "error": "DeployApi.Unavailable", "message": "503",
                         "latency": {"dist": "lognormal", "median_ms": 900}},
        "start_deploy": {"latency": {"dist": "uniform", "low_ms": 200, "high_ms": 1500}}}})


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    folder = tmp_path_factory.mktemp("estimate") / "histories"
    folder.mkdir()
    mission = workbench.load_mission(DEPLOY)
    arns: dict[str, list[str]] = {}
    docs: list[dict[str, Any]] = []
    seed = 0
    for machine, n in MACHINES.items():
        deployed = mission.model_copy(update={"name": machine})
        for _ in range(n):
            seed += 1
            run = workbench.run_mission(deployed, {"service": f"svc-{seed}", "version": "v2.0"}, faults=_plan(seed),
                                        time_warp=True, progress=False)
            arns.setdefault(machine, []).append(run.arn)
            docs.append({"executionArn": run.arn, "definition": run.definition, "events": run.history()})
    live = workbench.run_mission(mission.model_copy(update={"name": LIVE_MACHINE}), {"service": "svc-live",
                                 "version": "v2.0"}, faults=_plan(99), time_warp=True, progress=False)
    events = live.history()
    docs.append({"executionArn": live.arn, "definition": live.definition, "events": events[: len(events) // 2]})
    for i, doc in enumerate(docs):
        (folder / f"run-{i:02d}.json").write_text(json.dumps(doc, default=str), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cut-short history is reported as such
        f = frames([load_history(d) for d in docs])
        store.ingest([str(folder)], str(folder.parent / "store"), progress=False)
    return Recorded(f, store.open(folder.parent / "store"), arns, live.arn)


def _expected(rec: Recorded, machines: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The runs, their durations (s) and costs, straight from the executions frame and execution_costs."""
    chosen = [a for m in machines for a in rec.arns[m]]
    ex = rec.frames.executions.assign(execution=rec.frames.executions["execution"].astype(str)).set_index("execution")
    durations = ex.loc[chosen, "duration_ms"].to_numpy(dtype=float) / 1000.0
    costs = execution_costs(rec.frames)["cost_usd"].loc[chosen].to_numpy(dtype=float)
    return chosen, durations, costs


def test_the_recordings_vary_and_one_is_unfinished(recorded: Recorded) -> None:
    ex = recorded.frames.executions.assign(execution=recorded.frames.executions["execution"].astype(str))
    status = dict(zip(ex["execution"], ex["status"].astype(str), strict=True))
    assert status[recorded.live] in ("RUNNING", "INCOMPLETE")
    _, durations, costs = _expected(recorded, ["deploy_check-2_0-3fa91c2e", "deploy_check-2_0", "deploy_check"])
    assert len(set(durations)) == len(durations) and len(set(costs)) > 2


def test_every_version_and_parameter_set_counts_and_percentiles_are_numpys(recorded: Recorded) -> None:
    chosen, durations, costs = _expected(recorded, ["deploy_check-2_0-3fa91c2e", "deploy_check-2_0", "deploy_check"])
    e = estimate_run(recorded.frames, "deploy_check")
    assert e.template == "deploy_check" and e.executions == len(chosen) == 7
    assert (e.duration_p50_s, e.duration_p95_s) == tuple(np.percentile(durations, [50, 95]))
    assert (e.cost_p50_usd, e.cost_p95_usd) == tuple(np.percentile(costs, [50, 95]))
    assert e.warnings == ()
    assert sorted(template_runs(recorded.frames, "deploy_check").index) == sorted(chosen)


def test_a_version_prefix_counts_its_parameter_sets_and_skips_the_running_run(recorded: Recorded) -> None:
    chosen, durations, _ = _expected(recorded, ["deploy_check-2_0-3fa91c2e", "deploy_check-2_0"])
    e = estimate_run(recorded.frames, "deploy_check-2_0")
    assert e.executions == len(chosen) == 5
    assert recorded.live not in template_runs(recorded.frames, "deploy_check-2_0").index
    assert e.duration_p95_s == float(np.percentile(durations, 95))


def test_a_name_sharing_the_prefix_without_a_dash_is_another_mission(recorded: Recorded) -> None:
    _, durations, _ = _expected(recorded, ["deploy_check_v2"])
    own = estimate_run(recorded.frames, "deploy_check_v2")
    assert own.executions == 2 and own.duration_p50_s == float(np.percentile(durations, 50))
    assert not set(recorded.arns["deploy_check_v2"]) & set(template_runs(recorded.frames, "deploy_check").index)


def test_few_runs_give_a_rough_estimate(recorded: Recorded) -> None:
    e = estimate_run(recorded.frames, "deploy_check-2_0-3fa91c2e")
    assert e.executions == 3
    assert e.warnings == ("only 3 recorded runs of deploy_check-2_0-3fa91c2e: the estimate is rough",)


@pytest.mark.parametrize("template", ["incident_triage", "deploy", "deploy_check-3_0"])
def test_no_matching_runs_give_no_estimate(recorded: Recorded, template: str) -> None:
    e = estimate_run(recorded.frames, template, deadline_s=1, budget_usd=0.0)
    assert e == RunEstimate(template, 0, None, None, None, None, (f"no recorded runs of {template}: no estimate",))
    assert e.lines() == [f"{template}: no recorded runs", f"no recorded runs of {template}: no estimate"]


@pytest.mark.parametrize(("limit", "p50_field", "p95_field", "spelled"), [
    ("deadline_s", "duration_p50_s", "duration_p95_s", "duration"),
    ("budget_usd", "cost_p50_usd", "cost_p95_usd", "cost $"),
])
def test_warnings_switch_exactly_at_p95_and_p50(recorded: Recorded, limit: str, p50_field: str, p95_field: str,
                                                spelled: str) -> None:
    base = estimate_run(recorded.frames, "deploy_check")
    p50, p95 = getattr(base, p50_field), getattr(base, p95_field)
    assert p50 is not None and p95 is not None and p50 < p95

    def warned(value: float) -> tuple[str, ...]:
        return estimate_run(recorded.frames, "deploy_check", **{limit: value}).warnings

    assert warned(p95) == ()
    (likely,) = warned(math.nextafter(p95, 0.0))
    assert f"is likely to be missed: p95 {spelled}" in likely and "over 7 recorded runs" in likely
    (at_p50,) = warned(p50)
    assert f"is likely to be missed: p95 {spelled}" in at_p50
    (probably,) = warned(math.nextafter(p50, 0.0))
    assert f"will probably be missed: p50 {spelled}" in probably


def test_deadline_and_budget_warnings_come_together(recorded: Recorded) -> None:
    both = estimate_run(recorded.frames, "deploy_check", deadline_s=1, budget_usd=0.0).warnings
    assert [w.split()[0] for w in both] == ["deadline", "budget"]
    assert both[1].startswith("budget $")


def test_lines_give_the_figures_then_the_warnings(recorded: Recorded) -> None:
    e = estimate_run(recorded.frames, "deploy_check-2_0-3fa91c2e", deadline_s=1)
    first, *rest = e.lines()
    assert first.startswith("deploy_check-2_0-3fa91c2e: 3 recorded runs · duration p50 ")
    assert first.endswith(f"· cost p50 {workbench.core.money.fmt_usd(e.cost_p50_usd)}, "
                          f"p95 {workbench.core.money.fmt_usd(e.cost_p95_usd)}")
    assert rest == list(e.warnings) and len(rest) == 2


@pytest.mark.parametrize("template", ["deploy_check", "deploy_check-2_0", "deploy_check-2_0-3fa91c2e",
                                      "deploy_check_v2", "incident_triage"])
def test_a_store_gives_the_same_estimate_as_frames(recorded: Recorded, template: str) -> None:
    base = estimate_run(recorded.frames, "deploy_check")  # limits between its p50 and p95: warnings to compare
    assert base.duration_p50_s is not None and base.duration_p95_s is not None
    assert base.cost_p50_usd is not None and base.cost_p95_usd is not None
    deadline, budget = (base.duration_p50_s + base.duration_p95_s) / 2, (base.cost_p50_usd + base.cost_p95_usd) / 2
    memory = estimate_run(recorded.frames, template, deadline_s=deadline, budget_usd=budget)
    stored = estimate_run(recorded.store, template, deadline_s=deadline, budget_usd=budget)
    assert (stored.template, stored.executions, stored.warnings) == (memory.template, memory.executions,
                                                                     memory.warnings)
    for name in ("duration_p50_s", "duration_p95_s", "cost_p50_usd", "cost_p95_usd"):
        want = getattr(memory, name)
        assert getattr(stored, name) == (None if want is None else pytest.approx(want, rel=1e-12))


def test_a_selection_of_frames_or_store_is_estimated_alone(recorded: Recorded) -> None:
    some = recorded.arns["deploy_check"] + recorded.arns["deploy_check_v2"]
    for source in (recorded.frames, recorded.store):
        e = estimate_run(select_executions(source, some), "deploy_check")
        assert e.executions == 2 and e.warnings[0].startswith("only 2 recorded runs")


@pytest.mark.parametrize(("kwargs", "field"), [({"template": ""}, "template"),
                                               ({"deadline_s": -1.0}, "deadline_s"),
                                               ({"budget_usd": float("nan")}, "budget_usd")])
def test_bad_input_is_a_one_line_error(recorded: Recorded, kwargs: dict[str, Any], field: str) -> None:
    args = {"template": "deploy_check", **kwargs}
    with pytest.raises(AnalysisError, match=field) as err:
        estimate_run(recorded.frames, args.pop("template"), **args)
    assert "\n" not in str(err.value)
