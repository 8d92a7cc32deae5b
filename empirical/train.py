"""Training base classifiers with noise augmentation (Cohen et al. 2019, Sec. 4: train f on x + z with
z drawn from the smoothing distribution, in pixel space, before the normalisation layer).

Python API::

    model, meta = train_model("digits", "cnn", "gaussian", 0.25, epochs=5, seed=0, device="cpu")
    save_checkpoint("ck.pt", model, meta)

Optimiser: SGD (momentum 0.9, weight decay 1e-4, lr 0.1, divided by 10 at 1/3 and 2/3 of the epochs --
Cohen et al.'s schedule compressed) for the ResNets; Adam (lr 1e-3) for ``cnn`` and ``mlp``.
"""

from __future__ import annotations

import time

import torch
from torch import nn

from empirical.core import resolve_device
from empirical.data import Split, load_dataset
from empirical.models import ARCHS, build_model, make_meta
from empirical.noise import MECHANISMS, NoiseSampler, make_generator
from theory import _validate as V

NOISES = ("none",) + MECHANISMS


def _batches(split: Split, idx: torch.Tensor, batch_size: int):
    for s in range(0, idx.numel(), batch_size):
        sel = idx[s:s + batch_size]
        if split.in_memory:
            yield split.x[sel], split.y[sel]
        else:
            items = [split[int(i)] for i in sel]
            yield torch.stack([a for a, _ in items]), torch.tensor([b for _, b in items])


def evaluate(model: nn.Module, split: Split, device, *, noise: str = "none", sigma: float = 0.0,
             batch_size: int = 256, seed: int = 0, max_examples=None) -> float:
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


def train_model(dataset: str, arch: str, noise: str, sigma: float, epochs: int = 10, seed: int = 0,
                device="auto", *, data_dir=None, batch_size: int = 128, lr=None, max_examples=None,
                max_seconds=None, progress: bool = True, log=None, eval_split="test"):
    """Train ``arch`` on ``dataset`` ('train' split) with ``noise`` ('gaussian', 'exponential-linf' or
    'none') of parameter ``sigma`` added to every training input; returns ``(model (eval mode), meta)``.

    ``meta`` (the checkpoint metadata) records dataset, arch, noise, sigma, seed, versions, input shape,
    number of classes, normalisation, epochs, the final training loss and the clean / noisy test
    accuracy on ``eval_split`` (None: no evaluation).  ``max_examples`` trains on a prefix of the training
    set; ``max_seconds`` stops early (recorded in meta).  Runs deterministically on the CPU for a fixed seed.
    """
    V.choice("arch", arch, set(ARCHS))
    V.choice("noise", noise, set(NOISES))
    if noise != "none":
        sigma = V.positive("sigma", sigma)
    else:
        sigma = 0.0
    epochs = V.count("epochs", epochs, minimum=1)
    batch_size = V.count("batch_size", batch_size, minimum=1)
    seed = V.count("seed", seed, minimum=0)
    device = resolve_device(device)
    train = load_dataset(dataset, "train", data_dir)
    test = load_dataset(dataset, eval_split, data_dir) if eval_split is not None else None
    info = train.info
    torch.manual_seed(seed)
    model = build_model(arch, info).to(device)
    if arch == "bayes":
        acc = evaluate(model, test, device, seed=seed) if test is not None else float("nan")
        meta = make_meta(info, arch, noise, sigma, seed, epochs=0, note="exact Bayes classifier, not trained",
                         eval_split=eval_split, test_acc_clean=acc, test_acc_noisy=acc)
        return model.eval(), meta
    resnet = arch.startswith("resnet")
    if resnet:
        lr = 0.1 if lr is None else V.positive("lr", lr)
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, [max(1, epochs // 3), max(2, 2 * epochs // 3)], 0.1)
    else:
        lr = 1e-3 if lr is None else V.positive("lr", lr)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        sched = None
    n = len(train) if max_examples is None else min(len(train), V.count("max_examples", max_examples, minimum=1))
    sampler = None if noise == "none" else NoiseSampler(noise, sigma, info.shape, device)
    g_noise = make_generator(device, seed + 1)
    g_shuffle = torch.Generator().manual_seed(seed + 2)
    loss_fn = nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    stopped_early = False
    last_loss = float("nan")
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=epochs * ((n + batch_size - 1) // batch_size), desc=f"train {arch}/{info.name}",
                   unit="batch", leave=False)
    done_epochs = 0
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=g_shuffle)
        tot = torch.zeros((), device=device)
        for xb, yb in _batches(train, perm, batch_size):
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            if sampler is not None:
                xb = xb + sampler(xb.shape[0], g_noise)
            loss = loss_fn(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            tot += loss.detach() * xb.shape[0]
            if bar is not None:
                bar.update(1)
        if sched is not None:
            sched.step()
        done_epochs = ep + 1
        last_loss = float(tot.item()) / n
        if log is not None:
            log(f"epoch {ep + 1}/{epochs}: loss {last_loss:.4f}")
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            stopped_early = ep + 1 < epochs
            break
    if bar is not None:
        bar.close()
    model.eval()
    nan = float("nan")
    acc_clean = evaluate(model, test, device, seed=seed) if test is not None else nan
    acc_noisy = (acc_clean if noise == "none" or test is None else
                 evaluate(model, test, device, noise=noise, sigma=sigma, seed=seed))
    meta = make_meta(info, arch, noise, sigma, seed, epochs=done_epochs, epochs_requested=epochs,
                     stopped_early=bool(stopped_early), train_examples=n, batch_size=batch_size, lr=float(lr),
                     train_loss=last_loss, eval_split=eval_split, test_acc_clean=acc_clean, test_acc_noisy=acc_noisy,
                     train_seconds=round(time.perf_counter() - t0, 3), device=str(device))
    return model, meta
