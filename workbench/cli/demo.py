"""``workbench demo``: the first five minutes in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.asl.compiler import dumps_asl
from workbench.asl.validate import validate_file
from workbench.cli.output import print_diagnostics

MISSIONS = Path("missions")


def demo_cmd(
    mission: Annotated[Path, typer.Option(help="The Mission to show.")] = MISSIONS / "incident_triage.yaml",
) -> None:
    """Validate every example Mission and print the ASL of one."""
    failed = False
    for path in sorted(MISSIONS.glob("*.yaml")):
        result = validate_file(path)
        status = "ok" if result.ok else "errors"
        states = len(result.definition["States"]) if result.definition else 0
        typer.echo(f"  {path}: {status} ({states} top-level states)")
        if not result.ok:
            failed = True
            print_diagnostics(result.diagnostics)
    result = validate_file(mission)
    if result.definition is None:
        print_diagnostics(result.diagnostics)
        raise typer.Exit(1)
    typer.echo(f"\nASL of {mission}:\n")
    typer.echo(dumps_asl(result.definition), nl=False)
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)
