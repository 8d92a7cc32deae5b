"""Certified radii of randomized smoothing, and Cohen et al.'s CERTIFY / PREDICT as pure functions of counts.

Two halves:

* **Statistics of counts** (used by :mod:`empirical`, which must not re-derive them):
  :func:`clopper_pearson_lower`, :func:`clopper_pearson_interval`, :func:`certify_from_counts`,
  :func:`predict_from_counts`, and :func:`certified_radii` (every radius column of the empirical TSV).
* **Certified radii** as pure functions of the class probabilities: the paper's C11 (Gaussian, l2, DMR),
  T13 (eq.-6 exponential noise, l_inf, D_inf) and T18 (Gaussian, l_inf, DMR), and the references
  Cohen et al. 2019 (tight l2), Lecuyer et al. 2019 (PixelDP), Li et al. 2019 (Renyi), the l2 -> l_inf
  conversion and the l_inf radius of eq.-6 noise (Yang et al. 2020).  Each certificate is an object of the
  registry :data:`CERTIFICATES` with ``radius(...)`` and ``inverse(...)``.

Precision convention
--------------------
Near pA -> 1 the interesting quantity is ``1 - pA``; every radius function accepts it directly
(``one_minus_pA``) or as its logarithm (``log_one_minus_pA``), so that ``1 - pA`` down to 1e-300 (and below,
in log form) is represented exactly.  Internally everything is in log space:
``log pA = log1p(-(1 - pA))``, ``Phi^{-1}(pA) = -Phi^{-1}(1 - pA) = -ndtri_exp(log(1 - pA))``.

Binary form: pB = 1 - pA.  Multi-class form: pB is the runner-up probability, 0 < pB <= 1 - pA.
A radius is 0.0 when the certificate certifies nothing (pA <= pB, e.g. pA <= 1/2 in binary form); never NaN.

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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

from theory import _validate as V

__all__ = [
    "clopper_pearson_lower",
    "clopper_pearson_upper",
    "clopper_pearson_interval",
    "CertifyResult",
    "PredictResult",
    "certify_from_counts",
    "certify_from_class_counts",
    "predict_from_counts",
    "certified_radii",
    "RADIUS_COLUMNS",
    "Probabilities",
    "probabilities",
    "Certificate",
    "CERTIFICATES",
    "get",
    "radius",
    "inverse",
]

_LOG2 = math.log(2.0)
_SQRT2 = math.sqrt(2.0)


# =====================================================================================================
# Statistics of counts (Cohen, Rosenfeld & Kolter 2019, "Certified adversarial robustness via randomized
# smoothing", Section 3.2 / Algorithm "CERTIFY" and "PREDICT")
# =====================================================================================================

_MAX_COUNT = 2 ** 53  # counts are exact in float64 (and in scipy's integer kernels) up to here


def _check_counts(k: Any, n: Any, alpha: Any, k_name: str = "k", n_name: str = "n") -> tuple[int, int, float]:
    n = V.count(n_name, n, minimum=1)
    if n > _MAX_COUNT:
        raise ValueError(f"{n_name} must be an integer in [1, 2**53], got {n}")
    k = V.count(k_name, k, minimum=0)
    if k > n:
        raise ValueError(f"{k_name} must lie in [0, {n_name}] = [0, {n}], got {k}")
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    return k, n, alpha


def clopper_pearson_lower(k: Any, n: Any, alpha: Any) -> float:
    """One-sided (1 - alpha) Clopper-Pearson lower confidence bound for a binomial proportion.

    ``p_lower = B^{-1}(alpha; k, n - k + 1)`` (the alpha-quantile of Beta(k, n - k + 1)); ``0`` when k = 0.
    Equivalently ``p_lower`` solves ``P[Bin(n, p) >= k] = alpha`` (Clopper & Pearson 1934).  This is the
    ``pABar`` of Cohen et al. 2019's CERTIFY (their code calls ``proportion_confint(k, n, 2*alpha,
    method="beta")[0]``, which is the same number).

    k: successes, integer in [0, n]; n: trials, integer >= 1; alpha: in (0, 1).
    """
    k, n, alpha = _check_counts(k, n, alpha)
    if k == 0:
        return 0.0
    return float(stats.beta.ppf(alpha, k, n - k + 1))


def clopper_pearson_upper(k: Any, n: Any, alpha: Any) -> float:
    """One-sided (1 - alpha) Clopper-Pearson upper bound ``B^{-1}(1 - alpha; k + 1, n - k)``; ``1`` when k = n."""
    k, n, alpha = _check_counts(k, n, alpha)
    if k == n:
        return 1.0
    return float(stats.beta.isf(alpha, k + 1, n - k))


def clopper_pearson_interval(k: Any, n: Any, alpha: Any) -> tuple[float, float]:
    """Two-sided (1 - alpha) Clopper-Pearson interval ``(lower at alpha/2, upper at alpha/2)``.

    ``[B^{-1}(alpha/2; k, n-k+1), B^{-1}(1-alpha/2; k+1, n-k)]`` with the conventions 0 at k = 0 and 1 at k = n.
    """
    k, n, alpha = _check_counts(k, n, alpha)
    return clopper_pearson_lower(k, n, alpha / 2), clopper_pearson_upper(k, n, alpha / 2)


@dataclass(frozen=True)
class CertifyResult:
    """Outcome of CERTIFY: ``abstain``; ``pA_lower`` (the Clopper-Pearson bound); ``radius`` (0.0 on abstain);
    ``one_minus_pA_lower`` = 1 - pA_lower computed without cancellation (pass it on to ``certified_radii``
    so that every radius is computed from the same, exact tail)."""

    abstain: bool
    pA_lower: float
    radius: float
    one_minus_pA_lower: float | None = None


@dataclass(frozen=True)
class PredictResult:
    """Outcome of PREDICT: ``abstain`` and the two-sided binomial test's ``p_value``."""

    abstain: bool
    p_value: float


def certify_from_counts(nA: Any, n: Any, alpha: Any, sigma: Any, certificate: str = "cohen",
                        **params: Any) -> CertifyResult:
    """Cohen et al. 2019 CERTIFY, from counts.

    The caller has already chosen cA = argmax of the *selection* counts (n0 noise draws) and passes
    ``nA`` = the count of cA among the n *estimation* draws (independent of the selection draws).  Then

        pA_lower = clopper_pearson_lower(nA, n, alpha)        (one-sided, level 1 - alpha)
        abstain  = pA_lower < 1/2
        radius   = certificate radius at pA_lower in binary form (pB = 1 - pA_lower);
                   for "cohen": sigma * Phi^{-1}(pA_lower).

    ``certificate`` is any key of :data:`CERTIFICATES`; ``params`` are its parameters (e.g. ``c=1`` for C11,
    ``d=3072`` for l_inf certificates).  The radius is 0.0 when abstaining or when the certificate
    certifies nothing at ``pA_lower``.
    """
    nA, n, alpha = _check_counts(nA, n, alpha, "nA", "n")
    sigma = V.positive("sigma", sigma)
    cert = get(certificate)
    pA_lower = clopper_pearson_lower(nA, n, alpha)
    if pA_lower < 0.5:
        return CertifyResult(True, pA_lower, 0.0)
    # 1 - pA_lower from the complementary Beta quantile (exact when pA_lower is within 1e-16 of 1).
    if nA == n:
        # pA_lower = alpha^(1/n)  =>  1 - pA_lower = -expm1(log(alpha)/n)
        one_minus = -math.expm1(math.log(alpha) / n)
    else:
        one_minus = float(stats.beta.isf(alpha, n - nA + 1, nA))
    r = cert.radius(one_minus_pA=one_minus, sigma=sigma, **params)
    return CertifyResult(False, pA_lower, float(r), one_minus)


def certify_from_class_counts(counts_selection: npt.ArrayLike, counts_estimation: npt.ArrayLike, alpha: Any,
                              sigma: Any, certificate: str = "cohen", **params: Any) -> tuple[int, CertifyResult]:
    """CERTIFY from per-class count vectors: cA = argmax(counts_selection) (lowest index on ties), then
    :func:`certify_from_counts` with ``nA = counts_estimation[cA]`` and ``n = sum(counts_estimation)``.
    Returns ``(cA, result)``."""
    sel = np.asarray(counts_selection)
    est = np.asarray(counts_estimation)
    if sel.ndim != 1 or sel.size == 0 or est.shape != sel.shape:
        raise ValueError("counts_selection and counts_estimation must be non-empty 1-d arrays of the same shape")
    if np.any(sel < 0) or np.any(est < 0):
        raise ValueError("counts_selection and counts_estimation must be >= 0")
    cA = int(np.argmax(sel))
    return cA, certify_from_counts(int(est[cA]), int(est.sum()), alpha, sigma, certificate, **params)


def predict_from_counts(nA: Any, nB: Any, alpha: Any) -> PredictResult:
    """Cohen et al. 2019 PREDICT, from counts.

    nA >= nB: counts of the top two classes among n noise draws (the caller predicts the class of nA).
    Two-sided exact binomial test of H0: P(cA) = P(cB) given nA + nB draws
    (``scipy.stats.binomtest(nA, nA + nB, 0.5)``); abstain iff p-value > alpha.  With nA + nB = 0 the
    p-value is 1 (abstain).  Cohen et al. show the probability of returning a wrong class is <= alpha.
    """
    nA = V.count("nA", nA)
    nB = V.count("nB", nB)
    if nA + nB > _MAX_COUNT:
        raise ValueError(f"nA + nB must be <= 2**53, got {nA + nB}")
    if nB > nA:
        raise ValueError(f"nA must be the top count: nA >= nB required, got nA={nA} < nB={nB}")
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    if nA + nB == 0:
        return PredictResult(True, 1.0)
    p = float(stats.binomtest(nA, nA + nB, 0.5, alternative="two-sided").pvalue)
    return PredictResult(p > alpha, p)


# =====================================================================================================
# Probabilities in log space
# =====================================================================================================

@dataclass(frozen=True)
class Probabilities:
    """(pA, pB) held as logarithms: ``log_pA``, ``log_one_minus_pA`` = log(1 - pA), ``log_pB``.

    ``binary`` is True when pB was not given (pB = 1 - pA, so ``log_pB == log_one_minus_pA``).
    """

    log_pA: float
    log_one_minus_pA: float
    log_pB: float
    binary: bool

    @property
    def pA(self) -> float:
        return math.exp(self.log_pA)

    @property
    def one_minus_pA(self) -> float:
        return math.exp(self.log_one_minus_pA)

    @property
    def pB(self) -> float:
        return math.exp(self.log_pB)


def _log1mexp(x: float) -> float:
    """log(1 - e^x) for x < 0, accurate on both sides of -log 2 (Maechler 2012)."""
    if x > -_LOG2:
        return math.log(-math.expm1(x))
    return math.log1p(-math.exp(x))


# Relative slack for pA + pB <= 1 when both are given as decimal floats (0.9 + 0.1 rounds above 1).
_SUM_SLACK = 1e-12


def probabilities(pA: Any = None, one_minus_pA: Any = None, log_one_minus_pA: Any = None, pB: Any = None,
                  log_pB: Any = None) -> Probabilities:
    """Validate and convert class probabilities to log space.

    Give exactly one of ``pA`` in (0, 1), ``one_minus_pA`` in (0, 1), ``log_one_minus_pA`` in (-inf, 0);
    optionally at most one of ``pB`` in (0, 1) / ``log_pB`` in (-inf, 0) (multi-class form), with
    pB <= 1 - pA (checked with a relative slack of 1e-12 for decimal inputs such as 0.9 and 0.1).
    """
    given = [k for k, v in (("pA", pA), ("one_minus_pA", one_minus_pA), ("log_one_minus_pA", log_one_minus_pA))
             if v is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of pA, one_minus_pA, log_one_minus_pA "
                         f"(got {', '.join(given) if given else 'none'})")
    if pA is not None:
        pA = V.in_open_interval("pA", pA, 0.0, 1.0)
        lm = math.log1p(-pA) if pA < 0.5 else math.log(1.0 - pA)  # 1 - pA exact for pA >= 1/2 (Sterbenz)
        lpa = math.log(pA)
    elif one_minus_pA is not None:
        e = V.in_open_interval("one_minus_pA", one_minus_pA, 0.0, 1.0)
        lm = math.log(e)
        lpa = math.log1p(-e)
    else:
        lm = V.real("log_one_minus_pA", log_one_minus_pA)
        if not lm < 0:
            raise ValueError(f"log_one_minus_pA must lie in (-inf, 0), got {lm}")
        lpa = _log1mexp(lm)
    if pB is not None and log_pB is not None:
        raise ValueError("give at most one of pB, log_pB")
    if pB is None and log_pB is None:
        return Probabilities(lpa, lm, lm, True)
    if pB is not None:
        lpb = math.log(V.in_open_interval("pB", pB, 0.0, 1.0))
    else:
        lpb = V.real("log_pB", log_pB)
        if not lpb < 0:
            raise ValueError(f"log_pB must lie in (-inf, 0), got {lpb}")
    if lpb > lm + _SUM_SLACK:
        raise ValueError(f"pB must lie in (0, 1 - pA] = (0, {math.exp(lm)!r}], got {math.exp(lpb)!r}")
    return Probabilities(lpa, lm, min(lpb, lm), False)


def _phi_inv_of_log(logp: float) -> float:
    """Phi^{-1}(e^logp), via scipy.special.ndtri_exp (accurate for e^logp down to 1e-300 and beyond)."""
    return float(special.ndtri_exp(logp))


# =====================================================================================================
# The radii.  Each function maps (Probabilities, sigma, params) -> radius >= 0 (0.0 = certifies nothing).
# =====================================================================================================

def _cohen(p: Probabilities, sigma: float) -> float:
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


def _c11(p: Probabilities, sigma: float, c: float) -> float:
    """C11: r = sqrt(2 eps) sigma with sqrt(eps) = (log pA - log pB) / (2 (1 + c)) (derivation: module doc)."""
    t = _log_ratio(p)
    if t <= 0:
        return 0.0
    return _SQRT2 * sigma * t / (2.0 * (1.0 + c))


def _t18(p: Probabilities, sigma: float, c: float, d: int) -> float:
    """T18: r_inf = r_C11 / sqrt(d) (the C11 argument with eps = d r^2 / (2 sigma^2); module doc)."""
    return _c11(p, sigma, c) / math.sqrt(d)


def _cohen_linf(p: Probabilities, sigma: float, d: int) -> float:
    """r_inf = r_Cohen / sqrt(d), since ||delta||_2 <= sqrt(d) ||delta||_inf (tight for the Gaussian)."""
    return _cohen(p, sigma) / math.sqrt(d)


def _t13(p: Probabilities, sigma: float) -> float:
    """T13: r = sigma (log pA - log pB) / 2  (eps = r / sigma, pA' >= pA e^{-eps}, pB' <= pB e^{eps})."""
    t = _log_ratio(p)
    return 0.0 if t <= 0 else 0.5 * sigma * t


def _yang_linf(p: Probabilities, sigma: float) -> float:
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


def _pixeldp(p: Probabilities, sigma: float) -> float:
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


def _li_renyi(p: Probabilities, sigma: float) -> float:
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


def _inv_from_log_ratio(t: float, log_pB: float | None) -> float:
    """log(1 - pA) such that log pA - log pB = t (binary: log(pA/(1-pA)) = t => 1 - pA = 1/(1 + e^t))."""
    if log_pB is None:
        return -float(np.logaddexp(0.0, t))
    return _log1m_from_log_pA(t + log_pB)


def _inv_cohen(r: float, sigma: float, log_pB: float | None) -> float:
    if log_pB is None:
        return float(special.log_ndtr(-r / sigma))          # 1 - pA = Phi(-r / sigma)
    q = 2.0 * r / sigma + _phi_inv_of_log(log_pB)            # Phi^{-1}(pA) = 2r/sigma + Phi^{-1}(pB)
    return float(special.log_ndtr(-q))


def _inv_numeric(rad: Callable[[Probabilities], float], r: float, log_pB: float | None, name: str,
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


# =====================================================================================================
# Registry
# =====================================================================================================

_PARAM_CHECKS: dict[str, Callable[[Any], float]] = {
    "c": lambda v: V.positive("c", v),
    "d": lambda v: V.dimension("d", v),
}


@dataclass(frozen=True)
class Certificate:
    """One certified radius.

    Attributes: ``name``, ``mechanism`` ("gaussian" | "exponential-linf"), ``norm`` ("l2" | "linf"),
    ``notion`` (the divergence / argument the radius comes from), ``reference``, ``params`` (required
    parameter names besides sigma), ``multiclass`` (whether the pB form exists), ``tight`` (name of the
    Neyman-Pearson-tight certificate of the same mechanism and norm, the soundness reference),
    ``formula`` (one line).
    """

    name: str
    mechanism: str
    norm: str
    notion: str
    reference: str
    params: tuple[str, ...]
    multiclass: bool
    tight: str
    formula: str
    _radius: Callable[..., float] = field(repr=False, compare=False)
    _inverse: Callable[..., float] = field(repr=False, compare=False)
    paper: bool = False

    @property
    def divergence(self) -> str:
        """The divergence notion / argument the radius comes from (alias of ``notion``)."""
        return self.notion

    def _params(self, given: dict[str, Any]) -> dict[str, Any]:
        # ``d`` is accepted by every certificate (validated; ignored by those whose radius does not depend on it)
        if "d" in given and "d" not in self.params:
            given = dict(given)
            V.dimension("d", given.pop("d"))
        extra = set(given) - set(self.params)
        if extra:
            raise ValueError(f"certificate {self.name} takes parameters {list(self.params) or 'none'} besides sigma, "
                             f"got unexpected {sorted(extra)}")
        out: dict[str, Any] = {}
        for k in self.params:
            if given.get(k) is None:
                raise ValueError(f"certificate {self.name} needs parameter {k} "
                                 f"({'c > 0' if k == 'c' else 'integer d >= 1'})")
            out[k] = _PARAM_CHECKS[k](given[k])
        return out

    def radius(self, *, sigma: Any, pA: Any = None, one_minus_pA: Any = None, log_one_minus_pA: Any = None,
               pB: Any = None, log_pB: Any = None, **params: Any) -> float:
        """Certified radius (>= 0) at the given probabilities; see :func:`probabilities` for the forms."""
        sigma = V.positive("sigma", sigma)
        kw = self._params(params)
        p = probabilities(pA, one_minus_pA, log_one_minus_pA, pB, log_pB)
        if not p.binary and not self.multiclass:
            raise ValueError(f"certificate {self.name} has only the binary form (pB = 1 - pA); do not pass pB")
        return float(self._radius(p, sigma, **kw))

    def inverse(self, radius: Any, *, sigma: Any, pB: Any = None, log_pB: Any = None, log: bool = False,
                **params: Any) -> float:
        """1 - pA (or log(1 - pA) with ``log=True``) at which the certified radius equals ``radius``.

        Binary form unless pB / log_pB is given.  ``radius = 0`` gives 1 - pA = 1/2 (binary) or 1 - pB.
        """
        sigma = V.positive("sigma", sigma)
        r = V.nonnegative("radius", radius)
        kw = self._params(params)
        if pB is not None and log_pB is not None:
            raise ValueError("give at most one of pB, log_pB")
        lpb = None
        if pB is not None:
            lpb = math.log(V.in_open_interval("pB", pB, 0.0, 0.5))
        elif log_pB is not None:
            lpb = V.real("log_pB", log_pB)
            if not lpb < -_LOG2:
                raise ValueError(f"log_pB must lie in (-inf, log(1/2)), got {lpb}")
        if lpb is not None and not self.multiclass:
            raise ValueError(f"certificate {self.name} has only the binary form (pB = 1 - pA); do not pass pB")
        y = float(self._inverse(r, sigma, lpb, **kw))
        if lpb is not None and y < lpb - _SUM_SLACK:
            raise ValueError(f"radius {r!r} is not reachable by certificate {self.name} with pB = {math.exp(lpb)!r}: "
                             f"it needs pA > 1 - pB")
        return y if log else math.exp(y)


def _mk_inverse_numeric(name: str, radius_fn: Callable[..., float],
                        sup_fn: Callable[..., float] | None = None) -> Callable[..., float]:
    def inv(r: float, sigma: float, lpb: float | None, **kw: Any) -> float:
        def rad(p: Probabilities) -> float:
            return radius_fn(p, sigma, **kw)

        return _inv_numeric(rad, r, lpb, name, None if sup_fn is None else sup_fn(sigma, **kw))
    return inv


def _pixeldp_sup(sigma: float) -> float:
    # pA -> 1 (binary): delta* -> 1/(1 + e^eps), L increasing on (0, 1] => sup = sigma / sqrt(2 ln(1.25 (1 + e)))
    return sigma / math.sqrt(2.0 * math.log(1.25 * (1.0 + math.e)))


CERTIFICATES: dict[str, Certificate] = {}


def _register(c: Certificate) -> None:
    CERTIFICATES[c.name] = c


_register(Certificate(
    "cohen", "gaussian", "l2", "Neyman-Pearson (tight)",
    "Cohen, Rosenfeld & Kolter 2019, Theorem 1", (), True, "cohen",
    "sigma/2 (Phi^-1(pA) - Phi^-1(pB));  binary: sigma Phi^-1(pA)",
    lambda p, s: _cohen(p, s),
    lambda r, s, lpb: _inv_cohen(r, s, lpb)))
_register(Certificate(
    "c11", "gaussian", "l2", "DMR (zCDP), T10 tail bound",
    "this paper, Corollary 11 (Section 3.1, proof in Appendix B)", ("c",), True, "cohen",
    "sqrt(2) sigma (log pA - log pB) / (2 (1 + c))",
    lambda p, s, c: _c11(p, s, c),
    lambda r, s, lpb, c: _inv_from_log_ratio(2.0 * (1.0 + c) * r / (_SQRT2 * s), lpb), paper=True))
_register(Certificate(
    "t18", "gaussian", "linf", "DMR (zCDP), T10 tail bound with eps = d r^2/(2 sigma^2)",
    "this paper, Theorem 18 (Section 3.2) with the argument of Corollary 11", ("c", "d"), True, "cohen-linf",
    "sqrt(2) sigma (log pA - log pB) / (2 (1 + c) sqrt(d))",
    lambda p, s, c, d: _t18(p, s, c, d),
    lambda r, s, lpb, c, d: _inv_from_log_ratio(2.0 * (1.0 + c) * r * math.sqrt(d) / (_SQRT2 * s), lpb),
    paper=True))
_register(Certificate(
    "cohen-linf", "gaussian", "linf", "Neyman-Pearson (tight for the Gaussian: worst case at a corner)",
    "Cohen et al. 2019 with ||.||_2 <= sqrt(d) ||.||_inf", ("d",), True, "cohen-linf",
    "cohen / sqrt(d)",
    lambda p, s, d: _cohen_linf(p, s, d),
    lambda r, s, lpb, d: _inv_cohen(r * math.sqrt(d), s, lpb)))
_register(Certificate(
    "pixeldp", "gaussian", "l2", "(eps, delta)-DP (Gaussian mechanism, eps <= 1)",
    "Lecuyer et al. 2019 (PixelDP), Proposition 1 / Section 3", (), True, "cohen",
    "max_{0<eps<=1} sigma eps / sqrt(2 ln(1.25/delta*)),  delta* = (pA - e^{2eps} pB)/(1 + e^eps)",
    lambda p, s: _pixeldp(p, s),
    _mk_inverse_numeric("pixeldp", lambda p, s: _pixeldp(p, s), lambda s: _pixeldp_sup(s))))
_register(Certificate(
    "li-renyi", "gaussian", "l2", "Renyi divergence",
    "Li, Chen, Wang & Carin 2019 (NeurIPS), Theorem 1 / Corollary for Gaussian noise", (), True, "cohen",
    "sup_{a>1} sigma sqrt(-(2/a) log(1 - pA - pB + 2 ((pA^{1-a} + pB^{1-a})/2)^{1/(1-a)}))",
    lambda p, s: _li_renyi(p, s),
    _mk_inverse_numeric("li-renyi", lambda p, s: _li_renyi(p, s))))
_register(Certificate(
    "t13", "exponential-linf", "linf", "D_inf (eps-DP)",
    "this paper, Theorem 13 (Section 3.2) with the argument of Corollary 11", (), True, "yang-linf",
    "sigma (log pA - log pB) / 2",
    lambda p, s: _t13(p, s),
    lambda r, s, lpb: _inv_from_log_ratio(2.0 * r / s, lpb), paper=True))
_register(Certificate(
    "yang-linf", "exponential-linf", "linf", "Neyman-Pearson (tight in binary form; verified d = 1, 2)",
    "Yang et al. 2020, 'Randomized smoothing of all shapes and sizes' (ExpInf, k = 1, l_inf adversary)",
    (), False, "yang-linf",
    "sigma log(1 / (2 (1 - pA)))",
    lambda p, s: _yang_linf(p, s),
    lambda r, s, lpb: -r / s - _LOG2))


def get(name: str) -> Certificate:
    """The certificate called ``name`` (a key of :data:`CERTIFICATES`)."""
    if not isinstance(name, str) or name not in CERTIFICATES:
        raise ValueError(f"certificate must be one of {sorted(CERTIFICATES)}, got {name!r}")
    return CERTIFICATES[name]


def radius(name: str, **kw: Any) -> float:
    """``get(name).radius(**kw)``."""
    return get(name).radius(**kw)


def inverse(name: str, r: Any, **kw: Any) -> float:
    """``get(name).inverse(r, **kw)``."""
    return get(name).inverse(r, **kw)


# =====================================================================================================
# The radius columns of the empirical TSV
# =====================================================================================================

RADIUS_COLUMNS: dict[str, tuple[str, ...]] = {
    "gaussian": ("radius_cohen", "radius_c11_c1", "radius_c11_c3", "radius_t18_linf_c1", "radius_t18_linf_c3",
                 "radius_cohen_linf", "radius_pixeldp", "radius_li_renyi"),
    "exponential-linf": ("radius_t13_linf", "radius_yang_linf"),
}
_COLUMN_SPEC: dict[str, tuple[str, dict[str, float | None]]] = {
    "radius_cohen": ("cohen", {}),
    "radius_c11_c1": ("c11", {"c": 1.0}),
    "radius_c11_c3": ("c11", {"c": 3.0}),
    "radius_t18_linf_c1": ("t18", {"c": 1.0, "d": None}),
    "radius_t18_linf_c3": ("t18", {"c": 3.0, "d": None}),
    "radius_cohen_linf": ("cohen-linf", {"d": None}),
    "radius_pixeldp": ("pixeldp", {}),
    "radius_li_renyi": ("li-renyi", {}),
    "radius_t13_linf": ("t13", {}),
    "radius_yang_linf": ("yang-linf", {}),
}


def certified_radii(mechanism: str, pA_lower: Any, sigma: Any, d: Any, *,
                    one_minus_pA_lower: Any = None) -> dict[str, float]:
    """Every certified radius of ``mechanism`` at ``pA_lower`` (binary form, pB = 1 - pA_lower).

    Columns (stable names, see :data:`RADIUS_COLUMNS`):

    * ``"gaussian"``: ``radius_cohen`` (tight l2, Cohen et al. 2019), ``radius_c11_c1`` / ``radius_c11_c3``
      (C11, c = 1, 3), ``radius_t18_linf_c1`` / ``radius_t18_linf_c3`` (T18, l_inf, c = 1, 3),
      ``radius_cohen_linf`` (l2 -> l_inf conversion cohen / sqrt(d); tight for the Gaussian),
      ``radius_pixeldp`` (Lecuyer et al. 2019), ``radius_li_renyi`` (Li et al. 2019);
    * ``"exponential-linf"`` (eq. 6): ``radius_t13_linf`` (T13, D_inf) and ``radius_yang_linf``
      (tight, Yang et al. 2020).

    pA_lower in [0, 1); pA_lower <= 1/2 gives 0.0 everywhere (no certificate), never NaN.
    ``one_minus_pA_lower`` (optional) gives 1 - pA_lower exactly when it is below float resolution.
    """
    V.choice("mechanism", mechanism, RADIUS_COLUMNS)
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    if one_minus_pA_lower is not None:
        e = V.in_open_interval("one_minus_pA_lower", one_minus_pA_lower, 0.0, 1.0)
    else:
        pa = V.real("pA_lower", pA_lower)
        if not 0.0 <= pa < 1.0:
            raise ValueError(f"pA_lower must lie in [0, 1) (pass one_minus_pA_lower for pA_lower -> 1), got {pa}")
        e = 1.0 - pa
    out: dict[str, float] = {}
    for col in RADIUS_COLUMNS[mechanism]:
        if e >= 0.5:
            out[col] = 0.0
            continue
        name, prm = _COLUMN_SPEC[col]
        prm = {k: (d if v is None else v) for k, v in prm.items()}
        out[col] = get(name).radius(one_minus_pA=e, sigma=sigma, **prm)
    return out


# =====================================================================================================
# Soundness: does a certificate ever exceed the tight (Neyman-Pearson) radius of the same mechanism and norm?
# =====================================================================================================

#: Parameter settings searched by :func:`soundness_table` ("each setting the paper uses or allows").
SOUNDNESS_SETTINGS: dict[str, list[dict[str, Any]]] = {
    "c11": [{"c": c} for c in (0.5, 1.0, 2.0, 3.0)],
    "t18": [{"c": c, "d": 3072} for c in (0.5, 1.0, 2.0, 3.0)],
    "t13": [{}],
    "pixeldp": [{}],
    "li-renyi": [{}],
    "cohen-linf": [{"d": 3072}],
}

#: A certificate "exceeds" the tight radius when radius / tight > 1 + EXCEED_RTOL.  The radii are computed to
#: ~1e-13 relative (tests: agreement with mpmath to 1e-12), so 1e-9 is far above the numerical noise.
EXCEED_RTOL = 1e-9


def _log_ratio_to_tight(cert: Certificate, tight: Certificate, y: float, sigma: float, params: dict[str, Any],
                        log_pB: float | None = None) -> float:
    """log(radius / tight radius) at log(1 - pA) = y (binary unless log_pB is given)."""
    tparams = {k: v for k, v in params.items() if k in tight.params}
    kw = {"log_one_minus_pA": y, "sigma": sigma}
    if log_pB is not None:
        kw["log_pB"] = log_pB
    r = cert.radius(**kw, **params)
    t = tight.radius(**kw, **tparams)
    if t <= 0:
        return math.inf if r > 0 else 0.0
    if r <= 0:
        return -math.inf
    return math.log(r / t)


#: Number of classes K of the multi-class search: CIFAR-10 (the default) and ImageNet (also reported by the audit).
DEFAULT_NUM_CLASSES = 10
SOUNDNESS_NUM_CLASSES = (10, 1000)


def min_runner_up(one_minus_pA: float, num_classes: int) -> float:
    """Smallest runner-up probability pB a ``num_classes``-class problem allows at 1 - pA: the other K - 2 classes
    hold 1 - pA - pB, each at most pB (pB is the runner-up), so 1 - pA - pB <= (K - 2) pB, i.e.
    pB >= (1 - pA)/(K - 1) (equality: the rest spread evenly over K - 2 classes of probability pB)."""
    return one_minus_pA / (num_classes - 1)


def multiclass_exceeds_tight(name: str, *, num_classes: int = DEFAULT_NUM_CLASSES, sigma: float = 1.0,
                             min_one_minus_pA: float = 1e-15, grid: int = 240, pB_grid: int = 24,
                             **params: Any) -> dict[str, Any] | None:
    """Multi-class form of :func:`exceeds_tight` for a problem with ``num_classes`` = K classes (None when the
    certificate or its tight reference has no pB form).

    Admissible pairs: pB is the probability of the *runner-up* class, so a pair (pA, pB) is realisable by K
    classes iff pB <= pA, pA + pB <= 1 and the rest 1 - pA - pB splits into at most K - 2 classes each <= pB,
    i.e. pB >= (1 - pA)/(K - 1) (:func:`min_runner_up`).  Without the last bound the search would reach pB far
    below 1 - pA, which needs ceil((1 - pA - pB)/pB) other classes (~1e15 at pB = 1e-15): not a K-class problem.
    Searched: 1 - pA on a log grid of max(grid/8, 8) points in [min_one_minus_pA, 1/2) (there pB <= 1 - pA < pA,
    so the first two conditions reduce to pB <= 1 - pA) x ``pB_grid`` log-spaced pB in [(1 - pA)/(K - 1), 1 - pA].

    Returns ``exceeds_tight``, ``max_ratio`` (radius / tight radius), ``at_one_minus_pA``, ``at_pB``,
    ``classes_at_max`` (the fewest classes realising that pair: 2 + ceil((1 - pA - pB)/pB)),
    ``largest_one_minus_pA_exceeding``, ``num_classes`` and ``range_pB``.
    """
    cert = get(name)
    tight = get(cert.tight)
    if not (cert.multiclass and tight.multiclass):
        return None
    num_classes = V.count("num_classes", num_classes, minimum=2)
    sigma = V.positive("sigma", sigma)
    lo_e = V.in_open_interval("min_one_minus_pA", min_one_minus_pA, 0.0, 0.5)
    grid = V.count("grid", grid, minimum=8)
    pB_grid = V.count("pB_grid", pB_grid, minimum=2)
    params = cert._params(params)
    thr = math.log1p(EXCEED_RTOL)
    es = np.exp(np.linspace(math.log(lo_e), math.log(0.5 - 1e-9), max(grid // 8, 8)))
    worst: tuple[float, float, float] | None = None
    from_e = None
    for e in es:
        e = float(e)
        # the smallest admissible pB, exactly (not through exp(log(.))), then log-spaced up to 1 - pA
        pbs = [min_runner_up(e, num_classes)] + [
            math.exp(v) for v in np.linspace(math.log(min_runner_up(e, num_classes)), math.log(e), pB_grid)[1:]]
        for pb in pbs:
            pb = min(max(pb, min_runner_up(e, num_classes)), e)
            v = _log_ratio_to_tight(cert, tight, math.log(e), sigma, params, log_pB=math.log(pb))
            if worst is None or v > worst[0]:
                worst = (v, e, pb)
            if v > thr and (from_e is None or e > from_e):
                from_e = e
    assert worst is not None  # es has >= 8 points and pbs >= 2, so the loop ran
    v, e, pb = worst
    return {
        "exceeds_tight": bool(v > thr),
        "max_ratio": math.exp(v),
        "at_one_minus_pA": e,
        "at_pB": pb,
        "classes_at_max": 2 + max(0, math.ceil((e - pb) / pb * (1 - 1e-12))),
        "largest_one_minus_pA_exceeding": from_e,
        "num_classes": num_classes,
        "range_pB": ["(1 - pA)/(K - 1)", "1 - pA"],
    }


def exceeds_tight(name: str, *, sigma: float = 1.0, min_one_minus_pA: float = 1e-15, grid: int = 240,
                  multiclass: bool = True, pB_grid: int = 24, num_classes: int = DEFAULT_NUM_CLASSES,
                  **params: Any) -> dict[str, Any]:
    """Search 1 - pA in [min_one_minus_pA, 1/2) for pA where certificate ``name`` exceeds the tight radius.

    The tight reference is ``get(name).tight`` (same mechanism and norm): Cohen et al. 2019 for the Gaussian
    in l2; its l2 -> l_inf conversion for the Gaussian in l_inf (tight: over the l_inf ball of radius r the
    worst shift is a corner, of l2 norm r sqrt(d), and the Gaussian bound depends on ||delta||_2 only);
    Yang et al. 2020's radius for eq.-6 noise (binary form; tightness shown in ``yang-linf``'s derivation
    and checked numerically for d = 1, 2).

    Method: log(radius / tight) on a log-spaced grid of ``grid`` values of 1 - pA (the upper end 1/2 is
    approached as 1/2 - 1e-9), sign changes of log(ratio) - log(1 + EXCEED_RTOL) refined with brentq.
    Multi-class form (when both certificates have it, ``multiclass`` True): :func:`multiclass_exceeds_tight`
    for ``num_classes`` = K classes (default 10, CIFAR-10): pB is the runner-up probability, so only pairs with
    (1 - pA)/(K - 1) <= pB <= 1 - pA are searched (the other K - 2 classes hold 1 - pA - pB, each <= pB).

    Returns a dict: ``exceeds_tight`` (bool, binary form), ``from_one_minus_pA`` (the threshold below which
    it exceeds, or None; if the exceeding set is not an interval (0, t) see ``intervals``), ``intervals``
    (list of [lo, hi] in 1 - pA), ``max_ratio`` and ``at_one_minus_pA``, ``witness_one_minus_pA``
    (the 1 - pA of the largest excess, for :func:`theory.witness.make_witness`), the searched range,
    ``beyond_range`` (the same search down to 1 - pA = 1e-300, for information), ``multiclass`` (its dict, which
    records ``num_classes``, or None) and ``num_classes``.
    """
    cert = get(name)
    tight = get(cert.tight)
    sigma = V.positive("sigma", sigma)
    lo_e = V.in_open_interval("min_one_minus_pA", min_one_minus_pA, 0.0, 0.5)
    grid = V.count("grid", grid, minimum=8)
    params = cert._params(params)
    num_classes = V.count("num_classes", num_classes, minimum=2)
    thr = math.log1p(EXCEED_RTOL)

    def scan(lo_y: float) -> dict[str, Any]:
        hi_y = math.log(0.5 - 1e-9)
        ys = np.linspace(lo_y, hi_y, grid)
        g = np.array([_log_ratio_to_tight(cert, tight, float(y), sigma, params) - thr for y in ys])
        exceed = g > 0
        intervals = []
        i = 0
        f = lambda y: _log_ratio_to_tight(cert, tight, y, sigma, params) - thr  # noqa: E731
        while i < len(ys):
            if exceed[i]:
                j = i
                while j + 1 < len(ys) and exceed[j + 1]:
                    j += 1
                a = ys[i] if i == 0 else optimize.brentq(f, ys[i - 1], ys[i], xtol=1e-12)
                b = ys[j] if j == len(ys) - 1 else optimize.brentq(f, ys[j], ys[j + 1], xtol=1e-12)
                intervals.append([math.exp(a), math.exp(b)])
                i = j + 1
            else:
                i += 1
        k = int(np.argmax(g))
        res = {
            "exceeds_tight": bool(intervals),
            # the upper end of the first exceeding interval (for an interval (range bottom, t): "below t")
            "from_one_minus_pA": intervals[0][1] if intervals else None,
            "intervals": intervals,
            "max_ratio": math.exp(float(g[k]) + thr),
            "at_one_minus_pA": math.exp(float(ys[k])),
        }
        return res

    out = {"certificate": name, "tight": tight.name, "params": dict(params), "sigma": sigma,
           "range_one_minus_pA": [lo_e, 0.5], "grid": grid, "rtol": EXCEED_RTOL, "num_classes": num_classes}
    main = scan(math.log(lo_e))
    out.update(main)
    # the clearest excess in range (largest ratio) is where theory.witness builds the binary witness
    out["witness_one_minus_pA"] = main["at_one_minus_pA"] if main["exceeds_tight"] else None
    beyond = scan(math.log(1e-300))
    out["beyond_range"] = {"range_one_minus_pA": [1e-300, 0.5], **{k: beyond[k] for k in
                           ("exceeds_tight", "from_one_minus_pA", "intervals", "max_ratio", "at_one_minus_pA")}}
    out["multiclass"] = (multiclass_exceeds_tight(name, num_classes=num_classes, sigma=sigma, min_one_minus_pA=lo_e,
                                                  grid=grid, pB_grid=pB_grid, **params) if multiclass else None)
    return out


def soundness_table(**kw: Any) -> list[dict[str, Any]]:
    """:func:`exceeds_tight` for every certificate and setting of :data:`SOUNDNESS_SETTINGS` (keyword arguments,
    e.g. ``num_classes`` for the multi-class search, are passed on)."""
    return [exceeds_tight(name, **s, **kw) for name, settings in SOUNDNESS_SETTINGS.items() for s in settings]


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


# =====================================================================================================
# Certificates of the follow-up literature for other noises (issue 14).  Self-contained block: the radii, their
# inverses and their registry entries.  Each is checked against the Neyman-Pearson engine (theory.neyman_pearson)
# in tests/theory/test_neyman_pearson.py.  ``sigma`` is the noise's scale parameter (Laplace: the scale b;
# uniform: the half-width lambda of the cube [-lambda, lambda]^d).
# =====================================================================================================

def _laplace_l1(p: Probabilities, sigma: float) -> float:
    """Teng, Lee & Yuan 2020 (l1, product Laplace noise of scale sigma), binary form:
    r = -sigma log(2 (1 - pA)) for pA > 1/2.  Tight in every d: the likelihood ratio is <= e^{||delta||_1/sigma},
    and the axis shift attains it on {z_1 >= r}, of mass e^{-r/sigma}/2 = 1 - pA (theory.neyman_pearson, half-line)."""
    if p.log_one_minus_pA > -1.0:   # near pA = 1/2: log(2(1 - pA)) = log1p(2(1 - pA) - 1) without cancellation
        return max(-sigma * math.log1p(2.0 * math.exp(p.log_one_minus_pA) - 1.0), 0.0)
    return max(-sigma * (_LOG2 + p.log_one_minus_pA), 0.0)


def _uniform_l1(p: Probabilities, sigma: float) -> float:
    """Yang et al. 2020 (Table 1, uniform noise on [-lambda, lambda]^d, l1) / Levine & Feizi 2021: binary form
    r = 2 lambda (pA - 1/2) = lambda (1 - 2 (1 - pA)).  Tight in every d: the likelihood ratio takes the values 0, 1,
    inf; the prediction flips iff the overlap prod_i (1 - |delta_i|/(2 lambda)) <= 3/2 - pA, and over the l1 ball the
    overlap is smallest on an axis (theory.neyman_pearson, overlap)."""
    return max(sigma * (1.0 - 2.0 * math.exp(p.log_one_minus_pA)), 0.0)


def _uniform_linf(p: Probabilities, sigma: float, d: int) -> float:
    """Uniform noise on [-lambda, lambda]^d, l_inf, binary form: the corner minimises the overlap (1 - r/(2 lambda))^d,
    so r = 2 lambda (1 - (3/2 - pA)^{1/d})  (the Neyman-Pearson radius; O(1/d) at fixed lambda, as Kumar et al. 2020
    state for uniform noise in the l_inf ball)."""
    e = math.exp(p.log_one_minus_pA)
    if e >= 0.5:
        return 0.0
    return 2.0 * sigma * -math.expm1(math.log(0.5 + e) / d)   # (3/2 - pA) = 1/2 + (1 - pA)


def _inv_uniform_l1(r: float, sigma: float) -> float:
    if r >= sigma:
        raise ValueError(f"radius must be < {sigma!r} for certificate uniform-l1 (the largest radius it certifies, "
                         f"2 lambda (1 - 1/2)), got {r!r}")
    return math.log(0.5 * (1.0 - r / sigma))


def _inv_uniform_linf(r: float, sigma: float, d: int) -> float:
    if r >= 2.0 * sigma * -math.expm1(math.log(0.5) / d):
        raise ValueError(f"radius must be < 2 sigma (1 - 2^(-1/d)) for certificate uniform-linf, got {r!r}")
    # (1 - r/(2 sigma))^d = 3/2 - pA = 1/2 + (1 - pA)
    return math.log(math.exp(d * math.log1p(-r / (2.0 * sigma))) - 0.5)


_register(Certificate(
    "laplace-l1", "laplace", "l1", "Neyman-Pearson (tight in binary form, every d)",
    "Teng, Lee & Yuan 2020, 'l1 adversarial robustness certificates: a randomized smoothing approach'",
    (), False, "laplace-l1",
    "-sigma log(2 (1 - pA))   (sigma = the Laplace scale)",
    lambda p, s: _laplace_l1(p, s),
    lambda r, s, lpb: -r / s - _LOG2))
_register(Certificate(
    "uniform-l1", "uniform", "l1", "Neyman-Pearson (tight in binary form, every d)",
    "Yang et al. 2020, 'Randomized smoothing of all shapes and sizes' (uniform noise, l1); Levine & Feizi 2021",
    (), False, "uniform-l1",
    "2 sigma (pA - 1/2)   (sigma = the half-width lambda of the cube)",
    lambda p, s: _uniform_l1(p, s),
    lambda r, s, lpb: _inv_uniform_l1(r, s)))
_register(Certificate(
    "uniform-linf", "uniform", "linf", "Neyman-Pearson (tight in binary form: the corner)",
    "this project's engine (theory.neyman_pearson); rate O(1/d) as in Kumar et al. 2020 for uniform noise",
    ("d",), False, "uniform-linf",
    "2 sigma (1 - (3/2 - pA)^(1/d))",
    lambda p, s, d: _uniform_linf(p, s, d),
    lambda r, s, lpb, d: _inv_uniform_linf(r, s, d)))
