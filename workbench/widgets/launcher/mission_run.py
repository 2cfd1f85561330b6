"""The launcher's target settings → an engine Target. Starting a Mission is :mod:`workbench.engine.run`'s job."""

from __future__ import annotations

from workbench.engine.faults import FaultPlan
from workbench.engine.run import MissionRun, start_mission, workbench_engine_tools
from workbench.engine.targets import Target
from workbench.widgets.launcher.launch_settings import TargetChoice

__all__ = ["MissionRun", "build_target", "start_mission", "workbench_engine_tools"]


def build_target(choice: TargetChoice, faults: FaultPlan | None = None) -> Target:
    """The engine target for the launcher's settings (faults apply to the embedded engine only).

    Example:
        >>> build_target(TargetChoice(kind="endpoint", url="http://127.0.0.1:4599")).kind
        'endpoint'
    """
    if choice.kind == "embedded":
        return Target.parse("embedded", time_warp=choice.time_warp, faults=faults)
    if choice.kind == "aws":
        return Target.parse("aws", profile=choice.profile or None, region=choice.region or None,
                            role_arn=choice.role_arn or None)
    return Target.parse(choice.url or "endpoint", region=choice.region or None, profile=choice.profile or None,
                        env_file=choice.env_file or None)
