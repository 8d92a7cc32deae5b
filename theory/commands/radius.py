"""Certified radii (theory.certificates): one certificate at given class probabilities, its inverse, or all
certificates side by side on a grid of pA reaching 1 - pA = 1e-300.

  python -m theory radius --certificate cohen --pA 0.99 --sigma 0.5
  python -m theory radius --certificate cohen --pA 0.9 0.99 0.999 --sigma 0.5        (several: one line each)
  python -m theory radius --certificate c11 --one-minus-pA 1e-12 --sigma 0.5 --c 1 --json
  python -m theory radius --certificate t18 --pA 0.999 --sigma 0.5 --dim 3072 --c 3
  python -m theory radius --certificate c11 --pA 0.7 --pB 0.2 --sigma 1 --c 1      (multi-class form)
  python -m theory radius --certificate cohen --radius 1.0 --sigma 0.5             (inverse: 1 - pA needed)
  python -m theory radius --compare [--sigma 1] [--dim 3072] [--json]
  python -m theory radius --list

Binary form unless --pB is given (then pB is the runner-up probability, pB <= 1 - pA).  Give pA as --pA, or
exactly as --one-minus-pA or --log-one-minus-pA when it is too close to 1 for a float.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from theory import certificates as C
from theory import noises
from theory.cli import print_json
from theory.commands.divergence import accept_negative_numbers, integer_option

NAME = "radius"
HELP = "certified radius of a certificate (C11, T13, T18, Cohen, PixelDP, Li, Yang), its inverse, or --compare"

#: The --compare columns: (label, certificate, params), noise by noise from the table (theory.noises.compare_columns;
#: read again at each run, so a noise registered later appears).  l_inf columns use --dim.
COMPARE_COLUMNS: tuple[tuple[str, str, dict[str, float | None]], ...] = noises.compare_columns()
COMPARE_ONE_MINUS_PA = (0.4, 0.25, 0.1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-9, 1e-12, 1e-15, 1e-30, 1e-100, 1e-300)


def add_arguments(p: argparse.ArgumentParser) -> None:
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--certificate", metavar="NAME", help=f"one of {', '.join(C.CERTIFICATES)}")
    mode.add_argument("--compare", action="store_true", help="all certificates side by side on a grid of pA")
    mode.add_argument("--list", action="store_true", help="list the certificates")
    p.add_argument("--pA", type=float, nargs="+", metavar="P", help="top-class probability pA in (0, 1) (one or more)")
    p.add_argument("--one-minus-pA", dest="one_minus_pA", type=float, nargs="+", metavar="Q",
                   help="1 - pA in (0, 1) (exact near 1; one or more)")
    p.add_argument("--log-one-minus-pA", dest="log_one_minus_pA", type=float, nargs="+", metavar="L",
                   help="log(1 - pA) < 0 (one or more)")
    p.add_argument("--pB", type=float, help="runner-up probability (multi-class form), 0 < pB <= 1 - pA")
    p.add_argument("--radius", type=float, nargs="+", metavar="R",
                   help="inverse: print the 1 - pA at which the radius equals this (one or more)")
    p.add_argument("--sigma", type=float, help="noise scale sigma > 0 (default 1 with --compare)")
    p.add_argument("--dim", type=integer_option(),
                   help="dimension d in [1, 2**53] (l_inf certificates; e-notation such as 1e12 is fine; "
                        "default 3072 with --compare)")
    p.add_argument("--c", type=float, help="the parameter c > 0 of C11 / T18")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    accept_negative_numbers(p)  # --log-one-minus-pA -1e6


def _params(cert: C.Certificate, args: argparse.Namespace) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if args.c is not None:
        kw["c"] = args.c
    if args.dim is not None:
        kw["d"] = args.dim
    if "c" in kw and "c" not in cert.params:
        raise ValueError(f"--c is not a parameter of certificate {cert.name}")
    return kw


def _compare(args: argparse.Namespace) -> int:
    sigma = 1.0 if args.sigma is None else args.sigma
    d = 3072 if args.dim is None else args.dim
    columns = noises.compare_columns()
    rows = []
    for e in COMPARE_ONE_MINUS_PA:
        row = {"one_minus_pA": e}
        for label, name, prm in columns:
            given: dict[str, float] = {k: (d if v is None else v) for k, v in prm.items()}
            row[label] = C.radius(name, one_minus_pA=e, sigma=sigma, **given)
        rows.append(row)
    if args.json:
        print_json({"sigma": sigma, "d": d, "form": "binary",
                    "columns": {lab: {"certificate": n, "params": {k: (d if v is None else v) for k, v in p.items()},
                                      "norm": C.get(n).norm, "mechanism": C.get(n).mechanism}
                                for lab, n, p in columns},
                    "rows": rows})
        return 0
    print(f"Certified radii, binary form (pB = 1 - pA), sigma = {sigma:g}, d = {d} (l_inf columns).")
    print("l2, Gaussian: cohen (tight), c11, pixeldp, li-renyi | l_inf, Gaussian: cohen-linf (tight), t18 | "
          "l_inf, eq.-6 noise: t13, yang-linf (tight) | l1: laplace-l1, uniform-l1 (tight) | l_inf, uniform: "
          "uniform-linf (tight)")
    labels = [lab for lab, _, _ in columns]
    w = 11
    print(f"{'1 - pA':>8} " + " ".join(f"{lab:>{max(w, len(lab))}}" for lab in labels))
    for row in rows:
        print(f"{row['one_minus_pA']:>8.0e} " + " ".join(f"{row[lab]:>{max(w, len(lab))}.5g}" for lab in labels))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.list:
        if args.json:
            print_json({n: {"mechanism": c.mechanism, "norm": c.norm, "notion": c.notion, "params": list(c.params),
                            "multiclass": c.multiclass, "tight_reference": c.tight, "formula": c.formula,
                            "reference": c.reference} for n, c in C.CERTIFICATES.items()})
        else:
            for n, c in C.CERTIFICATES.items():
                prm = ", ".join(c.params) or "-"
                print(f"{n:<11} {c.mechanism:<16} {c.norm:<4} params: {prm:<5} {c.formula}")
                print(f"{'':<11} {c.notion}; {c.reference}")
        return 0
    if args.compare:
        return _compare(args)
    cert = C.get(args.certificate)
    if args.sigma is None:
        raise ValueError("--sigma is required with --certificate")
    kw = _params(cert, args)
    if args.radius is not None:
        if any(v is not None for v in (args.pA, args.one_minus_pA, args.log_one_minus_pA)):
            raise ValueError("--radius (inverse) takes no --pA / --one-minus-pA / --log-one-minus-pA")
        return _emit(args, [_inverse_one(cert, r, kw, args) for r in args.radius])
    given = [(k, v) for k, v in (("pA", args.pA), ("one_minus_pA", args.one_minus_pA),
                                 ("log_one_minus_pA", args.log_one_minus_pA)) if v is not None]
    if len(given) > 1:
        raise ValueError("give exactly one of --pA, --one-minus-pA, --log-one-minus-pA")
    key, values = given[0] if given else ("pA", [None])
    return _emit(args, [_radius_one(cert, {key: v}, kw, args) for v in values])


def _emit(args: argparse.Namespace, results: list[tuple[dict[str, Any], str]]) -> int:
    """One value: its JSON object or line (as before lists were accepted); several: {"results": [...]} or a line
    each."""
    if args.json:
        print_json(results[0][0] if len(results) == 1 else {"results": [out for out, _ in results]})
    else:
        for _, line in results:
            print(line)
    return 0


def _inverse_one(cert: C.Certificate, radius: float, kw: dict[str, Any],
                 args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    y = cert.inverse(radius, sigma=args.sigma, pB=args.pB, log=True, **kw)
    out = {"certificate": cert.name, "radius": radius, "sigma": args.sigma, "params": kw,
           "pB": args.pB, "log_one_minus_pA": y, "one_minus_pA": math.exp(y), "pA": -math.expm1(y)}
    line = (f"{cert.name}: radius {radius:g} needs 1 - pA = {math.exp(y):.6g} "
            f"(log10(1 - pA) = {y / math.log(10):.6g}, pA = {-math.expm1(y):.17g})")
    return out, line


def _radius_one(cert: C.Certificate, prob: dict[str, Any], kw: dict[str, Any],
                args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    r = cert.radius(sigma=args.sigma, pB=args.pB, **prob, **kw)
    r = r + 0.0  # -0.0 (e.g. sigma * Phi^-1(1/2)) prints as 0
    p = C.probabilities(pB=args.pB, **prob)
    abstains = bool(p.log_pA <= p.log_pB)  # pA <= pB: no class to certify
    out = {"certificate": cert.name, "radius": r, "abstains": abstains, "norm": cert.norm, "mechanism": cert.mechanism,
           "sigma": args.sigma, "params": kw, "form": "binary" if p.binary else "multiclass",
           "one_minus_pA": p.one_minus_pA, "log_one_minus_pA": p.log_one_minus_pA,
           "pB": p.pB, "reference": cert.reference}
    note = ""
    if abstains:
        note = " (pA <= pB: no certified radius; Cohen et al.'s CERTIFY abstains here)"
    elif r == 0:
        note = " (pA > pB but the radius is 0 at double precision)"
    return out, f"{cert.name} ({cert.mechanism}, {cert.norm}): radius = {r:.12g}{note}"
