"""The registry of certified radii: :class:`Certificate` entries (keyword-built), :func:`get`, :func:`radius`,
:func:`inverse`.

Each entry maps (pA, pB, sigma, parameters) to a radius via :mod:`theory.certificates.radii`, and a radius back to
the 1 - pA it needs.  Entries: the paper's C11, T13, T18 (``paper=True``) and the references Cohen et al. 2019,
its l2 -> l_inf conversion, Lecuyer et al. 2019 (PixelDP), Li et al. 2019 (Renyi), Yang et al. 2020 (eq.-6
noise, l_inf), Teng et al. 2020 (Laplace, l1) and uniform noise (l1, l_inf).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from theory import validate as V
from theory.certificates import radii
from theory.certificates.logprob import _LOG2, _SUM_SLACK, probabilities

#: the array a broadcast call returns
FloatArray = npt.NDArray[np.float64]

__all__ = ["Certificate", "CERTIFICATES", "get", "radius", "inverse", "register"]

# =====================================================================================================
# Registry
# =====================================================================================================

_PARAM_CHECKS: dict[str, Callable[[Any], float]] = {
    "c": lambda v: V.positive("c", v),
    "d": lambda v: V.dimension("d", v),
}


@dataclass(frozen=True)
class Certificate:
    """One certified radius.

    Attributes: ``name``, ``mechanism`` ("gaussian" | "exponential-linf"), ``norm`` ("l2" | "linf"),
    ``notion`` (the divergence / argument the radius comes from), ``reference``, ``params`` (required
    parameter names besides sigma), ``multiclass`` (whether the pB form exists), ``tight`` (name of the
    Neyman-Pearson-tight certificate of the same mechanism and norm, the soundness reference),
    ``formula`` (one line), ``paper`` (one of the paper's own results: C11, T13, T18).

    Entries are built with keyword arguments (see the registrations below); ``_radius(p, sigma, **params)`` maps
    :class:`~theory.certificates.logprob.Probabilities` to the radius, ``_inverse(r, sigma, log_pB, **params)``
    a radius to log(1 - pA).

    Examples
    --------
    >>> cohen = CERTIFICATES["cohen"]
    >>> cohen.mechanism, cohen.norm, cohen.multiclass
    ('gaussian', 'l2', True)
    """

    name: str
    mechanism: str
    norm: str
    notion: str
    reference: str
    params: tuple[str, ...]
    multiclass: bool
    tight: str
    formula: str
    _radius: Callable[..., float] = field(repr=False, compare=False)
    _inverse: Callable[..., float] = field(repr=False, compare=False)
    paper: bool = False

    @property
    def divergence(self) -> str:
        """The divergence notion / argument the radius comes from (alias of ``notion``)."""
        return self.notion

    def _params(self, given: dict[str, Any]) -> dict[str, Any]:
        # ``d`` is accepted by every certificate (validated; ignored by those whose radius does not depend on it)
        if "d" in given and "d" not in self.params:
            given = dict(given)
            V.dimension("d", given.pop("d"))
        extra = set(given) - set(self.params)
        if extra:
            raise ValueError(f"certificate {self.name} takes parameters {list(self.params) or 'none'} besides sigma, "
                             f"got unexpected {sorted(extra)}")
        out: dict[str, Any] = {}
        for k in self.params:
            if given.get(k) is None:
                raise ValueError(f"certificate {self.name} needs parameter {k} "
                                 f"({'c > 0' if k == 'c' else 'integer d >= 1'})")
            out[k] = _PARAM_CHECKS[k](given[k])
        return out

    @overload
    def radius(self, *, sigma: float, pA: float | None = None, one_minus_pA: float | None = None,
               log_one_minus_pA: float | None = None, pB: float | None = None, log_pB: float | None = None,
               **params: float) -> float: ...
    @overload
    def radius(self, *, sigma: ArrayLike, pA: ArrayLike | None = None, one_minus_pA: ArrayLike | None = None,
               log_one_minus_pA: ArrayLike | None = None, pB: ArrayLike | None = None,
               log_pB: ArrayLike | None = None, **params: ArrayLike) -> FloatArray: ...
    def radius(self, *, sigma: Any, pA: Any = None, one_minus_pA: Any = None, log_one_minus_pA: Any = None,
               pB: Any = None, log_pB: Any = None, **params: Any) -> Any:
        """Certified radius (>= 0) at the given probabilities; see :func:`probabilities` for the forms.

        Parameters as :func:`theory.certificates.radius` (``params``: ``c``, ``d``).  Scalars give a Python float;
        array-likes broadcast against each other (NumPy rules) and give an array of that shape.

        Examples
        --------
        >>> round(get("cohen").radius(pA=0.975, sigma=2.0), 4)     # 2 Phi^-1(0.975)
        3.92
        >>> get("t13").radius(one_minus_pA=[0.25, 0.1], sigma=2.0).round(6)   # log(pA / (1 - pA))
        array([1.098612, 2.197225])
        """
        for v in (sigma, pA, one_minus_pA, log_one_minus_pA, pB, log_pB, *params.values()):
            if v is not None and type(v) not in _SCALAR_TYPES:   # an array-like (or a 0-d array): broadcast
                return _broadcast(self._radius_scalar, {"sigma": sigma, "pA": pA, "one_minus_pA": one_minus_pA,
                                                        "log_one_minus_pA": log_one_minus_pA, "pB": pB,
                                                        "log_pB": log_pB, **params}, {})
        return self._radius_scalar(sigma=sigma, pA=pA, one_minus_pA=one_minus_pA, log_one_minus_pA=log_one_minus_pA,
                                   pB=pB, log_pB=log_pB, **params)

    def _radius_scalar(self, *, sigma: Any, pA: Any = None, one_minus_pA: Any = None, log_one_minus_pA: Any = None,
                       pB: Any = None, log_pB: Any = None, **params: Any) -> float:
        sigma = V.positive("sigma", sigma)
        kw = self._params(params)
        p = probabilities(pA, one_minus_pA, log_one_minus_pA, pB, log_pB)
        if not p.binary and not self.multiclass:
            raise ValueError(f"certificate {self.name} has only the binary form (pB = 1 - pA); do not pass pB")
        return float(self._radius(p, sigma, **kw))

    @overload
    def inverse(self, radius: float, *, sigma: float, pB: float | None = None, log_pB: float | None = None,
                log: bool = False, **params: float) -> float: ...
    @overload
    def inverse(self, radius: ArrayLike, *, sigma: ArrayLike, pB: ArrayLike | None = None,
                log_pB: ArrayLike | None = None, log: bool = False, **params: ArrayLike) -> FloatArray: ...
    def inverse(self, radius: Any, *, sigma: Any, pB: Any = None, log_pB: Any = None, log: bool = False,
                **params: Any) -> Any:
        """1 - pA (or log(1 - pA) with ``log=True``) at which the certified radius equals ``radius``.

        Binary form unless pB / log_pB is given.  ``radius = 0`` gives 1 - pA = 1/2 (binary) or 1 - pB.
        Parameters as :func:`theory.certificates.inverse`; array-likes broadcast as in :meth:`radius`.

        Examples
        --------
        >>> get("yang-linf").inverse(0.0, sigma=1.0)                # radius 0 needs pA > 1/2
        0.5
        >>> get("yang-linf").inverse([0.0, math.log(5)], sigma=1.0)   # e^{-r/sigma} / 2
        array([0.5, 0.1])
        """
        for v in (radius, sigma, pB, log_pB, *params.values()):
            if v is not None and type(v) not in _SCALAR_TYPES:   # an array-like (or a 0-d array): broadcast
                return _broadcast(self._inverse_scalar, {"radius": radius, "sigma": sigma, "pB": pB,
                                                         "log_pB": log_pB, **params}, {"log": log})
        return self._inverse_scalar(radius, sigma=sigma, pB=pB, log_pB=log_pB, log=log, **params)

    def _inverse_scalar(self, radius: Any, *, sigma: Any, pB: Any = None, log_pB: Any = None, log: bool = False,
                        **params: Any) -> float:
        sigma = V.positive("sigma", sigma)
        r = V.nonnegative("radius", radius)
        kw = self._params(params)
        if pB is not None and log_pB is not None:
            raise ValueError("give at most one of pB, log_pB")
        lpb = None
        if pB is not None:
            lpb = math.log(V.in_open_interval("pB", pB, 0.0, 0.5))
        elif log_pB is not None:
            lpb = V.real("log_pB", log_pB)
            if not lpb < -_LOG2:
                raise ValueError(f"log_pB must lie in (-inf, log(1/2)), got {lpb}")
        if lpb is not None and not self.multiclass:
            raise ValueError(f"certificate {self.name} has only the binary form (pB = 1 - pA); do not pass pB")
        y = float(self._inverse(r, sigma, lpb, **kw))
        if lpb is not None and y < lpb - _SUM_SLACK:
            raise ValueError(f"radius {r!r} is not reachable by certificate {self.name} with pB = {math.exp(lpb)!r}: "
                             f"it needs pA > 1 - pB")
        return y if log else math.exp(y)


_SCALAR_TYPES = (float, int, np.float64)


def _broadcast(scalar: Callable[..., float], arrays: dict[str, Any], fixed: dict[str, Any]) -> Any:
    """``scalar(**arrays, **fixed)`` element by element over the broadcast of the array-like ``arrays`` (None: not
    given), like a scipy.stats method: all scalars -> the scalar path's Python float; else a float64 array of the
    broadcast shape.  Each element is validated by the scalar path; a ValueError names the offending index."""
    given = {k: v for k, v in arrays.items() if v is not None}
    if all(np.ndim(v) == 0 for v in given.values()):
        zero_d = {k: v.item() for k, v in given.items() if isinstance(v, np.ndarray)}   # 0-d arrays: their scalar
        return scalar(**{**arrays, **zero_d}, **fixed)
    keys = list(given)
    try:
        arrs = np.broadcast_arrays(*[np.asarray(given[k]) for k in keys])
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(given[k])}" for k in keys)
        raise ValueError(f"the array arguments must broadcast to one shape, got {shapes}") from None
    shape = arrs[0].shape
    out = np.empty(shape, dtype=float)
    for idx in np.ndindex(shape):
        kw = {**arrays, **{k: a[idx].item() for k, a in zip(keys, arrs, strict=True)}}
        try:
            out[idx] = scalar(**kw, **fixed)
        except ValueError as exc:
            where = idx[0] if len(idx) == 1 else idx
            raise ValueError(f"{exc} (at index {where} of the broadcast arguments)") from None
    return out


CERTIFICATES: dict[str, Certificate] = {}


def register(c: Certificate) -> Certificate:
    """Add certificate ``c`` to :data:`CERTIFICATES` (ValueError if its name is taken); returns it.  A new noise's
    file registers its certificates with this (:mod:`theory.noises`).

    >>> register(get("cohen"))
    Traceback (most recent call last):
        ...
    ValueError: certificate 'cohen' is already registered
    """
    if not isinstance(c, Certificate):
        raise ValueError(f"certificate must be a theory.certificates.Certificate, got {type(c).__name__}")
    if c.name in CERTIFICATES:
        raise ValueError(f"certificate {c.name!r} is already registered")
    CERTIFICATES[c.name] = c
    return c


register(Certificate(
    name="cohen",
    mechanism="gaussian",
    norm="l2",
    notion="Neyman-Pearson (tight)",
    reference="Cohen, Rosenfeld & Kolter 2019, Theorem 1",
    params=(),
    multiclass=True,
    tight="cohen",
    formula="sigma/2 (Phi^-1(pA) - Phi^-1(pB));  binary: sigma Phi^-1(pA)",
    _radius=radii.cohen_radius,
    _inverse=radii.cohen_inverse,
))
register(Certificate(
    name="c11",
    mechanism="gaussian",
    norm="l2",
    notion="DMR (zCDP), T10 tail bound",
    reference="this paper, Corollary 11 (Section 3.1, proof in Appendix B)",
    params=("c",),
    multiclass=True,
    tight="cohen",
    formula="sqrt(2) sigma (log pA - log pB) / (2 (1 + c))",
    _radius=radii.c11_radius,
    _inverse=radii.c11_inverse,
    paper=True,
))
register(Certificate(
    name="t18",
    mechanism="gaussian",
    norm="linf",
    notion="DMR (zCDP), T10 tail bound with eps = d r^2/(2 sigma^2)",
    reference="this paper, Theorem 18 (Section 3.2) with the argument of Corollary 11",
    params=("c", "d"),
    multiclass=True,
    tight="cohen-linf",
    formula="sqrt(2) sigma (log pA - log pB) / (2 (1 + c) sqrt(d))",
    _radius=radii.t18_radius,
    _inverse=radii.t18_inverse,
    paper=True,
))
register(Certificate(
    name="cohen-linf",
    mechanism="gaussian",
    norm="linf",
    notion="Neyman-Pearson (tight for the Gaussian: worst case at a corner)",
    reference="Cohen et al. 2019 with ||.||_2 <= sqrt(d) ||.||_inf",
    params=("d",),
    multiclass=True,
    tight="cohen-linf",
    formula="cohen / sqrt(d)",
    _radius=radii.cohen_linf_radius,
    _inverse=radii.cohen_linf_inverse,
))
register(Certificate(
    name="pixeldp",
    mechanism="gaussian",
    norm="l2",
    notion="(eps, delta)-DP (Gaussian mechanism, eps <= 1)",
    reference="Lecuyer et al. 2019 (PixelDP), Proposition 1 / Section 3",
    params=(),
    multiclass=True,
    tight="cohen",
    formula="max_{0<eps<=1} sigma eps / sqrt(2 ln(1.25/delta*)),  delta* = (pA - e^{2eps} pB)/(1 + e^eps)",
    _radius=radii.pixeldp_radius,
    _inverse=radii.pixeldp_inverse,
))
register(Certificate(
    name="li-renyi",
    mechanism="gaussian",
    norm="l2",
    notion="Renyi divergence",
    reference="Li, Chen, Wang & Carin 2019 (NeurIPS), Theorem 1 / Corollary for Gaussian noise",
    params=(),
    multiclass=True,
    tight="cohen",
    formula="sup_{a>1} sigma sqrt(-(2/a) log(1 - pA - pB + 2 ((pA^{1-a} + pB^{1-a})/2)^{1/(1-a)}))",
    _radius=radii.li_renyi_radius,
    _inverse=radii.li_renyi_inverse,
))
register(Certificate(
    name="t13",
    mechanism="exponential-linf",
    norm="linf",
    notion="D_inf (eps-DP)",
    reference="this paper, Theorem 13 (Section 3.2) with the argument of Corollary 11",
    params=(),
    multiclass=True,
    tight="yang-linf",
    formula="sigma (log pA - log pB) / 2",
    _radius=radii.t13_radius,
    _inverse=radii.t13_inverse,
    paper=True,
))
register(Certificate(
    name="yang-linf",
    mechanism="exponential-linf",
    norm="linf",
    notion="Neyman-Pearson (tight in binary form; verified d = 1, 2)",
    reference="Yang et al. 2020, 'Randomized smoothing of all shapes and sizes' (ExpInf, k = 1, l_inf adversary)",
    params=(),
    multiclass=False,
    tight="yang-linf",
    formula="sigma log(1 / (2 (1 - pA)))",
    _radius=radii.yang_linf_radius,
    _inverse=radii.yang_linf_inverse,
))


register(Certificate(
    name="laplace-l1",
    mechanism="laplace",
    norm="l1",
    notion="Neyman-Pearson (tight in binary form, every d)",
    reference="Teng, Lee & Yuan 2020, 'l1 adversarial robustness certificates: a randomized smoothing approach'",
    params=(),
    multiclass=False,
    tight="laplace-l1",
    formula="-sigma log(2 (1 - pA))   (sigma = the Laplace scale)",
    _radius=radii.laplace_l1_radius,
    _inverse=radii.laplace_l1_inverse,
))
register(Certificate(
    name="uniform-l1",
    mechanism="uniform",
    norm="l1",
    notion="Neyman-Pearson (tight in binary form, every d)",
    reference=("Yang et al. 2020, 'Randomized smoothing of all shapes and sizes' (uniform noise, l1); "
               "Levine & Feizi 2021"),
    params=(),
    multiclass=False,
    tight="uniform-l1",
    formula="2 sigma (pA - 1/2)   (sigma = the half-width lambda of the cube)",
    _radius=radii.uniform_l1_radius,
    _inverse=radii.uniform_l1_inverse,
))
register(Certificate(
    name="uniform-linf",
    mechanism="uniform",
    norm="linf",
    notion="Neyman-Pearson (tight in binary form: the corner)",
    reference="this project's engine (theory.neyman_pearson); rate O(1/d) as in Kumar et al. 2020 for uniform noise",
    params=("d",),
    multiclass=False,
    tight="uniform-linf",
    formula="2 sigma (1 - (3/2 - pA)^(1/d))",
    _radius=radii.uniform_linf_radius,
    _inverse=radii.uniform_linf_inverse,
))


def get(name: str) -> Certificate:
    """The certificate called ``name`` (a key of :data:`CERTIFICATES`).

    Parameters
    ----------
    name : str
        One of ``cohen``, ``c11``, ``t18``, ``cohen-linf``, ``pixeldp``, ``li-renyi``, ``t13``, ``yang-linf``,
        ``laplace-l1``, ``uniform-l1``, ``uniform-linf``.

    Returns
    -------
    Certificate
        The registry entry (its ``params`` are the parameters :func:`radius` needs besides sigma).

    Raises
    ------
    ValueError
        If ``name`` is not registered.

    Examples
    --------
    >>> c = get("c11")
    >>> c.params, c.tight, c.paper
    (('c',), 'cohen', True)
    """
    if not isinstance(name, str) or name not in CERTIFICATES:
        raise ValueError(f"certificate must be one of {sorted(CERTIFICATES)}, got {name!r}")
    return CERTIFICATES[name]


def _given(c: Any, d: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The certificate parameters actually given (``c`` / ``d`` left at None are not passed on)."""
    out = dict(params)
    if c is not None:
        out["c"] = c
    if d is not None:
        out["d"] = d
    return out


@overload
def radius(name: str, *, sigma: float, pA: float | None = None, one_minus_pA: float | None = None,
           log_one_minus_pA: float | None = None, pB: float | None = None, log_pB: float | None = None,
           c: float | None = None, d: float | None = None, **params: float) -> float: ...
@overload
def radius(name: str, *, sigma: ArrayLike, pA: ArrayLike | None = None, one_minus_pA: ArrayLike | None = None,
           log_one_minus_pA: ArrayLike | None = None, pB: ArrayLike | None = None, log_pB: ArrayLike | None = None,
           c: ArrayLike | None = None, d: ArrayLike | None = None, **params: ArrayLike) -> FloatArray: ...
def radius(name: str, *, sigma: Any, pA: Any = None, one_minus_pA: Any = None, log_one_minus_pA: Any = None,
           pB: Any = None, log_pB: Any = None, c: Any = None, d: Any = None, **params: Any) -> Any:
    """Certified radius of certificate ``name`` at class probabilities (pA, pB) and noise scale sigma.

    ``get(name).radius(...)``: the radius r >= 0 such that the smoothed classifier's prediction cannot change
    within the ball of radius r (in the certificate's norm); 0.0 when it certifies nothing (pA <= pB), never NaN.
    Binary form (pB = 1 - pA) unless ``pB`` / ``log_pB`` is given (multi-class: pB is the runner-up probability).
    Formulas (one per certificate, ``get(name).formula``), e.g. ``cohen``: sigma/2 (Phi^-1(pA) - Phi^-1(pB));
    ``c11``: sqrt(2) sigma (log pA - log pB) / (2 (1 + c)); ``t18``: the C11 radius / sqrt(d); ``t13``:
    sigma (log pA - log pB) / 2; ``yang-linf``: sigma log(1 / (2 (1 - pA))); derivations in
    :mod:`theory.certificates.radii`.

    Broadcasting (like ``scipy.stats``): every numeric argument may be an array-like; they broadcast against each
    other by NumPy's rules and the result is a float64 array of the broadcast shape, each element computed by the
    scalar path (same validation, same value; a ValueError names the offending index).  All scalars: a Python float.

    Parameters
    ----------
    name : str
        A key of :data:`CERTIFICATES` (see :func:`get`).
    sigma : float or array_like
        Noise scale, > 0 (Gaussian standard deviation; eq.-6 / Laplace scale; uniform half-width).
    pA, one_minus_pA, log_one_minus_pA : float, optional
        Exactly one: pA in (0, 1), or 1 - pA in (0, 1) (exact near pA = 1), or log(1 - pA) in (-inf, 0).
    pB, log_pB : float, optional
        At most one: the runner-up probability pB in (0, 1 - pA] (multi-class form; only for certificates with
        ``multiclass`` True), or its logarithm.
    c : float, optional
        The tail parameter c > 0 of C11 and T18 (required by them, rejected by the others).  None: not given.
    d : int, optional
        The dimension d >= 1 (required by ``t18``, ``cohen-linf``, ``uniform-linf``; validated and ignored by the
        others).  None: not given.
    **params
        Further parameters of a certificate registered with other parameter names.

    Returns
    -------
    float or numpy.ndarray
        The certified radius, >= 0 (an array of the broadcast shape when an argument is an array).

    Raises
    ------
    ValueError
        On an unknown ``name``, a missing or unexpected parameter, or a probability / sigma out of range.

    References
    ----------
    Cohen, Rosenfeld & Kolter 2019, Theorem 1 (``cohen``); the paper's Corollary 11 (``c11``), Theorem 13 (``t13``)
    and Theorem 18 (``t18``); Yang et al. 2020, "Randomized smoothing of all shapes and sizes" (``yang-linf``,
    ``uniform-l1``); Teng, Lee & Yuan 2020 (``laplace-l1``); Lecuyer et al. 2019, PixelDP (``pixeldp``); Li, Chen,
    Wang & Carin 2019 (``li-renyi``).

    Examples
    --------
    >>> round(radius("cohen", pA=0.975, sigma=1.0), 4)       # Phi^-1(0.975) = 1.96
    1.96
    >>> x = math.e / (1 + math.e)                            # log pA - log(1 - pA) = 1
    >>> round(radius("c11", pA=x, sigma=1.0, c=1.0), 6)      # sqrt(2) / 4
    0.353553
    >>> round(radius("t13", pA=0.6, pB=0.2, sigma=2.0), 6)   # 2 log(3) / 2
    1.098612
    >>> radius("yang-linf", one_minus_pA=1e-300, sigma=1.0) > 690   # log(1/(2e-300)) = 690.08
    True
    >>> radius("cohen", pA=[0.9, 0.99, 0.999], sigma=[[0.25], [1.0]]).round(4)   # (2, 1) x (3,) -> (2, 3)
    array([[0.3204, 0.5816, 0.7726],
           [1.2816, 2.3263, 3.0902]])
    """
    return get(name).radius(sigma=sigma, pA=pA, one_minus_pA=one_minus_pA, log_one_minus_pA=log_one_minus_pA, pB=pB,
                            log_pB=log_pB, **_given(c, d, params))


@overload
def inverse(name: str, r: float, *, sigma: float, pB: float | None = None, log_pB: float | None = None,
            log: bool = False, c: float | None = None, d: float | None = None, **params: float) -> float: ...
@overload
def inverse(name: str, r: ArrayLike, *, sigma: ArrayLike, pB: ArrayLike | None = None, log_pB: ArrayLike | None = None,
            log: bool = False, c: ArrayLike | None = None, d: ArrayLike | None = None,
            **params: ArrayLike) -> FloatArray: ...
def inverse(name: str, r: Any, *, sigma: Any, pB: Any = None, log_pB: Any = None, log: bool = False,
            c: Any = None, d: Any = None, **params: Any) -> Any:
    """1 - pA (or log(1 - pA) with ``log=True``) at which certificate ``name`` certifies radius ``r``.

    ``get(name).inverse(r, ...)``: the inverse of :func:`radius` in pA, e.g. ``cohen`` (binary):
    1 - pA = Phi(-r / sigma); ``c11`` (binary): 1 - pA = 1 / (1 + exp(2 (1 + c) r / (sqrt(2) sigma))); root finding
    (Brent) for ``pixeldp`` and ``li-renyi``.  ``r = 0`` gives 1 - pA = 1/2 (binary) or 1 - pB.  Array-like
    ``r``, ``sigma``, ``pB``, ``log_pB``, ``c``, ``d`` broadcast as in :func:`radius`.

    Parameters
    ----------
    name : str
        A key of :data:`CERTIFICATES` (see :func:`get`).
    r : float
        The radius, >= 0 (below the largest radius the certificate certifies, if it has one).
    sigma : float
        Noise scale, > 0.
    pB, log_pB : float, optional
        At most one: the runner-up probability pB in (0, 1/2) (multi-class form), or its logarithm.
    log : bool
        Return log(1 - pA) instead of 1 - pA (exact far below float resolution).
    c, d : optional
        As in :func:`radius` (None: not given).
    **params
        Further parameters of a certificate registered with other parameter names.

    Returns
    -------
    float or numpy.ndarray
        1 - pA, or log(1 - pA) (an array of the broadcast shape when an argument is an array).

    Raises
    ------
    ValueError
        On an unknown ``name``, bad parameters, or a radius the certificate cannot reach.

    References
    ----------
    As :func:`radius`: Cohen et al. 2019; the paper's C11, T13, T18; Yang et al. 2020; Teng et al. 2020;
    Lecuyer et al. 2019; Li et al. 2019.

    Examples
    --------
    >>> round(inverse("cohen", 1.96, sigma=1.0), 4)                    # Phi(-1.96) = 0.025
    0.025
    >>> round(inverse("t13", 1.0, sigma=1.0, log=True), 6)             # -log(1 + e^2)
    -2.126928
    >>> e = inverse("c11", 0.5, sigma=1.0, c=1.0)
    >>> round(radius("c11", one_minus_pA=e, sigma=1.0, c=1.0), 12)    # round trip
    0.5
    >>> inverse("cohen", [0.0, 1.96], sigma=1.0).round(4)             # Phi(-r / sigma)
    array([0.5  , 0.025])
    """
    return get(name).inverse(r, sigma=sigma, pB=pB, log_pB=log_pB, log=log, **_given(c, d, params))
