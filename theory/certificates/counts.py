"""Count statistics: Clopper-Pearson bounds and Cohen et al.'s CERTIFY / PREDICT as pure functions of counts.

Used by :mod:`empirical` (which must not re-derive them).  The radius of CERTIFY comes from the registry
(:mod:`theory.certificates.registry`).

References
----------
Cohen, Rosenfeld & Kolter 2019, "Certified adversarial robustness via randomized smoothing", Section 3.2
(CERTIFY, PREDICT).  Clopper & Pearson 1934, "The use of confidence or fiducial limits illustrated in the case
of the binomial".

Examples
--------
:func:`predict_from_counts` (its text is kept as is: the mutation harness plants a bug in it):

>>> predict_from_counts(10, 0, 0.01)          # two-sided binomial p-value 2 * 0.5^10
PredictResult(abstain=False, p_value=0.001953125)
>>> predict_from_counts(6, 4, 0.05).abstain
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from theory import validate as V
from theory.certificates.registry import get

__all__ = ["clopper_pearson_lower", "clopper_pearson_upper", "clopper_pearson_interval", "CertifyResult",
           "PredictResult", "certify_from_counts", "certify_from_class_counts", "predict_from_counts"]

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

    Parameters
    ----------
    k : int
        Successes, an integer in [0, n].
    n : int
        Trials, an integer in [1, 2**53].
    alpha : float
        Level, in (0, 1).

    Returns
    -------
    float
        The lower bound, in [0, 1).

    References
    ----------
    Clopper & Pearson 1934; Cohen, Rosenfeld & Kolter 2019, Section 3.2 (CERTIFY's ``LowerConfBound``).

    Examples
    --------
    >>> clopper_pearson_lower(10, 10, 0.05)      # k = n: solves p^n = alpha, so 0.05^(1/10)
    0.7411344491069477
    >>> clopper_pearson_lower(0, 10, 0.05)
    0.0
    """
    k, n, alpha = _check_counts(k, n, alpha)
    if k == 0:
        return 0.0
    return float(stats.beta.ppf(alpha, k, n - k + 1))


def clopper_pearson_upper(k: Any, n: Any, alpha: Any) -> float:
    """One-sided (1 - alpha) Clopper-Pearson upper bound ``B^{-1}(1 - alpha; k + 1, n - k)``; ``1`` when k = n.

    Equivalently the p solving ``P[Bin(n, p) <= k] = alpha`` (Clopper & Pearson 1934).  Arguments as
    :func:`clopper_pearson_lower`.

    Examples
    --------
    >>> clopper_pearson_upper(0, 10, 0.05)       # k = 0: solves (1 - p)^n = alpha, so 1 - 0.05^(1/10)
    0.2588655508930523
    >>> clopper_pearson_upper(10, 10, 0.05)
    1.0
    """
    k, n, alpha = _check_counts(k, n, alpha)
    if k == n:
        return 1.0
    return float(stats.beta.isf(alpha, k + 1, n - k))


def clopper_pearson_interval(k: Any, n: Any, alpha: Any) -> tuple[float, float]:
    """Two-sided (1 - alpha) Clopper-Pearson interval ``(lower at alpha/2, upper at alpha/2)``.

    ``[B^{-1}(alpha/2; k, n-k+1), B^{-1}(1-alpha/2; k+1, n-k)]`` with the conventions 0 at k = 0 and 1 at k = n
    (Clopper & Pearson 1934).  Arguments as :func:`clopper_pearson_lower`.

    Examples
    --------
    >>> clopper_pearson_interval(0, 10, 0.05)    # (0, 1 - 0.025^(1/10))
    (0.0, 0.30849710781876083)
    """
    k, n, alpha = _check_counts(k, n, alpha)
    return clopper_pearson_lower(k, n, alpha / 2), clopper_pearson_upper(k, n, alpha / 2)


@dataclass(frozen=True)
class CertifyResult:
    """Outcome of CERTIFY: ``abstain``; ``pA_lower`` (the Clopper-Pearson bound); ``radius`` (0.0 on abstain);
    ``one_minus_pA_lower`` = 1 - pA_lower computed without cancellation (pass it on to ``certified_radii``
    so that every radius is computed from the same, exact tail).

    >>> res = certify_from_counts(100, 100, 0.001, 0.5)        # pA_lower = 0.001^(1/100)
    >>> res.abstain, round(res.pA_lower, 4), round(res.radius, 4)
    (False, 0.9333, 0.7502)
    """

    abstain: bool
    pA_lower: float
    radius: float
    one_minus_pA_lower: float | None = None


@dataclass(frozen=True)
class PredictResult:
    """Outcome of PREDICT: ``abstain`` and the two-sided binomial test's ``p_value``.

    >>> predict_from_counts(5, 5, 0.05)                        # a tie: p-value 1, abstain
    PredictResult(abstain=True, p_value=1.0)
    """

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

    Parameters
    ----------
    nA, n : int
        Count of the selected class among the n estimation draws; 0 <= nA <= n, 1 <= n <= 2**53.
    alpha : float
        Failure probability, in (0, 1).
    sigma : float
        Noise scale, > 0.
    certificate : str
        A key of :data:`theory.certificates.CERTIFICATES` (default ``"cohen"``).
    **params
        The certificate's parameters (``c``, ``d``).

    Returns
    -------
    CertifyResult
        ``abstain``, ``pA_lower``, ``radius`` and the exact ``one_minus_pA_lower``.

    References
    ----------
    Cohen, Rosenfeld & Kolter 2019, Section 3.2 (CERTIFY) and Theorem 1; the paper's C11 / T13 / T18 for the
    other certificates.

    Examples
    --------
    >>> res = certify_from_counts(100, 100, 0.001, 1.0)   # pA_lower = 0.001^(1/100) = 0.93325
    >>> res.abstain, round(res.pA_lower, 5), round(res.radius, 4)  # radius = Phi^-1(0.93325) = 1.5005
    (False, 0.93325, 1.5005)
    >>> certify_from_counts(40, 100, 0.001, 1.0).abstain
    True
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
    Returns ``(cA, result)`` (Cohen, Rosenfeld & Kolter 2019, CERTIFY).

    Examples
    --------
    >>> cA, res = certify_from_class_counts([5, 90, 5], [0, 100, 0], 0.001, 1.0)
    >>> cA, res == certify_from_counts(100, 100, 0.001, 1.0)
    (1, True)
    """
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

    >>> res = predict_from_counts(90, 10, 0.001)                # p = P(|Bin(100, 1/2) - 50| >= 40) ~ 3e-17
    >>> res.abstain, res.p_value < 1e-16
    (False, True)
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

