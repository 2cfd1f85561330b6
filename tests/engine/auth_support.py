"""Engines under attack: a served and an in-process engine, a marker module, and raw HTTP helpers."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from workbench.engine.embedded.endpoint.auth import EngineCredentials, sign_request

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Marker:
    """A module that writes ``path`` when imported: proof that a request made the engine run code."""

    folder: Path
    module: str
    path: Path

    @classmethod
    def make(cls, root: Path) -> Marker:
        folder = root / "marker_modules"
        folder.mkdir(parents=True, exist_ok=True)
        module = f"wb_marker_{uuid.uuid4().hex[:10]}"
        path = root / f"{module}.imported"
        (folder / f"{module}.py").write_text(
            f"import pathlib\npathlib.Path({str(path)!r}).write_text('imported')\n\n"
            "def handler(event, context):\n    return event\n")
        return cls(folder, module, path)

    @property
    def spec(self) -> str:
        return f"{self.module}:handler"


@dataclass
class Guarded:
    """An engine to attack: its URL, its credentials and the marker module its process could import."""

    kind: str
    url: str
    credentials: EngineCredentials
    marker: Marker

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


def raw(url: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Answer:
    """One HTTP request exactly as given (no signing, no Host rewriting)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def signed(engine: Guarded, method: str, path: str, body: bytes = b"", *, host: str | None = None,
           extra: dict[str, str] | None = None, credentials: EngineCredentials | None = None) -> Answer:
    """A request signed with the engine's (or other) credentials, for ``Host: host`` when given."""
    sign_host = host or f"127.0.0.1:{engine.port}"
    headers = sign_request(credentials or engine.credentials, method, f"http://{sign_host}{path}", body,
                           {"Content-Type": "application/json"} if body else None)
    headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
    headers.setdefault("Host", sign_host)
    return raw(engine.url, method, path, body, {**headers, **(extra or {})})


@contextmanager
def served_engine(root: Path, *extra_args: str) -> Iterator[tuple[Guarded, Path, subprocess.Popen[str]]]:
    """``workbench engine serve --port 0 --env-file F`` in its own process, able to import the marker module."""
    marker = Marker.make(root)
    env_file = root / "engine.env"
    exe = shutil.which("workbench", path=str(Path(sys.executable).parent)) or "workbench"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONPATH"] = os.pathsep.join([str(marker.folder), str(REPO)])
    proc = subprocess.Popen([exe, "engine", "serve", "--port", "0", "--env-file", str(env_file), *extra_args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root, env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # written once the engine listens and the env file is in place
        if not first.startswith("export AWS_ENDPOINT_URL_SFN="):
            raise RuntimeError(f"engine serve did not start: {first}{proc.stderr.read() if proc.stderr else ''}")
        from workbench.engine.connect.endpoint_env import endpoint_settings

        settings = endpoint_settings(env_file)
        assert settings.credentials is not None
        yield Guarded("served", settings.url, settings.credentials, marker), env_file, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)
