"""What a report can be built from, normalised: history files, histories, executions, or ready frames.

Frames are built with payload columns: the cost section names ``lambda:invoke`` tools by the
``FunctionName`` in their parameters, and the failed states' inputs/outputs come from there. When the
caller passes :class:`~workbench.history.frames.HistoryFrames` built without payloads, those are read
straight from the histories by event id if known, else the report says how to get them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.core.diagnostics import WorkbenchError
from workbench.engine.deploy.state_machines import definition_hash as deployed_hash
from workbench.history.frames import HistoryFrames, frames
from workbench.history.load import is_run, load_histories, run_history
from workbench.history.load.events import TYPE_CODES, ExecutionHistory


class ReportError(WorkbenchError):
    """A report cannot be built: nothing to report, or inputs of a kind it cannot read."""


@dataclass
class ReportData:
    """Everything the sections read: the frames, the histories (if known) and the definition."""

    frames: Any
    histories: list[ExecutionHistory] = field(default_factory=list)
    definition: dict[str, Any] | None = None
    definition_source: str = ""
    definitions_seen: int = 0
    mission_name: str | None = None
    mission_description: str | None = None
    tools: Mapping[str, Any] | None = None

    @property
    def executions(self) -> pd.DataFrame:
        return self.frames.executions  # type: ignore[no-any-return]

    @property
    def has_payloads(self) -> bool:
        """Can :meth:`payload` find inputs/outputs at all (histories known, or frames with payload columns)?"""
        return bool(self.histories) or "input" in self.frames.events.columns

    def history(self, arn: str) -> ExecutionHistory | None:
        for h in self.histories:
            if h.execution_arn == arn:
                return h
        return None

    def payload(self, arn: str, event_id: int | None, key: str) -> str | None:
        """``input``/``output`` text of one event: from the frames' payload columns, else from the history."""
        if event_id is None or pd.isna(event_id):
            return None
        ev = self.frames.events
        if key in ev.columns:
            hit = ev[(ev["execution"] == arn) & (ev["id"] == int(event_id))]
            if len(hit):
                value = hit[key].iloc[0]
                return None if pd.isna(value) else str(value)
        h = self.history(arn)
        if h is None:
            return None
        cols = h.columns
        try:
            k = cols.ids.index(int(event_id))
        except ValueError:
            return None
        value = cols.details[k].get(key)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    def started_details(self) -> list[Mapping[str, Any]]:
        """The ``ExecutionStarted`` details of every known history (version/alias ARNs live there)."""
        code = TYPE_CODES["ExecutionStarted"]
        out: list[Mapping[str, Any]] = []
        for h in self.histories:
            cols = h.columns
            k = next((i for i, c in enumerate(cols.codes[:5]) if c == code), None)
            if k is not None:
                out.append(cols.details[k])
        return out


def definition_hash(definition: Mapping[str, Any]) -> str:
    """Short, stable fingerprint of a definition: the first 12 hex digits of the hash ``deploy`` records.

    Example:
        >>> definition_hash({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
        'sha256:2bc2ab7f562d'
    """
    return "sha256:" + deployed_hash(definition)[:12]


def carried(source: Any, attribute: str) -> Any:
    """What the first execution handle in ``source`` carries as ``attribute`` (``mission``, ``definition``,
    ``tools``: memory and architecture), or None; runs from ``run_mission``/the Launcher carry all three.

    Example:
        >>> carried(["run-1.json"], "tools") is None
        True
    """
    items = [source] if is_run(source) else source if isinstance(source, list | tuple) else []
    for item in items:
        value = getattr(item, attribute, None) if is_run(item) else None
        if value is not None and not (isinstance(value, Mapping) and not value):
            return value
    return None


def collect(source: Any) -> tuple[Any, list[ExecutionHistory]]:
    """(frames, histories) from any accepted source; raises :class:`ReportError` when it holds nothing."""
    if isinstance(source, HistoryFrames) or (isinstance(source, Mapping) and "executions" in source):
        return source, []
    items: list[Any]
    if isinstance(source, str | os.PathLike | ExecutionHistory | bytes) or is_run(source):
        items = [source]
    elif isinstance(source, Iterable) and not isinstance(source, Mapping):
        items = list(source)
    else:
        raise ReportError(f"cannot build a report from {type(source).__name__}. Fix: pass history files, "
                          "ExecutionHistory objects, Execution handles or HistoryFrames.")
    if not items:
        raise ReportError("nothing to report: no executions were given. Fix: pass at least one history file "
                          "or execution.")
    histories: list[ExecutionHistory] = []
    for item in items:
        if isinstance(item, ExecutionHistory):
            histories.append(item)
        elif is_run(item):
            histories.append(run_history(item))
        elif isinstance(item, HistoryFrames):
            raise ReportError("HistoryFrames cannot be mixed with other inputs. Fix: pass the frames alone, "
                              "or the histories they came from.")
        elif isinstance(item, str | os.PathLike) and Path(item).is_dir():
            found = load_histories(item)
            if not found:
                raise ReportError(f"nothing to report: the folder {Path(item).name}/ holds no history files "
                                  "(*.json, *.jsonl). Fix: point at the saved histories.")
            histories.extend(found)
        else:
            histories.extend(load_histories(item))
    if not histories:
        raise ReportError("nothing to report: the inputs hold no execution history.")
    return frames(histories, payloads=True), histories


def pick_definition(explicit: Mapping[str, Any] | None, compiled: dict[str, Any] | None,
                    histories: list[ExecutionHistory]) -> tuple[dict[str, Any] | None, str, int]:
    """The definition to draw: given > compiled from the mission > carried by the histories (first seen).

    Returns (definition, where it came from, how many different definitions the histories carry).
    """
    seen: dict[str, dict[str, Any]] = {}
    for h in histories:
        if h.definition is not None:
            seen.setdefault(definition_hash(h.definition), h.definition)
    if explicit is not None:
        return dict(explicit), "given", len(seen)
    if compiled is not None:
        return compiled, "compiled from the mission", len(seen)
    if seen:
        return next(iter(seen.values())), "carried by the histories", len(seen)
    return None, "", 0
