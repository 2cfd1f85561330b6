"""Where the time goes and what fails, as pure functions from history frames to small DataFrames: latency,
time breakdowns, slowest runs, failures and comparisons in :mod:`~workbench.history.analysis.summaries`
(re-exported here), retries and back-off checks in :mod:`~workbench.history.analysis.retries`
(``retry_summary`` re-exported), the critical path in :mod:`~workbench.history.analysis.critical_path`.
"""

from workbench.history.analysis.retries import retry_summary
from workbench.history.analysis.summaries import (
    FATES,
    compare_runs,
    failure_patterns,
    failures,
    normalise_cause,
    select_executions,
    slowest_executions,
    state_latency,
    time_breakdown,
)

__all__ = ["FATES", "compare_runs", "failure_patterns", "failures", "normalise_cause", "retry_summary",
           "select_executions", "slowest_executions", "state_latency", "time_breakdown"]
