"""R-T9 (the remark after T9): the first ε at which it fails over ALL pairs, enclosed (issue 19, item 4).

The remark: DMR robustness ε (both directions) ⇒ E_P f ≤ e^{ε'} E_Q f + δ for all f: Ω → [0, 1], with
ε' = (c+1)√ε, δ = e^{−c²/4}.  By the two-outcome reduction (:mod:`theory.worst_case`: the optimal test
S = {P > e^{ε'}Q} maps any pair to the two-outcome pair (P(S), Q(S)) with the same hockey-stick value and, by
data processing, no larger DMR) the first failure is

    ε*(c) = inf { m(p, q) : p − e^{(c+1)√m(p, q)}·q > δ },   m = max(DMR(P‖Q), DMR(Q‖P)),
    P = (p, 1 − p), Q = (q, 1 − q)

(a pair satisfies the hypothesis for every ε ≥ m and breaks the conclusion exactly while
p − e^{(c+1)√ε}q > δ, hardest at ε = m).  It is enclosed here by interval branch-and-bound
(:func:`theory.enclosure.minimize`) in the coordinates s = −ln q, t = −ln(1 − p) (q and 1 − p down to
e^{−50} and below without loss), with ball arithmetic (python-flint arb):

* *Lower bound of m over a box.*  DMR = sup_{α>1} D_α/α ≥ D_α/α for any fixed α, and ≥ KL (the limit
  α → 1+), in both directions; the box's bound is the largest ball lower bound of D_α/α (α = the float
  argmax at the box centre) and of KL, both directions.
* *Boxes without violation.*  If m ≥ L on the box then p − e^{(c+1)√m}q ≤ p − e^{(c+1)√L}q, whose sup over
  the box is at its corner (t₁, s₁) (increasing in t, decreasing... in q); a box where that sup is ≤ δ holds
  no violating pair and is discarded.
* *The domain is compact.*  A violating pair has p > δ + q, so q < 1 − δ and 1 − p < 1 − δ
  (s, t > −ln(1 − δ)); and with p > δ, KL(P‖Q) = −h(p) + p·s − (1 − p)ln(1 − q) ≥ δ·s − ln 2, with 1 − q > δ,
  KL(Q‖P) ≥ δ·t − ln 2 (h the binary entropy, ≤ ln 2).  So pairs with s or t ≥ (U₀ + ln 2)/δ have m ≥ U₀:
  with U₀ = :data:`U0` above every reported upper end, they cannot hold the infimum (checked: hi < U₀).
* *Upper end.*  A witness pair slightly inside the violating region (from the arg), with m bounded above
  rigorously by monotonicity of D_α in α (van Erven & Harremoës 2014, Thm 3): on [a₀, a₁],
  D_α/α ≤ D_{a₁}/a₀; on (1, a₁], D_α/α ≤ D_{a₁}; on [A, ∞), D_α/α ≤ D∞/A (a 1-d branch-and-bound in
  ln(α − 1), :func:`dmr_upper`), and the violation p − e^{(c+1)√M}q − δ > 0 proved in ball arithmetic at
  that upper bound M: the pair satisfies DMR ≤ M both ways and breaks the remark at ε = M, so ε* ≤ M.
  The tests re-check the witness at 40 digits with mpmath (:func:`witness_mp`).

>>> e = rt9_first_failure(2.0, rtol=2e-2)
>>> 3.9 < e.lo <= e.hi < 4.2
True
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from flint import arb

from theory import enclosure as E

__all__ = ["U0", "C_VALUES", "dmr_float", "dmr_lower_box", "dmr_upper", "rt9_first_failure", "witness_mp",
           "violation_margin"]

#: enclosures are computed on the pairs with m < U0 (module doc: the tail argument); every hi must be < U0
U0 = 10.0
#: the values of c the audit reports
C_VALUES = (0.5, 1.0, 2.0, 3.0)
_LN2 = math.log(2.0)
_U_RANGE = (-20.0, 12.0)          # ln(α − 1) range of the α search; tails handled by monotonicity


# ----------------------------------------------------------------------------------------------------
# floats (steering only)
# ----------------------------------------------------------------------------------------------------

def _logs(s: float, t: float) -> tuple[float, float, float, float]:
    """(ln p, ln(1−p), ln q, ln(1−q)) of p = 1 − e^{−t}, q = e^{−s}."""
    return math.log1p(-math.exp(-t)), -t, -s, math.log1p(-math.exp(-s))


def _renyi_f(lp: float, lp1: float, lq: float, lq1: float, a: float) -> float:
    if a == 1.0:
        return math.exp(lp) * (lp - lq) + math.exp(lp1) * (lp1 - lq1)
    x1, x2 = a * lp + (1 - a) * lq, a * lp1 + (1 - a) * lq1
    mx = max(x1, x2)
    return (mx + math.log(math.exp(x1 - mx) + math.exp(x2 - mx))) / (a - 1)


def _argmax_f(lp: float, lp1: float, lq: float, lq1: float) -> tuple[float, float]:
    """(max, argmax α) of D_α/α in floats, with the α → 1 limit KL (returned as α = 1): a grid in
    u = ln(α − 1) then golden-section search on the bracket (steering only)."""
    def f(u: float) -> float:
        a = 1.0 + math.exp(u)
        return _renyi_f(lp, lp1, lq, lq1, a) / a

    us = [-12.0 + 2.0 * i for i in range(11)]
    vals = [f(u) for u in us]
    i = max(range(len(us)), key=vals.__getitem__)
    a, b = us[max(i - 1, 0)], us[min(i + 1, len(us) - 1)]
    g = 0.6180339887498949
    x, y = b - g * (b - a), a + g * (b - a)
    fx, fy = f(x), f(y)
    for _ in range(18):
        if fx < fy:
            a, x, fx = x, y, fy
            y = a + g * (b - a)
            fy = f(y)
        else:
            b, y, fy = y, x, fx
            x = b - g * (b - a)
            fx = f(x)
    best, arg = (fx, x) if fx >= fy else (fy, y)
    if vals[i] > best:
        best, arg = vals[i], us[i]
    kl = _renyi_f(lp, lp1, lq, lq1, 1.0)
    return (kl, 1.0) if kl >= best else (best, 1.0 + math.exp(arg))


@lru_cache(maxsize=8192)
def dmr_float(s: float, t: float) -> tuple[float, float, float]:
    """Float max(DMR(P‖Q), DMR(Q‖P)) at (s, t), with the two argmax α (steering only, not rigorous)."""
    lp, lp1, lq, lq1 = _logs(s, t)
    m1, a1 = _argmax_f(lp, lp1, lq, lq1)
    m2, a2 = _argmax_f(lq, lq1, lp, lp1)
    return max(m1, m2), a1, a2


# ----------------------------------------------------------------------------------------------------
# balls (rigorous)
# ----------------------------------------------------------------------------------------------------

def _logs_ball(S: arb, T: arb) -> tuple[arb, arb, arb, arb]:
    return (-(-T).exp()).log1p(), -T, -S, (-(-S).exp()).log1p()


def _renyi_ball(lp: arb, lp1: arb, lq: arb, lq1: arb, a: arb | None) -> arb:
    """D_α(P‖Q) as a ball (a None: KL)."""
    if a is None:
        return lp.exp() * (lp - lq) + lp1.exp() * (lp1 - lq1)
    x1, x2 = a * lp + (1 - a) * lq, a * lp1 + (1 - a) * lq1
    # ln(e^{x1} + e^{x2}) = x1 + ln(1 + e^{x2 − x1}) (x1 ≥ x2 is not needed for correctness, only accuracy)
    return (x1 + (x2 - x1).exp().log1p()) / (a - 1)


def dmr_lower_box(s0: float, s1: float, t0: float, t1: float, alphas: tuple[float, float] | None = None) -> float:
    """Rigorous lower bound of m = max(DMR(P‖Q), DMR(Q‖P)) over the box [s0, s1] × [t0, t1] (module doc)."""
    if alphas is None:
        _, a1, a2 = dmr_float(0.5 * (s0 + s1), 0.5 * (t0 + t1))
        alphas = (a1, a2)
    with E.workprec():
        S, T = E.ball(s0, s1), E.ball(t0, t1)
        lp, lp1, lq, lq1 = _logs_ball(S, T)
        cands = [_renyi_ball(lp, lp1, lq, lq1, None), _renyi_ball(lq, lq1, lp, lp1, None)]
        for a, args in zip(alphas, ((lp, lp1, lq, lq1), (lq, lq1, lp, lp1)), strict=True):
            if a > 1.0:
                A = arb(a)
                cands.append(_renyi_ball(*args, A) / A)
        return max(E.lower(c) for c in cands)


def _violation_ball(s: float, t: float, eps: arb, c: float) -> arb:
    """p − e^{(c+1)√ε}·q − δ as a ball at the point (s, t)."""
    S, T = arb(s), arb(t)
    C = arb(c)
    return 1 - (-T).exp() - ((C + 1) * eps.sqrt()).exp() * (-S).exp() - (-(C * C) / 4).exp()


def _box_lower(box: E.Box, c: float) -> float:
    (s0, s1), (t0, t1) = box
    L = max(0.0, dmr_lower_box(s0, s1, t0, t1))
    # sup over the box of p − e^{(c+1)√L} q is at t = t1, s = s1 (p increasing in t, q decreasing in s)
    with E.workprec():
        if E.upper(_violation_ball(s1, t1, arb(L), c)) <= 0:
            return math.inf
    return L


def _value(x: E.Point, c: float) -> float:
    s, t = x
    m = dmr_float(s, t)[0]
    delta = math.exp(-c * c / 4)
    p, q = -math.expm1(-t), math.exp(-s)
    return m if p - math.exp((c + 1) * math.sqrt(m)) * q > delta else math.inf


def _dmr_dir_upper(lp: arb, lp1: arb, lq: arb, lq1: arb, rtol: float) -> tuple[float, float]:
    """Rigorous upper bound (and float lower value) of sup_{α>1} D_α(P‖Q)/α at a point, by monotonicity."""
    dinf = E.bmax(lp - lq, lp1 - lq1)
    ulo, uhi = _U_RANGE

    def upper_box(b: E.Box) -> float:
        (u0, u1), = b
        a0, a1 = 1 + arb(u0).exp(), 1 + arb(u1).exp()
        return E.upper(_renyi_ball(lp, lp1, lq, lq1, a1) / E.ball(E.lower(a0)))

    def value(x: E.Point) -> float:
        a = 1 + arb(x[0]).exp()
        return float((_renyi_ball(lp, lp1, lq, lq1, a) / a).mid())

    e = E.maximize(upper_box, [(ulo, uhi)], value=value, atol=0.0, rtol=rtol, max_boxes=4000)
    a_lo, a_hi = 1 + arb(ulo).exp(), 1 + arb(uhi).exp()
    tails = max(E.upper(_renyi_ball(lp, lp1, lq, lq1, a_lo)), E.upper(dinf / E.ball(E.lower(a_hi))))
    kl = E.lower(_renyi_ball(lp, lp1, lq, lq1, None))
    return max(e.hi, tails), max(e.lo, kl)


def dmr_upper(s: float, t: float, rtol: float = 1e-9) -> tuple[float, float]:
    """Rigorous (upper, lower) bounds of m = max(DMR(P‖Q), DMR(Q‖P)) at p = 1 − e^{−t}, q = e^{−s}.

    >>> hi, lo = dmr_upper(1.0, 2.0)
    >>> 0 < lo <= hi < lo * (1 + 1e-4)
    True
    """
    with E.workprec(128):
        lp, lp1, lq, lq1 = _logs_ball(arb(s), arb(t))
        u1, l1 = _dmr_dir_upper(lp, lp1, lq, lq1, rtol)
        u2, l2 = _dmr_dir_upper(lq, lq1, lp, lp1, rtol)
    return max(u1, u2), max(l1, l2)


def violation_margin(s: float, t: float, eps: float, c: float) -> tuple[float, float]:
    """Ball bounds of p − e^{(c+1)√ε}q − δ at (s, t): the pair breaks the remark at ε when the lower one is > 0."""
    with E.workprec(128):
        v = _violation_ball(s, t, arb(eps), c)
        return E.lower(v), E.upper(v)


def _domain(c: float) -> tuple[tuple[float, float], tuple[float, float]]:
    delta = math.exp(-c * c / 4)
    lo = -math.log1p(-delta)
    hi = (U0 + _LN2) / delta
    return (lo, hi), (lo, hi)


@lru_cache(maxsize=32)
def rt9_first_failure(c: float, rtol: float = 1e-3, max_boxes: int = 60_000) -> E.Enclosure:
    """Enclosure [lo, hi] of ε*(c), the first ε at which the remark after T9 fails over all pairs (module doc).

    ``arg`` = (s, t) of the witness pair (p = 1 − e^{−t}, q = e^{−s}); ``extra`` carries the witness: P, Q,
    the rigorous DMR bounds and the violation margin at ε = hi (> 0, proved in ball arithmetic)."""
    c = float(c)
    if not (0 < c <= 10):
        raise ValueError(f"c must lie in (0, 10], got {c!r}")
    dom = _domain(c)
    e = E.minimize(lambda b: _box_lower(b, c), dom, value=lambda x: _value(x, c), rtol=rtol, scale=("log", "log"),
                   max_boxes=max_boxes, method="interval branch-and-bound (arb) in (−ln q, −ln(1−p))")
    s, t = e.arg
    # witness: step p towards 1 until the violation at the rigorous DMR upper bound is proved
    wit: dict[str, Any] | None = None
    for j in range(60):
        tw = t + 1e-7 * t * 2.0 ** j
        hi, lo_m = dmr_upper(s, tw)
        vlo, _ = violation_margin(s, tw, hi, c)
        if vlo > 0:
            p, q = -math.expm1(-tw), math.exp(-s)
            wit = {"s": s, "t": tw, "P": [p, math.exp(-tw)], "Q": [q, -math.expm1(-s)], "dmr_sym_upper": hi,
                   "dmr_sym_lower": lo_m, "violation_at_eps_hi_lower": vlo, "eps_prime": (c + 1) * math.sqrt(hi),
                   "delta": math.exp(-c * c / 4)}
            break
    if wit is None:
        raise RuntimeError(f"R-T9 enclosure at c={c}: no witness with a proved violation near the arg {e.arg}")
    hi = wit["dmr_sym_upper"]
    if not hi < U0:
        raise RuntimeError(f"R-T9 enclosure at c={c}: upper end {hi} not below U0 = {U0} (tail argument)")
    return E.Enclosure(min(e.lo, hi), hi, (s, wit["t"]), e.boxes, e.complete,
                       e.method + f"; domain s, t ∈ [{dom[0][0]:.4g}, {dom[0][1]:.4g}] (m < {U0:g} outside is "
                       "impossible: KL tail bound); witness m bounded above by monotonicity of D_α in α",
                       {"c": c, "witness": wit})


def witness_mp(P: list[float], Q: list[float], c: float, dps: int = 40) -> dict[str, Any]:
    """Independent 40-digit re-check (mpmath) of an R-T9 two-outcome witness: DMR both ways (golden-section
    search of D_α/α in ln(α − 1), and KL) and the margin p − e^{(c+1)√m}q − δ at ε = that DMR."""
    import mpmath as mp

    with mp.workdps(dps):
        p, q = mp.mpf(P[0]), mp.mpf(Q[0])
        p1, q1 = mp.mpf(P[1]), mp.mpf(Q[1])

        def ren(a: Any, x: Any, x1: Any, y: Any, y1: Any) -> Any:
            return mp.log(x ** a * y ** (1 - a) + x1 ** a * y1 ** (1 - a)) / (a - 1)

        def dmr(x: Any, x1: Any, y: Any, y1: Any) -> Any:
            kl = x * mp.log(x / y) + x1 * mp.log(x1 / y1)

            def f(u: Any) -> Any:
                a = 1 + mp.e ** u
                return ren(a, x, x1, y, y1) / a

            us = [mp.mpf(-14) + mp.mpf(i) / 2 for i in range(53)]
            vals = [f(u) for u in us]
            i = max(range(len(us)), key=lambda j: vals[j])
            a, b = us[max(i - 1, 0)], us[min(i + 1, len(us) - 1)]
            g = (mp.sqrt(5) - 1) / 2
            for _ in range(160):
                x_, y_ = b - g * (b - a), a + g * (b - a)
                if f(x_) < f(y_):
                    a = x_
                else:
                    b = y_
            return max(kl, f((a + b) / 2), vals[i])

        m = max(dmr(p, p1, q, q1), dmr(q, q1, p, p1))
        delta = mp.e ** (-mp.mpf(c) ** 2 / 4)
        margin = p - mp.e ** ((c + 1) * mp.sqrt(m)) * q - delta
        return {"dmr_sym": float(m), "dmr_sym_str": mp.nstr(m, 30), "margin": float(margin),
                "margin_str": mp.nstr(margin, 20), "dps": dps}


def _gauss_violation_box(e0: float, e1: float, c: float) -> arb:
    """δ_exact((c+1)√ε) − e^{−c²/4} over ε ∈ [e0, e1] for the Gaussian with DMR ε (μ = √(2ε)):
    δ_exact(ε') = Φ(−ε'/μ + μ/2) − e^{ε'}Φ(−ε'/μ − μ/2) (Balle & Wang 2018, Thm 8), Φ(x) = erfc(−x/√2)/2."""
    with E.workprec(128):
        eps = E.ball(e0, e1)
        C = arb(c)
        ep, mu = (C + 1) * eps.sqrt(), (2 * eps).sqrt()
        r2 = arb(2).sqrt()

        def ncdf(x: arb) -> arb:
            return (-x / r2).erfc() / 2

        return ncdf(-ep / mu + mu / 2) - ep.exp() * ncdf(-ep / mu - mu / 2) - (-(C * C) / 4).exp()


@lru_cache(maxsize=32)
def gaussian_first_failure(c: float, tol: float = 1e-9) -> E.Enclosure:
    """Enclosure of the first ε ≥ 1 at which the Gaussian mechanism with DMR = ε (μ = √(2ε)) breaks the
    remark (its exact δ at ε' = (c+1)√ε exceeds e^{−c²/4}); for ε ≤ 1 the remark holds for every pair (L25).
    :func:`theory.enclosure.first_crossing` on ε ∈ [1, 10⁴] in ball arithmetic (``tol`` relative).

    >>> e = gaussian_first_failure(1.0)
    >>> 11.56 < e.lo <= e.hi < 11.58
    True
    """
    c = float(c)
    if not (0 < c <= 10):
        raise ValueError(f"c must lie in (0, 10], got {c!r}")
    e = E.first_crossing(lambda a, b: _gauss_violation_box(a, b, c), 1.0, 1e4, tol=tol * 10.0,
                         method="first crossing in ball arithmetic (arb) on ε ∈ [1, 10⁴]")
    return e
