"""Re-interleave the concurrent events of a recorded history, as another run of the same work could write them.

Inside a Parallel (``ParallelStateStarted`` … its ``ParallelStateSucceeded/Failed``) or a Map
(``MapStateStarted`` … ``MapStateSucceeded/Failed``), each branch or iteration is a thread of events
linked by ``previousEventId``. Step Functions writes those threads in whatever order they ran; this
module writes them in another order (each thread's own order kept), then renumbers every id and
``previousEventId`` consistently. Only the numbering and the interleaving change, never what ran.

Windows holding ``*Aborted`` events are left alone: an abort points at a failure in *another* thread,
so moving threads apart could put an abort before the failure that caused it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_STARTS = {"ParallelStateStarted": "Parallel", "MapStateStarted": "Map"}
Order = Callable[[list[list[int]]], list[int]]


def _ends(kind: str) -> set[str]:
    return {f"{kind}StateSucceeded", f"{kind}StateFailed", f"{kind}StateAborted"}


def reverse_threads(groups: list[list[int]]) -> list[int]:
    """The threads one after the other, last-started first."""
    return [k for g in reversed(groups) for k in g]


def round_robin(groups: list[list[int]]) -> list[int]:
    """One event of each thread in turn, last-started thread first."""
    out: list[int] = []
    queues = [list(g) for g in reversed(groups)]
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


class _History:
    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = sorted(events, key=lambda e: int(e["id"]))
        self.pos = {int(e["id"]): k for k, e in enumerate(self.events)}

    def parent(self, k: int) -> int | None:
        prev = self.events[k].get("previousEventId")
        return self.pos.get(int(prev)) if isinstance(prev, int) and prev > 0 else None

    def closes(self, end: int, start: int, kind: str) -> bool:
        """Does event ``end`` close the container started at ``start`` (nested ones of its kind balanced)?"""
        depth = 0
        k = self.parent(end)
        while k is not None:
            if k == start:
                return depth == 0
            etype = self.events[k]["type"]
            if etype in _ends(kind):
                depth += 1
            elif _STARTS.get(etype) == kind:
                depth -= 1
            k = self.parent(k)
        return False

    def thread_of(self, k: int, start: int) -> int | None:
        """The first event of the thread (branch / iteration) of ``start`` that event ``k`` belongs to."""
        child = None
        while k is not None and k != start:
            child, k = k, self.parent(k)  # type: ignore[assignment]
        return child if k == start else None


def windows(events: list[dict[str, Any]]) -> list[tuple[int, int, list[list[int]]]]:
    """Outermost Parallel/Map windows as (start position, end position, threads of positions)."""
    h = _History(events)
    out = []
    k = 0
    while k < len(h.events):
        kind = _STARTS.get(h.events[k]["type"])
        end = None
        if kind is not None:
            end = next((j for j in range(k + 1, len(h.events))
                        if h.events[j]["type"] in _ends(kind) and h.closes(j, k, kind)), None)
        if kind is None or end is None:
            k += 1
            continue
        threads: dict[int | None, list[int]] = {}
        for j in range(k + 1, end):
            threads.setdefault(h.thread_of(j, k), []).append(j)
        aborted = any(h.events[j]["type"].endswith("Aborted") for j in range(k + 1, end))
        if None not in threads and not aborted:
            out.append((k, end, list(threads.values())))
        k = end + 1
    return out


def reinterleave(events: list[dict[str, Any]], order: Order = reverse_threads) -> list[dict[str, Any]]:
    """The same events with every Parallel/Map window's threads written in ``order``, ids renumbered 1..n.

    Example:
        >>> evs = [{"id": 1, "previousEventId": 0, "type": "ParallelStateStarted"},
        ...        {"id": 2, "previousEventId": 1, "type": "PassStateEntered"},
        ...        {"id": 3, "previousEventId": 1, "type": "WaitStateEntered"},
        ...        {"id": 4, "previousEventId": 3, "type": "ParallelStateSucceeded"}]
        >>> [(e["id"], e["previousEventId"], e["type"]) for e in reinterleave(evs)][1:3]
        [(2, 1, 'WaitStateEntered'), (3, 1, 'PassStateEntered')]
    """
    h = _History(events)
    order_of = list(range(len(h.events)))
    for start, end, threads in windows(h.events):
        order_of[start + 1:end] = order(threads)
    new_id = {int(h.events[k]["id"]): n + 1 for n, k in enumerate(order_of)}
    out = []
    for k in order_of:
        e = dict(h.events[k])
        prev = e.get("previousEventId")
        e["id"] = new_id[int(e["id"])]
        if isinstance(prev, int) and prev > 0:
            e["previousEventId"] = new_id[prev]
        out.append(e)
    return out


def threads_moved(events: list[dict[str, Any]]) -> int:
    """How many windows have at least two threads (what re-interleaving can actually change)."""
    return sum(len(threads) > 1 for _s, _e, threads in windows(events))
