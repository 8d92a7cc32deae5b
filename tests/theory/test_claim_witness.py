"""Witnesses of refuted claims (theory.claim_witness): every refuted claim has one, each re-check
confirms it, and a tampered or malformed witness is not confirmed / is rejected with a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from theory import claim_witness as W
from theory import claims as K


@pytest.fixture(scope="module")
def witnesses(tmp_path_factory):
    out = tmp_path_factory.mktemp("claim_witnesses")
    return W.generate_claim_witnesses(out)


def test_every_refuted_claim_has_a_witness(witnesses):
    """Every refuted / ill-posed / proof-gap reading (of every claim) has at least one witness file."""
    needing = {(c.id, r.name) for c in K.CLAIMS.values() for r in c.all_readings if W.needs_witness(r.verdict)}
    assert {c.id for c in K.CLAIMS.values() if c.verdict == K.REFUTED} <= {cid for cid, _ in needing}
    assert any(r == K.AS_PRINTED for _, r in needing)
    covered = set()
    for p in witnesses:
        rec = json.loads(Path(p).read_text())
        covered.add((rec["claim"], rec.get("reading", K.AS_PRINTED)))
    assert covered == needing


def test_proof_gap_and_reading_witnesses_recheck(tmp_path):
    """A proof-gap witness (finding 'gap') re-checks; a record naming a repaired reading is re-run in that reading;
    a witness whose recorded finding is changed is not confirmed; an unknown reading is a ValueError."""
    recs = W.claim_witness_records(ids=["T12.step-triangle", "EXP-linf-10-20"])
    (name, rec), = recs.items()
    assert rec["finding"] == K.GAP and name == "claim_T12.step-triangle_gaussian-chain.json"
    assert W.check_claim_witness_record(rec)["confirmed"]
    bad = dict(rec, finding=K.REFUTES)
    assert not W.check_claim_witness_record(bad)["checks"]["still_refutes"]
    with pytest.raises(ValueError, match="no reading"):
        W.check_claim_witness_record(dict(rec, reading="repaired: nothing"))
    # a repaired reading's check named in a record is looked up in that reading
    rd = K.get("EXP-linf-10-20").all_readings[1]
    ev = rd.checks[0].run()
    fake = {"kind": W.KIND, "claim": "EXP-linf-10-20", "reading": rd.name, "check": rd.checks[0].name,
            "finding": K.REFUTES, "data": {}}
    res = W.check_claim_witness_record(fake)
    assert res["reading"] == rd.name and res["finding"] == ev.finding and not res["confirmed"]


def test_each_witness_is_confirmed(witnesses):
    for p in witnesses:
        res = W.check_claim_witness(p)
        assert res["confirmed"], (p, res["checks"], res["mismatches"])


def _first_number(obj, path=()):
    """Path to the first float in a nested JSON object (for tampering)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            r = _first_number(v, path + (k,))
            if r is not None:
                return r
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            r = _first_number(v, path + (i,))
            if r is not None:
                return r
    elif isinstance(obj, float):
        return path
    return None


def test_tampered_number_is_not_confirmed(witnesses, tmp_path):
    src = next(p for p in witnesses if "T10" in p)
    rec = json.loads(Path(src).read_text())
    path = _first_number(rec["data"])
    assert path is not None
    node = rec["data"]
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = node[path[-1]] * (1 + 1e-6) + 1e-12
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(rec))
    res = W.check_claim_witness(bad)
    assert not res["confirmed"] and not res["checks"]["recorded_numbers_reproduced"]
    assert res["mismatches"]


def test_a_check_that_does_not_refute_is_not_confirmed(tmp_path):
    # L22 holds: its check supports the claim, so a "witness" pointing at it cannot be confirmed
    claim = K.get("L22")
    name = claim.checks[0].name
    bad = tmp_path / "l22.json"
    bad.write_text(json.dumps({"kind": W.KIND, "claim": "L22", "check": name, "data": {}}))
    res = W.check_claim_witness(bad)
    assert not res["confirmed"] and not res["checks"]["still_refutes"]


@pytest.mark.parametrize("content,msg", [
    ("not json", "not JSON"),
    ('{"kind": "other"}', "not a claim witness"),
    ('{"kind": "claim-counterexample", "claim": "T10"}', "'check'"),
    ('{"kind": "claim-counterexample", "claim": "T99", "check": "x", "data": {}}', "unknown claim"),
    ('{"kind": "claim-counterexample", "claim": "T10", "check": "nope", "data": {}}', "has no check"),
])
def test_malformed_witness_is_a_value_error_naming_the_file(tmp_path, content, msg):
    f = tmp_path / "w.json"
    f.write_text(content)
    with pytest.raises(ValueError, match=msg) as e:
        W.check_claim_witness(f)
    assert str(f) in str(e.value)


def test_every_committed_claim_witness_confirms():
    """The claim witnesses committed in reports/witnesses/ (written by `python -m theory audit`) re-check."""
    from pathlib import Path

    files = sorted((Path(__file__).resolve().parents[2] / "reports" / "witnesses").glob("claim_*.json"))
    assert files, "python -m theory audit writes reports/witnesses/claim_*.json"
    for f in files:
        res = W.check_claim_witness(f)
        assert res["confirmed"], (f.name, res["checks"], res["mismatches"])
