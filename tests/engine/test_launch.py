"""Launch and the Execution handle: naming, duplicates, input limits, wait/progress, stop, watch."""

from __future__ import annotations

import re
import time
import types

import pytest

from tests.engine.run_support import FAILING, PASS_WAIT_CHOICE, SLOW, unique
from workbench.engine.connect.targets import Target
from workbench.engine.deploy.state_machines import Deployment, deploy
from workbench.engine.errors import (
    ExecutionInputError,
    ExecutionNameConflictError,
    StateMachineNotFoundError,
    WaitInterrupted,
    WaitTimeoutError,
)
from workbench.engine.run.launch import MAX_INPUT_BYTES, encode_input, execution_name, launch
from workbench.engine.run.watch import TERMINAL_EVENTS, watch


@pytest.fixture(scope="module")
def target() -> Target:
    return Target.parse("embedded")


@pytest.fixture(scope="module")
def quick(target: Target) -> Deployment:
    return deploy(target, unique("quick"), PASS_WAIT_CHOICE)


@pytest.fixture(scope="module")
def slow(target: Target) -> Deployment:
    return deploy(target, unique("slow"), SLOW)


def test_generated_names_are_unique_and_valid(target: Target, quick: Deployment) -> None:
    first, second = launch(target, quick, {"n": 1}), launch(target, quick, {"n": 1})
    pattern = re.compile(rf"^{re.escape(quick.name)}-\d{{8}}T\d{{6}}Z-[0-9a-f]{{6}}$")
    assert pattern.match(first.name) and pattern.match(second.name)
    assert first.arn != second.arn and not first.arn.endswith(":None")
    assert first.arn.endswith(f":execution:{quick.name}:{first.name}")
    assert len(execution_name("x" * 200)) <= 80
    assert execution_name("My Mission!").startswith("My-Mission-")


def test_invalid_explicit_name_is_refused(target: Target, quick: Deployment) -> None:
    with pytest.raises(ExecutionInputError, match="'bad name' is invalid"):
        launch(target, quick, {}, name="bad name")


def test_repeated_name_reports_the_existing_execution(target: Target, quick: Deployment) -> None:
    name = unique("dup")
    first = launch(target, quick, {"n": 3}, name=name).wait(progress=False)
    again = launch(target, quick, {"n": 3}, name=name)
    assert again.reused and again.arn == first.arn and again.status == "SUCCEEDED"
    assert again.output == first.output
    with pytest.raises(ExecutionNameConflictError, match=f"'{name}' already exists.*different input"):
        launch(target, quick, {"n": 4}, name=name)


def test_input_limits_are_checked_before_sending(target: Target, quick: Deployment) -> None:
    too_big = {"blob": "x" * MAX_INPUT_BYTES}
    with pytest.raises(ExecutionInputError) as info:
        launch(target, quick, too_big)
    assert re.search(r"is 262,1\d\d bytes \(256\.0 KiB\).*at most 262,144 bytes", str(info.value))
    at_limit = "x" * (MAX_INPUT_BYTES - len('{"blob": ""}'))
    assert len(encode_input({"blob": at_limit}).encode()) == MAX_INPUT_BYTES
    with pytest.raises(ExecutionInputError, match="not valid JSON"):
        encode_input("hello")
    with pytest.raises(ExecutionInputError, match="cannot be sent as JSON"):
        encode_input({"when": object()})
    assert encode_input('{"a": 1}') == '{"a": 1}' and encode_input(None) == "{}"


def test_wait_shows_progress_and_reads_output_from_history(
    target: Target, quick: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    run = launch(target, quick, {"n": 20}).wait(timeout=30)
    assert run.status == "SUCCEEDED" and run.done
    assert run.output == {"n": 20, "greeting": "hello", "size": "big"}
    assert run.error is None and run.cause is None
    bar = capsys.readouterr().err
    assert "4 states" in bar and "SUCCEEDED" in bar
    assert "SUCCEEDED" in repr(run) and "SUCCEEDED" in run._repr_html_()


def test_failed_execution_exposes_error_and_cause(target: Target) -> None:
    deployment = deploy(target, unique("fail"), FAILING)
    run = launch(target, deployment).wait(progress=False)
    assert (run.status, run.error, run.cause, run.output) == ("FAILED", "Mission.Broken", "the plan says so", None)
    assert "Mission.Broken" in repr(run) and "the plan says so" in run._repr_html_()


def test_watch_yields_every_event_once_in_order(target: Target, quick: Deployment) -> None:
    run = launch(target, quick, {"n": 2})
    events = list(watch(run, poll_interval=0.05))
    ids = [e["id"] for e in events]
    assert ids == list(range(1, len(ids) + 1))
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] in TERMINAL_EVENTS
    assert ids == [e["id"] for e in run.history()]


def test_watch_backs_off_while_idle_and_times_out(target: Target, slow: Deployment) -> None:
    run = launch(target, slow)
    deadline = time.monotonic() + 60
    while "WaitStateEntered" not in {e["type"] for e in run.history()}:  # every event is there before watching,
        assert time.monotonic() < deadline, "the execution never reached its Wait state"  # so polls are idle
    now = [0.0]
    slept: list[float] = []

    def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    seen = []
    with pytest.raises(WaitTimeoutError, match="still running after 8 s"):
        for event in watch(run, poll_interval=0.2, max_interval=2.0, timeout=8, sleep=fake_sleep,
                           clock=lambda: now[0]):
            seen.append(event["type"])
    assert seen[0] == "ExecutionStarted" and "WaitStateEntered" in seen
    idle = slept[1:-1]
    assert idle == sorted(idle) and max(slept) == 2.0 and slept[1] > slept[0]
    assert run.status == "RUNNING"
    run.stop()


def test_wait_timeout_leaves_the_execution_running(target: Target, slow: Deployment) -> None:
    run = launch(target, slow)
    with pytest.raises(WaitTimeoutError, match=re.escape("execution.stop()")):
        run.wait(timeout=0.3, progress=False)
    assert run.status == "RUNNING"
    run.stop(error="Operator.Cancelled", cause="test over")
    assert run.wait(timeout=10, progress=False).status == "ABORTED"
    assert run.history()[-1]["type"] == "ExecutionAborted"
    assert run.stop().status == "ABORTED"  # stopping again is harmless


def test_interrupting_wait_keeps_the_execution_and_says_how_to_stop(target: Target, slow: Deployment,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C lands as a KeyboardInterrupt in the poll loop's sleep; here the sleep raises it itself, so the
    test does not depend on when a signal reaches the main thread (a real Ctrl-C in a real kernel is
    ``test_interrupting_a_notebook_wait_shows_only_the_message``)."""
    from workbench.engine.run import launch as launch_module

    run = launch(target, slow)
    naps: list[float] = []

    def ctrl_c_during_sleep(seconds: float) -> None:
        naps.append(seconds)
        raise KeyboardInterrupt

    monkeypatch.setattr(launch_module, "time", types.SimpleNamespace(monotonic=time.monotonic,
                                                                     sleep=ctrl_c_during_sleep))
    with pytest.raises(WaitInterrupted) as info:
        run.wait(progress=False)
    monkeypatch.undo()
    interrupted = info.value
    assert naps, "the interrupt must come from inside the poll loop"
    assert "still running" in str(interrupted) and "execution.stop()" in str(interrupted)
    assert interrupted.__cause__ is None and interrupted.__suppress_context__
    assert interrupted._render_traceback_() == [str(interrupted)]  # IPython shows just the message
    assert run.status == "RUNNING"
    run.stop()


def test_launch_by_arn_or_name(target: Target, quick: Deployment) -> None:
    by_arn = launch(target, quick.state_machine_arn, {"n": 1}).wait(progress=False)
    by_version = launch(target, str(quick.version_arn), {"n": 1}).wait(progress=False)
    by_name = launch(target, quick.name, {"n": 1}).wait(progress=False)
    assert by_arn.output == by_version.output == by_name.output
    with pytest.raises(StateMachineNotFoundError, match="No state machine named 'nope-nothing'"):
        launch(target, "nope-nothing")


@pytest.mark.slow
def test_interrupting_a_notebook_wait_shows_only_the_message() -> None:
    """In a real Jupyter kernel: the interrupt prints our message (no traceback) and the run goes on."""
    manager = pytest.importorskip("jupyter_client.manager")
    km, kc = manager.start_new_kernel(kernel_name="python3")
    try:
        setup = (
            "from workbench.engine.connect.targets import Target\n"
            "from workbench.engine.deploy.state_machines import deploy\n"
            "from workbench.engine.run.launch import launch\n"
            "t = Target.parse('embedded')\n"
            f"run = launch(t, deploy(t, {unique('kernel')!r}, {SLOW!r}))\n"
            # say 'waiting' from inside wait(): an interrupt sent after that line surely lands in the wait
            "_poll = run._poll\n"
            "def _announced(*args, **kwargs):\n"
            "    del run._poll  # once\n"
            "    print('waiting', flush=True)\n"
            "    return _poll(*args, **kwargs)\n"
            "run._poll = _announced\n"
            "run.wait(progress=False)\n"
        )
        msg_id = kc.execute(setup)
        errors, streams = [], []
        interrupted = False
        while True:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                streams.append(msg["content"]["text"])
                if "waiting" in msg["content"]["text"] and not interrupted:
                    km.interrupt_kernel()
                    interrupted = True
            elif msg["msg_type"] == "error":
                errors.append(msg["content"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        assert [e["ename"] for e in errors] == ["WaitInterrupted"]
        (line,) = errors[0]["traceback"]  # one line: no traceback dump
        assert "still running" in line and "execution.stop()" in line
        reply = kc.execute_interactive("print(run.status); print(run.stop().wait(progress=False).status)",
                                       timeout=60, output_hook=lambda m: streams.append(
                                           m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok"
        assert "RUNNING\nABORTED\n" in "".join(streams)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
