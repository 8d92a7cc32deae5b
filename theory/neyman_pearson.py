"""Tight certified radii by Neyman-Pearson, for additive noise with a density (issue 14).

Setting.  g(x) = argmax_c P(f(x + Z) = c), Z ~ p (a density on R^d).  At x the top class has probability pA and
the runner-up pB (binary form: pB = 1 - pA).  For a shift delta let P0 = law of Z and P_delta = law of Z + delta.
The *tight* radius in a norm ||.|| is the largest r such that g(x + delta) = cA for every base classifier f with
these probabilities and every ||delta|| <= r; by the Neyman-Pearson lemma

    beta_delta(m) = max { P_delta(B) : P0(B) = m }      (B a level set of the likelihood ratio p(z - delta)/p(z))
    alpha_delta(m) = min { P_delta(A) : P0(A) = m }     (= 1 - beta_delta(1 - m))

and the prediction can be flipped at delta iff  alpha_delta(pA) <= beta_delta(pB)  (binary: beta_delta(1 - pA) >= 1/2).
The multi-class condition bounds A and B separately (Cohen et al. 2019's runner-up form); it is sound, and tight
whenever the two worst-case sets can be realised together (they can for the half-line reductions below).

Noises (``sigma`` is the scale parameter of each):

* ``gaussian``  N(0, sigma^2 I_d);
* ``laplace``   product Laplace, density prod_i exp(-|z_i|/sigma) / (2 sigma);
* ``uniform``   uniform on the cube [-sigma, sigma]^d (sigma = the half-width lambda);
* ``exponential-linf``  eq. 6 of the seed paper, density ~ exp(-||z||_inf / sigma) (theory.mechanisms.ExponentialLinf);
* ``exponential-l2``    the l2-exponential density ~ exp(-||z||_2 / sigma) (Yang et al. 2020, Section 4).

Each noise is an entry of the table :mod:`theory.noises`; its *cell* (a function in :mod:`theory.np_cells`, or a new
noise's own) decides every norm, so :func:`tight_radius` has no branch on noise names.  How each (noise, norm) cell
is decided (``TightRadius.method``):

* **half-line** (exact): the likelihood ratio depends on z only through a 1-d projection u = w.z with a symmetric
  log-concave law F (monotone likelihood ratio), so the NP sets are half-lines {u >= b}: beta(m) = S(S^{-1}(m) - t)
  with S = 1 - F and t the shift of u.  The flip condition alpha(pA) <= beta(pB) reads F(F^{-1}(pA) - t) <=
  S(S^{-1}(pB) - t), i.e.  t >= (F^{-1}(pA) - F^{-1}(pB)) / 2  (binary: t >= F^{-1}(pA)).  The radius in the norm is
  t / kappa with kappa = max_{||delta|| <= 1} (shift of u).
  - Gaussian: u = delta.z / ||delta||_2 ~ N(0, sigma^2), t = ||delta||_2, kappa = max ||delta||_2 over the unit ball
    = 1 (l1, l2), sqrt(d) (l_inf, the corner).  Gives Cohen et al.'s sigma Phi^{-1}(pA) and its l_inf conversion.
  - Laplace, l1: every ||delta||_1 <= t has likelihood ratio <= e^{t/sigma} (triangle inequality, coordinate by
    coordinate), so beta_delta(m) <= e^{t/sigma} m; the axis shift t e_1 attains it for m <= e^{-t/sigma}/2 (the set
    {z_1 >= t} where the ratio equals e^{t/sigma} has that mass), so in binary form the worst case is the 1-d Laplace
    half-line: r = F^{-1}(pA) = -sigma log(2(1 - pA)) (Teng et al. 2020).  Multi-class: the axis shift (the 1-d
    formula); its worst-case status in d >= 2 is checked numerically for d = 2 in the tests.
* **overlap** (exact, uniform noise): the ratio takes the values 0, 1, inf; with v(delta) = P0(Z in C + delta) =
  prod_i (1 - |delta_i|/(2 sigma))_+ the overlap of the cube with its shift, beta(m) = (1 - v) + min(m, v) and
  alpha(m) = max(0, m - (1 - v)); flip iff v <= 1 - (pA - pB)/2.  min v over the ball: l1 -> one axis (log(1 - u) is
  concave), 1 - rho; l_inf -> the corner, (1 - rho)^d; l2 -> the KKT points (nonzero |delta_i|/(2 sigma) take at most
  two values a and 1 - a, at most 3 of them >= 1/2), enumerated exactly.  rho = r / (2 sigma).
  Binary l1: r = 2 sigma (pA - 1/2) (Yang et al. 2020 / Levine & Feizi 2021).
* **dinf-attained** (exact, eq.-6 noise, l_inf, binary): the ratio is <= e^{||delta||_inf/sigma} and the corner shift
  t(1, ..., 1) attains it on a set of P0-mass e^{-t/sigma}/2 (theory.ground_truth, corner-exp), so
  r = sigma log(1/(2(1 - pA))) (Yang et al. 2020).
* **radial** (exact, l2-exponential noise): rotation invariance reduces every direction to t e_1; the statistic
  V = ||z|| - ||z - t e_1|| is the log-ratio (times sigma); P0(V <= c) = E_R[G_d(x*(R))] with
  R = ||Z|| ~ Gamma(d, sigma), G_d the cdf of the cosine z_1/||z|| ((X + 1)/2 ~ Beta((d-1)/2, (d-1)/2)) and
  x*(R) = (t^2 + 2Rc - c^2)/(2Rt): a 1-d quadrature.  Under P_t, V has the law of -V under P0.  The radius is the
  first t (scan + brentq) with alpha_t(pA) <= beta_t(pB).  l1: same as l2 (the l1 ball lies in the l2 ball and
  contains axis shifts of every l2 norm); l_inf: l2 / sqrt(d) (the l_inf ball lies in the l2 ball of radius
  r sqrt(d) and contains its corner).
* **bracket** (not exact: a lower and an upper bound with the argument for each):
  - Laplace l2 / l_inf: lower = the l1 radius / d^{1 - 1/p} (||delta||_1 <= d^{1-1/p} ||delta||_p); upper = the flip
    distance of explicit classifiers (the axis half-line, flipped at the l1 radius; the sum rule {sum_i z_i >= b},
    flipped by the corner shift at ||delta||_1 = b with P(sum Z_i >= b) = 1 - pA, computed by 1-d quadrature of the
    difference of two Gamma(d, sigma) variables).
  - eq.-6 noise l1 / l2: lower = Yang's l_inf radius (the D_inf bound uses ||delta||_inf <= ||delta||_p); upper =
    min(the corner (attains the D_inf bound at ||delta||_inf = r_Yang, so ||delta||_p = d^{1/p} r_Yang), the axis rule
    x_1 >= t of theory.ground_truth.axis_exponential).
  Coverage is stated in ``TightRadius.note``; the true tight radius lies in [lower, upper].

Multi-class (pB < 1 - pA): half-line, overlap and radial cells; eq.-6 noise only in binary form (ValueError).

>>> tight_radius("gaussian", "l2", sigma=0.5, pA=0.99).value    # doctest: +ELLIPSIS
1.163173...
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from theory import noises
from theory import validate as V
from theory.np_cells import RADIAL_MAX_D, RADIAL_MIN_ONE_MINUS_PA

if TYPE_CHECKING:
    from theory.certificates import Probabilities

# NOISES (module __getattr__): the noises of the live table with a Neyman-Pearson cell, theory.noises.engine_noises()
__all__ = ["NORMS", "RADIAL_MAX_D", "RADIAL_MIN_ONE_MINUS_PA", "TightRadius", "flip_margin", "noise_variance",
           "supports_multiclass", "tight_radius"]

NORMS = noises.NORMS
_LOG2 = math.log(2.0)


def __getattr__(name: str) -> Any:
    if name == "NOISES":   # the live table: a noise registered later is a noise of the engine too
        return noises.engine_noises()
    raise AttributeError(f"module 'theory.neyman_pearson' has no attribute {name!r}")


@dataclass(frozen=True)
class TightRadius:
    """The tight radius of one (noise, norm, d, sigma, pA, pB) or a bracket of it.

    ``value`` is the tight radius when ``exact`` (``lower == upper == value``), else None; ``lower`` / ``upper``
    always bound it (lower = a sound certificate, upper = the flip distance of an explicit classifier).
    ``method``: half-line | overlap | dinf-attained | radial | bracket; ``direction``: the worst shift found;
    ``note``: the argument / coverage.
    """

    noise: str
    norm: str
    d: int
    sigma: float
    one_minus_pA: float
    pB: float | None
    value: float | None
    lower: float
    upper: float
    exact: bool
    method: str
    direction: str
    note: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def supports_multiclass(noise: str, norm: str) -> bool:
    """Whether :func:`tight_radius` has the runner-up (pB) form for this cell (the noise's ``multiclass_norms``)."""
    return noises.get(noise).supports_multiclass(norm)


def noise_variance(noise: str, sigma: float, d: int) -> float:
    """Per-coordinate second moment E[Z_1^2] (the normalisation of the follow-up literature), from the table.

    gaussian sigma^2; laplace 2 sigma^2; uniform sigma^2/3; eq. 6: exactly E[Z_1^2] = E[R^2] (1/d + (d-1)/(3d))
    = sigma^2 (d+1) (d+2)/3 with R = ||Z||_inf ~ Gamma(d, sigma) (one coordinate is the face, the others uniform on
    [-R, R]); l2-exponential: E||Z||^2 / d = sigma^2 (d + 1).
    """
    entry = noises.get(noise)
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    return float(entry.variance(sigma, d))


# ----------------------------------------------------------------------------------------------------
# probabilities (log space, as theory.certificates)
# ----------------------------------------------------------------------------------------------------

def _probs(pA: float | None, one_minus_pA: float | None, log_one_minus_pA: float | None,
           pB: float | None) -> tuple[Probabilities, bool]:
    from theory.certificates import probabilities

    p = probabilities(pA, one_minus_pA, log_one_minus_pA, pB)
    if (p.binary and not p.log_one_minus_pA < -_LOG2) or (not p.binary and not p.log_pB < p.log_pA):
        # pA <= 1/2 (binary) or pA <= pB: nothing is certified
        return p, True
    return p, False



# ----------------------------------------------------------------------------------------------------
# public entry
# ----------------------------------------------------------------------------------------------------

def tight_radius(noise: str, norm: str, *, sigma: float = 1.0, d: int = 1, pA: float | None = None,
                 one_minus_pA: float | None = None, log_one_minus_pA: float | None = None,
                 pB: float | None = None) -> TightRadius:
    """Tight (Neyman-Pearson) certified radius of ``noise`` against ``norm`` in dimension ``d`` (module doc).

    Give pA as one of ``pA`` / ``one_minus_pA`` / ``log_one_minus_pA`` (log space near pA -> 1); ``pB`` (runner-up,
    pB <= 1 - pA) for the multi-class form.  Returns a :class:`TightRadius` (radius 0 when pA <= 1/2 or pA <= pB).
    ``noise`` is any noise of the table :mod:`theory.noises`; its cell (:mod:`theory.np_cells`) decides the radius.

    >>> r = tight_radius("laplace", "l1", sigma=1.0, one_minus_pA=0.01)
    >>> round(r.value, 12) == round(-math.log(0.02), 12)
    True
    """
    entry = noises.get(noise)
    V.choice("norm", norm, NORMS)
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    p, nothing = _probs(pA, one_minus_pA, log_one_minus_pA, pB)
    e = math.exp(p.log_one_minus_pA)
    pb = None if p.binary else math.exp(p.log_pB)
    if not p.binary and not entry.supports_multiclass(norm):
        raise ValueError(f"noise {noise} in {norm} has only the binary form here (pB = 1 - pA); do not pass pB")
    if nothing:
        return TightRadius(noise, norm, d, sigma, e, pb, 0.0, 0.0, 0.0, True, "none", "-",
                           "pA <= 1/2 (binary) or pA <= pB: nothing is certified")
    if entry.cell is None:
        raise ValueError(f"noise {noise} has no Neyman-Pearson cell in theory.noises (tight radius not modelled)")
    c = entry.cell(p, sigma, norm, d)
    return TightRadius(noise, norm, d, sigma, e, pb, c.lower if c.exact else None, float(c.lower), float(c.upper),
                       c.exact, c.method, c.direction, c.note)


def flip_margin(noise: str, norm: str, t: float, *, sigma: float, d: int, one_minus_pA: float) -> float:
    """pB(x') - 1/2 for the worst-case binary classifier of an exact half-line / overlap / dinf-attained cell, moved by
    a shift of norm t in its worst direction (> 0: the prediction flips).  Used to place witnesses; the noise's
    ``flip`` of the table (:mod:`theory.np_cells`).

    >>> round(flip_margin("gaussian", "l2", 0.0, sigma=1.0, d=1, one_minus_pA=0.1), 12)   # unmoved: pB - 1/2
    -0.4
    """
    flip = noises.get(noise).flip
    if flip is None:
        raise ValueError("no exact worst-case classifier for this cell")
    return flip(norm, t, sigma, d, one_minus_pA)
