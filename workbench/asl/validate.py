"""The full check of a Mission: load → Mission checks → compile → lint the ASL, with every
diagnostic pointed back at the Mission file (line, column, step).

Used by ``workbench validate``, the composer's problems list and the preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.asl.compiler import compile_mission
from workbench.core.diagnostics import Diagnostic, MissionLoadError, has_errors
from workbench.core.yaml_load import INPUT_CODES, InputError, read_text
from workbench.mission.checks import check_mission
from workbench.mission.loader import PositionedDocument, mission_from_document, parse_document
from workbench.mission.model import Mission
from workbench.mission.steps import STEP_KINDS

_STATE_IN_PATH = re.compile(r"States\.([^.\[]+)")
UNPARSABLE_CODES = frozenset({"MIS000", "MIS001", *INPUT_CODES})


@dataclass
class Validation:
    """What a validation found: the Mission and its ASL when they could be built, and all diagnostics."""

    file: str | None
    mission: Mission | None = None
    definition: dict[str, Any] | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def unreadable(self) -> bool:
        """True when the file could not be read or parsed at all (exit code 2 in the CLI)."""
        return any(d.code in UNPARSABLE_CODES for d in self.diagnostics)


def step_positions(doc: PositionedDocument) -> dict[str, tuple[int, int]]:
    """Line and column of every step id in a parsed Mission document."""
    out: dict[str, tuple[int, int]] = {}
    for path, _pos in list(doc.positions.items()):
        if path and path[-1] == "id":
            parent = doc.data
            for part in path[:-1]:
                parent = parent[part]
            if isinstance(parent, dict) and any(k in parent for k in STEP_KINDS):
                step_pos = doc.positions.get(path[:-1]) or _pos
                out.setdefault(str(parent["id"]), step_pos)
    return out


def locate(diagnostics: list[Diagnostic], doc: PositionedDocument | None) -> list[Diagnostic]:
    """Fill in file, line and step for diagnostics that only know a step id or an ASL path."""
    if doc is None:
        return diagnostics
    positions = step_positions(doc)
    out = []
    for d in diagnostics:
        step = d.step
        if step is None and d.location:
            names = _STATE_IN_PATH.findall(d.location)
            step = names[-1] if names else None
        pos = positions.get(step) if step else None
        update: dict[str, Any] = {"file": d.file or doc.file}
        if step and step in positions:
            update["step"] = step
        if d.line is None and pos:
            update["line"], update["column"] = pos
        out.append(d.model_copy(update=update))
    return out


def validate_document(doc: PositionedDocument) -> Validation:
    """Validate an already parsed Mission document (see :func:`validate_text`)."""
    result = Validation(file=doc.file)
    try:
        result.mission = mission_from_document(doc)
    except MissionLoadError as exc:
        result.diagnostics = exc.diagnostics
        return result
    result.definition, result.diagnostics = check_and_compile(result.mission, doc)
    return result


def check_and_compile(mission: Mission, doc: PositionedDocument | None = None) -> tuple[dict[str, Any] | None,
                                                                                        list[Diagnostic]]:
    """Mission checks, then (when they pass) the compiled ASL and its lint; diagnostics located in ``doc``
    (default: the file the Mission was loaded from). The ASL is None when the checks found errors.

    Example:
        >>> from workbench.mission import loads_mission
        >>> definition, found = check_and_compile(loads_mission("mission: m\\nsteps:\\n  - {id: a, pass: 1}\\n"))
        >>> definition["StartAt"], found
        ('a', [])
    """
    problems = check_mission(mission)
    definition = None
    if not has_errors(problems):
        from workbench.asl.lint import lint

        definition = compile_mission(mission, check=False)
        problems += lint(definition)
    return definition, locate(problems, doc if doc is not None else mission.source)


def validate_text(text: str, file: str | None = None) -> Validation:
    """Validate Mission YAML/JSON text end to end.

    Example:
        >>> v = validate_text("mission: m\\nsteps:\\n  - {id: a, tool: nope}\\n", "m.yaml")
        >>> [(d.line, d.step, d.message) for d in v.diagnostics]
        [(3, 'a', "unknown tool 'nope'")]
    """
    try:
        doc = parse_document(text, file)
    except MissionLoadError as exc:
        return Validation(file=file, diagnostics=exc.diagnostics)
    return validate_document(doc)


def validate_file(path: str | Path) -> Validation:
    """Validate a Mission file end to end (what ``workbench validate`` runs).

    Example:
        >>> v = validate_file("missions/incident_triage.yaml")  # doctest: +SKIP
        >>> v.ok, len(v.definition["States"])  # doctest: +SKIP
        (True, 9)
    """
    p = Path(path)
    try:
        text = read_text(p)
    except OSError as exc:
        return Validation(file=str(p), diagnostics=[Diagnostic(
            code="MIS000", severity="error", message=f"cannot read the file: {exc.strerror or exc}", file=str(p))])
    except InputError as exc:  # not UTF-8 text, or over the size budget
        return Validation(file=str(p), diagnostics=exc.diagnostics)
    return validate_text(text, str(p))
