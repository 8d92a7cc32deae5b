"""Numeric audit of the paper: run every claim's checks, search every certificate for unsound pA, check the
probability statements and the hidden conditions; write OUT/audit.md, OUT/audit.json, OUT/audit_*.png and
OUT/witnesses/*.json (re-check any witness with `python -m theory witness FILE`).

  python -m theory audit                      # default run (< 60 s), writes reports/
  python -m theory audit --out /tmp/r --json-out /tmp/r/a.json
  python -m theory audit --id T10 --json       # the result as one JSON object on stdout (files written too)
  python -m theory audit --thorough           # larger samples and grids (a few minutes)
  python -m theory audit --id T10 --id C11    # only these claims (plus the soundness search)
  python -m theory audit --thorough --out /tmp/t && python -m theory audit --against /tmp/t/audit.json
                                              # default and thorough must give the same verdicts (issue 19)

Exit code 0 when every check passed and every derived verdict agrees with the registry (and, with --against,
with the verdicts and assurances of that audit), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
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
    p.add_argument("--against", default=None, metavar="JSON",
                   help="another audit.json (e.g. of --thorough): exit 1 when a derived verdict or assurance differs")


def run(args: argparse.Namespace) -> int:
    from theory.audit import AuditResult, compute_audit, verdict_differences, write_audit_report
    from theory.cli import output_file, output_folder
    from theory.jsonio import to_jsonable

    other = AuditResult.from_json(args.against) if args.against else None   # a bad file fails before the run
    # outputs checked before the computation (creating nothing: an unknown --id is still a one-line error
    # before any folder is created)
    output_folder("--out", args.out)
    if args.json_out is not None:
        output_file("--json-out", args.json_out)
    result = compute_audit(thorough=args.thorough, progress=not args.quiet, only=args.id,
                           soundness=not args.no_soundness)
    paths = write_audit_report(result, args.out, json_path=args.json_out)
    if args.json:
        print(json.dumps(to_jsonable(result.to_dict()), indent=1, ensure_ascii=False))
    else:
        print(f"audit: {paths['markdown']}, {paths['json']}")
        for line in result.summary_lines:
            print(f"  {line}")
    rc = 0
    if result.bad:
        print(f"  CHECKS FAILED or verdict mismatch: {', '.join(result.bad)}", file=sys.stderr)
        rc = 1
    if other is not None:
        ids = {c.id for c in result.claims}
        diff = [x for x in verdict_differences(result, other) if x.split("[")[0].split(":")[0] in ids]
        mode = "thorough" if other.thorough else "default"
        if diff:
            print(f"  verdicts differ from {args.against} ({mode}): " + "; ".join(diff), file=sys.stderr)
            rc = 1
        else:
            print(f"  same verdicts and assurances as {args.against} ({mode}) for the {len(ids)} claims audited",
                  file=sys.stderr if args.json else sys.stdout)
    return rc
