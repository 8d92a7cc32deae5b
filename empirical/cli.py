"""Command-line entry: ``python -m empirical COMMAND ...`` (same conventions as ``python -m theory``)."""

import importlib.util
import sys

from theory.cli import main_for

#: The modules of the ``empirical`` extra (pyproject.toml) that the commands import.
EXTRA_MODULES = ("torch", "sklearn")


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


def main(argv=None, prog: str = "python -m empirical") -> int:
    missing = missing_extra()
    if missing:  # one line and exit 2, like any bad input, instead of a traceback from the first import
        print(f"{prog}: error: {', '.join(missing)} not installed; the empirical commands need the "
              f"`empirical` extra: pip install -e \".[empirical]\" (install the torch build you want first, "
              f"e.g. pip install torch==2.13.0 for the CPU)", file=sys.stderr)
        return 2
    return main_for(prog, "empirical.commands",
                    "Randomized-smoothing experiments in torch: train, certify, predict, bench, replay, "
                    "experiment.", argv)
