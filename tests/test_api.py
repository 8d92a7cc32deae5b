"""The public Python API: top-level re-exports, the Mechanism protocol, version and console script."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

import empirical
import theory
from theory import mechanisms as M

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> str:
    env_path = str(ROOT)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"}, cwd=ROOT)
    return out.stdout.strip()


def test_import_is_light():
    """`import theory` loads no numerical library and `import empirical` no torch (names load lazily)."""
    got = _run("import sys, theory, empirical; print(sorted(m for m in ('numpy', 'scipy', 'torch', 'matplotlib') "
               "if m in sys.modules))")
    assert got == "[]"
    got = _run("import sys, theory; theory.radius; print('torch' in sys.modules, 'scipy' in sys.modules)")
    assert got == "False True"


@pytest.mark.parametrize("name", theory.__all__)
def test_every_theory_name_resolves(name):
    assert getattr(theory, name) is not None
    assert name in dir(theory)


def test_theory_names_are_the_module_objects():
    from theory import certificates, divergences, scaling, soundness

    assert theory.certificates is certificates and theory.radius is certificates.radius
    assert theory.renyi_discrete is divergences.renyi_discrete
    assert theory.compute_scaling is scaling.compute_scaling and theory.SoundnessResult is soundness.SoundnessResult
    assert theory.get_claim("T8").id == "T8"
    with pytest.raises(AttributeError, match="no_such_name"):
        theory.no_such_name  # noqa: B018


@pytest.mark.parametrize("name", empirical.__all__)
def test_every_empirical_name_resolves(name):
    pytest.importorskip("torch")
    assert getattr(empirical, name) is not None


# ---------------------------------------------------------------------------------------- Mechanism protocol
def _instances():
    return [M.get_mechanism("gaussian", sigma=0.5, d=3), M.get_mechanism("exponential-linf", sigma=0.5, d=3),
            M.get_mechanism("laplace", scale=0.5, d=3), M.get_mechanism("randomized-response", eps=1.0)]


def test_registry_covers_every_mechanism_class():
    classes = {type(m) for m in _instances()}
    assert classes == set(M.MECHANISMS.values())
    for name, cls in M.MECHANISMS.items():
        assert cls.name == name


_PROTOCOL_METHODS = [n for n, v in vars(M.Mechanism).items() if inspect.isfunction(v) and not n.startswith("_")]


def test_protocol_lists_the_shared_methods():
    assert set(_PROTOCOL_METHODS) == {"logpdf", "sample", "renyi", "kl", "dinf", "dmr", "worst_case_direction",
                                      "expected_linf_norm", "linf_norm_quantile"}


@pytest.mark.parametrize("mech", _instances(), ids=lambda m: m.name)
def test_every_mechanism_satisfies_the_protocol(mech):
    """isinstance only checks that the names exist; the signatures are compared parameter by parameter:
    every parameter of the protocol exists under the same name and position, with a default where the
    protocol has one, and any extra parameter of the mechanism has a default."""
    assert isinstance(mech, M.Mechanism)
    assert isinstance(mech.name, str) and isinstance(mech.closed_form, dict)
    for meth in _PROTOCOL_METHODS:
        proto = list(inspect.signature(getattr(M.Mechanism, meth)).parameters.values())[1:]
        impl = list(inspect.signature(getattr(mech, meth)).parameters.values())
        assert len(impl) >= len(proto), (mech.name, meth)
        for p, q in zip(proto, impl[:len(proto)], strict=True):
            assert q.name == p.name, (mech.name, meth, p.name, q.name)
            assert q.kind in (p.kind, inspect.Parameter.POSITIONAL_OR_KEYWORD), (mech.name, meth, q.name)
            if p.default is not inspect.Parameter.empty:
                assert q.default is not inspect.Parameter.empty, (mech.name, meth, q.name)
        for q in impl[len(proto):]:
            assert q.default is not inspect.Parameter.empty or q.kind is inspect.Parameter.VAR_KEYWORD, \
                (mech.name, meth, q.name)


def test_protocol_rejects_an_incomplete_mechanism():
    class NoDMR:
        name = "x"
        closed_form: dict = {}

        def logpdf(self, z): ...
        def sample(self, rng, n): ...
        def renyi(self, alpha, shift=1.0, norm="l2", direction=None): ...
        def kl(self, shift=1.0, norm="l2", direction=None): ...
        def dinf(self, shift=1.0, norm="l2", direction=None): ...
        def worst_case_direction(self, norm="l2"): ...
        def expected_linf_norm(self): ...
        def linf_norm_quantile(self, q): ...

    assert not isinstance(NoDMR(), M.Mechanism)


# ---------------------------------------------------------------------------------------- version, console
def test_version_in_one_place():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    from importlib.metadata import version

    assert theory.__version__ == empirical.__version__ == version("rs-verify")
    # the installed metadata comes from pyproject.toml (a stale editable install would differ: reinstall)
    assert version("rs-verify") == meta


def test_console_script(capsys):
    from empirical.console import console_main

    assert console_main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"rs-verify {theory.__version__}"
    assert console_main(["theory", "--version"]) == 0
    assert capsys.readouterr().out.strip() == f"rs-verify theory {theory.__version__}"  # the program as typed
    assert console_main(["theory", "radius", "--certificate", "cohen", "--pA", "0.99", "--sigma", "0.5"]) == 0
    assert "1.16" in capsys.readouterr().out
    assert console_main(["nonsense"]) == 2
    assert "theory" in capsys.readouterr().err
    assert console_main([]) == 2
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["rs-verify"] == "empirical.console:console_main"


_NO_TORCH = """import sys
class _NoTorch:  # torch 'not installed' (what a missing package raises), on a machine that has it
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _NoTorch)
"""


@pytest.mark.parametrize("torch_installed", [True, False])
def test_empirical_help_without_torch_import(torch_installed):
    """--version imports no torch; where torch is not installed, --version and --help still answer (exit 0,
    issue 20.7)."""
    pre = "" if torch_installed else _NO_TORCH
    for arg, want in (("--version", "0 False"),) + (() if torch_installed else (("--help", "0 False"),)):
        got = _run(pre + "import sys; from empirical.cli import main\n"
                   "import contextlib, io\nbuf = io.StringIO()\n"
                   f"with contextlib.redirect_stdout(buf):\n    rc = main([{arg!r}])\n"
                   "print(rc, 'torch' in sys.modules)")
        assert got == want, arg
