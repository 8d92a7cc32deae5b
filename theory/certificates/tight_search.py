"""Soundness against the tight radius: does a certificate ever exceed the Neyman-Pearson-tight radius of the same
mechanism and norm?  Grid + Brent search over 1 - pA (binary) and over admissible (pA, pB) pairs of a K-class
problem (multi-class).  Used by :mod:`theory.soundness`, :mod:`theory.witness` and the audit.

References
----------
Cohen, Rosenfeld & Kolter 2019, Theorem 1 (the tight Gaussian l2 radius); Yang et al. 2020, "Randomized smoothing
of all shapes and sizes" (the tight radius of eq.-6 noise in l_inf, binary form).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize

from theory import validate as V
from theory.certificates.registry import Certificate, get

__all__ = ["SOUNDNESS_SETTINGS", "EXCEED_RTOL", "DEFAULT_NUM_CLASSES", "SOUNDNESS_NUM_CLASSES", "min_runner_up",
           "multiclass_exceeds_tight", "exceeds_tight", "soundness_table"]

# =====================================================================================================
# Soundness: does a certificate ever exceed the tight (Neyman-Pearson) radius of the same mechanism and norm?
# =====================================================================================================

#: Parameter settings searched by :func:`soundness_table` ("each setting the paper uses or allows").
SOUNDNESS_SETTINGS: dict[str, list[dict[str, Any]]] = {
    "c11": [{"c": c} for c in (0.5, 1.0, 2.0, 3.0)],
    "t18": [{"c": c, "d": 3072} for c in (0.5, 1.0, 2.0, 3.0)],
    "t13": [{}],
    "pixeldp": [{}],
    "li-renyi": [{}],
    "cohen-linf": [{"d": 3072}],
}

#: A certificate "exceeds" the tight radius when radius / tight > 1 + EXCEED_RTOL.  The radii are computed to
#: ~1e-13 relative (tests: agreement with mpmath to 1e-12), so 1e-9 is far above the numerical noise.
EXCEED_RTOL = 1e-9


def _log_ratio_to_tight(cert: Certificate, tight: Certificate, y: float, sigma: float, params: dict[str, Any],
                        log_pB: float | None = None) -> float:
    """log(radius / tight radius) at log(1 - pA) = y (binary unless log_pB is given)."""
    tparams = {k: v for k, v in params.items() if k in tight.params}
    kw = {"log_one_minus_pA": y, "sigma": sigma}
    if log_pB is not None:
        kw["log_pB"] = log_pB
    r = cert.radius(**kw, **params)
    t = tight.radius(**kw, **tparams)
    if t <= 0:
        return math.inf if r > 0 else 0.0
    if r <= 0:
        return -math.inf
    return math.log(r / t)


#: Number of classes K of the multi-class search: CIFAR-10 (the default) and ImageNet (also reported by the audit).
DEFAULT_NUM_CLASSES = 10
SOUNDNESS_NUM_CLASSES = (10, 1000)


def min_runner_up(one_minus_pA: float, num_classes: int) -> float:
    """Smallest runner-up probability pB a ``num_classes``-class problem allows at 1 - pA: the other K - 2 classes
    hold 1 - pA - pB, each at most pB (pB is the runner-up), so 1 - pA - pB <= (K - 2) pB, i.e.
    pB >= (1 - pA)/(K - 1) (equality: the rest spread evenly over K - 2 classes of probability pB).

    Examples
    --------
    >>> min_runner_up(0.09, 10)        # 0.09 spread over the runner-up and 8 more classes
    0.01
    """
    return one_minus_pA / (num_classes - 1)


def multiclass_exceeds_tight(name: str, *, num_classes: int = DEFAULT_NUM_CLASSES, sigma: float = 1.0,
                             min_one_minus_pA: float = 1e-15, grid: int = 240, pB_grid: int = 24,
                             **params: Any) -> dict[str, Any] | None:
    """Multi-class form of :func:`exceeds_tight` for a problem with ``num_classes`` = K classes (None when the
    certificate or its tight reference has no pB form).

    Admissible pairs: pB is the probability of the *runner-up* class, so a pair (pA, pB) is realisable by K
    classes iff pB <= pA, pA + pB <= 1 and the rest 1 - pA - pB splits into at most K - 2 classes each <= pB,
    i.e. pB >= (1 - pA)/(K - 1) (:func:`min_runner_up`).  Without the last bound the search would reach pB far
    below 1 - pA, which needs ceil((1 - pA - pB)/pB) other classes (~1e15 at pB = 1e-15): not a K-class problem.
    Searched: 1 - pA on a log grid of max(grid/8, 8) points in [min_one_minus_pA, 1/2) (there pB <= 1 - pA < pA,
    so the first two conditions reduce to pB <= 1 - pA) x ``pB_grid`` log-spaced pB in [(1 - pA)/(K - 1), 1 - pA].

    Returns ``exceeds_tight``, ``max_ratio`` (radius / tight radius), ``at_one_minus_pA``, ``at_pB``,
    ``classes_at_max`` (the fewest classes realising that pair: 2 + ceil((1 - pA - pB)/pB)),
    ``largest_one_minus_pA_exceeding``, ``num_classes`` and ``range_pB``.

    References
    ----------
    Cohen, Rosenfeld & Kolter 2019, Theorem 1 (the tight multi-class radius sigma/2 (Phi^-1(pA) - Phi^-1(pB))).

    Examples
    --------
    >>> multiclass_exceeds_tight("yang-linf") is None             # binary form only
    True
    >>> multiclass_exceeds_tight("c11", c=1.0, grid=64, pB_grid=4)["exceeds_tight"]
    True
    """
    cert = get(name)
    tight = get(cert.tight)
    if not (cert.multiclass and tight.multiclass):
        return None
    num_classes = V.count("num_classes", num_classes, minimum=2)
    sigma = V.positive("sigma", sigma)
    lo_e = V.in_open_interval("min_one_minus_pA", min_one_minus_pA, 0.0, 0.5)
    grid = V.count("grid", grid, minimum=8)
    pB_grid = V.count("pB_grid", pB_grid, minimum=2)
    params = cert._params(params)
    thr = math.log1p(EXCEED_RTOL)
    es = np.exp(np.linspace(math.log(lo_e), math.log(0.5 - 1e-9), max(grid // 8, 8)))
    worst: tuple[float, float, float] | None = None
    from_e = None
    for e in es:
        e = float(e)
        # the smallest admissible pB, exactly (not through exp(log(.))), then log-spaced up to 1 - pA
        pbs = [min_runner_up(e, num_classes)] + [
            math.exp(v) for v in np.linspace(math.log(min_runner_up(e, num_classes)), math.log(e), pB_grid)[1:]]
        for pb in pbs:
            pb = min(max(pb, min_runner_up(e, num_classes)), e)
            v = _log_ratio_to_tight(cert, tight, math.log(e), sigma, params, log_pB=math.log(pb))
            if worst is None or v > worst[0]:
                worst = (v, e, pb)
            if v > thr and (from_e is None or e > from_e):
                from_e = e
    assert worst is not None  # es has >= 8 points and pbs >= 2, so the loop ran
    v, e, pb = worst
    return {
        "exceeds_tight": bool(v > thr),
        "max_ratio": math.exp(v),
        "at_one_minus_pA": e,
        "at_pB": pb,
        "classes_at_max": 2 + max(0, math.ceil((e - pb) / pb * (1 - 1e-12))),
        "largest_one_minus_pA_exceeding": from_e,
        "num_classes": num_classes,
        "range_pB": ["(1 - pA)/(K - 1)", "1 - pA"],
    }


def exceeds_tight(name: str, *, sigma: float = 1.0, min_one_minus_pA: float = 1e-15, grid: int = 240,
                  multiclass: bool = True, pB_grid: int = 24, num_classes: int = DEFAULT_NUM_CLASSES,
                  **params: Any) -> dict[str, Any]:
    """Search 1 - pA in [min_one_minus_pA, 1/2) for pA where certificate ``name`` exceeds the tight radius.

    The tight reference is ``get(name).tight`` (same mechanism and norm): Cohen et al. 2019 for the Gaussian
    in l2; its l2 -> l_inf conversion for the Gaussian in l_inf (tight: over the l_inf ball of radius r the
    worst shift is a corner, of l2 norm r sqrt(d), and the Gaussian bound depends on ||delta||_2 only);
    Yang et al. 2020's radius for eq.-6 noise (binary form; tightness shown in ``yang-linf``'s derivation
    and checked numerically for d = 1, 2).

    Method: log(radius / tight) on a log-spaced grid of ``grid`` values of 1 - pA (the upper end 1/2 is
    approached as 1/2 - 1e-9), sign changes of log(ratio) - log(1 + EXCEED_RTOL) refined with brentq.
    Multi-class form (when both certificates have it, ``multiclass`` True): :func:`multiclass_exceeds_tight`
    for ``num_classes`` = K classes (default 10, CIFAR-10): pB is the runner-up probability, so only pairs with
    (1 - pA)/(K - 1) <= pB <= 1 - pA are searched (the other K - 2 classes hold 1 - pA - pB, each <= pB).

    Returns a dict: ``exceeds_tight`` (bool, binary form), ``from_one_minus_pA`` (the threshold below which
    it exceeds, or None; if the exceeding set is not an interval (0, t) see ``intervals``), ``intervals``
    (list of [lo, hi] in 1 - pA), ``max_ratio`` and ``at_one_minus_pA``, ``witness_one_minus_pA``
    (the 1 - pA of the largest excess, for :func:`theory.witness.make_witness`), the searched range,
    ``beyond_range`` (the same search down to 1 - pA = 1e-300, for information), ``multiclass`` (its dict, which
    records ``num_classes``, or None) and ``num_classes``.

    References
    ----------
    Cohen, Rosenfeld & Kolter 2019, Theorem 1 (tight, Gaussian l2); Yang et al. 2020 (tight, eq.-6 noise l_inf);
    the paper's C11, T13, T18 (the certificates searched).

    Examples
    --------
    C11 (c = 1) at 1 - pA = 1e-15: sqrt(2) log((1 - 1e-15)/1e-15) / 4 = 12.21 against Cohen's Phi^-1(1 - 1e-15) = 7.94:

    >>> res = exceeds_tight("c11", c=1.0, grid=40, multiclass=False)
    >>> res["exceeds_tight"], round(res["max_ratio"], 3)
    (True, 1.538)
    >>> exceeds_tight("t13", grid=40, multiclass=False)["exceeds_tight"]    # sound against Yang et al.
    False
    """
    cert = get(name)
    tight = get(cert.tight)
    sigma = V.positive("sigma", sigma)
    lo_e = V.in_open_interval("min_one_minus_pA", min_one_minus_pA, 0.0, 0.5)
    grid = V.count("grid", grid, minimum=8)
    params = cert._params(params)
    num_classes = V.count("num_classes", num_classes, minimum=2)
    thr = math.log1p(EXCEED_RTOL)

    def scan(lo_y: float) -> dict[str, Any]:
        hi_y = math.log(0.5 - 1e-9)
        ys = np.linspace(lo_y, hi_y, grid)
        g = np.array([_log_ratio_to_tight(cert, tight, float(y), sigma, params) - thr for y in ys])
        exceed = g > 0
        intervals = []
        i = 0
        f = lambda y: _log_ratio_to_tight(cert, tight, y, sigma, params) - thr  # noqa: E731
        while i < len(ys):
            if exceed[i]:
                j = i
                while j + 1 < len(ys) and exceed[j + 1]:
                    j += 1
                a = ys[i] if i == 0 else optimize.brentq(f, ys[i - 1], ys[i], xtol=1e-12)
                b = ys[j] if j == len(ys) - 1 else optimize.brentq(f, ys[j], ys[j + 1], xtol=1e-12)
                intervals.append([math.exp(a), math.exp(b)])
                i = j + 1
            else:
                i += 1
        k = int(np.argmax(g))
        res = {
            "exceeds_tight": bool(intervals),
            # the upper end of the first exceeding interval (for an interval (range bottom, t): "below t")
            "from_one_minus_pA": intervals[0][1] if intervals else None,
            "intervals": intervals,
            "max_ratio": math.exp(float(g[k]) + thr),
            "at_one_minus_pA": math.exp(float(ys[k])),
        }
        return res

    out = {"certificate": name, "tight": tight.name, "params": dict(params), "sigma": sigma,
           "range_one_minus_pA": [lo_e, 0.5], "grid": grid, "rtol": EXCEED_RTOL, "num_classes": num_classes}
    main = scan(math.log(lo_e))
    out.update(main)
    # the clearest excess in range (largest ratio) is where theory.witness builds the binary witness
    out["witness_one_minus_pA"] = main["at_one_minus_pA"] if main["exceeds_tight"] else None
    beyond = scan(math.log(1e-300))
    out["beyond_range"] = {"range_one_minus_pA": [1e-300, 0.5], **{k: beyond[k] for k in
                           ("exceeds_tight", "from_one_minus_pA", "intervals", "max_ratio", "at_one_minus_pA")}}
    out["multiclass"] = (multiclass_exceeds_tight(name, num_classes=num_classes, sigma=sigma, min_one_minus_pA=lo_e,
                                                  grid=grid, pB_grid=pB_grid, **params) if multiclass else None)
    return out


def soundness_table(**kw: Any) -> list[dict[str, Any]]:
    """:func:`exceeds_tight` for every certificate and setting of :data:`SOUNDNESS_SETTINGS` (keyword arguments,
    e.g. ``num_classes`` for the multi-class search, are passed on).

    Examples
    --------
    >>> rows = soundness_table(grid=16, multiclass=False)
    >>> len(rows), sorted({r["certificate"] for r in rows if r["exceeds_tight"]})
    (12, ['c11', 't18'])
    """
    return [exceeds_tight(name, **s, **kw) for name, settings in SOUNDNESS_SETTINGS.items() for s in settings]

