"""The noise table: one :class:`Noise` per additive smoothing noise, and the registries derived from it (issue 22).

A noise knows its density and parameter, its divergences (its :mod:`theory.mechanisms` class, where it has one),
how its Neyman-Pearson radius is found in each norm (its cell in :mod:`theory.np_cells`), which certificates of
:mod:`theory.certificates` apply to it (those whose ``mechanism`` is its name), its variance and E||z|| per norm,
the radius columns of the empirical TSV, the columns of ``python -m theory radius --compare``, its primary
certificate (the one CERTIFY reports) and the key of its torch sampler in :mod:`empirical.noise`.  Built from the
table: the engine :func:`theory.neyman_pearson.tight_radius` (no if-chain on names), the TSV columns
(:data:`theory.certificates.RADIUS_COLUMNS`), ``radius --compare`` and the noises of ``python -m theory scaling``.

Adding a noise = one file + its tests: the file builds a :class:`Noise` (its cell a function
``cell(p, sigma, norm, d) -> theory.np_cells.Cell``, its numpy ``sample``), calls :func:`register` (and registers
its certificates with :func:`theory.certificates.register`); with ``sampler_key=HOST`` the torch side draws it too
(``empirical.noise.HostSampler``, its numpy sampler on the host).  tests/theory/test_noises.py does exactly that
for a toy noise.

Noises (``sigma`` is each one's scale parameter):

========================  ====================================  ==========================================
name                      density                               sigma
========================  ====================================  ==========================================
``gaussian``              N(0, sigma^2 I_d)                     standard deviation
``exponential-linf``      ~ exp(-||z||_inf / sigma) (eq. 6)     scale (R14: ||z||_inf ~ Gamma(d, sigma))
``laplace``               prod_i exp(-|z_i| / sigma) / (2 sigma)  scale b
``uniform``               uniform on [-sigma, sigma]^d          half-width lambda
``exponential-l2``        ~ exp(-||z||_2 / sigma)               scale (||z||_2 ~ Gamma(d, sigma))
``gaussian-lattice``      N(0, sigma^2) rounded to 1/255        standard deviation before rounding
========================  ====================================  ==========================================

``gaussian-lattice`` (issue 23) is a certification mode, not a law of the engine: no NP cell, its radius columns
are the Gaussian's (``radius_noise``), its torch sampler composes integers (``float_sampler=False``: not a training
noise).

Examples
--------
>>> get("uniform").variance(1.5, 3)                          # sigma^2 / 3
0.75
>>> sampler_key("exponential-linf"), primary_certificate("gaussian")
('exponential-linf', 'cohen')
>>> [n.name for n in NOISES.values() if n.sampler_key]       # the noises the torch side can draw
['gaussian', 'exponential-linf', 'gaussian-lattice']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import special

from theory import np_cells
from theory import validate as V

if TYPE_CHECKING:
    from theory.certificates.logprob import Probabilities
    from theory.certificates.registry import Certificate
    from theory.mechanisms import Mechanism

__all__ = ["NORMS", "NOISES", "HOST", "Noise", "get", "names", "register", "unregister", "sampler_key",
           "sampler_keys", "float_sampler_noises", "engine_noises", "radius_noise",
           "primary_certificate", "primary_certificates", "radius_columns", "column_spec", "compare_columns",
           "certificates_of", "scaling_noises"]

NORMS = ("l1", "l2", "linf")

#: (label, certificate, params): a column of a radius table; a param given as None is filled with the dimension d
Column = tuple[str, str, dict[str, float | None]]
Cell = Callable[["Probabilities", float, str, int], np_cells.Cell]
#: ``sample(rng, sigma, d, n)`` -> n draws of the noise in R^d, float64 [n, d]
Sample = Callable[[np.random.Generator, float, int, int], "npt.NDArray[np.float64]"]
#: the sampler key of the torch side's generic sampler: it draws the noise's numpy ``sample`` on the host
#: (``empirical.noise.HostSampler``); a noise with no fast torch sampler of its own names this key
HOST = "host"


@dataclass(frozen=True)
class Noise:
    """One additive noise Z (density p on R^d, scale ``sigma``) and everything the project derives from it.

    Attributes
    ----------
    name : str
        The key used everywhere (``"gaussian"``, ``"exponential-linf"``, ...).
    label : str
        Human-readable, with the density (reports and figures).
    density, sigma_meaning, reference : str
        One line each: the density, what ``sigma`` is, where the noise comes from.
    cell : callable or None
        ``cell(p, sigma, norm, d) -> theory.np_cells.Cell``: its tight (Neyman-Pearson) radius, or a bracket of
        it, in each norm of :data:`NORMS` (None: the engine has no cell for it and says so).
    multiclass_norms : tuple of str
        The norms in which the cell has the runner-up (pB) form; binary form only in the others.
    variance : callable
        ``variance(sigma, d)`` = E[Z_1^2], the per-coordinate second moment.
    expected_norms : mapping
        norm -> ``f(sigma, d)`` = E||Z||_norm (exact or by a stated quadrature); norms missing have no route here.
    mechanism : callable or None
        ``mechanism(sigma, d)`` -> its :mod:`theory.mechanisms` object (divergences, sampler, ...), if it has one.
    columns : tuple
        The radius columns of the empirical TSV (column, certificate, params), for noises with a torch sampler.
    compare : tuple
        Its columns of ``python -m theory radius --compare`` (label, certificate, params).
    primary : str or None
        The certificate CERTIFY reports for this noise (``empirical.core.PRIMARY_CERTIFICATE``).
    sampler_key : str or None
        The key of its torch sampler in :mod:`empirical.noise` (None: the torch side cannot draw it).
    scaling : bool
        Whether ``python -m theory scaling`` reports its noise magnitudes.
    flip : callable or None
        ``flip(norm, t, sigma, d, one_minus_pA)`` = pB(x') - 1/2 for the worst-case binary classifier of an exact
        cell moved by t in its worst direction (places witnesses; ValueError where it has none).
    sample : callable or None
        ``sample(rng, sigma, d, n)`` -> ``n`` draws of Z in R^d (a float64 array [n, d], numpy ``Generator``): the
        Monte Carlo of :mod:`theory.audit_witness`, and the torch side's generic host sampler (key :data:`HOST`).
    witness : theory.np_cells.WitnessLaw or None
        The worst-case binary classifiers of its exact cells as exact (mpmath) audit witnesses
        (:func:`theory.audit_certificate.make_audit_witness`, :func:`theory.audit_witness.check_audit_witness`).
    tail_bound : callable or None
        ``tail_bound(d)``: |z_i| / sigma stays below it in every draw in practice (the float32 overflow check of
        ``empirical.certify.check_sigma_range``; required with a float torch sampler).
    radius_noise : str or None
        The noise whose radius columns (:func:`theory.certificates.certified_radii`) this noise reports; None: its
        own.  The lattice mode reports the Gaussian's (every Gaussian certificate holds for f o round, issue 23).
    float_sampler : bool
        Whether its torch sampler adds the noise in floating point (an ``empirical.noise.NoiseSampler``: usable in
        training and by the fused paths); False for a mode drawn by integer composition (``gaussian-lattice``:
        certification only).

    Examples
    --------
    >>> n = get("exponential-linf")
    >>> n.sigma_meaning.split(" (")[0], n.supports_multiclass("linf"), n.expected_norm(1.0, 10, "linf")   # T15
    ('scale', False, 10.0)
    """

    name: str
    label: str
    density: str
    sigma_meaning: str
    reference: str
    cell: Cell | None = field(repr=False, compare=False)
    multiclass_norms: tuple[str, ...]
    variance: Callable[[float, int], float] = field(repr=False, compare=False)
    expected_norms: Mapping[str, Callable[[float, int], float]] = field(repr=False, compare=False)
    mechanism: Callable[[float, int], Mechanism] | None = field(default=None, repr=False, compare=False)
    columns: tuple[Column, ...] = ()
    compare: tuple[Column, ...] = ()
    primary: str | None = None
    sampler_key: str | None = None
    scaling: bool = False
    flip: Callable[[str, float, float, int, float], float] | None = field(default=None, repr=False, compare=False)
    sample: Sample | None = field(default=None, repr=False, compare=False)
    witness: np_cells.WitnessLaw | None = field(default=None, repr=False, compare=False)
    tail_bound: Callable[[int], float] | None = field(default=None, repr=False, compare=False)
    radius_noise: str | None = None
    float_sampler: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"noise name must be a non-empty string, got {self.name!r}")
        if self.sampler_key == HOST and self.sample is None:
            raise ValueError(f"noise {self.name!r}: sampler_key {HOST!r} draws its numpy `sample`, which is None")
        if self.sampler_key is not None and self.tail_bound is None:
            raise ValueError(f"noise {self.name!r}: a noise with a torch sampler needs tail_bound (float32 check)")
        for norm in (*self.multiclass_norms, *self.expected_norms):
            V.choice("norm", norm, NORMS)

    def supports_multiclass(self, norm: str) -> bool:
        """Whether the cell has the runner-up (pB) form in ``norm``."""
        return V.choice("norm", norm, NORMS) in self.multiclass_norms

    def expected_norm(self, sigma: float, d: int, norm: str) -> float:
        """E||Z||_norm for noise scale ``sigma`` in dimension ``d``.

        >>> round(get("laplace").expected_norm(2.0, 5, "l1"), 12)     # d sigma
        10.0
        """
        V.choice("norm", norm, NORMS)
        sigma = V.positive("sigma", sigma)
        d = V.dimension("d", d)
        if norm not in self.expected_norms:
            raise ValueError(f"norm must be one of {sorted(self.expected_norms)} for E||z|| of the {self.name} noise "
                             f"(no route for {norm}), got {norm!r}")
        return float(self.expected_norms[norm](sigma, d))


_TABLE: dict[str, Noise] = {}

#: name -> :class:`Noise`, in registration order (read-only view of the live table)
NOISES: Mapping[str, Noise] = MappingProxyType(_TABLE)


def register(noise: Noise) -> Noise:
    """Add ``noise`` to the table (ValueError if its name is taken); returns it.

    >>> register(get("gaussian"))
    Traceback (most recent call last):
        ...
    ValueError: noise 'gaussian' is already registered
    """
    if not isinstance(noise, Noise):
        raise ValueError(f"noise must be a theory.noises.Noise, got {type(noise).__name__}")
    if noise.name in _TABLE:
        raise ValueError(f"noise {noise.name!r} is already registered")
    _TABLE[noise.name] = noise
    return noise


def unregister(name: str) -> None:
    """Remove a registered noise (tests register toy noises and remove them again).

    >>> unregister("cauchy")                 # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: noise must be one of [...], got 'cauchy'
    """
    _TABLE.pop(get(name).name)


def names() -> tuple[str, ...]:
    """The registered noise names, in registration order.

    >>> names()
    ('gaussian', 'exponential-linf', 'laplace', 'uniform', 'exponential-l2', 'gaussian-lattice')
    """
    return tuple(_TABLE)


def get(name: str) -> Noise:
    """The :class:`Noise` called ``name`` (ValueError naming the registered ones otherwise).

    >>> get("laplace").variance(1.0, 3)                         # 2 sigma^2
    2.0
    """
    if not isinstance(name, str) or name not in _TABLE:
        raise ValueError(f"noise must be one of {list(_TABLE)}, got {name!r}")
    return _TABLE[name]


def sampler_key(name: str) -> str:
    """The key of the torch sampler of noise ``name`` (:mod:`empirical.noise`); ValueError if it has none.

    >>> sampler_key("gaussian")
    'gaussian'
    """
    key = get(name).sampler_key
    if key is None:
        raise ValueError(f"noise {name!r} has no torch sampler; noises with one: {list(sampler_keys())}")
    return key


def sampler_keys() -> tuple[str, ...]:
    """The noises the torch side can draw, those with a sampler key (``empirical.noise.MECHANISMS``).

    >>> sampler_keys()
    ('gaussian', 'exponential-linf', 'gaussian-lattice')
    """
    return tuple(n.name for n in _TABLE.values() if n.sampler_key is not None)


def float_sampler_noises() -> tuple[str, ...]:
    """The noises the torch side adds in floating point (``empirical.noise.FLOAT_MECHANISMS``; the training noises).

    >>> float_sampler_noises()
    ('gaussian', 'exponential-linf')
    """
    return tuple(n.name for n in _TABLE.values() if n.sampler_key is not None and n.float_sampler)


def engine_noises() -> tuple[str, ...]:
    """The noises with a Neyman-Pearson cell: those of :func:`theory.neyman_pearson.tight_radius` (its ``NOISES``).

    >>> engine_noises()
    ('gaussian', 'exponential-linf', 'laplace', 'uniform', 'exponential-l2')
    """
    return tuple(n.name for n in _TABLE.values() if n.cell is not None)


def radius_noise(name: str) -> str:
    """The noise whose radius columns noise ``name`` reports (``empirical.core.radius_mechanism``): its
    ``radius_noise``, else itself.

    >>> radius_noise("gaussian-lattice"), radius_noise("exponential-linf")
    ('gaussian', 'exponential-linf')
    """
    entry = get(name)
    return entry.name if entry.radius_noise is None else entry.radius_noise


def primary_certificate(name: str) -> str:
    """The certificate CERTIFY reports for noise ``name`` (``empirical.core.PRIMARY_CERTIFICATE[name]``).

    >>> primary_certificate("exponential-linf")
    't13'
    """
    prim = get(name).primary
    if prim is None:
        raise ValueError(f"noise {name!r} has no primary certificate")
    return prim


def primary_certificates() -> dict[str, str]:
    """noise -> primary certificate, for the noises that have one (``empirical.core.PRIMARY_CERTIFICATE``).

    >>> primary_certificates()
    {'gaussian': 'cohen', 'exponential-linf': 't13', 'gaussian-lattice': 'cohen'}
    """
    return {n.name: n.primary for n in _TABLE.values() if n.primary is not None}


def radius_columns() -> dict[str, tuple[str, ...]]:
    """noise -> the radius columns of the empirical TSV (:data:`theory.certificates.RADIUS_COLUMNS`).

    >>> radius_columns()["exponential-linf"]
    ('radius_t13_linf', 'radius_yang_linf')
    """
    return {n.name: tuple(c for c, _, _ in n.columns) for n in _TABLE.values() if n.columns}


def column_spec() -> dict[str, tuple[str, dict[str, float | None]]]:
    """TSV column -> (certificate, params) over every noise.

    >>> column_spec()["radius_t18_linf_c3"]                     # d = None: the data's dimension
    ('t18', {'c': 3.0, 'd': None})
    """
    return {c: (cert, dict(prm)) for n in _TABLE.values() for c, cert, prm in n.columns}


def compare_columns() -> tuple[Column, ...]:
    """The columns of ``python -m theory radius --compare``, noise by noise in table order.

    >>> compare_columns()[-1]
    ('uniform-linf', 'uniform-linf', {'d': None})
    """
    return tuple(col for n in _TABLE.values() for col in n.compare)


def scaling_noises() -> tuple[str, ...]:
    """The noises whose magnitudes ``python -m theory scaling`` reports.

    >>> scaling_noises()
    ('gaussian', 'exponential-linf')
    """
    return tuple(n.name for n in _TABLE.values() if n.scaling)


def certificates_of(name: str) -> list[Certificate]:
    """The certificates of :data:`theory.certificates.CERTIFICATES` for noise ``name`` (their ``mechanism``).

    >>> [c.name for c in certificates_of("uniform")]
    ['uniform-l1', 'uniform-linf']
    """
    from theory.certificates.registry import CERTIFICATES

    get(name)
    return [c for c in CERTIFICATES.values() if c.mechanism == name]


# --------------------------------------------------------------------------------------------------
# the built-in noises
# --------------------------------------------------------------------------------------------------

def _mech(cls_name: str) -> Callable[[float, int], Mechanism]:
    def build(sigma: float, d: int) -> Mechanism:
        from theory import mechanisms

        mech: Mechanism = getattr(mechanisms, cls_name)(sigma, d)
        return mech
    build.__name__ = f"{cls_name}_of"
    return build


def _from_mechanism(cls_name: str, method: str) -> Callable[[float, int], float]:
    build = _mech(cls_name)

    def f(sigma: float, d: int) -> float:
        return float(getattr(build(sigma, d), method)())
    return f


# numpy samplers ``sample(rng, sigma, d, n)`` (the Monte Carlo of theory.audit_witness draws exactly these streams)

def _sample_gaussian(rng: np.random.Generator, sigma: float, d: int, n: int) -> npt.NDArray[np.float64]:
    return rng.standard_normal((n, d)) * sigma


def _sample_laplace(rng: np.random.Generator, sigma: float, d: int, n: int) -> npt.NDArray[np.float64]:
    return rng.laplace(0.0, sigma, size=(n, d))


def _sample_uniform(rng: np.random.Generator, sigma: float, d: int, n: int) -> npt.NDArray[np.float64]:
    return rng.uniform(-sigma, sigma, size=(n, d))


def _sample_exponential_linf(rng: np.random.Generator, sigma: float, d: int, n: int) -> npt.NDArray[np.float64]:
    if d == 1:   # eq. 6 in one dimension is the Laplace law
        return _sample_laplace(rng, sigma, d, n)
    # R14: Z = R U, R ~ Gamma(d + 1, sigma), U uniform on [-1, 1]^d
    out: npt.NDArray[np.float64] = rng.gamma(d + 1, sigma, size=(n, 1)) * rng.uniform(-1.0, 1.0, size=(n, d))
    return out


def _sample_exponential_l2(rng: np.random.Generator, sigma: float, d: int, n: int) -> npt.NDArray[np.float64]:
    if d == 1:   # exp(-|z| / sigma): the Laplace law
        return _sample_laplace(rng, sigma, d, n)
    # ||Z||_2 ~ Gamma(d, sigma) (polar coordinates: r^(d-1) exp(-r / sigma)) times an independent uniform direction
    g = rng.standard_normal((n, d))
    out: npt.NDArray[np.float64] = rng.gamma(d, sigma, size=(n, 1)) * g / np.linalg.norm(g, axis=1, keepdims=True)
    return out


#: the lattice of the ``gaussian-lattice`` mode: steps per unit (theory.lattice_gaussian.LEVELS)
_LATTICE_LEVELS = 255


def _lattice_variance(sigma: float, d: int) -> float:
    # E[(J / 255)^2], J = round(Z), Z ~ N(0, s^2), s = 255 sigma: sum_j j^2 P(J = j) over |j| <= 40 s + 1, the atoms
    # P(J = j) = Phi((j + 1/2)/s) - Phi((j - 1/2)/s) from the upper tail (no cancellation); the sampler's clip near
    # 9 s (theory.lattice_gaussian) and its rejected cells move this by less than 1e-15 relative
    s = _LATTICE_LEVELS * sigma
    j = np.arange(1, math.ceil(40 * s) + 2, dtype=float)
    p = special.ndtr(-(j - 0.5) / s) - special.ndtr(-(j + 0.5) / s)
    return float(2 * np.sum(j * j * p)) / _LATTICE_LEVELS ** 2


def _gaussian_tail_bound(d: int) -> float:
    # |z_i| / sigma of a Gaussian coordinate: P(|N(0, 1)| > 40) < 1e-340 per draw
    return 40.0


def _exponential_linf_tail_bound(d: int) -> float:
    # R14: |z_i| <= R ~ Gamma(d + 1, sigma); 40 standard deviations of the Gamma above its mean, + 40
    return d + 1 + 40.0 * math.sqrt(d + 1) + 40.0


def _sphere_abs_coordinate_mean(d: int) -> float:
    """E|u_1| for u uniform on the unit sphere of R^d: Gamma(d/2) / (sqrt(pi) Gamma((d+1)/2)) (d = 1: 1)."""
    return math.exp(special.gammaln(d / 2.0) - special.gammaln((d + 1) / 2.0)) / math.sqrt(math.pi)


register(Noise(
    name="gaussian",
    witness=np_cells.GAUSSIAN_WITNESS,
    sample=_sample_gaussian,
    flip=np_cells.gaussian_flip,
    label="Gaussian N(0, σ²I_d)",
    density="N(0, sigma^2 I_d)",
    sigma_meaning="standard deviation",
    reference="Cohen, Rosenfeld & Kolter 2019; the paper's C11, T18",
    cell=np_cells.gaussian_cell,
    multiclass_norms=NORMS,
    variance=lambda s, d: s ** 2,
    expected_norms={
        "l1": lambda s, d: d * s * math.sqrt(2.0 / math.pi),
        "l2": _from_mechanism("Gaussian", "expected_l2_norm"),
        "linf": _from_mechanism("Gaussian", "expected_linf_norm"),
    },
    mechanism=_mech("Gaussian"),
    columns=(("radius_cohen", "cohen", {}), ("radius_c11_c1", "c11", {"c": 1.0}), ("radius_c11_c3", "c11", {"c": 3.0}),
             ("radius_t18_linf_c1", "t18", {"c": 1.0, "d": None}), ("radius_t18_linf_c3", "t18", {"c": 3.0, "d": None}),
             ("radius_cohen_linf", "cohen-linf", {"d": None}), ("radius_pixeldp", "pixeldp", {}),
             ("radius_li_renyi", "li-renyi", {})),
    compare=(("cohen", "cohen", {}), ("c11 c=1", "c11", {"c": 1.0}), ("c11 c=3", "c11", {"c": 3.0}),
             ("pixeldp", "pixeldp", {}), ("li-renyi", "li-renyi", {}), ("cohen-linf", "cohen-linf", {"d": None}),
             ("t18 c=1", "t18", {"c": 1.0, "d": None}), ("t18 c=3", "t18", {"c": 3.0, "d": None})),
    primary="cohen",
    sampler_key="gaussian",
    tail_bound=_gaussian_tail_bound,
    scaling=True,
))
register(Noise(
    name="exponential-linf",
    witness=np_cells.EXPONENTIAL_LINF_WITNESS,
    sample=_sample_exponential_linf,
    flip=np_cells.exponential_linf_flip,
    label="eq. 6 exponential p(z) ∝ exp(−‖z‖∞/σ)",
    density="exp(-||z||_inf / sigma) / (2^d sigma^d d!)   (eq. 6)",
    sigma_meaning="scale (||z||_inf ~ Gamma(d, sigma); R14: z = R U, R ~ Gamma(d + 1, sigma))",
    reference="the paper's eq. 6, T13, T15, R14; Yang et al. 2020 (ExpInf)",
    cell=np_cells.exponential_linf_cell,
    multiclass_norms=(),
    # one coordinate is the face (|z_1| = R w.p. 1/d), the others uniform on [-R, R]: E Z_1^2 = E R^2 (d + 2)/(3d)
    variance=lambda s, d: s ** 2 * (d + 1) * (d + 2) / 3.0,
    expected_norms={
        "l1": lambda s, d: d * (d + 1) * s / 2.0,           # R14: E|z_i| = E[R] E|U_i| = (d + 1) sigma / 2
        "l2": _from_mechanism("ExponentialLinf", "expected_l2_norm"),
        "linf": _from_mechanism("ExponentialLinf", "expected_linf_norm"),   # T15: d sigma
    },
    mechanism=_mech("ExponentialLinf"),
    columns=(("radius_t13_linf", "t13", {}), ("radius_yang_linf", "yang-linf", {})),
    compare=(("t13 (eq.6)", "t13", {}), ("yang-linf (eq.6)", "yang-linf", {})),
    primary="t13",
    sampler_key="exponential-linf",
    tail_bound=_exponential_linf_tail_bound,
    scaling=True,
))
register(Noise(
    name="laplace",
    witness=np_cells.LAPLACE_WITNESS,
    sample=_sample_laplace,
    flip=np_cells.laplace_flip,
    label="Laplace (product) p(z) ∝ exp(−‖z‖₁/σ)",
    density="prod_i exp(-|z_i| / sigma) / (2 sigma)",
    sigma_meaning="scale b",
    reference="Teng, Lee & Yuan 2020",
    cell=np_cells.laplace_cell,
    multiclass_norms=("l1",),
    variance=lambda s, d: 2 * s ** 2,
    expected_norms={
        "l1": lambda s, d: d * s,
        "l2": _from_mechanism("Laplace", "expected_l2_norm"),
        "linf": _from_mechanism("Laplace", "expected_linf_norm"),
    },
    mechanism=_mech("Laplace"),
    compare=(("laplace-l1 (Teng)", "laplace-l1", {}),),
))


def _uniform_l2(s: float, d: int) -> float:
    # R14: an eq.-6 draw is R U with U uniform on [-1, 1]^d and E[R] = (d + 1) sigma, independent of U, so
    # E||U||_2 = E||z_eq6||_2 / ((d + 1) sigma) (one 1-d quadrature, theory.mechanisms.ExponentialLinf)
    return s * _from_mechanism("ExponentialLinf", "expected_l2_norm")(1.0, d) / (d + 1)


register(Noise(
    name="uniform",
    witness=np_cells.UNIFORM_WITNESS,
    sample=_sample_uniform,
    flip=np_cells.uniform_flip,
    label="uniform on [−σ, σ]^d",
    density="uniform on the cube [-sigma, sigma]^d",
    sigma_meaning="half-width lambda of the cube",
    reference="Yang et al. 2020 (uniform noise, l1); Levine & Feizi 2021",
    cell=np_cells.uniform_cell,
    multiclass_norms=NORMS,
    variance=lambda s, d: s ** 2 / 3,
    expected_norms={
        "l1": lambda s, d: d * s / 2.0,
        "l2": _uniform_l2,
        "linf": lambda s, d: s * d / (d + 1.0),        # max_i |U_i| ~ Beta(d, 1)
    },
    compare=(("uniform-l1", "uniform-l1", {}), ("uniform-linf", "uniform-linf", {"d": None})),
))
register(Noise(
    name="exponential-l2",
    witness=np_cells.EXPONENTIAL_L2_WITNESS,
    sample=_sample_exponential_l2,
    flip=np_cells.exponential_l2_flip,
    label="l2 exponential p(z) ∝ exp(−‖z‖₂/σ)",
    density="exp(-||z||_2 / sigma) / (normaliser)",
    sigma_meaning="scale (||z||_2 ~ Gamma(d, sigma))",
    reference="Yang et al. 2020, Section 4",
    cell=np_cells.exponential_l2_cell,
    multiclass_norms=NORMS,
    variance=lambda s, d: s ** 2 * (d + 1),            # E||Z||^2 / d = d (d + 1) sigma^2 / d
    expected_norms={
        "l1": lambda s, d: d * s * d * _sphere_abs_coordinate_mean(d),   # E[R] E||u||_1, u uniform on the sphere
        "l2": lambda s, d: d * s,                                        # E[R], R ~ Gamma(d, sigma)
    },
))

register(Noise(
    name="gaussian-lattice",
    label="Gaussian rounded to the 1/255 lattice (issue 23)",
    density="J / 255, P(J = j) = Phi((j + 1/2) / s) - Phi((j - 1/2) / s), s = 255 sigma, |j| <= clip",
    sigma_meaning="standard deviation of the Gaussian before rounding (pixel units)",
    reference="issue 23 (the sound floating-point mode); theory.lattice_gaussian",
    cell=None,                       # certification only: Cohen's radius at pA_lower - d eta (lattice_certify)
    multiclass_norms=(),
    variance=_lattice_variance,
    expected_norms={},
    primary="cohen",
    radius_noise="gaussian",
    sampler_key="gaussian-lattice",
    float_sampler=False,
    tail_bound=_gaussian_tail_bound,   # the rounded Gaussian is clipped at |J| <= clip ~ 9 s (theory.lattice_gaussian)
))


def _check_table() -> None:
    """Every registered column names a certificate with the noise as its mechanism (run by the tests)."""
    from theory.certificates.registry import get as get_certificate

    for n in _TABLE.values():
        for label, cert, _ in (*n.columns, *n.compare):
            c = get_certificate(cert)
            if c.mechanism != n.name:
                raise ValueError(f"column {label!r} of noise {n.name} names certificate {cert} of {c.mechanism}")
        if n.primary is not None:
            get_certificate(n.primary)
        if n.radius_noise is not None and get(n.radius_noise).radius_noise is not None:
            raise ValueError(f"noise {n.name}: radius_noise {n.radius_noise} must report its own radii")

