"""Run a Mission in one call: compile, bind local tools (with faults), deploy, launch, wait.

This is the path ``workbench run``, ``make demo``, the Launcher and the notebooks share, so the
embedded engine and AWS are driven by the same boto3 calls; only the target differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.asl.compiler import compile_mission
from workbench.engine.deploy import Deployment, deploy
from workbench.engine.faults import FaultPlan
from workbench.engine.launch import Execution, launch
from workbench.engine.targets import EmbeddedTarget, EndpointTarget, Target
from workbench.engine.tools import ToolBinding
from workbench.mission.loader import load_mission
from workbench.mission.model import Mission


def mission_fault_plan(mission: Mission, seed: int | None = None) -> FaultPlan | None:
    """The faults declared in the Mission's ``local:`` section (None when it declares none)."""
    if not mission.local.faults:
        return None
    return FaultPlan.from_local(mission.local.faults, seed if seed is not None else mission.local.seed)


def resolve_target(
    target: str | Target = "embedded",
    *,
    mission: Mission | None = None,
    time_warp: bool | None = None,
    faults: FaultPlan | None = None,
    profile: str | None = None,
    region: str | None = None,
    role_arn: str | None = None,
) -> Target:
    """A Target from a spec (``embedded``, ``aws``, or an endpoint URL), with the Mission's local settings."""
    if isinstance(target, Target):
        return target
    warp = time_warp if time_warp is not None else bool(mission and mission.local.time_warp)
    return Target.parse(target, profile=profile, region=region, role_arn=role_arn, time_warp=warp, faults=faults)


def bind_mission_tools(target: Target, mission: Mission, faults: FaultPlan | None = None) -> None:
    """Serve the Mission's local tool implementations on a local target (no-op on AWS).

    On the embedded engine the tools run in this process, wrapped with fault injection; on an
    endpoint started with ``workbench engine serve`` the engine imports them by ``module:function``.
    """
    local = {name: spec for name, spec in mission.tools.items() if spec.local}
    if isinstance(target, EmbeddedTarget):
        target.bind_tools([ToolBinding.from_spec(name, spec) for name, spec in local.items()], faults)
    elif isinstance(target, EndpointTarget) and local:
        from workbench.engine.embedded import register_remote_tools

        register_remote_tools(str(target.endpoint_url),
                              {spec.function_name: str(spec.local) for spec in local.values()})


def deploy_mission(target: Target, mission: Mission, *, substitutions: dict[str, str] | None = None,
                   alias: str | None = None, type: str = "STANDARD") -> Deployment:
    """Compile and deploy a Mission idempotently (a re-deploy of the same definition creates nothing)."""
    return deploy(target, mission.name, compile_mission(mission), substitutions=substitutions, alias=alias,
                  type=type)  # type: ignore[arg-type]


def run_mission(
    mission: Mission | str | Path,
    input: Any = None,
    *,
    target: str | Target = "embedded",
    name: str | None = None,
    faults: FaultPlan | None = None,
    inject_faults: bool = True,
    seed: int | None = None,
    time_warp: bool | None = None,
    substitutions: dict[str, str] | None = None,
    wait: bool = True,
    progress: bool = True,
    timeout: float | None = None,
    **target_options: Any,
) -> Execution:
    """Run a Mission and (by default) wait for it; returns the :class:`Execution` handle.

    ``input`` defaults to the Mission's ``local.input``; ``faults`` to its ``local.faults`` (on local
    targets only; ``inject_faults=False`` turns them off); ``time_warp`` to ``local.time_warp``.

    Example:
        >>> from workbench.engine.run import run_mission
        >>> execution = run_mission("missions/incident_triage.yaml", time_warp=True)  # doctest: +SKIP
        >>> execution.status  # doctest: +SKIP
        'SUCCEEDED'
    """
    if not isinstance(mission, Mission):
        mission = load_mission(mission)
    plan = faults if faults is not None else (mission_fault_plan(mission, seed) if inject_faults else None)
    resolved = resolve_target(target, mission=mission, time_warp=time_warp, faults=plan, **target_options)
    bind_mission_tools(resolved, mission, plan)
    deployment = deploy_mission(resolved, mission, substitutions=substitutions)
    execution = launch(resolved, deployment, mission.local.input if input is None else input, name=name)
    if wait:
        execution.wait(timeout=timeout, progress=progress)
    return execution
