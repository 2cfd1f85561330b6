"""``workbench store ddl --athena``: CREATE EXTERNAL TABLE statements whose columns and types are the Parquet
files' own, with partition projection, that parse as Athena/Hive DDL."""

from __future__ import annotations

import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp
from typer.testing import CliRunner

import workbench.history.store as store
from workbench.cli import app
from workbench.history.store.athena import AthenaDdlError, athena_ddl, athena_type

# What an Athena/Hive column type means, as the Arrow type a Parquet file must hold for it.
_ARROW_OF = {"STRING": pa.string(), "VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
             "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us", tz="UTC")}


def _parsed(statement: str, dialect: str) -> tuple[str, list[tuple[str, str]], list[tuple[str, str]], dict[str, str]]:
    """(table, columns, partition columns, properties) of one statement, as sqlglot reads it."""
    tree = sqlglot.parse_one(statement, read=dialect)
    assert isinstance(tree, exp.Create) and tree.kind == "TABLE"
    schema = tree.this
    columns = [(c.name, c.args["kind"].sql("hive").upper()) for c in schema.expressions]
    props = tree.args["properties"].expressions
    partitioned = next(p for p in props if isinstance(p, exp.PartitionedByProperty))
    partitions = [(c.name, c.args["kind"].sql("hive").upper()) for c in partitioned.this.expressions]
    table_props = {p.name: p.text("value") for p in props if isinstance(p, exp.Property) and
                   type(p) is exp.Property}
    return schema.this.name, columns, partitions, table_props


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    path = tmp_path_factory.mktemp("athena") / "store"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        store.ingest([str(corpus / "histories")], str(path), progress=False)
    return path


@pytest.mark.parametrize("dialect", ["hive", "athena"])
def test_columns_and_types_are_the_parquet_files_own(dialect: str, store_path: Path) -> None:
    for statement in athena_ddl("s3://fleet-bucket/prefix/", database="workbench"):
        table, columns, partitions, _ = _parsed(statement, dialect)
        files = store.live_files(store_path, table)
        assert files, f"the corpus store has {table} files"
        written = pq.read_schema(files[0])
        assert [name for name, _ in columns] == written.names
        assert [_ARROW_OF[kind] for _, kind in columns] == written.types
        assert partitions == [("state_machine", "STRING"), ("date", "DATE")]


def test_partitions_are_projected_from_the_location() -> None:
    statements = athena_ddl("s3://fleet-bucket/prefix", state_machines=["triage", "night.shift"], since="2026-01-01")
    _, _, _, props = _parsed(statements[1], "hive")
    assert props["projection.enabled"] == "true"
    assert props["projection.state_machine.type"] == "enum"
    assert props["projection.state_machine.values"] == "triage,night%2Eshift"  # as the folders spell it
    assert (props["projection.date.type"], props["projection.date.format"], props["projection.date.range"]) == (
        "date", "yyyy-MM-dd", "2026-01-01,NOW")
    assert props["storage.location.template"] == (
        "s3://fleet-bucket/prefix/states/state_machine=${state_machine}/date=${date}/")
    injected = _parsed(athena_ddl("s3://fleet-bucket/prefix")[0], "hive")[3]
    assert injected["projection.state_machine.type"] == "injected"
    assert "projection.state_machine.values" not in injected


def test_reserved_words_are_quoted_and_payloads_optional() -> None:
    events = athena_ddl("s3://b-1/p/", payloads=True)[3]
    assert "`timestamp` timestamp" in events and "PARTITIONED BY (`state_machine` string, `date` date)" in events
    assert [c for c, _ in _parsed(events, "athena")[1]][-2:] == ["input", "output"]
    assert athena_type(pa.bool_()) == "boolean"


@pytest.mark.parametrize(("args", "message"), [
    (["--athena", "fleet-bucket/prefix"], "is not an S3 location"),
    (["--athena", "s3://fleet-bucket/p", "--database", "My-DB"], "Athena database names"),
    (["--athena", "s3://fleet-bucket/p", "--since", "yesterday"], "is not a date"),
    (["--athena", "s3://fleet-bucket/p", "--state-machines", ","], "--state-machines is empty"),
])
def test_cli_refuses_bad_input_in_one_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["store", "ddl", *args])
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_prints_four_statements() -> None:
    result = CliRunner().invoke(app, ["store", "ddl", "--athena", "s3://fleet-bucket/prefix/", "--database", "wb"])
    assert result.exit_code == 0, result.output
    statements = [s for s in result.output.split(";\n") if s.strip()]
    assert [_parsed(s.rstrip(";\n"), "athena")[0] for s in statements] == ["executions", "states", "attempts",
                                                                             "events"]
    assert "`wb`.`executions`" in statements[0]
    with pytest.raises(AthenaDdlError):
        athena_ddl("s3://x/")
