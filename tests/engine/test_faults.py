"""Fault injection: reproducible decisions, plan files, tool bindings, and Retry/Catch on the engine."""

from __future__ import annotations

import random
import re
import statistics
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.engine.run_support import lambda_arn, unique
from workbench.core.diagnostics import DiagnosticError
from workbench.engine.connect.targets import EmbeddedTarget
from workbench.engine.deploy.state_machines import deploy
from workbench.engine.embedded import shared_engine
from workbench.engine.errors import ToolBindingError
from workbench.engine.run.launch import launch
from workbench.engine.tools.bindings import ToolBinding, bind_tools, resolve_local
from workbench.engine.tools.faults import (
    FaultInjector,
    FaultPlan,
    FaultSpec,
    LatencySpec,
    ThrottleSpec,
    fault_error,
    load_fault_plan,
    with_faults,
)

ECHO = "tests.engine.run_support:echo_tool"


def decisions(seed: int, spec: FaultSpec, inputs: list[Any]) -> list[tuple[bool, bool, bool, float]]:
    injector = FaultInjector("fetch", spec, seed)
    return [(d.failed, d.timed_out, d.throttled, d.latency_ms) for d in map(injector.decide, inputs)]


# -- decisions ----------------------------------------------------------------------------------
def test_same_seed_same_faults_other_seed_other_faults() -> None:
    spec = FaultSpec(fail_rate=0.3, timeout_rate=0.1, latency=LatencySpec(dist="uniform", low_ms=5, high_ms=50))
    inputs = [{"item": i} for i in range(200)]
    first, again, other = decisions(7, spec, inputs), decisions(7, spec, inputs), decisions(8, spec, inputs)
    assert first == again
    assert first != other
    failures = sum(f for f, _, _, _ in first)
    assert 35 <= failures <= 85  # ~30% of the ~90% that did not time out


def test_decisions_follow_inputs_not_call_order() -> None:
    """A Map may call items in any order: the same items must fail."""
    spec = FaultSpec(fail_rate=0.5)
    inputs = [{"item": i} for i in range(50)]
    shuffled = inputs[:]
    random.Random(1).shuffle(shuffled)
    a = {i["item"] for i, d in zip(inputs, decisions(3, spec, inputs), strict=True) if d[0]}
    b = {i["item"] for i, d in zip(shuffled, decisions(3, spec, shuffled), strict=True) if d[0]}
    assert a == b and 0 < len(a) < 50


def test_a_retried_call_gets_a_fresh_draw() -> None:
    injector = FaultInjector("fetch", FaultSpec(fail_rate=0.5), seed=11)
    outcomes = [(injector.decide({"i": i}).failed, injector.decide({"i": i}).failed) for i in range(100)]
    assert any(first and not second for first, second in outcomes)
    assert any(second and not first for first, second in outcomes)


def test_throttling_bursts_by_call_count() -> None:
    injector = FaultInjector("fetch", FaultSpec(throttle=ThrottleSpec(burst=2, every=5)), seed=1)
    throttled = [i for i in range(15) if injector.decide({"i": i}).throttled]
    assert throttled == [0, 1, 5, 6, 10, 11]
    assert injector.stats.throttled == 6 and injector.stats.calls == 15


def test_latency_distributions() -> None:
    def sample(latency: LatencySpec, n: int = 400) -> list[float]:
        injector = FaultInjector("t", FaultSpec(latency=latency), seed=5)
        return [injector.decide({"i": i}).latency_ms for i in range(n)]

    assert set(sample(LatencySpec(dist="fixed", ms=40), 10)) == {40.0}
    uniform = sample(LatencySpec(dist="uniform", low_ms=10, high_ms=20))
    assert min(uniform) >= 10 and max(uniform) <= 20 and max(uniform) - min(uniform) > 8
    lognormal = sample(LatencySpec(dist="lognormal", median_ms=100, sigma=0.5))
    assert 85 <= statistics.median(lognormal) <= 115 and max(lognormal) > 150


def test_time_warp_skips_sleeping_but_records_latency() -> None:
    slept: list[float] = []
    spec = FaultSpec(latency=LatencySpec(dist="fixed", ms=250))
    warped = FaultInjector("t", spec, seed=1)
    tool = with_faults(lambda e, c: e, warped, time_warp=True, sleep=slept.append)
    assert tool({"a": 1}, None) == {"a": 1} and slept == []
    assert warped.stats.simulated_ms == 250 and warped.stats.slept_ms == 0
    real = FaultInjector("t", spec, seed=1)
    tool = with_faults(lambda e, c: e, real, latency_scale=0.1, sleep=slept.append)
    tool({"a": 1}, None)
    assert slept == [pytest.approx(0.025)] and real.stats.slept_ms == pytest.approx(25)


def test_fault_errors_carry_the_error_name() -> None:
    lambda_error = fault_error("Lambda.TooManyRequestsException", "slow down")
    assert isinstance(lambda_error, ClientError)
    assert lambda_error.response["Error"] == {"Code": "TooManyRequestsException", "Message": "slow down"}
    custom = fault_error("Inventory.Unavailable", "gone")
    assert type(custom).__name__ == "Inventory.Unavailable" and str(custom) == "gone"
    assert type(fault_error("Inventory.Unavailable", "again")) is type(custom)


# -- plans --------------------------------------------------------------------------------------
def test_fault_plan_loads_from_yaml_and_json(tmp_path: Path) -> None:
    yaml_file = tmp_path / "faults.yaml"
    yaml_file.write_text(
        "seed: 42\ntools:\n  fetch:\n    fail_rate: 0.25\n    error: Fetch.Down\n"
        "    latency: {dist: lognormal, median_ms: 80, sigma: 0.3}\n    throttle: {burst: 1, every: 10}\n"
    )
    plan = load_fault_plan(yaml_file)
    assert plan.seed == 42 and plan.tools["fetch"].error == "Fetch.Down"
    assert plan.tools["fetch"].throttle == ThrottleSpec(burst=1, every=10)
    json_file = tmp_path / "faults.json"
    json_file.write_text(plan.model_dump_json())
    assert load_fault_plan(json_file) == plan
    mission_style = tmp_path / "local.yaml"
    mission_style.write_text("seed: 3\nfaults:\n  fetch: {timeout_rate: 0.1}\n")
    assert load_fault_plan(mission_style).tools["fetch"].timeout_rate == 0.1


def test_fault_plan_errors_name_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "faults.yaml"
    bad.write_text("seed: 1\ntools:\n  fetch:\n    error: X\n    fail_rate: 2\n")
    with pytest.raises(DiagnosticError) as info:
        load_fault_plan(bad)
    diagnostic = info.value.diagnostics[0]
    assert (diagnostic.file, diagnostic.line, diagnostic.location) == (str(bad), 5, "tools.fetch.fail_rate")
    assert "faults.yaml:5" in str(info.value)
    typo = tmp_path / "typo.yaml"
    typo.write_text("tools:\n  fetch:\n    fail_rat: 0.1\n")
    with pytest.raises(DiagnosticError, match="fail_rat"):
        load_fault_plan(typo)
    with pytest.raises(DiagnosticError, match="cannot read fault plan"):
        load_fault_plan(tmp_path / "missing.yaml")


# -- local tools --------------------------------------------------------------------------------
def test_resolve_local_names_the_spec_in_errors() -> None:
    assert resolve_local("tests.engine.run_support:echo_tool")({"a": 1}, None) == {"echo": {"a": 1}}
    with pytest.raises(ToolBindingError, match=r"'no_such_module_x:f'.*cannot import module 'no_such_module_x'"):
        resolve_local("no_such_module_x:f")
    with pytest.raises(ToolBindingError, match=r"'json:nope'.*has no attribute 'nope'"):
        resolve_local("json:nope")
    with pytest.raises(ToolBindingError, match=re.escape("must look like 'package.module:function'")):
        resolve_local("json.dumps")
    with pytest.raises(ToolBindingError, match="not a function"):
        resolve_local("json:__doc__")


def test_bind_tools_refuses_faults_for_unknown_tools_and_missing_locals() -> None:
    engine = shared_engine(time_warp=True)
    tools = [ToolBinding(name="fetch", lambda_function="fetch-x", local=ECHO)]
    with pytest.raises(ToolBindingError, match=r"unknown tool.*fecth.*known tools: fetch"):
        bind_tools(engine, tools, FaultPlan(tools={"fecth": FaultSpec(fail_rate=1)}))
    with pytest.raises(ToolBindingError, match="'bare' has no local implementation"):
        bind_tools(engine, [ToolBinding(name="bare", lambda_function="bare-fn")])


# -- on the embedded engine ---------------------------------------------------------------------
def task(function: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": lambda_arn(function), **extra}


@pytest.fixture(scope="module")
def warped() -> EmbeddedTarget:
    target = EmbeddedTarget(shared_engine(time_warp=True))
    assert target.time_warp
    return target


def test_retry_fires_on_the_injected_error_and_catch_catches_it(warped: EmbeddedTarget) -> None:
    function = unique("always-down")
    tools = [ToolBinding(name="fetch", lambda_function=lambda_arn(function), local=ECHO)]
    plan = FaultPlan(seed=1, tools={"fetch": FaultSpec(fail_rate=1.0, error="Fetch.Down", message="backend down")})
    definition = {
        "StartAt": "Fetch",
        "States": {
            "Fetch": task(function, Retry=[{"ErrorEquals": ["Fetch.Down"], "MaxAttempts": 2, "IntervalSeconds": 5}],
                          Catch=[{"ErrorEquals": ["Fetch.Down"], "ResultPath": "$.failure", "Next": "Recovered"}],
                          End=True),
            "Recovered": {"Type": "Pass", "End": True},
        },
    }
    with warped.bind_tools(tools, plan) as bound:
        run = launch(warped, deploy(warped, unique("retry-catch"), definition), {"id": 1}).wait(progress=False)
    assert run.status == "SUCCEEDED"
    assert run.output["failure"]["Error"] == "Fetch.Down"
    failed = [e for e in run.history() if e["type"] == "LambdaFunctionFailed"]
    assert [e["lambdaFunctionFailedEventDetails"]["error"] for e in failed] == ["Fetch.Down"] * 3
    assert bound.stats()["fetch"].calls == 3 and bound.stats()["fetch"].failures == 3


def map_over_items(function: str, count: int) -> dict[str, Any]:
    """A Map whose items each call the tool, and record 'ok' or the caught error."""
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 4, "End": True,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Call",
                    "States": {
                        "Call": task(function, ResultSelector={"ok": True}, End=True,
                                     Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]),
                        "Failed": {"Type": "Pass", "Parameters": {"ok": False, "error.$": "$.Error"}, "End": True},
                    },
                },
            }
        },
    }


def run_map(target: EmbeddedTarget, seed: int, count: int = 24) -> list[bool]:
    function = unique("flaky")
    tools = [ToolBinding(name="fetch", lambda_function=function, local=ECHO)]
    plan = FaultPlan(seed=seed, tools={"fetch": FaultSpec(fail_rate=0.4)})
    with bind_tools(target.engine, tools, plan):
        deployment = deploy(target, unique("map-faults"), map_over_items(function, count))
        run = launch(target, deployment, {"items": list(range(count))}).wait(progress=False)
    assert run.status == "SUCCEEDED"
    assert {r.get("error") for r in run.output if not r["ok"]} <= {"ToolError"}
    return [bool(r["ok"]) for r in run.output]


def test_same_seed_fails_the_same_items_on_the_engine(warped: EmbeddedTarget) -> None:
    first, again, other = run_map(warped, 21), run_map(warped, 21), run_map(warped, 22)
    assert first == again
    assert first != other
    assert 0 < first.count(False) < len(first)


def test_injected_throttling_is_retried_like_lambda(warped: EmbeddedTarget) -> None:
    function = unique("throttled")
    tools = [ToolBinding(name="fetch", lambda_function=function, local=ECHO)]
    plan = FaultPlan(tools={"fetch": FaultSpec(throttle=ThrottleSpec(burst=2, every=10))})
    retry = [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 3, "IntervalSeconds": 2}]
    definition = {"StartAt": "Fetch", "States": {"Fetch": task(function, Retry=retry, End=True)}}
    with bind_tools(warped.engine, tools, plan):
        run = launch(warped, deploy(warped, unique("throttle"), definition), {"q": 1}).wait(progress=False)
    assert (run.status, run.output) == ("SUCCEEDED", {"echo": {"q": 1}})
    failed = [e for e in run.history() if e["type"] == "LambdaFunctionFailed"]
    errors = [e["lambdaFunctionFailedEventDetails"]["error"] for e in failed]
    assert errors == ["Lambda.TooManyRequestsException"] * 2


def timeout_machine(function: str, timeout_seconds: int | None) -> dict[str, Any]:
    call = task(function, End=True, Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Late"}])
    if timeout_seconds:
        call["TimeoutSeconds"] = timeout_seconds
    return {"StartAt": "Fetch", "States": {"Fetch": call, "Late": {"Type": "Pass", "End": True}}}


def run_timeout(target: EmbeddedTarget, timeout_seconds: int | None) -> Any:
    function = unique("slowtool")
    tools = [ToolBinding(name="fetch", lambda_function=function, local=ECHO)]
    plan = FaultPlan(seed=1, tools={"fetch": FaultSpec(timeout_rate=1.0)})
    with bind_tools(target.engine, tools, plan):
        deployment = deploy(target, unique("timeout"), timeout_machine(function, timeout_seconds))
        return launch(target, deployment, {"x": 1}).wait(timeout=30, progress=False)


def test_timeout_outlasts_the_task_timer_without_time_warp() -> None:
    run = run_timeout(EmbeddedTarget(shared_engine()), timeout_seconds=1)
    assert run.status == "SUCCEEDED" and run.output["failure"]["Error"] == "States.Timeout"
    assert any(e["type"] == "LambdaFunctionTimedOut" for e in run.history())


def test_timeout_without_task_timeout_is_a_lambda_timeout(warped: EmbeddedTarget) -> None:
    run = run_timeout(warped, timeout_seconds=None)
    assert run.output["failure"]["Error"] == "Sandbox.Timedout"


def test_timeout_is_simulated_under_time_warp(warped: EmbeddedTarget) -> None:
    run = run_timeout(warped, timeout_seconds=300)
    assert run.output["failure"]["Error"] == "States.Timeout"
