"""Shared test configuration.

Hypothesis profiles (select with HYPOTHESIS_PROFILE=name; default ``ci``):
  * ``ci``       -- derandomized, 100 examples per property, no deadline (never flakes);
  * ``thorough`` -- 10,000 examples per property, randomized (long; run locally:
                    ``HYPOTHESIS_PROFILE=thorough python -m pytest``).

Parallel runs: the README's command runs the suite with pytest-xdist (``-n auto``, one worker per CPU).  Each
worker then gets one math-library thread (OMP/MKL), set here before any test imports torch or numpy's BLAS, so
that two workers on two cores do not run four threads.

Real data: tests marked ``data`` read ``$RS_DATA_DIR`` (default ``../shared/data`` next to the
checkout) and skip with a reason when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

if os.environ.get("PYTEST_XDIST_WORKER"):
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

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
