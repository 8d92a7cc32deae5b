"""Witnesses of refuted claims (issue 4: "every refuted claim has a witness that
``python -m theory witness FILE`` confirms").

The over-certified radii of C11 / T18 have concrete geometric witnesses (:mod:`theory.witness`:
a half-space classifier, a point, a perturbation and the exact smoothed prediction).  Every other
refutation of the audit is the counterexample that one named check of the claims registry reproduces
(:mod:`theory.claims`): for T10 the tail half-space whose log-probability ratio breaks eq. (5), for
T12 / T16 / T17 / T24 / L27 the constant mechanism that meets the printed hypotheses, for the remark
after T9 the Gaussian pair past the stated threshold, ...

A claim witness is a JSON file recording the claim, the refuting check and the numbers it produced::

    {"kind": "claim-counterexample", "claim": "T10", "check": "reading-b-fixed-set",
     "statement": ..., "method": ..., "summary": ..., "data": {...}, "generated_by": ...}

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
from pathlib import Path

KIND = "claim-counterexample"
RTOL = 1e-9  # the checks are deterministic: only summation-order noise is tolerated


def _claims():
    from theory import claims as K

    return K


def refuting_checks(claim_id: str) -> list[str]:
    """Names of the checks of ``claim_id`` that reproduce a counterexample (run in the default mode)."""
    K = _claims()
    claim = K.get(claim_id)
    return [ev.check for ev in claim.run_checks(thorough=False) if ev.finding == K.REFUTES and ev.ok]


def make_claim_witness(claim_id: str, evidence) -> dict:
    """The witness record of one refuting :class:`theory.claims.Evidence` of ``claim_id``."""
    K = _claims()
    claim = K.get(claim_id)
    if evidence.finding != K.REFUTES or not evidence.ok:
        raise ValueError(f"check {evidence.check!r} of {claim_id} does not refute it (finding {evidence.finding!r}, "
                         f"ok {evidence.ok})")
    return {
        "kind": KIND,
        "claim": claim.id,
        "title": claim.title,
        "statement": claim.statement,
        "check": evidence.check,
        "method": evidence.method,
        "summary": evidence.summary,
        "data": _jsonable(evidence.data),
        "generated_by": "python -m theory audit  (theory.claim_witness.generate_claim_witnesses)",
        "recheck": "python -m theory witness FILE",
    }


def generate_claim_witnesses(out_dir, evidence_by_claim: dict | None = None, ids=None) -> list[str]:
    """Write one witness per refuting check of every claim whose verdict is ``refuted`` (of ``ids`` only,
    when given; stale ``claim_*.json`` files of those claims are removed first).

    ``evidence_by_claim`` (claim id -> list of Evidence) reuses checks already run (the audit passes its
    own); otherwise the refuted claims' checks are run here.  Returns the written paths."""
    K = _claims()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wanted = None if ids is None else {K.get(i).id for i in ids}
    for old in out.glob("claim_*.json"):
        if wanted is None or any(old.name.startswith(f"claim_{_slug(i)}_") for i in wanted):
            old.unlink()
    paths = []
    for claim in K.CLAIMS.values():
        if claim.verdict != K.REFUTED or (wanted is not None and claim.id not in wanted):
            continue
        evs = (evidence_by_claim or {}).get(claim.id)
        if evs is None:
            evs = claim.run_checks(thorough=False)
        for ev in evs:
            if ev.finding == K.REFUTES and ev.ok:
                rec = make_claim_witness(claim.id, ev)
                p = out / f"claim_{_slug(claim.id)}_{_slug(ev.check)}.json"
                p.write_text(json.dumps(rec, indent=2, sort_keys=False) + "\n")
                paths.append(str(p))
    return paths


def load_claim_witness(path) -> dict:
    """Read and validate a claim witness (``ValueError`` naming the file and the key otherwise)."""
    p = Path(path)
    try:
        rec = json.loads(p.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{p}: cannot read the witness file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(rec, dict) or rec.get("kind") != KIND:
        raise ValueError(f"{p}: not a claim witness (key 'kind' must be {KIND!r})")
    for key, typ in (("claim", str), ("check", str), ("data", dict)):
        if not isinstance(rec.get(key), typ):
            raise ValueError(f"{p}: key {key!r} missing or not a {typ.__name__}")
    return rec


def is_claim_witness(path) -> bool:
    """True when ``path`` is a JSON object whose ``kind`` is a claim witness (no validation beyond that)."""
    try:
        rec = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(rec, dict) and rec.get("kind") == KIND


def check_claim_witness(path) -> dict:
    """Re-run the refuting check of a claim witness and compare; see the module docstring."""
    K = _claims()
    t0 = time.perf_counter()
    rec = load_claim_witness(path)
    try:
        claim = K.get(rec["claim"])
    except (KeyError, ValueError):
        raise ValueError(f"{path}: unknown claim {rec['claim']!r}") from None
    by_name = {c.name: c for c in claim.checks}
    if rec["check"] not in by_name:
        raise ValueError(f"{path}: claim {claim.id} has no check {rec['check']!r} (has {sorted(by_name)})")
    ev = by_name[rec["check"]].run(thorough=False)
    mismatches = _compare(rec["data"], _jsonable(ev.data), "data")
    checks = {
        "check_assertions_pass": bool(ev.ok),
        "still_refutes": ev.finding == K.REFUTES,
        "recorded_numbers_reproduced": not mismatches,
    }
    return {
        "path": str(path),
        "kind": KIND,
        "claim": claim.id,
        "check": rec["check"],
        "summary": ev.summary,
        "checks": checks,
        "mismatches": mismatches[:20],
        "confirmed": all(checks.values()),
        "seconds": time.perf_counter() - t0,
    }


# ----------------------------------------------------------------------------------------------------
def _slug(s: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._" else "-" for ch in s)


def _jsonable(obj):
    from theory.cli import to_jsonable

    return json.loads(json.dumps(to_jsonable(obj)))


def _compare(a, b, where: str) -> list[str]:
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
        for i, (x, y) in enumerate(zip(a, b)):
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
