"""Shared fixtures: where the real-world corpus lives (``../shared/corpus`` beside the repo); Hypothesis profiles.

Hypothesis runs the same examples on every run unless asked otherwise, so ``make test`` and CI cannot fail
on one run and pass on the next. Profiles (choose with ``HYPOTHESIS_PROFILE``):

- ``ci`` (the default): derandomised (examples seeded from each test's own code), no example database,
  no deadline (a slow machine is not a failure), Hypothesis' usual 100 examples per test;
- ``fuzz`` (``make fuzz``): a new random seed every run and 2,000 examples per test, keeping failing
  examples in ``.hypothesis/`` so the next run tries them first.

Either way a failure prints the example and a ``@reproduce_failure`` blob. Tests set no ``max_examples`` or
seeds of their own (that would pin them whatever the profile); an input that must always be tried goes in
an ``@example(...)`` or a plain parametrised test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["tests.browser_support"]  # the shared headless Chromium fixture ``browser``

# No test may reach beyond 127.0.0.1: without credentials, botocore would ask the EC2 instance metadata
# service (169.254.169.254) for some. Tests that need "no credentials" get NoCredentialsError at once.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

# too_slow is a timing check: on a busy machine it fails runs that a quiet one passes.
_STEADY = {"deadline": None, "print_blob": True, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", derandomize=True, database=None, max_examples=100, **_STEADY)
settings.register_profile("fuzz", derandomize=False, max_examples=2000, **_STEADY)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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
