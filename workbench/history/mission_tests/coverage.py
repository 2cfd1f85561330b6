"""Coverage of a Mission by its tests: what of the definition the cases exercised.

Five categories, each a list of :class:`Target` read from the definition's graph
(:func:`workbench.asl.graph.graph_of`, the graph every drawing uses, so a target is one node or edge there):

* ``states``: every state, at any depth (a Map body's states count once, whatever the iterations);
* ``transitions``: every ``Next``, every Choice rule and every ``Default``;
* ``catches``: every Catch clause (fired: the clause moved the run on);
* ``retries``: every Retry clause (exercised: an attempt failed with an error it matches, and was retried);
* ``bodies``: every Parallel branch and Map body (entered at least once).

``end`` edges (a state ending its flow) are drawn but not counted. :mod:`~workbench.history.mission_tests.trace`
turns run histories and TestState answers into the keys of the targets hit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.asl.graph import Edge, Graph, graph_of
from workbench.asl.states import walk_states
from workbench.history.mission_tests.definition import JsonObject

__all__ = ["CATEGORIES", "Category", "Coverage", "Target", "edge_key", "graph_edges", "targets"]

Category = Literal["states", "transitions", "catches", "retries", "bodies"]
CATEGORIES: tuple[Category, ...] = ("states", "transitions", "catches", "retries", "bodies")


@dataclass(frozen=True)
class Target:
    """One thing to cover: a stable ``key``, its category (None: drawn only), a label, and where it is drawn."""

    key: str
    category: Category | None
    label: str
    node: str | None = None  # graph node id (states, retries) or container id (bodies)
    edge: Edge | None = None


def edge_key(edge: Edge, ordinal: int) -> str:
    """The coverage key of a graph edge; ``ordinal`` counts the edges of its kind from the same state.

    Example:
        >>> edge_key(Edge("is_ready", "deployed", "choice", "…"), 0), edge_key(Edge("a", "b", "next"), 0)
        ('choice:is_ready#0', 'next:a')
    """
    if edge.kind in ("choice", "catch"):
        return f"{edge.kind}:{edge.source}#{ordinal}"
    if edge.kind == "start":
        return f"state:{edge.target}"
    return f"{edge.kind}:{edge.source}"


def graph_edges(graph: Graph) -> Iterator[tuple[Edge, str]]:
    """Every edge of a graph (nested levels too) with its coverage key; edges to missing states are skipped."""
    for g in graph.graphs():
        seen: Counter[tuple[str, str]] = Counter()
        for edge in g.edges:
            ordinal = seen[(edge.source, edge.kind)]
            seen[(edge.source, edge.kind)] += 1
            if not edge.target.rsplit("/", 1)[-1].startswith("@missing:"):
                yield edge, edge_key(edge, ordinal)


def _retry_label(errors: Any) -> str:  # Any: ASL JSON
    return ", ".join(str(e) for e in errors) if isinstance(errors, list) else "?"


def targets(definition: Mapping[str, Any]) -> list[Target]:  # Any: ASL JSON
    """Every target of a definition, in graph order (states and their edges, level by level).

    Example:
        >>> [t.key for t in targets({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
        ...                                                    "B": {"Type": "Succeed"}}})]
        ['state:A', 'state:B', 'next:A', 'end:B']
    """
    graph = graph_of(definition)
    out: list[Target] = [Target(f"state:{n.id}", "states", f"{n.id} ({n.type})", node=n.id) for n in graph.states()]
    for edge, key in graph_edges(graph):
        if edge.kind == "end":
            out.append(Target(key, None, f"{edge.source} ends", edge=edge))
        elif edge.kind == "catch":
            out.append(Target(key, "catches", f"{edge.source} catches {edge.label} → {_short(edge.target)}", edge=edge))
        elif edge.kind != "start":
            when = {"choice": f" when {edge.label}", "default": " (default)"}.get(edge.kind, "")
            out.append(Target(key, "transitions", f"{edge.source} → {_short(edge.target)}{when}", edge=edge))
    for g in graph.graphs():
        for owned in g.containers.values():
            for container in owned:
                what = "body" if container.kind == "iterator" else f"branch {container.id.rsplit('[', 1)[-1][:-1]}"
                out.append(Target(f"body:{container.id}", "bodies", f"{container.owner} {what}", node=container.id))
    for ref in walk_states(definition):
        for k, retrier in enumerate(ref.state.get("Retry") or []):
            if isinstance(retrier, dict):
                out.append(Target(f"retry:{ref.path}#{k}", "retries",
                                  f"{ref.path} retries {_retry_label(retrier.get('ErrorEquals'))}", node=ref.path))
    return out


def _short(node_id: str) -> str:
    return node_id.rsplit("/", 1)[-1]


@dataclass
class Coverage:
    """What the cases of one Mission covered: the targets and how often each was hit.

    Example:
        >>> cov = Coverage("m", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
        >>> cov.add(["state:A"]); cov.percent("states"), cov.percent()
        (100.0, 100.0)
    """

    mission: str
    definition: JsonObject
    hits: Counter[str] = field(default_factory=Counter)
    targets: list[Target] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.targets:
            self.targets = targets(self.definition)

    def add(self, keys: Iterable[str]) -> None:
        """Count the keys one case hit."""
        self.hits.update(keys)

    def covered(self, key: str) -> bool:
        return self.hits.get(key, 0) > 0

    def count(self, category: Category | None = None) -> tuple[int, int]:
        """(covered, total) of one category, or of all five together."""
        chosen = [t for t in self.targets if t.category is not None and (category is None or t.category == category)]
        return sum(1 for t in chosen if self.covered(t.key)), len(chosen)

    def percent(self, category: Category | None = None) -> float | None:
        """Covered share in percent (None when the category has nothing to cover)."""
        done, total = self.count(category)
        return 100.0 * done / total if total else None

    def uncovered(self, category: Category | None = None) -> list[Target]:
        """The counted targets no case hit, in graph order."""
        return [t for t in self.targets if t.category is not None and (category is None or t.category == category)
                and not self.covered(t.key)]

    def summary(self) -> str:
        """One line: each category's count and percentage, then the overall one.

        Example:
            >>> Coverage("m", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}).summary()
            'states 0/1 (0%), transitions 0/0, catches 0/0, retries 0/0, bodies 0/0; overall 0%'
        """
        parts = []
        for category in CATEGORIES:
            done, total = self.count(category)
            parts.append(f"{category} {done}/{total}" + (f" ({_pct(100.0 * done / total)})" if total else ""))
        return ", ".join(parts) + f"; overall {_pct(self.percent() or 0.0)}"

    def drawing(self) -> tuple[dict[str, bool], dict[Edge, bool], dict[str, bool]]:
        """The graph's states, edges and containers, each covered or not: what the coverage overlay draws.

        A start edge counts as taken when its first state was entered; an end edge when a flow ended there.
        """
        graph = graph_of(self.definition)
        states = {n.id: self.covered(f"state:{n.id}") for n in graph.states()}
        edges = {edge: self.covered(key) for edge, key in graph_edges(graph)}
        containers = {c.id: self.covered(f"body:{c.id}") for g in graph.graphs() for owned in g.containers.values()
                      for c in owned}
        return states, edges, containers

    def to_dict(self) -> dict[str, Any]:  # Any: JSON-ready numbers and lists
        """Counts, percentages and uncovered labels, ready for JSON."""
        out: dict[str, Any] = {"mission": self.mission, "overall": self.percent()}  # Any: JSON
        for category in CATEGORIES:
            done, total = self.count(category)
            out[category] = {"covered": done, "total": total, "percent": self.percent(category),
                             "uncovered": [t.label for t in self.uncovered(category)]}
        return out


def _pct(value: float) -> str:
    """Percent without a misleading 100: 99.6 shows as 99%."""
    return f"{int(value)}%" if value < 100 else "100%"
