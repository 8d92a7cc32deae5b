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
``theory.certificates.certified_radii``; only the reading of the log lives here.
This module never imports torch.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
from scipy.special import log_ndtr, ndtr

from theory import _validate as V

#: Cohen et al.'s column names, in order.
COHEN_COLUMNS = ("idx", "label", "predict", "radius", "correct", "time")

#: Significant digits of the radius in Cohen et al.'s logs (``'{:.3}'.format(radius)``).
COHEN_DIGITS = 3

_NAME_RE = re.compile(r"noise_(?P<train>[0-9.]+)_sigma_(?P<sigma>[0-9.]+)\.tsv$")


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

    @property
    def n_rows(self) -> int:
        return int(self.idx.size)

    @property
    def abstain(self) -> np.ndarray:
        return self.predict == -1

    @property
    def name(self) -> str:
        return Path(self.path).name


def parse_log_name(path) -> tuple[float | None, float | None]:
    """``noise_T_sigma_S.tsv`` -> (T, S) = (training sigma, certification sigma); (None, None) otherwise."""
    m = _NAME_RE.search(Path(path).name)
    if not m:
        return None, None
    return float(m.group("train")), float(m.group("sigma"))


def read_cohen_log(path) -> CohenLog:
    """Read a TSV in Cohen et al.'s format; extra columns (e.g. the engine's counts) are ignored.

    Raises ``ValueError`` naming the file and the row when a column is missing or a value is bad.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"log: no such file: {p}")
    cols = {c: [] for c in COHEN_COLUMNS}
    linenos = []
    with p.open(newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ValueError(f"log {p}: empty file (expected header {' '.join(COHEN_COLUMNS)})") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"log {p}: line 1 is not UTF-8 text ({exc})") from None
        missing = [c for c in COHEN_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"log {p}: missing column(s) {missing}; expected Cohen et al.'s columns "
                             f"{list(COHEN_COLUMNS)}")
        pos = {c: header.index(c) for c in COHEN_COLUMNS}
        lineno = 1
        try:
            for lineno, row in enumerate(reader, start=2):
                if not row or all(not x.strip() for x in row):
                    continue
                if len(row) < len(header):
                    raise ValueError(f"log {p}: line {lineno} has {len(row)} fields, expected {len(header)}")
                for c in COHEN_COLUMNS:
                    cols[c].append(row[pos[c]].strip())
                linenos.append(lineno)
        except UnicodeDecodeError as exc:
            raise ValueError(f"log {p}: after line {lineno}: not UTF-8 text ({exc})") from None
    if not cols["idx"]:
        raise ValueError(f"log {p}: no data rows")
    parse = {"idx": int, "label": int, "predict": int, "radius": float, "correct": int, "time": _parse_time}
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
    if np.any(~np.isfinite(radius)) or np.any(radius < 0):
        raise ValueError(f"log {p}: radius must be finite and >= 0")
    if np.any((correct != 0) & (correct != 1)):
        raise ValueError(f"log {p}: correct must be 0 or 1")
    if np.any(predict < -1):
        raise ValueError(f"log {p}: predict must be a class index or -1 (abstain)")
    train, sig = parse_log_name(p)
    return CohenLog(str(p), idx, label, predict, radius, tuple(cols["radius"]), correct, time,
                    train, sig)


def _parse_time(text: str) -> float:
    """Seconds from Cohen et al.'s time column: a number, or ``str(datetime.timedelta)`` (``H:MM:SS.ffffff``)."""
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise ValueError(f"bad time {text!r}")
        h, m, sec = parts
        return 3600.0 * int(h) + 60.0 * int(m) + float(sec)
    return float(text)


def find_logs(paths) -> list[Path]:
    """Expand files and directories (``*.tsv`` inside, sorted) into a list of log files."""
    out: list[Path] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            found = sorted(p.glob("*.tsv"))
            if not found:
                raise ValueError(f"log: directory {p} holds no *.tsv file")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"log: no such file or directory: {p}")
    if not out:
        raise ValueError("log: give at least one file or directory")
    return out


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
    lo, hi = zip(*(printed_interval(t, digits) for t in texts)) if len(texts) else ((), ())
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
#: Radii at which the report tabulates certified accuracy (l2, as in the paper's Figures 1-2).
L2_RADII = (0.0, 0.25, 0.5, 0.75, 1.0)
#: l_inf radii (in units of 1/255) for the T18 / l2->l_inf tables.
LINF_RADII_255 = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


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
class ReplayResult:
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


def replay_log(log: CohenLog, sigma: float | None = None, d: int = 3072, progress=None) -> ReplayResult:
    """Recover pA_lower of every row and recompute every Gaussian certificate of ``theory``.

    sigma: the certification sigma S (default: from the file name ``noise_T_sigma_S.tsv``).
    d: input dimension for the l_inf certificates (3072 for CIFAR-10).
    """
    import time as _time

    t0 = _time.perf_counter()
    if sigma is None:
        sigma = log.cert_sigma
        if sigma is None:
            raise ValueError(f"sigma: cannot read the certification sigma from the name {log.name!r}; "
                             "pass --sigma S (> 0)")
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    lo, hi = printed_intervals(log.radius_text)
    ab = log.abstain
    mid = recover_pA_lower(log.radius, sigma)
    rlo = recover_pA_lower(lo, sigma)
    rhi = recover_pA_lower(hi, sigma)
    nan = np.full(log.n_rows, np.nan)
    pA = np.where(ab, nan, mid["pA"])
    res = ReplayResult(log, sigma, d, pA, np.where(ab, nan, rlo["pA"]), np.where(ab, nan, rhi["pA"]),
                       np.where(ab, nan, mid["one_minus_pA"]), lo, hi)
    cache: dict = {}
    rows = []
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


def precision_summary(res: ReplayResult, cols=None) -> dict:
    """How much the 3-significant-digit radius blurs pA_lower and every recomputed radius (``cols``: default
    every column of ``res.radii``).  ``rel_halfwidth_max`` / ``rel_halfwidth_max_column``: the largest
    relative half-width over all measured columns and where it occurs."""
    cols = list(res.radii) if cols is None else list(cols)
    act = ~res.log.abstain
    out = {"rows": int(act.sum())}
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
# report
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
LINF_COLS = ("radius_cohen_linf", "radius_t18_linf_c1", "radius_t18_linf_c3")


def sha256_file(path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def library_versions() -> dict:
    """Versions of the libraries a report depends on (torch only when already imported)."""
    import platform
    import sys

    import matplotlib
    import scipy

    out = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
           "matplotlib": matplotlib.__version__}
    try:
        from importlib.metadata import version

        out["rs-verify"] = version("rs-verify")
    except Exception:  # pragma: no cover - not installed
        pass
    if "torch" in sys.modules:
        out["torch"] = sys.modules["torch"].__version__
    return out


def git_commit() -> str | None:
    import subprocess

    try:
        r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                           cwd=Path(__file__).resolve().parents[1])
        return r.stdout.strip() or None
    except Exception:  # pragma: no cover
        return None


def _pct(a: float) -> str:
    return f"{100 * a:.1f}"


def _acc_cell(res: ReplayResult, col: str, r: float) -> str:
    """Certified accuracy at radius r, as 'x' or 'lo–hi' when the printed precision leaves it open."""
    lo = res.certified_accuracy(col, r, "lo")[0]
    mid = res.certified_accuracy(col, r, "mid")[0]
    hi = res.certified_accuracy(col, r, "hi")[0]
    if lo == hi:
        return _pct(mid)
    return f"{_pct(mid)} [{_pct(lo)}–{_pct(hi)}]"


def _label(res: ReplayResult) -> str:
    t = res.log.train_sigma
    return f"train σ={t:g}, mech. σ={res.sigma:g}" if t is not None else f"{res.log.name} (σ={res.sigma:g})"


def _plot_curves(results, cols, grid, path, title, xlabel, *, scale=1.0, styles=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(cols), figsize=(4.6 * len(cols), 3.6), sharey=True, squeeze=False)
    for ax, col in zip(axes[0], cols):
        for k, res in enumerate(results):
            color = f"C{k}"
            ax.plot(grid * scale, res.certified_accuracy(col, grid), color=color, label=_label(res))
            lo, hi = res.certified_accuracy(col, grid, "lo"), res.certified_accuracy(col, grid, "hi")
            ax.fill_between(grid * scale, lo, hi, color=color, alpha=0.25, linewidth=0)
            if styles and col in styles:
                ref = styles[col]
                ax.plot(grid * scale, res.certified_accuracy(ref, grid), color=color, ls=":", lw=1)
        ax.set_title(COLUMN_LABELS.get(col, col) + (f"  (dotted: {COLUMN_LABELS[styles[col]]})"
                                                    if styles and col in styles else ""), fontsize=9)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("certified accuracy")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _table(rows, header) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def run_replay(paths, *, sigma: float | None = None, out=None, d: int = 3072, n: int = 100_000,
               alpha: float = 0.001, name: str | None = None, command: str | None = None,
               progress: bool = True) -> dict:
    """Replay every log in ``paths`` (files or directories); write ``<out>/<name>.md``, ``.json`` and PNGs.

    Returns the JSON summary. ``name`` defaults to ``replay_<folder of the first log>``.
    """
    import json
    import time as _time
    from datetime import datetime, timezone

    t0 = _time.perf_counter()
    d = V.dimension("d", d)
    n = V.count("n", n, minimum=1)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    if sigma is not None:
        sigma = V.positive("sigma", sigma)
    files = find_logs(paths)
    logs = [read_cohen_log(f) for f in files]
    for lg in logs:
        if sigma is None and lg.cert_sigma is None:
            raise ValueError(f"sigma: cannot read the certification sigma from {lg.name!r}; pass --sigma S (> 0)")
        if sigma is not None and lg.cert_sigma is not None and abs(lg.cert_sigma - sigma) > 1e-12:
            raise ValueError(f"sigma: --sigma {sigma:g} contradicts the file name {lg.name!r} "
                             f"(certified with sigma {lg.cert_sigma:g}); omit --sigma for several logs")
    bar = None
    if progress:
        try:
            from tqdm import tqdm

            bar = lambda it, lg=None: tqdm(it, desc="replay", unit="row", leave=False)  # noqa: E731
        except ImportError:  # pragma: no cover
            bar = None
    results = [replay_log(lg, sigma, d, progress=bar) for lg in logs]
    checks = [log_consistency(lg, r.sigma, n, alpha) for lg, r in zip(logs, results)]
    precision = [precision_summary(r) for r in results]
    elapsed = _time.perf_counter() - t0

    summary = {
        "command": command, "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": library_versions(), "commit": git_commit(), "d": d, "n_claimed": n, "alpha_claimed": alpha,
        "logs": [], "seconds": None,
    }
    for lg, r, ck, pr in zip(logs, results, checks, precision):
        entry = {"file": lg.name, "path": str(lg.path), "sha256": sha256_file(lg.path), "train_sigma": lg.train_sigma,
                 "sigma": r.sigma, "consistency": ck, "precision": pr,
                 "certified_accuracy_l2": {c: dict(zip(map(str, L2_RADII), r.certified_accuracy(c, L2_RADII)))
                                           for c in r.columns if c not in LINF_COLS},
                 "certified_accuracy_l2_interval": {
                     c: {str(x): [r.certified_accuracy(c, x, "lo")[0], r.certified_accuracy(c, x, "hi")[0]]
                         for x in L2_RADII} for c in L2_COLS},
                 "certified_accuracy_linf_255": {
                     c: dict(zip(map(str, LINF_RADII_255), r.certified_accuracy(c, np.array(LINF_RADII_255) / 255)))
                     for c in LINF_COLS},
                 "median_radius_correct": {c: median_certified_radius(r.radii[c], lg.correct, lg.predict)
                                           for c in r.columns},
                 "rows_c11_above_cohen": {c: int(np.sum(r.radii[c] > r.radii["radius_cohen"] * (1 + 1e-12)))
                                          for c in ("radius_c11_c1", "radius_c11_c3")},
                 "c11_small_c": _small_c(r),
                 }
        summary["logs"].append(entry)
    if out is None:
        summary["seconds"] = _time.perf_counter() - t0
        return summary

    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    if name is None:
        name = "replay_" + (Path(logs[0].path).parent.name or "logs")
    figs = _write_figures(results, outdir, name)
    summary["seconds"] = _time.perf_counter() - t0
    summary["seconds_compute"] = elapsed
    md = _markdown(summary, results, checks, precision, figs, name)
    (outdir / f"{name}.md").write_text(md)
    from theory.cli import to_jsonable

    (outdir / f"{name}.json").write_text(json.dumps(to_jsonable(summary), indent=1))
    summary["report"] = str(outdir / f"{name}.md")
    return summary


#: c values below the paper's (1, 3) for the 'smaller c yields a larger r' check.
SMALL_C = (0.5, 0.25)


def _small_c(res: ReplayResult) -> dict:
    """For c in SMALL_C: rows where C11 at the printed p̲A exceeds Cohen's tight radius (a C11 radius
    above the Neyman-Pearson radius is unsound: some base classifier with these probabilities flips inside it)."""
    from theory.certificates import radius as cert_radius

    act = (~res.log.abstain) & (res.one_minus_pA < 0.5)
    out = {}
    for c in SMALL_C:
        r = np.array([cert_radius("c11", one_minus_pA=float(e), sigma=res.sigma, c=c) if a else 0.0
                      for a, e in zip(act, np.nan_to_num(res.one_minus_pA, nan=0.5))])
        above = act & (r > res.radii["radius_cohen"] * (1 + 1e-12))
        out[str(c)] = {"rows_above_cohen": int(above.sum()), "certified_rows": int(act.sum()),
                       "example_idx": int(res.log.idx[np.argmax(above)]) if above.any() else None,
                       "certified_accuracy_l2": dict(zip(map(str, L2_RADII),
                                                         certified_accuracy(r, res.log.correct, res.log.predict,
                                                                            L2_RADII)))}
    return out


def _select(results, train=None, sigma=None):
    out = [r for r in results if (train is None or (r.log.train_sigma is not None and abs(r.log.train_sigma - train) < 1e-9))
           and (sigma is None or abs(r.sigma - sigma) < 1e-9)]
    return sorted(out, key=lambda r: (r.log.train_sigma or 0.0, r.sigma))


def _write_figures(results, outdir: Path, name: str) -> dict:
    figs = {}
    grid = np.linspace(0.0, 2.0, 401)
    fig1 = _select(results, sigma=0.5)
    fig1 = [r for r in fig1 if r.log.train_sigma in (0.25, 0.5, 1.0)] or fig1
    if fig1:
        figs["fig1"] = f"{name}_fig1_l2.png"
        _plot_curves(fig1, ("radius_c11_c1", "radius_c11_c3"), grid, outdir / figs["fig1"],
                     "Paper Fig. 1 setting on Cohen et al.'s logs: mechanism σ = 0.5, vary training σ "
                     "(dotted: Cohen's tight radius, same rows)", "ℓ2 radius",
                     styles={"radius_c11_c1": "radius_cohen", "radius_c11_c3": "radius_cohen"})
    diag = [r for r in results if r.log.train_sigma is not None and abs(r.log.train_sigma - r.sigma) < 1e-9]
    fig2 = sorted({id(r): r for r in _select(results, train=0.5) + diag}.values(),
                  key=lambda r: (r.sigma, r.log.train_sigma or 0))
    if fig2:
        figs["fig2"] = f"{name}_fig2_l2.png"
        grid2 = np.linspace(0.0, 4.0, 801)
        _plot_curves(fig2, ("radius_c11_c1", "radius_c11_c3"), grid2, outdir / figs["fig2"],
                     "Paper Fig. 2 setting as far as the logs allow: vary mechanism σ "
                     "(training σ = mechanism σ except 0.5/0.5; dotted: Cohen)", "ℓ2 radius",
                     styles={"radius_c11_c1": "radius_cohen", "radius_c11_c3": "radius_cohen"})
    if results:
        figs["linf"] = f"{name}_linf.png"
        grid3 = np.linspace(0.0, 12.0, 601) / 255.0
        sel = _select(results, sigma=0.5) or results
        _plot_curves(sel, LINF_COLS, grid3, outdir / figs["linf"],
                     f"ℓ∞ certified accuracy at d = {results[0].d} (x axis in units of 1/255)",
                     "ℓ∞ radius × 255", scale=255.0)
    return figs


def _implied_text(bad, n: int, alpha: float) -> str:
    """The implied level and the draws needed, computed from the consistency checks of the logs ``bad``."""
    ia = [e["consistency"]["implied_alpha_if_all_n"] for e in bad if e["consistency"]["implied_alpha_if_all_n"]]
    nn = [e["consistency"].get("n_needed_at_alpha") for e in bad if e["consistency"].get("n_needed_at_alpha")]
    parts = []
    if ia:
        lo, hi = min(a for a, _ in ia), max(b for _, b in ia)
        parts.append(f"the implied level α' if all n = {n:,} draws agreed is {lo:.2g}–{hi:.2g}")
    if nn:
        parts.append(f"at α = {alpha} the largest printed radius needs n ≥ {max(nn):,} draws")
    return "; ".join(parts) or "the implied level cannot be computed"


def _precision_text(summary) -> str:
    """The precision sentence, from the measured relative half-widths of every recomputed radius column."""
    worst = [(e["precision"]["rel_halfwidth_max"], e["precision"]["rel_halfwidth_max_column"], e["file"],
              len(e["precision"]["columns"])) for e in summary["logs"] if e["precision"].get("rows", 0)]
    if not worst:
        return "No certified rows: nothing to measure."
    w, col, f, k = max(worst, key=lambda t: (not np.isfinite(t[0]), t[0]))
    bound = next((b for b in (0.001, 0.01, 0.1) if w < b), None)
    head = (f"The relative error of every recomputed radius ({k} columns, all logs) is below {100 * bound:g}%"
            if bound is not None else f"The relative error of the recomputed radii reaches {100 * w:.3g}%")
    return (head + f" (largest: {100 * w:.3f}%, {COLUMN_LABELS.get(col, col)} in `{f}`; every radius is a smooth function of "
            "p̲A = Φ(R/S), so it inherits the relative precision of the printed R).")


def _markdown(summary, results, checks, precision, figs, name) -> str:
    L: list[str] = []
    d = summary["d"]
    L += [f"# Replay of published certification logs against the theory ({name})", "",
          "Generated by a command, not by hand. Regenerate with:", "", "```",
          summary["command"] or "python -m empirical replay ...", "```", "",
          f"* date: {summary['date']}; run time {summary['seconds']:.1f} s (CPU); commit {summary['commit']}",
          "* versions: " + ", ".join(f"{k} {v}" for k, v in summary["versions"].items()),
          f"* logs: Cohen, Rosenfeld & Kolter (2019)'s CIFAR-10 ResNet-110 certification logs "
          f"(every 20th test image; stated: n0 = 100, n = {summary['n_claimed']:,}, α = {summary['alpha_claimed']}); "
          f"d = {d} for the ℓ∞ certificates.",
          "* certified accuracy at R = fraction of ALL rows with `correct = 1`, not abstained and certified radius "
          "≥ R (Cohen et al.'s analysis convention); abstentions and errors count as failures.", ""]
    L += _table([[e["file"], e["sha256"][:16] + "…", e["consistency"]["rows"], e["train_sigma"], e["sigma"]]
                 for e in summary["logs"]], ["file", "sha256", "rows", "training σ", "mechanism σ"])
    L += ["", "## How the probabilities are recovered", "",
          "Cohen et al. certify in binary form (pB = 1 − p̲A), so every non-abstaining row has "
          "R = S·Φ⁻¹(p̲A) and p̲A = Φ(R/S), 1 − p̲A = Φ(−R/S). The radius is printed with 3 significant digits "
          "(`'{:.3}'`), so a printed R stands for the interval R ± ½·10^(e−2) (e = ⌊log10 R⌋; ten times "
          "narrower below an exact power of ten) and p̲A ∈ [Φ(R_lo/S), Φ(R_hi/S)]. Every certificate is then "
          "recomputed by `theory.certificates.certified_radii('gaussian', p̲A, S, d)` at the printed value and "
          "at both ends of the interval (all certificates increase with p̲A). Tables show the certified "
          "accuracy at the printed value, followed by [lo–hi] when the rounding leaves it undetermined.", ""]
    # 1. consistency
    L += ["## 1. Are the logs consistent with their stated sampling parameters?", "",
          f"With n = {summary['n_claimed']:,} draws and α = {summary['alpha_claimed']}, the largest possible "
          "p̲A is α^(1/n) (all n draws agree), hence the largest possible radius R_max = S·Φ⁻¹(α^(1/n)). "
          "Rows whose printed radius, minus its rounding half-width, exceeds R_max cannot come from those "
          "parameters; for the rows at the largest printed radius, the level that would explain them with "
          "nA = n is α' = p̲A^n.", ""]
    rows = []
    for e in summary["logs"]:
        c = e["consistency"]
        ia = c["implied_alpha_if_all_n"]
        w = c["first_row_above_max"]
        rows.append([e["file"], c["abstain"], c["correct"], c["largest_printed"], c["rows_at_largest"],
                     f"{c['radius_max']:.4f}", c["rows_above_max"],
                     "—" if w is None else f"idx {w['idx']}: R = {w['radius']}",
                     "—" if ia is None else f"[{ia[0]:.2g}, {ia[1]:.2g}]", c["correct_mismatch"]])
    L += _table(rows, ["file", "abstain", "correct", "largest R printed", "rows at it", "R_max (n, α)",
                       "rows > R_max", "first such row", "α' if nA = n", "correct ≠ (predict = label)"])
    bad = [e for e in summary["logs"] if e["consistency"]["rows_above_max"] > 0]
    L += [""]
    if bad:
        L += ["**Finding.** " + "; ".join(
            f"`{e['file']}` has {e['consistency']['rows_above_max']} rows above R_max "
            f"(largest printed {e['consistency']['largest_printed']} vs {e['consistency']['radius_max_printed']})"
            for e in bad) +
            f". These rows are not reachable with n = {summary['n_claimed']:,} and α = {summary['alpha_claimed']} "
            f"({_implied_text(bad, summary['n_claimed'], summary['alpha_claimed'])}): these files look certified "
            "with a larger α or more draws than stated. "
            "The recovered p̲A = Φ(R/S) is still the number CERTIFY used, so every "
            "certificate below is recomputed from it unchanged; only its confidence level differs.", ""]
    else:
        L += ["All logs are consistent with the stated (n, α).", ""]
    # 2. precision
    L += ["## 2. Error introduced by the 3-significant-digit radius", ""]
    rows = []
    for e in summary["logs"]:
        p = e["precision"]
        if p.get("rows", 0) == 0:
            continue
        rows.append([e["file"], f"{p['pA_halfwidth_max']:.2e}", f"{p['pA_halfwidth_median']:.2e}",
                     f"{100 * p['one_minus_pA_rel_halfwidth_max']:.2f}%",
                     f"{100 * p['radius_c11_c1_rel_halfwidth_max']:.2f}%",
                     f"{100 * p['radius_c11_c1_rel_halfwidth_median']:.3f}%",
                     f"{p['radius_c11_c1_abs_halfwidth_max']:.2e}", f"{p['radius_cohen_abs_halfwidth_max']:.2e}"])
    L += _table(rows, ["file", "max ½-width p̲A", "median ½-width p̲A", "max rel. ½-width 1−p̲A",
                       "max rel. ½-width C11", "median rel. ½-width C11", "max abs ½-width C11 c=1",
                       "max abs ½-width Cohen"])
    L += ["", "Maximum relative ½-width (relative error from the rounding) of every recomputed radius, over the "
          "certified rows of each log:", ""]
    pcols = [c for c in (results[0].columns if results else []) if any(f"{c}_rel_halfwidth_max" in e["precision"]
                                                                        for e in summary["logs"])]
    L += _table([[e["file"]] + [f"{100 * e['precision'][f'{c}_rel_halfwidth_max']:.3f}%" for c in pcols]
                 for e in summary["logs"] if e["precision"].get("rows", 0)],
                ["file"] + [COLUMN_LABELS.get(c, c) for c in pcols])
    L += ["", _precision_text(summary) + " It can only change a certified accuracy when a row's "
          "radius interval straddles a table radius, shown as [lo–hi] below.", ""]
    # 3. Figure 1
    fig1 = [r for r in _select(results, sigma=0.5) if r.log.train_sigma in (0.25, 0.5, 1.0)]
    L += ["## 3. Paper Figure 1 setting: mechanism σ = 0.5, training σ ∈ {0.25, 0.5, 1.0}", ""]
    if fig1:
        rows = [[_label(r), COLUMN_LABELS[c]] + [_acc_cell(r, c, x) for x in L2_RADII] for r in fig1 for c in L2_COLS]
        L += _table(rows, ["log", "certificate"] + [f"R = {x:g}" for x in L2_RADII])
        if "fig1" in figs:
            L += ["", f"![Figure 1 setting]({figs['fig1']})", ""]
        best = max(fig1, key=lambda r: r.certified_accuracy("radius_c11_c1", 0.5)[0])
        L += [f"Certified accuracy (%) at each ℓ2 radius. Best training σ at R = 0.5 under C11 c=1: "
              f"{best.log.train_sigma:g} (the paper: 'using σ = 0.50 … to train the classifier is a good setting').",
              ""]
    else:
        L += ["No log with mechanism σ = 0.5 among the inputs.", ""]
    # 4. Figure 2
    L += ["## 4. Paper Figure 2 setting: training σ = 0.5, vary mechanism σ", "",
          "The published logs hold the training-σ = 0.5 model certified with σ = 0.5 only, so the paper's "
          "Figure 2 (mechanism σ varied on that model) can be reproduced at σ = 0.5 alone. As the closest "
          "substitute, the table adds the models certified with their own training σ (0.12, 0.25, 1.0): "
          "mechanism σ varies, but so does the model.", ""]
    diag = [r for r in results if r.log.train_sigma is not None and abs(r.log.train_sigma - r.sigma) < 1e-9]
    sel = sorted(diag, key=lambda r: r.sigma)
    if sel:
        rows = [[_label(r), COLUMN_LABELS[c]] + [_acc_cell(r, c, x) for x in L2_RADII] for r in sel for c in L2_COLS]
        L += _table(rows, ["log", "certificate"] + [f"R = {x:g}" for x in L2_RADII])
        if "fig2" in figs:
            L += ["", f"![Figure 2 setting]({figs['fig2']})", ""]
    # 5. 20 % claim
    L += ["## 5. \"Approximately 20% certified accuracy under ℓ2 = 1.0\" (Section 4.2)", ""]
    rows = []
    for r in sorted(results, key=lambda r: (r.sigma, r.log.train_sigma or 0)):
        rows.append([_label(r)] + [_acc_cell(r, c, 1.0) for c in L2_COLS])
    L += _table(rows, ["log"] + [COLUMN_LABELS[c] for c in L2_COLS])
    c1 = {_label(r): r.certified_accuracy("radius_c11_c1", 1.0)[0] for r in results}
    c3 = {_label(r): r.certified_accuracy("radius_c11_c3", 1.0)[0] for r in results}
    b1 = max(c1, key=c1.get)
    b3 = max(c3, key=c3.get)
    L += ["", f"Best C11 certified accuracy at ℓ2 = 1.0: c = 1: {_pct(c1[b1])}% ({b1}); c = 3: {_pct(c3[b3])}% "
          f"({b3}). In the paper's own settings (training σ = 0.5, mechanism σ = 0.5, Figures 1–2): "
          + ", ".join(f"c = {c}: {_pct(r.certified_accuracy(col, 1.0)[0])}%"
                      for r in _select(results, train=0.5, sigma=0.5)
                      for c, col in ((1, 'radius_c11_c1'), (3, 'radius_c11_c3'))) + ".", ""]
    # 6. C11 vs Cohen
    L += ["## 6. C11 next to Cohen et al.'s tight radius on the same rows", "",
          "The paper: 'a smaller c yields a larger r compared to those in Cohen et al., and vice versa'. "
          "Rows where the C11 radius exceeds Cohen's (tight, Neyman–Pearson) radius for the same p̲A, and the "
          "median ratio C11 / Cohen over certified rows:", ""]
    rows = []
    for r in results:
        act = (~r.log.abstain) & (r.radii["radius_cohen"] > 0)
        rat = {c: float(np.median(r.radii[c][act] / r.radii["radius_cohen"][act])) if act.any() else float("nan")
               for c in ("radius_c11_c1", "radius_c11_c3")}
        e = next(e for e in summary["logs"] if e["file"] == r.log.name)
        rows.append([_label(r), int(act.sum()), e["rows_c11_above_cohen"]["radius_c11_c1"],
                     e["rows_c11_above_cohen"]["radius_c11_c3"], f"{rat['radius_c11_c1']:.3f}",
                     f"{rat['radius_c11_c3']:.3f}"])
    L += _table(rows, ["log", "certified rows", "C11 c=1 > Cohen", "C11 c=3 > Cohen", "median C11/Cohen c=1",
                       "median C11/Cohen c=3"])
    L += ["", "Smaller c, same rows (the paper allows any c > 0; a C11 radius above Cohen's tight radius is "
          "unsound: a half-space base classifier with the same p̲A flips inside it — the audit's witnesses, "
          "`python -m theory audit`):", ""]
    rows = []
    for e in summary["logs"]:
        for c, v in e["c11_small_c"].items():
            rows.append([e["file"], c, v["certified_rows"], v["rows_above_cohen"],
                         "—" if v["example_idx"] is None else v["example_idx"]]
                        + [_pct(v["certified_accuracy_l2"][str(x)]) for x in L2_RADII])
    L += _table(rows, ["file", "c", "certified rows", "C11 > Cohen", "example idx"]
                + [f"acc. R = {x:g}" for x in L2_RADII])
    om = [float(np.nanmin(r.one_minus_pA)) for r in results if np.any(np.isfinite(r.one_minus_pA))]
    n_above = sum(e["rows_c11_above_cohen"][c] for e in summary["logs"] for c in ("radius_c11_c1", "radius_c11_c3"))
    n_small = sum(v["rows_above_cohen"] for e in summary["logs"] for v in e["c11_small_c"].values())
    L += ["", f"At the probabilities these models produce (1 − p̲A ≥ {min(om) if om else float('nan'):.2g}), C11 with "
          f"c ∈ {{1, 3}} exceeds the tight radius on {n_above} rows, and with c ∈ {{{', '.join(map(str, SMALL_C))}}} "
          f"on {n_small} (row, c) pairs: the paper's 'a smaller c yields a larger r compared to Cohen et al.' "
          "is true only where the larger radius is not a valid certificate.", ""]
    # 7. l_inf
    L += [f"## 7. ℓ∞ radii from the same probabilities (d = {d}): T18 and the ℓ2 → ℓ∞ conversion", "",
          "T18 (Gaussian, DMR, ℓ∞) with the C11 argument gives r∞ = r_C11/√d; the conversion of Cohen's tight "
          "ℓ2 radius gives r∞ = r_Cohen/√d. Certified accuracy (%) at ℓ∞ radii in units of 1/255, and the "
          "median certified ℓ∞ radius over certified-correct rows (×255):", ""]
    rows = []
    for r in sorted(results, key=lambda r: (r.sigma, r.log.train_sigma or 0)):
        for c in LINF_COLS:
            med = median_certified_radius(r.radii[c], r.log.correct, r.log.predict)
            rows.append([_label(r), COLUMN_LABELS[c]]
                        + [_pct(r.certified_accuracy(c, x / 255)[0]) for x in LINF_RADII_255] + [f"{255 * med:.2f}"])
    L += _table(rows, ["log", "certificate"] + [f"{x:g}/255" for x in LINF_RADII_255] + ["median ×255"])
    if "linf" in figs:
        L += ["", f"![l_inf]({figs['linf']})", ""]
    L += ["The exponential mechanism (T13, D∞) cannot be replayed from these logs: they hold probabilities of "
          "Gaussian-smoothed classifiers, while T13's radius needs p̲A under eq.-6 noise. The paper's Figure 3 "
          "comparison is therefore made on our own models (`python -m empirical experiment cifar10`).", ""]
    # 8. other certificates
    L += ["## 8. Every other applicable certificate (ℓ2), same rows", ""]
    rows = []
    for r in sorted(results, key=lambda r: (r.sigma, r.log.train_sigma or 0)):
        for c in ("radius_pixeldp", "radius_li_renyi"):
            rows.append([_label(r), COLUMN_LABELS[c]] + [_pct(r.certified_accuracy(c, x)[0]) for x in L2_RADII])
    L += _table(rows, ["log", "certificate"] + [f"R = {x:g}" for x in L2_RADII])
    # closing
    L += ["", "## Closing note", ""]
    L += _closing(summary, results)
    return "\n".join(L) + "\n"


def _closing(summary, results) -> list[str]:
    out = []
    r55 = _select(results, train=0.5, sigma=0.5)
    if r55:
        r = r55[0]
        a1, a3, ac = (r.certified_accuracy(c, 1.0)[0] for c in ("radius_c11_c1", "radius_c11_c3", "radius_cohen"))
        out.append(f"* **'≈20% certified accuracy at ℓ2 = 1.0'**: on the training-σ = 0.5 model with mechanism "
                   f"σ = 0.5, C11 certifies {_pct(a1)}% (c = 1) and {_pct(a3)}% (c = 3); Cohen's tight radius "
                   f"{_pct(ac)}%.")
    acc1 = {(_label(r)): r.certified_accuracy("radius_c11_c1", 1.0)[0] for r in results}
    acc3 = {(_label(r)): r.certified_accuracy("radius_c11_c3", 1.0)[0] for r in results}
    near = [k for k, v in acc1.items() if 0.15 <= v <= 0.25]
    out.append(f"  Across all logs, C11 c = 1 reaches 15–25% at ℓ2 = 1.0 for: {', '.join(near) or 'none'}; the best "
               f"C11 c = 3 value is {_pct(max(acc3.values()))}%. With c = 3 (the paper's recommended value) the "
               "largest C11 radius any row can reach is σ·√2·logit(p̲A_max)/8 — about 0.85 at σ = 0.5 — so "
               "ℓ2 = 1.0 needs σ ≥ 0.6 under c = 3.")
    e55 = [e for e in summary["logs"] if e["train_sigma"] == 0.5 and e["sigma"] == 0.5]
    if e55:
        sc = e55[0]["c11_small_c"]
        out.append("  With a smaller c the paper's number appears on that model: C11 at ℓ2 = 1.0 certifies "
                   + ", ".join(f"{_pct(v['certified_accuracy_l2']['1.0'])}% with c = {c} ({v['rows_above_cohen']} of "
                               f"{v['certified_rows']} rows then exceed the tight radius, i.e. are unsound)"
                               for c, v in sc.items()) + ".")
    ratios = {}
    for c in ("radius_c11_c1", "radius_c11_c3"):
        meds = []
        for r in results:
            act = (~r.log.abstain) & (r.radii["radius_cohen"] > 0)
            if act.any():
                meds.append(float(np.median(r.radii[c][act] / r.radii["radius_cohen"][act])))
        ratios[c] = (min(meds), max(meds)) if meds else (float("nan"), float("nan"))
    above = sum(e["rows_c11_above_cohen"][c] for e in summary["logs"] for c in ("radius_c11_c1", "radius_c11_c3"))
    out.append(f"* **C11 vs Cohen**: {above} rows over all logs where C11 (c = 1, 3) exceeds Cohen's tight radius "
               f"(median ratio C11/Cohen per log {ratios['radius_c11_c1'][0]:.2f}–{ratios['radius_c11_c1'][1]:.2f} "
               f"for c = 1, {ratios['radius_c11_c3'][0]:.2f}–{ratios['radius_c11_c3'][1]:.2f} for c = 3); 'a smaller "
               "c yields a larger r' than Cohen's happens only for c < 1, and there the excess is unsound (Section 6).")
    bad = [e for e in summary["logs"] if e["consistency"]["rows_above_max"] > 0]
    if bad:
        out.append("* **Log anomaly**: " + ", ".join(f"`{e['file']}`" for e in bad) +
                   f" contain radii larger than n = {summary['n_claimed']:,}, α = {summary['alpha_claimed']} allow "
                   f"({_implied_text(bad, summary['n_claimed'], summary['alpha_claimed'])}).")
    out.append("* **ℓ∞**: the T18 and ℓ2→ℓ∞ radii are the ℓ2 radii divided by √3072 ≈ 55.4; see Section 7 for the "
               "certified accuracy at 1/255, 2/255, 4/255.")
    return out
