"""Cohen et al. (2019)'s CERTIFY on a data set, one TSV row per example.

  python -m empirical certify --checkpoint ck.pt --mechanism gaussian --sigma 0.25 \\
      --n0 100 --n 100000 --alpha 0.001 [--batch 1000] [--skip 20 --max 500] --out results.tsv [--resume]

Columns: idx label predict radius correct time (Cohen et al.'s) + cA n0A n0 nA n pA_lower + every radius
of theory.certificates.certified_radii (see empirical.certify).  Line 2 is the run's metadata,
`# rs-verify-certify {json}` (weights' sha256, sigma, noise, n0, n, alpha, batch, seed, data set, split,
skip, max, ...; pandas: read_csv(..., sep="\t", comment="#")).  Rows are appended and flushed one by one;
--resume continues after the last complete row (a partial last line is redone) and is refused, naming each
differing field, unless the metadata equal this run's: the TSV alone resumes.  Ctrl-C or SIGTERM stop it
cleanly (exit 130 / 143; resumable); a second run on a file being written is refused, naming the process.
The noise of example idx comes from a generator seeded by (seed, idx): the same seed gives the same rows
(bitwise on the CPU with --no-timing), whatever the resumption or sharding.

Sharding: torchrun --standalone --nproc_per_node N -m empirical certify ... splits the examples across
ranks (gloo on the CPU, nccl on GPUs); each rank writes OUT.rankR-of-N and rank 0 merges them into OUT.
torchrun's own parser takes --n and --max for abbreviations of its options: spell them --N and --max-index.

  torchrun --standalone --nproc_per_node 2 -m empirical certify --checkpoint ck.pt --sigma 0.25 \
      --N 10000 --max-index 100 --out results.tsv

Sequential CERTIFY (issue 21; anytime-valid confidence sequence of theory.sequential, --n is the budget cap):
  --target-radius 0.25 0.5 0.75 1.0   decide "certified at R?" for each R, stopping as soon as all are decided
  --sequential [--fraction 0.05]      radius mode: stop within 5 % of the fixed-n radius (projected)
  [--final-share 0.5] [--futility 0.05]  alpha's share for one look at the cap; target mode's futility level
The TSV gains forward_passes (n0 + draws used) and, per R, certified_R<R> and decided_at_R<R> as last columns.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from empirical.commands import _common as K

NAME = "certify"
HELP = "Cohen et al.'s CERTIFY over a data set -> TSV (resumable, shardable with torchrun)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--checkpoint", required=True, help="checkpoint written by `python -m empirical train`")
    K.add_data(p)
    K.add_certify_stats(p)
    p.add_argument("--n0", type=int, default=100, help="selection draws (default: 100)")
    p.add_argument("--n", "--N", dest="n", type=int, default=100000,
                   help="estimation draws (default: 100000); spell it --N under torchrun")
    p.add_argument("--out", required=True, help="output TSV")
    p.add_argument("--resume", action="store_true", help="continue an existing OUT after its last complete row")
    p.add_argument("--overwrite", action="store_true", help="start OUT again if it exists")
    p.add_argument("--timing", action=argparse.BooleanOptionalAction, default=True,
                   help="write wall times in the time column (--no-timing writes 0:00:00: bitwise-reproducible files)")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    K.add_device_seed(p)
    g = p.add_argument_group("sequential CERTIFY (anytime-valid, stops early; issue 21)")
    m = g.add_mutually_exclusive_group()
    m.add_argument("--target-radius", type=float, nargs="+", metavar="R", default=None,
                   help="target-radius mode: decide 'certified at R' (error <= alpha, all R together) and stop when "
                        "every R is decided; --n is the budget cap")
    m.add_argument("--sequential", action="store_true",
                   help="radius mode: stop when the certified radius now is at least (1 - --fraction) times the "
                        "radius fixed-n CERTIFY would report at the budget --n (counts extrapolated at the "
                        "current rate)")
    g.add_argument("--fraction", type=float, default=0.05,
                   help="radius mode's stated loss against fixed n, in (0, 1) (default: 0.05)")
    g.add_argument("--final-share", type=float, default=None, metavar="S",
                   help="share of alpha spent on one Clopper-Pearson look at the cap --n, the rest on the confidence "
                        "sequence, in [0, 1) (default: 0.5)")
    g.add_argument("--futility", type=float, default=None, metavar="BETA",
                   help="target mode: refuse R once even the upper end of the level-BETA sequence, projected to the "
                        "cap, could not certify it (costs accuracy, never the guarantee), in (0, 1); 0 turns it off "
                        "(default: 0.05)")


def run(args: argparse.Namespace) -> int:
    K.check_stats(args)
    K.check_max(args)
    spec = _sequential_spec(args)
    if args.resume and args.overwrite:
        raise ValueError("resume: --resume and --overwrite exclude each other")
    if args.dataset is not None:
        K.check_data(args.dataset, args.data_dir)
    from empirical.certify import check_writable, decide_sharded_output, dist_env, shard_path
    from empirical.models import read_checkpoint

    ck = read_checkpoint(args.checkpoint)
    meta = ck["meta"]
    dataset = args.dataset or meta["dataset"]
    K.check_data(dataset, args.data_dir)
    K.check_sigma(args, dataset)
    rank, world, local = dist_env()
    out = Path(args.out)
    target = shard_path(out, rank, world) if world > 1 else out
    check_writable(target)
    if world > 1:
        check_writable(out)
        # fail fast (read only); rank 0 takes the binding decision again before any rank writes
        decide_sharded_output(out, world, resume=args.resume, overwrite=args.overwrite)
    elif target.exists() and target.stat().st_size > 0 and not (args.resume or args.overwrite):
        raise ValueError(f"out: {str(target)!r} exists and is not empty; pass --resume to continue it or --overwrite")

    from empirical.certify import certify_sharded, read_tsv, select_indices
    from empirical.core import FastForward, resolve_device
    from empirical.data import load_dataset
    from empirical.models import load_checkpoint

    K.setup_threads()
    device = resolve_device(args.device)
    if world > 1 and device.type == "cuda":  # each rank on its own GPU from the start (not all on cuda:0)
        import torch

        device = torch.device("cuda", local)
        torch.cuda.set_device(device)
    if args.batch is None:  # the measured default of this device (issue 21)
        from empirical.core import default_certify_batch

        args.batch = default_certify_batch(device)
    ac = K.autocast_dtype(args.autocast, device)
    split = load_dataset(dataset, args.split, args.data_dir)
    want = tuple(meta.get("input_shape", split.info.shape))
    if tuple(split.info.shape) != want:
        raise ValueError(f"dataset: {dataset!r} has inputs of shape {split.info.shape}, the checkpoint expects {want}")
    model, meta = load_checkpoint(args.checkpoint, "cpu")
    fwd = FastForward(model, device, compile=args.compile, autocast_dtype=ac)
    indices = select_indices(len(split), args.skip, args.max)
    if not indices:
        raise ValueError(f"max: --max {args.max} selects no examples (of {len(split)}, every --skip {args.skip}-th "
                         f"below --max); nothing to certify")
    from empirical._sysinfo import state_dict_sha256

    params = {"checkpoint": str(Path(args.checkpoint).resolve()), "model_sha256": state_dict_sha256(model),
              "dataset": split.info.name, "split": args.split, "num_examples": len(split), "skip": args.skip,
              "max": args.max, "autocast": args.autocast}
    if rank == 0:
        K.say(f"certify: {len(indices)} examples of {split.info.name}/{args.split} on {device} "
              f"({world} rank{'s' if world > 1 else ''}), forward: {fwd.description}")
    try:
        with K.sigterm_as_interrupt():
            rows = _certify(certify_sharded, fwd, split, args, indices, out, device, meta, params, spec)
    except KeyboardInterrupt as exc:
        done = len(read_tsv(target)) if target.exists() else 0
        how = "stopped by SIGTERM" if isinstance(exc, K.Terminated) else "interrupted"
        K.say(f"certify: {how}; {done} complete rows are in {str(target)!r}"
              f"{' (this rank)' if world > 1 else ''}; to continue, run the same command with --resume")
        return 128 + 15 if isinstance(exc, K.Terminated) else 130
    if rank != 0:
        return 0
    return _summary(args, out, rows, world, fwd, device)


def _sequential_spec(args: argparse.Namespace) -> Any:
    """The SequentialSpec of --target-radius / --sequential (None: Cohen et al.'s fixed-n CERTIFY)."""
    if args.fraction != 0.05 and not args.sequential:
        raise ValueError("fraction: --fraction applies to the radius mode only; pass --sequential")
    if args.futility is not None and args.target_radius is None:
        raise ValueError("futility: --futility applies to the target-radius mode only; pass --target-radius")
    if args.target_radius is None and not args.sequential:
        if args.final_share is not None:
            raise ValueError("final_share: --final-share applies to the sequential modes only")
        return None
    from theory import sequential as Q

    share = Q.DEFAULT_FINAL_SHARE if args.final_share is None else args.final_share
    if args.target_radius is not None:
        beta = Q.DEFAULT_FUTILITY if args.futility is None else (None if args.futility == 0 else args.futility)
        return Q.SequentialSpec("target", args.n, tuple(float(r) for r in args.target_radius), final_share=share,
                                futility=beta)
    return Q.SequentialSpec("radius", args.n, fraction=args.fraction, final_share=share)


def _certify(certify_sharded: Any, fwd: Any, split: Any, args: argparse.Namespace, indices: Any, out: Path,
             device: Any, meta: dict[str, Any], params: dict[str, Any], spec: Any = None) -> Any:
    return certify_sharded(fwd.model, split, args.mechanism, args.sigma, args.n0, args.n, args.alpha, args.batch,
                           indices, out, device=device, resume=args.resume, overwrite=args.overwrite,
                           seed=args.seed, timing=args.timing, forward=fwd, num_classes=int(meta["num_classes"]),
                           run_params=params, sequential=spec)


def _summary(args: argparse.Namespace, out: Path, rows: Any, world: int, fwd: Any, device: Any) -> int:
    from empirical.certify import read_tsv

    allrows = read_tsv(out)
    n_ok = sum(r["correct"] == "1" for r in allrows)
    n_abs = sum(r["predict"] == "-1" for r in allrows)
    summary = {"out": str(out), "rows": len(allrows), "new_rows": len(rows), "world_size": world,
               "certified_accuracy_r0": n_ok / max(len(allrows), 1), "abstain_rate": n_abs / max(len(allrows), 1),
               "forward": fwd.description, "device": str(device)}
    if allrows and "forward_passes" in allrows[0]:  # sequential run
        summary["mean_forward_passes"] = sum(int(r["forward_passes"]) for r in allrows) / len(allrows)
    if args.json:
        from theory.cli import print_json

        print_json(summary)
    else:
        print(f"wrote {out}: {len(allrows)} rows ({len(rows)} new{' on rank 0' if world > 1 else ''}), "
              f"accuracy at r=0 {summary['certified_accuracy_r0']:.4f}, abstain {summary['abstain_rate']:.4f}; "
              f"forward: {fwd.description}")
    return 0
