"""``workbench import``: read an ASL file, lint it, import it as a Mission and write the Mission's YAML.

The file edge of :mod:`workbench.asl.importer` (which is pure). Exit codes the CLI derives from it:
0 imported; 1 the definition is invalid (lint or import errors, in the diagnostics or the raised
:class:`AslError`); 2 the file cannot be read or parsed (:data:`UNREADABLE_CODES`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from workbench.asl.importer import import_with_diagnostics, mission_name
from workbench.asl.lint import AslDocument, lint, load_asl
from workbench.core.diagnostics import AslError, Diagnostic
from workbench.core.files import SHARED_FILE, write_text_atomic
from workbench.core.yaml_load import INPUT_CODES
from workbench.mission.model import Mission

UNREADABLE_CODES = frozenset({"ASL001", "ASL002", *INPUT_CODES})
"""Codes of an :class:`AslError` that mean "could not read the file at all" (CLI exit code 2)."""


def import_file(path: str | Path, *, name: str | None = None) -> tuple[Mission, list[Diagnostic]]:
    """Import an ASL file (JSON, or YAML for ``.yaml``/``.yml``) as a Mission, with lint findings.

    The Mission's name defaults to the file name (``orders.asl.json`` → ``orders``). Raises
    :class:`AslError`: ASL001/ASL002 when the file cannot be read or parsed; otherwise (the definition
    cannot be imported) with the lint diagnostics that explain why.

    Example:
        >>> mission, diagnostics = import_file("statemachine.asl.json")  # doctest: +SKIP
        >>> print(mission.to_yaml())                                      # doctest: +SKIP
    """
    doc = load_asl(path)
    found = lint(doc)
    try:
        mission, notes = import_with_diagnostics(doc.definition, name=name or mission_name(path))
    except AslError as exc:
        raise AslError([*found, *(_placed(d, doc) for d in exc.diagnostics)]) from None
    return mission, [*found, *(_placed(d, doc) for d in notes)]


def write_mission_yaml(mission: Mission, path: str | Path) -> Path:
    """Write the Mission's YAML atomically (readers never see half a file); returns the path.

    Example:
        >>> write_mission_yaml(mission, "missions/orders.yaml")  # doctest: +SKIP
    """
    return write_text_atomic(path, mission.to_yaml(), SHARED_FILE)  # a Mission is source, not data


def _placed(diagnostic: Diagnostic, doc: AslDocument) -> Diagnostic:
    """The importer's diagnostic with the file, line and column of its ASL location."""
    line = column = None
    if diagnostic.location:
        with contextlib.suppress(ValueError):  # a location the linter's parser does not read
            line, column = doc.position(diagnostic.location) or (None, None)
    return diagnostic.model_copy(update={"file": doc.file, "line": line, "column": column})
