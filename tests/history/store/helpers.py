"""Shared checks of the store tests: keys, duplicates, whole executions, table contents."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

import workbench.history.store as store
from tests.conftest import CORPUS
from workbench.history import frames, history_files

HISTORIES = CORPUS / "histories"
#: The columns that identify a row of each table.
KEYS = {"executions": ["execution"], "states": ["execution", "visit"], "attempts": ["execution", "visit", "attempt"],
        "events": ["execution", "id"]}


def corpus_files() -> list[Path]:
    return history_files(HISTORIES)


def quiet_frames(sources: Any, **kwargs: Any) -> Any:  # Any: frames of any source
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = frames(sources, **kwargs)
        for table in store.TABLES:
            getattr(f, table)
        return f


def quiet_ingest(sources: Any, path: Path, **kwargs: Any) -> store.IngestResult:  # Any: sources
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return store.ingest(sources, path, progress=False, **kwargs)


def table(path: Path | Any, name: str) -> pd.DataFrame:
    """A whole table (file columns only), sorted by its key: comparable between stores and with frames."""
    con = store.open(path) if isinstance(path, Path) else path
    df = con.sql(f"SELECT * EXCLUDE (state_machine, date) FROM {name} ORDER BY {', '.join(KEYS[name])}").df()
    return df.reset_index(drop=True)


def duplicates(path: Path, name: str) -> int:
    con = store.open(path)
    keys = ", ".join(KEYS[name])
    (n,) = con.execute(f"SELECT count(*) - count(DISTINCT ({keys})) FROM {name}").fetchall()[0]
    return int(n)


def row_counts(f: Any) -> dict[str, dict[str, int]]:  # Any: HistoryFrames
    """Per table, rows per execution, from frames."""
    return {name: {str(k): int(v) for k, v in getattr(f, name).groupby("execution", observed=True).size().items()}
            for name in store.TABLES}


def store_counts(path: Path) -> dict[str, dict[str, int]]:
    con = store.open(path)
    return {name: dict(con.sql(f"SELECT execution, count(*) FROM {name} GROUP BY 1").fetchall())
            for name in store.TABLES}


def whole_executions(path: Path, expected: dict[str, dict[str, int]]) -> set[str]:
    """The executions in the store, after checking that each has exactly its rows in every table."""
    counts = store_counts(path)
    present = set(counts["executions"])
    for name in store.TABLES:
        assert set(counts[name]) <= present, f"{name} has rows of executions missing from executions"
        for execution in present:
            assert counts[name].get(execution, 0) == expected[name].get(execution, 0), (name, execution)
    return present


def data_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix == ".parquet")


def hidden_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob(".*") if p.is_file())


def names(items: Iterable[Any]) -> set[str]:
    return {str(i) for i in items}
