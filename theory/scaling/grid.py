"""The dimension grid of the scaling report and the paper's data dimensions (Section 4)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from theory import validate as V

#: Dimensions of the paper's data sets (Section 4): MNIST 28·28, CIFAR-10 32·32·3, ImageNet 224·224·3.
PAPER_DIMS = {"MNIST": 784, "CIFAR-10": 3072, "ImageNet": 150528}

#: Largest dimension of the grid: 2**53, beyond which d is not exact in float64 (as theory.mechanisms).
MAX_DIM = 2 ** 53

#: Representative top-class probabilities (binary case, pB = 1 - pA).
DEFAULT_PA = (0.9, 0.99, 0.999)

#: The Gaussian σ values of the paper's experiments (Section 4.1).
PAPER_SIGMAS = (0.25, 0.5, 1.0)


# --------------------------------------------------------------------------------------------------
# The dimension grid
# --------------------------------------------------------------------------------------------------
def default_dims(n_points: int = 49, d_max: float = 1e6, extra: Sequence[int] = tuple(PAPER_DIMS.values())
                 ) -> np.ndarray:
    """Log-spaced integer dimensions 1 … d_max (``n_points`` before de-duplication) plus ``extra``.

    With the defaults: 1 … 10⁶ in steps of 10^0.125 (rounded to integers, duplicates at small d removed),
    plus 784, 3072, 150528 — at least 40 distinct points.

    Examples
    --------
    >>> dims = default_dims()
    >>> len(dims), int(dims[0]), int(dims[-1]), 3072 in dims
    (50, 1, 1000000, True)
    """
    n_points = V.count("n_points", n_points, minimum=2)
    d_max = V.dimension("d_max", d_max)
    grid = np.rint(np.logspace(0.0, math.log10(d_max), n_points)).astype(np.int64)
    extra = [V.dimension("extra", e) for e in extra]
    return np.unique(np.concatenate([grid, np.asarray(extra, dtype=np.int64)]))


def _dims_array(dims: Iterable[Any] | None) -> np.ndarray:
    if dims is None:
        return default_dims()
    try:
        seq = list(dims)
    except TypeError:
        raise ValueError(f"dims must be a sequence of integers >= 1, got {dims!r}") from None
    if len(seq) == 0:
        raise ValueError("dims must contain at least one dimension (integers >= 1)")
    out = [V.dimension("dims", d) for d in seq]
    big = [d for d in out if d > MAX_DIM]
    if big:  # beyond 2**53 d is not exact in float64 (and 1e30 does not fit an int64): refused, not clamped
        raise ValueError(f"dims must be integers in [1, 2**53], got {big[0]:.6g}")
    return np.unique(np.asarray(out, dtype=np.int64))
