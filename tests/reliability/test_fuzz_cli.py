"""Hostile input for every command of ``python -m theory`` and ``python -m empirical`` (issue 8).

Contract (theory/cli.py): bad input ends with exit code 2 and ONE line on stderr (``... error: ...``), never a
traceback or another exit code; valid input exits 0.  Commands are called in-process through
``theory.cli.main`` / ``empirical.cli.main`` (fast), inside a temporary working directory (nothing is written
into the checkout), under an alarm so that a hostile value that slipped through validation and started real
work is reported as "did not fail fast" instead of hanging the suite.  Two subprocess runs check the same at
the real process boundary.

* Fast commands (divergence, noise, radius): every numeric option gets hypothesis-drawn values (numbers in
  every notation, NaN, infinities, garbage text) on top of a valid base command; exit 0 or 2.
* Every option of every command, fast or heavy, that takes a number gets the values that can never be
  valid (``nan``, ``abc``, empty) and every option with choices gets an unknown choice: exit 2, one line,
  before any work.
* Options naming a file get a missing file, a directory and an empty file.

The options are discovered from the parsers themselves, so a new command or option is covered automatically.
Thorough mode: ``HYPOTHESIS_PROFILE=thorough python -m pytest tests/reliability``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _have_torch() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


HAVE_TORCH = _have_torch()
NO_TORCH = pytest.mark.skipif(not HAVE_TORCH, reason="torch is not installed: the empirical CLI is not fuzzed "
                                                     "(tests/reliability/test_without_torch.py covers it)")
# without torch the empirical parsers cannot be built (some import empirical.models): theory only
CLIS = {"theory": ("theory.commands", "theory.cli")}
if HAVE_TORCH:
    CLIS["empirical"] = ("empirical.commands", "empirical.cli")
ALARM_S = 30


def _parser(prog):
    return build_parser(prog, CLIS[prog][0], "")


def _subcommands(prog):
    p = _parser(prog)
    sub = next(a for a in p._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices


def _options(prog, cmd):
    """[(option string, kind)] with kind in {"float", "int", "choice", "number?"}; "number?" = untyped options
    whose help or dest says they take a number (e.g. divergence --alpha accepts 'inf' and 'dmr')."""
    out = []
    for a in _subcommands(prog)[cmd]._actions:
        if not a.option_strings or a.nargs == 0 or a.dest == "help":
            continue
        opt = max(a.option_strings, key=len)
        if a.choices is not None:
            out.append((opt, "choice"))
        elif a.type is float:
            out.append((opt, "float"))
        elif a.type is int or getattr(a.type, "__name__", "") == "integer":  # theory's integer_option too
            out.append((opt, "int"))
    return out


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - only when a command hangs
    raise _Timeout


def run_cli(prog, argv, cwd):
    """(exit code, stdout, stderr) of ``python -m prog argv`` run in-process in ``cwd``."""
    mod = __import__(CLIS[prog][1], fromlist=["main"])
    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(ALARM_S)
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = mod.main(list(argv))
            except SystemExit as exc:
                rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except _Timeout:
        pytest.fail(f"python -m {prog} {' '.join(argv)} did not fail fast (> {ALARM_S} s)")
    except Exception as exc:  # noqa: BLE001 - the point of the test: a traceback would reach the user
        pytest.fail(f"python -m {prog} {' '.join(argv)} raised {exc.__class__.__name__}: {exc}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        os.chdir(here)
    return rc, out.getvalue(), err.getvalue()


def assert_clean_error(prog, argv, rc, err):
    cmd = f"python -m {prog} {' '.join(argv)}"
    assert rc == 2, f"{cmd}: exit {rc}, stderr {err!r}"
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    # a progress bar line may precede the error; the error itself is one line and the last one
    assert lines, f"{cmd}: exit 2 without a message"
    assert "Traceback" not in err, f"{cmd}: traceback on stderr:\n{err}"
    assert "error" in lines[-1].lower(), f"{cmd}: last stderr line is not an error line: {lines[-1]!r}"
    non_progress = [ln for ln in lines if "%|" not in ln and "it/s" not in ln
                    and not re.search(r"\d+/\d+ \(\d+%\)", ln)]  # tqdm's bar or theory._progress's line
    assert len(non_progress) == 1, f"{cmd}: error message is not one line:\n{err}"


# ------------------------------------------------------------------------------------------------------
# fast commands: hypothesis-drawn values on a valid base
# ------------------------------------------------------------------------------------------------------

FAST_BASES = {
    ("theory", "divergence"): ["divergence", "--mechanism", "gaussian", "--alpha", "2", "--sigma", "1", "--dim", "3",
                               "--shift", "0.5"],
    ("theory", "noise"): ["noise", "--mechanism", "gaussian", "--sigma", "1", "--dim", "10"],
    ("theory", "radius"): ["radius", "--certificate", "c11", "--pA", "0.9", "--sigma", "0.5", "--c", "1"],
    ("theory", "lower-bound"): ["lower-bound", "--claim", "T17", "--dim", "100", "--eps", "1"],
}
# options whose value is a number but that argparse reads as text (they also accept words such as 'inf', 'dmr')
TEXT_NUMBER_OPTIONS = {("theory", "divergence"): ["--alpha"]}

number_text = st.one_of(
    st.sampled_from(["nan", "NaN", "-nan", "inf", "-inf", "+inf", "infinity", "-1", "0", "-0", "1e-400", "1e400",
                     "1e308", "-1e308", "1e-320", "2.5", "1e9", "1e12", "1e-12", "abc", "", " ", "0x10", "1_000",
                     "  3 ", "3e", "--", "1,5", "١٢", "dmr", "kl", "None", "[1]", "1e1000000"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10 ** 30), max_value=10 ** 30).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6),
)

FAST_SLOTS = []
for (prog_, cmd_) in FAST_BASES:
    for opt_, kind_ in _options(prog_, cmd_):
        if kind_ in ("float", "int"):
            FAST_SLOTS.append((prog_, cmd_, opt_))
    for opt_ in TEXT_NUMBER_OPTIONS.get((prog_, cmd_), []):
        FAST_SLOTS.append((prog_, cmd_, opt_))


def _with_option(base, opt, value):
    """base with ``opt`` set to ``value`` (replacing it if present); ``--opt=value`` so that values starting
    with '-' are not read as options."""
    argv, i = [], 0
    while i < len(base):
        if base[i] == opt:
            i += 2
            continue
        argv.append(base[i])
        i += 1
    return argv + [f"{opt}={value}"]


@pytest.mark.parametrize("slot", FAST_SLOTS, ids=lambda s: f"{s[0]}-{s[1]}{s[2]}")
@given(value=number_text)
def test_fast_command_hostile_values(tmp_path_factory, slot, value):
    prog, cmd, opt = slot
    argv = _with_option(FAST_BASES[(prog, cmd)], opt, value)
    rc, out, err = run_cli(prog, argv, tmp_path_factory.getbasetemp())
    if rc == 0:
        assert "Traceback" not in err
        assert "nan" not in out.lower().replace("nanosecond", ""), f"{argv}: NaN in the output:\n{out}"
    else:
        assert_clean_error(prog, argv, rc, err)
    v = value.strip().lower()
    if v in ("nan", "-nan", "+nan", "") or v.startswith("abc"):
        assert rc == 2, f"{argv} accepted {value!r}"


@pytest.mark.parametrize("key", sorted(FAST_BASES), ids=lambda k: f"{k[0]}-{k[1]}")
def test_fast_bases_are_valid(tmp_path, key):
    rc, out, err = run_cli(key[0], FAST_BASES[key], tmp_path)
    assert rc == 0, err


# ------------------------------------------------------------------------------------------------------
# every command: values that can never be valid must fail fast with one line
# ------------------------------------------------------------------------------------------------------

# A base per command that would be valid (or fail only late, on the data) -- the hostile value must be
# rejected before any work.  Paths point into the temporary directory.
HEAVY_BASES = {
    ("theory", "audit"): ["audit", "--out", "out", "--quiet"],
    ("theory", "audit-certificate"): ["audit-certificate", "--registered", "cohen", "--no-simulate", "--grid", "8",
                                      "--out", "out"],
    ("theory", "check-reports"): ["check-reports", "--reports", "missing_reports", "--only", "soundness"],
    ("theory", "claims"): ["claims"],
    ("theory", "scaling"): ["scaling", "--out", "out", "--quiet", "--no-figures", "--dims", "1", "2"],
    ("theory", "soundness"): ["soundness", "--out", "out", "--quiet", "--no-figures"],
    ("theory", "soundness-sequential"): ["soundness-sequential", "--trials", "10", "--exact-budget", "10", "--out",
                                         "out", "--quiet"],
    ("theory", "table"): ["table"],
    ("theory", "witness"): ["witness", "missing.json"],
    ("empirical", "analyze"): ["analyze", "missing.tsv", "--out", "out"],
    ("empirical", "audit-fp"): ["audit-fp", "--n", "200", "--device", "cpu", "--out", "out"],
    ("empirical", "bench"): ["bench", "--device", "cpu"],
    ("empirical", "certify"): ["certify", "--checkpoint", "missing.pt", "--sigma", "0.25", "--out", "c.tsv",
                               "--device", "cpu"],
    ("empirical", "experiment"): ["experiment", "digits", "--out", "out", "--work", "work"],
    ("empirical", "gpu-report"): ["gpu-report", "--data-dir", "nodata", "--out-dir", "out"],
    ("empirical", "jpeg-gap"): ["jpeg-gap", "--data-dir", "nodata", "--out", "out", "--work", "work"],
    ("empirical", "merge"): ["merge", "--out", "m.tsv", "missing_shard.tsv"],
    ("empirical", "predict"): ["predict", "--checkpoint", "missing.pt", "--sigma", "0.25", "--device", "cpu"],
    ("empirical", "replay"): ["replay", "--log", "missing.tsv", "--out", "out"],
    ("empirical", "sequential-report"): ["sequential-report", "--model", "0.25=missing.pt", "--out", "out",
                                         "--work", "work"],
    ("empirical", "train"): ["train", "--out", "m.pt", "--epochs", "1", "--device", "cpu"],
}
NEVER_VALID = {"float": ["nan", "abc", ""], "int": ["nan", "abc", "", "1.5"], "choice": ["no-such-choice"]}


def _all_slots():
    slots = []
    for prog in CLIS:
        for cmd in _subcommands(prog):
            base = FAST_BASES.get((prog, cmd)) or HEAVY_BASES.get((prog, cmd))
            for opt, kind in _options(prog, cmd):
                for v in NEVER_VALID[kind]:
                    slots.append((prog, cmd, opt, v, base is not None))
    return slots


ALL_SLOTS = _all_slots()


def test_every_command_has_a_base():
    """A new command must be added to FAST_BASES or HEAVY_BASES (so that it is fuzzed)."""
    missing = [(p, c) for p in CLIS for c in _subcommands(p)
               if (p, c) not in FAST_BASES and (p, c) not in HEAVY_BASES]
    assert not missing, f"commands without a fuzzing base: {missing}"


@pytest.mark.parametrize("prog,cmd,opt,value,has_base", ALL_SLOTS,
                         ids=[f"{s[0]}-{s[1]}{s[2]}={s[3] or 'empty'}" for s in ALL_SLOTS])
def test_never_valid_values_fail_fast(tmp_path, prog, cmd, opt, value, has_base):
    if not has_base:
        pytest.skip(f"no base for {prog} {cmd} (see test_every_command_has_a_base)")
    base = FAST_BASES.get((prog, cmd)) or HEAVY_BASES[(prog, cmd)]
    argv = _with_option(base, opt, value)
    rc, out, err = run_cli(prog, argv, tmp_path)
    assert_clean_error(prog, argv, rc, err)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir()), \
        f"{argv}: wrote output before failing"


FILE_OPTIONS = [("theory", ["witness", "{f}"])] + [pytest.param(*a, marks=NO_TORCH) for a in [
    ("empirical", ["certify", "--checkpoint", "{f}", "--sigma", "0.25", "--out", "c.tsv", "--device", "cpu"]),
    ("empirical", ["predict", "--checkpoint", "{f}", "--sigma", "0.25", "--device", "cpu"]),
    ("empirical", ["replay", "--log", "{f}", "--out", "out"]),
    ("empirical", ["merge", "--out", "m.tsv", "{f}"]),
]]


@pytest.mark.parametrize("which", ["missing", "directory", "empty"])
@pytest.mark.parametrize("prog,argv", FILE_OPTIONS,
                         ids=[f"{p}-{a[0]}" for p, a in (getattr(o, "values", o) for o in FILE_OPTIONS)])
def test_bad_files_fail_with_one_line(tmp_path, prog, argv, which):
    f = tmp_path / "thing.bin"
    if which == "directory":
        f.mkdir()
    elif which == "empty":
        f.write_bytes(b"")
    argv = [a.replace("{f}", str(f)) for a in argv]
    rc, out, err = run_cli(prog, argv, tmp_path)
    assert_clean_error(prog, argv, rc, err)


# ------------------------------------------------------------------------------------------------------
# the real process boundary (subprocess; slow, so only two)
# ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    [sys.executable, "-m", "theory", "radius", "--certificate", "cohen", "--pA", "nan", "--sigma", "1"],
    pytest.param([sys.executable, "-m", "empirical", "certify", "--checkpoint", "missing.pt", "--sigma", "nan",
                  "--out", "x.tsv"], marks=NO_TORCH),
], ids=["theory", "empirical"])
def test_subprocess_one_line_exit_2(tmp_path, argv):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               OMP_NUM_THREADS="1")
    p = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
