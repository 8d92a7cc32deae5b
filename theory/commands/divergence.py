"""Divergence between a mechanism at x and at x + shift.

D_alpha (D5; --alpha 1 is KL, --alpha inf is D_inf of D4) or DMR (D5; --alpha dmr, reports where the
supremum over alpha is attained).  The shift has size --shift in --norm; its direction is the
worst case for that norm (searched where it is not known in closed form).

  python -m theory divergence --mechanism gaussian --alpha 2 --sigma 0.5 --shift 1
  python -m theory divergence --mechanism exponential-linf --alpha dmr --dim 10 --norm linf --json
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from typing import Any, Literal

from theory import validate as V
from theory.cli import print_json
from theory.mechanisms import MECHANISMS, Mechanism, get_mechanism

# ---- helpers shared with the noise and table commands ------------------------------------
#: largest integer every float represents exactly; integer options read as numbers stay below it
MAX_EXACT_INT = 2 ** 53


def integer_option(minimum: int = 1, maximum: int = MAX_EXACT_INT) -> Callable[[str], int]:
    """An argparse ``type`` for integer options that accepts any integral number notation (``3072``,
    ``1e9``, ``3072.0``) in ``[minimum, maximum]``; the error quotes the text given, never a 300-digit int.

    >>> integer_option()("1e9")
    1000000000
    """
    def parse(text: str) -> int:
        t = str(text).strip()
        rng = f"an integer in [{minimum}, {'2**53' if maximum == MAX_EXACT_INT else maximum}]"
        try:
            v = int(t)
        except ValueError:
            try:
                f = float(t)
            except ValueError:
                raise argparse.ArgumentTypeError(f"expected {rng}, got {text!r}") from None
            if not math.isfinite(f) or not f.is_integer():
                raise argparse.ArgumentTypeError(f"expected {rng}, got {text!r}") from None
            if not minimum <= f <= maximum:
                raise argparse.ArgumentTypeError(f"expected {rng}, got {text!r}") from None
            v = int(f)
        if not minimum <= v <= maximum:
            shown = text if len(t) <= 20 else f"{float(v):.3g}"
            raise argparse.ArgumentTypeError(f"expected {rng}, got {shown!r}")
        return v

    parse.__name__ = "integer"
    return parse


#: what argparse should read as a negative number (it knows only -12 and -1.5, so '-1e6' looked like an option)
_NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-inf(inity)?$", re.IGNORECASE)


def accept_negative_numbers(parser: argparse.ArgumentParser) -> None:
    """Let option values such as ``-1e6`` or ``-inf`` through as values (argparse's own pattern misses the
    exponent form).  The parser has no options that look like negative numbers, so nothing is shadowed."""
    parser._negative_number_matcher = _NEGATIVE_NUMBER


def add_mechanism_args(parser: argparse.ArgumentParser, *, dim_default: int = 1) -> None:
    parser.add_argument("--mechanism", required=True, choices=sorted(MECHANISMS),
                        help="smoothing mechanism")
    g = parser.add_mutually_exclusive_group()
    g.add_argument("--sigma", type=float, default=None,
                   help="noise scale sigma (gaussian, exponential-linf; alias of --scale for laplace); default 1")
    g.add_argument("--scale", type=float, default=None, help="Laplace scale b (default 1)")
    g.add_argument("--eps", type=float, default=None, help="randomized-response epsilon (default 1)")
    parser.add_argument("--dim", type=integer_option(), default=dim_default,
                        help=f"dimension d, an integer in [1, 2**53] (e-notation such as 1e9 is fine; "
                             f"default {dim_default})")
    accept_negative_numbers(parser)


def build(args: argparse.Namespace) -> Mechanism:
    name = args.mechanism
    if args.scale is not None and name != "laplace":
        raise ValueError(f"--scale is for --mechanism laplace only (got --mechanism {name})")
    if args.eps is not None and name != "randomized-response":
        raise ValueError(f"--eps is for --mechanism randomized-response only (got --mechanism {name})")
    if args.sigma is not None and name == "randomized-response":
        raise ValueError("--sigma does not apply to randomized-response; use --eps")
    d = V.dimension("dim", args.dim)
    return get_mechanism(name, sigma=args.sigma, scale=args.scale, eps=args.eps, d=d)


def parse_alpha(text: str) -> float | Literal["dmr"]:
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


def params(mech: Any) -> dict[str, Any]:
    """The mechanism's parameters (``mech``: a :class:`theory.mechanisms.Mechanism`; ``d`` and the scale
    attribute are not part of that protocol, hence ``Any``)."""
    out: dict[str, Any] = {"mechanism": mech.name, "d": mech.d}
    key = {"laplace": "scale", "randomized-response": "eps"}.get(mech.name, "sigma")
    out[key] = getattr(mech, key)
    return out


# ---- the command ------------------------------------------------------------------------------
NAME = "divergence"
HELP = "D_alpha / KL / D_inf / DMR of a mechanism between x and x + shift"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_mechanism_args(p)
    p.add_argument("--alpha", required=True,
                   help="Renyi order: a number >= 1 (1 = KL), 'inf' (D_inf) or 'dmr' (sup_alpha D_alpha/alpha)")
    p.add_argument("--shift", type=float, default=1.0, help="size r of the shift (default 1)")
    p.add_argument("--norm", choices=["l2", "linf"], default=None,
                   help="norm of the shift (default: linf for exponential-linf, l2 otherwise)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def compute(mech: Mechanism, alpha: float | Literal["dmr"], shift: Any, norm: str) -> dict[str, Any]:
    shift = V.nonnegative("shift", shift)
    out = params(mech)
    out.update({"shift": shift, "norm": norm})
    if alpha == "dmr":
        res = mech.dmr(shift, norm)
        out.update({"quantity": "DMR", "value": res.value, "alpha": res.alpha, "limit": res.limit,
                    "attained_everywhere": res.attained_everywhere, "method": res.method})
        return out
    if alpha == 1.0:
        q, key = "KL", "kl"
    elif math.isinf(alpha):
        q, key = "D_inf", "dinf"
    else:
        q, key = "D_alpha", "renyi"
    out.update({"quantity": q, "alpha": alpha, "value": mech.renyi(alpha, shift, norm),
                "method": mech.closed_form.get(key) or "numeric"})
    return out


def run(args: argparse.Namespace) -> int:
    mech = build(args)
    alpha = parse_alpha(args.alpha)
    norm = args.norm or ("linf" if mech.name == "exponential-linf" else "l2")
    out = compute(mech, alpha, args.shift, norm)
    if args.json:
        print_json(out)
    else:
        extra = ""
        if out["quantity"] == "DMR":
            at = "every alpha" if out["attained_everywhere"] else out["limit"] or f"alpha={out['alpha']:.6g}"
            extra = f"  (attained: {at})"
        a = "" if out["quantity"] == "DMR" else f" alpha={out['alpha']:g}"
        print(f"{out['quantity']}{a} {mech!r} shift={out['shift']:g} ({norm}): {out['value']:.16g}{extra}")
        print(f"  method: {out['method']}")
    return 0
