"""Train a base classifier with noise augmentation (Cohen et al. 2019) and save a checkpoint.

It trains on the data set's 'train' split and reports its accuracy on the 'test' split.

  python -m empirical train --dataset digits --arch cnn --noise gaussian --sigma 0.25 --epochs 5 --out ck.pt

The checkpoint holds the state dict and the metadata (dataset, arch, noise, sigma, seed, versions, input
shape, classes, normalisation, test accuracy); it loads with torch.load(weights_only=True).
"""

from __future__ import annotations

import argparse

from empirical.commands import _common as K
from theory import noises
from theory import validate as V

NAME = "train"
HELP = "train a base classifier under noise (gaussian / exponential-linf / none) and save a checkpoint"


def add_arguments(p: argparse.ArgumentParser) -> None:
    K.add_data(p, default="digits", split=False)  # trains on the 'train' split, evaluates on 'test
    from empirical.models import ARCHS

    p.add_argument("--arch", choices=ARCHS, default="cnn", help="architecture (default: cnn)")
    p.add_argument("--noise", choices=(*noises.float_sampler_noises(), "none"), default="gaussian",
                   help="training noise (default: gaussian)")
    p.add_argument("--sigma", type=float, default=None,
                   help="noise parameter sigma > 0 (default: 0.25; not with --noise none)")
    p.add_argument("--epochs", type=int, default=10, help="epochs (default: 10)")
    p.add_argument("--batch", type=int, default=128, help="batch size (default: 128)")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate (default: 0.1 SGD for ResNets, 1e-3 Adam otherwise)")
    p.add_argument("--max-examples", type=int, default=None,
                   help="train on a seeded random subset of N training examples "
                        "(a prefix would miss classes in class-major data)")
    p.add_argument("--max-seconds", type=float, default=None, help="stop after the epoch that passes this time")
    p.add_argument("--out", required=True, help="checkpoint path to write (an existing file is refused)")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    p.add_argument("--json", action="store_true", help="print the checkpoint metadata as JSON")
    K.add_device_seed(p)


def run(args: argparse.Namespace) -> int:
    if args.noise == "none":
        if args.sigma is not None:
            raise ValueError(f"sigma: --noise none adds no noise, so --sigma {args.sigma:g} would be ignored; drop it")
        args.sigma = 0.0  # no noise (the checkpoint's meta records sigma 0.0, as before)
    else:
        args.sigma = 0.25 if args.sigma is None else args.sigma
        V.positive("sigma", args.sigma)
    V.count("epochs", args.epochs, minimum=1)
    V.count("batch", args.batch, minimum=1)
    V.count("seed", args.seed, minimum=0)
    if args.lr is not None:
        V.positive("lr", args.lr)
    if args.max_examples is not None:
        V.count("max-examples", args.max_examples, minimum=1)
    if args.max_seconds is not None:
        V.positive("max-seconds", args.max_seconds)
    K.check_data(args.dataset, args.data_dir)
    K.check_sigma(args, args.dataset)
    from empirical.certify import check_writable, refuse_existing

    out = check_writable(args.out)
    if not args.overwrite:
        refuse_existing(out)
    from empirical.models import save_checkpoint
    from empirical.train import train_model

    K.setup_threads()
    model, meta = train_model(args.dataset, args.arch, args.noise, args.sigma, args.epochs, args.seed, args.device,
                              data_dir=args.data_dir, batch_size=args.batch, lr=args.lr,
                              max_examples=args.max_examples, max_seconds=args.max_seconds, log=K.say)
    save_checkpoint(out, model, meta)
    if args.json:
        from theory.cli import print_json

        print_json(meta)
    else:
        print(f"wrote {out}: {meta['arch']} on {meta['dataset']}, noise {meta['noise']} sigma {meta['sigma']}, "
              f"test accuracy clean {meta.get('test_acc_clean', float('nan')):.4f} / noisy "
              f"{meta.get('test_acc_noisy', float('nan')):.4f}")
    return 0
