"""The store's four tables as Spark views, so the same analyses run on a Spark cluster.

:func:`spark` registers temporary views ``executions``, ``states``, ``attempts`` and ``events`` on a
SparkSession, over exactly the files a DuckDB reader would read (:func:`~workbench.history.store.read.live_files`:
never a half-written batch). Column types come from the store's Arrow schema (one mapping, :func:`spark_type`),
so an empty table still has its columns; ``state_machine`` (string) and ``date`` (date) are the hive
partition columns, read from the folder names (``basePath`` is the table folder). Timestamps are
microsecond UTC instants; set ``spark.sql.session.timeZone`` to ``UTC`` to see them as UTC wall times.
pyspark is imported only when a session is given (``pip install 'mission-workbench[spark]'``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from workbench.history.store.read import check_store, live_files, marker_info
from workbench.history.store.schema import PARTITION_COLUMNS, PAYLOAD_COLUMNS, TABLES, table_schema

_SPARK_TYPES = {pa.string(): "STRING", pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN",
                pa.timestamp("us", tz="UTC"): "TIMESTAMP"}
#: The hive partition columns and their Spark SQL types.
PARTITION_TYPES = {"state_machine": "STRING", "date": "DATE"}


def spark_type(arrow_type: pa.DataType) -> str:
    """The Spark SQL type of a store column's Arrow type.

    Example:
        >>> spark_type(table_schema("states").field("entered").type)
        'TIMESTAMP'
    """
    try:
        return _SPARK_TYPES[arrow_type]
    except KeyError:
        raise ValueError(f"no Spark type for the store column type {arrow_type}") from None


def spark_schema_ddl(table: str, *, payloads: bool = False) -> str:
    """The DDL schema string (``name TYPE, ...``) of a table's view: its file columns, then the partition columns.

    Example:
        >>> spark_schema_ddl("executions").split(", ")[:2]
        ['`execution` STRING', '`state_machine_arn` STRING']
        >>> spark_schema_ddl("executions").split(", ")[-2:]
        ['`state_machine` STRING', '`date` DATE']
    """
    fields = [(f.name, spark_type(f.type)) for f in table_schema(table, payloads=payloads)]
    fields += [(name, PARTITION_TYPES[name]) for name in PARTITION_COLUMNS]
    return ", ".join(f"`{name}` {kind}" for name, kind in fields)


def _payloads(root: Path, files: list[str]) -> bool:
    info = marker_info(root)
    if info is not None:
        return bool(info["payloads"])
    wanted = {name for name, _ in PAYLOAD_COLUMNS}
    return any(wanted <= set(pq.read_schema(f).names) for f in files)


def spark(session: Any, path: str | os.PathLike[str]) -> list[str]:  # Any: a pyspark SparkSession
    """Register the store at ``path`` as temporary views on a SparkSession; returns the view names.

    Every analysis function then takes ``session`` in place of frames and runs as Spark SQL. The views
    see the store as it is now; call again after an ingest.

    Example:
        >>> from pyspark.sql import SparkSession                                     # doctest: +SKIP
        >>> session = SparkSession.builder.master("local[2]").getOrCreate()          # doctest: +SKIP
        >>> spark(session, "fleet-store")                                            # doctest: +SKIP
        ['executions', 'states', 'attempts', 'events']
        >>> from workbench.history.analysis import state_latency                     # doctest: +SKIP
        >>> state_latency(session)                                                   # doctest: +SKIP
    """
    root = check_store(path)
    for table in TABLES:
        files = live_files(root, table)
        schema = spark_schema_ddl(table, payloads=table == "events" and _payloads(root, files))
        if files:
            df = session.read.schema(schema).option("basePath", str((root / table).absolute())).parquet(*files)
        else:
            df = session.createDataFrame([], schema)
        df.createOrReplaceTempView(table)
    return list(TABLES)
