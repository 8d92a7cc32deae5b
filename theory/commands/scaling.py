"""python -m theory scaling: certified radii and noise magnitudes vs the dimension d (Table 1, T12–T18).

Writes OUT/scaling.md, OUT/scaling.json (or --json-out PATH) and the figures OUT/scaling_*.png; --json also prints
the JSON object on stdout.
Default grid: d = 1 … 10^6 log-spaced (>= 40 points) plus 784, 3072, 150528.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from theory import validate as V
from theory.commands.divergence import integer_option

NAME = "scaling"
HELP = "radii and noise magnitudes vs dimension -> reports/scaling.{md,json} + figures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument("--dims", nargs="+", default=None, metavar="D",
                        help="dimensions, integers in [1, 2**53] (e-notation such as 1e6 is fine; "
                             "default: 1..1e6 log-spaced plus 784 3072 150528)")
    parser.add_argument("--json-out", default=None, metavar="PATH",
                        help="where to write the JSON file (default OUT/scaling.json)")
    parser.add_argument("--json", action="store_true",
                        help="print the result as one JSON object on stdout (the files are written as well)")
    parser.add_argument("--pA", nargs="+", type=float, default=None, metavar="P",
                        help="top-class probabilities in (0.5, 1) (default: 0.9 0.99 0.999)")
    parser.add_argument("--sigma", type=float, default=1.0, help="σ of the fixed-σ view (default 1)")
    parser.add_argument("--mc-max-d", type=float, default=1e5, help="Monte Carlo up to this d (default 1e5)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the Monte Carlo (default 0)")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figures (faster)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _dims(values: list[str] | None) -> list[int] | None:
    """--dims as integers in [1, 2**53] (e-notation accepted); ValueError naming --dims otherwise (1e30 was an
    OverflowError traceback, issue 20.9)."""
    if values is None:
        return None
    parse = integer_option()
    try:
        return [parse(v) for v in values]
    except argparse.ArgumentTypeError as exc:
        raise ValueError(f"--dims: {exc}") from None


def run(args: argparse.Namespace) -> int:
    from theory import scaling as S
    from theory.cli import command_line, output_file, output_folder

    output_folder("--out", args.out)  # before the computation
    if args.json_out is not None:
        output_file("--json-out", args.json_out)
    res = S.compute_scaling(_dims(args.dims), pAs=S.DEFAULT_PA if args.pA is None else tuple(args.pA),
                            sigma=args.sigma, mc_max_d=V.dimension("--mc-max-d", args.mc_max_d), seed=args.seed,
                            progress=not args.quiet, command=command_line(args, "python -m theory scaling"))
    written = S.write_scaling_report(res, args.out, json_path=args.json_out, figures=not args.no_figures)
    if args.json:  # the object of the JSON file, as written
        json_file = Path(args.json_out) if args.json_out is not None else Path(args.out) / "scaling.json"
        print(json_file.read_text(encoding="utf-8"), end="")
    else:
        for v in res.verdicts:
            print(f"{v.id}: {v.verdict}")
        print(f"wrote {', '.join(str(p) for p in written)} in {res.runtime_s:.1f} s", file=sys.stderr)
    return 0
