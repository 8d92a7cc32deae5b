"""Follow-up literature: the claims pack (YANG20-, KUMAR20-, BLUM20-) and the Table 1 comparison (theory.followup)."""

import math

import pytest

from theory import followup as F
from theory.claims import CLAIMS, derive_verdict, get
from theory.claims import followup_claims as FC

IDS = ("YANG20-LP-BARRIER", "KUMAR20-IID-RATE", "KUMAR20-GAUSS-OPTIMAL", "BLUM20-VARIANCE")


@pytest.mark.parametrize("cid", IDS)
def test_followup_claims_registered_and_verdicts_derived(cid):
    c = get(cid)
    ev = c.run_checks()
    assert all(e.ok for e in ev), [e.summary for e in ev]
    assert derive_verdict(ev) == c.verdict


def test_checks_fail_on_a_planted_bug(monkeypatch):
    """A radius without the d-dependence (an l2 radius passed off as l_inf) must make the rate checks fail."""
    from theory.neyman_pearson import tight_radius

    monkeypatch.setattr(FC, "linf_radius_upper",
                        lambda noise, d, pA=FC.PA: tight_radius(noise, "l1", sigma=FC.unit_variance_sigma(noise, d),
                                                                d=1, pA=pA).upper)
    assert not FC._yang_barrier(False).ok
    assert not FC._kumar_rate(False).ok


def test_gaussian_rate_is_exactly_minus_one_half():
    ds = FC.DIMS
    rs = [FC.linf_radius_upper("gaussian", d) for d in ds]
    assert FC._slope(ds, rs) == pytest.approx(-0.5, abs=1e-12)
    # uniform noise in l_inf is O(1/d): exact closed form 2 lambda (1 - (3/2 - pA)^{1/d}) at lambda = sqrt(3)
    d = 4096
    assert FC.linf_radius_upper("uniform", d) == pytest.approx(2 * math.sqrt(3) * -math.expm1(math.log(0.51) / d),
                                                               rel=1e-12)


def test_comparison_rows_name_real_claims():
    for r in F.ROWS:
        assert r.cell in CLAIMS
        for cid in r.followup_ids:
            assert cid in CLAIMS
    with pytest.raises(ValueError, match="relation must be one of"):
        F.Comparison("x", "x", "x", (), "maybe", "x")


def test_recorded_relations_match_the_numbers():
    """The disagree row rests on the Gaussian beating eq. 6 by a factor growing like sqrt(d) at equal variance."""
    n = F.followup_numbers()
    assert n["exp_vs_gauss"] > 1
    g = [FC.linf_radius_upper("gaussian", d) / FC.linf_radius_upper("exponential-linf", d) for d in (64, 4096)]
    assert g[1] / g[0] == pytest.approx(math.sqrt(4096 / 64), rel=0.05)
    assert n["gauss_slope"] == pytest.approx(-0.5, abs=1e-9)
    assert n["exp_l2_ratio"] < 1


def test_markdown_has_one_row_per_comparison():
    lines = F.followup_markdown()
    rows = [ln for ln in lines if ln.startswith("| ") and "(TABLE1-" in ln or "(CONCL-" in ln]
    assert len(rows) == len(F.ROWS)
    import re

    assert not re.search(r"\{[a-z_0-9]+(:[^}]*)?\}", "\n".join(rows))    # every placeholder was filled
