"""The eq.-6 quadrature engine: Rényi divergence D_alpha (and KL) of the l_inf-exponential mechanism.

Eq. (6) of the paper: p(z) = exp(-||z||_inf/sigma) / (2^d sigma^d d!).  For d > 1, D_alpha(P || Q) at a
shift delta has no closed form; it is computed here from the R14 representation of the noise
(R ~ Gamma(d+1, scale sigma), z | R ~ Uniform([-R, R]^d)) as a two-dimensional integral over the radius s
and the l_inf level tau, by composite Gauss-Legendre rules (``method="gl"``, vectorised) or nested
adaptive ``scipy.integrate.quad`` with error control (``method="quad"``).  The derivation is in the
docstrings of :func:`expo_renyi` and its helpers; :class:`theory.mechanisms.ExponentialLinf` is the
public interface (``ExponentialLinf(sigma, d).renyi(alpha, shift)``).

Examples
--------
>>> from theory.eq6_quadrature import expo_renyi
>>> from theory.divergences import laplace_renyi_1d
>>> d2 = expo_renyi(((0.5, 2),), 2, 1.0, 2.0, 1e-10)   # d = 2, corner shift ||delta||_inf = 0.5, alpha = 2
>>> 0 < d2 < 0.5                                        # below D_inf = ||delta||_inf / sigma (T13)
True
>>> expo_renyi(((0.5, 1),), 1, 1.0, 2.0, 1e-10) == laplace_renyi_1d(2.0, 0.5)   # d = 1 is Laplace(sigma)
True
"""

from __future__ import annotations

import itertools
import math
import warnings
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, stats

from theory.divergences import laplace_renyi_1d  # eq. 6 in d = 1 is Laplace(sigma)

__all__ = ["expo_renyi"]

#: a shift as ((|delta_i| value, how many coordinates have it), ...)
Groups = tuple[tuple[float, int], ...]


def _G(s: float, v: float, t: float) -> float:
    """|[-s, s] cap [v - t, v + t]| / (2s) for v >= 0, t >= 0."""
    hi = min(s, v + t)
    lo = max(-s, v - t)
    return max(0.0, hi - lo) / (2.0 * s)


@lru_cache(maxsize=4096)
def _expo_renyi(groups: Groups, d: int, sigma: float, a: float, epsrel: float, method: str = "gl") -> float:
    """Eq.-6 D_alpha (or KL for a = 1) at a shift given by ``groups`` = ((|delta_i| value, count), ...).

    method "gl" (default, fast, vectorised): composite Gauss-Legendre in s and in tau = t - s, see
    :func:`_expo_renyi_gl`; method "quad": nested adaptive scipy quad with error control
    ``epsrel`` (slow, the reference the fast path is tested against).

    Limits handled before any quadrature: d = 1 is Laplace(sigma), whose closed form
    (:func:`laplace_renyi_1d`, Mironov 2017) is exact for tiny and huge shifts; and when
    (alpha - 1) ||delta||_inf / sigma > 1e15 the result is the D_inf limit ||delta||_inf / sigma:
    D_alpha = ||delta||_inf/sigma + log(E[e^{c(T-b)}])/(alpha-1), c = (alpha-1)/sigma, with |log E| =
    O(log(c d)), a correction below ~1e-13 relative that double precision cannot resolve there
    (1 - total underflows)."""
    live = [(float(v), int(m)) for v, m in groups if m > 0]
    rinf = max(v for v, _ in live) if live else 0.0
    if d == 1 and rinf > 0:
        return laplace_renyi_1d(a, rinf / sigma)
    if a > 1.0 and (a - 1.0) * rinf / sigma > 1e15:
        return rinf / sigma
    if method == "gl":
        return _expo_renyi_gl(groups, d, sigma, a)
    # QUADPACK may warn "roundoff error" when the requested epsrel is below what the integrand's
    # rounding allows (very large alpha); the result is still accurate to ~1e-13 (checked against
    # the d = 1 Laplace closed form at alpha = 1e6 and by Monte Carlo in tests), so the warning
    # is silenced here rather than shown to every caller.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return _expo_renyi_impl(groups, d, sigma, a, epsrel)


_GL_OUTER = np.polynomial.legendre.leggauss(32)
_GL_INNER = np.polynomial.legendre.leggauss(40)
_S_LEVELS = (1e-9, 1e-4, 0.02, 0.2, 0.5, 0.8, 0.98)
_S_UPPER = (1e-4, 1e-9, 1e-17)  # survival levels


def _expo_renyi_gl(groups: Groups, d: int, sigma: float, a: float) -> float:
    """Fast route for eq.-6 D_alpha, same formulas as :meth:`ExponentialLinf.renyi`, written in
    tau = t - s (so that 1 - G_w = [(-v-tau)^+ + (v-tau)^+]/(2s) is computed without cancellation,
    which keeps d up to 1e9 accurate):
        len_w(tau) = 2s - (-v_w - tau)^+ - (v_w - tau)^+   (then G_w = len_w^+/(2s)),
        J_face(s) = int_{tau_lo}^{rinf} c e^{c(tau - rinf)} prod_w G_w^{m'_w} dtau.
    Inner: the integrand is log-concave and increasing in tau, so on each piece (between the
    kinks -v_w, v_w, v_w - 2s, -s) it decays to the left at least like e^{-kappa u} with kappa its
    log-slope at the right end; Gauss-Legendre (40 nodes) on the window [x1 - min(L, 45/kappa), x1]
    (neglected mass < e^{-45} relative).  Outer: Gauss-Legendre (32 nodes) on segments of
    s ~ Gamma(d, sigma) cut at quantiles and at the kinks s in {v_w, (v_w +- v_x)/2}.
    Agreement with the adaptive nested-quad route and with Monte Carlo is tested."""
    groups = tuple((float(v), int(m)) for v, m in groups if m > 0)
    rinf = max(v for v, _ in groups)
    if rinf == 0:
        return 0.0
    kl = a == 1.0
    c = 0.0 if kl else (a - 1.0) / sigma
    # outer nodes
    gam = stats.gamma(d, scale=sigma)
    edges = {float(gam.ppf(q)) for q in _S_LEVELS} | {float(gam.isf(q)) for q in _S_UPPER}
    edges.add(0.0 if d == 1 else float(gam.ppf(1e-17)))
    vs = [v for v, _ in groups]
    for v in vs:
        edges.add(v)
        for u in vs:
            edges.add((v + u) / 2)
            edges.add(abs(v - u) / 2)
    lo_e, hi_e = min(edges), max(edges)
    lo_e = 0.0 if d == 1 else float(gam.ppf(1e-17))
    hi_e = float(gam.isf(1e-17))
    E = np.array(sorted(e for e in edges if lo_e <= e <= hi_e))
    y, w = _GL_OUTER
    h = np.diff(E)[:, None] / 2.0
    S = (E[:-1, None] + h * (y[None, :] + 1.0)).ravel()
    WS = (h * w[None, :]).ravel()
    keep = S > 0
    S, WS = S[keep], WS[keep]
    logg = _log_gamma_pdf(S, d, sigma)
    Jbar = np.zeros_like(S)
    for ui, (vu, mu) in enumerate(groups):
        mexp = [(vw, mw - 1 if wi == ui else mw) for wi, (vw, mw) in enumerate(groups)]
        mexp = [(vw, m) for vw, m in mexp if m > 0]
        for sign in (+1, -1):
            a_tau = (np.abs(S - vu) - S) if sign > 0 else np.full_like(S, vu)
            Jbar += (mu / (2.0 * d)) * _face_gl(S, a_tau, mexp, rinf, c, kl)
    total = float(np.sum(WS * np.exp(logg) * Jbar))
    if kl:
        return max(0.0, rinf / sigma - total / sigma)
    return max(0.0, rinf / sigma + math.log1p(-total) / (a - 1.0))


def _log1pmx(x: ArrayLike) -> np.ndarray:
    """log1p(x) - x without cancellation (series for |x| < 0.1)."""
    x = np.asarray(x, dtype=float)
    out = np.log1p(x) - x
    small = np.abs(x) < 0.1
    if np.any(small):
        xs = x[small]
        acc = np.zeros_like(xs)
        for k in range(24, 1, -1):  # sum_{k>=2} (-1)^{k+1} x^k / k, Horner
            acc = ((-1.0) ** (k + 1)) / k + xs * acc
        out[small] = acc * xs * xs
    return np.asarray(out, dtype=float)


def _log_gamma_pdf(s: ArrayLike, d: int, sigma: float) -> np.ndarray:
    """log density of Gamma(shape d, scale sigma) at s > 0, stable for huge d:
    with s = d sigma (1 + x):  -log(sigma) - 0.5 log(2 pi d) - R(d) + d log1pmx(x) - log1p(x),
    R(d) = lgamma(d) - [(d - 1/2) log d - d + log(2 pi)/2] = 1/(12d) - 1/(360 d^3) + 1/(1260 d^5)
    (Stirling, exact to double precision for d >= 1e3).  Small d: the direct formula."""
    s = np.asarray(s, dtype=float)
    if d < 1000:
        return np.asarray((d - 1) * np.log(s) - s / sigma - (math.lgamma(d) + d * math.log(sigma)), dtype=float)
    x = (s - d * sigma) / (d * sigma)
    R = 1.0 / (12 * d) - 1.0 / (360 * d ** 3) + 1.0 / (1260 * d ** 5)
    return -math.log(sigma) - 0.5 * math.log(2 * math.pi * d) - R + d * _log1pmx(x) - np.log1p(x)


def _face_gl(S: np.ndarray, a_tau: np.ndarray, mexp: list[tuple[float, int]], rinf: float, c: float,
             kl: bool) -> np.ndarray:
    """Vectorised over s: J (or int F for KL) for one face type; see :func:`_expo_renyi_gl`."""
    n = S.size
    lo = np.maximum(a_tau, -S)
    for vw, _ in mexp:
        lo = np.maximum(lo, vw - 2 * S)
    bps = [lo, np.full(n, rinf)]
    for vw, _ in mexp:
        for bp in (np.full(n, -vw), np.full(n, vw), vw - 2 * S):
            bps.append(np.clip(bp, lo, rinf))
    B = np.sort(np.stack(bps, axis=1), axis=1)  # (n, K)
    x0, x1 = B[:, :-1], B[:, 1:]
    L = x1 - x0
    mid = (x0 + x1) / 2

    def log_len(tau: np.ndarray, vw: float, S_: np.ndarray) -> np.ndarray:
        frac = (np.maximum(-vw - tau, 0) + np.maximum(vw - tau, 0)) / (2 * S_)  # 1 - G_w
        return np.asarray(np.log1p(-np.minimum(frac, 1.0)), dtype=float)

    S2 = S[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        # log-slope at the right end of each piece (indicators from the midpoint: constant on a piece)
        kappa = np.full(x1.shape, c)
        dead = np.zeros(x1.shape, bool)
        for vw, m in mexp:
            ln1 = 2 * S2 - np.maximum(-vw - x1, 0) - np.maximum(vw - x1, 0)
            dl = (mid < -vw).astype(float) + (mid < vw).astype(float)
            kappa = kappa + m * dl / np.where(ln1 > 0, ln1, np.inf)
            dead |= ln1 <= 0
        Wn = np.where(kappa > 0, np.minimum(L, 45.0 / np.where(kappa > 0, kappa, 1.0)), L)
        y, w = _GL_INNER
        off = Wn[..., None] * (y + 1.0) / 2.0  # offsets to the left of x1
        T = x1[..., None] - off
        logF = np.zeros(T.shape)
        S3 = S[:, None, None]
        for vw, m in mexp:
            logF = logF + m * log_len(T, vw, S3)
        if kl:
            vals = np.exp(logF)
        else:
            vals = c * np.exp(c * (T - rinf) + logF)
        vals = np.where(np.isfinite(vals), vals, 0.0)
        piece = np.sum(vals * w, axis=-1) * Wn / 2.0
        piece = np.where((L > 0) & ~dead, piece, 0.0)
    return np.asarray(piece.sum(axis=1), dtype=float)


def _expo_renyi_impl(groups: Groups, d: int, sigma: float, a: float, epsrel: float) -> float:
    groups = tuple((v, m) for v, m in groups if m > 0)
    rinf = max(v for v, _ in groups)
    if rinf == 0:
        return 0.0
    kl = a == 1.0
    c = (a - 1.0) / sigma

    def inner(s: float) -> float:
        tot = 0.0
        for ui, (_vu, mu) in enumerate(groups):
            w = mu / (2.0 * d)
            tot += w * (_face_integral(groups, rinf, c, kl, epsrel, s, ui, +1)
                        + _face_integral(groups, rinf, c, kl, epsrel, s, ui, -1))
        return tot

    spts = _radial_breakpoints(groups, d, sigma)
    lg_norm = math.lgamma(d) + d * math.log(sigma)

    def logg(s: float) -> float:  # Gamma(d, sigma) log-density
        return (d - 1) * math.log(s) - s / sigma - lg_norm

    def outer(s: float) -> float:
        if s <= 0:
            return 0.0
        return math.exp(logg(s)) * inner(s)

    tot = 0.0
    for x0, x1 in itertools.pairwise(spts):
        tot += integrate.quad(outer, x0, x1, epsabs=0.0, epsrel=epsrel, limit=200)[0]
    if kl:
        return max(0.0, rinf / sigma - tot / sigma)
    return max(0.0, rinf / sigma + math.log1p(-tot) / (a - 1.0))


def _face_integral(groups: Groups, rinf: float, c: float, kl: bool, epsrel: float, s: float, u_idx: int,
                   sign: int) -> float:
    """The integral over the face ``sign`` e_u of the l_inf sphere of radius ``s`` (coordinate group ``u_idx``)
    of prod G (KL) or c e^{c(t - b)} prod G (Renyi), split at the kinks of G and concentrated near b."""
    vu, _ = groups[u_idx]
    b = s + rinf
    aa = abs(s - vu) if sign > 0 else s + vu
    if aa >= b:
        return 0.0
    # lower end of support of prod G: G_w > 0 iff t > vw - s
    lo = max([aa] + [vw - s for vw, _ in groups])
    lo = max(lo, 0.0)
    if lo >= b:
        return 0.0
    pts = set()
    for vw, _ in groups:
        for k in (abs(s - vw), s + vw, vw - s):
            if lo < k < b:
                pts.add(k)

    def logF(t: float) -> float:
        tot = 0.0
        for w, (vw, mw) in enumerate(groups):
            m = mw - 1 if w == u_idx else mw
            if m == 0:
                continue
            g = _G(s, vw, t)
            if g <= 0:
                return -math.inf
            tot += m * math.log(g)
        return tot

    def fun(t: float) -> float:
        if kl:
            return math.exp(logF(t))
        return c * math.exp(c * (t - b) + logF(t))

    edges = [lo] + sorted(pts) + [b]
    if not kl and c * (b - lo) > 50:  # concentrate points near b where e^{c(t-b)} lives
        for k in (50.0, 10.0, 1.0):
            x = b - k / c
            if edges[0] < x < edges[-1]:
                edges.append(x)
        edges = sorted(set(edges))
    tot = 0.0
    for x0, x1 in itertools.pairwise(edges):
        tot += integrate.quad(fun, x0, x1, epsabs=0.0, epsrel=epsrel, limit=200)[0]
    return tot


def _radial_breakpoints(groups: Groups, d: int, sigma: float) -> list[float]:
    """Where the outer integral over the l_inf radius s ~ Gamma(d, sigma) is split: its 1e-17 tails, the kinks of
    the inner integral (v, (v + w)/2, |v - w|/2) inside them and three quantiles."""
    gam = stats.gamma(d, scale=sigma)
    s_lo = float(gam.ppf(1e-17)) if d > 1 else 0.0
    s_hi = float(gam.isf(1e-17))
    kinks = {v for v, _ in groups} | {(v + w) / 2 for v, _ in groups for w, _ in groups} | \
        {abs(v - w) / 2 for v, _ in groups for w, _ in groups}
    return sorted(set([s_lo, s_hi] + [k for k in kinks if s_lo < k < s_hi] +
                      [float(gam.ppf(q)) for q in (1e-6, 0.5, 1 - 1e-6)]))


#: Public name of the engine's entry point (the private name stays for existing callers).
expo_renyi = _expo_renyi
