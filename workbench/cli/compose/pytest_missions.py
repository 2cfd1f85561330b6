"""pytest plugin: ``pytest --missions missions/`` runs every Mission test case as a test item.

Each case becomes one item named ``MISSION::CASE`` (marked ``mission``), run on one embedded engine shared
by the session (time warp on), so CI runs Mission tests with the unit tests; a failure shows the same
differences as ``workbench test``, and the terminal summary ends with each Mission's coverage. Installed as
the ``pytest11`` entry point ``workbench-missions``; without it, load it with
``-p workbench.cli.compose.pytest_missions``.
``--missions`` takes Mission files, test files or folders and may be repeated; ``-m mission`` keeps only
Mission cases, ``-k`` selects cases by name. Nothing is imported beyond pytest unless ``--missions`` is given.

Example:
    >>> import subprocess
    >>> subprocess.run(["pytest", "--missions", "missions/", "-m", "mission"])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from workbench.history.mission_tests import CaseResult, MissionSuite, MissionTestRunner, RunCase, StateCase

_RUNNER = pytest.StashKey["MissionTestRunner"]()
_RESULTS = pytest.StashKey[dict[str, list["CaseResult"]]]()
_SUITES = pytest.StashKey[dict[str, "MissionSuite"]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("missions", "Mission tests (workbench)")
    group.addoption("--missions", action="append", default=[], metavar="PATH",
                    help="Run the test cases of these Missions (Mission files, NAME.tests.yaml files or folders).")
    group.addoption("--missions-timeout", type=float, default=60.0, metavar="SECONDS",
                    help="Real seconds one Mission case may take before it is stopped (default 60).")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mission: a Mission test case collected by --missions (workbench)")


class MissionCaseFailure(Exception):
    """A case that did not meet its expectations (or could not run); carries its result."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.explain())
        self.result = result


class MissionFile(pytest.File):
    """The file holding a Mission's cases (``NAME.tests.yaml``, or the Mission with ``tests:``)."""

    suite: MissionSuite

    def collect(self) -> Iterator[pytest.Item]:
        for case in self.suite.cases:
            item = MissionCase.from_parent(self, name=f"{self.suite.name}::{case.name}", case=case)
            item.add_marker(pytest.mark.mission)
            yield item


class MissionCase(pytest.Item):
    """One Mission test case: run it, fail with its differences."""

    def __init__(self, *, case: RunCase | StateCase, **kwargs: Any) -> None:  # Any: pytest node arguments
        super().__init__(**kwargs)
        self.case = case

    @property
    def suite(self) -> MissionSuite:
        parent = self.parent
        assert isinstance(parent, MissionFile)
        return parent.suite

    def runtest(self) -> None:
        runner = _runner(self.config)
        result = runner.run_case(self.suite, self.case)
        self.config.stash[_RESULTS].setdefault(self.suite.name, []).append(result)
        if not result.passed:
            raise MissionCaseFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:  # Any: pytest
        if isinstance(excinfo.value, MissionCaseFailure):
            return excinfo.value.result.explain()
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.suite.case_lines.get(self.case.name)
        return self.path, (line - 1 if line else None), f"{self.suite.name}::{self.case.name}"


def _runner(config: pytest.Config) -> MissionTestRunner:
    if _RUNNER not in config.stash:
        from workbench.history.mission_tests import MissionTestRunner

        config.stash[_RUNNER] = MissionTestRunner(timeout=config.getoption("missions_timeout"))
    return config.stash[_RUNNER]


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect items
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    paths = config.getoption("missions")
    if not paths:
        return
    from workbench.core.diagnostics import DiagnosticError
    from workbench.history.mission_tests import load_suites

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise pytest.UsageError(f"--missions: not found: {', '.join(missing)}")
    try:
        suites, untested = load_suites(paths)
    except DiagnosticError as exc:
        raise pytest.UsageError("\n".join(d.render() for d in exc.diagnostics)) from None
    config.stash[_RESULTS] = {}
    config.stash[_SUITES] = {s.name: s for s in suites}
    for suite in suites:
        node = MissionFile.from_parent(session, path=suite.source.resolve())
        node.suite = suite
        items.extend(node.collect())
    for path in untested:
        config.issue_config_time_warning(pytest.PytestWarning(f"{path}: a Mission without tests"), stacklevel=2)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:  # Any: pytest's
    results = config.stash.get(_RESULTS, {})
    if not results:
        return
    from workbench.history.mission_tests import Coverage

    terminalreporter.section("Mission coverage")
    suites = config.stash.get(_SUITES, {})
    for name, cases in results.items():
        suite = suites[name]
        coverage = Coverage(name, suite.definition)
        for case in cases:
            coverage.add(case.keys)
        ran = f"{len(cases)} of {len(suite.cases)} cases" if len(cases) != len(suite.cases) else f"{len(cases)} cases"
        terminalreporter.write_line(f"{name} ({ran}): {coverage.summary()}")


def pytest_unconfigure(config: pytest.Config) -> None:
    runner = config.stash.get(_RUNNER, None)
    if runner is not None:
        runner.close()
