"""Results of Mission tests: one :class:`CaseResult` per case, one :class:`SuiteResult` per Mission."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from workbench.core.redact import redact_text
from workbench.history.mission_tests.coverage import Coverage
from workbench.history.mission_tests.expect import Actual, Mismatch
from workbench.history.mission_tests.load import MissionSuite

__all__ = ["CaseResult", "SuiteResult"]

Verdict = Literal["passed", "failed", "error"]


@dataclass
class CaseResult:
    """What one case did and whether it met its expectations.

    ``problem`` is set when the case could not run to an answer (the engine refused it, or it did not finish
    within the real-time limit): the case is an *error*, not a failure. ``keys`` are the coverage keys it hit.
    """

    mission: str
    case: str
    kind: str
    where: str
    actual: Actual
    mismatches: list[Mismatch] = field(default_factory=list)
    problem: str | None = None
    seconds: float = 0.0
    virtual_seconds: float | None = None
    keys: Counter[str] = field(default_factory=Counter)
    execution_arn: str | None = None

    @property
    def verdict(self) -> Verdict:
        if self.problem is not None:
            return "error"
        return "failed" if self.mismatches else "passed"

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"

    @property
    def test_id(self) -> str:
        """``MISSION::CASE``, the name of the case in pytest and JUnit."""
        return f"{self.mission}::{self.case}"

    def explain(self, indent: str = "  ") -> str:
        """Why the case did not pass: the problem, or each mismatch with its difference (empty when it passed).

        Example:
            >>> r = CaseResult("m", "c", "run", "m.tests.yaml:3", Actual(status="FAILED"),
            ...                [Mismatch("status", ("expected SUCCEEDED, got FAILED",))])
            >>> print(r.explain())
            m.tests.yaml:3: case 'c'
            status: expected SUCCEEDED, got FAILED
        """
        if self.verdict == "passed":
            return ""
        head = f"{self.where}: case '{self.case}'"
        if self.problem is not None:
            return f"{head}\ncould not run: {redact_text(self.problem)}"
        return "\n".join([head, *(m.render(indent) for m in self.mismatches)])


@dataclass
class SuiteResult:
    """The results of one Mission's cases, and the coverage they reached together."""

    suite: MissionSuite
    cases: list[CaseResult]
    coverage: Coverage

    @property
    def mission(self) -> str:
        return self.suite.name

    def count(self, verdict: Verdict) -> int:
        return sum(1 for c in self.cases if c.verdict == verdict)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.cases)
