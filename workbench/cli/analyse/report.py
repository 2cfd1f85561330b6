"""``workbench report``: one self-contained, safe-to-share HTML file for a set of executions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.output import check_output


def report_cmd(
    histories: Annotated[list[str] | None, typer.Argument(help="History files or folders (or ARNs).")] = None,
    execution: Annotated[list[str] | None, typer.Option("--execution", help="Execution ARN (repeatable).")] = None,
    state_machine: Annotated[str | None, typer.Option("--state-machine", help="All its executions.")] = None,
    mission: Annotated[Path | None, typer.Option(
        help="The Mission file (names, tools and the graph), or any ASL file (the graph).")] = None,
    target: Annotated[str | None, typer.Option(help="embedded, aws or an endpoint URL (for ARNs).")] = None,
    env_file: Annotated[Path | None, typer.Option(
        "--env-file", help="Endpoint and credentials written by `workbench engine serve --env-file`.")] = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the HTML.")] = Path("report.html"),
    allow_incomplete: Annotated[bool, typer.Option(
        "--allow-incomplete", help="Exit 0 even when a history stops before its execution ended.")] = False,
) -> None:
    """Write a report. Exit 0 with the file written atomically (0600); 1 nothing to report, or written but a
    history is INCOMPLETE (unless --allow-incomplete); 2 unusable input. Folders are read recursively.

    Exit 2, before anything is read or written, when -o names one of the inputs (a history file, a file in
    a history folder, or the --mission file).
    """
    from workbench.report.run.command import report_command

    check_output(output, [*(histories or []), mission])
    chosen: object = target
    if env_file is not None:
        from workbench.engine.connect.targets import Target
        from workbench.engine.errors import TargetError

        try:
            chosen = Target.parse(target or "endpoint", env_file=env_file)
        except TargetError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None

    code = report_command(histories or [], mission, output, executions=execution or [], state_machine=state_machine,
                          target=chosen, title=title, allow_incomplete=allow_incomplete)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)
