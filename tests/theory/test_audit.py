"""The audit runner (theory.audit, `python -m theory audit`): files, structure, soundness JSON, witnesses."""

from __future__ import annotations

import json
import math

import pytest

IDS = ["D4", "T10", "C11", "T16", "T18", "TABLE1-gaussian-l2-dinf"]


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    from theory.audit import run_audit

    out = tmp_path_factory.mktemp("audit")
    result = run_audit(out=out, only=IDS, progress=False)
    doc = json.loads((out / "audit.json").read_text())
    return out, doc, result


def test_files_written(audit):
    from theory.audit import FIGURES

    out, doc, _ = audit
    assert (out / "audit.md").is_file() and (out / "audit.json").is_file()
    for name in FIGURES.values():
        assert (out / name).is_file() and name.startswith("audit_") and name.endswith(".png")
    assert doc["claims"][0]["id"] == "D4" and doc["schema_version"] == 2


def test_markdown_verdict_table_first(audit):
    from theory.audit import FIGURES

    out, doc, _ = audit
    md = (out / "audit.md").read_text()
    first = md.index("## ")
    assert md[first:].startswith("## Verdicts")
    assert md.index("## Verdicts") < md.index("## Soundness") < md.index("## Claims")
    for cid in IDS:
        assert f"### {cid}:" in md
    assert ("| ID | title | verdict as printed | assurance | best repaired reading | assurance (repaired) | notes |"
            in md)
    assert "| [T10](#claim-t10) | Gaussian mechanism is DMR-robust in ℓ2; tail bound (eq. 5) | **refuted** |" in md
    for fig in FIGURES.values():
        assert f"]({fig})" in md


def test_report_stands_on_its_own(audit):
    """Issue 15 item 6: no pointer outside the repository; says where the full statements are."""
    out, _, _ = audit
    md = (out / "audit.md").read_text()
    assert "../" not in md and "/work/" not in md and "CLAIMS.md" not in md
    assert "audit.json" in md and "python -m theory claims --json" in md
    assert "reports/witnesses" not in md          # witness paths are relative to the report


def test_t18_note_explains_the_soundness_row(audit):
    """Issue 15 item 7: T18 'holds' while the soundness table's t18 row exceeds the tight radius: a note in the
    verdict table itself, with the counts computed from the soundness rows."""
    out, _, result = audit
    t18 = result.claim("T18")
    assert t18.printed_verdict == "consistent with" and len(t18.notes) == 1      # sampled support (issue 19)
    rows = [r for r in result.soundness["rows"] if r["certificate"] == "t18"]
    n_in = sum(r["exceeds_tight"] for r in rows)
    assert f"in {n_in} of {len(rows)} settings" in t18.notes[0] and "Corollary 11" in t18.notes[0]
    md = (out / "audit.md").read_text()
    table = md[md.index("## Verdicts"):md.index("**Notes to the table.**")]
    assert "| [T18](#claim-t18) | Gaussian mechanism for ℓ∞ DMR robustness | **consistent with** | sampled |" in table
    assert "[note 1](#verdict-notes)" in table
    assert "1. (T18) " in md
    # a claim that holds without an unsound certificate built on it gets no note; a refuted one neither
    assert not result.claim("D4").notes and not result.claim("C11").notes


def test_verdicts_derived_and_agree(audit):
    _, doc, result = audit
    by = {r["id"]: r for r in doc["claims"]}
    assert by["C11"]["printed_verdict"] == "refuted"
    assert by["T10"]["printed_verdict"] == "refuted"
    assert all(r["all_checks_ok"] and r["verdict_agrees_with_registry"] for r in doc["claims"])
    for r in doc["claims"]:
        assert r["seconds"] > 0 and r["readings"] and r["readings"][0]["evidence"]
        assert {"name", "statement", "verdict", "derived_verdict", "evidence", "witnesses"} <= set(r["readings"][0])
    assert result.bad == ()


def test_from_json_rerenders_byte_identically(audit, tmp_path):
    """Issue 12: a report re-renders from its JSON without recomputing (same result object, same Markdown)."""
    from theory.audit import AuditResult, render_markdown, write_audit_report

    out, _, result = audit
    again = AuditResult.from_json(out / "audit.json")
    assert again == result
    assert render_markdown(again) == (out / "audit.md").read_text()
    write_audit_report(again, tmp_path, figures=True)
    assert (tmp_path / "audit.md").read_bytes() == (out / "audit.md").read_bytes()
    assert (tmp_path / "audit.json").read_bytes() == (out / "audit.json").read_bytes()
    assert sorted(p.name for p in (tmp_path / "witnesses").iterdir()) == \
        sorted(p.name for p in (out / "witnesses").iterdir())


def test_from_json_rejects_bad_files(tmp_path):
    from theory.audit import AuditResult

    f = tmp_path / "a.json"
    f.write_text("[1]")
    with pytest.raises(ValueError, match="not an audit result"):
        AuditResult.from_json(f)
    f.write_text('{"schema_version": 1, "claims": []}')
    with pytest.raises(ValueError, match="schema_version"):
        AuditResult.from_json(f)


def test_compute_writes_nothing(tmp_path, monkeypatch):
    """compute_audit writes no files (the witnesses are built in a temporary folder) and prints nothing."""
    from theory.audit import compute_audit

    monkeypatch.chdir(tmp_path)
    r = compute_audit(only=["T10"], soundness=False, progress=False)
    assert list(tmp_path.iterdir()) == []
    assert r.claim("T10").printed_verdict == "refuted" and r.claim_witnesses
    assert all(k.startswith("witnesses/claim_T10_") for k in r.witness_files)


def test_soundness_json_per_certificate_and_setting(audit):
    from theory import certificates as C

    _, doc, _ = audit
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

    out, doc, _ = audit
    row = next(r for r in doc["soundness"]["rows"] if r["certificate"] == "c11" and r["exceeds_tight"])
    path = out / row["witnesses"][0]["path"]
    assert main(["witness", str(path), "--samples", "20000", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["confirmed"] is True


def test_hidden_conditions_listed(audit):
    _, doc, _ = audit
    ids = {h["id"] for h in doc["hidden_conditions"]}
    assert {"D4", "T10", "C11", "T16"} <= ids


def test_cli_bad_id_is_one_line_error_and_creates_nothing(tmp_path, capsys):
    """Issue 15: `audit --id NOPE` must not leave an empty output folder behind."""
    from theory.cli import main

    out = tmp_path / "reports"
    assert main(["audit", "--out", str(out), "--id", "NOPE", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "claim_id" in err[0]
    assert not out.exists()


def test_cli_summary_is_readable(tmp_path, capsys):
    """Issue 15 item 5: no raw dicts (`c11{'c': 0.5}`), counts in the fixed order of theory.claims.BEST_ORDER."""
    from theory.audit import certificate_label
    from theory.claims import BEST_ORDER
    from theory.cli import main

    assert main(["audit", "--out", str(tmp_path), "--id", "T10", "--id", "L22", "--id", "C11", "--quiet",
                 "--no-soundness"]) == 0
    text = capsys.readouterr().out
    assert "{" not in text and "}" not in text
    assert certificate_label({"certificate": "c11", "setting": {"c": 0.5}}) == "c11 (c=0.5)"
    assert certificate_label({"certificate": "t18", "setting": {"c": 1.0, "d": 3072}}) == "t18 (c=1, d=3072)"
    assert certificate_label({"certificate": "t13", "setting": {}}) == "t13"
    line = next(x for x in text.splitlines() if "verdicts as printed:" in x)
    names = [v for v in BEST_ORDER if v in line]
    assert names == ["holds", "refuted"] and line.index("holds") < line.index("refuted")
    assert "verdicts as printed: holds 1, refuted 2" in line


def test_cli_subset_exit_code_and_json_path(tmp_path, capsys):
    """--json-out PATH writes the JSON there; --json prints the same object on stdout (issue 20.11: --json is a
    flag, as everywhere)."""
    from theory.cli import main

    jp = tmp_path / "sub" / "a.json"
    capsys.readouterr()
    rc = main(["audit", "--out", str(tmp_path), "--json-out", str(jp), "--json", "--id", "T15", "--no-soundness",
               "--quiet"])
    assert rc == 0
    doc = json.loads(jp.read_text())
    assert [r["id"] for r in doc["claims"]] == ["T15"] and doc["soundness"] is None
    assert math.isfinite(doc["seconds"])
    assert json.loads(capsys.readouterr().out) == doc and not (tmp_path / "audit.json").exists()


def test_proof_gaps_section_lists_every_step():
    """Issue 11: a 'Proof gaps' section listing every proof-step sub-claim with its verdict (gaps and holds), each gap
    with a confirmed witness."""
    from theory.audit import compute_audit, render_markdown
    from theory.claims import CLAIMS, PROOF_GAP, PROOF_INVALID, PROOF_STEP

    steps = [cid for cid, c in CLAIMS.items() if c.kind == PROOF_STEP]
    assert {"T12.step-triangle", "T16.step-lemma26", "T15.step-gamma-mean", "S3.2.gaussian-density"} <= set(steps)
    r = compute_audit(only=steps, soundness=False, progress=False)
    md = render_markdown(r, figures=False)
    sec = md[md.index("## Proof gaps"):md.index("### Witnesses")]
    for cid in steps:
        c = r.claim(cid)
        assert f"[{cid}](#" in sec and f"**{c.printed_verdict}**" in sec
    assert r.claim("T12.step-triangle").printed_verdict == PROOF_GAP
    assert r.claim("S3.2.gaussian-density").printed_verdict == "holds"     # sympy (issue 19); quadrature cross-check
    assert r.claim("T16.step-L27").printed_verdict == PROOF_INVALID
    gaps = {p["id"] for p in r.proof_steps if p["verdict"] in (PROOF_GAP, PROOF_INVALID)}
    assert gaps and gaps == {w["claim"] for w in r.claim_witnesses if w["confirmed"]}
    assert next(p for p in r.proof_steps if p["id"] == "T12.step-triangle")["serves"] == ["T12"]


def test_followup_section_in_the_audit(audit, tmp_path):
    """Issue 14: the seed paper's Table 1 and conclusion next to the follow-up literature, row by row (rows from
    theory.followup.ROWS), in the Markdown and in the JSON (so re-rendering keeps it); absent when no Table 1
    cell is audited."""
    from theory.audit import compute_audit
    from theory.followup import ROWS

    out, doc, result = audit
    md = (out / "audit.md").read_text()
    assert "## Table 1 and the conclusion next to the follow-up literature" in md
    for row in ROWS:
        assert f"({row.cell})" in md
    assert doc["followup_lines"] == list(result.followup_lines) and result.followup_lines
    assert compute_audit(only=["D4"], soundness=False, progress=False).followup_lines == ()


def test_paper_certificates_share_the_plugin_path(audit):
    """Issue 14: C11/T13/T18 also go through `audit-certificate`'s path (NP engine); it must reach the same decision
    and threshold as the closed-form search, for every certificate the engine models."""
    _, doc, _ = audit
    rows = [r for r in doc["soundness"]["rows"] if r.get("engine")]
    assert {r["certificate"] for r in rows} >= {"c11", "t13", "t18"}
    assert all(r["engine"]["agrees"] for r in rows), [(r["certificate"], r["setting"], r["engine"]) for r in rows]


def test_plugin_cross_check_detects_a_different_threshold():
    """Negative test: a search result with a threshold off by 1% (or the opposite decision) is not 'agrees'."""
    from theory.audit import _engine_cross_check

    good = _engine_cross_check("c11", {"c": 1.0}, {"exceeds_tight": True, "from_one_minus_pA": 2.4276495996769677e-06})
    assert good is not None and good["agrees"]
    off = _engine_cross_check("c11", {"c": 1.0}, {"exceeds_tight": True, "from_one_minus_pA": 2.4276e-06 * 1.01})
    flipped = _engine_cross_check("c11", {"c": 1.0}, {"exceeds_tight": False, "from_one_minus_pA": None})
    assert off is not None and not off["agrees"] and flipped is not None and not flipped["agrees"]
