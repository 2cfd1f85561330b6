"""The composer's document: the Mission's YAML text is the single source of truth.

Form edits become patches of that text (:mod:`workbench.mission.yaml_patch` edits only the span of the
node that changes, so comments, key order, quoting and flow style survive); the plain data the tree, the
forms and the validation use is parsed *from* the text; undo and redo are stacks of texts, so they cover
typing and form edits alike. While the text does not parse as a mapping the document is *locked*: form
edits raise :class:`FormLocked` and the text is never touched.
"""

from __future__ import annotations

from typing import Any

import yaml

from workbench.asl.validate import Validation, validate_document
from workbench.core.diagnostics import Diagnostic, MissionLoadError, WorkbenchError
from workbench.mission import yaml_patch
from workbench.mission.positions import PositionedDocument, parse_document
from workbench.widgets.composer import mission_edit as edit

UNDO_DEPTH = 200
STARTER_TEXT = "mission: new-mission\nsteps:\n  - id: start\n    pass: null\n"
READ_ONLY_TAIL = "fix it in the YAML tab — the form is read-only until then"


class FormLocked(WorkbenchError):
    """A form edit was refused because the YAML text does not parse as a Mission mapping (the text is kept)."""


class _Dumper(yaml.SafeDumper):
    """Strings holding Unicode line breaks are double-quoted, so they read back unchanged."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if any(c in data for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def data_to_text(data: Any) -> str:
    """Fresh Mission YAML for plain data (a new Mission, an imported ASL definition), in file order.

    Written the way the Mission reader reads it back (YAML 1.1: ``'yes'`` and ``'1:30'`` stay quoted).

    Example:
        >>> data_to_text({"mission": "m", "steps": [{"id": "a", "pass": None}]})
        'mission: m\\nsteps:\\n- id: a\\n  pass: null\\n'
    """
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _locked_reason(diagnostics: list[Diagnostic]) -> str:
    first = diagnostics[0] if diagnostics else None
    if first is None:
        return f"the YAML cannot be read; {READ_ONLY_TAIL}"
    where = f" at line {first.line}" if first.line else ""
    message = first.message.removeprefix("not valid YAML/JSON: ")
    if first.code == "MIS001":
        return f"the YAML has a syntax error{where}: {message}; {READ_ONLY_TAIL}"
    if first.code == "MIS002":
        return f"the YAML has a duplicate key{where}: {message}; {READ_ONLY_TAIL}"
    if first.code == "MIS003":
        return f"the YAML is not a Mission mapping (`mission:` and `steps:`); {READ_ONLY_TAIL}"
    return f"the YAML cannot be read{where}: {message}; {READ_ONLY_TAIL}"


class MissionText:
    """The text of a Mission being composed, what it parses to, and its undo/redo history.

    Example:
        >>> doc = MissionText("mission: m  # a comment\\nsteps:\\n  - {id: a, pass: 1}\\n")
        >>> doc.data["steps"][0]["id"], doc.locked
        ('a', False)
        >>> doc.replace("mission: [oops\\n")
        True
        >>> doc.locked, doc.data["steps"][0]["id"]  # the last readable data is kept for the tree
        (True, 'a')
        >>> doc.undo(), doc.text.startswith("mission: m  # a comment")
        (True, True)
    """

    def __init__(self, text: str = STARTER_TEXT, file: str | None = None) -> None:
        self.file = file
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.undo_stack: list[str] = []
        self.redo_stack: list[str] = []
        self.doc: PositionedDocument | None = None
        self.data: dict[str, Any] = {}
        self.parse_diagnostics: list[Diagnostic] = []
        self.banner = ""
        self._parse()

    # --- state --------------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        """True while the text does not parse as a mapping: the form is read-only then."""
        return bool(self.banner)

    def _parse(self) -> None:
        try:
            doc = parse_document(self.text, self.file)
        except MissionLoadError as exc:
            self.doc, self.parse_diagnostics = None, exc.diagnostics
            self.banner = _locked_reason(exc.diagnostics)
            return
        self.doc, self.parse_diagnostics = doc, []
        if isinstance(doc.data, dict):
            self.data, self.banner = doc.data, ""
        else:
            self.banner = _locked_reason([Diagnostic(code="MIS003", severity="error", message="not a mapping")])

    def open(self, text: str, file: str | None, *, remember: bool = True) -> None:
        """Start on another file's text (a load): its own line endings; undo still goes back across it."""
        self.file = file
        self.newline = "\r\n" if "\r\n" in text else "\n"
        if not self.replace(text, remember=remember):
            self._parse()

    def reparse(self, file: str | None) -> None:
        """Parse again, naming ``file`` in positions and diagnostics (after a load or a save under a new name)."""
        self.file = file
        self._parse()

    def validate(self) -> Validation:
        """Full validation of the current text (load, Mission checks, compile, lint), positioned."""
        if self.doc is None:
            return Validation(file=self.file, diagnostics=list(self.parse_diagnostics))
        return validate_document(self.doc)

    # --- whole-text changes -------------------------------------------------------------------
    def replace(self, text: str, *, remember: bool = True) -> bool:
        """Make ``text`` the document (typing, a load, a patch); False when it is the same text."""
        if text == self.text:
            return False
        if remember:
            self.undo_stack.append(self.text)
            del self.undo_stack[:-UNDO_DEPTH]
            self.redo_stack.clear()
        self.text = text
        self._parse()
        return True

    def from_editor(self, text: str) -> bool:
        """Text typed in the editor (browsers send ``\\n``): keeps the file's own line endings."""
        if self.newline == "\r\n":
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        return self.replace(text)

    def undo(self) -> bool:
        """Back to the text before the last change (typed or from the form); False when there is none."""
        if not self.undo_stack:
            return False
        self.redo_stack.append(self.text)
        self.text = self.undo_stack.pop()
        self._parse()
        return True

    def redo(self) -> bool:
        """Forward again after :meth:`undo`; False when there is nothing to redo."""
        if not self.redo_stack:
            return False
        self.undo_stack.append(self.text)
        self.text = self.redo_stack.pop()
        self._parse()
        return True

    # --- form edits (patches of the text) -----------------------------------------------------
    def _patch(self, new_text: str) -> bool:
        return self.replace(new_text)

    def _check_unlocked(self) -> None:
        if self.locked:
            raise FormLocked(self.banner)

    def set_value(self, path: edit.StepPath, value: Any) -> bool:
        """Set (``None``: remove) the value at ``path``; an equal value leaves the text byte-identical."""
        self._check_unlocked()
        if value is None and not _exists(self.data, path):
            return False
        return self._patch(yaml_patch.set_value(self.text, path, value))

    def append_item(self, seq_path: edit.StepPath, item: Any) -> bool:
        """Append ``item`` to the list at ``seq_path`` (made when missing)."""
        self._check_unlocked()
        current = edit.value_at(self.data, seq_path)
        if isinstance(current, list):
            return self._patch(yaml_patch.insert_item(self.text, seq_path, len(current), item))
        return self._patch(yaml_patch.set_value(self.text, seq_path, [item]))

    def insert_step(self, after: edit.StepPath | None, step: dict[str, Any]) -> edit.StepPath:
        """Insert ``step`` after the step at ``after`` (or at the end of the top level); returns its path."""
        self._check_unlocked()
        if after is None:
            steps = self.data.get("steps")
            if not isinstance(steps, list):
                self._patch(yaml_patch.set_value(self.text, ("steps",), [step]))
                return ("steps", 0)
            after = ("steps", len(steps) - 1) if steps else None
            if after is None:
                self._patch(yaml_patch.insert_item(self.text, ("steps",), 0, step))
                return ("steps", 0)
        index = after[-1]
        assert isinstance(index, int)
        self._patch(yaml_patch.insert_item(self.text, after[:-1], index + 1, step))
        return (*after[:-1], index + 1)

    def remove_step(self, path: edit.StepPath) -> edit.StepPath | None:
        """Remove the step at ``path``; returns the path of the step to select next (None if its list is empty)."""
        self._check_unlocked()
        items = edit.value_at(self.data, path[:-1])
        index = path[-1]
        assert isinstance(items, list) and isinstance(index, int)
        left = len(items) - 1
        self._patch(yaml_patch.delete(self.text, path))
        return None if left <= 0 else (*path[:-1], min(index, left - 1))

    def move_step(self, path: edit.StepPath, delta: int) -> edit.StepPath:
        """Move the step at ``path`` up (-1) or down (+1) in its list; returns its new path."""
        self._check_unlocked()
        items = edit.value_at(self.data, path[:-1])
        index = path[-1]
        assert isinstance(items, list) and isinstance(index, int)
        if not 0 <= index + delta < len(items):
            return path
        self._patch(yaml_patch.move_item(self.text, path[:-1], index, delta))
        return (*path[:-1], index + delta)

    def rename_step(self, path: edit.StepPath, new_id: str) -> bool:
        """Rename the step at ``path`` and every ``then``/``otherwise``/``goto`` that points at it."""
        self._check_unlocked()
        step = edit.get_at(self.data, path)
        old = step.get("id") if isinstance(step, dict) else None
        if not isinstance(old, str) or old == new_id:
            return False
        return self._patch(yaml_patch.rename_refs(self.text, old, new_id, ref_paths(self.data, path, old)))

    def add_tool(self, name: str, lambda_name: str) -> bool:
        """Add a tool ``name: {lambda: lambda_name}`` (a ValueError if the name is taken)."""
        self._check_unlocked()
        tools = self.data.get("tools")
        if isinstance(tools, dict) and name in tools:
            raise ValueError(f"there is already a tool '{name}'")
        return self._patch(yaml_patch.set_value(self.text, ("tools", name), {"lambda": lambda_name}))

    def remove_tool(self, name: str) -> bool:
        """Remove the tool ``name`` (steps that call it then show a problem to fix)."""
        self._check_unlocked()
        if not _exists(self.data, ("tools", name)):
            return False
        return self._patch(yaml_patch.delete(self.text, ("tools", name)))


def ref_paths(data: dict[str, Any], path: edit.StepPath, old: str) -> list[edit.StepPath]:
    """The path of the step's ``id`` and of every jump (then, otherwise, choose/catch goto) to ``old``.

    Example:
        >>> data = {"steps": [{"id": "a", "pass": 1, "then": "b"}, {"id": "b", "succeed": True}]}
        >>> ref_paths(data, ("steps", 1), "b")
        [('steps', 1, 'id'), ('steps', 0, 'then')]
    """
    out: list[edit.StepPath] = [(*path, "id")]
    for ref in edit.list_steps(data):
        step = edit.get_at(data, ref.path)
        for key in ("then", "otherwise"):
            if step.get(key) == old:
                out.append((*ref.path, key))
        for key in ("choose", "catch"):
            rules = step.get(key)
            for i, rule in enumerate(rules if isinstance(rules, list) else []):
                if isinstance(rule, dict) and rule.get("goto") == old:
                    out.append((*ref.path, key, i, "goto"))
    return out



def _exists(data: Any, path: edit.StepPath) -> bool:
    try:
        edit.get_at(data, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True
