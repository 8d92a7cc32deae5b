"""The verification suite of the paper's claims, parametrised from the registry (theory.claims).

A claim added to the registry becomes a test without new code:

* ``test_check``     -- every check of every claim runs and its own assertions pass (numbers agree within the
                        stated tolerance, counterexamples reproduce, Monte Carlo inside its confidence bound);
* ``test_verdict``   -- the verdict derived from the findings equals the verdict recorded in the registry
                        (refuted claims stay refuted: the counterexample must reproduce);
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
    CLAIMS, CONDITIONAL, KINDS, METHODS, REFUTED, REFUTES, REQUIRED_IDS, UNDECIDABLE, VERDICTS, derive_verdict, get,
)

CHECKS = [(cid, chk.name) for cid, c in CLAIMS.items() for chk in c.checks]
WITH_CONCLUSION = [cid for cid, c in CLAIMS.items() if c.conclusion is not None and c.params]


@functools.lru_cache(maxsize=None)
def _evidence(cid: str, name: str):
    chk = next(c for c in get(cid).checks if c.name == name)
    return chk.run(thorough=False)


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
    assert c.checks, "every claim needs at least one check"
    assert {chk.method for chk in c.checks} <= set(c.methods), "a check's method must be listed in methods"
    if c.verdict in (REFUTED, CONDITIONAL):
        assert c.holds_when, "refuted / conditional claims record where they hold"
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
        assert {"id", "kind", "statement", "methods", "verdict"} <= set(d)


def test_cli_unknown_id_is_a_one_line_error(capsys):
    from theory.cli import main

    assert main(["claims", "--id", "NOPE"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "claim_id" in err[0]


# ----------------------------------------------------------------------------------------------------
# checks and verdicts
# ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cid,name", CHECKS, ids=[f"{a}:{b}" for a, b in CHECKS])
def test_check(cid, name):
    ev = _evidence(cid, name)
    assert ev.ok, f"{cid}/{name} [{ev.finding}]: {ev.summary} {ev.data.get('error', '')}"


@pytest.mark.parametrize("cid", list(CLAIMS))
def test_verdict(cid):
    c = get(cid)
    evs = [_evidence(cid, chk.name) for chk in c.checks]
    assert derive_verdict(evs) == c.verdict, [(e.check, e.finding, e.ok) for e in evs]
    if c.verdict == REFUTED:
        assert any(e.finding == REFUTES and e.ok for e in evs), "a refutation needs a reproducing witness"


def test_t8_tightness_ratio_recorded(record_property, capsys):
    """T8: ratio exact DMR (randomized response, Kairouz et al. 2015) / (ε²/2), kept in the test output
    (shown with ``pytest -rP``; also a junit property)."""
    ev = _evidence("T8", "tightness-vs-exact-conversion")
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
    from theory.claims._core import CONDITION, NOT_DECIDABLE, SUPPORTS, evidence

    evs = [evidence(CONDITION, True, "rate"), evidence(NOT_DECIDABLE, True, "optimality"), evidence(SUPPORTS, True, "x")]
    assert derive_verdict(evs) == UNDECIDABLE
    assert derive_verdict(evs + [evidence(REFUTES, True, "w")]) == REFUTED
    assert derive_verdict([evidence(CONDITION, True, "a"), evidence(SUPPORTS, True, "b")]) == CONDITIONAL


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
