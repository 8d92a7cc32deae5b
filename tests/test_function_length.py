"""No library function over ~80 lines without a stated reason (issue 22, item 5).

A function's length is counted from its ``def`` line to its last line, without its docstring (comments and blank
lines count: they are read too).  Library code is every module of ``theory`` and ``empirical``.  A function over
:data:`LIMIT` lines fails unless :data:`LONG_FUNCTIONS` names it with a reason and the length it had when it was
listed; a listed function may not grow past that length, and an entry whose function is gone or has come under
the limit fails too (delete it), so the list only shrinks.

``python tests/test_function_length.py`` prints every function over the limit, longest first.
"""

from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "empirical")
LIMIT = 80

#: "path:qualified name" -> (lines when listed, why it is still long). Nothing may be added here without a reason
#: a reviewer accepts.  Empty: the 14 functions listed on 2026-12-07 (issue 22, item 5) have been split.
LONG_FUNCTIONS: dict[str, tuple[int, str]] = {}


@functools.cache
def function_lengths(root: Path = ROOT) -> dict[str, int]:
    """``"path:qualified name" -> lines`` (def line to last line, docstring not counted) for every function."""
    out: dict[str, int] = {}
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            _walk(ast.parse(path.read_text(encoding="utf-8")), rel, "", out)
    return out


def _walk(node: ast.AST, rel: str, prefix: str, out: dict[str, int]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                n = (child.end_lineno or child.lineno) - child.lineno + 1
                body = child.body
                if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                        and isinstance(body[0].value.value, str)):
                    n -= (body[0].end_lineno or body[0].lineno) - body[0].lineno + 1
                out[f"{rel}:{name}"] = n
            _walk(child, rel, name + ".", out)
        else:
            _walk(child, rel, prefix, out)


def test_no_new_long_function():
    long = {k: n for k, n in function_lengths().items() if n > LIMIT}
    new = {k: n for k, n in long.items() if k not in LONG_FUNCTIONS}
    assert not new, (f"functions over {LIMIT} lines: {new}; split them into named steps (or, with a reason a "
                     "reviewer accepts, add them to LONG_FUNCTIONS)")


def test_listed_long_functions_do_not_grow_and_the_list_is_current():
    lengths = function_lengths()
    grown = {k: (lengths[k], n) for k, (n, _) in LONG_FUNCTIONS.items() if k in lengths and lengths[k] > n}
    assert not grown, f"listed long functions grew (now, listed): {grown}; split them instead"
    stale = [k for k in LONG_FUNCTIONS if lengths.get(k, 0) <= LIMIT]
    assert not stale, f"gone or now within {LIMIT} lines: {stale}; delete them from LONG_FUNCTIONS"


def test_the_measure_counts_a_long_function(tmp_path):
    """The counter itself: a 90-line function (plus a 3-line docstring) in a nested class method is found."""
    pkg = tmp_path / "theory"
    pkg.mkdir()
    body = "\n".join(f"        x{i} = {i}" for i in range(89))
    (pkg / "m.py").write_text(f'class A:\n    def f(self):\n        """Doc.\n\n        More."""\n{body}\n')
    assert function_lengths(tmp_path) == {"theory/m.py:A.f": 90}


if __name__ == "__main__":
    for key, n in sorted(function_lengths().items(), key=lambda kv: -kv[1]):
        if n > LIMIT:
            sys.stdout.write(f"{n:5d}  {key}  ({LONG_FUNCTIONS.get(key, (0, 'NOT LISTED'))[1]})\n")
