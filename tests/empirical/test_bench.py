"""The benchmark runs and reports what the issue asks (no timing is asserted: this machine is noisy)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from empirical.bench import _naive_counts, format_bench, run_bench
from empirical.core import Smooth
from tests.empirical.test_core import _ByPosition


def test_bench_small_cpu():
    torch.set_num_threads(1)
    res = run_bench("cnn", "digits", device="cpu", batch=64, n=256, n0=16, reps=2, compile=False, progress=False,
                    reference_process=False)
    for m in ("a_forward", "b_certify", "c_naive", "sampler_r14_inplace", "sampler_randn"):
        v = res["samples_per_s"][m]
        assert len(v["all"]) == 2 and v["min"] <= v["median"] <= v["max"] and v["median"] > 0
    for r in ("b_over_a", "b_over_c", "sampler_r14_over_randn"):
        assert math.isfinite(res["ratios"][r]) and res["ratios"][r] > 0
    assert res["forward"].startswith("eager")
    text = format_bench(res)
    assert "ratio b_over_c" in text and "target >= 2.0" in text


@pytest.mark.parametrize("mechanism", ["gaussian", "exponential-linf"])
def test_naive_reference_counts_like_the_engine(mechanism):
    """The naive loop (Python counting on the host) and the engine (index_add_ on the device) agree exactly."""
    k = 3
    naive = _naive_counts(_ByPosition(k), torch.zeros(1, 1, 2, 2), 1001, 64, 0.5, k, mechanism)
    engine = Smooth(_ByPosition(k), k, mechanism, 0.5, "cpu").sample_counts(torch.zeros(1, 2, 2), 1001, 64)
    assert naive.tolist() == engine.tolist()


class _Recorder(nn.Module):
    """Records the noisy inputs it sees (x = 0, so they are the noise) and predicts class 0."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        self.seen.append(x.detach().clone())
        return torch.zeros(x.shape[0], 2)


@pytest.mark.parametrize("mechanism", ["gaussian", "exponential-linf"])
def test_naive_loop_draws_the_chosen_mechanism(mechanism):
    """The naive mode's noise is the chosen mechanism's: for eq. 6, ||z||_inf ~ Gamma(d, scale sigma) (T15:
    mean d sigma, sd sqrt(d) sigma; 6-sigma bound), which the Gaussian's ||z||_inf is far from."""
    torch.manual_seed(0)
    d, sigma, m = 4, 0.5, 4000
    rec = _Recorder()
    counts = _naive_counts(rec, torch.zeros(1, 1, 2, 2), m, 512, sigma, 2, mechanism)
    assert counts.tolist() == [m, 0]
    z = torch.cat(rec.seen).reshape(m, d).double()
    assert z.shape == (m, d) and all(b.shape[0] <= 512 for b in rec.seen)
    linf = z.abs().amax(1)
    mean_exp, se_exp = d * sigma, math.sqrt(d) * sigma / math.sqrt(m)
    if mechanism == "exponential-linf":
        assert abs(float(linf.mean()) - mean_exp) < 6 * se_exp
        # given R, z is uniform on the cube: the coordinates are symmetric with equal spread
        assert abs(float(z.mean())) < 6 * float(z.std()) / math.sqrt(z.numel())
    else:
        assert abs(float(z.std()) - sigma) < 0.02
        assert float(linf.mean()) < mean_exp - 20 * se_exp
    with pytest.raises(ValueError, match="mechanism"):
        _naive_counts(rec, torch.zeros(1, 1, 2, 2), 1, 1, sigma, 2, "laplace")


def test_bench_naive_mode_uses_the_mechanism(monkeypatch):
    """run_bench passes --mechanism to the naive mode (c) as well."""
    import empirical.bench as B

    seen = []
    real = B._naive_noise
    monkeypatch.setattr(B, "_naive_noise", lambda b, sigma, mechanism="gaussian": (seen.append(mechanism),
                                                                                   real(b, sigma, mechanism))[1])
    torch.set_num_threads(1)
    run_bench("cnn", "digits", device="cpu", batch=64, n=128, n0=16, reps=1, compile=False, progress=False,
              mechanism="exponential-linf")
    assert seen and set(seen) == {"exponential-linf"}


# --- the reference loop (Cohen et al.'s CERTIFY as they describe it; issue 13) -----------------------------
class _Constant(nn.Module):
    def __init__(self, k, c):
        super().__init__()
        self.k, self.c = k, c

    def forward(self, x):
        return nn.functional.one_hot(torch.full((x.shape[0],), self.c), self.k).float()


def test_cohen_reference_certify_matches_closed_form():
    """A model that always says class 2: nA = n, so p_lower = alpha^(1/n) (the Clopper-Pearson bound at
    nA = n, closed form) and radius = sigma * Phi^-1(alpha^(1/n)), computed here with mpmath."""
    import mpmath

    from empirical.bench import cohen_reference_certify

    sigma, n0, n, alpha = 0.5, 30, 500, 0.001
    pred, radius, c0, c = cohen_reference_certify(_Constant(4, 2), torch.zeros(1, 3, 3), sigma, n0, n, alpha, 64, 4)
    assert c0.tolist() == [0, 0, n0, 0] and c.tolist() == [0, 0, n, 0] and pred == 2
    p = mpmath.power(mpmath.mpf(alpha), mpmath.mpf(1) / n)
    expected = float(sigma * mpmath.sqrt(2) * mpmath.erfinv(2 * p - 1))
    assert radius == pytest.approx(expected, rel=1e-9)


def test_cohen_reference_counts_like_the_engine_and_abstains():
    """Counting by row position (known counts): the reference's host bincount equals the engine's device
    counts; with three equally frequent classes it abstains."""
    from empirical.bench import cohen_reference_certify

    k = 3
    pred, radius, _, c = cohen_reference_certify(_ByPosition(k), torch.zeros(1, 2, 2), 0.5, 100, 1001, 0.001, 64, k)
    engine = Smooth(_ByPosition(k), k, "gaussian", 0.5, "cpu").sample_counts(torch.zeros(1, 2, 2), 1001, 64)
    assert c.tolist() == engine.tolist()
    assert (pred, radius) == (-1, 0.0)


def test_bench_reports_the_ratio_against_the_reference():
    torch.set_num_threads(1)
    res = run_bench("cnn", "digits", device="cpu", batch=64, n=256, n0=16, reps=2, compile=False, progress=False,
                    engine_batch=128, samplers=False)
    assert res["samples_per_s"]["r_cohen"]["median"] > 0 and res["engine_batch"] == 128 and res["batch"] == 64
    b, r = res["samples_per_s"]["b_certify"]["all"], res["samples_per_s"]["r_cohen"]["all"]
    assert res["vs_cohen_reference_per_rep"] == pytest.approx([x / y for x, y in zip(b, r, strict=False)])
    assert res["ratios"]["vs_cohen_reference"] == pytest.approx(
        sum(x / y for x, y in zip(b, r, strict=False)) / 2)  # 2 reps
    assert res["ratios"]["vs_cohen_reference_of_medians"] == pytest.approx(
        res["samples_per_s"]["b_certify"]["median"] / res["samples_per_s"]["r_cohen"]["median"])
    assert "sampler_r14_over_randn" not in res["ratios"]
    assert "Cohen et al.'s CERTIFY loop" in format_bench(res)
    # the same loop in a process of its own, paired the same way
    o = res["samples_per_s"]["r_cohen_own_process"]["all"]
    assert res["vs_cohen_reference_own_process_per_rep"] == pytest.approx([x / y for x, y in zip(b, o, strict=True)])
    assert "process of its own" in format_bench(res)
    none = run_bench("cnn", "digits", device="cpu", batch=64, n=128, n0=16, reps=1, compile=False, progress=False,
                     reference="none", samplers=False)
    assert "r_cohen" not in none["samples_per_s"] and "vs_cohen_reference" not in none["ratios"]
    with pytest.raises(ValueError, match="reference"):
        run_bench("cnn", "digits", device="cpu", n=64, reps=1, compile=False, progress=False, reference="mine")


# --- gpu-report: dry run on the CPU, time budget, help (issues 13 and 15) ------------------------------------
def _gpu_report(argv):
    from empirical.cli import main

    return main(["gpu-report"] + argv)


@pytest.mark.slow  # 5-20 s on 2 cores: keeps the default suite near its budget
def test_gpu_report_dry_run_on_the_cpu(tmp_path):
    """The device script end to end at tiny sizes on random CIFAR-shaped data (no data folder needed): the
    report says it is a dry run and holds the bench against the reference, the training and certification."""
    torch.set_num_threads(1)
    assert _gpu_report(["--dry-run", "--device", "cpu", "--out-dir", str(tmp_path)]) == 0
    md = (tmp_path / "gpu.md").read_text()
    for s in ("DRY RUN", "vs_cohen_reference", "Short noise training", "recipe `fast`", "Certification"):
        assert s in md, s
    import json as _json

    js = _json.loads((tmp_path / "gpu.json").read_text())
    assert js["scale"] == "dry" and js["certify"][0]["count"] == 2 and not js["skipped"]
    # fp32 and bf16 reported separately, with the prediction agreement of the two
    assert [c["label"] for c in js["certify"]] == ["fp32", "bf16 autocast"]
    a = js["agreement"]["bf16 autocast"]
    assert a["count"] == 2 and 0 <= a["same_prediction"] <= 2 and "bf16 autocast vs fp32" in md
    # the paired JPEG-gap measurement on the fake pairs, with its own report
    j = js["jpeg_gap"]
    assert j["pairs"] == 4 and [g["radius"] for g in j["gaps"]] == [0.0, 0.25, 0.5, 0.75, 1.0]  # dry: 4 pairs
    assert "JPEG-75 vs lossless (paired)" in md and (tmp_path / "gpu_jpeg_gap.md").is_file()
    # issue 21: the sequential comparison on the same images and seeds (budget = the fixed run's n)
    q = js["sequential"]
    assert q["count"] == 2 and q["budget"] == js["certify"][0]["n"] and "Sequential CERTIFY (issue 21)" in md
    for mode in ("target", "radius"):
        assert 0 < q[mode]["mean_forward_passes"] <= q["fixed_forward_passes"]
    # issue 23: the floating-point audit of the float path (UNSOUND) and of the lattice path (no contradiction)
    assert [(r["noise"], r["verdict"]) for r in js["audit_fp"]["runs"]] == [
        ("gaussian", "UNSOUND"), ("gaussian-lattice", "no contradiction found")]
    assert "Floating-point audit" in md


def test_gpu_report_time_budget_still_writes_a_report(tmp_path):
    """A budget already spent: no bench, training capped after one epoch, no certification -- and a report
    that lists what was skipped."""
    torch.set_num_threads(1)
    assert _gpu_report(["--dry-run", "--device", "cpu", "--out-dir", str(tmp_path), "--time-budget", "1e-6",
                        "--epochs", "3"]) == 0
    md = (tmp_path / "gpu.md").read_text()
    assert "Time budget reached" in md and "bench of cnn not started" in md and "certification (fp32)" in md
    assert "JPEG gap (lossless vs JPEG-75 pairs) not started" in md
    import json as _json

    js = _json.loads((tmp_path / "gpu.json").read_text())
    assert js["benches"] == [] and js["train"]["epochs"] == 1 and js["train"]["stopped_early"]


@pytest.mark.slow
def test_gpu_report_all_dry_run_writes_the_experiment_too(tmp_path):
    torch.set_num_threads(1)
    assert _gpu_report(["--all", "--dry-run", "--device", "cpu", "--out-dir", str(tmp_path)]) == 0
    assert (tmp_path / "cifar10_dry.md").is_file()
    assert "CIFAR-10 experiment (--all)" in (tmp_path / "gpu.md").read_text()


def test_gpu_report_help_has_no_issue_numbers_and_every_option_explained():
    import argparse

    from empirical.commands import gpu_report

    p = argparse.ArgumentParser(description=gpu_report.__doc__)
    gpu_report.add_arguments(p)
    assert "issue" not in p.format_help().lower() and "issue" not in gpu_report.HELP.lower()
    missing = [a.option_strings for a in p._actions if a.option_strings and a.help in (None, "")]
    assert missing == []


def test_reference_process_runs_the_loop_on_the_same_weights():
    """The spawned reference gets the model's weights: a net whose last layer says 'class 3' whatever the input
    counts every draw for class 3 there (random weights would spread the draws over the classes)."""
    from empirical.bench import ReferenceProcess
    from empirical.data import dataset_info
    from empirical.models import build_model

    info = dataset_info("digits")
    model = build_model("cnn", info).eval()
    last = [m for m in model.modules() if isinstance(m, nn.Linear)][-1]
    with torch.no_grad():
        last.weight.zero_()
        last.bias.zero_()
        last.bias[3] = 5.0
    proc = ReferenceProcess("cnn", info, model, torch.rand(info.shape), 0.25, 8, 40, 16, info.num_classes, "cpu")
    try:
        assert proc() == 48
        pred, counts = proc.last
        assert pred == 3 and counts[3] == 40 and sum(counts) == 40
    finally:
        proc.close()
    assert not proc.proc.is_alive()


def test_bench_out_writes_the_figures_with_their_command(tmp_path, capsys):
    import json as _json

    from empirical.cli import main

    out = tmp_path / "b" / "bench.json"
    assert main(["bench", "--dataset", "digits", "--n", "64", "--n0", "8", "--reps", "1", "--batch", "32",
                 "--no-compile", "--no-samplers", "--no-reference-process", "--device", "cpu", "--out", str(out)]) == 0
    js = _json.loads(out.read_text())
    assert js["command"].startswith("python -m empirical") and js["n"] == 64 and "vs_cohen_reference" in js["ratios"]
    assert "r_cohen_own_process" not in js["samples_per_s"]
    assert "ratio vs_cohen_reference" in capsys.readouterr().out
    assert main(["bench", "--dataset", "digits", "--device", "cpu", "--out", str(tmp_path)]) == 2  # a directory
    assert "out" in capsys.readouterr().err


def test_device_check_api_compute_result_report(tmp_path):
    """The same job from Python: compute -> DeviceCheckResult -> write_device_check_report; the JSON reads back
    into the same result (same Markdown)."""
    from empirical.device_check import (
        DeviceCheckResult,
        DeviceCheckSettings,
        compute_device_check,
        write_device_check_report,
    )

    torch.set_num_threads(1)
    res = compute_device_check(DeviceCheckSettings(dry_run=True, device="cpu", out_dir=str(tmp_path), name="api",
                                                   bench_archs="cnn", arch="mlp"))  # mlp: no ResNet to compile
    assert isinstance(res, DeviceCheckResult) and res.dry_run and res.scale == "dry" and res.name == "api"
    assert res.command == "python -m empirical gpu-report" and res.certify[0]["label"] == "fp32"
    assert not (tmp_path / "api.md").exists()  # compute writes no Markdown
    md = write_device_check_report(res, tmp_path)
    back = DeviceCheckResult.from_json(tmp_path / "api.json")
    assert back.markdown() == res.markdown() == md.read_text()
    assert back.benches[0]["ratios"] == res.benches[0]["ratios"]


def test_bench_sample_counts_per_mode_match_the_rows_the_models_forward(monkeypatch):
    """Issue 20: a mode's samples/s is (samples it says it processed) / time.  With a clock that advances by exactly
    1 s per reading, samples/s is that count; it must equal the number of noisy inputs the models actually
    forwarded while the mode ran, counted independently by forward hooks on every model the bench builds."""
    import empirical.bench as B

    rows = [0]

    def counting_build_model(*a, **k):
        m = build_model(*a, **k)
        m.register_forward_hook(lambda mod, inp, out: rows.__setitem__(0, rows[0] + int(inp[0].shape[0])))
        return m

    readings = []

    class _Clock:
        def perf_counter(self):
            readings.append(rows[0])
            return float(len(readings))

    build_model = B.build_model
    monkeypatch.setattr(B, "build_model", counting_build_model)
    monkeypatch.setattr(B, "time", _Clock())
    torch.set_num_threads(1)
    res = run_bench("cnn", "digits", device="cpu", batch=64, n=200, n0=16, reps=2, compile=False, progress=False,
                    reference="cohen", reference_process=False, samplers=False)
    modes = list(res["samples_per_s"])
    assert modes == ["a_forward", "b_certify", "c_naive", "r_cohen"]
    # after the warm-up's two readings, each timed call reads the clock twice: (start, end) per mode and repetition
    timed = readings[2:]
    assert len(timed) == 2 * len(modes) * 2
    forwarded = {m: [] for m in modes}
    for i in range(0, len(timed), 2):
        forwarded[modes[(i // 2) % len(modes)]].append(timed[i + 1] - timed[i])
    assert forwarded["a_forward"] == [200, 200]                 # n noisy inputs
    assert forwarded["b_certify"] == forwarded["c_naive"] == forwarded["r_cohen"] == [216, 216]   # n0 + n
    for m in modes:
        assert res["samples_per_s"][m]["all"] == pytest.approx(forwarded[m], rel=1e-12), m


def test_certify_batch_sweep_and_default_batch():
    """issue 21: the batch sweep reports every size, ratios to the fastest (which is 1), and the default batch of
    the device is one of the measured choices."""
    from empirical.bench import certify_batch_sweep
    from empirical.core import DEFAULT_CERTIFY_BATCH, default_certify_batch
    from empirical.data import dataset_info
    from empirical.models import build_model

    info = dataset_info("synthetic:16:3")
    res = certify_batch_sweep(build_model("mlp", info), info.shape, info.num_classes, "cpu", sizes=(4, 8), n=16,
                              reps=2, compile=False)
    assert set(res["samples_per_s"]) == {"4", "8"} and res["fastest"] in (4, 8)
    assert max(res["ratio_to_best"].values()) == 1.0 and all(len(v) == 2 for v in res["all"].values())
    assert default_certify_batch("cpu") == DEFAULT_CERTIFY_BATCH["cpu"]
