"""Local tool bindings: run a Python function wherever a state machine invokes a Lambda function.

On the embedded engine each tool's ``module:function`` is registered under its Lambda function name
(the name part of an ARN), wrapped with fault injection, so the same ASL runs locally and on AWS.
"""

from __future__ import annotations

import importlib
import inspect
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from workbench.core.lambda_names import function_name as bare_function_name
from workbench.engine.errors import ToolBindingError
from workbench.engine.tools.faults import FaultInjector, FaultPlan, FaultStats, with_faults


class ToolHost(Protocol):
    """An engine that can run local functions as Lambda functions (``EmbeddedEngine``)."""

    def register_tool(self, function_name: str, fn: Callable[..., Any]) -> None: ...

    def unregister_tool(self, function_name: str) -> None: ...


def lambda_function_name(function: str) -> str:
    """The bare function name of a Lambda name, partial ARN or ARN (qualifier dropped).

    Example:
        >>> lambda_function_name("arn:aws:lambda:us-east-1:123456789012:function:fetch-alert:live")
        'fetch-alert'
    """
    return bare_function_name(function)


class ToolBinding(BaseModel):
    """A tool: the Lambda function the ASL calls, and the local Python function that stands in for it.

    Example:
        >>> ToolBinding(name="fetch", lambda_function="arn:aws:lambda:us-east-1:1:function:fetch-alert",
        ...             local="missions.tools.triage:fetch_alert").function_name
        'fetch-alert'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    lambda_function: str = Field(min_length=1)
    local: str | None = None
    memory_mb: int = Field(default=128, ge=128, le=10240)
    arch: Literal["x86_64", "arm64"] = "x86_64"

    @property
    def function_name(self) -> str:
        return lambda_function_name(self.lambda_function)

    @classmethod
    def from_spec(cls, name: str, spec: Any) -> ToolBinding:
        """From a Mission ``ToolSpec`` (anything with ``lambda_``, ``local``, ``memory_mb``, ``arch``)."""
        return cls(name=name, lambda_function=spec.lambda_, local=spec.local, memory_mb=spec.memory_mb,
                   arch=spec.arch)


def resolve_local(spec: str) -> Callable[..., Any]:
    """Import ``module:function`` (``function`` may be dotted, e.g. ``Class.method``) without eval.

    Example:
        >>> resolve_local("json:dumps")({"a": 1})
        '{"a": 1}'
    """
    module_name, sep, attr_path = spec.partition(":")
    if not sep or not module_name or not attr_path:
        raise ToolBindingError(f"Local tool '{spec}' must look like 'package.module:function'.")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ToolBindingError(
            f"Local tool '{spec}': cannot import module '{module_name}' ({exc}). Check the spelling, and that "
            "the module is on PYTHONPATH (run from the project folder)."
        ) from exc
    for part in attr_path.split("."):
        if not hasattr(target, part):
            raise ToolBindingError(
                f"Local tool '{spec}': '{getattr(target, '__name__', module_name)}' has no attribute '{part}'."
            )
        target = getattr(target, part)
    if not callable(target):
        raise ToolBindingError(f"Local tool '{spec}' is a {type(target).__name__}, not a function.")
    return adapt_signature(target)


def adapt_signature(fn: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    """Make ``fn(event)`` and ``fn(event, context)`` both callable as a Lambda handler ``(event, context)``."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return fn
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in params) or len(positional) >= 2:
        return fn

    def handler(event: Any, context: Any = None) -> Any:
        return fn(event)

    handler.__name__ = getattr(fn, "__name__", "tool")
    return handler


def _find_state(definition: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The state called ``name`` anywhere in a definition (inside Parallel branches and Maps too)."""
    stack = [definition]
    while stack:
        machine = stack.pop()
        states = machine.get("States") or {}
        if name in states and isinstance(states[name], dict):
            return dict(states[name])
        for state in states.values():
            if isinstance(state, dict):
                stack.extend(b for b in state.get("Branches") or [] if isinstance(b, dict))
                stack.extend(p for p in (state.get("ItemProcessor"), state.get("Iterator")) if isinstance(p, dict))
    return None


def task_timeout_lookup(engine: Any) -> Callable[[Any], float | None]:
    """``context -> TimeoutSeconds`` of the Task calling a tool, read from the running state machine.

    The engine passes a context with ``execution_arn`` and ``state_name``; answers are cached per
    execution and state. None when unknown (no context, ``TimeoutSecondsPath``, or no timeout).
    """
    cache: dict[tuple[str, str], float | None] = {}
    lock = threading.Lock()

    def lookup(context: Any) -> float | None:
        execution_arn = getattr(context, "execution_arn", None)
        state_name = getattr(context, "state_name", None)
        if not execution_arn or not state_name or not hasattr(engine, "client"):
            return None
        key = (str(execution_arn), str(state_name))
        with lock:
            if key in cache:
                return cache[key]
        try:
            described = engine.client().describe_state_machine_for_execution(executionArn=execution_arn)
            state = _find_state(json.loads(described["definition"]), state_name) or {}
        except Exception:  # a lookup failure only means "unknown": the fault falls back to a Lambda timeout
            return None
        seconds = state.get("TimeoutSeconds")
        value = float(seconds) if isinstance(seconds, int | float) else None
        with lock:
            cache[key] = value
        return value

    return lookup


class BoundTools:
    """The tools registered on an engine by :func:`bind_tools`; a context manager that unbinds on exit."""

    def __init__(self, engine: ToolHost, injectors: dict[str, FaultInjector], names: dict[str, str]) -> None:
        self.engine = engine
        self.injectors = injectors  # tool name -> injector
        self.function_names = names  # tool name -> Lambda function name

    def stats(self) -> dict[str, FaultStats]:
        """Per tool: calls, injected failures/throttles/timeouts, slept and simulated latency."""
        return {name: injector.stats for name, injector in self.injectors.items()}

    def unbind(self) -> None:
        """Remove the tools from the engine."""
        for function_name in self.function_names.values():
            self.engine.unregister_tool(function_name)
        self.function_names = {}

    def __enter__(self) -> BoundTools:
        return self

    def __exit__(self, *exc: object) -> None:
        self.unbind()


def bind_tools(
    engine: ToolHost,
    bindings: Iterable[ToolBinding],
    faults: FaultPlan | None = None,
    seed: int | None = None,
    *,
    time_warp: bool | None = None,
    latency_scale: float = 1.0,
    functions: dict[str, Callable[..., Any]] | None = None,
) -> BoundTools:
    """Register each tool's local function on ``engine`` under its Lambda function name, with faults.

    ``seed`` overrides the plan's seed; ``functions`` (tool name -> callable) overrides ``local`` specs.
    ``time_warp`` defaults to the engine's own setting.

    Example:
        >>> tools = [ToolBinding(name="fetch", lambda_function="fetch-alert", local="missions.tools.triage:fetch")]
        >>> bound = bind_tools(engine, tools, FaultPlan(seed=7, tools={"fetch": {"fail_rate": 0.3}}))  # doctest: +SKIP
    """
    plan = faults or FaultPlan()
    run_seed = seed if seed is not None else plan.seed
    warp = bool(getattr(engine, "time_warp", False)) if time_warp is None else time_warp
    functions = functions or {}
    bindings = list(bindings)
    unknown = sorted(set(plan.tools) - {b.name for b in bindings})
    if unknown:
        raise ToolBindingError(
            f"Faults are declared for unknown tool(s) {', '.join(unknown)}; known tools: "
            f"{', '.join(sorted(b.name for b in bindings)) or 'none'}."
        )
    prepared: list[tuple[ToolBinding, Callable[..., Any], FaultInjector]] = []
    for binding in bindings:
        if binding.name in functions:
            fn = adapt_signature(functions[binding.name])
        elif binding.local:
            fn = resolve_local(binding.local)
        else:
            raise ToolBindingError(
                f"Tool '{binding.name}' has no local implementation: give it `local: module:function` to run "
                "it on the embedded engine, or run on target 'aws'."
            )
        injector = FaultInjector(binding.name, plan.tools.get(binding.name), run_seed)
        prepared.append((binding, fn, injector))
    names: dict[str, str] = {}
    injectors: dict[str, FaultInjector] = {}
    timeout_of = task_timeout_lookup(engine)
    for binding, fn, injector in prepared:
        wrapped = with_faults(fn, injector, time_warp=warp, latency_scale=latency_scale, task_timeout=timeout_of)
        engine.register_tool(binding.function_name, wrapped)
        names[binding.name] = binding.function_name
        injectors[binding.name] = injector
    return BoundTools(engine, injectors, names)
