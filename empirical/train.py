"""Training base classifiers with noise augmentation (Cohen et al. 2019, Sec. 4: train f on x + z with
z drawn from the smoothing distribution, in pixel space, before the normalisation layer).

Python API::

    model, meta = train_model("digits", "cnn", "gaussian", 0.25, epochs=5, seed=0, device="cpu")
    save_checkpoint("ck.pt", model, meta)
    # or on splits already in memory (e.g. a resampled data set with its own DatasetInfo):
    model, meta = fit("cnn", info, train, test, "gaussian", 0.25, epochs=5, seed=0, device="cpu")

Optimiser, ``recipe="default"``: SGD (momentum 0.9, weight decay 1e-4, lr 0.1, divided by 10 at 1/3 and
2/3 of the epochs -- Cohen et al.'s schedule compressed) for the ResNets; Adam (lr 1e-3) for the others.

``recipe="fast"`` (issue 13; the ingredients of the fast CIFAR-10 schedules -- Smith & Topin 2019,
"Super-convergence" (one-cycle); Szegedy et al. 2016 (label smoothing); Page 2018, "How to train your
ResNet" and Jordan 2024, "airbench" (whole data set on the device, augmentation on the device, large
batches, channels_last, low precision)):

* one-cycle learning rate (``torch.optim.lr_scheduler.OneCycleLR``, 25 % warm-up, cosine down), stepped per
  batch: SGD + Nesterov (peak lr 0.2, weight decay 5e-4) for the ResNets, AdamW (peak lr 3e-3, weight decay
  1e-4) for the others;
* label smoothing 0.1 (noise makes some training inputs genuinely ambiguous);
* the (subset of the) training set kept on the device; for 3-channel images a random crop (reflect-padded by
  4 pixels) and a horizontal flip drawn per example on the device, before the smoothing noise;
* on CUDA: channels_last, bf16 autocast and ``torch.compile`` of the training step's model.

The smoothing noise is added exactly as in the default recipe (pixel space, before normalisation).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

from empirical.core import resolve_device
from empirical.data import DatasetInfo, Split, load_dataset
from empirical.models import ARCHS, build_model, make_meta
from empirical.noise import NoiseSampler, make_generator
from theory import noises
from theory import validate as V
from theory._progress import Progress

# training noise is added in float: the noises of theory.noises with a float torch sampler (gaussian-lattice:
# certification only); read at import, so --noise's choices are the built-in table's
NOISES = ("none",) + noises.float_sampler_noises()
RECIPES = ("default", "fast")


def augment_crop_flip(x: torch.Tensor, generator: torch.Generator, pad: int = 4) -> torch.Tensor:
    """Random crop of the reflect-padded batch (offsets uniform in [0, 2 pad] per example) and a random
    horizontal flip (probability 1/2 per example), all on ``x``'s device (``generator`` on that device)."""
    b, c, h, w = x.shape
    xp = torch.nn.functional.pad(x, (pad, pad, pad, pad), mode="reflect")
    dev = x.device
    i = torch.randint(0, 2 * pad + 1, (b,), device=dev, generator=generator)
    j = torch.randint(0, 2 * pad + 1, (b,), device=dev, generator=generator)
    rows = (i[:, None] + torch.arange(h, device=dev))[:, None, :, None]
    cols = (j[:, None] + torch.arange(w, device=dev))[:, None, None, :]
    out = xp[torch.arange(b, device=dev)[:, None, None, None], torch.arange(c, device=dev)[None, :, None, None],
             rows, cols]
    flip = torch.rand((b,), device=dev, generator=generator) < 0.5
    return torch.where(flip[:, None, None, None], out.flip(3), out)


def _arrays(split: Split) -> tuple[torch.Tensor, torch.Tensor]:
    """An in-memory split's images and labels (ValueError for a lazy split)."""
    if split.x is None or split.y is None:
        raise ValueError(f"split {split.split!r} of {split.info.name} is not in memory")
    return split.x, split.y


def _batches(split: Split, idx: torch.Tensor,
             batch_size: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    for s in range(0, idx.numel(), batch_size):
        sel = idx[s:s + batch_size]
        if split.in_memory:
            x, y = _arrays(split)
            yield x[sel], y[sel]
        else:
            items = [split[int(i)] for i in sel]
            yield torch.stack([a for a, _ in items]), torch.tensor([b for _, b in items])


def evaluate(model: nn.Module, split: Split, device: str | torch.device, *, noise: str = "none",
             sigma: float = 0.0, batch_size: int = 256, seed: int = 0, max_examples: int | None = None) -> float:
    """Accuracy of ``model`` on ``split`` (with one noise draw per example when ``noise`` != 'none')."""
    device = resolve_device(device)
    model = model.to(device).eval()
    n = len(split) if max_examples is None else min(len(split), int(max_examples))
    idx = torch.arange(n)
    sampler = None if noise == "none" else NoiseSampler(noise, sigma, split.info.shape, device)
    g = make_generator(device, seed)
    correct = torch.zeros((), dtype=torch.int64, device=device)
    with torch.inference_mode():
        for xb, yb in _batches(split, idx, batch_size):
            xb, yb = xb.to(device), yb.to(device)
            if sampler is not None:
                xb = xb + sampler(xb.shape[0], g)
            correct += (model(xb).argmax(1) == yb).sum()
    return float(correct.item()) / max(n, 1)


def _log_beside_bar(log: Callable[[str], Any] | None, bar: Progress | None) -> Callable[[str], Any] | None:
    """``log`` that clears the progress bar first and redraws it after (the line does not land on the bar)."""
    if log is None or bar is None:
        return log

    def out(msg: str) -> None:
        bar.clear()
        log(msg)
        bar.refresh()
    return out


def _check_args(arch: str, noise: str, sigma: float, epochs: int, batch_size: int,
                seed: int) -> tuple[str, str, float, int, int, int]:
    """Validated (arch, noise, sigma, epochs, batch_size, seed); sigma is 0.0 for noise 'none'."""
    V.choice("arch", arch, set(ARCHS))
    V.choice("noise", noise, ("none",) + noises.float_sampler_noises())   # the live table
    sigma = V.positive("sigma", sigma) if noise != "none" else 0.0
    return (arch, noise, sigma, V.count("epochs", epochs, minimum=1), V.count("batch_size", batch_size, minimum=1),
            V.count("seed", seed, minimum=0))


def _train_subset(n_all: int, k: int | None, seed: int) -> torch.Tensor:
    """Indices of the training examples used: all of them in order when ``k`` is None or >= n_all, else a
    seeded random subset of size ``k`` (its own generator, seed + 3), never a prefix: class-major data
    (the JPEG CIFAR-10 copy) would leave a prefix with one or two classes."""
    if k is None or k >= n_all:
        return torch.arange(n_all)
    return torch.randperm(n_all, generator=torch.Generator().manual_seed(seed + 3))[:k]


def _fits_on_device(nbytes: int, device: torch.device) -> bool:
    """Whether ``nbytes`` of training data may be kept on ``device`` (CPU: always; CUDA: a quarter of the free
    memory at most, leaving the rest to the model and activations)."""
    if device.type != "cuda":
        return True
    free, _ = torch.cuda.mem_get_info(device)
    return nbytes <= free // 4


def fit(arch: str, info: DatasetInfo, train: Split, test: Split | None, noise: str, sigma: float, epochs: int = 10,
        seed: int = 0, device: str | torch.device = "auto", *, batch_size: int = 128, lr: float | None = None,
        train_examples: int | None = None, eval_examples: int | None = None, max_seconds: float | None = None,
        progress: bool = True, log: Callable[[str], Any] | None = None,
        recipe: str = "default") -> tuple[nn.Module, dict[str, Any]]:
    """Noise-augmented training of ``arch`` (built for ``info``) on the split ``train``, evaluated on ``test``
    (None: no evaluation, accuracies NaN); returns ``(model (eval mode), meta)``.

    Every training input gets ``noise`` ('gaussian', 'exponential-linf' or 'none') of parameter ``sigma``.
    ``info`` may describe a derived data set (e.g. CIFAR-10 resampled).  ``train_examples`` trains on a
    seeded random subset (:func:`_train_subset`); ``eval_examples`` evaluates on the first that many test
    images (None: all); ``max_seconds`` stops after the epoch that passes it (recorded in meta); ``log``
    receives one line per epoch; ``progress`` shows progress on stderr (:mod:`theory._progress`: one line
    redrawn on a terminal, a line every 10 s in a log).  In-memory training data is kept
    on ``device`` when it fits (:func:`_fits_on_device`; faster on a GPU), else moved batch by batch.

    ``meta`` (the checkpoint metadata) records dataset, arch, noise, sigma, seed, versions, input shape,
    number of classes, normalisation, epochs (run / requested), train_examples, batch size, lr, the final
    training loss, the eval split and size and the clean / noisy test accuracy.  Runs deterministically on
    the CPU for a fixed seed.  ``recipe`` is 'default' or 'fast' (module docstring).
    """
    arch, noise, sigma, epochs, batch_size, seed = _check_args(arch, noise, sigma, epochs, batch_size, seed)
    recipe = V.choice("recipe", recipe, set(RECIPES))
    if train_examples is not None:
        train_examples = V.count("train_examples", train_examples, minimum=1)
    device = resolve_device(device)
    nan = float("nan")
    eval_split = None if test is None else test.split
    m = None if test is None else (len(test) if eval_examples is None else
                                   min(len(test), V.count("eval_examples", eval_examples, minimum=1)))

    def accuracy(model: nn.Module, **kw: Any) -> float:
        return evaluate(model, test, device, seed=seed, max_examples=m, **kw) if test is not None else nan

    torch.manual_seed(seed)
    model: nn.Module = build_model(arch, info).to(device)
    if arch == "bayes":
        acc = accuracy(model)
        meta = make_meta(info, arch, noise, sigma, seed, epochs=0, note="exact Bayes classifier, not trained",
                         eval_split=eval_split, eval_examples=m, test_acc_clean=acc, test_acc_noisy=acc)
        return model.eval(), meta
    sub = _train_subset(len(train), train_examples, seed)
    n = int(sub.numel())
    steps_per_epoch = (n + batch_size - 1) // batch_size
    lr, opt, sched, per_batch_sched = _optimiser(model, arch, recipe, lr, epochs, steps_per_epoch)
    src, resident = _training_source(train, info, sub, n, device)
    sampler = None if noise == "none" else NoiseSampler(noise, sigma, info.shape, device)
    g_noise = make_generator(device, seed + 1)
    g_shuffle = torch.Generator().manual_seed(seed + 2)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1 if recipe == "fast" else 0.0)
    augment = recipe == "fast" and len(info.shape) == 3 and info.shape[0] == 3 and min(info.shape[1:]) > 8
    g_aug = make_generator(device, seed + 4) if augment else None
    fast_cuda = recipe == "fast" and device.type == "cuda"
    step_model: Callable[..., torch.Tensor] = model
    if fast_cuda:
        model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # (missing from stubs)
        step_model = torch.compile(model)
    t0 = time.perf_counter()
    stopped_early = False
    last_loss = nan
    bar = _train_bar(arch, info, noise, sigma, epochs * steps_per_epoch) if progress else None
    done_epochs = 0
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=g_shuffle)
        idx = perm.to(device) if resident else sub[perm]
        tot = _epoch(step_model, src, idx, batch_size, device, loss_fn, opt,
                     batch_sched=sched if per_batch_sched else None, sampler=sampler, g_noise=g_noise,
                     g_aug=g_aug, fast_cuda=fast_cuda, bar=bar)
        if sched is not None and not per_batch_sched:
            sched.step()
        done_epochs = ep + 1
        last_loss = float(tot.item()) / n
        say = _log_beside_bar(log, bar)
        if say is not None:
            say(f"epoch {ep + 1}/{epochs}: loss {last_loss:.4f}")
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            stopped_early = ep + 1 < epochs
            break
    if bar is not None:
        bar.close()
    del src
    model = model.to(memory_format=torch.contiguous_format).eval()  # type: ignore[call-overload]
    secs = time.perf_counter() - t0
    from empirical._sysinfo import loadavg as _loadavg

    load = _loadavg()  # the 1-minute figure says whether train_seconds was measured on a shared machine
    acc_clean = accuracy(model)
    acc_noisy = acc_clean if noise == "none" else accuracy(model, noise=noise, sigma=sigma)
    meta = make_meta(info, arch, noise, sigma, seed, epochs=done_epochs, epochs_requested=epochs,
                     stopped_early=bool(stopped_early), train_examples=n, batch_size=batch_size, lr=float(lr),
                     train_loss=last_loss, eval_split=eval_split, eval_examples=m, test_acc_clean=acc_clean,
                     test_acc_noisy=acc_noisy, train_seconds=round(secs, 3), device=str(device), recipe=recipe,
                     load1_end=load[0] if load else None, cpu_count=os.cpu_count())
    return model, meta


def _train_bar(arch: str, info: DatasetInfo, noise: str, sigma: float, total: int) -> Progress:
    """The training progress bar (one step per batch), labelled with the model, data set and noise."""
    from theory._progress import progress_bar

    label = f"train {arch}/{info.name} {noise}" + ("" if noise == "none" else f" σ={sigma:g}")
    return progress_bar(total=total, desc=label)


def _optimiser(model: nn.Module, arch: str, recipe: str, lr: float | None, epochs: int, steps_per_epoch: int
               ) -> tuple[float, torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler | None, bool]:
    """The learning rate, optimiser and schedule of ``recipe`` for ``arch``, and whether the schedule steps per
    batch ('fast': SGD-Nesterov for ResNets, else AdamW, one-cycle when there are >= 8 steps; 'default': SGD
    with steps at 1/3 and 2/3 for ResNets, else Adam at a constant rate)."""
    per_batch_sched = False
    sched: torch.optim.lr_scheduler.LRScheduler | None
    opt: torch.optim.Optimizer
    if recipe == "fast":
        resnet = arch.startswith("resnet")
        lr = (0.2 if resnet else 3e-3) if lr is None else V.positive("lr", lr)
        if resnet:
            opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
        else:
            opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
        if epochs * steps_per_epoch >= 8:
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs,
                                                        steps_per_epoch=steps_per_epoch, pct_start=0.25)
            per_batch_sched = True
        else:  # too few steps for the one-cycle phases (OneCycleLR divides by zero): constant lr
            sched = None
    elif arch.startswith("resnet"):
        lr = 0.1 if lr is None else V.positive("lr", lr)
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, [max(1, epochs // 3), max(2, 2 * epochs // 3)], 0.1)
    else:
        lr = 1e-3 if lr is None else V.positive("lr", lr)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        sched = None
    return lr, opt, sched, per_batch_sched


def _training_source(train: Split, info: DatasetInfo, sub: torch.Tensor, n: int,
                     device: torch.device) -> tuple[Split, bool]:
    """The split batches are drawn from and whether it is resident on ``device`` (the subset ``sub`` moved there
    when it fits, :func:`_fits_on_device`; else ``train`` itself, batches moved one by one)."""
    if not train.in_memory:
        return train, False
    x, y = _arrays(train)
    if not _fits_on_device(n * (x.shape[1:].numel() * x.element_size() + y.element_size()), device):
        return train, False
    # the (subset of the) data on the device; batches index it with a device permutation
    whole = n == len(train)
    src = Split(info, train.split, (x if whole else x[sub]).to(device), (y if whole else y[sub]).to(device),
                train.source)
    return src, True


def _epoch(step_model: Callable[..., torch.Tensor], src: Split, idx: torch.Tensor, batch_size: int,
           device: torch.device, loss_fn: nn.Module, opt: torch.optim.Optimizer, *,
           batch_sched: torch.optim.lr_scheduler.LRScheduler | None, sampler: NoiseSampler | None,
           g_noise: torch.Generator, g_aug: torch.Generator | None, fast_cuda: bool,
           bar: Progress | None) -> torch.Tensor:
    """One epoch over ``idx``: augment (with ``g_aug``), add the noise, one optimiser step per batch (and a step of
    ``batch_sched``); returns the summed loss (a device tensor, read once per epoch)."""
    tot = torch.zeros((), device=device)
    for xb, yb in _batches(src, idx, batch_size):
        xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
        if g_aug is not None:
            xb = augment_crop_flip(xb, g_aug)
        if sampler is not None:
            xb = xb + sampler(xb.shape[0], g_noise)
        if fast_cuda:
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = loss_fn(step_model(xb.contiguous(memory_format=torch.channels_last)), yb)
        else:
            loss = loss_fn(step_model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if batch_sched is not None:
            batch_sched.step()
        tot += loss.detach() * xb.shape[0]
        if bar is not None:
            bar.update(1)
    return tot


def train_model(dataset: str, arch: str, noise: str, sigma: float, epochs: int = 10, seed: int = 0,
                device: str | torch.device = "auto", *, data_dir: str | Path | None = None, batch_size: int = 128,
                lr: float | None = None, max_examples: int | None = None, max_seconds: float | None = None,
                progress: bool = True, log: Callable[[str], Any] | None = None, eval_split: str | None = "test",
                recipe: str = "default") -> tuple[nn.Module, dict[str, Any]]:
    """Train ``arch`` on ``dataset`` ('train' split) with ``noise`` ('gaussian', 'exponential-linf' or
    'none') of parameter ``sigma`` added to every training input; returns ``(model (eval mode), meta)``.

    Loads the splits and calls :func:`fit` (which documents ``meta``), evaluating on all of ``eval_split``
    (None: no evaluation).  ``max_examples`` trains on a seeded random subset of the training set of that
    size (not a prefix: class-major data such as the JPEG CIFAR-10 copy would give a prefix one or two
    classes); ``max_seconds`` stops early (recorded in meta).  Runs deterministically on the CPU for a
    fixed seed.
    """
    _check_args(arch, noise, sigma, epochs, batch_size, seed)  # before loading any data
    if max_examples is not None:
        max_examples = V.count("max_examples", max_examples, minimum=1)
    train = load_dataset(dataset, "train", data_dir)
    test = load_dataset(dataset, eval_split, data_dir) if eval_split is not None else None
    return fit(arch, train.info, train, test, noise, sigma, epochs, seed, device, batch_size=batch_size, lr=lr,
               train_examples=max_examples, max_seconds=max_seconds, progress=progress, log=log, recipe=recipe)
