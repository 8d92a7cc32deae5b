"""Guards: tests that fail when a verdict-deciding check is weakened (issue 11 item 6).

Each test compares the code with an independent reference (mpmath, closed form, exact enumeration,
Clopper–Pearson) at a point chosen so that a loosened tolerance, a dropped factor 2 or a weakened verdict
condition changes the answer.  The mutants they are meant to catch are listed in tests/mutation/mutants.py
(run ``python -m tests.mutation``).
"""

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import stats

from tests._mp_oracles import dmr2
from theory import certificates as C
from theory import divergences as D
from theory import scaling
from theory import soundness as S
from theory.claims import _core
from theory.claims import l2_claims as L2
from theory.claims import linf_claims as LI

mp.mp.dps = 40


# ---------------------------------------------------------------------------------------------------- Sides
@pytest.mark.parametrize("tol", [0.0, 1e-12, 1e-9, 1e-6])
def test_sides_tolerance_is_exact(tol):
    # just outside the tolerance (by 1 % of it, or by 1e-15 when tol = 0) must fail, just inside must hold
    out = tol * 1.01 + 1e-15
    assert not _core.Sides(1.0 + out, 1.0, "<=", tol).holds()
    assert _core.Sides(1.0 + tol * 0.99, 1.0, "<=", tol).holds()
    assert not _core.Sides(1.0 - out, 1.0, ">=", tol).holds()
    assert _core.Sides(1.0 - tol * 0.99, 1.0, ">=", tol).holds()
    assert not _core.Sides(1.0 + out, 1.0, "==", tol).holds()
    assert not _core.Sides(1.0 - out, 1.0, "==", tol).holds()
    assert _core.Sides(1.0 + tol * 0.99, 1.0, "==", tol).holds()


def test_sides_direction():
    assert _core.Sides(0.0, 1.0, "<=", 0.0).holds() and not _core.Sides(2.0, 1.0, "<=", 0.0).holds()
    assert _core.Sides(2.0, 1.0, ">=", 0.0).holds() and not _core.Sides(0.0, 1.0, ">=", 0.0).holds()
    assert not _core.Sides(math.inf, 1.0, "==", 1e300).holds()


# ---------------------------------------------------------------------------------------------------- C11
def _mp_c11_ratio(one_minus_pA, c):
    """r_C11 / r_tight at σ = 1 (binary): √2·log((1−e)/e)/(2(1+c)) over Φ⁻¹(1 − e), mpmath 40 digits."""
    e = mp.mpf(one_minus_pA)
    r11 = mp.sqrt(2) * mp.log((1 - e) / e) / (2 * (1 + c))
    tight = -mp.sqrt(2) * mp.erfinv(2 * e - 1) if e > mp.mpf("1e-15") else \
        mp.findroot(lambda t: mp.log(mp.ncdf(-t)) - mp.log(e), mp.sqrt(-2 * mp.log(e)))
    return r11 / tight


@pytest.mark.parametrize("c", [0.5, 1.0])
def test_c11_conclusion_fails_just_beyond_threshold(c):
    th = L2.c11_threshold(c)
    e = th * 0.999                     # a little beyond the crossing: r_C11 exceeds r_tight by ~1e-5..1e-4
    excess = float(_mp_c11_ratio(e, c) - 1)
    assert 1e-7 < excess < 1e-3, excess      # independent: the claim is false here by this relative margin
    sides = L2._c11_conclusion({"one_minus_pA": e, "c": c})
    assert sides.lhs / sides.rhs - 1 == pytest.approx(excess, rel=1e-4)
    assert not sides.holds()
    # and a little before the crossing it holds
    e2 = th * 1.001
    assert _mp_c11_ratio(e2, c) < 1 and L2._c11_conclusion({"one_minus_pA": e2, "c": c}).holds()


def _fake_row(c, exceeds, beyond):
    return {"params": {"c": c}, "exceeds_tight": exceeds, "from_one_minus_pA": 1e-10 if exceeds else None,
            "max_ratio": 1.5 if exceeds else 0.9, "at_one_minus_pA": 1e-12, "witness_one_minus_pA": 1e-12,
            "multiclass": None, "beyond_range": {"exceeds_tight": beyond, "from_one_minus_pA": 1e-30}}


@pytest.mark.parametrize("rows,ok", [
    ([_fake_row(0.5, True, True), _fake_row(1.0, True, True)], True),
    ([_fake_row(0.5, True, True), _fake_row(1.0, False, True)], True),     # sound on range, exceeds beyond it
    ([_fake_row(0.5, True, True), _fake_row(1.0, False, False)], False),   # one c never exceeds: not refuted for all c
    ([_fake_row(0.5, False, True), _fake_row(1.0, False, True)], False),   # none exceeds on the range itself
])
def test_c11_soundness_verdict_condition(monkeypatch, rows, ok):
    monkeypatch.setattr(L2, "_soundness_rows", lambda name, settings: rows)
    assert L2._check_c11_soundness(False).ok is ok


# ---------------------------------------------------------------------------------------------------- T15
def test_t15_monte_carlo_halfwidth_is_six_standard_errors():
    ev = LI._check_t15_mc(False)
    assert ev.ok
    for r in ev.data["table"]:
        # ‖z‖∞ ~ Gamma(d, σ = 1): variance d (independent closed form), 6 standard errors
        assert r["6sigma_halfwidth"] == pytest.approx(6 * math.sqrt(r["d"] / r["n"]), rel=1e-12)


def test_t15_monte_carlo_rejects_wrong_scale(monkeypatch):
    from theory.mechanisms import ExponentialLinf

    orig = ExponentialLinf.sample
    monkeypatch.setattr(ExponentialLinf, "sample", lambda self, rng, n: 1.05 * orig(self, rng, n))
    assert not LI._check_t15_mc(False).ok


# ---------------------------------------------------------------------------------------------------- DMR
def _mp_dmr2(p, q):
    """(DMR, KL, argmax α) in mpmath (tests/_mp_oracles.dmr2: t = ln(α − 1) ∈ [−20, 10], grid step 0.1)."""
    return dmr2(p, q, -20, 10, 300)


def test_dmr_interior_sup_just_above_kl_is_not_reported_as_the_limit():
    # P = (0.568, 0.432), Q = (0.3, 0.7): sup_α D_α/α is attained at α ≈ 1.006 and exceeds KL by ~2e-6
    # relative (mpmath); a loose "is it the α → 1+ limit?" tolerance would report KL instead.
    ref, kl, arg = _mp_dmr2(0.568, 0.3)
    assert 1e-7 < (ref - kl) / kl < 1e-4
    res = D.dmr_discrete([0.568, 0.432], [0.3, 0.7])
    assert res.value == pytest.approx(float(ref), rel=1e-10)
    assert res.limit is None and res.alpha == pytest.approx(float(arg), rel=1e-3)


def test_dmr_randomized_response_limit_is_kl():
    eps = 1.0
    p = math.exp(eps) / (1 + math.exp(eps))
    res = D.dmr_discrete([p, 1 - p], [1 - p, p])
    assert res.limit == "alpha->1+"
    assert res.value == pytest.approx(float(eps * mp.tanh(mp.mpf(eps) / 2)), rel=1e-13)


# ---------------------------------------------------------------------------------------------------- scaling
@pytest.mark.parametrize("pA,c", [(0.9, 1.0), (0.99, 3.0), (0.6, 0.5)])
def test_epsilon_dmr_closed_form(pA, c):
    # C11 (binary): r = √2σ·log(pA/(1−pA))/(2(1+c)) = σ√(2ε)  ⇒  ε = log(pA/(1−pA))²/(4(1+c)²)
    ref = mp.log(mp.mpf(pA) / (1 - mp.mpf(pA))) ** 2 / (4 * (1 + c) ** 2)
    assert scaling.epsilon_dmr(pA, c) == pytest.approx(float(ref), rel=1e-12)


def test_lower_bound_rates_in_d():
    # T12: no d; T16: 1/d; T17: 1/√d (radius bounds at fixed α) -- ratios between d = 100 and 400
    r = {k: scaling.bound_radius(k, 0.9, 100) / scaling.bound_radius(k, 0.9, 400)
         for k in ("bound-T12", "bound-T16", "bound-T17")}
    assert r["bound-T12"] == pytest.approx(1.0, rel=1e-12)
    assert r["bound-T16"] == pytest.approx(4.0, rel=1e-12)
    assert r["bound-T17"] == pytest.approx(2.0, rel=1e-12)
    # closed forms (σ = 1): T16 r ≤ α·ε_D∞/d with ε_D∞ = r_T13(σ=1); T12 r ≤ α√ε_DMR
    assert scaling.bound_radius("bound-T16", 0.9, 50, alpha=2.0) == pytest.approx(
        2.0 * C.radius("t13", sigma=1.0, pA=0.9) / 50, rel=1e-12)
    assert scaling.bound_radius("bound-T12", 0.9, 50, alpha=2.0) == pytest.approx(
        2.0 * float(mp.log(9)) / 4, rel=1e-12)      # √ε = log(pA/(1−pA))/(2·2) at c = 1


def test_linf_claim_bounds_rates():
    assert LI._t16_bound(400, 0.5) / LI._t16_bound(100, 0.5) == pytest.approx(4.0, rel=1e-12)
    assert LI._t16_bound(10, 0.5, r=2.0) == pytest.approx(2.0 * 10 / 0.5, rel=1e-12)
    assert LI._t17_bound(400, 0.5) / LI._t17_bound(100, 0.5) == pytest.approx(2.0, rel=1e-12)
    assert LI._t17_bound(10, 0.5) == pytest.approx(math.sqrt(10) / math.sqrt(0.5), rel=1e-12)


# ---------------------------------------------------------------------------------------------------- soundness
def _cohen():
    (s,) = [s for s in S.cert_specs() if s.name == "cohen" and s.form == "binary"]
    return s


def _cp(k, n, level):
    lo = stats.beta.ppf((1 - level) / 2, k, n - k + 1) if k > 0 else 0.0
    hi = stats.beta.ppf(1 - (1 - level) / 2, k + 1, n - k) if k < n else 1.0
    return lo, hi


def test_soundness_wrong_class_count_matches_exact_probability():
    # binary half-space, 1 − pA = 0.45, n0 = n = 20, α = 0.2: a run returns the wrong class iff the selection
    # picks B (Bin(20, .45) > 10) and CERTIFY does not abstain on B's count (one-sided Clopper–Pearson lower
    # bound at level α ≥ 1/2). Exact probability by enumeration (scipy.stats.binom / beta), independent of
    # theory.soundness; the simulated wrong-class rate must lie in its Clopper–Pearson interval at 1 − 1e-6.
    q, n0, n, alpha, trials = 0.45, 20, 20, 0.2, 20_000
    p_sel = float(stats.binom.sf(n0 // 2, n0, q))            # P(selB > n0/2)
    ks = np.arange(n + 1)
    lower = np.where(ks > 0, stats.beta.ppf(alpha, np.maximum(ks, 1), n - ks + 1), 0.0)
    p_cert = float(stats.binom.pmf(ks, n, q)[lower >= 0.5].sum())
    exact = p_sel * p_cert
    (row,) = S.simulate_setting(S.halfspace_l2(q), [_cohen()], n=n, n0=n0, alpha=alpha, trials=trials, seed=2,
                                exact=False)
    lo, hi = _cp(row.wrong_class, trials, 1 - 1e-6)
    assert lo <= exact <= hi, (row.wrong_class / trials, exact)
    assert row.wrong_class < row.failures     # right-class failures exist too in this setting


# ---------------------------------------------------------------------------------------------------- PREDICT
def _two_sided_binom_p(k, n):
    """Exact two-sided binomial test of H0: p = 1/2 (symmetric: 2·P(X ≥ max(k, n−k)), capped at 1)."""
    m = max(k, n - k)
    tail = sum(math.comb(n, j) for j in range(m, n + 1))
    return min(1.0, 2 * tail / 2 ** n)


def test_predict_abstains_exactly_at_p_greater_than_alpha():
    # find counts with alpha/2 < p <= alpha: PREDICT must NOT abstain there
    alpha = 0.05
    for nA in range(50, 100):
        p = _two_sided_binom_p(nA, 100)
        res = C.predict_from_counts(nA, 100 - nA, alpha)
        assert res.p_value == pytest.approx(p, rel=1e-9)
        assert res.abstain is (p > alpha)
    hits = [nA for nA in range(50, 100) if alpha / 2 < _two_sided_binom_p(nA, 100) <= alpha]
    assert hits       # the grid contains the discriminating case


def test_dmr_interior_maximum_to_search_accuracy():
    # P = (0.31, 0.69), Q = (0.3, 0.7): interior sup at α ≈ 35.4 (mpmath); the grid + Brent search must reach it
    # to 1e-11 relative (a coarse Brent tolerance, xtol 1e-2 in log10(α − 1), is off by ~1e-7)
    ref, kl, arg = _mp_dmr2(0.31, 0.3)
    res = D.dmr_discrete([0.31, 0.69], [0.3, 0.7])
    assert res.limit is None and 30 < float(arg) < 40 and res.alpha == pytest.approx(float(arg), rel=1e-4)
    assert res.value == pytest.approx(float(ref), rel=1e-11)


# ---------------------------------------------------------------------------------------------------- T13 MC
def test_t13_monte_carlo_rejects_wrong_kl(monkeypatch):
    # the Hoeffding half-width at n = 20 000, loss bounded by 0.5 in absolute value, level 1e-6 is
    # 2·0.5·√(log(2e6)/(2n)) ≈ 0.019 (closed form); a KL off by 0.05 must be rejected
    ev = LI._check_t13_mc(False)
    assert ev.ok
    for r in ev.data["table"]:
        assert r["hoeffding_halfwidth_1e-6"] == pytest.approx(math.sqrt(math.log(2e6) / (2 * r["n"])), rel=1e-12)
    from theory.mechanisms import ExponentialLinf

    orig = ExponentialLinf.kl
    monkeypatch.setattr(ExponentialLinf, "kl", lambda self, *a, **k: orig(self, *a, **k) + 0.05)
    assert not LI._check_t13_mc(False).ok


def test_soundness_failure_rate_of_cohen_matches_exact_clopper_pearson_probability():
    # Cohen's certificate on a binary half-space (1 − pA = 0.1, n = 10⁶, α = 0.3): with the right class (selection
    # wrong with probability < 1e-15) a run fails iff the one-sided Clopper–Pearson bound pA_lower(kA) exceeds
    # pA (radius σΦ⁻¹(pA_lower) > σΦ⁻¹(pA)). Exact: P(Bin(n, pA) ≥ k*), k* the least such count (scipy.stats).
    # A loose tie tolerance at the true radius (1e-3 relative: ≈ 0.7 standard deviations of kA) lowers the rate.
    q, n, alpha, trials = 0.1, 10**6, 0.3, 4000
    pA = 1 - q
    lo, hi = int(n * pA) - 3000, int(n * pA) + 3000
    while hi - lo > 1:                                   # least k with CP_lower(k) > pA (monotone in k)
        mid = (lo + hi) // 2
        if stats.beta.ppf(alpha, mid, n - mid + 1) > pA:
            hi = mid
        else:
            lo = mid
    exact = float(stats.binom.sf(hi - 1, n, pA))
    (row,) = S.simulate_setting(S.halfspace_l2(q), [_cohen()], n=n, n0=100, alpha=alpha, trials=trials, seed=4,
                                exact=False)
    assert row.wrong_class == 0
    lo_ci, hi_ci = _cp(row.failures, trials, 1 - 1e-6)
    assert lo_ci <= exact <= hi_ci, (row.failures / trials, exact)
