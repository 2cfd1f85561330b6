"""Helpers for the widget tests: a second engine served on a local port, and AWS settings that never leave 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
TRIAGE = REPO / "missions" / "incident_triage.yaml"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_engine(time_warp: bool = True) -> Iterator[tuple[str, Path]]:
    """A ``workbench engine serve`` endpoint (the engine's ``serve``) in a thread; yields its URL and env file.

    It lets its owner register tools over HTTP (``--allow-remote-tools``), as a launcher needs for a
    Mission's local tools.
    """
    import tempfile

    from workbench.engine.embedded import serve

    port = free_port()
    ready = threading.Event()
    stop = threading.Event()
    box: dict[str, Any] = {}
    env_file = Path(tempfile.mkdtemp(prefix="wb-engine-")) / "engine.env"

    def on_ready(engine: Any) -> None:
        box["url"] = engine.endpoint_url
        ready.set()

    thread = threading.Thread(target=serve, args=(port,), kwargs={
        "time_warp": time_warp, "ready": on_ready, "stop": stop, "env_file": env_file, "allow_remote_tools": True},
        daemon=True)
    thread.start()
    if not ready.wait(60):
        raise RuntimeError(f"the engine did not start on port {port}")
    try:
        yield str(box["url"]), env_file
    finally:
        stop.set()
        thread.join(10)


def offline_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials anywhere and no instance-metadata lookups: boto3 fails locally, before any network."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
