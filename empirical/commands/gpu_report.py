"""Device check of the empirical engine: the bench (engine against Cohen et al.'s CERTIFY loop, fp32 and
bf16), a short noise-trained CIFAR-10 ResNet (fast recipe) and its certification, the paired JPEG-75 vs
lossless certification of that model (when DIR has the pairs; OUT_DIR/NAME_jpeg_gap.md), recorded in
OUT_DIR/NAME.{md,json}; with --all also the CIFAR-10 experiment (paper Figures 1-3 on own models,
OUT_DIR/cifar10_cuda.md on CUDA).

  python -m empirical gpu-report --all --device cuda --data-dir DIR --time-budget 600
  python -m empirical gpu-report --device cpu --data-dir DIR          (CPU scale: a few minutes)
  python -m empirical gpu-report --all --dry-run --out-dir /tmp/dry   (tiny sizes, random data, seconds)

DIR holds the CIFAR-10 splits: train.npz (any subset of the training set) and test100.npz (the lossless
first 100 test images of ../shared/data/cifar10-lossless100), or any layout `empirical.data` reads for
--train-split / --cert-split; the shared data folder itself works too (cifar10-jpeg75/ is found).
"""

from __future__ import annotations

import argparse

from empirical.commands import _common as K

NAME = "gpu-report"
HELP = "bench + short CIFAR-10 training and certification on a device (--all: also the CIFAR-10 experiment)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", default=None,
                   help="directory with the CIFAR-10 splits (see above); required except with --dry-run")
    p.add_argument("--train-split", default="train", help="training split name (default: train)")
    p.add_argument("--cert-split", default="test100", help="split certified by the device check (default: test100)")
    p.add_argument("--arch", default="resnet20", help="CIFAR ResNet of the device check (default: resnet20)")
    p.add_argument("--sigma", type=float, default=0.25, help="Gaussian noise for training and certification "
                                                              "(default: 0.25)")
    p.add_argument("--scale", choices=("auto", "gpu", "cpu", "dry"), default="auto",
                   help="default sizes: gpu (minutes on one GPU), cpu (a few minutes on a CPU), dry (seconds); "
                        "auto = gpu on CUDA, cpu otherwise, dry with --dry-run (default: auto)")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default: per scale)")
    p.add_argument("--max-examples", type=int, default=None,
                   help="train on a seeded random subset of this many images (default: per scale; gpu: all)")
    p.add_argument("--max-seconds", type=float, default=None,
                   help="training time cap in seconds (stops after the epoch that passes it; default: per scale)")
    p.add_argument("--n0", type=int, default=100, help="selection draws of CERTIFY (default: 100)")
    p.add_argument("--n", type=int, default=None, help="estimation draws of CERTIFY (default: per scale)")
    p.add_argument("--count", type=int, default=None, help="images to certify (default: per scale)")
    p.add_argument("--batch", type=int, default=None, help="noise draws per forward pass (default: per scale)")
    p.add_argument("--bench-n", type=int, default=None, help="samples per timed bench run (default: per scale)")
    p.add_argument("--bench-reps", type=int, default=None, help="interleaved bench repetitions (default: per scale)")
    p.add_argument("--bench-archs", default=None, help="comma-separated architectures to bench (default: per scale)")
    p.add_argument("--all", action="store_true",
                   help="also run the CIFAR-10 experiment (paper Figures 1-3 on own models; cifar10_cuda.md on CUDA)")
    p.add_argument("--time-budget", type=float, default=None, metavar="SECONDS",
                   help="bound the whole run: the bench stops starting architectures after a quarter of it, "
                        "training is capped, certification stops between images, and --all's experiment gets "
                        "what is left (its own --time-budget); a report is written whatever is reached")
    p.add_argument("--dry-run", action="store_true",
                   help="tiny sizes (and random CIFAR-shaped data when --data-dir is not given): checks the script "
                        "end to end in seconds; the report says it is a dry run, not a measurement")
    p.add_argument("--out-dir", default="reports/empirical", help="report directory (default: reports/empirical)")
    p.add_argument("--name", default="gpu", help="file stem of the device-check report (default: gpu)")
    p.add_argument("--model-out", default=None, help="also save the trained checkpoint here")
    K.add_device_seed(p)


def run(args: argparse.Namespace) -> int:
    import dataclasses
    from pathlib import Path

    from empirical.device_check import (
        EXPERIMENT_FAILED,
        DeviceCheckSettings,
        compute_device_check,
        write_device_check_report,
    )

    K.setup_threads()
    settings = DeviceCheckSettings(**{f.name: getattr(args, f.name) for f in dataclasses.fields(DeviceCheckSettings)})
    res = compute_device_check(settings, command=K.command_line(NAME))
    md = write_device_check_report(res, args.out_dir)
    out = Path(args.out_dir)
    print(f"wrote {md}, {out / res.json_name}, {out / res.tsv_name}"
          + (f", {res.experiment['report']}" if res.experiment else ""))
    failed = [s for s in res.skipped if s.startswith(EXPERIMENT_FAILED)]
    if failed:  # the report is written; the run still did not do what was asked
        raise ValueError(f"{failed[0]} (the report {md} has everything else)")
    return 0
