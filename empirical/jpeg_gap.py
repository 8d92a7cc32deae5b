"""What the JPEG-75 copy of CIFAR-10 costs a smoothed classifier, measured on paired images.

``../shared/data/cifar10-jpeg75`` holds every CIFAR-10 image re-encoded once as JPEG quality 75 (lossy);
``cifar10-lossless100/test100.npz`` holds the first 100 test images pixel-exact, with their original test
index.  Cohen et al. (2019) certified models on the lossless images, so a model trained and certified on the
JPEG copy is not compared on equal terms.  This module certifies one model on the 100 lossless images and on
the *same* 100 images as the JPEG copy stores them, with the same noise seeds (CERTIFY draws example ``i``'s
noise from ``example_seed(seed, i)``, here ``i`` = the original test index), and reports the paired
difference.

Pipeline (compute -> typed result -> report, like the other experiments):

* :func:`match_jpeg_rows` -- the JPEG test row of each lossless image (checked pixel by pixel);
* :func:`load_jpeg_pairs` -- the two 100-image splits from the shared data folder;
* :func:`compute_jpeg_gap` -- certifies both (TSVs written as they go, resumable), returns a
  :class:`JpegGapResult`;
* :func:`write_jpeg_gap_report` -- ``NAME.md``, ``NAME.json`` and ``NAME.png``.

Matching.  The JPEG copy is class-major and keeps the original order inside each class, so original test
image ``i`` with label ``y`` is JPEG row ``start(y) + #{j < i : y_j = y}``, where ``start(y)`` is the first
row of class ``y``.  For the first 100 test images the count needs only their own labels (every ``j < i`` is
among them).  Each match is checked: same label, and mean absolute pixel difference at most
:data:`MAX_MATCH_MAE` (JPEG-75 re-encoding of the same image: 5.9/255 on average and at most 10.2/255 on these
100; two different images of one class: about 70/255).

Statistics.  For each radius ``R`` the images split into four cells (certified correct at ``R`` on both, on
the lossless image only, on the JPEG image only, on neither).  The accuracy difference is
(lossless-only - JPEG-only) / N, and its two-sided exact McNemar test is the binomial test of the lossless-only
count among the discordant pairs with p = 1/2 (``scipy.stats.binomtest``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from theory import validate as V
from theory.jsonio import dump_json, json_float, load_result, to_jsonable

#: Largest mean absolute pixel difference (in units of 1/255) accepted between a lossless image and its JPEG
#: match: above the largest JPEG-75 error seen on these images (10.2/255), far below the difference between two
#: different images of one class (about 70/255).
MAX_MATCH_MAE = 24.0

#: Radii (l2, pixels in [0, 1]) at which the report compares the two versions: Cohen et al.'s table radii.
RADII = (0.0, 0.25, 0.5, 0.75, 1.0)

JPEG_GAP_SCHEMA_VERSION = 1


def match_jpeg_rows(idx, labels, images, jpeg_labels, jpeg_images, *, max_mae: float = MAX_MATCH_MAE
                    ) -> tuple[np.ndarray, np.ndarray]:
    """JPEG test rows of lossless test images, and the mean absolute pixel difference of each match (x255).

    Parameters
    ----------
    idx, labels, images
        Original test indices (a set ``{0, ..., m-1}`` in any order), labels and uint8 images of the lossless
        images (``test100.npz``'s ``idx``, ``y``, ``x``).
    jpeg_labels, jpeg_images
        Labels and uint8 images of the whole class-major JPEG test set (same image layout).
    max_mae
        Largest accepted mean absolute difference, in units of 1/255 (default :data:`MAX_MATCH_MAE`).

    Returns
    -------
    (rows, mae)
        ``rows[k]`` is the JPEG row of lossless image ``k``; ``mae[k]`` its mean absolute difference x 255.

    Raises
    ------
    ValueError
        ``idx`` is not ``{0, ..., m-1}``, the JPEG labels are not class-major, a class has fewer JPEG rows than
        needed, or a match has another label or differs by more than ``max_mae``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([1, 0, 1]); x = rng.integers(0, 256, (3, 2, 2, 3), dtype=np.uint8)
    >>> jy = np.array([0, 0, 1, 1]); jx = np.zeros((4, 2, 2, 3), np.uint8)
    >>> jx[0], jx[2], jx[3] = x[1], x[0], x[2]
    >>> rows, mae = match_jpeg_rows([0, 1, 2], y, x, jy, jx)
    >>> rows.tolist(), mae.tolist()
    ([2, 0, 3], [0.0, 0.0, 0.0])
    """
    max_mae = V.positive("max_mae", max_mae)
    idx = np.asarray(idx, dtype=np.int64).reshape(-1)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    images, jpeg_images = np.asarray(images), np.asarray(jpeg_images)
    jpeg_labels = np.asarray(jpeg_labels, dtype=np.int64).reshape(-1)
    m = idx.size
    if labels.size != m or images.shape[0] != m:
        raise ValueError(f"labels, images: need one per index ({m}), got {labels.size} labels and "
                         f"{images.shape[0]} images")
    if sorted(idx.tolist()) != list(range(m)):
        raise ValueError("idx: the lossless images must be the first m test images (indices 0..m-1 in any order)")
    if jpeg_labels.size != jpeg_images.shape[0] or jpeg_images.shape[1:] != images.shape[1:]:
        raise ValueError(f"jpeg_images: shape {jpeg_images.shape} does not match {jpeg_labels.size} labels and "
                         f"images of shape {images.shape[1:]}")
    if jpeg_labels.size and np.any(np.diff(jpeg_labels) < 0):
        raise ValueError("jpeg_labels: the JPEG test set must be class-major (labels non-decreasing)")
    k = int(max(labels.max(initial=0), jpeg_labels.max(initial=0))) + 1
    counts = np.bincount(jpeg_labels, minlength=k)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    order = np.argsort(idx)
    seen = np.zeros(k, dtype=np.int64)
    rows = np.empty(m, dtype=np.int64)
    for pos in order:  # original test order
        c = int(labels[pos])
        if seen[c] >= counts[c]:
            raise ValueError(f"jpeg_labels: class {c} has {counts[c]} JPEG test images, fewer than the lossless "
                             f"images of that class need")
        rows[pos] = start[c] + seen[c]
        seen[c] += 1
    mae = np.abs(jpeg_images[rows].astype(np.float64) - images.astype(np.float64)).reshape(m, -1).mean(axis=1)
    bad = np.flatnonzero((jpeg_labels[rows] != labels) | (mae > max_mae))
    if bad.size:
        b = int(bad[0])
        raise ValueError(f"jpeg_images: lossless test image {int(idx[b])} does not match JPEG row {int(rows[b])} "
                         f"(mean abs. difference {mae[b]:.1f}/255 > max_mae {max_mae:g}/255, or another label); "
                         f"{bad.size} of {m} matches fail -- is the JPEG test set complete and in its "
                         f"class-major order?")
    return rows, mae


def _read_npz(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    from empirical.data import read_npz_arrays

    if not path.is_file():
        raise ValueError(f"data_dir: {str(path)!r} not found")
    return read_npz_arrays(path, keys)


#: A pre-matched copy of the JPEG versions (arrays x, y, idx), as :func:`empirical.experiments.write_cifar_subset`
#: writes it for a device machine where the whole JPEG test set does not travel.
PREMATCHED = "test100_jpeg75.npz"


def load_jpeg_pairs(data_dir, count: int | None = None) -> tuple[Any, Any, np.ndarray]:
    """The lossless images of ``DATA_DIR/cifar10-lossless100/test100.npz`` and their JPEG-75 versions, as two
    :class:`empirical.data.Split` (same order: original test index 0, 1, ...), and the mean absolute pixel
    difference of each pair (x255).

    The JPEG versions come from ``DATA_DIR/cifar10-jpeg75/test.npz`` (the whole class-major test set, matched
    by :func:`match_jpeg_rows`) or, when present, from the pre-matched ``DATA_DIR/cifar10-jpeg75/``
    :data:`PREMATCHED` (checked the same way: same indices and labels, difference at most
    :data:`MAX_MATCH_MAE`).  ``count`` keeps only the first ``count`` pairs (original test order).
    """
    import torch

    from empirical.data import Split, _to_float_nchw, dataset_info

    root = Path(data_dir) if data_dir is not None else None
    if root is None or not root.is_dir():
        raise ValueError(f"data_dir: need the shared data folder (with cifar10-lossless100/ and cifar10-jpeg75/), "
                         f"got {None if root is None else str(root)!r}")
    lo = _read_npz(root / "cifar10-lossless100" / "test100.npz", ("x", "y", "idx"))
    order = np.argsort(lo["idx"])
    idx, y, x = lo["idx"][order], lo["y"][order], lo["x"][order]
    pre = root / "cifar10-jpeg75" / PREMATCHED
    if pre.is_file():
        jp = _read_npz(pre, ("x", "y", "idx"))
        o = np.argsort(jp["idx"])
        if not np.array_equal(jp["idx"][o], idx):
            raise ValueError(f"{pre}: holds test indices other than those of test100.npz")
        # the pre-matched rows are a class-major copy of the first m images: match them like the full set
        jy, jx = jp["y"][o], jp["x"][o]
        cm = np.argsort(jy, kind="stable")
        rows, mae = match_jpeg_rows(idx, y, x, jy[cm], jx[cm])
        jimg = jx[cm][rows]
    else:
        jp = _read_npz(root / "cifar10-jpeg75" / "test.npz", ("x", "y"))
        rows, mae = match_jpeg_rows(idx, y, x, jp["y"], jp["x"])
        jimg = jp["x"][rows]
    if count is not None:
        k = V.count("count", count, minimum=1)
        x, y, jimg, mae = x[:k], y[:k], jimg[:k], mae[:k]
    info = dataset_info("cifar10")
    yt = torch.from_numpy(y.astype(np.int64))
    lossless = Split(info, "test100 (lossless)", _to_float_nchw(x, 3), yt, str(root / "cifar10-lossless100"))
    jpeg = Split(info, "test100 (JPEG-75 rows)", _to_float_nchw(np.ascontiguousarray(jimg), 3), yt.clone(),
                 str(root / "cifar10-jpeg75"))
    return lossless, jpeg, mae


def write_prematched(src, dst) -> int:
    """Write ``dst/cifar10-lossless100/test100.npz`` (a copy) and ``dst/cifar10-jpeg75/`` :data:`PREMATCHED`
    (the JPEG versions of those images, with their ``idx``) from the shared data folder ``src``; returns the
    number of pairs.  300 kB instead of the whole JPEG test set, for a device machine."""
    import shutil

    src, dst = Path(src), Path(dst)
    lo = _read_npz(src / "cifar10-lossless100" / "test100.npz", ("x", "y", "idx"))
    jp = _read_npz(src / "cifar10-jpeg75" / "test.npz", ("x", "y"))
    rows, _ = match_jpeg_rows(lo["idx"], lo["y"], lo["x"], jp["y"], jp["x"])
    (dst / "cifar10-lossless100").mkdir(parents=True, exist_ok=True)
    (dst / "cifar10-jpeg75").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "cifar10-lossless100" / "test100.npz", dst / "cifar10-lossless100" / "test100.npz")
    np.savez_compressed(dst / "cifar10-jpeg75" / PREMATCHED, x=jp["x"][rows], y=jp["y"][rows], idx=lo["idx"])
    return int(rows.size)


@dataclass(frozen=True)
class GapRow:
    """One radius: certified accuracy (%) on each version and the paired counts behind the difference."""

    radius: float
    acc_lossless: float
    acc_jpeg: float
    both: int
    lossless_only: int
    jpeg_only: int
    neither: int
    p_value: float

    @property
    def difference(self) -> float:
        """Lossless minus JPEG certified accuracy, percentage points."""
        return self.acc_lossless - self.acc_jpeg


@dataclass(frozen=True)
class JpegGapSigma:
    """One model (training sigma = certification sigma) certified on both versions."""

    sigma: float
    model: dict
    rows_lossless: tuple
    rows_jpeg: tuple
    gaps: tuple  # GapRow per radius
    seconds: float  # certification wall time: the per-row times of both TSVs summed (warm-up not included)

    @property
    def median_radius_ratio(self) -> float:
        """Median over images certified correct on both versions of (JPEG radius / lossless radius)."""
        r = [j["radius"] / lo["radius"] for lo, j in zip(self.rows_lossless, self.rows_jpeg, strict=True)
             if lo["correct"] and j["correct"] and lo["radius"] > 0]
        return float(np.median(r)) if r else math.nan


@dataclass(frozen=True)
class JpegGapResult:
    """Everything the JPEG-gap report shows (:func:`compute_jpeg_gap`)."""

    schema_version: int
    n0: int
    n: int
    alpha: float
    seed: int
    radii: tuple
    mae_mean: float
    mae_max: float
    per_sigma: tuple  # JpegGapSigma
    command: str
    provenance: dict = field(default_factory=dict)
    device: str = "cpu"
    mae_other_mean: float = math.nan  # the same, between a lossless image and the JPEG of another image of its class

    def to_dict(self) -> dict:
        """The JSON-shaped dict (:func:`theory.jsonio.to_jsonable`: inf and nan as strings)."""
        return to_jsonable(self)

    def to_json(self, path) -> Path:
        """Write the result as JSON (the report's ``NAME.json``); returns ``path``."""
        return dump_json(self, path, indent=1)

    @classmethod
    def from_dict(cls, d: dict) -> JpegGapResult:
        if d.get("schema_version") != JPEG_GAP_SCHEMA_VERSION:
            raise ValueError(f"schema_version must be {JPEG_GAP_SCHEMA_VERSION}, got {d.get('schema_version')!r}")
        per = tuple(JpegGapSigma(s["sigma"], s["model"], tuple(s["rows_lossless"]), tuple(s["rows_jpeg"]),
                                 tuple(GapRow(**g) for g in s["gaps"]), s["seconds"]) for s in d["per_sigma"])
        return cls(d["schema_version"], d["n0"], d["n"], d["alpha"], d["seed"], tuple(d["radii"]),
                   json_float(d["mae_mean"]), json_float(d["mae_max"]), per, d["command"], d.get("provenance", {}),
                   d.get("device", "cpu"), json_float(d.get("mae_other_mean", "nan")))

    @classmethod
    def from_json(cls, path) -> JpegGapResult:
        """Read a result written by :meth:`to_json`; a file that is not one is a ``ValueError`` naming it."""
        return load_result(path, "a JPEG-gap result", cls.from_dict)


def paired_gaps(rows_lossless, rows_jpeg, radii=RADII) -> tuple[GapRow, ...]:
    """:class:`GapRow` per radius from two lists of CERTIFY rows of the same images (same order).

    A row counts as certified correct at ``R`` when ``correct`` and ``radius >= R`` (an abstention has
    ``correct = 0``).

    Examples
    --------
    >>> lo = [{"idx": 0, "correct": 1, "radius": 0.6}, {"idx": 1, "correct": 1, "radius": 0.2}]
    >>> jp = [{"idx": 0, "correct": 1, "radius": 0.4}, {"idx": 1, "correct": 0, "radius": 0.0}]
    >>> g = paired_gaps(lo, jp, radii=(0.0, 0.5))
    >>> [(r.radius, r.acc_lossless, r.acc_jpeg, r.lossless_only, r.jpeg_only) for r in g]
    [(0.0, 100.0, 50.0, 1, 0), (0.5, 50.0, 0.0, 1, 0)]
    """
    from scipy.stats import binomtest

    if len(rows_lossless) != len(rows_jpeg) or not rows_lossless:
        raise ValueError(f"rows_jpeg: need as many rows as rows_lossless (> 0), got {len(rows_jpeg)} and "
                         f"{len(rows_lossless)}")
    for a, b in zip(rows_lossless, rows_jpeg, strict=True):
        if int(a["idx"]) != int(b["idx"]):
            raise ValueError(f"rows_jpeg: rows are not paired (idx {a['idx']} vs {b['idx']})")
    out = []
    for R in radii:
        R = V.nonnegative("radius", R)
        a = np.array([bool(r["correct"]) and float(r["radius"]) >= R for r in rows_lossless])
        b = np.array([bool(r["correct"]) and float(r["radius"]) >= R for r in rows_jpeg])
        lo_only, jp_only = int(np.sum(a & ~b)), int(np.sum(~a & b))
        p = binomtest(lo_only, lo_only + jp_only, 0.5).pvalue if lo_only + jp_only else 1.0
        out.append(GapRow(float(R), float(100.0 * a.mean()), float(100.0 * b.mean()), int(np.sum(a & b)), lo_only,
                          jp_only, int(np.sum(~a & ~b)), float(p)))
    return tuple(out)


def compute_jpeg_gap(models, lossless, jpeg, *, n0: int = 100, n: int = 100_000, alpha: float = 0.001,
                     batch: int = 1000, device="cpu", seed: int = 0, work="runs/jpeg_gap", radii=RADII,
                     mae=None, command: str = "", progress: bool = True, compile_cpu: bool = True) -> JpegGapResult:
    """Certify each model on the lossless and the JPEG images (Gaussian noise at the model's training sigma).

    Parameters
    ----------
    models
        ``[(model, meta), ...]`` with ``meta["sigma"]`` the training sigma (as :func:`empirical.train.fit`
        returns); each is certified with that sigma.
    lossless, jpeg
        The paired splits of :func:`load_jpeg_pairs` (same labels, same order).
    n0, n, alpha, batch, seed
        CERTIFY's parameters (Cohen et al.: 100, 100,000, 0.001); example ``k``'s noise is seeded by ``k`` in
        both versions.
    work
        Folder of the certification TSVs (written row by row; a rerun resumes them, and certifies again from
        scratch when a TSV was made with other parameters or another model).
    mae
        Per-pair pixel differences (x255) from :func:`load_jpeg_pairs`, for the report.
    compile_cpu
        ``torch.compile`` the forward pass on the CPU too (always on CUDA).
    """
    from empirical._sysinfo import state_dict_sha256
    from empirical.certify import ResumeMismatch, certify_dataset, read_tsv
    from empirical.core import FastForward, resolve_device
    from empirical.replay import _parse_time

    if len(lossless) != len(jpeg) or not torch_equal(lossless.y, jpeg.y):
        raise ValueError("jpeg: the two splits must hold the same images in the same order (labels differ)")
    n0 = V.count("n0", n0, minimum=1)
    n = V.count("n", n, minimum=1)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    if not models:
        raise ValueError("models: need at least one (model, meta)")
    work = Path(work)
    dev = resolve_device(device)
    idx = list(range(len(lossless)))
    per = []
    for model, meta in models:
        sigma = V.positive("sigma", float(meta["sigma"]))
        sha = state_dict_sha256(model)
        ff = FastForward(model.to(dev).eval(), dev, compile=dev.type == "cuda" or compile_cpu)
        rows = {}
        for tag, split in (("lossless", lossless), ("jpeg75", jpeg)):
            tsv = work / f"sigma{sigma:g}_{tag}_n{n}_s{seed}.tsv"
            kw: dict[str, Any] = dict(device=dev, seed=seed, progress=progress, forward=ff,
                                      run_params={"model_sha256": sha, "set": tag})
            try:
                certify_dataset(ff.model, split, "gaussian", sigma, n0, n, alpha, batch, idx, tsv,
                                resume=tsv.exists(), **kw)
            except ResumeMismatch:
                certify_dataset(ff.model, split, "gaussian", sigma, n0, n, alpha, batch, idx, tsv, overwrite=True,
                                **kw)
            rows[tag] = read_tsv(tsv)  # all rows, also those of an earlier (resumed) run
        rl, rj = _rows(rows["lossless"]), _rows(rows["jpeg75"])
        # certification time from the TSVs' per-row wall times, so that a resumed run reports the whole cost
        seconds = sum(_parse_time(r["time"]) for tag in rows for r in rows[tag])
        mkeep = ("arch", "sigma", "epochs", "epochs_requested", "train_examples", "train_seconds", "test_acc_clean",
                 "test_acc_noisy", "eval_split", "recipe", "dataset")
        per.append(JpegGapSigma(sigma, {k: meta.get(k) for k in mkeep if k in meta}, rl, rj,
                                paired_gaps(rl, rj, radii), seconds))
    from theory.report import Provenance

    mae = np.asarray(mae if mae is not None else [math.nan])
    return JpegGapResult(JPEG_GAP_SCHEMA_VERSION, n0, n, alpha, seed, tuple(float(r) for r in radii),
                         float(mae.mean()), float(mae.max()), tuple(per), command,
                         asdict(Provenance.collect(command or "python -m empirical jpeg-gap", seed=seed)),
                         str(device), other_image_mae(lossless, jpeg))


def other_image_mae(lossless, jpeg) -> float:
    """Mean absolute pixel difference (x255) between each lossless image and the JPEG version of the next image
    of its class (cyclically, among the pairs): what a wrong match would look like.  NaN if no class has two
    images.

    ``lossless`` and ``jpeg`` have ``x`` (images in [0, 1]) and ``y`` (labels): splits, or anything with numpy
    arrays or CPU tensors there.

    >>> from types import SimpleNamespace as NS
    >>> import numpy as np
    >>> lo = NS(x=np.array([[0.0], [1.0], [0.5]]), y=np.array([0, 0, 1]))
    >>> other_image_mae(lo, NS(x=lo.x.copy(), y=lo.y))   # images 0 and 1 of class 0 swapped: |0 - 1| -> 255
    255.0
    """
    def arr(t):
        return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)

    xl, xj, y = arr(lossless.x), arr(jpeg.x), arr(lossless.y)
    diffs = []
    for c in np.unique(y):
        k = np.flatnonzero(y == c)
        if k.size < 2:
            continue
        for a, b in zip(k, np.roll(k, -1), strict=True):
            diffs.append(float(np.abs(xl[a].astype(np.float64) - xj[b]).mean()) * 255.0)
    return float(np.mean(diffs)) if diffs else math.nan


def _rows(rows) -> tuple:
    """The columns the report needs, as numbers, sorted by idx (rows from the engine or from a TSV)."""
    out = [{"idx": int(r["idx"]), "label": int(r["label"]), "predict": int(r["predict"]),
            "radius": float(r["radius"]), "correct": int(r["correct"]), "pA_lower": float(r["pA_lower"])}
           for r in rows]
    return tuple(sorted(out, key=lambda r: r["idx"]))


def torch_equal(a, b) -> bool:
    import torch

    return bool(torch.equal(a.cpu(), b.cpu()))


def _pct(x: float) -> str:
    return f"{x:.0f}"


def jpeg_gap_markdown(res: JpegGapResult, figure: str | None = None) -> str:
    """The report as Markdown (every sentence computed from ``res``)."""
    from theory.report import Provenance, fmt, md_table

    N = len(res.per_sigma[0].rows_lossless)
    L = ["# What the JPEG-75 copy of CIFAR-10 costs: paired certification", "",
         "Generated by a command, not by hand. Regenerate with:", "", "```", res.command, "```", "",
         Provenance.from_dict(res.provenance).markdown() if res.provenance else "", "",
         f"The same {N} CIFAR-10 test images (the first {N} of the test set) certified twice by each model: as the "
         f"lossless originals (`cifar10-lossless100`) and as the JPEG-75 copy stores them (`cifar10-jpeg75`, the "
         f"data the models were trained on). The pairs were matched by the copy's class-major order and checked "
         f"pixel by pixel: mean absolute difference {res.mae_mean:.1f}/255 on average, at most {res.mae_max:.1f}/255 "
         f"(a lossless image against the JPEG of another image of its class: "
         f"{res.mae_other_mean:.1f}/255 on average). CERTIFY (Cohen et al. 2019): n0 = {res.n0}, "
         f"n = {res.n:,}, α = {res.alpha}, Gaussian noise at the model's training σ, the same noise seeds for an "
         f"image and its JPEG version; device {res.device}.", "",
         "## Base classifiers", ""]
    mrows = []
    for s in res.per_sigma:
        m = s.model
        mrows.append([s.sigma, m.get("arch"), m.get("recipe"), m.get("train_examples"),
                      f"{m.get('epochs')}/{m.get('epochs_requested', m.get('epochs'))}",
                      fmt(100 * m["test_acc_clean"], 3) if "test_acc_clean" in m else "—",
                      fmt(100 * m["test_acc_noisy"], 3) if "test_acc_noisy" in m else "—",
                      fmt(m.get("train_seconds"), 3), fmt(s.seconds, 3)])
    L += [md_table(["σ", "arch", "recipe", "train images (JPEG)", "epochs run/asked", "clean acc. % (JPEG test)",
                    "acc. under noise %", "train s", "certify s (both sets)"], mrows), ""]
    L += ["## Certified accuracy (Cohen's ℓ2 radius), lossless vs JPEG", "",
          "Certified accuracy in %; *lossless only* / *JPEG only* count the images certified correct at R on one "
          "version and not on the other; p is the two-sided exact McNemar test of those two counts.", ""]
    rows = []
    for s in res.per_sigma:
        for g in s.gaps:
            rows.append([s.sigma, g.radius, _pct(g.acc_lossless), _pct(g.acc_jpeg), f"{g.difference:+.0f}",
                         g.lossless_only, g.jpeg_only, fmt(g.p_value, 2)])
    L += [md_table(["σ", "R", "lossless %", "JPEG %", "difference (points)", "lossless only", "JPEG only", "p"],
                   rows), ""]
    if figure:
        L += [f"![certified accuracy, lossless vs JPEG]({figure})", ""]
    L += ["## Reading", ""]
    for s in res.per_sigma:
        diffs = [g.difference for g in s.gaps]
        sig = [g for g in s.gaps if g.p_value < 0.05]
        L.append(f"* σ = {s.sigma:g}: lossless minus JPEG certified accuracy ranges over "
                 f"{min(diffs):+.0f} … {max(diffs):+.0f} points at R = {', '.join(f'{r:g}' for r in res.radii)}; "
                 + (f"significant at the 5 % level at R = {', '.join(f'{g.radius:g}' for g in sig)}"
                    if sig else "no difference is significant at the 5 % level")
                 + f"; median radius ratio JPEG / lossless over images certified on both: "
                   f"{fmt(s.median_radius_ratio, 3)}.")
    all_d = [g.difference for s in res.per_sigma for g in s.gaps]
    L += ["", f"Over all σ and radii the mean difference is {np.mean(all_d):+.1f} points (lossless minus JPEG) for "
              f"models trained on the JPEG copy. With {N} paired images one image is 1 point, so differences of a "
              f"few points are within the test's noise unless p says otherwise.", ""]
    return "\n".join(L)


def _figure(res: JpegGapResult, path: Path) -> Path:
    from theory.report import new_figure, save_figure

    k = len(res.per_sigma)
    fig, axes = new_figure(1, k, figsize=(4.2 * k, 3.4), squeeze=False)
    grid = np.linspace(0.0, max(1.5, max(float(r["radius"]) for s in res.per_sigma for r in s.rows_lossless)), 200)
    for ax, s in zip(axes[0], res.per_sigma, strict=True):
        for rows, lab, ls in ((s.rows_lossless, "lossless", "-"), (s.rows_jpeg, "JPEG-75", "--")):
            acc = [100 * np.mean([bool(r["correct"]) and float(r["radius"]) >= R for r in rows]) for R in grid]
            ax.plot(grid, acc, ls, label=lab)
        ax.set_title(f"σ = {s.sigma:g}")
        ax.set_xlabel("ℓ2 radius R")
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("certified accuracy %")
    axes[0][0].legend()
    fig.tight_layout()
    return save_figure(fig, path)


def write_jpeg_gap_report(res: JpegGapResult, out_dir, *, json_path=None, figures: bool = True,
                          name: str = "cifar10_jpeg_gap") -> Path:
    """Write ``OUT_DIR/NAME.md``, the whole result as JSON (``OUT_DIR/NAME.json`` unless ``json_path``; readable
    by :meth:`JpegGapResult.from_json`) and, with ``figures``, ``NAME.png`` beside the Markdown; returns the
    Markdown path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    png = _figure(res, out / f"{name}.png") if figures else None
    md = out / f"{name}.md"
    md.write_text(jpeg_gap_markdown(res, None if png is None else png.name))
    res.to_json(Path(json_path) if json_path is not None else out / f"{name}.json")
    return md
