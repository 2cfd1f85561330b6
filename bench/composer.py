"""Benchmark: one composer form edit of a 200-step Mission (text patched, re-parsed, validated; preview, graph,
tree and forms refreshed), against validating the same Mission alone.

An edit is what an operator does in the form: change a field of the selected step (here its timeout).
The composer patches the YAML text in place (:mod:`workbench.mission.yaml_patch`), parses the new text
(positions kept for the problems list), validates it (checks, compile, lint), and refreshes the editor,
the step tree, the forms, the ASL view, the graph and the problems list. The baseline, measured in the
same run, is ``validate_document`` of the same parsed Mission: the check every edit must make anyway.
Figures are the best of several warm runs (and the median). Target: under 200 ms per edit. Run:

    .venv/bin/python bench/composer.py [--steps 200] [--edits 15]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from workbench.asl.validate import validate_document
from workbench.mission import yaml_patch
from workbench.mission.positions import parse_document
from workbench.widgets.composer.widget import MissionComposer, to_yaml
from workbench.widgets.preview.highlight import highlight_json
from workbench.widgets.preview.widget import graph_html

TARGET_MS = 200.0


def mission_data(steps: int) -> dict[str, Any]:
    """A Mission with ``steps`` steps in all: tool chains with retries, a choice every 20, a parallel every 25."""
    tools = {f"t{i}": {"lambda": f"bench-tool-{i}", "local": "missions.tools.triage:fetch_alert"} for i in range(8)}
    top: list[dict[str, Any]] = []
    count = 0
    i = 0
    while count < steps:
        sid = f"s{i}"
        if i % 25 == 24 and count + 5 <= steps:
            top.append({"id": sid, "parallel": {
                "a": [{"id": f"{sid}_a1", "tool": "t1"}, {"id": f"{sid}_a2", "tool": "t2"}],
                "b": [{"id": f"{sid}_b1", "tool": "t3"}, {"id": f"{sid}_b2", "pass": None}]}})
            count += 5
        elif i % 20 == 19:
            top.append({"id": sid, "choose": [{"when": "{% $states.input.n > 1 %}", "goto": f"s{i + 1}"}],
                        "otherwise": f"s{i + 1}"})
            count += 1
        else:
            step: dict[str, Any] = {"id": sid, "tool": f"t{i % 8}", "args": "{% $states.input %}"}
            if i % 3 == 0:
                step["retry"] = [{"errors": ["States.TaskFailed"], "interval": "1s", "max_attempts": 2}]
            top.append(step)
            count += 1
        i += 1
    top.append({"id": "done", "succeed": True})
    return {"mission": "bench-200", "tools": tools, "steps": top}


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        out.append((time.perf_counter() - began) * 1000.0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()

    data = mission_data(args.steps)
    text = to_yaml(data)
    composer = MissionComposer(text)
    assert composer.validation is not None and composer.validation.ok, composer.diagnostics[:3]
    states = len(composer.definition["States"]) if composer.definition else 0
    tool_ids = [s["id"] for s in data["steps"] if "tool" in s]

    def edit(n: list[int] = [0]) -> None:  # noqa: B006 - a counter across calls
        composer.select(tool_ids[n[0] % len(tool_ids)])
        composer.set_field(("timeout",), f"{10 + n[0] % 50}s")
        n[0] += 1

    def typed(n: list[int] = [0]) -> None:  # noqa: B006 - what the editor syncs after a keystroke pause
        n[0] += 1
        composer.editor.value = composer.yaml_text.replace("mission: bench-200", f"mission: bench-200-{n[0]}", 1)

    edit()  # warm-up: first layout, imports
    doc = parse_document(composer.yaml_text)
    baseline_runs = timed(lambda: validate_document(doc), args.edits)
    per_edit = timed(edit, args.edits)
    per_type = timed(typed, args.edits)
    undo = timed(composer.undo, min(args.edits, 10))
    problems = sum(d.is_error for d in composer.diagnostics)
    definition = composer.definition
    current = composer.yaml_text
    target = composer.selected
    fresh = iter(range(100, 10_000))  # a new value each time: no cached result
    parts = {  # where an edit's time goes (each measured alone, same Mission)
        "  of which: patch the text (yaml_patch)": lambda: yaml_patch.set_value(
            current, (*(target or ("steps", 0)), "timeout"), f"{next(fresh)}s"),
        "  of which: parse the text (positions)": lambda: parse_document(current),
        "  of which: validate (check+compile+lint)": lambda: validate_document(doc),
        "  of which: graph (layout + SVG)": lambda: graph_html(definition),
        "  of which: ASL view (highlight)": lambda: highlight_json(definition),
    }
    baseline = min(baseline_runs)
    rows = [
        ("validate_document (baseline, best)", baseline, baseline),
        ("composer form edit", min(per_edit), statistics.median(per_edit)),
        ("composer typed change (editor sync)", min(per_type), statistics.median(per_type)),
        *[(name, min(runs), statistics.median(runs)) for name, fn in parts.items() for runs in [timed(fn, 5)]],
        ("composer undo", min(undo), statistics.median(undo)),
    ]
    print(f"Mission: {args.steps} steps, {len(text.splitlines())} YAML lines, {states} top-level states; "
          f"{args.edits} edits, errors after edits: {problems}")
    print(f"{'what':44} {'best ms':>9} {'median':>9} {'× baseline':>11}")
    for name, best, median in rows:
        print(f"{name:44} {best:9.1f} {median:9.1f} {best / baseline:11.1f}")
    verdict = "meets" if min(per_edit) < TARGET_MS else "MISSES"
    print(f"target: under {TARGET_MS:.0f} ms per edit (best of {args.edits}) -> {verdict}")


if __name__ == "__main__":
    main()
