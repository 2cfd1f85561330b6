"""``workbench history ingest`` and ``workbench sql``: results, formats, one-line errors, -o refusals."""

from __future__ import annotations

import io
import json
import re
import shutil
import stat
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.cli.support import FAKE_AWS_ENV, error_line, run_cli
from tests.fake_sfn import MACHINE_ARN, fake_step_functions
from tests.history.store.helpers import HISTORIES, corpus_files, quiet_ingest

QUERY = "SELECT status, count(*) AS n FROM executions GROUP BY 1 ORDER BY 1"


def cli(*args: str) -> tuple[int, str, str]:
    return run_cli(*args, env=FAKE_AWS_ENV)


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    quiet_ingest(corpus_files(), path)
    return path


def test_ingest_prints_one_summary_line_and_reingests_idempotently(tmp_path: Path) -> None:
    path = tmp_path / "store"
    code, out, err = cli("history", "ingest", str(HISTORIES), "--store", str(path), "--no-progress")
    assert code == 0, err
    assert out.startswith("ingested 118 executions (0 replaced), 1307 events in 1 batch (4 files) into ")
    assert err.count("warning:") == 5 and "placeholder ids" in err  # five recordings warn, once each
    code, out, _ = cli("history", "ingest", str(HISTORIES), "--store", str(path), "--no-progress",
                       "--batch-events", "500")
    assert code == 0 and out.startswith("ingested 118 executions (118 replaced), 1307 events in 3 batches")


def test_ingest_fetches_a_state_machine_through_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with fake_step_functions() as fake:
        code, out, err = cli("history", "ingest", "--state-machine", MACHINE_ARN, "--target", fake.url, "--store",
                             str(path), "--cache", str(tmp_path / "cache"), "--no-progress")
    assert code == 0, err
    assert out.startswith("ingested 2 executions (0 replaced), 4 events in 1 batch")
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 2
    code, out, _ = cli("sql", str(path), "SELECT state_machine, state_machine_arn FROM executions LIMIT 1")
    assert code == 0 and "Fake" in out and MACHINE_ARN in out


@pytest.mark.parametrize(("args", "message"), [
    ([], "give history files or folders to ingest, or --state-machine ARN"),
    (["/no/such/file.json"], "/no/such/file.json does not exist"),
    ([str(HISTORIES), "--since", "24h"], "--since needs --state-machine"),
    (["--state-machine", "Fake"], "--state-machine 'Fake' is not a state machine ARN"),
    ([str(HISTORIES), "--batch-events", "0"], "--batch-events 0: give 1 or more"),
])
def test_ingest_option_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    code, out, err = cli("history", "ingest", *args, "--store", str(tmp_path / "store"))
    assert code == 2 and out == ""
    assert error_line(err).startswith(f"error: {message}")
    assert "Traceback" not in err and not (tmp_path / "store").exists()


def test_ingest_input_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"events": [')
    path = tmp_path / "store"
    code, _, err = cli("history", "ingest", str(HISTORIES), str(bad), "--store", str(path), "--no-progress",
                       "--batch-events", "500")
    assert code == 2
    (line,) = [x for x in err.splitlines() if "error HIST001" in x]
    assert line.startswith(f"{bad}:1:") and "not valid JSON" in line and "Traceback" not in err
    # the batches completed before the bad file are committed; the one being read is not
    (note,) = [x for x in err.splitlines() if x.startswith("note:")]
    assert re.fullmatch(r"note: \d+ executions in 2 batches were committed before; re-run after fixing the file "
                        r"to ingest the rest", note)
    (tmp_path / "afile").write_text("x")
    code, _, err = cli("history", "ingest", str(HISTORIES), "--store", str(tmp_path / "afile"))
    assert code == 2 and error_line(err).startswith("error: --store")
    code, _, err = cli("history", "ingest", str(tmp_path / "afile"), "--store", str(tmp_path / "s2"))
    assert code == 2 and "not valid JSON" in err


def test_sql_formats(corpus_store: Path, tmp_path: Path) -> None:
    code, out, err = cli("sql", str(corpus_store), QUERY)
    assert code == 0, err
    assert out.splitlines()[0].split() == ["status", "n"] and "SUCCEEDED" in out
    code, out, _ = cli("sql", str(corpus_store), QUERY, "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["status", "n"] and int(table["n"].sum()) == 118
    code, out, _ = cli("sql", str(corpus_store), "SELECT execution, start, date FROM executions ORDER BY 1 LIMIT 2",
                       "-f", "json")
    rows = json.loads(out)
    assert rows[0] == {"execution": "test_activities__test_activity_task", "start": None, "date": None}
    target = tmp_path / "out" / "states.parquet"
    code, out, err = cli("sql", str(corpus_store), "SELECT * FROM states", "-f", "parquet", "-o", str(target))
    assert code == 0 and out == "" and "wrote 304 rows" in err
    assert pq.read_table(target).num_rows == 304
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    csv = tmp_path / "result.csv"
    code, _, _ = cli("sql", str(corpus_store), QUERY, "-o", str(csv))
    assert code == 0 and pd.read_csv(csv)["n"].sum() == 118 and stat.S_IMODE(csv.stat().st_mode) == 0o600


@pytest.mark.parametrize(("query", "message"), [
    ("SELEC 1", "error: Parser Error: syntax error at or near \"SELEC\""),
    ("SELECT nope FROM executions", "error: Binder Error: Referenced column \"nope\" not found"),
    ("SELECT 1; SELECT 2", "error: give exactly one SQL statement (found 2)"),
    ("COPY executions TO 'x.csv'", "error: only a SELECT (or EXPLAIN) query runs here, not COPY"),
    ("CREATE TABLE t AS SELECT 1", "error: only a SELECT (or EXPLAIN) query runs here, not CREATE"),
])
def test_sql_errors_are_one_line(corpus_store: Path, query: str, message: str) -> None:
    code, out, err = cli("sql", str(corpus_store), query)
    assert code == 2 and out == ""
    assert error_line(err).startswith(message)
    assert len(err.strip().splitlines()) == 1


def test_sql_reads_only_the_store(corpus_store: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text("token\nhunter2\n")
    escape = corpus_store / ".." / outside.name  # a path that starts inside the store and leaves it
    for query in (f"SELECT * FROM read_csv('{outside}')", f"SELECT * FROM read_csv('{escape}')",
                  f"SELECT * FROM '{outside}'"):
        code, out, err = cli("sql", str(corpus_store), query)
        assert code == 2 and "hunter2" not in out + err
        assert "file system operations are disabled" in error_line(err)
    code, out, _ = cli("sql", str(corpus_store), "SELECT count(*) AS n FROM events", "-f", "csv")
    assert code == 0 and int(out.splitlines()[1]) > 0  # the store's own files stay readable


def test_a_damaged_data_file_is_one_line_naming_it(corpus_store: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(corpus_store, damaged)
    victim = sorted((damaged / "executions").rglob("*.parquet"))[0]
    victim.write_bytes(b"not parquet")  # a file replaced by hand, or cut by a full disk during a copy
    code, out, err = cli("sql", str(damaged), QUERY)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "the executions table cannot be read" in error_line(err) and victim.name in err


def test_sql_output_refusals(corpus_store: Path, tmp_path: Path) -> None:
    inside = corpus_store / "executions" / "x.csv"
    cases = {
        str(inside): "is inside the store",
        str(corpus_store): "is inside the store",
        str(tmp_path): "is a folder",
    }
    for target, message in cases.items():
        code, _, err = cli("sql", str(corpus_store), QUERY, "-o", target)
        assert code == 2 and message in error_line(err)
    assert not inside.exists()
    code, _, err = cli("sql", str(corpus_store), QUERY, "-f", "parquet")
    assert code == 2 and "--format parquet writes a file: give -o" in error_line(err)
    code, _, err = cli("sql", str(tmp_path / "nothing"), QUERY)
    assert code == 2 and error_line(err).startswith(f"error: {tmp_path / 'nothing'} does not exist")
    code, _, err = cli("sql", str(HISTORIES), QUERY)
    assert code == 2 and "is not a history store" in error_line(err)


def test_ingest_shows_the_first_warnings_and_counts_the_rest(tmp_path: Path) -> None:
    blobs = tmp_path / "fleet"
    blobs.mkdir()
    for n, f in enumerate(corpus_files() * 2):  # each placeholder-id recording twice: 10 warnings
        (blobs / f"{n:03d}-{f.name}").write_bytes(f.read_bytes())
    code, _, err = cli("history", "ingest", str(blobs), "--store", str(tmp_path / "store"), "--no-progress")
    assert code == 0
    assert err.count("warning:") == 6 and err.strip().endswith("... and 5 more warnings like these")
