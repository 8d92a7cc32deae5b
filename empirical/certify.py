"""Certifying a data set with :class:`empirical.core.Smooth`: TSV output, resumption, sharding, merging.

TSV layout (tab-separated; format 1, issue 20):

    idx label predict radius correct time  cA n0A n0 nA n pA_lower  radius_<name> ...
    # rs-verify-certify {"format": 1, "mechanism": "gaussian", "sigma": 0.25, ...}
    0   7     7       0.61   1       0:00:01.2  ...

* line 1 is the column header: Cohen et al.'s first six columns, so their analysis scripts keep working;
* line 2 is the run's **metadata**, ``# rs-verify-certify `` followed by one JSON object (below).  It is a
  comment line: ``pandas.read_csv(path, sep="\t", comment="#")`` and ``numpy.genfromtxt(path, names=True,
  delimiter="\t", comments="#")`` skip it (it comes after the header because genfromtxt reads a comment line
  *before* the header as the column names); :func:`read_tsv` / :func:`read_metadata` read it;
* then one row per example.  ``predict`` = -1 means abstain; ``radius`` is the primary certificate of the
  mechanism (:data:`empirical.core.PRIMARY_CERTIFICATE`), 0 on abstain; ``time`` is the wall time of the
  example as ``H:MM:SS.ffffff`` (``0:00:00`` with ``timing=False``, which makes files bitwise reproducible);
  ``cA`` the class selected with ``n0`` draws and ``n0A`` its count there; ``nA`` its count among the ``n``
  estimation draws; ``pA_lower`` the one-sided (1 - alpha) Clopper-Pearson bound (``repr`` precision);
  ``radius_<name>`` every radius of ``theory.certificates.certified_radii`` (its column names,
  ``theory.certificates.RADIUS_COLUMNS``; ``repr``; ``inf`` allowed).
* sequential runs only (issue 21, :func:`sequential_columns`), last: ``forward_passes`` and, per target radius,
  ``certified_R<R>`` and ``decided_at_R<R>``; there ``n`` is the estimation draws used and ``pA_lower`` the
  lower end of the anytime-valid confidence sequence (:mod:`theory.sequential`) at the stop; the sequential
  settings (``sequential_mode``, ``sequential_budget``, ``target_radii``, ...) join the metadata.

The metadata (a flat JSON object; :func:`run_metadata`) holds everything the rows depend on:
``format`` (:data:`FORMAT`), ``mechanism``, ``sigma``, ``n0``, ``n``, ``alpha``, ``batch`` (the noise is
seeded per batch), ``seed``, ``model_sha256`` (sha256 of the model's state dict,
:func:`empirical._sysinfo.state_dict_sha256`: the weights, not the checkpoint's path), ``d`` (input
dimension) and ``num_classes``; the command line adds ``dataset``, ``split``, ``num_examples``, ``skip``,
``max`` and ``autocast``, a shard its ``shard`` = [rank, world]; callers add their own keys through
``run_params``.  Keys in :data:`INFO_KEYS` (``checkpoint`` path, package ``version``, the selection ``skip``
and ``max``: rows depend on the settings and idx only, so a run may be extended with a larger ``--max``) are
recorded, not compared.  **Extending it:** a new setting is one more key; add it only when it differs from its default
(a key absent from a file means "the default"), so that files written before it existed still resume.

Each row is appended, flushed and fsync'ed as soon as it is done.  ``resume=True`` keeps the complete rows of
an existing file (a partial last line, left by a kill mid-write, is cut off and redone) and certifies only the
missing examples, after checking that the file's metadata equals this run's, key by key (refused otherwise:
:class:`ResumeMismatch`, one line naming each differing key, file vs this run; a file without the metadata
line -- an older version's, or not certify's -- is refused too).  The TSV alone resumes: there is no sidecar.
While a run writes its TSV it holds an exclusive ``flock`` on it; a second run on the same file is refused
(:class:`FileInUse`, naming the holder's pid and command line from ``/proc/locks``) instead of mixing rows.
Each example's noise comes from a generator seeded by ``example_seed(seed, idx)``, so the rows do not depend
on resumption, order or sharding (bitwise on the CPU).

Sharding: under ``torchrun`` (WORLD_SIZE > 1) rank r certifies ``indices[r::world]`` into
``OUT.rank{r}-of-{world}``, and after a barrier rank 0 merges the shards into ``OUT`` (sorted by idx);
:func:`merge_shards` is the same step as a function (``python -m empirical merge``): it checks that the shards'
metadata agree and that no rank is missing, and writes ``OUT`` only when ``OUT`` is absent or an earlier
output of the same run (whose rows it keeps).
"""

from __future__ import annotations

import datetime
import math
import os
import re
import sys
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from empirical.certify_tsv import (  # noqa: F401 - re-exported: the TSV layout's public names live here too
    FORMAT,
    INFO_KEYS,
    METADATA_PREFIX,
    ResumeMismatch,
    _read_complete,
    metadata_diff,
    metadata_line,
    read_metadata,
    read_tsv,
)
from empirical.core import Smooth, radius_mechanism, resolve_device
from empirical.noise import check_mechanism, example_seed, make_generator
from theory import certificates as C
from theory import noises
from theory import validate as V
from theory._progress import _hms, progress_bar


class FileInUse(ValueError):
    """The output TSV is being written by another process (it holds the file's ``flock``)."""


BASE_COLUMNS = ["idx", "label", "predict", "radius", "correct", "time", "cA", "n0A", "n0", "nA", "n", "pA_lower"]


def radius_names(mechanism: str, sigma: float, d: int) -> list[str]:
    """Names of the radii ``theory.certificates.certified_radii`` reports for this mechanism."""
    return list(C.certified_radii(radius_mechanism(mechanism), 0.75, sigma, d).keys())


def columns(mechanism: str, sigma: float, d: int) -> list[str]:
    return BASE_COLUMNS + radius_names(mechanism, sigma, d)


# -- sequential CERTIFY (issue 21) -----------------------------------------------------------------------------
def sequential_columns(spec) -> list[str]:
    """Columns a sequential run (a :class:`theory.sequential.SequentialSpec`; None: none) adds after all others:
    ``forward_passes`` (n0 + the estimation draws used; the ``n`` column is the latter) and, per target radius R,
    ``certified_R<R>`` (1/0) and ``decided_at_R<R>`` (estimation draws when R was decided)."""
    if spec is None:
        return []
    return ["forward_passes"] + [c for r in spec.targets for c in (f"certified_R{r:g}", f"decided_at_R{r:g}")]


def _sequential_fields(spec, res) -> dict:
    if spec is None:
        return {}
    row = {"forward_passes": res.forward_passes}
    for r, c, at in zip(spec.targets, res.certified, res.decided_at, strict=True):
        row[f"certified_R{r:g}"], row[f"decided_at_R{r:g}"] = c, at
    return row
def _with_sequential(run_params: dict | None, spec) -> dict:
    """``run_params`` plus the sequential settings of ``spec`` (none for a fixed-n run: older files still resume)."""
    return {**(run_params or {}), **(spec.metadata() if spec is not None else {})}


# -- end sequential ------------------------------------------------------------------------------------------


def fmt_float(v: float) -> str:
    v = float(v)
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def select_indices(num_examples: int, skip: int = 1, max_index=None) -> list[int]:
    """Cohen et al.'s selection: every ``skip``-th example with index < ``max_index`` (all when None).

    ``max_index`` must be None or >= 0 (a negative value used to mean "all": ``--max -5`` certified everything).
    """
    skip = V.count("skip", skip, minimum=1)
    if max_index is not None:
        max_index = V.count("max", max_index, minimum=0)
    stop = num_examples if max_index is None else min(num_examples, max_index)
    return list(range(0, stop, skip))


def check_sigma_range(mechanism: str, sigma: float, d: int, *, n: int, alpha: float) -> float:
    """``sigma``, validated for a run: positive and finite, its noise finite in float32 and every radius column
    finite at the largest lower bound the run can reach (``nA = n``); ValueError naming ``sigma`` otherwise.

    The noise is drawn in float32: a coordinate stays below ``sigma * tail_bound(d)`` of the noise table
    (:attr:`theory.noises.Noise.tail_bound`: a Gaussian coordinate below ``40 sigma``, probability of more < 1e-340;
    the eq.-6 radius R ~ Gamma(d + 1, sigma) below ``sigma (d + 1 + 40 sqrt(d + 1) + 40)``, 40 standard deviations
    of the Gamma); past ``float32`` max (3.4e38) the noise would be ``inf`` -- not the claimed distribution.  A
    radius column that overflows to ``inf`` would claim more than the certificate's finite value.

    >>> check_sigma_range("gaussian", 0.5, 3072, n=100000, alpha=0.001)
    0.5
    """
    sigma = V.positive("sigma", sigma)
    f32max = float(torch.finfo(torch.float32).max)
    bound = noises.get(check_mechanism(mechanism)).tail_bound
    scale = float(bound(d)) if bound is not None else math.inf   # (the table requires it with a torch sampler)
    if sigma * scale > f32max:
        raise ValueError(f"sigma must be <= {f32max / scale:.3g} for {mechanism} noise in float32 (d = {d}), "
                         f"got {sigma!r}: the noise would overflow to inf")
    if mechanism in noises.radius_columns():
        e = -math.expm1(math.log(alpha) / n)  # 1 - the Clopper-Pearson bound at nA = n: alpha ** (1 / n)
        top = C.certified_radii(mechanism, 0.0, sigma, d, one_minus_pA_lower=e)
        over = [k for k, v in top.items() if not math.isfinite(v)]
        if over:
            raise ValueError(f"sigma {sigma!r} is too large: the radius columns {over} would overflow to inf "
                             f"(at nA = n = {n}, alpha = {alpha})")
    return sigma


def check_writable(path, *, sidecar: bool = False) -> Path:
    """Fail before any work when ``path`` cannot be appended to (ValueError naming ``out``).  Creates the parent
    directories; a file created only to test is removed.  (``sidecar`` is accepted for old callers and ignored:
    certify keeps no ``OUT.json`` any more.)"""
    del sidecar
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"out: {str(p)!r} is a directory, expected a file path")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        existed = p.exists()
        with open(p, "a"):
            pass
        if not existed:
            p.unlink()
    except OSError as exc:
        raise ValueError(f"out: cannot write {str(p)!r} ({exc.strerror or exc})") from None
    return p


def refuse_existing(path, what: str = "out") -> None:
    """ValueError naming ``what`` when ``path`` exists and is not empty (commands without --resume: train's
    checkpoint, predict's TSV); the message offers --overwrite."""
    p = Path(path)
    if p.exists() and (p.is_dir() or p.stat().st_size > 0):
        raise ValueError(f"{what}: {str(p)!r} exists; pass --overwrite to replace it (or choose another path)")


def _check_metadata(path: Path, meta: dict | None, params: dict) -> None:
    """Refuse (ResumeMismatch) to resume ``path`` unless its metadata ``meta`` equals ``params``."""
    if meta is None:
        raise ResumeMismatch(f"resume: {str(path)!r} has no '{METADATA_PREFIX.strip()}' metadata line (written by an "
                             f"older version, or not by certify), so its rows cannot be checked against this run; "
                             f"use --overwrite to start again, or another --out")
    diff = metadata_diff(meta, params)
    if diff:
        raise ResumeMismatch(f"resume: {str(path)!r} was written by another run ({'; '.join(diff)}); refusing to mix "
                             f"its rows with this run's (use --overwrite to start again, or another --out)")


_HASHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_sha256(model) -> str:
    """:func:`empirical._sysinfo.state_dict_sha256` of ``model``, remembered per model object while its tensors
    are unchanged (same storage, same in-place version counter): a caller certifying one example per call (the
    device check) does not hash a ResNet's weights each time."""
    from empirical._sysinfo import state_dict_sha256

    key = tuple((t.data_ptr(), t._version) for t in model.state_dict().values())
    try:
        hit = _HASHES.get(model)
    except TypeError:  # not weak-referenceable
        return state_dict_sha256(model)
    if hit is not None and hit[0] == key:
        return hit[1]
    h = state_dict_sha256(model)
    _HASHES[model] = (key, h)
    return h


def run_metadata(mechanism: str, sigma: float, n0: int, n: int, alpha: float, batch: int, seed: int, d: int,
                 num_classes: int, model=None, run_params: dict | None = None) -> dict:
    """The metadata of a certify run (module docstring): the settings, ``d``, ``num_classes``, ``model_sha256``
    (from ``run_params`` when the caller hashed the model already, else of ``model``'s state dict) and the
    caller's ``run_params``; ``format`` and the package ``version`` added."""
    from theory.report.provenance import package_version

    meta = dict(run_params or {})
    if "model_sha256" not in meta and model is not None and hasattr(model, "state_dict"):
        meta["model_sha256"] = model_sha256(model)
    meta.update(format=FORMAT, mechanism=mechanism, sigma=sigma, n0=n0, n=n, alpha=alpha, batch=batch, seed=seed,
                d=int(d), num_classes=int(num_classes))
    meta.setdefault("version", package_version())
    return meta


def _lock_holder(fd: int) -> str:
    """``pid N (command line)`` of the process holding a lock on ``fd``'s file, from /proc/locks (Linux), or
    ``another process`` when it cannot be told."""
    try:
        st = os.fstat(fd)
        want = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
        for line in Path("/proc/locks").read_text().splitlines():
            parts = line.split()
            if "->" in parts:
                continue
            if len(parts) >= 6 and parts[5] == want:
                pid = parts[4]
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    cmd = ""
                return f"pid {pid}" + (f" ({cmd.strip()[:200]})" if cmd.strip() else "")
    except (OSError, ValueError):
        pass
    return "another process"


class _OutputLock:
    """An exclusive, non-blocking ``flock`` on ``path`` (created when missing; removed again on exit when this
    lock created it and it is still empty).  Refuses with :class:`FileInUse` naming the holder."""

    def __init__(self, path: Path, label: str = "out"):
        self.path, self.label, self.created = Path(path), label, False
        self.fd: int | None = None

    def __enter__(self):
        self.created = not self.path.exists()
        fd = self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no locking
            return self
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(fd)
            os.close(fd)
            self.fd = None
            raise FileInUse(f"{self.label}: {str(self.path)!r} is in use: {holder} is writing it; wait for it to "
                            f"finish or stop it, then run again (with --resume to continue it)") from None
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            if self.created and self.path.exists() and self.path.stat().st_size == 0:
                self.path.unlink()
            os.close(self.fd)
            self.fd = None
        return False


@dataclass(frozen=True)
class CertifyPlan:
    """What a certify run will cost, measured before its first example: ``warmup_s`` (compilation and the
    first forward passes of every batch shape, excluded from the rows' times and from the progress rate) and
    ``seconds_per_example`` estimated from timed batches after it."""

    n0: int
    n: int
    batch: int
    warmup_s: float
    seconds_per_example: float

    def line(self, todo: int, total: int) -> str:
        draws = todo * (self.n0 + self.n)
        done = total - todo
        return (f"certify plan: {todo} examples{f' ({done} of {total} already done)' if done else ''} x "
                f"(n0 {self.n0} + n {self.n}) = {draws:.3g} noisy forward passes in batches of {self.batch}; "
                f"warm-up {self.warmup_s:.1f} s; about {self.seconds_per_example:.3g} s per example -> "
                f"estimated {_hms(todo * self.seconds_per_example)} (h:mm:ss)")


def warmup_and_estimate(smooth: Smooth, x, n0: int, n: int, batch: int, generator, *,
                        timed_batches: int = 2) -> CertifyPlan:
    """Compile/warm up ``smooth`` on every batch shape of ``(n0, n)`` (timed), then time ``timed_batches``
    batches of noisy forward passes (each example reseeds ``generator``, so the rows do not change) and
    extrapolate to one example's ``n0 + n`` draws."""
    t0 = time.perf_counter()
    smooth.warmup(x, (n0, n), batch)
    t1 = time.perf_counter()
    num = min(n0 + n, timed_batches * batch)
    smooth.sample_counts(x, num, batch, generator).cpu()
    per_draw = (time.perf_counter() - t1) / num
    return CertifyPlan(n0, n, batch, t1 - t0, per_draw * (n0 + n))


def certify_dataset(model, split, mechanism: str, sigma: float, n0: int, n: int, alpha: float, batch: int,
                    indices, out_path, *, resume: bool = False, overwrite: bool = False, device="auto",
                    seed: int = 0, timing: bool = True, forward=None, num_classes=None, progress: bool = True,
                    run_params: dict | None = None, sequential=None) -> list[dict]:
    """Run CERTIFY on ``split[i]`` for ``i`` in ``indices`` and append one TSV row each to ``out_path``.

    model: the base classifier (pixels in [0, 1] -> logits); split: an :class:`empirical.data.Split`
    (or any indexable of ``(x, label)``); mechanism 'gaussian' | 'exponential-linf'; sigma > 0 (and small
    enough for float32 noise and finite radii, :func:`check_sigma_range`); n0, n >= 1; alpha in (0, 1);
    batch >= 1.  ``resume`` continues an existing file when its metadata equals this run's
    (:class:`ResumeMismatch` otherwise); without it an existing non-empty file is refused unless ``overwrite``.
    ``forward`` is an optional faster forward function (:class:`empirical.core.FastForward`).  ``run_params``:
    more metadata (module docstring); a ``model_sha256`` there is trusted, else the model's state dict is
    hashed.  The file is locked while written (:class:`FileInUse` for a second writer).  Returns the rows
    certified in this call (dicts with the TSV's columns, numbers as Python values).
    ``sequential``: a :class:`theory.sequential.SequentialSpec` (target-radius or radius mode, issue 21; ``n`` is
    then ignored for the budget, ``sequential.budget`` caps the estimation draws) -- its settings join the
    metadata and :func:`sequential_columns` the columns.
    """
    mechanism = check_mechanism(mechanism)
    sigma = V.positive("sigma", sigma)
    n0 = V.count("n0", n0, minimum=1)
    n = V.count("n", n, minimum=1)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    batch = V.count("batch", batch, minimum=1)
    seed = V.count("seed", seed, minimum=0)
    indices = [V.count("idx", i) for i in indices]
    out = check_writable(out_path)
    dev = resolve_device(device)
    k = num_classes if num_classes is not None else getattr(getattr(split, "info", None), "num_classes", None)
    if k is None:
        raise ValueError("num_classes: pass it when split has no .info")
    x0, _ = split[indices[0]] if indices else (torch.zeros(1), 0)
    d = int(x0.numel())
    sigma = check_sigma_range(mechanism, sigma, d, n=n, alpha=alpha)
    cols = columns(mechanism, sigma, d) + sequential_columns(sequential)
    params = run_metadata(mechanism, sigma, n0, n, alpha, batch, seed, d, k, model=model,
                          run_params=_with_sequential(run_params, sequential))
    with _OutputLock(out):
        if out.stat().st_size > 0 and not resume:
            if not overwrite:
                raise ValueError(f"out: {str(out)!r} exists and is not empty; pass resume=True (--resume) to "
                                 f"continue it or overwrite=True (--overwrite) to start again")
            with open(out, "r+b") as f:
                f.truncate(0)
        head, meta, _ = _read_complete(out, None, repair=False)  # reads only: a refused file stays as it was
        if head is not None:  # the settings first (names the differing key), then the columns they imply
            _check_metadata(out, meta, params)
            _read_complete(out, cols, repair=False)
        head, meta, old_rows = _read_complete(out, cols, repair=True)
        return _certify_rows(model, split, mechanism, sigma, n0, n, alpha, batch, indices, out, dev, seed, timing,
                             forward, k, progress, cols, params if head is None else None, old_rows, sequential)


def _certify_rows(model, split, mechanism, sigma, n0, n, alpha, batch, indices, out, dev, seed, timing, forward, k,
                  progress, cols, new_meta, old_rows, sequential=None) -> list[dict]:
    """The certification loop of :func:`certify_dataset` (under its lock): header and metadata first when
    ``new_meta`` (a new file), then one flushed row per example not in ``old_rows``."""
    done = {int(r[0]) for r in old_rows}
    todo = [i for i in indices if i not in done]
    smooth = Smooth(model, k, mechanism, sigma, dev, forward=forward)
    g = make_generator(dev, 0)
    written = []
    bar = None
    if todo:
        if sequential is not None:  # compile the look increments' batch shapes too
            from theory.sequential import look_schedule

            looks = look_schedule(sequential.budget, batch, sequential.first)
            smooth.warmup(split[todo[0]][0], sorted({b - a for a, b in zip([0] + looks, looks, strict=False)}), batch)
        plan = warmup_and_estimate(smooth, split[todo[0]][0], n0, n, batch, g)  # compiles here, not in a row
        if progress:
            print(plan.line(len(todo), len(indices)), file=sys.stderr, flush=True)
            bar = progress_bar(total=len(indices), initial=len(indices) - len(todo), desc="certify",
                               seconds_per_item=plan.seconds_per_example)
            bar.refresh()
    with open(out, "a", encoding="utf-8") as f:
        if new_meta is not None and todo:  # nothing to do: no header-only file
            f.write("\t".join(cols) + "\n" + metadata_line(new_meta) + "\n")
            f.flush()
        for i in todo:
            x, label = split[i]
            g.manual_seed(example_seed(seed, i))
            t0 = time.perf_counter()
            res = (smooth.certify(x, n0, n, alpha, batch, g) if sequential is None
                   else smooth.certify_sequential(x, n0, sequential, alpha, batch, g))
            dt = time.perf_counter() - t0
            tstr = str(datetime.timedelta(seconds=dt)) if timing else "0:00:00"
            row = {"idx": i, "label": int(label), "predict": res.prediction, "radius": res.radius,
                   "correct": int(res.prediction == int(label)), "time": tstr, "cA": res.cA, "n0A": res.n0A,
                   "n0": res.n0, "nA": res.nA, "n": res.n, "pA_lower": res.pA_lower}
            for name, r in res.radii.items():
                row[name] = r
            row.update(_sequential_fields(sequential, res))
            fields = [fmt_float(row[c]) if isinstance(row[c], float) else str(row[c]) for c in cols]
            f.write("\t".join(fields) + "\n")
            f.flush()
            os.fsync(f.fileno())
            written.append(row)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return written


def shard_path(out, rank: int, world: int) -> Path:
    return Path(f"{out}.rank{rank}-of-{world}")


_SHARD_NAME = re.compile(r"\.rank(\d+)-of-(\d+)$")


def _shard_of(path: Path, meta: dict | None) -> tuple[int, int] | None:
    """(rank, world) of a shard: its metadata's ``shard`` key, else its file name ``*.rank{r}-of-{w}``."""
    s = (meta or {}).get("shard")
    if isinstance(s, list) and len(s) == 2 and all(isinstance(v, int) for v in s):
        return int(s[0]), int(s[1])
    m = _SHARD_NAME.search(path.name)
    return (int(m.group(1)), int(m.group(2))) if m else None


def merge_shards(out, shards=None, *, world=None, allow_partial: bool = False, overwrite: bool = False) -> int:
    """Merge shard TSVs into ``out`` (rows sorted by idx, duplicates of identical rows dropped, conflicting
    duplicates refused); ``shards`` defaults to ``OUT.rank*-of-WORLD``.  Writes atomically; returns the number
    of rows.

    Refused (ValueError): shards without the metadata line or whose metadata differ (other than their ``shard``
    key; the message names each differing key); a missing rank (named, with the file expected) unless
    ``allow_partial``; an existing non-empty ``out`` that is not an earlier output of the same run (its rows are
    then merged too) unless ``overwrite``.  The merged file carries the shards' metadata without ``shard``.
    """
    out = Path(out)
    if shards is None:
        if world is None:
            cands = _shard_files(out)
            worlds = {c.name.rsplit("-of-", 1)[1] for c in cands}
            if len(worlds) != 1:
                raise ValueError(f"shards: expected the shards of one run next to {str(out)!r}, "
                                 f"found {[c.name for c in cands]}")
            world = int(worlds.pop())
        shards = [p for p in (shard_path(out, r, world) for r in range(world)) if p.is_file()]
        if not shards:
            raise ValueError(f"shards: no shard {out.name}.rank*-of-{world} next to {str(out)!r}")
    shards = list(dict.fromkeys(Path(s) for s in shards))
    missing = [str(s) for s in shards if not s.is_file()]
    if missing:
        raise ValueError(f"shards: missing shard files {missing}")
    header: list[str] | None = None
    by_idx: dict[int, list[str]] = {}
    metas: list[tuple[Path, dict | None]] = []
    for s in shards:
        head, meta, rows = _read_complete(s, header, repair=False, label="shards")
        if head is None:  # an empty shard (its rank had nothing to do)
            continue
        header = head
        metas.append((s, meta))
        for lineno, r in enumerate(rows, start=3 if meta is not None else 2):
            try:
                i = int(r[0])
            except ValueError:
                raise ValueError(f"shards: {str(s)!r} line {lineno}: idx must be an integer, got {r[0]!r}") from None
            if i in by_idx and by_idx[i][:5] + by_idx[i][6:] != r[:5] + r[6:]:
                raise ValueError(f"shards: conflicting rows for idx {i}")
            by_idx.setdefault(i, r)
    if header is None:
        raise ValueError("shards: no header found in any shard")
    base = _common_metadata(metas)
    _check_ranks(out, metas, allow_partial)
    with _OutputLock(out):
        if out.stat().st_size > 0 and out.resolve() not in {s.resolve() for s in shards}:
            head, meta, rows = _read_complete(out, None, repair=False)
            why = ("it has no rs-verify-certify metadata line" if meta is None else
                   "its columns differ" if head != header else
                   "; ".join(metadata_diff(meta, base, ignore={"shard"}, labels=("out", "shards"))))
            if not why and not overwrite:  # an earlier merge of the same run: keep its rows
                for r in rows:
                    i = int(r[0])
                    if i in by_idx and by_idx[i][:5] + by_idx[i][6:] != r[:5] + r[6:]:
                        raise ValueError(f"out: {str(out)!r} and the shards have conflicting rows for idx {i}")
                    by_idx.setdefault(i, r)
            elif not overwrite:
                raise ValueError(f"out: {str(out)!r} exists and is not an earlier merge of these shards ({why}); "
                                 f"pass --overwrite to replace it, or choose another --out")
        tmp = out.with_name(out.name + ".merging")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("\t".join(header) + "\n" + metadata_line(base) + "\n")
            for i in sorted(by_idx):
                f.write("\t".join(by_idx[i]) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    return len(by_idx)


def _common_metadata(metas) -> dict:
    """The metadata the shards share (their ``shard`` key dropped); ValueError when one has none or two differ."""
    legacy = [str(s) for s, m in metas if m is None]
    if legacy:
        raise ValueError(f"shards: {legacy} have no rs-verify-certify metadata line (written by an older version, "
                         f"or not by certify): cannot check that the shards come from one run")
    (s0, m0), base = metas[0], {k: v for k, v in metas[0][1].items() if k != "shard"}
    for s, m in metas[1:]:
        diff = metadata_diff(m0, m, ignore={"shard"}, labels=(s0.name, s.name))
        if diff:
            raise ValueError(f"shards: {str(s0)!r} and {str(s)!r} come from different runs ({'; '.join(diff)})")
    return base


def _check_ranks(out: Path, metas, allow_partial: bool) -> None:
    """Refuse an incomplete shard set (a rank of 0..world-1 missing) unless ``allow_partial``."""
    ranks: dict[int, set] = {}
    for s, m in metas:
        rw = _shard_of(s, m)
        if rw is not None:
            ranks.setdefault(rw[1], set()).add(rw[0])
    if len(ranks) > 1:
        raise ValueError(f"shards: shards of runs with different numbers of processes ({sorted(ranks)}); merge "
                         f"the shards of one run")
    for w, have in ranks.items():
        lost = sorted(set(range(w)) - have)
        if lost and not allow_partial:
            names = ", ".join(f"rank {r} of {w} ({str(shard_path(out, r, w))!r})" for r in lost)
            raise ValueError(f"shards: {names} missing; pass --allow-partial to merge the others")


def dist_env() -> tuple[int, int, int]:
    """(rank, world size, local rank) from torchrun's environment ((0, 1, 0) when absent)."""
    return (int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)),
            int(os.environ.get("LOCAL_RANK", 0)))


@dataclass(frozen=True)
class ShardedOutput:
    """What a sharded run does with what is already at ``OUT``, decided once by rank 0 before any rank writes
    (:func:`decide_sharded_output`).  ``remove``: stale files deleted first (``overwrite``); ``done``: indices
    whose rows ``OUT`` already holds (``resume``: not certified again); ``merge_out``: ``OUT``'s own rows go into
    the final merge (``resume`` of a non-empty ``OUT``)."""

    out: str
    world: int
    remove: tuple = ()
    done: frozenset = frozenset()
    merge_out: bool = False

    def apply(self) -> None:
        for f in self.remove:
            Path(f).unlink(missing_ok=True)


def _shard_files(out: Path) -> list[Path]:
    """Every ``OUT.rank{r}-of-{w}`` next to ``OUT`` (any world size)."""
    pat = re.compile(re.escape(out.name) + r"\.rank(\d+)-of-(\d+)$")
    return sorted(c for c in out.parent.glob(out.name + ".rank*-of-*") if pat.match(c.name))


def _nonempty(p: Path) -> bool:
    return p.is_file() and p.stat().st_size > 0


def decide_sharded_output(out, world: int, *, resume: bool = False, overwrite: bool = False, cols=None,
                          params: dict | None = None) -> ShardedOutput:
    """The rule of :func:`certify_dataset` for a sharded run, over ``OUT`` and its shards together: anything
    non-empty there is refused (ValueError naming ``out``) unless ``resume`` (``OUT``'s complete rows are kept
    and merged, each shard continues) or ``overwrite`` (``OUT`` and its shards are removed).  Reads only;
    :meth:`ShardedOutput.apply` does the removal.  ``cols`` / ``params`` (optional) check a resumed ``OUT``'s
    header and metadata up front, as :func:`certify_dataset` does."""
    out = Path(out)
    world = V.count("world", world, minimum=2)
    if resume and overwrite:
        raise ValueError("resume: --resume and --overwrite exclude each other")
    shards = _shard_files(out)
    present = [p for p in [out, *shards] if _nonempty(p)]
    if present and not (resume or overwrite):
        names = ", ".join(repr(str(p)) for p in present)
        raise ValueError(f"out: {names} exists and is not empty; pass --resume to continue it or --overwrite "
                         f"to start again")
    if overwrite:
        stale = [out, *shards]
        return ShardedOutput(str(out), world, remove=tuple(str(p) for p in stale))
    foreign = [p.name for p in shards if _nonempty(p) and not p.name.endswith(f"-of-{world}")]
    if foreign:
        raise ValueError(f"out: shards of a run with another number of processes exist ({foreign}); merge them "
                         f"first (python -m empirical merge --out OUT SHARDS...) or pass --overwrite")
    if not _nonempty(out):
        return ShardedOutput(str(out), world)
    _, meta, rows = _read_complete(out, cols, repair=False)
    if params is not None:
        _check_metadata(out, meta, params)
    return ShardedOutput(str(out), world, done=frozenset(int(r[0]) for r in rows), merge_out=True)


def rank_indices(indices, rank: int, world: int, plan: ShardedOutput | None = None) -> list[int]:
    """Rank ``rank``'s share ``indices[rank::world]`` (stable, so each shard resumes its own rows), less the
    rows ``OUT`` already holds."""
    done = plan.done if plan is not None else frozenset()
    return [i for i in list(indices)[rank::world] if i not in done]


def finish_sharded(out, world: int, plan: ShardedOutput) -> int:
    """Rank 0's last step (after the barrier: every rank has finished): merge the shards (and, when resuming,
    ``OUT``'s earlier rows) into ``OUT``.  A rank with nothing to do wrote no shard: not an incomplete set."""
    out = Path(out)
    shards = [p for p in (shard_path(out, r, world) for r in range(world)) if p.is_file()]
    return merge_shards(out, shards + ([out] if plan.merge_out else []), allow_partial=True)


def certify_sharded(model, split, mechanism, sigma, n0, n, alpha, batch, indices, out_path, *, device="auto",
                    **kw) -> list[dict]:
    """:func:`certify_dataset` under torchrun: rank 0 decides what happens to an existing ``OUT``
    (:func:`decide_sharded_output`, the single-process rule) and tells every rank before any writes; each rank
    certifies its share into its shard; barrier; rank 0 merges.
    Without torchrun (WORLD_SIZE = 1) it is :func:`certify_dataset` on ``out_path``."""
    rank, world, local = dist_env()
    if world <= 1:
        return certify_dataset(model, split, mechanism, sigma, n0, n, alpha, batch, indices, out_path,
                               device=device, **kw)
    import torch.distributed as dist

    dev = resolve_device(device)
    if dev.type == "cuda":
        dev = torch.device("cuda", local)
        torch.cuda.set_device(dev)
    backend = "nccl" if dev.type == "cuda" else "gloo"
    own = not dist.is_initialized()
    if own:
        dist.init_process_group(backend, timeout=datetime.timedelta(hours=48))

    def barrier():
        dist.barrier() if backend == "gloo" else dist.barrier(device_ids=[dev.index])

    try:
        indices = list(indices)
        kw = dict(kw)
        resume, overwrite = kw.get("resume", False), kw.pop("overwrite", False)
        decision: list[Any] = [None, None, False]  # (plan, error message, whether a resume mismatch)
        if rank == 0:
            try:
                cols = params = None
                if indices:
                    mech, d = check_mechanism(mechanism), int(split[indices[0]][0].numel())
                    k = kw.get("num_classes") or split.info.num_classes
                    cols = columns(mech, float(sigma), d) + sequential_columns(kw.get("sequential"))
                    params = run_metadata(mech, V.positive("sigma", sigma), V.count("n0", n0, minimum=1),
                                          V.count("n", n, minimum=1), V.in_open_interval("alpha", alpha, 0.0, 1.0),
                                          V.count("batch", batch, minimum=1),
                                          V.count("seed", kw.get("seed", 0), minimum=0), d, k, model=model,
                                          run_params=_with_sequential(kw.get("run_params"),
                                                                                kw.get("sequential")))
                plan = decide_sharded_output(out_path, world, resume=resume, overwrite=overwrite, cols=cols,
                                             params=params)
                plan.apply()
                decision = [plan, None, False]
            except ValueError as exc:
                decision = [None, str(exc), isinstance(exc, ResumeMismatch)]
        dist.broadcast_object_list(decision, src=0)  # the one decision, before any rank writes
        plan, err, mismatch = decision
        if err is not None:
            raise (ResumeMismatch if mismatch else ValueError)(err)
        if rank != 0:
            kw["progress"] = False
        kw["run_params"] = {**(kw.get("run_params") or {}), "shard": [rank, world]}
        rows = certify_dataset(model, split, mechanism, sigma, n0, n, alpha, batch,
                               rank_indices(indices, rank, world, plan), shard_path(out_path, rank, world),
                               device=dev, overwrite=False, **kw)
        barrier()
        if rank == 0:
            finish_sharded(out_path, world, plan)
        barrier()
    finally:
        if own:
            dist.destroy_process_group()
    return rows
