"""State visits being rebuilt: scopes (top level / Parallel branch / Map iteration) and the rare-path
helpers of the walker (finding owners up the nesting chain, closing visits and their descendants).

A visit is a plain list laid out by the ``V_*`` constants of :mod:`workbench.history.frames.columns`: the
walker's working record is also the output row, so nothing is copied per visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.history.frames.columns import (
    A_END,
    A_OUT,
    V_BOX,
    V_CAUSE,
    V_CUR,
    V_END,
    V_ERROR,
    V_FAIL,
    V_LAST_FAIL,
    V_OPEN,
    V_PARENT,
    V_PATH,
    V_SCOPE,
    V_STATE,
    V_STATUS,
    V_TYPE,
)
from workbench.history.frames.definition_index import DefinitionIndex

Visit = list[Any]  # Any: visit rows mix ints, floats, str and None by field
CONTAINERS = ("Map", "Parallel")
# container bookkeeping, created on demand in V_BOX: child scopes, branch scopes, iteration scopes
B_SCOPES, B_BRANCHES, B_ITERS = range(3)


class Scope:
    """Where visits live: the top level, one Parallel branch, or one Map iteration."""

    __slots__ = ("depth", "members", "parent", "prefix")

    def __init__(self, parent: int, prefix: str, depth: int) -> None:
        self.parent, self.prefix, self.depth = parent, prefix, depth
        self.members: list[int] = []


def box(x: Visit) -> list[Any]:  # Any: visit rows mix ints, floats, str and None by field
    """The container bookkeeping of a Map/Parallel visit (created on first use)."""
    b = x[V_BOX]
    if b is None:
        b = x[V_BOX] = [[], {}, {}]
    return b  # type: ignore[no-any-return]


def fail(x: Visit, k: int, error: str | None, cause: str | None) -> None:
    """Record a failure at event ``k`` (the visit's last outcome is now a failure)."""
    x[V_LAST_FAIL], x[V_FAIL], x[V_ERROR], x[V_CAUSE] = True, k, error, cause


class Visits:
    """The visits of one execution and the operations on them that are not on the hot path."""

    def __init__(self, ts: Sequence[float], g0: int, index: DefinitionIndex | None) -> None:
        self.V: list[Visit] = []
        self.ts, self.g0, self.di = ts, g0, index
        self.root = Scope(-1, "", 0)

    def up(self, v: int, stype: str | None, name: str | None) -> int:
        """Nearest open visit (v itself or an ancestor) of that type and/or name, else -1."""
        V = self.V
        while v >= 0:
            x = V[v]
            if x[V_OPEN] and (stype is None or x[V_TYPE] == stype) and (name is None or x[V_STATE] == name):
                return v
            v = x[V_PARENT]
        return -1

    def latest_open(self, stype: str | None, name: str | None) -> int:
        V = self.V
        for v in range(len(V) - 1, -1, -1):
            x = V[v]
            if x[V_OPEN] and (stype is None or x[V_TYPE] == stype) and (name is None or x[V_STATE] == name):
                return v
        return -1

    def owner(self, pv: int, stype: str | None, name: str | None) -> int:
        """The visit an event belongs to: up the nesting chain from its predecessor's visit, else the
        most recent open visit of that type/name (predecessor unknown or already closed)."""
        v = self.up(pv, stype, name) if pv >= 0 else -1
        return v if v >= 0 else self.latest_open(stype, name)

    def close(self, v: int, j: int, st: str, end: int = -1) -> None:
        """End visit ``v`` at event ``j`` with status ``st``; a failed visit ends at its failure."""
        x = self.V[v]
        if not x[V_OPEN]:
            return
        x[V_OPEN], x[V_STATUS] = False, st
        if end < 0:
            end = x[V_FAIL] if st == "failed" and x[V_FAIL] >= 0 else j
        x[V_END] = self.g0 + end
        a = x[V_CUR]
        if a is not None and a[A_OUT] == "running":
            a[A_END], a[A_OUT] = self.ts[j], ("succeeded" if st == "succeeded" else "aborted")
        if x[V_BOX] is not None:
            self.close_tree(x, j, st == "succeeded")

    def close_members(self, sc: Scope, j: int, ok: bool) -> None:
        V = self.V
        for m in sc.members:
            y = V[m]
            if y[V_OPEN]:
                self.close(m, j, "failed" if y[V_LAST_FAIL] else ("succeeded" if ok else "aborted"))

    def close_tree(self, x: Visit, j: int, ok: bool) -> None:
        for sc in box(x)[B_SCOPES]:
            self.close_members(sc, j, ok)

    def take_error(self, x: Visit, pv: int) -> None:
        """A container inherits the error of the inner visit that failed it."""
        if pv >= 0 and self.V[pv] is not x and self.V[pv][V_ERROR] is not None:
            x[V_ERROR], x[V_CAUSE] = self.V[pv][V_ERROR], self.V[pv][V_CAUSE]

    def infer_failure(self, x: Visit) -> None:
        """A Map/Parallel exits without a recorded outcome (events missing): failed inner visit → caught."""
        b = box(x)
        for sc in (*b[B_BRANCHES].values(), *b[B_ITERS].values()):
            for m in sc.members:
                if self.V[m][V_STATUS] == "failed":
                    x[V_LAST_FAIL], x[V_ERROR], x[V_CAUSE] = True, self.V[m][V_ERROR], self.V[m][V_CAUSE]
                    return

    def branch_scope(self, pv: int, name: str) -> Scope:
        """The Parallel branch of visit ``pv`` that state ``name`` starts.

        Identity never depends on the order branches were seen: the definition's branch number
        (``Gather/branch[1]/``) when the definition places ``name`` directly in a branch of this Parallel,
        else the branch's first state (``Gather/branch:Pull/``): unique within the Parallel, and the
        same in every run and any interleaving of the branches' events.
        """
        par = self.V[pv]
        b = box(par)
        info = self.di.lookup(par[V_STATE], name) if self.di else None
        key: int | str = info.branch if info is not None and info.parent == par[V_STATE] and \
            info.branch is not None else name
        sc = b[B_BRANCHES].get(key)
        if sc is None:
            label = f"branch[{key}]" if type(key) is int else f"branch:{key}"
            sc = b[B_BRANCHES][key] = Scope(pv, f"{par[V_PATH]}/{label}/", par[V_SCOPE].depth + 1)
            b[B_SCOPES].append(sc)
        return sc  # type: ignore[no-any-return]

    def iteration_scope(self, v: int, index: Any) -> Scope:  # Any: visit rows mix ints, floats, str and None by field
        x = self.V[v]
        b = box(x)
        sc = b[B_ITERS][index] = Scope(v, f"{x[V_PATH]}/iter[{index}]/", x[V_SCOPE].depth + 1)
        b[B_SCOPES].append(sc)
        return sc

    def fallback_scope(self, name: str) -> Scope:
        """Scope for an Entered event whose predecessor is unknown (placeholder ids)."""
        V, di = self.V, self.di
        if di is not None and name in di.by_name:
            parent = di.parent_of(name)
            c = -1 if parent is None else self.latest_open(None, parent)
        else:
            c = next((v for v in range(len(V) - 1, -1, -1) if V[v][V_OPEN] and V[v][V_TYPE] in CONTAINERS), -1)
        if c < 0:
            return self.root
        x = V[c]
        if x[V_TYPE] == "Parallel":
            return self.branch_scope(c, name)
        iters = box(x)[B_ITERS]
        if iters:
            return list(iters.values())[-1]  # type: ignore[no-any-return]
        return self.iteration_scope(c, "?")

    def sibling(self, pv: int, stype: str) -> int:
        """An open visit of ``stype`` under the same container as ``pv`` (for *StateAborted events,
        which AWS points at the failure that aborted them, not at the aborted state)."""
        V = self.V
        anc = V[pv][V_PARENT] if pv >= 0 else -1
        for v in range(anc + 1, len(V)):
            y = V[v]
            if y[V_OPEN] and y[V_TYPE] == stype:
                a = y[V_PARENT]
                while a > anc:
                    a = V[a][V_PARENT]
                if a == anc:
                    return v
        return pv
