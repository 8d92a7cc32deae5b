"""The Gaussian rounded to the 1/255 lattice: exact integer sampling thresholds and the certificate it gives
(issue 23, the sound ``gaussian-lattice`` mode of :mod:`empirical`).

Setting.  Pixels are integers k in {0, ..., 255} (the image is x = k/255).  With s = 255 sigma (sigma in pixel
units), the noise index of a coordinate is J = round(Z) = floor(Z + 1/2), Z ~ N(0, s^2), so

    P(J = j) = Phi((j + 1/2)/s) - Phi((j - 1/2)/s)                                        (the rounded Gaussian)

and the network sees a function of the integer k + J alone (``empirical.noise.LatticeGaussianSampler``).

Certificate (Cohen et al. 2019's radius still holds; proof).  For integer k, floor(k + Z + 1/2) = k + floor(Z + 1/2),
so k + J has the law of round(k + Z).  Hence, for any base classifier f on lattice inputs,
P(f(k + J) = c) = P(f~(k + Z) = c) with the base classifier f~ = f o round on R^d, and every Gaussian certificate
(valid for *any* base classifier) applies to f~ at the points k, k' -- in particular Cohen et al.'s Theorem 1:
g(x') = cA for every lattice x' with ||x' - x||_2 <= sigma Phi^{-1}(pA), and, for every shift,
P_x'(cA) >= Phi(Phi^{-1}(pA) - ||x' - x||_2 / sigma) (the Neyman-Pearson lemma for the half-space).  This is a sound
certificate on the lattice, not the lattice's tight radius: :func:`lattice_beta` computes the exact
Neyman-Pearson worst case over lattice shifts (enumeration, d <= 2) and :func:`lattice_tight_shift_1d` the first
flipping integer shift, both at least Cohen's (checked against :func:`theory.neyman_pearson.tight_radius`).

Sampler and its deviation (accounted for in the bound).  With B = 63 bits, the boundaries b_j = 2^B Phi((j - 1/2)/s),
j = -M, ..., M + 1, are computed once with mpmath and E_j = floor(b_j) kept as integers.  A draw U uniform on
{0, ..., 2^B - 1} is the first B bits of a uniform V in [0, 1): V lies in [U, U + 1)/2^B, a cell wholly inside atom j
iff E_j < U < E_{j+1}.  The sampler returns J = j for those and *rejects* (redraws) U <= E_{-M} (left tail),
U >= E_{M+1} (right tail) and the 2M interior edge cells U = E_j, so its law is the rounded Gaussian conditioned on
an event A of probability 1 - eta of the underlying uniform V, with

    eta = (E_{-M} + 1 + 2^B - E_{M+1} + 2M) / 2^B                                     (:attr:`LatticeGaussian.eta`)

and TV(law of V, law of V given A) = P(not A) = eta, so the total-variation distance between the sampler's J and the
rounded Gaussian is at most eta (a function of V; the tests compute it exactly and find it below eta).  Over d
coordinates the TV is at most d eta, so P_ideal(f = cA) >= P_sampler(f = cA) - d eta: the certificate uses
pA_lower - d eta (:func:`lattice_pA_lower`).  The clip M is the largest index whose atom still holds a whole cell
(about 9 s); the clipped mass is then ~ 1e-19 and eta ~ (2M + 2) 2^-63 (~ 1.2e-16 at sigma = 0.25).

>>> lg = lattice_gaussian(0.25)
>>> lg.s, lg.clip, lg.bits
(63.75, 556, 63)
>>> 0 < lg.eta < 2e-16
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np
from scipy import special

from theory import validate as V
from theory.certificates.counts import CertifyResult

__all__ = ["LEVELS", "LatticeGaussian", "lattice_beta", "lattice_certify_from_counts", "lattice_gaussian",
           "lattice_pA_lower", "lattice_tight_shift_1d", "rounded_gaussian_pmf", "shift_lower_bound"]

#: the pixel lattice: x = k / LEVELS, k integer
LEVELS = 255
#: bits of the uniform integers (torch's int64 ``random_`` gives 63)
BITS = 63
#: thresholds are computed up to |j| <= ceil(TAIL * s) (the clip, where atoms lose their last whole cell, is lower)
TAIL = 10.0
#: decimal digits of the threshold evaluation (the thresholds are ~ 2^63 ~ 1e19: 19 integer digits + margin)
DPS = 45


@dataclass(frozen=True)
class LatticeGaussian:
    """The rounded Gaussian J = round(Z), Z ~ N(0, s^2), s = levels * sigma, clipped to |J| <= clip, as integer
    thresholds for ``bits``-bit uniforms (module doc).

    ``edges[i]`` = E_{j} = floor(2^bits Phi((j - 1/2)/s)) for j = -clip + i, i = 0, ..., 2 clip + 1 (Python ints,
    strictly increasing).  ``eta`` bounds (exactly, rounded up to float) the total-variation distance between the
    sampler's law and the rounded Gaussian per coordinate; ``clipped_mass`` is the rounded Gaussian's mass outside
    |j| <= clip.
    """

    sigma: float
    levels: int
    s: float
    clip: int
    bits: int
    edges: tuple[int, ...]
    eta: float
    eta_exact: Fraction
    clipped_mass: float

    def pmf(self) -> np.ndarray:
        """The rounded Gaussian's P(J = j), j = -clip, ..., clip (float64; mpmath, no clipping)."""
        return rounded_gaussian_pmf(self.s, self.clip)

    def sampler_pmf(self) -> np.ndarray:
        """The sampler's exact law: the number of accepted cells of each atom over the number of accepted cells."""
        e = self.edges
        cells = [e[i + 1] - e[i] - 1 for i in range(len(e) - 1)]
        total = sum(cells)
        return np.array([c / total for c in cells])


def _phi_mp(x: mpmath.mpf) -> mpmath.mpf:
    return mpmath.ncdf(x)


def rounded_gaussian_pmf(s: float, clip: int, dps: int = 40) -> np.ndarray:
    """P(round(Z) = j) = Phi((j + 1/2)/s) - Phi((j - 1/2)/s), Z ~ N(0, s^2), for j = -clip, ..., clip (mpmath at
    ``dps`` digits, differences taken in high precision, then float64).

    >>> p = rounded_gaussian_pmf(1.0, 3)
    >>> round(float(p[3]), 6)          # P(|Z| < 1/2) = 2 Phi(1/2) - 1
    0.382925
    """
    s = V.positive("s", s)
    clip = V.count("clip", clip)
    with mpmath.workdps(dps):
        cdf = [_phi_mp((mpmath.mpf(j) - mpmath.mpf(1) / 2) / mpmath.mpf(s)) for j in range(-clip, clip + 2)]
        return np.array([float(cdf[i + 1] - cdf[i]) for i in range(2 * clip + 1)])


@lru_cache(maxsize=32)
def lattice_gaussian(sigma: float, levels: int = LEVELS, bits: int = BITS, tail: float = TAIL) -> LatticeGaussian:
    """The integer thresholds of the rounded Gaussian of noise ``sigma`` (pixel units) on the 1/``levels`` lattice
    (module doc), computed once with mpmath at 45 digits (cached).

    Parameters
    ----------
    sigma : float
        Noise standard deviation in pixel units (> 0); the lattice scale is s = levels * sigma.
    levels : int
        Lattice steps per unit (default 255).
    bits : int
        Bits of the uniform integers, 53 <= bits <= 63.
    tail : float
        Thresholds are computed for |j| <= ceil(tail * s), tail in [6, 40]; the clip is the largest |j| whose atom
        still holds a whole ``bits``-bit cell (about 9 s for 63 bits).

    >>> lg = lattice_gaussian(1 / 255)
    >>> lg.clip, len(lg.edges), lg.edges[lg.clip + 1] == 2 ** 63 - 1 - lg.edges[lg.clip]   # symmetric around 0
    (9, 20, True)
    """
    sigma = V.positive("sigma", sigma)
    levels = V.count("levels", levels, minimum=1)
    bits = V.count("bits", bits, minimum=53)
    if bits > 63:
        raise ValueError(f"bits must be in [53, 63] (int64 uniforms), got {bits}")
    tail = V.in_closed_interval("tail", tail, 6.0, 40.0)
    s = levels * sigma
    cap = max(1, math.ceil(tail * s))
    if cap > 10 ** 6:
        raise ValueError(f"sigma: {sigma!r} gives more than 2e6 thresholds; levels * sigma must be <= "
                         f"{10 ** 6 / tail:g}")
    top = 2 ** bits
    right: list[int] = []  # E_j for j = 1, 2, ...: the upper boundary of atom j - 1, while each atom keeps a whole cell
    with mpmath.workdps(DPS):
        mtop = mpmath.mpf(top)
        ms = mpmath.mpf(levels) * mpmath.mpf(sigma)  # sigma as the float given, exactly
        tiny = mpmath.mpf(10) ** (-(DPS - 25))
        for j in range(1, cap + 2):
            b = mtop * _phi_mp((mpmath.mpf(j) - mpmath.mpf(1) / 2) / ms)
            e = int(mpmath.floor(b))
            if min(abs(b - e), abs(b - e - 1)) < tiny:
                raise ArithmeticError(f"threshold {j} too close to an integer at {DPS} digits")  # pragma: no cover
            if right and e - right[-1] < 2:  # atom j - 1 would have no whole cell: clip before it
                break
            right.append(e)
        clip = len(right) - 1  # atoms 0, ..., clip have a whole cell each
        if clip < 1:
            raise ValueError(f"sigma: {sigma!r} is too small for {bits}-bit thresholds (fewer than 3 atoms)")
        clipped = float(2 * _phi_mp(-(mpmath.mpf(clip) + mpmath.mpf(1) / 2) / ms))
    # E_{1-j} = floor(2^B - b_j) = 2^B - 1 - E_j (symmetry; b_j is never an integer, checked above)
    left = [top - 1 - e for e in reversed(right)]  # E_{-clip}, ..., E_0
    edges = left + right
    eta_exact = Fraction(edges[0] + 1 + top - edges[-1] + 2 * clip, top)
    eta = math.nextafter(float(eta_exact), math.inf)
    return LatticeGaussian(float(sigma), levels, float(s), clip, bits, tuple(edges), eta, eta_exact, clipped)


def lattice_pA_lower(pA_lower: float, one_minus_pA_lower: float, d: int, eta: float) -> tuple[float, float]:
    """(pA_lower - d eta, 1 - pA_lower + d eta): the lower confidence bound of the *ideal* rounded Gaussian's pA from
    the sampler's (total variation <= d eta over d coordinates, module doc).

    >>> lattice_pA_lower(0.99, 0.01, 3072, 1e-16)[1] > 0.01
    True
    """
    d = V.dimension("d", d)
    eta = V.nonnegative("eta", eta)
    slack = d * eta
    return max(float(pA_lower) - slack, 0.0), min(float(one_minus_pA_lower) + slack, 1.0)


def lattice_certify_from_counts(nA: int, n: int, alpha: float, sigma: float, d: int, eta: float,
                                certificate: str = "cohen") -> CertifyResult:
    """CERTIFY for the ``gaussian-lattice`` sampler: the Clopper-Pearson bound of
    :func:`theory.certificates.certify_from_counts`, less d * eta (the sampler's total-variation distance to the
    rounded Gaussian over d coordinates), then the Gaussian ``certificate``'s radius at it (module doc: every
    Gaussian certificate holds on the lattice, through f o round).  Abstains when the bound falls below 1/2.

    >>> r = lattice_certify_from_counts(100000, 100000, 0.001, 0.25, 3072, 1.2e-16)
    >>> round(r.radius, 4), r.one_minus_pA_lower > 1 - 0.001 ** (1 / 100000)
    (0.9529, True)
    """
    from theory import certificates as C

    base = C.certify_from_counts(nA, n, alpha, sigma, certificate)
    if base.abstain:
        return base
    om = base.one_minus_pA_lower if base.one_minus_pA_lower is not None else 1.0 - base.pA_lower
    pA, om = lattice_pA_lower(base.pA_lower, om, d, eta)
    if pA < 0.5:
        return CertifyResult(True, pA, 0.0, om)
    return CertifyResult(False, pA, float(C.get(certificate).radius(one_minus_pA=om, sigma=sigma)), om)


def shift_lower_bound(pA_lower: float, distance: float, sigma: float, slack: float = 0.0) -> float:
    """Phi(Phi^{-1}(pA_lower) - distance / sigma) - slack: the lower bound on P_x'(cA) at ||x' - x||_2 = distance
    that a Gaussian certificate's pA_lower implies (the Neyman-Pearson lemma behind Cohen et al.'s Theorem 1; the
    half-space attains it), less ``slack`` (d * eta for the lattice sampler); 0 when pA_lower is 0.

    >>> round(shift_lower_bound(0.99, 0.0, 1.0), 12)
    0.99
    """
    pA_lower = V.in_closed_interval("pA_lower", pA_lower, 0.0, 1.0)
    distance = V.nonnegative("distance", distance)
    sigma = V.positive("sigma", sigma)
    if pA_lower <= 0.0:
        return 0.0
    if pA_lower >= 1.0:
        return 1.0 - float(slack)
    return float(special.ndtr(float(special.ndtri(pA_lower)) - distance / sigma)) - float(slack)


# ----------------------------------------------------------------------------------------------------
# the Neyman-Pearson worst case on the lattice (checks that Cohen's radius is sound there)
# ----------------------------------------------------------------------------------------------------

def _pmf_window(s: float, lo: int, hi: int) -> np.ndarray:
    """P(round(Z) = j) for j = lo, ..., hi (float64 via scipy, differences of the right tail where j > 0)."""
    j = np.arange(lo, hi + 1, dtype=float)
    a, b = (j - 0.5) / s, (j + 0.5) / s
    # Phi(b) - Phi(a) = Phi(-a) - Phi(-b): use the tail on the side away from 0 (no cancellation)
    out: np.ndarray = np.where(j > 0, special.ndtr(-a) - special.ndtr(-b), special.ndtr(b) - special.ndtr(a))
    return out


def lattice_beta(s: float, shift: tuple[int, ...], m: float, tail: float = 12.0) -> float:
    """beta(m) = max P_shift(B) over randomized tests B with P_0(B) = m, for the product rounded Gaussian of scale s
    on Z^d (d = len(shift) <= 2) and an integer shift: the Neyman-Pearson lemma on the lattice, by enumerating the
    atoms (|j_i| <= tail s + |shift_i|; the truncated mass ~ 1e-32 is ignored), sorting them by likelihood ratio and
    filling mass m (the last atom fractionally).

    Cohen's bound on the lattice is beta(m) <= Phi(Phi^{-1}(m) + ||shift||_2 / s) (module doc: the lattice test is a
    test on R^d through round); the tests check it.

    >>> round(lattice_beta(1.0, (0,), 0.3), 12)
    0.3
    """
    s = V.positive("s", s)
    m = V.in_closed_interval("m", m, 0.0, 1.0)
    if not 1 <= len(shift) <= 2:
        raise ValueError(f"shift: 1 or 2 coordinates are enumerated, got {len(shift)}")
    axes_p0, axes_p1 = [], []
    for t in shift:
        t = int(t)
        w = math.ceil(tail * s) + abs(t) + 1
        p0 = _pmf_window(s, -w, w)
        p1 = _pmf_window(s, -w - t, w - t)  # P(J + t = j) = P(J = j - t)
        axes_p0.append(p0)
        axes_p1.append(p1)
    if len(shift) == 1:
        p0, p1 = axes_p0[0], axes_p1[0]
    else:
        p0 = np.outer(axes_p0[0], axes_p0[1]).ravel()
        p1 = np.outer(axes_p1[0], axes_p1[1]).ravel()
    with np.errstate(divide="ignore"):
        lr = np.where(p0 > 0, np.log(p1) - np.log(p0), np.inf)
    order = np.argsort(-lr, kind="stable")
    c0 = np.cumsum(p0[order])
    k = int(np.searchsorted(c0, m, side="left"))
    if k >= len(order):
        return float(min(1.0, np.sum(p1)))
    before0 = c0[k - 1] if k > 0 else 0.0
    before1 = float(np.sum(p1[order[:k]]))
    frac = (m - before0) / p0[order[k]] if p0[order[k]] > 0 else 0.0
    return float(min(1.0, before1 + frac * p1[order[k]]))


def lattice_tight_shift_1d(s: float, one_minus_pA: float, max_shift: int = 100000) -> int:
    """The smallest integer shift t >= 1 at which the binary prediction can flip on the 1-d lattice:
    beta_t(1 - pA) >= 1/2 (:func:`lattice_beta`).  Cohen's radius guarantees t > s Phi^{-1}(pA).

    >>> lattice_tight_shift_1d(2.0, 0.01) > 2.0 * 2.326
    True
    """
    s = V.positive("s", s)
    e = V.in_open_interval("one_minus_pA", one_minus_pA, 0.0, 0.5)
    t = 1
    while t <= max_shift:
        if lattice_beta(s, (t,), e) >= 0.5:
            return t
        t += 1
    raise ValueError(f"max_shift: no flip up to {max_shift}")  # pragma: no cover
