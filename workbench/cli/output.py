"""Shared CLI output: diagnostics on stderr (text or JSON), atomic file writes."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

import typer

from workbench.mission.diagnostics import Diagnostic


class Format(StrEnum):
    text = "text"
    json = "json"


def print_diagnostics(diagnostics: Iterable[Diagnostic], fmt: Format = Format.text) -> None:
    """Text diagnostics go to stderr; ``--format json`` prints one JSON list on stdout."""
    items = list(diagnostics)
    if fmt == Format.json:
        typer.echo(json.dumps([d.to_json() for d in items], indent=2, ensure_ascii=False))
        return
    for d in items:
        typer.echo(d.render(), err=True)


def write_atomic(path: str | Path, text: str) -> None:
    """Write a file so that readers see the old content or the new one, never half of it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    sys.stderr.flush()
    return typer.Exit(code)
