"""What ``workbench.show`` needs below the widget layer: a source's definition, and the one line for a bad one.

``show`` itself lives in :mod:`workbench.widgets.show`, because with a run it returns a widget (the inspector).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.asl.compiler import compile_mission
from workbench.core.diagnostics import DiagnosticError
from workbench.core.yaml_load import loads_json, read_text
from workbench.mission.loader import load_mission
from workbench.mission.model import Mission


def definition_of(source: Any) -> dict[str, Any]:
    """The ASL of a Mission, a Mission file, an ASL file, an ASL dict or JSON text.

    Example:
        >>> sorted(definition_of({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
        ['StartAt', 'States']
    """
    if isinstance(source, Mission):
        return compile_mission(source)
    if isinstance(source, dict):
        return source
    text = str(source)
    if text.lstrip().startswith("{"):
        return dict(loads_json(text))
    path = Path(text)
    if not path.exists():
        raise FileNotFoundError(2, "file not found", text)
    if path.suffix == ".json":
        data = loads_json(read_text(path), str(path))
        if isinstance(data, dict) and "States" in data:
            return data
    return compile_mission(load_mission(path))


def problem_line(source: Any, exc: BaseException) -> str:
    """The one line ``show`` prints for a source it cannot draw.

    Example:
        >>> problem_line("typo.yml", FileNotFoundError(2, "file not found", "typo.yml"))
        'workbench.show: file not found: typo.yml (check the path)'
    """
    if isinstance(exc, FileNotFoundError):
        return f"workbench.show: file not found: {exc.filename or source} (check the path)"
    if isinstance(exc, OSError):
        return f"workbench.show: cannot read {exc.filename or source}: {exc.strerror or exc}"
    if isinstance(exc, DiagnosticError) and exc.diagnostics:
        first = exc.diagnostics[0].render()
        more = f" (and {len(exc.diagnostics) - 1} more problem(s))" if len(exc.diagnostics) > 1 else ""
        return f"workbench.show: {first}{more}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"workbench.show: {text}"


__all__ = ["definition_of", "problem_line"]
