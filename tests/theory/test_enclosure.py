"""Rigorous enclosures (issue 19, item 3): theory.enclosure, the R-T9 first failures (theory.rt9_enclosure),
the T12/T16/T17 uniform constants and the Table-1 gap ranges (theory.lower_bounds).

Every enclosure is tested against an independent oracle: mpmath at 40 digits at the reported arg (closed
forms where they exist), and a dense seeded search -- with its own float code, not the library's -- that must
not find a value beyond the enclosure.  Planted coarse grids (the enclosure replaced by the grid it replaced)
make these tests fail: see the issue-19 report.
"""

import math

import mpmath as mp
import numpy as np
import pytest

from tests._mp_oracles import dmr2
from theory import enclosure as E
from theory import lower_bounds as LB
from theory import rt9_enclosure as RE

# ----------------------------------------------------------------------------------------------------
# the generic branch-and-bound
# ----------------------------------------------------------------------------------------------------


def _narrow_dip(x):
    """1 − 0.5·exp(−((x − 0.3137)/1e-4)²) on balls or floats: a dip of width 1e-4 that a 1,000-point grid misses."""
    if isinstance(x, float):
        return 1 - 0.5 * math.exp(-(((x - 0.3137) / 1e-4) ** 2))
    return 1 - 0.5 * (-(((x - 0.3137) / 1e-4) ** 2)).exp()


def test_minimize_finds_a_dip_a_grid_misses():
    grid_min = min(_narrow_dip(float(x)) for x in np.linspace(0, 1, 1001))
    assert grid_min > 0.99                      # the grid steps over the dip
    e = E.minimize(lambda b: E.lower(_narrow_dip(E.ball(*b[0]))), [(0.0, 1.0)],
                   value=lambda x: _narrow_dip(x[0]), atol=1e-9, rtol=0.0)
    assert e.complete and e.lo <= 0.5 <= e.hi and e.hi - e.lo <= 1e-8
    assert abs(e.arg[0] - 0.3137) < 1e-6


def test_minimize_integer_coordinate_and_budget():
    # min over integers n ∈ [1, 10⁶] of (ln n − 7.3)²: at n = e^{7.3} ≈ 1480.3, i.e. n = 1480
    def f(b):
        return E.lower((E.ball(*b[0]).log() - 7.3) ** 2)

    e = E.minimize(f, [(1.0, 1e6)], value=lambda x: (math.log(x[0]) - 7.3) ** 2, integer=(True,),
                   scale=("log",), atol=1e-12, rtol=0.0)
    ref = min((math.log(n) - 7.3) ** 2 for n in (1480, 1481))
    assert e.arg[0] in (1480.0, 1481.0) and e.lo <= ref <= e.hi
    # a budget too small leaves a wider interval, still holding the minimum, flagged incomplete
    small = E.minimize(f, [(1.0, 1e6)], value=lambda x: (math.log(x[0]) - 7.3) ** 2, integer=(True,),
                       scale=("log",), atol=1e-12, rtol=0.0, max_boxes=5)
    assert not small.complete and small.lo <= ref


def test_first_crossing_and_round_outward():
    e = E.first_crossing(lambda a, b: E.ball(a, b).exp() - 10, 0.0, 5.0, tol=1e-12)
    assert e.lo <= math.log(10) <= e.hi and e.width < 1e-11
    assert E.first_crossing(lambda a, b: E.ball(a, b) - 10, 0.0, 5.0).lo == math.inf
    assert E.round_outward(0.22029, 3, -1) == "0.22" and E.round_outward(0.22029, 3, 1) == "0.221"


def test_wide_balls_stay_tight():
    # arb's own max / min / exp of a ball spanning 1e300 lose everything; the end-point helpers do not
    x = E.ball(-5.0, 700.0)
    naive = E.bmax(-x.expm1(), E.ball(0.0))                  # −expm1 over the whole ball, then clipped
    assert E.upper(naive) > 1e100
    v = E.monotone(lambda y: -y.expm1(), x, increasing=False, floor=0.0)
    assert E.lower(v) >= -1e-8 and 1 - math.exp(-5) <= E.upper(v) <= 1.0 + 1e-8     # union: 30-bit radius
    m = E.bmax(E.ball(-1e3, 1.0), E.ball(0.0))
    assert E.lower(m) <= 0.0 and 1.0 <= E.upper(m) <= 1.0 + 1e-6      # arb radii: 30 bits of the width


# ----------------------------------------------------------------------------------------------------
# R-T9: first failure over all pairs
# ----------------------------------------------------------------------------------------------------

def _dense_rt9_candidates(c, n=160):
    """Independent float search: two-outcome pairs on an (s, t) = (−ln q, −ln(1−p)) grid whose DMR, bounded
    BELOW by max over 60 α of D_α/α and KL (numpy, own code), gives a violation p − e^{(c+1)√m}q > δ.  A true
    violation at the pair's DMR m is also one at any smaller m, so every true violation shows up here."""
    delta = math.exp(-c * c / 4)
    lo_st = -math.log1p(-delta)
    s = np.geomspace(lo_st, 40.0, n)
    t = np.geomspace(lo_st, 40.0, n)
    S, T = np.meshgrid(s, t, indexing="ij")
    lp, lp1, lq, lq1 = np.log1p(-np.exp(-T)), -T, -S, np.log1p(-np.exp(-S))
    p, q = np.exp(lp), np.exp(lq)
    m = np.maximum(p * (lp - lq) + (1 - p) * (lp1 - lq1), q * (lq - lp) + (1 - q) * (lq1 - lp1))
    for a in 1.0 + np.geomspace(1e-3, 1e3, 60):
        for x, x1, y, y1 in ((lp, lp1, lq, lq1), (lq, lq1, lp, lp1)):
            d = np.logaddexp(a * x + (1 - a) * y, a * x1 + (1 - a) * y1) / (a - 1)
            m = np.maximum(m, d / a)
    viol = p - np.exp((c + 1) * np.sqrt(m)) * q - delta
    return p[viol > 0], q[viol > 0], m[viol > 0]


@pytest.mark.parametrize("c", [3.0] + [pytest.param(c, marks=pytest.mark.slow) for c in (0.5, 1.0, 2.0)])
def test_rt9_dense_search_does_not_beat_the_enclosure(c):
    enc = RE.rt9_first_failure(c, rtol=1e-2)
    p, q, m = _dense_rt9_candidates(c)
    assert len(p) > 0
    # the smallest candidate DMRs are re-checked with the mpmath oracle (30 digits, tests/_mp_oracles):
    # a candidate below the enclosure's lower end must not be a true violation at its true DMR
    order = np.argsort(m)[:6]
    delta = mp.e ** (-mp.mpf(c) ** 2 / 4)
    for i in order:
        with mp.workdps(30):
            mt = max(dmr2(p[i], q[i])[0], dmr2(q[i], p[i])[0])
            true_violation = mp.mpf(p[i]) - mp.e ** ((c + 1) * mp.sqrt(mt)) * mp.mpf(q[i]) - delta > 0
        assert not true_violation or float(mt) >= enc.lo, (c, p[i], q[i], float(mt), enc.lo)
    # and the grid's best true violation lies above the lower end, close to the upper end
    assert enc.lo <= enc.hi < 1.05 * enc.lo


@pytest.mark.parametrize("c", [1.0] + [pytest.param(c, marks=pytest.mark.slow) for c in (0.5, 2.0, 3.0)])
def test_rt9_witness_at_40_digits(c):
    enc = RE.rt9_first_failure(c, rtol=1e-2)
    w = enc.extra["witness"]
    mpw = RE.witness_mp(w["P"], w["Q"], c, dps=40)
    assert w["violation_at_eps_hi_lower"] > 0 and mpw["margin"] > 0
    # the rigorous DMR bracket of the witness holds the 40-digit value, and hi is the bracket's upper end
    assert w["dmr_sym_lower"] <= mpw["dmr_sym"] <= w["dmr_sym_upper"] == enc.hi
    # independently with the tests' own oracle
    with mp.workdps(40):
        m_or = max(dmr2(w["P"][0], w["Q"][0])[0], dmr2(w["Q"][0], w["P"][0])[0])
    assert float(m_or) <= enc.hi * (1 + 1e-15)


def test_rt9_c3_first_failure_is_below_the_old_grid_value():
    # the audit used to print 4.058 (a p/q grid stepping over a narrow window); the enclosure lies far below
    enc = RE.rt9_first_failure(3.0, rtol=1e-2)
    assert 3.43 <= enc.lo <= enc.hi <= 3.48 < 4.058


@pytest.mark.slow
def test_rt9_printed_intervals_hold_the_enclosures():
    from theory.claims import divergence_claims as DC

    for c, (lo, hi) in DC.RT9_FIRST_FAILURE.items():
        e = DC.rt9_enclosure(c)
        assert lo <= e.lo <= e.hi <= hi


@pytest.mark.slow
def test_rt9_default_and_thorough_overlap():
    for c in RE.C_VALUES:
        a, b = RE.rt9_first_failure(c, rtol=1e-2), RE.rt9_first_failure(c, rtol=1e-3)
        assert a.overlaps(b) and b.width <= a.width * 1.01


def test_gaussian_first_failure_matches_mpmath_root():
    with mp.workdps(40):
        def g(e):
            ep, mu = 2 * mp.sqrt(e), mp.sqrt(2 * e)
            return mp.ncdf(-ep / mu + mu / 2) - mp.exp(ep) * mp.ncdf(-ep / mu - mu / 2) - mp.e ** (-mp.mpf(1) / 4)
        ref = mp.findroot(g, 11.5)
    e = RE.gaussian_first_failure(1.0)
    assert e.lo <= ref <= e.hi


def test_rt9_bad_c():
    with pytest.raises(ValueError, match="c must"):
        RE.rt9_first_failure(-1.0)


# ----------------------------------------------------------------------------------------------------
# T12 / T16 / T17 uniform constants
# ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("claim", ["T12"] + [pytest.param(c, marks=pytest.mark.slow) for c in ("T16", "T17")])
def test_uniform_constant_not_beaten_by_sampling_the_library(claim):
    enc = LB.enclose_uniform_constant(claim, rtol=1e-2)
    notion, norm = LB.CLAIM_SETTINGS[claim]
    rng = np.random.default_rng(19)
    ds = np.unique(np.concatenate([np.arange(1, 13), np.round(10 ** rng.uniform(0, 6, 30)).astype(int)]))
    worst = math.inf
    for d in ds:
        em = LB.eps_max(notion, norm, int(d))
        for le in rng.uniform(math.log(max(1e-6, 1e-4 * em)), math.log(em), 8):
            worst = min(worst, LB.lower_bound(claim, d=int(d), eps=math.exp(le), with_mechanism=False).ratio)
    assert worst >= enc.lo
    # the value at the arg (library) lies in the enclosure, which is tight
    d, e = enc.arg
    v = LB.lower_bound(claim, d=int(d), eps=e, with_mechanism=False).ratio
    assert enc.lo <= v <= enc.hi and enc.width <= 0.012 * enc.hi


def test_t12_issue_example_via_cli_is_not_below_the_constant(capsys):
    # `python -m theory lower-bound --claim T12 --dim 1 --eps 0.4444 --json` printed ratio 0.2222 below the old
    # published 0.2461; the enclosed constant must lie below every printed ratio (a few, through the CLI)
    import json

    from theory.cli import main

    lo = LB.enclose_uniform_constant("T12", rtol=1e-2).lo
    for d, e in ((1, 0.4444), (1, 0.4451), (2, 0.3), (7, 1.0)):
        assert main(["lower-bound", "--claim", "T12", "--dim", str(d), "--eps", str(e), "--json"]) in (0, None)
        out = json.loads(capsys.readouterr().out)
        assert out["ratio"] >= lo


@pytest.mark.slow
def test_t17_constant_at_arg_by_mpmath():
    """T17 at d = 2 (corners of the square, Fano: p ≤ (k²ε/2 + ln2)/(2 ln2)) and Le Cam, at 40 digits."""
    enc = LB.enclose_uniform_constant("T17", rtol=1e-2)
    d, e = enc.arg
    assert d == 2
    with mp.workdps(40):
        e_, ln2 = mp.mpf(e), mp.log(2)
        best = mp.mpf(0)
        for k in range(1, 200):
            kl = k * k * e_ / 2
            corners = 2 * k * max(0, 1 - (kl + ln2) / (2 * ln2))              # w/2 = 2kR/2, R = 2
            axes = k * max(0, 1 - (2 * kl / 3 + ln2) / mp.log(3))             # w/2 = kR/2
            tv = min(mp.sqrt(kl / 2), mp.sqrt(1 - mp.exp(-kl)))
            best = max(best, corners, axes, k * (1 - tv) / 2)
        ratio = best / (mp.sqrt(2) / mp.sqrt(e_))
    assert enc.lo <= ratio <= enc.hi


def test_bound_ball_matches_the_float_formulas():
    # the ball twin of bound_at must contain the library's float value at points (all packings, both notions)
    rng = np.random.default_rng(3)
    for _ in range(60):
        notion = ["dinf", "dmr"][int(rng.integers(2))]
        norm = ["l2", "linf"][int(rng.integers(2))]
        pk = LB.PACKINGS[notion][int(rng.integers(len(LB.PACKINGS[notion])))]
        d, k, e = int(10 ** rng.uniform(0, 5)), int(10 ** rng.uniform(0, 3)), float(10 ** rng.uniform(-3, 1))
        ref = LB.bound_at(pk, notion, norm, k, d, 2.0, e / 2)
        with E.workprec():
            from flint import arb
            b = LB._bound_ball(pk, notion, norm, arb(k), arb(d), arb(e))
        # the float formula cancels (1 − p near 0): allow 1e-12 of the width term 2kR (the ball is exact)
        tol = 1e-12 * 4 * k
        assert E.lower(b) - tol <= ref <= E.upper(b) + tol


def test_enclose_uniform_constant_bad_input():
    with pytest.raises(ValueError, match="claim"):
        LB.enclose_uniform_constant("T99")
    with pytest.raises(ValueError, match="d_max"):
        LB.enclose_uniform_constant("T12", d_max=0)


# ----------------------------------------------------------------------------------------------------
# Table-1 gap ranges
# ----------------------------------------------------------------------------------------------------

def test_gauss_linf_mean_bounds_against_mpmath():
    for d in (1, 2, 17):
        lo, hi = LB.gauss_linf_mean_bounds(d)
        with mp.workdps(40):
            ref = mp.quad(lambda t, d=d: 1 - mp.erf(t / mp.sqrt(2)) ** d, [0, 2, 4, 6, 10, mp.inf])
        assert lo <= ref <= hi and hi - lo < 1e-9
    assert LB.gauss_linf_mean_bounds(2)[0] <= 2 / math.sqrt(math.pi) <= LB.gauss_linf_mean_bounds(2)[1]


@pytest.mark.parametrize("setting", [LB.GAP_SETTINGS[2]] + [pytest.param(s, marks=pytest.mark.slow)
                                                              for s in LB.GAP_SETTINGS[:2]])
def test_gap_range_holds_every_sampled_gap(setting):
    emin, emax = LB.enclose_gap_range(*setting)
    assert emin.complete and emax.complete
    rng = np.random.default_rng(7)
    ds = np.unique(np.concatenate([np.arange(1, 41), np.round(10 ** rng.uniform(0, 6, 40)).astype(int)]))
    gaps = [LB.lower_bound(notion=setting[0], norm=setting[1], d=int(d), eps=1.0).gap for d in ds]
    assert emin.lo <= min(gaps) and max(gaps) <= emax.hi
    assert emin.hi <= min(gaps) * (1 + 1e-2) + 1e-12 or emin.hi <= min(gaps) + 0.05


def test_l2_gap_max_is_the_closed_form_at_d2():
    # ℓ2/DMR at d = 2: lower bound 0.25 (Le Cam, k = 1: the corners/axes packings give less), the Gaussian
    # E‖z‖∞ = σ·E max(|g1|, |g2|) = 2·2/√π, so the gap is 16/√π ≈ 9.027 -- the old "4.9–6.0" missed it
    emin, emax = LB.enclose_gap_range("dmr", "l2", d_range=(1, 100))
    assert emax.arg == (2.0,)
    with mp.workdps(40):
        ref = 16 / mp.sqrt(mp.pi)
    assert emax.lo <= ref <= emax.hi
    assert emax.lo > 6.0


def test_gap_range_bad_input():
    with pytest.raises(ValueError, match="notion, norm"):
        LB.enclose_gap_range("dinf", "l2")
    with pytest.raises(ValueError, match="d_range"):
        LB.enclose_gap_range("dmr", "l2", d_range=(0, 5))


def test_dmr_upper_brackets_the_mpmath_dmr_both_ways():
    # pairs where either direction dominates (p near 1 with q moderate, or q tiny): the rigorous bracket of
    # max(DMR(P‖Q), DMR(Q‖P)) must hold the 30-digit oracle value and be tight
    rng = np.random.default_rng(11)
    for s, t in [(0.2, 6.0), (8.0, 0.3), (3.0, 3.0)] + [tuple(rng.uniform(0.05, 12, 2)) for _ in range(3)]:
        hi, lo = RE.dmr_upper(float(s), float(t))
        p, q = -math.expm1(-t), math.exp(-s)
        with mp.workdps(30):
            ref = max(dmr2(p, q)[0], dmr2(q, p)[0])
        assert lo <= ref * (1 + 1e-12) and ref <= hi and hi - lo <= 1e-4 * hi


@pytest.mark.slow
def test_default_and_thorough_enclosures_overlap():
    # the audit's default and --thorough tolerances (CONSTANT_RTOL, GAP_RTOL) give overlapping intervals
    from theory.claims import _lower_bound_checks as LBC

    for claim in ("T12", "T16", "T17"):
        a, b = (LB.enclose_uniform_constant(claim, rtol=r) for r in LBC.CONSTANT_RTOL)
        assert a.complete and b.complete and a.overlaps(b)
    for setting in LB.GAP_SETTINGS:
        (amin, amax), (bmin, bmax) = (LB.enclose_gap_range(*setting, rtol=r) for r in LBC.GAP_RTOL)
        assert amin.overlaps(bmin) and amax.overlaps(bmax)
