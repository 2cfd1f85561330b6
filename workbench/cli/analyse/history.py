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

from workbench.cli.output import fail, write_problem
from workbench.core.arn import EXECUTION_KINDS, STATE_MACHINE_KINDS, Arn, ArnKind, looks_like_arn
from workbench.core.diagnostics import DiagnosticError, WorkbenchError

_RELATIVE = re.compile(r"^(\d+)([mhd])$")


def parse_since(text: str | None) -> datetime | None:
    """``--since``: an ISO time (UTC if no zone) or a look-back such as ``30m``, ``24h``, ``7d``.

    Example:
        >>> parse_since(None) is None, parse_since("2026-11-26T08:00:00").isoformat()
        (True, '2026-11-26T08:00:00+00:00')
    """
    if not text:
        return None
    match = _RELATIVE.match(text.strip())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        try:
            return datetime.now(UTC) - timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[unit]: amount})
        except (OverflowError, ValueError):
            raise fail(f"--since '{text}' reaches back before the year 1: use a look-back such as 24h or 30d") from None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"--since '{text}' is not a time: use e.g. 2026-11-26T08:00:00Z, 24h or 7d") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _is_arn(text: str, kinds: tuple[ArnKind, ...]) -> bool:
    return Arn.try_parse(text, *kinds) is not None


def fetch_cmd(
    state_machine: Annotated[str | None, typer.Option("--state-machine", help="Machine, version or alias ARN.")] = None,
    execution: Annotated[list[str] | None, typer.Option("--execution", help="Execution ARN (repeatable).")] = None,
    target: Annotated[str, typer.Option(
        help="aws, a Step Functions endpoint URL, or endpoint (the URL in --env-file).")] = "aws",
    env_file: Annotated[Path | None, typer.Option(
        "--env-file", help="Endpoint and credentials written by `workbench engine serve --env-file`.")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile.")] = None,
    region: Annotated[str | None, typer.Option(help="AWS region.")] = None,
    status: Annotated[str | None, typer.Option(help="RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO time, or a look-back like 24h / 7d.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many executions.")] = None,
    no_data: Annotated[bool, typer.Option("--no-data", help="Metadata only (no inputs/outputs).")] = False,
    max_pages: Annotated[int, typer.Option("--max-pages", help="Stop a listing or history after this many pages "
                                           "(an endpoint that pages forever).")] = 10_000,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Folder (default: the cache).")] = None,
) -> None:
    """Fetch execution histories into the local cache (or a folder). Finished executions are never re-fetched.

    Exit 0 fetched, 1 some could not be fetched, 2 unusable options or an unreachable endpoint, 130 Ctrl-C
    (the finished executions fetched so far stay in the cache).
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from workbench.engine.connect.targets import Target
    from workbench.engine.errors import TargetError
    from workbench.history.fetch import (
        EndpointError,
        FetchInterrupted,
        HistoryCache,
        fetch_histories,
        list_executions,
    )
    from workbench.history.fetch.paging import describe_failure

    if (state_machine is None) == (not execution):
        raise fail("give either --state-machine ARN or one or more --execution ARN")
    for arn in execution or []:
        if not _is_arn(arn, EXECUTION_KINDS):
            raise fail(f"--execution '{arn}' is not an execution ARN: use "
                       "arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME")
    if state_machine is not None and not _is_arn(state_machine, STATE_MACHINE_KINDS):
        raise fail(f"--state-machine '{state_machine}' is not a state machine ARN: use "
                   "arn:aws:states:REGION:ACCOUNT:stateMachine:NAME")
    if status and status.upper() not in {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}:
        raise fail(f"--status '{status}' is not one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED")
    if limit is not None and limit < 1:
        raise fail(f"--limit {limit}: give 1 or more (or leave it out for all executions)")
    if max_pages < 1:
        raise fail(f"--max-pages {max_pages}: give 1 or more (default 10000)")
    window = parse_since(since)
    if output is not None and output.exists() and not output.is_dir():
        raise fail(f"-o {output} is a file; give a folder for the histories (it is made if missing)")
    cache = HistoryCache(output) if output else HistoryCache()
    try:
        cache.prepare()
    except OSError as exc:
        raise fail(write_problem(cache.root, exc)) from None
    try:
        if env_file is not None and target == "aws":
            target = "endpoint"  # --env-file names the endpoint
        client = Target.parse(target, profile=profile, region=region, env_file=env_file).client()
        arns: list[Any] = list(execution or [])
        if state_machine:
            try:
                arns = list_executions(client, state_machine, status=status.upper() if status else None,
                                       since=window, limit=limit, max_pages=max_pages)
            except (BotoCoreError, ClientError) as exc:
                raise fail(f"cannot list the executions of {state_machine}: {describe_failure(exc)}. Check the "
                           "ARN, --region and your credentials.", 1) from None
        histories = fetch_histories(client, arns, include_execution_data=not no_data, cache=cache,
                                    with_definition=True, max_pages=max_pages)
    except FetchInterrupted as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(130) from None
    except (EndpointError, TargetError) as exc:
        raise fail(str(exc)) from None
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
        if looks_like_arn(source):
            payload = cache.get(source, need_data=False)
            if payload is None:
                raise fail(f"{source} is not in the cache ({cache.root}): run `workbench history fetch "
                           f"--execution {source}` first")
            out.append(payload)
        else:
            out.append(source)
    return out


def incomplete_problem(statuses: Any) -> str | None:
    """The one-line error for INCOMPLETE histories among execution ``statuses`` (None when there are none).

    Example:
        >>> print(incomplete_problem(["SUCCEEDED", "INCOMPLETE"]))  # doctest: +ELLIPSIS
        1 of 2 histories are INCOMPLETE (they stop before their execution ended): fetch them again with ...
        >>> incomplete_problem(["SUCCEEDED"]) is None
        True
    """
    values = [str(s) for s in statuses]
    n = values.count("INCOMPLETE")
    if not n:
        return None
    return (f"{n} of {len(values)} histories are INCOMPLETE (they stop before their execution ended): fetch them "
            "again with `workbench history fetch`, or pass --allow-incomplete to accept them")


def analyze_cmd(
    histories: Annotated[list[str], typer.Argument(help="History files or folders, or cached execution ARNs.")],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table, json or csv.")] = TableFormat.table,
    cache: Annotated[Path | None, typer.Option(help="Cache folder (default: ~/.cache/workbench/histories).")] = None,
    allow_incomplete: Annotated[bool, typer.Option(
        "--allow-incomplete", help="Exit 0 even when a history stops before its execution ended.")] = False,
) -> None:
    """Per-state table of executions: visits, attempts, retries, status and latency.

    Folders are read recursively (the layout `workbench history fetch -o DIR` writes included). Exit 0 with
    the table; 1 after the table when a history is INCOMPLETE (a pending nextToken, or no terminal event
    although the execution ended) unless --allow-incomplete; 2 with one line per problem when an input
    cannot be read as a history.
    """
    from workbench.core.redact import redact_frame
    from workbench.history import frames, load_histories
    from workbench.history.analysis import state_latency

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = [h for item in _resolve_sources(histories, cache) for h in load_histories(item)]  # folders too
            if not loaded:
                raise fail(f"no execution histories in {', '.join(histories)}: give history files (*.json), "
                           "folders holding them, or cached execution ARNs")
            built = frames(loaded)
            # error names can carry data (a Fail state's ErrorPath): printed tables are redacted like exports
            states, executions = redact_frame(built.states, ["error"]), redact_frame(built.executions, ["error"])
        for warning in caught:
            typer.echo(f"warning: {warning.message}", err=True)
    except DiagnosticError as exc:  # unusable input: exit 2, one line per diagnostic
        for d in exc.diagnostics:
            typer.echo(d.render(), err=True)
        raise typer.Exit(2) from None
    except WorkbenchError as exc:
        raise fail(str(exc)) from None
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
    problem = incomplete_problem(executions["status"])
    if problem and not allow_incomplete:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    history = typer.Typer(help="Execution histories: fetch them into the local cache.", no_args_is_help=True)
    history.command("fetch")(fetch_cmd)
    from workbench.cli.fleet.ingest import ingest_cmd  # here: ingest reuses this module's parse_since

    history.command("ingest")(ingest_cmd)
    app.add_typer(history, name="history")
    app.command("analyze")(analyze_cmd)
