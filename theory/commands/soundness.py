"""python -m theory soundness: how often does each certificate certify more than the TRUE robust radius?

Cohen et al.'s CERTIFY is simulated on ground-truth classifiers whose smoothed probabilities and true robust
radius are exact (half-spaces under Gaussian noise in l2 and l_inf, the axis rule under eq.-6 noise, the
max+min rule under eq.-6 noise -- the worst case, true radius = Yang et al.'s -- and three parallel classes),
drawing the counts from their exact binomial / multinomial law (fixed seed, vectorised).
For every certificate of theory.certificates and every setting: failures, rate with its Clopper-Pearson
interval, the exact failure probability (binary settings), alpha and a verdict.

Writes OUT/soundness.md, OUT/soundness.json (or --json PATH; "-" prints it) and OUT/soundness_rates.png.
Default: 1020 settings x 10,000 runs (10.2 million CERTIFY runs), about 10 s on 2 CPU cores; thorough:
--trials 100000 (102 million runs, about 20 s: the cost is dominated by the exact computations, not the draws).
"""

from __future__ import annotations

import argparse
import shlex
import sys

NAME = "soundness"
HELP = "simulated CERTIFY on ground-truth classifiers: failure rate of every certificate -> reports/soundness.*"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trials", type=float, default=10_000,
                        help="CERTIFY runs per setting (integer >= 1; default 10000)")
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument("--json", default=None, metavar="PATH",
                        help="where to write the JSON (default OUT/soundness.json; '-' prints it to stdout)")
    parser.add_argument("--alpha", type=float, default=0.001, help="CERTIFY's alpha in (0, 1) (default 0.001)")
    parser.add_argument("--n0", type=float, default=100, help="selection draws n0 (integer >= 1; default 100)")
    parser.add_argument("--seed", type=float, default=0, help="random seed (integer >= 0; default 0)")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figure")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from theory import soundness as S
    from theory import validate as V
    from theory.cli import print_json

    trials = V.count("--trials", args.trials, minimum=1)
    n0 = V.count("--n0", args.n0, minimum=1)
    seed = V.count("--seed", args.seed)
    alpha = V.in_open_interval("--alpha", args.alpha, 0.0, 1.0)
    to_stdout = args.json == "-"
    json_path = None if to_stdout else args.json
    argv = sys.argv[1:] if sys.argv and sys.argv[0].endswith("__main__.py") else ["soundness"]
    S.check_outputs(args.out, json_path)  # fail before the long computation
    res = S.compute_soundness(trials=trials, alpha=alpha, n0=n0, seed=seed, progress=not args.quiet,
                              command="python -m theory " + " ".join(shlex.quote(a) for a in argv))
    written = S.write_soundness_report(res, args.out, json_path=json_path, figures=not args.no_figures)
    if to_stdout:
        print_json(res.to_dict())
        return 0
    for s in res.summary:
        print(f"{s['certificate']:24s} {s['verdict']:26s} max rate {s['max_rate']:.4g}  "
              f"({s['unsound_settings']}/{s['settings']} settings unsound)")
    print(f"wrote {', '.join(str(p) for p in written)} in {res.runtime_s:.1f} s "
          f"({res.total_certify_runs:,} CERTIFY runs)", file=sys.stderr)
    return 0
