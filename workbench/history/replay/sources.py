"""What a replay reads: recorded histories (files, folders, dicts, execution ARNs) and what it runs instead.

Histories go through the :mod:`workbench.history` loaders; execution ARNs through
:mod:`workbench.history.fetch` (the history cache first, then DescribeStateMachineForExecution and
GetExecutionHistory). A Mission is a file, a :class:`~workbench.mission.model.Mission`, or its data as a
dict; a dict with ``StartAt`` and ``States`` is an ASL definition. Everything here is picklable input, so a
worker process can load its own.

Unusable input raises :class:`ReplayInputError`: one line naming the file (or ARN) and what to do.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from workbench.asl.compiler import compile_mission
from workbench.core.arn import EXECUTION_KINDS, Arn, ArnKind
from workbench.core.diagnostics import DiagnosticError, WorkbenchError
from workbench.history.load.events import ExecutionHistory
from workbench.history.load.readers import history_files, load_history
from workbench.mission.loader import load_mission, loads_mission
from workbench.mission.model import Mission

HistoryInput = ExecutionHistory | str | os.PathLike[str] | dict[str, Any]  # Any: JSON of a history file
MissionInput = Mission | str | os.PathLike[str] | dict[str, Any] | None  # Any: a Mission's or ASL's data


class ReplayInputError(WorkbenchError):
    """A history, folder, ARN or Mission a replay cannot use (the message is one line saying which and why)."""


def is_execution_arn(text: object) -> bool:
    """An execution ARN (Standard or Express), which a replay fetches instead of reading a file.

    Example:
        >>> is_execution_arn("arn:aws:states:eu-west-1:123456789012:execution:M:run-1"), is_execution_arn("a.json")
        (True, False)
    """
    return isinstance(text, str) and Arn.try_parse(text, *EXECUTION_KINDS) is not None


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, DiagnosticError) and exc.diagnostics:
        return exc.diagnostics[0].render()
    return " ".join(str(exc).split())


def is_map_run_child(arn: str) -> bool:
    """An execution a Distributed Map started (``execution:MACHINE/MAP:NAME``): its calls belong to its parent.

    Example:
        >>> is_map_run_child("arn:aws:states:us-east-1:123456789012:execution:backfill/batches:0b24a")
        True
        >>> is_map_run_child("arn:aws:states:us-east-1:123456789012:execution:backfill:run-1")
        False
    """
    parsed = Arn.try_parse(arn, *EXECUTION_KINDS)
    return parsed is not None and "/" in parsed.parts[0]


def map_run_arns(history: ExecutionHistory) -> list[str]:
    """The Map Runs (Distributed Maps) a history started, from its ``MapRunStarted`` events.

    Example:
        >>> map_run_arns(load_recording("../shared/corpus/histories/test_base__test_state_fail.json"))
        []
    """
    return [str(e.details["mapRunArn"]) for e in history.events
            if e.type == "MapRunStarted" and isinstance(e.details.get("mapRunArn"), str)]


def _run_label(arn: str) -> str:
    """``MACHINE/MAP`` of a Map Run or of one of its child executions."""
    parsed = Arn.try_parse(arn, ArnKind.MAP_RUN, *EXECUTION_KINDS)
    return parsed.parts[0] if parsed is not None else ""


def with_children(histories: list[ExecutionHistory]) -> list[tuple[ExecutionHistory, list[ExecutionHistory]]]:
    """Each parent history with the Distributed Map child histories among ``histories`` that belong to it.

    A child belongs to the parent that started a Map Run of its ``MACHINE/MAP`` (the one whose run was
    going on when the child started, when several did). A child whose parent is not given is an error.

    Example:
        >>> pairs = with_children(load_histories("backfill-runs/"))  # doctest: +SKIP
        >>> [(parent.execution_arn, len(children)) for parent, children in pairs]  # doctest: +SKIP
    """
    parents = [h for h in histories if not is_map_run_child(h.execution_arn)]
    out: dict[int, list[ExecutionHistory]] = {id(p): [] for p in parents}
    for child in (h for h in histories if is_map_run_child(h.execution_arn)):
        label = _run_label(child.execution_arn)
        owners = [p for p in parents if any(_run_label(run) == label for run in map_run_arns(p))]
        if len(owners) > 1:
            start = child.columns.ts[0] if len(child) else float("nan")
            owners = [p for p in owners if p.columns.ts[0] <= start <= p.columns.ts[-1]] or owners
        if not owners:
            raise ReplayInputError(f"{child.source or child.execution_arn}: a Distributed Map child execution "
                                   "whose parent is not among the inputs: replay the parent (with its children)")
        out[id(owners[0])].append(child)
    return [(parent, out[id(parent)]) for parent in parents]


def fetch_execution(arn: str, *, client: Any = None) -> ExecutionHistory:  # Any: a boto3 Step Functions client
    """The history of an execution ARN through the history cache (fetched with its definition when missing).

    Example:
        >>> fetch_execution("arn:aws:states:eu-west-1:123456789012:execution:deploy:run-1")  # doctest: +SKIP
    """
    from workbench.history.fetch import fetch_history, stepfunctions_client

    try:
        if client is None:
            client = stepfunctions_client(region_name=Arn.parse(arn).region or None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fetch_history(client, arn)
    except WorkbenchError as exc:
        raise ReplayInputError(f"{arn}: cannot fetch its history: {_one_line(exc)}") from None


def fetch_children(parent: ExecutionHistory, *, client: Any = None) -> list[ExecutionHistory]:  # Any: boto3
    """The histories of the executions the parent's Distributed Maps started (through the history cache).

    Example:
        >>> fetch_children(fetch_execution("arn:aws:states:eu-west-1:1:execution:backfill:run-1"))  # doctest: +SKIP
    """
    from workbench.history.fetch import fetch_map_run_histories, stepfunctions_client

    runs = map_run_arns(parent)
    if not runs:
        return []
    try:
        if client is None:
            client = stepfunctions_client(region_name=Arn.parse(parent.execution_arn).region or None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [h for run in runs for h in fetch_map_run_histories(client, run, progress=False)]
    except WorkbenchError as exc:
        raise ReplayInputError(f"{parent.execution_arn}: cannot fetch its Distributed Map children: "
                               f"{_one_line(exc)}") from None


def load_recording(source: HistoryInput, *, client: Any = None) -> ExecutionHistory:  # Any: boto3 client
    """One recorded history from a file, a dict, an :class:`ExecutionHistory` or an execution ARN.

    Example:
        >>> load_recording("../shared/corpus/histories/test_base__test_state_fail.json").status
        'FAILED'
    """
    if isinstance(source, ExecutionHistory):
        return source
    if is_execution_arn(source):
        return fetch_execution(str(source), client=client)
    name = str(source) if isinstance(source, str | os.PathLike) else "the history"
    if isinstance(source, str | os.PathLike) and not Path(source).is_file():
        raise ReplayInputError(f"{name}: no such file (give a history file, a folder of them, or an execution ARN)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_history(source)
    except WorkbenchError as exc:
        raise ReplayInputError(_one_line(exc)) from None


def expand(sources: HistoryInput | Iterable[HistoryInput]) -> list[HistoryInput]:
    """Sources with folders replaced by the history files below them (a folder with none is an error).

    Example:
        >>> len(expand("../shared/corpus/histories")) > 100
        True
    """
    items: list[HistoryInput]
    if isinstance(sources, ExecutionHistory | str | os.PathLike | dict):
        items = [sources]
    else:
        items = list(sources)
    out: list[HistoryInput] = []
    for item in items:
        if isinstance(item, str | os.PathLike) and not is_execution_arn(item) and Path(item).is_dir():
            found = history_files(item)
            if not found:
                raise ReplayInputError(f"{item}: no history files (*.json, *.jsonl) in this folder")
            out.extend(found)
        else:
            out.append(item)
    return out


def load_subject(subject: MissionInput) -> tuple[Mission | None, dict[str, Any] | None]:  # Any: ASL
    """What the replay runs: ``(mission, definition)``; both None for the recorded definition.

    A Mission (object, file or data) is compiled; a dict or JSON file with ``StartAt``/``States`` is ASL.

    Example:
        >>> mission, definition = load_subject("missions/deploy_check.yaml")
        >>> mission.name, definition["StartAt"]
        ('deploy_check', 'start_deploy')
    """
    if subject is None:
        return None, None
    try:
        if isinstance(subject, Mission):
            return subject, compile_mission(subject)
        if isinstance(subject, dict):
            if "States" in subject and "StartAt" in subject:
                return None, dict(subject)
            mission = loads_mission(json.dumps(subject), "the Mission data")
            return mission, compile_mission(mission)
        path = Path(subject)
        if not path.is_file():
            raise ReplayInputError(f"{path}: no such Mission file (give a Mission .yaml or an ASL .json)")
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                data = None
            if isinstance(data, dict) and "States" in data and "StartAt" in data:
                return None, data
        mission = load_mission(path)
        return mission, compile_mission(mission)
    except ReplayInputError:
        raise
    except WorkbenchError as exc:
        raise ReplayInputError(_one_line(exc)) from None
