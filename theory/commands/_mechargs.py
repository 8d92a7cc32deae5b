"""Shared argument helpers for the core commands (divergence, noise, table)."""

from __future__ import annotations

import math

from theory import _validate as V
from theory.mechanisms import MECHANISMS, get_mechanism


def add_mechanism_args(parser, *, dim_default=1):
    parser.add_argument("--mechanism", required=True, choices=sorted(MECHANISMS),
                        help="smoothing mechanism")
    g = parser.add_mutually_exclusive_group()
    g.add_argument("--sigma", type=float, default=None,
                   help="noise scale sigma (gaussian, exponential-linf; alias of --scale for laplace); default 1")
    g.add_argument("--scale", type=float, default=None, help="Laplace scale b (default 1)")
    g.add_argument("--eps", type=float, default=None, help="randomized-response epsilon (default 1)")
    parser.add_argument("--dim", type=float, default=dim_default, help=f"dimension d (default {dim_default})")


def build(args):
    name = args.mechanism
    if args.scale is not None and name != "laplace":
        raise ValueError(f"--scale is for --mechanism laplace only (got --mechanism {name})")
    if args.eps is not None and name != "randomized-response":
        raise ValueError(f"--eps is for --mechanism randomized-response only (got --mechanism {name})")
    if args.sigma is not None and name == "randomized-response":
        raise ValueError("--sigma does not apply to randomized-response; use --eps")
    d = V.dimension("dim", args.dim)
    return get_mechanism(name, sigma=args.sigma, scale=args.scale, eps=args.eps, d=d)


def parse_alpha(text: str):
    """'dmr' | 'inf' | a number >= 1."""
    t = str(text).strip().lower()
    if t == "dmr":
        return "dmr"
    if t in ("inf", "infinity", "+inf"):
        return math.inf
    try:
        a = float(t)
    except ValueError:
        raise ValueError(f"alpha must be a number >= 1, 'inf' or 'dmr' (allowed range [1, inf]), got {text!r}") \
            from None
    return V.alpha_order("alpha", a)


def params(mech) -> dict:
    out = {"mechanism": mech.name, "d": mech.d}
    key = {"laplace": "scale", "randomized-response": "eps"}.get(mech.name, "sigma")
    out[key] = getattr(mech, key)
    return out
