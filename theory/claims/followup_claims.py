"""Claims of the follow-up literature on what randomized smoothing can certify in high dimension (issue 14).

IDs are prefixed by the paper:

* ``YANG20-…``  Yang, Duan, Hu, Salman, Razenshteyn & Li 2020, "Randomized smoothing of all shapes and sizes" (ICML);
* ``KUMAR20-…`` Kumar, Levine, Goldstein & Feizi 2020, "Curse of dimensionality on randomized smoothing for
  certifiable robustness" (ICML);
* ``BLUM20-…``  Blum, Dick, Manoj & Zhang 2020, "Random smoothing might be unable to certify ℓ∞ robustness for
  high-dimensional images" (JMLR).

Normalisation (the follow-up papers'): the noise's per-coordinate second moment E[Z_i²] is held fixed (= 1), not the
seed paper's E‖z‖∞.  Every number comes from the Neyman-Pearson engine :mod:`theory.neyman_pearson` — its exact
tight radius or, in bracket cells, its *upper* bound (the flip distance of an explicit classifier), which is the
right direction for these claims: they are upper bounds on what can be certified.  The statements quantify over all
noise distributions, so a finite computation can only support them on the noises the engine models; the verdicts say
so ("holds under stated conditions").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from theory.claims._core import (
    ASYMPTOTIC,
    CONDITION,
    CONSISTENT,
    EXACT,
    Check,
    Claim,
    Evidence,
    evidence,
)

PA = 0.99
DIMS = (1, 4, 16, 64, 256, 1024, 4096)
FIT_FROM = 64            # slopes are fitted on d >= FIT_FROM
SLOPE_TOL = 0.05         # tolerance on a fitted log-log slope (the finite-d corrections are O(log d / d))
IID = ("gaussian", "laplace", "uniform")


def unit_variance_sigma(noise: str, d: int) -> float:
    """The scale sigma at which E[Z_1^2] = 1 (theory.neyman_pearson.noise_variance is quadratic in sigma)."""
    from theory.neyman_pearson import noise_variance

    return 1.0 / math.sqrt(noise_variance(noise, 1.0, d))


def linf_radius_upper(noise: str, d: int, pA: float = PA) -> float:
    """Upper bound on (exact value of, in exact cells) the tight l_inf radius at unit per-coordinate variance."""
    from theory.neyman_pearson import tight_radius

    return tight_radius(noise, "linf", sigma=unit_variance_sigma(noise, d), d=d, pA=pA).upper


def _slope(ds: Sequence[float], ys: Sequence[float]) -> float:
    d_arr, y_arr = np.asarray(ds, float), np.asarray(ys, float)
    keep = d_arr >= FIT_FROM
    return float(np.polyfit(np.log(d_arr[keep]), np.log(y_arr[keep]), 1)[0])


def _noises(thorough: bool) -> tuple[str, ...]:
    base = IID + ("exponential-linf",)
    return base + (("exponential-l2",) if thorough else ())


def _dims(noise: str) -> tuple[int, ...]:
    from theory.neyman_pearson import RADIAL_MAX_D

    return tuple(d for d in DIMS if noise != "exponential-l2" or d <= min(16, RADIAL_MAX_D))


def _table(noises: Sequence[str]) -> list[dict[str, Any]]:
    rows = []
    for nz in noises:
        ds = _dims(nz)
        rs = [linf_radius_upper(nz, d) for d in ds]
        rows.append({"noise": nz, "d": list(ds), "radius_linf_upper": rs,
                     "r_sqrt_d": [r * math.sqrt(d) for r, d in zip(rs, ds, strict=True)],
                     "slope": _slope(ds, rs) if max(ds) >= 4 * FIT_FROM else None})
    return rows


# ----------------------------------------------------------------------------------------------------
# YANG20
# ----------------------------------------------------------------------------------------------------

def _yang_barrier(thorough: bool) -> Evidence:
    rows = _table(_noises(thorough))
    ok = True
    for r in rows:
        # bounded r sqrt(d): the last value is at most the largest over small d (no growth) -- an O(d^{-1/2}) rate
        ok &= r["r_sqrt_d"][-1] <= max(r["r_sqrt_d"]) * (1 + 1e-9)
        if r["slope"] is not None:
            ok &= r["slope"] <= -0.5 + SLOPE_TOL
    # l_p with p = 4 for the Gaussian: exact, r_4 = sigma Phi^{-1}(pA) / d^{1/2 - 1/4}
    from theory.neyman_pearson import tight_radius

    r2 = tight_radius("gaussian", "l2", pA=PA).value
    assert r2 is not None   # the Gaussian cell is exact (half-line)
    g4 = [r2 / d ** 0.25 for d in DIMS]
    s4 = _slope(DIMS, g4)
    ok &= abs(s4 - (0.25 - 0.5)) < 1e-9
    return evidence(CONDITION, ok,
                    "At unit per-coordinate variance every noise modelled (tight radius or its upper bound) has an ℓ∞ "
                    "radius with bounded r·√d and fitted slope ≤ −1/2 + 0.05 on d ∈ [64, 4096]: "
                    + "; ".join(f"{r['noise']} {r['slope']:.3f}" for r in rows if r["slope"] is not None)
                    + f"; Gaussian ℓ4: slope {s4:.3f} = 1/4 − 1/2 exactly.  Consistent with the barrier "
                      "d^{1/p − 1/2}; the claim over all noises is not decidable numerically.",
                    table=rows, gaussian_l4_slope=s4, pA=PA)


YANG20 = Claim(
    id="YANG20-LP-BARRIER",
    title="Yang et al. 2020: no nontrivial ℓp certificate beyond Ω(min(1, d^{1/p − 1/2})) for p > 2",
    where="Yang et al. 2020, ICML, Section 5 (Banach-space cotype); abstract",
    statement="With only label statistics under random input perturbations, randomized smoothing cannot achieve "
              "nontrivial certified accuracy against ℓp perturbations of norm Ω(min(1, d^{1/p − 1/2})), p > 2, when "
              "the input dimension d is large (inputs in [0, 1]^d, noise of per-coordinate magnitude O(1)).",
    kind=ASYMPTOTIC,
    methods=(EXACT,),
    formalisation="For each noise of theory.neyman_pearson at E[Z_i²] = 1 and pA = 0.99: the tight ℓ∞ radius (p = ∞; "
                  "its upper bound in bracket cells) is O(d^{-1/2}) — r·√d bounded and the log-log slope ≤ −1/2 + "
                  "0.05 on d ∈ [64, 4096]; the Gaussian ℓ4 radius (exact: σΦ⁻¹(pA)/d^{1/4}) has slope 1/4 − 1/2.",
    verdict=CONSISTENT,
    holds_when="consistent with (not verified): for the five noises the engine models (Gaussian, Laplace, uniform, "
               "eq.-6, ℓ2-exponential in --thorough), at fixed per-coordinate variance, d ≤ 4096, from fitted "
               "log-log slopes; assumed: these instances stand for 'every noise', and a slope fitted on [64, 4096] "
               "for the large-d rate.",
    reason="the statement quantifies over every noise distribution; a computation can only instantiate it.",
    checks=(Check("engine-rates", EXACT, _yang_barrier),),
    notes="Normalisation: per-coordinate magnitude fixed (pixels in [0, 1]), not the seed paper's E‖z‖∞.",
)


# ----------------------------------------------------------------------------------------------------
# KUMAR20
# ----------------------------------------------------------------------------------------------------

def _kumar_rate(thorough: bool) -> Evidence:
    rows = _table(IID)
    ok = all(r["slope"] <= -0.5 + SLOPE_TOL for r in rows)
    uni = next(r for r in rows if r["noise"] == "uniform")
    ok &= abs(uni["slope"] + 1.0) < SLOPE_TOL         # uniform in the ℓ∞ ball: O(1/d^{1 - 1/p}) = O(1/d) at p = ∞
    return evidence(CONDITION, ok,
                    "i.i.d. noises at unit variance: fitted ℓ∞ slopes " + "; ".join(
                        f"{r['noise']} {r['slope']:.3f}" for r in rows)
                    + " (≤ −1/2 + 0.05: O(1/d^{1/2 − 1/p}) at p = ∞); uniform noise is exact and O(1/d), the rate "
                      "Kumar et al. state for the uniform ℓ∞-ball noise.", table=rows, pA=PA)


def _kumar_gauss_opt(thorough: bool) -> Evidence:
    rows: list[dict[str, Any]] = []
    ok = True
    for nz in ("laplace", "uniform"):
        ratios = [linf_radius_upper(nz, d) / linf_radius_upper("gaussian", d) for d in DIMS]
        rows.append({"noise": nz, "d": list(DIMS), "ratio_to_gaussian": ratios})
        ok &= max(ratios[DIMS.index(FIT_FROM):]) <= 1.5 and ratios[-1] <= ratios[DIMS.index(FIT_FROM)] * 1.05
    return evidence(CONDITION, ok,
                    "At equal per-coordinate variance the ℓ∞ radius of Laplace noise (upper bound; a generalized "
                    "Gaussian with exponent 1) and of uniform noise (exact; the exponent → ∞ limit) never exceeds "
                    "1.5× the Gaussian's for d ≥ 64 and does not grow with d: " + "; ".join(
                        f"{r['noise']}: {r['ratio_to_gaussian'][-1]:.3g} at d = {DIMS[-1]}" for r in rows)
                    + ".  Gaussian smoothing is optimal up to a constant among these.", table=rows, pA=PA)


KUMAR20_RATE = Claim(
    id="KUMAR20-IID-RATE",
    title="Kumar et al. 2020: i.i.d. noise certifies ℓp radius O(1/d^{1/2 − 1/p}) (p > 2); uniform ℓ∞-ball noise "
          "O(1/d)",
    where="Kumar et al. 2020, ICML, abstract and Section 4",
    statement="For a vast class of i.i.d. smoothing distributions, the largest ℓp radius that can be certified "
              "decreases as O(1/d^{1/2 − 1/p}) with the dimension d for p > 2; for the uniform distribution in an "
              "ℓ∞ ball the bound is O(1/d^{1 − 1/p}).",
    kind=ASYMPTOTIC,
    methods=(EXACT,),
    formalisation="Gaussian, Laplace, uniform i.i.d. noise at E[Z_i²] = 1, pA = 0.99, p = ∞: fitted slope of the "
                  "tight ℓ∞ radius (Laplace: its upper bound) ≤ −1/2 + 0.05 on d ∈ [64, 4096]; uniform: slope "
                  "−1 ± 0.05.",
    verdict=CONSISTENT,
    holds_when="consistent with (not verified): for the three i.i.d. noises modelled, p = ∞, d ≤ 4096, from fitted "
               "log-log slopes; assumed: these instances stand for the class, and the fitted slope for the rate.",
    reason="the statement quantifies over a class of distributions with hidden constants.",
    checks=(Check("engine-rates", EXACT, _kumar_rate),),
)

KUMAR20_OPT = Claim(
    id="KUMAR20-GAUSS-OPTIMAL",
    title="Kumar et al. 2020: Gaussian smoothing is optimal up to a constant for p ≥ 2 (generalized Gaussians)",
    where="Kumar et al. 2020, ICML, abstract and Section 4.1",
    statement="For p ≥ 2 the dependence on d of the ℓp radius certified by i.i.d. noise is no better than that of "
              "isotropic Gaussian smoothing; restricted to generalized Gaussian smoothing the two bounds are within "
              "a constant factor asymptotically, so Gaussian smoothing is optimal up to a constant factor.",
    kind=ASYMPTOTIC,
    methods=(EXACT,),
    formalisation="Ratio of the ℓ∞ radius of Laplace (upper bound) and uniform (exact) noise to the Gaussian's, at "
                  "equal per-coordinate variance, pA = 0.99: ≤ 1.5 on d ∈ [64, 4096] and not increasing with d.",
    verdict=CONSISTENT,
    holds_when="consistent with (not verified): Laplace and uniform noise against the Gaussian, p = ∞, d ≤ 4096 "
               "(ratios on a grid of d); assumed: two generalized Gaussians stand for the family and 'not "
               "increasing on [64, 4096]' for 'bounded as d → ∞'.",
    reason="asymptotic statement over a family, with an unspecified constant.",
    checks=(Check("ratio-to-gaussian", EXACT, _kumar_gauss_opt),),
)


# ----------------------------------------------------------------------------------------------------
# BLUM20
# ----------------------------------------------------------------------------------------------------

def _blum_variance(thorough: bool) -> Evidence:
    from theory.neyman_pearson import noise_variance

    rows: list[dict[str, Any]] = []
    ok = True
    for nz in _noises(thorough):
        ds = _dims(nz)
        # radius is linear in sigma: sigma_needed = eps / r(sigma = 1); r upper bound -> variance lower bound
        from theory.neyman_pearson import tight_radius

        var = [noise_variance(nz, 1.0 / tight_radius(nz, "linf", sigma=1.0, d=d, pA=PA).upper, d) for d in ds]
        s = _slope(ds, var) if max(ds) >= 4 * FIT_FROM else None
        rows.append({"noise": nz, "d": list(ds), "variance_needed_eps1": var, "slope": s})
        if s is not None:
            ok &= s >= 1.0 - 2 * SLOPE_TOL
    return evidence(CONDITION, ok,
                    "Per-coordinate variance needed to certify ℓ∞ radius ε = 1 at pA = 0.99 (from the engine's upper "
                    "bound on the radius, hence a lower bound on the variance): fitted slopes in d "
                    + "; ".join(f"{r['noise']} {r['slope']:.3f}" for r in rows if r["slope"] is not None)
                    + " (≥ 1 − 0.1), i.e. Ω(d^{1 − 2/p} ε²) at p = ∞.", table=rows, pA=PA)


BLUM20 = Claim(
    id="BLUM20-VARIANCE",
    title="Blum et al. 2020: ℓp robustness (p > 2) needs per-coordinate variance Ω(d^{1 − 2/p} ε²)",
    where="Blum et al. 2020, JMLR 21, abstract and Theorem 1",
    statement="Any noise distribution D over R^d that provides ℓp robustness (p > 2) of radius ε for all base "
              "classifiers must satisfy E η_i² = Ω(d^{1 − 2/p} ε² (1 − δ)/δ²) for 99% of the features of η ~ D, δ "
              "the score gap between the top class and the runner-up.",
    kind=ASYMPTOTIC,
    methods=(EXACT,),
    formalisation="p = ∞, ε = 1, pA = 0.99 (binary gap fixed): the per-coordinate variance at which the engine's "
                  "ℓ∞ radius (upper bound) reaches ε grows with fitted slope ≥ 1 − 0.1 in d on [64, 4096].",
    verdict=CONSISTENT,
    holds_when="consistent with (not verified): for the noises modelled (i.i.d. Gaussian, Laplace, uniform; eq. 6), "
               "p = ∞, d ≤ 4096, from fitted slopes of the engine's upper bound on the radius; assumed: these "
               "instances stand for 'any noise distribution' and the fitted slope for the rate.",
    reason="the statement quantifies over every distribution; the engine instantiates it.",
    checks=(Check("variance-needed", EXACT, _blum_variance),),
)

CLAIMS = (YANG20, KUMAR20_RATE, KUMAR20_OPT, BLUM20)
