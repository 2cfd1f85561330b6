"""The SQL of every store analysis, in one place, for DuckDB and Spark alike.

The analysis and cost functions (:func:`~workbench.history.analysis.state_latency`,
:func:`~workbench.history.analysis.retry_summary`, :func:`~workbench.history.cost.cost_summary`...) take
either in-memory frames or a store: a DuckDB connection from :func:`workbench.history.store.open`, a
SparkSession on which :func:`workbench.history.store.spark.spark` registered the views, or a
:class:`StoreSelection` of either. Over a store they call the functions here, which run the work as SQL on
that engine and return the same DataFrame as the in-memory path. Aggregations (latency percentiles, time
breakdowns, comparisons, costs) are SQL end to end (:mod:`.latency`, :mod:`.costs`); analyses that reason
row by row (failure fates, retry replays, critical paths) have SQL select the few rows concerned and finish
with the frame code on them (:mod:`.subsets`). :mod:`.engine` holds the four spellings that differ between
the engines, and the runner.

Example:
    >>> import tempfile
    >>> import workbench.history.store as store
    >>> from workbench.history.analysis import state_latency
    >>> path = tempfile.mkdtemp() + "/fleet"
    >>> _ = store.ingest(["../shared/corpus/histories/test_base_scenarios__test_map_state_nested.json"], path,
    ...                  progress=False)
    >>> state_latency(store.open(path)).loc[("MapL2Pass", "Pass"), "count"]
    np.int64(6)
"""

from importlib import import_module
from typing import Any

from workbench.history.store.sql.engine import Dialect, Source, StoreSelection, engine_of, is_store

# Loaded on first use: the cost and analysis modules import this package's engine for their dispatch, and
# this package's cost module imports theirs, so only the engine is imported eagerly.
_LAZY = {"cost_summary": "costs", "execution_costs": "costs", "state_costs": "costs", "compare_side": "latency",
         "state_latency": "latency", "time_breakdown": "latency", "backoff_check": "subsets",
         "failure_patterns": "subsets", "failures": "subsets", "retry_summary": "subsets",
         "slowest_executions": "subsets"}


def __getattr__(name: str) -> Any:  # Any: a lazily imported function
    if name in _LAZY:
        return getattr(import_module(f"workbench.history.store.sql.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'workbench.history.store.sql' has no attribute {name!r}")


__all__ = ["Dialect", "Source", "StoreSelection", "engine_of", "is_store", *_LAZY]
