"""The inspector's payload (pure data): visits as the frames count them, attempts and back-off checked by hand,
paths for Map iterations and Parallel branches, every value redacted, and markup that cannot break its page."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.history.hand_histories import exec_arn, fanout, ten_states
from tests.report.report_histories import API_KEY, BOLD, CLOSER, SECRET, hostile_history
from workbench.core.redact import Redactor
from workbench.history import ExecutionHistory, frames, load_history
from workbench.viz.inspect import INSPECTOR_CSS, INSPECTOR_JS, inspection, inspection_from_events, inspector_html
from workbench.viz.inspect.assets import payload_json

CORPUS_CASES = [
    "test_base_scenarios__test_map_state_nested.json",  # Map in Map
    "test_base_scenarios__test_parallel_state_nested.json",  # Parallel in Parallel
    "test_base_scenarios__test_lambda_invoke_with_retry_base.json",  # retries, then caught
    "test_base_scenarios__test_map_state_retry_multiple_retriers.json",  # Map retried
    "test_base_scenarios__test_parallel_state_fail.json",  # a failed branch
    "test_base_scenarios__test_map_state_catch.json",
    "test_base__test_state_fail.json",
]


def _load(corpus: Path, name: str) -> ExecutionHistory:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_history(corpus / "histories" / name)


@pytest.mark.parametrize("name", CORPUS_CASES)
def test_visits_attempts_and_events_are_the_frames_own(corpus: Path, name: str) -> None:
    history = _load(corpus, name)
    payload = inspection(history)
    f = frames(history)
    states, attempts, events = f.states, f.attempts, f.events
    assert len(payload["visits"]) == len(states)
    per_state = {k: len(v["visits"]) for k, v in payload["states"].items() if v["visits"]}
    assert per_state == {str(k): int(n) for k, n in states.groupby("state", observed=True).size().items()}
    by_visit = attempts.groupby("visit").size().to_dict()
    assert {v["id"]: len(v["attempts"]) for v in payload["visits"] if v["attempts"]} == by_visit
    assert [e["id"] for e in payload["events"]] == events["id"].tolist() and payload["events_total"] == len(events)
    assert [e["state"] for e in payload["events"]] == [s if isinstance(s, str) else None
                                                      for s in events["state"].astype(object)]
    owned = sorted(i for v in payload["visits"] for i in v["event_ids"])
    assert owned == sorted(events.loc[events["visit"] >= 0, "id"].tolist())
    assert json.loads(payload_json(payload)) == payload  # JSON-able as it is


def test_map_iterations_and_parallel_branches_are_named_by_their_path(corpus: Path) -> None:
    nested = inspection(_load(corpus, "test_base_scenarios__test_map_state_nested.json"))
    paths = sorted({v["path"] for v in nested["visits"] if v["state"] == "MapL2Pass"})
    assert paths == [f"MapL1 › iteration {i} › MapL2 › iteration {j}" for i in (0, 1) for j in (0, 1, 2)]
    history = load_history(fanout(), execution_arn=exec_arn("Fan", "run-1"))
    fan = inspection(history)
    where = {v["state"]: v["path"] for v in fan["visits"]}
    assert where["Pull"] == "Gather › branch Pull" and where["Settle"] == "Gather › branch Index"
    assert where["Start"] == "" and sorted(v["path"] for v in fan["visits"] if v["state"] == "Probe") == [
        "PerHost › iteration 0", "PerHost › iteration 1", "PerHost › iteration 2"]
    named = json.loads(json.dumps(history.definition))
    named["States"]["Gather"]["Branches"][1]["Comment"] = "index"  # Missions name their branches so
    assert {v["state"]: v["path"] for v in inspection(history, named)["visits"]}["Settle"] == "Gather › branch index"


def test_attempts_and_back_off_of_a_retried_state_checked_by_hand() -> None:
    """ten_states: Fetch entered at +10 ms; tries scheduled at +20, +1870, +4720 ms, each queued 50 ms and run
    800 ms (ends +870, +2720, +5570); the first two throttled; back-offs 1000 and 2000 ms; exit at +5580."""
    payload = inspection(load_history(ten_states(), execution_arn=exec_arn("Ten", "run-1")))
    assert payload["states"]["Fetch"] == {"type": "Task", "status": "retried", "visits": [1], "retries": 2}
    (visit,) = [v for v in payload["visits"] if v["state"] == "Fetch"]
    assert (visit["entered"], visit["exited"], visit["duration_ms"]) == (
        "2026-03-02T09:00:00.010Z", "2026-03-02T09:00:05.580Z", 5570.0)
    rows = [(a["n"], a["start"][-10:-1], a["end"][-10:-1], a["duration_ms"], a["backoff_ms"], a["status"], a["error"])
            for a in visit["attempts"]]
    assert rows == [
        (1, "00:00.020", "00:00.870", 850.0, None, "failed", "Lambda.TooManyRequestsException"),
        (2, "00:01.870", "00:02.720", 850.0, 1000.0, "failed", "Lambda.TooManyRequestsException"),
        (3, "00:04.720", "00:05.570", 850.0, 2000.0, "succeeded", None),
    ]
    assert visit["error"] is None  # it succeeded: the failures belong to its attempts
    assert [a["input"] for a in visit["attempts"]] == ["{}", "{}", "{}"] and visit["attempts"][2]["output"] == "{}"
    events = {e["id"]: e for e in payload["events"]}
    fetch_events = [events[i] for i in visit["event_ids"]]
    assert {e["state"] for e in fetch_events} == {"Fetch"}  # Lambda events inherit their state
    assert [e["type"] for e in fetch_events][:3] == ["TaskStateEntered", "LambdaFunctionScheduled",
                                                      "LambdaFunctionStarted"]
    assert [(e["elapsed_ms"], e["since_previous_ms"]) for e in fetch_events[:3]] == [
        (10.0, 0.0), (20.0, 10.0), (70.0, 50.0)]
    assert payload["events"][0]["since_previous_ms"] is None and payload["events"][0]["elapsed_ms"] == 0.0
    assert payload["execution"]["duration_ms"] == 8025.0 and payload["execution"]["status"] == "SUCCEEDED"


def test_every_value_is_redacted_and_redaction_can_be_chosen() -> None:
    history = hostile_history()
    text = payload_json(inspection(history))
    assert SECRET not in text and API_KEY not in text and "[redacted]" in text
    charge = inspection(history)["visits"][1]
    assert '"password": "[redacted]"' in charge["input"] and charge["attempts"][1]["cause"].endswith(
        "password=[redacted]")
    assert SECRET in payload_json(inspection(history, redact=False))  # only when asked
    custom = inspection(history, redact=Redactor(keys=["note"]))["visits"][1]["input"]
    assert json.loads(custom)["note"] == "[redacted]"  # the key given is hidden too
    cut = inspection(history, max_value_bytes=1000)["visits"][1]["input"]
    assert "[truncated: " in cut and len(cut) < 1200


def test_states_never_reached_and_a_live_history_from_raw_events() -> None:
    doc = ten_states()
    definition = doc["definition"]
    raw = doc["history"][:6]  # still running: inside Fetch's first try
    payload = inspection_from_events(raw, definition, exec_arn("Ten", "live"))
    assert payload["execution"]["status"] == "RUNNING" and payload["execution"]["name"] == "live"
    assert payload["states"]["Fetch"]["status"] == "running" and payload["states"]["Store"]["status"] == "not_reached"
    assert set(payload["states"]) == set(definition["States"])
    assert [s["status"] for s in payload["legend"]] == ["succeeded", "retried", "failed", "caught", "aborted",
                                                       "running", "not_reached"]
    whole = inspection_from_events(doc["history"], definition, exec_arn("Ten", "live"))
    assert whole["states"]["Fetch"]["status"] == "retried" and len(whole["events"]) == len(doc["history"])
    assert inspection_from_events([], definition)["states"]["Prepare"]["status"] == "not_reached"


def test_inspector_markup_keeps_the_payload_inside_its_script_block() -> None:
    payload = inspection(hostile_history())
    payload["states"]['"><svg onload=alert(1)>'] = {"type": "Pass", "status": "succeeded", "visits": []}
    html = inspector_html("<svg class='workbench-graph'></svg>", payload, element_id="run-1")
    block = re.fullmatch(r'<div class="wb-inspect" id="run-1"><div class="wb-canvas">.*?</div>'
                         r'<script type="application/json" class="wb-inspect-data" id="run-1-data">(.*)</script></div>',
                         html, re.S)
    assert block is not None and "<" not in block[1] and ">" not in block[1]
    assert json.loads(block[1])["states"][BOLD]["type"] == "Pass"
    assert CLOSER not in html and " on" not in html.split("<script")[0]
    with pytest.raises(ValueError, match="element_id"):
        inspector_html("<svg></svg>", payload, element_id='x" onmouseover="alert(1)')


def test_the_script_builds_its_page_from_text_only() -> None:
    """No HTML parsing of data, no eval, no network, no top-level return; one global."""
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                   "fetch(", "XMLHttpRequest", "WebSocket", "import(", "setTimeout(\"", "javascript:"):
        assert banned not in INSPECTOR_JS, banned
    assert INSPECTOR_JS.startswith("(function () {") and INSPECTOR_JS.rstrip().endswith("})();")
    assert INSPECTOR_JS.count("globalThis.WorkbenchInspector =") == 1
    assert "url(" not in INSPECTOR_CSS and "@import" not in INSPECTOR_CSS


@pytest.mark.parametrize("name", ["test_base_scenarios__test_map_state_nested.json"])
def test_inspection_is_deterministic(corpus: Path, name: str) -> None:
    first: dict[str, Any] = inspection(_load(corpus, name))
    assert payload_json(first) == payload_json(inspection(_load(corpus, name)))
