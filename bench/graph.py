"""Benchmark: state-machine graph extraction + layout + SVG vs ``json.dumps`` of the same definition.

Definitions are generated (seeded, so every run draws the same ones) with the shapes real
workflows have: Task chains with Retry/Catch to shared handlers, poll loops
(Wait → Task → Choice → back), Parallel branches and Map iterators. Run:

    .venv/bin/python bench/graph.py [--sizes 200 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from typing import Any

from workbench.asl.graph import graph_of
from workbench.viz.graph.layout.nested import layout_graph
from workbench.viz.graph.svg import render_layout

LAMBDA = "arn:aws:states:::lambda:invoke"


def _task(name: str, nxt: str | None, handler: str | None) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": LAMBDA, "Arguments": {"FunctionName": name}}
    state.update({"Next": nxt} if nxt else {"End": True})
    state["Retry"] = [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}]
    if handler:
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": handler}]
    return state


def _chain(prefix: str, count: int) -> dict[str, Any]:
    names = [f"{prefix}{i}" for i in range(count)]
    states = {n: _task(n, names[i + 1] if i + 1 < count else None, None) for i, n in enumerate(names)}
    return {"StartAt": names[0], "States": states}


def _block(rng: random.Random, b: int, handler: str) -> tuple[dict[str, Any], int]:
    """States of one block (entry state ``B<b>``), exits marked ``@NEXT``; returns (states, count)."""
    first = f"B{b}"
    kind = rng.choice(["chain", "chain", "poll", "parallel", "map", "choice"])
    if kind == "chain":
        length = rng.randint(2, 6)
        names = [first] + [f"B{b}_{i}" for i in range(1, length)]
        return {n: _task(n, names[i + 1] if i + 1 < length else "@NEXT", handler) for i, n in enumerate(names)}, length
    if kind == "poll":
        return {
            first: {"Type": "Wait", "Seconds": 5, "Next": f"B{b}_check"},
            f"B{b}_check": _task(f"B{b}_check", f"B{b}_done?", handler),
            f"B{b}_done?": {"Type": "Choice", "Default": first, "Choices": [
                {"Variable": "$.status", "StringEquals": "DONE", "Next": "@NEXT"},
                {"Variable": "$.status", "StringEquals": "FAILED", "Next": handler}]},
        }, 3
    if kind == "parallel":
        widths = [rng.randint(1, 4) for _ in range(rng.randint(2, 3))]
        return {first: {"Type": "Parallel", "Next": "@NEXT",
                        "Branches": [_chain(f"B{b}p{j}_", w) for j, w in enumerate(widths)],
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": handler}]}}, 1 + sum(widths)
    if kind == "map":
        inner = rng.randint(2, 4)
        processor = {"ProcessorConfig": {"Mode": "INLINE"}, **_chain(f"B{b}m_", inner)}
        return {first: {"Type": "Map", "Next": "@NEXT", "ItemsPath": "$.items", "ItemProcessor": processor}}, 1 + inner
    return {
        first: {"Type": "Choice", "Default": f"B{b}_small", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": rng.randint(1, 99), "Next": f"B{b}_big"}]},
        f"B{b}_big": {"Type": "Pass", "Next": "@NEXT"},
        f"B{b}_small": {"Type": "Pass", "Next": "@NEXT"},
    }, 3


def generate(n_states: int, seed: int = 7) -> dict[str, Any]:
    """A valid ASL definition with about ``n_states`` states (nested states included)."""
    rng = random.Random(seed)
    blocks: list[dict[str, Any]] = []
    handlers: dict[str, Any] = {}
    count = 1
    while count < n_states:
        b = len(blocks) + 1
        handler = f"Handle{(b - 1) // 12}"
        if handler not in handlers:
            handlers[handler] = {"Type": "Fail", "Error": "Handled", "Cause": handler}
            count += 1
        states, used = _block(rng, b, handler)
        blocks.append(states)
        count += used
    states_out: dict[str, Any] = {}
    for i, block in enumerate(blocks):
        nxt = f"B{i + 2}" if i + 1 < len(blocks) else "Done"
        states_out.update(json.loads(json.dumps(block).replace('"@NEXT"', json.dumps(nxt))))
    states_out.update(handlers)
    states_out["Done"] = {"Type": "Succeed"}
    return {"Comment": f"generated, about {n_states} states", "StartAt": "B1", "States": states_out}


def _best(fn: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs in ms (the least disturbed by other load on a shared machine)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    header = (f"{'states':>7} {'json.dumps ms':>14} {'graph_of ms':>12} {'layout ms':>10} {'svg ms':>8} "
              f"{'total ms':>9} {'total/json':>11} {'svg KiB':>8}")
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        definition = generate(size)
        graph = graph_of(definition)
        actual = sum(1 for _ in graph.states())
        lay = layout_graph(graph)
        svg = render_layout(lay)
        t_json = _best(lambda d=definition: json.dumps(d), args.repeat)
        t_graph = _best(lambda d=definition: graph_of(d), args.repeat)
        t_layout = _best(lambda g=graph: layout_graph(g), args.repeat)
        t_svg = _best(lambda la=lay: render_layout(la), args.repeat)
        total = t_graph + t_layout + t_svg
        print(f"{actual:>7} {t_json:>14.2f} {t_graph:>12.2f} {t_layout:>10.2f} {t_svg:>8.2f} {total:>9.2f} "
              f"{total / t_json:>10.0f}x {len(svg.encode()) / 1024:>8.0f}")


if __name__ == "__main__":
    main()
