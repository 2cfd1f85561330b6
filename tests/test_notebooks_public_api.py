"""The notebooks use only the public API: the names in ``__all__`` of workbench, workbench.widgets,
workbench.viz and workbench.store.

A notebook is what a new user copies from, so it must not teach internals that may move
(``workbench.history.frames.build``, ``workbench.report.sections``...). Each notebook's code cells are
parsed with ``ast`` (IPython magics turned into Python first, and the code inside ``%time``/``%%time``
-like magics checked too), and these are refused:

* importing a ``workbench`` module other than ``workbench``, ``workbench.widgets`` and ``workbench.viz``
  (``import workbench.history``, ``from workbench.report import build``);
* importing a name that is not in that package's ``__all__`` (``from workbench import not_public``);
* reaching a module or name through a path that is not public (``workbench.history.frames.build(...)``,
  ``wb.viz.figures.run`` after ``import workbench as wb``), also with ``getattr`` and
  ``importlib.import_module``;
* any name starting with ``_`` from workbench (``workbench._lazy``, ``from workbench import _LAZY``).

Attributes of a public object are free (``workbench.FaultPlan.model_validate``, ``explorer.tabs``).
Failures name the notebook, the cell (counted from 1, markdown cells included, top to bottom as
JupyterLab shows them), the line in the cell and the offending code.
"""

from __future__ import annotations

import ast
import importlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PUBLIC_PACKAGES = ("workbench", "workbench.widgets", "workbench.viz", "workbench.store")
#: Magics whose argument (line or cell body) is Python code run in the notebook's namespace.
CODE_MAGICS = frozenset({"time", "timeit", "prun", "capture", "debug"})


def public_names() -> dict[str, frozenset[str]]:
    """Each public package's ``__all__``: the one definition of "public" the notebooks are held to."""
    return {pkg: frozenset(importlib.import_module(pkg).__all__) for pkg in PUBLIC_PACKAGES}


@dataclass(frozen=True)
class Offence:
    """One use of a non-public workbench path at ``line`` of a code cell."""

    line: int
    code: str
    path: str

    def render(self, notebook: str, cell: int) -> str:
        return (f"{notebook} cell {cell} line {self.line}: `{self.code}` uses {self.path}, which is not public API. "
                "Fix: use a name from workbench.__all__, workbench.widgets.__all__, workbench.viz.__all__ "
                "or workbench.store.__all__ "
                "(or export the name from workbench/__init__.py with a docstring example).")


def first_private(path: str, public: Mapping[str, frozenset[str]]) -> str | None:
    """The shortest non-public prefix of the dotted ``path`` (which starts at ``workbench``), or None.

    Example:
        >>> pub = {"workbench": frozenset({"frames"}), "workbench.widgets": frozenset(), "workbench.viz": frozenset()}
        >>> first_private("workbench.history.frames.build", pub), first_private("workbench.frames.cache", pub)
        ('workbench.history', None)
    """
    parts = path.split(".")
    current = parts[0]
    for part in parts[1:]:
        if current not in public:  # past a public name: attributes of a public object are free
            return None
        nxt = f"{current}.{part}"
        if part.startswith("_") or (nxt not in public and part not in public[current]):
            return nxt
        if nxt not in public:
            return None
        current = nxt
    return None


class _Checker:
    """Walks one notebook's code cells in order; ``aliases`` (local name → workbench path) span cells."""

    def __init__(self, public: Mapping[str, frozenset[str]]) -> None:
        self.public = public
        self.aliases: dict[str, str] = {}

    def cell(self, source: str) -> list[Offence]:
        tree = ast.parse(TransformerManager().transform_cell(source))
        found: dict[tuple[int, str], Offence] = {}
        for node in ast.walk(tree):
            for offence in self._node(node, source):
                found.setdefault((offence.line, offence.path), offence)
        return sorted(found.values(), key=lambda o: (o.line, o.path))

    def _bad(self, path: str, node: ast.AST, source: str) -> Iterator[Offence]:
        wrong = first_private(path, self.public) if path.split(".")[0] == "workbench" else None
        if wrong is not None:
            line = getattr(node, "lineno", 1)
            code = (ast.get_source_segment(source, node) or ast.unparse(node)).strip()
            yield Offence(line, code if "\n" not in code else ast.unparse(node), wrong)

    def _node(self, node: ast.AST, source: str) -> Iterator[Offence]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "workbench":
                    continue
                yield from self._module(alias.name, node, source)
                self.aliases[alias.asname or "workbench"] = alias.name if alias.asname else "workbench"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "workbench":
                return
            yield from self._module(node.module, node, source)
            for alias in node.names:
                if alias.name != "*":
                    path = f"{node.module}.{alias.name}"
                    yield from self._bad(path, node, source)
                    self.aliases[alias.asname or alias.name] = path
        elif isinstance(node, ast.Attribute):
            path = self._dotted(node)
            if path is not None:
                yield from self._bad(path, node, source)
        elif isinstance(node, ast.Call):
            yield from self._call(node, source)

    def _module(self, module: str, node: ast.AST, source: str) -> Iterator[Offence]:
        if module.split(".")[0] == "workbench" and module not in self.public:
            yield from self._bad(module, node, source)
            if first_private(module, self.public) is None:  # a public name is not a module to import
                line = getattr(node, "lineno", 1)
                yield Offence(line, ast.unparse(node), module)

    def _dotted(self, node: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.aliases:
            return ".".join([self.aliases[node.id], *reversed(parts)])
        return None

    def _call(self, node: ast.Call, source: str) -> Iterator[Offence]:
        func, args = node.func, node.args
        consts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in args]
        if isinstance(func, ast.Name) and func.id == "getattr" and len(args) >= 2 and consts[1] is not None:
            base = self._dotted(args[0]) if isinstance(args[0], ast.Attribute) else (
                self.aliases.get(args[0].id) if isinstance(args[0], ast.Name) else None)
            if base is not None:
                yield from self._bad(f"{base}.{consts[1]}", node, source)
        elif self._called(func) in ("importlib.import_module", "import_module", "__import__") and args:
            if consts[0] is not None:
                yield from self._module(consts[0], node, source)
        elif self._called(func) in ("run_line_magic", "run_cell_magic") and len(args) >= 2:
            magic = (consts[0] or "").lstrip("%")
            code = consts[-1] if self._called(func) == "run_cell_magic" else consts[1]
            if magic in CODE_MAGICS and code:
                for inner in self.cell(_strip_magic_options(code)):
                    yield Offence(node.lineno + inner.line - 1, inner.code, inner.path)

    @staticmethod
    def _called(func: ast.expr) -> str:
        if isinstance(func, ast.Attribute):
            return func.attr if not isinstance(func.value, ast.Name) else f"{func.value.id}.{func.attr}"
        return func.id if isinstance(func, ast.Name) else ""


def _strip_magic_options(code: str) -> str:
    """``-n 1 -r 2 import x`` → ``import x``: drop leading words until the rest parses as Python."""
    words = code.split(" ")
    for i in range(len(words)):
        rest = " ".join(words[i:])
        try:
            ast.parse(rest)
        except SyntaxError:
            continue
        return rest
    return ""


def check_notebook(path: Path, public: Mapping[str, frozenset[str]] | None = None) -> list[str]:
    """One message per non-public use in the notebook at ``path`` (none: it keeps to the public API)."""
    checker = _Checker(public or public_names())
    nb = json.loads(path.read_text(encoding="utf-8"))
    messages = []
    for number, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        try:
            offences = checker.cell(source)
        except SyntaxError as exc:
            messages.append(f"{path.name} cell {number} line {exc.lineno}: does not parse ({exc.msg})")
            continue
        messages.extend(o.render(path.name, number) for o in offences)
    return messages


def check_source(source: str) -> list[str]:
    """The offending paths of one code cell, for the checker's own tests."""
    return [o.path for o in _Checker(public_names()).cell(source)]


NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_the_notebooks_are_all_checked() -> None:
    names = {p.name for p in NOTEBOOK_FILES}
    assert {"01-design-a-mission.ipynb", "03-analyze-history.ipynb", "04-share-a-report.ipynb",
            "05-explore-histories.ipynb"} <= names


@pytest.mark.parametrize("notebook", NOTEBOOK_FILES, ids=[p.name for p in NOTEBOOK_FILES])
def test_every_notebook_uses_only_the_public_api(notebook: Path) -> None:
    problems = check_notebook(notebook)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(("snippet", "offending"), [
    ("from workbench.history.analysis import state_latency", "workbench.history"),
    ("import workbench.history.frames", "workbench.history"),
    ("import workbench\nf = workbench.history.frames.build(runs)", "workbench.history"),
    ("import workbench as wb\nwb.report.sections.summary(ctx)", "workbench.report"),
    ("from workbench import viz\nviz.figures.run.run_figure(f)", "workbench.viz.figures"),
    ("from workbench.viz import figures", "workbench.viz.figures"),
    ("from workbench import _lazy", "workbench._lazy"),
    ("import workbench\nworkbench._LAZY", "workbench._LAZY"),
    ("from workbench.widgets import _pane", "workbench.widgets._pane"),
    ("from workbench import not_a_public_name", "workbench.not_a_public_name"),
    ("import workbench.state_list", "workbench.state_list"),
    ("import importlib\nimportlib.import_module('workbench.report.sections')", "workbench.report"),
    ("import workbench\ngetattr(workbench, 'history')", "workbench.history"),
    ("%time import workbench.history", "workbench.history"),
    ("%%timeit -n 1\nfrom workbench.report import build", "workbench.report"),
])
def test_the_checker_refuses_internal_paths(snippet: str, offending: str) -> None:
    assert check_source(snippet) == [offending]


def test_the_checker_accepts_the_public_api() -> None:
    snippet = """
import workbench
import workbench.viz as viz
from workbench import HistoryExplorer, frames, viz as v2
from workbench.widgets import Launcher
from workbench.viz import timeline_figure
plan = workbench.FaultPlan.model_validate({"seed": 1}).model_copy()
workbench.viz.timeline_figure(frames(runs)).show()
v2.draw(definition)
getattr(workbench, "state_list")(f)
explorer = HistoryExplorer("data")
explorer._private_widget_state  # attributes of a public object are the object's business
"""
    assert check_source(snippet) == []


def test_a_failure_names_the_notebook_cell_line_and_import(tmp_path: Path) -> None:
    bad = tmp_path / "99-bad.ipynb"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# A notebook\n"]},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": ["import workbench\n", "from workbench.history.frames.build import frames\n"]}]
    bad.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    [message] = check_notebook(bad)
    assert message.startswith("99-bad.ipynb cell 2 line 2: `from workbench.history.frames.build import frames` "
                              "uses workbench.history, which is not public API.")
