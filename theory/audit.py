"""Numeric audit of the paper: every reading of every claim (as printed and repaired), the proof-step
sub-claims, the soundness of every certificate, the probability statements and the hidden conditions.

Shape (issue 12): :func:`compute_audit` runs everything and returns an :class:`AuditResult` (frozen
dataclasses; no files written, nothing printed; every verdict, count, footnote and summary sentence is
computed there), :func:`write_audit_report` renders it::

    result = compute_audit(only=["T10", "C11"], soundness=False)
    write_audit_report(result, "reports")            # reports/audit.md, audit.json, audit_*.png, witnesses/
    again = AuditResult.from_json("reports/audit.json")
    assert render_markdown(again) == render_markdown(result)   # a report re-renders from its JSON

``python -m theory audit [--out reports/] [--json-out PATH] [--json] [--thorough]`` calls :func:`run_audit` (compute +
write).  It writes

* ``OUT/audit.md``   -- the verdict table first (ID, short title, verdict as printed, verdict of the best
  repaired reading, notes), the proof gaps, the witnesses, the soundness search, the probability
  statements, the hidden conditions, one section per claim (statement, formalisation, every reading with
  its evidence and verdict);
* ``OUT/audit.json`` -- :meth:`AuditResult.to_json` (``schema_version``; ``claims[*].readings``);
* ``OUT/audit_*.png`` -- the figures the markdown shows;
* ``OUT/witnesses/*.json`` -- one witness per over-certifying case (theory.witness) and one per refuted /
  ill-posed / proof-gap reading (theory.claim_witness), re-checkable with ``python -m theory witness FILE``.

Verdicts: holds / holds under stated conditions (on proved or verified findings only) / consistent with
(sampled support) / refuted (with a witness that re-checks rigorously) / not numerically decidable (with the
reason) / ill-posed as printed (false under one natural reading, empty under the other) / proof gap (a false
proof step, the conclusion surviving) / proof invalid (a needed step false, no local repair; the carrying
argument named); each is derived from the findings of the reading's checks and their assurance (proved /
verified / sampled; theory.claims.derive_verdict, theory.claims.reading_assurance) and compared with the
verdict recorded in the registry (a disagreement is flagged in the report and the JSON).  The verdict table
has an assurance column per verdict; ``--against OTHER.json`` compares the verdicts with another audit
(:func:`verdict_differences`; the default and the ``--thorough`` audit must agree).

Default run: well under 60 s on a 2-core machine; ``--thorough`` uses larger samples and grids (a few minutes;
the report states the measured time).
"""

from __future__ import annotations

import json
import math
import platform
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from theory._progress import progress_bar
from theory.jsonio import dump_json, load_result, to_jsonable
from theory.report import Provenance, md_table, new_figure, save_figure
from theory.report import fmt as _fmt

__all__ = ["AuditResult", "ClaimResult", "ReadingResult", "compute_audit", "write_audit_report", "run_audit",
           "render_markdown", "verdict_differences", "SCHEMA_VERSION"]

SCHEMA_VERSION = 2
TITLE = "Numeric audit of 'A Unified Framework for Randomized Smoothing Based Certified Defenses'"


def _plain(obj: Any) -> Any:
    """JSON-normal form (inf -> "inf", tuples -> lists, numpy/mpmath -> float): what the result stores, so that
    a result read back from its JSON renders byte-identically."""
    return json.loads(json.dumps(to_jsonable(obj)))


# ----------------------------------------------------------------------------------------------------
# the result
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReadingResult:
    """One reading of one claim as audited: recorded and derived verdicts, evidence (``Evidence.as_dict``),
    witness file names (under ``witnesses/``) and whether their re-check confirmed them."""

    name: str
    statement: str
    repair: str
    verdict: str                 # recorded in the registry
    derived_verdict: str         # from the findings of the checks run now
    all_checks_ok: bool
    evidence: tuple[dict[str, Any], ...] = ()
    witnesses: tuple[dict[str, Any], ...] = ()        # ({"file", "check", "finding", "confirmed"}, ...)
    assurance: str = ""          # of the findings that decide the derived verdict (theory.claims.reading_assurance)

    @property
    def agrees(self) -> bool:
        return self.verdict == self.derived_verdict

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReadingResult:
        return cls(**{**d, "evidence": tuple(d["evidence"]), "witnesses": tuple(d["witnesses"])})


@dataclass(frozen=True)
class ClaimResult:
    """One claim as audited (the registry's listing plus the readings' results)."""

    id: str
    title: str
    where: str
    kind: str
    statement: str
    formalisation: str
    hypotheses: tuple[dict[str, str], ...]
    conditions: tuple[dict[str, str], ...]
    methods: tuple[str, ...]
    verdict: str                 # recorded, as printed
    printed_verdict: str         # derived, as printed
    best_verdict: str            # derived, best over all readings
    best_reading: str
    best_repaired_verdict: str   # derived, best over the repaired readings ("" when there are none)
    best_repaired_reading: str
    holds_when: str
    reason: str
    depends_on: tuple[str, ...]
    readings: tuple[ReadingResult, ...]             # ReadingResult
    seconds: float
    all_checks_ok: bool
    verdict_agrees_with_registry: bool
    notes: tuple[str, ...] = ()            # footnotes of the verdict table (sentences computed here)
    printed_assurance: str = ""            # assurance of the printed reading's derived verdict (issue 19)
    best_repaired_assurance: str = ""      # assurance of the best repaired reading ("" when there is none)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClaimResult:
        kw = dict(d)
        for k in ("hypotheses", "conditions", "methods", "depends_on", "notes"):
            kw[k] = tuple(kw[k])
        kw["readings"] = tuple(ReadingResult.from_dict(r) for r in d["readings"])
        return cls(**kw)

    @property
    def evidence(self) -> tuple[dict[str, Any], ...]:
        """Evidence of the printed reading (back-compatibility with the v1 JSON)."""
        return self.readings[0].evidence


@dataclass(frozen=True)
class AuditResult:
    """Everything the audit report shows (see module docstring)."""

    title: str
    command: str
    thorough: bool
    python: str
    claims: tuple[ClaimResult, ...]
    counts_printed: tuple[tuple[str, int], ...]   # ((verdict, n), ...) in the order theory.claims.BEST_ORDER
    counts_best: tuple[tuple[str, int], ...]
    proof_steps: tuple[dict[str, Any], ...]                  # ({"id", "title", "serves", "verdict", "summary"}, ...)
    hidden_conditions: tuple[dict[str, Any], ...]
    claim_witnesses: tuple[dict[str, Any], ...]              # ({"claim", "reading", "check", "file", "confirmed"}, ...)
    summary_lines: tuple[str, ...]                # the end-of-run summary (printed by the CLI)
    seconds: float
    soundness: dict[str, Any] | None = None        # per certificate and setting (theory.certificates.exceeds_tight)
    witness_files: dict[str, Any] = field(default_factory=dict)   # {relative path under OUT: JSON content}
    provenance: Provenance | None = None
    followup_lines: tuple[str, ...] = ()            # Table 1 vs the follow-up literature (theory.followup)
    schema_version: int = SCHEMA_VERSION

    # -- JSON ------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, path: str | Path) -> Path:
        """Write the result as JSON (the layout of ``reports/audit.json``); returns ``path``."""
        return dump_json(self.to_dict(), path, indent=1, ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AuditResult:
        if d.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version of the audit JSON must be {SCHEMA_VERSION}, "
                             f"got {d.get('schema_version')!r}")
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        kw["claims"] = tuple(ClaimResult.from_dict(c) for c in d["claims"])
        for k in ("counts_printed", "counts_best"):
            kw[k] = tuple(tuple(x) for x in d[k])
        for k in ("proof_steps", "hidden_conditions", "claim_witnesses", "summary_lines"):
            kw[k] = tuple(d[k])
        kw["followup_lines"] = tuple(d.get("followup_lines", ()))
        if d.get("provenance") is not None:
            kw["provenance"] = Provenance.from_dict(d["provenance"])
        return cls(**kw)

    @classmethod
    def from_json(cls, path: str | Path) -> AuditResult:
        """Read an ``audit.json`` written by :func:`write_audit_report` (ValueError naming the file otherwise)."""
        return load_result(path, "an audit result", cls.from_dict)

    # -- convenience -----------------------------------------------------------------------------------
    def claim(self, cid: str) -> ClaimResult:
        for c in self.claims:
            if c.id == cid:
                return c
        raise ValueError(f"claim id must be one of {[c.id for c in self.claims]}, got {cid!r}")

    @property
    def bad(self) -> tuple[str, ...]:
        """IDs whose checks failed or whose derived verdict differs from the registry (some reading)."""
        return tuple(c.id for c in self.claims if not (c.all_checks_ok and c.verdict_agrees_with_registry))


def verdict_differences(a: AuditResult, b: AuditResult) -> list[str]:
    """Where two audits disagree (issue 19 item 7: the default and the ``--thorough`` audit must give the same
    verdicts): one line per reading, of the claims both audited, whose derived verdict or assurance differs,
    plus the claims only one of them audited.  Empty when they agree.

    >>> r = compute_audit(only=["T16.step-L27"], soundness=False, progress=False)
    >>> verdict_differences(r, r)
    []
    """
    out = []
    ids_a, ids_b = [c.id for c in a.claims], [c.id for c in b.claims]
    for cid in ids_a:
        if cid not in ids_b:
            out.append(f"{cid}: audited only in the first")
            continue
        ca, cb = a.claim(cid), b.claim(cid)
        rb = {r.name: r for r in cb.readings}
        for ra in ca.readings:
            other = rb.get(ra.name)
            if other is None:
                out.append(f"{cid}[{ra.name}]: reading only in the first")
            elif (ra.derived_verdict, ra.assurance) != (other.derived_verdict, other.assurance):
                out.append(f"{cid}[{ra.name}]: {ra.derived_verdict} ({ra.assurance or 'sampled'}) vs "
                           f"{other.derived_verdict} ({other.assurance or 'sampled'})")
        out += [f"{cid}[{n}]: reading only in the second" for n in rb if n not in {r.name for r in ca.readings}]
    out += [f"{cid}: audited only in the second" for cid in ids_b if cid not in ids_a]
    return out


# ----------------------------------------------------------------------------------------------------
# soundness of every certificate (theory.certificates.exceeds_tight + theory.witness)
# ----------------------------------------------------------------------------------------------------

def _engine_cross_check(name: str, setting: dict[str, Any], search: dict[str, Any]) -> dict[str, Any] | None:
    """The same certificate through the plug-in path of ``python -m theory audit-certificate``
    (:func:`theory.audit_certificate.audit_registered_certificate`: user-style radius function, Neyman-Pearson
    engine of :mod:`theory.neyman_pearson`, binary form), so the paper's certificates and a user's share one code
    path; ``agrees``: same exceeds/sound decision and the same threshold on 1 - pA to a relative 1e-6 (two
    independent searches: closed-form tight radius vs the engine).  None where the engine does not model the
    mechanism."""
    from theory.audit_certificate import audit_registered_certificate

    params = {k: v for k, v in setting.items() if k != "d"}
    try:
        res = audit_registered_certificate(name, d=setting.get("d"), params=params, multiclass=False,
                                           simulate=False, witness=False)
    except ValueError:
        return None
    a, b = res.from_one_minus_pA, search["from_one_minus_pA"]
    # The plug-in path hands pA to the radius function as a float, so 1 - pA is known only to one ulp of 1.0
    # (2**-52, absolute); the closed-form search works in log(1 - pA).  Tolerance: relative 1e-6 plus that ulp.
    same_threshold = (a is None and b is None) or (
        a is not None and b is not None and abs(a - b) <= 1e-6 * max(abs(a), abs(b)) + 2.0 ** -52)
    return {"exceeds_tight": res.exceeds_tight, "from_one_minus_pA": a, "max_ratio": res.max_ratio,
            "agrees": bool(res.exceeds_tight == search["exceeds_tight"] and same_threshold)}


def _soundness(thorough: bool, progress: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The soundness search with its witnesses generated and re-checked in a temporary folder.  Returns the
    section's data and ``{"witnesses/<file>": content}`` (written by the report)."""
    from theory import certificates as C
    from theory import witness as W

    t0 = time.perf_counter()
    files: dict[str, Any] = {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="audit-witnesses-") as tmp:
        wdir = Path(tmp)
        recs = W.generate_witnesses(str(wdir), progress=progress)
        bar = progress_bar(total=sum(len(r["witnesses"]) for r in recs), desc="witness checks", enabled=progress)
        for r in recs:
            s = r["search"]
            checks = []
            for p in r["witnesses"]:
                res = W.check_witness(p, samples=1_000_000 if thorough else 100_000, seed=0,
                                      is_samples=200_000 if thorough else 50_000)
                rel = f"witnesses/{Path(p).name}"
                files[rel] = json.loads(Path(p).read_text())
                checks.append({"path": rel,
                               "confirmed": res["confirmed"], "form": res["form"],
                               "num_classes": res["num_classes"],
                               "claimed_radius": res["exact"]["claimed_radius"],
                               "tight_radius": res["exact"]["tight_radius"],
                               "perturbation_norm": res["exact"]["perturbation_norm"],
                               "one_minus_pA": res["exact"]["one_minus_pA_x"],
                               "prediction_x": res["exact"]["prediction_x"],
                               "prediction_x_prime": res["exact"]["prediction_x_prime"],
                               "mc_samples": res["monte_carlo"]["samples"], "mc_level": res["monte_carlo"]["level"]})
                bar.update(1)
            cert = C.get(r["certificate"])
            mc = s.get("multiclass") or None
            by_k = [v for _, v in sorted(r.get("multiclass_by_K", {}).items()) if v is not None]
            rows.append({
                "certificate": r["certificate"], "paper": cert.paper, "reference": cert.reference,
                "tight": s["tight"], "setting": r["setting"],
                "exceeds_tight": s["exceeds_tight"], "from_one_minus_pA": s["from_one_minus_pA"],
                "intervals": s["intervals"], "max_ratio": s["max_ratio"], "at_one_minus_pA": s["at_one_minus_pA"],
                "range_one_minus_pA": s["range_one_minus_pA"],
                "beyond_range": s["beyond_range"],
                "multiclass": mc,
                "multiclass_by_K": by_k,
                "witnesses": checks,
                "engine": _engine_cross_check(r["certificate"], r["setting"], s),
            })
        bar.close()
    return ({"rows": rows, "seconds": time.perf_counter() - t0, "witness_dir": "witnesses",
             "rtol": C.EXCEED_RTOL, "num_classes": list(C.SOUNDNESS_NUM_CLASSES)}, files)


def certificate_label(row: dict[str, Any]) -> str:
    """``c11 (c=0.5)``, ``t18 (c=1, d=3072)``, ``t13``: a soundness row's certificate and setting."""
    st = ", ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in row["setting"].items())
    return f"{row['certificate']} ({st})" if st else row["certificate"]


# ----------------------------------------------------------------------------------------------------
# the computation
# ----------------------------------------------------------------------------------------------------

def _best(verdicts: list[str]) -> str:
    from theory.claims import BEST_ORDER

    return min(verdicts, key=BEST_ORDER.index) if verdicts else ""


def _soundness_notes(claim: Any, derived_printed: str, soundness: dict[str, Any] | None) -> list[str]:
    """A footnote when a claim that holds has a certificate built on it that exceeds the tight radius (issue 15
    item 7: T18 "holds" while the soundness table says T18 exceeds the tight radius)."""
    from theory.claims import CONDITIONAL, CONSISTENT, HOLDS

    if soundness is None or derived_printed not in (HOLDS, CONDITIONAL, CONSISTENT):
        return []
    rows = [r for r in soundness["rows"] if r["certificate"].upper() == claim.id.upper()]
    bad = [r for r in rows if r["exceeds_tight"] or (r["beyond_range"] or {}).get("exceeds_tight")]
    if not bad:
        return []
    via = "Corollary 11" if "Corollary 11" in rows[0]["reference"] else rows[0]["reference"]
    in_range = [certificate_label(r) for r in bad if r["exceeds_tight"]]
    below = [certificate_label(r) for r in bad if not r["exceeds_tight"]]
    parts = []
    if in_range:
        parts.append(f"for 1 − pA ∈ [1e-15, 1/2) in {len(in_range)} of {len(rows)} settings ({', '.join(in_range)})")
    if below:
        parts.append(f"only below 1 − pA = 1e-15 in {len(below)} ({', '.join(below)})")
    return [f"{claim.id} '{derived_printed}' judges {claim.id}'s own statement (a divergence bound of the mechanism), "
            f"which its checks confirm. The soundness table's row '{rows[0]['certificate']}' is a different object: "
            f"the certified radius obtained by feeding {claim.id} into the argument of {via}, and that radius exceeds "
            f"the tight radius " + "; ".join(parts) + ". The fault lies in that argument (C11 is refuted: T10's "
            f"tail bound applied to fixed sets), not in {claim.id}."]


def _has_table_row(claims: list[Any]) -> bool:
    """True when a Table 1 cell or the conclusion compared in :mod:`theory.followup` is among ``claims``."""
    from theory.followup import ROWS

    cells = {r.cell for r in ROWS}
    return any(c.id in cells for c in claims)


def compute_audit(*, thorough: bool = False, progress: bool = True, only: Iterable[str] | None = None,
                  soundness: bool = True) -> AuditResult:
    """Run every reading's checks (of ``only``, an iterable of claim IDs; default all), the soundness search
    and the witness re-checks; return the :class:`AuditResult`.  Writes no files (witness files are built and
    re-checked in a temporary folder; :func:`write_audit_report` writes them) and prints nothing but the
    progress bars (``progress``).

    Raises ``ValueError`` naming the unknown ID before doing any work.

    >>> r = compute_audit(only=["T10"], soundness=False, progress=False)
    >>> r.claim("T10").printed_verdict, r.claim("T10").best_verdict, r.claim("T10").printed_assurance
    ('refuted', 'consistent with', 'verified')
    """
    from theory.claims import CLAIMS, get
    from theory.followup import followup_markdown

    t_start = time.perf_counter()
    claims = [get(i) for i in only] if only else list(CLAIMS.values())     # validates first
    claims = list(dict.fromkeys(claims))
    sound: dict[str, Any] | None = None
    files: dict[str, Any] = {}
    evidence_by_reading, timing = _run_checks(claims, thorough, progress)
    if soundness:
        sound, files = _soundness(thorough, progress)
    claim_witnesses = _claim_witnesses(evidence_by_reading, claims, thorough, files)
    results = [_claim_result(c, evidence_by_reading, claim_witnesses, timing[c.id], sound) for c in claims]
    cp, cb = _counts(results, "printed_verdict"), _counts(results, "best_verdict")
    seconds = time.perf_counter() - t_start
    lines = _summary_lines(results, cp, cb, seconds, sound, claim_witnesses)
    command = "python -m theory audit" + (" --thorough" if thorough else "")
    return AuditResult(
        title=TITLE, command=command, thorough=thorough,
        python=platform.python_version(), claims=tuple(results), counts_printed=cp, counts_best=cb,
        proof_steps=_proof_steps(results), hidden_conditions=tuple(_plain(_hidden_conditions(results))),
        claim_witnesses=tuple(claim_witnesses),
        summary_lines=tuple(lines), seconds=seconds, soundness=_plain(sound) if sound is not None else None,
        witness_files=files, provenance=Provenance.collect(command),
        followup_lines=tuple(followup_markdown()) if _has_table_row(claims) else ())


def _run_checks(claims: list[Any], thorough: bool,
                progress: bool) -> tuple[dict[tuple[str, str], list[Any]], dict[str, float]]:
    """Run every check of every reading of ``claims``; the evidence per (claim ID, reading) and seconds per claim."""
    n_checks = sum(len(r.checks) for c in claims for r in c.all_readings)
    bar = progress_bar(total=n_checks, desc="audit: claim checks", enabled=progress)
    evidence_by_reading: dict[tuple[str, str], list[Any]] = {}
    timing: dict[str, float] = {}
    for c in claims:
        t0 = time.perf_counter()
        for rd in c.all_readings:
            evs = []
            for chk in rd.checks:
                bar.set_postfix_str(f"{c.id}:{chk.name}")
                evs.append(chk.run(thorough))
                bar.update(1)
            evidence_by_reading[(c.id, rd.name)] = evs
        timing[c.id] = time.perf_counter() - t0
    bar.close()
    return evidence_by_reading, timing


def _claim_witnesses(evidence_by_reading: dict[tuple[str, str], list[Any]], claims: list[Any], thorough: bool,
                     files: dict[str, Any]) -> list[dict[str, Any]]:
    """The witnesses of refuted / ill-posed / proof-gap readings, re-checked in memory (their files added to
    ``files``); one row each: claim, reading, check, finding, file and whether it was confirmed."""
    from theory import claim_witness as CW

    wrecs = CW.claim_witness_records(evidence_by_reading, [c.id for c in claims], thorough=thorough)
    claim_witnesses = []
    for name, rec in wrecs.items():
        res = CW.check_claim_witness_record(rec, f"witnesses/{name}")
        files[f"witnesses/{name}"] = _plain(rec)
        claim_witnesses.append({"claim": rec["claim"], "reading": res["reading"], "check": rec["check"],
                                "finding": res["finding"], "file": f"witnesses/{name}",
                                "confirmed": res["confirmed"]})
    return claim_witnesses


def _claim_result(c: Any, evidence_by_reading: dict[tuple[str, str], list[Any]],
                  claim_witnesses: list[dict[str, Any]], seconds: float,
                  sound: dict[str, Any] | None) -> ClaimResult:
    """One claim's result: each reading's derived verdict, evidence, witnesses and assurance, and the claim's
    verdict as printed and under its best (repaired) reading."""
    from theory.claims import BEST_ORDER, derive_verdict, reading_assurance

    rrs = []
    for rd in c.all_readings:
        evs = evidence_by_reading[(c.id, rd.name)]
        wl = tuple(w for w in claim_witnesses if w["claim"] == c.id and w["reading"] == rd.name)
        rrs.append(ReadingResult(
            name=rd.name, statement=rd.statement, repair=rd.repair, verdict=rd.verdict,
            derived_verdict=derive_verdict(evs), all_checks_ok=all(e.ok for e in evs),
            evidence=tuple(_plain([e.as_dict() for e in evs])),
            witnesses=tuple(_plain([{k: w[k] for k in ("file", "check", "finding", "confirmed")} for w in wl])),
            assurance=reading_assurance(evs)))
    printed, repaired = rrs[0], rrs[1:]
    best = min(rrs, key=lambda r: BEST_ORDER.index(r.derived_verdict))
    best_rep = min(repaired, key=lambda r: BEST_ORDER.index(r.derived_verdict)) if repaired else None
    return ClaimResult(
        id=c.id, title=c.title, where=c.where, kind=c.kind, statement=c.statement,
        formalisation=c.formalisation,
        hypotheses=tuple({"name": h.name, "text": h.text} for h in c.hypotheses),
        conditions=tuple({"name": h.name, "text": h.text} for h in c.conditions),
        methods=tuple(c.methods), verdict=c.verdict, printed_verdict=printed.derived_verdict,
        best_verdict=best.derived_verdict, best_reading=best.name,
        best_repaired_verdict=best_rep.derived_verdict if best_rep else "",
        best_repaired_reading=best_rep.name if best_rep else "",
        holds_when=c.holds_when, reason=c.reason, depends_on=tuple(c.depends_on), readings=tuple(rrs),
        seconds=seconds, all_checks_ok=all(r.all_checks_ok for r in rrs),
        verdict_agrees_with_registry=all(r.agrees for r in rrs),
        notes=tuple(_soundness_notes(c, printed.derived_verdict, sound)),
        printed_assurance=printed.assurance,
        best_repaired_assurance=best_rep.assurance if best_rep else "")


def _counts(results: list[ClaimResult], key: str) -> tuple[tuple[str, int], ...]:
    """How many claims have each verdict ``key`` ('printed_verdict' or 'best_verdict'), in a fixed order (most to
    least favourable), verdicts that no claim has left out."""
    from theory.claims import BEST_ORDER

    return tuple((v, sum(getattr(r, key) == v for r in results)) for v in BEST_ORDER
                 if any(getattr(r, key) == v for r in results))


def _proof_steps(results: list[ClaimResult]) -> tuple[dict[str, Any], ...]:
    """The audited proof steps: the claim each serves, its verdict and what was found."""
    from theory.claims import PROOF_STEP

    # convention (theory.claims.proof_steps): the first entry of depends_on is the claim the step serves
    return tuple({"id": r.id, "title": r.title, "serves": list(r.depends_on[:1]), "verdict": r.printed_verdict,
                  "summary": " ".join(e["summary"] for e in r.readings[0].evidence
                                      if e["finding"] != "supports") or r.readings[0].evidence[0]["summary"]}
                 for r in results if r.kind == PROOF_STEP)


def _hidden_conditions(results: list[ClaimResult]) -> list[dict[str, Any]]:
    """Every check that found a statement true only under a condition, or refuted it."""
    from theory.claims import CONDITION, REFUTES

    hidden = []
    for r in results:
        for rr in r.readings:
            for e in rr.evidence:
                if e["finding"] in (CONDITION, REFUTES):
                    hidden.append({"id": r.id, "reading": rr.name, "check": e["check"], "finding": e["finding"],
                                   "summary": e["summary"], "holds_when": r.holds_when})
    return hidden


def _summary_lines(results: list[ClaimResult], cp: tuple[tuple[str, int], ...], cb: tuple[tuple[str, int], ...],
                   seconds: float, sound: dict[str, Any] | None,
                   claim_witnesses: list[dict[str, Any]]) -> list[str]:
    """The audit's console summary: counts of verdicts and assurances, exceeding certificates, witnesses."""
    lines = [f"{len(results)} claims (checked in {seconds:.1f} s)",
             "verdicts as printed: " + ", ".join(f"{v} {n}" for v, n in cp),
             "best reading:        " + ", ".join(f"{v} {n}" for v, n in cb),
             "assurance as printed: " + ", ".join(f"{a} {sum(r.printed_assurance == a for r in results)}"
                                                  for a in ("proved", "verified", "sampled"))]
    if sound is not None:
        ex = [certificate_label(r) for r in sound["rows"] if r["exceeds_tight"]]
        lines.append("certificates exceeding the tight radius on 1 - pA in [1e-15, 1/2): " + (", ".join(ex) or "none"))
    unconfirmed = [w["file"] for w in claim_witnesses if not w["confirmed"]]
    lines.append(f"claim witnesses: {len(claim_witnesses) - len(unconfirmed)}/{len(claim_witnesses)} confirmed")
    return lines


# ----------------------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------------------

def write_audit_report(result: AuditResult, out_dir: str | Path, *, json_path: str | Path | None = None,
                       figures: bool = True) -> dict[str, Any]:
    """Write ``OUT/audit.md``, the JSON (``json_path``, default ``OUT/audit.json``), the figures (unless
    ``figures`` is False) and the witness files of ``result``.  Returns ``{"markdown", "json", "figures",
    "witnesses"}`` (paths)."""
    from theory import claim_witness as CW

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figs = _figures(out) if figures else {}
    if result.witness_files:
        wdir = out / "witnesses"
        wdir.mkdir(exist_ok=True)
        claim_files = {Path(k).name: v for k, v in result.witness_files.items() if Path(k).name.startswith("claim_")}
        CW.write_claim_witnesses(wdir, claim_files, [c.id for c in result.claims])
        for rel, content in result.witness_files.items():
            if not Path(rel).name.startswith("claim_"):
                (out / rel).write_text(json.dumps(content, indent=2) + "\n")
    jp = result.to_json(Path(json_path) if json_path else out / "audit.json")
    md = out / "audit.md"
    md.write_text(render_markdown(result, figures=figures), encoding="utf-8")
    return {"markdown": str(md), "json": str(jp), "figures": figs,
            "witnesses": sorted(str(out / k) for k in result.witness_files)}


def run_audit(out: str | Path = "reports", json_path: str | Path | None = None, thorough: bool = False,
              progress: bool = True,
              only: Iterable[str] | None = None, soundness: bool = True, figures: bool = True) -> AuditResult:
    """``compute_audit`` + ``write_audit_report`` (the CLI).  Returns the :class:`AuditResult`."""
    result = compute_audit(thorough=thorough, progress=progress, only=only, soundness=soundness)
    write_audit_report(result, out, json_path=json_path, figures=figures)
    return result


# ----------------------------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------------------------

def _figures(out: Path) -> dict[str, str]:

    from theory import certificates as C
    from theory.claims import l2_claims as L2
    from theory.claims.l2_claims import gauss_linf_mean

    figs = {}
    # 1. C11 / tight radius vs 1 - pA
    es = np.geomspace(1e-40, 0.49, 400)
    fig, ax = new_figure(figsize=(6.4, 4.0))
    for c in (0.5, 1.0, 2.0, 3.0):
        ratio = [C.radius("c11", one_minus_pA=e, sigma=1.0, c=c) / C.radius("cohen", one_minus_pA=e, sigma=1.0)
                 for e in es]
        ax.plot(es, ratio, label=f"C11, c = {c:g}")
    ax.axhline(1.0, color="k", lw=0.8, ls="--", label="tight (Cohen et al. 2019)")
    ax.axvline(1e-15, color="grey", lw=0.6, ls=":", label="1 − pA = 1e-15 (end of the searched range)")
    ax.set_xscale("log")
    ax.set_xlabel("1 − pA (binary)")
    ax.set_ylabel("C11 radius / tight radius")
    ax.set_title("C11 over-certifies above the dashed line")
    ax.legend(fontsize=8)
    fig.tight_layout()
    p = out / "audit_c11_vs_tight.png"
    save_figure(fig, p)
    figs["c11_vs_tight"] = p.name

    # 2. T10: claimed vs actual probability of the c-form
    eps = np.geomspace(1e-3, 100, 300)
    fig, ax = new_figure(figsize=(6.4, 4.0))
    for c, col in ((1.0, "C0"), (3.0, "C1")):
        act = [L2.c_form_probability(c, e) for e in eps]
        ax.plot(eps, act, color=col, label=f"actual P[L ≤ (c+1)√ε], c = {c:g}")
        ax.axhline(1 - math.exp(-c * c / 4), color=col, ls="--", lw=0.9, label=f"claimed 1 − exp(−c²/4), c = {c:g}")
    ax.axvline(1.0, color="grey", ls=":", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("ε = r²/(2σ²)")
    ax.set_ylabel("probability")
    ax.set_title("T10 (privacy-loss reading): claimed vs actual")
    ax.legend(fontsize=7)
    fig.tight_layout()
    p = out / "audit_t10_probability.png"
    save_figure(fig, p)
    figs["t10_probability"] = p.name

    # 3. lower bounds: mechanism alpha / claimed bound vs d, and the constant mechanism
    dims = np.unique(np.round(np.geomspace(2, 1e6, 30)).astype(int))
    fig, ax = new_figure(figsize=(6.4, 4.0))
    g = np.array([gauss_linf_mean(int(d)) for d in dims])
    ax.plot(dims, 2 * g, label="T12/T17: Gaussian α / bound (= 2 E max|g_i|)")
    ax.plot(dims, 4 * np.ones_like(g), label="T16: eq.-6 α / bound (= 4)")
    ax.plot(dims, 0.5 / np.sqrt(dims), ls="--", label="T12/T17: constant mechanism α / bound")
    ax.plot(dims, 0.5 / dims, ls="--", label="T16: constant mechanism α / bound")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("d")
    ax.set_ylabel("α / claimed bound (C = 1, ε = r = 1)")
    ax.set_title("Lower bounds: matching mechanisms vs the constant mechanism")
    ax.legend(fontsize=7)
    fig.tight_layout()
    p = out / "audit_lower_bounds.png"
    save_figure(fig, p)
    figs["lower_bounds"] = p.name
    return figs


# ----------------------------------------------------------------------------------------------------
# markdown
# ----------------------------------------------------------------------------------------------------

def _table(rows: list[Any], max_rows: int = 14) -> list[str]:
    """A markdown table of a list of flat dicts (nested values left out), via theory.report.md_table."""
    if not rows or not isinstance(rows[0], dict):
        return []
    keys = []
    for r in rows:
        for k in r:
            if k not in keys and not isinstance(r[k], (dict, list)):
                keys.append(k)
    body = [[r.get(k) for k in keys] for r in rows[:max_rows]]
    if len(rows) > max_rows:
        body.append([f"… {len(rows) - max_rows} more rows in audit.json"] + [""] * (len(keys) - 1))
    return md_table(keys, body).split("\n")


_ANCHOR = str.maketrans({c: "" for c in "()[]{}.,:;'\"/"})


def _anchor(cid: str) -> str:
    return "claim-" + cid.lower().translate(_ANCHOR)


FIGURES = {"c11_vs_tight": "audit_c11_vs_tight.png", "t10_probability": "audit_t10_probability.png",
           "lower_bounds": "audit_lower_bounds.png"}

VERDICT_HELP = (
    "**holds** / **holds under stated conditions** (both only on proved or verified findings) / **consistent with** "
    "(supported, but only by sampled findings: grids, Monte Carlo, optimisers; conditions stated) / **refuted** "
    "(with a witness that re-checks in closed form, exact or interval arithmetic) / **not numerically decidable** "
    "(with the reason) / **ill-posed as printed** (false under one natural reading of the hypotheses, empty under "
    "the other; with a witness) / **proof gap** (a step of a proof is false while the conclusion it serves holds "
    "for another reason; with a witness) / **proof invalid** (a step the proof needs is false and no local repair "
    "exists; the argument that carries the conclusion, if any, is named)")

ASSURANCE_HELP = (
    "Assurance (issue 19): **proved** (a symbolic identity or a derivation checked by sympy), **verified** (a "
    "rigorous enclosure over the whole stated domain, an exhaustive enumeration of a finite domain, or for a "
    "refutation an explicit counterexample evaluated in closed form), **sampled** (grids, Monte Carlo, "
    "optimisers). A reading carries the weakest assurance of the findings that decide it (for a refutation: its "
    "strongest witness; cross-checks of a proved finding do not decide); the declaration and reason of every "
    "check are in `theory/claims/assurance.py`.")


def render_markdown(result: AuditResult, figures: bool = True) -> str:
    """The Markdown of ``result`` (a pure function of it: re-rendering a result read back with
    :meth:`AuditResult.from_json` gives the same text)."""
    L = _intro_lines(result)
    L += _verdict_lines(result)
    L += _proof_gap_lines(result)
    L += _claim_witness_lines(result)
    L += _soundness_lines(result, figures)
    L += _probability_lines(result, figures)
    L += _hidden_condition_lines(result, figures)
    L += list(result.followup_lines)
    L.append('<a id="claims"></a>')
    L.append("## Claims")
    L.append("")
    for r in result.claims:
        L += _claim_lines(r)
    return "\n".join(L) + "\n"


def _intro_lines(result: AuditResult) -> list[str]:
    """The title, provenance, and how to read claim IDs and verdicts."""
    L = []
    L.append(f"# {result.title}")
    L.append("")
    L.append(f"Generated by `{result.command}` (theory/audit.py) in {result.seconds:.1f} s. Do not edit by hand.")
    L.append("")
    if result.provenance is not None:
        L.append(result.provenance.markdown())
        L.append("")
    L.append("Claim IDs follow the paper's numbering (T10 = Theorem 10, C11 = Corollary 11, L26 = Lemma 26, D4 = "
             "Definition 4, R-T9 = the remark after Theorem 9, TABLE1-… = a cell of Table 1, CONCL-… = the "
             "conclusion, `T12.step-…` = a step inside the proof of T12). The full statement, formalisation, "
             "readings and evidence of every claim are in the section [Claims](#claims) below and, as data, in "
             "`audit.json` next to this file (`claims[*].readings[*].statement`); `python -m theory claims --json` "
             "prints the registry they come from.")
    L.append("")
    L.append(f"Verdicts: {VERDICT_HELP}. Each verdict is derived from the findings of the checks of one *reading* of "
             "the claim: *as printed*, and where that fails or says nothing, *repaired* readings (the "
             "weakest change of "
             "hypotheses under which the intended conclusion holds, stated precisely in the claim's section).")
    L.append("")
    return L


def _verdict_lines(result: AuditResult) -> list[str]:
    """The section "Verdicts": one row per claim, the counts, and the notes to the table."""
    L = ["## Verdicts", ""]
    notes, vrows = [], []
    for r in result.claims:
        flag = "" if r.verdict_agrees_with_registry and r.all_checks_ok else " ⚠"
        if r.best_repaired_reading:
            rep = f"**{r.best_repaired_verdict}** ({r.best_repaired_reading})"
        else:
            rep = "— (no repaired reading)"
        marks = []
        for n in r.notes:
            notes.append((r.id, n))
            marks.append(f"[note {len(notes)}](#verdict-notes)")
        vrows.append([f"[{r.id}](#{_anchor(r.id)})", r.title, f"**{r.printed_verdict}**{flag}",
                      r.printed_assurance or "—", rep, r.best_repaired_assurance or "—", ", ".join(marks)])
    L.append(md_table(["ID", "title", "verdict as printed", "assurance", "best repaired reading",
                       "assurance (repaired)", "notes"], vrows))
    L.append("")
    L.append(ASSURANCE_HELP)
    L.append("")
    if result.bad:
        L.append(f"⚠ Checks failed or a derived verdict differs from the registry for: {', '.join(result.bad)}.")
    else:
        L.append("Every check ran and passed its own assertions; every derived verdict (every reading) agrees with the "
                 "registry.")
    L.append("")
    L.append("Counts, as printed: " + ", ".join(f"{v} {n}" for v, n in result.counts_printed)
             + ". Best reading: " + ", ".join(f"{v} {n}" for v, n in result.counts_best) + ".")
    L.append("")
    if notes:
        L.append('<a id="verdict-notes"></a>')
        L.append("**Notes to the table.**")
        L.append("")
        for i, (cid, n) in enumerate(notes, 1):
            L.append(f"{i}. ({cid}) {n}")
        L.append("")
    return L


def _proof_gap_lines(result: AuditResult) -> list[str]:
    """The section "Proof gaps": the audited proof steps (nothing when there are none)."""
    if not result.proof_steps:
        return []
    L = ["## Proof gaps", ""]
    L.append("Steps of the paper's proofs audited as sub-claims (IDs `<claim>.step-…`). **proof gap**: the step as "
             "written is false (witness saved) while the conclusion it serves survives for another reason; "
             "**proof invalid**: a step the proof needs is false and no local repair exists (the argument that "
             "carries the conclusion instead is named); **holds** / **consistent with**: the step is correct "
             "(proved or verified / sampled).")
    L.append("")
    L.append(md_table(["step", "serves", "verdict", "what was found"],
                      [[f"[{p['id']}](#{_anchor(p['id'])})", ", ".join(p["serves"]) or "—", f"**{p['verdict']}**",
                        p["summary"]] for p in result.proof_steps]))
    L.append("")
    return L


def _claim_witness_lines(result: AuditResult) -> list[str]:
    """The table of saved witnesses of the refuted, ill-posed and proof-gap readings (nothing when none)."""
    cw = result.claim_witnesses
    if not cw:
        return []
    L = ["### Witnesses of the refuted, ill-posed, proof-gap and proof-invalid readings", ""]
    L.append("Each witness-carrying check's counterexample is saved as JSON next to this report; "
             "`python -m theory witness FILE` re-runs the check (fixed parameters and seeds) and confirms that it "
             "still finds the same thing and reproduces every recorded number. The over-certified radii of "
             "C11 / T18 also have geometric witnesses (next section).")
    L.append("")
    L.append(md_table(["claim", "reading", "check", "finding", "witness file", "re-checked"],
                      [[f"[{w['claim']}](#{_anchor(w['claim'])})", w["reading"], w["check"], w["finding"],
                        f"`{w['file']}`", "confirmed" if w["confirmed"] else "**NOT confirmed**"] for w in cw]))
    L.append("")
    return L


def _soundness_lines(result: AuditResult, figures: bool) -> list[str]:
    """The section on every certificate against the tight radius: method, table, witnesses, figure."""
    s = result.soundness
    if s is None:
        return []
    L = ["## Soundness of every certificate against the tight radius", ""]
    ks = s.get("num_classes") or [10, 1000]
    L.append("Search over 1 − pA ∈ [1e-15, 1/2) (log grid + root refinement; multi-class form with K classes: "
             "pB ∈ [(1 − pA)/(K − 1), 1 − pA], since pB is the runner-up's probability and the other K − 2 "
             "classes hold 1 − pA − pB, each ≤ pB; K = " + " and ".join(str(k) for k in ks) + ") "
             f"for pA where a certificate's radius exceeds the Neyman–Pearson-tight radius of the same mechanism "
             f"and norm by more than a relative {s['rtol']:g} (theory.certificates.exceeds_tight). Every exceeding "
             "case has a witness (half-space base classifier, point, perturbation inside the claimed radius, exact "
             "smoothed prediction at 50 digits showing the flip; multi-class: the band between A and B cut into "
             "m slabs of equal probability ≤ pB, so B is the runner-up and the witness has K = m + 2 classes, "
             "built for the smallest K above that exceeds and so valid for every larger K) in `"
             + s["witness_dir"] + "/` next to this report, re-checked here exactly and by Monte Carlo "
             "(Clopper–Pearson at 1e-6); re-check any of them with `python -m theory witness FILE`. "
             "The last column runs the same certificate through the plug-in path of `python -m theory "
             "audit-certificate --registered NAME` (Neyman–Pearson engine, binary form) and says whether it "
             "reaches the same decision and threshold (relative 1e-6, plus one ulp of 1.0 in 1 − pA: the plug-in "
             "interface passes pA as a float). "
             f"Section time: {s['seconds']:.1f} s.")
    L.append("")
    L.append(_soundness_table(s["rows"], ks))
    L.append("")
    wl = [x for r in s["rows"] for x in r["witnesses"]]
    if wl:
        L.append("Witnesses (exact values; Monte Carlo draws per point in the last column):")
        L.append("")
        L.append(md_table(["file", "form", "K", "1 − pA at x", "claimed radius", "tight radius", "‖x' − x‖", "g(x)",
                           "g(x')", "confirmed", "MC n"],
                          [[f"`{x['path']}`", x["form"], x.get("num_classes"), str(x["one_minus_pA"]),
                            x["claimed_radius"], x["tight_radius"], x["perturbation_norm"], x["prediction_x"],
                            x["prediction_x_prime"], x["confirmed"], x["mc_samples"]] for x in wl]))
        L.append("")
    if figures:
        L.append(f"![C11 radius over the tight radius]({FIGURES['c11_vs_tight']})")
        L.append("")
    return L


def _soundness_table(rows: list[dict[str, Any]], ks: list[int]) -> str:
    """The soundness table: one row per certificate and setting, one multi-class column per K."""
    heads = (["certificate", "setting", "tight reference", "exceeds tight (binary)", "from 1 − pA below",
              "max ratio", "exceeds below 1e-15"] + [f"multi-class exceeds, K = {k} (max ratio)" for k in ks]
             + ["witnesses confirmed", "audit-certificate path agrees"])
    srows = []

    def mc_cell(r: dict[str, Any], k: int) -> str:
        m = next((v for v in r.get("multiclass_by_K") or [] if v.get("num_classes") == k), None)
        if m is None and (r["multiclass"] or {}).get("num_classes") == k:
            m = r["multiclass"]
        return f"{_fmt(m['exceeds_tight'])} ({m['max_ratio']:.3f})" if m else "n/a"

    for r in rows:
        w = r["witnesses"]
        below = r["beyond_range"]
        only_below = below["exceeds_tight"] and not r["exceeds_tight"]
        srows.append([r["certificate"] + (" (paper)" if r["paper"] else ""),
                      ", ".join(f"{k}={v:g}" for k, v in r["setting"].items()) or "—", r["tight"],
                      r["exceeds_tight"], r["from_one_minus_pA"], r["max_ratio"],
                      _fmt(below["exceeds_tight"])
                      + (f" (from {_fmt(below['from_one_minus_pA'])})" if only_below else "")]
                     + [mc_cell(r, k) for k in ks]
                     + [f"{sum(x['confirmed'] for x in w)}/{len(w)}" if w else "—"]
                     + [_fmt(r["engine"]["agrees"]) if r.get("engine") else "n/a"])
    return md_table(heads, srows)


def _probability_lines(result: AuditResult, figures: bool) -> list[str]:
    """The section on the probability statements of T10, C11 and the remark after T9 (nothing without T10)."""
    t10 = next((r for r in result.claims if r.id == "T10"), None)
    if t10 is None:
        return []
    ev = t10.readings[0].evidence
    L = ["## Probability statements (T10, C11, the remark after T9)", ""]
    L.append("What is random? For a fixed set S, P(g(x) ∈ S) and P(g(x') ∈ S) are numbers: 'with probability "
             "at least 1 − exp(−λ²/(4ε))' can only refer to Y ~ N(x, σ²I) through the privacy-loss random "
             "variable L(Y) = log p(Y)/q(Y) ~ N(ε, 2ε) (the object of the proof's eq. 9).")
    L.append("")
    for e in ev:
        if e["check"] in ("privacy-loss-law-mc", "readings-a-and-c", "reading-b-fixed-set", "main-text-sqrt-eps",
                          "c-form-probability"):
            L.append(f"- **{e['check']}** ({e['finding']}): {e['summary']}")
    L.append("")
    cf = next((e for e in ev if e["check"] == "c-form-probability"), None)
    if cf:
        L += _table(cf["data"].get("table", []))
        L.append("")
    if figures:
        L.append(f"![T10 claimed vs actual probability]({FIGURES['t10_probability']})")
        L.append("")
    L.append("C11 inherits reading (b) (it applies eq. 5 to the fixed sets {cA}, {cB}); its witnesses above flip "
             "the smoothed prediction with certainty, so no probability-of-failure reading rescues it.")
    L.append("")
    return L


def _hidden_condition_lines(result: AuditResult, figures: bool) -> list[str]:
    """The section "Hidden conditions and false steps" (nothing when there are none)."""
    if not result.hidden_conditions:
        return []
    L = ["## Hidden conditions and false steps", ""]
    L.append("Every check that found a statement or a derivation step true only in a range, or false as printed:")
    L.append("")
    L.append(md_table(["claim", "reading", "check", "finding", "what was found"],
                      [[h["id"], h["reading"], h["check"], h["finding"], h["summary"]]
                       for h in result.hidden_conditions]))
    L.append("")
    if figures:
        L.append(f"![lower bounds]({FIGURES['lower_bounds']})")
        L.append("")
    return L


def _claim_lines(r: ClaimResult) -> list[str]:
    """One claim's section: statement, formalisation, every reading's evidence, and the verdict."""
    L = []
    L.append(f"### {r.id}: {r.title}")
    L.append(f"<a id=\"{_anchor(r.id)}\"></a>")
    L.append("")
    L.append(f"*{r.where}* — kind: {r.kind} — methods: {', '.join(r.methods)} — run time {r.seconds:.2f} s")
    L.append("")
    L.append(f"**Statement (as printed, reconstructed where garbled).** {r.statement}")
    L.append("")
    L.append(f"**Formalisation.** {r.formalisation}")
    if r.hypotheses:
        L.append("Hypotheses: " + "; ".join(h["text"] for h in r.hypotheses) + ".")
    if r.conditions:
        L.append("Conditions assumed by the property tests: " + "; ".join(h["text"] for h in r.conditions) + ".")
    L.append("")
    for rr in r.readings:
        L += _reading_lines(rr, several=len(r.readings) > 1)
    verdict = f"**Verdict as printed: {r.printed_verdict}.**"
    if r.best_repaired_reading:
        verdict += f" **Best repaired reading ({r.best_repaired_reading}): {r.best_repaired_verdict}.**"
    if r.reason:
        verdict += f" Reason: {r.reason}"
    if r.holds_when:
        verdict += f" Holds: {r.holds_when}"
    L.append(verdict)
    for n in r.notes:
        L.append("")
        L.append(f"*Note.* {n}")
    L.append("")
    return L


def _reading_lines(rr: ReadingResult, several: bool) -> list[str]:
    """One reading of a claim: its heading (when the claim has ``several``), evidence and witnesses."""
    L = []
    if several:
        L.append(f"#### Reading: {rr.name} — verdict: {rr.derived_verdict} ({rr.assurance or 'sampled'})")
        L.append("")
        if rr.name != "as printed":
            L.append(f"*Statement of this reading.* {rr.statement}")
            L.append("")
            if rr.repair:
                L.append(f"*Repair.* {rr.repair}")
                L.append("")
    L.append("**Evidence.**")
    L.append("")
    for e in rr.evidence:
        ok = "" if e["ok"] else " — **CHECK FAILED**"
        asr = e.get("assurance") or "sampled"
        asr += "" if e.get("decides", True) else ", cross-check"
        L.append(f"- *{e['check']}* [{e['method']}; finding: {e['finding']}; {asr}; {e['seconds']:.2f} s]{ok}: "
                 f"{e['summary']}")
        tab = e["data"].get("table") if isinstance(e["data"], dict) else None
        if tab and isinstance(tab, list) and isinstance(tab[0], dict):
            L.append("")
            L += ["  " + x for x in _table(tab, 8)]
            L.append("")
    if rr.witnesses:
        L.append("")
        L.append("Witness: " + ", ".join(f"`{w['file']}` ({'confirmed' if w['confirmed'] else 'NOT confirmed'})"
                                         for w in rr.witnesses) + ".")
    if rr.derived_verdict != rr.verdict:
        L.append("")
        L.append(f"⚠ derived verdict {rr.derived_verdict!r}, registry records {rr.verdict!r}.")
    L.append("")
    return L
