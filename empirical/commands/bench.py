"""Benchmark the certification engine: samples/s of (a) the fastest pure forward pass, (b) the full
CERTIFY loop, (c) a naive eager loop as in published implementations and (r) Cohen et al.'s CERTIFY loop
as they describe it (the reference), interleaved and repeated (median, min, max); ratios b/a, b/c,
vs_cohen_reference = b/r and the R14 sampler against torch.randn.  On CUDA also bf16 autocast.

  python -m empirical bench                      # small CNN on 3x32x32 inputs, CPU or CUDA (auto)
  python -m empirical bench --reference cohen --json
  python -m empirical bench --arch resnet20 --device cuda --n 100000 --batch 1000 --json
"""

from __future__ import annotations

import argparse

from empirical.commands import _common as K
from theory import noises

NAME = "bench"
HELP = ("throughput of forward / certify loop / naive loop / Cohen et al.'s loop (medians, spread, ratios b/a, b/c, "
        "vs_cohen_reference, sampler)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from empirical.models import ARCHS

    p.add_argument("--arch", choices=ARCHS, default="cnn", help="architecture (random weights; default: cnn)")
    p.add_argument("--dataset", default="cifar10", help="data set giving the input shape "
                   "(no data read; default: cifar10)")
    p.add_argument("--checkpoint", default=None, help="benchmark this checkpoint's model instead")
    p.add_argument("--batch", type=int, default=None,
                   help="noise draws per forward pass of the reference and naive loops (default: 400 on the CPU, "
                        "1000 on CUDA)")
    p.add_argument("--engine-batch", type=int, default=None,
                   help="noise draws per forward pass of the engine's loop (b) (default: 128 on the CPU, "
                        "10000 on CUDA)")
    p.add_argument("--reference", choices=("cohen", "none"), default="cohen",
                   help="reference loop to compare with: cohen = Cohen et al.'s CERTIFY as they describe it "
                        "(ratio vs_cohen_reference); none = leave it out (default: cohen)")
    p.add_argument("--reference-process", action=argparse.BooleanOptionalAction, default=True,
                   help="also run the reference loop in a process of its own, as their script runs "
                        "(r_cohen_own_process; default: on)")
    p.add_argument("--no-samplers", action="store_true", help="skip the noise-sampler timings")
    p.add_argument("--n", type=int, default=None, help="samples per timed run (default: 4000 CPU, 100000 CUDA)")
    p.add_argument("--n0", type=int, default=100, help="selection samples in (b) and (c) (default: 100)")
    p.add_argument("--reps", type=int, default=5, help="interleaved repetitions (default: 5)")
    p.add_argument("--sigma", type=float, default=0.25, help="noise sigma (default: 0.25)")
    p.add_argument("--mechanism", choices=noises.float_sampler_noises(), default="gaussian")
    p.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True,
                   help="torch.compile in (a)/(b) (falls back to eager, said in the output; default: on)")
    p.add_argument("--batch-sweep", type=int, nargs="*", default=None, metavar="B",
                   help="also time the certify sampling loop at these batch sizes (no value: 128 256 512 1000) and "
                        "report the fastest next to the default_certify_batch the certify command uses (issue 21)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="also write the figures as JSON to FILE, with the command line that made them (e.g. "
                        "reports/empirical/bench_cpu.json)")
    K.add_device_seed(p)


def run(args: argparse.Namespace) -> int:
    from theory import validate as V

    V.positive("sigma", args.sigma)
    V.count("reps", args.reps, minimum=1)
    V.count("n0", args.n0, minimum=1)
    if args.checkpoint is None:
        from empirical.data import dataset_info

        dataset_info(args.dataset)
    else:
        from empirical.models import read_checkpoint

        read_checkpoint(args.checkpoint)
    from empirical.bench import format_bench, run_bench
    from empirical.core import resolve_device

    K.setup_threads()
    dev = resolve_device(args.device)
    batch = args.batch if args.batch is not None else (1000 if dev.type == "cuda" else 400)
    n = args.n if args.n is not None else (100000 if dev.type == "cuda" else 4000)
    engine_batch = (args.engine_batch if args.engine_batch is not None
                    else (10000 if dev.type == "cuda" else 128))
    V.count("batch", batch, minimum=1)
    V.count("engine-batch", engine_batch, minimum=1)
    V.count("n", n, minimum=1)
    if args.out is not None:
        from empirical.certify import check_writable

        check_writable(args.out, sidecar=False)
    res = run_bench(args.arch, args.dataset, checkpoint=args.checkpoint, device=dev, batch=batch, n=n, n0=args.n0,
                    reps=args.reps, sigma=args.sigma, mechanism=args.mechanism, compile=args.compile, seed=args.seed,
                    reference=args.reference, engine_batch=min(engine_batch, n), samplers=not args.no_samplers,
                    reference_process=args.reference_process)
    from empirical.core import default_certify_batch

    res["default_certify_batch"] = default_certify_batch(dev)
    if args.batch_sweep is not None:
        from empirical.bench import certify_batch_sweep
        from empirical.data import dataset_info
        from empirical.models import build_model, load_checkpoint

        if args.checkpoint is not None:
            model, meta = load_checkpoint(args.checkpoint, "cpu")
            info = dataset_info(meta["dataset"])
        else:
            info = dataset_info(args.dataset)
            model = build_model(args.arch, info)
        res["certify_batch_sweep"] = certify_batch_sweep(model, info.shape, info.num_classes, dev,
                                                         sizes=args.batch_sweep or (128, 256, 512, 1000), n=n,
                                                         reps=args.reps, sigma=args.sigma, compile=args.compile,
                                                         seed=args.seed)
    if args.out is not None:
        import json
        from pathlib import Path

        out = dict(res, command=K.command_line(NAME, "python -m empirical bench"))
        Path(args.out).write_text(json.dumps(out, indent=1, default=str) + "\n")
    if args.json:
        from theory.cli import print_json

        print_json(res)
    else:
        print(format_bench(res))
    return 0
