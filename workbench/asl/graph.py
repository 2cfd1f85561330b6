"""The state-machine graph of any ASL definition: states, transitions, and nested containers.

The graph is a pure function of the definition dict, so the same model serves the SVG drawing,
reachability checks and execution overlays, for our compiled Missions and for real-world ASL alike.

Ids are paths: a top-level state ``Pull`` has id ``Pull``; a state inside the first branch of the
Parallel state ``Gather`` has id ``Gather/branch[0]/Pull``; a Map's ItemProcessor (or legacy
Iterator) is the container ``Fan/iterator``. Every graph gets synthetic Start and End nodes (ids
``<container>/@start`` and ``<container>/@end``; ``@start``/``@end`` at the top level).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.asl.choice_text import rule_text
from workbench.core.arn import Arn, ArnKind
from workbench.core.diagnostics import AslError, Diagnostic, Severity

EdgeKind = Literal["start", "next", "choice", "default", "catch", "end"]
ContainerKind = Literal["branch", "iterator"]

START = "Start"
END = "End"
MISSING = "Missing"
SYNTHETIC_TYPES = frozenset({START, END, MISSING})
TERMINAL_TYPES = frozenset({"Succeed", "Fail"})


@dataclass(frozen=True, slots=True)
class Node:
    """One vertex: a state, the synthetic Start/End of a graph, or a Missing target of a bad ``Next``."""

    id: str
    label: str
    type: str
    comment: str = ""
    detail: str = ""
    scope: str = ""

    @property
    def is_state(self) -> bool:
        return self.type not in SYNTHETIC_TYPES


@dataclass(frozen=True, slots=True)
class Edge:
    """A transition. ``label`` is the Choice condition, ``default``, or the caught error names."""

    source: str
    target: str
    kind: EdgeKind
    label: str = ""


@dataclass(slots=True)
class Container:
    """A Parallel branch or a Map iterator: owned by the state ``owner``, holding its own graph."""

    id: str
    owner: str
    kind: ContainerKind
    title: str
    graph: Graph


@dataclass(slots=True)
class Graph:
    """One level of states (top level, a branch or an iterator) and the containers its states own."""

    id: str
    nodes: list[Node]
    edges: list[Edge]
    start: str
    end: str
    containers: dict[str, list[Container]] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    _index: dict[str, Node] = field(default_factory=dict, repr=False, compare=False)

    def node(self, node_id: str) -> Node:
        """The node with this id on this level (``KeyError`` is never raised to users: ids come from here)."""
        if not self._index:
            self._index = {n.id: n for n in self.nodes}
        return self._index[node_id]

    def adjacency(self, *, include_catch: bool = True) -> dict[str, list[str]]:
        """Plain adjacency of this level, in definition order, for reachability and cycle checks."""
        adj: dict[str, list[str]] = {n.id: [] for n in self.nodes}
        for e in self.edges:
            if include_catch or e.kind != "catch":
                targets = adj[e.source]
                if e.target not in targets:
                    targets.append(e.target)
        return adj

    def reachable(self, source: str | None = None, *, include_catch: bool = True) -> list[str]:
        """Ids reachable from ``source`` (default: Start) on this level, in discovery order.

        Example:
            >>> g = graph_of({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True},
            ...                                          "B": {"Type": "Pass", "End": True}}})
            >>> "B" in g.reachable()
            False
        """
        adj = self.adjacency(include_catch=include_catch)
        first = self.start if source is None else source
        seen = {first}
        order = [first]
        stack = [first]
        while stack:
            for nxt in adj.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    order.append(nxt)
                    stack.append(nxt)
        return order

    def graphs(self) -> Iterator[Graph]:
        """This graph and every nested container graph, outer first."""
        queue: deque[Graph] = deque([self])
        while queue:
            g = queue.popleft()
            yield g
            for owned in g.containers.values():
                queue.extend(c.graph for c in owned)

    def states(self) -> Iterator[Node]:
        """Every state node at any depth (no Start/End/Missing)."""
        for g in self.graphs():
            yield from (n for n in g.nodes if n.is_state)

    def find(self, path: str) -> Node | None:
        """The node with this path at any depth, or None."""
        for g in self.graphs():
            if not g._index:
                g._index = {n.id: n for n in g.nodes}
            hit = g._index.get(path)
            if hit is not None:
                return hit
        return None


def _error(location: str, message: str, hint: str) -> AslError:
    diag = Diagnostic(code="ASL-GRAPH", severity=Severity.ERROR, message=message, location=location, hint=hint)
    return AslError([diag])


def _warning(location: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(code="ASL-GRAPH", severity=Severity.WARNING, message=message, location=location, hint=hint)


def _synthetic_id(base: str, prefix: str, names: Mapping[str, Any]) -> str:
    name = base
    while name in names:
        name = "@" + name
    return prefix + name


def _resource_detail(resource: Any) -> str:
    """Short text for a Task's Resource: ``lambda:invoke``, ``s3:getObject``, ``lambda MyFn``."""
    if not isinstance(resource, str):
        return ""
    res = resource
    suffix = ""
    for tail, note in ((".waitForTaskToken", " (callback)"), (".sync:2", " (sync)"), (".sync", " (sync)")):
        if res.endswith(tail):
            res, suffix = res[: -len(tail)], note
            break
    arn = Arn.try_parse(res)
    if arn is not None and arn.kind is ArnKind.INTEGRATION:
        found = arn.integration
        return (f"{found.service}:{found.action}" if found else arn.resource) + suffix
    if arn is not None and arn.kind in (ArnKind.FUNCTION, ArnKind.ACTIVITY):
        return f"{'lambda' if arn.kind is ArnKind.FUNCTION else 'activity'} {arn.name}{suffix}"
    return resource


def _detail(state: Mapping[str, Any]) -> str:
    kind = state.get("Type")
    if kind == "Task":
        return _resource_detail(state.get("Resource"))
    if kind == "Wait":
        for key in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath"):
            if key in state:
                value = state[key]
                return f"{value} s" if key == "Seconds" else f"{key}: {value}"
    if kind == "Map":
        proc = state.get("ItemProcessor")
        mode = proc.get("ProcessorConfig", {}).get("Mode") if isinstance(proc, Mapping) else None
        return "distributed" if mode == "DISTRIBUTED" else "inline"
    if kind == "Fail":
        err = state.get("Error") or state.get("ErrorPath")
        return str(err) if err is not None else ""
    return ""


class _Builder:
    """Builds one level; nested levels are built by recursion over nesting depth only."""

    def __init__(self, definition: Any, gid: str, location: str, depth: int, warnings: list[Diagnostic]) -> None:
        if depth > 64:
            raise _error(location, "state machine nesting is deeper than 64 levels", "flatten nested branches")
        if not isinstance(definition, Mapping):
            raise _error(location, "expected an object with StartAt and States", "check the JSON structure")
        states = definition.get("States")
        if not isinstance(states, Mapping):
            raise _error(f"{location}.States".lstrip("."), "States must be an object of named states",
                         'write "States": {"Name": {"Type": ...}}')
        self.states: Mapping[str, Any] = states
        self.gid = gid
        self.prefix = f"{gid}/" if gid else ""
        self.location = location
        self.depth = depth
        self.warnings = warnings
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.containers: dict[str, list[Container]] = {}
        self.missing: dict[str, str] = {}
        self.start = _synthetic_id("@start", self.prefix, states)
        self.end = _synthetic_id("@end", self.prefix, states)
        self.start_at = definition.get("StartAt")

    def _loc(self, name: str) -> str:
        return f"{self.location}.States.{name}".lstrip(".")

    def _target(self, name: Any) -> str:
        key = str(name)
        if key in self.states:
            return self.prefix + key
        if key not in self.missing:
            self.missing[key] = _synthetic_id(f"@missing:{key}", self.prefix, self.states)
        return self.missing[key]

    def build(self) -> Graph:
        self.nodes.append(Node(self.start, "Start", START, scope=self.gid))
        if self.start_at is not None:
            self.edges.append(Edge(self.start, self._target(self.start_at), "start"))
        for name, state in self.states.items():
            self._state(str(name), state)
        for label, node_id in self.missing.items():
            self.nodes.append(Node(node_id, label, MISSING, comment="no state with this name", scope=self.gid))
        self.nodes.append(Node(self.end, "End", END, scope=self.gid))
        return Graph(self.gid, self.nodes, self.edges, self.start, self.end, self.containers,
                     self.warnings if not self.gid else [])

    def _state(self, name: str, state: Any) -> None:
        loc = self._loc(name)
        if not isinstance(state, Mapping):
            self.warnings.append(_warning(loc, f"'{name}' in States is not a state object; it is not drawn",
                                          'move it out of States or give it a "Type"'))
            return
        node_id = self.prefix + name
        kind = str(state.get("Type", "?"))
        comment = state.get("Comment")
        self.nodes.append(Node(node_id, name, kind, str(comment) if comment is not None else "",
                               _detail(state), self.gid))
        if kind == "Choice":
            choices = state.get("Choices")
            for rule in choices if isinstance(choices, list) else ():
                if isinstance(rule, Mapping) and "Next" in rule:
                    self.edges.append(Edge(node_id, self._target(rule["Next"]), "choice", rule_text(rule)))
            if "Default" in state:
                self.edges.append(Edge(node_id, self._target(state["Default"]), "default", "default"))
        elif "Next" in state:
            self.edges.append(Edge(node_id, self._target(state["Next"]), "next"))
        if state.get("End") is True or kind in TERMINAL_TYPES:
            self.edges.append(Edge(node_id, self.end, "end"))
        catchers = state.get("Catch")
        for catcher in catchers if isinstance(catchers, list) else ():
            if isinstance(catcher, Mapping) and "Next" in catcher:
                errors = catcher.get("ErrorEquals")
                label = ", ".join(str(e) for e in errors) if isinstance(errors, list) else ""
                self.edges.append(Edge(node_id, self._target(catcher["Next"]), "catch", label))
        if kind == "Parallel":
            self._branches(node_id, loc, state.get("Branches"))
        elif kind == "Map":
            self._iterator(node_id, loc, state)

    def _branches(self, node_id: str, loc: str, branches: Any) -> None:
        if branches is None:
            return
        if not isinstance(branches, list):
            self.warnings.append(_warning(f"{loc}.Branches", "Branches is not a list; branches are not drawn",
                                          'write "Branches": [{"StartAt": ..., "States": {...}}]'))
            return
        owned = []
        for i, branch in enumerate(branches):
            cid = f"{node_id}/branch[{i}]"
            graph = _Builder(branch, cid, f"{loc}.Branches[{i}]", self.depth + 1, self.warnings).build()
            comment = branch.get("Comment") if isinstance(branch, Mapping) else None
            title = str(comment) if isinstance(comment, str) and comment.strip() else f"Branch {i + 1}"
            owned.append(Container(cid, node_id, "branch", title, graph))
        self.containers[node_id] = owned

    def _iterator(self, node_id: str, loc: str, state: Mapping[str, Any]) -> None:
        key = "ItemProcessor" if "ItemProcessor" in state else "Iterator" if "Iterator" in state else None
        if key is None:
            return
        body = state[key]
        title = "Iterator"
        if key == "ItemProcessor" and isinstance(body, Mapping):
            config = body.get("ProcessorConfig")
            mode = config.get("Mode") if isinstance(config, Mapping) else None
            title = "Item processor (distributed)" if mode == "DISTRIBUTED" else "Item processor"
        cid = f"{node_id}/iterator"
        graph = _Builder(body, cid, f"{loc}.{key}", self.depth + 1, self.warnings).build()
        self.containers[node_id] = [Container(cid, node_id, "iterator", title, graph)]


def graph_of(definition: Mapping[str, Any]) -> Graph:
    """The graph of an ASL definition (a dict as loaded from JSON), with nested branch/iterator graphs.

    Raises ``AslError`` naming the ASL location when a level cannot be drawn at all (the
    definition, a branch or an iterator is not an object with ``States``). Smaller defects do not
    raise, so real-world documents still draw: dangling ``Next`` targets become ``Missing`` nodes,
    and non-object entries in ``States`` are skipped with a warning in ``Graph.warnings``.

    Example:
        >>> g = graph_of({"StartAt": "Ask", "States": {
        ...     "Ask": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 3, "Next": "Big"}],
        ...             "Default": "Small"},
        ...     "Big": {"Type": "Succeed"}, "Small": {"Type": "Fail"}}})
        >>> [(e.source, e.target, e.label) for e in g.edges if e.kind in ("choice", "default")]
        [('Ask', 'Big', '$.n > 3'), ('Ask', 'Small', 'default')]
    """
    return _Builder(definition, "", "", 0, []).build()
