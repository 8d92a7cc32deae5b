"""The verification suite of the paper's claims, parametrised from the registry (theory.claims).

A claim added to the registry becomes a test without new code:

* ``test_check``     -- every check of every reading of every claim runs and its own assertions pass
                        (numbers agree within the stated tolerance, counterexamples reproduce, Monte Carlo
                        inside its confidence bound);
* ``test_verdict``   -- for every reading of every claim, the verdict derived from the findings of its
                        checks equals the verdict recorded in the registry (refuted / ill-posed readings
                        keep a reproducing witness);
* ``test_property``  -- hypothesis draws parameters from each claim's ``params``; where the printed hypotheses
                        and the conditions found necessary hold, the conclusion (both sides + tolerance) holds.

Profiles: ``ci`` (default; derandomized, 100 examples per property) and ``thorough`` (10,000):
``HYPOTHESIS_PROFILE=thorough python -m pytest tests/theory/test_claims.py``.
"""

from __future__ import annotations

import functools
import json
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from theory.claims import (
    AS_PRINTED,
    CLAIMS,
    CONDITIONAL,
    CONSISTENT,
    ILL_POSED,
    KINDS,
    METHODS,
    PROOF_GAP,
    PROOF_INVALID,
    REFUTED,
    REFUTES,
    REQUIRED_IDS,
    UNDECIDABLE,
    VERDICTS,
    WITNESS_FINDINGS,
    derive_verdict,
    get,
    witness_evidence,
)

CHECKS = [(cid, r.name, chk.name) for cid, c in CLAIMS.items() for r in c.all_readings for chk in r.checks]
READINGS = [(cid, r.name) for cid, c in CLAIMS.items() for r in c.all_readings]
WITH_CONCLUSION = [cid for cid, c in CLAIMS.items() if c.conclusion is not None and c.params]


def _rid(cid, reading, name=None):
    base = cid if reading == AS_PRINTED else f"{cid}[{reading}]"
    return base if name is None else f"{base}:{name}"


@functools.cache
def _evidence(cid: str, reading: str, name: str):
    return get(cid).reading(reading).check(name).run(thorough=False)


# ----------------------------------------------------------------------------------------------------
# the registry
# ----------------------------------------------------------------------------------------------------

def test_registry_has_every_id():
    missing = [i for i in REQUIRED_IDS if i not in CLAIMS]
    assert not missing, f"registry lacks {missing}"
    cells = [i for i in CLAIMS if i.startswith("TABLE1-")]
    assert len(cells) == 8, cells          # 2 mechanisms x 2 norms x 2 divergences
    assert "CONCL-linf-sqrt-d" in CLAIMS


@pytest.mark.parametrize("cid", list(CLAIMS))
def test_entry_is_complete(cid):
    c = get(cid)
    assert c.statement and c.formalisation and c.where and c.title
    assert c.kind in KINDS and c.verdict in VERDICTS
    assert c.methods and set(c.methods) <= set(METHODS)
    rs = c.all_readings
    assert rs and rs[0].name == AS_PRINTED, "the first reading is the statement as printed"
    assert c.printed_verdict == c.verdict == rs[0].verdict
    for r in rs:
        assert r.checks, f"reading {r.name!r}: every reading needs at least one check"
        assert r.statement, f"reading {r.name!r} needs a precise statement"
        assert r.verdict in VERDICTS
        assert r.is_printed or r.repair, f"repaired reading {r.name!r} must say what it changes"
        assert {chk.method for chk in r.checks} <= set(c.methods), "a check's method must be listed in methods"
    if c.verdict in (REFUTED, CONDITIONAL, ILL_POSED, CONSISTENT, PROOF_INVALID):
        assert c.holds_when, ("refuted / conditional / consistent-with / ill-posed / proof-invalid claims record where "
                              "they hold (what is assumed; the argument that carries the conclusion)")
    if c.verdict == UNDECIDABLE:
        assert c.reason, "undecidable claims record why"
    for dep in c.depends_on:
        assert dep in CLAIMS, f"{cid} depends on unknown claim {dep}"


def test_get_is_case_insensitive_and_rejects_unknown():
    assert get("t10") is get("T10")
    with pytest.raises(ValueError, match="claim_id must be one of"):
        get("T99")


def test_cli_lists_every_claim_as_json(capsys):
    from theory.cli import main

    assert main(["claims", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)["claims"]  # one JSON object (issue 15.8)
    assert [d["id"] for d in data] == list(CLAIMS)
    for d in data:
        assert {"id", "kind", "statement", "methods", "verdict", "printed_verdict", "best_verdict",
                "readings"} <= set(d)
        c = get(d["id"])
        assert d["printed_verdict"] == c.verdict and d["best_verdict"] == c.best_verdict
        assert [r["name"] for r in d["readings"]] == [r.name for r in c.all_readings]
        for r in d["readings"]:
            assert {"name", "statement", "verdict", "checks", "witness"} <= set(r)


def test_cli_unknown_id_is_a_one_line_error(capsys):
    from theory.cli import main

    assert main(["claims", "--id", "NOPE"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "claim_id" in err[0]


# ----------------------------------------------------------------------------------------------------
# checks and verdicts
# ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cid,reading,name", CHECKS, ids=[_rid(*t) for t in CHECKS])
def test_check(cid, reading, name):
    ev = _evidence(cid, reading, name)
    assert ev.ok, f"{_rid(cid, reading, name)} [{ev.finding}]: {ev.summary} {ev.data.get('error', '')}"


@pytest.mark.parametrize("cid,reading", READINGS, ids=[_rid(*t) for t in READINGS])
def test_verdict(cid, reading):
    """Derived verdict == recorded verdict for every reading; refuted / ill-posed / proof-gap readings keep a
    reproducing witness."""
    r = get(cid).reading(reading)
    evs = [_evidence(cid, reading, chk.name) for chk in r.checks]
    assert derive_verdict(evs) == r.verdict, [(e.check, e.finding, e.ok) for e in evs]
    if r.verdict == REFUTED:
        assert any(e.finding == REFUTES and e.ok for e in evs), "a refutation needs a reproducing witness"
    if r.verdict in (REFUTED, ILL_POSED, PROOF_GAP, PROOF_INVALID):
        wit = witness_evidence(r, evs)
        assert wit and all(e.ok and e.finding in WITNESS_FINDINGS for e in wit), \
            f"{_rid(cid, reading)}: a {r.verdict} reading needs a passing witness check"


def test_t8_tightness_ratio_recorded(record_property, capsys):
    """T8: ratio exact DMR (randomized response, Kairouz et al. 2015) / (ε²/2), kept in the test output
    (shown with ``pytest -rP``; also a junit property)."""
    ev = _evidence("T8", AS_PRINTED, "tightness-vs-exact-conversion")
    rows = ev.data["table"]
    for r in rows:
        record_property(f"T8_tightness_eps_{r['eps']}", r["tightness_ratio"])
        # exact DMR of randomized response is eps*tanh(eps/2) (alpha -> 1+): closed form, independent route
        assert math.isclose(r["exact_dmr"], r["eps"] * math.tanh(r["eps"] / 2), rel_tol=1e-9)
        assert 0 < r["tightness_ratio"] <= 1 + 1e-12
    with capsys.disabled():
        pass
    print("T8 tightness DMR_exact/(eps^2/2): " + ", ".join(f"eps={r['eps']}: {r['tightness_ratio']:.6f}" for r in rows))
    assert rows[0]["tightness_ratio"] > 0.9999      # tight as eps -> 0 (tanh(x) ~ x)
    assert rows[-1]["tightness_ratio"] < 0.25       # eps = 10: 2 tanh(5)/10 = 0.19998


# ----------------------------------------------------------------------------------------------------
# properties (hypothesis), drawn from each claim's parameter ranges
# ----------------------------------------------------------------------------------------------------

def _strategy(p):
    if p.scale == "int":
        return st.integers(int(p.lo), int(p.hi))
    if p.scale == "logint":
        return st.floats(math.log(p.lo), math.log(p.hi)).map(lambda v: int(min(p.hi, max(p.lo, round(math.exp(v))))))
    if p.scale == "log":
        return st.floats(math.log(p.lo), math.log(p.hi)).map(lambda v: min(p.hi, max(p.lo, math.exp(v))))
    return st.floats(p.lo, p.hi)


def _params_strategy(cid):
    c = get(cid)
    return st.fixed_dictionaries({p.name: _strategy(p) for p in c.params})


@pytest.mark.parametrize("cid", WITH_CONCLUSION)
def test_property(cid):
    c = get(cid)

    @given(_params_strategy(cid))
    def prop(params):
        assume(c.in_domain(params))
        sides = c.evaluate(params)
        assert sides.holds(), f"{cid} at {params}: {sides}"

    prop()


# ----------------------------------------------------------------------------------------------------
# thresholds reported by the audit, recomputed by an independent route
# ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("c", [0.5, 1.0, 2.0, 3.0])
def test_t10_c_form_threshold_closed_form(c):
    """Φ((c+1)/√2 − √(ε/2)) = 1 − e^{−c²/4}  ⇔  ε* = 2((c+1)/√2 − Φ⁻¹(1 − e^{−c²/4}))² (mpmath, 30 digits)."""
    import mpmath as mp

    from theory.claims.l2_claims import c_form_threshold

    with mp.workdps(30):
        q = 1 - mp.exp(-mp.mpf(c) ** 2 / 4)
        ref = 2 * ((c + 1) / mp.sqrt(2) - mp.sqrt(2) * mp.erfinv(2 * q - 1)) ** 2
    assert math.isclose(c_form_threshold(c), float(ref), rel_tol=1e-9)


@pytest.mark.parametrize("c", [0.5, 1.0, 2.0])
def test_c11_threshold_independent(c):
    """The 1 − pA below which C11 exceeds Cohen's radius, found by mpmath root-finding on
    √2·log((1−e)/e)/(2(1+c)) = Φ⁻¹(1−e), agrees with certificates.exceeds_tight (used by the audit)."""
    import mpmath as mp

    from theory import certificates as C

    with mp.workdps(40):
        f = lambda y: (mp.sqrt(2) * mp.log((1 - mp.exp(y)) / mp.exp(y)) / (2 * (1 + c))  # noqa: E731
                       - mp.sqrt(2) * mp.erfinv(1 - 2 * mp.exp(y)))
        y = mp.findroot(f, (mp.log(1e-16), mp.log(0.2)), solver="anderson")
        ref = float(mp.exp(y))
    got = C.exceeds_tight("c11", c=c, multiclass=False)["from_one_minus_pA"]
    assert math.isclose(got, ref, rel_tol=1e-6), (got, ref)


def test_remark_t9_threshold_mpmath():
    """R-T9 fails once δ_exact((c+1)√ε) > e^{−c²/4} (Balle & Wang 2018): the threshold at c = 1 solved by mpmath."""
    import mpmath as mp

    from theory.claims.divergence_claims import rt9_threshold

    with mp.workdps(30):
        def g(e):
            mu = mp.sqrt(2 * e)
            ep = 2 * mp.sqrt(e)
            return mp.ncdf(-ep / mu + mu / 2) - mp.exp(ep) * mp.ncdf(-ep / mu - mu / 2) - mp.exp(-mp.mpf(1) / 4)
        ref = float(mp.findroot(g, (5, 20), solver="anderson"))
    assert math.isclose(rt9_threshold(1.0), ref, rel_tol=1e-8)


@given(st.floats(-2.0, 1.0), st.floats(-5.0, 5.0), st.floats(-1.0, 1.0))
def test_fit_slope_recovers_exponents(k, logc, j):
    """The slopes reported for Table 1 come from least squares on data: y = C d^k (log d)^j fitted against
    log d on the audit's grid recovers k up to the bend of the log factor, and exactly when j = 0."""
    import numpy as np

    from theory.claims.table_claims import DIMS, fit_slope

    ds = np.array([d for d in DIMS if d >= 100], float)
    ys = math.exp(logc) * ds ** k
    assert abs(fit_slope(ds, ys) - k) < 1e-9
    ys_log = ys * np.log(ds) ** j
    assert abs(fit_slope(ds, ys_log) - k) <= abs(j) * 0.12 + 1e-9     # d log log d / d log d <= 1/log(100)
    assert abs(fit_slope(ds, ys_log / ds ** k, lambda x: np.log(np.log(x))) - j) < 1e-9


def test_undecidable_part_outranks_condition():
    """A compound claim with one conditional and one undecidable part is not 'holds under stated conditions'."""
    from theory.claims._core import CONDITION, NOT_DECIDABLE, PROVED, SUPPORTS, VERIFIED, evidence

    evs = [evidence(CONDITION, True, "rate", assurance=PROVED), evidence(NOT_DECIDABLE, True, "optimality"),
           evidence(SUPPORTS, True, "x", assurance=PROVED)]
    assert derive_verdict(evs) == UNDECIDABLE
    assert derive_verdict(evs + [evidence(REFUTES, True, "w", assurance=VERIFIED)]) == REFUTED
    assert derive_verdict([evidence(CONDITION, True, "a", assurance=PROVED),
                           evidence(SUPPORTS, True, "b", assurance=VERIFIED)]) == CONDITIONAL


@pytest.mark.parametrize("k,c", [(10, 3.0), (1000, 3.0), (10, 1.0)])
def test_c11_multiclass_ratio_mpmath(k, c):
    """C11 over the tight radius with the smallest runner-up pB = (1 − pA)/(K − 1) K classes allow, at
    1 − pA = 1e-15 (where the maximum over [1e-15, 1/2) sits): mpmath at 30 digits."""
    import mpmath as mp

    from theory.claims.l2_claims import c11_multiclass_max_ratio

    with mp.workdps(30):
        q = mp.mpf("1e-15")
        pa, pb = 1 - q, q / (k - 1)
        r11 = mp.sqrt(2) * (mp.log(pa) - mp.log(pb)) / (2 * (1 + c))
        phi_inv = lambda p: mp.sqrt(2) * mp.erfinv(2 * p - 1)  # noqa: E731
        rnp = (phi_inv(pa) - phi_inv(pb)) / 2
        ref = float(r11 / rnp)
    got, at = c11_multiclass_max_ratio(c, k)
    assert math.isclose(at, 1e-15, rel_tol=1e-9)
    assert math.isclose(got, ref, rel_tol=1e-7), (got, ref)


# ----------------------------------------------------------------------------------------------------
# the readings framework (issue 11)
# ----------------------------------------------------------------------------------------------------

def _toy_claim(**kw):
    from theory.claims import EXACT, IDENTITY, Check, Claim, Reading, evidence
    from theory.claims import REFUTES as R
    from theory.claims import SUPPORTS as S

    refute = Check("refute", EXACT, lambda t: evidence(R, True, "false", witness={"x": 1}))
    support = Check("support", EXACT, lambda t: evidence(S, True, "true"))
    args = dict(id="TOY", title="toy", where="nowhere", statement="s", kind=IDENTITY, methods=(EXACT,),
                formalisation="f", verdict=REFUTED, checks=(refute,),
                readings=(Reading("repaired: x", "s'", "holds", (support,), repair="adds x"),))
    args.update(kw)
    return Claim(**args)


def test_readings_default_to_the_printed_checks():
    c = _toy_claim(readings=())
    assert [r.name for r in c.all_readings] == [AS_PRINTED]
    assert c.all_readings[0].checks == c.checks and c.best_verdict == REFUTED == c.printed_verdict


def test_best_verdict_is_the_most_favourable_reading():
    c = _toy_claim()
    assert [r.name for r in c.all_readings] == [AS_PRINTED, "repaired: x"]
    assert c.printed_verdict == REFUTED and c.best_verdict == "holds"
    assert c.best_reading.name == "repaired: x"
    lst = c.listing()
    assert lst["printed_verdict"] == REFUTED and lst["best_verdict"] == "holds"
    assert lst["readings"][1] == {"name": "repaired: x", "statement": "s'", "verdict": "holds",
                                  "assurance": "sampled", "repair": "adds x",
                                  "checks": [{"name": "support", "method": "exact numeric", "assurance": "sampled",
                                              "cross_check": False, "why": ""}],
                                  "witness": ""}
    json.dumps(lst)


def test_reading_validation():
    from theory.claims import Reading

    with pytest.raises(ValueError, match="verdict must be one of"):
        Reading("r", "s", "sort of")
    with pytest.raises(ValueError, match="witness_check"):
        Reading("r", "s", REFUTED, (), witness_check="nope")
    # the printed verdict recorded on the claim must match its "as printed" reading
    from theory.claims import Reading as Rd
    with pytest.raises(ValueError, match="as printed"):
        _toy_claim(checks=(), readings=(Rd(AS_PRINTED, "s", "holds"),))
    with pytest.raises(ValueError, match="unique"):
        _toy_claim(readings=(Rd("a", "s", "holds"), Rd("a", "s", "holds")))


def test_derive_verdict_new_findings():
    """EMPTY (hypotheses met by nothing) makes a reading ill-posed, even with a refutation of the other
    interpretation; GAP (false step, surviving conclusion) gives 'proof gap' but yields to a refutation."""
    from functools import partial

    from theory.claims import CONDITION, EMPTY, GAP, NOT_DECIDABLE, PROVED, SUPPORTS, VERIFIED
    from theory.claims import evidence as _ev

    evidence = partial(_ev, assurance=VERIFIED)
    assert derive_verdict([evidence(EMPTY, True, "e"), evidence(REFUTES, True, "r")]) == ILL_POSED
    assert derive_verdict([evidence(EMPTY, True, "e"), evidence(SUPPORTS, True, "s")]) == ILL_POSED
    assert derive_verdict([evidence(GAP, True, "g"), evidence(SUPPORTS, True, "s")]) == PROOF_GAP
    assert derive_verdict([evidence(GAP, True, "g"), evidence(NOT_DECIDABLE, True, "u")]) == PROOF_GAP
    assert derive_verdict([evidence(GAP, True, "g"), evidence(REFUTES, True, "r")]) == REFUTED
    assert derive_verdict([evidence(CONDITION, True, "c", assurance=PROVED)]) == CONDITIONAL
    with pytest.raises(ValueError, match="finding must be one of"):
        evidence("maybe", True, "x")


def test_witness_evidence_picks_the_named_check():
    from theory.claims import EMPTY, PROVED, SUPPORTS, VERIFIED, Reading, evidence

    evs = [evidence(REFUTES, True, "r", assurance=VERIFIED), evidence(EMPTY, True, "e", assurance=PROVED),
           evidence(SUPPORTS, True, "s", assurance=PROVED)]
    for e, n in zip(evs, ("a", "b", "c"), strict=True):
        e.check = n
    assert [e.check for e in witness_evidence(Reading("x", "s", ILL_POSED), evs)] == ["a", "b"]
    from theory.claims import EXACT, Check
    chk = tuple(Check(n, EXACT, lambda t: None) for n in "abc")
    assert [e.check for e in witness_evidence(Reading("x", "s", ILL_POSED, chk, witness_check="b"), evs)] == ["b"]


# ----------------------------------------------------------------------------------------------------
# proof steps (theory.claims.proof_steps): independent references and negative tests
# ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a,s", [(1.0, 1.0), (3.0, 2.0)])
def test_t12_step_gaussian_dmr_quadrature_vs_mpmath(a, s):
    """D_α(N(0,s²)‖N(a,s²))/α = a²/(2s²) for every α (L22): mpmath quadrature of the Rényi integral at α = 2, 7
    (30 digits) against theory.divergences' quadrature used by the step check; two steps = 4 × one step."""
    import mpmath as mp

    from theory.claims.proof_steps import gaussian_dmr_quadrature

    with mp.workdps(30):
        for alpha in (2, 7):
            def integrand(x, alpha=alpha):
                return mp.npdf(x, 0, s) ** alpha * mp.npdf(x, a, s) ** (1 - alpha)

            integ = mp.quad(integrand, [-mp.inf, 0, a, mp.inf])
            assert math.isclose(float(mp.log(integ) / (alpha - 1) / alpha), a * a / (2 * s * s), rel_tol=1e-20 ** 0.5)
    one, two = gaussian_dmr_quadrature(a, s), gaussian_dmr_quadrature(2 * a, s)
    assert math.isclose(one, a * a / (2 * s * s), rel_tol=1e-7)
    assert math.isclose(two / one, 4.0, rel_tol=1e-7)


def test_t12_step_negative_cases():
    """A divergence that obeys the triangle inequality (a metric, here |a|/σ) makes the step valid (supports);
    a point set wider than 2r ({0, r}^d, diameter r√d) leaves the conclusion resting on the false chain (refutes)."""
    from theory.claims import GAP, SUPPORTS
    from theory.claims.proof_steps import check_t12_triangle

    assert check_t12_triangle().finding == GAP
    assert check_t12_triangle(dmr=lambda a, s: abs(a) / s).finding == SUPPORTS
    assert check_t12_triangle(side_of=lambda d, r: r).finding == REFUTES


def test_t16_step_gaussian_delta_vs_mpmath():
    """Balle–Wang δ(ε; μ) by mpmath (30 digits); the calibrated σ₁ meets δ and beats the classical
    √(2 ln(1.25/δ))/ε (Dwork & Roth, Thm A.1, ε < 1)."""
    import mpmath as mp

    from theory.claims.proof_steps import gaussian_delta, gaussian_unit_sigma

    with mp.workdps(30):
        for eps, mu in ((0.5, 0.3), (1.0, 1.0), (2.0, 3.0)):
            ref = mp.ncdf(mu / 2 - eps / mu) - mp.exp(eps) * mp.ncdf(-mu / 2 - eps / mu)
            assert math.isclose(gaussian_delta(eps, mu), float(ref), rel_tol=1e-10)
    s1 = gaussian_unit_sigma(0.5, 1e-6)
    assert math.isclose(gaussian_delta(0.5, 1 / s1), 1e-6, rel_tol=1e-9)
    assert s1 < math.sqrt(2 * math.log(1.25 / 1e-6)) / 0.5


def test_t16_step_expected_max_vs_mpmath():
    """E max_i |g_i| (d = 1000) used for the records count: mpmath ∫₀^∞ 1 − erf(t/√2)^d dt."""
    import mpmath as mp

    from theory.mechanisms import Gaussian

    with mp.workdps(25):
        ref = mp.quad(lambda t: 1 - mp.erf(t / mp.sqrt(2)) ** 1000, [0, 2, 4, 8, mp.inf])
    assert math.isclose(Gaussian(1.0, 1000).expected_linf_norm(), float(ref), rel_tol=1e-8)


def test_t16_step_negative_case():
    """A family that does need n ∝ d (the pure-DP Laplace mechanism) makes the cited rate consistent: supports."""
    from theory.claims import GAP, SUPPORTS
    from theory.claims.proof_steps import check_t16_lemma26, records_needed_laplace

    assert check_t16_lemma26().finding == GAP
    assert check_t16_lemma26(records=lambda d: records_needed_laplace(d, 0.5, 0.1)).finding == SUPPORTS


def test_t15_step_rejection_sampler_and_negative_case():
    """The rejection sampler (independent of R14) reproduces the Laplace law at d = 1 (E|z| = σ, 6 sd); with
    the corrected wording (mean dσ) the step check supports; as printed (mean σ) it finds the gap."""
    import numpy as np

    from theory.claims import GAP, SUPPORTS
    from theory.claims.proof_steps import check_t15_gamma_mean, sample_eq6_rejection

    z = sample_eq6_rejection(1, 0.7, 50_000, np.random.default_rng(1))[:, 0]
    assert abs(np.abs(z).mean() - 0.7) <= 6 * 0.7 / math.sqrt(50_000)
    assert check_t15_gamma_mean().finding == GAP
    assert check_t15_gamma_mean(wording_mean=lambda d, s: d * s).finding == SUPPORTS


def test_s32_density_negative_case():
    """exp(−‖z‖²/σ²) (the other reconstruction) has variance σ²/2 and corner DMR 2ε at T18's scale: refutes."""
    from theory.claims import SUPPORTS
    from theory.claims.proof_steps import check_s32_density

    assert check_s32_density().finding == SUPPORTS
    ev = check_s32_density(coef=1.0)
    assert ev.finding == REFUTES and math.isclose(ev.data["witness"]["dmr_ratio"], 2.0, rel_tol=1e-6)
    # right density, wrong covariance (the 2 of T18's d·r²/(2ε) dropped): corner DMR ε/2, refuted
    ev = check_s32_density(sigma2_of=lambda d, r, eps: d * r * r / eps)
    assert ev.finding == REFUTES and math.isclose(ev.data["witness"]["dmr_ratio"], 0.5, rel_tol=1e-6)


def test_t10_summary_is_computed_from_the_check():
    """Issue 11: T10's summary said the c-form holds 'when ε ≤ 1' while its check finds it holding up to a larger
    ε per c. The sentence is now generated from the check's numbers: each printed threshold t is ≤ the exact
    ε*(c) (mpmath), the c-form holds at t and fails just above ε*(c) (mpmath), and changed numbers change the text."""
    import mpmath as mp

    from theory.claims.l2_claims import _floor_sig, t10_c_form_sentence

    c = get("T10")
    ev = _evidence("T10", AS_PRINTED, "c-form-probability")
    assert ev.data["sentence"] in c.holds_when and ev.data["sentence"] in ev.data["sentence"]
    assert "c-form (c+1)√ε hold when ε ≤ 1" not in c.holds_when
    for r in ev.data["table"]:
        t = _floor_sig(r["holds_for_eps_up_to"])
        assert f"c = {r['c']:g}: ε ≤ {t:g}" in c.holds_when
        with mp.workdps(30):
            claimed = 1 - mp.exp(-mp.mpf(r["c"]) ** 2 / 4)
            def prob(e, c=r["c"]):
                return mp.ncdf((c + 1) / mp.sqrt(2) - mp.sqrt(mp.mpf(e) / 2))
            assert prob(t) >= claimed                                 # holds at the printed threshold
            assert prob(r["holds_for_eps_up_to"] * 1.001) < claimed   # fails just above the exact one
        assert t > 1.0                                                # so 'ε ≤ 1' was too pessimistic
    fake = [{"c": 1.0, "holds_for_eps_up_to": 1.0}]
    assert "c = 1: ε ≤ 1" in t10_c_form_sentence(fake)
    assert _floor_sig(9.5299) == 9.52 and _floor_sig(13.6297) == 13.6


# ----------------------------------------------------------------------------------------------------
# the "10∼20 times" statement (theory.claims.experimental_claims)
# ----------------------------------------------------------------------------------------------------

def test_exp_10_20_ratio_closed_forms():
    """r_T18/r_T13 = √2·(σ_g/σ_e)/((1+c)√d): at equal E‖z‖∞, σ_g/σ_e = d/E max|g_i| (mpmath quadrature); at equal
    E‖z‖₂, σ_g/σ_e = (d+1)·E‖U‖₂/E‖g‖₂ (Γ-ratio by mpmath, E‖U‖₂ of the uniform cube by Monte Carlo, 6 sd)."""
    import mpmath as mp
    import numpy as np

    from theory.claims.experimental_claims import D_CIFAR as d
    from theory.claims.experimental_claims import NORMALISATIONS, c_interval, radius_ratio

    with mp.workdps(25):
        m = float(mp.quad(lambda t: 1 - mp.erf(t / mp.sqrt(2)) ** d, [0, 2, 4, 8, mp.inf]))
        l2g = float(mp.sqrt(2) * mp.gamma((d + 1) / mp.mpf(2)) / mp.gamma(d / mp.mpf(2)))
    for c in (0.5, 1.0, 3.0):
        ref = math.sqrt(2) * (d / m) / ((1 + c) * math.sqrt(d))
        assert math.isclose(radius_ratio(NORMALISATIONS[0], c, 0.99), ref, rel_tol=1e-8)
    u = np.linalg.norm(np.random.default_rng(7).uniform(-1, 1, size=(4000, d)), axis=1)
    eu, hw = u.mean(), 6 * u.std(ddof=1) / math.sqrt(len(u))
    got = radius_ratio(NORMALISATIONS[1], 1.0, 0.9) * 2 * math.sqrt(d) / math.sqrt(2)     # = σ_g/σ_e
    assert abs(got - (d + 1) * eu / l2g) <= (d + 1) * hw / l2g
    assert math.isclose(radius_ratio(NORMALISATIONS[2], 1.0, 0.9), math.sqrt(2) / (2 * math.sqrt(d)), rel_tol=1e-12)
    a, b = c_interval(NORMALISATIONS[0])
    assert math.isclose(radius_ratio(NORMALISATIONS[0], a, 0.9), 20.0, rel_tol=1e-12)
    assert math.isclose(radius_ratio(NORMALISATIONS[0], b, 0.9), 10.0, rel_tol=1e-12)
    assert c_interval(NORMALISATIONS[2]) is None


def test_exp_10_20_negative_cases():
    """Decided cases are decided: only equal σ → refuted (witness); only equal E‖z‖∞ at c = 1 → supports; the
    printed statement (all normalisations and c) → not decidable."""
    from theory.claims import NOT_DECIDABLE, SUPPORTS
    from theory.claims.experimental_claims import NORMALISATIONS, check_ratio

    ev = check_ratio(normalisations=(NORMALISATIONS[2],))
    assert ev.finding == REFUTES and ev.data["witness"]["ratio_T18_over_T13"] < 1
    assert check_ratio(normalisations=(NORMALISATIONS[0],), cs=(1.0,)).finding == SUPPORTS
    assert check_ratio(normalisations=(NORMALISATIONS[0],), cs=(3.0,)).finding == REFUTES
    assert check_ratio().finding == NOT_DECIDABLE
    # issue 19: the repaired reading rests on an assumed normalisation, c and equal pA under both noises, and on a
    # quadrature at one d: sampled support, so "consistent with", not "holds"
    assert get("EXP-linf-10-20").printed_verdict == UNDECIDABLE and get("EXP-linf-10-20").best_verdict == CONSISTENT


def test_c11_repaired_reading_and_thresholds_in_summary():
    """C11's summary thresholds are computed (c11_threshold, pinned against mpmath in
    test_c11_threshold_independent) and rounded up; the repaired reading's check fails when the range is widened
    below t(c) (negative test)."""
    from theory.claims import SUPPORTS
    from theory.claims.l2_claims import c11_threshold, check_c11_above_threshold

    c = get("C11")
    for cc in (0.5, 1.0, 2.0, 3.0):
        t = c11_threshold(cc)
        txt = c.holds_when.split(f"t({cc:g}) = ")[1].split(",")[0].split(")")[0]
        assert t <= float(txt) <= t * 1.01
    assert check_c11_above_threshold().finding == SUPPORTS
    ev = check_c11_above_threshold(margin=-0.05)
    assert ev.finding == REFUTES and ev.data["witness"]["max_ratio_above"] > 1
    assert c.printed_verdict == REFUTED and c.best_verdict == CONSISTENT      # sampled on a log grid (issue 19)
    assert get("T10").best_verdict == CONSISTENT
