"""Command-line entry: ``python -m empirical COMMAND ...`` (same conventions as ``python -m theory``).

Without the ``empirical`` extra (torch, scikit-learn), ``--version``, ``--help`` and the commands of
:data:`WITHOUT_EXTRA` (``replay``, ``analyze``: reading logs needs numpy/scipy only) still run; every other
command answers with one ``error:`` line and exit 2 naming what to install.
"""

import importlib.util
import sys
from collections.abc import Sequence

from theory.cli import main_for

#: The modules of the ``empirical`` extra (pyproject.toml) that the commands import.
EXTRA_MODULES = ("torch", "sklearn")
#: Commands that run without the extra (they never import torch).
WITHOUT_EXTRA = ("replay", "analyze")
_PROG = "python -m empirical"
_DESCRIPTION = ("Randomized-smoothing experiments in torch: train, certify, predict, analyze, bench, replay, "
                "experiment.")


def missing_extra() -> list[str]:
    """The modules of the ``empirical`` extra that cannot be imported (without importing them)."""
    out = []
    for name in EXTRA_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append("scikit-learn" if name == "sklearn" else name)
    return out


def _install_hint(missing: list[str]) -> str:
    return (f"{', '.join(missing)} not installed; the empirical commands need the `empirical` extra: "
            f"pip install -e \".[empirical]\" (install the torch build you want first, e.g. pip install "
            f"torch==2.13.0 for the CPU)")


def _help_without_extra(missing: list[str], prog: str = _PROG) -> int:
    """``--help`` without the extra: every command listed, the ones needing it marked (no torch import)."""
    import argparse

    from theory.cli import _commands, _Parser, _version

    parser = _Parser(prog=prog, description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog=f"Only {', '.join(WITHOUT_EXTRA)} run{'s' if len(WITHOUT_EXTRA) == 1 else ''} here: "
                            + _install_hint(missing) + ".")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}",
                        help="print the rs-verify version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for mod in _commands("empirical.commands"):
        sub.add_parser(mod.NAME, help=mod.HELP + ("" if mod.NAME in WITHOUT_EXTRA else
                                                   f" [needs {', '.join(missing)}]"))
    parser.print_help()
    return 0


def main(argv: Sequence[str] | None = None, prog: str = _PROG) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    missing = missing_extra()
    first = next((a for a in argv if not a.startswith("-")), None)
    if missing and argv[:1] != ["--version"] and first not in WITHOUT_EXTRA:
        if first is None and any(a in ("-h", "--help") for a in argv):
            return _help_without_extra(missing, prog)
        # one line and exit 2, like any bad input, instead of a traceback from the first import
        where = f"{prog} {first}" if first else prog
        print(f"{where}: error: {_install_hint(missing)}", file=sys.stderr)
        return 2
    return main_for(prog, "empirical.commands", _DESCRIPTION, argv)
