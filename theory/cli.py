"""Command-line entry: ``python -m theory COMMAND ...``.

Each subcommand lives in its own module under :mod:`theory.commands` and exposes
``NAME`` (the command word), ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Adding a command means adding a module; this file never changes.

Errors: any ``ValueError`` (bad input) becomes a one-line ``error: ...`` on stderr and exit code 2; so does any
``OSError`` (a read-only, missing or clashing output path, an unreadable input), named by its path.  Commands that
write files check their output folder with :func:`output_folder` before a long computation.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
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
    """Parse ``argv`` and run the command; ``prog`` is the program as the user typed it (``python -m theory``,
    ``rs-verify theory``): it names the program in ``--version``, usage errors and ``error:`` lines.  The command
    finds it as ``args._prog`` and the arguments as ``args._argv`` (see :func:`command_line`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--version"]:  # answered before any command module is imported (start-up stays fast)
        print(f"{prog} {_version()}")
        return 0
    first = argv[0] if argv and not argv[0].startswith("-") else None
    parser = build_parser(prog, package, description, only=first)
    args = parser.parse_args(argv)
    args._prog, args._argv = prog, argv
    try:
        return int(args._run(args) or 0)
    except ValueError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        print(f"{prog} {args.command}: error: {msg}", file=sys.stderr)
        return 2
    except OSError as exc:  # an output folder that is read-only, a file, missing, a full disk ... (issue 20.9)
        print(f"{prog} {args.command}: error: {os_error_message(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog} {args.command}: interrupted", file=sys.stderr)
        return 130


def os_error_message(exc: OSError) -> str:
    """One line for an ``OSError``: the path(s) it names and the system's reason.

    Examples
    --------
    >>> os_error_message(PermissionError(13, "Permission denied", "reports/audit.md"))
    "cannot write or read 'reports/audit.md': Permission denied"
    >>> os_error_message(FileNotFoundError("output folder x does not exist"))
    'output folder x does not exist'
    """
    if exc.filename is None:
        return " ".join(str(exc).split()) or exc.__class__.__name__
    names = repr(os.fsdecode(exc.filename))
    if exc.filename2 is not None:
        names += f" -> {os.fsdecode(exc.filename2)!r}"
    return f"cannot write or read {names}: {exc.strerror or exc.__class__.__name__}"


def output_folder(option: str, path: str | os.PathLike[str]) -> Path:
    """Check, before any work, that the folder ``path`` (given by ``option``, e.g. ``--out``) can hold output:
    it is a folder, or can be created as one, and is writable.  Creates nothing; raises ``ValueError`` naming
    ``option`` and the path otherwise (the CLI turns it into one ``error:`` line and exit code 2).

    Examples
    --------
    >>> import tempfile
    >>> output_folder("--out", tempfile.mkdtemp() + "/new/sub").name
    'sub'
    >>> output_folder("--out", __file__)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --out .../cli.py is a file, not a folder
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise ValueError(f"{option} {p} is a file, not a folder")
    _check_creatable(option, p, p)
    return p


def _check_creatable(option: str, shown: Path, p: Path) -> None:
    """ValueError naming ``option`` and ``shown`` unless the folder ``p`` exists writable or can be created."""
    probe = p
    while not probe.exists():  # the nearest existing ancestor is where the folder would be created
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise ValueError(f"{option} {shown} cannot be created: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):  # also a read-only file system (EROFS), even for root
        what = "is not writable" if probe == shown else f"cannot be written: {probe} is not writable"
        raise ValueError(f"{option} {shown} {what}")


def output_file(option: str, path: str | os.PathLike[str]) -> Path:
    """As :func:`output_folder` for a file ``path``: not a folder, and its folder can hold it.

    Examples
    --------
    >>> import tempfile
    >>> output_file("--json-out", tempfile.mkdtemp() + "/a.json").name
    'a.json'
    """
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"{option} {p} is a folder, not a file")
    _check_creatable(option, p, p.parent)
    if p.exists() and not os.access(p, os.W_OK):
        raise ValueError(f"{option} {p} is not writable")
    return p


def command_line(args: argparse.Namespace, default: str) -> str:
    """The command as the user typed it (``args._prog`` + ``args._argv`` set by :func:`main_for`), for a
    report's provenance; ``default`` when the command was not run through the CLI.

    Examples
    --------
    >>> command_line(argparse.Namespace(_prog="rs-verify theory", _argv=["scaling", "--out", "a b"]), "x")
    "rs-verify theory scaling --out 'a b'"
    """
    prog, argv = getattr(args, "_prog", None), getattr(args, "_argv", None)
    if prog is None or argv is None:
        return default
    return " ".join([prog, *(shlex.quote(a) for a in argv)])


def print_json(obj: Any) -> None:
    print(json.dumps(jsonio.to_jsonable(obj), indent=2, sort_keys=False))


def main(argv: Sequence[str] | None = None, prog: str = "python -m theory") -> int:
    """``python -m theory ...``; ``prog``: the program's name in messages (``rs-verify theory`` from the console
    script)."""
    return main_for(prog, "theory.commands",
                    "Theory-verification toolkit for randomized smoothing (divergences, mechanisms, "
                    "certificates, claims, audit, scaling).", argv)
