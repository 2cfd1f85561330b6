"""Read an ASL file (JSON, or YAML for ``.yaml``/``.yml``) into an :class:`AslDocument`.

The document keeps the text so any diagnostic location (``States.Fetch.Retry[0].BackoffRate``) can be
turned into a line and column. Errors while reading raise :class:`AslError` naming file, line, column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from workbench.asl.lint.diagnostics.report import Loc, parse_location
from workbench.asl.lint.load.source import Duplicate, SourceIndex, compose_yaml, index_json
from workbench.core.diagnostics import AslError, Diagnostic, Severity
from workbench.core.yaml_load import NOT_TEXT, InputBudget, InputError, loads_json, read_text, yaml_problem

YAML_SUFFIXES = (".yaml", ".yml")


class AslDocument:
    """A parsed ASL definition plus its source text, for positions.

    Attributes:
        definition: the parsed JSON object (normally a dict).
        text: the source text.
        file: the file name used in diagnostics.
        is_yaml: whether the text was read as YAML.

    Example:
        >>> doc = parse_asl('{"StartAt": "A",\\n "States": {"A": {"Type": "Succeed"}}}')
        >>> doc.position("States.A.Type")
        (2, 19)
    """

    def __init__(self, definition: Any, text: str, file: str, *, is_yaml: bool = False,
                 index: SourceIndex | None = None, has_duplicates: bool = False) -> None:
        self.definition = definition
        self.text = text
        self.file = file
        self.is_yaml = is_yaml
        self._index = index
        self._has_duplicates = has_duplicates

    def __repr__(self) -> str:
        return f"AslDocument(file={self.file!r}, {len(self.text)} characters)"

    def _ensure_index(self) -> SourceIndex:
        if self._index is None:
            self._index = index_json(self.text)
        return self._index

    @property
    def duplicates(self) -> list[Duplicate]:
        """Keys that appear twice in one object (JSON would silently keep the last)."""
        if self._index is None and not self._has_duplicates:
            return []
        return self._ensure_index().duplicates

    def position(self, location: str | Loc) -> tuple[int, int] | None:
        """1-based (line, column) of ``location`` or of its deepest existing parent; None if unknown."""
        loc = parse_location(location) if isinstance(location, str) else tuple(location)
        if not loc:  # the whole document: no need to index a large text for that
            start = len(self.text) - len(self.text.lstrip())
            return self.text.count("\n", 0, start) + 1, start - (self.text.rfind("\n", 0, start) + 1) + 1
        positions = self._ensure_index().positions
        for cut in range(len(loc), -1, -1):
            pos = positions.get(loc[:cut])
            if pos is not None:
                return pos
        return None


def _error(code: str, message: str, file: str, line: int | None = None, column: int | None = None,
           hint: str | None = None) -> AslError:
    diag = Diagnostic(code=code, severity=Severity.ERROR, message=message, file=file, line=line, column=column,
                      hint=hint)
    return AslError([diag])


def parse_asl(text: str, *, file: str = "<string>", yaml_format: bool | None = None,
              budget: InputBudget | None = None) -> AslDocument:
    """Parse ASL text (JSON, or YAML when ``yaml_format`` or the file name ends in .yaml/.yml).

    Raises :class:`AslError`: ASL002 with the line and column of a syntax error, or an INPUT code
    (:mod:`workbench.core.yaml_load`) when the document is over its depth, node or alias budget.

    Example:
        >>> parse_asl('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}').definition["StartAt"]
        'A'
    """
    as_yaml = file.lower().endswith(YAML_SUFFIXES) if yaml_format is None else yaml_format
    if as_yaml:
        try:
            data, index = compose_yaml(text, file, budget)
        except yaml.YAMLError as exc:
            problem, line, col = yaml_problem(exc)
            raise _error("ASL002", f"{file} is not valid YAML: {problem}", file, line, col,
                         hint="check indentation, quotes and brackets near this line") from None
        except InputError as exc:
            raise AslError(exc.diagnostics) from None
        return AslDocument(data, text, file, is_yaml=True, index=index)
    seen_duplicate = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal seen_duplicate
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen_duplicate = True
        return obj

    try:
        data = loads_json(text, file, budget, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        raise _error("ASL002", f"{file} is not valid JSON: {exc.msg}", file, exc.lineno, exc.colno,
                     hint="check commas, quotes and brackets near this position") from None
    except InputError as exc:
        raise AslError(exc.diagnostics) from None
    return AslDocument(data, text, file, has_duplicates=seen_duplicate)


def load_asl(path: str | Path, budget: InputBudget | None = None) -> AslDocument:
    """Read an ASL definition from a JSON file (or YAML for ``.yaml``/``.yml``) keeping positions.

    Raises :class:`AslError` naming the file: ASL001 when it cannot be read or is not UTF-8 text,
    ASL002 with the line and column of a syntax error, an INPUT code over an input budget.

    Example:
        >>> doc = load_asl("statemachine.asl.json")        # doctest: +SKIP
        >>> [d.render() for d in lint(doc)]                 # doctest: +SKIP
        ['statemachine.asl.json:12:15: error ASL105: ...']
    """
    p = Path(path)
    name = str(path)
    try:
        text = read_text(p, budget, name=name)
    except OSError as exc:
        raise _error("ASL001", f"cannot read {name}: {exc.strerror or exc}", name,
                     hint="check the path and the file permissions") from None
    except InputError as exc:
        # "not UTF-8 text" keeps the linter's published code for unreadable files (ASL001)
        raise AslError([d.model_copy(update={"code": "ASL001"}) if d.code == NOT_TEXT else d
                        for d in exc.diagnostics]) from None
    return parse_asl(text, file=name, yaml_format=p.suffix.lower() in YAML_SUFFIXES, budget=budget)
