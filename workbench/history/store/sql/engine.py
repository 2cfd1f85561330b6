"""Where the store analyses' SQL runs: engine detection, the few spellings that differ, results as Arrow/pandas.

The SQL of every store analysis is written once, in the subset of SQL that DuckDB and Spark SQL both run
(``percentile_cont(q) WITHIN GROUP (ORDER BY x)`` is pandas' linear interpolation on both; explicit
``NULLS FIRST/LAST``, since their defaults differ). Four things are spelled differently, and only here, in
:class:`Dialect`: a timestamp as epoch microseconds, a global regex replace, a string literal (Spark
unescapes backslashes and concatenates adjacent literals) and a JSON string field. Detection looks at the
object's type name only, so neither duckdb nor pyspark is imported by the analysis modules.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

Engine = Literal["duckdb", "spark"]
TABLE_NAMES = ("executions", "states", "attempts", "events")
_DUCKDB_MODULES = ("duckdb", "_duckdb")
#: Double literals: ``0.0`` is a DECIMAL in both engines, and Spark keeps DECIMAL arithmetic (and averages) at
#: a few decimal places, so every fractional figure is made a DOUBLE explicitly.
ZERO, ONE = "CAST(0 AS DOUBLE)", "CAST(1 AS DOUBLE)"


def double(value: int) -> str:
    """An integer as a DOUBLE literal."""
    return f"CAST({int(value)} AS DOUBLE)"


def engine_of(store: object) -> Engine | None:
    """``"duckdb"`` for a DuckDB connection, ``"spark"`` for a SparkSession, else None (e.g. frames).

    Looks only at the type's module, so it never imports duckdb or pyspark.

    Example:
        >>> import duckdb
        >>> engine_of(duckdb.connect()), engine_of({"states": None})
        ('duckdb', None)
    """
    if isinstance(store, StoreSelection):
        return store.engine
    root = type(store).__module__.partition(".")[0]
    if root in _DUCKDB_MODULES and hasattr(store, "sql"):
        return "duckdb"
    if root == "pyspark" and hasattr(store, "sql") and hasattr(store, "catalog"):
        return "spark"
    return None


def is_store(frames: object) -> bool:
    """True when an analysis was given a store (connection, Spark session or selection) instead of frames.

    Example:
        >>> is_store({"states": None})
        False
    """
    return engine_of(frames) is not None


@dataclass(frozen=True)
class Dialect:
    """The spellings that differ between DuckDB and Spark SQL; everything else is written once.

    Example:
        >>> Dialect("spark").lit("it's"), Dialect("duckdb").lit("it's")
        ("'it\\\\'s'", "'it''s'")
    """

    engine: Engine

    def us(self, expr: str) -> str:
        """Microseconds since the epoch of a timestamp expression (BIGINT)."""
        return f"epoch_us({expr})" if self.engine == "duckdb" else f"unix_micros({expr})"

    def ms_between(self, start: str, end: str) -> str:
        """``end - start`` in float milliseconds (NULL when either is NULL)."""
        return f"(({self.us(end)} - {self.us(start)}) / {double(1000)})"

    def fold_iter(self, expr: str) -> str:
        """``expr`` with every ``iter[<n>]`` replaced by ``iter[*]`` (Map iterations folded together)."""
        if self.engine == "duckdb":
            return f"regexp_replace({expr}, 'iter\\[[0-9]+\\]', 'iter[*]', 'g')"
        return f"regexp_replace({expr}, 'iter\\\\[[0-9]+\\\\]', 'iter[*]')"

    def lit(self, value: str | float | bool | None) -> str:
        """A SQL literal for a Python value (strings quoted for this engine; floats exactly, by repr)."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return f"CAST('{value}' AS DOUBLE)"
            return f"CAST({value!r} AS DOUBLE)"
        if self.engine == "duckdb":
            return "'" + value.replace("'", "''") + "'"
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def json_string(self, expr: str, key: str) -> str:
        """The member ``key`` of a JSON object held as text, NULL when the text is not JSON or has no such member.

        DuckDB also gives NULL for a member that is not a string; Spark gives its JSON text (a function name
        is always a string in practice).
        """
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"JSON key {key!r} must be a plain identifier")
        if self.engine == "duckdb":
            return (f"CASE WHEN json_valid({expr}) AND json_type({expr}, '$.{key}') = 'VARCHAR' "
                    f"THEN json_extract_string({expr}, '$.{key}') END")
        return f"get_json_object({expr}, '$.{key}')"  # a non-string member comes back as its JSON text


def nn(expr: str) -> str:
    """``expr`` with NaN turned into NULL, so a store written with NaN or with NULL aggregates alike."""
    return f"(CASE WHEN isnan({expr}) THEN NULL ELSE {expr} END)"


@dataclass(frozen=True)
class StoreSelection:
    """Some executions of a store, chosen by ARN and/or a start-time window [since, until).

    :func:`~workbench.history.analysis.select_executions` returns one when given a store; every store
    analysis accepts it in place of the store, and restricts all four tables to those executions.

    Example:
        >>> import duckdb
        >>> StoreSelection(duckdb.connect(), executions=("arn:run-1",)).engine
        'duckdb'
    """

    store: object
    executions: tuple[str, ...] | None = None
    since: pd.Timestamp | None = None
    until: pd.Timestamp | None = None

    @property
    def engine(self) -> Engine:
        engine = engine_of(self.store)
        if engine is None:
            raise TypeError(f"a StoreSelection needs a DuckDB connection or a SparkSession, got "
                            f"{type(self.store).__name__}")
        return engine


def select_store(store: object, executions: Iterable[str] | None = None, *, since: Any = None,  # Any: date-like
                 until: Any = None) -> StoreSelection:  # Any: any date form pd.Timestamp reads
    """A :class:`StoreSelection`: what :func:`~workbench.history.analysis.select_executions` gives for a store.

    Naive times are read as UTC.

    Example:
        >>> import duckdb
        >>> select_store(duckdb.connect(), since="2026-03-02").since
        Timestamp('2026-03-02 00:00:00+0000', tz='UTC')
    """
    if isinstance(store, StoreSelection):
        raise TypeError("select_executions: give the store itself, not a selection of it")
    chosen = None if executions is None else tuple(sorted({str(e) for e in executions}))
    return StoreSelection(store, chosen, None if since is None else utc(since), None if until is None else utc(until))


def utc(value: Any) -> pd.Timestamp:  # Any: any date form pd.Timestamp reads
    """A date-like value as a UTC timestamp (naive values are read as UTC)."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


class Source:
    """A store (or a selection of one) to run SQL on: the table expressions, the dialect and the runner.

    Example:
        >>> import duckdb
        >>> con = duckdb.connect()
        >>> _ = con.sql("CREATE VIEW executions AS SELECT 'a' AS execution, 5 AS transitions")
        >>> Source(con).frame("SELECT max(transitions) AS n FROM " + Source(con).table("executions"))["n"].tolist()
        [5]
    """

    def __init__(self, store: object) -> None:
        selection = store if isinstance(store, StoreSelection) else None
        self.store: Any = selection.store if selection else store  # Any: duckdb connection or SparkSession
        self.selection = selection
        engine = engine_of(self.store)
        if engine is None:
            raise TypeError(f"expected a DuckDB connection from workbench.history.store.open(path) or a SparkSession "
                            f"with the store's views, got {type(store).__name__}")
        self.dialect = Dialect(engine)

    def table(self, name: str) -> str:
        """The FROM expression of a store table: its view, or a subquery restricted to the selection."""
        if name not in TABLE_NAMES:
            raise ValueError(f"unknown store table {name!r}")
        where = self._where()
        if not where:
            return name
        if name == "executions":
            return f"(SELECT * FROM executions WHERE {where})"
        prune = self._date_prune()
        return (f"(SELECT * FROM {name} WHERE {prune}execution IN "
                f"(SELECT execution FROM executions WHERE {where}))")

    def _where(self) -> str:
        sel = self.selection
        if sel is None:
            return ""
        d = self.dialect
        parts = [self._date_prune().removesuffix(" AND ")] if self._date_prune() else []
        if sel.executions is not None:
            parts.append(f"execution IN ({', '.join(d.lit(e) for e in sel.executions) or 'NULL'})")
        if sel.since is not None:
            parts.append(f"{d.us('start')} >= {_micros(sel.since)}")
        if sel.until is not None:
            parts.append(f"{d.us('start')} < {_micros(sel.until)}")
        return " AND ".join(parts)

    def _date_prune(self) -> str:
        """Partition pruning for a start window: an execution's rows all live in its start date's partition."""
        sel = self.selection
        if sel is None or (sel.since is None and sel.until is None):
            return ""
        parts = []
        if sel.since is not None:
            parts.append(f"date >= DATE '{sel.since.date().isoformat()}'")
        if sel.until is not None:
            parts.append(f"date <= DATE '{sel.until.date().isoformat()}'")
        return " AND ".join(parts) + " AND "

    def arrow(self, sql: str) -> pa.Table:
        """Run one query and return its rows as an Arrow table."""
        if self.dialect.engine == "duckdb":
            rel = self.store.sql(sql)
            to_table = getattr(rel, "to_arrow_table", None)
            result = to_table() if to_table is not None else rel.arrow()
            return result if isinstance(result, pa.Table) else result.read_all()
        df = self.store.sql(sql)
        if hasattr(df, "toArrow"):
            return df.toArrow()
        rows = [r.asDict() for r in df.collect()]  # pyspark < 4: no toArrow
        return pa.Table.from_pylist(rows) if rows else pa.table({c: pa.array([]) for c in df.columns})

    def frame(self, sql: str) -> pd.DataFrame:
        """Run one query and return its rows as pandas (no dtype conversion beyond Arrow's)."""
        return self.arrow(sql).to_pandas()

    def columns(self, name: str) -> list[str]:
        """Column names of a store table's view (e.g. to know whether events carry payloads)."""
        if self.dialect.engine == "duckdb":
            return list(self.store.sql(f"SELECT * FROM {name}").columns)  # no rows are read
        return list(self.store.table(name).columns)

    @contextmanager
    def temp_table(self, table: pa.Table) -> Iterator[str]:
        """Make a small Arrow table visible to queries under a fresh name, for the duration of the block."""
        name = f"wb_tmp_{uuid.uuid4().hex[:12]}"
        if self.dialect.engine == "duckdb":
            self.store.register(name, table)
            try:
                yield name
            finally:
                self.store.unregister(name)
            return
        self.store.createDataFrame(_spark_rows(table), schema=_spark_ddl(table.schema)).createOrReplaceTempView(name)
        try:
            yield name
        finally:
            self.store.catalog.dropTempView(name)


def _micros(ts: pd.Timestamp) -> int:
    return int(ts.value // 1000)


_SPARK_TYPES = {pa.string(): "STRING", pa.large_string(): "STRING", pa.int64(): "BIGINT", pa.float64(): "DOUBLE",
                pa.bool_(): "BOOLEAN"}


def _spark_ddl(schema: pa.Schema) -> str:
    return ", ".join(f"`{f.name}` {_SPARK_TYPES[f.type]}" for f in schema)


def _spark_rows(table: pa.Table) -> list[tuple[Any, ...]]:  # Any: cells of any column type
    columns: Sequence[list[Any]] = [c.to_pylist() for c in table.columns]  # Any: cells of any column type
    return list(zip(*columns, strict=True)) if columns else []
