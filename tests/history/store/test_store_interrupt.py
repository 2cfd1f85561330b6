"""Ctrl-C during ``workbench history ingest``: the first stops after the batch being written (the batch being read
is abandoned) and says what was committed; a second stops at once. The store reads correctly either way.

The last source is a FIFO, so the test knows where the ingest is: once the child has opened it, every corpus file
before it was read and its batches handed to the writer (batches of 200 events: several were committed).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

import workbench.history.store as store
from tests.history.store.helpers import (
    HISTORIES,
    corpus_files,
    duplicates,
    hidden_files,
    quiet_frames,
    quiet_ingest,
    row_counts,
    whole_executions,
)
from workbench.history.store import commit

REPO = Path(__file__).resolve().parents[3]
# Python keeps SIGINT ignored when its parent ignored it (a background job): the child restores the default.
CHILD = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
         "from workbench.cli import main; sys.argv = ['workbench', *sys.argv[1:]]; main()")
LAST = {"executionArn": "arn:aws:states:eu-west-1:1:execution:M:last", "events": [
    {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1_764_000_000.0,
     "executionStartedEventDetails": {"input": "{}"}},
    {"id": 2, "previousEventId": 1, "type": "ExecutionSucceeded", "timestamp": 1_764_000_001.0,
     "executionSucceededEventDetails": {"output": "{}"}}]}


def _ctrl_c(proc: subprocess.Popen[str]) -> None:
    """SIGINT to the child's main thread. A signal sent to the process may land on any of its threads (Arrow's
    and DuckDB's pools); Python then runs the handler when the main thread next runs Python code, which a main
    thread blocked reading a FIFO never does. A terminal's Ctrl-C reaches a process busy reading files promptly."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if not hasattr(libc, "tgkill") or libc.tgkill(proc.pid, proc.pid, signal.SIGINT) != 0:
        proc.send_signal(signal.SIGINT)


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], Path, Path]:
    fifo = tmp_path / "last.json"
    os.mkfifo(fifo)
    path = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, "history", "ingest", str(HISTORIES), str(fifo),
                             "--store", str(path), "--batch-events", "200", "--no-progress"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, fifo, path


def _wait_for_reader(proc: subprocess.Popen[str], fifo: Path) -> int:
    """Open the FIFO for writing as soon as the child opened it for reading (it then blocks reading it)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the ingest never reached its last source"
        time.sleep(0.01)


def _check_store(path: Path, *, tidy: bool = True) -> set[str]:
    """The executions a reader sees, after checking that they are whole and unique (and, when ``tidy``, that
    nothing is left to clean up)."""
    expected = row_counts(quiet_frames(corpus_files()))
    seen = whole_executions(path, expected)
    for name in store.TABLES:
        assert duplicates(path, name) == 0
    if tidy:
        assert hidden_files(path) == [] and not commit.pending(path)
    return seen


@pytest.mark.timeout(180)
def test_first_ctrl_c_stops_after_the_batch_being_written(tmp_path: Path) -> None:
    proc, fifo, path = _start(tmp_path)
    try:
        fd = _wait_for_reader(proc, fifo)
        committed_before = len(store.live_files(path, "executions"))
        _ctrl_c(proc)
        os.write(fd, orjson.dumps(LAST))
        os.close(fd)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert committed_before >= 1
    assert proc.returncode == 130, err
    assert "stopping after the current batch" in err
    match = re.fullmatch(r"stopped by Ctrl-C after committing (\d+) executions \(0 replaced\), \d+ events in \d+ "
                         r"batch(es)? \(\d+ files\) into .* in [\d.]+ s\n", out)
    assert match, out
    seen = _check_store(path)
    assert len(seen) == int(match.group(1)) > 0
    assert seen < {f.stem for f in corpus_files()}  # the batch being read was abandoned, the last source too


@pytest.mark.timeout(180)
def test_second_ctrl_c_stops_at_once(tmp_path: Path) -> None:
    proc, fifo, path = _start(tmp_path)
    try:
        fd = _wait_for_reader(proc, fifo)
        _ctrl_c(proc)
        assert proc.stderr is not None
        line = "-"
        while line and "stopping after the current batch" not in line:  # the first was handled: signals
            line = proc.stderr.readline()                                # sent together would coalesce
        assert line, "the ingest ended before handling the first Ctrl-C"
        _ctrl_c(proc)
        out, err = proc.communicate(timeout=60)
        os.close(fd)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted" and out == ""
    # a batch being written may be left half done: readers never see it, the next ingest cleans it up
    assert _check_store(path, tidy=False) < {f.stem for f in corpus_files()}
    quiet_ingest(corpus_files(), path)
    assert _check_store(path) == {f.stem for f in corpus_files()}
