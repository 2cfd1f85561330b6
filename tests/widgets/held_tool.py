"""The triage Mission with a first tool that runs until the test lets it go: "still running" without a sleep.

Tools run in the test process (the embedded engine), so the test and the tool share these events.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from missions.tools import triage

from .widget_support import TRIAGE

HOLD_SECONDS = 60.0  # only a cap: the test releases the tool long before
STARTED = threading.Event()
RELEASE = threading.Event()
_TOOL = 'local: "missions.tools.triage:fetch_alert"'


def fetch_alert(event: Any, context: Any = None) -> Any:
    """``triage.fetch_alert`` once the test sets :data:`RELEASE`; sets :data:`STARTED` on entry."""
    STARTED.set()
    RELEASE.wait(HOLD_SECONDS)
    return triage.fetch_alert(event, context)


@contextmanager
def triage_with_held_fetch(folder: Path) -> Iterator[Path]:
    """A copy of the triage Mission whose ``fetch_alert`` is :func:`fetch_alert`; released on exit, always."""
    text = TRIAGE.read_text(encoding="utf-8")
    assert _TOOL in text, "the triage Mission's fetch_alert tool moved"
    path = folder / TRIAGE.name
    path.write_text(text.replace(_TOOL, f'local: "{__name__}:fetch_alert"'), encoding="utf-8")
    STARTED.clear()
    RELEASE.clear()
    try:
        yield path
    finally:
        RELEASE.set()
