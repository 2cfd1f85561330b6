"""Paths, the plain data they name, and the text as the patcher works on it (LF line ends, no BOM)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from yaml.nodes import MappingNode, SequenceNode

from workbench.mission.yaml_patch import _emit as emit
from workbench.mission.yaml_patch._doc import (
    Doc,
    PatchError,
    Path,
    Slot,
    alias_error,
    fail,
    find_key,
    root_slot,
    slot,
)

MISSING = object()


class Text:
    """A text as the patcher works on it (LF line ends, no BOM) and how to give it back as it came."""

    def __init__(self, text: str) -> None:
        self.bom = text.startswith("\ufeff")
        body = text[1:] if self.bom else text
        self.crlf = "\r\n" in body and body.count("\r\n") == body.count("\n")
        self.body = body.replace("\r\n", "\n") if self.crlf else body
        self.newline = self.body.endswith("\n") or not self.body.strip()

    def fix(self, body: str) -> str:
        """``body`` ending with a line break exactly when the original did."""
        if self.newline and body and not body.endswith("\n"):
            return body + "\n"
        if not self.newline and body.endswith("\n"):
            return body[:-1]
        return body

    def restore(self, body: str) -> str:
        """``body`` with the original's line ends and byte-order mark."""
        return ("\ufeff" if self.bom else "") + (body.replace("\n", "\r\n") if self.crlf else body)


def locate(doc: Doc, path: Path) -> tuple[list[Slot], Any, int]:
    """The slots along ``path`` (root first), the data at the deepest one, and how many parts were found."""
    if doc.root is None:
        return [], None, 0
    sl = root_slot(doc)
    slots, data = [sl], doc.data
    for j, part in enumerate(path):
        node = sl.node
        if isinstance(node, MappingNode):
            i = find_key(node, part)
            if i is None:
                if isinstance(data, dict) and part in data:
                    raise fail(path[:j + 1], "it comes from a merge key (<<); edit the mapping merged in")
                return slots, data, j
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                raise fail(path[:j + 1], f"there is no item {part} (the list has {len(node.value)} items)")
            i = part
        else:
            return slots, data, j
        if sl.alias:
            raise alias_error(doc, sl, path, path[:j])
        sl = slot(doc, node, i)
        data = data[part]
        slots.append(sl)
    return slots, data, len(path)


def sequence(sl: Slot, path: Path) -> Slot:
    if not isinstance(sl.node, SequenceNode):
        raise fail(path, f"{what(sl)} is not a list")
    return sl


def what(sl: Slot) -> str:
    node = sl.node
    if isinstance(node, MappingNode):
        return "it is a mapping, which"
    if isinstance(node, SequenceNode):
        return "it is a list, which"
    return f"its value {node.value!r}"


def path_of(path: Sequence[str | int]) -> Path:
    parts = tuple(path)
    if any(isinstance(p, bool) or not isinstance(p, str | int) for p in parts):
        raise PatchError(f"cannot edit {parts!r}: a path is a tuple of keys (str) and list indices (int)")
    return parts


def value_of(value: Any, path: Path, depth: int = 0) -> Any:
    """``value`` as plain data (tuples become lists); anything YAML cannot hold is refused."""
    if depth > 100:
        raise fail(path, "the value is nested too deeply")
    if isinstance(value, dict):
        for key in value:
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise fail(path, f"a mapping key must be a str or an int, not {type(key).__name__}")
        return {k: value_of(v, path, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [value_of(v, path, depth + 1) for v in value]
    if isinstance(value, emit.SCALARS):
        return value
    raise fail(path, f"a {type(value).__name__} cannot be written as YAML")


def get(data: Any, path: Path) -> tuple[bool, Any]:
    for part in path:
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if in_list or (isinstance(data, dict) and part in data):
            data = data[part]
        else:
            return False, MISSING
    return True, data


def assigned(data: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    if not isinstance(data, dict | list):
        data = {}
    cur = data
    for part in path[:-1]:
        if isinstance(cur, dict) and not isinstance(cur.get(part), dict | list):
            cur[part] = {}
        cur = cur[part]
    if value is None:
        if isinstance(cur, dict):
            cur.pop(path[-1], None)
        else:
            del cur[path[-1]]
    else:
        cur[path[-1]] = value
    return data


def removed(data: Any, path: Path) -> Any:
    found, _ = get(data, path)
    if found:
        _, parent = get(data, path[:-1])
        del parent[path[-1]]
    return data
