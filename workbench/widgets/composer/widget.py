"""MissionComposer: edit a Mission as a form and as YAML, kept in sync, with live ASL, graph and problems."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import yaml

from workbench.asl.validate import Validation, validate_document, validate_text
from workbench.core.diagnostics import MissionLoadError
from workbench.core.files import SHARED_FILE, write_text_atomic
from workbench.core.yaml_load import InputError, read_text
from workbench.mission.loader import PositionedDocument, mission_to_data, parse_document
from workbench.mission.model import Mission
from workbench.widgets.composer import mission_edit as edit
from workbench.widgets.composer.step_form import FieldPath, StepForm, write
from workbench.widgets.preview.widget import AslPreview

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
UNDO_DEPTH = 100
STARTER = {"mission": "new-mission", "steps": [{"id": "start", "pass": None}]}


def to_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class MissionComposer(widgets.VBox):
    """Compose a Mission: a step tree with a form, a YAML view, and live ASL, graph and problems.

    Every edit (form or YAML) refreshes the preview at once; problems name the step and clicking
    one selects it. ``undo()``/``redo()`` step through the last edits; ``save()`` writes atomically
    and asks before saving a Mission with errors.

    Example:
        >>> from workbench.widgets import MissionComposer
        >>> composer = MissionComposer("missions/incident_triage.yaml")  # doctest: +SKIP
        >>> composer  # shows the composer in a notebook  # doctest: +SKIP
        >>> composer.select("decide"); composer.set_field(("otherwise",), "summarize")  # doctest: +SKIP
    """

    def __init__(self, source: str | Path | Mission | dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = copy.deepcopy(STARTER)
        self.selected: edit.StepPath | None = None
        self.validation: Validation | None = None
        self._undo: list[dict[str, Any]] = []
        self._redo: list[dict[str, Any]] = []
        self._quiet = False
        self._build()
        if source is not None:
            self.load(source)
        else:
            self._refresh(from_yaml=False)

    # --- widgets ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.tree = widgets.Select(options=[], rows=14, layout=widgets.Layout(width="100%"))
        self.tree.observe(self._tree_changed, names="value")
        self.kind = widgets.Dropdown(options=list(edit.NEW_STEP), value="tool", layout=widgets.Layout(width="110px"))
        buttons = {name: widgets.Button(description=name, layout=widgets.Layout(width="auto"))
                   for name in ("add", "remove", "up", "down", "undo", "redo")}
        buttons["add"].on_click(lambda _b: self.add_step(self.kind.value))
        buttons["remove"].on_click(lambda _b: self.remove_step())
        buttons["up"].on_click(lambda _b: self.move_step(-1))
        buttons["down"].on_click(lambda _b: self.move_step(1))
        buttons["undo"].on_click(lambda _b: self.undo())
        buttons["redo"].on_click(lambda _b: self.redo())
        self.buttons = buttons
        self.form = StepForm(self.set_field, self.rename)
        self.yaml = widgets.Textarea(layout=widgets.Layout(width="100%", height="420px"), continuous_update=False)
        self.yaml.observe(self._yaml_changed, names="value")
        self.preview = AslPreview(on_select=self.select)
        self.path = widgets.Text(placeholder="missions/my-mission.yaml", description="file",
                                 layout=widgets.Layout(width="420px"))
        self.load_button = widgets.Button(description="load", icon="folder-open")
        self.save_button = widgets.Button(description="save", icon="save")
        self.load_button.on_click(lambda _b: self.load(self.path.value))
        self.save_button.on_click(lambda _b: self.save())
        self.status = widgets.HTML()
        self.confirm = widgets.HBox()
        # The form fills its tab (the tab itself is half the composer); the button row wraps when narrow.
        left = widgets.VBox([self.tree, widgets.HBox([self.kind, *buttons.values()],
                                                     layout=widgets.Layout(flex_flow="row wrap")), self.form],
                            layout=widgets.Layout(width="100%"))
        editor = widgets.Tab(children=[left, self.yaml], titles=["Form", "YAML"], layout=widgets.Layout(width="50%"))
        files = widgets.HBox([self.path, self.load_button, self.save_button, self.status])
        super().__init__([files, self.confirm, widgets.HBox([editor, self.preview])])
        self.add_class("workbench-composer")

    # --- public operations --------------------------------------------------------------------
    @property
    def mission(self) -> Mission | None:
        """The Mission as it stands, or None while it has errors."""
        return self.validation.mission if self.validation and self.validation.ok else None

    @property
    def definition(self) -> dict[str, Any] | None:
        return self.validation.definition if self.validation else None

    @property
    def diagnostics(self) -> list[Any]:
        return self.validation.diagnostics if self.validation else []

    @property
    def yaml_text(self) -> str:
        return str(self.yaml.value)

    def load(self, source: str | Path | Mission | dict[str, Any]) -> None:
        """Open a Mission file, a Mission object, plain data, or an ASL definition/file (imported)."""
        if isinstance(source, Mission):
            data = mission_to_data(source)
        elif isinstance(source, dict):
            data = self._import_if_asl(source)
        else:
            path = Path(source)
            try:
                text = read_text(path)
                doc = parse_document(text, str(path))
            except (OSError, InputError, MissionLoadError) as exc:
                self._say(f"cannot open {path}: {exc}", error=True)
                return
            data = self._import_if_asl(doc.data)
            if data is doc.data:
                self.path.value = str(path)
        self._remember()
        self.data = data
        self.selected = None
        self._refresh(from_yaml=False)

    def _import_if_asl(self, data: Any) -> dict[str, Any]:
        from workbench.widgets.preview.widget import is_asl

        if not is_asl(data):
            return data if isinstance(data, dict) else copy.deepcopy(STARTER)
        from workbench.asl.importer import import_asl

        return mission_to_data(import_asl(data))

    def select(self, step_id: str) -> None:
        """Select a step by id (what clicking a problem does)."""
        path = edit.find_step(self.data, step_id)
        if path is not None:
            self.selected = path
            self._show_tree()
            self._show_form()

    def add_step(self, kind: str) -> str:
        """Add a new step of ``kind`` after the selected one; returns its id."""
        self._remember()
        step = edit.new_step(self.data, kind)
        self.selected = edit.insert_after(self.data, self.selected, step)
        self._refresh(from_yaml=False)
        return str(step["id"])

    def remove_step(self) -> None:
        if self.selected is None:
            return
        self._remember()
        self.selected = edit.remove(self.data, self.selected)
        self._refresh(from_yaml=False)

    def move_step(self, delta: int) -> None:
        if self.selected is None:
            return
        self._remember()
        self.selected = edit.move(self.data, self.selected, delta)
        self._refresh(from_yaml=False)

    def set_field(self, path: FieldPath, value: Any) -> None:
        """Set a field of the selected step, e.g. ``(("map", "max_concurrency"), 5)``."""
        if self.selected is None or self._quiet:
            return
        self._remember()
        write(edit.get_at(self.data, self.selected), path, value)
        self._refresh(from_yaml=False)

    def rename(self, new_id: str) -> None:
        """Rename the selected step and every jump that targets it."""
        if self.selected is None or self._quiet or not new_id:
            return
        self._remember()
        edit.rename_step(self.data, self.selected, new_id)
        self._refresh(from_yaml=False)

    def set_yaml(self, text: str) -> None:
        """Replace the Mission with YAML text (what typing in the YAML tab does)."""
        self.yaml.value = text

    def undo(self) -> None:
        if self._undo:
            self._redo.append(copy.deepcopy(self.data))
            self.data = self._undo.pop()
            self._refresh(from_yaml=False)

    def redo(self) -> None:
        if self._redo:
            self._undo.append(copy.deepcopy(self.data))
            self.data = self._redo.pop()
            self._refresh(from_yaml=False)

    def save(self, path: str | Path | None = None, *, force: bool = False) -> bool:
        """Write the YAML atomically. With errors, asks first (or pass ``force=True``). Returns True if written."""
        target = Path(path or self.path.value or "")
        if not str(target) or target.is_dir():
            self._say("choose a file name first", error=True)
            return False
        errors = sum(d.is_error for d in self.diagnostics)
        if errors and not force:
            yes = widgets.Button(description="save anyway", button_style="danger")
            no = widgets.Button(description="cancel")
            yes.on_click(lambda _b: self.save(target, force=True))
            no.on_click(lambda _b: setattr(self.confirm, "children", ()))
            self.confirm.children = (widgets.HTML(f"This Mission has {errors} error(s). Save anyway? "), yes, no)
            return False
        write_text_atomic(target, self.yaml_text, SHARED_FILE)
        self.confirm.children = ()
        self.path.value = str(target)
        self._say(f"saved {target}")
        return True

    # --- refresh ------------------------------------------------------------------------------
    def _remember(self) -> None:
        self._undo.append(copy.deepcopy(self.data))
        del self._undo[:-UNDO_DEPTH]
        self._redo.clear()

    def _say(self, text: str, *, error: bool = False) -> None:
        colour = "#b3261e" if error else "#1d7d2d"
        self.status.value = f"<span style='color:{colour}'>{text}</span>"

    def _yaml_changed(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        result = validate_text(change["new"], self.path.value or None)
        if result.unreadable:
            self.validation = result
            self.preview.show_validation(result)
            return
        self._remember()
        self.data = parse_document(change["new"]).data
        self._refresh(from_yaml=True, validation=result)

    def _refresh(self, *, from_yaml: bool, validation: Validation | None = None) -> None:
        if validation is None:
            validation = validate_document(PositionedDocument(self.data, {}, self.path.value or None))
        self.validation = validation
        self._quiet = True
        try:
            if not from_yaml:
                self.yaml.value = to_yaml(self.data)
            self._show_tree()
            self._show_form()
        finally:
            self._quiet = False
        self.preview.show_validation(validation)

    def _show_tree(self) -> None:
        refs = edit.list_steps(self.data)
        self._quiet, was = True, self._quiet
        self.tree.options = [(ref.label, ref.path) for ref in refs]
        self.tree.value = self.selected if self.selected in {ref.path for ref in refs} else None
        self._quiet = was

    def _tree_changed(self, change: dict[str, Any]) -> None:
        if self._quiet or change["new"] is None:
            return
        self.selected = change["new"]
        self._show_form()

    def _show_form(self) -> None:
        self._quiet, was = True, self._quiet
        try:
            if self.selected is None:
                self.form.show(None, "", [], [])
                return
            step = edit.get_at(self.data, self.selected)
            siblings = [s.get("id", "") for s in edit.get_at(self.data, self.selected[:-1]) if isinstance(s, dict)]
            tools = list((self.data.get("tools") or {}).keys())
            self.form.show(step, edit.kind_of(step), tools, siblings)
        finally:
            self._quiet = was
