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
k = 1 (``ε' < (d − 1) ln 2`` for corners).  The explicit constant relative to the claimed order is computed
(:func:`uniform_constant`) for ε ≤ ``EPS_RANGE`` of each setting; outside such ranges ("ε ≤ O(d)" for D∞,
"ε ≤ O(1)" for DMR) the bound tends to 0 relative to the claimed rate.

>>> res = lower_bound("T16", d=100, eps=1.0)
>>> res.lower_bound <= res.best_mechanism_alpha
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from theory import validate as V

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

    JSON_FIELDS = ("lower_bound", "claimed_rate", "ratio", "best_mechanism", "best_mechanism_alpha", "gap",
                   "cube_side")

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON object: exactly :attr:`JSON_FIELDS`."""
        d = asdict(self)
        return {k: d[k] for k in self.JSON_FIELDS}


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
