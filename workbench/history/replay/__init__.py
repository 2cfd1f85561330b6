"""Replay recorded executions on the embedded engine, against their own definition or an edited Mission.

Why: "if I change this retry policy, which of last night's failed executions would have succeeded?" A replay
reads what every Lambda call answered in the recording (:mod:`~workbench.history.replay.recorded`), runs the
Mission under time warp while serving each call its recorded outcome and duration
(:mod:`~workbench.history.replay.serve`), and compares the replay with the recording
(:mod:`~workbench.history.replay.compare`). Calls with no recording get an outcome from the ``unrecorded``
policy, and are counted. :mod:`~workbench.history.replay.run` drives it; results are
:class:`ReplayResult` (:mod:`~workbench.history.replay.model`).

Example:
    >>> from workbench.history.replay import replay
    >>> [r.reproduced for r in replay("../shared/corpus/histories/test_base__test_state_fail.json")]  # doctest: +SKIP
    [True]
"""

from workbench.history.replay.machines import replay_engine
from workbench.history.replay.model import InventedCall, ReplayResult
from workbench.history.replay.recorded import RecordedCall, RecordedCalls, recorded_calls
from workbench.history.replay.run import (
    DEFAULT_DEADLINE,
    ReplayPlan,
    execute,
    lambda_functions,
    plan_replay,
    plan_replays,
    recorded_history,
    replay,
    replay_one,
    run_plans,
)
from workbench.history.replay.serve import POLICIES, UNRECORDED_ERROR, Policy, ReplaySession
from workbench.history.replay.sources import ReplayInputError, is_execution_arn, load_recording

__all__ = [
    "DEFAULT_DEADLINE",
    "POLICIES",
    "UNRECORDED_ERROR",
    "InventedCall",
    "Policy",
    "RecordedCall",
    "RecordedCalls",
    "ReplayInputError",
    "ReplayPlan",
    "ReplayResult",
    "ReplaySession",
    "execute",
    "is_execution_arn",
    "lambda_functions",
    "load_recording",
    "plan_replay",
    "plan_replays",
    "recorded_calls",
    "recorded_history",
    "replay",
    "replay_engine",
    "replay_one",
    "run_plans",
]
