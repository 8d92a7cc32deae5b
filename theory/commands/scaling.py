"""python -m theory scaling: certified radii and noise magnitudes vs the dimension d (Table 1, T12–T18).

Writes OUT/scaling.md, OUT/scaling.json (or --json PATH; "-" prints it) and the figures OUT/scaling_*.png.
Default grid: d = 1 … 10^6 log-spaced (>= 40 points) plus 784, 3072, 150528.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from theory import validate as V

NAME = "scaling"
HELP = "radii and noise magnitudes vs dimension -> reports/scaling.{md,json} + figures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument("--dims", nargs="+", default=None, metavar="D",
                        help="dimensions (integers >= 1; default: 1..1e6 log-spaced plus 784 3072 150528)")
    parser.add_argument("--json", default=None, metavar="PATH",
                        help="where to write the JSON (default OUT/scaling.json; '-' also prints it to stdout)")
    parser.add_argument("--pA", nargs="+", type=float, default=None, metavar="P",
                        help="top-class probabilities in (0.5, 1) (default: 0.9 0.99 0.999)")
    parser.add_argument("--sigma", type=float, default=1.0, help="σ of the fixed-σ view (default 1)")
    parser.add_argument("--mc-max-d", type=float, default=1e5, help="Monte Carlo up to this d (default 1e5)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the Monte Carlo (default 0)")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figures (faster)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _dims(values: list[str] | None) -> list[int] | None:
    if values is None:
        return None
    out = []
    for v in values:
        try:
            x = float(v)
        except ValueError:
            raise ValueError(f"--dims must be integers >= 1, got {v!r}") from None
        out.append(V.dimension("--dims", x))
    return out


def run(args: argparse.Namespace) -> int:
    from theory import scaling as S
    from theory.cli import print_json

    to_stdout = args.json == "-"
    command = ("python -m theory " + " ".join(shlex.quote(a) for a in sys.argv[1:])
               if sys.argv and sys.argv[0].endswith("__main__.py") else "python -m theory scaling")
    res = S.compute_scaling(_dims(args.dims), pAs=S.DEFAULT_PA if args.pA is None else tuple(args.pA),
                            sigma=args.sigma, mc_max_d=V.dimension("--mc-max-d", args.mc_max_d), seed=args.seed,
                            progress=not args.quiet, command=command)
    written = S.write_scaling_report(res, args.out, json_path=None if to_stdout else args.json,
                                     figures=not args.no_figures)
    if to_stdout:
        print_json(res.to_dict())
    else:
        for v in res.verdicts:
            print(f"{v.id}: {v.verdict}")
        print(f"wrote {', '.join(str(p) for p in written)} in {res.runtime_s:.1f} s", file=sys.stderr)
    return 0
