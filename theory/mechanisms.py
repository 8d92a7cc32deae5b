"""Smoothing mechanisms A(x) = x + Z of the paper and their divergences at a shift.

P = law of x + Z, Q = law of x + delta + Z; every divergence below is D(P||Q) (all four mechanisms
are symmetric, D(P||Q) = D(Q||P), because the noise law is symmetric: y -> delta - y maps P to Q).

* :class:`Gaussian` -- Z ~ N(0, sigma^2 I_d).  L22 (Bun & Steinke 2016, Lemma 2.5):
  D_alpha = alpha ||delta||_2^2 / (2 sigma^2); KL = ||delta||_2^2/(2 sigma^2); D_inf = inf (delta != 0);
  DMR = ||delta||_2^2/(2 sigma^2) attained at every alpha (T10).  Worst l_inf direction: a corner
  (||delta||_2 = r sqrt(d)), since D depends on ||delta||_2 only and ||delta||_2 <= sqrt(d) ||delta||_inf.
* :class:`ExponentialLinf` -- eq. (6): p(z) = exp(-||z||_inf/sigma) / (2^d sigma^d d!)
  (log-normaliser d log(2 sigma) + lgamma(d+1)); sampler R14: R ~ Gamma(d+1, scale sigma), then
  z ~ Uniform([-R, R]^d).  ||z||_inf ~ Gamma(shape d, scale sigma), so E||z||_inf = d sigma (T15).
  D_inf(shift delta) = ||delta||_inf/sigma exactly (T13, first part; triangle inequality, attained at
  z = 0).  D_alpha has no closed form for d > 1: computed by the numeric route described in
  :meth:`ExponentialLinf.renyi` (for d = 1 it coincides with Laplace(sigma)).
* :class:`Laplace` -- product of d Laplace(0, b).  Mironov (2017), Rényi DP, Prop. 6, per coordinate
  with shift x = |delta_i|/b:  D_alpha = 1/(alpha-1) log( alpha/(2alpha-1) e^{(alpha-1)x}
  + (alpha-1)/(2alpha-1) e^{-alpha x} );  KL = x + e^{-x} - 1;  D_inf = x; summed over coordinates.
* :class:`RandomizedResponse` -- binary: report the bit with probability p = e^eps/(1+e^eps).
  P = Bern(p), Q = Bern(1-p): D_alpha = 1/(alpha-1) [log(e^{alpha eps} + e^{(1-alpha) eps}) - log(1+e^eps)],
  KL = eps tanh(eps/2), D_inf = eps.

``shift`` is the size r >= 0 of delta in the given ``norm``; ``direction`` (optional, a length-d
vector) fixes delta = r * direction / ||direction||_norm; without it the worst-case direction of
:meth:`worst_case_direction` is used.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, special, stats

from theory import validate as V
from theory.divergences import DMRResult, dmr_from_renyi, laplace_renyi_1d
from theory.eq6_quadrature import _expo_renyi  # the eq.-6 quadrature engine

__all__ = ["Mechanism", "Gaussian", "ExponentialLinf", "Laplace", "RandomizedResponse", "MECHANISMS",
           "get_mechanism", "laplace_renyi_1d"]

_NORMS = ("l2", "linf")


@runtime_checkable
class Mechanism(Protocol):
    """What every smoothing mechanism A(x) = x + Z of this module provides (checked by tests/test_api.py).

    Divergences are D(P || Q) with P = law of x + Z and Q = law of x + delta + Z, where delta has size
    ``shift`` in ``norm`` ("l2" or "linf") along ``direction`` (default: the worst-case direction).
    The quantities are those of the paper's Table 1 and eq. (4)-(5): Rényi D_alpha (D4), KL (alpha = 1),
    D_inf (alpha = inf) and the maximal-Rényi DMR (D5).  A mechanism may accept further keyword-only
    options (e.g. the quadrature ``method`` of eq. 6).

    Examples
    --------
    >>> m = get_mechanism("gaussian", sigma=0.5, d=3)
    >>> isinstance(m, Mechanism), m.renyi(2.0, shift=1.0)    # L22: alpha r^2 / (2 sigma^2)
    (True, 4.0)
    """

    name: str
    #: which quantity has a closed form, and its source (None: computed numerically)
    closed_form: dict[str, str | None]

    def logpdf(self, z: Any) -> Any:
        """log density (or probability) of the noise at z."""

    def sample(self, rng: np.random.Generator, n: int) -> Any:
        """n independent noise draws (shape (n, d); randomized response: n outputs)."""

    def renyi(self, alpha: float, shift: float = ..., norm: str = ..., direction: Any = ...) -> float:
        """D_alpha(P || Q) (D4); alpha = 1 gives KL, alpha = inf gives D_inf."""

    def kl(self, shift: float = ..., norm: str = ..., direction: Any = ...) -> float:
        """KL(P || Q)."""

    def dinf(self, shift: float = ..., norm: str = ..., direction: Any = ...) -> float:
        """D_inf(P || Q) = sup log p/q."""

    def dmr(self, shift: float = ..., norm: str = ..., direction: Any = ...) -> DMRResult:
        """The maximal Rényi divergence of D5 with the order attaining it."""

    def worst_case_direction(self, norm: str = ...) -> Any:
        """The direction of delta maximising the divergence at a given size."""

    def expected_linf_norm(self) -> float:
        """E ||Z||_inf (the paper's noise magnitude, T15)."""

    def linf_norm_quantile(self, q: float) -> float:
        """The q-quantile of ||Z||_inf."""
_MAX_DIM = 2 ** 53  # beyond, d is not exact in float64 and numpy / scipy kernels overflow


def _dimension(d: Any) -> int:
    """V.dimension plus an upper bound: d integer in [1, 2**53]."""
    dim = V.dimension("d", d)
    if dim > _MAX_DIM:
        raise ValueError(f"d must be an integer in [1, 2**53], got {dim}")
    return dim


def _shift_vector(r: float, norm: str, direction: ArrayLike, d: int) -> np.ndarray:
    u = np.asarray(direction, dtype=float)
    if u.shape != (d,):
        raise ValueError(f"direction must be a vector of length d={d}, got shape {u.shape}")
    if not np.all(np.isfinite(u)):
        raise ValueError("direction must be finite")
    n = float(np.linalg.norm(u, 2 if norm == "l2" else np.inf))
    if not n > 0:
        raise ValueError("direction must be a non-zero vector")
    return r * u / n


def _check_common(alpha: Any, shift: Any, norm: str) -> tuple[float, float]:
    a = V.alpha_order("alpha", alpha)
    r = V.nonnegative("shift", shift)
    V.choice("norm", norm, _NORMS)
    return a, r


# ----------------------------------------------------------------------------------------------
# Gaussian
# ----------------------------------------------------------------------------------------------

class Gaussian:
    """Z ~ N(0, sigma^2 I_d) (T10, T18, L22).

    Examples
    --------
    >>> g = Gaussian(sigma=0.5, d=3)
    >>> g.renyi(2.0, shift=1.0), g.dinf(shift=1.0)     # L22: alpha r^2/(2 sigma^2); D_inf unbounded
    (4.0, inf)
    >>> round(g.expected_l2_norm(), 6)                 # sigma sqrt(2) Gamma(2) / Gamma(3/2)
    0.797885
    """

    name = "gaussian"
    closed_form = {
        "renyi": "L22 (Bun & Steinke 2016): D_alpha = alpha ||delta||_2^2 / (2 sigma^2)",
        "kl": "L22 at alpha=1: ||delta||_2^2/(2 sigma^2)",
        "dinf": "inf for delta != 0 (unbounded privacy loss)",
        "dmr": "||delta||_2^2/(2 sigma^2), attained at every alpha",
        "expected_l2_norm": "sigma sqrt(2) Gamma((d+1)/2)/Gamma(d/2)",
        "expected_linf_norm": None,  # 1-d quadrature of the survival function
    }

    def __init__(self, sigma: float = 1.0, d: int = 1) -> None:
        self.sigma = V.positive("sigma", sigma)
        self.d = _dimension(d)

    def __repr__(self) -> str:
        return f"Gaussian(sigma={self.sigma!r}, d={self.d})"

    def logpdf(self, z: ArrayLike) -> Any:
        z = np.asarray(z, dtype=float)
        if z.shape[-1] != self.d:
            raise ValueError(f"z must have last dimension d={self.d}, got shape {z.shape}")
        s = self.sigma
        return -0.5 * np.sum(z * z, axis=-1) / (s * s) - self.d * (math.log(s) + 0.5 * math.log(2 * math.pi))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        n = V.count("n", n, minimum=1)
        return rng.normal(0.0, self.sigma, size=(n, self.d))

    def worst_case_direction(self, norm: str = "l2") -> np.ndarray:
        """l2: any unit vector (D depends on ||delta||_2 only); linf: the corner (1, ..., 1)."""
        V.choice("norm", norm, _NORMS)
        if self.d > 10_000_000:
            raise ValueError(f"d={self.d} too large to materialise a direction vector")
        if norm == "l2":
            u = np.zeros(self.d)
            u[0] = 1.0
            return u
        return np.ones(self.d)

    def _l2_of_shift(self, r: float, norm: str, direction: ArrayLike | None) -> float:
        if direction is None:
            return r * (math.sqrt(self.d) if norm == "linf" else 1.0)
        return float(np.linalg.norm(_shift_vector(r, norm, direction, self.d)))

    def renyi(self, alpha: float, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> float:
        a, r = _check_common(alpha, shift, norm)
        l2 = self._l2_of_shift(r, norm, direction)
        if l2 == 0:
            return 0.0
        if math.isinf(a):
            return math.inf
        x = l2 / self.sigma
        return a * (x * x) / 2.0  # x * x, not x ** 2: overflow gives inf instead of OverflowError

    def kl(self, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> float:
        return self.renyi(1.0, shift, norm, direction)

    def dinf(self, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> float:
        return self.renyi(math.inf, shift, norm, direction)

    def dmr(self, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> DMRResult:
        _, r = _check_common(2.0, shift, norm)
        l2 = self._l2_of_shift(r, norm, direction)
        x = l2 / self.sigma
        return DMRResult(x * x / 2.0, None, None,
                         "closed form (L22): D_alpha/alpha = ||delta||_2^2/(2 sigma^2) for every alpha > 1",
                         True)

    # noise magnitude -------------------------------------------------------------------------
    def expected_l2_norm(self) -> float:
        """E||z||_2 = sigma sqrt(2) Gamma((d+1)/2) / Gamma(d/2) (chi distribution mean).  For d/2 >= 50
        the ratio is the asymptotic series sqrt(x)[1 - 1/(8x) + 1/(128x^2) + 5/(1024x^3)
        - 21/(32768x^4) - 399/(262144x^5) + 869/(4194304x^6)], x = d/2 (relative error < 2e-15; the
        difference of gammaln values loses ~1e-6 relative at d = 1e9)."""
        d = self.d
        x = d / 2.0
        if x < 50:
            ratio = math.exp(special.gammaln(x + 0.5) - special.gammaln(x))
        else:
            c = (1.0, -1 / 8, 1 / 128, 5 / 1024, -21 / 32768, -399 / 262144, 869 / 4194304)
            ratio = math.sqrt(x) * sum(ci / x ** i for i, ci in enumerate(c))
        return self.sigma * math.sqrt(2.0) * ratio

    def _log_cdf_max_abs(self, u: float) -> float:
        """log P(max_i |N(0,1)_i| <= u) = d log(1 - 2 Phi(-u)), accurate for small and large u."""
        u = float(u)
        if u <= 0:
            return -math.inf
        if u < 1.0:
            base = math.log(special.erf(u / math.sqrt(2.0)))
        else:
            base = math.log1p(-2.0 * math.exp(special.log_ndtr(-u)))
        return self.d * base

    def _std_linf_quantile(self, q: float) -> float:
        # F(u) = (1 - 2 Phi(-u))^d = q  =>  Phi(-u) = -expm1(log(q)/d)/2
        lq = math.log(q)
        x = -math.expm1(lq / self.d) / 2.0
        return -float(special.ndtri_exp(math.log(x)))

    def linf_norm_quantile(self, q: float) -> float:
        q = V.in_open_interval("q", q, 0.0, 1.0)
        return self.sigma * self._std_linf_quantile(q)  # Python floats: a huge sigma gives inf, no warning

    def l2_norm_quantile(self, q: float) -> float:
        q = V.in_open_interval("q", q, 0.0, 1.0)
        return self.sigma * math.sqrt(stats.chi2.ppf(q, self.d))

    def expected_linf_norm(self) -> float:
        """E||z||_inf = sigma * int_0^inf [1 - (2 Phi(u) - 1)^d] du, one 1-d quadrature (log space),
        split at the quantiles 1e-12, 0.5, 1-1e-12 of max_i |z_i|/sigma where the mass is.
        Accurate (relative ~1e-12) up to d = 1e9 and beyond."""
        def surv(u: float) -> float:
            return -math.expm1(self._log_cdf_max_abs(u)) if u > 0 else 1.0
        pts = [0.0] + [self._std_linf_quantile(q) for q in (1e-12, 0.5, 1 - 1e-12)]
        tot = 0.0
        for a, b in itertools.pairwise(pts):
            tot += integrate.quad(surv, a, b, epsabs=0, epsrel=1e-13, limit=200)[0]
        tot += integrate.quad(surv, pts[-1], math.inf, epsabs=0, epsrel=1e-13, limit=200)[0]
        return float(self.sigma * tot)


# ----------------------------------------------------------------------------------------------
# helpers: E||X||_2 via E sqrt(S) = (1/(2 sqrt(pi))) int_0^inf (1 - E e^{-tS}) t^{-3/2} dt
# ----------------------------------------------------------------------------------------------

def _expected_sqrt(log_mgf_neg: Callable[[float], float], scale_t: float) -> float:
    """E sqrt(S) for S >= 0 with log E e^{-tS} = log_mgf_neg(t) (Laplace-transform identity
    sqrt(s) = (1/(2 sqrt pi)) int_0^inf (1 - e^{-ts}) t^{-3/2} dt).  Integrated in u = log t around
    log(scale_t) (the t where the mass is, ~ 1/E S)."""
    c = math.log(scale_t)

    def f(u: float) -> float:
        t = math.exp(u)
        return -math.expm1(log_mgf_neg(t)) * math.exp(-0.5 * u)

    pts = [c - 60, c - 10, c - 2, c, c + 2, c + 10, c + 80]
    tot = 0.0
    for a, b in itertools.pairwise(pts):
        tot += integrate.quad(f, a, b, epsabs=0, epsrel=1e-12, limit=200)[0]
    return tot / (2.0 * math.sqrt(math.pi))


def _log_mgf_uniform_sq(t: float) -> float:
    """log E exp(-t U^2), U ~ Uniform[-1, 1]: log(sqrt(pi) erf(sqrt t) / (2 sqrt t)); series for small t."""
    if t < 1e-3:
        s = -t / 3 + t * t / 10 - t ** 3 / 42 + t ** 4 / 216 - t ** 5 / 1320
        return math.log1p(s)
    rt = math.sqrt(t)
    return math.log(special.erf(rt)) + 0.5 * math.log(math.pi) - math.log(2.0) - math.log(rt)


def _log_mgf_laplace_sq(t: float, b: float) -> float:
    """log E exp(-t Z^2), Z ~ Laplace(0, b): log( sqrt(pi) y erfcx(y) ), y = 1/(2 b sqrt t);
    asymptotic series sum_k (-tau)^k (2k)!/k!, tau = b^2 t, for tau < 1e-4."""
    tau = b * b * t
    if tau < 1e-4:
        s = -2 * tau + 12 * tau ** 2 - 120 * tau ** 3 + 1680 * tau ** 4 - 30240 * tau ** 5
        return math.log1p(s)
    y = 1.0 / (2.0 * b * math.sqrt(t))
    return math.log(math.sqrt(math.pi) * y * special.erfcx(y))


# ----------------------------------------------------------------------------------------------
# eq. (6): the l_inf-exponential mechanism
# ----------------------------------------------------------------------------------------------

class ExponentialLinf:
    """Eq. (6): p(z) proportional to exp(-||z||_inf / sigma) on R^d (T13, R14, T15, T16).

    Examples
    --------
    >>> m = ExponentialLinf(sigma=2.0, d=10)
    >>> m.expected_linf_norm(), m.dinf(shift=1.0)       # T15: d sigma; T13: ||delta||_inf / sigma
    (20.0, 0.5)
    >>> 0 < m.renyi(2.0, shift=1.0) < m.dinf(shift=1.0)  # eq.-6 quadrature (theory.eq6_quadrature)
    True
    """

    name = "exponential-linf"
    closed_form = {
        "normaliser": "eq. 6: Z = 2^d sigma^d d!  (log Z = d log(2 sigma) + lgamma(d+1))",
        "dinf": "T13: D_inf = ||delta||_inf / sigma (exact)",
        "renyi": None,  # numeric (two nested quadratures); d = 1 equals Laplace(sigma), Mironov 2017
        "kl": None,
        "dmr": None,
        "expected_linf_norm": "T15: d sigma (||z||_inf ~ Gamma(shape d, scale sigma))",
        "expected_l2_norm": None,  # (d+1) sigma E||U||_2, 1-d quadrature
    }

    def __init__(self, sigma: float = 1.0, d: int = 1) -> None:
        self.sigma = V.positive("sigma", sigma)
        self.d = _dimension(d)

    def __repr__(self) -> str:
        return f"ExponentialLinf(sigma={self.sigma!r}, d={self.d})"

    @property
    def log_normaliser(self) -> float:
        return self.d * math.log(2.0 * self.sigma) + math.lgamma(self.d + 1)

    def logpdf(self, z: ArrayLike) -> Any:
        z = np.asarray(z, dtype=float)
        if z.shape[-1] != self.d:
            raise ValueError(f"z must have last dimension d={self.d}, got shape {z.shape}")
        return -np.max(np.abs(z), axis=-1) / self.sigma - self.log_normaliser

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """R14: R ~ Gamma(shape d+1, scale sigma), then z ~ Uniform([-R, R]^d)."""
        n = V.count("n", n, minimum=1)
        R = rng.gamma(self.d + 1, self.sigma, size=n)
        return R[:, None] * rng.uniform(-1.0, 1.0, size=(n, self.d))

    # noise magnitude -------------------------------------------------------------------------
    def expected_linf_norm(self) -> float:
        """T15: E||z||_inf = d sigma (||z||_inf ~ Gamma(shape d, scale sigma))."""
        return self.d * self.sigma

    def linf_norm_quantile(self, q: float) -> float:
        q = V.in_open_interval("q", q, 0.0, 1.0)
        return float(stats.gamma.ppf(q, self.d, scale=self.sigma))

    def expected_l2_norm(self) -> float:
        """E||z||_2 = E[R] E||U||_2 = (d+1) sigma E||U||_2 (z = R U, R14), with
        E||U||_2 = (1/(2 sqrt pi)) int_0^inf (1 - (sqrt(pi) erf(sqrt t)/(2 sqrt t))^d) t^{-3/2} dt."""
        d = self.d
        eu = _expected_sqrt(lambda t: d * _log_mgf_uniform_sq(t), 3.0 / d)
        return (d + 1) * self.sigma * eu

    def l2_norm_quantile(self, q: float) -> float:
        raise NotImplementedError("l2-norm quantiles of eq. 6 have no implemented exact route "
                                  "(use Monte Carlo with the R14 sampler)")

    # divergences -----------------------------------------------------------------------------
    def dinf(self, shift: float = 1.0, norm: str = "linf", direction: ArrayLike | None = None) -> float:
        """T13: D_inf = ||delta||_inf / sigma (sup_z (||z - delta|| - ||z||)/sigma, attained at z=0).
        For an l2 shift of size r the worst case is an axis (||delta||_inf = r)."""
        _, r = _check_common(2.0, shift, norm)
        if direction is None:
            return r / self.sigma
        delta = _shift_vector(r, norm, direction, self.d)
        return float(np.max(np.abs(delta))) / self.sigma

    def _groups(self, r: float, norm: str, direction: ArrayLike | None,
                alpha: float = 2.0) -> tuple[tuple[float, int], ...]:
        if direction is None:
            k = self.worst_case_search(norm, alpha)[0]
            v = r if norm == "linf" else r / math.sqrt(k)
            return ((0.0, self.d - k), (v, k)) if k < self.d else ((v, self.d),)
        delta = _shift_vector(r, norm, direction, self.d)
        vals, counts = np.unique(np.abs(delta), return_counts=True)
        return tuple((float(v), int(c)) for v, c in zip(vals, counts, strict=True))

    def renyi(self, alpha: float, shift: float = 1.0, norm: str = "linf", direction: ArrayLike | None = None, *,
              method: str = "gl", epsrel: float = 1e-10) -> float:
        """D_alpha(P||Q) for eq. 6 at shift delta, numerically (any d, any delta).

        Route: condition on s = ||z||_inf ~ Gamma(d, sigma); given s, z is uniform on the surface
        of [-s, s]^d, i.e. on one of 2d faces {z_j = +-s} with the other coordinates iid
        Uniform[-s, s].  On face (j, +-): T = ||z - delta||_inf = max(|+-s - delta_j|, M_j),
        P(M_j <= t) = prod_{i != j} G_i(t),  G_i(t) = |[-s, s] cap [delta_i - t, delta_i + t]| / (2s).
        With b = s + ||delta||_inf >= T and c = (alpha-1)/sigma:
            E[e^{c(T-b)} | face] = 1 - J,   J = int_a^b c e^{c(t-b)} P(T <= t | face) dt,
            D_alpha = ||delta||_inf/sigma + log1p(- E_s[mean_faces J]) / (alpha - 1),
            KL      = ||delta||_inf/sigma - E_s[mean_faces int_a^b P(T <= t) dt] / sigma,
        (log1p form: no cancellation as alpha -> 1).  ``method="gl"`` (default): vectorised
        composite Gauss-Legendre (see ``_expo_renyi_gl``; ~10 ms, accurate to ~1e-13 relative,
        d up to 1e9); ``method="quad"``: nested adaptive scipy quad with ``epsrel`` and the kinks of
        G as break points (seconds; the reference).  Coordinates with equal |delta_i| are grouped,
        so the cost depends on the number of distinct |delta_i|, not on d.
        alpha = inf -> T13 closed form.  Validated in tests against d = 1 (Laplace closed form),
        a d = 2 mpmath route (inner integral in closed form, 30 digits) and Monte Carlo.
        """
        a, r = _check_common(alpha, shift, norm)
        if r == 0:
            return 0.0
        if math.isinf(a):
            return self.dinf(r, norm, direction)
        V.choice("method", method, ("gl", "quad"))
        groups = self._groups(r, norm, direction, a)
        return _expo_renyi(groups, self.d, self.sigma, a, float(epsrel), method)

    def kl(self, shift: float = 1.0, norm: str = "linf", direction: ArrayLike | None = None) -> float:
        return self.renyi(1.0, shift, norm, direction)

    def dmr(self, shift: float = 1.0, norm: str = "linf", direction: ArrayLike | None = None,
            n_grid: int = 25) -> DMRResult:
        """DMR (D5) by :func:`theory.divergences.dmr_from_renyi` on the numeric D_alpha (coarse grid:
        each D_alpha costs a 2-d quadrature); D_inf finite so D_alpha/alpha -> 0 as alpha -> inf.
        Without ``direction`` the D_2-worst direction of :meth:`worst_case_search` is used."""
        _, r = _check_common(2.0, shift, norm)
        if r == 0:
            return DMRResult(0.0, None, None, "shift 0: P = Q", True)
        groups = self._groups(r, norm, direction)
        f = lambda al: _expo_renyi(groups, self.d, self.sigma, al, 1e-9)  # noqa: E731
        res = dmr_from_renyi(f, dinf=r / self.sigma, log10_lam_min=-6, log10_lam_max=6, n_grid=n_grid,
                             xtol=1e-6)
        return DMRResult(res.value, res.alpha, res.limit, "numeric D_alpha (nested quad); " + res.method)

    def worst_case_direction(self, norm: str = "linf", alpha: float = 2.0,
                             candidates: Iterable[int] | None = None) -> Any:
        """Worst-case shift direction of size 1 in ``norm`` for D_alpha -- searched, not assumed.

        Candidates: k-sparse equal-magnitude directions (k coordinates shifted, the rest 0) for
        k in 1..d (log-spaced subset when d > 64); the maximiser of D_alpha is returned (as a
        dense vector; for huge d use :meth:`worst_case_search`).  For alpha = inf every l_inf
        direction ties (D_inf = ||delta||_inf/sigma); the corner is returned.
        """
        ks, _ = self.worst_case_search(norm, alpha, candidates)
        k = ks
        if self.d > 10_000_000:
            raise ValueError(f"d={self.d} too large to materialise a direction vector")
        u = np.zeros(self.d)
        u[:k] = 1.0
        return u

    def worst_case_search(self, norm: str = "linf", alpha: float = 2.0, candidates: Iterable[int] | None = None) -> Any:
        """Returns (k_best, {k: D_alpha}) over k-sparse equal-magnitude unit shifts (see above)."""
        V.choice("norm", norm, _NORMS)
        a = V.alpha_order("alpha", alpha)
        return _expo_worst(self.d, self.sigma, norm, a, tuple(candidates) if candidates else None)


@lru_cache(maxsize=256)
def _expo_worst(d: int, sigma: float, norm: str, a: float,
                candidates: tuple[int, ...] | None) -> tuple[int, dict[int, float]]:
    if candidates is None:
        if d <= 64:
            candidates = tuple(range(1, d + 1))
        else:
            candidates = tuple(sorted(set(int(round(x)) for x in np.geomspace(1, float(d), 24))))
    if math.isinf(a) and norm == "linf":
        return d, {k: 1.0 / sigma for k in candidates}
    vals = {}
    for k in candidates:
        v = 1.0 if norm == "linf" else 1.0 / math.sqrt(k)
        groups = ((0.0, d - k), (v, k)) if k < d else ((v, d),)
        vals[k] = (v / sigma) if math.isinf(a) else _expo_renyi(groups, d, sigma, a, 1e-9)
    kbest = max(vals, key=lambda k: vals[k])
    return kbest, vals


# ----------------------------------------------------------------------------------------------
# Laplace (product)
# ----------------------------------------------------------------------------------------------



class Laplace:
    """Z with iid Laplace(0, b) coordinates (Mironov 2017, Prop. 6; Lecuyer et al. 2019's PixelDP).

    Examples
    --------
    >>> m = Laplace(scale=1.0, d=1)
    >>> m.dinf(shift=1.0), round(m.kl(shift=1.0), 6)     # x and x + e^-x - 1 at x = 1
    (1.0, 0.367879)
    """

    name = "laplace"
    closed_form = {
        "renyi": "Mironov 2017 Prop. 6, summed over coordinates (additivity)",
        "kl": "sum_i x_i + e^{-x_i} - 1, x_i = |delta_i|/b",
        "dinf": "||delta||_1 / b",
        "dmr": None,  # grid + Brent search over the closed form
        "expected_linf_norm": "b H_d (max of d iid Exp(b))",
        "expected_l2_norm": None,
    }

    def __init__(self, scale: float = 1.0, d: int = 1) -> None:
        self.scale = V.positive("scale", scale)
        self.d = _dimension(d)

    @property
    def sigma(self) -> float:
        return self.scale

    def __repr__(self) -> str:
        return f"Laplace(scale={self.scale!r}, d={self.d})"

    def logpdf(self, z: ArrayLike) -> Any:
        z = np.asarray(z, dtype=float)
        if z.shape[-1] != self.d:
            raise ValueError(f"z must have last dimension d={self.d}, got shape {z.shape}")
        return -np.sum(np.abs(z), axis=-1) / self.scale - self.d * math.log(2 * self.scale)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        n = V.count("n", n, minimum=1)
        return rng.laplace(0.0, self.scale, size=(n, self.d))

    def _groups(self, r: float, norm: str, direction: ArrayLike | None) -> tuple[tuple[float, int], ...]:
        if direction is None:
            if norm == "linf":
                return ((r, self.d),)
            k = self.worst_case_search("l2")[0]
            return ((r / math.sqrt(k), k),)
        delta = _shift_vector(r, norm, direction, self.d)
        vals, counts = np.unique(np.abs(delta), return_counts=True)
        return tuple((float(v), int(c)) for v, c in zip(vals, counts, strict=True))

    def renyi(self, alpha: float, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> float:
        a, r = _check_common(alpha, shift, norm)
        if r == 0:
            return 0.0
        if direction is None and norm == "l2":
            k = self.worst_case_search("l2", a)[0]
            groups: tuple[tuple[float, int], ...] = ((r / math.sqrt(k), k),)
        else:
            groups = self._groups(r, norm, direction)
        return float(sum(m * laplace_renyi_1d(a, v / self.scale) for v, m in groups))

    def kl(self, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> float:
        return self.renyi(1.0, shift, norm, direction)

    def dinf(self, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> float:
        return self.renyi(math.inf, shift, norm, direction)

    def dmr(self, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> DMRResult:
        _, r = _check_common(2.0, shift, norm)
        if r == 0:
            return DMRResult(0.0, None, None, "shift 0: P = Q", True)
        groups = self._groups(r, norm, direction)
        def f(a: float) -> float:
            return float(sum(m * laplace_renyi_1d(a, v / self.scale) for v, m in groups))

        dinf = f(math.inf)
        res = dmr_from_renyi(f, dinf=dinf)
        return DMRResult(res.value, res.alpha, res.limit, "closed form (Mironov 2017); " + res.method)

    def worst_case_direction(self, norm: str = "l2", alpha: float = 2.0) -> Any:
        """linf: the corner (D = sum_i f(|delta_i|), f increasing: exact).  l2: searched over
        k-sparse equal-magnitude unit vectors (k = 1..d, log-spaced when d is large)."""
        V.choice("norm", norm, _NORMS)
        if self.d > 10_000_000:
            raise ValueError(f"d={self.d} too large to materialise a direction vector")
        if norm == "linf":
            return np.ones(self.d)
        k = self.worst_case_search("l2", alpha)[0]
        u = np.zeros(self.d)
        u[:k] = 1.0
        return u

    def worst_case_search(self, norm: str = "l2", alpha: float = 2.0) -> Any:
        V.choice("norm", norm, _NORMS)
        a = V.alpha_order("alpha", alpha)
        d = self.d
        if norm == "linf":
            return d, {d: self.renyi(a, 1.0, "linf", np.ones(d)) if d <= 10_000_000 else None}
        ks = range(1, d + 1) if d <= 4096 else sorted(set(int(round(x)) for x in np.geomspace(1, float(d), 200)))
        vals = {k: k * laplace_renyi_1d(a, 1.0 / math.sqrt(k) / self.scale) for k in ks}
        kb = max(vals, key=lambda k: vals[k])
        return kb, vals

    def expected_linf_norm(self) -> float:
        """max of d iid Exp(b): b * H_d = b (digamma(d+1) + Euler gamma)."""
        return self.scale * float(special.digamma(self.d + 1) + np.euler_gamma)

    def linf_norm_quantile(self, q: float) -> float:
        q = V.in_open_interval("q", q, 0.0, 1.0)
        return -self.scale * math.log(-math.expm1(math.log(q) / self.d))

    def expected_l2_norm(self) -> float:
        """E||z||_2 by the Laplace-transform identity with E e^{-t z_i^2} = sqrt(pi) y erfcx(y),
        y = 1/(2 b sqrt t)."""
        b, d = self.scale, self.d
        return _expected_sqrt(lambda t: d * _log_mgf_laplace_sq(t, b), 1.0 / (2 * b * b * d))

    def l2_norm_quantile(self, q: float) -> float:
        q = V.in_open_interval("q", q, 0.0, 1.0)
        if self.d == 1:
            return -self.scale * math.log1p(-q)
        raise NotImplementedError("l2-norm quantiles of the Laplace product are not implemented for d > 1")


# ----------------------------------------------------------------------------------------------
# Randomized response
# ----------------------------------------------------------------------------------------------

class RandomizedResponse:
    """Binary randomized response: output x XOR z, z ~ Bernoulli(1/(1+e^eps)) (eps-DP, D_inf = eps).

    Examples
    --------
    >>> m = RandomizedResponse(eps=1.0)
    >>> m.dinf(), round(m.kl(), 6)                      # eps and eps tanh(eps/2)
    (1.0, 0.462117)
    """

    name = "randomized-response"
    closed_form = {
        "renyi": "D_alpha = [log(e^{alpha eps} + e^{(1-alpha) eps}) - log(1+e^eps)]/(alpha-1)",
        "kl": "eps tanh(eps/2)",
        "dinf": "eps",
        "dmr": None,
        "expected_linf_norm": "1/(1+e^eps)",
        "expected_l2_norm": "1/(1+e^eps)",
    }

    def __init__(self, eps: float = 1.0) -> None:
        self.eps = V.positive("eps", eps)
        self.d = 1

    def __repr__(self) -> str:
        return f"RandomizedResponse(eps={self.eps!r})"

    @property
    def p_keep(self) -> float:
        return 1.0 / (1.0 + math.exp(-self.eps))

    def logpdf(self, z: ArrayLike) -> Any:
        z = np.asarray(z)
        if not np.all((z == 0) | (z == 1)):
            raise ValueError("z must be 0 or 1 for randomized response")
        lkeep = -float(np.logaddexp(0.0, -self.eps))
        lflip = -float(np.logaddexp(0.0, self.eps))
        return np.where(z == 0, lkeep, lflip)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        n = V.count("n", n, minimum=1)
        return (rng.random(size=(n, 1)) < float(special.expit(-self.eps))).astype(int)  # 1/(1+e^eps), no overflow

    def distributions(self) -> tuple[np.ndarray, np.ndarray]:
        """(P, Q) = (Bern(p), Bern(1-p)) as probability vectors over {0, 1}... P = [p, 1-p]."""
        p = self.p_keep
        return np.array([p, 1 - p]), np.array([1 - p, p])

    def _check_shift(self, shift: float) -> float:
        r = V.nonnegative("shift", shift)
        if r not in (0.0, 1.0):
            raise ValueError(f"shift must be 0 or 1 for randomized response (a bit flip), got {r}")
        return r

    def renyi(self, alpha: float, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> float:
        a = V.alpha_order("alpha", alpha)
        V.choice("norm", norm, _NORMS)
        if self._check_shift(shift) == 0:
            return 0.0
        e = self.eps
        if math.isinf(a):
            return e
        if a == 1.0:
            return e * math.tanh(e / 2)
        lam = a - 1.0
        if lam * e < 1e-3:
            # (1-p) e^{alpha eps} + p e^{-alpha eps} - 1 = E_P[expm1(lam*L)], L = +-eps w.p. p, 1-p
            p = self.p_keep
            s = p * math.expm1(lam * e) + (1 - p) * math.expm1(-lam * e)
            return max(0.0, math.log1p(s) / lam)
        v = np.logaddexp(a * e, (1 - a) * e) - np.logaddexp(0.0, e)
        return max(0.0, float(v) / lam)

    def kl(self, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> float:
        return self.renyi(1.0, shift, norm)

    def dinf(self, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> float:
        return self.renyi(math.inf, shift, norm)

    def dmr(self, shift: float = 1.0, norm: str = "l2", direction: ArrayLike | None = None) -> DMRResult:
        if self._check_shift(shift) == 0:
            return DMRResult(0.0, None, None, "shift 0: P = Q", True)
        f = lambda a: self.renyi(a, 1.0)  # noqa: E731
        res = dmr_from_renyi(f, dinf=self.eps)
        return DMRResult(res.value, res.alpha, res.limit, "closed form; " + res.method)

    def worst_case_direction(self, norm: str = "l2") -> Any:
        return np.ones(1)

    def expected_linf_norm(self) -> float:
        return 1.0 / (1.0 + math.exp(self.eps))

    expected_l2_norm = expected_linf_norm

    def linf_norm_quantile(self, q: float) -> float:
        q = V.in_open_interval("q", q, 0.0, 1.0)
        return 0.0 if q <= self.p_keep else 1.0

    l2_norm_quantile = linf_norm_quantile


MECHANISMS = {
    "gaussian": Gaussian,
    "exponential-linf": ExponentialLinf,
    "laplace": Laplace,
    "randomized-response": RandomizedResponse,
}


def get_mechanism(name: str, *, sigma: float | None = None, scale: float | None = None, eps: float | None = None,
                  d: int = 1) -> Mechanism:
    """Build a mechanism of the registry :data:`MECHANISMS` by name, with keyword arguments.

    Parameters
    ----------
    name
        ``"gaussian"`` (T10, T18), ``"exponential-linf"`` (eq. 6, T13), ``"laplace"`` or
        ``"randomized-response"``.
    sigma
        Noise scale of gaussian and exponential-linf (default 1; an alias of ``scale`` for laplace).
    scale
        Laplace scale b (default 1).
    eps
        Randomized-response epsilon (default 1).
    d
        Dimension (1 for randomized response).

    Returns
    -------
    Mechanism

    Examples
    --------
    >>> m = get_mechanism("exponential-linf", sigma=2.0, d=10)
    >>> m.expected_linf_norm(), m.dinf(shift=1.0)     # T15: d sigma; T13: ||delta||_inf / sigma
    (20.0, 0.5)
    """
    V.choice("mechanism", name, MECHANISMS)
    if name == "randomized-response":
        if d not in (1, None) and V.dimension("d", d) != 1:
            raise ValueError("d must be 1 for randomized-response (allowed range {1})")
        return RandomizedResponse(1.0 if eps is None else eps)
    if name == "laplace":
        b = scale if scale is not None else sigma
        return Laplace(1.0 if b is None else b, d)
    mech: Mechanism = MECHANISMS[name](1.0 if sigma is None else sigma, d)
    return mech
