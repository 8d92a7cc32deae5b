"""Tests of theory.witness and ``python -m theory witness``: witnesses of over-certified radii (C11, T18)
are real counterexamples (exact mpmath recomputation, independent scipy recomputation, Monte Carlo with
Clopper-Pearson intervals at 1e-6), tampered or malformed files are rejected."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from scipy import special

from theory import certificates as C
from theory import witness as W
from theory.cli import main

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports" / "witnesses"


@pytest.fixture(scope="module")
def c11_binary(tmp_path_factory):
    d = tmp_path_factory.mktemp("wit")
    w = W.make_witness("c11", {"c": 1.0}, 1e-10, sigma=0.5)
    return W.save_witness(w, d), w


def test_binary_witness_flips_exactly_and_by_monte_carlo(c11_binary):
    path, w = c11_binary
    assert path.name == "c11_c1_binary.json"
    res = W.check_witness(path)          # 1e6 draws, seed 0
    assert res["confirmed"], res["checks"]
    assert res["exact"]["prediction_x"] == "A" and res["exact"]["prediction_x_prime"] == "B"
    # independent float recomputation (scipy): P_A(x') = Phi((b - |delta|)/sigma)
    b = float(w["classifier"]["intervals"][0][2])
    step = float(w["x_prime"][0])
    assert step <= float(w["claimed_radius"])
    assert math.exp(special.log_ndtr((b - step) / 0.5)) == pytest.approx(res["exact"]["at_x_prime"]["A"], rel=1e-9)
    # the claimed radius is C11's at the classifier's pA, and exceeds the tight radius there
    e = math.exp(special.log_ndtr(-b / 0.5))
    assert float(w["claimed_radius"]) == pytest.approx(C.radius("c11", one_minus_pA=e, sigma=0.5, c=1), rel=1e-9)
    assert float(w["tight_radius"]) == pytest.approx(b, rel=1e-12)   # Cohen: sigma Phi^{-1}(pA) = b


def _k_witness(c, k, e=1e-15):
    """Multi-class witness at 1 - pA = e with the smallest runner-up probability K classes allow (plus 1e-6)."""
    return W.make_witness("c11", {"c": c}, e, pB=C.min_runner_up(e, k) * (1 + 1e-6), max_classes=k)


@pytest.fixture(scope="module")
def c11_multiclass(tmp_path_factory):
    w = _k_witness(2.0, 10)
    return W.save_witness(w, tmp_path_factory.mktemp("witmc"), "K10"), w


def test_multiclass_witness_b_is_runner_up_and_flips(c11_multiclass):
    """c = 2, K = 10 classes: B is the runner-up at x (8 middle slabs of equal probability <= pB), and at x'
    inside the C11 radius some class beats A.  Independent scipy recomputation of every class at x."""
    path, w = c11_multiclass
    assert w["num_classes"] == 10 and len(w["classifier"]["intervals"]) == 10
    res = W.check_witness(path, samples=200_000)
    assert res["confirmed"], res["checks"]
    assert res["checks"]["runner_up_x_is_B"] and res["num_classes"] == 10
    px, pxp = res["exact"]["at_x"], res["exact"]["at_x_prime"]
    assert max(v for k, v in px.items() if k not in ("A", "B")) <= px["B"] < px["A"]
    assert max(v for k, v in pxp.items() if k != "A") > pxp["A"]
    for lab, lo, hi in w["classifier"]["intervals"]:     # upper-tail form: P(lo < Z <= hi) = Phi(-lo) - Phi(-hi)
        lo, hi = float(lo), float(hi)
        ref = special.ndtr(-lo) - special.ndtr(-hi) if lab != "A" else special.ndtr(hi)
        assert float(ref) == pytest.approx(px[lab], rel=1e-9), lab
    # the C11 radius uses the runner-up's probability and exceeds the tight multi-class radius
    e, pb = 1 - px["A"], px["B"]
    assert res["exact"]["claimed_radius"] == pytest.approx(C.radius("c11", one_minus_pA=e, pB=pb, sigma=1, c=2),
                                                           rel=1e-9)
    assert res["exact"]["claimed_radius"] > res["exact"]["tight_radius"]


@pytest.mark.slow  # 5-20 s on 2 cores: keeps the default suite near its budget
def test_no_multiclass_witness_at_c3_with_at_most_1000_classes():
    """c = 3 (the paper's recommended value): with K <= 1000 classes the multi-class form does not exceed the
    tight radius; the old 'witness' (1 - pA = 0.4, pB = 1e-15) needs ~4e14 classes and is refused."""
    for k in (10, 1000):
        with pytest.raises(ValueError, match="not a counterexample"):
            _k_witness(3.0, k)
    with pytest.raises(ValueError, match="classes"):
        W.make_witness("c11", {"c": 3.0}, 0.4, pB=1e-15)
    with pytest.raises(ValueError, match="binary form"):
        W.make_witness("c11", {"c": 1.0}, 1e-6, pB=1e-6)


def test_witness_whose_b_is_not_the_runner_up_is_rejected(c11_multiclass, tmp_path, capsys):
    """The old construction A | C | B with P(C) > P(B) at x: C11's pB form evaluated at P(B) is not the
    certificate's radius (pB is the runner-up), so the file must not confirm."""
    path, _ = c11_multiclass

    def merge(data):          # one middle class C over the whole band: P(C) = 1 - pA - pB > pB
        iv = data["classifier"]["intervals"]
        a, b0 = iv[0][2], iv[-1][1]
        data["classifier"]["intervals"] = [iv[0], ["C", a, b0], iv[-1]]
        data["num_classes"] = 3
        del data["exact"]

    def swap(data):           # relabel: B is now a middle slab, the old B is called C1
        iv = data["classifier"]["intervals"]
        iv[-1][0], iv[-2][0] = "C1", "B"
        del data["exact"]

    for edit in (merge, swap):
        p = _tampered(path, tmp_path, edit)
        res = W.check_witness(p, samples=20_000, is_samples=5_000)
        assert not res["confirmed"] and not res["checks"]["runner_up_x_is_B"], edit.__name__
        assert main(["witness", str(p), "--samples", "20000"]) == 1
    p = _tampered(path, tmp_path, lambda data: data.__setitem__("num_classes", 3))
    assert not W.check_witness(p, samples=20_000, is_samples=5_000)["checks"]["num_classes_recorded"]
    capsys.readouterr()


def test_t18_linf_witness(tmp_path):
    w = W.make_witness("t18", {"c": 0.5, "d": 4}, 1e-6)
    assert w["norm"] == "linf" and len(w["x_prime"]) == 4
    assert max(abs(float(t)) for t in w["x_prime"]) <= float(w["claimed_radius"])
    res = W.check_witness(W.save_witness(w, tmp_path), samples=200_000)
    assert res["confirmed"], res["checks"]


@pytest.mark.parametrize("name,params,e", [("c11", {"c": 3.0}, 1e-3), ("cohen", {}, 1e-6), ("c11", {"c": 1.0}, 0.1)])
def test_no_witness_where_the_certificate_is_sound(name, params, e):
    with pytest.raises(ValueError, match="not a counterexample"):
        W.make_witness(name, params, e)


def _tampered(path: Path, tmp_path: Path, edit) -> Path:
    data = json.loads(path.read_text())
    edit(data)
    out = tmp_path / "tampered.json"
    out.write_text(json.dumps(data))
    return out


def test_tampered_witnesses_are_not_confirmed(c11_binary, tmp_path, capsys):
    path, _ = c11_binary

    def outside(data):       # x' beyond the claimed radius
        data["x_prime"][0] = str(float(data["claimed_radius"]) * 1.01)

    def no_flip(data):       # x' within the tight radius: the prediction does not flip
        data["x_prime"][0] = str(float(data["tight_radius"]) * 0.5)

    def stored(data):
        data["exact"]["at_x_prime"]["A"] = "0.3"

    for edit, failing in ((outside, "x_prime_inside_claimed_radius"), (no_flip, "prediction_x_prime_not_A"),
                          (stored, "stored_exact_values_agree")):
        p = _tampered(path, tmp_path, edit)
        res = W.check_witness(p, samples=20_000)
        assert not res["confirmed"] and not res["checks"][failing]
        assert main(["witness", str(p), "--samples", "20000"]) == 1
    capsys.readouterr()


@pytest.mark.parametrize("content,match", [
    ("{not json", "not valid JSON"),
    ('{"kind": "something else"}', "not a certified-radius witness"),
    ('{"kind": "certified-radius witness"}', "lacks the field"),
])
def test_bad_files_exit_2(tmp_path, capsys, content, match):
    p = tmp_path / "bad.json"
    p.write_text(content)
    with pytest.raises(ValueError, match=match):
        W.check_witness(p)
    assert main(["witness", str(p)]) == 2
    assert match in capsys.readouterr().err


def test_malformed_classifier_rejected(c11_binary, tmp_path, capsys):
    path, _ = c11_binary

    def gap(data):
        data["classifier"]["intervals"][1][1] = "1e9"

    p = _tampered(path, tmp_path, gap)
    assert main(["witness", str(p)]) == 2
    assert "partition" in capsys.readouterr().err
    assert main(["witness", str(tmp_path / "missing.json")]) == 2


def test_cli_witness_json(c11_binary, capsys):
    path, _ = c11_binary
    assert main(["witness", str(path), "--json", "--samples", "100000"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["confirmed"] is True and out["claim"] == "C11"


def test_committed_witnesses_present_and_one_confirms():
    files = sorted(REPORTS.glob("*.json"))
    if not files:
        pytest.skip("reports/witnesses/ not generated (python -m theory witness --generate)")
    names = {f.name for f in files}
    assert "c11_c1_binary.json" in names
    # multi-class witnesses: at most 1000 classes (recorded), B the runner-up, none at c = 3
    for f in files:
        data = json.loads(f.read_text())
        if data.get("form") == "multiclass":
            assert data["num_classes"] == len(data["classifier"]["intervals"]) <= W.MAX_WITNESS_CLASSES, f.name
            assert data["params"]["c"] != 3.0, f.name
            px = {k: float(v) for k, v in data["exact"]["at_x"].items()}
            assert all(px["B"] >= v for k, v in px.items() if k != "A"), f.name
    res = W.check_witness(REPORTS / "c11_c1_binary.json", samples=200_000)
    assert res["confirmed"], res["checks"]


@pytest.mark.slow
def test_every_committed_witness_confirms():
    # claim_*.json are claim-counterexample records (theory.claim_witness), not radius witnesses
    files = sorted(f for f in REPORTS.glob("*.json") if not f.name.startswith("claim_"))
    assert files
    for f in files:
        res = W.check_witness(f)
        assert res["confirmed"], (f.name, res["checks"])


@pytest.mark.slow
def test_generate_matches_search(tmp_path):
    recs = W.generate_witnesses(tmp_path, progress=False)
    for r in recs:
        if r["certificate"] in ("c11", "t18"):
            assert r["witnesses"], r
            exceeds = any((m or {}).get("exceeds_tight") for m in r["multiclass_by_K"].values())
            assert exceeds == any("multiclass" in p for p in r["witnesses"]), r
        for p in r["witnesses"]:
            assert W.check_witness(p, samples=200_000)["confirmed"]
