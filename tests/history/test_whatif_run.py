"""``workbench.whatif`` on real recordings: parallel replays on worker processes, each with its own engine.

The recorded runs are ``deploy_check`` on the embedded engine with a transient fault (see
``test_whatif_recordings``). Replaying them against their own Mission changes nothing; against the Mission
with a Retry on the transient error, the recording holds no answer for the extra attempts: ``repeat`` (only
evidence) recovers nothing and says it invented outcomes, ``local`` (the Mission's own code) recovers every
run that failed on the transient error. Ctrl-C keeps the rows finished so far.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.history.test_whatif_recordings import DEPLOY, TRANSIENT, record, with_retry
from workbench.history.whatif import WhatIfError, WhatIfRow, whatif

pytestmark = pytest.mark.slow
RUNS = 12


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str, str | None]], Path]:
    folder = tmp_path_factory.mktemp("whatif")
    runs = record(folder / "runs", RUNS)
    return folder / "runs", runs, with_retry(folder)


def test_replaying_the_recorded_mission_changes_nothing(recorded: tuple[Path, Any, Path]) -> None:
    runs, statuses, _ = recorded
    w = whatif(runs, DEPLOY, processes=2, progress=False)
    f = w.frame
    assert f["execution"].tolist() == sorted(statuses)  # the order the files were given
    assert dict(zip(f["execution"], f["recorded_status"], strict=True)) == {n: s for n, (s, _) in statuses.items()}
    assert (f["recorded_status"] == f["replayed_status"]).all()
    assert set(f["outcome"]) == {"unchanged_ok", "unchanged_failed"}
    assert (f["transitions_recorded"] == f["transitions_replayed"]).all()
    assert f["invented"].sum() == 0 and w.changes == [] and not w.interrupted
    assert w.summary.unchanged == RUNS and w.summary.standard_per_1000_delta == 0
    assert w.definitions_seen == 1 and w.recorded_definition == w.definition


def test_a_retry_on_the_transient_error_recovers_those_runs_only_with_invented_outcomes(
        recorded: tuple[Path, Any, Path]) -> None:
    runs, statuses, edited = recorded
    transient = sorted(n for n, (s, e) in statuses.items() if e == TRANSIENT)
    assert transient, "the recordings must hold runs that failed on the transient error"
    local = whatif(runs, edited, unrecorded="local", processes=2, progress=False)
    by_name = {r.execution: r for r in local.rows}
    assert sorted(n for n, r in by_name.items() if r.outcome == "recovered") == transient
    assert all(by_name[n].invented > 0 and by_name[n].replayed_status == "SUCCEEDED" for n in transient)
    assert all(r.invented == 0 for n, r in by_name.items() if n not in transient)  # untouched runs: all evidence
    assert local.summary.recovered == len(transient) and local.summary.newly_failed == 0
    assert [c.describe() for c in local.changes] == ["check_status: Retry changed"]
    for name in transient:  # more transitions and more time: the retries and the checks that follow them
        row = by_name[name]
        assert (row.transitions_replayed or 0) > row.transitions_recorded
        assert (row.standard_usd_replayed or 0) > (row.standard_usd_recorded or 0)
    assert (local.summary.standard_per_1000_delta or 0) > 0

    evidence = whatif(runs, edited, unrecorded="repeat", processes=2, progress=False)
    assert evidence.summary.recovered == 0  # the recording has no successful answer for a retry
    assert sorted(r.execution for r in evidence.rows if r.invented) == transient
    assert {r.outcome for r in evidence.rows if r.execution in transient} == {"unchanged_failed"}


def test_in_process_gives_the_same_rows_as_the_pool(recorded: tuple[Path, Any, Path]) -> None:
    runs, _, edited = recorded
    files = sorted(runs.glob("*.json"))[:5]
    pooled = whatif(files, edited, unrecorded="local", processes=2, progress=False)
    inline = whatif(files, edited, unrecorded="local", processes=0, progress=False)
    keep = ["execution", "recorded_status", "replayed_status", "outcome", "transitions_recorded",
            "transitions_replayed", "invented"]
    assert pooled.frame[keep].to_dict("records") == inline.frame[keep].to_dict("records")
    again = whatif(files[:2], edited, processes=0, progress=False)  # this process replays again: same evidence
    assert [c.describe() for c in again.changes] == [c.describe() for c in inline.changes] == [
        "check_status: Retry changed"]


@pytest.mark.parametrize("processes", [0, 2])
def test_ctrl_c_keeps_the_rows_finished_so_far(recorded: tuple[Path, Any, Path], processes: int) -> None:
    runs, statuses, edited = recorded
    seen: list[str] = []

    def interrupt_after_three(done: int, row: WhatIfRow) -> None:
        seen.append(row.execution)
        if done == 3:
            raise KeyboardInterrupt

    w = whatif(runs, edited, processes=processes, progress=False, on_row=interrupt_after_three)
    assert w.interrupted and w.summary.interrupted and w.requested == RUNS
    assert len(w.rows) == 3 and sorted(r.execution for r in w.rows) == sorted(seen)
    assert [r.index for r in w.rows] == sorted(r.index for r in w.rows)  # still in input order
    assert "interrupted" in str(w.summary) and w.summary.executions == 3
    assert all(r.recorded_status == statuses[r.execution][0] for r in w.rows)


def test_a_history_that_cannot_be_read_is_one_row_that_says_why(recorded: tuple[Path, Any, Path],
                                                                 tmp_path: Path) -> None:
    runs, _, _ = recorded
    bogus = tmp_path / "notes.json"
    bogus.write_text(json.dumps({"hello": "world"}), encoding="utf-8")
    first = sorted(runs.glob("*.json"))[0]
    w = whatif([first, bogus], DEPLOY, processes=0, progress=False)
    ok, bad = w.rows
    assert ok.outcome in ("unchanged_ok", "unchanged_failed") and ok.problem is None
    assert bad.outcome == "not_replayed" and bad.execution == "notes.json" and bad.replayed_status == "NOT_REPLAYED"
    assert bad.problem is not None and "not an execution history" in bad.problem
    assert w.summary.not_replayed == 1 and w.summary.executions == 2


def test_unusable_options_are_refused_before_any_replay(recorded: tuple[Path, Any, Path], tmp_path: Path) -> None:
    runs, _, _ = recorded
    with pytest.raises(WhatIfError, match="unrecorded='guess'"):
        whatif(runs, DEPLOY, unrecorded="guess")
    with pytest.raises(WhatIfError, match="processes=-1"):
        whatif(runs, DEPLOY, processes=-1)
    with pytest.raises(WhatIfError, match="nothing to replay"):
        whatif([], DEPLOY)
    with pytest.raises(WhatIfError, match="no such file or folder"):
        whatif([tmp_path / "gone"], DEPLOY)
