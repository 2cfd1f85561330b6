"""The Mission: an ordered plan of steps that call tools, compiled to a Step Functions state machine.

The file format (YAML or JSON) is documented in ``docs/mission-format.md`` and exported as JSON
Schema by ``workbench schema``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from workbench.core.lambda_names import function_name
from workbench.mission.durations import PositiveDuration
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

if TYPE_CHECKING:
    from workbench.mission.positions import PathKey, PositionedDocument


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
        """The bare function name, also when ``lambda`` is a full or partial ARN (qualifier dropped).

        Example:
            >>> ToolSpec.model_validate({"lambda": "123456789012:function:fetch-alert:prod"}).function_name
            'fetch-alert'
        """
        return function_name(self.lambda_)


class Defaults(BaseModel):
    """Applied to every tool step that does not say otherwise; written out explicitly in the ASL."""

    model_config = ConfigDict(extra="forbid")

    retry: list[RetryPolicy] = Field(default_factory=list)
    timeout: PositiveDuration | None = Field(default=None)
    heartbeat: PositiveDuration | None = Field(default=None)


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
    timeout: PositiveDuration | None = Field(default=None, description="Whole-execution timeout.")
    tools: dict[str, ToolSpec] = Field(default_factory=dict)
    defaults: Defaults = Field(default_factory=Defaults)
    local: LocalSettings = Field(default_factory=LocalSettings)
    asl: dict[str, Any] | None = Field(default=None, description="Extra top-level ASL fields, verbatim.")
    tests: list[Any] | dict[str, Any] | None = Field(
        default=None, description="Mission test cases for `workbench test` (docs/mission-tests.md); never compiled.")
    steps: list[Step] = Field(min_length=1)

    _source: Any = PrivateAttr(default=None)

    def walk(self) -> Iterator[StepBase]:
        """Every step, depth first in document order (branch and map steps included)."""
        yield from walk_steps(self.steps)

    def located(self) -> Iterator[StepAt]:
        """Every step with its document path and effective query language, depth first."""
        yield from walk_located(self.steps, self.query_language)

    def step(self, step_id: str) -> StepBase:
        """The step with this id (``KeyError`` names the closest ids).

        Example:
            >>> m = Mission.model_validate({"mission": "m", "steps": [{"id": "fetch", "pass": 1}]})
            >>> m.step("fetch").kind
            'pass'
        """
        ids = []
        for s in self.walk():
            if s.id == step_id:
                return s
            ids.append(s.id)
        close = difflib.get_close_matches(step_id, ids, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"no step '{step_id}' in mission '{self.name}'{hint}")

    def __eq__(self, other: object) -> bool:
        """Same content: where a Mission was loaded from (its source positions) does not count."""
        if not isinstance(other, Mission):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    def attach_source(self, source: PositionedDocument | None) -> None:
        """Remember the parsed file this Mission came from, so checks can name lines and columns."""
        self._source = source

    @property
    def source(self) -> PositionedDocument | None:
        """The parsed file (positions of every key) when loaded from text, else ``None``."""
        return self._source  # type: ignore[no-any-return]

    def to_yaml(self) -> str:
        """The Mission as YAML in its own file format (defaults left out)."""
        from workbench.mission.loader import dump_yaml

        return dump_yaml(self)


def child_lists(step: StepBase) -> list[tuple[str, list[Any]]]:
    """The nested step lists of a step, each with a label (``branch logs``, ``map``)."""
    return [(label, steps) for label, _, steps in child_lists_at(step)]


def child_lists_at(step: StepBase) -> list[tuple[str, tuple[str, ...], list[Any]]]:
    """The nested step lists of a step: label, path inside the step (``("parallel", "logs")``), steps."""
    if isinstance(step, ParallelStep):
        return [(f"branch {name}", ("parallel", name), steps) for name, steps in step.parallel.items()]
    if isinstance(step, MapStep):
        return [("map", ("map", "steps"), step.map.steps)]
    return []


class StepAt(NamedTuple):
    """A step with where it sits: its document path, effective query language and enclosing step."""

    path: PathKey
    step: StepBase
    language: QueryLanguage
    parent: StepBase | None
    inherited: QueryLanguage  # the language of the enclosing list (the parent step's, or the Mission's)


def walk_located(steps: list[Any], language: QueryLanguage, path: PathKey = ("steps",)) -> Iterator[StepAt]:
    """Like :func:`walk_steps`, with paths and the query language each step runs in (inherited downwards)."""
    stack: list[tuple[Iterator[tuple[int, Any]], PathKey, QueryLanguage, StepBase | None]] = [
        (enumerate(steps), path, language, None)]
    while stack:
        items, base, inherited, parent = stack[-1]
        entry = next(items, None)
        if entry is None:
            stack.pop()
            continue
        i, step = entry
        ql: QueryLanguage = step.query_language or inherited
        yield StepAt((*base, i), step, ql, parent, inherited)
        for _, inner_path, inner in reversed(child_lists_at(step)):
            stack.append((enumerate(inner), (*base, i, *inner_path), ql, step))


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
    for i, c in enumerate(step.__dict__.get("catch") or []):  # getattr on a missing field is slow
        out.append((f"catch[{i}].goto", c.goto))
    return out
