"""The ``workbench`` command. One module per group of commands; each registers itself on the app."""

from __future__ import annotations

import typer

from workbench.cli import build, demo, run

app = typer.Typer(
    name="workbench",
    help="Mission Workbench: compose, validate, run and analyse Missions on AWS Step Functions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in (build, demo, run):
    _module.register(app)


def main() -> None:
    """Entry point of the ``workbench`` console script."""
    app()
