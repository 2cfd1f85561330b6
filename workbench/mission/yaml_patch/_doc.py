"""A Mission text parsed once: its node tree with positions, the data it loads to, and where each child lies.

The patcher edits text, so it needs the exact character span of every node. libyaml (PyYAML's C parser, the
same grammar and resolver as :class:`workbench.core.yaml_load.BudgetedLoader`) composes nodes whose marks are
character offsets, about twenty times faster than a pure-Python composer: a 200-step Mission parses in ~20 ms.
Parses are cached by text, so the text an edit returns is already parsed when the next edit starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from workbench.core.diagnostics import WorkbenchError
from workbench.core.yaml_load import yaml_problem
from workbench.mission.positions import render_path
from workbench.mission.yaml_patch._emit import Layout

Path = tuple[str | int, ...]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
# An anchor (&name) where a node may start; "a & b" inside a JSONata string does not match.
_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:?-])&[^\s\[\]{},]")


class PatchError(WorkbenchError):
    """An edit the patcher refuses: one line naming the path and why (alias, out of range, text that does not parse)."""


def fail(path: Path, why: str) -> PatchError:
    """A :class:`PatchError` for ``path`` ("cannot edit steps[1].timeout: why")."""
    return PatchError(f"cannot edit {render_path(path) if path else 'the document'}: {why}")


class Unparsable(Exception):
    """The text is not one YAML document; ``str()`` is one line with its line and column."""


class Doc:
    """One parsed text (LF line ends, no BOM): the root node, the data, and facts computed when first asked."""

    def __init__(self, text: str, root: Node | None, data: Any) -> None:
        self.text, self.root, self.data = text, root, data

    @cached_property
    def _aliases(self) -> tuple[set[tuple[int, int]], set[int]]:
        """((id(parent), index) of every child that is an alias, id() of every node an alias points at)."""
        slots: set[tuple[int, int]] = set()
        targets: set[int] = set()
        if self.root is None or not _ANCHOR.search(self.text):
            return slots, targets
        seen: set[int] = set()
        stack: list[tuple[Node | None, int, Node]] = [(None, 0, self.root)]
        while stack:  # pre-order in document order: an anchor is always met before its aliases
            parent, index, node = stack.pop()
            if id(node) in seen:
                targets.add(id(node))
                if parent is not None and index >= 0:
                    slots.add((id(parent), index))
                continue
            seen.add(id(node))
            if isinstance(node, MappingNode):
                for i in range(len(node.value) - 1, -1, -1):
                    stack.append((node, i, node.value[i][1]))
                    stack.append((node, -1, node.value[i][0]))
            elif isinstance(node, SequenceNode):
                stack.extend((node, i, node.value[i]) for i in range(len(node.value) - 1, -1, -1))
        return slots, targets

    def is_alias(self, parent: Node, index: int) -> bool:
        """Whether child ``index`` of ``parent`` is written as ``*name`` (its node is the anchor's)."""
        return (id(parent), index) in self._aliases[0]

    @property
    def uses_aliases(self) -> bool:
        """Whether any alias (``*name``) appears in the document."""
        return bool(self._aliases[1])

    def is_target(self, node: Node) -> bool:
        """Whether some alias points at ``node`` (it carries an ``&anchor`` that is used)."""
        return id(node) in self._aliases[1]

    @cached_property
    def layout(self) -> Layout:
        """The file's mapping indent step and dash offset (from the first of each), and its final line break."""
        step = dash = None
        stack = [self.root] if self.root is not None else []
        while stack and (step is None or dash is None):
            node = stack.pop()
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    if isinstance(value, MappingNode) and not value.flow_style and value.value and step is None:
                        step = value.value[0][0].start_mark.column - key.start_mark.column
                    if isinstance(value, SequenceNode) and not value.flow_style and value.value and dash is None \
                            and self.text[value.start_mark.index] == "-":
                        dash = value.start_mark.column - key.start_mark.column
                    stack.append(value)
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)
        return Layout(step if step and step > 0 else 2, dash if dash is not None and dash >= 0 else 2,
                      self.text.endswith("\n") or not self.text)


@lru_cache(maxsize=3)
def parse(text: str) -> Doc:
    """The :class:`Doc` of ``text`` (cached); :class:`Unparsable` when it is not one YAML document."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None and "<<" in text:  # constructing a merge key (<<) rewrites the nodes: load apart
            data = yaml.load(text, Loader=_Loader)
        else:
            data = _construct(loader, root) if root is not None else None
    except yaml.YAMLError as exc:
        message, line, column = yaml_problem(exc)
        where = f"line {line}, column {column}: " if line else ""
        raise Unparsable(f"{where}{message}") from None
    finally:
        loader.dispose()
    return Doc(text, root, data)


def _construct(loader: Any, root: Node) -> Any:
    """The data of ``root`` as PyYAML's SafeLoader builds it, in a loop (six times faster than its generators).

    Strings and nulls are taken as they are, other scalars go through the loader's own constructors, and a
    node met twice (an alias) gives the same object, as PyYAML does. Merge keys never get here (see parse).
    """
    by_tag = {"tag:yaml.org,2002:bool": loader.construct_yaml_bool, "tag:yaml.org,2002:int": loader.construct_yaml_int,
              "tag:yaml.org,2002:float": loader.construct_yaml_float}

    def scalar(node: Node) -> Any:
        if node.tag == _STR:
            return node.value
        if node.tag == _NULL:
            return None
        make = by_tag.get(node.tag)
        return make(node) if make is not None else loader.construct_object(node, deep=True)

    if isinstance(root, ScalarNode):
        return scalar(root)
    made: dict[int, Any] = {}

    def collection(node: Node) -> Any:
        found = made.get(id(node))
        if found is None:
            found = made[id(node)] = {} if isinstance(node, MappingNode) else []
            stack.append((node, found))
        return found

    stack: list[tuple[Node, Any]] = []
    out = collection(root)
    while stack:
        node, target = stack.pop()
        if isinstance(node, MappingNode):
            for k, v in node.value:
                key = scalar(k) if isinstance(k, ScalarNode) else loader.construct_object(k, deep=True)
                try:
                    target[key] = scalar(v) if isinstance(v, ScalarNode) else collection(v)
                except TypeError:
                    raise yaml.constructor.ConstructorError(None, None, "found an unhashable key",
                                                            k.start_mark) from None
        else:
            target.extend(scalar(v) if isinstance(v, ScalarNode) else collection(v) for v in node.value)
    return out


@dataclass(frozen=True)
class Slot:
    """Where one child sits in its container: its node and the text around it.

    ``col`` is the column of its key or dash (of the node itself at the root or in a flow collection), ``ind``
    the offset just after its ``:`` or ``-`` indicator, ``head`` where its entry starts (key, dash or node).
    """

    parent: Node | None
    index: int
    node: Node
    key: Node | None
    flow: bool
    col: int
    ind: int
    head: int
    alias: bool


def root_slot(doc: Doc) -> Slot:
    """The slot of the document's root node (which must exist)."""
    root = doc.root
    assert root is not None
    start = root.start_mark.index
    return Slot(None, 0, root, None, False, root.start_mark.column, start, start, False)


def slot(doc: Doc, parent: Node, index: int) -> Slot:
    """The slot of child ``index`` (pair index of a mapping, item index of a sequence) of ``parent``."""
    text, flow, alias = doc.text, is_flow(parent), doc.is_alias(parent, index)
    if isinstance(parent, MappingNode):
        key, node = parent.value[index]
        head = key.start_mark.index
        before = text[line_start(text, head):head]
        if before.rstrip().endswith("?") and not before.rstrip()[:-1].strip():  # an explicit "? key"
            head = line_start(text, head) + len(before.rstrip()) - 1
        return Slot(parent, index, node, key, flow, key.start_mark.column, colon_end(text, key), head, alias)
    node = parent.value[index]
    if flow:
        start = node.start_mark.index
        return Slot(parent, index, node, None, True, node.start_mark.column, start, start, alias)
    dash = dash_at(doc, parent, index)
    return Slot(parent, index, node, None, False, dash - line_start(text, dash), dash + 1, dash, alias)


def dash_at(doc: Doc, seq: Node, index: int) -> int:
    """Offset of the ``-`` that opens item ``index`` of a block sequence."""
    text = doc.text
    col = dash_column(doc, seq)
    if index == 0 and text[seq.start_mark.index] == "-":
        return int(seq.start_mark.index)
    if doc.is_alias(seq, index):  # the node lies at its anchor: walk forward from the previous item
        p = next_line(text, content_end(doc, slot(doc, seq, index - 1))) if index else seq.start_mark.index
        while p < len(text):
            if text[p + col: p + col + 1] == "-" and not text[p: p + col].strip():
                return p + col
            p = next_line(text, p)
        raise Unparsable("an alias item has no dash")
    p = seq.value[index].start_mark.index
    ls = line_start(text, p)
    while ls >= seq.start_mark.index - col:
        q = ls + col
        if q < p and text[q] == "-" and text[q + 1: q + 2] in (" ", "\t", "\n", "\r", ""):
            return q
        if ls == 0:
            break
        ls = line_start(text, ls - 1)
    raise Unparsable("a list item has no dash")


def dash_column(doc: Doc, seq: Node) -> int:
    """The column of every ``-`` of a block sequence (refusing one written after a tag or anchor)."""
    if doc.text[seq.start_mark.index] != "-":
        raise Unparsable("a list with a tag or anchor")
    return int(seq.start_mark.column)


def line_start(text: str, p: int) -> int:
    """Offset where the line holding offset ``p`` starts."""
    return text.rfind("\n", 0, p) + 1


def next_line(text: str, p: int) -> int:
    """Offset where the line after the one holding ``p`` starts (``len(text)`` on the last line)."""
    i = text.find("\n", p)
    return len(text) if i < 0 else i + 1


def line_end(text: str, p: int) -> int:
    """Offset of the line break ending the line that holds ``p`` (``len(text)`` on the last line)."""
    i = text.find("\n", p)
    return len(text) if i < 0 else i


def colon_end(text: str, key: Node) -> int:
    """Offset just after the ``:`` that follows ``key`` (the key's end when it has none, as in ``{a}``)."""
    p = key.end_mark.index
    while p < len(text) and text[p] in " \t\r\n":
        p += 1
    return p + 1 if text[p: p + 1] == ":" else int(key.end_mark.index)


def is_flow(node: Node) -> bool:
    """Whether a mapping or list is written in flow style (``{...}``, ``[...]``)."""
    return bool(getattr(node, "flow_style", False))


def is_empty(node: Node) -> bool:
    """Whether ``node`` is a null written as nothing at all (``key:`` or a bare ``-``)."""
    return isinstance(node, ScalarNode) and node.value == "" and not node.style \
        and node.start_mark.index == node.end_mark.index


def is_null(node: Node) -> bool:
    """Whether ``node`` loads to None (nothing, ``~`` or ``null``)."""
    return isinstance(node, ScalarNode) and node.tag == _NULL


def has_merge(node: Node) -> bool:
    """Whether a mapping merges another one in with ``<<``."""
    return isinstance(node, MappingNode) and any(k.tag == _MERGE for k, _ in node.value)


def key_of(node: Node) -> object:
    """The data key a key node loads to (str or int), or a marker that matches nothing for any other key."""
    if isinstance(node, ScalarNode):
        if node.tag == _STR:
            return node.value
        if node.tag == "tag:yaml.org,2002:int" and node.value.lstrip("-").isdigit():
            return int(node.value)
    return _NoKey


class _NoKey:
    """Stands for a key the patcher cannot name (complex, tagged, aliased)."""


def find_key(node: Node, key: object) -> int | None:
    """The index of the (last, as PyYAML keeps the last) pair of ``node`` whose key is ``key``."""
    for i in range(len(node.value) - 1, -1, -1):
        if key_of(node.value[i][0]) == key and type(key_of(node.value[i][0])) is type(key):
            return i
    return None


def anchor_name(doc: Doc, node: Node) -> str:
    """The ``&name`` written where ``node`` starts ("&?" when it cannot be read)."""
    match = re.match(r"&[^\s\[\]{},]+", doc.text[node.start_mark.index:])
    return match.group(0) if match else "&?"


def alias_error(doc: Doc, sl: Slot, path: Path, at: Path | None = None) -> PatchError:
    """The refusal for an edit of ``path`` through the alias at ``at``: it names the anchor to edit instead."""
    name = anchor_name(doc, sl.node)
    what = "it" if at is None or at == path else render_path(at) if at else "the document"
    return fail(path, f"{what} is an alias (*{name[1:]}); edit the anchor {name} at line "
                      f"{sl.node.start_mark.line + 1} instead")


def scalar_end(text: str, node: Node) -> int:
    """Where a scalar's text ends: a block scalar (``|``, ``>``) ends with its last non-blank line."""
    end = int(node.end_mark.index)
    if getattr(node, "style", None) not in ("|", ">"):
        return end
    header = text.find("\n", node.start_mark.index, end)
    if header < 0:
        return end
    p = end
    while p > header + 1:
        le = p - 1 if text[p - 1] == "\n" else p
        ls = line_start(text, le)
        if text[ls:le].strip():
            return le
        p = ls
    return header


def content_end(doc: Doc, sl: Slot) -> int:
    """Where the text of a slot's value ends (its last scalar or bracket, never trailing comments or blanks)."""
    text = doc.text
    while True:
        if sl.alias:
            p = sl.ind
            while p < len(text) and text[p] in " \t\n":
                p += 1
            if text[p: p + 1] != "*":
                raise Unparsable("an alias without its *")
            p += 1
            while p < len(text) and text[p] not in " \t\r\n,[]{}":
                p += 1
            return p
        node = sl.node
        if is_empty(node):
            return sl.ind
        if isinstance(node, ScalarNode):
            return scalar_end(text, node)
        if is_flow(node) or not node.value:
            return int(node.end_mark.index)
        sl = slot(doc, node, len(node.value) - 1)


def block_scalar_indent(text: str, node: Node) -> int | None:
    """The indentation of a block scalar's content lines (None when it has none)."""
    p = next_line(text, node.start_mark.index)
    end = scalar_end(text, node)
    while p < end:
        line = text[p: line_end(text, p)]
        if line.strip():
            return len(line) - len(line.lstrip(" "))
        p = next_line(text, p)
    return None
