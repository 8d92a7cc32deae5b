"""Mechanisms (theory.mechanisms): closed forms vs mpmath quadrature at >= 30 digits, published
values, dp-accounting, the eq.-6 numeric route (d = 1 Laplace, d = 2 mpmath route, Monte Carlo),
R14 sampler vs the eq.-6 law (KS), noise magnitudes (T15), extremes and bad input."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import special, stats

from theory.mechanisms import (
    MECHANISMS,
    ExponentialLinf,
    Gaussian,
    Laplace,
    RandomizedResponse,
    get_mechanism,
    laplace_renyi_1d,
)

# --------------------------------------------------------------- published values (Laplace)

PUBLISHED_LAPLACE = {2: 0.6191236299985929, 10: 0.9286829020966803, 100: 0.9930491450632687}


@pytest.mark.parametrize("alpha,value", sorted(PUBLISHED_LAPLACE.items()))
def test_laplace_published_values(alpha, value):
    assert Laplace(1.0).renyi(alpha, 1.0) == pytest.approx(value, rel=2e-16, abs=2e-16)


# --------------------------------------------------------------- closed forms vs mpmath quad

def mp_renyi_quad(logp, logq, alpha, points, dps=40):
    """D_alpha by mpmath quadrature of p^alpha q^(1-alpha) (KL for alpha = 1), at dps digits."""
    with mp.workdps(dps):
        if alpha == 1:
            v = mp.quad(lambda x: mp.exp(logp(x)) * (logp(x) - logq(x)), points)
            return v
        a = mp.mpf(alpha)
        v = mp.quad(lambda x: mp.exp(a * logp(x) + (1 - a) * logq(x)), points)
        return mp.log(v) / (a - 1)


@pytest.mark.parametrize("alpha", [1, mp.mpf(3) / 2, 2, 10])
def test_laplace_closed_form_vs_mpmath_quadrature_30_digits(alpha):
    with mp.workdps(40):
        b, delta = mp.mpf(3) / 4, mp.mpf(5) / 4
        lp = lambda x: -abs(x) / b - mp.log(2 * b)  # noqa: E731
        lq = lambda x: -abs(x - delta) / b - mp.log(2 * b)  # noqa: E731
        quad = mp_renyi_quad(lp, lq, alpha, [-mp.inf, 0, delta, mp.inf])
        a, x = mp.mpf(alpha), delta / b
        if alpha == 1:
            closed = x + mp.expm1(-x)
        else:
            closed = mp.log(a / (2 * a - 1) * mp.exp((a - 1) * x) + (a - 1) / (2 * a - 1) * mp.exp(-a * x)) / (a - 1)
        assert abs(quad - closed) < mp.mpf(10) ** -30
    got = Laplace(0.75).renyi(float(alpha), 1.25)
    assert got == pytest.approx(float(closed), rel=1e-14)


@pytest.mark.parametrize("alpha", [1, 2, 7])
def test_gaussian_l22_vs_mpmath_quadrature_30_digits(alpha):
    with mp.workdps(40):
        s, mu = mp.mpf(1) / 2, mp.mpf(3) / 4
        c = mp.log(s * mp.sqrt(2 * mp.pi))
        lp = lambda x: -x ** 2 / (2 * s ** 2) - c  # noqa: E731
        lq = lambda x: -(x - mu) ** 2 / (2 * s ** 2) - c  # noqa: E731
        mode = (1 - alpha) * mu
        quad = mp_renyi_quad(lp, lq, alpha, sorted({-mp.inf, mode, 0, mu, mp.inf}))
        closed = alpha * mu ** 2 / (2 * s ** 2)  # L22
        assert abs(quad - closed) < mp.mpf(10) ** -30
    assert Gaussian(0.5, 1).renyi(alpha, 0.75) == pytest.approx(float(closed), rel=1e-15)


@pytest.mark.parametrize("alpha", [1, 1 + 1e-9, 1.5, 2, 50, math.inf])
def test_randomized_response_closed_form_vs_exact_sum(alpha):
    eps = 0.8
    with mp.workdps(40):
        e = mp.mpf(eps)
        p = mp.exp(e) / (1 + mp.exp(e))
        P, Q = [p, 1 - p], [1 - p, p]
        if alpha == 1:
            want = mp.fsum(a * mp.log(a / b_) for a, b_ in zip(P, Q, strict=False))
        elif alpha == math.inf:
            want = e
        else:
            a = mp.mpf(alpha)
            want = mp.log(mp.fsum(x ** a * y ** (1 - a) for x, y in zip(P, Q, strict=False))) / (a - 1)
    assert RandomizedResponse(eps).renyi(alpha, 1) == pytest.approx(float(want), rel=1e-14)


def test_laplace_near_one_and_large_alpha():
    for lam in (1e-4, 1e-8, 1e-12):
        with mp.workdps(50):
            a = 1 + mp.mpf(lam)
            want = mp.log(a / (2 * a - 1) * mp.exp(a - 1) + (a - 1) / (2 * a - 1) * mp.exp(-a)) / (a - 1)
        assert laplace_renyi_1d(1 + lam, 1.0) == pytest.approx(float(want), rel=1e-12)
    assert laplace_renyi_1d(1e6, 1.0) == pytest.approx(1.0 - math.log(2) / 1e6, rel=1e-9)


# --------------------------------------------------------------- dp-accounting agreement

def test_dp_accounting_agreement_gaussian_and_laplace():
    dpa = pytest.importorskip("dp_accounting")
    try:
        from dp_accounting.rdp import RdpAccountant
    except ImportError:  # pragma: no cover
        pytest.skip("dp_accounting.rdp.RdpAccountant not available in this version")
    orders = [1.5, 2.0, 3.0, 10.0, 64.0]
    for sigma in (0.5, 2.0):
        acc = RdpAccountant(orders=orders)
        acc.compose(dpa.GaussianDpEvent(noise_multiplier=sigma))
        rdp = getattr(acc, "_rdp", None)
        if rdp is None:  # pragma: no cover
            pytest.skip("RdpAccountant has no _rdp attribute in this version")
        for a, v in zip(orders, rdp, strict=False):
            assert Gaussian(sigma).renyi(a, 1.0) == pytest.approx(v, rel=1e-12)
    for b in (0.5, 1.0, 3.0):
        acc = RdpAccountant(orders=orders)
        acc.compose(dpa.LaplaceDpEvent(noise_multiplier=b))
        for a, v in zip(orders, acc._rdp, strict=False):
            assert Laplace(b).renyi(a, 1.0) == pytest.approx(v, rel=1e-12)


# --------------------------------------------------------------- eq. 6 (ExponentialLinf)

@pytest.mark.parametrize("alpha", [1.0, 1 + 1e-6, 1.5, 2.0, 10.0, 100.0, 1e6])
def test_eq6_d1_equals_laplace_closed_form(alpha):
    for r in (0.3, 1.0, 2.5):
        got = ExponentialLinf(1.3, 1).renyi(alpha, r)
        assert got == pytest.approx(laplace_renyi_1d(alpha, r / 1.3), rel=1e-12)


def mp_eq6_d2_axis(alpha, r, sigma=1, dps=30):
    """Independent route for d = 2, delta = (r, 0): the z2-integral of p^alpha q^(1-alpha) in closed
    form (piecewise in |z2| vs |z1| and |z1 - r|), then mpmath quad over z1."""
    with mp.workdps(dps):
        al, r, s = mp.mpf(alpha), mp.mpf(r), mp.mpf(sigma)
        logc = -(2 * mp.log(2 * s) + mp.log(2))  # eq. 6 normaliser, d = 2: (2 sigma)^2 2!

        def inner(z1):
            A, B = abs(z1), abs(z1 - r)
            lo, hi = min(A, B), max(A, B)
            integral = lo * mp.exp(-(al * A + (1 - al) * B) / s)
            if A < B:
                integral += mp.exp(-(1 - al) * B / s) * (mp.exp(-al * lo / s) - mp.exp(-al * hi / s)) * s / al
            else:
                k = (1 - al) / s
                integral += mp.exp(-al * A / s) * (mp.exp(-k * hi) - mp.exp(-k * lo)) / (-k)
            integral += mp.exp(-hi / s) * s
            return 2 * integral * mp.exp(logc)

        v = mp.quad(inner, [-mp.inf, 0, r / 2, r, mp.inf])
        return mp.log(v) / (al - 1)


@pytest.mark.parametrize("alpha", [1.5, 2.0, 10.0])
def test_eq6_d2_axis_vs_mpmath_route(alpha):
    want = float(mp_eq6_d2_axis(alpha, 1))
    m = ExponentialLinf(1.0, 2)
    assert m.renyi(alpha, 1.0, "linf", direction=[1, 0]) == pytest.approx(want, rel=1e-12)
    assert m.renyi(alpha, 1.0, "linf", direction=[0, -1], method="quad", epsrel=1e-11) == pytest.approx(want, rel=1e-10)


def test_eq6_gl_vs_quad_route_d10():
    m = ExponentialLinf(0.7, 10)
    u = np.array([1.0, 0.5, 0.5, 0, 0, 0, 0, -0.5, 0, 0])
    for a in (1.0, 3.0):
        assert m.renyi(a, 0.6, "linf", u) == pytest.approx(m.renyi(a, 0.6, "linf", u, method="quad"), rel=1e-9)


def _mc_ci(x):
    """mean and a 6-sigma half-width (CLT) for i.i.d. bounded samples."""
    return float(np.mean(x)), 6.0 * float(np.std(x)) / math.sqrt(len(x))


@pytest.mark.parametrize("direction", ["corner", "axis"])
def test_eq6_monte_carlo(direction):
    """E_P[exp((alpha-1) L)] = exp((alpha-1) D_alpha) and E_P[L] = KL, L = (||z-delta|| - ||z||)/sigma,
    z from the R14 sampler (fixed seed); 6-sigma CLT bounds (L is bounded by ||delta||_inf/sigma)."""
    d, sigma, alpha = 10, 1.0, 2.0
    m = ExponentialLinf(sigma, d)
    u = np.ones(d) if direction == "corner" else np.eye(d)[0]
    z = m.sample(np.random.default_rng(2024), 200_000)
    L = (np.max(np.abs(z - u), axis=1) - np.max(np.abs(z), axis=1)) / sigma
    mean, hw = _mc_ci(np.exp((alpha - 1) * L))
    assert abs(math.exp((alpha - 1) * m.renyi(alpha, 1.0, "linf", u)) - mean) < hw
    mean, hw = _mc_ci(L)
    assert abs(m.renyi(1.0, 1.0, "linf", u) - mean) < hw


def test_eq6_dinf_t13_first_part():
    m = ExponentialLinf(0.5, 4)
    u = np.array([0.2, -1.0, 0.4, 0.0])
    assert m.dinf(0.3, "linf", u) == pytest.approx(0.3 / 0.5, rel=1e-15)
    # brute force: sup_z log p(z)/q(z) over samples never exceeds it, and z = 0 attains it
    z = m.sample(np.random.default_rng(5), 20_000)
    delta = 0.3 * u
    ratio = m.logpdf(z) - m.logpdf(z - delta)
    assert ratio.max() <= 0.3 / 0.5 + 1e-12
    assert (m.logpdf(np.zeros(4)) - m.logpdf(-delta)) == pytest.approx(0.6, rel=1e-14)
    # D_alpha -> D_inf as alpha -> inf
    assert m.renyi(1e8, 0.3, "linf", u) == pytest.approx(0.6, rel=1e-6)


def test_eq6_worst_linf_direction_is_searched_and_beats_random_directions():
    d = 4
    m = ExponentialLinf(1.0, d)
    k, vals = m.worst_case_search("linf", 2.0)
    assert set(vals) == set(range(1, d + 1))
    best = vals[k]
    rng = np.random.default_rng(9)
    for _ in range(3):
        u = rng.uniform(-1, 1, d)
        assert m.renyi(2.0, 1.0, "linf", u) <= best * (1 + 1e-12)


def test_eq6_corner_shift_independent_of_d_observed():
    """Observation (not a paper claim): for the corner shift delta = r(1,...,1) the numeric D_alpha of
    eq. 6 equals the d = 1 (Laplace, Mironov 2017) value at every d tried, up to d = 1e9.  Also
    exercises the huge-d numerics (stable Gamma log-density, 1 - G without cancellation)."""
    for d in (3, 1000, 10 ** 9):
        m = ExponentialLinf(1.0, d)
        for a in (1.0, 2.0, 10.0):
            got = _corner(m, a)
            assert got == pytest.approx(laplace_renyi_1d(a, 1.0), rel=1e-11)


def _corner(m, a):
    from theory.mechanisms import _expo_renyi
    return _expo_renyi(((1.0, m.d),), m.d, m.sigma, a, 1e-10)


# --------------------------------------------------------------- R14 sampler vs eq. 6

def eq6_linf_cdf(x, d, sigma):
    """||z||_inf under eq. 6: vol{||z||_inf <= t} = (2t)^d  =>  Gamma(shape d, scale sigma)."""
    return stats.gamma.cdf(x, d, scale=sigma)


def eq6_abs_marginal_cdf(y, d, sigma):
    """CDF of |z_1| derived from eq. 6 directly: p_1(x) = c[(2|x|)^{d-1} e^{-|x|/s} + int_{|x|}^inf
    e^{-t/s} d(2t)^{d-1}], integrated: P(d, x) + (x/d) Q(d-1, x), x = y/sigma (P, Q regularised
    incomplete gamma); d = 1: P(1, x)."""
    x = np.asarray(y) / sigma
    if d == 1:
        return special.gammainc(1, x)
    return special.gammainc(d, x) + x / d * special.gammaincc(d - 1, x)


@pytest.mark.parametrize("d", [1, 2, 10, 1000])
def test_r14_sampler_ks(d):
    sigma = 0.7
    m = ExponentialLinf(sigma, d)
    z = m.sample(np.random.default_rng(100 + d), 20_000 if d < 1000 else 5_000)
    p1 = stats.kstest(np.max(np.abs(z), axis=1), lambda x: eq6_linf_cdf(x, d, sigma)).pvalue
    p2 = stats.kstest(np.abs(z[:, 0]), lambda x: eq6_abs_marginal_cdf(x, d, sigma)).pvalue
    assert p1 > 1e-6 and p2 > 1e-6, (p1, p2)


def test_r14_ks_detects_a_wrong_sampler():
    """The KS check has power: a sampler with R ~ Gamma(d, sigma) (wrong shape) is rejected."""
    d, sigma = 10, 1.0
    rng = np.random.default_rng(0)
    R = rng.gamma(d, sigma, size=20_000)
    z = R[:, None] * rng.uniform(-1, 1, size=(20_000, d))
    assert stats.kstest(np.max(np.abs(z), axis=1), lambda x: eq6_linf_cdf(x, d, sigma)).pvalue < 1e-6


def test_eq6_logpdf_normalised():
    m = ExponentialLinf(0.8, 2)
    with mp.workdps(20):
        # 2-d integral by symmetry: 8 * int_0^inf int_0^{z1} p dz2 dz1 = 8 int_0^inf z1 p(z1) dz1
        Z = 8 * mp.quad(lambda t: t * mp.exp(-t / mp.mpf(0.8)), [0, mp.inf])
    assert m.log_normaliser == pytest.approx(float(mp.log(Z)), rel=1e-14)


# --------------------------------------------------------------- noise magnitudes

def test_t15_expected_linf_and_quantiles():
    for d in (1, 7, 3072):
        m = ExponentialLinf(0.5, d)
        assert m.expected_linf_norm() == pytest.approx(d * 0.5, rel=1e-15)
        assert stats.gamma.cdf(m.linf_norm_quantile(0.3), d, scale=0.5) == pytest.approx(0.3, rel=1e-10)


@pytest.mark.parametrize("d", [1, 2, 10, 1000, 10 ** 6, 10 ** 9])
def test_gaussian_expected_linf_vs_mpmath(d):
    with mp.workdps(40):
        f = lambda u: 1 - mp.erf(u / mp.sqrt(2)) ** d  # noqa: E731
        m = mp.sqrt(2 * mp.log(d + 1)) + 1
        want = mp.quad(f, [0, m / 2, m - 1, m, m + 1, mp.inf])
    g = Gaussian(2.0, d)
    assert g.expected_linf_norm() == pytest.approx(2.0 * float(want), rel=1e-10)
    # the quantile is the inverse of (2 Phi(u) - 1)^d
    u = g.linf_norm_quantile(0.25) / 2.0
    with mp.workdps(40):
        assert float(mp.erf(mp.mpf(u) / mp.sqrt(2)) ** d) == pytest.approx(0.25, rel=1e-9)


def test_gaussian_expected_l2_and_small_d_exact():
    assert Gaussian(1.0, 1).expected_linf_norm() == pytest.approx(math.sqrt(2 / math.pi), rel=1e-13)
    assert Gaussian(1.0, 1).expected_l2_norm() == pytest.approx(math.sqrt(2 / math.pi), rel=1e-13)
    assert Gaussian(1.0, 2).expected_l2_norm() == pytest.approx(math.sqrt(math.pi / 2), rel=1e-13)  # Rayleigh
    assert Gaussian(1.0, 10 ** 9).expected_l2_norm() == pytest.approx(math.sqrt(1e9 - 0.5), rel=1e-12)


@pytest.mark.parametrize("cls,arg", [(ExponentialLinf, 0.6), (Laplace, 0.6), (Gaussian, 0.6)])
def test_expected_norms_monte_carlo(cls, arg):
    d = 10
    m = cls(arg, d)
    z = m.sample(np.random.default_rng(77), 100_000)
    for fn, x in ((m.expected_l2_norm, np.linalg.norm(z, axis=1)), (m.expected_linf_norm, np.abs(z).max(axis=1))):
        mean, hw = _mc_ci(x)
        assert abs(fn() - mean) < hw


def test_expected_l2_exact_d1():
    assert ExponentialLinf(0.6, 1).expected_l2_norm() == pytest.approx(0.6, rel=1e-12)
    assert Laplace(0.6, 1).expected_l2_norm() == pytest.approx(0.6, rel=1e-12)
    # E||z||_2 of eq. 6 at huge d ~ (d+1) sigma sqrt(d/3) (law of large numbers for ||U||_2)
    assert ExponentialLinf(1.0, 10 ** 9).expected_l2_norm() == pytest.approx((1e9 + 1) * math.sqrt(1e9 / 3), rel=1e-8)


# --------------------------------------------------------------- closed-form registry, directions

def test_gaussian_directions_and_dmr():
    g = Gaussian(0.5, 16)
    assert g.renyi(2, 0.1, "linf") == pytest.approx(2 * (0.1 * 4) ** 2 / (2 * 0.25), rel=1e-14)
    assert g.renyi(2, 0.1, "l2", direction=np.arange(16)) == pytest.approx(2 * 0.01 / 0.5, rel=1e-14)
    r = g.dmr(0.1, "l2")
    assert r.attained_everywhere and r.value == pytest.approx(0.01 / 0.5, rel=1e-14)
    assert g.dinf(0.1) == math.inf and g.dinf(0.0) == 0.0
    assert g.closed_form["renyi"].startswith("L22")


def test_laplace_product_and_directions():
    m = Laplace(1.0, 3)
    assert m.renyi(2, 1.0, "linf") == pytest.approx(3 * PUBLISHED_LAPLACE[2], rel=1e-15)
    v = m.renyi(2, 1.0, "l2", direction=[1, 0, 0])
    assert v == pytest.approx(PUBLISHED_LAPLACE[2], rel=1e-15)
    assert m.renyi(2, 1.0, "l2") >= v  # worst-case search covers the axis
    assert m.dinf(1.0, "l2") == pytest.approx(math.sqrt(3), rel=1e-14)


def test_registry_and_dmr_bounds():
    assert set(MECHANISMS) == {"gaussian", "exponential-linf", "laplace", "randomized-response"}
    for name in MECHANISMS:
        m = get_mechanism(name)
        r = m.dmr(1.0)
        # DMR <= KL-or-sup <= D_inf; and DMR >= D_2/2
        assert r.value >= m.renyi(2.0, 1.0) / 2 * (1 - 1e-12)
        assert r.value <= m.renyi(math.inf, 1.0)


# --------------------------------------------------------------- extremes and bad input

def test_valid_extremes_finite_and_accurate():
    assert Gaussian(1e-12, 3).renyi(2, 1.0) == pytest.approx(2 / (2 * 1e-24), rel=1e-14)
    assert Gaussian(1.0, 10 ** 9).renyi(1e6, 1.0, "linf") == pytest.approx(1e6 * 1e9 / 2, rel=1e-14)
    assert RandomizedResponse(3.0).renyi(1e6, 1) == pytest.approx(
        float(mp.log(mp.exp(mp.mpf(3e6)) + mp.exp(mp.mpf(3) * (1 - mp.mpf(1e6)))) - mp.log(1 + mp.exp(3)))
        / (1e6 - 1), rel=1e-13)
    assert ExponentialLinf(1e-12, 2).dinf(1.0) == pytest.approx(1e12, rel=1e-15)
    assert math.isfinite(Laplace(1e-12, 1).renyi(1e6, 1.0))


@pytest.mark.parametrize("make,word", [
    (lambda: Gaussian(0.0, 1), "sigma"),
    (lambda: Gaussian(-1.0, 1), "sigma"),
    (lambda: Gaussian(float("nan"), 1), "sigma"),
    (lambda: ExponentialLinf(1.0, 0), "d"),
    (lambda: ExponentialLinf(1.0, 2.5), "d"),
    (lambda: Laplace(0.0), "scale"),
    (lambda: RandomizedResponse(-1.0), "eps"),
    (lambda: Gaussian(1.0, 2).renyi(0.9, 1.0), "alpha"),
    (lambda: Gaussian(1.0, 2).renyi(2, -1.0), "shift"),
    (lambda: Gaussian(1.0, 2).renyi(2, 1.0, "l1"), "norm"),
    (lambda: Gaussian(1.0, 2).renyi(2, 1.0, direction=[1, 2, 3]), "direction"),
    (lambda: ExponentialLinf(1.0, 2).renyi(2, 1.0, method="magic"), "method"),
    (lambda: Gaussian(1.0, 2).linf_norm_quantile(1.0), "q"),
    (lambda: RandomizedResponse(1.0).renyi(2, 0.5), "shift"),
])
def test_bad_input(make, word):
    with pytest.raises(ValueError, match=word):
        make()
