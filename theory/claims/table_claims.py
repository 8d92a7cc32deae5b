"""Table 1 (one claim per cell) and the conclusion "the largest ℓ∞ radius is O(1/√d)" (Sections 1, 3.2, 5).

Scaling conventions.  A rate "r = O(f(d))" needs something held fixed.  Two conventions are used below and
reported side by side, with the fitted log-log slope of the certified radius against d (fitted from data on a
log-spaced grid d ∈ [1, 10⁶], never typed in):

* fixed σ (the mechanism's scale parameter), pA fixed;
* fixed noise magnitude E‖z‖∞ = 1 (the paper's convention in Sections 3.1–3.2: "if we fix the magnitude of
  the expected ℓ∞-norm of the added noise as α ...").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from theory.claims import _lower_bound_checks as LBC
from theory.claims import _oracles as O
from theory.claims._core import (
    ANALYSIS,
    AS_PRINTED,
    ASYMPTOTIC,
    CONDITION,
    CONSISTENT,
    EXACT,
    METHODS,
    NOT_DECIDABLE,
    REFUTED,
    SUPPORTS,
    UNDECIDABLE,
    Check,
    Claim,
    Evidence,
    Reading,
    evidence,
)
from theory.claims.l2_claims import gauss_linf_mean, t10_fixed_set_witness

#: a check function: ``thorough -> Evidence``
CheckFn = Callable[[bool], Evidence]
FloatArray = npt.NDArray[np.float64]

DIMS = np.unique(np.round(np.geomspace(1, 1e6, 41)).astype(int))
PA = 0.99


def fit_slope(ds: npt.ArrayLike, ys: npt.ArrayLike,
              transform: Callable[[FloatArray], FloatArray] = np.log) -> float:
    """Least-squares slope of log y against transform(d) (d ≥ 2 for log log)."""
    x = np.asarray(ds, float)
    y = np.asarray(ys, float)
    return float(np.polyfit(transform(x), np.log(y), 1)[0])


def _radius(name: str, sigma: float, d: Any = None, c: float = 1.0) -> float:
    from theory import certificates as C

    kw: dict[str, Any] = {"pA": PA, "sigma": sigma}
    if name in ("c11", "t18"):
        kw["c"] = c
    if name in ("t18", "cohen-linf"):
        kw["d"] = int(d)
    return float(C.radius(name, **kw))


def _noise(mech: str, d: Any) -> float:
    from theory.mechanisms import ExponentialLinf

    if mech == "gaussian":
        return gauss_linf_mean(int(d))
    return ExponentialLinf(1.0, int(d)).expected_linf_norm()


def radius_table(name: str, mech: str) -> list[dict[str, Any]]:
    rows = []
    for d in DIMS:
        m = _noise(mech, d)                      # E||z||_inf at sigma = 1 (linear in sigma)
        rows.append({"d": int(d), "radius_fixed_sigma": _radius(name, 1.0, d),
                     "radius_fixed_noise": _radius(name, 1.0 / m, d), "E||z||_inf_at_sigma=1": m})
    return rows


def rate_check(name: str, mech: str, claimed_text: str, claimed_fn: Callable[[int], float],
               convention: str) -> CheckFn:
    """Fit the log-log slope of the radius vs d under both conventions (d ∈ [100, 10⁶]); the claimed rate
    ``claimed_fn(d)`` must hold under ``convention`` ("noise": fixed E‖z‖∞ = 1, "sigma": fixed σ): the
    normalised ratio radius/claimed_fn(d) stays within a factor 2 and the fitted slope is within ±0.05 of the
    slope fitted to the claimed rate itself on the same grid (log factors bend both fits the same way)."""

    def chk(thorough: bool) -> Evidence:
        rows = radius_table(name, mech)
        big = [r for r in rows if r["d"] >= 100]
        ds = [r["d"] for r in big]
        s_noise = fit_slope(ds, [r["radius_fixed_noise"] for r in big])
        s_sigma = fit_slope(ds, [r["radius_fixed_sigma"] for r in big])
        key = "radius_fixed_noise" if convention == "noise" else "radius_fixed_sigma"
        other = "radius_fixed_sigma" if convention == "noise" else "radius_fixed_noise"
        norm = [r[key] / claimed_fn(r["d"]) for r in big]
        norm_other = [r[other] / claimed_fn(r["d"]) for r in big]
        spread = max(norm) / min(norm)
        spread_other = max(norm_other) / min(norm_other)
        def loglog(x: FloatArray) -> FloatArray:
            return np.log(np.log(x))

        resid = fit_slope(ds, norm, loglog)              # residual (log d)^k factor of radius/claimed rate
        resid_other = fit_slope(ds, norm_other, loglog)
        s_claim = fit_slope(ds, [claimed_fn(d) for d in ds])
        s_conv = s_noise if convention == "noise" else s_sigma
        ok = abs(s_conv - s_claim) < 0.05 and spread < 2.0 and abs(resid) < 0.1
        conv = {"noise": "fixed E‖z‖∞ = 1", "sigma": "fixed σ"}
        other_fails = spread_other > 2.0 or abs(resid_other) > 0.25
        finding = CONDITION if other_fails else SUPPORTS
        return evidence(finding, ok,
                        f"{name} at pA = {PA}: fitted log-log slope of the radius vs d (d ∈ [100, 10⁶]) is "
                        f"{s_noise:.3f} at fixed E‖z‖∞ = 1 and {s_sigma:.3f} at fixed σ (claimed rate's own fitted "
                        f"slope "
                        f"{s_claim:.3f}, tolerance ±0.05). The claimed rate "
                        f"{claimed_text} holds at {conv[convention]} (radius/rate within a factor {spread:.2f} ≤ 2, "
                        f"residual "
                        f"(log d)^k with fitted k = {resid:.3f}, |k| < 0.1) "
                        + (f"but not at {conv['sigma' if convention == 'noise' else 'noise']} (factor "
                           f"{spread_other:.3g} over the range, residual (log d)^k with k = {resid_other:.2f})."
                           if other_fails else "and at both."),
                        slope_fixed_noise=s_noise, slope_fixed_sigma=s_sigma, slope_claimed=s_claim,
                        normalised_spread=spread, residual_log_exponent=resid,
                        residual_log_exponent_other_convention=resid_other,
                        normalised_spread_other_convention=spread_other, table=rows[::4])
    return chk


def _undecidable(reason: str) -> CheckFn:
    def chk(thorough: bool) -> Evidence:
        return evidence(NOT_DECIDABLE, True, reason)
    return chk


def _check_unable_dinf(norm: str) -> CheckFn:
    def chk(thorough: bool) -> Evidence:
        from theory.mechanisms import Gaussian

        ok = True
        rows = []
        for d in (1, 10, 1000):
            g = Gaussian(1.0, d)
            v = g.dinf(shift=1e-3, norm=norm)
            ok &= math.isinf(v)
            rows.append({"d": d, "shift": 1e-3, "dinf": v, "renyi_alpha=1e6": g.renyi(1e6, shift=1e-3, norm=norm)})
        w = t10_fixed_set_witness(1e-6 / 2, 50.0)
        ok &= w["log_ratio"] > 50.0
        return evidence(SUPPORTS, ok,
                        f"D∞(N(x,σ²I)‖N(x',σ²I)) = +∞ for every shift ≠ 0 ({norm}; D_α = αμ²/2 → ∞): the Gaussian "
                        "mechanism is not D∞-robust at any radius. For a smoothed classifier the output divergence is "
                        "finite for each f, but unbounded over f (half-space witness with log P(S)/Q(S) > 50 at "
                        "‖δ‖/σ = 1e-3).", table=rows, halfspace_witness=w)
    return chk


def _linf_laplace_l2_noise(d: int, sigma: float = 1.0) -> float:
    """E‖z‖∞ for p(z) ∝ exp(−‖z‖₂/σ): ‖z‖₂ ∼ Gamma(d, σ) independent of the direction u (uniform on the
    sphere); E‖u‖∞ = E‖g‖∞/E‖g‖₂ for g ∼ N(0, I) (g/‖g‖ ⟂ ‖g‖)."""
    return d * sigma * gauss_linf_mean(d) / O.expected_l2_norm_gaussian(d)


def _check_exp_l2_dinf(thorough: bool) -> Evidence:
    rows = []
    for d in (1, 10, 100, 1000, 10**4, 10**5, 10**6):
        e_exp = float(d)
        e_l2 = _linf_laplace_l2_noise(d)
        rows.append({"d": d, "exp_E||z||_inf": e_exp, "l2_laplace_E||z||_inf": e_l2, "ratio": e_exp / e_l2})
    # Monte Carlo of the l2-Laplace magnitude (6 sigma; ||z||_inf <= ||z||_2 with sd sqrt(d) sigma)
    rng = np.random.default_rng(2020)
    mc = []
    ok = True
    for d in (10, 100):
        n = 20_000
        g = rng.standard_normal((n, d))
        u = g / np.linalg.norm(g, axis=1, keepdims=True)
        R = rng.gamma(d, 1.0, size=n)
        m = np.max(np.abs(u), axis=1) * R
        half = 6 * m.std(ddof=1) / math.sqrt(n)
        ex = _linf_laplace_l2_noise(d)
        ok &= abs(m.mean() - ex) <= half
        mc.append({"d": d, "n": n, "mc_mean": float(m.mean()), "exact": ex, "6se": half})
    ratios = [r["ratio"] for r in rows]
    ok &= all(x < y for x, y in zip(ratios[1:], ratios[2:], strict=False)) and ratios[-1] > 100
    return evidence(SUPPORTS, ok,
                    "The ℓ2-Laplace mechanism p(z) ∝ exp(−‖z‖₂/σ) is (r, D∞, ℓ2, r/σ)-robust like eq. 6 (both: "
                    "log-ratio ≤ ‖δ‖/σ by the triangle inequality, ‖δ‖∞ ≤ ‖δ‖₂), with E‖z‖∞ = dσ·E‖g‖∞/E‖g‖₂ ≈ "
                    f"σ√(2d log d): eq. 6 needs {ratios[-1]:.0f}× more noise at d = 10⁶ (ratio grows like "
                    "√(d/log d)) — so eq. 6 is not optimal here.", table=rows, monte_carlo=mc)


def _exp_vs_gauss_dmr(norm: str) -> CheckFn:
    def chk(thorough: bool) -> Evidence:
        from theory.mechanisms import ExponentialLinf

        rows, ok = [], True
        dims = (10, 100, 1000) if not thorough else (10, 100, 1000, 10_000)
        for d in dims:
            r = 1.0
            if norm == "l2":
                sg = 2.0                      # Gaussian l2: eps = r^2/(2 sg^2)
                eps = r * r / (2 * sg * sg)
                direction = np.eye(1, d, 0).ravel()
            else:
                eps = 0.5                     # T18 calibration
                sg = math.sqrt(d * r * r / (2 * eps))
                direction = np.ones(d)
            noise = sg * gauss_linf_mean(d)  # Gaussian's E||z||_inf
            se = noise / d                   # eq. 6 with the same E||z||_inf (T15)
            kl = ExponentialLinf(se, d).kl(shift=r, norm=norm, direction=direction)
            ok &= kl > eps
            rows.append({"d": d, "equal_E||z||_inf": noise, "gaussian_dmr": eps, "eq6_sigma": se,
                         "eq6_kl_lower_bound_on_dmr": kl, "ratio": kl / eps})
        ratios = [x["ratio"] for x in rows]
        ok &= all(x < y for x, y in zip(ratios, ratios[1:], strict=False))
        return evidence(SUPPORTS, ok,
                        "At equal noise magnitude E‖z‖∞, eq. 6 has DMR ≥ KL = "
                        + ", ".join(f"{x['ratio']:.1f}×" for x in rows)
                        + f" the Gaussian's (d = {', '.join(str(x['d']) for x in rows)}; shift of {norm} size r in the "
                        "Gaussian's worst direction); the gap grows with d, so eq. 6 is not optimal for DMR in "
                        f"{norm}.", table=rows)
    return chk


def _concl_check(thorough: bool) -> Evidence:
    rows = []
    for name, mech in (("t18", "gaussian"), ("cohen-linf", "gaussian"), ("t13", "exponential")):
        tab = radius_table(name, mech)
        big = [r for r in tab if r["d"] >= 100]
        prod = [r["radius_fixed_noise"] * math.sqrt(r["d"]) for r in big]
        s = fit_slope([r["d"] for r in big], [r["radius_fixed_noise"] for r in big])
        rows.append({"certificate": name, "slope_fixed_noise": s, "r*sqrt(d) at d=100": prod[0],
                     "r*sqrt(d) at d=1e6": prod[-1]})
    ok = all(r["slope_fixed_noise"] <= -0.5 + 0.01 for r in rows) and all(
        r["r*sqrt(d) at d=1e6"] < r["r*sqrt(d) at d=100"] for r in rows)
    return evidence(SUPPORTS, ok,
                    "Every ℓ∞ certificate available (T18, the tight ℓ2→ℓ∞ Gaussian radius, T13) has a fixed-noise "
                    "radius with fitted slope ≤ −1/2 and r·√d decreasing: consistent with O(1/√d). "
                    + "; ".join(f"{r['certificate']}: slope {r['slope_fixed_noise']:.3f}" for r in rows), table=rows)


def _cell(mech: str, norm: str, div: str, printed: str, verdict: str, holds_when: str, checks: list[Check],
          reason: str = "") -> Claim:
    return Claim(
        id=f"TABLE1-{mech}-{norm}-{div}",
        title=f"Table 1: {mech} mechanism, {norm}, {div.upper() if div == 'dmr' else 'D∞'}",
        where="Section 1, Table 1 (and Section 5, conclusions i-iv)",
        statement=printed,
        kind=ASYMPTOTIC,
        methods=tuple(m for m in METHODS if m in {c.method for c in checks}),
        formalisation="Rates: certified radius vs d at fixed pA under both conventions (fixed σ; fixed E‖z‖∞ = 1), "
                      "fitted log-log slopes and normalised ratios. 'Unable to certify': D∞ of the mechanism at any "
                      "shift. '(Not) optimal': compared with a concrete competitor or the lower-bound theorem.",
        verdict=verdict,
        holds_when=holds_when,
        reason=reason,
        checks=tuple(checks),
        depends_on=("T10", "T12", "T13", "T15", "T16", "T17", "T18"),
    )


# verdicts of the optimality cells (derived from 'rate' + 'optimality' findings; the registry test checks them)
_V_GAUSS_L2 = CONSISTENT
_V_GAUSS_LINF = CONSISTENT
_V_EXP_LINF = CONSISTENT

TABLE = (
    _cell("gaussian", "l2", "dinf", "unable to certify", CONSISTENT,
          "as printed (the mechanism's D∞ is +∞ at every shift).",
          [Check("dinf-infinite", EXACT, _check_unable_dinf("l2"))]),
    _cell("gaussian", "l2", "dmr", "near optimal, r scales in O(1)", _V_GAUSS_L2,
          "the rate part: r = Θ(1) at fixed σ; at fixed E‖z‖∞ (the paper's comparison convention) r = Θ(1/√log d), "
          "which is still O(1) read as an upper bound but not Θ(1). 'Near optimal' holds and more: with the explicit "
          "lower bound of repaired T12 the Gaussian is optimal up to a bounded factor (check 'optimality').",
          [Check("rate", EXACT, rate_check("c11", "gaussian", "O(1)", lambda d: 1.0, "sigma")),
           Check("optimality", EXACT, LBC.optimality_check("dmr", "l2", "sqrt(log d)"))]),
    _cell("gaussian", "linf", "dinf", "unable to certify", CONSISTENT, "as printed.",
          [Check("dinf-infinite", EXACT, _check_unable_dinf("linf"))]),
    _cell("gaussian", "linf", "dmr", "near optimal, r scales in O(1/√(d log d))", _V_GAUSS_LINF,
          "the rate part at fixed E‖z‖∞; at fixed σ the T18 radius is Θ(1/√d). 'Near optimal' in the paper's sense: "
          "within a factor growing like √log d of the explicit lower bound of repaired T17 (fit in 'optimality').",
          [Check("rate", EXACT, rate_check("t18", "gaussian", "O(1/√(d log d))",
                                           lambda d: 1 / math.sqrt(d * math.log(d)), "noise")),
           Check("optimality", EXACT, LBC.optimality_check("dmr", "linf", "sqrt(log d)"))]),
    _cell("exponential", "l2", "dinf", "not optimal", CONSISTENT,
          "as printed: the ℓ2-Laplace mechanism certifies the same D∞ robustness with √(d/log d) times less noise.",
          [Check("competitor-l2-laplace", EXACT, _check_exp_l2_dinf)]),
    _cell("exponential", "l2", "dmr", "not optimal", CONSISTENT,
          "as printed: at equal E‖z‖∞ the Gaussian has a smaller DMR, by a factor growing with d.",
          [Check("competitor-gaussian", EXACT, _exp_vs_gauss_dmr("l2"))]),
    _cell("exponential", "linf", "dinf", "optimal, r scales in O(1/d)", _V_EXP_LINF,
          "the rate part: r = Θ(1/d) at fixed E‖z‖∞ (exactly: slope −1); at fixed σ the T13 radius is O(1). "
          "'Optimal' up to a bounded factor (→ 1/ln 2) against the explicit lower bound of repaired T16.",
          [Check("rate", EXACT, rate_check("t13", "exponential", "O(1/d)", lambda d: 1.0 / d, "noise")),
           Check("optimality", EXACT, LBC.optimality_check("dinf", "linf", "bounded"))]),
    _cell("exponential", "linf", "dmr", "not optimal", CONSISTENT,
          "as printed: at equal E‖z‖∞ the T18 Gaussian has a smaller DMR at the corner, by a factor growing with d.",
          [Check("competitor-gaussian", EXACT, _exp_vs_gauss_dmr("linf"))]),
)

CONCL = Claim(
    id="CONCL-linf-sqrt-d",
    title="Conclusion: the largest ℓ∞ radius (DMR) is O(1/√d) at fixed noise magnitude",
    where="Abstract, Section 1 (contribution 5), Section 5 (iv); from T17 and T18",
    statement="With E‖z‖∞ held fixed, the largest ℓ∞ radius any randomized smoothing mechanism can certify (DMR "
              "robustness) is upper bounded by O(1/√d).",
    kind=ASYMPTOTIC,
    methods=(EXACT, ANALYSIS),
    formalisation="Upper bound over all mechanisms from the explicit lower bound of repaired T17 (theory."
                  "lower_bounds): r ≤ α/lb(d, ε, r = 1) ≤ C(ε)·α/√d, checked flat in d; consistent with every "
                  "certificate computed (fitted slopes ≤ −1/2).",
    verdict=CONSISTENT,
    holds_when="for DMR robustness at fixed ε (the hidden constant C(ε) computed by 'radius-upper-bound'), every "
               "mechanism robust and accurate on a large enough cube (all additive smoothing mechanisms).",
    checks=(Check("achievable-rates", EXACT, _concl_check),
            Check("radius-upper-bound", EXACT, LBC.concl_radius_check())),
    depends_on=("T17", "T18"),
)


# ----------------------------------------------------------------------------------------------------
# The abstract's recommendation (issue 11, item 5)
# ----------------------------------------------------------------------------------------------------

_ABS_OPT_PRINTED = ("Gaussian mechanism and Exponential mechanism are the (near) optimal options to certify the ℓ2 "
                    "and ℓ∞-normed robustness.")
ABSTRACT_OPTIMAL = Claim(
    id="ABSTRACT-optimal-options",
    title="Abstract: Gaussian (ℓ2) and exponential (ℓ∞) are the (near) optimal options",
    where="Abstract; Section 1 (contributions); Section 5",
    statement=_ABS_OPT_PRINTED,
    kind=ASYMPTOTIC,
    methods=(EXACT,),
    formalisation="As a recommendation: at equal noise magnitude E‖z‖∞, which mechanism certifies the larger radius "
                  "(ℓ∞: eq. 6 by T13 / Yang's tight radius vs the Gaussian by T18 / Cohen's radius/√d), d = 1 … 10⁶; "
                  "ℓ2: the Gaussian's gap to the explicit lower bound of repaired T12. Repaired (within each "
                  "divergence notion): the gaps of repaired T12 (Gaussian, DMR, ℓ2) and T16 (eq. 6, D∞, ℓ∞).",
    verdict=REFUTED,
    holds_when="within each divergence notion: the Gaussian is optimal up to a constant for DMR in ℓ2 and eq. 6 "
               "for D∞ in ℓ∞; but to certify ℓ∞ robustness a user should pick the Gaussian (Cohen radius/√d or "
               "T18) from a small crossover dimension on (check 'linf-crossover').",
    checks=(Check("l2-gaussian-gap", EXACT, LBC.optimality_check("dmr", "l2", "sqrt(log d)")),
            Check("linf-crossover", EXACT, LBC.recommendation_check())),
    readings=(
        Reading(AS_PRINTED, _ABS_OPT_PRINTED, REFUTED,
                checks=(Check("l2-gaussian-gap", EXACT, LBC.optimality_check("dmr", "l2", "sqrt(log d)")),
                        Check("linf-crossover", EXACT, LBC.recommendation_check())),
                witness_check="linf-crossover"),
        Reading("repaired: optimal within each divergence notion",
                "Among (r, DMR, ℓ2, ε)-robust mechanisms the Gaussian has the least E‖z‖∞ up to a bounded factor, "
                "and among (r, D∞, ℓ∞, ε)-robust mechanisms eq. 6 has the least E‖z‖∞ up to a bounded factor "
                "(lower bounds of repaired T12 and T16).",
                CONSISTENT,
                checks=(Check("l2-gaussian-gap", EXACT, LBC.optimality_check("dmr", "l2", "bounded")),
                        Check("linf-exponential-gap", EXACT, LBC.optimality_check("dinf", "linf", "bounded"))),
                repair="'optimal option to certify ℓ∞' restricted to D∞ (pure-DP) robustness, where the Gaussian "
                       "cannot compete; across notions the Gaussian certifies larger ℓ∞ radii for d ≥ the crossover"),
    ),
    depends_on=("T12", "T16", "T13", "T18", "CONCL-linf-sqrt-d"),
)

_ABS_LINF_PRINTED = ("The largest ℓ∞ radius certified by randomized smoothing is upper bounded by O(1/√d), where d "
                     "is the dimensionality of the data.")
ABSTRACT_LINF = Claim(
    id="ABSTRACT-linf-sqrt-d",
    title="Abstract: the largest ℓ∞ radius certified by randomized smoothing is O(1/√d)",
    where="Abstract",
    statement=_ABS_LINF_PRINTED,
    kind=ASYMPTOTIC,
    methods=(EXACT, ANALYSIS),
    formalisation="As printed the statement covers every certificate of randomized smoothing, the tight "
                  "Neyman–Pearson ones included (they are not divergence-based: the packing argument of "
                  "theory.lower_bounds does not apply). Repaired to the paper's framework (DMR or D∞ robustness of "
                  "the mechanism, fixed E‖z‖∞): repaired T17 (O(1/√d)) and T16 (O(1/d)).",
    verdict=UNDECIDABLE,
    reason="'certified by randomized smoothing' includes the Neyman–Pearson certificates (Cohen et al.; Yang et "
           "al.), which bound no divergence of the mechanism; an upper bound for them needs another argument "
           "(isoperimetric, cf. Blum et al. 2020, Kumar et al. 2020), not computed here.",
    holds_when="for DMR (and D∞) robustness at fixed ε and fixed E‖z‖∞ (see CONCL-linf-sqrt-d).",
    readings=(
        Reading(AS_PRINTED, _ABS_LINF_PRINTED, UNDECIDABLE,
                checks=(Check("radius-upper-bound-dmr", EXACT, LBC.concl_radius_check()),
                        Check("why-undecidable", ANALYSIS, _undecidable(
                            "The abstract does not restrict the certificate: Neyman–Pearson certificates bound no "
                            "divergence of the mechanism, so the packing lower bounds do not cover them.")))),
        Reading("repaired: DMR robustness (the paper's framework)",
                "With E‖z‖∞ and ε fixed, every (r, DMR, ℓ∞, ε)-robust mechanism accurate on a large enough cube has "
                "r ≤ C(ε)·E‖z‖∞/√d.",
                CONSISTENT,
                checks=(Check("radius-upper-bound-dmr", EXACT, LBC.concl_radius_check()),),
                repair="'certified by randomized smoothing' read as DMR robustness of the mechanism (Section 3)"),
    ),
    depends_on=("CONCL-linf-sqrt-d", "T17"),
)

CLAIMS = TABLE + (CONCL, ABSTRACT_OPTIMAL, ABSTRACT_LINF)
