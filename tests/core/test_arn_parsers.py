"""``workbench/core/arn.py`` (with ``arn_syntax.py``, its field layer) is the only ARN parser: no other module
splits, slices or regex-matches ARNs by hand.

The rules read the code (``ast``), so comments, docstrings and error messages that merely *show* an ARN never
count, and neither does writing one (``f"arn:aws:lambda:{region}:..."``). What counts as parsing by hand:

1. splitting on ``":"`` (``split``/``rsplit``/``partition``/``rpartition``) when the text split is named like
   an ARN (``arn``, ``resource``, ``function``, ``lambda``, ``machine``, ``execution``) or the enclosing
   function also handles ARN text (a string such as ``"arn:..."``, ``":function:"`` or ``"stateMachine"``);
2. testing or cutting text with an ARN fragment (``startswith("arn:")``, ``":execution:" in x``,
   ``x.replace(":stateMachine:", ...)``);
3. comparing a field picked by position with an ARN word (``parts[5] == "stateMachine"``);
4. a regular expression that spells ``arn:``.

A non-ARN colon split (``module:function`` specs, ``choice:a,b``) is left alone by rule 1; the self-tests
below show each rule catching a sample bad line and passing its look-alikes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "workbench"
THE_PARSER = PACKAGE / "core" / "arn.py"
#: The only modules allowed to parse ARNs: ``arn.py``, the syntax layer it builds on, and Lambda function names.
PARSERS = frozenset({THE_PARSER, PACKAGE / "core" / "arn_syntax.py", PACKAGE / "core" / "lambda_names.py"})

_SPLITS = {"split", "rsplit", "partition", "rpartition"}
_STRING_TESTS = _SPLITS | {"replace", "find", "rfind", "index", "rindex", "count", "startswith", "endswith",
                           "removeprefix", "removesuffix"}
_REGEX_CALLS = {"compile", "match", "fullmatch", "search", "sub", "subn", "findall", "finditer", "split"}
_FRAGMENT = re.compile(r"^arn:|:(?:stateMachine|execution|express|mapRun|activity|function|states|lambda):")
_FIELD_WORDS = {"arn", "stateMachine", "execution", "express", "mapRun", "activity", "function", "lambda", "states"}
_MARKER_WORDS = {"arn", "stateMachine", "mapRun"}
_ARN_NAME = re.compile(r"(?i)arn|resource|function|lambda|machine|execution")


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _docstrings(tree: ast.AST) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and _text(first.value) is not None:
                out.add(id(first.value))
    return out


def _handles_arns(scope: ast.AST, docstrings: set[int]) -> bool:
    """The scope has a (non-docstring) string that only ARN code would hold."""
    for node in ast.walk(scope):
        text = _text(node)
        if text is not None and id(node) not in docstrings and (_FRAGMENT.search(text) or text in _MARKER_WORDS):
            return True
    return False


def _is_word(node: ast.AST) -> bool:
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_word(e) for e in node.elts)
    return _text(node) in _FIELD_WORDS


def _is_positional(node: ast.AST) -> bool:
    if not isinstance(node, ast.Subscript):
        return False
    index = node.slice.operand if isinstance(node.slice, ast.UnaryOp) else node.slice
    return isinstance(index, ast.Slice) or (isinstance(index, ast.Constant) and isinstance(index.value, int))


def hand_parsers(source: str) -> list[tuple[int, str]]:
    """(line, rule) for each place in ``source`` that parses an ARN by hand."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    scopes: dict[int, ast.AST] = {}
    for scope in ast.walk(tree):
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for node in ast.walk(scope):
                scopes[id(node)] = scope  # inner functions come later in the walk and win
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            method, arg = node.func.attr, _text(node.args[0])
            receiver = ast.unparse(node.func.value)
            if method in _SPLITS and arg is not None and ":" in arg:
                scope = scopes.get(id(node), node)
                if _ARN_NAME.search(receiver) or _handles_arns(scope, docstrings):
                    found.append((node.lineno, f"splits '{receiver}' on ':'"))
            elif method in _STRING_TESTS and arg is not None and _FRAGMENT.search(arg):
                found.append((node.lineno, f"{method}({arg!r})"))
            elif receiver == "re" and method in _REGEX_CALLS and arg is not None and "arn:" in arg:
                found.append((node.lineno, f"regex {arg!r}"))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if (isinstance(node.ops[0], ast.In | ast.NotIn) and (_text(node.left) or "")
                    and _FRAGMENT.search(_text(node.left) or "")):
                found.append((node.lineno, f"{_text(node.left)!r} in ..."))
            elif any(_is_word(s) for s in sides) and any(_is_positional(s) for s in sides):
                found.append((node.lineno, f"positional field compared: {ast.unparse(node)}"))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p not in PARSERS)


def test_the_allow_list_is_the_parser_and_nothing_else() -> None:
    """Each allowed module exists and does parse ARNs (so the list cannot silently cover a stale path)."""
    for path in PARSERS:
        assert path.is_file(), path
        assert hand_parsers(path.read_text(encoding="utf-8")), f"{path.relative_to(ROOT)} parses no ARN"


def test_no_module_but_core_arn_parses_arns_by_hand() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{line}: {rule}"
                 for path in _modules() for line, rule in hand_parsers(path.read_text(encoding="utf-8"))]
    assert not offenders, ("ARNs parsed by hand; use workbench.core.arn (Arn.parse / Arn.try_parse, FunctionRef, "
                           "short_name, function_name):\n" + "\n".join(offenders))


@pytest.mark.parametrize("bad", [
    'parts = arn.split(":")',
    'name = execution_arn.rsplit(":", 1)[-1]',
    'head, _, rest = self.lambda_.partition(":")',
    'def f(text):\n    parts = text.split(":")\n    return parts[5] == "stateMachine"',
    'def f(text):\n    if text.startswith("arn:"):\n        return text.split(":")[6]',
    'if ":function:" in value:\n    pass',
    'ok = ":activity:" not in resource',
    'machine = sm.replace(":stateMachine:", ":execution:", 1)',
    '_LAMBDA = re.compile(r"arn:[^:]+:lambda:[^:]*:[^:]*:function:.+")',
    'kind = parts[5] in ("execution", "express")',
    'is_states = fields[2:5] == ["states", "", ""]',
])
def test_the_rules_catch_hand_parsers(bad: str) -> None:
    assert hand_parsers(bad), bad


@pytest.mark.parametrize("fine", [
    'module, _, attr = spec.partition(":")',
    'options = spec.kind.split(":", 1)[1].split(",")',
    'hours, minutes = clock.split(":")',
    'arn = f"arn:aws:lambda:{region}:{account}:function:{name}"',
    'raise ValueError("use arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME")',
    'def f(arn):\n    """Not ``arn.split(":")``, nor ``parts[5] == "stateMachine"``."""\n    return Arn.parse(arn)',
    '# parts = arn.split(":")\nx = 1',
    'count = frame["execution"] == "execution"',
    'LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"',
])
def test_the_rules_leave_look_alikes_alone(fine: str) -> None:
    assert hand_parsers(fine) == [], fine


def test_core_imports_only_point_down() -> None:
    """``workbench/core`` is the bottom of the stack: it imports no other workbench package."""
    upward = []
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            upward += [f"{path.relative_to(ROOT)}: {n}" for n in names
                       if n.split(".")[0] == "workbench" and not n.startswith("workbench.core")]
    assert not upward, upward
