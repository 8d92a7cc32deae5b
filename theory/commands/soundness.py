"""python -m theory soundness: how often does each certificate certify more than the TRUE robust radius?

Cohen et al.'s CERTIFY is simulated on ground-truth classifiers whose smoothed probabilities and true robust
radius are exact (half-spaces under Gaussian noise in l2 and l_inf, the axis rule under eq.-6 noise, the
max+min rule under eq.-6 noise -- the worst case, true radius = Yang et al.'s -- and three parallel classes),
drawing the counts from their exact binomial / multinomial law (fixed seed, vectorised).
For every certificate of theory.certificates and every setting: failures, rate with its Clopper-Pearson
interval, the exact failure probability (binary settings), alpha and a verdict.

Writes OUT/soundness.md, OUT/soundness.json (or --json-out PATH) and OUT/soundness_rates.png; --json also prints
the JSON object on stdout.
Default: 1020 settings x 10,000 runs (10.2 million CERTIFY runs), about 10 s on 2 CPU cores; thorough:
--trials 100000 (102 million runs, about 20 s: the cost is dominated by the exact computations, not the draws).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "soundness"
HELP = "simulated CERTIFY on ground-truth classifiers: failure rate of every certificate -> reports/soundness.*"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trials", type=float, default=10_000,
                        help="CERTIFY runs per setting (integer >= 1; default 10000)")
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument("--json-out", default=None, metavar="PATH",
                        help="where to write the JSON file (default OUT/soundness.json)")
    parser.add_argument("--json", action="store_true",
                        help="print the result as one JSON object on stdout (the files are written as well)")
    parser.add_argument("--alpha", type=float, default=0.001, help="CERTIFY's alpha in (0, 1) (default 0.001)")
    parser.add_argument("--n0", type=float, default=100, help="selection draws n0 (integer >= 1; default 100)")
    parser.add_argument("--seed", type=float, default=0, help="random seed (integer >= 0; default 0)")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figure")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from theory import soundness as S
    from theory import validate as V
    from theory.cli import command_line, output_file, output_folder

    trials = V.count("--trials", args.trials, minimum=1)
    n0 = V.count("--n0", args.n0, minimum=1)
    seed = V.count("--seed", args.seed)
    alpha = V.in_open_interval("--alpha", args.alpha, 0.0, 1.0)
    json_path = args.json_out
    output_folder("--out", args.out)  # fail before the long computation, creating nothing
    if json_path is not None:
        output_file("--json-out", json_path)
    res = S.compute_soundness(trials=trials, alpha=alpha, n0=n0, seed=seed, progress=not args.quiet,
                              command=command_line(args, "python -m theory soundness"))
    written = S.write_soundness_report(res, args.out, json_path=json_path, figures=not args.no_figures)
    if args.json:  # the object of the JSON file, as written
        json_file = Path(json_path) if json_path is not None else Path(args.out) / "soundness.json"
        print(json_file.read_text(encoding="utf-8"), end="")
        return 0
    for s in res.summary:
        print(f"{s['certificate']:24s} {s['verdict']:26s} max rate {s['max_rate']:.4g}  "
              f"({s['unsound_settings']}/{s['settings']} settings unsound)")
    print(f"wrote {', '.join(str(p) for p in written)} in {res.runtime_s:.1f} s "
          f"({res.total_certify_runs:,} CERTIFY runs)", file=sys.stderr)
    return 0
