"""What CLI tests share: run ``workbench`` in-process and read its one error line.

A crash is never mistaken for an exit code: an exception other than the command's own exit is raised.
"""

from __future__ import annotations

from collections.abc import Mapping

from typer.testing import CliRunner

from workbench.cli import app

#: Placeholder credentials: enough for boto3 to sign requests to a local fake, never real.
FAKE_AWS_ENV = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_MAX_ATTEMPTS": "1"}
_runner = CliRunner()


def run_cli(*args: str, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``workbench ARGS...``."""
    result = _runner.invoke(app, list(args), env=dict(env) if env is not None else None)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def error_line(stderr: str) -> str:
    """The one ``error...`` line on stderr (fails when there is not exactly one)."""
    (line,) = [x for x in stderr.splitlines() if x.startswith("error")]
    return line
