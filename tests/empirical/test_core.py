"""empirical.core.Smooth (Cohen et al. 2019's CERTIFY / PREDICT): exact counting on the device, the
statistics delegated to theory.certificates, and soundness against a classifier whose pA is known in
closed form (the synthetic data set's linear Bayes classifier under Gaussian noise:
pA = Phi(|m| / (sigma ||w_0 - w_1||)), m = (w_0 - w_1) . x + b_0 - b_1)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

from empirical.core import ABSTAIN, FastForward, Smooth, resolve_device
from empirical.data import load_dataset, synthetic_weights
from empirical.models import build_model
from empirical.noise import make_generator
from theory import certificates as C


class _ByPosition(nn.Module):
    """Predicts class (row index within the batch) mod K: counts are a known function of n and batch."""

    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        b = x.shape[0]
        return nn.functional.one_hot(torch.arange(b) % self.k, self.k).float()


@pytest.mark.parametrize("n,batch", [(1, 1), (10, 3), (1000, 7), (999, 1000), (2500, 400)])
def test_counting_is_exact(n, batch):
    k = 4
    s = Smooth(_ByPosition(k), k, "gaussian", 0.5, "cpu")
    counts = s.sample_counts(torch.zeros(1, 2, 2), n, batch).numpy()
    expect = np.zeros(k, dtype=int)
    rem = n
    while rem > 0:
        b = min(batch, rem)
        expect += np.bincount(np.arange(b) % k, minlength=k)
        rem -= b
    assert counts.dtype == np.int64 and counts.tolist() == expect.tolist()


def test_certify_decisions_come_from_theory():
    torch.manual_seed(0)
    split = load_dataset("synthetic:16:2", "test")
    model = build_model("bayes", split.info)
    s = Smooth(model, 2, "gaussian", 0.5, "cpu")
    for i in range(5):
        x, _ = split[i]
        r = s.certify(x, 50, 500, 0.01, 128, make_generator("cpu", i))
        assert r.n0 == 50 and r.n == 500 and r.counts0.sum() == 50 and r.counts.sum() == 500
        assert r.cA == int(np.argmax(r.counts0)) and r.nA == r.counts[r.cA] and r.n0A == r.counts0[r.cA]
        ref = C.certify_from_counts(r.nA, 500, 0.01, 0.5, "cohen")
        assert r.pA_lower == ref.pA_lower
        assert (r.prediction == ABSTAIN) == ref.abstain
        assert r.radius == (0.0 if ref.abstain else ref.radius)
        expected = ({k: 0.0 for k in r.radii} if ref.abstain else
                    C.certified_radii("gaussian", ref.pA_lower, 0.5, 16, one_minus_pA_lower=ref.one_minus_pA_lower))
        assert r.radii == expected
        # the `radius` column and radius_cohen come from the same exact tail 1 - pA_lower
        assert r.radii["radius_cohen"] == r.radius


def test_certify_sound_on_known_pA():
    """nA ~ Binomial(n, pA) with the closed-form pA (two-sided binomial test, p > 1e-6 each), and the
    lower bound never exceeds the true pA at alpha = 1e-6 (a failure would have probability <= 20e-6)."""
    d, sigma, n = 16, 0.5, 4000
    split = load_dataset(f"synthetic:{d}:2", "test")
    w, b = synthetic_weights(split.info)
    dw, db = w[0] - w[1], b[0] - b[1]
    s = Smooth(build_model("bayes", split.info), 2, "gaussian", sigma, "cpu")
    for i in range(20):
        x, y = split[i]
        m = float(dw @ x.double().numpy().ravel() + db)
        pA = stats.norm.cdf(abs(m) / (sigma * np.linalg.norm(dw)))
        r = s.certify(x, 100, n, 1e-6, 1000, make_generator("cpu", 100 + i))
        top = 0 if m > 0 else 1
        assert r.cA == top or pA < 0.6  # selection finds the top class when it is clear
        if r.cA == top:
            assert stats.binomtest(r.nA, n, pA).pvalue > 1e-6
            assert r.pA_lower <= pA


def test_exponential_mechanism_runs_and_counts():
    split = load_dataset("synthetic:8:2", "test")
    s = Smooth(build_model("bayes", split.info), 2, "exponential-linf", 0.05, "cpu")
    x, _ = split[0]
    r = s.certify(x, 20, 300, 0.001, 64, make_generator("cpu", 1))
    assert set(r.radii) == set(C.RADIUS_COLUMNS["exponential-linf"])
    assert r.counts.sum() == 300


class _Const(nn.Module):
    def __init__(self, k, c):
        super().__init__()
        self.k, self.c = k, c

    def forward(self, x):
        return nn.functional.one_hot(torch.full((x.shape[0],), self.c), self.k).float()


def test_predict():
    s = Smooth(_Const(5, 3), 5, "gaussian", 1.0, "cpu")
    r = s.predict(torch.zeros(1, 3, 3), 100, 0.001, 32)
    assert (r.prediction, r.cA, r.nA, r.nB, r.n) == (3, 3, 100, 0, 100)
    assert r.p_value == C.predict_from_counts(100, 0, 0.001).p_value
    # a 50/50 classifier: the binomial test does not reject, PREDICT abstains
    half = Smooth(_ByPosition(2), 2, "gaussian", 1.0, "cpu")
    r = half.predict(torch.zeros(1, 1, 1), 100, 0.001, 10)
    assert r.prediction == ABSTAIN and r.nA == r.nB == 50


@pytest.mark.parametrize("kw,match", [(dict(n0=0), "n0"), (dict(n=0), "n"), (dict(alpha=0.0), "alpha"),
                                      (dict(alpha=1.0), "alpha"), (dict(batch=0), "batch")])
def test_certify_bad_arguments(kw, match):
    s = Smooth(_Const(3, 0), 3, "gaussian", 1.0, "cpu")
    args = dict(n0=10, n=10, alpha=0.01, batch=5)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        s.certify(torch.zeros(1, 1, 1), args["n0"], args["n"], args["alpha"], args["batch"])


@pytest.mark.parametrize("kw,match", [(dict(sigma=0.0), "sigma"), (dict(sigma=-1), "sigma"),
                                      (dict(mechanism="uniform"), "mechanism"), (dict(num_classes=1), "num_classes")])
def test_smooth_bad_arguments(kw, match):
    args = dict(num_classes=3, mechanism="gaussian", sigma=1.0)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        Smooth(_Const(3, 0), args["num_classes"], args["mechanism"], args["sigma"], "cpu")


def test_device_resolution():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="device"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="cuda"):
            resolve_device("cuda")


def test_fast_forward_falls_back_to_eager(monkeypatch):
    """When compilation fails, the forward pass still runs (eager) and says so."""
    m = build_model("cnn", "digits").eval()

    def broken(*a, **k):
        def f(x):
            raise RuntimeError("no C++ compiler")
        return f

    monkeypatch.setattr(torch, "compile", broken)
    ff = FastForward(m, "cpu", compile=True, verbose=False)
    x = torch.rand(4, 1, 8, 8)
    with torch.inference_mode():
        out = ff(x)
        ref = m(x)
    assert torch.allclose(out, ref, atol=1e-5)
    assert ff.description.startswith("eager (torch.compile failed: RuntimeError: no C++ compiler")


class _Recorder(nn.Module):
    """Class 0 always; keeps every noisy input it sees."""

    def __init__(self, k):
        super().__init__()
        self.k, self.seen = k, []

    def forward(self, x):
        self.seen.append(x.detach().clone())
        return nn.functional.one_hot(torch.zeros(x.shape[0], dtype=torch.int64), self.k).float()


@pytest.mark.parametrize("mechanism", ["gaussian", "exponential-linf"])
def test_certify_selection_and_estimation_use_separate_fresh_draws(mechanism):
    """CERTIFY draws n0 selection samples, then n NEW estimation samples (none reused), each x + z in pixel
    space (z not rescaled by the model's normalisation, which comes later)."""
    rec = _Recorder(3)
    s = Smooth(rec, 3, mechanism, 0.3, "cpu")
    x = torch.rand(1, 3, 3, generator=torch.Generator().manual_seed(1))
    r = s.certify(x, 5, 7, 0.01, 4, make_generator("cpu", 2))
    assert (r.n0A, r.nA) == (5, 7)
    allx = torch.cat(rec.seen)
    assert [t.shape[0] for t in rec.seen] == [4, 1, 4, 3] and allx.shape == (12, 1, 3, 3)
    sel, est = allx[:5].flatten(1), allx[5:].flatten(1)
    assert torch.cdist(sel, est).min() > 1e-3 and torch.pdist(allx.flatten(1)).min() > 1e-3
    z = (allx - x).flatten(1)
    assert float(z.abs().mean()) > 0.05  # noise was added to x


@pytest.mark.parametrize("mechanism", ["gaussian", "exponential-linf"])
def test_fused_paths_count_exactly_and_match_the_plain_loop(mechanism):
    """The fused-noise loop (FusedNoise, the CUDA default) and the add-fused-into-forward loop
    (FastForward.predict_noisy) count exactly like the plain loop (a model that ignores its input)."""
    from empirical.core import FastForward

    k, n, batch = 3, 1001, 64
    x = torch.zeros(1, 2, 2)
    plain = Smooth(_ByPosition(k), k, mechanism, 0.5, "cpu", fused_noise=False).sample_counts(x, n, batch)
    fused = Smooth(_ByPosition(k), k, mechanism, 0.5, "cpu", fused_noise=True).sample_counts(x, n, batch)
    ff = FastForward(_ByPosition(k), "cpu", compile=False, channels_last=False)
    viaff = Smooth(_ByPosition(k), k, mechanism, 0.5, "cpu", forward=ff).sample_counts(x, n, batch)
    assert plain.tolist() == fused.tolist() == viaff.tolist() and int(plain.sum()) == n


@pytest.mark.parametrize("mechanism", ["gaussian", "exponential-linf"])
def test_predict_noisy_sees_the_same_noisy_batch(mechanism):
    """predict_noisy(x, *draw_parts) feeds the model exactly x + z of add_noise (same generator state)."""
    from empirical.core import FastForward
    from empirical.noise import NoiseSampler, make_generator

    seen = []

    class Rec(nn.Module):
        def forward(self, inp):
            seen.append(inp.clone())
            return inp.flatten(1)[:, :2]

    x = torch.rand(1, 2, 2)
    s = NoiseSampler(mechanism, 0.3, x.shape)
    ff = FastForward(Rec(), "cpu", compile=False, channels_last=False)
    ff.predict_noisy(x, *s.draw_parts(7, make_generator("cpu", 9)))
    ref = s.add_noise(x, 7, make_generator("cpu", 9))
    assert torch.allclose(seen[0], ref, rtol=0, atol=1e-6)
