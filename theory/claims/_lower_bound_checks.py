"""Checks of the lower-bound readings (issue 11): T12, T16, T17, T24, L27, the Table 1 optimality cells, the
O(1/√d) conclusion and the abstract's recommendation.  The numbers come from :mod:`theory.lower_bounds` and
:mod:`theory.certificates`; this module only turns them into :class:`Evidence` (with witnesses).

Every check factory takes the quantity it judges as a parameter (claimed rate, mechanism noise, box side,
mixing probability), so the tests can feed it a parameter for which the claim is known false and watch
the check fail (negative tests in ``tests/theory/test_lower_bound_claims.py``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import special

from theory.claims._core import EMPTY, NOT_DECIDABLE, REFUTES, SAMPLED, SUPPORTS, VERIFIED, Evidence, evidence

#: a check function: ``thorough -> Evidence`` (what :class:`theory.claims._core.Check` wraps)
CheckFn = Callable[[bool], Evidence]

LN2 = math.log(2.0)
RATE_DIMS = (1, 2, 3, 5, 10, 30, 100, 1000, 10**4, 10**5, 10**6)


# ----------------------------------------------------------------------------------------------------
# "as printed": the box [0, a]^d -> itself
# ----------------------------------------------------------------------------------------------------

def box_containment(side: float, d: int, sigma: float = 1.0) -> dict[str, float]:
    """P(0 + z ∈ [0, side]^d) for Gaussian noise N(0, σ²I) and eq.-6 noise (scale σ): both < 2^−d for a
    finite side (each coordinate must be ≥ 0; eq. 6 is symmetric under coordinate sign flips), = 1 for
    side = ∞ only if the noise is ≥ 0, which no symmetric noise is (so even then < 1 unless side is the whole
    line, i.e. the domain is R^d and no containment is asked)."""
    if math.isinf(side):
        return {"gaussian": 1.0, "eq6": 1.0}
    pg = math.exp(d * math.log(special.ndtr(side / sigma) - 0.5))
    # eq. 6: z = R·U, R ~ Gamma(d+1, σ), U uniform on [-1, 1]^d: P(all U_i R in [0, side]) <= P(all U_i >= 0)
    pe_upper = 2.0 ** -d
    return {"gaussian": pg, "eq6_upper": pe_upper}


def additive_empty_check(name: str, side_text: str, side_of_d: Callable[[int], float],
                         domain_is_box: bool = True) -> CheckFn:
    """EMPTY finding: no additive mechanism A(x) = x + z (z independent of x, not a.s. 0) maps the printed box
    into itself, and z = 0 (the identity) is not robust at any finite divergence.  ``domain_is_box=False``
    (domain R^d, no containment asked) is the negative control: then the Gaussian qualifies."""

    def chk(thorough: bool) -> Evidence:
        rows = []
        for d in (1, 2, 10, 100):
            a = side_of_d(d) if domain_is_box else math.inf
            pc = box_containment(a, d, sigma=a if math.isfinite(a) else 1.0)
            rows.append({"d": d, "side": a, **{f"P(0+z in box) {k}": v for k, v in pc.items()}})
        empty = all(v < 1.0 for r in rows for k, v in r.items() if k.startswith("P("))
        witness: dict[str, Any] = {
            "box": side_text, "x_low": "0", "x_high": "side·1",
            "argument": "x + z ∈ box at x = 0 forces z ≥ 0 a.s.; at x = side·1 it forces z ≤ 0 a.s.; so z = 0 "
                        "a.s., and the identity mechanism has D∞ = DMR = +∞ between any two distinct inputs "
                        "(point masses), so it is not robust for any finite ε.",
            "P_gaussian_in_box_d10_sigma_eq_side":
                rows[2][next(k for k in rows[2] if k.startswith("P(") and "gaussian" in k)],
        }
        if not empty:
            return evidence(SUPPORTS, True, f"Domain R^d ({name}, negative control): additive mechanisms such as "
                            "the Gaussian qualify; the hypotheses are not empty.", table=rows)
        return evidence(EMPTY, True,
                        f"{name} read for additive mechanisms A(x) = x + z : {side_text} → {side_text} (as printed, "
                        "z independent of x) is empty: " + witness["argument"] + " The paper's noises leave the box "
                        "with probability ≥ 1 − 2^−d at the corner x = 0 (table).", table=rows, witness=witness)
    return chk


def constant_mechanism_check(name: str, bound: Callable[[int, float], float], side_of_d: Callable[[int], float],
                             rate_text: str,
                             dims: Sequence[int] = (1, 10, 100, 10**3, 10**4, 10**5, 10**6)) -> CheckFn:
    """REFUTES the reading "general mechanisms mapping the box into itself": the constant mechanism
    A(x) = (side/2)·1 has divergence 0 between any two inputs and α = side/2, so α/(claimed bound) → 0."""

    def chk(thorough: bool) -> Evidence:
        rows = [{"d": d, "alpha_constant_mechanism": side_of_d(d) / 2, "claimed_bound_C=1": bound(d, 1.0),
                 "ratio": side_of_d(d) / 2 / bound(d, 1.0)} for d in dims]
        r = [x["ratio"] for x in rows]
        slope = float(np.polyfit(np.log(dims[2:]), np.log(r[2:]), 1)[0])
        ok = all(x > y for x, y in itertools.pairwise(r)) and r[-1] < 1e-2 and slope < -0.4
        w = dict(rows[-1], mechanism="A(x) = (side/2)·1 (constant)", eps=1.0, r=1.0,
                 divergence_between_any_inputs=0.0)
        return evidence(REFUTES, ok,
                        f"Read for general mechanisms mapping the box into itself, {name} is false: the constant "
                        f"mechanism (divergence 0, so robust for every ε) has α = side/2, and α/({rate_text}) = "
                        f"{r[0]:.3g} … {r[-1]:.3g} for d = 1 … 10⁶ (slope {slope:.2f}): any mechanism into the box has "
                        "α ≤ its side, below the claimed order for large d.", table=rows, fitted_slope=slope,
                        witness=w)
    return chk


# ----------------------------------------------------------------------------------------------------
# repaired: robust and accurate on a large enough cube (or R^d); the lower-bound module decides
# ----------------------------------------------------------------------------------------------------

#: relative tolerance of the uniform-constant enclosures: default audit, thorough audit
CONSTANT_RTOL = (1e-2, 2e-3)
#: relative tolerance of the gap-range enclosures of the Table-1 optimality cells: default, thorough
GAP_RTOL = (1e-2, 3e-3)


def repaired_lower_bound_check(claim: str, rate: Callable[[int, float], float] | None = None,
                               min_constant: float = 0.1) -> CheckFn:
    """SUPPORTS when lower_bound/rate ≥ a positive constant C uniformly over d ∈ [1, 10⁶] and ε in the stated
    range (ε ∈ [10⁻⁶, eps_max(d)], :data:`theory.lower_bounds.EPS_RANGE`), and the bound stays below the best
    known mechanism.  With the claimed rate (``rate`` None) C is ENCLOSED by interval branch-and-bound over
    integer d and continuous ε (:func:`theory.lower_bounds.enclose_uniform_constant`; assurance "verified"
    when it closes); a planted ``rate(d, eps)`` (negative tests: a faster-growing rate must make it fail) is
    judged on a log grid of ε at the dimensions :data:`RATE_DIMS` (assurance "sampled")."""

    def chk(thorough: bool) -> Evidence:
        from theory import enclosure as E
        from theory import lower_bounds as LB

        notion, norm = LB.CLAIM_SETTINGS[claim]
        rows: list[dict[str, Any]] = []
        enc: E.Enclosure | None = None
        if rate is None:
            enc = LB.enclose_uniform_constant(claim, rtol=CONSTANT_RTOL[1 if thorough else 0])
            worst: tuple[float, int | None, float | None] = (enc.lo, int(enc.arg[0]), float(enc.arg[1]))
        else:
            worst = (math.inf, None, None)
            n_eps = 13 if thorough else 7
            for d in RATE_DIMS:
                for e in np.geomspace(1e-3, 1.0, n_eps) * LB.eps_max(notion, norm, d):
                    e = float(e)
                    res = LB.lower_bound(claim, d=d, eps=e, with_mechanism=False)
                    q = res.lower_bound / rate(d, e)
                    if q < worst[0]:
                        worst = (q, d, e)
        brackets: list[dict[str, Any]] = []
        for d in (1, 10, 1000, 10**6):
            res = LB.lower_bound(claim, d=d, eps=1.0)
            brackets.append({"d": d, "eps": 1.0, "lower_bound": res.lower_bound, "ratio": res.ratio,
                             "best_mechanism_alpha": res.best_mechanism_alpha, "gap": res.gap,
                             "cube_side": res.cube_side, "packing": res.packing, "k": res.k})
            rows.append(brackets[-1])
        bracket_ok = all(b["lower_bound"] <= b["best_mechanism_alpha"] for b in brackets)
        c = worst[0]
        holds = c >= min_constant
        ok = bracket_ok and (holds if rate is None else True)
        assurance = VERIFIED if (enc is not None and enc.complete and ok) else SAMPLED
        rng = LB.EPS_RANGE[(notion, norm)]
        asym = LB.ASYMPTOTIC_CONSTANT[(notion, norm)]
        enc_data: dict[str, Any] = {} if enc is None else {
            "uniform_constant_enclosure": [enc.lo, enc.hi], "enclosure": enc.to_dict()}
        if not holds:
            return evidence(REFUTES if rate is not None else NOT_DECIDABLE, ok,
                            f"lower_bound/rate falls to {c:.3g} (d = {worst[1]}, ε = {worst[2]:.3g}) on a log grid of "
                            f"ε at d ∈ {list(RATE_DIMS)} (sampled): the rate is not established by the lower bound.",
                            assurance=SAMPLED, uniform_constant=c, at_d=worst[1], at_eps=worst[2], table=rows,
                            **enc_data)
        extra = (f" (T12's bound is in fact larger: α ≥ ≈{asym:.3f}·r√(ln d)/√ε for large d)"
                 if claim == "T12" else f"; the constant → {asym:.4f} as d → ∞")
        if enc is not None:
            how = (f"C = {E.round_outward(enc.lo, 4, -1)}, the lower end of the enclosure {enc.text(4)} of min "
                   "over integer d ∈ [1, 10⁶] "
                   f"and continuous ε ∈ [10⁻⁶, eps_max(d)] ({rng}), attained at d = {worst[1]}, ε = {worst[2]:.4g} "
                   f"(interval branch-and-bound in ball arithmetic, {enc.boxes} boxes"
                   + ("" if enc.complete else ", box budget exhausted: interval wider than asked") + ")")
        else:
            how = f"C = {c:.4f} (min over a log grid of ε at d ∈ {list(RATE_DIMS)}, sampled)"
        return evidence(SUPPORTS, ok,
                        f"Repaired {claim} holds with an explicit constant: every (2r, {notion}, {norm}, ε/2)-robust "
                        f"mechanism accurate on the cube [0, cube_side]^d (or on R^d: every additive mechanism) has "
                        f"α ≥ C·{LB.RATE_TEXT[(notion, norm)]} with {how}{extra}. Derivation: theory.lower_bounds "
                        "(packing of cube corners / axis points, chains of robust steps with group privacy, Markov "
                        "decoding, counting resp. Fano / Le Cam); the bound stays below the best known mechanism "
                        "(gap ≥ 1).",
                        assurance=assurance, uniform_constant=c, at_d=worst[1], at_eps=worst[2],
                        asymptotic_constant=asym, eps_range=rng, table=rows, **enc_data)
    return chk


# ----------------------------------------------------------------------------------------------------
# L27 / T24: the mixture counterexample and the counting / Fano repairs
# ----------------------------------------------------------------------------------------------------

def mixture_mechanism(d: int, eta: float) -> dict[str, float]:
    """A(x) = x with probability 1 − η, a uniformly random corner of {0,1}^d otherwise (x ∈ {0,1}^d).

    Output law: P(y = x) = a = 1 − η + η2^−d, P(y = v) = b = η2^−d for v ≠ x.  Exact:
    ε (D∞) = ln(a/b) = ln(1 + (1 − η)2^d/η) (between any two inputs; the max log-ratio is at y = x);
    α = E‖A(x) − x‖∞ = η(1 − 2^−d) (‖v − x‖∞ = 1 for v ≠ x);
    KL = (a − b)·ln(a/b) (a lower bound on DMR, the α → 1 limit of D_α/α)."""
    log_a = math.log1p(-eta + eta * 2.0 ** -d) if d < 1000 else math.log1p(-eta)
    log_b = math.log(eta) - d * LN2
    eps = log_a - log_b
    a, b = math.exp(log_a), math.exp(log_b)
    return {"d": d, "eta": eta, "eps_dinf": eps, "alpha": eta * -math.expm1(-d * LN2), "kl": (a - b) * eps}


def l27_counting_bound(d: int, alpha: float) -> float:
    """Repaired L27 (exact counting): an ε-DP A : {0,1}^d → [0,1]^d (n = 1: any two inputs are neighbours)
    with α < 1/2 has ε ≥ ln((2^d − 1)(1 − 2α)/(2α)).  Proof: rounding decodes x when ‖A(x) − x‖∞ < 1/2, so
    p = min_x P(decode x | x) ≥ 1 − 2α (Markov); P_{x0}(decode v) ≥ e^{−ε}p for v ≠ x0, and summing over the
    2^d outcomes, 1 ≥ p + (2^d − 1)e^{−ε}p.  (Weaker, from p ≤ e^ε 2^−d: ε ≥ d ln 2 + ln(1 − 2α).)"""
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must lie in (0, 1/2), got {alpha}")
    return d * LN2 + math.log1p(-(2.0 ** -d)) + math.log1p(-2 * alpha) - math.log(2 * alpha)


def t24_fano_bound(d: int, alpha: float) -> float:
    """Repaired T24: an ε-zCDP (DMR ≤ ε between any two inputs) A : {0,1}^d → [0,1]^d with α < 1/2 has
    ε ≥ (1 − 2α)·d·ln 2 − ln 2 (Fano: I(V; A(V)) ≤ max KL ≤ ε, success ≥ 1 − 2α)."""
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must lie in (0, 1/2), got {alpha}")
    return (1 - 2 * alpha) * d * LN2 - LN2


def _one_over_d(d: int) -> float:
    return 1.0 / d


def mixture_counterexample_check(claim: str, eta_of_d: Callable[[int], float] = _one_over_d, alpha_max: float = 0.1,
                                 dims: Sequence[int] = (10, 100, 1000, 10**4, 10**5, 10**6)) -> CheckFn:
    """REFUTES the accuracy-repaired L27 (α ≤ alpha_max: d/(εα) ≤ C) resp. T24 (√d/(√ε α) ≤ C): the mixture
    mechanism with η = eta_of_d(d) is accurate (α ≤ alpha_max) and the quantity grows without bound.  For T24,
    ε is the mixture's D∞ (an upper bound on its zCDP parameter: D_a ≤ D∞ ≤ a·D∞ for a > 1), so the true ratio
    is at least the one reported.  ``eta_of_d = lambda d: 0.05`` (fixed η) is the negative control: the
    quantity then stays bounded and the check must not refute."""

    def chk(thorough: bool) -> Evidence:
        rows = []
        for d in dims:
            m = mixture_mechanism(d, eta_of_d(d))
            q = d / (m["eps_dinf"] * m["alpha"]) if claim == "L27" else \
                math.sqrt(d) / (math.sqrt(m["eps_dinf"]) * m["alpha"])
            rows.append(dict(m, quantity=q, accurate=m["alpha"] <= alpha_max))
        qs = [r["quantity"] for r in rows]
        slope = float(np.polyfit(np.log(dims), np.log(qs), 1)[0])
        grows = slope > 0.5 and qs[-1] > 100 * qs[0] and all(r["accurate"] for r in rows)
        form = "d/(εα)" if claim == "L27" else "√d/(√ε·α)"
        if not grows:
            return evidence(SUPPORTS, True, f"{form} stays bounded along this mixture family (slope {slope:.2f}).",
                            table=rows, fitted_slope=slope)
        w = dict(rows[-1], mechanism="x w.p. 1 − η, uniform corner of {0,1}^d w.p. η", quantity_name=form)
        return evidence(REFUTES, True,
                        f"{claim} with the accuracy condition α ≤ {alpha_max} is still false: the mixture mechanism "
                        f"(output x with probability 1 − η, a uniform corner otherwise; η = 1/d) is ε-DP with "
                        f"ε = ln(1 + (1 − η)2^d/η) ≈ d ln 2 + ln d and α = η(1 − 2^−d) ≤ {alpha_max}, and {form} = "
                        f"{qs[0]:.3g} … {qs[-1]:.3g} for d = {dims[0]} … {dims[-1]} (log-log slope {slope:.2f}): no "
                        "constant bounds it. The α-dependence of the printed form is wrong for n = 1: the "
                        "counting argument gives ε ≥ d ln 2 + ln((1 − 2α)/(2α)), logarithmic in 1/α.",
                        table=rows, fitted_slope=slope, witness=w)
    return chk


def _brute_force_mixture(d: int, eta: float) -> tuple[float, float, float]:
    """ε (max log-ratio over all pairs of inputs and outputs), α and KL of the mixture by enumerating
    {0,1}^d (d ≤ 10): an independent route to the closed forms of :func:`mixture_mechanism`."""
    pts = np.array(list(itertools.product((0, 1), repeat=d)), float)
    n = len(pts)
    P = np.full((n, n), eta / n) + np.eye(n) * (1 - eta)        # row x: law of the output
    eps = float(np.max(np.log(P[:, None, :]) - np.log(P[None, :, :])))
    dist = np.max(np.abs(pts[:, None, :] - pts[None, :, :]), axis=2)
    alpha = float(np.max(np.sum(P * dist, axis=1)))
    L = np.log(P)
    K = np.sum(P * L, axis=1)[:, None] - P @ L.T                # K[i, j] = KL(P_i || P_j)
    kl = float(np.max(K[~np.eye(n, dtype=bool)]))
    return eps, alpha, kl


def repaired_counting_check(claim: str, bound: Callable[[int, float], float] | None = None) -> CheckFn:
    """SUPPORTS the exact repaired forms (L27: counting, T24: Fano): (1) the closed-form mixture numbers agree
    with brute-force enumeration (d ≤ 7); (2) the bound never exceeds the ε of a mechanism that achieves α (the
    mixture family over d ∈ [1, 10⁶] and η; for T24 its KL, a lower bound on its DMR); (3) L27: tight to
    within ln 2 + o(1).  A planted stronger bound (e.g. + ln 2 too much) must break (2)."""

    def chk(thorough: bool) -> Evidence:
        fn = bound or (l27_counting_bound if claim == "L27" else t24_fano_bound)
        ok, worst_brute = True, 0.0
        for d in range(1, 8):
            for eta in (0.01, 0.2, 0.7):
                m = mixture_mechanism(d, eta)
                e, a, kl = _brute_force_mixture(d, eta)
                worst_brute = max(worst_brute, abs(e - m["eps_dinf"]) / e, abs(a - m["alpha"]) / a,
                                  abs(kl - m["kl"]) / kl)
        ok &= worst_brute < 1e-10
        rows, violations, slack = [], [], []
        for d in (1, 2, 3, 5, 10, 30, 100, 1000, 10**4, 10**6):
            for eta in (1e-6, 1e-3, 0.05, 0.2, 0.45):
                m = mixture_mechanism(d, eta)
                if not m["alpha"] < 0.5:
                    continue
                b = fn(d, m["alpha"])
                actual = m["eps_dinf"] if claim == "L27" else m["kl"]
                if b > actual * (1 + 1e-12) + 1e-12:
                    violations.append({"d": d, "eta": eta, "bound": b, "actual": actual})
                slack.append(actual - b)
                rows.append({"d": d, "eta": eta, "alpha": m["alpha"], "bound": b, "mechanism_value": actual})
        ok &= not violations
        if claim == "L27":
            # slack of the mixture: eps - bound = ln(2(1 - eta + eta 2^-d)/(1 - 2 alpha)) exactly
            # (-> ln 2 as alpha -> 0)
            exact = [math.log(2 * (1 - r["eta"] + r["eta"] * 2.0 ** -r["d"]) / (1 - 2 * r["alpha"])) for r in rows]
            ok &= all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(slack, exact, strict=True))
            small = max(x for x, r in zip(slack, rows, strict=True) if r["alpha"] <= 1e-3)
            ok &= small <= LN2 + 2e-3
            form = "ε ≥ ln((2^d − 1)(1 − 2α)/(2α)) (≥ d ln 2 + ln(1 − 2α))"
            extra = (" It is tight up to an additive ln(2(1 − η + η2^−d)/(1 − 2α)) (the mixture's exact slack, "
                     f"checked on every row; ≤ {small:.4f} ≈ ln 2 for α ≤ 1e-3). Consequence: "
                     "for α ≤ α₀ < 1/2, ε ≥ Ω(d), i.e. d/ε ≤ O(1) — the form T16 uses after rescaling the cube; "
                     "with ε ≤ O(1) no accurate mechanism exists once d > (ε + ln(2α/(1 − 2α)))/ln 2 + 1.")
        else:
            form = "ε ≥ (1 − 2α)·d·ln 2 − ln 2"
            extra = (" Consequence: for α ≤ α₀ < 1/2, ε ≥ Ω(d) (so √d/(√ε α) ≤ O(1/α)); the repaired T12 in "
                     "theory.lower_bounds applies the same Fano step to scaled packings.")
        return evidence(SUPPORTS, ok,
                        f"Repaired {claim}: {form}. Closed forms of the mixture agree with brute-force enumeration of "
                        f"{{0,1}}^d (d ≤ 7; worst relative deviation {worst_brute:.1e}); the bound is below the "
                        f"{'ε (D∞)' if claim == 'L27' else 'KL (≤ DMR)'} of every mixture tried (d ∈ [1, 10⁶], "
                        f"η ∈ [1e-6, 0.45]; violations: {len(violations)})." + extra,
                        table=rows[::3], violations=violations, brute_force_max_rel_dev=worst_brute)
    return chk


# ----------------------------------------------------------------------------------------------------
# Table 1 optimality cells and the conclusion
# ----------------------------------------------------------------------------------------------------

def optimality_check(notion: str, norm: str, expect: str, mechanism_alpha: Callable[[int], float] | None = None,
                     label: str = "") -> CheckFn:
    """Decide "optimal" / "near optimal" with the gap = mechanism E‖z‖∞ / lower bound fitted across
    d = 10 … 10⁶ (ε = 1, r = 1).  ``expect``: "bounded" (optimal up to a constant) or "sqrt(log d)" (near
    optimal: within a factor growing like √log d, the paper's sense in T12).  ``mechanism_alpha(d)``
    replaces the best mechanism (negative tests: a non-optimal mechanism must not pass)."""

    def chk(thorough: bool) -> Evidence:
        from theory import enclosure as E
        from theory import lower_bounds as LB

        if mechanism_alpha is None:
            fit = LB.gap_fit(notion, norm)
            gaps, dims = fit.gaps, fit.dims
            name = LB.lower_bound(notion=notion, norm=norm, d=10, eps=1.0).best_mechanism
        else:
            dims = LB.GAP_DIMS
            gaps = tuple(mechanism_alpha(d) / LB.lower_bound(notion=notion, norm=norm, d=d, eps=1.0,
                                                             with_mechanism=False).lower_bound for d in dims)
            x = np.sqrt(np.log(np.asarray(dims, float)))
            slope, icpt = np.polyfit(x, gaps, 1)
            expo = float(np.polyfit(np.log(np.log(np.asarray(dims, float))), np.log(gaps), 1)[0])
            fit = LB.GapFit(notion, norm, 1.0, dims, gaps, float(slope), float(icpt),
                            float(np.sqrt(np.mean((np.asarray(gaps) - (icpt + slope * x)) ** 2))), expo,
                            "bounded" if expo < 0.25 else "sqrt(log d)", float(max(gaps)), float(gaps[-1]))
            name = label
        growth = fit.growth
        if fit.exponent > 0.75:
            growth = "faster than sqrt(log d)"
        rows = [{"d": d, "gap": g, "gap/sqrt(ln d)": g / math.sqrt(math.log(d))}
                for d, g in zip(dims, gaps, strict=True)]
        rng_txt, rng_data = "", {}
        if mechanism_alpha is None:
            emin, emax = LB.enclose_gap_range(notion, norm, rtol=GAP_RTOL[1 if thorough else 0])
            rng_txt = (f"Gap range over every integer d ∈ [1, 10⁶] at ε = 1, enclosed by interval branch-and-bound "
                       f"(verified): min ∈ {emin.text(4)} at d = {int(emin.arg[0])}, max ∈ {emax.text(4)} at d = "
                       f"{int(emax.arg[0])}" + ("" if emin.complete and emax.complete else " (box budget exhausted)")
                       + ". Growth in d from a fit over the 9 dimensions (sampled): ")
            rng_data = {"gap_range": {"min": emin.to_dict(), "max": emax.to_dict(), "d_range": [1, 10**6],
                                      "eps": 1.0}}
        fitd = {"slope_vs_sqrt_ln_d": fit.slope, "intercept": fit.intercept, "rms_residual": fit.residual,
                "exponent_vs_ln_d": fit.exponent, "growth": growth, "max_gap": fit.max_gap,
                "gap_at_1e6": fit.last_gap}
        txt = rng_txt + (f"gap = E‖z‖∞({name}) / lower bound at ε = 1 at d = 10 … 10⁶ (9 points): {gaps[0]:.3f} … "
                         f"{gaps[-1]:.3f}; fit "
               f"gap ≈ {fit.intercept:.3f} + {fit.slope:.3f}·√(ln d) (rms residual {fit.residual:.3f}), "
               f"log gap vs log ln d exponent {fit.exponent:.3f} (bounded ⇒ 0, √log d ⇒ 0.5; threshold 0.25)")
        maxgap = (f"≤ {E.round_outward(rng_data['gap_range']['max']['hi'], 4, 1)} over d ∈ [1, 10⁶] (enclosed)"
                  if rng_data else f"≈ {fit.max_gap:.2f} (max over the 9 dimensions)")
        if growth == expect == "bounded":
            return evidence(SUPPORTS, True, f"Optimal up to a constant {maxgap} (→ {fit.last_gap:.3f} at d = 10⁶): "
                            f"{txt}.", assurance=SAMPLED, table=rows, fit=fitd, **rng_data)
        if growth == "bounded" and expect == "sqrt(log d)":
            return evidence(SUPPORTS, True, f"Near optimal, in fact optimal up to a constant {maxgap}: "
                            f"{txt}.", assurance=SAMPLED, table=rows, fit=fitd, **rng_data)
        if growth == expect == "sqrt(log d)":
            return evidence(SUPPORTS, True,
                            f"Near optimal in the paper's sense (within a factor growing like √log d of the lower "
                            f"bound). Not decided here: whether the √log d is real — a sharper lower bound, or a "
                            f"better mechanism (for one-way marginals under (ε, δ)-DP, Steinke & Ullman 2016 avoid "
                            f"the √log d of the Gaussian), could close it: {txt}.",
                            assurance=SAMPLED, table=rows, fit=fitd, **rng_data)
        return evidence(NOT_DECIDABLE, True,
                        f"The gap grows ({growth}) where '{expect}' is claimed: the lower bound does not establish "
                        f"the claimed optimality: {txt}.", assurance=SAMPLED, table=rows, fit=fitd, **rng_data)
    return chk


def concl_radius_check(rate: Callable[[int], float] | None = None) -> CheckFn:
    """CONCL-linf-sqrt-d via repaired T17: at noise magnitude α and divergence ε (fixed, ≤ 1), the robust radius
    2r of any (2r, DMR, ℓ∞, ε/2)-robust mechanism accurate on a large cube satisfies 2r ≤ 2α/lb(d, ε, r = 1)
    (the bound is linear in r).  SUPPORTS when max_d r_max(d)/rate(d) is finite and flat (rate = 1/√d)."""

    def chk(thorough: bool) -> Evidence:
        from theory import lower_bounds as LB

        rate_fn = rate or (lambda d: 1.0 / math.sqrt(d))
        rows = []
        for eps in (0.1, 1.0):
            for d in RATE_DIMS:
                lb1 = LB.lower_bound("T17", d=d, eps=eps, r=1.0, with_mechanism=False).lower_bound
                rmax = 1.0 / lb1                              # alpha = 1
                rows.append({"eps": eps, "d": d, "r_max_at_alpha=1": rmax, "r_max/rate": rmax / rate_fn(d)})
        big = [x for x in rows if x["d"] >= 100]
        q = [x["r_max/rate"] for x in big]
        slope = float(np.polyfit(np.log([x["d"] for x in big if x["eps"] == 1.0]),
                                 np.log([x["r_max/rate"] for x in big if x["eps"] == 1.0]), 1)[0])
        flat = abs(slope) < 0.05
        c = {e: max(x["r_max/rate"] for x in rows if x["eps"] == e) for e in (0.1, 1.0)}
        if not flat:
            return evidence(REFUTES if rate is not None else NOT_DECIDABLE, rate is not None,
                            f"r_max/rate drifts with d (fitted slope {slope:.3f}): the rate is not the one the lower "
                            "bound gives.", table=rows, fitted_slope=slope)
        return evidence(SUPPORTS, True,
                        "Every (2r, DMR, ℓ∞, ε/2)-robust mechanism with noise magnitude α, accurate on a large enough "
                        "cube (all additive smoothing mechanisms), has r ≤ α/lb(d, ε, 1) ≤ C(ε)·α/√d with "
                        f"C(0.1) = {c[0.1]:.3f}, C(1) = {c[1.0]:.3f} (max over d ∈ [1, 10⁶]; r_max·√d flat for d ≥ "
                        f"100, fitted slope {slope:.3f}; → √ε/0.906). So the largest ℓ∞ radius is O(1/√d) at fixed "
                        f"E‖z‖∞ and ε; the Gaussian reaches Θ(1/√(d log d)), within √log d of it.",
                        table=rows, constants={str(k): v for k, v in c.items()}, fitted_slope=slope,
                        max_ratio=max(q))
    return chk


# ----------------------------------------------------------------------------------------------------
# the abstract's recommendation: which mechanism certifies the larger l_inf radius at equal E||z||_inf
# ----------------------------------------------------------------------------------------------------

PA_GRID = (0.9, 0.99, 0.999, 1 - 1e-6, 1 - 1e-12)


def linf_radii_equal_noise(d: int, pA: float, c: float = 1.0) -> dict[str, float]:
    """ℓ∞ radii at equal noise magnitude E‖z‖∞ = 1: eq. 6 with σ = 1/d (T15) certified by T13 (D∞) and by
    Yang et al.'s tight radius; the Gaussian with σ = 1/E max|g_i| certified by T18 (DMR, c) and by the tight
    Cohen ℓ2 radius / √d.  (theory.certificates; E max|g_i| from theory.mechanisms.Gaussian.)"""
    from theory import certificates as C
    from theory.mechanisms import Gaussian

    sg = 1.0 / Gaussian(1.0, d).expected_linf_norm()
    se = 1.0 / d
    return {"t13": C.radius("t13", pA=pA, sigma=se), "yang-linf": C.radius("yang-linf", pA=pA, sigma=se),
            "t18": C.radius("t18", pA=pA, sigma=sg, c=c, d=d),
            "cohen-linf": C.radius("cohen-linf", pA=pA, sigma=sg, d=d)}


def crossover(pair: str, pA: float = 0.99, c: float = 1.0, d_max: int = 10**6) -> int:
    """Smallest integer d ≥ 1 from which the Gaussian certifies the larger ℓ∞ radius at equal E‖z‖∞
    (``pair``: "paper" = T18 (c) vs T13, "tight" = Cohen-ℓ∞ vs Yang); the ratio Gaussian/eq.6 is increasing
    in d (∝ √d/E max|g_i|), so bisection on integers."""
    g, e = {"paper": ("t18", "t13"), "tight": ("cohen-linf", "yang-linf")}[pair]

    def gauss_wins(d: int) -> bool:
        r = linf_radii_equal_noise(d, pA, c)
        return r[g] > r[e]

    if gauss_wins(1):
        return 1
    lo, hi = 1, 2
    while not gauss_wins(hi):
        lo, hi = hi, hi * 2
        if hi > d_max:
            return -1
    while hi - lo > 1:
        m = (lo + hi) // 2
        if gauss_wins(m):
            hi = m
        else:
            lo = m
    return hi


def recommendation_check(pairs: Sequence[str] = ("paper", "tight"), pAs: Sequence[float] = PA_GRID) -> CheckFn:
    """REFUTES "the exponential mechanism is the (near) optimal option to certify ℓ∞" as a recommendation:
    at equal E‖z‖∞ the Gaussian certifies the larger ℓ∞ radius from a small crossover dimension on, for both
    the paper's certificates (T18 vs T13, pA-independent) and the tight ones (Cohen-ℓ∞ vs Yang)."""

    def chk(thorough: bool) -> Evidence:
        rows = []
        for pA in pAs:
            row = {"pA": pA}
            for p in pairs:
                row[f"crossover_{p}"] = crossover(p, pA)
            rows.append(row)
        ratio_rows = []
        for d in (1, 10, 784, 3072, 150528, 10**6):
            r = linf_radii_equal_noise(d, 0.99)
            ratio_rows.append({"d": d, **r, "paper_ratio_gauss/exp": r["t18"] / r["t13"],
                               "tight_ratio_gauss/exp": r["cohen-linf"] / r["yang-linf"]})
        w = dict(ratio_rows[3], pA=0.99, normalisation="E||z||_inf = 1 for both mechanisms")
        worst = max(max(v for k, v in r.items() if k.startswith("crossover")) for r in rows)
        ok = all(v > 0 for r in rows for k, v in r.items() if k.startswith("crossover")) and worst < 784
        return evidence(REFUTES, ok,
                        "At equal noise magnitude E‖z‖∞ the Gaussian certifies the larger ℓ∞ radius from d = "
                        f"{rows[0]['crossover_paper']} on with the paper's certificates (T18 c = 1 vs T13; crossover "
                        "where E max|g_i| = √(d/2), independent of pA) and from d = "
                        + ", ".join(f"{r['crossover_tight']} (pA = {r['pA']:.12g})" for r in rows)
                        + " on with the tight ones (Cohen ℓ2/√d vs Yang); at d = 3072 (CIFAR-10) by factors "
                        f"{ratio_rows[3]['paper_ratio_gauss/exp']:.1f} resp. "
                        f"{ratio_rows[3]['tight_ratio_gauss/exp']:.1f}. "
                        "So the exponential mechanism is the better ℓ∞ option only for very small d: a user should "
                        "pick the Gaussian (certified via the tight Cohen radius / √d) for image data.",
                        table=rows, radii=ratio_rows, witness=w)
    return chk
