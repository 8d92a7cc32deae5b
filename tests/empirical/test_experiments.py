"""The experiment driver (empirical.experiments, `python -m empirical experiment NAME`) at tiny scale.

Independent references: numpy block means for the area resampling, a Monte Carlo estimate of
E||z||_inf with the engine's samplers (6-sigma bound) for the matched noise magnitude, and numpy counts
on the TSVs for the certified accuracies.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from empirical import experiments as X
from empirical.cli import main as cli_main

TINY = {"epochs": 1, "points": 4, "n0": 10, "n": 60, "batch": 70}


def test_test_indices_are_evenly_spaced_and_balance_a_class_major_set():
    idx = X.point_indices(10_000, 100)
    assert len(idx) == 100 and idx[0] == 0 and np.all(np.diff(idx) == 100)
    labels = np.repeat(np.arange(10), 1000)  # class-major, like the JPEG CIFAR-10 copy
    assert np.all(np.bincount(labels[idx], minlength=10) == 10)
    assert X.point_indices(5, 100) == list(range(5))
    with pytest.raises(ValueError, match="points"):
        X.point_indices(10, 0)


def test_area_resampling_is_the_block_mean():
    from empirical.data import Split, dataset_info

    g = torch.Generator().manual_seed(0)
    x = torch.rand(3, 3, 32, 32, generator=g)
    sp = Split(dataset_info("cifar10"), "test", x, torch.tensor([0, 1, 2]), "t")
    r = X.resample_split(sp, 8)
    ref = x.numpy().reshape(3, 3, 8, 4, 8, 4).mean(axis=(3, 5))
    assert r.x.shape == (3, 3, 8, 8) and r.info.shape == (3, 8, 8) and r.info.dim == 192
    assert np.allclose(r.x.numpy(), ref, atol=1e-6)
    assert X.resample_split(sp, 32).x is x


def test_matched_exponential_sigma_matches_monte_carlo_linf_norm():
    """E||z||_inf of eq.-6 noise at the matched sigma equals the Gaussian's (engine samplers, 6 sigma)."""
    from empirical.noise import make_generator, sample_noise

    d, sg, m = 64, 0.5, 20_000
    se = X.matched_exponential_sigma(sg, d)
    g = make_generator("cpu", 1)
    zg = sample_noise("gaussian", sg, m, (d,), generator=g).abs().amax(1).double().numpy()
    ze = sample_noise("exponential-linf", se, m, (d,), generator=g).abs().amax(1).double().numpy()
    diff = ze.mean() - zg.mean()
    se_diff = np.sqrt(ze.var() / m + zg.var() / m)
    assert abs(diff) < 6 * se_diff
    with pytest.raises(ValueError, match="d"):
        X.matched_exponential_sigma(0.5, 0)


def test_report_name_per_device_and_scale():
    assert X.report_name("cifar10", "cpu", "cpu") == "cifar10"
    assert X.report_name("cifar10", "cuda", "gpu") == "cifar10_cuda"
    assert X.report_name("cifar10", "cuda", "paper") == "cifar10_cuda_paper"
    assert X.report_name("sweep", "cpu", "gpu") == "sweep_gpu"


def test_digits_experiment_smoke(tmp_path):
    out, work = tmp_path / "out", tmp_path / "work"
    X.run_experiment("digits", out=out, device="cpu", work=work, command="test-command", progress=False,
                         overrides=dict(TINY, arch="mlp"))
    md = (out / "digits.md").read_text()
    for section in ("Paper Figure 1", "Paper Figure 2", "Paper Figure 3", "Closing note", "test-command",
                    "n0 = 10, n = 60", "4 test points", "--scale paper", "Which mechanism certifies more"):
        assert section in md
    for fig in ("digits_fig1_l2.png", "digits_fig2_l2.png", "digits_fig3_linf.png"):
        assert (out / fig).stat().st_size > 1000
    # the Figure 1 table varies the training sigma at mechanism sigma 0.5 (FIG1_MECH_SIGMA), ascending; the
    # Figure 2 table varies the mechanism sigma on the training-sigma-0.5 model (FIG2_TRAIN_SIGMA), ascending
    fig1_md = md.split("## Paper Figure 1")[1].split("## Paper Figure 2")[0]
    fig2_md = md.split("## Paper Figure 2")[1].split("## Paper Figure 3")[0]
    runs1 = [tuple(map(float, m)) for m in re.findall(r"^\| train Gaussian σ=([\d.]+), Gaussian σ=([\d.]+) \|",
                                                       fig1_md, flags=re.M)]
    runs2 = [tuple(map(float, m)) for m in re.findall(r"^\| train Gaussian σ=([\d.]+), Gaussian σ=([\d.]+) \|",
                                                       fig2_md, flags=re.M)]
    assert sorted(dict.fromkeys(runs1)) == list(dict.fromkeys(runs1)) == [(0.25, 0.5), (0.5, 0.5), (1.0, 0.5)]
    assert sorted(dict.fromkeys(runs2), key=lambda t: t[1]) == list(dict.fromkeys(runs2)) == [
        (0.5, 0.25), (0.5, 0.5), (0.5, 1.0)]
    js = json.loads((out / "digits.json").read_text())
    assert len(js["runs"]) == 9 and js["settings"]["n"] == 60
    # certified accuracy in the summary = a direct count on the TSV the engine wrote
    run = js["runs"]["digits_train0.5_gauss0.5"]
    from empirical.certify import read_tsv

    rows = read_tsv(run["tsv"])
    assert len(rows) == 4
    for r in (0.0, 0.25):
        direct = np.mean([(int(x["correct"]) == 1) and int(x["predict"]) != -1 and float(x["radius_c11_c1"]) >= r
                          for x in rows])
        assert run["certified_accuracy_l2"]["radius_c11_c1"][str(r)] == pytest.approx(direct)
    # four models (Gaussian 0.25, 0.5, 1.0 and the matched eq.-6 one) are cached for the next run
    assert len(list((work / "models").glob("*.pt"))) == 4
    # issue 12: compute (from the cache) writes no report; re-rendering from the result's JSON is byte-identical
    res = X.compute_experiment("digits", out=tmp_path / "none", device="cpu", work=work, command="test-command",
                               progress=False, overrides=dict(TINY, arch="mlp"))
    assert not (tmp_path / "none").exists() and res.kind == "dataset" and len(res.inputs["runs"]) == 9
    _assert_rerender_identical(res, tmp_path)
    assert sorted(p.name for p in (tmp_path / "render_a").glob("*.png")) == [
        "digits_fig1_l2.png", "digits_fig2_l2.png", "digits_fig3_linf.png"]


def _assert_rerender_identical(res, tmp_path):
    a, b = tmp_path / "render_a", tmp_path / "render_b"
    X.write_experiment_report(res, a, json_path=a / "result.json")
    back = X.ExperimentResult.from_json(a / "result.json")
    assert back.schema_version == X.EXPERIMENT_SCHEMA_VERSION and back == res
    X.write_experiment_report(back, b)
    names = sorted(p.name for p in a.iterdir() if p.name != "result.json")
    assert names == sorted(p.name for p in b.iterdir()) and f"{res.name}.md" in names
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
    bad = json.loads((a / "result.json").read_text())
    bad["schema_version"] = 0
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="schema_version"):
        X.ExperimentResult.from_json(tmp_path / "bad.json")


def test_sweep_smoke_on_a_small_fake_cifar(tmp_path, monkeypatch):
    from empirical.data import Split, dataset_info

    real = X.load_splits

    def fake(dataset, data_dir=None, size=None):
        if dataset != "cifar10":
            return real(dataset, data_dir, size)
        g = torch.Generator().manual_seed(0)
        info = dataset_info("cifar10")
        tr = Split(info, "train", torch.rand(64, 3, 32, 32, generator=g), torch.arange(64) % 10, "fake")
        te = Split(info, "test", torch.rand(20, 3, 32, 32, generator=g), torch.arange(20) % 10, "fake")
        return tr, te

    monkeypatch.setattr(X, "load_splits", fake)
    monkeypatch.setattr(X, "sweep_configs", lambda data_dir: [("digits", "digits", None),
                                                              ("cifar10@8x8", "cifar10", 8),
                                                              ("cifar10@16x16", "cifar10", 16)])
    s = X.run_experiment("sweep", out=tmp_path / "o", device="cpu", data_dir=tmp_path, work=tmp_path / "w",
                         command="sweep-test", progress=False, overrides=dict(TINY, points=3))
    md = (tmp_path / "o" / "sweep.md").read_text()
    assert "Median certified ℓ∞ radius" in md and "Fitted log-log slopes" in md
    assert [r["d"] for r in s["rows"]] == [64, 192, 768]
    # the theory slope of T18 at fixed sigma is -1/2 (r = sigma sqrt(2 eps / d)), of the tight l2->l_inf too
    assert s["fits"]["radius_t18_linf_c1"]["theory_exponent_pA_0.99"] == pytest.approx(-0.5, abs=1e-9)
    assert s["fits"]["radius_cohen_linf"]["theory_exponent_pA_0.99"] == pytest.approx(-0.5, abs=1e-9)


def test_cli_rejects_bad_input(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("RS_DATA_DIR", raising=False)
    with pytest.raises(SystemExit) as exc:  # argparse: unknown NAME is a usage error
        cli_main(["experiment", "nosuch"])
    assert exc.value.code == 2
    assert cli_main(["experiment", "digits", "--points", "0", "--out", str(tmp_path), "--no-progress"]) == 2
    assert cli_main(["experiment", "mnist", "--out", str(tmp_path), "--no-progress"]) == 2
    assert cli_main(["experiment", "replay", "--out", str(tmp_path)]) == 2
    assert cli_main(["experiment", "digits", "--alpha", "2", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "points" in err and "data_dir" in err and "alpha" in err


@pytest.mark.data
def test_replay_experiment_reads_the_cohen_layout(data_dir, tmp_path):
    import shutil

    src = data_dir / "cohen2019-certify" / "cifar10" / "noise_1.00_sigma_0.50.tsv"
    dst = tmp_path / "data" / "cohen2019-certify" / "cifar10"
    dst.mkdir(parents=True)
    shutil.copy(src, dst / src.name)
    s = X.run_experiment("replay", out=tmp_path / "o", data_dir=tmp_path / "data", command="replay-test",
                         progress=False)
    assert [e["file"] for e in s["logs"]] == [src.name]
    assert (tmp_path / "o" / "replay_cifar10.md").is_file()


def test_time_budget_skips_runs_but_still_writes_the_report(tmp_path):
    s = X.run_experiment("digits", out=tmp_path / "o", device="cpu", work=tmp_path / "w", command="budget",
                         progress=False, overrides=dict(TINY, arch="mlp"), time_budget=1e-9)
    assert len(s["skipped_runs"]) == 9 and s["runs"] == {}
    md = (tmp_path / "o" / "digits.md").read_text()
    assert "Time budget" in md and "digits_train0.5_gauss0.5" in md
    with pytest.raises(ValueError, match="time_budget"):
        X.run_experiment("digits", out=tmp_path / "o", time_budget=0)


def test_certification_cache_is_keyed_on_the_weights(tmp_path, capsys):
    """The TSV cache in --work: the same weights reuse the rows; other weights under the same model name (a
    retrained model) are recomputed, with a log line; malformed cached rows are an error, not overwritten."""
    from empirical.certify import read_tsv
    from empirical.data import load_dataset
    from empirical.models import build_model

    test = load_dataset("synthetic:16:2", "test")
    st = X.Settings("mlp", 1, 3, 10, 60, 0.001, 70)
    torch.manual_seed(0)
    a = build_model("mlp", test.info).eval()
    torch.manual_seed(1)
    b = build_model("mlp", test.info).eval()
    assert X.state_dict_sha256(a) != X.state_dict_sha256(b)
    b2 = build_model("mlp", test.info).eval()
    b2.load_state_dict(b.state_dict())
    assert X.state_dict_sha256(b2) == X.state_dict_sha256(b)
    args = ("same-name", {"noise": "gaussian", "sigma": 0.5}, test, "gaussian", 0.5, st, [0, 5, 9], "cpu", 0,
            tmp_path)

    def run(model):
        return X.certify_run("k", model, *args, progress=False)

    from empirical.certify import read_metadata

    tsv = tmp_path / "tsv" / "k.tsv"
    run(a)
    assert read_metadata(tsv)["model_sha256"] == X.state_dict_sha256(a)
    first = tsv.read_bytes()
    capsys.readouterr()
    run(a)  # same weights: the cached rows are kept (the time column would differ if recomputed)
    assert tsv.read_bytes() == first and "recomputing" not in capsys.readouterr().err
    run(b)  # same name, other weights: recomputed
    err = capsys.readouterr().err
    assert "recomputing" in err and "model_sha256" in err
    assert read_metadata(tsv)["model_sha256"] == X.state_dict_sha256(b)
    assert len(read_tsv(tsv)) == 3
    tsv.write_text(tsv.read_text() + "1\t2\n")  # a malformed row is not a parameter mismatch
    with pytest.raises(ValueError, match="fields"):
        run(b)


# --- Cohen et al.'s protocol (scale "cohen", issue 13) and a whole-run --time-budget (issue 15) ---------------
@pytest.mark.slow  # 5-20 s on 2 cores: keeps the default suite near its budget
def test_cohen_protocol_per_sigma_processes_then_report(tmp_path):
    """One process per sigma (same --work), then the report over all: each sigma's Gaussian run at its own
    sigma and the eq.-6 run at matched E||z||_inf; --report-only computes nothing and reports the rows there;
    certified accuracy = a direct count on the engine's TSV."""
    tiny = {"epochs": 1, "points": 3, "n0": 10, "n": 40, "batch": 40, "train_examples": 300}
    kw = dict(device="cpu", work=tmp_path / "w", command="cmd", progress=False, overrides=tiny, scale="cohen")
    X.run_experiment("digits", out=tmp_path / "a", sigmas=[0.5], **kw)
    part = X.run_experiment("digits", out=tmp_path / "o", name="proto", report_only=True, **kw)
    assert {(v["mechanism"], v["train_sigma"]) for v in part["runs"].values()} == {("gaussian", 0.5),
                                                                                     ("exponential-linf", 0.5)}
    assert len(part["missing_runs"]) == 4
    md = (tmp_path / "o" / "proto.md").read_text()
    assert "Missing (no model or no rows)" in md and "assembled from the rows present" in md
    res = X.compute_experiment("digits", out=tmp_path / "o", name="proto", report_only=True, **kw)
    again = X.experiment_markdown(res)  # another invocation: its date may differ
    assert again.split("* date:")[1].split("\n", 1)[1] == md.split("* date:")[1].split("\n", 1)[1]
    _assert_rerender_identical(res, tmp_path)
    full = X.run_experiment("digits", out=tmp_path / "o", name="proto", **kw)
    assert len(full["runs"]) == 6 and not full["missing_runs"]
    md = (tmp_path / "o" / "proto.md").read_text()
    for s in ("Every planned run", "R = 2", "T13", "Yang", "T18", "C11 c=1", "Cohen (tight ℓ2)", "16/255"):
        assert s in md, s
    from empirical.certify import read_tsv

    g = full["runs"]["digits_cohen_train1_gauss1"]
    assert g["sigma"] == 1.0 and g["train_sigma"] == 1.0 and g["points"] == 3
    rows = read_tsv(g["tsv"])
    direct = np.mean([int(x["correct"]) == 1 and int(x["predict"]) != -1 and float(x["radius_cohen"]) >= 0.25
                      for x in rows])
    assert g["certified_accuracy_l2"]["radius_cohen"]["0.25"] == pytest.approx(direct)
    e = next(v for v in full["runs"].values() if v["mechanism"] == "exponential-linf" and v["train_sigma"] == 1.0)
    assert e["sigma"] == pytest.approx(X.matched_exponential_sigma(1.0, 64))
    with pytest.raises(ValueError, match="scale"):
        X.run_experiment("cifar10", out=tmp_path / "o", scale="cohen", data_dir=tmp_path)


def test_time_budget_also_bounds_training(tmp_path):
    """--time-budget caps the training of each model (its share of what is left), not only certification:
    with a tiny budget every model stops after its first epoch of the 50 asked (issue 15)."""
    s = X.run_experiment("digits", out=tmp_path / "o", device="cpu", work=tmp_path / "w", command="budget",
                         progress=False, overrides=dict(TINY, arch="mlp", epochs=50), time_budget=1e-3)
    assert s["models"] and all(m["epochs"] == 1 and m["stopped_early"] for m in s["models"].values())


def test_linf_winner_names_each_radius_once():
    from empirical.experiments import linf_winner

    g = {0: 50, 1: 40, 2: 10, 4: 0}
    e = {0: 50, 1: 45, 2: 5, 4: 0}
    assert linf_winner(g, e, [0, 1, 2, 4]) == ("the Gaussian certifies more at 2/255 (by 5 points), eq. 6 at "
                                               "1/255 (by 5 points), the same at 0/255, 4/255")
    # non-adjacent radii are listed, adjacent ones given as a range
    g2 = {0: 9, 1: 5, 2: 9, 4: 9}
    e2 = {0: 1, 1: 6, 2: 1, 4: 2}
    assert linf_winner(g2, e2, [0, 1, 2, 4]).startswith(
        "the Gaussian certifies more at 0/255, 2/255, 4/255 (by 7–8 points), eq. 6 at 1/255 (by 1 point)")


def test_load_note_only_when_every_model_recorded_its_load():
    from empirical.experiments import _load_note

    metas = [{"load1_end": 1.7, "cpu_count": 2}, {"load1_end": 2.05, "cpu_count": 2}]
    assert _load_note(metas) == "; 1-minute load average when each training ended: 1.7, 2.05 on 2 CPUs"
    assert _load_note(metas + [{"cpu_count": 2}]) == ""  # a model trained before load1_end was recorded
    assert _load_note([]) == ""


def test_fit_records_the_load_when_training_ended():
    import os

    from empirical.train import train_model

    _, meta = train_model("digits", "cnn_fast", "gaussian", 0.25, epochs=1, device="cpu", progress=False,
                          eval_split=None, max_examples=64)
    assert meta["cpu_count"] == os.cpu_count()
    assert meta["load1_end"] is None or meta["load1_end"] >= 0


def test_report_steps_need_the_settings_of_their_run(tmp_path):
    """A report step composed before its run_* step set the settings says so (no AttributeError on None)."""
    ctx = X.Context("x", "cpu", "cpu", "cpu", 0, None, tmp_path, tmp_path, "cmd")
    with pytest.raises(RuntimeError, match="Context.settings"):
        ctx.require_settings()
    ctx.settings = X.SETTINGS["cpu"]["digits"]
    assert ctx.require_settings() is X.SETTINGS["cpu"]["digits"]


def test_result_data_keeps_non_finite_floats_and_the_arrays_of_a_run():
    """What an ExperimentResult holds is plain JSON data in which NaN / inf stay floats (the composer formats them
    as numbers) and a run's arrays come back with their values and integer / float kinds."""
    data = X._data({"nan": float("nan"), "inf": np.float64(np.inf), "t": (1, 2), "a": np.arange(2)})
    assert np.isnan(data["nan"]) and data["inf"] == float("inf") and data["t"] == [1, 2] and data["a"] == [0, 1]
    run = X.Run("k", "m", "gaussian", 0.5, "gaussian", 0.5, 64, np.array([0, 7]), np.array([1, 0]),
                np.array([3, -1]), np.array([0.9, float("nan")]), {"radius_cohen": np.array([0.25, 0.0])}, 1.5, "t")
    back = X._run_from_data(json.loads(json.dumps(X._run_data(run))))
    assert back.idx.dtype.kind == back.correct.dtype.kind == back.predict.dtype.kind == "i"
    assert back.idx.tolist() == [0, 7] and back.predict.tolist() == [3, -1]
    assert back.pA_lower[0] == 0.9 and np.isnan(back.pA_lower[1]) and back.radii["radius_cohen"].tolist() == [0.25, 0.0]
    assert (back.key, back.sigma, back.d, back.seconds, back.tsv) == ("k", 0.5, 64, 1.5, "t")
