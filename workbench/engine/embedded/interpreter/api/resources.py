"""Placeholder: filled in by the real-client trial fixes of issue 13."""

from __future__ import annotations


def install() -> None:
    """Nothing to install yet."""
