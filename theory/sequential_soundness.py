"""Soundness of sequential CERTIFY (issue 21): P(false certificate) <= alpha, shown on ground-truth binomial models.

The ground truth: the selected class cA is drawn under the noise with a KNOWN probability p (binary form: a
half-space classifier under Gaussian noise has exactly this law, and its true robust radius is
``sigma Phi^-1(p)``, :func:`theory.soundness.halfspace_l2`).  A *false certificate* is

* target-radius mode: R certified although the true radius is below R, i.e. p < level(R) = 1 - q_R;
* radius mode: a reported radius above the true one, i.e. ``L_tau > p`` at the stopping look tau.

Two routes, both running the procedures of :mod:`theory.sequential` on the counts:

1. **exact, by dynamic programming over sample paths** (:func:`exact_false_certificate`): the law of the count
   k at each look among the paths not yet decided is propagated look by look (convolution with the binomial law
   of the increment, every k in 0..t evaluated by the procedure), and the mass that the procedure certifies
   falsely is summed.  Exact up to floating-point rounding: at a small cap direct sums (relative error below
   1e-12); at the real cap (:func:`exact_cap_table`, N = 100,000) FFT convolutions and the procedure evaluated
   only where the count carries mass >= 1e-30, with an explicit error bound (dropped mass + FFT round-off,
   :func:`exact_false_certificate_with_error`; about 1e-11 at alpha = 0.001).
2. **Monte Carlo** (:func:`simulate`): many independent runs of the procedure at the real cap (100,000),
   vectorised over runs (fixed seed), the procedure evaluated on the distinct counts reached at each look; the
   false-certificate rate gets a one-sided Clopper-Pearson upper bound at confidence 1 - 1e-6, and the setting
   passes when that bound is <= alpha.

The planted bug: :func:`peeking_cp_targets` recomputes Cohen et al.'s fixed-n Clopper-Pearson bound at every look
and stops as soon as it clears the level ("peeking").  Each look alone is a valid 1 - alpha bound; the
procedure that stops at the first good look is not: the exact route shows its false-certificate probability
several times alpha (kept as a test in tests/theory/test_sequential.py).

Why a valid confidence sequence passes: for every stopping rule, ``{false certificate} subset {exists t: p <
L_t}``, whose probability is <= alpha by Ville's inequality (:mod:`theory.sequential`).  The simulation checks
the implementation (bisection direction, the closed form at k = t, the decision logic), not the theorem.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import signal, stats

from theory import sequential as Q
from theory import validate as V
from theory.jsonio import dump_json, load_result
from theory.report import md_table

#: a target-radius procedure: (counts k (1-d int array), look t) -> statuses (k.size, len(levels))
TargetRule = Callable[[np.ndarray, int], np.ndarray]
#: a radius-mode procedure: (counts k, look t) -> (stop (bool array), 1 - pA_lower (float array))
RadiusRule = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]

CI_CONFIDENCE = 1e-6  # one-sided Clopper-Pearson upper bound on the rate at confidence 1 - 1e-6


def sequential_targets(levels: npt.ArrayLike, budget: int, alpha: float,
                       prior: Sequence[float] = Q.DEFAULT_PRIOR) -> TargetRule:
    """The target-radius procedure of :func:`theory.sequential.decide_targets` as a rule of (k, t).

    Examples
    --------
    >>> rule = sequential_targets([0.2], 1000, 0.001)       # level pA >= 0.8
    >>> rule(np.array([0, 64]), 64).ravel().tolist()
    [-1, 1]
    """
    lv = np.asarray(levels, dtype=float)
    return lambda k, t: Q.decide_targets(k, t, budget, alpha, lv, prior)


def peeking_cp_targets(levels: npt.ArrayLike, budget: int, alpha: float) -> TargetRule:
    """THE PLANTED BUG: Cohen et al.'s fixed-n one-sided Clopper-Pearson bound recomputed at every look
    (certified when CP_lower(k, t, alpha) >= 1 - q_R; refused when CP_upper < 1 - q_R or at the cap).  Not a
    confidence sequence: do not use it to certify.

    Examples
    --------
    >>> peeking_cp_targets([0.2], 1000, 0.001)(np.array([64]), 64).ravel().tolist()   # 0.001^(1/64) = 0.897
    [1]
    """
    lv = np.asarray(levels, dtype=float)

    def rule(k: np.ndarray, t: int) -> np.ndarray:
        kk = np.asarray(k, dtype=float)
        # 1 - CP_lower = isf of Beta(t - k + 1, k); 1 - CP_upper = ppf of Beta(t - k, k + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            qL = np.where(kk > 0, stats.beta.isf(alpha, t - kk + 1, np.maximum(kk, 1)), 1.0)
            qU = np.where(kk < t, stats.beta.ppf(alpha, np.maximum(t - kk, 1), kk + 1), 0.0)
        out = np.zeros(kk.shape + lv.shape, dtype=np.int8)
        out[(qU[..., None] > lv) | (t >= budget)] = Q.REFUSED
        out[qL[..., None] <= lv] = Q.CERTIFIED
        return out

    return rule


def sequential_radius(budget: int, alpha: float, sigma: float, fraction: float = Q.DEFAULT_FRACTION,
                      prior: Sequence[float] = Q.DEFAULT_PRIOR) -> RadiusRule:
    """The radius-mode procedure of :func:`theory.sequential.radius_stop` (Cohen's l2 radius) as a rule of (k, t).

    Examples
    --------
    >>> stop, q = sequential_radius(1000, 0.001, 0.5)(np.array([32, 64]), 64)
    >>> stop.tolist()
    [True, False]
    """
    return lambda k, t: Q.radius_stop(k, t, budget, alpha, sigma, fraction, "cohen", prior)


#: Above this many multiply-adds a convolution goes through the FFT (scipy.signal.fftconvolve).
_FFT_ABOVE = 2_000_000
#: Masses below this are dropped after each step (set to 0); the dropped total is reported as an error bound.
_TINY = 1e-30


def _binom_step(dist: np.ndarray, m: int, p: float) -> np.ndarray:
    """The law of the count after ``m`` more draws: ``dist * Binomial(m, p)`` (direct sum for small sizes, FFT for
    large ones; FFT round-off is absolute, about 1e-16 of the largest mass per entry, negatives clipped to 0)."""
    if m == 0:
        return dist
    pmf = stats.binom.pmf(np.arange(m + 1), m, p)
    if dist.size * pmf.size <= _FFT_ABOVE:
        return np.convolve(dist, pmf)
    out: np.ndarray = np.clip(signal.fftconvolve(dist, pmf), 0.0, None)
    return out


def _support(mass: np.ndarray) -> tuple[np.ndarray, float]:
    """Indices of the counts that carry mass (>= _TINY) and the mass dropped below it."""
    keep = mass >= _TINY
    return np.flatnonzero(keep), float(mass[~keep].sum())


def exact_false_certificate(rule: TargetRule | RadiusRule, p: float, looks: Sequence[int], *,
                            mode: str = "target") -> np.ndarray | float:
    """Exact probability of a false certificate, by dynamic programming over the sample paths.

    ``rule`` is a target rule (``mode='target'``; the result is one probability per level: P(certified), which
    is a false certificate for every level above p) or a radius rule (``mode='radius'``; the result is
    P(L_tau > p)).  ``p`` is the true probability of the selected class; ``looks`` the cumulative draw counts
    (increasing; the last is the cap).

    dist_t(k) = P(count k after t draws, not yet decided) = (dist_{t'} * Binomial(t - t', p))(k) with decided
    mass removed at each look.

    Examples
    --------
    >>> rule = peeking_cp_targets([0.5], 10, 0.05)           # one look at t = 10: the fixed-n test
    >>> import math
    >>> v = float(exact_false_certificate(rule, 0.5, [10])[0])
    >>> math.isclose(v, stats.binom.sf(8, 10, 0.5), rel_tol=1e-12)    # certified iff k >= 9
    True
    """
    p = V.in_closed_interval("p", p, 0.0, 1.0)
    V.choice("mode", mode, {"target", "radius"})
    looks = [V.count("looks", t, minimum=1) for t in looks]
    if any(b <= a for a, b in zip(looks, looks[1:], strict=False)):
        raise ValueError("looks: must be strictly increasing")
    res, _ = exact_false_certificate_with_error(rule, p, looks, mode=mode)
    return res


def exact_false_certificate_with_error(rule: TargetRule | RadiusRule, p: float, looks: Sequence[int], *,
                                       mode: str = "target") -> tuple[np.ndarray | float, float]:
    """:func:`exact_false_certificate` and a bound on its numerical error: the mass dropped below 1e-30 after
    each step (the procedure is evaluated only where the count carries mass) plus the FFT round-off, bounded by
    ``looks x (t + 1) x 1e-15 x max mass`` (double-precision FFT convolution has an absolute error of a few ulps
    of the largest entry per output; 1e-15 is about 5 ulps).  At a small cap the direct sums are used and the
    bound is only the dropped mass."""
    p = V.in_closed_interval("p", p, 0.0, 1.0)
    V.choice("mode", mode, {"target", "radius"})
    looks = [V.count("looks", t, minimum=1) for t in looks]
    if any(b <= a for a, b in zip(looks, looks[1:], strict=False)):
        raise ValueError("looks: must be strictly increasing")
    prev, err = 0, 0.0
    if mode == "radius":
        dist = np.ones(1)
        total = 0.0
        for t in looks:
            big = dist.size * (t - prev + 1) > _FFT_ABOVE
            dist = _binom_step(dist, t - prev, p)
            err += (t + 1) * 1e-15 * float(dist.max()) if big else 0.0
            prev = t
            idx, dropped = _support(dist)
            err += dropped
            stop, qL = rule(idx, t)
            stop = np.asarray(stop, dtype=bool)
            total += float(dist[idx][stop & (np.asarray(qL) < 1.0 - p)].sum())
            alive = np.zeros_like(dist)
            alive[idx[~stop]] = dist[idx[~stop]]
            dist = alive
            if not dist.any():
                break
        return total, err
    per: np.ndarray | None = None   # per[k, j]: P(count k, level j undecided)
    certified: np.ndarray | None = None
    for t in looks:
        if per is None:
            per = _binom_step(np.ones(1), t, p)[:, None]
        else:
            big = per.shape[0] * (t - prev + 1) > _FFT_ABOVE
            per = np.stack([_binom_step(per[:, j], t - prev, p) for j in range(per.shape[1])], axis=1)
            err += per.shape[1] * (t + 1) * 1e-15 * float(per.max()) if big else 0.0
        prev = t
        idx, dropped = _support(per.max(axis=1))
        err += dropped * per.shape[1]
        st = np.asarray(rule(idx, t))
        if per.shape[1] != st.shape[1]:
            per = np.repeat(per[:, :1], st.shape[1], axis=1)
        sub = per[idx]
        certified = (0.0 if certified is None else certified) + np.where(st == Q.CERTIFIED, sub, 0.0).sum(axis=0)
        per = np.zeros_like(per)
        per[idx] = np.where(st == Q.UNDECIDED, sub, 0.0)
        if not per.any():
            break
    return (certified if certified is not None else np.zeros(0)), err


@dataclass
class SimulationResult:
    """Monte Carlo of one setting: ``false`` false certificates in ``trials`` runs (per target in target mode),
    their rate and its one-sided Clopper-Pearson upper bound at confidence 1 - 1e-6, ``sound`` (bound <= alpha
    for every entry), and the mean / median estimation draws used."""

    mode: str
    rule: str
    p: float
    alpha: float
    budget: int
    trials: int
    false: list[int]
    rate: list[float]
    ci_upper: list[float]
    sound: bool
    mean_draws: float
    median_draws: float
    levels: list[float] | None = None
    setting: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ci_upper(false: int, trials: int) -> float:
    from theory.certificates import clopper_pearson_upper

    return float(clopper_pearson_upper(false, trials, CI_CONFIDENCE))


def simulate(rule: TargetRule | RadiusRule, p: float, looks: Sequence[int], alpha: float, *, trials: int,
             seed: int = 0, mode: str = "target", levels: npt.ArrayLike | None = None, name: str = "sequential",
             setting: dict[str, Any] | None = None) -> SimulationResult:
    """Run the procedure ``rule`` ``trials`` times on the ground truth Binomial(., p) (fixed ``seed``) and count
    false certificates: target mode -- certified at a level above p (``levels`` gives each target's 1 - pA; the
    count is reported for every target, and only targets with ``1 - level > p`` can be false); radius mode --
    ``L_tau > p``.  All targets are decided by one run (sampling stops when every target is decided).

    Examples
    --------
    >>> r = simulate(sequential_targets([0.1], 500, 0.05), 0.895, [100, 200, 300, 400, 500], 0.05,
    ...              trials=2000, levels=[0.1])
    >>> r.false[0] < 100 and r.sound
    True
    """
    p = V.in_closed_interval("p", p, 0.0, 1.0)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    trials = V.count("trials", trials, minimum=1)
    V.choice("mode", mode, {"target", "radius"})
    rng = np.random.default_rng(V.count("seed", seed))
    k = np.zeros(trials, dtype=np.int64)
    used = np.full(trials, looks[-1], dtype=np.int64)
    alive = np.ones(trials, dtype=bool)
    prev = 0
    if mode == "target":
        lv = np.asarray(levels, dtype=float)
        status = np.zeros((trials, lv.size), dtype=np.int8)
    else:
        false_r = np.zeros(trials, dtype=bool)
    for t in looks:
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        k[idx] += rng.binomial(t - prev, p, size=idx.size)
        prev = t
        uniq, inv = np.unique(k[idx], return_inverse=True)
        if mode == "target":
            st = np.asarray(rule(uniq, t))[inv]
            cur = status[idx]
            cur = np.where(cur == Q.UNDECIDED, st, cur)
            status[idx] = cur
            done = np.all(cur != Q.UNDECIDED, axis=1)
        else:
            stop, qL = rule(uniq, t)
            done = np.asarray(stop, dtype=bool)[inv]
            false_r[idx[done]] = np.asarray(qL)[inv][done] < 1.0 - p
        used[idx[done]] = t
        alive[idx[done]] = False
    if mode == "target":
        false = [int(np.sum((status[:, j] == Q.CERTIFIED) & (p < 1.0 - lv[j]))) for j in range(lv.size)]
    else:
        false = [int(false_r.sum())]
    ci = [_ci_upper(f, trials) for f in false]
    return SimulationResult(mode, name, p, alpha, int(looks[-1]), trials, false, [f / trials for f in false], ci,
                            all(c <= alpha for c in ci), float(used.mean()), float(np.median(used)),
                            None if mode == "radius" else [float(x) for x in lv], setting)


DEFAULT_SIGMAS = (0.25, 0.5, 1.0)
DEFAULT_RADII = (0.25, 0.5, 0.75, 1.0)
DEFAULT_RADIUS_P = (0.6, 0.9, 0.99, 0.999, 0.9999, 0.99999)
EXACT_LEVELS = (0.3, 0.1, 0.01)
EXACT_ALPHAS = (0.05, 0.01, 0.001)


def exact_table(*, budget: int = 2000, batch: int = 100, first: int = 20, levels: Iterable[float] = EXACT_LEVELS,
                alphas: Iterable[float] = EXACT_ALPHAS, radius_p: Iterable[float] = (0.6, 0.9, 0.99),
                sigma: float = 0.5) -> list[dict[str, Any]]:
    """Exact false-certificate probabilities (dynamic programming) at a small cap, worst case p just below each
    level (p = 1 - q (1 + 1e-9)): the sequential target rule and the planted peeking bug at the same looks, and
    the radius mode at ``radius_p``.

    Examples
    --------
    >>> rows = exact_table(budget=200, batch=50, levels=[0.1], alphas=[0.05], radius_p=[])
    >>> rows[0]["sequential"] <= 0.05 < rows[0]["peeking_cp"]
    True
    """
    looks = Q.look_schedule(budget, batch, first)
    rows: list[dict[str, Any]] = []
    for a in alphas:
        for q in levels:
            p = 1.0 - q * (1.0 + 1e-9)
            seq = float(np.asarray(exact_false_certificate(sequential_targets([q], budget, a), p, looks))[0])
            bug = float(np.asarray(exact_false_certificate(peeking_cp_targets([q], budget, a), p, looks))[0])
            rows.append({"mode": "target", "alpha": a, "level_1_minus_pA": q, "p": p, "budget": budget,
                         "looks": len(looks), "sequential": seq, "peeking_cp": bug,
                         "sequential_sound": seq <= a, "peeking_cp_sound": bug <= a})
        for p in radius_p:
            v = float(exact_false_certificate(sequential_radius(budget, a, sigma), p, looks, mode="radius"))
            rows.append({"mode": "radius", "alpha": a, "p": p, "budget": budget, "looks": len(looks),
                         "sequential": v, "sequential_sound": v <= a})
    return rows


def monte_carlo_table(*, budget: int = Q.DEFAULT_BUDGET, batch: int = 1000, alpha: float = 0.001,
                      trials: int = 200_000, seed: int = 0, sigmas: Iterable[float] = DEFAULT_SIGMAS,
                      radii: Sequence[float] = DEFAULT_RADII, radius_p: Iterable[float] = DEFAULT_RADIUS_P,
                      progress: Callable[[str], None] | None = None) -> list[SimulationResult]:
    """Monte Carlo at the real cap: target mode for every sigma, with all ``radii`` decided by one run and the
    true p just below each reachable level (the worst case for that target); radius mode at each p of
    ``radius_p`` (sigma = 1: the stopping rule and the failure event do not depend on sigma for Cohen's radius).
    Seeds differ per setting (``seed + i``)."""
    looks = Q.look_schedule(budget, batch)
    out: list[SimulationResult] = []
    i = 0
    for s in sigmas:
        lv = Q.target_levels(radii, s)
        reach = float(Q.one_minus_lower(budget, budget, alpha)[()])
        for r, q in zip(radii, lv, strict=True):
            if q < reach:  # the budget cannot certify this R at all (refused at the first look)
                continue
            p = 1.0 - q * (1.0 + 1e-9)
            res = simulate(sequential_targets(lv, budget, alpha), p, looks, alpha, trials=trials, seed=seed + i,
                           levels=lv, setting={"sigma": s, "R_worst": r, "radii": list(radii)})
            i += 1
            out.append(res)
            if progress:
                progress(f"target sigma={s:g} p={p:.6g}: false {res.false} of {trials}")
    for p in radius_p:
        res = simulate(sequential_radius(budget, alpha, 1.0), p, looks, alpha, trials=trials, seed=seed + i,
                       mode="radius", setting={"sigma": 1.0})
        i += 1
        out.append(res)
        if progress:
            progress(f"radius p={p:g}: false {res.false[0]} of {trials}")
    return out


def exact_cap_table(*, budget: int = Q.DEFAULT_BUDGET, batch: int = 1000, alpha: float = 0.001,
                    sigmas: Iterable[float] = DEFAULT_SIGMAS, radii: Sequence[float] = DEFAULT_RADII,
                    radius_p: Iterable[float] = DEFAULT_RADIUS_P,
                    progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """The Monte Carlo settings, computed exactly at the real cap (dynamic programming, FFT convolutions): the
    target rule at each reachable level of each sigma with p just below it, and the radius mode at ``radius_p``.
    Each row holds the probability, its numerical error bound and ``sound`` = probability + error <= alpha.

    Examples
    --------
    >>> rows = exact_cap_table(budget=2000, batch=200, sigmas=[1.0], radii=[0.5], radius_p=[0.9])
    >>> [(r["mode"], r["sound"]) for r in rows]
    [('target', True), ('radius', True)]
    """
    looks = Q.look_schedule(budget, batch)
    rows: list[dict[str, Any]] = []
    reach = float(Q.final_one_minus_lower(budget, budget, budget, alpha)[()])
    for s in sigmas:
        for r, q in zip(radii, Q.target_levels(radii, s), strict=True):
            if q < reach:
                continue
            p = 1.0 - float(q) * (1.0 + 1e-9)
            v, err = exact_false_certificate_with_error(sequential_targets([q], budget, alpha), p, looks)
            val = float(np.asarray(v)[0])
            rows.append({"mode": "target", "sigma": s, "R": r, "p": p, "alpha": alpha, "budget": budget,
                         "looks": len(looks), "false_certificate": val, "error_bound": err,
                         "sound": val + err <= alpha})
            if progress:
                progress(f"exact at the cap: target sigma={s:g} R={r:g}: P(false) = {val:.4g} (+- {err:.1g})")
    for p in radius_p:
        v, err = exact_false_certificate_with_error(sequential_radius(budget, alpha, 1.0), p, looks, mode="radius")
        rows.append({"mode": "radius", "sigma": 1.0, "R": None, "p": p, "alpha": alpha, "budget": budget,
                     "looks": len(looks), "false_certificate": float(v), "error_bound": err,
                     "sound": float(v) + err <= alpha})
        if progress:
            progress(f"exact at the cap: radius p={p:g}: P(false) = {float(v):.4g} (+- {err:.1g})")
    return rows


def _ci_lower(false: int, trials: int) -> float:
    """One-sided Clopper-Pearson lower bound at confidence 1 - 1e-6 (0 when nothing was seen)."""
    return 0.0 if false == 0 else float(stats.beta.ppf(CI_CONFIDENCE, false, trials - false + 1))


def _bound_text() -> str:
    return ("beta-binomial mixture confidence sequence, prior Beta"
            f"{tuple(Q.DEFAULT_PRIOR)} at alpha (1 - s), and one Clopper-Pearson look at the cap at alpha s "
            f"(s = {Q.DEFAULT_FINAL_SHARE:g}); target-mode futility beta = {Q.DEFAULT_FUTILITY:g}")


@dataclass(frozen=True)
class SequentialSoundnessResult:
    """Both routes of ``python -m theory soundness-sequential`` (issue 21): the data of
    ``reports/sequential_soundness.json``.

    Attributes
    ----------
    command, alpha, trials, seed
        The command line, alpha of the real-cap routes, Monte Carlo runs per setting, the base seed.
    ci_confidence
        Confidence of the one-sided Clopper-Pearson bounds on the Monte Carlo rates (1 - 1e-6).
    bound
        The bound the sequential procedures use, in words.
    exact
        :func:`exact_table` rows (small cap: sequential rule and the planted peeking bug).
    exact_cap
        :func:`exact_cap_table` rows (the real cap, with error bounds).
    monte_carlo
        :func:`monte_carlo_table` settings; each row's Clopper-Pearson lower bounds and whether it refutes
        soundness (a lower bound above alpha) are derived (:meth:`ci_lower`, :meth:`refutes`) and written to the JSON.
    sequential_sound
        Every exact probability (plus its error bound) <= alpha and no Monte Carlo row refutes soundness.
    peeking_cp_fails
        The planted peeking bug exceeds alpha in some exact target setting (the check detects it).
    runtime_s
        Seconds the computation took.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> sim = simulate(sequential_targets([0.1], 500, 0.05), 0.895, [100, 500], 0.05, trials=100, levels=[0.1])
    >>> res = SequentialSoundnessResult("x", 0.05, 100, 0, 1 - 1e-6, "b", (), (), (sim,), True, False, 1.0)
    >>> p = res.to_json(pathlib.Path(tempfile.mkdtemp()) / "s.json")
    >>> SequentialSoundnessResult.from_json(p) == res
    True
    """

    command: str
    alpha: float
    trials: int
    seed: int
    ci_confidence: float
    bound: str
    exact: tuple[dict[str, Any], ...]
    exact_cap: tuple[dict[str, Any], ...]
    monte_carlo: tuple[SimulationResult, ...]
    sequential_sound: bool
    peeking_cp_fails: bool
    runtime_s: float

    def ci_lower(self, sim: SimulationResult) -> list[float]:
        """One-sided Clopper-Pearson lower bounds (confidence 1 - 1e-6) on the false-certificate rates of ``sim``."""
        return [_ci_lower(f, sim.trials) for f in sim.false]

    def refutes(self, sim: SimulationResult) -> bool:
        """Whether ``sim`` refutes soundness: some lower bound above alpha."""
        return any(c > self.alpha for c in self.ci_lower(sim))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-shaped dict (field order; each Monte Carlo row with its ``ci_lower`` and ``refutes``)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["exact"], d["exact_cap"] = list(self.exact), list(self.exact_cap)
        d["monte_carlo"] = [{**m.to_dict(), "ci_lower": self.ci_lower(m), "refutes": self.refutes(m)}
                            for m in self.monte_carlo]
        return d

    def to_json(self, path: str | Path) -> Path:
        """Write the result as JSON (the layout of ``reports/sequential_soundness.json``)."""
        return dump_json(self.to_dict(), path, indent=1, ensure_ascii=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SequentialSoundnessResult:
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in d]
        if missing:
            raise KeyError(f"missing fields {missing}")
        sim_names = {f.name for f in fields(SimulationResult)}
        kw = {n: d[n] for n in names}
        kw.update(exact=tuple(d["exact"]), exact_cap=tuple(d["exact_cap"]),
                  monte_carlo=tuple(SimulationResult(**{k: v for k, v in m.items() if k in sim_names})
                                    for m in d["monte_carlo"]))
        return cls(**kw)

    @classmethod
    def from_json(cls, path: str | Path) -> SequentialSoundnessResult:
        """Read a result written by :meth:`to_json` (the report re-renders without recomputing); a file that is not
        one is a ``ValueError`` naming it (theory.jsonio.load_result)."""
        return load_result(path, "a sequential-soundness result", cls.from_dict)


def compute_sequential_soundness(*, trials: int = 200_000, alpha: float = 0.001, seed: int = 0,
                                 exact_budget: int = 2000, progress: Callable[[str], None] | None = None,
                                 command: str = "") -> SequentialSoundnessResult:
    """Both routes (``python -m theory soundness-sequential``): :func:`exact_table` at ``exact_budget``,
    :func:`exact_cap_table` and :func:`monte_carlo_table` (``trials`` runs per setting) at the real cap.

    sequential_sound = every exact P(false) (+ error bound) <= alpha and no Monte Carlo lower bound > alpha;
    peeking_cp_fails = the planted bug exceeds alpha in some exact target setting.  The real-cap routes take
    minutes (the module docstring).
    """
    t0 = time.perf_counter()
    ex = exact_table(budget=exact_budget)
    cap = exact_cap_table(alpha=alpha, progress=progress)
    mc = monte_carlo_table(alpha=alpha, trials=trials, seed=seed, progress=progress)
    refutes = any(any(_ci_lower(f, r.trials) > alpha for f in r.false) for r in mc)
    return SequentialSoundnessResult(
        command=command, alpha=alpha, trials=trials, seed=seed, ci_confidence=1 - CI_CONFIDENCE,
        bound=_bound_text(), exact=tuple(ex), exact_cap=tuple(cap), monte_carlo=tuple(mc),
        sequential_sound=(all(r["sequential_sound"] for r in ex) and all(r["sound"] for r in cap) and not refutes),
        peeking_cp_fails=any(not r["peeking_cp_sound"] for r in ex if r["mode"] == "target"),
        runtime_s=time.perf_counter() - t0)


def _exact_rows(res: SequentialSoundnessResult) -> list[list[str]]:
    rows = []
    for r in res.exact:
        if r["mode"] == "target":
            rows.append(["target", f"{r['alpha']:g}", f"{r['level_1_minus_pA']:g}", f"{r['p']:.9g}", f"{r['budget']}",
                         f"{r['looks']}", f"{r['sequential']:.3g}",
                         f"{r['peeking_cp']:.3g}{' (**> α**)' if not r['peeking_cp_sound'] else ''}"])
        else:
            rows.append(["radius", f"{r['alpha']:g}", "–", f"{r['p']:g}", f"{r['budget']}", f"{r['looks']}",
                         f"{r['sequential']:.3g}", "–"])
    return rows


def _exact_cap_rows(res: SequentialSoundnessResult) -> list[list[str]]:
    return [[r["mode"], f"{r['sigma']:g}", "–" if r["R"] is None else f"{r['R']:g}", f"{r['p']:.9g}",
             f"{r['budget']:,}", f"{r['looks']}", f"{r['false_certificate']:.4g}", f"{r['error_bound']:.1g}",
             f"{r['sound']}"] for r in res.exact_cap]


def _monte_carlo_rows(res: SequentialSoundnessResult) -> list[list[str]]:
    rows = []
    for r in res.monte_carlo:
        s = r.setting or {}
        rows.append([r.mode, f"{s.get('sigma', '')}", f"{r.p:.9g}", f"{r.false}", f"{max(res.ci_lower(r)):.3g}",
                     f"{max(r.ci_upper):.3g}", f"{res.refutes(r)}", f"{r.mean_draws:.0f}", f"{r.median_draws:.0f}"])
    return rows


def render_markdown(res: SequentialSoundnessResult) -> str:
    """The report as Markdown (``reports/sequential_soundness.md``)."""
    L = ["# Sequential CERTIFY: soundness on ground-truth binomial models (issue 21)", "",
         f"Generated by `{res.command}` in {res.runtime_s:.0f} s.", "",
         f"Bound: {res.bound} (`theory.sequential`).  A false certificate: a target radius R certified although "
         "the true pA is below the level R needs (target mode), or a reported radius above the true one (radius "
         "mode).  Worst case for a target: true pA just below its level (1 - pA = q (1 + 1e-9)).", "",
         f"**Verdict: sequential procedures sound in every setting: {res.sequential_sound}; planted peeking bug "
         f"(fixed-n Clopper–Pearson at every look) detected: {res.peeking_cp_fails}.**", "",
         "## Exact (dynamic programming over sample paths, small cap)", "",
         md_table(["mode", "α", "1 − level", "true p", "cap", "looks", "P(false) sequential", "P(false) peeking CP"],
                  _exact_rows(res))]
    L += ["", f"## Exact at the real cap (dynamic programming, FFT convolutions, α = {res.alpha:g})", "",
          "The same procedures at the cap and looks CERTIFY uses, every count evaluated where it carries mass "
          "(≥ 1e-30); the error bound adds the dropped mass and the FFT round-off.  Sound: probability + error ≤ α.",
          "", md_table(["mode", "σ", "R", "true p", "cap", "looks", "P(false certificate)", "error bound", "sound"],
                       _exact_cap_rows(res))]
    L += ["", f"## Monte Carlo at the real cap ({res.trials:,} runs per setting, α = {res.alpha:g}, one-sided "
          f"Clopper–Pearson bounds at confidence 1 − 1e-6)", "",
          "A second, independent route (the procedures run on simulated draws, vectorised over runs).  Near the "
          "boundary the procedures spend close to α (the final look alone spends α/2), so 100,000 runs cannot push "
          "an upper bound below α; a row *refutes* soundness only when its lower bound exceeds α.", "",
          md_table(["mode", "σ", "true p", "false certificates (per R)", "CP lower (max)", "CP upper (max)", "refutes",
                    "mean draws", "median draws"], _monte_carlo_rows(res))]
    L += ["", "Verdict: sound when every exact probability (small cap and real cap, plus its error bound) is ≤ α and "
          "no Monte Carlo row refutes it (lower bound > α).", "",
          "Targets R ∈ {0.25, 0.5, 0.75, 1.0} are decided by one run; targets the cap cannot reach at all "
          "(e.g. R = 1 at σ = 0.25) are refused at the first look and have no worst-case row.", ""]
    return "\n".join(L)


def write_sequential_soundness_report(result: SequentialSoundnessResult, out_dir: str | Path = "reports", *,
                                      json_path: str | Path | None = None, figures: bool = True) -> list[Path]:
    """Write ``sequential_soundness.md`` and the JSON (``out_dir/sequential_soundness.json`` unless ``json_path``);
    return the paths written.  The report has no figure (``figures`` is accepted for the common writer signature).

    Examples
    --------
    >>> import tempfile
    >>> res = SequentialSoundnessResult("x", 0.05, 100, 0, 1 - 1e-6, "b", (), (), (), True, False, 1.0)
    >>> [p.name for p in write_sequential_soundness_report(res, tempfile.mkdtemp())]
    ['sequential_soundness.md', 'sequential_soundness.json']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = out / "sequential_soundness.md"
    md.write_text(render_markdown(result))
    return [md, result.to_json(Path(json_path) if json_path is not None else out / "sequential_soundness.json")]
