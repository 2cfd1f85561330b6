"""``workbench select PLAN.json --catalog DIR`` and ``workbench deploy PLAN.json --catalog DIR --target ...``.

Exit codes: 0 selected (or generated) and, for deploy, deployed (and the run succeeded with ``--start``); 1 no
template fits, the choice is ambiguous, the bound Mission has errors, or the run did not succeed; 2 the plan fails
its schema (the line names the field), or the catalog or plan cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from workbench.cli.output import Format, fail, print_diagnostics
from workbench.core.diagnostics import DiagnosticError, WorkbenchError

PlanArg = Annotated[Path, typer.Argument(help="The Director's plan (JSON; schema: `workbench schema --plan`).")]
CatalogOpt = Annotated[Path, typer.Option("--catalog", "-c", help="Catalog folder of Mission templates.")]
NamingOpt = Annotated[str, typer.Option(
    "--naming", help="parameters: one state machine per parameter set (NAME-vVERSION-HASH); version: one per "
                     "template version (NAME-vVERSION), a new published version when parameters change.")]
GenerateOpt = Annotated[bool, typer.Option("--generate", help="When no template fits, generate from the plan's steps.")]
HistoryOpt = Annotated[list[Path] | None, typer.Option(
    "--history", help="Recorded histories (files or folders) for the duration/cost estimate.")]
StoreOpt = Annotated[Path | None, typer.Option("--store", help="History store for the duration/cost estimate.")]


def _prepare(plan_path: Path, catalog_dir: Path, generate: bool, naming: str) -> Any:
    from workbench.asl.plan import prepare_plan
    from workbench.mission.catalog import CatalogError, PlanError, load_catalog, load_plan

    if naming not in ("parameters", "version"):
        raise fail(f"--naming {naming!r}: use 'parameters' or 'version'")
    try:
        plan = load_plan(plan_path)
        catalog = load_catalog(catalog_dir)
    except (PlanError, CatalogError) as exc:
        print_diagnostics(exc.diagnostics)
        raise typer.Exit(2) from None
    print_diagnostics(catalog.problems)
    return prepare_plan(plan, catalog, generate=generate, naming=naming)  # type: ignore[arg-type]


def _estimate(prepared: Any, history: list[Path] | None, store: Path | None) -> list[str]:
    if prepared.template_name is None or (not history and store is None):
        return []
    from workbench.history.analysis import estimate_run

    limits = prepared.plan.constraints
    try:
        if store is not None:
            from workbench.history.store import open as open_store

            source: Any = open_store(store)
        else:
            from workbench.history import frames, load_histories

            source = frames(load_histories([str(p) for p in history or []]))
        estimate = estimate_run(source, prepared.template_name, deadline_s=limits.deadline,
                                budget_usd=limits.budget_usd)
    except WorkbenchError as exc:
        raise fail(f"estimate: {exc}") from None
    return [f"estimate: {estimate.lines()[0]}", *(f"warning: {w}" for w in estimate.warnings)]


def select_cmd(
    plan: PlanArg,
    catalog: CatalogOpt,
    explain: Annotated[bool, typer.Option("--explain", help="Say why, and why every other template was not chosen.")]
    = False,
    generate: GenerateOpt = False,
    naming: NamingOpt = "parameters",
    history: HistoryOpt = None,
    store: StoreOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text, or json (one object on stdout).")]
    = Format.text,
) -> None:
    """Choose the template for a plan (by name, then kind and tags, then parameters), bind it and check it."""
    prepared = _prepare(plan, catalog, generate, naming)
    selection = prepared.selection
    estimate = _estimate(prepared, history, store)
    if fmt == Format.json:
        data = selection.to_json()
        data.update(state_machine=prepared.state_machine_name, generated=prepared.generated, ok=prepared.ok,
                    estimate=estimate, diagnostics=[d.model_dump(mode="json") for d in prepared.diagnostics])
        typer.echo(json.dumps(data, indent=2))
    else:
        lines = selection.explain() if explain else [selection.headline()]
        if prepared.generated:
            lines = [*lines, f"generated Mission '{prepared.mission.name}' from the plan's steps"]
        for line in lines:
            typer.echo(line)
        if prepared.state_machine_name:
            typer.echo(f"state machine: {prepared.state_machine_name}")
        for line in estimate:
            typer.echo(line)
        print_diagnostics(prepared.diagnostics)
    raise typer.Exit(0 if prepared.ok else 1)


def deploy_cmd(
    plan: PlanArg,
    catalog: CatalogOpt,
    target: Annotated[str, typer.Option(
        help="embedded, aws, a Step Functions endpoint URL, or endpoint (the URL in --env-file).")] = "embedded",
    env_file: Annotated[Path | None, typer.Option(
        "--env-file", help="Endpoint and credentials written by `workbench engine serve --env-file`.")] = None,
    start: Annotated[bool, typer.Option("--start", help="Start an execution with the plan's input, wait for it.")]
    = False,
    alias: Annotated[str | None, typer.Option(help="Create or move this alias to the deployed version.")] = None,
    generate: GenerateOpt = False,
    naming: NamingOpt = "parameters",
    profile: Annotated[str | None, typer.Option(help="AWS profile (aws target).")] = None,
    region: Annotated[str | None, typer.Option(help="AWS region.")] = None,
    role_arn: Annotated[str | None, typer.Option(help="IAM role for the state machine (aws target).")] = None,
    history: HistoryOpt = None,
    store: StoreOpt = None,
) -> None:
    """Select → bind → compile → lint → deploy; print the state machine ARN and version; --start runs it."""
    prepared = _prepare(plan, catalog, generate, naming)
    typer.echo(prepared.selection.headline())
    print_diagnostics(prepared.diagnostics)
    if not prepared.ok:
        if prepared.mission is not None:
            why = "the bound Mission has errors (above)"
        elif prepared.selection.template is not None:
            why = f"{prepared.selection.template.label} did not bind with the plan's parameters (above)"
        else:
            why = "no template selected"
        raise fail(f"nothing deployed: {why}", 1)
    for line in _estimate(prepared, history, store):
        typer.echo(line)
    from workbench.engine.connect.targets import Target
    from workbench.engine.deploy.plans import deploy_plan

    options: dict[str, Any] = {}
    if env_file is not None:
        target, options["env_file"] = ("endpoint" if target == "embedded" else target), env_file
    try:
        if target == "embedded":
            options["time_warp"] = prepared.mission.local.time_warp
        tgt = Target.parse(target, profile=profile, region=region, role_arn=role_arn, **options)
        done = deploy_plan(prepared, tgt, alias=alias, start=start, progress=False)
    except (DiagnosticError, WorkbenchError) as exc:
        raise fail(f"deploy: {exc}") from None
    dep = done.deployment
    change = "created" if dep.created else ("updated" if dep.updated else "unchanged")
    typer.echo(f"state machine: {dep.state_machine_arn} ({change})")
    typer.echo(f"version: {done.version or 'not published on this target'}"
               + (f"  ({dep.version_arn})" if dep.version_arn else ""))
    if dep.alias_arn:
        typer.echo(f"alias: {dep.alias_arn}")
    if target == "embedded" and not start:
        typer.echo("note: the embedded engine lives in this process only; add --start to run it here, or deploy "
                   "to `workbench engine serve` with --target URL", err=True)
    if done.execution is None:
        raise typer.Exit(0)
    execution = done.execution
    status = str(execution.describe().get("status"))
    typer.echo(f"execution: {execution.arn}\nstatus: {status}")
    if status != "SUCCEEDED":
        typer.echo(f"error: the execution ended {status} with {execution.error}: {execution.cause}", err=True)
    raise typer.Exit(0 if status == "SUCCEEDED" else 1)


def register(app: typer.Typer) -> None:
    app.command("select")(select_cmd)
    app.command("deploy")(deploy_cmd)
