"""List the paper's claims (the registry of theory.claims), optionally running their checks.

Examples:
  python -m theory claims                      # table: id, kind, verdict, methods, statement
  python -m theory claims --json               # one JSON object {"claims": [{id, kind, statement, ...}]}
  python -m theory claims --id T10 --check     # run T10's checks and print the evidence
"""

from __future__ import annotations

import argparse

from theory.cli import print_json

NAME = "claims"
HELP = "list the paper's claims (D4 ... L27, Table 1) with kind, statement, methods, verdict"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help='print one JSON object {"claims": [...]} '
                                                        "(id, kind, statement, methods, verdict, ...)")
    p.add_argument("--id", action="append", default=None, metavar="ID",
                   help="only this claim (repeatable; case-insensitive)")
    p.add_argument("--check", action="store_true", help="also run the selected claims' checks")
    p.add_argument("--thorough", action="store_true", help="with --check: the long version of each check")


def run(args: argparse.Namespace) -> int:
    from theory.claims import CLAIMS, derive_verdict, get, reading_assurance

    if args.thorough and not args.check:  # it changed nothing: the listing runs no check (issue 20.9)
        raise ValueError("--thorough needs --check (it selects the long version of the checks --check runs)")
    claims = [get(i) for i in args.id] if args.id else list(CLAIMS.values())
    out = []
    for c in claims:
        rec = c.listing()
        if args.check:
            ev = c.run_checks(thorough=args.thorough)
            rec["evidence"] = [e.as_dict() for e in ev]
            rec["derived_verdict"] = derive_verdict(ev)
            rec["derived_assurance"] = reading_assurance(ev)
        out.append(rec)
    # exit code 1 when a check failed or a derived verdict differs from the registry's, with --json too (it was
    # always 0 there: found by tests/theory/test_reported_numbers.py, issue 20)
    bad = args.check and any(r["derived_verdict"] != r["verdict"] or not all(e["ok"] for e in r["evidence"])
                             for r in out)
    if args.json:
        print_json({"claims": out})
        return 1 if bad else 0
    heads = ("ID", "KIND", "VERDICT", "ASSURANCE", "METHODS", "STATEMENT")
    table = [(r["id"], r["kind"], r["verdict"], r["assurance"], ", ".join(r["methods"]),
              " ".join(str(r["statement"]).split())) for r in out]
    w = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(heads[:-1])]
    print("  ".join(f"{h:<{w[i]}}" for i, h in enumerate(heads[:-1])) + "  " + heads[-1])
    for rec, row in zip(out, table, strict=True):
        print("  ".join(f"{c:<{w[i]}}" for i, c in enumerate(row[:-1])) + "  " + row[-1])
        if args.check:
            for e in rec["evidence"]:
                print(f"{'':<{w[0]}}    [{e['finding']}, {e['assurance']}{'' if e['ok'] else ', CHECK FAILED'}] "
                      f"{e['check']} "
                      f"({e['seconds']:.2f} s): {e['summary']}")
    print("Full statements, formalisations and conditions: python -m theory claims --json (or --id ID --json).")
    return 1 if bad else 0
