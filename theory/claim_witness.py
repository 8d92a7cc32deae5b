"""Witnesses of refuted claims (issue 4: "every refuted claim has a witness that
``python -m theory witness FILE`` confirms"), and since issue 11 of every refuted / ill-posed / proof-gap
*reading* of a claim (the record then names its ``reading``; files ``claim_<ID>_<reading>_<check>.json``).

The over-certified radii of C11 / T18 have concrete geometric witnesses (:mod:`theory.witness`:
a half-space classifier, a point, a perturbation and the exact smoothed prediction).  Every other
refutation of the audit is the counterexample that one named check of the claims registry reproduces
(:mod:`theory.claims`): for T10 the tail half-space whose log-probability ratio breaks eq. (5), for
T12 / T16 / T17 / T24 / L27 the constant mechanism that meets the printed hypotheses, for the remark
after T9 the Gaussian pair past the stated threshold, ...

A claim witness is a JSON file recording the claim, the refuting check and the numbers it produced::

    {"kind": "claim-counterexample", "claim": "T10", ["reading": "repaired: ...",] "check": "reading-b-fixed-set",
     "statement": ..., "method": ..., "finding": "refutes", "summary": ..., "data": {...}, "generated_by": ...}

:func:`check_claim_witness` re-runs that check (its parameters and seeds are fixed in the registry, so the
run is deterministic) and confirms the witness when (1) the check's own assertions pass, (2) it again
finds ``refutes``, and (3) every number recorded in ``data`` is reproduced (relative tolerance 1e-9;
strings and booleans exactly; timings are not recorded).  A tampered number or a check that no longer
refutes the claim makes the witness unconfirmed.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

KIND = "claim-counterexample"
RTOL = 1e-9  # the checks are deterministic: only summation-order noise is tolerated


def _claims() -> ModuleType:
    from theory import claims as K

    return K


def refuting_checks(claim_id: str, reading: str | None = None) -> list[str]:
    """Names of the checks of ``claim_id`` (its reading ``reading``, default "as printed") that reproduce a
    counterexample (finding ``refutes``, ``empty``, ``gap`` or ``invalid``; run in the default mode)."""
    K = _claims()
    r = K.get(claim_id).reading(reading or K.AS_PRINTED)
    return [ev.check for ev in r.run_checks(thorough=False) if ev.finding in K.WITNESS_FINDINGS and ev.ok]


def needs_witness(verdict: str) -> bool:
    """Readings with these verdicts carry a witness: refuted, ill-posed as printed, proof gap, proof invalid."""
    K = _claims()
    return verdict in (K.REFUTED, K.ILL_POSED, K.PROOF_GAP, K.PROOF_INVALID)


def make_claim_witness(claim_id: str, evidence: Any, reading: str | None = None,
                       thorough: bool = False) -> dict[str, Any]:
    """The witness record of one :class:`theory.claims.Evidence` of ``claim_id`` (reading ``reading``,
    default "as printed") whose finding is ``refutes``, ``empty``, ``gap`` or ``invalid``.  ``thorough``: the mode
    the check ran in (recorded, so that the re-check runs at the same sample sizes; issue 19)."""
    K = _claims()
    claim = K.get(claim_id)
    rd = claim.reading(reading or K.AS_PRINTED)
    if evidence.finding not in K.WITNESS_FINDINGS or not evidence.ok:
        raise ValueError(f"check {evidence.check!r} of {claim_id} does not refute it (finding {evidence.finding!r}, "
                         f"ok {evidence.ok})")
    rec = {
        "kind": KIND,
        "claim": claim.id,
        "title": claim.title,
        "statement": claim.statement,
    }
    if not rd.is_printed:
        rec["reading"] = rd.name
        rec["reading_statement"] = rd.statement
    rec.update({
        "check": evidence.check,
        "method": evidence.method,
        "finding": evidence.finding,
        "assurance": evidence.assurance,
        "thorough": bool(thorough),
        "summary": evidence.summary,
        "data": _jsonable(evidence.data),
        "generated_by": "python -m theory audit  (theory.claim_witness.generate_claim_witnesses)",
        "recheck": "python -m theory witness FILE",
    })
    return rec


def witness_filename(claim_id: str, check: str, reading: str | None = None) -> str:
    """``claim_<ID>_<check>.json`` (as printed) or ``claim_<ID>_<reading>_<check>.json``."""
    K = _claims()
    mid = "" if reading in (None, K.AS_PRINTED) else _squash(_slug(reading))[:40].strip("-.") + "_"
    return f"claim_{_slug(claim_id)}_{mid}{_slug(check)}.json"


def claim_witness_records(evidence_by_reading: dict[tuple[str, str], list[Any]] | None = None,
                          ids: Iterable[str] | None = None, thorough: bool = False) -> dict[str, dict[str, Any]]:
    """In memory: ``{file name: witness record}`` for every witness-carrying evidence item of every reading
    whose recorded verdict needs a witness (:func:`needs_witness`), of the claims ``ids`` (default all).

    ``evidence_by_reading`` -- ``{(claim id, reading name): [Evidence, ...]}`` reuses checks already run (the
    audit passes its own, with the mode ``thorough`` they ran in); missing readings are run here in that mode."""
    K = _claims()
    wanted = None if ids is None else {K.get(i).id for i in ids}
    out: dict[str, dict[str, Any]] = {}
    for claim in K.CLAIMS.values():
        if wanted is not None and claim.id not in wanted:
            continue
        for rd in claim.all_readings:
            if not needs_witness(rd.verdict):
                continue
            evs = (evidence_by_reading or {}).get((claim.id, rd.name))
            if evs is None:
                evs = rd.run_checks(thorough=thorough)
            for ev in K.witness_evidence(rd, evs):
                if ev.finding in K.WITNESS_FINDINGS and ev.ok:
                    out[witness_filename(claim.id, ev.check, rd.name)] = make_claim_witness(claim.id, ev, rd.name,
                                                                                            thorough)
    return out


def generate_claim_witnesses(out_dir: str | Path, evidence_by_claim: dict[Any, list[Any]] | None = None,
                             ids: Iterable[str] | None = None) -> list[str]:
    """Write one witness per witness-carrying check of every refuted / ill-posed / proof-gap reading (of the
    claims ``ids`` only, when given; stale ``claim_*.json`` files of those claims are removed first).

    ``evidence_by_claim``: ``{claim id: [Evidence]}`` (the printed reading's checks) or
    ``{(claim id, reading name): [Evidence]}``.  Returns the written paths."""
    K = _claims()
    ids_checked = None if ids is None else [K.get(i).id for i in ids]   # validate before touching files
    by_reading = {}
    for key, evs in (evidence_by_claim or {}).items():
        by_reading[key if isinstance(key, tuple) else (key, K.AS_PRINTED)] = evs
    recs = claim_witness_records(by_reading, ids_checked)
    return write_claim_witnesses(out_dir, recs, ids_checked)


def write_claim_witnesses(out_dir: str | Path, records: dict[str, dict[str, Any]],
                          ids: Iterable[str] | None = None) -> list[str]:
    """Write ``records`` (``{file name: record}``) into ``out_dir``, first removing stale ``claim_*.json``
    files of the claims ``ids`` (all claims when None).  Returns the written paths."""
    K = _claims()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wanted = None if ids is None else {K.get(i).id for i in ids}
    for old in out.glob("claim_*.json"):
        if wanted is None or any(old.name.startswith(f"claim_{_slug(i)}_") for i in wanted):
            old.unlink()
    paths = []
    for name, rec in records.items():
        p = out / name
        p.write_text(json.dumps(rec, indent=2, sort_keys=False) + "\n")
        paths.append(str(p))
    return paths


def load_claim_witness(path: str | Path) -> dict[str, Any]:
    """Read and validate a claim witness (``ValueError`` naming the file and the key otherwise)."""
    p = Path(path)
    try:
        rec = json.loads(p.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{p}: cannot read the witness file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p}: not JSON (line {exc.lineno}: {exc.msg})") from None
    return validate_claim_witness(rec, str(p))


def validate_claim_witness(rec: Any, where: str = "witness") -> dict[str, Any]:
    if not isinstance(rec, dict) or rec.get("kind") != KIND:
        raise ValueError(f"{where}: not a claim witness (key 'kind' must be {KIND!r})")
    for key, typ in (("claim", str), ("check", str), ("data", dict)):
        if not isinstance(rec.get(key), typ):
            raise ValueError(f"{where}: key {key!r} missing or not a {typ.__name__}")
    if "reading" in rec and not isinstance(rec["reading"], str):
        raise ValueError(f"{where}: key 'reading' must be a string")
    return rec


def is_claim_witness(path: str | Path) -> bool:
    """True when ``path`` is a JSON object whose ``kind`` is a claim witness (no validation beyond that)."""
    try:
        rec = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(rec, dict) and rec.get("kind") == KIND


def check_claim_witness(path: str | Path) -> dict[str, Any]:
    """Re-run the refuting check of a claim witness file and compare; see the module docstring."""
    rec = load_claim_witness(path)
    return check_claim_witness_record(rec, str(path))


def check_claim_witness_record(rec: dict[str, Any], where: str = "witness") -> dict[str, Any]:
    """Re-run the check a witness record names (in its reading) and compare every recorded number.

    Confirmed when the check's assertions pass, its finding is still the recorded one (``refutes`` for
    files without a ``finding``; always one of ``refutes`` / ``empty`` / ``gap`` / ``invalid``), every recorded
    number is reproduced (relative 1e-9), and the re-run finding is rigorous (assurance proved or verified:
    a counterexample that was only sampled does not stand as a refutation; issue 19).  The check re-runs in
    the mode recorded in the file (``thorough``; default mode for files without it), i.e. at the sample
    sizes the witness was produced with."""
    K = _claims()
    t0 = time.perf_counter()
    rec = validate_claim_witness(rec, where)
    try:
        claim = K.get(rec["claim"])
    except (KeyError, ValueError):
        raise ValueError(f"{where}: unknown claim {rec['claim']!r}") from None
    rname = rec.get("reading", K.AS_PRINTED)
    try:
        rd = claim.reading(rname)
    except ValueError:
        raise ValueError(f"{where}: claim {claim.id} has no reading {rname!r} "
                         f"(has {[r.name for r in claim.all_readings]})") from None
    by_name = {c.name: c for c in rd.checks}
    if rec["check"] not in by_name:
        raise ValueError(f"{where}: claim {claim.id} has no check {rec['check']!r} (has {sorted(by_name)})")
    thorough = rec.get("thorough", False)
    if not isinstance(thorough, bool):
        raise ValueError(f"{where}: key 'thorough' must be true or false, got {thorough!r}")
    ev = by_name[rec["check"]].run(thorough=thorough)
    mismatches = _compare(rec["data"], _jsonable(ev.data), "data")
    expected = rec.get("finding", K.REFUTES)
    checks = {
        "check_assertions_pass": bool(ev.ok),
        "still_refutes": ev.finding == expected and ev.finding in K.WITNESS_FINDINGS,
        "recorded_numbers_reproduced": not mismatches,
        "rigorous": ev.assurance in (K.PROVED, K.VERIFIED),
    }
    return {
        "path": where,
        "kind": KIND,
        "claim": claim.id,
        "reading": rd.name,
        "check": rec["check"],
        "finding": ev.finding,
        "assurance": ev.assurance,
        "thorough": thorough,
        "summary": ev.summary,
        "checks": checks,
        "mismatches": mismatches[:20],
        "confirmed": all(checks.values()),
        "seconds": time.perf_counter() - t0,
    }


# ----------------------------------------------------------------------------------------------------
def _slug(s: str) -> str:
    return "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "._" else "-" for ch in s)


def _squash(s: str) -> str:
    """Runs of '-' collapsed to one (readable file names from reading names)."""
    import re

    return re.sub("-{2,}", "-", s)


def _jsonable(obj: Any) -> Any:
    from theory.jsonio import to_jsonable

    return json.loads(json.dumps(to_jsonable(obj)))


def _compare(a: Any, b: Any, where: str) -> list[str]:
    """Differences between recorded ``a`` and recomputed ``b`` (numbers to RTOL, the rest exactly)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in a:
            if k not in b:
                out.append(f"{where}.{k}: missing in the re-run")
            else:
                out.extend(_compare(a[k], b[k], f"{where}.{k}"))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: length {len(a)} recorded, {len(b)} now"]
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out.extend(_compare(x, y, f"{where}[{i}]"))
        return out
    num = (int, float)
    if isinstance(a, num) and isinstance(b, num) and not isinstance(a, bool) and not isinstance(b, bool):
        fa, fb = float(a), float(b)
        if fa == fb or (math.isfinite(fa) and math.isfinite(fb)
                        and abs(fa - fb) <= RTOL * max(abs(fa), abs(fb), 1e-300)):
            return []
        return [f"{where}: {a!r} recorded, {b!r} now"]
    return [] if a == b else [f"{where}: {a!r} recorded, {b!r} now"]
