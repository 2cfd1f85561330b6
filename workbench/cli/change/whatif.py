"""``workbench whatif``: replay recorded executions against an edited Mission; which recover, what it costs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workbench.cli.output import check_output, fail, write_problem
from workbench.core.diagnostics import DiagnosticError, WorkbenchError
from workbench.core.redact import redact, redact_text

if TYPE_CHECKING:
    from workbench.history.whatif import WhatIf, WhatIfRow

#: Rows printed in text mode (the report and --json have them all).
MAX_PRINTED = 100
#: Not-replayed executions named one per line before the rest are counted.
MAX_PROBLEMS = 20


def _cell(r: WhatIfRow) -> list[str]:
    from workbench.report.whatif.sections import money, ms

    def pair(a: str, b: str) -> str:
        return a if a == b else f"{a} → {b}"

    rep_t = "–" if r.transitions_replayed is None else str(r.transitions_replayed)
    return [r.execution, r.recorded_status, r.replayed_status, r.outcome, pair(str(r.transitions_recorded), rep_t),
            pair(ms(r.duration_ms_recorded), ms(r.duration_ms_replayed)),
            pair(money(r.standard_usd_recorded), money(r.standard_usd_replayed)),
            pair(money(r.express_usd_recorded), money(r.express_usd_replayed)), str(r.invented),
            redact_text(r.problem or r.replayed_error or r.recorded_error or "")[:80]]


def render_table(result: WhatIf, limit: int = MAX_PRINTED) -> str:
    """The executions as aligned text columns, outcomes that moved first, at most ``limit`` rows.

    Example:
        >>> print(render_table(workbench.whatif("runs/", "edited.yaml")))  # doctest: +SKIP
    """
    from workbench.history.whatif.table import ordered

    heads = ["execution", "recorded", "replayed", "outcome", "transitions", "duration", "Standard", "Express",
             "invented", "error"]
    rows = ordered(result.rows)
    cells = [heads, *(_cell(r) for r in rows[:limit])]
    widths = [max(len(c[i]) for c in cells) for i in range(len(heads))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(heads))).rstrip() for c in cells]
    if len(rows) > limit:
        lines.append(f"… {len(rows) - limit:,} more executions (all of them: -o whatif.html or --json)")
    return "\n".join(lines)


def _json(result: WhatIf, written: Path | None) -> str:
    def row(r: WhatIfRow) -> dict[str, Any]:
        data = r.to_dict()
        for key in ("recorded_error", "recorded_cause", "replayed_error", "replayed_cause", "problem"):
            data[key] = redact_text(data[key]) if data[key] else data[key]
        for key in ("recorded_output", "replayed_output"):
            data[key] = redact(data[key])
        data["divergences"] = [redact_text(d) for d in data["divergences"]]
        data["invented_calls"] = [redact_text(c) for c in data["invented_calls"]]
        data["notes"] = [redact_text(n) for n in data["notes"]]
        return data

    doc = {"mission": result.mission_name, "unrecorded": result.unrecorded, "interrupted": result.interrupted,
           "requested": result.requested, "summary": result.summary.to_dict(),
           "changes": [c.describe() for c in result.changes], "prices": result.prices, "notes": result.notes,
           "report": str(written) if written else None, "executions": [row(r) for r in result.rows]}
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str)


def whatif_cmd(
    histories: Annotated[list[Path], typer.Argument(help="Recorded history files or folders (read recursively).")],
    mission: Annotated[Path, typer.Option("--mission", help="The edited Mission (or any ASL file) to replay.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the HTML what-if report here.")] = None,
    unrecorded: Annotated[str, typer.Option(
        help="What calls with no recording get: repeat (the tool's last recorded outcome), last-success, local "
             "(run the tool's local code) or fail.")] = "repeat",
    processes: Annotated[int | None, typer.Option(
        help="Worker processes (default: one per CPU; 0 replays in this process).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (summary and every row).")] = False,
) -> None:
    """Replay recorded executions against an edited Mission: recovered, newly failed, unchanged, and the change
    in p50/p95 duration and in Standard and Express cost per 1,000 executions.

    Exit 0 done; 2 unusable input (the Mission, a history path, -o naming an input) or some execution could not
    be replayed (each named); 130 Ctrl-C, after printing and writing the executions finished by then.
    """
    from workbench.history.whatif import UNRECORDED, whatif

    if unrecorded not in UNRECORDED:
        raise fail(f"--unrecorded {unrecorded}: use one of {', '.join(UNRECORDED)}")
    if processes is not None and processes < 0:
        raise fail(f"--processes {processes}: give 0 (this process) or more")
    check_output(output, [*histories, mission])
    try:
        result = whatif([str(h) for h in histories], mission, unrecorded=unrecorded, processes=processes,
                        progress=not as_json)
    except DiagnosticError as exc:
        for diagnostic in exc.diagnostics:
            typer.echo(diagnostic.render(), err=True)
        raise typer.Exit(2) from None
    except WorkbenchError as exc:
        raise fail(str(exc)) from None
    written = _write(result, output) if output is not None and result.rows else None
    if as_json:
        typer.echo(_json(result, written))
    else:
        typer.echo(str(result.summary))
        for change in result.changes:
            typer.echo(f"changed: {change.describe()}")
        if result.rows:
            typer.echo(render_table(result))
        for note in result.notes:
            typer.echo(f"note: {note}", err=True)
    if written is not None:
        typer.echo(f"wrote {written} ({len(result.rows):,} executions)", err=True)
    problems = [r for r in result.rows if r.problem]
    for r in problems[:MAX_PROBLEMS]:
        typer.echo(f"error: {r.execution}: {redact_text(r.problem)}", err=True)
    if len(problems) > MAX_PROBLEMS:
        typer.echo(f"error: … and {len(problems) - MAX_PROBLEMS} more executions not replayed", err=True)
    if result.interrupted:
        typer.echo(f"interrupted: {len(result.rows):,} of {result.requested:,} executions replayed", err=True)
        raise typer.Exit(130)
    raise typer.Exit(2 if problems else 0)


def _write(result: WhatIf, output: Path) -> Path:
    from workbench.report.inputs.data import ReportError
    from workbench.report.whatif.report import whatif_report

    try:
        return whatif_report(result).save(output)
    except ReportError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(write_problem(output, exc)) from None


def register(app: typer.Typer) -> None:
    """Add ``workbench whatif`` to the app (once: registering twice changes nothing)."""
    if not any(c.name == "whatif" for c in app.registered_commands):
        app.command("whatif")(whatif_cmd)
