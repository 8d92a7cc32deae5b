"""Arguments and checks shared by the empirical commands (not a command: the name starts with '_')."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, overload

from theory import noises
from theory import validate as V

if TYPE_CHECKING:  # torch is imported where a command needs it, not by `import empirical`
    import torch


def add_device_seed(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="auto = cuda if available, else cpu (default: auto)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")


def add_data(p: argparse.ArgumentParser, *, default: str | None = None, split: bool = True) -> None:
    """--dataset, --data-dir and (with ``split``) --split, the split to evaluate on (train always trains on
    the 'train' split, so it has no --split)."""
    p.add_argument("--dataset", default=default,
                   help="digits | mnist | cifar10 | imagenet | synthetic[:D[:K]]"
                        + (f" (default: {default})" if default else " (default: the checkpoint's)"))
    p.add_argument("--data-dir", default=None,
                   help="directory of mnist / cifar10 / imagenet (default: $RS_DATA_DIR); "
                        "npz layout of ../shared/data, MNIST idx files or the CIFAR-10 binary version")
    if split:
        p.add_argument("--split", default="test", help="data split to certify / predict on (default: test)")


def add_certify_stats(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mechanism", choices=noises.sampler_keys(), default="gaussian",
                   help="smoothing noise: gaussian, the eq.-6 l_inf-exponential mechanism, or gaussian-lattice: the "
                        "Gaussian rounded to the 1/255 lattice and added as integers, whose certificate holds in "
                        "floating point (inputs must lie on the 1/255 lattice, else error; see audit-fp) "
                        "(default: gaussian)")
    p.add_argument("--sigma", type=float, required=True, help="noise parameter sigma > 0")
    p.add_argument("--alpha", type=float, default=0.001, help="failure probability in (0, 1) (default: 0.001)")
    p.add_argument("--batch", type=int, default=None,
                   help="noise draws per forward pass (default: empirical.core.default_certify_batch of the device, "
                        "chosen by measurement: `bench --batch-sweep`)")
    p.add_argument("--skip", type=int, default=1, help="certify every skip-th example (default: 1)")
    p.add_argument("--max", "--max-index", dest="max", type=int, default=None,
                   help="stop before this example index, >= 0 (default: all); spell it --max-index under torchrun")
    p.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True,
                   help="torch.compile the forward pass (falls back to eager, said on stderr; default: on)")
    p.add_argument("--autocast", choices=("none", "bf16"), default="none",
                   help="autocast dtype for the forward pass (CUDA only; default: none)")


def check_stats(args: argparse.Namespace) -> None:
    """Fail fast on bad numbers (ValueError naming the option) before any work."""
    V.positive("sigma", args.sigma)
    V.in_open_interval("alpha", args.alpha, 0.0, 1.0)
    if args.batch is not None:
        V.count("batch", args.batch, minimum=1)
    V.count("skip", args.skip, minimum=1)
    V.count("seed", args.seed, minimum=0)
    if hasattr(args, "n0"):
        V.count("n0", args.n0, minimum=1)
    V.count("n", args.n, minimum=1)


def check_max(args) -> None:
    """--max: None (all) or >= 0; a negative value is refused (``--max -5`` used to certify everything)."""
    if args.max is not None:
        V.count("max", args.max, minimum=0)


def check_sigma(args, dataset: str) -> None:
    """--sigma small enough for float32 noise of --mechanism on ``dataset`` and finite radii at --n / --alpha
    (:func:`empirical.certify.check_sigma_range`; no data is read)."""
    from empirical.certify import check_sigma_range
    from empirical.data import dataset_info

    mech = getattr(args, "mechanism", getattr(args, "noise", "gaussian"))
    if mech == "none":
        return
    n = getattr(args, "n", 1)
    check_sigma_range(mech, args.sigma, dataset_info(dataset).dim, n=n, alpha=getattr(args, "alpha", 0.5))


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is, like Ctrl-C's KeyboardInterrupt (:func:`sigterm_as_interrupt`)."""


class sigterm_as_interrupt:  # noqa: N801 - used as a context manager, like contextlib's
    """Within the block, SIGTERM raises :class:`Terminated` (a KeyboardInterrupt): a long job stopped by
    ``kill`` (or a scheduler, or torchrun) cleans up and reports like Ctrl-C.  The old handler comes back after;
    outside the main thread it does nothing (signal handlers can only be set there)."""

    def __enter__(self):
        import signal
        import threading

        self.old = None
        if threading.current_thread() is threading.main_thread():
            def raise_terminated(signum, frame):
                raise Terminated()

            self.old = signal.signal(signal.SIGTERM, raise_terminated)
        return self

    def __exit__(self, *exc):
        import signal

        if self.old is not None:
            signal.signal(signal.SIGTERM, self.old)
        return False


def check_data(dataset: str, data_dir: str | Path | None) -> None:
    """Unknown data set or missing data directory -> ValueError before any work."""
    from empirical.data import _require_dir, dataset_info

    info = dataset_info(dataset)
    if info.name.split(":")[0] in ("mnist", "cifar10", "imagenet"):
        _require_dir(data_dir, info.name)


def setup_threads() -> None:
    """Respect OMP_NUM_THREADS for torch's intra-op pool (torchrun sets it to 1 per process)."""
    import torch

    n = os.environ.get("OMP_NUM_THREADS")
    if n and n.isdigit() and int(n) > 0:
        torch.set_num_threads(int(n))


@overload
def command_line(name: str, default: str) -> str: ...
@overload
def command_line(name: str, default: None = None) -> str | None: ...
def command_line(name: str, default: str | None = None) -> str | None:
    """``python -m empirical NAME ARGS...`` as this process was invoked (also through ``rs-verify empirical``),
    for a report's provenance; ``default`` when NAME is not on the command line (a call of ``main([...])``)."""
    import shlex

    argv = sys.argv
    return "python -m empirical " + shlex.join(argv[argv.index(name):]) if name in argv[1:] else default


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def autocast_dtype(name: str, device: torch.device) -> torch.dtype | None:
    import torch

    if name == "none":
        return None
    if device.type != "cuda":
        raise ValueError("autocast: bf16 autocast is offered on CUDA only (use --autocast none on the CPU)")
    return torch.bfloat16
