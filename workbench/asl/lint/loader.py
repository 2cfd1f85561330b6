"""Read an ASL file (JSON, or YAML for ``.yaml``/``.yml``) into an :class:`AslDocument`.

The document keeps the text so any diagnostic location (``States.Fetch.Retry[0].BackoffRate``) can be
turned into a line and column. Errors while reading raise :class:`AslError` naming file, line, column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from workbench.asl.lint.report import Loc, parse_location
from workbench.asl.lint.source import Duplicate, SourceIndex, compose_yaml, index_json
from workbench.core.diagnostics import AslError, Diagnostic, Severity

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


def parse_asl(text: str, *, file: str = "<string>", yaml_format: bool | None = None) -> AslDocument:
    """Parse ASL text (JSON, or YAML when ``yaml_format`` or the file name ends in .yaml/.yml).

    Raises :class:`AslError` (code ASL002) with the line and column of the syntax error.

    Example:
        >>> parse_asl('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}').definition["StartAt"]
        'A'
    """
    as_yaml = file.lower().endswith(YAML_SUFFIXES) if yaml_format is None else yaml_format
    if as_yaml:
        try:
            data, index = compose_yaml(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
            raise _error("ASL002", f"{file} is not valid YAML: {exc.problem or exc}", file, line, col,
                         hint="check indentation, quotes and brackets near this line") from None
        except yaml.YAMLError as exc:
            raise _error("ASL002", f"{file} is not valid YAML: {exc}", file) from None
        return AslDocument(data, text, file, is_yaml=True, index=index)
    seen_duplicate = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal seen_duplicate
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen_duplicate = True
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        raise _error("ASL002", f"{file} is not valid JSON: {exc.msg}", file, exc.lineno, exc.colno,
                     hint="check commas, quotes and brackets near this position") from None
    except RecursionError:
        raise _error("ASL002", f"{file} is nested too deeply to read", file) from None
    return AslDocument(data, text, file, has_duplicates=seen_duplicate)


def load_asl(path: str | Path) -> AslDocument:
    """Read an ASL definition from a JSON file (or YAML for ``.yaml``/``.yml``) keeping positions.

    Raises :class:`AslError` naming the file (ASL001) or the line and column of a syntax error (ASL002).

    Example:
        >>> doc = load_asl("statemachine.asl.json")        # doctest: +SKIP
        >>> [d.render() for d in lint(doc)]                 # doctest: +SKIP
        ['statemachine.asl.json:12:15: error ASL105: ...']
    """
    p = Path(path)
    name = str(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise _error("ASL001", f"cannot read {name}: {exc.strerror or exc}", name,
                     hint="check the path and the file permissions") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _error("ASL001", f"{name} is not UTF-8 text (byte {exc.start})", name, line, col,
                     hint="save the file as UTF-8") from None
    return parse_asl(text, file=name, yaml_format=p.suffix.lower() in YAML_SUFFIXES)
