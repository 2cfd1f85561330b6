"""AslPreview: the ASL, the graph and the problems of a Mission or of any ASL definition."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbench.asl.validate import Validation, validate_file, validate_text
from workbench.core.diagnostics import AslError, Diagnostic, MissionLoadError, Severity
from workbench.core.yaml_load import InputError, loads_json, read_text
from workbench.mission.model import Mission
from workbench.widgets.preview.highlight import highlight_json

_SEVERITY_ICON = {Severity.ERROR: "⛔", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}


def is_asl(data: Any) -> bool:
    """An ASL definition (``StartAt`` + ``States``) rather than a Mission."""
    return isinstance(data, dict) and "States" in data and "StartAt" in data


def graph_html(definition: dict[str, Any] | None, overlay: Any = None) -> str:
    """The graph as inline SVG, or a plain note when it cannot be drawn."""
    if not definition:
        return "<i>No graph: fix the errors first.</i>"
    try:
        from workbench.viz import draw

        return str(draw(definition, overlay=overlay)._repr_svg_())
    except Exception as exc:  # the preview must never break the composer
        return f"<i>Graph unavailable: {html.escape(str(exc))}</i>"


def validate_source(source: Any) -> Validation:
    """Validate a Mission (object, YAML text, data dict or file) or an ASL definition (dict or file)."""
    from workbench.asl.lint import lint, load_asl

    if isinstance(source, Mission):
        from workbench.mission.loader import dump_yaml

        return validate_text(dump_yaml(source))
    if isinstance(source, dict) and is_asl(source):
        return Validation(file=None, definition=source, diagnostics=lint(source))
    if isinstance(source, dict):
        return validate_text(json.dumps(source))
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and Path(source).is_file()):
        path = Path(source)
        if path.name.endswith((".asl.json", ".asl.yaml", ".asl.yml")) or _file_is_asl(path):
            try:
                doc = load_asl(path)
            except AslError as exc:
                return Validation(file=str(path), diagnostics=exc.diagnostics)
            return Validation(file=str(path), definition=doc.definition, diagnostics=lint(doc, file=str(path)))
        return validate_file(path)
    return validate_text(str(source))


def _file_is_asl(path: Path) -> bool:
    try:
        return is_asl(loads_json(read_text(path), str(path)))
    except (OSError, ValueError, InputError):
        return False


class ProblemsList(widgets.VBox):
    """Diagnostics as buttons; clicking one calls ``on_select(step_id)``."""

    def __init__(self, on_select: Callable[[str], None] | None = None) -> None:
        super().__init__(layout=widgets.Layout(max_height="260px", overflow="auto"))
        self.on_select = on_select
        self.diagnostics: list[Diagnostic] = []

    def show(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        if not diagnostics:
            self.children = (widgets.HTML("<span style='color:#1d7d2d'>✔ No problems.</span>"),)
            return
        rows = []
        for d in diagnostics:
            where = f"line {d.line}: " if d.line else ""
            step = f"[{d.step}] " if d.step else ""
            text = f"{_SEVERITY_ICON.get(d.severity, '')} {d.code} {where}{step}{d.message}"
            button = widgets.Button(description=text[:160], tooltip=d.render(),
                                    layout=widgets.Layout(width="auto", justify_content="flex-start"))
            button.style.button_color = "#fdecea" if d.is_error else "#fff8e1"
            button.on_click(lambda _b, step=d.step: self._clicked(step))
            rows.append(button)
        self.children = tuple(rows)

    def _clicked(self, step: str | None) -> None:
        if step and self.on_select:
            self.on_select(step)


class AslPreview(widgets.VBox):
    """ASL JSON + graph + problems for a Mission or any ASL definition.

    Example:
        >>> from workbench.widgets import AslPreview
        >>> AslPreview("missions/incident_triage.yaml")  # doctest: +SKIP
        >>> AslPreview("../shared/corpus/asl/some.asl.json")  # an imported state machine  # doctest: +SKIP
    """

    def __init__(self, source: Any = None, *, on_select: Callable[[str], None] | None = None) -> None:
        self.asl = widgets.HTML()
        self.graph = widgets.HTML(layout=widgets.Layout(overflow="auto", max_height="640px"))
        self.problems = ProblemsList(on_select)
        self.summary = widgets.HTML()
        self.tabs = widgets.Tab(children=[self.graph, self.asl], titles=["Graph", "ASL"])
        super().__init__([self.summary, self.tabs, widgets.HTML("<b>Problems</b>"), self.problems])
        self.validation: Validation | None = None
        if source is not None:
            self.show(source)

    @property
    def definition(self) -> dict[str, Any] | None:
        return self.validation.definition if self.validation else None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.validation.diagnostics if self.validation else []

    def show(self, source: Any) -> Validation:
        """Validate ``source`` and refresh the three views; returns the validation."""
        try:
            result = validate_source(source)
        except MissionLoadError as exc:
            result = Validation(file=None, diagnostics=exc.diagnostics)
        self.show_validation(result)
        return result

    def show_validation(self, result: Validation) -> None:
        """Refresh from a validation computed elsewhere (the composer does this)."""
        self.validation = result
        definition = result.definition
        self.asl.value = highlight_json(definition) if definition else "<i>No ASL: fix the errors first.</i>"
        self.graph.value = graph_html(definition)
        errors = sum(d.is_error for d in result.diagnostics)
        warnings = len(result.diagnostics) - errors
        states = len(definition["States"]) if definition else 0
        colour = "#b3261e" if errors else "#1d7d2d"
        self.summary.value = (f"<span style='color:{colour}'>{errors} error(s), {warnings} warning(s)</span>"
                              f" · {states} top-level state(s)")
        self.problems.show(result.diagnostics)
