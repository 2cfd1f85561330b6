"""Execution overlays for the state-machine graph: one run's statuses, or a heat map of many runs.

Keys are state paths (``Gather/branch[0]/Pull``) or plain state names; a name applies to every
state with that name at any depth, a path to exactly one, and a path wins over a name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from workbench.asl.graph import Node
from workbench.core.diagnostics import WorkbenchError

Status = Literal["succeeded", "failed", "caught", "running", "not_reached"]
STATUSES: tuple[str, ...] = get_args(Status)
Mode = Literal["status", "heat"]


@dataclass(frozen=True, slots=True)
class StateOverlay:
    """What happened to one state: its status, retries, Map iterations, duration and error.

    ``failures`` and ``heat`` (0..1) are filled by ``Overlay.heat`` for many-execution views.
    """

    status: Status
    retries: int = 0
    iterations: int | None = None
    duration_ms: float | None = None
    error: str | None = None
    failures: int = 0
    heat: float | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise WorkbenchError(f"StateOverlay status '{self.status}' is not one of: {', '.join(STATUSES)}")
        if self.retries < 0 or self.failures < 0:
            raise WorkbenchError("StateOverlay retries and failures must be 0 or more")


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
