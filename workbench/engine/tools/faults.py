"""Reproducible fault injection for local tools: failures, latency, throttling bursts, timeouts.

Every decision for a call is a pure function of (seed, tool, call input, how many times that input
was seen), so the same seed fails the same items even when a Map runs them in a different order,
and a retried call (same input, next attempt) gets a fresh draw. Throttling is the exception: it
counts calls, as a rate limiter does.

Time: without time warp a tool really sleeps its sampled latency (times ``latency_scale``). Under
time warp it does not sleep: the latency moves the calling execution's virtual clock instead (so the
history shows it, and a Task's ``TimeoutSeconds`` can cut it short), and is recorded in
:class:`FaultStats` as simulated.

Timeouts: when the Task's ``TimeoutSeconds`` is known (``task_timeout`` looks it up), a timed-out call
without time warp really outlasts it, so the engine's own timer fails the Task with ``States.Timeout``
exactly as on AWS; under time warp the call's virtual clock runs to the Task's deadline, which fires at
once (``States.Timeout`` stamped at +TimeoutSeconds), else it raises :class:`InjectedTimeout` (the engine
maps it to ``States.Timeout``). A Task without ``TimeoutSeconds`` cannot time out on Step
Functions' side, so the call fails like a Lambda hitting its own limit: ``Sandbox.Timedout``.

This module needs no engine: the spec types come from :mod:`workbench.mission.faults`.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.core.diagnostics import Diagnostic, DiagnosticError, MissionLoadError, Severity
from workbench.core.yaml_load import load_yaml, read_text, yaml_problem
from workbench.mission.faults import FaultSpec, LatencySpec, ThrottleSpec
from workbench.mission.positions import parse_document

__all__ = [
    "Decision", "FaultInjector", "FaultPlan", "FaultSpec", "FaultStats", "InjectedTimeout", "LatencySpec",
    "ThrottleSpec", "fault_error", "load_fault_plan", "sample_latency_ms", "with_faults",
]

LAMBDA_TIMEOUT_ERROR = "Sandbox.Timedout"
THROTTLE_ERROR = "Lambda.TooManyRequestsException"


class FaultPlan(BaseModel):
    """Faults for a run: one :class:`FaultSpec` per tool name, all drawn from ``seed``.

    Example:
        >>> plan = FaultPlan.model_validate({"seed": 7, "tools": {"fetch": {"fail_rate": 0.2}}})
        >>> plan.tools["fetch"].error
        'ToolError'
    """

    model_config = ConfigDict(extra="forbid")

    seed: int | None = None
    tools: dict[str, FaultSpec] = Field(default_factory=dict)

    @classmethod
    def from_local(cls, faults: dict[str, FaultSpec], seed: int | None) -> FaultPlan:
        """From a Mission's ``local.faults`` and ``local.seed``."""
        return cls(seed=seed, tools=dict(faults))


def line_of(text: str, location: tuple[int | str, ...]) -> int | None:
    """1-based line of a field path in YAML/JSON text (its nearest existing parent when it is missing)."""
    try:
        position = parse_document(text).position(tuple(location))
    except MissionLoadError:
        return None
    return position[0] if position else None


def load_fault_plan(path: str | Path) -> FaultPlan:
    """Load a :class:`FaultPlan` from YAML or JSON (``{seed: 7, tools: {fetch: {fail_rate: 0.2}}}``).

    Errors name the file, line and field; a binary or over-budget file raises
    :class:`~workbench.core.yaml_load.InputError` (a :class:`DiagnosticError` with one line).

    Example:
        >>> plan = load_fault_plan("faults.yaml")  # doctest: +SKIP
    """
    file = Path(path)
    try:
        text = read_text(file)
        data = load_yaml(text, file=str(file))
    except OSError as exc:
        raise DiagnosticError([Diagnostic(code="FAULT001", severity=Severity.ERROR, file=str(file),
                                          message=f"cannot read fault plan: {exc.strerror or exc}")]) from exc
    except yaml.YAMLError as exc:
        problem, line, column = yaml_problem(exc)
        raise DiagnosticError([Diagnostic(
            code="FAULT002", severity=Severity.ERROR, file=str(file), line=line, column=column,
            message=f"not valid YAML/JSON: {problem}",
        )]) from exc
    if isinstance(data, dict) and "faults" in data and "tools" not in data:
        data = {"seed": data.get("seed"), "tools": data["faults"]}  # the Mission's local: section shape
    try:
        return FaultPlan.model_validate(data if data is not None else {})
    except ValidationError as exc:
        diagnostics = [
            Diagnostic(
                code="FAULT003", severity=Severity.ERROR, file=str(file), line=line_of(text, tuple(err["loc"])),
                location=".".join(str(p) for p in err["loc"]), message=err["msg"],
                hint="fields: seed, tools.<tool>.{fail_rate, error, message, latency, throttle, timeout_rate}",
            )
            for err in exc.errors()
        ]
        raise DiagnosticError(diagnostics) from exc


def sample_latency_ms(spec: LatencySpec | None, rng: random.Random) -> float:
    """One latency draw in milliseconds (0 without a spec)."""
    if spec is None:
        return 0.0
    if spec.dist == "uniform":
        low = spec.low_ms if spec.low_ms is not None else 0.0
        high = spec.high_ms if spec.high_ms is not None else max(low, spec.ms or 0.0)
        return rng.uniform(low, max(low, high))
    if spec.dist == "lognormal":
        median = spec.median_ms if spec.median_ms is not None else (spec.ms or 0.0)
        return median * math.exp(rng.gauss(0.0, spec.sigma)) if median > 0 else 0.0
    return float(spec.ms or 0.0)


@dataclass(frozen=True)
class Decision:
    """What happens to one call. At most one of ``throttled``/``timed_out``/``failed`` is true."""

    call: int
    latency_ms: float
    throttled: bool = False
    timed_out: bool = False
    failed: bool = False


@dataclass
class FaultStats:
    """Counts per tool, for the run summary (``simulated_ms`` is latency not slept under time warp)."""

    calls: int = 0
    failures: int = 0
    throttled: int = 0
    timeouts: int = 0
    slept_ms: float = 0.0
    simulated_ms: float = 0.0
    decisions: list[Decision] = field(default_factory=list)


def _canonical(event: Any) -> str:
    try:
        return json.dumps(event, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        return repr(event)


class FaultInjector:
    """Decides, reproducibly from the seed, what happens to each call of one tool."""

    def __init__(self, tool: str, spec: FaultSpec | None, seed: int | None) -> None:
        self.tool = tool
        self.spec = spec or FaultSpec()
        self.seed = seed if seed is not None else secrets.randbits(32)
        self.stats = FaultStats()
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def decide(self, event: Any) -> Decision:
        """The fate of the next call with this input (thread-safe)."""
        key = _canonical(event)
        with self._lock:
            call = self.stats.calls
            self.stats.calls += 1
            attempt = self._seen.get(key, 0)
            self._seen[key] = attempt + 1
        digest = hashlib.sha256(f"{self.seed}|{self.tool}|{key}|{attempt}".encode()).digest()
        rng = random.Random(int.from_bytes(digest[:8], "big"))
        u_fail, u_timeout = rng.random(), rng.random()
        latency = sample_latency_ms(self.spec.latency, rng)
        throttle = self.spec.throttle
        throttled = throttle is not None and call % max(throttle.every, 1) < throttle.burst
        timed_out = not throttled and u_timeout < self.spec.timeout_rate
        failed = not throttled and not timed_out and u_fail < self.spec.fail_rate
        decision = Decision(call=call, latency_ms=0.0 if throttled else latency,
                            throttled=throttled, timed_out=timed_out, failed=failed)
        with self._lock:
            self.stats.failures += failed
            self.stats.throttled += throttled
            self.stats.timeouts += timed_out
            self.stats.decisions.append(decision)
        return decision

    def record_latency(self, ms: float, *, slept: bool) -> None:
        """Add a call's latency to the stats (slept for real, or only simulated under time warp)."""
        with self._lock:
            if slept:
                self.stats.slept_ms += ms
            else:
                self.stats.simulated_ms += ms


class InjectedTimeout(TimeoutError):
    """A simulated Task timeout; the embedded engine reports it as ``States.Timeout``."""

    workbench_task_timeout = True


_ERROR_TYPES: dict[str, type[Exception]] = {}


def fault_error(name: str, message: str) -> Exception:
    """An exception the engine reports as error ``name``.

    ``Lambda.X`` names become a botocore ``ClientError`` with code ``X`` (the engine maps it back to
    ``Lambda.X``, as Step Functions does); other names become an exception whose type name is ``name``.
    """
    if name.startswith("Lambda."):
        code = name.removeprefix("Lambda.")
        return ClientError({"Error": {"Code": code, "Message": message}}, "Invoke")
    if name not in _ERROR_TYPES:
        _ERROR_TYPES[name] = type(name, (Exception,), {"__module__": "workbench.faults"})
    return _ERROR_TYPES[name](message)


def with_faults(
    fn: Callable[[Any, Any], Any],
    injector: FaultInjector,
    *,
    time_warp: bool = False,
    latency_scale: float = 1.0,
    task_timeout: Callable[[Any], float | None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[Any, Any], Any]:
    """Wrap a tool ``fn(event, context)`` so each call first suffers its injected faults.

    ``task_timeout(context)`` gives the calling Task's ``TimeoutSeconds`` when it can be known.
    """
    spec = injector.spec

    def faulty(event: Any, context: Any = None) -> Any:
        decision = injector.decide(event)
        if decision.throttled:
            raise fault_error(THROTTLE_ERROR, f"Rate exceeded (injected throttling of {injector.tool})")
        if decision.timed_out:
            _time_out(injector, decision, task_timeout(context) if task_timeout else None, time_warp, sleep)
        if decision.latency_ms > 0:
            if time_warp:
                injector.record_latency(decision.latency_ms, slept=False)
                _advance_virtual_clock(decision.latency_ms / 1000.0)
            else:
                seconds = decision.latency_ms * latency_scale / 1000.0
                sleep(seconds)
                injector.record_latency(seconds * 1000.0, slept=True)
        if decision.failed:
            raise fault_error(spec.error, spec.message or f"{injector.tool} failed (injected, call {decision.call})")
        return fn(event, context)

    faulty.__name__ = getattr(fn, "__name__", "tool")
    faulty.__doc__ = getattr(fn, "__doc__", None)
    return faulty


def _time_out(injector: FaultInjector, decision: Decision, limit: float | None, time_warp: bool,
              sleep: Callable[[float], None]) -> None:
    """Fail the call as a timeout (see the module docstring for which kind, and why)."""
    if limit is None:
        raise fault_error(LAMBDA_TIMEOUT_ERROR, f"{injector.tool}: Task timed out (injected, call {decision.call})")
    if time_warp:
        injector.record_latency(limit * 1000.0, slept=False)
        _advance_virtual_clock(limit + 0.25)  # cut at the Task's deadline: raises its States.Timeout
    else:  # outlast the Task's timer: the engine then reports States.Timeout itself
        sleep(limit + 0.25)
        injector.record_latency((limit + 0.25) * 1000.0, slept=True)
    raise InjectedTimeout(f"{injector.tool} took longer than the Task's {limit:g} s (injected, call {decision.call})")


def _advance_virtual_clock(seconds: float) -> None:
    """Move the virtual clock of the execution calling this tool (nothing outside a warped execution)."""
    from workbench.engine.embedded.interpreter.virtual_timeouts import sleep_in_flow

    sleep_in_flow(seconds)
