"""MissionComposer: edit a Mission as a form and as YAML text, with live ASL, graph and problems.

The YAML text is the single source of truth (:class:`~workbench.widgets.composer.document.MissionText`):
form edits patch it in place, the tree and forms show what it parses to, undo/redo walk through texts,
and save writes it exactly. Typed text is never discarded: while it does not parse, the form is
read-only under a banner saying where the syntax error is.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbench.asl.validate import Validation
from workbench.core.diagnostics import Diagnostic
from workbench.core.yaml_load import InputError
from workbench.mission.model import Mission
from workbench.widgets.composer import mission_edit as edit
from workbench.widgets.composer.document import STARTER_TEXT, MissionText, data_to_text
from workbench.widgets.composer.editor import YamlEditor
from workbench.widgets.composer.edits import FormEdits
from workbench.widgets.composer.mission_form import MissionForm
from workbench.widgets.composer.sources import Source, open_source, save_text
from workbench.widgets.composer.step_form import StepForm
from workbench.widgets.preview.widget import AslPreview

__all__ = ["MissionComposer", "to_yaml"]

YAML_TAB = 2
BANNER_STYLE = ("background:#fdecea;border-left:4px solid #b3261e;padding:4px 8px;margin:2px 0;"
                "white-space:pre-wrap;overflow-wrap:anywhere")
to_yaml = data_to_text  # fresh YAML for plain data (kept under its old name)


class MissionComposer(FormEdits, widgets.VBox):
    """Compose a Mission: a step tree with a form, a Mission tab (tools, defaults, local settings), a YAML
    editor with line numbers, and live ASL, graph and problems.

    The YAML text is what the composer edits: a form edit changes only the lines of that field (comments,
    key order, quoting and flow style survive) and ``save()`` writes the text exactly. While the text does
    not parse, the form is read-only and says why; the last valid graph and ASL stay visible, greyed.
    Clicking a problem moves the editor's caret to its line. ``undo()``/``redo()`` cover typing and
    form edits alike. ``observe_validation(callback)`` follows every change (the Launcher uses it).

    Example:
        >>> from workbench.widgets import MissionComposer
        >>> composer = MissionComposer("missions/incident_triage.yaml")  # doctest: +SKIP
        >>> composer  # shows the composer in a notebook  # doctest: +SKIP
        >>> composer.select("decide"); composer.set_field(("otherwise",), "summarize")  # doctest: +SKIP
        >>> composer.set_mission_field(("tools", "fetch_alert", "memory_mb"), 512)  # doctest: +SKIP
        >>> composer.save()  # doctest: +SKIP
    """

    def __init__(self, source: Source | None = None) -> None:
        self.doc = MissionText(STARTER_TEXT)
        self.selected: edit.StepPath | None = None
        self._selected_id: str | None = None
        self.validation: Validation | None = None
        self._observers: list[Callable[[Validation], None]] = []
        self._quiet = False
        self._bom = False
        self._build()
        if source is not None:
            self.load(source, remember=False)
        else:
            self._refresh()

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
        self.form = StepForm(self.set_field, self.rename, self.append_to_step)
        self.mission_form = MissionForm(self.set_mission_field, self.add_tool, self.remove_tool)
        self.editor = YamlEditor(layout=widgets.Layout(width="100%"))
        self.editor.observe(self._editor_changed, names="value")
        self.yaml = self.editor  # the text widget under its old name
        self.banner = widgets.HTML()
        self.banner.add_class("wb-readonly-banner")
        self.preview = AslPreview(on_select=self.select, on_goto=self._goto_problem)
        self.path = widgets.Text(placeholder="missions/my-mission.yaml", description="file",
                                 layout=widgets.Layout(width="420px"))
        self.load_button = widgets.Button(description="load", icon="folder-open")
        self.save_button = widgets.Button(description="save", icon="save")
        self.load_button.on_click(lambda _b: self.load(self.path.value))
        self.save_button.on_click(lambda _b: self.save())
        self.status = widgets.HTML()
        self.confirm = widgets.HBox()
        row = widgets.HBox([self.kind, *[buttons[n] for n in ("add", "remove", "up", "down")]],
                           layout=widgets.Layout(flex_flow="row wrap"))
        steps = widgets.VBox([self.tree, row, self.form], layout=widgets.Layout(width="100%"))
        self.tabs = widgets.Tab(children=[steps, self.mission_form, self.editor], titles=["Form", "Mission", "YAML"],
                                layout=widgets.Layout(width="50%"))
        files = widgets.HBox([self.path, self.load_button, self.save_button, buttons["undo"], buttons["redo"],
                              self.status], layout=widgets.Layout(flex_flow="row wrap"))
        self.preview.layout.width = "50%"
        super().__init__([files, self.confirm, self.banner, widgets.HBox([self.tabs, self.preview])])
        self.add_class("workbench-composer")

    # --- what the composer holds --------------------------------------------------------------
    @property
    def yaml_text(self) -> str:
        """The Mission text, exactly as it will be saved."""
        return self.doc.text

    @property
    def locked(self) -> bool:
        """True while the text does not parse: the form is read-only and ``banner`` says why."""
        return self.doc.locked

    @property
    def mission(self) -> Mission | None:
        """The Mission as it stands, or None while it has errors."""
        return self.validation.mission if self.validation and self.validation.ok else None

    @property
    def definition(self) -> dict[str, Any] | None:
        """The compiled ASL, or None while the Mission does not compile."""
        return self.validation.definition if self.validation else None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every problem of the current text, positioned (file, line, column, step)."""
        return self.validation.diagnostics if self.validation else []

    def observe_validation(self, callback: Callable[[Validation], None]) -> None:
        """Call ``callback(validation)`` after every change (typing, a form edit, undo, a load).

        Example:
            >>> seen = []
            >>> composer.observe_validation(lambda v: seen.append(v.ok))  # doctest: +SKIP
        """
        if callback not in self._observers:
            self._observers.append(callback)

    def unobserve_validation(self, callback: Callable[[Validation], None]) -> None:
        """Stop calling ``callback``."""
        if callback in self._observers:
            self._observers.remove(callback)

    # --- files --------------------------------------------------------------------------------
    def load(self, source: Source, *, remember: bool = True) -> None:
        """Open a Mission file (its text as is, even when it does not parse), a Mission object, plain
        data, YAML text, or an ASL definition/file (imported as a new Mission). Undo goes back across it.

        Example:
            >>> composer.load("missions/deploy_check.yaml")  # doctest: +SKIP
        """
        try:
            opened = open_source(source)
        except (OSError, InputError) as exc:
            self._say(f"cannot open {source}: {getattr(exc, 'strerror', None) or exc}", error=True)
            return
        if opened.file is not None:
            self.path.value = opened.file
        self._bom = opened.bom
        self.preview.reset()
        self.doc.open(opened.text, opened.file or self.path.value or None, remember=remember)
        self._set_selected(None)
        self._say("")
        self._refresh()

    def save(self, path: str | Path | None = None, *, force: bool = False) -> bool:
        """Write the text exactly, atomically (an existing file keeps its mode). With errors, asks first
        (or pass ``force=True``). Returns True if written.

        Example:
            >>> composer.save("missions/incident_triage_copy.yaml")  # doctest: +SKIP
            True
        """
        target = Path(path or self.path.value or "")
        if not str(path or self.path.value or "") or target.is_dir():
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
        try:
            save_text(target, self.doc.text, bom=self._bom)
        except OSError as exc:
            self._say(f"cannot save {target}: {exc.strerror or exc}", error=True)
            return False
        self.confirm.children = ()
        if str(target) != self.path.value:
            self.path.value = str(target)
            self.doc.reparse(str(target))
            self._refresh()
        self._say(f"saved {target}")
        return True

    def set_yaml(self, text: str) -> None:
        """Replace the whole text (what typing in the YAML tab does); it is kept even when it does not parse.

        Example:
            >>> composer.set_yaml(composer.yaml_text.replace("timeout: 15m", "timeout: 20m"))  # doctest: +SKIP
        """
        if self.doc.replace(text):
            self._refresh()

    def undo(self) -> None:
        """Back to the text before the last change, typed or from the form.

        Example:
            >>> composer.set_field(("comment",), "oops"); composer.undo()  # doctest: +SKIP
        """
        if self.doc.undo():
            self._refresh()

    def redo(self) -> None:
        """Forward again after :meth:`undo`."""
        if self.doc.redo():
            self._refresh()

    def goto_line(self, line: int) -> None:
        """Show the YAML tab and move the editor's caret to ``line`` (scrolled into view; focused when the request
        comes from a click in the composer). Clicking a problem does this with the problem's line.

        Example:
            >>> composer.goto_line(42)  # doctest: +SKIP
        """
        self.tabs.selected_index = YAML_TAB
        self.editor.goto_line(line)

    def _goto_problem(self, d: Diagnostic) -> None:
        if d.line:
            self.goto_line(d.line)

    # --- refresh ------------------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = False) -> None:
        colour = "#b3261e" if error else "#1d7d2d"
        self.status.value = f"<span style='color:{colour}'>{html.escape(text)}</span>" if text else ""

    def _editor_changed(self, change: dict[str, Any]) -> None:
        if not self._quiet and self.doc.from_editor(str(change["new"])):
            self._refresh(typed=True)

    def _refresh(self, *, typed: bool = False) -> None:
        """Re-validate and redraw everything; ``typed`` (the editor sent the text) sends no text back to it,
        so keystrokes made since are never overwritten."""
        validation = self.doc.validate()
        self.validation = validation
        locked = self.doc.locked
        self._quiet = True
        try:
            if not typed and self.editor.value != self.doc.text:
                self.editor.value = self.doc.text
            self.editor.marks = sorted({d.line for d in validation.diagnostics if d.is_error and d.line})
            self.banner.value = f"<div style='{BANNER_STYLE}'>{html.escape(self.doc.banner)}</div>" if locked else ""
            for name in ("add", "remove", "up", "down"):
                self.buttons[name].disabled = locked
            self.kind.disabled = locked
            self._reselect()
            self._show_selection()
            self.mission_form.show(self.data, disabled=locked)
        finally:
            self._quiet = False
        self.preview.show_validation(validation)
        for callback in list(self._observers):
            try:
                callback(validation)
            except Exception as exc:  # a follower's bug must not break the composer
                self._say(f"a follower of this composer failed: {exc}", error=True)

    def _show_selection(self) -> None:
        was, self._quiet = self._quiet, True
        try:
            options = tuple((ref.label, ref.path) for ref in edit.list_steps(self.data))
            if options != tuple(self.tree.options):
                self.tree.options = options
            paths = {path for _label, path in options}
            self.tree.value = self.selected if self.selected in paths else None
            step = edit.value_at(self.data, self.selected) if self.selected is not None else None
            if not isinstance(step, dict):
                self.form.show(None, "", [], [], disabled=self.doc.locked)
                return
            siblings = [str(s.get("id", "")) for s in edit.value_at(self.data, self.selected[:-1]) or []  # type: ignore[index]
                        if isinstance(s, dict)]
            tools = self.data.get("tools")
            self.form.show(step, edit.kind_of(step), [str(t) for t in tools] if isinstance(tools, dict) else [],
                           siblings, disabled=self.doc.locked)
        finally:
            self._quiet = was

    def _tree_changed(self, change: dict[str, Any]) -> None:
        if self._quiet or change["new"] is None:
            return
        self._set_selected(change["new"])
        self._show_selection()

