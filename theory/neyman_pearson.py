"""Tight certified radii by Neyman-Pearson, for additive noise with a density (issue 14).

Setting.  g(x) = argmax_c P(f(x + Z) = c), Z ~ p (a density on R^d).  At x the top class has probability pA and
the runner-up pB (binary form: pB = 1 - pA).  For a shift delta let P0 = law of Z and P_delta = law of Z + delta.
The *tight* radius in a norm ||.|| is the largest r such that g(x + delta) = cA for every base classifier f with
these probabilities and every ||delta|| <= r; by the Neyman-Pearson lemma

    beta_delta(m) = max { P_delta(B) : P0(B) = m }      (B a level set of the likelihood ratio p(z - delta)/p(z))
    alpha_delta(m) = min { P_delta(A) : P0(A) = m }     (= 1 - beta_delta(1 - m))

and the prediction can be flipped at delta iff  alpha_delta(pA) <= beta_delta(pB)  (binary: beta_delta(1 - pA) >= 1/2).
The multi-class condition bounds A and B separately (Cohen et al. 2019's runner-up form); it is sound, and tight
whenever the two worst-case sets can be realised together (they can for the half-line reductions below).

Noises (``sigma`` is the scale parameter of each):

* ``gaussian``  N(0, sigma^2 I_d);
* ``laplace``   product Laplace, density prod_i exp(-|z_i|/sigma) / (2 sigma);
* ``uniform``   uniform on the cube [-sigma, sigma]^d (sigma = the half-width lambda);
* ``exponential-linf``  eq. 6 of the seed paper, density ~ exp(-||z||_inf / sigma) (theory.mechanisms.ExponentialLinf);
* ``exponential-l2``    the l2-exponential density ~ exp(-||z||_2 / sigma) (Yang et al. 2020, Section 4).

How each (noise, norm) cell is decided (``TightRadius.method``):

* **half-line** (exact): the likelihood ratio depends on z only through a 1-d projection u = w.z with a symmetric
  log-concave law F (monotone likelihood ratio), so the NP sets are half-lines {u >= b}: beta(m) = S(S^{-1}(m) - t)
  with S = 1 - F and t the shift of u.  The flip condition alpha(pA) <= beta(pB) reads F(F^{-1}(pA) - t) <=
  S(S^{-1}(pB) - t), i.e.  t >= (F^{-1}(pA) - F^{-1}(pB)) / 2  (binary: t >= F^{-1}(pA)).  The radius in the norm is
  t / kappa with kappa = max_{||delta|| <= 1} (shift of u).
  - Gaussian: u = delta.z / ||delta||_2 ~ N(0, sigma^2), t = ||delta||_2, kappa = max ||delta||_2 over the unit ball
    = 1 (l1, l2), sqrt(d) (l_inf, the corner).  Gives Cohen et al.'s sigma Phi^{-1}(pA) and its l_inf conversion.
  - Laplace, l1: every ||delta||_1 <= t has likelihood ratio <= e^{t/sigma} (triangle inequality, coordinate by
    coordinate), so beta_delta(m) <= e^{t/sigma} m; the axis shift t e_1 attains it for m <= e^{-t/sigma}/2 (the set
    {z_1 >= t} where the ratio equals e^{t/sigma} has that mass), so in binary form the worst case is the 1-d Laplace
    half-line: r = F^{-1}(pA) = -sigma log(2(1 - pA)) (Teng et al. 2020).  Multi-class: the axis shift (the 1-d
    formula); its worst-case status in d >= 2 is checked numerically for d = 2 in the tests.
* **overlap** (exact, uniform noise): the ratio takes the values 0, 1, inf; with v(delta) = P0(Z in C + delta) =
  prod_i (1 - |delta_i|/(2 sigma))_+ the overlap of the cube with its shift, beta(m) = (1 - v) + min(m, v) and
  alpha(m) = max(0, m - (1 - v)); flip iff v <= 1 - (pA - pB)/2.  min v over the ball: l1 -> one axis (log(1 - u) is
  concave), 1 - rho; l_inf -> the corner, (1 - rho)^d; l2 -> the KKT points (nonzero |delta_i|/(2 sigma) take at most
  two values a and 1 - a, at most 3 of them >= 1/2), enumerated exactly.  rho = r / (2 sigma).
  Binary l1: r = 2 sigma (pA - 1/2) (Yang et al. 2020 / Levine & Feizi 2021).
* **dinf-attained** (exact, eq.-6 noise, l_inf, binary): the ratio is <= e^{||delta||_inf/sigma} and the corner shift
  t(1, ..., 1) attains it on a set of P0-mass e^{-t/sigma}/2 (theory.ground_truth, corner-exp), so
  r = sigma log(1/(2(1 - pA))) (Yang et al. 2020).
* **radial** (exact, l2-exponential noise): rotation invariance reduces every direction to t e_1; the statistic
  V = ||z|| - ||z - t e_1|| is the log-ratio (times sigma); P0(V <= c) = E_R[G_d(x*(R))] with
  R = ||Z|| ~ Gamma(d, sigma), G_d the cdf of the cosine z_1/||z|| ((X + 1)/2 ~ Beta((d-1)/2, (d-1)/2)) and
  x*(R) = (t^2 + 2Rc - c^2)/(2Rt): a 1-d quadrature.  Under P_t, V has the law of -V under P0.  The radius is the
  first t (scan + brentq) with alpha_t(pA) <= beta_t(pB).  l1: same as l2 (the l1 ball lies in the l2 ball and
  contains axis shifts of every l2 norm); l_inf: l2 / sqrt(d) (the l_inf ball lies in the l2 ball of radius
  r sqrt(d) and contains its corner).
* **bracket** (not exact: a lower and an upper bound with the argument for each):
  - Laplace l2 / l_inf: lower = the l1 radius / d^{1 - 1/p} (||delta||_1 <= d^{1-1/p} ||delta||_p); upper = the flip
    distance of explicit classifiers (the axis half-line, flipped at the l1 radius; the sum rule {sum_i z_i >= b},
    flipped by the corner shift at ||delta||_1 = b with P(sum Z_i >= b) = 1 - pA, computed by 1-d quadrature of the
    difference of two Gamma(d, sigma) variables).
  - eq.-6 noise l1 / l2: lower = Yang's l_inf radius (the D_inf bound uses ||delta||_inf <= ||delta||_p); upper =
    min(the corner (attains the D_inf bound at ||delta||_inf = r_Yang, so ||delta||_p = d^{1/p} r_Yang), the axis rule
    x_1 >= t of theory.ground_truth.axis_exponential).
  Coverage is stated in ``TightRadius.note``; the true tight radius lies in [lower, upper].

Multi-class (pB < 1 - pA): half-line, overlap and radial cells; eq.-6 noise only in binary form (ValueError).

>>> tight_radius("gaussian", "l2", sigma=0.5, pA=0.99).value    # doctest: +ELLIPSIS
1.163173...
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import integrate, optimize, special

from theory import validate as V

if TYPE_CHECKING:
    from theory.certificates import Probabilities

__all__ = ["NOISES", "NORMS", "TightRadius", "flip_margin", "noise_variance", "supports_multiclass", "tight_radius"]

#: validated range of the radial (l2-exponential) quadrature: its deep tails lose accuracy (tests: mpmath agreement
#: to 1e-8 relative at 1 - pA = 1e-6, d <= 40; 1e-5 at 1e-12)
RADIAL_MIN_ONE_MINUS_PA = 1e-9
RADIAL_MAX_D = 64
NOISES = ("gaussian", "laplace", "uniform", "exponential-linf", "exponential-l2")
NORMS = ("l1", "l2", "linf")
_LOG2 = math.log(2.0)
_P = {"l1": 1.0, "l2": 2.0, "linf": math.inf}


@dataclass(frozen=True)
class TightRadius:
    """The tight radius of one (noise, norm, d, sigma, pA, pB) or a bracket of it.

    ``value`` is the tight radius when ``exact`` (``lower == upper == value``), else None; ``lower`` / ``upper``
    always bound it (lower = a sound certificate, upper = the flip distance of an explicit classifier).
    ``method``: half-line | overlap | dinf-attained | radial | bracket; ``direction``: the worst shift found;
    ``note``: the argument / coverage.
    """

    noise: str
    norm: str
    d: int
    sigma: float
    one_minus_pA: float
    pB: float | None
    value: float | None
    lower: float
    upper: float
    exact: bool
    method: str
    direction: str
    note: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def supports_multiclass(noise: str, norm: str) -> bool:
    """Whether :func:`tight_radius` has the runner-up (pB) form for this cell."""
    V.choice("noise", noise, NOISES)
    V.choice("norm", norm, NORMS)
    return noise != "exponential-linf" and not (noise == "laplace" and norm != "l1")


def noise_variance(noise: str, sigma: float, d: int) -> float:
    """Per-coordinate second moment E[Z_1^2] (the normalisation of the follow-up literature).

    gaussian sigma^2; laplace 2 sigma^2; uniform sigma^2/3; eq. 6: E R^2 / 3 with R = ||Z||_inf ~ Gamma(d, sigma) and
    the face coordinate... exactly E[Z_1^2] = E[R^2] (1/d + (d-1)/(3d)) = sigma^2 d (d+1) (d+2)/(3d) (one coordinate is
    the face, the others uniform on [-R, R]); l2-exponential: E||Z||^2 / d = sigma^2 (d + 1).
    """
    V.choice("noise", noise, NOISES)
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    if noise == "gaussian":
        return sigma ** 2
    if noise == "laplace":
        return 2 * sigma ** 2
    if noise == "uniform":
        return sigma ** 2 / 3
    if noise == "exponential-linf":
        return sigma ** 2 * (d + 1) * (d + 2) / 3.0
    return sigma ** 2 * (d + 1)


# ----------------------------------------------------------------------------------------------------
# probabilities (log space, as theory.certificates)
# ----------------------------------------------------------------------------------------------------

def _probs(pA: float | None, one_minus_pA: float | None, log_one_minus_pA: float | None,
           pB: float | None) -> tuple[Probabilities, bool]:
    from theory.certificates import probabilities

    p = probabilities(pA, one_minus_pA, log_one_minus_pA, pB)
    if (p.binary and not p.log_one_minus_pA < -_LOG2) or (not p.binary and not p.log_pB < p.log_pA):
        # pA <= 1/2 (binary) or pA <= pB: nothing is certified
        return p, True
    return p, False


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
# public entry
# ----------------------------------------------------------------------------------------------------

def tight_radius(noise: str, norm: str, *, sigma: float = 1.0, d: int = 1, pA: float | None = None,
                 one_minus_pA: float | None = None, log_one_minus_pA: float | None = None,
                 pB: float | None = None) -> TightRadius:
    """Tight (Neyman-Pearson) certified radius of ``noise`` against ``norm`` in dimension ``d`` (module doc).

    Give pA as one of ``pA`` / ``one_minus_pA`` / ``log_one_minus_pA`` (log space near pA -> 1); ``pB`` (runner-up,
    pB <= 1 - pA) for the multi-class form.  Returns a :class:`TightRadius` (radius 0 when pA <= 1/2 or pA <= pB).

    >>> r = tight_radius("laplace", "l1", sigma=1.0, one_minus_pA=0.01)
    >>> round(r.value, 12) == round(-math.log(0.02), 12)
    True
    """
    V.choice("noise", noise, NOISES)
    V.choice("norm", norm, NORMS)
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    p, nothing = _probs(pA, one_minus_pA, log_one_minus_pA, pB)
    e = math.exp(p.log_one_minus_pA)
    pb = None if p.binary else math.exp(p.log_pB)
    if not p.binary and not supports_multiclass(noise, norm):
        raise ValueError(f"noise {noise} in {norm} has only the binary form here (pB = 1 - pA); do not pass pB")

    def out(lower: float, upper: float, method: str, direction: str, note: str, exact: bool = True) -> TightRadius:
        return TightRadius(noise, norm, d, sigma, e, pb, lower if exact else None, float(lower), float(upper),
                           exact, method, direction, note)

    if nothing:
        return out(0.0, 0.0, "none", "-", "pA <= 1/2 (binary) or pA <= pB: nothing is certified")
    if noise == "gaussian" or (d == 1 and noise in ("laplace", "exponential-linf", "exponential-l2")):
        law = "gaussian" if noise == "gaussian" else "laplace"
        kappa = math.sqrt(d) if (noise == "gaussian" and norm == "linf") else 1.0
        r = _halfline(law, sigma, p, kappa)
        direction = "corner" if kappa > 1 else "axis"
        return out(r, r, "half-line", direction,
                   f"likelihood ratio monotone in a 1-d projection with a symmetric log-concave ({law}) law; "
                   f"worst direction {direction} (kappa = {kappa:.6g})")
    if noise == "laplace":
        if norm == "l1":
            r = _halfline("laplace", sigma, p, 1.0)
            return out(r, r, "half-line", "axis",
                       "D_inf bound e^{||delta||_1/sigma} attained by the axis shift on {z_1 >= t} "
                       "(mass e^{-t/sigma}/2)")
        lo, hi, direction, note = _laplace_bracket(p, sigma, norm, d)
        return out(lo, hi, "bracket", direction, note, exact=False)
    if noise == "uniform":
        r, direction = _uniform(p, sigma, norm, d)
        return out(r, r, "overlap", direction,
                   "likelihood ratio in {0, 1, inf}: flip iff the overlap v(delta) <= 1 - (pA - pB)/2; min v over the "
                   f"{norm} ball at the {direction}")
    if noise == "exponential-linf":
        if norm == "linf":
            r = max(-sigma * (_LOG2 + p.log_one_minus_pA), 0.0)
            return out(r, r, "dinf-attained", "corner",
                       "D_inf bound e^{||delta||_inf/sigma} attained by the corner shift on {max z + min z >= 2t} "
                       "(mass e^{-t/sigma}/2)")
        lo, hi, direction, note = _exp_linf_bracket(e, sigma, norm, d)
        return out(lo, hi, "bracket", direction, note, exact=False)
    # exponential-l2, d >= 2: validated against mpmath (tests) for 1 - pA >= 1e-9 and d <= 64 only
    if e < RADIAL_MIN_ONE_MINUS_PA or d > RADIAL_MAX_D:
        raise ValueError(f"one_minus_pA must be >= {RADIAL_MIN_ONE_MINUS_PA:g} and d <= {RADIAL_MAX_D} for the "
                         f"exponential-l2 noise (the quadrature's validated range), got 1 - pA = {e!r}, d = {d}")
    r2 = _radial(p, sigma, d)
    r = r2 / math.sqrt(d) if norm == "linf" else r2
    return out(r, r, "radial", "any (rotation invariant)" if norm != "linf" else "corner",
               "1-d quadrature of the radial statistic ||z|| - ||z - t e_1|| (rotation invariance); "
               "l1 = l2, l_inf = l2/sqrt(d)")


def flip_margin(noise: str, norm: str, t: float, *, sigma: float, d: int, one_minus_pA: float) -> float:
    """pB(x') - 1/2 for the worst-case binary classifier of an exact half-line / overlap / dinf-attained cell, moved by
    a shift of norm t in its worst direction (> 0: the prediction flips).  Used to place witnesses."""
    e = one_minus_pA
    if noise == "gaussian":
        kappa = math.sqrt(d) if norm == "linf" else 1.0
        b = -sigma * float(special.ndtri(e))
        return float(special.ndtr((kappa * t - b) / sigma)) - 0.5
    if noise in ("laplace", "exponential-linf") or (noise == "exponential-l2" and d == 1):
        if noise == "laplace" and norm != "l1" and d > 1:
            raise ValueError("no exact worst-case classifier for this cell")
        if noise == "exponential-linf" and norm != "linf" and d > 1:
            raise ValueError("no exact worst-case classifier for this cell")
        b = -sigma * math.log(2 * e)
        u = (b - t) / sigma
        return (0.5 * math.exp(-u) if u >= 0 else 1.0 - 0.5 * math.exp(u)) - 0.5
    if noise == "uniform":
        if norm != "l1" and d > 1:
            raise ValueError("witness classifiers for uniform noise are built for l1 (or d = 1) only")
        b = sigma * (1 - 2 * e)
        return min(1.0, max(0.0, (sigma - b + t) / (2 * sigma))) - 0.5
    raise ValueError("no exact worst-case classifier for this cell")
