"""Engine fidelity: replay histories recorded on real AWS and compare event types and final status.

Every runnable scenario of ``corpus/histories`` runs on the embedded engine with time warp (the one
StopExecution scenario without, so its Wait can be interrupted). All selected scenarios run concurrently
in one module fixture (they are independent executions); each test then checks its own. Recordings flagged
``parallel_events_normalised`` are compared order-insensitively inside Parallel blocks (see
``replay.recorder_normalised``). The figure (matched / run / skipped) is printed at the end of the session.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from tests.engine import replay
from tests.engine.fidelity_known import STRICT, TIMING

FILES = sorted(e["file"] for e in json.loads((CORPUS / "histories" / "INDEX.json").read_text())) if (
    CORPUS / "histories" / "INDEX.json").is_file() else []


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, corpus: Path) -> dict[str, Any]:
    """Replay every selected scenario, eight at a time (waits are warped; a few timeouts take 5 s)."""
    from workbench.engine.embedded import shared_engine

    selected = {item.callspec.params["name"] for item in request.session.items
                if getattr(item, "module", None) is request.module and hasattr(item, "callspec")}
    scenarios = [s for s in replay.load_scenarios(corpus / "histories") if s.file in selected]
    warped, plain = shared_engine(time_warp=True), shared_engine(time_warp=False)

    def one(pair: tuple[int, replay.Scenario]) -> tuple[str, Any]:
        index, scenario = pair
        engine = plain if scenario.status == "ABORTED" else warped
        try:
            return scenario.file, (scenario, replay.run(scenario, engine, f"fid{index}"))
        except replay.SkipScenario as skip:
            return scenario.file, skip
        except Exception as exc:  # reported by the scenario's own test
            return scenario.file, exc

    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(pool.map(one, enumerate(scenarios)))


def _marks(name: str) -> list[pytest.MarkDecorator]:
    if name in STRICT:
        return [pytest.mark.xfail(reason=STRICT[name], strict=True)]
    if name in TIMING:
        return [pytest.mark.xfail(reason=TIMING[name], strict=False)]
    return []


@pytest.mark.parametrize("name", [pytest.param(f, marks=_marks(f), id=f.removesuffix(".json")) for f in FILES])
def test_replay_matches_recording(name: str, outcomes: dict[str, Any]) -> None:
    result = outcomes[name]
    if isinstance(result, replay.SkipScenario):
        replay.FIGURE[name] = f"skipped: {result}"
        pytest.skip(str(result))
    if isinstance(result, Exception):
        replay.FIGURE[name] = "diverged"
        raise result
    scenario, outcome = result
    problems = replay.mismatches(scenario, outcome)
    replay.FIGURE[name] = "matched" if not problems else "diverged"
    assert not problems, f"{name}: " + "; ".join(problems)


def test_corpus_has_the_recordings(corpus: Path) -> None:
    assert len(FILES) == 118
    assert all((corpus / "histories" / name).is_file() for name in FILES)
