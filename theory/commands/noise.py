"""Noise magnitude of a mechanism: E||z||_inf, E||z||_2 and quantiles of ||z||.

  python -m theory noise --mechanism gaussian --sigma 1 --dim 1e9 --json
  python -m theory noise --mechanism exponential-linf --sigma 1 --dim 3072
"""

from __future__ import annotations

import argparse
import math
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from theory import validate as V
from theory.cli import print_json
from theory.commands.divergence import add_mechanism_args, build, params

NAME = "noise"
HELP = "expected l_inf / l_2 norm of a mechanism's noise (T15, T12) and norm quantiles"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_mechanism_args(p)
    p.add_argument("--quantiles", type=float, nargs="*", default=[0.05, 0.5, 0.95],
                   help="levels q in (0,1) for the norm quantiles (default 0.05 0.5 0.95)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def compute(mech: Any, quantiles: Iterable[Any]) -> dict[str, Any]:
    # mech: a theory.mechanisms.Mechanism (expected_l2_norm / l2_norm_quantile / d are outside that protocol)
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


def _finite(out: dict[str, Any], mech: Any) -> dict[str, Any]:
    """Refuse (ValueError naming the scale) parameters at which a norm overflows a float, instead of printing
    inf (the norms of these mechanisms are finite for every finite sigma and d)."""
    vals = [out["expected_linf_norm"], out["expected_l2_norm"], *out["linf_norm_quantiles"].values(),
            *(out["l2_norm_quantiles"] or {}).values()]
    if not all(math.isfinite(float(v)) for v in vals):
        key = {"laplace": "scale", "randomized-response": "eps"}.get(mech.name, "sigma")
        raise ValueError(f"{key}: the noise norms overflow a float (max ~1.8e308) at {key} = "
                         f"{getattr(mech, key):g}, d = {mech.d:g}; use a smaller {key}")
    return out


def _g(v: object) -> str:
    return f"{v:.6g}" if isinstance(v, (int, float)) else str(v)


def run(args: argparse.Namespace) -> int:
    mech = build(args)
    with warnings.catch_warnings(), np.errstate(all="ignore"):  # overflow is reported below, once
        warnings.simplefilter("ignore", RuntimeWarning)
        out = _finite(compute(mech, args.quantiles), mech)
    if args.json:
        print_json(out)
        return 0
    print(f"{mech.name}({', '.join(f'{k}={_g(v)}' for k, v in params(mech).items() if k != 'mechanism')})")
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
