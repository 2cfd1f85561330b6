"""Execution histories → pandas: load any history format, build events/states/attempts/executions frames.

Sub-packages by job: :mod:`~workbench.history.load` (readers of every input format),
:mod:`~workbench.history.frames` (events → the four frames), :mod:`~workbench.history.analysis`,
:mod:`~workbench.history.cost` and :mod:`~workbench.history.fetch`. Fetching with boto3 lives in
:mod:`workbench.history.fetch`; its functions are also importable from here (loaded on first use, so
importing this package does not import boto3).

Example:
    >>> from workbench.history import load_history, frames
    >>> f = frames(load_history("../shared/corpus/histories/test_base_scenarios__test_map_state_nested.json"))
    >>> f.executions[["status", "transitions"]].values.tolist()
    [['SUCCEEDED', 9]]
"""

from typing import Any

from workbench.history.frames.build import (
    HistoryFrames,
    attempts_frame,
    events_frame,
    executions_frame,
    frames,
    states_frame,
)
from workbench.history.load.events import (
    INCOMPLETE,
    MAX_HISTORY_EVENTS,
    BackwardsTimestampsWarning,
    ExecutionHistory,
    HistoryEvent,
    HistoryLimitWarning,
    HistoryLoadError,
    HistoryWarning,
    IncompleteHistoryWarning,
    PlaceholderIdsWarning,
    TruncatedHistoryWarning,
    UnknownEventTypeWarning,
)
from workbench.history.load.readers import history_files, iter_histories, load_histories, load_history

_FETCH_API = ("FetchError", "HistoryCache", "ensure_adaptive_retries", "fetch_histories", "fetch_history",
              "fetch_map_run_histories", "fetch_state_machine_histories", "list_executions", "stepfunctions_client")


def __getattr__(name: str) -> Any:  # Any: lazy module attribute of any kind
    if name in _FETCH_API:
        from workbench.history import fetch

        return getattr(fetch, name)
    raise AttributeError(f"module 'workbench.history' has no attribute {name!r}")


__all__ = [
    "INCOMPLETE",
    "MAX_HISTORY_EVENTS",
    "BackwardsTimestampsWarning",
    "ExecutionHistory",
    "HistoryEvent",
    "HistoryFrames",
    "HistoryLimitWarning",
    "HistoryLoadError",
    "HistoryWarning",
    "IncompleteHistoryWarning",
    "PlaceholderIdsWarning",
    "TruncatedHistoryWarning",
    "UnknownEventTypeWarning",
    "attempts_frame",
    "events_frame",
    "executions_frame",
    "frames",
    "history_files",
    "iter_histories",
    "load_histories",
    "load_history",
    "states_frame",
    *_FETCH_API,
]
