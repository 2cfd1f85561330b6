"""What the frames need from an ASL definition, looked up by state name.

Histories do not say which Parallel branch a state belongs to (by the definition's numbering), what
a state's Retry policy is, or the Error of a Fail state that ran inside a Map; the definition does.
A Fail state's ``Error``/``Cause`` count only when they are plain text: a JSONata template
(``{% ... %}``) or an ``ErrorPath``/``CausePath`` is evaluated at run time, so only the history knows
the value. The index is tolerant: definitions with placeholders or odd shapes yield fewer answers.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from workbench.history._types import JsonDict


class StateInfo(NamedTuple):
    """One state of the definition."""

    type: str
    parent: str | None  # enclosing Map/Parallel state name (None at top level)
    branch: int | None  # Parallel branch index for states directly inside a branch
    retry: str | None  # the Retry array as JSON text
    error: str | None  # Fail state's Error / Cause when static text (never a template)
    cause: str | None


def static_text(value: Any) -> str | None:  # Any: ASL definition is JSON
    """A Fail state's ``Error``/``Cause`` if it is fixed text; None for a JSONata template or a non-string.

    Example:
        >>> static_text("Deploy.Failed"), static_text('{% "deploy " & $id & " failed" %}'), static_text(3)
        ('Deploy.Failed', None, None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    return None if text.startswith("{%") and text.endswith("%}") else value


class DefinitionIndex:
    """States of a definition by ``(parent, name)`` and by name.

    Example:
        >>> idx = DefinitionIndex({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
        ...     "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        ...                  {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}}})
        >>> idx.lookup("P", "B").branch
        1
    """

    def __init__(self, definition: JsonDict | None) -> None:
        self.by_key: dict[tuple[str | None, str], StateInfo] = {}
        self.by_name: dict[str, StateInfo] = {}
        if isinstance(definition, dict):
            self._add(definition.get("States"), None, None)

    def _add(self, states: Any, parent: str | None, branch: int | None) -> None:  # Any: ASL definition is JSON
        if not isinstance(states, dict):
            return
        for name, state in states.items():
            if not isinstance(state, dict):
                continue
            stype = str(state.get("Type", ""))
            retry = state.get("Retry")
            info = StateInfo(stype, parent, branch, orjson.dumps(retry).decode() if retry else None,
                             static_text(state.get("Error")), static_text(state.get("Cause")))
            self.by_key[(parent, name)] = info
            self.by_name.setdefault(name, info)
            if stype == "Parallel" and isinstance(state.get("Branches"), list):
                for i, b in enumerate(state["Branches"]):
                    if isinstance(b, dict):
                        self._add(b.get("States"), name, i)
            elif stype == "Map":
                proc = state.get("ItemProcessor") or state.get("Iterator")
                if isinstance(proc, dict):
                    self._add(proc.get("States"), name, None)

    def lookup(self, parent: str | None, name: str) -> StateInfo | None:
        """The state ``name`` inside ``parent`` (falls back to any state of that name).

        Example:
            >>> DefinitionIndex({"States": {"A": {"Type": "Pass"}}}).lookup(None, "A").type
            'Pass'
        """
        return self.by_key.get((parent, name)) or self.by_name.get(name)

    def parent_of(self, name: str) -> str | None:
        """The enclosing Map/Parallel of ``name`` (None at top level or when unknown).

        Example:
            >>> DefinitionIndex(None).parent_of("A") is None
            True
        """
        info = self.by_name.get(name)
        return info.parent if info else None


class DefinitionCache:
    """One :class:`DefinitionIndex` per distinct definition *content*, however many histories carry a copy.

    Definitions read by :func:`~workbench.history.load.iter_histories` are interned (equal ones are one object),
    so most are found by identity; other copies by a cheap key (state machine, ``StartAt``, number of states)
    confirmed by ``==``. A few versions per key are kept.

    Example:
        >>> cache = DefinitionCache()
        >>> a = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> cache.index(a, "sm") is cache.index(dict(a), "sm") is cache.index(a, "sm"), len(cache)
        (True, 1)
    """

    KEEP = 8  #: definitions kept per key (older ones are indexed again if they come back)

    def __init__(self) -> None:
        self._by_key: dict[tuple[str | None, str, int], list[tuple[JsonDict, DefinitionIndex]]] = {}
        self._by_id: dict[int, tuple[JsonDict, DefinitionIndex]] = {}

    def __len__(self) -> int:
        return sum(map(len, self._by_key.values()))

    def index(self, definition: JsonDict, machine: str | None = None) -> DefinitionIndex:
        """The index of ``definition`` (built on first sight of its content)."""
        hit = self._by_id.get(id(definition))
        if hit is not None and hit[0] is definition:
            return hit[1]
        if not isinstance(definition, dict):
            return DefinitionIndex(definition)
        states = definition.get("States")
        key = (machine, str(definition.get("StartAt")), len(states) if isinstance(states, dict) else -1)
        seen = self._by_key.get(key)
        if seen is None:
            seen = self._by_key[key] = []
        for known, idx in seen:
            if known == definition:
                return idx
        idx = DefinitionIndex(definition)
        seen.append((definition, idx))
        self._by_id[id(definition)] = (definition, idx)
        if len(seen) > self.KEEP:
            del self._by_id[id(seen.pop(0)[0])]
        return idx
