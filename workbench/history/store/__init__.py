"""The partitioned Parquet history store: ingest histories once, then query fleets with DuckDB, Spark or Athena.

``PATH/<table>/state_machine=<NAME>/date=<YYYY-MM-DD>/part-*.parquet`` for the tables ``executions``,
``states``, ``attempts`` and ``events``: the frames' own columns (:mod:`.schema`), one execution's rows in
one partition of each table. :func:`ingest` streams histories into it in atomic, idempotent batches
(:mod:`.commit`); :func:`open` gives a DuckDB connection with the four tables as views, and the ``*_df``
helpers return pandas frames with the frames' dtypes.

Example:
    >>> import tempfile
    >>> import workbench.history.store as store
    >>> path = tempfile.mkdtemp() + "/fleet"
    >>> store.ingest(["../shared/corpus/histories"], path, progress=False).executions
    118
    >>> store.open(path).sql("SELECT status, count(*) FROM executions GROUP BY 1 ORDER BY 1").fetchall()[0]
    ('ABORTED', 1)
"""

from __future__ import annotations

from workbench.history.store.dataframes import attempts_df, events_df, executions_df, states_df
from workbench.history.store.layout import StoreError
from workbench.history.store.read import check_store, live_files, open
from workbench.history.store.schema import (
    PARTITION_COLUMNS,
    SCHEMA_VERSION,
    TABLES,
    arrow_tables,
    table_schema,
    to_frame_dtypes,
)
from workbench.history.store.stream import IngestResult, ingest

__all__ = [
    "PARTITION_COLUMNS",
    "SCHEMA_VERSION",
    "TABLES",
    "IngestResult",
    "StoreError",
    "arrow_tables",
    "attempts_df",
    "check_store",
    "events_df",
    "executions_df",
    "ingest",
    "live_files",
    "open",
    "states_df",
    "table_schema",
    "to_frame_dtypes",
]
