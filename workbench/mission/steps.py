"""Step kinds of a Mission. One small type per kind, mirroring ASL's state types.

A step's kind is the key that names it (``tool``, ``task``, ``choose``, ``parallel``, ``map``,
``wait``, ``pass``, ``succeed``, ``fail``), so YAML stays short: ``{id: fetch, tool: fetch_alert}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from workbench.mission.durations import Duration, PositiveDuration, parse_duration
from workbench.mission.policies import CatchPolicy, RetryPolicy

QueryLanguage = Literal["JSONata", "JSONPath"]
STATE_NAME_MAX = 80


def is_expression(text: str) -> bool:
    """A JSONata expression (``{% ... %}``) or a JSONPath (``$.x``, ``$$.Execution``, ``$var``)."""
    stripped = text.strip()
    return (stripped.startswith("{%") and stripped.endswith("%}")) or stripped.startswith("$")


class StepBase(BaseModel):
    """Fields every step has. ``asl`` is the escape hatch: ASL fields copied verbatim into the state."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(min_length=1, max_length=STATE_NAME_MAX, description="Unique step id; the ASL state name.")
    comment: str | None = Field(default=None, description="Shown as the state's Comment.")
    then: str | None = Field(default=None, description="Step to go to next (default: the following step).")
    end: bool = Field(default=False, description="End this list of steps here.")
    query_language: QueryLanguage | None = Field(default=None, description="Override the Mission's.")
    assign: dict[str, Any] | None = Field(default=None, description="Variables to set (ASL Assign).")
    asl: dict[str, Any] | None = Field(default=None, description="Extra ASL fields, copied verbatim.")

    @property
    def kind(self) -> str:
        return KIND_OF[type(self)]

    @property
    def terminal(self) -> bool:
        """Steps that never continue to another step on their own."""
        return False

    @model_validator(mode="after")
    def _flow(self) -> StepBase:
        if self.terminal and (self.then or self.end):
            field = "then" if self.then else "end"
            if isinstance(self, ChooseStep):
                raise ValueError(f"a choose step goes where its rules say: remove `{field}` "
                                 "(use `otherwise` for the default)")
            raise ValueError(f"a {self.kind} step always stops the Mission here: remove `{field}`")
        if self.then and self.end:
            raise ValueError("a step either goes on (`then`) or ends its list (`end: true`), not both")
        return self


class ErrorHandling(BaseModel):
    """Retry/catch/timeout for steps that can fail (tool, task, parallel, map)."""

    retry: list[RetryPolicy] | None = Field(default=None, description="Overrides the Mission default; [] = none.")
    catch: list[CatchPolicy] = Field(default_factory=list)
    save_as: str | None = Field(default=None, description="Store the step's result under this name.")
    output: Any = Field(default=None, description="Shape the state's output (JSONata Output).")


class ToolStep(StepBase, ErrorHandling):
    """Call a tool of the Mission's registry (``arn:aws:states:::lambda:invoke``)."""

    tool: str = Field(description="Name of a tool in the Mission's `tools`.")
    args: Any = Field(default=None, description="The tool's payload (default: the step's input).")
    result: dict[str, Any] | None = Field(default=None, description="JSONPath ResultSelector.")
    timeout: PositiveDuration | None = Field(default=None)
    heartbeat: PositiveDuration | None = Field(default=None)


class TaskStep(StepBase, ErrorHandling):
    """Any other Task resource (service integrations, activities, HTTP); fields go in ``asl``."""

    task: str = Field(description="The Task's Resource ARN.")
    timeout: PositiveDuration | None = Field(default=None)
    heartbeat: PositiveDuration | None = Field(default=None)


class ChoiceRule(BaseModel):
    """``when`` is a JSONata condition (``{% ... %}``) or, in JSONPath Missions, an ASL rule object."""

    model_config = ConfigDict(extra="forbid")

    when: str | dict[str, Any]
    goto: str
    assign: dict[str, Any] | None = None
    output: Any = None
    comment: str | None = None


class ChooseStep(StepBase):
    """Branch on conditions (ASL Choice)."""

    choose: list[ChoiceRule] = Field(min_length=1)
    otherwise: str | None = Field(default=None, description="Step to go to when no rule matches.")
    output: Any = None

    @property
    def terminal(self) -> bool:
        return True  # a Choice has no Next of its own: only its rules and otherwise


class ParallelStep(StepBase, ErrorHandling):
    """Run named branches at the same time (ASL Parallel); each branch is a list of steps."""

    parallel: dict[str, Annotated[list[Step], Field(min_length=1)]] = Field(
        min_length=1, description="Branch name → its steps (the name becomes the branch's Comment).")
    args: Any = Field(default=None, description="Input of every branch (JSONata Arguments / JSONPath Parameters).")
    branch_comments: bool = Field(
        default=True, description="Write each branch name as its Comment (false: imported ASL had none).")


class MapSpec(BaseModel):
    """What a map step iterates over and how."""

    model_config = ConfigDict(extra="forbid")

    items: Any = Field(description="JSONata expression or JSONPath (ItemsPath) giving the array.")
    steps: list[Step] = Field(min_length=1)
    max_concurrency: int | None = Field(default=None, ge=0)
    tolerated_failures: int | None = Field(default=None, ge=0)
    tolerated_failure_percentage: float | None = Field(default=None, ge=0, le=100)
    mode: Literal["inline", "distributed"] = "inline"
    execution_type: Literal["STANDARD", "EXPRESS"] | None = None
    item_selector: Any = None
    label: str | None = None
    legacy: Literal["iterator", "no_config"] | None = Field(
        default=None,
        description="ASL spellings kept from imported ASL, same behaviour: `iterator` writes the older `Iterator` "
        "field; on inline maps both leave out ProcessorConfig (no_config: ItemProcessor without it).",
    )


class MapStep(StepBase, ErrorHandling):
    """Run steps for every item of an array (ASL Map)."""

    map: MapSpec


class WaitSpec(BaseModel):
    """Wait a duration (``seconds``) or until a timestamp (``until``); either may be an expression."""

    model_config = ConfigDict(extra="forbid")

    seconds: Duration | str | None = None
    until: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _expression_or_duration(cls, data: Any) -> Any:
        seconds = data.get("seconds") if isinstance(data, dict) else None
        if isinstance(seconds, str) and not is_expression(seconds):
            return {**data, "seconds": parse_duration(seconds)}
        return data

    @model_validator(mode="after")
    def _one_of(self) -> WaitSpec:
        if (self.seconds is None) == (self.until is None):
            raise ValueError("a wait needs exactly one of `seconds` or `until`")
        return self


def _short_wait_schema(schema: dict[str, Any]) -> None:
    """Let editors accept the short form ``wait: 30s`` / ``wait: 90`` / ``wait: '{% ... %}'`` too."""
    spec = schema["properties"]["wait"]
    schema["properties"]["wait"] = {"anyOf": [spec, {"type": "integer", "minimum": 0}, {"type": "string"}],
                                    "description": "A WaitSpec, or its `seconds` alone."}


class WaitStep(StepBase):
    """Pause (ASL Wait). ``wait: 30s`` or ``wait: {until: "2030-01-01T00:00:00Z"}``."""

    model_config = ConfigDict(json_schema_extra=lambda schema, _: _short_wait_schema(schema))

    wait: WaitSpec

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and not isinstance(data.get("wait"), dict | None):
            return {**data, "wait": {"seconds": data["wait"]}}
        return data


class PassStep(StepBase):
    """Set or reshape data (ASL Pass). ``pass`` is the output value (JSONata) or Result (JSONPath)."""

    pass_: Any = Field(alias="pass", description="The output (JSONata) or Result (JSONPath); null passes input.")
    save_as: str | None = None
    output: Any = None


class SucceedStep(StepBase):
    """Stop successfully (ASL Succeed)."""

    succeed: bool = Field(description="Always true; names the kind.")

    @property
    def terminal(self) -> bool:
        return True


class FailSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    error: str | None = None
    cause: str | None = None


class FailStep(StepBase):
    """Stop with an error (ASL Fail)."""

    fail: FailSpec

    @property
    def terminal(self) -> bool:
        return True


KIND_OF: dict[type[StepBase], str] = {
    ToolStep: "tool",
    TaskStep: "task",
    ChooseStep: "choose",
    ParallelStep: "parallel",
    MapStep: "map",
    WaitStep: "wait",
    PassStep: "pass",
    SucceedStep: "succeed",
    FailStep: "fail",
}
STEP_KINDS: tuple[str, ...] = tuple(KIND_OF.values())


def step_kind(value: Any) -> str | None:
    """The kind of a raw step mapping (the first kind key it has), or of a Step object."""
    if isinstance(value, StepBase):
        return value.kind
    if isinstance(value, dict):
        for kind in STEP_KINDS:
            if kind in value:
                return kind
    return None


Step = Annotated[
    Union[  # noqa: UP007 - pydantic's tagged unions read clearer this way
        Annotated[ToolStep, Tag("tool")],
        Annotated[TaskStep, Tag("task")],
        Annotated[ChooseStep, Tag("choose")],
        Annotated[ParallelStep, Tag("parallel")],
        Annotated[MapStep, Tag("map")],
        Annotated[WaitStep, Tag("wait")],
        Annotated[PassStep, Tag("pass")],
        Annotated[SucceedStep, Tag("succeed")],
        Annotated[FailStep, Tag("fail")],
    ],
    Discriminator(
        step_kind,
        custom_error_type="step_kind",
        custom_error_message="a step needs one kind key: " + ", ".join(STEP_KINDS),
    ),
]

for _model in (ParallelStep, MapSpec, MapStep):
    _model.model_rebuild()
