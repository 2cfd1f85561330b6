"""``workbench history ingest``: histories (files, folders, CloudWatch Logs exports, a fetch) into a Parquet store."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer

from workbench.cli.analyse.history import parse_since
from workbench.cli.output import fail
from workbench.core.arn import STATE_MACHINE_KINDS, Arn
from workbench.core.diagnostics import DiagnosticError, WorkbenchError

#: Warnings printed in full; the rest are counted.
SHOWN_WARNINGS = 5


class _Warnings:
    """Loader warnings as one line each, the first few only (a fleet can warn for thousands of files)."""

    def __init__(self) -> None:
        self.count = 0

    def show(self, message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:  # Any: a text stream
        self.count += 1
        if self.count <= SHOWN_WARNINGS:
            print(f"warning: {' '.join(str(message).split())}", file=sys.stderr)

    def close(self) -> None:
        if self.count > SHOWN_WARNINGS:
            print(f"warning: ... and {self.count - SHOWN_WARNINGS} more warnings like these", file=sys.stderr)


def ingest_cmd(
    sources: Annotated[list[Path] | None, typer.Argument(
        help="History files or folders (the fetch cache included), or CloudWatch Logs export files/folders.",
        show_default=False)] = None,
    store: Annotated[Path, typer.Option("--store", help="The store folder (made if missing).")] = ...,  # type: ignore[assignment]
    state_machine: Annotated[str | None, typer.Option(
        "--state-machine", help="Also fetch this machine's executions (through the history cache).")] = None,
    since: Annotated[str | None, typer.Option(help="With --state-machine: ISO time or a look-back like 24h.")] = None,
    status: Annotated[str | None, typer.Option(help="With --state-machine: RUNNING, SUCCEEDED, FAILED...")] = None,
    limit: Annotated[int | None, typer.Option(help="With --state-machine: at most this many executions.")] = None,
    target: Annotated[str, typer.Option(
        help="aws, a Step Functions endpoint URL, or endpoint (the URL in --env-file).")] = "aws",
    env_file: Annotated[Path | None, typer.Option("--env-file", help="Endpoint written by `engine serve`.")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile.")] = None,
    region: Annotated[str | None, typer.Option(help="AWS region.")] = None,
    cache: Annotated[Path | None, typer.Option(help="History cache folder for --state-machine.")] = None,
    payloads: Annotated[bool, typer.Option("--payloads", help="Also store event inputs and outputs.")] = False,
    batch_events: Annotated[int | None, typer.Option(
        "--batch-events", help="Events per atomic batch (default 2,000,000).")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
) -> None:
    """Ingest histories into a partitioned Parquet store (executions, states, attempts, events).

    Re-ingested executions replace their old rows; each batch appears all at once. Exit 0 done, 2 unusable
    input (nothing after the last committed batch was written), 130 Ctrl-C (the first stops after the batch
    being written, keeping the store consistent).
    """
    from workbench.history.store.stream import DEFAULT_BATCH_EVENTS, ingest

    items: list[Any] = [str(p) for p in sources or []]  # Any: history sources of any kind
    for path in sources or []:
        if not path.exists():
            raise fail(f"{path} does not exist: give history files, folders or CloudWatch Logs export files")
    if state_machine is None:
        if not items:
            raise fail("give history files or folders to ingest, or --state-machine ARN to fetch executions")
        for option, value in (("--since", since), ("--status", status), ("--limit", limit)):
            if value is not None:
                raise fail(f"{option} needs --state-machine (it chooses which executions to fetch)")
    elif Arn.try_parse(state_machine, *STATE_MACHINE_KINDS) is None:
        raise fail(f"--state-machine '{state_machine}' is not a state machine ARN: use "
                   "arn:aws:states:REGION:ACCOUNT:stateMachine:NAME")
    if batch_events is not None and batch_events < 1:
        raise fail(f"--batch-events {batch_events}: give 1 or more")
    if limit is not None and limit < 1:
        raise fail(f"--limit {limit}: give 1 or more")
    if status and status.upper() not in {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}:
        raise fail(f"--status '{status}' is not one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED")
    if state_machine is not None:
        items.append(_fetched(state_machine, since, status, limit, target, env_file, profile, region, cache))
    shown = _Warnings()
    previous = warnings.showwarning
    warnings.showwarning = shown.show
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = shown.show
            result = ingest(_flatten(items), store, batch_events=batch_events or DEFAULT_BATCH_EVENTS,
                            payloads=payloads, progress=progress)
    except DiagnosticError as exc:  # a history that cannot be read: one line per diagnostic
        for d in exc.diagnostics:
            typer.echo(d.render(), err=True)
        for note in getattr(exc, "__notes__", []):
            typer.echo(f"note: {note}; re-run after fixing the file to ingest the rest", err=True)
        raise typer.Exit(2) from None
    except WorkbenchError as exc:
        raise fail(" ".join([str(exc), *getattr(exc, "__notes__", [])])) from None
    finally:
        warnings.showwarning = previous
        shown.close()
    if result.executions == 0 and not result.interrupted:
        raise fail(f"no execution histories in {', '.join(map(str, sources or [])) or state_machine}: give "
                   "history files (*.json, *.jsonl), folders holding them, or CloudWatch Logs export files (*.gz)")
    typer.echo(result.summary())
    if result.interrupted:
        raise typer.Exit(130)


def _flatten(items: list[Any]) -> Any:  # Any: history sources of any kind
    """Sources in order; a fetch (an iterator of histories) is read lazily, after the files."""
    for item in items:
        if isinstance(item, str):
            yield item
        else:
            yield from item


def _fetched(state_machine: str, since: str | None, status: str | None, limit: int | None, target: str,
             env_file: Path | None, profile: str | None, region: str | None, cache: Path | None) -> Any:  # Any: iter
    """The machine's executions through the fetch cache, read lazily (a chunk of histories at a time)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from workbench.engine.connect.targets import Target
    from workbench.engine.errors import TargetError
    from workbench.history.fetch import EndpointError, FetchError, HistoryCache
    from workbench.history.fetch.paging import describe_failure
    from workbench.history.store.sources import fetched

    window = parse_since(since)
    history_cache = HistoryCache(cache) if cache else HistoryCache()
    try:
        history_cache.prepare()
        if env_file is not None and target == "aws":
            target = "endpoint"
        client = Target.parse(target, profile=profile, region=region, env_file=env_file).client()
    except OSError as exc:
        raise fail(f"cannot use the history cache {history_cache.root}: {exc.strerror or exc}") from None
    except (EndpointError, TargetError) as exc:
        raise fail(str(exc)) from None
    try:
        yield from fetched(client, state_machine, since=window, status=status.upper() if status else None,
                           limit=limit, cache=history_cache)
    except (BotoCoreError, ClientError) as exc:
        raise fail(f"cannot list the executions of {state_machine}: {describe_failure(exc)}. Check the ARN, "
                   "--region and your credentials.", 1) from None
    except EndpointError as exc:
        raise fail(str(exc)) from None
    except FetchError as exc:
        raise fail(str(exc), 1) from None
