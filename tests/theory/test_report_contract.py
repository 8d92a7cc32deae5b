"""One report contract (issue 22.3) for every result of the theory side.

Every ``XResult`` writes itself with ``to_json(path) -> Path`` and reads back with the classmethod
``from_json(path)`` (through :func:`theory.jsonio.load_result`: a file that is not one is a ``ValueError`` naming
it); every writer is ``write_X_report(result, out_dir, *, json_path=None, figures=True)``.  The committed reports'
JSON files read back and write again byte for byte (the proof that the contract changed no report).
"""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path

import pytest

from theory.audit import AuditResult, write_audit_report
from theory.audit_certificate import AuditCertificateResult, write_audit_certificate_report
from theory.lower_bounds import LowerBoundResult, lower_bound
from theory.report import Provenance
from theory.scaling import ScalingResult, Verdict, write_scaling_report
from theory.sequential_soundness import SequentialSoundnessResult, write_sequential_soundness_report
from theory.soundness import SoundnessResult, write_soundness_report

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"

RESULTS = [AuditResult, AuditCertificateResult, LowerBoundResult, ScalingResult, SequentialSoundnessResult,
           SoundnessResult]
WRITERS = [write_audit_report, write_audit_certificate_report, write_scaling_report,
           write_sequential_soundness_report, write_soundness_report]


def check_result_class(cls) -> None:
    """``to_json(self, path) -> Path`` and the classmethod ``from_json(path)``."""
    to_json = inspect.signature(cls.to_json)
    assert list(to_json.parameters) == ["self", "path"], (cls.__name__, to_json)
    assert to_json.parameters["path"].default is inspect.Parameter.empty, cls.__name__
    assert to_json.return_annotation in (Path, "Path"), (cls.__name__, to_json.return_annotation)
    assert isinstance(inspect.getattr_static(cls, "from_json"), classmethod), cls.__name__
    assert list(inspect.signature(cls.from_json).parameters) == ["path"], cls.__name__


def check_writer(fn) -> None:
    """``write_X_report(result, out_dir, *, json_path=None, figures=True, ...)``."""
    ps = inspect.signature(fn).parameters
    positional = [n for n, p in ps.items() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert len(positional) == 2 and positional[1] == "out_dir", (fn.__name__, positional)
    assert ps["json_path"].kind is inspect.Parameter.KEYWORD_ONLY and ps["json_path"].default is None, fn.__name__
    assert ps["figures"].kind is inspect.Parameter.KEYWORD_ONLY and ps["figures"].default is True, fn.__name__
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for n, p in ps.items() if n not in positional), fn.__name__


def check_round_trip(result, tmp_path: Path, *, same=None) -> None:
    """``to_json`` returns the path it wrote, ``from_json`` reads back the same result (``same`` compares when
    NaN makes ``==`` false), and a JSON list in its place is a ValueError naming the file."""
    cls = type(result)
    path = tmp_path / f"{cls.__name__}.json"
    written = result.to_json(path)
    assert isinstance(written, Path) and written == path and path.is_file()
    back = cls.from_json(path)
    assert (same or (lambda a, b: a == b))(back, result), cls.__name__
    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ValueError, match="list.json"):
        cls.from_json(bad)


@pytest.mark.parametrize("cls", RESULTS, ids=lambda c: c.__name__)
def test_result_classes_have_the_json_contract(cls):
    check_result_class(cls)


@pytest.mark.parametrize("fn", WRITERS, ids=lambda f: f.__name__)
def test_writers_have_the_common_signature(fn):
    check_writer(fn)


def _exceeding_audit() -> AuditCertificateResult:
    """1.05 x Cohen et al.'s radius: exceeds the tight radius everywhere (a witness, from_one_minus_pA = 1/2)."""
    from theory.audit_certificate import audit_certificate
    from theory.audit_examples import cohen_scaled

    return audit_certificate(lambda pA, pB, sigma, d: cohen_scaled(pA, pB, sigma, d, scale=1.05),
                             mechanism="gaussian", norm="l2", simulate=False, grid=12, multiclass=False)


def _small_results():
    yield AuditResult(title="t", command="python -m theory audit", thorough=False, python="3.11", claims=(),
                      counts_printed=(("holds", 1),), counts_best=(("holds", 1),), proof_steps=({"id": "p"},),
                      hidden_conditions=(), claim_witnesses=(), summary_lines=("one line",), seconds=1.5,
                      soundness={"c11": {"exceeds": True}}, provenance=Provenance("python -m theory audit"),
                      followup_lines=("| a |",)), None
    yield _exceeding_audit(), None
    # no mechanism: best_mechanism_alpha is nan (written "nan", read back as a float nan)
    yield lower_bound("T16", d=100, eps=1.0, with_mechanism=False), \
        (lambda a, b: a.to_dict() == b.to_dict() and math.isnan(a.best_mechanism_alpha))
    yield ScalingResult(command="python -m theory scaling", settings={"dims": [10, 100]}, noise={}, noise_fits={},
                        radii={"sigma": {"inf": float("inf")}}, optimality={}, ratio_vs_d={}, statements={},
                        figures={}, verdicts=(Verdict("T15", "E‖z‖∞ = dσ", "4/4", "agrees"),), runtime_s=0.5,
                        provenance=Provenance("python -m theory scaling", seed=0)), \
        (lambda a, b: a.to_dict() == b.to_dict())
    yield _small_sequential_soundness(), None


def _small_sequential_soundness() -> SequentialSoundnessResult:
    """Both routes at a small cap (about a second): exact rows (the sequential rule, the peeking bug, radius mode),
    exact rows 'at the cap' and Monte Carlo settings in target and radius mode."""
    from theory import sequential_soundness as S

    ex = S.exact_table(budget=200, batch=50, levels=[0.1], alphas=[0.05], radius_p=[0.9])
    cap = S.exact_cap_table(budget=2000, batch=200, alpha=0.05, sigmas=[1.0], radii=[0.5], radius_p=[0.9])
    mc = S.monte_carlo_table(budget=2000, batch=200, alpha=0.05, trials=2000, sigmas=[1.0], radii=[0.5, 1.0],
                             radius_p=[0.9])
    return S.SequentialSoundnessResult("python -m theory soundness-sequential", 0.05, 2000, 0, 1 - 1e-6, "bound",
                                       tuple(ex), tuple(cap), tuple(mc), True, True, 2.5)


@pytest.mark.parametrize("i", range(5))
def test_small_results_round_trip_through_a_file(i, tmp_path):
    result, same = list(_small_results())[i]
    check_round_trip(result, tmp_path, same=same)


@pytest.mark.parametrize("cls,name", [(AuditResult, "audit.json"), (SoundnessResult, "soundness.json"),
                                      (ScalingResult, "scaling.json")]
                         + [(AuditCertificateResult, f"audit_certificate/{p.name}")
                            for p in sorted((REPORTS / "audit_certificate").glob("audit_certificate_*.json"))])
def test_committed_report_json_reads_and_writes_back_byte_identically(cls, name, tmp_path):
    """The committed JSON is what ``to_json`` writes for what ``from_json`` reads: the contract changed no byte."""
    committed = REPORTS / name
    result = cls.from_json(committed)
    out = result.to_json(tmp_path / "again.json")
    assert out.read_bytes() == committed.read_bytes()
    assert cls.from_json(out) == result


def check_sequential_soundness_report(folder: Path, tmp_path: Path) -> None:
    """``folder``'s sequential_soundness.json read through ``from_json`` and written again by
    ``write_sequential_soundness_report`` is the same JSON and the same Markdown, byte for byte."""
    from theory.sequential_soundness import render_markdown

    res = SequentialSoundnessResult.from_json(folder / "sequential_soundness.json")
    assert render_markdown(res) == (folder / "sequential_soundness.md").read_text()
    md, js = write_sequential_soundness_report(res, tmp_path / "again")
    for got in (md, js):
        assert got.read_bytes() == (folder / got.name).read_bytes(), got.name


def test_committed_sequential_soundness_report_renders_from_its_json(tmp_path):
    """reports/sequential_soundness.*: JSON and Markdown again from the committed JSON (the report contract
    changed no byte).  A JSON written before the exact real-cap route (no ``exact_cap``) predates the code and is
    skipped, by name, until the report is regenerated."""
    if "exact_cap" not in json.loads((REPORTS / "sequential_soundness.json").read_text()):
        pytest.skip("reports/sequential_soundness.json predates the exact real-cap route: regenerate it with "
                    "python -m theory soundness-sequential --out reports")
    check_sequential_soundness_report(REPORTS, tmp_path)


def test_sequential_soundness_report_writes_renders_and_reads_back(tmp_path):
    """A small result through the writer: the files written read back equal and re-render byte for byte; the
    Monte Carlo rows carry their derived lower bounds; ``json_path`` moves the JSON."""
    res = _small_sequential_soundness()
    md, js = write_sequential_soundness_report(res, tmp_path / "r")
    assert (md.name, js.name) == ("sequential_soundness.md", "sequential_soundness.json")
    assert SequentialSoundnessResult.from_json(js) == res
    check_sequential_soundness_report(tmp_path / "r", tmp_path)
    from scipy.stats import binom

    rows = json.loads(js.read_text())["monte_carlo"]
    assert [r["refutes"] for r in rows] == [False] * 3
    for r in rows:  # Clopper-Pearson lower bound L at 1 - 1e-6: P(Binomial(n, L) >= k) = 1e-6 (binomial tail route)
        for k, lo in zip(r["false"], r["ci_lower"], strict=True):
            assert lo == 0.0 if k == 0 else binom.sf(k - 1, r["trials"], lo) == pytest.approx(1e-6, rel=1e-6)
    text = md.read_text()
    assert "| target | 0.05 | 0.1 |" in text and "(**> α**)" in text and "| 2,000 | 12 |" in text
    _, js2 = write_sequential_soundness_report(res, tmp_path / "s", json_path=tmp_path / "j" / "x.json")
    assert js2 == tmp_path / "j" / "x.json" and not (tmp_path / "s" / "sequential_soundness.json").exists()


def test_audit_certificate_markdown_renders_from_the_committed_json():
    """The audit-certificate example reports (not covered by check-reports): Markdown re-rendered from the
    committed JSON is the committed Markdown (tables through md_table/fmt, n_min a property of the result)."""
    from theory.audit_certificate import _markdown

    folder = REPORTS / "audit_certificate"
    for js in sorted(folder.glob("audit_certificate_*.json")):
        res = AuditCertificateResult.from_json(js)
        label = js.stem.removeprefix("audit_certificate_")
        witness = f"reports/audit_certificate/witness_{label}.json" if res.witness is not None else None
        assert _markdown(res, witness) == js.with_suffix(".md").read_text(), js.name


def test_audit_certificate_writer_json_path_and_witness(tmp_path):
    res = _exceeding_audit()
    paths = write_audit_certificate_report(res, tmp_path / "o", json_path=tmp_path / "elsewhere" / "r.json")
    assert paths["json"] == str(tmp_path / "elsewhere" / "r.json")
    assert AuditCertificateResult.from_json(paths["json"]) == res
    assert Path(paths["witness"]).is_file()
    assert not list((tmp_path / "o").glob("audit_certificate_*.json"))
    assert res.n_min == math.ceil(math.log(0.001) / math.log1p(-res.from_one_minus_pA))


def test_md_table_alignment_row_and_its_bad_input():
    """Right-aligned columns (``---:``), as the empirical reports print them; a wrong ``align`` is a ValueError
    naming it."""
    from theory.report import md_table

    assert md_table(["a", "b"], [[1, 2]], align="rl").split("\n")[1] == "|---:|---|"
    assert md_table(["a", "b"], [[1, 2]]).split("\n")[1] == "|---|---|"
    for bad in ("r", "lrx", "lx"):
        with pytest.raises(ValueError, match="align"):
            md_table(["a", "b"], [[1, 2]], align=bad)
