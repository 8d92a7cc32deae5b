"""theory.symbolic: each sympy derivation is checked symbolically where possible and against the
numeric path (theory.mechanisms) at sample points."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from theory import symbolic as S
from theory.mechanisms import ExponentialLinf, Gaussian, laplace_renyi_1d

sym = S.symbols()
alpha, sigma, mu, d, rho, b, Delta = (sym[k] for k in ("alpha", "sigma", "mu", "d", "rho", "b", "Delta"))


def test_l22_derived_by_integration_matches_numeric():
    expr = S.derive_gaussian_renyi_1d()
    assert sp.simplify(expr - alpha * mu ** 2 / (2 * sigma ** 2)) == 0
    for a, m, s in [(1.5, 0.3, 0.7), (4.0, -2.0, 1.3), (100.0, 0.01, 0.05)]:
        val = float(expr.subs({alpha: a, mu: m, sigma: s}))
        assert val == pytest.approx(Gaussian(s, 1).renyi(a, abs(m)), rel=1e-14)
    # additivity over coordinates gives the d-dimensional L22
    e3 = S.derive_gaussian_renyi(3)
    deltas = sp.symbols("delta1:4", real=True)
    vals = {deltas[0]: 0.2, deltas[1]: -0.5, deltas[2]: 1.1, alpha: 2.5, sigma: 0.9}
    v = np.array([0.2, -0.5, 1.1])
    assert float(e3.subs(vals)) == pytest.approx(
        Gaussian(0.9, 3).renyi(2.5, float(np.linalg.norm(v)), "l2", direction=v), rel=1e-14)


def test_eq6_normaliser_symbolic_d():
    Z = S.derive_eq6_normaliser()
    assert sp.simplify(Z - (2 * sigma) ** d * sp.factorial(d)) == 0
    for dd, s in [(1, 0.5), (7, 1.3), (300, 0.01)]:
        logZ = float(sp.log(Z.subs({d: dd, sigma: s})).evalf(30))
        assert logZ == pytest.approx(ExponentialLinf(s, dd).log_normaliser, rel=1e-13)


def test_t15_expected_linf_is_d_sigma():
    E = S.derive_t15_expected_linf()
    assert sp.simplify(E - d * sigma) == 0
    for dd, s in [(1, 0.5), (3072, 0.25)]:
        assert float(E.subs({d: dd, sigma: s})) == pytest.approx(ExponentialLinf(s, dd).expected_linf_norm(),
                                                                  rel=1e-15)


def test_r14_mixture_density_equals_eq6():
    mix = S.derive_r14_mixture_density()
    assert sp.simplify(mix - S.derive_eq6_density()) == 0
    for dd, s, r in [(1, 1.0, 0.3), (4, 0.7, 2.0), (10, 2.0, 5.0)]:
        z = np.zeros(dd)
        z[0] = r
        val = math.log(float(mix.subs({d: dd, sigma: s, rho: r})))
        assert val == pytest.approx(float(ExponentialLinf(s, dd).logpdf(z)), rel=1e-13)


def test_laplace_renyi_derived_matches_mironov_and_published():
    expr = S.derive_laplace_renyi()
    for a, bb, dl in [(1.5, 1.0, 1.0), (2.0, 0.6, 0.2), (30.0, 2.0, 3.0)]:
        val = float(expr.subs({alpha: a, b: bb, Delta: dl}).evalf(30))
        assert val == pytest.approx(laplace_renyi_1d(a, dl / bb), rel=1e-13)
    # published values (b = 1, Delta = 1), evaluated from the derived expression at 30 digits
    for a, pub in [(2, 0.6191236299985929), (10, 0.9286829020966803), (100, 0.9930491450632687)]:
        assert float(expr.subs({alpha: a, b: 1, Delta: 1}).evalf(30)) == pytest.approx(pub, rel=1e-15)
