"""Noise magnitude of a mechanism: E||z||_inf, E||z||_2 and quantiles of ||z||.

  python -m theory noise --mechanism gaussian --sigma 1 --dim 1e9 --json
  python -m theory noise --mechanism exponential-linf --sigma 1 --dim 3072
"""

from __future__ import annotations

from theory import _validate as V
from theory.cli import print_json
from theory.commands.divergence import add_mechanism_args, build, params

NAME = "noise"
HELP = "expected l_inf / l_2 norm of a mechanism's noise (T15, T12) and norm quantiles"


def add_arguments(p):
    add_mechanism_args(p)
    p.add_argument("--quantiles", type=float, nargs="*", default=[0.05, 0.5, 0.95],
                   help="levels q in (0,1) for the norm quantiles (default 0.05 0.5 0.95)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def compute(mech, quantiles) -> dict:
    qs = [V.in_open_interval("quantiles", q, 0.0, 1.0) for q in quantiles]
    out = params(mech)
    out["expected_linf_norm"] = mech.expected_linf_norm()
    out["expected_l2_norm"] = mech.expected_l2_norm()
    out["linf_norm_quantiles"] = {str(q): mech.linf_norm_quantile(q) for q in qs}
    try:
        out["l2_norm_quantiles"] = {str(q): mech.l2_norm_quantile(q) for q in qs}
    except NotImplementedError as exc:
        out["l2_norm_quantiles"] = None
        out["l2_norm_quantiles_note"] = str(exc)
    return out


def run(args) -> int:
    mech = build(args)
    out = compute(mech, args.quantiles)
    if args.json:
        print_json(out)
        return 0
    print(f"{mech!r}")
    print(f"  E||z||_inf = {out['expected_linf_norm']:.12g}")
    print(f"  E||z||_2   = {out['expected_l2_norm']:.12g}")
    for q, v in out["linf_norm_quantiles"].items():
        print(f"  ||z||_inf quantile {q}: {v:.12g}")
    if out["l2_norm_quantiles"] is not None:
        for q, v in out["l2_norm_quantiles"].items():
            print(f"  ||z||_2   quantile {q}: {v:.12g}")
    else:
        print(f"  ||z||_2 quantiles: n/a ({out['l2_norm_quantiles_note']})")
    return 0
