"""Smoothing noise generated on the model's device (issue 6), vectorised, seeded ``torch.Generator``.

* ``gaussian``          -- z ~ N(0, sigma^2 I_d) (Cohen et al. 2019).
* ``exponential-linf``  -- the l_inf-exponential mechanism of the paper's eq. (6),
  p(z) ∝ exp(-||z||_inf / sigma), sampled in O(d) by R14: draw R ~ Gamma(shape d + 1, scale sigma),
  then z uniform on the cube [-R, R]^d.  (Then ||z||_inf ~ Gamma(shape d, scale sigma), T15:
  E||z||_inf = d sigma -- R times the maximum of d uniforms, Beta(d, 1), by the beta-gamma algebra.)

Each batch is written in place into a reusable buffer; nothing is copied to the host.
"""

from __future__ import annotations

import torch

from theory import validate as V

MECHANISMS = ("gaussian", "exponential-linf")


def check_mechanism(mechanism: str) -> str:
    return V.choice("mechanism", mechanism, MECHANISMS)


class NoiseSampler:
    """``sampler(batch, generator) -> [batch, *shape]`` noise of ``mechanism`` with parameter ``sigma``.

    ``out`` may be a preallocated tensor of that shape (reused: no allocation per batch).
    """

    def __init__(self, mechanism: str, sigma: float, shape, device="cpu", dtype=torch.float32):
        self.mechanism = check_mechanism(mechanism)
        self.sigma = V.positive("sigma", sigma)
        self.shape = tuple(int(s) for s in shape)
        self.d = 1
        for s in self.shape:
            self.d *= s
        V.dimension("d", self.d)
        self.device = torch.device(device)
        self.dtype = dtype
        self._conc = {}

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

    def _rshape(self, batch):
        return (batch,) + (1,) * len(self.shape)

    def __call__(self, batch: int, generator=None, out=None) -> torch.Tensor:
        batch = V.count("batch", batch, minimum=1)
        if out is None:
            out = torch.empty((batch, *self.shape), device=self.device, dtype=self.dtype)
        if self.mechanism == "gaussian":
            return out.normal_(0.0, self.sigma, generator=generator)
        # z = (R / sigma) * U[-sigma, sigma]^d: sigma folded into the uniform draw (two passes over z)
        r = self.standard_radii(batch, generator)
        out.uniform_(-self.sigma, self.sigma, generator=generator)
        return out.mul_(r.view(self._rshape(batch)))

    def draw_parts(self, batch: int, generator=None, out=None):
        """The noise in factored form ``(u, r)``: z = u (Gaussian; r is None) or z = r[:, None, ...] * u (R14:
        u uniform on [-sigma, sigma]^d written into ``out``, r = R / sigma ~ Gamma(d + 1, 1) per sample), drawn
        in the same order as :meth:`add_noise` (same numbers for the same generator).  For a consumer that fuses
        the scale-and-add into its own pass (:meth:`empirical.core.FastForward.predict_noisy`)."""
        if out is None:
            out = torch.empty((batch, *self.shape), device=self.device, dtype=self.dtype)
        if self.mechanism == "gaussian":
            return out.normal_(0.0, self.sigma, generator=generator), None
        r = self.standard_radii(batch, generator)
        return out.uniform_(-self.sigma, self.sigma, generator=generator), r

    def add_noise(self, x: torch.Tensor, batch: int, generator=None, out=None) -> torch.Tensor:
        """``x + z`` for ``batch`` noise draws z (x broadcast over the batch), written into ``out``
        in two passes (draw, then a fused scale-and-add for R14)."""
        if out is None:
            out = torch.empty((batch, *self.shape), device=self.device, dtype=self.dtype)
        if self.mechanism == "gaussian":
            return out.normal_(0.0, self.sigma, generator=generator).add_(x)
        r = self.standard_radii(batch, generator)
        out.uniform_(-self.sigma, self.sigma, generator=generator)
        return torch.addcmul(x, out, r.view(self._rshape(batch)), out=out)


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
        self.mechanism, self.sigma, self.shape = self._plain.mechanism, self._plain.sigma, self._plain.shape
        self.device, self.dtype = self._plain.device, dtype
        self._fn = torch.compile(self._gauss if self.mechanism == "gaussian" else self._r14, dynamic=False)

    def _gauss(self, x, batch: int):
        z = torch.randn((batch, *self.shape), device=self.device, dtype=self.dtype)
        return x + z * self.sigma

    def _r14(self, x, r, batch: int):
        u = torch.rand((batch, *self.shape), device=self.device, dtype=self.dtype)
        return x + (u * (2.0 * self.sigma) - self.sigma) * r.view((batch,) + (1,) * len(self.shape))

    @staticmethod
    def draw_seed(generator=None) -> int:
        """A 62-bit seed drawn from ``generator`` (the global RNG when None); one host read."""
        if generator is None:
            return int(torch.randint(0, 2 ** 62, (1,)).item())
        return int(torch.randint(0, 2 ** 62, (1,), generator=generator, device=generator.device).item())

    def add_noise(self, x: torch.Tensor, batch: int, generator=None, seed: int | None = None) -> torch.Tensor:
        """A new [batch, *shape] tensor x + z (x broadcast over the batch)."""
        batch = V.count("batch", batch, minimum=1)
        r = self._plain.standard_radii(batch, generator) if self.mechanism != "gaussian" else None
        if seed is None:
            seed = self.draw_seed(generator)
        devices = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices, device_type=self.device.type):
            if self.device.type == "cuda":
                torch.cuda.manual_seed(seed)
            else:
                torch.manual_seed(seed)
            return self._fn(x, batch) if r is None else self._fn(x, r, batch)

    def sample(self, batch: int, generator=None, seed: int | None = None) -> torch.Tensor:
        """``batch`` draws of z alone (x = 0)."""
        return self.add_noise(torch.zeros(self.shape, device=self.device, dtype=self.dtype), batch, generator, seed)


def batch_seed(base: int, i: int) -> int:
    """Seed of batch ``i`` of a loop whose base seed is ``base`` (a 62-bit mix; distinct for distinct i)."""
    return (int(base) + (int(i) + 1) * 0x9E3779B97F4A7C15) % (2 ** 62)
