"""Issue 20, "tests that do not look at the numbers they guard": each reported number below is compared with an
independent oracle (closed forms in mpmath / statistics.NormalDist, a construction whose answer is known).

* the multi-class (runner-up) part of an ``audit-certificate`` report: worst ratio and where (1 - pA, pB);
* bracket cells with a radius that leaves the bracket somewhere (not inside it everywhere);
* a claim check that raises -> finding "undecidable", verdict "not numerically decidable";
* ``c11_threshold`` for c > 3 (the crossing moves far below 1e-15 and, for large c, below 1e-300).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from statistics import NormalDist

import mpmath as mp
import pytest

from theory import audit_certificate as A

FAST = {"simulate": False, "grid": 40}
_N = NormalDist()


# ---------------------------------------------------------------------------------------------------------
# audit-certificate, runner-up form
# ---------------------------------------------------------------------------------------------------------

def _tight_gaussian_l2(pA: float, pB: float, sigma: float) -> float:
    """Cohen et al. 2019, Theorem 1: sigma/2 (Phi^-1(pA) - Phi^-1(pB)) (statistics.NormalDist, not scipy)."""
    return 0.5 * sigma * (_N.inv_cdf(pA) - _N.inv_cdf(pB))


def _bump(pA: float, pB: float) -> float:
    """1 + 0.2 u (1 - u), u = pB / (1 - pA): 1 in the binary form (u = 1), largest (1.05) at u = 1/2."""
    u = pB / (1.0 - pA)
    return 1.0 + 0.2 * u * (1.0 - u)


def bumped_runner_up(pA, pB, sigma, d):
    return _tight_gaussian_l2(pA, pB, sigma) * _bump(pA, pB)


def test_multiclass_report_worst_ratio_and_runner_up_against_the_oracle(tmp_path):
    """The radius is the tight one times a known factor of u = pB/(1-pA): the report must find it above the tight
    radius in the runner-up form only, and its worst ratio must be the factor at the (1 - pA, pB) it reports,
    close to the factor's maximum 1.05 at u = 1/2."""
    res = A.audit_certificate(bumped_runner_up, mechanism="gaussian", norm="l2", **FAST)
    mc = res.multiclass
    assert mc is not None and mc["num_classes"] == 10
    assert res.exceeds_tight is True and res.verdict.endswith("in the runner-up form only")
    assert res.max_ratio == pytest.approx(1.0, abs=1e-9)          # binary form: u = 1, factor 1
    e, pB = mc["at_one_minus_pA"], mc["at_pB"]
    assert e / 9 * (1 - 1e-12) <= pB < e                            # a runner-up of at most 10 classes
    assert mc["max_ratio"] == pytest.approx(_bump(1.0 - e, pB), rel=1e-9)   # the ratio belongs to its point
    # the search is a grid (12 log-spaced pB per 1 - pA, a factor 9^(1/11) apart): it comes within that of u = 1/2
    assert 1.049 <= mc["max_ratio"] <= 1.05 + 1e-12 and 0.4 <= pB / e <= 0.6
    assert mc["exceeds_tight"] is True and mc["largest_one_minus_pA_exceeding"] == pytest.approx(0.5, rel=1e-6)
    # the Markdown report prints those numbers (4-8 significant digits)
    paths = A.write_audit_certificate_report(res, tmp_path)
    md = Path(paths["markdown"]).read_text()
    row = next(ln for ln in md.splitlines() if ln.startswith("| runner-up form (K = 10)"))
    ratio, e_md, pb_md = (float(x) for x in re.search(
        r"largest ratio ([\d.e+-]+) at 1 - pA = ([\d.e+-]+), pB = ([\d.e+-]+)", row).groups())
    assert ratio == pytest.approx(mc["max_ratio"], rel=1e-7)
    assert e_md == pytest.approx(e, rel=1e-3) and pb_md == pytest.approx(pB, rel=1e-3)
    assert ratio == pytest.approx(_bump(1 - e_md, pb_md), rel=1e-3)
    assert json.loads(Path(paths["json"]).read_text())["multiclass"]["at_pB"] == pB


def test_multiclass_sound_formula_has_ratio_at_most_one():
    """Cohen et al.'s runner-up radius is the tight one: worst ratio 1 (to rounding), not flagged."""
    res = A.audit_certificate(lambda pA, pB, s, d: _tight_gaussian_l2(pA, pB, s), mechanism="gaussian", norm="l2",
                              **FAST)
    assert res.exceeds_tight is False and res.multiclass["exceeds_tight"] is False
    assert res.multiclass["max_ratio"] == pytest.approx(1.0, abs=1e-9)


# ---------------------------------------------------------------------------------------------------------
# bracket cells: a radius outside the bracket somewhere
# ---------------------------------------------------------------------------------------------------------

E_SWITCH = 1e-6


def _bracket(pA, s, d):
    from theory.neyman_pearson import tight_radius

    return tight_radius("laplace", "linf", sigma=s, d=d, one_minus_pA=1 - pA)


def above_upper_below_switch(pA, pB, s, d):
    """Inside the bracket (geometric mean) for 1 - pA >= E_SWITCH, 1 % above its upper end below."""
    t = _bracket(pA, s, d)
    return 1.01 * t.upper if 1 - pA < E_SWITCH else math.sqrt(t.lower * t.upper)


def below_lower_below_switch(pA, pB, s, d):
    """Inside the bracket for 1 - pA >= E_SWITCH, 1 % below its lower end below: never above the upper end."""
    t = _bracket(pA, s, d)
    return 0.99 * t.lower if 1 - pA < E_SWITCH else math.sqrt(t.lower * t.upper)


def test_bracket_cell_radius_above_the_upper_bound_somewhere_is_flagged_from_there():
    res = A.audit_certificate(above_upper_below_switch, mechanism="laplace", norm="linf", d=8, **FAST)
    assert not res.engine_exact
    assert res.exceeds_tight is True and res.verdict.startswith("EXCEEDS")
    # the exceeding region is exactly 1 - pA < E_SWITCH (by construction), found by root refinement
    assert res.from_one_minus_pA == pytest.approx(E_SWITCH, rel=1e-6, abs=0)
    assert len(res.intervals) == 1 and res.intervals[0][1] == pytest.approx(E_SWITCH, rel=1e-6, abs=0)
    assert res.max_ratio == pytest.approx(1.01, rel=1e-9) and res.at_one_minus_pA < E_SWITCH


def test_bracket_cell_radius_below_the_lower_bound_somewhere_stays_undecided():
    """Below the lower bound somewhere and inside the bracket elsewhere: never above the upper bound, so not
    'exceeds'; not below the lower bound everywhere either, so not 'sound': undecided."""
    res = A.audit_certificate(below_lower_below_switch, mechanism="laplace", norm="linf", d=8, **FAST)
    assert res.exceeds_tight is None and "undecided" in res.verdict and res.from_one_minus_pA is None
    assert res.max_ratio < 1.0


# ---------------------------------------------------------------------------------------------------------
# a claim check that raises
# ---------------------------------------------------------------------------------------------------------

def _explodes(thorough: bool):
    raise ZeroDivisionError("planted failure inside a check")


def _supports(thorough: bool):
    from theory.claims._core import SUPPORTS, evidence

    return evidence(SUPPORTS, True, "fine")


def test_a_check_that_raises_is_undecidable_not_hidden():
    from theory.claims._core import EXACT, NOT_DECIDABLE, UNDECIDABLE, Check, derive_verdict

    ev = Check("explodes", EXACT, _explodes).run()
    assert ev.finding == NOT_DECIDABLE and ev.ok is False
    assert "ZeroDivisionError" in ev.summary and "planted failure" in ev.summary and "error" in ev.data
    ok = Check("fine", EXACT, _supports).run()
    assert derive_verdict([ok, ev]) == UNDECIDABLE == "not numerically decidable"


def test_claims_cli_reports_a_raising_check_as_not_numerically_decidable(monkeypatch, capsys):
    from theory.claims import CLAIMS
    from theory.claims._core import EXACT, Check
    from theory.cli import main

    d4 = CLAIMS["D4"]
    broken = dataclasses.replace(d4, checks=(Check("explodes", EXACT, _explodes),), readings=())
    monkeypatch.setitem(CLAIMS, "D4", broken)
    rc = main(["claims", "--id", "D4", "--check", "--json"])
    rec = json.loads(capsys.readouterr().out)["claims"][0]
    assert rc == 1                                     # a crashed check fails the run
    assert rec["derived_verdict"] == "not numerically decidable"
    (e,) = rec["evidence"]
    assert e["finding"] == "undecidable" and e["ok"] is False and "ZeroDivisionError" in e["summary"]


# ---------------------------------------------------------------------------------------------------------
# c11_threshold for c > 3
# ---------------------------------------------------------------------------------------------------------

def _c11_crossing_mp(c: float) -> mp.mpf:
    """1 - pA where C11's binary radius sqrt(2) log(pA/(1-pA)) / (2(1+c)) (sigma = 1; CLAIMS.md) equals Cohen's
    Phi^-1(pA): solved for t = Phi^-1(pA) with 1 - pA = Phi(-t) in mpmath (no underflow: mpf exponents are
    unbounded), 60 digits."""
    with mp.workdps(60):
        def h(t):
            e = mp.ncdf(-t)
            return mp.sqrt(2) * (mp.log1p(-e) - mp.log(e)) / (2 * (1 + c)) - t
        t0 = 2 * math.sqrt(2) * (1 + c)        # large-t root of sqrt(2) t^2/2 / (2(1+c)) = t
        t = mp.findroot(h, t0)
        return mp.ncdf(-t)


@pytest.mark.parametrize("c", [3.5, 4.0, 6.0, 10.0, 12.0])
def test_c11_threshold_beyond_c3_against_mpmath(c):
    from theory.claims.l2_claims import c11_threshold

    ref = _c11_crossing_mp(c)
    assert ref > mp.mpf("1e-300")
    assert c11_threshold(c) == pytest.approx(float(ref), rel=1e-8, abs=0)   # abs=0: the values are tiny


@pytest.mark.parametrize("c", [14.0, 20.0])
def test_c11_threshold_is_zero_when_the_crossing_is_below_1e_300(c):
    """The documented behaviour: 0.0 when there is no crossing above 1e-300 (the oracle puts it below)."""
    from theory.claims.l2_claims import c11_threshold

    assert _c11_crossing_mp(c) < mp.mpf("1e-300")
    assert c11_threshold(c) == 0.0
