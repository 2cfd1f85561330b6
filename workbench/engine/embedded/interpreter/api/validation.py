"""Placeholder: filled in by the validation work of issue 13."""

from __future__ import annotations


def install() -> None:
    """Nothing to install yet."""
