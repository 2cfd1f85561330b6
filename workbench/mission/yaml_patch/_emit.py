"""The text of a new value: a scalar keeps its quoting style while that style still means the same value.

A plain scalar is written only when PyYAML (YAML 1.1, how the workbench reads Missions) and ruamel.yaml
(YAML 1.2) both read it back as the same string, so ``yes``, ``1e3``, ``0o17`` or ``2024-03-01`` are quoted.
Every candidate text is read back before it is used; double quotes, which can say anything, come last.
Collections are written flow (``{a: 1}``) inside flow collections and block style otherwise, except a short
list of scalars, written ``[a, b]`` as the example Missions write their ``errors`` lists.
"""

from __future__ import annotations

import datetime as _dt
import io
from typing import Any, NamedTuple

import yaml
from ruamel.yaml.nodes import ScalarNode as _RScalar
from ruamel.yaml.resolver import VersionedResolver

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ANALYSE = yaml.emitter.Emitter(io.StringIO(), allow_unicode=True)
_RESOLVE_11 = yaml.resolver.Resolver()
_RESOLVE_12 = VersionedResolver(version=(1, 2))
_REPRESENT = yaml.representer.SafeRepresenter()
_STR = "tag:yaml.org,2002:str"
_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
            "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}
SHORT_LIST = 80  # a list of scalars is written [a, b] in block context when it fits in this many characters
SCALARS = (str, int, float, bool, _dt.date, type(None))


class Layout(NamedTuple):
    """How the file lays out what the patcher adds: the mapping indent step, the dash offset of a list under
    a key, and whether a block scalar may end with a kept line break (not in a file without a final one)."""

    step: int = 2
    dash: int = 2
    clip: bool = True


def scalar(value: Any, *, flow: bool, indent: int, prefer: str | None = None, clip: bool = True) -> str:
    """The text of one scalar; ``indent`` is the column of a block scalar's lines, ``prefer`` a style to keep,
    ``clip`` whether a block scalar may end with its line break (``|``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(_REPRESENT.represent_float(value).value)
    if isinstance(value, _dt.datetime):
        return str(_REPRESENT.represent_datetime(value).value)
    if isinstance(value, _dt.date):
        return str(_REPRESENT.represent_date(value).value)
    multiline = "\n" in value
    order = [prefer or ""]
    if multiline and not flow:
        order.append("|")
    order += ["", "'", '"']
    for style in dict.fromkeys(order):
        text = _written(value, style, flow, indent)
        if text is not None and (clip or text[:2] not in ("|\n", ">\n")) and _reads_back(text, value, flow, indent):
            return text
    return _double(value)


def key_text(key: Any, *, flow: bool) -> str:
    """The text of a mapping key (plain when it may be, quoted otherwise)."""
    if not isinstance(key, str) or "\n" in key:
        return scalar(key, flow=True, indent=0)
    for style in ("", "'", '"'):
        text = _written(key, style, flow, 0)
        if text is not None and len(text) <= 1024 and _loads(f"{{{text}: 0}}" if flow else f"{text}: 0", {key: 0}):
            return text
    return _double(key)


def flow(value: Any) -> str:
    """A value on one line in flow style: ``{a: 1, b: [x, y]}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key_text(k, flow=True)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value, flow=True, indent=0)


def is_block(value: Any, col: int) -> bool:
    """Whether ``value`` is written over several lines in block context (a non-empty mapping, a long list)."""
    if isinstance(value, dict):
        return bool(value)
    if isinstance(value, list) and value:
        if any(not isinstance(v, SCALARS) or (isinstance(v, str) and "\n" in v) for v in value):
            return True
        return col + len(flow(value)) > SHORT_LIST
    return False


def inline(value: Any, indent: int, layout: Layout, prefer: str | None = None) -> str:
    """A value that stays on its key's (or dash's) line in block context: a scalar or a flow collection."""
    if isinstance(value, dict | list):
        return flow(value)
    return scalar(value, flow=False, indent=indent, prefer=prefer, clip=layout.clip)


def block(value: Any, col: int, layout: Layout, *, force: bool = False) -> str:
    """A value starting at column ``col`` (its first line unindented, the others indented absolutely).

    ``force`` writes a short list as a block list too.
    """
    sep = "\n" + " " * col
    if isinstance(value, dict) and value:
        return sep.join(key_text(k, flow=False) + ":" + after_key(v, col, layout) for k, v in value.items())
    if isinstance(value, list) and value and (force or is_block(value, col)):
        return sep.join("-" + after_dash(v, col, layout) for v in value)
    return inline(value, col + layout.step, layout)


def after_key(value: Any, col: int, layout: Layout) -> str:
    """What follows ``key:`` for a key at column ``col``."""
    if is_block(value, col):
        inner = col + (layout.step if isinstance(value, dict) else layout.dash)
        return "\n" + " " * inner + block(value, inner, layout)
    return " " + inline(value, col + layout.step, layout)


def after_dash(value: Any, col: int, layout: Layout) -> str:
    """What follows ``-`` for a dash at column ``col`` (a mapping starts on the dash's line)."""
    if is_block(value, col + 2):
        return " " + block(value, col + 2, layout)
    return " " + inline(value, col + 2, layout)


def _written(value: str, style: str, flow: bool, indent: int) -> str | None:
    """``value`` in ``style`` ('' plain, ' " quoted, | > block), or None when that style cannot say it."""
    analysis = _ANALYSE.analyze_scalar(value)
    if style == "":
        allowed = analysis.allow_flow_plain if flow else analysis.allow_block_plain
        if analysis.empty or analysis.multiline or not allowed:
            return None
        plain = (True, False)
        if _RESOLVE_11.resolve(yaml.ScalarNode, value, plain) != _STR \
                or _RESOLVE_12.resolve(_RScalar, value, plain) != _STR:
            return None
        return value
    if style == "'":
        if analysis.multiline or not analysis.allow_single_quoted:
            return None
        return "'" + value.replace("'", "''") + "'"
    if style in ("|", ">") and not flow:
        return _block_scalar(value, style, indent)
    if style == '"':
        return _double(value)
    return None


def _block_scalar(value: str, style: str, indent: int) -> str | None:
    """``|-``/``|``/``>-``/``>`` and the lines at column ``indent``; None when it needs more than that."""
    if value.endswith("\n\n") or not value.strip() or value[:1] in (" ", "\t", "\n"):
        return None
    chomp = "" if value.endswith("\n") else "-"
    body = value[:-1] if chomp == "" else value
    lines = body.split("\n")
    return style + chomp + "".join("\n" + (" " * indent + line if line else "") for line in lines)


def _double(value: str) -> str:
    """A double-quoted scalar, escaping what YAML would otherwise fold or reject."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif (" " <= ch <= "~") or ("\xa0" <= ch <= "\ud7ff") or ("\ue000" <= ch <= "\ufffd" and ch != "\ufeff") \
                or ch >= "\U00010000":
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
    return '"' + "".join(out) + '"'


def _reads_back(text: str, value: str, flow: bool, indent: int) -> bool:
    """Whether ``text`` reads back as exactly ``value`` where it will stand."""
    if flow:
        return _loads(f"[{text}]", [value])
    return _loads(f"{' ' * max(indent - 2, 0)}k: {text}\n", {"k": value})


def _loads(text: str, expected: Any) -> bool:
    try:
        got = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError:
        return False
    return bool(got == expected) and type(got) is type(expected) \
        and all(type(a) is type(b) for a, b in zip(_leaves(got), _leaves(expected), strict=False))


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in (k, *_leaves(v))]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]
