"""Independent reference computations used by the claim checks (closed forms and mpmath oracles).

These are *oracles*: short, textbook formulas evaluated by a different route (mpmath at high precision,
or a closed form from another paper) against which the project's modules are compared.  They do not
replace :mod:`theory.divergences`, :mod:`theory.mechanisms` or :mod:`theory.certificates`.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
from scipy import integrate, optimize, special

# ----------------------------------------------------------------------------------------------------
# Gaussian mechanism: privacy profile (Balle & Wang 2018, Thm 8) and privacy-loss law
# ----------------------------------------------------------------------------------------------------

def gaussian_delta(eps: float, mu: float, dps: int = 40) -> float:
    """Exact privacy profile of the Gaussian mechanism with ``mu = Delta/sigma`` (Balle & Wang 2018, Thm 8):

        delta(eps) = Phi(-eps/mu + mu/2) - e^eps * Phi(-eps/mu - mu/2).

    Evaluated with mpmath at ``dps`` digits (the difference cancels badly in floating point).
    """
    with mp.workdps(dps):
        e, m = mp.mpf(eps), mp.mpf(mu)
        val = mp.ncdf(-e / m + m / 2) - mp.exp(e) * mp.ncdf(-e / m - m / 2)
        return float(max(val, mp.mpf(0)))


def gaussian_loss_tail(t: float, rho: float) -> float:
    """P[L > t] for the privacy loss L = log p(Y)/q(Y), Y ~ N(x, s^2 I), q = N(x', s^2 I),
    ||x - x'||^2 / (2 s^2) = rho: L ~ N(rho, 2 rho), so P[L > t] = Phi(-(t - rho)/sqrt(2 rho))."""
    return float(special.ndtr(-(t - rho) / math.sqrt(2.0 * rho)))


def log_halfspace_ratio(t: float, mu: float) -> float:
    """log P(S)/Q(S) for the half-space S = {y : <y - x, u> >= t sigma}, u = (x - x')/||x - x'||,
    P = N(x, s^2 I), Q = N(x', s^2 I), mu = ||x - x'||/s:  log Phibar(t) - log Phibar(t + mu)
    (log space: scipy.special.log_ndtr)."""
    return float(special.log_ndtr(-t) - special.log_ndtr(-(t + mu)))


# ----------------------------------------------------------------------------------------------------
# Randomized response: the extreme pair of pure eps-DP (Kairouz, Oh & Viswanath 2015)
# ----------------------------------------------------------------------------------------------------

def rr_renyi(eps: float, alpha: float) -> float:
    """D_alpha(P||Q) for P = (e^eps, 1)/(1+e^eps), Q = (1, e^eps)/(1+e^eps):

        D_alpha = 1/(alpha-1) * log[(e^{alpha eps} + e^{(1-alpha) eps}) / (1 + e^eps)],

    alpha -> 1: KL = eps * tanh(eps/2); alpha = inf: eps.  (mpmath, 50 digits.)"""
    with mp.workdps(50):
        e = mp.mpf(eps)
        if alpha == math.inf:
            return float(e)
        a = mp.mpf(alpha)
        if abs(a - 1) < mp.mpf("1e-30"):
            return float(e * mp.tanh(e / 2))
        num = mp.log(mp.exp(a * e) + mp.exp((1 - a) * e)) - mp.log(1 + mp.exp(e))
        return float(num / (a - 1))


def rr_dmr(eps: float) -> tuple[float, float]:
    """DMR of randomized response = sup_{alpha > 1} D_alpha/alpha (value, argmax; argmax 1.0 means the
    supremum is the limit alpha -> 1+).  Since every pair with D_inf <= eps both ways is a post-processing
    of this pair (Kairouz et al. 2015), this is the exact worst case of the pure-DP -> DMR conversion."""
    def f(la: float) -> float:
        return -rr_renyi(eps, 1.0 + math.exp(la)) / (1.0 + math.exp(la))

    grid = np.linspace(-30, 12, 169)
    vals = [f(g) for g in grid]
    i = int(np.argmin(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    best, arg = -res.fun, 1.0 + math.exp(res.x)
    kl = rr_renyi(eps, 1.0)
    if kl >= best - 1e-15:
        return kl, 1.0
    return best, arg


# ----------------------------------------------------------------------------------------------------
# Gaussian maxima
# ----------------------------------------------------------------------------------------------------

def expected_max_abs_gaussian(d: int) -> float:
    """E max_i |g_i|, g ~ N(0, I_d), by quadrature of the tail:  int_0^inf 1 - (1 - 2 Phibar(t))^d dt
    (log space: log1p of -2 Phibar; scipy.integrate.quad on [0, 40])."""

    def tail(t: float) -> float:
        lp = math.log(2.0) + special.log_ndtr(-t)          # log P(|g| > t)
        return -math.expm1(d * math.log1p(-math.exp(lp))) if lp < 0 else 1.0

    edges = [0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 12.0, 40.0]
    return float(sum(integrate.quad(tail, a, b, limit=200, epsabs=1e-13, epsrel=1e-12)[0]
                     for a, b in zip(edges[:-1], edges[1:], strict=True)))


def expected_max_abs_gaussian_mp(d: int, dps: int = 30) -> float:
    """Same as :func:`expected_max_abs_gaussian` with mpmath quadrature (oracle, small/moderate d)."""
    with mp.workdps(dps):
        f = lambda t: 1 - mp.erf(t / mp.sqrt(2)) ** d  # noqa: E731
        return float(mp.quad(f, [0, 1, 2, 3, 4, 5, 6, 8, 12, 40]))


def expected_l2_norm_gaussian(d: int) -> float:
    """E ||g||_2 = sqrt(2) Gamma((d+1)/2)/Gamma(d/2) (chi distribution), via gammaln."""
    return float(math.sqrt(2.0) * math.exp(special.gammaln((d + 1) / 2) - special.gammaln(d / 2)))


def clipped_gaussian_linf_error(side: float, sigma: float, d: int) -> float:
    """E || clip(0 + z, [0, side]^d) - 0 ||_inf for z ~ N(0, sigma^2 I_d) (the corner x = 0):
    int_0^side 1 - Phi(t/sigma)^d dt."""
    f = lambda t: -math.expm1(d * special.log_ndtr(t / sigma))  # noqa: E731
    return float(integrate.quad(f, 0.0, side, limit=200)[0])


def clipped_exponential_linf_error(side: float, sigma: float, d: int) -> float:
    """E || clip(0 + z, [0, side]^d) ||_inf for eq.-6 noise z (R14: R ~ Gamma(d+1, sigma), z | R uniform
    on [-R, R]^d).  Given R, each clipped coordinate exceeds t (0 <= t < side) with prob (R - t)/(2R)
    when R > t; so P(max > t | R) = 1 - (1 - (R - t)_+/(2R))^d; integrate over t in [0, side] and R."""

    def inner(R: float) -> float:
        g = lambda t: -math.expm1(d * math.log1p(-max(R - t, 0.0) / (2 * R))) if R > t else 0.0  # noqa: E731
        return float(integrate.quad(g, 0.0, min(side, R), limit=100)[0])

    def dens(R: float) -> float:
        return math.exp((d) * math.log(R) - R / sigma - special.gammaln(d + 1) - (d + 1) * math.log(sigma))

    mean, sd = (d + 1) * sigma, math.sqrt(d + 1) * sigma
    lo, hi = max(mean - 12 * sd, 1e-300), mean + 12 * sd
    return float(integrate.quad(lambda R: dens(R) * inner(R), lo, hi, limit=200)[0])
