"""Shared CLI output: diagnostics on stderr (text or JSON), atomic file writes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

import typer

from workbench.core.diagnostics import Diagnostic
from workbench.core.files import write_text_atomic


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
    """Write a file atomically (see :func:`workbench.core.files.write_text_atomic`)."""
    write_text_atomic(path, text)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    sys.stderr.flush()
    return typer.Exit(code)
