"""The ``rs-verify`` console script: ``rs-verify theory COMMAND ...`` or ``rs-verify empirical COMMAND ...``.

It lives here, not in :mod:`theory.cli`, because it dispatches to both sides and ``theory`` never imports
``empirical`` (issue 22; tests/test_import_graph.py).  Importing it imports neither torch nor a command module.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["console_main"]

USAGE = ("usage: rs-verify [-h] [--version] {theory,empirical} COMMAND ...\n\n"
         "  rs-verify theory ...     the theory side (same as python -m theory ...)\n"
         "  rs-verify empirical ...  the torch experiments (same as python -m empirical ...)\n")


def console_main(argv: Sequence[str] | None = None) -> int:
    """The ``rs-verify`` console script (pyproject ``[project.scripts]``).

    The same as ``python -m theory ...`` / ``python -m empirical ...`` (which keep working).

    >>> console_main(["--version"])        # doctest: +ELLIPSIS
    rs-verify ...
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0 if argv else 2
    if argv[0] == "--version":
        from theory.report.provenance import package_version

        print(f"rs-verify {package_version()}")
        return 0
    if argv[0] == "theory":
        from theory.cli import main as theory_main

        return int(theory_main(argv[1:], prog="rs-verify theory"))  # messages name the program as typed
    if argv[0] == "empirical":
        from empirical.cli import main as empirical_main

        return int(empirical_main(argv[1:], prog="rs-verify empirical"))
    print(f"rs-verify: error: the first word must be 'theory' or 'empirical', got {argv[0]!r}", file=sys.stderr)
    return 2
