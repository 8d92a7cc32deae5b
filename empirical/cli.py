"""Command-line entry: ``python -m empirical COMMAND ...`` (same conventions as ``python -m theory``)."""

from theory.cli import main_for


def main(argv=None) -> int:
    return main_for("python -m empirical", "empirical.commands",
                    "Randomized-smoothing experiments in torch: train, certify, predict, bench, replay, "
                    "experiment.", argv)
