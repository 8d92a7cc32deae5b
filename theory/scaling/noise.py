"""Noise magnitudes E‖z‖∞, E‖z‖₂ vs d: exact (:mod:`theory.mechanisms`) and Monte Carlo (T15, R14)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from theory import noises
from theory import validate as V
from theory.scaling.grid import _dims_array

# --------------------------------------------------------------------------------------------------
# Noise magnitudes: exact (theory.mechanisms) and Monte Carlo
# --------------------------------------------------------------------------------------------------
#: Mechanisms compared in this report: the noises of the table marked ``scaling`` (theory.noises.scaling_noises).
NOISE_MECHANISMS = noises.scaling_noises()

MECHANISM_LABELS = {name: noises.get(name).label for name in NOISE_MECHANISMS}


def mean_confidence_interval(x: ArrayLike, level: float) -> tuple[float, float, float, float]:
    """Sample mean of x with the CLT/Student interval mean ± t_{n-1,(1+level)/2} · s/√n.

    Returns (mean, low, high, standard error). Coverage is asymptotic (CLT); the norms sampled here have
    all moments, and n >= 20 is enforced by the callers.

    Examples
    --------
    >>> m, lo, hi, se = mean_confidence_interval([1.0, 2.0, 3.0], 0.95)
    >>> m, round(lo, 4), round(hi, 4)                     # 2 -+ t_{2, 0.975} / sqrt(3)
    (2.0, -0.4841, 4.4841)
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(n))
    q = float(stats.t.ppf(0.5 + level / 2.0, n - 1))
    return m, m - q * se, m + q * se, se


def sample_linf_norm_order_statistic(mechanism: str, sigma: float, d: int, n: int,
                                     rng: np.random.Generator) -> np.ndarray:
    """n draws of ‖z‖∞ from its exact law, without materialising the d coordinates.

    * Gaussian: ‖z‖∞ = σ · max|z_i| and P(max|z_i| <= t) = (2Φ(t) − 1)^d, so by inverse transform
      ‖z‖∞ = σ · Φ^{-1}((1 + U^{1/d})/2) = σ · (−Φ^{-1}((1 − U^{1/d})/2)) with 1 − U^{1/d} = −expm1(log U / d)
      (accurate for d up to 10⁹ and beyond).
    * eq. 6 via R14: z = R · u with R ~ Gamma(d + 1, σ) and u uniform on [−1, 1]^d, so ‖z‖∞ = R · max|u_i|
      where max|u_i| ~ Beta(d, 1) = U^{1/d}, independent of R.

    Examples
    --------
    >>> import numpy as np
    >>> z = sample_linf_norm_order_statistic("exponential-linf", 1.0, 10, 5, np.random.default_rng(0))
    >>> z.shape, bool((z > 0).all())
    ((5,), True)
    """
    mechanism = V.choice("mechanism", mechanism, NOISE_MECHANISMS)
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    n = V.count("n", n, minimum=2)
    log_u = np.log(rng.random(n))
    if mechanism == "gaussian":
        tail = -np.expm1(log_u / d)  # 1 - U^{1/d}
        return np.asarray(sigma * -special.ndtri(tail / 2.0), dtype=float)
    radius = rng.gamma(d + 1.0, sigma, size=n)
    return np.asarray(radius * np.exp(log_u / d), dtype=float)


def _mechanism(name: str, sigma: float, d: int) -> Any:
    """The mechanism object of :mod:`theory.mechanisms`, built by the noise table (:mod:`theory.noises`)."""
    if name not in NOISE_MECHANISMS:
        raise ValueError(f"mechanism must be one of {sorted(NOISE_MECHANISMS)}, got {name!r}")
    build = noises.get(name).mechanism
    if build is None:  # pragma: no cover - a scaling noise without a mechanism class is a table error
        raise ValueError(f"noise {name} has no theory.mechanisms class")
    return build(sigma, d)


def _direct_samples(mech: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    """n draws of the full noise vector z ∈ R^d from the mechanism's own sampler (shape (n, d))."""
    z = np.asarray(mech.sample(rng, n), dtype=float)
    return z.reshape(n, -1)


def exact_noise_magnitudes(dims: Iterable[Any], sigma: float = 1.0) -> dict[str, dict[str, np.ndarray]]:
    """E‖z‖∞ and E‖z‖₂ per mechanism and d, from ``expected_linf_norm()`` / ``expected_l2_norm()`` of
    :mod:`theory.mechanisms` (Gaussian: one-dimensional quadrature; eq. 6: dσ by T15).

    Examples
    --------
    >>> ex = exact_noise_magnitudes([1, 10])
    >>> [float(v) for v in ex["exponential-linf"]["expected_linf_norm"]]   # T15: d sigma
    [1.0, 10.0]
    """
    sigma = V.positive("sigma", sigma)
    dims = _dims_array(dims)
    out = {}
    for name in NOISE_MECHANISMS:
        linf, l2 = [], []
        for d in dims:
            mech = _mechanism(name, sigma, int(d))
            linf.append(float(mech.expected_linf_norm()))
            l2.append(float(mech.expected_l2_norm()))
        out[name] = {"expected_linf_norm": np.asarray(linf), "expected_l2_norm": np.asarray(l2)}
    return out


def monte_carlo_noise(name: str, sigma: float, d: int, rng: np.random.Generator, *, level: float = 1.0 - 1e-6,
                      n_order: int = 20_000, direct_budget: int = 1_000_000, n_direct_min: int = 20,
                      n_direct_max: int = 2_000) -> dict[str, Any]:
    """Monte Carlo estimates of E‖z‖∞ and E‖z‖₂ with confidence intervals at ``level``.

    Two routes:

    * ``linf_order_statistic``: n_order draws of ‖z‖∞ from its exact law
      (:func:`sample_linf_norm_order_statistic`), cheap at any d;
    * ``linf_direct`` / ``l2_direct``: n = clip(direct_budget / d, n_direct_min, n_direct_max) full noise
      vectors from the mechanism's own sampler (Gaussian: numpy normals; eq. 6: the R14 sampler), so the
      cost is about ``direct_budget`` coordinates per (mechanism, d).

    Examples
    --------
    >>> import numpy as np
    >>> mc = monte_carlo_noise("gaussian", 1.0, 10, np.random.default_rng(0))
    >>> lo, hi = mc["linf_order_statistic"]["ci"]
    >>> bool(lo < exact_noise_magnitudes([10])["gaussian"]["expected_linf_norm"][0] < hi)
    True
    """
    level = V.in_open_interval("level", level, 0.0, 1.0)
    d = V.dimension("d", d)
    n_order = V.count("n_order", n_order, minimum=20)
    n_direct = int(min(max(direct_budget // d, n_direct_min), n_direct_max))
    n_direct = V.count("n_direct", n_direct, minimum=20)
    res = {}
    x = sample_linf_norm_order_statistic(name, sigma, d, n_order, rng)
    m, lo, hi, se = mean_confidence_interval(x, level)
    res["linf_order_statistic"] = {"n": n_order, "mean": m, "ci": [lo, hi], "stderr": se}
    mech = _mechanism(name, sigma, d)
    linf, l2 = [], []
    chunk = max(1, 4_000_000 // d)  # bound the memory of one batch to ~32 MB
    left = n_direct
    while left > 0:
        k = min(chunk, left)
        z = _direct_samples(mech, k, rng)
        linf.append(np.abs(z).max(axis=1))
        l2.append(np.sqrt(np.einsum("ij,ij->i", z, z)))
        left -= k
    for key, arr in (("linf_direct", np.concatenate(linf)), ("l2_direct", np.concatenate(l2))):
        m, lo, hi, se = mean_confidence_interval(arr, level)
        res[key] = {"n": n_direct, "mean": m, "ci": [lo, hi], "stderr": se}
    return res
