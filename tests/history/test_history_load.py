"""Loading every history format into one event model, and clear errors/warnings for bad input."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from botocore.loaders import Loader

from tests.history.synthetic import simulate_execution
from workbench.core.diagnostics import WorkbenchError
from workbench.history import (
    MAX_HISTORY_EVENTS,
    HistoryLimitWarning,
    HistoryLoadError,
    IncompleteHistoryWarning,
    PlaceholderIdsWarning,
    UnknownEventTypeWarning,
    frames,
    load_histories,
    load_history,
)
from workbench.history.load.events import EVENT_META, HISTORY_EVENT_TYPES

T0 = 1_700_000_000.0


def ev(i: int, prev: int, etype: str, t: float = 0.0, **details: Any) -> dict[str, Any]:
    """One wire-format event; details go under the key the API uses for that type."""
    event: dict[str, Any] = {"id": i, "previousEventId": prev, "type": etype, "timestamp": T0 + t}
    if details:
        key = EVENT_META[etype].details_key if etype in EVENT_META else etype[0].lower() + etype[1:] + "EventDetails"
        event[key or "unused"] = details
    return event


def simple_history() -> list[dict[str, Any]]:
    return [
        ev(1, 0, "ExecutionStarted", 0.0, input="{}", roleArn="arn:aws:iam::1:role/r"),
        ev(2, 0, "PassStateEntered", 0.010, name="A", input="{}"),
        ev(3, 2, "PassStateExited", 0.015, name="A", output='{"a":1}'),
        ev(4, 3, "ExecutionSucceeded", 0.020, output='{"a":1}'),
    ]


def quiet_frames(source: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return frames(load_history(source))


# --- the API model --------------------------------------------------------------------------------------------
def botocore_model() -> dict[str, Any]:
    return Loader().load_service_model("stepfunctions", "service-2")  # type: ignore[no-any-return]


def test_every_history_event_type_of_the_api_is_known() -> None:
    shapes = botocore_model()["shapes"]
    api_types = set(shapes["HistoryEventType"]["enum"])
    assert len(api_types) == 62
    assert set(HISTORY_EVENT_TYPES) == api_types
    # every details member of HistoryEvent is where we look for some type's details, and vice versa
    members = {m for m in shapes["HistoryEvent"]["members"] if m.endswith("EventDetails")}
    used = {meta.details_key for meta in EVENT_META.values() if meta.details_key}
    assert used == members


def _context(etype: str) -> list[dict[str, Any]]:
    """A minimal plausible history around one event of type ``etype``."""
    owner = EVENT_META[etype].owner
    start = [ev(1, 0, "ExecutionStarted", 0.0, input="{}")]
    if owner == "":
        if etype == "ExecutionStarted":
            return start
        return [*start, ev(2, 1, etype, 0.5, error="E", cause="c", redriveCount=1, output="{}",
                           state="S", location="x")]
    if etype.endswith("StateEntered"):
        return [*start, ev(2, 0, etype, 0.1, name="S", input="{}")]
    entered = ev(2, 0, f"{owner}StateEntered", 0.1, name="S", input="{}")
    middle = [entered]
    if owner in ("Map", "Parallel") and etype not in (f"{owner}StateStarted", f"{owner}StateExited"):
        middle.append(ev(3, 2, f"{owner}StateStarted", 0.2))
    if etype.startswith("MapIteration") and etype != "MapIterationStarted":
        middle.append(ev(len(middle) + 2, len(middle) + 1, "MapIterationStarted", 0.25, name="S", index=0))
    n = len(middle) + 2
    event = ev(n, n - 1, etype, 0.3, name="S", index=0, error="E", cause="c", resource="arn:r",
               resourceType="lambda", mapRunArn="arn:aws:states:r:1:mapRun:M/S:1", length=1, output="{}")
    return [*start, *middle, event]


@pytest.mark.parametrize("etype", HISTORY_EVENT_TYPES)
def test_each_event_type_is_kept_and_attached(etype: str) -> None:
    events = _context(etype)
    f = quiet_frames({"events": events})
    row = f.events[f.events["id"] == events[-1]["id"]].iloc[0]
    assert row["type"] == etype
    if EVENT_META[etype].owner:
        assert row["visit"] == 0 and row["state"] == "S"
    assert len(f.states) == 1 if EVENT_META[etype].owner else len(f.states) == 0


# --- formats ----------------------------------------------------------------------------------------------
def test_api_response_from_dict_bytes_text_and_file(tmp_path: Path) -> None:
    response = {"events": simple_history()}
    path = tmp_path / "h.json"
    path.write_text(json.dumps(response, indent=2))
    for source in (response, json.dumps(response).encode(), json.dumps(response), path, str(path)):
        h = load_history(source, execution_arn="arn:aws:states:eu-west-1:1:execution:M:r")
        assert [e.type for e in h.events] == [e["type"] for e in response["events"]]
        assert h.status == "SUCCEEDED" and h.complete
        assert h.state_machine_arn is None  # set when given, never guessed from the execution ARN
    assert load_history(path).execution_arn == "h"  # no ARN in a saved response: the file stem names it
    machine = "arn:aws:states:eu-west-1:1:stateMachine:M"
    assert load_history(response, state_machine_arn=machine).state_machine_arn == machine


def test_timestamps_in_every_shape_mean_the_same_instant() -> None:
    base = simple_history()
    as_datetime = [{**e, "timestamp": datetime.fromtimestamp(e["timestamp"], UTC)} for e in base]
    paris = timezone(timedelta(hours=1))
    as_iso = [{**e, "timestamp": datetime.fromtimestamp(e["timestamp"], paris).isoformat()} for e in base]
    as_ms = [{**e, "timestamp": round(e["timestamp"] * 1000)} for e in base]
    expected = quiet_frames({"events": base}).events["timestamp"]
    assert expected.iloc[1] == pd.Timestamp("2023-11-14T22:13:20.010Z")
    for variant in (as_datetime, as_iso, as_ms):
        got = quiet_frames({"events": variant}).events["timestamp"]
        assert got.dt.tz is not None and (got == expected).all()


def test_reverse_order_responses_are_put_back_in_order() -> None:
    h = load_history({"events": simple_history()[::-1]})
    assert [e.id for e in h.events] == [1, 2, 3, 4]


def test_bare_event_list_and_console_export() -> None:
    h = load_history(simple_history())
    assert len(h) == 4
    console = {"executionArn": "arn:aws:states:eu-west-1:1:execution:M:run-7",
               "events": [{**e, "timestamp": datetime.fromtimestamp(e["timestamp"], UTC).isoformat()}
                          for e in simple_history()]}
    h = load_history(console)
    assert h.execution_arn.endswith("run-7") and h.state_machine_arn == "arn:aws:states:eu-west-1:1:stateMachine:M"


def _cloudwatch_records() -> list[dict[str, Any]]:
    out = []
    for run, offset in (("a", 0), ("b", 5)):
        arn = f"arn:aws:states:eu-west-1:1:express:Quick:{run}:0f0e"
        for e in simple_history():
            details = {k: v for key, v in e.items() if key.endswith("EventDetails") for k, v in v.items()}
            out.append({"id": str(e["id"]), "type": e["type"], "details": details,
                        "previous_event_id": str(e["previousEventId"]),
                        "event_timestamp": str(round((e["timestamp"] + offset) * 1000)),
                        "execution_arn": arn, "redrive_count": "0"})
    out.sort(key=lambda r: int(r["event_timestamp"]))  # log streams interleave executions
    return out


def test_express_cloudwatch_records_split_per_execution(tmp_path: Path) -> None:
    records = _cloudwatch_records()
    jsonl = tmp_path / "logs.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in records))
    response = {"events": [{"timestamp": 1, "message": json.dumps(r), "ingestionTime": 2} for r in records]}
    for source in (records, jsonl, response):
        hs = load_histories(source)
        assert [h.execution_arn.split(":")[-2] for h in hs] == ["a", "b"]
        assert all(h.format == "cloudwatch" and h.status == "SUCCEEDED" for h in hs)
        assert hs[0].state_machine_arn == "arn:aws:states:eu-west-1:1:stateMachine:Quick"
        f = frames(hs)
        assert list(f.states["state"]) == ["A", "A"]
        assert f.states["duration_ms"].tolist() == [5.0, 5.0]
        assert list(f.executions["duration_ms"]) == [20.0, 20.0]
    with pytest.raises(HistoryLoadError, match="2 executions"):
        load_history(records)


def test_corpus_format_placeholders(corpus: Path) -> None:
    h = load_history(corpus / "histories" / "test_base__test_state_fail.json")
    assert h.format == "corpus" and h.definition is not None
    assert all(e.timestamp is None for e in h.events)
    with pytest.warns(PlaceholderIdsWarning, match="placeholder ids"):
        h = load_history(corpus / "histories" / "test_base_scenarios__test_parallel_state_order.json")
    assert not h.complete and [e.id for e in h.events] == sorted({e.id for e in h.events})
    f = frames(h)
    assert (~f.events["id_known"]).sum() == 8


def test_definition_given_as_text_adds_retry_policies() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True,
                                                   "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": 5}]}}}
    h = load_history({"events": simple_history()}, definition=json.dumps(definition))
    assert json.loads(frames(h).states.loc[0, "retry_policy"]) == definition["States"]["A"]["Retry"]


def test_iter_histories_streams_a_folder(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"run{i}.json").write_text(json.dumps({"events": simple_history()}))
    (tmp_path / "notes.txt").write_text("not a history")
    assert [h.execution_arn for h in load_histories(tmp_path)] == ["run0", "run1", "run2"]
    assert len(frames(tmp_path).executions) == 3


# --- bad input ------------------------------------------------------------------------------------------------
def test_truncated_file_names_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "partial.json"
    path.write_text(json.dumps({"events": simple_history()})[:150])
    with pytest.raises(HistoryLoadError) as info:
        load_history(path)
    diag = info.value.diagnostics[0]
    assert diag.code == "HIST001" and diag.file == str(path) and diag.line == 1 and diag.column
    assert "truncated" in str(info.value) and str(path) in str(info.value)


@pytest.mark.parametrize(("obj", "words"), [
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, "state machine definition"),
    ({"executions": []}, "keys executions"),
    ([1, 2, 3], "not history events"),
    ([], "empty"),
    ({"events": []}, "no events"),
    (42, "found int"),
])
def test_non_history_json_is_refused(obj: Any, words: str) -> None:
    with pytest.raises(HistoryLoadError, match=words) as info:
        load_history(obj)
    assert isinstance(info.value, WorkbenchError) and info.value.diagnostics[0].hint


def test_missing_file() -> None:
    with pytest.raises(HistoryLoadError, match="cannot read file"):
        load_history("/nonexistent/history.json")


def test_malformed_events_point_at_the_event() -> None:
    events = simple_history()
    del events[2]["type"]
    with pytest.raises(HistoryLoadError, match="missing type") as info:
        load_history(events)
    assert info.value.diagnostics[0].location == "events[2]"
    events = simple_history()
    events[1]["timestamp"] = "yesterday"
    with pytest.raises(HistoryLoadError, match="unreadable timestamp"):
        load_history(events)
    events = simple_history()
    events[3]["id"] = 2
    with pytest.raises(HistoryLoadError, match="appears twice") as info:
        load_history(events)
    assert info.value.diagnostics[0].code == "HIST005"


def test_gap_in_ids_warns_and_marks_the_execution_incomplete() -> None:
    events = [e for e in simple_history() if e["id"] != 3]
    with pytest.warns(IncompleteHistoryWarning, match=r"1 events missing \(ids 3\)"):
        h = load_history(events)
    assert not h.complete
    assert not bool(frames(h).executions.loc[0, "complete"])
    with pytest.raises(HistoryLoadError, match="incomplete history") as info:
        load_history(events, strict=True)
    assert info.value.diagnostics[0].code == "HIST004"


def test_previous_event_pointing_nowhere_warns() -> None:
    events = simple_history()
    events[2]["previousEventId"] = 9
    with pytest.warns(IncompleteHistoryWarning, match="point at a previous event that is not in the history"):
        h = load_history(events)
    assert not h.complete


def test_unknown_event_type_is_kept_with_a_warning() -> None:
    events = simple_history()
    events.insert(2, ev(3, 2, "PassStateTeleported", 0.012, name="A", wormhole=True))
    for later in events[3:]:
        later["id"] += 1
        later["previousEventId"] += 1
    with pytest.warns(UnknownEventTypeWarning, match="PassStateTeleported"):
        h = load_history(events)
    assert h.events[2].type == "PassStateTeleported" and h.events[2].details == {"name": "A", "wormhole": True}
    f = frames(h)
    row = f.events[f.events["type"] == "PassStateTeleported"].iloc[0]
    assert row["state"] == "A" and row["visit"] == 0
    assert list(f.states["status"]) == ["succeeded"]


def test_history_at_the_25000_event_limit_warns_and_builds() -> None:
    sim = simulate_execution(3, hosts=2400, fail_scale=0.0)
    n = len(sim.response["events"])
    assert n >= MAX_HISTORY_EVENTS
    with pytest.warns(HistoryLimitWarning, match="25,000"):
        h = load_history(sim.response, execution_arn=sim.arn)
    f = frames(h)
    assert len(f.events) == n and len(f.states) == len(sim.visits)
    assert f.states["path"].astype(str).str.startswith("PerHost/iter[2399]/").sum() == 3
