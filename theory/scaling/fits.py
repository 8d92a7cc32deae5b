"""Log–log least-squares fits ``log y = log C + k log d + j log log d`` with t-based confidence intervals.

See :mod:`theory.scaling` for what the intervals mean on deterministic curves.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from theory import validate as V


# --------------------------------------------------------------------------------------------------
# Log–log fits
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PowerLawFit:
    """Result of fitting ``y ≈ C · d^k · (log d)^j``.

    ``exponent`` is k with its two-sided confidence interval [``ci_low``, ``ci_high``] at ``level``;
    ``log_exponent`` is j (fixed when ``log_exponent_fitted`` is False, otherwise fitted, with its own
    interval). ``prefactor`` is C. ``n`` points with d in [``d_min``, ``d_max``] were used.

    Examples
    --------
    >>> fit = fit_power_law([10, 100, 1000], [2.0, 0.2, 0.02])
    >>> round(fit.exponent, 9), round(fit.prefactor, 9), fit.n
    (-1.0, 20.0, 3)
    """

    exponent: float
    ci_low: float
    ci_high: float
    stderr: float
    prefactor: float
    log_exponent: float
    log_exponent_fitted: bool
    log_ci_low: float
    log_ci_high: float
    level: float
    n: int
    d_min: float
    d_max: float
    r_squared: float
    max_abs_residual: float

    def contains(self, k: float, *, atol: float = 0.0) -> bool:
        """Whether k lies in the exponent's confidence interval (widened by ``atol`` each side)."""
        return self.ci_low - atol <= k <= self.ci_high + atol

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["interval"] = [self.ci_low, self.ci_high]
        return out


def _fit_inputs(d: Any, y: Any, level: float, d_min: float | None, d_max: float | None,
                need_loglog: bool) -> tuple[Any, ...]:
    level = V.in_open_interval("level", level, 0.0, 1.0)
    try:
        d = np.asarray(d, dtype=float)
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("d and y must be arrays of positive real numbers") from None
    if d.ndim != 1 or y.ndim != 1 or d.shape != y.shape:
        raise ValueError(f"d and y must be 1-d arrays of the same length, got shapes {d.shape} and {y.shape}")
    if not (np.all(np.isfinite(d)) and np.all(d > 0)):
        raise ValueError("d must contain finite values > 0 (allowed range (0, inf))")
    if not (np.all(np.isfinite(y)) and np.all(y > 0)):
        raise ValueError("y must contain finite values > 0 (allowed range (0, inf)); a log-log fit needs them")
    lo = -np.inf if d_min is None else V.positive("d_min", d_min)
    hi = np.inf if d_max is None else V.positive("d_max", d_max)
    mask = (d >= lo) & (d <= hi)
    if need_loglog:
        if np.any(mask & (d <= 1.0)):
            raise ValueError("d must be > 1 (allowed range (1, inf)) where a log factor (log d)^j is used; "
                             "set d_min > 1")
    d, y = d[mask], y[mask]
    return d, y, level


def fit_power_law(d: Any, y: Any, *, log_exponent: float = 0.0, level: float = 0.95,
                  d_min: float | None = None, d_max: float | None = None) -> PowerLawFit:
    """Least-squares fit of ``log y = log C + k · log d`` after dividing y by ``(log d)^j`` (j fixed).

    k̂ and its standard error come from :func:`scipy.stats.linregress`; the interval is
    k̂ ± t_{n-2,(1+level)/2} · se(k̂) (exact coverage for i.i.d. Gaussian errors in log y).
    ``log_exponent`` j = 0 gives the plain power law; j ≠ 0 needs every fitted d > 1.
    Only points with ``d_min <= d <= d_max`` are used; at least 3 are needed.

    Examples
    --------
    >>> round(fit_power_law([10, 100, 1000], [0.1, 0.01, 0.001]).exponent, 9)   # y = 1/d
    -1.0
    """
    j = V.real("log_exponent", log_exponent)
    d, y, level = _fit_inputs(d, y, level, d_min, d_max, need_loglog=(j != 0.0))
    if d.size < 3 or np.unique(d).size < 2:
        raise ValueError(f"a fit needs at least 3 points with 2 distinct d in [d_min, d_max], got {d.size}")
    x = np.log(d)
    t = np.log(y) - (j * np.log(np.log(d)) if j != 0.0 else 0.0)
    res = stats.linregress(x, t)
    k, se = float(res.slope), float(res.stderr)
    if not math.isfinite(se):
        se = 0.0
    q = float(stats.t.ppf(0.5 + level / 2.0, d.size - 2))
    resid = t - (res.intercept + k * x)
    r2 = float(res.rvalue ** 2) if np.ptp(t) > 0 else 1.0
    return PowerLawFit(exponent=k, ci_low=k - q * se, ci_high=k + q * se, stderr=se,
                       prefactor=float(math.exp(res.intercept)), log_exponent=j, log_exponent_fitted=False,
                       log_ci_low=j, log_ci_high=j, level=level, n=int(d.size), d_min=float(d.min()),
                       d_max=float(d.max()), r_squared=r2, max_abs_residual=float(np.max(np.abs(resid))))


def fit_power_log_law(d: Any, y: Any, *, level: float = 0.95, d_min: float | None = None,
                      d_max: float | None = None) -> PowerLawFit:
    """Joint least-squares fit of ``log y = log C + k · log d + j · log log d`` (k and j both fitted).

    Ordinary least squares with the design matrix [1, log d, log log d]; the covariance of the
    coefficients is s² (XᵀX)⁻¹ with s² = RSS/(n − 3), and each interval is ± t_{n-3,(1+level)/2} · se.
    Every d used must exceed 1 (log log d); at least 4 points are needed.

    Examples
    --------
    >>> import math
    >>> d = [10, 100, 1000, 10_000]
    >>> fit = fit_power_log_law(d, [x * math.sqrt(math.log(x)) for x in d])   # y = d (log d)^(1/2)
    >>> round(fit.exponent, 6), round(fit.log_exponent, 6)
    (1.0, 0.5)
    """
    d, y, level = _fit_inputs(d, y, level, d_min, d_max, need_loglog=True)
    if d.size < 4 or np.unique(d).size < 3:
        raise ValueError(f"a joint fit needs at least 4 points with 3 distinct d in [d_min, d_max], got {d.size}")
    x1 = np.log(d)
    x2 = np.log(x1)
    X = np.column_stack([np.ones_like(x1), x1, x2])
    t = np.log(y)
    coef, _, rank, _ = np.linalg.lstsq(X, t, rcond=None)
    if rank < 3:
        raise ValueError("d must span enough distinct values for a joint fit of k and j")
    resid = t - X @ coef
    dof = d.size - 3
    s2 = float(resid @ resid) / dof if dof > 0 else 0.0
    cov = s2 * np.linalg.inv(X.T @ X)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    q = float(stats.t.ppf(0.5 + level / 2.0, dof)) if dof > 0 else float("inf")
    k, j = float(coef[1]), float(coef[2])
    sst = float(np.sum((t - t.mean()) ** 2))
    r2 = 1.0 - float(resid @ resid) / sst if sst > 0 else 1.0
    return PowerLawFit(exponent=k, ci_low=float(k - q * se[1]), ci_high=float(k + q * se[1]), stderr=float(se[1]),
                       prefactor=float(math.exp(coef[0])), log_exponent=j, log_exponent_fitted=True,
                       log_ci_low=float(j - q * se[2]), log_ci_high=float(j + q * se[2]), level=level, n=int(d.size),
                       d_min=float(d.min()), d_max=float(d.max()), r_squared=r2,
                       max_abs_residual=float(np.max(np.abs(resid))))


def fit_to_rate(d: Any, y: Any, rate_exponent: float, rate_log_exponent: float = 0.0, *,
                level: float = 0.95,
                d_min: float | None = None, d_max: float | None = None) -> PowerLawFit:
    """Fit ``y / (d^k0 (log d)^j0) ≈ C · d^e``: e = 0 ("flat") when y follows the claimed rate d^k0 (log d)^j0.

    Returns the fit of the ratio; its ``exponent`` is the residual exponent e with its interval.

    Examples
    --------
    >>> import math
    >>> d = [100, 1000, 10_000]
    >>> y = [1 / math.sqrt(x * math.log(x)) for x in d]                  # the T18 rate 1/sqrt(d log d)
    >>> round(fit_to_rate(d, y, -0.5, -0.5).exponent, 9)                # residual exponent: flat
    0.0
    """
    k0 = V.real("rate_exponent", rate_exponent)
    j0 = V.real("rate_log_exponent", rate_log_exponent)
    fit = fit_power_law(d, y, log_exponent=j0, level=level, d_min=d_min, d_max=d_max)
    return PowerLawFit(**{**asdict(fit), "exponent": fit.exponent - k0, "ci_low": fit.ci_low - k0,
                          "ci_high": fit.ci_high - k0})
