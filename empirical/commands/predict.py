"""Cohen et al. (2019)'s PREDICT on a data set: the smoothed prediction with a two-sided binomial test
of the top two counts (scipy.stats.binomtest via theory.certificates.predict_from_counts); abstain (-1)
when its p-value exceeds alpha.

  python -m empirical predict --checkpoint ck.pt --sigma 0.25 --n 1000 --alpha 0.001 --out predict.tsv

TSV columns: idx label predict correct time cA nA cB nB n p_value.  Example idx draws its noise from a
generator seeded by (seed, idx).
"""

from __future__ import annotations

import argparse

from empirical.commands import _common as K

NAME = "predict"
HELP = "Cohen et al.'s PREDICT (binomial test of the top two classes) over a data set -> TSV"

COLUMNS = ["idx", "label", "predict", "correct", "time", "cA", "nA", "cB", "nB", "n", "p_value"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--checkpoint", required=True, help="checkpoint written by `python -m empirical train`")
    K.add_data(p)
    K.add_certify_stats(p)
    p.add_argument("--n", "--N", dest="n", type=int, default=100000, help="noise draws (default: 100000)")
    p.add_argument("--out", default="-", help="output TSV (default: stdout)")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists (refused otherwise)")
    p.add_argument("--json", action="store_true", help="print a JSON summary instead of the TSV on stdout")
    K.add_device_seed(p)


def run(args: argparse.Namespace) -> int:
    import datetime
    import sys
    import time
    from pathlib import Path

    K.check_stats(args)
    K.check_max(args)
    if args.dataset is not None:
        K.check_data(args.dataset, args.data_dir)
    from empirical.certify import check_writable, fmt_float, refuse_existing
    from empirical.models import read_checkpoint

    meta = read_checkpoint(args.checkpoint)["meta"]
    dataset = args.dataset or meta["dataset"]
    K.check_data(dataset, args.data_dir)
    K.check_sigma(args, dataset)
    to_stdout = args.out == "-"
    if not to_stdout:
        check_writable(args.out)
        if not args.overwrite:
            refuse_existing(args.out)

    from empirical.certify import select_indices
    from empirical.core import FastForward, Smooth, resolve_device
    from empirical.data import load_dataset
    from empirical.models import load_checkpoint
    from empirical.noise import example_seed, make_generator

    K.setup_threads()
    device = resolve_device(args.device)
    if args.batch is None:  # the measured default of this device (issue 21)
        from empirical.core import default_certify_batch

        args.batch = default_certify_batch(device)
    ac = K.autocast_dtype(args.autocast, device)
    split = load_dataset(dataset, args.split, args.data_dir)
    model, meta = load_checkpoint(args.checkpoint, "cpu")
    fwd = FastForward(model, device, compile=args.compile, autocast_dtype=ac)
    smooth = Smooth(fwd.model, int(meta["num_classes"]), args.mechanism, args.sigma, device, forward=fwd)
    indices = select_indices(len(split), args.skip, args.max)
    K.say(f"predict: {len(indices)} examples on {device}, forward: {fwd.description}")
    if indices:
        smooth.warmup(split[indices[0]][0], (args.n,), args.batch)
    g = make_generator(device, 0)
    f = sys.stdout if (to_stdout and not args.json) else (open(args.out, "w") if not to_stdout else None)
    n_ok = n_abs = 0
    try:
        if f is not None:
            f.write("\t".join(COLUMNS) + "\n")
        from theory._progress import progress_bar

        for i in progress_bar(indices, desc="predict"):
            x, label = split[i]
            g.manual_seed(example_seed(args.seed, i))
            t0 = time.perf_counter()
            r = smooth.predict(x, args.n, args.alpha, args.batch, g)
            dt = str(datetime.timedelta(seconds=time.perf_counter() - t0))
            ok = int(r.prediction == label)
            n_ok += ok
            n_abs += r.prediction == -1
            if f is not None:
                f.write("\t".join(str(v) if not isinstance(v, float) else fmt_float(v) for v in
                                  (i, label, r.prediction, ok, dt, r.cA, r.nA, r.cB, r.nB, r.n, r.p_value)) + "\n")
                f.flush()
    finally:
        if f is not None and f is not sys.stdout:
            f.close()
    if args.json:
        from theory.cli import print_json

        print_json({"out": None if to_stdout else str(Path(args.out)), "rows": len(indices),
                    "accuracy": n_ok / max(len(indices), 1), "abstain_rate": n_abs / max(len(indices), 1),
                    "forward": fwd.description, "device": str(device)})
    return 0
