"""Retry and catch policies: the error-handling vocabulary shared by tool, task, parallel and map steps."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from workbench.mission.durations import PositiveDuration


class RetryPolicy(BaseModel):
    """Retry a failed step: ASL ``Retry`` with explicit values for every field AWS would default.

    Example (YAML): ``{errors: [Lambda.TooManyRequestsException], interval: 2s, max_attempts: 3, backoff: 2}``
    """

    model_config = ConfigDict(extra="forbid")

    errors: list[str] = Field(default_factory=lambda: ["States.ALL"], min_length=1)
    interval: PositiveDuration = Field(default=1, description="Seconds before the first retry (IntervalSeconds).")
    max_attempts: int = Field(default=3, ge=0, le=99999999, description="Retries after the first try.")
    backoff: float = Field(default=2.0, ge=1.0, description="Multiplier of the interval per retry (BackoffRate).")
    max_delay: PositiveDuration | None = Field(default=None, description="Cap of one back-off (MaxDelaySeconds).")
    jitter: Literal["FULL", "NONE"] | None = Field(default=None, description="JitterStrategy.")
    comment: str | None = None


class CatchPolicy(BaseModel):
    """Catch an error and go to another step, keeping the error under a name.

    Example (YAML): ``{errors: [States.ALL], goto: page_human, save_as: failure}``
    """

    model_config = ConfigDict(extra="forbid")

    errors: list[str] = Field(default_factory=lambda: ["States.ALL"], min_length=1)
    goto: str
    save_as: str | None = Field(
        default=None,
        description="Keep the error output: a variable (JSONata) or $.<name> (JSONPath).",
    )
    result_path: str | None = Field(default=None, description="JSONPath only: where the error goes.")
    output: Any = Field(default=None, description="JSONata only: the state's output after the catch.")
    assign: dict[str, Any] | None = None
    comment: str | None = None
