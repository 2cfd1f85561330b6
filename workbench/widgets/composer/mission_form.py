"""The Mission tab of the composer: the Mission's own fields, its tools, its defaults and its local settings.

Field names and types follow :mod:`workbench.mission.model`: ``tools`` maps a name to a
:class:`~workbench.mission.model.ToolSpec` (``lambda``, ``local``, ``memory_mb``, ``arch``),
``defaults`` is a :class:`~workbench.mission.model.Defaults` (``retry``, ``timeout``, ``heartbeat``) and
``local`` is a :class:`~workbench.mission.model.LocalSettings` (``input``, ``faults``, ``seed``,
``time_warp``). Every control reports its full path from the top of the document, so an edit is one
patch of the Mission text there.
"""

from __future__ import annotations

import html
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

MISSION_FIELDS = [
    FieldSpec(("mission",), "name", "text"),
    FieldSpec(("description",), "description", "longtext"),
    FieldSpec(("query_language",), "language", "choice:JSONata,JSONPath"),
    FieldSpec(("timeout",), "timeout", "text", "whole run, e.g. 2h"),
    FieldSpec(("version",), "version", "text"),
]
TOOL_FIELDS = [
    FieldSpec(("lambda",), "lambda", "text", "function name or ARN"),
    FieldSpec(("local",), "local", "text", "module:function"),
    FieldSpec(("memory_mb",), "memory MB", "int", "128"),
    FieldSpec(("arch",), "arch", "choice:x86_64,arm64"),
]
DEFAULT_FIELDS = [
    FieldSpec(("defaults", "retry"), "retry", "yaml", "- {errors: [States.ALL], interval: 2s, max_attempts: 3}"),
    FieldSpec(("defaults", "timeout"), "timeout", "text", "per tool step, e.g. 5m"),
    FieldSpec(("defaults", "heartbeat"), "heartbeat", "text", "e.g. 1m"),
]
LOCAL_FIELDS = [
    FieldSpec(("local", "input"), "input", "yaml", "example input for local runs"),
    FieldSpec(("local", "faults"), "faults", "yaml", "tool_name: {fail_rate: 0.2, error: Boom}"),
    FieldSpec(("local", "seed"), "seed", "int"),
    FieldSpec(("local", "time_warp"), "time warp", "bool"),
]


class MissionForm(widgets.VBox):
    """Editor of the Mission-level settings.

    ``on_change(path, value)`` gets a path from the top of the document (``("tools", "fetch", "memory_mb")``)
    and the parsed value (``None`` removes the field); ``on_add_tool(name, lambda_name)`` and
    ``on_remove_tool(name)`` add and remove a tool.
    """

    def __init__(self, on_change: Callable[[FieldPath, Any], None], on_add_tool: Callable[[str, str], None],
                 on_remove_tool: Callable[[str], None]) -> None:
        super().__init__()
        self.add_class("wb-mission-form")
        self.on_change = on_change
        self.on_add_tool = on_add_tool
        self.on_remove_tool = on_remove_tool
        self.fields: dict[FieldPath, widgets.Widget] = {}
        self.error = widgets.HTML()
        self.new_tool = widgets.Text(description="new tool", placeholder="name", continuous_update=True)
        self.new_lambda = widgets.Text(description="lambda", placeholder="function name", continuous_update=True)
        self.add_button = widgets.Button(description="add tool", icon="plus")
        self.add_button.on_click(lambda _b: self._add())
        self._key: Any = object()
        self._shape: Any = object()
        self.disabled = False

    def show(self, data: dict[str, Any] | None, *, disabled: bool = False) -> None:
        """Show the Mission-level fields of ``data`` (the parsed document); unchanged data keeps the controls."""
        data = data if isinstance(data, dict) else {}
        key = repr({k: v for k, v in data.items() if k != "steps"})
        tools = data.get("tools")
        shape = tuple(tools) if isinstance(tools, dict) else ()
        if key != self._key:
            self._key = key
            if not (shape == self._shape and self._update(data)):
                self._shape = shape
                self._build(data)
        if disabled != self.disabled or disabled:
            set_disabled(list(self.children), disabled)
        self.disabled = disabled

    def _update(self, data: dict[str, Any]) -> bool:
        """Show new values in the controls there are (the same tools): no widgets built on an edit."""
        specs = {**{s.path: s for s in MISSION_FIELDS + DEFAULT_FIELDS + LOCAL_FIELDS},
                 **{("tools", name, *s.path): s for name in self._shape for s in TOOL_FIELDS}}
        if set(specs) != set(self.fields):
            return False
        return all(update_control(specs[path], control, read(data, path)) for path, control in self.fields.items())

    def _say(self, text: str) -> None:
        self.error.value = f"<span style='color:#b3261e'>{text}</span>" if text else ""

    def _section(self, title: str, specs: list[FieldSpec], data: dict[str, Any]) -> list[widgets.Widget]:
        rows: list[widgets.Widget] = [widgets.HTML(f"<b>{title}</b>")]
        for spec in specs:
            control = make_control(spec, read(data, spec.path), self.on_change, self._say)
            self.fields[spec.path] = control
            rows.append(control)
        return rows

    def _tool(self, name: str, spec: Any) -> widgets.Widget:
        remove = widgets.Button(description="remove", icon="trash", layout=widgets.Layout(width="auto"))
        remove.on_click(lambda _b: self.on_remove_tool(name))
        rows: list[widgets.Widget] = [widgets.HBox([widgets.HTML(f"<code>{html.escape(name)}</code>"), remove])]
        for field in TOOL_FIELDS:
            control = make_control(field, read(spec, field.path), self.on_change, self._say, base=("tools", name))
            self.fields[("tools", name, *field.path)] = control
            rows.append(control)
        box = widgets.VBox(rows, layout=widgets.Layout(border="1px solid #e0e0e0", padding="2px 4px",
                                                       margin="2px 0"))
        box.add_class("wb-tool")
        return box

    def _build(self, data: dict[str, Any]) -> None:
        self.fields = {}
        rows = self._section("Mission", MISSION_FIELDS, data)
        rows.append(widgets.HTML("<b>Tools</b> <span style='color:#666'>name → Lambda function, "
                                 "local Python function, memory, architecture</span>"))
        tools = data.get("tools")
        if isinstance(tools, dict):
            rows += [self._tool(str(name), spec) for name, spec in tools.items()]
        rows.append(widgets.HBox([self.new_tool, self.new_lambda, self.add_button],
                                 layout=widgets.Layout(flex_flow="row wrap")))
        rows += self._section("Defaults (every tool step)", DEFAULT_FIELDS, data)
        rows += self._section("Local runs", LOCAL_FIELDS, data)
        self.error.value = ""
        self.children = (*rows, self.error)

    def _add(self) -> None:
        name, lambda_name = self.new_tool.value.strip(), self.new_lambda.value.strip()
        if not name or not lambda_name:
            self._say("give the new tool a name and its Lambda function name")
            return
        self._say("")
        self.on_add_tool(name, lambda_name)

