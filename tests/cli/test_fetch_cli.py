"""``workbench history fetch`` against endpoints that misbehave: one line and the right exit code, never a hang.

The Ctrl-C test runs the real command in a child process against a fake endpoint (``tests/fake_sfn.py``)
that holds some executions open; it waits (on a condition, not a clock) until every worker is stuck on
one, sends SIGINT, and bounds the exit with ``proc.wait(timeout=...)``.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.support import FAKE_AWS_ENV, error_line, run_cli
from tests.fake_sfn import MACHINE_ARN, execution_arn, fake_step_functions

REPO = Path(__file__).resolve().parents[2]
ENV = FAKE_AWS_ENV
# Python keeps SIGINT ignored when its parent ignored it (a background job): the child restores the default.
CHILD = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
         "from workbench.cli import main; sys.argv = ['workbench', *sys.argv[1:]]; main()")


def fetch(*args: str) -> tuple[int, str, str]:
    return run_cli("history", "fetch", *args, env=ENV)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.timeout(180)
def test_first_ctrl_c_stops_at_once_and_keeps_every_finished_execution(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fast = [execution_arn(f"fast-{n}") for n in range(8)]
    slow = [execution_arn(f"slow-{n}") for n in range(10)]
    with fake_step_functions() as fake:
        args = [a for arn in [*fast, *slow] for a in ("--execution", arn)]
        proc = subprocess.Popen([sys.executable, "-c", CHILD, "history", "fetch", *args, "--target", fake.url,
                                 "-o", str(cache)], cwd=tmp_path, env={**os.environ, **ENV},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # 8 workers, all blocked on slow executions: each finished its fast one (cache write included)
            # before taking the next, and the fast ones were queued first.
            assert fake.wait_for_blocked(8, alive=lambda: proc.poll() is None), proc.communicate()
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=5)  # it takes well under a second
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"interrupted: kept 8 of 18 executions in {cache}" in err
    cached = sorted(p.name for p in cache.rglob("*.json"))
    assert len(cached) == 8 and all(name.startswith("Fake_fast-") for name in cached)


def test_a_next_token_that_repeats_is_refused(tmp_path: Path) -> None:
    with fake_step_functions("loop") as fake:
        code, _, err = fetch("--execution", execution_arn("run-1"), "--target", fake.url, "-o", str(tmp_path))
        assert code == 1 and "nextToken 'the-same-token' twice" in error_line(err) and "run-1" in err
        code, _, err = fetch("--state-machine", MACHINE_ARN, "--target", fake.url, "-o", str(tmp_path))
        assert code == 1 and f"the executions of {MACHINE_ARN}: ListExecutions returned nextToken" in error_line(err)
        assert fake.calls.count("ListExecutions") == 2  # the second page repeated the token: no third call


def test_max_pages_stops_an_endless_listing(tmp_path: Path) -> None:
    with fake_step_functions("endless") as fake:
        code, _, err = fetch("--state-machine", MACHINE_ARN, "--target", fake.url, "--max-pages", "4",
                             "-o", str(tmp_path))
    assert code == 1 and "stopped after 4 pages" in error_line(err) and "--max-pages" in err
    assert fake.calls == ["ListExecutions"] * 4


def test_html_where_json_is_expected_is_one_line_exit_2(tmp_path: Path) -> None:
    with fake_step_functions("html") as fake:
        code, _, err = fetch("--execution", execution_arn("run-1"), "--target", fake.url, "-o", str(tmp_path))
    assert code == 2
    assert error_line(err) == (f"error: {fake.url} answered GetExecutionHistory with text/html (HTTP 200), not Step "
                               "Functions JSON: is --target the URL of a Step Functions endpoint (not a web page or "
                               "a proxy's login page)?")


@pytest.mark.parametrize("selector", [["--execution", execution_arn("run-1")], ["--state-machine", MACHINE_ARN]])
def test_a_closed_port_is_one_line_exit_2(tmp_path: Path, selector: list[str]) -> None:
    url = closed_port_url()
    code, _, err = fetch(*selector, "--target", url, "-o", str(tmp_path / "c"))
    assert code == 2
    assert error_line(err).startswith(f"error: cannot reach {url}: connection refused; is the engine running")


def test_fetched_histories_are_private(tmp_path: Path) -> None:
    cache = tmp_path / "new" / "cache"
    with fake_step_functions() as fake:
        code, out, err = fetch("--execution", execution_arn("run-1"), "--target", fake.url, "-o", str(cache))
    assert code == 0, err
    assert out.strip() == f"fetched 1 execution histories into {cache}"
    (entry,) = cache.rglob("*.json")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert {stat.S_IMODE(p.stat().st_mode) for p in (cache, entry.parent, cache.parent)} == {0o700}


@pytest.mark.parametrize(("args", "needle"), [
    (["--execution", "arn:x"], "--execution 'arn:x' is not an execution ARN"),
    (["--state-machine", "Fake"], "--state-machine 'Fake' is not a state machine ARN"),
    (["--state-machine", MACHINE_ARN, "--limit", "0"], "--limit 0: give 1 or more"),
    (["--state-machine", MACHINE_ARN, "--max-pages", "0"], "--max-pages 0: give 1 or more"),
    (["--state-machine", MACHINE_ARN, "--since", "99999999999d"], "--since '99999999999d' reaches back before"),
    (["--execution", execution_arn("r"), "--state-machine", MACHINE_ARN], "give either --state-machine"),
])
def test_unusable_options_are_refused_before_any_call(args: list[str], needle: str) -> None:
    code, _, err = fetch(*args, "--target", closed_port_url())
    assert code == 2 and needle in error_line(err)


def test_an_output_folder_below_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = fetch("--execution", execution_arn("r"), "--target", closed_port_url(), "-o", str(blocker / "c"))
    assert code == 2 and f"{blocker} is a file, not a folder" in error_line(err)
