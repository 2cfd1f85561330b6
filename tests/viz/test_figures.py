"""Plotly figures and history overlays: every corpus history, and hand-built histories with real times."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import workbench
from tests.history.hand_histories import FANOUT, exec_arn, fanout, frames_of, payment, ten_states
from tests.history.test_one_lambda import waited, waited_and_long
from workbench.core.diagnostics import WorkbenchError
from workbench.core.redact import redact_text
from workbench.history import frames, load_history
from workbench.history.analysis import state_latency
from workbench.history.analysis.retries import retry_summary
from workbench.history.cost import cost_ways_summary, one_lambda_costs
from workbench.history.cost.frame_costs import tool_costs
from workbench.viz import (
    backoff_figure,
    cost_figure,
    cost_over_time_figure,
    draw,
    heat_for_executions,
    latency_figure,
    outcomes_figure,
    overlay_for_execution,
    retries_figure,
    timeline_figure,
)
from workbench.viz.figures.base import fmt_ms, label
from workbench.viz.figures.cost import break_even_figure
from workbench.viz.figures.run import run_figure, state_list
from workbench.viz.graph.overlay_from_history import graph_key

CORPUS_FILES = sorted(p.name for p in (Path(__file__).resolve().parents[2].parent / "shared" / "corpus" /
                                       "histories").glob("*.json") if p.name != "INDEX.json")


def _all_figures(f: Any) -> list[go.Figure]:
    return [timeline_figure(f), latency_figure(f), retries_figure(f), backoff_figure(f), outcomes_figure(f),
            cost_figure(f), cost_figure(f, by="tool"), cost_over_time_figure(f), break_even_figure(f)]


def _annotations(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_figure_and_overlay_builds_on_every_corpus_history(corpus: Path, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = load_history(corpus / "histories" / name)
    f = frames(history)
    figs = _all_figures(f)
    for fig in figs:
        assert isinstance(fig, go.Figure)
        json.loads(fig.to_json())  # serialisable, as the report needs
    if f.states["entered"].isna().all() and len(f.states):  # the corpus has placeholder timestamps
        assert "no timestamps in this history: bars span event numbers, not time" in _annotations(figs[0])
        assert figs[0].data[0].base is not None and len(figs[0].data[0].y) == min(len(f.states), 300)
    if len(f.states):  # one execution: its outcome is its timeline and its states, not a lone status bar
        assert figs[4].data[-1].type == "table" and len(figs[4].data[-1].cells.values[0]) == min(len(f.states), 300)
    overlay = overlay_for_execution(f, definition=history.definition)
    visited = {graph_key(p) for p in f.states["path"].astype(str)}
    assert visited <= set(overlay)
    if history.definition is not None:
        svg = draw(history.definition, overlay).svg
        assert svg.startswith("<svg") and 'data-status="' in svg


# ------------------------------------------------------------------------------------------ timeline


def test_timeline_segments_match_the_hand_built_times() -> None:
    arn = exec_arn("Ten", "r1")
    fig = timeline_figure(frames_of((arn, ten_states())))
    traces = {t.name: t for t in fig.data}
    assert fig.layout.xaxis.type == "date"
    assert list(fig.layout.yaxis.ticktext) == ["Prepare", "Fetch", "Route", "Settle", "Shape", "Enrich", "Tag",
                                               "Store", "Audit", "Done"]
    failed = traces["failed attempt"]
    assert list(failed.x) == [800.0, 800.0] and set(failed.y) == {1}
    assert list(traces["back-off"].x) == [1000.0, 2000.0]
    assert list(traces["queued"].x) == [50.0, 50.0, 50.0, 10.0]
    assert list(traces["attempt"].x) == [800.0, 400.0]
    # the first back-off starts where the first failed try ended: Fetch entered at 10, +10 pause, +50 queue, +800 run
    assert traces["back-off"].base[0] == "2026-03-02 09:00:00.870000"
    assert traces["state visit"].base[0] == "2026-03-02 09:00:00.000000"


def test_timeline_groups_branches_and_iterations_under_their_container() -> None:
    fig = timeline_figure(frames_of((exec_arn("Fan", "r1"), fanout())))
    ticks = [t.replace("\u00a0", "") for t in fig.layout.yaxis.ticktext]
    assert ticks == ["Start", "Gather", "branch 0 · Pull", "branch 1 · Index", "branch 1 · Settle", "PerHost",
                     "iter 0 · Probe", "iter 1 · Probe", "iter 2 · Probe", "Done"]
    nested = [t for t in fig.layout.yaxis.ticktext if "·" in t]
    assert all(t.startswith("\u00a0" * 3) for t in nested)  # indented one level
    assert len(fig.layout.shapes) >= 2  # shaded bands on alternate branches/iterations


def test_timeline_caps_rows_and_says_so() -> None:
    fig = timeline_figure(frames_of((exec_arn("Fan", "r1"), fanout())), max_rows=4)
    assert len(fig.layout.yaxis.ticktext) == 4
    assert "showing the first 4 of 10 state visits" in _annotations(fig)


def test_timeline_escapes_state_names_and_picks_executions_by_name() -> None:
    definition = {"StartAt": "<b>x</b>", "States": {"<b>x</b>": {"Type": "Pass", "End": True}}}
    doc = ten_states()
    doc["definition"] = definition
    for ev in doc["history"]:
        for key in ("stateEnteredEventDetails", "stateExitedEventDetails"):
            if key in ev and ev[key]["name"] == "Prepare":
                ev[key]["name"] = "<b>x</b>"
    arn = exec_arn("Ten", "named-run")
    f = frames_of((arn, doc), (exec_arn("Ten", "other"), ten_states()))
    fig = timeline_figure(f, "named-run")
    assert fig.layout.yaxis.ticktext[0] == "&lt;b&gt;x&lt;/b&gt;"
    assert "named-run" in fig.layout.title.text
    with pytest.raises(WorkbenchError, match="not in these frames"):
        timeline_figure(f, "missing-run")


# ------------------------------------------------------------------------------ latency and retries


def test_latency_markers_are_the_state_latency_percentiles() -> None:
    runs = [(exec_arn("Ten", f"r{i}"), ten_states(scale)) for i, scale in enumerate((1.0, 1.5, 2.0, 4.0))]
    f = frames_of(*runs)
    fig = latency_figure(f)
    table = state_latency(f)
    names = list(fig.data[0].y)
    assert names[0] == "Fetch (Task)"  # slowest median first
    for trace, col in ((fig.data[1], "p50_ms"), (fig.data[2], "p90_ms"), (fig.data[3], "p99_ms")):
        expected = [table.loc[(n.split(" (")[0], n.split(" (")[1][:-1]), col] for n in names]
        assert np.allclose(list(trace.x), expected)
    assert fig.data[0].median[0] == pytest.approx(table.loc[("Fetch", "Task"), "p50_ms"])


def test_retry_heatmap_counts_failed_tries_and_backoff_matches_policy() -> None:
    f = frames_of(*[(exec_arn("Ten", f"r{i}"), ten_states()) for i in range(3)])
    heat = retries_figure(f).data[0]
    summary = retry_summary(f)
    assert list(heat.y) == ["Fetch"] and list(heat.x) == ["Lambda.TooManyRequestsException"]
    assert heat.z[0][0] == summary.loc[("Fetch", "Lambda.TooManyRequestsException"), "failed_tries"] == 6
    back = backoff_figure(f)
    points = sorted(zip(back.data[0].x, back.data[0].y, strict=True))
    assert points == [(1.0, 1.0)] * 3 + [(2.0, 2.0)] * 3
    assert back.data[-1].name == "configured = actual"


def test_backoff_off_policy_is_called_out() -> None:
    f = frames_of((exec_arn("Ten", "slow"), ten_states(backoffs=(1000, 6000))))
    assert "1 of 2 retries waited outside the configured range" in _annotations(backoff_figure(f))


# --------------------------------------------------------------------------------- cost and outcomes


def test_cost_figures_show_the_cost_tables() -> None:
    f = frames_of((exec_arn("Ten", "r1"), ten_states()), (exec_arn("Ten", "r2"), ten_states(2.0)))
    by_tool = cost_figure(f, by="tool", tools={"fetch": 512})
    table = tool_costs(f, {"fetch": 512})
    assert list(by_tool.data[0].y) == list(table.index)
    assert np.allclose(by_tool.data[1].x, table["duration_usd"].to_numpy())
    over_time = cost_over_time_figure(f)
    assert len(over_time.data[0].x) == 2 and over_time.layout.xaxis.title.text == "execution start (UTC)"
    with pytest.raises(WorkbenchError, match="by must be"):
        cost_figure(f, by="region")


def test_break_even_figure_has_the_three_ways_and_the_measured_point() -> None:
    f = waited()
    fig = break_even_figure(f)
    lines, marked = fig.data[:3], fig.data[3]
    assert [t.name for t in fig.data] == ["Standard", "Express", "One Lambda (1024 MB, x86_64)",
                                          "these runs (measured)"]
    assert all(t.mode == "lines" for t in lines) and marked.mode == "markers"
    ways = cost_ways_summary(f)
    # the measured point: each way's cost per 1,000 of these runs, at their 6 steps
    assert list(marked.x) == [6.0, 6.0, 6.0]
    assert np.allclose(marked.y, ways["per_1000_usd"].to_numpy(), rtol=1e-12)
    # x = steps 1..N; Standard is $0.025 per 1,000 executions per step
    assert list(lines[0].x[:3]) == [1, 2, 3] and np.allclose(lines[0].y[:3], [0.025, 0.05, 0.075], rtol=1e-12)
    assert "Standard costs more than one Lambda from 83 steps on." in _annotations(fig)
    assert any(a.startswith("break-even: 83 steps") for a in _annotations(fig))
    assert fig.layout.title.subtitle.text.startswith("AWS list prices as of")
    assert "750 ms of tool time per step" in fig.layout.xaxis.title.text
    assert break_even_figure(one_lambda_costs(f)).to_json() == fig.to_json()  # from a costs table: the same figure


def test_break_even_figure_stops_the_one_lambda_line_at_fifteen_minutes() -> None:
    fig = break_even_figure(waited(), max_steps=1200, memory_mb=2048, arch="arm64")
    one = fig.data[2]
    assert one.name == "One Lambda (2048 MB, arm64)"
    assert one.y[1116] is not None and all(v is None for v in one.y[1117:])  # steps 1,118..1,200: over 15 min
    assert fig.data[0].y[-1] is not None  # Standard goes on
    assert any(a.startswith("15 min: no one Lambda beyond") for a in _annotations(fig))
    assert [s.x0 for s in fig.layout.shapes if s.line.dash == "dash"] == [1117.5]


def test_break_even_figure_marks_only_the_ways_that_could_price_the_runs() -> None:
    fig = break_even_figure(waited_and_long())
    marked = fig.data[3]
    # Standard and Express price both runs (6 and 10 steps), one Lambda only the one under 15 minutes
    assert len(marked.y) == 3 and list(marked.x) == [8.0, 8.0, 6.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        untimed = frames(load_history(Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "histories"
                                      / "test_activities__test_activity_task.json"))
    empty = break_even_figure(untimed)
    assert len(empty.data) == 0 and "No run has timestamps" in _annotations(empty)[0]


def test_outcomes_count_every_execution_per_bucket() -> None:
    start = pd.Timestamp("2026-03-02T09:00:00Z")
    runs = [(exec_arn("Pay", f"r{i}"), payment("4242", str(i), caught=i % 3 == 0)) for i in range(6)]
    for i, (_, doc) in enumerate(runs):
        shift = pd.Timedelta(minutes=10 * i)
        for ev in doc["history"]:
            ev["timestamp"] = (pd.Timestamp(ev["timestamp"]) + shift).isoformat()
    fig = outcomes_figure(frames_of(*runs))
    totals = {t.name: sum(t.y) for t in fig.data}
    assert totals == {"SUCCEEDED": 2, "FAILED": 4}
    assert fig.layout.xaxis.type == "date"
    assert pd.Timestamp(fig.data[0].x[0]).tz_localize("UTC") >= start


# ------------------------------------------------------------------------------- one execution, up close


def _table(fig: go.Figure) -> dict[str, list[str]]:
    table = fig.data[-1]
    assert table.type == "table"
    return dict(zip(table.header.values, (list(col) for col in table.cells.values), strict=True))


def test_one_recorded_execution_is_a_timeline_and_its_states_not_a_lone_bar(corpus: Path) -> None:
    history = load_history(corpus / "histories" / "test_base_scenarios__test_lambda_invoke_with_retry_base.json")
    f = frames(history)
    fig = outcomes_figure(f)
    assert [t.type for t in fig.data] == ["bar", "table"]  # a bar per state visit, then the state list
    bars = fig.data[0]
    assert list(bars.y) == [0, 1] and list(bars.base) == [2, 16]  # entered at events 2 and 16, in that order
    assert fig.layout.xaxis.title.text == "event number" and fig.layout.yaxis.ticktext == (
        "InvokeLambdaWithRetry", "HandleError")
    table = _table(fig)
    assert table["state"] == ["InvokeLambdaWithRetry", "HandleError"]
    assert table["status"] == ["caught", "succeeded"] and table["attempts"] == ["4 (3 retried)", "1"]
    assert table["entered at"] == ["event 2", "event 16"] and table["error"] == ["Exception", ""]
    headings = _annotations(fig)
    assert any(h.startswith("<b>Timeline") and "no timestamps in this history" in h for h in headings)
    assert "SUCCEEDED" in fig.layout.title.text and "lambda_invoke_with_retry_base" in fig.layout.title.text
    steps = state_list(f)
    assert steps.index.tolist() == [1, 2] and steps["retries"].tolist() == [3, 0]
    assert steps["entered_event"].tolist() == [2, 16] and steps["duration_ms"].isna().all()


def test_one_embedded_run_has_a_time_axis_and_the_states_in_timeline_order() -> None:
    run = workbench.run_mission("missions/incident_triage.yaml", time_warp=True, progress=False)
    f = workbench.frames(run)
    fig = outcomes_figure(f)
    assert fig.layout.xaxis.type == "date" and [t.type for t in fig.data][-1] == "table"
    steps = state_list(f)
    assert len(steps) == len(f.states) and set(steps["visit"]) == set(f.states["visit"])
    ticks = [t.replace("\u00a0", "") for t in fig.layout.yaxis.ticktext]
    assert [t.split(" · ")[-1] for t in ticks] == steps["state"].tolist()  # the list reads like the timeline
    assert steps["path"].iloc[2] == "gather_evidence/branch[0]/search_logs"
    table = _table(fig)
    assert table["duration"] == [fmt_ms(d) for d in steps["duration_ms"]]
    assert table["start"] == ["+" + fmt_ms(v) for v in steps["started_after_ms"]]  # since the execution started
    by_visit = f.states.set_index("visit")
    assert [by_visit.loc[v, "started_after_ms"] for v in steps["visit"]] == steps["started_after_ms"].tolist()
    assert fig == run_figure(f, run.arn)


def test_more_than_one_execution_keeps_the_status_bars() -> None:
    f = frames_of((exec_arn("Pay", "a"), payment("1", "a", caught=True)),
                  (exec_arn("Pay", "b"), payment("1", "b", caught=False)))
    assert sorted(t.name for t in outcomes_figure(f).data) == ["FAILED", "SUCCEEDED"]
    alone = run_figure(f, "b")  # one of them, by name
    assert _table(alone)["state"] == ["Charge"] and "FAILED" in alone.layout.title.text


def test_the_state_list_redacts_errors_and_escapes_markup() -> None:
    secret = "Declined token=ghp_0123456789abcdefghijABCDEFGHIJ012345"
    doc = json.loads(json.dumps(payment("1", "a", caught=False)).replace("Payment.Declined", secret))
    f = frames_of((exec_arn("Pay", "<b>run</b>"), doc))
    steps = state_list(f)
    assert steps["error"].tolist() == [redact_text(secret)] and "ghp_" not in steps["error"].iloc[0]
    fig = outcomes_figure(f)
    assert "ghp_" not in fig.to_json() and "&lt;b&gt;run&lt;/b&gt;" in fig.layout.title.text


def test_an_execution_that_entered_no_state_says_so() -> None:
    empty = frames(load_history({"events": [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1700000000.0,
         "executionStartedEventDetails": {"input": "{}"}},
        {"id": 2, "previousEventId": 1, "type": "ExecutionFailed", "timestamp": 1700000001.0,
         "executionFailedEventDetails": {"error": "X", "cause": "y"}}]}, execution_arn=exec_arn("M", "empty")))
    fig = outcomes_figure(empty)
    assert _annotations(fig) == ["this execution entered no state"] and "FAILED" in fig.layout.title.text
    assert state_list(empty).empty


# ------------------------------------------------------------------------------------------ overlays


def test_overlay_for_one_execution_folds_map_iterations_and_marks_unreached_states() -> None:
    f = frames_of((exec_arn("Fan", "r1"), fanout()))
    ov = overlay_for_execution(f, definition=FANOUT)
    assert ov["PerHost"].iterations == 3 and ov["PerHost"].status == "succeeded"
    assert ov["PerHost/iterator/Probe"].duration_ms == pytest.approx(500 + 2000 + 1000)
    assert ov["Gather/branch[0]/Pull"].status == "succeeded"
    assert ov.mode == "status" and ov.executions == 1
    svg = draw(FANOUT, ov).svg
    assert 'data-path="PerHost/iterator/Probe"' in svg and "×3" in svg


def test_overlay_statuses_for_caught_and_failed_runs() -> None:
    caught = overlay_for_execution(frames_of((exec_arn("Pay", "ok"), payment("1", "a", caught=True))))
    assert caught["Charge"].status == "caught" and caught["Charge"].error == "Payment.Declined"
    assert caught["Refund"].status == "succeeded"
    doc = payment("1", "b", caught=False)
    failed = overlay_for_execution(frames_of((exec_arn("Pay", "bad"), doc)), definition=doc["definition"])
    assert failed["Charge"].status == "failed"
    retried = overlay_for_execution(frames_of((exec_arn("Ten", "r"), ten_states())))
    assert retried["Fetch"].retries == 2 and retried["Fetch"].status == "succeeded"


def test_heat_counts_failure_origins_and_retries_over_executions() -> None:
    runs = [(exec_arn("Pay", f"r{i}"), payment("1", str(i), caught=i == 0)) for i in range(3)]
    runs.append((exec_arn("Ten", "t"), ten_states()))
    hot = heat_for_executions(frames_of(*runs))
    assert hot.mode == "heat" and hot.executions == 4
    assert hot["Charge"].failures == 3 and hot["Charge"].heat == pytest.approx(0.75)
    assert hot["Fetch"].failures == 0 and hot["Fetch"].retries == 2


def test_labels_escape_plotly_markup_and_dollars() -> None:
    assert label("<b>a</b> & $x$") == "&lt;b&gt;a&lt;/b&gt; &amp; &#36;x&#36;"
    assert label(None) == "" and label(float("nan")) == ""
    assert graph_key("Outer/iter[2]/Inner/iter[10]/Leaf") == "Outer/iterator/Inner/iterator/Leaf"


def test_figures_handle_a_running_execution_and_one_without_states() -> None:
    doc = ten_states()
    doc["history"] = doc["history"][:12]  # cut while Fetch is being retried: the execution is still running
    running = frames_of((exec_arn("Ten", "running"), doc))
    assert list(running.executions["status"]) == ["RUNNING"]
    empty = frames(load_history({"events": [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1700000000.0,
         "executionStartedEventDetails": {"input": "{}"}},
        {"id": 2, "previousEventId": 1, "type": "ExecutionFailed", "timestamp": 1700000001.0,
         "executionFailedEventDetails": {"error": "X", "cause": "y"}}]}, execution_arn=exec_arn("M", "empty")))
    for f in (running, empty):
        for fig in _all_figures(f):
            json.loads(fig.to_json())
    fetch = overlay_for_execution(running)["Fetch"]
    assert fetch.status == "running" and fetch.retries == 2 and fetch.duration_ms is None
    assert len(timeline_figure(empty).data[0].y) == 0
