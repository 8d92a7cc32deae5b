"""Tests of theory.lower_bounds against independent computations.

* an mpmath re-implementation of the three success bounds (written here from the derivation, not imported)
  with an exhaustive integer scan over the chain length k, or, where k_max is huge, the continuous maximum
  found by mpmath root-finding (the integer optimum of a unimodal objective lies at its floor or ceiling);
* sympy: the closed-form asymptotic constants (4 ln 2; (4/3)√(2 ln 2/3); (2/3)√(2/3));
* brackets: the lower bound never exceeds the noise of a mechanism known to be robust (a mechanism below
  the bound would falsify it); planted bugs (KL ≤ kε' instead of k²ε', Markov without the 1/2, the
  counting bound without the 2^−d) must break a bracket or a pinned value.
"""

from __future__ import annotations

import math

import mpmath as mp
import pytest
import sympy as sp

from theory import lower_bounds as LB
from theory.claims import _oracles as O

SETTINGS = [("dinf", "linf"), ("dmr", "linf"), ("dmr", "l2"), ("dinf", "l2")]


# ----------------------------------------------------------------------------------------------------
# independent oracle (mpmath, 40 digits)
# ----------------------------------------------------------------------------------------------------

def _oracle_value(notion, norm, d, eps, r, k):
    """max over packings of (w/2)(1 - p_max) at chain length k, R = 2r, eps' = eps/2, from the derivation."""
    with mp.workdps(40):
        R, e, k, d = 2 * mp.mpf(r), mp.mpf(eps) / 2, mp.mpf(k), mp.mpf(d)
        ln2 = mp.log(2)
        out = []
        w_c = 2 * k * R if norm == "linf" else 2 * k * R / mp.sqrt(d)
        w_a = k * R
        if notion == "dinf":
            out.append(w_c / 2 * max(0, 1 - mp.exp(k * e) / 2 ** d))              # p <= e^{k e}/2^d
            out.append(w_a / 2 * (1 - 1 / (1 + d * mp.exp(-k * e))))              # p <= 1/(1 + d e^{-k e})
        else:
            kl = k * k * e
            if d >= 2:
                out.append(w_c / 2 * max(0, 1 - (kl + ln2) / (d * ln2)))           # Fano, M = 2^d
                out.append(w_a / 2 * max(0, 1 - (d / (d + 1) * kl + ln2) / mp.log(d + 1)))  # Fano, M = d + 1
            tv = min(mp.sqrt(kl / 2), mp.sqrt(1 - mp.exp(-kl)))
            out.append(w_a / 2 * max(0, (1 - tv) / 2))                             # Le Cam
        return max(out)


@pytest.mark.parametrize("notion,norm", SETTINGS)
@pytest.mark.parametrize("d,eps", [(1, 1.0), (2, 0.5), (10, 1.0), (200, 10.0), (1000, 10.0)])
def test_optimiser_matches_exhaustive_mpmath_scan(notion, norm, d, eps):
    res = LB.lower_bound(notion=notion, norm=norm, d=d, eps=eps, r=0.7, with_mechanism=False)
    kmax = 500
    vals = [_oracle_value(notion, norm, d, eps, 0.7, k) for k in range(1, kmax + 1)]
    best = max(vals)
    assert vals[-1] < best or best == 0  # the scan range contains the optimum
    assert float(best) == pytest.approx(res.lower_bound, rel=1e-12, abs=1e-300)
    # the reported k and side reproduce the value
    assert float(_oracle_value(notion, norm, d, eps, 0.7, res.k)) == pytest.approx(res.lower_bound, rel=1e-12)


@pytest.mark.parametrize("notion,norm,d,eps", [("dinf", "linf", 10**6, 1.0), ("dinf", "linf", 10**5, 0.01),
                                               ("dmr", "linf", 10**6, 0.01), ("dinf", "l2", 10**6, 0.1)])
def test_optimiser_large_k_against_continuous_maximum(notion, norm, d, eps):
    """k_max too large to scan: the objective (corners packing) is concave in k, so the integer optimum is at
    the floor or ceiling of the continuous maximiser, found here by mpmath root-finding of the derivative."""
    res = LB.lower_bound(notion=notion, norm=norm, d=d, eps=eps, with_mechanism=False)
    assert res.packing == "corners"
    with mp.workdps(40):
        e, ln2, D = mp.mpf(eps) / 2, mp.log(2), mp.mpf(d)
        scale = 2 * 2 / 2 if norm == "linf" else 2 * 2 / 2 / mp.sqrt(D)      # (w/2)/k with R = 2
        if notion == "dinf":
            def g(k):
                return scale * k * (1 - mp.exp(k * e - D * ln2))
            k0 = (D * ln2 - mp.log(D * ln2)) / e
        else:
            def g(k):
                return scale * k * (1 - (k * k * e + ln2) / (D * ln2))
            k0 = mp.sqrt((D * ln2 - ln2) / (3 * e))
        ks = mp.findroot(lambda k: mp.diff(g, k), k0)
        cont = g(ks)
        integer = max(g(mp.floor(ks)), g(mp.ceil(ks)))
    assert res.lower_bound <= float(cont) * (1 + 1e-12)
    assert res.lower_bound == pytest.approx(float(integer), rel=1e-10)


# ----------------------------------------------------------------------------------------------------
# sympy: the asymptotic constants
# ----------------------------------------------------------------------------------------------------

def test_asymptotic_constants_sympy():
    a, L, u = sp.symbols("a L u", positive=True)
    ln2 = sp.log(2)
    # l_inf DMR (corners + Fano), k = a sqrt(d/eps): ratio -> 2a(1 - a^2/(2 ln 2))
    h = 2 * a * (1 - a**2 / (2 * ln2))
    amax = next(s for s in sp.solve(sp.diff(h, a), a) if s.is_positive)
    c_t17 = sp.simplify(h.subs(a, amax))
    assert sp.simplify(c_t17 - sp.Rational(4, 3) * sp.sqrt(2 * ln2 / 3)) == 0
    assert float(c_t17) == pytest.approx(LB.ASYMPTOTIC_CONSTANT[("dmr", "linf")], rel=1e-14)
    # l2 DMR (axes + Fano), k = a sqrt(ln M/eps): ratio to r sqrt(ln M)/sqrt(eps) -> a(1 - a^2/2)
    h2 = a * (1 - a**2 / 2)
    amax2 = next(s for s in sp.solve(sp.diff(h2, a), a) if s.is_positive)
    c_t12 = sp.simplify(h2.subs(a, amax2))
    assert sp.simplify(c_t12 - sp.Rational(2, 3) * sp.sqrt(sp.Rational(2, 3))) == 0
    assert float(c_t12) == pytest.approx(LB.ASYMPTOTIC_CONSTANT[("dmr", "l2")], rel=1e-14)
    # l_inf D_inf (corners + counting), t = k eps/2 = L - u, L = d ln 2: ratio/(4 ln 2) = (1 - u/L)(1 - e^-u) <= 1,
    # and -> 1 at u = ln L
    f = (1 - u / L) * (1 - sp.exp(-u))
    assert sp.limit(f.subs(u, sp.log(L)), L, sp.oo) == 1
    assert LB.ASYMPTOTIC_CONSTANT[("dinf", "linf")] == pytest.approx(float(4 * ln2), rel=1e-15)


@pytest.mark.parametrize("claim,setting,rate", [
    ("T16", ("dinf", "linf"), lambda d, e: d / e),
    ("T17", ("dmr", "linf"), lambda d, e: math.sqrt(d / e)),
    ("T12", ("dmr", "l2"), lambda d, e: math.sqrt(math.log(d + 1) / e)),
])
def test_bound_approaches_asymptote_from_below(claim, setting, rate):
    c = LB.ASYMPTOTIC_CONSTANT[setting]
    for d in (10, 1000, 10**6):
        for e in (0.1, 1.0):
            x = LB.lower_bound(claim, d=d, eps=e, with_mechanism=False).lower_bound / rate(d, e)
            assert x <= c * (1 + 1e-9), (d, e, x, c)
    x = LB.lower_bound(claim, d=10**6, eps=1.0, with_mechanism=False).lower_bound / rate(10**6, 1.0)
    assert x >= 0.9 * c, (x, c)


# ----------------------------------------------------------------------------------------------------
# brackets: no robust mechanism has less noise than the lower bound
# ----------------------------------------------------------------------------------------------------

def _competitors(notion, norm, d, eps, r=1.0):
    """E||z||_inf of mechanisms known to be (2r, notion, norm, eps/2)-robust, computed here by other routes:
    D_inf l_inf: eq. 6 (dσ, σ = 4r/eps) and iid Laplace (b = 4rd/eps, b H_d); D_inf l2: iid Laplace
    (D_inf = ||δ||_1/b ≤ √d||δ||_2/b, b = 4r√d/eps); DMR: Gaussians (oracle quadrature of E max|g|)."""
    R, e = 2 * r, eps / 2
    h = float(mp.harmonic(d))
    if (notion, norm) == ("dinf", "linf"):
        return [d * R / e, d * R / e * h]
    if (notion, norm) == ("dinf", "l2"):
        return [math.sqrt(d) * R / e * h]
    if (notion, norm) == ("dmr", "linf"):
        return [R * math.sqrt(d / (2 * e)) * O.expected_max_abs_gaussian(d)]
    return [R / math.sqrt(2 * e) * O.expected_max_abs_gaussian(d)]


BRACKET_GRID = [(d, e) for d in (1, 2, 5, 30, 1000, 10**5) for e in (0.01, 0.3, 1.0, 3.0, 30.0)]


def _bracket_violations():
    bad = []
    for notion, norm in SETTINGS:
        for d, e in BRACKET_GRID:
            lb = LB.lower_bound(notion=notion, norm=norm, d=d, eps=e, with_mechanism=False).lower_bound
            for a in _competitors(notion, norm, d, e):
                if lb > a:
                    bad.append((notion, norm, d, e, lb, a))
    return bad


def test_bracket_lower_bound_below_every_robust_mechanism():
    assert _bracket_violations() == []
    for notion, norm in SETTINGS:
        for d, e in BRACKET_GRID[::3]:
            res = LB.lower_bound(notion=notion, norm=norm, d=d, eps=e)
            assert 0 < res.lower_bound <= res.best_mechanism_alpha and res.gap >= 1


def test_planted_linear_group_privacy_is_caught(monkeypatch):
    """Planted bug: zCDP group privacy with k instead of k² (KL ≤ kε'): the DMR bound then beats the Gaussian."""
    orig = LB.one_minus_success

    def planted(packing, notion, k, d, eps_step):
        return orig(packing, notion, math.sqrt(k) if notion == "dmr" else k, d, eps_step)
    monkeypatch.setattr(LB, "one_minus_success", planted)
    assert any(b[0] == "dmr" for b in _bracket_violations())


def test_planted_markov_factor_is_caught(monkeypatch):
    """Planted bug: α ≥ w(1 − p) (Markov without the 1/2): eq. 6 would beat the bound at large d."""
    orig = LB.bound_at
    monkeypatch.setattr(LB, "bound_at", lambda *a: 2 * orig(*a))
    assert _bracket_violations()


def test_planted_counting_without_2_power_d_is_pinned(monkeypatch):
    """Planted bug: p ≤ e^{kε'} (the 2^−d dropped): no bracket breaks (the bound only weakens), but the pinned
    T16 value at d = 1000 (independent mpmath scan above; here its closed-form asymptote) moves."""
    orig = LB.one_minus_success
    monkeypatch.setattr(LB, "one_minus_success",
                        lambda pk, n, k, d, e: orig(pk, n, k, 1 if (n, pk) == ("dinf", "corners") else d, e))
    x = LB.lower_bound("T16", d=1000, eps=1.0, with_mechanism=False).ratio
    assert not x >= 0.98 * LB.ASYMPTOTIC_CONSTANT[("dinf", "linf")]


def test_t16_ratio_pinned_near_asymptote():
    x = LB.lower_bound("T16", d=1000, eps=1.0, with_mechanism=False).ratio
    assert 0.98 * LB.ASYMPTOTIC_CONSTANT[("dinf", "linf")] <= x <= LB.ASYMPTOTIC_CONSTANT[("dinf", "linf")]


# ----------------------------------------------------------------------------------------------------
# gap fits and the uniform constants
# ----------------------------------------------------------------------------------------------------

def test_gap_limits_independent():
    """Gap at d = 10⁶ against independent closed forms: eq. 6 α = 4rd/ε exactly (T15) over the mpmath-scanned
    bound; Gaussian α from the oracle quadrature."""
    d = 10**6
    g16 = LB.lower_bound("T16", d=d, eps=1.0).gap
    lb16 = LB.lower_bound("T16", d=d, eps=1.0, with_mechanism=False).lower_bound
    assert g16 == pytest.approx(4 * d / lb16, rel=1e-9)
    assert 1 / math.log(2) <= g16 <= 1.01 / math.log(2)
    g12 = LB.lower_bound("T12", d=d, eps=1.0)
    assert g12.best_mechanism_alpha == pytest.approx(2 * O.expected_max_abs_gaussian(d), rel=1e-8)
    g17 = LB.lower_bound("T17", d=d, eps=1.0)
    assert g17.best_mechanism_alpha == pytest.approx(2 * math.sqrt(d) * O.expected_max_abs_gaussian(d), rel=1e-8)


def test_gap_fit_growth_classification():
    f16 = LB.gap_fit("dinf", "linf")
    f17 = LB.gap_fit("dmr", "linf")
    f12 = LB.gap_fit("dmr", "l2")
    assert f16.growth == "bounded" and f16.max_gap < 2.5
    assert f12.growth == "bounded" and f12.max_gap < 6.5
    assert f17.growth == "sqrt(log d)" and 0.35 < f17.exponent < 0.65
    # independent: T17's gap / sqrt(ln d) at d = 10^6 near 2√2/((4/3)√(2 ln 2/3)) (slowly from below)
    lim = 2 * math.sqrt(2) / LB.ASYMPTOTIC_CONSTANT[("dmr", "linf")]
    assert 0.8 * lim < f17.last_gap / math.sqrt(math.log(10**6)) < lim


def test_uniform_constants_positive():
    for setting, lo in ((("dinf", "linf"), 0.3), (("dmr", "linf"), 0.15), (("dmr", "l2"), 0.2)):
        u = LB.uniform_constant(*setting, dims=(1, 2, 10, 1000, 10**6), n_eps=9)
        assert u["constant"] >= lo, (setting, u)


def test_bad_input_names_parameter():
    with pytest.raises(ValueError, match="claim"):
        LB.lower_bound("T99", d=3, eps=1)
    with pytest.raises(ValueError, match="eps"):
        LB.lower_bound("T16", d=3, eps=0)
    with pytest.raises(ValueError, match="^d "):
        LB.lower_bound("T16", d=0, eps=1)
    with pytest.raises(ValueError, match="eps must lie in"):
        LB.lower_bound("T16", d=3, eps=5e-324)
    with pytest.raises(ValueError, match="r must lie in"):
        LB.lower_bound("T16", d=3, eps=1, r=1e300)
    with pytest.raises(ValueError, match="^d must be an integer in"):
        LB.lower_bound("T16", d=10**10, eps=1)
    with pytest.raises(ValueError, match="notion"):
        LB.lower_bound(notion="renyi", norm="l2", d=3, eps=1)


def test_cli_json_fields(capsys):
    import json

    from theory.cli import main

    assert main(["lower-bound", "--claim", "T17", "--dim", "1000", "--eps", "0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"lower_bound", "claimed_rate", "ratio", "best_mechanism", "best_mechanism_alpha", "gap",
                        "cube_side"}
    assert out["ratio"] == pytest.approx(out["lower_bound"] / out["claimed_rate"])
    assert out["gap"] == pytest.approx(out["best_mechanism_alpha"] / out["lower_bound"])
    assert main(["lower-bound", "--claim", "T17", "--dim", "1000", "--eps", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--eps" in err
