"""The launcher's target settings → an engine Target whose calls pass a :class:`LaunchGate` (Stop before start).

Starting a Mission is :mod:`workbench.engine.run.mission`'s job; this module only makes that start cancellable.
Every Step Functions call the launch makes (deploy, then start) and the binding of local tools ask the gate
first, so a Stop pressed while deploying refuses everything after it: the execution is never started, even
when the deploy it interrupted finishes late.
"""

from __future__ import annotations

import threading
from typing import Any

from workbench.core.diagnostics import WorkbenchError
from workbench.engine.connect.targets import AwsTarget, EmbeddedTarget, EndpointTarget, Target
from workbench.engine.run.mission import MissionRun, start_mission, tool_bindings, workbench_engine_tools
from workbench.engine.tools.bindings import BoundTools, ToolBinding
from workbench.engine.tools.faults import FaultPlan
from workbench.widgets.launcher.launch_settings import TargetChoice

__all__ = ["LaunchCancelled", "LaunchGate", "MissionRun", "build_target", "rebind_tools", "start_mission",
           "workbench_engine_tools"]

#: The calls that start an execution: once one has passed the gate, Stop means StopExecution.
START_OPERATIONS = frozenset({"start_execution", "start_sync_execution"})


class LaunchCancelled(WorkbenchError):
    """Stop was pressed before the execution started: nothing more is deployed, bound or started."""


class LaunchGate:
    """Between Launch and the start of the execution, Stop cancels; after it, Stop must stop the execution.

    Example:
        >>> gate = LaunchGate()
        >>> gate.enter("create_state_machine"); gate.cancel(), gate.cancelled
        (True, True)
        >>> late = LaunchGate(); late.enter("start_execution"); late.cancel()
        False
    """

    def __init__(self, *, started: bool = False) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._started = started

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def started(self) -> bool:
        """True once a start call has been let through (it may still be on its way)."""
        return self._started

    def enter(self, operation: str) -> None:
        """Called before each call of the launch; raises :class:`LaunchCancelled` once Stop was pressed."""
        with self._lock:
            if self._cancelled:
                raise LaunchCancelled(f"stopped before start: {operation} not sent")
            if operation in START_OPERATIONS:
                self._started = True

    def cancel(self) -> bool:
        """Cancel the launch if nothing has started yet; True when it was cancelled (no execution)."""
        with self._lock:
            if self._started:
                return False
            self._cancelled = True
            return True


class _Gated:
    """Mixin: every Step Functions call asks the gate first."""

    gate: LaunchGate | None = None

    def call(self, operation: str, /, **params: Any) -> dict[str, Any]:
        if self.gate is not None:
            self.gate.enter(operation)
        result: dict[str, Any] = super().call(operation, **params)  # type: ignore[misc]
        return result


class GatedEmbeddedTarget(_Gated, EmbeddedTarget):
    """The embedded engine, with its calls and its tool binding behind a :class:`LaunchGate`."""

    def bind_tools(self, bindings: Any, faults: FaultPlan | None = None, seed: int | None = None) -> BoundTools:
        if self.gate is not None:
            self.gate.enter("bind_tools")
        return super().bind_tools(bindings, faults, seed)


class GatedEndpointTarget(_Gated, EndpointTarget):
    """A Step Functions endpoint behind a :class:`LaunchGate`."""


class GatedAwsTarget(_Gated, AwsTarget):
    """AWS behind a :class:`LaunchGate`."""


def build_target(choice: TargetChoice, faults: FaultPlan | None = None, gate: LaunchGate | None = None) -> Target:
    """The engine target for the launcher's settings (faults apply to the embedded engine only).

    With ``gate``, every call the launch makes asks it first, so a Stop pressed while deploying cancels.

    Example:
        >>> build_target(TargetChoice(kind="endpoint", url="http://127.0.0.1:4599")).kind
        'endpoint'
    """
    target: GatedEmbeddedTarget | GatedAwsTarget | GatedEndpointTarget
    if choice.kind == "embedded":
        target = GatedEmbeddedTarget(time_warp=choice.time_warp, faults=faults)
    elif choice.kind == "aws":
        target = GatedAwsTarget(profile=choice.profile or None, region=choice.region or None,
                                role_arn=choice.role_arn or None)
    else:
        target = GatedEndpointTarget(choice.url or None, region=choice.region or None,
                                     profile=choice.profile or None, env_file=choice.env_file or None)
    target.gate = gate
    return target


def local_bindings(mission: Any) -> list[ToolBinding]:
    """The Mission's tools that have a local function (what the embedded engine runs)."""
    return [b for b in tool_bindings(mission) if b.local]


def rebind_tools(run: MissionRun, faults: FaultPlan | None) -> None:
    """Bind the run's local tools again with ``faults`` (e.g. none, before a redrive); embedded engine only.

    The run still holds its tools' names, so the new functions replace the old ones under the same hold.
    """
    target = run.execution.target
    mission = run.execution.mission
    if run.bound is None or not isinstance(target, EmbeddedTarget) or mission is None:
        return
    run.bound = target.bind_tools(local_bindings(mission), faults if faults is not None else FaultPlan())
