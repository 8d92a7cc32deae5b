"""empirical.sequential_report (issue 21): the summary numbers from TSV rows, the simulation on a certify log,
the report files, and the command's input errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from empirical import sequential_report as R


def _rows(fixed, target, radius):
    f = [dict(idx=str(i), correct=c, radius=str(r), seconds=2.0) for i, (c, r) in enumerate(fixed)]
    t = [dict(idx=str(i), correct=c, radius="0", seconds=0.1, forward_passes=str(fp),
              **{f"certified_R{R:g}": ok[j] for j, R in enumerate(R.TARGETS)},
              **{f"decided_at_R{R:g}": "64" for R in R.TARGETS}) for i, (c, fp, ok) in enumerate(target)]
    r = [dict(idx=str(i), correct=c, radius=str(rr), seconds=1.0, forward_passes=str(fp))
         for i, (c, rr, fp) in enumerate(radius)]
    return {"meta": {"test_acc_clean": 0.9}, "runs": {"fixed": f, "target": t, "radius": r}}


def test_summary_numbers_by_hand():
    res = _rows(fixed=[("1", 0.8), ("1", 0.3), ("0", 0.9), ("1", 0.0)],
                target=[("1", 1100, "1110"), ("1", 100, "1000"), ("0", 100, "1111"), ("1", 100, "0000")],
                radius=[("1", 0.76, 50_100), ("1", 0.3, 20_100), ("0", 0.9, 100), ("1", 0.0, 100)])
    s = R.summarise(0.5, res, n0=100, n=100_000)
    assert s["fixed"]["certified_accuracy"]["0.25"] == 0.5 and s["fixed"]["certified_accuracy"]["0.75"] == 0.25
    t = s["target"]
    assert t["mean_forward_passes"] == 350 and t["fewer"] == 100_100 / 350 and t["median_forward_passes"] == 100
    assert t["certified_accuracy"]["0.25"] == 0.5 and t["certified_accuracy"]["0.75"] == 0.25  # wrong class never
    assert t["accuracy_difference_points"]["0.5"] == pytest.approx(100 * (0.25 - 0.25))
    r = s["radius"]
    # ratios over the fixed radii > 0: 0.76/0.8, 0.3/0.3, 0.9/0.9 -> median 1.0
    assert r["ratio_points"] == 3 and r["median_radius_ratio"] == 1.0 and r["mean_forward_passes"] == 17_600


def test_simulation_on_a_log_and_report_files(tmp_path):
    log = tmp_path / "log.tsv"
    lines = ["idx\tlabel\tpredict\tradius\tcorrect\ttime"]
    lines += [f"{i}\t1\t1\t{r}\t1\t1.0" for i, r in enumerate([1.9, 1.9, 0.3, 0.05])] + ["4\t1\t-1\t0.0\t0\t1.0"]
    log.write_text("\n".join(lines) + "\n")
    m = R.simulate_from_log(log, 0.5, n=5000, batch=1000, seed=1)
    assert m["points"] == 5 and m["target"]["fewer"] > 1 and m["radius"]["fewer"] >= 1
    assert m["fixed"]["certified_accuracy"]["1"] <= 0.4      # at most the two pA = Phi(3.8) rows reach R = 1
    res = _rows(fixed=[("1", 0.8)], target=[("1", 1100, "1110")], radius=[("1", 0.76, 50_100)])
    rep = {"command": "x", "n0": 100, "n": 100_000, "alpha": 0.001, "batch": 256, "seed": 0, "points": 1,
           "targets": list(R.TARGETS), "fraction": 0.05, "goals": R.GOALS, "machine": "m", "load_start": 1,
           "load_end": 1, "scale_note": "cut", "simulations": [m],
           "sigmas": [R.summarise(0.5, res, n0=100, n=100_000)]}
    paths = R.write_sequential_report(R.SequentialReportResult.from_dict(rep), tmp_path / "out", figures=False)
    md = paths[0].read_text()
    assert "short of ≥ 20×" not in md and "meets ≥ 20×" in md and "Cohen et al.'s published pA profile" in md
    assert json.loads(paths[1].read_text())["sigmas"][0]["target"]["fewer"] == pytest.approx(100_100 / 1100)


@pytest.mark.parametrize("argv,msg", [(["--model", "x=ck.pt"], "SIGMA=CHECKPOINT"),
                                      (["--model", "0.5=/nonexistent.pt"], "not found"),
                                      (["--model", "0.5=/nonexistent.pt", "--modes", "target"], "fixed")])
def test_command_input_errors(argv, msg, capsys):
    from empirical.cli import main

    assert main(["sequential-report", *argv]) == 2
    assert msg in capsys.readouterr().err


def test_goals_are_the_issue_targets():
    assert R.GOALS == {"target_fewer": 20.0, "target_acc_points": 1.0, "radius_fewer": 3.0,
                       "radius_median_ratio": 0.95}
    assert np.isclose(sum(R.TARGETS), 2.5)


def test_command_wires_its_arguments_through(tmp_path, monkeypatch, capsys):
    """The command only parses: every model (with its @POINTS), log and fraction reaches
    compute_sequential_report, and write_sequential_report writes what the JSON says (the models' runs replaced
    by fixed rows)."""
    from empirical.cli import main

    seen = []

    def fake_run_model(sigma, path, *, points, n0, n, **kw):
        seen.append((sigma, path, points, n0, n, kw["batch"], kw["fraction"], tuple(kw["modes"])))
        return _rows(fixed=[("1", 0.8)], target=[("1", 1100, "1110")], radius=[("1", 0.76, 50_100)])

    monkeypatch.setattr(R, "run_model", fake_run_model)
    ck, log = tmp_path / "m.pt", tmp_path / "log.tsv"
    ck.write_bytes(b"x")
    log.write_text("idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t1\t1\t1.9\t1\t1.0\n1\t1\t-1\t0.0\t0\t1.0\n")
    out = tmp_path / "out"
    assert main(["sequential-report", "--model", f"0.5={ck}", "--model", f"1={ck}@7", "--cohen-log", f"0.25={log}",
                 "--cohen-fractions", "0.05", "0.1", "--n", "5000", "--batch", "500", "--points", "3",
                 "--no-compile", "--scale-note", "cut", "--out", str(out), "--work", str(tmp_path / "w"),
                 "--quiet"]) == 0
    assert seen == [(0.5, str(ck), 3, 100, 5000, 500, 0.05, ("fixed", "target", "radius")),
                    (1.0, str(ck), 7, 100, 5000, 500, 0.05, ("fixed", "target", "radius"))]
    res = R.SequentialReportResult.from_json(out / "sequential.json")
    assert (res.n, res.batch, res.points, res.scale_note) == (5000, 500, 3, "cut")
    assert [s["sigma"] for s in res.sigmas] == [0.5, 1.0]
    assert [(m["sigma"], m["fraction"]) for m in res.simulations] == [(0.25, 0.05), (0.25, 0.1)]
    assert sorted(p.name for p in out.iterdir()) == ["sequential.json", "sequential.md", "sequential_accuracy.png",
                                                      "sequential_samples.png"]
    assert res.to_dict()["verdicts"][0] in capsys.readouterr().out
