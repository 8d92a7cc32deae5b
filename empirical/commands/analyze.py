"""Certified accuracy vs radius of your own certify runs, under every certificate column each TSV carries
(Cohen et al.'s analyze.py: the fraction of ALL rows with correct = 1 and radius >= r), as a table and a figure.

  python -m empirical analyze results.tsv                        # tables on stdout
  python -m empirical analyze runs/*.tsv --out reports/mine      # + analyze.md, analyze.json, analyze_<norm>.png
  python -m empirical analyze results.tsv --radii 0,0.25,0.5,1 --radii-linf 0,0.001,0.002 --json

d, sigma, the noise and the data set come from each TSV's metadata line (any data set: digits, synthetic, ...;
no --dim); a TSV without it (an older run, Cohen et al.'s logs) is analysed with its settings unknown.
Needs no torch.
"""

from __future__ import annotations

NAME = "analyze"
HELP = "certified accuracy vs radius of certify TSVs (every certificate column; table + figure)"


def _radii(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"radii: a comma-separated list of numbers >= 0, got {text!r}") from None


def add_arguments(p) -> None:
    p.add_argument("tsv", nargs="+", help="certify TSV file(s) (python -m empirical certify --out ...)")
    p.add_argument("--radii", default=None, metavar="R,R,...",
                   help="l2 radii of the table (default: 0 and ~8 round steps up to the largest l2 radius)")
    p.add_argument("--radii-linf", default=None, metavar="R,R,...",
                   help="l_inf radii of the table (default: 0 and ~8 round steps up to the largest l_inf radius)")
    p.add_argument("--out", default=None, help="write <name>.md, <name>.json and <name>_<norm>.png into this folder")
    p.add_argument("--name", default="analyze", help="file stem of the report (default: analyze)")
    p.add_argument("--no-figures", dest="figures", action="store_false", help="with --out: no PNGs")
    p.add_argument("--json-out", default=None, metavar="PATH",
                   help="with --out: write the report's JSON here instead of <out>/<name>.json")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object instead of the tables")


def run(args) -> int:
    from empirical.analysis import analyze, render_markdown, write_analyze_report

    radii = {}
    if args.radii is not None:
        radii["l2"] = _radii(args.radii)
    if args.radii_linf is not None:
        radii["linf"] = _radii(args.radii_linf)
    res = analyze(args.tsv, radii=radii)
    if args.json_out is not None and not args.out:
        raise ValueError("json-out: give --out too (the JSON file belongs to the report written there)")
    paths = write_analyze_report(res, args.out, name=args.name, figures=args.figures,
                                 json_path=args.json_out) if args.out else None
    if args.json:
        from theory.cli import print_json

        print_json({**res.to_dict(), "written": paths})
    else:
        print(render_markdown(res), end="")
        if paths:
            print(f"wrote {paths['md']}, {paths['json']}" + "".join(f", {f}" for f in paths["figures"]))
    return 0
