"""Tests of theory.sequential (the anytime-valid bound, the stopping rules) and theory.sequential_soundness.

Independent routes for every reference:
* the confidence-sequence ends: the root of log M_t(p) = log(1/alpha) by mpmath bisection at 50 digits (log-beta
  from mpmath.beta), and the closed form 1 - (alpha / (t + 1))^(1/t) of the uniform prior when every draw agreed;
* the exact false-certificate probability: brute-force enumeration of every Bernoulli sample path for a tiny cap,
  and scipy.stats.binom.sf for a single look;
* Monte Carlo false-certificate counts: inside the central 1 - 2e-7 region of Binomial(trials, exact probability)
  (fixed seeds: deterministic; a correct simulation fails with probability < 2e-7).
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
from scipy import stats

from theory import sequential as Q
from theory import sequential_soundness as S


def mp_one_minus_lower(k, t, alpha, a=1.0, b=0.1):
    """1 - L_t at 50 digits: bisection of log B(a+k, b+t-k) - log B(a,b) - k log(1-q) - (t-k) log q = log(1/alpha)."""
    with mpmath.workdps(50):
        k, t = mpmath.mpf(k), mpmath.mpf(t)
        c = mpmath.log(mpmath.beta(a + k, b + t - k)) - mpmath.log(mpmath.beta(a, b))
        thr = mpmath.log(1 / mpmath.mpf(alpha))

        def f(q):
            return c - k * mpmath.log(1 - q) - ((t - k) * mpmath.log(q) if t > k else 0) - thr

        lo, hi = (t - k) / t, 1 - mpmath.mpf(10) ** -45
        for _ in range(220):
            m = (lo + hi) / 2
            lo, hi = (lo, m) if f(m) >= 0 else (m, hi)
        return hi


@pytest.mark.parametrize("k,t", [(5, 10), (90, 100), (999, 1000), (1000, 1000), (99_990, 100_000),
                                 (50_000, 100_000), (99_999, 100_000), (100_000, 100_000), (3, 100_000), (7, 9)])
def test_lower_matches_mpmath_and_is_conservative(k, t):
    q = float(Q.one_minus_lower(k, t, 0.001))
    ref = mp_one_minus_lower(k, t, 0.001)
    assert q >= ref                       # never anti-conservative
    assert q <= ref * (1 + 1e-6)          # and tight


def test_uniform_prior_closed_form_all_agree():
    for t in (1, 10, 1000, 100_000):
        q = float(Q.one_minus_lower(t, t, 0.01, prior=(1.0, 1.0)))
        ref = -math.expm1(math.log(0.01 / (t + 1)) / t)   # p^t = alpha / (t + 1)
        assert ref <= q <= ref * (1 + 1e-6)


def test_upper_is_the_mirrored_end_of_the_same_sequence():
    k, t, a = 30, 100, 0.01
    u = float(Q.upper(k, t, a))
    # log M_t at U (counts k of t, prior Beta(1, 0.1)) must reach log(1/alpha) from above p_hat
    with mpmath.workdps(50):
        lm = (mpmath.log(mpmath.beta(1 + k, 0.1 + t - k)) - mpmath.log(mpmath.beta(1, 0.1))
              - k * mpmath.log(u) - (t - k) * mpmath.log(1 - mpmath.mpf(u)))
    assert u > k / t and float(lm) >= math.log(1 / a) - 1e-9
    assert abs(float(lm) - math.log(1 / a)) < 1e-6


def test_limit_cases_and_monotonicity():
    assert float(Q.one_minus_lower(0, 0, 0.1)) == 1.0 and float(Q.upper(0, 0, 0.1)) == 1.0
    assert float(Q.one_minus_lower(0, 1000, 0.1)) == 1.0
    q = Q.one_minus_lower(np.arange(1001), 1000, 0.001)
    assert np.all(np.diff(q) <= 0) and q[-1] < q[900] < q[500] < q[100] < 1  # L increasing in k
    lo, hi = Q.interval(500, 1000, 0.001)
    cp_lo, cp_hi = stats.beta.ppf(0.001, 500, 501), stats.beta.isf(0.001, 501, 500)
    assert lo < cp_lo < 0.5 < cp_hi < hi                           # wider than the one-look interval


@pytest.mark.parametrize("bad", [dict(alpha=0.0), dict(alpha=1.0), dict(k=5, t=3), dict(k=-1, t=3)])
def test_bad_input(bad):
    kw = dict(k=1, t=3, alpha=0.05) | bad
    with pytest.raises(ValueError):
        Q.one_minus_lower(kw["k"], kw["t"], kw["alpha"])


def test_spec_validation():
    with pytest.raises(ValueError, match="targets"):
        Q.SequentialSpec("target")
    with pytest.raises(ValueError, match="mode"):
        Q.SequentialSpec("both")
    with pytest.raises(ValueError, match="fraction"):
        Q.SequentialSpec("radius", fraction=0.0)
    assert Q.SequentialSpec("target", targets=(0.5,)).metadata()["target_radii"] == [0.5]


def test_look_schedule():
    for budget, batch in [(100_000, 1000), (100_000, 256), (777, 100), (10, 1000)]:
        looks = Q.look_schedule(budget, batch)
        inc = np.diff([0] + looks)
        assert looks[-1] == budget and np.all(inc > 0) and np.all(inc <= batch)


def test_budget_refusal_means_unreachable():
    lv = Q.target_levels([0.25, 0.5, 0.75, 1.0], 0.25)
    budget, a = 100_000, 0.001
    for t in (64, 1024, 50_000):
        st = Q.decide_targets(np.array([t]), t, budget, a, lv)[0]   # every draw so far agreed
        reach = float(Q.one_minus_lower(budget, budget, a))         # all N agree: the best 1 - L at the cap
        for j, q in enumerate(lv):
            if reach > q:
                assert st[j] == Q.REFUSED                           # R = 1 at sigma = 0.25: beyond the cap
            else:
                assert st[j] != Q.REFUSED


def test_decisions_monotone_in_k():
    lv = Q.target_levels([0.25, 0.5], 0.5)
    st = Q.decide_targets(np.arange(513), 512, 10_000, 0.001, lv)
    for j in range(lv.size):
        assert np.all(np.diff(st[:, j].astype(int)) >= 0)


# ---------------------------------------------------------------------------------------- exact dynamic program
def _paths(n):
    return np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.int64)


def brute_force(rule, p, looks, levels):
    """P(certified) per level by enumerating every Bernoulli path (a target frozen at its first decision); the
    rule is evaluated once per look on all counts 0..t and looked up per path."""
    paths = _paths(looks[-1])
    w = p ** paths.sum(1) * (1 - p) ** (looks[-1] - paths.sum(1))
    status = np.zeros((len(paths), len(levels)), dtype=int)
    for t in looks:
        table = np.asarray(rule(np.arange(t + 1), t))
        st = table[paths[:, :t].sum(1)]
        status = np.where(status == 0, st, status)
    return (w[:, None] * (status == Q.CERTIFIED)).sum(0)


def test_dp_equals_enumeration_of_paths():
    looks, p = [3, 6, 9, 12], 0.8
    for rule in (S.sequential_targets([0.45, 0.3], 12, 0.3), S.peeking_cp_targets([0.45, 0.3], 12, 0.3)):
        dp = S.exact_false_certificate(rule, p, looks)
        assert np.allclose(dp, brute_force(rule, p, looks, [0.45, 0.3]), rtol=1e-12, atol=1e-15)


def test_dp_radius_mode_equals_enumeration():
    looks, p, a = [4, 8, 12, 14], 0.7, 0.5      # fraction 0.9: some paths stop early with a false radius
    rule = S.sequential_radius(14, a, 1.0, fraction=0.9)
    paths = _paths(14)
    w = p ** paths.sum(1) * (1 - p) ** (14 - paths.sum(1))
    ref, alive = 0.0, np.ones(len(paths), dtype=bool)
    for t in looks:
        stop, qL = rule(np.arange(t + 1), t)
        k = paths[:, :t].sum(1)
        now = alive & stop[k]
        ref += float(w[now & (qL[k] < 1 - p)].sum())
        alive &= ~now
    assert ref > 0.02     # non-trivial: many paths stop with a false radius
    assert math.isclose(S.exact_false_certificate(rule, p, looks, mode="radius"), ref, rel_tol=1e-12, abs_tol=1e-15)


SMALL = dict(budget=400, batch=50, first=20)


@pytest.mark.parametrize("alpha", [0.05, 0.01])
@pytest.mark.parametrize("q", [0.3, 0.05])
def test_sequential_target_mode_sound_exactly(alpha, q):
    looks = Q.look_schedule(SMALL["budget"], SMALL["batch"], SMALL["first"])
    p = 1 - q * (1 + 1e-9)                                   # worst case: just below the level
    v = S.exact_false_certificate(S.sequential_targets([q], SMALL["budget"], alpha), p, looks)[0]
    assert v <= alpha


@pytest.mark.parametrize("alpha", [0.05, 0.01])
@pytest.mark.parametrize("q", [0.3, 0.05])
def test_planted_peeking_bug_fails_the_soundness_check(alpha, q):
    """Fixed-n Clopper-Pearson recomputed at every look (and stop when it clears the level): P(false) > alpha."""
    looks = Q.look_schedule(SMALL["budget"], SMALL["batch"], SMALL["first"])
    p = 1 - q * (1 + 1e-9)
    v = S.exact_false_certificate(S.peeking_cp_targets([q], SMALL["budget"], alpha), p, looks)[0]
    assert v > alpha
    # the same bound with ONE look at the cap is sound (binomial tail, scipy): the bug is the peeking
    one = S.exact_false_certificate(S.peeking_cp_targets([q], SMALL["budget"], alpha), p, [SMALL["budget"]])[0]
    kmin = next(k for k in range(SMALL["budget"] + 1) if stats.beta.ppf(alpha, k, SMALL["budget"] - k + 1) >= 1 - q)
    assert math.isclose(one, stats.binom.sf(kmin - 1, SMALL["budget"], p), rel_tol=1e-9) and one <= alpha


@pytest.mark.parametrize("p", [0.6, 0.95, 0.999])
def test_radius_mode_sound_exactly(p):
    looks = Q.look_schedule(SMALL["budget"], SMALL["batch"], SMALL["first"])
    assert S.exact_false_certificate(S.sequential_radius(SMALL["budget"], 0.05, 0.5), p, looks, mode="radius") <= 0.05


def test_monte_carlo_agrees_with_exact():
    looks = Q.look_schedule(SMALL["budget"], SMALL["batch"], SMALL["first"])
    q, a, trials = 0.3, 0.05, 20_000
    p = 1 - q * (1 + 1e-9)
    for rule in (S.sequential_targets([q], SMALL["budget"], a), S.peeking_cp_targets([q], SMALL["budget"], a)):
        ex = float(S.exact_false_certificate(rule, p, looks)[0])
        mc = S.simulate(rule, p, looks, a, trials=trials, seed=3, levels=[q])
        lo, hi = stats.binom.ppf(1e-7, trials, ex), stats.binom.isf(1e-7, trials, ex)
        assert lo <= mc.false[0] <= hi


# -------------------------------------------------------------------------------------------------- slow: real cap
@pytest.mark.slow
def test_monte_carlo_real_cap_sound_and_bug_caught():
    """At the real cap (100,000, batch 1000, alpha = 0.001): the sequential target mode's false-certificate rate
    has a Clopper-Pearson upper bound (1 - 1e-6) <= alpha at the worst-case p; the peeking bug's lower bound > alpha.
    """
    budget, a, trials = 100_000, 0.001, 100_000
    looks = Q.look_schedule(budget, 1000)
    lv = Q.target_levels([0.25, 0.5, 0.75, 1.0], 0.5)
    for j in (1, 3):
        p = 1 - lv[j] * (1 + 1e-9)
        res = S.simulate(S.sequential_targets(lv, budget, a), p, looks, a, trials=trials, seed=j, levels=lv)
        assert res.sound, res
        bug = S.simulate(S.peeking_cp_targets(lv, budget, a), p, looks, a, trials=trials, seed=j, levels=lv)
        assert stats.beta.ppf(1e-6, bug.false[j], trials - bug.false[j] + 1) > a


def test_radius_stop_compares_with_the_fixed_n_clopper_pearson_radius():
    """Radius mode stops iff radius(L_t) >= (1 - fraction) * (fixed-n radius at the cap); every draw agreeing,
    both radii have closed forms (prior Beta(1, 1): 1 - L_t = 1 - (alpha / (t + 1))^(1/t); Clopper-Pearson at
    k = N: 1 - alpha^(1/N)), evaluated here with mpmath at 30 digits, independently of the module."""
    import mpmath as mp

    mp.mp.dps = 30
    N, alpha, sigma, f = 100_000, 0.001, 0.5, 0.10
    r_fixed = sigma * -mp.sqrt(2) * mp.erfinv(2 * (1 - alpha ** (mp.mpf(1) / N)) - 1)
    for t in (1_000, 5_000, 20_000, 40_000, 60_000, 90_000):
        q_now = 1 - (alpha / mp.mpf(t + 1)) ** (mp.mpf(1) / t)
        r_now = sigma * -mp.sqrt(2) * mp.erfinv(2 * q_now - 1)
        stop, q = Q.radius_stop([t], t, N, alpha, sigma, f, prior=(1.0, 1.0), final_share=0.0)
        # outward-rounded by the module's margin (here <= 1e-6 relative): never below the exact value
        assert float(q_now) <= float(q[0]) <= float(q_now) * (1 + 1e-6)
        assert bool(stop[0]) == bool(r_now >= (1 - f) * r_fixed), t
    # the switch happens inside the tested range (so both branches were exercised)
    assert not Q.radius_stop([1_000], 1_000, N, alpha, sigma, f, prior=(1.0, 1.0), final_share=0.0)[0][0]
    assert Q.radius_stop([90_000], 90_000, N, alpha, sigma, f, prior=(1.0, 1.0), final_share=0.0)[0][0]


@pytest.mark.parametrize("bad", [0.0, 1.0, 2.0, -0.1])
def test_radius_fraction_must_lie_in_the_unit_interval(bad):
    with pytest.raises(ValueError, match="fraction"):
        Q.radius_stop([10], 10, 100, 0.001, 1.0, bad)
    with pytest.raises(ValueError, match="fraction"):
        Q.SequentialSpec("radius", fraction=bad)


def test_final_look_is_the_better_of_the_sequence_and_one_clopper_pearson_look():
    """At the cap the reported bound is min(1 - L_N at alpha (1 - s), 1 - CP_N at alpha s); before the cap only
    the sequence at alpha (1 - s).  CP from scipy's beta quantile (the textbook form), independently."""
    from scipy.stats import beta

    N, a, s = 1000, 0.01, 0.5
    for k in (1000, 990, 900, 600):
        cs = float(Q.one_minus_lower(k, N, a * (1 - s)))
        cp = 1.0 - float(beta.ppf(a * s, k, N - k + 1))
        got = float(Q.final_one_minus_lower(k, N, N, a, final_share=s))
        assert math.isclose(got, min(cs, cp), rel_tol=1e-9), k
        assert math.isclose(float(Q.final_one_minus_lower(k, N - 1 if k < N else N, N, a, final_share=s)),
                            min(cs, cp) if k == N else float(Q.one_minus_lower(k, N - 1, a * (1 - s))), rel_tol=1e-9)
    # moderate pA: the one look is tighter than the sequence (the sequence pays ~ 0.5 log t for anytime validity)
    assert Q.fixed_n_one_minus_lower(900, N, a * s) < Q.one_minus_lower(900, N, a * (1 - s))
    # share 0: the pure sequence at alpha
    assert float(Q.final_one_minus_lower(900, N, N, a, final_share=0.0)) == float(Q.one_minus_lower(900, N, a))
    for bad in (-0.1, 1.0, 2.0):
        with pytest.raises(ValueError, match="final_share"):
            Q.final_one_minus_lower(900, N, N, a, final_share=bad)


def test_futility_refuses_only_what_the_cap_could_not_certify():
    """Futility (beta) refuses R when even the optimistic projected count could not certify R at the cap; it never
    certifies, and without it the same counts stay undecided."""
    N, a = 100_000, 0.001
    lv = Q.target_levels([1.0], 1.0)                       # pA level Phi(1) = 0.841
    k, t = 780, 1000                                       # p_hat = 0.78, far below the level
    assert Q.decide_targets(k, t, N, a, lv, futility=None)[0] == Q.UNDECIDED or \
        Q.decide_targets(k, t, N, a, lv, futility=None)[0] == Q.REFUSED
    assert Q.decide_targets(k, t, N, a, lv, futility=0.05)[0] == Q.REFUSED
    k, t = 850, 1000                                       # p_hat above the level: futility must not refuse
    assert Q.decide_targets(k, t, N, a, lv, futility=0.05)[0] == Q.UNDECIDED
    # the refusal is exactly the projected-cap rule, computed here by hand
    seen = set()
    for k in range(800, 860, 5):
        U = float(Q.upper(k, t, 0.05))
        cap = float(Q.final_one_minus_lower(k + (N - t) * U, N, N, a))
        plain = Q.decide_targets(k, t, N, a, lv, futility=None)[0]
        want = Q.REFUSED if (plain == Q.REFUSED or cap > lv[0]) else plain
        assert Q.decide_targets(k, t, N, a, lv, futility=0.05)[0] == want, k
        seen.add(int(want))
    assert seen == {Q.REFUSED, Q.UNDECIDED}            # both sides of the rule were exercised
    with pytest.raises(ValueError, match="futility"):
        Q.decide_targets(k, t, N, a, lv, futility=1.5)


def test_fft_dynamic_program_equals_the_direct_sums():
    """The FFT route (used at the real cap) gives the direct convolution's probabilities to 1e-12, with an error
    bound that covers the difference; a planted FFT bug (no clipping of negative round-off, or a shifted
    kernel) would break the equality."""
    looks = Q.look_schedule(3000, 200, 20)
    rule = S.sequential_targets([0.1], 3000, 0.01)
    p = 0.9 * (1 - 1e-9)
    old = S._FFT_ABOVE
    try:
        S._FFT_ABOVE = 0
        fft, err = S.exact_false_certificate_with_error(rule, p, looks)
        rfft, _ = S.exact_false_certificate_with_error(S.sequential_radius(3000, 0.01, 1.0), 0.95, looks, mode="radius")
    finally:
        S._FFT_ABOVE = old
    direct, err0 = S.exact_false_certificate_with_error(rule, p, looks)
    rdirect, _ = S.exact_false_certificate_with_error(S.sequential_radius(3000, 0.01, 1.0), 0.95, looks, mode="radius")
    assert 0 < err < 1e-9 and err0 < 1e-25
    assert abs(float(fft[0]) - float(direct[0])) <= max(err, 1e-12) and float(direct[0]) > 1e-3
    assert abs(float(rfft) - float(rdirect)) <= 1e-12


def test_exact_cap_table_flags_an_unsound_rule():
    """The real-cap table's verdict is not vacuous: the same machinery on the peeking bug exceeds alpha."""
    looks = Q.look_schedule(5000, 500)
    v, err = S.exact_false_certificate_with_error(S.peeking_cp_targets([0.1], 5000, 0.01), 0.9 * (1 - 1e-9), looks)
    assert float(v[0]) - err > 0.01
