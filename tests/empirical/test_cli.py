"""`python -m empirical COMMAND`: --help for every command; bad arguments (sigma <= 0, n0 < 1, alpha outside
(0, 1), unknown dataset, missing data dir, unreadable checkpoint, unwritable output) fail fast -- one-line
message, exit 2, before any work (no data loaded, no output written)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import empirical.data
from empirical.cli import main
from empirical.models import build_model, make_meta, save_checkpoint

COMMANDS = ["train", "certify", "predict", "bench", "merge"]


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help(cmd, capsys):
    with pytest.raises(SystemExit) as e:
        main([cmd, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m empirical " + cmd)
    if cmd in ("train", "certify", "predict", "bench"):
        assert "--device" in out and "--seed" in out


def test_module_entry_point():
    p = subprocess.run([sys.executable, "-m", "empirical", "--help"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and all(c in p.stdout for c in COMMANDS)


@pytest.fixture
def ck(tmp_path):
    path = tmp_path / "ck.pt"
    save_checkpoint(path, build_model("cnn", "digits"), make_meta("digits", "cnn", "gaussian", 0.25, 0))
    return path


@pytest.fixture
def no_work(monkeypatch):
    """Loading any data set counts as work: fail loudly if it happens."""
    def boom(*a, **k):
        raise AssertionError("work started before the arguments were checked")

    monkeypatch.setattr(empirical.data, "load_dataset", boom)


CASES = [
    (["--sigma", "0"], "sigma"),
    (["--sigma", "-0.5"], "sigma"),
    (["--n0", "0"], "n0"),
    (["--alpha", "0"], "alpha"),
    (["--alpha", "1.5"], "alpha"),
    (["--dataset", "svhn"], "dataset"),
    (["--dataset", "mnist", "--data-dir", "/nonexistent/rs-data"], "data_dir"),
]


@pytest.mark.parametrize("extra,match", CASES)
def test_certify_bad_arguments(extra, match, ck, tmp_path, capsys, monkeypatch, no_work):
    monkeypatch.delenv("RS_DATA_DIR", raising=False)
    out = tmp_path / "r.tsv"
    args = ["certify", "--checkpoint", str(ck), "--sigma", "0.25", "--n0", "10", "--n", "10", "--out", str(out),
            "--no-compile"]
    code = main(args + extra)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "error" in err and match in err
    assert not out.exists()


@pytest.mark.parametrize("content", [None, b"garbage"])
def test_certify_unreadable_checkpoint(content, tmp_path, capsys, no_work):
    p = tmp_path / "bad.pt"
    if content is not None:
        p.write_bytes(content)
    code = main(["certify", "--checkpoint", str(p), "--sigma", "0.25", "--out", str(tmp_path / "r.tsv")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "checkpoint" in err


def test_certify_unwritable_output(ck, capsys, no_work):
    code = main(["certify", "--checkpoint", str(ck), "--sigma", "0.25", "--out", "/proc/rs-nowhere/r.tsv"])
    err = capsys.readouterr().err
    assert code == 2 and "out" in err and err.count("\n") == 1


@pytest.mark.parametrize("extra,match", [(["--sigma", "0"], "sigma"), (["--epochs", "0"], "epochs"),
                                         (["--dataset", "svhn"], "dataset"),
                                         (["--dataset", "cifar10", "--data-dir", "/nonexistent"], "data_dir")])
def test_train_bad_arguments(extra, match, tmp_path, capsys, no_work):
    code = main(["train", "--out", str(tmp_path / "ck.pt"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and match in err and err.count("\n") == 1
    assert not (tmp_path / "ck.pt").exists()


def test_predict_bad_arguments(ck, capsys, no_work):
    assert main(["predict", "--checkpoint", str(ck), "--sigma", "0.25", "--alpha", "1"]) == 2
    assert "alpha" in capsys.readouterr().err


def test_cli_train_certify_predict_roundtrip(tmp_path, capsys):
    ckp = tmp_path / "bayes.pt"
    assert main(["train", "--dataset", "synthetic:8:2", "--arch", "bayes", "--noise", "none", "--out", str(ckp),
                 "--device", "cpu"]) == 0
    out = tmp_path / "r.tsv"
    base = ["certify", "--checkpoint", str(ckp), "--sigma", "0.5", "--n0", "10", "--n", "100", "--batch", "50",
            "--max", "6", "--skip", "2", "--no-compile", "--device", "cpu", "--out", str(out)]
    assert main(base + ["--json"]) == 0
    assert '"rows": 3' in capsys.readouterr().out
    assert main(base) == 2  # exists: neither --resume nor --overwrite
    assert main(base + ["--resume"]) == 0
    assert main(["predict", "--checkpoint", str(ckp), "--sigma", "0.5", "--n", "100", "--max", "3", "--no-compile",
                 "--device", "cpu"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-4].startswith("idx\tlabel\tpredict") and len(lines[-3].split("\t")) == 11


# ---------------------------------------------------------------------------------------------------------
# issue 15.8 / 15.9
# ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def bayes_ck(tmp_path):
    ckp = tmp_path / "bayes.pt"
    save_checkpoint(ckp, build_model("bayes", "synthetic:8:2"), make_meta("synthetic:8:2", "bayes", "none", 1.0, 0))
    return ckp


def _certify(ckp, out, *extra):
    return main(["certify", "--checkpoint", str(ckp), "--sigma", "0.5", "--n0", "10", "--n", "100", "--batch", "50",
                 "--no-compile", "--device", "cpu", "--out", str(out), *extra])


def test_certify_max_0_leaves_nothing_that_blocks_the_next_run(bayes_ck, tmp_path, capsys):
    out = tmp_path / "r.tsv"
    assert _certify(bayes_ck, out, "--max", "0") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "max" in err and "no examples" in err
    assert not out.exists() or out.stat().st_size == 0
    assert _certify(bayes_ck, out, "--max", "2") == 0  # not blocked


def test_certify_dataset_with_nothing_to_do_writes_no_header(bayes_ck, tmp_path):
    """The library path: no examples -> no header-only file (which a later run without --resume refuses)."""
    from empirical.certify import certify_dataset, read_tsv
    from empirical.data import load_dataset

    split = load_dataset("synthetic:8:2", "test")
    model = build_model("bayes", split.info).eval()
    out = tmp_path / "r.tsv"
    certify_dataset(model, split, "gaussian", 0.5, 10, 100, 0.001, 50, [], out, device="cpu", progress=False)
    assert not out.exists() or out.stat().st_size == 0
    certify_dataset(model, split, "gaussian", 0.5, 10, 100, 0.001, 50, [0, 1], out, device="cpu", progress=False)
    assert len(read_tsv(out)) == 2


def test_certify_ctrl_c_says_how_to_resume(bayes_ck, tmp_path, capsys, monkeypatch):
    import empirical.certify as EC

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(EC, "certify_sharded", interrupted)
    out = tmp_path / "r.tsv"
    assert _certify(bayes_ck, out, "--max", "4") == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "--resume" in err and str(out) in err


def test_train_has_no_ignored_split_option(tmp_path, capsys, no_work):
    """`train --split` was accepted and ignored (training always uses the train split) and its help offered
    'test': now it is not an option."""
    with pytest.raises(SystemExit) as e:
        main(["train", "--help"])
    assert e.value.code == 0
    assert "--split" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["train", "--split", "test", "--out", str(tmp_path / "ck.pt")])
    assert e.value.code == 2 and "--split" in capsys.readouterr().err


def test_merge_names_the_bad_shard_not_out(tmp_path, capsys):
    good, bad = tmp_path / "a.tsv", tmp_path / "b.tsv"
    good.write_text("idx\tlabel\n0\t1\n")
    bad.write_text("idx\tlabel\n1\t1\t7\n")
    assert main(["merge", "--out", str(tmp_path / "m.tsv"), str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error: shards:" in err and "out:" not in err and "b.tsv" in err


@pytest.mark.parametrize("argv, expected", [
    (["/x/empirical/__main__.py", "bench", "--out", "a b.json"], "python -m empirical bench --out 'a b.json'"),
    (["/usr/bin/rs-verify", "empirical", "bench", "--n", "5"], "python -m empirical bench --n 5"),
    (["pytest", "-q", "tests"], "DEFAULT"),
])
def test_command_line_recorded_in_reports(argv, expected, monkeypatch):
    from empirical.commands._common import command_line

    monkeypatch.setattr(sys, "argv", argv)
    assert command_line("bench", "DEFAULT") == expected
