"""``workbench replay``: replay recorded executions on the embedded engine, as recorded or against an edit.

Each Lambda call gets the outcome the recording holds for it (by state, visit and attempt) with its recorded
duration on the virtual clock; calls with no recording get what ``--unrecorded`` says, and are counted.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from workbench.cli.output import fail
from workbench.core.diagnostics import DiagnosticError, WorkbenchError
from workbench.core.redact import redact, redact_text


class Unrecorded(StrEnum):
    repeat = "repeat"
    last_success = "last-success"
    local = "local"
    fail = "fail"


def _mark(value: bool | None) -> str:
    return "-" if value is None else "same" if value else "differs"


def table(results: list[Any]) -> str:  # Any: ReplayResult (loaded with the command, not at import)
    """One line per execution, then its divergences and notes indented under it (redacted).

    Example:
        >>> print(table([]))
        execution  recorded  replayed  path  output  error  invented
    """
    header = ("execution", "recorded", "replayed", "path", "output", "error", "invented")
    rows = [(redact_text(r.name), r.recorded_status, r.replayed_status, _mark(r.path_match), _mark(r.output_match),
             _mark(r.error_match), str(r.invented)) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True)).rstrip()]
    for result, row in zip(results, rows, strict=True):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        lines.extend(f"    - {redact_text(line)}" for line in result.divergences)
        lines.extend(f"    note: {redact_text(line)}" for line in result.notes)
        lines.extend(f"    invented: {redact_text(call.describe())}" for call in result.invented_calls)
    return "\n".join(lines)


def summary(results: list[Any], subject: str, unrecorded: str) -> dict[str, Any]:  # Any: JSON values
    """Counts over the replays: reproduced, recovered, newly failed, unchanged status, invented outcomes.

    Example:
        >>> summary([], "the recorded definitions", "repeat")["replays"]
        0
    """
    return {
        "replays": len(results), "against": subject, "unrecorded": unrecorded,
        "reproduced": sum(r.reproduced for r in results), "recovered": sum(r.recovered for r in results),
        "newly_failed": sum(r.newly_failed for r in results),
        "same_status": sum(r.status_match for r in results), "invented": sum(r.invented for r in results),
    }


def replay_cmd(
    histories: Annotated[list[str] | None, typer.Argument(
        help="History files, folders of them, or execution ARNs.")] = None,
    execution: Annotated[list[str] | None, typer.Option(
        "--execution", help="Execution ARN to fetch (through the history cache; repeatable).")] = None,
    mission: Annotated[Path | None, typer.Option(
        help="Replay against this Mission (or ASL .json) instead of the recorded definition.")] = None,
    unrecorded: Annotated[Unrecorded, typer.Option(
        help="What calls with no recording get: repeat (the tool's last recorded outcome in that execution), "
             "last-success, local (the Mission's code) or fail (error Replay.Unrecorded).")] = Unrecorded.repeat,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    workers: Annotated[int, typer.Option(help="Replays at a time.")] = 4,
    target: Annotated[str, typer.Option(help="Where --execution ARNs are fetched from: aws, an endpoint URL, "
                                             "or endpoint (the URL in --env-file).")] = "aws",
    env_file: Annotated[Path | None, typer.Option(
        "--env-file", help="Endpoint and credentials written by `workbench engine serve --env-file`.")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile (for --execution).")] = None,
    region: Annotated[str | None, typer.Option(help="AWS region (for --execution).")] = None,
) -> None:
    """Replay recorded executions on the embedded engine under time warp and compare them with the recording.

    Without --mission each execution runs its recorded definition: a fidelity check. With --mission it runs
    the edited Mission: which executions would have ended otherwise. Exit 0 when every replay reproduced the
    recorded status and state path (with --mission: 0 whatever the replays did), 1 when a replay of the
    unchanged definition diverged, 2 when an input cannot be used (one line naming it).
    """
    from workbench.history.replay import ReplayInputError, is_execution_arn, plan_replays, run_plans

    sources: list[Any] = [*(histories or []), *(execution or [])]  # Any: paths, ARNs
    if not sources:
        raise fail("give history files, folders of them, or --execution ARN")
    if workers < 1:
        raise fail(f"--workers {workers}: give 1 or more")
    for arn in execution or []:
        if not is_execution_arn(arn):
            raise fail(f"--execution '{arn}' is not an execution ARN: use "
                       "arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME")
    try:
        client = _client(sources, target, env_file, profile, region)
        plans = plan_replays(sources, mission, unrecorded=unrecorded.value, client=client)
        results = run_plans(plans, workers=workers)
    except (ReplayInputError, DiagnosticError, WorkbenchError) as exc:
        raise fail(_line(exc)) from None
    against = "the recorded definitions" if mission is None else str(mission)
    counts = summary(results, against, unrecorded.value)
    if as_json:
        typer.echo(json.dumps(redact({"summary": counts, "replays": [r.to_dict() for r in results]}),
                              ensure_ascii=False, default=str))
    else:
        typer.echo(table(results))
        typer.echo(f"{counts['replays']} replayed against {redact_text(against)} (--unrecorded {unrecorded.value}): "
                   f"{counts['reproduced']} reproduced status and path, {counts['recovered']} recovered, "
                   f"{counts['newly_failed']} newly failed; {counts['invented']} outcome(s) invented")
    if mission is None and counts["reproduced"] < len(results):
        raise typer.Exit(1)


def _line(exc: BaseException) -> str:
    if isinstance(exc, DiagnosticError) and exc.diagnostics:
        return exc.diagnostics[0].render()
    return " ".join(str(exc).split())


def _client(sources: list[Any], target: str, env_file: Path | None, profile: str | None,
            region: str | None) -> Any:  # Any: a boto3 Step Functions client, only when an ARN is given
    from workbench.history.replay import is_execution_arn

    arns = [s for s in sources if is_execution_arn(s)]
    if not arns:
        return None
    from workbench.core.arn import Arn
    from workbench.engine.connect.targets import Target

    if env_file is not None and target == "aws":
        target = "endpoint"
    region = region or Arn.parse(arns[0]).region or None
    return Target.parse(target, profile=profile, region=region, env_file=env_file).client()


def register(app: typer.Typer) -> None:
    """Add ``workbench replay`` to the app (once: registering twice changes nothing)."""
    if not any(c.name == "replay" for c in app.registered_commands):
        app.command("replay")(replay_cmd)
