"""The smoothed classifier g(x) = argmax_c P[f(x + z) = c] of Cohen, Rosenfeld & Kolter (2019), in torch.

:class:`Smooth` implements their Monte-Carlo algorithms (Cohen et al. 2019, Sec. 3.2, "Pseudocode for
certification and prediction"):

    CERTIFY(f, sigma, x, n0, n, alpha):
        counts0 <- SAMPLEUNDERNOISE(f, x, n0, sigma)
        cA      <- top index in counts0
        counts  <- SAMPLEUNDERNOISE(f, x, n, sigma)
        pA_lower <- LOWERCONFBOUND(counts[cA], n, 1 - alpha)
        if pA_lower < 1/2: return ABSTAIN else return (cA, radius(pA_lower))

    PREDICT(f, sigma, x, n, alpha):
        counts <- SAMPLEUNDERNOISE(f, x, n, sigma)
        cA, cB <- top two indices in counts
        nA, nB <- counts[cA], counts[cB]
        if BINOMPVALUE(nA, nA + nB, 0.5) <= alpha: return cA else return ABSTAIN

The noise is Gaussian or the paper's eq.-6 l_inf-exponential mechanism (R14 sampler,
:mod:`empirical.noise`).  The statistics (Clopper-Pearson, the binomial test) and every radius come from
:mod:`theory.certificates`; nothing is re-derived here.

Speed: noise is generated in place on the model's device, classes are counted there with
``index_add_`` (not ``torch.bincount``, whose CUDA kernel reads the min and max of its input back to the
host: two synchronisations per batch), and the host reads the counts once per call (no per-batch
synchronisation).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from empirical.noise import LATTICE, FusedNoise, LatticeGaussianSampler, NoiseSampler, batch_seed, check_mechanism
from theory import certificates as C
from theory import noises
from theory import validate as V
from theory.lattice_gaussian import lattice_certify_from_counts

ABSTAIN = -1

# The certificate giving the ``radius`` column for each mechanism (keys of theory.certificates.CERTIFICATES) and
# the mechanism whose radius columns (theory.certificates.certified_radii) a mechanism reports, both read from the
# noise table theory.noises (``primary``, ``radius_noise``): Gaussian -> Cohen et al.'s l2 radius
# sigma Phi^{-1}(pA_lower); eq. 6 -> the paper's T13 l_inf radius; gaussian-lattice (issue 23) -> Cohen's radius,
# which holds on the lattice (theory.lattice_gaussian), at pA_lower less the sampler's total-variation slack d * eta,
# and the Gaussian's columns (every Gaussian certificate holds for f o round).
# PRIMARY_CERTIFICATE / RADIUS_MECHANISM (module __getattr__): the live table's dicts.


def __getattr__(name: str):
    if name == "PRIMARY_CERTIFICATE":
        return noises.primary_certificates()
    if name == "RADIUS_MECHANISM":
        return {n: noises.radius_noise(n) for n in noises.names() if noises.get(n).radius_noise is not None}
    raise AttributeError(f"module 'empirical.core' has no attribute {name!r}")


def radius_mechanism(mechanism: str) -> str:
    """The key of ``theory.certificates.certified_radii`` giving ``mechanism``'s radius columns."""
    return noises.radius_noise(mechanism)


@dataclass
class CertifyOutput:
    """One CERTIFY call: ``prediction`` (cA or ABSTAIN), ``radius`` (primary certificate, 0.0 on
    abstain), ``pA_lower``, the selected class ``cA`` with its selection count ``n0A``, ``nA`` of ``n``,
    ``radii`` (every certificate of ``theory.certificates.certified_radii``, 0.0 on abstain) and the
    full count vectors."""

    prediction: int
    radius: float
    pA_lower: float
    cA: int
    n0A: int
    n0: int
    nA: int
    n: int
    radii: dict
    counts0: np.ndarray
    counts: np.ndarray


@dataclass
class PredictOutput:
    """One PREDICT call: ``prediction`` (cA or ABSTAIN), ``p_value``, top-two classes and counts."""

    prediction: int
    p_value: float
    cA: int
    nA: int
    cB: int
    nB: int
    n: int
    counts: np.ndarray



@dataclass
class SequentialCertifyOutput(CertifyOutput):
    """One sequential CERTIFY call (:meth:`Smooth.certify_sequential`): the fields of :class:`CertifyOutput`
    (``n`` = estimation draws actually used, ``pA_lower`` the confidence sequence's lower end at the stop) and
    ``mode``, ``forward_passes`` (n0 + n), ``targets``, ``certified`` (1/0 per target) and ``decided_at``
    (estimation draws when each target was decided; 0 = before any draw)."""

    mode: str
    forward_passes: int
    targets: tuple
    certified: tuple
    decided_at: tuple

def resolve_device(device="auto") -> torch.device:
    """'auto' -> cuda if available else cpu; 'cpu'; 'cuda' (ValueError when unavailable)."""
    if isinstance(device, torch.device):
        return device
    V.choice("device", str(device).split(":")[0], {"auto", "cpu", "cuda"})
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("device: 'cuda' requested but torch.cuda.is_available() is False")
    return torch.device(device)


class FastForward:
    """The fastest forward path available for ``model`` on ``device``: eval mode, channels_last,
    ``torch.compile`` (inductor) and optional autocast.  When compilation fails (no compiler, an
    unsupported op, ...) it falls back to eager once and says so in ``description`` (and on stderr).

    ``freezing`` (default on): inductor's inference freezing -- the weights become constants of the compiled
    graph (constant folding, pre-packed oneDNN convolution weights on the CPU); the model must not be
    changed after the first call.  ``cudagraphs`` (CUDA): replay the compiled graph as a CUDA graph
    (inductor's ``triton.cudagraphs``; cuts the per-launch overhead of small models).

    ``FastForward(model, device)(x) -> logits``; call inside ``torch.inference_mode()``.
    """

    def __init__(self, model: nn.Module, device, *, compile: bool = True, channels_last: bool = True,
                 autocast_dtype=None, verbose: bool = True, freezing: bool = True, cudagraphs: bool = False):
        self.device = torch.device(device)
        self.channels_last = channels_last
        self.autocast_dtype = autocast_dtype
        self.verbose = verbose
        model = model.to(self.device).eval()
        if channels_last:
            model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # not in torch's stubs
        self.model = model
        if compile:
            # Every FastForward compiles the same code object (``_eager``): a run with several models, autocast
            # settings and batch shapes needs more than dynamo's default 8 cache entries, past which it would
            # silently run eager.
            cfg = torch._dynamo.config
            for name in ("recompile_limit", "cache_size_limit"):
                if hasattr(cfg, name):
                    setattr(cfg, name, max(int(getattr(cfg, name)), 256))
        self.freezing = bool(freezing) and compile
        self.cudagraphs = bool(cudagraphs) and compile and self.device.type == "cuda"
        opts: dict[str, str | int | bool | Callable[..., Any]] = {"freezing": self.freezing}
        if self.cudagraphs:
            opts["triton.cudagraphs"] = True
        self._compiled = torch.compile(self._eager, dynamic=False, options=opts) if compile else None
        self._compiled_noisy = torch.compile(self._eager_noisy, dynamic=False, options=opts) if compile else None
        self.compile_error: str | None = None

    def _eager(self, x):
        if self.channels_last and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        if self.autocast_dtype is not None:
            with torch.autocast(device_type=self.device.type, dtype=self.autocast_dtype):
                return self.model(x)
        return self.model(x)

    def _eager_noisy(self, x, u, r=None):
        if r is None:
            noisy = x + u
        else:
            noisy = torch.addcmul(x, u, r.view((-1,) + (1,) * (u.dim() - 1)))
        return self._eager(noisy).argmax(dim=1)

    def predict_noisy(self, x, u, r=None):
        """argmax_c f(x + z)_c for the noise z = u (r None) or z = r * u (one factor r per sample, R14), with the
        noise add compiled into the same graph as the model (no separate pass over the batch)."""
        if self._compiled_noisy is not None:
            try:
                return self._compiled_noisy(x, u, r)
            except Exception as exc:  # compilation unavailable here: say so, run eager from now on
                self._fallback(exc)
        return self._eager_noisy(x, u, r)

    def _fallback(self, exc):
        self._compiled = self._compiled_noisy = None
        first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
        self.compile_error = f"{exc.__class__.__name__}: {first}"
        if self.verbose:
            warn(f"torch.compile unavailable, falling back to eager: {self.compile_error}")

    def __call__(self, x):
        if self._compiled is not None:
            try:
                return self._compiled(x)
            except Exception as exc:  # compilation unavailable here: say so, run eager from now on
                self._fallback(exc)
        return self._eager(x)

    @property
    def description(self) -> str:
        parts = [("torch.compile(inductor" + (", freezing" if self.freezing else "")
                  + (", CUDA graphs" if self.cudagraphs else "") + ")") if self._compiled is not None else
                 ("eager (torch.compile failed: " + self.compile_error + ")" if self.compile_error else "eager")]
        if self.channels_last:
            parts.append("channels_last")
        if self.autocast_dtype is not None:
            parts.append(f"autocast({str(self.autocast_dtype).replace('torch.', '')})")
        return ", ".join(parts)


class Smooth:
    """Smoothed classifier around ``base_classifier`` (a module mapping [B, C, H, W] pixels in [0, 1]
    to logits over ``num_classes``) with noise ``mechanism`` ('gaussian', 'exponential-linf' or 'gaussian-lattice')
    of parameter ``sigma``, on ``device``.

    'gaussian-lattice' (issue 23) is the mode whose certificate holds in floating point: ``x`` must lie on the 1/255
    lattice (else ValueError) and the network input is a function of the integer pixel + noise index alone
    (:class:`empirical.noise.LatticeGaussianSampler`); 'gaussian' feeds fl(x + fl(sigma g)), which a base classifier
    can read (``python -m empirical audit-fp``).

    ``forward`` may be a faster callable for the same model (see :class:`FastForward`); by default the
    module itself runs in eval / inference mode.  ``fused_noise``: draw and add the noise in one compiled pass
    (:class:`empirical.noise.FusedNoise`; default: on CUDA); otherwise the two-pass in-place sampler, whose
    add is fused into the forward graph when ``forward`` offers ``predict_noisy``.
    """

    def __init__(self, base_classifier: nn.Module, num_classes: int, mechanism: str, sigma: float,
                 device="cpu", *, forward=None, fused_noise=None):
        self.device = resolve_device(device)
        self.base_classifier = base_classifier.to(self.device).eval()
        self.num_classes = V.count("num_classes", num_classes, minimum=2)
        self.mechanism = check_mechanism(mechanism)
        self.sigma = V.positive("sigma", sigma)
        self.forward = forward if forward is not None else self.base_classifier
        self._sampler: NoiseSampler | None = None
        self.fused_noise = (self.device.type == "cuda") if fused_noise is None else bool(fused_noise)
        self._fused: FusedNoise | None = None
        self._lattice: LatticeGaussianSampler | None = None  # gaussian-lattice (integer composition, issue 23)

    # -- SAMPLEUNDERNOISE ---------------------------------------------------------------------------
    def _sampler_for(self, x: torch.Tensor) -> NoiseSampler:
        shape = tuple(x.shape)
        if self._sampler is None or self._sampler.shape != shape:
            self._sampler = NoiseSampler(self.mechanism, self.sigma, shape, self.device, x.dtype)
        return self._sampler

    def _fused_for(self, x: torch.Tensor) -> FusedNoise:
        shape = tuple(x.shape)
        if self._fused is None or self._fused.shape != shape:
            self._fused = FusedNoise(self.mechanism, self.sigma, shape, self.device, x.dtype)
        return self._fused

    def sample_counts(self, x: torch.Tensor, num: int, batch_size: int, generator=None) -> torch.Tensor:
        """Class counts of f(x + z) over ``num`` noise draws, as an int64 tensor on the device
        (no per-batch host synchronisation: the caller reads it once; the fused-noise path reads one seed)."""
        num = V.count("num", num, minimum=1)
        batch_size = V.count("batch", batch_size, minimum=1)
        x = x.to(self.device, non_blocking=True)
        if self.mechanism == LATTICE:  # never the float add paths below (issue 23)
            return self._sample_counts_lattice(x, num, batch_size, generator)
        if self.fused_noise:
            return self._sample_counts_fused(x, num, batch_size, generator)
        sampler = self._sampler_for(x)
        counts = torch.zeros(self.num_classes, dtype=torch.int64, device=self.device)
        buf = ones = None
        remaining = num
        fused = getattr(self.forward, "predict_noisy", None)
        with torch.inference_mode():
            while remaining > 0:
                this = min(batch_size, remaining)
                if buf is None or buf.shape[0] != this:
                    buf = torch.empty((this, *x.shape), device=self.device, dtype=x.dtype)
                if fused is not None:  # noise drawn in place, its add fused into the compiled forward pass
                    u, r = sampler.draw_parts(this, generator, out=buf)
                    preds = fused(x, u, r)
                else:
                    noisy = sampler.add_noise(x, this, generator, out=buf)  # pixel space, before normalisation
                    preds = self.forward(noisy).argmax(dim=1)
                if ones is None or ones.shape[0] != this:
                    ones = torch.ones(this, dtype=torch.int64, device=self.device)
                counts.index_add_(0, preds, ones)  # no host sync (torch.bincount syncs twice on CUDA)
                remaining -= this
        return counts

    def _sample_counts_fused(self, x, num, batch_size, generator):
        fused = self._fused_for(x)
        counts = torch.zeros(self.num_classes, dtype=torch.int64, device=self.device)
        base = FusedNoise.draw_seed(generator)
        ones = None
        remaining, i = num, 0
        with torch.inference_mode():
            while remaining > 0:
                this = min(batch_size, remaining)
                noisy = fused.add_noise(x, this, generator, seed=batch_seed(base, i))
                preds = self.forward(noisy).argmax(dim=1)
                if ones is None or ones.shape[0] != this:
                    ones = torch.ones(this, dtype=torch.int64, device=self.device)
                counts.index_add_(0, preds, ones)
                remaining -= this
                i += 1
        return counts

    def _lattice_for(self, x: torch.Tensor) -> LatticeGaussianSampler:
        shape = tuple(x.shape)
        if self._lattice is None or self._lattice.shape != shape:
            dtype = x.dtype if torch.is_floating_point(x) else torch.float32
            self._lattice = LatticeGaussianSampler(self.sigma, shape, self.device, dtype)
        return self._lattice

    def _sample_counts_lattice(self, x, num, batch_size, generator):
        """sample_counts for gaussian-lattice: the network sees lut[k + idx] (noise.LatticeGaussianSampler)."""
        sampler = self._lattice_for(x)
        k = sampler.pixels(x)  # ValueError off the lattice
        counts = torch.zeros(self.num_classes, dtype=torch.int64, device=self.device)
        ones = None
        remaining = num
        with torch.inference_mode():
            while remaining > 0:
                this = min(batch_size, remaining)
                preds = self.forward(sampler.add_noise(x, this, generator, pixels=k)).argmax(dim=1)
                if ones is None or ones.shape[0] != this:
                    ones = torch.ones(this, dtype=torch.int64, device=self.device)
                counts.index_add_(0, preds, ones)
                remaining -= this
        return counts

    def warmup(self, x: torch.Tensor, sizes, batch_size: int) -> None:
        """Run the forward pass once on every batch shape that drawing ``sizes`` samples in batches of
        ``batch_size`` produces (compiles them now, so that no example's time includes compilation)."""
        shapes = set()
        for num in sizes:
            if num >= batch_size:
                shapes.add(batch_size)
            if num % batch_size:
                shapes.add(num % batch_size)
        x = x.to(self.device)
        lattice = self.mechanism == LATTICE
        if lattice:  # off-lattice input: ValueError before any work; the forward pass sees plain float batches
            lat = self._lattice_for(x)
            lat.pixels(x)
            x = x.to(lat.dtype)
        sampler = None if lattice else self._sampler_for(x)
        fused = None if lattice else getattr(self.forward, "predict_noisy", None)
        with torch.inference_mode():
            for b in sorted(shapes):
                if self.fused_noise and not lattice:
                    self.forward(self._fused_for(x).add_noise(x, b, seed=0)).argmax(dim=1)
                elif fused is not None and sampler is not None:  # (sampler is None only on the lattice)
                    fused(x, *sampler.draw_parts(b))
                else:
                    self.forward(x.unsqueeze(0).expand(b, *x.shape).contiguous()).argmax(dim=1)

    # -- CERTIFY ------------------------------------------------------------------------------------
    def certify(self, x: torch.Tensor, n0: int, n: int, alpha: float, batch_size: int,
                generator=None) -> CertifyOutput:
        """Cohen et al.'s CERTIFY; the radius under every certificate of ``theory.certificates``."""
        n0 = V.count("n0", n0, minimum=1)
        n = V.count("n", n, minimum=1)
        alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
        counts0 = self.sample_counts(x, n0, batch_size, generator)
        counts = self.sample_counts(x, n, batch_size, generator)
        both = torch.stack([counts0, counts]).cpu().numpy()  # the one host read of this call
        c0, c1 = both[0], both[1]
        cA = int(np.argmax(c0))  # top index in counts0 (lowest index on ties)
        nA = int(c1[cA])
        d = int(np.prod(tuple(x.shape)))
        if self.mechanism == LATTICE:  # pA_lower less the sampler's slack d * eta (theory.lattice_gaussian)
            res = lattice_certify_from_counts(nA, n, alpha, self.sigma, d, self._lattice_for(x).eta)
        else:
            primary = noises.primary_certificate(self.mechanism)
            res = C.certify_from_counts(nA, n, alpha, self.sigma, primary, **_cert_params(primary, d))
        radii = C.certified_radii(radius_mechanism(self.mechanism), res.pA_lower, self.sigma, d,
                                  one_minus_pA_lower=res.one_minus_pA_lower)
        if res.abstain:
            radii = {k: 0.0 for k in radii}
        return CertifyOutput(ABSTAIN if res.abstain else cA, 0.0 if res.abstain else res.radius, res.pA_lower,
                             cA, int(c0[cA]), n0, nA, n, dict(radii), c0, c1)

    # -- PREDICT ------------------------------------------------------------------------------------
    def predict(self, x: torch.Tensor, n: int, alpha: float, batch_size: int, generator=None) -> PredictOutput:
        """Cohen et al.'s PREDICT (two-sided binomial test of the top two counts, ``scipy.stats.binomtest``)."""
        n = V.count("n", n, minimum=1)
        alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
        counts = self.sample_counts(x, n, batch_size, generator).cpu().numpy()
        order = np.argsort(-counts, kind="stable")  # top two, lowest index on ties
        cA, cB = int(order[0]), int(order[1])
        nA, nB = int(counts[cA]), int(counts[cB])
        res = C.predict_from_counts(nA, nB, alpha)
        return PredictOutput(ABSTAIN if res.abstain else cA, res.p_value, cA, nA, cB, nB, n, counts)


    # -- sequential CERTIFY (issue 21) ---------------------------------------------------------------
    def certify_sequential(self, x: torch.Tensor, n0: int, spec, alpha: float, batch_size: int,
                           generator=None) -> SequentialCertifyOutput:
        """CERTIFY with an anytime-valid bound and early stopping (:mod:`theory.sequential`).

        cA is selected with ``n0`` draws as in Cohen et al.; then the estimation draws come in increments of
        :func:`theory.sequential.look_schedule` (up to ``spec.budget``), and after each increment the counts are
        looked at: ``spec.mode == 'target'`` decides every radius of ``spec.targets`` (certified / refused, and
        the draw count at which), stopping when all are decided; ``'radius'`` stops when the radius is within
        ``spec.fraction`` of what fixed-n CERTIFY would report at the cap (projected at the current rate).
        ``pA_lower`` is the confidence sequence's lower end at the stop, valid whenever sampling stopped; the
        radius columns use it (binary form, pB = 1 - pA).
        """
        from theory import sequential as Q

        n0 = V.count("n0", n0, minimum=1)
        alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
        c0 = self.sample_counts(x, n0, batch_size, generator).cpu().numpy()
        cA = int(np.argmax(c0))
        d = int(np.prod(tuple(x.shape)))
        name = noises.primary_certificate(self.mechanism)
        params = _cert_params(name, d)
        nt = len(spec.targets) if spec.mode == "target" else 0
        status = np.zeros(nt, dtype=np.int8)
        decided_at = np.zeros(nt, dtype=np.int64)
        if spec.mode == "target":
            levels = Q.target_levels(spec.targets, self.sigma, name, **params)
            status[:] = Q.decide_targets(np.array([0]), 0, spec.budget, alpha, levels, spec.prior, spec.final_share,
                                         spec.futility)[0]
        counts = torch.zeros(self.num_classes, dtype=torch.int64, device=self.device)
        c1 = counts.cpu().numpy()
        t = nA = 0
        for look in Q.look_schedule(spec.budget, batch_size, spec.first):
            if spec.mode == "target" and np.all(status != Q.UNDECIDED):
                break
            counts += self.sample_counts(x, look - t, batch_size, generator)
            t = look
            c1 = counts.cpu().numpy()  # one host read per look
            nA = int(c1[cA])
            if spec.mode == "target":
                st = Q.decide_targets(np.array([nA]), t, spec.budget, alpha, levels, spec.prior, spec.final_share,
                                      spec.futility)[0]
                new = (status == Q.UNDECIDED) & (st != Q.UNDECIDED)
                status[new], decided_at[new] = st[new], t
            else:
                stop, _ = Q.radius_stop(np.array([nA]), t, spec.budget, alpha, self.sigma, spec.fraction, name,
                                        spec.prior, spec.final_share, **params)
                if stop[0]:
                    break
        q = float(Q.final_one_minus_lower(nA, t, spec.budget, alpha, spec.prior, spec.final_share)) if t else 1.0
        abstain = q > 0.5
        radius = 0.0 if abstain else float(Q.radius_of(q, self.sigma, name, **params))
        qr = min(q, 0.5)  # on abstain every radius is 0 (certified_radii wants 1 - pA_lower in (0, 1))
        radii = C.certified_radii(self.mechanism, 1.0 - qr, self.sigma, d, one_minus_pA_lower=qr)
        if abstain:
            radii = {k: 0.0 for k in radii}
        return SequentialCertifyOutput(ABSTAIN if abstain else cA, radius, 1.0 - q, cA, int(c0[cA]), n0, nA, t,
                                       dict(radii), c0, c1, spec.mode, n0 + t, tuple(float(r) for r in spec.targets),
                                       tuple(int(v == Q.CERTIFIED) for v in status), tuple(int(v) for v in decided_at))

    def certify_target(self, x: torch.Tensor, n0: int, targets, alpha: float, batch_size: int, budget: int = 100_000,
                       generator=None) -> SequentialCertifyOutput:
        """Target-radius mode of :meth:`certify_sequential`: is x certified at each radius of ``targets``?"""
        from theory.sequential import SequentialSpec

        return self.certify_sequential(x, n0, SequentialSpec("target", budget, tuple(targets)), alpha, batch_size,
                                       generator)


#: Noise draws per forward pass that ``python -m empirical certify`` uses when --batch is not given, per device
#: type (issue 21): chosen with ``python -m empirical bench --batch-sweep`` (reports/empirical/bench_batch_cpu.json:
#: the ratios of the sampling loop's throughput at 128 / 256 / 512 / 1000 on this CPU); CUDA keeps 1000 until a lent
#: GPU measures it (gpu-report records the sweep).
DEFAULT_CERTIFY_BATCH = {"cpu": 1000, "cuda": 1000}


def default_certify_batch(device="cpu") -> int:
    """The default CERTIFY batch size for ``device`` (:data:`DEFAULT_CERTIFY_BATCH`).

    >>> default_certify_batch("cpu") in (128, 256, 512, 1000)
    True
    """
    return DEFAULT_CERTIFY_BATCH.get(resolve_device(device).type, 1000)


def _cert_params(name: str, d: int) -> dict:
    """Parameters a certificate of ``theory.certificates`` needs besides pA and sigma (e.g. d)."""
    return {"d": d} if "d" in C.get(name).params else {}


def warn(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
