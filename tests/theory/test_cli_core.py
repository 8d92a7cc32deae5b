"""CLI of the core commands: divergence, noise, table (JSON fields, values, exit code 2 on bad input)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from theory.cli import main
from theory.mechanisms import laplace_renyi_1d


def run_json(capsys, *argv):
    rc = main(list(argv) + ["--json"])
    out = capsys.readouterr().out
    assert rc == 0
    return json.loads(out)


def test_divergence_values(capsys):
    out = run_json(capsys, "divergence", "--mechanism", "laplace", "--alpha", "2")
    assert out["value"] == pytest.approx(0.6191236299985929, rel=1e-15)  # published (Mironov 2017)
    out = run_json(capsys, "divergence", "--mechanism", "gaussian", "--alpha", "3", "--sigma", "0.5",
                   "--shift", "0.2", "--dim", "4", "--norm", "linf")
    assert out["value"] == pytest.approx(3 * 4 * 0.04 / (2 * 0.25), rel=1e-14)
    out = run_json(capsys, "divergence", "--mechanism", "gaussian", "--alpha", "inf")
    assert out["value"] == "inf" and out["quantity"] == "D_inf"
    out = run_json(capsys, "divergence", "--mechanism", "exponential-linf", "--alpha", "1", "--sigma", "2")
    assert out["quantity"] == "KL" and out["value"] == pytest.approx(laplace_renyi_1d(1.0, 0.5), rel=1e-12)
    out = run_json(capsys, "divergence", "--mechanism", "randomized-response", "--alpha", "inf", "--eps", "0.7")
    assert out["value"] == pytest.approx(0.7, rel=1e-15)


def test_divergence_dmr_fields(capsys):
    out = run_json(capsys, "divergence", "--mechanism", "gaussian", "--alpha", "dmr", "--sigma", "2")
    assert out["value"] == pytest.approx(1 / 8, rel=1e-15) and out["attained_everywhere"] is True
    out = run_json(capsys, "divergence", "--mechanism", "laplace", "--alpha", "dmr")
    assert out["limit"] == "alpha->1+" and out["alpha"] is None
    assert out["value"] == pytest.approx(math.exp(-1), rel=1e-12)  # KL = x + e^{-x} - 1 at x = 1


def test_noise_fields(capsys):
    out = run_json(capsys, "noise", "--mechanism", "exponential-linf", "--sigma", "0.5", "--dim", "3072")
    assert out["expected_linf_norm"] == pytest.approx(1536.0, rel=1e-15)  # T15
    assert out["expected_l2_norm"] > out["expected_linf_norm"]
    out = run_json(capsys, "noise", "--mechanism", "gaussian", "--sigma", "1", "--dim", "1e9")
    assert 6.0 < out["expected_linf_norm"] < 6.5 and set(out["linf_norm_quantiles"]) == {"0.05", "0.5", "0.95"}


def test_table_json(capsys):
    out = run_json(capsys, "table")
    names = {r["mechanism"] for r in out["rows"]}
    assert names == {"gaussian", "exponential-linf", "laplace", "randomized-response"}
    for r in out["rows"]:
        assert {"D_1.5", "D_2", "D_10", "KL", "DMR", "D_inf"} <= set(r)


@pytest.mark.parametrize("argv,word", [
    (["divergence", "--mechanism", "gaussian", "--alpha", "0.5"], "alpha"),
    (["divergence", "--mechanism", "gaussian", "--alpha", "abc"], "alpha"),
    (["divergence", "--mechanism", "gaussian", "--alpha", "2", "--sigma", "0"], "sigma"),
    (["divergence", "--mechanism", "gaussian", "--alpha", "2", "--dim", "2.5"], "dim"),
    (["divergence", "--mechanism", "gaussian", "--alpha", "2", "--dim", "0"], "dim"),
    (["divergence", "--mechanism", "laplace", "--alpha", "2", "--eps", "1"], "eps"),
    (["divergence", "--mechanism", "gaussian", "--alpha", "2", "--shift", "-1"], "shift"),
    (["noise", "--mechanism", "gaussian", "--sigma", "-1"], "sigma"),
    (["noise", "--mechanism", "gaussian", "--quantiles", "1.5"], "quantiles"),
])
def test_bad_input_exit_2_one_line(capsys, argv, word):
    try:
        rc = main(argv)
    except SystemExit as exc:  # --dim is now checked by the parser (issue 15.8): same one line, exit 2
        rc = exc.code
    err = capsys.readouterr().err
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and word in lines[0]


def test_entry_point_subprocess():
    p = subprocess.run([sys.executable, "-m", "theory", "divergence", "--mechanism", "laplace", "--alpha", "10",
                        "--json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["value"] == pytest.approx(0.9286829020966803, rel=1e-15)


# ---------------------------------------------------------------------------------------------------------
# issue 15.5: theory's own progress display (no tqdm needed)
# ---------------------------------------------------------------------------------------------------------

class _Stream:
    """A stderr stand-in that says whether it is a terminal."""

    def __init__(self, tty):
        self.tty, self.parts = tty, []

    def isatty(self):
        return self.tty

    def write(self, s):
        self.parts.append(s)

    def flush(self):
        pass

    @property
    def text(self):
        return "".join(self.parts)


@pytest.fixture
def no_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # `from tqdm import tqdm` raises ImportError


def test_progress_on_a_terminal_without_tqdm(no_tqdm, monkeypatch):
    from theory._progress import progress_bar

    err = _Stream(tty=True)
    monkeypatch.setattr(sys, "stderr", err)
    bar = progress_bar(total=4, desc="audit: claim checks")
    for _ in range(4):
        bar.update(1)
    bar.set_postfix_str("T10:check")
    bar.close()
    text = err.text
    assert "audit: claim checks" in text and "4/4" in text and "\r" in text
    assert text.endswith("\r")  # the line is cleared at the end (nothing left over the next output)


def test_progress_periodic_lines_when_not_a_terminal(no_tqdm, monkeypatch):
    from theory import _progress as P

    err = _Stream(tty=False)
    monkeypatch.setattr(sys, "stderr", err)
    clock = iter(range(0, 1000, 4))  # 4 s per tick
    monkeypatch.setattr(P, "_now", lambda: next(clock))
    bar = P.progress_bar(range(10), desc="witness checks")
    assert list(bar) == list(range(10))
    lines = err.text.splitlines()
    assert "\r" not in err.text and 2 <= len(lines) <= 5  # one line every ~10 s, not one per item
    assert all(ln.startswith("witness checks: ") for ln in lines) and "10/10" in lines[-1]


def test_progress_silent_when_disabled(no_tqdm, monkeypatch):
    from theory._progress import progress_bar

    for tty in (True, False):
        err = _Stream(tty=tty)
        monkeypatch.setattr(sys, "stderr", err)
        bar = progress_bar(range(3), total=3, desc="x", enabled=False)
        assert list(bar) == [0, 1, 2]
        bar.update(1)
        bar.close()
        assert err.text == ""


def test_progress_eta_counts_only_this_runs_items(monkeypatch):
    """A resumed run (initial=90 of 100) that took 10 s for 2 new items has 8 left: ETA 40 s, not the
    10/92*8 s a rate over all 92 items would give; before the first item the given estimate is shown."""
    from theory import _progress as P

    t = [0.0]
    monkeypatch.setattr(P, "_now", lambda: t[0])
    bar = P.Progress(total=100, desc="certify", enabled=False, initial=90, seconds_per_item=3.0)
    assert "ETA ~0:30 (estimate)" in bar.line()
    t[0] = 10.0
    bar.update(2)
    assert "92/100" in bar.line() and "ETA 0:40" in bar.line()


# ---------------------------------------------------------------------------------------------------------
# issue 15.8: CLI papercuts of theory
# ---------------------------------------------------------------------------------------------------------

def _run(capsys, *argv):
    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        rc = exc.code
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_radius_at_one_half_abstains_and_is_not_minus_zero(capsys):
    rc, out, err = _run(capsys, "radius", "--certificate", "cohen", "--pA", "0.5", "--sigma", "0.5")
    assert rc == 0 and "-0" not in out and "radius = 0" in out and "abstains" in out
    out = run_json(capsys, "radius", "--certificate", "cohen", "--pA", "0.5", "--sigma", "0.5")
    assert out["radius"] == 0.0 and math.copysign(1.0, out["radius"]) == 1.0 and out["abstains"] is True
    out = run_json(capsys, "radius", "--certificate", "cohen", "--pA", "0.9", "--sigma", "0.5")
    assert out["radius"] > 0 and out["abstains"] is False


def test_negative_log_one_minus_pA_is_a_value_not_an_option(capsys):
    """--log-one-minus-pA takes negative values; -1e6 was read as an option ('expected one argument')."""
    out = run_json(capsys, "radius", "--certificate", "cohen", "--log-one-minus-pA", "-1e6", "--sigma", "0.5")
    # Cohen: sigma * Phi^-1(pA) with log(1 - pA) = -1e6; mpmath oracle at 50 digits
    import mpmath

    mpmath.mp.dps = 50
    lo = mpmath.mpf(-1e6)
    x = mpmath.findroot(lambda t: mpmath.log(mpmath.ncdf(-t)) - lo, 1414.0)
    assert out["radius"] == pytest.approx(float(0.5 * x), rel=1e-9)


@pytest.mark.parametrize("argv", [
    ["radius", "--certificate", "t18", "--pA", "0.999", "--sigma", "0.5", "--dim", "1e12", "--c", "3"],
    ["noise", "--mechanism", "gaussian", "--sigma", "1", "--dim", "1e12"],
])
def test_integer_options_accept_numbers_in_e_notation(argv, capsys):
    rc, out, err = _run(capsys, *argv)
    assert rc == 0, err


def test_witness_samples_accepts_e_notation():
    from theory.cli import build_parser

    p = build_parser("python -m theory", "theory.commands", "", only="witness")
    assert p.parse_args(["witness", "f.json", "--samples", "1e12"]).samples == 10 ** 12


@pytest.mark.parametrize("argv,opt", [
    (["noise", "--mechanism", "gaussian", "--sigma", "1", "--dim", "1e300"], "--dim"),
    (["radius", "--certificate", "t18", "--pA", "0.9", "--sigma", "1", "--c", "1", "--dim", "2.5"], "--dim"),
    (["radius", "--certificate", "t18", "--pA", "0.9", "--sigma", "1", "--c", "1", "--dim", "0"], "--dim"),
])
def test_integer_options_out_of_range_are_readable(argv, opt, capsys):
    rc, out, err = _run(capsys, *argv)
    assert rc == 2 and err.count("\n") == 1 and opt in err and len(err) < 200, err


def test_noise_overflow_is_a_clean_error(capsys):
    """sigma = 1e308: the norms overflow a float; it printed a RuntimeWarning with a source line and inf, exit 0."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning escaping the command fails the test
        rc, out, err = _run(capsys, "noise", "--mechanism", "gaussian", "--sigma", "1e308", "--dim", "10")
    assert rc == 2 and err.count("\n") == 1 and "sigma" in err and "overflow" in err, err
    assert "inf" not in out


def test_claims_table_has_header_and_statement_and_json_is_an_object(capsys):
    from theory.claims import CLAIMS

    rc, out, err = _run(capsys, "claims")
    lines = out.splitlines()
    assert rc == 0 and lines[0].split()[:2] == ["ID", "KIND"] and "STATEMENT" in lines[0]
    d4 = next(ln for ln in lines if ln.startswith("D4 "))
    assert CLAIMS["D4"].statement[:30] in d4
    data = run_json(capsys, "claims")
    assert isinstance(data, dict) and [c["id"] for c in data["claims"]] == list(CLAIMS)
