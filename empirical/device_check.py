"""Device check of the empirical engine, as one job: compute -> typed result -> report.

:func:`compute_device_check` runs the bench (engine against Cohen et al.'s CERTIFY loop, in-process and in a
process of its own, fp32 and bf16), a short noise-trained CIFAR-10 ResNet (fast recipe) and its certification
(fp32; on CUDA also bf16 autocast and CUDA graphs, with their prediction agreement), the paired JPEG-75 vs
lossless certification of that model (when the data folder has the pairs) and, with ``all``, the CIFAR-10
experiment (paper Figures 1-3 on own models); it returns a :class:`DeviceCheckResult`, which
:func:`write_device_check_report` renders as ``NAME.md`` + ``NAME.json``.  ``python -m empirical gpu-report``
is the command-line face (``empirical/commands/gpu_report.py``).

A time budget bounds the whole run: the bench stops starting architectures after a quarter of it, training
is capped, certification stops between images, and the experiment gets what is left.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

from theory.jsonio import dump_json, load_result
from theory.report.tables import md_table

DEVICE_CHECK_SCHEMA_VERSION = 1

# sizes per scale: (bench_n, bench_reps, bench_archs, epochs, max_examples, max_seconds, n, count, batch)
SCALES = {
    "gpu": dict(bench_n=100_000, bench_reps=5, bench_archs="resnet20,cnn", epochs=15, max_examples=None,
                max_seconds=120.0, n=10_000, count=20, batch=1000),
    "cpu": dict(bench_n=2000, bench_reps=3, bench_archs="cnn", epochs=1, max_examples=2000, max_seconds=60.0,
                n=1000, count=5, batch=500),
    "dry": dict(bench_n=64, bench_reps=1, bench_archs="cnn", epochs=1, max_examples=64, max_seconds=30.0,
                n=32, count=2, batch=32),
}
#: How a failed --all experiment is recorded in ``skipped`` (the command then exits 2 after writing the report).
EXPERIMENT_FAILED = "CIFAR-10 experiment (--all) failed"
DRY_EXPERIMENT = {"arch": "mlp", "epochs": 1, "points": 2, "n0": 8, "n": 32, "batch": 32, "train_examples": 64}




def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclasses.dataclass
class DeviceCheckSettings:
    """What :func:`compute_device_check` runs (the options of ``python -m empirical gpu-report``; ``None`` = the
    scale's default, :data:`SCALES`)."""

    data_dir: str | None = None
    train_split: str = "train"
    cert_split: str = "test100"
    arch: str = "resnet20"
    sigma: float = 0.25
    scale: str = "auto"
    epochs: int | None = None
    max_examples: int | None = None
    max_seconds: float | None = None
    n0: int = 100
    n: int | None = None
    count: int | None = None
    batch: int | None = None
    bench_n: int | None = None
    bench_reps: int | None = None
    bench_archs: str | None = None
    all: bool = False
    time_budget: float | None = None
    dry_run: bool = False
    out_dir: str = "reports/empirical"
    name: str = "gpu"
    model_out: str | None = None
    device: str = "auto"
    seed: int = 0


@dataclasses.dataclass(frozen=True)
class DeviceCheckResult:
    """Everything the device-check report shows (:func:`compute_device_check`); ``benches`` holds
    :func:`empirical.bench.run_bench` results, ``certify`` one entry per numeric variant, ``skipped`` what the
    time budget (or a failing optional variant) left out."""

    schema_version: int
    name: str
    command: str
    date: str
    device: str
    device_name: str
    torch: str
    cuda: str | None
    scale: str
    dry_run: bool
    fake_data: bool
    time_budget: float | None
    sizes: dict
    json_name: str
    tsv_name: str
    benches: tuple
    certify: tuple
    skipped: tuple
    seconds: float = 0.0
    train: dict | None = None
    agreement: dict = dataclasses.field(default_factory=dict)
    jpeg_gap: dict | None = None
    experiment: dict | None = None
    sequential: dict | None = None  # issue 21: sequential CERTIFY against the fixed-n rows (_sequential_check)
    audit_fp: dict | None = None  # issue 23: the floating-point audit of the engine's paths (_audit_fp)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DeviceCheckResult:
        names = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        kw.setdefault("schema_version", DEVICE_CHECK_SCHEMA_VERSION)
        for k in ("benches", "certify", "skipped"):
            kw[k] = tuple(kw.get(k, ()))
        return cls(**kw)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self, path) -> Path:
        """Write the result as JSON (:func:`theory.jsonio.dump_json`, the report's ``NAME.json``); returns
        ``path``."""
        return dump_json(self, path, indent=1)

    @classmethod
    def from_json(cls, path) -> DeviceCheckResult:
        """Read a result written by :meth:`to_json`; a file that is not one (or of another ``schema_version``) is
        a ``ValueError`` naming it (theory.jsonio.load_result)."""

        def from_versioned(d: dict[str, Any]) -> DeviceCheckResult:
            if d.get("schema_version") != DEVICE_CHECK_SCHEMA_VERSION:
                raise ValueError(f"schema_version must be {DEVICE_CHECK_SCHEMA_VERSION}, "
                                 f"got {d.get('schema_version')!r}")
            return cls.from_dict(d)

        return load_result(path, "a device-check result", from_versioned)

    def markdown(self) -> str:
        """The report as Markdown."""
        return _md(self.to_dict())


def write_device_check_report(result: DeviceCheckResult, out_dir, *, json_path=None, figures: bool = True) -> Path:
    """Write ``OUT_DIR/NAME.md`` and the whole result as JSON (``OUT_DIR/<result.json_name>`` unless
    ``json_path``); returns the Markdown path.  The report has no figure (``figures`` is accepted for the common
    writer signature)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result.to_json(Path(json_path) if json_path is not None else out / result.json_name)
    md = out / f"{result.name}.md"
    md.write_text(result.markdown())
    return md


def _fake_cifar(root: Path, seed: int = 0) -> Path:
    """Random CIFAR-shaped npz splits (train 256, test 100, test100 100, and lossless / JPEG pairs) for --dry-run
    without data."""
    import numpy as np

    rng = np.random.default_rng(seed)
    d = root / "cifar10"
    d.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", 256), ("test", 100), ("test100", 100)):
        np.savez(d / f"{split}.npz", x=rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8),
                 y=(np.arange(n) % 10).astype(np.int64))
    # lossless / JPEG pairs for the JPEG-gap path: the "JPEG" images differ by a few grey levels
    x = rng.integers(8, 248, (100, 32, 32, 3), dtype=np.uint8)
    y, idx = (np.arange(100) % 10).astype(np.int64), np.arange(100, dtype=np.int64)
    (d / "cifar10-lossless100").mkdir(exist_ok=True)
    (d / "cifar10-jpeg75").mkdir(exist_ok=True)
    np.savez(d / "cifar10-lossless100" / "test100.npz", x=x, y=y, idx=idx)
    jx = (x.astype(np.int64) + rng.integers(-6, 7, x.shape)).clip(0, 255).astype(np.uint8)
    np.savez(d / "cifar10-jpeg75" / "test100_jpeg75.npz", x=jx, y=y, idx=idx)
    return d


def experiment_data_dir(data_dir) -> Path:
    """The folder the ``--all`` experiment trains and certifies from: ``DIR/cifar10-jpeg75`` when it holds the
    CIFAR-10 training split (the shared data layout), else ``DIR`` itself (``--dry-run``'s random data keeps only
    the JPEG test pairs there)."""
    jpeg = Path(data_dir) / "cifar10-jpeg75"
    return jpeg if (jpeg / "train.npz").is_file() else Path(data_dir)


def _bench_md(b: dict) -> list:
    from empirical.bench import format_bench

    L = [f"### {b['arch']}", "",
         f"{b['arch']} (random weights) on {b['dataset']} inputs {tuple(b['input_shape'])}, batch {b['batch']}, "
         f"n {b['n']}, n0 {b['n0']}, {b['reps']} interleaved repetitions; forward: {b['forward']}"
         + (f"; bf16: {b['forward_bf16']}" if "forward_bf16" in b else "") + ".", "",
         md_table(["mode", "median samples/s", "min", "max", "spread %"],
                  [[m, f"{v['median']:.0f}", f"{v['min']:.0f}", f"{v['max']:.0f}", f"{v['spread_pct']:.1f}"]
                   for m, v in b["samples_per_s"].items()], align="lrrrr")]

    def target(r: str, v: float) -> str:
        tgt = b["targets"].get(r)
        return (">= " + str(tgt) + (" met" if v >= tgt else " not met")) if tgt else ""

    L += ["", md_table(["ratio", "value", "target"], [[r, f"{v:.3f}", target(r, v)] for r, v in b["ratios"].items()],
                       align="lrl")]
    return L + ["", "```", format_bench(b), "```", ""]


def _cert_md(c: dict) -> list:
    return [f"* {c['label']}: forward {c['forward']}; wall time {c['seconds']:.2f} s for {c['count']} images "
            f"({c['seconds_per_image']:.4f} s per image, {c['samples_per_s']:.0f} samples/s, host statistics "
            f"included); certified accuracy at r = 0: {c['accuracy_r0']:.3f}; abstained: {c['abstain']}; "
            f"median Cohen l2 radius of the correct ones: {c['median_radius_correct']}"]


def _md(res: dict) -> str:
    t = res.get("train")
    L = [f"# Empirical engine on {res['device_name']}", ""]
    if res.get("dry_run"):
        L += ["**DRY RUN** (`--dry-run`): tiny sizes" + (", random CIFAR-shaped data" if res.get("fake_data") else "")
              + " -- checks that the script runs end to end; no number below is a measurement.", ""]
    L += [f"Generated by `{res['command']}` on {res['date']} (torch {res['torch']}"
          f"{', CUDA ' + res['cuda'] if res.get('cuda') else ''}; scale `{res['scale']}`"
          + (f"; --time-budget {res['time_budget']:.0f} s" if res.get("time_budget") else "")
          + f"; total {res.get('seconds', 0):.0f} s).  Throughputs are samples (noisy images) per second.", ""]
    if res.get("skipped"):
        L += ["**Time budget reached**: " + "; ".join(res["skipped"]) + ".", ""]
    L += ["## Bench", ""]
    for b in res["benches"]:
        L += _bench_md(b)
    if t is not None:
        L += ["## Short noise training", "",
              f"{t['arch']} on {t['dataset']} ({t['train_examples']} training images, {t['epochs']} of "
              f"{t.get('epochs_requested', t['epochs'])} epochs, recipe `{t.get('recipe', 'default')}`, Gaussian sigma "
              f"{t['sigma']}, {t['train_seconds']:.1f} s): accuracy on {t['eval_split']} "
              f"clean {t['test_acc_clean']:.3f}, "
              f"under one noise draw {t['test_acc_noisy']:.3f}.", ""]
    if res["certify"]:
        c0 = res["certify"][0]
        L += ["## Certification (Cohen et al.'s CERTIFY)", "",
              f"{c0['count']} images of {c0['split']}, n0 = {c0['n0']}, n = {c0['n']}, alpha = {c0['alpha']}, "
              f"batch {c0['batch']}, the model above.", ""]
        for c in res["certify"]:
            L += _cert_md(c)
        for lab, a in res.get("agreement", {}).items():
            L += [f"* {lab} vs fp32: {a['same_prediction']} of {a['count']} predictions agree; largest |radius "
                  f"difference| {a['max_abs_radius_diff']:.4g} (different numerics, same seeds)"]
    if res.get("jpeg_gap"):
        j = res["jpeg_gap"]
        L += ["", "## JPEG-75 vs lossless (paired)", "",
              f"The model above certified on the {j['pairs']} lossless CIFAR-10 test images and on their JPEG-75 "
              f"versions, same noise seeds, n = {j['n']} ({j['seconds']:.1f} s; full report `{j['report']}`):", "",
              md_table(["R", "lossless %", "JPEG %", "difference (points)", "McNemar p"],
                       [[f"{g['radius']:g}", f"{g['acc_lossless']:.0f}", f"{g['acc_jpeg']:.0f}",
                         f"{g['acc_lossless'] - g['acc_jpeg']:+.0f}", f"{g['p_value']:.2g}"] for g in j["gaps"]],
                       align="lrrrr")]
    if res.get("sequential"):
        L += _sequential_md(res["sequential"])
    L += _audit_fp_md(res.get("audit_fp"))
    if res.get("experiment"):
        e = res["experiment"]
        L += ["", "## CIFAR-10 experiment (--all)", "", f"Report: `{Path(e['report']).name}` ({e['seconds']:.0f} s; "
              f"skipped runs: {len(e.get('skipped_runs', []))})."]
    L += ["", f"Raw figures: `{res['json_name']}`; certification rows (fp32): `{res['tsv_name']}`.", ""]
    return "\n".join(L)


# -- sequential CERTIFY (issue 21) -----------------------------------------------------------------------------
SEQUENTIAL_TARGETS = (0.25, 0.5, 0.75, 1.0)


def _sequential_check(res: dict, model, split, idx, fixed_rows, dev, sz: dict, args, out_dir: Path) -> None:
    """Target-radius and radius mode (theory.sequential) on the images the fp32 fixed-n run certified, same seeds,
    budget = that run's n: forward passes, seconds and certified accuracy both ways -> res['sequential']."""
    from empirical.certify import certify_dataset
    from empirical.core import FastForward
    from theory.sequential import SequentialSpec

    ff = FastForward(model, dev, compile=not args.dry_run)
    n0, n = args.n0, sz["n"]
    fx = {int(r["idx"]): r for r in fixed_rows}
    out = {"count": len(idx), "n0": n0, "budget": n, "batch": sz["batch"], "targets": list(SEQUENTIAL_TARGETS),
           "fixed_forward_passes": n0 + n,
           "fixed_certified_accuracy": {f"{R:g}": sum(r["correct"] and r["radius"] >= R for r in fixed_rows)
                                        / max(len(fixed_rows), 1) for R in SEQUENTIAL_TARGETS}}
    for mode, spec in (("target", SequentialSpec("target", n, SEQUENTIAL_TARGETS)),
                       ("radius", SequentialSpec("radius", n))):
        _say(f"[gpu-report] sequential CERTIFY ({mode} mode) ...")
        t0 = time.perf_counter()
        rows = certify_dataset(ff.model, split, "gaussian", args.sigma, n0, n, 0.001, sz["batch"], idx,
                               out_dir / f"{args.name}-certify-{mode}.tsv", overwrite=True, device=dev,
                               seed=args.seed, forward=ff, progress=False, sequential=spec)
        dt = time.perf_counter() - t0
        fp = [r["forward_passes"] for r in rows]
        m = {"seconds": dt, "mean_forward_passes": sum(fp) / max(len(fp), 1),
             "fewer": (n0 + n) * len(fp) / max(sum(fp), 1)}
        if mode == "target":
            m["certified_accuracy"] = {f"{R:g}": sum(r["correct"] and r[f"certified_R{R:g}"] == 1 for r in rows)
                                       / max(len(rows), 1) for R in SEQUENTIAL_TARGETS}
        else:
            ratios = sorted(r["radius"] / fx[r["idx"]]["radius"] for r in rows if fx[r["idx"]]["radius"] > 0)
            m["median_radius_ratio"] = ratios[len(ratios) // 2] if ratios else None
        out[mode] = m
    fixed_s = next((c["seconds"] for c in res["certify"] if c["label"] == "fp32"), None)
    out["fixed_seconds"] = fixed_s
    from empirical.bench import certify_batch_sweep
    from empirical.core import default_certify_batch

    sizes = (128, 256, 512, 1000) + ((4000, 10_000) if dev.type == "cuda" else ())
    out["batch_sweep"] = certify_batch_sweep(model, split[0][0].shape, 10, dev, sizes=sizes, n=min(n, 20_000),
                                             reps=3, sigma=args.sigma, compile=not args.dry_run, seed=args.seed)
    out["default_certify_batch"] = default_certify_batch(dev)
    res["sequential"] = out


def _secs(x) -> str:
    return "–" if x is None else f"{x:.1f}"


def _sequential_md(q: dict) -> list:
    t, r = q["target"], q["radius"]
    L = ["", "## Sequential CERTIFY (issue 21) against the fixed-n run above", "",
         f"{q['count']} images, same seeds, budget n = {q['budget']} (fixed n: {q['fixed_forward_passes']} forward "
         f"passes per image), batch {q['batch']}.", "",
         "| run | mean forward passes | fewer than fixed | seconds |", "|---|---:|---:|---:|",
         f"| fixed n | {q['fixed_forward_passes']} | 1 | {_secs(q.get('fixed_seconds'))} |",
         f"| target-radius mode | {t['mean_forward_passes']:.0f} | {t['fewer']:.1f}× | {t['seconds']:.1f} |",
         f"| radius mode | {r['mean_forward_passes']:.0f} | {r['fewer']:.1f}× | {r['seconds']:.1f} |", "",
         "Certified accuracy (fixed / target mode): " + "; ".join(
             f"R = {R}: {100 * q['fixed_certified_accuracy'][R]:.0f} / {100 * t['certified_accuracy'][R]:.0f} %"
             for R in q["fixed_certified_accuracy"]) + ".  Radius mode median radius / fixed radius: "
         + (f"{r['median_radius_ratio']:.3f}." if r.get("median_radius_ratio") is not None else "– (none certified).")]
    if q.get("batch_sweep"):
        w = q["batch_sweep"]
        L += ["", f"CERTIFY sampling loop by batch size ({w['n']} draws, {w['reps']} interleaved repetitions; ratio to "
              f"the fastest): " + ", ".join(f"{b}: {w['ratio_to_best'][b]:.2f}" for b in w["ratio_to_best"])
              + f"; fastest {w['fastest']}, default of this device (`default_certify_batch`) "
              f"{q['default_certify_batch']}."]
    return L
# -- end sequential ------------------------------------------------------------------------------------------


# -- audit-fp (issue 23) -----------------------------------------------------------------------------------------
def _audit_fp(res: dict, dev, args) -> None:
    """The floating-point audit (empirical.fp_audit) of the engine's paths on this device: 'gaussian' eager add (on
    CUDA: the fused compiled sampler), 'gaussian' through FastForward (compiled, noise add fused into the graph) and
    the sound 'gaussian-lattice'; the issue's sizes (3x32x32, sigma 0.25, n = 100,000; dry run: tiny)."""
    from empirical.fp_audit import audit_fp

    dry = args.dry_run
    kw = dict(shape=(3, 8, 8) if dry else (3, 32, 32), n0=100, n=500 if dry else 100000, seed=args.seed,
              device=dev, batch=500 if dry else (10000 if dev.type == "cuda" else 1000))
    out = []
    for noise, compiled in (("gaussian", False), ("gaussian", True), ("gaussian-lattice", False)):
        if dry and compiled:
            continue
        _say(f"[gpu-report] audit-fp {noise}{' (compiled)' if compiled else ''} ...")
        try:
            r = audit_fp(noise, 0.25, compiled=compiled, **kw)
        except Exception as exc:  # the audit must not lose the report
            res["skipped"].append(f"audit-fp {noise} failed: {exc.__class__.__name__}: {str(exc)[:200]}")
            continue
        out.append(r.to_dict())
    res["audit_fp"] = {"runs": out}


def _audit_fp_md(a: dict | None) -> list:
    if not a or not a.get("runs"):
        return []
    return ["", "## Floating-point audit (audit-fp, issue 23)", "",
            md_table(["noise", "forward", "verdict", "classifier", "R", "counts at x'", "P_x'(cA) upper",
                      "implied lower"],
                     [[r["noise"], r["forward"], r["verdict"], c["classifier"], f"{c['radius']:.4f}",
                       str(c["counts_x_prime"]), f"{c['upper_x_prime']:.3g}", f"{c['implied_lower']:.4f}"]
                      for r in a["runs"] for c in r["classifiers"]], align="llllrlrr"), ""]


def _jpeg_gap(res: dict, model, meta: dict, data_dir, dev, sz: dict, args, out_dir: Path, *, started: bool) -> None:
    """The paired JPEG-75 vs lossless certification of the model (empirical.jpeg_gap) when DATA_DIR has the
    pairs (cifar10-lossless100/ and the JPEG copy or its pre-matched rows); its own report NAME_jpeg_gap.md."""
    from empirical.jpeg_gap import compute_jpeg_gap, load_jpeg_pairs, write_jpeg_gap_report

    if not started:
        res["skipped"].append("JPEG gap (lossless vs JPEG-75 pairs) not started")
        return
    try:
        lossless, jpeg, mae = load_jpeg_pairs(data_dir, count=4 if args.dry_run else None)
    except ValueError as exc:
        res["skipped"].append(f"JPEG gap not measured: {str(exc).splitlines()[0][:200]}")
        return
    _say("[gpu-report] JPEG gap: certify the lossless images and their JPEG-75 versions ...")
    gap = compute_jpeg_gap([(model, meta)], lossless, jpeg, n0=args.n0, n=sz["n"], batch=sz["batch"], device=dev,
                           seed=args.seed, work=out_dir / f"{args.name}-jpeg-gap-work", mae=mae, progress=False,
                           compile_cpu=not args.dry_run, command=res["command"])
    md = write_jpeg_gap_report(gap, out_dir, name=f"{args.name}_jpeg_gap")
    s = gap.per_sigma[0]
    res["jpeg_gap"] = {"report": md.name, "pairs": len(s.rows_lossless), "n": gap.n, "seconds": s.seconds,
                       "gaps": [dataclasses.asdict(g) for g in s.gaps]}


def compute_device_check(args: DeviceCheckSettings, *, command: str | None = None) -> DeviceCheckResult:
    """Run the device check described by ``args`` and return its :class:`DeviceCheckResult`.

    Besides the result it writes what a killed run must not lose, into ``args.out_dir``: ``NAME.json`` after
    every step (the figures so far), the certification TSVs, the JPEG-gap report and, with ``args.all``, the
    CIFAR-10 experiment's report.  :func:`write_device_check_report` writes ``NAME.md`` and the final JSON.
    ``command`` is the command line recorded in the report (default: ``python -m empirical gpu-report``).
    """
    import datetime

    from theory import validate as V

    t_start = time.perf_counter()
    V.positive("sigma", args.sigma)
    budget = None if args.time_budget is None else V.positive("time-budget", args.time_budget)
    import torch

    from empirical.core import resolve_device
    from empirical.data import load_dataset
    from empirical.train import train_model

    dev = resolve_device(args.device)
    scale, sz = _sizes(args, dev)
    data_dir, fake, tmp = _data_dir(args)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {
           "name": args.name, "command": command or "python -m empirical gpu-report",
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "device": str(dev), "torch": str(torch.__version__), "cuda": torch.version.cuda, "scale": scale,
           "dry_run": bool(args.dry_run), "fake_data": fake, "time_budget": budget, "sizes": sz,
           "json_name": f"{args.name}.json", "tsv_name": f"{args.name}-certify.tsv", "benches": [], "certify": [],
           "skipped": []}
    res["device_name"] = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "CPU"
    run = _Run(res, t_start, budget, out_dir / f"{args.name}.json")
    _benches(run, dev, sz, args)
    if budget is not None and run.elapsed() > 0.25 * budget:
        res["skipped"].append("audit-fp not started")
    else:
        _audit_fp(res, dev, args)  # issue 23
    run.dump()
    _say("[gpu-report] train ...")
    cap = sz["max_seconds"] if budget is None else max(1e-3, min(sz["max_seconds"], 0.3 * run.left()))
    model, meta = train_model("cifar10", args.arch, "gaussian", args.sigma, sz["epochs"], args.seed, dev,
                              data_dir=data_dir, max_examples=sz["max_examples"], max_seconds=cap,
                              batch_size=512 if dev.type == "cuda" else 128, log=_say, eval_split=args.cert_split,
                              progress=False, recipe="fast")
    res["train"] = meta
    run.dump()
    if args.model_out:
        from empirical.models import save_checkpoint

        save_checkpoint(args.model_out, model, meta)
    split = load_dataset("cifar10", args.cert_split, data_dir)
    cert_end = None if budget is None else (0.6 if args.all else 0.95) * budget
    rows_by = _certify_variants(run, model, split, dev, sz, args, out_dir, cert_end)
    res["agreement"] = _agreement(rows_by)
    run.dump()
    if cert_end is not None and run.elapsed() > cert_end:
        res["skipped"].append("sequential CERTIFY comparison not started")
    elif rows_by.get("fp32"):
        _sequential_check(res, model, split, [int(r["idx"]) for r in rows_by["fp32"]], rows_by["fp32"], dev, sz, args,
                          out_dir)
    run.dump()
    _jpeg_gap(res, model, meta, data_dir, dev, sz, args, out_dir,
              started=cert_end is None or run.elapsed() <= cert_end)
    run.dump()
    if args.all:
        _experiment_all(run, dev, data_dir, out_dir, args)
    run.dump()
    if tmp is not None:
        tmp.cleanup()
    return DeviceCheckResult.from_dict(res)


@dataclasses.dataclass
class _Run:
    """A device check under way: its result dict so far, when it started, its time budget and its JSON file."""

    res: dict[str, Any]
    t_start: float
    budget: float | None
    jpath: Path

    def elapsed(self) -> float:
        """Seconds since the check started."""
        return time.perf_counter() - self.t_start

    def left(self) -> float:
        """Seconds of the time budget left (infinite without one)."""
        return float("inf") if self.budget is None else self.budget - self.elapsed()

    def dump(self) -> None:
        """Write the result so far (with its seconds) to the JSON file, so that a killed run loses nothing."""
        self.res["seconds"] = self.elapsed()
        self.jpath.write_text(json.dumps(self.res, indent=1, default=str))


def _sizes(args: DeviceCheckSettings, dev) -> tuple[str, dict[str, Any]]:
    """The scale (``auto``: dry with --dry-run, else gpu on CUDA, else cpu) and its sizes with the options set in
    ``args``, validated."""
    from theory import validate as V

    scale = (args.scale if args.scale != "auto"
             else ("dry" if args.dry_run else ("gpu" if dev.type == "cuda" else "cpu")))
    sz = dict(SCALES[scale])
    for key in sz:
        v = getattr(args, key)
        if v is not None:
            sz[key] = v
    V.count("count", sz["count"], minimum=1)
    V.count("n", sz["n"], minimum=1)
    V.count("n0", args.n0, minimum=1)
    V.count("batch", sz["batch"], minimum=1)
    V.count("epochs", sz["epochs"], minimum=1)
    return scale, sz


def _data_dir(args: DeviceCheckSettings) -> tuple[str, bool, Any]:
    """The CIFAR-10 folder (a fake one in a temporary folder for a dry run without --data-dir), whether it is
    fake, and the temporary folder to clean up (or None)."""
    import tempfile

    from empirical.data import _require_dir

    fake = False
    data_dir = args.data_dir
    tmp = None
    if data_dir is None:
        if not args.dry_run:
            raise ValueError("data_dir: --data-dir is required (except with --dry-run)")
        tmp = tempfile.TemporaryDirectory()
        data_dir = str(_fake_cifar(Path(tmp.name), args.seed))
        fake = True
    _require_dir(data_dir, "cifar10")
    return data_dir, fake, tmp


def _benches(run: _Run, dev, sz: dict, args: DeviceCheckSettings) -> None:
    """The bench of every architecture (none started after a quarter of the time budget)."""
    from empirical.bench import run_bench

    res = run.res
    archs = [a for a in sz["bench_archs"].split(",") if a]
    for arch in archs:
        if run.budget is not None and run.elapsed() > 0.25 * run.budget:
            res["skipped"].append(f"bench of {arch} not started")
            continue
        _say(f"[gpu-report] bench {arch} on {dev} ...")
        res["benches"].append(run_bench(arch, "cifar10", device=dev, batch=sz["batch"], n=sz["bench_n"], n0=args.n0,
                                        reps=sz["bench_reps"], sigma=args.sigma, seed=args.seed, progress=False,
                                        compile=not args.dry_run, samplers=not args.dry_run,
                                        engine_batch=sz["batch"] if dev.type != "cuda" else max(sz["batch"], 10_000)
                                        if sz["bench_n"] >= 10_000 else sz["batch"]))
        run.dump()


def _certify_variants(run: _Run, model, split, dev, sz: dict, args: DeviceCheckSettings, out_dir: Path,
                      cert_end: float | None) -> dict[str, list]:
    """Certify the first images with fp32 (and, on CUDA or in a dry run, bf16 autocast; on CUDA also CUDA graphs),
    one image at a time until ``cert_end`` seconds; the rows per variant."""
    import torch

    idx = list(range(min(sz["count"], len(split))))
    variants: list[tuple[str, dict[str, Any], Path]] = [("fp32", dict(), out_dir / run.res["tsv_name"])]
    if dev.type == "cuda" or args.dry_run:  # the dry run exercises the bf16 path and its agreement check on the CPU
        variants.append(("bf16 autocast", dict(autocast_dtype=torch.bfloat16),
                         out_dir / f"{args.name}-certify-bf16.tsv"))
    if dev.type == "cuda":
        variants.append(("bf16 autocast + CUDA graphs", dict(autocast_dtype=torch.bfloat16, cudagraphs=True),
                         out_dir / f"{args.name}-certify-bf16-graphs.tsv"))
    rows_by = {}
    for label, ffkw, tsv in variants:
        if cert_end is not None and run.elapsed() > cert_end:
            run.res["skipped"].append(f"certification ({label}) not started")
            continue
        rows = _certify_variant(run, model, split, idx, dev, sz, args, label, ffkw, tsv, cert_end)
        if rows is not None:
            rows_by[label] = rows
        run.dump()
    return rows_by


def _certify_variant(run: _Run, model, split, idx: list[int], dev, sz: dict, args: DeviceCheckSettings, label: str,
                     ffkw: dict, tsv: Path, cert_end: float | None) -> list | None:
    """One numeric variant's certification (its entry in ``certify``) and its rows; None when an optional
    variant failed (recorded in ``skipped``)."""
    import statistics

    from empirical.certify import certify_dataset
    from empirical.core import FastForward, Smooth

    res = run.res
    _say(f"[gpu-report] certify ({label}) ...")
    try:
        ff = FastForward(model, dev, compile=not args.dry_run, **ffkw)
        Smooth(ff.model, 10, "gaussian", args.sigma, dev, forward=ff).warmup(split[0][0], (args.n0, sz["n"]),
                                                                             sz["batch"])
        t0 = time.perf_counter()
        rows: list = []
        for j, i in enumerate(idx):  # one image at a time: the budget is checked between images
            if cert_end is not None and run.elapsed() > cert_end:
                res["skipped"].append(f"certification ({label}) stopped after {len(rows)} of {len(idx)} images")
                break
            rows += certify_dataset(ff.model, split, "gaussian", args.sigma, args.n0, sz["n"], 0.001,
                                    sz["batch"], [i], tsv, overwrite=j == 0, resume=j > 0, device=dev,
                                    seed=args.seed, forward=ff, progress=False)
        dt = time.perf_counter() - t0
    except Exception as exc:  # an optional variant (e.g. CUDA graphs) failing must not lose the report
        if label == "fp32":
            raise
        res["skipped"].append(f"certification ({label}) failed: {exc.__class__.__name__}: "
                              f"{str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ''}")
        return None
    ok = [r for r in rows if r["correct"]]
    res["certify"].append({
        "label": label, "split": args.cert_split, "count": len(rows), "n0": args.n0, "n": sz["n"], "alpha": 0.001,
        "batch": sz["batch"], "forward": ff.description, "seconds": dt, "seconds_per_image": dt / max(len(rows), 1),
        "samples_per_s": len(rows) * (args.n0 + sz["n"]) / dt, "accuracy_r0": len(ok) / max(len(rows), 1),
        "abstain": sum(r["predict"] == -1 for r in rows),
        "median_radius_correct": round(statistics.median(r["radius"] for r in ok), 4) if ok else None})
    return rows


def _agreement(rows_by: dict[str, list]) -> dict[str, dict]:
    """Each non-fp32 variant against fp32 on the images both certified: same predictions, largest radius gap."""
    out = {}
    for label, rows in rows_by.items():
        if label == "fp32":
            continue
        a = {int(r["idx"]): r for r in rows_by.get("fp32", [])}
        common = [(a[int(r["idx"])], r) for r in rows if int(r["idx"]) in a]
        if common:
            out[label] = {"count": len(common),
                          "same_prediction": sum(x["predict"] == y["predict"] for x, y in common),
                          "max_abs_radius_diff": max(abs(x["radius"] - y["radius"]) for x, y in common)}
    return out


def _experiment_all(run: _Run, dev, data_dir: str, out_dir: Path, args: DeviceCheckSettings) -> None:
    """With --all: the CIFAR-10 experiment in the time left (a failure is recorded, the report still written)."""
    from empirical.experiments import run_experiment

    res = run.res
    if run.budget is not None and run.left() <= 0:
        res["skipped"].append("CIFAR-10 experiment (--all) not started")
        return
    _say("[gpu-report] CIFAR-10 experiment ...")
    exp_cmd = (f"python -m empirical experiment cifar10 --device {dev.type} --data-dir {data_dir} "
               f"--out {out_dir}"
               + (" (dry run sizes)" if args.dry_run else ""))
    try:  # a failure is recorded and the report still written (the command then exits 2)
        summ = run_experiment("cifar10", out=out_dir, device=dev.type,
                              data_dir=experiment_data_dir(data_dir), seed=args.seed,
                              work=str(out_dir / "work") if args.dry_run else "runs/experiments",
                              command=exp_cmd, progress=False,
                              overrides=DRY_EXPERIMENT if args.dry_run else None,
                              time_budget=None if run.budget is None else max(1e-3, run.left()),
                              name=("cifar10_dry" if args.dry_run else None))
        res["experiment"] = {"report": summ.get("report"), "seconds": summ.get("seconds", 0.0),
                             "skipped_runs": summ.get("skipped_runs", [])}
    except (ValueError, OSError, RuntimeError) as exc:
        why = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else exc.__class__.__name__
        res["skipped"].append(f"{EXPERIMENT_FAILED}: {why}")
