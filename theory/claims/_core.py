"""Data model of the claims registry: a claim, its formalisation, its checks and their evidence.

A :class:`Claim` is one numbered statement of the paper (ID as in ``../shared/paper/CLAIMS.md``):

* ``statement`` -- the statement as the paper prints it (reconstructed where the PDF text is garbled);
* ``hypotheses`` -- predicates over a parameter dictionary (the theorem's "if" part);
* ``conditions`` -- extra predicates under which the claim was found to hold (empty when it holds as
  printed); the property tests sample parameters, keep those meeting hypotheses AND conditions, and assert
  the conclusion;
* ``conclusion(params) -> Sides`` -- both sides of the (in)equality and the tolerance that applies;
* ``checks`` -- functions ``check(thorough: bool) -> Evidence`` (symbolic, exact numeric, Monte Carlo,
  search) whose findings decide the verdict.

Verdicts (issue 4): ``holds`` / ``holds under stated conditions`` / ``refuted`` (with a witness) /
``not numerically decidable`` (with the reason); issue 11 adds ``ill-posed as printed`` and ``proof gap``;
issue 19 adds ``consistent with`` (support that is only sampled) and ``proof invalid`` (a step a proof needs
is false and admits no local repair).

Assurance (issue 19).  Every finding says how sure it is (:data:`ASSURANCES`: ``proved`` / ``verified`` /
``sampled``) and every reading carries the assurance of the findings that decide it
(:func:`reading_assurance`).  The verdict follows the assurance (:func:`derive_verdict`): "holds" and
"holds under stated conditions" need deciding findings that are proved or verified; support that is only
sampled gives ``consistent with``.  A refutation (and an ill-posed / proof-gap / proof-invalid finding) stands
when at least one of its witnesses re-checks rigorously (proved or verified: an explicit counterexample
evaluated in closed form, exact or interval arithmetic); a counterexample that was only sampled decides
nothing (``not numerically decidable``).  A check marked ``cross_check`` (a numerical confirmation of what
another check of the same reading establishes with higher assurance) does not decide support: its refutation
still counts.

Readings (issue 11).  A claim may be read several ways: *as printed*, and, where that reading fails or says
nothing, *repaired* readings (the weakest change of hypotheses under which the intended conclusion holds).
Each :class:`Reading` has its own precise statement, checks, recorded verdict and witness check.  A claim
without ``readings`` has one reading, "as printed", made of its own ``checks`` and ``verdict``
(:attr:`Claim.all_readings`).  ``Claim.verdict`` is always the verdict *as printed*
(:attr:`Claim.printed_verdict`); :attr:`Claim.best_verdict` is the most favourable verdict over all readings
(order :data:`BEST_ORDER`).

How the two new verdicts arise (:func:`derive_verdict`, from the findings of one reading's checks):

* ``ill-posed as printed`` -- some check of the reading finds :data:`EMPTY`: under a natural interpretation
  the hypotheses are met by nothing (e.g. no additive mechanism is accurate on a bounded box), so the
  statement is vacuous.  Whether or not another check also refutes the statement under the other natural
  interpretation (the usual case: "false under one reading, empty under the other"), the reading is
  ill-posed: an empty statement is not what the authors meant, and a refutation of one interpretation
  alone would misreport the other.  :data:`EMPTY` outranks every other finding.
* ``proof gap`` -- for proof-step sub-claims (:mod:`theory.claims.proof_steps`): a check finds
  :data:`GAP`: the step as written is false (its witness in ``data["witness"]``) while the conclusion the
  step serves is true by another route (the same check verifies that route).  A step whose falsity also
  breaks the conclusion is plain :data:`REFUTES`.
* ``proof invalid`` (issue 19) -- a check finds :data:`INVALID`: a step the proof needs is false and no local
  repair exists (a corrected citation cannot deliver the conclusion either); the argument that carries the
  conclusion instead is named in ``data["carried_by"]``.  It outranks ``proof gap`` and yields to a refutation
  of the conclusion itself.
* ``consistent with`` (issue 19) -- what would be ``holds`` / ``holds under stated conditions`` when a deciding
  finding is only sampled (the claim's ``holds_when`` states the conditions and what is assumed).

The verdict of a claim is *derived* from the findings of
its checks (:func:`derive_verdict`); the registry also records the verdict the project reached
(``Claim.verdict``) and the test-suite asserts that the two agree, so a change in the numbers that would
change a verdict fails a test instead of silently rewriting the report.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# ----------------------------------------------------------------------------------------------------
# vocabulary
# ----------------------------------------------------------------------------------------------------

HOLDS = "holds"
CONDITIONAL = "holds under stated conditions"
REFUTED = "refuted"
UNDECIDABLE = "not numerically decidable"
ILL_POSED = "ill-posed as printed"   # false under one natural reading, empty under the other (finding EMPTY)
PROOF_GAP = "proof gap"              # a proof step is false while the conclusion it serves survives (GAP)
CONSISTENT = "consistent with"       # supported, but only by sampled findings (grids, Monte Carlo, optimisers)
PROOF_INVALID = "proof invalid"      # a step the proof needs is false, no local repair exists (INVALID)
VERDICTS = (HOLDS, CONDITIONAL, CONSISTENT, REFUTED, UNDECIDABLE, ILL_POSED, PROOF_GAP, PROOF_INVALID)
#: verdicts from most to least favourable (used by :attr:`Claim.best_verdict` and the audit's counts)
BEST_ORDER = (HOLDS, CONDITIONAL, CONSISTENT, PROOF_GAP, PROOF_INVALID, UNDECIDABLE, ILL_POSED, REFUTED)

# findings of a single check
SUPPORTS = "supports"        # the check found the claim true on everything it tried
CONDITION = "condition"      # the check found the claim true only in a stated range / reading
REFUTES = "refutes"          # the check reproduced a counterexample (a witness is in the evidence)
NOT_DECIDABLE = "undecidable"  # the check established what can't be decided numerically, and why
EMPTY = "empty"              # the check showed the hypotheses (under a natural interpretation) are met by nothing
GAP = "gap"                  # the check showed a proof step false while the conclusion it serves holds otherwise
INVALID = "invalid"          # the check showed a step the proof needs false with no local repair (the argument
#                              that carries the conclusion instead, if any, in ``data["carried_by"]``)
FINDINGS = (SUPPORTS, CONDITION, REFUTES, NOT_DECIDABLE, EMPTY, GAP, INVALID)

DEFINITION = "definition"
IDENTITY = "exact identity"
INEQUALITY = "inequality"
ASYMPTOTIC = "asymptotic bound with hidden constants"
CITED = "lemma cited from another paper"
PROOF_STEP = "proof step"
EXPERIMENTAL = "experimental statement"
KINDS = (DEFINITION, IDENTITY, INEQUALITY, ASYMPTOTIC, CITED, PROOF_STEP, EXPERIMENTAL)

AS_PRINTED = "as printed"

SYMBOLIC = "symbolic"
EXACT = "exact numeric"
MONTE_CARLO = "Monte Carlo"
SEARCH = "search"
ANALYSIS = "analysis"   # a conclusion drawn from other registry entries' results (no new computation)
METHODS = (SYMBOLIC, EXACT, MONTE_CARLO, SEARCH, ANALYSIS)

# how sure a finding is (issue 19): the weakest assurance of the findings that decide a reading is its own
PROVED = "proved"        # a symbolic identity, or a derivation checked by sympy
VERIFIED = "verified"    # a rigorous enclosure over the whole stated domain (interval/ball arithmetic with
#                          branch-and-bound) or an exhaustive enumeration of a finite domain
SAMPLED = "sampled"      # grids, Monte Carlo, optimisers: evidence consistent with the claim, not a proof
ASSURANCES = (PROVED, VERIFIED, SAMPLED)
#: the assurance a check gets when neither the check nor its evidence names one: only a symbolic method is
#: taken as proved; everything else (an "exact numeric" evaluation at finitely many points included) is sampled
#: until the check says otherwise
DEFAULT_ASSURANCE = {SYMBOLIC: PROVED, EXACT: SAMPLED, MONTE_CARLO: SAMPLED, SEARCH: SAMPLED, ANALYSIS: SAMPLED}
#: assurances from strongest to weakest ("" -- not declared -- counts as sampled)
ASSURANCE_ORDER = (PROVED, VERIFIED, SAMPLED)


def _rank(assurance: str) -> int:
    return ASSURANCE_ORDER.index(assurance) if assurance in ASSURANCE_ORDER else len(ASSURANCE_ORDER) - 1


def weakest(assurances: list[str]) -> str:
    """The weakest of ``assurances`` (``""`` counts as sampled; an empty list gives sampled).

    >>> weakest([PROVED, VERIFIED]), weakest([PROVED, SAMPLED, VERIFIED]), weakest([])
    ('verified', 'sampled', 'sampled')
    """
    return ASSURANCE_ORDER[max((_rank(a) for a in assurances), default=len(ASSURANCE_ORDER) - 1)]


def strongest(assurances: list[str]) -> str:
    """The strongest of ``assurances`` (``""`` counts as sampled; an empty list gives sampled).

    >>> strongest([SAMPLED, VERIFIED]), strongest([SAMPLED, ""])
    ('verified', 'sampled')
    """
    return ASSURANCE_ORDER[min((_rank(a) for a in assurances), default=len(ASSURANCE_ORDER) - 1)]


# ----------------------------------------------------------------------------------------------------
# formalisation
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """One parameter of a claim and the range the property tests draw it from.

    ``scale``: ``"log"`` (log-uniform real), ``"linear"`` (uniform real), ``"int"`` (uniform integer),
    ``"logint"`` (log-uniform integer).
    """

    name: str
    lo: float
    hi: float
    scale: str = "linear"
    text: str = ""


@dataclass(frozen=True)
class Predicate:
    """A named predicate over the parameter dictionary (a hypothesis or a condition)."""

    name: str
    text: str
    test: Callable[[dict[str, Any]], bool]

    def __call__(self, params: dict[str, Any]) -> bool:
        return bool(self.test(params))


@dataclass(frozen=True)
class Sides:
    """Both sides of a claimed (in)equality ``lhs REL rhs`` and the tolerance that applies.

    ``relation`` is one of ``"<="``, ``">="``, ``"=="``; ``tol`` is absolute on the difference
    (``lhs <= rhs + tol``; ``|lhs - rhs| <= tol`` for ``==``), chosen and justified (``tol_reason``) by the
    claim's conclusion function.
    """

    lhs: float
    rhs: float
    relation: str
    tol: float
    tol_reason: str = ""

    def holds(self) -> bool:
        if self.relation == "<=":
            return self.lhs <= self.rhs + self.tol
        if self.relation == ">=":
            return self.lhs + self.tol >= self.rhs
        if self.relation == "==":
            if math.isinf(self.lhs) or math.isinf(self.rhs):
                return self.lhs == self.rhs
            return abs(self.lhs - self.rhs) <= self.tol
        raise ValueError(f"relation must be one of '<=', '>=', '==', got {self.relation!r}")

    def as_dict(self) -> dict[str, Any]:
        return {"lhs": self.lhs, "relation": self.relation, "rhs": self.rhs, "tol": self.tol,
                "tol_reason": self.tol_reason, "holds": self.holds()}


@dataclass
class Evidence:
    """What one check found.

    ``ok`` -- the check's own assertions passed (numbers agree within the stated tolerance, the
    counterexample reproduces, ...): a test fails when it is False.  ``finding`` -- what the check says
    about the claim (one of :data:`FINDINGS`).  ``data`` -- numbers, tolerances, sample sizes,
    confidence levels, witnesses (JSON-able).  ``summary`` -- one or two sentences for the report.
    ``assurance`` -- how sure the finding is (one of :data:`ASSURANCES`; ``""`` until :meth:`Check.run`
    fills it from the check's declared assurance or :data:`DEFAULT_ASSURANCE` of its method).
    ``decides`` -- False for a cross-check (:attr:`Check.cross_check`): its support does not decide the reading.
    """

    check: str
    method: str
    finding: str
    ok: bool
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    assurance: str = ""
    decides: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "method": self.method, "finding": self.finding, "ok": self.ok,
                "assurance": self.assurance, "decides": self.decides, "summary": self.summary, "data": self.data,
                "seconds": round(self.seconds, 4)}


@dataclass(frozen=True)
class Check:
    """A named check of a claim: ``func(thorough: bool) -> Evidence`` (without timing).

    ``assurance`` -- what the check's method can establish (one of :data:`ASSURANCES`); ``""``: the
    :data:`DEFAULT_ASSURANCE` of ``method``.  Evidence that names its own assurance keeps it (a check may
    know better at run time, e.g. an enclosure that failed to close is only sampled).  ``cross_check`` --
    True for a numerical confirmation of what another check of the same reading establishes with higher
    assurance: its support does not decide the reading (its refutation, or a failure, still counts).
    ``why`` -- one sentence justifying the declared assurance (shown by ``python -m theory claims --json``).
    """

    name: str
    method: str
    func: Callable[[bool], Evidence]
    assurance: str = ""
    cross_check: bool = False
    why: str = ""

    @property
    def declared_assurance(self) -> str:
        """The declared assurance, or the default of the method when none is declared."""
        return self.assurance or DEFAULT_ASSURANCE[self.method]

    def __post_init__(self) -> None:
        if self.assurance and self.assurance not in ASSURANCES:
            raise ValueError(f"assurance of check {self.name!r} must be one of {ASSURANCES}, got {self.assurance!r}")

    def run(self, thorough: bool = False) -> Evidence:
        t0 = time.perf_counter()
        try:
            ev = self.func(thorough)
        except Exception as exc:  # a crashing check is reported, never hidden
            ev = Evidence(self.name, self.method, NOT_DECIDABLE, False,
                          f"check raised {exc.__class__.__name__}: {exc}", {"error": repr(exc)})
        ev.seconds = time.perf_counter() - t0
        ev.check = self.name
        ev.method = self.method
        ev.decides = not self.cross_check
        if not ev.assurance:
            ev.assurance = self.assurance or DEFAULT_ASSURANCE[self.method]
        elif ev.assurance not in ASSURANCES:
            raise ValueError(f"assurance of the evidence of check {self.name!r} must be one of {ASSURANCES}, "
                             f"got {ev.assurance!r}")
        return ev


@dataclass(frozen=True)
class Reading:
    """One reading of a claim: a precise statement with its own checks and recorded verdict.

    ``name`` -- ``"as printed"`` or ``"repaired: ..."``; ``statement`` -- the precise statement of this
    reading; ``verdict`` -- the recorded verdict (a test asserts that :func:`derive_verdict` of the checks'
    findings equals it); ``checks`` -- :class:`Check` objects; ``repair`` -- what changed with respect to the
    printed statement (``""`` as printed); ``witness_check`` -- the name of the check whose
    ``Evidence.data["witness"]`` is the witness of a refuted / ill-posed reading.
    """

    name: str
    statement: str
    verdict: str
    checks: tuple[Check, ...] = ()
    repair: str = ""
    witness_check: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r} (reading {self.name!r})")
        names = [c.name for c in self.checks]
        if len(set(names)) != len(names):
            raise ValueError(f"check names of reading {self.name!r} must be unique, got {names}")
        if self.witness_check and self.witness_check not in names:
            raise ValueError(f"witness_check of reading {self.name!r} must be one of {names}, "
                             f"got {self.witness_check!r}")

    @property
    def is_printed(self) -> bool:
        return self.name == AS_PRINTED

    def check(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise ValueError(f"check name of reading {self.name!r} must be one of {[c.name for c in self.checks]}, "
                         f"got {name!r}")

    def run_checks(self, thorough: bool = False, progress: Callable[[str], None] | None = None,
                   prefix: str = "") -> list[Evidence]:
        out = []
        for chk in self.checks:
            if progress is not None:
                progress(f"{prefix}{chk.name}")
            out.append(chk.run(thorough))
        return out

    @property
    def assurance(self) -> str:
        """The assurance the reading's recorded verdict rests on, from the checks' declared assurances (the
        audit recomputes it from the evidence, :func:`reading_assurance`): for a refuted / ill-posed /
        proof-gap / proof-invalid reading the strongest of its witness-carrying checks (one rigorous
        counterexample suffices); otherwise the weakest of its deciding (non-cross-check) checks."""
        if self.verdict in (REFUTED, ILL_POSED, PROOF_GAP, PROOF_INVALID):
            if self.witness_check:
                wit = [self.check(self.witness_check)]
            else:  # a symbolic check of a refuted reading usually derives what is refuted: not the witness
                wit = [c for c in self.checks if c.method != SYMBOLIC] or list(self.checks)
            return strongest([c.declared_assurance for c in wit])
        deciding = [c for c in self.checks if not c.cross_check] or list(self.checks)
        return weakest([c.declared_assurance for c in deciding])

    def listing(self) -> dict[str, Any]:
        return {"name": self.name, "statement": self.statement, "verdict": self.verdict,
                "assurance": self.assurance, "repair": self.repair,
                "checks": [{"name": c.name, "method": c.method, "assurance": c.declared_assurance,
                            "cross_check": c.cross_check, "why": c.why} for c in self.checks],
                "witness": self.witness_check}


@dataclass(frozen=True)
class Claim:
    """One numbered statement of the paper, formalised (see module docstring)."""

    id: str
    title: str
    where: str
    statement: str
    kind: str
    methods: tuple[str, ...]
    formalisation: str
    verdict: str
    holds_when: str = ""
    reason: str = ""
    hypotheses: tuple[Predicate, ...] = ()
    conditions: tuple[Predicate, ...] = ()
    params: tuple[Param, ...] = ()
    conclusion: Callable[[dict[str, Any]], Sides] | None = None
    checks: tuple[Check, ...] = ()
    depends_on: tuple[str, ...] = ()
    notes: str = ""
    readings: tuple[Reading, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r} ({self.id})")
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r} ({self.id})")
        for m in self.methods:
            if m not in METHODS:
                raise ValueError(f"method must be one of {METHODS}, got {m!r} ({self.id})")
        names = [r.name for r in self.all_readings]
        if len(set(names)) != len(names):
            raise ValueError(f"reading names must be unique, got {names} ({self.id})")
        printed = [r for r in self.all_readings if r.is_printed]
        if printed and printed[0].verdict != self.verdict:
            raise ValueError(f"verdict of claim {self.id} ({self.verdict!r}) must equal the verdict of its "
                             f"reading 'as printed' ({printed[0].verdict!r})")

    # -- readings -----------------------------------------------------------------------------------
    @property
    def all_readings(self) -> tuple[Reading, ...]:
        """The claim's readings, the reading "as printed" first.

        Without ``readings``: one reading "as printed" made of the claim's ``checks`` and ``verdict``.  With
        ``readings`` that contain no "as printed" one, the claim's own ``checks`` (if any) form it and come
        first; otherwise ``readings`` as given (the "as printed" one moved first).
        """
        own = Reading(AS_PRINTED, self.statement, self.verdict, tuple(self.checks))
        if not self.readings:
            return (own,)
        rs = tuple(self.readings)
        printed = [r for r in rs if r.is_printed]
        if printed:
            return tuple(printed) + tuple(r for r in rs if not r.is_printed)
        return ((own,) if self.checks else ()) + rs

    def reading(self, name: str) -> Reading:
        for r in self.all_readings:
            if r.name == name:
                return r
        raise ValueError(f"reading of claim {self.id} must be one of {[r.name for r in self.all_readings]}, "
                         f"got {name!r}")

    @property
    def printed_verdict(self) -> str:
        """The verdict of the statement as printed (== ``verdict``)."""
        return self.verdict

    @property
    def best_reading(self) -> Reading:
        """The reading with the most favourable recorded verdict (:data:`BEST_ORDER`; ties: first listed)."""
        rs = self.all_readings
        return min(rs, key=lambda r: BEST_ORDER.index(r.verdict))

    @property
    def best_verdict(self) -> str:
        """The most favourable verdict over all readings (the printed one included)."""
        return self.best_reading.verdict

    @property
    def all_checks(self) -> tuple[tuple[Reading, Check], ...]:
        """``(reading, check)`` pairs over every reading."""
        return tuple((r, c) for r in self.all_readings for c in r.checks)

    # -- formalisation helpers --------------------------------------------------------------------
    def applies(self, params: dict[str, Any]) -> bool:
        """True when the printed hypotheses hold at ``params``."""
        return all(h(params) for h in self.hypotheses)

    def in_domain(self, params: dict[str, Any]) -> bool:
        """True when hypotheses AND the conditions found necessary hold at ``params``."""
        return self.applies(params) and all(c(params) for c in self.conditions)

    def evaluate(self, params: dict[str, Any]) -> Sides:
        if self.conclusion is None:
            raise ValueError(f"claim {self.id} has no numeric conclusion function")
        missing = [p.name for p in self.params if not isinstance(params, dict) or p.name not in params]
        if missing:
            raise ValueError(f"params of claim {self.id} must be a dict with keys "
                             f"{[p.name for p in self.params]}; missing {missing}")
        from theory import validate as V

        for p in self.params:  # NaN / non-numbers would give NaN sides: refuse them, naming the parameter
            V.real(f"params[{p.name!r}] of claim {self.id}", params[p.name], allow_inf=True)
        return self.conclusion(params)

    def run_checks(self, thorough: bool = False, progress: Callable[[str], None] | None = None) -> list[Evidence]:
        out = []
        for chk in self.checks:
            if progress is not None:
                progress(f"{self.id}:{chk.name}")
            out.append(chk.run(thorough))
        return out

    def listing(self) -> dict[str, Any]:
        """The JSON object of ``python -m theory claims --json``."""
        return {
            "id": self.id,
            "title": self.title,
            "where": self.where,
            "kind": self.kind,
            "statement": self.statement,
            "formalisation": self.formalisation,
            "hypotheses": [{"name": h.name, "text": h.text} for h in self.hypotheses],
            "conditions": [{"name": c.name, "text": c.text} for c in self.conditions],
            "params": [{"name": p.name, "lo": p.lo, "hi": p.hi, "scale": p.scale, "text": p.text}
                       for p in self.params],
            "methods": list(self.methods),
            "checks": [{"name": c.name, "method": c.method, "assurance": c.declared_assurance,
                        "cross_check": c.cross_check} for c in self.checks],
            "verdict": self.verdict,
            "assurance": self.all_readings[0].assurance if self.all_readings else SAMPLED,
            "best_assurance": self.best_reading.assurance if self.all_readings else SAMPLED,
            "holds_when": self.holds_when,
            "reason": self.reason,
            "depends_on": list(self.depends_on),
            "printed_verdict": self.printed_verdict,
            "best_verdict": self.best_verdict,
            "readings": [r.listing() for r in self.all_readings],
        }


# A compound claim is no better than its weakest part: a part that cannot be decided numerically keeps the
# whole claim from "holding" (under conditions or not), as it already does for supports + undecidable.
# EMPTY outranks REFUTES (false under one interpretation + empty under the other = ill-posed); INVALID (a false
# proof step without local repair) and GAP (a false step with a surviving conclusion) are definite and outrank
# "undecidable"; a refutation of the conclusion outranks both.
_PRIORITY = {EMPTY: 6, REFUTES: 5, INVALID: 4, GAP: 3, NOT_DECIDABLE: 2, CONDITION: 1, SUPPORTS: 0}
_TO_VERDICT = {EMPTY: ILL_POSED, REFUTES: REFUTED, INVALID: PROOF_INVALID, GAP: PROOF_GAP, CONDITION: CONDITIONAL,
               NOT_DECIDABLE: UNDECIDABLE, SUPPORTS: HOLDS}
#: findings that call for a witness (a re-checkable counterexample) in the evidence
WITNESS_FINDINGS = (REFUTES, EMPTY, GAP, INVALID)


def deciding_evidence(evidence: list[Evidence]) -> list[Evidence]:
    """The findings that decide a reading (module docstring):

    * the worst finding is a witness finding (:data:`WITNESS_FINDINGS`): the evidence items with that finding
      (any one of them that re-checks rigorously decides it);
    * "undecidable": the items that found it;
    * otherwise (support, with or without conditions): every item that is not a cross-check (all items when
      every one is a cross-check).
    """
    if not evidence:
        return []
    worst = max(evidence, key=lambda e: _PRIORITY[e.finding]).finding
    if worst in WITNESS_FINDINGS:
        return [e for e in evidence if e.finding == worst and e.ok]
    if worst == NOT_DECIDABLE:
        return [e for e in evidence if e.finding == worst]
    return [e for e in evidence if e.decides] or list(evidence)


def reading_assurance(evidence: list[Evidence]) -> str:
    """The assurance of a reading: the weakest assurance of the findings that decide it -- for support, the
    weakest of the deciding items; for a refutation (ill-posed, proof gap, proof invalid), the strongest of
    its witnesses, since one rigorous counterexample is enough.  ``sampled`` for an empty list.

    >>> sup = evidence(SUPPORTS, True, "proof", assurance=PROVED)
    >>> reading_assurance([sup, evidence(CONDITION, True, "grid", assurance=SAMPLED)])
    'sampled'
    >>> reading_assurance([sup, evidence(REFUTES, True, "w", assurance=SAMPLED),
    ...                    evidence(REFUTES, True, "w2", assurance=VERIFIED)])
    'verified'
    """
    dec = deciding_evidence(evidence)
    if not dec:
        return SAMPLED
    if dec[0].finding in WITNESS_FINDINGS:  # one rigorous counterexample is enough
        return strongest([e.assurance for e in dec])
    return weakest([e.assurance for e in dec])


def derive_verdict(evidence: list[Evidence]) -> str:
    """Verdict from the findings of one reading's checks and their assurance:
    empty > refutes > invalid > gap > undecidable > condition > supports
    (``ill-posed as printed`` / ``refuted`` / ``proof invalid`` / ``proof gap`` / ``not numerically decidable`` /
    ``holds under stated conditions`` / ``holds``), then

    * support (``holds`` / ``holds under stated conditions``) whose deciding findings
      (:func:`deciding_evidence`) are not all proved or verified is ``consistent with``;
    * a witness finding (refutes / empty / invalid / gap) none of whose witnesses is proved or verified
      decides nothing: ``not numerically decidable``.

    A check that crashed (``ok`` False with an ``error``) makes the verdict undecidable; an empty list too.
    Evidence without an assurance (``""``) counts as sampled.

    >>> P, S = PROVED, SAMPLED
    >>> derive_verdict([evidence(SUPPORTS, True, "a", assurance=P), evidence(CONDITION, True, "b", assurance=P)])
    'holds under stated conditions'
    >>> derive_verdict([evidence(SUPPORTS, True, "a", assurance=P), evidence(CONDITION, True, "b", assurance=S)])
    'consistent with'
    >>> derive_verdict([evidence(REFUTES, True, "a", assurance=VERIFIED), evidence(EMPTY, True, "b", assurance=P)])
    'ill-posed as printed'
    >>> derive_verdict([evidence(INVALID, True, "step", assurance=P), evidence(SUPPORTS, True, "c", assurance=P)])
    'proof invalid'
    >>> derive_verdict([evidence(REFUTES, True, "Monte Carlo only", assurance=S)])
    'not numerically decidable'
    """
    if not evidence:
        return UNDECIDABLE
    worst = max(evidence, key=lambda e: _PRIORITY[e.finding]).finding
    verdict = _TO_VERDICT[worst]
    assurance = reading_assurance(evidence)
    if worst in WITNESS_FINDINGS:
        return verdict if assurance in (PROVED, VERIFIED) else UNDECIDABLE
    if verdict in (HOLDS, CONDITIONAL) and assurance not in (PROVED, VERIFIED):
        return CONSISTENT
    return verdict


def witness_evidence(reading: Reading, evs: list[Evidence]) -> list[Evidence]:
    """The evidence items of ``reading`` (``evs``: its checks' evidence, in order) that carry its witness:
    the one of ``reading.witness_check`` when set, otherwise every passing check whose finding is one of
    :data:`WITNESS_FINDINGS` and whose assurance is proved or verified (a counterexample that was only sampled
    is no witness, issue 19)."""
    if reading.witness_check:
        return [e for e in evs if e.check == reading.witness_check]
    return [e for e in evs if e.finding in WITNESS_FINDINGS and e.ok and e.assurance in (PROVED, VERIFIED)]


def evidence(finding: str, ok: bool, summary: str, *, assurance: str = "", **data: Any) -> Evidence:
    """Shorthand used by check functions (``check``/``method`` are filled in by :class:`Check`; ``assurance``
    too when not given here)."""
    if finding not in FINDINGS:
        raise ValueError(f"finding must be one of {FINDINGS}, got {finding!r}")
    if assurance and assurance not in ASSURANCES:
        raise ValueError(f"assurance must be one of {ASSURANCES}, got {assurance!r}")
    return Evidence("", "", finding, bool(ok), summary, data, assurance=assurance)
