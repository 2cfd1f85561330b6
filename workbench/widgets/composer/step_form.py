"""The kind-specific editor of one step: a few typed fields per kind, YAML boxes for the rest.

Every field knows its key path inside the step, so an edit is one patch of the Mission text at that
path. The form is rebuilt only when the step (or the lists it offers) changed, and it can be disabled
as a whole: the composer makes it read-only while the YAML text does not parse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from workbench.widgets.composer.fields import (
    FieldPath,
    FieldSpec,
    make_control,
    read,
    set_disabled,
    update_control,
)
from workbench.widgets.composer.mission_edit import DEFAULT_RETRY

__all__ = ["COMMON", "FIELDS", "FieldPath", "FieldSpec", "StepForm", "read"]

COMMON = [FieldSpec(("comment",), "comment", "text"), FieldSpec(("then",), "then", "step")]
ERRORS = [FieldSpec(("retry",), "retry", "yaml"), FieldSpec(("catch",), "catch", "yaml")]
FIELDS: dict[str, list[FieldSpec]] = {
    "tool": [FieldSpec(("tool",), "tool", "tool"), FieldSpec(("args",), "args", "yaml"),
             FieldSpec(("save_as",), "save as", "text"), FieldSpec(("timeout",), "timeout", "text"), *ERRORS],
    "task": [FieldSpec(("task",), "resource", "text"), FieldSpec(("timeout",), "timeout", "text"), *ERRORS],
    "choose": [FieldSpec(("choose",), "rules", "yaml"), FieldSpec(("otherwise",), "otherwise", "step")],
    "parallel": [FieldSpec(("save_as",), "save as", "text"), *ERRORS],
    "map": [FieldSpec(("map", "items"), "items", "text"), FieldSpec(("map", "max_concurrency"), "concurrency", "int"),
            FieldSpec(("map", "tolerated_failures"), "tolerated failures", "int"),
            FieldSpec(("map", "mode"), "mode", "choice:inline,distributed"),
            FieldSpec(("save_as",), "save as", "text"), *ERRORS],
    "wait": [FieldSpec(("wait",), "wait", "yaml")],
    "pass": [FieldSpec(("pass",), "value", "yaml"), FieldSpec(("save_as",), "save as", "text")],
    "succeed": [],
    "fail": [FieldSpec(("fail", "error"), "error", "text"), FieldSpec(("fail", "cause"), "cause", "text")],
}


class StepForm(widgets.VBox):
    """Editor of the selected step.

    ``on_change(path, value)`` is called for every committed edit (``path`` inside the step, ``None``
    removes the field), ``on_rename(new_id)`` when the id changes and ``on_append(field, item)`` for the
    "add default retry" / "add catch-all" buttons.
    """

    def __init__(self, on_change: Callable[[FieldPath, Any], None], on_rename: Callable[[str], None],
                 on_append: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        super().__init__()
        self.add_class("wb-step-form")
        self.on_change = on_change
        self.on_rename = on_rename
        self.on_append = on_append
        self.fields: dict[FieldPath, widgets.Widget] = {}
        self.error = widgets.HTML()
        self._key: Any = object()
        self._shape: Any = object()
        self._id_box: widgets.Text | None = None
        self._catch_to: widgets.Dropdown | None = None
        self._updating = False
        self.disabled = False

    def show(self, step: dict[str, Any] | None, kind: str, tools: list[str], siblings: list[str], *,
             disabled: bool = False) -> None:
        """Build the fields for a step (``None`` clears the form); unchanged input keeps the same controls."""
        key = (repr(step), kind, tuple(tools), tuple(siblings))
        shape = (step is None, kind, tuple(tools), tuple(siblings))
        if key != self._key:
            self._key = key
            if not (shape == self._shape and step is not None and self._update(step, siblings)):
                self._shape = shape
                self._build(step, kind, tools, siblings)
        if disabled != self.disabled or disabled:
            set_disabled(list(self.children), disabled)
        self.disabled = disabled

    def _say(self, text: str) -> None:
        self.error.value = f"<span style='color:#b3261e'>{text}</span>" if text else ""

    def _update(self, step: dict[str, Any], siblings: list[str]) -> bool:
        """Show another step of the same kind (or the same step after an edit) in the controls there are."""
        kind_fields = [spec for spec in FIELDS.get(self._shape[1], []) + COMMON if spec.path in self.fields]
        if self._id_box is None or len(kind_fields) != len(self.fields):
            return False
        self._updating = True
        try:
            self._id_box.value = str(step.get("id", ""))
            if self._catch_to is not None:
                self._catch_to.options = [s for s in siblings if s != step.get("id")]
            return all(update_control(spec, self.fields[spec.path], read(step, spec.path)) for spec in kind_fields)
        finally:
            self._updating = False

    def _renamed(self, new_id: str) -> None:
        if not self._updating:
            self.on_rename(new_id)

    def _build(self, step: dict[str, Any] | None, kind: str, tools: list[str], siblings: list[str]) -> None:
        self.fields = {}
        self._id_box = self._catch_to = None
        if step is None:
            self.children = (widgets.HTML("<i>Select a step in the list, or edit the Mission in its tab.</i>"),)
            return
        id_box = widgets.Text(value=str(step.get("id", "")), description="id", continuous_update=False)
        id_box.observe(lambda ch: self._renamed(str(ch["new"])), names="value")
        self._id_box = id_box
        rows: list[widgets.Widget] = [widgets.HTML(f"<b>{kind}</b> step"), id_box]
        for spec in FIELDS.get(kind, []) + COMMON:
            options = tools if spec.kind == "tool" else siblings
            control = make_control(spec, read(step, spec.path), self.on_change, self._say, options=options)
            self.fields[spec.path] = control
            rows.append(control)
        if any(spec.path == ("retry",) for spec in FIELDS.get(kind, [])):
            add_retry = widgets.Button(description="add default retry", icon="repeat")
            add_retry.on_click(lambda _b: self._append("retry", dict(DEFAULT_RETRY)))
            catch_to = widgets.Dropdown(options=[s for s in siblings if s != step.get("id")], description="catch →")
            self._catch_to = catch_to
            add_catch = widgets.Button(description="add catch-all", icon="shield")
            add_catch.on_click(lambda _b: self._append(
                "catch", {"errors": ["States.ALL"], "goto": catch_to.value, "save_as": "error"}))
            rows.append(widgets.HBox([add_retry, catch_to, add_catch]))
        self.error.value = ""
        self.children = (*rows, self.error)

    def _append(self, key: str, item: dict[str, Any]) -> None:
        if self.on_append is not None:
            self.on_append(key, item)
