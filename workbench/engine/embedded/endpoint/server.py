"""The embedded engine: moto's Step Functions interpreter behind a local HTTP endpoint, reached by boto3.

There is one code path to Step Functions: boto3. Locally the endpoint is an in-process
``moto.server.ThreadedMotoServer`` on ``127.0.0.1`` (never ``mock_aws``, which would hijack the operator's
real AWS clients in the same process). Tools are Python functions registered per engine.

Facts worth knowing:

* Every request must be SigV4-signed with the engine's own random credentials, carry no ``Origin`` and
  name ``127.0.0.1:PORT`` / ``localhost:PORT`` as its Host (``auth.py``; threat model in
  ``docs/security.md``). :meth:`EmbeddedEngine.client` and :attr:`EmbeddedEngine.credentials` give both.
* moto's backends are process globals: two engines in one process share state machines and executions
  (and enabling execution turns it on for every moto use in the process). Use :func:`shared_engine`.
* The interpreter builds its own boto3 clients against ``MOTO_PORT``; the first running engine owns it,
  and those clients sign with its credentials (``patches._install_signed_interpreter_clients``).
* Always name executions: moto would build the ARN ``...:None`` for an unnamed start (the adapter now
  generates a UUID name like AWS, but the launch layer should pass its own).
* Read an execution's output from the final history event, as on AWS; DescribeExecution is fixed here too.
* Every operation of botocore's Step Functions model is served (``tests/engine/test_all_operations.py``);
  one a newer botocore adds answers 400 ``UnsupportedOperation`` (``api/validation.py``).
  StartSyncExecution, TestState and RedriveExecution work (``interpreter/api/sync.py``, ``test_state.py``,
  ``redrive.py``; redrive re-runs the unfinished top-level state). EXPRESS machines run as on AWS: express
  ARNs, no DescribeExecution/GetExecutionHistory/ListExecutions; their events go to moto's CloudWatch Logs
  (``logs.filter_log_events`` here) when the machine has a ``loggingConfiguration``.
* Versions and aliases work as on AWS (``interpreter/api/versions.py``): StartExecution on an alias picks a
  version by weight with a per-engine RNG seeded with 0; reseed it with ``versions.seed_routing(engine, n)``.
  StopExecution is synchronous and ends ABORTED with AWS's *Aborted events (``stop.py``). Errors carry AWS's
  codes (InvalidDefinition from our linter, InvalidName, InvalidArn, ...; ``validation.py``), which also
  serves ValidateStateMachineDefinition; an operation the engine lacks answers a JSON error, never HTTP 500.
* boto3 and the AWS CLI put ``sync-`` before the host for StartSyncExecution and TestState; the env lines
  set ``AWS_DISABLE_HOST_PREFIX_INJECTION=true`` and :meth:`EmbeddedEngine.client` sets ``inject_host_prefix=False``.
* A separately started engine (``workbench engine serve``) serves the tools named on its command line
  (``--tool``). Its owner may also register tools over HTTP (``POST /workbench/tools``, signed) only when
  it was started with ``--allow-remote-tools``; otherwise that route answers 403 naming the flag.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from workbench.core.diagnostics import WorkbenchError
from workbench.engine.embedded.endpoint.auth import EngineCredentials
from workbench.engine.embedded.endpoint.http_app import make_server_class
from workbench.engine.embedded.interpreter import bindings, mocking
from workbench.engine.tools.mocks import MockConfig

_INTERPRETER_LOGGER = "moto.stepfunctions.parser"
_moto_port_lock = threading.Lock()
REMOTE_TOOLS_FLAG = "--allow-remote-tools"


class EngineError(WorkbenchError):
    """The embedded engine cannot start or cannot be reached."""


def silence_interpreter_logs() -> None:
    """moto logs a full state dump at ERROR level on every failed state; keep notebooks quiet.

    An explicit level set by the user on ``moto.stepfunctions.parser`` is respected.
    """
    logger = logging.getLogger(_INTERPRETER_LOGGER)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.CRITICAL)


def _enable_execution() -> None:
    """Turn on moto's interpreter (what ``POST /moto-api/config`` does); without it executions never run."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.set_config({"stepfunctions": {"execute_state_machine": True}})


def _claim_moto_port(port: int) -> None:
    """Point the interpreter's own clients (``MOTO_PORT``) at a live engine."""
    with _moto_port_lock:
        live = {engine.port for engine in bindings.live_engines()}
        current = os.environ.get("MOTO_PORT", "")
        if not current.isdigit() or int(current) not in live:
            os.environ["MOTO_PORT"] = str(port)


def _release_moto_port(port: int) -> None:
    with _moto_port_lock:
        if os.environ.get("MOTO_PORT") == str(port):
            others = [engine.port for engine in bindings.live_engines() if engine.port != port]
            if others:
                os.environ["MOTO_PORT"] = str(others[0])


class EmbeddedEngine:
    """A local Step Functions endpoint running moto's ASL interpreter, with Python functions as tools.

    Each engine makes its own random :attr:`credentials`; every request must be signed with them
    (:meth:`client` does it). ``allow_remote_tools`` lets signed requests register tools by
    ``module:function`` over HTTP (off by default: the engine imports no code named in a request).

    Example:
        >>> with EmbeddedEngine(time_warp=True) as engine:                      # doctest: +SKIP
        ...     engine.register_tool("greet", lambda event, ctx: {"hello": event["name"]})
        ...     sfn = engine.client()
        ...     sfn.create_state_machine(name="m", definition=asl, roleArn=role)
        >>> boto3.client("stepfunctions", endpoint_url=engine.endpoint_url,    # doctest: +SKIP
        ...              **engine.credentials.boto3_kwargs())
    """

    def __init__(self, *, time_warp: bool = False, port: int | None = None, region: str = "us-east-1",
                 allow_remote_tools: bool = False) -> None:
        self.region = region
        self.endpoint_url = ""
        self._requested_port = port or 0
        self._state = bindings.EngineState(credentials=EngineCredentials.generate(region), time_warp=time_warp,
                                           allow_remote_tools=allow_remote_tools)
        self._server: Any = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.RLock()

    @property
    def credentials(self) -> EngineCredentials:
        """The access key id, secret and region every request to this engine must be signed with."""
        return self._state.credentials

    def env_lines(self) -> str:
        """Shell lines (``export AWS_ENDPOINT_URL_SFN=...`` and the credentials) that point clients here.

        Example:
            >>> print(shared_engine().env_lines())                          # doctest: +SKIP
            export AWS_ENDPOINT_URL_SFN=http://127.0.0.1:40123
            ...
        """
        return self.credentials.shell_lines(self.start().endpoint_url)

    @property
    def time_warp(self) -> bool:
        """Whether executions started from now on get a virtual clock (switchable at any time)."""
        return self._state.time_warp

    @time_warp.setter
    def time_warp(self, value: bool) -> None:
        self._state.time_warp = bool(value)

    @property
    def port(self) -> int:
        return self._state.port

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> EmbeddedEngine:
        """Start the server if needed (idempotent) and return the engine."""
        with self._lock:
            if self._server is not None:
                return self
            from workbench.engine.embedded.interpreter import patches

            patches.install()
            silence_interpreter_logs()
            server = make_server_class()(self._state, self._requested_port)
            server.start()
            if server.failure is not None:
                raise EngineError(
                    f"cannot start the embedded engine on 127.0.0.1:{self._requested_port}: {server.failure}. "
                    "Choose another port, or omit it to use a free one."
                ) from server.failure
            self._state.port = int(server.get_host_and_port()[1])
            self.endpoint_url = f"http://127.0.0.1:{self._state.port}"
            self._server = server
            bindings.attach(self._state)
            _claim_moto_port(self._state.port)
            _enable_execution()
            return self

    def stop(self) -> None:
        """Stop the server. State machines and executions stay in moto's process-wide backends."""
        with self._lock:
            if self._server is None:
                return
            bindings.detach(self._state)
            _release_moto_port(self._state.port)
            self._server.stop()
            self._server = None
            self._clients.clear()

    def client(self, service: str = "stepfunctions") -> Any:
        """A boto3 client for this endpoint, signed with the engine's credentials (no host prefix); starts it.

        Example:
            >>> shared_engine().client().list_state_machines()["stateMachines"]   # doctest: +SKIP
            []
        """
        import boto3
        from botocore.config import Config

        self.start()
        with self._lock:
            if service not in self._clients:
                session = boto3.session.Session(**self.credentials.boto3_kwargs())
                config = Config(inject_host_prefix=False, retries={"max_attempts": 2, "mode": "standard"},
                                s3={"addressing_style": "path"})
                client = session.client(service, endpoint_url=self.endpoint_url, config=config)  # type: ignore[call-overload]
                self._clients[service] = client
            return self._clients[service]

    def register_tool(self, function_name: str, fn: Callable[..., Any]) -> None:
        """Serve Lambda ``function_name`` with ``fn(event, context)``; replaces any earlier tool.

        Example:
            >>> engine = EmbeddedEngine()
            >>> engine.register_tool("add", lambda event, ctx: event["a"] + event["b"])
        """
        self._state.tools.register(function_name, fn)

    def unregister_tool(self, function_name: str) -> None:
        """Forget a tool; later invocations fail with ``Lambda.ResourceNotFoundException``."""
        self._state.tools.unregister(function_name)

    @property
    def tools(self) -> list[str]:
        """Names of the registered tools."""
        return self._state.tools.names()

    def load_mock_config(self, source: MockConfig | str | os.PathLike[str] | Mapping[str, Any], *,
                         replace: bool = True) -> MockConfig:
        """Answer mocked Tasks of executions started as ``stateMachineArn="...#TestCase"`` (newest config first).

        With ``replace``, a config read from the same file replaces the one loaded before. Example:
            >>> engine.load_mock_config("MockConfigFile.json")                                  # doctest: +SKIP
            >>> engine.client().start_execution(stateMachineArn=f"{arn}#HappyPath", name="t1")  # doctest: +SKIP
        """
        with self._lock:
            return mocking.load_into(self._state, source, replace)

    def unload_mock_config(self, config: MockConfig) -> None:
        """Forget a mock config (executions already started keep their test case)."""
        with self._lock:
            self._state.mock_configs[:] = [c for c in self._state.mock_configs if c is not config]

    @property
    def mock_configs(self) -> list[MockConfig]:
        """The loaded mock configs, oldest first."""
        return list(self._state.mock_configs)

    def __enter__(self) -> EmbeddedEngine:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.endpoint_url or "not started"
        return f"EmbeddedEngine({where}, time_warp={self.time_warp}, tools={self.tools})"


_shared: dict[bool, EmbeddedEngine] = {}
_shared_lock = threading.Lock()


def shared_engine(*, time_warp: bool = False) -> EmbeddedEngine:
    """The process-wide engine (one per ``time_warp`` value), started on first use.

    Both share moto's backends; an execution is warped when started through the warped engine's endpoint.

    Example:
        >>> sfn = shared_engine(time_warp=True).client()                      # doctest: +SKIP
    """
    with _shared_lock:
        engine = _shared.get(time_warp)
        if engine is None:
            engine = _shared[time_warp] = EmbeddedEngine(time_warp=time_warp)
        return engine.start()
