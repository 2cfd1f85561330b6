"""The store's four tables as Parquet schemas, and the conversions frames → Arrow → frames.

One table of columns per store table, in the frames' own order (see :mod:`workbench.history.frames.build`
for what each column means), each with the pandas dtype the frames use. The Arrow type follows from it:
``category``/``str`` → string (Parquet dictionary-encodes it), ``Int64``/``int64`` → int64 (nullable),
``float64`` → double, ``bool`` → boolean, timestamps → ``timestamp[us, tz=UTC]`` (Spark does not read
nanosecond Parquet timestamps; AWS history times are milliseconds anyway). The executions' ``state_machine``
(the ARN) is stored as ``state_machine_arn``: ``state_machine`` (the name) and ``date`` are the hive partition
columns of all four tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.history.frames.assemble import EXECUTION_STATUSES
from workbench.history.frames.columns import KINDS, OUTCOMES, VISIT_STATUSES
from workbench.history.load.events import STATE_TYPES, TYPE_NAMES

if TYPE_CHECKING:
    from workbench.history.frames.build import HistoryFrames

#: Version of the store layout and columns, in every file's metadata (``workbench.schema_version``).
SCHEMA_VERSION = 1
TABLES = ("executions", "states", "attempts", "events")
#: The hive partition columns every table has when read (``state_machine`` VARCHAR name, ``date`` DATE).
PARTITION_COLUMNS = ("state_machine", "date")
VERSION_KEY = b"workbench.schema_version"
TABLE_KEY = b"workbench.table"

CAT, STR, NINT, INT, FLOAT, BOOL, TS = "category", "str", "Int64", "int64", "float64", "bool", "datetime64[ns, UTC]"
_ARROW = {CAT: pa.string(), STR: pa.string(), NINT: pa.int64(), INT: pa.int64(), FLOAT: pa.float64(),
          BOOL: pa.bool_(), TS: pa.timestamp("us", tz="UTC")}

#: (column, frame dtype) per table, in the frames' order; ``state_machine_arn`` is frames' ``state_machine``.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "executions": (("execution", CAT), ("state_machine_arn", CAT), ("status", CAT), ("start", TS), ("stop", TS),
                   ("duration_ms", FLOAT), ("events", INT), ("state_entries", INT), ("retries", INT),
                   ("transitions", INT), ("failures", INT), ("error", STR), ("cause", STR), ("complete", BOOL)),
    "states": (("execution", CAT), ("visit", INT), ("state", CAT), ("type", CAT), ("path", CAT), ("depth", INT),
               ("parent_visit", INT), ("entered", TS), ("exited", TS), ("duration_ms", FLOAT),
               ("started_after_ms", FLOAT), ("status", CAT), ("attempts", INT), ("retries", INT), ("error", STR),
               ("cause", STR), ("retry_policy", STR), ("entered_event", INT), ("exited_event", NINT)),
    "attempts": (("execution", CAT), ("visit", INT), ("state", CAT), ("path", CAT), ("attempt", INT),
                 ("kind", CAT), ("resource", CAT), ("resource_type", CAT), ("scheduled", TS), ("started", TS),
                 ("ended", TS), ("queue_ms", FLOAT), ("run_ms", FLOAT), ("outcome", CAT), ("error", STR),
                 ("cause", STR), ("backoff_ms", FLOAT)),
    "events": (("execution", CAT), ("id", INT), ("previous_id", NINT), ("id_known", BOOL), ("type", CAT),
               ("timestamp", TS), ("elapsed_ms", FLOAT), ("state", CAT), ("path", CAT), ("visit", INT),
               ("error", STR), ("cause", STR), ("resource", CAT), ("resource_type", CAT), ("map_run_arn", STR),
               ("iteration", NINT), ("input_size", NINT), ("output_size", NINT)),
}
#: Events columns present only in stores ingested with ``payloads=True``.
PAYLOAD_COLUMNS: tuple[tuple[str, str], ...] = (("input", STR), ("output", STR))
#: Fixed vocabularies of categorical columns (the frames' fixed categorical dtypes), by (table, column).
VOCABULARIES: dict[tuple[str, str], Sequence[str]] = {
    ("executions", "status"): EXECUTION_STATUSES, ("states", "type"): STATE_TYPES,
    ("states", "status"): VISIT_STATUSES, ("attempts", "kind"): KINDS, ("attempts", "outcome"): OUTCOMES,
    ("events", "type"): TYPE_NAMES,
}
#: Store column → frames column where they differ.
FRAME_NAMES = {"state_machine_arn": "state_machine"}


def columns(table: str, *, payloads: bool = False) -> tuple[tuple[str, str], ...]:
    """The (column, frame dtype) pairs of a store table, in order.

    Example:
        >>> columns("executions")[:2]
        (('execution', 'category'), ('state_machine_arn', 'category'))
    """
    if table not in COLUMNS:
        raise ValueError(f"unknown store table {table!r}: use one of {', '.join(TABLES)}")
    return COLUMNS[table] + (PAYLOAD_COLUMNS if payloads and table == "events" else ())


def table_schema(table: str, *, payloads: bool = False) -> pa.Schema:
    """The Arrow schema of a table's Parquet files (without the partition columns), with the version metadata.

    Spark/Athena registrations derive their column types from it, so an empty table still has its columns.

    Example:
        >>> s = table_schema("states")
        >>> s.field("entered").type, s.metadata[b"workbench.schema_version"]
        (TimestampType(timestamp[us, tz=UTC]), b'1')
    """
    fields = [pa.field(name, _ARROW[dtype]) for name, dtype in columns(table, payloads=payloads)]
    return pa.schema(fields, metadata={VERSION_KEY: str(SCHEMA_VERSION).encode(), TABLE_KEY: table.encode()})


def frame_name(column: str) -> str:
    """The frames' name of a store column (``state_machine_arn`` → ``state_machine``)."""
    return FRAME_NAMES.get(column, column)


def arrow_tables(frames: HistoryFrames, *, dictionary: bool = False) -> dict[str, pa.Table]:
    """The four frames as Arrow tables with the store schema, converted column by column.

    ``dictionary=True`` keeps categorical columns dictionary-encoded (smaller in memory; Parquet stores the
    same strings).

    Example:
        >>> from workbench.history import frames
        >>> t = arrow_tables(frames("../shared/corpus/histories/test_base__test_state_fail.json"))
        >>> t["events"].column("type").to_pylist()
        ['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']
        >>> t["executions"].schema.field("state_machine_arn").type
        DataType(string)
    """
    out = {}
    for table in TABLES:
        df = getattr(frames, table)
        payloads = table == "events" and "input" in df.columns
        out[table] = frame_to_arrow(df, table, payloads=payloads, dictionary=dictionary)
    return out


def frame_to_arrow(df: pd.DataFrame, table: str, *, payloads: bool = False, dictionary: bool = False) -> pa.Table:
    """One frame (frames' columns) → an Arrow table of the store schema.

    Example:
        >>> from workbench.history import frames
        >>> ex = frames("../shared/corpus/histories/test_base__test_state_fail.json").executions
        >>> frame_to_arrow(ex, "executions").column("status").to_pylist()
        ['FAILED']
    """
    schema = table_schema(table, payloads=payloads)
    arrays = []
    fields = []
    for field, (name, dtype) in zip(schema, columns(table, payloads=payloads), strict=True):
        arr = _column(df[frame_name(name)], dtype, field.type, dictionary)
        arrays.append(arr)
        fields.append(pa.field(name, arr.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=schema.metadata))


def _column(series: pd.Series, dtype: str, arrow_type: pa.DataType, dictionary: bool) -> pa.Array:
    if dtype == CAT and isinstance(series.dtype, pd.CategoricalDtype):
        cat = series.array
        codes = np.asarray(cat.codes, dtype=np.int32)
        values = pa.array(np.asarray(cat.categories, dtype=object), type=pa.string())
        arr = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), values)
        return arr if dictionary else arr.dictionary_decode()
    if dtype == TS:
        ns = np.asarray(series.array.asi8 if hasattr(series.array, "asi8") else series.astype("int64"),
                        dtype=np.int64)
        missing = series.isna().to_numpy()
        return pa.array(ns // 1000, type=pa.int64(), mask=missing if missing.any() else None).cast(arrow_type)
    if dtype in (NINT, INT, FLOAT, BOOL):
        return pa.array(series, type=arrow_type, from_pandas=True)
    return pa.array(series, type=pa.string(), from_pandas=True)


def to_frame_dtypes(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Give a frame read from the store (DuckDB/Arrow types) the frames' dtypes back, in place; returns it.

    Timestamps become ``datetime64[ns, UTC]``, strings of categorical columns ``category`` (with the frames'
    fixed vocabularies where they have one), nullable integers ``Int64``; ``state_machine_arn`` is renamed
    ``state_machine``. Columns that are not the table's (partition columns, computed ones) are left as they are.

    Example:
        >>> import duckdb
        >>> raw = duckdb.sql("SELECT 'x' AS execution, 'FAILED' AS status, TIMESTAMPTZ '2026-01-01 00:00:00+00' "
        ...                  "AS start").df()
        >>> to_frame_dtypes(raw, "executions").dtypes.astype(str).tolist()
        ['category', 'category', 'datetime64[ns, UTC]']
    """
    known = dict(columns(table, payloads=True))
    for name in list(df.columns):
        dtype = known.get(name)
        if dtype is None:
            continue
        df[name] = _restore(df[name], dtype, VOCABULARIES.get((table, name)))
    return df.rename(columns={k: v for k, v in FRAME_NAMES.items() if k in df.columns})


def _restore(series: pd.Series, dtype: str, vocabulary: Sequence[str] | None) -> Any:  # Any: pandas array
    if dtype == TS:
        if isinstance(series.dtype, pd.DatetimeTZDtype) and str(series.dtype) == TS:
            return series
        return pd.to_datetime(series, utc=True).astype(TS)
    if dtype == CAT:
        values = np.asarray(series.astype(object).where(series.notna(), None), dtype=object)
        if vocabulary is not None:
            index = pd.Index(list(vocabulary), dtype="str")
            extra = sorted({v for v in values if v is not None and v not in set(vocabulary)})
            if extra:
                index = pd.Index([*vocabulary, *extra], dtype="str")
            return pd.Categorical(values, categories=index)
        codes, uniques = pd.factorize(values)
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype="str"))
    if dtype == STR:
        return series.astype("str") if series.notna().all() else pd.array(
            series.astype(object).where(series.notna(), None), dtype="str")
    if dtype == NINT:
        return series.astype("Int64")
    if dtype == INT:
        return series.astype("int64")
    if dtype == FLOAT:
        return series.astype("float64")
    return series.astype("bool")
