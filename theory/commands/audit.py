"""Numeric audit of the paper: run every claim's checks, search every certificate for unsound pA, check the
probability statements and the hidden conditions; write OUT/audit.md, OUT/audit.json, OUT/audit_*.png and
OUT/witnesses/*.json (re-check any witness with `python -m theory witness FILE`).

  python -m theory audit                      # default run (< 60 s), writes reports/
  python -m theory audit --out /tmp/r --json-out /tmp/r/a.json
  python -m theory audit --id T10 --json       # the result as one JSON object on stdout (files written too)
  python -m theory audit --thorough           # larger samples and grids (a few minutes)
  python -m theory audit --id T10 --id C11    # only these claims (plus the soundness search)

Exit code 0 when every check passed and every derived verdict agrees with the registry, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

NAME = "audit"
HELP = "run every claim's checks and the certificate soundness search; write reports/audit.{md,json}"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="reports", help="output folder (default reports/)")
    p.add_argument("--json-out", default=None, metavar="PATH",
                   help="where to write the JSON file (default OUT/audit.json)")
    p.add_argument("--json", action="store_true",
                   help="print the result as one JSON object on stdout (the files are written as well)")
    p.add_argument("--thorough", action="store_true", help="larger samples and grids (takes minutes)")
    p.add_argument("--id", action="append", default=None, metavar="ID", help="only this claim (repeatable)")
    p.add_argument("--no-soundness", action="store_true", help="skip the certificate soundness search")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    from theory.audit import compute_audit, write_audit_report
    from theory.cli import output_file, output_folder

    # outputs checked before the computation (creating nothing: an unknown --id is still a one-line error
    # before any folder is created)
    output_folder("--out", args.out)
    if args.json_out is not None:
        output_file("--json-out", args.json_out)
    result = compute_audit(thorough=args.thorough, progress=not args.quiet, only=args.id,
                           soundness=not args.no_soundness)
    paths = write_audit_report(result, args.out, json_path=args.json_out)
    if args.json:
        print(result.to_json(), end="")
    else:
        print(f"audit: {paths['markdown']}, {paths['json']}")
        for line in result.summary_lines:
            print(f"  {line}")
    if result.bad:
        print(f"  CHECKS FAILED or verdict mismatch: {', '.join(result.bad)}", file=sys.stderr)
        return 1
    return 0
