"""Which engine an execution belongs to, so tools and time warp can differ per engine.

moto's backends are process globals: every EmbeddedEngine in a process sees the same state machines and
executions. What differs per engine is its tool registry and whether time is warped. We bind each
execution, when it starts, to the engine whose HTTP endpoint received the ``StartExecution`` call (the
request thread runs ``Execution.start`` synchronously), and keep that binding for its whole life:

* tools: the owning engine's registry is searched first, then the other live engines' (an execution
  started by the interpreter itself, e.g. ``states:startExecution``, lands on the engine that owns
  ``MOTO_PORT``);
* time warp: an execution gets its own :class:`VirtualClock` when its engine had ``time_warp`` on at
  start, so switching ``engine.time_warp`` affects the executions started afterwards only;
* mocked responses: an execution started with a test case (``stateMachineArn#TestCase``) keeps its
  :class:`MockRun` (the test case and its invocation counters), see ``mocking.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from workbench.engine.embedded.endpoint.auth import EngineCredentials
from workbench.engine.embedded.interpreter.lambdas import Tool, ToolRegistry
from workbench.engine.embedded.interpreter.timewarp import VirtualClock
from workbench.engine.tools.mocks import MockConfig, MockRun

PARSE_LOCK = threading.Lock()
"""Serialises every ASL parse in the process: moto's parser and ANTLR's caches are not thread-safe."""


@dataclass(eq=False)
class EngineState:
    """The part of an engine the interpreter reads: its tools, time-warp switch, mock configs and credentials.

    ``credentials`` sign the interpreter's own calls back into the engine (Lambda, nested executions);
    ``allow_remote_tools`` lets the owner register tools over HTTP (``--allow-remote-tools``).
    """

    credentials: EngineCredentials
    tools: ToolRegistry = field(default_factory=ToolRegistry)
    time_warp: bool = False
    port: int = 0
    mock_configs: list[MockConfig] = field(default_factory=list)  # newest last; searched newest first
    allow_remote_tools: bool = False


@dataclass(frozen=True)
class ExecutionBinding:
    """The engine an execution was started through, its virtual clock (time warp) and its test case."""

    engine: EngineState | None
    clock: VirtualClock | None
    mocks: MockRun | None = None


_lock = threading.Lock()
_live: list[EngineState] = []
_bindings: dict[str, ExecutionBinding] = {}
_request = threading.local()


def attach(engine: EngineState) -> None:
    """Make an engine's tools visible to executions (called when it starts)."""
    with _lock:
        if engine not in _live:
            _live.append(engine)


def detach(engine: EngineState) -> None:
    with _lock:
        if engine in _live:
            _live.remove(engine)


def live_engines() -> list[EngineState]:
    with _lock:
        return list(_live)


@contextmanager
def serving(engine: EngineState) -> Iterator[None]:
    """Mark the current request thread as handled by ``engine`` (see :func:`bind_execution`)."""
    previous = getattr(_request, "engine", None)
    _request.engine = engine
    try:
        yield
    finally:
        _request.engine = previous


def engine_on_port(port: int) -> EngineState | None:
    """The live engine listening on ``port`` (the interpreter's own clients call ``MOTO_PORT``)."""
    with _lock:
        return next((engine for engine in _live if engine.port == port), None)


def serving_engine() -> EngineState | None:
    """The engine serving the current request, else the first live one (None when none runs)."""
    engine: EngineState | None = getattr(_request, "engine", None)
    if engine is not None:
        return engine
    with _lock:
        return _live[0] if _live else None


def bind_execution(execution_arn: str, mocks: MockRun | None = None) -> ExecutionBinding:
    """Bind a starting execution to the engine serving this request (or the first live one)."""
    serving: EngineState | None = getattr(_request, "engine", None)
    with _lock:
        engine = serving if serving is not None else (_live[0] if _live else None)
        # Only an execution started through a warped engine's own endpoint runs on a virtual clock; one
        # started through another server in this process (a plain moto server) keeps real time.
        warped = serving is not None and serving.time_warp
        binding = ExecutionBinding(engine, VirtualClock() if warped else None, mocks)
        _bindings[execution_arn] = binding
    return binding


def binding_of(execution_arn: str | None) -> ExecutionBinding | None:
    if not execution_arn:
        return None
    with _lock:
        return _bindings.get(execution_arn)


def find_tool(execution_arn: str | None, function_name: str) -> Tool | None:
    """The tool an execution sees: its own engine's first, then any live engine's."""
    binding = binding_of(execution_arn)
    owner = binding.engine if binding else None
    if owner is not None:
        tool = owner.tools.get(function_name)
        if tool is not None:
            return tool
    for engine in live_engines():
        if engine is not owner:
            tool = engine.tools.get(function_name)
            if tool is not None:
                return tool
    return None
