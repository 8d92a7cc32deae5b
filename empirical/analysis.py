"""Certified accuracy vs radius of your own certify runs (issue 20.8), like Cohen et al.'s ``analyze.py``.

For a TSV of ``python -m empirical certify`` (or any TSV with Cohen et al.'s ``idx``, ``correct`` and ``radius``
columns) and every certificate column it carries (``radius_<name>``; a Cohen log's ``radius`` alone), the
certified accuracy at radius r is Cohen et al.'s

    acc(r) = (1 / N) * #{rows : correct = 1 and radius >= r}

over ALL N rows (abstentions have ``correct = 0`` and count as failures; ``inf`` radii are >= every r), and
the average certified radius ACR = (1 / N) * sum over rows of ``correct * radius`` (Zhai et al. 2020, MACER;
``inf`` when a correct row's radius is ``inf``).  The column set is read from each file's header, the norm
from the column's name (``*_linf`` = l_inf, otherwise l2: the convention of
``theory.certificates.RADIUS_COLUMNS``), and d, sigma, the noise, the data set and the selection from the
metadata line (``empirical.certify``): no ``--dim`` is needed, for any data set (digits, synthetic, ...).  A
file without metadata (an older run, Cohen et al.'s logs) is analysed all the same; its settings are unknown.

The radii of the table: one grid per norm, the user's (``radii``) or 0 and about eight round steps up to the
largest finite radius of that norm among the files.  The figure draws the exact step curves.

Python API: ``empirical.analyze(paths, radii=None) -> AnalyzeResult`` (writes nothing),
``empirical.write_analyze_report(result, out_dir)``; ``AnalyzeResult.from_json(path)`` reads a report's JSON
back.  (The module is ``empirical.analysis``: a module ``empirical.analyze`` would shadow the function.)
Needs no torch.

>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "r.tsv"
>>> rows = ["idx label predict radius correct time", "0 1 1 0.5 1 0:00:01", "1 0 1 0.9 0 0:00:01",
...         "2 2 2 1.5 1 0:00:01", "3 1 -1 0.0 0 0:00:01"]
>>> _ = p.write_text("".join(r.replace(" ", "\\t") + "\\n" for r in rows))
>>> res = analyze([p], radii={"l2": [0.0, 0.5, 1.0, 2.0]})
>>> res.runs[0].columns["radius"].accuracy
(0.5, 0.5, 0.25, 0.0)
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from empirical.certify_tsv import FORMAT, _read_complete
from theory.jsonio import load_result

NORMS = ("l2", "linf")
NORM_LABELS = {"l2": "ℓ2", "linf": "ℓ∞"}


def column_norm(column: str) -> str:
    """``"linf"`` for a column named ``*_linf*`` (the radius-column convention), else ``"l2"``.

    >>> column_norm("radius_t18_linf_c1"), column_norm("radius_cohen"), column_norm("radius")
    ('linf', 'l2', 'l2')
    """
    return "linf" if "_linf" in column else "l2"


def certified_accuracy(correct, radius, radii) -> np.ndarray:
    """Cohen et al.'s certified accuracy: for each r in ``radii``, the fraction of ALL rows with ``correct``
    and ``radius >= r``.

    >>> certified_accuracy([1, 0, 1], [0.5, 2.0, 1.0], [0.0, 0.75, 1.0, 1.5]).tolist()
    [0.6666666666666666, 0.3333333333333333, 0.3333333333333333, 0.0]
    """
    c = np.asarray(correct, dtype=bool)
    r = np.asarray(radius, dtype=float)
    if c.shape != r.shape or c.ndim != 1:
        raise ValueError("correct and radius must be 1-d arrays of one length")
    grid = np.asarray(radii, dtype=float)
    if c.size == 0:
        return np.zeros(grid.shape)
    return ((r[None, :] >= grid[:, None]) & c[None, :]).mean(axis=1)


def nice_grid(top: float, steps: int = 8) -> tuple[float, ...]:
    """0 and multiples of a round step (1, 2, 2.5 or 5 times a power of ten) up to the first one >= ``top``,
    at most ``steps`` steps; ``(0.0,)`` when ``top`` <= 0 or is not finite.

    >>> nice_grid(1.37)
    (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4)
    >>> nice_grid(3.9)
    (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)
    """
    if not (top > 0 and math.isfinite(top)):
        return (0.0,)
    raw = top / steps
    p = 10.0 ** math.floor(math.log10(raw))
    step = next(m * p for m in (1, 2, 2.5, 5, 10) if m * p >= raw)
    k = math.ceil(top / step - 1e-9)
    return tuple(round(i * step, 12) for i in range(k + 1))


@dataclasses.dataclass(frozen=True)
class ColumnAnalysis:
    """One certificate column of one run: ``norm``, the table's ``radii`` and ``accuracy`` there, ``acr``,
    ``max_radius`` (largest finite certified radius of a correct row, 0 when none) and ``curve`` (the exact
    step curve: radii at which the accuracy changes, accuracy at each)."""

    column: str
    norm: str
    radii: tuple
    accuracy: tuple
    acr: float
    max_radius: float
    curve: tuple


@dataclasses.dataclass(frozen=True)
class RunAnalysis:
    """One TSV: ``path``, ``label``, ``metadata`` (None without the metadata line), ``rows``, ``expected``
    (rows its selection asks for, from the metadata; None when unknown), ``accuracy`` (smoothed accuracy =
    certified accuracy at r = 0), ``abstain`` (fraction predicting -1) and ``columns`` (by column name)."""

    path: str
    label: str
    metadata: dict | None
    rows: int
    expected: int | None
    accuracy: float
    abstain: float
    columns: dict


@dataclasses.dataclass(frozen=True)
class AnalyzeResult:
    """:func:`analyze`'s result: ``runs`` and the radius ``grids`` per norm."""

    runs: tuple
    grids: dict

    def to_dict(self) -> dict:
        """The JSON-shaped dict (``kind``, ``format``, ``grids``, ``runs``)."""
        return {"kind": "rs-verify-analyze", "format": 1, "grids": {k: list(v) for k, v in self.grids.items()},
                "runs": [{**dataclasses.asdict(r), "columns": {k: dataclasses.asdict(c) for k, c in r.columns.items()}}
                         for r in self.runs]}

    def to_json(self, path) -> Path:
        """Write the result as JSON (the report's ``<name>.json``; NaN, e.g. the median of a column with no
        certified row, written as JSON's ``NaN`` as before); returns ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1, allow_nan=True) + "\n")
        return path

    @classmethod
    def from_dict(cls, d: dict) -> AnalyzeResult:
        if d.get("kind") != "rs-verify-analyze":
            raise ValueError("not an analyze report's JSON (kind is not 'rs-verify-analyze')")

        def col(c):
            return ColumnAnalysis(**{**c, "radii": tuple(c["radii"]), "accuracy": tuple(c["accuracy"]),
                                     "curve": tuple(tuple(x) for x in c["curve"])})

        runs = tuple(RunAnalysis(**{**r, "columns": {k: col(c) for k, c in r["columns"].items()}})
                     for r in d["runs"])
        return cls(runs, {k: tuple(v) for k, v in d["grids"].items()})

    @classmethod
    def from_json(cls, path) -> AnalyzeResult:
        """Read a result written by :meth:`to_json`; a file that is not one is a ``ValueError`` naming it
        (theory.jsonio.load_result)."""
        return load_result(path, "an analyze report's JSON", cls.from_dict)


def _expected_rows(meta: dict | None) -> int | None:
    if not meta or not all(k in meta for k in ("num_examples", "skip")):
        return None
    stop = meta["num_examples"] if meta.get("max") is None else min(meta["num_examples"], meta["max"])
    return len(range(0, stop, meta["skip"]))


def _load(path: Path) -> tuple[dict | None, list[str], dict]:
    """(metadata, radius columns, arrays) of one TSV; ValueError naming the file (and line) when unusable."""
    if not path.is_file():
        raise ValueError(f"tsv: no such file: {str(path)!r}")
    head, meta, rows = _read_complete(path, None, repair=False, label="tsv")
    if head is None or not rows:
        raise ValueError(f"tsv: {str(path)!r} holds no rows")
    missing = [c for c in ("idx", "correct", "radius") if c not in head]
    if missing:
        raise ValueError(f"tsv: {str(path)!r} lacks the column(s) {missing} (expected certify's or Cohen et al.'s "
                         f"columns)")
    if meta is not None and meta.get("format", FORMAT) > FORMAT:
        raise ValueError(f"tsv: {str(path)!r} has metadata format {meta.get('format')}; this version reads up to "
                         f"{FORMAT}")
    cols = [c for c in head if c.startswith("radius_")] or ["radius"]
    first = 3 if meta is not None else 2
    pos = {c: head.index(c) for c in head}
    seen: dict[int, int] = {}
    arrays: dict = {c: np.empty(len(rows)) for c in cols}
    correct = np.empty(len(rows), dtype=bool)
    predict = np.zeros(len(rows), dtype=np.int64)
    for j, r in enumerate(rows):
        line = first + j
        try:
            i = int(r[pos["idx"]])
            ok = int(r[pos["correct"]])
            if ok not in (0, 1):
                raise ValueError("correct must be 0 or 1")
            correct[j] = ok == 1
            if "predict" in pos:
                predict[j] = int(r[pos["predict"]])
            for c in cols:
                v = float(r[pos[c]])
                if not (v >= 0):
                    raise ValueError(f"{c} must be >= 0 (or inf), got {r[pos[c]]!r}")
                arrays[c][j] = v
        except ValueError as exc:
            raise ValueError(f"tsv: {str(path)!r} line {line}: {exc}") from None
        if i in seen:
            raise ValueError(f"tsv: {str(path)!r} line {line}: idx {i} repeats line {seen[i]}")
        seen[i] = line
    arrays["correct"], arrays["predict"] = correct, predict
    return meta, cols, arrays


def _label(path: Path, meta: dict | None, paths) -> str:
    names = [Path(p).name for p in paths]
    base = path.name if names.count(path.name) == 1 else str(path)
    if meta and "sigma" in meta:
        return f"{base} (σ = {meta['sigma']:g}{', ' + str(meta['mechanism']) if 'mechanism' in meta else ''})"
    return base


def analyze(paths, *, radii: dict | None = None) -> AnalyzeResult:
    """Certified accuracy vs radius of the certify TSVs ``paths`` under every certificate column they carry.

    Parameters
    ----------
    paths
        One or more TSV files (certify's, or Cohen et al.'s six columns).
    radii
        ``{"l2": [...], "linf": [...]}``: the radii of the table per norm (each >= 0, finite); a norm left out
        gets 0 and about eight round steps up to its largest finite certified radius (:func:`nice_grid`).

    Returns
    -------
    AnalyzeResult
        ``runs`` (one :class:`RunAnalysis` per file, in order) and ``grids``.

    Raises
    ------
    ValueError
        A missing or empty file, missing columns, an unparsable value, a repeated idx (file and line named),
        a bad radius grid.
    """
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    if not paths:
        raise ValueError("tsv: give at least one TSV file")
    grids: dict = {}
    for norm, g in (radii or {}).items():
        if norm not in NORMS:
            raise ValueError(f"radii: norm must be one of {list(NORMS)}, got {norm!r}")
        vals = [float(v) for v in g]
        if not vals or any(not (math.isfinite(v) and v >= 0) for v in vals):
            raise ValueError(f"radii: the {norm} radii must be finite numbers >= 0, got {list(g)}")
        grids[norm] = tuple(sorted(set(vals)))
    loaded = [(p, *_load(p)) for p in paths]
    tops: dict = {}
    for _, _, cols, arr in loaded:
        for c in cols:
            fin = arr[c][arr["correct"] & np.isfinite(arr[c])]
            tops[column_norm(c)] = max(tops.get(column_norm(c), 0.0), float(fin.max()) if fin.size else 0.0)
    for norm, top in tops.items():
        grids.setdefault(norm, nice_grid(top))
    runs = []
    for p, meta, cols, arr in loaded:
        n = arr["correct"].size
        out = {}
        for c in cols:
            r, ok = arr[c], arr["correct"]
            grid = grids[column_norm(c)]
            xs = np.unique(np.concatenate([[0.0], r[ok]]))
            curve = tuple((float(x), float(a)) for x, a in zip(xs, certified_accuracy(ok, r, xs), strict=True))
            fin = r[ok & np.isfinite(r)]
            acr = float(np.sum(np.where(ok, r, 0.0)) / n)
            out[c] = ColumnAnalysis(c, column_norm(c), grid, tuple(float(a) for a in certified_accuracy(ok, r, grid)),
                                    acr, float(fin.max()) if fin.size else 0.0, curve)
        runs.append(RunAnalysis(str(p), _label(p, meta, paths), meta, n, _expected_rows(meta),
                                float(arr["correct"].mean()), float((arr["predict"] == -1).mean()), out))
    return AnalyzeResult(tuple(runs), {k: grids[k] for k in NORMS if k in grids})


def render_markdown(res: AnalyzeResult, *, figures: dict | None = None) -> str:
    """The report: the runs (settings from their metadata) and one table per norm (rows = run x column)."""
    from theory.report import fmt, md_table

    lines = ["# Certified accuracy of certify runs", "",
             "Certified accuracy at r = fraction of ALL rows with `correct = 1` and radius ≥ r (Cohen et al.'s "
             "analyze.py; abstentions count as failures); ACR = mean of `correct × radius` over all rows.", "",
             "## Runs", ""]
    head = ["run", "data set / split", "noise", "σ", "d", "n0", "n", "α", "rows", "accuracy", "abstain"]
    body = []
    notes = []
    for r in res.runs:
        m = r.metadata or {}
        data = f"{m['dataset']}/{m.get('split', '?')}" if "dataset" in m else "—"
        rows = f"{r.rows}" + (f" of {r.expected}" if r.expected is not None and r.expected != r.rows else "")
        body.append([r.label, data, m.get("mechanism"), m.get("sigma"), m.get("d"), m.get("n0"), m.get("n"),
                     m.get("alpha"), rows, r.accuracy, r.abstain])
        if r.metadata is None:
            notes.append(f"* `{r.path}` has no metadata line (an older run or a Cohen et al. log): settings unknown.")
        if r.expected is not None and r.rows < r.expected:
            notes.append(f"* `{r.path}` is incomplete: {r.rows} of the {r.expected} selected examples "
                         f"(continue it with `certify ... --resume`).")
    lines += [md_table(head, body), ""] + notes + ([""] if notes else [])
    for norm, grid in res.grids.items():
        lines += [f"## {NORM_LABELS[norm]} certificates", ""]
        hdr = ["run", "certificate"] + [f"r = {fmt(g)}" for g in grid] + ["ACR", "max r"]
        body = [[r.label, f"`{c.column}`", *[f"{a:.3f}" for a in c.accuracy], c.acr, c.max_radius]
                for r in res.runs for c in r.columns.values() if c.norm == norm]
        lines += [md_table(hdr, body), ""]
        if figures and norm in figures:
            lines += [f"![certified accuracy vs {NORM_LABELS[norm]} radius]({figures[norm]})", ""]
    return "\n".join(lines).rstrip() + "\n"


def _plot(res: AnalyzeResult, norm: str, path: Path) -> None:
    from theory.report import new_figure, save_figure

    fig, ax = new_figure(figsize=(7, 4.2))
    for r in res.runs:
        for c in r.columns.values():
            if c.norm != norm:
                continue
            xs = [x for x, _ in c.curve if math.isfinite(x)]
            ys = [y for x, y in c.curve if math.isfinite(x)]
            xs, ys = xs + [c.max_radius * 1.02 + 1e-12], ys + [0.0 if math.isfinite(c.curve[-1][0]) else ys[-1]]
            ax.step(xs, ys, where="pre", label=f"{r.label}: {c.column}", lw=1.2)
    ax.set_xlabel(f"{NORM_LABELS[norm]} radius r")
    ax.set_ylabel("certified accuracy")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6, loc="upper right")
    save_figure(fig, path)


def write_analyze_report(res: AnalyzeResult, out_dir, *, name: str = "analyze", json_path=None,
                         figures: bool = True) -> dict:
    """Write ``<out_dir>/<name>.md``, ``<name>.json`` (or ``json_path``) and, with ``figures``, one PNG per norm
    ``<name>_<norm>.png``; returns ``{"md": ..., "json": ..., "figures": [...]}`` (paths)."""
    if not name or Path(name).name != name or name in (".", ".."):
        raise ValueError(f"name: a plain file stem without folders, got {name!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out: {str(out)!r} exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"out: cannot create {str(out)!r} ({exc.strerror or exc})") from None
    figs = {}
    if figures:
        for norm in res.grids:
            p = out / f"{name}_{norm}.png"
            _plot(res, norm, p)
            figs[norm] = p.name
    md = out / f"{name}.md"
    md.write_text(render_markdown(res, figures=figs))
    js = res.to_json(Path(json_path) if json_path is not None else out / f"{name}.json")
    return {"md": str(md), "json": str(js), "figures": [str(out / f) for f in figs.values()]}
