"""History analysis on hand-built histories with known timelines, and on real recorded histories.

Hand-built timelines are documented in ``hand_histories.py``; each expected figure below is worked
out from them in the comment. The recorded corpus has placeholder timestamps, so it is used for the
counting parts (retries, retrier matching, failure fates), never for latency.
"""

from __future__ import annotations

import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.history.hand_histories import (
    T0,
    TEN_STATES,
    exec_arn,
    fanout,
    frames_of,
    payment,
    redriven,
    ten_states,
    tolerant_map,
)
from workbench.history._frame_access import AnalysisError
from workbench.history.analysis import (
    compare_runs,
    failure_patterns,
    failures,
    normalise_cause,
    select_executions,
    slowest_executions,
    state_latency,
    time_breakdown,
)
from workbench.history.analysis.critical_path import critical_path
from workbench.history.analysis.retries import Retrier, backoff_check, retry_summary
from workbench.history.cost.frame_costs import execution_costs
from workbench.history.frames import frames
from workbench.history.load.events import HistoryWarning


def corpus_frames(corpus: Path, *stems: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)  # placeholder ids in normalised recordings
        return frames([corpus / "histories" / f"{s}.json" for s in stems])


# ---------------------------------------------------------------------------------------------- latency


def test_state_latency_percentiles_by_hand() -> None:
    f = frames_of(*[(exec_arn("M", f"r{s}"), ten_states(scale=s)) for s in (1, 2, 3)])
    lat = state_latency(f)
    fetch = lat.loc[("Fetch", "Task")]
    # Fetch = 10 pause + 3 × (50 queue + 800·s run) + 1000 + 2000 back-offs + 10 exit = 3170 + 2400·s:
    # 5570, 7970, 10370. Linear interpolation: p50 = 7970; p90 = 7970 + 0.8 × 2400 = 9890;
    # p99 = 7970 + 0.98 × 2400 = 10322; max 10370; mean 7970.
    assert (fetch["count"], fetch["timed"]) == (3, 3)
    assert fetch["p50_ms"] == pytest.approx(7970)
    assert fetch["p90_ms"] == pytest.approx(9890)
    assert fetch["p99_ms"] == pytest.approx(10322)
    assert fetch["max_ms"] == pytest.approx(10370)
    assert fetch["mean_ms"] == pytest.approx(7970)
    assert lat.loc[("Settle", "Wait"), "p50_ms"] == pytest.approx(2000)


def test_latency_by_path_keeps_branches_apart_and_folds_iterations() -> None:
    f = frames_of((exec_arn("F", "r1"), fanout()))
    lat = state_latency(f, by="path")
    assert lat.loc[("PerHost/iter[*]/Probe", "Task"), "count"] == 3
    assert lat.loc[("PerHost/iter[*]/Probe", "Task"), "max_ms"] == pytest.approx(2000)
    assert lat.loc[("Gather/branch[1]/Settle", "Wait"), "p50_ms"] == pytest.approx(1000)
    with pytest.raises(AnalysisError, match="by must be"):
        state_latency(f, by="nope")


def test_latency_on_recorded_histories_counts_visits_but_has_no_times(corpus: Path) -> None:
    lat = state_latency(corpus_frames(corpus, "test_base_scenarios__test_map_state_retry_multiple_retriers"))
    row = lat.loc[("HandleItemFail", "Fail")]
    assert row["count"] == 4 and row["timed"] == 0  # one Fail visit per Map try; placeholder timestamps
    assert pd.isna(row["p50_ms"])


def test_time_breakdown_waiting_vs_working_by_hand() -> None:
    tb = time_breakdown(frames_of((exec_arn("M", "r1"), ten_states())))
    row = tb.iloc[0]
    assert row["duration_ms"] == 8025
    assert row["wait_state_ms"] == 2000  # Settle
    assert row["backoff_ms"] == 3000  # 1000 + 2000 before Fetch's 2nd and 3rd tries
    assert row["queue_ms"] == 160  # Fetch 3 × 50 + Store 10
    assert row["work_ms"] == 2800  # Fetch 3 × 800 + Store 400
    # rest of leaf time: Prepare 10 + Fetch 20 (pause + exit) + Route 5 + Shape/Enrich/Tag 15 + Store 5
    # + Audit 5 + Done 1 = 61
    assert row["other_ms"] == 61
    assert row["waiting_ms"] == 5160
    assert row["waiting_share"] == pytest.approx(5160 / (5160 + 2800 + 61))
    per_state = time_breakdown(frames_of((exec_arn("M", "r1"), ten_states())), by="state")
    assert per_state.loc[("Fetch", "Task"), "waiting_ms"] == 3150  # 3000 back-off + 150 queue


# ------------------------------------------------------------------------------------------ critical path


def test_critical_path_follows_the_branch_and_iteration_that_ended_last() -> None:
    arn = exec_arn("F", "r1")
    path = critical_path(frames_of((arn, fanout())))
    assert list(path["path"]) == ["Start", "Gather", "Gather/branch[0]/Pull", "PerHost", "PerHost/iter[1]/Probe",
                                  "Done"]
    # Start 5; Gather 3007 − Pull 3000 = 7; Pull 3000; PerHost 2006 − Probe 2000 = 6; Probe 2000; Done 1
    assert list(path["contribution_ms"]) == [5, 7, 3000, 6, 2000, 1]
    # with the tail (5019 → 5020) the contributions explain the whole 5,020 ms run
    assert path["contribution_ms"].sum() + 1 == 5020
    # another iteration ending last changes the path
    other = critical_path(frames_of((arn, fanout(probe_runs=(2500, 100, 100)))))
    assert "PerHost/iter[0]/Probe" in set(other["path"])
    assert other.loc[other["path"] == "PerHost/iter[0]/Probe", "contribution_ms"].item() == 2500


def test_critical_path_of_a_sequence_is_every_state() -> None:
    path = critical_path(frames_of((exec_arn("M", "r1"), ten_states())))
    assert list(path["state"]) == list(TEN_STATES["States"])  # 10 states in order
    assert path["contribution_ms"].sum() == 8021  # 8,025 − 4 ms between Done and ExecutionSucceeded


def test_slowest_executions_and_why() -> None:
    f = frames_of((exec_arn("M", "r1"), ten_states()), (exec_arn("F", "r1"), fanout()),
                  (exec_arn("P", "r1"), payment("4242", "1", caught=True)))
    slow = slowest_executions(f, n=2, top_states=2)
    assert list(slow["rank"]) == [1, 1, 2, 2]
    first = slow[slow["rank"] == 1]
    assert list(first["state"]) == ["Fetch", "Settle"]
    assert first["share"].iloc[0] == pytest.approx(5570 / 8025)
    second = slow[slow["rank"] == 2]
    assert list(second["state"]) == ["Pull", "Probe"]  # on the critical path; Index/Settle are not
    assert list(second["contribution_ms"]) == [3000, 2000]


# ---------------------------------------------------------------------------------------------- retries


def test_retrier_delays_and_matching() -> None:
    r = Retrier.from_asl({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "BackoffRate": 2,
                          "MaxDelaySeconds": 5})
    assert [r.expected_delay_s(n) for n in (1, 2, 3)] == [3.0, 5.0, 5.0]  # min(3·2^(n-1), 5)
    assert r.matches("Anything") and not r.matches("States.Runtime")
    task = Retrier.from_asl({"ErrorEquals": ["States.TaskFailed"]})
    assert task.matches("Lambda.Unknown") and not task.matches("States.Timeout")
    assert (task.interval_s, task.max_attempts, task.backoff_rate) == (1.0, 3, 2.0)  # ASL defaults


def test_backoff_check_configured_vs_actual_by_hand() -> None:
    f = frames_of((exec_arn("M", "ok"), ten_states()),
                  (exec_arn("M", "short"), ten_states(backoffs=(1000, 500))))
    bc = backoff_check(f).set_index(["execution", "try_no"])
    ok1, ok2 = bc.loc[(exec_arn("M", "ok"), 1)], bc.loc[(exec_arn("M", "ok"), 2)]
    # Retry: IntervalSeconds 1, BackoffRate 2 → retry 1 waits 1 s, retry 2 waits 2 s (JitterStrategy NONE)
    assert (ok1["n"], ok1["expected_s"], ok1["actual_s"], ok1["verdict"]) == (1, 1.0, 1.0, "retried")
    assert (ok2["n"], ok2["expected_s"], ok2["actual_s"]) == (2, 2.0, 2.0)
    assert bool(ok1["consistent"]) and bool(ok2["consistent"])
    short = bc.loc[(exec_arn("M", "short"), 2)]
    assert short["actual_s"] == 0.5 and not bool(short["consistent"])  # 0.5 s is too early for 2 s, no jitter


def test_full_jitter_accepts_any_delay_up_to_the_configured_one() -> None:
    definition = {**TEN_STATES, "States": {**TEN_STATES["States"], "Fetch": {
        **TEN_STATES["States"]["Fetch"],
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 3,
                   "JitterStrategy": "FULL"}]}}}
    f = frames_of((exec_arn("M", "j"), ten_states(backoffs=(300, 1900), definition=definition)),
                  (exec_arn("M", "late"), ten_states(backoffs=(300, 3000), definition=definition)))
    bc = backoff_check(f).set_index(["execution", "try_no"])
    assert bool(bc.loc[(exec_arn("M", "j"), 1), "consistent"])  # 0.3 s ∈ [0, 1]
    assert bool(bc.loc[(exec_arn("M", "j"), 2), "consistent"])  # 1.9 s ∈ [0, 2]
    assert not bool(bc.loc[(exec_arn("M", "late"), 2), "consistent"])  # 3 s > 2 s


def test_backoff_check_on_real_histories_replays_the_retry_policy(corpus: Path) -> None:
    f = corpus_frames(corpus, "test_base_scenarios__test_retry_interval_features",
                      "test_base_scenarios__test_retry_interval_features_max_attempts_zero",
                      "test_base_scenarios__test_map_state_retry_multiple_retriers")
    bc = backoff_check(f)
    by = {k: g.reset_index(drop=True) for k, g in bc.groupby("execution")}
    # Interval 3, Rate 2, MaxDelay 5, MaxAttempts 2, FULL: retries wait ≤ min(3, 5) = 3 and ≤ min(6, 5) = 5,
    # the 3rd failure finds the retrier exhausted.
    feat = by["test_base_scenarios__test_retry_interval_features"]
    assert list(feat["verdict"]) == ["retried", "retried", "exhausted"]
    assert list(feat["expected_s"][:2]) == [3.0, 5.0] and set(feat["jitter"]) == {"FULL"}
    assert feat["consistent"].isna().all()  # placeholder timestamps: nothing to compare
    # MaxAttempts 0: the first failure is final
    zero = by["test_base_scenarios__test_retry_interval_features_max_attempts_zero"]
    assert list(zero["verdict"]) == ["exhausted"]
    # Map retriers [NoSuchError ×1, "State.ALL" (sic, not States.ALL) ×2, HandleItemFailError ×3]: the
    # third one handles every failure with the defaults (1 s, rate 2): 1, 2, 4 s, then it is exhausted.
    multi = by["test_base_scenarios__test_map_state_retry_multiple_retriers"]
    assert list(multi["retrier"]) == [2, 2, 2, 2]
    assert list(multi["expected_s"][:3]) == [1.0, 2.0, 4.0]
    assert list(multi["verdict"]) == ["retried", "retried", "retried", "exhausted"]


def test_retry_summary_by_hand_and_on_real_histories(corpus: Path) -> None:
    rs = retry_summary(frames_of((exec_arn("M", "r1"), ten_states()), (exec_arn("M", "r2"), ten_states())))
    row = rs.loc[("Fetch", "Lambda.TooManyRequestsException")]
    # per run: 2 throttled tries, both retried after 1 s and 2 s; Fetch then succeeded
    assert (row["failed_tries"], row["retries"], row["visits"], row["recovered"]) == (4, 4, 2, 2)
    assert row["backoff_ms"] == 6000 and row["mean_backoff_ms"] == 1500
    assert (row["exhausted"], row["not_retried"], row["executions"]) == (0, 0, 2)
    real = retry_summary(corpus_frames(corpus, "test_base_scenarios__test_lambda_invoke_with_retry_base"))
    inv = real.loc[("InvokeLambdaWithRetry", "Exception")]
    # 4 failed attempts (MaxAttempts 3): 3 retried, the 4th exhausted and caught (not recovered)
    assert (inv["failed_tries"], inv["retries"], inv["exhausted"], inv["recovered"]) == (4, 3, 1, 0)
    assert pd.isna(inv["backoff_ms"])  # no timestamps


# --------------------------------------------------------------------------------------------- failures


def test_normalise_cause() -> None:
    assert normalise_cause("order 12345 failed at 2026-03-02T09:00:00Z (req 5f0e7b2c-1d2e-4f5a-9b8c-1234567890ab)"
                           ) == "order <n> failed at <time> (req <uuid>)"
    assert normalise_cause("no such function arn:aws:lambda:eu-west-1:123456789012:function:x") == \
        "no such function <arn>"
    assert normalise_cause("object deadbeef0042 missing") == "object <hex> missing"
    assert normalise_cause('{"errorMessage": "host 10 unreachable", "stackTrace": ["a", "b"]}') == \
        "host <n> unreachable"
    assert normalise_cause("Rate exceeded for <uuid:3> in <ExecArnPart_0idx>") == "Rate exceeded for <uuid> in <id>"
    assert normalise_cause(None) == ""


def test_failures_grouped_by_pattern_with_caught_and_fatal() -> None:
    f = frames_of((exec_arn("Pay", "v2-a"), payment("4242", "98765", caught=True)),
                  (exec_arn("Pay", "v1-a"), payment("1111", "12345", caught=False)),
                  (exec_arn("Pay", "v1-b"), payment("5555", "777", caught=False)))
    fp = failure_patterns(f)
    assert len(fp) == 1  # three different cards and orders, one pattern
    key = ("Charge", "Payment.Declined", "card <n> declined for order <n>")
    assert (fp.loc[key, "count"], fp.loc[key, "caught"], fp.loc[key, "fatal"], fp.loc[key, "executions"]) == \
        (3, 1, 2, 3)


def test_failure_fates_in_real_histories(corpus: Path) -> None:
    f = corpus_frames(corpus, "test_base_scenarios__test_map_state_retry_multiple_retriers",
                      "test_base_scenarios__test_map_state_catch",
                      "test_error_output__test_map_catch_error__MAP_CATCH_ERROR_OUTPUT_WITH_RETRY")
    fl = failures(f)
    multi = fl[fl["execution"] == "test_base_scenarios__test_map_state_retry_multiple_retriers"]
    # the Fail state inside the Map ran once per Map try: three tries were retried, the last failed the run
    assert list(multi["fate"]) == ["retried", "retried", "retried", "fatal"]
    assert set(multi["error"]) == {"HandleItemFailError"}  # from the Fail state's definition
    caught = fl[fl["execution"] == "test_base_scenarios__test_map_state_catch"]
    assert list(caught["fate"]) == ["caught"]  # the Map's Catch handled its iteration's failure
    mixed = fl[fl["execution"] == "test_error_output__test_map_catch_error__MAP_CATCH_ERROR_OUTPUT_WITH_RETRY"]
    # ProcessItem failed after its retry and was caught inside the iteration; Fallback then failed the run
    assert dict(zip(mixed["state"], mixed["fate"], strict=True)) == {"ProcessItem": "caught", "Fallback": "fatal"}
    assert not (fl["type"] == "Map").any()  # Maps with a failed visit inside are roll-ups, not origins


def test_a_failure_the_map_tolerated() -> None:
    fl = failures(frames_of((exec_arn("Items", "r"), tolerant_map())))
    # the Fail state's Error/Cause come from the definition; ToleratedFailureCount 1 let the Map succeed
    assert fl[["state", "error", "cause_pattern", "fate"]].values.tolist() == [
        ["Bad", "Item.Bad", "item <n> is bad", "tolerated"]]


def test_a_failure_that_was_redriven() -> None:
    fl = failures(frames_of((exec_arn("Pay", "r"), redriven())))
    assert list(fl["fate"]) == ["redriven"]  # the first Charge failed the run; the redrive then succeeded


# ---------------------------------------------------------------------------------------------- compare


def test_compare_runs_latency_and_retry_deltas() -> None:
    before = frames_of((exec_arn("M", "v1"), ten_states()))
    after = frames_of((exec_arn("M", "v2"), ten_states(scale=2, throttles=0)))
    cmp = compare_runs(before, after, labels=("v1", "v2"))
    fetch = cmp.loc[("Fetch", "Task")]
    # v1 Fetch 5570 ms with 2 retries; v2 one try: 10 + 50 + 1600 + 10 = 1670 ms
    assert fetch["p50_ms_v1"] == 5570 and fetch["p50_ms_v2"] == 1670
    assert fetch["p50_delta_ms"] == -3900
    assert fetch["p50_ratio"] == pytest.approx(1670 / 5570)
    assert fetch["retries_delta"] == -2
    assert cmp.loc[("Store", "Task"), "p50_delta_ms"] == 0


def test_compare_two_time_windows_of_one_set_of_frames() -> None:
    later = T0 + timedelta(hours=1)
    f = frames_of((exec_arn("M", "early"), ten_states()), (exec_arn("M", "late"), ten_states(scale=2, start=later)))
    early, late = select_executions(f, until=later), select_executions(f, since=later)
    assert list(early["executions"]["execution"]) == [exec_arn("M", "early")]
    assert set(late["states"]["execution"].astype(str)) == {exec_arn("M", "late")}
    cmp = compare_runs(early, late)
    # Fetch's three 800 ms tries became 1600 ms: +2400 ms
    assert cmp.loc[("Fetch", "Task"), "p50_delta_ms"] == 2400
    assert cmp.loc[("Fetch", "Task"), "count_before"] == 1
    # and the cost functions accept the selection too
    assert execution_costs(late)["transitions"].tolist() == [12]


def test_frames_without_the_needed_columns_get_a_clear_error() -> None:
    with pytest.raises(AnalysisError, match="'states' DataFrame"):
        state_latency({"events": pd.DataFrame()})
    with pytest.raises(AnalysisError, match=r"no column.*duration_ms"):
        state_latency({"states": pd.DataFrame({"state": [], "type": [], "path": []})})
