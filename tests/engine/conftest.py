"""Engine tests: print the fidelity figure (tests/engine/test_fidelity.py) at the end of the session."""

from __future__ import annotations

from typing import Any

import pytest

_WHAT = {
    "status": "final status",
    "sequence": "event-type sequence",
    "output": "final output (recordings that succeeded)",
    "error": "final error and cause (recordings that failed, aborted or timed out)",
}


@pytest.fixture(scope="module")
def engine() -> Any:
    """The warped shared engine (a test module may define its own ``engine`` instead)."""
    from workbench.engine.embedded import shared_engine

    return shared_engine(time_warp=True)


@pytest.fixture(scope="module")
def sfn(engine: Any) -> Any:
    """A signed Step Functions client of ``engine``."""
    return engine.client()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.engine.fidelity_known import ERROR, OUTPUT, STRICT, TIMING
    from tests.engine.replay import DIMENSIONS, FIGURE

    if not FIGURE:
        return
    skipped = {k: v for k, v in FIGURE.items() if isinstance(v, str)}
    runs: dict[str, dict[str, bool]] = {k: v for k, v in FIGURE.items() if isinstance(v, dict)}
    write = terminalreporter.write_line
    terminalreporter.section("engine fidelity (recorded AWS histories)")
    write(f"run {len(runs)} / skipped {len(skipped)} (of {len(FIGURE)} selected recordings); output, error and "
          "cause compared after masking ARNs, ids, times and placeholders (tests/engine/fidelity_normalise.py)")
    for dimension in DIMENSIONS:
        compared = [v[dimension] for v in runs.values() if dimension in v]
        write(f"  {dimension:<9} matched {sum(compared)} of {len(compared)}: {_WHAT[dimension]}")
    write(f"  all four  matched {sum(all(v.values()) for v in runs.values())} of {len(runs)}")
    for name, why in sorted(skipped.items()):
        write(f"  {name}: {why}")
    known = {**STRICT, **TIMING}
    for name, verdict in sorted(runs.items()):
        differing = [d for d, ok in verdict.items() if not ok]
        if not differing:
            continue
        reasons = [known[name]] if name in known else [
            (OUTPUT if d == "output" else ERROR).get(name, "UNEXPECTED") if d in ("output", "error")
            else "UNEXPECTED" for d in differing]
        write(f"  {name}: {', '.join(differing)} differ: known divergence: {'; '.join(sorted(set(reasons)))}"
              if "UNEXPECTED" not in reasons else f"  {name}: {', '.join(differing)} differ: UNEXPECTED divergence")
