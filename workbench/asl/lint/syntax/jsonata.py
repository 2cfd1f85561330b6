"""JSONata in ASL: ``"{% expression %}"`` strings, parsed (never evaluated) with jsonata-python.

Parses are cached by expression text, plain variable paths such as ``$states.input.id`` skip the
parser altogether (generated definitions repeat the same few expressions thousands of times), and one
parser object is reused: building a jsonata-python ``Parser`` costs four times more than a parse.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from jsonata import jexception, parser

from workbench.asl.lint.diagnostics.report import Loc, Reporter

_TRIVIAL = re.compile(r"\s*(\$[A-Za-z_]\w*(\.[A-Za-z_]\w*|\[\d+\])*|-?\d+(\.\d+)?|'[^'\\]*'|true|false|null)\s*")
_EVAL = re.compile(r"\$eval\s*\(")


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@lru_cache(maxsize=32768)
def jsonata_syntax_error(expression: str) -> str | None:
    """The parser's message for a JSONata expression that does not parse, else None.

    Example:
        >>> jsonata_syntax_error("$states.input.a + 1") is None
        True
        >>> jsonata_syntax_error("10 + * 2")
        'Syntax error: 2 (S0201 at character 8)'
    """
    if _TRIVIAL.fullmatch(expression):
        return None
    if not expression.strip():
        return "the expression is empty"
    global _parser
    with _lock:
        p = _parser
        p.ancestry, p.ancestor_index, p.ancestor_label, p.errors = [], 0, 0, []  # as a fresh Parser()
        try:
            p.parse(expression)
        except jexception.JException as exc:
            return f"{exc} ({exc.error} at character {exc.location})"
        except RecursionError:
            _parser = parser.Parser()
            return "the expression is nested too deeply to parse"
        except Exception as exc:  # third-party code: report, never crash the linter
            _parser = parser.Parser()
            return f"the JSONata parser failed: {type(exc).__name__}: {exc}"
    return None


_lock = threading.Lock()
_parser = parser.Parser()


def is_jsonata(value: object) -> bool:
    """True for strings written as a JSONata expression: ``{% ... %}``."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and len(value) >= 4


def check_jsonata_string(value: str, loc: Loc, rep: Reporter) -> None:
    """Report surround and syntax problems of one string found in a JSONata state."""
    starts, ends = value.startswith("{%"), value.endswith("%}")
    if not starts and not ends:
        return
    if not (starts and ends) or len(value) < 4:
        missing = "'%}' at the end" if starts else "'{%' at the start"
        rep.add("ASL321", loc, f"'{_clip(value)}' looks like a JSONata expression but lacks {missing}; "
                               "write it as \"{% expression %}\" (or remove the marker to keep plain text)")
        return
    expression = value[2:-2]
    problem = jsonata_syntax_error(expression)
    if problem:
        rep.add("ASL320", loc, f"JSONata expression '{_clip(expression.strip())}' does not parse: {problem}",
                hint="check parentheses, quotes and operators; strings inside JSONata use single quotes")
    elif _EVAL.search(expression):
        rep.add("ASL325", loc, "Step Functions does not provide $eval; use $parse() to read JSON text")


def check_jsonata_in_jsonpath(value: str, loc: Loc, rep: Reporter) -> None:
    """Warn when a JSONPath state holds a ``{% %}`` string: it is passed on as plain text."""
    if is_jsonata(value):
        rep.add("ASL322", loc, f"'{_clip(value)}' is JSONata, but this state uses JSONPath, so it is plain text; "
                               "set \"QueryLanguage\": \"JSONata\" on the state (or the state machine)")
