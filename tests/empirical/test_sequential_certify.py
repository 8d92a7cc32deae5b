"""Sequential CERTIFY in empirical (issue 21): Smooth.certify_sequential / certify_target, the TSV columns,
reproducibility, resumption, and the CLI options."""

from __future__ import annotations

import sys

import pytest
import torch
from torch import nn

from empirical.certify import BASE_COLUMNS, ResumeMismatch, certify_dataset, read_tsv, sequential_columns
from empirical.core import Smooth
from empirical.data import load_dataset
from empirical.models import build_model
from theory import certificates as C
from theory import sequential as Q

#: torchrun through this interpreter (a bare `torchrun` on PATH may belong to another Python)
TORCHRUN = [sys.executable, "-m", "torch.distributed.run"]

DATASET = "synthetic:16:2"
KW = dict(mechanism="gaussian", sigma=0.5, n0=20, n=1000, alpha=0.001, batch=128, device="cpu", seed=3,
          timing=False, progress=False)


class Constant(nn.Module):
    """Always class ``c`` (pA = 1 exactly)."""

    def __init__(self, c=1, k=3):
        super().__init__()
        self.c, self.k = c, k
        self.w = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        out = torch.zeros(x.shape[0], self.k) + 0 * self.w
        out[:, self.c] = 1.0
        return out


@pytest.fixture(scope="module")
def setup():
    split = load_dataset(DATASET, "test")
    return build_model("bayes", split.info).eval(), split


def _run(setup, out, indices, spec, **kw):
    model, split = setup
    a = dict(KW) | kw
    return certify_dataset(model, split, a.pop("mechanism"), a.pop("sigma"), a.pop("n0"), a.pop("n"), a.pop("alpha"),
                           a.pop("batch"), indices, out, sequential=spec, **a)


def test_constant_classifier_stops_at_first_look_and_refuses_the_unreachable():
    sm = Smooth(Constant(), 3, "gaussian", 0.5)
    x = torch.zeros(1, 4, 4)
    g = torch.Generator().manual_seed(0)
    res = sm.certify_target(x, 10, [0.25, 0.5, 5.0], 0.001, 64, budget=100_000, generator=g)
    # every draw agrees: R = 0.25, 0.5 need 1 - pA <= Phi(-1) = 0.16 resp. Phi(-0.5)... reached at the first look
    assert res.certified == (1, 1, 0) and res.decided_at == (64, 64, 0)    # R = 5 (level Phi(-10)): beyond the cap
    assert res.n == 64 and res.nA == 64 and res.forward_passes == 74 and res.prediction == 1
    q = float(Q.one_minus_lower(64, 64, 0.001 * (1 - Q.DEFAULT_FINAL_SHARE)))   # the sequence's share of alpha
    assert res.pA_lower == 1 - q and res.radius == pytest.approx(0.5 * C.radius("cohen", one_minus_pA=q, sigma=1.0))


def test_all_targets_unreachable_uses_no_estimation_draws():
    sm = Smooth(Constant(), 3, "gaussian", 0.25)
    res = sm.certify_target(torch.zeros(1, 4, 4), 10, [1.0, 2.0], 0.001, 64, budget=100_000)
    assert res.certified == (0, 0) and res.n == 0 and res.forward_passes == 10 and res.prediction == -1


def test_radius_mode_constant_classifier_runs_until_growth_is_small():
    sm = Smooth(Constant(), 3, "gaussian", 0.5)
    spec = Q.SequentialSpec("radius", budget=20_000, fraction=0.05)
    res = sm.certify_sequential(torch.zeros(1, 4, 4), 10, spec, 0.001, 1000)
    stop, _ = Q.radius_stop([res.n], res.n, 20_000, 0.001, 0.5, 0.05)
    assert stop[0] and 0 < res.n <= 20_000
    if res.n < 20_000:  # the look before did not stop
        looks = Q.look_schedule(20_000, 1000)
        prev = looks[looks.index(res.n) - 1]
        assert not Q.radius_stop([prev], prev, 20_000, 0.001, 0.5, 0.05)[0][0]


def test_tsv_columns_reproducible_and_resumable(setup, tmp_path):
    spec = Q.SequentialSpec("target", 1000, (0.1, 0.3))
    rows = _run(setup, tmp_path / "a.tsv", range(4), spec)
    head = (tmp_path / "a.tsv").read_text().splitlines()[0].split("\t")
    assert head[:len(BASE_COLUMNS)] == BASE_COLUMNS
    assert head[-5:] == sequential_columns(spec) == ["forward_passes", "certified_R0.1", "decided_at_R0.1",
                                                     "certified_R0.3", "decided_at_R0.3"]
    for r in rows:
        assert r["forward_passes"] == r["n0"] + r["n"] and r["n"] <= 1000
        assert max(r["decided_at_R0.1"], r["decided_at_R0.3"]) == r["n"]  # stopped when the last R was decided
    _run(setup, tmp_path / "b.tsv", range(2), spec)
    _run(setup, tmp_path / "b.tsv", range(4), spec, resume=True)
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()
    with pytest.raises(ResumeMismatch, match="target_radii"):
        _run(setup, tmp_path / "b.tsv", range(5), Q.SequentialSpec("target", 1000, (0.1,)), resume=True)
    assert len(read_tsv(tmp_path / "b.tsv")) == 4


def test_cli_options(tmp_path, capsys):
    from empirical.cli import main

    for argv, msg in ([["--target-radius", "0.5", "--sequential"], "not allowed with"],
                      [["--fraction", "0.1"], "fraction"], [["--target-radius", "-1"], "target radius"]):
        try:
            rc = main(["certify", "--checkpoint", str(tmp_path / "none.pt"), "--sigma", "0.5", "--out",
                       str(tmp_path / "o.tsv"), *argv])
        except SystemExit as e:  # argparse's own errors
            rc = e.code
        assert rc == 2
        assert msg in capsys.readouterr().err


@pytest.mark.slow
def test_torchrun_sequential_equals_one_process(setup, tmp_path):
    """Sharding keeps working in target-radius mode: 2 torchrun CPU ranks give the bytes of one process."""
    import os
    import shutil
    import subprocess
    from pathlib import Path

    from empirical.core import FastForward
    from empirical.models import make_meta, save_checkpoint

    if shutil.which("torchrun") is None:
        pytest.skip("torchrun not on PATH")
    model, split = setup
    ck = tmp_path / "bayes.pt"
    save_checkpoint(ck, model, make_meta(split.info, "bayes", "none", 1.0, 0))
    out = tmp_path / "sharded.tsv"
    args = ["--checkpoint", str(ck), "--sigma", "0.5", "--n0", "20", "--N", "1000", "--batch", "128",
            "--max-index", "6", "--no-compile", "--no-timing", "--device", "cpu", "--seed", "3", "--out", str(out),
            "--target-radius", "0.1", "0.3"]
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    proc = subprocess.run([*TORCHRUN, "--standalone", "--nproc_per_node", "2", "-m", "empirical",
                           "certify", *args], capture_output=True, text=True, env=env, timeout=300,
                          cwd=str(Path(__file__).resolve().parents[2]))
    assert proc.returncode == 0, proc.stderr[-3000:]
    ref = tmp_path / "one.tsv"
    ff = FastForward(model, "cpu", compile=False)
    certify_dataset(ff.model, split, "gaussian", 0.5, 20, 1000, 0.001, 128, range(6), ref, device="cpu", seed=3,
                    timing=False, forward=ff, progress=False, sequential=Q.SequentialSpec("target", 1000, (0.1, 0.3)))
    assert out.read_bytes() == ref.read_bytes()


def test_cli_spec_options_final_share_and_futility():
    """--final-share / --futility reach the SequentialSpec; 0 turns futility off; misuse is a one-line error."""
    import argparse

    from empirical.commands.certify import _sequential_spec

    def ns(**kw):
        base = dict(fraction=0.05, sequential=False, target_radius=None, n=1000, final_share=None, futility=None)
        return argparse.Namespace(**{**base, **kw})

    s = _sequential_spec(ns(target_radius=[0.5]))
    assert (s.final_share, s.futility) == (Q.DEFAULT_FINAL_SHARE, Q.DEFAULT_FUTILITY)
    s = _sequential_spec(ns(target_radius=[0.5], futility=0.0, final_share=0.2))
    assert (s.final_share, s.futility) == (0.2, None)
    assert _sequential_spec(ns(sequential=True, final_share=0.0)).final_share == 0.0
    with pytest.raises(ValueError, match="futility"):
        _sequential_spec(ns(sequential=True, futility=0.1))
    with pytest.raises(ValueError, match="final_share"):
        _sequential_spec(ns(final_share=0.3))
    with pytest.raises(ValueError, match="final_share"):
        _sequential_spec(ns(sequential=True, final_share=1.0))
