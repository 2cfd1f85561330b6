"""Load Missions from YAML or JSON with errors that name the file, line, column, step and field.

YAML is parsed to a node tree first so every value keeps its position; pydantic's error locations
are then mapped back to those positions, and misspelt keys get the closest valid name.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from workbench.mission.diagnostics import Diagnostic, MissionLoadError, Severity
from workbench.mission.model import Mission
from workbench.mission.steps import STEP_KINDS

Pos = tuple[int, int]
PathKey = tuple[str | int, ...]


class PositionedDocument:
    """A parsed document plus the (line, column) of every mapping key and value, by path."""

    def __init__(self, data: Any, positions: dict[PathKey, Pos], file: str | None) -> None:
        self.data = data
        self.positions = positions
        self.file = file

    def position(self, path: PathKey) -> Pos | None:
        """Position of the deepest existing prefix of ``path`` (1-based line and column)."""
        for cut in range(len(path), -1, -1):
            pos = self.positions.get(path[:cut])
            if pos is not None:
                return pos
        return None


def _scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    value = loader.construct_object(node)
    if isinstance(value, _dt.datetime | _dt.date):
        return node.value  # keep timestamps as written: ASL wants strings
    return value


def _diag(code: str, message: str, file: str | None, pos: Pos | None, **kw: Any) -> Diagnostic:
    line, col = pos if pos else (None, None)
    return Diagnostic(code=code, severity=Severity.ERROR, message=message, file=file, line=line, column=col, **kw)


def parse_document(text: str, file: str | None = None) -> PositionedDocument:
    """Parse YAML (or JSON, which YAML reads too) keeping positions; duplicate keys are errors.

    Example:
        >>> doc = parse_document("a:\\n  b: 1\\n")
        >>> doc.data, doc.position(("a", "b"))
        ({'a': {'b': 1}}, (2, 6))
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark else None
        raise MissionLoadError(
            [_diag("MIS001", f"not valid YAML/JSON: {exc.problem or exc}", file, pos,
                   hint="check indentation, quotes and brackets near this line")]
        ) from None
    finally:
        loader.dispose()
    positions: dict[PathKey, Pos] = {}
    if root is None:
        return PositionedDocument(None, positions, file)

    def build(node: yaml.Node, path: PathKey) -> Any:
        positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = _scalar(loader, key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                if key in out:
                    pos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                    raise MissionLoadError([_diag(
                        "MIS002", f"duplicate key '{key}'", file, pos,
                        location=_render_path((*path, key)), hint="each key may appear once per mapping")])
                out[key] = build(value_node, (*path, key))
                positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [build(item, (*path, i)) for i, item in enumerate(node.value)]
        return _scalar(loader, node)  # type: ignore[arg-type]

    return PositionedDocument(build(root, ()), positions, file)


def _render_path(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_KNOWN_KEYS: set[str] | None = None


def _known_keys() -> set[str]:
    """Every field name of the Mission format (aliases included), for did-you-mean hints."""
    global _KNOWN_KEYS
    if _KNOWN_KEYS is None:
        keys: set[str] = set(STEP_KINDS)
        schema = Mission.model_json_schema(by_alias=True)
        stack: list[Any] = [schema]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                keys.update(item.get("properties", {}).keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        _KNOWN_KEYS = keys
    return _KNOWN_KEYS


def _data_path(data: Any, loc: tuple[Any, ...]) -> PathKey:
    """Drop pydantic's union tags from an error location so it indexes the document again."""
    out: list[str | int] = []
    cur = data
    for part in loc:
        indexable = (isinstance(cur, dict) and part in cur) or (
            isinstance(cur, list) and isinstance(part, int) and part < len(cur))
        if indexable:
            cur = cur[part]
            out.append(part)
        elif isinstance(cur, dict) and part == "pass_" and "pass" in cur:
            cur = cur["pass"]
            out.append("pass")
        elif isinstance(part, str) and (part in STEP_KINDS or part.startswith("function-")):
            continue  # a discriminator tag, not a key in the document
        else:
            out.append(part)
            cur = None
    return tuple(out)


_STEP_COMMON = {"id", "comment", "then", "end", "query_language", "assign", "asl"}


def _value_at(data: Any, path: PathKey) -> Any:
    cur = data
    for part in path:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def _step_of(data: Any, path: PathKey) -> str | None:
    """The id of the innermost step that contains ``path``."""
    step_id = None
    cur = data
    for part in path:
        if isinstance(cur, dict | list):
            try:
                cur = cur[part]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(cur, dict) and isinstance(cur.get("id"), str) and any(k in cur for k in STEP_KINDS):
                step_id = cur["id"]
    return step_id


def validation_diagnostics(exc: ValidationError, doc: PositionedDocument) -> list[Diagnostic]:
    """Turn pydantic errors into Diagnostics with file, line, column, step and a hint."""
    out: list[Diagnostic] = []
    seen: set[tuple[PathKey, str]] = set()
    for err in exc.errors():
        path = _data_path(doc.data, tuple(err["loc"]))
        kind = err["type"]
        if (path, kind) in seen:
            continue
        seen.add((path, kind))
        hint = None
        message = err["msg"]
        if kind == "extra_forbidden":
            key = str(path[-1]) if path else "?"
            close = difflib.get_close_matches(key, sorted(_known_keys()), n=1, cutoff=0.6)
            message = f"unknown field '{key}'"
            hint = f"did you mean '{close[0]}'?" if close else "remove it, or put raw ASL fields under `asl:`"
        elif kind == "step_kind":
            raw = _value_at(doc.data, path)
            keys = [k for k in raw if k not in _STEP_COMMON] if isinstance(raw, dict) else []
            guesses = [m for k in keys for m in difflib.get_close_matches(str(k), STEP_KINDS, n=1, cutoff=0.5)]
            hint = f"did you mean '{guesses[0]}'?" if guesses else "add one of the kind keys"
        elif kind == "missing":
            message = f"missing required field '{path[-1]}'" if path else message
        elif message.startswith("Value error, "):
            message = message[len("Value error, "):]
        else:
            given = err.get("input")
            if not isinstance(given, dict | list):
                message = f"{message} (got {given!r})"
        out.append(_diag("MIS100", message, doc.file, doc.position(path), location=_render_path(path),
                         step=_step_of(doc.data, path), hint=hint))
    return out


def mission_from_document(doc: PositionedDocument) -> Mission:
    """Validate a parsed document as a Mission, raising :class:`MissionLoadError` with positions."""
    if not isinstance(doc.data, dict):
        raise MissionLoadError([_diag("MIS003", "a Mission file must be a mapping with `mission:` and `steps:`",
                                      doc.file, (1, 1))])
    try:
        return Mission.model_validate(doc.data)
    except ValidationError as exc:
        raise MissionLoadError(validation_diagnostics(exc, doc)) from None


def loads_mission(text: str, file: str | None = None) -> Mission:
    """Load a Mission from YAML or JSON text.

    Example:
        >>> m = loads_mission("mission: hi\\nsteps:\\n  - {id: a, pass: {x: 1}}\\n")
        >>> m.name, m.steps[0].kind
        ('hi', 'pass')
    """
    return mission_from_document(parse_document(text, file))


def load_mission(path: str | Path) -> Mission:
    """Load a Mission file (``.yaml``, ``.yml`` or ``.json``).

    Example:
        >>> from workbench.mission import load_mission
        >>> mission = load_mission("missions/incident_triage.yaml")  # doctest: +SKIP
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise MissionLoadError([_diag("MIS000", f"cannot read the file: {reason}", str(p), None)]) from None
    return loads_mission(text, str(p))


def mission_to_data(mission: Mission) -> dict[str, Any]:
    """The Mission as plain data in file order: ``mission`` first, each step as ``id``, kind, then the rest."""
    data = mission.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data = {"mission": data.pop("mission"), **data}
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "id" in item and any(k in item for k in STEP_KINDS):
                kind = next(k for k in STEP_KINDS if k in item)
                ordered = {"id": item["id"], kind: item[kind]}
                ordered.update((k, v) for k, v in item.items() if k not in ordered)
                item.clear()
                item.update(ordered)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return data


def dump_yaml(mission: Mission) -> str:
    """YAML in the Mission file format, leaving out values equal to their defaults."""
    return yaml.safe_dump(mission_to_data(mission), sort_keys=False, allow_unicode=True, width=100)


def dump_json(mission: Mission) -> str:
    """JSON in the Mission file format."""
    return json.dumps(mission_to_data(mission), indent=2, ensure_ascii=False) + "\n"
