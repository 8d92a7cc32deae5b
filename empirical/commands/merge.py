"""Merge the shard TSVs of a sharded certify run (OUT.rankR-of-N) into one TSV sorted by idx.

  python -m empirical merge --out results.tsv                 # finds results.tsv.rank*-of-N
  python -m empirical merge --out results.tsv a.tsv b.tsv     # explicit shards

torchrun runs this step itself on rank 0; the command is for runs stopped before the merge or
shards gathered from several machines.  Identical duplicate rows are dropped (the time column
aside); conflicting ones are refused.  Also refused: shards whose metadata lines (line 2,
`# rs-verify-certify {json}`) differ or are missing; a missing rank (named; --allow-partial merges the
others); an existing OUT that is not an earlier merge of the same run (--overwrite replaces it; an earlier
merge keeps its rows).
"""

from __future__ import annotations

import argparse

NAME = "merge"
HELP = "merge certify shard TSVs (OUT.rankR-of-N) into one TSV sorted by idx"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="merged TSV to write")
    p.add_argument("shards", nargs="*", help="shard files (default: OUT.rank*-of-N next to OUT)")
    p.add_argument("--allow-partial", action="store_true",
                   help="merge although ranks are missing (refused by default, naming them)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace OUT even when it is not an earlier merge of these shards")


def run(args: argparse.Namespace) -> int:
    from empirical.certify import check_writable, merge_shards

    check_writable(args.out)
    n = merge_shards(args.out, args.shards or None, allow_partial=args.allow_partial, overwrite=args.overwrite)
    print(f"wrote {args.out}: {n} rows")
    return 0
