"""The kind-specific editor of one step: a few typed fields per kind, YAML boxes for the rest.

Every field knows its key path inside the step, so an edit is one ``set`` on the Mission data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import yaml

from workbench.core.yaml_load import InputError, load_yaml, yaml_problem
from workbench.widgets.composer.mission_edit import DEFAULT_RETRY

FieldPath = tuple[str, ...]


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: where it lives in the step, its label and its widget kind."""

    path: FieldPath
    label: str
    kind: str  # text | int | yaml | tool | step | choice:<a>,<b>


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


def read(step: dict[str, Any], path: FieldPath) -> Any:
    value: Any = step
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def write(step: dict[str, Any], path: FieldPath, value: Any) -> None:
    """Set a nested field; empty values remove it so the YAML stays minimal."""
    target = step
    for part in path[:-1]:
        target = target.setdefault(part, {})
    if value is None or value == "":
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    return yaml.safe_dump(value, sort_keys=False, default_flow_style=None, allow_unicode=True).strip()


class StepForm(widgets.VBox):
    """Editor of the selected step. ``on_change(path, value)`` is called for every committed edit."""

    def __init__(self, on_change: Callable[[FieldPath, Any], None], on_rename: Callable[[str], None]) -> None:
        super().__init__()
        self.on_change = on_change
        self.on_rename = on_rename
        self.fields: dict[FieldPath, widgets.Widget] = {}
        self.error = widgets.HTML()

    def show(self, step: dict[str, Any] | None, kind: str, tools: list[str], siblings: list[str]) -> None:
        """Build the fields for a step (``None`` clears the form)."""
        self.fields = {}
        if step is None:
            self.children = (widgets.HTML("<i>Select a step.</i>"),)
            return
        id_box = widgets.Text(value=str(step.get("id", "")), description="id", continuous_update=False)
        id_box.observe(lambda ch: self.on_rename(ch["new"]), names="value")
        rows: list[widgets.Widget] = [widgets.HTML(f"<b>{kind}</b> step"), id_box]
        for spec in FIELDS.get(kind, []) + COMMON:
            control = self._control(spec, read(step, spec.path), tools, siblings)
            self.fields[spec.path] = control
            rows.append(control)
        if kind == "tool" or any(spec.path == ("retry",) for spec in FIELDS.get(kind, [])):
            add_retry = widgets.Button(description="add default retry", icon="repeat")
            add_retry.on_click(lambda _b: self._append(step, "retry", dict(DEFAULT_RETRY)))
            catch_to = widgets.Dropdown(options=[s for s in siblings if s != step.get("id")], description="catch →")
            add_catch = widgets.Button(description="add catch-all", icon="shield")
            add_catch.on_click(lambda _b: self._append(
                step, "catch", {"errors": ["States.ALL"], "goto": catch_to.value, "save_as": "error"}))
            rows.append(widgets.HBox([add_retry, catch_to, add_catch]))
        self.children = (*rows, self.error)

    def _append(self, step: dict[str, Any], key: str, item: dict[str, Any]) -> None:
        self.on_change((key,), [*(step.get(key) or []), item])

    def _control(self, spec: FieldSpec, value: Any, tools: list[str], siblings: list[str]) -> widgets.Widget:
        label = spec.label
        control: widgets.Widget
        if spec.kind == "tool":
            options = tools if value in tools or value is None else [*tools, value]
            control = widgets.Dropdown(options=options, value=value if value in options else None, description=label)
        elif spec.kind == "step":
            control = widgets.Dropdown(options=["", *siblings], value=value if value in siblings else "",
                                       description=label)
        elif spec.kind.startswith("choice:"):
            options = spec.kind.split(":", 1)[1].split(",")
            control = widgets.Dropdown(options=options, value=value if value in options else options[0],
                                       description=label)
        elif spec.kind == "int":
            control = widgets.Text(value="" if value is None else str(value), description=label,
                                   continuous_update=False, placeholder="(none)")
        elif spec.kind == "yaml":
            control = widgets.Textarea(value=_to_text(value), description=label, continuous_update=False,
                                       layout=widgets.Layout(width="98%", height="90px"))
        else:
            control = widgets.Text(value="" if value is None else str(value), description=label,
                                   continuous_update=False)
        control.observe(lambda ch, spec=spec: self._commit(spec, ch["new"]), names="value")
        return control

    def _commit(self, spec: FieldSpec, raw: Any) -> None:
        try:
            value = self._parse(spec, raw)
        except ValueError as exc:
            self.error.value = f"<span style='color:#b3261e'>{spec.label}: {exc}</span>"
            return
        self.error.value = ""
        self.on_change(spec.path, value)

    @staticmethod
    def _parse(spec: FieldSpec, raw: Any) -> Any:
        if spec.kind == "int":
            text = str(raw).strip()
            if not text:
                return None
            if not text.isdigit():
                raise ValueError(f"'{text}' is not a whole number")
            return int(text)
        if spec.kind == "yaml":
            try:
                return load_yaml(str(raw), file=spec.label) if str(raw).strip() else None
            except yaml.YAMLError as exc:
                raise ValueError(f"not valid YAML ({yaml_problem(exc)[0]})") from None
            except InputError as exc:
                raise ValueError(exc.diagnostics[0].message) from None
        return raw if raw != "" else None
