"""Issue 20, data integrity: the certify TSV carries its run's metadata (resume verifies the checkpoint's
weights, not its path; the TSV alone resumes), train / predict / merge do not overwrite what is not theirs,
merge refuses an incomplete or mixed shard set, SIGTERM stops certify like Ctrl-C, a file in use is refused
(naming the process), and the bad numbers of item 9 (--max -5, --sigma 1e308) are refused."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from empirical.certify import (
    FORMAT,
    METADATA_PREFIX,
    ResumeMismatch,
    certify_dataset,
    merge_shards,
    read_metadata,
    read_tsv,
    shard_path,
)
from empirical.cli import main
from empirical.data import load_dataset
from empirical.models import build_model, make_meta, save_checkpoint

ROOT = Path(__file__).resolve().parents[2]
DATA = "synthetic:8:2"


def _model(seed: int, arch: str = "mlp"):
    torch.manual_seed(seed)
    return build_model(arch, DATA).eval()


def _save(path, seed: int):
    save_checkpoint(path, _model(seed), make_meta(DATA, "mlp", "gaussian", 0.5, seed))


def _certify(ckp, out, *extra):
    return main(["certify", "--checkpoint", str(ckp), "--sigma", "0.5", "--n0", "10", "--n", "100", "--batch", "50",
                 "--no-compile", "--no-timing", "--device", "cpu", "--out", str(out), *extra])


def _err_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    return err[-1] if err else ""


# ---------------------------------------------------------------------------------------------------------
# 1. the TSV records its run; resume verifies the weights, not the path
# ---------------------------------------------------------------------------------------------------------

def test_resume_after_retraining_to_the_same_path_is_refused(tmp_path, capsys):
    """Issue 20.1: interrupt, retrain to the same ck.pt, resume -> rows of two models in one file (exit 0).
    Now refused, naming model_sha256 old vs new; the file is untouched."""
    ck, out = tmp_path / "ck.pt", tmp_path / "r.tsv"
    _save(ck, 0)
    assert _certify(ck, out, "--max", "4") == 0
    full = out.read_bytes()
    lines = full.decode().splitlines(keepends=True)
    out.write_text("".join(lines[:4]))  # header, metadata, 2 rows: an interrupted run
    before = out.read_bytes()
    _save(ck, 1)  # other weights under the same path
    capsys.readouterr()
    assert _certify(ck, out, "--max", "4", "--resume") == 2
    err = _err_line(capsys)
    assert "model_sha256" in err and "refusing to mix" in err, err
    assert out.read_bytes() == before


def test_the_tsv_alone_resumes(tmp_path, capsys):
    """Issue 20.4: copying only the TSV (no OUT.json sidecar) used to break --resume.  The copy resumes to the
    bytes of the uninterrupted run."""
    ck, out = tmp_path / "ck.pt", tmp_path / "r.tsv"
    _save(ck, 0)
    assert _certify(ck, out, "--max", "5") == 0
    full = out.read_bytes()
    cut = "".join(full.decode().splitlines(keepends=True)[:4])
    other = tmp_path / "elsewhere" / "copy.tsv"
    other.parent.mkdir()
    other.write_text(cut)
    assert not Path(str(other) + ".json").exists()
    assert _certify(ck, other, "--max", "5", "--resume") == 0
    assert other.read_bytes() == full
    assert not Path(str(out) + ".json").exists()  # no sidecar any more
    # the selection is not part of what must match: rows depend on the settings and idx only
    assert _certify(ck, other, "--max", "7", "--resume") == 0
    assert [r["idx"] for r in read_tsv(other)] == [str(i) for i in range(7)]
    assert read_metadata(other)["max"] == 5  # the line keeps the first run's selection


def test_metadata_line_records_the_run_and_readers_skip_it(tmp_path):
    """Line 2 is ``# rs-verify-certify {json}``: Cohen's header stays line 1, and numpy's genfromtxt (names=True,
    comments='#'), csv with '#' lines dropped and read_tsv all see the same rows."""
    ck, out = tmp_path / "ck.pt", tmp_path / "r.tsv"
    _save(ck, 0)
    assert main(["certify", "--checkpoint", str(ck), "--sigma", "0.5", "--n0", "10", "--n", "100", "--batch", "50",
                 "--no-compile", "--device", "cpu", "--out", str(out), "--max", "6", "--skip", "2",
                 "--seed", "7"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("idx\tlabel\tpredict\tradius\tcorrect\ttime")
    assert lines[1].startswith(METADATA_PREFIX)
    meta = json.loads(lines[1][len(METADATA_PREFIX):])
    assert meta == read_metadata(out)
    from empirical._sysinfo import state_dict_sha256
    from empirical.models import load_checkpoint

    model, _ = load_checkpoint(ck, "cpu")
    expect = {"format": FORMAT, "mechanism": "gaussian", "sigma": 0.5, "n0": 10, "n": 100, "alpha": 0.001,
              "batch": 50, "seed": 7, "model_sha256": state_dict_sha256(model), "d": 8, "num_classes": 2,
              "dataset": DATA, "split": "test", "skip": 2, "max": 6, "autocast": "none"}
    for k, v in expect.items():
        assert meta[k] == v, k
    rows = read_tsv(out)
    assert [r["idx"] for r in rows] == ["0", "2", "4"]
    arr = np.genfromtxt(out, names=True, delimiter="\t", comments="#", dtype=None, encoding="utf-8")
    assert list(arr["idx"]) == [0, 2, 4] and arr.dtype.names[:6] == ("idx", "label", "predict", "radius",
                                                                      "correct", "time")
    with open(out, newline="") as fh:
        recs = list(csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"))
    assert [r["radius"] for r in recs] == [r["radius"] for r in rows]


def test_resume_names_every_mismatching_field(tmp_path):
    split = load_dataset(DATA, "test")
    model = _model(0)
    out = tmp_path / "r.tsv"
    kw = dict(device="cpu", progress=False, timing=False)
    certify_dataset(model, split, "gaussian", 0.5, 10, 100, 0.001, 50, [0, 1], out, seed=1, **kw)
    before = out.read_bytes()
    with pytest.raises(ResumeMismatch) as e:
        certify_dataset(model, split, "gaussian", 0.25, 10, 200, 0.001, 50, [0, 1, 2], out, seed=1, resume=True,
                        **kw)
    msg = str(e.value)
    assert "\n" not in msg
    assert "sigma 0.5 (file) vs 0.25 (this run)" in msg and "n 100 (file) vs 200 (this run)" in msg, msg
    assert "seed" not in msg and "alpha" not in msg
    with pytest.raises(ResumeMismatch, match="model_sha256"):
        certify_dataset(_model(1), split, "gaussian", 0.5, 10, 100, 0.001, 50, [0, 1, 2], out, seed=1, resume=True,
                        **kw)
    with pytest.raises(ResumeMismatch, match=r"extra \(absent\) \(file\) vs 1 \(this run\)"):
        certify_dataset(model, split, "gaussian", 0.5, 10, 100, 0.001, 50, [0, 1, 2], out, seed=1, resume=True,
                        run_params={"extra": 1}, **kw)
    assert out.read_bytes() == before
    certify_dataset(model, split, "gaussian", 0.5, 10, 100, 0.001, 50, [0, 1, 2], out, seed=1, resume=True, **kw)
    assert len(read_tsv(out)) == 3


def test_model_hash_is_remembered_until_the_weights_change(monkeypatch):
    """One hash per model while its weights are unchanged (the device check certifies one image per call); an
    in-place change of the weights (an optimiser step, load_state_dict) is seen."""
    import empirical._sysinfo as X
    from empirical.certify import model_sha256

    calls = []
    real = X.state_dict_sha256
    monkeypatch.setattr(X, "state_dict_sha256", lambda m: calls.append(1) or real(m))
    m = _model(0)
    h = model_sha256(m)
    assert model_sha256(m) == h == real(m) and len(calls) == 1
    with torch.no_grad():
        next(m.parameters()).add_(1.0)
    assert model_sha256(m) != h and len(calls) == 2
    m.load_state_dict(_model(0).state_dict())
    assert model_sha256(m) == h and len(calls) == 3


def test_file_without_metadata_gets_a_clear_message(tmp_path):
    """A TSV of an older version (header, no metadata line) or someone else's: resume refuses, saying why and
    what to do; the file is untouched."""
    split = load_dataset(DATA, "test")
    out = tmp_path / "r.tsv"
    certify_dataset(_model(0), split, "gaussian", 0.5, 10, 100, 0.001, 50, [0, 1], out, device="cpu",
                    progress=False)
    lines = out.read_text().splitlines(keepends=True)
    out.write_text(lines[0] + "".join(lines[2:]))
    before = out.read_bytes()
    with pytest.raises(ResumeMismatch, match=r"no '# rs-verify-certify' metadata line.*--overwrite"):
        certify_dataset(_model(0), split, "gaussian", 0.5, 10, 100, 0.001, 50, [0, 1, 2], out, device="cpu",
                        progress=False, resume=True)
    assert out.read_bytes() == before


# ---------------------------------------------------------------------------------------------------------
# 2. train / predict do not overwrite silently
# ---------------------------------------------------------------------------------------------------------

def test_train_refuses_to_overwrite_without_overwrite(tmp_path, capsys, monkeypatch):
    import empirical.data

    ck = tmp_path / "ck.pt"
    ck.write_bytes(b"precious")

    def boom(*a, **k):
        raise AssertionError("work started before the output was checked")

    monkeypatch.setattr(empirical.data, "load_dataset", boom)
    args = ["train", "--dataset", DATA, "--arch", "bayes", "--noise", "none", "--device", "cpu", "--out", str(ck)]
    assert main(args) == 2
    err = _err_line(capsys)
    assert "out:" in err and "exists" in err and "--overwrite" in err, err
    assert ck.read_bytes() == b"precious"
    monkeypatch.undo()
    assert main(args + ["--overwrite"]) == 0
    assert ck.read_bytes() != b"precious"


def test_predict_refuses_to_overwrite_without_overwrite(tmp_path, capsys):
    ck, out = tmp_path / "ck.pt", tmp_path / "p.tsv"
    _save(ck, 0)
    out.write_text("precious\n")
    args = ["predict", "--checkpoint", str(ck), "--sigma", "0.5", "--n", "50", "--batch", "50", "--max", "2",
            "--no-compile", "--device", "cpu", "--out", str(out)]
    assert main(args) == 2
    assert "--overwrite" in _err_line(capsys) and out.read_text() == "precious\n"
    assert main(args + ["--overwrite"]) == 0
    assert out.read_text().startswith("idx\t")


# ---------------------------------------------------------------------------------------------------------
# 9. bad numbers that were accepted silently
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cmd", ["certify", "predict"])
@pytest.mark.parametrize("extra,match", [(["--max", "-5"], "max"), (["--max", "-1"], "max"),
                                         (["--sigma", "1e308"], "sigma"), (["--sigma", "1e37"], "sigma"),
                                         (["--sigma", "inf"], "sigma"), (["--n", "0"], "n")])
def test_bad_numbers_refused(cmd, extra, match, tmp_path, capsys, monkeypatch):
    """Refused before any work (no data loaded), one line, exit 2."""
    import empirical.data

    ck, out = tmp_path / "ck.pt", tmp_path / "r.tsv"
    _save(ck, 0)

    def boom(*a, **k):
        raise AssertionError("work started before the arguments were checked")

    monkeypatch.setattr(empirical.data, "load_dataset", boom)
    args = [cmd, "--checkpoint", str(ck), "--sigma", "0.5", "--n", "50", "--batch", "50", "--no-compile",
            "--device", "cpu", "--out", str(out), *extra]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"error: {match}" in err, err
    assert not out.exists()


def test_select_indices_refuses_a_negative_max():
    from empirical.certify import select_indices

    assert select_indices(10, 3, None) == [0, 3, 6, 9] and select_indices(10, 3, 0) == []
    with pytest.raises(ValueError, match="max"):
        select_indices(10, 1, -5)


def test_train_sigma_too_large_for_float32_noise(tmp_path, capsys):
    out = tmp_path / "ck.pt"
    assert main(["train", "--dataset", DATA, "--sigma", "1e308", "--out", str(out), "--device", "cpu"]) == 2
    assert "error: sigma" in _err_line(capsys) and not out.exists()


def test_train_noise_none_with_a_sigma_is_refused(tmp_path, capsys):
    """`train --noise none --sigma -1` was accepted, the sigma silently ignored."""
    out = tmp_path / "ck.pt"
    assert main(["train", "--dataset", DATA, "--noise", "none", "--sigma", "-1", "--out", str(out)]) == 2
    assert "error: sigma: --noise none" in _err_line(capsys) and not out.exists()


def test_merge_into_a_directory_is_a_one_line_error(tmp_path, capsys, shard_src):
    out = _shards(tmp_path, shard_src)
    assert main(["merge", "--out", str(tmp_path), str(shard_path(out, 0, 2)), str(shard_path(out, 1, 2))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error: out:" in err and "is a directory" in err, err


def test_sigma_check_keeps_sane_values():
    from empirical.certify import check_sigma_range

    assert check_sigma_range("gaussian", 1e3, 3072, n=100_000, alpha=0.001) == 1e3
    assert check_sigma_range("exponential-linf", 1.0, 150528, n=100_000, alpha=0.001) == 1.0
    with pytest.raises(ValueError, match="sigma"):
        check_sigma_range("exponential-linf", 3e33, 150528, n=100_000, alpha=0.001)  # R ~ 4.5e38 > f32 max


# ---------------------------------------------------------------------------------------------------------
# 3. merge: never over a foreign file, never an incomplete or mixed set silently
# ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shard_src(tmp_path_factory):
    """The shards of one run over idx 0-5 for world 2 and 3, certified once per module: {world: OUT}."""
    split = load_dataset(DATA, "test")
    model = _model(0)
    out = {}
    for world in (2, 3):
        src = tmp_path_factory.mktemp(f"shards{world}") / "m.tsv"
        for r in range(world):
            certify_dataset(model, split, "gaussian", 0.5, 10, 100, 0.001, 50, list(range(6))[r::world],
                            shard_path(src, r, world), device="cpu", progress=False, timing=False, seed=0,
                            run_params={"shard": [r, world]})
        out[world] = src
    return out


def _shards(tmp_path, shard_src, world=2):
    """OUT = tmp_path/m.tsv next to copies of the ``world`` shards of :func:`shard_src`."""
    out = tmp_path / "m.tsv"
    for r in range(world):
        shutil.copy(shard_path(shard_src[world], r, world), shard_path(out, r, world))
    return out


def test_merge_refuses_to_overwrite_a_foreign_file(tmp_path, capsys, shard_src):
    out = _shards(tmp_path, shard_src)
    victim = tmp_path / "victim.tsv"
    victim.write_text("idx\tlabel\tpredict\tradius\tcorrect\ttime\n" + "0\t1\t1\t0.5\t1\t0:00:01\n" * 45)
    before = victim.read_bytes()
    argv = ["merge", "--out", str(victim), str(shard_path(out, 0, 2)), str(shard_path(out, 1, 2))]
    assert main(argv) == 2
    err = _err_line(capsys)
    assert "out:" in err and "victim.tsv" in err and "--overwrite" in err, err
    assert victim.read_bytes() == before
    # another certify run's output is foreign too (its metadata differs)
    other = tmp_path / "other.tsv"
    certify_dataset(_model(0), load_dataset(DATA, "test"), "gaussian", 0.25, 10, 100, 0.001, 50, [0], other,
                    device="cpu", progress=False)
    before = other.read_bytes()
    with pytest.raises(ValueError, match=r"out: .*other\.tsv.*sigma"):
        merge_shards(other, [shard_path(out, 0, 2), shard_path(out, 1, 2)])
    assert other.read_bytes() == before
    assert main(argv + ["--overwrite"]) == 0
    assert len(read_tsv(victim)) == 6


def test_merge_own_output_again_is_fine_and_keeps_its_rows(tmp_path, shard_src):
    out = _shards(tmp_path, shard_src)
    assert merge_shards(out) == 6
    first = out.read_bytes()
    assert "shard" not in read_metadata(out)
    assert merge_shards(out) == 6  # its own output: recognised by the metadata, rows merged, nothing lost
    assert out.read_bytes() == first


def test_merge_refuses_a_missing_rank_unless_allowed(tmp_path, capsys, shard_src):
    out = _shards(tmp_path, shard_src, world=3)
    argv = ["merge", "--out", str(out), str(shard_path(out, 0, 3)), str(shard_path(out, 2, 3))]
    assert main(argv) == 2
    err = _err_line(capsys)
    assert "rank 1 of 3" in err and "--allow-partial" in err, err
    assert not out.exists()
    assert main(argv + ["--allow-partial"]) == 0
    assert [r["idx"] for r in read_tsv(out)] == ["0", "2", "3", "5"]
    shard_path(out, 1, 3).unlink()
    out.unlink()
    with pytest.raises(ValueError, match=r"rank 1 of 3"):  # found next to OUT: the same rule
        merge_shards(out)


def test_merge_refuses_shards_of_different_runs(tmp_path, shard_src):
    out = _shards(tmp_path, shard_src)
    shard_path(out, 1, 2).unlink()
    split = load_dataset(DATA, "test")
    certify_dataset(_model(0), split, "gaussian", 0.5, 10, 100, 0.001, 50, [1, 3, 5], shard_path(out, 1, 2),
                    device="cpu", progress=False, timing=False, seed=9, run_params={"shard": [1, 2]})
    with pytest.raises(ValueError, match=r"seed 0 .* vs 9"):
        merge_shards(out)
    assert not out.exists()


# ---------------------------------------------------------------------------------------------------------
# 4 / 14. SIGTERM like Ctrl-C; a file in use is refused, naming who holds it
# ---------------------------------------------------------------------------------------------------------

def test_file_in_use_is_refused_naming_the_holder(tmp_path):
    split = load_dataset(DATA, "test")
    out = tmp_path / "r.tsv"
    certify_dataset(_model(0), split, "gaussian", 0.5, 10, 100, 0.001, 50, [0], out, device="cpu", progress=False)
    before = out.read_bytes()
    with open(out, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ValueError, match=rf"in use.*pid {os.getpid()}"):
            certify_dataset(_model(0), split, "gaussian", 0.5, 10, 100, 0.001, 50, [0, 1], out, device="cpu",
                            progress=False, resume=True)
    assert out.read_bytes() == before
    certify_dataset(_model(0), split, "gaussian", 0.5, 10, 100, 0.001, 50, [0, 1], out, device="cpu",
                    progress=False, resume=True)
    assert len(read_tsv(out)) == 2


def test_sigterm_is_handled_like_ctrl_c(tmp_path, capsys, monkeypatch):
    """In-process (fast): SIGTERM during the run -> the Ctrl-C path (message naming the file and --resume, exit
    143) instead of the default action (the process killed without a word).  A handler of the test's own catches
    the signal if certify does not install one, so a regression fails here instead of killing pytest."""
    import empirical.certify as EC

    fallback = []

    def not_handled(signum, frame):
        fallback.append(signum)

    old = signal.signal(signal.SIGTERM, not_handled)
    try:
        def terminated(*a, **k):
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):  # the handler runs between bytecodes
                time.sleep(0.001)
            return []

        monkeypatch.setattr(EC, "certify_sharded", terminated)
        ck, out = tmp_path / "ck.pt", tmp_path / "r.tsv"
        _save(ck, 0)
        code = _certify(ck, out, "--max", "3")
        assert signal.getsignal(signal.SIGTERM) is not_handled  # restored after the run
    finally:
        signal.signal(signal.SIGTERM, old)
    assert not fallback, "certify did not handle SIGTERM"
    assert code == 143
    err = _err_line(capsys)
    assert "SIGTERM" in err and "--resume" in err and str(out) in err, err


def _rows_in(path: Path) -> int:
    try:
        return max(path.read_bytes().count(b"\n") - 2, 0)
    except FileNotFoundError:
        return 0


@pytest.mark.slow
def test_sigterm_stops_certify_cleanly_and_a_second_run_is_refused(tmp_path, capsys):
    """A real process: while it writes, a second certify --resume on the same file is refused naming its pid
    (it used to wait silently); SIGTERM then stops it like Ctrl-C (message, exit 143, only complete rows);
    --resume finishes to the bytes of an uninterrupted run."""
    ck, out = tmp_path / "ck.pt", tmp_path / "r.tsv"
    save_checkpoint(ck, build_model("bayes", DATA), make_meta(DATA, "bayes", "none", 1.0, 0))
    args = ["certify", "--checkpoint", str(ck), "--sigma", "0.5", "--n0", "10", "--n", "3000", "--batch", "1000",
            "--no-compile", "--no-timing", "--device", "cpu", "--max", "12"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-m", "empirical", *args, "--out", str(out)], cwd=str(ROOT), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while _rows_in(out) < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGSTOP)  # hold it mid-run while the second run tries
        try:
            assert proc.poll() is None, "the run finished before the test could stop it"
            assert main([*args, "--out", str(out), "--resume"]) == 2
            err = _err_line(capsys)
            assert "in use" in err and f"pid {proc.pid}" in err, err
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            os.kill(proc.pid, signal.SIGCONT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, stderr[-2000:]
    last = stderr.strip().splitlines()[-1]
    assert "SIGTERM" in last and "--resume" in last and str(out) in last, last
    data = out.read_bytes()
    assert data.endswith(b"\n") and 1 <= _rows_in(out) < 12
    assert main([*args, "--out", str(out), "--resume"]) == 0
    ref = tmp_path / "ref.tsv"
    assert main([*args, "--out", str(ref)]) == 0
    assert out.read_bytes() == ref.read_bytes()


@pytest.mark.parametrize("payload,certify_msg,replay_msg", [
    ("{not json", "line 2: the metadata is not valid JSON", "line 2: damaged '# rs-verify-certify' line"),
    ("[1, 2]", "line 2: the metadata is not a JSON object",
     "line 2: the '# rs-verify-certify' line must hold a JSON object"),
])
def test_a_damaged_metadata_line_is_refused_by_both_readers(tmp_path, payload, certify_msg, replay_msg):
    """certify's reader (resume, merge) and replay's reader decode line 2 the same way and refuse a damaged one,
    each naming the file and the line in its own words; an intact line reads back as the object."""
    from empirical.certify_tsv import METADATA_PREFIX, metadata_line, read_metadata
    from empirical.replay import read_log_metadata

    p = tmp_path / "run.tsv"
    p.write_text("idx\tlabel\tpredict\tradius\tcorrect\ttime\n" + METADATA_PREFIX + payload + "\n")
    with pytest.raises(ValueError, match=re.escape(certify_msg)):
        read_metadata(p)
    with pytest.raises(ValueError, match=re.escape(replay_msg)):
        read_log_metadata(p)
    p.write_text("idx\tlabel\tpredict\tradius\tcorrect\ttime\n" + metadata_line({"n": 3}) + "\n")
    assert read_metadata(p) == read_log_metadata(p) == {"n": 3}
