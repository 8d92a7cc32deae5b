"""The replay as one computation: :func:`compute_replay` -> :class:`ReplayResult` (issue 12's shape).

``compute_replay`` reads the logs, recomputes every certificate (:mod:`empirical.replay`), chooses the
table radii from the data, and computes every number and every sentence of the report; it writes no file
and prints nothing.  :func:`empirical.replay_report.write_replay_report` only formats.  The JSON written
next to the report is a faithful ``asdict`` of the result with ``schema_version``; :meth:`ReplayResult.from_json`
reads it back, and the Markdown rendered from it is byte-identical.

>>> import tempfile, pathlib
>>> from theory.certificates import certify_from_counts
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "mnist"; folder.mkdir()
>>> rows = ["idx\\tlabel\\tpredict\\tradius\\tcorrect\\ttime"] + [
...     f"{i}\\t1\\t1\\t{certify_from_counts(k, 1000, 0.001, 0.5).radius:.3}\\t1\\t0.1"
...     for i, k in enumerate((1000, 999, 990, 900))]
>>> _ = (folder / "noise_0.50_sigma_0.50.tsv").write_text("\\n".join(rows) + "\\n")
>>> res = compute_replay([folder], command="doctest", progress=False)
>>> res.logs[0].d, res.logs[0].identification.identified.n
(784, 1000)
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import time as _time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from empirical import replay as R
from empirical import replay_report as W
from theory import validate as V
from theory._progress import progress_bar
from theory.certificates import radius as cert_radius
from theory.jsonio import load_result, to_jsonable

#: Version of the JSON layout of :class:`ReplayResult`.
SCHEMA_VERSION = 1
#: l2 radius of the paper's "approximately 20% certified accuracy under l2 = 1.0" (Section 4.2).
CLAIM_RADIUS = R.CLAIM_RADIUS
#: The paper's Figure 1 setting: mechanism sigma 0.5, training sigma in {0.25, 0.5, 1.0}.
PAPER_FIG1_SIGMA = 0.5
PAPER_FIG1_TRAIN = (0.25, 0.5, 1.0)
#: Training sigma of the paper's Figure 2 (mechanism sigma varied on one model).
PAPER_FIG2_TRAIN = 0.5
#: l2 certificates tabulated (Sections 3-6) and the other applicable ones (Section 8).
L2_COLS = R.L2_COLS
OTHER_L2_COLS = R.OTHER_L2_COLS
LINF_COLS = R.LINF_COLS
#: Points of every figure's radius grid.
FIGURE_POINTS = 201
#: The paper's figures per data set (Section 4; Appendix C for ImageNet): (training sigma varied at mechanism
#: sigma 0.5, mechanism sigma varied on the training-sigma-0.5 model, l_inf). Any other data set gets neutral text.
PAPER_FIGURES = {"cifar10": (1, 2, 3), "imagenet": (4, 5, 6)}
#: The data set of the paper's "approximately 20% certified accuracy under l2 = 1.0" (Section 4.2).
CLAIM_DATASET = "cifar10"
_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")


# --------------------------------------------------------------------------------------------
# typed result
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Acc:
    """Certified accuracy (fraction of all rows) at the printed radius (``mid``) and at the two ends of its
    rounding interval (``lo``, ``hi``)."""

    mid: float
    lo: float
    hi: float


@dataclass(frozen=True)
class SmallC:
    """C11 with a constant c below the paper's (1, 3), on the same rows (``accuracy`` at the report's l2 radii)."""

    c: float
    certified_rows: int
    rows_above_cohen: int
    example_idx: int | None
    accuracy: tuple[float, ...]


@dataclass(frozen=True)
class Consistency:
    """:func:`empirical.replay.log_consistency` against the checked (n, alpha)."""

    n: int
    alpha: float
    pA_lower_max: float
    radius_max: float
    radius_max_printed: str
    rows: int
    abstain: int
    correct: int
    largest_printed: str | None
    rows_at_largest: int
    rows_above_max: int
    implied_alpha_if_all_n: tuple[float, float] | None
    first_row_above_max: dict | None
    correct_but_abstain: int
    correct_mismatch: int
    n_needed_at_alpha: int | None = None


@dataclass(frozen=True)
class LogEntry:
    """Everything the report says about one log (numbers only; labels are computed, not typed in)."""

    file: str
    path: str
    sha256: str
    label: str
    dataset: str | None
    d: int
    d_source: str
    split: str | None
    train_sigma: float | None
    sigma: float
    sigma_source: str
    pattern: str | None
    rows: int
    certified_rows: int
    idx_first: int
    idx_last: int
    idx_step: int | None
    incomplete: bool
    consistency: Consistency
    identification: R.NAlphaIdentification
    precision: dict
    max_radius: dict          # column -> largest radius over the rows (certified-correct or not)
    acc_l2: dict              # column -> tuple[Acc] at ReplayResult.l2_radii
    acc_claim: dict           # column -> Acc at CLAIM_RADIUS
    acc_linf: dict            # column -> tuple[Acc] at ReplayResult.linf_radii_255 / 255
    median_linf_255: dict     # column -> median certified l_inf radius x 255 over certified-correct rows
    median_ratio_to_cohen: dict  # C11 column -> median C11 / Cohen over certified rows
    rows_c11_above_cohen: dict   # C11 column -> rows where C11 > Cohen
    small_c: tuple[SmallC, ...]
    min_one_minus_pA: float | None


@dataclass(frozen=True)
class Series:
    """One curve of a figure: ``counts[k]`` rows certified-correct at ``grid[k]`` (``counts_lo``/``_hi`` at the
    ends of the rounding interval); accuracy = counts / ``rows``."""

    log: int
    column: str
    rows: int
    counts: tuple[int, ...]
    counts_lo: tuple[int, ...]
    counts_hi: tuple[int, ...]


@dataclass(frozen=True)
class FigureData:
    key: str
    file: str
    title: str
    xlabel: str
    scale: float
    columns: tuple[str, ...]
    dotted: str | None
    grid: tuple[float, ...]
    series: tuple[Series, ...]


@dataclass(frozen=True)
class TableSpec:
    """Which logs (indices into ``ReplayResult.logs``) a table shows, and at how many of the radii."""

    logs: tuple[int, ...]
    n_radii: int


@dataclass(frozen=True)
class ReplayResult:
    """The whole replay: per-log entries, the table radii, the tables' selections and every sentence."""

    schema_version: int
    name: str
    command: str
    date: str
    seconds: float
    provenance: dict
    n_checked: int
    alpha_checked: float
    l2_radii: tuple[float, ...]
    linf_radii_255: tuple[float, ...]
    logs: tuple[LogEntry, ...]
    fig1: TableSpec
    fig2: TableSpec
    small_c: TableSpec
    by_sigma: TableSpec
    other: TableSpec
    linf: TableSpec
    text: dict               # sentence key -> sentence (all computed by compute_replay)
    figures: tuple[FigureData, ...]

    # ---------------- JSON ----------------
    def to_dict(self) -> dict:
        """``dataclasses.asdict`` made JSON-safe (inf/nan as strings, tuples as lists)."""
        return to_jsonable(dataclasses.asdict(self))

    def to_json(self, path) -> Path:
        """Write the result as JSON (the report's ``<name>.json``; lists of numbers on one line each); returns
        ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_compact_lists(json.dumps(self.to_dict(), indent=1, ensure_ascii=False)) + "\n")
        return path

    @classmethod
    def from_dict(cls, d: dict) -> ReplayResult:
        if d.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version: expected {SCHEMA_VERSION}, got {d.get('schema_version')!r}")
        return cls(
            schema_version=d["schema_version"], name=d["name"], command=d["command"], date=d["date"],
            seconds=_f(d["seconds"]), provenance=d["provenance"], n_checked=int(d["n_checked"]),
            alpha_checked=_f(d["alpha_checked"]), l2_radii=_tf(d["l2_radii"]),
            linf_radii_255=_tf(d["linf_radii_255"]), logs=tuple(_log_from(e) for e in d["logs"]),
            fig1=_spec(d["fig1"]), fig2=_spec(d["fig2"]), small_c=_spec(d["small_c"]),
            by_sigma=_spec(d["by_sigma"]), other=_spec(d["other"]),
            linf=_spec(d["linf"]), text=dict(d["text"]),
            figures=tuple(FigureData(f["key"], f["file"], f["title"], f["xlabel"], _f(f["scale"]),
                                     tuple(f["columns"]), f["dotted"], _tf(f["grid"]),
                                     tuple(Series(s["log"], s["column"], s["rows"], tuple(s["counts"]),
                                                  tuple(s["counts_lo"]), tuple(s["counts_hi"]))
                                           for s in f["series"])) for f in d["figures"]))

    @classmethod
    def from_json(cls, path) -> ReplayResult:
        """Read a result written by :meth:`to_json` (the report's ``.json``); a file that is not one is a
        ``ValueError`` naming it (theory.jsonio.load_result)."""
        return load_result(path, "a replay result", cls.from_dict)


_SCALAR = r'(?:-?[0-9.eE+-]+|null|true|false|"(?:nan|inf|-inf)")'
_SCALAR_LIST = re.compile(rf"\[\n\s*({_SCALAR}(?:,\n\s*{_SCALAR})*)\n\s*\]")


def _compact_lists(text: str) -> str:
    """Put every list of plain numbers on one line (the figure curves would otherwise take a line per value)."""
    return _SCALAR_LIST.sub(lambda m: "[" + re.sub(r",\n\s*", ", ", m.group(1)) + "]", text)


def _f(x) -> float:
    return float(x)  # float("inf") / float("nan") read back the strings to_jsonable wrote


def _tf(xs) -> tuple[float, ...]:
    return tuple(float(x) for x in xs)


def _acc(a) -> Acc:
    return Acc(_f(a["mid"]), _f(a["lo"]), _f(a["hi"]))


def _spec(d) -> TableSpec:
    return TableSpec(tuple(d["logs"]), int(d["n_radii"]))


def _log_from(e: dict) -> LogEntry:
    c = dict(e["consistency"])
    if c["implied_alpha_if_all_n"] is not None:
        c["implied_alpha_if_all_n"] = tuple(_f(x) for x in c["implied_alpha_if_all_n"])
    for k in ("alpha", "pA_lower_max", "radius_max"):
        c[k] = _f(c[k])
    i = e["identification"]
    ident = R.NAlphaIdentification(i["top_printed"], i["rows_at_top"],
                                   tuple(R.NAlphaMatch(m["n"], _f(m["alpha"]), tuple(m["printed"]),
                                                       tuple(m["rows_at_level"])) for m in i["matches"]),
                                   tuple(i["grid_n"]), _tf(i["grid_alpha"]))
    return LogEntry(
        file=e["file"], path=e["path"], sha256=e["sha256"], label=e["label"], dataset=e["dataset"], d=e["d"],
        d_source=e["d_source"], split=e["split"],
        train_sigma=None if e["train_sigma"] is None else _f(e["train_sigma"]), sigma=_f(e["sigma"]),
        sigma_source=e["sigma_source"], pattern=e["pattern"], rows=e["rows"], certified_rows=e["certified_rows"],
        idx_first=e["idx_first"], idx_last=e["idx_last"], idx_step=e["idx_step"], incomplete=e["incomplete"],
        consistency=Consistency(**c), identification=ident,
        precision={k: (_f(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "rows"
                       else (v if not isinstance(v, str) or v not in ("nan", "inf", "-inf") else _f(v)))
                   for k, v in e["precision"].items()},
        max_radius={k: _f(v) for k, v in e["max_radius"].items()},
        acc_l2={k: tuple(_acc(a) for a in v) for k, v in e["acc_l2"].items()},
        acc_claim={k: _acc(v) for k, v in e["acc_claim"].items()},
        acc_linf={k: tuple(_acc(a) for a in v) for k, v in e["acc_linf"].items()},
        median_linf_255={k: _f(v) for k, v in e["median_linf_255"].items()},
        median_ratio_to_cohen={k: _f(v) for k, v in e["median_ratio_to_cohen"].items()},
        rows_c11_above_cohen=dict(e["rows_c11_above_cohen"]),
        small_c=tuple(SmallC(_f(s["c"]), s["certified_rows"], s["rows_above_cohen"], s["example_idx"],
                             _tf(s["accuracy"])) for s in e["small_c"]),
        min_one_minus_pA=None if e["min_one_minus_pA"] is None else _f(e["min_one_minus_pA"]))


# --------------------------------------------------------------------------------------------
# computing
# --------------------------------------------------------------------------------------------
def _acc_at(rep: R.LogReplay, col: str, radii) -> tuple[Acc, ...]:
    mid, lo, hi = (rep.certified_accuracy(col, radii, w) for w in ("mid", "lo", "hi"))
    return tuple(Acc(float(a), float(b), float(c)) for a, b, c in zip(mid, lo, hi, strict=True))


def _counts(radii, ok, grid) -> tuple[int, ...]:
    r = np.sort(np.asarray(radii, dtype=float)[ok])
    return tuple(int(r.size - np.searchsorted(r, g, side="left")) for g in grid)


def _pct(a: float) -> str:
    return f"{100 * a:.1f}"


def _label(spec: R.LogSpec, several_datasets: bool, several_splits: bool = False, file: str | None = None) -> str:
    base = (f"train σ={spec.train_sigma:g}, mech. σ={spec.sigma:g}" if spec.train_sigma is not None
            else f"{file or Path(spec.path).name} (σ={spec.sigma:g})")
    if spec.split and several_splits:
        base += f", {spec.split}"
    return (f"{spec.dataset or 'd=' + str(spec.d)}: " + base) if several_datasets else base


def _display_names(paths) -> list[str]:
    """File names, or paths relative to the logs' common folder when names repeat (``noise_T/test/sigma_S``)."""
    names = [Path(p).name for p in paths]
    if len(set(names)) == len(names):
        return names
    root = os.path.commonpath([str(Path(p).resolve().parent) for p in paths])
    return [os.path.relpath(Path(p).resolve(), root) for p in paths]


def _near(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) < 1e-9


def _idx_step(idx: np.ndarray) -> int | None:
    if idx.size < 2:
        return None
    diff = np.unique(np.diff(idx))
    return int(diff[0]) if diff.size == 1 and diff[0] > 0 else None


def check_name(name: str) -> str:
    """A report stem that stays inside ``--out``: letters, digits, '.', '_', '+', '-' (no '/', no '..', no
    leading '.'); ``ValueError`` naming the parameter otherwise.

    >>> check_name("replay_imagenet")
    'replay_imagenet'
    """
    if not isinstance(name, str) or not _STEM.fullmatch(name) or ".." in name:
        raise ValueError(f"name: the report's file stem must be letters, digits, '.', '_', '+' or '-' (no '/' or "
                         f"'..', not starting with '.'), so that its files stay inside --out; got {name!r}")
    return name


def compute_replay(paths=(), *, manifest=None, sigma: float | None = None, d: int | None = None,
                   dataset: str | None = None, n: int = 100_000, alpha: float = 0.001, name: str | None = None,
                   command: str | None = None, progress: bool = True) -> ReplayResult:
    """Replay every log and compute the report's numbers and sentences (writes nothing, prints nothing).

    paths: log files or folders (searched recursively, :func:`empirical.replay.find_logs`); manifest: a
    JSON/TOML/CSV manifest (:func:`empirical.replay.read_manifest`); sigma, d, dataset: see
    :func:`empirical.replay.resolve_logs`.  n, alpha: the sampling parameters the logs are checked against
    (Section 1; Cohen et al.'s published protocol by default); independently, :func:`empirical.replay.
    identify_n_alpha` says which (n, alpha) of a small grid printed each log's top radii.
    name: report stem (default ``replay_<folder of the first log>``).

    The steps, in order: replay each log (:func:`_replay_logs`), one :class:`LogEntry` per log
    (:func:`_log_entry`), the paper's setting of these logs (:class:`_Paper`), the report's sentences section by
    section (:func:`_fig1_text`, :func:`_fig2_text`, :func:`_claim_text`, :func:`_summary_text`) and the figures'
    data (:func:`_figure_data`).
    """
    t0 = _time.perf_counter()
    n = V.count("n", n, minimum=1)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    if name is not None:
        check_name(name)
    specs = R.resolve_logs(paths, manifest=manifest, sigma=sigma, d=d, dataset=dataset)
    logs, reps = _replay_logs(specs, progress)
    if name is None:
        name = _default_name(specs)
    files = _display_names([s.path for s in specs])
    labels = _unique_labels(specs, files)
    # incomplete: fewer rows than the longest log of the same data set, d and split (a train-split log of
    # another length says nothing about the test logs)
    longest: dict = {}
    for s, lg in zip(specs, logs, strict=True):
        longest[(s.dataset, s.d, s.split)] = max(longest.get((s.dataset, s.d, s.split), 0), lg.n_rows)

    max_l2 = max((float(np.max(rp.radii[c])) for rp in reps for c in L2_COLS + OTHER_L2_COLS), default=0.0)
    l2_radii = R.l2_grid(max_l2)
    max_linf = max((float(np.max(rp.radii[c])) for rp in reps for c in LINF_COLS), default=0.0)
    linf_radii = R.linf_grid_255(max_linf)
    small_max = max((float(np.max(R.small_c_radii(rp, c))) for rp in reps for c in R.SMALL_C), default=0.0)

    entries = tuple(_log_entry(s, lg, rp, lab, file, n=n, alpha=alpha, l2_radii=l2_radii, linf_radii=linf_radii,
                               longest=longest[(s.dataset, s.d, s.split)])
                    for s, lg, rp, lab, file in zip(specs, logs, reps, labels, files, strict=True))
    order = sorted(range(len(entries)), key=lambda i: (entries[i].dataset or "", entries[i].sigma,
                                                       entries[i].train_sigma or 0.0))

    def ncols(idx, cols) -> int:
        m = max((entries[i].max_radius[c] for i in idx for c in cols), default=0.0)
        return max(1, sum(1 for x in l2_radii if x <= m + 1e-12))

    paper = _Paper.of(entries)
    text: dict[str, str] = {}
    fig1 = _fig1_text(entries, order, paper, l2_radii, text)
    fig2 = _fig2_text(entries, order, paper, text)
    p55 = _claim_text(entries, order, paper, text)
    _summary_text(entries, specs, order, paper, text, n=n, alpha=alpha)
    dims = sorted({e.d for e in entries})
    text["closing"] = "\n".join(_closing(entries, order, p55 if paper.claim20 else [], n, alpha, dims, l2_radii,
                                          linf_radii, claim20=paper.claim20,
                                          longest={i: longest[(e.dataset, e.d, e.split)]
                                                   for i, e in enumerate(entries)}))
    figures = _figure_data(name, entries, logs, reps, order, fig1, fig2, paper, text)
    return ReplayResult(
        schema_version=SCHEMA_VERSION, name=name, command=command or "python -m empirical replay ...",
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), seconds=_time.perf_counter() - t0,
        provenance=W.provenance_dict(command or "python -m empirical replay ..."), n_checked=n, alpha_checked=alpha,
        l2_radii=tuple(float(x) for x in l2_radii), linf_radii_255=tuple(float(x) for x in linf_radii),
        logs=entries,
        fig1=TableSpec(tuple(fig1), ncols(fig1, L2_COLS)), fig2=TableSpec(tuple(fig2), ncols(fig2, L2_COLS)),
        small_c=TableSpec(tuple(order), max(1, sum(1 for x in l2_radii if x <= small_max + 1e-12))),
        by_sigma=TableSpec(tuple(order), ncols(order, L2_COLS)),
        other=TableSpec(tuple(order), ncols(order, OTHER_L2_COLS)),
        linf=TableSpec(tuple(order), len(linf_radii)), text=text, figures=figures)


def _replay_logs(specs, progress: bool) -> tuple[list, list]:
    """Read each log and recompute its certificates (:func:`empirical.replay.replay_log`), with a progress bar."""
    logs = [R.read_cohen_log(s.path) for s in specs]
    reps = []
    for s, lg in zip(specs, logs, strict=True):
        bar = (lambda it, _n=lg.name: progress_bar(it, desc=f"replay {_n}", enabled=True)) if progress else None
        reps.append(R.replay_log(lg, s.sigma, s.d, progress=bar))
    return logs, reps


def _default_name(specs) -> str:
    """``replay_<data set folder>`` for ``noise_T/SPLIT/sigma_S`` trees, else ``replay_<data set or folder>``."""
    first = Path(specs[0].path)
    folder = next((p.name for p in first.parents if R.dataset_from_path(p.name)), None) if \
        specs[0].pattern == "noise_T/SPLIT/sigma_S" else None
    return "replay_" + re.sub(r"[^A-Za-z0-9._+-]", "_", folder or specs[0].dataset or first.parent.name or "logs")


def _unique_labels(specs, files: list[str]) -> list[str]:
    """Each log's label (:func:`_label`); a label that repeats gets its path appended."""
    several = len({(s.dataset, s.d) for s in specs}) > 1
    several_splits = len({s.split for s in specs}) > 1
    labels = [_label(s, several, several_splits, f) for s, f in zip(specs, files, strict=True)]
    for i, lab in enumerate(labels):
        if labels.count(lab) > 1:
            labels[i] = f"{lab} [{specs[i].path}]"
    return labels


def _log_entry(s: R.LogSpec, lg, rp: R.LogReplay, lab: str, file: str, *, n: int, alpha: float, l2_radii,
               linf_radii, longest: int) -> LogEntry:
    """One log's numbers: consistency with (n, alpha), identification, accuracies on the table grids."""
    all_cols = L2_COLS + OTHER_L2_COLS
    ck = R.log_consistency(lg, s.sigma, n, alpha)
    ck.setdefault("n_needed_at_alpha", None)
    act = (~lg.abstain) & (rp.radii["radius_cohen"] > 0)
    small = R._small_c(rp, l2_radii)
    om = rp.one_minus_pA[np.isfinite(rp.one_minus_pA)]
    return LogEntry(
        file=file, path=str(lg.path), sha256=R.sha256_file(lg.path), label=lab, dataset=s.dataset, d=s.d,
        d_source=s.d_source, split=s.split, train_sigma=s.train_sigma, sigma=s.sigma,
        sigma_source=s.sigma_source, pattern=s.pattern, rows=lg.n_rows, certified_rows=int(act.sum()),
        idx_first=int(lg.idx[0]), idx_last=int(lg.idx[-1]), idx_step=_idx_step(lg.idx),
        incomplete=lg.n_rows < longest,
        consistency=Consistency(**ck), identification=R.identify_n_alpha(lg, s.sigma),
        precision=R.precision_summary(rp),
        max_radius={c: float(np.max(rp.radii[c])) for c in rp.columns},
        acc_l2={c: _acc_at(rp, c, l2_radii) for c in all_cols},
        acc_claim={c: _acc_at(rp, c, np.array([CLAIM_RADIUS]))[0] for c in all_cols},
        acc_linf={c: _acc_at(rp, c, np.array(linf_radii) / 255) for c in LINF_COLS},
        median_linf_255={c: 255 * R.median_certified_radius(rp.radii[c], lg.correct, lg.predict)
                         for c in LINF_COLS},
        median_ratio_to_cohen={c: float(np.median(rp.radii[c][act] / rp.radii["radius_cohen"][act]))
                               if act.any() else float("nan") for c in ("radius_c11_c1", "radius_c11_c3")},
        rows_c11_above_cohen={c: int(np.sum(rp.radii[c] > rp.radii["radius_cohen"] * (1 + 1e-12)))
                              for c in ("radius_c11_c1", "radius_c11_c3")},
        small_c=tuple(SmallC(float(c), v["certified_rows"], v["rows_above_cohen"], v["example_idx"],
                             v["certified_accuracy_l2"]) for c, v in small.items()),
        min_one_minus_pA=float(np.min(om)) if om.size else None)


@dataclass(frozen=True)
class _Paper:
    """The paper's data set when every log is of one of them (else ``None``), its figure numbers (Figures 1-3 or
    4-6) and whether the ~20 % claim applies: the paper's text, figure numbers and claims appear only then."""

    dataset: str | None
    f1: int | None
    f2: int | None
    f3: int | None
    claim20: bool

    @classmethod
    def of(cls, entries) -> _Paper:
        datasets = {e.dataset for e in entries}
        ds = next(iter(datasets)) if len(datasets) == 1 and next(iter(datasets)) in PAPER_FIGURES else None
        f1, f2, f3 = PAPER_FIGURES[ds] if ds is not None else (None, None, None)
        return cls(ds, f1, f2, f3, ds == CLAIM_DATASET)


def _fig1_text(entries, order, paper: _Paper, l2_radii, text: dict[str, str]) -> list[int]:
    """Section 3: fixed mechanism sigma, training sigma varies (paper Figure 1/4: sigma 0.5, training 0.25/0.5/1).

    Returns the logs of the table; writes ``fig1_title``, ``fig1_none`` and ``fig1_best`` into ``text``."""
    paper_ds, f1 = paper.dataset, paper.f1
    fig1 = [i for i in order if paper_ds and _near(entries[i].sigma, PAPER_FIG1_SIGMA)
            and any(_near(entries[i].train_sigma, t) for t in PAPER_FIG1_TRAIN)]
    fig1 = sorted(fig1, key=lambda i: (entries[i].train_sigma or 0.0, entries[i].sigma))
    if fig1:
        text["fig1_title"] = (f"Paper Figure {f1} setting: mechanism σ = 0.5, training σ ∈ {{"
                              + ", ".join(f"{t:g}" if t != 1 else "1.0" for t in PAPER_FIG1_TRAIN) + "}")
    else:
        groups: dict = {}
        for i in order:
            if entries[i].train_sigma is not None:
                groups.setdefault((entries[i].dataset, entries[i].sigma), []).append(i)
        groups = {k: v for k, v in groups.items() if len({entries[i].train_sigma for i in v}) > 1}
        if groups:
            key = max(groups, key=lambda k: len(groups[k]))
            fig1 = sorted(groups[key], key=lambda i: entries[i].train_sigma or 0.0)
            text["fig1_title"] = f"Fixed mechanism σ = {key[1]:g}, training σ varies" + (
                f" (the paper's Figure {f1} setting is mechanism σ = 0.5, training σ ∈ {{0.25, 0.5, 1.0}}; not in "
                "these logs)" if paper_ds else "")
        else:
            text["fig1_title"] = "Fixed mechanism σ, training σ varies" + (
                f" (paper Figure {f1} setting)" if paper_ds else "")
            text["fig1_none"] = ("No two logs share a mechanism σ with different (known) training σ, so "
                                 + (f"the paper's Figure {f1} comparison" if paper_ds else "this comparison")
                                 + " cannot be made from these logs.")
    if len(fig1) > 1:
        best = max(fig1, key=lambda i: entries[i].acc_l2["radius_c11_c1"][min(2, len(l2_radii) - 1)].mid)
        rb = l2_radii[min(2, len(l2_radii) - 1)]
        text["fig1_best"] = (f"Certified accuracy (%) at each ℓ2 radius. Best training σ at R = {rb:g} under C11 "
                             f"c=1: {entries[best].train_sigma:g}"
                             + (" (the paper: 'using σ = 0.50 … to train the classifier is a good setting')."
                                if paper_ds else "."))
    elif fig1:
        text["fig1_best"] = "Certified accuracy (%) at each ℓ2 radius (one training σ only: no comparison)."
    return fig1


def _fig2_text(entries, order, paper: _Paper, text: dict[str, str]) -> list[int]:
    """Section 4: one model, mechanism sigma varies (paper Figure 2: training sigma 0.5); the closest substitute
    when no model is certified at several sigma.  Returns the logs of the table; writes ``fig2_title`` and
    ``fig2_intro`` into ``text``."""
    paper_ds, f2 = paper.dataset, paper.f2
    by_train: dict = {}
    for i in order:
        if entries[i].train_sigma is not None:
            by_train.setdefault((entries[i].dataset, entries[i].train_sigma), []).append(i)
    multi = {k: v for k, v in by_train.items() if len({entries[i].sigma for i in v}) > 1}
    diag = [i for i in order if _near(entries[i].train_sigma, entries[i].sigma)]
    p2 = [i for i in order if paper_ds and _near(entries[i].train_sigma, PAPER_FIG2_TRAIN)]
    text["fig2_title"] = (f"Paper Figure {f2} setting: one model, vary mechanism σ" if paper_ds
                          else "One model, vary mechanism σ")
    fig_word = f"the paper's Figure {f2}" if paper_ds else "this"
    if multi:
        fig2 = sorted({*p2, *(i for v in multi.values() for i in v)},
                      key=lambda i: (entries[i].dataset or "", entries[i].train_sigma or 0.0, entries[i].sigma))
        models = "; ".join(f"training σ = {k[1]:g} at σ ∈ {{" + ", ".join(f"{entries[i].sigma:g}" for i in v) + "}"
                           for k, v in sorted(multi.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])))
        held = (f"The logs hold {len(multi)} model{'s' if len(multi) > 1 else ''} certified at several mechanism "
                f"σ ({models})" + (f": the paper's Figure {f2} setting (mechanism σ varied on one model)"
                                    if paper_ds else ""))
        held += ("." if not paper_ds or any(_near(k[1], PAPER_FIG2_TRAIN) for k in multi) else
                 (", though not on the paper's training-σ = 0.5 model, which is certified with σ = "
                  + ", ".join(f"{x:g}" for x in sorted({entries[i].sigma for i in p2})) + " only." if p2 else "."))
        text["fig2_intro"] = held + " The table shows each such model at every mechanism σ" + (
            ", and the training-σ = 0.5 model." if p2 and not any(_near(k[1], PAPER_FIG2_TRAIN) for k in multi)
            else ".")
        return fig2
    fig2 = sorted({*p2, *diag}, key=lambda i: (entries[i].sigma, entries[i].train_sigma or 0.0)) or list(order)
    p2_sigmas = ", ".join(f"{x:g}" for x in sorted({entries[i].sigma for i in p2}))
    held = ("The logs hold the training-σ = 0.5 model certified with σ = "
            + p2_sigmas + f" only, so the paper's Figure {f2} (mechanism σ "
            "varied on that model) can be reproduced at σ = " + p2_sigmas
            + " alone." if p2 else "No log holds one model certified at several mechanism σ, so "
            + fig_word + " comparison (mechanism σ varied on one model) cannot be made from these logs.")
    if diag:
        others = [entries[i].sigma for i in diag if i not in p2]
        sub = (" As the closest substitute, the table adds the models certified with their own training σ ("
               + ", ".join(f"{x:g}" for x in others) + "): mechanism σ varies, but so does the model."
               if p2 else " As the closest substitute, the table shows the models certified with their own "
               "training σ (" + ", ".join(f"{entries[i].sigma:g}" for i in diag) + "): mechanism σ varies, "
               "but so does the model.")
    else:
        sub = " The table shows every log, ordered by mechanism σ."
    text["fig2_intro"] = held + sub
    return fig2


def _claim_text(entries, order, paper: _Paper, text: dict[str, str]) -> list[int]:
    """Section 5: the paper's ~20 % at l2 = 1.0.  Returns the paper's training-sigma-0.5 model at mechanism sigma
    0.5 (test split first); writes ``claim_title`` and ``claim`` into ``text``."""
    c1 = {i: entries[i].acc_claim["radius_c11_c1"].mid for i in order}
    c3 = {i: entries[i].acc_claim["radius_c11_c3"].mid for i in order}
    b1, b3 = max(order, key=lambda i: c1[i]), max(order, key=lambda i: c3[i])
    p55 = sorted((i for i in order if paper.dataset and _near(entries[i].train_sigma, 0.5)
                  and _near(entries[i].sigma, 0.5)),
                 key=lambda i: entries[i].split not in (None, "test"))
    text["claim_title"] = (f"\"Approximately 20% certified accuracy under ℓ2 = {CLAIM_RADIUS}\" (Section 4.2)"
                           if paper.claim20 else f"Certified accuracy at ℓ2 = {CLAIM_RADIUS}")
    text["claim"] = (f"Best C11 certified accuracy at ℓ2 = {CLAIM_RADIUS}: c = 1: {_pct(c1[b1])}% "
                     f"({entries[b1].label}); c = 3: {_pct(c3[b3])}% ({entries[b3].label}).")
    if p55:
        text["claim"] += (f" In the paper's own settings (training σ = 0.5, mechanism σ = 0.5, Figures "
                          f"{paper.f1}–{paper.f2}): "
                          + "; ".join((f"{entries[i].label}: " if len(p55) > 1 else "") + ", ".join(
                              f"c = {c}: {_pct(entries[i].acc_claim[col].mid)}%"
                              for c, col in ((1, "radius_c11_c1"), (3, "radius_c11_c3"))) for i in p55) + ".")
    return p55


def _summary_text(entries, specs, order, paper: _Paper, text: dict[str, str], *, n: int, alpha: float) -> None:
    """Sections 1, 2 and 6 and the headers: C11 vs Cohen, implied (n, alpha), precision, identification, the
    l_inf title and why T13 cannot be replayed."""
    om = [e.min_one_minus_pA for e in entries if e.min_one_minus_pA is not None]
    n_above = sum(e.rows_c11_above_cohen[c] for e in entries for c in ("radius_c11_c1", "radius_c11_c3"))
    n_small = sum(s.rows_above_cohen for e in entries for s in e.small_c)
    text["c11_vs_cohen"] = (
        f"At the probabilities these models produce (1 − p̲A ≥ {min(om) if om else float('nan'):.2g}), C11 with "
        f"c ∈ {{1, 3}} exceeds the tight radius on {n_above} rows, and with c ∈ {{{', '.join(map(str, R.SMALL_C))}}} "
        f"on {n_small} (row, c) pairs: the paper's 'a smaller c yields a larger r compared to Cohen et al.' "
        "is true only where the larger radius is not a valid certificate.")
    bad = [e for e in entries if e.consistency.rows_above_max > 0]
    text["implied"] = _implied_text(bad, n, alpha)
    text["precision"] = _precision_text(entries)
    text["identification"] = _identification_text(entries)
    text["header_logs"] = _header_text(entries, specs)
    dims = sorted({e.d for e in entries})
    text["linf_title"] = (f"ℓ∞ radii from the same probabilities (d = {dims[0]}): T18 and the ℓ2 → ℓ∞ conversion"
                          if len(dims) == 1 else "ℓ∞ radii from the same probabilities (d per log: "
                          + ", ".join(f"{e.label}: {e.d}" for e in entries) + "): T18 and the ℓ2 → ℓ∞ conversion")
    exp = sorted({e.dataset for e in entries if e.dataset in ("cifar10", "mnist", "digits")})
    own = (", ".join(f"`python -m empirical experiment {x}`" for x in exp) if exp
           else "`python -m empirical experiment cifar10` / `mnist`")
    f3 = paper.f3
    text["t13"] = ("The exponential mechanism (T13, D∞) cannot be replayed from these logs: they hold probabilities "
                   "of Gaussian-smoothed classifiers, while T13's radius needs p̲A under eq.-6 noise. "
                   + (f"The paper's Figure {f3} comparison is therefore made on our own models ({own})."
                      if paper.dataset and exp else
                      f"The paper's Figure {f3} comparison cannot be made from these logs; our own models make the "
                      f"exponential-vs-Gaussian comparison on smaller data sets ({own})." if paper.dataset else
                      f"Our own models make the exponential-vs-Gaussian ℓ∞ comparison ({own})."))


def _figure_data(name: str, entries, logs, reps, order, fig1, fig2, paper: _Paper,
                 text: dict[str, str]) -> tuple[FigureData, ...]:
    """The figures' data: counts of certified-correct rows on a grid chosen from the data (training sigma
    varied, mechanism sigma varied, l_inf); writes ``fig1_alt`` and ``fig2_alt`` into ``text``."""
    paper_ds, f1, f2 = paper.dataset, paper.f1, paper.f2
    figures = []
    figures_spec: list[tuple[str, list[int], tuple[str, ...], str | None, float, str, str]] = []
    text["fig1_alt"] = f"Figure {f1} setting" if paper_ds else "training σ varied"
    text["fig2_alt"] = f"Figure {f2} setting" if paper_ds else "mechanism σ varied"
    if fig1:
        figures_spec.append(("fig1", fig1, ("radius_c11_c1", "radius_c11_c3"), "radius_cohen", 1.0,
                             text["fig1_title"].split(" (")[0] + " (dotted: Cohen's tight radius, same rows)",
                             "ℓ2 radius"))
    if fig2:
        figures_spec.append(("fig2", fig2, ("radius_c11_c1", "radius_c11_c3"), "radius_cohen", 1.0,
                             "Mechanism σ varied as far as the logs allow (dotted: Cohen's tight radius, same rows)",
                             "ℓ2 radius"))
    lsel = [i for i in order if _near(entries[i].sigma, PAPER_FIG1_SIGMA)] or list(order)
    if entries:
        figures_spec.append(("linf", lsel, LINF_COLS, None, 255.0,
                             text["linf_title"].split(":")[0].replace("ℓ∞ radii from the same probabilities",
                                                                       "ℓ∞ certified accuracy")
                             + " (x axis in units of 1/255)", "ℓ∞ radius × 255"))
    for key, idx, cols, dotted, scale, title, xlabel in figures_spec:
        allc = cols + ((dotted,) if dotted else ())
        top = max((entries[i].max_radius[c] for i in idx for c in allc), default=0.0)
        top = top * 1.05 if top > 0 else 1.0
        grid = np.linspace(0.0, top, FIGURE_POINTS)
        series = []
        for i in idx:
            rp, lg = reps[i], logs[i]
            ok = (lg.correct == 1) & ~lg.abstain
            for c in allc:
                series.append(Series(i, c, lg.n_rows, _counts(rp.radii[c], ok, grid), _counts(rp.radii_lo[c], ok, grid),
                                     _counts(rp.radii_hi[c], ok, grid)))
        stem = {"fig1": f"fig{f1}_l2" if paper_ds else "train_sigma_l2",
                "fig2": f"fig{f2}_l2" if paper_ds else "mech_sigma_l2", "linf": "linf"}[key]
        figures.append(FigureData(key, f"{name}_{stem}.png", title, xlabel, scale,
                                  cols, dotted, tuple(float(g) for g in grid), tuple(series)))
    return tuple(figures)


def run_replay(paths=(), *, out=None, json_path=None, figures: bool = True, **kw) -> dict:
    """:func:`compute_replay`, then (with ``out``) :func:`empirical.replay_report.write_replay_report`.

    Returns the result as a JSON-safe dict (``"report"``: the Markdown path when written)."""
    res = compute_replay(paths, **kw)
    d = res.to_dict()
    if out is not None:
        d["report"] = str(W.write_replay_report(res, out, json_path=json_path, figures=figures))
    return d


# --------------------------------------------------------------------------------------------
# sentences
# --------------------------------------------------------------------------------------------
def _implied_text(bad, n: int, alpha: float) -> str:
    """The implied level and the draws needed, computed from the consistency checks of the logs ``bad``."""
    ia = [e.consistency.implied_alpha_if_all_n for e in bad if e.consistency.implied_alpha_if_all_n]
    nn = [e.consistency.n_needed_at_alpha for e in bad if e.consistency.n_needed_at_alpha]
    parts = []
    if ia:
        lo, hi = min(a for a, _ in ia), max(b for _, b in ia)
        parts.append(f"the implied level α' if all n = {n:,} draws agreed is {lo:.2g}–{hi:.2g}")
    if nn:
        parts.append(f"at α = {alpha} the largest printed radius needs n ≥ {max(nn):,} draws")
    return "; ".join(parts) or "the implied level cannot be computed"


def _precision_text(entries) -> str:
    """The precision sentence, from the measured relative half-widths of every recomputed radius column."""
    worst = [(e.precision["rel_halfwidth_max"], e.precision["rel_halfwidth_max_column"], e.file,
              len(e.precision["columns"])) for e in entries if e.precision.get("rows", 0)]
    if not worst:
        return "No certified rows: nothing to measure."
    w, col, f, k = max(worst, key=lambda t: (not np.isfinite(t[0]), t[0]))
    bound = next((b for b in (0.001, 0.01, 0.1) if w < b), None)
    head = (f"The relative error of every recomputed radius ({k} columns, all logs) is below {100 * bound:g}%"
            if bound is not None else f"The relative error of the recomputed radii reaches {100 * w:.3g}%")
    return (head + f" (largest: {100 * w:.3f}%, {R.COLUMN_LABELS.get(col, col)} in `{f}`; every radius is a smooth "
            "function of p̲A = Φ(R/S), so it inherits the relative precision of the printed R).")


def _fmt_alpha(a: float) -> str:
    return f"{a:g}"


def _identification_text(entries) -> str:
    """Which (n, alpha) the top radii identify, per log, as one paragraph."""
    ident = [e for e in entries if e.identification.identified is not None]
    amb = [e for e in entries if len(e.identification.matches) > 1]
    none = [e for e in entries if not e.identification.matches]
    g = entries[0].identification if entries else None
    grid = ("" if g is None else f"n ∈ {{{', '.join(f'{x:,}' for x in g.grid_n)}}}, α ∈ {{"
            + ", ".join(_fmt_alpha(a) for a in g.grid_alpha) + "}")
    parts = []
    by: dict = {}
    for e in ident:
        m = e.identification.identified
        by.setdefault((m.n, m.alpha), []).append(e)
    for (nn, a), es in sorted(by.items()):
        parts.append(f"n = {nn:,}, α = {_fmt_alpha(a)} for " + ", ".join(f"`{e.file}`" for e in es))
    out = (f"Searching {grid}: the top printed radii identify " + "; ".join(parts) + "."
           if parts else f"Searching {grid}: no log's top radii identify a single (n, α).")
    if amb:
        out += " Several pairs match " + "; ".join(
            f"`{e.file}` (" + ", ".join(f"n = {m.n:,}, α = {_fmt_alpha(m.alpha)}" for m in e.identification.matches)
            + ")" for e in amb) + "."
    if none:
        out += (" Not identifiable (no row at n_A = n for any searched pair, or radii between the levels): "
                + ", ".join(f"`{e.file}`" for e in none) + ".")
    return out


def _ordinal(k: int) -> str:
    """20 -> '20th', 2 -> '2nd', 11 -> '11th'."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _header_text(entries, specs) -> str:
    """The '* logs:' line: what the input is, computed from the logs and their names."""
    k = len(entries)
    ds = sorted({(e.dataset or "unnamed data set", e.d, e.d_source) for e in entries})
    dtxt = "; ".join(f"{a} (d = {b}, from {c})" for a, b, c in ds)
    groups: dict = {}  # complete logs by split and idx range: each range is said with the logs it covers
    for e in entries:
        if not e.incomplete:
            groups.setdefault((e.split or "", e.idx_first, e.idx_last, e.idx_step, e.rows), []).append(e)
    itxt = []
    for (split, first, last, step, rows), es in sorted(groups.items()):
        notes = [f"every {_ordinal(step)} example" if step and step > 1 else "consecutive examples" if step
                 else f"{rows} rows"]
        if len(groups) > 1:  # several ranges: say which logs each covers
            notes.append(f"{len(es)} logs" if len(es) > 1 else f"`{es[0].file}`")
        itxt.append((f"{split} split: " if split and len(groups) > 1 else "") + f"idx {first}–{last}"
                    + (f" in steps of {step}" if step else ", irregular") + f" ({'; '.join(notes)})")
    src = sorted({e.sigma_source for e in entries})
    pats = sorted({e.pattern for e in entries if e.pattern})
    splits = sorted({e.split for e in entries if e.split})
    return (f"{k} log{'s' if k != 1 else ''} in Cohen et al.'s format; data set: {dtxt}; "
            + ("; ".join(itxt) or "rows: see the table")
            + (f"; split: {', '.join(splits)}" if splits else "")
            + f"; σ from: {', '.join(src)}" + (f" (name pattern: {', '.join(pats)})" if pats else "") + ".")


def _closing(entries, order, p55, n, alpha, dims, l2_radii, linf_radii, *, claim20: bool = True,
             longest: dict | None = None) -> list[str]:
    """The closing bullets.  ``claim20``: the logs are the paper's CIFAR-10 ones, so the paper's '≈20% at
    ℓ2 = 1.0' is checked (``p55``: its training-σ = 0.5 model at σ = 0.5); ``longest[i]``: the row count of the
    longest log of log i's data set and split (what 'incomplete' is judged against)."""
    out = []
    if p55:
        e = entries[p55[0]]
        a1, a3, ac = (e.acc_claim[c].mid for c in ("radius_c11_c1", "radius_c11_c3", "radius_cohen"))
        out.append(f"* **'≈20% certified accuracy at ℓ2 = 1.0'**: on the training-σ = 0.5 model with mechanism "
                   f"σ = 0.5, C11 certifies {_pct(a1)}% (c = 1) and {_pct(a3)}% (c = 3); Cohen's tight radius "
                   f"{_pct(ac)}%.")
    acc1 = {entries[i].label: entries[i].acc_claim["radius_c11_c1"].mid for i in order}
    acc3 = {entries[i].label: entries[i].acc_claim["radius_c11_c3"].mid for i in order}
    near = [k for k, v in acc1.items() if 0.15 <= v <= 0.25]
    om = [e.min_one_minus_pA for e in entries if e.min_one_minus_pA is not None]
    cap = ""
    if om:
        # C11 is linear in sigma: the largest C11 c=3 radius per unit sigma at the smallest 1 - pA of any row
        per_sigma = cert_radius("c11", one_minus_pA=min(om), sigma=1.0, c=3.0)
        sig_list = sorted({e.sigma for e in entries})
        at = ", ".join(f"{per_sigma * s:.2f} at σ = {s:g}" for s in sig_list)
        cap = (f" With c = 3 (the paper's recommended value) the largest C11 radius any row reaches is "
               f"σ·√2·logit(p̲A_max)/8 with p̲A_max the largest recovered p̲A (1 − p̲A = {min(om):.2g}): {at}; "
               f"so ℓ2 = 1.0 needs σ ≥ {1.0 / per_sigma:.2g} under c = 3.")
    if claim20:
        out.append(("  " if p55 else "* ") + f"Across all logs, C11 c = 1 reaches 15–25% at ℓ2 = 1.0 for: "
                   f"{', '.join(near) or 'none'}; the best C11 c = 3 value is {_pct(max(acc3.values()))}%." + cap)
    else:
        b1, b3 = max(acc1, key=lambda k: acc1[k]), max(acc3, key=lambda k: acc3[k])
        out.append(f"* **ℓ2 = 1.0**: the best C11 certified accuracy over all logs is {_pct(acc1[b1])}% with c = 1 "
                   f"({b1}) and {_pct(acc3[b3])}% with c = 3 ({b3})." + cap)
    if p55:
        e = entries[p55[0]]
        k1 = next((j for j, x in enumerate(l2_radii) if abs(x - 1.0) < 1e-12), None)
        if k1 is not None:
            out.append("  With a smaller c the paper's number appears on that model: C11 at ℓ2 = 1.0 certifies "
                       + ", ".join(f"{_pct(s.accuracy[k1])}% with c = {s.c:g} ({s.rows_above_cohen} of "
                                   f"{s.certified_rows} rows then exceed the tight radius, i.e. are unsound)"
                                   for s in e.small_c) + ".")
    ratios = {}
    for c in ("radius_c11_c1", "radius_c11_c3"):
        meds = [e.median_ratio_to_cohen[c] for e in entries if math.isfinite(e.median_ratio_to_cohen[c])]
        ratios[c] = (min(meds), max(meds)) if meds else (float("nan"), float("nan"))
    above = sum(e.rows_c11_above_cohen[c] for e in entries for c in ("radius_c11_c1", "radius_c11_c3"))
    out.append(f"* **C11 vs Cohen**: {above} rows over all logs where C11 (c = 1, 3) exceeds Cohen's tight radius "
               f"(median ratio C11/Cohen per log {ratios['radius_c11_c1'][0]:.2f}–{ratios['radius_c11_c1'][1]:.2f} "
               f"for c = 1, {ratios['radius_c11_c3'][0]:.2f}–{ratios['radius_c11_c3'][1]:.2f} for c = 3); 'a smaller "
               "c yields a larger r' than Cohen's happens only for c < 1, and there the excess is unsound (Section 6).")
    bad = [e for e in entries if e.consistency.rows_above_max > 0]
    if bad:
        out.append("* **Log anomaly**: " + ", ".join(f"`{e.file}`" for e in bad) +
                   f" contain radii larger than n = {n:,}, α = {alpha} allow ({_implied_text(bad, n, alpha)}).")
        idf = [e for e in bad if e.identification.identified is not None]
        if idf:
            out[-1] += " Their top radii identify " + "; ".join(
                f"n = {e.identification.identified.n:,}, α = {_fmt_alpha(e.identification.identified.alpha)} "
                f"(`{e.file}`)" for e in idf) + "."
    inc = [i for i, e in enumerate(entries) if e.incomplete]
    if inc:
        top = {i: (longest or {}).get(i, max(x.rows for x in entries)) for i in inc}
        out.append("* **Incomplete logs**: " + ", ".join(
            f"`{entries[i].file}` has {entries[i].rows} rows (idx up to {entries[i].idx_last}; the longest "
            f"{entries[i].split + ' ' if entries[i].split else ''}log of its data set has {top[i]})" for i in inc)
            + "; their certified accuracies are over their own rows only.")
    out.append("* **ℓ∞**: the T18 and ℓ2→ℓ∞ radii are the ℓ2 radii divided by "
               + ", ".join(f"√{d} ≈ {math.sqrt(d):.1f}" for d in dims) + "; see Section 7 for the certified "
               "accuracy at " + ", ".join(f"{x:g}/255" for x in linf_radii if x >= 1) + ".")
    return out


def replay_experiment(data_dir, *, out="reports/empirical", command=None, progress=True) -> dict:
    """``python -m empirical experiment replay --data-dir DIR``: replay every log folder found.

    ``DIR/cohen2019-certify/<data set>/`` (the shared data layout: one report per data-set folder, named
    ``replay_<data set>``), else ``DIR`` itself as a log folder (any layout :func:`empirical.replay.find_logs`
    reads).  Returns the JSON-safe result of the first report, with ``"reports"`` listing every one.
    """
    if data_dir is None:
        raise ValueError("data_dir: the replay needs --data-dir holding cohen2019-certify/<data set>/ or a folder "
                         "of logs (e.g. ../shared/data)")
    root = Path(data_dir)
    shared = root / "cohen2019-certify"
    folders = sorted(p for p in shared.iterdir() if p.is_dir()) if shared.is_dir() else [root]
    if not folders:
        raise ValueError(f"data_dir: {shared} holds no log folder")
    results = [run_replay([f], out=out, command=command, progress=progress) for f in folders]
    first = results[0]
    first["reports"] = [r["report"] for r in results]
    return first
