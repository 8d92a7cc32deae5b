"""Guards for the empirical half (issue 13): PREDICT's runner-up count and α, per-example seeding."""

import math

import pytest
import torch
from torch import nn

from empirical.certify import certify_dataset
from empirical.core import ABSTAIN, Smooth


class _Pattern(nn.Module):
    """Predicts pattern[(row index within the batch) mod len(pattern)]: exact, known counts."""

    def __init__(self, pattern, k):
        super().__init__()
        self.pattern = torch.tensor(pattern)
        self.k = k

    def forward(self, x):
        b = x.shape[0]
        return nn.functional.one_hot(self.pattern[torch.arange(b) % len(self.pattern)], self.k).float()


def _p_two_sided(k, n):
    m = max(k, n - k)
    return min(1.0, 2 * sum(math.comb(n, j) for j in range(m, n + 1)) / 2 ** n)


def test_predict_three_classes_uses_runner_up_count():
    # counts 50 / 30 / 20 of n = 100: Cohen's PREDICT tests nA = 50 against nB = 30 (the runner-up), not
    # n − nA = 50. Exact two-sided binomial p-value of (50, 80) by enumeration: ≈ 0.033, in (α/2, α] for
    # α = 0.05, so PREDICT returns class 0 (and would abstain with nB = n − nA, or with threshold α/2).
    s = Smooth(_Pattern([0] * 5 + [1] * 3 + [2] * 2, 3), 3, "gaussian", 0.5, "cpu")
    r = s.predict(torch.zeros(1, 2, 2), 100, 0.05, 10)
    ref = _p_two_sided(50, 80)
    assert 0.025 < ref <= 0.05
    assert (r.nA, r.cB, r.nB) == (50, 1, 30)
    assert r.p_value == pytest.approx(ref, rel=1e-9)
    assert r.prediction == 0
    # a stricter α abstains
    assert s.predict(torch.zeros(1, 2, 2), 100, 0.02, 10).prediction == ABSTAIN


class _NoiseSign(nn.Module):
    """Class 1 iff the first pixel of the noisy input exceeds 0.5 (inputs are constant 0.5): a coin flip that
    depends only on the noise."""

    def forward(self, x):
        v = (x.reshape(x.shape[0], -1)[:, 0] > 0.5).long()
        return nn.functional.one_hot(v, 2).float()


def test_two_indices_get_different_noise(tmp_path):
    x = torch.full((1, 2, 2), 0.5)
    split = [(x, 0), (x.clone(), 0), (x.clone(), 0)]
    rows = certify_dataset(_NoiseSign(), split, "gaussian", 0.5, 50, 400, 0.001, 64, [0, 1, 2], tmp_path / "r.tsv",
                           seed=3, timing=False, progress=False, device="cpu", num_classes=2)
    outcomes = [(r["n0A"], r["nA"], r["cA"]) for r in rows]
    # identical inputs: equal outcomes at two indices would mean equal noise (chance: < 1e-3 per pair)
    assert len(set(outcomes)) == 3, outcomes
    # and the rows are reproducible for the same (seed, idx), whatever the order
    again = certify_dataset(_NoiseSign(), split, "gaussian", 0.5, 50, 400, 0.001, 64, [2, 0], tmp_path / "s.tsv",
                            seed=3, timing=False, progress=False, device="cpu", num_classes=2)
    assert {r["idx"]: (r["n0A"], r["nA"], r["cA"]) for r in again} == {0: outcomes[0], 2: outcomes[2]}
