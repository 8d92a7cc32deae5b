"""`python -m empirical analyze` / :func:`empirical.analyze` (module empirical.analysis; issue 20.8): certified
accuracy vs radius of one's own certify runs.  The oracle: a hand-built TSV whose table is computed here
independently (plain counting loops over the rows, and for the first file fractions worked out by hand)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from empirical.analysis import AnalyzeResult, analyze, certified_accuracy, nice_grid, render_markdown
from empirical.certify_tsv import metadata_line
from empirical.cli import main

HEADER = ["idx", "label", "predict", "radius", "correct", "time", "radius_cohen", "radius_t18_linf_c1"]
# idx label predict correct radius_cohen radius_t18_linf_c1
ROWS = [(0, 1, 1, 1, 0.80, 0.010),
        (1, 2, 2, 1, 0.25, 0.003),
        (2, 0, 1, 0, 1.50, 0.020),   # wrong prediction with a large radius: never certified-correct
        (3, 1, -1, 0, 0.0, 0.0),     # abstain
        (4, 3, 3, 1, 0.50, 0.0),     # l2 certificate, nothing in l_inf
        (5, 2, 2, 1, float("inf"), 0.004)]
META = {"format": 1, "mechanism": "gaussian", "sigma": 0.25, "n0": 100, "n": 1000, "alpha": 0.001, "batch": 100,
        "seed": 0, "d": 64, "num_classes": 10, "dataset": "digits", "split": "test", "num_examples": 360, "skip": 45,
        "max": None, "model_sha256": "0" * 64}


def _write(path, rows=ROWS, meta=META, header=HEADER):
    lines = ["\t".join(header)]
    if meta is not None:
        lines.append(metadata_line(meta))
    for i, lab, pred, ok, r2, rinf in rows:
        vals = {"idx": i, "label": lab, "predict": pred, "radius": r2, "correct": ok, "time": "0:00:01",
                "radius_cohen": r2, "radius_t18_linf_c1": rinf}
        lines.append("\t".join(str(vals[h]) for h in header))
    path.write_text("\n".join(lines) + "\n")
    return path


def _oracle(rows, col, r):
    """Certified accuracy by counting (Cohen et al.'s definition), as a Fraction."""
    k = 4 if col == "radius_cohen" else 5
    return Fraction(sum(1 for row in rows if row[3] == 1 and row[k] >= r), len(rows))


def test_table_matches_hand_computed_fractions(tmp_path):
    p = _write(tmp_path / "a.tsv")
    res = analyze([p], radii={"l2": [0, 0.25, 0.5, 0.8, 1.0, 2.0], "linf": [0, 0.003, 0.004, 0.01, 0.02]})
    run = res.runs[0]
    assert set(run.columns) == {"radius_cohen", "radius_t18_linf_c1"}  # the header's certificate columns
    # by hand: correct rows 0, 1, 4, 5 with l2 radii 0.8, 0.25, 0.5, inf (the wrong row 2's 1.5 never counts)
    assert run.columns["radius_cohen"].accuracy == (4 / 6, 4 / 6, 3 / 6, 2 / 6, 1 / 6, 1 / 6)
    # l_inf radii of the correct rows: 0.010, 0.003, 0.0, 0.004
    assert run.columns["radius_t18_linf_c1"].accuracy == (4 / 6, 3 / 6, 2 / 6, 1 / 6, 0.0)
    assert run.columns["radius_cohen"].acr == float("inf")
    assert run.columns["radius_t18_linf_c1"].acr == pytest.approx((0.010 + 0.003 + 0.004) / 6, rel=1e-12)
    assert run.columns["radius_cohen"].max_radius == 0.8  # largest finite radius of a correct row
    assert run.accuracy == 4 / 6 and run.abstain == 1 / 6
    assert run.expected == 8 and run.rows == 6  # 360 examples, every 45th
    assert run.metadata["d"] == 64


def test_default_grid_and_curve_agree_with_counting(tmp_path):
    rows = [(i, i % 3, i % 3 if i % 4 else 9, int(i % 4 != 0), round(0.05 * ((7 * i) % 23), 2),
             round(0.001 * ((5 * i) % 11), 3)) for i in range(40)]
    p = _write(tmp_path / "b.tsv", rows=rows)
    res = analyze([p])
    for col, norm in (("radius_cohen", "l2"), ("radius_t18_linf_c1", "linf")):
        c = res.runs[0].columns[col]
        assert c.radii == res.grids[norm] and c.radii[0] == 0.0
        top = max(row[4 if norm == "l2" else 5] for row in rows if row[3] == 1)
        assert c.radii[-1] >= top > c.radii[-2]  # the grid reaches the largest certified radius
        for r, a in zip(c.radii, c.accuracy, strict=True):
            assert a == pytest.approx(float(_oracle(rows, col, r)), abs=1e-15)
        for r, a in c.curve:  # the exact step curve at its breakpoints
            assert a == pytest.approx(float(_oracle(rows, col, r)), abs=1e-15)


def test_certified_accuracy_is_inclusive_like_cohen():
    assert certified_accuracy([1], [0.5], [0.5, 0.5000001]).tolist() == [1.0, 0.0]
    assert certified_accuracy([], [], [0.0]).tolist() == [0.0]


def test_nice_grid():
    g = nice_grid(1.37)
    assert g[0] == 0 and g[-1] >= 1.37 > g[-2] and len(g) <= 9
    assert nice_grid(0.0) == (0.0,) and nice_grid(float("inf")) == (0.0,)


def test_cohen_log_without_metadata_and_two_files(tmp_path):
    a = _write(tmp_path / "a.tsv")
    cohen = _write(tmp_path / "cohen.tsv", meta=None, header=HEADER[:6])
    res = analyze([a, cohen], radii={"l2": [0, 0.5]})
    assert list(res.runs[1].columns) == ["radius"] and res.runs[1].metadata is None
    assert res.runs[1].columns["radius"].accuracy == (4 / 6, 3 / 6)
    md = render_markdown(res)
    assert "no metadata line" in md and "is incomplete: 6 of the 8" in md
    assert "| a.tsv (σ = 0.25, gaussian) | `radius_cohen` | 0.667 | 0.500 |" in md, md


@pytest.mark.parametrize("text,needle", [
    ("idx\tcorrect\tradius\n0\t1\t0.5\n0\t1\t0.7\n", "line 3: idx 0 repeats line 2"),
    ("idx\tcorrect\n0\t1\n", "lacks the column(s) ['radius']"),
    ("idx\tcorrect\tradius\n0\t2\t0.5\n", "line 2: correct must be 0 or 1"),
    ("idx\tcorrect\tradius\n0\t1\tnan\n", "line 2: radius must be >= 0"),
    ("idx\tcorrect\tradius\n", "holds no rows"),
])
def test_bad_files_named_with_line(tmp_path, text, needle):
    p = tmp_path / "bad.tsv"
    p.write_text(text)
    with pytest.raises(ValueError, match="bad.tsv") as e:
        analyze([p])
    assert needle in str(e.value)


def test_cli_tables_json_and_report(tmp_path, capsys):
    p = _write(tmp_path / "a.tsv")
    assert main(["analyze", str(p), "--radii", "0,0.5", "--radii-linf", "0,0.004"]) == 0
    out = capsys.readouterr().out
    assert "## ℓ2 certificates" in out and "## ℓ∞ certificates" in out and "| 0.667 | 0.500 |" in out
    assert main(["analyze", str(p), "--radii", "0,0.5", "--json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert js["runs"][0]["columns"]["radius_cohen"]["accuracy"] == [4 / 6, 3 / 6]
    d = tmp_path / "rep"
    assert main(["analyze", str(p), "--out", str(d), "--name", "mine"]) == 0
    assert (d / "mine.md").is_file() and (d / "mine_l2.png").is_file() and (d / "mine_linf.png").is_file()
    assert main(["analyze", str(p), "--out", str(d), "--json-out", str(tmp_path / "elsewhere.json"),
                 "--no-figures"]) == 0
    assert AnalyzeResult.from_json(tmp_path / "elsewhere.json").grids == analyze([p]).grids
    back = AnalyzeResult.from_json(d / "mine.json")
    assert back.runs[0].columns["radius_cohen"].accuracy == analyze([p]).runs[0].columns["radius_cohen"].accuracy
    capsys.readouterr()
    for bad, needle in ((["--radii", "0,-1"], "radii"), (["--radii", "a"], "radii"), (["--name", "../x"], "name")):
        assert main(["analyze", str(p), "--out", str(d), *bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"error: {needle}" in err, err
    assert main(["analyze", str(tmp_path / "missing.tsv")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["analyze", "--help"])
    assert e.value.code == 0 and "Certified accuracy vs radius" in capsys.readouterr().out


def test_analyze_a_real_certify_run_on_synthetic_data(tmp_path):
    """The certify -> analyze path on a data set replay does not know (d from the metadata, no --dim)."""
    import torch

    from empirical.certify import certify_dataset, read_tsv
    from empirical.data import load_dataset
    from empirical.models import build_model

    split = load_dataset("synthetic:12:2", "test")
    torch.manual_seed(0)
    out = tmp_path / "r.tsv"
    certify_dataset(build_model("bayes", split.info).eval(), split, "gaussian", 0.5, 10, 200, 0.001, 100, range(8),
                    out, device="cpu", progress=False)
    res = analyze([out])
    run = res.runs[0]
    assert run.metadata["d"] == 12 and set(run.columns) == {c for c in read_tsv(out)[0] if c.startswith("radius_")}
    rows = read_tsv(out)
    for c in run.columns.values():
        for r, a in zip(c.radii, c.accuracy, strict=True):
            assert a == sum(int(x["correct"]) == 1 and float(x[c.column]) >= r for x in rows) / len(rows)


def test_public_name_without_torch_import(tmp_path):
    """``empirical.analyze`` is the function (lazy, like the package's other names) and reads without torch."""
    import subprocess
    import sys
    from pathlib import Path

    p = _write(tmp_path / "a.tsv")
    code = ("import sys, empirical; r = empirical.analyze([sys.argv[1]], radii={'l2': [0.5]}); "
            "print(r.runs[0].columns['radius_cohen'].accuracy, 'torch' in sys.modules)")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True, cwd=str(root),
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["(0.5,)", "False"]
