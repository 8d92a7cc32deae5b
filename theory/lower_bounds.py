"""Explicit lower bounds on the noise magnitude of robust mechanisms (T12, T16, T17 repaired; issue 11).

Setting.  A mechanism ``A`` (any randomised map R^d → R^d, additive or not) is *(R, notion, norm, ε')-robust
on a set X* if ``Div(A(x) ‖ A(x')) ≤ ε'`` for all x, x' ∈ X with ``‖x − x'‖ ≤ R`` (``Div`` = D∞ or DMR =
sup_{a>1} D_a/a); its *noise magnitude* on X is ``α = sup_{x∈X} E‖A(x) − x‖∞``.  The paper's lower bounds
(T12, T16, T17) take ``R = 2r`` and ``ε' = ε/2``.  Here X is a cube ``[0, s]^d`` (convex, so every segment
between two of its points lies in it); :func:`lower_bound` returns the cube side ``s`` it needs: the bound
holds for every mechanism that is robust and accurate on that cube, hence for every additive mechanism
``A(x) = x + z`` robust on all of R^d.

Derivation (every step rigorous, every constant explicit).

1. *Chains* (group privacy).  Two points at distance ``D`` are joined by ``k = ⌈D/R⌉`` steps of length
   ≤ R along the segment.  Pure DP: ``D∞(A(x)‖A(x')) ≤ kε'`` (D∞ is additive along a chain).  DMR: a
   per-step bound ``D_a ≤ a ε'`` for all a > 1 is ε'-zCDP for that pair; zCDP group privacy (Bun & Steinke
   2016, Prop. 1.9 / 27: ρ-zCDP ⇒ k²ρ for groups of size k; the proof only uses the chain of output
   distributions) gives ``D_a ≤ a k² ε'``, so ``KL ≤ k² ε'`` (a → 1).  The factor k² is attained by the
   Gaussian (``μ² / 2`` is quadratic in the shift), so it cannot be improved to k in general.
2. *Packings and decoding.*  A finite set of centres at pairwise ℓ∞ distance ≥ ``w`` (the decoding width)
   and the decoder "the centre within ℓ∞ distance < w/2 of the output" (unique).  By Markov,
   ``P(‖A(x) − x‖∞ ≥ w/2) ≤ 2α/w``, so every centre is decoded correctly with probability
   ``p ≥ 1 − 2α/w``, i.e. ``α ≥ (w/2)(1 − p_max)`` where ``p_max`` bounds the success probability.

   * ``corners``: ``x_v = s·v``, v ∈ {0,1}^d, M = 2^d, w = s; reference point the centre ``(s/2)·1`` at
     distance ``s/2`` (ℓ∞) resp. ``(s/2)√d`` (ℓ2) from every corner: ``k = ⌈s/(2R)⌉`` resp.
     ``⌈s√d/(2R)⌉``; we take ``s = 2kR`` resp. ``2kR/√d`` (the largest side for that k).
   * ``axes``: ``x_0 = 0``, ``x_i = t·e_i`` (i = 1..d), M = d + 1, w = t, reference ``x_0``, distance t in
     either norm: ``k = ⌈t/R⌉``, ``t = kR``; cube side t.
   * ``two-point`` (DMR only): ``x_0 = 0``, ``x_1 = t·e_1``, t = kR.
3. *Success bounds.*
   * D∞, reference not a centre (corners): ``P_ref(decode v) ≥ e^{−kε'} p`` for every v; summing,
     ``p ≤ e^{kε'}/M``.  Reference a centre (axes): ``1 ≥ p + (M − 1)e^{−kε'}p``, ``p ≤ 1/(1 + d e^{−kε'})``.
   * DMR, Fano: V uniform on the M centres, ``I(V; A(x_V)) ≤ mean_v KL(A(x_v) ‖ A(ref)) ≤ k²ε'`` (axes:
     ``d/(d+1)·k²ε'``, the reference being one of the centres); average success ≤ ``(I + ln 2)/ln M``.
   * DMR, two points (Le Cam): ``p ≤ (1 + TV)/2`` with ``TV ≤ min(√(KL/2), √(1 − e^{−KL}))`` (Pinsker,
     Bretagnolle–Huber), KL ≤ k²ε'.
4. *Optimise* the bound ``(w(k)/2)(1 − p_max(k))`` over the integer k ≥ 1 (each k gives a valid bound, so
   an imperfect optimiser only weakens it) and over the packings; report the best.

Asymptotes (k relaxed to a real, d → ∞; ``theory.lower_bounds.asymptotic_constant``, derived with sympy in
the tests): with R = 2r, ε' = ε/2

* ℓ∞, D∞ (T16): ``α ≥ (4 ln 2 − o(1))·r d/ε`` (corners); eq. 6 (σ = 4r/ε) has ``α = 4rd/ε``: gap → 1/ln 2.
* ℓ∞, DMR (T17): ``α ≥ ((4/3)√(2 ln 2/3) − o(1))·r√d/√ε ≈ 0.906·r√d/√ε`` (corners + Fano); the T18
  Gaussian has ``α ≈ 2r√(d/ε)·√(2 ln d)``: gap grows like √log d.
* ℓ2, DMR (T12): ``α ≥ ((2/3)√(2/3) − o(1))·r√(ln d)/√ε`` (axes + Fano), which exceeds T12's ``r/√ε``;
  the Gaussian (σ = 2r/√ε) has ``α ≈ 2√2·r√(ln d)/√ε``: gap → 3√3 ≈ 5.2, bounded.
* ℓ2, D∞ (no claim in the paper): ``α ≥ (4 ln 2 − o(1))·r√d/ε`` (corners); best known: the ℓ2-Laplace
  mechanism ``p(z) ∝ exp(−‖z‖₂/σ)``, σ = 4r/ε, ``α ≈ σ√(2d ln d)``: gap grows like √log d.

Ranges.  The bound is positive iff some k ≥ 1 gives ``p_max < 1``: D∞ always (axes, any ε' > 0, though it
decays like e^{−ε'}); DMR iff ε' < 2 ln 2 (two-point, k = 1: Bretagnolle–Huber) or the Fano packings allow
k = 1 (``ε' < (d − 1) ln 2`` for corners).  The explicit constant relative to the claimed order is ENCLOSED
(:func:`enclose_uniform_constant`: interval branch-and-bound over integer d ∈ [1, 10⁶] and continuous
ε ∈ [10⁻⁶, eps_max(d)], ``EPS_RANGE`` of each setting; issue 19); outside such ranges ("ε ≤ O(d)" for D∞,
"ε ≤ O(1)" for DMR) the bound tends to 0 relative to the claimed rate.  :func:`uniform_constant` is the older
grid minimum (sampled: it can only over-estimate the constant).  The gap ranges of the Table-1 cells over every
integer d ∈ [1, 10⁶] are enclosed by :func:`enclose_gap_range`.

>>> res = lower_bound("T16", d=100, eps=1.0)
>>> res.lower_bound <= res.best_mechanism_alpha
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from flint import acb, arb

from theory import enclosure as E
from theory import validate as V
from theory.jsonio import dump_json, json_float, load_result, to_jsonable

#: accepted ranges (beyond them k or the noise magnitudes leave the float range; the bound is linear in r)
D_MAX = 10**9
EPS_LIMITS = (1e-6, 1e6)
R_LIMITS = (1e-100, 1e100)
NOTIONS = ("dinf", "dmr")
NORMS = ("l2", "linf")
#: the paper's lower-bound theorems: claim -> (notion, norm)
CLAIM_SETTINGS = {"T12": ("dmr", "l2"), "T16": ("dinf", "linf"), "T17": ("dmr", "linf")}
#: the order each setting is compared with (constant 1): T12 r/√ε, T16 rd/ε, T17 r√d/√ε; ℓ2/D∞ r√d/ε.
RATE_TEXT = {("dinf", "linf"): "r·d/ε", ("dmr", "linf"): "r·√d/√ε", ("dmr", "l2"): "r/√ε",
             ("dinf", "l2"): "r·√d/ε"}
LN2 = math.log(2.0)


def claimed_rate(notion: str, norm: str, d: int, eps: float, r: float = 1.0) -> float:
    """The claimed order with hidden constant 1 (T16: rd/ε, T17: r√d/√ε, T12: r/√ε; ℓ2/D∞: r√d/ε)."""
    if (notion, norm) == ("dinf", "linf"):
        return r * d / eps
    if (notion, norm) == ("dmr", "linf"):
        return r * math.sqrt(d) / math.sqrt(eps)
    if (notion, norm) == ("dmr", "l2"):
        return r / math.sqrt(eps)
    return r * math.sqrt(d) / eps


# ----------------------------------------------------------------------------------------------------
# one packing at one chain length k
# ----------------------------------------------------------------------------------------------------

PACKINGS = {"dinf": ("corners", "axes"), "dmr": ("corners", "axes", "two-point")}


def width(packing: str, norm: str, k: float, d: int, R: float) -> float:
    """Decoding width w (= cube side) of ``packing`` with chains of k steps of length ≤ R (module doc, 2)."""
    if packing == "corners":
        return 2.0 * k * R if norm == "linf" else 2.0 * k * R / math.sqrt(d)
    return k * R


def one_minus_success(packing: str, notion: str, k: float, d: int, eps_step: float) -> float:
    """1 − p_max for ``packing`` at chain length k (module doc, 3); 0 when the bound is trivial there."""
    if notion == "dinf":
        if packing == "corners":
            x = k * eps_step - d * LN2                # log p_max
            return -math.expm1(x) if x < 0 else 0.0
        if packing == "axes":                          # 1/(1 + e^{k eps'}/d) = expit(ln d - k eps')
            u = math.log(d) - k * eps_step
            return 1.0 / (1.0 + math.exp(-u)) if u > -700 else 0.0
        raise ValueError(f"packing must be one of {PACKINGS['dinf']} for dinf, got {packing!r}")
    kl = k * k * eps_step
    if packing == "corners":
        if d < 2:
            return 0.0
        return max(0.0, 1.0 - (kl + LN2) / (d * LN2))
    if packing == "axes":
        if d < 2:
            return 0.0
        return max(0.0, 1.0 - (d / (d + 1.0) * kl + LN2) / math.log(d + 1.0))
    if packing == "two-point":
        tv = min(math.sqrt(kl / 2.0), math.sqrt(-math.expm1(-kl)))
        return max(0.0, (1.0 - tv) / 2.0)
    raise ValueError(f"packing must be one of {PACKINGS['dmr']} for dmr, got {packing!r}")


def bound_at(packing: str, notion: str, norm: str, k: float, d: int, R: float, eps_step: float) -> float:
    """α ≥ (w(k)/2)·(1 − p_max(k)) for one packing and one k (valid for every integer k ≥ 1)."""
    return width(packing, norm, k, d, R) / 2.0 * one_minus_success(packing, notion, k, d, eps_step)


def _k_max(packing: str, notion: str, d: int, eps_step: float) -> float:
    """A k beyond which the bound is 0 or (for the e^{−k} / e^{−k²} tails) negligible and decreasing."""
    if notion == "dinf":
        if packing == "corners":
            return max(1.0, d * LN2 / eps_step)
        return max(1.0, (math.log(d) + 60.0) / eps_step)
    if packing == "two-point":
        return max(1.0, math.sqrt(60.0 / eps_step))
    m = d * LN2 if packing == "corners" else math.log(d + 1.0) * (d + 1.0) / d
    return max(1.0, math.sqrt(max(m, 0.0) / eps_step))


def best_k(packing: str, notion: str, norm: str, d: int, R: float, eps_step: float) -> tuple[int, float]:
    """Integer k ≥ 1 maximising :func:`bound_at` (value, k).

    The objective k ↦ w(k)(1 − p(k)) is unimodal in k (log-concave for every packing above), so: a
    log-spaced scan of 200 integers in [1, k_max], then an integer ternary search on the bracket around
    the best scan point, then the neighbours ±2.  Tested against exhaustive integer scans."""
    import numpy as np

    km = _k_max(packing, notion, d, eps_step)
    def f(k: int) -> float:
        return bound_at(packing, notion, norm, int(k), d, R, eps_step)

    if km <= 400:
        ks = range(1, math.ceil(km) + 2)
        v, k = max((f(k), k) for k in ks)
        return int(k), v
    grid = np.unique(np.round(np.geomspace(1, km + 1, 200)).astype(np.int64))
    vals: list[float] = [f(k) for k in grid]
    i = int(np.argmax(vals))
    lo, hi = int(grid[max(i - 1, 0)]), int(grid[min(i + 1, len(grid) - 1)])
    while hi - lo > 3:
        m1 = lo + (hi - lo) // 3
        m2 = hi - (hi - lo) // 3
        if f(m1) < f(m2):
            lo = m1
        else:
            hi = m2
    cands = range(max(1, lo - 2), hi + 3)
    v, k = max((f(k), k) for k in cands)
    return int(k), v


# ----------------------------------------------------------------------------------------------------
# the best known mechanisms (theory.mechanisms; calibrations of T10, T13/T15, T18)
# ----------------------------------------------------------------------------------------------------

def best_mechanism(notion: str, norm: str, d: int, R: float, eps_step: float) -> tuple[str, float]:
    """(name, E‖z‖∞) of the best known (R, notion, norm, ε')-robust additive mechanism.

    * ℓ∞/D∞: eq. 6 with D∞ = R/σ (T13) ⇒ σ = R/ε', E‖z‖∞ = dσ (T15);
    * ℓ∞/DMR: Gaussian with DMR = dR²/(2σ²) at the corner (T18) ⇒ σ = R√(d/(2ε'));
    * ℓ2/DMR: Gaussian with DMR = R²/(2σ²) (T10) ⇒ σ = R/√(2ε');
    * ℓ2/D∞: ℓ2-Laplace p(z) ∝ exp(−‖z‖₂/σ), D∞ = R/σ ⇒ σ = R/ε'; ‖z‖₂ ~ Gamma(d, σ) independent of the
      uniform direction, so E‖z‖∞ = dσ·E‖g‖∞/E‖g‖₂ (g ~ N(0, I_d)).
    E‖g‖∞, E‖g‖₂ from :class:`theory.mechanisms.Gaussian`."""
    from theory.mechanisms import ExponentialLinf, Gaussian

    if (notion, norm) == ("dinf", "linf"):
        return "exponential eq. 6 (σ = R/ε')", ExponentialLinf(R / eps_step, d).expected_linf_norm()
    if (notion, norm) == ("dmr", "linf"):
        return "Gaussian, T18 calibration (σ = R√(d/(2ε')))", \
            Gaussian(R * math.sqrt(d / (2.0 * eps_step)), d).expected_linf_norm()
    if (notion, norm) == ("dmr", "l2"):
        return ("Gaussian, T10 calibration (σ = R/√(2ε'))",
                Gaussian(R / math.sqrt(2.0 * eps_step), d).expected_linf_norm())
    g = Gaussian(1.0, d)
    return "l2-Laplace exp(-||z||_2/σ) (σ = R/ε')", d * (R / eps_step) * g.expected_linf_norm() / g.expected_l2_norm()


# ----------------------------------------------------------------------------------------------------
# the result
# ----------------------------------------------------------------------------------------------------

#: version of the JSON layout written by :meth:`LowerBoundResult.to_json`
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class LowerBoundResult:
    """A rigorous lower bound on α = sup_x E‖A(x) − x‖∞ over (2r, notion, norm, ε/2)-robust mechanisms
    accurate on the cube [0, cube_side]^d, with the claimed order and the best known mechanism.

    ``lower_bound``; ``claimed_rate`` (claimed order, constant 1); ``ratio`` = lower_bound/claimed_rate;
    ``best_mechanism`` / ``best_mechanism_alpha`` (its E‖z‖∞); ``gap`` = best_mechanism_alpha/lower_bound;
    ``cube_side``; derivation parameters ``packing``, ``k`` (chain length), ``s`` (decoding width = side)."""

    claim: str
    notion: str
    norm: str
    d: int
    eps: float
    r: float
    lower_bound: float
    claimed_rate: float
    ratio: float
    best_mechanism: str
    best_mechanism_alpha: float
    gap: float
    cube_side: float
    packing: str
    k: int
    s: float

    schema_version: int = SCHEMA_VERSION

    JSON_FIELDS = ("lower_bound", "claimed_rate", "ratio", "best_mechanism", "best_mechanism_alpha", "gap",
                   "cube_side")

    def cli_dict(self) -> dict[str, Any]:
        """The CLI's JSON object (``python -m theory lower-bound --json``): exactly :attr:`JSON_FIELDS`."""
        d = asdict(self)
        return {k: d[k] for k in self.JSON_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-shaped (:func:`theory.jsonio.to_jsonable`: inf and nan as strings)."""
        out: dict[str, Any] = to_jsonable(self)
        return out

    def to_json(self, path: str | Path) -> Path:
        """Write the whole result as JSON; returns ``path`` (read back with :meth:`from_json`).

        >>> import tempfile, pathlib
        >>> res = lower_bound("T16", d=100, eps=1.0, with_mechanism=False)
        >>> back = LowerBoundResult.from_json(res.to_json(pathlib.Path(tempfile.mkdtemp()) / "lb.json"))
        >>> back.lower_bound == res.lower_bound, back.best_mechanism_alpha  # nan without a mechanism
        (True, nan)
        """
        return dump_json(self, path, indent=1)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LowerBoundResult:
        if d.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version must be {SCHEMA_VERSION}, got {d.get('schema_version')!r}")
        kw = {f.name: d[f.name] for f in fields(cls)}
        for f in fields(cls):
            if f.type == "float":
                kw[f.name] = json_float(kw[f.name])
        return cls(**kw)

    @classmethod
    def from_json(cls, path: str | Path) -> LowerBoundResult:
        """Read a result written by :meth:`to_json`; a file that is not one is a ``ValueError`` naming it."""
        return load_result(path, "a lower-bound result", cls.from_dict)


def _setting(claim: str | None, notion: str | None, norm: str | None) -> tuple[str, tuple[str, str]]:
    if claim is not None:
        key = str(claim).strip().upper()
        if key not in CLAIM_SETTINGS:
            raise ValueError(f"claim must be one of {list(CLAIM_SETTINGS)}, got {claim!r}")
        return key, CLAIM_SETTINGS[key]
    notion = V.choice("notion", notion, NOTIONS)
    norm = V.choice("norm", norm, NORMS)
    inv = {v: k for k, v in CLAIM_SETTINGS.items()}
    return inv.get((notion, norm), ""), (notion, norm)


def lower_bound(claim: str | None = None, *, d: Any, eps: Any, r: Any = 1.0, notion: str | None = None,
                norm: str | None = None, with_mechanism: bool = True) -> LowerBoundResult:
    """Lower bound for ``claim`` ∈ {T12, T16, T17} (or an explicit ``notion``/``norm``) at (d, ε, r), with
    robust radius R = 2r and per-step divergence ε' = ε/2 as in the printed theorems (module docstring).

    >>> lower_bound("T17", d=1000, eps=1.0).ratio > 0.8
    True
    """
    claim, (notion, norm) = _setting(claim, notion, norm)
    d = V.dimension("d", d)
    if d > D_MAX:
        raise ValueError(f"d must be an integer in [1, {D_MAX:g}], got {d}")
    eps = V.in_closed_interval("eps", eps, *EPS_LIMITS)
    r = V.in_closed_interval("r", r, *R_LIMITS)
    # the construction is linear in r: compute at r = 1 and scale (no under/overflow for extreme r)
    R, es = 2.0, eps / 2.0
    best = (0.0, "none", 0, 0.0)
    for pk in PACKINGS[notion]:
        k, v = best_k(pk, notion, norm, d, R, es)
        if v > best[0]:
            best = (v, pk, k, width(pk, norm, k, d, R))
    lb, pk, k, s = best
    rate = claimed_rate(notion, norm, d, eps, 1.0)
    if with_mechanism:
        name, a = best_mechanism(notion, norm, d, R, es)
    else:
        name, a = "", math.nan
    gap = a / lb if lb > 0 else math.inf
    return LowerBoundResult(claim, notion, norm, d, eps, r, r * lb, r * rate, lb / rate, name, r * a, gap, r * s,
                            pk, k, r * s)


# ----------------------------------------------------------------------------------------------------
# closed-form asymptotes and the uniform constant
# ----------------------------------------------------------------------------------------------------

#: lim_{d→∞} lower_bound / claimed_rate (T16: 4 ln 2; T17: (4/3)√(2 ln 2/3)); for T12 the limit of
#: lower_bound / (r√(ln d)/√ε) ((2/3)√(2/3)); ℓ2/D∞: 4 ln 2 relative to r√d/ε.
ASYMPTOTIC_CONSTANT = {
    ("dinf", "linf"): 4 * LN2,
    ("dmr", "linf"): 4.0 / 3.0 * math.sqrt(2 * LN2 / 3),
    ("dmr", "l2"): 2.0 / 3.0 * math.sqrt(2.0 / 3.0),
    ("dinf", "l2"): 4 * LN2,
}

#: the ε range over which :func:`uniform_constant` is computed (and stated in the readings)
EPS_RANGE = {("dinf", "linf"): "ε ≤ d", ("dmr", "linf"): "ε ≤ 1", ("dmr", "l2"): "ε ≤ 1",
             ("dinf", "l2"): "ε ≤ √d"}


def eps_max(notion: str, norm: str, d: int) -> float:
    """Upper end of :data:`EPS_RANGE` at dimension d."""
    return {("dinf", "linf"): float(d), ("dinf", "l2"): math.sqrt(d)}.get((notion, norm), 1.0)


def uniform_constant(notion: str, norm: str,
                     dims: Sequence[int] = (1, 2, 3, 5, 10, 30, 100, 1000, 10**4, 10**5, 10**6),
                     n_eps: int = 25) -> dict[str, Any]:
    """min over d ∈ dims and ε ∈ (0, eps_max(d)] (log grid down to 1e-4·eps_max) of lower_bound/claimed_rate.

    A grid (sampled): it can step over the true minimum (issue 19: 0.2461 here, 0.2222 at d = 1, ε = 0.4444
    for T12); the enclosed constant is :func:`enclose_uniform_constant`.

    For T12 (ℓ2/DMR) the claimed rate is r/√ε, so the constant is the min of lower_bound·√ε/r.  Returns
    {"constant", "at_d", "at_eps"}."""
    import numpy as np

    best: tuple[float, int | None, float | None] = (math.inf, None, None)
    for d in dims:
        for e in np.geomspace(1e-4, 1.0, n_eps) * eps_max(notion, norm, d):
            res = lower_bound(notion=notion, norm=norm, d=d, eps=float(e), with_mechanism=False)
            if res.ratio < best[0]:
                best = (res.ratio, d, float(e))
    return {"constant": best[0], "at_d": best[1], "at_eps": best[2]}


# ----------------------------------------------------------------------------------------------------
# the gap across d: bounded or growing like sqrt(log d)
# ----------------------------------------------------------------------------------------------------

GAP_DIMS = tuple(int(x) for x in (10, 46, 215, 1000, 4642, 21544, 100000, 464159, 1000000))


@dataclass(frozen=True)
class GapFit:
    """gap(d) = best_mechanism_alpha/lower_bound over ``dims`` (ε, r fixed); least-squares fits
    ``gap = intercept + slope·√(ln d)`` (with its rms ``residual``) and ``log gap = c + exponent·log ln d``.
    ``growth``: "bounded" when the fitted exponent is < 0.25, else "sqrt(log d)" (√log d ⇒ 0.5)."""

    notion: str
    norm: str
    eps: float
    dims: tuple[int, ...]
    gaps: tuple[float, ...]
    slope: float
    intercept: float
    residual: float
    exponent: float
    growth: str
    max_gap: float
    last_gap: float


def gap_fit(notion: str, norm: str, eps: float = 1.0, dims: Sequence[int] = GAP_DIMS) -> GapFit:
    """Fit the gap of the best known mechanism to the lower bound across d (module doc)."""
    import numpy as np

    gaps = [lower_bound(notion=notion, norm=norm, d=d, eps=eps).gap for d in dims]
    x = np.sqrt(np.log(np.asarray(dims, float)))
    slope, icpt = np.polyfit(x, gaps, 1)
    resid = float(np.sqrt(np.mean((np.asarray(gaps) - (icpt + slope * x)) ** 2)))
    expo = float(np.polyfit(np.log(np.log(np.asarray(dims, float))), np.log(gaps), 1)[0])
    growth = "bounded" if expo < 0.25 else "sqrt(log d)"
    return GapFit(notion, norm, eps, tuple(int(d) for d in dims), tuple(float(g) for g in gaps), float(slope),
                  float(icpt), resid, expo, growth, float(max(gaps)), float(gaps[-1]))


# ----------------------------------------------------------------------------------------------------
# rigorous enclosures (issue 19): the uniform constants and the gap ranges, by interval branch-and-bound
# ----------------------------------------------------------------------------------------------------
#
# The bound is max over the packings and the integers k ≥ 1 of bound_at(k) (module doc, 4).  In ball
# arithmetic (python-flint arb, theory.enclosure) every bound_at(k) is evaluated over a box of (d, ε) -- d
# relaxed to a real in the closed forms, which only widens a box's range -- and over an interval of k:
#
# * a LOWER bound of max_k over a box: the ball lower bound at a few fixed k (any k gives a valid bound);
# * an UPPER bound of max_k over a box: a branch-and-bound over k intervals (integer ends), plus a tail
#   beyond K: corners (both notions) and axes (DMR) are exactly 0 once the clipped term vanishes
#   (k ≥ K₀ below); D∞ axes: bound_at ≤ (kR/2)·d e^{−kε'}, decreasing for k ≥ 1/ε'; two-point:
#   1 − √(1 − e^{−x}) ≤ e^{−x} gives bound_at ≤ (kR/2)·e^{−k²ε'}/2, decreasing for k ≥ 1/√(2ε').

def _rate_ball(notion: str, norm: str, D: Any, EPS: Any) -> Any:
    if (notion, norm) == ("dinf", "linf"):
        return D / EPS
    if (notion, norm) == ("dmr", "linf"):
        return (D / EPS).sqrt()
    if (notion, norm) == ("dmr", "l2"):
        return 1 / EPS.sqrt()
    return D.sqrt() / EPS


def _bound_ball(packing: str, notion: str, norm: str, K: Any, D: Any, EPS: Any) -> Any:
    """bound_at (R = 2, ε' = ε/2, r = 1) as an arb ball over balls K, D, EPS (same formulas as
    :func:`width` and :func:`one_minus_success`; ``tests/theory/test_enclosure.py`` compares them)."""

    R, es = arb(2), EPS / 2
    zero = arb(0)
    if packing == "corners":
        w = 2 * K * R if norm == "linf" else 2 * K * R / D.sqrt()
    else:
        w = K * R
    ln2 = arb(2).log()
    if notion == "dinf":
        # both factors are monotone in one argument that may span a huge range over a k interval
        if packing == "corners":
            oms = E.monotone(lambda x: -x.expm1(), K * es - D * ln2, increasing=False, floor=0.0)
        else:
            oms = E.monotone(lambda y: 1 / (1 + y.exp()), K * es - D.log(), increasing=False)
    else:
        kl = K * K * es
        if packing == "corners":
            oms = E.bmax(1 - (kl + ln2) / (D * ln2), zero)
        elif packing == "axes":
            oms = E.bmax(1 - (D / (D + 1) * kl + ln2) / (D + 1).log(), zero)
        else:
            tv = E.bmin((kl / 2).nonnegative_part().sqrt(), (-(-kl).expm1()).nonnegative_part().sqrt())
            oms = E.bmax((1 - tv) / 2, zero)
    return w / 2 * oms


def _k_zero(packing: str, notion: str, d_hi: float, eps_lo: float) -> float:
    """A k from which bound_at is exactly 0 for every d ≤ d_hi, ε ≥ eps_lo (inf: never exactly 0)."""
    es = eps_lo / 2
    if notion == "dinf" and packing == "corners":
        return d_hi * LN2 / es
    if notion == "dmr" and packing == "corners":
        return math.sqrt(max(d_hi - 1.0, 0.0) * LN2 / es)
    if notion == "dmr" and packing == "axes":
        return math.sqrt(math.log(d_hi + 1.0) * (d_hi + 1.0) / d_hi / es)
    return math.inf


def _tail_ball(packing: str, notion: str, K: float, D: Any, EPS: Any) -> Any | None:
    """Upper bound (ball) of sup_{k ≥ K} bound_at over the box, or None when K is not yet in the decreasing
    part of the tail bound (see the section comment)."""

    es = EPS / 2
    if notion == "dinf" and packing == "axes":
        if K < 1.0 / (float(EPS.lower()) / 2):
            return None
        return arb(K) * D * (-(arb(K) * es)).exp()
    if packing == "two-point":
        if K < 1.0 / math.sqrt(float(EPS.lower())):
            return None
        return arb(K) * (-(arb(K) ** 2 * es)).exp() / 2
    return arb(0)


# ratio = bound_at/claimed_rate depends on k and ε only through z = k·s, s = ε' (D∞) or √ε' (DMR) (the
# lattice spacing), and z is written as z = a(d) + b(d)·w in a variable w in which the ratio Φ(w, d) is
# well conditioned (claim settings only):
#   D∞/ℓ∞ corners  z = d ln2 + w         Φ = 4(ln2 + w/d)·max(0, 1 − e^w)
#   D∞/ℓ∞ axes     z = ln d + w          Φ = 2(ln d + w)/(d(1 + e^w))
#   DMR corners    z = √d·w              Φ = 2√2·w·max(0, 1 − w²/ln2 − 1/d)            (ℓ2 and ℓ∞)
#   DMR axes       z = √ln(d+1)·w        Φ = √2·√ln(d+1)·w·max(0, 1 − d/(d+1)·w² − ln2/ln(d+1)) [/√d for ℓ∞]
#   two-point      z = w                 Φ = √2·w·max(0, (1 − min(w/√2, √(1 − e^{−w²})))/2)     [/√d for ℓ∞]
# A box lower bound (any k is a valid bound): (A) for a target w*, the k = ⌊(a(d) + b(d)w*)/s⌋ (≥ 1 checked)
# gives z ∈ (a + b w* − s, a + b w*], i.e. w ∈ [w* − s₁/b(d₀), w*] (b increasing in d), so max_k Φ ≥
# min of Φ over that window; (B) a fixed small k, w = (k s − a(d))/b(d) over the box.

def _ab(packing: str, notion: str, D: Any) -> tuple[Any, Any]:

    if notion == "dinf":
        return (D * arb(2).log(), arb(1)) if packing == "corners" else (D.log(), arb(1))
    if packing == "corners":
        return arb(0), D.sqrt()
    if packing == "axes":
        return arb(0), (D + 1).log().sqrt()
    return arb(0), arb(1)


def _phi_ball(packing: str, notion: str, norm: str, W: Any, D: Any) -> Any:
    """Φ(w, d) = bound_at/claimed_rate in the variable w (table above), as a ball."""

    zero, ln2, r2 = arb(0), arb(2).log(), arb(2).sqrt()
    if notion == "dinf":
        if packing == "corners":
            return 4 * (ln2 + W / D) * E.monotone(lambda x: -x.expm1(), W, increasing=False, floor=0.0)
        return 2 * (D.log() + W) / D * E.monotone(lambda y: 1 / (1 + y.exp()), W, increasing=False)
    if packing == "corners":
        return 2 * r2 * W * E.bmax(1 - W * W / ln2 - 1 / D, zero)
    if packing == "axes":
        L = (D + 1).log()
        v = r2 * L.sqrt() * W * E.bmax(1 - D / (D + 1) * W * W - ln2 / L, zero)
    else:
        tv = E.bmin(W / r2, (-(-(W * W)).expm1()).nonnegative_part().sqrt())
        v = r2 * W * E.bmax((1 - tv) / 2, zero)
    return v / D.sqrt() if norm == "linf" else v


def _phi_float(packing: str, notion: str, norm: str, w: float, d: float) -> float:

    return float(_phi_ball(packing, notion, norm, arb(w), arb(d)).mid())


def _w_opt(packing: str, notion: str, norm: str, d: float) -> float:
    """The float maximiser of Φ(·, d) in w (steering only; d rounded to 3 digits for the cache)."""
    return _w_opt_cached(packing, notion, norm, float(f"{d:.3g}"))


@lru_cache(maxsize=4096)
def _w_opt_cached(packing: str, notion: str, norm: str, d: float) -> float:
    # golden section on a bracket holding the maximiser of the unimodal Φ(·, d)
    lo, hi = {("dinf", "corners"): (-30.0, 0.0), ("dinf", "axes"): (-30.0, 30.0)}.get(
        (notion, packing), (0.0, 4.0))
    g = 0.6180339887498949
    x, y = hi - g * (hi - lo), lo + g * (hi - lo)
    fx, fy = _phi_float(packing, notion, norm, x, d), _phi_float(packing, notion, norm, y, d)
    for _ in range(40):
        if fx < fy:
            lo, x, fx = x, y, fy
            y = lo + g * (hi - lo)
            fy = _phi_float(packing, notion, norm, y, d)
        else:
            hi, y, fy = y, x, fx
            x = hi - g * (hi - lo)
            fx = _phi_float(packing, notion, norm, x, d)
    return 0.5 * (lo + hi)


def _candidate_ks(packing: str, notion: str, norm: str, d: float, eps: float) -> list[int]:
    dd = max(1, int(round(d)))
    k, v = best_k(packing, notion, norm, dd, 2.0, eps / 2.0)
    return [kk for kk in (k - 1, k, k + 1) if kk >= 4] if v > 0 else []


def _spacing(notion: str, e: float) -> float:
    return e / 2.0 if notion == "dinf" else math.sqrt(e / 2.0)


def ratio_lower_box(notion: str, norm: str, d0: float, d1: float, e0: float, e1: float) -> float:
    """Rigorous lower bound of min over d ∈ [d0, d1], ε ∈ [e0, e1] of lower_bound/claimed_rate (r = 1),
    from the families (A) and (B) above (claim settings T12, T16, T17).

    >>> 0.2 < ratio_lower_box("dmr", "l2", 1, 1, 0.44, 0.45) <= lower_bound("T12", d=1, eps=0.445).ratio
    True
    """

    if (notion, norm) not in {v: k for k, v in CLAIM_SETTINGS.items()}:
        raise ValueError(f"(notion, norm) must be one of the claim settings {list(CLAIM_SETTINGS.values())}")
    best = 0.0
    s0, s1 = _spacing(notion, e0), _spacing(notion, e1)
    dc = math.sqrt(d0 * d1)
    with E.workprec():
        D, S = E.ball(d0, d1), E.ball(s0, s1)
        for pk in PACKINGS[notion]:
            a, b = _ab(pk, notion, D)
            a0, b0 = _ab(pk, notion, arb(d0))
            # (B) fixed small k
            for k in (1, 2, 3):
                W = (k * S - a) / b
                best = max(best, E.lower(_phi_ball(pk, notion, norm, W, D)))
            # (C) the float-optimal k at the box centre and its neighbours
            for k in _candidate_ks(pk, notion, norm, dc, math.sqrt(e0 * e1)):
                W = (k * S - a) / b
                best = max(best, E.lower(_phi_ball(pk, notion, norm, W, D)))
            # (A) the floor family around the optimum
            wo = _w_opt(pk, notion, norm, dc)
            width = E.upper(arb(s1) / b0)
            for wstar in (wo + 0.5 * width, wo + width, wo):
                if E.lower((a + b * arb(wstar)) / S) < 1.0:      # k = ⌊z*/s⌋ ≥ 1 on the whole box
                    continue
                W = E.ball(wstar - width, wstar)
                best = max(best, E.lower(_phi_ball(pk, notion, norm, W, D)))
    return best


#: w ranges holding every positive value of Φ (table above), and the tails beyond them (see ratio_upper_box)
_W_RANGE = {("dinf", "corners"): None, ("dinf", "axes"): None, ("dmr", "corners"): (0.0, math.sqrt(LN2)),
            ("dmr", "axes"): (0.0, math.sqrt(2.0)), ("dmr", "two-point"): (0.0, 10.0)}


@lru_cache(maxsize=16)
def _two_point_sup(rtol: float) -> float:
    """Rigorous upper bound of sup_{w ≥ 0} √2·w·max(0, (1 − min(w/√2, √(1 − e^{−w²})))/2) (the two-point Φ
    in ℓ2, independent of d): branch-and-bound on [0, 10], tail ≤ √2·w·e^{−w²}/2 beyond (decreasing)."""
    one = arb(1)
    e = E.maximize(lambda b: E.upper(_phi_ball("two-point", "dmr", "l2", E.ball(*b[0]), one)), [(0.0, 10.0)],
                   value=lambda x: E.upper(_phi_ball("two-point", "dmr", "l2", arb(x[0]), one)), atol=1e-12,
                   rtol=rtol)
    tail = E.upper(arb(2).sqrt() * 10 * arb(-100).exp() / 2)
    return max(e.hi, tail) if e.complete else math.inf


def ratio_upper_box(notion: str, norm: str, d0: float, d1: float, rtol: float = 1e-3) -> float:
    """Rigorous upper bound of lower_bound/claimed_rate over d ∈ [d0, d1] and EVERY ε: the sup over real
    w of Φ(w, d) (integer k relaxed to a real z = k·s ≥ 0, so the sup is ≥ every integer k's value; Φ does
    not involve ε).  Ranges of w outside which Φ ≤ 0 or a tail bound applies: D∞ corners w ∈ [−d ln2, 0];
    D∞ axes w ∈ [−ln d, 60], beyond Φ ≤ 2(ln d + w)e^{−w}/d (decreasing for w ≥ 1); DMR corners
    [0, √ln2]; DMR axes [0, √2]; two-point [0, 10], beyond Φ ≤ √2·w·e^{−w²}/2 (decreasing for w ≥ 1/√2).

    >>> ratio_upper_box("dmr", "l2", 1, 1) >= lower_bound("T12", d=1, eps=0.445).ratio
    True
    """

    out = 0.0
    with E.workprec():
        D = E.ball(d0, d1)
        if notion == "dmr":
            # closed forms: sup_{w ≥ 0} w(B − A w²) = (2B/3)·√(B/(3A)) for A > 0, B ≥ 0 (0 if B ≤ 0)
            def cubic_sup(A: arb, B: arb) -> arb:
                Bp = B.nonnegative_part()
                return 2 * Bp / 3 * (Bp / (3 * A)).nonnegative_part().sqrt()

            ln2, r2 = arb(2).log(), arb(2).sqrt()
            corners = 2 * r2 * cubic_sup(1 / ln2, 1 - 1 / D)
            L = (D + 1).log()
            axes = r2 * L.sqrt() * cubic_sup(D / (D + 1), 1 - ln2 / L)
            if norm == "linf":
                axes = axes / D.sqrt()
            tp = arb(_two_point_sup(rtol)) / (D.sqrt() if norm == "linf" else 1)
            return max(E.upper(corners), E.upper(axes), E.upper(tp))
        for pk in PACKINGS[notion]:
            rng = _W_RANGE[(notion, pk)]
            tail = arb(0)
            if notion == "dinf" and pk == "corners":
                rng = (-d1 * LN2 - 1.0, 0.0)
            elif notion == "dinf":
                rng = (-math.log(d1) - 1.0, 60.0)
                tail = 2 * (D.log() + 60) * arb(-60).exp() / D
            elif pk == "two-point":
                tail = arb(2).sqrt() * 10 * arb(-100).exp() / 2
            assert rng is not None
            out = max(out, E.upper(tail))

            def up(b: E.Box, pk: str = pk) -> float:
                (w0, w1), = b
                return E.upper(_phi_ball(pk, notion, norm, E.ball(w0, w1), D))

            def val(x: E.Point, pk: str = pk) -> float:
                return E.upper(_phi_ball(pk, notion, norm, arb(x[0]), D))

            e = E.maximize(up, [rng], value=val, atol=1e-9, rtol=rtol, max_boxes=5000)
            out = max(out, e.hi)
            if not e.complete:
                return math.inf
    return out


def bound_upper_box(notion: str, norm: str, d0: float, d1: float, e0: float, e1: float,
                    rtol: float = 1e-6) -> float:
    """Rigorous upper bound of max over d ∈ [d0, d1], ε ∈ [e0, e1] of the lower bound itself (r = 1), i.e.
    of max over packings and ALL integers k ≥ 1 of bound_at (branch-and-bound over k, tail bounds)."""

    out = 0.0
    with E.workprec():
        D, EPS = E.ball(d0, d1), E.ball(e0, e1)
        for pk in PACKINGS[notion]:
            kz = _k_zero(pk, notion, d1, e0)
            K = math.ceil(min(kz, 4.0 * _k_max(pk, notion, max(1, int(d1)), e0 / 2.0) + 8.0))
            tail = _tail_ball(pk, notion, float(K), D, EPS)
            while tail is None:
                K *= 2
                tail = _tail_ball(pk, notion, float(K), D, EPS)
            out = max(out, E.upper(tail))

            def up(b: E.Box, pk: str = pk) -> float:
                (k0, k1), = b
                return E.upper(_bound_ball(pk, notion, norm, E.ball(k0, k1), D, EPS))

            # the value at an integer k is its ball's upper end over the whole (d, ε) box: then the search
            # closes on boxes of k, and hi (max of the values and of the open boxes' bounds) stays rigorous
            def val(x: E.Point, pk: str = pk) -> float:
                return E.upper(_bound_ball(pk, notion, norm, arb(x[0]), D, EPS))

            e = E.maximize(up, [(1.0, float(max(K, 1)))], value=val, integer=(True,), scale=("log",),
                           atol=0.0, rtol=rtol, max_boxes=20_000)
            if not e.complete:
                return math.inf
            out = max(out, e.hi)
    return out


def _lb_point_lower(notion: str, norm: str, d: int, eps: float) -> float:
    """Rigorous lower bound of the lower bound at one (d, ε) (the library's k, in ball arithmetic)."""

    res = lower_bound(notion=notion, norm=norm, d=d, eps=eps, with_mechanism=False)
    if res.packing == "none":
        return 0.0
    with E.workprec():
        return E.lower(_bound_ball(res.packing, notion, norm, arb(res.k), arb(d), arb(eps)))


def _eps_lo(notion: str, norm: str) -> float:
    return EPS_LIMITS[0]


def _box_in_v(notion: str, norm: str, box: Any) -> tuple[float, float, float, float] | None:
    """(d0, d1, e0, e1) of a box in (d, v = ε/eps_max(d)); None if it holds no ε ≥ EPS_LIMITS[0]."""
    (d0, d1), (v0, v1) = box
    if (notion, norm) == ("dinf", "linf"):
        e0, e1 = v0 * d0, v1 * d1
    elif (notion, norm) == ("dinf", "l2"):
        e0, e1 = v0 * math.sqrt(d0), v1 * math.sqrt(d1)
    else:
        e0, e1 = v0, v1
    e0 = max(e0, EPS_LIMITS[0])
    if e1 < e0:
        return None
    return d0, d1, e0, e1


def enclose_uniform_constant(claim: str, *, d_max: int = 10**6, rtol: float = 1e-2,
                             max_boxes: int = 20_000) -> Any:
    """Enclosure [lo, hi] of C = min over integers d ∈ [1, d_max] and ε ∈ [10⁻⁶, eps_max(d)] (the
    library's accepted range, :data:`EPS_LIMITS`, up to :data:`EPS_RANGE`) of lower_bound/claimed_rate, with
    its arg (d, ε).  Interval branch-and-bound (:func:`theory.enclosure.minimize`) over (d, v = ε/eps_max(d)),
    both bisected in log space, d integer; lower bounds by :func:`ratio_lower_box`, the upper end by
    :func:`bound_upper_box` at the arg (max over ALL k).  Every (d, ε) in range has ratio ≥ lo.

    >>> e = enclose_uniform_constant("T12", d_max=10, rtol=0.05)
    >>> 0.21 < e.lo <= e.hi < 0.23
    True
    """

    key = str(claim).strip().upper()
    if key not in CLAIM_SETTINGS:
        raise ValueError(f"claim must be one of {list(CLAIM_SETTINGS)}, got {claim!r}")
    notion, norm = CLAIM_SETTINGS[key]
    if not (1 <= int(d_max) <= D_MAX):
        raise ValueError(f"d_max must be an integer in [1, {D_MAX:g}], got {d_max!r}")
    v_lo = EPS_LIMITS[0] / (eps_max(notion, norm, int(d_max)) if notion == "dinf" else 1.0)

    def lower_fn(b: Any) -> float:
        de = _box_in_v(notion, norm, b)
        if de is None:
            return math.inf
        return ratio_lower_box(notion, norm, *de)

    def point(x: Any) -> tuple[int, float] | None:
        d = int(x[0])
        eps = x[1] * eps_max(notion, norm, d)
        if eps < EPS_LIMITS[0]:
            return None
        return d, eps

    def value(x: Any) -> float:
        pe = point(x)
        if pe is None:
            return math.inf
        return lower_bound(notion=notion, norm=norm, d=pe[0], eps=pe[1], with_mechanism=False).ratio

    def upper_at(x: Any) -> float:
        pe = point(x)
        if pe is None:
            return math.inf
        d, eps = pe
        with E.workprec():
            rate = _rate_ball(notion, norm, arb(d), arb(eps))
            return E.upper(E.ball(bound_upper_box(notion, norm, d, d, eps, eps)) / rate)

    enc = E.minimize(lower_fn, [(1.0, float(d_max)), (v_lo, 1.0)], value=value, upper_at=upper_at,
                     integer=(True, False), scale=("log", "log"), rtol=rtol, max_boxes=max_boxes,
                     method="interval branch-and-bound (arb) over integer d and ε/eps_max(d), log bisection")
    d, v = enc.arg
    eps = v * eps_max(notion, norm, int(d))
    return E.Enclosure(enc.lo, enc.hi, (float(d), eps), enc.boxes, enc.complete, enc.method,
                       {"claim": key, "d_range": [1, int(d_max)],
                        "eps_range": f"[1e-6, eps_max(d)], {EPS_RANGE[(notion, norm)]}"})


# ----------------------------------------------------------------------------------------------------
# the gap ranges of the Table-1 optimality cells, enclosed over all integer d in range
# ----------------------------------------------------------------------------------------------------

#: the settings with an optimality cell in Table 1 (ℓ2/DMR Gaussian, ℓ∞/DMR Gaussian, ℓ∞/D∞ eq. 6)
GAP_SETTINGS = (("dmr", "l2"), ("dmr", "linf"), ("dinf", "linf"))
#: upper limit of the quadrature of E max|g_i| (the tail beyond is ≤ 2d·φ(T), added to the ball)
_M_T = 12.0


@lru_cache(maxsize=8192)
def gauss_linf_mean_bounds(d: int) -> tuple[float, float]:
    """Rigorous [lo, hi] of M(d) = E max_i |g_i|, g ~ N(0, I_d): M(d) = ∫_0^∞ 1 − erf(t/√2)^d dt, the
    integral over [0, 12] by arb's rigorous integration (``acb.integral``, Petras' algorithm with error
    bounds; the integrand is entire for integer d), the tail ≤ d∫_12^∞ erfc(t/√2)dt ≤ 2d·φ(12) added
    (1 − (1 − x)^d ≤ dx).  M is nondecreasing in d (a max over more coordinates).

    >>> lo, hi = gauss_linf_mean_bounds(1)
    >>> lo <= math.sqrt(2 / math.pi) <= hi and hi - lo < 1e-12
    True
    """
    d = int(d)
    if not (1 <= d <= D_MAX):
        raise ValueError(f"d must be an integer in [1, {D_MAX:g}], got {d!r}")
    with E.workprec():
        r2 = acb(2).sqrt()

        def f(z: Any, analytic: bool) -> Any:
            return 1 - (z / r2).erf() ** d

        v = acb.integral(f, 0, _M_T, rel_tol=1e-12).real
        tail = 2 * arb(d) * (-(arb(_M_T) ** 2) / 2).exp() / (2 * arb.pi()).sqrt()
        return E.lower(v), E.upper(v + tail)


def _A_bounds(notion: str, norm: str, d0: int, d1: int) -> tuple[float, float]:
    """Bounds [A(d0)_lo, A(d1)_hi] of A(d) = best_mechanism_alpha/claimed_rate (r = 1; R = 2, ε' = ε/2 as in
    :func:`best_mechanism`, for every ε): eq. 6: (d·R/ε')/(d/ε) = 2R = 4; the Gaussians (T10 and T18
    calibrations): σ·M(d)/rate = R·M(d) = 2M(d), M(d) = E max|g_i| nondecreasing in d.  So the gap is
    A(d)/ratio(d)."""
    if (notion, norm) == ("dinf", "linf"):
        return 4.0, 4.0

    with E.workprec():
        return (E.lower(2 * arb(gauss_linf_mean_bounds(d0)[0])), E.upper(2 * arb(gauss_linf_mean_bounds(d1)[1])))


@lru_cache(maxsize=64)
def enclose_gap_range(notion: str, norm: str, *, eps: float = 1.0, d_range: tuple[int, int] = (1, 10**6),
                      rtol: float = 1e-2, max_boxes: int = 4000) -> tuple[Any, Any]:
    """Enclosures of min and max over integers d ∈ d_range of gap(d) = best_mechanism_alpha/lower_bound at
    (ε, r = 1), the gap of a Table-1 optimality cell.  gap = A(d)/ratio(d) with A = α/claimed_rate nondecreasing
    (:func:`_A_bounds`).  Interval branch-and-bound over d (log bisection): on [d0, d1] the gap lies in
    [A(d0)/ratio_hi, A(d1)/ratio_lo], ratio_lo from :func:`ratio_lower_box`, ratio_hi from
    :func:`ratio_upper_box` (real k) or, at a single d, :func:`bound_upper_box` (all integer k).  The bounded
    range is stated, not extrapolated (for d → ∞ see :data:`ASYMPTOTIC_CONSTANT`).  Returns (min, max).

    >>> lo_e, hi_e = enclose_gap_range("dmr", "l2", d_range=(1, 20), rtol=0.02)
    >>> hi_e.arg[0] == 2 and 8.8 < hi_e.lo <= hi_e.hi < 9.3
    True
    """

    if (notion, norm) not in GAP_SETTINGS:
        raise ValueError(f"(notion, norm) must be one of {GAP_SETTINGS}, got {(notion, norm)!r}")
    a, b = int(d_range[0]), int(d_range[1])
    if not (1 <= a <= b <= D_MAX):
        raise ValueError(f"d_range must satisfy 1 <= lo <= hi <= {D_MAX:g}, got {d_range!r}")

    def ratio_up(d0: float, d1: float) -> float:
        if d0 == d1:                      # one d: the exact max over integer k (tighter than the relaxation)
            with E.workprec():
                rate = _rate_ball(notion, norm, arb(d0), arb(eps))
                return E.upper(E.ball(bound_upper_box(notion, norm, d0, d1, eps, eps, rtol=1e-4)) / rate)
        return ratio_upper_box(notion, norm, d0, d1, rtol=rtol / 4)

    def gap_upper_box(bx: Any) -> float:
        (d0, d1), = bx
        rl = ratio_lower_box(notion, norm, d0, d1, eps, eps)
        if rl <= 0:
            return math.inf
        with E.workprec():
            return E.upper(arb(_A_bounds(notion, norm, int(d0), int(d1))[1]) / E.ball(rl))

    def gap_lower_box(bx: Any) -> float:
        (d0, d1), = bx
        with E.workprec():
            return E.lower(arb(_A_bounds(notion, norm, int(d0), int(d1))[0]) / E.ball(ratio_up(d0, d1)))

    def value(x: Any) -> float:
        return lower_bound(notion=notion, norm=norm, d=int(x[0]), eps=eps).gap

    box = [(float(a), float(b))]
    kw: dict[str, Any] = {"integer": (True,), "scale": ("log",), "rtol": rtol, "max_boxes": max_boxes}
    emin = E.minimize(gap_lower_box, box, value=value, upper_at=lambda x: gap_upper_box(((x[0], x[0]),)),
                      method="interval branch-and-bound over integer d (log bisection), arb balls", **kw)
    emax = E.maximize(gap_upper_box, box, value=value, lower_at=lambda x: gap_lower_box(((x[0], x[0]),)),
                      method="interval branch-and-bound over integer d (log bisection), arb balls", **kw)
    return emin, emax
