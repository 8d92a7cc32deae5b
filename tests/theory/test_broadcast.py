"""theory.radius / theory.inverse broadcast over NumPy arrays like scipy.stats (issue 20 item 13): scalars give a
Python float, array-likes broadcast and give an array whose every element equals the scalar path; references from
mpmath at 50 digits; per-element validation names the offending index; ``radius --pA`` takes a list."""

import json
import math

import mpmath as mp
import numpy as np
import pytest

import theory
from theory import certificates as C
from theory.cli import main

ONE_MINUS = np.array([0.4, 0.1, 1e-3, 1e-9, 1e-15, 1e-100, 1e-300])


def _kw(cert, d=16):
    return {k: {"c": 1.0, "d": d}[k] for k in cert.params}


@pytest.mark.parametrize("name", list(C.CERTIFICATES))
def test_array_equals_scalar_path_elementwise(name):
    cert = C.get(name)
    got = C.radius(name, one_minus_pA=ONE_MINUS, sigma=0.5, **_kw(cert))
    assert isinstance(got, np.ndarray) and got.shape == ONE_MINUS.shape and got.dtype == np.float64
    want = [C.radius(name, one_minus_pA=float(e), sigma=0.5, **_kw(cert)) for e in ONE_MINUS]
    assert got.tolist() == want                       # the same scalar path: bitwise equal
    r = np.array([0.0, 0.01, 0.03])                   # below uniform-linf's largest radius at d = 16
    inv = C.inverse(name, r, sigma=0.5, log=True, **_kw(cert))
    assert inv.tolist() == [C.inverse(name, float(x), sigma=0.5, log=True, **_kw(cert)) for x in r]


def test_scalars_give_python_floats():
    for v in (0.9, np.float64(0.9), np.array(0.9)):
        out = theory.radius("cohen", pA=v, sigma=0.5)
        assert type(out) is float
    assert type(theory.inverse("t13", 1.0, sigma=1.0)) is float


def test_broadcasting_shapes_and_every_argument():
    pa = np.array([0.9, 0.99, 0.999])
    sig = np.array([[0.25], [1.0]])
    got = theory.radius("cohen", pA=pa, sigma=sig)
    assert got.shape == (2, 3)
    with mp.workdps(50):
        for i, s in enumerate(sig[:, 0]):
            for j, p in enumerate(pa):
                want = mp.mpf(s) * mp.sqrt(2) * mp.erfinv(2 * mp.mpf(p) - 1)      # sigma Phi^-1(pA)
                assert got[i, j] == pytest.approx(float(want), rel=1e-14)
    # c and d broadcast too (t18: the C11 radius / sqrt(d)); lists are array-likes
    t18 = theory.radius("t18", pA=0.9, sigma=1.0, c=[1.0, 3.0], d=[[1], [4], [16]])
    assert t18.shape == (3, 2)
    want = math.sqrt(2) * math.log(9) / (2 * np.outer([1, 2, 4], [2, 4]))
    np.testing.assert_allclose(t18, want, rtol=1e-14)
    # multi-class pB broadcasts against pA
    t13 = theory.radius("t13", pA=[0.6, 0.7], pB=[[0.1], [0.2]], sigma=2.0)
    np.testing.assert_allclose(t13, np.log(np.array([[0.6, 0.7]]) / np.array([[0.1], [0.2]])), rtol=1e-14)


def test_mpmath_reference_deep_tail():
    # Yang et al.: sigma log(1 / (2 (1 - pA))), and Cohen's inverse Phi(-r / sigma), at 50 digits
    got = theory.radius("yang-linf", one_minus_pA=ONE_MINUS, sigma=1.5)
    inv = theory.inverse("cohen", np.array([0.5, 3.0, 30.0]), sigma=1.5, log=True)
    with mp.workdps(50):
        for g, e in zip(got, ONE_MINUS, strict=True):
            assert g == pytest.approx(float(1.5 * mp.log(1 / (2 * mp.mpf(e)))), rel=1e-14)
        for g, r in zip(inv, (0.5, 3.0, 30.0), strict=True):
            assert g == pytest.approx(float(mp.log(mp.ncdf(-mp.mpf(r) / 1.5))), rel=1e-13)


def test_validation_names_the_offending_index():
    with pytest.raises(ValueError, match=r"pA must lie in \(0.0, 1.0\), got 1.5 \(at index 2 "):
        theory.radius("cohen", pA=[0.9, 0.99, 1.5], sigma=1.0)
    with pytest.raises(ValueError, match=r"sigma .*\(at index \(1, 0\) "):
        theory.radius("cohen", pA=[0.9, 0.99], sigma=[[1.0], [-1.0]])
    with pytest.raises(ValueError, match=r"at index 1 "):
        theory.inverse("uniform-l1", [0.5, 2.0], sigma=1.0)            # radius 2 >= sigma: not reachable
    with pytest.raises(ValueError, match="must broadcast to one shape"):
        theory.radius("cohen", pA=[0.9, 0.99], sigma=[1.0, 2.0, 3.0])


def test_cli_pA_list(capsys):
    assert main(["radius", "--certificate", "cohen", "--pA", "0.9", "0.99", "0.999", "--sigma", "0.5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    for line, p in zip(lines, (0.9, 0.99, 0.999), strict=True):
        assert float(line.split("=")[-1]) == pytest.approx(theory.radius("cohen", pA=p, sigma=0.5), rel=1e-11)
    assert main(["radius", "--certificate", "t13", "--pA", "0.9", "0.99", "--sigma", "1", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)["results"]
    assert [r["radius"] for r in res] == pytest.approx([math.log(9) / 2, math.log(99) / 2], rel=1e-14)
    # one value: the single object, as before lists were accepted
    assert main(["radius", "--certificate", "t13", "--pA", "0.9", "--sigma", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["radius"] == pytest.approx(math.log(9) / 2, rel=1e-14)
    assert main(["radius", "--certificate", "t13", "--radius", "1", "2", "--sigma", "1"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2
