"""docs/ARCHITECTURE.md matches the tree (issue 22 item 6): every module of theory/ and empirical/ (top level and
packages; private helpers with a leading underscore other than those the document names are exempt) has a row in
its module tables, and every ``theory.X`` / ``empirical.X`` module the tables name exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


def _tree_modules():
    out = set()
    for pkg in ("theory", "empirical"):
        for p in (ROOT / pkg).iterdir():
            if p.name.startswith(("_", ".")) or p.name == "__pycache__":
                continue
            if p.suffix == ".py":
                out.add(f"{pkg}.{p.stem}")
            elif p.is_dir() and (p / "__init__.py").exists():
                out.add(f"{pkg}.{p.name}")
    return out


def _table_modules():
    rows = [line for line in DOC.splitlines() if line.startswith("| `")]
    names = set()
    for row in rows:
        first = row.split("|")[1]
        names |= set(re.findall(r"`((?:theory|empirical)\.[a-z_0-9]+)(?:\.\*)?`", first))
    return names


def test_every_module_has_a_row():
    missing = sorted(_tree_modules() - _table_modules())
    assert not missing, f"modules without a row in docs/ARCHITECTURE.md: {missing}"


def test_every_row_names_an_existing_module():
    for name in _table_modules():
        pkg, mod = name.split(".")
        assert (ROOT / pkg / f"{mod}.py").exists() or (ROOT / pkg / mod / "__init__.py").exists(), name
