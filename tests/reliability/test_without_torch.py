"""Issues 15.2/15.3 and 20.7: an install without torch (``pip install -e ".[test]"``, no ``empirical`` extra).

torch is made unimportable in a subprocess by a ``sitecustomize`` on ``PYTHONPATH`` that puts a finder
first on ``sys.meta_path`` raising ModuleNotFoundError for ``torch`` (what a missing package raises), so
these run (and can fail) on a machine that has torch.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIM = """import sys


class _NoTorch:  # a meta-path finder that makes torch 'not installed'
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoTorch)
"""


@pytest.fixture(scope="module")
def no_torch_env(tmp_path_factory):
    shim = tmp_path_factory.mktemp("no_torch")
    (shim / "sitecustomize.py").write_text(SHIM)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(shim), str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("PYTEST_ADDOPTS", None)
    check = subprocess.run([sys.executable, "-c", "import torch"], env=env, capture_output=True, text=True)
    assert check.returncode != 0 and "torch" in check.stderr  # the shim works
    return env


def _empirical(args, env, **kw):
    return subprocess.run([sys.executable, "-m", "empirical", *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=kw.get("cwd", ROOT))


def test_empirical_torch_command_without_torch_is_one_line_exit_2(no_torch_env):
    p = _empirical(["certify", "--checkpoint", "x.pt", "--sigma", "0.25"], no_torch_env)
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    assert lines[0].startswith("python -m empirical certify: error:") and "torch" in lines[0]
    assert 'pip install -e ".[empirical]"' in lines[0]


def test_empirical_help_version_and_replay_run_without_torch(no_torch_env, tmp_path):
    """Issue 20.7: a reviewer replays published logs without torch; --help and --version answer too."""
    h = _empirical(["--help"], no_torch_env)
    assert h.returncode == 0 and "Traceback" not in h.stderr, h.stderr
    text = " ".join(h.stdout.split())  # argparse wraps help lines; without the extra scikit-learn may be missing too
    assert "replay" in text and "[needs torch" in text and 'pip install -e ".[empirical]"' in text
    v = _empirical(["--version"], no_torch_env)
    assert v.returncode == 0 and v.stdout.startswith("python -m empirical "), v.stderr
    assert _empirical(["replay", "--help"], no_torch_env).returncode == 0
    log = tmp_path / "mnist" / "noise_0.50_sigma_0.50.tsv"
    log.parent.mkdir()
    log.write_text("idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t3\t3\t1.91\t1\t1.0\n1\t2\t-1\t0.0\t0\t1.0\n")
    r = _empirical(["replay", "--log", str(log), "--out", str(tmp_path / "o"), "--no-progress", "--no-figures"],
                   no_torch_env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "o" / "replay_mnist.md").is_file() and "report:" in r.stdout


def test_pytest_without_torch_runs_theory_and_skips_empirical(no_torch_env):
    """The README's promise: without torch the empirical tests skip with a reason, the theory tests run."""
    files = ["tests/empirical/test_noise.py", "tests/empirical/test_cli.py", "tests/theory/test_cli_core.py",
             "empirical"]  # the package's doctests: modules importing torch are left out, the others run
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *files],
                       env=no_torch_env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-3000:]
    assert "error" not in out.splitlines()[-1], out[-3000:]
    assert "passed" in out.splitlines()[-1] and "skipped" in out.splitlines()[-1], out[-3000:]
    assert "SKIPPED" in out and "torch is not installed" in out, out[-3000:]
