"""Diagnostics and typed errors shared by every stage.

A diagnostic names *where* (file, line, column, step id, ASL path) and *what to do*,
in the user's words, so the same object serves the CLI, the widgets and the tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """How bad a diagnostic is: errors block compile/deploy, warnings do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Diagnostic(BaseModel):
    """One problem found in a Mission or an ASL document.

    ``code`` is stable (tests and users can filter on it), ``location`` is a path such as
    ``States.Fetch.Retry[0].BackoffRate`` (ASL) or ``steps[2].retry[0].interval`` (Mission).

    Example:
        >>> d = Diagnostic(code="ASL101", severity=Severity.ERROR, message="Next 'X' is not a state",
        ...                location="States.A.Next")
        >>> d.is_error
        True
    """

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    location: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    step: str | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def render(self) -> str:
        """One human line: ``file:line:col: error CODE [step X] message (hint)``."""
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        step = f"step '{self.step}': " if self.step else ""
        loc = f" (at {self.location})" if self.location and not self.step else ""
        hint = f" Hint: {self.hint}" if self.hint else ""
        return f"{where}{self.severity.value} {self.code}: {step}{self.message}{loc}{hint}"

    def to_json(self) -> dict[str, object]:
        """The JSON shape printed by ``--format json``."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "location": self.location,
            "step": self.step,
            "hint": self.hint,
        }


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any diagnostic is an error."""
    return any(d.is_error for d in diagnostics)


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose."""


class ArnError(WorkbenchError, ValueError):
    """A text is not the ARN (or Lambda function name) it should be; one line naming it and the shape expected."""


class DiagnosticError(WorkbenchError):
    """An error that carries diagnostics (bad Mission, invalid ASL, unreadable file)."""

    def __init__(self, diagnostics: list[Diagnostic], summary: str | None = None) -> None:
        self.diagnostics = diagnostics
        text = summary or "\n".join(d.render() for d in diagnostics)
        super().__init__(text)


class MissionLoadError(DiagnosticError):
    """The Mission file cannot be read or parsed, or does not match the Mission format."""


class CompileError(DiagnosticError):
    """The Mission is well-formed but cannot be compiled (dangling goto, unknown tool...)."""


class AslError(DiagnosticError):
    """An ASL document cannot be read, or is invalid."""
