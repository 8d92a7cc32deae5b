"""Reading and writing the text of certify TSVs without torch: the metadata line (format, prefix, JSON), the
rows, the comparison of two runs' metadata.  :mod:`empirical.certify` (which writes the files, with torch)
re-exports every name; :mod:`empirical.analysis` reads with this module alone, so reviewers need no torch.
The layout is documented in :mod:`empirical.certify`."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


class ResumeMismatch(ValueError):
    """Resuming refused because the existing output cannot be shown to come from this run's parameters
    (no metadata line, unreadable or different metadata; another TSV header).  Callers that keep a cache of
    TSVs catch this (and only this) to recompute; malformed rows stay plain ValueErrors."""


#: Version of the TSV layout written here (the ``format`` key of the metadata line).
FORMAT = 1
#: Start of the metadata line (line 2 of a certify TSV); the rest of the line is one JSON object.
METADATA_PREFIX = "# rs-verify-certify "
#: Metadata keys recorded but not compared on resume or merge: they change no row (a row depends on the settings
#: and its idx only, so a run may be extended or narrowed with another --max / --skip; the line keeps the first
#: run's selection).
INFO_KEYS = frozenset({"checkpoint", "version", "skip", "max"})


def metadata_line(meta: dict[str, Any]) -> str:
    """The metadata line (without newline): :data:`METADATA_PREFIX` + compact JSON, keys sorted."""
    return METADATA_PREFIX + json.dumps(meta, sort_keys=True, separators=(", ", ": "), allow_nan=False)


def decode_metadata(line: str, *, not_json: Callable[[json.JSONDecodeError], str], not_object: str) -> dict[str, Any]:
    """The JSON object after :data:`METADATA_PREFIX` on a metadata ``line``; ValueError ``not_json(error)`` when
    it is not JSON, ``not_object`` when it is JSON but not an object (each reader words where the line is).

    >>> decode_metadata(metadata_line({"n": 3}), not_json=str, not_object="not an object")
    {'n': 3}
    """
    try:
        meta = json.loads(line[len(METADATA_PREFIX):])
    except json.JSONDecodeError as exc:
        raise ValueError(not_json(exc)) from None
    if not isinstance(meta, dict):
        raise ValueError(not_object)
    return meta


def _parse_metadata(line: str, path: Path, label: str) -> dict[str, Any]:
    where = f"{label}: {str(path)!r} line 2: the metadata is not"
    return decode_metadata(line, not_json=lambda exc: f"{where} valid JSON ({exc.msg})",
                           not_object=f"{where} a JSON object")


def _read_complete(path: Path, header: list[str] | None, *, repair: bool,
                   label: str = "out") -> tuple[list[str] | None, dict[str, Any] | None, list[list[str]]]:
    """(header, metadata or None, complete rows) of a TSV; a partial last line (no trailing newline) is dropped
    and, with ``repair``, cut off the file.  Errors name the option ``label`` (``out``, or ``shards`` when
    merging)."""
    if not path.exists():
        return None, None, []
    data = path.read_bytes()
    cut = data.rfind(b"\n") + 1
    if cut < len(data) and repair:
        with open(path, "r+b") as f:
            f.truncate(cut)
            f.flush()
            os.fsync(f.fileno())
    try:
        lines = data[:cut].decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        bad_line = data[:exc.start].count(b"\n") + 1
        raise ValueError(f"{label}: {str(path)!r} line {bad_line} is not UTF-8 text "
                         f"({exc.reason} at byte {exc.start})") from None
    if not lines:
        return None, None, []
    head = lines[0].split("\t")
    if header is not None and head != header:
        raise ResumeMismatch(f"{label}: {str(path)!r} has header {head}, this run writes {header}; refusing to mix")
    meta, first = None, 1
    if len(lines) > 1 and lines[1].startswith(METADATA_PREFIX):
        meta, first = _parse_metadata(lines[1], path, label), 2
    rows = []
    for i, line in enumerate(lines[first:], start=first + 1):
        fields = line.split("\t")
        if len(fields) != len(head):
            raise ValueError(f"{label}: {str(path)!r} line {i} has {len(fields)} fields, expected {len(head)}")
        rows.append(fields)
    return head, meta, rows


def read_tsv(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """The complete rows of a certify TSV as dicts of strings (metadata line and partial last line skipped).

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.tsv"
    >>> _ = p.write_text('idx\\tradius\\n# rs-verify-certify {"format": 1}\\n0\\t0.5\\n3\\t0.')
    >>> read_tsv(p), read_metadata(p)
    ([{'idx': '0', 'radius': '0.5'}], {'format': 1})
    """
    head, _, rows = _read_complete(Path(path), None, repair=False)
    return [dict(zip(head, r, strict=False)) for r in rows] if head else []


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The metadata object of a certify TSV (line 2, :data:`METADATA_PREFIX`), or None when it has none."""
    p = Path(path)
    with open(p, encoding="utf-8", errors="replace") as fh:
        fh.readline()
        line = fh.readline().rstrip("\n")
    return _parse_metadata(line, p, "out") if line.startswith(METADATA_PREFIX) else None


def metadata_diff(old: dict[str, Any], new: dict[str, Any], *, ignore: Iterable[str] = (),
                  labels: tuple[str, str] = ("file", "this run")) -> list[str]:
    """``"key OLD (file) vs NEW (this run)"`` for every compared key whose values differ (``(absent)`` for a
    missing key); :data:`INFO_KEYS` and ``ignore`` are not compared; ``labels`` name the two sides."""
    skip = set(INFO_KEYS) | set(ignore)
    out = []
    for k in sorted((set(old) | set(new)) - skip):
        a, b = old.get(k, _ABSENT), new.get(k, _ABSENT)
        if a != b:
            out.append(f"{k} {_show(a)} ({labels[0]}) vs {_show(b)} ({labels[1]})")
    return out


_ABSENT = object()


def _show(v: Any) -> str:
    return "(absent)" if v is _ABSENT else json.dumps(v) if isinstance(v, (list, dict)) else str(v)
