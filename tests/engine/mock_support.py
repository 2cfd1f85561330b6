"""A counting stand-in for the triage ``fetch_alert`` tool: proves a mocked Task never calls its tool."""

from __future__ import annotations

import threading
from typing import Any

from missions.tools.triage import fetch_alert as real_fetch_alert

CALLS: list[Any] = []
_lock = threading.Lock()


def counting_fetch_alert(event: Any, context: Any = None) -> Any:
    with _lock:
        CALLS.append(event)
    return real_fetch_alert(event, context)
