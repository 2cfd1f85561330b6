"""Generic stand-ins for Lambda functions of imported state machines (bind them with ``--tool``)."""

from __future__ import annotations

from typing import Any


def echo(event: Any, context: Any = None) -> Any:
    """Return the event unchanged: enough for state machines that only pass data along."""
    return event


def ok(event: Any, context: Any = None) -> dict[str, Any]:
    """Merge ``{"status": "OK", "statusCode": 200}`` into an object event (the usual 'it worked' answer)."""
    base = event if isinstance(event, dict) else {"input": event}
    return {**base, "status": "OK", "statusCode": 200}
