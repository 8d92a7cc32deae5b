"""Audit a certified-radius formula against the Neyman-Pearson tight radius (theory.audit_certificate).

  python -m theory audit-certificate --radius mymod:radius --mechanism gaussian --norm l2
  python -m theory audit-certificate --radius path/to/cert.py:radius --mechanism laplace --norm l1 --dim 10 \\
      --param scale=1.05 --json --out reports/audit_certificate
  python -m theory audit-certificate --registered c11 --param c=1          (a certificate of the registry)

The function is called as radius(pA, pB, sigma, d, **params) (binary form: pB = 1 - pA).  Mechanisms: gaussian,
laplace, uniform, exponential-linf (eq. 6), exponential-l2; norms l1, l2, linf.  Writes
audit_certificate_<name>.md / .json (and witness_<name>.json when it exceeds) into --out.  Exit code 1 when the
certificate exceeds the tight radius, 0 otherwise.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any

from theory.cli import command_line, output_folder, print_json

NAME = "audit-certificate"
HELP = "audit any certified-radius formula against the Neyman-Pearson tight radius (plug-in entry point)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--radius", metavar="MODULE:FUNCTION", help="the user's radius(pA, pB, sigma, d, **params)")
    src.add_argument("--registered", metavar="NAME", help="a certificate of theory.certificates (c11, t13, t18, ...)")
    p.add_argument("--mechanism", help="gaussian | laplace | uniform | exponential-linf | exponential-l2 "
                                       "(with --registered: the certificate's own, may be left out)")
    p.add_argument("--norm", help="l1 | l2 | linf (with --registered: the certificate's own, may be left out)")
    p.add_argument("--dim", type=int, default=None, help="dimension d (default 1; 3072 for --registered l_inf)")
    p.add_argument("--sigma", type=float, default=1.0, help="noise scale (default 1)")
    p.add_argument("--param", action="append", default=[], metavar="K=V", help="extra parameter (float), repeatable")
    p.add_argument("--binary-only", action="store_true", help="skip the runner-up (pB) search")
    p.add_argument("--no-simulate", action="store_true", help="skip the CERTIFY simulation")
    p.add_argument("--trials", type=int, default=2000, help="CERTIFY runs per simulated setting (default 2000)")
    p.add_argument("--grid", type=int, default=120, help="grid points of 1 - pA (default 120)")
    p.add_argument("--out", default="reports/audit_certificate", help="output folder")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")


def _params(items: Iterable[str]) -> dict[str, float]:
    out = {}
    for it in items:
        if "=" not in it:
            raise ValueError(f"--param must be K=V, got {it!r}")
        k, v = it.split("=", 1)
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise ValueError(f"--param {k} must be a number, got {v!r}") from None
    return out


def _registered_matches(name: str, mechanism: str | None, norm: str | None) -> None:
    """With --registered the mechanism and norm are the certificate's: --mechanism / --norm may repeat them but
    not contradict them (they were silently ignored: `--registered c11 --mechanism bogus --norm l3`)."""
    from theory import certificates as C
    from theory import neyman_pearson as NP
    from theory import validate as V

    cert = C.get(name)
    own = {"--mechanism": cert.mechanism, "--norm": cert.norm}
    for opt, given, allowed in (("--mechanism", mechanism, NP.NOISES), ("--norm", norm, NP.NORMS)):
        if given is None:
            continue
        V.choice(opt, given, allowed)
        if given != own[opt]:
            raise ValueError(f"{opt} {given} contradicts --registered {name}, whose {opt[2:]} is {own[opt]} "
                             f"(leave {opt} out with --registered)")


def run(args: argparse.Namespace) -> int:
    from theory import audit_certificate as A

    params = _params(args.param)
    output_folder("--out", args.out)  # before the search (creates nothing)
    kw: dict[str, Any] = {"sigma": args.sigma, "params": params, "multiclass": not args.binary_only,
                          "simulate": not args.no_simulate, "trials": args.trials, "grid": args.grid,
                          "command": command_line(args, "")}
    if args.registered:
        _registered_matches(args.registered, args.mechanism, args.norm)
        res = A.audit_registered_certificate(args.registered, d=args.dim, **kw)
    else:
        if not args.mechanism or not args.norm:
            raise ValueError("--mechanism and --norm are required with --radius")
        fn = A.load_radius_function(args.radius)
        label = args.radius.rpartition(":")[2] + "".join(f"_{k}{v:g}" for k, v in params.items())
        res = A.audit_certificate(fn, mechanism=args.mechanism, norm=args.norm, d=args.dim or 1, label=label,
                                  radius_spec=args.radius, **kw)
    paths = A.write_audit_certificate_report(res, args.out)
    if args.json:
        print_json({**res.to_dict(), "files": paths})
    else:
        print(f"{res.certificate} ({res.mechanism}, {res.norm}, d={res.d}): {res.verdict}")
        print(f"  exceeds_tight={res.exceeds_tight}  from_one_minus_pA={res.from_one_minus_pA}  "
              f"max ratio {res.max_ratio:.6g} at 1 - pA = {res.at_one_minus_pA:.3g}")
        if res.multiclass:
            print(f"  runner-up form: exceeds={res.multiclass['exceeds_tight']} "
                  f"max ratio {res.multiclass['max_ratio']:.6g}")
        for k, v in paths.items():
            print(f"  {k}: {v}")
    return 1 if res.exceeds_tight else 0
