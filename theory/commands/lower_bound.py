"""Explicit lower bound on the noise magnitude of robust mechanisms (T12, T16, T17 repaired; issue 11).

  python -m theory lower-bound --claim T16 --dim 1000 --eps 1 --json
  python -m theory lower-bound --claim T17 --dim 1e6 --eps 0.5 --r 0.1
"""

from __future__ import annotations

import argparse

NAME = "lower-bound"
HELP = "rigorous lower bound on E||A(x)-x||_inf for T12/T16/T17 (repaired) vs the best known mechanism"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--claim", required=True, help="T12 (l2, DMR), T16 (l_inf, D_inf) or T17 (l_inf, DMR)")
    p.add_argument("--dim", required=True, type=float, help="dimension d (integer in [1, 1e9]; 1e6 accepted)")
    p.add_argument("--eps", required=True, type=float,
                   help="epsilon in [1e-6, 1e6] of the theorem (steps are eps/2-robust)")
    p.add_argument("--r", type=float, default=1.0,
                   help="radius r in [1e-100, 1e100] of the theorem (robust radius 2r; default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object with the fields of the issue")


def run(args: argparse.Namespace) -> int:
    from theory import validate as V
    from theory.cli import print_json
    from theory.lower_bounds import D_MAX, EPS_LIMITS, R_LIMITS, RATE_TEXT, lower_bound

    d = V.dimension("--dim", args.dim)
    if d > D_MAX:
        raise ValueError(f"--dim must be an integer in [1, {D_MAX:g}], got {d}")
    eps = V.in_closed_interval("--eps", args.eps, *EPS_LIMITS)
    r = V.in_closed_interval("--r", args.r, *R_LIMITS)
    res = lower_bound(args.claim, d=d, eps=eps, r=r)
    if args.json:
        print_json(res.cli_dict())
        return 0
    print(f"{res.claim}: ({2 * res.r:g}, {res.notion}, {res.norm}, {res.eps / 2:g})-robust and accurate on "
          f"[0, {res.cube_side:.6g}]^{res.d}")
    print(f"  lower bound on E||A(x)-x||_inf : {res.lower_bound:.6g}   "
          f"({res.packing} packing, chains of k = {res.k})")
    print(f"  claimed order {RATE_TEXT[(res.notion, res.norm)]} (C = 1): {res.claimed_rate:.6g}   "
          f"ratio {res.ratio:.4f}")
    print(f"  best known mechanism: {res.best_mechanism}: {res.best_mechanism_alpha:.6g}   gap {res.gap:.4f}")
    return 0
