"""empirical.jpeg_gap: matching the lossless CIFAR-10 test images to their rows in the class-major JPEG-75 copy,
the paired statistics (exact McNemar) and the `jpeg-gap` command end to end on tiny synthetic data.

The reference for the matching is an independent route: the class-major copy is *built* here by a stable sort
of a synthetic test set by label, so every image's row is known by construction (the module computes it by
counting)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from empirical.cli import main
from empirical.jpeg_gap import (
    MAX_MATCH_MAE,
    JpegGapResult,
    load_jpeg_pairs,
    match_jpeg_rows,
    paired_gaps,
)


def _class_major_copy(n_test=200, m=30, k=10, seed=0, noise=4):
    """(idx, y, x) of the first m images of a random test set, and its class-major 'JPEG' copy (stable sort by
    label, a few grey levels of noise per pixel), with the true row of each of the m images."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n_test)
    x = rng.integers(20, 236, (n_test, 8, 8, 3)).astype(np.uint8)
    perm = np.argsort(y, kind="stable")            # JPEG row r holds original image perm[r]
    true_row = np.empty(n_test, np.int64)
    true_row[perm] = np.arange(n_test)
    jx = np.clip(x[perm].astype(int) + rng.integers(-noise, noise + 1, x.shape), 0, 255).astype(np.uint8)
    return np.arange(m), y[:m], x[:m], y[perm], jx, true_row[:m]


@pytest.mark.parametrize("seed", range(5))
def test_match_finds_the_rows_of_a_class_major_copy(seed):
    idx, y, x, jy, jx, truth = _class_major_copy(seed=seed)
    shuffle = np.random.default_rng(seed + 100).permutation(idx.size)  # the lossless file in any order
    rows, mae = match_jpeg_rows(idx[shuffle], y[shuffle], x[shuffle], jy, jx)
    np.testing.assert_array_equal(rows, truth[shuffle])
    assert mae.max() <= 4.0  # the planted noise is at most 4 grey levels


def test_match_refuses_a_copy_shuffled_within_a_class():
    idx, y, x, jy, jx, _ = _class_major_copy()
    c = int(y[0])
    r = np.flatnonzero(jy == c)
    jx[r] = jx[r[::-1]]  # same labels, same class-major layout, images in the wrong order
    with pytest.raises(ValueError, match="does not match JPEG row"):
        match_jpeg_rows(idx, y, x, jy, jx)


def test_match_refuses_bad_layouts():
    idx, y, x, jy, jx, _ = _class_major_copy()
    with pytest.raises(ValueError, match="class-major"):
        match_jpeg_rows(idx, y, x, jy[::-1], jx[::-1])
    with pytest.raises(ValueError, match="idx"):
        match_jpeg_rows(idx + 1, y, x, jy, jx)
    with pytest.raises(ValueError, match="fewer"):  # a truncated copy: some class runs out of rows
        keep = np.flatnonzero(jy != int(y[0]))
        match_jpeg_rows(idx, y, x, jy[keep], jx[keep])
    with pytest.raises(ValueError, match="max_mae"):
        match_jpeg_rows(idx, y, x, jy, jx, max_mae=0.0)


def test_match_threshold_separates_jpeg_noise_from_other_images():
    # an image against another image of the same class differs by far more than MAX_MATCH_MAE
    idx, y, x, jy, jx, truth = _class_major_copy(noise=0)
    other = np.abs(x[1:].astype(float) - x[:-1].astype(float)).mean(axis=(1, 2, 3))
    assert other.min() > 2 * MAX_MATCH_MAE


def _binom_two_sided(b: int, c: int) -> float:
    """Exact McNemar p-value from the binomial sum (independent of scipy)."""
    m = b + c
    if m == 0:
        return 1.0
    k = min(b, c)
    return min(1.0, 2 * sum(math.comb(m, i) for i in range(k + 1)) / 2 ** m)


def test_paired_gaps_counts_and_exact_mcnemar():
    rng = np.random.default_rng(3)
    lo, jp = [], []
    for i in range(60):
        lo.append({"idx": i, "correct": int(rng.random() < 0.8), "radius": float(rng.random())})
        jp.append({"idx": i, "correct": int(rng.random() < 0.5), "radius": float(rng.random())})
    for g in paired_gaps(lo, jp, radii=(0.0, 0.3, 0.7)):
        a = [r["correct"] and r["radius"] >= g.radius for r in lo]
        b = [r["correct"] and r["radius"] >= g.radius for r in jp]
        lo_only = sum(u and not v for u, v in zip(a, b, strict=True))
        jp_only = sum(v and not u for u, v in zip(a, b, strict=True))
        assert (g.lossless_only, g.jpeg_only) == (lo_only, jp_only)
        assert g.both + g.lossless_only + g.jpeg_only + g.neither == 60
        assert g.difference == pytest.approx(100 * (lo_only - jp_only) / 60)
        assert g.p_value == pytest.approx(_binom_two_sided(lo_only, jp_only), rel=1e-9)


def test_paired_gaps_counts_a_radius_equal_to_r():
    # certified at R means radius >= R (Cohen et al.'s certified accuracy), so a radius of exactly R counts
    lo = [{"idx": 0, "correct": 1, "radius": 0.5}]
    jp = [{"idx": 0, "correct": 1, "radius": 0.25}]
    g = paired_gaps(lo, jp, radii=(0.5,))[0]
    assert (g.acc_lossless, g.acc_jpeg, g.lossless_only) == (100.0, 0.0, 1)


def test_paired_gaps_needs_paired_rows():
    a = [{"idx": 0, "correct": 1, "radius": 0.1}]
    with pytest.raises(ValueError, match="not paired"):
        paired_gaps(a, [{"idx": 1, "correct": 1, "radius": 0.1}])
    with pytest.raises(ValueError, match="rows_jpeg"):
        paired_gaps(a, [])


@pytest.mark.data
def test_shared_data_pairs(data_dir):
    lossless, jpeg, mae = load_jpeg_pairs(data_dir)
    assert len(lossless) == len(jpeg) == 100
    assert bool((lossless.y == jpeg.y).all())
    assert 4.0 < mae.mean() < 8.0 and mae.max() < MAX_MATCH_MAE  # "mean abs. pixel error ~ 6/255" (data README)
    from empirical.jpeg_gap import other_image_mae

    assert other_image_mae(lossless, jpeg) > 2 * MAX_MATCH_MAE  # a wrong match would be caught


def _fake_shared(root):
    idx, y, x, jy, jx, _ = _class_major_copy(n_test=150, m=12, noise=3)
    x32 = np.repeat(np.repeat(x, 4, axis=1), 4, axis=2)      # 8x8 -> 32x32 CIFAR shape
    jx32 = np.repeat(np.repeat(jx, 4, axis=1), 4, axis=2)
    (root / "cifar10-lossless100").mkdir(parents=True)
    (root / "cifar10-jpeg75").mkdir(parents=True)
    np.savez(root / "cifar10-lossless100" / "test100.npz", x=x32, y=y, idx=idx)
    np.savez(root / "cifar10-jpeg75" / "test.npz", x=jx32, y=jy)
    return root


def test_command_end_to_end_on_a_checkpoint(tmp_path, capsys):
    from empirical.models import build_model, make_meta, save_checkpoint

    root = _fake_shared(tmp_path / "shared")
    import torch

    torch.manual_seed(0)
    ck = tmp_path / "ck.pt"
    save_checkpoint(ck, build_model("cnn_fast", "cifar10"), make_meta("cifar10", "cnn_fast", "gaussian", 0.5, 0))
    out = tmp_path / "out"
    argv = ["jpeg-gap", "--data-dir", str(root), "--checkpoint", str(ck), "--n", "40", "--n0", "8", "--batch", "48",
            "--no-compile", "--no-progress", "--work", str(tmp_path / "work"), "--out", str(out)]
    assert main(argv) == 0
    md = (out / "cifar10_jpeg_gap.md").read_text()
    assert "n = 40" in md and "| 0.5 | 0 |" in md and (out / "cifar10_jpeg_gap.png").is_file()
    res = JpegGapResult.from_json(out / "cifar10_jpeg_gap.json")
    assert len(res.per_sigma) == 1 and len(res.per_sigma[0].rows_lossless) == 12
    assert res.mae_max <= 3.0 and res.mae_other_mean > 30  # matches differ by the planted noise, others by far more
    assert f"{res.mae_other_mean:.1f}/255" in md
    assert JpegGapResult.from_json(out / "cifar10_jpeg_gap.json") == res
    # a rerun resumes the TSVs (same rows), and the report is the same apart from provenance
    capsys.readouterr()
    assert main(argv) == 0
    res2 = JpegGapResult.from_json(out / "cifar10_jpeg_gap.json")
    assert res2.per_sigma[0].rows_lossless == res.per_sigma[0].rows_lossless
    assert res2.per_sigma[0].rows_jpeg == res.per_sigma[0].rows_jpeg
    assert res2.per_sigma[0].seconds == res.per_sigma[0].seconds > 0  # the cost of the rows, not of the rerun


@pytest.mark.parametrize("extra, match", [
    (["--sigmas", "abc"], "sigmas"), (["--sigmas", "0.5,-1"], "sigmas"), (["--n", "0"], "n"),
    (["--alpha", "1"], "alpha"), (["--epochs", "0"], "epochs"),
    (["--checkpoint", "ck.pt", "--sigmas", "0.5"], "sigmas")])
def test_command_bad_arguments(extra, match, tmp_path, capsys):
    root = _fake_shared(tmp_path / "shared")
    assert main(["jpeg-gap", "--data-dir", str(root), "--work", str(tmp_path / "w"), "--out", str(tmp_path / "o")]
                + extra) == 2
    assert match in capsys.readouterr().err
    assert not (tmp_path / "o").exists() and not (tmp_path / "w").exists()


def test_command_missing_data(tmp_path, capsys):
    assert main(["jpeg-gap", "--data-dir", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "data_dir" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["jpeg-gap", "--data-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    assert "test100.npz" in capsys.readouterr().err


def test_result_json_round_trip_is_exact(tmp_path):
    from empirical.jpeg_gap import JPEG_GAP_SCHEMA_VERSION, JpegGapSigma

    rows = ({"idx": 0, "label": 1, "predict": 1, "radius": 0.3, "correct": 1, "pA_lower": 0.9},)
    g = paired_gaps(rows, rows)
    r = JpegGapResult(JPEG_GAP_SCHEMA_VERSION, 100, 1000, 0.001, 0, (0.0,), 5.0, 9.0,
                      (JpegGapSigma(0.25, {"arch": "cnn"}, rows, rows, g, 1.5),), "cmd", mae_other_mean=70.5)
    r.to_json(tmp_path / "r.json")
    assert JpegGapResult.from_json(tmp_path / "r.json") == r
    d = json.loads((tmp_path / "r.json").read_text())
    d["schema_version"] = 99
    (tmp_path / "r.json").write_text(json.dumps(d))
    with pytest.raises(ValueError, match="schema_version"):
        JpegGapResult.from_json(tmp_path / "r.json")


def test_prematched_pairs_load_like_the_full_copy(tmp_path):
    from empirical.jpeg_gap import write_prematched

    src = _fake_shared(tmp_path / "src")
    a_lo, a_jp, a_mae = load_jpeg_pairs(src)
    assert write_prematched(src, tmp_path / "dst") == 12
    b_lo, b_jp, b_mae = load_jpeg_pairs(tmp_path / "dst")   # reads cifar10-jpeg75/test100_jpeg75.npz
    assert bool((a_lo.x == b_lo.x).all() and (a_jp.x == b_jp.x).all() and (a_lo.y == b_jp.y).all())
    np.testing.assert_array_equal(a_mae, b_mae)
    # a pre-matched file whose images are not those of test100 is refused
    z = dict(np.load(tmp_path / "dst" / "cifar10-jpeg75" / "test100_jpeg75.npz"))
    z["x"] = z["x"][::-1].copy()
    np.savez(tmp_path / "dst" / "cifar10-jpeg75" / "test100_jpeg75.npz", **z)
    with pytest.raises(ValueError, match="does not match"):
        load_jpeg_pairs(tmp_path / "dst")


def test_load_pairs_count_keeps_the_first_pairs(tmp_path):
    src = _fake_shared(tmp_path / "src")
    lo, jp, mae = load_jpeg_pairs(src)
    lo3, jp3, mae3 = load_jpeg_pairs(src, count=3)
    assert len(lo3) == len(jp3) == 3 and bool((lo3.x == lo.x[:3]).all() and (jp3.x == jp.x[:3]).all())
    np.testing.assert_array_equal(mae3, mae[:3])
    with pytest.raises(ValueError, match="count"):
        load_jpeg_pairs(src, count=0)


def _row(i, correct, radius):
    return {"idx": i, "label": 1, "predict": 1 if correct else 2, "radius": radius, "correct": int(correct),
            "pA_lower": 0.9}


def test_median_radius_ratio_against_hand_computed_values():
    """Issue 20: the JPEG-gap median radius ratio (JPEG / lossless over images certified correct on both) against
    ratios worked out by hand: rows wrong on either side, and a lossless abstention (radius 0), are left out."""
    from empirical.jpeg_gap import JPEG_GAP_SCHEMA_VERSION, JpegGapSigma, jpeg_gap_markdown

    lossless = [_row(0, 1, 1.0), _row(1, 1, 0.4), _row(2, 1, 2.0), _row(3, 1, 0.8),
                _row(4, 1, 0.9), _row(5, 0, 0.7), _row(6, 1, 0.0)]
    jpeg = [_row(0, 1, 0.5), _row(1, 1, 0.8), _row(2, 1, 0.5), _row(3, 1, 0.8),
            _row(4, 0, 0.0), _row(5, 1, 0.3), _row(6, 1, 0.2)]
    # both correct, lossless radius > 0: images 0-3 with ratios 0.5, 2, 0.25, 1 -> median (0.5 + 1) / 2 = 0.75
    s = JpegGapSigma(0.25, {"arch": "cnn"}, tuple(lossless), tuple(jpeg), paired_gaps(lossless, jpeg), 1.0)
    assert s.median_radius_ratio == 0.75
    odd = JpegGapSigma(0.25, {}, tuple(lossless[:3]), tuple(jpeg[:3]), paired_gaps(lossless[:3], jpeg[:3]), 1.0)
    assert odd.median_radius_ratio == 0.5                     # ratios 0.5, 2, 0.25
    none = JpegGapSigma(0.25, {}, tuple(lossless[4:6]), tuple(jpeg[4:6]), paired_gaps(lossless[4:6], jpeg[4:6]), 1.0)
    assert math.isnan(none.median_radius_ratio)               # no image certified correct on both
    res = JpegGapResult(JPEG_GAP_SCHEMA_VERSION, 100, 1000, 0.001, 0, (0.0, 0.5), 5.0, 9.0, (s,), "cmd")
    assert "median radius ratio JPEG / lossless over images certified on both: 0.75." in jpeg_gap_markdown(res)
