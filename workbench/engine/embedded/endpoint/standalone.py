"""A standalone engine (``workbench engine serve``) and the calls other processes make to one.

The server prints, and with ``--env-file`` writes (0600), the shell lines that point boto3 and the AWS CLI
at it with its own credentials; clients in other processes sign with those (``credentials_from_environment``).
"""

from __future__ import annotations

import os
import threading
import urllib.error
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from workbench.engine.embedded.endpoint import auth
from workbench.engine.embedded.endpoint.auth import EngineCredentials
from workbench.engine.embedded.endpoint.server import EmbeddedEngine, EngineError
from workbench.engine.embedded.errors import ToolError
from workbench.engine.embedded.interpreter.lambdas import resolve_tool_path


def parse_tool_spec(spec: str) -> tuple[str, str]:
    """``"name=pkg.mod:fn"`` or ``"pkg.mod:fn"`` (registered as ``fn``) -> (function name, path)."""
    name, sep, path = spec.partition("=")
    if not sep:
        path = spec
        name = spec.rpartition(":")[2].rpartition(".")[2]
    return name.strip(), path.strip()


def register_remote_tools(endpoint_url: str, tools: Mapping[str, str],
                          credentials: EngineCredentials | None = None) -> list[str]:
    """Ask an engine started elsewhere with ``--allow-remote-tools`` to import and serve tools (signed request).

    ``credentials`` default to the environment (``AWS_ACCESS_KEY_ID``... as written by ``--env-file``). Example:
        >>> register_remote_tools("http://127.0.0.1:4599", {"fetch": "mytools.fetch:handler"})  # doctest: +SKIP
        ['fetch']
    """
    url = f"{endpoint_url.rstrip('/')}/workbench/tools"
    try:
        answer = auth.signed_call(credentials or credentials_from_environment(), "POST", url, dict(tools))
        return list(answer["registered"])
    except urllib.error.HTTPError as exc:
        raise ToolError(f"the engine at {endpoint_url} refused the tools: {auth.http_error_message(exc)}") from exc
    except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError) as exc:
        raise EngineError(
            f"cannot reach an embedded engine at {endpoint_url} ({exc}); start one with `workbench engine serve`"
        ) from exc


def credentials_from_environment(region: str | None = None) -> EngineCredentials:
    """The engine credentials a shell got from ``source`` of an ``--env-file`` (``AWS_ACCESS_KEY_ID``...).

    Example:
        >>> import os; os.environ.update(AWS_ACCESS_KEY_ID="AK", AWS_SECRET_ACCESS_KEY="SK")  # doctest: +SKIP
        >>> credentials_from_environment().access_key_id                                     # doctest: +SKIP
        'AK'
    """
    credentials = EngineCredentials.from_environ(os.environ, region)
    if credentials is None:
        raise EngineError("no engine credentials: start the engine with `workbench engine serve --env-file F` and "
                          "`source F`, or pass --env-file F")
    return credentials


def serve(port: int, *, time_warp: bool = False, tool_modules: Sequence[str] = (), allow_remote_tools: bool = False,
          env_file: str | os.PathLike[str] | None = None,
          ready: Callable[[EmbeddedEngine], None] | None = None, stop: threading.Event | None = None) -> None:
    """Run an engine in the foreground until interrupted (``workbench engine serve``).

    ``tool_modules`` entries are ``"name=package.module:function"`` or ``"package.module:function"``.
    Once the endpoint is up it prints the shell lines that point clients at it (endpoint and this engine's
    credentials) and, with ``env_file``, writes them there (mode 0600, atomically) for ``source``; then
    ``ready`` is called. Set ``stop`` to end the loop.

    Example:
        >>> serve(0, tool_modules=["fetch=mytools.fetch:handler"], env_file="engine.env")  # doctest: +SKIP
        export AWS_ENDPOINT_URL_SFN=http://127.0.0.1:40123
        ...
    """
    from workbench.core.files import PRIVATE_FILE, write_text_atomic

    engine = EmbeddedEngine(time_warp=time_warp, port=port, allow_remote_tools=allow_remote_tools)
    for spec in tool_modules:
        name, path = parse_tool_spec(spec)
        engine.register_tool(name, resolve_tool_path(path))
    engine.start()
    try:
        lines = engine.env_lines()
        if env_file is not None:
            write_text_atomic(Path(env_file), lines + "\n", PRIVATE_FILE)
        print(lines, flush=True)
        print(f"# Embedded Step Functions engine on {engine.endpoint_url} (time_warp={time_warp}, "
              f"tools={engine.tools}, remote tools {'allowed' if allow_remote_tools else 'refused'}); "
              f"{'source ' + str(env_file) if env_file else 'source these lines'} to use it; Ctrl-C to stop.",
              flush=True)
        if ready is not None:
            ready(engine)
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
