"""Build a shareable run report: one self-contained HTML file from histories, executions or frames."""

from __future__ import annotations

import html as html_lib
import json
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from workbench.core.arn import short_name
from workbench.core.diagnostics import WorkbenchError
from workbench.core.files import write_text_atomic
from workbench.history._gc import gc_paused
from workbench.report.inputs.data import ReportData, ReportError, carried, collect, pick_definition
from workbench.report.page.html import Section, esc, page
from workbench.report.run import cost, failures, inspect, overview
from workbench.report.run.context import Context, ReportOptions

SECTIONS: tuple[Callable[[Context], Section], ...] = (
    overview.summary, inspect.graph, overview.timeline, overview.latency, failures.retries,
    failures.failure_groups, failures.failed_payloads, cost.cost,
)


class Report:
    """A built report: ``.html`` (the whole document), ``.save(path)``, and inline display in notebooks.

    Example:
        >>> report = build(["run-1.json", "run-2.json"], title="Nightly")   # doctest: +SKIP
        >>> report.save("nightly.html")                                     # doctest: +SKIP
    """

    def __init__(self, html: str, title: str, executions: int, sections: tuple[str, ...], incomplete: int = 0) -> None:
        self.html = html
        self.title = title
        self.executions = executions
        self.sections = sections
        self.incomplete = incomplete  # executions whose history stops before their end (status INCOMPLETE)

    @property
    def size(self) -> int:
        """Size of the file in bytes."""
        return len(self.html.encode("utf-8"))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the report atomically (a reader never sees half a file); returns the path."""
        return write_text_atomic(Path(path), self.html)

    def _repr_html_(self) -> str:
        # A sandboxed iframe: the report's scripts run in their own opaque origin, away from the notebook.
        doc = html_lib.escape(self.html, quote=True)
        return (f'<iframe title="{esc(self.title)}" srcdoc="{doc}" sandbox="allow-scripts" '
                'style="width:100%;height:860px;border:1px solid #d5dbdb;border-radius:6px"></iframe>')

    def __repr__(self) -> str:
        return f"Report({self.title!r}, {self.executions} executions, {self.size / 1e6:.1f} MB)"


def _is_asl(data: Any) -> bool:
    return isinstance(data, Mapping) and "States" in data and "StartAt" in data


def _asl_file(path: Any) -> dict[str, Any] | None:
    """The definition in an ASL file (JSON or YAML, any name), or None when the file is not ASL."""
    from workbench.asl.lint.load.loader import load_asl
    from workbench.core.diagnostics import AslError

    try:
        data = load_asl(path).definition
    except AslError:  # unreadable or not JSON/YAML: the Mission loader says why, in its own words
        return None
    return dict(data) if _is_asl(data) else None


def _mission(mission: Any) -> tuple[Any, dict[str, Any] | None, list[str]]:
    """(Mission or None, definition or None, notes) from a Mission, a Mission file, or any ASL file or dict."""
    if mission is None:
        return None, None, []
    from workbench.asl.compiler import compile_mission
    from workbench.mission.loader import load_mission
    from workbench.mission.model import Mission

    if _is_asl(mission):
        return None, dict(mission), []
    if not isinstance(mission, Mission):
        asl = _asl_file(mission)
        if asl is not None:
            return None, asl, []
    m = mission if isinstance(mission, Mission) else load_mission(mission)
    try:
        return m, compile_mission(m, check=False), []
    except WorkbenchError as exc:
        return m, None, [f"the mission does not compile, so its graph is not drawn: {exc}"]


def _definition(definition: Mapping[str, Any] | str | None) -> Mapping[str, Any] | None:
    if definition is None or isinstance(definition, Mapping):
        return definition
    try:
        parsed = json.loads(definition)
    except json.JSONDecodeError as exc:
        raise ReportError(f"definition= is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
                          "Fix: pass the ASL as a dict or JSON text.") from None
    if not isinstance(parsed, dict):
        raise ReportError("definition= must be an ASL object with StartAt and States.")
    return parsed


def build(source: Any, mission: Any = None, definition: Mapping[str, Any] | str | None = None,
          title: str | None = None, **options: Any) -> Report:
    """Build a self-contained HTML report from history files (or a folder), ``ExecutionHistory`` objects,
    ``Execution`` handles, or :class:`~workbench.history.frames.HistoryFrames`.

    ``mission`` (a Mission or its file) names the report, gives the definition to draw and the Lambda
    memory for costs; it may also be any ASL file or dict (the definition only). ``definition`` overrides
    the drawn definition. Executions from ``run_mission``/the Launcher carry their definition and tools.
    Options are the fields of :class:`~workbench.report.run.context.ReportOptions` (``secret_keys``,
    ``max_payload_bytes``, ``examples``, ``timeline_execution``, ``target``, ``stamp``, ``show_paths``, ``tools``,
    ``prices``, ``region``, ...).
    Raises :class:`~workbench.report.inputs.data.ReportError` when there is nothing to report.

    Example:
        >>> from workbench.report import build
        >>> report = build("../shared/corpus/histories/test_base__test_state_fail.json")  # doctest: +SKIP
        >>> report.save("report.html")                                                     # doctest: +SKIP
        >>> report                                                                          # doctest: +SKIP
    """
    progress = bool(options.pop("progress", False))
    opts = ReportOptions.from_kwargs(options)
    with gc_paused():  # a million live event objects make each full GC pass cost seconds; we create no cycles
        return _build(source, mission, definition, title, opts, progress)


def _build(source: Any, mission: Any, definition: Mapping[str, Any] | str | None, title: str | None,
           opts: ReportOptions, progress: bool) -> Report:
    frames, histories = collect(source)
    # a run from run_mission/the Launcher carries its Mission and what ran (e.g. an imported machine)
    m, compiled, notes = _mission(mission if mission is not None else carried(source, "mission"))
    definition = definition if definition is not None else carried(source, "definition")
    chosen, where, seen = pick_definition(_definition(definition), compiled, histories)
    tools = m.tools if m and m.tools else carried(source, "tools")
    data = ReportData(frames, histories, chosen, where, seen, m.name if m else None,
                      m.description if m else None, tools)
    if len(data.executions) == 0:
        raise ReportError("nothing to report: the inputs hold no execution.")
    ctx = Context(data, opts, notes=notes)
    built = [make(ctx) for make in tqdm(SECTIONS, desc="report", unit="section", disable=not progress)]
    if ctx.notes:
        built.append(Section("notes", "Notes", "".join(f'<p class="wb-note">{esc(n)}</p>' for n in ctx.notes)))
    name = title or _default_title(data)
    n = len(data.executions)
    subtitle = f"{n:,} execution{'s' if n != 1 else ''}" + (f" · mission {data.mission_name}" if data.mission_name
                                                           else "")
    footer = "Built with Mission Workbench. Secret-looking fields are redacted; large values are cut."
    if opts.stamp:
        footer += f" Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}."
    incomplete = int((data.executions["status"].astype(str) == "INCOMPLETE").sum())
    html = page(name, subtitle, built, ctx.figures, esc(footer), inspector=ctx.inspectors > 0)
    return Report(html, name, n, tuple(s.id for s in built), incomplete)


def _default_title(data: ReportData) -> str:
    if data.mission_name:
        return f"{data.mission_name}: run report"
    machines = sorted({short_name(str(m)) for m in data.executions["state_machine"].dropna()})
    if len(machines) == 1:
        return f"{machines[0]}: run report"
    if len(data.executions) == 1:
        return f"Run report: {short_name(str(data.executions['execution'].iloc[0]))}"
    return "Run report"
