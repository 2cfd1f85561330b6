"""Fetching never loops, never hangs and never leaks: bounded paging, dead endpoints, private cache, Ctrl-C.

Paging is driven by botocore's Stubber; dead and wrong endpoints are a closed port and a fake server
on 127.0.0.1 (``tests/fake_sfn.py``); the interruption test stops the batch at a chosen point with
events, never with sleeps.
"""

from __future__ import annotations

import inspect
import json
import os
import socket
import stat
import threading
from concurrent.futures import wait
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from tests.fake_sfn import execution_arn, fake_step_functions
from workbench.history.fetch import (
    MAX_PAGES,
    EndpointError,
    FetchInterrupted,
    HistoryCache,
    PaginationError,
    fetch_histories,
    fetch_history,
    list_executions,
    stepfunctions_client,
)
from workbench.history.fetch import histories as fetch_module
from workbench.history.fetch.pool import DaemonPool
from workbench.history.load import load_history

ARN = "arn:aws:states:us-east-1:123456789012:execution:Mission:run-1"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:Mission"
HISTORY = {"executionArn": ARN, "maxResults": 1000, "includeExecutionData": True}


def offline_client() -> Any:
    return boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(inject_host_prefix=False))


def local_client(url: str) -> Any:
    return stepfunctions_client(url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
                                max_attempts=1)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def finished_payload(arn: str) -> dict[str, Any]:
    events = [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1.7e9},
              {"id": 2, "previousEventId": 1, "type": "ExecutionSucceeded", "timestamp": 1.7e9 + 1}]
    return {"executionArn": arn, "status": "SUCCEEDED", "includeExecutionData": True, "events": events}


def test_a_next_token_that_comes_back_is_refused_naming_the_execution_and_token(tmp_path: Path) -> None:
    client = offline_client()
    with Stubber(client) as stub:
        stub.add_response("get_execution_history", {"events": [], "nextToken": "t-1"}, HISTORY)
        stub.add_response("get_execution_history", {"events": [], "nextToken": "t-2"}, {**HISTORY, "nextToken": "t-1"})
        stub.add_response("get_execution_history", {"events": [], "nextToken": "t-1"}, {**HISTORY, "nextToken": "t-2"})
        with pytest.raises(PaginationError, match=r"history of .*run-1: GetExecutionHistory returned nextToken 't-1'"):
            fetch_history(client, ARN, cache=HistoryCache(tmp_path))
        stub.assert_no_pending_responses()  # and no fourth call was made
    assert not list(tmp_path.rglob("*.json"))


def test_listing_executions_refuses_a_repeated_token() -> None:
    client = offline_client()
    params = {"stateMachineArn": MACHINE, "maxResults": 1000}
    with Stubber(client) as stub:
        stub.add_response("list_executions", {"executions": [], "nextToken": "same"}, params)
        stub.add_response("list_executions", {"executions": [], "nextToken": "same"}, {**params, "nextToken": "same"})
        with pytest.raises(PaginationError, match=r"executions of .*Mission: ListExecutions returned nextToken"):
            list_executions(client, MACHINE)


def test_paging_stops_after_max_pages_with_a_clear_error() -> None:
    client = offline_client()
    with Stubber(client) as stub:
        for n in range(3):
            stub.add_response("get_execution_history", {"events": [], "nextToken": f"t-{n + 1}"},
                              {**HISTORY, **({"nextToken": f"t-{n}"} if n else {})})
        with pytest.raises(PaginationError, match=r"stopped after 3 pages .* raise --max-pages"):
            fetch_history(client, ARN, cache=False, max_pages=3)
        stub.assert_no_pending_responses()
    assert MAX_PAGES == 10_000
    for function in (fetch_history, fetch_histories, list_executions):
        assert inspect.signature(function).parameters["max_pages"].default == MAX_PAGES


def test_a_closed_port_stops_the_whole_batch_with_one_sentence(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    client = local_client(url)
    arns = [ARN.replace("run-1", f"run-{n}") for n in range(20)]
    with pytest.raises(EndpointError) as info:
        fetch_histories(client, arns, cache=HistoryCache(tmp_path), progress=False, max_workers=2)
    assert str(info.value).startswith(f"cannot reach {url}: connection refused; is the engine running")
    with pytest.raises(EndpointError, match="connection refused"):
        list_executions(client, MACHINE)


@pytest.mark.parametrize("listing", [False, True])
def test_an_endpoint_answering_html_is_named_as_the_wrong_endpoint(listing: bool) -> None:
    with fake_step_functions("html") as fake:
        client = local_client(fake.url)
        with pytest.raises(EndpointError, match=r"answered \w+ with text/html \(HTTP 200\), not Step Functions JSON"):
            if listing:
                list_executions(client, MACHINE)
            else:
                fetch_history(client, execution_arn("run-1"), cache=False)


def test_cache_entries_are_0600_in_0700_folders_and_old_ones_are_tightened(tmp_path: Path) -> None:
    old_umask = os.umask(0)  # the modes must not depend on the user's umask
    try:
        cache = HistoryCache(tmp_path / "new" / "histories")
        path = cache.put(finished_payload(ARN))
    finally:
        os.umask(old_umask)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700 and mode(cache.root) == 0o700
    assert mode(cache.root.parent) == 0o700  # created by us as well
    path.chmod(0o644)  # written by an older version
    assert cache.get(ARN) is not None and mode(path) == 0o600


def test_the_default_cache_folder_is_tightened_but_a_given_folder_is_not(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "wb"))
    default = tmp_path / "wb" / "histories"
    default.mkdir(parents=True, mode=0o755)
    default.chmod(0o755)
    HistoryCache().put(finished_payload(ARN))
    assert mode(default) == 0o700
    mine = tmp_path / "mine"
    mine.mkdir()
    mine.chmod(0o755)
    HistoryCache(mine).put(finished_payload(ARN))
    assert mode(mine) == 0o755  # the user's folder keeps its mode; the entries inside are private
    assert all(mode(p) == 0o600 for p in mine.rglob("*.json")) and all(mode(p) == 0o700 for p in mine.iterdir())


def test_ctrl_c_cancels_pending_fetches_and_keeps_the_finished_ones(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [ARN.replace("run-1", f"fast-{n}") for n in range(3)]
    slow = [ARN.replace("run-1", f"slow-{n}") for n in range(6)]
    gate = threading.Event()
    cache = HistoryCache(tmp_path)

    def fake_fetch(client: Any, arn: str, *, cache: HistoryCache, **_: Any) -> Any:
        if "slow" in arn:
            gate.wait(30)
        payload = finished_payload(arn)
        cache.put(payload)
        return load_history(payload, execution_arn=arn)

    def interrupt_after_the_fast_ones(futures: list[Any], on_done: Any, poll: float = 0.2) -> None:
        wait(futures[:3])  # the three fast ones (two workers: the slow ones queue behind them)
        for future in futures[:3]:
            on_done(future)
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch_module, "fetch_history", fake_fetch)
    monkeypatch.setattr(fetch_module, "each_done", interrupt_after_the_fast_ones)
    try:
        with pytest.raises(FetchInterrupted) as info:
            fetch_histories(offline_client(), [*fast, *slow], cache=cache, progress=False, max_workers=2)
    finally:
        gate.set()
    assert (info.value.kept, info.value.total, info.value.cache) == (3, 9, tmp_path)
    assert [h.execution_arn for h in info.value.histories] == fast
    assert str(info.value).startswith(f"interrupted: kept 3 of 9 executions in {tmp_path}")
    assert isinstance(info.value, KeyboardInterrupt)


def test_the_daemon_pool_cancels_what_has_not_started() -> None:
    started, gate = threading.Event(), threading.Event()

    def blocker() -> bool:
        started.set()
        return gate.wait(30)

    pool = DaemonPool(1)
    first = pool.submit(blocker)
    rest = [pool.submit(json.dumps, n) for n in range(5)]
    started.wait(30)
    pool.shutdown(cancel_futures=True)
    gate.set()
    assert first.result(timeout=30) is True
    assert all(f.cancelled() for f in rest)
