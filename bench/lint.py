"""Benchmark: ASL lint time vs ``json.loads`` of the same text, for generated 1,000- and 10,000-state machines.

Each definition is a seeded mix of what real workflows contain: Task chains with Retry/Catch to a shared
handler, Choice states with JSONPath rules, Wait/poll loops, Pass states with payload templates and
intrinsic functions, Parallel branches and Map item processors. Two flavours are generated: JSONPath
(``$.x``, ``.$`` keys) and JSONata (``{% ... %}`` expressions, each one distinct so the parse cache
does not help; caches are cleared before every timed run). Columns: json.loads of the text (baseline),
lint of the dict, and load_asl (parse + duplicate-key check) + lint, each with its ratio to json.loads.

    .venv/bin/python bench/lint.py [--sizes 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.asl.lint import lint, load_asl
from workbench.asl.lint.syntax.intrinsics import intrinsic_problem
from workbench.asl.lint.syntax.jsonata import jsonata_syntax_error
from workbench.asl.lint.syntax.paths import path_problem

LAMBDA = "arn:aws:states:::lambda:invoke"


def _jsonpath_state(i: int, nxt: str, rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(("task", "task", "pass", "choice", "wait"))
    if kind == "task":
        return {"Type": "Task", "Resource": LAMBDA, "Next": nxt,
                "Parameters": {"FunctionName": f"fn{i}", "Payload": {"id.$": f"$.items[{i % 7}].id",
                                                                     "when.$": "$$.Execution.StartTime"}},
                "ResultSelector": {"body.$": "$.Payload.body"}, "ResultPath": f"$.r{i}",
                "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 3,
                           "BackoffRate": 2.0}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler", "ResultPath": "$.error"}]}
    if kind == "pass":
        return {"Type": "Pass", "Next": nxt,
                "Parameters": {"msg.$": f"States.Format('step {{}} of {i}', $.n)", "n.$": "States.MathAdd($.n, 1)"}}
    if kind == "choice":
        return {"Type": "Choice", "Default": nxt,
                "Choices": [{"And": [{"Variable": f"$.v{i}", "IsPresent": True},
                                     {"Variable": f"$.v{i}", "NumericGreaterThan": i}], "Next": nxt}]}
    return {"Type": "Wait", "Seconds": 1 + i % 5, "Next": nxt}


def _jsonata_state(i: int, nxt: str, rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(("task", "task", "pass", "choice", "wait"))
    if kind == "task":
        return {"Type": "Task", "Resource": LAMBDA, "Next": nxt,
                "Arguments": {"FunctionName": f"fn{i}",
                              "Payload": f"{{% $merge([$states.input, {{'step': {i}}}]) %}}"},
                "Output": f"{{% $states.result.Payload.items[{i % 7}] %}}",
                "Assign": {f"v{i}": f"{{% $states.result.Payload.count + {i} %}}"},
                "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 3, "BackoffRate": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]}
    if kind == "pass":
        return {"Type": "Pass", "Next": nxt, "Output": {"msg": f"{{% 'step ' & $string({i}) %}}"}}
    if kind == "choice":
        return {"Type": "Choice", "Default": nxt,
                "Choices": [{"Condition": f"{{% $exists($v{i}) and $v{i} > {i} %}}", "Next": nxt}]}
    return {"Type": "Wait", "Seconds": f"{{% {1 + i % 5} %}}", "Next": nxt}


def generate(n: int, *, jsonata: bool, seed: int = 7) -> dict[str, Any]:
    """A valid machine of about ``n`` states (some inside Parallel branches and Map processors)."""
    rng = random.Random(seed)
    make = _jsonata_state if jsonata else _jsonpath_state
    states: dict[str, Any] = {}
    names = [f"S{i}" for i in range(n)]
    for i, name in enumerate(names):
        nxt = names[i + 1] if i + 1 < n else "Done"
        if i % 100 == 50:
            inner = {"StartAt": f"{name}_a", "States": {f"{name}_a": {"Type": "Pass", "Next": f"{name}_b"},
                                                        f"{name}_b": {"Type": "Succeed"}}}
            states[name] = {"Type": "Parallel", "Next": nxt, "Branches": [inner]}
        elif i % 100 == 75:
            inner = {"StartAt": f"{name}_m", "States": {f"{name}_m": {"Type": "Pass", "End": True}}}
            items = {"Items": "{% $states.input.items %}"} if jsonata else {"ItemsPath": "$.items"}
            states[name] = {"Type": "Map", "Next": nxt, "MaxConcurrency": 4, "ItemProcessor": inner, **items}
        else:
            states[name] = make(i, nxt, rng)
    states["Handler"] = {"Type": "Fail", "Error": "Failed", "Cause": "a step failed"}
    states["Done"] = {"Type": "Succeed"}
    top: dict[str, Any] = {"StartAt": names[0], "States": states}
    if jsonata:
        top["QueryLanguage"] = "JSONata"
    return top


def cold() -> None:
    """Forget cached parses so every run pays for every distinct expression."""
    for cached in (jsonata_syntax_error, path_problem, intrinsic_problem):
        cached.cache_clear()


def best(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` cold runs."""
    times = []
    for _ in range(repeat):
        cold()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'flavour':9} {'states':>7} {'KiB':>7} {'json.loads':>11} {'lint(dict)':>11} {'ratio':>6} "
          f"{'load+lint':>10} {'ratio':>6} {'errors':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for jsonata in (False, True):
            for n in args.sizes:
                definition = generate(n, jsonata=jsonata)
                text = json.dumps(definition, indent=2)
                path = Path(tmp) / f"m{n}.asl.json"
                path.write_text(text)
                base = best(lambda text=text: json.loads(text), args.repeat)  # type: ignore[misc]
                diags = lint(definition)
                t_lint = best(lambda d=definition: lint(d), args.repeat)  # type: ignore[misc]
                t_full = best(lambda p=path: lint(load_asl(p)), args.repeat)  # type: ignore[misc]
                errors = sum(d.is_error for d in diags)
                print(f"{'JSONata' if jsonata else 'JSONPath':9} {n:>7} {len(text) / 1024:>7.0f} "
                      f"{base * 1000:>9.1f}ms {t_lint * 1000:>9.1f}ms {t_lint / base:>6.1f} "
                      f"{t_full * 1000:>8.1f}ms {t_full / base:>6.1f} {errors:>6}")


if __name__ == "__main__":
    main()
