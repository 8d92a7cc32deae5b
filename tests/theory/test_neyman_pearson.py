"""The Neyman-Pearson engine (theory.neyman_pearson): closed forms of the project and of the literature to 1e-9
relative, and an independent mpmath route (direct integration of the two shifted densities over the NP set)."""

import math

import mpmath as mp
import numpy as np
import pytest

from theory import certificates as C
from theory import neyman_pearson as NP
from theory import np_cells as NPC
from theory.neyman_pearson import tight_radius as T

QS = (0.4, 0.1, 1e-3, 1e-9, 1e-15, 1e-100, 1e-300)
RTOL = 1e-9


def rel(a, b):
    return abs(a - b) / abs(b)


@pytest.mark.parametrize("q", QS)
def test_reproduces_project_closed_forms(q):
    for sigma in (0.25, 1.0):
        assert rel(T("gaussian", "l2", sigma=sigma, one_minus_pA=q).value,
                   C.radius("cohen", one_minus_pA=q, sigma=sigma)) < RTOL
        for d in (1, 7, 3072):
            assert rel(T("gaussian", "linf", sigma=sigma, d=d, one_minus_pA=q).value,
                       C.radius("cohen-linf", one_minus_pA=q, sigma=sigma, d=d)) < RTOL
            assert rel(T("exponential-linf", "linf", sigma=sigma, d=d, one_minus_pA=q).value,
                       C.radius("yang-linf", one_minus_pA=q, sigma=sigma)) < RTOL


@pytest.mark.parametrize("q", QS)
def test_reproduces_published_l1_forms(q):
    # Teng et al. 2020: -lambda log(2(1 - pA)); Yang et al. 2020 / Levine & Feizi: 2 lambda (pA - 1/2)
    for d in (1, 5, 1000):
        assert rel(T("laplace", "l1", sigma=0.7, d=d, one_minus_pA=q).value, -0.7 * math.log(2 * q)) < RTOL
        assert rel(T("uniform", "l1", sigma=0.7, d=d, one_minus_pA=q).value, 2 * 0.7 * (0.5 - q)) < RTOL
        assert rel(T("laplace", "l1", sigma=0.7, d=d, one_minus_pA=q).value,
                   C.radius("laplace-l1", one_minus_pA=q, sigma=0.7)) < RTOL
        assert rel(T("uniform", "l1", sigma=0.7, d=d, one_minus_pA=q).value,
                   C.radius("uniform-l1", one_minus_pA=q, sigma=0.7)) < RTOL
        assert rel(T("uniform", "linf", sigma=0.7, d=d, one_minus_pA=q).value,
                   C.radius("uniform-linf", one_minus_pA=q, sigma=0.7, d=d)) < RTOL


def test_multiclass_reproduces_cohen():
    for pA, pB in ((0.7, 0.2), (0.5, 0.3), (0.999, 1e-4), (1 - 1e-12, 1e-13)):
        assert rel(T("gaussian", "l2", pA=pA, pB=pB).value, C.radius("cohen", pA=pA, pB=pB, sigma=1.0)) < RTOL


def test_registry_inverses_round_trip():
    for name, kw in (("laplace-l1", {}), ("uniform-l1", {}), ("uniform-linf", {"d": 10})):
        for q in (0.3, 1e-3, 1e-12):
            r = C.radius(name, one_minus_pA=q, sigma=1.3, **kw)
            # radius space (uniform radii saturate at their sup, so 1 - pA is ill-conditioned there)
            assert rel(C.radius(name, one_minus_pA=C.inverse(name, r, sigma=1.3, **kw), sigma=1.3, **kw), r) < 1e-12
    with pytest.raises(ValueError, match="radius must be <"):
        C.inverse("uniform-l1", 1.3, sigma=1.3)


# ---------------------------------------------------------------------------------------------------
# independent route: mpmath, densities integrated over the NP set, flip radius by findroot
# ---------------------------------------------------------------------------------------------------

def _mp_flip_radius_1d(logpdf, q, dps=40):
    """1-d: NP set {z >= b} with int_b^inf p = q; flip radius t with int_b^inf p(z - t) dz = 1/2."""
    with mp.workdps(dps):
        q = mp.mpf(q)
        def tail(b):
            return mp.quad(lambda z: mp.exp(logpdf(z)), [b, b + 10, b + 100, mp.inf])
        b = mp.findroot(lambda b: mp.log(tail(b)) - mp.log(q), mp.mpf(1))
        def shifted(t):
            return mp.quad(lambda z: mp.exp(logpdf(z - t)), [b, t, t + 10, t + 100, mp.inf])
        return float(mp.findroot(lambda t: shifted(t) - mp.mpf(1) / 2, b))


@pytest.mark.parametrize("q", (0.3, 1e-3, 1e-12))
def test_gaussian_and_laplace_against_mpmath(q):
    g = _mp_flip_radius_1d(lambda z: -z * z / 2 - mp.log(mp.sqrt(2 * mp.pi)), q)
    lap = _mp_flip_radius_1d(lambda z: -abs(z) - mp.log(2), q)
    assert rel(T("gaussian", "l2", one_minus_pA=q).value, g) < RTOL
    assert rel(T("laplace", "l1", d=4, one_minus_pA=q).value, lap) < RTOL


def test_mpmath_route_detects_a_planted_error():
    """The 1e-9 tolerance is far tighter than a small planted error (1e-6 relative)."""
    g = _mp_flip_radius_1d(lambda z: -z * z / 2 - mp.log(mp.sqrt(2 * mp.pi)), 1e-3)
    assert rel(T("gaussian", "l2", one_minus_pA=1e-3).value * (1 + 1e-6), g) > RTOL


def test_laplace_l1_is_tight_and_sound_by_dinf_in_d2():
    """Teng et al.'s radius in d = 2: the axis shift flips exactly there (mpmath, product density integrated over
    the half-plane), and a diagonal shift of the same l1 norm does not (its NP value beta < 1/2)."""
    q = 1e-3
    r = T("laplace", "l1", d=2, one_minus_pA=q).value
    with mp.workdps(30):
        def lap(z):
            return mp.exp(-abs(z)) / 2
        b = -mp.log(2 * mp.mpf(q))
        beta_axis = mp.quad(lambda z: lap(z - r), [b, r, mp.inf])
        assert abs(beta_axis - mp.mpf(1) / 2) < 1e-9
    # diagonal shift (r/2, r/2): log-ratio sum of two clipped terms; NP value by a fine grid over (z1, z2) in the
    # region where the ratio is e^{r/sigma}-ish; cheaper: the D_inf bound beta <= e^{r} q = 1/2 with equality only
    # if the max-ratio set {z1 >= r/2, z2 >= r/2} (mass e^{-r}/4 < q) holds mass q -- it does not, so beta < 1/2.
    assert math.exp(-r) / 4 < q


@pytest.mark.parametrize("d", (2, 3, 5, 12))
def test_uniform_l2_kkt_enumeration_beats_random_directions(d):
    rng = np.random.default_rng(d)
    for rho in (0.3, 0.7, 0.95):
        vmin = NPC._uniform_vmin_l2(rho, d)
        u = np.abs(rng.standard_normal((200_000, d)))
        u = rho * u / np.linalg.norm(u, axis=1, keepdims=True)
        v = np.prod(np.clip(1 - u, 0, None), axis=1)
        assert v.min() >= vmin * (1 - 1e-12)          # no direction beats the enumeration
        assert v.min() <= vmin * (1 + 0.05)           # and random directions come close (coverage)


def test_uniform_linf_overlap_formula_against_mpmath():
    """d = 2, corner shift: overlap by mpmath integration of the density over C and C + delta."""
    q, d = 0.05, 2
    r = T("uniform", "linf", d=d, one_minus_pA=q).value
    with mp.workdps(30):
        def ind(z):
            return 1 if abs(z) <= 1 else 0
        one = mp.quad(lambda z: ind(z) * ind(z - r) / 2, [-1, r - 1, 1])  # per-coordinate overlap
        v = one ** d
        # NP: beta(q) = (1 - v) + q must equal 1/2 at the tight radius
        assert abs((1 - v) + q - mp.mpf(1) / 2) < 1e-12


def test_exponential_l2_radial_tail_against_mpmath():
    """Fast: the engine's radial tails P0(V > c), P0(V <= c) at one (c, t), d = 4, against mpmath quadrature."""
    d, t = 4, 3.0
    with mp.workdps(20):
        h = mp.mpf(d - 1) / 2
        for c in (1.5, -0.5):
            a = (c + t) / 2

            def f(r, c=c):
                x = min(1, max(-1, (t * t + 2 * r * c - c * c) / (2 * r * t)))
                return mp.exp((d - 1) * mp.log(r) - r - mp.loggamma(d)) * mp.betainc(h, h, 0, (1 - x) / 2,
                                                                                      regularized=True)

            up = mp.quad(f, [a, a + 5, a + 30, mp.inf])
            assert rel(NPC._radial_tail(c, t, 1.0, d, True), float(up)) < 1e-8
            assert rel(NPC._radial_tail(c, t, 1.0, d, False), float(1 - up)) < 1e-8


@pytest.mark.slow
def test_exponential_l2_against_mpmath_radial_integration():
    """d = 3: at the engine's radius t, the NP set {V >= c} with P_t(V >= c) = 1/2 has P0-mass 1 - pA (mpmath)."""
    d, q = 3, 0.01
    t = T("exponential-l2", "l2", d=d, one_minus_pA=q).value
    with mp.workdps(25):
        h = mp.mpf(d - 1) / 2

        def tail(c, upper):
            a = (c + t) / 2

            def f(r):
                x = min(1, max(-1, (t * t + 2 * r * c - c * c) / (2 * r * t)))
                g = mp.betainc(h, h, 0, (1 - x) / 2 if upper else (1 + x) / 2, regularized=True)
                return mp.exp((d - 1) * mp.log(r) - r - mp.loggamma(d)) * g

            v = mp.quad(f, [a, a + 5, a + 30, mp.inf])
            return v if upper else v + mp.gammainc(d, 0, a, regularized=True)

        c = mp.findroot(lambda c: tail(-c, False) - mp.mpf(1) / 2, (-t * 0.99, t * 0.99), solver="bisect")
        assert abs(tail(c, True) / q - 1) < 1e-7
    # l1 equals l2, l_inf is l2 / sqrt(d)
    assert T("exponential-l2", "l1", d=d, one_minus_pA=q).value == t
    assert rel(T("exponential-l2", "linf", d=d, one_minus_pA=q).value, t / math.sqrt(d)) < 1e-15
    # above the D_inf bound (ratio <= e^{||delta||_2/sigma}) and below nothing stronger: t > -log(2q)
    assert t > -math.log(2 * q)


@pytest.mark.parametrize("noise,norm", [("laplace", "l2"), ("laplace", "linf"), ("exponential-linf", "l1"),
                                        ("exponential-linf", "l2")])
def test_brackets_are_ordered_and_collapse_at_d1(noise, norm):
    for d in (2, 10, 100):
        r = T(noise, norm, d=d, one_minus_pA=1e-3)
        assert not r.exact and r.value is None and 0 < r.lower <= r.upper
    r1 = T(noise, norm, d=1, one_minus_pA=1e-3)
    assert r1.exact and rel(r1.value, -math.log(2e-3)) < RTOL


def test_laplace_linf_upper_bound_is_a_real_flip():
    """The sum-rule upper bound: P(sum of d Laplace >= b) = 1 - pA, checked by Monte Carlo (6 sigma)."""
    d, q = 8, 0.05
    b = NPC._laplace_sum_isf(math.log(q), 1.0, d)
    rng = np.random.default_rng(1)
    s = rng.laplace(size=(400_000, d)).sum(axis=1)
    p = np.mean(s >= b)
    assert abs(p - q) < 6 * math.sqrt(q * (1 - q) / 400_000)


def test_nothing_certified_and_bad_input():
    assert T("gaussian", "l2", pA=0.5).value == 0.0
    assert T("uniform", "l1", pA=0.4, pB=0.4).value == 0.0
    with pytest.raises(ValueError, match="noise must be one of"):
        T("cauchy", "l2", pA=0.9)
    with pytest.raises(ValueError, match="norm must be one of"):
        T("gaussian", "l3", pA=0.9)
    with pytest.raises(ValueError, match="pB must lie"):
        T("gaussian", "l2", pA=0.9, pB=0.2)
    with pytest.raises(ValueError, match="binary form"):
        T("exponential-linf", "linf", pA=0.9, pB=0.05)
    with pytest.raises(ValueError, match="validated range"):
        T("exponential-l2", "l2", d=3, one_minus_pA=1e-12)
    with pytest.raises(ValueError, match="sigma must be > 0"):
        T("gaussian", "l2", pA=0.9, sigma=0)


def test_noise_variance_matches_sampling():
    rng = np.random.default_rng(0)
    n = 400_000
    assert rel(NP.noise_variance("laplace", 1.5, 3), np.mean(rng.laplace(0, 1.5, n) ** 2)) < 0.02
    assert rel(NP.noise_variance("uniform", 1.5, 3), np.mean(rng.uniform(-1.5, 1.5, n) ** 2)) < 0.02
    d = 4
    z = rng.gamma(d + 1, 1.0, size=(n, 1)) * rng.uniform(-1, 1, size=(n, d))   # eq. 6 (R14)
    assert rel(NP.noise_variance("exponential-linf", 1.0, d), np.mean(z[:, 0] ** 2)) < 0.02


def _beta_grid_2d(delta, ms, h=0.04, L=18.0):
    """NP curve beta(m) of product Laplace(1) in d = 2 for the shift delta, by a grid over z (cells sorted by
    likelihood ratio, cumulative P0 / P_delta masses, linear interpolation = randomisation inside a cell)."""
    z = np.arange(-L + h / 2, L, h)
    Z1, Z2 = np.meshgrid(z, z, indexing="ij")
    logp0 = -np.abs(Z1) - np.abs(Z2)
    logp1 = -np.abs(Z1 - delta[0]) - np.abs(Z2 - delta[1])
    lr = (logp1 - logp0).ravel()
    w0 = np.exp(logp0).ravel() * h * h / 4
    w1 = np.exp(logp1).ravel() * h * h / 4
    order = np.argsort(-lr, kind="stable")
    c0, c1 = np.cumsum(w0[order]), np.cumsum(w1[order])
    return np.interp(ms, c0, c1)


def test_laplace_l1_axis_is_the_worst_direction_in_d2_for_every_mass():
    """The multi-class (runner-up) form uses the axis shift for every mass m, not only at the binary threshold:
    in d = 2 the NP curve of a split shift (t/2, t/2) and (3t/4, t/4) stays below the axis curve S(S^{-1}(m) - t)
    (grid NP, accuracy ~1e-3 from the cell size)."""
    ms = np.array([0.02, 0.1, 0.3, 0.6, 0.9])
    for t in (0.5, 2.0):
        axis = _beta_grid_2d((t, 0.0), ms)
        b = np.array([-math.log(2 * m) if m <= 0.5 else math.log(2 * (1 - m)) for m in ms])   # S^{-1}(m)
        u = b - t
        exact_axis = np.where(u >= 0, 0.5 * np.exp(-u), 1 - 0.5 * np.exp(u))
        assert np.max(np.abs(axis - exact_axis)) < 2e-3            # the grid reproduces the 1-d formula
        for split in (0.5, 0.75):
            other = _beta_grid_2d((split * t, (1 - split) * t), ms)
            assert np.all(other <= exact_axis + 2e-3), (t, split, other - exact_axis)
