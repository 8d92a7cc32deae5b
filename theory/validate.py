"""Input validation shared by every public function (public: ``from theory import validate``).

Every check raises ``ValueError`` naming the parameter and its allowed range; nothing is clamped.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["real", "positive", "nonnegative", "in_open_interval", "in_closed_interval", "dimension", "count",
           "alpha_order", "distribution", "same_shape", "choice"]


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def real(name: str, x: Any, *, allow_inf: bool = False) -> float:
    """A real number (not NaN; infinite only when ``allow_inf``).

    Examples
    --------
    >>> real("x", 2)
    2.0
    >>> real("x", float("nan"))
    Traceback (most recent call last):
        ...
    ValueError: x must be a real number, got NaN
    """
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
    return float(x)


def positive(name: str, x: Any, *, allow_inf: bool = False) -> float:
    """A real number in (0, inf).

    Examples
    --------
    >>> positive("sigma", 0.5)
    0.5
    >>> positive("sigma", -1.0)
    Traceback (most recent call last):
        ...
    ValueError: sigma must be > 0 (allowed range (0, inf)), got -1.0
    """
    x = real(name, x, allow_inf=allow_inf)
    if not x > 0:
        raise ValueError(f"{name} must be > 0 (allowed range (0, inf)), got {x}")
    return float(x)


def nonnegative(name: str, x: Any, *, allow_inf: bool = False) -> float:
    """A real number in [0, inf).

    Examples
    --------
    >>> nonnegative("shift", 0)
    0.0
    >>> nonnegative("shift", -0.5)
    Traceback (most recent call last):
        ...
    ValueError: shift must be >= 0 (allowed range [0, inf)), got -0.5
    """
    x = real(name, x, allow_inf=allow_inf)
    if not x >= 0:
        raise ValueError(f"{name} must be >= 0 (allowed range [0, inf)), got {x}")
    return float(x)


def in_open_interval(name: str, x: Any, lo: float, hi: float) -> float:
    """A real number in (lo, hi).

    Examples
    --------
    >>> in_open_interval("pA", 0.99, 0.5, 1.0)
    0.99
    >>> in_open_interval("pA", 1.0, 0.5, 1.0)
    Traceback (most recent call last):
        ...
    ValueError: pA must lie in (0.5, 1.0), got 1.0
    """
    x = real(name, x, allow_inf=False)
    if not lo < x < hi:
        raise ValueError(f"{name} must lie in ({lo}, {hi}), got {x}")
    return float(x)


def in_closed_interval(name: str, x: Any, lo: float, hi: float) -> float:
    """A real number in [lo, hi].

    Examples
    --------
    >>> in_closed_interval("q", 1, 0, 1)
    1.0
    >>> in_closed_interval("q", 2, 0, 1)
    Traceback (most recent call last):
        ...
    ValueError: q must lie in [0, 1], got 2.0
    """
    x = real(name, x, allow_inf=False)
    if not lo <= x <= hi:
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got {x}")
    return float(x)


def dimension(name: str, d: Any) -> int:
    """A positive integer (an int, or an integral float such as 1e9).

    Examples
    --------
    >>> dimension("d", 3072.0)
    3072
    >>> dimension("d", 0)
    Traceback (most recent call last):
        ...
    ValueError: d must be an integer >= 1, got 0
    """
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
    return int(d)


def count(name: str, n: Any, *, minimum: int = 0) -> int:
    """An integer >= minimum.

    Examples
    --------
    >>> count("n", 10)
    10
    >>> count("n", 2.5)
    Traceback (most recent call last):
        ...
    ValueError: n must be an integer >= 0, got 2.5
    """
    if isinstance(n, bool) or not (
        isinstance(n, numbers.Integral) or (_is_real(n) and math.isfinite(float(n)) and float(n).is_integer())
    ):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n!r}")
    n = int(n)
    if n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n}")
    return int(n)


def alpha_order(name: str, alpha: Any, *, minimum: float = 1.0, allow_inf: bool = True) -> float:
    """A Rényi order alpha in [minimum, inf] (alpha = 1 means KL, alpha = inf means D_inf).

    Examples
    --------
    >>> alpha_order("alpha", float("inf"))
    inf
    >>> alpha_order("alpha", 0.5)
    Traceback (most recent call last):
        ...
    ValueError: alpha must be >= 1.0 (allowed range [1.0, inf]), got 0.5
    """
    a = real(name, alpha, allow_inf=allow_inf)
    if not a >= minimum:
        raise ValueError(f"{name} must be >= {minimum} (allowed range [{minimum}, inf]), got {a}")
    return a


def distribution(name: str, p: Any, *, atol: float = 1e-9) -> np.ndarray:
    """A probability vector: finite, non-negative, summing to 1 within ``atol``.

    Examples
    --------
    >>> distribution("p", [0.25, 0.75])
    array([0.25, 0.75])
    >>> distribution("p", [0.5, 0.6])
    Traceback (most recent call last):
        ...
    ValueError: p must sum to 1 within 1e-09, sums to 1.1
    """
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
    """Two arrays of the same shape (``ValueError`` naming both otherwise).

    Examples
    --------
    >>> import numpy as np
    >>> same_shape("p", np.zeros(2), "q", np.zeros(3))
    Traceback (most recent call last):
        ...
    ValueError: p and q must have the same shape, got (2,) and (3,)
    """
    if p.shape != q.shape:
        raise ValueError(f"{name_p} and {name_q} must have the same shape, got {p.shape} and {q.shape}")


def choice(name: str, value: Any, allowed: Iterable[Any]) -> str:
    """One of ``allowed`` (an unhashable value such as a list is simply not one of them).

    Examples
    --------
    >>> choice("norm", "l2", ("l2", "linf"))
    'l2'
    >>> choice("norm", "l3", ("l2", "linf"))
    Traceback (most recent call last):
        ...
    ValueError: norm must be one of ['l2', 'linf'], got 'l3'
    """
    try:
        ok = value in allowed
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value  # type: ignore[no-any-return]  # the caller passes strings
