"""python -m tests.mutation [--only ID ...] [--no-baseline]: run every mutant, print the caught/survived table.
Exit status 0 iff every mutant is caught and the baseline passes."""

from __future__ import annotations

import argparse
import sys

from tests.mutation import harness as H


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.mutation")
    ap.add_argument("--only", nargs="*", default=None, help="mutant ids to run (default: all)")
    ap.add_argument("--no-baseline", action="store_true", help="skip running the tests on the unmutated tree")
    ap.add_argument("--timeout", type=float, default=300.0)
    a = ap.parse_args(argv)
    ok = True
    if not a.no_baseline:
        b = H.baseline()
        print(f"baseline (unmutated tree): pytest exit {b.returncode}", flush=True)
        ok &= b.returncode == 0
    outs = H.run_all(ids=a.only, timeout=a.timeout,
                     progress=lambda o: print(f"{o.id}: {o.status} ({o.seconds:.1f} s)", flush=True))
    print(H.table(outs))
    ok &= all(o.status == "caught" for o in outs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
