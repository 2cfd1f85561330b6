"""Athena tables over a store copied to S3: ``CREATE EXTERNAL TABLE`` with partition projection.

Copy the store folder to ``s3://bucket/prefix/`` (``aws s3 sync PATH s3://bucket/prefix/``: the hidden and
``_`` files are skipped by Athena anyway) and run the statements :func:`athena_ddl` prints; no crawler and no
``MSCK REPAIR``: partition projection computes the partitions from the query.

* Columns and types come from the store's Arrow schema through one mapping (:func:`athena_type`).
* ``date`` is projected as a date (``yyyy-MM-dd``, one day apart, from ``since`` to ``NOW``). Executions whose
  history hid its times live in the ``__HIVE_DEFAULT_PARTITION__`` folder, which a date projection cannot
  name: Athena does not see them (query them with DuckDB).
* ``state_machine`` (the machine names are not known in advance) is projected as ``injected`` by default:
  any name works, new machines need no DDL change, but every query must name the machine(s) with
  ``state_machine = '...'`` or ``IN (...)``. Give ``state_machines`` to project an ``enum`` instead: queries
  across all machines then work without a filter, and a new machine needs the DDL re-run. Names are matched
  as the folders spell them (characters outside ``[A-Za-z0-9_-]`` percent-escaped).
* Every identifier is quoted with backticks (``date`` and ``timestamp`` are reserved words); in Athena
  queries quote them with double quotes: ``SELECT "date", "timestamp" FROM events``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import pyarrow as pa

from workbench.core.diagnostics import WorkbenchError
from workbench.history.store.layout import escape
from workbench.history.store.schema import PARTITION_COLUMNS, TABLES, table_schema

_ATHENA_TYPES = {pa.string(): "string", pa.int64(): "bigint", pa.float64(): "double", pa.bool_(): "boolean",
                 pa.timestamp("us", tz="UTC"): "timestamp"}
#: The hive partition columns and their Athena types.
PARTITION_TYPES = {"state_machine": "string", "date": "date"}
_S3 = re.compile(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s'`$]*)?")
_DATABASE = re.compile(r"[a-z0-9_]{1,255}")


class AthenaDdlError(WorkbenchError):
    """An S3 location, database name or date given for the Athena DDL is unusable; the message says why."""


def athena_type(arrow_type: pa.DataType) -> str:
    """The Athena (Hive DDL) type of a store column's Arrow type.

    Example:
        >>> athena_type(table_schema("events").field("timestamp").type)
        'timestamp'
    """
    try:
        return _ATHENA_TYPES[arrow_type]
    except KeyError:
        raise ValueError(f"no Athena type for the store column type {arrow_type}") from None


def _location(location: str) -> str:
    loc = location.strip()
    if not _S3.fullmatch(loc):
        raise AthenaDdlError(f"--athena {location!r} is not an S3 location: give s3://bucket/prefix/ (the folder the "
                             "store was copied to)")
    return loc if loc.endswith("/") else loc + "/"


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _s(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def athena_ddl(location: str, *, database: str | None = None, state_machines: Sequence[str] | None = None,
               since: str = "2020-01-01", payloads: bool = False) -> list[str]:
    """``CREATE EXTERNAL TABLE`` statements for the four store tables at ``location`` (an S3 folder).

    ``database`` prefixes the table names; ``state_machines`` switches the machine projection from
    ``injected`` to ``enum`` (see the module docstring); ``since`` is the first projected date; ``payloads``
    adds the events' ``input``/``output`` columns (stores ingested with payloads).

    Example:
        >>> ddl = athena_ddl("s3://fleet-bucket/store", database="workbench")
        >>> print(ddl[0].splitlines()[0])
        CREATE EXTERNAL TABLE IF NOT EXISTS `workbench`.`executions` (
        >>> [line.strip() for line in ddl[0].splitlines() if "state_machine.type" in line]
        ["'projection.state_machine.type' = 'injected',"]
    """
    root = _location(location)
    if database is not None and not _DATABASE.fullmatch(database):
        raise AthenaDdlError(f"--database {database!r}: Athena database names are lower-case letters, digits and "
                             "underscores")
    try:
        first = date.fromisoformat(since).isoformat()
    except ValueError:
        raise AthenaDdlError(f"--since {since!r} is not a date: give YYYY-MM-DD") from None
    if state_machines is not None and not state_machines:
        raise AthenaDdlError("--state-machines is empty: name at least one machine, or leave it out to use injected "
                             "projection")
    return [_table_ddl(table, root, database, state_machines, first, payloads) for table in TABLES]


def _table_ddl(table: str, root: str, database: str | None, machines: Sequence[str] | None, first: str,
               payloads: bool) -> str:
    name = f"{_q(database)}.{_q(table)}" if database else _q(table)
    schema = table_schema(table, payloads=payloads and table == "events")
    columns = ",\n".join(f"  {_q(f.name)} {athena_type(f.type)}" for f in schema)
    partitions = ", ".join(f"{_q(c)} {PARTITION_TYPES[c]}" for c in PARTITION_COLUMNS)
    where = f"{root}{table}/"
    props: list[tuple[str, str]] = [("projection.enabled", "true")]
    if machines is None:
        props.append(("projection.state_machine.type", "injected"))
    else:
        props += [("projection.state_machine.type", "enum"),
                  ("projection.state_machine.values", ",".join(escape(m) for m in machines))]
    props += [("projection.date.type", "date"), ("projection.date.format", "yyyy-MM-dd"),
              ("projection.date.range", f"{first},NOW"), ("projection.date.interval", "1"),
              ("projection.date.interval.unit", "DAYS"),
              ("storage.location.template", f"{where}state_machine=${{state_machine}}/date=${{date}}/")]
    properties = ",\n".join(f"  {_s(k)} = {_s(v)}" for k, v in props)
    return (f"CREATE EXTERNAL TABLE IF NOT EXISTS {name} (\n{columns}\n)\nPARTITIONED BY ({partitions})\n"
            f"STORED AS PARQUET\nLOCATION {_s(where)}\nTBLPROPERTIES (\n{properties}\n)")
