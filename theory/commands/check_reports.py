"""Reports are what the code computes: regenerate reports/audit.*, reports/scaling.* and reports/soundness.* into a
temporary folder and compare them with the committed ones (theory.reports_check: what is compared and what is
masked -- provenance lines, timings, the last digits of JSON floats; figures only by name).  About a minute on
2 cores; `.ci/run` runs it before the tests.

  python -m theory check-reports                       # exit 0: every report is what the code computes
  python -m theory check-reports --only scaling        # one report
  python -m theory check-reports --keep /tmp/fresh     # keep the regenerated reports (to look at, or copy)

Exit code 1 when a committed report differs (each difference printed: file, line or JSON path, both values;
regenerate with the report's own command, e.g. `python -m theory scaling`), 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys

NAME = "check-reports"
HELP = "regenerate the audit, scaling and soundness reports into a temporary folder and compare with reports/"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reports", default="reports", help="the committed reports folder (default reports/)")
    p.add_argument("--only", action="append", default=None, metavar="NAME",
                   help="only this report: audit, scaling or soundness (repeatable)")
    p.add_argument("--keep", default=None, metavar="DIR", help="regenerate into DIR and keep it")
    p.add_argument("--max-lines", type=int, default=40, help="differences printed per file (default 40)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")


def run(args: argparse.Namespace) -> int:
    from theory import reports_check as R
    from theory.cli import output_folder, print_json

    if args.keep is not None:
        output_folder("--keep", args.keep)
    def say(msg: str) -> None:
        print(f"check-reports: {msg}", file=sys.stderr, flush=True)

    try:
        res = R.check_reports(args.reports, only=args.only, keep=args.keep, progress=say)
    except RuntimeError as exc:  # a report command failed: its last error line, not a traceback
        print(f"{getattr(args, '_prog', 'python -m theory')} check-reports: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print_json({"ok": res.ok, "compared": res.compared, "regenerated_in": res.regenerated_in,
                    "differences": [d.__dict__ for d in res.differences]})
        return 0 if res.ok else 1
    by_file: dict[str, list[R.ReportDifference]] = {}
    for d in res.differences:
        by_file.setdefault(d.file, []).append(d)
    for f, ds in by_file.items():
        print(f"{f}: {len(ds)} difference(s)")
        for d in ds[:max(args.max_lines, 0)]:
            print(f"  {d.line()}")
        if len(ds) > args.max_lines:
            print(f"  ... {len(ds) - args.max_lines} more")
    ok_files = [f for f in res.compared if f not in by_file]
    print(f"check-reports: {len(ok_files)}/{len(res.compared)} files are what the code computes "
          f"(regenerated in {res.regenerated_in})")
    if not res.ok:
        print("check-reports: stale reports: regenerate them with their documented commands "
              "(python -m theory audit / scaling / soundness) and commit them with the code", file=sys.stderr)
        return 1
    return 0
