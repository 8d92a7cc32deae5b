"""theory.lattice_gaussian (issue 23): the integer thresholds against an independent 90-digit evaluation, the exact
total-variation slack, Cohen's bound on the lattice (the Neyman-Pearson worst case over lattice shifts, checked
against theory.neyman_pearson.tight_radius) and the certificate with the slack."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from scipy import special

from theory import certificates as C
from theory.lattice_gaussian import (
    lattice_beta,
    lattice_certify_from_counts,
    lattice_gaussian,
    lattice_pA_lower,
    lattice_tight_shift_1d,
    rounded_gaussian_pmf,
    shift_lower_bound,
)
from theory.neyman_pearson import tight_radius


def _phi_gammainc(x: mpmath.mpf) -> mpmath.mpf:
    """Phi(x) by another route than mpmath.ncdf: the regularized upper incomplete gamma function,
    P(|N| > |x|) = Q(1/2, x^2/2), so Phi(x) = Q/2 for x < 0 and 1 - Q/2 for x >= 0."""
    q = mpmath.gammainc(mpmath.mpf(1) / 2, a=x * x / 2, regularized=True)
    return q / 2 if x < 0 else 1 - q / 2


@pytest.mark.parametrize("sigma", [0.25, 1.0 / 255, 0.5 / 255])
def test_thresholds_match_an_independent_90_digit_evaluation(sigma):
    lg = lattice_gaussian(sigma)
    top = 2 ** lg.bits
    M = lg.clip
    js = list(range(-M, M + 2))
    step = max(1, len(js) // 150)  # every step-th threshold and both ends (the whole table at small sigma)
    pick = sorted(set(js[::step]) | {-M, -M + 1, 0, 1, M, M + 1})
    with mpmath.workdps(90):
        s = mpmath.mpf(255) * mpmath.mpf(sigma)
        for j in pick:
            b = top * _phi_gammainc((mpmath.mpf(j) - mpmath.mpf(1) / 2) / s)
            assert lg.edges[j + M] == int(mpmath.floor(b)), j
        # the clip: atom M keeps a whole cell, atom M + 1 would not (its cell count is E_{M+2} - E_{M+1} - 1 <= 0)
        b_next = top * _phi_gammainc((mpmath.mpf(M) + mpmath.mpf(3) / 2) / s)
        assert int(mpmath.floor(b_next)) - lg.edges[-1] < 2
    assert all(b > a + 1 for a, b in zip(lg.edges, lg.edges[1:], strict=False))


def test_eta_bounds_the_total_variation_to_the_rounded_gaussian():
    """TV(sampler, rounded Gaussian) = 1/2 sum_j |q_j - p_j| + 1/2 P(|J| > M), computed with exact cell counts and
    60-digit atoms, is at most eta (the closed form of the module doc) and of its order."""
    lg = lattice_gaussian(1.0 / 255)
    e = lg.edges
    cells = [e[i + 1] - e[i] - 1 for i in range(len(e) - 1)]
    total = sum(cells)
    with mpmath.workdps(60):
        s = mpmath.mpf(255) * mpmath.mpf(1.0 / 255)
        cdf = [mpmath.ncdf((mpmath.mpf(j) - mpmath.mpf(1) / 2) / s) for j in range(-lg.clip, lg.clip + 2)]
        p = [cdf[i + 1] - cdf[i] for i in range(len(cells))]
        tv = sum(abs(mpmath.mpf(c) / total - pj) for c, pj in zip(cells, p, strict=True)) / 2
        tv += (cdf[0] + 1 - cdf[-1]) / 2
        eta = mpmath.mpf(lg.eta_exact.numerator) / lg.eta_exact.denominator
        assert eta / 100 < tv <= eta
    assert lg.eta >= float(lg.eta_exact) and lg.eta_exact == Fraction(e[0] + 1 + 2 ** 63 - e[-1] + 2 * lg.clip, 2 ** 63)


def test_pmf_sums_to_one_and_is_symmetric():
    p = rounded_gaussian_pmf(2.5, 40)
    assert abs(p.sum() - 1.0) < 1e-15
    assert np.allclose(p, p[::-1], rtol=0, atol=1e-18)


@pytest.mark.parametrize("s", [0.3, 1.0, 3.0])
def test_cohen_bound_holds_on_the_lattice(s):
    """beta_delta(m) (the lattice Neyman-Pearson worst case) <= Phi(Phi^{-1}(m) + ||delta|| / s): the data-processing
    argument (J = round(Z) commutes with integer shifts), checked by enumeration in 1 and 2 dimensions."""
    for shift in [(1,), (2,), (5,), (1, 1), (2, -1), (3, 4)]:
        dist = math.hypot(*shift)
        for m in [1e-6, 1e-3, 0.02, 0.1, 0.3, 0.5]:
            beta = lattice_beta(s, shift, m)
            bound = float(special.ndtr(special.ndtri(m) + dist / s))
            assert beta <= bound + 1e-12, (shift, m, beta, bound)
            assert beta >= m - 1e-12  # a test at level m has power >= m


@pytest.mark.parametrize("s,e", [(0.4, 0.05), (2.0, 0.01), (6.0, 1e-3), (63.75, 1e-4)])
def test_first_flipping_lattice_shift_is_beyond_cohens_radius(s, e):
    """The binary prediction first flips (beta_t(1 - pA) >= 1/2) at an integer shift beyond Cohen's radius, which is
    theory.neyman_pearson's tight Gaussian radius s Phi^{-1}(pA); at large s the lattice adds at most one step."""
    cohen = tight_radius("gaussian", "l2", sigma=s, one_minus_pA=e).value
    t = lattice_tight_shift_1d(s, e)
    assert t > cohen
    if s >= 6:
        assert t <= math.floor(cohen) + 2


def test_certificate_with_slack():
    lg = lattice_gaussian(0.25)
    d = 3072
    res = lattice_certify_from_counts(99990, 100000, 0.001, 0.25, d, lg.eta)
    base = C.certify_from_counts(99990, 100000, 0.001, 0.25)
    assert res.pA_lower == pytest.approx(base.pA_lower - d * lg.eta, abs=1e-16)
    assert res.one_minus_pA_lower == pytest.approx(base.one_minus_pA_lower + d * lg.eta, rel=1e-12)
    assert res.radius < base.radius and res.radius == pytest.approx(base.radius, rel=1e-9)
    # a slack that pushes pA_lower below 1/2 abstains
    res2 = lattice_certify_from_counts(60000, 100000, 0.001, 0.25, d, 1e-4)
    assert res2.abstain and res2.radius == 0.0
    assert lattice_pA_lower(0.9, 0.1, 10, 0.0) == (0.9, 0.1)


def test_shift_lower_bound_is_attained_by_the_half_space():
    # half-space {u <= b}: P_0 = Phi(b / sigma), P_delta = Phi((b - t) / sigma)
    sigma, b, t = 0.5, 1.2, 0.7
    assert shift_lower_bound(float(special.ndtr(b / sigma)), t, sigma) == pytest.approx(special.ndtr((b - t) / sigma))
    assert shift_lower_bound(0.0, 1.0, 1.0) == 0.0
    with pytest.raises(ValueError, match="sigma"):
        shift_lower_bound(0.9, 1.0, 0.0)


def test_bad_parameters():
    with pytest.raises(ValueError, match="sigma"):
        lattice_gaussian(-1.0)
    with pytest.raises(ValueError, match="bits"):
        lattice_gaussian(0.25, bits=64)
    with pytest.raises(ValueError, match="shift"):
        lattice_beta(1.0, (1, 1, 1), 0.5)
