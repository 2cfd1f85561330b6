"""``workbench store ddl --athena s3://bucket/prefix/``: the store's tables for Athena, as SQL to run there."""

from __future__ import annotations

from typing import Annotated

import typer

from workbench.cli.output import fail


def ddl_cmd(
    athena: Annotated[str, typer.Option(
        "--athena", help="S3 folder the store was copied to, e.g. s3://bucket/prefix/.")],
    database: Annotated[str | None, typer.Option(help="Athena database to create the tables in.")] = None,
    state_machines: Annotated[str | None, typer.Option(
        "--state-machines",
        help="Comma-separated machine names: project them as an enum (queries need no machine filter). "
             "Default: injected (every query names its machine).")] = None,
    since: Annotated[str, typer.Option(help="First date of the date projection (YYYY-MM-DD).")] = "2020-01-01",
    payloads: Annotated[bool, typer.Option(
        "--payloads/--no-payloads", help="The store was ingested with payloads (events input/output).")] = False,
) -> None:
    """Print CREATE EXTERNAL TABLE statements (partition projection) for the store's four tables in Athena."""
    from workbench.history.store.athena import AthenaDdlError, athena_ddl

    machines = None if state_machines is None else [m.strip() for m in state_machines.split(",") if m.strip()]
    try:
        statements = athena_ddl(athena, database=database, state_machines=machines, since=since, payloads=payloads)
    except AthenaDdlError as exc:
        raise fail(str(exc)) from None
    typer.echo(";\n\n".join(statements) + ";")


def register(app: typer.Typer) -> None:
    store = typer.Typer(help="The Parquet history store: tables for other engines.", no_args_is_help=True)
    store.command("ddl")(ddl_cmd)
    app.add_typer(store, name="store")
