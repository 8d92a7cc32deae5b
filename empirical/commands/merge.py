"""Merge the shard TSVs of a sharded certify run (OUT.rankR-of-N) into one TSV sorted by idx.

  python -m empirical merge --out results.tsv                 # finds results.tsv.rank*-of-N
  python -m empirical merge --out results.tsv a.tsv b.tsv     # explicit shards

torchrun runs this step itself on rank 0; the command is for runs stopped before the merge or
shards gathered from several machines.  Identical duplicate rows are dropped (the time column
aside); conflicting ones are refused.
"""

from __future__ import annotations

import argparse

NAME = "merge"
HELP = "merge certify shard TSVs (OUT.rankR-of-N) into one TSV sorted by idx"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="merged TSV to write")
    p.add_argument("shards", nargs="*", help="shard files (default: OUT.rank*-of-N next to OUT)")


def run(args: argparse.Namespace) -> int:
    from empirical.certify import merge_shards

    n = merge_shards(args.out, args.shards or None)
    print(f"wrote {args.out}: {n} rows")
    return 0
