"""Small shared helpers for the analysis and cost modules: frame access and column checks.

The frames come from :mod:`workbench.history.frames` (their columns are documented there); these
helpers turn a missing frame or column into an error that says which one and how to get it, instead
of a bare ``KeyError`` deep inside pandas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from workbench.core.diagnostics import WorkbenchError

FRAME_NAMES = ("events", "states", "attempts", "executions")
CONTAINER_TYPES = ("Map", "Parallel")


class AnalysisError(WorkbenchError):
    """The frames given to an analysis or cost function lack what it needs; the message says what."""


def frame(frames: object, name: str) -> pd.DataFrame:
    """``frames.<name>`` (attribute or mapping key), checked to be a DataFrame."""
    if isinstance(frames, Mapping):
        value = frames.get(name)
    else:
        value = getattr(frames, name, None)
    if not isinstance(value, pd.DataFrame):
        raise AnalysisError(
            f"expected history frames with a '{name}' DataFrame, got {type(frames).__name__}. "
            "Fix: build them with workbench.history.frames.frames(histories)."
        )
    return value


def require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise :class:`AnalysisError` naming the missing columns of the ``what`` frame."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AnalysisError(
            f"the '{what}' frame has no column(s) {', '.join(missing)}. "
            "Fix: pass the frame built by workbench.history.frames, not a hand-made subset."
        )


def text(value: object) -> str | None:
    """A frame cell as ``str`` or ``None`` (pandas uses NaN/NA/None for missing text)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    return str(value)


def ms(value: object) -> float:
    """A duration cell as float ms (NaN when missing)."""
    if value is None or value is pd.NA:
        return float("nan")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
