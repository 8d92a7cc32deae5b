"""The plug-in audit (theory.audit_certificate, python -m theory audit-certificate): over-certifying formulas are
flagged with confirmed witnesses, sound ones pass; the paper's certificates go through the same path."""

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from theory import audit_certificate as A
from theory import certificates as C
from theory import witness as W


def cohen_scaled(scale):
    def radius(pA, pB, sigma, d):
        return scale * C.radius("cohen", one_minus_pA=1.0 - pA, sigma=sigma)
    radius.__name__ = f"cohen_x{scale}"
    return radius


def laplace_scaled(scale):
    def radius(pA, pB, sigma, d):
        return max(0.0, -scale * sigma * math.log(2.0 * (1.0 - pA)))
    radius.__name__ = f"laplace_x{scale}"
    return radius


FAST = {"simulate": False, "grid": 40}


@pytest.mark.parametrize("make,mech,norm,d", [(cohen_scaled, "gaussian", "l2", 1),
                                              (laplace_scaled, "laplace", "l1", 3)])
def test_over_certifying_formula_is_flagged_with_a_confirmed_witness(make, mech, norm, d, tmp_path):
    res = A.audit_certificate(make(1.05), mechanism=mech, norm=norm, d=d, multiclass=False, **FAST)
    assert res.exceeds_tight is True
    assert abs(res.max_ratio - 1.05) < 1e-6
    assert res.from_one_minus_pA == pytest.approx(0.5, rel=1e-6)   # exceeds everywhere below 1/2
    paths = A.write_audit_certificate_report(res, tmp_path)
    chk = W.check_witness(paths["witness"], samples=100_000)       # dispatches to check_audit_witness
    assert chk["confirmed"], chk["checks"]
    assert chk["checks"]["x_prime_inside_claimed_radius"] and chk["checks"]["mc_prediction_x_prime_not_A"]


@pytest.mark.parametrize("make,mech,norm,d", [(cohen_scaled, "gaussian", "l2", 1),
                                              (laplace_scaled, "laplace", "l1", 3)])
def test_sound_formula_passes(make, mech, norm, d):
    res = A.audit_certificate(make(0.99), mechanism=mech, norm=norm, d=d, **FAST)
    assert res.exceeds_tight is False and res.witness is None
    assert res.max_ratio == pytest.approx(0.99, rel=1e-9)
    assert res.from_one_minus_pA is None


def test_exact_tight_formula_is_not_flagged():
    # the tight radius itself must not be flagged (rtol 1e-9 absorbs rounding, nothing more)
    res = A.audit_certificate(cohen_scaled(1.0), mechanism="gaussian", norm="l2", **FAST)
    assert res.exceeds_tight is False
    res = A.audit_certificate(cohen_scaled(1.0 + 1e-7), mechanism="gaussian", norm="l2", multiclass=False, **FAST)
    assert res.exceeds_tight is True


def test_excess_only_near_pA_1_is_located():
    """A formula that exceeds only for 1 - pA < 1e-6: from_one_minus_pA is that threshold."""
    def r(pA, pB, sigma, d):
        base = C.radius("cohen", one_minus_pA=1 - pA, sigma=sigma)
        return base * (1.1 if 1 - pA < 1e-6 else 1.0)
    res = A.audit_certificate(r, mechanism="gaussian", norm="l2", multiclass=False, **FAST)
    assert res.exceeds_tight and res.from_one_minus_pA == pytest.approx(1e-6, rel=1e-6)


def test_runner_up_form_only():
    """Sound in binary form but over-certifying in the pB form (uses pB too loosely): caught by the pB search."""
    def r(pA, pB, sigma, d):
        if pB == 1.0 - pA:
            return C.radius("cohen", one_minus_pA=1 - pA, sigma=sigma)
        return C.radius("cohen", one_minus_pA=1 - pA, sigma=sigma)  # ignores a small pB: exceeds Cohen's pB form? no
    res = A.audit_certificate(r, mechanism="gaussian", norm="l2", **FAST)
    # Cohen's pB form with pB < 1 - pA is LARGER than the binary radius, so this one is sound
    assert res.exceeds_tight is False and res.multiclass and not res.multiclass["exceeds_tight"]

    def bad(pA, pB, sigma, d):
        return C.radius("cohen", one_minus_pA=1 - pA, pB=min(pB, 1 - pA) * 0.5 if pB < 1 - pA else None,
                        sigma=sigma) if pB < 1 - pA else C.radius("cohen", one_minus_pA=1 - pA, sigma=sigma)
    res = A.audit_certificate(bad, mechanism="gaussian", norm="l2", **FAST)
    assert res.exceeds_tight is True and res.multiclass["exceeds_tight"] and not res.intervals
    assert "runner-up" in res.verdict


def test_paper_certificates_share_the_path():
    """C11 (c = 1) through the audit: the same threshold as theory.certificates.exceeds_tight; T13 is sound."""
    res = A.audit_registered_certificate("c11", params={"c": 1.0}, simulate=False, grid=120, multiclass=False)
    ref = C.exceeds_tight("c11", c=1.0, multiclass=False)
    assert res.exceeds_tight == ref["exceeds_tight"]
    if ref["exceeds_tight"]:
        assert res.from_one_minus_pA == pytest.approx(ref["from_one_minus_pA"], rel=1e-6)
    t13 = A.audit_registered_certificate("t13", d=10, simulate=False, grid=40)
    assert t13.exceeds_tight is False and t13.max_ratio <= 1 + 1e-9   # -> 1 as pA -> 1/2 (both ~ 2 sigma (pA - 1/2))
    cohen = A.audit_registered_certificate("cohen", simulate=False, grid=40)
    assert cohen.exceeds_tight is False


def test_simulation_fails_for_the_over_certifier_only():
    over = A.audit_certificate(cohen_scaled(1.05), mechanism="gaussian", norm="l2", grid=24, multiclass=False,
                               trials=400, ns=(1_000_000,), witness=False)
    assert any(r["verdict"] != "sound" for r in over.simulation)
    ok = A.audit_certificate(cohen_scaled(0.99), mechanism="gaussian", norm="l2", grid=24, multiclass=False,
                             trials=400, ns=(1_000_000,))
    assert ok.simulation and all(r["verdict"] == "sound" for r in ok.simulation)
    assert "audit:" not in " ".join(C.CERTIFICATES)          # the transient registration is removed


def test_bracket_cell_is_undecided_or_decided_by_the_bounds():
    lo = A.audit_certificate(lambda pA, pB, s, d: 0.5 * C.radius("laplace-l1", one_minus_pA=1 - pA, sigma=s) / d,
                             mechanism="laplace", norm="linf", d=8, **FAST)
    assert lo.exceeds_tight is False and not lo.engine_exact
    hi = A.audit_certificate(lambda pA, pB, s, d: 2 * C.radius("laplace-l1", one_minus_pA=1 - pA, sigma=s),
                             mechanism="laplace", norm="linf", d=8, **FAST)
    assert hi.exceeds_tight is True and hi.witness is None      # no exact classifier: no witness, but flagged
    from theory.neyman_pearson import tight_radius

    def mid_fn(pA, pB, s, d):
        t = tight_radius("laplace", "linf", sigma=s, d=d, one_minus_pA=1 - pA)
        return math.sqrt(t.lower * t.upper)      # strictly inside the bracket wherever it is open
    mid = A.audit_certificate(mid_fn, mechanism="laplace", norm="linf", d=8, **FAST)
    assert mid.exceeds_tight is None and "undecided" in mid.verdict


def test_json_round_trip(tmp_path):
    res = A.audit_certificate(cohen_scaled(1.05), mechanism="gaussian", norm="l2", **FAST)
    paths = A.write_audit_certificate_report(res, tmp_path)
    back = A.AuditCertificateResult.from_json(paths["json"])
    assert back.exceeds_tight and back.max_ratio == pytest.approx(res.max_ratio)
    assert "EXCEEDS" in (tmp_path / f"audit_certificate_{res.certificate}.md").read_text()


def test_tampered_witness_is_not_confirmed(tmp_path):
    res = A.audit_certificate(laplace_scaled(1.05), mechanism="laplace", norm="l1", d=2, **FAST)
    paths = A.write_audit_certificate_report(res, tmp_path)
    w = json.loads(Path(paths["witness"]).read_text())
    w["x_prime"] = [str(0.5 * float(w["x_prime"][0]))] + w["x_prime"][1:]     # x' inside the tight ball: no flip
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(w))
    chk = A.check_audit_witness(bad, samples=20_000)
    assert not chk["confirmed"] and not chk["checks"]["prediction_x_prime_not_A"]


def test_bad_input():
    with pytest.raises(ValueError, match="MODULE:FUNCTION"):
        A.load_radius_function("nocolon")
    with pytest.raises(ValueError, match="cannot be imported"):
        A.load_radius_function("no_such_module_xyz:radius")
    with pytest.raises(ValueError, match="mechanism must be one of"):
        A.audit_certificate(cohen_scaled(1), mechanism="cauchy", norm="l2")
    with pytest.raises(ValueError, match="radii must be >= 0"):
        A.audit_certificate(lambda *a: float("nan"), mechanism="gaussian", norm="l2", **FAST)


def test_cli_file_plugin(tmp_path, capsys):
    mod = tmp_path / "mycert.py"
    mod.write_text(textwrap.dedent("""
        import math
        def laplace(pA, pB, sigma, d, scale=1.0):
            return max(0.0, -scale * sigma * math.log(2.0 * (1.0 - pA)))
    """))
    out = tmp_path / "out"
    base = [sys.executable, "-m", "theory", "audit-certificate", "--radius", f"{mod}:laplace", "--mechanism",
            "laplace", "--norm", "l1", "--dim", "4", "--no-simulate", "--grid", "30", "--out", str(out)]
    p = subprocess.run(base + ["--param", "scale=1.05", "--json"], capture_output=True, text=True, check=False)
    assert p.returncode == 1, p.stderr
    data = json.loads(p.stdout)
    assert data["exceeds_tight"] is True and "witness" in data["files"]
    from theory.cli import main

    capsys.readouterr()
    assert main(base[3:] + ["--param", "scale=0.99"]) == 0          # in-process (start-up is slow)
    assert "never exceeds" in capsys.readouterr().out
    assert main(base[3:5] + ["nonexistent.py:f", "--mechanism", "gaussian", "--norm", "l2"]) == 2
    assert "error:" in capsys.readouterr().err


def _tight_scaled(mech, norm, scale=1.05):
    from theory import neyman_pearson as NP

    def radius(pA, pB, sigma, d):
        return scale * NP.tight_radius(mech, norm, sigma=sigma, d=d, one_minus_pA=1.0 - pA).value
    radius.__name__ = f"tight_{mech}_x{scale}"
    return radius


@pytest.mark.parametrize(("mech", "norm", "d", "kind", "direction"), [
    ("gaussian", "l2", 3, "half-space", "axis"), ("gaussian", "linf", 4, "half-space", "corner"),
    ("exponential-linf", "linf", 1, "half-space", "corner"), ("exponential-linf", "linf", 3, "max+min", "corner"),
    ("laplace", "l1", 2, "half-space", "axis"), ("uniform", "l1", 2, "half-space", "axis")])
def test_witness_classifier_is_the_noise_tables(mech, norm, d, kind, direction, tmp_path):
    """The witness of each noise (theory.noises -> np_cells.WitnessLaw: direction, half-space or eq. 6's max+min
    rule) is built and confirmed exactly and by Monte Carlo drawn with the table's numpy sampler."""
    res = A.audit_certificate(_tight_scaled(mech, norm), mechanism=mech, norm=norm, d=d, multiclass=False, **FAST)
    assert res.exceeds_tight and res.witness is not None
    assert (res.witness["classifier"]["type"], res.witness["direction"]) == (kind, direction)
    chk = A.check_audit_witness(A.write_audit_certificate_report(res, tmp_path)["witness"], samples=20_000)
    assert chk["confirmed"], chk["checks"]


def test_non_axis_half_space_is_refused_for_an_axis_law(tmp_path):
    res = A.audit_certificate(laplace_scaled(1.05), mechanism="laplace", norm="l1", d=2, **FAST)
    w = json.loads(Path(A.write_audit_certificate_report(res, tmp_path)["witness"]).read_text())
    import mpmath as mp

    with mp.workdps(60):                      # a unit vector (to 1e-30), but not an axis: w.Z has no law here
        w["classifier"]["w"] = [mp.nstr(1 / mp.sqrt(2), 50)] * 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(w))
    with pytest.raises(ValueError, match="must be axis-aligned"):
        A.check_audit_witness(bad, samples=20_000)
