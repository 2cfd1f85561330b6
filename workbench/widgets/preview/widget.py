"""AslPreview: the ASL, the graph and the problems of a Mission or of any ASL definition."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbench.asl.validate import Validation, validate_file, validate_text
from workbench.core.diagnostics import AslError, Diagnostic, MissionLoadError
from workbench.core.yaml_load import InputError, loads_json, read_text
from workbench.mission.model import Mission
from workbench.widgets.preview.highlight import highlight_json
from workbench.widgets.preview.problems import ProblemsList

STALE_STYLE = "opacity:.45;filter:grayscale(100%)"
STALE_NOTE = ("<div class='wb-stale-note' style='color:#8a5a00;font-weight:600;margin:2px 0 4px'>"
              "last valid version: the current text has errors (see Problems)</div>")

__all__ = ["AslPreview", "ProblemsList", "graph_html", "is_asl", "validate_source"]


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


class AslPreview(widgets.VBox):
    """ASL JSON + graph + problems for a Mission or any ASL definition.

    While the source has errors, the last valid graph and ASL stay on screen, greyed, under a note saying
    so, with the problems listed above them (each one clickable: ``on_goto(diagnostic)`` and
    ``on_select(step_id)``).

    Example:
        >>> from workbench.widgets import AslPreview
        >>> AslPreview("missions/incident_triage.yaml")  # doctest: +SKIP
        >>> AslPreview("../shared/corpus/asl/some.asl.json")  # an imported state machine  # doctest: +SKIP
    """

    def __init__(self, source: Any = None, *, on_select: Callable[[str], None] | None = None,
                 on_goto: Callable[[Diagnostic], None] | None = None) -> None:
        self.asl = widgets.HTML()
        self.graph = widgets.HTML(layout=widgets.Layout(overflow="auto", max_height="640px"))
        self.problems = ProblemsList(on_select, on_goto)
        self.summary = widgets.HTML()
        self.tabs = widgets.Tab(children=[self.graph, self.asl], titles=["Graph", "ASL"])
        super().__init__([self.summary, widgets.HTML("<b>Problems</b>"), self.problems, self.tabs])
        self.add_class("wb-preview")
        self.validation: Validation | None = None
        self.last_good: dict[str, Any] | None = None
        self._drawn: tuple[dict[str, Any], str, str] | None = None  # definition, graph html, ASL html
        if source is not None:
            self.show(source)

    @property
    def definition(self) -> dict[str, Any] | None:
        return self.validation.definition if self.validation else None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.validation.diagnostics if self.validation else []

    @property
    def stale(self) -> bool:
        """True while the graph and ASL shown are the last valid version, not the current one."""
        return self.definition is None and self.last_good is not None

    def reset(self) -> None:
        """Forget the last valid version (a different Mission is about to be shown)."""
        self.last_good = None
        self._drawn = None

    def show(self, source: Any) -> Validation:
        """Validate ``source`` (a new source: the last valid version is forgotten) and refresh the views."""
        try:
            result = validate_source(source)
        except MissionLoadError as exc:
            result = Validation(file=None, diagnostics=exc.diagnostics)
        self.reset()
        self.show_validation(result)
        return result

    def _render(self, definition: dict[str, Any]) -> tuple[str, str]:
        if self._drawn is None or self._drawn[0] != definition:
            self._drawn = (definition, graph_html(definition), highlight_json(definition))
        return self._drawn[1], self._drawn[2]

    def show_validation(self, result: Validation) -> None:
        """Refresh from a validation computed elsewhere (the composer does this on every edit)."""
        self.validation = result
        definition = result.definition
        if definition:
            self.last_good = definition
            self.graph.value, self.asl.value = self._render(definition)
        elif self.last_good is not None:
            graph, asl = self._render(self.last_good)
            self.graph.value = f"{STALE_NOTE}<div class='wb-stale' style='{STALE_STYLE}'>{graph}</div>"
            self.asl.value = f"{STALE_NOTE}<div class='wb-stale' style='{STALE_STYLE}'>{asl}</div>"
        else:
            self.graph.value = "<i>No graph: fix the errors first.</i>"
            self.asl.value = "<i>No ASL: fix the errors first.</i>"
        errors = sum(d.is_error for d in result.diagnostics)
        warnings = len(result.diagnostics) - errors
        states = len(definition["States"]) if definition else 0
        colour = "#b3261e" if errors else "#1d7d2d"
        stale = " · showing the last valid version" if self.stale else ""
        self.summary.value = (f"<span style='color:{colour}'>{errors} error(s), {warnings} warning(s)</span>"
                              f" · {states} top-level state(s){stale}")
        self.problems.show(result.diagnostics)
