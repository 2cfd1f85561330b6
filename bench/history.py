"""Benchmark: execution histories → pandas, on two fleet shapes, against the parse floor and json_normalize.

Two shapes, side by side in one run (``bench/fleet_shapes.py``), each as JSON blobs, one per execution:

  Real              the shared corpus recordings replicated to ~N events: fetch-cache blobs with their real
                    payloads and definitions, fresh ARNs, starts spread over 7 days (~11 events/execution)
  Synthetic large   ``tests.history.synthetic``: retried tasks, Parallel, inline Map (~430 events/execution)

and three contenders per shape, each in its own subprocess (so peak RSS is per case):

  (a) floor      orjson.loads of every blob (the least any tool must do)
  (b) normalize  what users do by hand: orjson.loads + pandas.json_normalize of all events
  (c) workbench  bytes → frames(): events, states, attempts, executions

Every contender gets one untimed warm-up run, then the best of ``--repeat`` (3) timed runs, in CPU time
(user+sys of the case's process) and wall time: on a shared machine wall time also counts waiting for a CPU.
Peak RSS is the case's process high-water mark, input blobs included.

Run: ``python bench/history.py`` (1,000,000 events per shape) or ``python bench/history.py --events 20000``.
Goals (issue #16): Real (c) ≤ 4x floor with peak RSS < 1 GB; Synthetic large (c) ≤ 3x floor.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CASES = {"floor": "(a) orjson parse only (floor)", "normalize": "(b) orjson + pandas.json_normalize",
         "workbench": "(c) workbench: all 4 frames"}
SHAPES = {"real": "Real", "synthetic": "Synthetic large"}
GOALS = {"real": (4.0, 1024.0), "synthetic": (3.0, None)}  # (x floor, peak RSS MB)


def _write_blobs(path: Path, blobs: Iterable[bytes]) -> tuple[int, int]:
    """Length-prefixed blobs; returns (executions, bytes)."""
    n = size = 0
    with path.open("wb") as fh:
        for b in blobs:
            fh.write(struct.pack("<I", len(b)))
            fh.write(b)
            n, size = n + 1, size + len(b)
    return n, size


def _read_blobs(path: Path) -> list[bytes]:
    """The blobs, read one by one (never the whole file at once: that would double the input's peak)."""
    out = []
    with path.open("rb") as fh:
        while head := fh.read(4):
            (n,) = struct.unpack("<I", head)
            out.append(fh.read(n))
    return out


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _once(case: str, blobs: list[bytes]) -> dict[str, float]:
    import orjson
    import pandas as pd

    from workbench.history import frames

    extra: dict[str, float] = {}
    if case == "floor":
        rows = 0
        for b in blobs:
            rows += len(orjson.loads(b)["events"])
    elif case == "normalize":
        events = [e for b in blobs for e in orjson.loads(b)["events"]]
        df = pd.json_normalize(events)
        rows, extra["columns"] = len(df), df.shape[1]
        del events, df
    elif case == "workbench":
        t = time.perf_counter()
        f = frames(blobs)  # streams: a batch of histories at a time is parsed, walked and dropped
        extra["walk_s"] = time.perf_counter() - t
        rows = len(f.events)
        extra["visits"], extra["attempts"] = len(f.states), len(f.attempts)
        extra["executions"] = len(f.executions)
        extra["frames_s"] = time.perf_counter() - t - extra["walk_s"]
        del f
    else:
        raise SystemExit(f"unknown case {case}")
    return {"rows": rows, **extra}


def run_case(case: str, data: Path, repeat: int) -> dict[str, float]:
    """One untimed warm-up run, then the best of ``repeat`` timed runs (CPU and wall time) in this process."""
    import warnings

    from workbench.history import HistoryWarning

    warnings.simplefilter("ignore", HistoryWarning)
    blobs = _read_blobs(data)
    baseline = _rss_mb()
    _once(case, blobs)  # warm-up: imports, caches, allocator
    runs = []
    for _ in range(repeat):
        t, c = time.perf_counter(), _cpu()
        extra = _once(case, blobs)
        runs.append({"seconds": time.perf_counter() - t, "cpu": _cpu() - c, **extra})
    best = min(runs, key=lambda r: r["cpu"])
    best["seconds"] = min(r["seconds"] for r in runs)  # the best wall time may be another run's
    return {**best, "baseline_mb": baseline, "peak_mb": _rss_mb()}


def _blobs(shape: str, events: int) -> Iterable[bytes]:
    from bench.fleet_shapes import real_fleet, synthetic_fleet

    return real_fleet(events) if shape == "real" else synthetic_fleet(events)


def _measure(shape: str, events: int, repeat: int, cases: list[str], tmp: Path) -> dict[str, Any]:
    data = tmp / f"{shape}.bin"
    t = time.perf_counter()
    n_exec, size = _write_blobs(data, _blobs(shape, events))
    gen_s = time.perf_counter() - t
    results: dict[str, dict[str, float]] = {}
    for case in cases:
        proc = subprocess.run([sys.executable, __file__, "--case", case, "--data", str(data), "--repeat", str(repeat)],
                              capture_output=True, text=True, check=False, env={**os.environ})
        if proc.returncode != 0:
            raise SystemExit(f"{shape} case {case} failed:\n{proc.stderr}")
        results[case] = json.loads(proc.stdout.strip().splitlines()[-1])
    data.unlink()
    return {"executions": n_exec, "bytes": size, "gen_s": gen_s, "results": results}


def _report(shape: str, m: dict[str, Any], repeat: int) -> list[str]:
    res = m["results"]
    floor, floor_cpu = res["floor"]["seconds"], res["floor"]["cpu"]
    events = res["floor"]["rows"]
    lines = [f"\n{SHAPES[shape]}: {events:,.0f} events in {m['executions']:,} executions "
             f"({events / m['executions']:.0f} events/execution), {m['bytes'] / 1e6:.0f} MB of JSON "
             f"(generated in {m['gen_s']:.1f} s); best of {repeat} warm runs per case, one subprocess per case",
             f"{'case':<36}{'cpu s':>8}{'x floor':>9}{'wall s':>8}{'x floor':>9}{'peak RSS MB':>13}{'over input':>12}"]
    for case, r in res.items():
        lines.append(f"{CASES[case]:<36}{r['cpu']:>8.2f}{r['cpu'] / floor_cpu:>9.2f}{r['seconds']:>8.2f}"
                     f"{r['seconds'] / floor:>9.2f}{r['peak_mb']:>13.0f}{r['peak_mb'] - r['baseline_mb']:>12.0f}")
    wb = res.get("workbench")
    if wb:
        lines.append(f"(c) = parse + rebuild visits/attempts {wb['walk_s']:.2f} s, then DataFrames "
                     f"{wb['frames_s']:.2f} s; {wb['visits']:,.0f} state visits, {wb['attempts']:,.0f} attempts")
        if "normalize" in res:
            lines.append(f"(c) takes {wb['cpu'] / res['normalize']['cpu']:.2f}x the CPU of (b), which yields "
                         f"{res['normalize']['columns']:.0f} flat columns and no visits, attempts or nesting")
        ratio, peak_goal = GOALS[shape]
        cpu_ratio, wall_ratio = wb["cpu"] / floor_cpu, wb["seconds"] / floor
        goal = (f"goal (c) <= {ratio:g}x floor: {'met' if cpu_ratio <= ratio else 'MISSED'} in CPU time "
                f"({cpu_ratio:.2f}x), {'met' if wall_ratio <= ratio else 'missed'} in wall time ({wall_ratio:.2f}x)")
        if peak_goal:
            goal += f"; peak RSS < {peak_goal / 1024:g} GB: {'met' if wb['peak_mb'] < peak_goal else 'MISSED'}"
        lines.append(goal)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="approximate number of events per shape")
    parser.add_argument("--repeat", type=int, default=3, help="timed warm runs per case, best kept")
    parser.add_argument("--shape", choices=["both", *SHAPES], default="both", help="which fleet shape(s)")
    parser.add_argument("--skip-normalize", action="store_true", help="skip the slow json_normalize case")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.data), args.repeat)))
        return
    shapes = list(SHAPES) if args.shape == "both" else [args.shape]
    cases = [c for c in CASES if not (args.skip_normalize and c == "normalize")]
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes:
            lines += _report(shape, _measure(shape, args.events, args.repeat, cases, Path(tmp)), args.repeat)
    load = os.getloadavg()[0]
    lines.append(f"\nload average {load:.1f} on {os.cpu_count()} CPUs (wall time includes waiting for a CPU)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
