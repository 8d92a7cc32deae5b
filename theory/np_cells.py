"""The Neyman-Pearson cells of the tight-radius engine, one function per noise (issue 22: the noise table).

Each ``<noise>_cell(p, sigma, norm, d) -> Cell`` decides one noise in every norm -- the derivations, the methods
(half-line, overlap, dinf-attained, radial, bracket) and their validated ranges are in the docstring of
:mod:`theory.neyman_pearson`, which turns a cell into a :class:`~theory.neyman_pearson.TightRadius`.  The table
:mod:`theory.noises` names the cell of each noise; a new noise brings its own cell (any function with this
signature), so nothing here dispatches on a noise name.

``p`` is a :class:`~theory.certificates.logprob.Probabilities` with pA > 1/2 (binary) or pA > pB (the engine
returns radius 0 before calling a cell otherwise); ``sigma`` > 0 and ``d`` >= 1 are validated by the caller.

>>> from theory.certificates import probabilities
>>> c = gaussian_cell(probabilities(0.99), 0.5, "l2", 1)      # Cohen et al.: sigma Phi^-1(pA)
>>> c.method, round(c.lower, 6)
('half-line', 1.163174)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy import integrate, optimize, special

if TYPE_CHECKING:
    import mpmath as mp

    from theory.certificates.logprob import Probabilities

__all__ = ["Cell", "RADIAL_MAX_D", "RADIAL_MIN_ONE_MINUS_PA", "exponential_l2_cell", "exponential_linf_cell",
           "gaussian_cell", "laplace_cell", "uniform_cell", "gaussian_flip", "laplace_flip", "uniform_flip",
           "exponential_linf_flip", "exponential_l2_flip", "WitnessLaw", "mp_ndtri", "GAUSSIAN_WITNESS",
           "LAPLACE_WITNESS", "EXPONENTIAL_LINF_WITNESS", "EXPONENTIAL_L2_WITNESS", "UNIFORM_WITNESS"]

#: validated range of the radial (l2-exponential) quadrature: its deep tails lose accuracy (tests: mpmath agreement
#: to 1e-8 relative at 1 - pA = 1e-6, d <= 40; 1e-5 at 1e-12)
RADIAL_MIN_ONE_MINUS_PA = 1e-9
RADIAL_MAX_D = 64
_LOG2 = math.log(2.0)
_P = {"l1": 1.0, "l2": 2.0, "linf": math.inf}


class Cell(NamedTuple):
    """What a cell decides: the tight radius lies in [lower, upper] (``exact``: lower == upper is it); ``method``,
    the worst ``direction`` found and the argument (``note``).

    >>> Cell(1.0, 1.0, True, "half-line", "axis", "-").exact
    True
    """

    lower: float
    upper: float
    exact: bool
    method: str
    direction: str
    note: str


def _exact(r: float, method: str, direction: str, note: str) -> Cell:
    return Cell(float(r), float(r), True, method, direction, note)


# ----------------------------------------------------------------------------------------------------
# half-line reductions: F^{-1}(pA) from log(1 - pA) without cancellation
# ----------------------------------------------------------------------------------------------------

def _upper_quantile(law: str, sigma: float, log_q: float) -> float:
    """S^{-1}(q) = F^{-1}(1 - q) for the 1-d law (q = e^log_q), exact in the upper tail."""
    if law == "gaussian":
        return -sigma * float(special.ndtri_exp(log_q))
    if law == "laplace":
        # S(b) = e^{-b/sigma}/2 for b >= 0, 1 - e^{b/sigma}/2 for b < 0
        if log_q <= -_LOG2:
            if log_q > -1.0:   # near q = 1/2: log(2q) = log1p(2q - 1), 2q - 1 exact (no cancellation)
                return -sigma * math.log1p(2.0 * math.exp(log_q) - 1.0)
            return -sigma * (log_q + _LOG2)
        return sigma * (_LOG2 + math.log(-math.expm1(log_q)))
    raise ValueError(f"law must be gaussian or laplace, got {law!r}")


def _halfline(law: str, sigma: float, p: Probabilities, kappa: float) -> float:
    a = _upper_quantile(law, sigma, p.log_one_minus_pA)          # F^{-1}(pA)
    if p.binary:
        t = a
    else:
        t = 0.5 * (a + _upper_quantile(law, sigma, p.log_pB))  # (F^{-1}(pA) - F^{-1}(pB)) / 2, symmetric law
    return max(t, 0.0) / kappa


# ----------------------------------------------------------------------------------------------------
# uniform noise: minimal overlap v over the ball
# ----------------------------------------------------------------------------------------------------

def _uniform_vmin_l2(rho: float, d: int) -> float:
    """min prod_i (1 - u_i) over u in [0, 1]^d with ||u||_2 = rho (u = |delta|/(2 sigma)); exact (KKT enumeration)."""
    if rho >= 1.0:
        return 0.0
    best = 1.0
    # one nonzero value: k coordinates at rho / sqrt(k)
    k = np.arange(1, d + 1, dtype=float)
    best = min(best, float(np.exp(np.min(k * np.log1p(-rho / np.sqrt(k))))))
    # two values a and 1 - a (a < 1/2): k2 <= 3 coordinates at 1 - a (k2 (1-a)^2 <= rho^2 < 1), k1 at a
    for k2 in (1, 2, 3):
        if k2 * 0.25 >= rho * rho:
            continue
        for k1 in range(1, d - k2 + 1):
            # (k1 + k2) a^2 - 2 k2 a + k2 - rho^2 = 0
            A, B, Cc = k1 + k2, -2.0 * k2, k2 - rho * rho
            disc = B * B - 4 * A * Cc
            if disc < 0:
                continue
            for a in ((-B - math.sqrt(disc)) / (2 * A), (-B + math.sqrt(disc)) / (2 * A)):
                if 0 < a < 0.5:
                    best = min(best, math.exp(k1 * math.log1p(-a) + k2 * math.log(a)))
    return best


def _uniform(p: Probabilities, sigma: float, norm: str, d: int) -> tuple[float, str]:
    # flip iff v <= c = 1 - (pA - pB)/2 ; log c computed from pA - pB
    gap = math.exp(p.log_pA) - math.exp(p.log_pB)
    log_c = math.log1p(-0.5 * gap)
    if norm == "l1":
        rho = 0.5 * gap
        return 2 * sigma * rho, "axis"
    if norm == "linf":
        rho = -math.expm1(log_c / d)
        return 2 * sigma * rho, "corner"
    c = math.exp(log_c)
    if d == 1:
        return 2 * sigma * 0.5 * gap, "axis"
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _uniform_vmin_l2(mid, d) <= c:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-15 * hi:
            break
    return 2 * sigma * hi, "KKT enumeration"


# ----------------------------------------------------------------------------------------------------
# l2-exponential noise: the radial statistic V = ||z|| - ||z - t e1||
# ----------------------------------------------------------------------------------------------------

def _gamma_logpdf(r: float, d: int, sigma: float) -> float:
    return (d - 1) * math.log(r) - r / sigma - math.lgamma(d) - d * math.log(sigma)


def _radial_tail(c: float, t: float, sigma: float, d: int, upper: bool) -> float:
    """P0(V > c) (upper) or P0(V <= c) for V = ||Z|| - ||Z - t e_1||, Z ~ exp(-||z||_2/sigma) in R^d (d >= 2).

    For R = ||Z|| <= a = (c + t)/2, V <= c surely; for R > a, V <= c iff the cosine X = z_1/R <= x*(R) =
    (t^2 + 2Rc - c^2)/(2Rt) in (-1, 1); P(X <= x) = I_{(1+x)/2}((d-1)/2, (d-1)/2).  Each tail is integrated
    directly (no 1 - F cancellation): P0(V > c) = int_a^inf pdf_R(r) I_{(1-x*)/2}(h, h) dr."""
    if c >= t:
        return 0.0 if upper else 1.0
    if c <= -t:
        return 1.0 if upper else 0.0
    h = 0.5 * (d - 1)
    a = 0.5 * (c + t)

    def integrand(r: float) -> float:
        x = min(1.0, max(-1.0, (t * t + 2 * r * c - c * c) / (2 * r * t)))
        g = special.betainc(h, h, 0.5 * (1 - x)) if upper else special.betainc(h, h, 0.5 * (1 + x))
        return math.exp(_gamma_logpdf(r, d, sigma)) * float(g)

    hi_r = max(a, (d - 1) * sigma) + sigma * (80.0 + 12.0 * math.sqrt(d))
    mode = (d - 1) * sigma
    # r = a + s^2 removes the (r - a)^{(d-1)/2} endpoint singularity of the cosine cdf
    s_hi = math.sqrt(hi_r - a)
    pts = [math.sqrt(mode - a)] if a < mode < hi_r else None
    quad_val, _ = integrate.quad(lambda s: 2.0 * s * integrand(a + s * s), 0.0, s_hi, points=pts, limit=200,
                                 epsabs=0.0, epsrel=1e-10)
    val = float(quad_val)
    if not upper:
        val += float(special.gammainc(d, a / sigma))   # P(R <= a)
    return min(max(val, 0.0), 1.0)


def _radial_cdf(c: float, t: float, sigma: float, d: int) -> float:
    """P0(V <= c) (see :func:`_radial_tail`)."""
    return _radial_tail(c, t, sigma, d, upper=False)


def _radial_quantile(q: float, t: float, sigma: float, d: int, upper: bool) -> float:
    """c with P0(V <= c) = q (upper=False) or P0(V >= c) = q (upper=True)."""
    lq = math.log(q)
    def f(c: float) -> float:
        return math.log(max(_radial_tail(c, t, sigma, d, upper), 1e-320)) - lq

    lo, hi = -t * (1 - 1e-14), t * (1 - 1e-14)
    flo, fhi = f(lo), f(hi)
    if flo * fhi > 0:
        return lo if abs(flo) < abs(fhi) else hi
    return float(optimize.brentq(f, lo, hi, xtol=1e-13 * t, rtol=1e-12))


def _radial_gap(t: float, p: Probabilities, sigma: float, d: int) -> float:
    """beta_t(pB) - alpha_t(pA) (> 0: flipped) for the l2-exponential noise at the shift t e_1.

    B = {V >= c_B} with P0 = pB; A = {V <= c_A} with P0 = pA.  Under P_t, V ~ -V_0: P_t(V >= c) = P0(V <= -c)."""
    pA, pB = math.exp(p.log_pA), math.exp(p.log_pB)
    cB = _radial_quantile(pB, t, sigma, d, upper=True)
    cA = _radial_quantile(pA, t, sigma, d, upper=False)
    beta = _radial_tail(-cB, t, sigma, d, upper=False)      # P_t(V >= cB) = P0(V <= -cB)
    alpha = _radial_tail(-cA, t, sigma, d, upper=True)      # P_t(V <= cA) = P0(V >= -cA)
    return beta - alpha


def _radial(p: Probabilities, sigma: float, d: int) -> float:
    def f(t: float) -> float:
        return _radial_gap(t, p, sigma, d)

    # scan: the radius is below the Laplace-like bound sigma log(pA/pB) * 2 (D_inf bound gives >= sigma log(pA/pB)/2)
    lo_bound = 0.5 * sigma * (p.log_pA - p.log_pB)        # D_inf: ratio <= e^{t/sigma} => sound below this
    t_hi = max(4 * lo_bound, sigma * 4.0)
    while f(t_hi) <= 0:
        t_hi *= 2
        if t_hi > 1e6 * sigma * d:
            raise RuntimeError("l2-exponential: no flip found")
    ts = np.linspace(lo_bound * (1 - 1e-9), t_hi, 8)
    prev = ts[0]
    if f(prev) > 0:
        # D_inf says no flip below lo_bound; the scan starts there
        return float(prev)
    for t in ts[1:]:
        if f(float(t)) > 0:
            return float(optimize.brentq(f, prev, float(t), xtol=1e-12 * float(t), rtol=1e-11))
        prev = float(t)
    raise RuntimeError("l2-exponential: scan failed")  # pragma: no cover


# ----------------------------------------------------------------------------------------------------
# brackets
# ----------------------------------------------------------------------------------------------------

def _laplace_sum_log_sf(b: float, sigma: float, d: int) -> float:
    """log P(sum_i Z_i >= b), Z_i iid Laplace(sigma), b >= 0:  sum_{k<d} w_k Q(d - k, b/sigma) with
    w_k = C(d - 1 + k, k) / 2^{d + k} (the density of the sum is e^{-|s|} times a polynomial; every term >= 0)."""
    k = np.arange(d, dtype=float)
    logw = special.gammaln(d + k) - special.gammaln(k + 1) - special.gammaln(d) - (d + k) * _LOG2
    with np.errstate(divide="ignore"):
        logq = np.log(special.gammaincc(d - k, b / sigma))
    return float(special.logsumexp(logw + logq))


def _laplace_sum_isf(log_q: float, sigma: float, d: int) -> float:
    """b >= 0 with P(sum_i Z_i >= b) = q <= 1/2, Z_i iid Laplace(sigma) (closed-form tail, brentq)."""
    if d == 1:
        return _upper_quantile("laplace", sigma, log_q)
    hi = sigma * (2.0 * d + 10.0)
    while _laplace_sum_log_sf(hi, sigma, d) > log_q:
        hi *= 2
    return float(optimize.brentq(lambda b: _laplace_sum_log_sf(b, sigma, d) - log_q, 0.0, hi, xtol=1e-14 * hi,
                                 rtol=1e-13))


def _laplace_bracket(p: Probabilities, sigma: float, norm: str, d: int) -> tuple[float, float, str, str]:
    r1 = _halfline("laplace", sigma, p, 1.0)
    pexp = _P[norm]
    lower = r1 / d ** (1 - 1 / pexp)
    b = _laplace_sum_isf(p.log_one_minus_pA, sigma, d)        # sum rule flips at ||delta||_1 = b (median 0)
    upper_corner = b / d ** (1 - 1 / pexp)       # corner with ||delta||_1 = b has ||delta||_p = b d^{1/p - 1}
    upper = min(r1, upper_corner)
    note = ("lower: the exact l1 radius -sigma log(2(1 - pA)) over d^(1 - 1/p) (norm conversion); upper: the flip "
            "distance of the axis half-line (= the l1 radius) and of the sum rule sum_i z_i >= b under the corner "
            "shift")
    return lower, upper, ("axis" if r1 <= upper_corner else "corner"), note


def _exp_linf_bracket(one_minus_pA: float, sigma: float, norm: str, d: int) -> tuple[float, float, str, str]:
    from theory.ground_truth import axis_exponential

    r_y = -sigma * (_LOG2 + math.log(one_minus_pA))
    pexp = _P[norm]
    corner = r_y * d ** (1 / pexp)
    axis = axis_exponential(one_minus_pA, sigma, d).true_radius if d > 1 else r_y
    upper = min(corner, axis)
    note = ("lower: Yang's l_inf radius (likelihood ratio <= e^{||delta||_inf/sigma} <= e^{||delta||_p/sigma}); upper: "
            "the corner shift attaining that ratio (||delta||_p = d^(1/p) r_Yang) and the axis rule x_1 >= t "
            "(theory.ground_truth.axis_exponential)")
    return r_y, upper, ("corner" if corner <= axis else "axis"), note


# ----------------------------------------------------------------------------------------------------
# the cells, one per noise (the branches of the former if-chain in neyman_pearson.tight_radius)
# ----------------------------------------------------------------------------------------------------

def _halfline_cell(law: str, p: Probabilities, sigma: float, kappa: float) -> Cell:
    r = _halfline(law, sigma, p, kappa)
    direction = "corner" if kappa > 1 else "axis"
    return _exact(r, "half-line", direction,
                  f"likelihood ratio monotone in a 1-d projection with a symmetric log-concave ({law}) law; "
                  f"worst direction {direction} (kappa = {kappa:.6g})")


def gaussian_cell(p: Probabilities, sigma: float, norm: str, d: int) -> Cell:
    """N(0, sigma^2 I_d): the half-line reduction, kappa = sqrt(d) in l_inf (the corner), 1 in l1 / l2.

    >>> from theory.certificates import probabilities
    >>> c = gaussian_cell(probabilities(0.99), 1.0, "linf", 4)     # sigma Phi^-1(pA) / sqrt(d)
    >>> c.direction, round(c.lower, 6)
    ('corner', 1.163174)
    """
    return _halfline_cell("gaussian", p, sigma, math.sqrt(d) if norm == "linf" else 1.0)


def laplace_cell(p: Probabilities, sigma: float, norm: str, d: int) -> Cell:
    """Product Laplace(sigma): exact in l1 (and d = 1); a bracket in l2 / l_inf for d >= 2.

    >>> from theory.certificates import probabilities
    >>> c = laplace_cell(probabilities(one_minus_pA=0.01), 1.0, "l2", 4)
    >>> c.exact, c.method, c.lower < c.upper
    (False, 'bracket', True)
    """
    if d == 1:
        return _halfline_cell("laplace", p, sigma, 1.0)
    if norm == "l1":
        r = _halfline("laplace", sigma, p, 1.0)
        return _exact(r, "half-line", "axis",
                      "D_inf bound e^{||delta||_1/sigma} attained by the axis shift on {z_1 >= t} "
                      "(mass e^{-t/sigma}/2)")
    lo, hi, direction, note = _laplace_bracket(p, sigma, norm, d)
    return Cell(float(lo), float(hi), False, "bracket", direction, note)


def uniform_cell(p: Probabilities, sigma: float, norm: str, d: int) -> Cell:
    """Uniform on [-sigma, sigma]^d: the overlap argument, exact in every norm.

    >>> from theory.certificates import probabilities
    >>> round(uniform_cell(probabilities(0.8), 1.0, "l1", 5).lower, 12)   # 2 sigma (pA - 1/2)
    0.6
    """
    r, direction = _uniform(p, sigma, norm, d)
    return _exact(r, "overlap", direction,
                  "likelihood ratio in {0, 1, inf}: flip iff the overlap v(delta) <= 1 - (pA - pB)/2; min v over the "
                  f"{norm} ball at the {direction}")


def exponential_linf_cell(p: Probabilities, sigma: float, norm: str, d: int) -> Cell:
    """Eq. 6, exp(-||z||_inf / sigma): Laplace in d = 1; exact in l_inf (binary); a bracket in l1 / l2.

    >>> from theory.certificates import probabilities
    >>> round(exponential_linf_cell(probabilities(one_minus_pA=0.05), 1.0, "linf", 10).lower, 12)   # log 10
    2.302585092994
    """
    if d == 1:
        return _halfline_cell("laplace", p, sigma, 1.0)
    if norm == "linf":
        r = max(-sigma * (_LOG2 + p.log_one_minus_pA), 0.0)
        return _exact(r, "dinf-attained", "corner",
                      "D_inf bound e^{||delta||_inf/sigma} attained by the corner shift on {max z + min z >= 2t} "
                      "(mass e^{-t/sigma}/2)")
    lo, hi, direction, note = _exp_linf_bracket(math.exp(p.log_one_minus_pA), sigma, norm, d)
    return Cell(float(lo), float(hi), False, "bracket", direction, note)


def exponential_l2_cell(p: Probabilities, sigma: float, norm: str, d: int) -> Cell:
    """The l2-exponential exp(-||z||_2 / sigma): Laplace in d = 1; the radial quadrature for d >= 2 (validated for
    1 - pA >= RADIAL_MIN_ONE_MINUS_PA and d <= RADIAL_MAX_D; ValueError outside).

    >>> from theory.certificates import probabilities
    >>> c = exponential_l2_cell(probabilities(0.9), 1.0, "l2", 1)       # d = 1: Laplace, -log(2 (1 - pA))
    >>> c.method, round(c.lower, 12)
    ('half-line', 1.609437912434)
    """
    if d == 1:
        return _halfline_cell("laplace", p, sigma, 1.0)
    e = math.exp(p.log_one_minus_pA)
    if e < RADIAL_MIN_ONE_MINUS_PA or d > RADIAL_MAX_D:
        raise ValueError(f"one_minus_pA must be >= {RADIAL_MIN_ONE_MINUS_PA:g} and d <= {RADIAL_MAX_D} for the "
                         f"exponential-l2 noise (the quadrature's validated range), got 1 - pA = {e!r}, d = {d}")
    r2 = _radial(p, sigma, d)
    r = r2 / math.sqrt(d) if norm == "linf" else r2
    return _exact(r, "radial", "any (rotation invariant)" if norm != "linf" else "corner",
                  "1-d quadrature of the radial statistic ||z|| - ||z - t e_1|| (rotation invariance); "
                  "l1 = l2, l_inf = l2/sqrt(d)")


# ----------------------------------------------------------------------------------------------------
# flip margins: the worst-case binary classifier of an exact cell, moved by t in its worst direction
# ----------------------------------------------------------------------------------------------------

def _laplace_halfline_flip(t: float, sigma: float, one_minus_pA: float) -> float:
    b = -sigma * math.log(2 * one_minus_pA)
    u = (b - t) / sigma
    return (0.5 * math.exp(-u) if u >= 0 else 1.0 - 0.5 * math.exp(u)) - 0.5


def _no_classifier() -> ValueError:
    return ValueError("no exact worst-case classifier for this cell")


def gaussian_flip(norm: str, t: float, sigma: float, d: int, one_minus_pA: float) -> float:
    """pB(x') - 1/2 for the half-space at distance sigma Phi^-1(pA), moved by t (the corner in l_inf).

    >>> round(gaussian_flip("l2", 0.0, 1.0, 1, 0.1), 12)          # unmoved: pB = 1 - pA
    -0.4
    """
    kappa = math.sqrt(d) if norm == "linf" else 1.0
    b = -sigma * float(special.ndtri(one_minus_pA))
    return float(special.ndtr((kappa * t - b) / sigma)) - 0.5


def laplace_flip(norm: str, t: float, sigma: float, d: int, one_minus_pA: float) -> float:
    """Laplace: the axis half-line (exact in l1, and in every norm for d = 1).

    >>> laplace_flip("l1", -math.log(0.2), 1.0, 3, 0.1)            # moved by the tight radius: pB = 1/2
    0.0
    """
    if norm != "l1" and d > 1:
        raise _no_classifier()
    return _laplace_halfline_flip(t, sigma, one_minus_pA)


def exponential_linf_flip(norm: str, t: float, sigma: float, d: int, one_minus_pA: float) -> float:
    """Eq. 6: the max+min rule under the corner shift (l_inf; every norm for d = 1, where it is Laplace).

    >>> round(exponential_linf_flip("linf", 0.0, 1.0, 4, 0.1), 12)
    -0.4
    """
    if norm != "linf" and d > 1:
        raise _no_classifier()
    return _laplace_halfline_flip(t, sigma, one_minus_pA)


def exponential_l2_flip(norm: str, t: float, sigma: float, d: int, one_minus_pA: float) -> float:
    """l2-exponential: only d = 1 (Laplace) has an explicit worst-case classifier here.

    >>> round(exponential_l2_flip("l2", 0.0, 1.0, 1, 0.1), 12)
    -0.4
    """
    if d > 1:
        raise _no_classifier()
    return _laplace_halfline_flip(t, sigma, one_minus_pA)


def uniform_flip(norm: str, t: float, sigma: float, d: int, one_minus_pA: float) -> float:
    """Uniform: the axis half-space (l1, or d = 1).

    >>> round(uniform_flip("l1", 0.6, 1.0, 5, 0.2), 12)            # moved by the tight radius 2 sigma (pA - 1/2)
    0.0
    """
    if norm != "l1" and d > 1:
        raise ValueError("witness classifiers for uniform noise are built for l1 (or d = 1) only")
    b = sigma * (1 - 2 * one_minus_pA)
    return min(1.0, max(0.0, (sigma - b + t) / (2 * sigma))) - 0.5


# ----------------------------------------------------------------------------------------------------
# witness classifiers: the worst-case binary classifiers above, exact in mpmath (theory.audit_certificate writes
# them into audit witnesses, theory.audit_witness recomputes them)
# ----------------------------------------------------------------------------------------------------

class WitnessLaw(NamedTuple):
    """How the audit witnesses of one noise are built and checked (:attr:`theory.noises.Noise.witness`).

    A witness classifier is the half-space f(z) = B iff w.z > b (w = e_1, or the unit corner in l_inf when
    ``corner_linf``), or for ``max_min_linf`` noises in d > 1 the eq.-6 rule max_i z_i + min_i z_i >= 2 b.  All
    values are mpmath numbers at the caller's working precision.

    Attributes
    ----------
    refuse : callable
        ``refuse(norm, d)``: why no witness classifier exists for this (norm, d), or None.
    threshold : callable
        ``threshold(e, sigma)`` = b with P(w.Z > b) = e (the classifier with pB = e at x = 0; for the max+min rule
        the same b, whose P(B) is e too).
    tail : callable
        ``tail(u, sigma)`` = P(w.Z > u) for the half-spaces of the witnesses.
    rotation_invariant : bool
        w.Z has this law for every unit w (else only for a coordinate axis w).
    corner_linf : bool
        In l_inf the witness moves along the corner (1, ..., 1).
    max_min_linf : bool
        In d > 1 the classifier is the max+min rule (eq. 6).

    >>> import mpmath as mp
    >>> float(LAPLACE_WITNESS.tail(LAPLACE_WITNESS.threshold(0.1, 2.0), mp.mpf(2)))   # P(B) = e at b
    0.1
    """

    refuse: Callable[[str, int], str | None]
    threshold: Callable[[float, float], mp.mpf]
    tail: Callable[[mp.mpf, mp.mpf], mp.mpf]
    rotation_invariant: bool = False
    corner_linf: bool = False
    max_min_linf: bool = False


def mp_ndtri(q: mp.mpf) -> mp.mpf:
    """Phi^{-1}(q) at the working precision (Newton from the float value).

    >>> import mpmath as mp
    >>> with mp.workdps(30):
    ...     print(mp.nstr(mp_ndtri(mp.mpf("0.975")), 12))
    1.95996398454
    """
    import mpmath as mp

    x0 = float(special.ndtri_exp(float(mp.log(q))))
    return mp.findroot(lambda x: mp.log(mp.ncdf(x)) - mp.log(q), x0)


def _gaussian_threshold(e: float, sigma: float) -> mp.mpf:
    import mpmath as mp

    return -mp.mpf(sigma) * mp_ndtri(mp.mpf(e))


def _gaussian_tail(u: mp.mpf, s: mp.mpf) -> mp.mpf:
    import mpmath as mp

    return mp.ncdf(-u / s)


def _laplace_threshold(e: float, sigma: float) -> mp.mpf:
    import mpmath as mp

    return -mp.mpf(sigma) * mp.log(2 * mp.mpf(e))


def _laplace_tail(u: mp.mpf, s: mp.mpf) -> mp.mpf:
    import mpmath as mp

    return mp.exp(-u / s) / 2 if u >= 0 else 1 - mp.exp(u / s) / 2


def _uniform_threshold(e: float, sigma: float) -> mp.mpf:
    import mpmath as mp

    return mp.mpf(sigma) * (1 - 2 * mp.mpf(e))


def _uniform_tail(u: mp.mpf, s: mp.mpf) -> mp.mpf:
    import mpmath as mp

    return min(mp.mpf(1), max(mp.mpf(0), (s - u) / (2 * s)))


def _refuse_outside(norm_ok: str, why: str) -> Callable[[str, int], str | None]:
    def refuse(norm: str, d: int) -> str | None:
        return why if norm != norm_ok and d > 1 else None
    return refuse


def _refuse_d_above_1(norm: str, d: int) -> str | None:
    return "no witness classifier for the l2-exponential noise" if d > 1 else None


GAUSSIAN_WITNESS = WitnessLaw(lambda norm, d: None, _gaussian_threshold, _gaussian_tail, rotation_invariant=True,
                              corner_linf=True)
LAPLACE_WITNESS = WitnessLaw(_refuse_outside("l1", "no exact worst-case classifier for Laplace noise outside l1"),
                             _laplace_threshold, _laplace_tail)
#: eq. 6: the max+min rule under the corner shift in l_inf (d > 1); d = 1 is the Laplace law
EXPONENTIAL_LINF_WITNESS = WitnessLaw(
    _refuse_outside("linf", "no exact worst-case classifier for eq.-6 noise outside l_inf"), _laplace_threshold,
    _laplace_tail, corner_linf=True, max_min_linf=True)
#: the l2-exponential noise: d = 1 only (the Laplace law)
EXPONENTIAL_L2_WITNESS = WitnessLaw(_refuse_d_above_1, _laplace_threshold, _laplace_tail)
UNIFORM_WITNESS = WitnessLaw(_refuse_outside("l1", "witnesses for uniform noise are built for l1 only"),
                             _uniform_threshold, _uniform_tail)
