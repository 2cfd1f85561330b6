"""The ``workbench`` command. One module per group of commands; each registers itself on the app."""

from __future__ import annotations

import sys
import warnings
from typing import TextIO

import typer

from workbench.cli import build, demo, history, report, run

app = typer.Typer(
    name="workbench",
    help="Mission Workbench: compose, validate, run and analyse Missions on AWS Step Functions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in (build, demo, run, history, report):
    _module.register(app)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    """Warnings as one plain line (no source excerpt): they are for operators, not developers."""
    print(f"warning: {message}", file=file or sys.stderr)


def main() -> None:
    """Entry point of the ``workbench`` console script."""
    warnings.showwarning = _show_warning
    app()
