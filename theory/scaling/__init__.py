"""How certified radii and noise magnitudes scale with the dimension d (Table 1, T12–T18, Section 4).

This module turns the paper's O(·) statements into numbers and pictures. It never re-derives a radius
or a noise magnitude: noise magnitudes come from :mod:`theory.mechanisms` (``expected_linf_norm``,
``expected_l2_norm``, the R14 sampler) and radii from :mod:`theory.certificates`. What it adds:

* a dimension grid (log-spaced 1 … 10⁶ plus the paper's data dimensions 784, 3072, 150528);
* Monte Carlo estimates of E‖z‖∞ and E‖z‖₂ with confidence intervals (an independent route to the
  exact values);
* log–log least-squares fits ``log y = log C + k log d + j log log d`` with t-based confidence intervals
  (:func:`fit_power_law`, :func:`fit_power_log_law`), and fits against the paper's claimed rates with
  their logarithmic factors (y / rate(d) should have exponent 0: "flat");
* the paper's concrete numbers (the "about 10∼20 times" ratio at d = 3072 -- at equal E‖z‖∞, an
  assumption, with the ratio at equal E‖z‖₂ for context --, "less than 1/255" on
  ImageNet, the "4/255 on every pixel" footnote);
* the report ``reports/scaling.{md,json}`` and its figures: :func:`compute_scaling` returns a
  :class:`ScalingResult` (writes nothing), :func:`write_scaling_report` renders it
  (``python -m theory scaling`` does both).

Modules (this package re-exports their public names):

* :mod:`theory.scaling.grid`       -- the dimension grid, the paper's data dimensions and σ values;
* :mod:`theory.scaling.fits`       -- log–log fits with confidence intervals;
* :mod:`theory.scaling.noise`      -- noise magnitudes, exact and Monte Carlo (T15, R14);
* :mod:`theory.scaling.curves`     -- certified radii vs d, the claimed rates and the fits against them;
* :mod:`theory.scaling.statements` -- the paper's concrete numbers (Section 4);
* :mod:`theory.scaling.compute`    -- :func:`compute_scaling`, :class:`ScalingResult` and the verdicts;
* :mod:`theory.scaling.figures`, :mod:`theory.scaling.report` -- rendering only.

On the confidence intervals of the fits. For data with i.i.d. Gaussian errors in log space the interval
``k̂ ± t_{n-p, (1+level)/2} · se(k̂)`` has exact coverage ``level`` (ordinary least squares). The radius
and magnitude curves of this report are deterministic: there the interval only measures how far the
curve is from a straight line in log–log coordinates on the fitted window (curvature from log factors).
A narrow interval that excludes the paper's pure exponent is therefore evidence of a log factor, not of
noise; that is why each curve is also fitted against the claimed rate *including* its log factors.

Examples
--------
>>> from theory.scaling import epsilon_dmr, fit_power_law
>>> fit = fit_power_law([10, 100, 1000], [0.1, 0.01, 0.001])
>>> round(fit.exponent, 6)
-1.0
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from theory.scaling.compute import (
    FIGURES,
    SCHEMA_VERSION,
    ScalingResult,
    Verdict,
    compute_scaling,
    scaling_verdicts,
)
from theory.scaling.curves import (
    CURVE_BY_KEY,
    CURVES,
    FIT_WINDOW,
    FLAT_TOL,
    CurveSpec,
    Rate,
    bound_radius,
    certificate_radius,
    epsilon_dinf,
    epsilon_dmr,
    radius_table,
    rate_checks,
)
from theory.scaling.figures import figure_noise, figure_radius, figure_ratio
from theory.scaling.fits import PowerLawFit, fit_power_law, fit_power_log_law, fit_to_rate
from theory.scaling.grid import DEFAULT_PA, PAPER_DIMS, PAPER_SIGMAS, default_dims
from theory.scaling.noise import (
    MECHANISM_LABELS,
    NOISE_MECHANISMS,
    exact_noise_magnitudes,
    mean_confidence_interval,
    monte_carlo_noise,
    sample_linf_norm_order_statistic,
)
from theory.scaling.report import render_markdown, write_figures, write_scaling_report
from theory.scaling.statements import (
    COHEN_ALPHA,
    COHEN_N,
    footnote_statement,
    imagenet_statement,
    ratio_statement,
)

__all__ = [
    "compute_scaling", "ScalingResult", "Verdict", "write_scaling_report", "render_markdown", "run_scaling",
    "scaling_verdicts", "SCHEMA_VERSION", "FIGURES",
    "default_dims", "PAPER_DIMS", "PAPER_SIGMAS", "DEFAULT_PA",
    "PowerLawFit", "fit_power_law", "fit_power_log_law", "fit_to_rate",
    "NOISE_MECHANISMS", "MECHANISM_LABELS", "mean_confidence_interval", "sample_linf_norm_order_statistic",
    "exact_noise_magnitudes", "monte_carlo_noise",
    "FIT_WINDOW", "FLAT_TOL", "Rate", "CurveSpec", "CURVES", "CURVE_BY_KEY", "certificate_radius", "epsilon_dmr",
    "epsilon_dinf", "bound_radius", "radius_table", "rate_checks",
    "COHEN_N", "COHEN_ALPHA", "ratio_statement", "imagenet_statement", "footnote_statement",
    "figure_radius", "figure_noise", "figure_ratio", "write_figures",
]


def run_scaling(out_dir: str | Path = "reports", dims: Iterable[Any] | None = None,
                json_path: str | Path | None = None, *, figures: bool = True, **kw: Any) -> ScalingResult:
    """:func:`compute_scaling` (keywords ``kw``) then :func:`write_scaling_report` into ``out_dir``.

    What ``python -m theory scaling`` runs; returns the result.
    """
    result = compute_scaling(dims, **kw)
    write_scaling_report(result, out_dir, json_path=json_path, figures=figures)
    return result
