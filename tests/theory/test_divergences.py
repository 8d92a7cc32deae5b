"""D4 / D5 divergences (theory.divergences): independent oracles (mpmath at 40 digits), limits,
properties with hypothesis (non-negativity, monotonicity in alpha, D_alpha <= D_inf, L21 data
processing), DMR search, bad input."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.divergences import (
    DMRResult,
    dinf_discrete,
    dmr_discrete,
    dmr_from_renyi,
    kl_discrete,
    renyi_density,
    renyi_density_product,
    renyi_discrete,
    renyi_discrete_log,
)

# ---------------------------------------------------------------- oracles (mpmath, 40 digits)


def mp_renyi(p, q, alpha, dps=40):
    """Direct definition D5 / D4 at ``dps`` digits (the oracle)."""
    with mp.workdps(dps):
        P = [mp.mpf(float(x)) for x in p]
        Q = [mp.mpf(float(x)) for x in q]
        sp_, sq = mp.fsum(P), mp.fsum(Q)
        P = [x / sp_ for x in P]
        Q = [x / sq for x in Q]
        if any(pi > 0 and qi == 0 for pi, qi in zip(P, Q, strict=False)):
            return mp.inf
        if alpha == 1:
            return mp.fsum(pi * mp.log(pi / qi) for pi, qi in zip(P, Q, strict=False) if pi > 0)
        if alpha == math.inf:
            return max(mp.log(pi / qi) for pi, qi in zip(P, Q, strict=False) if pi > 0)
        a = mp.mpf(alpha)
        return mp.log(mp.fsum(pi ** a * qi ** (1 - a) for pi, qi in zip(P, Q, strict=False) if pi > 0)) / (a - 1)


def rand_pair(rng, k, conc=0.5):
    return rng.dirichlet(np.full(k, conc)), rng.dirichlet(np.full(k, conc))


@pytest.mark.parametrize("alpha", [1.0, 1 + 1e-9, 1.5, 2.0, 7.3, 100.0, 1e6, math.inf])
def test_renyi_discrete_matches_mpmath_oracle(alpha):
    rng = np.random.default_rng(12)
    for _ in range(20):
        p, q = rand_pair(rng, int(rng.integers(2, 8)))
        got = renyi_discrete(p, q, alpha)
        want = float(mp_renyi(p, q, alpha))
        # relative 1e-12 (alpha-1 branch: ~1e-15 * max|log P/Q| / KL; scaled logsumexp otherwise)
        assert got == pytest.approx(want, rel=1e-11, abs=1e-15), (p, q, alpha)


def test_kl_and_dinf_aliases_and_log_version():
    rng = np.random.default_rng(3)
    p, q = rand_pair(rng, 5)
    assert kl_discrete(p, q) == renyi_discrete(p, q, 1)
    assert dinf_discrete(p, q) == renyi_discrete(p, q, math.inf)
    for a in (1, 1.7, 50, math.inf):
        assert renyi_discrete_log(np.log(p), np.log(q), a) == pytest.approx(renyi_discrete(p, q, a), rel=1e-13)


def test_alpha_to_one_is_continuous_to_kl():
    p, q = [0.2, 0.5, 0.3], [0.6, 0.3, 0.1]
    kl = float(mp_renyi(p, q, 1))
    for eps in (1e-3, 1e-6, 1e-9, 1e-12):
        got = renyi_discrete(p, q, 1 + eps)
        want = float(mp_renyi(p, q, 1 + eps))
        assert got == pytest.approx(want, rel=1e-11)
    assert renyi_discrete(p, q, 1 + 1e-12) == pytest.approx(kl, rel=1e-10)


def test_support_conventions_d4():
    # P puts mass where Q has none: every D_alpha, KL and D_inf are infinite
    assert renyi_discrete([0.5, 0.5], [1.0, 0.0], 2) == math.inf
    assert kl_discrete([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert dinf_discrete([0.5, 0.5], [1.0, 0.0]) == math.inf
    # Q puts mass where P has none: finite; D_inf = sup over supp(Q) of log P/Q = log 2
    assert dinf_discrete([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-15)
    assert renyi_discrete([1.0, 0.0], [0.5, 0.5], 3) == pytest.approx(math.log(2), rel=1e-15)
    r = dmr_discrete([0.5, 0.5], [1.0, 0.0])
    assert r.value == math.inf


def test_extreme_alpha_finite_and_accurate():
    p, q = [0.3, 0.7], [0.9, 0.1]
    for a in (1e6, 1e12, 1e100):
        got = renyi_discrete(p, q, a)
        assert math.isfinite(got)
        assert got == pytest.approx(float(mp_renyi(p, q, a, dps=60)), rel=1e-12)
    # tiny probabilities (log space)
    lp = np.array([-1000.0, math.log1p(-math.exp(-1000.0))])
    lq = np.array([math.log(0.5), math.log(0.5)])
    assert math.isfinite(renyi_discrete_log(lp, lq, 1e6))


# ---------------------------------------------------------------- properties (hypothesis)

@st.composite
def dist_pairs(draw, kmax=6):
    k = draw(st.integers(2, kmax))
    w = st.floats(0.0, 1.0, allow_nan=False)
    a = np.array(draw(st.lists(w, min_size=k, max_size=k)))
    b = np.array(draw(st.lists(w, min_size=k, max_size=k)))
    a = a + 1e-3
    b = b + 1e-3
    return a / a.sum(), b / b.sum()


alphas = st.one_of(st.just(1.0), st.floats(1.0, 1e4), st.just(math.inf))


@given(dist_pairs(), alphas)
def test_nonnegative_and_zero_iff_equal(pq, a):
    p, q = pq
    v = renyi_discrete(p, q, a)
    assert v >= 0
    assert renyi_discrete(p, p, a) == pytest.approx(0.0, abs=1e-14)
    if np.max(np.abs(p - q)) > 1e-3:
        assert v > 0


@given(dist_pairs(), st.floats(1.0, 200.0), st.floats(1.0, 200.0))
def test_nondecreasing_in_alpha_and_bounded_by_dinf(pq, a1, a2):
    p, q = pq
    lo, hi = sorted((a1, a2))
    v_lo, v_hi = renyi_discrete(p, q, lo), renyi_discrete(p, q, hi)
    assert v_lo <= v_hi * (1 + 1e-12) + 1e-15
    assert v_hi <= dinf_discrete(p, q) * (1 + 1e-12) + 1e-15


@given(dist_pairs(kmax=5), alphas, st.integers(2, 5), st.integers(0, 2 ** 32 - 1))
def test_data_processing_l21(pq, a, m, seed):
    """L21: D_alpha(PK || QK) <= D_alpha(P || Q) for a random stochastic map K (rows sum to 1)."""
    p, q = pq
    rng = np.random.default_rng(seed)
    K = rng.dirichlet(np.full(m, 0.5), size=len(p))
    pk, qk = p @ K, q @ K
    pk, qk = pk / pk.sum(), qk / qk.sum()
    assert renyi_discrete(pk, qk, a) <= renyi_discrete(p, q, a) * (1 + 1e-10) + 1e-13


# ---------------------------------------------------------------- DMR (D5)

def mp_dmr_interior(p, q, alpha0):
    """Oracle: stationary point of D_alpha/alpha by mpmath (30 digits) Newton on the derivative."""
    with mp.workdps(30):
        f = lambda a: mp_renyi(p, q, a, dps=80) / a  # noqa: E731  (extra digits for mp.diff)
        a_star = mp.findroot(lambda a: mp.diff(f, a), mp.mpf(alpha0))
        return float(a_star), float(f(a_star))


def test_dmr_interior_maximum():
    p, q = [0.5, 0.5], [0.99, 0.01]
    r = dmr_discrete(p, q)
    assert isinstance(r, DMRResult) and r.limit is None and r.alpha is not None
    # independent check of the value: brute-force dense grid of D_alpha/alpha at 40 digits
    grid = np.geomspace(1e-6, 1e6, 2001) + 1
    brute = max(float(mp_renyi(p, q, a)) / a for a in grid)
    assert r.value >= brute * (1 - 1e-12)
    a_star, v_star = mp_dmr_interior(p, q, 1.5)
    assert r.alpha == pytest.approx(a_star, rel=1e-4)  # flat maximum: alpha known to ~sqrt(eps)
    assert r.value == pytest.approx(v_star, rel=1e-12)


def test_dmr_limit_at_one_and_p_equals_q():
    p, q = [0.01, 0.99], [0.5, 0.5]
    r = dmr_discrete(p, q)
    assert r.limit == "alpha->1+" and r.alpha is None
    assert r.value == pytest.approx(float(mp_renyi(p, q, 1)), rel=1e-13)
    grid = np.geomspace(1e-8, 1e6, 500) + 1
    assert all(float(mp_renyi(p, q, a)) / a <= r.value * (1 + 1e-12) for a in grid)
    z = dmr_discrete([0.3, 0.7], [0.3, 0.7])
    assert z.value == 0.0 and z.attained_everywhere


def test_dmr_from_renyi_limit_at_infinity():
    # D_alpha/alpha increasing to 1 as alpha -> inf (D_inf infinite): reported as the alpha->inf limit
    r = dmr_from_renyi(lambda a: (a - 1.0) if a != 1.0 else 0.0)
    assert r.limit == "alpha->inf" and r.value == pytest.approx(1.0, rel=1e-7)


# ---------------------------------------------------------------- densities

def _lap(mu, b, lib=math):
    return lambda x: -abs(x - mu) / b - lib.log(2 * b)


def mp_laplace_renyi(a, delta, b=1, dps=40):
    """Mironov (2017) Prop. 6 evaluated in mpmath (closed form, independent of the float code)."""
    with mp.workdps(dps):
        a, x = mp.mpf(a), mp.mpf(delta) / mp.mpf(b)
        return mp.log(a / (2 * a - 1) * mp.exp((a - 1) * x) + (a - 1) / (2 * a - 1) * mp.exp(-a * x)) / (a - 1)


@pytest.mark.parametrize("alpha", [1.2, 2.0, 10.0])
def test_renyi_density_float_and_mpmath_paths(alpha):
    b, delta = 0.75, 1.25  # exactly representable: the float and mpmath inputs coincide
    want = mp_laplace_renyi(alpha, delta, b)
    got_mp = renyi_density(_lap(0, b, mp), _lap(delta, b, mp), alpha, dps=40, points=[0, delta])
    with mp.workdps(40):
        assert abs(got_mp - want) < mp.mpf(10) ** -30
    got = renyi_density(_lap(0, b), _lap(delta, b), alpha, points=[0, delta])
    assert got == pytest.approx(float(want), rel=1e-10)


def test_renyi_density_kl_dinf_and_near_one():
    b, delta = 1.0, 1.0
    lp, lq = _lap(0, b), _lap(delta, b)
    assert renyi_density(lp, lq, 1, points=[0, 1]) == pytest.approx(1 + math.expm1(-1), rel=1e-10)
    assert renyi_density(lp, lq, 1 + 1e-8, points=[0, 1]) == pytest.approx(
        float(mp_laplace_renyi(1 + mp.mpf("1e-8"), 1)), rel=1e-8)
    assert renyi_density(lp, lq, math.inf, points=[0, 1]) == pytest.approx(1.0, rel=1e-9)


def test_renyi_density_product_gaussian_l22():
    sig, deltas, a = 0.8, [0.3, -1.1, 0.5], 3.0
    c = math.log(sig * math.sqrt(2 * math.pi))
    pairs = []
    for dl in deltas:
        pairs.append((lambda x: -x * x / (2 * sig ** 2) - c,
                      lambda x, dl=dl: -(x - dl) ** 2 / (2 * sig ** 2) - c,
                      {"points": [0.0, dl, a * 0 + dl * (1 - a)]}))
    got = renyi_density_product(pairs, a)
    assert got == pytest.approx(a * sum(d * d for d in deltas) / (2 * sig ** 2), rel=1e-9)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("p,q,alpha,word", [
    ([0.5, 0.5], [0.5, 0.5], 0.5, "alpha"),
    ([0.5, 0.5], [0.5, 0.5], float("nan"), "alpha"),
    ([-0.1, 1.1], [0.5, 0.5], 2, "p"),
    ([0.5, 0.6], [0.5, 0.5], 2, "p"),
    ([0.5, float("nan")], [0.5, 0.5], 2, "p"),
    ([0.5, 0.5], [0.2, 0.3, 0.5], 2, "same shape"),
    ([0.5, 0.5], [0.5, 0.5 + 2e-9], 2, "q"),
])
def test_bad_input_raises_valueerror_naming_parameter(p, q, alpha, word):
    with pytest.raises(ValueError, match=word):
        renyi_discrete(p, q, alpha)


def test_sum_tolerance_accepts_1e_10():
    assert renyi_discrete([0.5, 0.5 + 1e-10], [0.5, 0.5], 2) >= 0
    with pytest.raises(ValueError, match="logp"):
        renyi_discrete_log([0.0, 0.0], [math.log(0.5)] * 2, 2)


@pytest.mark.parametrize("alpha", [1.01, 1.284, 1.49])
def test_renyi_density_small_alpha_infinite_bounds_no_overflow(alpha):
    """Regression: for 1 < alpha < 1.5 on (-inf, inf) the far-tail integrand p*expm1((a-1)L) overflowed.

    Reference: L22 closed form alpha * (shift/sigma)^2 / 2 with shift = sigma = 1 (an independent route).
    """
    logn = lambda m: (lambda y: -(y - m) ** 2 / 2 - 0.5 * math.log(2 * math.pi))  # noqa: E731
    v = renyi_density(logn(0.0), logn(1.0), alpha, points=[0, 1])
    assert v == pytest.approx(alpha / 2, rel=1e-9)
