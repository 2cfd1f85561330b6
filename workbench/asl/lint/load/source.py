"""Position-tracking readers: where each key of a JSON or YAML ASL text starts, and its duplicate keys.

JSON values come from :func:`json.loads` (fast, and its messages are the ones users know); positions
come from a small token scanner that runs only when a diagnostic needs a line number, or when the
parser saw a duplicate key. YAML goes through PyYAML's composer, whose nodes carry their marks.
Both walks use explicit stacks, and the YAML is composed within :mod:`workbench.core.yaml_load`'s budgets
(depth, nodes, alias expansion), so neither deep nor repetitive documents exhaust the recursion or memory.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any, NamedTuple

import yaml

from workbench.asl.lint.diagnostics.report import Loc
from workbench.core.yaml_load import BudgetedLoader, InputBudget

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


class Duplicate(NamedTuple):
    """A key seen twice in one object: location of the key and (line, column) of its second copy."""

    loc: Loc
    line: int
    column: int


class SourceIndex(NamedTuple):
    """(line, column) of every key / array element by location, plus duplicate keys."""

    positions: dict[Loc, tuple[int, int]]
    duplicates: list[Duplicate]


class LineMap:
    """Offsets → 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


def index_json(text: str) -> SourceIndex:
    """Scan JSON text (already known to parse) for key / element positions and duplicate keys.

    Example:
        >>> ix = index_json('{"a": {"b": 1, "b": 2}}')
        >>> ix.positions[("a", "b")], ix.duplicates[0].loc
        ((1, 8), ('a', 'b'))
    """
    lines = LineMap(text)
    offsets: dict[Loc, int] = {(): 0}
    dups: list[Duplicate] = []
    # frame: [is_object, loc, current key or index, expecting key / element start, seen keys]
    stack: list[list[Any]] = []
    value_loc: Loc = ()
    for m in _TOKEN.finditer(text):
        tok = m.group()
        first = tok[0]
        top = stack[-1] if stack else None
        if first in "}]":
            stack.pop()
            continue
        if first == ",":
            if top is not None:
                if top[0]:
                    top[3] = True
                else:
                    top[2] += 1
                    top[3] = True
            continue
        if first == ":":
            if top is not None:
                top[3] = False
                value_loc = top[1] + (top[2],)
            continue
        if top is not None and top[0] and top[3]:  # an object key
            key = json.loads(tok) if "\\" in tok else tok[1:-1]
            loc = top[1] + (key,)
            if key in top[4]:
                dups.append(Duplicate(loc, *lines.at(m.start())))
            else:
                top[4].add(key)
                offsets[loc] = m.start()
            top[2] = key
            continue
        if top is not None and not top[0] and top[3]:  # an array element starts
            value_loc = (*top[1], top[2])
            offsets[value_loc] = m.start()
            top[3] = False
        if first == "{":
            stack.append([True, value_loc, None, True, set()])
        elif first == "[":
            stack.append([False, value_loc, 0, True, None])
    positions = {loc: lines.at(off) for loc, off in offsets.items()}
    return SourceIndex(positions, dups)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def compose_yaml(text: str, file: str = "<string>", budget: InputBudget | None = None) -> tuple[Any, SourceIndex]:
    """Parse YAML keeping positions; timestamps stay strings (ASL wants the text as written) and
    CloudFormation tags (``!Ref X``) become ``{"Ref": "X"}``-style placeholders.

    Composed by :class:`~workbench.core.yaml_load.BudgetedLoader`: raises ``yaml.YAMLError`` on bad
    YAML and :class:`~workbench.core.yaml_load.BudgetExceeded` (naming ``file``) over its budget.

    Example:
        >>> data, ix = compose_yaml("StartAt: A\\nStates:\\n  A: {Type: Succeed}\\n")
        >>> data["States"]["A"], ix.positions[("States", "A", "Type")]
        ({'Type': 'Succeed'}, (3, 7))
    """
    loader = BudgetedLoader(text, file=file, budget=budget)
    try:
        root = loader.get_single_node()
        positions: dict[Loc, tuple[int, int]] = {}
        dups: list[Duplicate] = []
        if root is None:
            return None, SourceIndex(positions, dups)
        positions[()] = _mark(root)
        result: dict[str, Any] = {}
        # work item: (node, loc, container to fill, key in container)
        work: list[tuple[yaml.Node, Loc, Any, Any]] = [(root, (), result, "root")]
        while work:
            node, loc, parent, slot = work.pop()
            value: Any
            if node.tag.startswith("!"):
                # CloudFormation short forms (!Ref, !Sub, !GetAtt ...): keep as an opaque intrinsic object
                name = "Ref" if node.tag == "!Ref" else f"Fn::{node.tag[1:]}"
                value = {name: node.value if isinstance(node, yaml.ScalarNode) else node.tag}
            elif isinstance(node, yaml.MappingNode):
                value = {}
                loader.flatten_mapping(node)
                for key_node, value_node in node.value:
                    key = loader.construct_object(key_node, deep=True)
                    if not isinstance(key, str | int | float | bool) and key is not None:
                        key = str(key)
                    child = (*loc, key if isinstance(key, str) else str(key))
                    if key in value:
                        dups.append(Duplicate(child, *_mark(key_node)))
                    else:
                        positions[child] = _mark(key_node)
                    value[key] = None
                    work.append((value_node, child, value, key))
            elif isinstance(node, yaml.SequenceNode):
                value = [None] * len(node.value)
                for i, item in enumerate(node.value):
                    positions[(*loc, i)] = _mark(item)
                    work.append((item, (*loc, i), value, i))
            else:
                value = loader.construct_object(node)
                if node.tag == "tag:yaml.org,2002:timestamp":
                    value = node.value
            parent[slot] = value
        return result["root"], SourceIndex(positions, dups)
    finally:
        loader.dispose()
