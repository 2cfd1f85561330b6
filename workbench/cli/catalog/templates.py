"""``workbench catalog list|show|validate DIR``: what a catalog holds, and whether every template is fit to use.

``validate`` binds each template with its defaults, checks and compiles the Mission, lints the ASL and runs the
template's Mission tests (``NAME.tests.yaml`` beside it). Exit 0 when all pass, 1 when one fails, 2 unreadable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from workbench.cli.output import Format, fail, print_diagnostics
from workbench.core.diagnostics import Diagnostic, DiagnosticError, has_errors
from workbench.core.json_load import loads_json
from workbench.core.yaml_load import InputError

catalog_app = typer.Typer(help="List, show and validate a catalog of Mission templates.", no_args_is_help=True)
DirArg = Annotated[Path, typer.Argument(help="Catalog folder (templates, and their NAME.tests.yaml).")]


def _load(directory: Path) -> Any:
    from workbench.mission.catalog import CatalogError, load_catalog

    try:
        return load_catalog(directory)
    except CatalogError as exc:
        print_diagnostics(exc.diagnostics)
        raise typer.Exit(2) from None


def list_cmd(directory: DirArg, fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.text) -> None:
    """One line per template: name, version, plan kinds, tags, file. Files that do not load are listed after."""
    catalog = _load(directory)
    if fmt == Format.json:
        typer.echo(json.dumps([{"name": t.name, "version": t.version, "kinds": t.catalog.kinds,
                                "tags": t.catalog.tags, "file": t.file, "parameters": list(t.parameters)}
                               for t in catalog.templates], indent=2))
    else:
        for t in catalog.templates:
            tags = f"  tags: {', '.join(t.catalog.tags)}" if t.catalog.tags else ""
            typer.echo(f"{t.name} {t.version}  kinds: {', '.join(t.catalog.kinds)}{tags}  ({t.file})")
    print_diagnostics(catalog.problems)
    raise typer.Exit(1 if has_errors(catalog.problems) else 0)


def show_cmd(
    directory: DirArg,
    name: Annotated[str, typer.Argument(help="Template name (NAME or NAME@VERSION).")],
    asl: Annotated[bool, typer.Option("--asl", help="Also print the ASL bound with the defaults (or --set).")] = False,
    values: Annotated[list[str] | None, typer.Option("--set", help="Bind with NAME=JSON-or-text.")] = None,
) -> None:
    """A template's parameters (type, default, constraints, where each goes) and the state machine it binds to."""
    from workbench.asl.compiler import compile_mission, dumps_asl

    given = parse_sets(values or [])
    catalog = _load(directory)
    template_name, _, version = name.partition("@")
    try:
        template = catalog.get(template_name, version or None)
    except KeyError as exc:
        raise fail(str(exc.args[0]), 2) from None
    typer.echo(f"{template.label}  ({template.file})")
    if template.description:
        typer.echo(f"  {template.description}")
    typer.echo(f"  kinds: {', '.join(template.catalog.kinds)}; tags: {', '.join(template.catalog.tags) or 'none'}")
    typer.echo("parameters:")
    for pname, spec in template.parameters.items():
        schema = {k: v for k, v in spec.schema_().items() if k not in ("type", "description", "default")}
        default = f" = {json.dumps(spec.default)}" if spec.has_default else " (required)"
        places = ", ".join(s.field for s in template.slots if s.parameter == pname)
        typer.echo(f"  {pname}: {spec.type}{default}" + (f"  {json.dumps(schema)}" if schema else ""))
        if spec.description:
            typer.echo(f"      {spec.description}")
        typer.echo(f"      goes to: {places or 'nowhere (unused)'}")
    try:
        bound = template.bind(given)
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics)
        raise typer.Exit(1) from None
    typer.echo(f"state machine: {bound.state_machine_name}")
    if asl:
        typer.echo(dumps_asl(compile_mission(bound.mission)), nl=False)


def parse_sets(items: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs; VALUE is read as JSON when it is JSON, else kept as text.

    Example:
        >>> parse_sets(["n=5", "service=payments-api", 'tags=["a"]'])
        {'n': 5, 'service': 'payments-api', 'tags': ['a']}
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise fail(f"--set {item!r}: write NAME=VALUE, e.g. --set probe_concurrency=8")
        try:
            out[key] = loads_json(raw, f"--set {key}")
        except json.JSONDecodeError:
            out[key] = raw
        except InputError as exc:  # too deep or too big, NaN, numbers beyond a double
            problem = exc.diagnostics[0]
            raise fail(f"--set {key}: {problem.message}" + (f" ({problem.hint})" if problem.hint else "")) from None
    return out


def validate_cmd(directory: DirArg, fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.text) -> None:
    """Check every template: bind its defaults, compile, lint, run its Mission tests. Exit 0 all ok, 1 not."""
    catalog = _load(directory)
    problems: list[Diagnostic] = list(catalog.problems)
    failed = has_errors(problems)
    for template in catalog.templates:
        found, tests_line = _validate_one(template)
        problems += found
        ok = not has_errors(found) and not tests_line.startswith("FAILED")
        failed |= not ok
        if fmt == Format.text:
            typer.echo(f"{template.label}: {'ok' if ok else 'FAILED'}; {tests_line}", err=not ok)
    print_diagnostics(problems, fmt)
    if fmt == Format.text:
        typer.echo(f"{len(catalog.templates)} templates, {len(catalog.problems)} files not loaded: "
                   f"{'FAILED' if failed else 'all valid'}")
    raise typer.Exit(1 if failed else 0)


def _validate_one(template: Any) -> tuple[list[Diagnostic], str]:
    from workbench.asl.validate import check_and_compile
    from workbench.history.mission_tests import MissionTestError, run_mission_tests, tests_file_for

    found: list[Diagnostic] = list(template.warnings)
    try:
        bound = template.bind(naming="version")
    except DiagnosticError as exc:
        return [*found, *exc.diagnostics], "not bound with its defaults"
    found += check_and_compile(bound.mission)[1]
    if has_errors(found):
        return found, "not compiled"
    tests = tests_file_for(template.file) if template.file else None
    if tests is None:
        return found, "no tests (write NAME.tests.yaml beside it)"
    try:
        results = run_mission_tests([tests])
    except MissionTestError as exc:
        return [*found, *exc.diagnostics], "FAILED: its tests cannot be loaded"
    cases = [c for r in results for c in r.cases]
    bad = [c for c in cases if not c.passed]
    for case in bad:
        typer.echo(case.explain(), err=True)
    coverage = ", ".join(f"{int(r.coverage.percent() or 0)}%" for r in results)
    summary = f"{len(cases) - len(bad)}/{len(cases)} tests passed" + (f", coverage {coverage}" if coverage else "")
    return found, (f"FAILED: {summary}" if bad else summary)


catalog_app.command("list")(list_cmd)
catalog_app.command("show")(show_cmd)
catalog_app.command("validate")(validate_cmd)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
