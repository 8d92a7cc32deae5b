"""The report toolkit (theory.report), the JSON helpers (theory.jsonio) and public validation."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

from theory import jsonio
from theory.report import Provenance, fmt, md_table, new_figure, save_figure

REPO = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------------- fmt
@pytest.mark.parametrize("x, digits, expected", [
    (0.123456, 4, "0.1235"),
    (12345.6, 4, "1.235e+04"),       # 1e4 <= |x| < 1e5: Python's g notation (itself exponential here) ...
    (99999.0, 6, "99999"),           # ... which keeps integers in range when digits allow
    (123456.0, 4, "1.235e+05"),      # from 1e5 on, scientific with digits - 1 decimals
    (0.001, 4, "0.001"),             # the lower bound is inclusive
    (0.000999, 4, "9.990e-04"),
    (-2.5e-7, 3, "-2.50e-07"),
    (0, 4, "0"), (0.0, 4, "0"), (-0.0, 4, "0"),
    (42, 4, "42"), (np.int64(10**12), 4, "1000000000000"),   # ints are never rounded
    (float("inf"), 4, "inf"), (-math.inf, 4, "-inf"), (float("nan"), 4, "nan"),
    (None, 4, "—"), (True, 4, "yes"), (np.bool_(False), 4, "no"),
    ("as is", 4, "as is"),
    # negative numbers in fixed notation (issue 20): the range test is on |x|, the sign is kept
    (-0.123456, 4, "-0.1235"), (-1.0, 4, "-1"), (-12.5, 3, "-12.5"), (-0.001, 4, "-0.001"),
    (-99999.0, 6, "-99999"), (-0.000999, 4, "-9.990e-04"), (-123456.0, 4, "-1.235e+05"),
])
def test_fmt_values(x, digits, expected):
    # 12345.6 with g and 4 digits is '1.235e+04' in Python itself: the expected strings are Python's
    # own format() results written out by hand.
    assert fmt(x, digits) == expected


def test_fmt_mpmath_and_options():
    import mpmath

    assert fmt(mpmath.mpf("0.5")) == "0.5"
    assert fmt(1234567.0, 3, style="g") == "1.23e+06"
    assert fmt(20000.0, 4, sci_above=1e4) == "2.000e+04"
    assert fmt(None, none="–") == "–"


@pytest.mark.parametrize("bad", [{"digits": 0}, {"digits": 2.5}, {"digits": True}, {"style": "f"}])
def test_fmt_rejects_bad_options(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        fmt(1.0, **bad)


# ------------------------------------------------------------------------------------------ md_table
def test_md_table_exact_text():
    got = md_table(["a", "b"], [[1, 0.5], ["x", None]])
    assert got == "| a | b |\n|---|---|\n| 1 | 0.5 |\n| x | — |"


def test_md_table_escapes_pipes_and_newlines_in_cells_and_headers():
    got = md_table(["p|q"], [["a|b"], ["line1\nline2"]])
    lines = got.split("\n")
    assert lines[0] == "| p\\|q |"
    assert lines[2] == "| a\\|b |"
    assert lines[3] == "| line1 line2 |"
    # every row has exactly as many unescaped separators as the header row
    for line in lines:
        assert line.replace("\\|", "").count("|") == 2


def test_md_table_formats_numbers_with_digits():
    assert md_table(["r"], [[1 / 3]], digits=2).split("\n")[-1] == "| 0.33 |"


def test_md_table_rejects_ragged_rows_and_empty_headers():
    with pytest.raises(ValueError, match=r"rows\[1\]"):
        md_table(["a", "b"], [[1, 2], [3]])
    with pytest.raises(ValueError, match="headers"):
        md_table([], [])


# ------------------------------------------------------------------------------------------ figures
def test_new_figure_does_not_touch_backend_or_pyplot(tmp_path):
    import matplotlib

    before = matplotlib.get_backend()
    fig, ax = new_figure()
    ax.plot([0, 1], [1, 0])
    save_figure(fig, tmp_path / "a.png")
    assert matplotlib.get_backend() == before
    import sys

    if "matplotlib.pyplot" in sys.modules:  # the figure is not registered with pyplot's figure manager
        import matplotlib.pyplot as plt

        assert all(plt.figure(n) is not fig for n in plt.get_fignums())


def test_new_figure_grid_shapes():
    fig, axes = new_figure(2, 3)
    assert axes.shape == (2, 3)
    fig, axes = new_figure(1, 1, squeeze=False)
    assert axes.shape == (1, 1)


def _draw():
    fig, (a, b) = new_figure(1, 2, figsize=(4, 2))
    x = np.linspace(0.0, 1.0, 50)
    a.plot(x, x**2, label="x²")
    a.legend()
    b.semilogy(x + 0.1, np.exp(x))
    fig.tight_layout()
    return fig


def test_save_figure_is_deterministic_and_has_no_software_chunk(tmp_path):
    p1 = save_figure(_draw(), tmp_path / "one.png")
    p2 = save_figure(_draw(), tmp_path / "sub" / "two.png")
    b1, b2 = p1.read_bytes(), p2.read_bytes()
    assert b1[:8] == b"\x89PNG\r\n\x1a\n"
    assert b1 == b2
    assert b"Software" not in b1 and b"Matplotlib" not in b1


def test_save_figure_requires_png(tmp_path):
    fig, _ = new_figure()
    with pytest.raises(ValueError, match="path"):
        save_figure(fig, tmp_path / "x.pdf")


# --------------------------------------------------------------------------------------- provenance
def test_provenance_records_command_seed_versions_and_commit():
    import numpy

    p = Provenance.collect("python -m theory scaling", seed=7)
    assert p.command == "python -m theory scaling" and p.seed == 7
    assert p.versions["numpy"] == numpy.__version__
    assert "torch" not in p.versions or "torch" in __import__("sys").modules
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:
        assert p.commit == head.stdout.strip()
    md = p.markdown()
    assert md.startswith("Provenance: `python -m theory scaling` · seed 7 · rs-verify ")
    assert f"numpy {numpy.__version__}" in md and "\n" not in md
    # asdict-able, and JSON round trip gives back an equal object
    d = json.loads(json.dumps(dataclasses.asdict(p)))
    assert Provenance.from_dict(d) == p


@pytest.mark.parametrize("kw", [{"command": ""}, {"command": "x", "seed": 1.5}, {"command": "x", "seed": True}])
def test_provenance_rejects_bad_input(kw):
    with pytest.raises(ValueError):
        Provenance.collect(**kw)


# ------------------------------------------------------------------------------------------- jsonio
@dataclasses.dataclass(frozen=True)
class _Res:
    name: str
    r: float
    arr: tuple


def test_to_jsonable_and_round_trip(tmp_path):
    import mpmath

    obj = {"res": _Res("x", math.inf, (np.float32(0.5), np.int8(3))), 1: mpmath.mpf(-math.inf),
           "flag": np.bool_(True), "nan": float("nan"), "a": np.array([[1.0, 2.0]])}
    j = jsonio.to_jsonable(obj)
    assert j == {"res": {"name": "x", "r": "inf", "arr": [0.5, 3]}, "1": "-inf", "flag": True, "nan": "nan",
                 "a": [[1.0, 2.0]]}
    p = jsonio.dump_json(obj, tmp_path / "d" / "o.json")
    assert p.read_text(encoding="utf-8").endswith("}\n")
    assert jsonio.load_json(p) == j
    assert jsonio.json_float("-inf") == -math.inf and math.isnan(jsonio.json_float("nan"))
    with pytest.raises(ValueError, match="x must be"):
        jsonio.json_float("infinity")


def test_dump_json_keeps_unicode_by_default(tmp_path):
    p = jsonio.dump_json({"s": "σ‖z‖"}, tmp_path / "u.json")
    assert "σ‖z‖" in p.read_text(encoding="utf-8")


def test_compatibility_aliases_are_gone():
    """Issue 22: no re-export of to_jsonable from theory.cli, no theory._validate alias of theory.validate."""
    from pathlib import Path

    import theory
    from theory import cli, validate

    assert not hasattr(cli, "to_jsonable")
    assert not (Path(theory.__file__).parent / "_validate.py").exists()
    with pytest.raises(ValueError, match="sigma"):
        validate.positive("sigma", -1.0)


def test_version_flag(capsys):
    from theory.cli import main
    from theory.report.provenance import package_version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"python -m theory {package_version()}"
