"""Noise samplers on the device (issue 6) against the laws of `theory` (R14, T15; Gaussian).

Reference laws (independent of the torch code):
* eq. 6 / R14: ||z||_inf ~ Gamma(shape d, scale sigma) (T15's proof; `theory.mechanisms.ExponentialLinf`'s
  `linf_norm_quantile` uses the same law); one coordinate z_1 = R U, R ~ Gamma(d+1, sigma), U ~ U(-1, 1):
  P(|z_1| <= t) = G_{d+1}(t) + t/(d sigma) (1 - G_d(t))  (G_k the Gamma(k, sigma) CDF;
  E[1/R; R > t] = (1/(d sigma)) P(Gamma(d, sigma) > t)); also a two-sample KS against the numpy
  sampler of `theory.mechanisms.ExponentialLinf`.
* Gaussian: z_1 ~ N(0, sigma^2); ||z||_inf CDF (2 Phi(t/sigma) - 1)^d.
KS p-value threshold 1e-6 with fixed seeds; each check is shown able to fail (a wrong law is rejected).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

from empirical.noise import (
    FusedNoise,
    LatticeGaussianSampler,
    NoiseSampler,
    batch_seed,
    example_seed,
    make_generator,
    sample_noise,
)
from tests.theory.test_noises import toy_noise  # noqa: F401  (the fixture: a toy noise in ONE file)
from theory.mechanisms import ExponentialLinf

P_MIN = 1e-6
N = 20000


def _abs_marginal_cdf_exp(t, d, sigma):
    t = np.asarray(t, dtype=float)
    return stats.gamma.cdf(t, d + 1, scale=sigma) + t / (d * sigma) * stats.gamma.sf(t, d, scale=sigma)


def _signed_cdf(abs_cdf):
    return lambda z: 0.5 + np.sign(z) * abs_cdf(np.abs(z)) / 2


@pytest.mark.parametrize("d,sigma,shape", [(1, 0.5, (1,)), (8, 1.0, (2, 2, 2)), (64, 0.25, (1, 8, 8))])
def test_r14_linf_norm_and_marginal(d, sigma, shape):
    g = make_generator("cpu", 1234 + d)
    z = sample_noise("exponential-linf", sigma, N, shape, "cpu", g).reshape(N, d).double().numpy()
    linf = np.abs(z).max(axis=1)
    p_norm = stats.kstest(linf, stats.gamma(d, scale=sigma).cdf).pvalue
    p_marg = stats.kstest(z[:, 0], _signed_cdf(lambda t: _abs_marginal_cdf_exp(t, d, sigma))).pvalue
    ref = ExponentialLinf(sigma, d).sample(np.random.default_rng(99 + d), N)
    p_two = stats.ks_2samp(z[:, -1], ref[:, 0]).pvalue
    assert min(p_norm, p_marg, p_two) > P_MIN, (p_norm, p_marg, p_two)
    # the same check rejects the law one would get with the radius Gamma(d, sigma) instead of Gamma(d+1, sigma)
    wrong = stats.gamma(d, scale=sigma).rvs(size=N, random_state=np.random.default_rng(5)) * \
        np.random.default_rng(6).uniform(0, 1, size=(N, d)).max(axis=1)
    assert stats.kstest(wrong, stats.gamma(d, scale=sigma).cdf).pvalue < P_MIN


def test_r14_high_dimension_cifar_shape():
    """d = 3072 (CIFAR-10): ||z||_inf ~ Gamma(3072, sigma), E||z||_inf = d sigma (T15)."""
    d, sigma, n = 3072, 0.5, 3000
    g = make_generator("cpu", 7)
    z = sample_noise("exponential-linf", sigma, n, (3, 32, 32), "cpu", g)
    linf = z.abs().flatten(1).amax(1).double().numpy()
    assert stats.kstest(linf, stats.gamma(d, scale=sigma).cdf).pvalue > P_MIN
    # T15 mean within 6 standard errors (sd of Gamma(d) is sqrt(d) sigma)
    assert abs(linf.mean() - d * sigma) < 6 * np.sqrt(d) * sigma / np.sqrt(n)


@pytest.mark.parametrize("d,sigma", [(1, 0.25), (16, 1.0)])
def test_gaussian_marginal_and_linf(d, sigma):
    g = make_generator("cpu", 77 + d)
    z = sample_noise("gaussian", sigma, N, (d,), "cpu", g).double().numpy()
    assert stats.kstest(z[:, 0], stats.norm(0, sigma).cdf).pvalue > P_MIN
    linf = np.abs(z).max(axis=1)
    assert stats.kstest(linf, lambda t: (2 * stats.norm.cdf(t / sigma) - 1) ** d).pvalue > P_MIN
    assert stats.kstest(z[:, 0], stats.norm(0, 1.1 * sigma).cdf).pvalue < P_MIN  # able to fail


def test_seeded_reproducible_and_in_place():
    s = NoiseSampler("exponential-linf", 0.3, (3, 4, 4))
    a = s(50, make_generator("cpu", 3))
    buf = torch.empty(50, 3, 4, 4)
    b = s(50, make_generator("cpu", 3), out=buf)
    assert b.data_ptr() == buf.data_ptr() and torch.equal(a, b)
    assert not torch.equal(a, s(50, make_generator("cpu", 4)))
    assert a.dtype == torch.float32 and a.device.type == "cpu"


def test_example_seed_independent_of_order():
    assert example_seed(0, 5) == example_seed(0, 5)
    seeds = {example_seed(s, i) for s in range(3) for i in range(200)}
    assert len(seeds) == 600 and all(0 <= x < 2 ** 63 for x in seeds)


@pytest.mark.parametrize("bad", [dict(sigma=0.0), dict(sigma=-1.0), dict(sigma=float("nan")),
                                 dict(mechanism="laplace")])
def test_bad_arguments(bad):
    kw = dict(mechanism="gaussian", sigma=1.0, shape=(3,))
    kw.update(bad)
    with pytest.raises(ValueError, match="sigma|mechanism"):
        NoiseSampler(**kw)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_r14_on_cuda():
    d, sigma = 64, 0.5
    z = sample_noise("exponential-linf", sigma, N, (1, 8, 8), "cuda", make_generator("cuda", 11))
    assert z.device.type == "cuda"
    linf = z.abs().flatten(1).amax(1).double().cpu().numpy()
    assert stats.kstest(linf, stats.gamma(d, scale=sigma).cdf).pvalue > P_MIN


@pytest.mark.parametrize("mechanism", ["gaussian", "exponential-linf"])
def test_add_noise_is_x_plus_the_sampled_law(mechanism):
    """``add_noise`` (the path CERTIFY uses) is x + z with z exactly the draw ``__call__`` makes from the same
    generator state (so the law checks above apply to it), x broadcast over the batch, written into ``out``."""
    shape, batch = (3, 4, 5), 64
    s = NoiseSampler(mechanism, 0.4, shape)
    x = torch.rand(shape, generator=torch.Generator().manual_seed(0))
    z = s(batch, make_generator("cpu", 9))
    buf = torch.empty(batch, *shape)
    y = s.add_noise(x, batch, make_generator("cpu", 9), out=buf)
    assert y.data_ptr() == buf.data_ptr() and y.shape == (batch, *shape)
    assert torch.allclose(y - x, z, rtol=1e-5, atol=1e-5)
    assert not torch.allclose(y[0], y[1])  # a fresh draw per sample, not one draw broadcast
    # the per-sample radius scales the whole sample: ||y_i - x||_inf differs across samples (eq. 6)
    if mechanism == "exponential-linf":
        linf = (y - x).abs().flatten(1).amax(1)
        assert linf.unique().numel() == batch


# --- the fused one-pass sampler (issue 13; the GPU path, exact on the CPU too) --------------------------------


@pytest.mark.parametrize("d,sigma,shape", [(1, 0.5, (1,)), (8, 1.0, (2, 2, 2))])
def test_fused_r14_linf_norm_and_marginal(d, sigma, shape):
    """FusedNoise (RNG inside the compiled graph) draws the same law as R14: ||z||_inf ~ Gamma(d, sigma)
    and the one-coordinate marginal above (KS, p > 1e-6)."""
    f = FusedNoise("exponential-linf", sigma, shape)
    g = make_generator("cpu", 77 + d)
    m = 5000
    x = torch.full(shape, 0.3)
    z = (f.add_noise(x, m, g) - x).reshape(m, d).double().numpy()
    linf = np.abs(z).max(axis=1)
    assert stats.kstest(linf, stats.gamma(d, scale=sigma).cdf).pvalue > P_MIN
    cdf = _signed_cdf(lambda t: _abs_marginal_cdf_exp(t, d, sigma))
    assert stats.kstest(z[:, 0], cdf).pvalue > P_MIN
    # and can fail: the Gaussian of the same sigma is rejected as R14's l_inf law
    zg = FusedNoise("gaussian", sigma, shape).sample(m, g).reshape(m, d).double().numpy()
    assert stats.kstest(np.abs(zg).max(axis=1), stats.gamma(d, scale=sigma).cdf).pvalue < P_MIN


def test_fused_gaussian_law_and_seeding():
    sigma, shape, m = 0.7, (2, 3), 4000
    f = FusedNoise("gaussian", sigma, shape)
    z = f.sample(m, seed=5).reshape(m, 6).double().numpy()
    assert stats.kstest(z[:, 4], stats.norm(scale=sigma).cdf).pvalue > P_MIN
    assert stats.kstest(z[:, 4], stats.norm(scale=1.2 * sigma).cdf).pvalue < P_MIN  # a wrong sigma is rejected
    # deterministic in the seed / generator; fresh noise per call; the global RNG is left alone
    # (one batch size throughout: each new size is a new compilation)
    assert torch.equal(f.sample(m, seed=5), f.sample(m, seed=5))
    assert not torch.equal(f.sample(m, seed=5), f.sample(m, seed=6))
    g1, g2 = make_generator("cpu", 3), make_generator("cpu", 3)
    a, b = f.sample(m, g1), f.sample(m, g1)
    assert torch.equal(a, f.sample(m, g2)) and not torch.equal(a, b)
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    f.sample(m, seed=1)
    assert torch.equal(torch.rand(3), before)


def test_batch_seeds_distinct():
    seeds = {batch_seed(12345, i) for i in range(10000)}
    assert len(seeds) == 10000 and all(0 <= s < 2 ** 62 for s in seeds)


# --- the sampler registry, keyed by the noise table's sampler key (issue 22 item 1) -----------------------------

def test_registry_is_the_tables_sampler_keys():
    """Every sampler key of the table has a torch sampler; MECHANISMS / FLOAT_MECHANISMS are the table's."""
    import empirical.noise as EN
    from theory import noises

    assert EN.MECHANISMS == ("gaussian", "exponential-linf", "gaussian-lattice")   # the former hand-written lists
    assert EN.FLOAT_MECHANISMS == ("gaussian", "exponential-linf")
    for name in noises.sampler_keys():
        assert noises.sampler_key(name) in EN.SAMPLERS, name
    assert type(NoiseSampler("gaussian", 1.0, (2,))) is EN.GaussianSampler
    assert type(EN.make_sampler("gaussian-lattice", 0.25, (1, 2, 2))) is EN.LatticeGaussianSampler
    for bad in (NoiseSampler, FusedNoise):
        with pytest.raises(ValueError, match="drawn by LatticeGaussianSampler .integer composition"):
            bad("gaussian-lattice", 0.25, (1, 2, 2))
    with pytest.raises(ValueError, match="mechanism must be one of"):
        EN.make_sampler("laplace", 1.0, (2,))       # a noise of the table with no torch sampler


@pytest.mark.usefixtures("toy_noise")
def test_a_noise_is_one_file_on_the_torch_side():
    """The toy noise of tests/theory/test_noises.py (one file, ``sampler_key=noises.HOST``, a numpy ``sample``)
    is a mechanism of empirical.noise, drawn with its law (KS against Laplace(0, sigma), p > 1e-6, and a wrong scale
    rejected), seeded, and certified by Smooth with its own primary certificate and TSV column."""
    import empirical.core as core
    import empirical.noise as EN
    from theory import noises

    assert "toy" in EN.MECHANISMS and "toy" in EN.FLOAT_MECHANISMS and EN.check_mechanism("toy") == "toy"
    assert EN.sampler_factory("toy") is EN.SAMPLERS[noises.HOST] is EN.HostSampler
    sigma, shape, m = 0.7, (2, 3), 4000
    s = NoiseSampler("toy", sigma, shape)
    assert isinstance(s, EN.HostSampler) and s.mechanism == "toy"
    z = s(m, make_generator("cpu", 5))
    assert z.shape == (m, *shape) and z.dtype == torch.float32
    flat = z.reshape(-1).double().numpy()
    assert stats.kstest(flat, stats.laplace(scale=sigma).cdf).pvalue > P_MIN
    assert stats.kstest(flat, stats.laplace(scale=1.1 * sigma).cdf).pvalue < P_MIN    # able to fail
    assert torch.equal(z, s(m, make_generator("cpu", 5)))                              # seeded
    x = torch.rand(shape, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(s.add_noise(x, m, make_generator("cpu", 5)) - x, z, atol=1e-6)
    with pytest.raises(ValueError, match="no fused one-pass sampler"):
        FusedNoise("toy", sigma, shape)
    # the float32 range check reads the toy's tail_bound (700 sigma): 1e36 * 700 > float32 max
    from empirical.certify import check_sigma_range

    assert check_sigma_range("toy", 1e35, 6, n=200, alpha=0.001) == 1e35
    with pytest.raises(ValueError, match="sigma must be <= 4.86e.35 for toy noise"):
        check_sigma_range("toy", 1e36, 6, n=200, alpha=0.001)
    # CERTIFY: a constant classifier, nA = n, so pA_lower = alpha^(1/n) (Clopper-Pearson, one-sided) and the radius
    # is the toy's l1 certificate -sigma log(2 (1 - pA_lower)) (Laplace, Teng et al. 2020)
    assert core.PRIMARY_CERTIFICATE["toy"] == "toy-l1" and core.radius_mechanism("toy") == "toy"

    class Constant(torch.nn.Module):
        def forward(self, x):
            return torch.tensor([0.0, 1.0, 0.0]).expand(x.shape[0], 3)

    n, alpha = 200, 0.001
    out = core.Smooth(Constant(), 3, "toy", sigma).certify(x, 10, n, alpha, 100, make_generator("cpu", 1))
    want = -sigma * np.log(2 * (1 - alpha ** (1 / n)))
    assert out.prediction == 1 and out.radius == pytest.approx(want, rel=1e-9)
    assert out.radii == {"radius_toy_l1": pytest.approx(want, rel=1e-9)}


@pytest.mark.parametrize("make", [lambda shape: NoiseSampler("gaussian", 1.0, shape),
                                  lambda shape: NoiseSampler("exponential-linf", 1.0, shape),
                                  lambda shape: LatticeGaussianSampler(1.0, shape)],
                         ids=["gaussian", "exponential-linf", "gaussian-lattice"])
def test_samplers_refuse_an_empty_shape_naming_d(make):
    """A shape with a zero extent has d = 0: every sampler refuses it with a ValueError naming d; d is the product."""
    with pytest.raises(ValueError, match="d must be an integer >= 1, got 0"):
        make((3, 0, 2))
    assert make((3, 2, 2)).d == 12
