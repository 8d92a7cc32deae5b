"""The import graph of ``theory`` and ``empirical`` (issue 22, layering).

Static (``ast``, every ``import`` statement, also those inside functions): no import cycle between modules, no
``theory`` module importing ``empirical`` (also not by name through ``importlib``), and the layering rules of
docs/ARCHITECTURE.md.  Dynamic: every module imports on its own (a fresh import of each, in one subprocess).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "empirical")

#: Import cycles tolerated: none (issue 22; the replay loop was removed by the issue-20 replay work).
ALLOWED_CYCLES: tuple[frozenset[str], ...] = ()

#: (importer, imported): the importer must not reach the imported module, directly or through others.
FORBIDDEN_REACH = (
    ("theory.neyman_pearson", "theory.soundness"),      # the engine sits below the study (theory.ground_truth)
    ("theory.witness", "theory.audit_certificate"),     # the shared checker is theory.audit_witness
    ("theory.cli", "empirical"),                        # the console dispatcher is empirical.console
    ("empirical.train", "empirical.bench"),             # shared helpers: empirical._sysinfo
    ("empirical.jpeg_gap", "empirical.experiments"),
    ("theory.eq6_quadrature", "theory.mechanisms"),
)


def _modules(root: Path = ROOT) -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for p in sorted((root / pkg).rglob("*.py")):
            parts = list(p.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__main__":
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = p
    return out


def _resolve(name: str, mods: dict[str, Path]) -> str | None:
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the modules of ``mods`` it imports (``from a.b import c`` counts a.b.c when that is a module, else
    a.b; a parent package that Python imports implicitly is not an edge)."""
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, path in mods.items():
        pkg = m if path.name == "__init__.py" else m.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = pkg.split(".")[: len(pkg.split(".")) - (node.level - 1)]
                    base = ".".join(parts + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for t in targets:
                r = _resolve(t, mods)
                if r is not None and r != m:
                    edges[m].add(r)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[frozenset[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = set()
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.add(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(frozenset(comp))
    return out


def reach(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for w in edges[todo.pop()]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


MODS = _modules()
EDGES = import_graph(MODS)


def test_the_graph_sees_imports_inside_functions():
    # theory.np_cells imports theory.ground_truth inside a function; scipy edges are not ours
    assert "theory.ground_truth" in EDGES["theory.np_cells"]
    assert "theory.validate" in EDGES["theory.neyman_pearson"]
    assert all(t.split(".")[0] in PACKAGES for t in EDGES["theory.neyman_pearson"])


def test_cycle_detection_on_a_toy_graph():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(g) == [frozenset({"a", "b", "c"})]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    found = [c for c in cycles(EDGES) if c not in ALLOWED_CYCLES]
    assert not found, f"import cycles: {[sorted(c) for c in found]}"


def test_theory_never_imports_empirical():
    bad = sorted((m, t) for m, ts in EDGES.items() if m.startswith("theory") for t in ts
                 if t.startswith("empirical"))
    assert not bad, bad
    # nor by name (importlib.import_module("empirical..."), __import__("empirical"))
    by_name = re.compile(r"""(import_module|__import__)\(\s*f?["']empirical""")
    named = [m for m, p in MODS.items() if m.startswith("theory") and by_name.search(p.read_text(encoding="utf-8"))]
    assert not named, named


@pytest.mark.parametrize(("src", "dst"), FORBIDDEN_REACH)
def test_layering_rules(src, dst):
    hit = sorted(t for t in reach(EDGES, src) if t == dst or t.startswith(dst + "."))
    assert not hit, f"{src} reaches {hit}"


#: imported alone in the default run (the full sweep over every module takes ~10-20 s on the 2-core machine: slow)
QUICK = ("theory.ground_truth", "theory.neyman_pearson", "theory.soundness", "theory.audit_witness", "theory.witness",
         "theory.audit_certificate", "theory.eq6_quadrature", "theory.mechanisms", "theory.noises", "theory.cli",
         "empirical.console", "empirical._sysinfo", "empirical.jpeg_gap", "empirical.experiments")


def _imports_alone(names: list[str]) -> dict[str, str]:
    """A fresh import of each module (every theory / empirical module dropped from sys.modules before the next),
    all in one subprocess: a module that only imports after some other module was imported fails here."""
    code = f"""
import importlib, json, sys, traceback
bad = {{}}
for name in {names!r}:
    for m in [m for m in sys.modules if m.split(".")[0] in ("theory", "empirical")]:
        del sys.modules[m]
    try:
        importlib.import_module(name)
    except Exception:
        bad[name] = traceback.format_exc(limit=3)
print(json.dumps(bad))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "MPLBACKEND": "Agg"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=600, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    bad: dict[str, str] = json.loads(res.stdout.strip().splitlines()[-1])
    return bad


def _selectable(names) -> list[str]:
    have_torch = importlib.util.find_spec("torch") is not None
    return sorted(m for m in names if m in MODS and (have_torch or not m.startswith("empirical")))


def test_quick_modules_import_alone():
    assert set(QUICK) <= set(MODS), set(QUICK) - set(MODS)
    bad = _imports_alone(_selectable(QUICK))
    assert not bad, "\n".join(f"{k}:\n{v}" for k, v in bad.items())


@pytest.mark.slow
def test_every_module_imports_alone():
    bad = _imports_alone(_selectable(MODS))
    assert not bad, "\n".join(f"{k}:\n{v}" for k, v in bad.items())
