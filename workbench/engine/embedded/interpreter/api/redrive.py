"""Placeholder: filled in by the redrive work of issue 13."""

from __future__ import annotations


def install() -> None:
    """Nothing to install yet."""
