"""Catalog: the templates of a catalog folder, a Director plan edited live, what it selects and deploys, and Launch.

Every edit of the plan runs the same steps as ``workbench select --explain`` and ``workbench deploy`` up to the
deploy: read the plan, select a template, bind it, compile and lint (:func:`~workbench.asl.plan.prepare_plan`).
The widget shows the choice and why, every problem as one line, the bound graph and ASL, and, when recorded
runs are given, how long and how much a run will likely take. Launch hands the bound Mission to a
:class:`~workbench.widgets.Launcher` below, so the run is watched the way every other run is.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbench.asl.compiler import compile_mission, dumps_asl
from workbench.asl.plan import PreparedPlan, prepare_plan
from workbench.core.diagnostics import Diagnostic, DiagnosticError
from workbench.history.analysis.estimate import RunEstimate, estimate_run
from workbench.mission.catalog import Catalog as CatalogData
from workbench.mission.catalog import CatalogError, Plan, PlanError, load_catalog, loads_plan
from workbench.mission.template import MissionTemplate, Naming
from workbench.widgets.catalog import views
from workbench.widgets.catalog.sources import EDITOR, describe_source, estimate_source, plan_text
from workbench.widgets.launcher.launch_settings import TargetChoice
from workbench.widgets.launcher.status import ERROR_COLOUR, plain_error
from workbench.widgets.launcher.widget import Launcher
from workbench.widgets.preview.widget import graph_html

__all__ = ["Catalog"]


class Catalog(widgets.VBox):
    """Browse a catalog's templates, edit a Director plan with live selection, check it, and launch it.

    ``directory`` is the catalog folder; ``plan`` a plan file, JSON (or YAML) text, or a dict. ``store`` (a
    store folder or a ``workbench.store.open`` connection) or ``histories`` (frames, or history files/folders
    or execution handles) give the recorded runs the estimate is made from. ``target`` is where Launch runs
    (``"embedded"``, ``"aws"`` or an endpoint URL); ``naming`` how bound state machines are named (see
    ``MissionTemplate.bind``); ``generate`` falls back to a Mission built from the plan's steps when no
    template fits. Python API (what the controls do): :meth:`set_plan`, :meth:`select_template`,
    :meth:`launch`; :attr:`plan` (the parsed plan), :attr:`prepared`, :attr:`explanation`, :attr:`problems`
    and :attr:`estimate` are what the widget shows, :attr:`launcher` the Launcher Launch handed over to.

    Example:
        >>> from workbench.widgets import Catalog
        >>> catalog = Catalog("missions/catalog", "missions/plans/triage_payments.plan.json")
        >>> catalog.explanation[0]
        'selected incident_triage 2.0 (missions/catalog/incident_triage.yaml)'
        >>> catalog.set_plan({"kind": "backfill", "goal": "Backfill March"}).template_name
        'data_backfill'
        >>> launcher = catalog.launch(); launcher.wait_done(60)  # doctest: +SKIP
        'SUCCEEDED'
    """

    def __init__(self, directory: str | Path, plan: str | Path | dict[str, Any] | None = None, *,
                 target: str = "embedded", store: Any = None, histories: Any = None,
                 naming: Naming = "parameters", generate: bool = False) -> None:
        TargetChoice.parse(target)  # a wrong target is refused now (one line), not at Launch
        self.target = target
        self.naming: Naming = naming
        self.directory = Path(directory)
        self.catalog, catalog_problems = _catalog(self.directory)
        self.launcher: Launcher | None = None
        self.plan: Plan | None = None
        self.prepared: PreparedPlan | None = None
        self.estimate: RunEstimate | None = None
        self._plan_problems: list[Diagnostic] = []
        self._plan_file = EDITOR
        self._store, self._histories = store, histories
        self._source: Any = None
        self._source_error: str | None = None
        self._estimates: dict[tuple[str, float | None, float | None], RunEstimate] = {}
        self._template_graphs: dict[str, str] = {}
        self._drawn: tuple[dict[str, Any], str] | None = None
        self._followed: str | None = None  # the last template the plan selected (the picker follows it)
        self._build(catalog_problems + self.catalog.problems, generate)
        if self.catalog.templates:
            self.select_template(self.catalog.templates[0].label)
        self.set_plan(plan)

    # --- construction -------------------------------------------------------------------------
    def _build(self, catalog_problems: list[Diagnostic], generate: bool) -> None:
        count = len(self.catalog.templates)
        self.title = widgets.HTML(f"<b>Catalog</b> <code>{views.esc(str(self.directory))}</code> · "
                                  f"{count} template{'' if count == 1 else 's'}")
        self.catalog_problems = widgets.HTML(views.problems_html(catalog_problems) if catalog_problems else "")
        self.templates = widgets.HTML(views.templates_html(self.catalog))
        self.template_picker = widgets.Dropdown(options=[t.label for t in self.catalog.templates],
                                                description="template", value=None)
        self.template_detail = widgets.HTML()
        self.template_graph = widgets.HTML(layout=widgets.Layout(overflow="auto", max_height="520px"))
        self.template_picker.observe(lambda change: self._show_template(change["new"]), names="value")
        self.editor = widgets.Textarea(description="plan", continuous_update=True,
                                       placeholder='{"kind": "incident_triage", "goal": "..."}',
                                       layout=widgets.Layout(width="98%", height="220px"))
        self.generate = widgets.Checkbox(value=generate, indent=False, layout=widgets.Layout(width="auto"),
                                         description="generate a Mission from the plan's steps when no template fits")
        self.plan_summary = widgets.HTML()
        self.selection = widgets.HTML()
        self.problems_box = widgets.HTML()
        self.bound = widgets.HTML()
        self.graph = widgets.HTML(layout=widgets.Layout(overflow="auto", max_height="640px"))
        self.asl = widgets.HTML()
        self.tabs = widgets.Tab(children=[self.graph, self.asl], titles=["Bound graph", "ASL"])
        self.estimate_box = widgets.HTML()
        self.launch_button = widgets.Button(description="Launch", button_style="primary", icon="play",
                                            tooltip="hand the bound Mission to a Launcher and start it")
        self.status_line = widgets.HTML()
        self.launcher_box = widgets.VBox()
        self.editor.observe(lambda _change: self._refresh(), names="value")
        self.generate.observe(lambda _change: self._refresh(), names="value")
        self.launch_button.on_click(lambda _b: self._hand_over(start_now=True))
        heading = widgets.HTML
        super().__init__([
            self.title, self.catalog_problems, self.templates, self.template_picker, self.template_detail,
            self.template_graph, heading("<h4 style='margin:8px 0 2px'>Plan</h4>"), self.editor, self.generate,
            self.plan_summary, heading("<b>Selection</b>"), self.selection, heading("<b>Problems</b>"),
            self.problems_box, heading("<b>Deploys</b>"), self.bound, self.tabs, heading("<b>Estimate</b>"),
            self.estimate_box, self.launch_button, self.status_line, self.launcher_box,
        ])
        self.add_class("workbench-catalog")

    # --- templates ----------------------------------------------------------------------------
    def select_template(self, label: str) -> MissionTemplate | None:
        """Show a template (``name version``, or ``name`` for its newest version): parameters and graph.

        Returns it; None (with the reason shown) when the catalog has no such template.

        Example:
            >>> catalog = Catalog("missions/catalog")
            >>> catalog.select_template("data_backfill").label
            'data_backfill 2.0'
        """
        name, _, version = label.strip().partition(" ")
        try:
            template = self.catalog.get(name, version or None)
        except KeyError as exc:
            self.template_detail.value = views.note_html(str(exc.args[0]), ERROR_COLOUR)
            self.template_graph.value = ""
            return None
        if self.template_picker.value == template.label:
            self._show_template(template.label)
        self.template_picker.value = template.label
        return template

    def _show_template(self, label: str | None) -> None:
        template = next((t for t in self.catalog.templates if t.label == label), None)
        if template is None:
            return
        self.template_detail.value = views.template_html(template)
        if label not in self._template_graphs:
            self._template_graphs[template.label] = _defaults_graph(template)
        self.template_graph.value = self._template_graphs[template.label]

    # --- the plan -----------------------------------------------------------------------------
    def set_plan(self, plan: str | Path | dict[str, Any] | None) -> PreparedPlan | None:
        """Put a plan (file, JSON/YAML text or dict) in the editor; returns what it prepares (None: it does
        not read, see :attr:`problems`).

        Example:
            >>> catalog = Catalog("missions/catalog")
            >>> catalog.set_plan("missions/plans/backfill_orders.plan.json").state_machine_name[:17]
            'data_backfill-v2_'
        """
        given = plan_text(plan)
        self._plan_file = given.file
        if self.editor.value == given.text:
            self._refresh()
        else:
            self.editor.value = given.text  # observed: refreshes
        if given.problems:  # the file could not be read: say so, not "write a plan"
            self._plan_problems = given.problems
            self._show()
        return self.prepared

    @property
    def plan_text(self) -> str:
        """The plan as it stands in the editor."""
        return str(self.editor.value)

    @property
    def explanation(self) -> list[str]:
        """``select --explain`` for the current plan: the choice, why, and each rejected template (empty when
        the plan does not read)."""
        return self.prepared.selection.explain() if self.prepared is not None else []

    @property
    def problems(self) -> list[str]:
        """Every problem with the plan or what it binds to, one rendered line each."""
        diagnostics = self._plan_problems if self.prepared is None else self.prepared.diagnostics
        return [d.render() for d in diagnostics]

    def _refresh(self) -> None:
        """Read the plan, select, bind, compile, lint, estimate: what every edit triggers."""
        self.plan, self.prepared, self.estimate, self._plan_problems = None, None, None, []
        text = str(self.editor.value)
        if text.strip():
            try:
                self.plan = loads_plan(text, self._plan_file)
            except PlanError as exc:
                self._plan_problems = list(exc.diagnostics)
            else:
                try:
                    self.prepared = prepare_plan(self.plan, self.catalog, generate=bool(self.generate.value),
                                                 naming=self.naming)
                except DiagnosticError as exc:
                    self._plan_problems = list(exc.diagnostics)
                except Exception as exc:  # the widget must never break on a plan; say what happened
                    self._plan_problems = [_problem(plain_error(exc))]
        self.estimate = self._estimate()
        self._show()

    def _estimate(self) -> RunEstimate | None:
        prepared, plan = self.prepared, self.plan
        if prepared is None or plan is None or prepared.template_name is None or self._source_error:
            return None
        if self._store is None and self._histories is None:
            return None
        key = (prepared.template_name, _number(plan.constraints.deadline), plan.constraints.budget_usd)
        if key not in self._estimates:
            try:
                if self._source is None:
                    self._source = estimate_source(self._store, self._histories)
                self._estimates[key] = estimate_run(self._source, key[0], deadline_s=key[1], budget_usd=key[2])
            except Exception as exc:  # unreadable histories or store: one line, the rest of the widget works
                self._source_error = plain_error(exc)
                return None
        return self._estimates[key]

    # --- showing ------------------------------------------------------------------------------
    def _show(self) -> None:
        prepared = self.prepared
        selected = prepared.selection.template.label if prepared and prepared.selection.template else None
        self.templates.value = views.templates_html(self.catalog, selected)
        if selected is not None and selected != self._followed:  # a new choice: show that template's details
            self._followed = selected
            self.template_picker.value = selected
        if not self.editor.value.strip() and not self._plan_problems:
            self.plan_summary.value = "<i>Write or paste a Director plan (JSON) above.</i>"
        else:
            self.plan_summary.value = views.plan_html(self.plan)
        self.selection.value = views.explanation_html(prepared.selection if prepared else None) \
            if self.editor.value.strip() or self._plan_problems else ""
        self.problems_box.value = views.problems_html(
            self._plan_problems if prepared is None else prepared.diagnostics)
        definition = prepared.definition if prepared else None
        self.bound.value = views.bound_html(
            prepared.state_machine_name if prepared else None, selected, bool(prepared and prepared.generated),
            prepared.bound.parameters if prepared and prepared.bound else None)
        self.graph.value = self._graph(definition)
        self.asl.value = views.asl_html(dumps_asl(definition) if definition is not None else None)
        self.estimate_box.value = self._estimate_html()
        ready = self._not_ready()
        self.launch_button.disabled = ready is not None or self._running()
        self.launch_button.tooltip = ready or "hand the bound Mission to a Launcher and start it"
        if self.launcher is None or not self._running():
            self.status_line.value = views.note_html(ready or f"ready: Launch deploys and starts "
                                                     f"{prepared.state_machine_name if prepared else ''} on "
                                                     f"{self.target}")

    def _graph(self, definition: dict[str, Any] | None) -> str:
        if definition is None:
            return "<i>No graph: nothing selected, or the bound Mission has errors.</i>"
        if self._drawn is None or self._drawn[0] != definition:
            self._drawn = (definition, graph_html(definition))
        return self._drawn[1]

    def _estimate_html(self) -> str:
        if self._store is None and self._histories is None:
            return ("<i>No recorded runs given: pass <code>store=</code> or <code>histories=</code> for a duration "
                    "and cost estimate.</i>")
        if self._source_error:
            return views.note_html(f"no estimate: {self._source_error}", ERROR_COLOUR)
        if self.estimate is None:
            return "<i>No estimate: nothing selected.</i>"
        return views.estimate_html(self.estimate.lines(), self.estimate.warnings,
                                   describe_source(self._store, self._histories))

    # --- launch -------------------------------------------------------------------------------
    def _not_ready(self) -> str | None:
        """Why Launch cannot go ahead, in one line (None when it can)."""
        prepared = self.prepared
        if prepared is None:
            if self._plan_problems:
                first = self._plan_problems[0].render()
                return f"cannot launch: the plan has {len(self._plan_problems)} problem(s); first: {first}"
            return "cannot launch: no plan yet"
        if prepared.mission is None and not prepared.diagnostics:
            return f"cannot launch: {prepared.selection.headline()}"
        if not prepared.ok:
            errors = [d for d in prepared.diagnostics if d.is_error]
            first = errors[0].render() if errors else "it could not be compiled"
            return f"cannot launch: the bound Mission has {len(errors) or 1} error(s); first: {first}"
        return None

    def _running(self) -> bool:
        return self.launcher is not None and bool(self.launcher.running)

    def _hand_over(self, *, start_now: bool) -> Launcher | None:
        reason = self._not_ready()
        if reason is None and self._running():
            reason = "a run is going on in the Launcher below: stop it or wait for it to end"
        if reason is not None:
            self.status_line.value = views.note_html(reason, ERROR_COLOUR)
            return None
        prepared, plan = self.prepared, self.plan
        assert prepared is not None and prepared.mission is not None and plan is not None  # _not_ready checked
        if self.launcher is not None:
            self.launcher.close()
        self.launcher = Launcher(prepared.mission, target=self.target, input=plan.input)
        self.launcher_box.children = (self.launcher,)
        self.status_line.value = views.note_html(f"handed over to the Launcher below: {prepared.state_machine_name}")
        if start_now:
            self.launcher.launch_button.click()  # the Launcher's own button: starts in its thread, returns at once
        return self.launcher

    def launch(self, timeout: float = 120.0) -> Launcher | None:
        """Hand the bound Mission to a Launcher (shown below, kept as :attr:`launcher`) and start it; returns
        the Launcher once the execution started. None, with the reason in the status line, when the plan is not
        ready (it does not read, nothing is selected, or the bound Mission has errors).

        Example:
            >>> catalog = Catalog("missions/catalog", {"kind": "nothing_serves_this", "goal": "x"})
            >>> catalog.launch() is None, catalog.status_text
            (True, "cannot launch: no template fits plan kind 'nothing_serves_this'")
        """
        launcher = self._hand_over(start_now=False)
        if launcher is None:
            return None
        launcher.launch(timeout)
        if launcher.execution is None:
            self.status_line.value = views.note_html(f"the Launcher could not start: {launcher.status_text}",
                                                     ERROR_COLOUR)
        return launcher

    @property
    def status_text(self) -> str:
        """The status line as plain text (why Launch is refused, or what it handed over)."""
        return html.unescape(re.sub(r"<[^>]+>", "", str(self.status_line.value)))


def _catalog(directory: Path) -> tuple[CatalogData, list[Diagnostic]]:
    """The catalog, or an empty one and why (a missing folder is a line in the widget, not a traceback)."""
    try:
        return load_catalog(directory), []
    except CatalogError as exc:
        return CatalogData(directory=directory), list(exc.diagnostics)


def _defaults_graph(template: MissionTemplate) -> str:
    """The template's graph, bound with its defaults (or why it cannot be drawn)."""
    try:
        return graph_html(compile_mission(template.bind({}).mission))
    except DiagnosticError as exc:
        first = exc.diagnostics[0].render() if exc.diagnostics else plain_error(exc)
        return views.note_html(f"no graph with the defaults: {first}")


def _problem(message: str) -> Diagnostic:
    from workbench.mission.positions import error

    return error("PLAN000", message, None, None)


def _number(value: int | None) -> float | None:
    return None if value is None else float(value)
