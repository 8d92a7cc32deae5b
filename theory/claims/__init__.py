"""The claims registry: every numbered statement of the paper as a checkable object.

One entry per ID of ``../shared/paper/CLAIMS.md`` (D4, D5, T8, T9, T10, C11, T12, T13, R14, T15, T16,
T17, T18, L21, L22, T24, L25, L26, L27, the remark after T9 ``R-T9``, the cells of Table 1
``TABLE1-<mechanism>-<norm>-<divergence>`` and the conclusion ``CONCL-linf-sqrt-d``).  Each entry is a
:class:`Claim` (see :mod:`theory.claims._core`): statement as printed, formalisation (hypotheses,
conditions, a conclusion returning both sides with their tolerance), kind, methods, checks and the verdict.

Groups:
  * :mod:`theory.claims.divergence_claims` -- D4, D5, T8, R-T9, T9, L21, L22, L25;
  * :mod:`theory.claims.l2_claims`         -- T10, C11, T12, T24, L26;
  * :mod:`theory.claims.linf_claims`       -- T13, R14, T15, T16, T17, T18, L27;
  * :mod:`theory.claims.table_claims`      -- Table 1 cells and the O(1/√d) conclusion;
  * :mod:`theory.claims.proof_steps`       -- proof-step sub-claims (``T12.step-triangle``, ...);
  * :mod:`theory.claims.experimental_claims` -- statements about the paper's figures ("10∼20 times").

A claim has one or more readings (:class:`Reading`: "as printed" and repaired ones), each with its own
checks and verdict; ``Claim.printed_verdict`` / ``Claim.best_verdict``.

Usage::

    from theory.claims import CLAIMS, get
    ev = get("T8").run_checks()
"""

from __future__ import annotations

from types import ModuleType

from theory.claims._core import (  # noqa: F401
    ANALYSIS,
    AS_PRINTED,
    ASSURANCE_ORDER,
    ASSURANCES,
    ASYMPTOTIC,
    BEST_ORDER,
    CITED,
    CONDITION,
    CONDITIONAL,
    CONSISTENT,
    DEFAULT_ASSURANCE,
    DEFINITION,
    EMPTY,
    EXACT,
    EXPERIMENTAL,
    FINDINGS,
    GAP,
    HOLDS,
    IDENTITY,
    ILL_POSED,
    INEQUALITY,
    INVALID,
    KINDS,
    METHODS,
    MONTE_CARLO,
    NOT_DECIDABLE,
    PROOF_GAP,
    PROOF_INVALID,
    PROOF_STEP,
    PROVED,
    REFUTED,
    REFUTES,
    SAMPLED,
    SEARCH,
    SUPPORTS,
    SYMBOLIC,
    UNDECIDABLE,
    VERDICTS,
    VERIFIED,
    WITNESS_FINDINGS,
    Check,
    Claim,
    Evidence,
    Param,
    Predicate,
    Reading,
    Sides,
    deciding_evidence,
    derive_verdict,
    evidence,
    reading_assurance,
    strongest,
    weakest,
    witness_evidence,
)

__all__ = ["CLAIMS", "get", "ids", "Claim", "Check", "Evidence", "Param", "Predicate", "Reading", "Sides",
           "derive_verdict", "evidence", "witness_evidence", "VERDICTS", "BEST_ORDER", "KINDS", "METHODS",
           "REQUIRED_IDS", "ILL_POSED", "PROOF_GAP", "EMPTY", "GAP", "AS_PRINTED", "PROOF_STEP", "EXPERIMENTAL",
           "HOLDS", "CONDITIONAL", "REFUTED", "UNDECIDABLE", "SUPPORTS", "CONDITION", "REFUTES", "NOT_DECIDABLE",
           "FINDINGS", "WITNESS_FINDINGS", "DEFINITION", "IDENTITY", "INEQUALITY", "ASYMPTOTIC", "CITED",
           "SYMBOLIC", "EXACT", "MONTE_CARLO", "SEARCH", "ANALYSIS", "CONSISTENT", "PROOF_INVALID", "INVALID",
           "PROVED", "VERIFIED", "SAMPLED", "ASSURANCES", "ASSURANCE_ORDER", "reading_assurance",
           "deciding_evidence", "weakest", "strongest"]

#: the IDs the registry must hold (issue 3); Table 1 cells and the conclusion are added below.
REQUIRED_IDS = ("D4", "D5", "T8", "T9", "T10", "C11", "T12", "T13", "R14", "T15", "T16", "T17", "T18",
                "L21", "L22", "T24", "L25", "L26", "L27", "R-T9")


def _groups() -> list[ModuleType]:
    """The modules contributing entries (optional ones are skipped while they do not exist yet)."""
    import importlib

    mods = []
    for name in ("divergence_claims", "l2_claims", "linf_claims", "table_claims", "proof_steps",
                 "experimental_claims", "followup_claims"):
        try:
            mods.append(importlib.import_module(f"theory.claims.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"theory.claims.{name}":
                raise
    return mods


def _build() -> dict[str, Claim]:
    from theory.claims.assurance import declare

    reg: dict[str, Claim] = {}
    for group in _groups():
        for c in group.CLAIMS:
            if c.id in reg:
                raise RuntimeError(f"duplicate claim id {c.id}")
            reg[c.id] = declare(c)   # every check's assurance (issue 19), KeyError for an undeclared one
    return reg


CLAIMS: dict[str, Claim] = _build()


def ids() -> list[str]:
    return list(CLAIMS)


def get(claim_id: str) -> Claim:
    """The claim with this ID (case-insensitive); ValueError naming the known IDs otherwise."""
    key = str(claim_id).strip()
    for k, c in CLAIMS.items():
        if k.lower() == key.lower():
            return c
    raise ValueError(f"claim_id must be one of {list(CLAIMS)}, got {claim_id!r}")
