"""Subcommands of ``python -m empirical``: one module each (NAME, HELP, add_arguments, run)."""
