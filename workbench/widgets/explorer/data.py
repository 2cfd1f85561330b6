"""What the history explorer shows: which executions to fetch, how to fetch them, filters and exports.

Fetching is the only I/O (through the engine's ``Target``); filters are pure frame → frame functions;
exports write each frame atomically (temp file + ``os.replace``) so a half-written CSV never appears, with
secrets in its text columns redacted (:func:`workbench.core.redact.redact_frame`) unless asked not to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from botocore.exceptions import BotoCoreError, ClientError

from workbench.core.arn import EXECUTION_KINDS, Arn, ArnKind, looks_like_arn, short_name
from workbench.core.diagnostics import WorkbenchError
from workbench.core.files import atomic_path
from workbench.core.redact import redact_frame
from workbench.engine.connect.targets import Target
from workbench.engine.deploy.state_machines import find_state_machine
from workbench.engine.errors import StateMachineNotFoundError, translate
from workbench.engine.run.launch import Execution
from workbench.history import ExecutionHistory, HistoryFrames, fetch, frames, load_histories

FRAME_NAMES = ("executions", "states", "attempts", "events")
STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
ALL = "all"
_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class ExplorerError(WorkbenchError):
    """The explorer cannot find, fetch or write what was asked; the message says what to change."""


Progress = Callable[[int, int, str], None]


def parse_when(text: str, *, now: datetime | None = None) -> datetime | None:
    """A time-window bound: empty (open), relative (``30m``, ``2h``, ``7d``: that long ago) or ISO 8601.

    Example:
        >>> parse_when("2h", now=datetime(2025, 1, 1, 12, tzinfo=UTC)).isoformat()
        '2025-01-01T10:00:00+00:00'
        >>> parse_when("2025-01-01 09:30").isoformat()
        '2025-01-01T09:30:00+00:00'
    """
    text = text.strip()
    if not text:
        return None
    match = _RELATIVE.match(text)
    if match:
        return (now or datetime.now(UTC)) - timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ExplorerError(f"time '{text}': use an ISO time such as 2025-01-31 09:30 (UTC), or a duration "
                            "ago such as 30m, 2h or 7d") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Query:
    """Executions of one state machine (name, ARN or version ARN), by status and start-time window."""

    state_machine: str
    status: str = ALL
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200


def _client_call(target: Target, what: str, call: Callable[[Any], Any]) -> Any:
    """Run ``call(client)``, turning botocore errors into the engine's plain-words errors."""
    try:
        return call(target.client())
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc, operation=what, target_kind=target.kind) from exc


def list_executions(target: Target, query: Query) -> list[str]:
    """ARNs of the executions matching ``query``, newest first, at most ``query.limit``.

    Example:
        >>> list_executions(Target.parse("embedded"), Query("incident_triage", status="FAILED"))  # doctest: +SKIP
        ['arn:aws:states:us-east-1:123456789012:execution:incident_triage:...']
    """
    arn = query.state_machine.strip()
    if not looks_like_arn(arn):
        found = find_state_machine(target, arn)
        if found is None:
            raise StateMachineNotFoundError(
                f"No state machine named '{arn}' on the {target.kind} target; check the name, or paste its ARN.",
                operation="ListExecutions")
        arn = found
    status = None if query.status == ALL else query.status
    items = _client_call(target, "ListExecutions", lambda client: fetch.list_executions(
        client, arn, status=status, since=query.since, until=query.until, limit=max(query.limit, 1)))
    return [str(item["executionArn"]) for item in items]


def _one_history(client: Any, *, arn: str, cache: bool, with_definition: bool) -> ExecutionHistory:
    return fetch.fetch_history(client, arn, cache=cache, with_definition=with_definition)


def fetch_histories(target: Target, execution_arns: Iterable[str], progress: Progress | None = None,
                    definition: dict[str, Any] | None = None) -> list[ExecutionHistory]:
    """Every event of each execution, with the definition it ran (``definition`` overrides it).

    Finished executions on AWS come from the history cache (see :mod:`workbench.history.fetch`); local
    engines are never cached (their executions vanish with the process). ``progress(done, total, name)``
    is called after each execution.

    Example:
        >>> fetch_histories(Target.parse("embedded"), [run.arn])[0].status  # doctest: +SKIP
        'SUCCEEDED'
    """
    arns = list(execution_arns)
    cache = target.kind == "aws"
    out: list[ExecutionHistory] = []
    for done, arn in enumerate(arns, start=1):
        history: ExecutionHistory = _client_call(target, "GetExecutionHistory", partial(
            _one_history, arn=arn, cache=cache, with_definition=definition is None))
        if definition is not None:
            history.definition = definition
        out.append(history)
        if progress is not None:
            progress(done, len(arns), short_name(arn))
    return out


def state_machine_of(execution_arn: str) -> str:
    """The state machine ARN of an execution ARN ("" when it is not one).

    Example:
        >>> state_machine_of("arn:aws:states:us-east-1:123456789012:execution:triage:run-1")
        'arn:aws:states:us-east-1:123456789012:stateMachine:triage'
    """
    found = Arn.try_parse(execution_arn, *EXECUTION_KINDS)
    machine = found.state_machine if found else None
    return str(machine) if machine else ""


def execution_arns(source: Any) -> list[str] | None:
    """Execution ARNs named by ``source`` (an Execution, an ARN, or a list of them), else None."""
    items = source if isinstance(source, list | tuple) else [source]
    arns: list[str] = []
    for item in items:
        if isinstance(item, Execution):
            arns.append(item.arn)
        elif isinstance(item, str) and Arn.try_parse(item, ArnKind.EXECUTION):
            arns.append(item)
        else:
            return None
    return arns or None


def history_files(source: Any) -> list[Path] | None:
    """Paths of history files or folders named by ``source``, else None."""
    items = source if isinstance(source, list | tuple) else [source]
    paths: list[Path] = []
    for item in items:
        if not isinstance(item, str | Path) or (isinstance(item, str) and (looks_like_arn(item) or "\n" in item)):
            return None
        path = Path(item)
        if not path.exists():
            return None
        paths.append(path)
    return paths or None


def load_files(paths: list[Path], progress: Progress | None = None) -> list[ExecutionHistory]:
    """Histories from files and folders (every format ``load_histories`` reads)."""
    out: list[ExecutionHistory] = []
    for done, path in enumerate(paths, start=1):
        out.extend(load_histories(path))
        if progress is not None:
            progress(done, len(paths), path.name)
    return out


def as_frames(histories: list[ExecutionHistory]) -> HistoryFrames:
    """The four frames of some histories (an explorer with nothing found shows empty tables)."""
    return frames(histories)


# --- filters -----------------------------------------------------------------------------------
def apply_filters(source: Any, status: str = ALL, state: str = ALL) -> dict[str, pd.DataFrame]:
    """The four frames cut to executions with ``status`` and, with ``state``, to that state's rows.

    With a state, executions that never entered it are dropped too, so every tab talks about the
    same executions.

    Example:
        >>> cut = apply_filters(history_frames, status="FAILED", state="search_logs")  # doctest: +SKIP
        >>> set(cut["states"]["state"])  # doctest: +SKIP
        {'search_logs'}
    """
    got = {name: _frame(source, name) for name in FRAME_NAMES}
    ex = got["executions"]
    keep = pd.Series(True, index=ex.index)
    if status != ALL:
        keep &= ex["status"].astype(str) == status
    if state != ALL:
        visited = set(got["states"].loc[got["states"]["state"].astype(str) == state, "execution"].astype(str))
        keep &= ex["execution"].astype(str).isin(visited)
    chosen = set(ex.loc[keep, "execution"].astype(str))
    out: dict[str, pd.DataFrame] = {}
    for name, df in got.items():
        rows = df["execution"].astype(str).isin(chosen)
        if state != ALL and name in ("states", "attempts"):
            rows &= df["state"].astype(str) == state
        out[name] = df[rows].reset_index(drop=True)
    return out


def _frame(source: Any, name: str) -> pd.DataFrame:
    value = source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)
    if not isinstance(value, pd.DataFrame):
        raise ExplorerError(f"no '{name}' frame here: build frames with workbench.history.frames(...)")
    return value


def state_names(source: Any) -> list[str]:
    """State names present in the frames, sorted (for the state filter)."""
    return sorted(set(_frame(source, "states")["state"].astype(str)))


# --- exports -----------------------------------------------------------------------------------
def _atomic(path: Path, write: Callable[[str], None]) -> None:
    with atomic_path(path) as tmp:
        write(str(tmp))


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Categories as text, so CSV and Parquet readers need no pandas-specific types."""
    return df.assign(**{c: df[c].astype("string") for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})


def _writer(df: pd.DataFrame, fmt: str) -> Callable[[str], None]:
    def write(tmp: str) -> None:
        if fmt == "csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)

    return write


def export_frames(source: Any, folder: str | Path, fmt: str = "csv", *, redact: bool = True) -> list[Path]:
    """Write each frame to ``folder/<name>.csv`` (or ``.parquet``), atomically; returns the paths.

    Exported files get shared, so secrets in text columns (inputs, outputs, errors, causes) are
    redacted; ``redact=False`` writes the frames exactly as they are.

    Example:
        >>> export_frames(history_frames, "out/run-1", "parquet")  # doctest: +SKIP
        [PosixPath('out/run-1/executions.parquet'), ...]
    """
    fmt = fmt.lower()
    if fmt not in ("csv", "parquet"):
        raise ExplorerError(f"export format '{fmt}': choose csv or parquet")
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise ExplorerError(f"{target} is a file; choose a folder for the exported frames")
    written: list[Path] = []
    for name in FRAME_NAMES:
        df = _plain(_frame(source, name))
        if redact:
            df = redact_frame(df)
        path = target / f"{name}.{fmt}"
        try:
            _atomic(path, _writer(df, fmt))
        except OSError as exc:
            raise ExplorerError(f"cannot write {path}: {exc.strerror or exc}; choose a folder you can write to") \
                from exc
        written.append(path)
    return written
