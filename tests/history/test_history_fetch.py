"""Fetching histories: a real moto server for the happy path, botocore Stubber for paging and errors."""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from moto.core.config import default_user_config
from moto.server import ThreadedMotoServer

from workbench.history import frames
from workbench.history.fetch import (
    CacheWarning,
    FetchError,
    HistoryCache,
    default_cache_dir,
    ensure_adaptive_retries,
    fetch_histories,
    fetch_history,
    fetch_state_machine_histories,
    list_executions,
    stepfunctions_client,
)
from workbench.history.fetch import cache as cache_module
from workbench.history.fetch import histories as fetch_module

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/workbench"
ARN = "arn:aws:states:us-east-1:123456789012:execution:Mission:run-1"


def _post_config(url: str, execute: bool) -> None:
    body = json.dumps({"stepfunctions": {"execute_state_machine": execute}}).encode()
    request = urllib.request.Request(f"{url}/moto-api/config", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    before = default_user_config.get("stepfunctions", {}).get("execute_state_machine", False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    _post_config(url, True)
    try:
        yield url
    finally:
        _post_config(url, before)  # the config is process-wide: leave it as we found it
        server.stop()


def local_client(url: str) -> Any:
    return stepfunctions_client(url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")


def offline_client() -> Any:
    return boto3.client("stepfunctions", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(inject_host_prefix=False))


def count_calls(client: Any) -> list[str]:
    calls: list[str] = []
    client.meta.events.register("before-call", lambda model, **_: calls.append(model.name))
    return calls


MACHINE = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Both"},
        "Both": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
            {"StartAt": "Right", "States": {"Right": {"Type": "Wait", "Seconds": 1, "End": True}}},
        ]},
    },
}


def wait_until_finished(client: Any, arns: list[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    pending = set(arns)
    while pending and time.monotonic() < deadline:
        pending = {a for a in pending if client.describe_execution(executionArn=a)["status"] == "RUNNING"}
        time.sleep(0.2)
    assert not pending, f"executions still running: {pending}"


def test_fetch_from_a_moto_server_then_the_cache_makes_no_calls(moto_url: str, tmp_path: Path) -> None:
    client = local_client(moto_url)
    machine = client.create_state_machine(name="fetch-test", definition=json.dumps(MACHINE), roleArn=ROLE)
    arn = machine["stateMachineArn"]
    finished = [client.start_execution(stateMachineArn=arn, name=f"run-{i}")["executionArn"] for i in range(3)]
    slow = client.create_state_machine(name="fetch-test-slow", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 120, "End": True}}}))
    running = client.start_execution(stateMachineArn=slow["stateMachineArn"], name="long")["executionArn"]
    try:
        wait_until_finished(client, finished)
        listed = list_executions(client, arn)
        assert [e["name"] for e in listed] == ["run-2", "run-1", "run-0"]  # newest first
        cache = HistoryCache(tmp_path / "cache")
        histories = fetch_histories(client, [*listed, running], cache=cache, progress=False, max_workers=4)
        # by default each carries the definition it ran with: branches numbered as the definition does
        assert [h.definition for h in histories[:3]] == [MACHINE] * 3
        assert histories[3].definition is not None and histories[3].definition["StartAt"] == "Long"
        assert [h.execution_arn for h in histories] == [*(e["executionArn"] for e in listed), running]
        assert [h.status for h in histories] == ["SUCCEEDED"] * 3 + ["RUNNING"]
        assert len(list((tmp_path / "cache").glob("*/*.json"))) == 3  # the running one is not cached

        # The frames' timings equal the raw events' timestamps, computed here without the package.
        raw = client.get_execution_history(executionArn=finished[0])["events"]
        entered = {e["stateEnteredEventDetails"]["name"]: e["timestamp"]
                   for e in raw if "stateEnteredEventDetails" in e}
        exited = {e["stateExitedEventDetails"]["name"]: e["timestamp"] for e in raw if "stateExitedEventDetails" in e}
        f = frames([h for h in histories if h.execution_arn == finished[0]])
        st = f.states.set_index("state")
        for name in ("Prepare", "Nap", "Both", "Left", "Right"):
            expected_ms = (exited[name] - entered[name]) / timedelta(milliseconds=1)
            assert st.loc[name, "duration_ms"] == pytest.approx(expected_ms, abs=1e-6), name
            after = (entered[name] - raw[0]["timestamp"]) / timedelta(milliseconds=1)
            assert st.loc[name, "started_after_ms"] == pytest.approx(after, abs=1e-6), name
        assert st.loc["Nap", "duration_ms"] >= 1000.0 and st.loc["Right", "duration_ms"] >= 1000.0
        assert st.loc["Right", "path"] == "Both/branch[1]/Right"
        assert f.executions.loc[0, "transitions"] == 5

        calls = count_calls(client)
        again = fetch_histories(client, finished, cache=cache, progress=False)
        assert calls == [] and [len(h) for h in again] == [len(h) for h in histories[:3][::-1]]
        fetch_history(client, running, cache=cache)
        assert "GetExecutionHistory" in calls  # running executions are always fetched

        machines = fetch_state_machine_histories(client, arn, status="SUCCEEDED", cache=cache, progress=False)
        assert len(machines) == 3 and calls.count("ListExecutions") == 1
    finally:
        client.stop_execution(executionArn=running)


def _event(i: int, prev: int, etype: str) -> dict[str, Any]:
    start = datetime(2024, 5, 1, 12, tzinfo=UTC)
    return {"id": i, "previousEventId": prev, "type": etype, "timestamp": start + timedelta(seconds=i)}


def test_history_pages_are_followed_with_next_token(tmp_path: Path) -> None:
    client = offline_client()
    events = [_event(1, 0, "ExecutionStarted")]
    events += [_event(i, i - 1, "PassStateEntered" if i % 2 == 0 else "PassStateExited") for i in range(2, 2500)]
    for e in events[1:]:
        key = "stateEnteredEventDetails" if e["type"].endswith("Entered") else "stateExitedEventDetails"
        e[key] = {"name": f"S{e['id'] // 2}"}
    events.append(_event(2500, 2499, "ExecutionSucceeded"))
    pages = [events[:1000], events[1000:2000], events[2000:]]
    with Stubber(client) as stub:
        for n, page in enumerate(pages):
            params: dict[str, Any] = {"executionArn": ARN, "maxResults": 1000, "includeExecutionData": False}
            if n:
                params["nextToken"] = f"token-{n}"
            response: dict[str, Any] = {"events": page}
            if n < 2:
                response["nextToken"] = f"token-{n + 1}"
            stub.add_response("get_execution_history", response, params)
        h = fetch_history(client, ARN, include_execution_data=False, cache=HistoryCache(tmp_path),
                          with_definition=False)  # paging only: the definition call is tested elsewhere
        stub.assert_no_pending_responses()
    assert len(h) == 2500 and h.complete and h.status == "SUCCEEDED"
    assert len(frames(h).states) == 1249
    cached = json.loads(HistoryCache(tmp_path).path_for(ARN).read_text())
    assert cached["includeExecutionData"] is False and len(cached["events"]) == 2500
    assert HistoryCache(tmp_path).get(ARN, need_data=True) is None  # data now wanted: that entry cannot serve
    assert HistoryCache(tmp_path).get(ARN, need_data=False) is not None


def _execution(name: str, started: datetime) -> dict[str, Any]:
    return {"executionArn": f"arn:aws:states:us-east-1:123456789012:execution:Mission:{name}", "name": name,
            "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Mission",
            "status": "SUCCEEDED", "startDate": started}


MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Mission"


def test_list_executions_stops_paging_once_past_the_window() -> None:
    client = offline_client()
    day = datetime(2024, 5, 1, tzinfo=UTC)
    page1 = [_execution("e10", day.replace(hour=10)), _execution("e9", day.replace(hour=9)),
             _execution("e8", day.replace(hour=8))]
    with Stubber(client) as stub:
        stub.add_response("list_executions", {"executions": page1, "nextToken": "more"},
                          {"stateMachineArn": MACHINE_ARN, "maxResults": 1000, "statusFilter": "SUCCEEDED"})
        found = list_executions(client, MACHINE_ARN, status="SUCCEEDED", since=day.replace(hour=8, minute=30),
                                until=day.replace(hour=9, minute=30))
        stub.assert_no_pending_responses()  # and no second page was asked for (it would raise)
    assert [e["name"] for e in found] == ["e9"]


def test_list_executions_pages_while_inside_the_window() -> None:
    client = offline_client()
    day = datetime(2024, 5, 1, tzinfo=UTC)
    page1 = [_execution("e10", day.replace(hour=10)), _execution("e9", day.replace(hour=9))]
    page2 = [_execution("e8", day.replace(hour=8)), _execution("e1", day.replace(hour=1))]
    with Stubber(client) as stub:
        stub.add_response("list_executions", {"executions": page1, "nextToken": "p2"},
                          {"stateMachineArn": MACHINE_ARN, "maxResults": 1000})
        stub.add_response("list_executions", {"executions": page2},
                          {"stateMachineArn": MACHINE_ARN, "maxResults": 1000, "nextToken": "p2"})
        found = list_executions(client, MACHINE_ARN, since=datetime(2024, 5, 1, 7))  # naive = UTC
        stub.assert_no_pending_responses()
    assert [e["name"] for e in found] == ["e10", "e9", "e8"]


def test_map_run_listing_uses_the_map_run_arn() -> None:
    client = offline_client()
    run = "arn:aws:states:us-east-1:123456789012:mapRun:Mission/PerHost:1"
    with Stubber(client) as stub:
        stub.add_response("list_executions", {"executions": []}, {"mapRunArn": run, "maxResults": 1000})
        assert list_executions(client, map_run_arn=run) == []
    with pytest.raises(fetch_module.WorkbenchError, match="exactly one"):
        list_executions(client)


def _finished_history() -> dict[str, Any]:
    events = [_event(1, 0, "ExecutionStarted"), _event(2, 1, "ExecutionSucceeded")]
    return {"events": events}


def test_cache_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = HistoryCache(tmp_path)
    good = {"executionArn": ARN, "status": "SUCCEEDED", "includeExecutionData": True, "events": []}

    def interrupted(*_: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_module.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.put(good)
    monkeypatch.undo()
    assert list(tmp_path.rglob("*")) == [cache.path_for(ARN).parent]  # no entry, no temp file left
    assert cache.get(ARN) is None
    cache.put(good)
    assert cache.get(ARN) == good


def test_corrupt_cache_entry_is_ignored_and_refetched(tmp_path: Path) -> None:
    cache = HistoryCache(tmp_path)
    path = cache.path_for(ARN)
    path.parent.mkdir(parents=True)
    path.write_text('{"executionArn": "' + ARN + '", "events": [')  # a crash of an older, non-atomic writer
    client = offline_client()
    with Stubber(client) as stub:
        stub.add_response("get_execution_history", _finished_history(),
                          {"executionArn": ARN, "maxResults": 1000, "includeExecutionData": True})
        with pytest.warns(CacheWarning, match="unreadable cache entry"):
            h = fetch_history(client, ARN, cache=cache, with_definition=False)
    assert h.status == "SUCCEEDED"
    assert cache.get(ARN) is not None  # rewritten


def test_failures_are_reported_per_execution(tmp_path: Path) -> None:
    client = offline_client()
    missing = ARN.replace("run-1", "gone")
    with Stubber(client) as stub:
        stub.add_response("get_execution_history", _finished_history(),
                          {"executionArn": ARN, "maxResults": 1000, "includeExecutionData": True})
        stub.add_client_error("get_execution_history", service_error_code="ExecutionDoesNotExist",
                              service_message="Execution Does Not Exist", http_status_code=400)
        with pytest.raises(FetchError, match="1 of 2 histories could not be fetched") as info:
            fetch_histories(client, [ARN, missing], cache=HistoryCache(tmp_path), max_workers=1, progress=False,
                            with_definition=False)
    assert list(info.value.failures) == [missing] and "ExecutionDoesNotExist" in info.value.failures[missing]
    assert [h.execution_arn for h in info.value.histories] == [ARN]
    with Stubber(client) as stub:  # one history: the AWS error comes back as our error, naming the execution
        stub.add_client_error("get_execution_history", service_error_code="AccessDeniedException",
                              service_message="not allowed", http_status_code=400)
        with pytest.raises(FetchError, match="AccessDeniedException") as single:
            fetch_history(client, missing, cache=False, with_definition=False)
    assert list(single.value.failures) == [missing]


def test_cache_location_and_client_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path / "histories"
    assert HistoryCache().root == tmp_path / "histories"
    monkeypatch.delenv("WORKBENCH_CACHE")
    assert default_cache_dir() == Path.home() / ".cache" / "workbench" / "histories"
    client = stepfunctions_client("http://127.0.0.1:9", region_name=REGION, aws_access_key_id="x",
                                  aws_secret_access_key="x")
    assert client.meta.config.retries["mode"] == "adaptive"
    assert client.meta.config.inject_host_prefix is False
    assert ensure_adaptive_retries(client) is False  # already adaptive
    legacy = offline_client()
    assert ensure_adaptive_retries(legacy) is True
    assert ensure_adaptive_retries(legacy) is False  # attached once
