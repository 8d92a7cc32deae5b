"""Ground truths: base classifiers + noises whose smoothed class probabilities and true robust radius are exact.

They are the reference of the soundness simulation (:mod:`theory.soundness`) and of the bracket upper bounds of
the Neyman-Pearson engine (:mod:`theory.neyman_pearson`); this module sits below both (it imports neither).

Ground truths (x is the clean input, f the base classifier; Phi the standard normal cdf):

* ``halfspace-l2`` -- f(x) = 1[w.x + b >= 0], ||w||_2 = 1, Z ~ N(0, sigma^2 I_d): pA = Phi(m / sigma) with
  m = w.x + b; the smoothed prediction flips exactly at l2 distance m, so
  ``true_radius = sigma * Phi^{-1}(pA)`` (Cohen et al. 2019, Theorem 1 is tight for half-spaces).
* ``halfspace-linf`` -- same half-space with w = (1, ..., 1) / sqrt(d): an l_inf perturbation of size r moves
  w.x by at most r ||w||_1 = r sqrt(d), so ``true_radius = sigma Phi^{-1}(pA) / sqrt(d)``.  This is the
  worst half-space for l_inf (largest ||w||_1 at ||w||_2 = 1), hence the tight Gaussian l_inf radius.
* ``axis-exp`` -- f(x) = 1[x_1 >= t] under the eq.-6 noise p(z) ∝ exp(-||z||_inf / sigma).  By R14,
  z = R U with R ~ Gamma(d + 1, sigma), U uniform on [-1, 1]^d, so for s >= 0

      P(|z_1| > s) = E[(1 - s/R)_+] = Q(d + 1, s/sigma) - (s / (sigma d)) Q(d, s/sigma)

  (Q the regularised upper incomplete gamma function; uses E[1/R; R > s] = Q(d, s/sigma) / (sigma d)).
  pA = 1 - P(|z_1| > m) / 2 and the prediction flips at l_inf distance m: ``true_radius = m``, solved with
  mpmath at 40 digits.  For d = 1 the law is Laplace and 1 - pA = exp(-m/sigma)/2.
  For d > 1 this rule is NOT the worst case for eq.-6 noise in l_inf: its true radius exceeds Yang et al.'s
  tight radius sigma log(1/(2(1 - pA))) (by a factor 3.6 at d = 10, 1 - pA = 1e-2; 1.3 at d = 2), so a certificate
  can over-certify by that much before it fails here.  The next ground truth closes the gap.
* ``corner-exp`` -- the Neyman-Pearson worst case of eq.-6 noise in l_inf, any d: with M(y) = max_i y_i +
  min_i y_i, f(y) = B iff M(y - x) >= 2b (b > 0), A otherwise.  For the corner shift delta = t (1, ..., 1) the
  log-likelihood ratio (||z||_inf - ||z - delta||_inf)/sigma takes its maximum t/sigma exactly on
  {z : ||z - delta||_inf = ||z||_inf - t} = {z : M(z) >= 2t} (every z_i in [2t - R, R] with R = max_i z_i =
  ||z||_inf), and the B region is that set at t = b.  Its probability, with z = R (face, sign, uniform rest)
  and R = ||z||_inf ~ Gamma(d, sigma) (the other coordinates uniform on [-R, R], the face sign +):

      P(M(z) >= 2b) = (1/2) E[(1 - b/R)_+^{d-1}] = (1/2) int_b^inf (r - b)^{d-1} e^{-r/sigma} dr / (Gamma(d) sigma^d)
                    = e^{-b/sigma} / 2,

  so 1 - pA = e^{-b/sigma}/2 and b = sigma log(1/(2(1 - pA))) in every d.  Moving x by t (1, ..., 1) shifts M
  by 2t: pB(t) = P(M(z) >= 2(b - t)) = e^{-(b-t)/sigma}/2 for t <= b and, M(z) being symmetric and
  continuous, 1 - e^{-(t-b)/sigma}/2 > 1/2 for t > b: the prediction flips at l_inf distance b.  No shift
  with ||delta||_inf < b flips it: the likelihood ratio is at most e^{||delta||_inf/sigma} (triangle
  inequality), so pB(delta) <= e^{||delta||_inf/sigma} (1 - pA) < 1/2.  Hence ``true_radius = b``, equal to
  Yang et al.'s radius at the true pA: a certificate fails here as soon as it certifies more than the tight
  radius.  (d = 1: the Laplace half-line, the same as axis-exp at d = 1.)
* ``slab-multiclass`` -- three classes along w (||w||_2 = 1), Gaussian noise: A = {u >= -sigma a},
  B = {u <= sigma b}, C = between, with u = w.(z) + const, a = Phi^{-1}(pA), b = Phi^{-1}(pB).  Moving x by
  -s w gives pA(s) = Phi(a - s/sigma), pB(s) = Phi(b + s/sigma), pC(s) = 1 - pA(s) - pB(s); only the
  component along w matters, so ``true_radius`` = the first s > 0 with pA(s) = max(pB(s), pC(s))
  (= sigma (a - b) / 2, Cohen et al.'s multi-class bound, when C never overtakes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
from scipy import optimize, special

from theory import validate as V

__all__ = [
    "GroundTruth",
    "halfspace_l2",
    "halfspace_linf",
    "axis_exponential",
    "corner_exponential",
    "slab_multiclass",
    "exponential_axis_tail",
    "corner_exponential_pB",
]


# =====================================================================================================
# Ground truths
# =====================================================================================================

@dataclass(frozen=True)
class GroundTruth:
    """A base classifier + noise whose smoothed class probabilities and true robust radius are exact.

    ``probs`` are the true class probabilities at x, class 0 being the smoothed prediction (the top class);
    ``one_minus_pA`` is 1 - probs[0] held exactly (probs[0] may round to 1.0).

    Examples
    --------
    >>> gt = halfspace_l2(0.1, sigma=0.5)
    >>> gt.kind, gt.probs, round(gt.true_radius, 6)          # sigma Phi^-1(0.9)
    ('halfspace-l2', (0.9, 0.1), 0.640776)
    """

    kind: str
    mechanism: str  # "gaussian" | "exponential-linf"
    norm: str  # "l2" | "linf"
    sigma: float
    d: int
    probs: tuple[float, ...]
    one_minus_pA: float
    true_radius: float
    label: str

    @property
    def n_classes(self) -> int:
        return len(self.probs)

    @property
    def binary(self) -> bool:
        return len(self.probs) == 2

    def key(self) -> str:
        return (f"{self.kind}|{self.mechanism}|{self.norm}|sigma={self.sigma!r}|d={self.d}|"
                f"q={self.one_minus_pA!r}|p={','.join(repr(float(p)) for p in self.probs)}")


def _phi_inv_upper(one_minus_p: float) -> float:
    """Phi^{-1}(p) from 1 - p, exact in the upper tail: Phi^{-1}(p) = -Phi^{-1}(1 - p)."""
    return -float(special.ndtri(one_minus_p)) if one_minus_p > 1e-300 else -float(
        special.ndtri_exp(math.log(one_minus_p)))


def halfspace_l2(one_minus_pA: float, sigma: float = 1.0) -> GroundTruth:
    """Binary half-space under N(0, sigma^2 I): true l2 radius sigma * Phi^{-1}(pA) (see module doc).

    Examples
    --------
    >>> round(halfspace_l2(0.1, sigma=0.5).true_radius, 6)   # sigma Phi^-1(pA)
    0.640776
    """
    q = V.in_open_interval("one_minus_pA", one_minus_pA, 0.0, 0.5)
    sigma = V.positive("sigma", sigma)
    r = sigma * _phi_inv_upper(q)
    return GroundTruth("halfspace-l2", "gaussian", "l2", sigma, 1, (1.0 - q, q), q, r,
                       "half-space, Gaussian noise, l2")


def halfspace_linf(one_minus_pA: float, sigma: float = 1.0, d: int = 3072) -> GroundTruth:
    """Binary half-space with normal (1,...,1)/sqrt(d) under N(0, sigma^2 I_d): true l_inf radius
    sigma Phi^{-1}(pA) / sqrt(d) (the worst half-space for l_inf; see module doc).

    Examples
    --------
    >>> round(halfspace_linf(0.1, sigma=0.5, d=4).true_radius, 6)   # sigma Phi^-1(pA) / sqrt(d)
    0.320388
    """
    q = V.in_open_interval("one_minus_pA", one_minus_pA, 0.0, 0.5)
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    r = sigma * _phi_inv_upper(q) / math.sqrt(d)
    return GroundTruth("halfspace-linf", "gaussian", "linf", sigma, d, (1.0 - q, q), q, r,
                       f"half-space w=1/sqrt(d), Gaussian noise, l_inf, d={d}")


def exponential_axis_tail(s: Any, sigma: float, d: int, dps: int = 40) -> Any:
    """P(|z_1| > s) for eq.-6 noise p(z) ∝ exp(-||z||_inf / sigma) on R^d, as an mpmath number.

    ``Q(d + 1, s/sigma) - (s / (sigma d)) Q(d, s/sigma)`` (module doc), evaluated at ``dps`` digits (the two
    terms cancel for s >> d sigma; 40 digits leave > 20 correct for every case used here).

    Examples
    --------
    >>> round(float(exponential_axis_tail(1.0, 1.0, 1)), 6)   # d = 1: Laplace tail e^-s
    0.367879
    """
    with mpmath.workdps(dps):
        x = mpmath.mpf(s) / sigma
        if x <= 0:
            return mpmath.mpf(1)
        if d == 1:
            return mpmath.exp(-x)
        return (mpmath.gammainc(d + 1, x, regularized=True)
                - x / d * mpmath.gammainc(d, x, regularized=True))


def axis_exponential(one_minus_pA: float, sigma: float = 1.0, d: int = 1) -> GroundTruth:
    """Binary axis-aligned rule 1[x_1 >= t] under eq.-6 noise: true l_inf radius = the margin m solving
    P(|z_1| > m) / 2 = 1 - pA (bisection in log space with mpmath, relative accuracy 1e-15).

    Examples
    --------
    >>> round(axis_exponential(0.1, sigma=0.5, d=1).true_radius, 6)   # sigma log(1/(2(1 - pA)))
    0.804719
    """
    q = V.in_open_interval("one_minus_pA", one_minus_pA, 0.0, 0.5)
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    if d == 1:
        m = sigma * (-math.log(2.0 * q))
    else:
        with mpmath.workdps(40):
            target = mpmath.log(2 * mpmath.mpf(q))

            def g(x: Any) -> Any:  # decreasing in x; x = m / sigma
                return mpmath.log(exponential_axis_tail(x, 1.0, d)) - target

            lo, hi = mpmath.mpf(0), mpmath.mpf(d + 1)
            while g(hi) > 0:
                lo, hi = hi, 2 * hi
            for _ in range(200):
                mid = (lo + hi) / 2
                if g(mid) > 0:
                    lo = mid
                else:
                    hi = mid
                if hi - lo <= 1e-17 * hi:
                    break
            m = sigma * float((lo + hi) / 2)
    return GroundTruth("axis-exp", "exponential-linf", "linf", sigma, d, (1.0 - q, q), q, m,
                       f"axis rule x_1 >= t, eq.-6 noise, l_inf, d={d}")


def corner_exponential(one_minus_pA: float, sigma: float = 1.0, d: int = 2) -> GroundTruth:
    """Binary rule f(y) = B iff max_i (y - x)_i + min_i (y - x)_i >= 2b under eq.-6 noise: the Neyman-Pearson
    worst case for the corner shift (module doc).  1 - pA = e^{-b/sigma}/2 in every d, so the true l_inf
    radius is b = sigma log(1/(2(1 - pA))) (= Yang et al.'s tight radius at the true pA).

    Examples
    --------
    >>> round(corner_exponential(0.1, sigma=0.5, d=2).true_radius, 6)   # = Yang et al.'s tight radius
    0.804719
    """
    q = V.in_open_interval("one_minus_pA", one_minus_pA, 0.0, 0.5)
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    b = sigma * -math.log(2.0 * q)
    return GroundTruth("corner-exp", "exponential-linf", "linf", sigma, d, (1.0 - q, q), q, b,
                       f"max+min rule (NP worst case for the corner shift), eq.-6 noise, l_inf, d={d}")


def corner_exponential_pB(t: float, b: float, sigma: float) -> float:
    """pB at x + t (1, ..., 1) for :func:`corner_exponential` with margin b: P(M(z) >= 2(b - t)) =
    e^{-(b-t)/sigma}/2 for t <= b, 1 - e^{-(t-b)/sigma}/2 for t > b (module doc; independent of d).

    Examples
    --------
    >>> round(corner_exponential_pB(0.0, 0.1, 0.5), 6)
    0.409365
    """
    u = (b - t) / sigma
    return 0.5 * math.exp(-u) if u >= 0 else 1.0 - 0.5 * math.exp(u)


def slab_multiclass(pA: float, pB: float, sigma: float = 1.0) -> GroundTruth:
    """Three parallel classes A | C | B under N(0, sigma^2 I): true l2 radius = first s with
    pA(s) = max(pB(s), pC(s)) (module doc).  Requires pA > pB > 0, pA > 1 - pA - pB >= 0.

    Examples
    --------
    >>> gt = slab_multiclass(0.5, 0.3, sigma=0.5)
    >>> gt.probs, round(gt.true_radius, 4)
    ((0.5, 0.3, 0.2), 0.1311)
    """
    pA = V.in_open_interval("pA", pA, 0.0, 1.0)
    pB = V.in_open_interval("pB", pB, 0.0, 1.0)
    sigma = V.positive("sigma", sigma)
    pC = 1.0 - pA - pB
    if pC < -1e-15 or not (pA > pB and pA > pC):
        raise ValueError(f"pA must be the top class probability and pA + pB <= 1, got pA={pA}, pB={pB}")
    pC = max(pC, 0.0)
    a, b = float(special.ndtri(pA)), float(special.ndtri(pB))

    def pa(s: float) -> float:
        return float(special.ndtr(a - s))

    def pb(s: float) -> float:
        return float(special.ndtr(b + s))

    def h(s: float) -> float:  # > 0 while A stays on top (s in units of sigma)
        pas, pbs = pa(s), pb(s)
        pcs = float(special.ndtr(-b - s)) - pas  # P(sigma b + s < u < -sigma a + s) in units: 1 - pA(s) - pB(s)
        return pas - max(pbs, pcs)

    # Scan then refine: h is continuous, h(0) > 0, h(s) < 0 once s > (a - b) / 2.
    s_hi = (a - b) / 2.0 + 1e-9
    grid = np.linspace(0.0, s_hi, 2001)
    vals = np.array([h(s) for s in grid])
    idx = int(np.argmax(vals <= 0))
    s_star = optimize.brentq(h, grid[idx - 1], grid[idx], xtol=1e-15, rtol=1e-15) if idx > 0 else 0.0
    return GroundTruth("slab-multiclass", "gaussian", "l2", sigma, 1, (pA, pB, pC), 1.0 - pA,
                       sigma * s_star, "three parallel classes A|C|B, Gaussian noise, l2")
