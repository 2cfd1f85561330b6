"""Benchmark: a bulk what-if over 1,000 recorded executions, against plain embedded runs of the same Mission.

Recordings: ``--recordings`` real runs of ``missions/deploy_check.yaml`` on the embedded engine with a
transient fault on its status check (``DeployApi.Unavailable`` on a fifth of the calls, seeded; versions
ending in ``-bad`` fail their rollout): many small executions (3 to 15 transitions, 20 s to 90 s of virtual
time), each saved as a history file. ``--executions`` histories are drawn from them (seeded, with
replacement), as a night of production runs would repeat a few shapes.

Rows (the same number of worker processes):

  (a) what-if      ``workbench.whatif(histories, edited)``: the Mission with a Retry on the transient error,
                   every recorded Lambda outcome served back under time warp (``--unrecorded``, default local)
  (b) plain runs   the same edited Mission run plainly on the embedded engine (time warp, the same fault plan,
                   its local tools), once per drawn history's input, on a pool of the same size

Both start their own pool of workers inside the timed span (a what-if starts one per call), after the same
warm-up (the fork server with the replay and the engine loaded, the disk cache). Wall time and executions per
second for both, and the ratio; the load average says how busy the machine was. The goal is (a)
under 60 s for 1,000 executions on a 2-core machine; it is reported, never asserted.

Run: ``.venv/bin/python bench/replay.py [--executions 1000] [--recordings 60] [--processes 2]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

try:
    import psutil  # optional: the workers' CPU time
except ImportError:  # pragma: no cover - the figures then leave it out
    psutil = None

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MISSION = REPO / "missions" / "deploy_check.yaml"
TRANSIENT = "DeployApi.Unavailable"
FAULTS = {"seed": 11, "tools": {
    "check_deploy": {"fail_rate": 0.2, "error": TRANSIENT, "message": "the deploy API answered 503",
                     "latency": {"dist": "lognormal", "median_ms": 800}},
    "start_deploy": {"latency": {"dist": "uniform", "low_ms": 200, "high_ms": 900}}}}
GOAL_SECONDS = 60.0


def edited_mission() -> Any:  # Any: a workbench Mission
    """deploy_check with a Retry on the transient error at check_status (the Mission's default Retry kept)."""
    import workbench

    data = workbench.load_mission(MISSION).model_dump(mode="json", by_alias=True, exclude_none=True)
    check = next(step for step in data["steps"] if step["id"] == "check_status")
    check["retry"] = [*data["defaults"]["retry"], {"errors": [TRANSIENT], "interval": "5s", "max_attempts": 3}]
    return workbench.Mission.model_validate(data)


def record(folder: Path, n: int) -> dict[str, Any]:
    """Record ``n`` runs of deploy_check with the fault plan, one history file each; returns their inputs."""
    import workbench

    mission = workbench.load_mission(MISSION)
    plan = workbench.FaultPlan.model_validate(FAULTS)
    inputs: dict[str, Any] = {}
    for i in range(n):
        given = {"service": f"svc-{i}", "version": "v2.1" + ("-bad" if i % 7 == 3 else "")}
        run = workbench.run_mission(mission, given, faults=plan, name=f"night-{i:04d}", progress=False)
        doc = {"executionArn": run.arn, "definition": run.definition, "events": run.history()}
        path = folder / f"night-{i:04d}.json"
        path.write_text(json.dumps(doc, default=str), encoding="utf-8")
        inputs[str(path)] = (given, run.status)
    return inputs


# ------------------------------------------------------------------------------------ plain runs (b)
_PLAIN: dict[str, Any] = {}


def _plain_start(mission: Any) -> None:  # Any: a Mission
    from workbench.engine.connect.targets import Target
    from workbench.engine.tools.faults import FaultPlan

    _PLAIN["mission"] = mission
    _PLAIN["plan"] = FaultPlan.model_validate(FAULTS)
    _PLAIN["target"] = Target.parse("embedded", time_warp=True, faults=_PLAIN["plan"])


def _plain_run(given: dict[str, Any]) -> str:
    """One plain run of the Mission on this worker's engine, waited for with a short poll, tools released."""
    from workbench.engine.run.mission import start_mission

    run = start_mission(_PLAIN["mission"], None, _PLAIN["target"], given, faults=_PLAIN["plan"])
    try:
        return str(run.execution.wait(progress=False, poll_interval=0.002).status)
    finally:
        run.release()


def plain_runs(mission: Any, inputs: list[dict[str, Any]], processes: int) -> float:  # Any: a Mission
    """Wall seconds of running every input plainly on a new pool of ``processes`` workers (their start included,
    as in a what-if, which starts its own pool)."""
    ctx = multiprocessing.get_context("forkserver" if sys.platform.startswith("linux") else "spawn")
    started = time.perf_counter()
    with ProcessPoolExecutor(processes, mp_context=ctx, initializer=_plain_start, initargs=(mission,)) as pool:
        list(pool.map(_plain_run, inputs, chunksize=4))
    return time.perf_counter() - started


class CpuMeter:
    """CPU seconds used by this process's descendants (the fork server's workers included), sampled every
    0.1 s: the figure a busy machine does not change, unlike wall time. Needs psutil (else None)."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                times = child.cpu_times()
                self.seen[child.pid] = times.user + times.system

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self._sample()

    def __enter__(self) -> CpuMeter:
        self._sample()
        self.start = dict(self.seen)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.seen.items())


def measured(run: Any) -> tuple[float, float | None]:  # Any: a callable taking no argument
    """(wall seconds, workers' CPU seconds or None without psutil) of ``run()``."""
    started = time.perf_counter()
    if psutil is None:
        run()
        return time.perf_counter() - started, None
    with CpuMeter() as meter:
        run()
    return time.perf_counter() - started, meter.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--recordings", type=int, default=60)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--unrecorded", default="local", choices=("repeat", "last-success", "local", "fail"))
    args = parser.parse_args()

    import workbench
    from workbench.history.whatif import whatif

    folder = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    t0 = time.perf_counter()
    recorded = record(folder, args.recordings)
    setup = time.perf_counter() - t0
    failed = sum(1 for _, status in recorded.values() if status != "SUCCEEDED")
    draw = random.Random(7)
    paths = [draw.choice(sorted(recorded)) for _ in range(args.executions)]
    edited = edited_mission()

    # warm-up, the same for both: the fork server (with the replay and the engine's patches loaded), the disk cache
    whatif(paths[:args.processes], edited, unrecorded=args.unrecorded, processes=args.processes, progress=False)
    plain_runs(edited, [recorded[p][0] for p in paths[:args.processes]], args.processes)
    load = os.getloadavg()[0]
    results: list[Any] = []
    replay_wall, replay_cpu = measured(lambda: results.append(
        whatif(paths, edited, unrecorded=args.unrecorded, processes=args.processes, progress=False)))
    plain_wall, plain_cpu = measured(lambda: plain_runs(edited, [recorded[p][0] for p in paths], args.processes))
    result = results[0]

    s = result.summary
    n = len(result.rows)
    print(f"replay bench: {n:,} executions drawn from {args.recordings} recordings of {MISSION.name} "
          f"({failed} failed, recorded in {setup:.1f} s); edit: Retry on {TRANSIENT} at check_status; "
          f"--unrecorded {args.unrecorded}; {args.processes} processes on {os.cpu_count()} CPUs "
          f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after: other work shares the CPUs)")
    print(f"  outcomes: {s.recovered:,} recovered, {s.newly_failed:,} newly failed, {s.unchanged:,} unchanged, "
          f"{s.changed:,} changed, {s.not_replayed:,} not replayed; {s.invented:,} invented outcomes")
    print(f"  {'':<22}{'wall s':>9}{'executions/s':>15}{'worker CPU s':>15}{'ms CPU/execution':>19}")
    for label, wall, cpu in (("(a) what-if (replay)", replay_wall, replay_cpu),
                             ("(b) plain runs", plain_wall, plain_cpu)):
        cpu_text = f"{cpu:>15.1f}{cpu * 1000 / n:>19.0f}" if cpu is not None else f"{'–':>15}{'–':>19}"
        print(f"  {label:<22}{wall:>9.1f}{n / wall:>15.1f}{cpu_text}")
    print(f"  replay / plain wall time: {replay_wall / plain_wall:.2f}x")
    verdict = "met" if replay_wall < GOAL_SECONDS * n / 1000 else "not met"
    print(f"  goal (1,000 replays under {GOAL_SECONDS:.0f} s on 2 cores): {verdict} "
          f"({replay_wall * 1000 / n:.1f} s per 1,000)"
          + (f"; on two idle cores the workers' CPU time alone would take {replay_cpu / 2 * 1000 / n:.1f} s"
             if replay_cpu is not None else ""))
    print(f"  workbench {workbench.__version__}; histories in {folder}")


if __name__ == "__main__":
    main()
