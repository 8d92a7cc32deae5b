"""Sequential (anytime-valid) CERTIFY: a confidence sequence for pA, and two stopping rules (issue 21).

Cohen et al.'s CERTIFY (Cohen, Rosenfeld & Kolter 2019, Sec. 3.2) spends a fixed n estimation draws and bounds
pA with a one-sided Clopper-Pearson interval; that interval is valid for ONE look at the counts.  Looking at the
counts after every batch and stopping when they look good enough ("peeking") breaks it (see
:mod:`theory.sequential_soundness`, which measures the damage).  Here the bound is a *confidence sequence*: a
sequence of intervals [L_t, U_t] with

    P( exists t >= 1 :  pA < L_t  or  pA > U_t ) <= alpha,

so it stays valid at every look and at any data-dependent stopping time.

The bound: Robbins' beta-binomial mixture (Robbins 1970, "Statistical methods related to the law of the iterated
logarithm", Ann. Math. Statist. 41; Howard, Ramdas, McAuliffe & Sekhon 2021, "Time-uniform, nonparametric,
nonasymptotic confidence sequences", Ann. Statist. 49, Sec. 3.2 and Prop. 6 (conjugate mixtures)).  After t
draws with k successes (draws of the class cA) and a Beta(a, b) prior,

    M_t(p) = Integral q^k (1-q)^(t-k) dBeta(a, b)(q) / (p^k (1-p)^(t-k))
           = B(a + k, b + t - k) / B(a, b) / (p^k (1-p)^(t-k))

is, for the true p, a non-negative martingale with M_0 = 1 (a mixture of likelihood ratios), so by Ville's
inequality P(exists t: M_t(p) >= 1/alpha) <= alpha, and the confidence sequence is

    C_t = { p :  log M_t(p) < log(1/alpha) } = (L_t, U_t)       (an interval: log M_t is convex in p).

L_t and U_t depend on the counts (k, t) only -- not on the order of the draws, not on the look times -- so they
are pure functions of the counts so far, like :func:`theory.certificates.clopper_pearson_lower`.

Why this bound (and not a library, not the betting CS): the package index's ``confseq`` (Howard et al.'s C++
library) needs Boost and CMake and did not build here; ``expectation`` on the index is, for Python 3.11, a
placeholder (0.0.2, a data-validation stub; 0.6.x requires Python >= 3.12).  Waudby-Smith & Ramdas' betting
confidence sequence (JRSS-B 2023) is tighter for some paths but depends on the order of the draws (not a function
of the counts), needs a grid search per look, and its bound at pA -> 1 -- the regime that sets large radii -- is
no better than a mixture with prior mass near 1.  The beta-binomial mixture is the exact conjugate form, has a
closed form when every draw agreed, and costs one log-beta per evaluation.

The prior.  Its price is the log of the mixture's density ratio; when every draw agreed (k = t, the common case
of a robust point) ``1 - L_t = 1 - (alpha B(a + t, b) / B(a, b))^(1/t) ~ (log(1/alpha) + b log t + log(Gamma(a) /
Gamma(a + b))) / t``, against Clopper-Pearson's ``log(1/alpha) / t``.  :data:`DEFAULT_PRIOR` = Beta(1, 0.1) puts
its mass near pA = 1 (where certified radii are decided) and pays 0.1 log t there: at t = 100,000 and alpha =
0.001, ``1 - L_t`` = 8.1e-5 against Clopper-Pearson's 6.9e-5 (radius 3.77 sigma against 3.81 sigma).  Chosen
before any measurement, from that formula; any Beta(a, b) with a, b > 0 is valid.

Binary form (pB = 1 - pA), as Cohen et al.  Multi-class: a bound on pB of the runner-up class would need its
own confidence sequence (e.g. this one on the runner-up's count at alpha/2 and this one on pA at alpha/2, a union
bound); not implemented -- every mode here certifies in binary form.

The reported bound (:func:`final_one_minus_lower`): the sequence runs at level alpha (1 - s) and, if sampling
reaches the cap N, one Clopper-Pearson look at N at level alpha s is also allowed (the better of the two counts):
a union bound keeps P(false certificate) <= alpha.  The sequence pays about 0.5 log t over one look for being
valid at every look; at the cap the one look pays only log(1/s), so a point that needs the whole budget is
judged almost as fixed-n CERTIFY would judge it.  Default s = 1/2 (:data:`DEFAULT_FINAL_SHARE`).

The stopping rules (both stop only at looks; the bound is valid whatever rule is used):

* target-radius mode (:func:`decide_targets`): for a target radius R with level ``1 - pA`` needed ``q_R`` (the
  certificate's inverse), R is *certified* as soon as ``1 - pA_lower <= q_R``, *refused* as soon as
  ``1 - U_t > q_R`` (pA is below the level), or the budget cannot reach it (the cap's bound stays above ``q_R``
  even if all ``N - t`` remaining draws agreed), or -- futility, level beta = :data:`DEFAULT_FUTILITY` -- not
  even the optimistic count ``k + (N - t) U_t(beta)`` could certify R at the cap; else undecided; at the cap N
  undecided means refused.  One sequence serves every R: P(some R certified with pA < level(R)) <=
  P(the sequence or the final look fails) <= alpha.  Refusals never certify, so futility costs accuracy only.
* radius mode (:func:`radius_stop`): the certified radius r_t = radius(L_t) (0 when L_t < 1/2); the radius that
  fixed-n CERTIFY would report at the cap, r*_t = radius(CP_N) with the counts extrapolated at the current rate
  (k + (N - t) k / t of N), stops sampling when ``r_t >= (1 - fraction) r*_t`` or t = N.  The reported radius is
  r at the stop, valid by the anytime guarantee (the projection only chooses *when* to stop; it is an
  extrapolation, not a bound).

Examples
--------
>>> q = one_minus_lower(100, 100, 0.001, prior=(1.0, 1.0))       # k = t: 1 - (alpha / (t + 1))^(1/t)
>>> round(float(q), 6) == round(1 - (0.001 / 101) ** (1 / 100), 6)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from theory import validate as V

#: Beta(a, b) mixing prior of the default confidence sequence (see the module docstring for the choice).
DEFAULT_PRIOR: tuple[float, float] = (1.0, 0.1)
#: Draws before the first look; the increments double up to the batch size (:func:`look_schedule`).
DEFAULT_FIRST_LOOK = 64
#: Default budget cap N (estimation draws), as Cohen et al.'s n.
DEFAULT_BUDGET = 100_000
#: Radius mode: stop when the current radius is at least (1 - this) times the fixed-n radius projected at the cap.
DEFAULT_FRACTION = 0.05
#: Share of alpha kept for one Clopper-Pearson look at the cap N (the rest, alpha (1 - share), goes to the
#: confidence sequence): a point that runs to the cap is then judged almost as fixed-n CERTIFY would judge it.
DEFAULT_FINAL_SHARE = 0.5
#: Futility level beta of the target mode: R is refused once even the upper end of the level-beta confidence
#: sequence, projected to the cap, could not certify R there.  Refusals never make a false certificate, so beta
#: trades forward passes against certified accuracy only, not the guarantee.
DEFAULT_FUTILITY = 0.05
_BISECT = 12  # bisection steps on log(1 - p) (bracket width <= 745), then Newton from the conservative side
_NEWTON = 12


def _margin(t: np.ndarray) -> np.ndarray:
    """Outward rounding of log(1 - L_t): log B(a + k, b + t - k) is a difference of log-gammas of size t log t,
    computed with an absolute error of a few ulps of that size (observed: 2e-11 relative in 1 - L_t at
    t = 1e5); 1e-13 t log(t + 2) + 1e-12 covers it with four orders of magnitude to spare (1e-7 at t = 1e5)."""
    return 1e-13 * t * np.log(t + 2.0) + 1e-12


def _prior(prior: Sequence[float]) -> tuple[float, float]:
    if len(prior) != 2:
        raise ValueError(f"prior: expected (a, b), got {prior!r}")
    return V.positive("prior a", prior[0]), V.positive("prior b", prior[1])


def _arrays(k: npt.ArrayLike, t: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    kk = np.asarray(k, dtype=float)
    tt = np.asarray(t, dtype=float)
    kk, tt = np.broadcast_arrays(kk, tt)
    if np.any(~np.isfinite(kk)) or np.any(~np.isfinite(tt)) or np.any(tt < 0) or np.any(kk < 0) or np.any(kk > tt):
        raise ValueError("k, t: counts must satisfy 0 <= k <= t (finite)")
    return kk.astype(float), tt.astype(float)


def log_wealth(k: npt.ArrayLike, t: npt.ArrayLike, one_minus_p: npt.ArrayLike,
               prior: Sequence[float] = DEFAULT_PRIOR) -> np.ndarray:
    """log M_t(p) of the beta-binomial mixture martingale, given ``q = 1 - p`` (exact near p = 1):

        log M_t(p) = log B(a + k, b + t - k) - log B(a, b) - k log(1 - q) - (t - k) log q.

    Terms with a zero count are dropped (0 log 0 = 0).  Vectorised over k, t, q.

    Examples
    --------
    >>> float(log_wealth(0, 0, 0.3))                    # no draws: M_0 = 1
    0.0
    >>> round(float(log_wealth(3, 3, 0.5, prior=(1, 1))), 6) == round(math.log(8 / 4), 6)  # B(4,1)=1/4, p^-3=8
    True
    """
    a, b = _prior(prior)
    kk, tt = _arrays(k, t)
    q = np.asarray(one_minus_p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lk = np.where(kk > 0, kk * np.log1p(-q), 0.0)
        lm = np.where(tt - kk > 0, (tt - kk) * np.log(q), 0.0)
    out: np.ndarray = special.betaln(a + kk, b + tt - kk) - special.betaln(a, b) - lk - lm
    return out


def one_minus_lower(k: npt.ArrayLike, t: npt.ArrayLike, alpha: float,
                    prior: Sequence[float] = DEFAULT_PRIOR) -> np.ndarray:
    """``1 - L_t``: one minus the lower end of the confidence sequence after ``k`` successes in ``t`` draws.

    ``L_t = inf{p : log M_t(p) < log(1/alpha)}``; returned as ``1 - L_t`` (exact down to 1e-300, as radii near
    pA = 1 need).  Limit cases: t = 0 or k = 0 give 1 (L = 0); k = t has the closed form
    ``1 - L_t = -expm1((log B(a + t, b) - log B(a, b) + log alpha) / t)``.  Otherwise bisection on log(1 - p)
    over [log(1 - k/t), 0], then Newton steps from above (the function is convex increasing there), rounded
    outward (the returned value is >= the exact one: never anti-conservative).
    Vectorised over k and t.

    Examples
    --------
    >>> round(float(one_minus_lower(100_000, 100_000, 0.001)), 7)     # Beta(1, 0.1): 8.1e-5 (CP: 6.9e-5)
    8.11e-05
    >>> float(one_minus_lower(0, 50, 0.001))
    1.0
    """
    a, b = _prior(prior)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    kk, tt = _arrays(k, t)
    shape = kk.shape
    kk, tt = kk.ravel(), tt.ravel()
    thr = -math.log(alpha)
    out = np.ones(kk.shape)
    allk = (kk == tt) & (tt > 0)
    if np.any(allk):
        c = special.betaln(a + tt[allk], b) - special.betaln(a, b)
        out[allk] = -np.expm1((c - thr) / tt[allk]) * np.exp(_margin(tt[allk]))
    mid = (kk > 0) & (kk < tt)
    if np.any(mid):
        km, tm = kk[mid], tt[mid]
        lo = np.log((tm - km) / tm)      # log(1 - p_hat): log M <= 0 < thr there
        hi = np.zeros_like(lo)           # q = 1: log M = +inf (k > 0)
        c = special.betaln(a + km, b + tm - km) - special.betaln(a, b)
        def f(u: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore"):
                val: np.ndarray = c - km * np.log1p(-np.exp(u)) - (tm - km) * u - thr
            return val

        for _ in range(_BISECT):
            m = 0.5 * (lo + hi)
            above = f(m) >= 0
            hi = np.where(above, m, hi)
            lo = np.where(above, lo, m)
        # f is increasing and convex in u = log(1 - p) on [lo, 0): Newton steps from hi (f(hi) >= 0) stay at or
        # above the root and decrease to it; a step is kept only where f stays >= 0 (rounding guard).
        for _ in range(_NEWTON):
            e = np.exp(hi)
            with np.errstate(divide="ignore", invalid="ignore"):
                fp = km * e / (1.0 - e) - (tm - km)
                cand = hi - f(hi) / fp
            ok = np.isfinite(cand) & (cand >= lo) & (cand < hi)
            cand = np.where(ok, cand, hi)
            hi = np.where(f(cand) >= 0, cand, hi)
        out[mid] = np.exp(hi + _margin(tm))  # outward: log M(1 - e^hi) >= thr, so L >= 1 - e^hi is excluded
    return np.minimum(out, 1.0).reshape(shape)


def lower(k: npt.ArrayLike, t: npt.ArrayLike, alpha: float, prior: Sequence[float] = DEFAULT_PRIOR) -> np.ndarray:
    """L_t, the anytime-valid lower confidence bound on pA (``1 - one_minus_lower``).

    Examples
    --------
    >>> float(lower(0, 0, 0.05))
    0.0
    """
    return 1.0 - one_minus_lower(k, t, alpha, prior)


def upper(k: npt.ArrayLike, t: npt.ArrayLike, alpha: float, prior: Sequence[float] = DEFAULT_PRIOR) -> np.ndarray:
    """U_t, the upper end of the same confidence sequence: the lower bound of 1 - pA from the mirrored counts
    (t - k of t, prior Beta(b, a)) -- the same martingale, so [L_t, U_t] holds jointly at level 1 - alpha.

    Examples
    --------
    >>> float(upper(5, 5, 0.05))
    1.0
    """
    a, b = _prior(prior)
    kk, tt = _arrays(k, t)
    return one_minus_lower(tt - kk, tt, alpha, (b, a))


def interval(k: int, t: int, alpha: float, prior: Sequence[float] = DEFAULT_PRIOR) -> tuple[float, float]:
    """(L_t, U_t) for scalar counts.

    Examples
    --------
    >>> lo, hi = interval(50, 100, 0.05)
    >>> 0.3 < lo < 0.5 < hi < 0.7
    True
    """
    k = V.count("k", k)
    t = V.count("t", t)
    if k > t:
        raise ValueError(f"k: must be <= t = {t}, got {k}")
    return float(lower(k, t, alpha, prior)), float(upper(k, t, alpha, prior))


def look_schedule(budget: int, batch: int, first: int = DEFAULT_FIRST_LOOK) -> list[int]:
    """Cumulative draw counts at which the counts are looked at: ``first``, then increments doubling up to
    ``batch`` (first, 2 first, 4 first, ... < batch), then ``batch`` each, the last one cut at ``budget``.

    Examples
    --------
    >>> look_schedule(3000, 1000)
    [64, 128, 256, 512, 1024, 2024, 3000]
    >>> look_schedule(100, 1000, first=200)
    [100]
    """
    budget = V.count("budget", budget, minimum=1)
    batch = V.count("batch", batch, minimum=1)
    first = V.count("first", first, minimum=1)
    looks, t, inc = [], 0, min(first, batch)
    while t < budget:
        t = min(budget, t + inc)
        looks.append(t)
        if t >= first:
            inc = min(batch, max(inc, t))  # doubles the total until the increment reaches the batch size
    return looks


@dataclass(frozen=True)
class SequentialSpec:
    """The settings of a sequential CERTIFY run (recorded with its results).

    ``mode``: 'target' (decide each of ``targets``) or 'radius' (stop when the projected radius gain is at most
    ``fraction``); ``budget``: cap N on the estimation draws; ``first``: draws before the first look; ``prior``:
    the Beta(a, b) mixing prior of the confidence sequence; ``final_share``: the share of alpha spent on one
    Clopper-Pearson look at the cap (:func:`final_one_minus_lower`); ``futility``: the target mode's futility
    level beta (None: no futility stop).
    """

    mode: str
    budget: int = DEFAULT_BUDGET
    targets: tuple[float, ...] = ()
    fraction: float = DEFAULT_FRACTION
    first: int = DEFAULT_FIRST_LOOK
    prior: tuple[float, float] = field(default=DEFAULT_PRIOR)
    final_share: float = DEFAULT_FINAL_SHARE
    futility: float | None = DEFAULT_FUTILITY

    def __post_init__(self) -> None:
        V.choice("mode", self.mode, {"target", "radius"})
        _split("final_share", self.final_share)
        if self.futility is not None:
            V.in_open_interval("futility", self.futility, 0.0, 1.0)
        V.count("budget", self.budget, minimum=1)
        V.count("first", self.first, minimum=1)
        _prior(self.prior)
        if self.mode == "target":
            if not self.targets:
                raise ValueError("targets: target-radius mode needs at least one radius R >= 0")
            for r in self.targets:
                V.nonnegative("target radius", r)
        else:
            V.positive("fraction", self.fraction)
            if self.fraction >= 1.0:
                raise ValueError(f"fraction: must be in (0, 1), got {self.fraction!r}")

    def metadata(self) -> dict[str, Any]:
        """The fields a resumed run must match (JSON-ready)."""
        d: dict[str, Any] = {"sequential_mode": self.mode, "sequential_budget": self.budget,
                             "sequential_first_look": self.first, "sequential_prior": list(self.prior),
                             "sequential_bound": "beta-binomial mixture confidence sequence (Robbins 1970)",
                             "sequential_final_share": float(self.final_share)}
        if self.mode == "target":
            d["sequential_futility"] = None if self.futility is None else float(self.futility)
            d["target_radii"] = [float(r) for r in self.targets]
        else:
            d["sequential_fraction"] = float(self.fraction)
        return d


def target_levels(targets: Sequence[float], sigma: float, certificate: str = "cohen", **params: Any) -> np.ndarray:
    """``q_R = 1 - pA`` at which ``certificate`` (binary form) certifies exactly R, for each target R
    (:func:`theory.certificates.inverse`; R = 0 gives 1/2).

    Examples
    --------
    >>> from scipy.stats import norm
    >>> bool(abs(target_levels([0.5], 0.25)[0] - norm.sf(2.0)) < 1e-15)      # Cohen: Phi(-R / sigma)
    True
    """
    from theory.certificates import inverse

    return np.array([inverse(certificate, float(r), sigma=sigma, **params) for r in targets], dtype=float)


#: status codes of :func:`decide_targets`
CERTIFIED, REFUSED, UNDECIDED = 1, -1, 0


def _split(name: str, share: float) -> float:
    share = float(share)
    if not 0.0 <= share < 1.0:
        raise ValueError(f"{name}: must be in [0, 1) (the share of alpha spent on the final look), got {share!r}")
    return share


def final_one_minus_lower(k: npt.ArrayLike, t: int, budget: int, alpha: float,
                          prior: Sequence[float] = DEFAULT_PRIOR,
                          final_share: float = DEFAULT_FINAL_SHARE) -> np.ndarray:
    """``1 - pA_lower`` that the sequential procedures report after ``k`` of ``t`` draws:

        1 - L_t(alpha (1 - s))                                    for t < N,
        min(1 - L_N(alpha (1 - s)), 1 - CP_N(k; alpha s))         at the cap t = N,

    with s = ``final_share``.  Valid by a union bound: a false certificate needs either the confidence sequence
    to fail at some look (probability <= alpha (1 - s), Ville) or the one Clopper-Pearson look at the fixed time
    N to fail on the full path (<= alpha s; used only when sampling reaches N, which can only shrink the event).
    s = 0 is the pure confidence sequence.

    Examples
    --------
    >>> cs = float(one_minus_lower(99_900, 100_000, 0.0005))
    >>> q = float(final_one_minus_lower(99_900, 100_000, 100_000, 0.001))        # the final look wins here
    >>> bool(q < cs) and bool(abs(q - fixed_n_one_minus_lower(99_900, 100_000, 0.0005)) < 1e-15)
    True
    """
    t = V.count("t", t)
    budget = V.count("budget", budget, minimum=1)
    s = _split("final_share", final_share)
    kk = np.asarray(k, dtype=float)
    q = one_minus_lower(kk, np.full(kk.shape, float(t)), alpha * (1.0 - s), prior)
    if t >= budget and s > 0:
        q = np.minimum(q, fixed_n_one_minus_lower(kk, budget, alpha * s))
    return np.asarray(q, dtype=float)


def decide_targets(k: npt.ArrayLike, t: int, budget: int, alpha: float, levels: npt.ArrayLike,
                   prior: Sequence[float] = DEFAULT_PRIOR, final_share: float = DEFAULT_FINAL_SHARE,
                   futility: float | None = DEFAULT_FUTILITY) -> np.ndarray:
    """Status of each target after ``k`` successes in ``t`` draws (s = ``final_share``, beta = ``futility``):

    * CERTIFIED (1) when ``1 - pA_lower <= q_R`` (:func:`final_one_minus_lower`: the confidence sequence at
      level alpha (1 - s), and at the cap also one Clopper-Pearson look at level alpha s);
    * REFUSED (-1) when pA is below the level (``1 - U_t > q_R``, the same sequence), or the budget cannot reach
      R even if all N - t remaining draws agree, or t = N, or (futility, when beta is given) R could not be
      certified at the cap even at the optimistic rate ``U_t(beta)`` (the upper end of the level-beta sequence:
      the cap's bound at the projected count ``k + (N - t) U_t(beta)`` stays above ``q_R``);
    * else UNDECIDED (0).

    Refusals never certify, so the futility stop costs certified accuracy (a point refused although the cap
    would have certified it: probability <= beta for a point whose pA makes the projected cap certify), never
    the guarantee.  ``k`` may be an array: the result has shape ``k.shape + (len(levels),)``.

    Examples
    --------
    >>> lv = target_levels([0.25, 1.0], 0.25)                    # levels Phi(-1) = 0.159, Phi(-4) = 3.2e-5
    >>> decide_targets(200, 200, 100_000, 0.001, lv).tolist()   # R = 1 > the budget's reach: refused at once
    [1, -1]
    """
    t = V.count("t", t)
    budget = V.count("budget", budget, minimum=1)
    if t > budget:
        raise ValueError(f"t: must be <= budget = {budget}, got {t}")
    s = _split("final_share", final_share)
    if futility is not None:
        futility = V.in_open_interval("futility", futility, 0.0, 1.0)
    lv = np.asarray(levels, dtype=float)
    kk = np.asarray(k, dtype=float)
    tt = np.full(kk.shape, float(t))
    a_cs = alpha * (1.0 - s)
    qL = final_one_minus_lower(kk, t, budget, alpha, prior, s)[..., None]
    qU = 1.0 - upper(kk, tt, a_cs, prior)[..., None]
    reach = _at_cap(kk + (budget - t), budget, alpha, prior, s)[..., None]
    refused = (qU > lv) | (reach > lv) | (t >= budget)
    if futility is not None and t > 0:
        kproj = kk + (budget - t) * upper(kk, tt, futility, prior)
        refused |= _at_cap(kproj, budget, alpha, prior, s)[..., None] > lv
    out = np.full(kk.shape + lv.shape, UNDECIDED, dtype=np.int8)
    out[refused] = REFUSED
    out[qL <= lv] = CERTIFIED   # certified wins (a certificate at the cap is a certificate)
    return out


def _at_cap(kcap: np.ndarray, budget: int, alpha: float, prior: Sequence[float], s: float) -> np.ndarray:
    """``1 - pA_lower`` the procedure would report at the cap with (possibly fractional) count ``kcap``."""
    return final_one_minus_lower(kcap, budget, budget, alpha, prior, s)


def radius_of(one_minus_p: npt.ArrayLike, sigma: float, certificate: str = "cohen", **params: Any) -> np.ndarray:
    """Certified radius at ``1 - pA_lower`` (binary form; 0 when pA_lower < 1/2), vectorised.  Cohen's
    ``sigma Phi^-1(pA_lower)`` in closed form, any other certificate through :mod:`theory.certificates`.

    Examples
    --------
    >>> round(float(radius_of(0.025, 0.5)), 4)
    0.98
    """
    q = np.asarray(one_minus_p, dtype=float)
    if certificate == "cohen":
        r = sigma * stats.norm.isf(np.clip(q, 0.0, 0.5))
        return np.where(q <= 0.5, r, 0.0)
    from theory.certificates import get

    cert = get(certificate)
    f = np.vectorize(lambda x: cert.radius(one_minus_pA=float(x), sigma=sigma, **params) if x < 0.5 else 0.0)
    return np.asarray(f(q), dtype=float)


def radius_stop(k: npt.ArrayLike, t: int, budget: int, alpha: float, sigma: float, fraction: float = DEFAULT_FRACTION,
                certificate: str = "cohen", prior: Sequence[float] = DEFAULT_PRIOR,
                final_share: float = DEFAULT_FINAL_SHARE, **params: Any) -> tuple[np.ndarray, np.ndarray]:
    """Radius mode at a look: ``(stop, 1 - pA_lower)`` for counts ``k`` of ``t`` (arrays as ``k``; the bound of
    :func:`final_one_minus_lower`, so the confidence sequence at level alpha (1 - final_share) before the cap).

    stop <=> t = N  or  radius(L_t) >= (1 - fraction) * radius(CP_N(k_proj)),

    where ``k_proj = k + (N - t) k / t`` extrapolates the counts to the cap at the current rate and ``CP_N`` is the
    one-look Clopper-Pearson lower bound at level ``alpha`` on ``k_proj`` of N: the radius that *fixed-n* CERTIFY
    (n = N) would report if the rate held.  So ``fraction`` is the stated loss against the fixed-n run, not against
    the confidence sequence's own radius at the cap (which is itself about 1 % below fixed n at pA -> 1).  The
    projection only decides *when* to stop; the reported radius(L_t) is covered by the anytime guarantee whatever
    the rule.

    Examples
    --------
    >>> stop, q = radius_stop([64, 32], 64, 100_000, 0.001, 0.25)
    >>> stop.tolist()                       # all agree: the radius can still grow; half: abstain now
    [False, True]
    """
    t = V.count("t", t, minimum=1)
    budget = V.count("budget", budget, minimum=1)
    fraction = V.positive("fraction", fraction)
    if fraction >= 1.0:
        raise ValueError(f"fraction: must be in (0, 1) (the stated radius loss against fixed n), got {fraction!r}")
    if t > budget:
        raise ValueError(f"t: must be <= budget = {budget}, got {t}")
    kk = np.asarray(k, dtype=float)
    qL = final_one_minus_lower(kk, t, budget, alpha, prior, final_share)
    if t >= budget:
        return np.ones(kk.shape, dtype=bool), qL
    r_now = radius_of(qL, sigma, certificate, **params)
    r_fixed = radius_of(fixed_n_one_minus_lower(kk + (budget - t) * kk / t, budget, alpha), sigma, certificate,
                        **params)
    return r_now >= (1.0 - fraction) * r_fixed, qL


def fixed_n_one_minus_lower(k: npt.ArrayLike, n: int, alpha: float) -> np.ndarray:
    """``1 - CP_n(k)``: one minus the one-sided Clopper-Pearson lower bound on pA after k successes of n (k may be
    real, e.g. a projected count), i.e. the upper alpha-quantile of Beta(n - k + 1, k) (1 when k = 0): what
    fixed-n CERTIFY uses (:func:`theory.certificates.clopper_pearson_lower`), computed on the small side.

    Examples
    --------
    >>> from theory.certificates import clopper_pearson_lower
    >>> bool(abs(fixed_n_one_minus_lower(990, 1000, 0.001) - (1 - clopper_pearson_lower(990, 1000, 0.001))) < 1e-12)
    True
    """
    kk = np.asarray(k, dtype=float)
    safe = np.where(kk > 0, kk, 1.0)
    q = stats.beta.isf(alpha, n - safe + 1.0, safe)
    return np.where(kk > 0, q, 1.0)
