"""The seed paper's Table 1 and conclusion next to the follow-up literature, row by row (issue 14).

Data: :data:`ROWS`, one :class:`Comparison` per Table 1 cell (IDs of :mod:`theory.claims.table_claims`) and the
conclusion ``CONCL-linf-sqrt-d``, with the follow-up statement it meets, the relation (``agree`` / ``disagree`` /
``not comparable``) and why.  The numbers quoted in the Markdown are computed when :func:`followup_markdown` runs,
from the Neyman-Pearson engine (:mod:`theory.neyman_pearson`) and the follow-up claims
(:mod:`theory.claims.followup_claims`): nothing in the table is typed in.

Normalisations differ, and most disagreements are only that:

* the seed paper fixes the *expected ℓ∞ norm* of the noise, E‖z‖∞ (Sections 3.1–3.2), or the scale σ;
* Yang et al. 2020, Kumar et al. 2020 and Blum et al. 2020 fix the *per-coordinate magnitude* (E[Z_i²], pixels in
  [0, 1]).

For the Gaussian, E‖z‖∞ ≈ σ√(2 log d), so the two conventions differ by √(log d); for eq.-6 noise E‖z‖∞ = dσ and
E[Z_i²]^{1/2} ≈ dσ/√3, so both conventions put σ ∝ 1/d.

>>> [r.cell for r in ROWS][:2]
['TABLE1-gaussian-l2-dinf', 'TABLE1-gaussian-l2-dmr']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from theory.report.tables import md_table

if TYPE_CHECKING:
    from theory.neyman_pearson import TightRadius

__all__ = ["RELATIONS", "ROWS", "Comparison", "followup_markdown", "followup_numbers"]

AGREE = "agree"
DISAGREE = "disagree"
NOT_COMPARABLE = "not comparable"
RELATIONS = (AGREE, DISAGREE, NOT_COMPARABLE)


@dataclass(frozen=True)
class Comparison:
    """One row: the seed paper's ``cell`` (claim ID) and its printed entry ``seed``; the follow-up ``followup``
    statement (with the claim IDs ``followup_ids``); ``relation`` (one of :data:`RELATIONS`) and ``why``."""

    cell: str
    seed: str
    followup: str
    followup_ids: tuple[str, ...]
    relation: str
    why: str

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"relation must be one of {RELATIONS}, got {self.relation!r}")


ROWS = (
    Comparison(
        "TABLE1-gaussian-l2-dinf", "Gaussian, ℓ2, D∞: unable to certify",
        "Cohen et al. 2019 / all follow-ups: the Gaussian certifies σΦ⁻¹(pA) in ℓ2 by Neyman-Pearson",
        (), NOT_COMPARABLE,
        "different certification notion: 'unable' is about the D∞ (pure-DP) argument — the Gaussian's D∞ is +∞ — "
        "not about the noise; by Neyman-Pearson the same noise certifies {gauss_l2:.4g} at pA = 0.99, σ = 1."),
    Comparison(
        "TABLE1-gaussian-l2-dmr", "Gaussian, ℓ2, DMR: near optimal, r = O(1)",
        "Kumar et al. 2020: for p = 2 i.i.d. noise has no dimension penalty and the Gaussian is optimal up to a "
        "constant; the NP radius σΦ⁻¹(pA) is dimension-free",
        ("KUMAR20-GAUSS-OPTIMAL",), AGREE,
        "same normalisation question does not arise in ℓ2 at fixed σ: r = Θ(1) in every convention that fixes σ; "
        "C11 itself is within a constant of Cohen's radius for moderate pA (it exceeds it near pA → 1, see C11)."),
    Comparison(
        "TABLE1-gaussian-linf-dinf", "Gaussian, ℓ∞, D∞: unable to certify",
        "the NP radius of the Gaussian in ℓ∞ is σΦ⁻¹(pA)/√d > 0",
        (), NOT_COMPARABLE,
        "as for ℓ2: a statement about the D∞ argument, not the noise (NP: {gauss_linf_3072:.4g} at d = 3072)."),
    Comparison(
        "TABLE1-gaussian-linf-dmr", "Gaussian, ℓ∞, DMR: near optimal, r = O(1/√(d log d))",
        "Yang et al. 2020 barrier Ω(min(1, d^{1/p−1/2})); Kumar et al. 2020 O(1/d^{1/2−1/p}) and Gaussian optimal "
        "up to a constant; Blum et al. 2020 variance Ω(d ε²) at p = ∞",
        ("YANG20-LP-BARRIER", "KUMAR20-IID-RATE", "KUMAR20-GAUSS-OPTIMAL", "BLUM20-VARIANCE"), NOT_COMPARABLE,
        "different normalisation: at fixed per-coordinate variance the Gaussian ℓ∞ radius is Θ(1/√d) (engine slope "
        "{gauss_slope:.3f}), which meets the follow-up barrier — 'near optimal' agrees in substance; the extra "
        "√(log d) of the seed's rate comes from fixing E‖z‖∞ ≈ σ√(2 log d) instead."),
    Comparison(
        "TABLE1-exponential-l2-dinf", "eq.-6 noise, ℓ2, D∞: not optimal",
        "engine: eq.-6 noise in ℓ2 is bracketed by Yang's ℓ∞ radius and min(√d·that, the axis rule)",
        (), AGREE,
        "at equal per-coordinate variance eq. 6 has σ ∝ 1/d, so its ℓ2 radius is O(√d · 1/d) = O(1/√d) "
        "(upper bound {exp_l2_ratio:.3g}× the Gaussian's Θ(1) radius at d = 1024), far from optimal."),
    Comparison(
        "TABLE1-exponential-l2-dmr", "eq.-6 noise, ℓ2, DMR: not optimal",
        "same comparison (the NP radius does not depend on the divergence used)",
        (), AGREE, "as the previous row."),
    Comparison(
        "TABLE1-exponential-linf-dinf", "eq.-6 noise, ℓ∞, D∞: optimal, r = O(1/d)",
        "Kumar et al. 2020 / Yang et al. 2020: at fixed per-coordinate magnitude the ℓ∞ radius can reach Θ(1/√d) "
        "(the Gaussian does); eq. 6 gets O(1/d)",
        ("KUMAR20-IID-RATE", "YANG20-LP-BARRIER"), DISAGREE,
        "read as optimality over all noises it is contradicted: at equal per-coordinate variance the Gaussian's ℓ∞ "
        "radius exceeds eq. 6's (Yang's tight radius) by {exp_vs_gauss:.3g}× at d = 1024 and the gap grows like √d "
        "(engine slopes {exp_slope:.3f} vs {gauss_slope:.3f}); read as optimality among ε-DP (D∞) mechanisms "
        "(Hardt & Talwar's bound, T16) the follow-up papers do not address it."),
    Comparison(
        "TABLE1-exponential-linf-dmr", "eq.-6 noise, ℓ∞, DMR: not optimal",
        "Kumar / Yang: the Gaussian reaches the Θ(1/√d) barrier, eq. 6 does not",
        ("KUMAR20-IID-RATE",), AGREE, "the engine's rates (previous row) show the same √d gap."),
    Comparison(
        "CONCL-linf-sqrt-d", "conclusion: with E‖z‖∞ fixed, the largest ℓ∞ radius is O(1/√d)",
        "Yang et al. 2020: Ω(min(1, d^{1/p−1/2})) barrier; Kumar et al. 2020: O(1/d^{1/2−1/p}) for i.i.d. noise; "
        "Blum et al. 2020: variance Ω(d^{1−2/p} ε²)",
        ("YANG20-LP-BARRIER", "KUMAR20-IID-RATE", "BLUM20-VARIANCE"), AGREE,
        "the same d^(-1/2) rate at p = ∞, proved there (under per-coordinate normalisation, for all noises in Yang's "
        "and Blum's theorems); fixing E‖z‖∞ instead changes the constant by at most √(log d) for the Gaussian. "
        "Every noise the engine models obeys it (slopes ≤ −1/2 + 0.05)."),
)


def _exact_value(r: TightRadius) -> float:
    """``r.value``, which every cell quoted here has (exact cells)."""
    if r.value is None:
        raise RuntimeError(f"{r.noise} in {r.norm} is not an exact cell")  # pragma: no cover
    return r.value


def followup_numbers() -> dict[str, float]:
    """The numbers quoted in :data:`ROWS` (engine, pA = 0.99): computed, never typed in (~0.1 s)."""
    from theory.claims.followup_claims import (
        DIMS,
        _slope,
        linf_radius_upper,
        unit_variance_sigma,
    )
    from theory.neyman_pearson import tight_radius

    g = [linf_radius_upper("gaussian", d) for d in DIMS]
    ex = [linf_radius_upper("exponential-linf", d) for d in DIMS]
    d = 1024
    exp_l2 = tight_radius("exponential-linf", "l2", sigma=unit_variance_sigma("exponential-linf", d), d=d, pA=0.99)
    return {
        "gauss_l2": _exact_value(tight_radius("gaussian", "l2", pA=0.99)),
        "gauss_linf_3072": _exact_value(tight_radius("gaussian", "linf", d=3072, pA=0.99)),
        "gauss_slope": _slope(DIMS, g),
        "exp_slope": _slope(DIMS, ex),
        "exp_vs_gauss": g[DIMS.index(d)] / ex[DIMS.index(d)],
        "exp_l2_ratio": exp_l2.upper / _exact_value(tight_radius("gaussian", "l2", pA=0.99)),
    }


def followup_markdown() -> list[str]:
    """Markdown lines of the section 'Table 1 and the conclusion next to the follow-up literature'."""
    nums = followup_numbers()
    L = ["## Table 1 and the conclusion next to the follow-up literature\n",
         "Follow-up papers: Yang et al. 2020 (ICML, 'Randomized smoothing of all shapes and sizes'), Kumar et al. "
         "2020 (ICML, 'Curse of dimensionality on randomized smoothing'), Blum et al. 2020 (JMLR, 'Random smoothing "
         "might be unable to certify ℓ∞ robustness').  They fix the noise's per-coordinate magnitude; the seed paper "
         "fixes E‖z‖∞ or σ.  Numbers: `theory.neyman_pearson` at pA = 0.99 (`theory/followup.py`).\n",
         *md_table(["seed paper", "follow-up", "claims", "relation", "why"],
                   [[f"{r.seed} ({r.cell})", r.followup, ", ".join(r.followup_ids) or "–", f"**{r.relation}**",
                     r.why.format(**nums)] for r in ROWS]).split("\n"),
         ""]
    counts = {rel: sum(r.relation == rel for r in ROWS) for rel in RELATIONS}
    L.append(f"{counts[AGREE]} rows agree, {counts[DISAGREE]} disagree, {counts[NOT_COMPARABLE]} are not comparable "
             "as printed (different normalisation or certification notion).\n")
    return L
