"""Tests of theory.certificates: Clopper-Pearson, CERTIFY / PREDICT from counts, every certified radius
(C11, T13, T18, Cohen, PixelDP, Li, l2 -> l_inf, Yang) against independent mpmath oracles at 50 digits,
inverses, monotonicity, known values, the soundness search and the verification of Yang et al.'s radius.

Reference values come from routes independent of the code under test: the binomial tail (mpmath betainc),
sums of binomial probabilities, closed forms evaluated by mpmath, golden-section maximisation in mpmath,
published normal quantiles, and Monte Carlo with stated 6-sigma / Clopper-Pearson bounds.
"""

from __future__ import annotations

import math

import mpmath as mp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests._mp_oracles import golden_max
from theory import certificates as C
from theory.cli import main

# --------------------------------------------------------------------------------------------------
# mpmath oracles (50 digits), written from the printed formulas, independently of theory.certificates
# --------------------------------------------------------------------------------------------------
DPS = 50
RTOL = 1e-12   # float radii vs 50-digit oracles (the brief's tolerance)


def _mp_probs(e, pB=None):
    """pA, 1 - pA, pB at 50 digits with 1 - pA = e exact (e given as a float, taken exactly)."""
    e = mp.mpf(e)
    pA = 1 - e
    return pA, e, (e if pB is None else mp.mpf(pB))


def mp_phi_inv_upper(e):
    """x with P(N(0,1) > x) = e, by Newton on log(erfc) (works for e down to 1e-300)."""
    e = mp.mpf(e)
    x0 = mp.sqrt(-2 * mp.log(e)) if e < mp.mpf("0.3") else mp.mpf(0)
    return mp.findroot(lambda x: mp.log(mp.erfc(x / mp.sqrt(2)) / 2) - mp.log(e), x0)


def oracle(name, e, sigma, pB=None, c=None, d=None):
    with mp.workdps(DPS):
        pA, e_, pb = _mp_probs(e, pB)
        s = mp.mpf(sigma)
        lpa, lpb = mp.log1p(-e_), mp.log(pb)
        t = lpa - lpb
        if name == "cohen":
            qa = mp_phi_inv_upper(e_)
            r = s * qa if pB is None else s / 2 * (qa + mp_phi_inv_upper(pb))
        elif name == "cohen-linf":
            return oracle("cohen", e, sigma, pB) / math.sqrt(d)
        elif name == "c11":
            r = mp.sqrt(2) * s * t / (2 * (1 + mp.mpf(c)))
        elif name == "t18":
            r = mp.sqrt(2) * s * t / (2 * (1 + mp.mpf(c))) / mp.sqrt(d)
        elif name == "t13":
            r = s * t / 2
        elif name == "yang-linf":
            r = s * mp.log(1 / (2 * e_))
        elif name == "pixeldp":
            def L(eps):
                x = pA - mp.exp(2 * eps) * pb
                if x <= 0:
                    return mp.mpf(0)
                delta = x / (1 + mp.exp(eps))
                return s * eps / mp.sqrt(2 * mp.log(mp.mpf("1.25") / delta))
            r = _golden_max(L, mp.mpf(0), min(mp.mpf(1), t / 2))
        elif name == "li-renyi":
            rest = e_ - pb  # 1 - pA - pB, exact

            def obj(sv):
                a = 1 + mp.exp(sv)
                m = ((mp.exp((1 - a) * lpa) + mp.exp((1 - a) * lpb)) / 2) ** (1 / (1 - a))
                v = -(2 / a) * mp.log(rest + 2 * m)
                return v
            r = s * mp.sqrt(_golden_max(obj, mp.mpf(-12), mp.mpf(12)))
        else:
            raise KeyError(name)
        return float(max(r, 0))


_golden_max = golden_max


# --------------------------------------------------------------------------------------------------
# Clopper-Pearson
# --------------------------------------------------------------------------------------------------
CP_CASES = [(990, 1000, 0.001), (1, 10, 0.05), (50, 100, 0.01), (99_999, 100_000, 1e-6), (7, 7, 0.05),
            (100_000, 100_000, 0.001), (3, 1_000_000, 1e-6)]


def _binom_upper_tail(n, k, p):
    """P[Bin(n, p) >= k] by a finite sum of binomial probabilities over the shorter side (mpmath)."""
    pmf = lambda j: mp.binomial(n, j) * p ** j * (1 - p) ** (n - j)  # noqa: E731
    if k > n // 2:
        return mp.fsum(pmf(j) for j in range(k, n + 1))
    return 1 - mp.fsum(pmf(j) for j in range(0, k))


def _mp_root(f, x0):
    with mp.workdps(40):
        return mp.findroot(f, mp.mpf(x0), tol=mp.mpf(10) ** -60, verify=False)


@pytest.mark.parametrize("k,n,alpha", CP_CASES)
def test_clopper_pearson_lower_solves_binomial_tail(k, n, alpha):
    """p_lower solves P[Bin(n, p) >= k] = alpha (the binomial tail as a finite sum, mpmath root at 40 digits);
    the float agrees to 1e-12 relative (or 2 ulp of 1 when p is that close to 1)."""
    p = C.clopper_pearson_lower(k, n, alpha)
    if k == 0:
        assert p == 0.0
        return
    root = _mp_root(lambda x: _binom_upper_tail(n, k, x) - alpha, p)
    assert abs(p - float(root)) <= max(1e-12 * float(root), 4.5e-16)


@pytest.mark.parametrize("k,n,alpha", CP_CASES)
def test_clopper_pearson_interval_two_sided(k, n, alpha):
    """Two-sided: lower at alpha/2 as above; upper solves P[Bin(n, p) <= k] = alpha/2."""
    lo, hi = C.clopper_pearson_interval(k, n, alpha)
    assert lo == C.clopper_pearson_lower(k, n, alpha / 2)
    if k == n:
        assert hi == 1.0
    else:
        root = _mp_root(lambda x: 1 - _binom_upper_tail(n, k + 1, x) - alpha / 2, hi)
        assert abs(hi - float(root)) <= max(1e-12 * float(root), 4.5e-16)
    assert 0 <= lo <= k / n <= hi <= 1


def test_clopper_pearson_edge_cases():
    assert C.clopper_pearson_lower(0, 10, 0.05) == 0.0
    # all successes: p_lower = alpha^(1/n) (closed form of the Beta(n, 1) quantile)
    assert C.clopper_pearson_lower(100, 100, 0.001) == pytest.approx(0.001 ** (1 / 100), rel=1e-14)
    assert C.clopper_pearson_upper(10, 10, 0.05) == 1.0


# --------------------------------------------------------------------------------------------------
# CERTIFY / PREDICT from counts (hand-computed cases)
# --------------------------------------------------------------------------------------------------
def test_certify_all_successes_cohen_max_radius():
    """nA = n = 100000, alpha = 0.001 (Cohen et al.'s setting): pA_lower = 0.001^(1e-5) and the radius is
    sigma Phi^{-1}(pA_lower) -- the largest radius CERTIFY can return there (about 3.8 sigma)."""
    res = C.certify_from_counts(100_000, 100_000, 0.001, 0.25)
    with mp.workdps(DPS):
        p = mp.mpf("0.001") ** mp.mpf("1e-5")
        expect = 0.25 * float(mp_phi_inv_upper(1 - p))
    assert not res.abstain
    assert res.pA_lower == pytest.approx(float(p), rel=1e-14)
    assert res.radius == pytest.approx(expect, rel=1e-10)
    assert 3.7 < res.radius / 0.25 < 3.9


def test_certify_abstains_below_one_half():
    expect = C.CertifyResult(True, C.clopper_pearson_lower(50, 100, 0.001), 0.0)
    assert C.certify_from_counts(50, 100, 0.001, 0.5) == expect
    assert C.certify_from_counts(0, 100, 0.001, 0.5).abstain
    # 62/100 at alpha = 0.001: the CP lower bound is < 1/2 (binomial tail route), hence abstain
    with mp.workdps(30):
        tail_at_half = mp.betainc(62, 39, 0, mp.mpf("0.5"), regularized=True)  # P[Bin(100, 1/2) >= 62]
    assert tail_at_half > 0.001  # so p_lower < 1/2
    assert C.certify_from_counts(62, 100, 0.001, 0.5).abstain


def test_certify_radius_uses_the_certificate():
    res = C.certify_from_counts(990, 1000, 0.001, 0.5, "c11", c=1)
    pl = C.clopper_pearson_lower(990, 1000, 0.001)
    assert res.radius == pytest.approx(math.sqrt(2) * 0.5 * math.log(pl / (1 - pl)) / 4, rel=1e-9)
    res2 = C.certify_from_counts(990, 1000, 0.001, 0.5, "t18", c=3, d=3072)
    assert res2.radius == pytest.approx(math.sqrt(2) * 0.5 * math.log(pl / (1 - pl)) / 8 / math.sqrt(3072), rel=1e-9)


def test_certify_from_class_counts_picks_selection_argmax():
    cA, res = C.certify_from_class_counts([2, 90, 8], [10, 980, 10], 0.001, 0.25)
    assert cA == 1
    assert res == C.certify_from_counts(980, 1000, 0.001, 0.25)


def _binom_two_sided_p(nA, nB):
    """Exact two-sided binomial test at p = 1/2 (symmetric: twice the upper tail, capped at 1)."""
    n = nA + nB
    k = max(nA, nB)
    with mp.workdps(30):
        tail = mp.fsum(mp.binomial(n, j) for j in range(k, n + 1)) / mp.mpf(2) ** n
        return float(min(1, 2 * tail)) if nA != nB else 1.0


@pytest.mark.parametrize("nA,nB,alpha,abstain", [(60, 40, 0.05, True), (70, 30, 0.05, False), (50, 50, 0.5, True),
                                                   (9, 0, 0.01, False), (6, 0, 0.01, True), (1000, 900, 0.05, False)])
def test_predict_hand_cases(nA, nB, alpha, abstain):
    res = C.predict_from_counts(nA, nB, alpha)
    p = _binom_two_sided_p(nA, nB)
    assert res.p_value == pytest.approx(p, rel=1e-10)
    assert res.abstain == abstain == (p > alpha)


def test_predict_no_draws_abstains():
    assert C.predict_from_counts(0, 0, 0.05) == C.PredictResult(True, 1.0)


# --------------------------------------------------------------------------------------------------
# Radii vs mpmath at 50 digits (1 - pA down to 1e-300)
# --------------------------------------------------------------------------------------------------
GRID_E = [0.45, 0.3, 0.1, 1e-2, 1e-4, 1e-8, 1e-15, 1e-50, 1e-150, 1e-300]
CLOSED = [("cohen", {}), ("c11", {"c": 1.0}), ("c11", {"c": 3.0}), ("c11", {"c": 0.5}), ("t18", {"c": 1.0, "d": 3072}),
          ("t13", {}), ("yang-linf", {}), ("cohen-linf", {"d": 3072})]


@pytest.mark.parametrize("name,params", CLOSED)
@pytest.mark.parametrize("sigma", [0.25, 1.0])
def test_closed_form_radii_match_mpmath(name, params, sigma):
    for e in GRID_E:
        r = C.radius(name, one_minus_pA=e, sigma=sigma, **params)
        assert r == pytest.approx(oracle(name, e, sigma, **params), rel=RTOL), (name, e)
        # the same through log(1 - pA)
        r2 = C.radius(name, log_one_minus_pA=math.log(e), sigma=sigma, **params)
        assert r2 == pytest.approx(r, rel=RTOL)


@pytest.mark.parametrize("name", ["pixeldp", "li-renyi"])
def test_optimised_radii_match_mpmath(name):
    for e in [0.45, 0.1, 1e-3, 1e-15, 1e-300]:
        assert C.radius(name, one_minus_pA=e, sigma=0.5) == pytest.approx(oracle(name, e, 0.5), rel=RTOL), e


@pytest.mark.parametrize("name,params", [("cohen", {}), ("c11", {"c": 1.0}), ("t13", {}), ("pixeldp", {}),
                                         ("li-renyi", {})])
def test_multiclass_radii_match_mpmath(name, params):
    for e, pb in [(0.3, 0.2), (0.1, 0.01), (1e-6, 1e-9), (0.4, 1e-15), (1e-20, 1e-200)]:
        r = C.radius(name, one_minus_pA=e, pB=pb, sigma=1.0, **params)
        assert r == pytest.approx(oracle(name, e, 1.0, pB=pb, **params), rel=RTOL), (name, e, pb)


def test_multiclass_with_pB_equal_one_minus_pA_is_binary():
    for name, prm in CLOSED + [("pixeldp", {}), ("li-renyi", {})]:
        if not C.get(name).multiclass:
            continue
        for e in [0.3, 1e-3, 1e-12]:
            assert C.radius(name, one_minus_pA=e, pB=e, sigma=1, **prm) == pytest.approx(
                C.radius(name, one_minus_pA=e, sigma=1, **prm), rel=1e-9), (name, e)


# --------------------------------------------------------------------------------------------------
# Known values
# --------------------------------------------------------------------------------------------------
def test_known_cohen_value():
    """Cohen et al.'s radius at pA = 0.99, sigma = 0.5: 0.5 * Phi^{-1}(0.99), Phi^{-1}(0.99) = 2.326347874040841
    (standard normal table), and at pA = 0.975: Phi^{-1} = 1.959963984540054."""
    assert C.radius("cohen", pA=0.99, sigma=0.5) == pytest.approx(0.5 * 2.326347874040841, rel=1e-14)
    assert C.radius("cohen", pA=0.975, sigma=1) == pytest.approx(1.959963984540054, rel=1e-14)


def test_known_c11_t13_values():
    # log-odds 1 (pA = e/(1+e)): sqrt(eps) = 1/(2(1+c)), r = sqrt(2) sigma / (2 (1 + c))
    pA = math.e / (1 + math.e)
    assert C.radius("c11", pA=pA, sigma=1, c=1) == pytest.approx(math.sqrt(2) / 4, rel=1e-14)
    assert C.radius("t13", pA=pA, sigma=2) == pytest.approx(1.0, rel=1e-14)
    assert C.radius("t18", pA=pA, sigma=1, c=1, d=4) == pytest.approx(math.sqrt(2) / 8, rel=1e-14)
    # Yang: 1 - pA = 1/(2 e) -> r = sigma
    assert C.radius("yang-linf", one_minus_pA=1 / (2 * math.e), sigma=3) == pytest.approx(3.0, rel=1e-14)


def test_pixeldp_saturates_at_closed_form_limit():
    """pA -> 1: delta* -> 1/(1 + e^eps), the optimum is eps = 1, sup = sigma / sqrt(2 ln(1.25 (1 + e)))."""
    lim = 1 / math.sqrt(2 * math.log(1.25 * (1 + math.e)))
    assert C.radius("pixeldp", one_minus_pA=1e-300, sigma=1) == pytest.approx(lim, rel=1e-12)
    with pytest.raises(ValueError, match="radius must be <"):
        C.inverse("pixeldp", 0.6, sigma=1)


def test_li_bound_is_renyi_divergence_to_the_flipped_distribution():
    """Binary: -log(2 M_{1-a}(pA, pB)) = D_a((1/2, 1/2) || (pA, pB)) (mpmath), so Li et al.'s bound is the
    Renyi divergence to the nearest distribution whose top class changes."""
    with mp.workdps(40):
        for pA in [mp.mpf("0.6"), mp.mpf("0.9"), 1 - mp.mpf("1e-12")]:
            pB = 1 - pA
            for a in [mp.mpf("1.5"), mp.mpf(2), mp.mpf(10)]:
                m = ((pA ** (1 - a) + pB ** (1 - a)) / 2) ** (1 / (1 - a))
                lhs = -mp.log(2 * m)
                half = mp.mpf(1) / 2
                d_a = mp.log(half ** a * pA ** (1 - a) + half ** a * pB ** (1 - a)) / (a - 1)
                assert abs(lhs - d_a) < mp.mpf(10) ** -35


def test_li_limit_near_one_half():
    """pA -> 1/2: Li's radius / Cohen's -> 2 / sqrt(2 pi)
    (r_Li ~ sigma atanh(2 pA - 1), r_Cohen ~ sigma sqrt(2 pi) (pA - 1/2))."""
    ratio = C.radius("li-renyi", one_minus_pA=0.5 - 1e-9, sigma=1) / C.radius("cohen", one_minus_pA=0.5 - 1e-9, sigma=1)
    assert ratio == pytest.approx(2 / math.sqrt(2 * math.pi), rel=1e-6)


# --------------------------------------------------------------------------------------------------
# Monotonicity and inverses
# --------------------------------------------------------------------------------------------------
ALL = [("cohen", {}), ("c11", {"c": 1.0}), ("t18", {"c": 3.0, "d": 100}), ("cohen-linf", {"d": 100}),
       ("pixeldp", {}), ("li-renyi", {}), ("t13", {}), ("yang-linf", {})]


@given(st.floats(min_value=-300, max_value=math.log10(0.4999)), st.floats(min_value=0.01, max_value=3.0))
def test_radii_increase_in_pA(log10_e, frac):
    e1 = 10.0 ** log10_e
    e2 = min(0.4999999, e1 * (1 + frac))
    for name, prm in ALL:
        r1 = C.radius(name, one_minus_pA=e1, sigma=1, **prm)
        r2 = C.radius(name, one_minus_pA=e2, sigma=1, **prm)
        assert r1 >= r2 * (1 - 1e-12), (name, e1, e2)


@pytest.mark.parametrize("name,params", ALL)
def test_inverse_round_trip(name, params):
    for e in [0.4, 0.1, 1e-3, 1e-9, 1e-15, 1e-100, 1e-300]:
        r = C.radius(name, one_minus_pA=e, sigma=0.7, **params)
        y = C.inverse(name, r, sigma=0.7, log=True, **params)
        # the radius at the inverse reproduces r
        assert C.radius(name, log_one_minus_pA=y, sigma=0.7, **params) == pytest.approx(r, rel=1e-10, abs=1e-300)
        if name != "pixeldp" or e > 1e-6:  # pixeldp's radius is flat (saturated) near pA = 1: y is ill-conditioned
            assert y == pytest.approx(math.log(e), rel=1e-9), (name, e)


@pytest.mark.parametrize("name,params", [("cohen", {}), ("c11", {"c": 2.0}), ("t13", {}), ("li-renyi", {})])
def test_inverse_multiclass(name, params):
    for pb in [0.2, 1e-3, 1e-12]:
        for r in [0.1, 0.5, 2.0]:
            try:
                y = C.inverse(name, r, sigma=1, pB=pb, log=True, **params)
            except ValueError:
                continue   # not reachable with pA <= 1 - pB
            assert C.radius(name, log_one_minus_pA=y, pB=pb, sigma=1, **params) == pytest.approx(r, rel=1e-9)


def test_inverse_zero_radius():
    assert C.inverse("cohen", 0.0, sigma=1) == pytest.approx(0.5)
    assert C.inverse("c11", 0.0, sigma=1, c=1) == pytest.approx(0.5)


def test_one_minus_pA_1e300_is_exact():
    """1 - pA = 1e-300 is representable through one_minus_pA: the radius differs from 1 - pA = 2e-300's."""
    r1 = C.radius("cohen", one_minus_pA=1e-300, sigma=1)
    r2 = C.radius("cohen", one_minus_pA=2e-300, sigma=1)
    assert r1 > r2 and math.isfinite(r1)


# --------------------------------------------------------------------------------------------------
# certified_radii (the empirical TSV columns)
# --------------------------------------------------------------------------------------------------
def test_certified_radii_columns_and_values():
    g = C.certified_radii("gaussian", 0.99, 0.5, 3072)
    assert tuple(g) == C.RADIUS_COLUMNS["gaussian"]
    assert g["radius_cohen"] == C.radius("cohen", pA=0.99, sigma=0.5)
    assert g["radius_c11_c3"] == pytest.approx(C.radius("c11", pA=0.99, sigma=0.5, c=3), rel=1e-15)
    assert g["radius_t18_linf_c1"] == pytest.approx(C.radius("c11", pA=0.99, sigma=0.5, c=1) / math.sqrt(3072))
    assert g["radius_cohen_linf"] == pytest.approx(g["radius_cohen"] / math.sqrt(3072))
    x = C.certified_radii("exponential-linf", 0.99, 0.5, 3072)
    assert tuple(x) == ("radius_t13_linf", "radius_yang_linf")
    assert x["radius_yang_linf"] == pytest.approx(0.5 * math.log(50), rel=1e-14)


@pytest.mark.parametrize("pA", [0.0, 0.3, 0.5])
def test_certified_radii_no_certificate_is_zero(pA):
    for mech in C.RADIUS_COLUMNS:
        vals = C.certified_radii(mech, pA, 1.0, 10)
        assert all(v == 0.0 for v in vals.values())


def test_certified_radii_exact_one_minus():
    v = C.certified_radii("gaussian", 1.0 - 1e-300, 1.0, 10, one_minus_pA_lower=1e-300)
    assert v["radius_cohen"] == pytest.approx(oracle("cohen", 1e-300, 1.0), rel=RTOL)
    assert all(math.isfinite(x) for x in v.values())


# --------------------------------------------------------------------------------------------------
# Soundness vs the tight radius
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c", [0.5, 1.0, 2.0])
def test_c11_exceeds_tight_threshold_is_a_crossing(c):
    """C11 exceeds Cohen's radius for 1 - pA below a threshold; at the threshold the two radii agree (mpmath),
    below it C11 is larger, above it smaller."""
    res = C.exceeds_tight("c11", c=c)
    assert res["exceeds_tight"] and len(res["intervals"]) == 1
    t = res["from_one_minus_pA"]
    assert oracle("c11", t, 1.0, c=c) == pytest.approx(oracle("cohen", t, 1.0), rel=1e-8)
    assert oracle("c11", t / 2, 1.0, c=c) > oracle("cohen", t / 2, 1.0)
    assert oracle("c11", min(2 * t, 0.49), 1.0, c=c) < oracle("cohen", min(2 * t, 0.49), 1.0)
    # multi-class form with K = 10 classes (default): exceeds for c <= 2, at an admissible pair
    mc = res["multiclass"]
    assert mc["exceeds_tight"] and mc["num_classes"] == res["num_classes"] == 10
    assert C.min_runner_up(mc["at_one_minus_pA"], 10) <= mc["at_pB"] <= mc["at_one_minus_pA"]
    assert mc["classes_at_max"] <= 10
    t18 = C.exceeds_tight("t18", c=c, d=3072, multiclass=False)
    assert t18["from_one_minus_pA"] == pytest.approx(t, rel=1e-9)


def test_c11_c3_binary_sound_in_range_but_not_beyond():
    """c = 3 (the paper's 'in practice'): binary form below the tight radius on [1e-15, 1/2); it exceeds only
    for 1 - pA below ~5e-27.  The multi-class form does not exceed with K = 10 or K = 1000 classes (pB, the
    runner-up, is >= (1 - pA)/(K - 1)); it would with ~1e15 classes (pB down to 1e-15 / 1e15)."""
    res = C.exceeds_tight("c11", c=3.0)
    assert not res["exceeds_tight"]
    assert oracle("c11", 1e-15, 1.0, c=3) < oracle("cohen", 1e-15, 1.0)
    b = res["beyond_range"]["from_one_minus_pA"]
    assert 1e-28 < b < 1e-26
    assert oracle("c11", b, 1.0, c=3) == pytest.approx(oracle("cohen", b, 1.0), rel=1e-8)
    for k in (10, 1000):
        mc = C.exceeds_tight("c11", c=3.0, num_classes=k)["multiclass"]
        assert not mc["exceeds_tight"] and mc["num_classes"] == k and mc["max_ratio"] < 0.9
        # the largest ratio sits at the smallest admissible pB (mpmath oracle agrees)
        assert mc["at_pB"] == pytest.approx(mc["at_one_minus_pA"] / (k - 1), rel=1e-12)
        ratio = oracle("c11", mc["at_one_minus_pA"], 1.0, pB=mc["at_pB"], c=3) / oracle(
            "cohen", mc["at_one_minus_pA"], 1.0, pB=mc["at_pB"])
        assert float(ratio) == pytest.approx(mc["max_ratio"], rel=1e-9)
    huge = C.exceeds_tight("c11", c=3.0, num_classes=10**15, multiclass=True)["multiclass"]
    assert huge["exceeds_tight"] and huge["classes_at_max"] > 10**14


def _admissible_brute(pa, pb, k):
    """Independent route: build the class vector greedily (A, B, then classes of probability pB while mass is
    left, the remainder last) and check it is a probability vector with B the runner-up and at most k classes."""
    rest = 1 - pa - pb
    if pb > pa or rest < -mp.mpf(10) ** (-40):
        return False
    probs = [pa, pb]
    while rest > mp.mpf(10) ** (-40) * pb:
        if len(probs) >= k:     # one more class would exceed k: inadmissible (stop building the vector)
            return False
        take = min(pb, rest)
        probs.append(take)
        rest -= take
    return len(probs) <= k and all(p <= pb for p in probs[2:])


@pytest.mark.parametrize("c,k", [(2.0, 4), (3.0, 10)])
def test_multiclass_admissibility_against_brute_force_grid(c, k):
    """exceeds_tight's K-bounded multi-class search against a brute-force mpmath grid: every pair (1 - pA, pB)
    on a log grid is kept iff the greedy class vector is valid (_admissible_brute), and the ratio C11 / tight is
    evaluated by the mpmath oracles.  The search's maximum is admissible, equals the brute-force maximum (both
    grids contain the corner 1 - pA = 1e-15, pB = (1 - pA)/(K - 1)), and pairs the bound excludes reach higher."""
    res = C.exceeds_tight("c11", c=c, num_classes=k, grid=64)["multiclass"]
    es = [1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.1, 0.4]
    best, best_excluded = 0.0, 0.0
    with mp.workdps(DPS):
        for e in es:
            e_ = mp.mpf(e)
            for j in range(0, 41):
                pb = e_ * mp.mpf(10) ** (-mp.mpf(j) / 8)          # pB from 1 - pA down to (1 - pA)/1e5
                if j == 40:
                    pb = e_ / (k - 1)                              # the corner, exactly
                ratio = float(oracle("c11", e, 1.0, pB=float(pb), c=c) / oracle("cohen", e, 1.0, pB=float(pb)))
                if _admissible_brute(1 - e_, pb, k):
                    best = max(best, ratio)
                else:
                    best_excluded = max(best_excluded, ratio)
        assert _admissible_brute(1 - mp.mpf(res["at_one_minus_pA"]), mp.mpf(res["at_pB"]) * (1 + mp.mpf(10) ** -12), k)
    assert res["max_ratio"] == pytest.approx(best, rel=1e-6)
    assert res["exceeds_tight"] == (best > 1 + C.EXCEED_RTOL)
    assert best_excluded > best           # the bound matters: smaller pB (more classes) gives larger ratios


@pytest.mark.parametrize("name", ["t13", "li-renyi", "pixeldp"])
def test_sound_certificates_never_exceed(name):
    res = C.exceeds_tight(name, grid=60, pB_grid=8)
    assert not res["exceeds_tight"] and res["max_ratio"] <= 1 + C.EXCEED_RTOL
    if res["multiclass"] is not None:
        assert not res["multiclass"]["exceeds_tight"]


@given(st.floats(min_value=-300, max_value=math.log10(0.5)))
def test_t13_below_yang_analytically(log10_e):
    """yang - t13 = sigma (-log 2 - (log pA + log(1 - pA))/2) >= 0 since pA (1 - pA) <= 1/4."""
    e = min(10.0 ** log10_e, 0.5 - 1e-12)
    assert C.radius("t13", one_minus_pA=e, sigma=1) <= C.radius("yang-linf", one_minus_pA=e, sigma=1) * (1 + 1e-12)


# --------------------------------------------------------------------------------------------------
# Yang et al.'s l_inf radius for eq.-6 noise: verified independently in low dimension
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("e", [0.3, 0.1, 1e-3, 1e-30])
def test_yang_exact_in_d1(e):
    r = C.yang_linf_check_1d(e, sigma=0.7)
    assert r["np_flip_radius"] == pytest.approx(r["yang"], rel=1e-12)


@pytest.mark.parametrize("d", [2, 3])
def test_yang_tight_in_d2_d3_numeric_np(d):
    """Numeric Neyman-Pearson (1e6 draws, fixed seed): at the corner shift the flip happens between 0.97 and
    1.03 times Yang's radius (6 standard errors), the axis shift does not flip at 1.03 times it, and the
    maximal-ratio set has mass e^{-t}/2 (two-sided Clopper-Pearson interval at 1e-6)."""
    e = 0.1
    ty = C.radius("yang-linf", one_minus_pA=e, sigma=1)
    corner = [1.0] * d
    axis = [1.0] + [0.0] * (d - 1)
    lo = C.yang_linf_check_mc(e, 0.97 * ty, corner, d=d, seed=1)
    hi = C.yang_linf_check_mc(e, 1.03 * ty, corner, d=d, seed=2)
    assert lo["beta"] < 0.5 - 6 * lo["se"]
    assert hi["beta"] > 0.5 + 6 * hi["se"]
    ax = C.yang_linf_check_mc(e, 1.03 * ty, axis, d=d, seed=3)
    assert ax["beta"] < 0.5 - 6 * ax["se"]
    for r in (lo, hi):
        ci = C.clopper_pearson_interval(r["max_ratio_count"], r["n"], 1e-6)
        assert ci[0] <= r["max_ratio_mass_corner_theory"] <= ci[1]


# --------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,match", [
    (lambda: C.radius("cohen", pA=1.5, sigma=1), "pA"),
    (lambda: C.radius("cohen", pA=0.9, one_minus_pA=0.1, sigma=1), "exactly one"),
    (lambda: C.radius("cohen", sigma=1), "exactly one"),
    (lambda: C.radius("cohen", one_minus_pA=0.0, sigma=1), "one_minus_pA"),
    (lambda: C.radius("cohen", log_one_minus_pA=0.1, sigma=1), "log_one_minus_pA"),
    (lambda: C.radius("cohen", pA=0.9, sigma=-1), "sigma"),
    (lambda: C.radius("cohen", pA=0.9, sigma=float("nan")), "sigma"),
    (lambda: C.radius("cohen", pA=0.7, pB=0.5, sigma=1), "pB"),
    (lambda: C.radius("c11", pA=0.9, sigma=1), "needs parameter c"),
    (lambda: C.radius("c11", pA=0.9, sigma=1, c=-1), "c must be > 0"),
    (lambda: C.radius("t18", pA=0.9, sigma=1, c=1, d=0), "d must be"),
    (lambda: C.radius("cohen", pA=0.9, sigma=1, c=1), "unexpected"),
    (lambda: C.radius("yang-linf", pA=0.9, pB=0.05, sigma=1), "binary form"),
    (lambda: C.radius("nope", pA=0.9, sigma=1), "certificate must be one of"),
    (lambda: C.inverse("cohen", -1.0, sigma=1), "radius"),
    (lambda: C.clopper_pearson_lower(11, 10, 0.05), "k must lie"),
    (lambda: C.clopper_pearson_lower(5, 0, 0.05), "n must be"),
    (lambda: C.clopper_pearson_lower(5, 10, 0.0), "alpha"),
    (lambda: C.clopper_pearson_lower(5, 10, 1.0), "alpha"),
    (lambda: C.clopper_pearson_lower(5.5, 10, 0.1), "k must be"),
    (lambda: C.certify_from_counts(5, 10, 0.1, 0.0), "sigma"),
    (lambda: C.predict_from_counts(3, 5, 0.05), "nA must be the top count"),
    (lambda: C.certified_radii("laplace", 0.9, 1, 1), "mechanism"),
    (lambda: C.certified_radii("gaussian", 1.0, 1, 1), "pA_lower"),
    (lambda: C.certified_radii("gaussian", 0.9, 1, 0), "d must be"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------------
def test_cli_radius_json(capsys):
    import json

    assert main(["radius", "--certificate", "cohen", "--pA", "0.99", "--sigma", "0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["radius"] == pytest.approx(0.5 * 2.326347874040841, rel=1e-14)
    assert main(["radius", "--certificate", "t18", "--one-minus-pA", "1e-12", "--sigma", "0.5", "--dim", "3072",
                 "--c", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["radius"] == pytest.approx(oracle("t18", 1e-12, 0.5, c=1, d=3072), rel=RTOL)
    assert main(["radius", "--certificate", "cohen", "--radius", "1.0", "--sigma", "0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["one_minus_pA"] == pytest.approx(float(mp.ncdf(-2)), rel=1e-12)


def test_cli_radius_compare_and_errors(capsys):
    assert main(["radius", "--compare", "--sigma", "0.5", "--dim", "10"]) == 0
    text = capsys.readouterr().out
    assert "1e-300" in text and "yang-linf" in text
    assert main(["radius", "--certificate", "c11", "--pA", "0.9", "--sigma", "1"]) == 2
    assert "needs parameter c" in capsys.readouterr().err
    assert main(["radius", "--certificate", "cohen", "--pA", "2", "--sigma", "1"]) == 2
