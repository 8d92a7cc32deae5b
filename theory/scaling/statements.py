"""The paper's concrete numbers (Section 4): the "10∼20 times" ratio, ImageNet "less than 1/255", the 4/255 footnote."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from theory import validate as V
from theory.scaling.curves import CURVE_BY_KEY, _certificates, certificate_radius
from theory.scaling.grid import PAPER_DIMS, PAPER_SIGMAS
from theory.scaling.noise import _mechanism

# --------------------------------------------------------------------------------------------------
# The paper's concrete statements as numbers
# --------------------------------------------------------------------------------------------------
#: Cohen et al. 2019's CERTIFY settings (n = 100,000 noise draws, α = 0.001): the largest pA lower bound
#: it can produce is the Clopper–Pearson bound at nA = n, α^{1/n} = 0.99993.
COHEN_N, COHEN_ALPHA = 100_000, 0.001

_GAUSS_LINF = ("gaussian-linf-T18-c1", "gaussian-linf-T18-c3", "gaussian-linf-l2-to-linf")
_EXP_LINF = ("exponential-linf-T13", "exponential-linf-tight")


def ratio_statement(pAs: Iterable[float], d: int = 3072) -> dict[str, Any]:
    """Section 4: "the ℓ∞ radii certified by the Gaussian mechanism are about 10∼20 times (i.e.
    O(√(d/log d)) with d = 3072) larger than the ℓ∞ radii certified by the exponential mechanism".

    Ratios r_Gaussian / r_exponential at matched noise magnitude E‖z‖∞ (the ratio does not depend on the
    common value, all radii being linear in σ) and, for contrast, at equal σ; for each pA and each pair of
    certificates. √(d / ln d) is printed for the paper's "i.e.".

    The paper does not say at which common noise level it compares. Matching E‖z‖∞ is an ASSUMPTION (the
    paper's "i.e. O(√(d/log d))" supports it: the T18/T13 ratio at equal E‖z‖∞ is √(2d)/((1+c) E‖z‖∞ of
    the Gaussian at σ = 1) ~ √(d/log d)). For context the ratio at equal E‖z‖₂ (``ratio_matched_l2``, from
    ``expected_l2_norm()`` of both mechanisms) is reported too.

    Examples
    --------
    >>> row = ratio_statement([0.99])["rows"][0]
    >>> row["gaussian"], row["exponential"], round(row["ratio_matched_linf"], 2), row["in_10_20"]
    ('gaussian-linf-T18-c1', 'exponential-linf-T13', 10.51, True)
    """
    d = V.dimension("d", d)
    e_g = float(_mechanism("gaussian", 1.0, d).expected_linf_norm())
    e_e = float(_mechanism("exponential-linf", 1.0, d).expected_linf_norm())
    l2_g = float(_mechanism("gaussian", 1.0, d).expected_l2_norm())
    l2_e = float(_mechanism("exponential-linf", 1.0, d).expected_l2_norm())
    rows: list[dict[str, Any]] = []
    for pA in pAs:
        for g in _GAUSS_LINF:
            for e in _EXP_LINF:
                rg = certificate_radius(CURVE_BY_KEY[g], pA, 1.0 / e_g, d)
                re = certificate_radius(CURVE_BY_KEY[e], pA, 1.0 / e_e, d)
                rg_s = certificate_radius(CURVE_BY_KEY[g], pA, 1.0, d)
                re_s = certificate_radius(CURVE_BY_KEY[e], pA, 1.0, d)
                rg_2 = certificate_radius(CURVE_BY_KEY[g], pA, 1.0 / l2_g, d)
                re_2 = certificate_radius(CURVE_BY_KEY[e], pA, 1.0 / l2_e, d)
                ratio = rg / re
                ratio_2 = rg_2 / re_2
                rows.append({"pA": pA, "gaussian": g, "exponential": e, "ratio_matched_linf": ratio,
                             "ratio_equal_sigma": rg_s / re_s, "in_10_20": bool(10.0 <= ratio <= 20.0),
                             "ratio_matched_l2": ratio_2, "in_10_20_matched_l2": bool(10.0 <= ratio_2 <= 20.0)})
    paper_pair = [r for r in rows if r["gaussian"].startswith("gaussian-linf-T18") and r["exponential"] ==
                  "exponential-linf-T13"]
    return {"d": d, "claim": "about 10~20 times, i.e. O(sqrt(d/log d))", "sqrt_d_over_log_d":
            math.sqrt(d / math.log(d)), "gaussian_expected_linf_norm_sigma1": e_g,
            "exponential_expected_linf_norm_sigma1": e_e, "gaussian_expected_l2_norm_sigma1": l2_g,
            "exponential_expected_l2_norm_sigma1": l2_e, "rows": rows,
            "assumption": "the comparison is at equal E‖z‖∞ (not stated in the paper; its 'i.e. O(√(d/log d))' "
                          "is the T18/T13 ratio at equal E‖z‖∞)",
            "paper_pair_in_10_20": [bool(r["in_10_20"]) for r in paper_pair],
            "paper_pair_ratios": sorted({round(r["ratio_matched_linf"], 12) for r in paper_pair})}


def imagenet_statement(pAs: Iterable[float], sigmas: Iterable[float] = PAPER_SIGMAS,
                       d: int = PAPER_DIMS["ImageNet"]) -> dict[str, Any]:
    """Section 4 / Figure 6: "On ImageNet ... the robust radii are less than 1/255".

    ℓ∞ radii at d = 150528 for the paper's Gaussian σ values, at the representative pA and at the largest
    pA lower bound Cohen et al.'s CERTIFY can output (n = 100,000, α = 0.001); the exponential mechanism
    at the σ with the same E‖z‖∞ as that Gaussian. ``pA_for_1_255`` is the pA at which the certificate
    reaches 1/255 (from the certificate's inverse), as log10(1 − pA) since it can be far below 1e-300.

    Examples
    --------
    >>> im = imagenet_statement([0.99], sigmas=(0.5,))
    >>> round(im["pA_max"], 6), im["holds_everywhere"]       # CERTIFY with n = 1e5, alpha = 1e-3
    (0.999931, False)
    """
    C = _certificates()
    d = V.dimension("d", d)
    pA_max = C.clopper_pearson_lower(COHEN_N, COHEN_N, COHEN_ALPHA)
    one_minus_max = -math.expm1(math.log(COHEN_ALPHA) / COHEN_N)
    e_g = float(_mechanism("gaussian", 1.0, d).expected_linf_norm())
    e_e = float(_mechanism("exponential-linf", 1.0, d).expected_linf_norm())
    rows = []
    for sigma in sigmas:
        sigma = V.positive("sigma", sigma)
        for key in _GAUSS_LINF + _EXP_LINF:
            spec = CURVE_BY_KEY[key]
            s = sigma if spec.mechanism == "gaussian" else sigma * e_g / e_e
            params = {k: (d if v is None else v) for k, v in spec.params}
            radii = {str(p): certificate_radius(spec, p, s, d) for p in pAs}
            r_max = float(C.radius(spec.certificate, sigma=s, one_minus_pA=one_minus_max, **params))
            log_need = float(C.inverse(spec.certificate, 1.0 / 255.0, sigma=s, log=True, **params))
            rows.append({"sigma_gaussian": sigma, "certificate": key, "sigma": s, "radius": radii,
                         "radius_at_pA_max": r_max, "radius_at_pA_max_x255": r_max * 255.0,
                         "log10_one_minus_pA_for_1_255": log_need / math.log(10.0),
                         "below_1_255_at_all_pA": bool(max(list(radii.values()) + [r_max]) < 1.0 / 255.0)})
    return {"d": d, "claim": "less than 1/255", "pA_max": pA_max, "one_minus_pA_max": one_minus_max,
            "n": COHEN_N, "alpha": COHEN_ALPHA, "rows": rows,
            "holds_everywhere": bool(all(r["below_1_255_at_all_pA"] for r in rows))}


def footnote_statement(d: int = PAPER_DIMS["CIFAR-10"]) -> dict[str, Any]:
    """Footnote of Section 4.2: "On CIFAR-10, ℓ2 = 1.0 perturbation allows 4/255 perturbation on every
    pixel". A perturbation of δ on each of d coordinates has ℓ2 norm δ√d, so the ℓ2 ball of radius 1
    contains the ℓ∞ ball of radius 1/√d; the statement holds iff 4/255 ≤ 1/√d.

    Examples
    --------
    >>> fn = footnote_statement()
    >>> round(fn["max_per_pixel_x255"], 3), fn["holds"]    # 255/sqrt(3072) = 4.6 >= 4
    (4.601, True)
    """
    d = V.dimension("d", d)
    per_pixel = 1.0 / math.sqrt(d)
    return {"d": d, "claim": "l2 = 1.0 allows 4/255 on every pixel", "max_per_pixel": per_pixel,
            "max_per_pixel_x255": per_pixel * 255.0, "l2_norm_of_4_255_everywhere": 4.0 / 255.0 * math.sqrt(d),
            "holds": bool(4.0 / 255.0 <= per_pixel)}
