"""The Mission: an ordered plan of steps that call tools, compiled to a Step Functions state machine.

The file format (YAML or JSON) is documented in ``docs/mission-format.md`` and exported as JSON
Schema by ``workbench schema``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from workbench.mission.durations import Duration
from workbench.mission.faults import FaultSpec
from workbench.mission.policies import RetryPolicy
from workbench.mission.steps import (
    ChooseStep,
    MapStep,
    ParallelStep,
    QueryLanguage,
    Step,
    StepBase,
)


class ToolSpec(BaseModel):
    """A tool: its production Lambda function and, for the embedded engine, a local Python function.

    Example (YAML): ``fetch_alert: {lambda: fetch-alert, local: missions.tools.triage:fetch_alert}``
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    lambda_: str = Field(alias="lambda", min_length=1, description="Lambda function name or ARN.")
    local: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
        description="`module:function` run by the embedded engine.",
    )
    memory_mb: int = Field(default=128, ge=128, le=10240, description="Configured Lambda memory (for cost).")
    arch: Literal["x86_64", "arm64"] = "x86_64"
    description: str | None = None

    @property
    def function_name(self) -> str:
        """The bare function name, also when ``lambda`` is a full or partial ARN."""
        parts = self.lambda_.split(":")
        if self.lambda_.startswith("arn:") and len(parts) >= 7:
            return parts[6]
        return parts[0] if len(parts) <= 2 else parts[-1]


class Defaults(BaseModel):
    """Applied to every tool step that does not say otherwise; written out explicitly in the ASL."""

    model_config = ConfigDict(extra="forbid")

    retry: list[RetryPolicy] = Field(default_factory=list)
    timeout: Duration | None = Field(default=None, ge=1)
    heartbeat: Duration | None = Field(default=None, ge=1)


class LocalSettings(BaseModel):
    """Settings for local runs only: the example input and the faults to inject."""

    model_config = ConfigDict(extra="forbid")

    input: Any = Field(default=None, description="Example input used by `workbench run` without --input.")
    faults: dict[str, FaultSpec] = Field(default_factory=dict, description="Per tool name.")
    seed: int | None = None
    time_warp: bool = Field(default=False, description="Run waits and back-offs on a virtual clock.")


class Mission(BaseModel):
    """A Mission. Build it in Python or load it with :func:`workbench.mission.load_mission`.

    Example:
        >>> m = Mission.model_validate({"mission": "hello", "steps": [{"id": "greet", "pass": {"hi": 1}}]})
        >>> [s.id for s in m.walk()]
        ['greet']
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(alias="mission", min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")
    description: str | None = None
    version: str | None = None
    query_language: QueryLanguage = "JSONata"
    timeout: Duration | None = Field(default=None, ge=1, description="Whole-execution timeout.")
    tools: dict[str, ToolSpec] = Field(default_factory=dict)
    defaults: Defaults = Field(default_factory=Defaults)
    local: LocalSettings = Field(default_factory=LocalSettings)
    asl: dict[str, Any] | None = Field(default=None, description="Extra top-level ASL fields, verbatim.")
    steps: list[Step] = Field(min_length=1)

    def walk(self) -> Iterator[StepBase]:
        """Every step, depth first in document order (branch and map steps included)."""
        yield from walk_steps(self.steps)

    def step(self, step_id: str) -> StepBase:
        """The step with this id (``KeyError`` names the closest ids)."""
        for s in self.walk():
            if s.id == step_id:
                return s
        raise KeyError(f"no step '{step_id}' in mission '{self.name}'")

    def to_yaml(self) -> str:
        """The Mission as YAML in its own file format (defaults left out)."""
        from workbench.mission.loader import dump_yaml

        return dump_yaml(self)


def child_lists(step: StepBase) -> list[tuple[str, list[Any]]]:
    """The nested step lists of a step, each with a label (``branch logs``, ``map``)."""
    if isinstance(step, ParallelStep):
        return [(f"branch {name}", steps) for name, steps in step.parallel.items()]
    if isinstance(step, MapStep):
        return [("map", step.map.steps)]
    return []


def walk_steps(steps: list[Any]) -> Iterator[StepBase]:
    """Depth-first, document-order walk with an explicit stack (no recursion per step)."""
    stack: list[Iterator[Any]] = [iter(steps)]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        yield step
        for _, inner in reversed(child_lists(step)):
            stack.append(iter(inner))


def goto_targets(step: StepBase) -> list[tuple[str, str]]:
    """Every explicit jump of a step as (field, target): then, choose rules, otherwise, catches."""
    out: list[tuple[str, str]] = []
    if step.then:
        out.append(("then", step.then))
    if isinstance(step, ChooseStep):
        out += [(f"choose[{i}].goto", r.goto) for i, r in enumerate(step.choose)]
        if step.otherwise:
            out.append(("otherwise", step.otherwise))
    for i, c in enumerate(getattr(step, "catch", None) or []):
        out.append((f"catch[{i}].goto", c.goto))
    return out
