"""Issue 20.12: ``gpu-report --all --dry-run --out-dir DIR`` (the example of its own --help) runs, and a failing
``--all`` experiment still leaves ``gpu.md`` next to ``gpu.json`` (then exit 2 with one line)."""

from __future__ import annotations

import json

import pytest

from empirical import device_check as DC
from empirical.cli import main


def test_experiment_reads_the_jpeg_folder_only_when_it_holds_the_training_split(tmp_path):
    fake = DC._fake_cifar(tmp_path / "fake")  # --dry-run's random data: cifar10-jpeg75/ holds test pairs only
    assert (fake / "cifar10-jpeg75").is_dir() and (fake / "train.npz").is_file()
    assert DC.experiment_data_dir(fake) == fake
    shared = tmp_path / "shared"  # ../shared/data: cifar10-jpeg75/{train,test}.npz
    (shared / "cifar10-jpeg75").mkdir(parents=True)
    (shared / "cifar10-jpeg75" / "train.npz").write_bytes(b"")
    assert DC.experiment_data_dir(shared) == shared / "cifar10-jpeg75"


@pytest.mark.slow  # trains and certifies a tiny model: ~30 s on a loaded 2-core machine
def test_failed_all_experiment_still_writes_the_report_and_exits_2(tmp_path, monkeypatch, capsys):
    import torch

    import empirical.experiments as X

    def boom(*a, **k):
        raise ValueError("data_dir: no CIFAR-10 split 'train' under 'somewhere'")

    monkeypatch.setattr(X, "run_experiment", boom)
    torch.set_num_threads(1)
    rc = main(["gpu-report", "--all", "--dry-run", "--device", "cpu", "--out-dir", str(tmp_path), "--bench-archs", "",
               "--arch", "mlp", "--count", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and err[-1].startswith("python -m empirical gpu-report: error: CIFAR-10 experiment (--all) "
                                          "failed: data_dir: no CIFAR-10 split 'train'"), err[-3:]
    md = (tmp_path / "gpu.md").read_text()
    assert "CIFAR-10 experiment (--all) failed" in md and "Certification" in md
    assert json.loads((tmp_path / "gpu.json").read_text())["experiment"] is None


@pytest.mark.slow
def test_gpu_report_help_example_all_dry_run(tmp_path, monkeypatch):
    """The --help example verbatim (device auto: the CPU here), minutes on a CPU: gpu.md, gpu.json and the dry
    CIFAR-10 experiment's report."""
    import torch

    torch.set_num_threads(1)
    monkeypatch.chdir(tmp_path)  # the experiment's default work folder stays out of the checkout
    assert main(["gpu-report", "--all", "--dry-run", "--out-dir", str(tmp_path / "dry")]) == 0
    for f in ("gpu.md", "gpu.json", "cifar10_dry.md"):
        assert (tmp_path / "dry" / f).is_file(), f
    assert "failed" not in (tmp_path / "dry" / "gpu.md").read_text()
