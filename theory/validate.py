"""Input validation shared by every public function (public: ``from theory import validate``).

Every check raises ``ValueError`` naming the parameter and its allowed range; nothing is clamped.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["real", "positive", "nonnegative", "in_open_interval", "in_closed_interval", "dimension", "count",
           "alpha_order", "distribution", "same_shape", "choice"]


def _is_real(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def real(name: str, x, *, allow_inf: bool = False) -> float:
    """A real number (not NaN; infinite only when ``allow_inf``)."""
    if not _is_real(x):
        try:
            import mpmath

            if isinstance(x, mpmath.mpf):
                x = float(x)
            else:
                raise TypeError
        except TypeError:
            raise ValueError(f"{name} must be a real number, got {x!r}") from None
    x = float(x)
    if math.isnan(x):
        raise ValueError(f"{name} must be a real number, got NaN")
    if math.isinf(x) and not allow_inf:
        raise ValueError(f"{name} must be finite, got {x}")
    return x


def positive(name: str, x, *, allow_inf: bool = False) -> float:
    """A real number in (0, inf)."""
    x = real(name, x, allow_inf=allow_inf)
    if not x > 0:
        raise ValueError(f"{name} must be > 0 (allowed range (0, inf)), got {x}")
    return x


def nonnegative(name: str, x, *, allow_inf: bool = False) -> float:
    """A real number in [0, inf)."""
    x = real(name, x, allow_inf=allow_inf)
    if not x >= 0:
        raise ValueError(f"{name} must be >= 0 (allowed range [0, inf)), got {x}")
    return x


def in_open_interval(name: str, x, lo: float, hi: float) -> float:
    """A real number in (lo, hi)."""
    x = real(name, x, allow_inf=False)
    if not lo < x < hi:
        raise ValueError(f"{name} must lie in ({lo}, {hi}), got {x}")
    return x


def in_closed_interval(name: str, x, lo: float, hi: float) -> float:
    """A real number in [lo, hi]."""
    x = real(name, x, allow_inf=False)
    if not lo <= x <= hi:
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got {x}")
    return x


def dimension(name: str, d) -> int:
    """A positive integer (an int, or an integral float such as 1e9)."""
    if isinstance(d, bool):
        raise ValueError(f"{name} must be an integer >= 1, got {d!r}")
    if isinstance(d, numbers.Integral):
        d = int(d)
    elif _is_real(d) and math.isfinite(float(d)) and float(d).is_integer():
        d = int(d)
    else:
        raise ValueError(f"{name} must be an integer >= 1, got {d!r}")
    if d < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {d}")
    return d


def count(name: str, n, *, minimum: int = 0) -> int:
    """An integer >= minimum."""
    if isinstance(n, bool) or not (
        isinstance(n, numbers.Integral) or (_is_real(n) and math.isfinite(float(n)) and float(n).is_integer())
    ):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n!r}")
    n = int(n)
    if n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n}")
    return n


def alpha_order(name: str, alpha, *, minimum: float = 1.0, allow_inf: bool = True) -> float:
    """A Rényi order alpha in [minimum, inf] (alpha = 1 means KL, alpha = inf means D_inf)."""
    a = real(name, alpha, allow_inf=allow_inf)
    if not a >= minimum:
        raise ValueError(f"{name} must be >= {minimum} (allowed range [{minimum}, inf]), got {a}")
    return a


def distribution(name: str, p, *, atol: float = 1e-9) -> np.ndarray:
    """A probability vector: finite, non-negative, summing to 1 within ``atol``."""
    try:
        arr = np.asarray(p, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of probabilities, got {p!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array of probabilities, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite probabilities (found NaN or inf)")
    if np.any(arr < 0):
        raise ValueError(f"{name} must have entries in [0, 1] (found a negative entry {arr.min()})")
    s = float(arr.sum())
    if abs(s - 1.0) > atol:
        raise ValueError(f"{name} must sum to 1 within {atol}, sums to {s!r}")
    return arr


def same_shape(name_p: str, p: np.ndarray, name_q: str, q: np.ndarray) -> None:
    if p.shape != q.shape:
        raise ValueError(f"{name_p} and {name_q} must have the same shape, got {p.shape} and {q.shape}")


def choice(name: str, value, allowed) -> str:
    """One of ``allowed`` (an unhashable value such as a list is simply not one of them)."""
    try:
        ok = value in allowed
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value
