"""Sequential CERTIFY measured against fixed-n CERTIFY on real models (issue 21): reports/empirical/sequential.*.

For each base classifier (one per sigma) the same test points are certified three ways with the same seed
(:func:`empirical.certify.certify_dataset`, TSVs cached and resumed in ``work``):

* ``fixed``  -- Cohen et al.'s CERTIFY, n0 + n forward passes per image, one-sided Clopper-Pearson bound;
* ``target`` -- target-radius mode (:class:`theory.sequential.SequentialSpec`, mode 'target', the radii R);
* ``radius`` -- radius mode (stop when the radius is within ``fraction`` of the projected fixed-n radius).

Reported per sigma: mean / median forward passes per image and the ratio to fixed-n; certified accuracy at each
R both ways (fixed: correct and radius >= R; target: correct and certified at R); radius mode's median ratio of
its radius to the fixed-n radius (over the points fixed-n certifies with radius > 0; an abstention counts 0);
wall-clock of each run (sum of the rows' times, compilation excluded).
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from theory.jsonio import dump_json, load_result
from theory.report import md_table, new_figure, save_figure

MODES = ("fixed", "target", "radius")
TARGETS = (0.25, 0.5, 0.75, 1.0)
GOALS = {"target_fewer": 20.0, "target_acc_points": 1.0, "radius_fewer": 3.0, "radius_median_ratio": 0.95}


def _rows(tsv: Path) -> list[dict[str, Any]]:
    from empirical.certify import read_tsv
    from empirical.replay import _parse_time

    out = []
    for r in read_tsv(tsv):
        d: dict[str, Any] = {k: v for k, v in r.items()}
        d["seconds"] = _parse_time(r["time"])
        out.append(d)
    return out


def run_model(sigma: float, checkpoint: str, *, points: int, n0: int, n: int, alpha: float, batch: int,
              targets: Sequence[float] = TARGETS, fraction: float = 0.05, work: Path, data_dir: str | None = None,
              seed: int = 0, compile: bool = True, progress: bool = True,
              modes: Sequence[str] = MODES) -> dict[str, Any]:
    """Certify ``points`` evenly spaced test points with the model of ``checkpoint`` the three ways; returns
    {mode: rows} (rows of the TSVs, strings) plus the model's metadata."""
    import torch

    from empirical._sysinfo import state_dict_sha256
    from empirical.certify import ResumeMismatch, certify_dataset
    from empirical.core import FastForward
    from empirical.data import load_dataset
    from empirical.experiments import point_indices
    from empirical.models import load_checkpoint
    from theory.sequential import SequentialSpec

    model, meta = load_checkpoint(checkpoint, "cpu")
    test = load_dataset(meta["dataset"], "test", data_dir)
    idx = point_indices(len(test), points)
    sha = state_dict_sha256(model)
    fwd = FastForward(model, torch.device("cpu"), compile=compile, verbose=False)
    specs = {"fixed": None, "target": SequentialSpec("target", n, tuple(targets)),
             "radius": SequentialSpec("radius", n, fraction=fraction)}
    res: dict[str, Any] = {"meta": {k: meta.get(k) for k in ("dataset", "arch", "sigma", "test_acc_clean", "epochs",
                                                    "train_seconds")}, "checkpoint_sha256": sha,
                 "indices": idx, "runs": {}}
    for mode in modes:
        tsv = Path(work) / "tsv" / f"{meta['dataset']}_{meta['arch']}_sigma{sigma:g}_{mode}_p{points}_b{batch}.tsv"
        tsv.parent.mkdir(parents=True, exist_ok=True)
        kw: dict[str, Any] = dict(device="cpu", seed=seed, forward=fwd, progress=progress, sequential=specs[mode],
                                  run_params={"model_sha256": sha, "test_size": len(test)})
        t0 = time.perf_counter()
        try:
            certify_dataset(fwd.model, test, "gaussian", sigma, n0, n, alpha, batch, idx, tsv, resume=True, **kw)
        except ResumeMismatch as exc:
            print(f"[sequential] {tsv.name}: recomputing ({exc})", file=sys.stderr, flush=True)
            certify_dataset(fwd.model, test, "gaussian", sigma, n0, n, alpha, batch, idx, tsv, overwrite=True, **kw)
        print(f"[sequential] sigma {sigma:g} {mode}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
        res["runs"][mode] = _rows(tsv)
    return res


def summarise(sigma: float, res: dict[str, Any], *, n0: int, n: int,
              targets: Sequence[float] = TARGETS) -> dict[str, Any]:
    """The numbers of one sigma (module docstring)."""
    fx = {int(r["idx"]): r for r in res["runs"]["fixed"]}
    out: dict[str, Any] = {"sigma": sigma, "points": len(fx), "model": res["meta"], "fixed_forward_passes": n0 + n}
    acc_grid = np.linspace(0, 2.0 * max(targets), 81)
    fr = np.array([float(r["radius"]) if r["correct"] == "1" else -1.0 for r in fx.values()])
    out["fixed"] = {"wall_s": sum(r["seconds"] for r in fx.values()),
                    "certified_accuracy": {f"{R:g}": float(np.mean(fr >= R)) for R in targets},
                    "curve": [float(np.mean(fr >= R)) for R in acc_grid]}
    out["grid"] = [float(x) for x in acc_grid]
    if "target" in res["runs"]:
        tg = {int(r["idx"]): r for r in res["runs"]["target"]}
        fp = np.array([int(r["forward_passes"]) for r in tg.values()])
        acc = {f"{R:g}": float(np.mean([r["correct"] == "1" and r[f"certified_R{R:g}"] == "1" for r in tg.values()]))
               for R in targets}
        diff = {k: 100.0 * (acc[k] - out["fixed"]["certified_accuracy"][k]) for k in acc}
        heavy = fp > 0.1 * (n0 + n)
        out["target"] = {"heavy_points": int(heavy.sum()), "heavy_share_of_passes": float(fp[heavy].sum() / fp.sum()),
                         "points": len(tg), "mean_forward_passes": float(fp.mean()),
                         "median_forward_passes": float(np.median(fp)),
                         "fewer": (n0 + n) / float(fp.mean()), "certified_accuracy": acc,
                         "accuracy_difference_points": diff, "wall_s": sum(r["seconds"] for r in tg.values()),
                         "forward_passes": fp.tolist(),
                         "decided_at_median": {f"{R:g}": float(np.median([int(r[f"decided_at_R{R:g}"])
                                                                           for r in tg.values()])) for R in targets}}
    if "radius" in res["runs"]:
        rd = {int(r["idx"]): r for r in res["runs"]["radius"]}
        fp = np.array([int(r["forward_passes"]) for r in rd.values()])
        ratios = np.array([float(rd[i]["radius"]) / float(fx[i]["radius"]) for i in rd
                           if i in fx and float(fx[i]["radius"]) > 0])
        rr = np.array([float(r["radius"]) if r["correct"] == "1" else -1.0 for r in rd.values()])
        out["radius"] = {"points": len(rd), "mean_forward_passes": float(fp.mean()),
                         "median_forward_passes": float(np.median(fp)), "fewer": (n0 + n) / float(fp.mean()),
                         "median_radius_ratio": float(np.median(ratios)) if ratios.size else float("nan"),
                         "ratio_points": int(ratios.size),
                         "certified_accuracy": {f"{R:g}": float(np.mean(rr >= R)) for R in targets},
                         "curve": [float(np.mean(rr >= R)) for R in acc_grid],
                         "wall_s": sum(r["seconds"] for r in rd.values()), "forward_passes": fp.tolist()}
    return out


def _figures(summ: list[dict[str, Any]], out: Path, n0: int, n: int) -> list[Path]:
    """Two figures, one panel per model: forward passes per image (sorted), and certified accuracy vs R."""

    def samples(ax: Any, s: dict[str, Any]) -> None:
        for mode, c in (("target", "C1"), ("radius", "C2")):
            if mode in s:
                v = np.sort(s[mode]["forward_passes"])
                ax.plot(np.arange(1, v.size + 1), v, color=c, label=f"{mode} mode (mean {v.mean():,.0f})")
        ax.axhline(n0 + n, color="C0", ls="--", label=f"fixed n ({n0 + n:,})")
        ax.set_yscale("log")

    def accuracy(ax: Any, s: dict[str, Any]) -> None:
        ax.plot(s["grid"], s["fixed"]["curve"], color="C0", label="fixed n (Clopper–Pearson)")
        if "radius" in s:
            ax.plot(s["grid"], s["radius"]["curve"], color="C2", ls=":", label="radius mode")
        if "target" in s:
            R = [float(k) for k in s["target"]["certified_accuracy"]]
            ax.plot(R, list(s["target"]["certified_accuracy"].values()), "o", color="C1", label="target mode")

    return [_panels(summ, out / "sequential_samples.png", samples, "images (sorted)", "forward passes per image"),
            _panels(summ, out / "sequential_accuracy.png", accuracy, "radius R (ℓ2)", "certified accuracy")]


def _panels(summ: list[dict[str, Any]], path: Path, draw: Callable[[Any, dict[str, Any]], None], xlabel: str,
            ylabel: str) -> Path:
    """One panel per model (``draw(ax, model summary)``, then the shared title, labels and legend), saved
    through the report toolkit (:func:`theory.report.save_figure`: fixed resolution, no metadata)."""
    fig, axes = new_figure(1, len(summ), figsize=(4.2 * len(summ), 3.4), squeeze=False)
    for ax, s in zip(axes[0], summ, strict=True):
        draw(ax, s)
        ax.set_title(_label(s), fontsize=9)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return save_figure(fig, path, dpi=120)


def _label(s: dict[str, Any]) -> str:
    """A run's name in tables and sentences: data set, architecture and sigma (e.g. ``mnist cnn_fast, σ = 0.5``)."""
    m = s.get("model") or {}
    head = " ".join(str(m[k]) for k in ("dataset", "arch") if m.get(k))
    return f"{head}, σ = {s['sigma']:g}" if head else f"σ = {s['sigma']:g}"


def render_markdown(result: SequentialReportResult) -> str:
    """The report as Markdown (``sequential.md``), from the result's JSON-shaped dict (verdicts included)."""
    rep = result.to_dict()
    g = rep["goals"]
    L = ["# Sequential (anytime-valid) CERTIFY against fixed-n CERTIFY on real models (issue 21)", "",
         f"Generated by `{rep['command']}`.", "",
         f"Machine: {rep['machine']}; load average at the start {rep['load_start']}, at the end {rep['load_end']} "
         "(a shared 2-core CPU: wall-clock numbers are comparable only within one model's runs).", "",
         f"Protocol: n0 = {rep['n0']}, fixed n = budget cap = {rep['n']:,}, α = {rep['alpha']}, batch {rep['batch']}, "
         f"seed {rep['seed']}; the same evenly spaced test points and seeds for the three runs of each model ("
         + "; ".join(f"{_label(s)}: {s['points']} points" for s in rep["sigmas"])
         + ").  Bound of the sequential modes: the beta-binomial mixture confidence sequence of `theory.sequential` "
         "at α/2, and one Clopper–Pearson look at the cap at α/2 (a union bound; the default `--final-share`); the "
         "target mode also stops for futility at β = 0.05 (refusals only).  Soundness, exact at the real cap: "
         "`python -m theory soundness-sequential`.  Forward passes count the n0 selection draws too.", ""]
    if rep.get("scale_note"):
        L += [f"**Scale.** {rep['scale_note']}", ""]
    rows = []
    for s in rep["sigmas"]:
        if "target" not in s:
            continue
        t = s["target"]
        fa, ta = s["fixed"]["certified_accuracy"], t["certified_accuracy"]
        rows.append([_label(s), f"{s['model'].get('test_acc_clean', float('nan')):.3f}",
                     f"{t['mean_forward_passes']:,.0f}", f"{t['median_forward_passes']:,.0f}", f"{t['fewer']:.1f}×",
                     *[f"{100 * fa[f'{R:g}']:.1f} / {100 * ta[f'{R:g}']:.1f}" for R in rep["targets"]],
                     f"{s['fixed']['wall_s']:.0f} / {t['wall_s']:.0f}"])
    L += ["## Target-radius mode", "",
          md_table(["model", "clean acc.", "mean fwd passes", "median",
                    f"fewer than fixed (goal ≥ {g['target_fewer']:g}×)",
                    *[f"cert. acc. R={R} fixed / target" for R in rep["targets"]], "wall fixed / target (s)"], rows)]
    rows = []
    for s in rep["sigmas"]:
        if "radius" not in s:
            continue
        r = s["radius"]
        rows.append([_label(s), f"{r['mean_forward_passes']:,.0f}", f"{r['median_forward_passes']:,.0f}",
                     f"{r['fewer']:.1f}×", f"{r['median_radius_ratio']:.3f}", f"{r['ratio_points']}",
                     f"{s['fixed']['wall_s']:.0f} / {r['wall_s']:.0f}"])
    L += ["", "## Radius mode", "",
          md_table(["model", "mean fwd passes", "median", f"fewer (goal ≥ {g['radius_fewer']:g}×)",
                    f"median radius / fixed radius (goal ≥ {g['radius_median_ratio']:g})",
                    "points with fixed radius > 0", "wall fixed / radius (s)"], rows)]
    if rep.get("simulations"):
        L += ["", "## CIFAR-10: simulated on Cohen et al.'s published pA profile", "",
              "Cohen et al.'s ResNet-110 was not trained here (a 2-core CPU).  Instead each row of a published "
              "certify log of Cohen et al. (2019; ResNet-110, 500 test images, `../shared/data/cohen2019-certify`) "
              "becomes a binomial ground truth "
              "with pA := Φ(radius/σ) (its logged Clopper–Pearson bound; abstentions pA := 1/2) and the logged "
              "class, and the three procedures draw their own counts from it (`simulate_from_log`, seeded).", ""]
        rows = []
        for m in rep["simulations"]:
            t, r = m["target"], m["radius"]
            acc = "; ".join(f"R={R}: {100 * m['fixed']['certified_accuracy'][R]:.1f} / "
                            f"{100 * t['certified_accuracy'][R]:.1f}" for R in t["certified_accuracy"])
            ratio = "–" if r["median_radius_ratio"] is None else f"{r['median_radius_ratio']:.3f}"
            rows.append([f"`{Path(m['log']).name}`", f"{m['sigma']:g}",
                         f"{t['mean_forward_passes']:,.0f} / {t['fewer']:.1f}×", acc, f"{m['fraction']:g}",
                         f"{r['mean_forward_passes']:,.0f} / {r['fewer']:.1f}×", ratio])
        L.append(md_table(["log", "σ", "target: mean fwd / fewer", "target cert. acc. (fixed / target)",
                           "radius mode fraction", "radius: mean fwd / fewer", "radius: median ratio"], rows))
    L += ["", "## Against the targets", ""] + [f"* {line}" for line in rep["verdicts"]]
    L += ["", "## Reading", ""] + [f"* {line}" for line in _reading(rep)]
    L += ["", "![forward passes per image](sequential_samples.png)", "",
          "![certified accuracy vs R](sequential_accuracy.png)", ""]
    return "\n".join(L)


def _reading(rep: dict[str, Any]) -> list[str]:
    """Where the forward passes go and why the radius mode stops short of the fixed-n radius (numbers from the
    runs and from theory.sequential at this n and alpha)."""
    from scipy.stats import norm

    from theory import sequential as Q

    n, a = rep["n"], rep["alpha"]
    cs = float(norm.isf(Q.final_one_minus_lower(n, n, n, a)))   # the sequential bound at the cap, default share
    cp = float(norm.isf(-np.expm1(np.log(a) / n)))
    out = []
    for s in rep["sigmas"]:
        t = s.get("target")
        if t and "heavy_points" in t:
            out.append(f"{_label(s)}, target mode: {t['heavy_points']} of {t['points']} images needed more than "
                       f"10 % of the budget and took {100 * t['heavy_share_of_passes']:.0f} % of all forward passes "
                       "(their pA lies close to a level Φ(R/σ), where a test with error ≤ α needs many draws); the "
                       f"median image needed {t['median_forward_passes']:,.0f} passes.")
        floors = []
        for R in rep["targets"]:
            q = float(norm.sf(R / s["sigma"]))
            need = int(np.ceil(np.log(1 / a) / -np.log1p(-q)))
            floors.append(f"R = {R:g}: {need:,}" if need <= n else f"R = {R:g}: beyond n")
        out.append(f"{_label(s)}: even when every draw agrees, one Clopper–Pearson look certifies R only after "
                   f"ln(1/α) / −ln Φ(R/σ) draws ({'; '.join(floors)}) -- a floor for any valid procedure on an "
                   f"image certified at R, against {rep['n0'] + n:,} passes of fixed n.")
    f = rep["fraction"]
    q_fixed = -np.expm1(np.log(a) / n)                      # fixed n, every draw agreeing: 1 - alpha^(1/n)
    q_goal = norm.sf((1 - f) * norm.isf(q_fixed))           # the level at (1 - fraction) of that radius
    floor = int(np.ceil(np.log(1 / a) / -np.log1p(-q_goal)))
    out.append(f"Radius mode stops once its radius is within {100 * f:g} % of the radius fixed n would report at the "
               "cap (projected at the current rate); the projection is noisy, and the sequential bound is wider than "
               f"fixed n's one look at α (at pA → 1 and n = {n:,}: radius {cs:.3f} σ against {cp:.3f} σ, ratio "
               f"{cs / cp:.3f}), so its radius sits near, not above, {1 - f:g} of the fixed-n one.  A floor on its "
               f"savings: on an image where every draw agrees (pA → 1) the fixed-n radius is {cp:.3f} σ, and even one "
               f"Clopper–Pearson look reaches {1 - f:g} of it only after ln(1/α) / −ln(1 − Φ(−{1 - f:g} · "
               f"{cp:.3f})) = {floor:,} draws, so no valid procedure saves more than {(rep['n0'] + n) / floor:.1f}× "
               "there at that radius; the savings come from points with pA < 1, whose radius stops growing early.")
    out.append("Wall-clock: the models' runs were made at different loads of the shared machine (the three modes "
               "of one model one after the other), so compare the columns of one model, not model with model.")
    return out


def verdicts(rep: dict[str, Any]) -> list[str]:
    g = rep["goals"]
    out = []
    for s in rep["sigmas"]:
        if "target" in s:
            t = s["target"]
            worst = max(abs(v) for v in t["accuracy_difference_points"].values())
            out.append(f"{_label(s)}, target mode: {t['fewer']:.1f}× fewer forward passes "
                       f"({'meets' if t['fewer'] >= g['target_fewer'] else 'short of'} ≥ {g['target_fewer']:g}×); "
                       f"largest certified-accuracy difference {worst:.1f} points "
                       f"({'within' if worst <= g['target_acc_points'] else 'outside'} {g['target_acc_points']:g}).")
        if "radius" in s:
            r = s["radius"]
            out.append(f"{_label(s)}, radius mode: {r['fewer']:.2f}× fewer "
                       f"({'meets' if r['fewer'] >= g['radius_fewer'] else 'short of'} ≥ {g['radius_fewer']:g}×); "
                       f"median radius ratio {r['median_radius_ratio']:.3f} "
                       f"({'meets' if r['median_radius_ratio'] >= g['radius_median_ratio'] else 'short of'} ≥ "
                       f"{g['radius_median_ratio']:g}).")
    for m in rep.get("simulations", []):
        t, r = m["target"], m["radius"]
        worst = max(abs(100 * (t["certified_accuracy"][k] - m["fixed"]["certified_accuracy"][k]))
                    for k in t["certified_accuracy"])
        out.append(f"simulated on {Path(m['log']).name} (σ = {m['sigma']:g}, fraction {m['fraction']:g}): "
                   f"target mode {t['fewer']:.1f}× fewer, "
                   f"largest accuracy difference {worst:.1f} points; radius mode {r['fewer']:.1f}× fewer, median "
                   f"radius ratio {r['median_radius_ratio']:.3f}.")
    return out


_NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}


def _floats(obj: Any) -> Any:
    """``obj`` with the strings "nan", "inf", "-inf" (how theory.jsonio writes non-finite floats) read back as floats
    (a median radius ratio with no point to take it over is nan)."""
    if isinstance(obj, dict):
        return {k: _floats(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_floats(v) for v in obj]
    return _NON_FINITE.get(obj, obj) if isinstance(obj, str) else obj


@dataclass(frozen=True)
class SequentialReportResult:
    """Sequential against fixed-n CERTIFY (issue 21): the data of ``reports/empirical/sequential.json``.

    The protocol (``n0``, ``n``, ``alpha``, ``batch``, ``seed``, ``points``, ``targets``, ``fraction``), the issue's
    ``goals``, one :func:`summarise` dict per model in ``sigmas``, one :func:`simulate_from_log` dict per simulation
    in ``simulations``, the machine and its load average at the start and end.  The verdict sentences against the
    goals are derived (:func:`verdicts`) and written to the JSON (``verdicts``), not stored.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> res = SequentialReportResult("x", 100, 1000, 0.001, 256, 0, 1, (0.5,), 0.05, dict(GOALS), (), "m", 1.0, 1.0)
    >>> p = res.to_json(pathlib.Path(tempfile.mkdtemp()) / "s.json")
    >>> SequentialReportResult.from_json(p) == res
    True
    """

    command: str
    n0: int
    n: int
    alpha: float
    batch: int
    seed: int
    points: int
    targets: tuple[float, ...]
    fraction: float
    goals: dict[str, float]
    sigmas: tuple[dict[str, Any], ...]
    machine: str
    load_start: float
    load_end: float
    scale_note: str = ""
    simulations: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON-shaped dict: the fields in order, then ``verdicts``."""
        d: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(targets=list(self.targets), sigmas=list(self.sigmas), simulations=list(self.simulations))
        d["verdicts"] = verdicts(d)
        return d

    def to_json(self, path: str | Path) -> Path:
        """Write the result as JSON (the layout of ``reports/empirical/sequential.json``)."""
        return dump_json(self.to_dict(), path, indent=1, ensure_ascii=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SequentialReportResult:
        names = [f.name for f in fields(cls)]
        kw = {n: d[n] for n in names if n in d}
        kw.update(targets=tuple(d["targets"]), sigmas=tuple(_floats(s) for s in d["sigmas"]),
                  simulations=tuple(_floats(m) for m in d.get("simulations", [])))
        return cls(**kw)

    @classmethod
    def from_json(cls, path: str | Path) -> SequentialReportResult:
        """Read a result written by :meth:`to_json` (the report re-renders without the runs); a file that is not
        one is a ``ValueError`` naming it (theory.jsonio.load_result)."""
        return load_result(path, "a sequential-report result", cls.from_dict)


def compute_sequential_report(models: Sequence[tuple[float, str, int]], logs: Sequence[tuple[float, str]] = (), *,
                              n0: int = 100, n: int = 100_000, alpha: float = 0.001, batch: int = 256,
                              points: int = 100, targets: Sequence[float] = TARGETS, fraction: float = 0.05,
                              cohen_fractions: Sequence[float] | None = None, modes: Sequence[str] = MODES,
                              compile: bool = True, seed: int = 0, work: Path = Path("runs/sequential"),
                              data_dir: str | None = None, progress: bool = True, command: str = "",
                              scale_note: str = "",
                              loadavg: Callable[[], float] = lambda: os.getloadavg()[0]) -> SequentialReportResult:
    """Run every model ``(sigma, checkpoint, points)`` the three ways (:func:`run_model`, :func:`summarise`) and
    simulate every certify log ``(sigma, tsv)`` at each of ``cohen_fractions`` (default ``[fraction]``,
    :func:`simulate_from_log`); ``points`` is the default number of points the report states."""
    load0 = loadavg()
    summ = []
    for sigma, path, pts in models:
        res = run_model(sigma, path, points=pts, n0=n0, n=n, alpha=alpha, batch=batch, targets=targets,
                        fraction=fraction, work=Path(work), data_dir=data_dir, seed=seed, compile=compile,
                        progress=progress, modes=modes)
        summ.append(summarise(sigma, res, n0=n0, n=n, targets=targets))
    sims = [simulate_from_log(path, sigma, n0=n0, n=n, alpha=alpha, batch=batch, targets=targets, fraction=f,
                              seed=seed)
            for sigma, path in logs for f in (cohen_fractions or [fraction])]
    return SequentialReportResult(
        command=command, n0=n0, n=n, alpha=alpha, batch=batch, seed=seed, points=points, targets=tuple(targets),
        fraction=fraction, goals=dict(GOALS), sigmas=tuple(summ),
        machine=f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        load_start=round(load0, 2), load_end=round(loadavg(), 2), scale_note=scale_note, simulations=tuple(sims))


def write_sequential_report(result: SequentialReportResult, out_dir: str | Path = "reports/empirical", *,
                            json_path: str | Path | None = None, figures: bool = True) -> list[Path]:
    """Write ``sequential.md``, the JSON (``out_dir/sequential.json`` unless ``json_path``) and, with ``figures``,
    ``sequential_samples.png`` and ``sequential_accuracy.png`` into ``out_dir``; return the paths written (the
    Markdown links the figures either way).

    Examples
    --------
    >>> import tempfile
    >>> res = SequentialReportResult("x", 100, 1000, 0.001, 256, 0, 1, (0.5,), 0.05, dict(GOALS), (), "m", 1.0, 1.0)
    >>> [p.name for p in write_sequential_report(res, tempfile.mkdtemp(), figures=False)]
    ['sequential.md', 'sequential.json']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = _figures(list(result.sigmas), out, result.n0, result.n) if figures and result.sigmas else []
    js = result.to_json(Path(json_path) if json_path is not None else out / "sequential.json")
    md = out / "sequential.md"
    md.write_text(render_markdown(result))
    return [md, js, *paths]


# -- a simulated stand-in for a CIFAR-10 model: Cohen et al.'s published pA profile --------------------------------
def simulate_from_log(tsv: str | Path, sigma: float, *, n0: int = 100, n: int = 100_000, alpha: float = 0.001,
                      batch: int = 256, targets: Sequence[float] = TARGETS, fraction: float = 0.05,
                      seed: int = 0) -> dict[str, Any]:
    """Fixed-n, target-radius and radius mode on binomial ground truths whose pA are taken from a published
    certify log (Cohen et al. 2019's CIFAR-10 ResNet-110, ``../shared/data/cohen2019-certify``): a row's pA :=
    Phi(radius / sigma) (its logged Clopper-Pearson lower bound; abstentions: pA := 1/2), its class as logged.
    Each procedure draws its own counts (seeded); the selection draws (n0) are counted but not simulated.  A
    simulation of the three procedures on a realistic pA profile -- not a run of a CIFAR-10 model."""
    from scipy.stats import norm

    from theory import certificates as C
    from theory import sequential as Q

    lines = Path(tsv).read_text().splitlines()  # (no torch: empirical.certify's reader would import it)
    head = lines[0].split("\t")
    rows = [dict(zip(head, ln.split("\t"), strict=True)) for ln in lines[1:] if ln.strip()]
    p = np.array([norm.cdf(float(r["radius"]) / sigma) if r["predict"] != "-1" else 0.5 for r in rows])
    ok = np.array([r["correct"] == "1" for r in rows])
    rng = np.random.default_rng(seed)
    kf = rng.binomial(n, p)
    rf = np.array([C.certify_from_counts(int(k), n, alpha, sigma).radius for k in kf])
    rf = np.where(ok, rf, -1.0)
    looks = Q.look_schedule(n, batch)
    lv = Q.target_levels(targets, sigma)
    out: dict[str, Any] = {"log": str(tsv), "sigma": sigma, "fraction": fraction, "points": len(rows),
                 "fixed_forward_passes": n0 + n,
                 "fixed": {"certified_accuracy": {f"{R:g}": float(np.mean(rf >= R)) for R in targets}}}
    for mode in ("target", "radius"):
        k = np.zeros(len(rows), dtype=np.int64)
        used = np.full(len(rows), n)
        alive = np.ones(len(rows), dtype=bool)
        status = np.zeros((len(rows), len(lv)), dtype=np.int8)
        qL = np.ones(len(rows))
        prev = 0
        if mode == "target":
            status[:] = Q.decide_targets(np.zeros(len(rows)), 0, n, alpha, lv)
            alive = np.any(status == Q.UNDECIDED, axis=1)
            used[~alive] = 0
        for t in looks:
            i = np.flatnonzero(alive)
            if i.size == 0:
                break
            k[i] += rng.binomial(t - prev, p[i])
            prev = t
            if mode == "target":
                st = Q.decide_targets(k[i], t, n, alpha, lv)
                cur = status[i]
                status[i] = np.where(cur == Q.UNDECIDED, st, cur)
                done = np.all(status[i] != Q.UNDECIDED, axis=1)
            else:
                stop, q = Q.radius_stop(k[i], t, n, alpha, sigma, fraction)
                done = stop
                qL[i[done]] = q[done]
            used[i[done]] = t
            alive[i[done]] = False
        fp = used + n0
        m: dict[str, Any] = {"mean_forward_passes": float(fp.mean()), "median_forward_passes": float(np.median(fp)),
             "fewer": (n0 + n) / float(fp.mean())}
        if mode == "target":
            m["certified_accuracy"] = {f"{R:g}": float(np.mean(ok & (status[:, j] == Q.CERTIFIED)))
                                       for j, R in enumerate(targets)}
        else:
            rr = np.where(qL <= 0.5, Q.radius_of(qL, sigma), 0.0)
            pos = rf > 0
            m["median_radius_ratio"] = float(np.median(np.where(ok, rr, 0.0)[pos] / rf[pos])) if pos.any() else None
        out[mode] = m
    return out
