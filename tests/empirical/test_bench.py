"""The benchmark runs and reports what the issue asks (no timing is asserted: this machine is noisy)."""

from __future__ import annotations

import math

import torch

from empirical.bench import _naive_counts, format_bench, run_bench
from empirical.core import Smooth
from tests.empirical.test_core import _ByPosition


def test_bench_small_cpu():
    torch.set_num_threads(1)
    res = run_bench("cnn", "digits", device="cpu", batch=64, n=256, n0=16, reps=2, compile=False, progress=False)
    for m in ("a_forward", "b_certify", "c_naive", "sampler_r14_inplace", "sampler_randn"):
        v = res["samples_per_s"][m]
        assert len(v["all"]) == 2 and v["min"] <= v["median"] <= v["max"] and v["median"] > 0
    for r in ("b_over_a", "b_over_c", "sampler_r14_over_randn"):
        assert math.isfinite(res["ratios"][r]) and res["ratios"][r] > 0
    assert res["forward"].startswith("eager")
    text = format_bench(res)
    assert "ratio b_over_c" in text and "target >= 2.0" in text


def test_naive_reference_counts_like_the_engine():
    """The naive loop (Python counting on the host) and the engine (index_add_ on the device) agree exactly."""
    k = 3
    naive = _naive_counts(_ByPosition(k), torch.zeros(1, 1, 2, 2), 1001, 64, 0.5, k)
    engine = Smooth(_ByPosition(k), k, "gaussian", 0.5, "cpu").sample_counts(torch.zeros(1, 2, 2), 1001, 64)
    assert naive.tolist() == engine.tolist()
