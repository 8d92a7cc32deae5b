"""Worst cases over *all* pairs of output distributions (issue 11, item 3).

Claims of the form "for any P, Q with DMR ≤ ε (or D∞ ≤ ε) ..." are searched here over general discrete
pairs, not only over the paper's mechanisms:

* a **two-outcome search** (P = (p, 1−p), Q = (q, 1−q)), reduced analytically to nested 1-d problems
  (monotonicity in p for fixed q, then a grid + Brent refinement over q) -- sampled: its grids can step over
  a narrow violating window (R-T9 at c = 3 gave 4.058; the enclosure of :mod:`theory.rt9_enclosure` is
  [3.43, 3.48]), and
* a **numeric k-outcome search** (k ≤ 10; multistart SLSQP on log-probabilities, scipy).

Why two outcomes are exhaustive for the R-T9 remark.  The remark asks for
``E f(P) ≤ e^{ε'} E f(Q) + δ`` for every f: Ω → [0, 1], i.e. for the hockey-stick divergence
``H_{e^{ε'}}(P‖Q) = sup_S P(S) − e^{ε'} Q(S) ≤ δ``.  The supremum is attained at S = {P > e^{ε'} Q}; the
indicator of S maps (P, Q) to the two-outcome pair (P(S), Q(S)), which has the same H and, by data
processing (T9 / L21), DMR no larger in either direction.  Hence the worst case over all pairs on any
space equals the worst case over two-outcome pairs: two outcomes suffice, and the k-outcome search is an
independent consistency check that must never do better.  The two-outcome search below is a grid (sampled);
the rigorous first failure over all two-outcome pairs is :func:`theory.rt9_enclosure.rt9_first_failure`.

For T8 (D∞ ≤ ε both ways ⇒ DMR ≤ ε²/2) the exact worst case is randomized response (every such pair is a
post-processing of it, Kairouz, Oh & Viswanath 2015), so DMR_max(ε) = ε·tanh(ε/2); the searches below
re-find it without using that fact.

All divergences come from :mod:`theory.divergences` (``renyi_discrete_log``, ``dmr_from_renyi``,
``dmr_discrete``); nothing is re-derived here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike
from scipy import optimize
from scipy.special import log_softmax

from theory import divergences as D

__all__ = [
    "DMR_SEARCH", "two_point_logs", "dmr_sym_logs", "dmr_sym", "hockey_stick", "rt9_window",
    "RT9Threshold", "rt9_threshold_two_outcome", "rt9_max_violation_k", "t8_worst_two_outcome",
    "t8_worst_k", "processing_worst_k", "d5_sup_location_map",
]

#: grid of the DMR search (t = log10(α − 1) ∈ [−8, 6], 57 points + Brent), shared by every search here.
#: For pairs with finite D∞, D_α/α ≤ D∞/α → 0, so α beyond 1 + 10⁶ cannot hold the sup unless
#: DMR < D∞·1e-6 (reported as the α → ∞ side otherwise).
class _DMRSearch(TypedDict):
    n_grid: int
    log10_lam_min: float
    log10_lam_max: float


DMR_SEARCH: _DMRSearch = {"n_grid": 57, "log10_lam_min": -8.0, "log10_lam_max": 6.0}


def two_point_logs(p: float, q: float) -> tuple[np.ndarray, np.ndarray]:
    """Log-probability vectors of P = (p, 1−p), Q = (q, 1−q) (log1p keeps 1−p exact near p → 1)."""
    for name, v in (("p", p), ("q", q)):
        if not (0.0 < v < 1.0):
            raise ValueError(f"{name} must lie in (0, 1), got {v!r}")
    return (np.array([math.log(p), math.log1p(-p)]), np.array([math.log(q), math.log1p(-q)]))


def _dmr_logs(lp: ArrayLike, lq: ArrayLike) -> float:
    if np.array_equal(lp, lq):
        return 0.0
    def f(a: float) -> float:
        return D.renyi_discrete_log(lp, lq, a)

    return D.dmr_from_renyi(f, kl=f(1.0), dinf=f(math.inf), **DMR_SEARCH).value


def dmr_sym_logs(lp: ArrayLike, lq: ArrayLike) -> float:
    """max(DMR(P‖Q), DMR(Q‖P)): robustness bounds both directions (x and x' play symmetric roles)."""
    return max(_dmr_logs(lp, lq), _dmr_logs(lq, lp))


def dmr_sym(p: ArrayLike, q: ArrayLike) -> float:
    """max(DMR(P‖Q), DMR(Q‖P)) from probability vectors."""
    with np.errstate(divide="ignore"):
        return dmr_sym_logs(np.log(np.asarray(p, float)), np.log(np.asarray(q, float)))


def hockey_stick(p: ArrayLike, q: ArrayLike, eps_prime: float) -> float:
    """H_{e^{ε'}}(P‖Q) = Σ max(0, P − e^{ε'} Q) = sup_{f ∈ [0,1]} E_P f − e^{ε'} E_Q f."""
    pa, qa = np.asarray(p, float), np.asarray(q, float)
    return float(np.sum(np.maximum(0.0, pa - math.exp(eps_prime) * qa)))


# ----------------------------------------------------------------------------------------------------
# R-T9: DMR ≤ ε  ⇒  (ε' = (c+1)√ε, δ = e^{−c²/4}) output stability ?
# ----------------------------------------------------------------------------------------------------

def rt9_window(p: float, q: float, c: float) -> tuple[float, float]:
    """The ε-window in which the two-outcome pair (p, q), p > q, refutes the remark.

    The pair has max-direction DMR m = dmr_sym; it satisfies the hypothesis for every ε ≥ m, and breaks
    the conclusion while p − e^{(c+1)√ε} q > δ, i.e. for ε < u = (log((p − δ)/q)/(c+1))² (u = 0 when
    p ≤ δ + q).  It is a witness exactly for ε ∈ [m, u).  Returns (m, u)."""
    delta = math.exp(-c * c / 4)
    u = (math.log((p - delta) / q) / (c + 1)) ** 2 if p > delta + q else 0.0
    return dmr_sym_logs(*two_point_logs(p, q)), u


@dataclass(frozen=True)
class RT9Threshold:
    """Smallest ε at which the R-T9 remark fails over the searched pairs, with its witness."""

    c: float
    delta: float
    eps_threshold: float       # inf: no failure found
    p: float
    q: float
    dmr_pq: float
    dmr_qp: float
    window_hi: float           # the witness breaks the remark for ε ∈ [eps_threshold, window_hi)
    n_q: int
    method: str

    def witness(self, eps: float | None = None) -> dict[str, Any]:
        """JSON-able witness at ε = eps (default: just inside the window)."""
        if eps is None:
            eps = self.eps_threshold * (1 + 1e-6) if self.window_hi > self.eps_threshold * (1 + 2e-6) \
                else self.eps_threshold
        ep = (self.c + 1) * math.sqrt(eps)
        P, Q = [self.p, 1 - self.p], [self.q, 1 - self.q]
        return {"kind": "R-T9 pair", "c": self.c, "eps": eps, "eps_prime": ep, "delta": self.delta,
                "P": P, "Q": Q, "dmr_pq": self.dmr_pq, "dmr_qp": self.dmr_qp,
                "hockey_stick": hockey_stick(P, Q, ep)}


def _first_crossing(q: float, c: float, n_p: int, xtol: float) -> float | None:
    """Smallest p in (δ + q, 1) with u(p) ≥ m(p) (m nondecreasing, u increasing in p), or None."""
    delta = math.exp(-c * c / 4)
    lo = delta + q
    if lo >= 1.0:
        return None
    # logit grid between lo and 1 (dense near 1: pairs with 1 − p tiny matter)
    z0 = math.log(1e-12)
    zs = np.linspace(0.0, 1.0, n_p)[1:]
    prev = lo
    g_prev = -1.0
    for t in zs:
        # p = lo + (1 − lo)·(1 − e^{z0·t})  -- t ∈ (0, 1] sweeps p from lo to 1 − (1 − lo)e^{z0}
        p = lo + (1.0 - lo) * (-math.expm1(z0 * t))
        if p >= 1.0:
            break
        m, u = rt9_window(p, q, c)
        g = u - m
        if g >= 0:
            if g_prev >= 0:
                return p
            r = float(optimize.brentq(lambda x: (lambda mu: mu[1] - mu[0])(rt9_window(x, q, c)), prev, p,
                                      xtol=xtol, rtol=4 * np.finfo(float).eps))
            # brentq returns a root; step to the side where the window is non-empty
            while True:
                m2, u2 = rt9_window(r, q, c)
                if u2 >= m2:
                    return r
                r = r + max(xtol, 1e-15)
        prev, g_prev = p, g
    return None


def _thr_at_q(q: float, c: float, n_p: int, xtol: float) -> tuple[float, float | None]:
    p = _first_crossing(q, c, n_p, xtol)
    if p is None:
        return math.inf, None
    m, _ = rt9_window(p, q, c)
    return m, p


def rt9_threshold_two_outcome(c: float, n_q: int = 41, n_p: int = 40, xtol: float = 1e-13,
                              q_min: float = 1e-10) -> RT9Threshold:
    """Smallest ε at which the R-T9 remark fails over the two-outcome pairs on its grid (sampled; the enclosure
    over ALL pairs is :func:`theory.rt9_enclosure.rt9_first_failure`).

    threshold(c) = inf { m(p, q) : m(p, q) < u(p, q) } (see :func:`rt9_window`).  For fixed q, m is
    nondecreasing in p ≥ q (D_α(·‖Q) and D_α(Q‖·) are quasi-convex in P with minimum at P = Q, so both
    DMR directions grow along p ≥ q) and u is increasing, so the infimum over p is m at the first crossing
    u = m (a grid of ``n_p`` points in p, then Brent to ``xtol``).  Over q: ``n_q`` log-spaced points in
    [q_min, 1 − δ), then a bounded Brent refinement in log q around the best grid point.  Not exhaustive: the
    q- and p-grids can miss a narrow violating window (the refinement is local).

    Skipped in the default suite (about 25 s on 2 cores; tests/theory/test_worst_case.py runs it, slow marker):

    >>> r = rt9_threshold_two_outcome(1.0, n_q=9, n_p=20)   # doctest: +SKIP
    >>> 1.0 < r.eps_threshold < 10                          # doctest: +SKIP
    True
    """
    delta = math.exp(-c * c / 4)
    hi = math.log(1 - delta)
    lqs = np.linspace(math.log(q_min), hi - 1e-9, n_q)
    vals = []
    for lq in lqs:
        vals.append(_thr_at_q(math.exp(lq), c, n_p, xtol)[0])
    i = int(np.argmin(vals))
    best_lq, best = float(lqs[i]), float(vals[i])
    if math.isfinite(best):
        a, b = lqs[max(i - 1, 0)], lqs[min(i + 1, n_q - 1)]
        # no crossing at some q gives +inf; Brent needs finite values (1e300 stands for "no failure here")
        r = optimize.minimize_scalar(lambda x: min(_thr_at_q(math.exp(x), c, n_p, xtol)[0], 1e300), bounds=(a, b),
                                     method="bounded", options={"xatol": 1e-6})
        if r.fun < best:
            best_lq, best = float(r.x), float(r.fun)
    q = math.exp(best_lq)
    thr, p = _thr_at_q(q, c, n_p, xtol)
    if p is None:
        return RT9Threshold(c, delta, math.inf, math.nan, q, math.nan, math.nan, math.nan, n_q,
                            "two-outcome: no failure found")
    lp, lq_ = two_point_logs(p, q)
    _, u = rt9_window(p, q, c)
    return RT9Threshold(c, delta, thr, p, q, _dmr_logs(lp, lq_), _dmr_logs(lq_, lp), u, n_q,
                        f"two-outcome grid search (sampled): {n_q} log-spaced q in [{q_min:g}, 1−δ) + Brent in log q; "
                        f"first crossing in p by {n_p}-point grid + Brent (xtol {xtol:g})")


def _pair_from_x(x: npt.NDArray[np.float64], k: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    return log_softmax(x[:k]), log_softmax(x[k:])


def rt9_max_violation_k(eps: float, c: float, k: int, starts: int = 8, seed: int = 0) -> dict[str, Any]:
    """Numeric k-outcome search: max of H_{e^{ε'}}(P‖Q) − δ over pairs on k points with DMR ≤ ε both ways.

    Multistart SLSQP on free logits (2k variables, bounded in [−25, 25]); constraint ε − dmr_sym ≥ 0.
    Start points: ``starts`` random logit pairs (seeded), scaled so that half start near-feasible.  Not
    exhaustive: a local search; by the two-outcome reduction its maximum can never exceed the exact one.
    Returns the best value, its witness pair and the number of feasible end points.
    """
    if not (2 <= int(k) <= 10):
        raise ValueError(f"k must be an integer in [2, 10], got {k!r}")
    delta = math.exp(-c * c / 4)
    ep = (c + 1) * math.sqrt(eps)
    rng = np.random.default_rng(seed)

    def obj(x: npt.NDArray[np.float64]) -> float:
        lp, lq = _pair_from_x(x, k)
        return -(hockey_stick(np.exp(lp), np.exp(lq), ep) - delta)

    def con(x: npt.NDArray[np.float64]) -> float:
        lp, lq = _pair_from_x(x, k)
        return eps - dmr_sym_logs(lp, lq)

    best: dict[str, Any] = {"value": -math.inf, "P": None, "Q": None}
    feasible = 0
    for s in range(starts):
        scale = (0.5 if s % 2 == 0 else 3.0) * math.sqrt(eps)
        x0 = np.concatenate([rng.standard_normal(k) * scale, rng.standard_normal(k) * scale])
        try:
            r = optimize.minimize(obj, x0, method="SLSQP", bounds=[(-25, 25)] * (2 * k),
                                  constraints=[{"type": "ineq", "fun": con}],
                                  options={"maxiter": 60, "ftol": 1e-10})
            x = r.x
        except (ValueError, FloatingPointError):
            continue
        if con(x) >= -1e-9:
            feasible += 1
            v = -obj(x)
            if v > best["value"]:
                lp, lq = _pair_from_x(x, k)
                best = {"value": float(v), "P": np.exp(lp).tolist(), "Q": np.exp(lq).tolist(),
                        "dmr_sym": float(eps - con(x))}
    best.update({"k": k, "eps": eps, "c": c, "eps_prime": ep, "delta": delta, "starts": starts,
                 "feasible_end_points": feasible})
    return best


# ----------------------------------------------------------------------------------------------------
# T8: D∞ ≤ ε both ways ⇒ DMR ≤ ε²/2 — worst case over pairs
# ----------------------------------------------------------------------------------------------------

def t8_worst_two_outcome(eps: float, n_q: int = 81) -> dict[str, Any]:
    """max DMR(P‖Q) over two-outcome pairs with |log p/q|, |log (1−p)/(1−q)| ≤ ε.

    For fixed q and p ≥ q, DMR(P‖Q) is nondecreasing in p (quasi-convexity), so the max sits on the
    boundary p*(q) = min(q e^ε, 1 − (1−q) e^{−ε}); the search is then 1-d over q: ``n_q`` points uniform in
    logit(q) ∈ [−ε − 30, 30], plus a bounded Brent refinement around the best one.  (p ≤ q is the mirror
    image: relabel the outcomes.)

    >>> r = t8_worst_two_outcome(1.0, n_q=21)
    >>> abs(r["dmr_max"] - math.tanh(0.5)) < 1e-7      # randomized response: ε·tanh(ε/2)
    True
    """
    def boundary(lq: float) -> tuple[float, float]:
        q = 1 / (1 + math.exp(-lq))
        p = min(q * math.exp(eps), 1 - (1 - q) * math.exp(-eps))
        return p, q

    def val(lq: float) -> float:
        p, q = boundary(lq)
        if not (0 < q < p < 1):
            return 0.0
        return _dmr_logs(*two_point_logs(p, q))

    xs = np.linspace(-eps - 30.0, 30.0, n_q)
    vs = [val(x) for x in xs]
    i = int(np.argmax(vs))
    r = optimize.minimize_scalar(lambda x: -val(x), bounds=(xs[max(i - 1, 0)], xs[min(i + 1, n_q - 1)]),
                                 method="bounded", options={"xatol": 1e-9})
    x = float(r.x) if -r.fun >= vs[i] else float(xs[i])
    p, q = boundary(x)
    return {"eps": eps, "dmr_max": val(x), "p": p, "q": q, "bound": eps * eps / 2, "n_q": n_q,
            "method": "boundary p*(q) (monotone in p), grid in logit q + Brent"}


def t8_worst_k(eps: float, k: int, starts: int = 4, seed: int = 0) -> dict[str, Any]:
    """Numeric k-outcome search: max DMR(P‖Q) over pairs on k points with |log P/Q| ≤ ε pointwise.

    Multistart SLSQP on free logits, constraints ε ∓ (log P − log Q) ≥ 0 (2k smooth constraints)."""
    if not (2 <= int(k) <= 10):
        raise ValueError(f"k must be an integer in [2, 10], got {k!r}")
    rng = np.random.default_rng(seed)

    def obj(x: npt.NDArray[np.float64]) -> float:
        lp, lq = _pair_from_x(x, k)
        return -_dmr_logs(lp, lq)

    def con(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        lp, lq = _pair_from_x(x, k)
        d = lp - lq
        return np.concatenate([eps - d, eps + d])

    best: dict[str, Any] = {"dmr_max": -math.inf}
    for _ in range(starts):
        x0 = np.concatenate([rng.standard_normal(k), rng.standard_normal(k)]) * 0.3 * eps
        r = optimize.minimize(obj, x0, method="SLSQP", bounds=[(-25, 25)] * (2 * k),
                              constraints=[{"type": "ineq", "fun": con}], options={"maxiter": 80, "ftol": 1e-12})
        if np.all(con(r.x) >= -1e-9) and -r.fun > best["dmr_max"]:
            lp, lq = _pair_from_x(r.x, k)
            best = {"dmr_max": float(-r.fun), "P": np.exp(lp).tolist(), "Q": np.exp(lq).tolist()}
    best.update({"eps": eps, "k": k, "starts": starts, "bound": eps * eps / 2})
    return best


# ----------------------------------------------------------------------------------------------------
# T9: post-processing — worst case over channels
# ----------------------------------------------------------------------------------------------------

def processing_worst_k(k: int, m: int, which: str = "dmr", starts: int = 3, seed: int = 0) -> dict[str, Any]:
    """max over pairs on k points and k×m channels K of  D(PK‖QK) − D(P‖Q)  (D = DMR or D∞).

    Data processing says ≤ 0.  Multistart Nelder–Mead on (logits of P, Q, K); reports the largest gain
    found (expected ≤ 0 up to the DMR search's relative accuracy ~1e-9)."""
    if which not in ("dmr", "dinf"):
        raise ValueError(f"which must be 'dmr' or 'dinf', got {which!r}")
    rng = np.random.default_rng(seed)

    def div(lp: npt.NDArray[np.float64], lq: npt.NDArray[np.float64]) -> float:
        return _dmr_logs(lp, lq) if which == "dmr" else D.renyi_discrete_log(lp, lq, math.inf)

    def gain(x: npt.NDArray[np.float64]) -> float:
        lp, lq = _pair_from_x(x[:2 * k], k)
        K = np.exp(log_softmax(x[2 * k:].reshape(k, m), axis=1))
        P2, Q2 = np.exp(lp) @ K, np.exp(lq) @ K
        with np.errstate(divide="ignore"):
            return div(np.log(P2 / P2.sum()), np.log(Q2 / Q2.sum())) - div(lp, lq)

    best = -math.inf
    for _ in range(starts):
        x0 = rng.standard_normal(2 * k + k * m) * 2.0
        r = optimize.minimize(lambda x: -gain(x), x0, method="Nelder-Mead",
                              options={"maxiter": 300, "xatol": 1e-8, "fatol": 1e-12})
        best = max(best, -float(r.fun))
    return {"k": k, "m": m, "which": which, "starts": starts, "max_gain": best}


# ----------------------------------------------------------------------------------------------------
# D5: where is the sup over α attained, over two-outcome pairs?
# ----------------------------------------------------------------------------------------------------

def d5_sup_location_map(n: int = 15) -> dict[str, Any]:
    """Classify two-outcome pairs on an n×n grid of (p, q) ∈ (0,1)² by where sup_α D_α/α is attained.

    Uses dmr_discrete's ``limit`` field: "alpha->1+" (sup not attained: 'max' of D5 fails), or an interior
    α (a true maximum).  Returns the counts and one pair of each kind."""
    grid = np.linspace(0.02, 0.98, n)
    counts = {"alpha->1+": 0, "interior": 0, "alpha->inf": 0}
    examples: dict[str, dict[str, Any]] = {}
    for p in grid:
        for q in grid:
            if p == q:
                continue
            r = D.dmr_discrete([p, 1 - p], [q, 1 - q])
            key = r.limit if r.limit is not None else "interior"
            counts[key] += 1
            examples.setdefault(key, {"P": [float(p), float(1 - p)], "Q": [float(q), float(1 - q)],
                                      "dmr": r.value, "alpha": r.alpha})
    return {"n": n, "counts": counts, "examples": examples}
