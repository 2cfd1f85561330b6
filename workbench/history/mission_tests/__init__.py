"""Mission tests with coverage: cases beside a Mission (``NAME.tests.yaml``) run on the embedded engine.

:mod:`~workbench.history.mission_tests.model` is the file format, :mod:`~.load` reads it (errors name file
and line), :mod:`~.run` runs cases under the time warp with tool mocks (:mod:`~.mocks`), :mod:`~.expect`
checks expectations and shows differences, :mod:`~.coverage` and :mod:`~.trace` measure what the cases
exercised. ``workbench test`` (:mod:`workbench.cli.compose.mission_test`) and the pytest plugin
(:mod:`workbench.cli.compose.pytest_missions`) drive them; the format is in ``docs/mission-tests.md``.

Example:
    >>> from workbench.history.mission_tests import run_mission_tests
    >>> results = run_mission_tests(["missions/deploy_check.yaml"])      # doctest: +SKIP
    >>> results[0].passed, results[0].coverage.summary()                 # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workbench.history.mission_tests.coverage import CATEGORIES, Coverage, Target
from workbench.history.mission_tests.expect import Actual, Mismatch
from workbench.history.mission_tests.load import (
    MissionSuite,
    MissionTestError,
    discover,
    is_test_file,
    load_suite,
    load_suites,
    tests_file_for,
)
from workbench.history.mission_tests.model import Expect, Outcome, RunCase, StateCase, StateExpect, TestFile
from workbench.history.mission_tests.results import CaseResult, SuiteResult
from workbench.history.mission_tests.run import DEFAULT_TIMEOUT, MissionTestRunner

__all__ = [
    "CATEGORIES", "DEFAULT_TIMEOUT", "Actual", "CaseResult", "Coverage", "Expect", "Mismatch", "MissionSuite",
    "MissionTestError", "MissionTestRunner", "Outcome", "RunCase", "StateCase", "StateExpect", "SuiteResult",
    "Target", "TestFile", "discover", "is_test_file", "load_suite", "load_suites", "run_mission_tests",
    "tests_file_for",
]


def run_mission_tests(paths: Iterable[str | Path], *, timeout: float = DEFAULT_TIMEOUT) -> list[SuiteResult]:
    """Load the tests of Missions (files or folders) and run every case; one result per Mission.

    Raises :class:`MissionTestError` (file:line diagnostics) when a test file or its Mission cannot be used.

    Example:
        >>> [r.passed for r in run_mission_tests(["missions/"])]  # doctest: +SKIP
        [True, True, True, True, True]
    """
    suites, _untested = load_suites(paths)
    with MissionTestRunner(timeout=timeout) as runner:
        return [runner.run_suite(suite) for suite in suites]
