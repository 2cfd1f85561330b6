"""Parse YAML/JSON keeping the (line, column) of every key and value, so errors can point at them.

Kept apart from the loader so the Mission model can carry the positions of the file it came from
(checks then name lines too) without importing the loader.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import yaml

from workbench.core.diagnostics import Diagnostic, DiagnosticError, MissionLoadError, Severity
from workbench.core.yaml_load import BudgetedLoader, InputBudget, InputError, read_text, yaml_problem

Pos = tuple[int, int]
PathKey = tuple[str | int, ...]

_ID_LINE = re.compile(r"(?:^|[\s{,\-])[\"']?id[\"']?\s*:\s*[\"']?([\w.\-]+)")


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


def render_path(path: PathKey) -> str:
    """``("steps", 2, "retry", 0)`` → ``steps[2].retry[0]``, the spelling used in diagnostics."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def step_of(data: Any, path: PathKey) -> str | None:
    """The id of the innermost step (a mapping with ``id`` and a kind key) that contains ``path``."""
    return split_at_step(data, path)[0]


def split_at_step(data: Any, path: PathKey) -> tuple[str | None, PathKey]:
    """``(id of the innermost step containing path, the rest of path inside that step)``."""
    from workbench.mission.steps import STEP_KINDS

    step_id: str | None = None
    rest: PathKey = path
    cur = data
    for i, part in enumerate(path):
        if not isinstance(cur, dict | list):
            break
        try:
            cur = cur[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(cur, dict) and isinstance(cur.get("id"), str) and any(k in cur for k in STEP_KINDS):
            step_id, rest = cur["id"], path[i + 1:]
    return step_id, rest


def nearest_step_id(text: str, line: int) -> str | None:
    """The last ``id:`` written at or before ``line``: names the step near a syntax error."""
    lines = text.splitlines()[:line]
    for raw in reversed(lines):
        match = _ID_LINE.search(raw)
        if match:
            return match.group(1)
    return None


def error(code: str, message: str, file: str | None, pos: Pos | None, **kw: Any) -> Diagnostic:
    """An error diagnostic at a position (``None`` when unknown)."""
    line, col = pos if pos else (None, None)
    return Diagnostic(code=code, severity=Severity.ERROR, message=message, file=file, line=line, column=col, **kw)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _scalar(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    value = loader.construct_object(node)
    if isinstance(value, _dt.datetime | _dt.date):
        return node.value  # keep timestamps as written: ASL wants strings
    if isinstance(value, str) and _SURROGATE.search(value):
        return _joined_surrogates(value, loader, node)
    return value


def _joined_surrogates(value: str, loader: yaml.SafeLoader, node: yaml.Node) -> str:
    """``"\\ud83d\\udd25"`` (how JSON writers escape an emoji) as the one character it is; a lone half is refused."""
    try:
        return value.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        raise InputError("INPUT005", "a string holds half of a UTF-16 surrogate pair (an escape \\ud800-\\udfff "
                                     "with no partner), which is not text", getattr(loader, "file", "<string>"),
                         node.start_mark, "write the character itself, or both halves of its escape") from None


def _pos(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _syntax_error(exc: yaml.YAMLError, text: str, file: str | None) -> MissionLoadError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark else None
        message = f"not valid YAML/JSON: {exc.problem or exc.context}"
        if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
            message += f" ({exc.context} that starts at line {exc.context_mark.line + 1}, " \
                       f"column {exc.context_mark.column + 1})"
    else:  # the reader's errors (a character YAML does not allow) have no mark
        message, pos = f"not valid YAML/JSON: {yaml_problem(exc)[0]}", None
    step = nearest_step_id(text, pos[0]) if pos else None
    return MissionLoadError([error("MIS001", message, file, pos, step=step,
                                   hint="check indentation, quotes and brackets near this line")])


def parse_document(text: str, file: str | None = None, budget: InputBudget | None = None) -> PositionedDocument:
    """Parse YAML (or JSON, which YAML reads too) keeping positions; duplicate keys are errors.

    Composed by :class:`~workbench.core.yaml_load.BudgetedLoader` (depth, node and alias budgets, no
    recursion) and walked with an explicit stack, so neither deep nor repetitive documents can exhaust
    Python's recursion or the memory; over budget it raises :class:`MissionLoadError` (an INPUT code).

    Example:
        >>> doc = parse_document("a:\\n  b: 1\\n")
        >>> doc.data, doc.position(("a", "b"))
        ({'a': {'b': 1}}, (2, 3))
    """
    loader: BudgetedLoader | None = None
    try:
        loader = BudgetedLoader(text, file=file or "<string>", budget=budget)  # (it checks the characters)
        root = loader.get_single_node()
        positions: dict[PathKey, Pos] = {}
        duplicates: list[tuple[PathKey, Pos]] = []
        data = None if root is None else _build(loader, root, positions, duplicates)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except InputError as exc:
        raise MissionLoadError(exc.diagnostics) from None
    finally:
        if loader is not None:
            loader.dispose()
    if duplicates:
        raise MissionLoadError([
            error("MIS002", f"duplicate key '{path[-1]}'", file, pos, location=render_path(path),
                  step=step_of(data, path[:-1]), hint="each key may appear once per mapping; remove one of them")
            for path, pos in duplicates
        ])
    return PositionedDocument(data, positions, file)


def _build(loader: yaml.SafeLoader, root: yaml.Node, positions: dict[PathKey, Pos],
           duplicates: list[tuple[PathKey, Pos]]) -> Any:
    """Node tree → plain data, recording positions; the first of duplicate keys wins.

    Aliases are walked as often as they are used: the loader's budget bounds that expansion.
    """
    holder: dict[str, Any] = {}
    # (node, path, container, key in container)
    todo: list[tuple[yaml.Node, PathKey, Any, Any]] = [(root, (), holder, "root")]
    while todo:
        node, path, container, slot = todo.pop()
        positions.setdefault(path, _pos(node))
        if isinstance(node, yaml.MappingNode):
            loader.flatten_mapping(node)  # resolve YAML merge keys (<<)
            out: dict[Any, Any] = {}
            container[slot] = out
            for key_node, value_node in node.value:
                key = _scalar(loader, key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
                if isinstance(key, list | dict):
                    key = str(key)
                if key in out:
                    duplicates.append(((*path, key), _pos(key_node)))
                    continue
                out[key] = None
                positions[(*path, key)] = _pos(key_node)
                todo.append((value_node, (*path, key), out, key))
        elif isinstance(node, yaml.SequenceNode):
            items: list[Any] = [None] * len(node.value)
            container[slot] = items
            for i, item in enumerate(node.value):
                todo.append((item, (*path, i), items, i))
        else:
            container[slot] = _scalar(loader, node)
    return holder["root"]


def read_document(path: str | Path, error_type: type[DiagnosticError], code: str,
                  what: str = "the file") -> PositionedDocument:
    """Read and parse a YAML/JSON file; every problem (unreadable, over a budget, bad syntax) is raised as
    ``error_type`` whose diagnostics name the file, so each kind of document keeps its own error class.

    Example:
        >>> read_document("missions/plans/no-such.json", MissionLoadError, "X001", "the plan").diagnostics[0]
        Traceback (most recent call last):
        ...
        workbench.core.diagnostics.MissionLoadError: missions/plans/no-such.json: error X001: cannot read the \
plan: No such file or directory Hint: check the path
    """
    try:
        text = read_text(path)
    except OSError as exc:
        raise error_type([error(code, f"cannot read {what}: {exc.strerror or exc}", str(path), None,
                                hint="check the path")]) from None
    except InputError as exc:
        raise error_type(exc.diagnostics) from None
    try:
        return parse_document(text, str(path))
    except MissionLoadError as exc:
        raise error_type(exc.diagnostics) from None
