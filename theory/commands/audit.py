"""Numeric audit of the paper: run every claim's checks, search every certificate for unsound pA, check the
probability statements and the hidden conditions; write OUT/audit.md, OUT/audit.json, OUT/audit_*.png and
OUT/witnesses/*.json (re-check any witness with `python -m theory witness FILE`).

  python -m theory audit                      # default run (< 60 s), writes reports/
  python -m theory audit --out /tmp/r --json /tmp/r/a.json
  python -m theory audit --thorough           # larger samples and grids (a few minutes)
  python -m theory audit --id T10 --id C11    # only these claims (plus the soundness search)

Exit code 0 when every check passed and every derived verdict agrees with the registry, 1 otherwise.
"""

from __future__ import annotations

import sys

NAME = "audit"
HELP = "run every claim's checks and the certificate soundness search; write reports/audit.{md,json}"


def add_arguments(p):
    p.add_argument("--out", default="reports", help="output folder (default reports/)")
    p.add_argument("--json", default=None, metavar="PATH", help="where to write the JSON (default OUT/audit.json)")
    p.add_argument("--thorough", action="store_true", help="larger samples and grids (takes minutes)")
    p.add_argument("--id", action="append", default=None, metavar="ID", help="only this claim (repeatable)")
    p.add_argument("--no-soundness", action="store_true", help="skip the certificate soundness search")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args) -> int:
    from theory.audit import run_audit

    doc = run_audit(out=args.out, json_path=args.json, thorough=args.thorough, progress=not args.quiet,
                    only=args.id, soundness=not args.no_soundness)
    bad = [r["id"] for r in doc["claims"] if not (r["all_checks_ok"] and r["verdict_agrees_with_registry"])]
    counts = {}
    for r in doc["claims"]:
        counts[r["derived_verdict"]] = counts.get(r["derived_verdict"], 0) + 1
    print(f"audit: {len(doc['claims'])} claims in {doc['seconds']:.1f} s -> {args.out}/audit.md, "
          f"{args.json or args.out + '/audit.json'}")
    for v, n in counts.items():
        print(f"  {v}: {n}")
    if "soundness" in doc:
        ex = [f"{r['certificate']}{r['setting'] or ''}" for r in doc["soundness"]["rows"] if r["exceeds_tight"]]
        print(f"  certificates exceeding the tight radius on 1-pA in [1e-15, 1/2): {', '.join(ex) or 'none'}")
    if bad:
        print(f"  CHECKS FAILED or verdict mismatch: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0
