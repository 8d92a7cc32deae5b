"""Tests of theory.soundness: the ground truths, the exact failure probability and the simulation.

Every reference comes from a route independent of the code under test:
* true radii: mpmath at 50 digits (inverse normal via erfcinv; the eq.-6 tail by mpmath quadrature of
  E[(1 - s/R)_+] rather than the incomplete-gamma identity; the corner-exp mass by quadrature of
  E[(1 - b/R)_+^(d-1)] / 2 rather than its closed form) and Monte Carlo with theory.mechanisms'
  R14 sampler and a second sampler (Clopper-Pearson interval at level 1 - 1e-6), which also checks the
  corner-exp flip point along the corner and pB < 1/2 in other directions inside the radius;
* failure probabilities: explicit enumeration of every count k = 0..n with scipy.stats.binom.pmf, the
  Clopper-Pearson bound from scipy.stats.beta directly and the radius formulas written out here
  (Cohen et al. 2019 Thm 1; C11 of the paper), not the module's bisection;
* simulated failure counts: must lie inside the central 1 - 2e-7 region of Binomial(trials, exact p)
  (fixed seeds, so the test is deterministic; a correct simulation fails it with probability < 2e-7).
"""

from __future__ import annotations

import json
import math

import mpmath
import numpy as np
import pytest
from scipy import stats

from theory import certificates as C
from theory import soundness as S
from theory.certificates.yang_check import _eq6_samples

ALPHA = 0.001
SIG = 0.5


def phi_inv_upper_mp(q):
    """Phi^{-1}(1 - q) at 50 digits: the root of log(erfc(x/sqrt 2)/2) = log q (mpmath.findroot)."""
    with mpmath.workdps(50):
        q = mpmath.mpf(q)
        f = lambda x: mpmath.log(mpmath.erfc(x / mpmath.sqrt(2)) / 2) - mpmath.log(q)  # noqa: E731
        x0 = mpmath.sqrt(2 * mpmath.log(1 / q)) if q < 0.3 else mpmath.mpf(0.1)
        return mpmath.findroot(f, x0, tol=mpmath.mpf(10) ** -45)


def spec(name, form="binary", **params):
    for s in S.cert_specs():
        if s.name == name and s.form == form and dict(s.params) == params:
            return s
    raise KeyError((name, form, params))


# ------------------------------------------------------------------------------------------------------
# ground truths
# ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("q", [0.4, 1e-2, 1e-12, 1e-300])
def test_halfspace_true_radius_matches_mpmath(q):
    gt = S.halfspace_l2(q, SIG)
    ref = SIG * phi_inv_upper_mp(q)
    assert gt.true_radius == pytest.approx(float(ref), rel=1e-12)
    lin = S.halfspace_linf(q, SIG, 3072)
    assert lin.true_radius == pytest.approx(float(ref) / math.sqrt(3072), rel=1e-12)


def _tail_by_quadrature(s, sigma, d):
    """P(|z_1| > s) = E[(1 - s/R)_+], R ~ Gamma(d + 1, sigma): mpmath quadrature (independent route)."""
    with mpmath.workdps(30):
        k = d + 1

        def dens(r):
            return mpmath.exp((k - 1) * mpmath.log(r) - r / sigma - mpmath.loggamma(k) - k * mpmath.log(sigma))

        return mpmath.quad(lambda r: (1 - s / r) * dens(r), [s, s + d * sigma, s + 10 * d * sigma + 200 * sigma,
                                                               mpmath.inf])


@pytest.mark.parametrize("d,q", [(1, 1e-3), (10, 0.1), (10, 1e-9), (100, 1e-4)])
def test_axis_exponential_true_radius_by_quadrature(d, q):
    gt = S.axis_exponential(q, SIG, d)
    tail = _tail_by_quadrature(gt.true_radius, SIG, d)
    assert float(tail / 2) == pytest.approx(q, rel=1e-9)


def test_axis_exponential_by_monte_carlo_with_R14_sampler():
    """P(z_1 < -m) = 1 - pA for the eq.-6 noise drawn by theory.mechanisms.ExponentialLinf (R14)."""
    from theory.mechanisms import ExponentialLinf

    d, q = 10, 0.05
    gt = S.axis_exponential(q, SIG, d)
    z = ExponentialLinf(SIG, d).sample(np.random.default_rng(12345), 400_000)
    k = int(np.count_nonzero(z[:, 0] < -gt.true_radius))
    lo, hi = C.clopper_pearson_interval(k, z.shape[0], 1e-6)
    assert lo <= q <= hi
    # a construction that does not use R14 (the quadrature route above does): ||z||_inf ~ Gamma(d, sigma),
    # a uniformly chosen face (coordinate, sign), the other coordinates uniform on [-R, R]
    z2 = _eq6_samples(400_000, d, SIG, np.random.default_rng(54321))
    k2 = int(np.count_nonzero(z2[:, 0] < -gt.true_radius))
    lo2, hi2 = C.clopper_pearson_interval(k2, z2.shape[0], 1e-6)
    assert lo2 <= q <= hi2


# corner-exp: the Neyman-Pearson worst case of eq.-6 noise in l_inf (max+min rule)

def _corner_mass_by_quadrature(b, sigma, d):
    """(1/2) E[(1 - b/R)_+^(d-1)], R = ||z||_inf ~ Gamma(d, sigma): mpmath quadrature, not the closed form."""
    with mpmath.workdps(30):
        dens = lambda r: mpmath.exp((d - 1) * mpmath.log(r) - r / sigma - mpmath.loggamma(d) - d * mpmath.log(sigma))  # noqa: E731
        return mpmath.quad(lambda r: (1 - b / r) ** (d - 1) * dens(r) / 2,
                           [b, b + d * sigma, b + 10 * d * sigma + 200 * sigma, mpmath.inf])


def _maxmin(y):
    return y.max(axis=1) + y.min(axis=1)


@pytest.mark.parametrize("d,q", [(2, 0.4), (2, 1e-6), (10, 0.01), (10, 1e-12)])
def test_corner_exponential_probability_by_quadrature(d, q):
    """P(max z + min z >= 2b) = 1 - pA at b = true radius, by quadrature over R (no closed form used);
    the true radius equals Yang et al.'s radius at the true pA, and the axis rule's exceeds it (d > 1)."""
    gt = S.corner_exponential(q, SIG, d)
    assert float(_corner_mass_by_quadrature(gt.true_radius, SIG, d)) == pytest.approx(q, rel=1e-9)
    assert gt.true_radius == pytest.approx(C.radius("yang-linf", one_minus_pA=q, sigma=SIG), rel=1e-12)
    assert S.axis_exponential(q, SIG, d).true_radius > 1.05 * gt.true_radius


def test_corner_exponential_by_monte_carlo():
    """Monte Carlo (two samplers, Clopper-Pearson at level 1 - 1e-6): P(B) = 1 - pA at x; along the corner
    delta = t (1, ..., 1) pB(t) follows e^{-(b-t)/sigma}/2 (t <= b), 1 - e^{-(t-b)/sigma}/2 (t > b), written out
    here, so the prediction flips between 0.97 b and 1.03 b; other directions with ||delta||_inf = 0.97 b
    (an axis, a random sign vector, a random point of the l_inf sphere) keep pB < 1/2."""
    from theory.mechanisms import ExponentialLinf

    q, n = 0.05, 200_000
    for d, seed in ((2, 101), (10, 202)):
        b = S.corner_exponential(q, SIG, d).true_radius
        rng = np.random.default_rng(seed)
        for z in (ExponentialLinf(SIG, d).sample(rng, n), _eq6_samples(n, d, SIG, rng)):
            lo, hi = C.clopper_pearson_interval(int(np.count_nonzero(_maxmin(z) >= 2 * b)), n, 1e-6)
            assert lo <= q <= hi, (d, lo, hi)
            for f in (0.5, 0.97, 1.03, 1.5):
                t = f * b
                ref = 0.5 * math.exp(-(b - t) / SIG) if t <= b else 1 - 0.5 * math.exp(-(t - b) / SIG)
                assert S.corner_exponential_pB(t, b, SIG) == pytest.approx(ref, rel=1e-12)
                k = int(np.count_nonzero(_maxmin(z + t) >= 2 * b))
                lo, hi = C.clopper_pearson_interval(k, n, 1e-6)
                assert lo <= ref <= hi, (d, f, lo, ref, hi)
                assert (hi < 0.5) if f < 1 else (lo > 0.5)
            u_sign = rng.choice([-1.0, 1.0], size=d)
            u_rand = rng.uniform(-1, 1, size=d)
            u_rand[rng.integers(d)] = 1.0
            for u in (np.eye(d)[0], -np.ones(d), u_sign, u_rand):
                k = int(np.count_nonzero(_maxmin(z + 0.97 * b * u) >= 2 * b))
                assert C.clopper_pearson_interval(k, n, 1e-6)[1] < 0.5, (d, u)


def test_slab_multiclass_flip_point_mpmath():
    for pA, pB in [(0.5, 0.3), (0.45, 0.2), (0.9, 0.06), (1 - 1e-6, 5e-7)]:
        gt = S.slab_multiclass(pA, pB, SIG)
        s = gt.true_radius / SIG
        with mpmath.workdps(40):
            a = -phi_inv_upper_mp(pA)
            b = -phi_inv_upper_mp(pB)
            pa = mpmath.ncdf(a - s)
            pb = mpmath.ncdf(b + s)
            pc = 1 - pa - pb
            assert float(abs(pa - max(pb, pc))) < 1e-12
            # before the flip, A is on top (checked at 0.999 s*)
            s2 = 0.999 * s
            pa2, pb2 = mpmath.ncdf(a - s2), mpmath.ncdf(b + s2)
            assert pa2 > max(pb2, 1 - pa2 - pb2)
            if pc <= pa:  # C never overtakes: Cohen et al.'s multi-class radius is tight here
                if float(1 - pa - pb) < float(pa) - 1e-9:
                    assert gt.true_radius == pytest.approx(float(SIG * (a - b) / 2), rel=1e-9)


def test_ground_truth_bad_input():
    for bad in (0.0, 0.5, 0.7, -1e-3, float("nan")):
        with pytest.raises(ValueError, match="one_minus_pA"):
            S.halfspace_l2(bad)
    with pytest.raises(ValueError, match="sigma"):
        S.axis_exponential(0.1, 0.0, 3)
    with pytest.raises(ValueError, match="d"):
        S.halfspace_linf(0.1, 1.0, 0)
    with pytest.raises(ValueError, match="top class"):
        S.slab_multiclass(0.3, 0.6)


# ------------------------------------------------------------------------------------------------------
# exact failure probability: module (bisection) vs explicit enumeration written out here
# ------------------------------------------------------------------------------------------------------

def _enumerated_failure(radius_of_pl, q, true_r, n, n0, alpha):
    """sum_k P(K = k) 1[fail(k)] with the Clopper-Pearson bound from scipy.stats.beta directly."""
    k = np.arange(n + 1)
    with np.errstate(all="ignore"):
        pl = np.where(k == 0, 0.0, stats.beta.ppf(alpha, k, n - k + 1))
    cert = pl >= 0.5
    rad = np.array([radius_of_pl(p) if c else 0.0 for p, c in zip(pl, cert, strict=True)])
    failA = cert & (rad > true_r * (1 + 1e-12))
    pA_k = stats.binom.pmf(n - k, n, q)  # P[Bin(n, pA) = k]
    pB_k = stats.binom.pmf(k, n, q)  # P[Bin(n, 1 - pA) = k]
    selB = stats.binom.sf(n0 // 2, n0, q)
    return (1 - selB) * float(np.sum(pA_k[failA])) + selB * float(np.sum(pB_k[cert]))


@pytest.mark.parametrize("q,n", [(0.4, 100), (0.1, 1000), (0.2, 2000), (1e-3, 5000)])
def test_exact_failure_cohen_by_enumeration(q, n):
    gt = S.halfspace_l2(q, SIG)
    ref = _enumerated_failure(lambda p: SIG * stats.norm.ppf(p), q, gt.true_radius, n, 100, ALPHA)
    got = S.exact_failure_probability(spec("cohen"), gt, n=n, alpha=ALPHA)
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-300)
    assert got <= ALPHA  # Cohen et al.: CERTIFY with the tight radius fails with probability <= alpha


@pytest.mark.parametrize("c", [0.5, 1.0])
def test_exact_failure_c11_by_enumeration(c):
    q, n = 1e-4, 5000
    gt = S.halfspace_l2(q, SIG)
    rad = lambda p: math.sqrt(2) * SIG * math.log(p / (1 - p)) / (2 * (1 + c))  # noqa: E731  (C11, binary)
    ref = _enumerated_failure(rad, q, gt.true_radius, n, 100, ALPHA)
    got = S.exact_failure_probability(spec("c11", c=c), gt, n=n, alpha=ALPHA)
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("q,n", [(0.1, 2000), (1e-2, 5000)])
def test_exact_failure_yang_on_corner_by_enumeration(q, n):
    """Yang et al.'s radius sigma log(1/(2(1 - pA_lower))), written out, on its worst case (d = 2, 10): the
    failure probability is <= alpha and of order alpha (the ground truth is tight); on the axis rule at
    d = 10 the same certificate essentially never fails (that ground truth is not the worst case)."""
    yang = lambda p: SIG * math.log(1 / (2 * (1 - p)))  # noqa: E731
    for d in (2, 10):
        gt = S.corner_exponential(q, SIG, d)
        ref = _enumerated_failure(yang, q, gt.true_radius, n, 100, ALPHA)
        got = S.exact_failure_probability(spec("yang-linf"), gt, n=n, alpha=ALPHA)
        assert got == pytest.approx(ref, rel=1e-9, abs=1e-300)
        assert 0.5 * ALPHA < got <= ALPHA
    ax = S.axis_exponential(q, SIG, 10)
    assert _enumerated_failure(yang, q, ax.true_radius, n, 100, ALPHA) < 1e-6


# ------------------------------------------------------------------------------------------------------
# simulation vs exact (fixed seeds)
# ------------------------------------------------------------------------------------------------------

def _in_binomial_region(failures, trials, p):
    """failures inside the central 1 - 2e-7 region of Binomial(trials, p)."""
    return stats.binom.cdf(failures, trials, p) > 1e-7 and stats.binom.sf(failures - 1, trials, p) > 1e-7


SIM_CASES = [
    ("halfspace-l2", 0.4, 100), ("halfspace-l2", 0.1, 10_000), ("halfspace-l2", 1e-2, 1_000_000),
    ("halfspace-l2", 1e-6, 100_000_000), ("halfspace-linf", 1e-4, 1_000_000), ("axis-exp-1", 0.1, 10_000),
    ("axis-exp-10", 1e-6, 1_000_000), ("corner-exp-2", 0.1, 10_000), ("corner-exp-10", 1e-4, 1_000_000),
]


def _gt(kind, q):
    if kind == "halfspace-l2":
        return S.halfspace_l2(q, SIG)
    if kind == "halfspace-linf":
        return S.halfspace_linf(q, SIG, 3072)
    if kind.startswith("corner-exp"):
        return S.corner_exponential(q, SIG, int(kind.split("-")[-1]))
    return S.axis_exponential(q, SIG, int(kind.split("-")[-1]))


@pytest.mark.parametrize("kind,q,n", SIM_CASES)
def test_simulated_failures_match_exact_probability(kind, q, n):
    gt = _gt(kind, q)
    rows = S.simulate_setting(gt, S.cert_specs(), n=n, trials=20_000, seed=7)
    assert rows
    for r in rows:
        assert r.trials == 20_000
        assert r.exact is not None
        assert _in_binomial_region(r.failures, r.trials, r.exact), (r.certificate, r.failures, r.exact)
        assert r.ci_low <= r.rate <= r.ci_high


def test_cohen_failure_rate_near_alpha_at_large_n():
    """The tight certificate's failure probability tends to alpha as n grows (Clopper-Pearson is exact in
    the limit): a check that the simulation can SEE a failure rate of order alpha (power), not only zeros."""
    gt = S.halfspace_l2(0.1, SIG)
    (row,) = [r for r in S.simulate_setting(gt, [spec("cohen")], n=10**8, trials=200_000, seed=3)]
    assert 0.0009 < row.exact <= ALPHA
    assert _in_binomial_region(row.failures, row.trials, row.exact)
    assert row.failures > 100


def test_shortcut_equals_direct_certify_for_every_run():
    """The bisection classification of the distinct counts equals certify_from_counts run on every draw."""
    gt = S.halfspace_l2(1e-3, SIG)
    n, trials = 20_000, 1500
    sp = [spec("cohen"), spec("c11", c=0.5), spec("li-renyi")]
    rows = S.simulate_setting(gt, sp, n=n, trials=trials, seed=11, exact=False)
    key = f"{gt.key()}|n={n}|n0=100|trials={trials}"
    sel, counts = S.draw_counts(gt, 100, n, trials, S._rng(11, key))
    for s, row in zip(sp, rows, strict=True):
        fails = 0
        for c_, k in zip(sel, counts[np.arange(trials), sel], strict=True):
            res = C.certify_from_counts(int(k), n, ALPHA, SIG, s.name, **dict(s.params))
            if not res.abstain and (c_ != 0 or res.radius > gt.true_radius * (1 + 1e-12)):
                fails += 1
        assert row.failures == fails, s.label


def test_multiclass_staircase_equals_direct_evaluation():
    gt = S.slab_multiclass(0.5, 0.3, SIG)
    n, trials = 10_000, 1500
    sp = [spec("cohen", "multiclass"), spec("c11", "multiclass", c=0.5)]
    rows = S.simulate_setting(gt, sp, n=n, trials=trials, seed=5)
    key = f"{gt.key()}|n={n}|n0=100|trials={trials}"
    sel, counts = S.draw_counts(gt, 100, n, trials, S._rng(5, key))
    K = 3
    for s, row in zip(sp, rows, strict=True):
        fails = 0
        for c_, cnt in zip(sel, counts, strict=True):
            kA = int(cnt[c_])
            kB = int(max(cnt[j] for j in range(K) if j != c_))
            pl = C.clopper_pearson_lower(kA, n, ALPHA / 2)
            pu = min(1 - pl, C.clopper_pearson_upper(kB, n, ALPHA / (2 * (K - 1))))
            if pl <= pu:
                continue
            r = C.get(s.name).radius(pA=pl, pB=min(pu, (1 - pl) * (1 - 1e-12)), sigma=SIG, **dict(s.params))
            if c_ != 0 or r > gt.true_radius * (1 + 1e-12):
                fails += 1
        assert abs(row.failures - fails) <= 0, (s.label, row.failures, fails)
        assert row.failures / trials <= ALPHA or row.ci_low <= ALPHA


def test_draw_counts_law():
    """Selection and estimation counts follow the stated law (means within 6 standard errors)."""
    gt = S.slab_multiclass(0.5, 0.3, SIG)
    sel, counts = S.draw_counts(gt, 100, 1000, 20_000, np.random.default_rng(0))
    assert counts.shape == (20_000, 3) and np.all(counts.sum(axis=1) == 1000)
    for j, p in enumerate(gt.probs):
        se = math.sqrt(1000 * p * (1 - p) / 20_000)
        assert abs(counts[:, j].mean() - 1000 * p) < 6 * se
    # P(sel = A): A has the largest of Multinomial(100, (.5, .3, .2)) counts; compare with direct simulation
    ref = np.random.default_rng(1).multinomial(100, gt.probs, size=200_000).argmax(axis=1)
    pa_ref = float(np.mean(ref == 0))
    se = math.sqrt(pa_ref * (1 - pa_ref) * (1 / 20_000 + 1 / 200_000))
    assert abs(float(np.mean(sel == 0)) - pa_ref) < 6 * se
    # binary with 1 - pA = 1e-300: every draw is n
    sel2, c2 = S.draw_counts(S.halfspace_l2(1e-300), 100, 10**9, 1000, np.random.default_rng(0))
    assert np.all(sel2 == 0) and np.all(c2[:, 0] == 10**9)


# ------------------------------------------------------------------------------------------------------
# the findings (the paper's C11 is unsound near pA = 1; the tight certificates are sound)
# ------------------------------------------------------------------------------------------------------

def test_c11_unsound_witness():
    """C11 with c = 1/2 at 1 - pA = 1e-6, n = 1e6: CERTIFY certifies more than the true radius in every run.

    Independent check at the most likely count k = n - 1: the C11 radius at the Clopper-Pearson bound,
    written out, exceeds sigma Phi^-1(pA) (mpmath)."""
    q, n = 1e-6, 10**6
    gt = S.halfspace_l2(q, SIG)
    (row,) = S.simulate_setting(gt, [spec("c11", c=0.5)], n=n, trials=10_000, seed=0)
    assert row.verdict == "UNSOUND" and row.failures == 10_000 and row.exact == pytest.approx(1.0, abs=1e-9)
    with mpmath.workdps(50):
        # Clopper-Pearson at k = n: pA_lower = alpha^(1/n); k = n - 1 ... n - 10 all give pA_lower > 1 - 2e-5
        k = n - 1
        pl = mpmath.mpf(stats.beta.ppf(ALPHA, k, n - k + 1))
        r_c11 = mpmath.sqrt(2) * SIG * mpmath.log(pl / (1 - pl)) / (2 * 1.5)
        true_r = SIG * phi_inv_upper_mp(q)
        assert r_c11 > true_r * 1.1


def test_c11_c1_pB_form_unsound_at_large_n():
    """The multi-class (pB) form of C11 with c = 1 also fails, once n reaches 1e8 (in the default grid since the
    slabs run at every n): three parallel classes pA = 1 - 1e-6, pB = pC = 5e-7.  Independent check at the
    typical counts (kA = n - 100, runner-up 50): the C11 pB-form radius written out exceeds the true radius."""
    gt = S.slab_multiclass(1 - 1e-6, 5e-7, SIG)
    assert any(g.kind == "slab-multiclass" and n == 10**8 for g, n in S.default_grid())
    (row,) = S.simulate_setting(gt, [spec("c11", "multiclass", c=1.0)], n=10**8, trials=2000, seed=0)
    assert row.verdict == "UNSOUND" and row.failures == 2000
    n = 10**8
    pl = stats.beta.ppf(ALPHA / 2, n - 100, 101)
    pu = stats.beta.isf(ALPHA / 4, 51, n - 50)
    r = math.sqrt(2) * SIG * math.log(pl / pu) / 4
    assert r > gt.true_radius * 1.01


def test_default_run_findings(tmp_path):
    """The report's verdicts on a reduced grid (two settings per kind)."""
    grid = [(S.halfspace_l2(q, SIG), n) for q in (0.1, 1e-6) for n in (10_000, 10**8)]
    grid += [(S.axis_exponential(0.1, SIG, 1), 10_000), (S.slab_multiclass(0.9, 0.06, SIG), 10_000)]
    grid += [(S.corner_exponential(0.1, SIG, 10), 10**6)]
    res = S.run_soundness(tmp_path, trials=10_000, grid=grid, progress=False, figures=True)
    md = (tmp_path / "soundness.md").read_text()
    js = json.loads((tmp_path / "soundness.json").read_text())
    assert (tmp_path / "soundness_rates.png").stat().st_size > 1000
    assert "| certificate | ground truth | setting | n | true radius | trials | failures | rate | interval |" in md
    summ = {s["certificate"]: s for s in js["summary"]}
    for sound in ("cohen", "li-renyi", "pixeldp", "t13", "yang-linf", "c11 (c=3)", "cohen [pB form]"):
        assert summ[sound]["unsound_settings"] == 0, sound
    assert summ["c11 (c=1)"]["unsound_settings"] >= 1  # 1 - pA = 1e-6, n = 1e8
    assert summ["c11 (c=0.5)"]["unsound_settings"] >= 1
    assert js["trials_per_setting"] == 10_000 and js["settings"] == len(res.rows)
    # the worst-case eq.-6 ground truth: tight certificates fail at rate ~alpha there, within the interval
    corner = [r for r in js["rows"] if r["ground_truth"] == "corner-exp"]
    assert {r["name"] for r in corner} == {"t13", "yang-linf"}
    assert all(r["verdict"] == "sound" and r["exact"] <= ALPHA for r in corner)
    assert "| corner-exp | 10 | 1 | yang-linf |" in md
    # threshold rows of a tight certificate against itself are references, not findings
    refs = {t["certificate"] for t in js["thresholds"] if t["reference"]}
    assert refs == {"cohen", "cohen-linf", "yang-linf"}
    assert md.count("reference (tight by construction)") == 3
    assert "| yang-linf | yang-linf | never" not in md


def test_compute_writes_nothing_and_report_rerenders_from_json(tmp_path, monkeypatch):
    """compute_soundness writes no file; the Markdown re-rendered from the JSON equals the one written; the
    verdicts shown are those of the result (a planted change of a row's verdict shows in the Markdown)."""
    import dataclasses

    monkeypatch.chdir(tmp_path)
    grid = [(S.halfspace_l2(1e-6, SIG), 10**8), (S.corner_exponential(0.1, SIG, 2), 10**4)]
    res = S.compute_soundness(trials=300, grid=grid, progress=False, command="test")
    assert list(tmp_path.iterdir()) == []
    out = tmp_path / "out"
    names = [p.name for p in S.write_soundness_report(res, out, figures=False)]
    assert names == ["soundness.md", "soundness.json"]
    md = (out / "soundness.md").read_text()
    again = S.SoundnessResult.from_json(out / "soundness.json")
    assert S.render_markdown(again) == md
    assert again.rows == res.rows and again.eq6 == res.eq6 and again.figures == ()
    assert "## Figures" not in md
    assert {e["ground_truth"] for e in res.eq6} == {"corner-exp"}
    row0 = res.rows[0]
    planted = dataclasses.replace(res, rows=(dataclasses.replace(row0, verdict="PLANTED"),) + res.rows[1:])
    assert "PLANTED" in S.render_markdown(planted) and "PLANTED" not in md
    with pytest.raises(dataclasses.FrozenInstanceError):
        row0.verdict = "x"  # type: ignore[misc]
    d = res.to_dict()
    d["schema_version"] = 0
    with pytest.raises(ValueError, match="schema_version"):
        S.SoundnessResult.from_dict(d)


def test_committed_report_rerenders_from_its_json():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "reports"
    res = S.SoundnessResult.from_json(root / "soundness.json")
    assert S.render_markdown(res) == (root / "soundness.md").read_text()


def test_default_grid_has_the_eq6_worst_case():
    kinds = {(g.kind, g.d) for g, _ in S.default_grid(qs=(0.1,), ns=(100,), multi=())}
    assert ("corner-exp", 2) in kinds and ("corner-exp", 10) in kinds


def test_same_seed_same_result_other_seed_other_draws():
    gt = S.halfspace_l2(0.1, SIG)
    a = S.simulate_setting(gt, [spec("cohen")], n=10**6, trials=5000, seed=1, exact=False)
    b = S.simulate_setting(gt, [spec("cohen")], n=10**6, trials=5000, seed=1, exact=False)
    assert a == b
    key = f"{gt.key()}|n={10**6}|n0=100|trials=5000"
    d1 = S.draw_counts(gt, 100, 10**6, 5000, S._rng(1, key))[1]
    d2 = S.draw_counts(gt, 100, 10**6, 5000, S._rng(2, key))[1]
    assert not np.array_equal(d1, d2)


def test_unwritable_output_fails_before_work(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    with pytest.raises((FileNotFoundError, NotADirectoryError, PermissionError, FileExistsError, OSError)):
        S.run_soundness(f / "sub", trials=10, grid=[(S.halfspace_l2(0.1), 100)], progress=False)


def test_bad_arguments():
    gt = S.halfspace_l2(0.1)
    for kw, name in [({"n": 0}, "n"), ({"n": 10, "trials": 0}, "trials"), ({"n": 10, "alpha": 1.0}, "alpha"),
                     ({"n": 10, "n0": 0}, "n0"), ({"n": 10.5}, "n")]:
        with pytest.raises(ValueError, match=name):
            S.simulate_setting(gt, S.cert_specs(), **kw)
    with pytest.raises(ValueError, match="binary"):
        S.exact_failure_probability(spec("cohen", "multiclass"), S.slab_multiclass(0.5, 0.3), n=10)
