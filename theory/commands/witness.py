"""Re-check a witness file (theory.witness): exact recomputation with mpmath at 50 digits and a Monte Carlo
confirmation (fixed seed, 1e6 draws, Clopper-Pearson intervals at 1e-6; importance sampling for
probabilities below 1e-4).  Exit code 0 if confirmed, 1 if not, 2 for a bad file.

  python -m theory witness reports/witnesses/c11_c1_binary.json [--json] [--samples N] [--seed S]
  python -m theory witness --generate [--out reports/witnesses]      (soundness search + one file per case)

A witness of a refuted claim (reports/witnesses/claim_*.json, kind "claim-counterexample", written by
`python -m theory audit` and by --generate) is re-checked by re-running the claims-registry check that
reproduces the counterexample and comparing every recorded number (theory.claim_witness).
"""

from __future__ import annotations

import argparse
import sys

from theory.cli import print_json
from theory.commands.divergence import integer_option

NAME = "witness"
HELP = "re-check a witness (over-certified radius: exact + Monte Carlo; refuted claim: re-run), or --generate"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", help="witness JSON file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--samples", type=integer_option(), default=1_000_000,
                   help="Monte Carlo draws per point, an integer >= 1 (e-notation such as 1e7 is fine; default 1e6)")
    p.add_argument("--seed", type=int, default=0, help="Monte Carlo seed (default 0)")
    p.add_argument("--generate", action="store_true",
                   help="run the soundness search and write one witness per exceeding case")
    p.add_argument("--out", default="reports/witnesses", help="output folder of --generate")


def run(args: argparse.Namespace) -> int:
    from theory import claim_witness as CW
    from theory import witness as W

    if args.generate:
        if args.file:
            raise ValueError("give either FILE or --generate")
        from theory.cli import output_folder

        output_folder("--out", args.out)  # before the search (creates nothing)
        recs = W.generate_witnesses(args.out, progress=not args.json)
        claim_paths = CW.generate_claim_witnesses(args.out)
        if args.json:
            print_json({"out": args.out, "records": recs, "claim_witnesses": claim_paths})
        else:
            for r in recs:
                s = r["search"]
                thr = s["from_one_minus_pA"]
                print(f"{r['certificate']:<11} {str(r['setting']):<24} exceeds tight: {str(s['exceeds_tight']):<5} "
                      f"{f'below 1-pA = {thr:.4g}' if thr else '':<24} "
                      f"multiclass: {(s['multiclass'] or {}).get('exceeds_tight', 'n/a')}")
                wp, setting = r.get("witness_params"), r["setting"]
                if r["witnesses"] and wp is not None and wp != setting:
                    # the files are built at another d (l_inf: radius / tight radius does not depend on d)
                    keys = [k for k in wp if setting.get(k) != wp[k]]
                    print(f"    witnesses at {', '.join(f'{k} = {wp[k]}' for k in keys)} (searched at "
                          f"{', '.join(f'{k} = {setting.get(k)}' for k in keys)}; the ratio radius / tight radius "
                          f"is the same at every d)")
                for p in r["witnesses"]:
                    print(f"    -> {p}")
            print(f"refuted claims: {len(claim_paths)} counterexample witnesses")
            for p in claim_paths:
                print(f"    -> {p}")
        return 0
    if not args.file:
        raise ValueError("a witness FILE (or --generate) is required")
    if CW.is_claim_witness(args.file):
        res = CW.check_claim_witness(args.file)
        if args.json:
            print_json(res)
        else:
            words = {"refutes": "refuted", "empty": "shown ill-posed", "gap": "proof gap shown",
                     "invalid": "proof step shown invalid"}
            what = words.get(str(res.get("finding")), "checked")
            reading = "" if res.get("reading", "as printed") == "as printed" else f" (reading: {res['reading']})"
            mode = " (--thorough sizes, as recorded)" if res.get("thorough") else ""
            print(f"{res['path']}: {res['claim']}{reading} {what} by check '{res['check']}' "
                  f"[{res.get('assurance') or 'sampled'}]{mode}")
            print(f"  {res['summary']}")
            for k, v in res["checks"].items():
                print(f"  {'ok ' if v else 'FAIL'} {k}")
            for m in res["mismatches"]:
                print(f"    {m}")
            print(f"  {'CONFIRMED' if res['confirmed'] else 'NOT CONFIRMED'} ({res['seconds']:.1f} s)")
        if not res["confirmed"]:
            print("witness not confirmed", file=sys.stderr)
        return 0 if res["confirmed"] else 1
    res = W.check_witness(args.file, samples=args.samples, seed=args.seed)
    if args.json:
        print_json(res)
    else:
        ex = res["exact"]
        print(f"{res['path']}: {res['claim'] or res['certificate']} {res['params']} ({res['form']})")
        print(f"  claimed radius {ex['claimed_radius']:.10g}, tight radius {ex['tight_radius']:.10g}, "
              f"||x' - x|| = {ex['perturbation_norm']:.10g}")
        print(f"  exact: g(x) = {ex['prediction_x']} {ex['at_x']}; g(x') = {ex['prediction_x_prime']} "
              f"{ex['at_x_prime']}")
        mc = res["monte_carlo"]
        print(f"  Monte Carlo ({mc['samples']} draws, seed {mc['seed']}): x {mc['x']['counts']}, "
              f"x' {mc['x_prime']['counts']}")
        for r in res["importance_sampling"]:
            print(f"  importance sampling at {r['point']}, class {r['label']}: {r['estimate']:.6g} "
                  f"[{r['ci'][0]:.6g}, {r['ci'][1]:.6g}], exact {r['exact']:.6g}")
        for k, v in res["checks"].items():
            print(f"  {'ok ' if v else 'FAIL'} {k}")
        print(f"  {'CONFIRMED' if res['confirmed'] else 'NOT CONFIRMED'} ({res['seconds']:.1f} s)")
    if not res["confirmed"]:
        print("witness not confirmed", file=sys.stderr)
    return 0 if res["confirmed"] else 1
