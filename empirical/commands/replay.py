"""Replay published certification logs (Cohen et al. 2019's TSV format) against the theory.

  python -m empirical replay --log noise_0.50_sigma_0.50.tsv [--sigma 0.5] [--out reports/empirical]
  python -m empirical replay --log ../shared/data/cohen2019-certify/cifar10 --out reports/empirical

Each row's pA_lower is recovered as Phi(radius / sigma) (Cohen et al. certify with pB = 1 - pA), with the
interval that the 3-significant-digit radius leaves open, and every Gaussian certificate of
theory.certificates is recomputed from it (C11 c = 1, 3; T18; l2 -> l_inf; PixelDP; Li et al.).
sigma is read from names like noise_T_sigma_S.tsv when --sigma is omitted.  With --out, writes
<out>/<name>.md, <name>.json and PNG figures; otherwise prints a summary (or JSON with --json).
"""

from __future__ import annotations

NAME = "replay"
HELP = "recover pA from published certification logs and recompute every certificate of theory"


def add_arguments(p) -> None:
    p.add_argument("--log", nargs="+", required=True, metavar="PATH",
                   help="log file(s) in Cohen et al.'s format (idx label predict radius correct time), or "
                        "directories of *.tsv")
    p.add_argument("--sigma", type=float, default=None,
                   help="certification sigma S > 0 (default: from the file name noise_T_sigma_S.tsv)")
    p.add_argument("--out", default=None, help="write the report (markdown, JSON, PNG) into this directory")
    p.add_argument("--name", default=None, help="report file stem (default: replay_<folder of the first log>)")
    p.add_argument("--dim", type=int, default=3072, help="input dimension d for the l_inf certificates "
                                                         "(default: 3072, CIFAR-10)")
    p.add_argument("--n", type=int, default=100_000, help="noise draws the logs claim (default: 100000)")
    p.add_argument("--alpha", type=float, default=0.001, help="level the logs claim, in (0, 1) (default: 0.001)")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def command_line(args) -> str:
    """The command that reproduces this run, rebuilt from the parsed arguments."""
    import shlex

    parts = ["python", "-m", "empirical", "replay", "--log", *map(str, args.log)]
    if args.sigma is not None:
        parts += ["--sigma", f"{args.sigma:g}"]
    if args.out is not None:
        parts += ["--out", str(args.out)]
    if args.name is not None:
        parts += ["--name", args.name]
    if args.dim != 3072:
        parts += ["--dim", str(args.dim)]
    if args.n != 100_000:
        parts += ["--n", str(args.n)]
    if args.alpha != 0.001:
        parts += ["--alpha", f"{args.alpha:g}"]
    return shlex.join(parts)


def run(args) -> int:
    from theory import _validate as V

    from empirical.replay import L2_RADII, run_replay

    if args.sigma is not None:
        V.positive("sigma", args.sigma)
    V.dimension("dim", args.dim)
    V.count("n", args.n, minimum=1)
    V.in_open_interval("alpha", args.alpha, 0.0, 1.0)
    summary = run_replay(args.log, sigma=args.sigma, out=args.out, d=args.dim, n=args.n, alpha=args.alpha,
                         name=args.name, command=command_line(args), progress=not args.no_progress)
    if args.json:
        from theory.cli import print_json

        print_json(summary)
        return 0
    cols = ("radius_cohen", "radius_c11_c1", "radius_c11_c3")
    print("certified accuracy (%) at l2 radius " + ", ".join(f"{x:g}" for x in L2_RADII))
    for e in summary["logs"]:
        for c in cols:
            acc = e["certified_accuracy_l2"][c]
            print(f"{e['file']:<28} {c:<15} " + " ".join(f"{100 * acc[str(x)]:5.1f}" for x in L2_RADII))
        k = e["consistency"]
        if k["rows_above_max"]:
            print(f"{e['file']:<28} WARNING: {k['rows_above_max']} rows above the largest radius n = {k['n']}, "
                  f"alpha = {k['alpha']} allow ({k['radius_max_printed']})")
    if "report" in summary:
        print(f"report: {summary['report']} ({summary['seconds']:.1f} s)")
    return 0
