"""Divergences of the paper: Rényi D_alpha and DMR (Definition D5), D_inf (Definition D4).

Definitions (paper, Section 2 / Appendix A; Mironov 2017 for Rényi DP; Bun & Steinke 2016 for zCDP):

* D5  D_alpha(P||Q) = 1/(alpha-1) * log E_{y~Q}[(P(y)/Q(y))^alpha],  alpha in (1, inf);
      the limit alpha -> 1 is KL(P||Q) = E_P[log P/Q] (returned for ``alpha=1``);
      the limit alpha -> inf is D_inf (returned for ``alpha=inf``).
* D4  D_inf(P||Q) = sup_{y in supp(Q)} log P(y)/Q(y).  When P puts mass where Q has none the
      standard convention D_inf = inf is used (D4 read literally would ignore that mass; the limit
      of D_alpha as alpha -> inf is inf in that case, so inf is the consistent value).
* D5  DMR(P||Q) = sup_{alpha in (1, inf)} D_alpha(P||Q) / alpha.  The supremum may be a limit:
      alpha -> 1+ (value KL) or alpha -> inf (value lim D_alpha/alpha, 0 when D_inf is finite).
      :class:`DMRResult` says which.

Everything is computed in log space.  Discrete inputs are validated by
:func:`theory.validate.distribution` (sum 1 within 1e-9) and then renormalised exactly (a change of
at most ~1e-9 relative), so that the identity E_Q[P/Q] = 1 used by the alpha -> 1 branch holds.

Numerical branches (and why):
* 1 < alpha with |(alpha-1) * log(P/Q)| <= 1 everywhere: D = log1p(E_P[expm1((alpha-1) L)])/(alpha-1)
  with L = log P/Q (no cancellation as alpha -> 1; relative error ~ 1e-15 * max|L| / KL).
* otherwise: D = logsumexp(log P + (alpha-1) L) / (alpha-1) (stable for alpha up to 1e300).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, optimize
from scipy.special import logsumexp

from theory import validate as V

#: a log-density: x -> log p(x) (floats, or mpmath numbers on the high-precision path)
LogDensity = Callable[[Any], Any]

__all__ = [
    "DMRResult",
    "renyi_discrete",
    "renyi_discrete_log",
    "kl_discrete",
    "dinf_discrete",
    "dmr_discrete",
    "renyi_density",
    "renyi_density_product",
    "dmr_from_renyi",
    "laplace_renyi_1d",
]

LIMIT_ALPHA_1 = "alpha->1+"
LIMIT_ALPHA_INF = "alpha->inf"


@dataclass(frozen=True)
class DMRResult:
    """DMR(P||Q) = sup_{alpha>1} D_alpha/alpha (D5) and where it is attained.

    value:   the supremum.
    alpha:   an order attaining it, or None when the supremum is a limit or attained everywhere.
    limit:   None, "alpha->1+" (sup = KL, approached as alpha -> 1) or "alpha->inf".
    method:  how it was computed (closed form / grid+refine search / ...).
    attained_everywhere: True when D_alpha/alpha is constant in alpha (Gaussian, L22; or P = Q).

    Examples
    --------
    >>> res = dmr_discrete([0.5, 0.5], [0.9, 0.1])
    >>> round(res.value, 4), round(res.alpha, 2), res.limit
    (0.5324, 1.47, None)
    """

    value: float
    alpha: float | None
    limit: str | None
    method: str
    attained_everywhere: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "alpha": self.alpha, "limit": self.limit, "method": self.method,
                "attained_everywhere": self.attained_everywhere}


# ----------------------------------------------------------------------------------------------
# discrete distributions
# ----------------------------------------------------------------------------------------------

def _log_pair_from_probs(p: ArrayLike, q: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    p = V.distribution("p", p)
    q = V.distribution("q", q)
    V.same_shape("p", p, "q", q)
    with np.errstate(divide="ignore"):
        lp = np.log(p) - math.log(p.sum())
        lq = np.log(q) - math.log(q.sum())
    return lp, lq


def _check_logs(name: str, lx: ArrayLike, atol: float = 1e-9) -> np.ndarray:
    try:
        arr = np.asarray(lx, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of log-probabilities, got {lx!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array of log-probabilities, got shape {arr.shape}")
    if np.any(np.isnan(arr)) or np.any(arr == np.inf):
        raise ValueError(f"{name} must contain log-probabilities in [-inf, 0] (found NaN or +inf)")
    if np.any(arr > 1e-12):
        raise ValueError(f"{name} must contain log-probabilities in [-inf, 0] (found {arr.max()})")
    tot = float(logsumexp(arr))
    if not abs(math.expm1(tot)) <= atol:
        raise ValueError(f"{name} must be log-probabilities summing to 1 within {atol}, "
                         f"exp(logsumexp) = {math.exp(tot)!r}")
    return arr - tot


def _renyi_logs(lp: np.ndarray, lq: np.ndarray, alpha: float) -> float:
    """Core: D_alpha from normalised log-probabilities (alpha already validated)."""
    p_pos = lp > -np.inf
    q_pos = lq > -np.inf
    if np.any(p_pos & ~q_pos):
        return math.inf  # P not absolutely continuous w.r.t. Q: D_alpha = inf for all alpha >= 1
    m = p_pos  # subset of supp(Q)
    L = lp[m] - lq[m]
    if alpha == 1.0:
        return max(0.0, float(np.sum(np.exp(lp[m]) * L)))
    if math.isinf(alpha):
        return max(0.0, float(np.max(L)))
    lam = alpha - 1.0
    if lam * float(np.max(np.abs(L))) <= 1.0:
        s = float(np.sum(np.exp(lp[m]) * np.expm1(lam * L)))
        val = math.log1p(s) / lam
    else:
        val = float(logsumexp(lp[m] + lam * L)) / lam
    return max(0.0, val)


def renyi_discrete_log(logp: ArrayLike, logq: ArrayLike, alpha: float) -> float:
    """D_alpha(P||Q) (D5) from log-probability vectors; alpha=1 -> KL, alpha=inf -> D_inf (D4).

    Examples
    --------
    >>> import numpy as np
    >>> round(renyi_discrete_log(np.log([0.5, 0.5]), np.log([0.9, 0.1]), 2.0), 6)   # log(0.25/0.9 + 0.25/0.1)
    1.021651
    """
    a = V.alpha_order("alpha", alpha)
    lp = _check_logs("logp", logp)
    lq = _check_logs("logq", logq)
    V.same_shape("logp", lp, "logq", lq)
    return _renyi_logs(lp, lq, a)


def renyi_discrete(p: ArrayLike, q: ArrayLike, alpha: float) -> float:
    """D_alpha(P||Q) = 1/(alpha-1) log sum_y P(y)^alpha Q(y)^(1-alpha) (D5), computed in log space.

    ``alpha = 1`` gives KL(P||Q), ``alpha = inf`` gives D_inf(P||Q) (D4); inf when supp P is not
    contained in supp Q.

    Examples
    --------
    >>> round(renyi_discrete([0.5, 0.5], [0.9, 0.1], alpha=2.0), 6)   # log(0.25/0.9 + 0.25/0.1)
    1.021651
    >>> renyi_discrete([0.5, 0.5], [0.5, 0.5], alpha=float("inf"))
    0.0
    """
    a = V.alpha_order("alpha", alpha)
    lp, lq = _log_pair_from_probs(p, q)
    return _renyi_logs(lp, lq, a)


def kl_discrete(p: ArrayLike, q: ArrayLike) -> float:
    """KL(P||Q) = sum_y P(y) log P(y)/Q(y) = lim_{alpha->1} D_alpha (D5).

    Examples
    --------
    >>> round(kl_discrete([0.5, 0.5], [0.9, 0.1]), 6)   # 0.5 log(0.5/0.9) + 0.5 log 5
    0.510826
    """
    return renyi_discrete(p, q, 1.0)


def dinf_discrete(p: ArrayLike, q: ArrayLike) -> float:
    """D_inf(P||Q) = sup_{y in supp Q} log P(y)/Q(y) (D4); inf when P has mass outside supp Q.

    Examples
    --------
    >>> round(dinf_discrete([0.5, 0.5], [0.9, 0.1]), 6)   # log max p/q = log 5
    1.609438
    """
    return renyi_discrete(p, q, math.inf)


def dmr_discrete(p: ArrayLike, q: ArrayLike, **kwargs: Any) -> DMRResult:
    """DMR(P||Q) = sup_{alpha in (1,inf)} D_alpha(P||Q)/alpha (D5) for discrete P, Q.

    Examples
    --------
    >>> res = dmr_discrete([0.5, 0.5], [0.9, 0.1])   # sup over alpha of D_alpha / alpha (D5)
    >>> round(res.value, 4)
    0.5324
    """
    lp, lq = _log_pair_from_probs(p, q)
    if np.array_equal(lp, lq):
        return DMRResult(0.0, None, None, "P == Q: D_alpha = 0 for every alpha", True)
    kl = _renyi_logs(lp, lq, 1.0)
    dinf = _renyi_logs(lp, lq, math.inf)
    if math.isinf(kl):
        return DMRResult(math.inf, None, None,
                         "supp P not contained in supp Q: D_alpha = inf for every alpha", True)
    res = dmr_from_renyi(lambda a: _renyi_logs(lp, lq, a), kl=kl, dinf=dinf, **kwargs)
    return res


# ----------------------------------------------------------------------------------------------
# DMR search (generic)
# ----------------------------------------------------------------------------------------------

def dmr_from_renyi(renyi_fn: Callable[[float], float], *, kl: float | None = None,
                   dinf: float | None = None, log10_lam_min: float = -8.0,
                   log10_lam_max: float = 8.0, n_grid: int = 161, xtol: float = 1e-9) -> DMRResult:
    """DMR = sup_{alpha>1} D_alpha/alpha (D5) for any alpha -> D_alpha function.

    Robust search (D_alpha/alpha need not be monotone or unimodal): a grid in
    t = log10(alpha-1) over [log10_lam_min, log10_lam_max] (``n_grid`` points), then a bounded
    Brent refinement between the neighbours of the best grid point.  The limits are compared
    explicitly: alpha -> 1+ gives KL (``kl``, computed by ``renyi_fn(1.0)`` if not given);
    alpha -> inf gives 0 when D_inf is finite (``dinf``), otherwise the top of the grid is reported
    as a lower bound with limit "alpha->inf".
    Tolerances: the limit alpha->1+ is reported when KL >= the interior maximum * (1 - 1e-12).

    Examples
    --------
    >>> res = dmr_from_renyi(lambda a: 0.5 * a)   # Gaussian-like D_alpha = alpha/2: DMR = 1/2 at every alpha
    >>> res.value
    0.5
    """
    n_grid = V.count("n_grid", n_grid, minimum=5)
    if kl is None:
        kl = float(renyi_fn(1.0))

    def f(t: float) -> float:
        a = 1.0 + float(10.0 ** t)
        return float(renyi_fn(a)) / a

    ts = np.linspace(log10_lam_min, log10_lam_max, n_grid)
    vals = np.array([f(t) for t in ts])
    if np.any(np.isnan(vals)):
        raise ValueError("renyi_fn returned NaN on the alpha grid")
    i = int(np.argmax(vals))
    best_t, best_v = float(ts[i]), float(vals[i])
    if 0 < i < n_grid - 1:
        r = optimize.minimize_scalar(lambda t: -f(t), bounds=(ts[i - 1], ts[i + 1]), method="bounded",
                                     options={"xatol": xtol})
        if r.success and -r.fun >= best_v:
            best_t, best_v = float(r.x), float(-r.fun)
    if math.isinf(best_v):
        return DMRResult(math.inf, None, None, "D_alpha = inf on the alpha grid", False)
    if kl >= best_v * (1.0 - 1e-12):
        return DMRResult(float(kl), None, LIMIT_ALPHA_1,
                         "grid+Brent search over log10(alpha-1); sup is the alpha->1+ limit (KL)")
    if i == n_grid - 1 and not (dinf is not None and math.isfinite(dinf)):
        return DMRResult(best_v, None, LIMIT_ALPHA_INF,
                         f"grid search: D_alpha/alpha still increasing at alpha=1+1e{log10_lam_max:g}; "
                         "value is a lower bound of the alpha->inf limit")
    return DMRResult(best_v, 1.0 + 10.0 ** best_t, None,
                     "grid+Brent search over log10(alpha-1)")


# ----------------------------------------------------------------------------------------------
# densities (univariate and products)
# ----------------------------------------------------------------------------------------------

def _split_points(lo: float, hi: float, points: Iterable[float] | None) -> list[float]:
    pts = sorted(float(x) for x in (points or []) if lo < float(x) < hi)
    return [lo] + pts + [hi]


def renyi_density(logp: LogDensity, logq: LogDensity, alpha: float, lo: float = -math.inf, hi: float = math.inf,
                  dps: int | None = None, points: Iterable[float] | None = None, epsrel: float = 1e-11) -> Any:
    """D_alpha(P||Q) (D5) for univariate densities given as log-density callables.

    D_alpha = 1/(alpha-1) log integral exp(alpha logp + (1-alpha) logq) dx  (alpha in (1, inf));
    alpha = 1: KL = integral p (logp - logq);  alpha = inf: D_inf = sup_{x in supp Q} logp - logq,
    found by a grid over [lo, hi] (tan-mapped when infinite) and bounded refinement.

    Float path (``dps=None``): scipy.integrate.quad on the pieces between ``points`` (put kinks
    and the modes there); for alpha - 1 < 0.5 it integrates p * expm1((alpha-1)(logp-logq)) and
    uses log1p (no cancellation as alpha -> 1).  High-precision path (``dps=int``): mpmath.quad at
    ``dps`` digits; logp/logq then receive mpmath.mpf and must compute with mpmath; returns mpf.

    Examples
    --------
    >>> from scipy import stats
    >>> p, q = stats.norm(0, 1).logpdf, stats.norm(1, 1).logpdf
    >>> round(renyi_density(p, q, 2.0), 8)   # L22: alpha ||delta||^2 / (2 sigma^2) = 1
    1.0
    """
    a = V.alpha_order("alpha", alpha)
    if dps is not None:
        dps = V.count("dps", dps, minimum=15)
        return _renyi_density_mp(logp, logq, a, lo, hi, dps, points)
    segs = _split_points(float(lo), float(hi), points)
    if math.isinf(a):
        return _dinf_density(logp, logq, segs)

    def quad(fun: Callable[[float], float]) -> float:
        tot = 0.0
        for x0, x1 in itertools.pairwise(segs):
            v, _ = integrate.quad(fun, x0, x1, epsabs=0.0, epsrel=epsrel, limit=500)
            tot += v
        return tot

    def L(x: float) -> tuple[float | None, float]:
        lq = logq(x)
        lp = logp(x)
        if lp == -math.inf:
            return None, lp
        if lq == -math.inf:
            return math.inf, lp
        return lp - lq, lp

    if a == 1.0:
        def fkl(x: float) -> float:
            llr, lp = L(x)
            return 0.0 if llr is None else math.exp(lp) * llr
        return max(0.0, float(quad(fkl)))
    lam = a - 1.0
    if lam < 0.5:
        def fsmall(x: float) -> float:
            llr, lp = L(x)
            if llr is None:
                return 0.0
            t = lam * llr
            if t < 50.0:  # p * expm1(t): no cancellation near alpha -> 1
                return math.exp(lp) * math.expm1(t)
            # far tails: p * (e^t - 1) = e^(lp + t) - e^lp, kept in log space (no overflow of e^t)
            return math.exp(lp + t) - math.exp(lp) if lp + t < 709.0 else math.inf
        return max(0.0, float(math.log1p(quad(fsmall)) / lam))
    # scale by the maximum of the log-integrand on a grid to avoid overflow at large alpha
    grid = [x for x0, x1 in itertools.pairwise(segs) for x in _probe(x0, x1)]
    c = max(a * logp(x) + (1 - a) * logq(x) if logp(x) > -math.inf else -math.inf for x in grid)
    if not math.isfinite(c):
        c = 0.0

    def fgen(x: float) -> float:
        lp = logp(x)
        if lp == -math.inf:
            return 0.0
        return math.exp(a * lp + (1 - a) * logq(x) - c)
    integral = quad(fgen)
    return max(0.0, float((math.log(integral) + c) / lam))  # a plain float even when logp returns numpy


def _probe(x0: float, x1: float, n: int = 201) -> list[float]:
    if math.isinf(x0) and math.isinf(x1):
        return list(np.tan(np.linspace(-1.55, 1.55, n)))
    if math.isinf(x0):
        return list(x1 - np.expm1(np.linspace(0, 6, n)))
    if math.isinf(x1):
        return list(x0 + np.expm1(np.linspace(0, 6, n)))
    return list(np.linspace(x0, x1, n))


def _dinf_density(logp: LogDensity, logq: LogDensity, segs: list[float]) -> float:
    best = -math.inf
    for x0, x1 in itertools.pairwise(segs):
        xs = _probe(x0, x1)
        vals = [logp(x) - logq(x) if logq(x) > -math.inf else -math.inf for x in xs]
        j = int(np.argmax(vals))
        best = max(best, vals[j])
        a_, b_ = xs[max(j - 1, 0)], xs[min(j + 1, len(xs) - 1)]
        if a_ < b_:
            r = optimize.minimize_scalar(lambda x: -(logp(x) - logq(x)), bounds=(a_, b_), method="bounded",
                                         options={"xatol": 1e-12})
            if r.success:
                best = max(best, -r.fun)
    return max(0.0, float(best))


def _renyi_density_mp(logp: LogDensity, logq: LogDensity, a: float, lo: float, hi: float, dps: int,
                      points: Iterable[float] | None) -> Any:
    import mpmath as mp

    with mp.workdps(dps):
        lo_m = mp.mpf(lo) if math.isfinite(lo) else (mp.ninf if lo < 0 else mp.inf)
        hi_m = mp.mpf(hi) if math.isfinite(hi) else (mp.inf if hi > 0 else mp.ninf)
        segs = [lo_m] + [mp.mpf(x) for x in sorted(points or []) if lo < float(x) < hi] + [hi_m]
        if math.isinf(a):
            raise ValueError("alpha = inf is not available on the mpmath path (dps); use dps=None")
        if a == 1.0:
            v = mp.quad(lambda x: mp.exp(logp(x)) * (logp(x) - logq(x)), segs)
            return +v
        lam = mp.mpf(a) - 1
        am = mp.mpf(a)
        v = mp.quad(lambda x: mp.exp(am * logp(x) + (1 - am) * logq(x)), segs)
        return mp.log(v) / lam


def renyi_density_product(pairs: Iterable[tuple[Any, ...]], alpha: float, **kwargs: Any) -> Any:
    """D_alpha for product densities: sum_i D_alpha(P_i||Q_i) (additivity of Rényi divergence,
    which also holds for KL and D_inf).  ``pairs`` is a sequence of (logp_i, logq_i) (or
    (logp_i, logq_i, options-dict) with per-coordinate lo/hi/points).

    Examples
    --------
    >>> from scipy import stats
    >>> pair = (stats.norm(0, 1).logpdf, stats.norm(1, 1).logpdf)
    >>> round(renyi_density_product([pair, pair], 2.0), 8)   # additivity over independent coordinates
    2.0
    """
    tot = 0
    for pair in pairs:
        opts = dict(kwargs)
        if len(pair) == 3:
            opts.update(pair[2])
        tot = tot + renyi_density(pair[0], pair[1], alpha, **opts)
    return tot


def laplace_renyi_1d(alpha: float, x: float) -> float:
    """D_alpha(Lap(0, b) || Lap(Delta, b)) in closed form (Mironov 2017, Prop. 6), x = |Delta|/b >= 0 (used by
    :class:`theory.mechanisms.Laplace` and, eq. 6 in d = 1 being Laplace, by :mod:`theory.eq6_quadrature`):
    D_alpha = x + log1p( (alpha-1)/(2alpha-1) expm1((1-2alpha) x) ) / (alpha-1)   (alpha > 1),
    which is algebraically 1/(alpha-1) log(alpha/(2alpha-1) e^{(alpha-1)x} + (alpha-1)/(2alpha-1) e^{-alpha x});
    alpha = 1: x + expm1(-x);  alpha = inf: x.  The alpha -> 1 branch uses log1p(u)/u with
    u/(alpha-1) = expm1((1-2alpha)x)/(2alpha-1) (no cancellation).

    Examples
    --------
    >>> round(laplace_renyi_1d(2.0, 1.0), 6)   # log(2/3 e + 1/3 e^-2)
    0.619124
    """
    if x == 0:
        return 0.0
    if math.isinf(alpha):
        return x
    if alpha == 1.0:
        return x + math.expm1(-x)
    lam = alpha - 1.0
    if alpha * x < 0.05:
        # Tiny shift: x + log1p(...)/(alpha-1) cancels.  Taylor series of the closed form instead:
        # with f(x) = alpha/(2a-1) e^{(a-1)x} + (a-1)/(2a-1) e^{-ax} = 1 + g,  g/(a-1) = h,
        #   h = sum_{k>=2} (a x)^k / k! * B_k / (2a - 1),  B_k = (1 - 1/a)^{k-1} + (-1)^k
        # (B_k from expm1 for odd k: no cancellation at large a), and D = h * log1p(g)/g.
        # Terms fall like (a x)/k, so 40 terms reach double precision for a x < 0.05.
        l1 = math.log1p(-1.0 / alpha)
        h, term = 0.0, alpha * x  # term = (a x)^k / k!
        for k in range(2, 42):
            term *= alpha * x / k
            bk = math.exp((k - 1) * l1) + 1.0 if k % 2 == 0 else math.expm1((k - 1) * l1)
            h += term * bk / (2 * alpha - 1)
        g = lam * h
        return max(0.0, h * (1.0 if g == 0 else math.log1p(g) / g))
    u_over = math.expm1((1 - 2 * alpha) * x) / (2 * alpha - 1)
    u = lam * u_over
    ratio = 1.0 if u == 0 else math.log1p(u) / u
    return max(0.0, x + ratio * u_over)
