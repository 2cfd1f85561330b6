"""Where findings are collected: ASL locations as tuples, rendered as ``States.Fetch.Retry[0].BackoffRate``.

Rules work on location tuples (``("States", "Fetch", "Retry", 0, "BackoffRate")``) so state names that
contain dots stay unambiguous; they are rendered to strings (and mapped to line/column) only once, at
the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import NamedTuple

from workbench.asl.lint.diagnostics.codes import CODES
from workbench.core.diagnostics import Diagnostic, Severity

Loc = tuple[str | int, ...]
Position = tuple[int, int]

_PLAIN = re.compile(r'[^.\[\]"]+')
_SEGMENT = re.compile(r'\.?([^.\[\]"]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def render_location(loc: Loc) -> str:
    """``("States", "A", "Retry", 0)`` → ``States.A.Retry[0]``; awkward names become ``["a.b"]``.

    Example:
        >>> render_location(("States", "Fetch", "Retry", 0, "BackoffRate"))
        'States.Fetch.Retry[0].BackoffRate'
    """
    out: list[str] = []
    for seg in loc:
        if isinstance(seg, int):
            out.append(f"[{seg}]")
        elif _PLAIN.fullmatch(seg):
            out.append(f".{seg}" if out else seg)
        else:
            out.append(f"[{json.dumps(seg)}]")
    return "".join(out)


def parse_location(text: str) -> Loc:
    """Inverse of :func:`render_location`.

    Example:
        >>> parse_location('States.Gather.Branches[0].States["a.b"].Next')
        ('States', 'Gather', 'Branches', 0, 'States', 'a.b', 'Next')
    """
    segs: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"not an ASL location: {text!r} (stuck at character {pos + 1})")
        name, index, quoted = m.groups()
        if name is not None:
            segs.append(name)
        elif index is not None:
            segs.append(int(index))
        else:
            segs.append(json.loads(quoted))
        pos = m.end()
    return tuple(segs)


class Finding(NamedTuple):
    """One problem before it gets a file position: code, location tuple, message, hint, severity."""

    code: str
    loc: Loc
    message: str
    hint: str | None
    severity: Severity
    at: Position | None = None


class Reporter:
    """Collects findings; rules call :meth:`add` with a code from :data:`CODES`."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        # Facts that need the whole machine before they become findings (see core.lint):
        self.custom_state_errors: list[tuple[str, Loc]] = []  # 'States.*' names caught but not predefined
        self.thrown_errors: set[str] = set()  # literal Error names of Fail states

    def add(self, code: str, loc: Loc, message: str, hint: str | None = None,
            severity: Severity | None = None, at: Position | None = None) -> None:
        """Record a finding; ``at`` pins a (line, column) when the location alone is ambiguous."""
        self.findings.append(Finding(code, loc, message, hint, severity or CODES[code].severity, at))

    def diagnostics(self, file: str | None, locate: Callable[[Loc], Position | None] | None) -> list[Diagnostic]:
        """Turn findings into Diagnostics, with line/column when ``locate`` is given, in text order."""
        out: list[tuple[tuple[int, int, int], Diagnostic]] = []
        for order, f in enumerate(self.findings):
            pos = f.at or (locate(f.loc) if locate else None)
            line, col = pos if pos else (None, None)
            diag = Diagnostic(code=f.code, severity=f.severity, message=f.message, location=render_location(f.loc),
                              file=file, line=line, column=col, hint=f.hint)
            key = (line, col, order) if line is not None and col is not None else (1 << 30, 0, order)
            out.append((key, diag))
        out.sort(key=lambda pair: pair[0])
        return [d for _, d in out]
