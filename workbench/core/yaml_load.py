"""The one reader of user YAML and JSON, with budgets so a hostile or broken file fails fast and in one line.

Every file the workbench reads (Missions, ``.asl.yaml``/``.asl.json``, ``--faults``, ``--subs``, mock
configs) goes through :func:`read_text` and then :class:`BudgetedLoader` (YAML) or :func:`loads_json`.
The budgets (:class:`InputBudget`) are checked *while* the document is composed, before any alias is
expanded, so an alias bomb ("billion laughs") or a 1,000-level nesting is refused in milliseconds and
in bounded memory. A file over budget raises :class:`BudgetExceeded`; binary or non-UTF-8 input raises
:class:`InputError` ("FILE is not UTF-8 text"). Both carry one :class:`Diagnostic`, so the CLI prints
one line and exits 2.

The budgets, errors and :func:`read_text` live in :mod:`workbench.core.input_budget`, the JSON reader in
:mod:`workbench.core.json_load`; this module re-exports them, so ``from workbench.core.yaml_load import ...``
reaches all of them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from workbench.core.input_budget import (
    INPUT_CODES,
    MAX_BYTES_ENV,
    MAX_DIGITS,
    NOT_TEXT,
    BudgetExceeded,
    InputBudget,
    InputError,
    MiB,
    _Marked,
    _not_a_number,
    _too_deep,
    _too_many,
    _too_repetitive,
    read_text,
)
from workbench.core.json_load import check_json, loads_json

if TYPE_CHECKING:
    from yaml.events import Event
    from yaml.tokens import FlowMappingStartToken, FlowSequenceStartToken

__all__ = [
    "INPUT_CODES", "MAX_BYTES_ENV", "NOT_TEXT", "BudgetExceeded", "BudgetedLoader", "InputBudget", "InputError",
    "MiB", "check_json", "load_yaml", "loads_json", "read_text", "yaml_problem",
]

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Frame:
    """A collection being composed: its node, expanded size and text, merge-chain depth, pending key."""

    __slots__ = ("anchor", "chars", "key", "merge", "node", "size")

    def __init__(self, node: Node, anchor: str | None) -> None:
        self.node, self.anchor = node, anchor
        self.size, self.chars, self.merge = 1, 0, 0
        self.key: Node | None = None


class BudgetedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` whose composer enforces an :class:`InputBudget` and never recurses.

    Nodes are composed with an explicit stack. Each node records its *expanded* size (aliases counted
    as the nodes they stand for) as a number, so a billion laughs costs a few additions, not a billion
    nodes. Recursive aliases (``&a [*a]``) are a ``ComposerError``, as are PyYAML's own composer
    errors; merge-key (``<<``) chains count as nesting (PyYAML flattens them recursively). Walkers that
    keep positions use it as they used ``yaml.SafeLoader`` (``get_single_node``, ``construct_object``).

    Example:
        >>> loader = BudgetedLoader("base: &b {x: 1}\\nuse: *b\\n", file="m.yaml")
        >>> loader.get_single_data(), loader.own_nodes, loader.expanded_nodes
        ({'base': {'x': 1}, 'use': {'x': 1}}, 6, 9)
    """

    def __init__(self, stream: str | bytes, *, file: str = "<string>", budget: InputBudget | None = None) -> None:
        super().__init__(stream)
        self.file = file
        self.budget = budget or InputBudget()
        self.own_nodes = self.expanded_nodes = self.own_chars = self.expanded_chars = 0
        self._char_budget = self.budget.alias_factor * max(len(stream), MiB)
        self._done: dict[str, tuple[int, int, int]] = {}  # anchor → (expanded size, text, merge depth)
        self._biggest_alias: tuple[int, _Marked | None] = (0, None)

    def fetch_flow_collection_start(self, TokenClass: type[FlowSequenceStartToken | FlowMappingStartToken]) -> None:
        """Refuse a ``[``/``{`` past the depth budget as soon as the scanner meets it.

        The scanner looks up to 1,024 characters ahead and, per token, over every open flow level:
        capping the levels here keeps a line of 1,000 ``[`` from costing a second before the composer
        would refuse it.
        """
        if self.flow_level >= self.budget.max_depth:
            raise _too_deep(self.file, self.budget, self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    if TYPE_CHECKING:  # PyYAML's stubs leave these untyped; their types as this composer calls them
        def get_event(self) -> Event: ...
        def peek_event(self) -> Event: ...
        def resolve(self, kind: type[Node], value: str | None, implicit: bool | tuple[bool, bool]) -> str: ...

    def compose_document(self) -> Node | None:
        """One document, composed within the budget (the alias-expansion ratio is checked at its end)."""
        self.get_event()  # DocumentStart
        node = self._compose()
        self.get_event()  # DocumentEnd
        self.anchors, self._done = {}, {}
        budget = self.budget
        if self.expanded_nodes > budget.alias_factor * self.own_nodes:
            raise _too_repetitive(self.file, budget, f"its {self.own_nodes:,} nodes to {self.expanded_nodes:,}, more "
                                  f"than {budget.alias_factor}×", self._biggest_alias[1])
        if self.expanded_chars > budget.alias_factor * max(self.own_chars, MiB):
            raise _too_repetitive(self.file, budget, f"its {self.own_chars:,} characters of text to "
                                  f"{self.expanded_chars:,}, more than {budget.alias_factor}×", self._biggest_alias[1])
        return node

    def _count(self, size: int, chars: int, mark: _Marked | None) -> None:
        self.expanded_nodes += size
        self.expanded_chars += chars
        budget = self.budget
        if self.expanded_nodes > budget.max_nodes:
            if self.expanded_nodes > budget.alias_factor * self.own_nodes:
                raise _too_repetitive(self.file, budget, f"{self.own_nodes:,} nodes of text to more than "
                                      f"{budget.max_nodes:,} nodes", mark)
            raise _too_many(self.file, budget, mark)
        if self.expanded_chars > self._char_budget:
            raise _too_repetitive(self.file, budget, f"{self.own_chars:,} characters of text to more than "
                                  f"{self._char_budget:,}", mark)

    def _compose(self) -> Node:
        stack: list[_Frame] = []
        event: Any  # Any: a Scalar/CollectionStart/Alias event, told apart by check_event, not by narrowing
        while True:
            node: Node
            if stack and self.check_event(SequenceEndEvent, MappingEndEvent):
                frame = stack.pop()
                frame.node.end_mark = self.get_event().end_mark
                node, size, chars, merge = frame.node, frame.size, frame.chars, frame.merge
                if frame.anchor is not None:
                    self._done[frame.anchor] = (size, chars, merge)
            elif self.check_event(AliasEvent):
                event = self.get_event()
                if event.anchor not in self.anchors:
                    raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
                if event.anchor not in self._done:
                    raise ComposerError(None, None, f"found a recursive alias {event.anchor!r} (it would expand "
                                        "forever)", event.start_mark)
                node = self.anchors[event.anchor]
                size, chars, merge = self._done[event.anchor]
                self._biggest_alias = max(self._biggest_alias, (size, event.start_mark), key=lambda t: t[0])
                self._count(size, chars, event.start_mark)
            else:
                event = self.peek_event()
                anchor = event.anchor
                if anchor is not None and anchor in self.anchors:
                    raise ComposerError(f"found duplicate anchor {anchor!r}; first occurrence",
                                        self.anchors[anchor].start_mark, "second occurrence", event.start_mark)
                self.get_event()
                tag = event.tag
                self.own_nodes += 1
                scalar = isinstance(event, ScalarEvent)  # a flag: narrowing would give the marks the stubs' type
                if scalar:
                    if tag is None or tag == "!":
                        tag = self.resolve(ScalarNode, event.value, event.implicit)
                    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
                    size, chars, merge = 1, len(event.value), 0
                    self.own_chars += chars
                    if anchor is not None:
                        self._done[anchor] = (size, chars, merge)
                        self.anchors[anchor] = node
                    self._count(size, chars, event.start_mark)
                else:
                    if len(stack) >= self.budget.max_depth:
                        raise _too_deep(self.file, self.budget, event.start_mark)
                    kind = MappingNode if isinstance(event, MappingStartEvent) else SequenceNode
                    if tag is None or tag == "!":
                        tag = self.resolve(kind, None, event.implicit)
                    collection = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
                    if anchor is not None:
                        self.anchors[anchor] = collection
                    stack.append(_Frame(collection, anchor))
                    self._count(1, 0, event.start_mark)
                    continue
            if not stack:
                return node
            parent = stack[-1]
            parent.size += size
            parent.chars += chars
            if isinstance(parent.node, SequenceNode):
                parent.node.value.append(node)
                parent.merge = max(parent.merge, merge)
            elif parent.key is None:
                parent.key = node
            else:
                parent.node.value.append((parent.key, node))
                if parent.key.tag == _MERGE_TAG:
                    parent.merge = max(parent.merge, merge + 1)
                    if parent.merge > self.budget.max_depth:
                        raise _too_deep(self.file, self.budget, parent.key.start_mark, "the merge keys (<<) chain")
                parent.key = None



# JSON writes 1e5 and 2E-3 without a dot; YAML 1.1 would read them as strings. JSON documents go through this
# loader too, so read them as the numbers they are.
BudgetedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][-+]?[0-9]+$"),
    list("-0123456789"))

def _construct_int(loader: BudgetedLoader, node: ScalarNode) -> int:
    """YAML integers within :data:`MAX_DIGITS` (longer ones make ``int()`` raise a bare ``ValueError``)."""
    if sum(c.isdigit() for c in str(node.value)) > MAX_DIGITS:
        raise _not_a_number(loader.file, f"a number with {len(str(node.value)):,} digits is too long",
                            node.start_mark)
    return loader.construct_yaml_int(node)


BudgetedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_yaml(text: str, *, file: str = "<string>", budget: InputBudget | None = None) -> object:
    """``yaml.safe_load`` within a budget: the reader for YAML (and JSON) that needs no positions.

    Raises :class:`BudgetExceeded` over budget, ``yaml.YAMLError`` on bad YAML (see :func:`yaml_problem`).

    Example:
        >>> load_yaml("seed: 7\\ntools: {fetch: {fail_rate: 0.2}}\\n")
        {'seed': 7, 'tools': {'fetch': {'fail_rate': 0.2}}}
    """
    loader = BudgetedLoader(text, file=file, budget=budget)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def yaml_problem(exc: yaml.YAMLError) -> tuple[str, int | None, int | None]:
    """One line saying what is wrong, and the 1-based (line, column), of a PyYAML error.

    ``str()`` of a PyYAML error spans several lines (with a source excerpt): diagnostics want one.

    Example:
        >>> try:
        ...     load_yaml("a: [1, 2\\n")
        ... except yaml.YAMLError as exc:
        ...     yaml_problem(exc)
        ("expected ',' or ']', but got '<stream end>' (while parsing a flow sequence)", 2, 1)
    """
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "not valid YAML"
        if exc.context and exc.problem:
            message += f" ({exc.context})"
        return message, (mark.line + 1 if mark else None), (mark.column + 1 if mark else None)
    if isinstance(exc, yaml.reader.ReaderError):
        return f"unacceptable character #x{exc.character:04x} at offset {exc.position}: {exc.reason}", None, None
    return " ".join(str(exc).split()), None, None
