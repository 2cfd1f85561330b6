"""Execution overlays for the state-machine graph: one run's statuses, or a heat map of many runs.

Keys are state paths (``Gather/branch[0]/Pull``) or plain state names; a name applies to every
state with that name at any depth, a path to exactly one, and a path wins over a name. A path may name
a Parallel branch by its first state, as history frames do without the definition
(``Gather/branch:Pull/Pull``): :meth:`Overlay.for_graph` turns those into the graph's branch numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from workbench.asl.graph import Graph, Node
from workbench.core.diagnostics import WorkbenchError

Status = Literal["succeeded", "retried", "failed", "caught", "aborted", "running", "incomplete", "not_reached"]
STATUSES: tuple[str, ...] = get_args(Status)
#: Statuses the legend always shows; ``incomplete`` (a history cut before its end) only when present.
LEGEND_STATUSES: tuple[str, ...] = ("succeeded", "retried", "failed", "caught", "aborted", "running", "not_reached")
#: Worst first: the status a state shows when its visits disagree.
RANK = {"running": 0, "incomplete": 1, "failed": 2, "aborted": 3, "caught": 4, "retried": 5, "succeeded": 6}
_BRANCH_BY_NAME = "/branch:"
Mode = Literal["status", "heat", "coverage"]


@dataclass(frozen=True, slots=True)
class StateOverlay:
    """What happened to one state: its status, retries, Map iterations, duration, error and cause.

    ``failures`` and ``heat`` (0..1) are filled by ``Overlay.heat`` for many-execution views.
    """

    status: Status
    retries: int = 0
    iterations: int | None = None
    duration_ms: float | None = None
    error: str | None = None
    failures: int = 0
    heat: float | None = None
    cause: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise WorkbenchError(f"StateOverlay status '{self.status}' is not one of: {', '.join(STATUSES)}")
        if self.retries < 0 or self.failures < 0:
            raise WorkbenchError("StateOverlay retries and failures must be 0 or more")


def worst_status(statuses: Iterable[str]) -> str:
    """The most telling of several visit statuses (running, incomplete, failed, aborted, caught, succeeded).

    Example:
        >>> worst_status(["succeeded", "caught", "succeeded"])
        'caught'
    """
    return min(statuses, key=lambda s: RANK.get(s, 9), default="not_reached")


def display_status(status: str, retries: int) -> str:
    """The status a state is drawn with: ``retried`` for one that succeeded only after retrying.

    Example:
        >>> display_status("succeeded", 2), display_status("succeeded", 0), display_status("caught", 3)
        ('retried', 'succeeded', 'caught')
    """
    return "retried" if status == "succeeded" and retries > 0 else status


class Overlay(Mapping[str, StateOverlay]):
    """State path or name → ``StateOverlay``; ``mode`` picks status colours or heat colours.

    Example:
        >>> ov = Overlay({"Pull": StateOverlay("failed", retries=2, error="States.Timeout"),
        ...               "Fan": StateOverlay("succeeded", iterations=100)})
        >>> ov["Pull"].status
        'failed'
    """

    def __init__(self, states: Mapping[str, StateOverlay] | None = None, *, mode: Mode = "status",
                 executions: int | None = None) -> None:
        self._states: dict[str, StateOverlay] = dict(states or {})
        for key, value in self._states.items():
            if not isinstance(value, StateOverlay):
                raise WorkbenchError(f"overlay entry '{key}' must be a StateOverlay, got {type(value).__name__}")
        self.mode: Mode = mode
        self.executions = executions

    def __getitem__(self, key: str) -> StateOverlay:
        return self._states[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._states)

    def __len__(self) -> int:
        return len(self._states)

    def for_graph(self, graph: Graph) -> Overlay:
        """This overlay with branch-by-first-state keys (``Gather/branch:Pull/Pull``) turned into the graph's
        ids (``Gather/branch[0]/Pull``); keys the graph cannot place stay as they are.

        Example:
            >>> from workbench.asl.graph import graph_of
            >>> g = graph_of({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
            ...     {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            ...     {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}}})
            >>> list(Overlay({"P/branch:B/B": StateOverlay("succeeded")}).for_graph(g))
            ['P/branch[1]/B']
        """
        if not any(_BRANCH_BY_NAME in k for k in self._states):
            return self
        starts = branch_starts(graph)
        states: dict[str, StateOverlay] = {}
        for key, value in self._states.items():
            states.setdefault(resolve_branches(key, starts), value)
        return Overlay(states, mode=self.mode, executions=self.executions)

    def lookup(self, node: Node) -> StateOverlay | None:
        """The entry for ``node``: by its path first, then by its state name."""
        hit = self._states.get(node.id)
        if hit is None and node.is_state:
            hit = self._states.get(node.label)
        return hit

    @classmethod
    def heat(cls, failures: Mapping[str, int], retries: Mapping[str, int] | None = None,
             executions: int | None = None) -> Overlay:
        """A heat overlay over many executions: redder states failed (or retried) more.

        Intensity is ``(failures + retries / 4) / executions`` when ``executions`` is given, else
        relative to the worst state, capped at 1. Nodes show ``✕n`` and ``↻n`` badges.

        Example:
            >>> hot = Overlay.heat({"Pull": 12, "Store": 1}, retries={"Pull": 30}, executions=50)
            >>> round(hot["Pull"].heat or 0, 2), hot.mode
            (0.39, 'heat')
        """
        retries = retries or {}
        keys = list(dict.fromkeys([*failures, *retries]))
        scores = {k: failures.get(k, 0) + retries.get(k, 0) / 4 for k in keys}
        if executions is not None and executions <= 0:
            raise WorkbenchError("Overlay.heat: executions must be a positive count")
        denom = float(executions) if executions else max(scores.values(), default=0.0) or 1.0
        states = {
            k: StateOverlay("failed" if failures.get(k, 0) else "succeeded", retries=retries.get(k, 0),
                            failures=failures.get(k, 0), heat=min(1.0, scores[k] / denom))
            for k in keys
        }
        return cls(states, mode="heat", executions=executions)


def branch_starts(graph: Graph) -> dict[tuple[str, str], str]:
    """(Parallel state id, first state of one of its branches) → that branch's container id.

    Example:
        >>> from workbench.asl.graph import graph_of
        >>> branch_starts(graph_of({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        ...     {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}]}}}))
        {('P', 'A'): 'P/branch[0]'}
    """
    out: dict[tuple[str, str], str] = {}
    for g in graph.graphs():
        for owner, containers in g.containers.items():
            for c in containers:
                start = next((e.target for e in c.graph.edges if e.kind == "start"), None)
                if c.kind == "branch" and start is not None:
                    node = next((n for n in c.graph.nodes if n.id == start), None)
                    if node is not None and node.is_state:
                        out.setdefault((owner, node.label), c.id)
    return out


def resolve_branches(key: str, starts: dict[tuple[str, str], str]) -> str:
    """A path naming branches by their first state (``P/branch:B/B``) → graph ids (``P/branch[1]/B``);
    unchanged when a branch is not in ``starts``.

    Example:
        >>> resolve_branches("P/branch:B/Q/branch:C/C", {("P", "B"): "P/branch[1]", ("P/branch[1]/Q", "C"):
        ...                  "P/branch[1]/Q/branch[0]"})
        'P/branch[1]/Q/branch[0]/C'
    """
    out, rest = "", key
    while True:
        i = rest.find(_BRANCH_BY_NAME)
        if i < 0:
            return out + rest
        owner = out + rest[:i]
        name, sep, tail = rest[i + len(_BRANCH_BY_NAME):].partition("/")
        container = starts.get((owner, name))
        if container is None:
            return key
        out, rest = container, sep + tail
