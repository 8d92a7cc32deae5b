"""Sequential CERTIFY against fixed-n CERTIFY on real models (issue 21) -> OUT/sequential.md, .json, figures.

  python -m empirical sequential-report --model 0.25=ck025.pt --model 0.5=ck05.pt --points 100 \\
      --data-dir ../shared/data --work runs/sequential --out reports/empirical

For every --model SIGMA=CHECKPOINT (a Gaussian-noise base classifier from `python -m empirical train`) the same
evenly spaced test points are certified with the same seed three ways -- fixed-n CERTIFY, target-radius mode
(--targets) and radius mode (--fraction) -- into TSVs under WORK/tsv (resumed when the command is run again with
the same settings).  The report gives forward passes per image, certified accuracy at each R both ways, radius
mode's median radius ratio and wall-clock, against the issue's goals.
"""

from __future__ import annotations

import argparse

NAME = "sequential-report"
HELP = "sequential (anytime-valid) CERTIFY vs fixed-n on real models -> OUT/sequential.* (issue 21)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", action="append", required=True, metavar="SIGMA=CHECKPOINT[@POINTS]",
                   help="a base classifier and the sigma it is certified with (repeat for several sigmas); @POINTS "
                        "overrides --points for this model")
    p.add_argument("--cohen-log", action="append", default=[], metavar="SIGMA=TSV",
                   help="also simulate the three procedures on the pA profile of a published certify log (Cohen et "
                        "al.'s CIFAR-10 logs in ../shared/data/cohen2019-certify; binomial ground truths)")
    p.add_argument("--data-dir", default=None, help="data directory (default: $RS_DATA_DIR)")
    p.add_argument("--points", type=int, default=100, help="evenly spaced test points per sigma (default: 100)")
    p.add_argument("--n0", type=int, default=100, help="selection draws (default: 100)")
    p.add_argument("--n", type=int, default=100_000, help="fixed n and the sequential budget cap (default: 100000)")
    p.add_argument("--alpha", type=float, default=0.001, help="alpha in (0, 1) (default: 0.001)")
    p.add_argument("--batch", type=int, default=256, help="noise draws per forward pass (default: 256)")
    p.add_argument("--targets", type=float, nargs="+", default=[0.25, 0.5, 0.75, 1.0], help="target radii R")
    p.add_argument("--fraction", type=float, default=0.05,
                   help="radius mode's stated loss against fixed n, in (0, 1) (default: 0.05)")
    p.add_argument("--cohen-fractions", type=float, nargs="+", default=None, metavar="F",
                   help="growth fractions of the --cohen-log simulations (default: --fraction)")
    p.add_argument("--modes", nargs="+", choices=("fixed", "target", "radius"), default=["fixed", "target", "radius"],
                   help="which runs (default: all three; 'fixed' is always needed for the report)")
    p.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True,
                   help="torch.compile the forward pass (default: on)")
    p.add_argument("--seed", type=int, default=0, help="seed of the noise (default: 0)")
    p.add_argument("--work", default="runs/sequential", help="TSV cache folder (default: runs/sequential)")
    p.add_argument("--out", default="reports/empirical", help="report folder (default: reports/empirical)")
    p.add_argument("--scale-note", default="", help="a sentence on the scale run (printed in the report)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from empirical import sequential_report as R
    from empirical.commands import _common as K
    from theory import validate as V

    V.count("points", args.points, minimum=1)
    V.count("n0", args.n0, minimum=1)
    V.count("n", args.n, minimum=1)
    V.count("batch", args.batch, minimum=1)
    V.in_open_interval("alpha", args.alpha, 0.0, 1.0)
    V.positive("fraction", args.fraction)
    if "fixed" not in args.modes:
        raise ValueError("modes: 'fixed' is the reference of every comparison; include it")
    models = [_model(m, args.points) for m in args.model]
    logs = [_cohen_log(m) for m in args.cohen_log]
    fracs = [V.positive("cohen-fractions", f) for f in (args.cohen_fractions or [args.fraction])]
    K.setup_threads()
    res = R.compute_sequential_report(
        models, logs, n0=args.n0, n=args.n, alpha=args.alpha, batch=args.batch, points=args.points,
        targets=list(args.targets), fraction=args.fraction, cohen_fractions=fracs, modes=args.modes,
        compile=args.compile, seed=args.seed, work=Path(args.work), data_dir=args.data_dir, progress=not args.quiet,
        command=K.command_line(NAME, f"python -m empirical {NAME} ..."), scale_note=args.scale_note)
    for p in R.write_sequential_report(res, args.out):
        print(f"wrote {p}")
    for line in res.to_dict()["verdicts"]:
        print(line)
    return 0


def _model(m: str, points: int) -> tuple[float, str, int]:
    """``SIGMA=CHECKPOINT[@POINTS]`` -> (sigma, checkpoint, points); a ValueError naming --model otherwise."""
    from pathlib import Path

    from theory import validate as V

    s, sep, path = m.partition("=")
    if not sep:
        raise ValueError(f"model: expected SIGMA=CHECKPOINT, got {m!r}")
    try:
        sigma = V.positive("model sigma", float(s))
    except ValueError:
        raise ValueError(f"model: expected SIGMA=CHECKPOINT with a number SIGMA > 0, got {m!r}") from None
    head, at, tail = path.rpartition("@")
    if at and tail.isdigit():
        path, points = head, V.count("model points", int(tail), minimum=1)
    if not Path(path).is_file():
        raise ValueError(f"model: checkpoint {path!r} not found")
    return sigma, path, points


def _cohen_log(m: str) -> tuple[float, str]:
    """``SIGMA=TSV`` -> (sigma, tsv); a ValueError naming --cohen-log otherwise."""
    from pathlib import Path

    from theory import validate as V

    s, sep, path = m.partition("=")
    try:
        sigma = V.positive("cohen-log sigma", float(s)) if sep else None
    except ValueError:
        sigma = None
    if sigma is None or not Path(path).is_file():
        raise ValueError(f"cohen-log: expected SIGMA=TSV with a number SIGMA > 0 and an existing file, got {m!r}")
    return sigma, path
