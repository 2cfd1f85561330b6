"""Shared CLI output: diagnostics on stderr (text or JSON), one-line errors, safe atomic file writes.

Exit codes: 0 done, 1 a check or a run failed, 2 the input or an option cannot be used, 130 Ctrl-C,
70 an unexpected error (a bug: see :func:`bug_line`).
"""

from __future__ import annotations

import errno
import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import typer

from workbench.core.diagnostics import Diagnostic
from workbench.core.files import SHARED_FILE, write_text_atomic

F = TypeVar("F", bound=Callable[..., Any])

#: Set to 1 to get the traceback of an unexpected error instead of the one-line bug report.
DEBUG_ENV = "WORKBENCH_DEBUG"


class Format(StrEnum):
    text = "text"
    json = "json"


def print_diagnostics(diagnostics: Iterable[Diagnostic], fmt: Format = Format.text) -> None:
    """Text diagnostics go to stderr; ``--format json`` prints one JSON list on stdout.

    Example:
        >>> from workbench.core.diagnostics import Severity
        >>> print_diagnostics([Diagnostic(code="X1", severity=Severity.ERROR, message="bad", file="m.yaml")],
        ...                   Format.json)  # doctest: +ELLIPSIS
        [
          {
            "code": "X1",
        ...
    """
    items = list(diagnostics)
    if fmt == Format.json:
        typer.echo(json.dumps([d.to_json() for d in items], indent=2, ensure_ascii=False))
        return
    for d in items:
        typer.echo(d.render(), err=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr and return the Exit to raise.

    Example:
        >>> fail("--limit must be 1 or more").exit_code
        2
    """
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    sys.stderr.flush()
    return typer.Exit(code)


def write_atomic(path: str | Path, text: str, mode: int = SHARED_FILE, option: str = "-o") -> Path:
    """Write a file atomically (see :func:`workbench.core.files.write_text_atomic`); exit 2 with one line if
    it cannot be written. Missions, ASL and graphs are shared files (0644); execution data passes 0600.

    Example:
        >>> import tempfile
        >>> write_atomic(Path(tempfile.mkdtemp()) / "m.asl.json", "{}").read_text()
        '{}'
    """
    try:
        return write_text_atomic(path, text, mode)
    except OSError as exc:
        raise fail(write_problem(path, exc, option)) from None


def write_problem(path: str | Path, exc: OSError, option: str = "-o") -> str:
    """Why ``path`` cannot be written, in one sentence that says what to do.

    Example:
        >>> write_problem("/etc/passwd/x.json", NotADirectoryError(errno.ENOTDIR, "Not a directory"))
        'cannot write /etc/passwd/x.json: /etc/passwd is a file, not a folder; give -o a path in a folder'
    """
    target = Path(path)
    blocker = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return f"cannot write {path}: {blocker} is a file, not a folder; give {option} a path in a folder"
    if target.is_dir() or isinstance(exc, IsADirectoryError):
        return f"cannot write {path}: it is a folder; give {option} a file name (e.g. {target / 'out'})"
    reasons = {errno.EACCES: "permission denied", errno.EPERM: "permission denied",
               errno.EROFS: "the file system is read-only", errno.ENOSPC: "no space left on the device",
               errno.EDQUOT: "disk quota exceeded", errno.ENAMETOOLONG: "the name is too long",
               errno.ELOOP: "too many levels of symbolic links"}
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return f"cannot write {path}: {reason}; choose a {option} path in a folder you can write to"


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when two paths name the same file: the same path, a symbolic link to it, or a hard link.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "m.yaml").write_text("mission: m")
        >>> os.link(folder / "m.yaml", folder / "hard.yaml")
        >>> same_file(folder / "m.yaml", folder / "hard.yaml"), same_file(folder / "m.yaml", folder / "x.yaml")
        (True, False)
    """
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare the paths themselves
        try:
            return Path(a).resolve() == Path(b).resolve()
        except (OSError, RuntimeError):
            return False


def refuse_overwriting_inputs(output: str | Path | None, inputs: Iterable[str | Path | None],
                              option: str = "-o") -> None:
    """Exit 2, before anything is written, when ``output`` names one of the command's input files.

    Folders among the inputs count with the history files they hold (``*.json``/``*.jsonl``).

    Example:
        >>> refuse_overwriting_inputs("out.yaml", ["in.asl.json"])  # nothing in common: no error
    """
    if output is None:
        return
    for given in inputs:
        if given is None:
            continue
        for candidate in _files_of(Path(given)):
            if same_file(output, candidate):
                also = "" if Path(candidate) == Path(given) else f" (in {given})"
                raise fail(f"{option} {output} is an input of this command{also}: writing it would destroy that "
                           f"input. Give {option} another file name; nothing was written.")


def check_output(output: str | Path | None, inputs: Iterable[str | Path | None], option: str = "-o") -> None:
    """Exit 2 before any work when ``output`` cannot be the command's output file: it is one of the
    inputs, an existing folder, or a path below a file.

    Example:
        >>> check_output("report.html", ["runs/"])  # fine: nothing is read or written
    """
    if output is None:
        return
    refuse_overwriting_inputs(output, inputs, option)
    target = Path(output)
    if target.is_dir():
        raise fail(f"{option} {output} is a folder; give a file name (e.g. {target / 'out'})")
    blocker = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise fail(f"{option} {output}: {blocker} is a file, not a folder; give {option} a path in a folder")


def _files_of(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    try:  # folders are read recursively (the layout `history fetch -o DIR` writes): so is the check
        return [path, *(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl"))]
    except OSError:
        return [path]


def interruptible(command: F) -> F:
    """Wrap a command so that Ctrl-C prints ``interrupted`` and exits 130 instead of a traceback.

    Example:
        >>> @interruptible
        ... def slow() -> None:
        ...     raise KeyboardInterrupt
        >>> try:
        ...     slow()
        ... except typer.Exit as stop:
        ...     stop.exit_code
        130
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt as exc:
            message = str(exc).strip()
            typer.echo(message if message.startswith("interrupted") else "interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def debugging(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``WORKBENCH_DEBUG`` asks for tracebacks of unexpected errors (default: ``os.environ``).

    Example:
        >>> debugging({"WORKBENCH_DEBUG": "1"}), debugging({"WORKBENCH_DEBUG": "0"}), debugging({})
        (True, False, False)
    """
    value = (os.environ if environ is None else environ).get(DEBUG_ENV, "")
    return value.strip().lower() not in ("", "0", "false", "no")


def bug_line(exc: BaseException) -> str:
    """The one line printed for an unexpected exception (a bug in workbench, not in the user's input).

    Example:
        >>> bug_line(ZeroDivisionError("division by zero"))  # doctest: +ELLIPSIS
        'error: ZeroDivisionError: division by zero; this is a bug in workbench — please report it with the command...'
    """
    text = " ".join(str(exc).split())
    text = text if len(text) <= 300 else text[:300] + "…"
    return (f"error: {type(exc).__name__}: {text}; this is a bug in workbench — please report it with the command "
            f"you ran ({DEBUG_ENV}=1 shows the traceback)")
