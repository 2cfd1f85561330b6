"""The embedded engine: moto's Step Functions interpreter behind a local HTTP endpoint, reached by boto3.

There is one code path to Step Functions: boto3. Locally the endpoint is an in-process
``moto.server.ThreadedMotoServer`` on ``127.0.0.1`` (never ``mock_aws``, which would hijack the operator's
real AWS clients in the same process). Tools are Python functions registered per engine.

Facts worth knowing:

* moto's backends are process globals: two engines in one process share state machines and executions
  (and enabling execution turns it on for every moto use in the process). Use :func:`shared_engine`.
* The interpreter builds its own boto3 clients against ``MOTO_PORT``; the first running engine owns it.
* Always name executions: moto would build the ARN ``...:None`` for an unnamed start (the adapter now
  generates a UUID name like AWS, but the launch layer should pass its own).
* Read an execution's output from the final history event, as on AWS; DescribeExecution is fixed here too.
* Not supported (raise :class:`EngineUnsupported`): StartSyncExecution, RedriveExecution, TestState,
  ValidateStateMachineDefinition. Express machines run like Standard ones.
* A separately started engine (``workbench engine serve``) learns tools over HTTP:
  ``POST /workbench/tools`` with ``{"function_name": "package.module:function"}``; the engine imports
  them in its own process (see :func:`register_remote_tools`). The route listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

from workbench.core.diagnostics import WorkbenchError
from workbench.engine.embedded import bindings, mocking
from workbench.engine.embedded.errors import UNSUPPORTED_OPERATIONS, EngineUnsupported, ToolError
from workbench.engine.embedded.lambdas import resolve_tool_path
from workbench.engine.mocks import MockConfig

_DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
_INTERPRETER_LOGGER = "moto.stepfunctions.parser"
_moto_port_lock = threading.Lock()


class EngineError(WorkbenchError):
    """The embedded engine cannot start or cannot be reached."""


def silence_interpreter_logs() -> None:
    """moto logs a full state dump at ERROR level on every failed state; keep notebooks quiet.

    An explicit level set by the user on ``moto.stepfunctions.parser`` is respected.
    """
    logger = logging.getLogger(_INTERPRETER_LOGGER)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.CRITICAL)


def _json_response(start_response: Callable[..., Any], status: str, body: Mapping[str, Any],
                   content_type: str = "application/json") -> list[bytes]:
    data = json.dumps(body).encode("utf-8")
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


class _WorkbenchApp:
    """WSGI front of moto: workbench routes, clean errors for unsupported operations, engine binding."""

    def __init__(self, moto_app: Callable[..., Any], state: bindings.EngineState) -> None:
        self._moto_app = moto_app
        self._state = state

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/workbench/"):
            return self._workbench(environ, start_response, path)
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        service, _, operation = target.partition(".")
        if service == "AWSStepFunctions" and operation in UNSUPPORTED_OPERATIONS:
            message = str(EngineUnsupported.for_operation(operation))
            return _json_response(start_response, "400 Bad Request",
                                  {"__type": "UnsupportedOperation", "message": message},
                                  "application/x-amz-json-1.0")
        with bindings.serving(self._state):
            return self._moto_app(environ, start_response)  # type: ignore[no-any-return]

    def _workbench(self, environ: dict[str, Any], start_response: Callable[..., Any], path: str) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        tools = self._state.tools
        if path == "/workbench/mocks" and method == "POST":
            return _json_response(start_response, *mocking.serve_mock_config(self._state, environ))
        if path == "/workbench/tools" and method == "GET":
            return _json_response(start_response, "200 OK",
                                  {"tools": tools.names(), "time_warp": self._state.time_warp})
        if path == "/workbench/tools" and method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = json.loads(environ["wsgi.input"].read(length) or b"{}")
                if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
                    raise ToolError('expected a JSON object {"function_name": "package.module:function"}')
                resolved = {name: resolve_tool_path(spec) for name, spec in body.items()}
                for name, fn in resolved.items():
                    tools.register(name, fn)
            except (ToolError, ValueError) as exc:
                return _json_response(start_response, "400 Bad Request", {"message": str(exc)})
            return _json_response(start_response, "200 OK", {"registered": sorted(resolved)})
        if path.startswith("/workbench/tools/") and method == "DELETE":
            tools.unregister(path.rsplit("/", 1)[1])
            return _json_response(start_response, "200 OK", {"tools": tools.names()})
        return _json_response(start_response, "404 Not Found", {"message": f"no route {method} {path}"})


def _make_server_class() -> type[Any]:
    """A ThreadedMotoServer whose app is wrapped by :class:`_WorkbenchApp` and whose requests are quiet."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    class _QuietHandler(MotoRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """werkzeug prints one line per request; a notebook does not want them."""

    class _EngineServer(ThreadedMotoServer):
        def __init__(self, state: bindings.EngineState, port: int) -> None:
            super().__init__(ip_address="127.0.0.1", port=port, verbose=False)
            self._state = state
            self.failure: BaseException | None = None

        def _server_entry(self) -> None:  # replaces moto's to wrap the app and report bind errors
            try:
                app = _WorkbenchApp(DomainDispatcherApplication(create_backend_app), self._state)
                self._server = make_server(self._ip_address, self._port, app, True,
                                           request_handler=_QuietHandler)
            except BaseException as exc:
                self.failure = exc
                self._server_ready_event.set()
                return
            self._server_ready_event.set()
            self._server.serve_forever()

    return _EngineServer


def _enable_execution(endpoint_url: str) -> None:
    """Turn on moto's interpreter (``POST /moto-api/config``); without it executions never run."""
    body = json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode("utf-8")
    request = urllib.request.Request(f"{endpoint_url}/moto-api/config", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


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


def _reject_unsupported(model: Any, **_: Any) -> None:
    if model.name in UNSUPPORTED_OPERATIONS:
        raise EngineUnsupported.for_operation(model.name)


class EmbeddedEngine:
    """A local Step Functions endpoint running moto's ASL interpreter, with Python functions as tools.

    Example:
        >>> with EmbeddedEngine(time_warp=True) as engine:                      # doctest: +SKIP
        ...     engine.register_tool("greet", lambda event, ctx: {"hello": event["name"]})
        ...     sfn = engine.client()
        ...     sfn.create_state_machine(name="m", definition=asl, roleArn=role)
    """

    def __init__(self, *, time_warp: bool = False, port: int | None = None, region: str = "us-east-1") -> None:
        self.region = region
        self.endpoint_url = ""
        self._requested_port = port or 0
        self._state = bindings.EngineState(time_warp=time_warp)
        self._server: Any = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.RLock()

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
            from workbench.engine.embedded import patches

            patches.install()
            silence_interpreter_logs()
            server = _make_server_class()(self._state, self._requested_port)
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
            _enable_execution(self.endpoint_url)
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
        """A boto3 client for this endpoint (dummy credentials, no host prefix); starts the engine.

        Example:
            >>> shared_engine().client().list_state_machines()["stateMachines"]   # doctest: +SKIP
            []
        """
        import boto3
        from botocore.config import Config

        self.start()
        with self._lock:
            if service not in self._clients:
                session = boto3.session.Session(region_name=self.region, **_DUMMY_CREDENTIALS)
                config = Config(inject_host_prefix=False, retries={"max_attempts": 2, "mode": "standard"},
                                s3={"addressing_style": "path"})
                client = session.client(service, endpoint_url=self.endpoint_url, config=config)  # type: ignore[call-overload]
                if client.meta.service_model.service_name == "stepfunctions":
                    client.meta.events.register("before-call.sfn", _reject_unsupported)
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


def parse_tool_spec(spec: str) -> tuple[str, str]:
    """``"name=pkg.mod:fn"`` or ``"pkg.mod:fn"`` (registered as ``fn``) -> (function name, path)."""
    name, sep, path = spec.partition("=")
    if not sep:
        path = spec
        name = spec.rpartition(":")[2].rpartition(".")[2]
    return name.strip(), path.strip()


def register_remote_tools(endpoint_url: str, tools: Mapping[str, str]) -> list[str]:
    """Ask an engine started elsewhere (``workbench engine serve``) to import and serve tools.

    Example:
        >>> register_remote_tools("http://127.0.0.1:4599", {"fetch": "mytools.fetch:handler"})  # doctest: +SKIP
        ['fetch']
    """
    request = urllib.request.Request(f"{endpoint_url.rstrip('/')}/workbench/tools", method="POST",
                                     data=json.dumps(dict(tools)).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return list(json.loads(response.read())["registered"])
    except urllib.error.HTTPError as exc:
        detail = json.loads(exc.read() or b"{}").get("message", exc.reason)
        raise ToolError(f"the engine at {endpoint_url} refused the tools: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise EngineError(
            f"cannot reach an embedded engine at {endpoint_url} ({exc}); start one with `workbench engine serve`"
        ) from exc


def serve(port: int, *, time_warp: bool = False, tool_modules: Sequence[str] = (),
          ready: Callable[[EmbeddedEngine], None] | None = None, stop: threading.Event | None = None) -> None:
    """Run an engine in the foreground until interrupted (``workbench engine serve``).

    ``tool_modules`` entries are ``"name=package.module:function"`` or ``"package.module:function"``.
    ``ready`` is called once the endpoint is up (default: print it); set ``stop`` to end the loop.
    Clients then use the printed endpoint with boto3 (``Config(inject_host_prefix=False)``, any
    credentials) and add tools with :func:`register_remote_tools`.

    Example:
        >>> serve(4599, time_warp=True, tool_modules=["fetch=mytools.fetch:handler"])  # doctest: +SKIP
        Embedded Step Functions engine on http://127.0.0.1:4599 (time_warp=True, tools=['fetch']); ...
    """
    engine = EmbeddedEngine(time_warp=time_warp, port=port)
    for spec in tool_modules:
        name, path = parse_tool_spec(spec)
        engine.register_tool(name, resolve_tool_path(path))
    engine.start()
    try:
        if ready is not None:
            ready(engine)
        else:
            print(f"Embedded Step Functions engine on {engine.endpoint_url} "
                  f"(time_warp={time_warp}, tools={engine.tools}); Ctrl-C to stop.", flush=True)
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
