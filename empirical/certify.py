"""Certifying a data set with :class:`empirical.core.Smooth`: TSV output, resumption, sharding, merging.

TSV columns (tab-separated, one header line; Cohen et al.'s first six columns so their analysis
scripts keep working):

    idx label predict radius correct time  cA n0A n0 nA n pA_lower  radius_<name> ...

* ``predict`` = -1 means abstain; ``radius`` is the primary certificate of the mechanism
  (:data:`empirical.core.PRIMARY_CERTIFICATE`), 0 on abstain; ``time`` is the wall time of the
  example as ``H:MM:SS.ffffff`` (``0:00:00`` with ``timing=False``, which makes files bitwise
  reproducible);
* ``cA`` the class selected with ``n0`` draws and ``n0A`` its count there; ``nA`` its count among the
  ``n`` estimation draws; ``pA_lower`` the one-sided (1 - alpha) Clopper-Pearson bound (``repr`` precision);
* ``radius_<name>`` for every radius of ``theory.certificates.certified_radii`` (its column names,
  ``theory.certificates.RADIUS_COLUMNS``; ``repr``; ``inf`` allowed).

Each row is appended, flushed and fsync'ed as soon as it is done.  ``resume=True`` keeps the complete
rows of an existing file (a partial last line, left by a kill mid-write, is cut off and redone) and
certifies only the missing examples.  The run parameters are stored next to the TSV in ``OUT.json``;
resuming with different parameters is refused.  Each example's noise comes from a generator seeded by
``example_seed(seed, idx)``, so the rows do not depend on resumption, order or sharding (bitwise on the CPU).

Sharding: under ``torchrun`` (WORLD_SIZE > 1) rank r certifies ``indices[r::world]`` into
``OUT.rank{r}-of-{world}``, and after a barrier rank 0 merges the shards into ``OUT`` (sorted by idx);
:func:`merge_shards` is the same step as a function (``python -m empirical merge``).
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from empirical.core import Smooth, radius_mechanism, resolve_device
from empirical.noise import check_mechanism, example_seed, make_generator
from theory import certificates as C
from theory import validate as V
from theory._progress import _hms, progress_bar


class ResumeMismatch(ValueError):
    """Resuming refused because the existing output cannot be shown to come from this run's parameters
    (OUT.json missing, unreadable or different; another TSV header).  Callers that keep a cache of TSVs
    catch this (and only this) to recompute; malformed rows stay plain ValueErrors."""


BASE_COLUMNS = ["idx", "label", "predict", "radius", "correct", "time", "cA", "n0A", "n0", "nA", "n", "pA_lower"]


def radius_names(mechanism: str, sigma: float, d: int) -> list[str]:
    """Names of the radii ``theory.certificates.certified_radii`` reports for this mechanism."""
    return list(C.certified_radii(radius_mechanism(mechanism), 0.75, sigma, d).keys())


def columns(mechanism: str, sigma: float, d: int) -> list[str]:
    return BASE_COLUMNS + radius_names(mechanism, sigma, d)


def fmt_float(v: float) -> str:
    v = float(v)
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def select_indices(num_examples: int, skip: int = 1, max_index=None) -> list[int]:
    """Cohen et al.'s selection: every ``skip``-th example with index < ``max_index`` (all when None)."""
    skip = V.count("skip", skip, minimum=1)
    stop = num_examples if max_index is None or max_index < 0 else min(num_examples, int(max_index))
    return list(range(0, stop, skip))


def check_writable(path, *, sidecar: bool = True) -> Path:
    """Fail before any work when ``path`` (and, with ``sidecar``, ``path.json``) cannot be appended to
    (ValueError naming ``out``).  Creates the parent directories; a file created only to test is removed."""
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"out: {str(p)!r} is a directory, expected a file path")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        for q in ([p, Path(str(p) + ".json")] if sidecar else [p]):
            existed = q.exists()
            with open(q, "a"):
                pass
            if not existed:
                q.unlink()
    except OSError as exc:
        raise ValueError(f"out: cannot write {str(p)!r} ({exc.strerror or exc})") from None
    return p


def _read_complete(path: Path, header: list[str] | None, *, repair: bool,
                   label: str = "out") -> tuple[list[str] | None, list[list[str]]]:
    """(header, complete rows) of a TSV; a partial last line (no trailing newline) is dropped and,
    with ``repair``, cut off the file.  Errors name the option ``label`` (``out``, or ``shards`` when merging)."""
    if not path.exists():
        return None, []
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
        line = data[:exc.start].count(b"\n") + 1
        raise ValueError(f"{label}: {str(path)!r} line {line} is not UTF-8 text "
                         f"({exc.reason} at byte {exc.start})") from None
    if not lines:
        return None, []
    head = lines[0].split("\t")
    if header is not None and head != header:
        raise ResumeMismatch(f"{label}: {str(path)!r} has header {head}, this run writes {header}; refusing to mix")
    rows = []
    for i, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(head):
            raise ValueError(f"{label}: {str(path)!r} line {i} has {len(fields)} fields, expected {len(head)}")
        rows.append(fields)
    return head, rows


def read_tsv(path) -> list[dict]:
    """The complete rows of a certify TSV as dicts of strings (partial last line ignored)."""
    head, rows = _read_complete(Path(path), None, repair=False)
    return [dict(zip(head, r, strict=False)) for r in rows] if head else []


def _params_file(path: Path) -> Path:
    return Path(str(path) + ".json")


def _check_params(path: Path, params: dict, resume: bool) -> None:
    """With ``resume`` and a non-empty ``path``, refuse (ValueError) unless ``path.json`` exists, is a JSON
    object and agrees with ``params``.  Reads only: :func:`_write_params` writes the file afterwards."""
    if not (resume and path.exists() and path.stat().st_size > 0):
        return
    pf = _params_file(path)
    if not pf.is_file():
        raise ResumeMismatch(f"resume: cannot verify the parameters of {str(path)!r}: {str(pf)!r} is missing; "
                         f"use --overwrite to start again")
    try:
        old = json.loads(pf.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        old = None
    if not isinstance(old, dict):
        raise ResumeMismatch(f"resume: cannot verify the parameters of {str(path)!r}: {str(pf)!r} is not a JSON "
                             "object; "
                         f"use --overwrite to start again")
    diff = {k: (old.get(k), v) for k, v in params.items() if old.get(k) != v}
    if diff:
        raise ResumeMismatch(f"resume: {str(path)!r} was written with other parameters "
                         f"({', '.join(f'{k}: {a!r} -> {b!r}' for k, (a, b) in diff.items())})")


def _write_params(path: Path, params: dict) -> None:
    pf = _params_file(path)
    tmp = pf.with_name(pf.name + ".tmp")
    tmp.write_text(json.dumps(params, indent=1, sort_keys=True))
    os.replace(tmp, pf)


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
                    run_params: dict | None = None) -> list[dict]:
    """Run CERTIFY on ``split[i]`` for ``i`` in ``indices`` and append one TSV row each to ``out_path``.

    model: the base classifier (pixels in [0, 1] -> logits); split: an :class:`empirical.data.Split`
    (or any indexable of ``(x, label)``); mechanism 'gaussian' | 'exponential-linf'; sigma > 0;
    n0, n >= 1; alpha in (0, 1); batch >= 1.  ``resume`` continues an existing file; otherwise an
    existing non-empty file is refused unless ``overwrite``.  ``forward`` is an optional faster forward
    function (:class:`empirical.core.FastForward`).  Returns the rows certified in this call (dicts with
    the TSV's columns, numbers as Python values).
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
    cols = columns(mechanism, sigma, d)
    params = dict(run_params or {})
    params.update(mechanism=mechanism, sigma=sigma, n0=n0, n=n, alpha=alpha, batch=batch, seed=seed)
    if out.exists() and out.stat().st_size > 0 and not resume:
        if not overwrite:
            raise ValueError(f"out: {str(out)!r} exists and is not empty; pass resume=True (--resume) to continue "
                             f"it or overwrite=True (--overwrite) to start again")
        out.write_bytes(b"")
    _check_params(out, params, resume)
    head, old_rows = _read_complete(out, cols, repair=True)
    _write_params(out, params)  # only once the parameters and the header have been validated
    done = {int(r[0]) for r in old_rows}
    todo = [i for i in indices if i not in done]
    smooth = Smooth(model, k, mechanism, sigma, dev, forward=forward)
    g = make_generator(dev, 0)
    written = []
    bar = None
    if todo:
        plan = warmup_and_estimate(smooth, split[todo[0]][0], n0, n, batch, g)  # compiles here, not in a row
        if progress:
            print(plan.line(len(todo), len(indices)), file=sys.stderr, flush=True)
            bar = progress_bar(total=len(indices), initial=len(indices) - len(todo), desc="certify",
                               seconds_per_item=plan.seconds_per_example)
            bar.refresh()
    with open(out, "a", encoding="utf-8") as f:
        if head is None and todo:  # nothing to do: no header-only file (a later run would refuse it)
            f.write("\t".join(cols) + "\n")
            f.flush()
        for i in todo:
            x, label = split[i]
            g.manual_seed(example_seed(seed, i))
            t0 = time.perf_counter()
            res = smooth.certify(x, n0, n, alpha, batch, g)
            dt = time.perf_counter() - t0
            tstr = str(datetime.timedelta(seconds=dt)) if timing else "0:00:00"
            row = {"idx": i, "label": int(label), "predict": res.prediction, "radius": res.radius,
                   "correct": int(res.prediction == int(label)), "time": tstr, "cA": res.cA, "n0A": res.n0A,
                   "n0": res.n0, "nA": res.nA, "n": res.n, "pA_lower": res.pA_lower}
            for name, r in res.radii.items():
                row[name] = r
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


def merge_shards(out, shards=None, *, world=None) -> int:
    """Merge shard TSVs into ``out`` (rows sorted by idx, duplicates of identical rows dropped,
    conflicting duplicates refused); ``shards`` defaults to ``OUT.rank*-of-WORLD``.  Writes atomically;
    returns the number of rows."""
    out = Path(out)
    if shards is None:
        if world is None:
            pat = re.compile(re.escape(out.name) + r"\.rank(\d+)-of-(\d+)$")
            cands = sorted(c for c in out.parent.glob(out.name + ".rank*-of-*") if pat.match(c.name))
            worlds = {c.name.rsplit("-of-", 1)[1] for c in cands}
            if len(worlds) != 1:
                raise ValueError(f"shards: expected the shards of one run next to {str(out)!r}, "
                                 f"found {[c.name for c in cands]}")
            world = int(worlds.pop())
        shards = [shard_path(out, r, world) for r in range(world)]
    shards = [Path(s) for s in shards]
    missing = [str(s) for s in shards if not s.is_file()]
    if missing:
        raise ValueError(f"shards: missing shard files {missing}")
    header, by_idx = None, {}
    for s in shards:
        head, rows = _read_complete(s, header, repair=False, label="shards")
        if head is None:
            continue
        header = head
        for lineno, r in enumerate(rows, start=2):
            try:
                i = int(r[0])
            except ValueError:
                raise ValueError(f"shards: {str(s)!r} line {lineno}: idx must be an integer, got {r[0]!r}") from None
            if i in by_idx and by_idx[i][:5] + by_idx[i][6:] != r[:5] + r[6:]:
                raise ValueError(f"shards: conflicting rows for idx {i}")
            by_idx.setdefault(i, r)
    if header is None:
        raise ValueError("shards: no header found in any shard")
    tmp = out.with_name(out.name + ".merging")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\t".join(header) + "\n")
        for i in sorted(by_idx):
            f.write("\t".join(by_idx[i]) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out)
    pf = _params_file(shards[0])
    if pf.is_file():
        _params_file(out).write_text(pf.read_text())
    return len(by_idx)


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
    and merged, each shard continues) or ``overwrite`` (``OUT``, its shards and their parameter files are
    removed).  Reads only; :meth:`ShardedOutput.apply` does the removal.  ``cols`` / ``params`` (optional)
    check a resumed ``OUT``'s header and ``OUT.json`` up front, as :func:`certify_dataset` does."""
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
        return ShardedOutput(str(out), world, remove=tuple(str(q) for p in stale for q in (p, _params_file(p))))
    foreign = [p.name for p in shards if _nonempty(p) and not p.name.endswith(f"-of-{world}")]
    if foreign:
        raise ValueError(f"out: shards of a run with another number of processes exist ({foreign}); merge them "
                         f"first (python -m empirical merge --out OUT SHARDS...) or pass --overwrite")
    if not _nonempty(out):
        return ShardedOutput(str(out), world)
    if params is not None:
        _check_params(out, params, True)
    _, rows = _read_complete(out, cols, repair=False)
    return ShardedOutput(str(out), world, done=frozenset(int(r[0]) for r in rows), merge_out=True)


def rank_indices(indices, rank: int, world: int, plan: ShardedOutput | None = None) -> list[int]:
    """Rank ``rank``'s share ``indices[rank::world]`` (stable, so each shard resumes its own rows), less the
    rows ``OUT`` already holds."""
    done = plan.done if plan is not None else frozenset()
    return [i for i in list(indices)[rank::world] if i not in done]


def finish_sharded(out, world: int, plan: ShardedOutput) -> int:
    """Rank 0's last step: merge the shards (and, when resuming, ``OUT``'s earlier rows) into ``OUT``."""
    out = Path(out)
    shards = [shard_path(out, r, world) for r in range(world)]
    return merge_shards(out, shards + ([out] if plan.merge_out else []))


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
        decision = [None, None, False]
        if rank == 0:
            try:
                cols = params = None
                if indices:
                    cols = columns(check_mechanism(mechanism), float(sigma), int(split[indices[0]][0].numel()))
                    params = dict(kw.get("run_params") or {})
                    params.update(mechanism=check_mechanism(mechanism), sigma=V.positive("sigma", sigma),
                                  n0=V.count("n0", n0, minimum=1), n=V.count("n", n, minimum=1),
                                  alpha=V.in_open_interval("alpha", alpha, 0.0, 1.0),
                                  batch=V.count("batch", batch, minimum=1),
                                  seed=V.count("seed", kw.get("seed", 0), minimum=0))
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
