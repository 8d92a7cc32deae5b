"""Table of D_alpha (alpha = 1.5, 2, 10), KL, DMR and D_inf for every mechanism at default
parameters: sigma = b = 1 (eps = 1 for randomized response), shift r = 1, d = 1 and d = 10, in the
l2 and l_inf norm of the shift.  The shift direction is the worst case for D_2 (closed form for
the Gaussian and the l_inf Laplace; searched over k-sparse equal-magnitude shifts otherwise) and is
used for every column of the row (column "direction": how many coordinates are shifted).

  python -m theory table
  python -m theory table --json
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from theory._progress import progress_bar
from theory.cli import print_json
from theory.mechanisms import get_mechanism

NAME = "table"
HELP = "D_alpha, KL, DMR and D_inf of every mechanism at default parameters"

ALPHAS = (1.5, 2.0, 10.0)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")


def rows() -> list[dict[str, Any]]:
    specs: list[tuple[str, int, str]] = []
    for name in ("gaussian", "exponential-linf", "laplace", "randomized-response"):
        for d in ((1,) if name == "randomized-response" else (1, 10)):
            for norm in (("l2",) if d == 1 else ("l2", "linf")):
                specs.append((name, d, norm))
    out = []
    for name, d, norm in progress_bar(specs, desc="table"):
        m = get_mechanism(name, d=d)
        u = m.worst_case_direction(norm)  # searched at alpha = 2 where not known in closed form
        k = int((u != 0).sum())
        row = {"mechanism": name, "d": d, "norm": norm, "shift": 1.0,
               "direction": "all coordinates" if k == d else f"{k} coordinate(s)"}
        for a in ALPHAS:
            row[f"D_{a:g}"] = m.renyi(a, 1.0, norm, direction=u)
        row["KL"] = m.renyi(1.0, 1.0, norm, direction=u)
        dm = m.dmr(1.0, norm, direction=u)
        row["DMR"] = dm.value
        row["DMR_at"] = ("every alpha" if dm.attained_everywhere else dm.limit
                         or f"alpha={dm.alpha:.4g}")
        row["D_inf"] = m.renyi(math.inf, 1.0, norm, direction=u)
        out.append(row)
    return out


def run(args: argparse.Namespace) -> int:
    rs = rows()
    if args.json:
        print_json({"parameters": {"sigma": 1.0, "scale": 1.0, "eps": 1.0, "shift": 1.0},
                    "alphas": list(ALPHAS), "rows": rs})
        return 0
    cols = ["mechanism", "d", "norm", "direction"] + [f"D_{a:g}" for a in ALPHAS] + ["KL", "DMR", "DMR_at", "D_inf"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rs:
        cells = []
        for c in cols:
            v = r[c]
            cells.append(f"{v:.6g}" if isinstance(v, float) else str(v))
        print("| " + " | ".join(cells) + " |")
    return 0
