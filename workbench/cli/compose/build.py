"""Commands that need no engine: compile, validate, lint, schema, import, graph.

Outputs named by ``-o`` are refused when they are one of the command's inputs, and written atomically
(0644: Missions, ASL and graphs are meant to be shared).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from workbench.asl.compiler import dumps_asl
from workbench.asl.validate import validate_file
from workbench.cli.output import (
    Format,
    check_output,
    fail,
    print_diagnostics,
    write_atomic,
    write_problem,
)
from workbench.core.diagnostics import AslError, Diagnostic, DiagnosticError, WorkbenchError, has_errors
from workbench.core.files import SHARED_FILE
from workbench.mission.schema import mission_schema_json

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="text (stderr) or json (a list on stdout).")]


def compile_cmd(
    mission: Annotated[Path, typer.Argument(help="Mission file (.yaml/.yml/.json).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the ASL here.")] = None,
) -> None:
    """Print (or write) the ASL JSON of a Mission. Exit 1 with diagnostics on stderr when it has errors."""
    check_output(output, [mission])
    result = validate_file(mission)
    if not result.ok or result.definition is None:
        print_diagnostics(result.diagnostics)
        raise typer.Exit(2 if result.unreadable else 1)
    print_diagnostics([d for d in result.diagnostics if not d.is_error])
    text = dumps_asl(result.definition)
    if output:
        write_atomic(output, text)
        typer.echo(f"wrote {output}", err=True)
    else:
        typer.echo(text, nl=False)


def validate_cmd(
    missions: Annotated[list[Path], typer.Argument(help="Mission files.")],
    fmt: FormatOpt = Format.text,
) -> None:
    """Mission checks + lint of the compiled ASL. Exit 0 clean, 1 on errors, 2 when a file cannot be parsed."""
    everything: list[Diagnostic] = []
    unreadable = False
    for path in missions:
        result = validate_file(path)
        unreadable |= result.unreadable
        everything += result.diagnostics
        if fmt == Format.text and result.ok:
            typer.echo(f"{path}: ok", err=True)
    print_diagnostics(everything, fmt)
    raise typer.Exit(2 if unreadable else (1 if has_errors(everything) else 0))


def lint_cmd(
    files: Annotated[list[Path], typer.Argument(help="ASL definition files (JSON or YAML).")],
    fmt: FormatOpt = Format.text,
) -> None:
    """Lint any ASL file. Exit 0 clean, 1 on errors, 2 when a file cannot be read or parsed."""
    from workbench.asl.lint import lint, load_asl

    everything: list[Diagnostic] = []
    unreadable = False
    for path in files:
        try:
            doc = load_asl(path)
        except AslError as exc:
            unreadable = True
            everything += exc.diagnostics
            continue
        found = lint(doc, file=str(path))
        everything += found
        if fmt == Format.text and not has_errors(found):
            typer.echo(f"{path}: ok", err=True)
    print_diagnostics(everything, fmt)
    raise typer.Exit(2 if unreadable else (1 if has_errors(everything) else 0))


def schema_cmd(
    plan: Annotated[bool, typer.Option("--plan", help="The Director plan's schema (`workbench select`).")] = False,
) -> None:
    """Print the Mission JSON Schema (point your editor's YAML plugin at it), or with --plan the plan's."""
    if plan:
        from workbench.mission.catalog import plan_schema_json

        typer.echo(plan_schema_json(), nl=False)
        return
    typer.echo(mission_schema_json(), nl=False)


def import_cmd(
    asl_file: Annotated[Path, typer.Argument(help="ASL definition (JSON, or YAML for .yaml/.yml).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the Mission YAML here.")] = None,
    name: Annotated[str | None, typer.Option(help="Mission name (default: from the file name).")] = None,
) -> None:
    """Import a state machine as a Mission. Exit 0, 1 on an invalid definition (with lint diagnostics), 2 unreadable."""
    from workbench.asl.import_file import UNREADABLE_CODES, import_file

    check_output(output, [asl_file])
    try:
        mission, found = import_file(asl_file, name=name)
    except AslError as exc:
        print_diagnostics(exc.diagnostics)
        raise typer.Exit(2 if {d.code for d in exc.diagnostics} & UNREADABLE_CODES else 1) from None
    print_diagnostics(found)
    if has_errors(found):
        raise typer.Exit(1)
    if output:
        write_atomic(output, mission.to_yaml())
        typer.echo(f"wrote {output}", err=True)
    else:
        typer.echo(mission.to_yaml(), nl=False)


def graph_cmd(
    source: Annotated[Path, typer.Argument(help="Mission file or ASL definition file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Write .svg, or .html for a page.")] = Path(
        "graph.svg"),
) -> None:
    """Draw a Mission or any state machine as a self-contained SVG. Exit 1 when it has errors, 2 unreadable."""
    from workbench.asl.lint import load_asl
    from workbench.viz import draw

    check_output(output, [source])
    if source.name.endswith((".asl.json", ".asl.yaml", ".asl.yml")) or source.suffix == ".json":
        try:
            definition = load_asl(source).definition
        except AslError as exc:
            print_diagnostics(exc.diagnostics)
            raise typer.Exit(2) from None
        if not isinstance(definition, dict):
            kinds = {list: "a list", str: "a string", bool: "a boolean", type(None): "empty"}
            kind = kinds.get(type(definition), "a number")
            raise fail(f"{source}: an ASL definition is a JSON object with StartAt and States, not {kind}", 1)
    else:
        result = validate_file(source)
        if result.definition is None:
            print_diagnostics(result.diagnostics)
            raise typer.Exit(2 if result.unreadable else 1)
        definition = result.definition
    try:
        view = draw(definition)
        view.svg  # noqa: B018 - render now: a definition that cannot be drawn fails before anything is written
    except DiagnosticError as exc:
        print_diagnostics(d.model_copy(update={"file": d.file or str(source)}) for d in exc.diagnostics)
        raise typer.Exit(1) from None
    except WorkbenchError as exc:
        raise fail(f"{source}: {exc}", 1) from None
    try:
        path = view.save(output)
        os.chmod(path, SHARED_FILE)  # a drawing of a definition holds no execution data
    except OSError as exc:
        raise fail(write_problem(output, exc)) from None
    typer.echo(f"wrote {path}", err=True)


def register(app: typer.Typer) -> None:
    app.command("graph")(graph_cmd)
    app.command("import")(import_cmd)
    app.command("compile")(compile_cmd)
    app.command("validate")(validate_cmd)
    app.command("lint")(lint_cmd)
    app.command("schema")(schema_cmd)
