"""Noise-augmented training (Cohen et al. 2019) on the bundled digits: a few seconds on the CPU, then
certify a handful of points with small n.  The accuracy bar is an independent statistical one: the
clean test accuracy of 450 digits must beat chance (1/10) by far more than 6 binomial standard errors."""

from __future__ import annotations

import math

import pytest
import torch

from empirical.certify import certify_dataset, read_tsv
from empirical.data import load_dataset
from empirical.models import load_checkpoint, save_checkpoint
from empirical.train import _train_subset, evaluate, fit, train_model


@pytest.fixture(scope="module")
def trained():
    torch.set_num_threads(1)
    return train_model("digits", "cnn", "gaussian", 0.25, epochs=3, seed=0, device="cpu", progress=False)


def test_training_learns(trained):
    model, meta = trained
    n = 450
    chance_plus_6se = 0.1 + 6 * math.sqrt(0.1 * 0.9 / n)  # ~0.185
    assert meta["test_acc_clean"] > max(chance_plus_6se, 0.5)
    assert meta["test_acc_noisy"] > chance_plus_6se
    assert meta["epochs"] == 3 and meta["noise"] == "gaussian" and meta["sigma"] == 0.25
    assert meta["test_acc_clean"] == evaluate(model, load_dataset("digits", "test"), "cpu")


def test_training_deterministic_on_cpu(trained):
    m2, meta2 = train_model("digits", "cnn", "gaussian", 0.25, epochs=3, seed=0, device="cpu", progress=False)
    sd1, sd2 = trained[0].state_dict(), m2.state_dict()
    assert all(torch.equal(sd1[k], sd2[k]) for k in sd1)


def test_train_then_certify(trained, tmp_path):
    model, meta = trained
    save_checkpoint(tmp_path / "ck.pt", model, meta)
    m, meta2 = load_checkpoint(tmp_path / "ck.pt")
    split = load_dataset(meta2["dataset"], "test")
    rows = certify_dataset(m, split, "gaussian", 0.25, 50, 500, 0.01, 250, range(0, 40, 8), tmp_path / "c.tsv",
                           device="cpu", seed=0, progress=False)
    assert len(rows) == len(read_tsv(tmp_path / "c.tsv")) == 5
    # most digits are predicted correctly by the smoothed classifier (abstentions aside)
    assert sum(r["correct"] for r in rows) >= 3


@pytest.mark.parametrize("kw,match", [(dict(sigma=0.0), "sigma"), (dict(epochs=0), "epochs"),
                                      (dict(arch="vgg"), "arch"), (dict(noise="uniform"), "noise"),
                                      (dict(dataset="svhn"), "dataset")])
def test_train_bad_arguments(kw, match):
    args = dict(dataset="digits", arch="cnn", noise="gaussian", sigma=0.25, epochs=1)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        train_model(args["dataset"], args["arch"], args["noise"], args["sigma"], args["epochs"], device="cpu",
                    progress=False)


def test_exponential_noise_training_runs():
    m, meta = train_model("synthetic:16:2", "mlp", "exponential-linf", 0.01, epochs=1, seed=1, device="cpu",
                          progress=False, max_examples=512)
    assert meta["noise"] == "exponential-linf" and meta["train_examples"] == 512
    assert 0.0 <= meta["test_acc_noisy"] <= 1.0


def test_train_subset_is_seeded_random_not_a_prefix():
    labels = torch.arange(10).repeat_interleave(100)  # class-major, like the JPEG CIFAR-10 copy
    sub = _train_subset(1000, 100, seed=0)
    assert sub.numel() == 100 and torch.unique(sub).numel() == 100 and int(sub.max()) < 1000
    assert torch.unique(labels[sub]).numel() == 10  # a prefix of 100 would hold class 0 only
    assert torch.equal(sub, _train_subset(1000, 100, seed=0))
    assert not torch.equal(sub, _train_subset(1000, 100, seed=1))
    assert torch.equal(_train_subset(50, None, seed=0), torch.arange(50))
    assert torch.equal(_train_subset(50, 80, seed=0), torch.arange(50))


def test_fit_on_splits_matches_train_model_and_the_lazy_path():
    """train_model = load + fit; a lazy (not in-memory) split trains to the same model as the in-memory one."""
    from empirical.data import Split

    torch.set_num_threads(1)
    kw = dict(epochs=1, seed=2, device="cpu", progress=False)
    m1, meta1 = train_model("digits", "mlp", "gaussian", 0.25, max_examples=300, **kw)
    train, test = load_dataset("digits", "train"), load_dataset("digits", "test")
    m2, meta2 = fit("mlp", train.info, train, test, "gaussian", 0.25, train_examples=300, **kw)
    lazy = Split(train.info, "train", source="lazy", _lazy=[(train.x[i], train.y[i]) for i in range(len(train))])
    m3, meta3 = fit("mlp", train.info, lazy, test, "gaussian", 0.25, train_examples=300, eval_examples=100, **kw)
    sd1, sd2, sd3 = m1.state_dict(), m2.state_dict(), m3.state_dict()
    assert all(torch.equal(sd1[k], sd2[k]) and torch.equal(sd1[k], sd3[k]) for k in sd1)
    assert meta1["train_examples"] == meta2["train_examples"] == meta3["train_examples"] == 300
    assert meta1["test_acc_clean"] == meta2["test_acc_clean"] == evaluate(m1, test, "cpu")
    assert meta3["eval_examples"] == 100 and meta3["test_acc_clean"] == evaluate(m1, test, "cpu", max_examples=100)


# --- the fast recipe (issue 13) and the progress display (issue 15) ----------------------------------------
def test_fast_recipe_learns_with_one_cycle_and_label_smoothing():
    """recipe='fast' (one-cycle, label smoothing) on the bundled digits with the small fast CNN: clean test
    accuracy far above chance + 6 binomial standard errors; the recipe is recorded; bad recipe rejected."""
    torch.set_num_threads(1)
    _, meta = train_model("digits", "cnn_fast", "gaussian", 0.25, epochs=8, seed=0, device="cpu",
                              progress=False, recipe="fast")
    n = 450
    assert meta["recipe"] == "fast" and meta["test_acc_clean"] > max(0.1 + 6 * math.sqrt(0.09 / n), 0.5)
    with pytest.raises(ValueError, match="recipe"):
        train_model("digits", "cnn", "gaussian", 0.25, epochs=1, device="cpu", progress=False, recipe="slow")


def test_crop_flip_augmentation_is_a_shifted_or_mirrored_window():
    """Every augmented image is a 32x32 window of the reflect-padded image, possibly mirrored: checked by
    brute force over the 81 offsets and both orientations."""
    from empirical.noise import make_generator
    from empirical.train import augment_crop_flip

    x = torch.rand(16, 3, 12, 12)
    out = augment_crop_flip(x, make_generator("cpu", 0), pad=4)
    xp = torch.nn.functional.pad(x, (4, 4, 4, 4), mode="reflect")
    flips = 0
    for b in range(16):
        found = None
        for i in range(9):
            for j in range(9):
                w = xp[b, :, i:i + 12, j:j + 12]
                if torch.equal(out[b], w):
                    found = "plain"
                elif torch.equal(out[b], w.flip(2)):
                    found = "flip"
        assert found is not None
        flips += found == "flip"
    assert 0 < flips < 16  # both orientations occur (P(all 16 the same) = 2^-15)


def test_epoch_line_does_not_land_on_the_progress_bar(capsys):
    """With a progress bar on stderr, the per-epoch log line starts its own line: after the last carriage
    return of its line nothing of the bar precedes it (issue 15)."""
    import sys

    torch.set_num_threads(1)
    train_model("digits", "cnn_fast", "gaussian", 0.25, epochs=2, seed=0, device="cpu", progress=True,
                log=lambda m: print(m, file=sys.stderr), max_examples=300, eval_split=None)
    err = capsys.readouterr().err
    lines = [ln for ln in err.split("\n") if "epoch 1/2" in ln]
    assert lines, err
    for ln in lines:
        assert ln.split("\r")[-1].strip().startswith("epoch 1/2"), repr(ln)


def test_training_progress_in_a_log_has_no_carriage_returns(capsys):
    """stderr redirected to a file (not a terminal): plain lines, no '\\r' redraws that make a log unreadable."""
    torch.set_num_threads(1)
    train_model("digits", "cnn_fast", "gaussian", 0.25, epochs=2, seed=0, device="cpu", progress=True,
                max_examples=300, eval_split=None)
    assert "\r" not in capsys.readouterr().err


class _Tty:
    def __init__(self):
        self.parts = []

    def isatty(self):
        return True

    def write(self, s):
        self.parts.append(s)

    def flush(self):
        pass


def test_epoch_line_does_not_land_on_the_progress_bar_on_a_terminal(monkeypatch):
    """On a terminal the bar is redrawn in place; each per-epoch log line is written after the bar was erased."""
    import sys

    from theory import _progress as P

    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    monkeypatch.setattr(P, "TTY_INTERVAL_S", 0.0)  # draw on every batch
    torch.set_num_threads(1)
    train_model("digits", "cnn_fast", "gaussian", 0.25, epochs=2, seed=0, device="cpu", progress=True,
                log=lambda m: print(m, file=sys.stderr), max_examples=300, eval_split=None)
    text = "".join(tty.parts)
    assert "train cnn_fast/digits" in text and "\r" in text
    for ep in ("epoch 1/2", "epoch 2/2"):
        line = next(ln for ln in text.split("\n") if ep in ln)
        before = line.split("\r")[-1]
        assert before.startswith(ep), repr(line[-200:])
