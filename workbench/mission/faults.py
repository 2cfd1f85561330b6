"""Fault-injection settings for local runs, declared in a Mission's ``local.faults`` section.

They live in the lowest stage so a Mission file can be validated (with line numbers) before the
engine that applies them is imported.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class LatencySpec(BaseModel):
    """How long a tool takes: fixed ``ms``, uniform in ``[low_ms, high_ms]`` or lognormal around ``median_ms``."""

    model_config = ConfigDict(extra="forbid")

    dist: Literal["fixed", "uniform", "lognormal"] = "fixed"
    ms: float | None = Field(default=None, ge=0)
    low_ms: float | None = Field(default=None, ge=0)
    high_ms: float | None = Field(default=None, ge=0)
    median_ms: float | None = Field(default=None, ge=0)
    sigma: float = Field(default=0.5, ge=0)


class ThrottleSpec(BaseModel):
    """Throttling bursts: the first ``burst`` calls of every ``every`` calls are throttled."""

    model_config = ConfigDict(extra="forbid")

    burst: int = Field(ge=1)
    every: int = Field(ge=1)


class FaultSpec(BaseModel):
    """Faults for one tool. All randomness comes from the plan's seed, so runs are reproducible."""

    model_config = ConfigDict(extra="forbid")

    fail_rate: float = Field(default=0.0, ge=0, le=1)
    error: str = "ToolError"
    message: str | None = None
    latency: LatencySpec | None = None
    throttle: ThrottleSpec | None = None
    timeout_rate: float = Field(default=0.0, ge=0, le=1)
