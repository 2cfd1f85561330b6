"""An ingest killed at any point of a batch leaves a store that reads correctly, and the next ingest completes it.

Each case ingests the first part of the corpus, then runs a second ingest (overlapping the first, so it replaces
executions) in a subprocess that SIGKILLs itself at a named point of the commit protocol
(``WORKBENCH_STORE_CRASH_AT``). Readers must then see no duplicate, no partial execution (an execution is in
every table with all its rows, or in none) and every previously committed execution intact; a re-run of the
same ingest must bring the store to exactly what an uninterrupted ingest gives.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import workbench.history.store as store
from tests.history.store.helpers import (
    corpus_files,
    duplicates,
    hidden_files,
    quiet_frames,
    quiet_ingest,
    row_counts,
    table,
    whole_executions,
)
from workbench.history.store import commit

REPO = Path(__file__).resolve().parents[3]
CHILD = ("import sys, warnings; warnings.simplefilter('ignore'); from workbench.history.store import ingest; "
         "ingest(sys.argv[2:], sys.argv[1], progress=False, batch_events=400)")
#: Which points come after the commit point (the crashed batch is then visible to readers).
COMMITTED = {"after-commit-record", "mid-apply", "after-apply", "after-applied-mark"}


@pytest.fixture(scope="module")
def expected() -> dict[str, dict[str, int]]:
    return row_counts(quiet_frames(corpus_files()))


@pytest.mark.parametrize("point", commit.POINTS)
def test_a_killed_ingest_leaves_a_readable_store_and_a_rerun_completes_it(
        tmp_path: Path, point: str, expected: dict[str, dict[str, int]]) -> None:
    files = corpus_files()
    first, second = files[:60], files[40:]
    path = tmp_path / "store"
    quiet_ingest(first, path)
    before = whole_executions(path, expected)
    env = {**os.environ, commit.CRASH_ENV: point}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), *map(str, second)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr

    seen = whole_executions(path, expected)  # no partial execution
    assert before <= seen  # everything committed before is intact
    for name in store.TABLES:
        assert duplicates(path, name) == 0
    new = seen - before
    if point in COMMITTED:
        assert new, "the batch was committed before the kill: readers see it"
        assert commit.pending(path), "its record stays until it is fully applied"
    else:
        assert not new and not commit.pending(path)

    quiet_ingest(second, path)  # recovers (applies or cleans up), then ingests again
    assert whole_executions(path, expected) == {f.stem for f in files}
    assert hidden_files(path) == [] and not commit.pending(path)
    clean = tmp_path / "clean"
    quiet_ingest(first, clean)
    quiet_ingest(second, clean)
    for name in store.TABLES:
        assert table(path, name).equals(table(clean, name)), name
