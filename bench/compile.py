"""Benchmark: Mission → ASL (validate + checks + compile, lint, json.dumps) against the AWS Step Functions
Data Science SDK (``stepfunctions-asl``) building and serialising the same workflow.

Workflows are generated from one repeating block with every kind of step (a Lambda task with Retry and
Catch, a Pass, a Choice that skips ahead, a Wait, a Parallel of two branches and a Map), so the Mission
and the SDK chain describe the same states. The SDK is JSONPath-only, so both sides use JSONPath. Run:

    .venv/bin/python bench/compile.py [--sizes 1000 10000] [--repeat 3]

The SDK walks a chain recursively, one Python frame per state, so at 10,000 steps it raises
``RecursionError``; the table shows that instead of a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from workbench.asl.compiler import compile_mission, dumps_asl
from workbench.mission import Mission

try:
    from workbench.asl.lint import lint as _lint
except ImportError:  # the linter is optional for this benchmark
    _lint = None

LAMBDA_ARN = "arn:aws:states:::lambda:invoke"
PYTHON_DEFAULT_RECURSION_LIMIT = 1000
RAISED_RECURSION_LIMIT = 20_000
STEPS_PER_BLOCK = 11  # 6 at the top + 3 in the parallel + 2 in the map


def mission_data(steps: int) -> dict[str, Any]:
    """A JSONPath Mission of about ``steps`` steps (nested ones included), as its file data."""
    out: list[dict[str, Any]] = []
    for b in range(max(1, steps // STEPS_PER_BLOCK)):
        out += [
            {"id": f"task_{b}", "tool": "work", "args": {"block": b, "id.$": "$.id"}, "save_as": f"r{b}",
             "retry": [{"errors": ["Lambda.TooManyRequestsException"], "interval": 2, "max_attempts": 3}],
             "catch": [{"errors": ["States.ALL"], "goto": "handler", "result_path": "$.error"}]},
            {"id": f"pass_{b}", "pass": {"block": b}, "save_as": f"p{b}"},
            {"id": f"choice_{b}", "choose": [{"when": {"Variable": "$.n", "NumericGreaterThan": b},
                                              "goto": f"parallel_{b}"}], "otherwise": f"wait_{b}"},
            {"id": f"wait_{b}", "wait": 1},
            {"id": f"parallel_{b}", "parallel": {
                "left": [{"id": f"ptask_{b}", "tool": "work"}, {"id": f"ppass_{b}", "pass": None}],
                "right": [{"id": f"pwait_{b}", "wait": 1}]}, "save_as": f"par{b}"},
            {"id": f"map_{b}", "map": {"items": "$.items", "max_concurrency": 4, "steps": [
                {"id": f"mpass_{b}", "pass": {"seen": True}}, {"id": f"mtask_{b}", "tool": "work"}]},
             "save_as": f"m{b}"},
        ]
    out += [{"id": "done", "succeed": True}, {"id": "handler", "fail": {"error": "Failed", "cause": "$.error"}}]
    return {"mission": "bench", "query_language": "JSONPath", "tools": {"work": {"lambda": "work-fn"}},
            "steps": out}


def ours(data: dict[str, Any]) -> dict[str, float]:
    """Seconds for each stage of our pipeline on one Mission."""
    t0 = time.perf_counter()
    mission = Mission.model_validate(data)
    t1 = time.perf_counter()
    definition = compile_mission(mission)  # includes the Mission checks
    t2 = time.perf_counter()
    problems = _lint(definition) if _lint is not None else []
    t3 = time.perf_counter()
    text = dumps_asl(definition)
    t4 = time.perf_counter()
    # 10,000 steps make a definition over the 1 MiB Step Functions limit: the linter rightly says so (ASL400)
    assert not [d for d in problems if d.is_error and not d.code.startswith("ASL40")], problems[:3]
    assert json.loads(text)["StartAt"] == "task_0"
    return {"validate": t1 - t0, "compile": t2 - t1, "lint": t3 - t2, "dumps": t4 - t3}


def sdk(data: dict[str, Any]) -> float:
    """Seconds for the Data Science SDK to build and serialise the same workflow (raises what it raises)."""
    from stepfunctions.steps import (
        Catch,
        Chain,
        Choice,
        ChoiceRule,
        Fail,
        Graph,
        Map,
        Parallel,
        Pass,
        Retry,
        Succeed,
        Task,
        Wait,
    )

    def task(name: str, params: dict[str, Any] | None = None) -> Task:
        return Task(name, resource=LAMBDA_ARN, parameters={"FunctionName": "work-fn", "Payload": params or {}})

    t0 = time.perf_counter()
    handler = Fail("handler", error="Failed", cause="error")
    top: list[Any] = []
    blocks = (len(data["steps"]) - 2) // 6
    for b in range(blocks):
        first = task(f"task_{b}", {"block": b})
        first.add_retry(Retry(error_equals=["Lambda.TooManyRequestsException"], interval_seconds=2,
                              max_attempts=3, backoff_rate=2.0))
        first.add_catch(Catch(error_equals=["States.ALL"], next_step=handler, result_path="$.error"))
        passing = Pass(f"pass_{b}", result={"block": b}, result_path=f"$.p{b}")
        parallel = Parallel(f"parallel_{b}", result_path=f"$.par{b}")
        parallel.add_branch(Chain([task(f"ptask_{b}"), Pass(f"ppass_{b}")]))
        parallel.add_branch(Wait(f"pwait_{b}", seconds=1))
        mapping = Map(f"map_{b}", items_path="$.items", max_concurrency=4, result_path=f"$.m{b}")
        mapping.attach_iterator(Chain([Pass(f"mpass_{b}", result={"seen": True}), task(f"mtask_{b}")]))
        wait = Wait(f"wait_{b}", seconds=1)
        choice = Choice(f"choice_{b}")
        choice.add_choice(ChoiceRule.NumericGreaterThan(variable="$.n", value=b), next_step=parallel)
        choice.default_choice(wait)
        first.next(passing)
        passing.next(choice)
        wait.next(parallel)
        parallel.next(mapping)
        if top:
            top[-1].next(first)
        top += [first, mapping]
    top[-1].next(Succeed("done"))
    text = Graph(top[0]).to_json()
    t1 = time.perf_counter()
    assert json.loads(text)["StartAt"] == "task_0"
    return t1 - t0


def best(repeat: int, fn: Callable[[], Any]) -> Any:
    """The fastest of ``repeat`` runs (each run returns seconds or a dict of seconds)."""
    results = [fn() for _ in range(repeat)]
    if isinstance(results[0], dict):
        return min(results, key=lambda r: sum(r.values()))
    return min(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    lint_note = "" if _lint is not None else " (lint: workbench.asl.lint.lint not available, not timed)"
    print(f"Mission → ASL vs Step Functions Data Science SDK; best of {args.repeat}{lint_note}")
    header = (f"{'steps':>7} {'validate':>9} {'compile':>9} {'lint':>8} {'dumps':>8} {'ours':>8} "
              f"{'ours-no-lint':>12} {'SDK':>9} {'SDK/ours':>9}")
    print(header)
    print("-" * len(header))
    notes: list[str] = []
    for size in args.sizes:
        data = mission_data(size)
        count = sum(1 for _ in Mission.model_validate(data).walk())
        stages = best(args.repeat, lambda data=data: ours(data))
        total = sum(stages.values())
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(PYTHON_DEFAULT_RECURSION_LIMIT)
        try:
            sdk_time = best(args.repeat, lambda data=data: sdk(data))
            sdk_cell, ratio = f"{sdk_time:9.3f}", f"{sdk_time / total:8.1f}x"
        except RecursionError:
            sdk_cell, ratio = f"{'Recursion':>9}", f"{'Error':>9}"
            sys.setrecursionlimit(RAISED_RECURSION_LIMIT)
            try:
                raised = best(args.repeat, lambda data=data: sdk(data))
                notes.append(f"{count} steps: with the recursion limit raised to {RAISED_RECURSION_LIMIT:,} the "
                             f"SDK takes {raised:.3f} s ({raised / total:.1f}x ours)")
            except RecursionError:
                notes.append(f"{count} steps: the SDK fails even with a recursion limit of "
                             f"{RAISED_RECURSION_LIMIT:,}")
        finally:
            sys.setrecursionlimit(limit)
        print(f"{count:>7} {stages['validate']:9.3f} {stages['compile']:9.3f} {stages['lint']:8.3f} "
              f"{stages['dumps']:8.3f} {total:8.3f} {total - stages['lint']:12.3f} {sdk_cell} {ratio}")
    print("(seconds; 'ours' = validate + checks/compile + lint + json.dumps; the SDK runs under Python's "
          f"default recursion limit of {PYTHON_DEFAULT_RECURSION_LIMIT}: importing jsonata-python raises the "
          "process-wide limit to 10,000, which a plain SDK user does not have)")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
