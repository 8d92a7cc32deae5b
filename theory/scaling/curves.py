"""Certified radii vs d (:mod:`theory.certificates`), the paper's claimed rates, and fits against them
(Table 1, T12–T18)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from theory import validate as V
from theory.scaling.fits import fit_power_law, fit_power_log_law, fit_to_rate
from theory.scaling.grid import _dims_array
from theory.scaling.noise import NOISE_MECHANISMS, exact_noise_magnitudes

# --------------------------------------------------------------------------------------------------
# Certified radii vs d (theory.certificates)
# --------------------------------------------------------------------------------------------------
#: Window of the log-log fits: the asymptotic statements concern large d, and log log d needs d > 1.
FIT_WINDOW = (100.0, 1e6)

#: A curve is "flat" against a claimed rate when its residual exponent e (y / rate ∝ d^e on FIT_WINDOW)
#: has |e| <= FLAT_TOL. A missing (log d)^{1/2} factor leaves a residual exponent 1/(2 ln d) in
#: [0.036, 0.11] on that window, so 0.02 separates "rate with its log factor right" from "log factor off".
FLAT_TOL = 0.02


@dataclass(frozen=True)
class Rate:
    """A claimed growth rate d^k (log d)^j, with where it comes from.

    Examples
    --------
    >>> Rate(-0.5, -0.5, "T18").text()
    'd^-1/2 · (log d)^-1/2'
    """

    exponent: float
    log_exponent: float
    source: str

    def text(self) -> str:
        return _rate_text(self.exponent, self.log_exponent)


def _rate_text(k: float, j: float) -> str:
    def frac(x: float) -> str:
        for den in (1, 2, 3, 4):
            if abs(x * den - round(x * den)) < 1e-12:
                num = int(round(x * den))
                return f"{num}" if den == 1 else f"{num}/{den}"
        return f"{x:g}"

    parts = []
    if k != 0:
        parts.append("d" if k == 1 else f"d^{frac(k)}")
    if j != 0:
        parts.append("log d" if j == 1 else f"(log d)^{frac(j)}")
    return " · ".join(parts) if parts else "1"


@dataclass(frozen=True)
class CurveSpec:
    """One radius curve: which certificate (key of theory.certificates.CERTIFICATES) and parameters,
    for which mechanism and norm, and the rates the paper claims for it at fixed σ and at fixed E‖z‖∞.

    Examples
    --------
    >>> spec = CURVE_BY_KEY["gaussian-l2-cohen"]
    >>> spec.mechanism, spec.norm, spec.certificate
    ('gaussian', 'l2', 'cohen')
    """

    key: str
    label: str
    mechanism: str
    norm: str
    notion: str
    claim: str
    certificate: str | None
    params: tuple[tuple[str, Any], ...]  # (name, value) pairs; value None means "the dimension d"
    kind: str = "certificate"  # or "bound" (a lower bound on the noise turned into an upper bound on r)
    rates_sigma: tuple[Rate, ...] = ()
    rates_linf: tuple[Rate, ...] = ()


_TABLE1_L2 = Rate(0.0, 0.0, "Table 1: Gaussian, ℓ2, DMR: r = O(1)")
_TEXT_T12 = Rate(0.0, -0.5, "Section 3.1 after T12: E‖z‖∞ = O(σ√log d), so r at fixed E‖z‖∞ loses a √log d")
_T10_SIGMA = Rate(0.0, 0.0, "T10/C11: r = σ√(2ε), no d")
_TABLE1_EXP = Rate(-1.0, 0.0, "Table 1 / T15 / T16: eq. 6, ℓ∞, D∞: r = O(1/d)")
_T13_SIGMA = Rate(0.0, 0.0, "T13: r = σ·ε, no d")
_TABLE1_GINF = Rate(-0.5, -0.5, "Table 1 / conclusion (iii): Gaussian, ℓ∞, DMR: r = O(1/√(d log d))")
_T18_SIGMA = Rate(-0.5, 0.0, "T18: σ² = d r²/(2ε), so r = σ√(2ε/d)")
_CONV_SIGMA = Rate(-0.5, 0.0, "‖δ‖₂ ≤ √d ‖δ‖∞: r∞ = r₂/√d")

#: The curves of the report: (key, label, mechanism, norm, notion, claim ID, certificate of
#: theory.certificates.CERTIFICATES and its parameters). ``claim`` is the paper ID the curve instantiates;
#: the bounds (kind "bound") are the noise lower bounds T12/T16/T17 turned into radius upper bounds at
#: E‖z‖∞ = α with their hidden constants set to 1 (see :func:`bound_radius`).
CURVES = (
    CurveSpec("gaussian-l2-C11-c1", "Gaussian ℓ2, C11 (DMR, c=1)", "gaussian", "l2", "DMR", "C11",
              "c11", (("c", 1.0),), rates_sigma=(_T10_SIGMA,), rates_linf=(_TABLE1_L2, _TEXT_T12)),
    CurveSpec("gaussian-l2-C11-c3", "Gaussian ℓ2, C11 (DMR, c=3)", "gaussian", "l2", "DMR", "C11",
              "c11", (("c", 3.0),), rates_sigma=(_T10_SIGMA,), rates_linf=(_TABLE1_L2, _TEXT_T12)),
    CurveSpec("gaussian-l2-cohen", "Gaussian ℓ2, tight (Cohen et al. 2019)", "gaussian", "l2", "tight", "C11",
              "cohen", (), rates_sigma=(_T10_SIGMA,), rates_linf=(_TABLE1_L2, _TEXT_T12)),
    CurveSpec("exponential-linf-T13", "eq. 6 ℓ∞, T13 (D∞)", "exponential-linf", "linf", "D∞", "T13",
              "t13", (), rates_sigma=(_T13_SIGMA,), rates_linf=(_TABLE1_EXP,)),
    CurveSpec("exponential-linf-tight", "eq. 6 ℓ∞, Yang et al. 2020", "exponential-linf", "linf",
              "tight", "T13", "yang-linf", ()),
    CurveSpec("gaussian-linf-T18-c1", "Gaussian ℓ∞, T18 (DMR, c=1)", "gaussian", "linf", "DMR", "T18",
              "t18", (("c", 1.0), ("d", None)), rates_sigma=(_T18_SIGMA,), rates_linf=(_TABLE1_GINF,)),
    CurveSpec("gaussian-linf-T18-c3", "Gaussian ℓ∞, T18 (DMR, c=3)", "gaussian", "linf", "DMR", "T18",
              "t18", (("c", 3.0), ("d", None)), rates_sigma=(_T18_SIGMA,), rates_linf=(_TABLE1_GINF,)),
    CurveSpec("gaussian-linf-l2-to-linf", "Gaussian ℓ∞, ℓ2→ℓ∞ (Cohen/√d)", "gaussian", "linf", "tight", "T18",
              "cohen-linf", (("d", None),), rates_sigma=(_CONV_SIGMA,), rates_linf=(_TABLE1_GINF,)),
    CurveSpec("bound-T12", "T12: r ≤ α√ε (ℓ2, DMR, c=1; constant := 1)", "any", "l2", "DMR", "T12",
              None, (), kind="bound"),
    CurveSpec("bound-T16", "T16: r ≤ αε/d (ℓ∞, D∞; constant := 1)", "any", "linf", "D∞", "T16",
              None, (), kind="bound"),
    CurveSpec("bound-T17", "T17: r ≤ α√ε/√d (ℓ∞, DMR, c=1; constant := 1)", "any", "linf", "DMR", "T17",
              None, (), kind="bound", rates_linf=(Rate(-0.5, 0.0, "conclusion (iv): largest ℓ∞ radius O(1/√d)"),)),
)
CURVE_BY_KEY = {c.key: c for c in CURVES}


def _certificates() -> Any:
    from theory import certificates as C

    return C


def certificate_radius(spec: CurveSpec, pA: float, sigma: float, d: int) -> float:
    """The radius of ``spec``'s certificate (theory.certificates) at pA (binary form), σ and d.

    Examples
    --------
    >>> round(certificate_radius(CURVE_BY_KEY["gaussian-l2-cohen"], 0.99, 0.5, 3072), 6)   # sigma Phi^-1(pA)
    1.163174
    """
    params = {k: (d if v is None else v) for k, v in spec.params}
    return float(_certificates().radius(spec.certificate, sigma=sigma, pA=pA, **params))


def epsilon_dmr(pA: float, c: float = 1.0) -> float:
    """The DMR level ε that C11 certifies at pA (binary): C11 gives r = σ√(2ε), so ε = (r_C11(σ=1))²/2.

    Examples
    --------
    >>> round(epsilon_dmr(0.99), 6)
    1.319695
    """
    r = float(_certificates().radius("c11", sigma=1.0, pA=pA, c=c))
    return r * r / 2.0


def epsilon_dinf(pA: float) -> float:
    """The D∞ level ε that T13 certifies at pA (binary): T13 gives r = σ·ε, so ε = r_T13(σ=1).

    Examples
    --------
    >>> round(epsilon_dinf(0.99), 6)
    2.29756
    """
    return float(_certificates().radius("t13", sigma=1.0, pA=pA))


def bound_radius(key: str, pA: float, d: int, alpha: float = 1.0) -> float:
    """Upper bound on the certified radius at noise magnitude E‖z‖∞ = α implied by a noise lower bound,
    with the hidden constant set to 1 (so only the *rate* in d is meaningful):

    * T12 (ℓ2, DMR):  α ≥ Ω(r/√ε)   ⇒  r ≤ α√ε,     ε = :func:`epsilon_dmr` (c = 1);
    * T16 (ℓ∞, D∞):   α ≥ Ω(r·d/ε)  ⇒  r ≤ α·ε/d,   ε = :func:`epsilon_dinf`;
    * T17 (ℓ∞, DMR):  α ≥ Ω(r√d/√ε) ⇒  r ≤ α√ε/√d,  ε = :func:`epsilon_dmr` (c = 1).

    Examples
    --------
    >>> round(bound_radius("bound-T16", 0.99, 100), 6)
    0.022976
    """
    alpha = V.positive("alpha", alpha)
    d = V.dimension("d", d)
    if key == "bound-T12":
        return alpha * math.sqrt(epsilon_dmr(pA))
    if key == "bound-T16":
        return alpha * epsilon_dinf(pA) / d
    if key == "bound-T17":
        return alpha * math.sqrt(epsilon_dmr(pA) / d)
    raise ValueError(f"key must be one of ['bound-T12', 'bound-T16', 'bound-T17'], got {key!r}")


def radius_table(dims: Iterable[Any], pAs: Iterable[float], *, normalisation: str, sigma: float = 1.0,
                 unit_linf: dict[str, np.ndarray] | None = None) -> dict[str, dict[float, np.ndarray]]:
    """Radii of every curve of :data:`CURVES`: ``{key: {pA: array over dims}}``.

    ``normalisation="sigma"``: every mechanism at the same σ (bounds are omitted: they are stated in α).
    ``normalisation="linf"``: each mechanism at the σ that gives E‖z‖∞ = 1, i.e. σ = 1 / E‖z‖∞(σ=1)
    (both families scale linearly in σ); ``unit_linf`` maps mechanism -> E‖z‖∞(σ = 1) per d (computed
    with theory.mechanisms when omitted).

    Examples
    --------
    >>> t = radius_table([10, 100], [0.99], normalisation="sigma", sigma=1.0)
    >>> [round(float(r), 6) for r in t["gaussian-l2-cohen"][0.99]]   # Phi^-1(0.99), no d
    [2.326348, 2.326348]
    """
    V.choice("normalisation", normalisation, ("sigma", "linf"))
    sigma = V.positive("sigma", sigma)
    dims = _dims_array(dims)
    pAs = [V.in_open_interval("pA", p, 0.5, 1.0) for p in pAs]
    if normalisation == "linf" and unit_linf is None:
        ex = exact_noise_magnitudes(dims, 1.0)
        unit_linf = {m: ex[m]["expected_linf_norm"] for m in NOISE_MECHANISMS}
    out = {}
    for spec in CURVES:
        if spec.kind == "bound" and normalisation == "sigma":
            continue
        per = {}
        for pA in pAs:
            vals = np.empty(dims.size)
            for i, d in enumerate(dims):
                if spec.kind == "bound":
                    vals[i] = bound_radius(spec.key, pA, int(d), alpha=1.0)
                else:
                    s = sigma if normalisation == "sigma" or unit_linf is None else \
                        1.0 / float(unit_linf[spec.mechanism][i])
                    vals[i] = certificate_radius(spec, pA, s, int(d))
            per[pA] = vals
        out[spec.key] = per
    return out


def rate_checks(dims: ArrayLike, y: ArrayLike, rates: Iterable[Rate], *, level: float = 0.95,
                window: tuple[float, float] = FIT_WINDOW) -> dict[str, Any]:
    """Fits of one curve on ``window``: the free power law, the joint power-log law, and for each claimed
    rate the residual exponent of y / rate (flat, i.e. |e| <= FLAT_TOL, when the rate is right).

    Examples
    --------
    >>> d = [100, 1000, 10_000, 100_000]
    >>> rc = rate_checks(d, [1 / x for x in d], (Rate(-1.0, 0.0, "T16"),))
    >>> rc["rates"][0]["flat"], round(rc["exponent"], 9)
    (True, -1.0)
    """
    lo, hi = window
    free = fit_power_law(dims, y, level=level, d_min=lo, d_max=hi)
    try:
        joint = fit_power_log_law(dims, y, level=level, d_min=lo, d_max=hi).to_dict()
    except ValueError as exc:  # too few points in the window
        joint = {"error": str(exc)}
    checks = []
    for rate in rates:
        f = fit_to_rate(dims, y, rate.exponent, rate.log_exponent, level=level, d_min=lo, d_max=hi)
        checks.append({"rate": rate.text(), "rate_exponent": rate.exponent,
                       "rate_log_exponent": rate.log_exponent, "source": rate.source,
                       "residual_exponent": f.exponent, "interval": [f.ci_low, f.ci_high],
                       "flat": bool(abs(f.exponent) <= FLAT_TOL)})
    return {"free": free.to_dict(), "exponent": free.exponent, "interval": [free.ci_low, free.ci_high],
            "joint": joint, "rates": checks}
