"""The one reader of user YAML and JSON, with budgets so a hostile or broken file fails fast and in one line.

Every file the workbench reads (Missions, ``.asl.yaml``/``.asl.json``, ``--faults``, ``--subs``, mock
configs) goes through :func:`read_text` and then :class:`BudgetedLoader` (YAML) or :func:`loads_json`.
The budgets (:class:`InputBudget`) are checked *while* the document is composed, before any alias is
expanded, so an alias bomb ("billion laughs") or a 1,000-level nesting is refused in milliseconds and
in bounded memory. A file over budget raises :class:`BudgetExceeded`; binary or non-UTF-8 input raises
:class:`InputError` ("FILE is not UTF-8 text"). Both carry one :class:`Diagnostic`, so the CLI prints
one line and exits 2.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, Protocol

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from workbench.core.diagnostics import Diagnostic, DiagnosticError, Severity

if TYPE_CHECKING:
    from yaml.events import Event
    from yaml.tokens import FlowMappingStartToken, FlowSequenceStartToken

__all__ = [
    "INPUT_CODES", "MAX_BYTES_ENV", "NOT_TEXT", "BudgetExceeded", "BudgetedLoader", "InputBudget", "InputError",
    "MiB", "check_json", "load_yaml", "loads_json", "read_text", "yaml_problem",
]

MiB = 1 << 20
MAX_BYTES_ENV = "WORKBENCH_MAX_INPUT_BYTES"
"""Environment variable that raises (or lowers) the default file-size budget, in bytes."""

INPUT_CODES = frozenset({"INPUT001", "INPUT002", "INPUT003", "INPUT004", "INPUT005", "INPUT006"})
#: Python refuses to turn longer digit strings into ``int`` (and no Mission or ASL number needs them).
MAX_DIGITS = 4300
"""Codes of :class:`InputError`: 001 file too large, 002 alias expansion, 003 too many nodes, 004 too deep,
005 not UTF-8 text. All mean "the file cannot be read at all" (CLI exit code 2)."""
NOT_TEXT = "INPUT005"

_MERGE_TAG = "tag:yaml.org,2002:merge"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # never valid in YAML or JSON text: a binary file
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_SCALAR = re.compile(r'""|-?\d[\d.eE+-]*|true|false|null')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_SIGN = str.maketrans("[{]}", "++--")
_SIGN_VALUE = {"+": 1, "-": -1}


def _default_max_bytes() -> int:
    raw = os.environ.get(MAX_BYTES_ENV, "").strip().replace("_", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 10 * MiB


@dataclass(frozen=True)
class InputBudget:
    """How much one input file may cost: bytes, nesting depth, nodes, and alias expansion.

    ``max_bytes`` defaults to 10 MiB, or to ``$WORKBENCH_MAX_INPUT_BYTES`` when that is a positive
    integer (read each time a budget is made), the way to open a larger file. ``max_nodes`` counts
    every scalar, list and mapping (keys too) of the document *with aliases expanded*; ``alias_factor``
    caps that expanded count (and the expanded scalar text) at that many times the document's own.

    Example:
        >>> InputBudget().max_depth, InputBudget().max_nodes, InputBudget(max_depth=5).max_depth
        (200, 1000000, 5)
    """

    max_bytes: int = field(default_factory=_default_max_bytes)
    max_depth: int = 200
    max_nodes: int = 1_000_000
    alias_factor: int = 10


class _Marked(Protocol):
    """Where in a file: 0-based ``line`` and ``column`` (a PyYAML ``Mark``, or :class:`_Where`)."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


class InputError(DiagnosticError):
    """A user file that cannot be read as a document: not UTF-8 text, or over an :class:`InputBudget`.

    Carries exactly one diagnostic (code in :data:`INPUT_CODES`) whose ``render()`` is one line naming
    the file; readers of Missions or ASL re-raise its diagnostics as their own error type.

    Example:
        >>> err = InputError("INPUT005", "x.yaml is not UTF-8 text", "x.yaml", hint="save it as UTF-8")
        >>> str(err)
        'x.yaml: error INPUT005: x.yaml is not UTF-8 text Hint: save it as UTF-8'
    """

    def __init__(self, code: str, message: str, file: str, mark: _Marked | None = None,
                 hint: str | None = None) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        super().__init__([Diagnostic(code=code, severity=Severity.ERROR, message=message, file=file, line=line,
                                     column=column, hint=hint)])


class BudgetExceeded(InputError):
    """A document over one of its budgets; ``budget`` names the :class:`InputBudget` field.

    Example:
        >>> load_yaml("[[[1]]]", file="deep.yaml", budget=InputBudget(max_depth=2))
        Traceback (most recent call last):
        ...
        workbench.core.yaml_load.BudgetExceeded: deep.yaml:1:3: error INPUT004: the document nests deeper \
than 2 levels (budget: nesting depth 2) Hint: flatten the structure; no Mission or state machine needs this depth
    """

    def __init__(self, budget: str, code: str, message: str, file: str, mark: _Marked | None = None,
                 hint: str | None = None) -> None:
        self.budget = budget
        super().__init__(code, message, file, mark, hint)


def _too_deep(file: str, budget: InputBudget, mark: _Marked | None = None,
              what: str = "the document nests") -> BudgetExceeded:
    return BudgetExceeded("max_depth", "INPUT004",
                          f"{what} deeper than {budget.max_depth} levels (budget: nesting depth {budget.max_depth})",
                          file, mark, "flatten the structure; no Mission or state machine needs this depth")


def _not_a_number(file: str, what: str, mark: _Marked | None = None) -> InputError:
    return InputError("INPUT006", f"{what} (JSON numbers are plain decimals of at most {MAX_DIGITS:,} digits)",
                      file, mark, "write the value as a string, or a smaller number")


def _too_many(file: str, budget: InputBudget, mark: _Marked | None = None) -> BudgetExceeded:
    return BudgetExceeded("max_nodes", "INPUT003",
                          f"the document has more than {budget.max_nodes:,} values (budget: {budget.max_nodes:,} "
                          "nodes in all)", file, mark, "split it into smaller files")


def _too_repetitive(file: str, budget: InputBudget, what: str, mark: _Marked | None = None) -> BudgetExceeded:
    limit = f"aliases expand a document at most {budget.alias_factor}× and to {budget.max_nodes:,} nodes in all"
    return BudgetExceeded("alias_factor", "INPUT002", f"the YAML's aliases expand {what} (budget: {limit})", file,
                          mark, "write the repeated parts out, or use fewer aliases (a 'billion laughs' file?)")


class _Where(NamedTuple):
    line: int  # 0-based, as in PyYAML's marks
    column: int


def read_text(path: str | Path, budget: InputBudget | None = None, *, name: str | None = None) -> str:
    """Read a user file as UTF-8 text, checking its size *before* reading and refusing binary content.

    A leading BOM is dropped. Raises :class:`BudgetExceeded` (INPUT001) over ``budget.max_bytes``,
    :class:`InputError` (INPUT005, "FILE is not UTF-8 text", with line and column) for bytes that are
    not UTF-8 or control characters no YAML/JSON text contains; ``OSError`` is left to the caller.

    Example:
        >>> _ = Path("/tmp/yaml_load_doc.yaml").write_bytes(b"\\xff\\xfe")
        >>> read_text("/tmp/yaml_load_doc.yaml")
        Traceback (most recent call last):
        ...
        workbench.core.yaml_load.InputError: /tmp/yaml_load_doc.yaml:1:1: error INPUT005: /tmp/yaml_load_doc.yaml \
is not UTF-8 text (byte 0) Hint: save the file as UTF-8 (is it a binary file?)
    """
    budget = budget or InputBudget()
    file = name or str(path)
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        raw = b"" if size > budget.max_bytes else handle.read(budget.max_bytes + 1)
    if size > budget.max_bytes or len(raw) > budget.max_bytes:
        shown = f"{size:,} bytes" if size > budget.max_bytes else f"more than {budget.max_bytes:,} bytes"
        raise BudgetExceeded("max_bytes", "INPUT001",
                             f"the file is {shown} (budget: {budget.max_bytes / MiB:g} MiB per input file)", file,
                             hint=f"split it, or raise the budget with {MAX_BYTES_ENV}=<bytes>")
    try:
        text = raw.decode("utf-8-sig")
        bad = _CONTROL.search(text)
        offset = -1 if bad is None else len(text[:bad.start()].encode("utf-8")) + raw.startswith(b"\xef\xbb\xbf") * 3
    except UnicodeDecodeError as exc:
        offset = exc.start
    if offset < 0:
        return text
    line = raw.count(b"\n", 0, offset)
    mark = _Where(line, offset - (raw.rfind(b"\n", 0, offset) + 1))
    raise InputError(NOT_TEXT, f"{file} is not UTF-8 text (byte {offset})", file, mark,
                     "save the file as UTF-8 (is it a binary file?)")


def check_json(text: str, file: str = "<string>", budget: InputBudget | None = None) -> None:
    """Check JSON text against the depth and node budgets *before* :func:`json.loads` recurses into it.

    A cheap scan: strings are blanked, the bracket depth and the value count measured at C speed.
    Invalid JSON is not reported here (the parser's message is better); it only must not be too deep.

    Example:
        >>> check_json('{"a": [[1, "]]]"]]}', budget=InputBudget(max_depth=3))
        >>> check_json("[[[[1]]]]", "deep.json", InputBudget(max_depth=3))
        Traceback (most recent call last):
        ...
        workbench.core.yaml_load.BudgetExceeded: deep.json: error INPUT004: the document nests deeper than 3 levels \
(budget: nesting depth 3) Hint: flatten the structure; no Mission or state machine needs this depth
    """
    budget = budget or InputBudget()
    blank = _JSON_STRING.sub('""', text)
    brackets = _NOT_BRACKET.sub("", blank).translate(_BRACKET_SIGN)
    if brackets and max(accumulate(map(_SIGN_VALUE.__getitem__, brackets))) > budget.max_depth:
        raise _too_deep(file, budget)
    nodes = _JSON_SCALAR.subn("", blank)[1] + brackets.count("+")
    if nodes > budget.max_nodes:
        raise _too_many(file, budget)


def loads_json(text: str, file: str = "<string>", budget: InputBudget | None = None,
               **kwargs: Any) -> Any:  # Any: kwargs are json.loads's own options; its hooks decide what is returned
    """:func:`json.loads` after :func:`check_json`; ``kwargs`` go to ``json.loads``.

    Example:
        >>> loads_json('{"a": [1, 2]}')
        {'a': [1, 2]}
    """
    import json

    check_json(text, file, budget)

    def no_constant(name: str) -> NoReturn:
        raise _not_a_number(file, f"{name} is not a JSON number")

    def int_within_budget(digits: str) -> int:
        if len(digits) > MAX_DIGITS:
            raise _not_a_number(file, f"a number with {len(digits):,} digits is too long")
        return int(digits)

    kwargs.setdefault("parse_constant", no_constant)
    kwargs.setdefault("parse_int", int_within_budget)
    try:
        return json.loads(text, **kwargs)
    except RecursionError:  # a caller already deep in the stack: report the budget, never a traceback
        raise _too_deep(file, budget or InputBudget()) from None


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
