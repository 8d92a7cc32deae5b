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

import json
import sys
import time
from pathlib import Path

import numpy as np

MODES = ("fixed", "target", "radius")
TARGETS = (0.25, 0.5, 0.75, 1.0)
GOALS = {"target_fewer": 20.0, "target_acc_points": 1.0, "radius_fewer": 3.0, "radius_median_ratio": 0.95}


def _rows(tsv: Path) -> list[dict]:
    from empirical.certify import read_tsv
    from empirical.replay import _parse_time

    out = []
    for r in read_tsv(tsv):
        d = {k: v for k, v in r.items()}
        d["seconds"] = _parse_time(r["time"])
        out.append(d)
    return out


def run_model(sigma: float, checkpoint: str, *, points: int, n0: int, n: int, alpha: float, batch: int,
              targets=TARGETS, fraction: float = 0.05, work: Path, data_dir=None, seed: int = 0,
              compile: bool = True, progress: bool = True, modes=MODES) -> dict:
    """Certify ``points`` evenly spaced test points with the model of ``checkpoint`` the three ways; returns
    {mode: rows} (rows of the TSVs, strings) plus the model's metadata."""
    import torch

    from empirical.certify import ResumeMismatch, certify_dataset
    from empirical.core import FastForward
    from empirical.data import load_dataset
    from empirical.experiments import point_indices, state_dict_sha256
    from empirical.models import load_checkpoint
    from theory.sequential import SequentialSpec

    model, meta = load_checkpoint(checkpoint, "cpu")
    test = load_dataset(meta["dataset"], "test", data_dir)
    idx = point_indices(len(test), points)
    sha = state_dict_sha256(model)
    fwd = FastForward(model, torch.device("cpu"), compile=compile, verbose=False)
    specs = {"fixed": None, "target": SequentialSpec("target", n, tuple(targets)),
             "radius": SequentialSpec("radius", n, fraction=fraction)}
    res: dict = {"meta": {k: meta.get(k) for k in ("dataset", "arch", "sigma", "test_acc_clean", "epochs",
                                                    "train_seconds")}, "checkpoint_sha256": sha,
                 "indices": idx, "runs": {}}
    for mode in modes:
        tsv = Path(work) / "tsv" / f"{meta['dataset']}_{meta['arch']}_sigma{sigma:g}_{mode}_p{points}_b{batch}.tsv"
        tsv.parent.mkdir(parents=True, exist_ok=True)
        kw = dict(device="cpu", seed=seed, forward=fwd, progress=progress, sequential=specs[mode],
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


def summarise(sigma: float, res: dict, *, n0: int, n: int, targets=TARGETS) -> dict:
    """The numbers of one sigma (module docstring)."""
    fx = {int(r["idx"]): r for r in res["runs"]["fixed"]}
    out: dict = {"sigma": sigma, "points": len(fx), "model": res["meta"], "fixed_forward_passes": n0 + n}
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


def _figures(summ: list[dict], out: Path, n0: int, n: int) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    fig, axes = plt.subplots(1, len(summ), figsize=(4.2 * len(summ), 3.4), squeeze=False)
    for ax, s in zip(axes[0], summ, strict=True):
        for mode, c in (("target", "C1"), ("radius", "C2")):
            if mode in s:
                v = np.sort(s[mode]["forward_passes"])
                ax.plot(np.arange(1, v.size + 1), v, color=c, label=f"{mode} mode (mean {v.mean():,.0f})")
        ax.axhline(n0 + n, color="C0", ls="--", label=f"fixed n ({n0 + n:,})")
        ax.set_yscale("log")
        ax.set_title(_label(s), fontsize=9)
        ax.set_xlabel("images (sorted)")
        ax.set_ylabel("forward passes per image")
        ax.legend(fontsize=7)
    fig.tight_layout()
    p = out / "sequential_samples.png"
    fig.savefig(p, dpi=120)
    plt.close(fig)
    paths.append(p)
    fig, axes = plt.subplots(1, len(summ), figsize=(4.2 * len(summ), 3.4), squeeze=False)
    for ax, s in zip(axes[0], summ, strict=True):
        ax.plot(s["grid"], s["fixed"]["curve"], color="C0", label="fixed n (Clopper–Pearson)")
        if "radius" in s:
            ax.plot(s["grid"], s["radius"]["curve"], color="C2", ls=":", label="radius mode")
        if "target" in s:
            R = [float(k) for k in s["target"]["certified_accuracy"]]
            ax.plot(R, list(s["target"]["certified_accuracy"].values()), "o", color="C1", label="target mode")
        ax.set_title(_label(s), fontsize=9)
        ax.set_xlabel("radius R (ℓ2)")
        ax.set_ylabel("certified accuracy")
        ax.legend(fontsize=7)
    fig.tight_layout()
    p = out / "sequential_accuracy.png"
    fig.savefig(p, dpi=120)
    plt.close(fig)
    paths.append(p)
    return paths


def _label(s: dict) -> str:
    """A run's name in tables and sentences: data set, architecture and sigma (e.g. ``mnist cnn_fast, σ = 0.5``)."""
    m = s.get("model") or {}
    head = " ".join(str(m[k]) for k in ("dataset", "arch") if m.get(k))
    return f"{head}, σ = {s['sigma']:g}" if head else f"σ = {s['sigma']:g}"


def render_markdown(rep: dict) -> str:
    g = rep["goals"]
    L = ["# Sequential (anytime-valid) CERTIFY against fixed-n CERTIFY on real models (issue 21)", "",
         f"Generated by `{rep['command']}`.", "",
         f"Machine: {rep['machine']}; load average at the start {rep['load_start']}, at the end {rep['load_end']} "
         "(a shared 2-core CPU: wall-clock numbers are comparable only within one model's runs).", "",
         f"Protocol: n0 = {rep['n0']}, fixed n = budget cap = {rep['n']:,}, α = {rep['alpha']}, batch {rep['batch']}, "
         f"seed {rep['seed']}; the same evenly spaced test points and seeds for the three runs of each model ("
         + "; ".join(f"{_label(s)}: {s['points']} points" for s in rep["sigmas"])
         + ").  Bound of the sequential modes: the beta-binomial mixture confidence sequence of `theory.sequential` "
         "(anytime-valid; soundness in `python -m theory soundness-sequential`).  Forward passes count the n0 "
         "selection draws too.", ""]
    if rep.get("scale_note"):
        L += [f"**Scale.** {rep['scale_note']}", ""]
    L += ["## Target-radius mode", "",
          "| model | clean acc. | mean fwd passes | median | fewer than fixed (goal ≥ "
          f"{g['target_fewer']:g}×) | " + " | ".join(f"cert. acc. R={R} fixed / target" for R in rep["targets"])
          + " | wall fixed / target (s) |",
          "|---|---|---|---|---|" + "---|" * len(rep["targets"]) + "---|"]
    for s in rep["sigmas"]:
        if "target" not in s:
            continue
        t = s["target"]
        fa, ta = s["fixed"]["certified_accuracy"], t["certified_accuracy"]
        cells = [f"{100 * fa[f'{R:g}']:.1f} / {100 * ta[f'{R:g}']:.1f}" for R in rep["targets"]]
        L.append(f"| {_label(s)} | {s['model'].get('test_acc_clean', float('nan')):.3f} | "
                 f"{t['mean_forward_passes']:,.0f} | {t['median_forward_passes']:,.0f} | {t['fewer']:.1f}× | "
                 + " | ".join(cells) + f" | {s['fixed']['wall_s']:.0f} / {t['wall_s']:.0f} |")
    L += ["", "## Radius mode", "",
          f"| model | mean fwd passes | median | fewer (goal ≥ {g['radius_fewer']:g}×) | median radius / fixed radius "
          f"(goal ≥ {g['radius_median_ratio']:g}) | points with fixed radius > 0 | wall fixed / radius (s) |",
          "|---|---|---|---|---|---|---|"]
    for s in rep["sigmas"]:
        if "radius" not in s:
            continue
        r = s["radius"]
        L.append(f"| {_label(s)} | {r['mean_forward_passes']:,.0f} | {r['median_forward_passes']:,.0f} | "
                 f"{r['fewer']:.1f}× | {r['median_radius_ratio']:.3f} | {r['ratio_points']} | "
                 f"{s['fixed']['wall_s']:.0f} / {r['wall_s']:.0f} |")
    if rep.get("simulations"):
        L += ["", "## CIFAR-10: simulated on Cohen et al.'s published pA profile", "",
              "Cohen et al.'s ResNet-110 was not trained here (a 2-core CPU).  Instead each row of a published "
              "certify log of Cohen et al. (2019; ResNet-110, 500 test images, `../shared/data/cohen2019-certify`) "
              "becomes a binomial ground truth "
              "with pA := Φ(radius/σ) (its logged Clopper–Pearson bound; abstentions pA := 1/2) and the logged "
              "class, and the three procedures draw their own counts from it (`simulate_from_log`, seeded).", "",
              "| log | σ | target: mean fwd / fewer | target cert. acc. (fixed / target) | radius mode fraction | "
              "radius: mean fwd / fewer | radius: median ratio |", "|---|---|---|---|---|---|---|"]
        for m in rep["simulations"]:
            t, r = m["target"], m["radius"]
            acc = "; ".join(f"R={R}: {100 * m['fixed']['certified_accuracy'][R]:.1f} / "
                            f"{100 * t['certified_accuracy'][R]:.1f}" for R in t["certified_accuracy"])
            ratio = "–" if r["median_radius_ratio"] is None else f"{r['median_radius_ratio']:.3f}"
            L.append(f"| `{Path(m['log']).name}` | {m['sigma']:g} | {t['mean_forward_passes']:,.0f} / "
                     f"{t['fewer']:.1f}× | {acc} | {m['fraction']:g} | {r['mean_forward_passes']:,.0f} / "
                     f"{r['fewer']:.1f}× | {ratio} |")
    L += ["", "## Against the targets", ""] + [f"* {line}" for line in rep["verdicts"]]
    L += ["", "## Reading", ""] + [f"* {line}" for line in _reading(rep)]
    L += ["", "![forward passes per image](sequential_samples.png)", "",
          "![certified accuracy vs R](sequential_accuracy.png)", ""]
    return "\n".join(L)


def _reading(rep: dict) -> list[str]:
    """Where the forward passes go and why the radius mode stops short of the fixed-n radius (numbers from the
    runs and from theory.sequential at this n and alpha)."""
    from scipy.stats import norm

    from theory import sequential as Q

    n, a = rep["n"], rep["alpha"]
    cs = float(norm.isf(Q.one_minus_lower(n, n, a)))
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
               "cap (projected at the current rate); the projection is noisy, and the confidence sequence is wider "
               f"than one Clopper–Pearson look (at pA → 1 and n = {n:,}: radius {cs:.3f} σ against {cp:.3f} σ, ratio "
               f"{cs / cp:.3f}), so its radius sits near, not above, {1 - f:g} of the fixed-n one.  A floor on its "
               f"savings: on an image where every draw agrees (pA → 1) the fixed-n radius is {cp:.3f} σ, and even one "
               f"Clopper–Pearson look reaches {1 - f:g} of it only after ln(1/α) / −ln(1 − Φ(−{1 - f:g} · "
               f"{cp:.3f})) = {floor:,} draws, so no valid procedure saves more than {(rep['n0'] + n) / floor:.1f}× "
               "there at that radius; the savings come from points with pA < 1, whose radius stops growing early.")
    out.append("Wall-clock: the models' runs were made at different loads of the shared machine (the three modes "
               "of one model one after the other), so compare the columns of one model, not model with model.")
    return out


def verdicts(rep: dict) -> list[str]:
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


def write_report(rep: dict, out: Path, *, figures: bool = True) -> list[Path]:
    from theory.jsonio import to_jsonable

    out.mkdir(parents=True, exist_ok=True)
    rep["verdicts"] = verdicts(rep)
    paths = _figures(rep["sigmas"], out, rep["n0"], rep["n"]) if figures else []
    slim = json.loads(json.dumps(to_jsonable(rep)))
    (out / "sequential.json").write_text(json.dumps(slim, indent=1) + "\n")
    (out / "sequential.md").write_text(render_markdown(rep))
    return [out / "sequential.md", out / "sequential.json", *paths]


# -- a simulated stand-in for a CIFAR-10 model: Cohen et al.'s published pA profile --------------------------------
def simulate_from_log(tsv, sigma: float, *, n0: int = 100, n: int = 100_000, alpha: float = 0.001, batch: int = 256,
                      targets=TARGETS, fraction: float = 0.05, seed: int = 0) -> dict:
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
    out: dict = {"log": str(tsv), "sigma": sigma, "fraction": fraction, "points": len(rows),
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
        m = {"mean_forward_passes": float(fp.mean()), "median_forward_passes": float(np.median(fp)),
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
