"""Where a report came from: command, seed, code version (commit) and library versions."""

from __future__ import annotations

import dataclasses
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["Provenance", "git_commit", "library_versions", "package_version"]

#: Libraries whose versions every report records (torch too, but only when already imported:
#: the theory side must never import it).
_LIBRARIES = ("numpy", "scipy", "mpmath", "sympy", "matplotlib")


def package_version() -> str:
    """The installed version of ``rs-verify`` (pyproject.toml is the one place it is written).

    Examples
    --------
    >>> package_version().count(".") >= 1
    True
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rs-verify")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout that was never installed
        return "0+unknown"


def library_versions() -> dict[str, str]:
    """``{library: version}``: Python, numpy, scipy, mpmath, sympy, matplotlib, and torch when it is already
    imported (the theory side never imports it) -- the ``versions`` of every :class:`Provenance` and of the
    checkpoints' metadata.

    Examples
    --------
    >>> v = library_versions()
    >>> list(v)[:3], "torch" in v or "torch" not in sys.modules
    (['python', 'numpy', 'scipy'], True)
    """
    import importlib

    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = str(importlib.import_module(name).__version__)
        except ImportError:  # pragma: no cover - all are dependencies
            continue
    if "torch" in sys.modules:
        versions["torch"] = str(sys.modules["torch"].__version__)
    return versions


def _root() -> Path:
    """The checkout the code was imported from."""
    return Path(__file__).resolve().parents[2]


def git_commit() -> str | None:
    """``git rev-parse HEAD`` of the checkout the code was imported from (None outside git or without git).

    Examples
    --------
    >>> c = git_commit()
    >>> c is None or len(c) == 40
    True
    """
    if not (_root() / ".git").exists():
        return None
    return _git(_root(), "rev-parse", "HEAD")


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10,
                             check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


@dataclasses.dataclass(frozen=True)
class Provenance:
    """The provenance block of a report.

    Attributes
    ----------
    command
        The documented command that regenerates the report.
    seed
        The random seed (``None`` for deterministic computations).
    version
        The ``rs-verify`` version.
    commit
        ``git rev-parse HEAD`` of the checkout the code was imported from (``None`` outside git).
    dirty
        Whether tracked files differed from that commit.
    versions
        ``{library: version}`` for Python and the numerical libraries.

    Examples
    --------
    >>> p = Provenance.collect("python -m theory scaling", seed=0)
    >>> p.command, p.seed, "numpy" in p.versions
    ('python -m theory scaling', 0, True)
    >>> p.markdown().startswith("Provenance: `python -m theory scaling`")
    True
    >>> Provenance.from_dict(dataclasses.asdict(p)) == p
    True
    """

    command: str
    seed: int | None = None
    version: str = ""
    commit: str | None = None
    dirty: bool = False
    versions: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def collect(cls, command: str, seed: int | None = None) -> Provenance:
        """Record the provenance of a run of ``command`` now (git is asked about the imported checkout)."""
        if not isinstance(command, str) or not command:
            raise ValueError(f"command must be a non-empty string, got {command!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"seed must be an integer or None, got {seed!r}")
        commit = git_commit()
        dirty = None
        if commit is not None:
            status = _git(_root(), "status", "--porcelain", "--untracked-files=no")
            dirty = bool(status) if status is not None else None
        return cls(command=command, seed=seed, version=package_version(), commit=commit, dirty=bool(dirty),
                   versions=library_versions())

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Provenance:
        """Inverse of :func:`dataclasses.asdict` (e.g. read from a result's JSON)."""
        return cls(command=d["command"], seed=d.get("seed"), version=d.get("version", ""),
                   commit=d.get("commit"), dirty=bool(d.get("dirty", False)),
                   versions=dict(d.get("versions", {})))

    def markdown(self) -> str:
        """One Markdown paragraph (no trailing newline) naming command, seed, code and library versions."""
        parts = [f"Provenance: `{self.command}`"]
        if self.seed is not None:
            parts.append(f"seed {self.seed}")
        if self.version:
            parts.append(f"rs-verify {self.version}")
        if self.commit:
            parts.append(f"commit `{self.commit[:12]}`" + (" (with uncommitted changes)" if self.dirty else ""))
        parts += [f"{'Python' if k == 'python' else k} {v}" for k, v in self.versions.items()]
        return " · ".join(parts) + "."
