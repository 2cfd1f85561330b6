"""Intrinsic function calls in JSONPath states: ``States.Format('{} x', $.a)``, nested calls, arity.

A small recursive-descent parser over one string. Nesting is bounded (``MAX_NESTING``), so a hostile
string cannot exhaust the Python stack.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from workbench.asl.lint.syntax.paths import PathProblem, path_problem

# name → (minimum, maximum or None) number of arguments
INTRINSICS: Final[dict[str, tuple[int, int | None]]] = {
    "States.Format": (1, None), "States.StringToJson": (1, 1), "States.JsonToString": (1, 1),
    "States.Array": (0, None), "States.ArrayPartition": (2, 2), "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3), "States.ArrayGetItem": (2, 2), "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1), "States.Base64Encode": (1, 1), "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2), "States.JsonMerge": (3, 3), "States.MathRandom": (2, 3), "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2), "States.UUID": (0, 0),
}
HASH_ALGORITHMS: Final = ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512")
MAX_NESTING: Final = 16

_NAME = re.compile(r"States\.[A-Za-z0-9]+")
_LITERAL = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?(?=\s*[,)])|(true|false|null)(?=\s*[,)])")
_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'")


class _Fail(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def ws(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t\n\r":
            self.i += 1

    def call(self, depth: int) -> None:
        if depth > MAX_NESTING:
            raise _Fail("ASL315", f"intrinsic functions are nested more than {MAX_NESTING} deep")
        m = _NAME.match(self.text, self.i)
        if m is None:
            raise _Fail("ASL315", f"expected an intrinsic function name such as States.Format at character "
                                  f"{self.i + 1}")
        name = m.group()
        if name not in INTRINSICS:
            known = ", ".join(sorted(INTRINSICS))
            raise _Fail("ASL314", f"'{name}' is not an intrinsic function (known: {known})")
        self.i = m.end()
        if self.i >= len(self.text) or self.text[self.i] != "(":
            raise _Fail("ASL315", f"expected '(' after {name}")
        self.i += 1
        args: list[str] = []
        self.ws()
        if self.i < len(self.text) and self.text[self.i] == ")":
            self.i += 1
        else:
            while True:
                self.ws()
                args.append(self.argument(depth))
                self.ws()
                if self.i >= len(self.text):
                    raise _Fail("ASL315", f"{name}( is never closed with ')'")
                c = self.text[self.i]
                self.i += 1
                if c == ")":
                    break
                if c != ",":
                    raise _Fail("ASL315", f"expected ',' or ')' in {name}(...) but found '{c}'")
        low, high = INTRINSICS[name]
        if len(args) < low or (high is not None and len(args) > high):
            want = f"{low}" if high == low else (f"at least {low}" if high is None else f"{low} to {high}")
            raise _Fail("ASL314", f"{name} takes {want} argument(s), not {len(args)}")
        if name == "States.Hash" and args[1].startswith("'") and args[1][1:-1] not in HASH_ALGORITHMS:
            raise _Fail("ASL314", f"States.Hash algorithm {args[1]} is not one of {', '.join(HASH_ALGORITHMS)}")

    def argument(self, depth: int) -> str:
        """Parse one argument; returns its source text."""
        start = self.i
        text = self.text
        if start >= len(text):
            raise _Fail("ASL315", "an argument is missing before the end of the text")
        c = text[start]
        if c == "'":
            m = _STRING.match(text, start)
            if m is None:
                raise _Fail("ASL315", f"the string starting at character {start + 1} is never closed with '")
            self.i = m.end()
        elif c == "$":
            self.i = self._path_end(start)
            problem = path_problem(text[start: self.i].rstrip())
            if problem:
                raise _Fail(problem.code, f"argument '{text[start: self.i].rstrip()}': {problem.message}")
        elif text.startswith("States.", start):
            self.call(depth + 1)
        else:
            m = _LITERAL.match(text, start)
            if m is None:
                raise _Fail("ASL315", f"argument at character {start + 1} is not a 'string', number, true, "
                                      "false, null, a path or an intrinsic function")
            self.i = m.end()
        return text[start: self.i]

    def _path_end(self, start: int) -> int:
        """End of a path argument: the first ',' or ')' outside brackets and quotes."""
        depth = 0
        quote = ""
        i = start
        while i < len(self.text):
            c = self.text[i]
            if quote:
                if c == "\\":
                    i += 1
                elif c == quote:
                    quote = ""
            elif c in "'\"" and depth > 0:
                quote = c
            elif c in "[(":
                depth += 1
            elif c in "])":
                if depth == 0:
                    return i
                depth -= 1
            elif c == "," and depth == 0:
                return i
            i += 1
        return i


@lru_cache(maxsize=16384)
def intrinsic_problem(text: str) -> PathProblem | None:
    """Check one intrinsic function call (the whole string); None when it is well formed.

    Example:
        >>> intrinsic_problem("States.Format('Hello {}', $.name)") is None
        True
        >>> intrinsic_problem("States.Xyz($.a)").code
        'ASL314'
        >>> intrinsic_problem("States.Array('a', $.b").code
        'ASL315'
    """
    parser = _Parser(text)
    try:
        parser.call(0)
    except _Fail as fail:
        return PathProblem(fail.code, fail.message)
    if parser.i != len(text):
        return PathProblem("ASL315", f"unexpected text after the intrinsic function call: '{text[parser.i:]}'")
    return None


def looks_like_intrinsic(text: str) -> bool:
    """True for strings that try to be an intrinsic function call (``States.`` followed by a name)."""
    return text.startswith("States.")
