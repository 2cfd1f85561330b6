"""Benchmark: the run layer's overhead over bare boto3 on the same embedded engine.

The same Map-over-N-items state machine (one tool call per item) runs

  (a) bare       bare boto3 calls on the engine's endpoint: create_state_machine, start_execution,
                 poll describe_execution, get_execution_history following nextToken;
  (b) workbench  deploy(), launch(), Execution.wait(progress=False), Execution.history(), with the
                 tool bound through bind_tools (fault wrapper on, no faults declared);
  (c) wb + bar   the same with wait()'s live progress bar, which follows the history while it grows.

Both poll at the same 0.05 s cadence (coarser polls make the finish time jumpy), alternate run by
run, and report medians. Target: (b) within 10% of (a).

Run: ``.venv/bin/python bench/engine.py [--items 100] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from workbench.engine.connect.targets import LOCAL_ROLE_ARN, EmbeddedTarget
from workbench.engine.deploy.state_machines import deploy
from workbench.engine.embedded import EmbeddedEngine, shared_engine
from workbench.engine.run.launch import launch
from workbench.engine.tools.bindings import ToolBinding, bind_tools

POLL_SECONDS = 0.05


def score(event: dict[str, Any]) -> dict[str, Any]:
    """The per-item tool: a little real work, like a small Lambda."""
    return {"item": event["item"], "score": sum(ord(c) for c in json.dumps(event)) % 97}


def definition(function: str) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"item.$": "$$.Map.Item.Value"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Score",
                    "States": {
                        "Score": {
                            "Type": "Task",
                            "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{function}",
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }


def run_bare(engine: EmbeddedEngine, items: int) -> tuple[float, int]:
    function = f"score-{uuid.uuid4().hex[:8]}"
    engine.register_tool(function, lambda event, context: score(event))
    sfn = engine.client()
    start = time.perf_counter()
    created = sfn.create_state_machine(name=f"bench-bare-{uuid.uuid4().hex[:8]}",
                                       definition=json.dumps(definition(function)), roleArn=LOCAL_ROLE_ARN)
    arn = sfn.start_execution(stateMachineArn=created["stateMachineArn"], name=f"run-{uuid.uuid4().hex[:8]}",
                              input=json.dumps({"items": list(range(items))}))["executionArn"]
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
        time.sleep(POLL_SECONDS)
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events += page["events"]
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    elapsed = time.perf_counter() - start
    engine.unregister_tool(function)
    return elapsed, len(events)


def run_workbench(target: EmbeddedTarget, items: int, progress: bool = False) -> tuple[float, int]:
    function = f"score-{uuid.uuid4().hex[:8]}"
    tools = [ToolBinding(name="score", lambda_function=function)]
    with bind_tools(target.engine, tools, functions={"score": score}):
        start = time.perf_counter()
        deployment = deploy(target, f"bench-wb-{uuid.uuid4().hex[:8]}", definition(function))
        with contextlib.redirect_stderr(io.StringIO()):  # the bar's drawing is not what we measure
            run = launch(target, deployment, {"items": list(range(items))})
            run.wait(progress=progress, poll_interval=POLL_SECONDS)
        events = run.history()
        elapsed = time.perf_counter() - start
    assert run.status == "SUCCEEDED", run.error
    return elapsed, len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    engine = shared_engine()
    target = EmbeddedTarget(engine)
    cases: dict[str, Callable[[], tuple[float, int]]] = {
        "bare boto3": lambda: run_bare(engine, args.items),
        "workbench": lambda: run_workbench(target, args.items),
        "wb + bar": lambda: run_workbench(target, args.items, progress=True),
    }
    for case in cases.values():  # warm-up: imports, first client, first Map
        case()
    times: dict[str, list[float]] = {name: [] for name in cases}
    events: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, case in cases.items():
            elapsed, count = case()
            times[name].append(elapsed)
            events[name] = count

    base = statistics.median(times["bare boto3"])
    print(f"Map over {args.items} items, one tool call each; median of {args.repeat} runs, poll {POLL_SECONDS} s")
    print(f"{'case':<12} {'median s':>9} {'min s':>7} {'max s':>7} {'events':>7} {'ratio':>6}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<12} {median:>9.3f} {min(values):>7.3f} {max(values):>7.3f} {events[name]:>7} "
              f"{median / base:>6.2f}")
    for name in ("workbench", "wb + bar"):
        print(f"{name} overhead: {statistics.median(times[name]) / base - 1:+.1%} (target < 10%)")


if __name__ == "__main__":
    main()
