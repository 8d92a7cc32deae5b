"""One report contract (issue 22.3) for every result of the empirical side (the theory side:
tests/theory/test_report_contract.py, whose checks are reused here).

Every ``XResult`` has ``to_json(path) -> Path`` and the classmethod ``from_json(path)`` (through
:func:`theory.jsonio.load_result`); every writer is ``write_X_report(result, out_dir, *, json_path=None,
figures=True)``.  The committed empirical reports that are rendered from a result (the JPEG gap, the replay) read
back, write back and render byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from empirical.analysis import AnalyzeResult, ColumnAnalysis, RunAnalysis, write_analyze_report
from empirical.device_check import DEVICE_CHECK_SCHEMA_VERSION, DeviceCheckResult, write_device_check_report
from empirical.experiments import EXPERIMENT_SCHEMA_VERSION, ExperimentResult, FigureSpec, write_experiment_report
from empirical.fp_audit import AuditResult as FpAuditResult
from empirical.fp_audit import ClassifierAudit
from empirical.fp_soundness import FpSoundnessResult, write_fp_soundness_report
from empirical.jpeg_gap import JpegGapResult, jpeg_gap_markdown, write_jpeg_gap_report
from empirical.replay_report import render_markdown as replay_markdown
from empirical.replay_report import write_replay_report
from empirical.replay_result import ReplayResult
from tests.theory.test_report_contract import check_result_class, check_round_trip, check_writer

ROOT = Path(__file__).resolve().parents[2]
EMPIRICAL = ROOT / "reports" / "empirical"

RESULTS = [AnalyzeResult, DeviceCheckResult, ExperimentResult, FpAuditResult, FpSoundnessResult, JpegGapResult,
           ReplayResult]
WRITERS = [write_analyze_report, write_device_check_report, write_experiment_report, write_fp_soundness_report,
           write_jpeg_gap_report, write_replay_report]


@pytest.mark.parametrize("cls", RESULTS, ids=lambda c: c.__name__)
def test_result_classes_have_the_json_contract(cls):
    check_result_class(cls)


@pytest.mark.parametrize("fn", WRITERS, ids=lambda f: f.__name__)
def test_writers_have_the_common_signature(fn):
    check_writer(fn)


def _fp_audit() -> FpAuditResult:
    c = ClassifierAudit("half-space", 0, 99, 990, 0.98, 0.5, False, [900, 100], 0, 900, 0.93, 0.9, True, False)
    return FpAuditResult("no contradiction found", "gaussian", 0.25, (1, 2, 2), 0, 1, 0.0078, 100, 1000, 0.001,
                         1e-6, 0.0, 0, False, "cpu", "eager", 0.5, torch_version="2.x", classifiers=[c])


def _small_results():
    col = ColumnAnalysis("radius", "l2", (0.0, 0.5), (0.75, float("nan")), 0.3, 0.9, ((0.0, 0.75), (0.9, 0.0)))
    yield AnalyzeResult((RunAnalysis("a.tsv", "a", None, 4, None, 0.75, 0.25, {"radius": col}),),
                        {"l2": (0.0, 0.5)}), \
        (lambda a, b: json.dumps(a.to_dict()) == json.dumps(b.to_dict()))
    yield DeviceCheckResult.from_dict({
        "schema_version": DEVICE_CHECK_SCHEMA_VERSION, "name": "gpu", "command": "python -m empirical gpu-report",
        "date": "2026-01-01", "device": "cpu", "device_name": "cpu: x86", "torch": "2.x", "cuda": None,
        "scale": "dry", "dry_run": True, "fake_data": True, "time_budget": None, "sizes": {"n": 10},
        "json_name": "gpu.json", "tsv_name": "gpu.tsv", "benches": [], "certify": [],
        "skipped": ["x"]}), None
    spec = FigureSpec("f.png", 1, 1, (4.0, 3.0), {}, ((0, "plot", [[0, 1], [0.5, 0.25]], {"color": "C0"}),))
    yield ExperimentResult(EXPERIMENT_SCHEMA_VERSION, "digits", "digits", "smoke", "# md\n", {"acc": 0.5},
                           (spec,)), None
    yield _fp_audit(), None


@pytest.mark.parametrize("i", range(4))
def test_small_results_round_trip_through_a_file(i, tmp_path):
    result, same = list(_small_results())[i]
    check_round_trip(result, tmp_path, same=same)


def test_fp_audit_witness_keeps_its_bytes_and_checks(tmp_path):
    """The witness file of ``audit-fp --out`` is the JSON it always was (``json.dumps(to_dict(), indent=1)``)."""
    r = _fp_audit()
    p = r.to_json(tmp_path / "sub" / "w.json")
    assert p.read_text() == json.dumps(r.to_dict(), indent=1) + "\n"
    assert json.loads(p.read_text())["witness_rule"].startswith("UNSOUND iff")


@pytest.mark.parametrize("cls,name", [(JpegGapResult, "cifar10_jpeg_gap.json"),
                                      (ReplayResult, "replay_cifar10.json"),
                                      (FpSoundnessResult, "fp_soundness.json")])
def test_committed_report_json_reads_and_writes_back_byte_identically(cls, name, tmp_path):
    committed = EMPIRICAL / name
    result = cls.from_json(committed)
    out = result.to_json(tmp_path / "again.json")
    assert out.read_bytes() == committed.read_bytes()
    assert cls.from_json(out) == result


def test_committed_fp_soundness_report_rewrites_identically(tmp_path):
    """``--report-only``'s path: the committed JSON, written again with its Markdown, is the committed report
    (the audits only: ``certify`` absent from the JSON is None in the result and absent again)."""
    res = FpSoundnessResult.from_json(EMPIRICAL / "fp_soundness.json")
    md = write_fp_soundness_report(res, tmp_path)
    assert md.read_bytes() == (EMPIRICAL / "fp_soundness.md").read_bytes()
    assert (tmp_path / "fp_soundness.json").read_bytes() == (EMPIRICAL / "fp_soundness.json").read_bytes()


def test_committed_jpeg_gap_and_replay_markdown_render_from_their_json():
    gap = JpegGapResult.from_json(EMPIRICAL / "cifar10_jpeg_gap.json")
    assert jpeg_gap_markdown(gap, "cifar10_jpeg_gap.png") == (EMPIRICAL / "cifar10_jpeg_gap.md").read_text()
    rep = ReplayResult.from_json(EMPIRICAL / "replay_cifar10.json")
    assert replay_markdown(rep) == (EMPIRICAL / "replay_cifar10.md").read_text()


def test_writers_honour_json_path_and_figures(tmp_path):
    gap = JpegGapResult.from_json(EMPIRICAL / "cifar10_jpeg_gap.json")
    md = write_jpeg_gap_report(gap, tmp_path / "g", json_path=tmp_path / "j" / "gap.json", figures=False, name="x")
    assert md == tmp_path / "g" / "x.md" and sorted(p.name for p in (tmp_path / "g").iterdir()) == ["x.md"]
    assert "x.png" not in md.read_text() and JpegGapResult.from_json(tmp_path / "j" / "gap.json") == gap
    dc = list(_small_results())[1][0]
    md = write_device_check_report(dc, tmp_path / "d", json_path=tmp_path / "d2" / "r.json")
    assert md.read_text() == dc.markdown() and DeviceCheckResult.from_json(tmp_path / "d2" / "r.json") == dc
    assert not (tmp_path / "d" / "gpu.json").exists()
