"""Where a visit happened, in words: ``probe_hosts › iteration 2``, ``gather › branch logs``.

The history frames name a visit by its nesting path (``gather/branch[0]/search_logs``,
``probe_hosts/iter[2]/probe_host``, or ``gather/branch:search_logs/search_logs`` without the definition);
this module reads the definition once for what the path cannot say: every state's type, and a name for
each Parallel branch (its ``Comment``, which Missions set to the branch name, else its first state).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_SCOPE = re.compile(r"^(?:iter\[(?P<iter>[^\]]*)\]|branch\[(?P<num>\d+)\]|branch:(?P<first>.*))$")
_MAX_BRANCH_LABEL = 40


@dataclass
class Shape:
    """The states of a definition by name (any depth), and the names of each Parallel's branches.

    Example:
        >>> s = Shape.of({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        ...     {"Comment": "logs", "StartAt": "A", "States": {"A": {"Type": "Task", "End": True}}}]}}})
        >>> s.types, s.branches
        ({'P': 'Parallel', 'A': 'Task'}, {'P': ['logs']})
    """

    types: dict[str, str] = field(default_factory=dict)
    branches: dict[str, list[str]] = field(default_factory=dict)
    starts: dict[tuple[str, str], str] = field(default_factory=dict)  # (Parallel, first state) → branch label

    @classmethod
    def of(cls, definition: Mapping[str, Any] | None) -> Shape:
        shape = cls()
        if isinstance(definition, Mapping):
            shape._add(definition.get("States"))
        return shape

    def _add(self, states: Any) -> None:  # Any: ASL is JSON
        if not isinstance(states, Mapping):
            return
        for name, state in states.items():
            if not isinstance(state, Mapping):
                continue
            stype = str(state.get("Type", ""))
            self.types.setdefault(str(name), stype)
            if stype == "Parallel" and isinstance(state.get("Branches"), list):
                labels = []
                for i, branch in enumerate(state["Branches"]):
                    if not isinstance(branch, Mapping):
                        labels.append(str(i))
                        continue
                    label = _branch_label(branch, i)
                    labels.append(label)
                    if isinstance(branch.get("StartAt"), str):
                        self.starts[(str(name), branch["StartAt"])] = label
                    self._add(branch.get("States"))
                self.branches[str(name)] = labels
            elif stype == "Map":
                proc = state.get("ItemProcessor") or state.get("Iterator")
                if isinstance(proc, Mapping):
                    self._add(proc.get("States"))


def _branch_label(branch: Mapping[str, Any], index: int) -> str:
    comment = branch.get("Comment")
    if isinstance(comment, str) and comment.strip() and len(comment) <= _MAX_BRANCH_LABEL and "\n" not in comment:
        return comment.strip()
    start = branch.get("StartAt")
    return start if isinstance(start, str) and start else str(index)


def where(path: str, shape: Shape) -> str:
    """The enclosing scopes of a frames path, for people ("" at the top level).

    Example:
        >>> s = Shape(branches={"gather": ["logs", "metrics"]})
        >>> where("probe_hosts/iter[2]/probe_host", s), where("gather/branch[1]/query", s), where("fetch", s)
        ('probe_hosts › iteration 2', 'gather › branch metrics', '')
        >>> where("outer/iter[0]/gather/branch:search/search", s)
        'outer › iteration 0 › gather › branch search'
    """
    tokens = path.split("/")
    parts: list[str] = []
    i = 0
    while i + 2 < len(tokens):  # owner, scope, ..., then the state's own name
        owner, scope = tokens[i], tokens[i + 1]
        m = _SCOPE.match(scope)
        if m is None:  # a state name with a "/" in it: keep the rest as it is
            parts.append("/".join(tokens[i:-1]))
            break
        if m["iter"] is not None:
            parts.append(f"{owner} › iteration {m['iter']}")
        elif m["num"] is not None:
            labels = shape.branches.get(owner, [])
            k = int(m["num"])
            parts.append(f"{owner} › branch {labels[k] if k < len(labels) else k}")
        else:
            parts.append(f"{owner} › branch {shape.starts.get((owner, m['first']), m['first'])}")
        i += 2
    return " › ".join(parts)
