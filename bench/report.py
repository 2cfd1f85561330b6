"""Benchmark: a shareable run report for 1,000 executions, against building the frames alone.

Simulates N realistic executions (``tests.history.synthetic``: retried Lambda tasks, a Parallel,
an inline Map of 8-65 hosts with interleaved iterations, catches and failures; about 385 events each),
saves them as ``get_execution_history`` JSON files in a temporary folder, then runs each case in its
own subprocess (cold imports, its own memory):

  (a) frames   load_histories(folder) + frames(): events, states, attempts, executions  (baseline)
  (b) build    load_histories(folder) + workbench.report.build(...).html
  (c) command  report_command([folder], out=...): what ``workbench report FOLDER -o x.html`` does

Run: ``python bench/report.py`` (1,000 executions) or ``python bench/report.py --executions 200``.
Targets: (c) under 10 s and the file under 10 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_S = 10.0
TARGET_MB = 10.0


def write_runs(folder: Path, n: int) -> int:
    """Simulate ``n`` executions into ``folder`` (one history file each, with ARN and definition); returns events."""
    import orjson

    from tests.history.synthetic import DEFINITION, STATE_MACHINE_ARN, simulate_execution

    events = 0
    for i in range(n):
        sim = simulate_execution(i)
        doc = {"executionArn": sim.arn, "stateMachineArn": STATE_MACHINE_ARN, "definition": DEFINITION,
               **sim.response}
        (folder / f"run-{i:05d}.json").write_bytes(orjson.dumps(doc))
        events += len(sim.response["events"])
    return events


def run_case(case: str, folder: Path) -> dict[str, float]:
    """One case in this process; seconds, output size and peak memory."""
    import warnings

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    size = 0.0
    if case == "frames":
        from workbench.history import frames, load_histories

        f = frames(load_histories(folder))
        for name in ("events", "states", "attempts", "executions"):
            getattr(f, name)
    elif case == "build":
        from workbench.history import load_histories
        from workbench.report import build

        size = build(load_histories(folder)).size
    elif case == "command":
        from workbench.report.run.command import report_command

        out = folder.parent / "report.html"
        code = report_command([str(folder)], None, out, progress=False, err=open(os.devnull, "w"))  # noqa: SIM115
        if code != 0:
            raise SystemExit(f"report_command exited {code}")
        size = out.stat().st_size
    else:
        raise SystemExit(f"unknown case {case}")
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "mb": size / 1e6, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.folder))))
        return
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        folder = Path(tmp) / "runs"
        folder.mkdir()
        t0 = time.perf_counter()
        events = write_runs(folder, args.executions)
        print(f"simulated {args.executions:,} executions ({events:,} events) in {time.perf_counter() - t0:.1f} s")
        results: dict[str, dict[str, float]] = {}
        for case in ("frames", "build", "command"):
            out = subprocess.run([sys.executable, __file__, "--case", case, "--folder", str(folder)],
                                 check=True, capture_output=True, text=True)
            results[case] = json.loads(out.stdout.strip().splitlines()[-1])
    base = results["frames"]["seconds"]
    header = f"{'case':<9} {'seconds':>8} {'x frames':>9} {'file MB':>8} {'peak RSS MB':>12}"
    print(header)
    print("-" * len(header))
    for case, r in results.items():
        size = f"{r['mb']:.2f}" if r["mb"] else "-"
        print(f"{case:<9} {r['seconds']:>8.2f} {r['seconds'] / base:>8.2f}x {size:>8} {r['rss_mb']:>12.0f}")
    cmd = results["command"]
    verdict = "meets" if cmd["seconds"] < TARGET_S and cmd["mb"] < TARGET_MB else "MISSES"
    print(f"report command: {cmd['seconds']:.1f} s, {cmd['mb']:.1f} MB: {verdict} the targets "
          f"(< {TARGET_S:.0f} s, < {TARGET_MB:.0f} MB)")


if __name__ == "__main__":
    main()
