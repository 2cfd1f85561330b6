"""Read a template file and check it statically: its parameters, its catalog block, where its placeholders are.

Everything is checked before any value is bound, so a template that passes can only fail to bind on values.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workbench.core.diagnostics import Diagnostic, MissionLoadError, Severity
from workbench.mission.positions import PositionedDocument, error, parse_document, read_document, render_path
from workbench.mission.template.bind import state_machine_name
from workbench.mission.template.model import TEMPLATE_KEYS, CatalogInfo, MissionTemplate, TemplateError
from workbench.mission.template.parameters import ParameterSpec
from workbench.mission.template.slots import ACCEPTS, PLACES, Language, find_slots

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MISSION_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_UNION_MEMBERS = frozenset({"int", "float", "str", "bool"})
_HINT = "see docs/catalog.md for the template format"


def is_template(data: Any) -> bool:
    """A document is a template when it is a mapping with a ``parameters:`` block.

    Example:
        >>> is_template({"mission": "m", "parameters": {}, "steps": []}), is_template({"mission": "m"})
        (True, False)
    """
    return isinstance(data, dict) and "parameters" in data


def load_template(path: str | Path) -> MissionTemplate:
    """Load and check a template file; raises :class:`TemplateError` whose diagnostics name file and line.

    Example:
        >>> t = load_template("missions/catalog/data_backfill.yaml")
        >>> t.label, t.catalog.kinds
        ('data_backfill 2.0', ['backfill'])
    """
    return template_from_document(read_document(path, TemplateError, "TPL000", "the template"))


def loads_template(text: str, file: str | None = None) -> MissionTemplate:
    """Load a template from YAML or JSON text.

    Example:
        >>> t = loads_template('''
        ... mission: hello
        ... version: "1"
        ... catalog: {kinds: [greeting]}
        ... parameters: {who: {type: string, default: world}}
        ... steps: [{id: greet, pass: {to: "{{ who }}"}}]
        ... ''')
        >>> t.bind({"who": "ops"}).mission.step("greet").pass_
        {'to': 'ops'}
    """
    try:
        doc = parse_document(text, file)
    except MissionLoadError as exc:
        raise TemplateError(exc.diagnostics) from None
    return template_from_document(doc)


def template_from_document(doc: PositionedDocument) -> MissionTemplate:
    """Check a parsed template document (see :func:`loads_template`)."""
    data = doc.data
    if not is_template(data):
        raise TemplateError([error("TPL001", "not a Mission template: it has no `parameters:` block", doc.file,
                                   (1, 1), hint="add `parameters:` (may be `{}`), `version:` and `catalog:`; "
                                                + _HINT)])
    problems: list[Diagnostic] = []
    at = doc.position
    name = data.get("mission")
    version = data.get("version")
    if not isinstance(name, str) or not name:
        problems.append(error("TPL002", "a template needs `mission: NAME`", doc.file, (1, 1), hint=_HINT))
    elif not _MISSION_NAME.match(name) or (
            isinstance(version, str) and not state_machine_name(name, version, "0" * 8).startswith(f"{name}-v")):
        problems.append(error("TPL002", f"template name {name!r} cannot name a state machine: use letters, digits, "
                                        "'-' or '_', short enough that NAME-vVERSION-HASH8 fits in 80 characters",
                              doc.file, at(("mission",)) or (1, 1), hint="rename it (`mission: short_name`)"))
    if not isinstance(version, str) or not version.strip():
        written = "" if version is None or isinstance(version, str) else (
            f" (it reads as the number {version!r}: YAML turns 2.10 into 2.1)"
            if isinstance(version, int | float) and not isinstance(version, bool) else f" (it is {version!r})")
        problems.append(error("TPL003", "a template needs a `version:` string: it is part of the state machine "
                                        f"name{written}", doc.file, at(("version",)) or (1, 1),
                              hint="write it quoted, e.g. `version: \"2.10\"`"))
    catalog = _catalog(doc, problems)
    parameters = _parameters(doc, problems)
    mission_data = {k: v for k, v in data.items() if k not in TEMPLATE_KEYS}
    language: Language = "JSONPath" if data.get("query_language") == "JSONPath" else "JSONata"
    slots, misplaced = find_slots(mission_data, language)
    slots.sort(key=lambda slot: at(slot.path) or (0, 0))  # document order
    for miss in misplaced:
        problems.append(error("TPL005", f"{render_path(miss.path)}: {miss.reason}", doc.file, at(miss.path),
                              hint="use a literal here, or move the value into an args/pass mapping"))
    used: set[str] = set()
    for slot in slots:
        used.add(slot.parameter)
        spec = parameters.get(slot.parameter)
        if spec is None and isinstance(data.get("parameters"), dict) and slot.parameter in data["parameters"]:
            continue  # declared, but its spec is wrong: reported above
        if spec is None:
            close = difflib.get_close_matches(slot.parameter, list(parameters), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "declare it under `parameters:`"
            problems.append(error("TPL006", f"{slot.field}: '{{{{ {slot.parameter} }}}}' names no parameter",
                                  doc.file, at(slot.path), hint=hint))
            continue
        whole, part = ACCEPTS[slot.kind]
        allowed = whole if slot.whole else part
        if spec.type not in allowed:
            how = "as the whole value" if slot.whole else "inside a longer string"
            problems.append(error(
                "TPL007", f"{slot.field}: parameter '{slot.parameter}' is {spec.type}, but a {slot.kind} slot takes "
                          f"{' or '.join(sorted(allowed)) or 'no parameter'} {how}", doc.file, at(slot.path),
                hint=f"change the parameter's type, or fill {PLACES.split(',')[0]} only with strings"))
    warnings = [Diagnostic(code="TPL008", severity=Severity.WARNING, file=doc.file,
                           message=f"parameter '{p}' is declared but no placeholder uses it",
                           line=(at(("parameters", p)) or (None, None))[0], hint="remove it, or use it")
                for p in parameters if p not in used]
    if problems:
        raise TemplateError(problems)
    assert isinstance(name, str) and catalog is not None
    description = data.get("description")
    return MissionTemplate(
        name=name, version=str(version), description=description if isinstance(description, str) else None,
        catalog=catalog, parameters=parameters, slots=slots, warnings=warnings,
        document=PositionedDocument(mission_data, doc.positions, doc.file),
    )


def _catalog(doc: PositionedDocument, problems: list[Diagnostic]) -> CatalogInfo | None:
    raw = doc.data.get("catalog")
    if raw is None:
        problems.append(error("TPL004", "a template needs a `catalog:` block naming the plan kinds it serves",
                              doc.file, (1, 1), hint="add `catalog: {kinds: [my_kind], tags: []}`"))
        return None
    try:
        return CatalogInfo.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            path = ("catalog", *err["loc"])
            problems.append(error("TPL004", f"{render_path(path)}: {err['msg']}", doc.file, doc.position(path),
                                  hint="`catalog: {kinds: [KIND, ...], tags: [TAG, ...]}`"))
        return None


def _parameters(doc: PositionedDocument, problems: list[Diagnostic]) -> dict[str, ParameterSpec]:
    raw = doc.data.get("parameters")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(error("TPL002", "`parameters:` must be a mapping of name → {type, default, ...}", doc.file,
                              doc.position(("parameters",)), hint=_HINT))
        return {}
    out: dict[str, ParameterSpec] = {}
    for pname, spec in raw.items():
        path = ("parameters", pname)
        if isinstance(pname, bool):
            problems.append(error("TPL002", f"a parameter name reads as {pname} in YAML (on, off, yes, no are "
                                            "booleans there)", doc.file, doc.position(path),
                                  hint="quote it ('on': ...) or choose another name"))
            continue
        if not isinstance(pname, str) or not _NAME.match(pname):
            problems.append(error("TPL002", f"parameter name {pname!r} is not a name: use a letter or '_' then "
                                            "letters, digits or '_'", doc.file, doc.position(path)))
            continue
        try:
            out[pname] = ParameterSpec.model_validate(spec)
        except ValidationError as exc:
            seen: set[tuple[Any, ...]] = set()
            for err in exc.errors():
                where = (*path, *(p for p in err["loc"] if p not in _UNION_MEMBERS))
                if where in seen:
                    continue  # one line per field, not one per member of `int | float`
                seen.add(where)
                message = str(err["msg"]).removeprefix("Value error, ")
                problems.append(error("TPL002", f"{render_path(where)}: {message}", doc.file, doc.position(where),
                                      hint="a parameter is {type: string|integer|number|boolean|array|object, "
                                           "default: ..., description: ..., and JSON-Schema constraints}"))
    return out
