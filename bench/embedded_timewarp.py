"""Benchmark: what time warp saves on the embedded engine.

One state machine: a Wait of W seconds, then a tool that fails twice (Retry IntervalSeconds I, BackoffRate 2),
then succeeds; simulated duration W + I + 2I. Rows:

  (a) real, small   W=2, I=1 on the plain engine: the real-time baseline (about 5 s of sleeping);
  (b) warped, small the same machine on the time-warped engine;
  (c) warped, hour  W=3600, I=300 (an hour of waiting, 15 minutes of back-off) on the warped engine.

Timeouts on the virtual clock (warped engine, other machines; see ``virtual_timeouts.py``):

  (d) task timeout 1 h   a Task with TimeoutSeconds 3600 whose tool sleeps 2 h (virtual ``sleep``): TaskTimedOut;
  (e) wait 24 h          a Wait of 86400 s;
  (f) token timeout 1 h  an unanswered ``.waitForTaskToken`` Task with TimeoutSeconds 3600 (includes the
                         real-time grace the outside world gets to answer, ``OUTSIDE_GRACE_SECONDS``, 2 s).

The table gives wall time, the simulated span read from the history, and the speed-up against (a)
(for (d)-(f): against sleeping the simulated span for real).

Run: ``.venv/bin/python bench/embedded_timewarp.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from typing import Any

from workbench.engine.embedded import EmbeddedEngine, shared_engine
from workbench.engine.embedded.interpreter.virtual_timeouts import sleep as virtual_sleep

ROLE = "arn:aws:iam::123456789012:role/bench"


def definition(function: str, wait: int, interval: int) -> dict[str, Any]:
    retry = [{"ErrorEquals": ["ValueError"], "IntervalSeconds": interval, "BackoffRate": 2.0, "MaxAttempts": 3}]
    return {"StartAt": "Hold", "States": {
        "Hold": {"Type": "Wait", "Seconds": wait, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": function, "Payload.$": "$"}, "Retry": retry, "End": True}}}


def flaky(event: Any, context: Any) -> str:
    if context.attempt < 3:
        raise ValueError("not yet")
    return "ok"


def hangs(event: Any, context: Any) -> str:
    virtual_sleep(7200)  # two hours on the virtual clock: longer than the Task's TimeoutSeconds
    return "too late"


def timeout_definition(function: str, queue: str) -> dict[str, Any]:
    return {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 3600,
        "Parameters": {"FunctionName": function, "Payload.$": "$"}, "End": True}}}


def wait_definition(function: str, queue: str) -> dict[str, Any]:
    return {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 86400, "End": True}}}


def token_definition(function: str, queue: str) -> dict[str, Any]:
    return {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "TimeoutSeconds": 3600,
        "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}}}


def once(engine: EmbeddedEngine, wait: int, interval: int) -> tuple[float, float]:
    """(wall seconds, simulated seconds) of one execution of the Wait + flaky-tool machine."""
    return measure(engine, lambda function, queue: definition(function, wait, interval), flaky)


def measure(engine: EmbeddedEngine, build: Any, tool: Any) -> tuple[float, float]:
    """(wall seconds, simulated seconds) of one execution of ``build(function, queue)``."""
    sfn = engine.client()
    name = f"bench-{uuid.uuid4().hex[:8]}"
    engine.register_tool(name, tool)
    queue = engine.client("sqs").create_queue(QueueName=name)["QueueUrl"]
    machine = sfn.create_state_machine(name=name, roleArn=ROLE, definition=json.dumps(
        build(name, queue)))["stateMachineArn"]
    started = time.perf_counter()
    arn = sfn.start_execution(stateMachineArn=machine, name=name, input="{}")["executionArn"]
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
        time.sleep(0.005)
    wall = time.perf_counter() - started
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    simulated = (events[-1]["timestamp"] - events[0]["timestamp"]).total_seconds()
    sfn.delete_state_machine(stateMachineArn=machine)
    engine.client("sqs").delete_queue(QueueUrl=queue)
    engine.unregister_tool(name)
    return wall, simulated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    plain, warped = shared_engine(time_warp=False), shared_engine(time_warp=True)
    rows = [("(a) real, small", plain, 2, 1), ("(b) warped, small", warped, 2, 1),
            ("(c) warped, hour", warped, 3600, 300)]
    results = []
    for label, engine, wait, interval in rows:
        runs = [once(engine, wait, interval) for _ in range(args.repeat)]
        results.append((label, statistics.median(w for w, _ in runs), statistics.median(s for _, s in runs)))
    baseline = results[0][1]
    print(f"{'variant':<22}{'wall s (median)':>17}{'simulated s':>14}{'speed-up':>12}")
    for label, wall, simulated in results:
        print(f"{label:<22}{wall:>17.3f}{simulated:>14.0f}{baseline / wall:>11.1f}x")
    timeouts = [("(d) task timeout 1 h", timeout_definition, hangs), ("(e) wait 24 h", wait_definition, flaky),
                ("(f) token timeout 1 h", token_definition, flaky)]
    for label, build, tool in timeouts:
        runs = [measure(warped, build, tool) for _ in range(args.repeat)]
        wall, simulated = statistics.median(w for w, _ in runs), statistics.median(s for _, s in runs)
        print(f"{label:<22}{wall:>17.3f}{simulated:>14.0f}{simulated / wall:>11.0f}x")


if __name__ == "__main__":
    main()
