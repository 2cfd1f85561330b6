"""Deterministic stand-ins for randomness: every "measurement" is a hash of the inputs it describes.

Example tools must give the same answer for the same input on every run (tests and demos compare
runs), yet look varied across inputs; a SHA-256 of the input text gives both.
"""

from __future__ import annotations

import hashlib


def number(*parts: object, low: int = 0, high: int = 100) -> int:
    """A whole number in ``[low, high]`` fixed by ``parts``.

    Example:
        >>> number("checkout-api", "cpu", low=0, high=100) == number("checkout-api", "cpu", low=0, high=100)
        True
    """
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return low + int.from_bytes(digest[:8], "big") % (high - low + 1)


def ratio(*parts: object, low: float = 0.0, high: float = 1.0, digits: int = 3) -> float:
    """A float in ``[low, high]`` fixed by ``parts``, rounded to ``digits``."""
    return round(low + (high - low) * number(*parts, low=0, high=10_000) / 10_000, digits)
