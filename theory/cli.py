"""Command-line entry: ``python -m theory COMMAND ...``.

Each subcommand lives in its own module under :mod:`theory.commands` and exposes
``NAME`` (the command word), ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Adding a command means adding a module; this file never changes.

Errors: any ``ValueError`` (bad input) becomes a one-line ``error: ...`` on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any, NoReturn

from theory import jsonio


def _command_names(package: str) -> list[str]:
    pkg = importlib.import_module(package)
    return sorted(i.name for i in pkgutil.iter_modules(pkg.__path__) if not i.name.startswith("_"))


def _commands(package: str, only: str | None = None) -> list[ModuleType]:
    """Import the command modules (just ``only`` when it names one: start-up stays fast)."""
    names = _command_names(package)
    if only is not None and only in names:
        names = [only]
    return [importlib.import_module(f"{package}.{name}") for name in names]


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line + exit 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(prog: str, package: str, description: str, only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, description=description,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}",
                        help="print the rs-verify version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for mod in _commands(package, only):
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=(mod.__doc__ or mod.HELP),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def _version() -> str:
    from theory.report.provenance import package_version

    return package_version()


def main_for(prog: str, package: str, description: str, argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--version"]:  # answered before any command module is imported (start-up stays fast)
        print(f"{prog} {_version()}")
        return 0
    first = argv[0] if argv and not argv[0].startswith("-") else None
    parser = build_parser(prog, package, description, only=first)
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except ValueError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        print(f"{prog} {args.command}: error: {msg}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        print(f"{prog} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog} {args.command}: interrupted", file=sys.stderr)
        return 130


def print_json(obj: Any) -> None:
    print(json.dumps(jsonio.to_jsonable(obj), indent=2, sort_keys=False))


def main(argv: Sequence[str] | None = None) -> int:
    return main_for("python -m theory", "theory.commands",
                    "Theory-verification toolkit for randomized smoothing (divergences, mechanisms, "
                    "certificates, claims, audit, scaling).", argv)

