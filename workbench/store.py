"""The fleet history store, public: ingest histories into partitioned Parquet, query them with DuckDB, Spark or Athena.

One store holds four tables (``executions``, ``states``, ``attempts``, ``events``: the frames' own columns) in
``PATH/<table>/state_machine=<NAME>/date=<YYYY-MM-DD>/`` folders. The analysis functions
(``workbench.state_latency``, ``workbench.retry_summary``, ``workbench.execution_costs``...) accept the
connection :func:`open` returns, or a Spark session after :func:`spark`, and run as SQL there.
``docs/store.md`` has the layout, the column types and when to move to Spark or Athena.

Example:
    >>> import tempfile
    >>> import workbench
    >>> path = tempfile.mkdtemp() + "/fleet"
    >>> workbench.store.ingest(["../shared/corpus/histories"], path, progress=False).executions
    118
    >>> con = workbench.store.open(path)
    >>> con.sql("SELECT count(*) FROM executions WHERE status = 'FAILED'").fetchall()[0][0] > 0
    True
"""

from __future__ import annotations

from workbench.history.store import (
    IngestResult,
    StoreError,
    attempts_df,
    events_df,
    executions_df,
    ingest,
    open,
    states_df,
)
from workbench.history.store.athena import athena_ddl
from workbench.history.store.spark import spark

__all__ = ["IngestResult", "StoreError", "athena_ddl", "attempts_df", "events_df", "executions_df", "ingest", "open",
           "spark", "states_df"]
