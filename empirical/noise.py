"""Smoothing noise generated on the model's device (issue 6), vectorised, seeded ``torch.Generator``.

* ``gaussian``          -- z ~ N(0, sigma^2 I_d) (Cohen et al. 2019).
* ``exponential-linf``  -- the l_inf-exponential mechanism of the paper's eq. (6),
  p(z) ∝ exp(-||z||_inf / sigma), sampled in O(d) by R14: draw R ~ Gamma(shape d + 1, scale sigma),
  then z uniform on the cube [-R, R]^d.  (Then ||z||_inf ~ Gamma(shape d, scale sigma), T15:
  E||z||_inf = d sigma -- R times the maximum of d uniforms, Beta(d, 1), by the beta-gamma algebra.)
* ``gaussian-lattice``  -- the sound mode of issue 23 (:class:`LatticeGaussianSampler`): inputs on the 1/255
  lattice, the Gaussian rounded to the lattice drawn by integer thresholds on 63-bit uniform integers
  (:mod:`theory.lattice_gaussian`), pixel and noise index added as integers and converted to floats once, so the
  network input is a function of (pixel + noise index) alone and Cohen et al.'s certificate holds in floating point.

Each batch is written in place into a reusable buffer; nothing is copied to the host.

The samplers are registered by the sampler key of the noise table :mod:`theory.noises`
(:data:`SAMPLERS`: key -> factory); the mechanisms drawn here (``MECHANISMS``, ``FLOAT_MECHANISMS``) are read from
the table.  A noise of the table with ``sampler_key="host"`` and a numpy ``sample`` is drawn by
:class:`HostSampler` (on the host, copied to the device) with no code here; a fast sampler of its own is a
:class:`NoiseSampler` subclass registered with :func:`register_sampler` under its key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from theory import noises
from theory import validate as V

#: the sound lattice mode (issue 23), drawn by :class:`LatticeGaussianSampler`
LATTICE = "gaussian-lattice"
#: the sampler key of the generic host sampler (:class:`HostSampler`: the noise's numpy ``sample``)
HOST = noises.HOST
# MECHANISMS / FLOAT_MECHANISMS (module __getattr__, live): the noises of theory.noises with a torch sampler
# (noises.sampler_keys()) / with one that adds the noise in floating point (noises.float_sampler_noises())


def __getattr__(name: str) -> Any:
    if name == "MECHANISMS":
        return noises.sampler_keys()
    if name == "FLOAT_MECHANISMS":
        return noises.float_sampler_noises()
    raise AttributeError(f"module 'empirical.noise' has no attribute {name!r}")


def check_mechanism(mechanism: str) -> str:
    """``mechanism`` if the torch side draws it (a noise of :mod:`theory.noises` with a sampler key), else a
    ValueError naming those that it draws."""
    return V.choice("mechanism", mechanism, noises.sampler_keys())


def _shape_and_dimension(shape) -> tuple[tuple[int, ...], int]:
    """A sample's shape as a tuple of ints and its dimension d (the product), d validated (ValueError naming d)."""
    shape = tuple(int(s) for s in shape)
    d = 1
    for s in shape:
        d *= s
    return shape, V.dimension("d", d)


class NoiseSampler:
    """``sampler(batch, generator) -> [batch, *shape]`` noise of ``mechanism`` with parameter ``sigma``, added in
    floating point.

    ``NoiseSampler(mechanism, ...)`` builds the class registered in :data:`SAMPLERS` under the noise's sampler key
    (:func:`theory.noises.sampler_key`): :class:`GaussianSampler`, :class:`R14Sampler`, :class:`HostSampler`, or
    one registered with :func:`register_sampler`.  A subclass draws the noise in factored form (:meth:`draw_parts`:
    z = u, or z = r u with one scalar r per sample) and may give :meth:`fused_add` (the one-pass kernel of
    :class:`FusedNoise`).  ``out`` may be a preallocated tensor of that shape (reused: no allocation per batch).

    >>> type(NoiseSampler("exponential-linf", 0.5, (2, 2))).__name__
    'R14Sampler'
    """

    def __new__(cls, mechanism: str, *args: Any, **kwargs: Any) -> NoiseSampler:
        if cls is NoiseSampler:   # the class of the noise's sampler key
            cls = float_sampler_class(mechanism)
        return super().__new__(cls)

    def __init__(self, mechanism: str, sigma: float, shape, device="cpu", dtype=torch.float32):
        self.mechanism = check_mechanism(mechanism)
        self.sigma = V.positive("sigma", sigma)
        self.shape, self.d = _shape_and_dimension(shape)
        self.device = torch.device(device)
        self.dtype = dtype

    def _rshape(self, batch):
        return (batch,) + (1,) * len(self.shape)

    def _out(self, batch, out):
        if out is None:
            out = torch.empty((batch, *self.shape), device=self.device, dtype=self.dtype)
        return out

    def draw_parts(self, batch: int, generator=None, out=None):
        """The noise in factored form ``(u, r)``: z = u (r is None) or z = r[:, None, ...] * u (R14: u uniform
        on [-sigma, sigma]^d written into ``out``, r = R / sigma ~ Gamma(d + 1, 1) per sample), drawn in the same
        order as :meth:`add_noise` (same numbers for the same generator).  For a consumer that fuses the
        scale-and-add into its own pass (:meth:`empirical.core.FastForward.predict_noisy`)."""
        raise NotImplementedError  # pragma: no cover

    def fused_radii(self, batch: int, generator=None):
        """The per-sample factors r that :meth:`fused_add` takes (None: the law has none)."""
        return None

    def fused_add(self, x, r, batch: int):
        """``x + z`` with z drawn by torch's global RNG inside one function (compiled by :class:`FusedNoise`)."""
        raise ValueError(f"mechanism: {self.mechanism} has no fused one-pass sampler (use NoiseSampler)")

    def __call__(self, batch: int, generator=None, out=None) -> torch.Tensor:
        batch = V.count("batch", batch, minimum=1)
        u, r = self.draw_parts(batch, generator, self._out(batch, out))
        return u if r is None else u.mul_(r.view(self._rshape(batch)))

    def add_noise(self, x: torch.Tensor, batch: int, generator=None, out=None) -> torch.Tensor:
        """``x + z`` for ``batch`` noise draws z (x broadcast over the batch), written into ``out``
        in two passes (draw, then a fused scale-and-add for a factored law)."""
        u, r = self.draw_parts(batch, generator, self._out(batch, out))
        if r is None:
            return u.add_(x)
        return torch.addcmul(x, u, r.view(self._rshape(batch)), out=u)


class GaussianSampler(NoiseSampler):
    """z ~ N(0, sigma^2 I_d) (Cohen et al. 2019), drawn in place by ``normal_``."""

    def draw_parts(self, batch: int, generator=None, out=None):
        return self._out(batch, out).normal_(0.0, self.sigma, generator=generator), None

    def fused_add(self, x, r, batch: int):
        z = torch.randn((batch, *self.shape), device=self.device, dtype=self.dtype)
        return x + z * self.sigma


class R14Sampler(NoiseSampler):
    """The eq.-6 noise by R14: R / sigma ~ Gamma(d + 1, 1) per sample, then z = (R / sigma) U[-sigma, sigma]^d."""

    def __init__(self, mechanism: str, sigma: float, shape, device="cpu", dtype=torch.float32):
        super().__init__(mechanism, sigma, shape, device, dtype)
        self._conc: dict[int, torch.Tensor] = {}

    def _concentration(self, batch: int):
        c = self._conc.get(batch)
        if c is None:
            # Gamma shape d + 1 (exact in float32 for d < 2**24)
            c = torch.full((batch,), float(self.d + 1), dtype=self.dtype, device=self.device)
            self._conc = {batch: c}
        return c

    def standard_radii(self, batch: int, generator=None) -> torch.Tensor:
        """R14's R / sigma ~ Gamma(d + 1, scale 1), one per sample, on the device ([batch])."""
        return torch._standard_gamma(self._concentration(batch), generator=generator)

    def radii(self, batch: int, generator=None) -> torch.Tensor:
        """R14's R ~ Gamma(d + 1, scale sigma), one per sample, on the device ([batch])."""
        return self.standard_radii(batch, generator).mul_(self.sigma)

    def draw_parts(self, batch: int, generator=None, out=None):
        # z = (R / sigma) * U[-sigma, sigma]^d: sigma folded into the uniform draw
        r = self.standard_radii(batch, generator)
        return self._out(batch, out).uniform_(-self.sigma, self.sigma, generator=generator), r

    fused_radii = standard_radii

    def fused_add(self, x, r, batch: int):
        u = torch.rand((batch, *self.shape), device=self.device, dtype=self.dtype)
        return x + (u * (2.0 * self.sigma) - self.sigma) * r.view((batch,) + (1,) * len(self.shape))


class HostSampler(NoiseSampler):
    """Any noise of the table with a numpy ``sample`` (:attr:`theory.noises.Noise.sample`), drawn on the host and
    copied to the device: per batch one 63-bit seed from ``generator`` seeds a numpy ``Generator`` (the same seed
    gives the same noise).  Slow next to a sampler of its own; it makes a new noise drawable with no torch code."""

    def __init__(self, mechanism: str, sigma: float, shape, device="cpu", dtype=torch.float32):
        super().__init__(mechanism, sigma, shape, device, dtype)
        sample = noises.get(self.mechanism).sample
        if sample is None:
            raise ValueError(f"mechanism: {self.mechanism} has no numpy sample in theory.noises (HostSampler)")
        self._sample = sample

    def draw_parts(self, batch: int, generator=None, out=None):
        dev = "cpu" if generator is None else generator.device
        seed = int(torch.randint(0, 2 ** 63 - 1, (1,), generator=generator, device=dev).item())
        z = np.asarray(self._sample(np.random.default_rng(seed), self.sigma, self.d, batch), dtype=np.float64)
        if z.shape != (batch, self.d):
            raise ValueError(f"the numpy sample of {self.mechanism} returned shape {z.shape}, not {(batch, self.d)}")
        out = self._out(batch, out)
        return out.copy_(torch.from_numpy(z).view(batch, *self.shape)), None


#: sampler key (:attr:`theory.noises.Noise.sampler_key`) -> torch sampler factory
#: ``factory(mechanism, sigma, shape, device, dtype)``; the float ones are :class:`NoiseSampler` subclasses
SAMPLERS: dict[str, Callable[..., Any]] = {}


def register_sampler(key: str, factory: Callable[..., Any]) -> None:
    """Register the torch sampler of sampler key ``key`` (ValueError if the key is taken).

    >>> register_sampler("gaussian", GaussianSampler)
    Traceback (most recent call last):
        ...
    ValueError: sampler key 'gaussian' is already registered
    """
    if not isinstance(key, str) or not key:
        raise ValueError(f"key must be a non-empty string, got {key!r}")
    if key in SAMPLERS:
        raise ValueError(f"sampler key {key!r} is already registered")
    SAMPLERS[key] = factory


def sampler_factory(mechanism: str) -> Callable[..., Any]:
    """The factory of ``mechanism``'s torch sampler (its table sampler key in :data:`SAMPLERS`).

    >>> sampler_factory("gaussian-lattice").__qualname__
    'LatticeGaussianSampler.from_table'
    """
    key = noises.sampler_key(check_mechanism(mechanism))
    if key not in SAMPLERS:
        raise ValueError(f"mechanism: the sampler key {key!r} of {mechanism} has no torch sampler in "
                         f"empirical.noise.SAMPLERS (keys: {sorted(SAMPLERS)})")
    return SAMPLERS[key]


def make_sampler(mechanism: str, sigma: float, shape, device="cpu", dtype=torch.float32) -> Any:
    """The torch sampler of ``mechanism`` (a :class:`NoiseSampler` or a :class:`LatticeGaussianSampler`).

    >>> make_sampler("gaussian", 0.5, (3,))(4, make_generator("cpu", 0)).shape
    torch.Size([4, 3])
    """
    return sampler_factory(mechanism)(mechanism, sigma, shape, device, dtype)


def float_sampler_class(mechanism: str) -> type[NoiseSampler]:
    """The :class:`NoiseSampler` subclass of ``mechanism`` (ValueError for a mode drawn by integer composition)."""
    factory = sampler_factory(mechanism)
    if not noises.get(mechanism).float_sampler or not (isinstance(factory, type)
                                                       and issubclass(factory, NoiseSampler)):
        by = getattr(factory, "__qualname__", repr(factory)).split(".")[0]
        raise ValueError(f"mechanism: {mechanism} is drawn by {by} (integer composition), not by the float samplers "
                         f"({', '.join(noises.float_sampler_noises())})")
    return factory


def sample_noise(mechanism: str, sigma: float, n: int, shape, device="cpu", generator=None,
                 dtype=torch.float32) -> torch.Tensor:
    """``n`` draws of the noise, shape ``[n, *shape]``, on ``device``."""
    return NoiseSampler(mechanism, sigma, shape, device, dtype)(n, generator)


def make_generator(device, seed: int) -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded with ``seed``."""
    g = torch.Generator(device=torch.device(device))
    g.manual_seed(int(seed))
    return g


def example_seed(seed: int, idx: int) -> int:
    """The seed of example ``idx`` under run seed ``seed`` (independent of order, sharding and
    resumption): a 63-bit word from numpy's SeedSequence((seed, idx))."""
    import numpy as np

    s = np.random.SeedSequence([int(seed) & 0xFFFFFFFFFFFFFFFF, int(idx)]).generate_state(2, np.uint32)
    return (int(s[0]) << 31) ^ int(s[1])


class FusedNoise:
    """``x + z`` for ``batch`` draws z of ``mechanism`` in ONE compiled pass (issue 13, for the GPU): the
    random numbers are generated inside a ``torch.compile``'d function (inductor's counter-based RNG: Philox in
    Triton on CUDA), so the draw, R14's radius x uniform scaling and the add touch the batch once, instead of a
    draw pass plus a scale-and-add pass (:meth:`NoiseSampler.add_noise`).

    * Gaussian: x + sigma * N(0, 1);
    * eq. 6 (R14): R / sigma ~ Gamma(d + 1, 1) per sample (``torch._standard_gamma``, a [batch] vector), then
      x + (R / sigma) * sigma * (2 U - 1) with U uniform on [0, 1)^d -- the same law as the two-pass sampler.

    Seeding: inductor's in-graph RNG reads the device's default generator.  :meth:`add_noise` runs the
    compiled function with the default generator seeded with ``seed`` inside ``torch.random.fork_rng`` (the
    global RNG state is left as it was); without ``seed`` it draws one from ``generator`` (one host read of a
    scalar -- a loop draws one base seed per call with :meth:`draw_seed` and derives the batches' seeds on
    the host with :func:`batch_seed`, so no batch waits for the device).  The R14 radii come from
    ``generator`` as in :class:`NoiseSampler`.  On the CPU this
    is exact but slower than :class:`NoiseSampler` (inductor's CPU RNG is scalar); use it on CUDA.

    >>> import torch
    >>> f = FusedNoise("gaussian", 0.5, (2, 2))
    >>> f.add_noise(torch.zeros(2, 2), 3, make_generator("cpu", 0)).shape
    torch.Size([3, 2, 2])
    """

    def __init__(self, mechanism: str, sigma: float, shape, device="cpu", dtype=torch.float32):
        self._plain = NoiseSampler(mechanism, sigma, shape, device, dtype)  # validation, radii
        if type(self._plain).fused_add is NoiseSampler.fused_add:
            self._plain.fused_add(None, None, 1)   # ValueError: the law has no one-pass kernel
        self.mechanism, self.sigma, self.shape = self._plain.mechanism, self._plain.sigma, self._plain.shape
        self.device, self.dtype = self._plain.device, dtype
        self._fn = torch.compile(self._plain.fused_add, dynamic=False)

    @staticmethod
    def draw_seed(generator=None) -> int:
        """A 62-bit seed drawn from ``generator`` (the global RNG when None); one host read."""
        if generator is None:
            return int(torch.randint(0, 2 ** 62, (1,)).item())
        return int(torch.randint(0, 2 ** 62, (1,), generator=generator, device=generator.device).item())

    def add_noise(self, x: torch.Tensor, batch: int, generator=None, seed: int | None = None) -> torch.Tensor:
        """A new [batch, *shape] tensor x + z (x broadcast over the batch)."""
        batch = V.count("batch", batch, minimum=1)
        r = self._plain.fused_radii(batch, generator)
        if seed is None:
            seed = self.draw_seed(generator)
        devices = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices, device_type=self.device.type):
            if self.device.type == "cuda":
                torch.cuda.manual_seed(seed)
            else:
                torch.manual_seed(seed)
            return self._fn(x, r, batch)

    def sample(self, batch: int, generator=None, seed: int | None = None) -> torch.Tensor:
        """``batch`` draws of z alone (x = 0)."""
        return self.add_noise(torch.zeros(self.shape, device=self.device, dtype=self.dtype), batch, generator, seed)


def batch_seed(base: int, i: int) -> int:
    """Seed of batch ``i`` of a loop whose base seed is ``base`` (a 62-bit mix; distinct for distinct i)."""
    return (int(base) + (int(i) + 1) * 0x9E3779B97F4A7C15) % (2 ** 62)


@functools.lru_cache(maxsize=8)
def _lattice_tables(sigma: float, levels: int, guide_bits: int):
    """(thresholds, guide table, thresholds + sentinel) of :class:`LatticeGaussianSampler`, on the CPU (cached)."""
    from theory.lattice_gaussian import lattice_gaussian

    lg = lattice_gaussian(sigma, levels)
    edges = torch.tensor(lg.edges, dtype=torch.int64)
    n = len(lg.edges)
    bshift = 63 - guide_bits
    starts = torch.arange(2 ** guide_bits, dtype=torch.int64) << bshift
    lo = torch.searchsorted(edges, starts, right=False)  # thresholds below the block
    hi = torch.searchsorted(edges, starts + ((1 << bshift) - 1), right=True)  # thresholds up to its end
    # idx (= number of thresholds <= U, in [1, n - 1] when accepted) when the block holds no threshold and lies
    # between E_0 and E_{n-1}; 0 (resolve on the full U) otherwise
    ok = (hi == lo) & (lo >= 1) & (lo <= n - 1)
    guide = torch.where(ok, lo, torch.zeros_like(lo)).to(torch.int32)
    return edges, guide, torch.cat([edges, torch.tensor([2 ** 63 - 1])])


class LatticeGaussianSampler:
    """The ``gaussian-lattice`` noise (issue 23): network inputs ``fl((k + J) / levels)`` for pixels ``k`` (integers,
    the image is ``k / levels``) and noise indices ``J`` drawn from the Gaussian of standard deviation ``sigma``
    (pixel units) rounded to the lattice, clipped where its atoms lose their last whole 63-bit cell.

    Sampling (exact up to the rejected cells, whose mass ``eta`` per coordinate enters the certificate; see
    :mod:`theory.lattice_gaussian`): each coordinate has a uniform 63-bit integer U = hi * 2^32 + lo (hi: 31 bits,
    lo: 32 bits), J = j iff E_j < U < E_{j+1} for the integer thresholds E_j = floor(2^63 Phi((j - 1/2)/s)),
    s = levels * sigma; U <= E_{-M}, U >= E_{M+1} and U = E_j (a cell that straddles a boundary) are redrawn
    (a fresh 63-bit U).  hi is drawn for every coordinate (``random_`` on int32: 31 uniform bits) and a guide table
    on its top ``guide_bits`` bits gives j directly when that block of 2^(63 - guide_bits) values of U holds no
    threshold; only the coordinates whose block holds one (probability ~ 5e-4 at 20 bits) draw lo (32 more uniform
    bits; drawing them later is the same law, U's bits are independent) and are resolved by ``torch.searchsorted``
    on the full 63-bit U.  The generator drives every bit: the same seed gives the same noise (resume, sharding).

    Composition: ``compose(k, idx) = lut[k + idx]`` with ``lut[i] = fl32(i - 1 - M) / levels`` (one correctly
    rounded float division per lattice point, done once): the network input depends on k + J alone, so the law at
    x' is the translate of the law at x, bit for bit (shift covariance, tested exhaustively).

    >>> import torch
    >>> s = LatticeGaussianSampler(0.25, (3, 2, 2))
    >>> x = torch.full((3, 2, 2), 7 / 255.0)
    >>> s.add_noise(x, 5, make_generator("cpu", 0)).shape
    torch.Size([5, 3, 2, 2])
    """

    def __init__(self, sigma: float, shape, device="cpu", dtype=torch.float32, *, levels: int = 255,
                 guide_bits: int = 20):
        from theory.lattice_gaussian import lattice_gaussian

        self.mechanism = LATTICE
        self.sigma = V.positive("sigma", sigma)
        self.shape, self.d = _shape_and_dimension(shape)
        self.device = torch.device(device)
        if dtype not in (torch.float32, torch.float64):
            raise ValueError(f"dtype: the lattice mode composes float32 or float64 inputs, got {dtype}")
        self.dtype = dtype
        self.levels = V.count("levels", levels, minimum=1)
        guide_bits = V.count("guide_bits", guide_bits, minimum=1)
        if guide_bits > 24:
            raise ValueError(f"guide_bits must be in [1, 24], got {guide_bits}")
        self.lattice = lattice_gaussian(self.sigma, self.levels)
        if self.lattice.bits != 63:
            raise ValueError("the sampler draws 63-bit uniforms")  # pragma: no cover
        self.eta = self.lattice.eta
        M = self.lattice.clip
        self.clip = M
        self._nedges = n = len(self.lattice.edges)
        if n + self.levels >= 2 ** 31:
            raise ValueError(f"sigma: {sigma!r} needs too many thresholds")  # pragma: no cover
        self._hshift = 31 - guide_bits  # block of hi = U >> 32 -> guide index
        edges, guide, edges_pad = _lattice_tables(self.sigma, self.levels, guide_bits)
        self._edges, self._guide, self._edges_pad = (t.to(self.device) for t in (edges, guide, edges_pad))
        # network input of lattice index i = k + idx (idx = J + 1 + M): fl((i - 1 - M) / levels), converted once
        span = torch.arange(-1 - M, self.levels + n - M, dtype=torch.int64)
        self._lut = (span.to(dtype) / float(self.levels)).to(self.device)

    @classmethod
    def from_table(cls, mechanism: str, sigma: float, shape, device="cpu", dtype=torch.float32):
        """The factory of :data:`SAMPLERS` (the registry's signature; ``mechanism`` is the lattice mode)."""
        return cls(sigma, shape, device, dtype)

    # -- the pixels ---------------------------------------------------------------------------------------------
    def pixels(self, x: torch.Tensor) -> torch.Tensor:
        """The integer pixels k (int64, on the device) of an image ``x`` on the lattice: an integer tensor with
        values in [0, levels], or floats equal bit for bit to ``k / levels`` computed in x's dtype (what
        ``empirical.data`` loads).  Anything else is a ValueError: the sound mode certifies lattice inputs only."""
        if tuple(x.shape) != self.shape:
            raise ValueError(f"x: expected shape {self.shape}, got {tuple(x.shape)}")
        x = x.to(self.device)
        if not torch.is_floating_point(x):
            k = x.to(torch.int64)
        else:
            k = torch.round(x.to(torch.float64) * self.levels).to(torch.int64)
            back = k.to(x.dtype) / float(self.levels)
            bad = back != x
            if bool(bad.any()):
                i = int(bad.reshape(-1).nonzero()[0])
                raise ValueError(f"x: the gaussian-lattice mode needs inputs on the 1/{self.levels} lattice (pixel "
                                 f"values k/{self.levels} as {str(x.dtype).replace('torch.', '')}); coordinate {i} is "
                                 f"{float(x.reshape(-1)[i])!r}, {int(bad.sum())} of {x.numel()} are off it "
                                 f"(quantize the image, e.g. round(255 x) / 255, or use --mechanism gaussian)")
        if bool(((k < 0) | (k > self.levels)).any()):
            raise ValueError(f"x: pixel values must lie in [0, 1] (integers 0..{self.levels}), got "
                             f"[{int(k.min())}, {int(k.max())}] / {self.levels}")
        return k

    # -- the noise index ----------------------------------------------------------------------------------------
    def draw_index(self, batch: int, generator=None) -> torch.Tensor:
        """``idx = J + 1 + M`` in [1, 2M + 1] for ``batch`` draws, int32 [batch, *shape] (class doc)."""
        batch = V.count("batch", batch, minimum=1)
        hi = torch.empty(batch * self.d, dtype=torch.int32, device=self.device)
        hi.random_(generator=generator)  # 31 uniform bits per entry: U's top bits
        idx = torch.index_select(self._guide, 0, torch.bitwise_right_shift(hi, self._hshift))
        pos = (idx == 0).nonzero().squeeze(1)
        if pos.numel():  # blocks holding a threshold or a tail: draw U's 32 low bits, search on the full U
            low = torch.empty(pos.numel(), dtype=torch.int64, device=self.device).random_(0, 2 ** 32,
                                                                                            generator=generator)
            u = (hi[pos].to(torch.int64) << 32) | low
            fidx, bad = self._search(u)
            while True:  # rejected draws (tails, edge cells; ~ 1e-16 each) are redrawn with a fresh 63-bit U
                nbad = int(bad.sum())
                if nbad == 0:
                    break
                where = bad.nonzero().squeeze(1)
                fresh = torch.empty(nbad, dtype=torch.int64, device=self.device).random_(generator=generator)
                ridx, rbad = self._search(fresh)
                fidx[where] = ridx
                bad = torch.zeros_like(bad)
                bad[where] = rbad
            idx[pos] = fidx.to(torch.int32)
        return idx.view(batch, *self.shape)

    def _search(self, u: torch.Tensor):
        """(idx, rejected) for 63-bit uniform integers u (int64, 1-d): idx = number of thresholds <= u; rejected:
        u <= E_{-M} (idx <= 1 with u on E_0), u >= E_{M+1} or u equal to a threshold."""
        idx = torch.searchsorted(self._edges, u, right=True)
        on_edge = torch.index_select(self._edges_pad, 0, (idx - 1).clamp(min=0)) == u
        bad = on_edge | (idx <= 0) | (idx >= self._nedges)
        return idx, bad

    def noise_index(self, batch: int, generator=None) -> torch.Tensor:
        """The noise indices J in [-M, M] (int64 [batch, *shape])."""
        return self.draw_index(batch, generator) - (1 + self.clip)

    # -- composition --------------------------------------------------------------------------------------------
    def compose(self, k: torch.Tensor, idx: torch.Tensor, out=None) -> torch.Tensor:
        """The network input for pixels ``k`` (integers [*shape]) and indices ``idx`` (integers [batch, *shape]):
        ``lut[k + idx]``, a function of k + idx alone (written into ``out`` when given)."""
        i = (idx + k.to(idx.dtype)).reshape(-1)
        res = torch.index_select(self._lut, 0, i, out=None if out is None else out.view(-1))
        return res.view(idx.shape) if out is None else out

    def add_noise(self, x: torch.Tensor, batch: int, generator=None, out=None, *, pixels=None) -> torch.Tensor:
        """``batch`` noisy network inputs at the lattice image ``x`` (``pixels``: its integer pixels, when already
        known); float [batch, *shape] of x's dtype (or the sampler's for integer x)."""
        k = self.pixels(x) if pixels is None else pixels
        return self.compose(k, self.draw_index(batch, generator), out=out)


for _key, _factory in (("gaussian", GaussianSampler), ("exponential-linf", R14Sampler),
                       (LATTICE, LatticeGaussianSampler.from_table), (HOST, HostSampler)):
    register_sampler(_key, _factory)
