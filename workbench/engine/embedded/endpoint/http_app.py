"""The engine's WSGI front: the request guard, the ``/workbench/*`` routes, then moto's own app.

Every request passes :class:`~workbench.engine.embedded.endpoint.auth.RequestGuard` (Origin, Host, SigV4) first;
CORS headers moto would add are stripped from every answer.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from workbench.engine.embedded.endpoint import auth
from workbench.engine.embedded.errors import ToolError
from workbench.engine.embedded.interpreter import bindings, mocking
from workbench.engine.embedded.interpreter.lambdas import resolve_tool_path

REMOTE_TOOLS_FLAG = "--allow-remote-tools"
#: The ``engine`` field of ``GET /workbench/info``: what tells a workbench engine from any other endpoint.
ENGINE_NAME = "workbench"


def _json_response(start_response: Callable[..., Any], status: str, body: Mapping[str, Any],
                   content_type: str = "application/json") -> list[bytes]:
    data = json.dumps(body).encode("utf-8")
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


def engine_info(state: bindings.EngineState) -> dict[str, Any]:
    """What ``GET /workbench/info`` answers: proof that this is a workbench engine, and what it can run.

    A client asks before deploying, so a Mission whose local tools this engine cannot run is refused
    up front instead of failing (or hanging) mid-run.

    Example:
        >>> from workbench.engine.embedded.endpoint.auth import EngineCredentials
        >>> info = engine_info(bindings.EngineState(credentials=EngineCredentials("AK", "SK")))
        >>> info["engine"], info["tools"], info["allow_remote_tools"]
        ('workbench', [], False)
    """
    from workbench import __version__

    return {"engine": ENGINE_NAME, "version": __version__, "region": state.credentials.region,
            "tools": state.tools.names(), "allow_remote_tools": state.allow_remote_tools,
            "time_warp": state.time_warp}


def step_functions_request_problem(environ: Mapping[str, Any]) -> dict[str, str] | None:
    """AWS's answer to a Step Functions request moto would crash on: a body that is not UTF-8 JSON, a wrong target.

    AWS answers ``SerializationException`` for a body it cannot read as a JSON object and
    ``UnknownOperationException`` for an ``X-Amz-Target`` outside ``AWSStepFunctions``; moto answered an HTML 500
    (printing a traceback) or served the operation anyway. The guard has already buffered the body.

    Example:
        >>> import io
        >>> environ = {"HTTP_X_AMZ_TARGET": "AWSStepFunctions.ListStateMachines", "wsgi.input": io.BytesIO(b"[1]"),
        ...            "CONTENT_LENGTH": "3", "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=K/d/r/states/x"}
        >>> step_functions_request_problem(environ)["__type"]
        'SerializationException'
    """
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    scoped_to_states = "/states/" in str(environ.get("HTTP_AUTHORIZATION", ""))
    if not target or not scoped_to_states:
        return None  # another service moto serves on this port (the interpreter's integrations)
    service, _, operation = target.partition(".")
    if service != "AWSStepFunctions" or not operation:
        return {"__type": "UnknownOperationException", "message": f"Unknown operation: '{target}'"}
    stream: Any = environ.get("wsgi.input")
    body = bytes(stream.getvalue()) if isinstance(stream, io.BytesIO) else b""
    if not body.strip():
        return None
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"__type": "SerializationException", "message": "The request body is not valid UTF-8 JSON"}
    if not isinstance(parsed, dict):
        return {"__type": "SerializationException",
                "message": f"Start of structure or map found where not expected: a JSON {type(parsed).__name__}"}
    return None


class WorkbenchApp:
    """WSGI front of moto: the request guard, workbench routes, clean errors for unsupported operations."""

    def __init__(self, moto_app: Callable[..., Any], state: bindings.EngineState) -> None:
        self._moto_app = moto_app
        self._state = state
        self.guard = auth.RequestGuard(state.credentials, state.port)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def respond(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            return start_response(status, auth.strip_cors(headers), *exc_info)

        refusal = self.guard.check(environ)
        if refusal is not None:
            return refusal.respond(respond)
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/workbench/"):
            return self._workbench(environ, respond, path)
        unreadable = step_functions_request_problem(environ)
        if unreadable is not None:
            return _json_response(respond, "400 Bad Request", unreadable, "application/x-amz-json-1.0")
        with bindings.serving(self._state):
            return self._moto_app(environ, respond)  # type: ignore[no-any-return]

    def _workbench(self, environ: dict[str, Any], start_response: Callable[..., Any], path: str) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        tools = self._state.tools
        if path == "/workbench/mocks" and method == "POST":
            return _json_response(start_response, *mocking.serve_mock_config(self._state, environ))
        if path == "/workbench/info" and method == "GET":
            return _json_response(start_response, "200 OK", engine_info(self._state))
        if path == "/workbench/tools" and method == "GET":
            return _json_response(start_response, "200 OK",
                                  {"tools": tools.names(), "time_warp": self._state.time_warp,
                                   "remote_tools": self._state.allow_remote_tools})
        if path == "/workbench/tools" and method == "POST":
            if not self._state.allow_remote_tools:
                return _json_response(start_response, "403 Forbidden", {
                    "__type": "AccessDeniedException",
                    "message": f"this engine imports no code named in a request; start it with {REMOTE_TOOLS_FLAG} "
                               "to let its owner register tools over HTTP, or name them with --tool when it starts"})
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


def make_server_class() -> type[Any]:
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
                app = WorkbenchApp(DomainDispatcherApplication(create_backend_app), self._state)
                self._server = make_server(self._ip_address, self._port, app, True,
                                           request_handler=_QuietHandler)
                app.guard.port = int(self._server.server_port)  # known only once bound (port 0 = any)
            except BaseException as exc:
                self.failure = exc
                self._server_ready_event.set()
                return
            self._server_ready_event.set()
            self._server.serve_forever()

    return _EngineServer
