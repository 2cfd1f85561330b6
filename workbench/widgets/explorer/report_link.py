"""The explorer's "Write report" button: the executions on screen, handed to ``workbench.report.build``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.history import ExecutionHistory


def report_source(filtered: Mapping[str, pd.DataFrame], histories: list[ExecutionHistory]) -> Any:
    """The histories of the executions left by the filters (payloads included), else the filtered frames."""
    chosen = set(filtered["executions"]["execution"].astype(str))
    kept = [h for h in histories if h.execution_arn in chosen]
    return kept if kept and len(kept) == len(chosen) else filtered


def save_report(filtered: Mapping[str, pd.DataFrame], path: str | Path, *, histories: list[ExecutionHistory],
                definition: dict[str, Any] | None = None, tools: Any = None) -> Path:
    """Build the report of the explorer's current selection and save it (atomically) to ``path``.

    Example:
        >>> save_report(explorer.filtered, "out/report.html", histories=explorer.histories)  # doctest: +SKIP
        PosixPath('out/report.html')
    """
    from workbench.report import build

    options: dict[str, Any] = {"tools": tools} if tools else {}
    report = build(report_source(filtered, histories), definition=definition, **options)
    return Path(report.save(path))
