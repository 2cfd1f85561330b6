"""Recordings for the what-if tests: real ``deploy_check`` runs on the embedded engine, with a transient fault.

``check_deploy`` fails a fifth of its calls with ``DeployApi.Unavailable`` (no Retry covers it, so the run
fails); versions ending in ``-bad`` fail their rollout (DeployFailed, through the Catch-free Choice path).
The fault plan has a seed, so the same runs fail on every machine. :func:`record` writes one history file
per run (``executionArn``, ``definition``, ``events``) and :func:`with_retry` is the edit under test: a Retry
on the transient error at ``check_status``. Hostile values (an XSS payload, a bearer token) can be put into
the input and the fault's message, for the report tests.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import workbench

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "missions" / "deploy_check.yaml"
TRANSIENT = "DeployApi.Unavailable"
RETRY = f"""    retry:
      - errors: [{TRANSIENT}]
        interval: 5s
        max_attempts: 3
        backoff: 2
"""


def fault_plan(message: str = "the deploy API answered 503") -> workbench.FaultPlan:
    return workbench.FaultPlan.model_validate({"seed": 11, "tools": {
        "check_deploy": {"fail_rate": 0.2, "error": TRANSIENT, "message": message,
                         "latency": {"dist": "lognormal", "median_ms": 800}},
        "start_deploy": {"latency": {"dist": "uniform", "low_ms": 200, "high_ms": 900}}}})


def record(folder: Path, n: int, *, message: str = "the deploy API answered 503", service: str = "svc",
           version: str = "v2.1") -> dict[str, tuple[str, str | None]]:
    """Run ``deploy_check`` ``n`` times and save each history; returns name → (status, error).

    Names are ``night-<tag>-0000`` and up, the tag new on every call: the engine lives as long as the test
    process, and a name it knew would return that earlier execution instead of running a new one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    mission = workbench.load_mission(DEPLOY)
    plan = fault_plan(message)
    tag = uuid.uuid4().hex[:6]
    out: dict[str, tuple[str, str | None]] = {}
    for i in range(n):
        name = f"night-{tag}-{i:04d}"
        run = workbench.run_mission(mission, {"service": f"{service}-{i}",
                                              "version": version + ("-bad" if i % 7 == 3 else "")},
                                    faults=plan, progress=False, name=name)
        doc = {"executionArn": run.arn, "definition": run.definition, "events": run.history()}
        (folder / f"{name}.json").write_text(json.dumps(doc, default=str), encoding="utf-8")
        out[name] = (run.status, run.error)
    return out


def with_retry(folder: Path) -> Path:
    """``deploy_check`` with a Retry on the transient error at ``check_status``, saved in ``folder``."""
    text = DEPLOY.read_text(encoding="utf-8")
    anchor = "    timeout: 20s\n    catch:"
    assert text.count(anchor) == 1
    edited = folder / "deploy_check_retry.yaml"
    edited.write_text(text.replace(anchor, "    timeout: 20s\n" + RETRY + "    catch:"), encoding="utf-8")
    return edited


def test_the_recordings_fail_as_planned(tmp_path: Path) -> None:
    runs = record(tmp_path / "runs", 8)
    errors = {name: error for name, (status, error) in runs.items() if status != "SUCCEEDED"}
    assert set(errors.values()) == {TRANSIENT, "DeployFailed"}
    assert all(status in ("SUCCEEDED", "FAILED") for status, _ in runs.values())
    again = record(tmp_path / "again", 8)  # new executions (new names): seeded, the same runs fail
    assert [again[k] for k in sorted(again)] == [runs[k] for k in sorted(runs)] and set(again).isdisjoint(runs)
    edited = workbench.load_mission(with_retry(tmp_path))
    (step,) = [s for s in edited.steps if s.id == "check_status"]
    assert step.retry is not None and step.retry[0].errors == [TRANSIENT]
