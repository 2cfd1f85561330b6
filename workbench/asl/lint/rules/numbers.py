"""Numbers written in a form JSON allows but the local engine's ASL grammar refuses (code ASL004, a warning).

moto's interpreter (the embedded engine) reads a definition with an ANTLR grammar whose exponent has no
leading zeros, so ``1e-06`` (how Python writes 0.000001) makes the whole definition unparsable; and its
``ToleratedFailurePercentage`` must be written with a decimal point (``5.0``, not ``5``). Both are found
cheaply: the text scan runs only when a zero-padded exponent appears somewhere in the text.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.asl.json_text import json_number
from workbench.asl.lint.diagnostics.report import Loc, Reporter

_HINT = re.compile(r"[0-9][eE][+-]?0[0-9]")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s{}\[\]:,"]+')
_PADDED = re.compile(r"-?[0-9]+(?:\.[0-9]+)?[eE][+-]?0[0-9]+")
MAX_LISTED = 20


def padded_exponents(text: str) -> list[tuple[int, str]]:
    """(offset, text) of every number in JSON ``text`` written with a zero-padded exponent (outside strings).

    Example:
        >>> padded_exponents('{"P": 1e-06, "Q": "1e-06", "R": 1e-6, "S": 2.5E+07}')
        [(6, '1e-06'), (43, '2.5E+07')]
    """
    if not _HINT.search(text):
        return []
    return [(m.start(), m.group()) for m in _TOKEN.finditer(text)
            if m.group()[0] != '"' and _PADDED.fullmatch(m.group())]


def check_number_text(text: str, rep: Reporter) -> None:
    """Report numbers of a JSON text that the local engine's grammar cannot read (at their line and column)."""
    found = padded_exponents(text)
    unlisted = len(found) - MAX_LISTED
    for i, (offset, number) in enumerate(found[:MAX_LISTED]):
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        more = f" ({unlisted} more numbers like this are not listed)" if unlisted > 0 and i == MAX_LISTED - 1 else ""
        rep.add("ASL004", (), f"the number {number} has a zero-padded exponent: valid JSON, but the local engine "
                              f"cannot parse the definition; write it as {json_number(float(number))}{more}",
                at=(line, column))


def check_percentage_form(state: dict[str, Any], loc: Loc, rep: Reporter) -> None:
    """An integer ``ToleratedFailurePercentage``: the local engine's grammar wants a decimal point."""
    value = state.get("ToleratedFailurePercentage")
    if type(value) is int and 0 <= value <= 100:
        rep.add("ASL004", (*loc, "ToleratedFailurePercentage"),
                f"ToleratedFailurePercentage is written as the integer {value}; the local engine only reads it "
                f"with a decimal point, so write {value}.0 (the same number)")
