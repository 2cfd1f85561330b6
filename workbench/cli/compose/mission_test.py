"""``workbench test``: run Missions' test cases on the embedded engine and show their coverage.

Exit 0 when every case passes (and every Mission reaches ``--min-coverage``), 1 when a case fails or cannot
run (or coverage is short), 2 when a test file, a Mission or an option cannot be used (one line each,
naming the file and line).
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workbench.cli.output import check_output, fail, print_diagnostics, write_atomic
from workbench.core.files import PRIVATE_FILE

if TYPE_CHECKING:  # the command imports the engine only when it runs
    from workbench.history.mission_tests import MissionSuite, SuiteResult

__all__ = ["coverage_lines", "mission_test_cmd", "register", "result_lines"]


def result_lines(result: SuiteResult, *, verbose: bool = True) -> list[str]:
    """The text of one Mission's results: a line per case, the differences of failures, the coverage.

    Example:
        >>> result_lines(suite_result)  # doctest: +SKIP
        ['deploy_check  (missions/deploy_check.tests.yaml)', '  PASS   ready_on_second_check  0.21 s', ...]
    """
    out = [f"{result.mission}  ({result.suite.source})"]
    for case in result.cases:
        word = {"passed": "PASS ", "failed": "FAIL ", "error": "ERROR"}[case.verdict]
        if case.verdict != "passed" or verbose:
            out.append(f"  {word}  {case.case}  {case.seconds:.2f} s")
        if case.verdict != "passed":
            out.extend("         " + line for line in case.explain().splitlines())
    out.extend(coverage_lines(result))
    return out


def coverage_lines(result: SuiteResult) -> list[str]:
    """``coverage: ...`` and, when something is left, ``not covered: ...`` lines of one Mission."""
    lines = [f"  coverage: {result.coverage.summary()}"]
    missing = result.coverage.uncovered()
    if missing:
        shown = "; ".join(t.label for t in missing[:8])
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        lines.append(f"  not covered: {shown}{more}")
    return lines


def _select(patterns: Sequence[str], suites: Sequence[MissionSuite]) -> dict[int, list[str]]:
    """Case names per suite (by index) that match any of the patterns (exact names or ``fnmatch`` globs)."""
    chosen: dict[int, list[str]] = {}
    for i, suite in enumerate(suites):
        names = [c.name for c in suite.cases
                 if any(fnmatch.fnmatchcase(c.name, p) or fnmatch.fnmatchcase(f"{suite.name}::{c.name}", p)
                        for p in patterns)]
        if names:
            chosen[i] = names
    return chosen


def mission_test_cmd(
    missions: Annotated[list[Path], typer.Argument(
        help="Mission files (their NAME.tests.yaml beside them, or tests: inside), test files, or folders.")],
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write the results as JUnit XML here.")] = None,
    coverage_report: Annotated[Path | None, typer.Option(
        "--coverage-report", help="Also write the coverage page (the graphs, uncovered parts dashed) here.")] = None,
    case: Annotated[list[str] | None, typer.Option(
        "--case", "-k", help="Run only cases with this name or glob (CASE or MISSION::CASE; repeatable).")] = None,
    min_coverage: Annotated[float | None, typer.Option(
        "--min-coverage", min=0, max=100, help="Exit 1 when a Mission's overall coverage is below this.")] = None,
    timeout: Annotated[float, typer.Option(
        min=1, help="Real seconds one case may take before it is stopped (the virtual clock is not limited).")] = 60.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Show failing cases and coverage only.")] = False,
) -> None:
    """Run Mission test cases and show pass/fail, the differences of failures, and coverage per Mission."""
    from workbench.core.diagnostics import DiagnosticError
    from workbench.history.mission_tests import MissionTestRunner, load_suites

    for output, option in ((junit, "--junit"), (coverage_report, "--coverage-report")):
        check_output(output, [*missions], option)
    missing = [str(p) for p in missions if not p.exists()]
    if missing:
        raise fail(f"not found: {', '.join(missing)} (give Mission files, test files or folders)")
    try:
        suites, untested = load_suites(missions)
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics)
        raise typer.Exit(2) from None
    if not suites and not untested:
        raise fail(f"no Mission tests found in {', '.join(map(str, missions))}; write NAME.tests.yaml beside a "
                   "Mission (see docs/mission-tests.md)")
    selected = _select(case, suites) if case else {i: [c.name for c in s.cases] for i, s in enumerate(suites)}
    if case and not selected:
        raise fail(f"no case matches {', '.join(case)}")
    started = time.monotonic()
    results: list[SuiteResult] = []
    with MissionTestRunner(timeout=timeout) as runner:
        for i, suite in enumerate(suites):
            if i in selected:
                result = runner.run_suite(suite, selected[i])
                results.append(result)
                for line in result_lines(result, verbose=not quiet):
                    typer.echo(line)
    for path in untested:
        typer.echo(f"{path}: no tests (coverage 0%); write {path.with_suffix('')}.tests.yaml")
    _write(results, junit, coverage_report)
    failed = sum(r.count("failed") for r in results)
    errors = sum(r.count("error") for r in results)
    passed = sum(r.count("passed") for r in results)
    typer.echo(f"{passed} passed, {failed} failed, {errors} errors in {time.monotonic() - started:.1f} s; "
               + ", ".join(f"{r.mission} {_pct(r.coverage.percent())}" for r in results))
    short = [r.mission for r in results if min_coverage is not None and (r.coverage.percent() or 0.0) < min_coverage]
    short += [str(p) for p in untested if min_coverage is not None]
    if short:
        typer.echo(f"coverage below {min_coverage:g}%: {', '.join(short)}", err=True)
    raise typer.Exit(1 if failed or errors or short else 0)


def _pct(value: float | None) -> str:
    return "coverage –" if value is None else f"coverage {'100' if value >= 100 else int(value)}%"


def _write(results: list[SuiteResult], junit: Path | None, coverage_report: Path | None) -> None:
    """Write the JUnit XML and the coverage page (0600: failures show execution data, redacted)."""
    from workbench.history.mission_tests.junit import junit_xml

    if junit is not None:
        write_atomic(junit, junit_xml(results), PRIVATE_FILE, option="--junit")
        typer.echo(f"wrote {junit}")
    if coverage_report is not None:
        from workbench.report.coverage.page import coverage_page

        write_atomic(coverage_report, coverage_page(results), PRIVATE_FILE, option="--coverage-report")
        typer.echo(f"wrote {coverage_report}")


def register(app: typer.Typer) -> None:
    """Add ``workbench test`` to the app (once: registering twice changes nothing)."""
    if not any(c.name == "test" for c in app.registered_commands):
        app.command("test")(mission_test_cmd)
