"""Audit the engine's floating-point arithmetic (issue 23): plant base classifiers that read floating-point
structure (low-order mantissa bits, non-canonical lattice floats, lattice-index parity) and the half-space that makes
Cohen's bound tight, certify at the constant image x = X/255, measure at x' = X'/255 and report

  UNSOUND                 (exit 1) a certificate's implied bound P_x'(cA) >= Phi(Phi^-1(pA_lower) - ||x'-x||/sigma)
                          is contradicted by the (1 - 1e-6) Clopper-Pearson upper bound of the counts at x'; the
                          JSON witness (--out) carries the counts and every number (empirical.fp_audit.check_witness
                          recomputes them);
  no contradiction found  (exit 0).

  python -m empirical audit-fp                                   # gaussian, sigma 0.25, 3x32x32: UNSOUND
  python -m empirical audit-fp --noise gaussian-lattice          # the sound mode: no contradiction found
  python -m empirical audit-fp --compiled --device cuda --out witness.json

The float engine ('gaussian') feeds fl(x + fl(sigma g)); 'gaussian-lattice' adds the noise index to the integer
pixel and converts once, so the network input depends on (pixel + noise index) alone and the certificate holds.
A sound engine reports UNSOUND with probability at most alpha + 1e-6 per planted classifier.
"""

from __future__ import annotations

import argparse

from empirical.commands import _common as K

NAME = "audit-fp"
HELP = "audit the engine's floating-point arithmetic with planted base classifiers (UNSOUND -> exit 1)"


def _shape(text: str) -> tuple:
    try:
        dims = tuple(int(s) for s in text.replace("x", ",").split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected C,H,W (e.g. 3,32,32), got {text!r}") from None
    if not dims or any(s < 1 for s in dims):
        raise argparse.ArgumentTypeError(f"expected positive dimensions, got {text!r}")
    return dims


def add_arguments(p) -> None:
    from empirical.fp_audit import CLASSIFIERS, NOISES

    p.add_argument("--noise", choices=NOISES, default="gaussian",
                   help="engine path to audit: gaussian (float add) or gaussian-lattice (integer composition) "
                        "(default: gaussian)")
    p.add_argument("--sigma", type=float, default=0.25, help="noise standard deviation, pixel units (default: 0.25)")
    p.add_argument("--shape", type=_shape, default=(3, 32, 32), help="image shape C,H,W (default: 3,32,32)")
    p.add_argument("--n0", type=int, default=100, help="selection draws at x (default: 100)")
    p.add_argument("--n", type=int, default=100000, help="estimation draws at x, and draws at x' (default: 100000)")
    p.add_argument("--alpha", type=float, default=0.001, help="CERTIFY's failure probability (default: 0.001)")
    p.add_argument("--batch", type=int, default=1000, help="noise draws per forward pass (default: 1000)")
    p.add_argument("--x-pixel", type=int, default=0, help="pixel value of x, 0..255 (default: 0, the black image)")
    p.add_argument("--x-prime-pixel", type=int, default=2, help="pixel value of x', 0..255 (default: 2)")
    p.add_argument("--classifiers", default=",".join(CLASSIFIERS),
                   help=f"comma-separated planted classifiers (default: all: {','.join(CLASSIFIERS)})")
    p.add_argument("--compiled", action="store_true",
                   help="audit the compiled FastForward path (torch.compile; the noise add fused into the graph)")
    p.add_argument("--out", default=None, help="write the JSON witness here")
    p.add_argument("--json", action="store_true", help="print the JSON witness instead of the summary")
    K.add_device_seed(p)


def run(args) -> int:
    from empirical.fp_audit import audit_fp

    K.setup_threads()
    names = tuple(s.strip() for s in args.classifiers.split(",") if s.strip())
    res = audit_fp(args.noise, args.sigma, args.shape, n0=args.n0, n=args.n, alpha=args.alpha, seed=args.seed,
                   compiled=args.compiled, device=args.device, batch=args.batch, x_pixel=args.x_pixel,
                   x_prime_pixel=args.x_prime_pixel, classifiers=names, progress=K.say)
    if args.out:
        res.to_json(args.out)
    if args.json:
        from theory.cli import print_json

        print_json(res.to_dict())
    else:
        print(res.summary() + (f"\nwitness: {args.out}" if args.out else ""))
    return 1 if res.unsound else 0
