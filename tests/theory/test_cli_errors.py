"""Issue 20, items 9-11 and 14 (theory side): one-line errors instead of tracebacks, the program named as typed,
user modules from the current directory under the console script, ``--json`` a flag everywhere, witness d.

Every command here fails before its computation (the output check comes first), so the tests are fast.
"""

from __future__ import annotations

import errno
import json
import math
import os
import sys

import pytest

from theory.cli import main

FAST_ARGS = {   # each command, with the arguments that keep it short when it does run
    "audit": ["--id", "T15", "--no-soundness", "--quiet"],
    "scaling": ["--dims", "10", "100", "--pA", "0.99", "--mc-max-d", "10", "--no-figures", "--quiet"],
    "soundness": ["--trials", "10", "--no-figures", "--quiet"],
    "witness": ["--generate"],
    "audit-certificate": ["--registered", "c11", "--param", "c=1", "--no-simulate", "--binary-only", "--grid", "8"],
}


def _run(capsys, *argv):
    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        rc = exc.code
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def _one_error_line(rc, err, *words):
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and "error:" in lines[0] and "Traceback" not in err, err
    for w in words:
        assert w in lines[0], (w, err)
    return lines[0]


# ---------------------------------------------------------------------------------------------------------
# item 9: unusable --out
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", list(FAST_ARGS))
def test_out_below_a_file_is_one_error_line(command, tmp_path, capsys):
    """--out inside a regular file (mkdir: NotADirectoryError) was a traceback for every writing command."""
    f = tmp_path / "afile"
    f.write_text("x")
    rc, out, err = _run(capsys, command, *FAST_ARGS[command], "--out", str(f / "sub"))
    _one_error_line(rc, err, "--out", str(f / "sub"), "is a file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]   # nothing written


@pytest.mark.parametrize("command", list(FAST_ARGS))
def test_out_naming_an_existing_file_is_one_error_line(command, tmp_path, capsys):
    f = tmp_path / "existing.json"
    f.write_text("{}")
    rc, out, err = _run(capsys, command, *FAST_ARGS[command], "--out", str(f))
    _one_error_line(rc, err, "--out", "is a file, not a folder")
    assert f.read_text() == "{}"


@pytest.mark.parametrize("command", ["audit", "scaling", "soundness"])
def test_json_out_unusable_is_one_error_line(command, tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x")
    rc, out, err = _run(capsys, command, *FAST_ARGS[command], "--out", str(tmp_path / "o"),
                        "--json-out", str(f / "r.json"))
    _one_error_line(rc, err, "--json-out", str(f / "r.json"))
    rc, out, err = _run(capsys, command, *FAST_ARGS[command], "--out", str(tmp_path / "o"),
                        "--json-out", str(tmp_path))
    _one_error_line(rc, err, "--json-out", "is a folder")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", list(FAST_ARGS))
def test_read_only_out_is_one_error_line(command, tmp_path, capsys, monkeypatch):
    """A read-only folder or file system: os.access says no (as it does for root on a read-only mount)."""
    import theory.cli as cli

    ro = tmp_path / "ro"
    ro.mkdir()
    real = os.access
    monkeypatch.setattr(cli.os, "access", lambda p, mode: False if os.fspath(p) == os.fspath(ro) else real(p, mode))
    rc, out, err = _run(capsys, command, *FAST_ARGS[command], "--out", str(ro / "x"))
    _one_error_line(rc, err, "--out", "not writable")
    assert not (ro / "x").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write a chmod 555 folder")
def test_read_only_out_for_real(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        rc, out, err = _run(capsys, "scaling", *FAST_ARGS["scaling"], "--out", str(ro / "x"))
    finally:
        ro.chmod(0o755)
    _one_error_line(rc, err, "--out", "not writable")


def test_os_error_while_writing_is_one_error_line_naming_the_path(tmp_path, capsys, monkeypatch):
    """The safety net of main_for: an OSError at write time (a read-only mount, a full disk) -> one line + exit 2."""
    from theory import scaling as S

    target = str(tmp_path / "o" / "scaling.md")

    def refuse(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system", target)

    monkeypatch.setattr(S, "write_scaling_report", refuse)
    rc, out, err = _run(capsys, "scaling", *FAST_ARGS["scaling"], "--out", str(tmp_path / "o"))
    _one_error_line(rc, err, target, "Read-only file system")


# ---------------------------------------------------------------------------------------------------------
# item 9: scaling --dims 1e30
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dims", ["1e30", "9007199254740993", "0", "2.5"])
def test_scaling_dims_out_of_range(dims, tmp_path, capsys):
    rc, out, err = _run(capsys, "scaling", "--dims", dims, "--out", str(tmp_path), "--no-figures", "--quiet")
    _one_error_line(rc, err, "--dims", "2**53")


def test_scaling_dims_out_of_range_api():
    from theory.scaling import compute_scaling

    with pytest.raises(ValueError, match=r"dims must be integers in \[1, 2\*\*53\]"):
        compute_scaling(dims=[10, 1e30], pAs=(0.99,), mc_max_d=10, progress=False)
    assert compute_scaling(dims=[10, 2 ** 53], pAs=(0.99,), mc_max_d=10, progress=False).settings["dims"][-1] == 2 ** 53


# ---------------------------------------------------------------------------------------------------------
# item 9: audit-certificate with a broken user function; --registered with --mechanism / --norm
# ---------------------------------------------------------------------------------------------------------

USER_MODULE = '''
import math
from statistics import NormalDist

def raises(pA, pB, sigma, d):
    raise ZeroDivisionError("boom inside the user's radius")

def wrong(pA):
    return 1.0

def cohen(pA, pB, sigma, d):
    return sigma * NormalDist().inv_cdf(pA)
'''


@pytest.fixture
def user_module(tmp_path):
    p = tmp_path / "usercert.py"
    p.write_text(USER_MODULE)
    return p


@pytest.mark.parametrize("fn,words", [("raises", ["ZeroDivisionError", "boom", "pA="]),
                                      ("wrong", ["cannot be called as radius(pA, pB, sigma, d)"])])
def test_audit_certificate_user_function_errors(fn, words, user_module, tmp_path, capsys):
    rc, out, err = _run(capsys, "audit-certificate", "--radius", f"{user_module}:{fn}", "--mechanism", "gaussian",
                        "--norm", "l2", "--no-simulate", "--binary-only", "--grid", "8", "--out", str(tmp_path / "o"))
    _one_error_line(rc, err, *words)


def test_audit_certificate_user_function_errors_api(user_module):
    from theory import audit_certificate as A

    for fn, pat in (("raises", "raised ZeroDivisionError"), ("wrong", "cannot be called")):
        with pytest.raises(ValueError, match=pat):
            A.audit_certificate(A.load_radius_function(f"{user_module}:{fn}"), mechanism="gaussian", norm="l2",
                                simulate=False, multiclass=False, grid=8)


def test_audit_certificate_user_module_that_raises_on_import(tmp_path, capsys):
    p = tmp_path / "broken.py"
    p.write_text("raise RuntimeError('no import for you')\n")
    rc, out, err = _run(capsys, "audit-certificate", "--radius", f"{p}:f", "--mechanism", "gaussian", "--norm", "l2",
                        "--out", str(tmp_path / "o"))
    _one_error_line(rc, err, "RuntimeError", "no import for you")


@pytest.mark.parametrize("extra,words", [
    (["--mechanism", "bogus"], ["--mechanism", "bogus"]),
    (["--norm", "l3"], ["--norm", "l3"]),
    (["--mechanism", "bogus", "--norm", "l3"], ["--mechanism"]),
    (["--norm", "linf"], ["--norm linf contradicts --registered c11", "l2"]),
    (["--mechanism", "laplace"], ["--mechanism laplace contradicts", "gaussian"]),
])
def test_audit_certificate_registered_refuses_other_mechanism_or_norm(extra, words, tmp_path, capsys):
    rc, out, err = _run(capsys, "audit-certificate", *FAST_ARGS["audit-certificate"], *extra,
                        "--out", str(tmp_path / "o"))
    _one_error_line(rc, err, *words)
    assert not (tmp_path / "o").exists()


def test_audit_certificate_registered_accepts_its_own_mechanism_and_norm(tmp_path, capsys):
    rc, out, err = _run(capsys, "audit-certificate", *FAST_ARGS["audit-certificate"], "--mechanism", "gaussian",
                        "--norm", "l2", "--out", str(tmp_path / "o"), "--json")
    assert rc in (0, 1), err
    got = json.loads(out)
    assert got["mechanism"] == "gaussian" and got["norm"] == "l2" and got["registered"] == "c11"


def test_claims_thorough_needs_check(capsys):
    rc, out, err = _run(capsys, "claims", "--thorough")
    _one_error_line(rc, err, "--thorough", "--check")
    rc, out, err = _run(capsys, "claims", "--id", "D4", "--thorough", "--json")
    _one_error_line(rc, err, "--thorough")


# ---------------------------------------------------------------------------------------------------------
# item 10: rs-verify theory ... imports from the current directory and names itself
# ---------------------------------------------------------------------------------------------------------

def test_console_script_imports_user_module_from_cwd(tmp_path, monkeypatch, capsys):
    """A console script has its bin/ folder, not the current directory, on sys.path (`python -m` has '')."""
    from empirical.console import console_main

    name = "usercert_cwd_i20"
    (tmp_path / f"{name}.py").write_text(USER_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    monkeypatch.delitem(sys.modules, name, raising=False)
    try:
        rc = console_main(["theory", "audit-certificate", "--radius", f"{name}:cohen", "--mechanism", "gaussian",
                           "--norm", "l2", "--no-simulate", "--binary-only", "--grid", "8", "--out", "o", "--json"])
        cap = capsys.readouterr()
        assert rc == 0, cap.err
        assert json.loads(cap.out)["exceeds_tight"] is False   # Cohen et al.'s radius is the tight one
        assert str(tmp_path) not in sys.path   # the current directory was added for the import only
    finally:
        sys.modules.pop(name, None)


def test_console_script_names_the_program_as_typed(capsys, tmp_path):
    from empirical.console import console_main

    assert console_main(["theory", "claims", "--thorough"]) == 2
    assert capsys.readouterr().err.startswith("rs-verify theory claims: error: --thorough")
    with pytest.raises(SystemExit) as exc:
        console_main(["theory", "radius", "--no-such-option"])
    assert exc.value.code == 2 and capsys.readouterr().err.startswith("rs-verify theory")
    assert console_main(["theory", "--version"]) == 0
    assert capsys.readouterr().out.startswith("rs-verify theory ")
    console_main(["empirical", "--version"])   # without torch: an error line, with it: the version; both name it
    cap = capsys.readouterr()
    assert (cap.out + cap.err).startswith("rs-verify empirical")
    # and the provenance of a report records the command as typed
    assert console_main(["theory", "scaling", *FAST_ARGS["scaling"], "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    prov = json.loads((tmp_path / "scaling.json").read_text())["provenance"]
    assert prov["command"].startswith("rs-verify theory scaling --dims 10 100")


# ---------------------------------------------------------------------------------------------------------
# item 11: --json is a flag everywhere; the file path is --json-out
# ---------------------------------------------------------------------------------------------------------

def test_scaling_json_flag_prints_the_file_object(tmp_path, capsys):
    rc, out, err = _run(capsys, "scaling", *FAST_ARGS["scaling"], "--out", str(tmp_path), "--json")
    assert rc == 0, err
    assert json.loads(out) == json.loads((tmp_path / "scaling.json").read_text())
    rc, out, err = _run(capsys, "scaling", *FAST_ARGS["scaling"], "--out", str(tmp_path / "b"),
                        "--json-out", str(tmp_path / "elsewhere" / "s.json"))
    assert rc == 0 and json.loads((tmp_path / "elsewhere" / "s.json").read_text())["settings"]["dims"] == [10, 100]
    assert not (tmp_path / "b" / "scaling.json").exists() and (tmp_path / "b" / "scaling.md").exists()


def test_soundness_json_flag_prints_the_file_object(tmp_path, capsys, monkeypatch):
    from theory import soundness as S

    real = S.compute_soundness
    monkeypatch.setattr(S, "compute_soundness",   # one setting instead of 1020 (the CLI is under test)
                        lambda **kw: real(grid=[(S.halfspace_l2(0.1, 0.5), 1000)], **kw))
    rc, out, err = _run(capsys, "soundness", *FAST_ARGS["soundness"], "--out", str(tmp_path), "--json")
    assert rc == 0, err
    assert json.loads(out) == json.loads((tmp_path / "soundness.json").read_text())


# audit --json / --json-out: tests/theory/test_audit.py::test_cli_subset_exit_code_and_json_path


@pytest.mark.parametrize("command", ["audit", "scaling", "soundness"])
def test_json_is_a_flag_not_a_path(command, tmp_path, capsys):
    """`--json PATH` (the old form) is now a usage error, not a silently different behaviour."""
    rc, out, err = _run(capsys, command, *FAST_ARGS[command], "--out", str(tmp_path), "--json",
                        str(tmp_path / "x.json"))
    assert rc == 2 and "unrecognized arguments" in err and not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("package,prog", [("theory.commands", "python -m theory"),
                                          ("empirical.commands", "python -m empirical")])
def test_every_json_option_is_a_flag(package, prog):
    """README: `--json` prints one JSON object, in every command of both sides."""
    import argparse

    from theory.cli import _command_names, build_parser

    if package.startswith("empirical"):
        pytest.importorskip("torch")
    for name in _command_names(package):
        parser = build_parser(prog, package, "", only=name)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for cmd, p in sub.choices.items():
            for a in p._actions:
                if "--json" in a.option_strings:
                    assert a.nargs == 0, f"{cmd}: --json takes a value"


# ---------------------------------------------------------------------------------------------------------
# item 14: witness --generate prints the d its files are built at; from_json on a JSON list
# ---------------------------------------------------------------------------------------------------------

def test_witness_generate_prints_the_d_of_its_files(tmp_path, capsys, monkeypatch):
    from theory import certificates as C
    from theory import claim_witness as CW

    monkeypatch.setattr(C, "SOUNDNESS_SETTINGS", {"t18": [{"c": 1.0, "d": 3072}]})
    monkeypatch.setattr(CW, "generate_claim_witnesses", lambda out: [])
    rc, out, err = _run(capsys, "witness", "--generate", "--out", str(tmp_path))
    assert rc == 0, err
    files = [ln.split("-> ", 1)[1] for ln in out.splitlines() if "-> " in ln]
    assert files
    for f in files:
        with open(f) as fh:
            w = json.load(fh)
        assert w["d"] == w["params"]["d"] == 16 and f"_d{w['d']}_" in f
        assert f"witnesses at d = {w['d']} (searched at d = 3072" in out


def test_t18_ratio_to_tight_does_not_depend_on_d():
    """Why l_inf witnesses may be built at d = 16 for a search at d = 3072: T18's radius and the tight Gaussian
    l_inf radius both scale as 1/sqrt(d) (the tight one is sigma Phi^-1(pA) / sqrt(d), the l2 ball's corner)."""
    from statistics import NormalDist

    from theory import certificates as C
    from theory.witness import WITNESS_LINF_D

    t18 = C.get("t18")
    for e in (1e-3, 1e-6, 1e-9):
        for c in (0.5, 1.0, 2.0):
            ratios = []
            for d in (WITNESS_LINF_D, 3072, 150528):
                tight = NormalDist().inv_cdf(1 - e) / math.sqrt(d)   # independent oracle (sigma = 1)
                ratios.append(t18.radius(one_minus_pA=e, sigma=1.0, c=c, d=d) / tight)
            assert ratios[0] == pytest.approx(ratios[1], rel=1e-9) == pytest.approx(ratios[2], rel=1e-9)


@pytest.mark.parametrize("which", ["scaling", "soundness", "audit_certificate", "audit"])
@pytest.mark.parametrize("content", ["[1, 2]", '"text"', "3", "{not json", '{"schema_version": 1}'])
def test_from_json_of_a_wrong_file_is_a_value_error(which, content, tmp_path):
    from theory.audit import AuditResult
    from theory.audit_certificate import AuditCertificateResult
    from theory.scaling import ScalingResult
    from theory.soundness import SoundnessResult

    cls = {"scaling": ScalingResult, "soundness": SoundnessResult, "audit_certificate": AuditCertificateResult,
           "audit": AuditResult}[which]
    p = tmp_path / "r.json"
    p.write_text(content)
    with pytest.raises(ValueError, match="r.json"):
        cls.from_json(p)
