"""Edit a Mission's YAML text in place: comments, quoting, flow style, blank lines and order survive.

The composer's form writes through these functions. The text is the source of truth: each edit replaces
only the exact text of the node it changes (a one-field edit changes one line), and an edit that changes
nothing returns the very same text. Every result is parsed again and must load to the old data with the
edit applied, or the edit is refused with a :class:`PatchError`: a broken document is never returned.

Paths name a node as the loaded data does: ``("steps", 1, "parallel", "logs", 0, "retry")``. CRLF line
ends, a missing final newline and a byte-order mark are kept. Edits through an alias (``*name``) are
refused, naming the anchor to edit instead. The text was already read within the input budgets
(:mod:`workbench.core.yaml_load`); these functions do no I/O.

Cost: one parse of the new text (to check it) per edit, about 10-20 ms on a 200-step Mission; the parse of
the text an edit returns is kept, so the next edit starts from it without parsing again.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from yaml.nodes import MappingNode, ScalarNode

from workbench.mission.yaml_patch import _emit as emit
from workbench.mission.yaml_patch._data import Text, assigned, get, locate, path_of, removed, sequence, value_of, what
from workbench.mission.yaml_patch._doc import Doc, PatchError, Path, Unparsable, alias_error, fail, is_null, parse
from workbench.mission.yaml_patch._edit import Editor, same

__all__ = ["Edit", "PatchError", "Path", "apply", "delete", "insert_item", "move_item", "rename_refs", "set_value"]


@dataclass(frozen=True)
class Edit:
    """One edit for :func:`apply`: ``op`` is ``set`` (path, value), ``delete`` (path), ``insert`` (path of the
    list, index, value) or ``move`` (path of the list, index, delta).

    Example:
        >>> apply("a: 1\\nb: [x]\\n", [Edit("set", ("a",), 2), Edit("insert", ("b",), "y", index=1)])
        'a: 2\\nb: [x, y]\\n'
    """

    op: Literal["set", "delete", "insert", "move"]
    path: Path
    value: Any = None
    index: int = 0
    delta: int = 0


def set_value(text: str, path: Path, value: Any) -> str:
    """``text`` with the value at ``path`` set to ``value``: a changed scalar keeps its quoting, a missing key is
    added after its siblings (its parents too), and ``None`` deletes the key. The same value returns ``text``.

    Example:
        >>> set_value("steps:\\n  - id: a  # first\\n    timeout: 30s\\n", ("steps", 0, "timeout"), "45s")
        'steps:\\n  - id: a  # first\\n    timeout: 45s\\n'
        >>> set_value("tool: {lambda: f}\\n", ("tool", "memory_mb"), 512)
        'tool: {lambda: f, memory_mb: 512}\\n'
    """
    path = path_of(path)
    value = value_of(value, path)

    return _edit(text, path, lambda ed: _build_set(ed, path, value), lambda data: assigned(data, path, value),
                 [] if value is None else [(path, value)])


def delete(text: str, path: Path) -> str:
    """``text`` without the mapping key or list item at ``path``: its own lines, the comment lines just above it
    and one blank line that separated it go; a key that is not there leaves ``text`` as it is.

    Example:
        >>> delete("steps:\\n  - id: a\\n\\n  - id: b\\n\\n  - id: c\\n", ("steps", 1))
        'steps:\\n  - id: a\\n\\n  - id: c\\n'
    """
    path = path_of(path)
    if not path:
        raise fail(path, "the whole document cannot be deleted")

    def build(ed: Editor) -> None:
        slots, _, found = locate(ed.doc, path)
        if found == len(path) and slots:
            ed.delete(slots[-2], [slots[-1].index], path[:-1])

    return _edit(text, path, build, lambda data: removed(data, path), [])


def insert_item(text: str, seq_path: Path, index: int, value: Any) -> str:
    """``text`` with ``value`` inserted as item ``index`` (0 to the list's length) of the list at ``seq_path``,
    in the list's style (a step goes in as block lines, blank-line separated when the steps are); a missing or
    empty list is created.

    Example:
        >>> insert_item("errors: [A, C]\\n", ("errors",), 1, "B")
        'errors: [A, B, C]\\n'
    """
    seq_path = path_of(seq_path)
    value = value_of(value, seq_path)

    def build(ed: Editor) -> None:
        slots, old, found = locate(ed.doc, seq_path)
        if found < len(seq_path) or not slots or is_null(slots[-1].node):
            if index != 0:
                raise fail(seq_path, f"there is no list to insert item {index} into")
            _build_set(ed, seq_path, [value])
            return
        sl = sequence(slots[-1], seq_path)
        if not 0 <= index <= len(old):
            raise fail(seq_path, f"cannot insert at {index}: the list has {len(old)} items")
        if sl.alias:
            raise alias_error(ed.doc, sl, seq_path)
        ed.insert(sl, index, [value], seq_path)

    def expect(data: Any) -> Any:
        found, old = get(data, seq_path)
        if found and isinstance(old, list):
            old.insert(index, value)
            return data
        return assigned(data, seq_path, [value])

    return _edit(text, seq_path, build, expect, [((*seq_path, index), value)])


def move_item(text: str, seq_path: Path, index: int, delta: int) -> str:
    """``text`` with items ``index`` and ``index + delta`` of the list at ``seq_path`` swapped, each moving its own
    text (and the comment lines above it) verbatim; the steps' up/down buttons use ``delta`` of -1 and 1.

    Example:
        >>> move_item("steps:\\n  # first\\n  - id: a\\n  - id: b\\n", ("steps",), 0, 1)
        'steps:\\n  - id: b\\n  # first\\n  - id: a\\n'
    """
    seq_path = path_of(seq_path)
    other = index + delta

    def build(ed: Editor) -> None:
        slots, old, found = locate(ed.doc, seq_path)
        if found < len(seq_path) or not slots:
            raise fail(seq_path, "there is no list there")
        sl = sequence(slots[-1], seq_path)
        for i in (index, other):
            if not 0 <= i < len(old):
                raise fail(seq_path, f"cannot move item {index} by {delta}: the list has {len(old)} items")
        if sl.alias:
            raise alias_error(ed.doc, sl, seq_path)
        if delta and not same(old[index], old[other]):
            ed.swap(sl, min(index, other), max(index, other), seq_path)

    def expect(data: Any) -> Any:
        _, items = get(data, seq_path)
        items = list(items)
        items[index], items[other] = items[other], items[index]
        return assigned(data, seq_path, items)

    def checks(doc: Doc) -> list[tuple[Path, Any]]:
        _, items = get(doc.data, seq_path)
        return [((*seq_path, index), items[other]), ((*seq_path, other), items[index])]

    return _edit(text, seq_path, build, expect, checks)


def rename_refs(text: str, old: str, new: str, paths: list[Path]) -> str:
    """``text`` with the scalar ``old`` at each of ``paths`` replaced by ``new``, in one pass and one check: a step
    id and every ``goto``/``then``/``otherwise`` naming it are renamed together, each keeping its quoting.

    Example:
        >>> rename_refs("steps:\\n  - id: a\\n    next: 'b'\\n  - id: b\\n", "b", "c", [("steps", 1, "id"),
        ...             ("steps", 0, "next")])
        "steps:\\n  - id: a\\n    next: 'c'\\n  - id: c\\n"
    """
    targets = list(dict.fromkeys(path_of(p) for p in paths))

    def build(ed: Editor) -> None:
        if old == new:
            return
        for path in targets:
            slots, current, found = locate(ed.doc, path)
            if found < len(path) or not slots:
                raise fail(path, "it does not exist")
            if not isinstance(slots[-1].node, ScalarNode) or not same(current, old):
                raise fail(path, f"it holds {current!r}, not {old!r}")
            ed.replace(slots[-1], new, path)

    def expect(data: Any) -> Any:
        for path in targets:
            data = assigned(data, path, new)
        return data

    return _edit(text, (), build, expect, [(p, new) for p in targets])


def apply(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with ``edits`` made in order (each checked as the single-edit functions check it).

    Example:
        >>> apply("a: 1\\nb: 2\\n", [Edit("delete", ("a",)), Edit("set", ("c",), 3)])
        'b: 2\\nc: 3\\n'
    """
    for e in edits:
        if e.op == "set":
            text = set_value(text, e.path, e.value)
        elif e.op == "delete":
            text = delete(text, e.path)
        elif e.op == "insert":
            text = insert_item(text, e.path, e.index, e.value)
        elif e.op == "move":
            text = move_item(text, e.path, e.index, e.delta)
        else:
            raise fail(e.path, f"unknown edit {e.op!r} (use set, delete, insert or move)")
    return text


# --- the shared machinery --------------------------------------------------------------------------------------

def _build_set(ed: Editor, path: Path, value: Any) -> None:
    """The splices of set_value."""
    doc = ed.doc
    slots, old, found = locate(doc, path)
    if found == len(path) and slots:
        if value is None:
            if not path:
                raise fail(path, "the whole document cannot be deleted")
            ed.delete(slots[-2], [slots[-1].index], path[:-1])
        else:
            ed.set_at(slots[-1], old, value, path)
        return
    if value is None:
        return
    rest = path[found:]
    if any(isinstance(part, int) for part in rest):
        raise fail(path, "that list item does not exist; add it with insert_item")
    nested = value
    for part in reversed(rest[1:]):
        nested = {part: nested}
    if not slots:  # an empty document (nothing, or only comments)
        body = emit.block({rest[0]: nested} if rest else nested, 0, doc.layout, force=True)
        ed.add(len(doc.text), len(doc.text), ("\n" if doc.text and not doc.text.endswith("\n") else "") + body)
        return
    sl = slots[-1]
    if sl.alias:
        raise alias_error(doc, sl, path, path[:found])
    if isinstance(sl.node, MappingNode):
        ed.add_pairs(sl, [(rest[0], nested)], None, path[:found])
    elif is_null(sl.node):
        ed.replace(sl, {rest[0]: nested}, path[:found])
    else:
        raise fail(path, f"{what(sl)} is not a mapping")


def _edit(text: str, path: Path, build: Callable[[Editor], None], expect: Callable[[Any], Any],
          checks: list[tuple[Path, Any]] | Callable[[Doc], list[tuple[Path, Any]]]) -> str:
    """Parse, build the splices, apply them, and check that the result loads to ``expect(old data)``."""
    if not isinstance(text, str):
        raise PatchError(f"cannot edit {type(text).__name__}: the Mission text must be a str")
    src = Text(text)
    try:
        doc = parse(src.body)
    except Unparsable as exc:
        raise fail(path, f"the YAML does not parse ({exc}); fix the text first") from None
    ed = Editor(doc)
    try:
        build(ed)
        if not ed.splices:
            return text
        new = src.fix(ed.result())
    except Unparsable as exc:
        raise fail(path, f"{exc}; edit the text by hand") from None
    wanted = expect(copy.deepcopy(doc.data))
    try:
        got = parse(new).data
    except Unparsable as exc:
        raise fail(path, f"the edited text would not parse ({exc}); edit the text by hand") from None
    pairs = checks(doc) if callable(checks) else checks
    if not (got == wanted or same(got, wanted)) or not all(same(get(got, p)[1], v) for p, v in pairs):
        # PyYAML copies a merged (<<) mapping, so the expected data cannot follow an edit inside its anchor
        why = " (an anchor it is inside is also merged in elsewhere)" if doc.uses_aliases else ""
        raise fail(path, f"the edited text would not load as the edit intends{why}; edit the text by hand")
    return src.restore(new)


