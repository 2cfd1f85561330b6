"""Placeholder: filled in by the sync work of issue 13."""

from __future__ import annotations


def install() -> None:
    """Nothing to install yet."""
