"""Where the time goes and what fails, as pure functions from history frames to small DataFrames.

Latency, time breakdowns, slowest runs and failures are in :mod:`~workbench.history.analysis.summaries`,
comparisons in :mod:`~workbench.history.analysis.compare`, retries and back-off checks in
:mod:`~workbench.history.analysis.retries` and the critical path in
:mod:`~workbench.history.analysis.critical_path`; the names below are re-exported here.
"""

from workbench.history.analysis.compare import compare_runs, select_executions
from workbench.history.analysis.estimate import (
    FINISHED,
    ROUGH_BELOW,
    RunEstimate,
    estimate_run,
    fmt_seconds,
    matches_template,
    template_runs,
)
from workbench.history.analysis.retries import retry_summary
from workbench.history.analysis.summaries import (
    FATES,
    failure_patterns,
    failures,
    normalise_cause,
    slowest_executions,
    state_latency,
    time_breakdown,
)

__all__ = ["FATES", "FINISHED", "ROUGH_BELOW", "RunEstimate", "compare_runs", "estimate_run", "failure_patterns",
           "failures", "fmt_seconds", "matches_template", "normalise_cause", "retry_summary", "select_executions",
           "slowest_executions", "state_latency", "template_runs", "time_breakdown"]
