"""Shared fixtures: where the real-world corpus lives (``../shared/corpus`` beside the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# No test may reach beyond 127.0.0.1: without credentials, botocore would ask the EC2 instance metadata
# service (169.254.169.254) for some. Tests that need "no credentials" get NoCredentialsError at once.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("WORKBENCH_CORPUS", REPO.parent / "shared" / "corpus"))
ARTIFACTS = Path(os.environ.get("WORKBENCH_ARTIFACTS", REPO / "test-artifacts"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus folder; the suite fails loudly when it is missing."""
    if not CORPUS.is_dir():
        raise RuntimeError(f"corpus not found at {CORPUS}: set WORKBENCH_CORPUS")
    return CORPUS


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and other files a human may want to look at after a run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
