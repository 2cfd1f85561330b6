"""``workbench report``: one self-contained, safe-to-share HTML file for a set of executions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def report_cmd(
    histories: Annotated[list[str] | None, typer.Argument(help="History files or folders (or ARNs).")] = None,
    execution: Annotated[list[str] | None, typer.Option("--execution", help="Execution ARN (repeatable).")] = None,
    state_machine: Annotated[str | None, typer.Option("--state-machine", help="All its executions.")] = None,
    mission: Annotated[Path | None, typer.Option(help="The Mission file, for names, tools and the graph.")] = None,
    target: Annotated[str | None, typer.Option(help="embedded, aws or an endpoint URL (for ARNs).")] = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the HTML.")] = Path("report.html"),
) -> None:
    """Write a report. Exit 0 with the file written atomically; 1 with a clear message and no file."""
    from workbench.report.command import report_command

    code = report_command(histories or [], mission, output, executions=execution or [], state_machine=state_machine,
                          target=target, title=title)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)
