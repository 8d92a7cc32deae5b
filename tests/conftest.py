"""Shared test configuration.

Hypothesis profiles (select with HYPOTHESIS_PROFILE=name; default ``ci``):
  * ``ci``       -- derandomized, 100 examples per property, no deadline (never flakes);
  * ``thorough`` -- 10,000 examples per property, randomized (long; run locally:
                    ``HYPOTHESIS_PROFILE=thorough python -m pytest``).

Real data: tests marked ``data`` read ``$RS_DATA_DIR`` (default ``../shared/data`` next to the
checkout) and skip with a reason when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    env = os.environ.get("RS_DATA_DIR")
    cand = Path(env) if env else ROOT.parent / "shared" / "data"
    return cand if cand.is_dir() else None


@pytest.fixture
def data_dir() -> Path:
    d = shared_data_dir()
    if d is None:
        pytest.skip("real data not found: set RS_DATA_DIR or place it at ../shared/data")
    return d
