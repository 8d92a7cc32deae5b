"""Subcommands of ``python -m theory``: one module each (NAME, HELP, add_arguments, run)."""
