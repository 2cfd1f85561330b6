"""``workbench sql PATH "SELECT ..."``: one read-only query over a history store, printed or written to a file.

The store's tables are views (``executions``, ``states``, ``attempts``, ``events``, each with ``state_machine``
and ``date``); see ``docs/store.md``. Only one SELECT (or EXPLAIN) runs, and it can read only the store's files:
the command never changes the store and never reads elsewhere.
"""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from workbench.cli.output import fail, write_problem
from workbench.core.diagnostics import WorkbenchError

#: Rows printed by ``--format table`` (the rest are counted; csv/json/parquet and -o give all rows).
TABLE_ROWS = 1000


class SqlFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def sql_cmd(
    store: Annotated[Path, typer.Argument(help="The store folder (written by `workbench history ingest`).")],
    query: Annotated[str, typer.Argument(help='One SELECT over executions/states/attempts/events, e.g. '
                                              '"SELECT status, count(*) FROM executions GROUP BY 1".')],
    fmt: Annotated[SqlFormat, typer.Option("--format", "-f", help="table, csv, json or parquet.")] = SqlFormat.table,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the result to this file (0600).")] = None,
) -> None:
    """Run one read-only SQL query (DuckDB) over a history store.

    Exit 0 with the result, 2 for an unusable store, query (DuckDB's message) or output path.
    """
    import duckdb

    from workbench.history.store import open as open_store

    if fmt == SqlFormat.parquet and output is None:
        raise fail("--format parquet writes a file: give -o FILE.parquet")
    if output is not None:
        _check_output(output, store)
    try:
        con = open_store(store)
    except WorkbenchError as exc:
        raise fail(str(exc)) from None
    try:
        _confine(con, store)
        _read_only(con, query)
        result: Any = con.sql(query).to_arrow_table()  # Any: an Arrow table
    except duckdb.Error as exc:
        raise fail(_first_line(exc)) from None
    finally:
        con.close()
    if output is not None:
        _write(result, fmt, output)
        typer.echo(f"wrote {result.num_rows} rows to {output}", err=True)
        return
    typer.echo(_render(result, fmt), nl=False)


def _read_only(con: Any, query: str) -> None:  # Any: a duckdb connection
    """Exactly one SELECT/EXPLAIN statement (no COPY, ATTACH, SET...): the store is never changed."""
    import duckdb

    statements = con.extract_statements(query)
    if len(statements) != 1:
        raise fail(f"give exactly one SQL statement (found {len(statements)}); separate queries need separate runs")
    kind = statements[0].type
    if kind not in (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN):
        raise fail(f"only a SELECT (or EXPLAIN) query runs here, not {kind.name}: the store is read-only through "
                   "`workbench sql`")


def _confine(con: Any, store: Path) -> None:  # Any: a duckdb connection
    """Let the query read the store's files only (no ``read_csv('/etc/...')``, no ``httpfs``): the command answers
    questions about the store, not about the machine. DuckDB cannot turn external access back on afterwards."""
    roots = sorted({str(store.absolute()), str(store.resolve())})
    con.execute("SET allowed_directories = $roots", {"roots": [os.path.join(r, "") for r in roots]})
    con.execute("SET enable_external_access = false")


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return " ".join(lines[:2]) if lines else type(exc).__name__


def _check_output(output: Path, store: Path) -> None:
    """-o must not be inside the store (an input, and files there would be read as data) or a folder."""
    target = output.resolve()
    root = store.resolve()
    if target == root or root in target.parents:
        raise fail(f"-o {output} is inside the store {store}: writing there could destroy or corrupt its data. "
                   "Give -o a path outside the store; nothing was written.")
    if output.is_dir():
        raise fail(f"-o {output} is a folder; give a file name (e.g. {output / 'result.csv'})")
    blocker = next((p for p in output.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise fail(f"-o {output}: {blocker} is a file, not a folder; give -o a path in a folder")


def _write(result: Any, fmt: SqlFormat, output: Path) -> None:  # Any: an Arrow table
    from workbench.core.files import PRIVATE_FILE, atomic_path, write_text_atomic

    try:
        if fmt == SqlFormat.parquet:
            import pyarrow.parquet as pq

            with atomic_path(output, PRIVATE_FILE) as tmp:
                pq.write_table(result, tmp, compression="zstd")
        else:
            write_text_atomic(output, _render(result, fmt if fmt != SqlFormat.table else SqlFormat.csv,
                                              limit=None), PRIVATE_FILE)
    except OSError as exc:
        raise fail(write_problem(output, exc)) from None


def _render(result: Any, fmt: SqlFormat, limit: int | None = TABLE_ROWS) -> str:  # Any: an Arrow table
    frame = result.to_pandas()
    if fmt == SqlFormat.csv:
        return str(frame.to_csv(index=False))
    if fmt == SqlFormat.json:
        return json.dumps(_records(frame), ensure_ascii=False, default=str) + "\n"
    if not len(frame):
        return ", ".join(frame.columns) + "\n(0 rows)\n"
    shown = frame if limit is None or len(frame) <= limit else frame.head(limit)
    text = shown.to_string(index=False, na_rep="NULL") + "\n"
    if len(shown) < len(frame):
        text += f"(first {len(shown)} of {len(frame)} rows; --format csv/json or -o FILE gives all){os.linesep}"
    return text


def _records(frame: Any) -> list[dict[str, Any]]:  # Any: a pandas frame / JSON values
    out = frame.astype(object).where(frame.notna(), None)
    rows: list[dict[str, Any]] = out.to_dict(orient="records")  # Any: JSON values
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "isoformat"):
                row[key] = value.isoformat()
    return rows


def register(app: typer.Typer) -> None:
    app.command("sql")(sql_cmd)
