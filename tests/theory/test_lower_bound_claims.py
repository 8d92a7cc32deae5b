"""Negative tests and independent pins for the lower-bound readings (T12, T16, T17, T24, L27, Table 1 optimality
cells, CONCL-linf-sqrt-d, the abstract entries): each check, fed a parameter for which the claim is known
false (or a planted bug), must not report what it reports for the real claim; every verdict-deciding number is
compared with an independent computation (mpmath, closed form, brute force)."""

from __future__ import annotations

import math

import mpmath as mp
import pytest

from theory.claims import EMPTY, NOT_DECIDABLE, REFUTES, SUPPORTS, get
from theory.claims import _lower_bound_checks as LBC

# ----------------------------------------------------------------------------------------------------
# as printed: empty (additive) / refuted (general)
# ----------------------------------------------------------------------------------------------------


def test_additive_empty_and_negative_control():
    ev = LBC.additive_empty_check("T16", "[0, r]^d", lambda d: 1.0)(False)
    assert ev.finding == EMPTY and ev.ok and "witness" in ev.data
    # independent: P(0 + z in [0, σ]^d) for N(0, σ²) = (Φ(1) − 1/2)^d < 2^-d
    p10 = float((mp.ncdf(1) - mp.mpf(1) / 2) ** 10)
    assert ev.data["witness"]["P_gaussian_in_box_d10_sigma_eq_side"] == pytest.approx(p10, rel=1e-10)
    neg = LBC.additive_empty_check("T16", "R^d", lambda d: 1.0, domain_is_box=False)(False)
    assert neg.finding != EMPTY


def test_constant_mechanism_negative():
    ev = LBC.constant_mechanism_check("T16", lambda d, e: d / e, lambda d: 1.0, "rd/ε")(False)
    assert ev.finding == REFUTES and ev.ok
    assert ev.data["witness"]["ratio"] == pytest.approx(0.5 / 1e6)
    # a bound the constant mechanism does meet (side/4) must not be 'refuted'
    neg = LBC.constant_mechanism_check("X", lambda d, e: 0.25, lambda d: 1.0, "1/4")(False)
    assert not (neg.finding == REFUTES and neg.ok)


# ----------------------------------------------------------------------------------------------------
# repaired T12 / T16 / T17
# ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("claim,wrong_rate", [
    ("T16", lambda d, e: d * d / e),                  # one power of d too many
    ("T16", lambda d, e: d / e**2),                   # eps squared
    ("T17", lambda d, e: d / math.sqrt(e)),           # d instead of sqrt(d)
    ("T12", lambda d, e: math.sqrt(d / e)),           # the l_inf rate for l2
])
def test_repaired_bound_rejects_wrong_rate(claim, wrong_rate):
    good = LBC.repaired_lower_bound_check(claim)(False)
    assert good.finding == SUPPORTS and good.ok and good.data["uniform_constant"] > 0.1
    bad = LBC.repaired_lower_bound_check(claim, rate=wrong_rate)(False)
    assert bad.finding != SUPPORTS


def test_uniform_constants_pinned_by_mpmath():
    """The constant C is enclosed (lo ≤ C ≤ hi, attained at small d); recompute the bound at the reported arg
    independently at 30 digits: T16 at d = 1 (two points: corners 2k·(1 − e^{kε/2}/2), axes
    k·(1 − 1/(1 + e^{−kε/2}))) and T12 at d = 1 (Le Cam with Bretagnolle–Huber / Pinsker); the value there
    lies in the enclosure, which is tight (width < 1 %)."""
    ev16 = LBC.repaired_lower_bound_check("T16")(False)
    d, e = ev16.data["at_d"], ev16.data["at_eps"]
    lo, hi = ev16.data["uniform_constant_enclosure"]
    assert d == 1 and ev16.assurance == "verified"
    with mp.workdps(30):
        e_ = mp.mpf(e)
        ref = max(max(2 * k * max(0, 1 - mp.exp(k * e_ / 2) / 2), k * (1 - 1 / (1 + mp.exp(-k * e_ / 2))))
                  for k in range(1, 2000)) * e_
    assert lo <= ref <= hi and hi - lo < 0.01 * hi
    assert ev16.data["uniform_constant"] == lo
    ev12 = LBC.repaired_lower_bound_check("T12")(False)
    d, e = ev12.data["at_d"], ev12.data["at_eps"]
    lo, hi = ev12.data["uniform_constant_enclosure"]
    assert d == 1
    with mp.workdps(30):
        def lecam(k):
            kl = k * k * mp.mpf(e) / 2
            tv = min(mp.sqrt(kl / 2), mp.sqrt(1 - mp.exp(-kl)))
            return k * 2 / 2 * (1 - tv) / 2          # (w/2)(1 - p), w = k R, R = 2
        ref12 = max(lecam(k) for k in range(1, 500)) * mp.sqrt(e)
    assert lo <= ref12 <= hi and hi - lo < 0.01 * hi


# ----------------------------------------------------------------------------------------------------
# L27 / T24: mixture counterexample and the exact repairs
# ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("claim", ["L27", "T24"])
def test_mixture_witness_pinned_and_negative(claim):
    ev = LBC.mixture_counterexample_check(claim)(False)
    assert ev.finding == REFUTES and ev.ok
    w = ev.data["witness"]
    d, eta = w["d"], w["eta"]
    with mp.workdps(50):
        eps = mp.log(1 + (1 - mp.mpf(eta)) * mp.mpf(2) ** d / eta)
        alpha = eta * (1 - mp.mpf(2) ** -d)
        q = d / (eps * alpha) if claim == "L27" else mp.sqrt(d) / (mp.sqrt(eps) * alpha)
    assert w["eps_dinf"] == pytest.approx(float(eps), rel=1e-12)
    assert w["alpha"] == pytest.approx(float(alpha), rel=1e-12)
    assert w["quantity"] == pytest.approx(float(q), rel=1e-12)
    assert w["alpha"] <= 0.1 and w["quantity"] > 1e5
    # negative control: fixed eta keeps the quantity bounded; the check must not refute
    neg = LBC.mixture_counterexample_check(claim, eta_of_d=lambda d: 0.05)(False)
    assert neg.finding != REFUTES


@pytest.mark.parametrize("claim,planted", [
    ("L27", lambda d, a: LBC.l27_counting_bound(d, a) + 2 * math.log(2)),   # claims more than is true
    ("L27", lambda d, a: d * math.log(2) - math.log(2 * a)),                 # (1 − 2α) and 2^d − 1 dropped
    ("T24", lambda d, a: d * math.log(2) - math.log(2)),                     # (1 − 2α) dropped
])
def test_repaired_counting_bound_and_planted(claim, planted):
    ev = LBC.repaired_counting_check(claim)(False)
    assert ev.finding == SUPPORTS and ev.ok and not ev.data["violations"]
    bad = LBC.repaired_counting_check(claim, bound=planted)(False)
    assert not bad.ok


def test_counting_bound_closed_form_mpmath():
    for d, a in ((1, 0.1), (5, 0.01), (40, 0.3)):
        with mp.workdps(40):
            ref = mp.log((mp.mpf(2) ** d - 1) * (1 - 2 * mp.mpf(a)) / (2 * mp.mpf(a)))
        assert LBC.l27_counting_bound(d, a) == pytest.approx(float(ref), rel=1e-13)
    with pytest.raises(ValueError, match="alpha"):
        LBC.l27_counting_bound(3, 0.5)


# ----------------------------------------------------------------------------------------------------
# Table 1 optimality cells, conclusion
# ----------------------------------------------------------------------------------------------------

def _laplace_iid_linf_dinf(d):
    """iid Laplace(b) is (2, D∞, ℓ∞, 1/2)-robust with b = 2d/(1/2) (D∞ = ‖δ‖₁/b ≤ d‖δ‖∞/b); E‖z‖∞ = b H_d."""
    return 4.0 * d * float(mp.harmonic(d))


def _gauss_linf_calibrated_for_l2(d):
    """A Gaussian calibrated for ℓ∞ (σ = 2√d, T18) used for the ℓ2 cell: over-noised by √d."""
    from theory.claims._oracles import expected_max_abs_gaussian
    return 2.0 * math.sqrt(d) * expected_max_abs_gaussian(d)


@pytest.mark.parametrize("notion,norm,expect,bad_mech", [
    ("dinf", "linf", "bounded", _laplace_iid_linf_dinf),
    ("dmr", "l2", "sqrt(log d)", _gauss_linf_calibrated_for_l2),
    ("dmr", "linf", "sqrt(log d)", lambda d: 2.0 * d),     # a mechanism with noise ∝ d (like eq. 6)
])
def test_optimality_check_rejects_non_optimal_mechanism(notion, norm, expect, bad_mech):
    ev = LBC.optimality_check(notion, norm, expect)(False)
    assert ev.finding == SUPPORTS and ev.ok
    bad = LBC.optimality_check(notion, norm, expect, mechanism_alpha=bad_mech, label="planted")(False)
    assert bad.finding == NOT_DECIDABLE


def test_optimality_growth_fits():
    f = {s: LBC.optimality_check(*s, "bounded")(False).data["fit"]
         for s in (("dinf", "linf"), ("dmr", "l2"), ("dmr", "linf"))}
    assert f[("dinf", "linf")]["growth"] == "bounded" and f[("dinf", "linf")]["gap_at_1e6"] == pytest.approx(
        1 / math.log(2), rel=2e-3)
    assert f[("dmr", "l2")]["growth"] == "bounded"
    assert f[("dmr", "linf")]["growth"] == "sqrt(log d)" and 2.0 < f[("dmr", "linf")]["slope_vs_sqrt_ln_d"] < 4.0


def test_concl_radius_check_and_wrong_rate():
    ev = LBC.concl_radius_check()(False)
    assert ev.finding == SUPPORTS and ev.ok
    bad = LBC.concl_radius_check(rate=lambda d: 1.0 / d)(False)
    assert bad.finding == REFUTES
    bad2 = LBC.concl_radius_check(rate=lambda d: 1.0 / math.sqrt(d * math.log(d + 1)))(False)
    assert bad2.finding != SUPPORTS


# ----------------------------------------------------------------------------------------------------
# the abstract's recommendation: crossover pinned by mpmath
# ----------------------------------------------------------------------------------------------------

def _emax_mp(d):
    with mp.workdps(30):
        return mp.quad(lambda t: 1 - mp.erf(t / mp.sqrt(2)) ** d, [0, 1, 2, 3, 4, 5, 6, 8, 12, 40])


def test_crossover_paper_pair_mpmath():
    """T18 (c = 1) vs T13 at equal E‖z‖∞: Gaussian wins iff E max|g_i| < √(d/2) (closed form from the two
    radius formulas); mpmath quadrature puts the switch between d = 4 and 5."""
    assert _emax_mp(4) > mp.sqrt(2) and _emax_mp(5) < mp.sqrt(mp.mpf(5) / 2)
    for pA in (0.9, 0.999):
        assert LBC.crossover("paper", pA) == 5


@pytest.mark.parametrize("pA", [0.9, 0.99, 0.999, 1 - 1e-6])
def test_crossover_tight_pair_mpmath(pA):
    """Cohen ℓ2/√d (σ = 1/E max|g_i|) vs Yang (σ = 1/d): independent mpmath evaluation of both radii."""
    d = LBC.crossover("tight", pA)
    with mp.workdps(30):
        pa = mp.mpf(pA)

        def gauss_wins(n):
            cohen = mp.sqrt(2) * mp.erfinv(2 * pa - 1) / (_emax_mp(n) * mp.sqrt(n))
            yang = mp.log(1 / (2 * (1 - pa))) / n
            return cohen > yang
        assert gauss_wins(d) and (d == 1 or not gauss_wins(d - 1))


def test_recommendation_check_and_planted_normalisation(monkeypatch):
    ev = LBC.recommendation_check(pAs=(0.99,))(False)
    assert ev.finding == REFUTES and ev.ok and ev.data["witness"]["d"] == 3072
    orig = LBC.linf_radii_equal_noise

    def planted(d, pA, c=1.0):             # eq. 6 with σ = 1 instead of 1/d (E‖z‖∞ = d, not 1)
        r = orig(d, pA, c)
        return {**r, "t13": r["t13"] * d, "yang-linf": r["yang-linf"] * d}
    monkeypatch.setattr(LBC, "linf_radii_equal_noise", planted)
    bad = LBC.recommendation_check(pAs=(0.99,))(False)
    assert not bad.ok


# ----------------------------------------------------------------------------------------------------
# the registry: verdicts per reading
# ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cid,printed,best", [
    ("T12", "ill-posed as printed", "holds"), ("T16", "ill-posed as printed", "holds"),
    ("T17", "ill-posed as printed", "holds"), ("T24", "refuted", "holds"), ("L27", "refuted", "holds"),
    ("CONCL-linf-sqrt-d", "holds", "holds"), ("ABSTRACT-optimal-options", "refuted", "holds"),
    ("ABSTRACT-linf-sqrt-d", "not numerically decidable", "holds"),
])
def test_registry_verdicts(cid, printed, best):
    c = get(cid)
    assert c.printed_verdict == printed and c.best_verdict == best


def test_accuracy_repair_of_l27_is_refuted_with_witness():
    r = get("L27").reading("repaired: accuracy condition α ≤ 1/10")
    assert r.verdict == "refuted" and r.witness_check == "mixture-counterexample"


@pytest.mark.parametrize("cid,ratio_at_1e6", [
    ("T12", 0.5 / 1e3),       # constant mechanism α = side/2 = 1/(2√d) vs r/√ε = 1
    ("T16", 0.5 / 1e6),       # α = 1/2 vs rd/ε = d
    ("T17", 0.5 / 1e3),       # α = 1/2 vs r√d/√ε = √d
    ("T24", 0.5 / 1e3),       # α = 1/2 vs √d/√ε
    ("L27", 0.5 / 1e6),       # α = 1/2 vs d/ε
])
def test_registry_constant_witness_closed_form(cid, ratio_at_1e6):
    """The printed bound of each claim (hidden constant 1, ε = 1, r = 1, d = 10⁶) recomputed by hand: a planted
    error in the registry's bound (√d for d, a dropped √ε, ...) moves this number."""
    c = get(cid)
    ev = c.reading("as printed").check("constant-mechanism-family").run(False)
    assert ev.finding == REFUTES and ev.ok
    assert ev.data["witness"]["d"] == 10**6
    assert ev.data["witness"]["ratio"] == pytest.approx(ratio_at_1e6, rel=1e-12)


@pytest.mark.parametrize("claim,rate", [
    ("T12", lambda d, e, r: r / math.sqrt(e)),
    ("T16", lambda d, e, r: r * d / e),
    ("T17", lambda d, e, r: r * math.sqrt(d) / math.sqrt(e)),
])
def test_claimed_rate_and_ratio_closed_form(claim, rate):
    from theory.lower_bounds import lower_bound

    for d, e, r in ((7, 0.3, 2.0), (10**5, 4.0, 0.1)):
        res = lower_bound(claim, d=d, eps=e, r=r)
        assert res.claimed_rate == pytest.approx(rate(d, e, r), rel=1e-14)
        assert res.ratio == pytest.approx(res.lower_bound / rate(d, e, r), rel=1e-14)
        # the bound is linear in r (scale invariance of the whole construction)
        assert res.lower_bound == pytest.approx(r * lower_bound(claim, d=d, eps=e, r=1.0).lower_bound, rel=1e-12)
