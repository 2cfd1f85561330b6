"""Tools importable by ``module:function`` (for the remote-registration tests)."""

from __future__ import annotations

from typing import Any


def double(event: Any, context: Any) -> Any:
    return event * 2


def triple(event: Any, context: Any) -> Any:
    return event * 3
