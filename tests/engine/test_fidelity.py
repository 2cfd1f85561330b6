"""Engine fidelity: replay histories recorded on real AWS and compare status, event types, output and error.

Four dimensions are compared (``replay.DIMENSIONS``): the final status, the sequence of event types, the
final output (recordings that succeeded) and the final error and cause (recordings that did not), the
last two after ``fidelity_normalise`` masks what must differ (ARNs, ids, times, placeholders). Every
runnable scenario of ``corpus/histories`` runs on the embedded engine with time warp (the one
StopExecution scenario without, so its Wait can be interrupted). All selected scenarios run concurrently
in one module fixture (they are independent executions); each test then checks its own. Recordings flagged
``parallel_events_normalised`` are compared order-insensitively inside Parallel blocks (see
``replay.recorder_normalised``). The figure (per dimension: matched / run; and skipped) is printed at the end
of the session.

Lambda calls are served by the product's replay (:mod:`workbench.history.replay`, what ``workbench replay``
runs); only the corpus' world (queues, tables, child machines, callback workers) is set up here. The
product's own verdict must agree: every runnable recording reproduces its status and state path with every
recorded Lambda call served and no outcome invented (the known divergences of ``fidelity_known`` excepted).
"""

from __future__ import annotations

import json
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from tests.engine import replay
from tests.engine.fidelity_known import ERROR, OUTPUT, STRICT, TIMING
from workbench.history.replay import recorded_calls

FILES = sorted(e["file"] for e in json.loads((CORPUS / "histories" / "INDEX.json").read_text())) if (
    CORPUS / "histories" / "INDEX.json").is_file() else []


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, corpus: Path) -> dict[str, Any]:
    """Replay every selected scenario, eight at a time (waits are warped; a few timeouts take 5 s)."""
    from workbench.engine.embedded import shared_engine
    from workbench.engine.embedded.interpreter import virtual_timeouts

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
            return scenario.file, (scenario, exc)

    # Eight replays share two cores: the world's workers answer task tokens in real time, so give them more
    # than the product's grace before a warped wait decides that no answer is coming.
    with pytest.MonkeyPatch.context() as patch, ThreadPoolExecutor(max_workers=8) as pool:
        patch.setattr(virtual_timeouts, "OUTSIDE_GRACE_SECONDS", 15.0)
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
    scenario, outcome = result
    dimensions = replay.applicable(scenario)
    if isinstance(outcome, Exception):
        replay.FIGURE[name] = dict.fromkeys(dimensions, False)
        raise outcome
    problems = replay.compare(scenario, outcome)
    replay.FIGURE[name] = {dimension: dimension not in problems for dimension in dimensions}
    result = outcome.result  # the product's own verdict (workbench.history.replay): status and state path
    assert result is not None and result.invented == 0, f"{name}: invented {result and result.invented_calls}"
    if name not in STRICT and name not in TIMING:
        assert result.reproduced, f"{name}: " + "; ".join(result.divergences)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # placeholder ids of normalised recordings: known, and reported
            recorded = len(recorded_calls(scenario.path))
        assert result.served == recorded, f"{name}: {result.served} of {recorded} recorded Lambda calls served"
    known = {dimension for dimension, entries in (("output", OUTPUT), ("error", ERROR)) if name in entries}
    unexpected = [message for dimension, message in problems.items() if dimension not in known]
    assert not unexpected, f"{name}: " + "; ".join(unexpected)
    stale = sorted(known - set(problems))
    assert not stale, f"{name}: the known {stale} divergence now matches: drop it from fidelity_known"


def test_known_divergences_name_recordings() -> None:
    """Every entry of fidelity_known names a recording of the corpus, and only one list holds it whole."""
    listed = [*STRICT, *TIMING, *OUTPUT, *ERROR]
    assert set(listed) <= set(FILES), sorted(set(listed) - set(FILES))
    assert not (set(STRICT) | set(TIMING)) & (set(OUTPUT) | set(ERROR))


def test_corpus_has_the_recordings(corpus: Path) -> None:
    assert len(FILES) == 118
    assert all((corpus / "histories" / name).is_file() for name in FILES)


def test_normalising_masks_only_what_must_differ() -> None:
    """Ids, ARNs, times and stack traces are masked; error types, messages and values still count."""
    from tests.engine.fidelity_normalise import normalise

    recorded: dict[str, Any] = {"errorType": "Exception", "errorMessage": "boom", "requestId": "<uuid:1>",
                "stackTrace": ["  File \"/var/task/handler.py\""], "at": "date", "n": 1,
                "arn": "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:run"}
    ours = {**recorded, "requestId": "0b240a22-b45c-4329-bdf3-ee4ed2717984", "stackTrace": ["  File \"replay.py\""],
            "at": "2026-01-02T03:04:05Z", "arn": "arn:aws:states:us-east-1:123456789012:execution:replay-fid1:run"}
    assert normalise(recorded) == normalise(ours)
    changes = (("errorType", "ValueError"), ("errorMessage", "bang"), ("n", 2), ("arn", ours["arn"][:-3] + "end"))
    for key, other in changes:
        assert normalise(recorded) != normalise({**ours, key: other}), key
