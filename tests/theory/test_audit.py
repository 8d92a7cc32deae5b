"""The audit runner (theory.audit, `python -m theory audit`): files, structure, soundness JSON, witnesses."""

from __future__ import annotations

import json
import math

import pytest


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    from theory.audit import run_audit

    out = tmp_path_factory.mktemp("audit")
    doc = run_audit(out=out, only=["D4", "T10", "C11", "T16"], progress=False)
    return out, doc


def test_files_written(audit):
    out, doc = audit
    assert (out / "audit.md").is_file() and (out / "audit.json").is_file()
    for name in doc["figures"].values():
        assert (out / name).is_file() and name.startswith("audit_") and name.endswith(".png")
    assert json.loads((out / "audit.json").read_text())["claims"][0]["id"] == "D4"


def test_markdown_verdict_table_first(audit):
    out, doc = audit
    md = (out / "audit.md").read_text()
    first = md.index("## ")
    assert md[first:].startswith("## Verdicts")
    assert md.index("## Verdicts") < md.index("## Soundness") < md.index("## Claims")
    for cid in ("D4", "T10", "C11", "T16"):
        assert f"### {cid}:" in md
    assert "| ID | kind | verdict | methods | time (s) |" in md
    for fig in doc["figures"].values():
        assert f"]({fig})" in md


def test_verdicts_derived_and_agree(audit):
    _, doc = audit
    by = {r["id"]: r for r in doc["claims"]}
    assert by["C11"]["derived_verdict"] == "refuted"
    assert by["T10"]["derived_verdict"] == "refuted"
    assert all(r["all_checks_ok"] and r["verdict_agrees_with_registry"] for r in doc["claims"])
    for r in doc["claims"]:
        assert r["seconds"] > 0 and r["evidence"]


def test_soundness_json_per_certificate_and_setting(audit):
    from theory import certificates as C

    _, doc = audit
    rows = doc["soundness"]["rows"]
    names = {r["certificate"] for r in rows}
    assert names == set(C.SOUNDNESS_SETTINGS)
    c11 = {r["setting"]["c"]: r for r in rows if r["certificate"] == "c11"}
    assert set(c11) == {0.5, 1.0, 2.0, 3.0}
    for r in rows:
        assert isinstance(r["exceeds_tight"], bool)
        assert (r["from_one_minus_pA"] is not None) == r["exceeds_tight"]
        if r["exceeds_tight"]:
            assert r["witnesses"] and all(w["confirmed"] for w in r["witnesses"])
    # c = 0.5: exceeds for 1 - pA below ~2.8e-3 (threshold checked independently in test_claims)
    assert c11[0.5]["exceeds_tight"] and 1e-3 < c11[0.5]["from_one_minus_pA"] < 1e-2


def test_witness_file_rechecks_with_cli(audit, capsys):
    from theory.cli import main

    out, doc = audit
    row = next(r for r in doc["soundness"]["rows"] if r["certificate"] == "c11" and r["exceeds_tight"])
    path = out / row["witnesses"][0]["path"]
    assert main(["witness", str(path), "--samples", "20000", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["confirmed"] is True


def test_hidden_conditions_listed(audit):
    _, doc = audit
    ids = {h["id"] for h in doc["hidden_conditions"]}
    assert {"D4", "T10", "C11", "T16"} <= ids


def test_cli_bad_id_is_one_line_error(tmp_path, capsys):
    from theory.cli import main

    assert main(["audit", "--out", str(tmp_path), "--id", "NOPE", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "claim_id" in err[0]


def test_cli_subset_exit_code_and_json_path(tmp_path, capsys):
    from theory.cli import main

    jp = tmp_path / "sub" / "a.json"
    rc = main(["audit", "--out", str(tmp_path), "--json", str(jp), "--id", "T15", "--no-soundness", "--quiet"])
    assert rc == 0
    doc = json.loads(jp.read_text())
    assert [r["id"] for r in doc["claims"]] == ["T15"] and "soundness" not in doc
    assert math.isfinite(doc["seconds"])
