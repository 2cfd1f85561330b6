"""Every store analysis gives the same DataFrame from DuckDB, from Spark (``local[2]``) and from in-memory frames.

The fleet: the shared corpus recordings (real AWS histories, placeholder timestamps), simulated Missions with
real timestamps, retries, Parallel and Map (``tests.history.synthetic``) and hand-built histories that add an
Express execution, a second region, throttles, a caught and an uncaught failure, a redrive, a tolerated Map
failure and a ``lambda:invoke`` task named by its ``FunctionName`` parameter. It is ingested into a store
(with payloads, so the parameter is read; and without). The in-memory frames are built from the same files
in execution-ARN order, the order a store returns rows in, so row order is compared too.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest

import workbench.history.store as store
from tests.history import hand_histories as hh
from tests.history.synthetic import DEFINITION, STATE_MACHINE_ARN, simulate_execution
from workbench.history import frames, iter_histories
from workbench.history.analysis import (
    compare_runs,
    failure_patterns,
    failures,
    retry_summary,
    select_executions,
    slowest_executions,
    state_latency,
    time_breakdown,
)
from workbench.history.analysis.retries import backoff_check
from workbench.history.cost import LambdaConfig, cost_summary, execution_costs, state_costs
from workbench.history.cost.prices import FreeTier, PriceTable, load_prices
from workbench.history.store.sql import StoreSelection, engine_of, is_store

CUT = pd.Timestamp("2023-11-15T00:00:00Z")  # splits the simulated runs (one an hour from 2023-11-14 22:13)
TOOLS = {"fetch": 512, "probe": LambdaConfig(1024, "arm64")}


def _prices() -> PriceTable:
    """List prices plus eu-west-1 (Standard at a different price, to see each execution priced by its
    region) and a free tier small enough that the fleet uses it up part-way (taken in time order)."""
    table = load_prices().assume_region("eu-west-1")
    standard = dict(table.standard) | {"eu-west-1": table.standard["us-east-1"] * 1.19}
    return dataclasses.replace(table, standard=standard, free_tier=FreeTier(300, 5, 0.5))


PRICES = _prices()
ANALYSES: dict[str, Callable[[Any], pd.DataFrame]] = {
    "state_latency": state_latency,
    "state_latency_by_path": lambda f: state_latency(f, by="path"),
    "time_breakdown": time_breakdown,
    "time_breakdown_by_state": lambda f: time_breakdown(f, by="state"),
    "slowest_executions": lambda f: slowest_executions(f, n=4),
    "failures": failures,
    "failure_patterns": failure_patterns,
    "retry_summary": retry_summary,
    "backoff_check": backoff_check,
    "compare_runs_by_window": lambda f: compare_runs(select_executions(f, until=CUT), select_executions(f, since=CUT)),
    "execution_costs": lambda f: execution_costs(f, TOOLS, prices=PRICES),
    "state_costs": lambda f: state_costs(f, TOOLS, prices=PRICES),
    "cost_summary": lambda f: cost_summary(f, TOOLS, prices=PRICES),
    "cost_summary_free_tier": lambda f: cost_summary(f, TOOLS, free_tier=True, prices=PRICES),
}


def _machine(region: str, name: str) -> str:
    return f"arn:aws:states:{region}:{hh.ACCOUNT}:stateMachine:{name}"


def _execution(region: str, name: str, run: str, kind: str = "execution") -> str:
    return f"arn:aws:states:{region}:{hh.ACCOUNT}:{kind}:{name}:{run}"


def write_fleet(folder: Path, corpus: Path) -> None:
    """The fleet's history files (corpus format, and fetch-cache format with ARNs)."""
    folder.mkdir(parents=True)
    for f in sorted((corpus / "histories").glob("test_*.json")):
        (folder / f.name).write_bytes(f.read_bytes())
    for seed in range(10):
        sim = simulate_execution(seed, hosts=3 + seed % 4)
        doc = {"executionArn": sim.arn, "stateMachineArn": STATE_MACHINE_ARN, "definition": DEFINITION, **sim.response}
        (folder / f"sim-{seed}.json").write_bytes(orjson.dumps(doc))
    east, eu = hh.REGION, "eu-west-1"
    hand = [(_execution(east, "Ten", "r1"), _machine(east, "Ten"), hh.ten_states()),
            (_execution(east, "Ten", "r2", "express"), _machine(east, "Ten"), hh.ten_states(scale=2.0)),
            (_execution(eu, "Ten", "r3"), _machine(eu, "Ten"), hh.ten_states(scale=0.5)),
            (_execution(east, "Fan", "f1"), _machine(east, "Fan"), hh.fanout()),
            (_execution(east, "Pay", "p1"), _machine(east, "Pay"), hh.payment("4242", "17", caught=True)),
            (_execution(east, "Pay", "p2"), _machine(east, "Pay"), hh.payment("1111", "18", caught=False)),
            (_execution(east, "Charge", "c1"), _machine(east, "Charge"), hh.redriven()),
            (_execution(east, "Items", "i1"), _machine(east, "Items"), hh.tolerant_map())]
    for i, (arn, machine, doc) in enumerate(hand):
        out = {"executionArn": arn, "stateMachineArn": machine, "definition": doc["definition"],
               "events": doc["history"]}
        (folder / f"hand-{i}.json").write_text(json.dumps(out))


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    folder = tmp_path_factory.mktemp("fleet") / "histories"
    write_fleet(folder, corpus)
    return folder


@pytest.fixture(scope="module")
def memory(fleet: Path) -> Any:
    """In-memory frames of the fleet, executions in ARN order."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the corpus' own placeholder-id warnings
        histories = sorted(iter_histories(fleet), key=lambda h: h.execution_arn)
    return frames(histories, payloads=True)


def _ingest(fleet: Path, path: Path, payloads: bool) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        store.ingest([str(fleet)], str(path), payloads=payloads, progress=False)
    return path


@pytest.fixture(scope="module")
def store_path(fleet: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _ingest(fleet, tmp_path_factory.mktemp("store") / "fleet", payloads=True)


@pytest.fixture(scope="module")
def duck(store_path: Path) -> Any:
    return store.open(store_path)


@pytest.fixture(scope="module")
def duck_without_payloads(fleet: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return store.open(_ingest(fleet, tmp_path_factory.mktemp("bare") / "fleet", payloads=False))


@pytest.fixture(scope="module")
def spark_session(store_path: Path) -> Iterator[Any]:
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    from workbench.history.store.spark import spark

    session = (SparkSession.builder.master("local[2]").appName("workbench-store-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC").config("spark.sql.shuffle.partitions", "2")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    views = spark(session, store_path)
    assert views == ["executions", "states", "attempts", "events"]
    for view in views:  # read the small files once, not once per query
        session.catalog.cacheTable(view)
    yield session
    session.stop()


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same columns, dtypes, index, row order and values (floats to 1e-9: engines sum in their own order)."""
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-15)
    assert got.attrs == want.attrs


@pytest.mark.parametrize("name", ANALYSES)
def test_duckdb_store_gives_the_in_memory_result(name: str, duck: Any, memory: Any) -> None:
    want = ANALYSES[name](memory)
    assert not want.empty, "the fleet must exercise every analysis"
    assert_same(ANALYSES[name](duck), want)


@pytest.mark.parametrize("name", ["execution_costs", "state_costs", "cost_summary"])
def test_costs_without_payloads_name_invoke_tasks_by_state(name: str, duck_without_payloads: Any,
                                                           fleet: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bare = frames(sorted(iter_histories(fleet), key=lambda h: h.execution_arn))
    want = ANALYSES[name](bare)
    assert_same(ANALYSES[name](duck_without_payloads), want)


@pytest.mark.parametrize("name", ANALYSES)
def test_spark_store_gives_the_in_memory_result(name: str, spark_session: Any, memory: Any) -> None:
    assert_same(ANALYSES[name](spark_session), ANALYSES[name](memory))


def test_the_free_tier_runs_out_part_way_through_the_fleet(duck: Any) -> None:
    bill = cost_summary(duck, TOOLS, free_tier=True, prices=PRICES).set_index(["region", "item"])
    standard = bill.xs("standard", level="item")
    assert standard["free_quantity"].sum() == PRICES.free_tier.standard_transitions
    assert (standard["free_quantity"] < standard["quantity"]).any()


def test_a_selection_restricts_every_table(duck: Any, memory: Any) -> None:
    timed = memory.executions[memory.executions["duration_ms"].notna()]
    arns = sorted(timed["execution"].astype(str))[:5]
    chosen = select_executions(duck, arns)
    assert isinstance(chosen, StoreSelection)
    assert_same(state_latency(chosen), state_latency(select_executions(memory, arns)))
    assert_same(execution_costs(chosen, prices=PRICES), execution_costs(select_executions(memory, arns), prices=PRICES))
    nothing = select_executions(duck, [])
    assert state_latency(nothing).empty and failures(nothing).empty and retry_summary(nothing).empty


def test_engines_are_told_apart_by_type_alone(duck: Any, memory: Any) -> None:
    assert (engine_of(duck), is_store(memory), engine_of(select_executions(duck, since=CUT))) == ("duckdb", False,
                                                                                                 "duckdb")
    code = ("import sys, workbench.history.analysis, workbench.history.cost; "
            "print(sorted(m for m in ('duckdb', 'pyspark') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_bad_grouping_is_one_line_error(duck: Any) -> None:
    from workbench.history._frame_access import AnalysisError

    with pytest.raises(AnalysisError, match="by must be 'state' or 'path'"):
        state_latency(duck, by="machine")


def test_spark_views_have_the_duckdb_views_columns_and_rows(spark_session: Any, duck: Any) -> None:
    for table in ("executions", "states", "attempts", "events"):
        spark_view = spark_session.table(table)
        assert spark_view.columns == duck.sql(f"SELECT * FROM {table}").columns
        assert spark_view.count() == duck.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    query = "SELECT min(date) AS d, count(DISTINCT state_machine) AS n FROM executions"
    assert tuple(spark_session.sql(query).collect()[0]) == duck.sql(query).fetchall()[0]


def test_spark_views_of_an_empty_table_have_their_columns(spark_session: Any, tmp_path: Path, store_path: Path,
                                                          corpus: Path) -> None:
    from workbench.history.store.spark import spark

    (tmp_path / "one").mkdir()  # a Fail state only: no Task, so the attempts table has no file
    recording = corpus / "histories" / "test_base__test_state_fail.json"
    (tmp_path / "one" / "fail.json").write_bytes(recording.read_bytes())
    _ingest(tmp_path / "one", tmp_path / "store", payloads=False)
    assert store.live_files(tmp_path / "store", "attempts") == []
    spark(spark_session, tmp_path / "store")
    try:
        assert spark_session.table("attempts").columns == [*(f.name for f in store.table_schema("attempts")),
                                                           "state_machine", "date"]
        assert dict(spark_session.table("attempts").dtypes)["scheduled"] == "timestamp"
        assert_same(retry_summary(spark_session), retry_summary(store.open(tmp_path / "store")))
    finally:
        spark(spark_session, store_path)  # the fleet's views back, for any test that runs after this one
