"""Tools for the report-secrets Mission: one that fails and quotes its whole input in the error."""

from __future__ import annotations

import json
from typing import Any


class UpstreamRejected(Exception):
    """What a careless tool raises: its message echoes the request, secrets and all."""


def leak(event: Any, context: Any = None) -> Any:
    """Fail with the input in the message twice: as JSON text and as a Python repr."""
    raise UpstreamRejected(f"upstream rejected the request {json.dumps(event)} (repr: {event!r})")
