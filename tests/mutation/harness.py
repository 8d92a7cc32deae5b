"""Apply one mutant to a temporary copy of the tree and run its tests there (PYTHONPATH at the copy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.mutation.mutants import MUTANTS, Mutant

ROOT = Path(__file__).resolve().parents[2]
_COPY = ("theory", "empirical", "tests", "pyproject.toml")


@dataclass(frozen=True)
class Outcome:
    id: str
    status: str        # "caught", "survived", "error: ..." (snippet not found / not unique / test broken)
    seconds: float
    detail: str = ""


def _copy_tree(dst: Path) -> None:
    ign = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    for name in _COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dst / name, ignore=ign)
        elif src.exists():
            shutil.copy2(src, dst / name)


def _pytest(cwd: Path, tests, timeout: float) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(cwd), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--no-header", *tests]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def run_mutant(m: Mutant, timeout: float = 300.0) -> Outcome:
    """caught: the listed tests fail (pytest exit 1) on the mutant; survived: they pass; error: the snippet is
    not found exactly once, or pytest could not run the tests (collection error, missing node id)."""
    t0 = time.perf_counter()
    src = (ROOT / m.file).read_text(encoding="utf-8")
    n = src.count(m.old)
    if n != 1:
        return Outcome(m.id, f"error: snippet found {n} times in {m.file}", time.perf_counter() - t0)
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        dst = Path(tmp)
        _copy_tree(dst)
        (dst / m.file).write_text(src.replace(m.old, m.new), encoding="utf-8")
        try:
            r = _pytest(dst, m.tests, timeout)
        except subprocess.TimeoutExpired:
            return Outcome(m.id, "error: timeout", time.perf_counter() - t0)
    tail = (r.stdout + r.stderr).strip().splitlines()[-1:] if (r.stdout or r.stderr) else [""]
    status = {0: "survived", 1: "caught"}.get(r.returncode, f"error: pytest exit {r.returncode}")
    return Outcome(m.id, status, time.perf_counter() - t0, tail[0])


def run_all(mutants=MUTANTS, ids=None, timeout: float = 300.0, progress=None) -> list[Outcome]:
    out = []
    for m in mutants:
        if ids and m.id not in ids:
            continue
        o = run_mutant(m, timeout)
        if progress is not None:
            progress(o)
        out.append(o)
    return out


def baseline(mutants=MUTANTS, timeout: float = 600.0) -> subprocess.CompletedProcess:
    """The union of the mutants' tests on the unmutated tree (must pass, else 'caught' means nothing)."""
    tests = sorted({t for m in mutants for t in m.tests})
    return _pytest(ROOT, tests, timeout)


def table(outcomes) -> str:
    by = {m.id: m for m in MUTANTS}
    lines = ["| mutant | file | planted bug | result | seconds |", "|---|---|---|---|---|"]
    for o in outcomes:
        m = by[o.id]
        lines.append(f"| {o.id} | {m.file} | {m.issue} | {o.status} | {o.seconds:.1f} |")
    return "\n".join(lines)
