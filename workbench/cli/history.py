"""``workbench history fetch`` and ``workbench analyze``: histories into the cache, then into tables."""

from __future__ import annotations

import json
import re
import warnings
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from workbench.cli.output import fail
from workbench.core.diagnostics import DiagnosticError, WorkbenchError

_RELATIVE = re.compile(r"^(\d+)([mhd])$")


def parse_since(text: str | None) -> datetime | None:
    """``--since``: an ISO time (UTC if no zone) or a look-back such as ``30m``, ``24h``, ``7d``."""
    if not text:
        return None
    match = _RELATIVE.match(text.strip())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return datetime.now(UTC) - timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[unit]: amount})
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"--since '{text}' is not a time: use e.g. 2026-11-26T08:00:00Z, 24h or 7d") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def fetch_cmd(
    state_machine: Annotated[str | None, typer.Option("--state-machine", help="Machine, version or alias ARN.")] = None,
    execution: Annotated[list[str] | None, typer.Option("--execution", help="Execution ARN (repeatable).")] = None,
    target: Annotated[str, typer.Option(help="aws, or a Step Functions endpoint URL.")] = "aws",
    profile: Annotated[str | None, typer.Option(help="AWS profile.")] = None,
    region: Annotated[str | None, typer.Option(help="AWS region.")] = None,
    status: Annotated[str | None, typer.Option(help="RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO time, or a look-back like 24h / 7d.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many executions.")] = None,
    no_data: Annotated[bool, typer.Option("--no-data", help="Metadata only (no inputs/outputs).")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Folder (default: the cache).")] = None,
) -> None:
    """Fetch execution histories into the local cache (or a folder). Finished executions are never re-fetched."""
    from workbench.engine.targets import Target
    from workbench.history.fetch import HistoryCache, fetch_histories, list_executions

    if (state_machine is None) == (not execution):
        raise fail("give either --state-machine ARN or one or more --execution ARN")
    if status and status.upper() not in {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}:
        raise fail(f"--status '{status}' is not one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED")
    cache = HistoryCache(output) if output else HistoryCache()
    try:
        client = Target.parse(target, profile=profile, region=region).client()
        arns: list[Any] = list(execution or [])
        if state_machine:
            arns = list_executions(client, state_machine, status=status.upper() if status else None,
                                   since=parse_since(since), limit=limit)
        histories = fetch_histories(client, arns, include_execution_data=not no_data, cache=cache,
                                    with_definition=True)
    except WorkbenchError as exc:
        raise fail(str(exc), 1) from None
    typer.echo(f"fetched {len(histories)} execution histories into {cache.root}")


class TableFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


STATE_COLUMNS = ["execution", "state", "type", "path", "attempts", "retries", "status", "error", "duration_ms",
                 "started_after_ms"]
EXECUTION_COLUMNS = ["execution", "status", "start", "stop", "duration_ms", "events", "transitions", "retries",
                     "failures", "error"]


def _records(frame: Any, columns: list[str]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: NaN/NaT → null, timestamps → ISO 8601."""
    out = frame[[c for c in columns if c in frame.columns]].astype(object)
    out = out.where(out.notna(), None)
    rows = out.to_dict(orient="records")
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "isoformat"):
                row[key] = value.isoformat()
    return rows


def _resolve_sources(sources: list[str], cache_dir: Path | None) -> list[Any]:
    """History files/folders as given; execution ARNs are read from the cache."""
    from workbench.history.fetch import HistoryCache

    cache = HistoryCache(cache_dir) if cache_dir else HistoryCache()
    out: list[Any] = []
    for source in sources:
        if source.startswith("arn:"):
            payload = cache.get(source, need_data=False)
            if payload is None:
                raise fail(f"{source} is not in the cache ({cache.root}): run `workbench history fetch "
                           f"--execution {source}` first", 1)
            out.append(payload)
        else:
            out.append(source)
    return out


def analyze_cmd(
    histories: Annotated[list[str], typer.Argument(help="History files or folders, or cached execution ARNs.")],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table, json or csv.")] = TableFormat.table,
    cache: Annotated[Path | None, typer.Option(help="Cache folder (default: ~/.cache/workbench/histories).")] = None,
) -> None:
    """Per-state table of executions: visits, attempts, retries, status and latency."""
    from workbench.history import frames, load_histories
    from workbench.history.analysis import state_latency

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = load_histories(_resolve_sources(histories, cache))
            built = frames(loaded)
            states, executions = built.states, built.executions
        for warning in caught:
            typer.echo(f"warning: {warning.message}", err=True)
    except DiagnosticError as exc:
        for d in exc.diagnostics:
            typer.echo(d.render(), err=True)
        raise typer.Exit(1) from None
    except WorkbenchError as exc:
        raise fail(str(exc), 1) from None
    if fmt == TableFormat.json:
        typer.echo(json.dumps({"executions": _records(executions, EXECUTION_COLUMNS),
                               "states": _records(states, STATE_COLUMNS)}, ensure_ascii=False, default=str))
    elif fmt == TableFormat.csv:
        typer.echo(states[[c for c in STATE_COLUMNS if c in states.columns]].to_csv(index=False), nl=False)
    else:
        table = state_latency(built).reset_index()
        totals = states.groupby(["state", "type"], observed=True)[["attempts", "retries"]].sum().reset_index()
        table = table.merge(totals, on=["state", "type"], how="left")
        typer.echo(f"{len(executions)} execution(s): "
                   + ", ".join(f"{n} {s}" for s, n in executions["status"].value_counts().items() if n))
        typer.echo(table.to_string(index=False, na_rep="-", float_format=lambda v: f"{v:,.0f}"))


def register(app: typer.Typer) -> None:
    history = typer.Typer(help="Execution histories: fetch them into the local cache.", no_args_is_help=True)
    history.command("fetch")(fetch_cmd)
    app.add_typer(history, name="history")
    app.command("analyze")(analyze_cmd)
