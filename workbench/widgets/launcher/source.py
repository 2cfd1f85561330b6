"""What the launcher launches: a Mission file, a Mission, YAML text, or a composer followed live.

A string that names a file (``.yaml``/``.yml``/``.json``, one line) is a path, never YAML text: a missing
file gives one line naming it, and the launcher shows that line instead of a parse error about the name.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.asl.validate import Validation
from workbench.core.diagnostics import Diagnostic, Severity, WorkbenchError
from workbench.widgets.preview.widget import validate_source

FILE_SUFFIXES = (".yaml", ".yml", ".json")


def looks_like_file_name(text: str) -> bool:
    """A one-line string ending like a Mission or ASL file: taken as a path, never as YAML text.

    Example:
        >>> looks_like_file_name("missions/typo.yml"), looks_like_file_name("mission: m\\nsteps: []")
        (True, False)
    """
    return "\n" not in text and text.strip().lower().endswith(FILE_SUFFIXES)


def file_not_found(name: str) -> str:
    """The one line shown for a missing Mission file.

    Example:
        >>> file_not_found("typo.yml").startswith("file not found: typo.yml (check the path, relative to ")
        True
    """
    return f"file not found: {name} (check the path, relative to {Path.cwd()})"


def is_composer(source: Any) -> bool:
    """Whether ``source`` is a composer (anything that reports each new validation of the Mission it edits)."""
    return callable(getattr(source, "observe_validation", None)) and hasattr(source, "validation")


def validation_of(source: Any) -> Validation:
    """The Mission (and ASL) to launch from any source the launcher takes, problems included, never raising.

    Example:
        >>> validation_of("typo.yml").diagnostics[0].message.startswith("file not found: typo.yml")
        True
    """
    if is_composer(source):
        current = source.validation
        return current if isinstance(current, Validation) else Validation(file=None, diagnostics=[_problem(
            "the composer has no Mission yet")])
    if isinstance(source, Path) or (isinstance(source, str) and looks_like_file_name(source)):
        path = Path(source)
        if not path.exists():
            return Validation(file=str(path), diagnostics=[_problem(file_not_found(str(source)), "MIS000")])
        if path.is_dir():
            return Validation(file=str(path), diagnostics=[_problem(
                f"{source} is a folder, not a Mission file: name the .yaml file inside it", "MIS000")])
    try:
        return validate_source(source)
    except WorkbenchError as exc:
        return Validation(file=str(source), diagnostics=list(getattr(exc, "diagnostics", None) or [
            _problem(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)]))
    except OSError as exc:
        return Validation(file=str(source), diagnostics=[_problem(f"cannot read {source}: {exc.strerror or exc}",
                                                                  "MIS000")])


def _problem(message: str, code: str = "MIS001") -> Diagnostic:
    return Diagnostic(code=code, severity=Severity.ERROR, message=message)


def title_html(validation: Validation, *, following: bool = False) -> str:
    """The launcher's first line: what it launches, or the one problem that stops it (``following``: the
    launcher follows a composer, so fixing it there is enough)."""
    mission = validation.mission
    errors = [d for d in validation.diagnostics if d.is_error]
    if errors and errors[0].code == "MIS000":  # the file itself: one line, nothing else to say
        return f"<b>Cannot launch</b>: {html.escape(errors[0].message)}"
    if mission is None or errors:
        first = html.escape(errors[0].render()) if errors else "the Mission could not be read"
        fix = ("Fix it in the composer: this launcher follows it." if following
               else "Fix it in the composer, then open the launcher again.")
        return f"<b>Cannot launch</b>: {len(errors) or 1} problem(s) in the Mission; first: {first}. {fix}"
    return f"<b>Launch {html.escape(mission.name)}</b> · {len(list(mission.walk()))} step(s)"


def follow_composer(composer: Any, callback: Callable[[Validation], None]) -> None:
    """Call ``callback`` with each new validation of the Mission in ``composer`` (edits in the form or YAML)."""
    composer.observe_validation(callback)
