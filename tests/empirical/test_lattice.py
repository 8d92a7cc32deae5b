"""The sound gaussian-lattice mode and the floating-point audit (issue 23): the sampler's law (chi-square of 10^6
draws against the exact rounded-Gaussian probabilities), its guide table and edge rejection, exhaustive shift
covariance of the composition (0 mismatches; the float add has them), lattice-input validation, certify / resume /
sharding with the new noise, and audit-fp: UNSOUND on the float path and on a planted float-adding lattice path, no
contradiction on the sound path."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from scipy import stats

from empirical.certify import certify_dataset, read_tsv
from empirical.core import Smooth
from empirical.fp_audit import SOUND, UNSOUND, audit_fp, check_witness
from empirical.noise import LatticeGaussianSampler, make_generator
from theory.lattice_gaussian import lattice_gaussian, rounded_gaussian_pmf

CHI2_P = 1e-9  # the chi-square test's level: a correct sampler fails it with probability 1e-9 (fixed seed: never)


def _chi2(counts: np.ndarray, p: np.ndarray) -> tuple[float, int]:
    """Pearson's statistic with the tails pooled until every expected count is >= 20; (statistic, dof)."""
    n = counts.sum()
    exp = p / p.sum() * n
    groups, cur_o, cur_e = [], 0.0, 0.0
    for o, e in zip(counts, exp, strict=True):
        cur_o += o
        cur_e += e
        if cur_e >= 20:
            groups.append((cur_o, cur_e))
            cur_o = cur_e = 0.0
    if cur_e > 0:
        o, e = groups.pop()
        groups.append((o + cur_o, e + cur_e))
    o = np.array([g[0] for g in groups])
    e = np.array([g[1] for g in groups])
    return float(((o - e) ** 2 / e).sum()), len(groups) - 1


def _draw_counts(sigma: float, n: int, seed: int) -> tuple[np.ndarray, int]:
    s = LatticeGaussianSampler(sigma, (1000,))
    g = make_generator("cpu", seed)
    M = s.clip
    counts = np.zeros(2 * M + 1, dtype=np.int64)
    for _ in range(n // 100000):
        j = s.noise_index(100, g).reshape(-1).numpy() + M
        counts += np.bincount(j, minlength=2 * M + 1)
    return counts, M


def _chi2_check(sigma, n, off):
    counts, M = _draw_counts(sigma, n, seed=1)
    p = rounded_gaussian_pmf(255 * sigma, M)
    stat, dof = _chi2(counts, p)
    assert stat < stats.chi2.isf(CHI2_P, dof), (stat, dof)
    # power: the same draws reject the rounded Gaussian of a sigma larger by the factor `off`
    stat2, dof2 = _chi2(counts, rounded_gaussian_pmf(255 * sigma * off, M))
    assert stat2 > stats.chi2.isf(CHI2_P, dof2), (stat2, dof2)


@pytest.mark.slow
@pytest.mark.parametrize("sigma", [0.25, 1.5 / 255])
def test_chi_square_of_a_million_draws(sigma):
    _chi2_check(sigma, 10 ** 6, 1.02)


@pytest.mark.parametrize("sigma", [0.25, 1.5 / 255])
def test_chi_square_of_draws(sigma):
    """The default suite's version: 10^5 draws, power against a 5% larger sigma."""
    _chi2_check(sigma, 10 ** 5, 1.05)


def test_guide_table_is_exact_exhaustively():
    """Every one of the 2^20 guide entries: a nonzero idx means the whole block of U lies strictly between
    E_{idx-1} and E_idx; zero means the block holds a threshold or reaches a tail."""
    s = LatticeGaussianSampler(0.25, (4,))
    E = s._edges
    n = len(E)
    h = torch.arange(len(s._guide), dtype=torch.int64)
    start = h << (63 - 20)
    end = start + (1 << (63 - 20)) - 1
    gi = s._guide.to(torch.int64)
    ok = gi > 0
    assert ok.float().mean() > 0.99
    i = gi[ok]
    assert bool((E[i - 1] < start[ok]).all()) and bool((end[ok] < E[i]).all())
    lo = torch.searchsorted(E, start[~ok], right=False)
    hi = torch.searchsorted(E, end[~ok], right=True)
    assert bool(((hi > lo) | (lo == 0) | (lo >= n)).all())


def test_search_rejects_edges_and_tails():
    s = LatticeGaussianSampler(0.25, (4,))
    E = s._edges
    M = s.clip
    u = torch.cat([E[:3], E[-3:], E[:3] + 1, E[-3:] - 1, E[M:M + 2], E[M:M + 2] + 1, torch.tensor([0, 2 ** 63 - 1])])
    idx, bad = s._search(u)
    ref = np.searchsorted(E.numpy(), u.numpy(), side="right")
    assert idx.tolist() == ref.tolist()
    expect_bad = [True] * 6 + [False, False, False, False, False, True] + [True, True, False, False] + [True, True]
    # E_0 + 1 .. : idx 1 (atom -M) accepted; E_{2M+1} - 1: idx 2M + 1 accepted, but E_{last} - 1 ... see below
    expect_bad[9:12] = [False, False, False]
    assert bad.tolist() == expect_bad


def test_same_generator_same_noise():
    s = LatticeGaussianSampler(0.25, (3, 4, 4))
    a = s.noise_index(50, make_generator("cpu", 7))
    b = s.noise_index(50, make_generator("cpu", 7))
    c = s.noise_index(50, make_generator("cpu", 8))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert int(a.abs().max()) <= s.clip


def _bits(t: torch.Tensor) -> torch.Tensor:
    return t.contiguous().view(torch.int32)


def test_shift_covariance_exhaustive():
    """For every pixel k in 0..254 and every noise index j (idx = j + 1 + M) with j - 1 in range, the network
    input for (k, j) equals bit for bit the one for (k + 1, j - 1): 0 mismatches.  The drop-in alternative,
    exact lattice noise added in float (fl(k/255) + fl(j/255)), has mismatches."""
    s = LatticeGaussianSampler(0.25, (1,))
    M = s.clip
    k = torch.arange(0, 255, dtype=torch.int64).view(-1, 1)
    idx = torch.arange(2, 2 * M + 2, dtype=torch.int64).view(1, -1)
    a = s.compose(torch.zeros(1, dtype=torch.int64), (k + idx).view(-1, 1)).view(k.shape[0], -1)
    b = s.compose(torch.zeros(1, dtype=torch.int64), (k + 1 + idx - 1).view(-1, 1)).view(k.shape[0], -1)
    # through compose's own k argument, pixel by pixel (the path Smooth uses)
    for kk in (0, 1, 2, 100, 254):
        ka = s.compose(torch.tensor([kk]), idx.view(-1, 1))
        kb = s.compose(torch.tensor([kk + 1]), (idx - 1).view(-1, 1))
        assert torch.equal(_bits(ka), _bits(kb))
    assert int((_bits(a) != _bits(b)).sum()) == 0
    # the float add: fl(fl(k/255) + fl(j/255)) vs fl(fl((k+1)/255) + fl((j-1)/255))
    kf = (k.to(torch.float32) / 255)
    j = (idx - 1 - M).to(torch.float32) / 255
    fa = kf + j
    fb = (k + 1).to(torch.float32) / 255 + (idx - 2 - M).to(torch.float32) / 255
    mism = int((_bits(fa) != _bits(fb)).sum())
    assert mism > 100, mism


def test_lattice_input_validation():
    s = LatticeGaussianSampler(0.25, (2, 2))
    ok = torch.tensor([[0, 1], [254, 255]], dtype=torch.float32) / 255
    assert s.pixels(ok).tolist() == [[0, 1], [254, 255]]
    assert s.pixels(torch.tensor([[0, 3], [7, 255]], dtype=torch.uint8)).tolist() == [[0, 3], [7, 255]]
    with pytest.raises(ValueError, match="1/255 lattice"):
        s.pixels(ok + 1e-3)
    with pytest.raises(ValueError, match="1/255 lattice"):
        s.pixels(torch.nextafter(ok, torch.ones_like(ok)))  # one ulp off: still refused
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        s.pixels(torch.tensor([[0, 1], [2, 256]], dtype=torch.int64))
    with pytest.raises(ValueError, match="shape"):
        s.pixels(torch.zeros(4))
    sm = Smooth(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2)), 2, "gaussian-lattice", 0.25)
    with pytest.raises(ValueError, match="lattice"):
        sm.certify(ok + 1e-3, 10, 10, 0.01, 10)


class _LatticeSplit:
    """A synthetic split quantized to the 1/255 lattice."""

    def __init__(self, n=12, d=16, seed=0):
        rng = np.random.default_rng(seed)
        self.x = torch.from_numpy(rng.integers(0, 256, size=(n, d)).astype(np.float32)).div_(255.0)
        self.y = (self.x.mean(dim=1) > 0.5).long()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], int(self.y[i])


def _model(d=16):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(d, 2)).eval()


def test_certify_resume_and_shards_with_the_lattice_noise(tmp_path):
    from empirical.certify import decide_sharded_output, finish_sharded, rank_indices, read_metadata, shard_path

    split, model = _LatticeSplit(), _model()
    kw = dict(device="cpu", seed=5, timing=False, progress=False, num_classes=2)
    ref = tmp_path / "ref.tsv"
    rows = certify_dataset(model, split, "gaussian-lattice", 0.25, 20, 200, 0.001, 256, range(12), ref, **kw)
    assert len(rows) == 12
    params = read_metadata(ref)  # the TSV's own metadata line (issue 20)
    assert params["mechanism"] == "gaussian-lattice"
    head = ref.read_text().splitlines()[0].split("\t")
    assert "radius_cohen" in head
    # resume after 5 rows equals one run
    part = tmp_path / "part.tsv"
    certify_dataset(model, split, "gaussian-lattice", 0.25, 20, 200, 0.001, 256, range(5), part, **kw)
    certify_dataset(model, split, "gaussian-lattice", 0.25, 20, 200, 0.001, 256, range(12), part, resume=True, **kw)
    assert part.read_bytes() == ref.read_bytes()
    # two shards merged equal one run
    out = tmp_path / "sh.tsv"
    plan = decide_sharded_output(out, 2)
    for r in range(2):
        certify_dataset(model, split, "gaussian-lattice", 0.25, 20, 200, 0.001, 256,
                        rank_indices(range(12), r, 2, plan), shard_path(out, r, 2), **kw)
    finish_sharded(out, 2, plan)
    assert out.read_bytes() == ref.read_bytes()
    # the radius is Cohen's at pA_lower less d * eta
    from theory import certificates as C

    eta = lattice_gaussian(0.25).eta
    for r in read_tsv(ref):
        if r["predict"] != "-1":
            base = C.certify_from_counts(int(r["nA"]), 200, 0.001, 0.25)
            assert float(r["pA_lower"]) == pytest.approx(base.pA_lower - 16 * eta, abs=1e-15)
            assert float(r["pA_lower"]) < base.pA_lower


def test_off_lattice_dataset_is_refused(tmp_path):
    split = _LatticeSplit()
    split.x[3, 0] += 1e-4
    with pytest.raises(ValueError, match="lattice"):
        certify_dataset(_model(), split, "gaussian-lattice", 0.25, 10, 50, 0.001, 64, [3], tmp_path / "o.tsv",
                        device="cpu", timing=False, progress=False, num_classes=2)


# -- audit-fp --------------------------------------------------------------------------------------------------

AUDIT = dict(shape=(3, 8, 8), n0=100, n=1000, seed=0)


def test_audit_flags_the_float_path():
    r = audit_fp("gaussian", 0.25, **AUDIT)
    assert r.verdict == UNSOUND
    low = next(c for c in r.classifiers if c.classifier == "fp-lowbits")
    assert low.unsound and low.inside_ball and low.nA_x_prime == 0
    w = r.to_dict()
    assert check_witness(json.loads(json.dumps(w)))
    w["classifiers"][0]["upper_x_prime"] = 0.5  # a tampered witness does not check
    assert not check_witness(w)


def test_audit_passes_the_sound_path():
    r = audit_fp("gaussian-lattice", 0.25, **AUDIT)
    assert r.verdict == SOUND, r.summary()
    assert {c.classifier for c in r.classifiers} == {"fp-lowbits", "fp-canonical", "lattice-parity", "half-space"}
    assert check_witness(r.to_dict())
    half = next(c for c in r.classifiers if c.classifier == "half-space")
    assert half.inside_ball and half.upper_x_prime - half.implied_lower < 0.25  # the tight classifier is close


def test_audit_parity_classifier_at_a_small_sigma():
    """At sigma = 0.3/255 the parity of a lattice index is informative (P(J = 0) = 0.9): the implied bound at a
    one-step shift is checked and holds on the sound path."""
    r = audit_fp("gaussian-lattice", 0.3 / 255, (1, 1, 1), n0=100, n=2000, seed=0, x_pixel=0, x_prime_pixel=1,
                 classifiers=("lattice-parity",))
    c = r.classifiers[0]
    assert r.verdict == SOUND and c.pA_lower > 0.8 and c.implied_lower > 0.0


def test_planted_bug_float_add_in_the_lattice_path_is_caught(monkeypatch):
    """The sound path with the composition replaced by the drop-in float add fl(fl(k/255) + fl(j/255))."""

    def float_compose(self, k, idx, out=None):
        j = (idx.to(torch.int64) - 1 - self.clip).to(self.dtype) / float(self.levels)
        res = k.to(self.dtype) / float(self.levels) + j
        if out is not None:
            out.copy_(res)
            return out
        return res

    monkeypatch.setattr(LatticeGaussianSampler, "compose", float_compose)
    r = audit_fp("gaussian-lattice", 0.25, **AUDIT)
    assert r.verdict == UNSOUND
    assert next(c for c in r.classifiers if c.classifier == "fp-canonical").unsound


def test_audit_cli_exit_codes(tmp_path, capsys):
    from empirical.cli import main

    w = tmp_path / "w.json"
    args = ["--shape", "3,8,8", "--n", "1000", "--classifiers", "fp-lowbits,half-space", "--device", "cpu"]
    assert main(["audit-fp", *args, "--out", str(w)]) == 1
    assert "UNSOUND" in capsys.readouterr().out
    assert check_witness(json.loads(w.read_text()))
    assert main(["audit-fp", *args, "--noise", "gaussian-lattice"]) == 0
    assert main(["audit-fp", "--sigma", "0"]) == 2
    assert main(["audit-fp", "--x-pixel", "3", "--x-prime-pixel", "3"]) == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.slow
def test_audit_reproduces_the_issue_numbers():
    """Issue 23's measurement: 3x32x32, sigma 0.25, n = 100,000: R = 0.953 at the black image, all votes for the
    other class at 2/255 everywhere (||x' - x|| = 0.435)."""
    r = audit_fp("gaussian", 0.25, (3, 32, 32), n0=100, n=100000, seed=0, classifiers=("fp-lowbits",))
    c = r.classifiers[0]
    assert r.unsound and c.radius == pytest.approx(0.953, abs=5e-4) and c.counts_x_prime == [0, 100000]
    assert math.isclose(r.distance, 2 / 255 * math.sqrt(3072))


def test_cli_certify_and_predict_refuse_off_lattice_data(tmp_path, capsys):
    """synthetic:8:2 has continuous features: --mechanism gaussian-lattice is a one-line error, exit 2."""
    from empirical.cli import main
    from empirical.models import build_model, make_meta, save_checkpoint

    ck = tmp_path / "bayes.pt"
    save_checkpoint(ck, build_model("bayes", "synthetic:8:2"), make_meta("synthetic:8:2", "bayes", "none", 1.0, 0))
    common = ["--checkpoint", str(ck), "--mechanism", "gaussian-lattice", "--sigma", "0.5", "--n", "50",
              "--batch", "50", "--max", "2", "--no-compile", "--device", "cpu"]
    assert main(["certify", *common, "--n0", "10", "--out", str(tmp_path / "c.tsv")]) == 2
    assert main(["predict", *common, "--out", str(tmp_path / "p.tsv")]) == 2
    err = capsys.readouterr().err
    assert err.count("1/255 lattice") == 2
    with pytest.raises(SystemExit):
        main(["certify", "--help"])
    assert "gaussian-lattice" in capsys.readouterr().out
