"""Replay published certification logs (Cohen et al. 2019's six-column format) against the theory.

  python -m empirical replay --log noise_0.50_sigma_0.50.tsv --out reports/empirical
  python -m empirical replay --log ../shared/data/cohen2019-certify/cifar10 --out reports/empirical
  python -m empirical replay --log certify/imagenet/resnet50          # noise_T/test/sigma_S, no extension
  python -m empirical replay --manifest logs.toml --out reports/empirical

Each row's pA_lower is recovered as Phi(radius / sigma) (Cohen et al. certify with pB = 1 - pA), with the
interval that the 3-significant-digit radius leaves open, and every Gaussian certificate of
theory.certificates is recomputed from it (C11 c = 1, 3; T18; l2 -> l_inf; PixelDP; Li et al.).
sigma comes from the name (noise_T_sigma_S.tsv, noise_T/SPLIT/sigma_S, *sigma_S*) or a manifest;
--sigma only for files whose sigma neither gives (a contradiction is an error).  d comes from --dim, a
manifest, the data set named in the path or --dataset (cifar10 3072, imagenet 150528, mnist 784, the
project's digits 64 and synthetic:D); a TSV written by `certify` names its data set and d in its
`# rs-verify-certify` line.  Values that contradict each other are an error, never a silent choice.
The paper's figure numbers and claims appear only for its data sets (CIFAR-10: Figures 1-3; ImageNet:
Figures 4-6).
With --out, writes <out>/<name>.md, <name>.json and PNG figures; otherwise prints a summary (or JSON).
"""

from __future__ import annotations

import argparse

NAME = "replay"
HELP = "recover pA from published certification logs and recompute every certificate of theory"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log", nargs="+", default=[], metavar="PATH",
                   help="log file(s) in Cohen et al.'s format (idx label predict radius correct time), or "
                        "folders searched recursively for them (with or without an extension)")
    p.add_argument("--manifest", default=None, metavar="FILE",
                   help="JSON/TOML/CSV list of logs: path (relative to the manifest), sigma, train_sigma, "
                        "dataset, d, split")
    p.add_argument("--sigma", type=float, default=None,
                   help="certification sigma S > 0 for files whose name (and manifest) give none; contradicting "
                        "a name is an error")
    p.add_argument("--out", default=None, help="write the report (markdown, JSON, PNG) into this directory")
    p.add_argument("--name", default=None, help="report file stem, a plain name inside --out (default: "
                                                "replay_<data set or folder>)")
    p.add_argument("--dim", type=int, default=None,
                   help="input dimension d for the l_inf certificates (default: from the data set name in the "
                        "path or --dataset)")
    p.add_argument("--dataset", default=None, help="data set of the logs when the path names none (sets d)")
    p.add_argument("--n", type=int, default=100_000,
                   help="noise draws to check the logs against (default: 100000, Cohen et al.'s protocol)")
    p.add_argument("--alpha", type=float, default=0.001,
                   help="level to check the logs against, in (0, 1) (default: 0.001)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument("--no-figures", action="store_true", help="write no PNG")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def command_line(args: argparse.Namespace) -> str:
    """The command that reproduces this run, rebuilt from the parsed arguments."""
    import shlex

    parts = ["python", "-m", "empirical", "replay"]
    if args.log:
        parts += ["--log", *map(str, args.log)]
    if args.manifest is not None:
        parts += ["--manifest", str(args.manifest)]
    if args.sigma is not None:
        parts += ["--sigma", f"{args.sigma:g}"]
    if args.out is not None:
        parts += ["--out", str(args.out)]
    if args.name is not None:
        parts += ["--name", args.name]
    if args.dim is not None:
        parts += ["--dim", str(args.dim)]
    if args.dataset is not None:
        parts += ["--dataset", args.dataset]
    if args.n != 100_000:
        parts += ["--n", str(args.n)]
    if args.alpha != 0.001:
        parts += ["--alpha", f"{args.alpha:g}"]
    return shlex.join(parts)


def run(args: argparse.Namespace) -> int:
    from empirical.replay_result import check_name, compute_replay
    from theory import validate as V

    if args.sigma is not None:
        V.positive("sigma", args.sigma)
    if args.dim is not None:
        V.dimension("dim", args.dim)
    V.count("n", args.n, minimum=1)
    V.in_open_interval("alpha", args.alpha, 0.0, 1.0)
    if not args.log and args.manifest is None:
        raise ValueError("log: give --log PATH ... or --manifest FILE")
    if args.name is not None:
        check_name(args.name)
    if args.out is not None:
        from empirical.replay_report import check_out_dir

        check_out_dir(args.out)  # before the work, not after it
    res = compute_replay(args.log, manifest=args.manifest, sigma=args.sigma, d=args.dim, dataset=args.dataset,
                         n=args.n, alpha=args.alpha, name=args.name, command=command_line(args),
                         progress=not args.no_progress)
    report = None
    if args.out is not None:
        from empirical.replay_report import write_replay_report

        report = write_replay_report(res, args.out, figures=not args.no_figures)
    if args.json:
        from theory.cli import print_json

        print_json(res.to_dict())
        return 0
    cols = ("radius_cohen", "radius_c11_c1", "radius_c11_c3")
    print("certified accuracy (%) at l2 radius " + ", ".join(f"{x:g}" for x in res.l2_radii))
    for e in res.logs:
        for c in cols:
            print(f"{e.file:<28} {c:<15} " + " ".join(f"{100 * a.mid:5.1f}" for a in e.acc_l2[c]))
        k = e.consistency
        if k.rows_above_max:
            print(f"{e.file:<28} WARNING: {k.rows_above_max} rows above the largest radius n = {k.n}, "
                  f"alpha = {k.alpha} allow ({k.radius_max_printed})")
        m = e.identification.identified
        if m is not None:
            print(f"{e.file:<28} top radii identify n = {m.n}, alpha = {m.alpha:g}")
        if e.incomplete:
            print(f"{e.file:<28} WARNING: incomplete log ({e.rows} rows, fewer than the longest log of its data "
                  f"set and split)")
    if report is not None:
        print(f"report: {report} ({res.seconds:.1f} s)")
    return 0
