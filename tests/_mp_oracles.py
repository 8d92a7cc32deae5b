"""mpmath oracles shared by the tests: independent of ``theory`` (nothing is imported from it).

* :func:`golden_argmax` / :func:`golden_max` -- the maximum of a unimodal-near-its-peak function on an interval:
  a grid brackets the maximum, golden-section search refines it to a relative ``tol`` (default 1e-30).
* :func:`renyi2` / :func:`dmr2` -- D_α and DMR = sup_{α>1} D_α/α of two-outcome laws (p, 1 − p) ‖ (q, 1 − q), the
  sup searched over t = ln(α − 1) on a grid, refined by golden section, and compared with the α → 1+ limit (KL).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath as mp

GOLDEN_TOL = mp.mpf(10) ** -30


def golden_argmax(f: Callable[[Any], Any], lo: Any, hi: Any, grid: int = 64, tol: Any = GOLDEN_TOL) -> tuple[Any, Any]:
    """(x, f(x)) at the maximum of ``f`` on [lo, hi] (grid of ``grid`` + 1 points, then golden section)."""
    xs = [lo + (hi - lo) * i / grid for i in range(grid + 1)]
    vals = [f(x) for x in xs]
    i = max(range(len(xs)), key=lambda j: vals[j])
    a, b = xs[max(i - 1, 0)], xs[min(i + 1, grid)]
    g = (mp.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol * (1 + abs(a)):
        if fc > fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return max([(vals[i], xs[i]), (fc, c), (fd, d)], key=lambda v: v[0])[::-1]


def golden_max(f: Callable[[Any], Any], lo: Any, hi: Any, grid: int = 64, tol: Any = GOLDEN_TOL) -> Any:
    """max of ``f`` on [lo, hi] (see :func:`golden_argmax`)."""
    return golden_argmax(f, lo, hi, grid, tol)[1]


def renyi2(p: Any, q: Any, a: Any) -> Any:
    """D_α((p, 1 − p) ‖ (q, 1 − q)) in mpmath; α = 1: KL."""
    p, q, a = mp.mpf(p), mp.mpf(q), mp.mpf(a)
    if a == 1:
        return p * mp.log(p / q) + (1 - p) * mp.log((1 - p) / (1 - q))
    return mp.log(p ** a * q ** (1 - a) + (1 - p) ** a * (1 - q) ** (1 - a)) / (a - 1)


def dmr2(p: Any, q: Any, t_lo: float = -25, t_hi: float = 20, grid: int = 90) -> tuple[Any, Any, Any]:
    """(DMR, KL, argmax α) of (p, 1 − p) ‖ (q, 1 − q): sup over t = ln(α − 1) ∈ [t_lo, t_hi] (grid + golden
    section), and the α → 1+ limit KL when it is larger (then the argmax α is 1)."""
    def f(t: Any) -> Any:
        a = 1 + mp.e ** t
        return renyi2(p, q, a) / a

    t, val = golden_argmax(f, mp.mpf(t_lo), mp.mpf(t_hi), grid)
    kl = renyi2(p, q, 1)
    return (val, kl, 1 + mp.e ** t) if val >= kl else (kl, kl, mp.mpf(1))
