"""Throughput of the certification engine (issue 6), interleaved and repeated (medians and spread).

Modes, all on the same model, input, batch and number of samples:

* ``a_forward``  -- the fastest pure forward pass the engine runs (:class:`empirical.core.FastForward`:
  inference mode, channels_last, ``torch.compile`` where it works) on *pre-generated* noisy batches,
  with the argmax counted on the device;
* ``b_certify``  -- the full CERTIFY loop of :class:`empirical.core.Smooth` (noise on the device, in place;
  counted with ``index_add_``, no per-batch sync; one host read), n0 + n samples;
* ``c_naive``    -- a straightforward eager fp32 loop of the kind published implementations use (Cohen et
  al.'s ``core.py``): eager model, fresh noise of the chosen mechanism per batch (``torch.randn_like``, or
  for ``exponential-linf`` R14 written eagerly: a ``torch.distributions.Gamma`` radius, then ``rand_like``
  on the cube), predictions copied to the host every batch and counted in a Python loop, n0 + n samples;
* ``r_cohen``    -- the reference: Cohen et al.'s CERTIFY loop as their paper and code describe it
  (:func:`cohen_reference_certify`, written here from that description, not copied): eager model under
  ``torch.no_grad``, the input repeated to a batch, ``torch.randn_like`` noise on the device, predictions
  copied to the host and counted with ``numpy.bincount`` per batch, n0 + n samples, then the Clopper-Pearson
  bound and the radius on the host;
* ``r_cohen_own_process`` -- the same reference loop in a spawned process of its own (:class:`ReferenceProcess`),
  as it runs in their script, timed call by call from here (``reference_process=False`` leaves it out);
* on CUDA also ``a_forward_bf16`` / ``b_certify_bf16`` (bf16 autocast);
* ``sampler_*``  -- the R14 sampler (Gamma radius + in-place uniform cube, two passes over z) against
  ``torch.randn`` of the same size and in-place ``normal_`` (ratio = time(randn) / time(R14), > 1 means
  R14 is faster);
* ``noisy_batch_*`` -- x + z as the certify loop makes it (:meth:`empirical.noise.NoiseSampler.add_noise`):
  R14 (uniform draw, then a fused scale-and-add) against Gaussian (normal draw, then add): two passes each.

Ratios: b/a (overhead of the certify loop over the bare forward, target >= 0.9), b/c (speed-up over the
naive loop) and ``vs_cohen_reference`` = b / r_cohen, the speed-up over the reference loop on the same model,
input, n0, n and device (the median over repetitions of the paired ratio -- both ran back to back in each
repetition, which cancels load that drifts between repetitions on a shared machine; the ratio of the
medians is ``vs_cohen_reference_of_medians``; ``vs_cohen_reference_own_process`` against
``r_cohen_own_process``) (target >= 2 on the CPU, >= 3 on CUDA;
``vs_cohen_reference_bf16`` with bf16 autocast on CUDA).  The engine runs with ``engine_batch`` noise draws
per forward pass (default: the reference's ``batch``), both reported.  Timings are never asserted by tests.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from empirical._sysinfo import loadavg as _loadavg
from empirical.core import FastForward, Smooth, resolve_device
from empirical.data import DatasetInfo, dataset_info
from empirical.models import build_model, load_checkpoint
from empirical.noise import NoiseSampler, check_mechanism, make_generator


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _naive_noise(b: torch.Tensor, sigma: float, mechanism: str = "gaussian") -> torch.Tensor:
    """Noise like ``b`` drawn the straightforward eager way (global RNG, fresh tensors every batch):
    Gaussian ``randn_like * sigma``, or eq.-6 noise by R14 -- R ~ Gamma(d + 1, scale sigma) per sample
    (``torch.distributions.Gamma``), then uniform on the cube [-R, R]^d."""
    if check_mechanism(mechanism) == "gaussian":
        return torch.randn_like(b) * sigma
    d = b[0].numel()
    gamma = torch.distributions.Gamma(torch.tensor(float(d + 1), device=b.device),
                                      torch.tensor(1.0 / sigma, device=b.device))
    radius = gamma.sample((b.shape[0],)).to(b.dtype).view((-1,) + (1,) * (b.dim() - 1))
    return (torch.rand_like(b) * 2 - 1) * radius


def _naive_counts(model: nn.Module, x: torch.Tensor, num: int, batch: int, sigma: float, num_classes: int,
                  mechanism: str = "gaussian") -> np.ndarray:
    """Cohen et al.'s _sample_noise: eager, fresh noise per batch (:func:`_naive_noise`, the chosen
    mechanism), host copy + Python counting per batch."""
    counts = np.zeros(num_classes, dtype=int)
    remaining = num
    with torch.no_grad():
        while remaining > 0:
            this = min(batch, remaining)
            remaining -= this
            b = x.repeat((this, 1, 1, 1))
            noise = _naive_noise(b, sigma, mechanism)
            predictions = model(b + noise).argmax(1)
            for idx in predictions.cpu().numpy():
                counts[idx] += 1
    return counts


def cohen_reference_certify(model: nn.Module, x: torch.Tensor, sigma: float, n0: int, n: int, alpha: float, batch: int,
                            num_classes: int) -> tuple[int, float, np.ndarray, np.ndarray]:
    """Cohen et al.'s (2019) CERTIFY loop as they describe it, for the benchmark's reference mode.

    SAMPLEUNDERNOISE: in batches of ``batch``, repeat ``x`` ([C, H, W], on the model's device) to the batch,
    add ``torch.randn_like(batch) * sigma``, run the eager ``model`` under ``torch.no_grad``, take the argmax,
    copy the predictions to the host and count them with ``numpy.bincount``.  CERTIFY: cA = top class of
    n0 such draws; nA = count of cA among n fresh draws; pA_lower = the one-sided (1 - alpha) Clopper-Pearson
    bound Beta(alpha; nA, n - nA + 1) (scipy); abstain (-1, 0.0) if pA_lower < 1/2, else (cA, sigma
    Phi^-1(pA_lower)).  Returns ``(prediction, radius, counts0, counts)``.

    >>> import torch
    >>> f = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 3))
    >>> pred, radius, c0, c = cohen_reference_certify(f, torch.zeros(1, 2, 2), 0.5, 10, 100, 0.001, 32, 3)
    >>> int(c0.sum()), int(c.sum())
    (10, 100)
    """
    from scipy.stats import beta, norm

    def sample_under_noise(num: int) -> np.ndarray:
        counts = np.zeros(num_classes, dtype=np.int64)
        left = num
        with torch.no_grad():
            while left > 0:
                this = min(batch, left)
                left -= this
                rep = x.unsqueeze(0).repeat((this,) + (1,) * x.dim())
                noise = torch.randn_like(rep) * sigma
                pred = model(rep + noise).argmax(1)
                counts += np.bincount(pred.cpu().numpy(), minlength=num_classes)[:num_classes]
        return counts

    counts0 = sample_under_noise(n0)
    c_a = int(counts0.argmax())
    counts = sample_under_noise(n)
    n_a = int(counts[c_a])
    p_lower = float(beta.ppf(alpha, n_a, n - n_a + 1)) if n_a > 0 else 0.0
    if p_lower < 0.5:
        return -1, 0.0, counts0, counts
    return c_a, float(sigma * norm.ppf(p_lower)), counts0, counts


REFERENCES = ("cohen", "none")


def _reference_worker(conn: Connection, arch: str, info: DatasetInfo, state_dict: dict[str, torch.Tensor],
                      x: torch.Tensor, sigma: float, n0: int, n: int, batch: int, k: int, threads: int,
                      device: torch.device) -> None:
    """Body of :class:`ReferenceProcess`: builds the model, then runs :func:`cohen_reference_certify` on each
    ``"run"`` received and answers ``"done"``; stops on anything else."""
    torch.set_num_threads(threads)
    model = build_model(arch, info)
    model.load_state_dict(state_dict)
    model = model.to(device).eval()
    x = x.to(device)
    cohen_reference_certify(model, x, sigma, n0, n, 0.001, batch, k)  # warm-up
    conn.send("ready")
    while conn.recv() == "run":
        pred, _, _, counts = cohen_reference_certify(model, x, sigma, n0, n, 0.001, batch, k)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        conn.send((pred, counts.tolist()))
    conn.close()


class ReferenceProcess:
    """Cohen et al.'s loop (:func:`cohen_reference_certify`) in a process of its own, as it runs in their
    script: a spawned interpreter that never compiles a model nor runs a channels_last one.

    Why: measured on the 2-core CPU machine, after a channels_last model has run in a process (eager or
    compiled, as the engine's does), the eager *contiguous* reference loop in that process ran in some runs
    up to 2x faster at small batches (32, 128) than in a fresh process, never at batch 400 -- a process-wide
    effect, not the reference's code -- so an in-process reference can look faster than their script is.

    ``proc()`` runs the loop once there and returns the number of samples; the caller times it (the pipe round
    trip is well under a millisecond); ``proc.last`` holds that run's (prediction, counts)."""

    def __init__(self, arch: str, info: DatasetInfo, model: nn.Module, x: torch.Tensor, sigma: float, n0: int,
                 n: int, batch: int, k: int, device: torch.device):
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        sd = {name: t.detach().cpu().contiguous() for name, t in model.state_dict().items()}
        self.proc = ctx.Process(target=_reference_worker, daemon=True,
                                args=(child, arch, info, sd, x.detach().cpu(), sigma, n0, n, batch, k,
                                      torch.get_num_threads(), torch.device(device)))
        self.proc.start()
        child.close()
        self.samples = n0 + n
        if self.conn.recv() != "ready":  # pragma: no cover - the worker sends nothing else
            raise RuntimeError("reference process did not start")

    def __call__(self) -> int:
        self.conn.send("run")
        self.last = self.conn.recv()  # (prediction, counts of the n draws) of this run
        return self.samples

    def close(self) -> None:
        try:
            self.conn.send("stop")
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(timeout=30)
        if self.proc.is_alive():  # pragma: no cover
            self.proc.kill()
        self.conn.close()


def run_bench(arch: str = "cnn", dataset: str = "cifar10", *, checkpoint: str | Path | None = None,
              device: str | torch.device = "auto", batch: int = 400,
              n: int = 4000, n0: int = 100, reps: int = 5, sigma: float = 0.25, mechanism: str = "gaussian",
              compile: bool = True, seed: int = 0, progress: bool = True, reference: str = "cohen",
              engine_batch: int | None = None, samplers: bool = True,
              reference_process: bool = True) -> dict[str, Any]:
    """Run the benchmark; returns a dict of per-mode samples/s (median, min, max, all), ratios and notes.

    ``reference`` 'cohen' adds the mode ``r_cohen`` (:func:`cohen_reference_certify`, Gaussian noise; with
    ``mechanism`` 'exponential-linf' the engine certifies with eq.-6 noise against it) and the ratio
    ``vs_cohen_reference``; 'none' leaves it out.  ``engine_batch``: the engine's noise draws per forward pass
    (default ``batch``, the reference's).  ``samplers``: also time the noise samplers alone.
    """
    from theory import validate as V

    reference = V.choice("reference", reference, set(REFERENCES))
    batch = V.count("batch", batch, minimum=1)
    engine_batch = batch if engine_batch is None else V.count("engine_batch", engine_batch, minimum=1)
    dev = resolve_device(device)
    torch.manual_seed(seed)
    model, info, arch = _bench_model(arch, dataset, checkpoint)
    x = torch.rand(info.shape, generator=torch.Generator().manual_seed(seed)).to(dev)
    em = _engine_modes(model, arch, info, x, dev, compile=compile, mechanism=mechanism, sigma=sigma, n=n, n0=n0,
                       batch=batch, engine_batch=engine_batch, seed=seed, reference=reference,
                       reference_process=reference_process)
    sampler_modes, fused = _sampler_modes(x, info, dev, sigma=sigma, batch=batch, n=n, seed=seed)
    allm = dict(em.modes)
    if samplers:
        allm.update(sampler_modes)
    warm_s, load0 = _warm_up(em, allm, x, dev, mechanism=mechanism, sigma=sigma, n0=n0, n=n,
                             engine_batch=engine_batch)
    try:
        rates = _time_modes(allm, dev, reps, progress)
    finally:
        if em.ref_proc is not None:
            em.ref_proc.close()
    med = {m: statistics.median(v) for m, v in rates.items()}
    res = {
        "device": str(dev),
        "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else _cpu_name(),
        "torch": str(torch.__version__),
        "threads": torch.get_num_threads(),
        "arch": arch, "dataset": info.name, "input_shape": list(info.shape), "batch": batch,
        "engine_batch": engine_batch, "n": n, "n0": n0, "reference": reference,
        "reps": reps, "mechanism": mechanism, "sigma": sigma,
        "forward": em.fwd.description, "warmup_seconds": round(warm_s, 2), "loadavg": load0,
        "loadavg_after": _loadavg(),
        "samples_per_s": {m: {"median": med[m], "min": min(v), "max": max(v),
                              "spread_pct": 100.0 * (max(v) - min(v)) / med[m], "all": v}
                          for m, v in rates.items()},
        "ratios": {
            "b_over_a": med["b_certify"] / med["a_forward"],
            "b_over_c": med["b_certify"] / med["c_naive"],
        },
        "targets": {"b_over_a": 0.9, "b_over_c": 2.0, "sampler_r14_over_randn": 1.0,
                    "vs_cohen_reference": 3.0 if dev.type == "cuda" else 2.0,
                    "vs_cohen_reference_own_process": 3.0 if dev.type == "cuda" else 2.0,
                    "vs_cohen_reference_bf16": 3.0, "sampler_r14_fused_over_randn": 1.0,
                    "noisy_batch_r14_fused_over_gaussian": 0.95},
    }
    _add_ratios(res, rates, med, reference=reference, own_process=em.ref_proc is not None, samplers=samplers,
                fused=fused, bf16=em.fwd16 is not None)
    if em.fwd16 is not None:
        res["forward_bf16"] = em.fwd16.description
    return res


def _bench_model(arch: str, dataset: str, checkpoint: str | Path | None) -> tuple[nn.Module, DatasetInfo, str]:
    """The model to time (a checkpoint's, or a fresh ``arch`` for ``dataset``), in eval mode, its data set info
    and architecture."""
    if checkpoint is not None:
        model, meta = load_checkpoint(checkpoint, "cpu")
        info = dataset_info(meta["dataset"])
        arch = meta["arch"]
    else:
        info = dataset_info(dataset)
        model = build_model(arch, info)
    return model.eval(), info, arch


@dataclass
class _EngineModes:
    """The timed certification modes (name -> callable returning its sample count) and what they run on."""

    modes: dict[str, Callable[[], int]]
    fwd: FastForward
    smooth: Smooth
    fwd16: FastForward | None
    ref_proc: ReferenceProcess | None
    k: int


def _engine_modes(model: nn.Module, arch: str, info: DatasetInfo, x: torch.Tensor, dev: torch.device, *,
                  compile: bool, mechanism: str, sigma: float, n: int, n0: int, batch: int, engine_batch: int,
                  seed: int, reference: str, reference_process: bool) -> _EngineModes:
    """Modes (a) forward passes on pre-drawn noisy batches, (b) the engine's CERTIFY, (c) the naive loop, the
    Cohen reference (in this process and in its own), and on CUDA (a), (b) in bfloat16."""
    k = info.num_classes
    naive_model = build_model(arch, info).to(dev).eval()
    naive_model.load_state_dict(model.state_dict())
    fwd = FastForward(model, dev, compile=compile)
    modes: dict[str, Callable[[], int]] = {}
    # pre-generated noisy batches for (a)
    g = make_generator(dev, seed)
    sampler = NoiseSampler(mechanism, sigma, info.shape, dev)
    sizes = [min(batch, n - s) for s in range(0, n, batch)]
    pre = [sampler(b, g).add_(x) for b in sizes]

    def mode_a(f: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[], int]:
        def run() -> int:
            counts = torch.zeros(k, dtype=torch.int64, device=dev)
            with torch.inference_mode():
                for b in pre:
                    counts.index_add_(0, f(b).argmax(1), torch.ones(b.shape[0], dtype=torch.int64, device=dev))
            counts.cpu()
            return n
        return run

    def mode_b(smooth: Smooth) -> Callable[[], int]:
        def run() -> int:
            gg = make_generator(dev, seed + 1)
            smooth.certify(x, n0, n, 0.001, engine_batch, gg)
            return n0 + n
        return run

    def mode_r() -> int:
        cohen_reference_certify(naive_model, x, sigma, n0, n, 0.001, batch, k)
        return n0 + n

    def mode_c() -> int:
        _naive_counts(naive_model, x.unsqueeze(0), n0, batch, sigma, k, mechanism)
        _naive_counts(naive_model, x.unsqueeze(0), n, batch, sigma, k, mechanism)
        return n0 + n

    smooth = Smooth(fwd.model, k, mechanism, sigma, dev, forward=fwd)
    modes["a_forward"] = mode_a(fwd)
    modes["b_certify"] = mode_b(smooth)
    modes["c_naive"] = mode_c
    ref_proc = None
    if reference == "cohen":
        modes["r_cohen"] = mode_r
        if reference_process:
            ref_proc = ReferenceProcess(arch, info, model, x, sigma, n0, n, batch, k, dev)
            modes["r_cohen_own_process"] = ref_proc
    fwd16 = None
    if dev.type == "cuda":
        fwd16 = FastForward(build_model(arch, info).eval(), dev, compile=compile, autocast_dtype=torch.bfloat16)
        fwd16.model.load_state_dict(model.state_dict())
        modes["a_forward_bf16"] = mode_a(fwd16)
        modes["b_certify_bf16"] = mode_b(Smooth(fwd16.model, k, mechanism, sigma, dev, forward=fwd16))
    return _EngineModes(modes, fwd, smooth, fwd16, ref_proc, k)


def _sampler_modes(x: torch.Tensor, info: DatasetInfo, dev: torch.device, *, sigma: float, batch: int, n: int,
                   seed: int) -> tuple[dict[str, Callable[[], int]], bool]:
    """The noise samplers alone: R14 in place vs torch.randn of the same size, the noisy batches, and on CUDA the
    fused kernels; also whether the fused ones are there."""
    sbuf = torch.empty((batch, *info.shape), device=dev)
    r14 = NoiseSampler("exponential-linf", sigma, info.shape, dev)
    gs = make_generator(dev, seed + 2)
    srep = max(1, n // batch)

    def s_r14() -> int:
        for _ in range(srep):
            r14(batch, gs, out=sbuf)
        return srep * batch

    def s_randn() -> int:
        for _ in range(srep):
            torch.randn((batch, *info.shape), device=dev, generator=gs)
        return srep * batch

    def s_normal_inplace() -> int:
        for _ in range(srep):
            sbuf.normal_(0.0, sigma, generator=gs)
        return srep * batch

    gauss = NoiseSampler("gaussian", sigma, info.shape, dev)

    def s_r14_add() -> int:
        for _ in range(srep):
            r14.add_noise(x, batch, gs, out=sbuf)
        return srep * batch

    def s_gauss_add() -> int:
        for _ in range(srep):
            gauss.add_noise(x, batch, gs, out=sbuf)
        return srep * batch

    sampler_modes: dict[str, Callable[[], int]] = {
        "sampler_r14_inplace": s_r14, "sampler_randn": s_randn, "sampler_normal_inplace": s_normal_inplace,
        "noisy_batch_r14": s_r14_add, "noisy_batch_gaussian": s_gauss_add}
    if dev.type != "cuda":
        return sampler_modes, False
    from empirical.noise import FusedNoise

    fused_r14 = FusedNoise("exponential-linf", sigma, info.shape, dev)
    fused_gauss = FusedNoise("gaussian", sigma, info.shape, dev)

    def s_r14_fused() -> int:
        for _ in range(srep):
            fused_r14.sample(batch, gs)
        return srep * batch

    def s_r14_fused_add() -> int:
        for _ in range(srep):
            fused_r14.add_noise(x, batch, gs)
        return srep * batch

    def s_gauss_fused_add() -> int:
        for _ in range(srep):
            fused_gauss.add_noise(x, batch, gs)
        return srep * batch

    sampler_modes.update({"sampler_r14_fused": s_r14_fused, "noisy_batch_r14_fused": s_r14_fused_add,
                          "noisy_batch_gaussian_fused": s_gauss_fused_add})
    return sampler_modes, True


def _warm_up(em: _EngineModes, allm: dict[str, Callable[[], int]], x: torch.Tensor, dev: torch.device, *,
             mechanism: str, sigma: float, n0: int, n: int, engine_batch: int) -> tuple[float, list[float] | None]:
    """Run every mode once (compilation happens here, not in the timings); its seconds and the load after it."""
    t0 = time.perf_counter()
    em.smooth.warmup(x, (n0, n), engine_batch)
    if em.fwd16 is not None:
        Smooth(em.fwd16.model, em.k, mechanism, sigma, dev, forward=em.fwd16).warmup(x, (n0, n), engine_batch)
    for f in allm.values():
        f()
    _sync(dev)
    return time.perf_counter() - t0, _loadavg()


def _time_modes(allm: dict[str, Callable[[], int]], dev: torch.device, reps: int,
                progress: bool) -> dict[str, list[float]]:
    """Samples/s of every mode in each of ``reps`` repetitions, interleaved (every mode once per repetition)."""
    rates: dict[str, list[float]] = {m: [] for m in allm}
    it: Iterable[int] = range(reps)
    if progress:
        from theory._progress import progress_bar

        it = progress_bar(it, desc="bench")
    for _ in it:
        for name, f in allm.items():
            _sync(dev)
            t = time.perf_counter()
            cnt = f()
            _sync(dev)
            rates[name].append(cnt / (time.perf_counter() - t))
    return rates


def _add_ratios(res: dict[str, Any], rates: dict[str, list[float]], med: dict[str, float], *, reference: str,
                own_process: bool, samplers: bool, fused: bool, bf16: bool) -> None:
    """Add to ``res["ratios"]`` the engine against the Cohen reference (paired per repetition), the samplers
    against torch.randn and the bfloat16 modes against float32."""
    ratios = res["ratios"]
    if reference == "cohen":
        # paired: the engine and the reference ran back to back in each repetition, so the per-repetition
        # ratio cancels load that changes between repetitions (the machine may be shared); its median
        paired = [b / r for b, r in zip(rates["b_certify"], rates["r_cohen"], strict=False)]
        ratios["vs_cohen_reference"] = statistics.median(paired)
        ratios["vs_cohen_reference_of_medians"] = med["b_certify"] / med["r_cohen"]
        res["vs_cohen_reference_per_rep"] = paired
        if own_process:
            own = [b / r for b, r in zip(rates["b_certify"], rates["r_cohen_own_process"], strict=False)]
            ratios["vs_cohen_reference_own_process"] = statistics.median(own)
            res["vs_cohen_reference_own_process_per_rep"] = own
    if samplers:
        ratios.update({
            "sampler_r14_over_randn": med["sampler_r14_inplace"] / med["sampler_randn"],
            "sampler_r14_over_normal_inplace": med["sampler_r14_inplace"] / med["sampler_normal_inplace"],
            "noisy_batch_r14_over_gaussian": med["noisy_batch_r14"] / med["noisy_batch_gaussian"]})
        if fused:
            ratios.update({
                "sampler_r14_fused_over_randn": med["sampler_r14_fused"] / med["sampler_randn"],
                # the eq.-6 noisy batch the engine makes on CUDA (fused) against the plain Gaussian one
                "noisy_batch_r14_fused_over_gaussian": med["noisy_batch_r14_fused"] / med["noisy_batch_gaussian"],
                "noisy_batch_r14_fused_over_gaussian_fused": (med["noisy_batch_r14_fused"]
                                                              / med["noisy_batch_gaussian_fused"])})
    if bf16:
        ratios["a_bf16_over_a"] = med["a_forward_bf16"] / med["a_forward"]
        ratios["b_bf16_over_b"] = med["b_certify_bf16"] / med["b_certify"]
        ratios["b_bf16_over_c"] = med["b_certify_bf16"] / med["c_naive"]
        if reference == "cohen":
            ratios["vs_cohen_reference_bf16"] = statistics.median(
                [b / r for b, r in zip(rates["b_certify_bf16"], rates["r_cohen"], strict=False)])


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "cpu"


def format_bench(res: dict[str, Any]) -> str:
    lines = [f"device {res['device']} ({res['device_name']}), torch {res['torch']}, {res['threads']} threads; "
             f"{res['arch']} on {res['dataset']} {tuple(res['input_shape'])}, batch {res['batch']} (engine "
             f"{res.get('engine_batch', res['batch'])}), n {res['n']}, n0 {res['n0']}, {res['reps']} interleaved "
             f"repetitions; {res['mechanism']} sigma {res['sigma']}"
             + (f"; load average before {res['loadavg'][0]:.2f}" if res.get("loadavg") else ""),
             f"forward: {res['forward']}" + (f"; bf16: {res['forward_bf16']}" if "forward_bf16" in res else ""),
             f"{'mode':<26}{'median samples/s':>18}{'min':>12}{'max':>12}{'spread %':>10}"]
    for m, v in res["samples_per_s"].items():
        lines.append(f"{m:<26}{v['median']:>18.1f}{v['min']:>12.1f}{v['max']:>12.1f}{v['spread_pct']:>10.1f}")
    for r, v in res["ratios"].items():
        tgt = res["targets"].get(r)
        lines.append(f"ratio {r:<34}{v:>8.3f}" + (f"   (target >= {tgt}: {'met' if v >= tgt else 'NOT met'})"
                                                   if tgt is not None else ""))
    if "vs_cohen_reference" in res["ratios"]:
        per = res.get("vs_cohen_reference_per_rep", [])
        lines.append(f"speed-up over Cohen et al.'s CERTIFY loop (reference r_cohen, same model / input / n0 / n): "
                     f"{res['ratios']['vs_cohen_reference']:.2f}x (median of the paired per-repetition ratios "
                     + ", ".join(f"{v:.2f}" for v in per) + ")")
    if "vs_cohen_reference_own_process" in res["ratios"]:
        per = res.get("vs_cohen_reference_own_process_per_rep", [])
        lines.append(f"speed-up over the same loop in a process of its own (r_cohen_own_process, as their script "
                     f"runs): {res['ratios']['vs_cohen_reference_own_process']:.2f}x (paired per repetition: "
                     + ", ".join(f"{v:.2f}" for v in per) + ")")
    return "\n".join(lines)


# -- certify batch size (issue 21) --------------------------------------------------------------------------
def certify_batch_sweep(model: nn.Module, shape: Sequence[int], num_classes: int, device: str | torch.device = "cpu",
                        *, sizes: Iterable[int] = (128, 256, 512, 1000), n: int = 8000, reps: int = 3,
                        sigma: float = 0.25, compile: bool = True, seed: int = 0) -> dict[str, Any]:
    """Throughput of the CERTIFY sampling loop (:meth:`Smooth.sample_counts`, the engine's forward path) at each
    batch size of ``sizes``, interleaved over ``reps`` repetitions (medians; ``ratio_to_best`` = median / best
    median, so load that drifts between repetitions hits every size alike).  Each size is compiled and run once
    before timing.  Returns samples/s per size, the ratios, the fastest size and the torch thread count."""
    from theory import validate as V

    sizes = [V.count("batch", b, minimum=1) for b in sizes]
    n = V.count("n", n, minimum=1)
    dev = resolve_device(device)
    fwd = FastForward(model.eval(), dev, compile=compile, verbose=False)
    smooth = Smooth(fwd.model, num_classes, "gaussian", sigma, dev, forward=fwd)
    x = torch.rand(tuple(shape), generator=torch.Generator().manual_seed(seed)).to(dev)
    for b in sizes:
        smooth.warmup(x, (n,), b)
        smooth.sample_counts(x, min(n, 2 * b), b).cpu()
    per: dict[int, list[float]] = {b: [] for b in sizes}
    for _ in range(V.count("reps", reps, minimum=1)):
        for b in sizes:
            _sync(dev)
            t0 = time.perf_counter()
            smooth.sample_counts(x, n, b, make_generator(dev, seed)).cpu()
            per[b].append(n / (time.perf_counter() - t0))
    med = {b: statistics.median(v) for b, v in per.items()}
    best = max(med, key=lambda b: med[b])
    return {"device": str(dev), "threads": torch.get_num_threads(), "n": n, "reps": reps,
            "samples_per_s": {str(b): med[b] for b in sizes},
            "ratio_to_best": {str(b): med[b] / med[best] for b in sizes},
            "all": {str(b): per[b] for b in sizes}, "fastest": best, "load_average": _loadavg(),
            "forward": fwd.description}
