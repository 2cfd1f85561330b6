"""Stop in every phase, and a status that is DescribeExecution's: real embedded engine, real deploys held open.

A deploy is held where it really waits, in its network call: a botocore ``before-send`` hook on the
engine's client (the one every embedded target uses) holds CreateStateMachine until the test lets it go,
and a local TCP server that accepts and never answers holds an endpoint launch. Stop must answer at once,
start nothing, and ignore the late answer.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from workbench.engine.connect.targets import Target
from workbench.engine.embedded import shared_engine
from workbench.widgets import Launcher
from workbench.widgets.launcher.status import STATUS_COLOUR

from . import held_tool
from .test_launcher import node_statuses, text
from .widget_support import TRIAGE

pytestmark = pytest.mark.timeout(240)


def renamed_triage(folder: Path) -> tuple[Path, str]:
    """A copy of the triage Mission under a fresh name, so its state machine is created (not updated) here."""
    data = yaml.safe_load(TRIAGE.read_text())
    data["mission"] = name = f"triage_stop_{uuid.uuid4().hex[:8]}"
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path, name


@contextmanager
def held_create_state_machine() -> Iterator[tuple[threading.Event, threading.Event]]:
    """Hold each CreateStateMachine sent to the embedded engine until ``release``; ``entered`` says one is held."""
    entered, release = threading.Event(), threading.Event()
    events = shared_engine(time_warp=True).client().meta.events

    def hold(**_kwargs: Any) -> None:
        entered.set()
        release.wait(60)

    events.register("before-send.states.CreateStateMachine", hold, unique_id="test-hold-create")
    try:
        yield entered, release
    finally:
        release.set()
        events.unregister("before-send.states.CreateStateMachine", unique_id="test-hold-create")


@contextmanager
def silent_endpoint() -> Iterator[tuple[str, threading.Event]]:
    """A local TCP server that accepts connections and never answers; yields its URL and an 'accepted' event."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = threading.Event()
    held: list[socket.socket] = []
    closing = threading.Event()

    def serve() -> None:
        while not closing.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            accepted.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    finally:
        closing.set()
        server.close()
        for conn in held:
            conn.close()
        thread.join(10)


def every_state_machine(target: Target) -> list[dict[str, Any]]:
    """Every page of ListStateMachines (the suite's shared engine holds more than one page)."""
    machines: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    while True:
        page = target.call("list_state_machines", **params)
        machines += page["stateMachines"]
        if not page.get("nextToken"):
            return machines
        params = {"nextToken": page["nextToken"]}


def test_stop_while_deploying_starts_no_execution_even_when_the_deploy_finishes_late(tmp_path: Path) -> None:
    mission, name = renamed_triage(tmp_path)
    launcher = Launcher(mission)
    with held_create_state_machine() as (entered, release):
        launcher.launch_button.click()
        assert entered.wait(60), "the deploy never reached CreateStateMachine"
        assert launcher.running and launcher.status == "deploying"
        launcher.stop()  # answered at once, while the deploy is still held in its network call
        assert not launcher.running and launcher.status == "stopped"
        assert launcher.status_text == "stopped before start: no execution"
        assert not launcher.launch_button.disabled and launcher.stop_button.disabled
        worker = launcher.worker
        assert worker is not None and worker.is_alive()  # the deploy is abandoned, not finished
        release.set()
        worker.join(60)
    assert not worker.is_alive()
    target = Target.parse("embedded", time_warp=True)
    machines = [m["stateMachineArn"] for m in every_state_machine(target) if m["name"] == name]
    assert len(machines) == 1  # the late deploy did create the state machine...
    assert target.call("list_executions", stateMachineArn=machines[0])["executions"] == []  # ...and nothing ran on it
    assert launcher.status_text == "stopped before start: no execution"  # the late answer changed nothing
    assert launcher.execution is None and launcher.error_text is None and launcher.result.value == ""


def test_stop_while_an_endpoint_does_not_answer_is_immediate_and_its_late_error_is_dropped() -> None:
    with silent_endpoint() as (url, accepted):
        launcher = Launcher(TRIAGE, target=url)
        launcher.launch_button.click()
        assert accepted.wait(60), "the launch never connected to the endpoint"
        launcher.stop()
        assert not launcher.running and launcher.status_text == "stopped before start: no execution"
        worker = launcher.worker
        assert worker is not None and worker.is_alive()
    worker.join(60)  # the endpoint went away: the abandoned launch fails, and says nothing
    assert not worker.is_alive()
    assert launcher.status == "stopped" and launcher.error_text is None and launcher.execution is None
    assert "failed" not in text(launcher.status_line) and launcher.result.value == ""


def test_status_is_aborted_as_soon_as_describe_execution_says_so_in_its_own_colour(tmp_path: Path) -> None:
    with held_tool.triage_with_held_fetch(tmp_path) as mission:  # a first step that runs until let go
        launcher = Launcher(mission)
        launcher.time_warp.value = False
        execution = launcher.launch()
        assert execution is not None and held_tool.STARTED.wait(60), "fetch_alert never started"
        launcher.stop()
        # fetch_alert is still held: the end comes from DescribeExecution, not from the tool returning
        assert launcher.wait_done(60) == "ABORTED"
        assert held_tool.STARTED.is_set() and not held_tool.RELEASE.is_set()
    assert execution.describe()["status"] == "ABORTED"
    assert launcher.status_text.startswith("ABORTED ·") and "RUNNING" not in launcher.status_text
    assert "data-status='ABORTED'" in launcher.status_line.value
    assert STATUS_COLOUR["ABORTED"] in launcher.status_line.value
    assert STATUS_COLOUR["ABORTED"] != STATUS_COLOUR["FAILED"]  # stopped is not failed
    drawn = node_statuses(launcher.graph.svg)
    assert drawn["fetch_alert"] == "aborted" and "failed" not in drawn.values()
    assert launcher.graph.data["execution"]["status"] == "ABORTED"  # the inspector says the same


def test_messages_of_the_last_run_are_cleared_when_a_new_run_starts(tmp_path: Path) -> None:
    with held_tool.triage_with_held_fetch(tmp_path) as mission:
        launcher = Launcher(mission)
        held_tool.RELEASE.set()  # the first run does not wait
        launcher.faults.value = "summarize_incident: {fail_rate: 1.0, error: Lambda.ServiceException}"
        first = launcher.launch()
        assert first is not None and launcher.wait_done(120) == "FAILED"
        assert "Lambda.ServiceException" in text(launcher.result)
        assert launcher.open_explorer() is not None and launcher.explorer_box.children
        assert launcher.redrive_button.layout.display != "none"
        held_tool.RELEASE.clear()
        held_tool.STARTED.clear()
        launcher.faults.value = ""
        second = launcher.launch()
        assert second is not None and held_tool.STARTED.wait(60)
        # the second run is held in its first step: nothing of the first run is on screen any more
        assert launcher.running and launcher.result.value == "" and launcher.explorer_box.children == ()
        assert launcher.explorer is None and launcher.error_text is None
        assert launcher.redrive_button.layout.display == "none"
        assert "FAILED" not in launcher.status_text and "Lambda.ServiceException" not in text(launcher.status_line)
        held_tool.RELEASE.set()
        assert launcher.wait_done(120) == "SUCCEEDED"
    assert launcher.graph.data["execution"]["arn"] == second.arn != first.arn
