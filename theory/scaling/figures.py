"""The scaling report's figures (built with :mod:`theory.report`, no pyplot)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from theory.report import new_figure, save_figure
from theory.scaling.curves import CURVE_BY_KEY
from theory.scaling.grid import PAPER_DIMS
from theory.scaling.noise import MECHANISM_LABELS, NOISE_MECHANISMS

# --------------------------------------------------------------------------------------------------
# Figures (matplotlib.figure.Figure via theory.report; the global backend is never touched)
# --------------------------------------------------------------------------------------------------
_STYLE = {
    "gaussian-l2-C11-c1": ("tab:blue", "-"), "gaussian-l2-C11-c3": ("tab:blue", "--"),
    "gaussian-l2-cohen": ("tab:cyan", "-"), "exponential-linf-T13": ("tab:red", "-"),
    "exponential-linf-tight": ("tab:orange", "-"), "gaussian-linf-T18-c1": ("tab:green", "-"),
    "gaussian-linf-T18-c3": ("tab:green", "--"), "gaussian-linf-l2-to-linf": ("tab:olive", "-"),
    "bound-T12": ("0.3", ":"), "bound-T16": ("tab:purple", ":"), "bound-T17": ("k", ":"),
}


def _anchored_rate(dims: ArrayLike, k: float, j: float, y_anchor: float, d_anchor: float) -> np.ndarray:
    d = np.asarray(dims, dtype=float)
    f = d**k * np.where(d > 1, np.log(np.maximum(d, 1.0 + 1e-12)), np.nan) ** j if j else d**k
    fa = d_anchor**k * (math.log(d_anchor) ** j if j else 1.0)
    return np.asarray(y_anchor * f / fa, dtype=float)


def figure_radius(path: str | Path, dims: ArrayLike, table: dict[str, dict[float, np.ndarray]],
                  pAs: Sequence[float], normalisation: str) -> None:
    """log–log radius vs d, one panel per pA, with the claimed rates overlaid (dashed grey, drawn parallel
    at 0.3 × the first curve that claims them, anchored at d ≈ 1000) and, at fixed E‖z‖∞, the T12/T16/T17
    bounds (constants := 1, dotted).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from theory.scaling import radius_table
    >>> dims, path = [10, 100, 1000], pathlib.Path(tempfile.mkdtemp()) / "r.png"
    >>> figure_radius(path, dims, radius_table(dims, [0.99], normalisation="sigma"), [0.99], "sigma")
    >>> path.stat().st_size > 0
    True
    """
    fig, axes = new_figure(1, len(pAs), figsize=(5.0 * len(pAs), 5.4), squeeze=False, sharey=True)
    dims = np.asarray(dims, dtype=float)
    ia = int(np.argmin(np.abs(np.log(dims) - math.log(1000.0))))
    big = dims > 1
    handles: dict[str, Any] = {}
    for ax, pA in zip(axes[0], pAs, strict=True):
        drawn = set()
        for key, per in table.items():
            spec = CURVE_BY_KEY[key]
            color, ls = _STYLE[key]
            (h,) = ax.loglog(dims, per[pA], color=color, ls=ls, lw=1.6 if spec.kind != "bound" else 1.3)
            handles.setdefault(spec.label, h)
            rates = spec.rates_sigma if normalisation == "sigma" else spec.rates_linf
            for rate in rates[-1:]:
                tag = (rate.exponent, rate.log_exponent)
                if tag in drawn or spec.kind == "bound":
                    continue
                drawn.add(tag)
                y = _anchored_rate(dims[big], rate.exponent, rate.log_exponent, 0.3 * per[pA][ia], dims[ia])
                (h,) = ax.loglog(dims[big], y, color="0.45", ls=(0, (5, 3)), lw=0.9)
                handles.setdefault("claimed rate, drawn at 0.3 × the curve (grey dashed)", h)
                ax.annotate("∝ " + rate.text(), (dims[big][-1], y[-1]), fontsize=8, color="0.3",
                            ha="right", va="top", xytext=(0, -2), textcoords="offset points")
        for dd in PAPER_DIMS.values():
            ax.axvline(dd, color="0.88", lw=0.8, zorder=0)
        ax.set_title(f"pA = {pA}")
        ax.set_xlabel("dimension d")
        ax.grid(True, which="major", alpha=0.3)
        ax.minorticks_off()  # log-axis minor ticks cost most of the drawing time
    what = "σ = 1" if normalisation == "sigma" else "E‖z‖∞ = 1 (σ chosen per mechanism and d)"
    axes[0][0].set_ylabel("certified radius")
    fig.legend(list(handles.values()), list(handles.keys()), loc="lower center", ncol=3, fontsize=7.5,
               frameon=False)
    fig.suptitle(f"Certified radius vs dimension at {what}; vertical lines: d = 784, 3072, 150528", fontsize=10)
    fig.subplots_adjust(left=0.06, right=0.99, top=0.9, bottom=0.3, wspace=0.06)
    save_figure(fig, path)


def figure_noise(path: str | Path, dims: ArrayLike, exact: dict[str, dict[str, Any]],
                 mc: dict[str, list[dict[str, Any]]]) -> None:
    """E‖z‖∞ and E‖z‖₂ vs d at σ = 1: exact (lines) and Monte Carlo means with intervals (markers).

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> from theory.scaling import exact_noise_magnitudes, monte_carlo_noise
    >>> rng, path = np.random.default_rng(0), pathlib.Path(tempfile.mkdtemp()) / "n.png"
    >>> mc = {m: [{**monte_carlo_noise(m, 1.0, 10, rng), "d": 10}] for m in NOISE_MECHANISMS}
    >>> figure_noise(path, [1, 10], exact_noise_magnitudes([1, 10]), mc)
    >>> path.stat().st_size > 0
    True
    """
    fig, axes = new_figure(1, 2, figsize=(11, 4.6))
    dims = np.asarray(dims, dtype=float)
    colors = {"gaussian": "tab:blue", "exponential-linf": "tab:red"}
    for ax, norm, mc_key in ((axes[0], "expected_linf_norm", "linf_order_statistic"),
                             (axes[1], "expected_l2_norm", "l2_direct")):
        for name in NOISE_MECHANISMS:
            ax.loglog(dims, exact[name][norm], color=colors[name], lw=1.6, label=f"{MECHANISM_LABELS[name]}: exact")
            rows = mc[name]
            dm = np.array([r["d"] for r in rows], dtype=float)
            mean = np.array([r[mc_key]["mean"] for r in rows])
            lo = np.array([r[mc_key]["ci"][0] for r in rows])
            hi = np.array([r[mc_key]["ci"][1] for r in rows])
            route = "‖z‖∞ order statistic" if mc_key == "linf_order_statistic" else "‖z‖₂ direct sampler"
            ax.errorbar(dm, mean, yerr=[mean - lo, hi - mean], fmt="o", ms=3, color=colors[name], mfc="none",
                        label=f"{name}: Monte Carlo ({route})")
        big = dims[dims > 1]
        if norm == "expected_linf_norm":
            ax.loglog(big, np.sqrt(2 * np.log(big)), color="0.5", ls="--", lw=0.9, label="√(2 ln d)")
            ax.loglog(dims, dims, color="0.5", ls=":", lw=0.9, label="d (T15)")
            ax.set_ylabel("E‖z‖∞ at σ = 1")
        else:
            ax.loglog(dims, np.sqrt(dims), color="0.5", ls="--", lw=0.9, label="√d")
            ax.loglog(dims, dims**1.5 / math.sqrt(3), color="0.5", ls=":", lw=0.9, label="d^(3/2)/√3")
            ax.set_ylabel("E‖z‖₂ at σ = 1")
        ax.set_xlabel("dimension d")
        ax.grid(True, which="major", alpha=0.3)
        ax.minorticks_off()  # log-axis minor ticks cost most of the drawing time
        ax.legend(fontsize=7)
    fig.suptitle("Noise magnitude vs dimension (σ = 1; both scale linearly in σ)", fontsize=10)
    fig.subplots_adjust(left=0.07, right=0.99, top=0.9, bottom=0.11, wspace=0.22)
    save_figure(fig, path)


def figure_ratio(path: str | Path, dims: ArrayLike, ratios: dict[tuple[str, str], Any], pA: float,
                 d_mark: int = PAPER_DIMS["CIFAR-10"]) -> None:
    """Gaussian / exponential ℓ∞ radius ratio at matched E‖z‖∞ vs d, with √(d/ln d) and the paper's 10–20.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "q.png"
    >>> pair = ("gaussian-linf-T18-c1", "exponential-linf-T13")
    >>> figure_ratio(path, [10, 100, 1000], {pair: np.array([2.0, 5.0, 12.0])}, 0.99)
    >>> path.stat().st_size > 0
    True
    """
    fig, ax = new_figure(figsize=(6.5, 4.6))
    dims = np.asarray(dims, dtype=float)
    colors = {"gaussian-linf-T18-c1": "tab:green", "gaussian-linf-T18-c3": "tab:blue",
              "gaussian-linf-l2-to-linf": "tab:olive"}
    for (g, e), y in ratios.items():
        ax.loglog(dims, y, lw=1.4, color=colors.get(g, "k"), ls="-" if e == "exponential-linf-T13" else "--",
                  label=f"{CURVE_BY_KEY[g].label} / {CURVE_BY_KEY[e].label}")
    big = dims[dims > 1]
    ax.loglog(big, np.sqrt(big / np.log(big)), color="k", ls=":", label="√(d / ln d) (paper's 'i.e.')")
    ax.axvline(d_mark, color="0.8", lw=0.8)
    ax.fill_between([d_mark * 0.8, d_mark * 1.25], 10, 20, color="gold", alpha=0.5, label="paper: 10∼20 at d = 3072")
    ax.set_xlabel("dimension d")
    ax.set_ylabel("r_Gaussian,ℓ∞ / r_exponential,ℓ∞ at equal E‖z‖∞")
    ax.set_title(f"Gaussian vs eq. 6 ℓ∞ radius at equal noise magnitude, pA = {pA}", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    ax.minorticks_off()  # log-axis minor ticks cost most of the drawing time
    ax.legend(fontsize=6.5)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.92, bottom=0.11)
    save_figure(fig, path)
