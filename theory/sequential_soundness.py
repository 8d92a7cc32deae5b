"""Soundness of sequential CERTIFY (issue 21): P(false certificate) <= alpha, shown on ground-truth binomial models.

The ground truth: the selected class cA is drawn under the noise with a KNOWN probability p (binary form: a
half-space classifier under Gaussian noise has exactly this law, and its true robust radius is
``sigma Phi^-1(p)``, :func:`theory.soundness.halfspace_l2`).  A *false certificate* is

* target-radius mode: R certified although the true radius is below R, i.e. p < level(R) = 1 - q_R;
* radius mode: a reported radius above the true one, i.e. ``L_tau > p`` at the stopping look tau.

Two routes, both running the procedures of :mod:`theory.sequential` on the counts:

1. **exact, by dynamic programming over sample paths** (:func:`exact_false_certificate`): the law of the count
   k at each look among the paths not yet decided is propagated look by look (convolution with the binomial law
   of the increment, every k in 0..t evaluated by the procedure), and the mass that the procedure certifies
   falsely is summed.  Exact up to floating-point rounding (double precision sums of at most a few thousand
   non-negative terms: relative error below 1e-12); the cost grows as budget^2 / looks, so it is for small caps.
2. **Monte Carlo** (:func:`simulate`): many independent runs of the procedure at the real cap (100,000),
   vectorised over runs (fixed seed), the procedure evaluated on the distinct counts reached at each look; the
   false-certificate rate gets a one-sided Clopper-Pearson upper bound at confidence 1 - 1e-6, and the setting
   passes when that bound is <= alpha.

The planted bug: :func:`peeking_cp_targets` recomputes Cohen et al.'s fixed-n Clopper-Pearson bound at every look
and stops as soon as it clears the level ("peeking").  Each look alone is a valid 1 - alpha bound; the
procedure that stops at the first good look is not: the exact route shows its false-certificate probability
several times alpha (kept as a test in tests/theory/test_sequential.py).

Why a valid confidence sequence passes: for every stopping rule, ``{false certificate} subset {exists t: p <
L_t}``, whose probability is <= alpha by Ville's inequality (:mod:`theory.sequential`).  The simulation checks
the implementation (bisection direction, the closed form at k = t, the decision logic), not the theorem.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from theory import sequential as Q
from theory import validate as V

#: a target-radius procedure: (counts k (1-d int array), look t) -> statuses (k.size, len(levels))
TargetRule = Callable[[np.ndarray, int], np.ndarray]
#: a radius-mode procedure: (counts k, look t) -> (stop (bool array), 1 - pA_lower (float array))
RadiusRule = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]

CI_CONFIDENCE = 1e-6  # one-sided Clopper-Pearson upper bound on the rate at confidence 1 - 1e-6


def sequential_targets(levels: npt.ArrayLike, budget: int, alpha: float,
                       prior: Sequence[float] = Q.DEFAULT_PRIOR) -> TargetRule:
    """The target-radius procedure of :func:`theory.sequential.decide_targets` as a rule of (k, t).

    Examples
    --------
    >>> rule = sequential_targets([0.1], 1000, 0.001)
    >>> rule(np.array([0, 64]), 64).ravel().tolist()
    [-1, 1]
    """
    lv = np.asarray(levels, dtype=float)
    return lambda k, t: Q.decide_targets(k, t, budget, alpha, lv, prior)


def peeking_cp_targets(levels: npt.ArrayLike, budget: int, alpha: float) -> TargetRule:
    """THE PLANTED BUG: Cohen et al.'s fixed-n one-sided Clopper-Pearson bound recomputed at every look
    (certified when CP_lower(k, t, alpha) >= 1 - q_R; refused when CP_upper < 1 - q_R or at the cap).  Not a
    confidence sequence: do not use it to certify.

    Examples
    --------
    >>> peeking_cp_targets([0.1], 1000, 0.001)(np.array([64]), 64).ravel().tolist()
    [1]
    """
    lv = np.asarray(levels, dtype=float)

    def rule(k: np.ndarray, t: int) -> np.ndarray:
        kk = np.asarray(k, dtype=float)
        # 1 - CP_lower = isf of Beta(t - k + 1, k); 1 - CP_upper = ppf of Beta(t - k, k + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            qL = np.where(kk > 0, stats.beta.isf(alpha, t - kk + 1, np.maximum(kk, 1)), 1.0)
            qU = np.where(kk < t, stats.beta.ppf(alpha, np.maximum(t - kk, 1), kk + 1), 0.0)
        out = np.zeros(kk.shape + lv.shape, dtype=np.int8)
        out[(qU[..., None] > lv) | (t >= budget)] = Q.REFUSED
        out[qL[..., None] <= lv] = Q.CERTIFIED
        return out

    return rule


def sequential_radius(budget: int, alpha: float, sigma: float, fraction: float = Q.DEFAULT_FRACTION,
                      prior: Sequence[float] = Q.DEFAULT_PRIOR) -> RadiusRule:
    """The radius-mode procedure of :func:`theory.sequential.radius_stop` (Cohen's l2 radius) as a rule of (k, t).

    Examples
    --------
    >>> stop, q = sequential_radius(1000, 0.001, 0.5)(np.array([32, 64]), 64)
    >>> stop.tolist()
    [True, False]
    """
    return lambda k, t: Q.radius_stop(k, t, budget, alpha, sigma, fraction, "cohen", prior)


def _binom_step(dist: np.ndarray, m: int, p: float) -> np.ndarray:
    if m == 0:
        return dist
    return np.convolve(dist, stats.binom.pmf(np.arange(m + 1), m, p))


def exact_false_certificate(rule: TargetRule | RadiusRule, p: float, looks: Sequence[int], *,
                            mode: str = "target") -> np.ndarray | float:
    """Exact probability of a false certificate, by dynamic programming over the sample paths.

    ``rule`` is a target rule (``mode='target'``; the result is one probability per level: P(certified), which
    is a false certificate for every level above p) or a radius rule (``mode='radius'``; the result is
    P(L_tau > p)).  ``p`` is the true probability of the selected class; ``looks`` the cumulative draw counts
    (increasing; the last is the cap).

    dist_t(k) = P(count k after t draws, not yet decided) = (dist_{t'} * Binomial(t - t', p))(k) with decided
    mass removed at each look.

    Examples
    --------
    >>> rule = peeking_cp_targets([0.5], 10, 0.05)           # one look at t = 10: the fixed-n test
    >>> float(exact_false_certificate(rule, 0.5, [10])[0]) == float(stats.binom.sf(8, 10, 0.5))   # k >= 9
    True
    """
    p = V.in_closed_interval("p", p, 0.0, 1.0)
    V.choice("mode", mode, {"target", "radius"})
    looks = [V.count("looks", t, minimum=1) for t in looks]
    if any(b <= a for a, b in zip(looks, looks[1:], strict=False)):
        raise ValueError("looks: must be strictly increasing")
    prev = 0
    if mode == "radius":
        dist = np.ones(1)
        total = 0.0
        for t in looks:
            dist = _binom_step(dist, t - prev, p)
            prev = t
            stop, qL = rule(np.arange(t + 1), t)  # type: ignore[misc]
            stop = np.asarray(stop, dtype=bool)
            total += float(dist[stop & (np.asarray(qL) < 1.0 - p)].sum())
            dist = np.where(stop, 0.0, dist)
            if not dist.any():
                break
        return total
    per: np.ndarray | None = None   # per[k, j]: P(count k, level j undecided)
    certified: np.ndarray | None = None
    for t in looks:
        st = np.asarray(rule(np.arange(t + 1), t))  # type: ignore[arg-type]
        if per is None:
            per = np.repeat(_binom_step(np.ones(1), t, p)[:, None], st.shape[1], axis=1)
            certified = np.zeros(st.shape[1])
        else:
            per = np.stack([_binom_step(per[:, j], t - prev, p) for j in range(per.shape[1])], axis=1)
        prev = t
        certified = certified + np.where(st == Q.CERTIFIED, per, 0.0).sum(axis=0)
        per = np.where(st == Q.UNDECIDED, per, 0.0)
        if not per.any():
            break
    return certified if certified is not None else np.zeros(0)
