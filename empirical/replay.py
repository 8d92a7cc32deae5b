"""Replaying published certification logs (Cohen, Rosenfeld & Kolter 2019) against ``theory``.

Cohen et al.'s CERTIFY writes one row per test point::

    idx  label  predict  radius  correct  time

with ``predict = -1`` for an abstention (radius printed as ``0.0``) and, otherwise,

    radius = S * Phi^{-1}(pA_lower)                                   (Cohen et al. 2019, Thm 1, pB = 1 - pA)

printed with Python's ``'{:.3}'`` format (3 significant digits, trailing zeros dropped), where
``pA_lower`` is the one-sided (1 - alpha) Clopper--Pearson lower bound on pA from n noise draws.
Because the radius is a strictly increasing function of pA_lower, each row gives back

    pA_lower = Phi(radius / S),        1 - pA_lower = Phi(-radius / S)

to the precision of the printed radius. A printed value v with 3 significant digits stands for
every real in ``[v - h_lo, v + h_hi]`` with ``h = 0.5 * 10^(e-2)``, ``e = floor(log10 v)`` (and
``h_lo = 0.5 * 10^(e-3)`` when v is an exact power of ten, because the digit below 1.00·10^e
belongs to the previous decade). Mapping that interval through Phi(. / S) gives the interval of
pA_lower consistent with the log, and mapping it through every certificate of
:mod:`theory.certificates` (all increasing in pA) gives the interval of every recomputed radius.

Nothing here re-derives a certificate: every radius comes from
``theory.certificates.certified_radii`` and every Clopper--Pearson bound from
``theory.certificates.clopper_pearson_lower``; only the reading of the log lives here.
This module never imports torch.

Layout: reading and naming (:func:`read_cohen_log`, :func:`parse_log_name`, :func:`read_manifest`,
:func:`resolve_logs`), recovery (:func:`recover_pA_lower`, :func:`replay_log`), checks
(:func:`log_consistency`, :func:`identify_n_alpha`, :func:`precision_summary`); the whole job is
:func:`compute_replay` -> :class:`ReplayResult` (typed, writes nothing) in :mod:`empirical.replay_result`,
rendered by :func:`empirical.replay_report.write_replay_report`.  The three modules form layers, each
importing only those below it: ``replay`` (reading, recovery) <- ``replay_report`` (rendering) <-
``replay_result`` (the computation, which writes through the renderer).
"""

from __future__ import annotations

import csv
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import log_ndtr, ndtr

from empirical.certify_tsv import METADATA_PREFIX, decode_metadata
from theory import validate as V

#: Cohen et al.'s column names, in order.
COHEN_COLUMNS = ("idx", "label", "predict", "radius", "correct", "time")

#: Significant digits of the radius in Cohen et al.'s logs (``'{:.3}'.format(radius)``).
COHEN_DIGITS = 3



# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CohenLog:
    """One certification log in Cohen et al.'s format (all arrays have one entry per row)."""

    path: str
    idx: np.ndarray
    label: np.ndarray
    predict: np.ndarray
    radius: np.ndarray
    radius_text: tuple
    correct: np.ndarray
    time: np.ndarray
    train_sigma: float | None = None
    cert_sigma: float | None = None
    lineno: tuple = ()          # the file's line number of each row (1-based)
    meta: dict | None = None    # the ``# rs-verify-certify {json}`` line of a TSV written by ``certify``

    def where(self, row: int) -> str:
        """'line L (idx I)' of row ``row``, for error messages."""
        line = f"line {self.lineno[row]}" if self.lineno else f"row {row + 1}"
        return f"{line} (idx {int(self.idx[row])})"

    @property
    def n_rows(self) -> int:
        return int(self.idx.size)

    @property
    def abstain(self) -> np.ndarray:
        return self.predict == -1

    @property
    def name(self) -> str:
        return Path(self.path).name


#: Prefix of the metadata line that ``python -m empirical certify`` writes into its TSV (a comment line).


def _text_lines(p: Path) -> list[tuple[int, str]]:
    """(line number, text) of every line of ``p`` (UTF-8; a bad byte names its line)."""
    out = []
    for i, raw in enumerate(p.read_bytes().split(b"\n"), start=1):
        try:
            out.append((i, raw.decode("utf-8").rstrip("\r")))
        except UnicodeDecodeError as exc:
            raise ValueError(f"log {p}: line {i} is not UTF-8 text ({exc})") from None
    return out


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _metadata(p: Path, lineno: int, line: str) -> dict:
    """The JSON object of a ``# rs-verify-certify {json}`` line (:func:`empirical.certify_tsv.decode_metadata`)."""
    tag = METADATA_PREFIX.strip()
    return decode_metadata(line, not_json=lambda exc: f"log {p}: line {lineno}: damaged '{tag}' line ({exc})",
                           not_object=f"log {p}: line {lineno}: the '{tag}' line must hold a JSON object")


def _head_lines(p: Path, limit: int = 20) -> list[tuple[int, str]]:
    """The first lines of ``p`` up to its first data row: comments, blank lines, the header, that row."""
    out: list[tuple[int, str]] = []
    seen = 0
    with p.open("rb") as fh:
        for lineno in range(1, limit + 1):
            raw = fh.readline(1 << 16)
            if not raw:
                break
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            out.append((lineno, line))
            if line.strip() and not _is_comment(line):
                seen += 1
                if seen == 2:
                    break
    return out


def read_log_metadata(path) -> dict | None:
    """The metadata of a TSV written by ``python -m empirical certify`` (its ``# rs-verify-certify {json}``
    comment line, before the first data row), or None (Cohen et al.'s logs have none)."""
    p = Path(path)
    for lineno, line in _head_lines(p):
        if line.startswith(METADATA_PREFIX):
            return _metadata(p, lineno, line)
    return None


def read_cohen_log(path) -> CohenLog:
    """Read a TSV in Cohen et al.'s format; extra columns (e.g. the engine's counts) are ignored, and so
    are comment lines starting with ``#`` (``certify``'s ``# rs-verify-certify {json}`` line is kept in
    :attr:`CohenLog.meta`).

    Raises ``ValueError`` naming the file and the line when a column is missing, a value is bad or an
    ``idx`` appears twice (a duplicate row would be counted twice in every certified accuracy).
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"log: no such file: {p}")
    cols: dict[str, list[str]] = {c: [] for c in COHEN_COLUMNS}
    linenos: list[int] = []
    meta = None
    header = None
    for lineno, line in _text_lines(p):
        if line.startswith(METADATA_PREFIX):
            meta = _metadata(p, lineno, line)
            continue
        if _is_comment(line) or not line.strip():
            continue
        row = next(csv.reader([line], delimiter="\t"))
        if header is None:
            header = [h.strip() for h in row]
            missing = [c for c in COHEN_COLUMNS if c not in header]
            if missing:
                raise ValueError(f"log {p}: missing column(s) {missing}; expected Cohen et al.'s columns "
                                 f"{list(COHEN_COLUMNS)}")
            pos = {c: header.index(c) for c in COHEN_COLUMNS}
            continue
        if len(row) < len(header):
            raise ValueError(f"log {p}: line {lineno} has {len(row)} fields, expected {len(header)}")
        for c in COHEN_COLUMNS:
            cols[c].append(row[pos[c]].strip())
        linenos.append(lineno)
    if header is None:
        raise ValueError(f"log {p}: empty file (expected header {' '.join(COHEN_COLUMNS)})")
    if not cols["idx"]:
        raise ValueError(f"log {p}: no data rows")
    parse: dict[str, Callable[[str], object]] = {"idx": int, "label": int, "predict": int, "radius": float,
                                                 "correct": int, "time": _parse_time}
    for j, lineno in enumerate(linenos):  # name the line and the column of the first unparsable value
        for c, f in parse.items():
            try:
                f(cols[c][j])
            except ValueError as exc:
                raise ValueError(f"log {p}: line {lineno}, column {c!r}: unparsable value ({exc})") from None
    idx = np.array([int(x) for x in cols["idx"]], dtype=np.int64)
    label = np.array([int(x) for x in cols["label"]], dtype=np.int64)
    predict = np.array([int(x) for x in cols["predict"]], dtype=np.int64)
    radius = np.array([float(x) for x in cols["radius"]], dtype=float)
    correct = np.array([int(x) for x in cols["correct"]], dtype=np.int64)
    time = np.array([_parse_time(x) for x in cols["time"]], dtype=float)

    def first_bad(mask, what: str) -> None:
        if np.any(mask):
            j = int(np.argmax(mask))
            raise ValueError(f"log {p}: line {linenos[j]} (idx {idx[j]}): {what}")

    first_bad(~np.isfinite(radius) | (radius < 0), "radius must be finite and >= 0")
    first_bad((correct != 0) & (correct != 1), "correct must be 0 or 1")
    first_bad(predict < -1, "predict must be a class index or -1 (abstain)")
    _, first, counts = np.unique(idx, return_index=True, return_counts=True)
    if np.any(counts > 1):
        k = int(np.argmax(counts > 1))
        i = int(idx[first[k]])
        lines = [linenos[j] for j in np.flatnonzero(idx == i)]
        raise ValueError(f"log {p}: idx {i} appears on lines {', '.join(map(str, lines))} ({int(np.sum(counts > 1))} "
                         "idx repeated): each example must be certified once (remove the duplicate rows)")
    info = parse_log_name(p)
    train, sig = info.train_sigma, info.sigma
    return CohenLog(str(p), idx, label, predict, radius, tuple(cols["radius"]), correct, time,
                    train, sig, tuple(linenos), meta)


def _parse_time(text: str) -> float:
    """Seconds from Cohen et al.'s time column: a number, or ``str(datetime.timedelta)`` (``H:MM:SS.ffffff``)."""
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise ValueError(f"bad time {text!r}")
        h, m, sec = parts
        return 3600.0 * int(h) + 60.0 * int(m) + float(sec)
    return float(text)


_NUM = r"(\d+(?:\.\d*)?|\.\d+)"
#: Folder names read as the split of Cohen et al.'s repository layout ``noise_T/SPLIT/sigma_S``.
SPLITS = ("test", "train", "val", "valid", "validation", "dev")
#: File extensions a log may carry (Cohen et al.'s own repository stores logs without one).
LOG_SUFFIXES = ("", ".tsv", ".txt", ".log")
#: Input dimension d of common data sets (channels x height x width), used when --dim is not given.
DATASET_DIMS = {
    "digits": 64, "synthetic": 64,  # the project's own (empirical.data; synthetic[:D[:K]] has D = 64 by default)
    "mnist": 784, "fashionmnist": 784, "fmnist": 784, "kmnist": 784, "emnist": 784,
    "cifar10": 3072, "cifar100": 3072, "svhn": 3072, "cinic10": 3072,
    "tinyimagenet": 12288, "stl10": 27648, "imagenet": 150528, "imagenet1k": 150528,
}
#: Other spellings of a data set of :data:`DATASET_DIMS`.
DATASET_ALIASES = {"imagenet1k": "imagenet", "fmnist": "fashionmnist"}


def canonical_dataset(name) -> str:
    """A data set name compared without case, '-', '_' or spaces, aliases resolved (``synthetic:D:K`` keeps D, K).

    >>> canonical_dataset("CIFAR-10"), canonical_dataset("ImageNet1k"), canonical_dataset("synthetic:8:2")
    ('cifar10', 'imagenet', 'synthetic:8:2')
    """
    key = re.sub(r"[-_ ]", "", str(name).strip().lower())
    return DATASET_ALIASES.get(key, key)


def _stated_dim(name: str) -> int | None:
    """d that the data set name fixes: :data:`DATASET_DIMS`, D of ``synthetic:D[:K]``; None for a bare
    ``synthetic`` (any D) and unknown names."""
    key = canonical_dataset(name)
    base, _, rest = key.partition(":")
    if base == "synthetic":
        if not rest:
            return None
        try:
            return V.dimension("d", int(rest.split(":")[0]))
        except (TypeError, ValueError):
            raise ValueError(f"dataset: synthetic[:D[:K]] needs an integer D >= 1, got {name!r}") from None
    return DATASET_DIMS.get(key)


def dataset_dim(name) -> int | None:
    """Input dimension d of data set ``name`` (None when unknown): :data:`DATASET_DIMS`, the project's own
    ``digits`` (8x8) and ``synthetic[:D[:K]]`` (D, default 64).

    >>> dataset_dim("cifar10"), dataset_dim("digits"), dataset_dim("synthetic:20:3"), dataset_dim("synthetic")
    (3072, 64, 20, 64)
    """
    key = canonical_dataset(name)
    return _stated_dim(key) or DATASET_DIMS.get(key.partition(":")[0] if key.startswith("synthetic") else key)


def _same_dataset(a: str, b: str) -> bool:
    """Two canonical names that may name one data set (a bare ``synthetic`` matches any ``synthetic:D:K``,
    ``synthetic:D`` any K).

    >>> _same_dataset("synthetic", "synthetic:8:2"), _same_dataset("synthetic:8", "synthetic:9:2")
    (True, False)
    """
    pa, pb = a.split(":"), b.split(":")
    if pa[0] != pb[0]:
        return False
    if pa[0] != "synthetic":
        return a == b
    return all(x == y for x, y in zip(pa[1:], pb[1:], strict=False))


_RE_PLAIN = re.compile(rf"noise_{_NUM}_sigma_{_NUM}")
_RE_REPO_FILE = re.compile(rf"sigma_{_NUM}")
_RE_REPO_NOISE = re.compile(rf"noise_{_NUM}")
_RE_SIGMA = re.compile(rf"(?<![a-z])(?<!train_)(?<!training_)(?<!train)(?<!training)sigma[_=\-]?{_NUM}(?![0-9])",
                       re.IGNORECASE)
_RE_TRAIN = re.compile(rf"(?:(?<![a-z])noise|train(?:ing)?_?sigma)[_=\-]?{_NUM}(?![0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class NameInfo:
    """What a log's path says: certification sigma, training sigma, split, data set and the pattern matched.

    ``pattern`` is one of ``"noise_T_sigma_S"``, ``"noise_T/SPLIT/sigma_S"`` (Cohen et al.'s repository
    layout, files without an extension), ``"sigma_S in the name"`` or ``None`` (nothing recognised).
    """

    sigma: float | None = None
    train_sigma: float | None = None
    split: str | None = None
    dataset: str | None = None
    pattern: str | None = None


def _stem(p: Path) -> str:
    return p.name[: -len(p.suffix)] if p.suffix.lower() in LOG_SUFFIXES[1:] else p.name


def dataset_from_path(path) -> str | None:
    """The data set named by a folder or file of ``path`` (nearest first; keys of :data:`DATASET_DIMS`,
    compared without case, '-' or '_'), or None.

    >>> dataset_from_path("data/certify/imagenet/resnet50/noise_0.25/test/sigma_0.25")
    'imagenet'
    """
    for part in reversed(Path(path).parts):
        key = re.sub(r"[-_ ]", "", part.lower())
        key = key[: -len(Path(key).suffix)] if Path(key).suffix in LOG_SUFFIXES[1:] else key
        if key in DATASET_DIMS:
            return key
        for name in sorted(DATASET_DIMS, key=len, reverse=True):  # tokens such as mnist_noise_0.25_sigma_0.25
            if re.search(rf"(?<![a-z0-9]){name}(?![a-z0-9])", re.sub(r"[-]", "", part.lower())):
                return name
    return None


def parse_log_name(path) -> NameInfo:
    """Read sigma, training sigma and split from a log's path.

    Patterns, tried in order:

    * ``noise_T_sigma_S[.tsv]`` -- training sigma T, certification sigma S;
    * Cohen et al.'s repository layout ``.../noise_T/SPLIT/sigma_S`` (no extension; ``SPLIT`` one of
      :data:`SPLITS`, optional);
    * any name holding ``sigma_S`` / ``sigma=S`` / ``sigmaS`` (and optionally ``noise_T`` or
      ``train_sigma_T``), e.g. ``mnist_sigma_0.25.tsv``.

    Two different sigmas in one name are an error (``ValueError`` naming the file), never a silent choice.

    >>> parse_log_name("certify/cifar10/resnet110/noise_0.25/test/sigma_0.50")
    NameInfo(sigma=0.5, train_sigma=0.25, split='test', dataset='cifar10', pattern='noise_T/SPLIT/sigma_S')
    """
    p = Path(path)
    stem = _stem(p)
    ds = dataset_from_path(p)
    m = _RE_PLAIN.fullmatch(stem) or _RE_PLAIN.fullmatch(p.name)
    if m:
        return NameInfo(float(m.group(2)), float(m.group(1)), None, ds, "noise_T_sigma_S")
    m = _RE_REPO_FILE.fullmatch(p.name)
    if m:
        parent = p.parent
        split = parent.name if parent.name.lower() in SPLITS else None
        noise_dir = parent.parent if split else parent
        mt = _RE_REPO_NOISE.fullmatch(noise_dir.name)
        if mt:
            return NameInfo(float(m.group(1)), float(mt.group(1)), split, ds, "noise_T/SPLIT/sigma_S")
        return NameInfo(float(m.group(1)), None, split, ds, "sigma_S in the name")
    sig = {float(x) for x in _RE_SIGMA.findall(stem)}
    tr = {float(x) for x in _RE_TRAIN.findall(stem)}
    if len(sig) > 1:
        raise ValueError(f"sigma: the name {p.name!r} names several sigmas {sorted(sig)}; give the sigma of "
                         "this file in a manifest")
    if len(tr) > 1:
        raise ValueError(f"train_sigma: the name {p.name!r} names several training sigmas {sorted(tr)}; give it "
                         "in a manifest")
    split = next((t for t in re.split(r"[_\-.]", stem.lower()) if t in SPLITS), None)
    if not sig:
        return NameInfo(None, tr.pop() if tr else None, split, ds, None)
    return NameInfo(sig.pop(), tr.pop() if tr else None, split, ds, "sigma_S in the name")


def _looks_like_log(p: Path) -> bool:
    """A file whose first line (after ``#`` comment lines) holds Cohen et al.'s six column names (tab-separated)."""
    # "sigma_0.50" has the "suffix" .50: a numeric suffix is part of the name, not an extension
    if p.name.startswith(".") or (p.suffix.lower() not in LOG_SUFFIXES and not re.fullmatch(r"\.\d+", p.suffix)):
        return False
    try:
        head = next((line for _, line in _head_lines(p) if line.strip() and not _is_comment(line)), "")
    except OSError:
        return False
    cols = {c.strip() for c in head.split("\t")}
    return all(c in cols for c in COHEN_COLUMNS)


def find_logs(paths) -> list[Path]:
    """Expand files and directories into a list of log files.

    A directory is searched recursively for files with Cohen et al.'s header whose name ends in one of
    :data:`LOG_SUFFIXES` (so ``noise_T_sigma_S.tsv`` and the repository layout ``noise_T/test/sigma_S``
    both qualify), sorted by path.  A file is taken as given.
    """
    out: list[Path] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and _looks_like_log(f))
            if not found:
                raise ValueError(f"log: directory {p} holds no log with Cohen et al.'s header "
                                 f"({' '.join(COHEN_COLUMNS)})")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"log: no such file or directory: {p}")
    if not out:
        raise ValueError("log: give at least one file or directory")
    return out


# --------------------------------------------------------------------------------------------
# manifest: per-file sigma / data set / d / training sigma / split
# --------------------------------------------------------------------------------------------
#: Fields a manifest entry may hold (``path`` is required).
MANIFEST_FIELDS = ("path", "sigma", "train_sigma", "dataset", "d", "split")
MANIFEST_SUFFIXES = (".json", ".toml", ".csv")


@dataclass(frozen=True)
class ManifestEntry:
    """One manifest line: a log ``path`` (relative to the manifest's folder) and what it cannot say itself."""

    path: str
    sigma: float | None = None
    train_sigma: float | None = None
    dataset: str | None = None
    d: int | None = None
    split: str | None = None


def read_manifest(path) -> tuple[ManifestEntry, ...]:
    """Read a manifest (JSON, TOML or CSV) listing logs with their metadata.

    * JSON: a list of objects, or ``{"logs": [...]}``;
    * TOML: ``[[logs]]`` tables;
    * CSV: a header row naming the fields.

    Fields: ``path`` (required, relative to the manifest's folder), ``sigma``, ``train_sigma``,
    ``dataset``, ``d``, ``split``. Unknown fields are an error (a typo must not pass silently).
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"manifest: no such file: {p}")
    suffix = p.suffix.lower()
    if suffix == ".json":
        import json

        try:
            data = json.loads(p.read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"manifest {p}: not valid JSON ({exc})") from None
        rows = data.get("logs") if isinstance(data, dict) else data
    elif suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib

            try:
                rows = tomllib.loads(p.read_text()).get("logs")
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"manifest {p}: not valid TOML ({exc})") from None
        else:  # pragma: no cover - Python 3.10: tomllib arrived in 3.11
            raise ValueError(f"manifest {p}: TOML needs Python >= 3.11; use JSON or CSV")
    elif suffix == ".csv":
        with p.open(newline="") as fh:
            rows = [{k.strip(): v.strip() for k, v in r.items() if k is not None and v is not None and v.strip()}
                    for r in csv.DictReader(fh)]
    else:
        raise ValueError(f"manifest: {p} must end in one of {list(MANIFEST_SUFFIXES)}")
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"manifest {p}: expected a non-empty list of logs (JSON list or {{\"logs\": [...]}}, "
                         "TOML [[logs]], CSV rows)")
    out = []
    for i, r in enumerate(rows):
        if not isinstance(r, dict) or "path" not in r:
            raise ValueError(f"manifest {p}: entry {i} must be a table with a 'path'")
        extra = sorted(set(r) - set(MANIFEST_FIELDS))
        if extra:
            raise ValueError(f"manifest {p}: entry {i} has unknown field(s) {extra}; allowed {list(MANIFEST_FIELDS)}")
        try:
            sigma = None if r.get("sigma") in (None, "") else V.positive("sigma", float(r["sigma"]))
            train = None if r.get("train_sigma") in (None, "") else V.positive("train_sigma", float(r["train_sigma"]))
            d = None if r.get("d") in (None, "") else V.dimension("d", int(r["d"]))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"manifest {p}: entry {i} ({r['path']}): {exc}") from None
        target = Path(r["path"])
        if not target.is_absolute():
            target = p.parent / target
        ds = r.get("dataset")
        out.append(ManifestEntry(str(target), sigma, train, None if ds in (None, "") else str(ds).lower(), d,
                                 None if r.get("split") in (None, "") else str(r["split"])))
    return tuple(out)


@dataclass(frozen=True)
class LogSpec:
    """A log with everything the replay needs to know about it, and where each value came from.

    ``sigma_source`` / ``d_source``: ``"name"``, ``"manifest"``, ``"--sigma"`` / ``"--dim"``, ``"manifest"``,
    ``"data set <name>"``.
    """

    path: str
    sigma: float
    sigma_source: str
    d: int
    d_source: str
    train_sigma: float | None = None
    split: str | None = None
    dataset: str | None = None
    pattern: str | None = None


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def resolve_logs(paths=(), *, manifest=None, sigma: float | None = None, d: int | None = None,
                 dataset: str | None = None) -> tuple[LogSpec, ...]:
    """Find the logs and settle sigma, d, training sigma, split and data set for each.

    Sources, each checked against the others (a contradiction is a ``ValueError`` naming the file, never a
    silent choice):

    * sigma: the name (:func:`parse_log_name`), the ``# rs-verify-certify`` line of a TSV written by
      ``certify`` (Gaussian only), the manifest, ``sigma`` (``--sigma``, for files that give none);
    * data set: the path (:func:`dataset_from_path`), the ``# rs-verify-certify`` line, the manifest's
      ``dataset``, ``dataset`` (``--dataset``);
    * d: the manifest's ``d``, ``d`` (``--dim``), the ``# rs-verify-certify`` line's ``d``, and the d the
      data set fixes (:func:`dataset_dim`: :data:`DATASET_DIMS`, digits, synthetic:D); no d at all is an error.
    """
    if sigma is not None:
        sigma = V.positive("sigma", sigma)
    if d is not None:
        d = V.dimension("d", d)
    if dataset is not None:
        dataset = canonical_dataset(dataset)
        if d is None and dataset_dim(dataset) is None:
            raise ValueError(f"dataset: unknown data set {dataset!r} (known: {sorted(DATASET_DIMS)}, "
                             "synthetic:D[:K]); pass --dim")
    entries: list[ManifestEntry] = []
    if manifest is not None:
        entries.extend(read_manifest(manifest))
    if paths:
        entries.extend(ManifestEntry(str(f)) for f in find_logs(paths))
    if not entries:
        raise ValueError("log: give at least one log file, directory or manifest")
    return tuple(_resolve_one(e, sigma, d, dataset) for e in entries)


_META = "its '# rs-verify-certify' line"


def _resolve_one(e: ManifestEntry, sigma: float | None, d: int | None, dataset: str | None) -> LogSpec:
    p = Path(e.path)
    if not p.is_file():
        raise FileNotFoundError(f"log: no such file: {p}")
    info = parse_log_name(p)
    meta = read_log_metadata(p) or {}
    mech = meta.get("mechanism")
    if mech is not None and mech != "gaussian":
        raise ValueError(f"log {p}: certified with the mechanism {mech!r} ({_META}); replay recovers p̲A from "
                         "Gaussian (Cohen et al.) radii only")
    meta_sigma = meta.get("sigma") if isinstance(meta.get("sigma"), (int, float)) else None
    # sigma: the name, the metadata line, the manifest, --sigma (in that order; all that are given must agree)
    given = [(v, src) for v, src in ((info.sigma, "its name"), (meta_sigma, _META), (e.sigma, "the manifest"),
                                     (sigma, "--sigma")) if v is not None]
    if not given:
        raise ValueError(f"sigma: cannot read the certification sigma from {str(p)!r} (patterns: "
                         "noise_T_sigma_S.tsv, noise_T/SPLIT/sigma_S, *sigma_S*); pass --sigma S (> 0) or a "
                         "manifest")
    s, s_from = given[0]
    for v, src in given[1:]:
        if not _same(v, s):
            raise ValueError(f"sigma: {src} says {v:g} for {p.name!r}, but {s_from} says {s:g}; remove the "
                             "contradiction")
    s_src = {"its name": "name", _META: "file header", "the manifest": "manifest", "--sigma": "--sigma"}[s_from]
    train = info.train_sigma
    if e.train_sigma is not None:
        if train is not None and not _same(train, e.train_sigma):
            raise ValueError(f"train_sigma: the manifest says {e.train_sigma:g} for {p.name!r}, but its name "
                             f"says {train:g}")
        train = e.train_sigma
    # data set: the path, the metadata line, the manifest, --dataset (all that name one must agree)
    named = [(canonical_dataset(v), src) for v, src in (
        (info.dataset, "its path"), (meta.get("dataset"), _META), (e.dataset, "the manifest"),
        (dataset, "--dataset")) if v not in (None, "")]
    for v, src in named[1:]:
        if not _same_dataset(v, named[0][0]):
            raise ValueError(f"dataset: {src} says {v} for {p.name!r}, but {named[0][1]} names {named[0][0]} "
                             f"(d = {dataset_dim(named[0][0])}); remove the contradiction")
    ds = max((v for v, _ in named), key=lambda v: v.count(":"), default=None)  # the most specific spelling
    # d: the manifest, --dim, the metadata line, the data set (all that are given must agree)
    meta_d = meta.get("d") if isinstance(meta.get("d"), int) and not isinstance(meta.get("d"), bool) else None
    stated = None if ds is None else _stated_dim(ds)
    dims = [(v, what, src) for v, what, src in (
        (e.d, f"the manifest's d = {e.d}", "manifest"), (meta_d, f"the d = {meta_d} of {_META}", "file header"),
        (stated, f"d = {stated} of the data set {ds}", f"data set {ds}"), (d, f"--dim {d}", "--dim"))
        if v is not None]
    for v, what, _ in dims[1:]:
        if v != dims[0][0]:
            raise ValueError(f"d: {what} contradicts {dims[0][1]} for {p.name!r}; remove the contradiction")
    if dims:
        order = {"manifest": 0, "--dim": 1, "file header": 2}
        dd, _, d_src = min(dims, key=lambda t: order.get(t[2], 3))
    elif ds is not None and dataset_dim(ds) is not None:
        dd, d_src = dataset_dim(ds), f"data set {ds}"
    else:
        raise ValueError(f"d: cannot infer the input dimension of {str(p)!r} (data set "
                         f"{ds or 'not named in the path'}; known: {sorted(DATASET_DIMS)}); pass --dim or "
                         "--dataset, or d in a manifest")
    return LogSpec(str(p), s, s_src, int(dd), d_src, train, e.split or info.split, ds, info.pattern)


# --------------------------------------------------------------------------------------------
# precision of the printed radius
# --------------------------------------------------------------------------------------------
def printed_interval(value, digits: int = COHEN_DIGITS) -> tuple[float, float]:
    """Interval of reals that print as ``value`` with ``'{:.<digits>}'`` (``digits`` significant digits).

    For v > 0 with leading decimal exponent e: ``[v - 0.5*10^(e-digits+1), v + 0.5*10^(e-digits+1)]``,
    except that the lower half-width is ten times smaller when v is an exact power of ten
    (0.9996 prints as ``1.0``). ``0`` stands for exactly 0 (Cohen et al. print 0.0 on abstention;
    a positive radius never rounds to 0 in this format). Closed interval: the endpoints are the
    rounding ties, reachable either way.
    """
    digits = V.count("digits", digits, minimum=1)
    try:
        dv = Decimal(value) if isinstance(value, str) else Decimal(repr(float(value)))
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"value must be a printed non-negative number, got {value!r}") from None
    if not dv.is_finite() or dv < 0:
        raise ValueError(f"value must be a finite number >= 0, got {value!r}")
    if dv == 0:
        return 0.0, 0.0
    e = dv.adjusted()
    half = Decimal(5).scaleb(e - digits)  # 0.5 * 10^(e - digits + 1)
    norm = dv.normalize()
    half_lo = half / 10 if norm.as_tuple().digits == (1,) else half
    return float(dv - half_lo), float(dv + half)


def printed_intervals(texts, digits: int = COHEN_DIGITS) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = zip(*(printed_interval(t, digits) for t in texts), strict=True) if len(texts) else ((), ())
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)


# --------------------------------------------------------------------------------------------
# pA_lower from the radius (Cohen et al. 2019, Thm 1 with pB = 1 - pA)
# --------------------------------------------------------------------------------------------
def recover_pA_lower(radius, sigma: float) -> dict:
    """pA_lower = Phi(R/S) and 1 - pA_lower = Phi(-R/S) (the second exact in the tail, via ndtr of -R/S).

    Returns arrays ``pA``, ``one_minus_pA``, ``log_pA``, ``log_one_minus_pA``.
    Rows with R = 0 (abstentions) give pA = 1/2; callers mask them with ``predict == -1``.
    """
    sigma = V.positive("sigma", sigma)
    r = np.asarray(radius, dtype=float)
    if np.any(~np.isfinite(r)) or np.any(r < 0):
        raise ValueError("radius must be finite and >= 0")
    z = r / sigma
    return {
        "pA": ndtr(z),
        "one_minus_pA": ndtr(-z),
        "log_pA": log_ndtr(z),
        "log_one_minus_pA": log_ndtr(-z),
    }


# --------------------------------------------------------------------------------------------
# recomputing every certificate (theory.certificates.certified_radii), with precision intervals
# --------------------------------------------------------------------------------------------


def _radii_at(one_minus_pA: float, sigma: float, d: int, cache: dict) -> dict:
    """certified_radii('gaussian', ...) at 1 - pA_lower = ``one_minus_pA`` (cached by value)."""
    key = (one_minus_pA, sigma, d)
    out = cache.get(key)
    if out is None:
        from theory.certificates import certified_radii

        if not 0.0 < one_minus_pA < 0.5:
            # pA_lower <= 1/2: no certificate (Cohen et al. abstain below 1/2; R = 0 printed).
            from theory.certificates import RADIUS_COLUMNS

            out = {c: 0.0 for c in RADIUS_COLUMNS["gaussian"]}
        else:
            out = certified_radii("gaussian", 1.0 - one_minus_pA, sigma, d, one_minus_pA_lower=one_minus_pA)
        cache[key] = out
    return out


@dataclass
class LogReplay:
    """Per-row recomputation of one log.

    ``radii[col]``, ``radii_lo[col]``, ``radii_hi[col]``: the certificate ``col`` (a column name of
    ``theory.certificates.RADIUS_COLUMNS['gaussian']``) at the printed radius and at the two ends of its
    rounding interval (0 for abstentions). ``pA``/``pA_lo``/``pA_hi``: the recovered pA_lower and its
    interval (NaN for abstentions).
    """

    log: CohenLog
    sigma: float
    d: int
    pA: np.ndarray
    pA_lo: np.ndarray
    pA_hi: np.ndarray
    one_minus_pA: np.ndarray
    radius_lo: np.ndarray
    radius_hi: np.ndarray
    radii: dict = field(default_factory=dict)
    radii_lo: dict = field(default_factory=dict)
    radii_hi: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def columns(self) -> list[str]:
        return list(self.radii)

    def certified_accuracy(self, col: str, radius, which: str = "mid") -> np.ndarray:
        """Fraction of ALL rows (abstentions and errors count as failures) with correct == 1 and the
        certificate ``col`` >= radius (Cohen et al.'s analysis convention, ``>=``). ``which`` in
        {mid, lo, hi} picks the recomputed radius at the printed value or at an end of its interval."""
        table = {"mid": self.radii, "lo": self.radii_lo, "hi": self.radii_hi}[V.choice("which", which,
                                                                                      ("mid", "lo", "hi"))]
        return certified_accuracy(table[col], self.log.correct, self.log.predict, radius)


def certified_accuracy(radii, correct, predict, radius) -> np.ndarray:
    """Certified accuracy at each ``radius``: mean over all rows of [predict != -1, correct, radii >= radius]."""
    rr = np.asarray(radii, dtype=float)
    ok = (np.asarray(correct) == 1) & (np.asarray(predict) != -1)
    grid = np.atleast_1d(np.asarray(radius, dtype=float))
    if rr.size == 0:
        return np.zeros_like(grid)
    return np.array([float(np.mean(ok & (rr >= g))) for g in grid])


def median_certified_radius(radii, correct, predict, *, over: str = "correct") -> float:
    """Median certified radius: over the certified-correct rows (``over='correct'``) or over all rows with 0
    for abstentions and errors (``over='all'``)."""
    rr = np.asarray(radii, dtype=float)
    ok = (np.asarray(correct) == 1) & (np.asarray(predict) != -1)
    if V.choice("over", over, ("correct", "all")) == "correct":
        return float(np.median(rr[ok])) if ok.any() else 0.0
    return float(np.median(np.where(ok, rr, 0.0)))


def replay_log(log: CohenLog, sigma: float | None = None, d: int | None = None, progress=None) -> LogReplay:
    """Recover pA_lower of every row and recompute every Gaussian certificate of ``theory``.

    sigma: the certification sigma S (default: from the file name, :func:`parse_log_name`).
    d: input dimension for the l_inf certificates (default: the data set named in the path,
    :data:`DATASET_DIMS`; an error when there is none).
    """
    import time as _time

    t0 = _time.perf_counter()
    if sigma is None:
        sigma = log.cert_sigma
        if sigma is None:
            raise ValueError(f"sigma: cannot read the certification sigma from the name {log.name!r}; "
                             "pass --sigma S (> 0)")
    sigma = V.positive("sigma", sigma)
    if d is None:
        ds = dataset_from_path(log.path)
        if ds is None:
            raise ValueError(f"d: cannot infer the input dimension of {log.name!r} from its path; pass d")
        d = DATASET_DIMS[ds]
    d = V.dimension("d", d)
    lo, hi = printed_intervals(log.radius_text)
    ab = log.abstain
    # 1 - pA_lower = Phi(-R/S) must be a positive double for every certified row: below ~1e-308 no finite
    # number of noise draws gives that radius (n draws cap it at 1 - alpha^(1/n) ~ -log(alpha)/n)
    impossible = ~ab & (ndtr(-hi / sigma) <= 0.0)
    if impossible.any():
        j = int(np.argmax(impossible))
        raise ValueError(f"log {log.path}: {log.where(j)}: radius {log.radius_text[j]} with sigma = {sigma:g} means "
                         f"1 - pA_lower = Phi(-{log.radius_text[j]}/{sigma:g}) < 1e-308, which no finite number of "
                         "noise draws certifies (wrong sigma, or not a certification radius)")
    mid = recover_pA_lower(log.radius, sigma)
    rlo = recover_pA_lower(lo, sigma)
    rhi = recover_pA_lower(hi, sigma)
    nan = np.full(log.n_rows, np.nan)
    pA = np.where(ab, nan, mid["pA"])
    res = LogReplay(log, sigma, d, pA, np.where(ab, nan, rlo["pA"]), np.where(ab, nan, rhi["pA"]),
                    np.where(ab, nan, mid["one_minus_pA"]), lo, hi)
    cache: dict = {}
    rows: list[tuple[Any, ...] | None] = []
    it = range(log.n_rows)
    if progress is not None:
        it = progress(it)
    for i in it:
        if ab[i]:
            rows.append(None)
            continue
        rows.append(tuple(_radii_at(float(src["one_minus_pA"][i]), sigma, d, cache) for src in (mid, rlo, rhi)))
    from theory.certificates import RADIUS_COLUMNS

    for col in RADIUS_COLUMNS["gaussian"]:
        for k, dest in enumerate((res.radii, res.radii_lo, res.radii_hi)):
            dest[col] = np.array([0.0 if r is None else r[k][col] for r in rows])
    res.seconds = _time.perf_counter() - t0
    return res


def log_consistency(log: CohenLog, sigma: float, n: int = 100_000, alpha: float = 0.001) -> dict:
    """Check a log against the sampling parameters it claims (n noise draws, level alpha).

    The largest certifiable radius is reached when all n draws agree: pA_lower = alpha^(1/n)
    (:func:`theory.certificates.clopper_pearson_lower` with k = n), R_max = S Phi^{-1}(alpha^(1/n)).
    Rows whose printed radius, minus its rounding half-width, exceeds R_max are inconsistent with
    (n, alpha). For the rows at the largest printed radius the implied level, if nA = n, is
    alpha' = pA_lower^n (interval from the rounding interval).
    """
    from theory.certificates import certify_from_counts, clopper_pearson_lower

    sigma = V.positive("sigma", sigma)
    n = V.count("n", n, minimum=1)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    cap = certify_from_counts(n, n, alpha, sigma, "cohen")
    lo, hi = printed_intervals(log.radius_text)
    act = ~log.abstain
    over = act & (lo > cap.radius * (1 + 1e-12))
    top = int(np.argmax(np.where(act, log.radius, -1.0))) if act.any() else None
    out = {
        "n": n, "alpha": alpha,
        "pA_lower_max": clopper_pearson_lower(n, n, alpha),
        "radius_max": cap.radius,
        "radius_max_printed": format(cap.radius, ".3"),
        "rows": log.n_rows,
        "abstain": int(log.abstain.sum()),
        "correct": int((log.correct == 1).sum()),
        "largest_printed": None if top is None else log.radius_text[top],
        "rows_at_largest": 0 if top is None else int(np.sum(act & (log.radius == log.radius[top]))),
        "rows_above_max": int(over.sum()),
        "implied_alpha_if_all_n": None,
        "first_row_above_max": None if not over.any() else
        {"idx": int(log.idx[np.argmax(over)]), "radius": log.radius_text[int(np.argmax(over))]},
        "correct_but_abstain": int(np.sum(log.abstain & (log.correct == 1))),
        "correct_mismatch": int(np.sum(act & ((log.predict == log.label) != (log.correct == 1)))),
    }
    if top is not None:
        # log alpha' = n log pA_lower = n log Phi(R/S)
        a_lo = float(np.exp(n * log_ndtr(lo[top] / sigma)))
        a_hi = float(np.exp(n * log_ndtr(hi[top] / sigma)))
        out["implied_alpha_if_all_n"] = (a_lo, a_hi)
        # draws needed at the stated alpha for the largest printed radius (its lower end): alpha^(1/n') >= Phi(R_lo/S)
        lp = float(log_ndtr(lo[top] / sigma))
        out["n_needed_at_alpha"] = int(math.ceil(math.log(alpha) / lp)) if lp < 0 else None
    return out


def precision_summary(res: LogReplay, cols=None) -> dict:
    """How much the 3-significant-digit radius blurs pA_lower and every recomputed radius (``cols``: default
    every column of ``res.radii``).  ``rel_halfwidth_max`` / ``rel_halfwidth_max_column``: the largest
    relative half-width over all measured columns and where it occurs."""
    cols = list(res.radii) if cols is None else list(cols)
    act = ~res.log.abstain
    out: dict[str, Any] = {"rows": int(act.sum())}
    if not act.any():
        return out
    w = (res.pA_hi - res.pA_lo)[act]
    out["pA_halfwidth_max"] = float(np.max(w) / 2)
    out["pA_halfwidth_median"] = float(np.median(w) / 2)
    # relative half-width of 1 - pA (what the certificates depend on near pA -> 1)
    om_lo, om_hi = 1 - res.pA_hi[act], 1 - res.pA_lo[act]
    out["one_minus_pA_rel_halfwidth_max"] = float(np.max((om_hi - om_lo) / (om_hi + om_lo)))
    out["columns"] = cols
    worst, worst_col = -1.0, None
    for col in cols:
        r, a, b = res.radii[col][act], res.radii_lo[col][act], res.radii_hi[col][act]
        pos = r > 0
        rel = (b - a)[pos] / (2 * r[pos]) if pos.any() else np.array([0.0])
        out[f"{col}_abs_halfwidth_max"] = float(np.max(b - a) / 2)
        out[f"{col}_rel_halfwidth_max"] = float(np.max(rel))
        out[f"{col}_rel_halfwidth_median"] = float(np.median(rel))
        if not out[f"{col}_rel_halfwidth_max"] <= worst:  # NaN / inf count as the worst
            worst, worst_col = out[f"{col}_rel_halfwidth_max"], col
    out["rel_halfwidth_max"] = float(worst)
    out["rel_halfwidth_max_column"] = worst_col
    return out




# --------------------------------------------------------------------------------------------
# which (n, alpha) printed the top radii?
# --------------------------------------------------------------------------------------------
#: Sample sizes and levels searched by :func:`identify_n_alpha` (the common choices in the literature).
N_GRID = (1_000, 10_000, 100_000, 1_000_000)
ALPHA_GRID = (0.001, 0.01, 0.05)
#: Levels n_A = n, n - 1, ..., n - (IDENT_LEVELS - 1) whose printed radii are matched.
IDENT_LEVELS = 4


@dataclass(frozen=True)
class NAlphaMatch:
    """One (n, alpha) whose top printed radii match the log: ``rows_at_level[m]`` rows print exactly the
    radius S Phi^{-1}(pA_lower(n_A = n - m, n, alpha)) (``printed[m]``)."""

    n: int
    alpha: float
    printed: tuple[str, ...]
    rows_at_level: tuple[int, ...]


@dataclass(frozen=True)
class NAlphaIdentification:
    """Result of :func:`identify_n_alpha` for one log.

    ``matches``: every (n, alpha) of the grid consistent with the top radii; ``identified`` is the single
    match when there is exactly one (None otherwise); ``top_printed``: the largest printed radius.
    """

    top_printed: str | None
    rows_at_top: int
    matches: tuple[NAlphaMatch, ...]
    grid_n: tuple[int, ...] = N_GRID
    grid_alpha: tuple[float, ...] = ALPHA_GRID

    @property
    def identified(self) -> NAlphaMatch | None:
        return self.matches[0] if len(self.matches) == 1 else None


def _printed(x: float) -> str:
    return format(float(x), f".{COHEN_DIGITS}")


def identify_n_alpha(log: CohenLog, sigma: float, *, n_grid=N_GRID, alpha_grid=ALPHA_GRID,
                     levels: int = IDENT_LEVELS) -> NAlphaIdentification:
    """Which (n, alpha) of a small grid printed this log's top radii?

    With n_A of n draws agreeing, CERTIFY prints R(n_A) = S Phi^{-1}(pA_lower(n_A, n, alpha)), pA_lower the
    one-sided Clopper--Pearson bound (:func:`theory.certificates.certify_from_counts`, Cohen's radius).
    R(n_A) increases with n_A, so every printed radius above R(n - levels) must be one of the printed
    R(n), R(n - 1), ..., and the largest printed radius must be R(n) itself.  A pair (n, alpha) *matches*
    when (i) the largest printed radius equals the printed R(n) and (ii) every printed radius above the
    printed R(n - levels) equals some printed R(n - m), m < levels.  Logs whose rows never reach
    n_A = n cannot be identified (no match).

    >>> from theory.certificates import certify_from_counts
    >>> r = [certify_from_counts(k, 10_000, 0.01, 0.5).radius for k in (10_000, 10_000, 9_999, 9_000)]
    >>> log = CohenLog("x", np.arange(4), np.zeros(4, int), np.zeros(4, int), np.array([float(_printed(x)) for x in r]),
    ...                tuple(_printed(x) for x in r), np.ones(4, int), np.zeros(4))
    >>> m = identify_n_alpha(log, 0.5).identified
    >>> (m.n, m.alpha, m.rows_at_level[:2])
    (10000, 0.01, (2, 1))
    """
    from theory.certificates import certify_from_counts

    sigma = V.positive("sigma", sigma)
    levels = V.count("levels", levels, minimum=1)
    act = ~log.abstain
    if not act.any():
        return NAlphaIdentification(None, 0, (), tuple(n_grid), tuple(alpha_grid))
    texts = np.array([_printed(float(t)) for t in log.radius_text], dtype=object)
    vals = log.radius
    top = int(np.argmax(np.where(act, vals, -1.0)))
    top_text = texts[top]
    rows_at_top = int(np.sum(act & (texts == top_text)))
    matches = []
    for n in n_grid:
        for alpha in alpha_grid:
            pr = []
            for m in range(min(levels + 1, n + 1)):
                res = certify_from_counts(n - m, n, alpha, sigma, "cohen")
                pr.append(None if res.abstain else _printed(res.radius))
            if pr[0] is None or pr[0] != top_text:
                continue
            allowed = {t for t in pr[:levels] if t is not None}
            nxt = pr[levels] if len(pr) > levels else None
            floor = float(nxt) if nxt is not None else 0.0
            above = act & (vals > floor)
            if not all(t in allowed for t in texts[above]):
                continue
            matches.append(NAlphaMatch(int(n), float(alpha), tuple(t or "—" for t in pr[:levels]),
                                       tuple(int(np.sum(act & (texts == t))) if t is not None else 0
                                             for t in pr[:levels])))
    return NAlphaIdentification(top_text, rows_at_top, tuple(matches), tuple(n_grid), tuple(alpha_grid))


# --------------------------------------------------------------------------------------------
# table radii chosen from the data
# --------------------------------------------------------------------------------------------
#: Step candidates for the l2 radius grid of the tables.
GRID_STEPS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)


def l2_grid(max_radius: float, *, max_columns: int = 16) -> tuple[float, ...]:
    """Radii 0, h, 2h, ... up to ``max_radius`` (the largest certified radius), h the smallest of
    :data:`GRID_STEPS` giving at most ``max_columns`` radii.

    >>> l2_grid(1.96)
    (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75)
    >>> l2_grid(0.0)
    (0.0,)
    """
    m = V.nonnegative("max_radius", max_radius)
    max_columns = V.count("max_columns", max_columns, minimum=2)
    if m == 0:
        return (0.0,)
    for h in GRID_STEPS:
        k = int(math.floor(m / h + 1e-9))
        if k + 1 <= max_columns:
            return tuple(round(i * h, 10) for i in range(k + 1))
    h = GRID_STEPS[-1] * math.ceil(m / (GRID_STEPS[-1] * (max_columns - 1)))
    return tuple(round(i * h, 10) for i in range(int(m // h) + 1))


def linf_grid_255(max_radius: float, *, powers: int = 7) -> tuple[float, ...]:
    """l_inf radii in units of 1/255: 0 and the ``powers`` largest powers of two (at most 2^-2) not above
    ``max_radius`` x 255.

    >>> linf_grid_255(16.4 / 255)
    (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
    """
    m = V.nonnegative("max_radius", max_radius) * 255.0
    if m <= 0:
        return (0.0,)
    kmax = math.floor(math.log2(m))
    kmin = max(kmax - powers + 1, -2) if kmax >= -2 else kmax
    return (0.0,) + tuple(float(2.0 ** k) for k in range(kmin, kmax + 1))


# --------------------------------------------------------------------------------------------
# labels, hashes, versions (shared with empirical.experiments)
# --------------------------------------------------------------------------------------------
#: Labels of the radius columns in tables and figures.
COLUMN_LABELS = {
    "radius_cohen": "Cohen (tight ℓ2)",
    "radius_c11_c1": "C11 c=1",
    "radius_c11_c3": "C11 c=3",
    "radius_t18_linf_c1": "T18 ℓ∞ c=1",
    "radius_t18_linf_c3": "T18 ℓ∞ c=3",
    "radius_cohen_linf": "Cohen ℓ2→ℓ∞",
    "radius_pixeldp": "PixelDP",
    "radius_li_renyi": "Li et al. (Rényi)",
    "radius_t13_linf": "T13 ℓ∞ (D∞, eq. 6)",
    "radius_yang_linf": "Yang et al. ℓ∞ (tight, eq. 6)",
}
L2_COLS = ("radius_cohen", "radius_c11_c1", "radius_c11_c3")
#: The other applicable l2 certificates (Section 8 of the replay report).
OTHER_L2_COLS = ("radius_pixeldp", "radius_li_renyi")
#: l2 radius of the paper's "approximately 20% certified accuracy under l2 = 1.0" (Section 4.2).
CLAIM_RADIUS = 1.0
LINF_COLS = ("radius_cohen_linf", "radius_t18_linf_c1", "radius_t18_linf_c3")


def sha256_file(path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


#: c values below the paper's (1, 3) for the 'smaller c yields a larger r' check.
SMALL_C = (0.5, 0.25)


def small_c_radii(res: LogReplay, c: float) -> np.ndarray:
    """C11 radius with constant ``c`` at each row's printed p̲A (0 for abstentions and p̲A <= 1/2)."""
    from theory.certificates import radius as cert_radius

    act = (~res.log.abstain) & (res.one_minus_pA < 0.5)
    return np.array([cert_radius("c11", one_minus_pA=float(e), sigma=res.sigma, c=c) if a else 0.0
                     for a, e in zip(act, np.nan_to_num(res.one_minus_pA, nan=0.5), strict=True)])


def _small_c(res: LogReplay, radii) -> dict:
    """For c in SMALL_C: rows where C11 at the printed p̲A exceeds Cohen's tight radius (a C11 radius
    above the Neyman-Pearson radius is unsound: some base classifier with these probabilities flips inside it)."""
    act = (~res.log.abstain) & (res.one_minus_pA < 0.5)
    out = {}
    for c in SMALL_C:
        r = small_c_radii(res, c)
        above = act & (r > res.radii["radius_cohen"] * (1 + 1e-12))
        out[str(c)] = {"rows_above_cohen": int(above.sum()), "certified_rows": int(act.sum()),
                       "example_idx": int(res.log.idx[np.argmax(above)]) if above.any() else None,
                       "certified_accuracy_l2": tuple(float(a) for a in certified_accuracy(
                           r, res.log.correct, res.log.predict, radii))}
    return out
