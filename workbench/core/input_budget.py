"""Input budgets and the errors of the one reader of user files: :class:`InputBudget`, :class:`InputError`,
:class:`BudgetExceeded` and :func:`read_text` (UTF-8 text, size checked before reading).

Used by :mod:`workbench.core.yaml_load` (YAML, which re-exports these names) and
:mod:`workbench.core.json_load` (JSON). Each error carries one :class:`Diagnostic`, so the CLI prints one
line and exits 2.
"""

from __future__ import annotations

import fcntl
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NamedTuple, Protocol

from workbench.core.diagnostics import Diagnostic, DiagnosticError, Severity

__all__ = ["INPUT_CODES", "MAX_BYTES_ENV", "MAX_DIGITS", "NOT_TEXT", "BudgetExceeded", "InputBudget", "InputError",
           "MiB", "read_text"]

MiB = 1 << 20
MAX_BYTES_ENV = "WORKBENCH_MAX_INPUT_BYTES"
"""Environment variable that raises (or lowers) the default file-size budget, in bytes."""

INPUT_CODES = frozenset({"INPUT001", "INPUT002", "INPUT003", "INPUT004", "INPUT005", "INPUT006"})
#: Python refuses to turn longer digit strings into ``int`` (and no Mission or ASL number needs them).
MAX_DIGITS = 4300
"""Codes of :class:`InputError`: 001 file too large, 002 alias expansion, 003 too many nodes, 004 too deep,
005 not UTF-8 text. All mean "the file cannot be read at all" (CLI exit code 2)."""
NOT_TEXT = "INPUT005"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # never valid in YAML or JSON text: a binary file


def _default_max_bytes() -> int:
    raw = os.environ.get(MAX_BYTES_ENV, "").strip().replace("_", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 10 * MiB


@dataclass(frozen=True)
class InputBudget:
    """How much one input file may cost: bytes, nesting depth, nodes, and alias expansion.

    ``max_bytes`` defaults to 10 MiB, or to ``$WORKBENCH_MAX_INPUT_BYTES`` when that is a positive
    integer (read each time a budget is made), the way to open a larger file. ``max_nodes`` counts
    every scalar, list and mapping (keys too) of the document *with aliases expanded*; ``alias_factor``
    caps that expanded count (and the expanded scalar text) at that many times the document's own.

    Example:
        >>> InputBudget().max_depth, InputBudget().max_nodes, InputBudget(max_depth=5).max_depth
        (200, 1000000, 5)
    """

    max_bytes: int = field(default_factory=_default_max_bytes)
    max_depth: int = 200
    max_nodes: int = 1_000_000
    alias_factor: int = 10


class _Marked(Protocol):
    """Where in a file: 0-based ``line`` and ``column`` (a PyYAML ``Mark``, or :class:`_Where`)."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


class InputError(DiagnosticError):
    """A user file that cannot be read as a document: not UTF-8 text, or over an :class:`InputBudget`.

    Carries exactly one diagnostic (code in :data:`INPUT_CODES`) whose ``render()`` is one line naming
    the file; readers of Missions or ASL re-raise its diagnostics as their own error type.

    Example:
        >>> err = InputError("INPUT005", "x.yaml is not UTF-8 text", "x.yaml", hint="save it as UTF-8")
        >>> str(err)
        'x.yaml: error INPUT005: x.yaml is not UTF-8 text Hint: save it as UTF-8'
    """

    def __init__(self, code: str, message: str, file: str, mark: _Marked | None = None,
                 hint: str | None = None) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        super().__init__([Diagnostic(code=code, severity=Severity.ERROR, message=message, file=file, line=line,
                                     column=column, hint=hint)])


class BudgetExceeded(InputError):
    """A document over one of its budgets; ``budget`` names the :class:`InputBudget` field.

    Example:
        >>> from workbench.core.yaml_load import load_yaml
        >>> load_yaml("[[[1]]]", file="deep.yaml", budget=InputBudget(max_depth=2))
        Traceback (most recent call last):
        ...
        workbench.core.input_budget.BudgetExceeded: deep.yaml:1:3: error INPUT004: the document nests deeper \
than 2 levels (budget: nesting depth 2) Hint: flatten the structure; no Mission or state machine needs this depth
    """

    def __init__(self, budget: str, code: str, message: str, file: str, mark: _Marked | None = None,
                 hint: str | None = None) -> None:
        self.budget = budget
        super().__init__(code, message, file, mark, hint)


def _too_deep(file: str, budget: InputBudget, mark: _Marked | None = None,
              what: str = "the document nests") -> BudgetExceeded:
    return BudgetExceeded("max_depth", "INPUT004",
                          f"{what} deeper than {budget.max_depth} levels (budget: nesting depth {budget.max_depth})",
                          file, mark, "flatten the structure; no Mission or state machine needs this depth")


def _not_a_number(file: str, what: str, mark: _Marked | None = None) -> InputError:
    return InputError("INPUT006", f"{what} (JSON numbers are plain decimals of at most {MAX_DIGITS:,} digits)",
                      file, mark, "write the value as a string, or a smaller number")


def _too_many(file: str, budget: InputBudget, mark: _Marked | None = None) -> BudgetExceeded:
    return BudgetExceeded("max_nodes", "INPUT003",
                          f"the document has more than {budget.max_nodes:,} values (budget: {budget.max_nodes:,} "
                          "nodes in all)", file, mark, "split it into smaller files")


def _too_repetitive(file: str, budget: InputBudget, what: str, mark: _Marked | None = None) -> BudgetExceeded:
    limit = f"aliases expand a document at most {budget.alias_factor}× and to {budget.max_nodes:,} nodes in all"
    return BudgetExceeded("alias_factor", "INPUT002", f"the YAML's aliases expand {what} (budget: {limit})", file,
                          mark, "write the repeated parts out, or use fewer aliases (a 'billion laughs' file?)")


class _Where(NamedTuple):
    line: int  # 0-based, as in PyYAML's marks
    column: int


def _open_without_waiting(path: str | Path) -> BinaryIO:
    """Open for reading without blocking on a FIFO that has no writer (it then reads as empty); reads block again
    afterwards, so a pipe with a writer (``/dev/stdin``) is read whole."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_text(path: str | Path, budget: InputBudget | None = None, *, name: str | None = None) -> str:
    """Read a user file as UTF-8 text, checking its size *before* reading and refusing binary content.

    A leading BOM is dropped. Raises :class:`BudgetExceeded` (INPUT001) over ``budget.max_bytes``,
    :class:`InputError` (INPUT005, "FILE is not UTF-8 text", with line and column) for bytes that are
    not UTF-8 or control characters no YAML/JSON text contains; ``OSError`` is left to the caller.

    Example:
        >>> _ = Path("/tmp/yaml_load_doc.yaml").write_bytes(b"\\xff\\xfe")
        >>> read_text("/tmp/yaml_load_doc.yaml")
        Traceback (most recent call last):
        ...
        workbench.core.input_budget.InputError: /tmp/yaml_load_doc.yaml:1:1: error INPUT005: /tmp/yaml_load_doc.yaml \
is not UTF-8 text (byte 0) Hint: save the file as UTF-8 (is it a binary file?)
    """
    budget = budget or InputBudget()
    file = name or str(path)
    with _open_without_waiting(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        raw = b"" if size > budget.max_bytes else handle.read(budget.max_bytes + 1)
    if size > budget.max_bytes or len(raw) > budget.max_bytes:
        shown = f"{size:,} bytes" if size > budget.max_bytes else f"more than {budget.max_bytes:,} bytes"
        raise BudgetExceeded("max_bytes", "INPUT001",
                             f"the file is {shown} (budget: {budget.max_bytes / MiB:g} MiB per input file)", file,
                             hint=f"split it, or raise the budget with {MAX_BYTES_ENV}=<bytes>")
    try:
        text = raw.decode("utf-8-sig")
        bad = _CONTROL.search(text)
        offset = -1 if bad is None else len(text[:bad.start()].encode("utf-8")) + raw.startswith(b"\xef\xbb\xbf") * 3
    except UnicodeDecodeError as exc:
        offset = exc.start
    if offset < 0:
        return text
    line = raw.count(b"\n", 0, offset)
    mark = _Where(line, offset - (raw.rfind(b"\n", 0, offset) + 1))
    raise InputError(NOT_TEXT, f"{file} is not UTF-8 text (byte {offset})", file, mark,
                     "save the file as UTF-8 (is it a binary file?)")
