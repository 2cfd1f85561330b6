"""No test asserts something that cannot fail.

``assert (x, "message")`` (a tuple), ``assert f"..."``, ``assert [a == b]``, ``assert x or True``,
``assert "literal"`` and friends are always true, so the check they were meant to make never runs. This
walks every test module's syntax tree (``ast``) and names each such assert.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
_ALWAYS_TRUTHY_NODES = (ast.Tuple, ast.List, ast.Set, ast.Dict, ast.JoinedStr, ast.Lambda, ast.GeneratorExp,
                        ast.ListComp, ast.SetComp, ast.DictComp)


def always_true(node: ast.expr) -> bool:
    """Whether an assert's test is true whatever the code under test does.

    Comprehensions count only as literals do: a list/set/dict display is truthy when it has elements;
    an f-string, a lambda, a generator are objects (always truthy); a constant is what it is; ``or`` is
    true when one operand always is, ``and`` when all are; a comparison of constants is fixed.

    Example:
        >>> [always_true(ast.parse(s, mode="eval").body) for s in ("(x, 'why')", "x or True", "x == 1", "[]")]
        [True, True, False, False]
    """
    if isinstance(node, ast.Constant):
        return bool(node.value)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts)
    if isinstance(node, ast.Dict):
        return bool(node.keys)
    if isinstance(node, _ALWAYS_TRUTHY_NODES):
        return True
    if isinstance(node, ast.BoolOp):
        checks = [always_true(value) for value in node.values]
        return any(checks) if isinstance(node.op, ast.Or) else all(checks)
    if isinstance(node, ast.IfExp):
        return always_true(node.body) and always_true(node.orelse)
    if isinstance(node, ast.Compare):
        return all(isinstance(part, ast.Constant) for part in (node.left, *node.comparators))
    return False


def vacuous_asserts(source: str, filename: str = "<test>") -> list[str]:
    """``file:line: assert ...`` for every assert in ``source`` that cannot fail.

    Example:
        >>> vacuous_asserts("def test():\\n    assert (1 == 2, 'never checked')\\n    assert x\\n")
        ["<test>:2: assert (1 == 2, 'never checked')"]
    """
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Assert) and always_true(node.test):
            found.append(f"{filename}:{node.lineno}: assert {ast.unparse(node.test)}")
    return found


@pytest.mark.parametrize("snippet", [
    "assert True", "assert 1", "assert 'text'", "assert ...", "assert (a, b)", "assert (a == b, 'why')",
    "assert f'{x}'", "assert [x]", "assert {'a': x}", "assert {x}", "assert x or True", "assert x or 'y'",
    "assert lambda: x", "assert (y for y in x)", "assert [y for y in x]", "assert 1 == 1",
    "assert ('a' if c else 'b') if d else True", "assert True and 'x'",
])
def test_the_checker_catches(snippet: str) -> None:
    assert vacuous_asserts(snippet)


@pytest.mark.parametrize("snippet", [
    "assert x", "assert x == 1", "assert not x", "assert x, 'why'", "assert x and True", "assert []",
    "assert ''", "assert 0", "assert None", "assert x or y", "assert f(x)", "assert x is not None",
    "assert (x)", "assert x if c else True", "assert all(y for y in x)",
])
def test_the_checker_lets_real_checks_through(snippet: str) -> None:
    assert not vacuous_asserts(snippet)


def test_no_test_module_has_an_assert_that_cannot_fail() -> None:
    found = [hit for path in sorted(TESTS.rglob("*.py"))
             for hit in vacuous_asserts(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS.parent)))]
    assert not found, "asserts that can never fail:\n" + "\n".join(found)
