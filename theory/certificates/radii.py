"""The certified radii as pure functions of the class probabilities, and their inverses.

Each radius maps (:class:`~theory.certificates.logprob.Probabilities`, sigma, parameters) to a radius >= 0
(0.0 = certifies nothing, never NaN); each inverse maps a radius to log(1 - pA).  The registry
(:mod:`theory.certificates.registry`) wraps them.

Derivations
-----------
Notation: g(x) = f(x + Z); pA = P(g(x) = cA), pB = P(g(x) = cB) (binary: pB = 1 - pA); x' = x + delta.

**C11** (Gaussian Z ~ N(0, sigma^2 I_d), l2, DMR; Section 3.1, proof in Appendix B).  By L22,
D_alpha(N(x, sigma^2 I) || N(x', sigma^2 I)) = alpha ||delta||_2^2 / (2 sigma^2), so DMR <= eps = r^2/(2 sigma^2)
on the l2 ball of radius r, i.e. r = sqrt(2 eps) sigma.  T10 (eq. 5 with lambda = c sqrt(eps)) is used as

    log P(g(x) in S) - log P(g(x') in S) <= (1 + c) sqrt(eps)       for S = {cA} and, x being in B(x', r),
    log P(g(x') in S) - log P(g(x) in S) <= (1 + c) sqrt(eps)       for S = {cB},

hence log pA' - log pB' >= log pA - log pB - 2 (1 + c) sqrt(eps), and g(x') = cA as long as this is > 0:

    sqrt(eps) < (log pA - log pB) / (2 (1 + c))   ==>   r_C11 = sqrt(2) sigma (log pA - log pB) / (2 (1 + c)),

binary: log pB = log(1 - pA).  (T10's inequality holds "with probability >= 1 - exp(-c^2/4)"; the radius is
what the paper certifies.  Whether it is sound is checked against the tight radius: :func:`exceeds_tight`.)

**T18** (Gaussian, l_inf, DMR; Section 3.2).  For ||delta||_inf <= r, ||delta||_2 <= sqrt(d) r, so L22 gives
DMR <= eps = d r^2 / (2 sigma^2) (T18: sigma^2 = d r^2 / (2 eps)).  The C11 argument with this eps gives
sqrt(eps) < (log pA - log pB)/(2(1 + c)), i.e.  r_T18 = sigma sqrt(2 eps / d) = r_C11 / sqrt(d).

**T13** (eq.-6 noise p(z) ~ exp(-||z||_inf / sigma), l_inf, D_inf; Section 3.2).  log p(z - delta)/p(z) =
(||z||_inf - ||z - delta||_inf)/sigma lies in [-||delta||_inf/sigma, ||delta||_inf/sigma] (triangle inequality),
so D_inf <= eps = r/sigma both ways and, for every set S, P(g(x') in S) is within a factor e^{+-eps} of
P(g(x) in S) (post-processing, T9).  Hence pA' >= pA e^{-eps}, pB' <= pB e^{eps}, and g(x') = cA whenever
pA e^{-eps} > pB e^{eps}, i.e. eps < (log pA - log pB)/2:   r_T13 = sigma (log pA - log pB) / 2.

**Cohen et al. 2019** (Theorem 1, Neyman-Pearson): r = sigma/2 (Phi^{-1}(pA) - Phi^{-1}(pB)), binary
sigma Phi^{-1}(pA); tight: a half-space classifier attains it.  **l2 -> l_inf**: r_inf = r_2 / sqrt(d); for the
Gaussian this is tight too (the worst shift in the l_inf ball is a corner, ||delta||_2 = sqrt(d) ||delta||_inf).

**PixelDP** (Lecuyer et al. 2019): the Gaussian mechanism with l2 sensitivity L and
sigma = sqrt(2 ln(1.25/delta)) L / eps (eps <= 1, Dwork & Roth 2014, Thm A.1) is (eps, delta)-DP; the
prediction is robust when pA > e^{2 eps} pB + (1 + e^eps) delta (their Proposition 1, expected output
stability).  Our optimisation: for each eps the largest admissible delta is delta*(eps) =
(pA - e^{2 eps} pB)/(1 + e^eps), and the radius is the largest L = sigma eps / sqrt(2 ln(1.25/delta*(eps)))
over 0 < eps <= min(1, (log pA - log pB)/2) (a log-spaced grid, then bounded Brent).  As pA -> 1 in binary
form it saturates at sigma / sqrt(2 ln(1.25 (1 + e))) = 0.5705 sigma (eps = 1).

**Li et al. 2019** (Renyi): the top class is kept when D_alpha(P' || P) < -log(1 - pA - pB +
2 ((pA^{1-a} + pB^{1-a})/2)^{1/(1-a)}) for some alpha > 1; with D_alpha = alpha ||delta||^2/(2 sigma^2)
(L22): r = sup_{alpha > 1} sigma sqrt(-(2/alpha) log(...)).  Binary check of the printed bound: it equals
D_alpha((1/2, 1/2) || (pA, 1 - pA)), the divergence to the nearest flipped distribution (tests).

**Yang et al. 2020** (l_inf-exponential noise e^{-||z||_inf/lambda}, k = 1, l_inf adversary; their code
``ExpInf.certify_linf``): r = sigma log(1 / (2 (1 - pA))).  Verified independently here, and it is *tight*
in binary form in every dimension: (i) sound: the likelihood ratio is at most e^{||delta||_inf/sigma}, so
pB' <= e^{r/sigma}(1 - pA) < 1/2 for r below it; (ii) attained: for the corner delta = t (1, ..., 1) the set
{z: ||z - delta||_inf = ||z||_inf - t} where the ratio equals e^{t/sigma} has P0-mass
(1/2) E[(1 - t/R)_+^{d-1}] = e^{-t/sigma}/2 (R = ||Z||_inf ~ Gamma(d, sigma); the integral is elementary),
which equals 1 - pA exactly at t = r_Yang and then carries shifted mass 1/2.  Checked exactly for d = 1
(:func:`yang_linf_check_1d`) and by a numeric Neyman-Pearson computation for d = 2, 3
(:func:`yang_linf_check_mc`).  T13 is sound but loses a factor ~2 against it: it applies the D_inf bound to
both pA and pB, whereas in binary form pA' = 1 - pB'.
"""


from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import optimize, special

from theory.certificates.logprob import _LOG2, Probabilities, _log1mexp, _phi_inv_of_log

_SQRT2 = math.sqrt(2.0)

# =====================================================================================================
# The radii.  Each function maps (Probabilities, sigma, params) -> radius >= 0 (0.0 = certifies nothing).
# =====================================================================================================

def cohen_radius(p: Probabilities, sigma: float) -> float:
    """R = sigma/2 (Phi^{-1}(pA) - Phi^{-1}(pB)); binary: sigma Phi^{-1}(pA)  (Cohen et al. 2019, Theorem 1).

    Phi^{-1}(pA) = -Phi^{-1}(1 - pA) is evaluated from log(1 - pA) (scipy.special.ndtri_exp)."""
    qa = -_phi_inv_of_log(p.log_one_minus_pA)
    if p.binary:
        return max(sigma * qa, 0.0)
    qb = _phi_inv_of_log(p.log_pB)
    return max(0.5 * sigma * (qa - qb), 0.0)


def _log_ratio(p: Probabilities) -> float:
    """log pA - log pB (binary: log(pA / (1 - pA)))."""
    return p.log_pA - p.log_pB


def c11_radius(p: Probabilities, sigma: float, c: float) -> float:
    """C11: r = sqrt(2 eps) sigma with sqrt(eps) = (log pA - log pB) / (2 (1 + c)) (derivation: module doc)."""
    t = _log_ratio(p)
    if t <= 0:
        return 0.0
    return _SQRT2 * sigma * t / (2.0 * (1.0 + c))


def t18_radius(p: Probabilities, sigma: float, c: float, d: int) -> float:
    """T18: r_inf = r_C11 / sqrt(d) (the C11 argument with eps = d r^2 / (2 sigma^2); module doc)."""
    return c11_radius(p, sigma, c) / math.sqrt(d)


def cohen_linf_radius(p: Probabilities, sigma: float, d: int) -> float:
    """r_inf = r_Cohen / sqrt(d), since ||delta||_2 <= sqrt(d) ||delta||_inf (tight for the Gaussian)."""
    return cohen_radius(p, sigma) / math.sqrt(d)


def t13_radius(p: Probabilities, sigma: float) -> float:
    """T13: r = sigma (log pA - log pB) / 2  (eps = r / sigma, pA' >= pA e^{-eps}, pB' <= pB e^{eps})."""
    t = _log_ratio(p)
    return 0.0 if t <= 0 else 0.5 * sigma * t


def yang_linf_radius(p: Probabilities, sigma: float) -> float:
    """r = sigma log(1 / (2 (1 - pA)))  (Yang et al. 2020, l_inf-exponential noise, k = 1; tight, module doc)."""
    r = -sigma * (_LOG2 + p.log_one_minus_pA)
    return max(r, 0.0)


# ---- PixelDP (Lecuyer et al. 2019) ------------------------------------------------------------------

_PIXELDP_EPS_MAX = 1.0  # the Gaussian-mechanism calibration sigma = sqrt(2 ln(1.25/delta)) L / eps needs eps <= 1


def _pixeldp_log_delta(eps: float, p: Probabilities) -> float:
    """log of the largest delta with pA > e^{2 eps} pB + (1 + e^eps) delta:
    delta* = (pA - e^{2 eps} pB)/(1 + e^eps);  -inf when non-positive."""
    x = 2.0 * eps + p.log_pB - p.log_pA
    if x >= 0:
        return -math.inf
    return p.log_pA + _log1mexp(x) - float(np.logaddexp(0.0, eps))


def _pixeldp_L(eps: float, p: Probabilities, sigma: float) -> float:
    ld = _pixeldp_log_delta(eps, p)
    if ld == -math.inf or eps <= 0:
        return 0.0
    return sigma * eps / math.sqrt(2.0 * (math.log(1.25) - ld))


def pixeldp_radius(p: Probabilities, sigma: float) -> float:
    """PixelDP: max over 0 < eps <= min(1, (log pA - log pB)/2) of L(eps) = sigma eps / sqrt(2 ln(1.25/delta*(eps))).

    A log-spaced grid of 80 eps locates the maximum, bounded Brent refines it (xatol 1e-13 relative; the
    maximum is flat, so the value is accurate to ~1e-16 relative)."""
    t = _log_ratio(p)
    if t <= 0:
        return 0.0
    hi = min(_PIXELDP_EPS_MAX, 0.5 * t)
    grid = hi * np.concatenate([np.logspace(-8, 0, 80)[:-1], [1.0]])
    vals = np.array([_pixeldp_L(float(e), p, sigma) for e in grid])
    i = int(np.argmax(vals))
    if i == len(grid) - 1:
        # maximum at the boundary eps = hi? check monotone increase at the end
        lo_b = float(grid[i - 1])
        res = optimize.minimize_scalar(lambda e: -_pixeldp_L(e, p, sigma), bounds=(lo_b, hi), method="bounded",
                                       options={"xatol": 1e-13 * hi})
        return max(float(vals[i]), -float(res.fun))
    lo_b = float(grid[max(i - 1, 0)]) if i > 0 else 0.0
    hi_b = float(grid[i + 1])
    res = optimize.minimize_scalar(lambda e: -_pixeldp_L(e, p, sigma), bounds=(lo_b, hi_b), method="bounded",
                                   options={"xatol": 1e-13 * hi})
    return max(float(vals[i]), -float(res.fun))


# ---- Li et al. 2019 (Renyi) -----------------------------------------------------------------------------

def _logcosh(x: float) -> float:
    """log cosh x without overflow or cancellation."""
    ax = abs(x)
    if ax <= 1.0:
        return math.log1p(2.0 * math.sinh(0.5 * ax) ** 2)
    return ax + math.log1p(math.exp(-2.0 * ax)) - _LOG2


def _li_log_inner(alpha: float, p: Probabilities) -> float:
    """log(1 - pA - pB + 2 M),  M = ((pA^{1-a} + pB^{1-a})/2)^{1/(1-a)}, written without cancellation.

    With h = (log pA - log pB)/2 and beta = 1 - alpha < 0:  pA = m e^{h}/cosh h, pB = m e^{-h}/cosh h with
    m = (pA + pB)/2, so that  log(2M) = log(pA + pB) + K,  K = logcosh(beta h)/beta - logcosh(h) <= 0, and
    s + 2M = 1 - (pA + pB)(1 - e^K) with s = 1 - pA - pB: evaluated as log1p(-(pA + pB)(1 - e^K)) when that
    product is < 1/2, else as logaddexp(log s, log(pA + pB) + K) (binary: pA + pB = 1, the value is K).
    Near pA = pB (h -> 0) both terms are O(h^2) and computed to full relative precision.
    """
    beta = 1.0 - alpha
    h = 0.5 * (p.log_pA - p.log_pB)
    K = _logcosh(beta * h) / beta - _logcosh(h)
    if p.binary:
        return K
    if K == 0.0:
        return 0.0
    log_sum = float(np.logaddexp(p.log_pA, p.log_pB))
    log_gap = log_sum + math.log(-math.expm1(K))        # log((pA + pB)(1 - e^K)) = log(1 - (s + 2M))
    if log_gap < -_LOG2:
        return math.log1p(-math.exp(log_gap))             # s + 2M near 1: no cancellation in log1p
    if p.log_pB >= p.log_one_minus_pA:                    # s = 0
        return log_sum + K
    log_s = p.log_one_minus_pA + _log1mexp(p.log_pB - p.log_one_minus_pA)
    return float(np.logaddexp(log_s, log_sum + K))        # s + 2M small: a sum of two positive terms


def _li_r2_over_sigma2(alpha: float, p: Probabilities) -> float:
    return -2.0 / alpha * _li_log_inner(alpha, p)


def li_renyi_radius(p: Probabilities, sigma: float) -> float:
    """Li et al. 2019: r = sup_{alpha > 1} sigma sqrt(-(2/alpha) log(1 - pA - pB + 2 M_{1-alpha}(pA, pB))),
    M the power mean; maximised over s = log(alpha - 1) in [-12, 12] (a grid of 193, then bounded Brent)."""
    if _log_ratio(p) <= 0:
        return 0.0
    s_grid = np.linspace(-12.0, 12.0, 193)
    def f(s: float) -> float:
        return _li_r2_over_sigma2(1.0 + math.exp(s), p)

    vals = np.array([f(float(s)) for s in s_grid])
    i = int(np.argmax(vals))
    lo_b = float(s_grid[max(i - 1, 0)])
    hi_b = float(s_grid[min(i + 1, len(s_grid) - 1)])
    best = float(vals[i])
    if hi_b > lo_b:
        res = optimize.minimize_scalar(lambda s: -f(s), bounds=(lo_b, hi_b), method="bounded",
                                       options={"xatol": 1e-12})
        best = max(best, -float(res.fun))
    return sigma * math.sqrt(best) if best > 0 else 0.0


# =====================================================================================================
# Inverses: log(1 - pA) needed for a radius (closed forms where they exist, root finding otherwise)
# =====================================================================================================

def _log1m_from_log_pA(log_pA: float) -> float:
    return _log1mexp(log_pA) if log_pA < 0 else -math.inf


def inverse_from_log_ratio(t: float, log_pB: float | None) -> float:
    """log(1 - pA) such that log pA - log pB = t (binary: log(pA/(1-pA)) = t => 1 - pA = 1/(1 + e^t))."""
    if log_pB is None:
        return -float(np.logaddexp(0.0, t))
    return _log1m_from_log_pA(t + log_pB)


def cohen_inverse(r: float, sigma: float, log_pB: float | None) -> float:
    """Cohen et al. 2019: 1 - pA = Phi(-r / sigma) (binary); Phi^{-1}(pA) = 2 r / sigma + Phi^{-1}(pB) (multi-class)."""
    if log_pB is None:
        return float(special.log_ndtr(-r / sigma))          # 1 - pA = Phi(-r / sigma)
    q = 2.0 * r / sigma + _phi_inv_of_log(log_pB)            # Phi^{-1}(pA) = 2r/sigma + Phi^{-1}(pB)
    return float(special.log_ndtr(-q))


def inverse_numeric(rad: Callable[[Probabilities], float], r: float, log_pB: float | None, name: str,
                    sup: float | None = None) -> float:
    """Root of radius(log(1 - pA) = y) = r, radius decreasing in y; bracket [y_min, log(1/2)] (binary) or
    [log pB, log(1 - pB)] (multi-class: pB <= 1 - pA and pA >= pB)."""
    if log_pB is None:
        hi, lo = -_LOG2, -2000.0
        def mk(y: float) -> Probabilities:
            return Probabilities(_log1mexp(y), y, y, True)
    else:
        lpb = log_pB
        hi, lo = _log1mexp(lpb), lpb

        def mk(y: float) -> Probabilities:
            return Probabilities(_log1mexp(y), y, lpb, False)
    if r == 0:
        return hi

    def g(y: float) -> float:
        return rad(mk(y)) - r

    if g(lo) < 0:
        lim = rad(mk(lo)) if sup is None else sup
        raise ValueError(f"radius must be < {lim!r} for certificate {name} at these parameters "
                         f"(the largest radius it certifies), got {r!r}")
    return float(optimize.brentq(g, lo, hi, xtol=1e-13, rtol=1e-15, maxiter=500))


def pixeldp_sup(sigma: float) -> float:
    """The largest PixelDP radius (pA -> 1, binary): delta* -> 1/(1 + e^eps), L increasing on (0, 1], so
    sup = sigma / sqrt(2 ln(1.25 (1 + e))) = 0.5705 sigma."""
    return sigma / math.sqrt(2.0 * math.log(1.25 * (1.0 + math.e)))


# The inverse of each certificate of the registry: (radius, sigma, log_pB (None: binary), params) -> log(1 - pA).

def c11_inverse(r: float, sigma: float, log_pB: float | None, c: float) -> float:
    """C11: log pA - log pB = 2 (1 + c) r / (sqrt(2) sigma)."""
    return inverse_from_log_ratio(2.0 * (1.0 + c) * r / (_SQRT2 * sigma), log_pB)


def t18_inverse(r: float, sigma: float, log_pB: float | None, c: float, d: int) -> float:
    """T18: the C11 inverse at the l2 radius r sqrt(d)."""
    return inverse_from_log_ratio(2.0 * (1.0 + c) * r * math.sqrt(d) / (_SQRT2 * sigma), log_pB)


def cohen_linf_inverse(r: float, sigma: float, log_pB: float | None, d: int) -> float:
    """l2 -> l_inf conversion: Cohen et al.'s inverse at the l2 radius r sqrt(d)."""
    return cohen_inverse(r * math.sqrt(d), sigma, log_pB)


def t13_inverse(r: float, sigma: float, log_pB: float | None) -> float:
    """T13: log pA - log pB = 2 r / sigma."""
    return inverse_from_log_ratio(2.0 * r / sigma, log_pB)


def yang_linf_inverse(r: float, sigma: float, log_pB: float | None) -> float:
    """Yang et al. 2020 (binary): 1 - pA = e^{-r/sigma} / 2."""
    return -r / sigma - _LOG2


def pixeldp_inverse(r: float, sigma: float, log_pB: float | None) -> float:
    """PixelDP: root finding (Brent) below its largest radius :func:`pixeldp_sup`."""
    return inverse_numeric(lambda p: pixeldp_radius(p, sigma), r, log_pB, "pixeldp", pixeldp_sup(sigma))


def li_renyi_inverse(r: float, sigma: float, log_pB: float | None) -> float:
    """Li et al. 2019: root finding (Brent)."""
    return inverse_numeric(lambda p: li_renyi_radius(p, sigma), r, log_pB, "li-renyi")


# =====================================================================================================
# Certificates of the follow-up literature for other noises (issue 14).  Self-contained block: the radii, their
# inverses and their registry entries.  Each is checked against the Neyman-Pearson engine (theory.neyman_pearson)
# in tests/theory/test_neyman_pearson.py.  ``sigma`` is the noise's scale parameter (Laplace: the scale b;
# uniform: the half-width lambda of the cube [-lambda, lambda]^d).
# =====================================================================================================

def laplace_l1_radius(p: Probabilities, sigma: float) -> float:
    """Teng, Lee & Yuan 2020 (l1, product Laplace noise of scale sigma), binary form:
    r = -sigma log(2 (1 - pA)) for pA > 1/2.  Tight in every d: the likelihood ratio is <= e^{||delta||_1/sigma},
    and the axis shift attains it on {z_1 >= r}, of mass e^{-r/sigma}/2 = 1 - pA (theory.neyman_pearson, half-line)."""
    if p.log_one_minus_pA > -1.0:   # near pA = 1/2: log(2(1 - pA)) = log1p(2(1 - pA) - 1) without cancellation
        return max(-sigma * math.log1p(2.0 * math.exp(p.log_one_minus_pA) - 1.0), 0.0)
    return max(-sigma * (_LOG2 + p.log_one_minus_pA), 0.0)


def uniform_l1_radius(p: Probabilities, sigma: float) -> float:
    """Yang et al. 2020 (Table 1, uniform noise on [-lambda, lambda]^d, l1) / Levine & Feizi 2021: binary form
    r = 2 lambda (pA - 1/2) = lambda (1 - 2 (1 - pA)).  Tight in every d: the likelihood ratio takes the values 0, 1,
    inf; the prediction flips iff the overlap prod_i (1 - |delta_i|/(2 lambda)) <= 3/2 - pA, and over the l1 ball the
    overlap is smallest on an axis (theory.neyman_pearson, overlap)."""
    return max(sigma * (1.0 - 2.0 * math.exp(p.log_one_minus_pA)), 0.0)


def uniform_linf_radius(p: Probabilities, sigma: float, d: int) -> float:
    """Uniform noise on [-lambda, lambda]^d, l_inf, binary form: the corner minimises the overlap (1 - r/(2 lambda))^d,
    so r = 2 lambda (1 - (3/2 - pA)^{1/d})  (the Neyman-Pearson radius; O(1/d) at fixed lambda, as Kumar et al. 2020
    state for uniform noise in the l_inf ball)."""
    e = math.exp(p.log_one_minus_pA)
    if e >= 0.5:
        return 0.0
    return 2.0 * sigma * -math.expm1(math.log(0.5 + e) / d)   # (3/2 - pA) = 1/2 + (1 - pA)


def laplace_l1_inverse(r: float, sigma: float, log_pB: float | None = None) -> float:
    """Teng et al. 2020 (binary): 1 - pA = e^{-r/sigma} / 2."""
    return -r / sigma - _LOG2


def uniform_l1_inverse(r: float, sigma: float, log_pB: float | None = None) -> float:
    """Uniform l1 (binary): 1 - pA = (1 - r/sigma) / 2, for r < sigma."""
    if r >= sigma:
        raise ValueError(f"radius must be < {sigma!r} for certificate uniform-l1 (the largest radius it certifies, "
                         f"2 lambda (1 - 1/2)), got {r!r}")
    return math.log(0.5 * (1.0 - r / sigma))


def uniform_linf_inverse(r: float, sigma: float, log_pB: float | None = None, *, d: int) -> float:
    """Uniform l_inf (binary): 1 - pA = (1 - r/(2 sigma))^d - 1/2, for r < 2 sigma (1 - 2^(-1/d))."""
    if r >= 2.0 * sigma * -math.expm1(math.log(0.5) / d):
        raise ValueError(f"radius must be < 2 sigma (1 - 2^(-1/d)) for certificate uniform-linf, got {r!r}")
    # (1 - r/(2 sigma))^d = 3/2 - pA = 1/2 + (1 - pA)
    return math.log(math.exp(d * math.log1p(-r / (2.0 * sigma))) - 0.5)

