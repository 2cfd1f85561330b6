"""Form controls shared by the step form and the Mission form: one typed control per field.

A :class:`FieldSpec` says where a field lives (its key path), how it is labelled and which control edits
it. :func:`make_control` builds the control and calls back with the *parsed* value only when the typed
text means something else than what is shown, so re-typing a value as it is never edits the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import yaml

from workbench.core.yaml_load import InputError, load_yaml, yaml_problem

FieldPath = tuple[str | int, ...]
OnValue = Callable[[FieldPath, Any], None]
OnError = Callable[[str], None]


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: where it lives (relative to its step, or to the Mission), its label and control.

    ``kind`` is ``text``, ``longtext``, ``int``, ``bool``, ``yaml``, ``tool``, ``step`` or ``choice:<a>,<b>``.
    """

    path: FieldPath
    label: str
    kind: str
    placeholder: str = ""


def read(data: Any, path: FieldPath) -> Any:
    """The value at ``path`` inside nested dicts/lists, or ``None`` when any part is missing.

    Example:
        >>> read({"map": {"max_concurrency": 5}}, ("map", "max_concurrency")), read({}, ("map", "mode"))
        (5, None)
    """
    value: Any = data
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return None
    return value


def to_text(value: Any) -> str:
    """A value as the text its control shows (YAML in flow style where short)."""
    if value is None:
        return ""
    return yaml.safe_dump(value, sort_keys=False, default_flow_style=None, allow_unicode=True, width=100).strip()


def shown(kind: str, value: Any) -> Any:
    """What the control of ``kind`` shows for ``value``."""
    if kind == "yaml":
        return to_text(value)
    if kind == "bool":
        return bool(value)
    return "" if value is None else str(value)


def parse(spec: FieldSpec, raw: Any) -> Any:
    """The value typed into a control (``None`` for empty: the field is removed). ``ValueError`` says why not.

    Example:
        >>> parse(FieldSpec(("seed",), "seed", "int"), " 7 "), parse(FieldSpec(("x",), "x", "yaml"), "[1, 2]")
        (7, [1, 2])
    """
    if spec.kind == "bool":
        return bool(raw)
    text = str(raw)
    if spec.kind == "int":
        text = text.strip()
        if not text:
            return None
        if not text.lstrip("-").isdigit():
            raise ValueError(f"'{text}' is not a whole number")
        return int(text)
    if spec.kind == "yaml":
        if not text.strip():
            return None
        try:
            return load_yaml(text, file=spec.label)
        except yaml.YAMLError as exc:
            raise ValueError(f"not valid YAML ({yaml_problem(exc)[0]})") from None
        except InputError as exc:
            raise ValueError(exc.diagnostics[0].message) from None
    return text if text != "" else None


def make_control(spec: FieldSpec, value: Any, on_value: OnValue, on_error: OnError, *,
                 options: list[str] | None = None, base: FieldPath = ()) -> widgets.Widget:
    """A control showing ``value``; a committed edit calls ``on_value(base + spec.path, parsed)``.

    Typing the value as shown (or text that parses to the same value) calls nothing: no edit, no diff.
    """
    label, kind = spec.label, spec.kind
    control: widgets.Widget
    state: dict[str, Any] = {"value": value, "quiet": False}
    if kind in ("tool", "step") or kind.startswith("choice:"):
        choices = list(options or []) if not kind.startswith("choice:") else kind.split(":", 1)[1].split(",")
        if kind == "step":
            choices = ["", *choices]
        current = "" if value is None else str(value)
        if current not in choices and (current or kind == "tool"):
            choices.append(current)
        control = widgets.Dropdown(options=choices, value=current if current in choices else choices[0],
                                   description=label)
    elif kind == "bool":
        control = widgets.Checkbox(value=bool(value), description=label, indent=True)
    elif kind == "longtext":
        control = widgets.Textarea(value=shown(kind, value), description=label, continuous_update=False,
                                   placeholder=spec.placeholder, layout=widgets.Layout(width="98%", height="60px"))
    elif kind == "yaml":
        control = widgets.Textarea(value=to_text(value), description=label, continuous_update=False,
                                   placeholder=spec.placeholder, layout=widgets.Layout(width="98%", height="84px"))
    else:
        control = widgets.Text(value=shown(kind, value), description=label, continuous_update=False,
                               placeholder=spec.placeholder or ("(none)" if kind == "int" else ""))

    def commit(change: dict[str, Any]) -> None:
        if state["quiet"]:
            return
        value = state["value"]
        try:
            new = parse(spec, change["new"])
        except ValueError as exc:
            on_error(f"{label}: {exc}")
            return
        on_error("")
        if kind in ("text", "longtext"):
            new = _same_type(value, new)
        if new == value and (new is not None or value is None):
            return  # the same value written another way: nothing to change
        on_value((*base, *spec.path), new)

    control.observe(commit, names="value")
    setattr(control, "_wb_state", state)  # noqa: B010 - what update_control needs
    return control


def update_control(spec: FieldSpec, control: widgets.Widget, value: Any) -> bool:
    """Show ``value`` in a control made by :func:`make_control`, without calling back (so a refresh after an
    edit re-uses the controls instead of building new ones). False when the control cannot show it (a
    dropdown without that option): build a new one then.
    """
    state = getattr(control, "_wb_state", None)
    if state is None:
        return False
    if spec.kind in ("tool", "step") or spec.kind.startswith("choice:"):
        current = "" if value is None else str(value)
        options = list(getattr(control, "options", ()))
        if current not in options:
            if current or spec.kind == "tool" or not options:
                return False
            current = options[0]
        shown_value: Any = current
    else:
        shown_value = shown(spec.kind, value)
    state["value"], state["quiet"] = value, True
    try:
        control.value = shown_value
    finally:
        state["quiet"] = False
    return True


def _same_type(current: Any, new: Any) -> Any:
    """A number typed into a text field where a number was (a timeout of 30) stays a number."""
    if isinstance(current, int | float) and not isinstance(current, bool) and isinstance(new, str):
        try:
            return type(current)(new)
        except ValueError:
            return new
    return new


def set_disabled(controls: list[widgets.Widget], disabled: bool) -> None:
    """Disable (read-only form) or enable every control that can be disabled, nested boxes included."""
    stack = list(controls)
    while stack:
        item = stack.pop()
        if hasattr(item, "disabled"):
            item.disabled = disabled
        stack.extend(getattr(item, "children", ()) or ())
