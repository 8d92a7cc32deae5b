"""Independent verification of the yang-linf radius (Yang et al. 2020, eq.-6 noise, l_inf) in low dimension:
d = 1 exactly (Laplace, mpmath root), d >= 2 by a Monte Carlo Neyman-Pearson computation.  The derivation of its
tightness is in :mod:`theory.certificates.radii`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from theory import validate as V
from theory.certificates.registry import radius

__all__ = ["yang_linf_check_1d", "yang_linf_check_mc"]

# =====================================================================================================
# Independent verification of the yang-linf radius in low dimension (d = 1 exact, d >= 2 numeric NP)
# =====================================================================================================

def yang_linf_check_1d(one_minus_pA: Any, sigma: float = 1.0, dps: int = 50) -> dict[str, Any]:
    """d = 1: eq. 6 is the Laplace density e^{-|z|/sigma}/(2 sigma).  Exact Neyman-Pearson flip radius.

    For a shift t > 0 the log-likelihood ratio log p(z - t)/p(z) = (|z| - |z - t|)/sigma is non-decreasing
    in z, so the set of P0-mass m = 1 - pA with the largest shifted mass is a half-line B = {z >= b},
    e^{-b/sigma}/2 = m (b >= 0).  Its shifted mass is P(Z >= b - t) = e^{-(b - t)/sigma}/2 for t <= b and
    1 - e^{(b - t)/sigma}/2 for t > b; the prediction can flip iff that reaches 1/2.  The flip radius is the
    root in t of  P(Z >= b - t) = 1/2,  solved here with mpmath.findroot at ``dps`` digits (not the closed
    form) and returned with ``yang`` = yang-linf's radius for comparison.

    References
    ----------
    Yang et al. 2020, "Randomized smoothing of all shapes and sizes" (ExpInf, l_inf).

    Examples
    --------
    >>> res = yang_linf_check_1d(0.01)          # both log(1 / 0.02) = 3.912023
    >>> round(res["np_flip_radius"], 6), round(res["yang"], 6)
    (3.912023, 3.912023)
    """
    e = V.in_open_interval("one_minus_pA", one_minus_pA, 0.0, 0.5)
    sigma = V.positive("sigma", sigma)
    import mpmath as mp

    with mp.workdps(dps):
        s = mp.mpf(sigma)
        b = -s * mp.log(2 * mp.mpf(e))

        def shifted_mass(t: Any) -> Any:
            u = b - t
            return mp.exp(-u / s) / 2 if u >= 0 else 1 - mp.exp(u / s) / 2

        t_star = mp.findroot(lambda t: shifted_mass(t) - mp.mpf(1) / 2, (mp.mpf(0), b + s), solver="anderson")
        return {"one_minus_pA": e, "sigma": sigma, "np_flip_radius": float(t_star),
                "yang": radius("yang-linf", one_minus_pA=e, sigma=sigma)}


def _eq6_samples(n: int, d: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Z with density proportional to exp(-||z||_inf / sigma): ||Z||_inf = R ~ Gamma(d, scale sigma) (the l_inf
    sphere of radius r has surface measure proportional to r^{d-1}), the face (coordinate, sign) uniform, the
    other coordinates uniform on [-R, R].  (Written independently of theory.mechanisms' R14 sampler.)"""
    R = rng.gamma(d, sigma, size=n)
    z = rng.uniform(-1.0, 1.0, size=(n, d)) * R[:, None]
    i = rng.integers(0, d, size=n)
    sgn = rng.choice([-1.0, 1.0], size=n)
    z[np.arange(n), i] = sgn * R
    return z


def yang_linf_check_mc(one_minus_pA: Any, t: Any, direction: npt.ArrayLike, *, sigma: float = 1.0, d: int = 2,
                       n: int = 1_000_000, seed: int = 0) -> dict[str, Any]:
    """Numeric Neyman-Pearson bound for eq.-6 noise in dimension d at the shift delta = t * direction.

    beta(m) = max_{B: P0(B) = m} P_delta(B) = E_0[e^{lambda} 1_B] with B the top-m quantile of the
    log-likelihood ratio lambda(z) = (||z||_inf - ||z - delta||_inf)/sigma (Neyman-Pearson); estimated on
    n draws of Z (fixed seed) by summing e^{lambda} over the top m n draws.  In binary form the prediction
    can flip at delta iff beta(1 - pA) >= 1/2.  Also returns the P0-mass of the maximal-ratio set
    {lambda = ||delta||_inf / sigma} (for the corner direction it equals e^{-t/sigma}/2, which makes
    yang-linf tight: at t = sigma log(1/(2(1 - pA))) that set has mass exactly 1 - pA and shifted mass 1/2).

    Returns beta, its standard error ``se``, ``max_ratio_count`` (of n) and ``yang`` (the radius).

    References
    ----------
    Yang et al. 2020, "Randomized smoothing of all shapes and sizes" (ExpInf, l_inf); Neyman & Pearson 1933.

    Examples
    --------
    At the yang-linf radius and the corner direction, beta(1 - pA) = 1/2 (within 6 standard errors):

    >>> t = radius("yang-linf", one_minus_pA=0.01, sigma=1.0)
    >>> res = yang_linf_check_mc(0.01, t, [1.0, 1.0], n=100_000)
    >>> abs(res["beta"] - 0.5) < 6 * res["se"]
    True
    """
    e = V.in_open_interval("one_minus_pA", one_minus_pA, 0.0, 0.5)
    t = V.positive("t", t)
    d = V.dimension("d", d)
    sigma = V.positive("sigma", sigma)
    n = V.count("n", n, minimum=1000)
    u = np.asarray(direction, dtype=float)
    if u.shape != (d,) or not np.isclose(np.abs(u).max(), 1.0):
        raise ValueError(f"direction must be a length-{d} vector with ||direction||_inf = 1")
    rng = np.random.default_rng(seed)
    z = _eq6_samples(n, d, sigma, rng)
    delta = t * u
    lam = (np.abs(z).max(axis=1) - np.abs(z - delta).max(axis=1)) / sigma
    k = int(math.floor(e * n))
    top = np.partition(lam, n - k)[n - k:] if k > 0 else np.empty(0)
    vals = np.zeros(n)
    vals[:k] = np.exp(top)
    beta = float(vals.sum() / n)
    se = float(vals.std(ddof=1) / math.sqrt(n))
    lmax = t * float(np.abs(u).max()) / sigma
    count = int(np.count_nonzero(lam >= lmax - 1e-12 * max(1.0, lmax)))
    return {"one_minus_pA": e, "t": t, "direction": u.tolist(), "d": d, "sigma": sigma, "n": n, "seed": seed,
            "beta": beta, "se": se, "max_ratio_count": count, "max_ratio_mass_corner_theory": math.exp(-t / sigma) / 2,
            "yang": radius("yang-linf", one_minus_pA=e, sigma=sigma)}

