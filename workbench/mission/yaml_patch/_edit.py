"""Splices: each edit becomes (start, end, new text) replacements of the exact text of the nodes it changes.

An :class:`Editor` collects splices against one parsed text and applies them from the end backwards, so
every offset stays valid. A new mapping (or list) replacing an old one is diffed key by key (item by item):
only the values that changed are rewritten, so writing a whole step back after changing one field still
changes one line.
"""

from __future__ import annotations

from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from workbench.mission.yaml_patch import _emit as emit
from workbench.mission.yaml_patch._doc import (
    Doc,
    Path,
    Slot,
    Unparsable,
    alias_error,
    anchor_name,
    block_scalar_indent,
    content_end,
    fail,
    has_merge,
    is_empty,
    is_flow,
    key_of,
    line_end,
    line_start,
    next_line,
    slot,
)


def same(a: Any, b: Any) -> bool:
    """Equal as loaded data, types included (``1``, ``1.0`` and ``True`` differ; NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b or (a != a and b != b)
    return bool(a == b)


class Editor:
    """Splices against one :class:`Doc`; :meth:`result` applies them."""

    def __init__(self, doc: Doc) -> None:
        self.doc, self.text = doc, doc.text
        self.splices: list[tuple[int, int, str]] = []

    def add(self, start: int, end: int, new: str) -> None:
        """Replace ``text[start:end]`` with ``new`` (nothing when they are the same)."""
        if self.text[start:end] != new:
            self.splices.append((start, end, new))

    def result(self) -> str:
        """The text with every splice applied (overlapping splices are a bug, reported as one)."""
        text, limit = self.text, len(self.text)
        for start, end, new in sorted(self.splices, key=lambda s: (s[0], s[1]), reverse=True):
            if end > limit:
                raise Unparsable("two edits overlap")
            text, limit = text[:start] + new + text[end:], start
        return text

    # --- values ---------------------------------------------------------------------------------------------

    def set_at(self, sl: Slot, old: Any, value: Any, path: Path) -> None:
        """Make the slot's value ``value`` (it is ``old`` now), rewriting as little text as possible."""
        if same(old, value):
            return
        if sl.alias:
            raise alias_error(self.doc, sl, path)
        node = sl.node
        if isinstance(node, MappingNode) and isinstance(old, dict) and isinstance(value, dict) and value:
            keys = [key_of(k) for k, _ in node.value]
            if not has_merge(node) and len(set(keys)) == len(keys) == len(old) and set(keys) == set(old) \
                    and set(old) & set(value):
                self._diff_mapping(sl, keys, old, value, path)
                return
        if isinstance(node, SequenceNode) and isinstance(old, list) and isinstance(value, list) and old and value \
                and len(node.value) == len(old):
            self._diff_sequence(sl, old, value, path)
            return
        self.replace(sl, value, path)

    def _diff_mapping(self, sl: Slot, keys: list[Any], old: dict[Any, Any], value: dict[Any, Any], path: Path) -> None:
        for i, key in enumerate(keys):
            if key in value:
                self.set_at(slot(self.doc, sl.node, i), old[key], value[key], (*path, key))
        self.delete(sl, [i for i, key in enumerate(keys) if key not in value], path)
        new = [(k, v) for k, v in value.items() if k not in old]
        if new:
            self.add_pairs(sl, new, max(i for i, key in enumerate(keys) if key in value), path)

    def _diff_sequence(self, sl: Slot, old: list[Any], value: list[Any], path: Path) -> None:
        head = 0
        while head < min(len(old), len(value)) and same(old[head], value[head]):
            head += 1
        tail = 0
        while tail < min(len(old), len(value)) - head and same(old[-1 - tail], value[-1 - tail]):
            tail += 1
        old_mid, new_mid = len(old) - head - tail, len(value) - head - tail
        shared = min(old_mid, new_mid)
        for i in range(head, head + shared):
            self.set_at(slot(self.doc, sl.node, i), old[i], value[i], (*path, i))
        if old_mid > shared:
            self.delete(sl, list(range(head + shared, head + old_mid)), path)
        elif new_mid > shared:
            self.insert(sl, head + shared, value[head + shared: head + new_mid], path)

    def replace(self, sl: Slot, value: Any, path: Path) -> None:
        """Write ``value`` over the slot's whole node, keeping flow style and scalar quoting where they fit."""
        doc, node = self.doc, sl.node
        if sl.alias:
            raise alias_error(doc, sl, path)
        if doc.is_target(node):
            raise fail(path, f"it carries the anchor {anchor_name(doc, node)} that aliases use; edit inside it, "
                             "or remove the aliases first")
        end = content_end(doc, sl)
        if is_empty(node):
            if sl.flow:
                self.add(sl.ind, sl.ind, " " + emit.flow(value))
            else:
                self._put(sl.ind, sl.ind, emit.after_key(value, sl.col, doc.layout) if sl.key is not None
                          else emit.after_dash(value, sl.col, doc.layout))
            return
        start = node.start_mark.index
        if sl.flow or (isinstance(node, MappingNode | SequenceNode) and is_flow(node)
                       and isinstance(value, dict | list) and value):  # a flow collection stays flow
            style = node.style if isinstance(node, ScalarNode) else None
            self.add(start, end, emit.flow(value) if not isinstance(value, str) else
                     emit.scalar(value, flow=True, indent=0, prefer=style))
            return
        if isinstance(node, MappingNode | SequenceNode) and not is_flow(node):
            self._replace_block(sl, value, start, end, path)
            return
        owner = sl.col + 2 if isinstance(sl.parent, SequenceNode) else sl.col
        if emit.is_block(value, owner) and sl.parent is not None:
            self._put(sl.ind, end, emit.after_key(value, sl.col, doc.layout) if sl.key is not None
                      else emit.after_dash(value, sl.col, doc.layout))
            return
        prefer = node.style if isinstance(node, ScalarNode) and isinstance(value, str) else None
        self._put(start, end, emit.inline(value, self._content_indent(sl), doc.layout, prefer))

    def _replace_block(self, sl: Slot, value: Any, start: int, end: int, path: Path) -> None:
        """Replace a block mapping or list: by block lines where it stood, or by a value on its key's line."""
        doc, text, node = self.doc, self.text, sl.node
        if text[start] in "!&":
            raise fail(path, "it has a tag or anchor; edit it in the text")
        compact = sl.parent is None or bool(text[line_start(text, start):start].strip())
        layout = doc.layout
        if isinstance(value, dict | list) and value:
            col = node.start_mark.column
            if isinstance(value, dict) != isinstance(node, MappingNode) and not compact and sl.key is not None:
                col = sl.col + (layout.step if isinstance(value, dict) else layout.dash)  # dashes may sit at the key
                self._put(line_start(text, start), end, " " * col + emit.block(value, col, layout, force=True))
            else:
                self._put(start, end, emit.block(value, col, layout, force=True))
            return
        frag = emit.inline(value, self._content_indent(sl), layout)
        if compact:
            self._put(start, end, frag)
            return
        comment = text[sl.ind: line_end(text, sl.ind)].strip()
        self._put(sl.ind, end, " " + _with_comment(frag, comment if comment.startswith("#") else ""))

    def _put(self, start: int, end: int, frag: str) -> None:
        """Replace ``text[start:end]`` by ``frag``; a comment after ``end`` moves to the end of a several-line
        fragment's first line (left where it is, it would end up inside the new value)."""
        tail = self.text[end: line_end(self.text, end)]
        if "\n" in frag and tail.strip():
            self.add(start, end + len(tail), _with_comment(frag, tail.strip()))
        else:
            self.add(start, end, frag)

    def _content_indent(self, sl: Slot) -> int:
        """The column of a block scalar's lines written for this slot (an old block scalar's, if it was one)."""
        node = sl.node
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            found = block_scalar_indent(self.text, node)
            if found is not None:
                return found
        if sl.parent is None:
            return self.doc.layout.step
        return sl.col + (2 if isinstance(sl.parent, SequenceNode) else self.doc.layout.step)

    # --- entries of a collection ----------------------------------------------------------------------------

    def chunk(self, sl: Slot) -> tuple[int, int]:
        """The lines of a block entry: its comment lines just above (at its column), its own lines, and the
        deeper-indented comment lines right after it; (start, start of the next line)."""
        text, head = self.text, sl.head
        ls = line_start(text, head)
        if text[ls:head].strip():
            start = head  # the first entry of a compact "- key: value"
        else:
            start = ls
            header = sl.index == 0 and sl.parent is self.doc.root  # comments above the first key: the file's
            while start > 0 and not header:
                prev = line_start(text, start - 1)
                line = text[prev: start - 1]
                if not (line.lstrip().startswith("#") and len(line) - len(line.lstrip()) == sl.col):
                    break
                start = prev
        stop = next_line(text, content_end(self.doc, sl))
        while stop < len(text):
            line = text[stop: line_end(text, stop)]
            if not (line.lstrip().startswith("#") and len(line) - len(line.lstrip()) > sl.col):
                break
            stop = next_line(text, stop)
        return start, stop

    def _separated(self, node: Node) -> bool:
        """Whether the first two block entries of ``node`` are separated by a blank line."""
        if len(node.value) < 2:
            return False
        _, stop = self.chunk(slot(self.doc, node, 0))
        start, _ = self.chunk(slot(self.doc, node, 1))
        return any(not line.strip() for line in self.text[stop:start].split("\n")[:-1])

    def _entries(self, sl: Slot, lines: list[str], index: int) -> None:
        """Insert block entry ``lines`` (each unindented, without its line break) before entry ``index``."""
        text, node = self.text, sl.node
        col = slot(self.doc, node, 0).col
        sep = "\n\n" if self._separated(node) else "\n"
        body = sep.join(" " * col + line for line in lines)
        if index < len(node.value):
            target = slot(self.doc, node, index)
            start, _ = self.chunk(target)
            if start == target.head and text[line_start(text, start):start].strip():  # compact first entry
                self.add(start, start, body[col:] + sep + " " * col)
            else:
                self.add(start, start, body + sep)
            return
        _, stop = self.chunk(slot(self.doc, node, len(node.value) - 1))
        if stop == len(text) and not text.endswith("\n"):
            self.add(stop, stop, sep + body)
        else:
            self.add(stop, stop, sep[1:] + body + "\n")

    def add_pairs(self, sl: Slot, pairs: list[tuple[Any, Any]], after: int | None, path: Path) -> None:
        """Add ``key: value`` pairs to a mapping, after pair ``after`` (the last when None)."""
        node = sl.node
        if not node.value:
            self.replace(sl, dict(pairs), path)
            return
        last = slot(self.doc, node, len(node.value) - 1 if after is None else after)
        if is_flow(node):
            frag = ", ".join(f"{emit.key_text(k, flow=True)}: {emit.flow(v)}" for k, v in pairs)
            at = content_end(self.doc, last)
            self.add(at, at, ", " + frag)
            return
        col, layout = slot(self.doc, node, 0).col, self.doc.layout
        lines = [emit.key_text(k, flow=False) + ":" + emit.after_key(v, col, layout) for k, v in pairs]
        self._entries(sl, lines, last.index + 1)

    def insert(self, sl: Slot, index: int, values: list[Any], path: Path) -> None:
        """Insert ``values`` into a (non-null) sequence before item ``index``."""
        node = sl.node
        if not node.value:
            self.replace(sl, list(values), path)
            return
        if is_flow(node):
            frag = ", ".join(emit.flow(v) for v in values)
            if index < len(node.value):
                target = slot(self.doc, node, index)
                if target.alias:
                    raise alias_error(self.doc, target, path)
                self.add(target.head, target.head, frag + ", ")
            else:
                at = content_end(self.doc, slot(self.doc, node, len(node.value) - 1))
                self.add(at, at, ", " + frag)
            return
        col, layout = slot(self.doc, node, 0).col, self.doc.layout
        self._entries(sl, ["-" + emit.after_dash(v, col, layout) for v in values], index)

    def delete(self, sl: Slot, indices: list[int], path: Path) -> None:
        """Delete entries ``indices`` of the slot's collection (an emptied one becomes ``{}`` or ``[]``)."""
        node = sl.node
        if not indices:
            return
        for i in indices:
            child = slot(self.doc, node, i)
            if self.doc.is_target(child.node) and not child.alias:
                key = key_of(child.key) if child.key is not None else i
                raise fail((*path, key if isinstance(key, str | int) else i),
                           f"it carries the anchor {anchor_name(self.doc, child.node)} that aliases use; "
                           "remove the aliases first")
        if len(indices) == len(node.value):
            self.replace(sl, {} if isinstance(node, MappingNode) else [], path)
            return
        runs: list[list[int]] = []
        for i in sorted(indices):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        for run in runs:
            self._delete_run(node, run[0], run[-1] + 1, path)

    def _delete_run(self, node: Node, i: int, j: int, path: Path) -> None:
        doc, text, count = self.doc, self.text, len(node.value)
        first, last = slot(doc, node, i), slot(doc, node, j - 1)
        if is_flow(node):
            for s in (first, last):
                if s.alias and s.key is None:
                    raise alias_error(doc, s, (*path, s.index))
            if j < count:
                after = slot(doc, node, j)
                if after.alias and after.key is None:
                    raise alias_error(doc, after, (*path, j))
                self.add(first.head, after.head, "")
            else:
                self.add(content_end(doc, slot(doc, node, i - 1)), content_end(doc, last), "")
            return
        start, _ = self.chunk(first)
        _, stop = self.chunk(last)
        if start == first.head and j < count and text[line_start(text, start):start].strip():  # compact: next up
            self.add(start, slot(doc, node, j).head, "")
            return
        before = start
        while before > 0 and not text[line_start(text, before - 1): before - 1].strip():
            before = line_start(text, before - 1)
        after_blank = stop
        while after_blank < len(text) and not text[after_blank: line_end(text, after_blank)].strip():
            after_blank = next_line(text, after_blank)
        if after_blank > stop and (before < start or i == 0):
            stop = after_blank
        elif j == count and before < start and after_blank == stop:
            start = before
        self.add(start, stop, "")

    def swap(self, sl: Slot, i: int, j: int, path: Path) -> None:
        """Exchange the text of items ``i < j`` of a sequence, each with its own comment lines."""
        doc, text, node = self.doc, self.text, sl.node
        a, b = slot(doc, node, i), slot(doc, node, j)
        for s in (a, b):
            if s.alias and is_flow(node):
                raise alias_error(doc, s, (*path, s.index))
        if is_flow(node):
            spans = [(s.head, content_end(doc, s)) for s in (a, b)]
        else:
            spans = []
            compact = bool(text[line_start(text, a.head):a.head].strip())
            for s in (a, b):
                start, stop = self.chunk(s)
                if compact:
                    start = s.head
                spans.append((start, stop - 1 if text[stop - 1: stop] == "\n" else stop))
        (a0, a1), (b0, b1) = spans
        self.add(a0, a1, text[b0:b1])
        self.add(b0, b1, text[a0:a1])


def _with_comment(frag: str, comment: str) -> str:
    """``frag`` with ``comment`` at the end of its first line (a block scalar's header)."""
    if not comment:
        return frag
    first, sep, rest = frag.partition("\n")
    return f"{first}  {comment}{sep}{rest}"
