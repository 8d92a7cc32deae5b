"""One report contract (issue 22.3) for every result of the empirical side (the theory side:
tests/theory/test_report_contract.py, whose checks are reused here).

Every ``XResult`` has ``to_json(path) -> Path`` and the classmethod ``from_json(path)`` (through
:func:`theory.jsonio.load_result`); every writer is ``write_X_report(result, out_dir, *, json_path=None,
figures=True)``.  The committed empirical reports that are rendered from a result (the JPEG gap, the replay) read
back, write back and render byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import pytest

from empirical.analysis import AnalyzeResult, ColumnAnalysis, RunAnalysis, write_analyze_report
from empirical.device_check import DEVICE_CHECK_SCHEMA_VERSION, DeviceCheckResult, write_device_check_report
from empirical.experiments import (
    EXPERIMENT_SCHEMA_VERSION,
    ExperimentResult,
    experiment_markdown,
    write_experiment_report,
)
from empirical.fp_audit import AuditResult as FpAuditResult
from empirical.fp_audit import ClassifierAudit
from empirical.fp_soundness import FpSoundnessResult, write_fp_soundness_report
from empirical.jpeg_gap import JpegGapResult, jpeg_gap_markdown, write_jpeg_gap_report
from empirical.replay_report import render_markdown as replay_markdown
from empirical.replay_report import write_replay_report
from empirical.replay_result import ReplayResult
from empirical.sequential_report import GOALS, SequentialReportResult, render_markdown, write_sequential_report
from tests.theory.test_report_contract import check_result_class, check_round_trip, check_writer

ROOT = Path(__file__).resolve().parents[2]
EMPIRICAL = ROOT / "reports" / "empirical"

RESULTS = [AnalyzeResult, DeviceCheckResult, ExperimentResult, FpAuditResult, FpSoundnessResult, JpegGapResult,
           ReplayResult, SequentialReportResult]
WRITERS = [write_analyze_report, write_device_check_report, write_experiment_report, write_fp_soundness_report,
           write_jpeg_gap_report, write_replay_report, write_sequential_report]


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


def _experiment_result() -> ExperimentResult:
    """A Cohen-protocol result written by hand as data: one Gaussian run (sigma 0.5) and its eq.-6 run on three
    points (two certified-correct, one abstained); the model's noisy accuracy is NaN (a non-finite float must
    survive the JSON)."""
    from theory.certificates import RADIUS_COLUMNS

    def run(key, mech, sigma, radii):
        return {"key": key, "model_key": "m", "mechanism": mech, "sigma": sigma, "train_noise": "gaussian",
                "train_sigma": 0.5, "d": 64, "idx": [0, 150, 300], "correct": [1, 1, 0], "predict": [3, 7, -1],
                "pA_lower": [0.99, 0.9, 0.5], "radii": {c: radii for c in RADIUS_COLUMNS[mech]}, "seconds": 1.5,
                "tsv": f"/w/tsv/{key}.tsv"}

    se = 0.020282115352708206  # matched_exponential_sigma(0.5, 64)
    plan = [["digits_cohen_train0.5_gauss0.5", "gaussian-0.5", "gaussian", 0.5],
            ["digits_cohen_train0.5_exp0.02028", "gaussian-0.5", "exponential-linf", se]]
    settings = {"arch": "cnn_fast", "epochs": 1, "points": 3, "n0": 10, "n": 40, "alpha": 0.001, "batch": 40,
                "train_examples": 300, "train_batch": 128, "recipe": "fast", "train_seconds": 600.0}
    context = {"name": "proto", "command": "python -m empirical experiment digits --scale cohen", "scale": "cohen",
               "device_name": "cpu: test", "seed": 0, "data_dir": None, "budget_s": None, "settings": settings,
               "date": "2026-01-01 00:00 UTC", "seconds": 12.3,
               "provenance": {"command": "python -m empirical experiment digits --scale cohen", "seed": 0,
                              "version": "0.1.0", "commit": "abcdef1234567", "dirty": False,
                              "versions": {"numpy": "2.0"}}}
    meta = {"arch": "cnn_fast", "recipe": "fast", "noise": "gaussian", "sigma": 0.5, "train_examples": 300,
            "epochs": 1, "epochs_requested": 1, "test_acc_clean": 0.9, "test_acc_noisy": float("nan"),
            "train_seconds": 4.0, "load1_end": 1.5, "cpu_count": 2}
    inputs = {"dataset": "digits", "d": 64, "metas": {"gaussian-0.5": meta}, "skipped": [], "missing": [],
              "indices": [0, 150, 300], "sigmas": [0.5], "plan": plan, "test_size": 450, "train_size": 1347,
              "report_only": False,
              "runs": {plan[0][0]: run(plan[0][0], "gaussian", 0.5, [0.5, 0.1, 0.0]),
                       plan[1][0]: run(plan[1][0], "exponential-linf", se, [0.002, 0.001, 0.0])}}
    return ExperimentResult(EXPERIMENT_SCHEMA_VERSION, "proto", "digits", "cohen", "protocol", context, inputs)


def test_experiment_result_holds_data_and_its_writer_composes_the_same_report_after_json(tmp_path):
    """issue 22.3: ExperimentResult holds the run's data and context (no Markdown, no figure recipes);
    result -> to_json -> from_json -> writer gives the same Markdown and summary JSON byte for byte, and
    the report states the stored date, commit and elapsed time (not the clock's) and the certified accuracies of
    the stored points (counted by hand: at R = 0 two of three points, at R = 0.25 and 0.5 one, at 0.75 none;
    median radius of the certified-correct points median(0.5, 0.1) = 0.3)."""
    res = _experiment_result()
    assert [f.name for f in fields(ExperimentResult)] == ["schema_version", "name", "experiment", "scale", "kind",
                                                          "context", "inputs"]
    # figures=False keeps this test fast (the figures' bytes after a round trip: test_experiments' smoke test)
    a = write_experiment_report(res, tmp_path / "a", json_path=tmp_path / "r.json", figures=False)
    back = ExperimentResult.from_json(tmp_path / "r.json")
    b = write_experiment_report(back, tmp_path / "b", figures=False)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["proto.json", "proto.md"]
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for n in names:
        assert (tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes(), n
    md = a.read_text()
    assert b.read_text() == md == experiment_markdown(back)
    assert "* date: 2026-01-01 00:00 UTC; commit abcdef1\n" in md and "versions: numpy 2.0, rs-verify 0.1.0" in md
    assert ("| 0.5 | Cohen (tight ℓ2) | 3 | 66.7 | 33.3 | 33.3 | 0.0 | 0.0 | 0.0 | 0.0 | 0.0 | 0.0 | 0.300 |"
            in md)
    assert "| gaussian-0.5 | cnn_fast | fast | 0.5 | 300 | 1/1 | 90.0 | nan | 4 |" in md
    summary = json.loads((tmp_path / "a" / "proto.json").read_text())
    assert summary["seconds"] == 12.3 and summary["models"]["gaussian-0.5"]["test_acc_noisy"] == "nan"
    bad = json.loads((tmp_path / "r.json").read_text())
    bad["kind"] = "nosuch"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="kind"):
        ExperimentResult.from_json(tmp_path / "bad.json")


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
    yield _experiment_result(), (lambda a, b: json.dumps(asdict(a)) == json.dumps(asdict(b)))  # NaN inside
    yield _fp_audit(), None
    yield _sequential(), (lambda a, b: json.dumps(a.to_dict()) == json.dumps(b.to_dict()))


def _sequential() -> SequentialReportResult:
    """One model in both modes whose radius-mode ratio has no point to be taken over (nan: fixed n certified
    nothing), no simulation."""
    fixed = {"wall_s": 10.0, "certified_accuracy": {"0.5": 0.0}, "curve": [0.0, 0.0]}
    target = {"heavy_points": 0, "heavy_share_of_passes": 0.0, "points": 1, "mean_forward_passes": 1100.0,
              "median_forward_passes": 1100.0, "fewer": 91.0, "certified_accuracy": {"0.5": 0.0},
              "accuracy_difference_points": {"0.5": 0.0}, "wall_s": 1.0, "forward_passes": [1100],
              "decided_at_median": {"0.5": 1000.0}}
    radius = {"points": 1, "mean_forward_passes": 50100.0, "median_forward_passes": 50100.0, "fewer": 2.0,
              "median_radius_ratio": float("nan"), "ratio_points": 0, "certified_accuracy": {"0.5": 0.0},
              "curve": [0.0, 0.0], "wall_s": 5.0, "forward_passes": [50100]}
    s = {"sigma": 0.5, "points": 1, "model": {"dataset": "mnist", "arch": "cnn_fast", "test_acc_clean": 0.9},
         "fixed_forward_passes": 100_100, "fixed": fixed, "grid": [0.0, 1.0], "target": target, "radius": radius}
    return SequentialReportResult("python -m empirical sequential-report ...", 100, 100_000, 0.001, 256, 0, 1,
                                  (0.5,), 0.05, dict(GOALS), (s,), "x86_64, 2 CPUs", 1.5, 1.25, "cut")


@pytest.mark.parametrize("i", range(5))
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


def test_sequential_report_nan_ratio_reads_back_as_a_float(tmp_path):
    """A nan median radius ratio is written "nan" and read back as a float: the Markdown and the verdicts
    (nan >= 0.95 is false: 'short of') are the same from the file as from the result."""
    res = _sequential()
    md, js = write_sequential_report(res, tmp_path, figures=False)
    assert json.loads(js.read_text())["sigmas"][0]["radius"]["median_radius_ratio"] == "nan"
    back = SequentialReportResult.from_json(js)
    assert isinstance(back.sigmas[0]["radius"]["median_radius_ratio"], float)
    assert render_markdown(back) == md.read_text() and js.read_bytes().isascii()  # "×", "≥" escaped as before
    assert "| mnist cnn_fast, σ = 0.5 | 50,100 | 50,100 | 2.0× | nan | 0 | 10 / 5 |" in md.read_text()
    assert "median radius ratio nan (short of ≥ 0.95)" in back.to_dict()["verdicts"][1]
    assert [p.name for p in write_sequential_report(res, tmp_path / "o", json_path=tmp_path / "j" / "s.json",
                                                    figures=False)] == ["sequential.md", "s.json"]
    assert not (tmp_path / "o" / "sequential.json").exists()


def test_sequential_report_writes_back_what_it_reads(tmp_path):
    """For any JSON the writer wrote (here the committed one, read once and written again): reading it and
    writing again gives the same JSON and the same Markdown byte for byte, and every data field of the committed
    JSON comes back unchanged (``verdicts`` is derived and written by the code that writes)."""
    committed = EMPIRICAL / "sequential.json"
    a, b = tmp_path / "a", tmp_path / "b"
    write_sequential_report(SequentialReportResult.from_json(committed), a, figures=False)
    write_sequential_report(SequentialReportResult.from_json(a / "sequential.json"), b, figures=False)
    for name in ("sequential.json", "sequential.md"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    old, new = json.loads(committed.read_text()), json.loads((a / "sequential.json").read_text())
    assert list(new) == list(old) and {k: v for k, v in new.items() if k != "verdicts"} == \
        {k: v for k, v in old.items() if k != "verdicts"}


def test_committed_sequential_report_renders_from_its_json(tmp_path):
    """reports/empirical/sequential.*: the committed JSON written again is the committed JSON and its Markdown the
    committed Markdown (the report contract changed no byte).  A JSON whose verdict sentences are not the ones this
    code derives was written by an older wording and is skipped, by name, until the report is regenerated."""
    committed = EMPIRICAL / "sequential.json"
    res = SequentialReportResult.from_json(committed)
    if res.to_dict()["verdicts"] != json.loads(committed.read_text())["verdicts"]:
        pytest.skip("reports/empirical/sequential.json predates the current verdict wording: regenerate it with "
                    "python -m empirical sequential-report")
    check_sequential_report(EMPIRICAL, tmp_path)


def check_sequential_report(folder: Path, tmp_path: Path) -> None:
    """``folder``'s sequential.json through ``from_json`` and ``write_sequential_report``: same JSON and Markdown."""
    md, js = write_sequential_report(SequentialReportResult.from_json(folder / "sequential.json"), tmp_path,
                                     figures=False)
    assert js.read_bytes() == (folder / "sequential.json").read_bytes()
    assert md.read_bytes() == (folder / "sequential.md").read_bytes()
