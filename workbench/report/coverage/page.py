"""The Mission test coverage page: per Mission, the report's graph with what no test covered dashed.

One self-contained file (:func:`workbench.report.html.page`: offline, one CSP, every value escaped): a summary
table and chart of coverage per Mission, then per Mission the graph with the coverage overlay
(:class:`~workbench.viz.graph.coverage.CoverageOverlay`: uncovered states and transitions dashed), the list of
what is not covered, and its cases with the differences of those that failed (already redacted).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from workbench.core.diagnostics import WorkbenchError
from workbench.core.files import write_text_atomic
from workbench.history.mission_tests.coverage import CATEGORIES, Coverage
from workbench.history.mission_tests.results import SuiteResult
from workbench.report.page.html import Column, Figures, Section, esc, page, pre, table
from workbench.viz.graph.coverage import CoverageOverlay
from workbench.viz.graph.svg import draw

__all__ = ["coverage_overlay", "coverage_page", "write_coverage_report"]

_ID = re.compile(r"[^A-Za-z0-9_-]+")


def coverage_overlay(coverage: Coverage) -> CoverageOverlay:
    """The overlay that draws one Mission's coverage on its graph.

    Example:
        >>> from workbench.history.mission_tests import Coverage
        >>> cov = Coverage("m", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
        >>> coverage_overlay(cov)["A"].status
        'not_reached'
    """
    states, edges, containers = coverage.drawing()
    return CoverageOverlay(states, edges, containers)


def _pct(value: float | None) -> str:
    if value is None:
        return "–"
    return "100%" if value >= 100 else f"{int(value)}%"


def _count(coverage: Coverage, category: str) -> str:
    done, total = coverage.count(category)  # type: ignore[arg-type]
    return f"{done}/{total} ({_pct(100.0 * done / total)})" if total else "–"


def _summary(results: Sequence[SuiteResult], figures: Figures) -> Section:
    columns = [Column("Mission"), Column("cases", numeric=True), Column("passed", numeric=True),
               Column("failed", numeric=True), Column("errors", numeric=True),
               *(Column(c) for c in CATEGORIES), Column("overall", numeric=True)]
    rows = [[r.mission, len(r.cases), r.count("passed"), r.count("failed"), r.count("error"),
             *(_count(r.coverage, c) for c in CATEGORIES), _pct(r.coverage.percent())] for r in results]
    fig = go.Figure()
    for category in ("overall", *CATEGORIES):
        values = [(r.coverage.percent(None if category == "overall" else category)) for r in results]  # type: ignore[arg-type]
        fig.add_bar(name=category, x=[r.mission for r in results], y=[v if v is not None else 0 for v in values])
    fig.update_layout(barmode="group", height=320, yaxis={"title": "covered (%)", "range": [0, 100]},
                      margin={"l": 50, "r": 10, "t": 20, "b": 40}, template="plotly_white")
    note = ("Coverage counts every state, every transition (each Next, Choice rule and Default), every Catch clause "
            "that fired, every Retry clause that retried, and every Parallel branch and Map body entered, over all "
            "cases of a Mission. The graphs below dash what no case covered.")
    chart = figures.add(fig, height=320)
    body = f'<p class="wb-note">{esc(note)}</p>{table(columns, rows, empty="no Missions")}{chart}'
    return Section("summary", "Coverage by Mission", body)


def _mission(result: SuiteResult) -> Section:
    coverage = result.coverage
    try:
        svg = draw(result.suite.definition, coverage_overlay(coverage)).svg
        graph = f'<div class="wb-graph">{svg}</div>'
    except WorkbenchError as exc:
        graph = f'<p class="wb-empty">{esc(f"The graph cannot be drawn: {exc}")}</p>'
    missing = coverage.uncovered()
    listing = ("<p class=\"wb-note\">Every state, transition, Catch, Retry and body is covered.</p>" if not missing
               else "<h3>Not covered</h3><ul class=\"wb-uncovered\">"
               + "".join(f'<li data-category="{esc(t.category)}">{esc(t.category)}: {esc(t.label)}</li>'
                         for t in missing) + "</ul>")
    columns = [Column("case"), Column("kind"), Column("verdict"), Column("status"), Column("seconds", numeric=True)]
    cases = table(columns, [[c.case, c.kind, c.verdict, c.actual.status or "", f"{c.seconds:.2f}"]
                            for c in result.cases], empty="no cases")
    failures = "".join(f'<div class="wb-example">{pre(c.explain())}</div>' for c in result.cases if not c.passed)
    head = (f'<p class="wb-note">{esc(str(result.suite.source))}: {esc(coverage.summary())}</p>')
    body = head + graph + listing + "<h3>Cases</h3>" + cases + failures
    return Section(f"mission-{_ID.sub('-', result.mission)}", result.mission, body)


def coverage_page(results: Sequence[SuiteResult], title: str = "Mission tests: coverage") -> str:
    """The whole HTML document for these results (offline, under the report's CSP).

    Example:
        >>> html = coverage_page([])
        >>> html.startswith("<!doctype html>") and "Content-Security-Policy" in html and "<script src" not in html
        True
    """
    figures = Figures()
    cases = sum(len(r.cases) for r in results)
    passed = sum(r.count("passed") for r in results)
    subtitle = (f"{len(results)} Mission(s), {cases} case(s): {passed} passed, "
                f"{sum(r.count('failed') for r in results)} failed, {sum(r.count('error') for r in results)} errors")
    sections = [_summary(results, figures), *(_mission(r) for r in results)]
    return page(title, subtitle, sections, figures, footer=esc("Written by `workbench test --coverage-report`."))


def write_coverage_report(results: Sequence[SuiteResult], path: str | os.PathLike[str],
                          title: str = "Mission tests: coverage") -> Path:
    """Write :func:`coverage_page` atomically (0600: failed cases show execution data, redacted).

    Example:
        >>> write_coverage_report(results, "coverage.html")  # doctest: +SKIP
        PosixPath('coverage.html')
    """
    return write_text_atomic(Path(path), coverage_page(results, title))
