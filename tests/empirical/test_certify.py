"""certify_dataset / the certify TSV (issue 6): columns, reproducibility, resumption (partial last line,
SIGKILL at random points), sharding with torchrun (2 CPU processes = 1 process), merging."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from empirical.certify import BASE_COLUMNS, certify_dataset, merge_shards, read_tsv, select_indices, shard_path
from empirical.data import load_dataset
from empirical.models import build_model, make_meta, save_checkpoint
from theory import certificates as C

#: torchrun through this interpreter (a bare `torchrun` on PATH may belong to another Python)
TORCHRUN = [sys.executable, "-m", "torch.distributed.run"]

D = 16
DATASET = f"synthetic:{D}:2"
KW = dict(mechanism="gaussian", sigma=0.5, n0=20, n=300, alpha=0.001, batch=128, device="cpu", seed=3,
          timing=False, progress=False)


@pytest.fixture(scope="module")
def setup():
    split = load_dataset(DATASET, "test")
    model = build_model("bayes", split.info).eval()
    return model, split


def _run(setup, out, indices, **kw):
    model, split = setup
    args = dict(KW)
    args.update(kw)
    return certify_dataset(model, split, args.pop("mechanism"), args.pop("sigma"), args.pop("n0"), args.pop("n"),
                           args.pop("alpha"), args.pop("batch"), indices, out, **args)


def test_tsv_columns_and_values(setup, tmp_path):
    out = tmp_path / "r.tsv"
    rows = _run(setup, out, range(6))
    lines = out.read_text().splitlines()
    header = lines[0].split("\t")
    assert header[:6] == ["idx", "label", "predict", "radius", "correct", "time"]  # Cohen et al.'s columns
    assert header == BASE_COLUMNS + list(C.RADIUS_COLUMNS["gaussian"])
    assert lines[1].startswith("# rs-verify-certify {")  # the metadata line (issue 20)
    assert len(lines) == 8 and len(rows) == 6
    for r, line in zip(read_tsv(out), rows, strict=False):
        assert float(r["pA_lower"]) == line["pA_lower"]  # repr precision: exact round trip
        ref = C.certify_from_counts(int(r["nA"]), int(r["n"]), 0.001, 0.5, "cohen")
        assert float(r["pA_lower"]) == ref.pA_lower
        assert int(r["correct"]) == int(int(r["predict"]) == int(r["label"]))
        assert r["time"] == "0:00:00"


def test_same_seed_same_file_other_seed_differs(setup, tmp_path):
    _run(setup, tmp_path / "a.tsv", range(8))
    _run(setup, tmp_path / "b.tsv", range(8))
    _run(setup, tmp_path / "c.tsv", range(8), seed=4)
    a = (tmp_path / "a.tsv").read_bytes()
    assert a == (tmp_path / "b.tsv").read_bytes()
    assert a != (tmp_path / "c.tsv").read_bytes()


def test_resume_partial_last_line(setup, tmp_path):
    ref, out = tmp_path / "ref.tsv", tmp_path / "r.tsv"
    _run(setup, ref, range(10))
    data = ref.read_bytes()
    lines = data.split(b"\n")
    partial = b"\n".join(lines[:6]) + b"\n" + lines[6][:7]  # header + metadata + 4 rows + a cut row
    out.write_bytes(partial)
    new = _run(setup, out, range(10), resume=True)
    assert [r["idx"] for r in new] == list(range(4, 10))
    assert out.read_bytes() == data


def test_existing_file_refused_and_params_checked(setup, tmp_path):
    out = tmp_path / "r.tsv"
    _run(setup, out, range(2))
    with pytest.raises(ValueError, match="resume"):
        _run(setup, out, range(2))
    with pytest.raises(ValueError, match="sigma"):
        _run(setup, out, range(3), resume=True, sigma=0.25)
    _run(setup, out, range(3), overwrite=True)
    assert len(read_tsv(out)) == 3


def test_resume_refused_after_a_header_change_file_untouched(setup, tmp_path):
    """A resume refused because of the TSV header (other columns) leaves the file as it was."""
    out = tmp_path / "r.tsv"
    _run(setup, out, range(2), run_params={"extra": 1})
    lines = out.read_text().splitlines(keepends=True)
    out.write_text(lines[0].replace("pA_lower", "pA_low") + "".join(lines[1:]))
    before = out.read_bytes()
    with pytest.raises(ValueError, match="header"):
        _run(setup, out, range(3), resume=True, run_params={"extra": 1})
    assert out.read_bytes() == before


def test_unwritable_output_fails_before_work(setup, tmp_path):
    with pytest.raises(ValueError, match="out"):
        _run(setup, tmp_path, range(2))  # a directory
    with pytest.raises(ValueError, match="out"):
        _run(setup, "/proc/empirical-cannot-write/r.tsv", range(2))


def test_select_indices_like_cohen():
    assert select_indices(10, 3) == [0, 3, 6, 9]
    assert select_indices(100, 20, 50) == [0, 20, 40]
    with pytest.raises(ValueError, match="skip"):
        select_indices(10, 0)


def _child(setup, out, indices):
    try:
        torch.set_num_threads(1)
        _run(setup, out, indices, resume=True)
        os._exit(0)
    except BaseException:  # noqa: BLE001
        os._exit(1)


def _data_rows(path) -> int:
    """Complete data lines in a TSV being written (header and a partial last line not counted)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return 0
    return max(data.count(b"\n") - 1, 0)


def test_sigkill_at_random_points_then_resume(setup, tmp_path):
    """A certify run killed with SIGKILL at random moments (6 kills, fixed seed for the kill points) and
    resumed each time ends with exactly the rows of an uninterrupted run: none lost, none duplicated.

    Each kill lands after the child has written a random number (1-4) of new rows plus a random fraction of
    one example's time, so the number of kills that land mid-run does not depend on the machine's load
    (the kill points are timed on the child's own progress, not on a reference run's wall time)."""
    indices = list(range(0, 120, 2))
    kw = dict(n=8000, batch=500)
    ref = tmp_path / "ref.tsv"
    t0 = time.perf_counter()
    _run(setup, ref, indices, **kw)
    per_row = (time.perf_counter() - t0) / len(indices)
    out = tmp_path / "killed.tsv"
    rng = np.random.default_rng(20190208)
    kills, progress = 0, []
    old = dict(KW)
    KW.update(kw)
    try:
        for _attempt in range(40):
            base = _data_rows(out)
            target = base + int(rng.integers(1, 5))
            jitter = rng.uniform(0.0, 1.0) * per_row
            pid = os.fork()
            if pid == 0:  # child: resume the run
                _child(setup, out, indices)
            finished, kill_at = False, None
            guard = time.monotonic() + 120.0
            while time.monotonic() < guard:
                wpid, status = os.waitpid(pid, os.WNOHANG)
                if wpid:
                    finished = True
                    assert os.WEXITSTATUS(status) == 0
                    break
                now = time.monotonic()
                if kill_at is None and _data_rows(out) >= target:
                    kill_at = now + jitter
                if kill_at is not None and now >= kill_at:
                    break
                time.sleep(0.002)
            if finished:
                break
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            kills += 1
            progress.append(len(read_tsv(out)) if out.exists() else 0)
            if kills >= 6:
                _run(setup, out, indices, resume=True)
                break
    finally:
        KW.clear()
        KW.update(old)
    assert kills == 6, f"only {kills} kills landed mid-run"
    rows = [int(r["idx"]) for r in read_tsv(out)]
    assert rows == indices  # none lost, none duplicated, in order
    assert out.read_bytes() == ref.read_bytes()  # bitwise the uninterrupted run
    assert progress == sorted(progress) and progress[-1] > 0


def test_merge_shards(setup, tmp_path):
    out = tmp_path / "m.tsv"
    ref = tmp_path / "ref.tsv"
    _run(setup, ref, range(7))
    for r in range(3):
        _run(setup, shard_path(out, r, 3), list(range(7))[r::3])
    assert merge_shards(out) == 7
    assert out.read_bytes() == ref.read_bytes()
    # a conflicting duplicate is refused
    bad = shard_path(out, 1, 3)
    lines = bad.read_text().splitlines()
    first = read_tsv(shard_path(out, 0, 3))[0]
    fields = lines[2].split("\t")  # lines[1] is the metadata
    fields[0] = first["idx"]
    fields[2] = "1" if first["predict"] != "1" else "0"
    bad.write_text("\n".join(lines[:2] + ["\t".join(fields)] + lines[3:]) + "\n")
    with pytest.raises(ValueError, match="conflicting"):
        merge_shards(out)


def _simulate_sharded(setup, out, indices, world, **kw):
    """A torchrun run without processes: rank 0's decision, then every rank's share, then rank 0's merge --
    the same three functions :func:`certify_sharded` calls between its collectives."""
    from empirical.certify import decide_sharded_output, finish_sharded, rank_indices

    model, split = setup
    args = dict(KW)
    args.update(kw)
    resume, overwrite = args.pop("resume", False), args.pop("overwrite", False)
    plan = decide_sharded_output(out, world, resume=resume, overwrite=overwrite)
    plan.apply()
    for r in range(world):
        a = dict(args)
        certify_dataset(model, split, a.pop("mechanism"), a.pop("sigma"), a.pop("n0"), a.pop("n"), a.pop("alpha"),
                        a.pop("batch"), rank_indices(indices, r, world, plan), shard_path(out, r, world),
                        resume=resume, overwrite=False, **a)
    return finish_sharded(out, world, plan)


def test_sharded_refuses_nonempty_out_like_single_process(setup, tmp_path):
    """Issue 15.1: a sharded run over a non-empty OUT used to replace it silently (45 rows -> the shards' rows,
    the earlier ones gone).  Now: refused (OUT untouched) unless --resume (earlier rows kept, not recomputed)
    or --overwrite."""
    from empirical.certify import decide_sharded_output

    out, ref = tmp_path / "r.tsv", tmp_path / "ref.tsv"
    _run(setup, ref, range(9))
    _run(setup, out, range(5))
    before = out.read_bytes()
    with pytest.raises(ValueError, match=r"exists and is not empty; pass --resume .* or --overwrite"):
        decide_sharded_output(out, 2, resume=False, overwrite=False)
    assert out.read_bytes() == before
    # stale shards alone (a run stopped before its merge) are refused too
    shard = shard_path(tmp_path / "s.tsv", 1, 2)
    shard.write_text("idx\n")
    with pytest.raises(ValueError, match="not empty"):
        decide_sharded_output(tmp_path / "s.tsv", 2, resume=False, overwrite=False)
    # --resume keeps OUT's rows and certifies only the rest
    _simulate_sharded(setup, out, range(9), 2, resume=True)
    assert out.read_bytes() == ref.read_bytes()
    assert read_tsv(shard_path(out, 0, 2)) + read_tsv(shard_path(out, 1, 2)) != []
    assert {int(r["idx"]) for f in (0, 1) for r in read_tsv(shard_path(out, f, 2))} == set(range(5, 9))
    # --overwrite starts again, stale shards included
    _simulate_sharded(setup, out, range(3), 2, overwrite=True)
    assert [int(r["idx"]) for r in read_tsv(out)] == [0, 1, 2]


@pytest.mark.skipif(shutil.which("torchrun") is None, reason="torchrun not on PATH")
def test_torchrun_two_cpu_processes_equal_one(setup, tmp_path):
    model, split = setup
    ck = tmp_path / "bayes.pt"
    save_checkpoint(ck, model, make_meta(split.info, "bayes", "none", 1.0, 0))
    out = tmp_path / "sharded.tsv"
    args = ["--checkpoint", str(ck), "--sigma", "0.5", "--n0", "20", "--N", "300", "--batch", "128",
            "--max-index", "11", "--no-compile", "--no-timing", "--device", "cpu", "--seed", "3", "--out", str(out)]
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    proc = subprocess.run([*TORCHRUN, "--standalone", "--nproc_per_node", "2", "-m", "empirical",
                           "certify", *args], capture_output=True, text=True, env=env, timeout=180,
                          cwd=str(Path(__file__).resolve().parents[2]))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert shard_path(out, 0, 2).exists() and shard_path(out, 1, 2).exists()
    # one process, same seed and settings: the same bytes, metadata line included (the shards' "shard" key gone)
    from empirical.certify import read_metadata
    from empirical.cli import main

    ref = tmp_path / "one.tsv"
    assert main(["certify", *args[:-1], str(ref)]) == 0
    assert out.read_bytes() == ref.read_bytes()
    assert read_metadata(shard_path(out, 1, 2))["shard"] == [1, 2] and "shard" not in read_metadata(out)
    assert [int(r["idx"]) for r in read_tsv(out)] == list(range(11))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("torchrun") is None, reason="torchrun not on PATH")
def test_torchrun_over_single_process_output_refused_then_resumed(setup, tmp_path):
    """Issue 15.1 end to end (the README's certify line, then its torchrun line, same --out): refused with the
    file untouched; with --resume the earlier rows are kept and the result equals one uninterrupted run."""
    from empirical.cli import main

    model, split = setup
    ck = tmp_path / "bayes.pt"
    save_checkpoint(ck, model, make_meta(split.info, "bayes", "none", 1.0, 0))
    out = tmp_path / "sharded.tsv"
    args = ["--checkpoint", str(ck), "--sigma", "0.5", "--n0", "20", "--N", "300", "--batch", "128",
            "--no-compile", "--no-timing", "--device", "cpu", "--seed", "3", "--out", str(out)]
    assert main(["certify", *args, "--max-index", "4"]) == 0
    first = out.read_bytes()
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")

    def torchrun(*extra):
        return subprocess.run([*TORCHRUN, "--standalone", "--nproc_per_node", "2", "-m", "empirical",
                               "certify", *args, "--max-index", "11", *extra], capture_output=True, text=True,
                              env=env, timeout=180, cwd=str(Path(__file__).resolve().parents[2]))

    proc = torchrun()
    assert proc.returncode != 0 and "pass --resume" in proc.stderr, proc.stderr[-3000:]  # torchrun itself exits 1
    assert out.read_bytes() == first
    proc = torchrun("--resume")
    assert proc.returncode == 0, proc.stderr[-3000:]
    ref = tmp_path / "one.tsv"
    assert main(["certify", *args[:-1], str(ref), "--max-index", "11"]) == 0
    assert out.read_bytes() == ref.read_bytes()


def test_plan_printed_and_rate_measured_after_the_warmup(setup, tmp_path, capsys, monkeypatch):
    """Issue 15.9: before the first example, one line with the plan (examples x (n0 + n) draws) and an estimate
    from a short timed warm-up; the progress bar (its rate, its ETA) starts after compilation/warm-up."""
    import empirical.certify as EC
    from empirical.core import Smooth

    events = []
    orig_warmup, orig_bar = Smooth.warmup, EC.progress_bar

    def warmup(self, *a, **k):
        events.append("warmup")
        return orig_warmup(self, *a, **k)

    def bar(*a, **k):
        events.append("bar")
        return orig_bar(*a, **k)

    monkeypatch.setattr(Smooth, "warmup", warmup)
    monkeypatch.setattr(EC, "progress_bar", bar)
    _run(setup, tmp_path / "r.tsv", range(3), progress=True)
    err = capsys.readouterr().err
    plan = [ln for ln in err.splitlines() if ln.startswith("certify plan:")]
    assert len(plan) == 1, err
    assert "3 examples" in plan[0] and "(n0 20 + n 300)" in plan[0] and "estimated" in plan[0], plan[0]
    assert events == ["warmup", "bar"]
