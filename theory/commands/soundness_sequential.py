"""python -m theory soundness-sequential: sequential (anytime-valid) CERTIFY on ground-truth binomial models.

Two routes (theory.sequential_soundness): the exact false-certificate probability by dynamic programming over
sample paths at a small cap (sequential target and radius modes, and the planted peeking bug -- fixed-n
Clopper-Pearson recomputed at every look -- at the same looks), and Monte Carlo at the real cap (100,000 draws,
batch 1000, sigma in {0.25, 0.5, 1}, R in {0.25, 0.5, 0.75, 1}, worst-case pA just below each level; radius mode
across pA) with a one-sided Clopper-Pearson upper bound at 1 - 1e-6 that must be <= alpha.

Writes OUT/sequential_soundness.md and OUT/sequential_soundness.json.  Exit status 1 when a sequential setting is
unsound or the planted bug is not detected.  Default 100,000 runs per setting: a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import shlex
import sys

NAME = "soundness-sequential"
HELP = "sequential CERTIFY (issue 21): exact DP + Monte Carlo false-certificate rates -> OUT/sequential_soundness.*"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trials", type=float, default=100_000, help="runs per Monte Carlo setting (default 100000)")
    parser.add_argument("--alpha", type=float, default=0.001, help="alpha in (0, 1) of the Monte Carlo (default 0.001)")
    parser.add_argument("--seed", type=float, default=0, help="random seed (integer >= 0; default 0)")
    parser.add_argument("--exact-budget", type=float, default=2000,
                        help="cap of the exact dynamic program (integer >= 10; default 2000)")
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from theory import sequential_soundness as S
    from theory import validate as V

    trials = V.count("--trials", args.trials, minimum=1)
    seed = V.count("--seed", args.seed)
    alpha = V.in_open_interval("--alpha", args.alpha, 0.0, 1.0)
    eb = V.count("--exact-budget", args.exact_budget, minimum=10)
    Path(args.out).mkdir(parents=True, exist_ok=True)  # fail before minutes of work, not after
    argv = sys.argv[1:] if sys.argv and sys.argv[0].endswith("__main__.py") else [NAME]
    say = None if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    res = S.compute_sequential_soundness(trials=trials, alpha=alpha, seed=seed, exact_budget=eb, progress=say,
                                         command="python -m theory " + " ".join(shlex.quote(a) for a in argv))
    md, _ = S.write_sequential_soundness_report(res, args.out)
    print(f"sequential sound: {res.sequential_sound}; peeking bug detected: {res.peeking_cp_fails}; "
          f"wrote {md} in {res.runtime_s:.0f} s")
    return 0 if res.sequential_sound and res.peeking_cp_fails else 1
