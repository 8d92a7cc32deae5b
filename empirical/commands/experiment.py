"""Run one of the paper's experiments end to end and write its report into --out.

  python -m empirical experiment replay  --data-dir ../shared/data --out reports/empirical
  python -m empirical experiment digits  --out reports/empirical                      (offline, CPU)
  python -m empirical experiment mnist   --data-dir ../shared/data/mnist --out reports/empirical
  python -m empirical experiment cifar10 --data-dir ../shared/data/cifar10-jpeg75 --out reports/empirical
  python -m empirical experiment sweep   --data-dir ../shared/data --out reports/empirical
  python -m empirical experiment cifar10 --device cuda --scale gpu --data-dir DATA --out reports/empirical
      -> reports/empirical/cifar10_cuda.md

NAME: replay (Cohen et al.'s published CIFAR-10 logs), digits (d = 64), mnist (d = 784), cifar10 (d = 3072,
JPEG-75 copy, lossy) -- the paper's Figures 1-3 on our own noise-trained models -- and sweep (median certified
l_inf radius vs d: CIFAR-10 resampled to 8, 16, 24, 32 px, digits, MNIST).

--scale: cpu (default on the CPU: MLPs, n = 2000, 100 test points), gpu (default on CUDA: ~10 min on one
GPU), paper (Cohen et al.'s n = 100,000, 500 points, ResNet-110; hours).  --data-dir may point at the
shared data folder or directly at the data set's folder (mnist/, cifar10-jpeg75/); $RS_DATA_DIR is the
default.  Report names: NAME.md on the CPU, NAME_cuda.md on CUDA, plus _SCALE for a non-default scale.
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "experiment"
HELP = "run one of the paper's experiments (replay, digits, mnist, cifar10, sweep) and write its report"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from empirical.experiments import EXPERIMENTS, SCALES

    p.add_argument("name", choices=EXPERIMENTS, metavar="NAME", help="one of: " + ", ".join(EXPERIMENTS))
    p.add_argument("--out", default="reports/empirical", help="report directory (default: reports/empirical)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="cpu", help="default: cpu")
    p.add_argument("--scale", choices=SCALES, default=None, help="cpu | gpu | paper (default: cpu on the CPU, gpu on "
                                                                  "CUDA)")
    p.add_argument("--data-dir", default=None, help="data folder (default: $RS_DATA_DIR)")
    p.add_argument("--work", default="runs/experiments",
                   help="cache of trained models and certification TSVs (default: runs/experiments)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    g = p.add_argument_group("overrides of the scale's sizes")
    g.add_argument("--arch", default=None, help="base classifier architecture (cnn, mlp, resnet20, resnet110, ...)")
    g.add_argument("--epochs", type=int, default=None)
    g.add_argument("--points", type=int, default=None, help="number of test points")
    g.add_argument("--n0", type=int, default=None)
    g.add_argument("--n", type=int, default=None)
    g.add_argument("--alpha", type=float, default=None)
    g.add_argument("--batch", type=int, default=None, help="noise draws per forward pass")
    g.add_argument("--train-examples", type=int, default=None)
    p.add_argument("--time-budget", type=float, default=None, metavar="SECONDS",
                   help="digits/mnist/cifar10: bound the whole run (training and certification) by SECONDS: each "
                        "model still to train gets its share of what is left (training stops after the epoch that "
                        "passes it), and a certification run starts only while it still fits (skipped runs are "
                        "listed in the report); a run in progress is not interrupted, so the total can exceed "
                        "SECONDS by at most one certification run. Not applied by the sweep")
    p.add_argument("--name", dest="name_stem", default=None, help="report file stem (default: NAME[_cuda][_SCALE])")
    p.add_argument("--sigmas", default=None,
                   help="scale cohen: comma-separated training sigmas to run (default: 0.25,0.5,1); run one "
                        "process per sigma with the same --work, then once more with all to write the report")
    p.add_argument("--mechanisms", default=None,
                   help="scale cohen: comma-separated mechanisms whose certification runs this process computes "
                        "(gaussian, exponential-linf; default: both); the others are read from --work as they are")
    p.add_argument("--report-only", action="store_true",
                   help="scale cohen: compute nothing; write the report from the models and TSV rows in --work")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


def command_line(args: argparse.Namespace) -> str:
    import shlex

    parts = ["python", "-m", "empirical", "experiment", args.name]
    for opt, val in (("--data-dir", args.data_dir), ("--device", args.device if args.device != "cpu" else None),
                     ("--scale", args.scale), ("--seed", args.seed if args.seed else None),
                     ("--threads", args.threads), ("--arch", args.arch), ("--epochs", args.epochs),
                     ("--points", args.points), ("--n0", args.n0), ("--n", args.n), ("--alpha", args.alpha),
                     ("--batch", args.batch), ("--train-examples", args.train_examples),
                     ("--time-budget", args.time_budget), ("--name", args.name_stem), ("--sigmas", args.sigmas),
                     ("--mechanisms", args.mechanisms),
                     ("--work", args.work if args.work != "runs/experiments" else None), ("--out", args.out)):
        if val is not None:
            parts += [opt, str(val)]
    return shlex.join(parts)


def _data_dir(name: str, data_dir: str | Path | None) -> Path | None:
    """Accept the shared data folder or the data set's own folder."""
    if data_dir is None:
        return None
    d = Path(data_dir)
    if not d.is_dir():
        raise ValueError(f"data_dir: {str(d)!r} is not a directory")
    if name == "cifar10" and (d / "cifar10-jpeg75").is_dir():
        return d / "cifar10-jpeg75"
    if name == "mnist" and (d / "mnist").is_dir():
        return d / "mnist"
    return d


def run(args: argparse.Namespace) -> int:
    from empirical.experiments import run_experiment
    from theory import validate as V

    if args.threads is not None:
        import torch

        torch.set_num_threads(V.count("threads", args.threads, minimum=1))
    V.count("seed", args.seed, minimum=0)
    data_dir = _data_dir(args.name, args.data_dir)
    if args.name == "sweep" and data_dir is not None:
        from pathlib import Path

        if not (Path(data_dir) / "cifar10-jpeg75").is_dir() or not (Path(data_dir) / "mnist").is_dir():
            raise ValueError(f"data_dir: the sweep needs the shared data folder holding mnist/ and cifar10-jpeg75/, "
                             f"got {str(data_dir)!r}")
    overrides = {"arch": args.arch, "epochs": args.epochs, "points": args.points, "n0": args.n0, "n": args.n,
                 "alpha": args.alpha, "batch": args.batch, "train_examples": args.train_examples}
    sigmas = None
    if args.sigmas is not None:
        try:
            sigmas = [float(t) for t in args.sigmas.split(",") if t.strip()]
        except ValueError:
            raise ValueError(f"sigmas: comma-separated numbers > 0 expected, got {args.sigmas!r}") from None
        if not sigmas:
            raise ValueError(f"sigmas: at least one sigma > 0 expected, got {args.sigmas!r}")
    if (args.sigmas is not None or args.report_only or args.mechanisms is not None) and args.scale != "cohen":
        raise ValueError("scale: --sigmas, --mechanisms and --report-only belong to --scale cohen")
    mechanisms = None if args.mechanisms is None else [m.strip() for m in args.mechanisms.split(",") if m.strip()]
    summary = run_experiment(args.name, out=args.out, device=args.device, scale=args.scale, data_dir=data_dir,
                             seed=args.seed, work=args.work, command=command_line(args),
                             progress=not args.no_progress, overrides=overrides, time_budget=args.time_budget,
                             name=args.name_stem, sigmas=sigmas, report_only=args.report_only,
                             mechanisms=mechanisms)
    if args.json:
        from theory.cli import print_json

        print_json(summary)
    else:
        print(f"report: {summary.get('report')} ({summary.get('seconds', float('nan')):.0f} s)")
    return 0
