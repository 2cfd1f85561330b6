"""Engine tests: print the fidelity figure (tests/engine/test_fidelity.py) at the end of the session."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.engine.fidelity_known import STRICT, TIMING
    from tests.engine.replay import FIGURE

    if not FIGURE:
        return
    matched = sum(1 for v in FIGURE.values() if v == "matched")
    skipped = {k: v for k, v in FIGURE.items() if v.startswith("skipped")}
    run = len(FIGURE) - len(skipped)
    terminalreporter.section("engine fidelity (recorded AWS histories)")
    terminalreporter.write_line(f"matched {matched} / run {run} / skipped {len(skipped)} "
                                f"(of {len(FIGURE)} selected recordings)")
    for name, verdict in sorted(skipped.items()):
        terminalreporter.write_line(f"  {name}: {verdict}")
    known = {**STRICT, **TIMING}
    for name, verdict in sorted(FIGURE.items()):
        if verdict == "diverged":
            why = f"known divergence (xfail): {known[name]}" if name in known else "UNEXPECTED divergence"
            terminalreporter.write_line(f"  {name}: {why}")
