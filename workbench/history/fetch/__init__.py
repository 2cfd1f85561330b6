"""Fetching execution histories from AWS with boto3: :mod:`~workbench.history.fetch.histories` (the public
calls) and :mod:`~workbench.history.fetch.cache` (the on-disk :class:`HistoryCache`), both re-exported here,
the shared Step Functions client with adaptive retries in :mod:`~workbench.history.fetch.client`, bounded
pagination in :mod:`~workbench.history.fetch.paging` and the interruptible worker pool in
:mod:`~workbench.history.fetch.pool`. Importing this package imports boto3; :mod:`workbench.history` loads it
only on first use.
"""

from workbench.history.fetch.histories import (
    FINISHED,
    MAX_PAGES,
    PAGE_SIZE,
    CacheWarning,
    DefinitionWarning,
    EndpointError,
    FetchError,
    FetchInterrupted,
    HistoryCache,
    PaginationError,
    default_cache_dir,
    ensure_adaptive_retries,
    fetch_histories,
    fetch_history,
    fetch_map_run_histories,
    fetch_payload,
    fetch_state_machine_histories,
    list_executions,
    stepfunctions_client,
)

__all__ = ["FINISHED", "MAX_PAGES", "PAGE_SIZE", "CacheWarning", "DefinitionWarning", "EndpointError", "FetchError",
           "FetchInterrupted", "HistoryCache", "PaginationError", "default_cache_dir", "ensure_adaptive_retries",
           "fetch_histories", "fetch_history", "fetch_map_run_histories", "fetch_payload",
           "fetch_state_machine_histories", "list_executions", "stepfunctions_client"]
