"""Replay of Cohen et al. (2019)-format certification logs (empirical.replay, `python -m empirical replay`).

Reference values come from independent routes: Python's own ``'{:.3}'`` formatting (the printed
precision), scipy.stats.beta / norm for the synthetic logs' pA_lower and radii, and mpmath closed forms
of C11 (sqrt(eps) = log(pA/(1-pA)) / (2(1+c)), r = sqrt(2 eps) sigma) computed at 30 digits from the
printed radius.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from empirical import replay as R
from empirical.cli import main as cli_main
from empirical.replay_report import render_markdown, write_replay_report
from empirical.replay_result import ReplayResult, compute_replay, run_replay

CIFAR_LOGS = "cohen2019-certify/cifar10"


def _write_log(path, rows, time_fmt="float"):
    """rows: (idx, label, predict, radius_float_or_None, correct)."""
    lines = ["idx\tlabel\tpredict\tradius\tcorrect\ttime"]
    for idx, label, pred, rad, corr in rows:
        t = "0:00:01.500000" if time_fmt == "timedelta" else "1.5"
        lines.append(f"{idx}\t{label}\t{pred}\t{'0.0' if rad is None else format(rad, '.3')}\t{corr}\t{t}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _synthetic_rows(sigma, n, alpha, counts, seed=0):
    """A log as CERTIFY would print it for the given estimation counts nA (scipy reference)."""
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for i, k in enumerate(counts):
        p = 0.0 if k == 0 else float(stats.beta.ppf(alpha, k, n - k + 1))
        label = int(rng.integers(0, 10))
        if p < 0.5:
            rows.append((i, label, -1, None, 0))
            truth.append(None)
        else:
            corr = int(rng.random() < 0.8)
            pred = label if corr else (label + 1) % 10
            rows.append((i, label, pred, sigma * float(stats.norm.ppf(p)), corr))
            truth.append(p)
    return rows, truth


# ---------------------------------------------------------------------------------------------
# printed precision: Python's formatter is the reference
# ---------------------------------------------------------------------------------------------
@given(st.floats(min_value=1e-7, max_value=1e3, allow_nan=False, allow_infinity=False))
def test_printed_interval_contains_every_value_that_prints_the_same(x):
    s = format(x, ".3")
    lo, hi = R.printed_interval(s)
    # endpoints are decimal ties computed in Decimal then rounded to float: 1 ulp of slack
    assert lo * (1 - 1e-15) <= x <= hi * (1 + 1e-15)
    # and the interval is not wider than needed: just outside, the value prints differently
    w = hi - lo
    assert format(hi + 1e-6 * w, ".3") != s
    assert format(lo - 1e-6 * w, ".3") != s


def test_printed_interval_examples_and_power_of_ten_edge():
    assert R.printed_interval("0.486") == pytest.approx((0.4855, 0.4865), abs=1e-15)
    assert R.printed_interval("1.0") == pytest.approx((0.9995, 1.005), abs=1e-15)  # 0.9996 prints as 1.0
    assert format(0.9996, ".3") == "1.0"
    assert R.printed_interval("1.1e-05") == pytest.approx((1.095e-05, 1.105e-05), rel=1e-12)
    assert R.printed_interval("0.0") == (0.0, 0.0)
    for bad in ("-1", "nan", "abc", "inf"):
        with pytest.raises(ValueError, match="value"):
            R.printed_interval(bad)


def test_recover_pA_is_phi_of_radius_over_sigma_with_exact_tail():
    rec = R.recover_pA_lower([0.0, 0.5, 10.0], 0.25)
    ref = [mpmath.ncdf(x / 0.25) for x in (0.0, 0.5, 10.0)]
    assert rec["pA"][:2] == pytest.approx([float(v) for v in ref[:2]], rel=1e-14)
    # 1 - pA at R/S = 40: 3.7e-350 underflows; log form stays exact
    assert rec["log_one_minus_pA"][2] == pytest.approx(float(mpmath.log(mpmath.ncdf(-40))), rel=1e-12)
    with pytest.raises(ValueError, match="sigma"):
        R.recover_pA_lower([0.1], 0.0)
    with pytest.raises(ValueError, match="radius"):
        R.recover_pA_lower([-0.1], 1.0)


# ---------------------------------------------------------------------------------------------
# a generated log with known pA_lower
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def synthetic_log(tmp_path):
    sigma, n, alpha = 0.5, 1000, 0.001
    counts = [0, 400, 520, 600, 700, 800, 900, 950, 990, 999, 1000, 1000, 750, 850, 930]
    rows, truth = _synthetic_rows(sigma, n, alpha, counts)
    path = _write_log(tmp_path / "noise_0.50_sigma_0.50.tsv", rows, time_fmt="timedelta")
    return path, sigma, n, alpha, truth


def _c11_closed_form(p, sigma, c):
    p = mpmath.mpf(p)
    return float(mpmath.sqrt(2) * sigma * mpmath.log(p / (1 - p)) / (2 * (1 + c)))


def test_replay_recovers_pA_and_every_radius_interval_contains_the_truth(synthetic_log):
    path, sigma, n, alpha, truth = synthetic_log
    log = R.read_cohen_log(path)
    assert (log.train_sigma, log.cert_sigma) == (0.5, 0.5)
    assert log.time[0] == pytest.approx(1.5)  # timedelta time column
    res = R.replay_log(log, d=3072)
    for i, p in enumerate(truth):
        if p is None:
            assert log.predict[i] == -1 and np.isnan(res.pA[i])
            assert all(res.radii[c][i] == 0.0 for c in res.columns)
            continue
        assert res.pA_lo[i] <= p <= res.pA_hi[i]
        for c, col in ((1.0, "radius_c11_c1"), (3.0, "radius_c11_c3")):
            r = _c11_closed_form(p, sigma, c)
            assert res.radii_lo[col][i] * (1 - 1e-12) <= r <= res.radii_hi[col][i] * (1 + 1e-12)
        r = sigma * float(stats.norm.ppf(p))
        assert res.radii_lo["radius_cohen"][i] * (1 - 1e-12) <= r <= res.radii_hi["radius_cohen"][i] * (1 + 1e-12)
        rl = r / math.sqrt(3072)
        lo_l, hi_l = res.radii_lo["radius_cohen_linf"][i], res.radii_hi["radius_cohen_linf"][i]
        assert lo_l * (1 - 1e-12) <= rl <= hi_l * (1 + 1e-12)


def test_certified_accuracy_counts_abstentions_and_errors_as_failures(synthetic_log):
    path, *_ = synthetic_log
    log = R.read_cohen_log(path)
    res = R.replay_log(log, d=3072)
    # Cohen's radius recomputed at the printed value is the printed value: accuracy = direct count on the file
    act = log.predict != -1
    assert res.radii["radius_cohen"][act] == pytest.approx(log.radius[act], rel=1e-12)
    assert np.all(res.radii["radius_cohen"][~act] == 0.0)
    for r in (0.0, 0.25, 0.5, 1.0):
        direct = float(np.mean((log.correct == 1) & (log.radius >= r) & act))
        lo, hi = (res.certified_accuracy("radius_cohen", r, w)[0] for w in ("lo", "hi"))
        assert lo <= direct <= hi


def test_log_consistency_detects_rows_beyond_the_stated_level(tmp_path):
    sigma, n = 0.25, 1000
    rows, _ = _synthetic_rows(sigma, n, 0.01, [1000, 1000, 999, 600], seed=1)  # certified at alpha = 0.01
    path = _write_log(tmp_path / "x.tsv", rows)
    log = R.read_cohen_log(path)
    ok = R.log_consistency(log, sigma, n=n, alpha=0.01)
    assert ok["rows_above_max"] == 0
    bad = R.log_consistency(log, sigma, n=n, alpha=0.001)  # claimed alpha = 0.001: the n/n rows are impossible
    assert bad["rows_above_max"] >= 2
    assert bad["first_row_above_max"]["idx"] == 0
    lo, hi = bad["implied_alpha_if_all_n"]
    assert lo <= 0.01 <= hi


def test_report_sentences_use_the_stated_n_alpha_and_measure_every_radius(tmp_path):
    """The consistency finding and the precision sentence are computed: the report names the --n/--alpha
    it was given (not 100,000 / 0.001), the needed n solves alpha^(1/n) = Phi(R_lo/S) (scipy reference), and
    the precision summary measures every recomputed radius column."""
    sigma, n = 0.25, 1000
    rows, _ = _synthetic_rows(sigma, n, 0.01, [1000, 1000, 999, 600], seed=1)
    path = _write_log(tmp_path / "noise_0.25_sigma_0.25.tsv", rows)
    s = run_replay([path], out=tmp_path / "o", n=n, alpha=0.001, name="t", d=784, progress=False)
    md = (tmp_path / "o" / "t.md").read_text()
    assert "not reachable with n = 1,000 and α = 0.001" in md
    grid_free = md.replace(next(x for x in md.split("\n") if x.startswith("Searching n ∈")), "")
    assert "100,000" not in grid_free and "150,000" not in md and "α ≈ 0.01" not in md
    # the identification finds the level the synthetic log was made with (alpha = 0.01, n = 1000)
    assert "identify n = 1,000, α = 0.01 for `noise_0.25_sigma_0.25.tsv`" in md
    ck = s["logs"][0]["consistency"]
    top = max(r[3] for r in rows if r[3] is not None)
    lo = R.printed_interval(format(top, ".3"))[0]
    want = math.ceil(math.log(0.001) / math.log(stats.norm.cdf(lo / sigma)))
    assert abs(ck["n_needed_at_alpha"] - want) <= 1 and f"n ≥ {ck['n_needed_at_alpha']:,} draws" in md
    a_lo, a_hi = ck["implied_alpha_if_all_n"]
    assert f"{a_lo:.2g}–{a_hi:.2g}" in md
    pr = s["logs"][0]["precision"]
    res = R.replay_log(R.read_cohen_log(path), d=784)
    assert pr["columns"] == res.columns and len(res.columns) > 3
    assert pr["rel_halfwidth_max"] == max(pr[f"{c}_rel_halfwidth_max"] for c in res.columns)
    assert f"({len(res.columns)} columns, all logs)" in md
    s2 = run_replay([path], out=tmp_path / "o", n=n, alpha=0.01, name="t2", d=784, progress=False)
    md2 = (tmp_path / "o" / "t2.md").read_text()
    assert s2["logs"][0]["consistency"]["rows_above_max"] == 0
    assert "All logs are consistent" in md2 and "not reachable" not in md2 and "Log anomaly" not in md2


def test_read_rejects_bad_logs_with_a_message(tmp_path):
    p = tmp_path / "bad.tsv"
    p.write_text("idx\tlabel\tradius\n0\t1\t0.5\n")
    with pytest.raises(ValueError, match="missing column"):
        R.read_cohen_log(p)
    p.write_text("idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t1\t1\tabc\t1\t1.0\n")
    with pytest.raises(ValueError, match="unparsable"):
        R.read_cohen_log(p)
    p.write_text("idx\tlabel\tpredict\tradius\tcorrect\ttime\n")
    with pytest.raises(ValueError, match="no data rows"):
        R.read_cohen_log(p)
    with pytest.raises(ValueError, match="sigma"):
        R.replay_log(R.read_cohen_log(_write_log(tmp_path / "plain.tsv", [(0, 1, 1, 0.3, 1)])), d=10)
    with pytest.raises(ValueError, match="^d: "):  # no data set in the path and no d: no CIFAR default
        R.replay_log(R.read_cohen_log(_write_log(tmp_path / "noise_1_sigma_1.tsv", [(0, 1, 1, 0.3, 1)])))


def test_cli_writes_report_and_fails_cleanly(synthetic_log, tmp_path, capsys):
    path, *_ = synthetic_log
    out = tmp_path / "rep"
    assert cli_main(["replay", "--log", str(path), "--out", str(out), "--name", "replay_t", "--n", "1000",
                     "--dim", "3072", "--no-progress"]) == 0
    md = (out / "replay_t.md").read_text()
    assert "python -m empirical replay --log" in md and "## Closing note" in md
    assert (out / "replay_t_linf.png").stat().st_size > 1000
    assert cli_main(["replay", "--log", str(path), "--sigma", "0.25", "--dim", "3072", "--no-progress"]) == 2
    assert cli_main(["replay", "--log", str(tmp_path / "missing.tsv")]) == 2
    assert cli_main(["replay", "--log", str(path), "--alpha", "1.5"]) == 2
    err = capsys.readouterr().err
    assert "error: sigma" in err and "error: alpha" in err


# ---------------------------------------------------------------------------------------------
# the real published logs (skipped when ../shared/data is absent)
# ---------------------------------------------------------------------------------------------
@pytest.mark.data
def test_real_log_c11_accuracy_matches_mpmath_closed_form(data_dir):
    path = data_dir / CIFAR_LOGS / "noise_0.50_sigma_0.50.tsv"
    log = R.read_cohen_log(path)
    assert log.n_rows == 500
    res = R.replay_log(log)  # d from the folder name cifar10
    assert res.d == 3072
    mpmath.mp.dps = 30
    act = (log.predict != -1)
    for c, col in ((1.0, "radius_c11_c1"), (3.0, "radius_c11_c3")):
        rc = np.array([_c11_closed_form(mpmath.ncdf(mpmath.mpf(t) / mpmath.mpf("0.5")), 0.5, c) if a else 0.0
                       for t, a in zip(log.radius_text, act, strict=True)])
        for r in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5):
            direct = float(np.mean((log.correct == 1) & act & (rc >= r)))
            lo, hi = res.certified_accuracy(col, r, "lo")[0], res.certified_accuracy(col, r, "hi")[0]
            assert lo <= direct <= hi
    # Cohen's radius recomputed from the recovered pA reprints as the logged text
    reprinted = [format(x, ".3") for x in res.radii["radius_cohen"][act]]
    texts = [t for t, a in zip(log.radius_text, act, strict=True) if a]
    assert sum(a != b for a, b in zip(reprinted, texts, strict=True)) == 0


@pytest.mark.data
def test_real_logs_exceed_the_stated_n_alpha_cap(data_dir):
    """Finding (see reports/empirical/replay_cifar10.md): with n = 100,000 and alpha = 0.001 the largest
    radius is S * Phi^{-1}(alpha^(1/n)) (scipy reference here); noise_0.50_sigma_0.50 prints 1.96 > 1.9057."""
    cap = 0.5 * float(stats.norm.ppf(0.001 ** (1 / 100_000)))
    log = R.read_cohen_log(data_dir / CIFAR_LOGS / "noise_0.50_sigma_0.50.tsv")
    assert np.sum(log.radius - 0.005 > cap) > 0
    ck = R.log_consistency(log, 0.5)
    assert ck["radius_max"] == pytest.approx(cap, rel=1e-9)
    assert ck["rows_above_max"] == int(np.sum(log.radius - 0.005 > cap))
    good = R.read_cohen_log(data_dir / CIFAR_LOGS / "noise_1.00_sigma_0.50.tsv")
    assert R.log_consistency(good, 0.5)["rows_above_max"] == 0


# ---------------------------------------------------------------------------------------------
# generic replay: other data sets, names, layouts, manifests (issue 13 item 5)
# ---------------------------------------------------------------------------------------------
def _ref_radius(k, n, alpha, sigma):
    """Independent route: pA_lower = Beta quantile (scipy), R = sigma Phi^{-1}(pA_lower); None on abstain."""
    p = 0.0 if k == 0 else float(stats.beta.ppf(alpha, k, n - k + 1))
    return None if p < 0.5 else sigma * float(stats.norm.ppf(p))


def _counts_log(path, sigma, n, alpha, counts, *, idx_step=1, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for j, k in enumerate(counts):
        r = _ref_radius(k, n, alpha, sigma)
        label = int(rng.integers(0, 10))
        rows.append((j * idx_step, label, -1 if r is None else label, r, 0 if r is None else 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    return _write_log(path, rows)


TOP = [1000] * 3 + [999] * 2 + [998, 990, 950, 900, 800, 700, 600, 450]


def test_names_layouts_and_dimensions_are_parsed():
    P = R.parse_log_name
    x = P("x/noise_0.25_sigma_0.50.tsv")
    assert (x.sigma, x.train_sigma) == (0.5, 0.25)
    repo = P("data/certify/imagenet/resnet50/noise_1.00/test/sigma_0.50")
    assert (repo.sigma, repo.train_sigma, repo.split, repo.dataset) == (0.5, 1.0, "test", "imagenet")
    assert repo.pattern == "noise_T/SPLIT/sigma_S"
    g = P("runs/mnist_cnn_sigma=0.25.tsv")
    assert (g.sigma, g.train_sigma, g.dataset) == (0.25, None, "mnist")
    y = P("logs/train_sigma_0.5_sigma_1.0.tsv")
    assert (y.sigma, y.train_sigma) == (1.0, 0.5)
    assert P("plain.tsv").sigma is None
    with pytest.raises(ValueError, match="several sigmas"):
        P("sigma_0.25_vs_sigma_0.5.tsv")
    assert R.dataset_from_path("a/CIFAR-10/b.tsv") == "cifar10"


def test_repository_layout_without_extension_is_found_and_replayed(tmp_path):
    root = tmp_path / "certify" / "imagenet" / "resnet50"
    for t, s in ((0.5, 0.5), (0.5, 1.0), (1.0, 1.0)):
        _counts_log(root / f"noise_{t:.2f}" / "test" / f"sigma_{s:.2f}", s, 1000, 0.001, TOP, idx_step=100)
    (root / "README").write_text("not a log\n")
    found = R.find_logs([tmp_path / "certify"])
    assert [f.name for f in found] == ["sigma_0.50", "sigma_1.00", "sigma_1.00"]
    res = compute_replay([tmp_path / "certify"], n=1000, progress=False, command="t")
    assert res.name == "replay_imagenet"
    assert {(e.train_sigma, e.sigma, e.d, e.split) for e in res.logs} == {
        (0.5, 0.5, 150528, "test"), (0.5, 1.0, 150528, "test"), (1.0, 1.0, 150528, "test")}
    md = render_markdown(res)
    assert "√150528 ≈ 388.0" in md and "every 100th example" in md
    # the model certified at two sigmas is the Figure 2 setting
    assert "training σ = 0.5 at σ ∈ {0.5, 1}" in res.text["fig2_intro"]


def test_manifest_json_toml_csv_and_sigma_conflicts(tmp_path):
    a = _counts_log(tmp_path / "logs" / "run_a.tsv", 0.25, 1000, 0.001, TOP)
    b = _counts_log(tmp_path / "logs" / "run_b.tsv", 0.5, 1000, 0.001, TOP)
    (tmp_path / "m.json").write_text('{"logs": [{"path": "logs/run_a.tsv", "sigma": 0.25, "dataset": "mnist"},'
                                     ' {"path": "logs/run_b.tsv", "sigma": 0.5, "d": 100, "train_sigma": 0.5}]}')
    (tmp_path / "m.toml").write_text('[[logs]]\npath = "logs/run_a.tsv"\nsigma = 0.25\ndataset = "mnist"\n')
    (tmp_path / "m.csv").write_text("path,sigma,d\nlogs/run_b.tsv,0.5,100\n")
    specs = R.resolve_logs(manifest=tmp_path / "m.json")
    assert [(s.sigma, s.sigma_source, s.d, s.d_source, s.train_sigma) for s in specs] == [
        (0.25, "manifest", 784, "data set mnist", None), (0.5, "manifest", 100, "manifest", 0.5)]
    assert R.resolve_logs(manifest=tmp_path / "m.toml")[0].d == 784
    assert R.resolve_logs(manifest=tmp_path / "m.csv")[0].sigma == 0.5
    # --sigma only fills files without one; a sigma in a name is never overridden
    assert R.resolve_logs([a], sigma=0.25, d=10)[0].sigma_source == "--sigma"
    named = _counts_log(tmp_path / "noise_0.50_sigma_0.50.tsv", 0.5, 1000, 0.001, TOP)
    with pytest.raises(ValueError, match="sigma: --sigma says 0.25 for 'noise_0.50_sigma_0.50.tsv'"):
        R.resolve_logs([named, a], sigma=0.25, d=10)
    (tmp_path / "bad.json").write_text('[{"path": "noise_0.50_sigma_0.50.tsv", "sigma": 1.0, "d": 10}]')
    with pytest.raises(ValueError, match="the manifest says 1 .*name says 0.5"):
        R.resolve_logs(manifest=tmp_path / "bad.json")
    (tmp_path / "typo.json").write_text('[{"path": "logs/run_a.tsv", "sigam": 1.0}]')
    with pytest.raises(ValueError, match="unknown field"):
        R.read_manifest(tmp_path / "typo.json")
    with pytest.raises(ValueError, match="^sigma: cannot read"):
        R.resolve_logs([b], d=10)
    with pytest.raises(ValueError, match="^d: cannot infer"):
        R.resolve_logs([b], sigma=0.5)
    with pytest.raises(ValueError, match="^d: --dim 5 contradicts"):
        R.resolve_logs(manifest=tmp_path / "m.csv", d=5)
    assert cli_main(["replay", "--manifest", str(tmp_path / "bad.json"), "--no-progress"]) == 2


def test_incomplete_log_is_flagged(tmp_path):
    _counts_log(tmp_path / "mnist" / "noise_0.25_sigma_0.25.tsv", 0.25, 1000, 0.001, TOP)
    _counts_log(tmp_path / "mnist" / "noise_0.50_sigma_0.50.tsv", 0.5, 1000, 0.001, TOP[:9])
    res = compute_replay([tmp_path / "mnist"], n=1000, progress=False, command="t")
    assert [e.incomplete for e in res.logs] == [False, True]
    assert ("`noise_0.50_sigma_0.50.tsv` has 9 rows (idx up to 8; the longest log of its data set has 13)"
            in res.text["closing"])
    assert "9 (incomplete)" in render_markdown(res)


@pytest.mark.parametrize("n,alpha", [(1000, 0.05), (10_000, 0.001), (100_000, 0.01)])
def test_identify_n_alpha_against_scipy(tmp_path, n, alpha):
    """The log is printed from scipy's Beta quantile (independent of theory.certificates); the search must
    name exactly the (n, alpha) used, with the right row counts per level."""
    counts = [n] * 4 + [n - 1] * 3 + [n - 2] + [int(0.9 * n), int(0.7 * n)]
    path = _counts_log(tmp_path / "noise_0.50_sigma_0.50.tsv", 0.5, n, alpha, counts)
    ident = R.identify_n_alpha(R.read_cohen_log(path), 0.5)
    assert ident.identified is not None, ident.matches
    m = ident.identified
    assert (m.n, m.alpha) == (n, alpha)
    assert m.rows_at_level[:3] == (4, 3, 1)
    assert m.printed[0] == format(_ref_radius(n, n, alpha, 0.5), ".3")
    # a log whose rows never reach nA = n is not identified (nothing to match), never guessed
    path2 = _counts_log(tmp_path / "noise_0.50_sigma_0.50b.tsv", 0.5, n, alpha, [int(0.9 * n)] * 3)
    assert R.identify_n_alpha(R.read_cohen_log(path2), 0.5).matches == ()
    # a radius between the printed levels (not producible by any nA) rules the pair out
    rows = [(0, 1, 1, _ref_radius(n, n, alpha, 0.5), 1),
            (1, 1, 1, (_ref_radius(n, n, alpha, 0.5) + _ref_radius(n - 1, n, alpha, 0.5)) / 2, 1)]
    path3 = _write_log(tmp_path / "noise_0.50_sigma_0.50c.tsv", rows)
    between = R.identify_n_alpha(R.read_cohen_log(path3), 0.5)
    if format(rows[1][3], ".3") not in (format(rows[0][3], ".3"), format(_ref_radius(n - 1, n, alpha, 0.5), ".3")):
        assert all((x.n, x.alpha) != (n, alpha) for x in between.matches)


def test_mnist_report_has_no_cifar_text_and_radii_from_the_data(tmp_path):
    folder = tmp_path / "mnist"
    for t, s in ((0.25, 0.25), (1.0, 1.0)):
        _counts_log(folder / f"noise_{t:.2f}_sigma_{s:.2f}.tsv", s, 1000, 0.001, TOP)
    res = compute_replay([folder], n=1000, alpha=0.001, progress=False, command="python -m empirical replay t")
    write_replay_report(res, tmp_path / "o", figures=False)
    md = (tmp_path / "o" / "replay_mnist.md").read_text()
    for cifar in ("ResNet-110", "every 20th", "√3072", "55.4", "CIFAR", "0.12", "training σ = 0.5 model",
                  "about 0.85", "σ ≥ 0.6"):
        assert cifar not in md, cifar
    assert "√784 ≈ 28.0" in md and "d = 784" in md
    top = max(e.max_radius[c] for e in res.logs for c in R.L2_COLS + ("radius_pixeldp", "radius_li_renyi"))
    assert res.l2_radii[-1] <= top < res.l2_radii[-1] + (res.l2_radii[1] - res.l2_radii[0])
    assert top > 1.5 and res.l2_radii[-1] > 1.0  # not fixed at 0...1
    assert "No two logs share a mechanism σ" in md


def test_result_json_rerenders_byte_identical(tmp_path):
    folder = tmp_path / "cifar10"
    for t, s in ((0.25, 0.5), (0.5, 0.5), (0.5, 1.0)):
        _counts_log(folder / f"noise_{t:.2f}_sigma_{s:.2f}.tsv", s, 1000, 0.001, TOP)
    res = compute_replay([folder], n=1000, progress=False, command="t")
    md_path = write_replay_report(res, tmp_path / "o", figures=True)
    back = ReplayResult.from_json(tmp_path / "o" / "replay_cifar10.json")
    assert render_markdown(back) == md_path.read_text()
    assert back == res
    assert (tmp_path / "o" / "replay_cifar10_fig1_l2.png").stat().st_size > 1000


def test_grids_from_the_data():
    assert R.l2_grid(3.56) == tuple(0.25 * k for k in range(15))
    assert R.l2_grid(0.3) == tuple(round(0.05 * k, 10) for k in range(7))
    assert R.linf_grid_255(16.4 / 255) == (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
    assert R.linf_grid_255(0.1 / 255) == (0.0, 0.0625)


def test_experiment_replay_accepts_any_log_folder_and_the_cli_reads_the_repository_layout(tmp_path, capsys):
    from empirical import experiments as X

    folder = tmp_path / "mnist"
    _counts_log(folder / "noise_0.50" / "test" / "sigma_0.50", 0.5, 1000, 0.001, TOP)
    s = X.run_experiment("replay", out=tmp_path / "o", data_dir=folder, command="t", progress=False)
    assert s["logs"][0]["d"] == 784 and (tmp_path / "o" / "replay_mnist.md").is_file()
    assert cli_main(["replay", "--log", str(folder), "--n", "1000", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "top radii identify n = 1000, alpha = 0.001" in out


def test_committed_report_rerenders_from_its_json():
    """reports/empirical/replay_cifar10.md is a pure function of its JSON (no number computed in the renderer)."""
    from pathlib import Path

    rep = Path(__file__).resolve().parents[2] / "reports" / "empirical"
    if not (rep / "replay_cifar10.json").is_file():
        pytest.skip("report not generated")
    res = ReplayResult.from_json(rep / "replay_cifar10.json")
    assert render_markdown(res) == (rep / "replay_cifar10.md").read_text()


# ---------------------------------------------------------------------------------------------
# issue 20: replay fits the logs it is given (items 5, 6, 8, 9)
# ---------------------------------------------------------------------------------------------
def _imagenet_tree(root):
    """Cohen et al.'s ImageNet layout (certify/imagenet/resnet50/noise_T/SPLIT/sigma_S, no extension): five
    test logs of 40 rows (every 100th image) and a train-split log of 43 rows (every 2500th image)."""
    base = root / "certify" / "imagenet" / "resnet50"
    counts = (TOP * 4)[:40]
    for t, s in ((0.25, 0.25), (0.25, 0.5), (0.5, 0.5), (1.0, 0.5), (1.0, 1.0)):
        _counts_log(base / f"noise_{t:.2f}" / "test" / f"sigma_{s:.2f}", s, 1000, 0.001, counts, idx_step=100)
    _counts_log(base / "noise_0.50" / "train" / f"sigma_{0.5:.2f}", 0.5, 1000, 0.001, (TOP * 4)[:43],
                idx_step=2500, seed=1)
    return root / "certify"


def test_imagenet_layout_gets_figures_4_to_6_and_completeness_per_split(tmp_path):
    res = compute_replay([_imagenet_tree(tmp_path)], n=1000, progress=False, command="t")
    write_replay_report(res, tmp_path / "o", figures=False)
    md = (tmp_path / "o" / "replay_imagenet.md").read_text()
    # the paper's ImageNet figures (Appendix C), never its CIFAR-10 ones or the CIFAR-10 claim
    assert "Paper Figure 4 setting" in md and "Paper Figure 5 setting" in md and "Figure 6" in md
    import re

    assert not re.search(r"Figures? [123](?![0-9])", md), re.findall(r".{40}Figures? [123].{20}", md)
    assert "Section 4.2" not in md and "Approximately 20%" not in md and "≈20%" not in md
    assert [f.file for f in res.figures] == ["replay_imagenet_fig4_l2.png", "replay_imagenet_fig5_l2.png",
                                             "replay_imagenet_linf.png"]
    # the 43-row train log does not make the 40-row test logs incomplete
    assert [e.incomplete for e in res.logs] == [False] * 6 and "Incomplete" not in md
    # idx ranges per split, each with its logs
    head = res.text["header_logs"]
    assert "test split: idx 0–3900 in steps of 100 (every 100th example; 5 logs)" in head, head
    assert "train split: idx 0–105000 in steps of 2500 (every 2500th example; `noise_0.50/train/sigma_0.50`)" \
        in head, head
    # the two logs of the training-σ = 0.5 model at σ = 0.5 are told apart by their label, test first
    claim = res.text["claim"][res.text["claim"].index("Figures 4–5"):]
    assert claim.count("c = 1:") == 2 and claim.index(", test:") < claim.index(", train:"), claim


def test_other_data_sets_get_neutral_text_and_names(tmp_path):
    folder = tmp_path / "mnist"
    for t, s in ((0.25, 0.5), (0.5, 0.5), (0.5, 1.0)):
        _counts_log(folder / f"noise_{t:.2f}_sigma_{s:.2f}.tsv", s, 1000, 0.001, TOP)
    res = compute_replay([folder], n=1000, progress=False, command="t")
    md = render_markdown(res)
    assert "Figure" not in md and "Section 4.2" not in md and "20%" not in md
    assert "## 4. One model, vary mechanism σ" in md and "## 5. Certified accuracy at ℓ2 = 1.0" in md
    assert [f.file for f in res.figures] == ["replay_mnist_train_sigma_l2.png", "replay_mnist_mech_sigma_l2.png",
                                             "replay_mnist_linf.png"]
    # the same logs under cifar10 keep the paper's text (and the committed report's file names)
    cifar = tmp_path / "cifar10"
    cifar.mkdir()
    for f in folder.iterdir():
        (cifar / f.name).write_bytes(f.read_bytes())
    rc = compute_replay([cifar], n=1000, progress=False, command="t")
    assert "Paper Figure 1 setting" in rc.text["fig1_title"] and "Section 4.2" in render_markdown(rc)
    assert rc.figures[0].file == "replay_cifar10_fig1_l2.png"


def _cifar_log(tmp_path):
    (tmp_path / "cifar10").mkdir(parents=True, exist_ok=True)
    return _write_log(tmp_path / "cifar10" / "noise_0.50_sigma_0.50.tsv",
                      [(0, 1, 1, 0.5, 1), (20, 2, 2, 0.25, 1), (40, 3, -1, None, 0)])


def _one_line_error(capsys, argv, *want):
    assert cli_main(["replay", "--no-progress", "--no-figures", *argv]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for w in want:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def test_contradictions_duplicates_escapes_and_impossible_radii_are_errors(tmp_path, capsys):
    log = _cifar_log(tmp_path)
    # --dataset / --dim against the data set the path names
    _one_line_error(capsys, ["--log", str(log), "--dataset", "imagenet"], "error: dataset: --dataset says imagenet",
                    "noise_0.50_sigma_0.50.tsv", "cifar10")
    _one_line_error(capsys, ["--log", str(log), "--dim", "150528"], "error: d: --dim 150528 contradicts d = 3072",
                    "cifar10")
    assert R.resolve_logs([log], dataset="CIFAR-10", d=3072)[0].d == 3072  # agreeing values are fine
    # --name must stay inside --out
    out = tmp_path / "o" / "deep"
    _one_line_error(capsys, ["--log", str(log), "--out", str(out), "--name", "../../x"], "error: name:", "../../x")
    assert not (tmp_path / "x.md").exists() and not (tmp_path / "o").exists()
    with pytest.raises(ValueError, match="^name:"):
        compute_replay([log], name="a/b", progress=False)
    # a duplicate idx names the file, the idx and its lines
    dup = _write_log(tmp_path / "cifar10" / "noise_0.50_sigma_0.50.tsv",
                     [(0, 1, 1, 0.5, 1), (20, 2, 2, 0.25, 1), (0, 1, 1, 0.5, 1)])
    _one_line_error(capsys, ["--log", str(dup)], str(dup), "idx 0 appears on lines 2, 4")
    # a radius no finite number of draws gives: file, line and idx named
    bad = _write_log(tmp_path / "cifar10" / "noise_0.50_sigma_0.50.tsv", [(0, 1, 1, 0.5, 1), (20, 2, 2, 19.5, 1)])
    _one_line_error(capsys, ["--log", str(bad)], str(bad), "line 3 (idx 20): radius 19.5")
    neg = _write_log(tmp_path / "cifar10" / "noise_0.50_sigma_0.50.tsv", [(0, 1, 1, 0.5, 1), (20, 2, 2, -0.5, 1)])
    _one_line_error(capsys, ["--log", str(neg)], str(neg), "line 3 (idx 20): radius must be finite and >= 0")


def test_out_that_is_a_file_or_unwritable_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    log = _cifar_log(tmp_path)
    afile = tmp_path / "report.md"
    afile.write_text("mine\n")
    _one_line_error(capsys, ["--log", str(log), "--out", str(afile)], "error: out:", "is a file")
    assert afile.read_text() == "mine\n"
    _one_line_error(capsys, ["--log", str(log), "--out", str(afile / "sub")], "error: out: cannot write")
    import pathlib

    def refuse(self, *a, **k):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(pathlib.Path, "write_text", refuse)  # a read-only folder (the tests may run as root)
    _one_line_error(capsys, ["--log", str(log), "--out", str(tmp_path / "ro")], "error: out: cannot write",
                    "Permission denied")


META = '# rs-verify-certify {"format": 1, "mechanism": "gaussian", "sigma": 0.25, "n": 1000, "alpha": 0.001, ' \
       '"dataset": "%s", "d": %d, "split": "test"}'


def _certify_tsv(path, dataset, d, *, sigma=0.25):
    """A TSV as `python -m empirical certify` writes it: Cohen's header, the metadata line, extra columns."""
    rows = ["idx\tlabel\tpredict\tradius\tcorrect\ttime\tcA\tpA_lower"]
    rows.append((META % (dataset, d)).replace('"sigma": 0.25', f'"sigma": {sigma}'))
    for i, k in enumerate((1000, 999, 990, 900, 0)):
        r = _ref_radius(k, 1000, 0.001, 0.25)
        rows.append(f"{i}\t1\t{-1 if r is None else 1}\t{0.0 if r is None else format(r, '.3')}\t"
                    f"{0 if r is None else 1}\t0.5\t1\t0.9")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n")
    return path


def test_own_certify_tsv_replays_without_dim_or_sigma(tmp_path, capsys):
    """Item 8: the project's own data sets (digits d = 64, synthetic:D) and certify's metadata line."""
    tsv = _certify_tsv(tmp_path / "runs" / "results.tsv", "digits", 64)
    assert R.find_logs([tmp_path / "runs"]) == [tsv]  # the metadata line does not hide the header
    spec = R.resolve_logs([tsv])[0]
    assert (spec.d, spec.d_source, spec.dataset, spec.sigma, spec.sigma_source) == (64, "file header", "digits",
                                                                                    0.25, "file header")
    log = R.read_cohen_log(tsv)
    assert log.n_rows == 5 and log.meta["dataset"] == "digits" and log.lineno[0] == 3
    syn = _certify_tsv(tmp_path / "runs2" / "out.tsv", "synthetic:8:2", 8)
    assert R.resolve_logs([syn])[0].d == 8
    res = compute_replay([syn], n=1000, progress=False, command="t")
    assert res.name == "replay_synthetic_8_2" and res.logs[0].d == 8
    # the data set named in the path is enough too (d = 64 for digits)
    named = _counts_log(tmp_path / "digits" / "noise_0.25_sigma_0.25.tsv", 0.25, 1000, 0.001, TOP)
    assert R.resolve_logs([named])[0].d == 64
    assert cli_main(["replay", "--log", str(tsv), "--n", "1000", "--no-progress"]) == 0
    # the metadata contradicting the path, --sigma or --dim is an error
    clash = _certify_tsv(tmp_path / "mnist" / "r.tsv", "digits", 64)
    _one_line_error(capsys, ["--log", str(clash)], "error: dataset:", "digits", "mnist")
    _one_line_error(capsys, ["--log", str(tsv), "--sigma", "0.5"], "error: sigma: --sigma says 0.5")
    _one_line_error(capsys, ["--log", str(tsv), "--dim", "784"], "error: d: --dim 784 contradicts")
    exp = _certify_tsv(tmp_path / "runs3" / "e.tsv", "digits", 64)
    exp.write_text(exp.read_text().replace('"mechanism": "gaussian"', '"mechanism": "exponential-linf"'))
    _one_line_error(capsys, ["--log", str(exp)], "exponential-linf", "Gaussian")


def test_replay_modules_are_layers_without_an_import_loop():
    """replay (reading) <- replay_report (rendering) <- replay_result (computing): every import of a replay
    module, also inside functions, points down; no module-level __getattr__ re-exports upward."""
    import ast
    from pathlib import Path

    root = Path(R.__file__).parent
    allowed = {"replay": set(), "replay_report": {"replay"}, "replay_result": {"replay", "replay_report"}}
    for mod, ok in allowed.items():
        tree = ast.parse((root / f"{mod}.py").read_text())
        used = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            used |= {n.split(".")[-1] for n in names if n.startswith("empirical") and "replay" in n.split(".")[-1]}
        assert used <= ok, (mod, used - ok)
        assert not any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body), mod
