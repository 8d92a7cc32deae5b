"""docs/ARCHITECTURE.md's "Where do I add ..." recipes, each followed once (issue 22 item 6).

* a noise: tests/theory/test_noises.py::test_a_noise_is_one_file (one new file);
* a certificate: here -- one ``register(Certificate(...))`` and the certificate is in ``radius`` / ``inverse``
  (scalar and broadcast), ``radius --list``, the soundness simulation's specs and its tight reference;
* a mechanism: tests/test_api.py (every entry of ``MECHANISMS`` against the protocol) and, here, a toy mechanism
  registered in ``MECHANISMS`` passing that same check and built by ``get_mechanism``;
* a command: here -- the command list is read from the package, so a module in ``theory/commands`` is a command;
* a claim / a report: tests/theory/test_claims.py (every claim's checks derive its recorded verdict) and the
  re-rendering tests of tests/theory/test_scaling.py and test_soundness.py.
"""

import json

import numpy as np
import pytest

from theory import certificates as C
from theory import mechanisms as M
from theory import soundness
from theory.certificates.radii import cohen_inverse, cohen_radius
from theory.cli import _command_names, main


def _half_radius(p, sigma):
    """Half of Cohen et al.'s radius (sound, not tight)."""
    return 0.5 * cohen_radius(p, sigma)


def _half_inverse(r, sigma, log_pB):
    """Inverse of :func:`_half_radius`."""
    return cohen_inverse(2.0 * r, sigma, log_pB)


@pytest.fixture
def half_cohen():
    cert = C.register(C.Certificate(
        name="half-cohen", mechanism="gaussian", norm="l2", notion="Neyman-Pearson / 2", reference="a test",
        params=(), multiclass=True, tight="cohen", formula="sigma/4 (Phi^-1(pA) - Phi^-1(pB))",
        _radius=_half_radius, _inverse=_half_inverse))
    try:
        yield cert
    finally:
        C.CERTIFICATES.pop("half-cohen", None)


def test_a_certificate_is_one_register_call(half_cohen, capsys):
    assert C.radius("half-cohen", pA=0.975, sigma=2.0) == pytest.approx(0.5 * 2.0 * 1.959963984540054, rel=1e-14)
    r = C.radius("half-cohen", pA=np.array([0.9, 0.99]), sigma=1.0)
    np.testing.assert_allclose(r, 0.5 * np.array([1.2815515655446004, 2.3263478740408408]), rtol=1e-14)
    assert C.inverse("half-cohen", r[1], sigma=1.0) == pytest.approx(0.01, rel=1e-12)
    assert main(["radius", "--list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["half-cohen"]["tight_reference"] == "cohen"
    specs = [s for s in soundness.cert_specs() if s.name == "half-cohen"]
    assert {s.form for s in specs} == {"binary", "multiclass"}
    assert not C.exceeds_tight("half-cohen", sigma=1.0)["exceeds_tight"]      # half the tight radius: sound
    with pytest.raises(ValueError, match="already registered"):
        C.register(half_cohen)


class _Shifted:
    """A toy mechanism: the Gaussian with its own name (the protocol's methods, nothing else)."""

    name = "toy-gaussian"
    closed_form: dict[str, str | None] = {}

    def __init__(self, sigma=1.0, d=1):
        self._g = M.Gaussian(sigma, d)
        self.sigma, self.d = self._g.sigma, self._g.d

    def logpdf(self, z):
        return self._g.logpdf(z)

    def sample(self, rng, n):
        return self._g.sample(rng, n)

    def renyi(self, alpha, shift=1.0, norm="l2", direction=None):
        return self._g.renyi(alpha, shift, norm, direction)

    def kl(self, shift=1.0, norm="l2", direction=None):
        return self._g.kl(shift, norm, direction)

    def dinf(self, shift=1.0, norm="l2", direction=None):
        return self._g.dinf(shift, norm, direction)

    def dmr(self, shift=1.0, norm="l2", direction=None):
        return self._g.dmr(shift, norm, direction)

    def worst_case_direction(self, norm="l2"):
        return self._g.worst_case_direction(norm)

    def expected_linf_norm(self):
        return self._g.expected_linf_norm()

    def linf_norm_quantile(self, q):
        return self._g.linf_norm_quantile(q)


def test_a_mechanism_is_one_class_in_the_registry(monkeypatch):
    monkeypatch.setitem(M.MECHANISMS, "toy-gaussian", _Shifted)
    mech = M.get_mechanism("toy-gaussian", sigma=0.5, d=3)
    assert isinstance(mech, M.Mechanism)
    assert mech.renyi(2.0, shift=1.0) == pytest.approx(2.0 * 1.0 / (2 * 0.25), rel=1e-15)   # L22
    from tests.test_api import test_every_mechanism_satisfies_the_protocol as protocol_check

    protocol_check(mech)


def test_a_command_is_one_module():
    names = _command_names("theory.commands")
    assert "radius" in names and "noise" in names
    # every module of the package is a command with the four names the dispatcher reads
    import importlib

    for n in names:
        mod = importlib.import_module(f"theory.commands.{n}")
        assert {"NAME", "HELP", "add_arguments", "run"} <= set(vars(mod)), n
