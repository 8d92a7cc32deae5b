"""The noise table theory.noises (issue 22 item 1): the registries built from it, its moments against Monte Carlo
and closed forms, and the extension recipe of docs/ARCHITECTURE.md followed once -- a toy noise in ONE new file
appears in ``radius --compare``, the Neyman-Pearson engine, the TSV columns and the sampler-key registry (and, in
tests/empirical/test_noise.py, in empirical.noise's sampler registry and Smooth's CERTIFY)."""

import dataclasses
import importlib.util
import json
import math
import sys
import textwrap

import numpy as np
import pytest

from theory import certificates as C
from theory import neyman_pearson as NP
from theory import noises
from theory.cli import main


def test_derived_registries_equal_the_former_hand_written_lists():
    # the literal lists these registries replaced (commit 7694ca9): same names, same order
    assert C.RADIUS_COLUMNS == {
        "gaussian": ("radius_cohen", "radius_c11_c1", "radius_c11_c3", "radius_t18_linf_c1", "radius_t18_linf_c3",
                     "radius_cohen_linf", "radius_pixeldp", "radius_li_renyi"),
        "exponential-linf": ("radius_t13_linf", "radius_yang_linf")}
    from theory.commands.radius import COMPARE_COLUMNS

    assert [lab for lab, _, _ in COMPARE_COLUMNS] == [
        "cohen", "c11 c=1", "c11 c=3", "pixeldp", "li-renyi", "cohen-linf", "t18 c=1", "t18 c=3", "t13 (eq.6)",
        "yang-linf (eq.6)", "laplace-l1 (Teng)", "uniform-l1", "uniform-linf"]
    from theory.scaling.noise import NOISE_MECHANISMS

    assert NOISE_MECHANISMS == ("gaussian", "exponential-linf")
    # empirical.core's PRIMARY_CERTIFICATE and RADIUS_MECHANISM, empirical.noise's MECHANISMS and FLOAT_MECHANISMS
    assert noises.primary_certificates() == {"gaussian": "cohen", "exponential-linf": "t13",
                                             "gaussian-lattice": "cohen"}
    assert {n: noises.radius_noise(n) for n in noises.names() if noises.radius_noise(n) != n} == {
        "gaussian-lattice": "gaussian"}
    assert noises.sampler_keys() == ("gaussian", "exponential-linf", "gaussian-lattice")
    assert noises.float_sampler_noises() == ("gaussian", "exponential-linf")
    assert set(NP.NOISES) == {"gaussian", "laplace", "uniform", "exponential-linf", "exponential-l2"}
    noises._check_table()          # every column names a certificate of its own noise


def test_multiclass_cells_as_before():
    for noise in NP.NOISES:
        for norm in NP.NORMS:
            want = noise != "exponential-linf" and not (noise == "laplace" and norm != "l1")
            assert NP.supports_multiclass(noise, norm) is want, (noise, norm)


def test_unknown_noise_is_a_clear_error():
    with pytest.raises(ValueError, match="noise must be one of"):
        NP.tight_radius("cauchy", "l2", pA=0.9)
    with pytest.raises(ValueError, match="has no torch sampler"):
        noises.sampler_key("uniform")
    with pytest.raises(ValueError, match="no route for linf"):
        noises.get("exponential-l2").expected_norm(1.0, 3, "linf")
    with pytest.raises(ValueError, match="already registered"):
        noises.register(noises.get("gaussian"))


def _mc_mean(x):
    return float(np.mean(x)), float(np.std(x, ddof=1) / math.sqrt(len(x)))


def _samples(name, sigma, d, n, rng):
    if name == "uniform":
        return rng.uniform(-sigma, sigma, size=(n, d))
    # l2-exponential: ||z||_2 ~ Gamma(d, sigma) times an independent uniform direction
    g = rng.standard_normal((n, d))
    return rng.gamma(d, sigma, size=(n, 1)) * g / np.linalg.norm(g, axis=1, keepdims=True)


@pytest.mark.parametrize(("name", "d"), [("uniform", 1), ("uniform", 7), ("exponential-l2", 1),
                                         ("exponential-l2", 5)])
def test_moments_of_the_noises_without_a_mechanism_class_by_monte_carlo(name, d):
    rng = np.random.default_rng(11)
    sigma, n = 1.7, 200_000
    z = _samples(name, sigma, d, n, rng)
    entry = noises.get(name)
    m, se = _mc_mean(z[:, 0] ** 2)
    assert abs(entry.variance(sigma, d) - m) <= 6 * se
    for norm, vals in (("l1", np.abs(z).sum(1)), ("l2", np.linalg.norm(z, axis=1)), ("linf", np.abs(z).max(1))):
        if norm not in entry.expected_norms:
            continue
        m, se = _mc_mean(vals)
        assert abs(entry.expected_norm(sigma, d, norm) - m) <= 6 * se, (name, d, norm)


def test_closed_forms_of_the_table():
    # E|u_1| on the sphere of R^3 is 1/2 (Archimedes: u_1 is uniform on [-1, 1]); R^2: 2/pi
    assert noises._sphere_abs_coordinate_mean(3) == pytest.approx(0.5, rel=1e-15)
    assert noises._sphere_abs_coordinate_mean(2) == pytest.approx(2 / math.pi, rel=1e-15)
    # Gaussian E||z||_1 = d sigma sqrt(2/pi); eq. 6 E||z||_inf = d sigma (T15)
    assert noises.get("gaussian").expected_norm(2.0, 10, "l1") == pytest.approx(20 * math.sqrt(2 / math.pi))
    assert noises.get("exponential-linf").expected_norm(2.0, 10, "linf") == pytest.approx(20.0)
    # uniform E||z||_2 in d = 1 is sigma / 2; E||z||_inf = sigma d/(d + 1)
    assert noises.get("uniform").expected_norm(3.0, 1, "l2") == pytest.approx(1.5, rel=1e-10)
    assert noises.get("uniform").expected_norm(3.0, 4, "linf") == pytest.approx(2.4, rel=1e-15)
    # eq. 6 E||z||_1 = d (d + 1) sigma / 2 by Monte Carlo with the R14 sampler
    from theory.mechanisms import ExponentialLinf

    z = ExponentialLinf(1.3, 4).sample(np.random.default_rng(3), 200_000)
    m, se = _mc_mean(np.abs(z).sum(1))
    assert abs(noises.get("exponential-linf").expected_norm(1.3, 4, "l1") - m) <= 6 * se


TOY_FILE = '''
"""A toy noise added the documented way: this one file (a Laplace law under another name, with its own l1
certificate, a TSV column, a primary certificate and a numpy sampler that the torch side draws on the host)."""
from theory import noises, np_cells
from theory.certificates import Certificate, register
from theory.certificates.radii import laplace_l1_inverse, laplace_l1_radius


def sample(rng, sigma, d, n):
    return rng.laplace(0.0, sigma, size=(n, d))


register(Certificate(name="toy-l1", mechanism="toy", norm="l1", notion="Neyman-Pearson", reference="a test",
                     params=(), multiclass=False, tight="toy-l1", formula="-sigma log(2 (1 - pA))",
                     _radius=laplace_l1_radius, _inverse=laplace_l1_inverse))
NOISE = noises.register(noises.Noise(
    name="toy", label="toy", density="Laplace", sigma_meaning="scale", reference="a test",
    cell=np_cells.laplace_cell, multiclass_norms=("l1",), variance=lambda s, d: 2 * s * s,
    expected_norms={"l1": lambda s, d: d * s}, compare=(("toy-l1", "toy-l1", {}),),
    columns=(("radius_toy_l1", "toy-l1", {}),), primary="toy-l1", sample=sample, sampler_key=noises.HOST,
    tail_bound=lambda d: 700.0))          # P(|z_i| > 700 sigma) = exp(-700) < 1e-300 per draw
'''


@pytest.fixture
def toy_noise(tmp_path):
    path = tmp_path / "toy_noise.py"
    path.write_text(textwrap.dedent(TOY_FILE))
    spec = importlib.util.spec_from_file_location("toy_noise", path)
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
        yield mod
    finally:
        if "toy" in noises.NOISES:
            noises.unregister("toy")
        C.CERTIFICATES.pop("toy-l1", None)
        sys.modules.pop("toy_noise", None)


def test_a_noise_is_one_file(toy_noise, capsys):
    # the Neyman-Pearson engine
    assert "toy" in NP.NOISES
    t = NP.tight_radius("toy", "l1", sigma=2.0, one_minus_pA=0.01, d=3)
    assert t.exact and t.value == pytest.approx(-2.0 * math.log(0.02), rel=1e-14)
    assert NP.noise_variance("toy", 2.0, 3) == 8.0
    # the sampler-key registry (what empirical.noise reads: tests/empirical/test_noise.py draws the toy noise and
    # certifies with it, test_a_noise_is_one_file_on_the_torch_side)
    assert noises.sampler_key("toy") == noises.HOST and "toy" in noises.sampler_keys()
    assert noises.primary_certificate("toy") == "toy-l1" and noises.radius_columns()["toy"] == ("radius_toy_l1",)
    # radius --compare (table and JSON)
    assert main(["radius", "--compare", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["columns"]["toy-l1"] == {"certificate": "toy-l1", "params": {}, "norm": "l1", "mechanism": "toy"}
    assert [row["toy-l1"] for row in out["rows"]] == pytest.approx(
        [-math.log(2 * e) for e in (0.4, 0.25, 0.1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-9, 1e-12, 1e-15, 1e-30, 1e-100, 1e-300)],
        rel=1e-14)
    assert main(["radius", "--compare"]) == 0
    assert "toy-l1" in capsys.readouterr().out
    assert [c.name for c in noises.certificates_of("toy")] == ["toy-l1"]


def test_toy_noise_is_gone_after_the_test():
    assert "toy" not in noises.NOISES and "toy-l1" not in C.CERTIFICATES


def test_cells_are_the_only_route_to_a_radius():
    # a planted wrong cell changes the engine's answer: tight_radius has no if-chain of its own left
    real, order = noises.get("uniform"), noises.names()
    noises.unregister("uniform")
    try:
        noises.register(dataclasses.replace(real, cell=np_cells_double(real.cell)))
        assert NP.tight_radius("uniform", "l1", sigma=1.0, pA=0.8).value == pytest.approx(1.2, rel=1e-14)
    finally:
        noises.unregister("uniform")
        noises.register(real)
        for name in order:                                                      # restore the table order
            noises._TABLE[name] = noises._TABLE.pop(name)
    assert noises.names() == order
    assert NP.tight_radius("uniform", "l1", sigma=1.0, pA=0.8).value == pytest.approx(0.6, rel=1e-14)


def np_cells_double(cell):
    def doubled(p, sigma, norm, d):
        c = cell(p, sigma, norm, d)
        return c._replace(lower=2 * c.lower, upper=2 * c.upper)
    return doubled


@pytest.mark.parametrize(("noise", "norm", "d"), [("gaussian", "l2", 5), ("gaussian", "linf", 16), ("laplace", "l1", 4),
                                                  ("exponential-linf", "linf", 6), ("uniform", "l1", 3),
                                                  ("exponential-l2", "l2", 1), ("laplace", "l2", 1)])
def test_flip_margin_changes_sign_at_the_tight_radius(noise, norm, d):
    # the witness classifier of each exact cell flips exactly at the engine's radius (two routes agree)
    for e in (0.3, 0.05, 1e-4):
        r = NP.tight_radius(noise, norm, sigma=1.3, d=d, one_minus_pA=e).value
        def m(t, e=e):
            return NP.flip_margin(noise, norm, t, sigma=1.3, d=d, one_minus_pA=e)
        assert abs(m(r)) < 1e-12
        assert m(r * (1 - 1e-6)) < 0 < m(r * (1 + 1e-6))


def test_flip_margin_refuses_cells_without_a_classifier():
    for noise, norm, d in (("laplace", "l2", 3), ("exponential-linf", "l1", 2), ("exponential-l2", "l2", 3),
                           ("uniform", "linf", 2)):
        with pytest.raises(ValueError, match="worst-case classifier|built for l1"):
            NP.flip_margin(noise, norm, 0.1, sigma=1.0, d=d, one_minus_pA=0.1)


# --- the fields the empirical side and the witnesses read (issue 22 item 1, finished) ---------------------------

@pytest.mark.parametrize("d", [1, 4])
def test_numpy_samplers_have_the_tables_moments(d):
    """Each noise's numpy ``sample`` (audit witnesses' Monte Carlo, the torch HostSampler) against the table's
    variance and E||z|| (closed forms or quadrature: an independent route), 6 standard errors."""
    sigma, n = 0.8, 100_000
    for name, entry in noises.NOISES.items():
        if entry.sample is None:
            continue
        z = entry.sample(np.random.default_rng(21 + d), sigma, d, n)
        assert z.shape == (n, d)
        m, se = _mc_mean(z[:, 0] ** 2)
        assert abs(entry.variance(sigma, d) - m) <= 6 * se, (name, d)
        for norm, vals in (("l1", np.abs(z).sum(1)), ("l2", np.linalg.norm(z, axis=1)), ("linf", np.abs(z).max(1))):
            if norm in entry.expected_norms:
                m, se = _mc_mean(vals)
                assert abs(entry.expected_norm(sigma, d, norm) - m) <= 6 * se, (name, d, norm)
    assert {n for n, e in noises.NOISES.items() if e.sample is not None} == {
        "gaussian", "exponential-linf", "laplace", "uniform", "exponential-l2"}


@pytest.mark.parametrize("sigma", [0.12, 0.25, 0.5])
def test_lattice_variance_is_sheppards(sigma):
    # the Gaussian rounded to the 1/255 lattice: Var = sigma^2 + h^2 / 12 with h = 1/255 (Sheppard's correction;
    # its error is of order exp(-2 pi^2 (255 sigma)^2), nothing at these sigmas)
    from theory.lattice_gaussian import LEVELS

    assert noises._LATTICE_LEVELS == LEVELS
    assert noises.get("gaussian-lattice").variance(sigma, 3) == pytest.approx(sigma ** 2 + 1 / (12 * 255 ** 2),
                                                                             rel=1e-12)


def test_witness_laws_against_scipy_and_the_flips():
    """The mpmath witness laws: P(w.Z > threshold(e)) = e at 50 digits, the tail equals scipy's law of Z_1, and a
    law refuses exactly the (norm, d) where the engine's flip margin has no classifier."""
    import mpmath as mp
    from scipy import stats

    ref = {"gaussian": stats.norm, "laplace": stats.laplace, "uniform": stats.uniform(-1, 2),
           "exponential-linf": stats.laplace, "exponential-l2": stats.laplace}      # the last two: Z_1 in d = 1
    for name, entry in noises.NOISES.items():
        law = entry.witness
        if law is None:
            assert name == "gaussian-lattice"
            continue
        with mp.workdps(50):
            for e in (0.3, 1e-5, 1e-20):      # (uniform: b = sigma (1 - 2e) cancels ~20 of the 50 digits)
                b = law.threshold(e, 1.7)
                assert abs(law.tail(b, mp.mpf(1.7)) / mp.mpf(e) - 1) < mp.mpf(10) ** -25, (name, e)
            for u in (-0.9, 0.0, 0.4, 1.3):
                got = float(law.tail(mp.mpf(u) * 1.7, mp.mpf(1.7)))
                assert got == pytest.approx(float(ref[name].sf(u)), rel=1e-12, abs=1e-300), (name, u)
        for norm in noises.NORMS:
            for d in (1, 3):
                try:
                    entry.flip(norm, 0.1, 1.0, d, 0.1)
                    flips = True
                except ValueError:
                    flips = False
                assert (law.refuse(norm, d) is None) == flips, (name, norm, d)


def test_noise_entries_are_checked():
    base = noises.get("laplace")
    with pytest.raises(ValueError, match="draws its numpy `sample`"):
        dataclasses.replace(base, name="x", sampler_key=noises.HOST, sample=None, tail_bound=lambda d: 1.0)
    with pytest.raises(ValueError, match="needs tail_bound"):
        dataclasses.replace(base, name="x", sampler_key=noises.HOST)
