"""Load Missions from YAML or JSON with errors that name the file, line, column, step and field.

YAML is parsed to a node tree first so every value keeps its position; pydantic's error locations
are then mapped back to those positions, and misspelt keys get the closest valid name.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from workbench.core.diagnostics import Diagnostic, MissionLoadError
from workbench.core.files import SHARED_FILE, write_text_atomic
from workbench.core.yaml_load import InputError, read_text
from workbench.mission.model import Mission
from workbench.mission.positions import (
    PathKey,
    PositionedDocument,
    error,
    parse_document,
    render_path,
    split_at_step,
)
from workbench.mission.steps import STEP_KINDS, step_kind

__all__ = [
    "PositionedDocument", "dump_json", "dump_yaml", "load_mission", "loads_mission", "mission_from_document",
    "mission_to_data", "parse_document", "save_mission", "validation_diagnostics",
]

_KNOWN_KEYS: set[str] | None = None
# pydantic names the member of a union it tried with its type: these never are keys of the document
_TYPE_TAGS = {"str", "int", "float", "bool", "none", "list", "dict", "any", "is-instance", "literal"}


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


def _is_type_tag(part: Any) -> bool:
    return isinstance(part, str) and (part in _TYPE_TAGS or "[" in part or part.startswith("function-"))


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[PathKey, bool]:
    """Drop pydantic's union tags from an error location so it indexes the document again.

    Returns the path and whether a union member's tag was dropped (several members then report
    the same place, and their messages are merged). A step's kind tag follows the step's list index
    and equals the step's kind, which tells it apart from a field of the same name (``tool``).
    """
    out: list[str | int] = []
    cur = data
    prev: Any = None
    union = False
    for part in loc:
        if isinstance(prev, int) and isinstance(part, str) and part == step_kind(cur):
            prev = part
            continue  # the step's discriminator tag
        prev = part
        if (isinstance(cur, dict) and part in cur) or (
                isinstance(cur, list) and isinstance(part, int) and part < len(cur)):
            cur = cur[part]
            out.append(part)
        elif isinstance(cur, dict) and part == "pass_" and "pass" in cur:
            cur = cur["pass"]
            out.append("pass")
        elif isinstance(cur, dict) and part == "lambda_" and "lambda" in cur:
            cur = cur["lambda"]
            out.append("lambda")
        elif _is_type_tag(part) or (not isinstance(cur, dict) and isinstance(part, str) and cur is not None):
            union = True
        else:
            out.append(part)
            cur = None
    return tuple(out), union


def _value_at(data: Any, path: PathKey) -> Any:
    cur = data
    for part in path:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


_STEP_COMMON = {"id", "comment", "then", "end", "query_language", "assign", "asl"}


def _explain(err: Any, path: PathKey, doc: PositionedDocument) -> tuple[str, str | None]:
    """Message and hint for one pydantic error, in Mission words."""
    kind, message = err["type"], err["msg"]
    given = err.get("input")
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        if key in STEP_KINDS:
            parent = _value_at(doc.data, path[:-1])
            kinds = [k for k in STEP_KINDS if isinstance(parent, dict) and k in parent]
            return (f"a step has exactly one kind, this one has {' and '.join(repr(k) for k in kinds)}",
                    "split it into one step per kind")
        close = difflib.get_close_matches(key, sorted(_known_keys()), n=1, cutoff=0.6)
        return f"unknown field '{key}'", (f"did you mean '{close[0]}'?" if close
                                           else "remove it, or put raw ASL fields under `asl:`")
    if kind == "step_kind":
        raw = _value_at(doc.data, path)
        keys = [k for k in raw if k not in _STEP_COMMON] if isinstance(raw, dict) else []
        guesses = [m for k in keys for m in difflib.get_close_matches(str(k), STEP_KINDS, n=1, cutoff=0.5)]
        return message, (f"did you mean '{guesses[0]}'?" if guesses else "add one of the kind keys")
    if kind == "missing":
        return (f"missing required field '{path[-1]}'" if path else message), None
    if message.startswith("Value error, "):
        return message[len("Value error, "):], None
    hint = None
    if kind == "literal_error" and isinstance(given, str):
        options = [o.strip(" '") for o in str(err.get("ctx", {}).get("expected", "")).split(" or ")]
        close = [o for o in options if o.lower() == given.lower()] or difflib.get_close_matches(given, options, 1)
        hint = f"did you mean '{close[0]}'?" if close else None
    elif kind == "string_pattern_mismatch" and path == ("mission",):
        hint = "use letters, digits, '_' and '-' only (it becomes the state machine's name)"
    if not isinstance(given, dict | list):
        message = f"{message} (got {given!r})"
    return message, hint


def _merge_union(messages: list[str]) -> str:
    """``Input should be a valid string`` + ``... dictionary`` → ``Input should be a valid string or dictionary``."""
    own = [m for m in messages if not m.startswith("Input should be")]
    if own:
        return own[0]
    got = ""
    parts = []
    for m in messages:
        body, sep, tail = m.partition(" (got ")
        got = got or (sep + tail)
        parts.append(body.removeprefix("Input should be ").removeprefix("a valid "))
    return "Input should be a valid " + " or ".join(dict.fromkeys(parts)) + got


def validation_diagnostics(exc: ValidationError, doc: PositionedDocument) -> list[Diagnostic]:
    """Turn pydantic errors into Diagnostics with file, line, column, step, field and a hint."""
    grouped: dict[PathKey, list[tuple[str, str | None, str, bool]]] = {}
    for err in exc.errors():
        path, union = _data_path(doc.data, tuple(err["loc"]))
        message, hint = _explain(err, path, doc)
        grouped.setdefault(path, []).append((message, hint, err["type"], union))
    suggested = {(path[:-1], h.split("'")[1]) for path, errs in grouped.items() for _, h, k, _ in errs
                 if k == "extra_forbidden" and h and h.startswith("did you mean")}
    out: list[Diagnostic] = []
    for path, errs in grouped.items():
        if all(k == "missing" for _, _, k, _ in errs) and path and (path[:-1], path[-1]) in suggested:
            continue  # `lamda:` already says "did you mean 'lambda'?"
        if len(errs) > 1 and all(u for *_, u in errs):
            items = [(_merge_union([m for m, *_ in errs]), next((h for _, h, *_ in errs if h), None))]
        else:
            items = list(dict.fromkeys((m, h) for m, h, *_ in errs))
        step, rest = split_at_step(doc.data, path)
        for message, hint in items:
            field = render_path(rest) if step else ""
            whole = message.startswith(("unknown field", "missing", "a step has exactly one kind"))
            text = f"{field}: {message}" if field and not whole else message
            out.append(error("MIS100", text, doc.file, doc.position(path), location=render_path(path),
                             step=step, hint=hint))
    return out


def mission_from_document(doc: PositionedDocument) -> Mission:
    """Validate a parsed document as a Mission, raising :class:`MissionLoadError` with positions.

    A Mission template (a document with ``parameters:``, docs/catalog.md) is bound with its defaults, so
    ``workbench validate``, ``run`` and ``graph`` work on templates as they are reviewed.
    """
    if isinstance(doc.data, dict) and "parameters" in doc.data:
        from workbench.mission.template import TemplateError, template_from_document

        try:
            return template_from_document(doc).bind().mission
        except TemplateError as exc:
            raise MissionLoadError(exc.diagnostics) from None
    if not isinstance(doc.data, dict):
        raise MissionLoadError([error("MIS003", "a Mission file must be a mapping with `mission:` and `steps:`",
                                      doc.file, (1, 1), hint="start the file with `mission: <name>`")])
    try:
        mission = Mission.model_validate(doc.data)
    except ValidationError as exc:
        raise MissionLoadError(validation_diagnostics(exc, doc)) from None
    mission.attach_source(doc)
    return mission


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
        text = read_text(p)
    except OSError as exc:
        raise MissionLoadError([error("MIS000", f"cannot read the file: {exc.strerror or exc}", str(p), None,
                                      hint="check the path and that the file is UTF-8 text")]) from None
    except InputError as exc:  # not UTF-8 text, or over the size budget
        raise MissionLoadError(exc.diagnostics) from None
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


class _Dumper(yaml.SafeDumper):
    """PyYAML, except strings holding Unicode line breaks are double-quoted (escaped), so they load back
    unchanged: in plain or single-quoted style YAML folds NEL/LS/PS into spaces."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if any(c in data for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(mission: Mission) -> str:
    """YAML in the Mission file format, leaving out values equal to their defaults."""
    return yaml.dump(mission_to_data(mission), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def dump_json(mission: Mission) -> str:
    """JSON in the Mission file format."""
    return json.dumps(mission_to_data(mission), indent=2, ensure_ascii=False) + "\n"


def save_mission(mission: Mission, path: str | Path) -> Path:
    """Write a Mission file atomically (temp file + rename); ``.json`` gives JSON, anything else YAML.

    Example:
        >>> save_mission(mission, "missions/my_copy.yaml")  # doctest: +SKIP
    """
    target = Path(path)
    text = dump_json(mission) if target.suffix.lower() == ".json" else dump_yaml(mission)
    return write_text_atomic(target, text, SHARED_FILE)  # a Mission is source, not execution data
