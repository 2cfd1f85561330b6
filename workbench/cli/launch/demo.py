"""``workbench demo``: the first five minutes in one command.

Validates every example Mission, runs one on the embedded engine with an injected fault (so a retry
shows), prints a per-state summary and writes a self-contained report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.asl.compiler import compile_mission, dumps_asl
from workbench.asl.validate import validate_file
from workbench.cli.output import check_output, fail, print_diagnostics, write_problem
from workbench.core.diagnostics import DiagnosticError, WorkbenchError


def _missions_folder() -> Path:
    """The example Missions: ``missions/`` in the working tree, else the installed package's."""
    local = Path("missions")
    if local.is_dir():
        return local
    import missions

    return Path(missions.__file__).parent


MISSIONS = _missions_folder()
DEMO_FAULTS = {"seed": 3, "tools": {"fetch_alert": {"throttle": {"burst": 1, "every": 100}},
                                    "probe_host": {"fail_rate": 0.3, "error": "Lambda.ServiceException"}}}


def demo_cmd(
    mission: Annotated[Path, typer.Option(help="The Mission to run.")] = MISSIONS / "incident_triage.yaml",
    report: Annotated[Path, typer.Option(help="Where to write the report.")] = Path("reports/demo.html"),
) -> None:
    """Validate the examples, compile one, run it with an injected fault on the embedded engine, write a report."""
    check_output(report, [mission], option="--report")
    try:
        _run_demo(mission, report)
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics)
        raise typer.Exit(2) from None
    except WorkbenchError as exc:
        raise fail(str(exc), 1) from None


def _run_demo(mission: Path, report: Path) -> None:
    from workbench.engine.run.mission import run_mission
    from workbench.engine.tools.faults import FaultPlan
    from workbench.history import frames, load_history
    from workbench.mission.loader import load_mission
    from workbench.report import build

    loaded = load_mission(mission)  # a Mission that cannot be used stops the demo before it starts
    typer.echo("1. Validate the example Missions")
    failed = False
    for path in sorted(p for p in MISSIONS.glob("*.yaml") if not p.name.endswith(".tests.yaml")):
        result = validate_file(path)
        states = len(result.definition["States"]) if result.definition else 0
        typer.echo(f"   {path}: {'ok' if result.ok else 'ERRORS'} ({states} top-level states)")
        if not result.ok:
            failed = True
            print_diagnostics(result.diagnostics)
    if failed:
        raise typer.Exit(1)

    typer.echo(f"\n2. Compile {mission} to Amazon States Language\n")
    typer.echo(dumps_asl(compile_mission(loaded)), nl=False)
    plan = FaultPlan.model_validate(DEMO_FAULTS)
    injected = ", ".join(f"{tool}: {spec.model_dump(exclude_defaults=True)}" for tool, spec in plan.tools.items())
    typer.echo(f"\n3. Run {loaded.name} on the embedded engine (time warp on; injected faults: {injected})")
    execution = run_mission(loaded, faults=plan, time_warp=True, progress=False)
    typer.echo(f"   {execution.arn}\n   status: {execution.status}")

    history = load_history({"events": execution.history()}, execution_arn=execution.arn)
    states = frames([history]).states
    typer.echo("\n4. Per-state summary")
    table = states[["path", "type", "status", "attempts", "retries", "duration_ms", "error"]].copy()
    table["duration_ms"] = table["duration_ms"].round(0)
    typer.echo(table.to_string(index=False, na_rep="-", max_colwidth=40))
    retried = states.loc[states["retries"] > 0, "state"].tolist()
    typer.echo(f"\n   retries fired in: {', '.join(sorted(set(retried))) or 'none'}")

    built = build([history], mission=loaded, title=f"{loaded.name}: demo run", progress=False)
    try:
        built.save(report)
    except OSError as exc:
        raise fail(write_problem(report, exc, "--report")) from None
    typer.echo(f"\n5. Report: {report.resolve()} ({built.size / 1e6:.1f} MB, opens offline)")
    raise typer.Exit(0 if execution.status == "SUCCEEDED" else 1)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)
