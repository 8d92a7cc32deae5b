"""The paper's experiments on our own models, and the dimension sweep (issue 7, part 2).

``python -m empirical experiment NAME [--out DIR] [--device D] [--scale S] [--data-dir DIR]`` with NAME in

* ``replay``  -- :mod:`empirical.replay` on Cohen et al.'s published CIFAR-10 logs (``replay_cifar10.md``);
* ``digits`` (d = 64), ``mnist`` (d = 784), ``cifar10`` (d = 3072, the JPEG-75 copy: lossy) --
  noise-trained base classifiers certified with Cohen et al.'s CERTIFY (:class:`empirical.core.Smooth`
  via :func:`empirical.certify.certify_dataset`), every radius from :mod:`theory.certificates`:

  - paper Figure 1: Gaussian training sigma in {0.25, 0.5, 1.0}, mechanism sigma = 0.5, C11 c = 1, 3
    next to Cohen's tight radius;
  - paper Figure 2: training sigma = 0.5, mechanism sigma in {0.25, 0.5, 1.0};
  - paper Figure 3: l_inf -- the eq.-6 exponential mechanism (T13, D_inf; Yang et al.'s tight radius for
    reference) against the Gaussian mechanism (T18 and the l2 -> l_inf conversion) at matched noise
    magnitude E||z||_inf (exponential sigma_e = E||z_Gauss||_inf / E||z_exp(1)||_inf, both from
    :mod:`theory.mechanisms`; T15 gives E||z_exp(1)||_inf = d), on the Gaussian-trained model as in
    the paper, plus one model trained with the matched exponential noise;

* ``sweep`` -- the dimension sweep: CIFAR-10 resampled to 8x8, 16x16, 24x24, 32x32 (area averaging)
  plus digits and MNIST; one model per d trained with Gaussian sigma = 0.25, certified with the Gaussian
  mechanism (sigma = 0.25) and the exponential mechanism at matched E||z||_inf; median certified l_inf
  radius and certified accuracy at fixed l_inf radii vs d, drawn over the theoretical radii (same
  certificates at fixed pA) and with log-log slopes fitted by :func:`theory.scaling.fit_power_law`.

Scales: ``cpu`` (this 2-core machine: MLP base classifiers, n = 2000, 100 test points, a few epochs),
``gpu`` (CUDA, fits about 10 minutes: CNN / ResNet-20, n = 10,000) and ``paper`` (Cohen et al.'s settings:
ResNet-110, n = 100,000, n0 = 100, alpha = 0.001, 500 test points -- hours; documented, not run here).
Every report states the exact command, seed, n0, n, alpha, number of test points, library versions,
device and run time.  Models are cached in ``--work`` (default ``runs/experiments``, git-ignored).
"""

from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from empirical._sysinfo import state_dict_sha256
from empirical.jpeg_gap import write_prematched
from empirical.replay import (
    COLUMN_LABELS,
    _parse_time,
    certified_accuracy,
    median_certified_radius,
)
from empirical.replay_result import replay_experiment
from theory import validate as V
from theory.certificates import RADIUS_COLUMNS
from theory.certificates import radius as cert_radius
from theory.jsonio import load_result, to_jsonable
from theory.mechanisms import ExponentialLinf, Gaussian
from theory.report import Provenance, md_table, new_figure, save_figure
from theory.scaling import fit_power_law, ratio_statement

EXPERIMENTS = ("replay", "digits", "mnist", "cifar10", "sweep")
SCALES = ("cpu", "gpu", "paper", "cohen")
TRAIN_SIGMAS = (0.25, 0.5, 1.0)
MECH_SIGMAS = (0.25, 0.5, 1.0)
FIG1_MECH_SIGMA = 0.5
FIG2_TRAIN_SIGMA = 0.5
SWEEP_SIGMA = 0.25
SWEEP_CIFAR_SIZES = (8, 16, 24, 32)
L2_RADII = (0.0, 0.25, 0.5, 0.75, 1.0)
LINF_RADII_255 = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
DATA_NOTES = {
    "digits": "scikit-learn's bundled 8×8 digits (1,797 images; test = every 4th image), pixels /16",
    "mnist": "MNIST (byte-exact copy of the official idx files), 60,000 train / 10,000 test",
    "cifar10": "CIFAR-10 re-encoded as JPEG quality 75 by a third party — LOSSY (mean abs. pixel error ≈ 6/255; "
               "classifiers trained on the original lose ≈ 10 points on it); 50,000 train / 10,000 test",
}


@dataclass(frozen=True)
class Settings:
    """Sizes of one experiment at one scale (every field is printed in the report)."""

    arch: str
    epochs: int
    points: int            # number of test points certified (evenly spaced over the test set)
    n0: int
    n: int
    alpha: float
    batch: int             # noise draws per forward pass in CERTIFY
    train_examples: int | None = None   # random (seeded) subset of the training set; None = all
    train_batch: int = 128
    recipe: str = "default"  # empirical.train recipe ('default' | 'fast')
    train_seconds: float | None = None  # training time cap per model (stops after the epoch that passes it)


_S = Settings
SETTINGS: dict[str, dict[str, Settings]] = {
    "cpu": {
        "digits": _S("mlp", 40, 100, 100, 2000, 0.001, 2100),
        "mnist": _S("mlp", 4, 100, 100, 2000, 0.001, 2100),
        "cifar10": _S("mlp", 5, 100, 100, 2000, 0.001, 2100),
        "sweep": _S("mlp", 5, 100, 100, 2000, 0.001, 2100),  # epochs: each data set's own (see run_sweep)
    },
    "gpu": {
        "digits": _S("cnn", 40, 450, 100, 100_000, 0.001, 10_000),
        "mnist": _S("cnn", 6, 500, 100, 20_000, 0.001, 10_000),
        "cifar10": _S("resnet20", 15, 100, 100, 10_000, 0.001, 5_000, train_batch=512, recipe="fast"),
        "sweep": _S("cnn", 6, 200, 100, 10_000, 0.001, 5_000, train_batch=256),
    },
    "paper": {
        "digits": _S("cnn", 90, 450, 100, 100_000, 0.001, 1000),
        "mnist": _S("cnn", 90, 500, 100, 100_000, 0.001, 1000),
        "cifar10": _S("resnet110", 90, 500, 100, 100_000, 0.001, 1000, train_batch=256),
        "sweep": _S("resnet110", 90, 500, 100, 100_000, 0.001, 1000, train_batch=256),
    },
    # Cohen et al.'s protocol (n0 = 100, n = 100,000, alpha = 0.001) on 100 points with the fast CPU recipe:
    # one model per sigma, each certified with its own sigma (Gaussian) and with eq.-6 noise at matched
    # E||z||_inf (run_protocol); MNIST only (about an hour of one CPU core per sigma).
    "cohen": {
        "digits": _S("cnn_fast", 40, 100, 100, 100_000, 0.001, 2000, recipe="fast", train_seconds=600.0),
        "mnist": _S("cnn_fast", 10, 100, 100, 100_000, 0.001, 2000, train_batch=256, recipe="fast",
                    train_seconds=600.0),
    },
}


# =============================================================================================
# data
# =============================================================================================
def resampled_info(size: int):
    """DatasetInfo of CIFAR-10 resampled to size x size (3 channels; CIFAR-10's normalisation)."""
    from empirical.data import DatasetInfo, dataset_info

    base = dataset_info("cifar10")
    size = V.dimension("size", size)
    return DatasetInfo(f"cifar10@{size}x{size}", (3, size, size), base.num_classes, base.mean, base.std)


def resample_split(split, size: int):
    """CIFAR-10 split resampled to size x size by area averaging (torch adaptive average pooling
    semantics; exact block means when 32 is a multiple of size), pixels stay in [0, 1]."""
    import torch
    import torch.nn.functional as F

    from empirical.data import Split

    if size == split.x.shape[-1]:
        return split  # CIFAR-10 itself (same name: shares the model cache with `experiment cifar10`)
    info = resampled_info(size)
    xs = []
    for s in range(0, split.x.shape[0], 2048):
        xs.append(F.interpolate(split.x[s:s + 2048], size=(size, size), mode="area").clamp_(0.0, 1.0))
    return Split(info, split.split, torch.cat(xs), split.y, split.source + f" (area-resampled to {size}x{size})")


def load_splits(dataset: str, data_dir=None, size: int | None = None):
    """(train, test) splits of ``dataset`` ('digits' | 'mnist' | 'cifar10'), optionally CIFAR-10 resampled."""
    from empirical.data import load_dataset

    train = load_dataset(dataset, "train", data_dir)
    test = load_dataset(dataset, "test", data_dir)
    if size is not None:
        if dataset != "cifar10":
            raise ValueError(f"size: resampling is defined for cifar10 only, got dataset {dataset!r}")
        train, test = resample_split(train, size), resample_split(test, size)
    return train, test


def write_cifar_subset(src, dst, train_per_class: int = 1800, test_every: int = 10) -> dict:
    """Write a class-balanced subset of the JPEG-75 CIFAR-10 copy (``src/cifar10-jpeg75``) to
    ``dst/cifar10-jpeg75/{train,test}.npz`` (compressed): the first ``train_per_class`` training images of
    every class and every ``test_every``-th test image. For moving the data where only a few tens of MiB
    travel (the GPU machine: 64 MiB); the report then states the reduced sizes.  When ``src`` also has
    ``cifar10-lossless100``, the lossless first 100 test images and their JPEG versions are written too
    (:func:`empirical.jpeg_gap.write_prematched`, for the paired JPEG-gap measurement).
    """
    src = Path(src) / "cifar10-jpeg75"
    dst = Path(dst) / "cifar10-jpeg75"
    train_per_class = V.count("train_per_class", train_per_class, minimum=1)
    test_every = V.count("test_every", test_every, minimum=1)
    dst.mkdir(parents=True, exist_ok=True)
    out = {}
    with np.load(src / "train.npz", allow_pickle=False) as z:
        x, y = z["x"], z["y"]
        keep = np.concatenate([np.flatnonzero(y == c)[:train_per_class] for c in np.unique(y)])
        np.savez_compressed(dst / "train.npz", x=x[keep], y=y[keep])
        out["train"] = int(keep.size)
    with np.load(src / "test.npz", allow_pickle=False) as z:
        x, y = z["x"], z["y"]
        np.savez_compressed(dst / "test.npz", x=x[::test_every], y=y[::test_every])
        out["test"] = int(y[::test_every].size)
    if (src.parent / "cifar10-lossless100" / "test100.npz").is_file():  # the JPEG-gap pairs (empirical.jpeg_gap)

        out["test100_pairs"] = write_prematched(src.parent, dst.parent)
    return out


def point_indices(num: int, points: int) -> list[int]:
    """``points`` indices evenly spaced over [0, num) (the whole set when points >= num).

    Evenly spaced, like Cohen et al.'s every-20th image; the JPEG CIFAR-10 copy is class-major, so this
    also balances the classes."""
    num = V.count("num", num, minimum=1)
    points = V.count("points", points, minimum=1)
    if points >= num:
        return list(range(num))
    return [int(i) for i in np.floor(np.arange(points) * (num / points)).astype(int)]


# =============================================================================================
# models (engine pieces: empirical.train.fit, checkpoints)
# =============================================================================================
EVAL_EXAMPLES = 2000  # clean / noisy test accuracy of each trained model: on the first 2000 test images


def get_model(work: Path, info, train, test, arch, noise, sigma, st: Settings, seed, device, progress=True,
              max_seconds=None):
    """Train (or load from the cache in ``work``) a base classifier; returns (model, meta, checkpoint name).

    ``max_seconds`` caps the training time (with ``st.train_seconds``, the smaller wins); a cached model that
    was stopped early by a smaller cap than the one now allowed is trained again."""
    caps = [c for c in (st.train_seconds, max_seconds) if c is not None]
    cap = min(caps) if caps else None
    from empirical.models import load_checkpoint, save_checkpoint

    ex = "all" if st.train_examples is None else str(st.train_examples)
    name = (f"{info.name.replace('@', '_')}_n{len(train)}_{arch}_{noise}_{sigma:.6g}_e{st.epochs}_n{ex}"
            f"_b{st.train_batch}_s{seed}" + ("" if st.recipe == "default" else f"_{st.recipe}")
            + ("" if st.train_seconds is None else f"_t{st.train_seconds:g}"))
    path = Path(work) / "models" / f"{name}.pt"
    if path.is_file():
        try:
            model, meta = load_checkpoint(path, device="cpu")
            if not (meta.get("stopped_early") and (cap is None or cap > float(meta.get("train_seconds", 0.0)))):
                return model, meta, name
        except ValueError:
            pass
    from empirical.train import fit

    model, meta = fit(arch, info, train, test, noise, sigma, st.epochs, seed, device, batch_size=st.train_batch,
                      train_examples=st.train_examples, eval_examples=EVAL_EXAMPLES, progress=progress,
                      recipe=st.recipe, max_seconds=cap)
    save_checkpoint(path, model, meta)
    print(f"[experiment] trained {name}: {meta['train_seconds']:.1f} s, clean acc. {meta['test_acc_clean']:.3f}",
          file=sys.stderr, flush=True)
    return model, meta, name


# =============================================================================================
# certification runs
# =============================================================================================
@dataclass
class Run:
    """One CERTIFY pass over the test points: configuration + per-point results (arrays)."""

    key: str
    model_key: str
    mechanism: str
    sigma: float
    train_noise: str
    train_sigma: float
    d: int
    idx: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    correct: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    predict: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    pA_lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    radii: dict = field(default_factory=dict)
    seconds: float = 0.0
    tsv: str = ""

    def certified_accuracy(self, col: str, radius) -> np.ndarray:
        return certified_accuracy(self.radii[col], self.correct, self.predict, radius)

    def median(self, col: str) -> float:
        return median_certified_radius(self.radii[col], self.correct, self.predict)

    @property
    def accuracy(self) -> float:
        return float(np.mean((self.correct == 1) & (self.predict != -1))) if self.correct.size else 0.0

    def certified_summary(self, l2_radii, linf_radii_255) -> dict:
        """For a report's JSON: certified accuracy of every l2 certificate at ``l2_radii`` and of every l_inf
        one at ``linf_radii_255`` (units of 1/255), the median certified radius of each, and the TSV."""
        return {"certified_accuracy_l2": {c: dict(zip(map(str, l2_radii), self.certified_accuracy(c, l2_radii),
                                                      strict=False))
                                          for c in self.radii if "linf" not in c},
                "certified_accuracy_linf_255": {c: dict(zip(map(str, linf_radii_255),
                                                            self.certified_accuracy(c, np.array(linf_radii_255) / 255),
                                                            strict=False))
                                                for c in self.radii if "linf" in c},
                "median_radius": {c: self.median(c) for c in self.radii}, "tsv": self.tsv}


def certify_run(key, model, model_key, meta, test, mechanism, sigma, st: Settings, indices, device, seed, work,
                progress=True, compile: bool = False) -> Run:
    """CERTIFY (Cohen et al. 2019) on ``indices`` via :func:`empirical.certify.certify_dataset`; the TSV
    (Cohen's columns + counts + every radius of theory.certificates) is kept in ``work/tsv``.  ``compile``:
    the forward pass through :class:`empirical.core.FastForward` with ``torch.compile`` (also on the CPU)."""
    from empirical.certify import ResumeMismatch, certify_dataset
    from empirical.core import resolve_device

    model_sha256 = state_dict_sha256(model)  # before FastForward touches the model (device, memory format)
    dev = resolve_device(device)
    forward = None
    if dev.type == "cuda" or compile:
        from empirical.core import FastForward

        forward = FastForward(model, dev, compile=compile, channels_last=True, verbose=False)
    tsv = Path(work) / "tsv" / f"{key}.tsv"
    tsv.parent.mkdir(parents=True, exist_ok=True)
    kw = dict(device=dev, seed=seed, forward=forward, progress=progress,
              run_params={"model": model_key, "model_sha256": model_sha256, "test_size": len(test)})
    try:  # reuse the rows of an earlier run with identical parameters (certify_dataset refuses otherwise)
        certify_dataset(model, test, mechanism, sigma, st.n0, st.n, st.alpha, st.batch, indices, tsv, resume=True, **kw)
    except ResumeMismatch as exc:  # e.g. a retrained model (other weights under the same name): start again
        print(f"[experiment] {key}: recomputing {tsv} ({exc})", file=sys.stderr, flush=True)
        certify_dataset(model, test, mechanism, sigma, st.n0, st.n, st.alpha, st.batch, indices, tsv, overwrite=True,
                        **kw)
    want = set(int(i) for i in indices)
    run = run_from_tsv(key, model_key, meta, test, mechanism, sigma, indices, tsv)
    if run.idx.size != len(want):
        raise ValueError(f"out: {str(tsv)!r} holds {run.idx.size} of the {len(want)} requested points")
    print(f"[experiment] {key}: {run.idx.size} points, certification {run.seconds:.1f} s", file=sys.stderr, flush=True)
    return run


def run_from_tsv(key, model_key, meta, test, mechanism, sigma, indices, tsv) -> Run:
    """The :class:`Run` of the rows of ``tsv`` whose index is in ``indices`` (possibly fewer than asked:
    a run still in progress or cut short; the caller reports the count)."""
    from empirical.certify import read_tsv

    want = set(int(i) for i in indices)
    tsv = Path(tsv)
    rows = sorted((r for r in read_tsv(tsv) if int(r["idx"]) in want), key=lambda r: int(r["idx"])) \
        if tsv.is_file() and tsv.stat().st_size > 0 else []

    cols = RADIUS_COLUMNS[mechanism]
    d = int(np.prod(test.info.shape))
    secs = float(sum(_parse_time(r["time"]) for r in rows))
    return Run(key, model_key, mechanism, float(sigma), meta.get("noise", "?"), float(meta.get("sigma", float("nan"))),
               d, np.array([int(r["idx"]) for r in rows]), np.array([int(r["correct"]) for r in rows]),
               np.array([int(r["predict"]) for r in rows]), np.array([float(r["pA_lower"]) for r in rows]),
               {c: np.array([float(r[c]) for r in rows]) for c in cols}, secs, str(tsv))


def matched_exponential_sigma(gauss_sigma: float, d: int) -> float:
    """sigma of eq.-6 noise with the same E||z||_inf as N(0, gauss_sigma^2 I_d) (theory.mechanisms:
    Gaussian by quadrature, eq. 6 by T15 -- linear in sigma, so sigma_e = E_G / E_exp(sigma=1))."""
    return float(Gaussian(gauss_sigma, d).expected_linf_norm()) / float(ExponentialLinf(1.0, d).expected_linf_norm())


# =============================================================================================
# context: command, versions, timing
# =============================================================================================
@dataclass
class Context:
    name: str
    scale: str
    device: str
    device_name: str
    seed: int
    data_dir: str | None
    out: Path
    work: Path
    command: str
    progress: bool = True
    settings: Settings | None = None
    epochs_override: bool = False
    budget_s: float | None = None
    t0: float = field(default_factory=time.perf_counter)

    def require_settings(self) -> Settings:
        """The run's settings; the run_* step sets them before its report is composed."""
        if self.settings is None:
            raise RuntimeError("Context.settings: not set; run_dataset / run_sweep / run_protocol set it first")
        return self.settings

    def train_cap(self, models_left: int):
        """Training-time cap of the next model under ``--time-budget``: its share of the remaining budget,
        one share kept for certification (None without a budget)."""
        if self.budget_s is None:
            return None
        left = self.budget_s - (time.perf_counter() - self.t0)
        return max(1e-3, left / (max(int(models_left), 0) + 1))

    def provenance(self) -> Provenance:
        """The run's :class:`theory.report.Provenance` (command, seed, rs-verify version, commit, library
        versions with torch)."""
        import torch  # noqa: F401 - imported so that the versions name it

        return Provenance.collect(self.command, self.seed)

    def snapshot(self) -> ReportContext:
        """What the report states about this run, taken now (at its end): the elapsed time since ``t0``, the
        provenance (commit, versions) and the date, in the order the composer used to read them."""
        seconds = time.perf_counter() - self.t0
        provenance = self.provenance()
        return ReportContext(self.name, self.command, self.scale, self.device_name, self.seed, self.data_dir,
                             self.budget_s, self.require_settings(), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                             seconds, provenance)


@dataclass(frozen=True)
class ReportContext:
    """The run's context as its report states it, as data (:meth:`Context.snapshot`): the report name, command,
    scale, device, seed, data directory, time budget, settings, date (``YYYY-MM-DD HH:MM UTC``), the elapsed
    seconds of the invocation and the :class:`theory.report.Provenance` (commit, library versions)."""

    name: str
    command: str
    scale: str
    device_name: str
    seed: int
    data_dir: str | None
    budget_s: float | None
    settings: Settings
    date: str
    seconds: float
    provenance: Provenance

    def require_settings(self) -> Settings:
        return self.settings

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReportContext:
        return cls(d["name"], d["command"], d["scale"], d["device_name"], d["seed"], d["data_dir"], d["budget_s"],
                   Settings(**d["settings"]), d["date"], d["seconds"], Provenance.from_dict(d["provenance"]))


def device_name(device) -> str:
    import torch

    from empirical.core import resolve_device

    dev = resolve_device(device)
    if dev.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(dev)}"
    return f"cpu: {platform.processor() or platform.machine()}, torch threads {torch.get_num_threads()}"


def _fmt_pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _table(rows, header) -> list[str]:
    """:func:`theory.report.md_table` of cells already formatted by the composer (``str`` of each), as lines."""
    return md_table([str(h) for h in header], [[str(c) for c in r] for r in rows]).split("\n")


def _load_note(metas) -> str:
    """'; 1-minute load average when each training ended: ... on N CPUs' from the models' metadata ('' if none
    recorded it): whether the wall times were measured on a shared machine."""
    metas = list(metas)
    loads = [m.get("load1_end") for m in metas]
    if not loads or any(v is None for v in loads):
        return ""
    cpus = {m.get("cpu_count") for m in metas}
    return (f"; 1-minute load average when each training ended: {', '.join(f'{v:g}' for v in loads)}"
            + (f" on {cpus.pop()} CPUs" if len(cpus) == 1 and None not in cpus else ""))


def _header(ctx: ReportContext, title: str, st: Settings, extra: list[str]) -> list[str]:
    p = ctx.provenance
    v = {**p.versions, "rs-verify": p.version}
    commit = p.commit[:7] if p.commit else None

    return [f"# {title}", "", "Generated by a command, not by hand. Regenerate with:", "",
            "```", ctx.command, "```", "",
            f"* date: {ctx.date}; commit {commit}",
            f"* device: {ctx.device_name}; scale `{ctx.scale}`; seed {ctx.seed}",
            f"* CERTIFY (Cohen et al. 2019): n0 = {st.n0}, n = {st.n:,}, α = {st.alpha}, {st.points} test points "
            f"(evenly spaced over the test set), noise batch {st.batch}",
            f"* base classifier: `{st.arch}`, {st.epochs} epochs, batch {st.train_batch}, training examples: "
            f"{'all' if st.train_examples is None else st.train_examples}",
            "* versions: " + ", ".join(f"{k} {x}" for k, x in v.items()),
            *extra, ""]


def _settings_note(ctx: ReportContext, st: Settings, dataset: str) -> list[str]:
    paper = SETTINGS["paper"][dataset]
    base = f"python -m empirical experiment {dataset}" + (f" --data-dir {ctx.data_dir}" if ctx.data_dir else "")
    L = []
    if ctx.scale != "paper":
        pmax = (st.alpha ** (1.0 / st.n))
        L += [f"**Scale.** This run uses reduced sizes (scale `{ctx.scale}`): n = {st.n:,} noise draws cap p̲A at "
              f"α^(1/n) = {pmax:.5f}, so no radius can exceed Cohen's σ·Φ⁻¹({pmax:.5f}) or C11's "
              f"σ·√2·logit({pmax:.5f})/(2(1+c)), whatever the model. The paper-scale run (Cohen et al.'s settings: "
              f"`{paper.arch}`, {paper.epochs} epochs, n0 = {paper.n0}, n = {paper.n:,}, α = {paper.alpha}, "
              f"{paper.points} test points) is", "", "```",
              f"{base} --scale paper --device cuda --out reports/empirical", "```", "",
              "(hours on one GPU; not run here).", ""]
    return L


# =============================================================================================
# the per-dataset experiment (paper Figures 1-3 on our models)
# =============================================================================================
def run_dataset(ctx: Context, dataset: str) -> dict:
    """Train the base classifiers and run every CERTIFY pass of the Figure 1-3 settings on ``dataset``."""
    st = ctx.settings or SETTINGS[ctx.scale][dataset]
    ctx.settings = st
    train, test = load_splits(dataset, ctx.data_dir)
    info = train.info
    d = int(np.prod(info.shape))
    idx = point_indices(len(test), st.points)
    models, metas, names = {}, {}, {}
    for j, ts in enumerate(TRAIN_SIGMAS):
        k = f"gaussian-{ts:g}"
        models[k], metas[k], names[k] = get_model(ctx.work, info, train, test, st.arch, "gaussian", ts, st,
                                                  ctx.seed, ctx.device, ctx.progress,
                                                  max_seconds=ctx.train_cap(len(TRAIN_SIGMAS) + 1 - j))
    se_train = matched_exponential_sigma(FIG2_TRAIN_SIGMA, d)
    k = f"exponential-{se_train:.4g}"
    models[k], metas[k], names[k] = get_model(ctx.work, info, train, test, st.arch, "exponential-linf", se_train,
                                              st, ctx.seed, ctx.device, ctx.progress, max_seconds=ctx.train_cap(1))
    exp_model = k
    plan = []  # (run key, model key, mechanism, sigma)
    for ts in TRAIN_SIGMAS:
        plan.append((f"{dataset}_train{ts:g}_gauss{FIG1_MECH_SIGMA:g}", f"gaussian-{ts:g}", "gaussian",
                     FIG1_MECH_SIGMA))
    for ms in MECH_SIGMAS:
        if ms != FIG1_MECH_SIGMA:
            plan.append((f"{dataset}_train{FIG2_TRAIN_SIGMA:g}_gauss{ms:g}", f"gaussian-{FIG2_TRAIN_SIGMA:g}",
                         "gaussian", ms))
    for ms in MECH_SIGMAS:
        se = matched_exponential_sigma(ms, d)
        plan.append((f"{dataset}_train{FIG2_TRAIN_SIGMA:g}_exp{se:.4g}", f"gaussian-{FIG2_TRAIN_SIGMA:g}",
                     "exponential-linf", se))
    plan.append((f"{dataset}_trainexp{se_train:.4g}_exp{se_train:.4g}", exp_model, "exponential-linf", se_train))
    runs: dict[str, Run] = {}
    skipped = []
    last = 0.0
    for key, mk, mech, s in plan:
        # --time-budget: start a run only when the previous run's duration still fits (the report lists skips)
        if ctx.budget_s is not None and time.perf_counter() - ctx.t0 + last > ctx.budget_s:
            skipped.append(key)
            print(f"[experiment] {key}: skipped (time budget {ctx.budget_s:.0f} s)", file=sys.stderr, flush=True)
            continue
        t = time.perf_counter()
        runs[key] = certify_run(key, models[mk], names[mk], metas[mk], test, mech, s, st, idx, ctx.device,
                                ctx.seed, ctx.work, ctx.progress)
        last = time.perf_counter() - t
    return {"skipped": skipped, "dataset": dataset, "d": d, "info": info, "runs": runs, "metas": metas, "indices": idx,
            "exp_model": exp_model, "se_train": se_train, "test_size": len(test), "train_size": len(train)}


class _AxesRecorder:
    """Stands in for a matplotlib Axes while a report is composed: records each call (a figure recipe)."""

    def __init__(self, fig: _FigureRecorder, index: int):
        self._fig, self._index = fig, index

    @property
    def lines(self) -> list:
        return [c for c in self._fig.calls if c[0] == self._index and c[1] in ("plot", "loglog", "semilogx")]

    def __getattr__(self, method: str):
        def call(*args, **kwargs):
            self._fig.calls.append((self._index, method, _plain(args), _plain(kwargs)))

        return call


class _FigureRecorder:
    """Stands in for a matplotlib Figure: records calls; :meth:`record` files the recipe as a FigureSpec."""

    sink: list[dict] = []  # one dict per composition in progress: file name -> FigureSpec

    def __init__(self, nrows: int, ncols: int, figsize, subplot_kw: dict):
        self.nrows, self.ncols, self.figsize, self.subplot_kw = nrows, ncols, figsize, subplot_kw
        self.calls: list = []

    @classmethod
    def new(cls, nrows: int = 1, ncols: int = 1, figsize=(6, 4), **subplot_kw):
        fig = cls(nrows, ncols, tuple(figsize), subplot_kw)
        axes = [_AxesRecorder(fig, i) for i in range(nrows * ncols)]
        if not subplot_kw.get("squeeze", True):
            return fig, [axes[r * ncols:(r + 1) * ncols] for r in range(nrows)]
        return fig, (axes[0] if len(axes) == 1 else axes)

    def __getattr__(self, method: str):
        def call(*args, **kwargs):
            self.calls.append((-1, method, _plain(args), _plain(kwargs)))

        return call

    def record(self, path) -> None:
        spec = FigureSpec(Path(path).name, self.nrows, self.ncols, self.figsize, dict(self.subplot_kw),
                          tuple(self.calls))
        if _FigureRecorder.sink:
            _FigureRecorder.sink[-1][spec.file] = spec


def _plain(x):
    """numpy arrays and scalars to plain lists / floats (NaN kept as float) so a recipe is JSON-able."""
    if isinstance(x, np.ndarray):
        return [_plain(v) for v in x.tolist()]
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def draw_figure(spec: FigureSpec, path) -> Path:
    """Replay a recorded :class:`FigureSpec` on a :func:`theory.report.new_figure` figure and save it."""
    fig, axes = new_figure(spec.nrows, spec.ncols, figsize=tuple(spec.figsize), **spec.subplot_kw)
    flat = list(np.asarray(axes, dtype=object).ravel())
    for index, method, args, kwargs in spec.calls:
        getattr(fig if index < 0 else flat[index], method)(*args, **kwargs)
    return save_figure(fig, path, dpi=110)


def _run_label(r: Run) -> str:
    tn = "Gaussian" if r.train_noise == "gaussian" else "eq.-6"
    mech = "Gaussian" if r.mechanism == "gaussian" else "eq.-6"
    return f"train {tn} σ={r.train_sigma:.4g}, {mech} σ={r.sigma:.4g}"


def _plot(runs, cols, grid, path, title, xlabel, *, scale=1.0, ref=None, logx=False):
    fig, axes = _FigureRecorder.new(1, len(cols), figsize=(4.6 * len(cols), 3.6), sharey=True, squeeze=False)
    for ax, col in zip(axes[0], cols, strict=False):
        g = grid
        if g is None:  # per-panel range: up to the largest radius of this certificate
            cc = [col] + ([ref[col]] if ref and col in ref else [])
            top = max([float(np.max(r.radii[c])) for r in runs for c in cc if c in r.radii and r.radii[c].size]
                      + [1e-9])
            g = np.linspace(0.0, 1.05 * top, 600)
        for k, r in enumerate(runs):
            if col not in r.radii:
                continue
            ax.plot(g * scale, r.certified_accuracy(col, g), color=f"C{k}", label=_run_label(r))
            if ref and ref.get(col) in r.radii:
                ax.plot(g * scale, r.certified_accuracy(ref[col], g), color=f"C{k}", ls=":", lw=1)

        lab = COLUMN_LABELS.get(col, col.replace("radius_", ""))
        if ref and col in ref:
            lab += f"  (dotted: {COLUMN_LABELS.get(ref[col], ref[col].replace('radius_', ''))})"
        ax.set_title(lab, fontsize=9)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
        if logx:
            ax.set_xscale("symlog", linthresh=0.01)
        if ax.lines:
            ax.legend(fontsize=6)
    axes[0][0].set_ylabel("certified accuracy")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.record(path)


def _l2_rows(runs, cols=("radius_cohen", "radius_c11_c1", "radius_c11_c3")):
    rows = []
    for r in runs:
        for c in cols:
            rows.append([_run_label(r), COLUMN_LABELS[c]] + [_fmt_pct(r.certified_accuracy(c, x)[0]) for x in L2_RADII]
                        + [f"{r.median(c):.3f}"])
    return rows


GAUSS_LINF_COLS = ("radius_t18_linf_c1", "radius_cohen_linf")
EXP_LINF_COLS = ("radius_t13_linf", "radius_yang_linf")


def linf_winner(gauss_acc: dict, exp_acc: dict, radii_255) -> str:
    """Which mechanism certifies more at each l_inf radius: one sentence from certified accuracies (%) per radius
    (``{radius_255: best accuracy of the mechanism's certificates}``).  Radii are in units of 1/255.

    >>> linf_winner({0: 98, 1: 95, 2: 90}, {0: 98, 1: 12, 2: 0}, [0, 1, 2])
    'the Gaussian certifies more at 1/255–2/255 (by 83–90 points), eq. 6 at none, the same at 0/255'
    """
    g_more = [x for x in radii_255 if gauss_acc[x] > exp_acc[x]]
    e_more = [x for x in radii_255 if exp_acc[x] > gauss_acc[x]]
    same = [x for x in radii_255 if exp_acc[x] == gauss_acc[x]]

    def span(xs):  # "none", one radius, a range of adjacent radii, or a list
        if not xs:
            return "none"
        if len(xs) > 1 and xs == [x for x in radii_255 if xs[0] <= x <= xs[-1]]:
            return f"{xs[0]:g}/255–{xs[-1]:g}/255"
        return ", ".join(f"{x:g}/255" for x in xs)

    def by(xs, a, b):
        if not xs:
            return ""
        d = [a[x] - b[x] for x in xs]
        if min(d) != max(d):
            return f" (by {min(d):.0f}–{max(d):.0f} points)"
        return f" (by {d[0]:.0f} point{'' if d[0] == 1 else 's'})"

    out = (f"the Gaussian certifies more at {span(g_more)}{by(g_more, gauss_acc, exp_acc)}, eq. 6 at "
           f"{span(e_more)}{by(e_more, exp_acc, gauss_acc)}")
    return out + (f", the same at {span(same)}" if same else "")


def _linf_winner_line(g, e, radii_255) -> str:
    """:func:`linf_winner` for a Gaussian run and its matched eq.-6 run (best certificate of each)."""
    ga = {x: max(100 * g.certified_accuracy(c, x / 255)[0] for c in GAUSS_LINF_COLS) for x in radii_255}
    ea = {x: max(100 * e.certified_accuracy(c, x / 255)[0] for c in EXP_LINF_COLS) for x in radii_255}
    return linf_winner(ga, ea, radii_255)


def _compose_dataset(ctx: ReportContext, res: dict):
    """The own-models report (the paper's Figures 1–3 on one data set): Markdown, summary JSON, summary.

    Steps: the runs of each figure (:func:`_dataset_selection`), the figures (:func:`_dataset_figures`), the ℓ∞
    ratios at matched E‖z‖∞ (:func:`_linf_ratios`), then the report's sections in order."""
    dataset, d, runs = res["dataset"], res["d"], res["runs"]
    st = ctx.require_settings()
    fig1, fig2, fig3e = _dataset_selection(runs)
    figs = _dataset_figures(ctx.name, dataset, d, fig1, fig2, fig3e)
    ratio_rows, ratios = _linf_ratios(fig2, fig3e, d)
    rs = ratio_statement([0.9, 0.99, st.alpha ** (1.0 / st.n)], d=d)  # the theory's ratio at fixed pA
    total = ctx.seconds
    L = _dataset_header(ctx, res, total)
    l2_lines, above = _dataset_l2_sections(fig1, fig2, figs)
    L += l2_lines
    L += _dataset_linf_section(fig2, fig3e, d, figs, ratio_rows, rs)
    L += ["## Run times", "", "Certification time per run = the sum of the engine's per-point wall times (TSV `time` "
          "column; a run reused from the work directory keeps its original times):", ""]
    L += _table([[k, int(r.idx.size), f"{r.seconds:.1f}", Path(r.tsv).name] for k, r in runs.items()],
                ["run", "points", "certification s", "TSV (in --work/tsv)"])
    L += [""]
    L += _dataset_closing(dataset, st, fig1, above, ratios)
    md = "\n".join(L) + "\n"
    summary = {"experiment": dataset, "command": ctx.command, "scale": ctx.scale, "device": ctx.device_name,
               "seed": ctx.seed, "settings": st.__dict__, "d": d, "seconds": total,
               "models": res["metas"], "ratios_linf": ratios,
               "skipped_runs": res.get("skipped", []),
               "runs": {k: {"mechanism": r.mechanism, "sigma": r.sigma, "train_noise": r.train_noise,
                            "train_sigma": r.train_sigma, "points": int(r.idx.size), "seconds": r.seconds,
                            **r.certified_summary(L2_RADII, LINF_RADII_255)}
                        for k, r in runs.items()}}
    return md, json.dumps(to_jsonable(summary), indent=1), summary


def _dataset_selection(runs: dict) -> tuple[list, list, list]:
    """The runs of the paper's Figure 1 (mechanism σ = 0.5, training σ varies), Figure 2 (training σ = 0.5,
    mechanism σ varies; also the Gaussian side of Figure 3) and the eq.-6 runs of Figure 3."""
    fig1 = [r for r in runs.values() if r.mechanism == "gaussian" and r.sigma == FIG1_MECH_SIGMA
            and r.train_noise == "gaussian"]
    fig1.sort(key=lambda r: r.train_sigma)
    fig2 = [r for r in runs.values() if r.mechanism == "gaussian" and r.train_sigma == FIG2_TRAIN_SIGMA]
    fig2.sort(key=lambda r: r.sigma)
    fig3e = [r for r in runs.values() if r.mechanism == "exponential-linf"]
    fig3e.sort(key=lambda r: (r.train_noise != "gaussian", r.sigma))
    return fig1, fig2, fig3e


def _dataset_figures(name: str, dataset: str, d: int, fig1, fig2, fig3e) -> dict[str, str]:
    """Record Figures 1–3 (file names only: the report writer places them next to the Markdown)."""
    out = Path()
    figs = {}
    figs["fig1"] = f"{name}_fig1_l2.png"
    _plot(fig1, ("radius_c11_c1", "radius_c11_c3"), None, out / figs["fig1"],
          f"{dataset} (d = {d}): paper Fig. 1 setting — mechanism σ = 0.5, vary training σ", "ℓ2 radius",
          ref={"radius_c11_c1": "radius_cohen", "radius_c11_c3": "radius_cohen"})
    figs["fig2"] = f"{name}_fig2_l2.png"
    _plot(fig2, ("radius_c11_c1", "radius_c11_c3"), None, out / figs["fig2"],
          f"{dataset} (d = {d}): paper Fig. 2 setting — training σ = 0.5, vary mechanism σ", "ℓ2 radius",
          ref={"radius_c11_c1": "radius_cohen", "radius_c11_c3": "radius_cohen"})
    # Figure 3: l_inf, exponential (T13) and Gaussian (T18) on a common x axis in units of 1/255
    figs["fig3"] = f"{name}_fig3_linf.png"
    _plot(fig3e + list(fig2), ("radius_t13_linf", "radius_yang_linf", "radius_t18_linf_c1", "radius_cohen_linf"),
          None, out / figs["fig3"],
          f"{dataset} (d = {d}): paper Fig. 3 — ℓ∞: eq.-6 mechanism (T13) vs Gaussian (T18, ℓ2→ℓ∞) at matched "
          f"E‖z‖∞", "ℓ∞ radius × 255", scale=255.0)
    return figs


def _linf_ratios(gl, fig3e, d: int) -> tuple[list[list], dict[str, dict]]:
    """Gaussian / exponential ℓ∞ medians and ratios at matched E‖z‖∞ (T15): table rows and the summary's dict."""
    ratio_rows, ratios = [], {}
    for g in gl:
        se = matched_exponential_sigma(g.sigma, d)
        e = next((r for r in fig3e if r.train_noise == "gaussian" and abs(r.sigma - se) < 1e-12), None)
        if e is None:
            continue
        mg = g.median("radius_t18_linf_c1")
        mc = g.median("radius_cohen_linf")
        me = e.median("radius_t13_linf")
        my = e.median("radius_yang_linf")
        both = (g.correct == 1) & (g.predict != -1) & (e.correct == 1) & (e.predict != -1)
        pp = (np.median(g.radii["radius_t18_linf_c1"][both] / e.radii["radius_t13_linf"][both])
              if both.any() else float("nan"))
        ratios[f"{g.sigma:g}"] = {"median_t18_c1": mg, "median_cohen_linf": mc, "median_t13": me, "median_yang": my,
                                 "ratio_medians_t18_over_t13": mg / me if me > 0 else float("inf"),
                                 "per_point_median_ratio_t18_over_t13": float(pp), "points_both": int(both.sum()),
                                 "sigma_exp": se, "acc_gauss": g.accuracy, "acc_exp": e.accuracy}
        ratio_rows.append([f"{g.sigma:g}", f"{se:.3g}", _fmt_pct(g.accuracy), _fmt_pct(e.accuracy),
                           f"{255 * mg:.3f}", f"{255 * mc:.3f}", f"{255 * me:.4f}", f"{255 * my:.4f}",
                           f"{mg / me:.1f}" if me > 0 else "∞", f"{pp:.1f}" if both.any() else "—", int(both.sum())])
    return ratio_rows, ratios


def _dataset_header(ctx: ReportContext, res: dict, total: float) -> list[str]:
    """Header, settings note, skipped runs and the base classifiers' table."""
    dataset, d, runs, st = res["dataset"], res["d"], res["runs"], ctx.require_settings()
    behind = (sum(float(m.get('train_seconds', 0)) for m in res['metas'].values())
              + sum(r.seconds for r in runs.values()))
    L = _header(ctx, f"Own models on {dataset} (d = {d}): the paper's Figures 1–3", st,
                [f"* data: {DATA_NOTES[dataset]}; --data-dir {ctx.data_dir or '(not needed)'}; as loaded: "
                 f"{res['train_size']:,} training / {res['test_size']:,} test images"
                 + (" (a class-balanced subset written by `empirical.experiments.write_cifar_subset`: only 64 MiB "
                    "travel to the GPU machine)" if dataset == "cifar10" and res["train_size"] < 50_000 else ""),
                 f"* run time: this invocation {total:.0f} s; compute behind the numbers "
                 f"{behind:.0f} s "
                 "(training, table 'Base classifiers', + certification, table 'Run times'; models and TSVs are "
                 "cached in --work and reused when their parameters match)"])
    L += _settings_note(ctx, st, dataset)
    if res.get("skipped"):
        L += [f"**Time budget.** --time-budget {ctx.budget_s:.0f} s was reached: these runs were skipped and are "
              "missing from every table below: " + ", ".join(f"`{k}`" for k in res["skipped"]) + ".", ""]
    L += ["## Base classifiers", ""]
    rows = []
    for mk, m in res["metas"].items():
        rows.append([mk, m["arch"], m["noise"], f"{m['sigma']:.4g}", m.get("train_examples"), m.get("epochs"),
                     _fmt_pct(m.get("test_acc_clean", float("nan"))), _fmt_pct(m.get("test_acc_noisy", float("nan"))),
                     f"{m.get('train_seconds', float('nan')):.0f}"])
    L += _table(rows, ["model", "arch", "training noise", "σ", "train examples", "epochs", "clean acc. %",
                       "acc. under its noise %", "train s"])
    L += ["", f"(accuracies on the first {res['metas'][next(iter(res['metas']))].get('eval_examples')} test images, "
          "one noise draw each; models cached in the work directory)", ""]
    return L


def _dataset_l2_sections(fig1, fig2, figs: dict[str, str]) -> tuple[list[str], dict]:
    """The ℓ2 sections (paper Figures 1 and 2) and the ~20 % at ℓ2 = 1.0 sentence; also returns, per (run,
    C11 column), the points where C11 exceeds Cohen's tight radius."""
    L = ["## Paper Figure 1 setting: mechanism σ = 0.5, vary the training σ", "",
         "Certified accuracy (%) at ℓ2 radius R (fraction of all certified test points that are correct, not "
         "abstained, and certified at radius ≥ R) and median certified radius over certified-correct points:", ""]
    L += _table(_l2_rows(fig1), ["run", "certificate"] + [f"R = {x:g}" for x in L2_RADII] + ["median R"])
    L += ["", f"![fig1]({figs['fig1']})", ""]
    L += ["## Paper Figure 2 setting: training σ = 0.5, vary the mechanism σ", ""]
    L += _table(_l2_rows(fig2), ["run", "certificate"] + [f"R = {x:g}" for x in L2_RADII] + ["median R"])
    L += ["", f"![fig2]({figs['fig2']})", ""]
    c1 = {(_run_label(r)): r.certified_accuracy("radius_c11_c1", 1.0)[0] for r in fig1 + fig2} or {"none": 0.0}
    c3 = {(_run_label(r)): r.certified_accuracy("radius_c11_c3", 1.0)[0] for r in fig1 + fig2} or {"none": 0.0}
    above = {(_run_label(r), c): int(np.sum(r.radii[c] > r.radii["radius_cohen"] * (1 + 1e-12)))
             for r in fig1 + fig2 for c in ("radius_c11_c1", "radius_c11_c3")}
    b1, b3 = max(c1, key=lambda k: c1[k]), max(c3, key=lambda k: c3[k])
    L += [f"Certified accuracy at ℓ2 = 1.0 (the paper: 'approximately 20%' on CIFAR-10): best C11 c = 1: "
          f"{_fmt_pct(max(c1.values()))}% ({b1}); best c = 3: {_fmt_pct(max(c3.values()))}% "
          f"({b3}). Points where C11 exceeds Cohen's tight radius: {sum(above.values())}.", ""]
    return L, above


def _dataset_linf_section(gl, fig3e, d: int, figs: dict[str, str], ratio_rows, rs: dict) -> list[str]:
    """Paper Figure 3: ℓ∞ accuracies of eq. 6 (T13, Yang) and the Gaussian (T18, Cohen ℓ2→ℓ∞), the ratio table,
    which mechanism certifies more per radius, and the theory's ratio at the same d."""
    theo = [r for r in rs["rows"]
            if r["gaussian"] == "gaussian-linf-T18-c1" and r["exponential"] == "exponential-linf-T13"]
    L = ["## Paper Figure 3: ℓ∞ — eq.-6 exponential mechanism (T13, D∞) vs Gaussian (T18, ℓ2→ℓ∞)", "",
         "Each exponential σ_e is matched to a Gaussian σ by E‖z‖∞ (σ_e = E‖z_G‖∞ / d, T15; E‖z_G‖∞ by "
         "quadrature in `theory.mechanisms`). As in the paper, the exponential mechanism is applied to the "
         f"Gaussian-trained (σ = {FIG2_TRAIN_SIGMA}) model; the last row adds a model trained with the matched "
         "eq.-6 noise itself. Certified accuracy (%) at ℓ∞ radii (units of 1/255) and median certified ℓ∞ radius "
         "(×255) over certified-correct points:", ""]
    rows = []
    for r in fig3e + gl:
        for c in (("radius_t13_linf", "radius_yang_linf") if r.mechanism != "gaussian" else
                  ("radius_t18_linf_c1", "radius_t18_linf_c3", "radius_cohen_linf")):
            rows.append([_run_label(r), COLUMN_LABELS.get(c, c)]
                        + [_fmt_pct(r.certified_accuracy(c, x / 255)[0]) for x in LINF_RADII_255]
                        + [f"{255 * r.median(c):.4f}"])
    L += _table(rows, ["run", "certificate"] + [f"{x:g}/255" for x in LINF_RADII_255] + ["median ×255"])
    L += ["", f"![fig3]({figs['fig3']})", ""]
    L += ["Gaussian / exponential ratio of certified ℓ∞ radii at matched E‖z‖∞ (the paper: 'about 10∼20 times' "
          f"at d = 3072; here d = {d}):", ""]
    L += _table(ratio_rows, ["Gaussian σ", "matched σ_e", "Gauss. cert. acc. %", "exp. cert. acc. %",
                             "median T18 c=1 ×255", "median Cohen ℓ2→ℓ∞ ×255", "median T13 ×255",
                             "median Yang (tight) ×255", "ratio of medians T18/T13", "per-point median ratio",
                             "points certified by both"])
    winners = [(g, e) for g in gl for e in fig3e if e.train_noise == "gaussian"
               and abs(e.sigma - matched_exponential_sigma(g.sigma, d)) < 1e-12]
    if winners:
        L += ["", "Which mechanism certifies more at each ℓ∞ radius (best certificate of each: T18 c=1 or Cohen "
              "ℓ2→ℓ∞ for the Gaussian, T13 or Yang for eq. 6; certified accuracy):", ""]
        L += [f"* Gaussian σ = {g.sigma:g} vs eq. 6 σ_e = {e.sigma:.3g}: {_linf_winner_line(g, e, LINF_RADII_255)}."
              for g, e in winners]
    L += ["", "Theory at the same d and matched E‖z‖∞, same pA for both mechanisms (`theory.scaling.ratio_statement`): "
          "T18 c=1 / T13 = " + ", ".join(f"{r['ratio_matched_linf']:.1f} at pA = {r['pA']:.5g}" for r in theo)
          + f"; √(d/ln d) = {rs['sqrt_d_over_log_d']:.1f}.", ""]
    return L


def _dataset_closing(dataset: str, st, fig1, above: dict, ratios: dict) -> list[str]:
    """The closing bullets: the ~20 % model, the best training σ, the ℓ∞ ratios and the scale caveat."""
    L = ["## Closing note", ""]
    r55 = next((r for r in fig1 if r.train_sigma == 0.5), None)
    if r55 is not None:
        L.append(f"* Fig. 1/2 on our {dataset} models: at ℓ2 = 1.0 C11 certifies "
                 f"{_fmt_pct(r55.certified_accuracy('radius_c11_c1', 1.0)[0])}% "
                 f"(c = 1) and {_fmt_pct(r55.certified_accuracy('radius_c11_c3', 1.0)[0])}% (c = 3) with training σ = "
                 f"mechanism σ = 0.5; Cohen's tight radius "
                 f"{_fmt_pct(r55.certified_accuracy('radius_cohen', 1.0)[0])}%. "
                 f"C11 exceeded the tight radius on {sum(above.values())} points (c ∈ {{1, 3}}).")
    best_t = max(fig1, key=lambda r: r.certified_accuracy("radius_c11_c1", 0.5)[0]) if fig1 else None
    if best_t is not None:
        L.append(f"* Best training σ at ℓ2 = 0.5 (C11 c = 1, mechanism σ = 0.5): {best_t.train_sigma:g} "
                 "(the paper: σ = 0.5 is 'a good setting').")
    for s, v in ratios.items():
        L.append(f"* ℓ∞ at Gaussian σ = {s} vs matched eq.-6 σ_e = {v['sigma_exp']:.3g}: median certified radius "
                 f"T18 c=1 {255 * v['median_t18_c1']:.3f}/255 vs T13 {255 * v['median_t13']:.4f}/255 — ratio "
                 f"{v['ratio_medians_t18_over_t13']:.1f}; certified accuracy {_fmt_pct(v['acc_gauss'])}% vs "
                 f"{_fmt_pct(v['acc_exp'])}%.")
    L.append(f"* Scale caveat: n = {st.n:,}, {st.points} points, `{st.arch}` — see the scale note above.")
    return L


# =============================================================================================
# Cohen et al.'s protocol, one model per sigma (scale "cohen")
# =============================================================================================
PROTOCOL_L2_RADII = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
PROTOCOL_LINF_RADII_255 = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
PROTOCOL_L2_COLS = ("radius_cohen", "radius_c11_c1", "radius_c11_c3")
PROTOCOL_LINF_COLS = ("radius_t18_linf_c1", "radius_t18_linf_c3", "radius_cohen_linf", "radius_t13_linf",
                      "radius_yang_linf")


def protocol_plan(dataset: str, d: int, sigmas=TRAIN_SIGMAS) -> list[tuple[str, str, str, float]]:
    """(run key, model key, mechanism, sigma): every Gaussian run (model trained with sigma, certified with
    sigma) first, then eq.-6 runs at matched E||z||_inf on the same models (so a cut-short run loses the
    l_inf comparison before it loses an l2 row)."""
    plan = [(f"{dataset}_cohen_train{s:g}_gauss{s:g}", f"gaussian-{s:g}", "gaussian", float(s)) for s in sigmas]
    for s in sigmas:
        se = matched_exponential_sigma(s, d)
        plan.append((f"{dataset}_cohen_train{s:g}_exp{se:.4g}", f"gaussian-{s:g}", "exponential-linf", se))
    return plan


def run_protocol(ctx: Context, dataset: str, sigmas=None, report_only: bool = False, mechanisms=None) -> dict:
    """Cohen et al.'s protocol: one Gaussian-noise model per training sigma in ``sigmas`` (default 0.25, 0.5,
    1.0), each certified with the Gaussian mechanism of the same sigma (Cohen, C11, T18, l2->l_inf radii)
    and with the eq.-6 mechanism at matched E||z||_inf (T13, Yang).  ``report_only``: compute nothing, use
    the cached models and whatever rows the TSVs in ``ctx.work`` hold (their counts are reported).
    ``mechanisms`` restricts the certification runs computed by this call (e.g. one process per mechanism)."""
    from empirical.noise import check_mechanism

    mechanisms = None if mechanisms is None else {check_mechanism(m) for m in mechanisms}
    st = ctx.settings or SETTINGS[ctx.scale][dataset]
    ctx.settings = st
    sigmas = tuple(TRAIN_SIGMAS if sigmas is None else (V.positive("sigma", s) for s in sigmas))
    train, test = load_splits(dataset, ctx.data_dir)
    info = train.info
    d = int(np.prod(info.shape))
    idx = point_indices(len(test), st.points)
    models, metas, names = {}, {}, {}
    runs: dict[str, Run] = {}
    skipped, missing = [], []
    plan = protocol_plan(dataset, d, sigmas)
    for j, s in enumerate(sigmas):
        k = f"gaussian-{s:g}"
        if report_only:
            from empirical.models import load_checkpoint

            ex = "all" if st.train_examples is None else str(st.train_examples)
            name = (f"{info.name}_n{len(train)}_{st.arch}_gaussian_{s:.6g}_e{st.epochs}_n{ex}_b{st.train_batch}"
                    f"_s{ctx.seed}" + ("" if st.recipe == "default" else f"_{st.recipe}")
                    + ("" if st.train_seconds is None else f"_t{st.train_seconds:g}"))
            path = ctx.work / "models" / f"{name}.pt"
            if path.is_file():
                models[k], metas[k] = load_checkpoint(path, "cpu")
                names[k] = name
            continue
        models[k], metas[k], names[k] = get_model(ctx.work, info, train, test, st.arch, "gaussian", s, st, ctx.seed,
                                                  ctx.device, ctx.progress, max_seconds=ctx.train_cap(len(sigmas) - j))
    last = 0.0
    for key, mk, mech, s in plan:
        if mk not in models:
            missing.append(key)
            continue
        if report_only or (mechanisms is not None and mech not in mechanisms):
            r = run_from_tsv(key, names[mk], metas[mk], test, mech, s, idx, ctx.work / "tsv" / f"{key}.tsv")
            if r.idx.size:
                runs[key] = r
            else:
                missing.append(key)
            continue
        if ctx.budget_s is not None and time.perf_counter() - ctx.t0 + last > ctx.budget_s:
            skipped.append(key)
            print(f"[experiment] {key}: skipped (time budget {ctx.budget_s:.0f} s)", file=sys.stderr, flush=True)
            continue
        t = time.perf_counter()
        runs[key] = certify_run(key, models[mk], names[mk], metas[mk], test, mech, s, st, idx, ctx.device, ctx.seed,
                                ctx.work, ctx.progress, compile=True)
        last = time.perf_counter() - t
    return {"skipped": skipped, "missing": missing, "dataset": dataset, "d": d, "runs": runs, "metas": metas,
            "indices": idx, "sigmas": sigmas, "plan": plan, "test_size": len(test), "train_size": len(train),
            "report_only": report_only}


def _compose_protocol(ctx: ReportContext, res: dict):
    """``<name>.md`` / ``.json`` / ``<name>_l2.png`` / ``<name>_linf.png`` of :func:`run_protocol`."""
    dataset, d, runs, st = res["dataset"], res["d"], res["runs"], ctx.require_settings()
    out = Path()  # figure file names only: the report writer places them next to the Markdown
    name = ctx.name
    gauss = sorted((r for r in runs.values() if r.mechanism == "gaussian"), key=lambda r: r.sigma)
    expo = sorted((r for r in runs.values() if r.mechanism != "gaussian"), key=lambda r: r.train_sigma)
    figs = {"l2": f"{name}_l2.png", "linf": f"{name}_linf.png"}
    _plot(gauss, PROTOCOL_L2_COLS, None, out / figs["l2"],
          f"{dataset} (d = {d}), Cohen et al.'s protocol: certified accuracy vs ℓ2 radius (training σ = mechanism σ)",
          "ℓ2 radius")
    _plot(gauss + expo, ("radius_t18_linf_c1", "radius_cohen_linf", "radius_t13_linf", "radius_yang_linf"), None,
          out / figs["linf"], f"{dataset} (d = {d}): certified accuracy vs ℓ∞ radius — Gaussian (T18, ℓ2→ℓ∞) vs eq. 6 "
          "(T13, Yang) at matched E‖z‖∞", "ℓ∞ radius × 255", scale=255.0)
    total = ctx.seconds
    n_expected = len(res["indices"])
    L = _protocol_header(ctx, res, st, n_expected)
    L += _protocol_models(res)
    L += _protocol_l2_section(gauss, figs)
    L += _protocol_linf_section(res, gauss, expo, figs)
    L += _protocol_closing(gauss, expo, st, n_expected)
    md = "\n".join(L) + "\n"
    summary = {"experiment": dataset, "protocol": "cohen", "command": ctx.command, "scale": ctx.scale,
               "device": ctx.device_name, "seed": ctx.seed, "settings": st.__dict__, "d": d, "seconds": total,
               "models": res["metas"], "skipped_runs": res["skipped"], "missing_runs": res["missing"],
               "runs": {k: {"mechanism": r.mechanism, "sigma": r.sigma, "train_sigma": r.train_sigma,
                            "points": int(r.idx.size), "seconds": r.seconds, "accuracy": r.accuracy,
                            **r.certified_summary(PROTOCOL_L2_RADII, PROTOCOL_LINF_RADII_255)}
                        for k, r in runs.items()}}

    return md, json.dumps(to_jsonable(summary), indent=1), summary


def _protocol_header(ctx: ReportContext, res: dict, st: Settings, n_expected: int) -> list[str]:
    """The protocol report's header (data, recipe, compute) and what was run, skipped, missing or incomplete."""
    runs = res["runs"]
    dataset, d = res["dataset"], res["d"]
    L = _header(ctx, f"Own models on {dataset} (d = {d}) at Cohen et al.'s protocol", st,
                [f"* data: {DATA_NOTES[dataset]}; --data-dir {ctx.data_dir}; as loaded: {res['train_size']:,} training "
                 f"/ {res['test_size']:,} test images",
                 f"* training recipe `{st.recipe}` (`empirical.train`, README 'Fast noise training'), at most "
                 f"{st.train_seconds:g} s per model" if st.train_seconds else f"* training recipe `{st.recipe}`",
                 f"* compute behind the numbers: training "
                 f"{sum(float(m.get('train_seconds', 0)) for m in res['metas'].values()):.0f} s"
                 f" + certification {sum(r.seconds for r in runs.values()):.0f} s (sums of per-model and per-point "
                 f"wall times{_load_note(res['metas'].values())})"
                 + ("; this report was assembled from the rows present (`--report-only`)"
                    if res["report_only"] else "")])
    incomplete = {k: int(r.idx.size) for k, r in runs.items() if r.idx.size != n_expected}
    if res["skipped"] or res["missing"] or incomplete:
        L += ["**What was run.** Planned: " + ", ".join(f"`{k}`" for k, *_ in res["plan"]) + f", each on {n_expected} "
              "points. " + (f"Not run (time budget): {', '.join(res['skipped'])}. " if res["skipped"] else "")
              + (f"Missing (no model or no rows): {', '.join(res['missing'])}. " if res["missing"] else "")
              + (("Incomplete: " + ", ".join(f"`{k}` {v} of {n_expected} points" for k, v in incomplete.items())
                  + " (certified accuracy below is over the points certified).") if incomplete else ""), ""]
    else:
        L += [f"**What was run.** Every planned run, each on all {n_expected} points: "
              + ", ".join(f"`{k}`" for k, *_ in res["plan"]) + ".", ""]
    return L


def _protocol_models(res: dict) -> list[str]:
    """The section "Base classifiers": each model's recipe, training sigma, epochs and accuracies."""
    L = ["## Base classifiers", ""]
    rows = [[mk, m["arch"], m.get("recipe", "default"), f"{m['sigma']:.4g}", m.get("train_examples"),
             f"{m.get('epochs')}/{m.get('epochs_requested', m.get('epochs'))}",
             _fmt_pct(m.get("test_acc_clean", float("nan"))), _fmt_pct(m.get("test_acc_noisy", float("nan"))),
             f"{m.get('train_seconds', float('nan')):.0f}"] for mk, m in res["metas"].items()]
    L += _table(rows, ["model", "arch", "recipe", "training σ", "train examples", "epochs run/asked", "clean acc. %",
                       "acc. under its noise %", "train s"])
    L += ["", f"(accuracies on the first {min(EVAL_EXAMPLES, res['test_size'])} test images, one noise draw each)", ""]
    return L


def _protocol_l2_section(gauss: list, figs: dict[str, str]) -> list[str]:
    """The certified accuracy at l2 radii of the Gaussian runs (mechanism sigma = training sigma), and its figure."""
    L = ["## Certified accuracy at ℓ2 radii (Gaussian mechanism, σ = training σ)", "",
          "Certified accuracy (%): the fraction of the certified test points that are correct, not abstained and "
          "certified at radius ≥ R; median certified radius over certified-correct points.", ""]
    rows = []
    for r in gauss:
        for c in PROTOCOL_L2_COLS:
            rows.append([f"{r.sigma:g}", COLUMN_LABELS[c], int(r.idx.size)]
                        + [_fmt_pct(r.certified_accuracy(c, x)[0]) for x in PROTOCOL_L2_RADII] + [f"{r.median(c):.3f}"])
    L += _table(rows, ["σ", "certificate", "points"] + [f"R = {x:g}" for x in PROTOCOL_L2_RADII] + ["median R"])
    L += ["", f"![l2]({figs['l2']})", ""]
    return L


def _protocol_linf_section(res: dict, gauss: list, expo: list, figs: dict[str, str]) -> list[str]:
    """The certified accuracy at l_inf radii (Gaussian: T18, Cohen converted; eq. 6: T13, Yang), which mechanism
    certifies more, and the figure."""
    L = ["## Certified accuracy at ℓ∞ radii", "",
          "Gaussian mechanism σ (the model's training σ): T18 and Cohen's ℓ2 radius converted (ℓ2 → ℓ∞ by "
          "‖δ‖2 ≤ √d‖δ‖∞); eq.-6 mechanism at the σ_e with the same E‖z‖∞ (T15), on the same Gaussian-trained "
          "model: T13 (D∞) and Yang et al.'s tight radius. ℓ∞ radii in units of 1/255:", ""]
    rows = []
    for s in res["sigmas"]:
        for r in [g for g in gauss if g.sigma == s] + [e for e in expo if e.train_sigma == s]:
            cols = ("radius_t18_linf_c1", "radius_t18_linf_c3", "radius_cohen_linf") if r.mechanism == "gaussian" \
                else ("radius_t13_linf", "radius_yang_linf")
            for c in cols:
                rows.append([f"{s:g}", "Gaussian" if r.mechanism == "gaussian" else f"eq. 6, σ_e = {r.sigma:.4g}",
                             COLUMN_LABELS[c], int(r.idx.size)]
                            + [_fmt_pct(r.certified_accuracy(c, x / 255)[0]) for x in PROTOCOL_LINF_RADII_255]
                            + [f"{255 * r.median(c):.4f}"])
    L += _table(rows, ["training σ", "mechanism", "certificate", "points"]
                + [f"{x:g}/255" for x in PROTOCOL_LINF_RADII_255] + ["median ×255"])
    pairs = [(g, e) for g in gauss for e in expo if e.train_sigma == g.sigma]
    if pairs:
        L += ["", "Which mechanism certifies more at each ℓ∞ radius (best certificate of each: T18 c=1 or Cohen "
              "ℓ2→ℓ∞ for the Gaussian, T13 or Yang for eq. 6; certified accuracy):", ""]
        L += [f"* training σ = {g.sigma:g}: {_linf_winner_line(g, e, PROTOCOL_LINF_RADII_255)}." for g, e in pairs]
    L += ["", f"![linf]({figs['linf']})", ""]
    return L


def _protocol_closing(gauss: list, expo: list, st: Settings, n_expected: int) -> list[str]:
    """The closing note: per sigma, the accuracies at l2 = 1 and the l_inf radii of both mechanisms."""
    L = ["## Closing note", ""]
    for g in gauss:
        e = next((x for x in expo if x.train_sigma == g.sigma), None)
        line = (f"* σ = {g.sigma:g}: certified accuracy at R = 0 {_fmt_pct(g.accuracy)}%, at ℓ2 = 1: Cohen "
                f"{_fmt_pct(g.certified_accuracy('radius_cohen', 1.0)[0])}%, C11 c=1 "
                f"{_fmt_pct(g.certified_accuracy('radius_c11_c1', 1.0)[0])}%; median certified ℓ∞ radius T18 c=1 "
                f"{255 * g.median('radius_t18_linf_c1'):.3f}/255")
        if e is not None:
            me = e.median("radius_t13_linf")
            mg = g.median("radius_t18_linf_c1")
            line += (f" vs eq.-6 T13 {255 * me:.4f}/255 (Yang {255 * e.median('radius_yang_linf'):.4f}/255) at matched "
                     f"E‖z‖∞ — Gaussian/T18 certifies {mg / me:.1f}× the ℓ∞ radius" if me > 0 else
                     " (eq. 6 certifies nothing)")
        L.append(line + ".")
    L += [f"* Protocol: n0 = {st.n0}, n = {st.n:,}, α = {st.alpha}, {n_expected} evenly spaced test points (Cohen et "
          "al. 2019, Sec. 4); radii from `theory.certificates`.", ""]
    return L


# =============================================================================================
# the dimension sweep
# =============================================================================================
def sweep_configs(data_dir) -> list[tuple[str, str, int | None]]:
    """(label, dataset, cifar size or None), sorted by d."""
    cfg = [("digits", "digits", None), ("cifar10@8x8", "cifar10", 8), ("mnist", "mnist", None),
           ("cifar10@16x16", "cifar10", 16), ("cifar10@24x24", "cifar10", 24), ("cifar10@32x32", "cifar10", 32)]
    return cfg


def run_sweep(ctx: Context) -> dict:
    st = ctx.settings or SETTINGS[ctx.scale]["sweep"]
    ctx.settings = st
    epochs_given = ctx.epochs_override
    rows = []
    cache_cifar = None
    for label, ds, size in sweep_configs(ctx.data_dir):
        if ds == "cifar10":
            assert size is not None  # sweep_configs gives every cifar10 entry its size
            if cache_cifar is None:
                cache_cifar = load_splits("cifar10", ctx.data_dir)
            train, test = (resample_split(cache_cifar[0], size), resample_split(cache_cifar[1], size))
        else:
            train, test = load_splits(ds, ctx.data_dir)
        info = train.info
        d = int(np.prod(info.shape))
        # epochs as in the data set's own experiment (its sigma = 0.25 model is then reused from the cache)
        st_d = st if epochs_given else replace(st, epochs=SETTINGS[ctx.scale][ds].epochs)
        model, meta, mname = get_model(ctx.work, info, train, test, st.arch, "gaussian", SWEEP_SIGMA, st_d, ctx.seed,
                                       ctx.device, ctx.progress)
        idx = point_indices(len(test), st.points)
        key = label.replace("@", "_")
        g = certify_run(f"sweep_{key}_gauss{SWEEP_SIGMA:g}", model, mname, meta, test, "gaussian", SWEEP_SIGMA, st,
                        idx, ctx.device, ctx.seed, ctx.work, ctx.progress)
        se = matched_exponential_sigma(SWEEP_SIGMA, d)
        e = certify_run(f"sweep_{key}_exp{se:.4g}", model, mname, meta, test, "exponential-linf", se, st, idx,
                        ctx.device, ctx.seed, ctx.work, ctx.progress)
        rows.append({"label": label, "dataset": ds, "d": d, "meta": meta, "gauss": g, "exp": e, "sigma_exp": se})
    return {"rows": rows}


SWEEP_COLS = (("gauss", "radius_t18_linf_c1", "Gaussian T18 c=1"), ("gauss", "radius_cohen_linf", "Gaussian ℓ2→ℓ∞"),
              ("exp", "radius_t13_linf", "eq.-6 T13 (D∞)"), ("exp", "radius_yang_linf", "eq.-6 Yang (tight)"))


def _theory_curve(col: str, d: np.ndarray, pA: float) -> np.ndarray:
    """The certificate ``col`` at fixed pA for the sweep's noise: Gaussian σ = SWEEP_SIGMA, eq. 6 at matched
    E||z||_inf (theory.certificates / theory.mechanisms)."""
    out = []
    for dd in d:
        dd = int(dd)
        if col == "radius_t18_linf_c1":
            out.append(cert_radius("t18", pA=pA, sigma=SWEEP_SIGMA, c=1.0, d=dd))
        elif col == "radius_cohen_linf":
            out.append(cert_radius("cohen-linf", pA=pA, sigma=SWEEP_SIGMA, d=dd))
        elif col == "radius_t13_linf":
            out.append(cert_radius("t13", pA=pA, sigma=matched_exponential_sigma(SWEEP_SIGMA, dd)))
        else:
            out.append(cert_radius("yang-linf", pA=pA, sigma=matched_exponential_sigma(SWEEP_SIGMA, dd)))
    return np.array(out)


def _median_pA(run: Run) -> float:
    """Median p̲A over the certified-correct points (NaN when none)."""
    ok = (run.correct == 1) & (run.predict != -1)
    return float(np.median(run.pA_lower[ok])) if ok.any() else float("nan")


def _compose_sweep(ctx: ReportContext, res: dict):
    """The dimension-sweep report: Markdown, summary JSON, summary.

    Steps: the log-log fits (:func:`_sweep_fits`), the two figures, then the report's sections in order."""
    st = ctx.require_settings()
    name = ctx.name
    rows = res["rows"]
    d = np.array([r["d"] for r in rows], dtype=float)
    pmax = st.alpha ** (1.0 / st.n)
    dd = np.unique(np.round(np.logspace(np.log10(50), np.log10(5000), 40)).astype(int))
    fig_path = _sweep_linf_figure(name, rows, d, dd, pmax)
    fits = _sweep_fits(rows, d, dd)
    fixed = (0.5, 1.0, 2.0)  # certified accuracy at these fixed l_inf radii (x 1/255) vs d
    fig2_path = _sweep_accuracy_figure(name, rows, d, fixed)
    total = ctx.seconds
    L = _sweep_header(ctx, st, rows, total)
    L += _sweep_median_section(rows, fits, fig_path, st, pmax)
    L += ["", "## Certified accuracy at fixed ℓ∞ radii vs d", ""]
    tab = []
    for r in rows:
        tab.append([r["label"], r["d"]] + [_fmt_pct(r[w].certified_accuracy(c, x / 255)[0])
                                           for w, c, _ in SWEEP_COLS for x in fixed])
    L += _table(tab, ["data", "d"] + [f"{lab} @ {x:g}/255" for _, _, lab in SWEEP_COLS for x in fixed])
    L += ["", f"![accuracy vs d]({fig2_path})", ""]
    L += _sweep_closing(rows, fits)
    md = "\n".join(L) + "\n"
    summary = {"experiment": "sweep", "command": ctx.command, "scale": ctx.scale, "device": ctx.device_name,
               "seed": ctx.seed, "settings": st.__dict__, "seconds": total, "fits": fits,
               "rows": [{"label": r["label"], "d": r["d"], "sigma_exp": r["sigma_exp"],
                         "test_acc_clean": r["meta"].get("test_acc_clean"),
                         "median": {c: r[w].median(c) for w, c, _ in SWEEP_COLS},
                         "certified_accuracy_linf_255": {c: {str(x): r[w].certified_accuracy(c, x / 255)[0]
                                                             for x in fixed}
                                                         for w, c, _ in SWEEP_COLS},
                         "accuracy": {"gauss": r["gauss"].accuracy, "exp": r["exp"].accuracy}} for r in rows]}

    return md, json.dumps(to_jsonable(summary), indent=1), summary


def _sweep_linf_figure(name: str, rows: list, d: np.ndarray, dd: np.ndarray, pmax: float) -> str:
    """The figure of the median certified l_inf radius vs d over the theory curves; its file name."""
    fig, axes = _FigureRecorder.new(1, 2, figsize=(11, 6.0))
    for k, (which, col, lab) in enumerate(SWEEP_COLS):
        med = np.array([r[which].median(col) for r in rows])
        ax = axes[0] if which == "gauss" else axes[1]
        is_c = np.array([r["dataset"] == "cifar10" for r in rows])
        y = 255 * np.where(med > 0, med, np.nan)
        ax.loglog(d[is_c], y[is_c], "o-", color=f"C{k}", label=f"{lab}: measured median, CIFAR-10 sizes")
        for r, dv, yv in zip(rows, d, y, strict=False):
            if r["dataset"] != "cifar10":
                ax.loglog([dv], [yv], "s" if r["dataset"] == "digits" else "^", color=f"C{k}", ms=7,
                          label=f"{lab}: {r['label']}")
        for pA, ls in ((0.99, "--"), (pmax, ":")):
            ax.loglog(dd, 255 * _theory_curve(col, dd, pA), ls, color=f"C{k}", lw=1,
                      label=f"{lab}: theory at pA = {pA:.4g}")
    for ax, t in zip(axes, (f"Gaussian σ = {SWEEP_SIGMA}", "eq.-6 at matched E‖z‖∞"), strict=False):
        ax.set_xlabel("input dimension d")
        ax.set_ylabel("median certified ℓ∞ radius × 255")
        ax.set_title(t, fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    fig.suptitle("Dimension sweep: median certified ℓ∞ radius (certified-correct points) vs d, "
                 "over the theory", fontsize=10)
    fig.tight_layout()
    fig_path = f"{name}_linf_vs_d.png"
    fig.record(fig_path)
    return fig_path


def _sweep_fits(rows: list, d: np.ndarray, dd: np.ndarray) -> dict[str, Any]:
    """Per certificate: the log-log slope of the measured medians (all data sets, CIFAR-10 sizes only) and the
    theory curve's slope over ``dd`` at pA = 0.99."""
    fits: dict[str, Any] = {}
    for which, col, _ in SWEEP_COLS:
        med = np.array([r[which].median(col) for r in rows])
        ok = med > 0
        cif = np.array([r["dataset"] == "cifar10" for r in rows]) & ok
        fits[col] = {}
        for tag, m in (("all", ok), ("cifar10_only", cif)):
            try:
                f = fit_power_law(d[m], med[m], level=0.95)
                fits[col][tag] = {"exponent": f.exponent, "ci": [f.ci_low, f.ci_high], "n": f.n}
            except ValueError as exc:
                fits[col][tag] = {"error": str(exc)}
        fits[col]["theory_exponent_pA_0.99"] = float(fit_power_law(dd, _theory_curve(col, dd, 0.99)).exponent)
    return fits


def _sweep_accuracy_figure(name: str, rows: list, d: np.ndarray, fixed: tuple[float, ...]) -> str:
    """The figure of the certified accuracy at the ``fixed`` l_inf radii (x 1/255) vs d; its file name."""
    fig, axes = _FigureRecorder.new(1, len(fixed), figsize=(12, 3.6), sharey=True)
    for ax, x in zip(axes, fixed, strict=False):
        for k, (which, col, lab) in enumerate(SWEEP_COLS):
            acc = [r[which].certified_accuracy(col, x / 255)[0] for r in rows]
            ax.semilogx(d, acc, "o-", color=f"C{k}", label=lab)
        ax.set_title(f"ℓ∞ radius {x:g}/255", fontsize=9)
        ax.set_xlabel("d")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("certified accuracy")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig2_path = f"{name}_acc_vs_d.png"
    fig.record(fig2_path)
    return fig2_path


def _sweep_header(ctx: ReportContext, st: Settings, rows: list, total: float) -> list[str]:
    """The sweep report's header (data, models, run time) and its settings note."""
    behind = sum(float(r['meta'].get('train_seconds', 0)) + r['gauss'].seconds + r['exp'].seconds for r in rows)
    L = _header(ctx, "Dimension sweep: certified ℓ∞ radius vs input dimension", st,
                [f"* data: digits (d = 64), MNIST (784), CIFAR-10 JPEG-75 (lossy) resampled by area averaging to "
                 f"8×8 (192), 16×16 (768), 24×24 (1728) and 32×32 (3072); --data-dir {ctx.data_dir}",
                 "* epochs per data set as in its own experiment (the σ = 0.25 models of `experiment digits / mnist / "
                 "cifar10` are reused from the cache); table column 'epochs'",
                 f"* one model per d, trained with Gaussian noise σ = {SWEEP_SIGMA}; certified with the Gaussian "
                 f"mechanism σ = {SWEEP_SIGMA} and with eq.-6 noise at matched E‖z‖∞ (on the same Gaussian-trained "
                 "model, as the paper's Figure 3)",
                 f"* run time: this invocation {total:.0f} s; compute behind the numbers "
                 f"{behind:.0f} s "
                 "(training + certification; models and TSVs cached in --work are reused when their parameters match)"])
    L += _settings_note(ctx, st, "sweep")
    return L


def _fmt_slope(x: dict) -> str:
    """A fitted slope with its interval and number of points, or a dash when the fit failed."""
    return f"{x['exponent']:.2f} [{x['ci'][0]:.2f}, {x['ci'][1]:.2f}] (n={x['n']})" if "exponent" in x else "—"


def _sweep_median_section(rows: list, fits: dict[str, Any], fig_path: str, st: Settings, pmax: float) -> list[str]:
    """The section on the median certified l_inf radius vs d: per data set, the figure, and the fitted slopes."""
    hdr = ["data", "d", "epochs", "clean acc. %", "Gauss. cert. acc. %", "σ_e (matched)", "exp. cert. acc. %",
           "median p̲A Gauss.", "median p̲A eq. 6"] + [f"median {lab} ×255" for _, _, lab in SWEEP_COLS]
    tab = []
    for r in rows:
        tab.append([r["label"], r["d"], r["meta"].get("epochs"),
                    _fmt_pct(r["meta"].get("test_acc_clean", float("nan"))),
                    _fmt_pct(r["gauss"].accuracy), f"{r['sigma_exp']:.3g}", _fmt_pct(r["exp"].accuracy),
                    f"{_median_pA(r['gauss']):.4f}", f"{_median_pA(r['exp']):.4f}"]
                   + [f"{255 * r[w].median(c):.4f}" for w, c, _ in SWEEP_COLS])
    L = ["## Median certified ℓ∞ radius (over certified-correct points) vs d", ""] + _table(tab, hdr)
    L += ["", f"![median vs d]({fig_path})", "",
          f"Dashed / dotted: the same certificate at fixed pA = 0.99 / pA = {pmax:.5f} (the largest p̲A that n = "
          f"{st.n:,}, α = {st.alpha} can give), computed by `theory.certificates` for the same noise (Gaussian "
          f"σ = {SWEEP_SIGMA}; eq. 6 at matched E‖z‖∞): at fixed σ, T18 and ℓ2→ℓ∞ fall as d^(-1/2) "
          "(`theory.scaling`: 'T18: σ² = d r²/(2ε)'), and T13 at matched E‖z‖∞ as E‖z_G‖∞/d ∝ √(log d)/d.", ""]
    frows = []
    for _, col, lab in SWEEP_COLS:
        f = fits[col]
        frows.append([lab, _fmt_slope(f["all"]), _fmt_slope(f["cifar10_only"]), f"{f['theory_exponent_pA_0.99']:.2f}"])
    L += ["Fitted log-log slopes of the measured medians (`theory.scaling.fit_power_law`, 95% interval; the data "
          "sets differ in difficulty, so the CIFAR-10-only fit is the cleaner one) against the slope of the theory "
          "curve over d ∈ [50, 5000] at pA = 0.99:", ""]
    L += _table(frows, ["certificate", "slope, all 6 data sets", "slope, CIFAR-10 sizes only", "theory slope"])
    return L


def _sweep_closing(rows: list, fits: dict[str, Any]) -> list[str]:
    """The closing note: measured against theory slopes, the drift of pA with d, and the radii at the largest d."""
    L = ["## Closing note", ""]
    fg, fe = fits["radius_t18_linf_c1"], fits["radius_t13_linf"]
    for lab, f in (("Gaussian T18 c=1", fg), ("eq.-6 T13", fe)):
        c = f.get("cifar10_only", {})
        if "exponent" in c:
            L.append(f"* {lab}: measured slope on the CIFAR-10 sizes {c['exponent']:.2f} "
                     f"[{c['ci'][0]:.2f}, {c['ci'][1]:.2f}] vs theory {f['theory_exponent_pA_0.99']:.2f} at fixed pA.")
    cr = [r for r in rows if r["dataset"] == "cifar10"]
    if len(cr) >= 2:
        L.append(f"* The theory slopes hold at fixed pA. On the CIFAR-10 sizes the median p̲A of the Gaussian "
                 "runs moves "
                 f"from {_median_pA(cr[0]['gauss']):.4f} (d = {cr[0]['d']}) to {_median_pA(cr[-1]['gauss']):.4f} "
                 f"(d = {cr[-1]['d']}), and of the eq.-6 runs from {_median_pA(cr[0]['exp']):.4f} to "
                 f"{_median_pA(cr[-1]['exp']):.4f}: the same picture at a higher resolution has a larger ℓ2 "
                 "norm, so noise of "
                 "fixed per-pixel σ hurts it less; any departure of the measured slope from the theory slope "
                 "comes from "
                 "this change of pA with d, not from the certificates.")
    fa = fits["radius_t18_linf_c1"].get("all", {})
    if "exponent" in fa:
        L.append(f"* All six data sets together (different tasks, so pA differs for reasons other than d): T18 slope "
                 f"{fa['exponent']:.2f} [{fa['ci'][0]:.2f}, {fa['ci'][1]:.2f}], T13 slope "
                 f"{fits['radius_t13_linf']['all'].get('exponent', float('nan')):.2f}.")
    big = rows[-1]
    mg, me = big["gauss"].median("radius_t18_linf_c1"), big["exp"].median("radius_t13_linf")
    L.append(f"* At d = {big['d']}: median certified ℓ∞ radius {255 * mg:.3f}/255 (Gaussian T18 c=1) vs "
             f"{255 * me:.4f}/255 (eq.-6 T13), ratio {mg / me if me > 0 else float('inf'):.1f}.")
    return L


# =============================================================================================
# result object and report writer (issue 12)
# =============================================================================================
EXPERIMENT_SCHEMA_VERSION = 2  # 2: the result holds the run's data and context; the writer composes (issue 22.3)


@dataclass(frozen=True)
class FigureSpec:
    """One figure as a recipe: grid, size and the recorded Axes / Figure calls (``index`` -1 = the figure).
    Recorded by the writer while it composes a report, then drawn by :func:`draw_figure`; not stored."""

    file: str
    nrows: int
    ncols: int
    figsize: tuple
    subplot_kw: dict
    calls: tuple


def _data(x: Any) -> Any:
    """Plain JSON data (dicts, lists, str, int, float with NaN / inf kept as floats, bool, None) of ``x``: what
    a result holds, so that it is the same after :meth:`ExperimentResult.to_json` / ``from_json``."""
    return json.loads(json.dumps(_plain(x)))


def _run_data(r: Run) -> dict[str, Any]:
    return _data({f: getattr(r, f) for f in Run.__dataclass_fields__})


def _run_from_data(d: dict[str, Any]) -> Run:
    return Run(d["key"], d["model_key"], d["mechanism"], d["sigma"], d["train_noise"], d["train_sigma"], d["d"],
               np.array(d["idx"], dtype=int), np.array(d["correct"], dtype=int), np.array(d["predict"], dtype=int),
               np.array(d["pA_lower"], dtype=float), {c: np.array(v, dtype=float) for c, v in d["radii"].items()},
               d["seconds"], d["tsv"])


# the keys of each run_* step's output that its report reads (everything else stays out of the result)
_INPUT_KEYS = {
    "dataset": ("dataset", "d", "metas", "skipped", "train_size", "test_size"),
    "protocol": ("dataset", "d", "metas", "skipped", "missing", "indices", "sigmas", "plan", "test_size",
                 "train_size", "report_only"),
    "sweep": (),
}


def _inputs_data(kind: str, res: dict) -> dict[str, Any]:
    """The output of run_dataset / run_protocol / run_sweep as plain data (runs as lists of their arrays)."""
    if kind == "sweep":
        return {"rows": [{**_data({k: v for k, v in r.items() if k not in ("gauss", "exp")}),
                          "gauss": _run_data(r["gauss"]), "exp": _run_data(r["exp"])} for r in res["rows"]]}
    out = _data({k: res[k] for k in _INPUT_KEYS[kind] if k in res})
    out["runs"] = {k: _run_data(r) for k, r in res["runs"].items()}
    return out


def _inputs_from_data(kind: str, data: dict[str, Any]) -> dict:
    """Inverse of :func:`_inputs_data`: the dict the composer reads, with :class:`Run` objects."""
    if kind == "sweep":
        return {"rows": [{**r, "gauss": _run_from_data(r["gauss"]), "exp": _run_from_data(r["exp"])}
                         for r in data["rows"]]}
    return {**data, "runs": {k: _run_from_data(r) for k, r in data["runs"].items()}}


_COMPOSERS = {"dataset": _compose_dataset, "protocol": _compose_protocol, "sweep": _compose_sweep}


@dataclass(frozen=True)
class ExperimentResult:
    """Everything an experiment report shows, as data, computed by :func:`compute_experiment` (which writes no
    report); :func:`write_experiment_report` composes the Markdown, the summary JSON and the figures from it.

    ``kind`` is the report (``"dataset"``: the paper's Figures 1–3 on one data set; ``"protocol"``: Cohen et
    al.'s protocol; ``"sweep"``: the dimension sweep), ``context`` the :class:`ReportContext` (command, settings,
    date, elapsed seconds, provenance) and ``inputs`` the run step's output (models' metadata, every CERTIFY
    run's per-point arrays, skipped / missing runs), both as plain JSON data.
    """

    schema_version: int
    name: str
    experiment: str
    scale: str
    kind: str
    context: dict
    inputs: dict

    def to_json(self, path) -> Path:
        """Write the whole result as JSON (``json.dumps`` of the fields; NaN and inf stay JSON's ``NaN`` /
        ``Infinity``, read back as the same floats); returns ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1))
        return path

    @classmethod
    def from_dict(cls, d: dict) -> ExperimentResult:
        if d.get("schema_version") != EXPERIMENT_SCHEMA_VERSION:
            raise ValueError(f"schema_version must be {EXPERIMENT_SCHEMA_VERSION}, got {d.get('schema_version')!r}")
        if d.get("kind") not in _COMPOSERS:
            raise ValueError(f"kind must be one of {sorted(_COMPOSERS)}, got {d.get('kind')!r}")
        return cls(d["schema_version"], d["name"], d["experiment"], d["scale"], d["kind"], dict(d["context"]),
                   dict(d["inputs"]))

    @classmethod
    def from_json(cls, path) -> ExperimentResult:
        """Read a result written by :meth:`to_json`; a file that is not one is a ``ValueError`` naming it
        (theory.jsonio.load_result)."""
        return load_result(path, "an experiment result", cls.from_dict)


def _result(ctx: Context, kind: str, res: dict, experiment: str) -> ExperimentResult:
    """The result of a finished run step: its output and the context snapshot (taken now), as data."""
    snap = ctx.snapshot()
    return ExperimentResult(EXPERIMENT_SCHEMA_VERSION, ctx.name, experiment, ctx.scale, kind,
                            _data(snap.to_dict()), _inputs_data(kind, res))


def _render(result: ExperimentResult) -> tuple[str, str, dict, dict[str, FigureSpec]]:
    """Compose the report of ``result``: Markdown, summary JSON (text), summary (dict) and figure recipes."""
    ctx = ReportContext.from_dict(result.context)
    res = _inputs_from_data(result.kind, result.inputs)
    _FigureRecorder.sink.append({})
    try:
        md, summary_json, summary = _COMPOSERS[result.kind](ctx, res)
        figs = _FigureRecorder.sink[-1]
    finally:
        _FigureRecorder.sink.pop()
    return md, summary_json, summary, figs


def experiment_markdown(result: ExperimentResult) -> str:
    """The Markdown report of ``result`` (what :func:`write_experiment_report` writes as ``<name>.md``).

    Examples
    --------
    >>> from empirical.experiments import ExperimentResult, experiment_markdown              # doctest: +SKIP
    >>> experiment_markdown(ExperimentResult.from_json("result.json")).startswith("# ")   # doctest: +SKIP
    True
    """
    return _render(result)[0]


def _write_report(result: ExperimentResult, out_dir, *, json_path=None, figures: bool = True) -> tuple[Path, dict]:
    md_text, summary_json, summary, figs = _render(result)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if figures:
        for spec in figs.values():
            draw_figure(spec, out / spec.file)
    md = out / f"{result.name}.md"
    md.write_text(md_text)
    (out / f"{result.name}.json").write_text(json.dumps(json.loads(summary_json), indent=1))
    if json_path is not None:
        result.to_json(json_path)
    return md, summary


def write_experiment_report(result: ExperimentResult, out_dir, *, json_path=None, figures: bool = True) -> Path:
    """Compose and write ``<out_dir>/<name>.md``, the summary ``<name>.json``, the figures (PNG next to the
    Markdown) and, with ``json_path``, the whole :class:`ExperimentResult` (re-renderable with ``from_json``)."""
    return _write_report(result, out_dir, json_path=json_path, figures=figures)[0]


def _write(ctx: Context, result: ExperimentResult) -> dict:
    md, summary = _write_report(result, ctx.out)
    summary["report"] = str(md)
    return summary


# =============================================================================================
# entry point
# =============================================================================================
def report_name(experiment: str, device: str, scale: str) -> str:
    """cpu runs at the cpu scale write ``<experiment>.md``; CUDA runs ``<experiment>_cuda.md``; another
    scale adds ``_<scale>``."""
    dev = "cuda" if str(device).startswith("cuda") else "cpu"
    default = "cpu" if dev == "cpu" else "gpu"
    name = experiment + ("" if dev == "cpu" else "_cuda")
    if scale != default:
        name += f"_{scale}"
    return name


def run_experiment(experiment: str, *, out="reports/empirical", device="cpu", scale=None, data_dir=None, seed=0,
                   work="runs/experiments", command=None, progress=True, overrides: dict | None = None,
                   time_budget: float | None = None, name: str | None = None, sigmas=None,
                   report_only: bool = False, mechanisms=None, _compute_only: bool = False):
    """Run one experiment end to end and write its report; returns the JSON summary.

    ``time_budget`` (seconds, digits / mnist / cifar10 / sweep): bounds the whole run -- each model still
    to be trained gets at most its share of the remaining budget (training stops after the epoch that passes
    it; recorded in the report), and a certification run starts only while the elapsed time plus the previous
    run's duration fits; the others are skipped and listed in the report.  A run in progress is not
    interrupted, so the total can exceed the budget by at most one certification run.

    Scale ``cohen`` (mnist): :func:`run_protocol` -- Cohen et al.'s protocol, one model per sigma in
    ``sigmas``; ``report_only`` writes the report from the cached models and TSV rows without computing.
    ``mechanisms`` (scale cohen) restricts which certification runs this call computes.  ``name`` overrides
    the report's file stem.
    """
    if time_budget is not None:
        time_budget = V.positive("time_budget", time_budget)
    V.choice("experiment", experiment, EXPERIMENTS)
    seed = V.count("seed", seed, minimum=0)
    from empirical.core import resolve_device

    dev = resolve_device(device)
    if scale is None:
        scale = "gpu" if dev.type == "cuda" else "cpu"
    V.choice("scale", scale, SCALES)
    if scale == "cohen" and experiment not in SETTINGS["cohen"]:
        raise ValueError(f"scale: 'cohen' is defined for {sorted(SETTINGS['cohen'])}, got experiment {experiment!r}")
    if command is None:
        command = f"python -m empirical experiment {experiment} --scale {scale} --device {dev.type}"
    if experiment == "replay":
        return replay_experiment(data_dir, out=out, command=command, progress=progress)
    if experiment in ("mnist", "cifar10", "sweep") and data_dir is None:
        from empirical.data import default_data_dir

        data_dir = default_data_dir()
        if data_dir is None:
            raise ValueError(f"data_dir: experiment {experiment} needs --data-dir (or $RS_DATA_DIR) with "
                             f"{'mnist/ and cifar10-jpeg75/' if experiment == 'sweep' else experiment}")
    st = SETTINGS[scale][experiment]
    if overrides:
        clean = {k: v for k, v in overrides.items() if v is not None}
        for k in ("epochs", "points", "n0", "n", "batch"):
            if k in clean:
                clean[k] = V.count(k, clean[k], minimum=1)
        if "alpha" in clean:
            clean["alpha"] = V.in_open_interval("alpha", clean["alpha"], 0.0, 1.0)
        if "train_examples" in clean:
            clean["train_examples"] = V.count("train_examples", clean["train_examples"], minimum=1)
        st = replace(st, **clean)
    if name is not None and (not name or "/" in name or name.startswith(".")):
        raise ValueError(f"name: a plain file stem is needed, got {name!r}")
    ctx = Context(name or report_name(experiment, dev.type, scale), scale, dev.type, device_name(dev), seed,
                  None if data_dir is None else str(data_dir), Path(out), Path(work), command, progress, st,
                  bool(overrides and overrides.get("epochs") is not None), time_budget)
    result = _compute(ctx, experiment, sigmas, report_only, mechanisms)
    return result if _compute_only else _write(ctx, result)


def _compute(ctx: Context, experiment: str, sigmas, report_only: bool, mechanisms) -> ExperimentResult:
    if ctx.scale == "cohen":
        return _result(ctx, "protocol", run_protocol(ctx, experiment, sigmas, report_only, mechanisms), experiment)
    if experiment == "sweep":
        return _result(ctx, "sweep", run_sweep(ctx), experiment)
    return _result(ctx, "dataset", run_dataset(ctx, experiment), experiment)


def compute_experiment(experiment: str, **kw) -> ExperimentResult:
    """Run (or, with ``report_only``, re-read) one experiment; its :class:`ExperimentResult` (data: the run's
    output and context), composed and written by :func:`write_experiment_report`.

    Takes :func:`run_experiment`'s keyword arguments (``out`` only names the report stem's folder; nothing is
    written there).  Training and certification caches under ``work`` are written as before (they are inputs).
    ``experiment="replay"`` is :func:`empirical.replay_result.compute_replay`'s job.

    Examples
    --------
    >>> from empirical.experiments import compute_experiment, write_experiment_report  # doctest: +SKIP
    >>> res = compute_experiment("digits", scale="smoke", progress=False)                 # doctest: +SKIP
    >>> write_experiment_report(res, "reports/empirical")                                # doctest: +SKIP
    """
    if experiment == "replay":
        raise ValueError("experiment: 'replay' is computed by empirical.replay_result.compute_replay")
    return run_experiment(experiment, _compute_only=True, **kw)
