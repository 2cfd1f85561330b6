"""``workbench whatif``: the summary and table on stdout, ``-o`` writes the report atomically and never over an
input, ``--json`` is one redacted document, exit 2 on unusable input, 130 on Ctrl-C with the finished rows
printed and written (in-process through the row hook, and a real SIGINT to the command's process group).
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import workbench.history.whatif as whatif_package
from tests.history.test_whatif_recordings import record, with_retry
from workbench.cli import app
from workbench.history.whatif import WhatIfRow

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
WORKBENCH = Path(sys.executable).with_name("workbench")
SECRET = "Bearer abcdefghijklmnop1234"
runner = CliRunner()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("whatif-cli")
    record(folder / "runs", 6, message=f"503 from the deploy API (Authorization: {SECRET})")
    return {"runs": folder / "runs", "edited": with_retry(folder), "folder": folder}


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_summary_table_and_report(inputs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "reports" / "whatif.html"
    code, stdout, stderr = invoke("whatif", "--mission", str(inputs["edited"]), str(inputs["runs"]), "-o", str(out),
                                  "--unrecorded", "local", "--processes", "2")
    assert code == 0, stderr
    assert re.search(r"^6 executions: \d+ recovered, 0 newly failed", stdout, re.M)
    assert "changed: check_status: Retry changed" in stdout
    assert re.search(r"^night-\w+-0000 +SUCCEEDED +SUCCEEDED +unchanged_ok", stdout, re.M)
    assert "Standard per 1,000 executions" in stdout and "p95" in stdout
    assert f"wrote {out} (6 executions)" in stderr
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert SECRET not in stdout and SECRET not in out.read_text(encoding="utf-8")


def test_json_is_one_redacted_document(inputs: dict[str, Path]) -> None:
    code, stdout, _ = invoke("whatif", "--mission", str(inputs["edited"]), str(inputs["runs"]), "--json",
                             "--processes", "0")
    assert code == 0
    doc = json.loads(stdout)
    assert doc["summary"]["executions"] == len(doc["executions"]) == 6 and doc["interrupted"] is False
    assert doc["changes"] == ["check_status: Retry changed"] and doc["unrecorded"] == "repeat"
    failed = [r for r in doc["executions"] if r["recorded_status"] == "FAILED"
              and r["recorded_error"] == "DeployApi.Unavailable"]
    assert failed and all("[redacted]" in r["recorded_cause"] and SECRET not in r["recorded_cause"] for r in failed)
    assert SECRET not in stdout
    assert isinstance(doc["summary"]["standard_per_1000_recorded"], str)  # exact decimals as text


def test_unusable_input_is_one_line_and_exit_2(inputs: dict[str, Path], tmp_path: Path) -> None:
    history = sorted(inputs["runs"].glob("*.json"))[0]
    code, _, stderr = invoke("whatif", "--mission", str(inputs["edited"]), str(inputs["runs"]), "-o", str(history))
    assert code == 2 and "is an input of this command" in stderr and history.read_text().startswith("{")
    code, _, stderr = invoke("whatif", "--mission", str(inputs["edited"]), str(tmp_path / "nope"))
    assert code == 2 and stderr.strip() == f"error: {tmp_path / 'nope'}: no such file or folder. Fix: check the path."
    broken = tmp_path / "broken.yaml"
    broken.write_text("mission: m\nsteps:\n  - id: a\n    tool: nope\n", encoding="utf-8")
    code, _, stderr = invoke("whatif", "--mission", str(broken), str(inputs["runs"]))
    assert code == 2 and str(broken) in stderr and "Traceback" not in stderr
    code, _, stderr = invoke("whatif", "--mission", str(inputs["edited"]), str(inputs["runs"]), "--unrecorded", "x")
    assert code == 2 and "--unrecorded x: use one of repeat, last-success, local, fail" in stderr
    not_history = tmp_path / "notes.json"
    not_history.write_text("{}", encoding="utf-8")
    code, stdout, stderr = invoke("whatif", "--mission", str(inputs["edited"]), str(not_history), "--processes", "0")
    assert code == 2 and "error: notes.json: cannot read the history" in stderr and "1 not replayed" in stdout


def test_ctrl_c_prints_and_writes_the_finished_rows_exit_130(inputs: dict[str, Path], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt_after_two(done: int, row: WhatIfRow) -> None:
        if done == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(whatif_package, "whatif", functools.partial(whatif_package.whatif, on_row=interrupt_after_two))
    out = tmp_path / "partial.html"
    code, stdout, stderr = invoke("whatif", "--mission", str(inputs["edited"]), str(inputs["runs"]), "-o", str(out),
                                  "--processes", "2")
    assert code == 130
    assert "interrupted: 2 of 6 executions replayed" in stderr and f"wrote {out} (2 executions)" in stderr
    assert stdout.startswith("2 executions (interrupted")
    assert out.read_text(encoding="utf-8").count('class="wb-paths"') == 2


def _read_until(stream: Any, pattern: re.Pattern[str], seen: list[str], found: threading.Event) -> None:
    buffer = ""
    for chunk in iter(lambda: stream.read1(256).decode("utf-8", "replace"), ""):
        buffer += chunk
        seen.append(chunk)
        if pattern.search(buffer):
            found.set()


@pytest.mark.skipif(not WORKBENCH.exists(), reason="the workbench console script is not installed in this venv")
def test_a_real_ctrl_c_to_the_process_group_keeps_the_finished_rows(inputs: dict[str, Path], tmp_path: Path) -> None:
    many = tmp_path / "many"
    many.mkdir()
    for i in range(8):  # 48 replays: long enough to be interrupted after the first two
        for path in inputs["runs"].glob("*.json"):
            (many / f"{i}-{path.name}").write_bytes(path.read_bytes())
    out = tmp_path / "interrupted.html"
    proc = subprocess.Popen([str(WORKBENCH), "whatif", "--mission", str(inputs["edited"]), str(many), "-o", str(out),
                             "--processes", "2"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, env={**os.environ, "TQDM_MININTERVAL": "0"})
    seen: list[str] = []
    two_done = threading.Event()
    reader = threading.Thread(target=_read_until, args=(proc.stderr, re.compile(r"what-if:.*\b([2-9]|\d\d)/48"),
                                                        seen, two_done), daemon=True)
    reader.start()
    try:
        assert two_done.wait(timeout=180), "".join(seen)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the parent and every worker
        stdout = proc.stdout.read()  # type: ignore[union-attr]  # to its end: the command has exited
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=30)
    errors = "".join(seen)
    assert proc.returncode == 130, errors
    done = int(re.search(r"interrupted: (\d+) of 48 executions replayed", errors).group(1))  # type: ignore[union-attr]
    assert 2 <= done < 48 and "Traceback" not in errors
    assert stdout.decode().startswith(f"{done} executions (interrupted")
    assert out.read_text(encoding="utf-8").count('class="wb-paths"') == done
    assert _group_ends(proc.pid, timeout=30), "worker processes outlived the interrupted command"


def _group_ends(pgid: int, timeout: float) -> bool:
    """True once no process of the group is left (workers, fork server), within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)  # polling a condition, with a deadline
    return False
