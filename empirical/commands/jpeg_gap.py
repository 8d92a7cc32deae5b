"""How many points the JPEG-75 copy of CIFAR-10 costs: certify the lossless first 100 test images and their
JPEG-75 versions with the same models and noise seeds, and report the paired difference.

  python -m empirical jpeg-gap --data-dir ../shared/data --out reports/empirical
  python -m empirical jpeg-gap --data-dir ../shared/data --checkpoint ck.pt          (certify your own model)

Without --checkpoint it trains one model per --sigmas value on the JPEG-75 training set (fast recipe; cached
in --work/models) and certifies it with Gaussian noise at that sigma.  --data-dir is the shared data folder
(it needs cifar10-lossless100/ and cifar10-jpeg75/).  Certification rows are written to --work as they are
made; a rerun resumes them.  Writes OUT/NAME.md, NAME.json and NAME.png.
"""

from __future__ import annotations

import argparse

from empirical.commands import _common as K
from theory import validate as V

NAME = "jpeg-gap"
HELP = "paired certification of the 100 lossless CIFAR-10 test images and their JPEG-75 versions"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from empirical.models import ARCHS

    p.add_argument("--data-dir", default=None,
                   help="the shared data folder, with cifar10-lossless100/ and cifar10-jpeg75/ (default: "
                        "$RS_DATA_DIR)")
    p.add_argument("--checkpoint", default=None,
                   help="certify this CIFAR-10 checkpoint (at its training sigma) instead of training")
    p.add_argument("--sigmas", default=None,
                   help="comma-separated training = certification sigmas (default: 0.25,0.5,1; not with "
                        "--checkpoint, which is certified at its own training sigma)")
    p.add_argument("--arch", choices=ARCHS, default="cnn", help="architecture to train (default: cnn)")
    p.add_argument("--epochs", type=int, default=15, help="training epochs (default: 15)")
    p.add_argument("--max-seconds", type=float, default=600.0,
                   help="training time cap per model, seconds (stops after the epoch that passes it; "
                        "default: 600)")
    p.add_argument("--train-batch", type=int, default=256, help="training batch size (default: 256)")
    p.add_argument("--n0", type=int, default=100, help="selection draws of CERTIFY (default: 100)")
    p.add_argument("--n", type=int, default=100_000, help="estimation draws of CERTIFY (default: 100000)")
    p.add_argument("--alpha", type=float, default=0.001, help="failure probability in (0, 1) (default: 0.001)")
    p.add_argument("--batch", type=int, default=None,
                   help="noise draws per forward pass (default: 256 on the CPU, 10000 on CUDA)")
    p.add_argument("--work", default="runs/jpeg_gap", help="models and certification TSVs (default: runs/jpeg_gap)")
    p.add_argument("--out", default="reports/empirical", help="report directory (default: reports/empirical)")
    p.add_argument("--name", default="cifar10_jpeg_gap", help="report file stem (default: cifar10_jpeg_gap)")
    p.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True,
                   help="torch.compile the forward pass on the CPU (always on CUDA; default: on)")
    p.add_argument("--no-progress", action="store_true", help="no progress output on stderr")
    K.add_device_seed(p)


def _sigmas(text: str) -> list[float]:
    try:
        vals = [float(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ValueError(f"sigmas: need comma-separated numbers > 0, got {text!r}") from None
    if not vals:
        raise ValueError(f"sigmas: need at least one sigma > 0, got {text!r}")
    return [V.positive("sigmas", s) for s in vals]


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.checkpoint is not None and args.sigmas is not None:
        raise ValueError("sigmas: --sigmas trains models; with --checkpoint the checkpoint is certified at its own "
                         "training sigma (leave --sigmas out)")
    sigmas = _sigmas(args.sigmas if args.sigmas is not None else "0.25,0.5,1")
    V.count("epochs", args.epochs, minimum=1)
    V.positive("max-seconds", args.max_seconds)
    V.count("train-batch", args.train_batch, minimum=1)
    V.count("n0", args.n0, minimum=1)
    V.count("n", args.n, minimum=1)
    V.in_open_interval("alpha", args.alpha, 0.0, 1.0)
    V.count("seed", args.seed, minimum=0)
    if args.batch is not None:
        V.count("batch", args.batch, minimum=1)
    from empirical.data import default_data_dir

    data_dir = args.data_dir if args.data_dir is not None else default_data_dir()
    from empirical.jpeg_gap import compute_jpeg_gap, load_jpeg_pairs, write_jpeg_gap_report

    lossless, jpeg, mae = load_jpeg_pairs(data_dir)  # ValueError naming data_dir before any training
    assert data_dir is not None  # load_jpeg_pairs raised the ValueError otherwise
    from empirical.core import resolve_device
    from empirical.models import load_checkpoint, save_checkpoint
    from empirical.train import train_model

    K.setup_threads()
    dev = resolve_device(args.device)
    work = Path(args.work)
    models = []
    if args.checkpoint is not None:
        model, meta = load_checkpoint(args.checkpoint, device="cpu")
        if meta.get("dataset") != "cifar10":
            raise ValueError(f"checkpoint: {args.checkpoint!r} is a {meta.get('dataset')!r} model, not cifar10")
        models.append((model, meta))
    else:
        jpeg_dir = Path(data_dir) / "cifar10-jpeg75"
        for s in sigmas:
            ck = work / "models" / (f"cifar10jpeg75_{args.arch}_gaussian_{s:g}_e{args.epochs}_b{args.train_batch}"
                                    f"_t{args.max_seconds:g}_s{args.seed}_fast.pt")
            if ck.is_file():
                models.append(load_checkpoint(ck, device="cpu"))
                K.say(f"[jpeg-gap] using {ck}")
                continue
            model, meta = train_model("cifar10", args.arch, "gaussian", s, args.epochs, args.seed, dev,
                                      data_dir=jpeg_dir, batch_size=args.train_batch, max_seconds=args.max_seconds,
                                      progress=not args.no_progress, log=K.say, recipe="fast")
            save_checkpoint(ck, model, meta)
            K.say(f"[jpeg-gap] trained {ck.name}: {meta['train_seconds']:.0f} s, clean acc. "
                  f"{meta['test_acc_clean']:.3f}")
            models.append((model.cpu(), meta))
    batch = args.batch if args.batch is not None else (10_000 if dev.type == "cuda" else 256)
    res = compute_jpeg_gap(models, lossless, jpeg, n0=args.n0, n=args.n, alpha=args.alpha, batch=batch, device=dev,
                           seed=args.seed, work=work, mae=mae, progress=not args.no_progress, compile_cpu=args.compile,
                           command=K.command_line(NAME, "python -m empirical jpeg-gap"))
    md = write_jpeg_gap_report(res, args.out, name=args.name)
    for s in res.per_sigma:
        g0 = s.gaps[0]
        print(f"sigma {s.sigma:g}: certified accuracy at R = 0: lossless {g0.acc_lossless:.0f}%, JPEG "
              f"{g0.acc_jpeg:.0f}% ({g0.lossless_only} lossless only, {g0.jpeg_only} JPEG only, p = "
              f"{g0.p_value:.2g})")
    print(f"wrote {md}")
    return 0
